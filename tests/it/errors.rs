//! Bad input across commands, against the real lab: each says what is wrong and
//! what to do on one line of stderr, shows no SDK or Rust `Debug` output, and
//! exits 2 (it could not run) — never 1, which means "the answer is no".

use std::process::Output;

use crate::support::{ACCOUNT, Home, REGION, lab, repo_root};

const UNKNOWN_TENANT: &str = "00000000-0000-4000-8000-000000000099";

/// Fragments that only `{:?}` of an SDK or Rust value would print.
const DEBUG_MARKS: &[&str] = &[
    "{ ",
    "Some(",
    "SdkError",
    "ServiceError",
    "DispatchFailure",
    "ErrorMetadata",
    "headers",
    "x-amzn",
    "SdkBody",
];

/// Asserts the contract for one bad input: exit 2, exactly one line
/// `error: …` that contains every one of `expect`, and no Debug formatting.
fn one_clear_line(case: &str, out: &Output, expect: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{case}: exit code\nstderr: {stderr}"
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{case}: one line of stderr, got:\n{stderr}");
    let line = lines[0];
    assert!(line.starts_with("error: "), "{case}: {line}");
    for e in expect {
        assert!(line.contains(e), "{case}: `{e}` missing in: {line}");
    }
    for bad in DEBUG_MARKS {
        assert!(
            !line.contains(bad),
            "{case}: Debug output `{bad}` in: {line}"
        );
    }
    assert!(
        line.len() < 400,
        "{case}: {} characters: {line}",
        line.len()
    );
}

/// A signed-in admin whose config points at `database_yaml`.
fn home_with(database_yaml: &str) -> Home {
    let home = lab().home();
    home.login();
    home.configure(&format!(
        "{database_yaml}policies: {}\n",
        repo_root().join("policies").display()
    ));
    home
}

fn run(home: &Home, password: &str, args: &[&str]) -> Output {
    home.ltops()
        .env("LTOPS_DB_PASSWORD", password)
        .args(args)
        .output()
        .expect("run ltops")
}

#[test]
fn bad_input_gets_one_clear_line_and_exit_2() {
    let lab = lab();
    let db = lab.create_database("errors");
    let pw = lab.superuser_password();
    let home = home_with(&lab.database_yaml(&db, "postgres"));

    // AWS: a cluster that does not exist, named with region and account.
    let out = run(
        &home,
        &pw,
        &["restore", "plan", "--cluster", "nope", "--to", "-15m"],
    );
    one_clear_line(
        "unknown cluster",
        &out,
        &[&format!(
            "no DB cluster `nope` in {REGION} of account {ACCOUNT}"
        )],
    );

    // AWS: the SSO portal refuses a role the user is not assigned (alice signed
    // in; rita's ReadOnly permission set is not hers).
    let out = run(
        &home,
        &pw,
        &[
            "--profile",
            "rita",
            "restore",
            "plan",
            "--cluster",
            "platform-prod",
            "--to",
            "-15m",
        ],
    );
    one_clear_line(
        "denied",
        &out,
        &[
            "ForbiddenException: No access",
            "ask for that permission set",
        ],
    );

    // A malformed time.
    let out = run(
        &home,
        &pw,
        &[
            "restore",
            "plan",
            "--cluster",
            "platform-prod",
            "--to",
            "yesterdayish",
        ],
    );
    one_clear_line(
        "malformed time",
        &out,
        &["--to", "`yesterdayish` is not a time"],
    );

    // A malformed head.
    let out = run(&home, &pw, &["audit", "verify", "--expect-head", "xyz"]);
    one_clear_line(
        "malformed head",
        &out,
        &["--expect-head `xyz`: expected SEQ:HASH"],
    );

    // A malformed tenant id (and an injection attempt).
    let out = run(&home, &pw, &["tenant", "inventory", "x' OR '1'='1"]);
    one_clear_line("malformed tenant", &out, &["is not a tenant id"]);

    // A well-formed id of no tenant.
    let out = run(&home, &pw, &["tenant", "inventory", UNKNOWN_TENANT]);
    one_clear_line(
        "unknown tenant",
        &out,
        &[&format!("no tenant {UNKNOWN_TENANT}"), "ltops tenant list"],
    );

    // The wrong database password: the server's words, once.
    let out = run(&home, "not-the-password", &["tenant", "list"]);
    one_clear_line(
        "wrong password",
        &out,
        &[
            "password authentication failed",
            "check the `database` section",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("password authentication failed").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn an_unreachable_database_is_one_clear_line() {
    // Port 1 on the loopback: nothing listens there.
    let home = home_with(
        "database:\n  url: postgres://postgres@127.0.0.1:1/platform\n  password_env: LTOPS_DB_PASSWORD\n  tls: disable\n",
    );
    let out = run(&home, "x", &["tenant", "list"]);
    one_clear_line(
        "unreachable database",
        &out,
        &["cannot connect to the database", "127.0.0.1:1"],
    );
}

#[test]
fn an_expired_sso_token_is_one_clear_line() {
    let home = lab().home();
    std::fs::create_dir_all(home.token_file().parent().expect("cache dir")).expect("mkdir");
    std::fs::write(
        home.token_file(),
        r#"{"startUrl": "https://leadtributor.awsapps.com/start", "region": "eu-central-1", "accessToken": "old", "expiresAt": "2026-01-02T09:12:00Z"}"#,
    )
    .expect("write token");
    let out = home
        .ltops()
        .args([
            "restore",
            "plan",
            "--cluster",
            "platform-prod",
            "--to",
            "-15m",
        ])
        .output()
        .expect("run ltops");
    one_clear_line("expired token", &out, &["run `ltops login`"]);
}

#[test]
fn a_token_revoked_at_the_portal_is_one_clear_line() {
    let lab = lab();
    let home = lab.home();
    home.login();
    let text = std::fs::read_to_string(home.token_file()).expect("token");
    let token: serde_json::Value = serde_json::from_str(&text).expect("token json");
    // Revokes this token only, so other tests keep theirs.
    let status = std::process::Command::new("curl")
        .args(["-fsS", "-X", "POST", "-H"])
        .arg(format!(
            "x-amz-sso_bearer_token: {}",
            token["accessToken"].as_str().expect("accessToken")
        ))
        .arg(format!("{}/logout", lab.sso()))
        .status()
        .expect("curl");
    assert!(status.success());
    let out = home
        .ltops()
        .args([
            "restore",
            "plan",
            "--cluster",
            "platform-prod",
            "--to",
            "-15m",
        ])
        .output()
        .expect("run ltops");
    one_clear_line(
        "revoked token",
        &out,
        &["UnauthorizedException", "run `ltops login`"],
    );
}
