//! Tenant erasure against the test Postgres: complete and verified, other tenants
//! untouched, retention carve-outs and purge, refusals, kill -9 and resume,
//! concurrent admins, hostile tenant ids.

use std::collections::BTreeMap;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::support::{Home, Lab, Ltops, describe, interrupt, json_stdout, lab, stderr};

const T1: &str = "00000000-0000-4000-8000-000000000001";
const T2: &str = "00000000-0000-4000-8000-000000000002";
const T3: &str = "00000000-0000-4000-8000-000000000003";
const T4: &str = "00000000-0000-4000-8000-000000000004";
const T5: &str = "00000000-0000-4000-8000-000000000005";

/// (table, predicate on `$T`) for counting a tenant's rows with psql.
const TABLES: &[(&str, &str)] = &[
    ("tenants", "id = '$T'"),
    ("users", "tenant_id = '$T'"),
    ("leads", "tenant_id = '$T'"),
    ("lead_events", "tenant_id = '$T'"),
    ("marketplaces", "tenant_id = '$T'"),
    ("marketplace_members", "tenant_id = '$T'"),
    (
        "lead_shares",
        "from_tenant_id = '$T' OR to_tenant_id = '$T'",
    ),
    ("access_log", "tenant_id = '$T'"),
    ("invoices", "tenant_id = '$T'"),
];

fn counts(lab: &Lab, db: &str, tenant: &str) -> BTreeMap<&'static str, i64> {
    TABLES
        .iter()
        .map(|(t, pred)| {
            let n = lab
                .psql(
                    db,
                    &format!(
                        "SELECT count(*) FROM {t} WHERE {}",
                        pred.replace("$T", tenant)
                    ),
                )
                .parse()
                .unwrap();
            (*t, n)
        })
        .collect()
}

/// A signed-in admin with a database of its own, connected as `user` (with
/// that user's password for every run).
fn setup(prefix: &str, user: &str, extra: &str) -> (Home, String) {
    let (home, db) = lab().home_with_db(prefix, user, extra);
    home.use_db_password(&password_for(user));
    (home, db)
}

/// `setup` as postgres with erasures in batches of `size` above 100 rows.
fn batched(prefix: &str, size: usize) -> (Home, String) {
    let extra = format!("erasure:\n  batch_threshold: 100\n  batch_size: {size}\n");
    setup(prefix, "postgres", &extra)
}

fn password_for(user: &str) -> String {
    if user == "postgres" {
        lab().superuser_password()
    } else {
        lab().operator_password()
    }
}

/// `tenant erase TENANT --instruction TICKET --confirm TENANT --yes`.
fn confirmed<'a>(home: &'a Home, tenant: &str, ticket: &str) -> Ltops<'a> {
    home.erase(tenant).yes().instruction(ticket).confirm(tenant)
}

/// The erasure on TICKET-4711, with `extra` arguments, as JSON.
fn erase(home: &Home, tenant: &str, extra: &[&str]) -> Output {
    confirmed(home, tenant, "TICKET-4711")
        .json()
        .args(extra.iter().copied())
        .run()
}

/// The same, asserting success; its JSON report.
fn erased(home: &Home, tenant: &str, extra: &[&str]) -> Value {
    let out = erase(home, tenant, extra);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    json_stdout(&out)
}

/// One number psql prints.
fn number(lab: &Lab, db: &str, sql: &str) -> i64 {
    lab.psql(db, sql).parse().unwrap()
}

fn invoices_of(lab: &Lab, db: &str, tenant: &str) -> i64 {
    number(
        lab,
        db,
        &format!("SELECT count(*) FROM invoices WHERE tenant_id = '{tenant}'"),
    )
}

fn status_of(lab: &Lab, db: &str, tenant: &str) -> String {
    lab.psql(
        db,
        &format!("SELECT status FROM tenants WHERE id = '{tenant}'"),
    )
}

/// The trail of the erasures is complete: no intent is left without its outcome.
fn assert_no_unfinished(home: &Home) {
    let v = home.audit("verify").json().ok_json();
    assert_eq!(v["unfinished"].as_array().unwrap().len(), 0, "{v}");
}

