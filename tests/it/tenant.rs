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

/// Points `home` at a copy of the repository's policies whose data map is the
/// repository's, changed by `edit`; the database stays `db` as `user`.
fn use_map(home: &Home, db: &str, user: &str, edit: impl Fn(String) -> String) {
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let p = e.unwrap().path();
            let target = to.join(p.file_name().unwrap());
            if p.is_dir() {
                copy_dir(&p, &target);
            } else {
                std::fs::copy(&p, &target).unwrap();
            }
        }
    }
    let dir = home.path().join("policies");
    copy_dir(&crate::support::repo_root().join("policies"), &dir);
    let map = std::fs::read_to_string(dir.join("datamap.yaml")).unwrap();
    std::fs::write(dir.join("datamap.yaml"), edit(map)).unwrap();
    home.configure(&format!(
        "{}policies: {}\n",
        lab().database_yaml(db, user),
        dir.display()
    ));
}

/// Everything of the tenants other than `erased`, as the database owner sees it:
/// one digest per table (lead_shares and marketplace_members only keep what does
/// not involve the erased tenant).
fn others_digest(lab: &Lab, db: &str, erased: &str) -> BTreeMap<&'static str, String> {
    TABLES
        .iter()
        .map(|(t, pred)| {
            let digest = lab.psql(
                db,
                &format!(
                    "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x WHERE NOT ({})",
                    pred.replace("$T", erased)
                ),
            );
            (*t, digest)
        })
        .collect()
}

#[test]
fn a_tenant_table_in_another_schema_refuses_until_mapped_then_is_erased() {
    let lab = lab();
    let (home, db) = setup("erase_schemas", "postgres", "");
    // A table outside the map's schema, tied to the tenant by a foreign key under
    // a column name the map never uses, and one tied only by a tenant column name.
    lab.psql(
        &db,
        &format!(
            "CREATE SCHEMA crm;
             CREATE TABLE crm.notes (id serial PRIMARY KEY, firm uuid NOT NULL REFERENCES public.tenants (id), body text);
             CREATE TABLE crm.tags (id serial PRIMARY KEY, tenant_id uuid NOT NULL, tag text);
             INSERT INTO crm.notes (firm, body) VALUES ('{T5}', 'call Erika'), ('{T5}', 'again'), ('{T4}', 'keep me');
             INSERT INTO crm.tags (tenant_id, tag) VALUES ('{T5}', 'vip'), ('{T4}', 'keep me');"
        ),
    );
    let before = counts(lab, &db, T5);
    let others = others_digest(lab, &db, T5);

    let out = home.cmd(["tenant", "inventory", T5]).code(1);
    let err = stderr(&out);
    assert!(
        err.contains("table crm.notes has the tenant column firm but is not in the data map")
            && err.contains("table crm.tags has the tenant column tenant_id"),
        "{err}"
    );
    // Only the refusal: no empty plan.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "{}",
        describe(&out)
    );
    let out = home.cmd(["tenant", "inventory", T5]).json().code(1);
    let v = json_stdout(&out);
    assert!(v["refused"].as_array().unwrap().len() == 2, "{v}");
    assert!(
        v.get("tenant_exists").is_none() && v.get("tables").is_none(),
        "{v}"
    );
    assert_refused(&erase(&home, T5, &[]), "crm.notes");
    assert_eq!(counts(lab, &db, T5), before);

    // ltops's own schemas are not platform data.
    lab.psql(
        &db,
        "CREATE SCHEMA IF NOT EXISTS ltops_erasure; CREATE TABLE ltops_erasure.scratch (tenant_id uuid)",
    );
    use_map(&home, &db, "postgres", |m| {
        m + "
  - table: crm.notes
    tenant_columns: [firm]
    key: [id]
    personal: [body]
    on_erase: delete

  - table: \"crm.tags\"
    tenant_columns: [tenant_id]
    key: [id]
    on_erase: delete
"
    });
    let inv = home.cmd(["tenant", "inventory", T5]).json().ok_json();
    let notes = inv["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "crm.notes")
        .unwrap();
    assert_eq!(notes["delete"], 2, "{inv}");
    let v = erased(&home, T5, &[]);
    assert_eq!(v["outcome"]["tables"]["crm.notes"]["deleted"], 2, "{v}");
    assert_eq!(v["outcome"]["tables"]["crm.tags"]["deleted"], 1, "{v}");
    assert_eq!(
        lab.psql(
            &db,
            &format!("SELECT count(*) FROM crm.notes WHERE firm = '{T5}'")
        ),
        "0"
    );
    assert_eq!(
        lab.psql(&db, "SELECT string_agg(body, ',') FROM crm.notes"),
        "keep me"
    );
    assert_eq!(
        lab.psql(&db, "SELECT string_agg(tag, ',') FROM crm.tags"),
        "keep me"
    );
    assert_eq!(counts(lab, &db, T5)["leads"], 0);
    let now = others_digest(lab, &db, T5);
    for (t, d) in &others {
        if *t != "lead_shares" {
            assert_eq!(&now[t], d, "another tenant's {t} changed");
        }
    }
}

