//! `ltops audit …`: set up the store, document interventions made elsewhere, and
//! let anyone — above all the DPO — read, verify and export the log.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};

use super::Ctx;
use crate::ExitStatus;
use crate::audit::event::{Event, Phase};
use crate::audit::seal::KeyState;
use crate::audit::verify::{self, VerifyReport, Witness};
use crate::audit::{AuditError, ShownEvent, Store, show_events};
use crate::cli::{AuditExportArgs, AuditInitArgs, AuditRecordArgs, AuditShowArgs, AuditVerifyArgs};
use crate::datamap::IdType;
use crate::ops::mutation::{self, End, Request};
use crate::ops::record::{AuditInit, AuditRecord};
use crate::printer::{Report, key_value_table, table};
use crate::tenant_id::TenantId;

/// The last line of an evidence file: not an event, the export's own record.
const EXPORT_TRAILER_KEY: &str = "ltops_export";

#[derive(Serialize)]
struct InitReport {
    store: String,
    dry_run: bool,
    granted: Vec<String>,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
}

impl Report for InitReport {
    const KIND: &'static str = "audit.init";
    fn render_table(&self) -> String {
        key_value_table([
            ("store", self.store.clone()),
            ("dry run", self.dry_run.to_string()),
            (
                "granted to",
                if self.granted.is_empty() {
                    "-".into()
                } else {
                    self.granted.join(", ")
                },
            ),
            ("recorded", seqs(self.intent_seq, self.outcome_seq)),
        ])
    }
}

fn seqs(a: Option<u64>, b: Option<u64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("seq {a} (intent), seq {b} (outcome)"),
        _ => "nothing (dry run)".into(),
    }
}

pub async fn init(ctx: &Ctx, args: &AuditInitArgs) -> anyhow::Result<ExitStatus> {
    let init = AuditInit::new(args.grant.clone())?;
    let request = Request {
        reason: None,
        dry_run: args.dry_run,
    };
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, init, &|_| {}).await?;
    let (intent_seq, outcome_seq) = seqs_of(&ran.end);
    ctx.printer.report(&InitReport {
        store: ran.plan.store,
        dry_run: args.dry_run,
        granted: ran.plan.granted,
        intent_seq,
        outcome_seq,
    })?;
    Ok(ExitStatus::Success)
}

/// The intent and outcome seqs of a run, when it ran.
fn seqs_of<D>(end: &End<D>) -> (Option<u64>, Option<u64>) {
    match end {
        End::Done {
            intent, outcome, ..
        } => (Some(intent.seq), Some(outcome.seq)),
        _ => (None, None),
    }
}

#[derive(Serialize)]
struct RecordReport {
    dry_run: bool,
    action: String,
    tenant: Option<String>,
    resource: Option<String>,
    reason: crate::audit::event::Reason,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
    outcome_hash: Option<String>,
}

impl Report for RecordReport {
    const KIND: &'static str = "audit.record";
    fn render_table(&self) -> String {
        key_value_table([
            ("action", self.action.clone()),
            ("tenant", self.tenant.clone().unwrap_or_else(|| "-".into())),
            (
                "resource",
                self.resource.clone().unwrap_or_else(|| "-".into()),
            ),
            ("reason", reason_text(&self.reason)),
            ("recorded", seqs(self.intent_seq, self.outcome_seq)),
            (
                "hash",
                self.outcome_hash.clone().unwrap_or_else(|| "-".into()),
            ),
        ])
    }
}

