//! `ltops intervene …`: documented interventions on customer data (TOM §5).
//!
//! The order of things, for a change that is not a dry run:
//!
//! 1. reason, tenant and statement are checked (nothing touches AWS or the
//!    database before that); the SSO identity is authorised;
//! 2. the database role and the tables are checked: row-level security must apply;
//! 3. the intent is recorded (statement sealed under the tenant key) — if that
//!    fails, nothing is done;
//! 4. one transaction, scoped to the tenant, runs the change and captures every
//!    affected row before and after; the preview is shown;
//! 5. after confirmation the transaction commits. With the audit store in this
//!    database (`audit.store: postgres`) the outcome, with the images sealed under
//!    the tenant key, is written *inside* that transaction: the change and its
//!    record commit together or not at all. With the file store the outcome is
//!    appended right after the commit (a cut-off run leaves an `unfinished`
//!    intent, which `audit verify` reports).
//!
//! Ctrl-C before the commit rolls back and records `aborted`; once the commit
//! has started it is not interrupted.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};

use anyhow::{Context, anyhow, bail};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio_postgres::Transaction;

use super::Ctx;
use super::mutate::{self, Authorized, RecordedSection};
use crate::ExitStatus;
use crate::audit::event::{Event, Outcome, Phase, Reason, Target};
use crate::audit::{Action, Personal, ShownEvent, Store, pg_store, show_events};
use crate::cli::{
    InterveneDeleteArgs, InterveneListArgs, InterveneRowsArgs, InterveneScopeArgs,
    InterveneSetArgs, InterveneSqlArgs,
};
use crate::datamap::DataMap;
use crate::intervention::structured::{self, Rows};
use crate::intervention::{self, Op, Plan, Preview, RowChange, run};
use crate::printer::{Report, key_value_table, table};
use crate::settings::MutatingCommand;

/// Test-only hook (debug builds only; inert in release builds and when unset):
/// just before COMMIT, write `<PATH>.waiting` with the backend pid of the
/// connection that holds the change, and wait until `<PATH>` exists. Lets the
/// tests kill that connection between the change and the commit.
const TEST_PAUSE_ENV: &str = "LTOPS_TEST_PAUSE_BEFORE_COMMIT";

pub async fn set(ctx: &Ctx, args: &InterveneSetArgs) -> anyhow::Result<ExitStatus> {
    let map = load_map(ctx)?;
    let mut values: Vec<(String, Option<String>)> = args
        .set
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    values.extend(args.set_null.iter().map(|c| (c.clone(), None)));
    let plan = structured::plan_set(&map, &args.rows.table, &rows(&args.rows), &values)
        .map_err(anyhow::Error::msg)?;
    execute(ctx, &args.scope, &map, plan).await
}

pub async fn delete(ctx: &Ctx, args: &InterveneDeleteArgs) -> anyhow::Result<ExitStatus> {
    let map = load_map(ctx)?;
    let plan = structured::plan_delete(&map, &args.rows.table, &rows(&args.rows))
        .map_err(anyhow::Error::msg)?;
    execute(ctx, &args.scope, &map, plan).await
}

pub async fn sql(ctx: &Ctx, args: &InterveneSqlArgs) -> anyhow::Result<ExitStatus> {
    let map = load_map(ctx)?;
    let text = match (&args.sql, &args.sql_file) {
        (Some(s), None) => s.clone(),
        (None, Some(p)) if p.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("cannot read the statement from stdin")?;
            s
        }
        (None, Some(p)) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the statement from {}", p.display()))?,
        _ => bail!("give the statement with --sql SQL or --sql-file FILE"),
    };
    let plan = intervention::sql::plan(&map, &text)
        .map_err(|e| anyhow!("the statement is refused: {e}"))?;
    execute(ctx, &args.scope, &map, plan).await
}

fn load_map(ctx: &Ctx) -> anyhow::Result<DataMap> {
    Ok(DataMap::load(
        &ctx.settings.policies_dir.join("datamap.yaml"),
    )?)
}

fn rows(args: &InterveneRowsArgs) -> Rows {
    if args.key.is_empty() {
        Rows::Ids(args.ids.clone())
    } else {
        Rows::Key(args.key.clone())
    }
}

