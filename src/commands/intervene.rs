//! `ltops intervene …`: documented interventions on customer data (TOM §5).
//! The commands translate flags into a statement plan and print; the
//! intervention itself is the use case [`crate::ops::intervene`].

use std::collections::HashMap;
use std::io::Read;

use anyhow::{Context, anyhow, bail};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Map, Value};

use super::Ctx;
use crate::ExitStatus;
use crate::audit::content::{self, InterveneIntent, InterveneOutcome};
use crate::audit::event::{Event, Phase, Reason};
use crate::audit::{ShownEvent, Store, show_events};
use crate::cli::{
    InterveneDeleteArgs, InterveneListArgs, InterveneRowsArgs, InterveneScopeArgs,
    InterveneSetArgs, InterveneSqlArgs,
};
use crate::datamap::DataMap;
use crate::intervention::bounds::truncate_cell;
use crate::intervention::structured::{self, Rows};
use crate::intervention::{self, Plan, RowChange};
use crate::ops::intervene::{Intervene, cell, key_text};
use crate::ops::mutation::{self, End, Request};
use crate::printer::{Report, key_value_table, table};

pub async fn set(ctx: &Ctx, args: &InterveneSetArgs) -> anyhow::Result<ExitStatus> {
    let map = ctx.data_map()?;
    let mut values: Vec<(String, Option<String>)> = args
        .set
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    values.extend(args.set_null.iter().map(|c| (c.clone(), None)));
    let plan = structured::plan_set(&map, &args.rows.table, &rows(&args.rows), &values)
        .map_err(anyhow::Error::msg)?;
    execute(ctx, &args.scope, map, plan).await
}

pub async fn delete(ctx: &Ctx, args: &InterveneDeleteArgs) -> anyhow::Result<ExitStatus> {
    let map = ctx.data_map()?;
    let plan = structured::plan_delete(&map, &args.rows.table, &rows(&args.rows))
        .map_err(anyhow::Error::msg)?;
    execute(ctx, &args.scope, map, plan).await
}

pub async fn sql(ctx: &Ctx, args: &InterveneSqlArgs) -> anyhow::Result<ExitStatus> {
    let map = ctx.data_map()?;
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
    execute(ctx, &args.scope, map, plan).await
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
    /// Events written to the platform's event store (tables with a stream):
    /// event table, stream, sequence number and type — no values.
    events: Vec<ltops_core::intervention::events::Written>,
    /// The approval requested, used, or the break-glass record.
    approval: Option<crate::ops::gate::ApprovalNote>,
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
        if !self.events.is_empty() {
            rows.push((
                "events",
                self.events
                    .iter()
                    .map(|e| format!("{} {} #{} {}", e.table, e.stream, e.seq, e.event_type))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ));
        }
        let recorded = match (self.intent_seq, self.outcome_seq) {
            (Some(i), Some(o)) => format!(
                "seq {i} (intent), seq {o} (outcome{})",
                if self.atomic {
                    ", committed with the change"
                } else {
                    ""
                }
            ),
            (Some(i), None) => format!("seq {i} (intent)"),
            _ => "nothing".into(),
        };
        rows.push(("recorded", recorded));
        key_value_table(rows)
    }
}

/// The before/after table of changed rows, as the preview and `intervene list
/// --images` show it.
fn images_table<'a>(rows: impl IntoIterator<Item = (String, &'a RowChange)>) -> String {
    let mut t = table(["row", "column", "before", "after"]);
    for (key, r) in rows {
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
            // Cut before the table sees them: the renderer's cost grows faster
            // than the text (a 30 MB value took minutes), the operator needs the
            // start and the length.
            let get = |img: &Option<Map<String, Value>>, absent: &str| match img {
                Some(m) => m.get(c).map_or_else(|| "NULL".into(), shown),
                None => absent.to_owned(),
            };
            t.add_row(vec![
                if i == 0 {
                    truncate_cell(&key, MAX_CELL)
                } else {
                    String::new()
                },
                c.clone(),
                get(&r.before, "(new row)"),
                get(&r.after, "(deleted)"),
            ]);
        }
    }
    format!("{t}")
}

/// The longest value a preview cell shows.
const MAX_CELL: usize = 200;

/// A value as a preview cell: NULL spelled out, long text cut with its length.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => truncate_cell(s, MAX_CELL),
        other => truncate_cell(&cell(other), MAX_CELL),
    }
}

/// The preview on stderr: every affected row, changed columns before and
/// after; rows the database changes because of the statement (foreign-key
/// actions) named by their table, the foreign key and, if not the acting
/// tenant's, their tenant.
fn show_preview(printer: &crate::printer::Printer, plan: &Plan, rows: &[RowChange], max_rows: u64) {
    let own = rows.iter().filter(|r| r.collateral.is_none()).count();
    let collateral = rows.len() - own;
    printer.status(format!(
        "Preview: {} row(s) would be {}{} (limit {max_rows}):",
        own,
        plan.op.past(),
        if collateral > 0 {
            format!(", and {collateral} more by foreign-key actions")
        } else {
            String::new()
        }
    ));
    printer.status(images_table(rows.iter().map(|r| {
        let key = key_text(&r.key(&plan.table));
        let label = match &r.collateral {
            None => key,
            Some(c) => format!(
                "{} {key} (via {}{})",
                c.table,
                c.via,
                c.other_tenant
                    .as_ref()
                    .map(|t| format!(", tenant {t}"))
                    .unwrap_or_default()
            ),
        };
        (label, r)
    })));
}