pub async fn record(ctx: &Ctx, args: &AuditRecordArgs) -> anyhow::Result<ExitStatus> {
    let reason = super::reason(&args.reason)?;
    // The data map knows the tenant id type; without one, ids are words.
    let tenant = match &args.tenant {
        Some(t) => {
            let id_type = ctx
                .data_map()
                .map(|m| m.tenant.id_type)
                .unwrap_or(IdType::Text);
            Some(TenantId::parse_as(id_type, t).map_err(|e| anyhow::anyhow!("--tenant: {e}"))?)
        }
        None => None,
    };
    let record = AuditRecord::new(
        args.action.clone(),
        tenant,
        args.resource.clone(),
        args.detail.clone(),
    )?;
    let request = Request {
        reason: Some(reason.clone()),
        dry_run: args.dry_run,
    };
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, record, &|_| {}).await?;
    let (intent_seq, outcome_seq) = seqs_of(&ran.end);
    let outcome_hash = match &ran.end {
        End::Done { outcome, .. } => Some(outcome.hash.clone()),
        _ => None,
    };
    ctx.printer.report(&RecordReport {
        dry_run: args.dry_run,
        action: args.action.clone(),
        tenant: args.tenant.clone(),
        resource: args.resource.clone(),
        reason,
        intent_seq,
        outcome_seq,
        outcome_hash,
    })?;
    Ok(ExitStatus::Success)
}

/// Where a read-only audit command reads from.
enum Source {
    Store(Store),
    Evidence {
        path: String,
        trailer: Option<Value>,
    },
}

/// Reads the log bytes; for an evidence file the trailer is split off.
async fn load(ctx: &Ctx, file: Option<&Path>) -> anyhow::Result<(Source, Vec<u8>)> {
    match file {
        Some(path) => {
            let mut bytes = std::fs::read(path)
                .with_context(|| format!("cannot read the evidence file {}", path.display()))?;
            let trailer = split_trailer(&mut bytes);
            Ok((
                Source::Evidence {
                    path: path.display().to_string(),
                    trailer,
                },
                bytes,
            ))
        }
        None => {
            let sdk = crate::aws::config::load(&ctx.settings.aws).await;
            let store = Store::open(&ctx.settings, &sdk).await?;
            let bytes = store.read_all().await?;
            Ok((Source::Store(store), bytes))
        }
    }
}

fn split_trailer(bytes: &mut Vec<u8>) -> Option<Value> {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    let start = bytes[..end]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let v: Value = serde_json::from_slice(&bytes[start..end]).ok()?;
    let trailer = v.get(EXPORT_TRAILER_KEY)?.clone();
    bytes.truncate(start);
    Some(trailer)
}

impl Source {
    fn describe(&self) -> String {
        match self {
            Source::Store(s) => s.describe(),
            Source::Evidence { path, .. } => format!("evidence file {path}"),
        }
    }

    fn witness(&self) -> Option<Witness> {
        match self {
            Source::Store(s) => s.recorded_head(),
            Source::Evidence { trailer, .. } => trailer
                .as_ref()
                .and_then(|t| serde_json::from_value(t.get("head")?.clone()).ok()),
        }
    }

    async fn keys(&self, ctx: &Ctx) -> HashMap<String, KeyState> {
        let found = match self {
            Source::Store(s) => s.key_states().await,
            // An evidence file carries no keys; the live store's keys open what
            // has not been shredded since.
            Source::Evidence { .. } => {
                let sdk = crate::aws::config::load(&ctx.settings.aws).await;
                match Store::open(&ctx.settings, &sdk).await {
                    Ok(s) => s.key_states().await,
                    Err(e) => Err(e),
                }
            }
        };
        found.unwrap_or_default()
    }
}

#[derive(Serialize)]
struct ShowReport {
    source: String,
    events: Vec<ShownEvent>,
}

impl Report for ShowReport {
    const KIND: &'static str = "audit.show";
    fn render_table(&self) -> String {
        let mut t = table([
            "seq", "at (UTC)", "user", "action", "phase", "tenant", "reason", "detail",
        ]);
        for s in &self.events {
            let e = &s.event;
            let phase = match (e.phase, &s.status, e.result) {
                (Phase::Intent, Some(status), _) => format!("intent → {status}"),
                (Phase::Outcome, _, Some(r)) => format!("outcome {}", r.as_str()),
                _ => "?".into(),
            };
            let reason = e
                .reason
                .as_ref()
                .map(reason_text)
                .unwrap_or_else(|| "-".into());
            let mut detail = compact(&e.content);
            if let Some(p) = &s.personal {
                if !detail.is_empty() {
                    detail.push(' ');
                }
                detail.push_str(&compact(p));
            }
            t.add_row(vec![
                e.seq.to_string(),
                e.at.get(..19).unwrap_or(&e.at).replace('T', " "),
                e.actor.user.clone(),
                e.action.clone(),
                phase,
                e.target.tenant.clone().unwrap_or_else(|| "-".into()),
                reason,
                truncate(&detail, 80),
            ]);
        }
        format!("{t}\n")
    }
}

