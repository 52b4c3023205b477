//! Four eyes against the real lab, with two SSO users signed in at once
//! (alice in the `lab` SSO session, the second person in a session of their
//! own): irreversible actions need another person's approval of exactly their
//! plan, once, in time; break-glass runs and stays a TOM finding until approved.
//! Erasure, intervention, retention purge and restore (moto) each go through
//! request → approve → use.

use serde_json::Value;

use crate::support::{Home, Lab, Ltops, describe, json_stdout, lab};

const T3: &str = "00000000-0000-4000-8000-000000000003";
const T4: &str = "00000000-0000-4000-8000-000000000004";
const T5: &str = "00000000-0000-4000-8000-000000000005";
const DORA: &str = "dora@leadtributor.cloud";
const BOB: &str = "bob@leadtributor.cloud";

const POLICY: &str = "\
approvals:
  tenant.erase:
    required: 1
    approvers: [LtopsDPO, LtopsAdmin]
  intervene:
    required: 1
    approvers: [LtopsDPO]
    only_sql: true
  retention.purge:
    required: 1
    approvers: [LtopsOnCall]
";

/// Four eyes on purges and restores only (erasures run alone, so that there
/// is something retained to purge).
const PURGE_RESTORE_POLICY: &str = "\
approvals:
  retention.purge:
    required: 1
    approvers: [LtopsOnCall]
  restore.run:
    required: 1
    approvers: [LtopsOnCall]
";

/// A HOME where alice is signed in (profile `alice`) and `email` too, in an
/// SSO session of their own (profile `second`, permission set `role`).
fn two_people(prefix: &str, user: &str, role: &str, email: &str) -> (&'static Lab, Home, String) {
    two_people_with(prefix, user, role, email, POLICY)
}

/// [`two_people`] under the approval policy `policy`.
fn two_people_with(
    prefix: &str,
    user: &str,
    role: &str,
    email: &str,
    policy: &str,
) -> (&'static Lab, Home, String) {
    let lab = lab();
    let (home, db) = lab.home_with_db(prefix, user, policy);
    home.use_db_password(&if user == "postgres" {
        lab.superuser_password()
    } else {
        lab.operator_password()
    });
    let cfg = home.path().join(".aws/config");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!(
        "\n[profile second]\nsso_session = second\nsso_account_id = {}\nsso_role_name = {role}\nregion = {}\n\n[sso-session second]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n",
        crate::support::ACCOUNT,
        crate::support::REGION,
        crate::support::START_URL,
        crate::support::REGION
    ));
    std::fs::write(&cfg, text).unwrap();
    home.login_as("second", email);
    (lab, home, db)
}

/// `approvals VERB ID` as the second person, confirmed.
fn second<'a>(home: &'a Home, verb: &str, id: &str) -> Ltops<'a> {
    home.cmd(["approvals", verb, id]).profile("second").yes()
}

fn request_id(v: &Value) -> String {
    assert_eq!(v["approval"]["kind"], "requested", "{v}");
    v["approval"]["id"].as_u64().unwrap().to_string()
}

fn rows_of(lab: &Lab, db: &str, tenant: &str) -> i64 {
    lab.psql(
        db,
        &format!("SELECT count(*) FROM leads WHERE tenant_id = '{tenant}'"),
    )
    .parse()
    .unwrap()
}

fn erase<'a>(home: &'a Home, tenant: &str) -> Ltops<'a> {
    home.erase(tenant)
        .yes()
        .json()
        .instruction("TICKET-4711")
        .confirm(tenant)
}

