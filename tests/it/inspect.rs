//! `ltops inspect` through the real binary against the lab's PostgreSQL as
//! `ltops_operator` under row-level security: masking of every personal column
//! of the data map, the cross-tenant escape corpus of the intervention tests as
//! SELECTs, refusals before anything runs, `--reveal` only on a terminal, the
//! row cap, a leaking policy caught by the row check, and what the audit log
//! holds afterwards (never a value).

use std::collections::BTreeSet;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{Home, Lab, Ltops, describe, json_stdout, lab, repo_root, stderr};

const T1: &str = "00000000-0000-4000-8000-000000000001";
const T2: &str = "00000000-0000-4000-8000-000000000002";
const T3: &str = "00000000-0000-4000-8000-000000000003";

fn setup(prefix: &str, extra: &str) -> (&'static Lab, Home, String) {
    let lab = lab();
    let (home, db) = lab.home_with_db(prefix, "ltops_operator", extra);
    home.use_db_password(&lab.operator_password());
    home.login_as("bob", "bob@leadtributor.cloud");
    (lab, home, db)
}

fn code(out: &Output, expected: i32) {
    assert_eq!(out.status.code(), Some(expected), "{}", describe(out));
}

/// `inspect --tenant TENANT --incident INC-9 --format json` as bob (on call).
fn read<'a>(home: &'a Home, tenant: &str) -> Ltops<'a> {
    home.inspect()
        .profile("bob")
        .json()
        .tenant(tenant)
        .incident("INC-9")
}

fn sql<'a>(home: &'a Home, tenant: &str, statement: &str) -> Ltops<'a> {
    read(home, tenant).sql(statement)
}

fn lead_of(lab: &Lab, db: &str, tenant: &str, n: usize) -> String {
    lab.psql(
        db,
        &format!(
            "SELECT id FROM leads WHERE tenant_id = '{tenant}' ORDER BY id OFFSET {n} LIMIT 1"
        ),
    )
}

/// The index of column `name` in a report.
fn col(report: &Value, name: &str) -> usize {
    report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}: {report}"))
}

fn rows(report: &Value) -> Vec<Value> {
    report["rows"].as_array().unwrap().clone()
}

/// The inspect intents of the log.
fn intents(home: &Home) -> Vec<Value> {
    home.audit_events("inspect")
        .into_iter()
        .filter(|e| e["phase"] == "intent")
        .collect()
}

