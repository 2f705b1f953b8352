//! HTTP tests: the real application on port 0, on SQLite and on PostgreSQL.

mod helpers;

mod account;
mod alerts;
mod at_rest;
mod audit;
mod auth;
mod branding;
mod connector_changes;
mod contract;
mod demo;
mod emails;
mod end_user;
mod environments;
mod exchange;
mod hardening;
mod journey;
mod languages;
mod lifecycle;
mod mock_provider;
mod oidc;
mod operations;
mod provider_entries;
mod providers;
mod rest;
mod security;
mod simulator;
mod smtp;
mod sso;
mod team;
mod two_factor;
mod webhooks;