#[test]
fn an_erasure_runs_only_with_another_persons_approval_of_its_exact_plan() {
    let (lab, home, db) = two_people("appr_erase", "postgres", "LtopsDPO", DORA);
    let before = rows_of(lab, &db, T5);
    assert!(before > 0);

    // No approval: refused ("the answer is no"), nothing changed, nothing recorded.
    erase(&home, T5).fails(1, "`tenant.erase` needs 1 approval(s) by another person");
    assert_eq!(rows_of(lab, &db, T5), before);
    assert!(home.audit_events("tenant.erase").is_empty());
    // Break-glass is not allowed for erasures by default.
    erase(&home, T5)
        .args(["--break-glass", "--incident", "INC-1"])
        .fails(1, "break-glass is not allowed for `tenant.erase`");

    // The request records the plan; nothing is erased.
    let id5 = request_id(&erase(&home, T5).arg("--request").ok_json());
    let id4 = request_id(&erase(&home, T4).arg("--request").ok_json());
    assert_eq!(rows_of(lab, &db, T5), before);
    let open = home.cmd(["approvals", "list"]).json().ok_json();
    let shown = &open["requests"].as_array().unwrap()[0];
    assert_eq!(shown["status"], "open", "{open}");
    assert_eq!(shown["plan"]["tenant"], T5);
    assert!(
        shown["plan"]["planned"]["leads"]["delete"]
            .as_i64()
            .unwrap()
            > 0
    );

    // Self-approval is refused, though alice's permission set may approve others.
    home.cmd(["approvals", "approve", &id5])
        .yes()
        .fails(2, "cannot decide on it: four eyes");
    // Not yet approved: refused.
    erase(&home, T5)
        .args(["--approval", &id5])
        .fails(1, "has 0 of the 1 approval(s)");

    second(&home, "approve", &id5).ok();
    // Approved for tenant 5, it does not erase tenant 4.
    erase(&home, T4)
        .args(["--approval", &id5])
        .fails(1, "is not the one approved");
    assert!(rows_of(lab, &db, T4) > 0);
    // Denied: refused.
    second(&home, "deny", &id4)
        .args(["--note", "no ticket for this"])
        .ok();
    erase(&home, T4)
        .args(["--approval", &id4])
        .fails(1, "denied by dora@leadtributor.cloud");
    // An approval after a denial is refused too.
    second(&home, "approve", &id4).fails(2, "already denied");

    // Expired (the test clock two days later): refused.
    erase(&home, T5)
        .env("LTOPS_FAKE_TODAY", "2099-01-01")
        .args(["--approval", &id5])
        .fails(1, "expired at");
    // In time, by the requester, for this plan: erased.
    let v = erase(&home, T5).args(["--approval", &id5]).ok_json();
    assert_eq!(v["approval"]["kind"], "used", "{v}");
    assert_eq!(rows_of(lab, &db, T5), 0);
    let intents: Vec<Value> = home
        .audit_events("tenant.erase")
        .into_iter()
        .filter(|e| e["phase"] == "intent")
        .collect();
    assert_eq!(intents.len(), 1);
    assert_eq!(
        intents[0]["content"]["approval"]["request_seq"]
            .as_u64()
            .unwrap()
            .to_string(),
        id5
    );

    // The story, from the log alone.
    let all = home.cmd(["approvals", "list", "--all"]).json().ok_json();
    let status = |id: &str| {
        all["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["seq"].as_u64().unwrap().to_string() == id)
            .map(|r| r["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(status(&id5), "used");
    assert_eq!(status(&id4), "denied");
    assert_eq!(
        home.cmd(["approvals", "list"]).json().ok_json()["requests"],
        serde_json::json!([])
    );
    let shown = home
        .audit("show")
        .arg("--action")
        .arg("approval.")
        .json()
        .ok_json();
    assert_eq!(
        shown["events"].as_array().unwrap().len(),
        8,
        "2 requests, an approval, a denial"
    );
    home.audit("verify").ok();
}

#[test]
fn approvers_come_from_the_policy_and_decide_once() {
    let (_, home, _) = two_people("appr_who", "postgres", "LtopsOnCall", BOB);
    let id = request_id(&erase(&home, T5).arg("--request").ok_json());
    // bob (LtopsOnCall) is another person and may approve purges, but not erasures.
    second(&home, "approve", &id).fails(2, "permission set LtopsOnCall");
    second(&home, "deny", &id)
        .args(["--note", "x"])
        .fails(2, "may not decide on `tenant.erase`");
    home.cmd(["approvals", "approve", "nonsense"])
        .fails(2, "is not an approval ID");
    second(&home, "approve", "9999").fails(2, "there is no approval request 9999");
    // The request stays open.
    let open = home.cmd(["approvals", "list"]).json().ok_json();
    assert_eq!(open["requests"][0]["status"], "open", "{open}");
}

/// `intervene sql` for tenant 3 as alice.
fn sql<'a>(home: &'a Home, statement: &str) -> Ltops<'a> {
    home.intervene("sql")
        .yes()
        .json()
        .tenant(T3)
        .incident("INC-2026-7")
        .sql(statement)
}

#[test]
fn an_approved_statement_runs_once_and_only_while_it_changes_the_approved_rows() {
    let (lab, home, db) = two_people("appr_iv", "ltops_operator", "LtopsDPO", DORA);
    let lead = |n: usize| {
        lab.psql(
            &db,
            &format!(
                "SELECT id FROM leads WHERE tenant_id = '{T3}' ORDER BY id OFFSET {n} LIMIT 1"
            ),
        )
    };
    let (l0, l1) = (lead(0), lead(1));
    lab.psql(
        &db,
        &format!("UPDATE leads SET company = 'ACME-4EYES' WHERE id = '{l0}'"),
    );
    let notes = |id: &str| {
        lab.psql(
            &db,
            &format!("SELECT coalesce(notes, '') FROM leads WHERE id = '{id}'"),
        )
    };
    let statement = "UPDATE leads SET notes = 'fixed under four eyes' WHERE company = 'ACME-4EYES'";

    // Structured interventions need no approval (only_sql).
    home.intervene("set")
        .yes()
        .tenant(T3)
        .table("leads")
        .id(&l1)
        .set("status", "lost")
        .incident("INC-2026-7")
        .ok();
    // Raw SQL does: refused before anything runs.
    sql(&home, statement).fails(1, "`intervene` needs 1 approval(s)");

    let v = sql(&home, statement).arg("--request").ok_json();
    let id = request_id(&v);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["rows"], 1);
    assert!(
        !notes(&l0).contains("four eyes"),
        "a request changes nothing"
    );
    // The approver sees the statement.
    let list = home
        .cmd(["approvals", "list"])
        .profile("second")
        .json()
        .ok_json();
    assert_eq!(
        list["requests"][0]["personal"]["statement"], statement,
        "{list}"
    );
    assert_eq!(list["requests"][0]["preview"]["rows"], 1);
    second(&home, "approve", &id).ok();

    // Another statement: refused.
    sql(
        &home,
        "UPDATE leads SET notes = 'something else' WHERE company = 'ACME-4EYES'",
    )
    .args(["--approval", &id])
    .fails(1, "is not the one approved");
    // The same statement once it would change more rows: refused, rolled back.
    lab.psql(
        &db,
        &format!("UPDATE leads SET company = 'ACME-4EYES' WHERE id = '{l1}'"),
    );
    sql(&home, statement)
        .args(["--approval", &id])
        .fails(1, "rows (was 1, now 2)");
    assert!(!notes(&l0).contains("four eyes"));
    // As many rows, but another one: refused too.
    lab.psql(
        &db,
        &format!("UPDATE leads SET company = 'Other' WHERE id = '{l0}'"),
    );
    sql(&home, statement)
        .args(["--approval", &id])
        .fails(1, "which_rows");
    assert!(!notes(&l1).contains("four eyes"));
    // Back to the approved plan: it runs, once.
    lab.psql(
        &db,
        &format!(
            "UPDATE leads SET company = 'Other' WHERE id = '{l1}';
             UPDATE leads SET company = 'ACME-4EYES' WHERE id = '{l0}'"
        ),
    );
    let v = sql(&home, statement).args(["--approval", &id]).ok_json();
    assert_eq!(v["committed"], true, "{v}");
    assert!(notes(&l0).contains("four eyes"));
    sql(&home, statement)
        .args(["--approval", &id])
        .fails(1, "already used by audit seq");
}

/// `tom check --control ID` as alice: the findings of `audit.break_glass_approved`.
fn break_glass_findings(home: &Home, control: &str) -> Vec<Value> {
    let out = home.tom("check").control(control).json().run();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        describe(&out)
    );
    let v = json_stdout(&out);
    v["controls"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "audit.break_glass_approved")
        .cloned()
        .collect()
}