fn reason_text(r: &crate::audit::event::Reason) -> String {
    r.to_string()
}

fn compact(v: &Value) -> String {
    match v {
        Value::Object(m) if m.is_empty() => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub async fn show(ctx: &Ctx, args: &AuditShowArgs) -> anyhow::Result<ExitStatus> {
    let now = Utc::now();
    let since = args
        .since
        .as_deref()
        .map(|s| crate::when::parse_time(s, now))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let until = args
        .until
        .as_deref()
        .map(|s| crate::when::parse_time(s, now))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--until: {e}"))?;
    let (source, bytes) = load(ctx, args.file.as_deref()).await?;
    let keys = source.keys(ctx).await;
    let mut events: Vec<ShownEvent> = show_events(&bytes, &keys)
        .into_iter()
        .filter(|s| keep(&s.event, args, since, until))
        .collect();
    if let Some(n) = args.limit {
        let skip = events.len().saturating_sub(n);
        events.drain(..skip);
    }
    ctx.printer.report(&ShowReport {
        source: source.describe(),
        events,
    })?;
    Ok(ExitStatus::Success)
}

fn keep(
    e: &Event,
    args: &AuditShowArgs,
    since: Option<chrono::DateTime<Utc>>,
    until: Option<chrono::DateTime<Utc>>,
) -> bool {
    let at = chrono::DateTime::parse_from_rfc3339(&e.at)
        .map(|t| t.with_timezone(&Utc))
        .ok();
    if let (Some(s), Some(at)) = (since, at)
        && at < s
    {
        return false;
    }
    if let (Some(u), Some(at)) = (until, at)
        && at >= u
    {
        return false;
    }
    if let Some(a) = &args.actor
        && e.actor.user != *a
        && e.actor.arn != *a
    {
        return false;
    }
    if let Some(a) = &args.action {
        let hit = if a.ends_with('.') {
            e.action.starts_with(a.as_str())
        } else {
            e.action == *a
        };
        if !hit {
            return false;
        }
    }
    if let Some(t) = &args.tenant
        && e.target.tenant.as_deref() != Some(t.as_str())
    {
        return false;
    }
    true
}

#[derive(Serialize)]
struct VerifyOut {
    source: String,
    intact: bool,
    #[serde(flatten)]
    report: VerifyReport,
}

impl Report for VerifyOut {
    const KIND: &'static str = "audit.verify";
    fn render_table(&self) -> String {
        let r = &self.report;
        let mut rows = vec![
            ("source", self.source.clone()),
            ("events", r.events.to_string()),
            (
                "result",
                if self.intact {
                    "intact".into()
                } else {
                    "BROKEN".into()
                },
            ),
        ];
        if let Some(b) = &r.first_break {
            rows.push(("first broken seq", b.seq.to_string()));
            rows.push(("what", format!("{:?}: {}", b.kind, b.detail).to_lowercase()));
        }
        rows.push((
            "head",
            r.head
                .as_ref()
                .map(|h| format!("{}:{}", h.seq, h.hash))
                .unwrap_or_else(|| "-".into()),
        ));
        rows.push((
            "checked against",
            r.witness
                .as_ref()
                .map(|w| format!("{}:{}", w.seq, w.hash))
                .unwrap_or_else(|| "no recorded head".into()),
        ));
        rows.push((
            "unfinished",
            if r.unfinished.is_empty() {
                "none".into()
            } else {
                r.unfinished
                    .iter()
                    .map(|u| format!("seq {} {} by {} at {}", u.seq, u.action, u.user, u.at))
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        ));
        key_value_table(rows)
    }
}

pub async fn verify(ctx: &Ctx, args: &AuditVerifyArgs) -> anyhow::Result<ExitStatus> {
    let expect: Option<Witness> = args
        .expect_head
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| anyhow::anyhow!("--expect-head: {e}"))?;
    let (source, bytes) = load(ctx, args.file.as_deref()).await?;
    let witness = expect.or_else(|| source.witness());
    let report = verify::verify_bytes(&bytes, witness.as_ref());
    let intact = report.intact();
    if let Some(b) = &report.first_break {
        ctx.printer
            .status(format!("audit log BROKEN at seq {}: {}", b.seq, b.detail));
    }
    for u in &report.unfinished {
        ctx.printer.status(format!(
            "unfinished: seq {} {} by {} at {} has no outcome (still running, or cut off)",
            u.seq, u.action, u.user, u.at
        ));
    }
    ctx.printer.report(&VerifyOut {
        source: source.describe(),
        intact,
        report,
    })?;
    Ok(if intact {
        ExitStatus::Success
    } else {
        ExitStatus::No
    })
}

#[derive(Serialize)]
struct ExportReport {
    out: String,
    events: u64,
    head: Option<Witness>,
    intact: bool,
}

impl Report for ExportReport {
    const KIND: &'static str = "audit.export";
    fn render_table(&self) -> String {
        key_value_table([
            ("written", self.out.clone()),
            ("events", self.events.to_string()),
            (
                "head",
                self.head
                    .as_ref()
                    .map(|h| format!("{}:{}", h.seq, h.hash))
                    .unwrap_or_else(|| "-".into()),
            ),
            (
                "chain",
                if self.intact { "intact" } else { "BROKEN" }.into(),
            ),
        ])
    }
}

pub async fn export(ctx: &Ctx, args: &AuditExportArgs) -> anyhow::Result<ExitStatus> {
    if args.out.exists() {
        bail!(
            "{} exists; evidence files are never overwritten — choose another --out",
            args.out.display()
        );
    }
    let (source, bytes) = load(ctx, None).await?;
    let report = verify::verify_bytes(&bytes, source.witness().as_ref());
    if let Some(b) = &report.first_break {
        ctx.printer.warn(format!(
            "exporting a BROKEN chain (seq {}: {}) — the evidence file shows it as it is",
            b.seq, b.detail
        ));
    }
    let last: Option<Event> = bytes
        .split(|b| *b == b'\n')
        .rfind(|l| !l.is_empty())
        .and_then(|l| serde_json::from_slice(l).ok());
    let head = last.map(|e| Witness {
        seq: e.seq,
        hash: e.hash,
    });
    let trailer = json!({
        EXPORT_TRAILER_KEY: {
            "exported_at": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "source": source.describe(),
            "events": report.events,
            "head": head,
        }
    });
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    let mut f = opts
        .open(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    f.write_all(&bytes)?;
    if !bytes.is_empty() && bytes.last() != Some(&b'\n') {
        f.write_all(b"\n")?;
    }
    f.write_all(trailer.to_string().as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    ctx.printer.report(&ExportReport {
        out: args.out.display().to_string(),
        events: report.events,
        head,
        intact: report.intact(),
    })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct HeadReport {
    seq: u64,
    hash: String,
    at: Option<String>,
    source: String,
}

impl Report for HeadReport {
    const KIND: &'static str = "audit.head";
    fn render_table(&self) -> String {
        format!("{}:{}\n", self.seq, self.hash)
    }
}

pub async fn head(ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let (source, bytes) = load(ctx, None).await?;
    let report = verify::verify_bytes(&bytes, source.witness().as_ref());
    if let Some(b) = &report.first_break {
        return Err(AuditError::Broken(format!(
            "seq {}: {} — there is no trustworthy head; run `ltops audit verify`",
            b.seq, b.detail
        ))
        .into());
    }
    let last: Option<Event> = bytes
        .split(|b| *b == b'\n')
        .rfind(|l| !l.is_empty())
        .and_then(|l| serde_json::from_slice(l).ok());
    let report = match last {
        Some(e) => HeadReport {
            seq: e.seq,
            hash: e.hash,
            at: Some(e.at),
            source: source.describe(),
        },
        None => HeadReport {
            seq: 0,
            hash: crate::audit::event::GENESIS.to_owned(),
            at: None,
            source: source.describe(),
        },
    };
    ctx.printer.report(&report)?;
    Ok(ExitStatus::Success)
}
