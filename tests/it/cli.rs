//! The command line itself: help snapshots, committed completions, config errors.

use assert_cmd::Command;
use predicates::prelude::*;

use crate::support::repo_root;

fn ltops() -> Command {
    let mut cmd = Command::cargo_bin("ltops").expect("ltops binary");
    cmd.env_remove("LTOPS_CONFIG").env("COLUMNS", "100");
    cmd
}

/// `ltops config check` run in `dir`, with `dir` as HOME too.
fn config_check_in(dir: &std::path::Path) -> assert_cmd::assert::Assert {
    ltops()
        .current_dir(dir)
        .env("HOME", dir)
        .args(["config", "check"])
        .assert()
}

/// Every command's `--help`, so a change to the CLI is a reviewed change.
#[test]
fn help_snapshots() {
    let commands: &[&[&str]] = &[
        &[],
        &["login"],
        &["logout"],
        &["whoami"],
        &["audit"],
        &["audit", "init"],
        &["audit", "record"],
        &["audit", "show"],
        &["audit", "verify"],
        &["audit", "export"],
        &["audit", "head"],
        &["tenant"],
        &["tenant", "list"],
        &["tenant", "inventory"],
        &["tenant", "erase"],
        &["tenant", "ledger"],
        &["restore"],
        &["restore", "plan"],
        &["restore", "run"],
        &["restore", "status"],
        &["restore", "reapply-erasures"],
        &["retention"],
        &["retention", "purge"],
        &["intervene"],
        &["intervene", "set"],
        &["intervene", "delete"],
        &["intervene", "sql"],
        &["intervene", "list"],
        &["inspect"],
        &["inspect", "list"],
        &["tom"],
        &["tom", "controls"],
        &["tom", "check"],
        &["tom", "attest"],
        &["tom", "report"],
        &["approvals"],
        &["approvals", "list"],
        &["approvals", "approve"],
        &["approvals", "deny"],
        &["approvals", "pin"],
        &["config"],
        &["config", "show"],
        &["config", "check"],
        &["completions"],
        &["man"],
    ];
    for args in commands {
        let out = ltops().args(*args).arg("--help").output().expect("run");
        assert!(out.status.success(), "{args:?} --help failed");
        let name = if args.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", args.join("_"))
        };
        insta::assert_snapshot!(name, String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn committed_completions_are_fresh() {
    for (shell, file) in [
        ("bash", "ltops.bash"),
        ("zsh", "_ltops"),
        ("fish", "ltops.fish"),
        ("powershell", "_ltops.ps1"),
        ("elvish", "ltops.elv"),
    ] {
        let out = ltops().args(["completions", shell]).output().expect("run");
        assert!(out.status.success());
        let path = repo_root().join("completions").join(file);
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is stale or missing — regenerate all of them with `scripts/completions` and commit the result"
        );
    }
}

#[test]
fn man_page_renders() {
    ltops()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH ltops"));
}

#[test]
fn usage_error_exits_2() {
    ltops().arg("frobnicate").assert().code(2);
    ltops().args(["whoami", "--format", "xml"]).assert().code(2);
}

#[test]
fn malformed_config_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("ltops.yaml");
    std::fs::write(&cfg, "aws:\n  profile: alice\n  regoin: eu-central-1\n").unwrap();
    config_check_in(dir.path())
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}:3:3: aws: unknown field `regoin`",
            cfg.display()
        )));
}

#[test]
fn wrong_type_and_unknown_command_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("custom.yaml");
    std::fs::write(
        &cfg,
        "permissions:\n  tenant.erase: [LtopsAdmin]\n  tenant.delete: [LtopsAdmin]\n",
    )
    .unwrap();
    ltops()
        .env("HOME", dir.path())
        .args(["--config"])
        .arg(&cfg)
        .args(["config", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:3:3:", cfg.display())))
        .stderr(predicate::str::contains("tenant.delete"));
}

#[test]
fn explicit_missing_config_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    ltops()
        .env("HOME", dir.path())
        .args(["--config", "/nonexistent/ltops.yaml", "config", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn config_show_json_and_example_config_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let out = ltops()
        .env("HOME", dir.path())
        .arg("--config")
        .arg(repo_root().join("ltops.example.yaml"))
        .args(["--format", "json", "config", "show"])
        .output()
        .unwrap();
    crate::support::ok(&out);
    let v = crate::support::json_stdout(&out);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["kind"], "config");
    assert_eq!(v["permissions"]["tenant.erase"][0], "LtopsAdmin");
    assert_eq!(v["database"]["auth"], "url");
    // Erasures need an approval and allow no break-glass unless the policy says so.
    assert_eq!(v["approvals"]["tenant.erase"]["required"], 1);
    assert_eq!(v["approvals"]["tenant.erase"]["break_glass"], false);
    assert_eq!(v["approvals"]["restore.run"]["break_glass"], true);
}

#[test]
fn password_in_database_url_is_refused_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ltops.yaml"),
        "database:\n  url: postgres://ops:hunter2@db/platform\n",
    )
    .unwrap();
    config_check_in(dir.path())
        .code(2)
        .stderr(predicate::str::contains("contains a password"))
        .stderr(predicate::str::contains("hunter2").not());
}

#[test]
fn completions_work_next_to_a_broken_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ltops.yaml"), "aws: [").unwrap();
    ltops()
        .current_dir(dir.path())
        .args(["completions", "bash"])
        .assert()
        .success();
}

#[test]
fn rds_iam_resolves_the_writer_endpoint_and_signs_a_token() {
    // moto has no database behind its endpoints: what can be shown here is that
    // ltops found the cluster's writer endpoint, made an IAM token with the SSO
    // identity, and tried exactly that host — and says so when it cannot connect.
    let lab = crate::support::lab();
    let home = lab.home();
    home.login();
    let rds_iam = |cluster: &str, tls: &str| {
        home.configure(&format!(
            "database:\n  rds_iam:\n    cluster: {cluster}\n    database: platform\n    user: ltops_operator\n{tls}policies: {}\n",
            repo_root().join("policies").display()
        ));
    };
    rds_iam("platform-prod", "  tls: require\n");
    let out = home.cmd(["tenant", "list"]).fails(
        2,
        "cannot connect to the database ltops_operator@platform-prod.cluster-",
    );
    crate::support::assert_stderr(&out, ":5432/platform");
    // A cluster that does not exist is named.
    rds_iam("no-such-cluster", "");
    home.cmd(["tenant", "list"])
        .fails(2, "RDS cluster `no-such-cluster`");
}
