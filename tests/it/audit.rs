//! The audit log through the real binary: records, tamper detection on logs written
//! by ltops, concurrent appenders on both stores, fail-closed behaviour.

use serde_json::Value;

use crate::support::{Home, Ltops, free_port, json_stdout, lab, ok, repo_root, stderr};

/// `audit record` of a console change to platform-prod for `reference`, as JSON.
fn record(home: &Home, reference: &str) -> Value {
    home.audit("record")
        .yes()
        .json()
        .incident(reference)
        .action("manual.console.rds-modify")
        .resource("platform-prod")
        .ok_json()
}

/// `audit record --incident INC-1 --action manual.x`, without `--yes`.
fn record_x(home: &Home) -> Ltops<'_> {
    home.audit("record").incident("INC-1").action("manual.x")
}

fn verify_json(home: &Home, extra: &[&str]) -> (Option<i32>, Value) {
    let out = home
        .audit("verify")
        .json()
        .args(extra.iter().copied())
        .run();
    (out.status.code(), json_stdout(&out))
}

/// Runs the DPO's own verifier, scripts/verify-audit.py, on `log`.
fn dpo_verify(log: &std::path::Path) -> std::process::Output {
    std::process::Command::new("python3")
        .arg(repo_root().join("scripts/verify-audit.py"))
        .arg(log)
        .output()
        .unwrap()
}

/// A logged-in home with a file-store log of `n` recorded interventions (2n events).
fn home_with_log(n: usize) -> Home {
    let home = lab().home();
    home.login();
    for i in 0..n {
        record(&home, &format!("INC-{i}"));
    }
    home
}

#[test]
fn record_show_verify_head_export_round_trip() {
    let home = home_with_log(2);
    let rec = record(&home, "INC-2026-113");
    assert_eq!(rec["kind"], "audit.record");
    assert_eq!(rec["intent_seq"], 5);
    assert_eq!(rec["outcome_seq"], 6);

    let shown = home.audit("show").json().limit("2").ok_json();
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

    let out = home.audit("head").ok();
    let head = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(head.starts_with("6:") && head.len() == 2 + 64, "{head}");

    let evidence = home.path().join("evidence.jsonl");
    home.audit("export").path("--out", &evidence).ok();
    home.audit("export")
        .path("--out", &evidence)
        .fails(2, "never overwritten");
    let (code, v) = verify_json(
        &home,
        &["--file", evidence.to_str().unwrap(), "--expect-head", &head],
    );
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["events"], 6);

    // The DPO's own script, not ltops, agrees: the canonical encoding is as documented.
    let out = dpo_verify(&evidence);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("head {head}")));
    // …and it also sees tampering.
    let tampered = home.path().join("tampered.jsonl");
    let text = std::fs::read_to_string(&evidence).unwrap();
    std::fs::write(&tampered, text.replacen("INC-1", "INC-7", 1)).unwrap();
    let out = dpo_verify(&tampered);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("modified"));

    // Filters.
    let shown = |run: Ltops| run.json().ok_json()["events"].as_array().unwrap().len();
    assert_eq!(shown(home.audit("show").actor("bob@leadtributor.cloud")), 0);
    assert_eq!(shown(home.audit("show").action("manual.").since("-1h")), 6);
    home.audit("show")
        .since("2026-11-27T10:00:00")
        .fails(2, "no time zone");
}

#[test]
fn a_reason_is_mandatory_and_must_be_a_reference() {
    let home = lab().home();
    home.login();
    let manual_x = || home.audit("record").yes().action("manual.x");
    manual_x().fails(2, "--instruction");
    manual_x()
        .incident("the customer phoned")
        .fails(2, "is not a reference");
    assert!(!home.audit_file().exists(), "nothing recorded");
}

#[test]
fn without_a_terminal_a_mutating_command_needs_yes() {
    let home = lab().home();
    home.login();
    record_x(&home).fails(2, "pass --yes");
    assert!(!home.audit_file().exists());
    // A dry run shows the plan and records nothing.
    let out = record_x(&home).dry_run().ok();
    assert!(
        stderr(&out).contains("Plan: record `manual.x`"),
        "{}",
        stderr(&out)
    );
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
    home.audit("verify").fails(1, "BROKEN at seq 2");
}

