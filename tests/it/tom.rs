//! The annual TOM review through the real binary: the compliant lab account passes;
//! a second account (and database, and audit log) seeded with one deliberate
//! violation per automated check yields exactly those findings and nothing else.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{
    ACCOUNT, Home, REGION, anchor_peers, json_stdout, lab, ok, repo_root, succeeded,
};
use ltops::audit::event::{Draft, Outcome, Phase, Reason, ReasonKind, Target};
use ltops::audit::file_store::FileStore;
use ltops::aws::identity::Actor;

const VIOLATIONS_ACCOUNT: &str = "210987654321";
/// Seeded with the violations: nothing but the DPO's role (no trail).
const BARE_ACCOUNT: &str = "109876543210";
const DORA: &str = "dora@leadtributor.cloud";
/// Tenant 4 of tests/fixtures/seed.sql.
const ERASED_TENANT: &str = "00000000-0000-4000-8000-000000000004";

/// The violations account, seeded once per lab.
fn violations() -> &'static Value {
    static SEED: OnceLock<Value> = OnceLock::new();
    SEED.get_or_init(|| {
        let out = std::process::Command::new(repo_root().join(".venv/bin/python"))
            .arg(repo_root().join("tests/lab/seed_moto.py"))
            .args([
                "--endpoint",
                &lab().moto(),
                "--scenario",
                "violations",
                "--account",
                VIOLATIONS_ACCOUNT,
            ])
            .output()
            .expect("run seed_moto.py");
        let out = succeeded("seed_moto.py --scenario violations", out);
        let v: Value = serde_json::from_slice(&out.stdout).expect("seed JSON");
        assert!(
            v.get("already_seeded").is_none(),
            "the violations account was seeded by someone else: {v}"
        );
        v
    })
}

/// A copy of the repo's policies with the lab's own exceptions file.
fn policies(home: &Home, exceptions: &str) -> PathBuf {
    let dir = home.path().join("policies");
    std::fs::create_dir_all(dir.join("tom")).unwrap();
    std::fs::copy(
        repo_root().join("policies/datamap.yaml"),
        dir.join("datamap.yaml"),
    )
    .unwrap();
    for e in std::fs::read_dir(repo_root().join("policies/tom")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join("tom").join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.join("exceptions.yaml"), exceptions).unwrap();
    dir
}

/// moto cannot turn on root MFA (its account summary always says 0): the lab
/// accepts that, as a real account would accept a known deviation.
fn moto_root_exception(account: &str) -> String {
    format!(
        "version: 1\nexceptions:\n  - control: TOM-2.12\n    resource: \"arn:aws:iam::{account}:root\"\n    reason: \"moto cannot enable root MFA (AccountMFAEnabled is always 0)\"\n    approver: \"lab\"\n    expires: 2099-12-31\n"
    )
}

/// The root-MFA exception, and the anchor tests' London bucket (they need one to
/// show that `audit init` refuses it; it lives in the shared lab account).
fn lab_exceptions(account: &str) -> String {
    let mut s = moto_root_exception(account);
    for control in ["TOM-0.1", "TOM-0.2"] {
        s.push_str(&format!(
            "  - control: {control}\n    resource: \"arn:aws:s3:::ltops-anchor-london-*\"\n    reason: \"the anchor tests' bucket outside the EEA (audit init must refuse it)\"\n    approver: \"lab\"\n    expires: 2099-12-31\n"
        ));
    }
    for kind in ["cluster", "db"] {
        s.push_str(&format!(
            "  - control: TOM-7.5\n    resource: \"arn:aws:rds:*:{account}:{kind}:*pitr-*\"\n    reason: \"the restore tests' copies carry production's tags but are never cut over\"\n    approver: \"lab\"\n    expires: 2099-12-31\n"
        ));
    }
    s.push_str("  - control: TOM-4.1\n    resource: \"arn:aws:s3:::ltops-anchor-*\"\n    reason: \"the lab speaks plain HTTP and moto enforces aws:SecureTransport: a TLS-only policy would lock the anchor tests out\"\n    approver: \"lab\"\n    expires: 2099-12-31\n");
    s
}

