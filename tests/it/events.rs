//! Interventions are events (TOM §5): `ltops intervene` on a table with a stream
//! (data map `stream:`) writes one event per affected row into the platform's
//! event store, in the change's transaction; the reference platform's
//! `lead_projection()` rebuilds every touched lead equal to the table; the TOM
//! control matches events and audit log; a schema with other names works the
//! same, and tables without a stream behave as before. Sequence numbers stay
//! consecutive against a second intervention and against the platform's own
//! writers (which do not take ltops's stream lock).

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Home, Lab, Ltops, describe, json_stdout, lab, stderr};

const T3: &str = "00000000-0000-4000-8000-000000000003";

fn code(out: &Output, expected: i32) {
    assert_eq!(out.status.code(), Some(expected), "{}", describe(out));
}

fn setup(prefix: &str) -> (&'static Lab, Home, String) {
    let lab = lab();
    let (home, db) = lab.home_with_db(prefix, "ltops_operator", "");
    home.use_db_password(&lab.operator_password());
    (lab, home, db)
}

/// `intervene FORM --tenant T3 --yes --format json` with a reason.
fn iv<'a>(home: &'a Home, form: &str) -> Ltops<'a> {
    home.intervene(form)
        .yes()
        .json()
        .tenant(T3)
        .instruction("TICKET-4711")
}

/// A lead of tenant 3 that no share references (so it can be deleted).
fn unshared_lead(lab: &Lab, db: &str, n: usize) -> String {
    lab.psql(
        db,
        &format!(
            "SELECT id FROM leads l WHERE tenant_id = '{T3}'
               AND NOT EXISTS (SELECT FROM lead_shares s WHERE s.lead_id = l.id)
             ORDER BY id OFFSET {n} LIMIT 1"
        ),
    )
}

/// The events of a stream, oldest first: `[{seq, type, payload, actor}]`.
fn stream(lab: &Lab, db: &str, id: &str) -> Vec<Value> {
    let json = lab.psql(
        db,
        &format!(
            "SELECT coalesce(json_agg(json_build_object('seq', seq, 'type', type, 'payload', payload, 'actor', actor,
                                                        'tenant', tenant_id) ORDER BY seq), '[]')
               FROM lead_events WHERE stream_id = '{id}'"
        ),
    );
    serde_json::from_str::<Value>(&json)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn event_count(lab: &Lab, db: &str) -> String {
    lab.psql(
        db,
        "SELECT count(*) || ':' || coalesce(max(id), 0) FROM lead_events",
    )
}

/// The id of the intent of the `n`-th intervention recorded (file store).
fn intent_id(home: &Home, n: usize) -> String {
    let log = std::fs::read_to_string(home.audit_file()).unwrap();
    let intents: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| {
            e["phase"] == "intent" && e["action"].as_str().unwrap().starts_with("intervene.")
        })
        .collect();
    intents[n]["id"].as_str().unwrap().to_owned()
}

/// Leads whose rebuild from their events differs from the table: of every
/// stream of tenant 3 and the given ids (deleted leads rebuild as NULL).
fn rebuild_mismatches(lab: &Lab, db: &str, extra: &[&str]) -> String {
    let extra: String = extra
        .iter()
        .map(|i| format!(" UNION SELECT '{i}'::uuid"))
        .collect();
    lab.psql(
        db,
        &format!(
            "SELECT count(*) FILTER (WHERE lead_projection(s.stream_id) IS DISTINCT FROM
                                           (SELECT l FROM leads l WHERE l.id = s.stream_id))
                    || ' of ' || count(*)
               FROM (SELECT DISTINCT stream_id FROM lead_events WHERE tenant_id = '{T3}'{extra}) s"
        ),
    )
}