#[test]
fn a_read_shows_personal_columns_masked_and_records_no_values() {
    let (lab, home, db) = setup("in_read", "");
    let lead = lead_of(lab, &db, T3, 0);
    let other = lead_of(lab, &db, T3, 1);
    let get = |what: &str, id: &str| {
        lab.psql(&db, &format!("SELECT {what} FROM leads WHERE id = '{id}'"))
    };
    let email = get("email", &lead);
    let out = read(&home, T3)
        .table("leads")
        .id(&lead)
        .note("customer says the lead vanished")
        .run();
    code(&out, 0);
    let r = json_stdout(&out);
    assert_eq!(r["kind"], "inspect");
    assert_eq!(r["row_count"], 1);
    assert_eq!(r["truncated"], false);
    let row = &rows(&r)[0];
    let e = &row[col(&r, "email")];
    assert_eq!(e["masked"], true, "{r}");
    assert_eq!(e["length"], email.chars().count());
    assert_eq!(e["domain"], email.split_once('@').unwrap().1);
    assert_eq!(row[col(&r, "status")], get("status", &lead).as_str());
    assert_eq!(row[col(&r, "id")], lead.as_str());
    assert_eq!(r["columns"][col(&r, "email")]["origin"], "leads.email");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    for personal in ["email", "first_name", "last_name", "phone", "company"] {
        let v = get(personal, &lead);
        assert!(
            v.is_empty() || !stdout.contains(&v),
            "{personal} in clear: {stdout}"
        );
    }
    // The same value hashes alike across rows, columns and runs; another does not.
    let r2 = sql(
        &home,
        T3,
        &format!(
            "SELECT l.email, l.email AS again, lower(l.email) AS low, count(*) OVER () AS n FROM leads l WHERE l.id IN ('{lead}', '{other}') ORDER BY l.id"
        ),
    )
    .ok_json();
    let rs = rows(&r2);
    assert_eq!(rs[0][0]["hash"], e["hash"]);
    assert_eq!(rs[0][1]["hash"], e["hash"]);
    assert_eq!(rs[0][2]["masked"], true, "computed from email: {r2}");
    assert_eq!(rs[0][3], "2", "computed from nothing personal: {r2}");
    assert_ne!(rs[1][0]["hash"], e["hash"]);
    // The record: tables, columns, masked, row count, reason — and no value.
    let events = home.audit_events("inspect");
    assert_eq!(events.len(), 4, "intent and outcome per read");
    let intent = &events[0];
    assert_eq!(intent["actor"]["permission_set"], "LtopsOnCall");
    assert_eq!(intent["reason"]["reference"], "INC-9");
    assert_eq!(intent["content"]["tables"], serde_json::json!(["leads"]));
    assert!(
        intent["content"]["masked"]
            .as_array()
            .unwrap()
            .contains(&Value::from("leads.email"))
    );
    // The statement is sealed under the tenant key; `audit show` opens it.
    assert!(
        intent["personal"]["statement"]
            .as_str()
            .unwrap()
            .starts_with("SELECT * FROM leads WHERE id = "),
        "{intent}"
    );
    assert_eq!(events[1]["content"]["rows"], 1);
    assert_eq!(events[3]["content"]["rows"], 2);
    // Columns are recorded by origin; the operator's aliases only sealed.
    assert_eq!(
        events[2]["content"]["columns"],
        serde_json::json!([
            "leads.email",
            "leads.email",
            "(computed, column 3)",
            "(computed, column 4)"
        ])
    );
    assert_eq!(
        events[2]["personal"]["columns"],
        serde_json::json!(["email", "again", "low", "n"])
    );
    let log = std::fs::read_to_string(home.audit_file()).unwrap();
    assert!(log.contains("\"sealed\""), "{log}");
    for v in [
        email.as_str(),
        &get("last_name", &lead),
        &get("phone", &lead),
    ] {
        assert!(!log.contains(v), "{v} in the audit log");
    }
    // `inspect list` opens the statements while the tenant key exists.
    let list = home
        .inspect()
        .json()
        .args(["list", "--statements"])
        .ok_json();
    let reads = list["reads"].as_array().unwrap();
    assert_eq!(reads.len(), 2, "{list}");
    assert_eq!(reads[0]["rows"], 1);
    assert_eq!(reads[0]["status"], "ok");
    assert!(
        reads[1]["statement"]["statement"]
            .as_str()
            .unwrap()
            .contains("lower(l.email)"),
        "{list}"
    );
    let table = home.inspect().args(["list"]).ok();
    assert!(String::from_utf8_lossy(&table.stdout).contains("INC-9"));
    // TOM-3.2 counts the reads: each with a reason, by an allowed permission set.
    let check = home
        .tom("check")
        .profile("bob")
        .json()
        .args(["--control", "TOM-3.2"])
        .run();
    let v = json_stdout(&check);
    let finding = v["controls"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "audit.reads_authorised")
        .cloned()
        .unwrap_or_else(|| panic!("no finding of audit.reads_authorised: {v}"));
    assert_eq!(finding["status"], "PASS", "{finding}");
    let evidence = finding["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("2 read(s)") && evidence.contains("0 without a reason"),
        "{evidence}"
    );
}

#[test]
fn every_personal_column_of_the_data_map_is_masked() {
    let (lab, home, db) = setup("in_mask", "");
    let map = ltops_core::datamap::DataMap::load(&repo_root().join("policies/datamap.yaml"))
        .expect("data map");
    let mut tables: Vec<(String, Vec<String>)> = map
        .tables
        .iter()
        .map(|t| (t.table.clone(), t.personal.clone()))
        .collect();
    tables.push((map.tenant.table.clone(), map.tenant.personal.clone()));
    let mut masked_values = 0;
    for (table, personal) in tables {
        let r = read(&home, T1)
            .table(&table)
            .args(["--max-rows", "20"])
            .ok_json();
        let clear: BTreeSet<String> = rows(&r)
            .iter()
            .flat_map(|row| row.as_array().unwrap().clone())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        for c in r["columns"].as_array().unwrap() {
            let name = c["name"].as_str().unwrap().to_owned();
            let is_personal = personal.contains(&name);
            assert_eq!(c["masked"], is_personal, "{table}.{name}: {c}");
            if !is_personal {
                continue;
            }
            let i = col(&r, &name);
            for row in rows(&r) {
                let v = &row[i];
                assert!(
                    v.is_null() || v["masked"] == true,
                    "{table}.{name} shown: {v}"
                );
                masked_values += usize::from(!v.is_null());
            }
            // No clear cell of the result equals a personal value of the table.
            let values = lab.psql(
                &db,
                &format!(
                    "SELECT string_agg({name}::text, E'\\x1f') FROM (SELECT {name} FROM {table} WHERE {name} IS NOT NULL LIMIT 200) q"
                ),
            );
            for v in values.split('\u{1f}').filter(|v| v.len() > 3) {
                assert!(!clear.contains(v), "{table}.{name} = {v} shown in clear");
            }
        }
    }
    assert!(masked_values > 50, "{masked_values} masked values seen");
}

