//! `ltops tom check --accounts all` over a moto estate of 3 accounts, each with
//! 300 RDS instances (240 standalone, 30 Aurora clusters of 2), 30 clusters,
//! 300+ snapshots, 200 S3 buckets and 1,000 IAM roles, reached through the SSO
//! portal (the lab's fake) as the DPO: the default global bound (16 AWS calls in
//! flight across all accounts) beside `--concurrency 1`, the same calls made one
//! after another as a Prowler-style scanner makes them, in the same run.
//! Targets (issue 15): the whole estate in under 5 s, ≥ 5× faster than sequential.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

#[path = "common/mod.rs"]
mod common;

use common::Moto;

const ACCOUNTS: [&str; 3] = ["123456789012", "210987654321", "109876543210"];
const REGION: &str = "eu-central-1";

/// A Python helper that prints `{"endpoint": …}` when it listens (the lab's SSO
/// fake, the latency proxy), killed when dropped.
struct Sso {
    child: Child,
    endpoint: String,
}

impl Sso {
    fn start(venv: &Path, script: &Path, args: &[&std::ffi::OsStr]) -> Sso {
        let mut child = Command::new(venv.join("python"))
            .arg(script)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a helper of the benchmark");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("benchmark set-up"))
            .read_line(&mut line)
            .expect("sso fake's endpoint");
        let v: serde_json::Value = serde_json::from_str(&line).expect("sso fake's endpoint");
        let endpoint = v["endpoint"].as_str().expect("endpoint").to_owned();
        Sso { child, endpoint }
    }
}

