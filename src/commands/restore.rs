//! `ltops restore …`: the on-call engineer's point-in-time restore, from the plan
//! to a checked copy in which every erasure recorded after the restore time has
//! been applied again.

use std::time::Duration;

use anyhow::{Context, bail};
use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::Ctx;
use super::mutate::{self, Authorized};
use crate::ExitStatus;
use crate::audit::event::Target;
use crate::audit::{Action, Store};
use crate::cli::{
    RestorePlanArgs, RestoreReapplyArgs, RestoreRunArgs, RestoreSourceArgs, RestoreStatusArgs,
};
use crate::datamap::DataMap;
use crate::erasure::ledger;
use crate::erasure::plan as erase_plan;
use crate::erasure::run::{self as erase_run, Mode, Options};
use crate::printer::{Report, key_value_table, table};
use crate::restore::check::{self, Check};
use crate::restore::window::{self, both};
use crate::restore::{self, Kind, Plan, Reapply, Status};
use crate::settings::MutatingCommand;

fn source_of(args: &RestoreSourceArgs) -> anyhow::Result<(Kind, String)> {
    let (kind, id) = match (&args.cluster, &args.instance) {
        (Some(c), None) => (Kind::Cluster, c.clone()),
        (None, Some(i)) => (Kind::Instance, i.clone()),
        _ => bail!("name the source with --cluster ID or --instance ID"),
    };
    if !restore::valid_identifier(&id) {
        bail!(
            "`{id}` is not an RDS identifier (letters, digits and single hyphens, starting with a letter)"
        );
    }
    Ok((kind, id))
}

/// Builds the plan and refuses what must not happen: a time outside the window or
/// in the future, an existing target.
async fn make_plan(ctx: &Ctx, sdk: &SdkConfig, args: &RestoreSourceArgs) -> anyhow::Result<Plan> {
    let (kind, id) = source_of(args)?;
    let now = Utc::now();
    let wanted = window::parse(&args.to, now).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    let rds = aws_sdk_rds::Client::new(sdk);
    let source = match restore::describe_source(&rds, kind, &id).await {
        Ok(s) => s,
        // "No such cluster" is only useful with where ltops looked.
        Err(e) => return Err(e.located(sdk).await.into()),
    };
    let time = window::resolve(&wanted, &source.window, now).map_err(|e| {
        anyhow::anyhow!(
            "--to: {e}; {id} can be restored to any time from {} to {}",
            both(source.window.earliest),
            both(source.window.latest)
        )
    })?;
    let target = match &args.target {
        Some(t) => {
            if !restore::valid_identifier(t) {
                bail!("--target `{t}` is not an RDS identifier");
            }
            t.to_ascii_lowercase()
        }
        None => restore::default_target(&id, time),
    };
    if restore::exists(&rds, kind, &target).await? {
        bail!(
            "the target {target} already exists; a restore never overwrites — choose another --target"
        );
    }
    let store = Store::open(&ctx.settings, sdk).await?;
    let entries = ledger::entries(&store.read_all().await?);
    let (reapply, earlier_erasures) = restore::erasures(&entries, time, &source.window);
    Ok(Plan {
        time_utc: window::utc(time),
        time_berlin: window::berlin(time),
        source,
        time,
        target,
        reapply,
        earlier_erasures,
    })
}

#[derive(Serialize)]
struct PlanReport {
    #[serde(flatten)]
    plan: Plan,
}

impl Report for PlanReport {
    const KIND: &'static str = "restore.plan";
    fn render_table(&self) -> String {
        render_plan(&self.plan)
    }
}

