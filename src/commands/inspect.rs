//! `ltops inspect …`: documented reads of customer data (TOM §3). The command
//! translates flags into a read plan, refuses `--reveal` where the values
//! could be stored, and prints; the read itself is the use case
//! [`crate::ops::inspect`]. Nothing of the result is written anywhere but
//! stdout: no pager, no temporary file, no history.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};

use anyhow::{Context, anyhow, bail};
use chrono::Utc;
use serde::Serialize;
use serde_json::Value;

use super::Ctx;
use crate::ExitStatus;
use crate::audit::content::{self, InspectIntent, InspectOutcome};
use crate::audit::event::{Event, Phase, Reason};
use crate::audit::{ShownEvent, Store, show_events};
use crate::cli::{InspectListArgs, InspectReadArgs};
use crate::datamap::DataMap;
use crate::inspection::mask::Cell;
use crate::inspection::{self, Column};
use crate::intervention::bounds::truncate_cell;
use crate::intervention::structured::Rows;
use crate::ops::inspect::{Inspect, InspectionPlan, ReadOptions};
use crate::ops::intervene::cell;
use crate::ops::mutation::{self, End, Request};
use crate::printer::{Report, table};

/// The longest value a cell shows in the table.
const MAX_CELL: usize = 200;

/// Refuses `--reveal` unless the values go to a terminal as a table: JSON is
/// for files and pipes, and a pipe or a file is where a value gets stored.
fn check_reveal(ctx: &Ctx, args: &InspectReadArgs) -> anyhow::Result<()> {
    if args.reveal.is_empty() {
        return Ok(());
    }
    if ctx.printer.is_json() {
        bail!(
            "--reveal is refused with --format json: revealed personal data goes to a terminal only (JSON is for files and pipes); the masked output may be written anywhere"
        );
    }
    if !std::io::stdout().is_terminal() {
        bail!(
            "--reveal is refused: stdout is not a terminal (a pipe or a file), and revealed personal data must not be stored — run it on a terminal, or leave out --reveal (the masked output may be piped)"
        );
    }
    Ok(())
}

fn statement_text(args: &InspectReadArgs) -> anyhow::Result<Option<String>> {
    let stdin = || -> anyhow::Result<String> {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read the statement from stdin")?;
        Ok(s)
    };
    Ok(match (&args.sql, &args.sql_file) {
        (Some(s), _) if s == "-" => Some(stdin()?),
        (Some(s), _) => Some(s.clone()),
        (None, Some(p)) if p.as_os_str() == "-" => Some(stdin()?),
        (None, Some(p)) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the statement from {}", p.display()))?,
        ),
        (None, None) => None,
    })
}