/// The result on stdout: what happened and where it is recorded. Keys and
/// column names only — the values were shown in the preview and are in the log,
/// sealed; they are not written to files by a redirect.
#[derive(Serialize)]
struct InterventionReport {
    dry_run: bool,
    committed: bool,
    tenant: String,
    table: String,
    form: &'static str,
    operation: &'static str,
    rows: usize,
    max_rows: u64,
    /// Why nothing was committed, when nothing was.
    refused: Option<String>,
    changes: Vec<ChangeSummary>,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
    /// The outcome committed in the same transaction as the change.
    atomic: bool,
}

#[derive(Serialize)]
struct ChangeSummary {
    key: Map<String, Value>,
    columns: Vec<String>,
}

impl Report for InterventionReport {
    const KIND: &'static str = "intervene";
    fn render_table(&self) -> String {
        let result = if self.committed {
            format!("{} {} row(s): committed", self.operation, self.rows)
        } else if self.dry_run {
            format!(
                "dry run: {} {} row(s), rolled back",
                self.operation, self.rows
            )
        } else {
            "nothing committed".into()
        };
        let mut rows = vec![
            ("tenant", self.tenant.clone()),
            ("table", self.table.clone()),
            ("result", result),
        ];
        if let Some(r) = &self.refused {
            rows.push(("refused", r.clone()));
        }
        rows.push((
            "rows",
            if self.changes.is_empty() {
                "-".into()
            } else {
                self.changes
                    .iter()
                    .map(|c| format!("{} ({})", key_text(&c.key), c.columns.join(", ")))
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        ));
        rows.push((
            "recorded",
            match (self.intent_seq, self.outcome_seq) {
                (Some(i), Some(o)) => format!(
                    "seq {i} (intent), seq {o} (outcome{})",
                    if self.atomic {
                        ", committed with the change"
                    } else {
                        ""
                    }
                ),
                (Some(i), None) => format!("seq {i} (intent)"),
                _ => "nothing (dry run)".into(),
            },
        ));
        key_value_table(rows)
    }
}

fn key_text(key: &Map<String, Value>) -> String {
    key.iter()
        .map(|(k, v)| format!("{k}={}", cell(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The preview on stderr: every affected row, changed columns before and after.
fn render_preview(plan: &Plan, rows: &[RowChange]) -> String {
    let mut t = table(["row", "column", "before", "after"]);
    for r in rows {
        let key = key_text(&r.key(&plan.table));
        let cols = r.changed_columns();
        if cols.is_empty() {
            t.add_row(vec![
                key,
                "(no column changes)".into(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        for (i, c) in cols.iter().enumerate() {
            let get = |img: &Option<Map<String, Value>>, absent: &str| match img {
                Some(m) => m.get(c).map_or_else(|| "NULL".into(), cell),
                None => absent.to_owned(),
            };
            t.add_row(vec![
                if i == 0 { key.clone() } else { String::new() },
                c.clone(),
                get(&r.before, "(new row)"),
                get(&r.after, "(deleted)"),
            ]);
        }
    }
    format!("{t}")
}

/// Why a preview cannot be committed, for a message and the record.
fn refusal(plan: &Plan, preview: &Preview, tenant: &str) -> Option<String> {
    match preview {
        Preview::Ready(_) => None,
        Preview::TooMany { at_least, limit } => Some(format!(
            "the statement affects {}{at_least} rows, more than the limit of {limit}: check the WHERE, or allow more with --max-rows N",
            if plan.op == Op::Insert {
                ""
            } else {
                "at least "
            }
        )),
        Preview::Nothing => Some(format!(
            "the statement affects no row of tenant {tenant}: nothing to change"
        )),
        Preview::Missing(keys) => Some(format!(
            "not found for tenant {tenant}: {} — no such row, or it belongs to another tenant",
            keys.iter().map(key_text).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

async fn execute(
    ctx: &Ctx,
    scope: &InterveneScopeArgs,
    map: &DataMap,
    plan: Plan,
) -> anyhow::Result<ExitStatus> {
    let settings = &ctx.settings;
    let reason = mutate::reason(&scope.reason)?;
    let tenant =
        intervention::normalize_tenant(map, &scope.tenant).map_err(|e| anyhow!("--tenant: {e}"))?;
    let max_rows = scope
        .max_rows
        .unwrap_or_else(|| settings.config.intervene.max_rows());
    // Known before anything runs: without a terminal, only --yes can confirm.
    if !scope.dry_run && !settings.yes && (settings.no_input || !interactive()) {
        bail!(
            "refusing to change anything without confirmation: no terminal to ask on — look at the preview with --dry-run, then pass --yes"
        );
    }
    let Authorized { actor, sdk } = mutate::authorize(ctx, MutatingCommand::Intervene).await?;
    let mut client =
        crate::db::connect(settings.config.database.as_ref(), &settings.env, &sdk).await?;
    let role = run::check_safety(&client, map, &plan).await?;
    run::check_tenant(&mut client, map, &tenant).await?;
    ctx.printer.status(format!(
        "Plan: {} on {} for tenant {tenant} ({reason}), as database role {} under row-level security, at most {max_rows} row(s){}",
        plan.op.as_str(),
        map.qualified(&plan.table.name),
        role.name,
        if scope.dry_run { "; dry run" } else { "" }
    ));
    for sql in plan.executed_sql(max_rows) {
        ctx.printer.detail(format!("  {sql}"));
    }
    let mut report = InterventionReport {
        dry_run: scope.dry_run,
        committed: false,
        tenant: tenant.clone(),
        table: plan.table.name.clone(),
        form: plan.form.as_str(),
        operation: plan.op.as_str(),
        rows: 0,
        max_rows,
        refused: None,
        changes: vec![],
        intent_seq: None,
        outcome_seq: None,
        atomic: false,
    };

    if scope.dry_run {
        let tx = run::begin(&mut client, map, &tenant).await?;
        let preview = run::preview(&tx, map, &plan, &tenant, max_rows).await;
        let _ = tx.rollback().await;
        let preview = preview?;
        let status = show_preview(ctx, &plan, &preview, &tenant, &mut report);
        ctx.printer
            .status("Dry run: rolled back, nothing changed, nothing recorded.");
        ctx.printer.report(&report)?;
        return Ok(status);
    }

    let backend_pid: i32 = client
        .query_one("SELECT pg_catalog.pg_backend_pid()", &[])
        .await
        .map(|r| r.get(0))
        .unwrap_or(0);
    let mut store = Store::open(settings, &sdk).await?;
    let atomic = matches!(store, Store::Postgres(_));
    report.atomic = atomic;
    let action = Action {
        actor,
        action: format!("intervene.{}", plan.form.as_str()),
        target: Target {
            tenant: Some(tenant.clone()),
            resource: Some(map.qualified(&plan.table.name)),
        },
        reason: Some(reason.clone()),
    };
    let intent = store
        .append(
            action.intent(intent_content(&plan, max_rows, atomic)),
            Some(Personal {
                tenant: tenant.clone(),
                data: json!({
                    "statement": plan.statement,
                    "executed": plan.executed_sql(max_rows),
                }),
            }),
        )
        .await
        .context("cannot record the intent, so nothing was done")?;
    report.intent_seq = Some(intent.seq);
    let _section = RecordedSection::enter();

    // Until the commit starts: any failure or Ctrl-C rolls back and is recorded.
    let mut tx = None;
    let prepared = tokio::select! {
        r = async {
            let t = run::begin(&mut client, map, &tenant).await?;
            let p = run::preview(&t, map, &plan, &tenant, max_rows).await;
            tx = Some(t);
            p
        } => Some(r),
        _ = tokio::signal::ctrl_c() => None,
    };
    let preview = match prepared {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            rollback(tx).await;
            let e = anyhow::Error::new(e);
            close(
                &mut store,
                &action,
                &intent,
                Outcome::Failed,
                json!({ "error": format!("{e:#}") }),
                None,
            )
            .await?;
            return Err(e.context("nothing was changed (rolled back)"));
        }
        None => {
            rollback(tx).await;
            close(
                &mut store,
                &action,
                &intent,
                Outcome::Aborted,
                json!({ "error": "interrupted (Ctrl-C) before the commit; rolled back" }),
                None,
            )
            .await?;
            return Err(crate::Interrupted.into());
        }
    };
    let Some(tx) = tx else {
        bail!("internal error: the transaction is gone");
    };
    let status = show_preview(ctx, &plan, &preview, &tenant, &mut report);
    let Preview::Ready(rows) = preview else {
        let _ = tx.rollback().await;
        let (result, content) = match preview {
            Preview::Nothing => (Outcome::Ok, json!({ "rows": 0, "committed": false })),
            Preview::TooMany { at_least, limit } => (
                Outcome::Failed,
                json!({ "error": "refused: more rows than the limit", "at_least": at_least, "max_rows": limit }),
            ),
            Preview::Missing(ref keys) => (
                Outcome::Failed,
                json!({ "error": "refused: named rows not found for the tenant", "missing": keys.len() }),
            ),
            Preview::Ready(_) => unreachable!("handled above"),
        };
        let outcome = close(&mut store, &action, &intent, result, content, None).await?;
        report.outcome_seq = Some(outcome.seq);
        ctx.printer
            .status("Nothing was changed (rolled back); the attempt is recorded.");
        ctx.printer.report(&report)?;
        return Ok(status);
    };

    let question = format!(
        "Commit: {} {} row(s) of {} for tenant {tenant}?",
        plan.op.as_str(),
        rows.len(),
        plan.table.name
    );
    let confirmed = tokio::task::block_in_place(|| mutate::confirm(ctx, &question));
    match confirmed {
        Ok(true) => {}
        Ok(false) | Err(_) => {
            let _ = tx.rollback().await;
            let detail = match &confirmed {
                Err(e) => format!("not confirmed ({e:#}); rolled back"),
                _ => "declined at the confirmation; rolled back".into(),
            };
            close(
                &mut store,
                &action,
                &intent,
                Outcome::Aborted,
                json!({ "error": detail }),
                None,
            )
            .await?;
            bail!("not confirmed; nothing was changed");
        }
    }

    // The commit: not interrupted from here on.
    let content = outcome_content(&plan, &rows, atomic);
    let images = Personal {
        tenant: tenant.clone(),
        data: json!({
            "rows": rows.iter().map(|r| json!({ "before": r.before, "after": r.after })).collect::<Vec<_>>(),
        }),
    };
    let outcome = if atomic {
        commit_atomic(
            ctx,
            &mut store,
            &action,
            &intent,
            tx,
            content,
            images,
            backend_pid,
        )
        .await?
    } else {
        test_pause(ctx, backend_pid).await;
        if let Err(e) = tx.commit().await {
            let detail = crate::db::error_chain(&e);
            close(&mut store, &action, &intent, Outcome::Failed, json!({
                "error": format!("COMMIT failed: {detail}; if the connection broke during COMMIT, whether the change was committed is unknown — compare the rows with the preview"),
            }), None).await?;
            bail!(
                "COMMIT failed: {detail} — if the connection broke during COMMIT, whether the change was committed is unknown: compare the rows with the preview above"
            );
        }
        store
            .append(action.outcome(&intent, Outcome::Ok, content), Some(images))
            .await
            .with_context(|| {
                format!(
                    "the change is COMMITTED but its outcome could not be recorded: intent seq {} stays unfinished — record what happened with `ltops audit record`",
                    intent.seq
                )
            })?
    };
    report.committed = true;
    report.outcome_seq = Some(outcome.seq);
    ctx.printer.status(format!(
        "Committed: {} {} row(s); recorded as seq {} and {}.",
        plan.op.past(),
        rows.len(),
        intent.seq,
        outcome.seq
    ));
    ctx.printer.report(&report)?;
    Ok(ExitStatus::Success)
}

/// The outcome with its images is appended inside the change's transaction, so
/// that COMMIT makes both durable or neither. If the answer to COMMIT is lost,
/// the log itself tells whether it happened.
#[allow(clippy::too_many_arguments)]
async fn commit_atomic(
    ctx: &Ctx,
    store: &mut Store,
    action: &Action,
    intent: &Event,
    tx: Transaction<'_>,
    content: Value,
    images: Personal,
    backend_pid: i32,
) -> anyhow::Result<Event> {
    let target = store.describe();
    let draft = action.outcome(intent, Outcome::Ok, content);
    let outcome = match pg_store::append_in(&tx, &target, draft, Some(images)).await {
        Ok(o) => o,
        Err(e) => {
            let _ = tx.rollback().await;
            let e = anyhow::Error::new(e);
            close(store, action, intent, Outcome::Failed, json!({ "error": format!("recording the outcome in the change's transaction failed: {e:#}; rolled back") }), None).await?;
            return Err(e.context("the outcome could not be recorded with the change, so nothing was changed (rolled back)"));
        }
    };
    test_pause(ctx, backend_pid).await;
    match tx.commit().await {
        Ok(()) => Ok(outcome),
        Err(e) => {
            let detail = crate::db::error_chain(&e);
            let Store::Postgres(pg) = &*store else {
                bail!("COMMIT failed: {detail}");
            };
            match pg.has_event(outcome.id).await {
                Ok(true) => {
                    ctx.printer.warn(format!(
                        "COMMIT reported `{detail}`, but the outcome seq {} is in the log: the change and its record are committed",
                        outcome.seq
                    ));
                    Ok(outcome)
                }
                Ok(false) => {
                    close(store, action, intent, Outcome::Failed, json!({
                        "error": format!("COMMIT failed: {detail}; the change and its record were rolled back together"),
                    }), None).await?;
                    bail!(
                        "COMMIT failed: {detail} — the change and its record were rolled back together: nothing was changed"
                    )
                }
                Err(check) => bail!(
                    "COMMIT failed: {detail}, and the audit store cannot tell whether it committed ({check}): intent seq {} stays unfinished — `ltops audit show --tenant {}` shows whether its outcome exists",
                    intent.seq,
                    action.target.tenant.as_deref().unwrap_or("?")
                ),
            }
        }
    }
}

async fn rollback(tx: Option<Transaction<'_>>) {
    if let Some(t) = tx {
        let _ = t.rollback().await;
    }
}

/// Records how the intent ended (outside any change transaction).
async fn close(
    store: &mut Store,
    action: &Action,
    intent: &Event,
    result: Outcome,
    content: Value,
    personal: Option<Personal>,
) -> anyhow::Result<Event> {
    store
        .append(action.outcome(intent, result, content), personal)
        .await
        .with_context(|| {
            format!(
                "the intervention ended ({}) but its outcome could not be recorded: intent seq {} stays unfinished",
                result.as_str(),
                intent.seq
            )
        })
}

/// Shows the preview on stderr and fills the report; the exit status if nothing
/// more happens.
fn show_preview(
    ctx: &Ctx,
    plan: &Plan,
    preview: &Preview,
    tenant: &str,
    report: &mut InterventionReport,
) -> ExitStatus {
    match preview {
        Preview::Ready(rows) => {
            report.rows = rows.len();
            report.changes = rows
                .iter()
                .map(|r| ChangeSummary {
                    key: r.key(&plan.table),
                    columns: r.changed_columns(),
                })
                .collect();
            ctx.printer.status(format!(
                "Preview: {} row(s) would be {} (limit {}):",
                rows.len(),
                plan.op.past(),
                report.max_rows
            ));
            ctx.printer.status(render_preview(plan, rows));
            ExitStatus::Success
        }
        other => {
            let why = refusal(plan, other, tenant).unwrap_or_default();
            ctx.printer.status(format!("Refused: {why}"));
            report.refused = Some(why);
            ExitStatus::No
        }
    }
}

fn intent_content(plan: &Plan, max_rows: u64, atomic: bool) -> Value {
    let mut m = Map::new();
    m.insert("form".into(), json!(plan.form.as_str()));
    m.insert("operation".into(), json!(plan.op.as_str()));
    m.insert("table".into(), json!(plan.table.name));
    m.insert("tables".into(), json!(plan.tables));
    if !plan.set_values.is_empty() {
        m.insert(
            "columns".into(),
            json!(plan.set_values.keys().collect::<Vec<_>>()),
        );
    }
    m.insert("max_rows".into(), json!(max_rows));
    m.insert("atomic".into(), json!(atomic));
    Value::Object(m)
}

fn outcome_content(plan: &Plan, rows: &[RowChange], atomic: bool) -> Value {
    let mut columns: Vec<String> = Vec::new();
    for r in rows {
        for c in r.changed_columns() {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    json!({
        "operation": plan.op.as_str(),
        "table": plan.table.name,
        "rows": rows.len(),
        plan.op.past(): rows.len(),
        "columns": columns,
        "committed": true,
        "atomic": atomic,
    })
}

/// See [`TEST_PAUSE_ENV`].
async fn test_pause(ctx: &Ctx, backend_pid: i32) {
    #[cfg(debug_assertions)]
    if let Some(path) = ctx.settings.env.get(TEST_PAUSE_ENV) {
        let gate = std::path::PathBuf::from(path);
        let waiting = gate.with_extension("waiting");
        let _ = std::fs::write(&waiting, backend_pid.to_string());
        ctx.printer.status(format!(
            "{TEST_PAUSE_ENV}: waiting for {} before COMMIT",
            gate.display()
        ));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while !gate.exists() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (ctx, backend_pid, TEST_PAUSE_ENV);
}

// ---------------------------------------------------------------------------
// intervene list

#[derive(Serialize)]
struct ListReport {
    source: String,
    interventions: Vec<Listed>,
}

#[derive(Serialize)]
struct Listed {
    intent_seq: u64,
    outcome_seq: Option<u64>,
    at: String,
    user: String,
    permission_set: String,
    action: String,
    tenant: Option<String>,
    table: Option<String>,
    operation: Option<String>,
    reason: Option<Reason>,
    /// `ok`, `failed`, `aborted` or `unfinished`.
    status: String,
    rows: Option<u64>,
    error: Option<String>,
    /// With --images: the statement (opened), or the erasure notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<Value>,
    /// With --images: the before/after images (opened), or the erasure notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    images: Option<Value>,
    /// The table's key columns (data map), to label image rows.
    #[serde(skip)]
    key_columns: Vec<String>,
}

impl Report for ListReport {
    const KIND: &'static str = "intervene.list";
    fn render_table(&self) -> String {
        let mut t = table([
            "seq", "at (UTC)", "user", "tenant", "table", "op", "rows", "reason", "status",
        ]);
        for l in &self.interventions {
            t.add_row(vec![
                l.intent_seq.to_string(),
                l.at.get(..19).unwrap_or(&l.at).replace('T', " "),
                l.user.clone(),
                l.tenant.clone().unwrap_or_else(|| "-".into()),
                l.table.clone().unwrap_or_else(|| "-".into()),
                l.operation.clone().unwrap_or_else(|| "-".into()),
                l.rows.map_or_else(|| "-".into(), |n| n.to_string()),
                l.reason
                    .as_ref()
                    .map(|r| match &r.note {
                        Some(n) => format!("{r}: {n}"),
                        None => r.to_string(),
                    })
                    .unwrap_or_else(|| "-".into()),
                match &l.error {
                    Some(e) => format!("{}: {e}", l.status),
                    None => l.status.clone(),
                },
            ]);
        }
        let mut out = format!("{t}\n");
        for l in &self.interventions {
            if l.statement.is_none() && l.images.is_none() {
                continue;
            }
            out.push_str(&format!("\nseq {} — statement: ", l.intent_seq));
            out.push_str(&match &l.statement {
                Some(Value::Object(m)) => {
                    m.get("statement").map(cell).unwrap_or_else(|| "-".into())
                }
                Some(other) => cell(other),
                None => "-".into(),
            });
            out.push('\n');
            match &l.images {
                Some(Value::Object(m)) => {
                    let mut it = table(["row", "column", "before", "after"]);
                    for r in m
                        .get("rows")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let before = r.get("before").and_then(Value::as_object);
                        let after = r.get("after").and_then(Value::as_object);
                        let rc = RowChange {
                            before: before.cloned(),
                            after: after.cloned(),
                        };
                        let label = after
                            .or(before)
                            .map(|m| {
                                key_text(
                                    &l.key_columns
                                        .iter()
                                        .map(|k| {
                                            (k.clone(), m.get(k).cloned().unwrap_or(Value::Null))
                                        })
                                        .collect(),
                                )
                            })
                            .unwrap_or_else(|| "-".into());
                        for (i, c) in rc.changed_columns().iter().enumerate() {
                            let get = |img: Option<&Map<String, Value>>, absent: &str| match img {
                                Some(m) => m.get(c).map_or_else(|| "NULL".into(), cell),
                                None => absent.to_owned(),
                            };
                            it.add_row(vec![
                                if i == 0 { label.clone() } else { String::new() },
                                c.clone(),
                                get(before, "(new row)"),
                                get(after, "(deleted)"),
                            ]);
                        }
                    }
                    out.push_str(&format!("{it}\n"));
                }
                Some(other) => out.push_str(&format!("images: {}\n", cell(other))),
                None => out.push_str("images: none (no committed outcome)\n"),
            }
        }
        out
    }
}

pub async fn list(ctx: &Ctx, args: &InterveneListArgs) -> anyhow::Result<ExitStatus> {
    let since = args
        .since
        .as_deref()
        .map(|s| crate::when::parse_time(s, Utc::now()))
        .transpose()
        .map_err(|e| anyhow!("--since: {e}"))?;
    // The data map labels rows by key; the log stays readable without it.
    let map = DataMap::load(&ctx.settings.policies_dir.join("datamap.yaml")).ok();
    let tenant = match (&args.tenant, &map) {
        (Some(t), Some(map)) => {
            Some(intervention::normalize_tenant(map, t).map_err(|e| anyhow!("--tenant: {e}"))?)
        }
        (Some(t), None) => Some(t.clone()),
        (None, _) => None,
    };
    let sdk = crate::aws::config::load(&ctx.settings.aws).await;
    let store = Store::open(&ctx.settings, &sdk).await?;
    let bytes = store.read_all().await?;
    let keys = store.key_states().await.unwrap_or_default();
    let events = show_events(&bytes, &keys);
    let mut outcomes: HashMap<uuid::Uuid, &ShownEvent> = HashMap::new();
    for s in &events {
        if let (Phase::Outcome, Some(i)) = (s.event.phase, s.event.intent) {
            outcomes.insert(i, s);
        }
    }
    let mut listed: Vec<Listed> = events
        .iter()
        .filter(|s| s.event.phase == Phase::Intent && s.event.action.starts_with("intervene."))
        .filter(|s| tenant.is_none() || s.event.target.tenant == tenant)
        .filter(|s| {
            since.is_none_or(|since| {
                chrono::DateTime::parse_from_rfc3339(&s.event.at)
                    .is_ok_and(|at| at.with_timezone(&Utc) >= since)
            })
        })
        .map(|s| {
            let e = &s.event;
            let o = outcomes.get(&e.id);
            let table = e.content.get("table").and_then(Value::as_str);
            let key_columns = match (table, &map) {
                (Some(t), Some(map)) => intervention::TableRef::find(map, t)
                    .map(|t| t.key)
                    .unwrap_or_default(),
                _ => vec![],
            };
            let oc = o.map(|o| &o.event.content);
            Listed {
                intent_seq: e.seq,
                outcome_seq: o.map(|o| o.event.seq),
                at: e.at.clone(),
                user: e.actor.user.clone(),
                permission_set: e.actor.permission_set.clone(),
                action: e.action.clone(),
                tenant: e.target.tenant.clone(),
                table: table.map(str::to_owned),
                operation: e
                    .content
                    .get("operation")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                reason: e.reason.clone(),
                status: s.status.clone().unwrap_or_else(|| "unfinished".into()),
                rows: oc.and_then(|c| c.get("rows")).and_then(Value::as_u64),
                error: oc
                    .and_then(|c| c.get("error"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                statement: args.images.then(|| s.personal.clone()).flatten(),
                images: if args.images {
                    o.and_then(|o| o.personal.clone())
                } else {
                    None
                },
                key_columns,
            }
        })
        .collect();
    if let Some(n) = args.limit {
        let skip = listed.len().saturating_sub(n);
        listed.drain(..skip);
    }
    ctx.printer.report(&ListReport {
        source: store.describe(),
        interventions: listed,
    })?;
    Ok(ExitStatus::Success)
}
