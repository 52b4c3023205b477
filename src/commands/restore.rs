//! `ltops restore …`: the on-call engineer's point-in-time restore, from the plan
//! to a checked copy in which every erasure recorded after the restore time has
//! been applied again.

use anyhow::bail;
use chrono::Utc;
use serde::Serialize;

use super::Ctx;
use crate::audit::Store;
use crate::cli::{
    RestorePlanArgs, RestoreReapplyArgs, RestoreRunArgs, RestoreSourceArgs, RestoreStatusArgs,
};
use crate::erasure::run::Mode;
use crate::ops::mutation::{self, End, Request};
use crate::ops::restore::{Reapplied, ReapplyErasures, RestoreRequest, RestoreRun, Restored};
use crate::printer::{Report, key_value_table, table};
use crate::restore::check::Check;
use crate::restore::window::{self, both};
use crate::restore::{Kind, Plan, Reapply, Status};
use crate::{ExitStatus, ops};

/// The restore request as the flags give it, parsed where it enters.
fn request(args: &RestoreSourceArgs) -> anyhow::Result<RestoreRequest> {
    let (kind, id) = match (&args.cluster, &args.instance) {
        (Some(c), None) => (Kind::Cluster, c.clone()),
        (None, Some(i)) => (Kind::Instance, i.clone()),
        _ => bail!("name the source with --cluster ID or --instance ID"),
    };
    let to = window::parse(&args.to, Utc::now()).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    RestoreRequest::new(kind, id, to, args.target.clone())
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
                p.source.kind, p.source.id, p.source.engine, p.source.status
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
    let req = request(&args.source)?;
    let sdk = crate::aws::config::load(&ctx.settings.aws).await;
    let store = Store::open(&ctx.settings, &sdk).await?;
    let plan = ops::restore::plan(&sdk, &store, &req).await?;
    ctx.printer.report(&PlanReport { plan })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct RunReport {
    plan: Plan,
    dry_run: bool,
    #[serde(flatten)]
    restored: Restored,
    ready: bool,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
    approval: Option<crate::ops::gate::ApprovalNote>,
}

impl Report for RunReport {
    const KIND: &'static str = "restore.run";
    fn render_table(&self) -> String {
        let mut out = render_plan(&self.plan);
        if !self.dry_run {
            let r = &self.restored;
            out.push_str(&render_result(
                &r.status,
                &r.reapplied,
                &r.checks,
                self.ready,
                r.waited,
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

pub async fn run(ctx: &Ctx, args: &RestoreRunArgs) -> anyhow::Result<ExitStatus> {
    let reason = super::reason(&args.reason)?;
    let req = request(&args.source)?;
    let request = Request {
        approval: super::approval(&args.approval, Some(&reason))?,
        reason: Some(reason),
        dry_run: args.dry_run,
    };
    let json = ctx.printer.is_json();
    let show = |plan: &Plan| {
        if !json {
            ctx.printer.status(render_plan(plan));
        }
    };
    let run = RestoreRun::new(req, args.no_wait);
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, run, &show).await?;
    let mut report = RunReport {
        plan: ran.plan,
        dry_run: args.dry_run,
        restored: Restored::default(),
        ready: false,
        intent_seq: None,
        outcome_seq: None,
        approval: ran.approval,
    };
    if let End::Done {
        value,
        intent,
        outcome,
        ..
    } = ran.end
    {
        report.ready = value.ready();
        report.intent_seq = Some(intent.seq);
        report.outcome_seq = Some(outcome.seq);
        report.restored = value;
    }
    ctx.printer.report(&report)?;
    let waited = report.restored.waited;
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
                s.kind.to_string(),
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
    let restores = crate::restore::statuses(&rds, args.target.as_deref()).await?;
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
    let reason = super::reason(&args.reason)?;
    let request = Request {
        reason: Some(reason),
        dry_run: args.dry_run,
        approval: Default::default(),
    };
    let reapply = ReapplyErasures::new(args.target.clone(), args.dry_run);
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, reapply, &|_| {}).await?;
    let reapplied = match ran.end {
        End::Done { value, .. } => value,
        _ => Vec::new(),
    };
    let verified = reapplied.iter().all(|r| r.verified);
    ctx.printer.report(&ReapplyReport {
        target: ran.plan.target,
        restore_time: window::utc(ran.plan.restore_time),
        dry_run: args.dry_run || ran.plan.erasures.is_empty(),
        erasures: ran.plan.erasures,
        reapplied,
    })?;
    Ok(if verified {
        ExitStatus::Success
    } else {
        ExitStatus::No
    })
}
