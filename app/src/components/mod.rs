//! Reusable view pieces.

pub mod copy;
pub mod form;
pub mod layout;
pub mod util;