impl Drop for Sso {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A home where dora is signed in through the fake (device flow, auto-approved).
fn dpo_home(root: &Path, bin: &str, moto: &str, sso: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("benchmark set-up");
    let p = home.path();
    std::fs::create_dir_all(p.join(".aws")).expect("benchmark set-up");
    std::fs::create_dir_all(p.join(".config/ltops")).expect("benchmark set-up");
    std::fs::write(
        p.join(".aws/config"),
        format!(
            "[profile dora]\nsso_session = bench\nsso_account_id = {}\nsso_role_name = LtopsDPO\nregion = {REGION}\n\n[sso-session bench]\nsso_start_url = https://leadtributor.awsapps.com/start\nsso_region = {REGION}\nsso_registration_scopes = sso:account:access\n",
            ACCOUNTS[0]
        ),
    )
    .expect("benchmark set-up");
    std::fs::write(
        p.join(".config/ltops/config.yaml"),
        format!(
            "aws:\n  profile: dora\n  region: {REGION}\npolicies: {}\n",
            root.join("policies").display()
        ),
    )
    .expect("benchmark set-up");
    let out = ltops(bin, p, moto, sso)
        .args(["login", "--no-browser"])
        .output()
        .expect("ltops login");
    assert!(
        out.status.success(),
        "login: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    home
}

fn ltops(bin: &str, home: &Path, moto: &str, sso: &str) -> Command {
    let mut c = Command::new(bin);
    for var in [
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONFIG_FILE",
        "AWS_REGION",
        "LTOPS_CONFIG",
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
    ] {
        c.env_remove(var);
    }
    c.current_dir(home)
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", moto)
        .env("AWS_ENDPOINT_URL_SSO", sso)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", sso)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("BROWSER", "true");
    c
}

/// Best of `runs` runs of `tom check --accounts all`; the findings per account of the last.
fn check(
    bin: &str,
    home: &Path,
    (moto, sso): (&str, &str),
    concurrency: &str,
    runs: usize,
) -> (f64, Vec<usize>) {
    let mut best = f64::MAX;
    let mut per_account = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = ltops(bin, home, moto, sso)
            .args(["--format", "json", "tom", "check", "--accounts", "all"])
            .args(["--concurrency", concurrency])
            .output()
            .expect("run ltops");
        best = best.min(t.elapsed().as_secs_f64());
        // No database is configured here: the DB controls say ERROR, so exit 1.
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let accounts = v["accounts"].as_array().expect("accounts");
        assert_eq!(accounts.len(), ACCOUNTS.len(), "{:#}", v["accounts"]);
        assert!(
            accounts.iter().all(|a| a.get("error").is_none()),
            "{:#}",
            v["accounts"]
        );
        let findings: Vec<&serde_json::Value> = v["controls"]
            .as_array()
            .expect("controls")
            .iter()
            .flat_map(|c| c["findings"].as_array().expect("findings"))
            .collect();
        let aws_errors: Vec<&&serde_json::Value> = findings
            .iter()
            .filter(|f| f["account"].is_string() && f["status"] == "ERROR")
            .collect();
        assert!(
            aws_errors.is_empty(),
            "AWS checks could not read: {aws_errors:#?}"
        );
        per_account = ACCOUNTS
            .iter()
            .map(|a| findings.iter().filter(|f| f["account"] == *a).count())
            .collect();
    }
    (best, per_account)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join(".venv/bin");
    let moto = Moto::start(&venv, &[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let work = tempfile::tempdir().expect("benchmark set-up");
    let directory = work.path().join("sso_directory.json");
    let t = Instant::now();
    let seed = Command::new(venv.join("python"))
        .arg(root.join("benches/tom_seed.py"))
        .arg(&moto.endpoint)
        .arg(ACCOUNTS.join(","))
        .arg(&directory)
        .output()
        .expect("seed");
    assert!(
        seed.status.success(),
        "seed: {}",
        String::from_utf8_lossy(&seed.stderr)
    );
    eprintln!(
        "seeded {} in {:.1}s",
        String::from_utf8_lossy(&seed.stdout),
        t.elapsed().as_secs_f64()
    );
    let sso = Sso::start(
        &venv,
        &root.join("tests/lab/sso_fake.py"),
        &[
            "--host".as_ref(),
            "127.0.0.1".as_ref(),
            "--port".as_ref(),
            "0".as_ref(),
            "--moto-endpoint".as_ref(),
            moto.endpoint.as_ref(),
            "--directory".as_ref(),
            directory.as_os_str(),
        ],
    );
    let bin =
        std::env::var("LTOPS_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_ltops").to_owned());
    let home = dpo_home(root, &bin, &moto.endpoint, &sso.endpoint);
    let peers = (moto.endpoint.as_str(), sso.endpoint.as_str());
    let (concurrent, findings) = check(&bin, home.path(), peers, "16", 2);
    let (sequential, _) = check(&bin, home.path(), peers, "1", 2);
    println!(
        "tom check --accounts all, 3 accounts × (300 instances, 30 clusters, 300+ snapshots, 200 buckets, 1,000 roles), moto:"
    );
    println!("  AWS findings per account: {findings:?}");
    println!(
        "  concurrent (16 AWS calls in flight across all accounts, best of 2): {concurrent:.2}s"
    );
    println!(
        "  sequential (1 in flight, Prowler-style, best of 2):                 {sequential:.2}s"
    );
    println!("  ratio: {:.1}x", sequential / concurrent);

    let latency = common::env_u64("LTOPS_BENCH_LATENCY_MS", 20).to_string();
    let proxy = Sso::start(
        &venv,
        &root.join("benches/latency_proxy.py"),
        &[moto.endpoint.as_ref(), latency.as_ref()],
    );
    let slow = (proxy.endpoint.as_str(), sso.endpoint.as_str());
    let (concurrent, _) = check(&bin, home.path(), slow, "16", 2);
    let (sequential, _) = check(&bin, home.path(), slow, "1", 1);
    println!("the same through a proxy adding {latency} ms to every AWS call:");
    println!("  concurrent (16 in flight, best of 2): {concurrent:.2}s");
    println!("  sequential (1 in flight, one run):    {sequential:.2}s");
    println!("  ratio: {:.1}x", sequential / concurrent);
}