/// Asserts the erasure of `tenant` was refused (exit 2) saying `needle`.
fn assert_refused(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(out);
    assert!(err.contains(needle), "{err}");
}

#[test]
fn a_tenant_is_fully_erased_verified_and_others_are_untouched() {
    let lab = lab();
    // The operator role is under row-level security: the erasure is confined to
    // the tenant by the database itself, not only by its WHERE clauses.
    let (home, db) = setup("erase_full", "ltops_operator", "");
    let others_before: Vec<_> = [T1, T2, T3, T4]
        .iter()
        .map(|t| counts(lab, &db, t))
        .collect();
    let before = counts(lab, &db, T5);
    assert!(before["leads"] > 0 && before["invoices"] > 0);

    // Personal data about T5 in the audit log, to be shredded with the tenant.
    home.audit("record")
        .yes()
        .instruction("TICKET-1")
        .action("manual.psql.update")
        .tenant(T5)
        .detail("fixed the phone number of Erika Mustermann")
        .ok();

    let inv = home.cmd(["tenant", "inventory", T5]).json().ok_json();
    let table = |name: &str| -> &Value {
        inv["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == name)
            .unwrap()
    };
    assert_eq!(table("leads")["delete"], before["leads"]);
    let invoices = table("invoices");
    let retained = invoices["retain"].as_i64().unwrap();
    assert!(
        retained > 0 && invoices["delete"].as_i64().unwrap() > 0,
        "{invoices}"
    );
    assert_eq!(
        invoices["retention"]["basis"],
        "§147 AO, §14b UStG, §257 HGB"
    );
    assert_eq!(invoices["retention"]["nulled_columns"][0], "billing_email");

    let cert = home.path().join("certificate.md");
    let v = erased(&home, T5, &["--certificate", cert.to_str().unwrap()]);
    assert_eq!(v["outcome"]["verification"]["ok"], true);
    assert_eq!(v["outcome"]["mode"], "single");
    assert_eq!(v["outcome"]["tables"]["leads"]["deleted"], before["leads"]);

    let after = counts(lab, &db, T5);
    for (t, n) in &after {
        if *t == "invoices" {
            assert_eq!(*n, retained, "only invoices under retention remain");
        } else {
            assert_eq!(*n, 0, "{t} still has rows of the erased tenant");
        }
    }
    assert_eq!(
        lab.psql(&db, &format!("SELECT count(*) FROM invoices WHERE tenant_id = '{T5}' AND billing_email IS NOT NULL")),
        "0"
    );
    assert_eq!(
        lab.psql(
            &db,
            &format!(
                "SELECT count(*) FROM invoices WHERE tenant_id = '{T5}' AND billing_name IS NULL"
            )
        ),
        "0",
        "what the retention purpose needs is kept"
    );
    // Other tenants keep everything of their own; only shares with T5 went.
    for (t, before) in [T1, T2, T3, T4].iter().zip(others_before) {
        let now = counts(lab, &db, t);
        for (table, n) in &before {
            if *table == "lead_shares" {
                let with_t5 = number(
                    lab,
                    &db,
                    &format!(
                        "SELECT count(*) FROM lead_shares WHERE (from_tenant_id = '{t}' AND to_tenant_id = '{T5}') OR (to_tenant_id = '{t}' AND from_tenant_id = '{T5}')"
                    ),
                );
                assert_eq!(with_t5, 0);
                assert!(now[table] <= *n);
            } else {
                assert_eq!(now[table], *n, "{t}: {table} changed");
            }
        }
    }

    let text = std::fs::read_to_string(&cert).unwrap();
    assert!(
        text.contains("TICKET-4711") && text.contains(T5) && text.contains("§147 AO"),
        "{text}"
    );
    assert!(text.contains(v["outcome_hash"].as_str().unwrap()));

    // The ledger, the shredded audit content, and an intact chain.
    let ledger = home.cmd(["tenant", "ledger"]).json().ok_json();
    assert_eq!(ledger["erasures"][0]["tenant"], T5);
    let shown = home
        .audit("show")
        .json()
        .tenant(T5)
        .action("manual.psql.update")
        .ok_json();
    let notice = shown["events"][0]["personal"].as_str().unwrap();
    assert!(
        notice.starts_with(&format!("[erased with tenant {T5} on ")),
        "{notice}"
    );
    home.audit("verify").ok();

    // Erasing again changes nothing and says so.
    let out = erase(&home, T5, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already erased"));
}

#[test]
fn a_dry_run_changes_nothing() {
    let lab = lab();
    let (home, db) = setup("erase_dry", "postgres", "");
    let before = counts(lab, &db, T4);
    assert_eq!(erased(&home, T4, &["--dry-run"])["dry_run"], true);
    assert_eq!(counts(lab, &db, T4), before);
    let log = home.audit_file();
    assert!(
        !log.exists()
            || !std::fs::read_to_string(&log)
                .unwrap()
                .contains("tenant.erase")
    );
}

#[test]
fn an_unmapped_table_or_a_missing_column_refuses_the_erasure() {
    let lab = lab();
    let (home, db) = setup("erase_unmapped", "postgres", "");
    lab.psql(
        &db,
        "CREATE TABLE lead_notes (id serial PRIMARY KEY, tenant_id uuid NOT NULL, body text)",
    );
    let before = counts(lab, &db, T4);
    home.cmd(["tenant", "inventory", T4]).fails(
        1,
        "lead_notes has the tenant column tenant_id but is not in the data map",
    );
    assert_refused(&erase(&home, T4, &[]), "does not match the database");
    assert_eq!(counts(lab, &db, T4), before);

    lab.psql(
        &db,
        "DROP TABLE lead_notes; ALTER TABLE leads RENAME COLUMN phone TO phone_number",
    );
    assert_refused(
        &erase(&home, T4, &[]),
        "column leads.phone is in the data map but not in the database",
    );
    assert_eq!(counts(lab, &db, T4), before);
}

#[test]
fn retained_rows_are_purged_when_their_period_ends() {
    let lab = lab();
    let (home, db) = setup("erase_purge", "postgres", "");
    erased(&home, T4, &[]);
    let kept = invoices_of(lab, &db, T4);
    assert!(kept > 0);
    // Nothing is due today: everything kept is still under retention.
    let v = home.purge().yes().json().instruction("RET-2026").ok_json();
    assert_eq!(v["due"][0]["due"], 0);
    assert_eq!(v["due"][0]["kept"], kept);

    // In 2031, invoices issued up to 2022 are past their 8 years (from the end of the year).
    let due = number(
        lab,
        &db,
        &format!(
            "SELECT count(*) FROM invoices WHERE tenant_id = '{T4}' AND issued_on < '2023-01-01'"
        ),
    );
    assert!(due > 0 && due < kept);
    let in_2031 = || {
        home.purge()
            .json()
            .env("LTOPS_FAKE_TODAY", "2031-01-01")
            .instruction("RET-2031")
    };
    let v = in_2031().dry_run().ok_json();
    assert_eq!(v["due"][0]["due"], due);
    assert_eq!(
        invoices_of(lab, &db, T4),
        kept,
        "the dry run deleted nothing"
    );
    let v = in_2031().yes().ok_json();
    assert_eq!(v["deleted"][0]["deleted"], due);
    assert_eq!(invoices_of(lab, &db, T4), kept - due);
    assert_eq!(
        lab.psql(
            &db,
            &format!(
                "SELECT min(issued_on) >= '2023-01-01' FROM invoices WHERE tenant_id = '{T4}'"
            )
        ),
        "t"
    );
    assert_eq!(home.audit_events("retention.purge").len(), 2);
}

/// A cheap, seedless pseudo-random delay so that each run kills at other points.
fn jitter(lo: u64, hi: u64, salt: u64) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let x = nanos.wrapping_mul(6364136223846793005).wrapping_add(salt);
    Duration::from_millis(lo + (x >> 33) % (hi - lo))
}

#[test]
fn a_batched_erasure_killed_at_random_points_is_finished_by_resume() {
    let lab = lab();
    let (home, db) = batched("erase_resume", 25);
    let others: Vec<_> = [T1, T3, T4, T5]
        .iter()
        .map(|t| counts(lab, &db, t))
        .collect();

    let mut kills = 0;
    let job = || {
        lab.psql(
            &db,
            &format!("SELECT count(*) FROM ltops_erasure.jobs WHERE tenant = '{T2}'"),
        ) == "1"
    };
    let mut job_started = false;
    for attempt in 0..4u64 {
        let mut run = confirmed(&home, T2, "TICKET-9");
        if job_started {
            run = run.arg("--resume");
        }
        let mut child = run.spawn();
        std::thread::sleep(jitter(400, 1500, attempt));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL: no chance to record anything
            child.wait().unwrap();
            // The kill can land after the erasure finished (while the process was
            // exiting): then there is nothing left to interrupt.
            let finished = number(
                lab,
                &db,
                &format!("SELECT count(*) FROM tenants WHERE id = '{T2}'"),
            ) == 0
                && counts(lab, &db, T2)["leads"] == 0
                && !(lab.psql(&db, "SELECT to_regclass('ltops_erasure.jobs') IS NOT NULL") == "t"
                    && job());
            let log = std::fs::read_to_string(home.audit_file()).unwrap_or_default();
            if finished && log.contains("\"result\":\"ok\"") {
                break;
            }
            kills += 1;
            job_started = lab.psql(&db, "SELECT to_regclass('ltops_erasure.jobs') IS NOT NULL")
                == "t"
                && job();
            if job_started {
                // Half erased: locked out, and a plain erase points at --resume.
                assert_eq!(status_of(lab, &db, T2), "terminated");
                assert_refused(&erase(&home, T2, &[]), "--resume");
            }
        } else {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            break;
        }
    }
    assert!(
        kills > 0,
        "the erasure finished before it could be interrupted; make the batches smaller"
    );
    if job() {
        erased(&home, T2, &["--resume"]);
    }
    for (t, n) in counts(lab, &db, T2) {
        if t != "invoices" {
            assert_eq!(n, 0, "{t}");
        }
    }
    for (t, before) in [T1, T3, T4, T5].iter().zip(others) {
        let now = counts(lab, &db, t);
        for (table, n) in before {
            if table != "lead_shares" && table != "marketplace_members" {
                assert_eq!(now[table], n, "{t}: {table}");
            }
        }
    }
    // A complete trail: every interrupted intent is closed as aborted, the last ok.
    assert_no_unfinished(&home);
    let events = home.audit_events("tenant.erase");
    let aborted = events.iter().filter(|e| e["result"] == "aborted").count();
    let okd = events.iter().filter(|e| e["result"] == "ok").count();
    assert_eq!(okd, 1);
    assert_eq!(aborted, kills, "{events:?}");
}

