//! "Exactly one tenant" at the edges of an intervention: ownership (shared rows
//! are read-only), collateral (foreign-key actions, triggers, rows row-level
//! security hides), references out of the tenant, leaks through errors, and
//! bounds (huge or deep SQL, huge values, `--max-rows`, unicode identifiers).
//! After each, the database owner checks that no other tenant's row changed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Home, Lab, Ltops, describe, json_stdout, lab, stderr};

const T1: &str = "00000000-0000-4000-8000-000000000001";
const T2: &str = "00000000-0000-4000-8000-000000000002";
const T3: &str = "00000000-0000-4000-8000-000000000003";

/// A signed-in home on a fresh copy of the platform as ltops_operator, with the
/// repository's data map plus `extra_tables` (YAML list entries).
fn setup(prefix: &str, extra_tables: &str) -> (&'static Lab, Home, String) {
    let lab = lab();
    let (home, db) = lab.home_with_db(prefix, "ltops_operator", "");
    home.use_db_password(&lab.operator_password());
    if !extra_tables.is_empty() {
        use_data_map(lab, &home, &db, extra_tables);
    }
    (lab, home, db)
}

/// Points `home` at a copy of the policies whose data map has `extra_tables`.
fn use_data_map(lab: &Lab, home: &Home, db: &str, extra_tables: &str) {
    let dir: PathBuf = home.path().join("policies");
    let src = crate::support::repo_root().join("policies");
    let out = std::process::Command::new("cp")
        .args(["-r", "-T"])
        .arg(&src)
        .arg(&dir)
        .output()
        .expect("cp policies");
    assert!(out.status.success(), "{out:?}");
    let map = std::fs::read_to_string(src.join("datamap.yaml")).unwrap();
    std::fs::write(dir.join("datamap.yaml"), format!("{map}\n{extra_tables}")).unwrap();
    home.configure(&format!(
        "{}policies: {}\n",
        lab.database_yaml(db, "ltops_operator"),
        dir.display()
    ));
}

fn sql<'a>(home: &'a Home, tenant: &str, statement: &str) -> Ltops<'a> {
    home.intervene("sql")
        .yes()
        .json()
        .tenant(tenant)
        .incident("INC-7")
        .sql(statement)
}

/// Every row of every platform table not owned by `tenant`, as one hash.
fn others(lab: &Lab, db: &str, tenant: &str) -> String {
    lab.psql(
        db,
        &format!(
            "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
               SELECT l::text AS x FROM leads l WHERE tenant_id <> '{tenant}'
               UNION ALL SELECT u::text FROM users u WHERE tenant_id <> '{tenant}'
               UNION ALL SELECT m::text FROM marketplaces m WHERE tenant_id <> '{tenant}'
               UNION ALL SELECT mm::text FROM marketplace_members mm WHERE tenant_id <> '{tenant}'
               UNION ALL SELECT s::text FROM lead_shares s WHERE from_tenant_id <> '{tenant}'
               UNION ALL SELECT t::text FROM tenants t WHERE id <> '{tenant}') q"
        ),
    )
}

fn code(out: &std::process::Output, expected: i32) {
    assert_eq!(out.status.code(), Some(expected), "{}", describe(out));
}

fn marketplace_of(lab: &Lab, db: &str, tenant: &str) -> String {
    lab.psql(
        db,
        &format!("SELECT id FROM marketplaces WHERE tenant_id = '{tenant}' LIMIT 1"),
    )
}

