//! The audit log's write-once copy (issue 12), on moto: an S3 bucket with
//! Object Lock in compliance mode (10 years, eu-central-1) and an ECC_NIST_P256
//! signing key in KMS.
//!
//! 1. What anchoring adds to every mutating command: the file store's append
//!    of its two events (intent, outcome; fsync'd) beside `Anchor::ship` of
//!    the whole log as the store returns it (segment + `kms:Sign` +
//!    checkpoint), over LTOPS_BENCH_ANCHOR_COMMANDS commands (default 200);
//!    and `ship` once more on the full-size log of step 2, since it reads
//!    the whole local log every time.
//! 2. `audit verify` over LTOPS_BENCH_ANCHOR_EVENTS events (default 200,000),
//!    shipped as the log grew in segments of 1,000 events: the chain verified
//!    alone beside what `audit verify` does with an anchor configured —
//!    `kms:GetPublicKey`, a LIST of the checkpoints (their names), every
//!    signature checked, and the chain verified with the checkpoints held
//!    against it — in the same run.
//!    Target: verify with the anchor ≥ 0.5× the speed of verify without.
//! 3. The peak memory of the real `ltops audit verify` with the anchor
//!    configured (GNU time's maximum RSS), over a fifth of the events and over
//!    all of them: it must not grow with the log.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use ltops::audit::anchor::Anchor;
use ltops::audit::event::{Draft, GENESIS};
use ltops::audit::file_store::FileStore;
use ltops::audit::verify::{Verifier, verify_bytes};
use ltops::ops::anchoring;
use ltops::settings::{AnchorSection, AwsSettings};

#[path = "common/mod.rs"]
mod common;

use common::{Moto, Synthetic, env_u64};

const BY: &str = "alice@leadtributor.cloud";
const SEGMENT: u64 = 1_000;