#[test]
fn two_admins_erasing_one_tenant_at_once() {
    let lab = lab();
    let (home, db) = setup("erase_race", "postgres", "");
    let spawn = || confirmed(&home, T3, "TICKET-3").spawn();
    let a = spawn();
    let b = spawn();
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let codes: Vec<_> = outs.iter().map(|o| o.status.code()).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == Some(0)).count(),
        1,
        "{codes:?}"
    );
    let loser = outs.iter().find(|o| o.status.code() != Some(0)).unwrap();
    let msg = stderr(loser);
    assert!(
        msg.contains("being erased right now") || msg.contains("already erased"),
        "{msg}"
    );
    assert_eq!(counts(lab, &db, T3)["leads"], 0);
}

#[test]
fn hostile_tenant_ids_are_refused_and_change_nothing() {
    let lab = lab();
    let (home, db) = setup("erase_hostile", "postgres", "");
    let before = counts(lab, &db, T1);
    for id in [
        "x' OR '1'='1",
        "00000000-0000-4000-8000-000000000001'; DROP TABLE leads; --",
        "00000000-0000-4000-8000-00000000000",
        "../../etc/passwd",
        "",
        "ＡＡＡＡ",
    ] {
        let out = erase(&home, id, &[]);
        assert_eq!(out.status.code(), Some(2), "{id}");
        assert!(stderr(&out).contains("is not a tenant id"), "{id}");
    }
    // A well-formed id of no tenant is refused as well.
    assert_refused(
        &erase(&home, "00000000-0000-4000-8000-000000000099", &[]),
        "no tenant",
    );
    assert_eq!(counts(lab, &db, T1), before);
    assert_eq!(lab.psql(&db, "SELECT count(*) > 0 FROM leads"), "t");
}