#[test]
fn break_glass_runs_is_recorded_and_is_a_tom_finding_until_approved() {
    let (lab, home, db) = two_people("appr_bg", "ltops_operator", "LtopsDPO", DORA);
    let l0 = lab.psql(
        &db,
        &format!("SELECT id FROM leads WHERE tenant_id = '{T3}' ORDER BY id LIMIT 1"),
    );
    let statement = format!("UPDATE leads SET notes = 'hotfix' WHERE id = '{l0}'");
    // Break-glass needs an incident, not an instruction.
    home.intervene("sql")
        .yes()
        .tenant(T3)
        .instruction("TICKET-1")
        .sql(&statement)
        .arg("--break-glass")
        .fails(2, "--break-glass needs --incident REF");
    let out = sql(&home, &statement).arg("--break-glass").run();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BREAK-GLASS"));
    let v = json_stdout(&out);
    assert_eq!(v["committed"], true);
    assert_eq!(v["approval"]["kind"], "break-glass");
    let id = v["approval"]["id"].as_u64().unwrap().to_string();
    assert_eq!(
        lab.psql(&db, &format!("SELECT notes FROM leads WHERE id = '{l0}'")),
        "hotfix"
    );

    for control in ["TOM-5.3", "TOM-9.1"] {
        let f = break_glass_findings(&home, control);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0]["status"], "FAIL", "{f:?}");
        assert_eq!(
            f[0]["resource"],
            format!("audit seq {id} (approval.break-glass)")
        );
    }
    let open = home.cmd(["approvals", "list"]).json().ok_json();
    assert_eq!(
        open["requests"][0]["status"], "break-glass-unapproved",
        "{open}"
    );
    // The one who broke the glass cannot approve it; another person can.
    home.cmd(["approvals", "approve", &id])
        .yes()
        .fails(2, "four eyes");
    second(&home, "approve", &id).ok();
    let f = break_glass_findings(&home, "TOM-5.3");
    assert_eq!(f[0]["status"], "PASS", "{f:?}");
    assert_eq!(
        home.cmd(["approvals", "list"]).json().ok_json()["requests"],
        serde_json::json!([])
    );
    // A break-glass record is not an approval to run again with.
    sql(&home, &statement)
        .args(["--approval", &id])
        .fails(1, "is a break-glass record");

    // One identity that drops `approvals` from its own config runs the
    // statement alone — and the log shows it to the TOM check.
    let gated = |home: &Home| -> Vec<Value> {
        let out = home.tom("check").control("TOM-5.3").json().run();
        json_stdout(&out)["controls"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "audit.gated_actions_approved")
            .cloned()
            .collect()
    };
    assert_eq!(
        gated(&home)[0]["status"],
        "PASS",
        "break-glass counts as gated"
    );
    home.configure(&lab.config_for(&db, "ltops_operator", ""));
    let v = sql(&home, &statement).ok_json();
    assert_eq!(v["committed"], true);
    let seq = v["intent_seq"].as_u64().unwrap();
    let f = gated(&home);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["status"], "FAIL");
    assert_eq!(f[0]["resource"], format!("audit seq {seq} (intervene.sql)"));
}

