//! Domain services: async functions over a connection (pool or transaction). Server functions,
//! the REST API and the CLI all call these, so each business rule lives in one place.

pub mod admin;
pub mod throttle;
