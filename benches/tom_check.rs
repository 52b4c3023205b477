//! `ltops tom check` on a moto account of 300 RDS instances (240 standalone, 30
//! Aurora clusters of 2), 30 clusters and 1,000 IAM roles: the default bounded
//! concurrency beside `--concurrency 1` (the same API calls one after another)
//! in the same run, and beside the AWS CLI making the same queries for a sample
//! of the roles (extrapolated: one process per call makes the full run take
//! far too long). Target (DESIGN.md): a few seconds, ≥ 5× faster than sequential.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "common/mod.rs"]
mod common;

use common::Moto;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join(".venv/bin");
    let moto = Moto::start(&venv, &[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let endpoint = moto.endpoint.clone();
    let t = Instant::now();
    let seed = Command::new(venv.join("python"))
        .arg(root.join("benches/tom_seed.py"))
        .arg(&endpoint)
        .output()
        .expect("seed");
    assert!(
        seed.status.success(),
        "seed: {}",
        String::from_utf8_lossy(&seed.stderr)
    );
    eprintln!(
        "seeded 300 instances, 30 clusters, 1,000 roles in {:.1}s",
        t.elapsed().as_secs_f64()
    );

    let home = tempfile::tempdir().expect("benchmark set-up");
    std::fs::create_dir_all(home.path().join(".config/ltops")).expect("benchmark set-up");
    std::fs::write(
        home.path().join(".config/ltops/config.yaml"),
        format!(
            "aws:\n  region: eu-central-1\npolicies: {}\n",
            root.join("policies").display()
        ),
    )
    .expect("benchmark set-up");
    let bin =
        std::env::var("LTOPS_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_ltops").to_owned());
    let run = |concurrency: &str| -> f64 {
        let mut best = f64::MAX;
        for _ in 0..2 {
            let t = Instant::now();
            let out = Command::new(&bin)
                .args([
                    "--format",
                    "json",
                    "tom",
                    "check",
                    "--concurrency",
                    concurrency,
                ])
                .env("HOME", home.path())
                .env("AWS_ENDPOINT_URL", &endpoint)
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_PROFILE")
                .output()
                .expect("run ltops");
            best = best.min(t.elapsed().as_secs_f64());
            // No database is configured here: the DB controls say ERROR, so exit 1.
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
            let admins = v["controls"]
                .as_array()
                .expect("benchmark set-up")
                .iter()
                .find(|c| c["id"] == "TOM-0.1")
                .expect("benchmark set-up");
            assert_eq!(
                admins["findings"]
                    .as_array()
                    .expect("benchmark set-up")
                    .len(),
                330,
                "every instance and cluster checked"
            );
        }
        best
    };
    let concurrent = run("16");
    let sequential = run("1");
    println!("tom check, 300 instances + 30 clusters + 1,000 roles (moto, best of 2):");
    println!("  concurrent (16 in flight): {concurrent:.2}s");
    println!("  sequential (1 in flight):  {sequential:.2}s");
    println!("  ratio: {:.1}x", sequential / concurrent);

    // The AWS CLI, one process per call, on a sample of roles; extrapolated.
    let aws = venv.join("aws");
    if aws.exists() {
        let sample = 20;
        let t = Instant::now();
        let call = |args: &[&str]| {
            let st = Command::new(&aws)
                .args(args)
                .args([
                    "--endpoint-url",
                    &endpoint,
                    "--region",
                    "eu-central-1",
                    "--output",
                    "json",
                ])
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env_remove("AWS_PROFILE")
                .stdout(Stdio::null())
                .status()
                .expect("aws");
            assert!(st.success(), "aws {args:?}");
        };
        for i in 0..sample {
            let name = format!("bench-role-{i:04}");
            call(&["iam", "list-attached-role-policies", "--role-name", &name]);
            call(&["iam", "list-role-policies", "--role-name", &name]);
            call(&[
                "iam",
                "get-role-policy",
                "--role-name",
                &name,
                "--policy-name",
                "bench",
            ]);
        }
        let per_role = t.elapsed().as_secs_f64() / sample as f64;
        let t = Instant::now();
        call(&["rds", "describe-db-instances"]);
        call(&["rds", "describe-db-clusters"]);
        let rds = t.elapsed().as_secs_f64();
        let estimate = per_role * 1000.0 + rds;
        println!(
            "  AWS CLI, same role queries ({sample}-role sample, extrapolated to 1,000) + RDS listings: ~{estimate:.0}s ({:.0}x the concurrent run)",
            estimate / concurrent
        );
    } else {
        println!("  AWS CLI: not installed in .venv, no comparison");
    }
}