fn dpo_home(account: &str, db: &str, exceptions: &str) -> (Home, &'static str) {
    let home = lab().home();
    let profile = if account == ACCOUNT {
        "dora"
    } else {
        let cfg = home.path().join(".aws/config");
        let mut text = std::fs::read_to_string(&cfg).unwrap();
        text.push_str(&format!(
            "\n[profile dora-violations]\nsso_session = lab\nsso_account_id = {account}\nsso_role_name = LtopsDPO\nregion = {REGION}\n"
        ));
        std::fs::write(&cfg, text).unwrap();
        "dora-violations"
    };
    let pol = policies(&home, exceptions);
    home.configure(&format!(
        "policies: {}\n{}",
        pol.display(),
        lab().database_yaml(db, "ltops_operator")
    ));
    home.login_as(profile, DORA);
    (home, profile)
}

fn tom(home: &Home, profile: &str, args: &[&str]) -> Output {
    home.ltops()
        .env("LTOPS_DB_PASSWORD", lab().operator_password())
        .args(["--profile", profile, "--format", "json", "tom"])
        .args(args)
        .output()
        .unwrap()
}

fn catalog(home: &Home, profile: &str) -> Vec<Value> {
    let out = tom(home, profile, &["controls", "--tom", "/dev/null"]);
    json_stdout(&out)["controls"].as_array().unwrap().clone()
}

fn attestation_ids(controls: &[Value]) -> Vec<String> {
    controls
        .iter()
        .filter(|c| c["kind"] == "attestation")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn attest(home: &Home, profile: &str, ids: &[String]) {
    let mut args = vec!["--yes", "attest"];
    args.extend(ids.iter().map(String::as_str));
    args.extend([
        "--evidence",
        "https://wiki.leadtributor.cloud/dpo/review-2026 (walk-through protocol)",
    ]);
    ok(&tom(home, profile, &args));
}

/// The result for control `id` in a `tom check` run.
fn control<'a>(run: &'a Value, id: &str) -> &'a Value {
    run["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id} in the run"))
}