/// `procs` appenders at once, each recording `each` interventions with the
/// database password `password` (if any).
fn append_concurrently(home: &Home, password: Option<&str>, procs: usize, each: usize) {
    let handles: Vec<_> = (0..procs)
        .map(|p| {
            let cmds: Vec<_> = (0..each)
                .map(|i| {
                    let run = home
                        .audit("record")
                        .yes()
                        .incident(&format!("INC-{p}-{i}"))
                        .action("manual.concurrent");
                    match password {
                        Some(pw) => run.db_password(pw),
                        None => run,
                    }
                    .std_command()
                })
                .collect();
            std::thread::spawn(move || {
                for mut cmd in cmds {
                    ok(&cmd.output().unwrap());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn eight_processes_append_one_chain_to_the_file_store() {
    let home = lab().home();
    home.login();
    const PROCS: usize = 8;
    const EACH: usize = 3;
    append_concurrently(&home, None, PROCS, EACH);
    let (code, v) = verify_json(&home, &[]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["events"], (PROCS * EACH * 2) as u64);
    assert_eq!(v["unfinished"].as_array().unwrap().len(), 0);
}

#[test]
fn postgres_store_init_grants_concurrent_appends_and_append_only() {
    let lab = lab();
    let db = lab.create_database("audit_pg");
    let home = lab.home();
    home.login();
    let store_as = |user: &str| {
        home.configure(&format!(
            "{}audit:\n  store: postgres\n",
            lab.database_yaml(&db, user)
        ));
    };
    // The admin creates the schema and grants the operator role.
    store_as("postgres");
    let init = home
        .audit("init")
        .yes()
        .json()
        .grant("ltops_operator")
        .db_password(&lab.superuser_password())
        .ok_json();
    assert_eq!(init["outcome_seq"], 2);

    // Operators append with INSERT and SELECT only, eight at once.
    store_as("ltops_operator");
    append_concurrently(&home, Some(&lab.operator_password()), 8, 3);
    let v = home
        .audit("verify")
        .json()
        .db_password(&lab.operator_password())
        .ok_json();
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
    record_x(&home)
        .yes()
        .fails(2, "cannot record the intent, so nothing was done");
    // The log path is a folder.
    let dir = home.path().join("log-is-a-dir");
    std::fs::create_dir(&dir).unwrap();
    home.configure(&format!("audit:\n  path: {}\n", dir.display()));
    record_x(&home).yes().fails(2, "nothing was done");
}

#[test]
fn an_unreachable_postgres_store_fails_closed() {
    let lab = lab();
    let home = lab.home();
    home.login();
    // A port nothing listens on: the store is down.
    let port = free_port();
    home.configure(&format!(
        "database:\n  url: postgres://ltops_operator@127.0.0.1:{port}/platform\n  password_env: LTOPS_DB_PASSWORD\n  tls: disable\naudit:\n  store: postgres\n"
    ));
    let out = record_x(&home)
        .yes()
        .db_password("x")
        .fails(2, "cannot be written");
    let err = stderr(&out);
    assert!(
        err.contains("Connection refused") || err.contains("connection refused"),
        "{err}"
    );
}

#[test]
fn tenant_detail_is_never_in_plaintext() {
    let home = lab().home();
    home.login();
    home.audit("record")
        .yes()
        .instruction("TICKET-7")
        .action("manual.psql.update")
        .tenant("00000000-0000-4000-8000-000000000003")
        .detail("fixed e-mail of max.mustermann@example.com")
        .ok();
    let raw = std::fs::read_to_string(home.audit_file()).unwrap();
    assert!(!raw.contains("max.mustermann"), "{raw}");
    let v = home.audit("show").json().ok_json();
    assert_eq!(
        v["events"][0]["personal"]["detail"],
        "fixed e-mail of max.mustermann@example.com"
    );
    let (code, _) = verify_json(&home, &[]);
    assert_eq!(code, Some(0));
}
