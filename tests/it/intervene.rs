//! `ltops intervene` through the real binary against the lab's PostgreSQL (the
//! reference platform: RLS forced on every tenant table, `ltops_operator` neither
//! superuser nor BYPASSRLS): images, tenant scope under attack, refusals, dry
//! runs, the row limit, the audit record — and its atomicity with the change.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Home, Lab, Ltops, assert_fails, describe, json_stdout, lab, stderr};

const T1: &str = "00000000-0000-4000-8000-000000000001";
const T2: &str = "00000000-0000-4000-8000-000000000002";
const T3: &str = "00000000-0000-4000-8000-000000000003";

fn code(out: &Output, expected: i32) {
    assert_eq!(out.status.code(), Some(expected), "{}", describe(out));
}

/// A signed-in home configured for a fresh copy of the platform as ltops_operator
/// (file audit store unless `extra` says otherwise).
fn setup(prefix: &str, extra: &str) -> (&'static Lab, Home, String) {
    let lab = lab();
    let (home, db) = lab.home_with_db(prefix, "ltops_operator", extra);
    home.use_db_password(&lab.operator_password());
    (lab, home, db)
}

/// `intervene FORM` on `lead`, a lead of tenant 3.
fn on_lead<'a>(home: &'a Home, form: &str, lead: &str) -> Ltops<'a> {
    home.intervene(form).tenant(T3).table("leads").id(lead)
}

/// `intervene FORM --tenant TENANT --incident INC-1 --yes` as bob (on call).
fn bob<'a>(home: &'a Home, form: &str, tenant: &str) -> Ltops<'a> {
    home.intervene(form)
        .profile("bob")
        .yes()
        .tenant(tenant)
        .incident("INC-1")
}

/// `SELECT count(*) FROM FROM_WHERE`, as psql prints it.
fn count(lab: &Lab, db: &str, from_where: &str) -> String {
    lab.psql(db, &format!("SELECT count(*) FROM {from_where}"))
}

/// `intervene sql` for tenant `tenant` with `--yes --format json`.
fn sql<'a>(home: &'a Home, tenant: &str, statement: &str) -> Ltops<'a> {
    home.intervene("sql")
        .yes()
        .json()
        .tenant(tenant)
        .incident("INC-2026-7")
        .sql(statement)
}

fn lead_of(lab: &Lab, db: &str, tenant: &str, n: usize) -> String {
    lab.psql(
        db,
        &format!(
            "SELECT id FROM leads WHERE tenant_id = '{tenant}' ORDER BY id OFFSET {n} LIMIT 1"
        ),
    )
}

/// A fingerprint of every tenant table's rows of all tenants but `except`.
fn others(lab: &Lab, db: &str, except: &str) -> String {
    lab.psql(
        db,
        &format!(
            "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
               SELECT l::text AS x FROM leads l WHERE tenant_id <> '{except}'
               UNION ALL SELECT a::text FROM access_log a WHERE tenant_id <> '{except}'
               UNION ALL SELECT s::text FROM lead_shares s WHERE from_tenant_id <> '{except}'
               UNION ALL SELECT t::text FROM tenants t WHERE id <> '{except}') q"
        ),
    )
}

fn all_rows(lab: &Lab, db: &str) -> String {
    lab.psql(
        db,
        "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
           SELECT l::text AS x FROM leads l UNION ALL SELECT a::text FROM access_log a
           UNION ALL SELECT s::text FROM lead_shares s UNION ALL SELECT t::text FROM tenants t
           UNION ALL SELECT i::text FROM invoices i) q",
    )
}

fn list(home: &Home, extra: &[&str]) -> Value {
    home.intervene("list")
        .json()
        .args(extra.iter().copied())
        .ok_json()
}

