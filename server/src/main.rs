//! `authlink`: parses the command line and configuration, then hands over to the library.

use clap::Parser;
use server::cli::{Cli, run};
use server::{Config, telemetry};

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