fn render_plan(p: &Plan) -> String {
    let s = &p.source.settings;
    let mut out = key_value_table([
        (
            "source",
            format!(
                "{} {} ({}, {})",
                kind_name(p.source.kind),
                p.source.id,
                p.source.engine,
                p.source.status
            ),
        ),
        ("earliest restorable", both(p.source.window.earliest)),
        ("latest restorable", both(p.source.window.latest)),
        ("restore to", format!("{}\n{}", p.time_utc, p.time_berlin)),
        ("target", p.target.clone()),
        (
            "subnet group",
            s.subnet_group.clone().unwrap_or_else(|| "-".into()),
        ),
        ("security groups", join_or_dash(&s.security_groups)),
        (
            "KMS key",
            s.kms_key_id.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "parameter group",
            s.parameter_group.clone().unwrap_or_else(|| "-".into()),
        ),
        ("deletion protection", s.deletion_protection.to_string()),
        ("IAM database auth", s.iam_auth.to_string()),
        ("log exports", join_or_dash(&s.log_exports)),
        (
            "instance class",
            s.instance_class.clone().unwrap_or_else(|| "-".into()),
        ),
        ("publicly accessible", "false".into()),
        (
            "tags",
            format!(
                "{} + ltops:restored-from, ltops:restore-time, ltops:audit-id",
                s.tags
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    ]);
    let mut t = table([
        "erasure to re-apply",
        "erased at",
        "audit seq",
        "left the backup window",
    ]);
    for r in &p.reapply {
        t.add_row(vec![
            r.tenant.clone(),
            r.erased_at.clone(),
            r.audit_seq.to_string(),
            yes_no(r.left_backup_window),
        ]);
    }
    if p.reapply.is_empty() {
        out.push_str("no erasure recorded after the restore time\n");
    } else {
        out.push_str(&format!("{t}\n"));
    }
    if !p.earlier_erasures.is_empty() {
        let mut t = table(["earlier erasure", "erased at", "left the backup window"]);
        for r in &p.earlier_erasures {
            t.add_row(vec![
                r.tenant.clone(),
                r.erased_at.clone(),
                yes_no(r.left_backup_window),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Cluster => "cluster",
        Kind::Instance => "instance",
    }
}

fn join_or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

pub async fn plan(ctx: &Ctx, args: &RestorePlanArgs) -> anyhow::Result<ExitStatus> {
    let sdk = crate::aws::config::load(&ctx.settings.aws).await;
    let plan = make_plan(ctx, &sdk, &args.source).await?;
    ctx.printer.report(&PlanReport { plan })?;
    Ok(ExitStatus::Success)
}

/// What re-applying one erasure to the restored copy did.
#[derive(Debug, Clone, Serialize)]
struct Reapplied {
    tenant: String,
    rows_deleted: i64,
    mode: Option<Mode>,
    verified: bool,
    /// The copy held no data of the tenant (nothing to do).
    absent: bool,
}

#[derive(Serialize)]
struct RunReport {
    plan: Plan,
    dry_run: bool,
    waited: bool,
    status: Option<Status>,
    reapplied: Vec<Reapplied>,
    checks: Vec<Check>,
    ready: bool,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
}

impl Report for RunReport {
    const KIND: &'static str = "restore.run";
    fn render_table(&self) -> String {
        let mut out = render_plan(&self.plan);
        if !self.dry_run {
            out.push_str(&render_result(
                &self.status,
                &self.reapplied,
                &self.checks,
                self.ready,
                self.waited,
            ));
        }
        out
    }
}

fn render_result(
    status: &Option<Status>,
    reapplied: &[Reapplied],
    checks: &[Check],
    ready: bool,
    waited: bool,
) -> String {
    let mut out = String::new();
    if let Some(s) = status {
        out.push_str(&key_value_table([
            ("target", s.id.clone()),
            ("status", s.status.clone()),
            ("endpoint", s.endpoint.clone().unwrap_or_else(|| "-".into())),
        ]));
    }
    if !waited {
        out.push_str("not waited for (--no-wait): follow with `ltops restore status`, then `ltops restore reapply-erasures`\n");
        return out;
    }
    if !reapplied.is_empty() {
        let mut t = table(["re-applied erasure", "rows deleted", "mode", "verified"]);
        for r in reapplied {
            t.add_row(vec![
                r.tenant.clone(),
                r.rows_deleted.to_string(),
                if r.absent {
                    "nothing present".into()
                } else {
                    r.mode.unwrap_or(Mode::Single).to_string()
                },
                yes_no(r.verified),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    if !checks.is_empty() {
        let mut t = table(["check before cut-over", "status", "evidence"]);
        for c in checks {
            t.add_row(vec![
                c.control.to_string(),
                c.status.to_string(),
                c.evidence.clone(),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    out.push_str(if ready {
        "ready: erasures re-applied and every check passed\n"
    } else {
        "NOT ready for cut-over: see the checks above\n"
    });
    out
}

/// Polls until the target and its instances are available.
async fn wait_available(
    ctx: &Ctx,
    rds: &aws_sdk_rds::Client,
    target: &str,
    deadline: tokio::time::Instant,
) -> anyhow::Result<Status> {
    let spinner = ctx
        .printer
        .spinner(format!("waiting for {target} to become available"));
    loop {
        let st = restore::statuses(rds, Some(target))
            .await?
            .into_iter()
            .next();
        if let Some(s) = &st {
            spinner.set_message(format!(
                "waiting for {target}: {}{}",
                s.status,
                s.members
                    .iter()
                    .map(|(i, st)| format!(", {i} {st}"))
                    .collect::<String>()
            ));
            if s.available() {
                spinner.finish_and_clear();
                return Ok(s.clone());
            }
        }
        if tokio::time::Instant::now() > deadline {
            spinner.finish_and_clear();
            bail!(
                "{target} did not become available in time; it stays visible in `ltops restore status`"
            );
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Connects to the restored copy, retrying until it accepts connections.
async fn connect_target(
    ctx: &Ctx,
    sdk: &SdkConfig,
    status: &Status,
    deadline: tokio::time::Instant,
) -> anyhow::Result<tokio_postgres::Client> {
    let section = ctx
        .settings
        .config
        .database
        .as_ref()
        .context("re-applying erasures needs the `database` section of the config")?;
    let override_url = ctx
        .settings
        .config
        .restore
        .targets
        .get(&status.id)
        .map(String::as_str);
    let endpoint = status.endpoint.as_deref().map(|h| {
        (
            h,
            u16::try_from(status.port.unwrap_or(5432)).unwrap_or(5432),
        )
    });
    let spinner = ctx.printer.spinner(format!(
        "waiting for the database of {} to accept connections",
        status.id
    ));
    loop {
        let cfg = crate::db::target_config(section, &ctx.settings.env, sdk, endpoint, override_url)
            .await?;
        match crate::db::connect_with(&cfg, section.tls, section.ca_file.as_deref()).await {
            Ok(c) => {
                spinner.finish_and_clear();
                return Ok(c);
            }
            Err(e) => {
                spinner.set_message(format!(
                    "waiting for {}: {e}",
                    crate::db::describe_target(&cfg)
                ));
                if tokio::time::Instant::now() > deadline {
                    spinner.finish_and_clear();
                    return Err(e).context("the restored copy never accepted connections");
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Re-applies each erasure with the erasure code path, driven by the data map.
async fn reapply_all(
    ctx: &Ctx,
    client: &mut tokio_postgres::Client,
    map: &DataMap,
    erasures: &[Reapply],
    intent_id: uuid::Uuid,
    actor: &str,
    instruction: &str,
) -> anyhow::Result<Vec<Reapplied>> {
    let opts = Options {
        batch_threshold: ctx.settings.config.erasure.batch_threshold,
        batch_size: ctx.settings.config.erasure.batch_size,
        today: ctx.settings.today,
    };
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in erasures {
        if !seen.insert(e.tenant.clone()) {
            continue;
        }
        let plan = erase_plan::plan(client, map, &e.tenant, opts.today).await?;
        if !plan.schema.is_clean() {
            bail!(
                "the restored copy does not match the data map, so erasures cannot be re-applied:\n  - {}",
                plan.schema.describe().join("\n  - ")
            );
        }
        if !plan.tenant_exists && plan.total_delete() == 0 {
            out.push(Reapplied {
                tenant: e.tenant.clone(),
                rows_deleted: 0,
                mode: None,
                verified: true,
                absent: true,
            });
            continue;
        }
        let mode = erase_run::mode_for(&plan, &opts);
        let outcome = match mode {
            Mode::Single => erase_run::run_single(client, map, &plan, opts.today).await?,
            Mode::Batched => {
                if erase_run::job(client, &e.tenant).await?.is_some() {
                    erase_run::adopt_job(client, &e.tenant, intent_id).await?;
                } else {
                    erase_run::start_batched(client, map, &e.tenant, intent_id, actor, instruction)
                        .await?;
                }
                erase_run::run_batched(client, map, &plan, &opts, &|_| {}).await?
            }
        };
        ctx.printer
            .detail(format!("re-applied the erasure of {}", e.tenant));
        out.push(Reapplied {
            tenant: e.tenant.clone(),
            rows_deleted: outcome.tables.values().map(|r| r.deleted).sum::<i64>()
                + i64::from(outcome.tenant_row_deleted),
            mode: Some(outcome.mode),
            verified: outcome.verification.ok,
            absent: false,
        });
    }
    Ok(out)
}

pub async fn run(ctx: &Ctx, args: &RestoreRunArgs) -> anyhow::Result<ExitStatus> {
    let reason = mutate::reason(&args.reason)?;
    let Authorized { actor, sdk } = mutate::authorize(ctx, MutatingCommand::RestoreRun).await?;
    let plan = make_plan(ctx, &sdk, &args.source).await?;
    let map = if plan.reapply.is_empty() {
        None
    } else {
        Some(DataMap::load(
            &ctx.settings.policies_dir.join("datamap.yaml"),
        )?)
    };
    if !ctx.printer.is_json() {
        ctx.printer.status(render_plan(&plan));
    }
    ctx.printer.status(format!(
        "Plan: restore {} {} to {} into {} for {} ({reason}){}",
        kind_name(plan.source.kind),
        plan.source.id,
        both(plan.time),
        plan.target,
        actor.user,
        if plan.reapply.is_empty() {
            String::new()
        } else {
            format!(", then re-apply {} erasure(s)", plan.reapply.len())
        }
    ));
    let mut report = RunReport {
        plan: plan.clone(),
        dry_run: args.dry_run,
        waited: false,
        status: None,
        reapplied: Vec::new(),
        checks: Vec::new(),
        ready: false,
        intent_seq: None,
        outcome_seq: None,
    };
    if args.dry_run {
        ctx.printer.report(&report)?;
        return Ok(ExitStatus::Success);
    }
    if !mutate::confirm(ctx, &format!("Restore into {}?", plan.target))? {
        bail!("not confirmed; nothing was changed");
    }
    let mut store = Store::open(&ctx.settings, &sdk).await?;
    let action = Action {
        actor: actor.clone(),
        action: "restore.run".into(),
        target: Target {
            tenant: None,
            resource: Some(plan.target.clone()),
        },
        reason: Some(reason.clone()),
    };
    let intent_content = json!({
        "source": { "kind": plan.source.kind, "id": plan.source.id },
        "target": plan.target,
        "restore_time": plan.time_utc,
        "settings": plan.source.settings,
        "reapply": plan.reapply.iter().map(|r| r.tenant.clone()).collect::<Vec<_>>(),
    });
    let rds = aws_sdk_rds::Client::new(&sdk);
    let deadline = tokio::time::Instant::now()
        + Duration::from_secs(ctx.settings.config.restore.wait_minutes * 60);
    let no_wait = args.no_wait;
    let ((status, reapplied, checks, waited), intent, outcome) =
        mutate::recorded(&mut store, &action, intent_content, None, |intent| {
            let rds = &rds;
            let plan = &plan;
            let sdk = &sdk;
            let map = map.as_ref();
            let user = actor.user.clone();
            let account = actor.account.clone();
            let reference = reason.reference.clone();
            async move {
                restore::start(rds, plan, &intent.id.to_string()).await?;
                if no_wait {
                    let st = restore::statuses(rds, Some(&plan.target))
                        .await?
                        .into_iter()
                        .next();
                    return Ok((
                        (st, Vec::new(), Vec::new(), false),
                        json!({ "started": true, "waited": false }),
                    ));
                }
                let st = wait_available(ctx, rds, &plan.target, deadline).await?;
                let reapplied = match map {
                    Some(map) => {
                        let mut client = connect_target(ctx, sdk, &st, deadline).await?;
                        reapply_all(
                            ctx,
                            &mut client,
                            map,
                            &plan.reapply,
                            intent.id,
                            &user,
                            &reference,
                        )
                        .await?
                    }
                    None => Vec::new(),
                };
                let checks = check::run(
                    sdk,
                    &account,
                    &ctx.settings.policies_dir,
                    plan.source.kind,
                    &plan.target,
                )
                .await;
                let content = json!({
                    "started": true,
                    "waited": true,
                    "status": st.status,
                    "reapplied": reapplied,
                    "checks": checks,
                });
                Ok(((Some(st), reapplied, checks, true), content))
            }
        })
        .await?;
    report.waited = waited;
    report.ready = waited && reapplied.iter().all(|r| r.verified) && checks.iter().all(Check::ok);
    report.status = status;
    report.reapplied = reapplied;
    report.checks = checks;
    report.intent_seq = Some(intent.seq);
    report.outcome_seq = Some(outcome.seq);
    ctx.printer.report(&report)?;
    Ok(if !waited || report.ready {
        ExitStatus::Success
    } else {
        ExitStatus::No
    })
}

#[derive(Serialize)]
struct StatusReport {
    restores: Vec<Status>,
}

impl Report for StatusReport {
    const KIND: &'static str = "restore.status";
    fn render_table(&self) -> String {
        let mut t = table([
            "target",
            "kind",
            "status",
            "restored from",
            "restore time",
            "members",
            "audit id",
        ]);
        for s in &self.restores {
            t.add_row(vec![
                s.id.clone(),
                kind_name(s.kind).into(),
                s.status.clone(),
                s.restored_from.clone(),
                s.restore_time.clone().unwrap_or_else(|| "-".into()),
                s.members
                    .iter()
                    .map(|(i, st)| format!("{i} {st}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                s.audit_id.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        format!("{t}\n")
    }
}

pub async fn status(ctx: &Ctx, args: &RestoreStatusArgs) -> anyhow::Result<ExitStatus> {
    let sdk = crate::aws::config::load(&ctx.settings.aws).await;
    let rds = aws_sdk_rds::Client::new(&sdk);
    let restores = restore::statuses(&rds, args.target.as_deref()).await?;
    if let Some(t) = &args.target
        && restores.is_empty()
    {
        bail!("no restore made by ltops with the id {t} (see `ltops restore status`)");
    }
    ctx.printer.report(&StatusReport { restores })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct ReapplyReport {
    target: String,
    restore_time: String,
    erasures: Vec<Reapply>,
    dry_run: bool,
    reapplied: Vec<Reapplied>,
}

impl Report for ReapplyReport {
    const KIND: &'static str = "restore.reapply-erasures";
    fn render_table(&self) -> String {
        let mut out = key_value_table([
            ("target", self.target.clone()),
            ("restore time", self.restore_time.clone()),
            (
                "erasures after it",
                if self.erasures.is_empty() {
                    "none".into()
                } else {
                    self.erasures
                        .iter()
                        .map(|e| e.tenant.clone())
                        .collect::<Vec<_>>()
                        .join("\n")
                },
            ),
        ]);
        if !self.dry_run {
            out.push_str(&render_result(
                &None,
                &self.reapplied,
                &[],
                self.reapplied.iter().all(|r| r.verified),
                true,
            ));
        }
        out
    }
}

pub async fn reapply(ctx: &Ctx, args: &RestoreReapplyArgs) -> anyhow::Result<ExitStatus> {
    let reason = mutate::reason(&args.reason)?;
    let Authorized { actor, sdk } =
        mutate::authorize(ctx, MutatingCommand::RestoreReapplyErasures).await?;
    let rds = aws_sdk_rds::Client::new(&sdk);
    let st = restore::statuses(&rds, Some(&args.target))
        .await?
        .into_iter()
        .next()
        .with_context(|| {
            format!(
                "no restore made by ltops with the id {} (see `ltops restore status`)",
                args.target
            )
        })?;
    let time_text = st
        .restore_time
        .clone()
        .with_context(|| format!("{} has no ltops:restore-time tag", args.target))?;
    let time: DateTime<Utc> = DateTime::parse_from_rfc3339(&time_text)
        .map(|t| t.with_timezone(&Utc))
        .with_context(|| {
            format!(
                "{}: the ltops:restore-time tag `{time_text}` is not a time",
                args.target
            )
        })?;
    let mut store = Store::open(&ctx.settings, &sdk).await?;
    let entries = ledger::entries(&store.read_all().await?);
    let window = restore::window::Window {
        earliest: time,
        latest: time,
    };
    let (erasures, _) = restore::erasures(&entries, time, &window);
    ctx.printer.status(format!(
        "Plan: re-apply {} erasure(s) recorded after {} to {}",
        erasures.len(),
        both(time),
        args.target
    ));
    let mut report = ReapplyReport {
        target: args.target.clone(),
        restore_time: time_text,
        erasures: erasures.clone(),
        dry_run: args.dry_run,
        reapplied: Vec::new(),
    };
    if args.dry_run || erasures.is_empty() {
        ctx.printer.report(&report)?;
        return Ok(ExitStatus::Success);
    }
    if !st.available() {
        bail!(
            "{} is {} — wait until it is available (`ltops restore status --target {}`)",
            st.id,
            st.status,
            st.id
        );
    }
    if !mutate::confirm(
        ctx,
        &format!("Re-apply {} erasure(s) to {}?", erasures.len(), args.target),
    )? {
        bail!("not confirmed; nothing was changed");
    }
    let map = DataMap::load(&ctx.settings.policies_dir.join("datamap.yaml"))?;
    let action = Action {
        actor: actor.clone(),
        action: "restore.reapply-erasures".into(),
        target: Target {
            tenant: None,
            resource: Some(args.target.clone()),
        },
        reason: Some(reason.clone()),
    };
    let deadline = tokio::time::Instant::now()
        + Duration::from_secs(ctx.settings.config.restore.wait_minutes * 60);
    let (reapplied, _, _) = mutate::recorded(
        &mut store,
        &action,
        json!({ "target": args.target, "tenants": erasures.iter().map(|e| e.tenant.clone()).collect::<Vec<_>>() }),
        None,
        |intent| {
            let map = &map;
            let sdk = &sdk;
            let st = &st;
            let erasures = &erasures;
            let user = actor.user.clone();
            let reference = reason.reference.clone();
            async move {
                let mut client = connect_target(ctx, sdk, st, deadline).await?;
                let done = reapply_all(ctx, &mut client, map, erasures, intent.id, &user, &reference).await?;
                let content = json!({ "reapplied": done });
                Ok((done, content))
            }
        },
    )
    .await?;
    let verified = reapplied.iter().all(|r| r.verified);
    report.reapplied = reapplied;
    ctx.printer.report(&report)?;
    Ok(if verified {
        ExitStatus::Success
    } else {
        ExitStatus::No
    })
}
