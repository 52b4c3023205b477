//! `ltops tenant …` and `ltops retention purge`: the admin's side of a customer's
//! deletion instruction, from the inventory to the certificate.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::{Value, json};

use super::Ctx;
use super::mutate::{self, Authorized};
use crate::ExitStatus;
use crate::audit::event::{Event, Outcome, Reason, ReasonKind, Target};
use crate::audit::{Action, Store};
use crate::cli::{RetentionPurgeArgs, TenantEraseArgs, TenantInventoryArgs};
use crate::datamap::{DataMap, quote_ident};
use crate::erasure::certificate::{self, Certificate};
use crate::erasure::ledger::{self, ERASE_ACTION, Entry};
use crate::erasure::plan::{self, Plan};
use crate::erasure::run::{self, Mode, Options, Progress};
use crate::erasure::{ErasureError, purge};
use crate::printer::{Report, key_value_table, table};
use crate::settings::MutatingCommand;

fn load_map(ctx: &Ctx) -> anyhow::Result<DataMap> {
    Ok(DataMap::load(
        &ctx.settings.policies_dir.join("datamap.yaml"),
    )?)
}

async fn connect(ctx: &Ctx, sdk: &aws_config::SdkConfig) -> anyhow::Result<tokio_postgres::Client> {
    Ok(crate::db::connect(
        ctx.settings.config.database.as_ref(),
        &ctx.settings.env,
        sdk,
    )
    .await?)
}

#[derive(Serialize)]
struct TenantRow {
    tenant: String,
    status: Option<String>,
    name: Option<String>,
    erased_at: Option<String>,
}

#[derive(Serialize)]
struct ListReport {
    tenants: Vec<TenantRow>,
    role_sees_all: bool,
}

