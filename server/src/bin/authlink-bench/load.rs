//! One measurement: `rlt` drives a request (or a short sequence of them) for a fixed time with a
//! fixed number of workers and reports throughput and latency percentiles.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use clap::Parser;
use rlt::{IterInfo, IterReport, StatelessBenchSuite, Status};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// Makes the body of the `n`th request: content type and bytes.
pub type BodyFn = Arc<dyn Fn(u64) -> (String, Vec<u8>) + Send + Sync>;

/// One request the workers repeat.
#[derive(Clone)]
pub struct Request {
    /// Shared client (keeps connections alive; carries the session cookie when needed).
    pub client: reqwest::Client,
    /// Method.
    pub method: reqwest::Method,
    /// Full URL.
    pub url: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body, for POSTs.
    pub body: Option<BodyFn>,
    /// The status that counts as success.
    pub expect: u16,
    /// Stop timing at the response head (time to first byte) instead of the whole body.
    pub first_byte_only: bool,
}

#[async_trait]
impl StatelessBenchSuite for Request {
    async fn bench(&mut self, info: &IterInfo) -> anyhow::Result<IterReport> {
        let started = Instant::now();
        let mut request = self.client.request(self.method.clone(), &self.url);
        for (k, v) in &self.headers {
            request = request.header(k, v);
        }
        if let Some(body) = &self.body {
            let (content_type, bytes) = body(info.runner_seq);
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let (duration, bytes) = if self.first_byte_only {
            let at_head = started.elapsed();
            let bytes = response.bytes().await?.len() as u64;
            (at_head, bytes)
        } else {
            let bytes = response.bytes().await?.len() as u64;
            (started.elapsed(), bytes)
        };
        let status = if status == self.expect {
            Status::success(i64::from(status))
        } else {
            Status::client_error(i64::from(status))
        };
        Ok(IterReport {
            duration,
            status,
            bytes,
            items: 1,
        })
    }
}

/// What one measurement found.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Measured {
    /// Requests per second.
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Share of requests with the expected status.
    pub success: f64,
    /// Requests made.
    pub requests: u64,
}

#[derive(Deserialize)]
struct RltReport {
    summary: RltSummary,
    latency: Option<RltLatency>,
}

#[derive(Deserialize)]
struct RltSummary {
    success_ratio: f64,
    iters: RltIters,
}

#[derive(Deserialize)]
struct RltIters {
    total: u64,
    rate: f64,
}

#[derive(Deserialize)]
struct RltLatency {
    percentiles: std::collections::BTreeMap<String, f64>,
}

/// Runs `suite` for `duration` with `concurrency` workers (after a short warm-up).
pub async fn measure<S>(suite: S, duration: Duration, concurrency: u32) -> anyhow::Result<Measured>
where
    S: StatelessBenchSuite + Clone + Send + Sync + 'static,
{
    let out = tempfile_path()?;
    let cli = rlt::cli::BenchCli::parse_from([
        "bench".to_owned(),
        "--concurrency".to_owned(),
        concurrency.to_string(),
        "--duration".to_owned(),
        format!("{}ms", duration.as_millis()),
        "--warmup".to_owned(),
        (u64::from(concurrency) * 5).to_string(),
        "--quiet".to_owned(),
        "--output".to_owned(),
        "json".to_owned(),
        "--output-file".to_owned(),
        out.display().to_string(),
    ]);
    rlt::cli::run(cli, suite).await?;
    let text = std::fs::read_to_string(&out).context("the load generator wrote no report")?;
    let _ = std::fs::remove_file(&out);
    let report: RltReport = serde_json::from_str(&text)?;
    let ms = |key: &str| {
        report
            .latency
            .as_ref()
            .and_then(|l| l.percentiles.get(key))
            .map_or(0.0, |s| s * 1000.0)
    };
    Ok(Measured {
        rps: report.summary.iters.rate,
        p50_ms: ms("p50"),
        p99_ms: ms("p99"),
        success: report.summary.success_ratio,
        requests: report.summary.iters.total,
    })
}

fn tempfile_path() -> anyhow::Result<std::path::PathBuf> {
    Ok(std::env::temp_dir().join(format!(
        "authlink-bench-{}-{}.json",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )))
}