/// `retention purge` as alice, confirmed.
fn purge(home: &Home) -> Ltops<'_> {
    home.purge().yes().json().instruction("RET-2026")
}

fn invoices_of(lab: &Lab, db: &str, tenant: &str) -> i64 {
    lab.psql(
        db,
        &format!("SELECT count(*) FROM invoices WHERE tenant_id = '{tenant}'"),
    )
    .parse()
    .unwrap()
}

/// Backdates `n` invoices of `tenant` that are not due yet to 2015, so their
/// 8 years have ended today; returns `(id, issued_on before)` of each.
fn make_due(lab: &Lab, db: &str, tenant: &str, n: usize) -> Vec<(String, String)> {
    let rows = lab.psql(
        db,
        &format!(
            "WITH d AS (SELECT id, issued_on FROM invoices
                         WHERE tenant_id = '{tenant}' AND issued_on >= '2016-01-01'
                         ORDER BY id LIMIT {n})
             UPDATE invoices i SET issued_on = '2015-03-01' FROM d WHERE i.id = d.id
             RETURNING i.id || ' ' || d.issued_on"
        ),
    );
    let out: Vec<(String, String)> = rows
        .lines()
        .map(|l| {
            let (id, day) = l.split_once(' ').unwrap();
            (id.to_owned(), day.to_owned())
        })
        .collect();
    assert_eq!(out.len(), n, "{rows}");
    out
}