#[test]
fn a_marketplace_whose_members_rls_hides_is_refused_and_its_own_cascade_is_shown() {
    let (lab, home, db) = setup("sc_market", "");
    let m1 = marketplace_of(lab, &db, T1);
    let before = others(lab, &db, T1);
    let members = format!("marketplace_members WHERE marketplace_id = '{m1}'");
    assert_eq!(
        lab.psql(&db, &format!("SELECT count(*) FROM {members}")),
        "4"
    );
    // The data map declares the cascade, but three memberships are other
    // tenants' and invisible in tenant 1's scope: refused, dry run alike.
    for dry in [true, false] {
        let mut run = home
            .intervene("delete")
            .yes()
            .json()
            .tenant(T1)
            .table("marketplaces")
            .id(&m1)
            .incident("INC-7");
        if dry {
            run = run.dry_run();
        }
        let out = run.run();
        code(&out, 1);
        let err = stderr(&out);
        assert!(
            err.contains("delete 3 row(s) of marketplace_members that tenant")
                && err.contains("cannot see"),
            "{err}"
        );
        assert!(
            err.contains("marketplace_members_marketplace_id_fkey"),
            "{err}"
        );
    }
    assert_eq!(
        lab.psql(&db, &format!("SELECT count(*) FROM {members}")),
        "4"
    );
    assert_eq!(others(lab, &db, T1), before);

    // A marketplace whose only member is its owner: the membership goes with
    // it, shown, counted against the limit and recorded.
    let m3 = "30000000-0000-4000-8000-000000000003";
    lab.psql(
        &db,
        &format!(
            "INSERT INTO marketplaces (id, tenant_id, name) VALUES ('{m3}', '{T3}', 'Alpen');
             INSERT INTO marketplace_members (marketplace_id, tenant_id) VALUES ('{m3}', '{T3}')"
        ),
    );
    let before = others(lab, &db, T3);
    let del = || {
        home.intervene("delete")
            .yes()
            .json()
            .tenant(T3)
            .table("marketplaces")
            .id(m3)
            .incident("INC-7")
    };
    let out = del().max_rows(1).run();
    code(&out, 1);
    assert!(
        stderr(&out).contains("more than the limit of 1"),
        "{}",
        describe(&out)
    );
    let out = del().run();
    code(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("1 row(s) would be deleted, and 1 more by foreign-key actions"),
        "{err}"
    );
    assert!(err.contains("marketplace_members"), "{err}");
    assert_eq!(json_stdout(&out)["rows"], 2);
    let m3_left = format!("SELECT count(*) FROM marketplace_members WHERE marketplace_id = '{m3}'");
    assert_eq!(lab.psql(&db, &m3_left), "0");
    let v = home.intervene("list").json().args(["--images"]).ok_json();
    let last = v["interventions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let rows = last["images"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{last}");
    assert_eq!(rows[1]["table"], "marketplace_members", "{last}");
    assert_eq!(others(lab, &db, T3), before);
}