impl Report for ListReport {
    const KIND: &'static str = "tenant.list";
    fn render_table(&self) -> String {
        let mut t = table(["tenant", "name", "status", "erased"]);
        for r in &self.tenants {
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
    let map = load_map(ctx)?;
    let sdk = crate::aws::config::load(&ctx.settings.aws).await;
    let client = connect(ctx, &sdk).await?;
    let sees_all: bool = client
        .query_one(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await?
        .get(0);
    if !sees_all {
        ctx.printer.warn(
            "the database role is subject to row-level security and sees no tenant it is not scoped to; list tenants with an admin role",
        );
    }
    let status = map
        .tenant
        .status_column
        .as_ref()
        .map(|c| format!("{}::text", quote_ident(c)))
        .unwrap_or_else(|| "NULL::text".into());
    let name = map
        .tenant
        .personal
        .first()
        .map(|c| format!("{}::text", quote_ident(c)))
        .unwrap_or_else(|| "NULL::text".into());
    let rows = client
        .query(
            &format!(
                "SELECT {}::text, {status}, {name} FROM {} ORDER BY 1",
                quote_ident(&map.tenant.key),
                map.qualified(&map.tenant.table)
            ),
            &[],
        )
        .await?;
    let store = Store::open(&ctx.settings, &sdk).await?;
    let entries = ledger::entries(&store.read_all().await?);
    let mut tenants: Vec<TenantRow> = rows
        .into_iter()
        .map(|r| TenantRow {
            tenant: r.get(0),
            status: r.get(1),
            name: r.get(2),
            erased_at: None,
        })
        .collect();
    for e in &entries {
        match tenants.iter_mut().find(|t| t.tenant == e.tenant) {
            // Present again (a restored database): the erasure must be re-applied.
            Some(t) => t.erased_at = Some(format!("{} (data present again!)", e.erased_at)),
            None => tenants.push(TenantRow {
                tenant: e.tenant.clone(),
                status: Some("erased".into()),
                name: None,
                erased_at: Some(e.erased_at.clone()),
            }),
        }
    }
    ctx.printer.report(&ListReport {
        tenants,
        role_sees_all: sees_all,
    })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct InventoryReport {
    #[serde(flatten)]
    plan: Plan,
    erased: Option<Entry>,
}

impl Report for InventoryReport {
    const KIND: &'static str = "tenant.inventory";
    fn render_table(&self) -> String {
        render_plan(&self.plan)
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
    t.add_row(vec![
        plan.tenant_table.clone(),
        "(the tenant row)".into(),
        i64::from(plan.tenant_exists).to_string(),
        "0".into(),
        "-".into(),
        "-".into(),
        "-".into(),
    ]);
    format!(
        "tenant {} — delete {} rows, retain {} rows (as of {})\n{t}\n",
        plan.tenant,
        plan.total_delete(),
        plan.total_retain(),
        plan.today
    )
}

/// Refuses when the live schema and the data map disagree.
fn require_clean_schema(plan: &Plan) -> anyhow::Result<()> {
    if plan.schema.is_clean() {
        return Ok(());
    }
    bail!(
        "the data map does not match the database, so no erasure can be planned:\n  - {}\nfix policies/datamap.yaml (or the schema) first",
        plan.schema.describe().join("\n  - ")
    )
}

pub async fn inventory(ctx: &Ctx, args: &TenantInventoryArgs) -> anyhow::Result<ExitStatus> {
    let map = load_map(ctx)?;
    map.check_tenant_id(&args.tenant)
        .map_err(anyhow::Error::msg)?;
    let sdk = crate::aws::config::load(&ctx.settings.aws).await;
    let mut client = connect(ctx, &sdk).await?;
    let plan = plan::plan(&mut client, &map, &args.tenant, ctx.settings.today).await?;
    if !plan.schema.is_clean() {
        for line in plan.schema.describe() {
            ctx.printer.status(format!("refused: {line}"));
        }
        ctx.printer
            .report(&InventoryReport { plan, erased: None })?;
        return Ok(ExitStatus::No);
    }
    let store = Store::open(&ctx.settings, &sdk).await?;
    let entries = ledger::entries(&store.read_all().await?);
    let erased = ledger::find(&entries, &args.tenant).cloned();
    if !plan.tenant_exists && plan.total_delete() == 0 && erased.is_none() {
        bail!(
            "no tenant {} in the database or the erasure ledger — check the id with `ltops tenant list`",
            args.tenant
        );
    }
    ctx.printer.report(&InventoryReport { plan, erased })?;
    Ok(ExitStatus::Success)
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
                    "audit key destroyed",
                    self.key_destroyed.map_or("-".into(), |k| k.to_string()),
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

/// Names who holds an erasure of `tenant` open, from the audit log.
fn holder(log: &[u8], tenant: &str) -> Option<String> {
    let report = crate::audit::verify::verify_bytes(log, None);
    let ids: Vec<_> = report.unfinished.iter().map(|u| u.id).collect();
    log.split(|b| *b == b'\n')
        .rev()
        .filter_map(|l| serde_json::from_slice::<Event>(l).ok())
        .find(|e| e.action == ERASE_ACTION && e.tenant() == Some(tenant) && ids.contains(&e.id))
        .map(|e| format!("{} since {} (intent seq {})", e.actor.user, e.at, e.seq))
}

pub async fn erase(ctx: &Ctx, args: &TenantEraseArgs) -> anyhow::Result<ExitStatus> {
    let settings = &ctx.settings;
    let map = load_map(ctx)?;
    map.check_tenant_id(&args.tenant)
        .map_err(anyhow::Error::msg)?;
    let tenant = args.tenant.as_str();
    let reason = Reason::new(
        ReasonKind::Instruction,
        &args.instruction,
        args.note.clone(),
    )
    .map_err(anyhow::Error::msg)?;
    if let Some(c) = &args.confirm
        && map.normalize_tenant_id(c).ok().as_deref() != Some(tenant)
    {
        bail!("--confirm {c} does not match the tenant {tenant}; nothing was changed");
    }
    let Authorized { actor, sdk } = mutate::authorize(ctx, MutatingCommand::TenantErase).await?;
    let mut store = Store::open(settings, &sdk).await?;
    let mut client = connect(ctx, &sdk).await?;
    match run::lock(&client, tenant).await {
        Ok(()) => {}
        Err(ErasureError::Busy { .. }) => {
            let log = store.read_all().await?;
            let who = holder(&log, tenant).unwrap_or_else(|| "another session".into());
            bail!("tenant {tenant} is being erased right now by {who}; nothing was changed");
        }
        Err(e) => return Err(e.into()),
    }
    // Read under the lock: an erasure that finished a moment ago is in the ledger.
    let log = store.read_all().await?;
    let entries = ledger::entries(&log);
    let job = run::job(&client, tenant).await?;
    match (&job, args.resume) {
        (Some(j), false) => bail!(
            "an erasure of tenant {tenant} was interrupted (started {} by {}, instruction {}) — finish it with `ltops tenant erase {tenant} --instruction {} --resume`",
            j.started_at,
            j.started_by,
            j.instruction,
            j.instruction
        ),
        (None, true) => bail!(
            "there is no interrupted erasure of tenant {tenant} to resume; run without --resume"
        ),
        _ => {}
    }
    let plan = plan::plan(&mut client, &map, tenant, settings.today).await?;
    require_clean_schema(&plan)?;
    let mut report = EraseReport {
        tenant: tenant.to_owned(),
        dry_run: args.dry_run,
        already_erased: None,
        plan: None,
        mode: None,
        outcome: None,
        key_destroyed: None,
        intent_seq: None,
        outcome_seq: None,
        outcome_hash: None,
        certificate: None,
    };
    let nothing_left = !plan.tenant_exists && plan.total_delete() == 0;
    if nothing_left && job.is_none() {
        if let Some(e) = ledger::find(&entries, tenant) {
            ctx.printer.status(format!(
                "tenant {tenant} was already erased on {} by {} (instruction {}, audit seq {}); nothing changed",
                e.erased_at,
                e.erased_by,
                e.instruction.clone().unwrap_or_default(),
                e.seq
            ));
            report.already_erased = Some(e.clone());
            ctx.printer.report(&report)?;
            return Ok(ExitStatus::No);
        }
        bail!("no tenant {tenant} in the database — check the id with `ltops tenant list`");
    }
    if let Some(e) = ledger::find(&entries, tenant) {
        ctx.printer.warn(format!(
            "tenant {tenant} was erased on {} (audit seq {}) but has data here again (a restored database?): erasing it again",
            e.erased_at, e.seq
        ));
    }
    let opts = Options {
        batch_threshold: settings.config.erasure.batch_threshold,
        batch_size: settings.config.erasure.batch_size,
        today: settings.today,
    };
    let mode = if job.is_some() {
        Mode::Batched
    } else {
        run::mode_for(&plan, &opts)
    };
    ctx.printer.status(format!(
        "Plan: erase tenant {tenant} for {} on the instruction {} — {} rows deleted, {} retained, {}",
        actor.user,
        reason.reference,
        plan.total_delete(),
        plan.total_retain(),
        match mode {
            Mode::Single => "in one transaction".to_owned(),
            Mode::Batched => format!("in batches of {} (resumable)", opts.batch_size),
        }
    ));
    if !ctx.printer.is_json() {
        ctx.printer.status(render_plan(&plan));
    }
    report.plan = Some(plan.clone());
    report.mode = Some(mode);
    if args.dry_run {
        ctx.printer.report(&report)?;
        return Ok(ExitStatus::Success);
    }
    confirm_tenant(ctx, tenant, args.confirm.as_deref())?;

    let action = Action {
        actor: actor.clone(),
        action: ERASE_ACTION.into(),
        target: Target {
            tenant: Some(tenant.to_owned()),
            resource: None,
        },
        reason: Some(reason.clone()),
    };
    // Interrupted attempts (Ctrl-C recorded them; kill -9 could not) are closed
    // as aborted before a new intent opens, so the trail has no loose ends.
    close_interrupted(&mut store, &action, &log, tenant).await?;
    let keystore = Store::open(settings, &sdk).await?;
    let bar = ctx.printer.progress(
        u64::try_from(plan.total_delete() + plan.total_retain()).unwrap_or(0),
        "erasing",
    );
    let bar_ref = bar.clone();
    let on_progress = move |p: Progress| {
        bar_ref.set_message(p.table.clone());
        bar_ref.set_position(u64::try_from(p.done).unwrap_or(0));
    };
    let intent_content = json!({
        "mode": mode,
        "resumes": job.as_ref().map(|j| j.intent_id.to_string()),
        "planned": plan.tables.iter().map(|t| (t.table.clone(), json!({"delete": t.delete, "retain": t.retain}))).collect::<serde_json::Map<String, Value>>(),
    });
    let plan_for_work = plan.clone();
    let result = mutate::recorded(&mut store, &action, intent_content, None, |intent| {
        let client = &mut client;
        let map = &map;
        let keystore = &keystore;
        let on_progress = &on_progress;
        let started_by = actor.user.clone();
        let instruction = reason.reference.clone();
        let resuming = job.is_some();
        async move {
            let outcome = match mode {
                Mode::Single => run::run_single(client, map, &plan_for_work, opts.today).await?,
                Mode::Batched => {
                    if !resuming {
                        run::start_batched(
                            client,
                            map,
                            tenant,
                            intent.id,
                            &started_by,
                            &instruction,
                        )
                        .await?;
                    }
                    run::run_batched(client, map, &plan_for_work, &opts, on_progress).await?
                }
            };
            let destroyed = keystore
                .destroy_key(tenant, intent.id)
                .await
                .context("the data is erased but the tenant's audit key could not be destroyed")?;
            let content = json!({
                "mode": outcome.mode,
                "batches": outcome.batches,
                "tables": outcome.tables,
                "tenant_row_deleted": outcome.tenant_row_deleted,
                "verified": outcome.verification.ok,
                "audit_key_destroyed": true,
                "audit_key_existed": destroyed,
            });
            Ok(((outcome, destroyed), content))
        }
    })
    .await;
    bar.finish_and_clear();
    let ((outcome, destroyed), intent, outcome_event) = result?;
    report.intent_seq = Some(intent.seq);
    report.outcome_seq = Some(outcome_event.seq);
    report.outcome_hash = Some(outcome_event.hash.clone());
    if let Some(path) = &args.certificate {
        let cert = Certificate {
            schema_version: crate::printer::SCHEMA_VERSION,
            tenant: tenant.to_owned(),
            instruction: reason.reference.clone(),
            executed_by: actor.user.clone(),
            executed_by_arn: actor.arn.clone(),
            completed_at: outcome_event.at.clone(),
            tables: certificate::tables(&plan, &outcome),
            verified: outcome.verification.ok,
            audit_seq: outcome_event.seq,
            audit_hash: outcome_event.hash.clone(),
        };
        write_certificate(path, &cert)?;
        report.certificate = Some(path.display().to_string());
    }
    report.key_destroyed = Some(destroyed);
    report.outcome = Some(outcome);
    ctx.printer
        .status(format!("tenant {tenant} erased and verified"));
    ctx.printer.report(&report)?;
    Ok(ExitStatus::Success)
}

/// Typing the tenant id is the confirmation: a `y` is too easy at 3 am.
fn confirm_tenant(ctx: &Ctx, tenant: &str, typed: Option<&str>) -> anyhow::Result<()> {
    if ctx.settings.yes && typed.is_some_and(|t| t.eq_ignore_ascii_case(tenant)) {
        return Ok(());
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if ctx.settings.no_input || !interactive {
        bail!(
            "refusing to erase without confirmation: no terminal to ask on — review the plan above and pass --yes --confirm {tenant}"
        );
    }
    let answer: String = dialoguer::Input::new()
        .with_prompt(format!("Type the tenant id {tenant} to erase it for good"))
        .allow_empty(true)
        .interact_text()
        .context("cannot read the confirmation")?;
    if !answer.trim().eq_ignore_ascii_case(tenant) {
        bail!("the typed id does not match; nothing was changed");
    }
    Ok(())
}

async fn close_interrupted(
    store: &mut Store,
    action: &Action,
    log: &[u8],
    tenant: &str,
) -> anyhow::Result<()> {
    let unfinished: Vec<uuid::Uuid> = crate::audit::verify::verify_bytes(log, None)
        .unfinished
        .iter()
        .filter(|u| u.action == ERASE_ACTION)
        .map(|u| u.id)
        .collect();
    let intents: Vec<Event> = log
        .split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Event>(l).ok())
        .filter(|e| unfinished.contains(&e.id) && e.tenant() == Some(tenant))
        .collect();
    for intent in intents {
        store
            .append(
                action.outcome(
                    &intent,
                    Outcome::Aborted,
                    json!({ "error": "interrupted (the process ended without recording an outcome); closed by the next erasure of the tenant" }),
                ),
                None,
            )
            .await?;
    }
    Ok(())
}

fn write_certificate(path: &Path, cert: &Certificate) -> anyhow::Result<()> {
    let text = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::to_string_pretty(cert)? + "\n",
        Some("md") => cert.to_markdown(),
        _ => bail!("--certificate {}: use a .md or .json file", path.display()),
    };
    std::fs::write(path, text)
        .with_context(|| format!("cannot write the certificate {}", path.display()))
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
    deleted: Vec<PurgedRow>,
}

#[derive(Serialize)]
struct PurgedRow {
    tenant: String,
    table: String,
    deleted: i64,
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
    let settings = &ctx.settings;
    let map = load_map(ctx)?;
    let reason = mutate::reason(&args.reason)?;
    let Authorized { actor, sdk } = mutate::authorize(ctx, MutatingCommand::RetentionPurge).await?;
    if settings.fake_today {
        ctx.printer.warn(format!(
            "LTOPS_FAKE_TODAY moves today to {} (test clock)",
            settings.today
        ));
    }
    let mut store = Store::open(settings, &sdk).await?;
    let entries = ledger::entries(&store.read_all().await?);
    let mut tenants: Vec<String> = entries.iter().map(|e| e.tenant.clone()).collect();
    tenants.sort();
    tenants.dedup();
    let mut client = connect(ctx, &sdk).await?;
    let due = purge::due(&mut client, &map, &tenants, settings.today).await?;
    let total: i64 = due.iter().map(|d| d.due).sum();
    ctx.printer.status(format!(
        "Plan: delete {total} retained rows of erased tenants whose period ended before {}",
        settings.today
    ));
    let mut report = PurgeReport {
        dry_run: args.dry_run,
        today: settings.today,
        due: due.clone(),
        deleted: Vec::new(),
    };
    if args.dry_run || total == 0 {
        ctx.printer.report(&report)?;
        return Ok(ExitStatus::Success);
    }
    if !mutate::confirm(
        ctx,
        &format!("Delete {total} rows whose retention has ended?"),
    )? {
        bail!("not confirmed; nothing was changed");
    }
    let action = Action {
        actor,
        action: "retention.purge".into(),
        target: Target::default(),
        reason: Some(reason),
    };
    let intent_content = json!({
        "today": settings.today.to_string(),
        "due": due.iter().map(|d| json!({"tenant": d.tenant, "table": d.table, "rows": d.due})).collect::<Vec<_>>(),
    });
    let today = settings.today;
    let (deleted, _, _) = mutate::recorded(&mut store, &action, intent_content, None, |_| {
        let client = &mut client;
        let map = &map;
        let due = &due;
        async move {
            let done = purge::purge(client, map, due, today).await?;
            let content = json!({
                "deleted": done.iter().map(|(t, tb, n)| json!({"tenant": t, "table": tb, "rows": n})).collect::<Vec<_>>(),
            });
            Ok((done, content))
        }
    })
    .await?;
    report.deleted = deleted
        .into_iter()
        .map(|(tenant, table, deleted)| PurgedRow {
            tenant,
            table,
            deleted,
        })
        .collect();
    ctx.printer.report(&report)?;
    Ok(ExitStatus::Success)
}