#[test]
fn cross_tenant_selects_see_only_the_tenant() {
    let (lab, home, db) = setup("in_scope", "");
    let theirs = lead_of(lab, &db, T2, 0);
    let count = |statement: &str| -> String {
        let r = sql(&home, T3, statement).ok_json();
        rows(&r)[0][0].as_str().unwrap_or("?").to_owned()
    };
    let mine = lab.psql(
        &db,
        &format!("SELECT count(*) FROM leads WHERE tenant_id = '{T3}'"),
    );
    // Reaching for another tenant's rows finds none.
    for statement in [
        format!("SELECT count(*) FROM leads WHERE tenant_id = '{T2}'"),
        format!("SELECT count(*) FROM leads WHERE id = '{theirs}'"),
        format!("SELECT count(*) FROM leads WHERE tenant_id::text = '{T2}'"),
        format!("SELECT (SELECT count(*) FROM leads WHERE tenant_id = '{T2}')"),
        format!(
            "SELECT count(*) FROM leads l JOIN lead_events e ON e.stream_id = l.id WHERE e.tenant_id = '{T2}'"
        ),
        format!("SELECT count(*) FROM tenants WHERE id <> '{T3}'"),
        format!(
            "SELECT count(*) FROM users WHERE tenant_id IN (SELECT id FROM tenants WHERE id = '{T1}')"
        ),
        format!("SELECT count(*) FROM (SELECT id FROM leads WHERE tenant_id = '{T2}'::uuid) s"),
        format!("SELECT count(*) FROM leads WHERE id = CAST('{theirs}' AS uuid)"),
    ] {
        assert_eq!(count(&statement), "0", "{statement}");
    }
    assert_eq!(count("SELECT count(*) FROM leads"), mine);
    assert_eq!(count("SELECT count(*) FROM tenants"), "1");
    let shares = sql(
        &home,
        T3,
        "SELECT from_tenant_id, to_tenant_id FROM lead_shares",
    )
    .ok_json();
    for row in rows(&shares) {
        assert!(row[0] == T3 || row[1] == T3, "{row}");
    }
    // Refused before anything runs: nothing is recorded.
    let before = intents(&home).len();
    for (statement, why) in [
        (
            format!("SELECT set_config('app.tenant_id', '{T2}', false)"),
            "`set_config`",
        ),
        (
            format!("SELECT * FROM leads, (SELECT set_config('app.tenant_id', '{T2}', true)) s"),
            "`set_config`",
        ),
        (
            "SELECT current_setting('app.tenant_id')".to_owned(),
            "current_setting",
        ),
        (
            "SELECT * FROM leads FOR UPDATE".to_owned(),
            "locking clauses",
        ),
        (
            "SELECT * FROM leads FOR SHARE".to_owned(),
            "locking clauses",
        ),
        ("SELECT nextval('leads_id_seq')".to_owned(), "`nextval`"),
        ("SELECT pg_sleep(5)".to_owned(), "`pg_sleep`"),
        ("SELECT * INTO leak FROM leads".to_owned(), "INTO"),
        (
            "WITH x AS (DELETE FROM leads RETURNING *) SELECT * FROM x".to_owned(),
            "WITH",
        ),
        (
            "SELECT * FROM ltops_audit.events".to_owned(),
            "not a table of the data map",
        ),
        (
            "SELECT key FROM ltops_audit.tenant_keys".to_owned(),
            "not a table of the data map",
        ),
        (
            "SELECT * FROM U&\"\\006c\\0074ops_audit\".events".to_owned(),
            "not a table of the data map",
        ),
        (
            "SELECT rolname FROM pg_roles".to_owned(),
            "not a table of the data map",
        ),
        (
            "SELECT (SELECT rolpassword FROM pg_catalog.pg_authid LIMIT 1)".to_owned(),
            "not a table of the data map",
        ),
        (
            "SELECT * FROM information_schema.tables".to_owned(),
            "not a table of the data map",
        ),
        (
            "SELECT * FROM generate_series(1, 3)".to_owned(),
            "table function",
        ),
        (
            "SELECT query_to_xml('select * from leads', true, true, '')".to_owned(),
            "query_to_xml",
        ),
        (
            "SELECT * FROM leads; SET ROLE postgres".to_owned(),
            "exactly one statement",
        ),
        ("SET ROLE postgres".to_owned(), "only a single SELECT"),
        (
            format!("UPDATE leads SET notes = 'x' WHERE id = '{theirs}'"),
            "only a single SELECT",
        ),
        (
            "EXPLAIN ANALYZE SELECT * FROM leads".to_owned(),
            "only a single SELECT",
        ),
    ] {
        sql(&home, T3, &statement).fails(2, why);
    }
    assert_eq!(intents(&home).len(), before, "refusals record nothing");
    // The structured form: another tenant's row is simply not there.
    let r = read(&home, T3).table("leads").id(&theirs).ok_json();
    assert_eq!(r["row_count"], 0);
}

