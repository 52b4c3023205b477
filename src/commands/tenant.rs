//! `ltops tenant …` and `ltops retention purge`: the admin's side of a customer's
//! deletion instruction, from the inventory to the certificate.

use serde::Serialize;
use serde_json::Value;

use super::Ctx;
use crate::ExitStatus;
use crate::audit::Store;
use crate::audit::event::{Reason, ReasonKind};
use crate::cli::{RetentionPurgeArgs, TenantEraseArgs, TenantInventoryArgs};
use crate::erasure::certificate::{self, Certificate};
use crate::erasure::ledger::{self, Entry};
use crate::erasure::plan::Plan;
use crate::erasure::purge;
use crate::erasure::run::{self, Mode};
use crate::ops::erase::{Erase, EraseOptions, ErasePlan};
use crate::ops::gate::ApprovalNote;
use crate::ops::mutation::{self, End, Request};
use crate::ops::purge::{Purge, Purged};
use crate::ops::tenants::{self, Inventory, TenantList};
use crate::printer::{Report, key_value_table, table};

#[derive(Serialize)]
#[serde(transparent)]
struct ListReport(TenantList);

impl Report for ListReport {
    const KIND: &'static str = "tenant.list";
    fn render_table(&self) -> String {
        let mut t = table(["tenant", "name", "status", "erased"]);
        for r in &self.0.tenants {
            t.add_row(vec![
                r.tenant.clone(),
                r.name.clone().unwrap_or_else(|| "-".into()),
                r.status.clone().unwrap_or_else(|| "-".into()),
                r.erased_at.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        format!("{t}\n")
    }
}

pub async fn list(ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let list = tenants::list(&ctx.settings, &ctx.data_map()?).await?;
    if !list.role_sees_all {
        ctx.printer.warn(
            "the database role is subject to row-level security and sees no tenant it is not scoped to; list tenants with an admin role",
        );
    }
    ctx.printer.report(&ListReport(list))?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
#[serde(transparent)]
struct InventoryReport(Inventory);

impl Report for InventoryReport {
    const KIND: &'static str = "tenant.inventory";
    fn render_table(&self) -> String {
        match &self.0 {
            Inventory::Planned { plan, .. } => render_plan(plan),
            // The reasons went to stderr already; there is no plan to show.
            Inventory::Refused { .. } => String::new(),
        }
    }
}

fn render_plan(plan: &Plan) -> String {
    let mut t = table([
        "table",
        "tenant column(s)",
        "delete",
        "retain",
        "legal basis",
        "nulled",
        "purge from – until",
    ]);
    for r in &plan.tables {
        let ret = r.retention.as_ref();
        t.add_row(vec![
            r.table.clone(),
            r.tenant_columns.join(", "),
            r.delete.to_string(),
            r.retain.to_string(),
            ret.map(|x| format!("{} ({} years)", x.basis, x.years))
                .unwrap_or_else(|| "-".into()),
            ret.map(|x| x.nulled_columns.join(", "))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "-".into()),
            ret.and_then(|x| match (x.purge_from, x.purge_until) {
                (Some(a), Some(b)) => Some(format!("{a} – {b}")),
                _ => None,
            })
            .unwrap_or_else(|| "-".into()),
        ]);
    }
    let row = &plan.tenant_row;
    let kept = plan.tenant_exists && row.keep_minimised;
    t.add_row(vec![
        plan.tenant_table.clone(),
        "(the tenant row)".into(),
        i64::from(plan.tenant_exists && !kept).to_string(),
        i64::from(kept).to_string(),
        if kept {
            format!("kept minimised for {}", row.referenced_by.join(", "))
        } else {
            "-".into()
        },
        "-".into(),
        row.kept_until
            .filter(|_| kept)
            .map_or("-".into(), |d| format!("{d} (with the last of them)")),
    ]);
    format!(
        "tenant {} — delete {} rows, retain {} rows (as of {})\n{t}\n",
        plan.tenant,
        plan.total_delete(),
        plan.total_retain(),
        plan.today
    )
}

pub async fn inventory(ctx: &Ctx, args: &TenantInventoryArgs) -> anyhow::Result<ExitStatus> {
    let map = ctx.data_map()?;
    let tenant = super::tenant_arg(&map, "tenant", &args.tenant)?;
    let inventory = tenants::inventory(&ctx.settings, &map, &tenant).await?;
    let refused = match &inventory {
        Inventory::Refused { refused, .. } => refused.clone(),
        Inventory::Planned { .. } => Vec::new(),
    };
    for line in &refused {
        ctx.printer.status(format!("refused: {line}"));
    }
    // Table format: the refusal alone (stderr); JSON: the refusal as the report.
    if refused.is_empty() || ctx.printer.is_json() {
        ctx.printer.report(&InventoryReport(inventory))?;
    }
    Ok(if refused.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::No
    })
}

#[derive(Serialize)]
struct EraseReport {
    tenant: String,
    dry_run: bool,
    already_erased: Option<Entry>,
    plan: Option<Plan>,
    mode: Option<Mode>,
    outcome: Option<run::Outcome>,
    key_destroyed: Option<bool>,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
    outcome_hash: Option<String>,
    certificate: Option<String>,
    /// The approval requested, used, or the break-glass record.
    approval: Option<ApprovalNote>,
}

impl Report for EraseReport {
    const KIND: &'static str = "tenant.erase";
    fn render_table(&self) -> String {
        if let Some(e) = &self.already_erased {
            return key_value_table([
                ("tenant", self.tenant.clone()),
                (
                    "already erased",
                    format!("{} by {} (audit seq {})", e.erased_at, e.erased_by, e.seq),
                ),
            ]);
        }
        let mut out = String::new();
        if let Some(p) = &self.plan {
            out.push_str(&render_plan(p));
        }
        if let Some(o) = &self.outcome {
            let mut t = table(["table", "deleted", "nulled", "retained"]);
            for (name, r) in &o.tables {
                t.add_row(vec![
                    name.clone(),
                    r.deleted.to_string(),
                    r.nulled.to_string(),
                    r.retained.to_string(),
                ]);
            }
            out.push_str(&format!("{t}\n"));
            out.push_str(&key_value_table([
                ("mode", format!("{}, {} batch(es)", o.mode, o.batches)),
                (
                    "verified",
                    if o.verification.ok {
                        "no rows remain".into()
                    } else {
                        "FAILED".into()
                    },
                ),
                (
                    "tenant row",
                    if o.tenant_row_kept_minimised {
                        "kept minimised (retained rows reference it; `retention purge` deletes it)"
                            .into()
                    } else if o.tenant_row_deleted {
                        "deleted".into()
                    } else {
                        "-".into()
                    },
                ),
                (
                    "audit key",
                    match self.key_destroyed {
                        Some(true) => "destroyed".into(),
                        Some(false) => "none existed — nothing to destroy".into(),
                        None => "-".into(),
                    },
                ),
                (
                    "audit",
                    format!(
                        "seq {} (intent), seq {} (outcome) {}",
                        self.intent_seq.unwrap_or(0),
                        self.outcome_seq.unwrap_or(0),
                        self.outcome_hash.clone().unwrap_or_default()
                    ),
                ),
                (
                    "certificate",
                    self.certificate.clone().unwrap_or_else(|| "-".into()),
                ),
            ]));
        }
        out
    }
}

pub async fn erase(ctx: &Ctx, args: &TenantEraseArgs) -> anyhow::Result<ExitStatus> {
    let map = ctx.data_map()?;
    let tenant = super::tenant_arg(&map, "tenant", &args.tenant)?;
    let reason = Reason::new(
        ReasonKind::Instruction,
        &args.instruction,
        args.note.clone(),
    )?;
    if let Some(path) = &args.certificate {
        Certificate::check_path(path)?;
    }
    let erase = Erase::new(
        &ctx.settings,
        // Kept here too: the certificate describes the kept tenant row from it.
        map.clone(),
        EraseOptions {
            tenant: tenant.clone(),
            confirm: args.confirm.clone(),
            resume: args.resume,
        },
    )?;
    let request = erase_request(args, &reason)?;
    let json = ctx.printer.is_json();
    let ran = mutation::run(
        &ctx.settings,
        &ctx.ui(),
        request,
        erase,
        &|p: &ErasePlan| {
            if !json {
                ctx.printer.status(render_plan(&p.plan));
            }
        },
    )
    .await?;
    let mut report = EraseReport {
        tenant: tenant.to_string(),
        dry_run: args.dry_run,
        already_erased: ran.plan.already_erased.clone(),
        plan: ran
            .plan
            .already_erased
            .is_none()
            .then(|| ran.plan.plan.clone()),
        mode: Some(ran.plan.mode),
        outcome: None,
        key_destroyed: None,
        intent_seq: None,
        outcome_seq: None,
        outcome_hash: None,
        certificate: None,
        approval: ran.approval.clone(),
    };
    let End::Done {
        value: erased,
        intent,
        outcome,
        ..
    } = ran.end
    else {
        ctx.printer.report(&report)?;
        return Ok(if report.already_erased.is_some() {
            ExitStatus::No
        } else {
            ExitStatus::Success
        });
    };
    if let Some(path) = &args.certificate {
        let cert = Certificate {
            schema_version: crate::printer::SCHEMA_VERSION,
            tenant: tenant.to_string(),
            instruction: reason.reference.clone(),
            executed_by: ran.actor.user.clone(),
            executed_by_arn: ran.actor.arn.clone(),
            completed_at: outcome.at.clone(),
            tables: certificate::tables(&ran.plan.plan, &erased.outcome),
            verified: erased.outcome.verification.ok,
            tenant_row_kept: certificate::kept_tenant_row(&map, &ran.plan.plan, &erased.outcome),
            audit_key_destroyed: erased.key_existed,
            audit_seq: outcome.seq,
            audit_hash: outcome.hash.clone(),
        };
        cert.write(path)?;
        report.certificate = Some(path.display().to_string());
    }
    report.intent_seq = Some(intent.seq);
    report.outcome_seq = Some(outcome.seq);
    report.outcome_hash = Some(outcome.hash.clone());
    report.key_destroyed = Some(erased.key_existed);
    report.outcome = Some(erased.outcome);
    ctx.printer
        .status(format!("tenant {tenant} erased and verified"));
    ctx.printer.report(&report)?;
    Ok(ExitStatus::Success)
}

/// An erasure runs on an instruction; break-glass (if the policy allows it)
/// names the incident with its own `--incident`.
fn erase_request(args: &TenantEraseArgs, reason: &Reason) -> anyhow::Result<Request> {
    let incident = match &args.incident {
        Some(r) => Some(Reason::new(ReasonKind::Incident, r, args.note.clone())?),
        None => None,
    };
    Ok(Request {
        reason: Some(reason.clone()),
        dry_run: args.dry_run,
        approval: super::approval(&args.approval, incident.as_ref())?,
    })
}

#[derive(Serialize)]
struct LedgerReport {
    erasures: Vec<Entry>,
}

impl Report for LedgerReport {
    const KIND: &'static str = "tenant.ledger";
    fn render_table(&self) -> String {
        let mut t = table([
            "tenant",
            "erased at",
            "by",
            "instruction",
            "rows deleted",
            "audit seq",
        ]);
        for e in &self.erasures {
            let deleted: i64 = e
                .counts
                .values()
                .filter_map(|v| v.get("deleted").and_then(Value::as_i64))
                .sum();
            t.add_row(vec![
                e.tenant.clone(),
                e.erased_at.clone(),
                e.erased_by.clone(),
                e.instruction.clone().unwrap_or_else(|| "-".into()),
                deleted.to_string(),
                e.seq.to_string(),
            ]);
        }
        format!("{t}\n")
    }
}

pub async fn ledger_cmd(ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let sdk = crate::aws::config::load(&ctx.settings.aws).await;
    let store = Store::open(&ctx.settings, &sdk).await?;
    let erasures = ledger::entries(&store.read_all().await?);
    ctx.printer.report(&LedgerReport { erasures })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct PurgeReport {
    dry_run: bool,
    today: chrono::NaiveDate,
    due: Vec<purge::Due>,
    deleted: Vec<Purged>,
    approval: Option<ApprovalNote>,
}

impl Report for PurgeReport {
    const KIND: &'static str = "retention.purge";
    fn render_table(&self) -> String {
        let mut t = table([
            "tenant",
            "table",
            "legal basis",
            "due now",
            "kept",
            "next due",
            "deleted",
        ]);
        for d in &self.due {
            let deleted = self
                .deleted
                .iter()
                .find(|x| x.tenant == d.tenant && x.table == d.table)
                .map_or("-".to_owned(), |x| x.deleted.to_string());
            t.add_row(vec![
                d.tenant.clone(),
                d.table.clone(),
                d.basis.clone(),
                d.due.to_string(),
                d.kept.to_string(),
                d.next_due.map_or("-".into(), |x| x.to_string()),
                deleted,
            ]);
        }
        format!(
            "as of {}{}\n{t}\n",
            self.today,
            if self.dry_run { " (dry run)" } else { "" }
        )
    }
}

pub async fn purge_cmd(ctx: &Ctx, args: &RetentionPurgeArgs) -> anyhow::Result<ExitStatus> {
    let reason = super::reason(&args.reason)?;
    let purge = Purge::new(ctx.data_map()?);
    let request = Request {
        approval: super::approval(&args.approval, Some(&reason))?,
        reason: Some(reason),
        dry_run: args.dry_run,
    };
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, purge, &|_| {}).await?;
    let deleted = match ran.end {
        End::Done { value, .. } => value,
        _ => Vec::new(),
    };
    ctx.printer.report(&PurgeReport {
        dry_run: args.dry_run,
        today: ran.plan.today,
        due: ran.plan.due,
        deleted,
        approval: ran.approval,
    })?;
    Ok(ExitStatus::Success)
}