#[test]
fn set_shows_and_records_before_and_after_images_sealed() {
    let (lab, home, db) = setup("iv_set", "");
    let lead = lead_of(lab, &db, T3, 0);
    let email = lab.psql(&db, &format!("SELECT email FROM leads WHERE id = '{lead}'"));
    let old_status = lab.psql(
        &db,
        &format!("SELECT status FROM leads WHERE id = '{lead}'"),
    );
    let others_before = others(lab, &db, T3);

    let out = on_lead(&home, "set", &lead)
        .yes()
        .json()
        .set("status", "lost")
        .set("notes", "Kunde bittet um Korrektur (Ticket 4711-ÄÖÜ)")
        .instruction("TICKET-4711")
        .note("customer asked by mail")
        .run();
    code(&out, 0);
    let report = json_stdout(&out);
    assert_eq!(report["kind"], "intervene");
    assert_eq!(report["committed"], true);
    assert_eq!(report["rows"], 1);
    assert_eq!(report["operation"], "UPDATE");
    assert_eq!(report["changes"][0]["key"]["id"], lead.as_str());
    let cols: Vec<&str> = report["changes"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        cols.contains(&"status") && cols.contains(&"notes"),
        "{cols:?}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("4711-ÄÖÜ"),
        "values stay off stdout"
    );
    // The preview on stderr shows the row before and after.
    let err = stderr(&out);
    assert!(err.contains("Preview: 1 row(s) would be updated"), "{err}");
    assert!(err.contains(&old_status) && err.contains("lost"), "{err}");
    assert!(err.contains("4711-ÄÖÜ"), "{err}");

    assert_eq!(
        lab.psql(
            &db,
            &format!("SELECT status || '|' || notes FROM leads WHERE id = '{lead}'")
        ),
        "lost|Kunde bittet um Korrektur (Ticket 4711-ÄÖÜ)"
    );
    assert_eq!(others(lab, &db, T3), others_before);

    // The log holds no personal data in plaintext…
    let raw = std::fs::read_to_string(home.audit_file()).unwrap();
    for secret in [email.as_str(), "4711-ÄÖÜ", "Korrektur"] {
        assert!(!raw.contains(secret), "`{secret}` in plaintext: {raw}");
    }
    assert!(raw.contains("\"action\":\"intervene.set\""), "{raw}");
    // …but the images open with the tenant key.
    let v = list(&home, &["--images"]);
    let iv = &v["interventions"][0];
    assert_eq!(v["interventions"].as_array().unwrap().len(), 1);
    assert_eq!(iv["status"], "ok");
    assert_eq!(iv["rows"], 1);
    assert_eq!(iv["tenant"], T3);
    assert_eq!(iv["table"], "leads");
    assert_eq!(iv["operation"], "UPDATE");
    assert_eq!(iv["user"], "alice@leadtributor.cloud");
    assert_eq!(iv["reason"]["reference"], "TICKET-4711");
    assert_eq!(iv["reason"]["note"], "customer asked by mail");
    let row = &iv["images"]["rows"][0];
    assert_eq!(row["before"]["id"], lead.as_str());
    assert_eq!(row["before"]["status"], old_status.as_str());
    assert_eq!(row["before"]["email"], email.as_str());
    assert_eq!(row["after"]["status"], "lost");
    assert_eq!(
        row["after"]["notes"],
        "Kunde bittet um Korrektur (Ticket 4711-ÄÖÜ)"
    );
    assert!(
        iv["statement"]["statement"]
            .as_str()
            .unwrap()
            .contains("status = 'lost'"),
        "{iv}"
    );
    // audit show opens them too, and the chain verifies (with the DPO's script as well).
    let out = home.audit("show").json().action("intervene.").run();
    code(&out, 0);
    let shown = json_stdout(&out);
    assert_eq!(shown["events"][0]["status"], "ok");
    assert_eq!(
        shown["events"][1]["personal"]["rows"][0]["after"]["status"],
        "lost"
    );
    code(&home.audit("verify").run(), 0);
    let out = Command::new("python3")
        .arg(crate::support::repo_root().join("scripts/verify-audit.py"))
        .arg(home.audit_file())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));

    // Table output of the list names reason, actor and count.
    let out = home.intervene("list").tenant(T3).run();
    code(&out, 0);
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        t.contains("instruction TICKET-4711") && t.contains("alice@leadtributor.cloud"),
        "{t}"
    );
    assert!(!t.contains("4711-ÄÖÜ"), "images only with --images: {t}");
    assert_eq!(
        list(&home, &["--tenant", T2])["interventions"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // Once the tenant's key is destroyed (its erasure), the images are gone for good.
    let keys_path = home.audit_file().with_file_name("audit.jsonl.keys.json");
    let mut keys: Value =
        serde_json::from_str(&std::fs::read_to_string(&keys_path).unwrap()).unwrap();
    keys[T3]["key"] = Value::Null;
    keys[T3]["destroyed_at"] = Value::String("2026-12-01T10:00:00Z".into());
    std::fs::write(&keys_path, keys.to_string()).unwrap();
    let v = list(&home, &["--images"]);
    assert_eq!(
        v["interventions"][0]["images"],
        format!("[erased with tenant {T3} on 2026-12-01]")
    );
    code(&home.audit("verify").run(), 0);
}

#[test]
fn sql_update_delete_and_insert_capture_exact_images() {
    let (lab, home, db) = setup("iv_sql", "");
    home.login_as("bob", "bob@leadtributor.cloud");
    let l0 = lead_of(lab, &db, T3, 0);
    let l1 = lead_of(lab, &db, T3, 1);
    let others_before = others(lab, &db, T3);

    // UPDATE with an expression, two rows.
    let out = bob(&home, "sql", T3).json().sql(&format!(
            "UPDATE leads SET notes = coalesce(notes, '') || ' [fixed]', updated_at = updated_at WHERE id IN ('{l0}', '{l1}')"
        )).run();
    code(&out, 0);
    assert_eq!(json_stdout(&out)["rows"], 2);
    // DELETE of a lead's events and shares, then the lead (children first: plain FKs).
    let out = bob(&home, "sql", T3)
        .json()
        .sql(&format!("DELETE FROM lead_events WHERE stream_id = '{l1}'"))
        .run();
    code(&out, 0);
    let events_deleted = json_stdout(&out)["rows"].as_u64().unwrap();
    assert!(events_deleted >= 2, "{}", describe(&out));
    lab.psql(
        &db,
        &format!("DELETE FROM lead_shares WHERE lead_id = '{l1}'"),
    );
    let out = bob(&home, "delete", T3).json().table("leads").id(&l1).run();
    code(&out, 0);
    assert_eq!(json_stdout(&out)["operation"], "DELETE");
    assert_eq!(count(lab, &db, &format!("leads WHERE id = '{l1}'")), "0");
    // INSERT: the new row is the after-image.
    let out = bob(&home, "sql", T3).json().sql(&format!(
            "INSERT INTO access_log (tenant_id, user_pseudonym, action) VALUES ('{T3}', 'ops-bob', 'manual-correction')"
        )).run();
    code(&out, 0);
    assert_eq!(json_stdout(&out)["operation"], "INSERT");

    let v = list(&home, &["--images"]);
    let ivs = v["interventions"].as_array().unwrap();
    assert_eq!(ivs.len(), 4);
    assert!(
        ivs.iter()
            .all(|i| i["user"] == "bob@leadtributor.cloud" && i["status"] == "ok")
    );
    assert_eq!(ivs[0]["action"], "intervene.sql");
    // Exact images: before is the database's state before, after is what it is now.
    let upd = &ivs[0]["images"]["rows"];
    let r0 = upd
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["before"]["id"] == l0.as_str())
        .unwrap();
    let notes_now = lab.psql(&db, &format!("SELECT notes FROM leads WHERE id = '{l0}'"));
    assert_eq!(r0["after"]["notes"], notes_now.as_str());
    assert_eq!(
        format!("{} [fixed]", r0["before"]["notes"].as_str().unwrap()),
        notes_now
    );
    assert_eq!(r0["before"]["updated_at"], r0["after"]["updated_at"]);
    let del = &ivs[2]["images"]["rows"][0];
    assert_eq!(del["before"]["id"], l1.as_str());
    assert_eq!(del["after"], Value::Null);
    assert!(
        del["before"]["notes"]
            .as_str()
            .unwrap()
            .ends_with("[fixed]")
    );
    let ins = &ivs[3]["images"]["rows"][0];
    assert_eq!(ins["before"], Value::Null);
    assert_eq!(ins["after"]["user_pseudonym"], "ops-bob");
    assert_eq!(ins["after"]["tenant_id"], T3);
    assert_eq!(others(lab, &db, T3), others_before);

    // json/jsonb columns take JSON; a composite key names every column.
    let event = lab.psql(
        &db,
        &format!("SELECT id FROM lead_events WHERE tenant_id = '{T3}' ORDER BY id LIMIT 1"),
    );
    let out = bob(&home, "set", T3)
        .table("lead_events")
        .id(&event)
        .arg("--set")
        .arg(r#"payload={"email": null, "corrected": true}"#)
        .run();
    code(&out, 0);
    assert_eq!(
        lab.psql(
            &db,
            &format!("SELECT payload->>'corrected' FROM lead_events WHERE id = {event}")
        ),
        "true"
    );
    bob(&home, "set", T3)
        .table("lead_events")
        .id(&event)
        .set("payload", "{not json")
        .fails(2, "not JSON");
    bob(&home, "set", T3)
        .table("leads")
        .id(&l0)
        .set("no_such_column", "1")
        .fails(2, "is not a column of leads");
    let member = lab.psql(
        &db,
        "SELECT tenant_id || ' ' || marketplace_id FROM marketplace_members ORDER BY 1 LIMIT 1",
    );
    let (mt, mm) = member.split_once(' ').unwrap();
    let out = bob(&home, "delete", mt)
        .json()
        .table("marketplace_members")
        .key("marketplace_id", mm)
        .key("tenant_id", mt)
        .run();
    code(&out, 0);
    assert_eq!(json_stdout(&out)["changes"][0]["key"]["marketplace_id"], mm);
    assert_eq!(
        count(
            lab,
            &db,
            &format!("marketplace_members WHERE tenant_id = '{mt}' AND marketplace_id = '{mm}'")
        ),
        "0"
    );
}

#[test]
fn cross_tenant_attempts_change_nothing() {
    let (lab, home, db) = setup("iv_scope", "");
    let mine = lead_of(lab, &db, T3, 0);
    let theirs = lead_of(lab, &db, T2, 0);
    let lead = |what: &str, id: &str| {
        lab.psql(
            &db,
            &format!("SELECT {what} FROM leads l WHERE id = '{id}'"),
        )
    };
    let their_email = lead("email", &theirs);
    let others_before = others(lab, &db, T3);
    let mine_before = lead("l::text", &mine);

    // Statements that reach for another tenant's rows find none (exit 1).
    for statement in [
        format!("UPDATE leads SET notes = 'pwned' WHERE tenant_id = '{T2}'"),
        format!("UPDATE leads SET notes = 'pwned' WHERE id = '{theirs}'"),
        format!("DELETE FROM leads WHERE id = '{theirs}'"),
        format!("DELETE FROM access_log WHERE tenant_id <> '{T3}'"),
        format!("UPDATE tenants SET name = 'pwned' WHERE id = '{T2}'"),
        format!(
            "UPDATE leads SET notes = 'pwned' WHERE id IN (SELECT id FROM leads WHERE tenant_id = '{T2}')"
        ),
    ] {
        sql(&home, T3, &statement).fails(1, "affects no row of tenant");
    }
    // Statements that would write into another tenant are stopped by RLS (exit 2).
    for statement in [
        format!("UPDATE leads SET tenant_id = '{T2}' WHERE id = '{mine}'"),
        format!(
            "INSERT INTO access_log (tenant_id, user_pseudonym, action) VALUES ('{T2}', 'x', 'y')"
        ),
        format!(
            "INSERT INTO leads (id, tenant_id, email) VALUES (gen_random_uuid(), '{T1}', 'x@y.z')"
        ),
    ] {
        sql(&home, T3, &statement).fails(2, "row-level security");
    }
    // Refused before anything runs: session changes, scope escapes, other tables.
    for (statement, why) in [
        ("SET ROLE postgres".to_owned(), "is refused"),
        ("RESET app.tenant_id".to_owned(), "is refused"),
        (format!("SET app.tenant_id = '{T2}'"), "is refused"),
        (
            format!("SELECT set_config('app.tenant_id', '{T2}', false)"),
            "a query changes nothing",
        ),
        (
            format!(
                "WITH s AS (SELECT set_config('app.tenant_id', '{T2}', true)) UPDATE leads SET notes = 'pwned'"
            ),
            "WITH",
        ),
        (
            format!(
                "UPDATE leads SET notes = set_config('app.tenant_id', '{T2}', true) WHERE id = '{mine}'"
            ),
            "set_config",
        ),
        (
            format!("UPDATE leads SET notes = 'x' WHERE id = '{mine}'; SET ROLE postgres"),
            "exactly one statement",
        ),
        (
            "UPDATE ltops_audit.events SET action = 'x'".to_owned(),
            "not a table of the data map",
        ),
        (
            "UPDATE leads SET notes = (SELECT rolname FROM pg_roles LIMIT 1)".to_owned(),
            "not a table of the data map",
        ),
    ] {
        sql(&home, T3, &statement).fails(2, why);
    }
    // Reading another tenant's data into one's own rows sees nothing of it.
    let out = sql(&home, T3,
        &format!(
            "UPDATE leads SET notes = coalesce((SELECT email FROM leads WHERE tenant_id = '{T2}' LIMIT 1), 'nothing visible') WHERE id = '{mine}'"
        )).run();
    code(&out, 0);
    assert_eq!(lead("notes", &mine), "nothing visible");
    assert_ne!(their_email, "nothing visible");
    // The structured form: another tenant's row is "not found".
    on_lead(&home, "delete", &theirs)
        .yes()
        .incident("INC-1")
        .fails(1, "not found for tenant");
    // Nothing of any other tenant changed; of tenant 3 only the one lead.
    assert_eq!(others(lab, &db, T3), others_before);
    assert_ne!(lead("l::text", &mine), mine_before);
    assert_eq!(lead("email", &theirs), their_email);
    let pwned = format!("leads WHERE tenant_id = '{T2}' AND notes = 'pwned'");
    assert_eq!(count(lab, &db, &pwned), "0");
    assert_eq!(count(lab, &db, "tenants WHERE name = 'pwned'"), "0");
    let written = format!("access_log WHERE tenant_id <> '{T3}' AND user_pseudonym = 'x'");
    assert_eq!(count(lab, &db, &written), "0");
    // Every attempt that got as far as the database is in the log: six found
    // nothing, three were stopped by RLS, one changed its own row, one was not found.
    let v = list(&home, &[]);
    let ivs = v["interventions"].as_array().unwrap();
    let count = |f: &dyn Fn(&Value) -> bool| ivs.iter().filter(|i| f(i)).count();
    assert_eq!(ivs.len(), 11, "{v}");
    assert_eq!(count(&|i| i["status"] == "ok" && i["rows"] == 0), 6, "{v}");
    assert_eq!(count(&|i| i["status"] == "ok" && i["rows"] == 1), 1, "{v}");
    assert_eq!(count(&|i| i["status"] == "failed"), 4, "{v}");
}

#[test]
fn ddl_and_several_statements_are_refused_before_anything_runs() {
    let (lab, home, db) = setup("iv_ddl", "");
    let before = all_rows(lab, &db);
    for statement in [
        "DROP TABLE leads",
        "ALTER TABLE leads DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE leads NO FORCE ROW LEVEL SECURITY",
        "CREATE TABLE x AS SELECT * FROM leads",
        "TRUNCATE leads",
        "GRANT ALL ON leads TO PUBLIC",
        "COPY leads TO STDOUT",
        "BEGIN",
        "COMMIT",
        "UPDATE leads SET notes = 'a'; UPDATE leads SET notes = 'b'",
        "DELETE FROM leads WHERE false; DROP TABLE leads",
        "UPDATE leads SET notes = 'a' RETURNING *",
    ] {
        sql(&home, T3, statement).fails(2, "the statement is refused");
    }
    assert!(
        !home.audit_file().exists(),
        "refused before the intent: nothing recorded"
    );
    assert_eq!(all_rows(lab, &db), before);
    // So is a tenant that does not exist, and a tenant id that is not one.
    let out = sql(
        &home,
        "00000000-0000-4000-8000-0000000000ff",
        "UPDATE leads SET notes = 'x'",
    )
    .run();
    assert_fails(&out, 2, "does not exist");
    let out = sql(&home, "3' OR '1'='1", "UPDATE leads SET notes = 'x'").run();
    assert_fails(&out, 2, "is not a tenant id");
    assert!(!home.audit_file().exists());
    let forced = "SELECT relforcerowsecurity FROM pg_class WHERE relname = 'leads'";
    assert_eq!(lab.psql(&db, forced), "t");
    // A statement in a file works the same way.
    let f = home.path().join("fix.sql");
    std::fs::write(&f, "DROP TABLE leads;").unwrap();
    let out = home
        .intervene("sql")
        .yes()
        .tenant(T3)
        .incident("INC-1")
        .arg("--sql-file")
        .arg(f.to_str().unwrap())
        .run();
    assert_fails(&out, 2, "DROP TABLE");
}

#[test]
fn dry_run_shows_the_preview_changes_nothing_and_is_recorded() {
    let (lab, home, db) = setup("iv_dry", "");
    let lead = lead_of(lab, &db, T3, 0);
    let before = all_rows(lab, &db);
    // No --yes and no terminal: a dry run needs neither.
    let out = on_lead(&home, "set", &lead)
        .json()
        .set("email", "neu@example.org")
        .arg("--set-null")
        .arg("phone")
        .incident("INC-9")
        .dry_run()
        .run();
    code(&out, 0);
    let r = json_stdout(&out);
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["committed"], false);
    assert_eq!(r["rows"], 1);
    let err = stderr(&out);
    assert!(
        err.contains("neu@example.org") && err.contains("NULL"),
        "{err}"
    );
    assert!(err.contains("rolled back, nothing changed"), "{err}");
    let out = sql(&home, T3, "DELETE FROM access_log WHERE action IS NOT NULL")
        .dry_run()
        .max_rows(100000)
        .run();
    code(&out, 0);
    assert!(json_stdout(&out)["rows"].as_u64().unwrap() > 0);
    assert_eq!(all_rows(lab, &db), before);
    // A dry run reads customer data: it is recorded like any other access,
    // with the statement sealed under the tenant key, as a dry run.
    let log = std::fs::read_to_string(home.audit_file()).unwrap();
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 4, "{log}");
    let outcomes: Vec<_> = events.iter().filter(|e| e["phase"] == "outcome").collect();
    assert_eq!(outcomes.len(), 2);
    for o in outcomes {
        assert_eq!(o["result"], "ok");
        assert_eq!(o["content"]["dry_run"], true);
        assert_eq!(o["content"]["committed"], false);
    }
    assert!(
        !log.contains("neu@example.org"),
        "values are sealed, not in clear"
    );
    // Without --yes and without a terminal, the real thing refuses up front.
    on_lead(&home, "set", &lead)
        .set("status", "won")
        .incident("INC-9")
        .fails(2, "--dry-run, then pass --yes");
    assert_eq!(
        std::fs::read_to_string(home.audit_file())
            .unwrap()
            .lines()
            .count(),
        4,
        "a refusal before anything ran records nothing more"
    );
}