#[test]
fn set_delete_sql_write_one_event_per_row_and_the_projection_agrees() {
    let (lab, home, db) = setup("ev_write");
    let (l0, l1, l2, l3) = (
        unshared_lead(lab, &db, 0),
        unshared_lead(lab, &db, 1),
        unshared_lead(lab, &db, 2),
        unshared_lead(lab, &db, 3),
    );
    assert_eq!(rebuild_mismatches(lab, &db, &[]), "0 of 1200");
    let n0 = stream(lab, &db, &l0).len() as u64;

    // set: one LeadCorrected with the changed column before and after.
    let old_status = lab.psql(&db, &format!("SELECT status FROM leads WHERE id = '{l0}'"));
    let out = iv(&home, "set")
        .table("leads")
        .id(&l0)
        .set("status", "lost")
        .run();
    code(&out, 0);
    let report = json_stdout(&out);
    assert_eq!(report["events"][0]["seq"], n0 + 1, "{report}");
    assert_eq!(report["events"][0]["type"], "LeadCorrected");
    assert!(
        stderr(&out).contains("Events: 1 written to lead_events"),
        "{}",
        describe(&out)
    );
    let events = stream(lab, &db, &l0);
    assert_eq!(events.len() as u64, n0 + 1);
    let e = events.last().unwrap();
    assert_eq!(e["seq"], n0 + 1);
    assert_eq!(e["type"], "LeadCorrected");
    assert_eq!(e["tenant"], T3);
    assert_eq!(
        e["payload"]["changes"],
        serde_json::json!({"status": {"before": old_status, "after": "lost"}})
    );
    assert_eq!(
        e["payload"]["intervention"]["audit_id"],
        intent_id(&home, 0)
    );
    assert_eq!(
        e["payload"]["intervention"]["reason"]["reference"],
        "TICKET-4711"
    );
    assert_eq!(
        e["actor"],
        "operator:alice@leadtributor.cloud:instruction:TICKET-4711"
    );

    // sql: one event per row, each in its own stream.
    let (n1, n2) = (stream(lab, &db, &l1).len(), stream(lab, &db, &l2).len());
    let out = iv(&home, "sql")
        .sql(&format!(
            "UPDATE leads SET email = upper(email), phone = NULL WHERE id IN ('{l1}', '{l2}')"
        ))
        .run();
    code(&out, 0);
    assert_eq!(json_stdout(&out)["events"].as_array().unwrap().len(), 2);
    for (id, n) in [(&l1, n1), (&l2, n2)] {
        let events = stream(lab, &db, id);
        assert_eq!(events.len(), n + 1, "{id}");
        let e = events.last().unwrap();
        assert_eq!(e["seq"], n as u64 + 1);
        let changes = e["payload"]["changes"].as_object().unwrap();
        assert_eq!(changes.len(), 2, "{e}");
        assert_eq!(changes["phone"]["after"], Value::Null);
        assert_eq!(
            e["payload"]["intervention"]["audit_id"],
            intent_id(&home, 1)
        );
    }

    // delete: the deletion event, naming the key only; the stream stays.
    let n3 = stream(lab, &db, &l3).len() as u64;
    let out = iv(&home, "delete").table("leads").id(&l3).run();
    code(&out, 0);
    let e = stream(lab, &db, &l3).last().unwrap().clone();
    assert_eq!(e["seq"], n3 + 1);
    assert_eq!(e["type"], "LeadDeleted");
    assert_eq!(
        e["payload"]["changes"],
        serde_json::json!({"id": {"before": l3, "after": null}})
    );

    // insert: a new stream starting at 1, every column in the payload.
    let new = "00000000-0000-4000-8000-00000000abcd";
    let out = iv(&home, "sql")
        .sql(&format!(
            "INSERT INTO leads (id, tenant_id, first_name, email) VALUES ('{new}', '{T3}', 'Erika', 'erika@example.org')"
        ))
        .run();
    code(&out, 0);
    let events = stream(lab, &db, new);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["seq"], 1);
    assert_eq!(events[0]["type"], "LeadInserted");
    assert_eq!(
        events[0]["payload"]["changes"]["email"]["after"],
        "erika@example.org"
    );

    // The projection rebuilt from the events equals the table, for every lead of
    // the tenant (touched or not) and the deleted one (NULL on both sides).
    assert_eq!(rebuild_mismatches(lab, &db, &[&l3]), "0 of 1201");
    assert_eq!(
        lab.psql(&db, &format!("SELECT lead_projection('{l3}') IS NULL")),
        "t"
    );
    assert_eq!(
        lab.psql(&db, &format!("SELECT (lead_projection('{l0}')).status")),
        "lost"
    );

    // Refused, failed and dry runs leave no event.
    let before = event_count(lab, &db);
    iv(&home, "sql")
        .sql(&format!(
            "UPDATE leads SET notes = 'x' WHERE id IN ('{l0}', '{l1}')"
        ))
        .max_rows(1)
        .fails(1, "more than the limit");
    iv(&home, "set")
        .table("leads")
        .id(&l0)
        .set("status", "bogus")
        .fails(2, "leads_status_check");
    let out = iv(&home, "set")
        .table("leads")
        .id(&l1)
        .set("notes", "dry")
        .dry_run()
        .run();
    code(&out, 0);
    assert!(
        stderr(&out).contains("Events: 1 written"),
        "{}",
        describe(&out)
    );
    assert_eq!(event_count(lab, &db), before);

    // The TOM control finds every intervention's events (as the RLS-bound role).
    let check = tom_check(&home);
    let mine = findings(&check, "db.intervention_events");
    let passed: Vec<&Value> = mine.iter().filter(|f| f["status"] == "PASS").collect();
    assert_eq!(
        passed.len(),
        5,
        "4 interventions and the operator events: {mine:?}"
    );
    assert!(mine.iter().all(|f| f["status"] != "FAIL"), "{mine:?}");

    // An operator event nobody can account for is found.
    lab.psql(
        &db,
        &format!(
            "INSERT INTO lead_events (tenant_id, stream_id, seq, type, payload, actor)
             VALUES ('{T3}', '{l0}', 99, 'LeadCorrected', '{{\"changes\": {{}}}}', 'operator:mallory@example.org:incident:INC-0')"
        ),
    );
    let check = tom_check(&home);
    let fail: Vec<Value> = findings(&check, "db.intervention_events")
        .into_iter()
        .filter(|f| f["status"] == "FAIL")
        .collect();
    assert_eq!(fail.len(), 1, "{fail:?}");
    assert_eq!(fail[0]["resource"], "table lead_events: operator events");
    assert!(
        fail[0]["evidence"].as_str().unwrap().contains("(none)"),
        "{fail:?}"
    );

    // Erasure takes the events ltops wrote with the tenant.
    let out = home
        .erase(T3)
        .yes()
        .instruction("TICKET-9")
        .confirm(T3)
        .run();
    code(&out, 0);
    assert_eq!(
        lab.psql(&db, &format!("SELECT count(*) FROM lead_events WHERE tenant_id = '{T3}' OR actor LIKE 'operator:%'")),
        "0"
    );
}