const CHAIN_SQL: &str = "
CREATE TABLE sc_a (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
CREATE TABLE sc_b (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,
                   a_id uuid NOT NULL REFERENCES sc_a ON DELETE CASCADE);
CREATE TABLE sc_c (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, viewer_id uuid,
                   b_id uuid NOT NULL REFERENCES sc_b ON DELETE CASCADE);
CREATE TABLE sc_d (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,
                   c_id uuid REFERENCES sc_c ON DELETE SET NULL);
DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['sc_a', 'sc_b', 'sc_d'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY p ON %I USING (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
  END LOOP;
END $$;
ALTER TABLE sc_c ENABLE ROW LEVEL SECURITY;
ALTER TABLE sc_c FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON sc_c USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
                               OR viewer_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON sc_a, sc_b, sc_c, sc_d TO ltops_operator;
";

fn chain_map(declared: bool) -> String {
    format!(
        "  - table: sc_d\n    tenant_columns: [tenant_id]\n    key: [id]\n    on_erase: delete\n\
         \x20 - table: sc_c\n    tenant_columns: [tenant_id, viewer_id]\n    owner: tenant_id\n    key: [id]\n    on_erase: delete\n\
         \x20 - table: sc_b\n    tenant_columns: [tenant_id]\n    key: [id]\n    on_erase: delete\n{}\
         \x20 - table: sc_a\n    tenant_columns: [tenant_id]\n    key: [id]\n    on_erase: delete\n",
        if declared {
            "    cascades: [{table: sc_c, via: b_id}]\n"
        } else {
            ""
        }
    )
}

/// `n`: a uuid with the last digits `n`.
fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

#[test]
fn a_three_level_cascade_is_in_the_plan_and_other_tenants_rows_need_a_declaration() {
    let (lab, home, db) = setup("sc_chain", "");
    lab.psql(&db, CHAIN_SQL);
    use_data_map(lab, &home, &db, &chain_map(false));
    // a1 → b1 → c1 → d1 (set null), all tenant 3.
    lab.psql(
        &db,
        &format!(
            "INSERT INTO sc_a VALUES ('{a1}', '{T3}'), ('{a2}', '{T3}'), ('{a3}', '{T3}');
             INSERT INTO sc_b VALUES ('{b1}', '{T3}', '{a1}'), ('{b2}', '{T3}', '{a2}'), ('{b3}', '{T3}', '{a3}');
             INSERT INTO sc_c VALUES ('{c1}', '{T3}', NULL, '{b1}'),
                                     ('{c2}', '{T2}', '{T3}', '{b2}'),
                                     ('{c3}', '{T2}', NULL, '{b3}');
             INSERT INTO sc_d VALUES ('{d1}', '{T3}', '{c1}')",
            a1 = id(101), a2 = id(102), a3 = id(103),
            b1 = id(201), b2 = id(202), b3 = id(203),
            c1 = id(301), c2 = id(302), c3 = id(303),
            d1 = id(401),
        ),
    );
    let snapshot = || {
        lab.psql(
            &db,
            "SELECT string_agg(x, '|' ORDER BY x) FROM (
               SELECT c::text AS x FROM sc_c c UNION ALL SELECT d::text FROM sc_d d
               UNION ALL SELECT b::text FROM sc_b b UNION ALL SELECT a::text FROM sc_a a) q",
        )
    };
    let del = |a: &str| {
        home.intervene("delete")
            .yes()
            .json()
            .tenant(T3)
            .table("sc_a")
            .id(a)
            .incident("INC-7")
    };
    // Three levels down plus a SET NULL: 4 rows, over a limit of 3.
    let out = del(&id(101)).max_rows(3).run();
    code(&out, 1);
    assert!(
        stderr(&out).contains("at least 4 rows"),
        "{}",
        describe(&out)
    );
    let out = del(&id(101)).run();
    code(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("and 3 more by foreign-key actions"), "{err}");
    assert!(err.contains("sc_c") && err.contains("sc_d"), "{err}");
    assert_eq!(
        lab.psql(
            &db,
            &format!(
                "SELECT coalesce(c_id::text, 'null') FROM sc_d WHERE id = '{}'",
                id(401)
            )
        ),
        "null"
    );
    let v = home.intervene("list").json().args(["--images"]).ok_json();
    let ivs = v["interventions"].as_array().unwrap();
    let rows = ivs.last().unwrap()["images"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    let d = rows
        .iter()
        .find(|r| r["table"] == "sc_d")
        .expect("sc_d image");
    assert_eq!(d["before"]["c_id"], id(301).as_str());
    assert_eq!(d["after"]["c_id"], Value::Null, "{d}");

    // c2 is tenant 2's (visible to tenant 3 as viewer): not without a declaration.
    let before = snapshot();
    let out = del(&id(102)).run();
    code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("cascade") && err.contains(&id(302)) && err.contains(T2),
        "{err}"
    );
    assert_eq!(snapshot(), before);
    // c3 is tenant 2's and hidden from tenant 3: refused even when declared.
    use_data_map(lab, &home, &db, &chain_map(true));
    let out = del(&id(103)).run();
    code(&out, 1);
    assert!(
        stderr(&out).contains("delete 1 row(s) of sc_c that tenant"),
        "{}",
        describe(&out)
    );
    assert_eq!(snapshot(), before);
    // Declared and visible: in the plan and the images, tenant 2 in the outcome.
    let out = del(&id(102)).run();
    code(&out, 0);
    assert!(
        stderr(&out).contains(&format!("tenant {T2}")),
        "{}",
        describe(&out)
    );
    let gone = format!("SELECT count(*) FROM sc_c WHERE id = '{}'", id(302));
    assert_eq!(lab.psql(&db, &gone), "0");
    let shown = home.audit("show").json().action("intervene.").ok_json();
    let outcome = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["phase"] == "outcome")
        .unwrap()
        .clone();
    assert_eq!(outcome["content"]["other_tenants"][0], T2, "{outcome}");
    assert_eq!(outcome["content"]["collateral"], 2, "{outcome}");
    // c3 and the other tenants' platform rows are untouched.
    let left = format!("SELECT count(*) FROM sc_c WHERE id = '{}'", id(303));
    assert_eq!(lab.psql(&db, &left), "1");
}

#[test]
fn tables_with_triggers_are_refused_by_name() {
    let (lab, home, db) = setup("sc_trigger", "");
    lab.psql(
        &db,
        "CREATE FUNCTION sc_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
         CREATE TRIGGER leads_touch BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION sc_touch()",
    );
    let lead = lab.psql(
        &db,
        &format!("SELECT id FROM leads WHERE tenant_id = '{T3}' ORDER BY id LIMIT 1"),
    );
    let before = lab.psql(
        &db,
        &format!("SELECT l::text FROM leads l WHERE id = '{lead}'"),
    );
    let out = home
        .intervene("set")
        .yes()
        .tenant(T3)
        .table("leads")
        .id(&lead)
        .set("status", "lost")
        .incident("INC-7")
        .run();
    code(&out, 1);
    assert!(
        stderr(&out).contains("trigger leads_touch on leads"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        lab.psql(
            &db,
            &format!("SELECT l::text FROM leads l WHERE id = '{lead}'")
        ),
        before
    );
}

#[test]
fn shares_received_are_read_only_and_own_shares_keep_their_recipient() {
    let (lab, home, db) = setup("sc_shares", "");
    let received = lab.psql(
        &db,
        &format!("SELECT id FROM lead_shares WHERE from_tenant_id = '{T1}' AND to_tenant_id = '{T3}' ORDER BY id LIMIT 1"),
    );
    let before = others(lab, &db, T3);
    home.intervene("delete")
        .yes()
        .tenant(T3)
        .table("lead_shares")
        .id(&received)
        .incident("INC-7")
        .fails(1, "read-only");
    sql(
        &home,
        T3,
        &format!(
            "UPDATE lead_shares SET shared_at = now() WHERE to_tenant_id = '{T3}' AND id = {received}"
        ),
    )
    .fails(1, "read-only");
    sql(
        &home,
        T3,
        &format!("UPDATE lead_shares SET lead_id = lead_id WHERE id = {received}"),
    )
    .fails(1, "read-only");
    // Its own share, to tenant 1: the recipient is a declared shared reference.
    let own = lab.psql(
        &db,
        &format!("SELECT id FROM lead_shares WHERE from_tenant_id = '{T3}' ORDER BY id LIMIT 1"),
    );
    let out = sql(
        &home,
        T3,
        &format!(
            "UPDATE lead_shares SET shared_at = shared_at + interval '1 second' WHERE id = {own}"
        ),
    )
    .run();
    code(&out, 0);
    // Handing its share to another tenant is refused (and RLS agrees).
    let out = sql(
        &home,
        T3,
        &format!("UPDATE lead_shares SET from_tenant_id = '{T2}' WHERE id = {own}"),
    )
    .run();
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(others(lab, &db, T3), before);
}

#[test]
fn references_to_another_tenants_rows_are_refused_unless_proven() {
    let (lab, home, db) = setup("sc_refs", "");
    let m1 = marketplace_of(lab, &db, T1);
    let m2 = marketplace_of(lab, &db, T2);
    let before = others(lab, &db, T3);
    // Tenant 3 is no member of tenant 2's marketplace: it cannot join by itself.
    sql(
        &home,
        T3,
        &format!(
            "INSERT INTO marketplace_members (marketplace_id, tenant_id) VALUES ('{m2}', '{T3}')"
        ),
    )
    .fails(1, "does not own");
    // Its existing membership in tenant 1's marketplace proves the reference.
    let out = sql(&home, T3, &format!("UPDATE marketplace_members SET joined_at = joined_at + interval '1 day' WHERE marketplace_id = '{m1}'")).run();
    code(&out, 0);
    // …but cannot be moved into tenant 2's marketplace.
    sql(
        &home,
        T3,
        &format!(
            "UPDATE marketplace_members SET marketplace_id = '{m2}' WHERE marketplace_id = '{m1}'"
        ),
    )
    .fails(1, "does not own");
    let members = format!(
        "SELECT count(*) FROM marketplace_members WHERE marketplace_id = '{m2}' AND tenant_id = '{T3}'"
    );
    assert_eq!(lab.psql(&db, &members), "0");
    assert_eq!(others(lab, &db, T3), before);
}

#[test]
fn a_dry_run_probe_across_tenants_leaks_no_values_and_is_recorded() {
    let (lab, home, db) = setup("sc_probe", "");
    let (email, name) = {
        let r = lab.psql(
            &db,
            &format!("SELECT email || '|' || display_name FROM users WHERE tenant_id = '{T2}' ORDER BY id LIMIT 1"),
        );
        let (e, n) = r.split_once('|').unwrap();
        (e.to_owned(), n.to_owned())
    };
    let before = others(lab, &db, T3);
    let insert = format!(
        "INSERT INTO users (id, tenant_id, email, display_name, password_hash) VALUES (gen_random_uuid(), '{T3}', upper('{email}'), 'x', 'x')"
    );
    let out = sql(&home, T3, &insert).dry_run().run();
    code(&out, 2);
    let err = stderr(&out);
    // PostgreSQL itself leaves the key out on a table under row-level
    // security; ltops withholds any other integrity detail.
    assert!(
        err.contains("users_email_key") && !err.contains("Key ("),
        "{err}"
    );
    assert!(
        !err.contains(&email.to_lowercase()) && !err.contains(&name),
        "{err}"
    );
    let out = sql(&home, T3, &format!("{insert} ON CONFLICT DO NOTHING"))
        .dry_run()
        .run();
    code(&out, 1);
    assert!(!stderr(&out).contains(&name), "{}", describe(&out));
    // Both attempts are in the log.
    let v = home.intervene("list").json().ok_json();
    let ivs = v["interventions"].as_array().unwrap();
    assert_eq!(ivs.len(), 2, "{v}");
    assert_eq!(ivs[0]["status"], "failed", "{v}");
    assert_eq!(others(lab, &db, T3), before);
}

#[test]
fn huge_and_deep_statements_are_refused_without_a_crash() {
    let (lab, home, db) = setup("sc_bounds", "");
    let before = others(lab, &db, T3);
    let lead = lab.psql(
        &db,
        &format!("SELECT id FROM leads WHERE tenant_id = '{T3}' ORDER BY id LIMIT 1"),
    );
    // ~700 KB of 'a' || 'a' || … (from a file: too long for one argument).
    let file = home.path().join("chain.sql");
    let from_file = |text: String| {
        std::fs::write(&file, text).unwrap();
        home.intervene("sql")
            .yes()
            .tenant(T3)
            .incident("INC-7")
            .path("--sql-file", &file)
    };
    let started = Instant::now();
    from_file(format!(
        "UPDATE leads SET notes = {}'a' WHERE id = '{lead}'",
        "'a' || ".repeat(100_000)
    ))
    .fails(2, "KiB");
    // Under the size limit but deep: the operator limit.
    from_file(format!(
        "UPDATE leads SET notes = {}'a' WHERE id = '{lead}'",
        "'a'||".repeat(30_000)
    ))
    .fails(2, "operators");
    assert!(started.elapsed() < Duration::from_secs(60));
    // --max-rows is bounded to what PostgreSQL's LIMIT takes.
    sql(&home, T3, "UPDATE leads SET notes = 'x'")
        .max_rows(u64::MAX)
        .fails(2, "--max-rows");
    // Unicode identifiers are what PostgreSQL reads; a quote in U&'…' stays in it.
    sql(
        &home,
        T3,
        &format!("UPDATE leads SET notes = U&\"\\0065mail\" WHERE id = '{lead}'"),
    )
    .ok();
    let notes = format!("SELECT notes = email FROM leads WHERE id = '{lead}'");
    assert_eq!(lab.psql(&db, &notes), "t");
    sql(
        &home,
        T3,
        &format!("UPDATE leads SET notes = U&'x'', status = ''lost' WHERE id = '{lead}'"),
    )
    .ok();
    assert_eq!(
        lab.psql(
            &db,
            &format!("SELECT notes || '|' || status FROM leads WHERE id = '{lead}'")
        ),
        "x', status = 'lost|".to_owned()
            + &lab.psql(
                &db,
                &format!("SELECT status FROM leads WHERE id = '{lead}'")
            )
    );
    // A key value that is not a uuid is refused before anything is recorded.
    home.intervene("delete")
        .yes()
        .tenant(T3)
        .table("leads")
        .id("not-a-uuid")
        .incident("INC-7")
        .fails(2, "do not fit");
    assert_eq!(others(lab, &db, T3), before);
}

#[test]
fn a_thirty_megabyte_value_is_cut_in_the_preview() {
    let (lab, home, db) = setup("sc_huge", "");
    let lead = lab.psql(
        &db,
        &format!("SELECT id FROM leads WHERE tenant_id = '{T3}' ORDER BY id LIMIT 1"),
    );
    lab.psql(
        &db,
        &format!("UPDATE leads SET notes = repeat('x', 30000000) WHERE id = '{lead}'"),
    );
    let before = others(lab, &db, T3);
    let started = Instant::now();
    let out = home
        .intervene("set")
        .yes()
        .tenant(T3)
        .table("leads")
        .id(&lead)
        .args(["--set-null", "notes"])
        .incident("INC-7")
        .run();
    code(&out, 0);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    let err = stderr(&out);
    assert!(
        err.contains("(30000000 characters)"),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(err.len() < 100_000, "stderr is {} bytes", err.len());
    assert_eq!(
        lab.psql(
            &db,
            &format!("SELECT notes IS NULL FROM leads WHERE id = '{lead}'")
        ),
        "t"
    );
    assert_eq!(others(lab, &db, T3), before);
}