#[test]
fn more_rows_than_the_limit_are_refused_unless_allowed() {
    let (lab, home, db) = setup("iv_limit", "");
    let new3: u64 = lab
        .psql(
            &db,
            &format!("SELECT count(*) FROM leads WHERE tenant_id = '{T3}' AND status = 'new'"),
        )
        .parse()
        .unwrap();
    assert!(new3 > 100, "the seed has {new3} new leads for tenant 3");
    let before = all_rows(lab, &db);
    let statement = "UPDATE leads SET status = 'contacted' WHERE status = 'new'";
    let out = sql(&home, T3, statement).run();
    assert_fails(&out, 1, "more than the limit of 100");
    assert!(stderr(&out).contains("--max-rows"), "{}", describe(&out));
    // An UPDATE without WHERE on the big tenant stops at the limit too.
    let out = sql(&home, T1, "UPDATE leads SET notes = 'all'")
        .max_rows(1000)
        .run();
    assert_fails(&out, 1, "at least 1001 rows");
    assert_eq!(all_rows(lab, &db), before);
    let v = list(&home, &[]);
    assert_eq!(v["interventions"][0]["status"], "failed");
    assert_eq!(v["interventions"][1]["status"], "failed");
    // Allowed explicitly: every one of them, exactly.
    let out = sql(&home, T3, statement)
        .arg("--max-rows")
        .arg(new3.to_string())
        .run();
    code(&out, 0);
    assert_eq!(json_stdout(&out)["rows"], new3);
    let still_new = format!("leads WHERE tenant_id = '{T3}' AND status = 'new'");
    assert_eq!(count(lab, &db, &still_new), "0");
    // The default comes from the config.
    home.configure(&lab.config_for(&db, "ltops_operator", "intervene:\n  max_rows: 1\n"));
    let (a, b) = (lead_of(lab, &db, T3, 0), lead_of(lab, &db, T3, 1));
    on_lead(&home, "set", &a)
        .id(&b)
        .yes()
        .set("status", "won")
        .incident("INC-1")
        .fails(1, "limit of 1");
}

