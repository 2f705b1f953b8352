//! `authlink-bench`: Authlink's performance suite.
//!
//! It prepares a fresh database (SQLite, or PostgreSQL with `--postgres`) seeded with many
//! tenants, starts the real server binary pinned to one core, and drives it over loopback with
//! the `rlt` load-testing library from another core. Every scenario is measured next to a
//! reference in the same run (a plain axum handler doing the same work, or a static file), so the
//! ratios hold on a noisy machine; absolute numbers (req/s, p50/p99, server CPU-ms per request,
//! memory) are reported too. Results go to a Markdown and a JSON report.
//!
//! ```text
//! cargo run --release -p server --features bench --bin authlink-bench -- [--postgres URL] [--smoke]
//! ```

mod load;
mod proc_stats;
mod profile;
mod reference;
mod refresh_once;
mod report;
mod round_trip;
mod scenarios;
mod wasm_size;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;

/// Command line.
#[derive(Debug, Parser)]
#[command(name = "authlink-bench", about = "Authlink's performance suite")]
struct Cli {
    /// Run on PostgreSQL: an admin URL; a fresh database `authlink_bench` is created there.
    #[arg(long)]
    postgres: Option<String>,
    /// Tenants to seed.
    #[arg(long, default_value_t = 100_000)]
    tenants: u64,
    /// Seconds each measurement runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 16)]
    concurrency: u32,
    /// A short run (1,000 tenants, 1 s per measurement) that checks the suite still works.
    #[arg(long)]
    smoke: bool,
    /// Where the reports go.
    #[arg(long, default_value = "docs/benchmarks")]
    out: PathBuf,
    /// Profile the server with Linux `perf` during each scenario: data files go to this directory
    /// and the busiest functions into the report.
    #[arg(long)]
    perf: Option<PathBuf>,
    /// The compiled site (for the wasm bundle sizes).
    #[arg(long, default_value = "target/site")]
    site_root: PathBuf,
    /// Internal: run the reference server on this address against `--reference-db`.
    #[arg(long, hide = true)]
    reference_bind: Option<String>,
    /// Internal: the reference server's database URL.
    #[arg(long, hide = true)]
    reference_db: Option<String>,
}

/// A child process that is killed when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A command pinned to `cores` with `taskset` when it is available.
pub fn pinned(program: &std::path::Path, cores: &str) -> Command {
    if pinning_available() {
        let mut c = Command::new("taskset");
        c.arg("-c").arg(cores).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn pinning_available() -> bool {
    cores() > 1
        && Command::new("taskset")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Logical cores.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Waits until `url` answers 200.
pub async fn wait_ready(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{url} did not become ready")
}

/// A free loopback port.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut cli = Cli::parse();
    if let (Some(bind), Some(db)) = (&cli.reference_bind, &cli.reference_db) {
        return reference::serve(bind, db).await;
    }
    if cli.smoke {
        cli.tenants = cli.tenants.min(1_000);
        cli.seconds = 1;
        cli.concurrency = cli.concurrency.min(4);
    }
    let machine_cores = cores();
    // The load generator takes the cores the server does not.
    if pinning_available() {
        let others = format!("1-{}", cores() - 1);
        let _ = Command::new("taskset")
            .args(["-a", "-cp", &others, &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status();
    }
    let server_bin = std::env::current_exe()?
        .parent()
        .context("no directory of the bench binary")?
        .join("authlink");
    if !server_bin.exists() {
        bail!(
            "{} is missing: build it first (cargo build [--release] -p server)",
            server_bin.display()
        );
    }
    let settings = scenarios::Settings {
        server_bin,
        postgres: cli.postgres.clone(),
        tenants: cli.tenants,
        duration: Duration::from_secs(cli.seconds),
        concurrency: cli.concurrency,
        site_root: cli.site_root.clone(),
        smoke: cli.smoke,
        cores: machine_cores,
        perf_dir: cli.perf.clone(),
    };
    let results = scenarios::run_all(&settings).await?;
    let rendered = report::render_markdown(&results);
    println!("{rendered}");
    std::fs::create_dir_all(&cli.out)?;
    let name = if cli.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let name = if cli.smoke {
        format!("smoke-{name}")
    } else {
        name.to_owned()
    };
    std::fs::write(cli.out.join(format!("{name}.md")), &rendered)?;
    std::fs::write(
        cli.out.join(format!("{name}.json")),
        serde_json::to_string_pretty(&results)?,
    )?;
    println!(
        "Reports written to {}/{name}.md and .json",
        cli.out.display()
    );
    if cli.smoke && !results.all_ran() {
        bail!("some scenarios failed to run");
    }
    Ok(())
}
