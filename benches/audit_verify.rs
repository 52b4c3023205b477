//! `ltops audit verify` over a million events from the file store, timed beside
//! `sha256sum` over the same file in the same run, so the ratio is independent of
//! the machine. Target (DESIGN.md): at least 500k events/s.

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use chrono::{DateTime, Utc};
use ltops::audit::event::{Draft, GENESIS, Outcome, Phase, Reason, ReasonKind, Target};
use ltops::aws::identity::Actor;
use serde_json::json;
use uuid::Uuid;

fn main() {
    let n: u64 = std::env::var("LTOPS_BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");

    let t = Instant::now();
    write_log(&path, n);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "generated {n} events ({:.0} MB) in {:.1}s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    // Warm the page cache for both contenders alike.
    let _ = std::fs::read(&path);

    let ltops = env!("CARGO_BIN_EXE_ltops");
    let mut best_verify = f64::MAX;
    let mut best_sha = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let out = Command::new(ltops)
            .args(["--format", "json", "audit", "verify", "--file"])
            .arg(&path)
            .env("HOME", dir.path())
            .output()
            .expect("run ltops");
        best_verify = best_verify.min(t.elapsed().as_secs_f64());
        assert!(
            out.status.success(),
            "verify failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
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
    println!(
        "verdict: {}",
        if rate >= 500_000.0 {
            "meets the target"
        } else {
            "BELOW the target"
        }
    );
}

fn write_log(path: &std::path::Path, n: u64) {
    let actor = Actor {
        arn: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_LtopsAdmin_0123456789abcdef/alice@leadtributor.cloud".into(),
        user: "alice@leadtributor.cloud".into(),
        account: "123456789012".into(),
        permission_set: "LtopsAdmin".into(),
    };
    let reason = Reason::new(ReasonKind::Incident, "INC-2026-113", None).expect("reason");
    let start: DateTime<Utc> = DateTime::from_timestamp(1_790_000_000, 0).expect("time");
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut prev = GENESIS.to_owned();
    let mut intent = Uuid::nil();
    for seq in 1..=n {
        let is_intent = seq % 2 == 1;
        let id = Uuid::now_v7();
        let draft = Draft {
            id,
            at: start + chrono::Duration::milliseconds(seq as i64),
            actor: actor.clone(),
            action: "tenant.erase".into(),
            phase: if is_intent {
                Phase::Intent
            } else {
                Phase::Outcome
            },
            result: (!is_intent).then_some(Outcome::Ok),
            intent: (!is_intent).then_some(intent),
            target: Target {
                tenant: Some(format!("00000000-0000-4000-8000-{:012}", seq % 1000)),
                resource: None,
            },
            reason: Some(reason.clone()),
            content: json!({ "tables": { "leads": seq % 977, "lead_events": seq % 3011 } }),
        };
        if is_intent {
            intent = id;
        }
        let e = draft.seal_into_chain(seq, &prev);
        prev = e.hash.clone();
        writeln!(f, "{}", e.to_line()).expect("write");
    }
    f.flush().expect("flush");
}