#[test]
fn roles_and_tables_that_rls_does_not_hold_are_refused() {
    let (lab, home, db) = setup("iv_unsafe", "");
    let lead = lead_of(lab, &db, T3, 0);
    let attempt = |home: &Home, pw: &str| {
        on_lead(home, "set", &lead)
            .yes()
            .set("notes", "iv-unsafe-marker")
            .incident("INC-1")
            .db_password(pw)
            .run()
    };
    // A superuser.
    home.configure(&lab.config_for(&db, "postgres", ""));
    let out = attempt(&home, &lab.superuser_password());
    assert_fails(&out, 2, "is a superuser");
    // A BYPASSRLS role.
    let role = format!("iv_bypass_{}", std::process::id());
    lab.psql(&db, &format!("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} LOGIN BYPASSRLS PASSWORD 'bypass'; END IF; END$$"));
    home.configure(&lab.config_for(&db, &role, ""));
    let out = attempt(&home, "bypass");
    code(&out, 2);
    assert!(
        stderr(&out).contains("BYPASSRLS") && stderr(&out).contains("NOBYPASSRLS"),
        "{}",
        describe(&out)
    );
    // A table whose RLS is not forced.
    lab.psql(&db, "ALTER TABLE leads NO FORCE ROW LEVEL SECURITY");
    home.configure(&lab.config_for(&db, "ltops_operator", ""));
    let out = attempt(&home, &lab.operator_password());
    assert_fails(&out, 2, "enabled and forced");
    lab.psql(&db, "ALTER TABLE leads FORCE ROW LEVEL SECURITY");
    // A permissive policy that ignores the tenant.
    lab.psql(&db, "CREATE POLICY everyone ON leads USING (true)");
    let out = attempt(&home, &lab.operator_password());
    assert_fails(&out, 2, "policy `everyone`");
    assert!(!home.audit_file().exists(), "refused before the intent");
    assert_eq!(
        lab.psql(
            &db,
            "SELECT count(*) FROM leads WHERE notes = 'iv-unsafe-marker'"
        ),
        "0"
    );
}