#[test]
fn erasure_needs_the_admin_permission_set_and_the_typed_tenant_id() {
    let lab = lab();
    let (home, db) = setup("erase_guard", "postgres", "");
    let before = counts(lab, &db, T5);
    // Without --confirm there is nothing to confirm with off a terminal.
    let unconfirmed = || home.erase(T5).yes().instruction("TICKET-1");
    unconfirmed().fails(2, "--confirm");
    unconfirmed().confirm(T4).fails(2, "does not match");
    // bob (on-call) may not erase.
    home.login_as("bob", "bob@leadtributor.cloud");
    confirmed(&home, T5, "TICKET-1")
        .profile("bob")
        .fails(2, "not allowed for permission set LtopsOnCall");
    assert_eq!(counts(lab, &db, T5), before);
}

#[test]
fn ctrl_c_during_a_batched_erasure_records_aborted_and_resume_finishes() {
    let lab = lab();
    let (home, db) = batched("erase_sigint", 20);
    let mut child = confirmed(&home, T2, "TICKET-10").spawn();
    // Wait until the batches run, then press Ctrl-C.
    let started = std::time::Instant::now();
    loop {
        let jobs = lab.psql(&db, "SELECT to_regclass('ltops_erasure.jobs') IS NOT NULL");
        if jobs == "t"
            && lab.psql(
                &db,
                &format!(
                    "SELECT count(*) FROM ltops_erasure.jobs WHERE tenant = '{T2}' AND batches > 3"
                ),
            ) == "1"
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the batched erasure never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    interrupt(child);

    let events = home.audit_events("tenant.erase");
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["status"], "aborted");
    assert_eq!(events[1]["result"], "aborted");
    assert!(counts(lab, &db, T2)["leads"] > 0, "interrupted half-way");
    assert_eq!(status_of(lab, &db, T2), "terminated");

    erased(&home, T2, &["--resume"]);
    assert_eq!(counts(lab, &db, T2)["leads"], 0);
    let events = home.audit_events("tenant.erase");
    assert_eq!(events.last().unwrap()["result"], "ok");
    assert_no_unfinished(&home);
}