#[test]
fn a_purge_runs_once_under_an_approval_of_exactly_its_due_rows() {
    let (lab, home, db) = two_people_with(
        "appr_purge",
        "postgres",
        "LtopsOnCall",
        BOB,
        PURGE_RESTORE_POLICY,
    );
    erase(&home, T4).ok();
    let kept = invoices_of(lab, &db, T4);
    let due = make_due(lab, &db, T4, 2);

    // No approval: refused, nothing deleted, nothing recorded.
    purge(&home).fails(1, "`retention.purge` needs 1 approval(s) by another person");
    assert_eq!(invoices_of(lab, &db, T4), kept);
    assert!(home.audit_events("retention.purge").is_empty());

    // The request records the rows due; nothing is deleted.
    let v = purge(&home).arg("--request").ok_json();
    let id = request_id(&v);
    assert_eq!(v["due"][0]["tenant"], T4, "{v}");
    assert_eq!(v["due"][0]["due"], 2, "{v}");
    assert_eq!(invoices_of(lab, &db, T4), kept);
    purge(&home)
        .args(["--approval", &id])
        .fails(1, "has 0 of the 1 approval(s)");
    // bob (LtopsOnCall) is one of the purge's approvers.
    second(&home, "approve", &id).ok();

    // One row more due than approved: another plan, refused.
    let extra = make_due(lab, &db, T4, 1);
    purge(&home)
        .args(["--approval", &id])
        .fails(1, &format!("not the one approved as {id}: due differ(s)"));
    assert_eq!(invoices_of(lab, &db, T4), kept);
    let undue = |(id, day): &(String, String)| {
        lab.psql(
            &db,
            &format!("UPDATE invoices SET issued_on = '{day}' WHERE id = {id}"),
        );
    };
    // As many rows due as approved, but another one among them (the extra
    // row instead of the first approved one): refused too.
    undue(&due[0]);
    purge(&home)
        .args(["--approval", &id])
        .fails(1, &format!("not the one approved as {id}: due differ(s)"));
    assert_eq!(invoices_of(lab, &db, T4), kept);
    undue(&extra[0]);
    lab.psql(
        &db,
        &format!(
            "UPDATE invoices SET issued_on = '2015-03-01' WHERE id = {}",
            due[0].0
        ),
    );

    // The approved plan: purged, the approval consumed.
    let v = purge(&home).args(["--approval", &id]).ok_json();
    assert_eq!(v["approval"]["kind"], "used", "{v}");
    assert_eq!(v["deleted"][0]["deleted"], 2, "{v}");
    assert_eq!(invoices_of(lab, &db, T4), kept - 2);
    let ids: Vec<&str> = due.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        lab.psql(
            &db,
            &format!(
                "SELECT count(*) FROM invoices WHERE id IN ({})",
                ids.join(", ")
            )
        ),
        "0"
    );

    // Two more rows due: the same plan as approved, but the approval is spent.
    make_due(lab, &db, T4, 2);
    purge(&home)
        .args(["--approval", &id])
        .fails(1, "already used by audit seq");
    assert_eq!(invoices_of(lab, &db, T4), kept - 2);

    // The log: one purge, naming the request; the request is used.
    let intents: Vec<Value> = home
        .audit_events("retention.purge")
        .into_iter()
        .filter(|e| e["phase"] == "intent")
        .collect();
    assert_eq!(intents.len(), 1, "{intents:?}");
    assert_eq!(
        intents[0]["content"]["approval"]["request_seq"]
            .as_u64()
            .unwrap()
            .to_string(),
        id
    );
    let all = home.cmd(["approvals", "list", "--all"]).json().ok_json();
    assert_eq!(all["requests"][0]["status"], "used", "{all}");
}

/// `restore run` of the lab's RDS instance `reporting-prod` to `to` into
/// `target`, as alice.
fn restore_run<'a>(home: &'a Home, to: &str, target: &str) -> Ltops<'a> {
    home.restore("run")
        .yes()
        .json()
        .instance("reporting-prod")
        .to(to)
        .target(target)
        .incident("INC-2026-9")
}

/// Whether moto holds an RDS instance `id`.
fn instance_exists(id: &str) -> bool {
    crate::restore::aws_json(&["rds", "describe-db-instances"])["DBInstances"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["DBInstanceIdentifier"] == id)
}