/// The Postgres audit store in the platform database, initialised by the admin and
/// granted to ltops_operator.
fn setup_pg_store(prefix: &str) -> (&'static Lab, Home, String) {
    let lab = lab();
    let store = "audit:\n  store: postgres\n";
    let (home, db) = lab.home_with_db(prefix, "postgres", store);
    home.audit("init")
        .yes()
        .grant("ltops_operator")
        .db_password(&lab.superuser_password())
        .ok();
    home.configure(&lab.config_for(&db, "ltops_operator", store));
    home.use_db_password(&lab.operator_password());
    (lab, home, db)
}

#[test]
fn with_the_postgres_store_the_outcome_commits_with_the_change() {
    let (lab, home, db) = setup_pg_store("iv_atomic_ok");
    let lead = lead_of(lab, &db, T3, 0);
    let email = lab.psql(&db, &format!("SELECT email FROM leads WHERE id = '{lead}'"));
    let out = on_lead(&home, "set", &lead)
        .yes()
        .json()
        .set("email", "korrigiert@example.org")
        .instruction("TICKET-1")
        .run();
    code(&out, 0);
    let r = json_stdout(&out);
    assert_eq!(r["atomic"], true);
    assert_eq!(r["committed"], true);
    // Intent in its own transaction, outcome in the change's: both in the table.
    let lines = lab.psql(
        &db,
        "SELECT string_agg(line, E'\\n' ORDER BY seq) FROM ltops_audit.events",
    );
    assert!(
        !lines.contains("korrigiert@example.org") && !lines.contains(&email),
        "{lines}"
    );
    assert_eq!(
        lab.psql(&db, "SELECT string_agg(phase, ',' ORDER BY seq) FROM ltops_audit.events WHERE action = 'intervene.set'"),
        "intent,outcome"
    );
    let v = list(&home, &["--images"]);
    let iv = &v["interventions"][0];
    assert_eq!(iv["status"], "ok");
    assert_eq!(iv["images"]["rows"][0]["before"]["email"], email.as_str());
    assert_eq!(
        iv["images"]["rows"][0]["after"]["email"],
        "korrigiert@example.org"
    );
    code(&home.audit("verify").run(), 0);
}