/// (control, status, resource) of every result that is not fine.
fn findings(run: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for c in run["controls"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            let s = f["status"].as_str().unwrap();
            if !matches!(s, "PASS" | "VALID" | "NOT_APPLICABLE" | "ACCEPTED") {
                out.insert((
                    c["id"].as_str().unwrap().to_owned(),
                    s.to_owned(),
                    f["resource"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

#[test]
fn compliant_account_passes_and_the_report_is_filed() {
    let db = lab().create_database("tom_ok");
    let (home, profile) = dpo_home(ACCOUNT, &db, &lab_exceptions(ACCOUNT));
    // The log is anchored: a compliance-mode bucket and a signing key.
    let (bucket, key) = anchor_peers("tom", REGION, Some("COMPLIANCE"));
    let config = std::fs::read_to_string(home.config_file()).unwrap();
    std::fs::write(
        home.config_file(),
        format!("{config}{}", crate::anchor::anchor_yaml(&bucket, &key)),
    )
    .unwrap();
    let controls = catalog(&home, profile);
    attest(&home, profile, &attestation_ids(&controls));

    // The first review under ltops has no previous one: that is its only finding.
    let out = home.path().join("tom-2026.md");
    let first = tom(&home, profile, &["report", "--out", out.to_str().unwrap()]);
    assert_eq!(
        first.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let json_path = out.with_extension("json");
    let first_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(
        findings(&first_json),
        BTreeSet::from([(
            "TOM-9.1".to_owned(),
            "FAIL".to_owned(),
            "annual review".to_owned()
        )])
    );
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.starts_with("# Jährliche Überprüfung der technischen und organisatorischen Maßnahmen"),
        "{md}"
    );
    assert!(md.contains("## Zeuge: Kopf des Audit-Logs"));
    assert!(
        md.contains("dora@leadtributor.cloud"),
        "attestations name the person"
    );
    assert!(
        md.contains("moto cannot enable root MFA"),
        "accepted exceptions are listed"
    );

    // Now the check passes: every control PASS, VALID, ACCEPTED or NOT_APPLICABLE.
    let run = tom(&home, profile, &["check"]);
    let v = json_stdout(&run);
    assert_eq!(run.status.code(), Some(0), "{:#?}", findings(&v));
    assert_eq!(v["kind"], "tom.check");
    assert_eq!(v["account"], ACCOUNT);
    assert_eq!(v["controls"].as_array().unwrap().len(), controls.len());
    assert_eq!(control(&v, "TOM-2.12")["status"], "ACCEPTED");
    let admins = control(&v, "TOM-3.6");
    let ev = admins["findings"][0]["evidence"].as_str().unwrap();
    assert!(
        ev.starts_with("2 with full access") && ev.contains("alice@") && ev.contains("adam@"),
        "{ev}"
    );

    // Next year's report compares with this one.
    let out2 = home.path().join("tom-2027.html");
    let second = tom(
        &home,
        profile,
        &[
            "report",
            "--out",
            out2.to_str().unwrap(),
            "--previous",
            json_path.to_str().unwrap(),
            "--lang",
            "en",
        ],
    );
    ok(&second);
    let html = std::fs::read_to_string(&out2).unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Changes since the previous report")
    );
    assert!(
        html.contains("<td>TOM-9.1</td><td>FAIL</td><td>PASS</td>"),
        "{html}"
    );
    // Reports are evidence: never overwritten.
    let again = tom(&home, profile, &["report", "--out", out2.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
}

fn actor(account: &str) -> Actor {
    Actor {
        arn: format!(
            "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_LtopsAdmin_0123456789abcdef/alice@leadtributor.cloud"
        ),
        user: "alice@leadtributor.cloud".into(),
        account: account.into(),
        permission_set: "LtopsAdmin".into(),
    }
}

/// Appends an intent and its ok outcome, `days_ago` in the past.
fn record(
    store: &FileStore,
    action: &str,
    target: Target,
    reason: Option<Reason>,
    content: Value,
    days_ago: i64,
) {
    let at = Utc::now() - Duration::days(days_ago);
    let intent = store
        .append(
            Draft {
                id: Uuid::now_v7(),
                at,
                actor: actor(VIOLATIONS_ACCOUNT),
                action: action.into(),
                phase: Phase::Intent,
                result: None,
                intent: None,
                target: target.clone(),
                reason: reason.clone(),
                content,
            },
            None,
        )
        .unwrap();
    store
        .append(
            Draft {
                id: Uuid::now_v7(),
                at: at + Duration::seconds(1),
                actor: actor(VIOLATIONS_ACCOUNT),
                action: action.into(),
                phase: Phase::Outcome,
                result: Some(Outcome::Ok),
                intent: Some(intent.id),
                target,
                reason,
                content: json!({}),
            },
            None,
        )
        .unwrap();
}

fn seed_audit_violations(path: &Path) {
    let store = FileStore::new(path.to_path_buf());
    let reason = Reason::new(ReasonKind::Instruction, "TICKET-4711", None).unwrap();
    // seq 1-2: an erasure whose rows are still there; seq 1 is tampered with below.
    record(
        &store,
        "tenant.erase",
        Target {
            tenant: Some(ERASED_TENANT.into()),
            resource: None,
        },
        Some(reason),
        json!({"note": "customer instruction"}),
        3,
    );
    // seq 3-4: an intervention without a reason.
    record(
        &store,
        "manual.psql.update",
        Target {
            tenant: None,
            resource: Some("leads".into()),
        },
        None,
        json!({}),
        2,
    );
    // seq 5-6: the last annual review, 400 days ago.
    record(
        &store,
        "tom.report",
        Target::default(),
        None,
        json!({"out": "tom-2025.md"}),
        400,
    );
    // seq 7-8: an attestation of TOM-2.4 that expired 35 days ago.
    let at = Utc::now() - Duration::days(400);
    record(
        &store,
        "tom.attest",
        Target::default(),
        None,
        ltops::tom::attest::content(
            &["TOM-2.4".into()],
            "vault access list 2025",
            DORA,
            at,
            at + Duration::days(365),
        ),
        400,
    );
}

fn tamper_first_event(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert!(lines[0].contains("customer instruction"));
    lines[0] = lines[0].replace("customer instruction", "customer instructiom");
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

const DB_VIOLATIONS: &str = "
ALTER TABLE access_log NO FORCE ROW LEVEL SECURITY;
ALTER TABLE access_log DISABLE ROW LEVEL SECURITY;
ALTER TABLE marketplaces ALTER COLUMN tenant_id DROP NOT NULL;
CREATE TABLE lead_notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    note text
);
ALTER TABLE lead_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_notes
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT ON lead_notes TO ltops_operator;
";

#[test]
fn violations_account_yields_exactly_the_seeded_findings() {
    let seed = violations();
    let db = lab().create_database("tom_bad");
    lab().psql(&db, DB_VIOLATIONS);
    let (home, profile) = dpo_home(VIOLATIONS_ACCOUNT, &db, &moto_root_exception(ACCOUNT));
    let controls = catalog(&home, profile);
    seed_audit_violations(&home.audit_file());
    // Everything attested but TOM-1.4 (missing) and TOM-2.4 (expired above).
    let ids: Vec<String> = attestation_ids(&controls)
        .into_iter()
        .filter(|i| i != "TOM-1.4" && i != "TOM-2.4")
        .collect();
    attest(&home, profile, &ids);
    tamper_first_event(&home.audit_file());

    let run = tom(&home, profile, &["check"]);
    let v = json_stdout(&run);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(v["account"], VIOLATIONS_ACCOUNT);

    let controls_with = |check: &str| -> Vec<String> {
        controls
            .iter()
            .filter(|c| {
                c["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["name"] == check)
            })
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut expected: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut expect = |check: &str, status: &str, resource: &str| {
        let ids = controls_with(check);
        assert!(!ids.is_empty(), "no control uses {check}");
        for id in ids {
            expected.insert((id, status.to_owned(), resource.to_owned()));
        }
    };
    for viol in seed["violations"].as_array().unwrap() {
        expect(
            viol["check"].as_str().unwrap(),
            "FAIL",
            viol["resource"].as_str().unwrap(),
        );
    }
    // moto: root MFA can never be on, and the exception is for the other account only.
    expect(
        "iam.root_account",
        "FAIL",
        &format!("arn:aws:iam::{VIOLATIONS_ACCOUNT}:root"),
    );
    expect("db.rls_forced", "FAIL", "table public.access_log");
    expect(
        "db.tenant_column_not_null",
        "FAIL",
        "column public.marketplaces.tenant_id",
    );
    expect("db.datamap_coverage", "FAIL", "table public.lead_notes");
    expect(
        "db.erasure_complete",
        "FAIL",
        &format!("tenant {ERASED_TENANT}"),
    );
    expect(
        "audit.interventions_have_reason",
        "FAIL",
        "audit seq 3 (manual.psql.update)",
    );
    expect(
        "audit.chain_intact",
        "FAIL",
        &format!("audit log (file {})", home.audit_file().display()),
    );
    expect("audit.review_recent", "FAIL", "annual review");
    expect("audit.anchored", "FAIL", "audit anchor");
    // The seeded erasure ran without another person's approval.
    expect(
        "audit.gated_actions_approved",
        "FAIL",
        "audit seq 1 (tenant.erase)",
    );
    expected.insert(("TOM-1.4".into(), "MISSING".into(), "TOM-1.4".into()));
    expected.insert(("TOM-2.4".into(), "EXPIRED".into(), "TOM-2.4".into()));

    let got = findings(&v);
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not reported: {missing:#?}\nreported but not seeded: {extra:#?}"
    );

    // The evidence says what is wrong.
    let evidence = |id: &str, needle: &str| {
        let c = control(&v, id);
        assert!(
            c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["evidence"].as_str().unwrap().contains(needle)),
            "{id}: no evidence mentioning {needle:?}: {c:#}"
        );
    };
    evidence("TOM-0.1", "region eu-west-2 is not an allowed region");
    evidence("TOM-3.6", "3 with full access");
    evidence("TOM-3.6", "group ops-admins");
    evidence("TOM-2.14", "PT12H");
    evidence("TOM-4.1", "rds.force_ssl = 0");
    evidence("TOM-2.13", "minimum length 8 < 14");
    evidence("TOM-3.3", "rows are left");
    evidence("TOM-5.3", "Modified");

    // --section and --control narrow the run.
    let one = tom(&home, profile, &["check", "--control", "TOM-2.14"]);
    let one = json_stdout(&one);
    assert_eq!(one["controls"].as_array().unwrap().len(), 1);
    let sec = json_stdout(&tom(&home, profile, &["check", "--section", "1"]));
    assert!(
        sec["controls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["section"] == 1)
    );
}

#[test]
fn unreachable_aws_and_database_are_errors_not_passes() {
    let home = lab().home();
    let pol = policies(&home, "");
    home.configure(&format!(
        "policies: {}\ndatabase:\n  url: postgres://nobody@127.0.0.1:1/nothing\n  tls: disable\n",
        pol.display()
    ));
    let out = home
        .ltops()
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .args([
            "--profile",
            "ci",
            "--format",
            "json",
            "tom",
            "check",
            "--section",
            "8",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_stdout(&out);
    for c in v["controls"].as_array().unwrap() {
        if c["kind"] == "automated" {
            assert_eq!(c["status"], "ERROR", "{c:#}");
        }
    }
}

#[test]
fn malformed_catalog_is_located_and_unknown_checks_refused() {
    let home = lab().home();
    let pol = policies(&home, "");
    home.configure(&format!("policies: {}\n", pol.display()));
    let f = pol.join("tom/07-verfuegbarkeitskontrolle.yaml");
    let good = std::fs::read_to_string(&f).unwrap();

    std::fs::write(
        &f,
        good.replacen("    kind: automated", "    kind: [automated", 1),
    )
    .unwrap();
    let out = home.ltops().args(["tom", "controls"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:", f.display())), "{err}");
    let loc = err.split(&format!("{}:", f.display())).nth(1).unwrap();
    let mut parts = loc.splitn(3, ':');
    assert!(
        parts.next().unwrap().parse::<usize>().is_ok()
            && parts.next().unwrap().parse::<usize>().is_ok(),
        "{err}"
    );

    std::fs::write(
        &f,
        good.replacen(
            "check: rds.backup_retention",
            "check: rds.backup_retentoin",
            1,
        ),
    )
    .unwrap();
    let out = home.ltops().args(["tom", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = good
        .lines()
        .position(|l| l.contains("check: rds.backup_retention"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "{}:{line}:9: control TOM-7.1: unknown check `rds.backup_retentoin`",
            f.display()
        )),
        "{err}"
    );

    std::fs::write(&f, good.replacen("id: TOM-7.2", "id: TOM-7.1", 1)).unwrap();
    let out = home.ltops().args(["tom", "controls"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate control id"));
}

#[test]
fn attest_refuses_automated_controls_and_other_permission_sets() {
    let home = lab().home();
    let pol = policies(&home, "");
    home.configure(&format!("policies: {}\n", pol.display()));
    home.login_as("dora", DORA);
    let out = tom(
        &home,
        "dora",
        &[
            "--yes",
            "attest",
            "TOM-4.2",
            "--evidence",
            "it is encrypted",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("automated control"));
    // alice (LtopsAdmin) may not attest: only the DPO's permission set may.
    home.login();
    let out = tom(
        &home,
        "alice",
        &["--yes", "attest", "TOM-1.2", "--evidence", "doors locked"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not allowed for permission set LtopsAdmin")
    );
}

#[test]
fn every_account_through_the_portal_each_finding_names_its_account() {
    let seed = violations();
    let db = lab().create_database("tom_accounts");
    let (home, profile) = dpo_home(ACCOUNT, &db, &lab_exceptions(ACCOUNT));
    let run = tom(
        &home,
        profile,
        &["check", "--section", "0", "--accounts", "all"],
    );
    let v = json_stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{v:#}");
    let ids: Vec<&str> = v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [BARE_ACCOUNT, ACCOUNT, VIOLATIONS_ACCOUNT], "{v:#}");
    let seeded: BTreeSet<&str> = seed["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["resource"].as_str().unwrap())
        .collect();
    let london = seed["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["check"] == "rds.region_in_eea")
        .unwrap()["resource"]
        .as_str()
        .unwrap();
    for id in ["TOM-0.1", "TOM-0.2"] {
        let c = control(&v, id);
        assert_eq!(c["status"], "FAIL", "{c:#}");
        let all = c["findings"].as_array().unwrap();
        for f in all {
            let account = f["account"]
                .as_str()
                .expect("every finding names its account");
            if f["status"] == "FAIL" {
                assert_eq!(account, VIOLATIONS_ACCOUNT, "{f:#}");
                assert!(
                    seeded.contains(f["resource"].as_str().unwrap()),
                    "not seeded: {f:#}"
                );
            }
        }
        assert!(
            all.iter()
                .any(|f| f["resource"] == london && f["status"] == "FAIL"),
            "{c:#}"
        );
        assert!(
            all.iter()
                .any(|f| f["account"] == ACCOUNT && f["status"] == "PASS"),
            "the compliant account still passes: {c:#}"
        );
    }

    // An account the portal does not give this sign-in is an ERROR for every
    // AWS control, never skipped.
    let run = tom(
        &home,
        profile,
        &[
            "check",
            "--section",
            "0",
            "--accounts",
            &format!("{ACCOUNT},999999999999"),
        ],
    );
    let v = json_stdout(&run);
    assert_eq!(run.status.code(), Some(1));
    for id in ["TOM-0.1", "TOM-0.2"] {
        let c = control(&v, id);
        assert_eq!(c["status"], "ERROR", "{c:#}");
        let err = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["account"] == "999999999999")
            .unwrap_or_else(|| panic!("no finding for the unreachable account: {c:#}"));
        assert_eq!(err["status"], "ERROR");
        assert!(
            err["evidence"]
                .as_str()
                .unwrap()
                .contains("does not list account 999999999999"),
            "{err:#}"
        );
    }

    // An account without any trail: exactly that finding, under that account.
    let run = tom(
        &home,
        profile,
        &["check", "--control", "TOM-3.2", "--accounts", BARE_ACCOUNT],
    );
    let v = json_stdout(&run);
    assert_eq!(run.status.code(), Some(1), "{v:#}");
    let expected: BTreeSet<(String, String, String)> = seed["bare"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(x["check"], "cloudtrail.enabled");
            (
                "TOM-3.2".to_owned(),
                "FAIL".to_owned(),
                x["resource"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(findings(&v), expected, "{v:#}");
    let trail = &control(&v, "TOM-3.2")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "cloudtrail.enabled")
        .unwrap();
    assert_eq!(trail["account"], BARE_ACCOUNT);
    assert!(
        trail["evidence"]
            .as_str()
            .unwrap()
            .contains("no CloudTrail trail"),
        "{trail:#}"
    );
}

/// The HTML report over every account: every FAIL and ERROR of the run is a row
/// of its own (parsed with a real HTML parser), passing ones are folded into
/// `<details>`, statuses carry colour classes, evidence is German, no script.
#[test]
fn html_report_lists_every_fail_and_error() {
    violations();
    let db = lab().create_database("tom_html");
    let (home, profile) = dpo_home(ACCOUNT, &db, &lab_exceptions(ACCOUNT));
    let out = home.path().join("tom-estate.html");
    let run = tom(
        &home,
        profile,
        &[
            "report",
            "--out",
            out.to_str().unwrap(),
            "--accounts",
            "all",
        ],
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.with_extension("json")).unwrap())
            .unwrap();
    let dom = tl::parse(&html, tl::ParserOptions::default()).expect("the report parses as HTML");
    let parser = dom.parser();
    let text = |n: &tl::Node| {
        n.inner_text(parser)
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
    };
    // (resource, account, check, status) of every row listed one by one.
    let mut rows: BTreeSet<(String, String, String, String)> = BTreeSet::new();
    for status in ["fail", "error"] {
        for tr in dom
            .query_selector(&format!("tr.r-{status}"))
            .unwrap()
            .filter_map(|h| h.get(parser))
        {
            let cells: Vec<String> = tr
                .children()
                .unwrap()
                .top()
                .iter()
                .filter_map(|c| c.get(parser))
                .filter(|c| c.as_tag().is_some_and(|t| t.name() == "td"))
                .map(|c| text(c).trim().to_owned())
                .collect();
            assert_eq!(cells.len(), 5, "{cells:?}");
            rows.insert((
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                status.to_uppercase(),
            ));
        }
    }
    let mut expected = BTreeSet::new();
    for c in json["controls"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            let s = f["status"].as_str().unwrap();
            if s == "FAIL" || s == "ERROR" {
                expected.insert((
                    f["resource"].as_str().unwrap().to_owned(),
                    f["account"].as_str().unwrap_or("").to_owned(),
                    f["check"].as_str().unwrap().to_owned(),
                    s.to_owned(),
                ));
            }
        }
    }
    assert!(
        expected.len() > 20,
        "the estate has findings: {expected:#?}"
    );
    let missing: Vec<_> = expected.difference(&rows).collect();
    assert!(missing.is_empty(), "not in the HTML report: {missing:#?}");
    // Every account's violation is there, in German, with its colour.
    assert!(
        html.contains("kein CloudWatch-Alarm für diese Datenbank"),
        "German evidence"
    );
    assert!(
        html.contains("kein CloudTrail-Trail"),
        "the bare account's finding"
    );
    assert!(html.contains("class=\"st s-fail\""));
    assert!(html.contains("<svg class=\"bar\""));
    assert!(html.contains("@media print"));
    assert!(!html.to_ascii_lowercase().contains("<script"));
    for loads in ["src=", "<link", "@import", "url("] {
        assert!(!html.contains(loads), "nothing from the network: {loads}");
    }
    let folded = dom.query_selector("details").unwrap().count();
    assert!(folded > 10, "passing findings are folded: {folded}");
    for a in [ACCOUNT, VIOLATIONS_ACCOUNT, BARE_ACCOUNT] {
        assert!(
            html.contains(&format!("<code>{a}</code>")),
            "summary row of {a}"
        );
    }
}