/// `tom check --control TOM-5.1` as JSON (its other checks do not matter here).
fn tom_check(home: &Home) -> Value {
    let out = home
        .tom("check")
        .json()
        .args(["--control", "TOM-5.1"])
        .run();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        describe(&out)
    );
    json_stdout(&out)
}

fn findings(run: &Value, check: &str) -> Vec<Value> {
    run["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().clone())
        .filter(|f| f["check"] == check)
        .collect()
}

#[test]
fn two_interventions_on_one_stream_get_consecutive_numbers() {
    let (lab, home, db) = setup("ev_race");
    let lead = unshared_lead(lab, &db, 0);
    let n = stream(lab, &db, &lead).len() as u64;
    // The first waits before COMMIT, holding its event; the second starts meanwhile.
    let gate = home.path().join("gate");
    let waiting = gate.with_extension("waiting");
    let mut first = iv(&home, "set")
        .table("leads")
        .id(&lead)
        .set("notes", "first")
        .std_command();
    first
        .env("LTOPS_TEST_PAUSE_BEFORE_COMMIT", &gate)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let first = first.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !waiting.exists() {
        assert!(
            Instant::now() < deadline,
            "the first never reached its commit"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = iv(&home, "set")
        .table("leads")
        .id(&lead)
        .set("notes", "second")
        .std_command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The second is waiting for the first (its backend shows a lock wait).
    let deadline = Instant::now() + Duration::from_secs(60);
    while lab.psql(
        &db,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND usename = 'ltops_operator'",
    ) != "1"
    {
        assert!(Instant::now() < deadline, "the second never waited for the first");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::write(&gate, "go").unwrap();
    code(&first.wait_with_output().unwrap(), 0);
    code(&second.wait_with_output().unwrap(), 0);
    let events = stream(lab, &db, &lead);
    let tail: Vec<(u64, Value)> = events[n as usize..]
        .iter()
        .map(|e| {
            (
                e["seq"].as_u64().unwrap(),
                e["payload"]["changes"]["notes"]["after"].clone(),
            )
        })
        .collect();
    assert_eq!(
        tail,
        vec![
            (n + 1, Value::from("first")),
            (n + 2, Value::from("second"))
        ]
    );
    assert_eq!(rebuild_mismatches(lab, &db, &[]), "0 of 1200");
}

const OTHER_SCHEMA: &str = "
CREATE TABLE kontakte (nr bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                       firma uuid NOT NULL REFERENCES tenants (id), name text, telefon text);
CREATE TABLE kontakt_historie (lfd bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                       firma uuid NOT NULL REFERENCES tenants (id), kontakt bigint NOT NULL,
                       version bigint NOT NULL, art text NOT NULL, daten json NOT NULL,
                       urheber text NOT NULL, zeitpunkt timestamptz NOT NULL,
                       UNIQUE (kontakt, version));
CREATE TABLE notizen (id serial PRIMARY KEY, firma uuid NOT NULL REFERENCES tenants (id), text text);
DO $$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['kontakte', 'kontakt_historie', 'notizen'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY p ON %I USING (firma = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO ltops_operator', t);
  END LOOP;
END $$;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ltops_operator;
";

const OTHER_MAP: &str = "  - table: kontakt_historie
    tenant_columns: [firma]
    key: [lfd]
    on_erase: delete
  - table: kontakte
    tenant_columns: [firma]
    key: [nr]
    on_erase: delete
    stream:
      table: kontakt_historie
      tenant_column: firma
      stream_column: kontakt
      refers_to: nr
      seq_column: version
      type_column: art
      payload_column: daten
      actor_column: urheber
      time_column: zeitpunkt
      types: {insert: KontaktAngelegt, update: KontaktKorrigiert, delete: KontaktGeloescht}
      payload: {changes: aenderungen, intervention: eingriff, deleted: all}
      actor: \"mitarbeiter/{user}/{kind}/{reference}\"
  - table: notizen
    tenant_columns: [firma]
    key: [id]
    on_erase: delete
";

/// The repo's policies with `map` as the data map, for `home`.
fn use_map(lab: &Lab, home: &Home, db: &str, map: &str) {
    let dir = home.path().join("policies");
    let src = crate::support::repo_root().join("policies");
    let out = std::process::Command::new("cp")
        .args(["-r", "-T"])
        .arg(&src)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::write(dir.join("datamap.yaml"), map).unwrap();
    home.configure(&format!(
        "{}policies: {}\n",
        lab.database_yaml(db, "ltops_operator"),
        dir.display()
    ));
}

#[test]
fn a_schema_with_other_names_gets_its_events_and_tables_without_a_stream_do_not() {
    let (lab, home, db) = setup("ev_other");
    lab.psql(&db, OTHER_SCHEMA);
    let repo_map =
        std::fs::read_to_string(crate::support::repo_root().join("policies/datamap.yaml")).unwrap();
    use_map(lab, &home, &db, &format!("{repo_map}\n{OTHER_MAP}"));
    let history = |nr: &str| -> Vec<Value> {
        let json = lab.psql(
            &db,
            &format!(
                "SELECT coalesce(json_agg(json_build_object('version', version, 'art', art, 'daten', daten,
                                          'urheber', urheber, 'firma', firma) ORDER BY version), '[]')
                   FROM kontakt_historie WHERE kontakt = {nr}"
            ),
        );
        serde_json::from_str::<Value>(&json)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let out = iv(&home, "sql")
        .sql(&format!(
            "INSERT INTO kontakte (firma, name, telefon) VALUES ('{T3}', 'Erika Muster', '+49 1')"
        ))
        .run();
    code(&out, 0);
    let nr = lab.psql(&db, "SELECT max(nr) FROM kontakte");
    home.intervene("set")
        .yes()
        .tenant(T3)
        .incident("INC-5")
        .table("kontakte")
        .id(&nr)
        .set("telefon", "+49 2")
        .ok();
    iv(&home, "delete").table("kontakte").id(&nr).ok();
    let h = history(&nr);
    let arten: Vec<(u64, &str)> = h
        .iter()
        .map(|e| (e["version"].as_u64().unwrap(), e["art"].as_str().unwrap()))
        .collect();
    assert_eq!(
        arten,
        vec![
            (1, "KontaktAngelegt"),
            (2, "KontaktKorrigiert"),
            (3, "KontaktGeloescht")
        ]
    );
    assert_eq!(
        h[0]["daten"]["aenderungen"]["name"]["after"],
        "Erika Muster"
    );
    assert_eq!(
        h[1]["daten"]["aenderungen"],
        serde_json::json!({"telefon": {"before": "+49 1", "after": "+49 2"}})
    );
    // `deleted: all`: the deletion event names every column's last value.
    assert_eq!(
        h[2]["daten"]["aenderungen"]["name"]["before"],
        "Erika Muster"
    );
    assert_eq!(
        h[2]["daten"]["aenderungen"]["telefon"]["after"],
        Value::Null
    );
    assert!(
        h.iter()
            .all(|e| e["firma"] == T3 && e["daten"]["eingriff"]["audit_id"].is_string())
    );
    assert_eq!(
        h[1]["urheber"],
        "mitarbeiter/alice@leadtributor.cloud/incident/INC-5"
    );

    // A table without a stream: changed as before, no event anywhere.
    let before = (
        lab.psql(&db, "SELECT count(*) FROM kontakt_historie"),
        event_count(lab, &db),
    );
    let out = iv(&home, "sql")
        .sql(&format!(
            "INSERT INTO notizen (firma, text) VALUES ('{T3}', 'hallo')"
        ))
        .run();
    code(&out, 0);
    assert_eq!(json_stdout(&out)["events"], serde_json::json!([]));
    assert_eq!(
        (
            lab.psql(&db, "SELECT count(*) FROM kontakt_historie"),
            event_count(lab, &db),
        ),
        before
    );

    // The platform's map without `stream:` on leads: interventions on leads
    // write no events, exactly as before streams were described.
    let start = repo_map.find("    stream:\n").unwrap();
    let end = start + repo_map[start..].find("    actor: ").unwrap();
    let end = end + repo_map[end..].find('\n').unwrap() + 1;
    let no_stream = format!("{}{}", &repo_map[..start], &repo_map[end..]);
    assert!(!no_stream.contains("stream:"), "{no_stream}");
    use_map(lab, &home, &db, &no_stream);
    let lead = unshared_lead(lab, &db, 0);
    let out = iv(&home, "set")
        .table("leads")
        .id(&lead)
        .set("status", "won")
        .run();
    code(&out, 0);
    assert_eq!(json_stdout(&out)["events"], serde_json::json!([]));
    assert_eq!(event_count(lab, &db), before.1);
}

/// A writer of the platform itself: a database session of its own, as the
/// platform's role under its tenant scope, that does not take ltops's stream
/// lock. The test holds its transaction open between statements.
struct PlatformWriter {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
    pid: String,
}

impl PlatformWriter {
    fn connect(lab: &Lab, db: &str) -> PlatformWriter {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let client = rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&lab.conninfo(db), tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        });
        let mut w = PlatformWriter {
            rt,
            client,
            pid: String::new(),
        };
        w.pid = w.sql("SELECT pg_backend_pid()");
        w
    }

    /// Runs `sql` (one or more statements); the first column of the last row returned.
    fn sql(&self, sql: &str) -> String {
        let messages = self
            .rt
            .block_on(self.client.simple_query(sql))
            .unwrap_or_else(|e| panic!("platform writer: {sql}: {e:?}"));
        messages
            .iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                _ => None,
            })
            .last()
            .unwrap_or_default()
    }
}