pub async fn read(ctx: &Ctx, args: &InspectReadArgs) -> anyhow::Result<ExitStatus> {
    check_reveal(ctx, args)?;
    let map = ctx.data_map()?;
    let reason = super::reason(&args.reason)?;
    let raw_tenant = args
        .tenant
        .as_deref()
        .ok_or_else(|| anyhow!("--tenant is required"))?;
    let tenant = super::tenant_arg(&map, "--tenant", raw_tenant)?;
    let plan = match (statement_text(args)?, &args.table) {
        (Some(text), _) => inspection::plan_sql(&map, &text, tenant.as_str())
            .map_err(|e| anyhow!("the statement is refused: {e}"))?,
        (None, Some(table)) => {
            let rows = if !args.key.is_empty() {
                Some(Rows::Key(args.key.clone()))
            } else if !args.ids.is_empty() {
                Some(Rows::Ids(args.ids.clone()))
            } else {
                None
            };
            inspection::plan_rows(&map, table, rows.as_ref(), &args.filters, tenant.as_str())
                .map_err(anyhow::Error::msg)?
        }
        (None, None) => bail!("give --table TABLE or --sql SQL (or --sql-file FILE)"),
    };
    let options = ReadOptions {
        max_rows: args.max_rows,
        limit: args.limit,
        reveal: args.reveal.clone(),
    };
    let inspect = Inspect::new(&ctx.settings, map, plan, tenant, options, reason.clone());
    let request = Request {
        reason: Some(reason),
        dry_run: false,
        // A read is recorded, not gated: approvals guard irreversible changes.
        approval: Default::default(),
    };
    let verbose = |p: &InspectionPlan| ctx.printer.detail(format!("  {}", p.executed));
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, inspect, &verbose).await?;
    let End::Done {
        value,
        intent,
        outcome,
        ..
    } = ran.end
    else {
        bail!("internal error: an inspection ended without its record");
    };
    let p = ran.plan;
    if value.truncated {
        ctx.printer.warn(format!(
            "more rows match than the row cap of {}: showing the first {} — narrow the statement, or allow more with --max-rows N",
            p.max_rows, p.max_rows
        ));
    }
    ctx.printer.status(format!(
        "Read {} row(s); recorded as seq {} and {}.",
        value.rows.len(),
        intent.seq,
        outcome.seq
    ));
    ctx.printer.report(&ReadReport {
        tenant: p.tenant.to_string(),
        form: p.form,
        table: p.table.clone(),
        tables: p.tables.clone(),
        columns: p
            .columns
            .iter()
            .map(|c| ShownColumn::new(c, &p.revealed))
            .collect(),
        row_count: value.rows.len(),
        truncated: value.truncated,
        max_rows: p.max_rows,
        rows: value.rows,
        intent_seq: intent.seq,
        outcome_seq: outcome.seq,
    })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct ShownColumn {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    personal: bool,
    /// Shown masked (personal and not revealed).
    masked: bool,
}

impl ShownColumn {
    fn new(c: &Column, revealed: &[String]) -> ShownColumn {
        ShownColumn {
            name: c.name.clone(),
            origin: c.origin.clone(),
            personal: c.personal,
            masked: c.personal && !revealed.contains(&c.name),
        }
    }
}

/// The rows read, personal columns masked unless revealed.
#[derive(Serialize)]
struct ReadReport {
    tenant: String,
    form: &'static str,
    table: Option<String>,
    tables: Vec<String>,
    columns: Vec<ShownColumn>,
    rows: Vec<Vec<Cell>>,
    row_count: usize,
    /// More rows matched than the cap let through.
    truncated: bool,
    max_rows: u64,
    intent_seq: u64,
    outcome_seq: u64,
}

impl Report for ReadReport {
    const KIND: &'static str = "inspect";
    fn render_table(&self) -> String {
        let mut t = table(self.columns.iter().map(|c| {
            if c.masked {
                format!("{} (masked)", c.name)
            } else {
                c.name.clone()
            }
        }));
        for row in &self.rows {
            t.add_row(
                row.iter()
                    .map(|v| match v {
                        Cell::Clear(None) => "NULL".to_owned(),
                        Cell::Clear(Some(s)) => truncate_cell(s, MAX_CELL),
                        Cell::Masked(m) => m.to_string(),
                    })
                    .collect::<Vec<_>>(),
            );
        }
        format!("{t}\n")
    }
}

// ---------------------------------------------------------------------------
// inspect list

#[derive(Serialize)]
struct ListReport {
    source: String,
    reads: Vec<Listed>,
}

#[derive(Serialize)]
struct Listed {
    intent_seq: u64,
    outcome_seq: Option<u64>,
    at: String,
    user: String,
    permission_set: String,
    tenant: Option<String>,
    form: Option<String>,
    tables: Vec<String>,
    masked: Vec<String>,
    revealed: Vec<String>,
    reason: Option<Reason>,
    /// `ok`, `failed`, `aborted` or `unfinished`.
    status: String,
    rows: Option<u64>,
    truncated: Option<bool>,
    error: Option<String>,
    /// With --statements: the statement (opened), or the erasure notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<Value>,
}

