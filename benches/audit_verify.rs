//! `ltops audit verify` over a million events from the file store, timed beside
//! `sha256sum` over the same file in the same run, so the ratio is independent of
//! the machine. Target (DESIGN.md): at least 500k events/s, and peak memory
//! below 64 MB at any log size — so the peak RSS of the verify process is
//! measured too, at 1M events and again after the log has grown to 5M.
//!
//! `LTOPS_BENCH_EVENTS` sets the timed log size (default 1,000,000);
//! `LTOPS_BENCH_MEMORY_EVENTS` the size of the second, memory-only run
//! (default 5,000,000; 0 skips it); `LTOPS_BENCH_KEEP=DIR` writes the log into
//! DIR and leaves it there, for measuring by hand.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use ltops::audit::event::GENESIS;

#[path = "common/mod.rs"]
mod common;

use common::{Synthetic, env_u64};

/// The memory budget DESIGN.md sets for verify, show and export.
const BUDGET_MB: f64 = 64.0;

fn main() {
    let n = env_u64("LTOPS_BENCH_EVENTS", 1_000_000);
    let big = env_u64("LTOPS_BENCH_MEMORY_EVENTS", 5_000_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir: PathBuf = match std::env::var_os("LTOPS_BENCH_KEEP") {
        Some(d) => PathBuf::from(d),
        None => tmp.path().to_owned(),
    };
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join("audit.jsonl");

    let t = Instant::now();
    let mut log = LogWriter::create(&path);
    log.write_until(n);
    let size = file_size(&path);
    eprintln!(
        "generated {n} events ({:.0} MB) in {:.1}s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    // Warm the page cache for both contenders alike.
    let _ = std::fs::read(&path);

    let mut best_verify = f64::MAX;
    let mut best_sha = f64::MAX;
    let mut peak_kb = 0u64;
    for _ in 0..3 {
        let t = Instant::now();
        let kb = run_verify(&path, tmp.path());
        best_verify = best_verify.min(t.elapsed().as_secs_f64());
        peak_kb = peak_kb.max(kb.unwrap_or(0));
        let t = Instant::now();
        let st = Command::new("sha256sum")
            .arg(&path)
            .output()
            .expect("run sha256sum");
        best_sha = best_sha.min(t.elapsed().as_secs_f64());
        assert!(st.status.success());
    }
    let rate = n as f64 / best_verify;
    println!(
        "audit verify: {n} events in {best_verify:.3}s = {rate:.0} events/s (target ≥ 500000)"
    );
    println!(
        "sha256sum over the same {:.0} MB: {best_sha:.3}s = {:.0} MB/s",
        size as f64 / 1e6,
        size as f64 / 1e6 / best_sha
    );
    println!(
        "ratio verify/sha256sum wall time: {:.2} (1.0 = as fast as hashing the file once)",
        best_verify / best_sha
    );
    let mut within_budget = report_peak(n, size, peak_kb);

    if big > n {
        // Timing the wall clock of a 5M-event verify adds nothing the 1M run
        // does not show; what matters is that memory does not grow with the log.
        let t = Instant::now();
        log.write_until(big);
        let size = file_size(&path);
        eprintln!(
            "grew the log to {big} events ({:.0} MB) in {:.1}s",
            size as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
        let kb = run_verify(&path, tmp.path()).unwrap_or(0);
        within_budget &= report_peak(big, size, kb);
    }

    println!(
        "verdict: {}, {}",
        if rate >= 500_000.0 {
            "meets the speed target"
        } else {
            "BELOW the speed target"
        },
        if within_budget {
            "within the memory budget"
        } else {
            "OVER the memory budget"
        }
    );
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Prints the peak RSS of a verify run; whether it stayed within the budget
/// (an unmeasured peak counts as within: the line says it was not measured).
fn report_peak(n: u64, size: u64, peak_kb: u64) -> bool {
    if peak_kb == 0 {
        println!("peak memory of verify over {n} events: not measured (no /usr/bin/time)");
        return true;
    }
    let mb = peak_kb as f64 / 1024.0;
    println!(
        "peak memory of verify over {n} events ({:.0} MB file): {mb:.1} MB RSS (budget {BUDGET_MB:.0} MB)",
        size as f64 / 1e6
    );
    mb <= BUDGET_MB
}

/// Runs `ltops audit verify --file` and returns its peak RSS in KiB, measured
/// by GNU time when it is installed (it reports the child's `ru_maxrss`).
fn run_verify(path: &Path, home: &Path) -> Option<u64> {
    let mut cmd = common::timed_ltops();
    let out = cmd
        .args(["--format", "json", "audit", "verify", "--file"])
        .arg(path)
        .env("HOME", home)
        .output()
        .expect("run ltops");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "verify failed: {stderr}");
    common::maxrss_kb(&stderr)
}

/// Writes a valid chain of erasure intents and outcomes, and can extend it.
struct LogWriter {
    f: std::io::BufWriter<std::fs::File>,
    next: u64,
    prev: String,
    synthetic: Synthetic,
}

impl LogWriter {
    fn create(path: &Path) -> LogWriter {
        LogWriter {
            f: std::io::BufWriter::new(std::fs::File::create(path).expect("create")),
            next: 1,
            prev: GENESIS.to_owned(),
            synthetic: Synthetic::new(),
        }
    }

    /// Appends events until the log holds `last` of them, then flushes.
    fn write_until(&mut self, last: u64) {
        for seq in self.next..=last {
            let draft = self.synthetic.draft(seq);
            let e = draft.seal_into_chain(seq, &self.prev);
            self.prev = e.hash.clone();
            writeln!(self.f, "{}", e.to_line()).expect("write");
        }
        self.next = self.next.max(last + 1);
        self.f.flush().expect("flush");
    }
}