#[test]
fn reveal_only_on_a_terminal_and_recorded() {
    let (lab, home, db) = setup("in_reveal", "");
    let lead = lead_of(lab, &db, T3, 0);
    let email = lab.psql(&db, &format!("SELECT email FROM leads WHERE id = '{lead}'"));
    // A pipe, or JSON: refused before anything runs.
    let out = home
        .inspect()
        .profile("bob")
        .tenant(T3)
        .incident("INC-9")
        .table("leads")
        .id(&lead)
        .args(["--reveal", "email"])
        .run();
    code(&out, 2);
    assert!(
        stderr(&out).contains("stdout is not a terminal"),
        "{}",
        describe(&out)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&email));
    read(&home, T3)
        .table("leads")
        .id(&lead)
        .args(["--reveal", "email"])
        .fails(2, "--format json");
    assert!(!home.audit_file().exists(), "refused before the intent");
    // On a terminal (script(1) gives it one): shown, and recorded as revealed.
    let run = home
        .inspect()
        .profile("bob")
        .tenant(T3)
        .incident("INC-9")
        .sql(&format!(
            "SELECT email, phone FROM leads WHERE id = '{lead}'"
        ))
        .args(["--reveal", "email"]);
    let out = on_terminal(run.std_command());
    code(&out, 0);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains(&email), "{shown}");
    assert!(shown.contains("phone (masked)"), "{shown}");
    // Naming a column that is not masked in the result is refused.
    let bad = home
        .inspect()
        .profile("bob")
        .tenant(T3)
        .incident("INC-9")
        .table("leads")
        .id(&lead)
        .args(["--reveal", "status"]);
    let out = on_terminal(bad.std_command());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no masked column `status`"),
        "{}",
        describe(&out)
    );
    let events = home.audit_events("inspect");
    assert_eq!(events.len(), 2, "one read recorded");
    assert_eq!(
        events[0]["content"]["revealed"],
        serde_json::json!(["leads.email"])
    );
    assert_eq!(
        events[1]["content"]["revealed"],
        serde_json::json!(["leads.email"])
    );
    assert_eq!(
        events[0]["content"]["masked"],
        serde_json::json!(["leads.phone"])
    );
    let log = std::fs::read_to_string(home.audit_file()).unwrap();
    assert!(!log.contains(&email), "the revealed value is not recorded");
}

/// Runs `cmd` with stdin, stdout and stderr on a pseudo-terminal (script(1));
/// everything it printed comes back as stdout.
fn on_terminal(cmd: Command) -> Output {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let mut line = vec![quote(&cmd.get_program().to_string_lossy())];
    line.extend(cmd.get_args().map(|a| quote(&a.to_string_lossy())));
    // A pseudo-terminal starts 0 columns wide; give it the width of a real one.
    let mut script = Command::new("script");
    script.args([
        "-qec",
        &format!("stty cols 200 rows 50; {}", line.join(" ")),
        "/dev/null",
    ]);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        script.current_dir(dir);
    }
    script.output().expect(
        "script(1) from util-linux runs the command on a terminal: apt-get install bsdutils",
    )
}