/// Runs `args` with the pause hook, kills the change's connection from outside
/// while ltops waits between the change and COMMIT, then lets it go on.
fn run_and_kill_before_commit(home: &Home, lab: &Lab, db: &str, run: Ltops) -> Output {
    let gate = home.path().join("gate");
    let waiting = gate.with_extension("waiting");
    let mut cmd = run.std_command();
    cmd.env("LTOPS_TEST_PAUSE_BEFORE_COMMIT", &gate)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !waiting.exists() {
        if child.try_wait().unwrap().is_some() {
            panic!(
                "ltops ended before the commit:\n{}",
                describe(&child.wait_with_output().unwrap())
            );
        }
        assert!(Instant::now() < deadline, "ltops never reached the commit");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(50));
    let pid = std::fs::read_to_string(&waiting).unwrap();
    // While it waits, the change is made but invisible to everyone else.
    assert_eq!(
        lab.psql(db, &format!("SELECT pg_terminate_backend({pid})")),
        "t"
    );
    std::fs::write(&gate, "go").unwrap();
    child.wait_with_output().unwrap()
}

/// Sets the notes of `lead` to `kill-marker`.
fn kill_marker<'a>(home: &'a Home, lead: &str) -> Ltops<'a> {
    on_lead(home, "set", lead)
        .yes()
        .set("notes", "kill-marker")
        .incident("INC-KILL")
}

