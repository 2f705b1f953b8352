//! The Markdown report.

use std::fmt::Write;

use crate::scenarios::Results;

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "—",
    }
}

/// The report as Markdown: one table row per scenario, then memory and the wasm bundle.
pub fn render_markdown(r: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Authlink benchmark ({})\n", r.database);
    let _ = writeln!(
        out,
        "{} tenants · {} s per measurement · {} concurrent connections · {} cores (server pinned to core 0, load on the others)\n",
        r.tenants, r.seconds, r.concurrency, r.cores
    );
    let _ = writeln!(
        out,
        "| scenario | Authlink req/s | p50 ms | p99 ms | server CPU ms/req | reference | ref req/s | ref p50 ms | ratio | target | verdict |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|");
    for s in &r.scenarios {
        let (ref_rps, ref_p50) = s
            .reference
            .as_ref()
            .map_or(("—".to_owned(), "—".to_owned()), |m| {
                (format!("{:.0}", m.rps), format!("{:.2}", m.p50_ms))
            });
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} | {} |",
            s.name,
            s.product.rps,
            s.product.p50_ms,
            s.product.p99_ms,
            s.cpu_ms_per_request
                .map_or("—".to_owned(), |c| format!("{c:.2}")),
            s.reference_name,
            ref_rps,
            ref_p50,
            s.ratio.map_or("—".to_owned(), |x| format!("{x:.2}")),
            s.target,
            verdict(s.met)
        );
    }
    let p99 = |name: &str| {
        r.scenarios
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.product.p99_ms)
    };
    if let (Some(first), Some(deep)) = (
        p99("Tenants page, first page"),
        p99("Tenants page, deep page"),
    ) && first > 0.0
    {
        let ratio = deep / first;
        let _ = writeln!(
            out,
            "\nDeep page p99 {deep:.2} ms ÷ first page p99 {first:.2} ms = {ratio:.2} (target ≤ 1.5×): {}",
            verdict(Some(ratio <= 1.5))
        );
    }
    let mib = |v: Option<f64>| v.map_or("—".to_owned(), |m| format!("{m:.1} MiB"));
    let _ = writeln!(out, "\n| memory | value | target |\n|---|---:|---|");
    let _ = writeln!(
        out,
        "| server RSS at rest | {} | ≤ 60 MB |",
        mib(r.idle_rss_mib)
    );
    let _ = writeln!(
        out,
        "| server peak RSS over the run | {} | ≤ 200 MB |",
        mib(r.peak_rss_mib)
    );
    if let Some(w) = &r.wasm {
        let kib = |b: u64| format!("{:.1} KiB", b as f64 / 1024.0);
        let _ = writeln!(out, "\n| wasm bundle | size |\n|---|---:|");
        let _ = writeln!(out, "| raw | {} |", kib(w.raw));
        let _ = writeln!(out, "| gzip -9 | {} |", kib(w.gzip));
        let _ = writeln!(out, "| brotli q11 (target ≤ 200 KB) | {} |", kib(w.brotli));
        if !w.contributors.is_empty() {
            let _ = writeln!(
                out,
                "\nLargest contributors (function bodies by crate, in the module as compiled, before wasm-bindgen and wasm-opt; static data {}):\n",
                kib(w.data_bytes)
            );
            let _ = writeln!(out, "| crate | code | share |\n|---|---:|---:|");
            for c in &w.contributors {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {:.1}% |",
                    c.name,
                    kib(c.bytes),
                    c.percent
                );
            }
        }
    }
    let profiled: Vec<_> = r
        .scenarios
        .iter()
        .filter(|s| !s.profile.is_empty())
        .collect();
    if !profiled.is_empty() {
        let _ = writeln!(
            out,
            "\n## Where the server's time goes\n\nSelf time per function while each scenario ran (`perf record -F 499`, top entries).\n"
        );
        for s in profiled {
            let _ = writeln!(out, "**{}**\n", s.name);
            for (percent, symbol) in &s.profile {
                let _ = writeln!(out, "- {percent:.1}% `{symbol}`");
            }
            let _ = writeln!(out);
        }
    }
    if !r.failures.is_empty() {
        let _ = writeln!(out, "\nScenarios that did not run:\n");
        for f in &r.failures {
            let _ = writeln!(out, "- {f}");
        }
    }
    out
}
