//! HTTP tests: the real application on port 0, on SQLite and on PostgreSQL.

mod helpers;

mod auth;
mod operations;
mod security;