/// The platform takes a stream's next number between ltops's lock and its
/// INSERT (it does not know ltops's lock): ltops's INSERT waits on the
/// platform's uncommitted event, collides on the unique (stream, seq) index
/// once that commits, and takes the number after it.
#[test]
fn a_number_the_platform_takes_meanwhile_is_taken_again() {
    let (lab, home, db) = setup("ev_platform");
    let lead = unshared_lead(lab, &db, 0);
    let n = stream(lab, &db, &lead).len() as u64;
    assert!(n > 0);

    // The platform's event is open, not committed: ltops cannot see it. It is a
    // reminder at the lead's own last change, so the projection stays equal.
    let writer = PlatformWriter::connect(lab, &db);
    writer.sql(&format!(
        "BEGIN; SET LOCAL ROLE platform_app; SELECT set_config('app.tenant_id', '{T3}', true)"
    ));
    let taken = writer.sql(&format!(
        "INSERT INTO lead_events (tenant_id, stream_id, seq, type, payload, actor, occurred_at)
         SELECT tenant_id, id, (SELECT max(seq) + 1 FROM lead_events WHERE stream_id = l.id),
                'LeadFollowUpScheduled', jsonb_build_object('due', (updated_at + interval '7 days')::date),
                'system:reminders', updated_at
           FROM leads l WHERE id = '{lead}'
         RETURNING seq"
    ));
    assert_eq!(taken, (n + 1).to_string());

    let mut ltops = iv(&home, "set")
        .table("leads")
        .id(&lead)
        .set("notes", "corrected meanwhile")
        .std_command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // ltops's event INSERT waits for the platform's transaction.
    let waiting = format!(
        "SELECT count(*) FROM pg_stat_activity
          WHERE usename = 'ltops_operator' AND query LIKE 'INSERT INTO%lead_events%'
            AND {} = ANY(pg_blocking_pids(pid))",
        writer.pid
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while lab.psql(&db, &waiting) != "1" {
        if let Some(status) = ltops.try_wait().unwrap() {
            let out = ltops.wait_with_output().unwrap();
            panic!(
                "ltops ended ({status}) before it waited for the platform: {}",
                describe(&out)
            );
        }
        assert!(
            Instant::now() < deadline,
            "ltops never waited for the platform's event"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    writer.sql("COMMIT");

    let out = ltops.wait_with_output().unwrap();
    code(&out, 0);
    let report = json_stdout(&out);
    assert_eq!(report["committed"], true, "{report}");
    assert_eq!(report["events"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["events"][0]["seq"], n + 2, "{report}");

    let events = stream(lab, &db, &lead);
    let tail: Vec<(u64, &str, &str)> = events[n as usize..]
        .iter()
        .map(|e| {
            (
                e["seq"].as_u64().unwrap(),
                e["type"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tail,
        vec![
            (n + 1, "LeadFollowUpScheduled", "system:reminders"),
            (
                n + 2,
                "LeadCorrected",
                "operator:alice@leadtributor.cloud:instruction:TICKET-4711"
            ),
        ]
    );
    let ours: Vec<&Value> = events
        .iter()
        .filter(|e| e["actor"].as_str().unwrap().starts_with("operator:"))
        .collect();
    assert_eq!(ours.len(), 1, "exactly one ltops event: {ours:?}");
    assert_eq!(
        ours[0]["payload"]["intervention"]["audit_id"],
        intent_id(&home, 0)
    );
    assert_eq!(
        ours[0]["payload"]["changes"]["notes"]["after"],
        "corrected meanwhile"
    );
    assert_eq!(rebuild_mismatches(lab, &db, &[]), "0 of 1200");
}