fn main() {
    let n: u64 = env_u64("LTOPS_BENCH_ANCHOR_EVENTS", 200_000);
    let commands: u64 = env_u64("LTOPS_BENCH_ANCHOR_COMMANDS", 200);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join(".venv/bin");
    let moto = Moto::start(&venv, &[]);
    let endpoint = moto.endpoint.clone();

    // Two buckets, one per part, so that each starts with nothing anchored.
    let peers = Command::new(venv.join("python"))
        .arg("-c")
        .arg(format!(
            "import boto3\n\
             E={endpoint:?}\n\
             kw=dict(endpoint_url=E, region_name='eu-central-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n\
             s3=boto3.client('s3', **kw)\n\
             kms=boto3.client('kms', **kw)\n\
             for b in ('ltops-bench-anchor-commands', 'ltops-bench-anchor-verify'):\n\
             \x20   s3.create_bucket(Bucket=b, CreateBucketConfiguration={{'LocationConstraint': 'eu-central-1'}}, ObjectLockEnabledForBucket=True)\n\
             \x20   s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={{'ObjectLockEnabled': 'Enabled', 'Rule': {{'DefaultRetention': {{'Mode': 'COMPLIANCE', 'Years': 10}}}}}})\n\
             print(kms.create_key(KeySpec='ECC_NIST_P256', KeyUsage='SIGN_VERIFY')['KeyMetadata']['KeyId'])\n"
        ))
        .output()
        .expect("run .venv/bin/python with boto3");
    assert!(
        peers.status.success(),
        "bucket and key: {}",
        String::from_utf8_lossy(&peers.stderr)
    );
    let key = String::from_utf8_lossy(&peers.stdout).trim().to_owned();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let sdk = rt
        .block_on(ltops::aws::config::load(&AwsSettings {
            profile: None,
            region: Some("eu-central-1".into()),
            endpoint_url: Some(endpoint.clone()),
            sso_cache_dir: PathBuf::new(),
        }))
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "ltops-bench",
        )))
        .build();
    let section = |bucket: &str| AnchorSection {
        bucket: bucket.into(),
        kms_key: key.clone(),
        prefix: None,
        region: None,
        retention_years: None,
        allowed_regions: None,
    };
    let anchor_in = |bucket: &str| Anchor::new(&sdk, &section(bucket));

    // ── 1. per command ──────────────────────────────────────────────────────
    let anchor = anchor_in("ltops-bench-anchor-commands");
    let fit = rt
        .block_on(anchor.check())
        .expect("the bench bucket and key fit");
    eprintln!("anchor: {}", fit.join("; "));
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FileStore::new(dir.path().join("audit.jsonl"));
    let mut draft = Drafts::new();
    let mut appends = Vec::with_capacity(commands as usize);
    let mut ships = Vec::with_capacity(commands as usize);
    for c in 1..=commands {
        let t = Instant::now();
        store.append(draft.next(), None).expect("append intent");
        store.append(draft.next(), None).expect("append outcome");
        appends.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let log = store.read_all().expect("read the log");
        let shipped = rt
            .block_on(anchor.ship(&log, BY))
            .expect("ship")
            .expect("something to ship");
        ships.push(t.elapsed().as_secs_f64());
        assert_eq!((shipped.first_seq, shipped.seq), (2 * c - 1, 2 * c));
    }
    let append_ms = mean(&appends) * 1e3;
    let ship_ms = mean(&ships) * 1e3;
    println!(
        "per mutating command, {commands} commands, log growing to {} events (moto, best case: loopback):",
        2 * commands
    );
    println!(
        "  append of its 2 events (file store, fsync): {append_ms:.2} ms mean (p50 {:.2}, p95 {:.2})",
        pct(&mut appends, 50) * 1e3,
        pct(&mut appends, 95) * 1e3
    );
    println!(
        "  ship (read log, GET hint, LIST, kms:Sign, PUT segment, PUT hint): {ship_ms:.2} ms mean (p50 {:.2}, p95 {:.2})",
        pct(&mut ships, 50) * 1e3,
        pct(&mut ships, 95) * 1e3
    );
    println!(
        "  added wall time: +{ship_ms:.1} ms per command = {:.1}x the append alone",
        (append_ms + ship_ms) / append_ms
    );

    // ── 2. verify over n events ─────────────────────────────────────────────
    let verify_section = section("ltops-bench-anchor-verify");
    let anchor = anchor_in("ltops-bench-anchor-verify");
    let t = Instant::now();
    let mut drafts = Drafts::new();
    let mut log: Vec<u8> = Vec::with_capacity(n as usize * 800);
    let mut prev = GENESIS.to_owned();
    // Start of the last anchored event's line: `ship` sees that event (and
    // checks it against the checkpoint) and what follows, not the anchored
    // history before it — the segments come out as they would from the whole
    // log, without re-reading it n/1,000 times (step 1 and below time that).
    let mut tail = 0usize;
    let mut segment_ships = Vec::new();
    let bin_dir = tempfile::tempdir().expect("tempdir");
    let mut peaks = Vec::new();
    for seq in 1..=n {
        let line_start = log.len();
        let e = drafts.next().seal_into_chain(seq, &prev);
        prev = e.hash.clone();
        log.extend_from_slice(e.to_line().as_bytes());
        log.push(b'\n');
        if seq % SEGMENT == 0 || seq == n {
            let ts = Instant::now();
            let cp = rt
                .block_on(anchor.ship(&log[tail..], BY))
                .expect("ship")
                .expect("something to ship");
            segment_ships.push(ts.elapsed().as_secs_f64());
            assert_eq!(cp.seq, seq);
            tail = line_start;
            if seq == (n / 5).div_ceil(SEGMENT) * SEGMENT || seq == n {
                peaks.push((seq, binary_verify(&log, bin_dir.path(), &endpoint, &key)));
            }
        }
    }
    eprintln!(
        "generated {n} events ({:.0} MB) and anchored them in {} segments in {:.1}s ({:.1} ms per segment of {SEGMENT})",
        log.len() as f64 / 1e6,
        segment_ships.len(),
        t.elapsed().as_secs_f64(),
        mean(&segment_ships) * 1e3
    );

    let mut without = f64::MAX;
    let mut with = f64::MAX;
    let (mut best_list, mut best_verify) = (f64::MAX, f64::MAX);
    let mut checkpoints = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = verify_bytes(&log, None);
        without = without.min(t.elapsed().as_secs_f64());
        assert!(r.intact() && r.events == n, "the log verifies");

        let t = Instant::now();
        let (_, tracker) = rt
            .block_on(anchoring::prepare(&sdk, &verify_section))
            .expect("kms:GetPublicKey and the LIST of checkpoints");
        let t_list = t.elapsed().as_secs_f64();
        let mut v = Verifier::new(None);
        v.track(tracker);
        v.feed_all(&log);
        let (r, tracker) = v.finish_tracked();
        let report = tracker.expect("the tracker comes back").finish(None);
        let total = t.elapsed().as_secs_f64();
        with = with.min(total);
        assert!(r.intact() && r.events == n, "the log verifies");
        assert!(report.intact(), "the anchor agrees: {report:?}");
        assert_eq!(report.anchored_through, Some(n));
        assert!(report.unanchored.is_empty());
        checkpoints = report.checkpoints;
        best_list = best_list.min(t_list);
        best_verify = best_verify.min(total - t_list);
    }
    let ratio = without / with;
    println!(
        "audit verify over {n} events ({:.0} MB, {checkpoints} checkpoints; best of 3):",
        log.len() as f64 / 1e6
    );
    println!(
        "  without the anchor (verify_bytes):  {without:.3}s = {:.0} events/s",
        n as f64 / without
    );
    println!(
        "  with the anchor:                   {with:.3}s = {:.0} events/s",
        n as f64 / with
    );
    let parts = [
        (
            "kms:GetPublicKey + LIST of the checkpoints (1,000 per request) + signatures",
            best_list,
        ),
        (
            "chain verified with every checkpoint held against it (one reading)",
            best_verify,
        ),
    ];
    let sum: f64 = parts.iter().map(|p| p.1).sum();
    for (what, s) in parts {
        println!("    {what}: {s:.3}s ({:.0}%)", s / sum * 100.0);
    }
    let top = parts
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|p| p.0)
        .unwrap_or_default();
    println!("  dominated by: {top}");
    println!(
        "  ratio (speed with the anchor / without): {ratio:.2}x (target ≥ 0.5) — {}",
        if ratio >= 0.5 {
            "meets the target"
        } else {
            "BELOW the target"
        }
    );

    for (events, (secs, kb)) in &peaks {
        println!(
            "ltops audit verify (the binary, anchor configured) over {events} events: {secs:.2}s, peak memory {}",
            kb.map_or("not measured (no /usr/bin/time)".into(), |kb| format!(
                "{:.1} MB RSS",
                kb as f64 / 1024.0
            ))
        );
    }

    // ── ship on the full-size log ───────────────────────────────────────────
    // What a command costs once the log is this long: `ship` is handed the
    // whole log (as `ops::anchoring` reads it from the store) and parses every
    // line to find what is not anchored yet.
    let rounds = 5;
    let mut big = Vec::with_capacity(rounds);
    let mut seq = n;
    for _ in 0..rounds {
        for _ in 0..2 {
            seq += 1;
            let e = drafts.next().seal_into_chain(seq, &prev);
            prev = e.hash.clone();
            log.extend_from_slice(e.to_line().as_bytes());
            log.push(b'\n');
        }
        let t = Instant::now();
        let cp = rt
            .block_on(anchor.ship(&log, BY))
            .expect("ship")
            .expect("something to ship");
        big.push(t.elapsed().as_secs_f64());
        assert_eq!(cp.seq, seq);
    }
    println!(
        "ship per command on the {n}-event log ({rounds} commands): {:.1} ms mean ({:.1}x the {ship_ms:.1} ms on a {}-event log)",
        mean(&big) * 1e3,
        mean(&big) * 1e3 / ship_ms,
        2 * commands
    );
}