/// The repository's map, keeping the tenant row minimised while retained rows
/// reference it.
fn keep_minimised(map: String) -> String {
    map.replace(
        "  erasing_value: terminated\n",
        "  erasing_value: terminated
  on_retained_references: keep_minimised
  minimised:
    overwrite: {name: \"[erased]\"}
    status_value: erased
",
    )
}

#[test]
fn retained_rows_referencing_the_tenant_row_refuse_or_keep_it_minimised_until_purged() {
    let lab = lab();
    // Under row-level security: the kept row and its purge stay within the tenant.
    let (home, db) = setup("erase_kept_row", "ltops_operator", "");
    lab.psql(
        &db,
        "ALTER TABLE invoices ADD CONSTRAINT invoices_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id);
         ALTER TABLE tenants DROP CONSTRAINT tenants_status_check;
         ALTER TABLE tenants ADD CHECK (status IN ('active', 'suspended', 'terminated', 'erased'));",
    );
    let before = counts(lab, &db, T5);
    let others = others_digest(lab, &db, T5);

    // Without a rule for it the erasure would fail at its last step: refused at planning.
    let fix = "set `tenant.on_retained_references: keep_minimised`";
    let out = home.cmd(["tenant", "inventory", T5]).code(1);
    let err = stderr(&out);
    assert!(
        err.contains(
            "retained table invoices references the tenant row (foreign key invoices_tenant_fk)"
        ) && err.contains(fix),
        "{err}"
    );
    assert_refused(&erase(&home, T5, &[]), fix);
    assert_eq!(counts(lab, &db, T5), before);

    use_map(&home, &db, "ltops_operator", keep_minimised);
    let until = lab.psql(
        &db,
        &format!(
            "SELECT max(make_date(extract(year from issued_on)::int + 9, 1, 1)) FROM invoices WHERE tenant_id = '{T5}'"
        ),
    );
    let inv = home.cmd(["tenant", "inventory", T5]).json().ok_json();
    assert_eq!(inv["tenant_row"]["keep_minimised"], true, "{inv}");
    assert_eq!(inv["tenant_row"]["kept_until"], until.as_str());

    let cert = home.path().join("certificate.md");
    let v = erased(&home, T5, &["--certificate", cert.to_str().unwrap()]);
    assert_eq!(v["outcome"]["tenant_row_kept_minimised"], true, "{v}");
    assert_eq!(v["outcome"]["tenant_row_deleted"], false);
    assert_eq!(v["outcome"]["verification"]["ok"], true);
    // Nothing about T5 was ever encrypted in the audit log: no key to destroy.
    assert_eq!(v["key_destroyed"], false);
    assert_eq!(
        lab.psql(
            &db,
            &format!("SELECT name || ',' || status FROM tenants WHERE id = '{T5}'")
        ),
        "[erased],erased"
    );
    let after = counts(lab, &db, T5);
    for (t, n) in &after {
        match *t {
            "tenants" => assert_eq!(*n, 1),
            "invoices" => assert!(*n > 0),
            _ => assert_eq!(*n, 0, "{t}"),
        }
    }
    let text = std::fs::read_to_string(&cert).unwrap();
    assert!(
        text.contains("kept minimised, because retained rows in invoices reference it")
            && text.contains(&format!("from {until} on"))
            && text.contains("nothing to destroy")
            && !text.contains("its key was destroyed"),
        "{text}"
    );
    // Erased is erased: the kept row is no reason to erase again.
    let out = erase(&home, T5, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("already erased"));

    // The day before the last invoice falls due the row stays; on that day it goes.
    let purge_on = |day: &str| {
        home.purge()
            .yes()
            .json()
            .env("LTOPS_FAKE_TODAY", day)
            .instruction("RET-1")
            .ok_json()
    };
    let last = lab.psql(&db, &format!("SELECT (date '{until}' - 1)::text"));
    let v = purge_on(&last);
    let row = v["due"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["table"] == "tenants")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(row["kept"], 1, "{v}");
    assert_eq!(row["next_due"], until.as_str());
    assert_eq!(counts(lab, &db, T5)["tenants"], 1);
    assert!(invoices_of(lab, &db, T5) > 0);

    let v = purge_on(&until);
    let deleted: Vec<_> = v["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["table"].as_str().unwrap().to_owned(),
                d["deleted"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(deleted.contains(&("tenants".into(), 1)), "{v}");
    assert!(counts(lab, &db, T5).values().all(|n| *n == 0));

    let now = others_digest(lab, &db, T5);
    for (t, d) in &others {
        if *t != "lead_shares" {
            assert_eq!(&now[t], d, "another tenant's {t} changed");
        }
    }
    assert_no_unfinished(&home);
}