impl Report for ListReport {
    const KIND: &'static str = "inspect.list";
    fn render_table(&self) -> String {
        let mut t = table([
            "seq", "at (UTC)", "user", "tenant", "tables", "rows", "revealed", "reason", "status",
        ]);
        for l in &self.reads {
            t.add_row(vec![
                l.intent_seq.to_string(),
                l.at.get(..19).unwrap_or(&l.at).replace('T', " "),
                l.user.clone(),
                l.tenant.clone().unwrap_or_else(|| "-".into()),
                l.tables.join(", "),
                l.rows.map_or_else(|| "-".into(), |n| n.to_string()),
                if l.revealed.is_empty() {
                    "-".into()
                } else {
                    l.revealed.join(", ")
                },
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
        for l in &self.reads {
            let Some(s) = &l.statement else { continue };
            let text = match s {
                Value::Object(m) => m.get("statement").map(cell).unwrap_or_else(|| "-".into()),
                other => cell(other),
            };
            out.push_str(&format!("\nseq {} — statement: {text}\n", l.intent_seq));
        }
        out
    }
}

pub async fn list(ctx: &Ctx, args: &InspectListArgs) -> anyhow::Result<ExitStatus> {
    let since = args
        .since
        .as_deref()
        .map(|s| crate::when::parse_time(s, Utc::now()))
        .transpose()
        .map_err(|e| anyhow!("--since: {e}"))?;
    let tenant = match &args.tenant {
        Some(t) => match DataMap::load(&ctx.settings.policies_dir.join("datamap.yaml")) {
            Ok(map) => Some(super::tenant_arg(&map, "--tenant", t)?.to_string()),
            Err(_) => Some(t.clone()),
        },
        None => None,
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
    let mut reads: Vec<Listed> = events
        .iter()
        .filter(|s| s.event.phase == Phase::Intent && s.event.action == "inspect")
        .filter(|s| tenant.is_none() || s.event.target.tenant == tenant)
        .filter(|s| {
            since.is_none_or(|since| {
                chrono::DateTime::parse_from_rfc3339(&s.event.at)
                    .is_ok_and(|at| at.with_timezone(&Utc) >= since)
            })
        })
        .map(|s| listed(ctx, s, outcomes.get(&s.event.id).copied(), args.statements))
        .collect();
    if let Some(n) = args.limit {
        let skip = reads.len().saturating_sub(n);
        reads.drain(..skip);
    }
    ctx.printer.report(&ListReport {
        source: store.describe(),
        reads,
    })?;
    Ok(ExitStatus::Success)
}

fn listed(ctx: &Ctx, s: &ShownEvent, o: Option<&ShownEvent>, statements: bool) -> Listed {
    let e = &s.event;
    let intent = read_content::<InspectIntent>(ctx, e);
    let outcome = o.and_then(|o| read_content::<InspectOutcome>(ctx, &o.event));
    Listed {
        intent_seq: e.seq,
        outcome_seq: o.map(|o| o.event.seq),
        at: e.at.clone(),
        user: e.actor.user.clone(),
        permission_set: e.actor.permission_set.clone(),
        tenant: e.target.tenant.clone(),
        form: intent.as_ref().map(|i| i.form.clone()),
        tables: intent
            .as_ref()
            .map(|i| i.tables.clone())
            .unwrap_or_default(),
        masked: intent
            .as_ref()
            .map(|i| i.masked.clone())
            .unwrap_or_default(),
        revealed: intent
            .as_ref()
            .map(|i| i.revealed.clone())
            .unwrap_or_default(),
        reason: e.reason.clone(),
        status: s.status.clone().unwrap_or_else(|| "unfinished".into()),
        rows: outcome.as_ref().and_then(|c| c.rows),
        truncated: outcome.as_ref().and_then(|c| c.truncated),
        error: outcome.and_then(|c| c.error),
        statement: statements.then(|| s.personal.clone()).flatten(),
    }
}

/// An event's content as `T`; one that does not read is reported, not hidden.
fn read_content<T: serde::de::DeserializeOwned>(ctx: &Ctx, event: &Event) -> Option<T> {
    match content::parse(event) {
        Ok(c) => Some(c),
        Err(e) => {
            ctx.printer.warn(e.to_string());
            None
        }
    }
}