async fn execute(
    ctx: &Ctx,
    scope: &InterveneScopeArgs,
    map: DataMap,
    plan: Plan,
) -> anyhow::Result<ExitStatus> {
    let reason = super::reason(&scope.reason)?;
    let tenant = super::tenant_arg(&map, "--tenant", &scope.tenant)?;
    let printer = ctx.printer.clone();
    let table_ref = plan.table.clone();
    let intervene = Intervene::new(
        &ctx.settings,
        map,
        plan,
        tenant,
        scope.max_rows,
        reason.clone(),
        Box::new(move |plan, rows, max| show_preview(&printer, plan, rows, max)),
    );
    let request = Request {
        approval: super::approval(&scope.approval, Some(&reason))?,
        reason: Some(reason),
        dry_run: scope.dry_run,
    };
    let verbose = |p: &crate::ops::intervene::InterventionPlan| {
        for sql in &p.executed {
            ctx.printer.detail(format!("  {sql}"));
        }
    };
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, intervene, &verbose).await?;
    let p = &ran.plan;
    let mut report = InterventionReport {
        // --request previews as a dry run does.
        dry_run: scope.dry_run || scope.approval.request,
        committed: false,
        tenant: p.tenant.to_string(),
        table: p.table.clone(),
        form: p.form,
        operation: p.operation,
        rows: 0,
        max_rows: p.max_rows,
        refused: None,
        changes: vec![],
        intent_seq: None,
        outcome_seq: None,
        atomic: p.atomic,
        events: Vec::new(),
        approval: ran.approval.clone(),
    };
    let End::Done {
        value,
        intent,
        outcome,
        ..
    } = ran.end
    else {
        bail!("internal error: an intervention ended without its record");
    };
    report.intent_seq = Some(intent.seq);
    report.outcome_seq = Some(outcome.seq);
    report.committed = value.committed;
    report.rows = value.rows.len();
    report.events = value.events.clone();
    report.changes = value
        .rows
        .iter()
        .map(|r| ChangeSummary {
            key: r.key(&table_ref),
            columns: r.changed_columns(),
        })
        .collect();
    let status = match &value.refused {
        Some(why) => {
            ctx.printer.status(format!("Refused: {why}"));
            ctx.printer
                .status("Nothing was changed (rolled back); the attempt is recorded.");
            report.refused = Some(why.clone());
            ExitStatus::No
        }
        None if scope.dry_run => {
            ctx.printer.status(format!(
                "Dry run: rolled back, nothing changed; recorded as seq {} and {}.",
                intent.seq, outcome.seq
            ));
            ExitStatus::Success
        }
        None => {
            ctx.printer.status(format!(
                "Committed: {} {} row(s); recorded as seq {} and {}.",
                report.operation, report.rows, intent.seq, outcome.seq
            ));
            ExitStatus::Success
        }
    };
    ctx.printer.report(&report)?;
    Ok(status)
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
                    let rows: Vec<RowChange> = m
                        .get("rows")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|r| {
                            RowChange::own(
                                r.get("before").and_then(Value::as_object).cloned(),
                                r.get("after").and_then(Value::as_object).cloned(),
                            )
                        })
                        .collect();
                    let labelled = rows.iter().map(|rc| {
                        let label = rc
                            .after
                            .as_ref()
                            .or(rc.before.as_ref())
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
                        (label, rc)
                    });
                    out.push_str(&format!("{}\n", images_table(labelled)));
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
        (Some(t), Some(map)) => Some(super::tenant_arg(map, "--tenant", t)?.to_string()),
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
            let intent = read_content::<InterveneIntent>(ctx, e);
            let outcome = o.and_then(|o| read_content::<InterveneOutcome>(ctx, &o.event));
            let table = intent.as_ref().map(|i| i.table.as_str());
            let key_columns = match (table, &map) {
                (Some(t), Some(map)) => intervention::TableRef::find(map, t)
                    .map(|t| t.key)
                    .unwrap_or_default(),
                _ => vec![],
            };
            Listed {
                intent_seq: e.seq,
                outcome_seq: o.map(|o| o.event.seq),
                at: e.at.clone(),
                user: e.actor.user.clone(),
                permission_set: e.actor.permission_set.clone(),
                action: e.action.clone(),
                tenant: e.target.tenant.clone(),
                table: table.map(str::to_owned),
                operation: intent.as_ref().map(|i| i.operation.clone()),
                reason: e.reason.clone(),
                status: s.status.clone().unwrap_or_else(|| "unfinished".into()),
                rows: outcome.as_ref().and_then(|c| c.rows),
                error: outcome.and_then(|c| c.error),
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

/// An event's content as `T`. One that does not read is reported rather than
/// hidden: the intervention is still listed, without the fields it lacks.
fn read_content<T: serde::de::DeserializeOwned>(ctx: &Ctx, event: &Event) -> Option<T> {
    match content::parse(event) {
        Ok(c) => Some(c),
        Err(e) => {
            ctx.printer.warn(e.to_string());
            None
        }
    }
}
