//! Point-in-time restore against moto and the test Postgres: the window at its
//! edges, zones, target collisions, settings copied, the Aurora writer, erasures
//! re-applied to a copy taken before them, Ctrl-C during the wait.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::support::{Home, Ltops, free_port, interrupt, json_stdout, lab, ok, repo_root, stderr};

const T5: &str = "00000000-0000-4000-8000-000000000005";
const T4: &str = "00000000-0000-4000-8000-000000000004";

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn plan_json(home: &Home, to: &str, extra: &[&str]) -> (Option<i32>, Value, String) {
    let out = home
        .restore("plan")
        .json()
        .cluster("platform-prod")
        .to(to)
        .args(extra.iter().copied())
        .run();
    let v = if out.stdout.is_empty() {
        Value::Null
    } else {
        json_stdout(&out)
    };
    (out.status.code(), v, stderr(&out))
}

/// `restore run` of the lab's cluster to `to` into `target`, as the on-call
/// engineer types it.
fn restore_run<'a>(home: &'a Home, to: &str, target: &str, incident: &str) -> Ltops<'a> {
    home.restore("run")
        .yes()
        .cluster("platform-prod")
        .to(to)
        .target(target)
        .incident(incident)
}

/// `tenant erase T` on the instruction `ticket`, confirmed.
fn erase(home: &Home, tenant: &str, ticket: &str) {
    home.erase(tenant)
        .yes()
        .instruction(ticket)
        .confirm(tenant)
        .ok();
}

/// The same moment a second ago: a restore time the copy taken now still covers.
fn a_second_ago() -> DateTime<Utc> {
    let t = Utc::now() - chrono::Duration::seconds(1);
    std::thread::sleep(Duration::from_millis(1100));
    t
}