#[test]
fn the_row_cap_limits_what_is_shown() {
    let (_lab, home, _db) = setup("in_cap", "inspect:\n  max_rows: 7\n");
    let r = read(&home, T1).table("leads").run();
    code(&r, 0);
    assert!(
        stderr(&r).contains("more rows match than the row cap of 7"),
        "{}",
        describe(&r)
    );
    let r = json_stdout(&r);
    assert_eq!(r["row_count"], 7);
    assert_eq!(r["truncated"], true);
    let r = read(&home, T1)
        .sql("SELECT id FROM leads")
        .args(["--max-rows", "3"])
        .ok_json();
    assert_eq!(r["row_count"], 3);
    let r = read(&home, T1).table("leads").limit("2").ok_json();
    assert_eq!(r["row_count"], 2);
    assert_eq!(r["truncated"], false);
    read(&home, T1)
        .table("leads")
        .limit("8")
        .fails(2, "above the row cap of 7");
    let r = read(&home, T1)
        .table("leads")
        .args(["--where", "status=won"])
        .limit("5")
        .ok_json();
    for row in rows(&r) {
        assert_eq!(row[col(&r, "status")], "won");
    }
    let outcomes: Vec<Value> = home
        .audit_events("inspect")
        .into_iter()
        .filter(|e| e["phase"] == "outcome")
        .collect();
    assert_eq!(outcomes[0]["content"]["truncated"], true);
    assert_eq!(outcomes[0]["content"]["rows"], 7);
}

#[test]
fn a_policy_that_lets_other_tenants_through_is_caught_by_the_row_check() {
    let (lab, home, db) = setup("in_leak", "");
    // Reads the tenant setting (so the policy check accepts it) but admits
    // every row once the setting is there: a broken policy.
    lab.psql(
        &db,
        "CREATE POLICY leak ON leads USING (current_setting('app.tenant_id', true) IS NOT NULL)",
    );
    for run in [
        sql(&home, T3, "SELECT count(*) FROM leads"),
        read(&home, T3).table("leads"),
    ] {
        let out = run.run();
        code(&out, 2);
        assert!(
            stderr(&out).contains("row outside the tenant scope: leads (tenant"),
            "{}",
            describe(&out)
        );
    }
    let outcomes: Vec<Value> = home
        .audit_events("inspect")
        .into_iter()
        .filter(|e| e["phase"] == "outcome")
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(
        outcomes.iter().all(|o| o["result"] == "failed"),
        "{outcomes:?}"
    );
}

#[test]
fn unsafe_roles_and_identities_without_the_permission_are_refused() {
    let (lab, home, db) = setup("in_role", "");
    // A superuser is not under row-level security.
    home.configure(&lab.config_for(&db, "postgres", ""));
    read(&home, T3)
        .table("tenants")
        .db_password(&lab.superuser_password())
        .fails(2, "is a superuser");
    assert!(!home.audit_file().exists(), "refused before the intent");
    // A reason is mandatory.
    home.inspect()
        .tenant(T3)
        .table("tenants")
        .fails(2, "--instruction");
    // rita's permission set may not read.
    home.login_as("rita", "rita@leadtributor.cloud");
    home.inspect()
        .profile("rita")
        .json()
        .tenant(T3)
        .incident("INC-9")
        .table("tenants")
        .fails(2, "not allowed for permission set ReadOnly");
    assert!(!home.audit_file().exists(), "refused before the intent");
}

/// A platform of other names: schema `shop`, tenants `firmen` keyed by a
/// bigint, the tenant setting `app.firma`.
const SHOP_SQL: &str = "
CREATE SCHEMA shop;
CREATE TABLE shop.firmen (nr bigint PRIMARY KEY, inhaber text NOT NULL, branche text);
CREATE TABLE shop.kontakte (kid bigint PRIMARY KEY, firma bigint NOT NULL REFERENCES shop.firmen,
                            mail text, telefon text, stufe text);
INSERT INTO shop.firmen VALUES (1, 'Erika Mustermann', 'Bau'), (2, 'Max Muster', 'Handel');
INSERT INTO shop.kontakte VALUES
  (10, 1, 'erika@bau.example', '+49 30 111', 'A'), (11, 1, 'erika@bau.example', NULL, 'B'),
  (20, 2, 'max@handel.example', '+49 40 222', 'A');