#[test]
fn a_restore_runs_under_an_approval_for_its_time_and_target_only() {
    let (_, home, _) = two_people_with(
        "appr_restore",
        "postgres",
        "LtopsOnCall",
        BOB,
        PURGE_RESTORE_POLICY,
    );
    let pid = std::process::id();
    let (a, b, c) = (
        format!("pitr-appr-a-{pid}"),
        format!("pitr-appr-b-{pid}"),
        format!("pitr-appr-c-{pid}"),
    );
    // An absolute time: requested and run, it names the same moment.
    let plan = home
        .restore("plan")
        .json()
        .instance("reporting-prod")
        .to("latest")
        .ok_json();
    let to = plan["time_utc"].as_str().unwrap().to_owned();

    restore_run(&home, &to, &a).fails(1, "`restore.run` needs 1 approval(s)");
    let v = restore_run(&home, &to, &a).arg("--request").ok_json();
    let id = request_id(&v);
    assert!(!instance_exists(&a), "a request restores nothing");
    second(&home, "approve", &id).ok();

    // Approved for target a, it does not restore into b.
    restore_run(&home, &to, &b).args(["--approval", &id]).fails(
        1,
        &format!("not the one approved as {id}: target differ(s)"),
    );
    assert!(!instance_exists(&b));
    // Nor to another moment (a second after the start of the window).
    let earliest = chrono::DateTime::parse_from_rfc3339(
        plan["source"]["window"]["earliest"].as_str().unwrap(),
    )
    .unwrap();
    let other = (earliest + chrono::Duration::seconds(1))
        .to_utc()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    assert!(other < to, "{other} is not before {to}");
    restore_run(&home, &other, &a)
        .args(["--approval", &id])
        .fails(
            1,
            &format!("not the one approved as {id}: restore_time differ(s)"),
        );
    assert!(!instance_exists(&a));

    let v = restore_run(&home, &to, &a)
        .args(["--approval", &id])
        .ok_json();
    assert_eq!(v["approval"]["kind"], "used", "{v}");
    assert_eq!(v["ready"], true, "{}", v["checks"]);
    assert!(instance_exists(&a));

    // Spent: not even into a fresh target.
    restore_run(&home, &to, &c)
        .args(["--approval", &id])
        .fails(1, "already used by audit seq");
    assert!(!instance_exists(&c));
    let runs: Vec<Value> = home
        .audit_events("restore.run")
        .into_iter()
        .filter(|e| e["phase"] == "intent")
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["target"]["resource"], a, "{runs:?}");
}

/// The policy pinned in the log holds for an operator who drops `approvals`
/// from their own ltops.yaml; a pin can only tighten.
#[test]
fn a_pinned_policy_holds_when_the_operator_drops_it_from_their_config() {
    let (lab, home, db) = two_people("appr_pin", "postgres", "LtopsDPO", DORA);
    // The admin pins the policy of this config; the same pin again records nothing.
    let v = home.cmd(["approvals", "pin"]).yes().json().ok_json();
    assert!(v["intent_seq"].is_u64(), "{v}");
    assert_eq!(v["policies"]["tenant.erase"]["required"], 1, "{v}");
    let v = home.cmd(["approvals", "pin"]).yes().json().ok_json();
    assert_eq!(v["unchanged"], true, "{v}");
    assert_eq!(
        home.audit_events("approval.policy").len(),
        2,
        "one intent, one outcome"
    );

    // alice drops `approvals` from her own config: the pinned policy still holds.
    let cfg = home.config_file();
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains(POLICY), "{text}");
    std::fs::write(&cfg, text.replace(POLICY, "")).unwrap();
    let before = rows_of(lab, &db, T5);
    erase(&home, T5).fails(1, "`tenant.erase` needs 1 approval(s) by another person");
    assert_eq!(rows_of(lab, &db, T5), before);
    assert!(home.audit_events("tenant.erase").is_empty());
    // A pin from the looser config is refused, and records nothing.
    home.cmd(["approvals", "pin"])
        .yes()
        .fails(1, "can only be made stricter");
    assert_eq!(home.audit_events("approval.policy").len(), 2);
    // The request still works under the pinned policy.
    let v = erase(&home, T5).arg("--request").ok_json();
    request_id(&v);
    assert_eq!(rows_of(lab, &db, T5), before);
}
