//! Optional CPU profiles of the server while a scenario runs, taken with Linux `perf`.
//!
//! `perf record` samples the server process for the length of the measurement; the report gets the
//! functions with the most samples (self time), which is where a missed target starts to be
//! explained.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running `perf record` on the server.
pub struct Recording {
    child: Child,
    data: PathBuf,
}

/// Starts sampling `pid` into `dir/{slug}.perf.data`; `None` when `perf` cannot run.
pub fn start(dir: &Path, slug: &str, pid: u32) -> Option<Recording> {
    std::fs::create_dir_all(dir).ok()?;
    let data = dir.join(format!("{slug}.perf.data"));
    let child = Command::new("perf")
        .args(["record", "-q", "-F", "499", "-p", &pid.to_string(), "-o"])
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    Some(Recording { child, data })
}

impl Recording {
    /// Stops sampling and returns the top `n` functions by self time, as `(percent, function)`.
    pub fn finish(mut self, n: usize) -> Vec<(f64, String)> {
        // perf writes its data file on SIGINT.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let Ok(output) = Command::new("perf")
            .args([
                "report",
                "--stdio",
                "--no-children",
                "--sort",
                "symbol",
                "--percent-limit",
                "0.5",
                "-g",
                "none",
                "-i",
            ])
            .arg(&self.data)
            .stderr(Stdio::null())
            .output()
        else {
            return Vec::new();
        };
        top_symbols(&String::from_utf8_lossy(&output.stdout), n)
    }
}

/// Parses `perf report --stdio --sort symbol` lines such as `  12.34%  [.] tokio::runtime::…`.
fn top_symbols(report: &str, n: usize) -> Vec<(f64, String)> {
    report
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let (percent, rest) = line.split_once('%')?;
            let percent = percent.trim().parse::<f64>().ok()?;
            // `[k] name    -   -`: the symbol is between the marker and the padding.
            let symbol = rest.trim().split_once(' ').map_or(rest, |(_, s)| s).trim();
            let symbol = symbol.split("  ").next().unwrap_or(symbol);
            Some((percent, shorten(symbol)))
        })
        .take(n)
        .collect()
}

/// Symbols without their hash suffix and at most 120 characters.
fn shorten(symbol: &str) -> String {
    let symbol = match symbol.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            head
        }
        _ => symbol,
    };
    if symbol.chars().count() > 120 {
        let cut: String = symbol.chars().take(119).collect();
        format!("{cut}…")
    } else {
        symbol.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_perf_report_lines() {
        let report = "# comment\n#\n    25.50%  [k] finish_task_switch      -      -   \n     3.10%  [.] sqlite3VdbeExec\n     1.00%  [.] app::render::h0123456789abcdef\n";
        assert_eq!(
            top_symbols(report, 2),
            vec![
                (25.5, "finish_task_switch".to_owned()),
                (3.1, "sqlite3VdbeExec".to_owned())
            ]
        );
        assert_eq!(top_symbols(report, 5)[2].1, "app::render");
    }
}