/// Runs the real `ltops audit verify` on `log` as a file store with the
/// anchor configured; its wall time and peak RSS (KiB, from GNU time).
fn binary_verify(log: &[u8], dir: &Path, endpoint: &str, key: &str) -> (f64, Option<u64>) {
    let path = dir.join("audit.jsonl");
    std::fs::write(&path, log).expect("write the log");
    let config = dir.join("ltops.yaml");
    std::fs::write(
        &config,
        format!(
            "audit:\n  store: file\n  path: {}\n  anchor:\n    bucket: ltops-bench-anchor-verify\n    kms_key: {key}\n",
            path.display()
        ),
    )
    .expect("write the config");
    let mut cmd = common::timed_ltops();
    let t = Instant::now();
    let out = cmd
        .arg("--config")
        .arg(&config)
        .args(["--format", "json", "audit", "verify"])
        .env("HOME", dir)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .expect("run ltops");
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && serde_json::from_slice::<serde_json::Value>(&out.stdout)
                .is_ok_and(|v| v["intact"] == true && v["anchor"]["anchored_through"].is_u64()),
        "verify with the anchor failed: {stdout}\n{stderr}"
    );
    let kb = common::maxrss_kb(&stderr);
    (secs, kb)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

fn pct(xs: &mut [f64], p: usize) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[((xs.len() - 1) * p) / 100]
}

/// The synthetic drafts, numbered as they are drawn.
struct Drafts {
    synthetic: Synthetic,
    seq: u64,
}

impl Drafts {
    fn new() -> Drafts {
        Drafts {
            synthetic: Synthetic::new(),
            seq: 0,
        }
    }

    fn next(&mut self) -> Draft {
        self.seq += 1;
        self.synthetic.draft(self.seq)
    }
}