ALTER TABLE shop.firmen ENABLE ROW LEVEL SECURITY;
ALTER TABLE shop.firmen FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON shop.firmen USING (nr = nullif(current_setting('app.firma', true), '')::bigint);
ALTER TABLE shop.kontakte ENABLE ROW LEVEL SECURITY;
ALTER TABLE shop.kontakte FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON shop.kontakte USING (firma = nullif(current_setting('app.firma', true), '')::bigint);
CREATE SCHEMA archiv;
CREATE TABLE archiv.notizen (nid bigint PRIMARY KEY, firma bigint NOT NULL, text text);
INSERT INTO archiv.notizen VALUES (1, 1, 'Erika ruft zurück'), (2, 2, 'Max hat gekündigt');
ALTER TABLE archiv.notizen ENABLE ROW LEVEL SECURITY;
ALTER TABLE archiv.notizen FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON archiv.notizen USING (firma = nullif(current_setting('app.firma', true), '')::bigint);
GRANT USAGE ON SCHEMA shop, archiv TO ltops_operator;
GRANT SELECT ON shop.firmen, shop.kontakte, archiv.notizen TO ltops_operator;
";

const SHOP_MAP: &str = "version: 1
schema: shop
rls_setting: app.firma
tenant:
  table: firmen
  key: nr
  id_type: bigint
  personal: [inhaber]
tables:
  - table: kontakte
    tenant_columns: [firma]
    key: [kid]
    personal: [mail, telefon]
    on_erase: delete
  - table: archiv.notizen
    tenant_columns: [firma]
    key: [nid]
    personal: [text]
    on_erase: delete
";

#[test]
fn any_data_map_masks_its_own_personal_columns() {
    let (lab, home, db) = setup("in_shop", "");
    lab.psql(&db, SHOP_SQL);
    let dir = home.path().join("shop-policies");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("datamap.yaml"), SHOP_MAP).unwrap();
    home.configure(&format!(
        "{}policies: {}\n",
        lab.database_yaml(&db, "ltops_operator"),
        dir.display()
    ));
    let r = read(&home, "1").table("kontakte").ok_json();
    assert_eq!(r["row_count"], 2);
    let (mail, tel, stufe) = (col(&r, "mail"), col(&r, "telefon"), col(&r, "stufe"));
    let rs = rows(&r);
    assert_eq!(rs[0][mail]["domain"], "bau.example");
    assert_eq!(
        rs[0][mail]["hash"], rs[1][mail]["hash"],
        "equal values match"
    );
    assert_eq!(rs[0][tel]["masked"], true);
    assert!(rs[1][tel].is_null(), "NULL stays visible as NULL");
    assert_eq!(rs[0][stufe], "A");
    let out = String::from_utf8_lossy(&read(&home, "1").table("kontakte").run().stdout).to_string();
    assert!(!out.contains("erika@") && !out.contains("+49 30"), "{out}");
    let r = sql(
        &home,
        "1",
        "SELECT f.inhaber, f.branche, k.mail FROM kontakte k JOIN shop.firmen f ON f.nr = k.firma",
    )
    .ok_json();
    assert_eq!(r["row_count"], 2);
    assert_eq!(rows(&r)[0][0]["masked"], true);
    assert_eq!(rows(&r)[0][1], "Bau");
    assert_eq!(r["columns"][0]["origin"], "firmen.inhaber");
    let none = sql(&home, "1", "SELECT count(*) FROM kontakte WHERE firma = 2").ok_json();
    assert_eq!(rows(&none)[0][0], "0");
    sql(&home, "1", "SELECT * FROM public.leads").fails(2, "not a table of the data map");
    read(&home, "x")
        .table("kontakte")
        .fails(2, "not a tenant id");
    // A table the map names in another schema.
    for run in [
        read(&home, "1").table("archiv.notizen"),
        sql(&home, "1", "SELECT n.text, n.nid FROM archiv.notizen n"),
    ] {
        let r = run.ok_json();
        assert_eq!(r["row_count"], 1, "{r}");
        assert_eq!(rows(&r)[0][col(&r, "text")]["length"], 17, "{r}");
    }
    sql(&home, "1", "SELECT * FROM notizen").fails(2, "not a table of the data map");
    // Readable, but not changeable: the checks of a change look at `schema` only.
    home.intervene("delete")
        .profile("bob")
        .yes()
        .tenant("1")
        .table("archiv.notizen")
        .id("1")
        .incident("INC-9")
        .fails(2, "outside the data map's schema");
}