fn window(home: &Home) -> (DateTime<Utc>, DateTime<Utc>) {
    let (code, v, err) = plan_json(home, "latest", &[]);
    assert_eq!(code, Some(0), "{err}");
    let t = |k: &str| {
        DateTime::parse_from_rfc3339(v["source"]["window"][k].as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    (t("earliest"), t("latest"))
}

#[test]
fn the_window_is_enforced_at_its_edges_and_times_need_a_zone() {
    let home = lab().home();
    home.login();
    let (earliest, _) = window(&home);
    // moto keeps whole seconds; stay a second inside.
    let inside = earliest + chrono::Duration::seconds(1);
    let (code, v, err) = plan_json(&home, &rfc(inside), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        v["time_utc"],
        inside.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    let berlin = v["time_berlin"].as_str().unwrap();
    assert!(berlin.ends_with(" CET") || berlin.ends_with(" CEST"), "{v}");
    assert!(
        v["target"]
            .as_str()
            .unwrap()
            .starts_with("platform-prod-pitr-")
    );

    let (code, _, err) = plan_json(&home, &rfc(earliest - chrono::Duration::seconds(1)), &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("before the earliest restorable time"), "{err}");

    let (code, _, err) = plan_json(&home, &rfc(Utc::now() + chrono::Duration::minutes(5)), &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("in the future"), "{err}");

    let (code, _, err) = plan_json(&home, "2026-11-27T03:00:00", &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no time zone"), "{err}");

    // The same instant written with a Berlin offset lands on the same UTC time.
    let berlin = inside
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
        .to_rfc3339();
    let (code, v, err) = plan_json(&home, &berlin, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        v["time_utc"],
        inside.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );

    let (code, _, err) = plan_json(&home, "-30d", &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("before the earliest"), "{err}");
}

#[test]
fn an_existing_target_is_never_overwritten() {
    let home = lab().home();
    home.login();
    let (code, _, err) = plan_json(&home, "latest", &["--target", "platform-prod"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("already exists; a restore never overwrites"),
        "{err}"
    );
    let (code, _, err) = plan_json(&home, "latest", &["--target", "bad_name"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not an RDS identifier"), "{err}");
}

/// A signed-in on-call engineer whose config reaches the live database `live`,
/// and maps the restored target to `copy` (standing for the restored database).
fn setup(target: &str, copy_url: &str) -> (Home, String) {
    lab().home_with_db(
        "restore_live",
        "postgres",
        &format!("restore:\n  wait_minutes: 1\n  targets:\n    {target}: {copy_url}\n"),
    )
}

/// What a restored cluster must have of its source's settings.
const CLUSTER_SETTINGS: &[&str] = &[
    "KmsKeyId",
    "DBSubnetGroup",
    "DBClusterParameterGroup",
    "DeletionProtection",
    "IAMDatabaseAuthenticationEnabled",
    "EnabledCloudwatchLogsExports",
];

/// What a restored instance must have of its source's settings.
const INSTANCE_SETTINGS: &[&str] = &[
    "MultiAZ",
    "DeletionProtection",
    "IAMDatabaseAuthenticationEnabled",
    "EnabledCloudwatchLogsExports",
    "KmsKeyId",
    "DBInstanceClass",
];

fn assert_copied(source: &Value, copy: &Value, keys: &[&str]) {
    for key in keys {
        assert_eq!(copy[key], source[key], "{key}");
    }
}

fn describe_rds(what: &str, id: &str) -> Value {
    let (flag, list) = match what {
        "cluster" => ("--db-cluster-identifier", "DBClusters"),
        _ => ("--db-instance-identifier", "DBInstances"),
    };
    aws_json(&["rds", &format!("describe-db-{what}s"), flag, id])[list][0].clone()
}

pub(crate) fn aws_json(args: &[&str]) -> Value {
    let lab = lab();
    let out = std::process::Command::new(repo_root().join(".venv/bin/aws"))
        .args(args)
        .args(["--output", "json", "--region", "eu-central-1"])
        .env("AWS_ENDPOINT_URL", lab.moto())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_restore_copies_settings_creates_the_writer_and_reapplies_later_erasures() {
    let lab = lab();
    // The copy is taken now, before the erasure: it still holds tenant 5.
    let copy = lab.create_database("restore_copy");
    let restore_to = rfc(a_second_ago());
    let target = format!("pitr-ok-{}", std::process::id());
    let copy_url = format!("postgres://postgres@127.0.0.1:{}/{copy}", lab.pg_port());
    let (home, _live) = setup(&target, &copy_url);
    home.use_db_password(&lab.superuser_password());
    erase(&home, T5, "TICKET-5");

    let (code, plan, err) = plan_json(&home, &restore_to, &["--target", &target]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(plan["reapply"][0]["tenant"], T5);
    assert_eq!(plan["reapply"][0]["left_backup_window"], false);

    // A dry run changes nothing.
    restore_run(&home, &restore_to, &target, "INC-42")
        .dry_run()
        .ok();
    let clusters = aws_json(&["rds", "describe-db-clusters"]);
    assert!(!clusters.to_string().contains(&target));

    let run = restore_run(&home, &restore_to, &target, "INC-42")
        .json()
        .ok_json();
    assert_eq!(run["reapplied"][0]["tenant"], T5);
    assert_eq!(run["reapplied"][0]["verified"], true);
    assert!(run["reapplied"][0]["rows_deleted"].as_i64().unwrap() > 0);
    assert_eq!(run["ready"], true, "{}", run["checks"]);
    let leads_of = |t: &str| {
        lab.psql(
            &copy,
            &format!("SELECT count(*) FROM leads WHERE tenant_id = '{t}'"),
        )
    };
    assert_eq!(
        leads_of(T5),
        "0",
        "the erasure is re-applied to the restored copy"
    );
    assert_ne!(leads_of(T4), "0");

    // What the restore does not keep by itself was copied, and the writer exists.
    let source = describe_rds("cluster", "platform-prod");
    let c = describe_rds("cluster", &target);
    assert_copied(&source, &c, CLUSTER_SETTINGS);
    let tags = c["TagList"].to_string();
    for t in [
        "ltops:restored-from",
        "ltops:restore-time",
        "ltops:audit-id",
        "platform-prod",
    ] {
        assert!(tags.contains(t), "{t} missing in {tags}");
    }
    // The copy gets the source's instances (writer first, same classes and zones),
    // so that after cut-over it is as available as production.
    let members = c["DBClusterMembers"].as_array().unwrap();
    let source_members = source["DBClusterMembers"].as_array().unwrap();
    assert_eq!(members.len(), source_members.len(), "{members:?}");
    let zones = |ms: &[Value]| -> BTreeSet<String> {
        ms.iter()
            .map(|m| {
                let id = m["DBInstanceIdentifier"].as_str().unwrap();
                describe_rds("instance", id)["AvailabilityZone"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(zones(members), zones(source_members));
    assert!(zones(members).len() >= 2);
    let ids: BTreeSet<&str> = members
        .iter()
        .map(|m| m["DBInstanceIdentifier"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(format!("{target}-1").as_str())
            && ids.contains(format!("{target}-2").as_str()),
        "{ids:?}"
    );

    // It is listed, and a second restore into it is refused.
    let status = home.restore("status").json().target(&target).ok_json();
    assert_eq!(status["restores"][0]["restored_from"], "platform-prod");
    let (code, _, err) = plan_json(&home, "latest", &["--target", &target]);
    assert_eq!(code, Some(2), "{err}");

    // Recorded with its reason; reapplying again finds nothing left to do.
    let events = home.audit_events("restore.run");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["reason"]["reference"], "INC-42");
    assert_eq!(events[1]["result"], "ok");
    let again = home
        .restore("reapply-erasures")
        .yes()
        .json()
        .target(&target)
        .incident("INC-42")
        .ok_json();
    assert_eq!(again["reapplied"][0]["absent"], true);
}

#[test]
fn ctrl_c_while_waiting_records_aborted_and_the_restore_stays_visible() {
    let lab = lab();
    let restore_to = rfc(a_second_ago());
    let target = format!("pitr-int-{}", std::process::id());
    // The copy's database is not reachable (yet): ltops waits for it.
    let port = free_port();
    let (home, _live) = setup(
        &target,
        &format!("postgres://postgres@127.0.0.1:{port}/nowhere"),
    );
    home.use_db_password(&lab.superuser_password());
    erase(&home, T4, "TICKET-6");
    let child = restore_run(&home, &restore_to, &target, "INC-7").spawn();
    // Wait until the restore exists in moto, then press Ctrl-C.
    let started = std::time::Instant::now();
    loop {
        if aws_json(&["rds", "describe-db-clusters"])
            .to_string()
            .contains(&target)
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the restore never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    interrupt(child);

    let events = home.audit_events("restore.run");
    assert_eq!(events.last().unwrap()["result"], "aborted");
    let out = home.restore("status").target(&target).ok();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&target));
}

#[test]
fn only_allowed_permission_sets_restore_and_a_reason_is_required() {
    let home = lab().home();
    home.login_as("rita", "rita@leadtributor.cloud");
    let latest = || {
        home.restore("run")
            .profile("rita")
            .yes()
            .cluster("platform-prod")
            .to("latest")
    };
    latest()
        .incident("INC-1")
        .fails(2, "not allowed for permission set ReadOnly");
    latest().fails(2, "--instruction");
}

#[test]
fn an_rds_instance_is_restored_with_its_settings_and_checked() {
    let home = lab().home();
    home.login();
    home.configure(&format!(
        "policies: {}\n",
        repo_root().join("policies").display()
    ));
    let target = format!("pitr-inst-{}", std::process::id());
    let v = home
        .restore("run")
        .yes()
        .json()
        .instance("reporting-prod")
        .to("latest")
        .target(&target)
        .incident("INC-8")
        .ok_json();
    assert_eq!(v["ready"], true, "{}", v["checks"]);
    let checks: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    // The TOM catalog's own RDS checks, run on the copy and nothing else.
    for c in [
        "rds.encryption_cmk",
        "rds.deletion_protection",
        "rds.iam_auth",
        "rds.log_exports",
        "rds.not_public",
        "rds.force_ssl",
        "rds.high_availability",
        "rds.region_in_eea",
        "rds.backup_retention",
    ] {
        assert!(
            checks.iter().any(|x| x.ends_with(c)),
            "{c} not checked: {checks:?}"
        );
    }
    for c in v["checks"].as_array().unwrap() {
        let r = c["resource"].as_str().unwrap();
        assert!(r.ends_with(&format!(":db:{target}")), "not the copy: {r}");
    }
    let source = describe_rds("instance", "reporting-prod");
    let i = describe_rds("instance", &target);
    assert_copied(&source, &i, INSTANCE_SETTINGS);
    assert_eq!(i["PubliclyAccessible"], false);
    assert_eq!(
        i["DBParameterGroups"][0]["DBParameterGroupName"],
        source["DBParameterGroups"][0]["DBParameterGroupName"]
    );
}

/// With the audit log in the platform database, a restore to T rolls the log
/// back to T too: `restore run` carries the events after T (the erasure, the
/// restore's own intent and outcome) and the tenant keys' state into the copy,
/// so that after cut-over the chain continues and the ledger knows the erasure.
#[test]
fn a_restore_carries_the_audit_chain_forward_into_the_copy() {
    let lab = lab();
    let target = format!("pitr-chain-{}", std::process::id());
    let copy = format!("restore_chain_copy_{}", std::process::id());
    let copy_url = format!("postgres://postgres@127.0.0.1:{}/{copy}", lab.pg_port());
    let (home, live) = lab.home_with_db(
        "restore_chain",
        "postgres",
        &format!(
            "audit:\n  store: postgres\nrestore:\n  wait_minutes: 1\n  targets:\n    {target}: {copy_url}\n"
        ),
    );
    home.use_db_password(&lab.superuser_password());
    home.audit("init").yes().ok();
    home.audit("record")
        .yes()
        .incident("INC-1")
        .action("manual.console.rds-modify")
        .ok();
    // The copy is the database as it was at T: its log ends at seq 4.
    let restore_to = rfc(a_second_ago());
    lab.psql(
        "postgres",
        &format!("CREATE DATABASE {copy} TEMPLATE {live}"),
    );
    erase(&home, T5, "TICKET-5");
    let run = restore_run(&home, &restore_to, &target, "INC-77")
        .json()
        .ok_json();
    assert_eq!(run["ready"], true, "{run}");
    assert_eq!(run["carried"]["from_seq"], 4, "{run}");
    assert_eq!(run["reapplied"][0]["tenant"], T5);

    // The copy's log is the live log, event for event, the restore's outcome included.
    let hashes = |db: &str| {
        lab.psql(
            db,
            "SELECT string_agg(hash, ',' ORDER BY seq) FROM ltops_audit.events",
        )
    };
    assert_eq!(hashes(&copy), hashes(&live));
    // The erased tenant's key is destroyed in the copy as well.
    assert_eq!(
        lab.psql(
            &copy,
            &format!("SELECT key IS NULL FROM ltops_audit.tenant_keys WHERE tenant = '{T5}'")
        ),
        lab.psql(
            &live,
            &format!("SELECT key IS NULL FROM ltops_audit.tenant_keys WHERE tenant = '{T5}'")
        )
    );
    // After cut-over (the config now names the copy), the chain verifies and
    // the ledger lists the erasure made after T.
    let cut_over = lab.home();
    cut_over.login();
    cut_over.configure(&lab.config_for(&copy, "postgres", "audit:\n  store: postgres\n"));
    cut_over.use_db_password(&lab.superuser_password());
    let v = cut_over.audit("verify").json().ok_json();
    assert_eq!(v["intact"], true, "{v}");
    let ledger = cut_over.cmd(["tenant", "ledger"]).json().ok_json();
    assert_eq!(ledger["erasures"][0]["tenant"], T5, "{ledger}");
    // And the next action on the copy continues the chain.
    cut_over
        .audit("record")
        .yes()
        .incident("INC-78")
        .action("manual.cutover")
        .ok();
    let v = cut_over.audit("verify").json().ok_json();
    assert_eq!(v["intact"], true, "{v}");
}
