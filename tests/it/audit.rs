//! The audit log through the real binary: records, tamper detection on logs written
//! by ltops, concurrent appenders on both stores, fail-closed behaviour.

use std::process::Output;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{Home, json_stdout, lab, ok};

fn record(home: &Home, reference: &str) -> Output {
    home.ltops()
        .args(["--yes", "--format", "json", "audit", "record", "--incident"])
        .arg(reference)
        .args([
            "--action",
            "manual.console.rds-modify",
            "--resource",
            "platform-prod",
        ])
        .output()
        .unwrap()
}

fn verify_json(home: &Home, extra: &[&str]) -> (Option<i32>, Value) {
    let out = home
        .ltops()
        .args(["--format", "json", "audit", "verify"])
        .args(extra)
        .output()
        .unwrap();
    (out.status.code(), json_stdout(&out))
}

/// A logged-in home with a file-store log of `n` recorded interventions (2n events).
fn home_with_log(n: usize) -> Home {
    let home = lab().home();
    home.login();
    for i in 0..n {
        ok(&record(&home, &format!("INC-{i}")));
    }
    home
}

#[test]
fn record_show_verify_head_export_round_trip() {
    let home = home_with_log(2);
    let out = record(&home, "INC-2026-113");
    ok(&out);
    let rec = json_stdout(&out);
    assert_eq!(rec["kind"], "audit.record");
    assert_eq!(rec["intent_seq"], 5);
    assert_eq!(rec["outcome_seq"], 6);

    let out = home
        .ltops()
        .args(["--format", "json", "audit", "show", "--limit", "2"])
        .output()
        .unwrap();
    ok(&out);
    let shown = json_stdout(&out);
    let events = shown["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["phase"], "intent");
    assert_eq!(events[0]["status"], "ok");
    assert_eq!(events[0]["actor"]["user"], "alice@leadtributor.cloud");
    assert_eq!(events[0]["actor"]["permission_set"], "LtopsAdmin");
    assert_eq!(events[0]["reason"]["kind"], "incident");
    assert_eq!(events[0]["reason"]["reference"], "INC-2026-113");
    assert_eq!(events[1]["result"], "ok");

    let (code, v) = verify_json(&home, &[]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["intact"], true);
    assert_eq!(v["events"], 6);

    let out = home.ltops().args(["audit", "head"]).output().unwrap();
    ok(&out);
    let head = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(head.starts_with("6:") && head.len() == 2 + 64, "{head}");

    let evidence = home.path().join("evidence.jsonl");
    ok(&home
        .ltops()
        .args(["audit", "export", "--out"])
        .arg(&evidence)
        .output()
        .unwrap());
    home.ltops()
        .args(["audit", "export", "--out"])
        .arg(&evidence)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("never overwritten"));
    let (code, v) = verify_json(
        &home,
        &["--file", evidence.to_str().unwrap(), "--expect-head", &head],
    );
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["events"], 6);

    // The DPO's own script, not ltops, agrees: the canonical encoding is as documented.
    let out = std::process::Command::new("python3")
        .arg(crate::support::repo_root().join("scripts/verify-audit.py"))
        .arg(&evidence)
        .output()
        .unwrap();
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("head {head}")));
    // …and it also sees tampering.
    let tampered = home.path().join("tampered.jsonl");
    let text = std::fs::read_to_string(&evidence).unwrap();
    std::fs::write(&tampered, text.replacen("INC-1", "INC-7", 1)).unwrap();
    let out = std::process::Command::new("python3")
        .arg(crate::support::repo_root().join("scripts/verify-audit.py"))
        .arg(&tampered)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("modified"));

    // Filters.
    let out = home
        .ltops()
        .args([
            "--format",
            "json",
            "audit",
            "show",
            "--actor",
            "bob@leadtributor.cloud",
        ])
        .output()
        .unwrap();
    assert_eq!(json_stdout(&out)["events"].as_array().unwrap().len(), 0);
    let out = home
        .ltops()
        .args([
            "--format", "json", "audit", "show", "--action", "manual.", "--since", "-1h",
        ])
        .output()
        .unwrap();
    assert_eq!(json_stdout(&out)["events"].as_array().unwrap().len(), 6);
    home.ltops()
        .args(["audit", "show", "--since", "2026-11-27T10:00:00"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no time zone"));
}

#[test]
fn a_reason_is_mandatory_and_must_be_a_reference() {
    let home = lab().home();
    home.login();
    home.ltops()
        .args(["--yes", "audit", "record", "--action", "manual.x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--instruction"));
    home.ltops()
        .args([
            "--yes",
            "audit",
            "record",
            "--action",
            "manual.x",
            "--incident",
        ])
        .arg("the customer phoned")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a reference"));
    assert!(!home.audit_file().exists(), "nothing recorded");
}

#[test]
fn without_a_terminal_a_mutating_command_needs_yes() {
    let home = lab().home();
    home.login();
    home.ltops()
        .args([
            "audit",
            "record",
            "--incident",
            "INC-1",
            "--action",
            "manual.x",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --yes"));
    assert!(!home.audit_file().exists());
    // A dry run shows the plan and records nothing.
    home.ltops()
        .args([
            "audit",
            "record",
            "--incident",
            "INC-1",
            "--action",
            "manual.x",
            "--dry-run",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("Plan: record `manual.x`"));
    assert!(!home.audit_file().exists());
}

/// Rewrites the log file with `f` applied to its lines.
fn tamper(home: &Home, f: impl FnOnce(&mut Vec<String>)) {
    let path = home.audit_file();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    f(&mut lines);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

fn assert_break(home: &Home, extra: &[&str], kind: &str, seq: u64) {
    let (code, v) = verify_json(home, extra);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["intact"], false);
    assert_eq!(v["first_break"]["kind"], kind, "{v}");
    assert_eq!(v["first_break"]["seq"], seq, "{v}");
}

#[test]
fn each_tamper_case_is_found_at_the_right_seq() {
    // Edit a field of seq 3.
    let home = home_with_log(4);
    tamper(&home, |l| l[2] = l[2].replace("INC-1", "INC-9"));
    assert_break(&home, &[], "modified", 3);

    // Delete seq 4.
    let home = home_with_log(4);
    tamper(&home, |l| {
        l.remove(3);
    });
    assert_break(&home, &[], "deleted", 4);

    // Swap seq 5 and 6.
    let home = home_with_log(4);
    tamper(&home, |l| l.swap(4, 5));
    assert_break(&home, &[], "reordered", 5);

    // Insert a copy of seq 2 after it (a duplicate that hashes fine on its own).
    let home = home_with_log(4);
    tamper(&home, |l| {
        let dup = l[1].clone();
        l.insert(2, dup);
    });
    assert_break(&home, &[], "inserted", 2);

    // Truncate the tail: the head recorded beside the log notices.
    let home = home_with_log(4);
    tamper(&home, |l| l.truncate(6));
    assert_break(&home, &[], "truncated", 7);
    // …and so does the head from the annual report, even without that file.
    let head_file = home.audit_file().with_file_name("audit.jsonl.head");
    let head: Value = serde_json::from_str(&std::fs::read_to_string(&head_file).unwrap()).unwrap();
    std::fs::remove_file(&head_file).unwrap();
    let (code, _) = verify_json(&home, &[]);
    assert_eq!(code, Some(0), "a shorter chain is valid on its own");
    let witness = format!("{}:{}", head["seq"], head["hash"].as_str().unwrap());
    assert_break(&home, &["--expect-head", &witness], "truncated", 7);

    // Tampering shows in table form too, naming the seq.
    let home = home_with_log(2);
    tamper(&home, |l| l[1] = l[1].replace("alice@", "mallory@"));
    home.ltops()
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("BROKEN at seq 2"));
}

#[test]
fn eight_processes_append_one_chain_to_the_file_store() {
    let home = lab().home();
    home.login();
    const PROCS: usize = 8;
    const EACH: usize = 3;
    let handles: Vec<_> = (0..PROCS)
        .map(|p| {
            let cmds: Vec<_> = (0..EACH).map(|_| home.std_ltops()).collect();
            std::thread::spawn(move || {
                for (i, mut cmd) in cmds.into_iter().enumerate() {
                    append_one(&mut cmd, p, i);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let (code, v) = verify_json(&home, &[]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["events"], (PROCS * EACH * 2) as u64);
    assert_eq!(v["unfinished"].as_array().unwrap().len(), 0);
}

fn append_one(cmd: &mut std::process::Command, p: usize, i: usize) {
    let out = cmd
        .args(["--yes", "audit", "record", "--incident"])
        .arg(format!("INC-{p}-{i}"))
        .args(["--action", "manual.concurrent"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn postgres_store_init_grants_concurrent_appends_and_append_only() {
    let lab = lab();
    let db = lab.create_database("audit_pg");
    let home = lab.home();
    home.login();
    // The admin creates the schema and grants the operator role.
    home.configure(&format!(
        "{}audit:\n  store: postgres\n",
        lab.database_yaml(&db, "postgres")
    ));
    let out = home
        .ltops()
        .env("LTOPS_DB_PASSWORD", lab.superuser_password())
        .args([
            "--yes",
            "--format",
            "json",
            "audit",
            "init",
            "--grant",
            "ltops_operator",
        ])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(json_stdout(&out)["outcome_seq"], 2);

    // Operators append with INSERT and SELECT only, eight at once.
    home.configure(&format!(
        "{}audit:\n  store: postgres\n",
        lab.database_yaml(&db, "ltops_operator")
    ));
    let handles: Vec<_> = (0..8)
        .map(|p| {
            let cmds: Vec<_> = (0..3)
                .map(|_| {
                    let mut c = home.std_ltops();
                    c.env("LTOPS_DB_PASSWORD", lab.operator_password());
                    c
                })
                .collect();
            std::thread::spawn(move || {
                for (i, mut cmd) in cmds.into_iter().enumerate() {
                    append_one(&mut cmd, p, i);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let out = home
        .ltops()
        .env("LTOPS_DB_PASSWORD", lab.operator_password())
        .args(["--format", "json", "audit", "verify"])
        .output()
        .unwrap();
    ok(&out);
    let v = json_stdout(&out);
    assert_eq!(v["events"], 2 + 8 * 3 * 2);

    // The operator cannot change history, and neither can the owner.
    let err = lab
        .psql_as(
            "ltops_operator",
            &lab.operator_password(),
            &db,
            "UPDATE ltops_audit.events SET action = 'x' WHERE seq = 3",
        )
        .unwrap_err();
    assert!(err.contains("permission denied"), "{err}");
    let err = lab
        .psql_as(
            "postgres",
            &lab.superuser_password(),
            &db,
            "DELETE FROM ltops_audit.events WHERE seq = 3",
        )
        .unwrap_err();
    assert!(err.contains("append-only"), "{err}");
}

#[test]
fn an_unwritable_file_store_fails_closed() {
    let home = lab().home();
    home.login();
    // The log's folder is a regular file: nothing can be created there.
    let blocker = home.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    home.configure(&format!(
        "audit:\n  path: {}\n",
        blocker.join("audit.jsonl").display()
    ));
    home.ltops()
        .args([
            "--yes",
            "audit",
            "record",
            "--incident",
            "INC-1",
            "--action",
            "manual.x",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot record the intent, so nothing was done",
        ));
    // The log path is a folder.
    let dir = home.path().join("log-is-a-dir");
    std::fs::create_dir(&dir).unwrap();
    home.configure(&format!("audit:\n  path: {}\n", dir.display()));
    home.ltops()
        .args([
            "--yes",
            "audit",
            "record",
            "--incident",
            "INC-1",
            "--action",
            "manual.x",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing was done"));
}

#[test]
fn an_unreachable_postgres_store_fails_closed() {
    let lab = lab();
    let home = lab.home();
    home.login();
    // A port nothing listens on: the store is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    home.configure(&format!(
        "database:\n  url: postgres://ltops_operator@127.0.0.1:{port}/platform\n  password_env: LTOPS_DB_PASSWORD\n  tls: disable\naudit:\n  store: postgres\n"
    ));
    home.ltops()
        .env("LTOPS_DB_PASSWORD", "x")
        .args([
            "--yes",
            "audit",
            "record",
            "--incident",
            "INC-1",
            "--action",
            "manual.x",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be written"))
        .stderr(
            predicate::str::contains("Connection refused")
                .or(predicate::str::contains("connection refused")),
        );
}

#[test]
fn tenant_detail_is_never_in_plaintext() {
    let home = lab().home();
    home.login();
    ok(&home
        .ltops()
        .args([
            "--yes",
            "audit",
            "record",
            "--instruction",
            "TICKET-7",
            "--action",
            "manual.psql.update",
        ])
        .args(["--tenant", "00000000-0000-4000-8000-000000000003"])
        .args(["--detail", "fixed e-mail of max.mustermann@example.com"])
        .output()
        .unwrap());
    let raw = std::fs::read_to_string(home.audit_file()).unwrap();
    assert!(!raw.contains("max.mustermann"), "{raw}");
    let out = home
        .ltops()
        .args(["--format", "json", "audit", "show"])
        .output()
        .unwrap();
    ok(&out);
    let v = json_stdout(&out);
    assert_eq!(
        v["events"][0]["personal"]["detail"],
        "fixed e-mail of max.mustermann@example.com"
    );
    let (code, _) = verify_json(&home, &[]);
    assert_eq!(code, Some(0));
}