#[test]
fn killing_the_connection_before_commit_leaves_neither_change_nor_record() {
    let (lab, home, db) = setup_pg_store("iv_atomic_kill");
    let lead = lead_of(lab, &db, T3, 0);
    let before = all_rows(lab, &db);
    let events_before = lab.psql(&db, "SELECT count(*) FROM ltops_audit.events");
    let out = run_and_kill_before_commit(&home, lab, &db, kill_marker(&home, &lead));
    assert_fails(&out, 2, "rolled back together");
    // Neither the change…
    assert_eq!(all_rows(lab, &db), before);
    assert_eq!(count(lab, &db, "leads WHERE notes = 'kill-marker'"), "0");
    // …nor its `ok` record exists: the intent is closed as failed instead.
    let rows = lab.psql(
        &db,
        "SELECT string_agg(phase || ':' || coalesce(line::json->>'result', '-'), ',' ORDER BY seq) FROM ltops_audit.events WHERE action = 'intervene.set'",
    );
    assert_eq!(rows, "intent:-,outcome:failed");
    assert_eq!(
        lab.psql(&db, "SELECT count(*) FROM ltops_audit.events")
            .parse::<u64>()
            .unwrap(),
        events_before.parse::<u64>().unwrap() + 2
    );
    let v = list(&home, &["--images"]);
    assert_eq!(v["interventions"][0]["status"], "failed");
    assert_eq!(v["interventions"][0]["images"], Value::Null);
    code(&home.audit("verify").run(), 0);
    // The same intervention, not killed, goes through.
    kill_marker(&home, &lead).ok();
    assert_eq!(
        lab.psql(&db, &format!("SELECT notes FROM leads WHERE id = '{lead}'")),
        "kill-marker"
    );
}

#[test]
fn with_the_file_store_a_killed_commit_is_recorded_as_failed() {
    let (lab, home, db) = setup("iv_file_kill", "");
    let lead = lead_of(lab, &db, T3, 0);
    let before = all_rows(lab, &db);
    let out = run_and_kill_before_commit(&home, lab, &db, home.intervene("sql").yes().tenant(T3).incident("INC-KILL").sql(&format!(
                "DELETE FROM access_log WHERE tenant_id = '{T3}' AND id = (SELECT min(id) FROM access_log)"
            )));
    // (min(id) over the visible rows: tenant 3's first access-log entry.)
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stderr(&out).contains("COMMIT failed"), "{}", describe(&out));
    assert_eq!(all_rows(lab, &db), before);
    let v = list(&home, &[]);
    assert_eq!(v["interventions"][0]["status"], "failed");
    let _ = lead;
}
