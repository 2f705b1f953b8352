//! `authlink`: parses the command line and configuration, then hands over to the library.

use clap::Parser;
use server::cli::{Cli, run};
use server::{Config, telemetry};

/// jemalloc instead of the system allocator: rendering a page makes many small, short-lived
/// allocations, and glibc's malloc spent a fifth of a dashboard page's CPU time on them (and kept
/// freed memory in per-thread arenas).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("authlink: invalid configuration: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(&config);
    match run(cli, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("authlink: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