/// Makes `path` read-only even for root (tests run as root in CI): the immutable
/// attribute. Returns a guard that lifts it again.
struct ReadOnly(std::path::PathBuf);

impl ReadOnly {
    fn new(path: &std::path::Path) -> ReadOnly {
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .unwrap()
            .stdout
            == b"0\n";
        if root {
            let st = std::process::Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status();
            assert!(
                st.is_ok_and(|s| s.success()),
                "cannot make {} read-only as root: chattr (e2fsprogs) must be installed and the file system must support it",
                path.display()
            );
        } else {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
        ReadOnly(path.to_path_buf())
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_read_only_audit_log_fails_closed_and_nothing_is_erased() {
    let lab = lab();
    let (home, db) = setup("erase_ro_audit", "postgres", "");
    // An existing log, made read-only.
    home.audit("record")
        .yes()
        .incident("INC-1")
        .action("manual.x")
        .ok();
    let before = counts(lab, &db, T4);
    let _ro = ReadOnly::new(&home.audit_file());
    assert_refused(
        &erase(&home, T4, &[]),
        "cannot record the intent, so nothing was done",
    );
    assert_eq!(
        counts(lab, &db, T4),
        before,
        "the guarded action did not happen"
    );
}

#[test]
fn an_uninitialised_postgres_audit_store_fails_closed_and_nothing_is_erased() {
    let lab = lab();
    let (home, db) = setup("erase_pg_audit", "postgres", "audit:\n  store: postgres\n");
    let before = counts(lab, &db, T4);
    assert_refused(&erase(&home, T4, &[]), "run `ltops audit init`");
    assert_eq!(counts(lab, &db, T4), before);
}
