//! `ltops audit …`: set up the store, document interventions made elsewhere, and
//! let anyone — above all the DPO — read, verify and export the log.

use anyhow::bail;
use chrono::Utc;
use serde::Serialize;
use serde_json::Value;

use super::Ctx;
use crate::audit::anchor::{Anchor, AnchorReport};
use crate::audit::anchor_check::Tracker;
use crate::audit::anchor_evidence;
use crate::audit::event::{Event, Phase};
use crate::audit::evidence::{EvidenceWriter, Source, Trailer};
use crate::audit::head::Head;
use crate::audit::stream;
use crate::audit::verify::{Verifier, VerifyReport, Witness};
use crate::audit::{AuditError, ShowBackward, ShowForward, ShownEvent};
use crate::cli::{AuditExportArgs, AuditInitArgs, AuditRecordArgs, AuditShowArgs, AuditVerifyArgs};
use crate::datamap::IdType;
use crate::ops::mutation::{self, End, Request};
use crate::ops::record::{AuditInit, AuditRecord};
use crate::printer::{Report, key_value_table, table};
use crate::tenant_id::TenantId;
use crate::{ExitStatus, ops};

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
        approval: Default::default(),
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
        approval: Default::default(),
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
    let source = Source::open(&ctx.settings, args.file.as_deref()).await?;
    let keys = source.keys(&ctx.settings).await;
    let accept = |e: &Event| keep(e, args, since, until);
    // Neither way holds more of the log than the events shown: the last N are
    // found reading backwards from the end, all matches reading forward.
    let events: Vec<ShownEvent> = match args.limit {
        Some(n) => {
            let mut tail = source.tail().await?;
            let mut found = ShowBackward::new(&keys, n);
            while !found.full()
                && let Some(line) = tail.next_line().await?
            {
                found.push(&line, accept);
            }
            found.finish()
        }
        None => {
            let mut reader = source.reader().await?;
            let mut found = ShowForward::new(&keys);
            while let Some(block) = reader.next_block().await? {
                for line in stream::lines(block) {
                    found.push(line, accept);
                }
            }
            found.finish()
        }
    };
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
    /// The comparison with the anchored copy, when an anchor is configured.
    anchor: Option<AnchorReport>,
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
        if let Some(a) = &self.anchor {
            rows.push(("anchor", anchor_summary(a)));
        }
        if let Some(b) = &r.first_break {
            rows.push(("first broken seq", b.seq.to_string()));
            rows.push(("what", format!("{:?}: {}", b.kind, b.detail).to_lowercase()));
        }
        rows.push((
            "head",
            r.head.as_ref().map_or_else(|| "-".into(), Head::to_string),
        ));
        rows.push((
            "checked against",
            r.witness
                .as_ref()
                .map_or_else(|| "no recorded head".into(), Head::to_string),
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
        .map_err(|e| anyhow::anyhow!("--expect-head {e}"))?;
    let source = Source::open(&ctx.settings, args.file.as_deref()).await?;
    let witness = expect.or_else(|| source.witness());
    let mut tracker = match &source {
        Source::Evidence {
            trailer: Some(Trailer {
                anchor: Some(a), ..
            }),
            ..
        } => Some(anchor_evidence::tracker(a)),
        _ => None,
    };
    // With an anchor configured its checkpoints are listed first (a thousand
    // per request) and held against every event while the chain is verified:
    // the log is read once; segments only where a checkpoint disagrees.
    let online = match (&source, &ctx.settings.config.audit.anchor) {
        (Source::Store(_), Some(cfg)) => {
            let sdk = crate::aws::config::load(&ctx.settings.aws).await;
            let (anchor, t) = ops::anchoring::prepare(&sdk, cfg).await?;
            tracker = Some(t);
            Some(anchor)
        }
        _ => None,
    };
    let (report, _, tracker) = verify_stream(&source, witness.as_ref(), tracker).await?;
    let anchor = match (tracker, &source, &online) {
        (Some(t), Source::Store(store), Some(online)) if !t.diverged().is_empty() => {
            let differences = ops::anchoring::locate(online, t.diverged(), store).await?;
            Some(t.finish(Some(differences)))
        }
        (t, _, _) => t.map(|t| t.finish(None)),
    };
    if let Some(a) = &anchor {
        for line in anchor_findings(a) {
            ctx.printer.status(line);
        }
    }
    let intact = report.intact() && anchor.as_ref().is_none_or(AnchorReport::intact);
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
        anchor,
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
    head: Option<Head>,
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
                    .map_or_else(|| "-".into(), Head::to_string),
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
    let source = Source::open(&ctx.settings, None).await?;
    // One pass: each block is verified and written before the next is read.
    let mut out = EvidenceWriter::create(&args.out)?;
    let mut verifier = Verifier::new(source.witness().as_ref());
    let mut reader = source.reader().await?;
    while let Some(block) = reader.next_block().await? {
        verifier.feed_block(block);
        out.write(block)?;
    }
    // The last event even of a broken chain: the file shows the log as it is.
    let last = verifier.last_line().and_then(last_event);
    let report = verifier.finish();
    if let Some(b) = &report.first_break {
        ctx.printer.warn(format!(
            "exporting a BROKEN chain (seq {}: {}) — the evidence file shows it as it is",
            b.seq, b.detail
        ));
    }
    // The anchor goes with the file, so that it can be checked offline.
    let anchor = match &ctx.settings.config.audit.anchor {
        Some(cfg) => {
            let sdk = crate::aws::config::load(&ctx.settings.aws).await;
            Some(anchor_evidence::collect(&Anchor::new(&sdk, cfg)).await?)
        }
        None => None,
    };
    let trailer = Trailer {
        exported_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source: source.describe(),
        events: report.events,
        head: last.as_ref().and_then(Head::of),
        anchor,
    };
    out.finish(&trailer)?;
    ctx.printer.report(&ExportReport {
        out: args.out.display().to_string(),
        events: report.events,
        head: trailer.head,
        intact: report.intact(),
    })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct HeadReport {
    #[serde(flatten)]
    head: Head,
    at: Option<String>,
    source: String,
}

impl Report for HeadReport {
    const KIND: &'static str = "audit.head";
    fn render_table(&self) -> String {
        format!("{}\n", self.head)
    }
}

pub async fn head(ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    let source = Source::open(&ctx.settings, None).await?;
    let (report, last, _) = verify_stream(&source, source.witness().as_ref(), None).await?;
    if let Some(b) = &report.first_break {
        return Err(AuditError::Broken(format!(
            "seq {}: {} — there is no trustworthy head; run `ltops audit verify`",
            b.seq, b.detail
        ))
        .into());
    }
    // An intact chain's head is its last event; an empty one's is genesis.
    let report = HeadReport {
        head: report.head.unwrap_or(Head::GENESIS),
        at: last.map(|e| e.at),
        source: source.describe(),
    };
    ctx.printer.report(&report)?;
    Ok(ExitStatus::Success)
}

/// Verifies the log as it streams in; with its last event, which `audit head`
/// shows the time of.
async fn verify_stream(
    source: &Source,
    witness: Option<&Witness>,
    tracker: Option<Tracker>,
) -> anyhow::Result<(VerifyReport, Option<Event>, Option<Tracker>)> {
    let mut verifier = Verifier::new(witness);
    if let Some(t) = tracker {
        verifier.track(t);
    }
    let mut reader = source.reader().await?;
    while let Some(block) = reader.next_block().await? {
        verifier.feed_block(block);
    }
    let last = verifier.last_line().and_then(last_event);
    let (report, tracker) = verifier.finish_tracked();
    Ok((report, last, tracker))
}

/// The line as an event, if it is one.
fn last_event(line: &[u8]) -> Option<Event> {
    serde_json::from_slice(line).ok()
}

/// Seqs as ranges: `3-7, 9`.
fn seq_ranges(seqs: &[u64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < seqs.len() {
        let mut j = i;
        while j + 1 < seqs.len() && seqs[j + 1] == seqs[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            seqs[i].to_string()
        } else {
            format!("{}-{}", seqs[i], seqs[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

fn anchor_summary(a: &AnchorReport) -> String {
    let mut parts = vec![format!(
        "{}: {} checkpoint(s), anchored through seq {}",
        a.anchor,
        a.checkpoints,
        a.anchored_through.map_or("-".into(), |s| s.to_string())
    )];
    if a.intact() {
        parts.push("local log agrees".into());
    } else {
        parts.push("DISAGREES (see above)".into());
    }
    if !a.unanchored.is_empty() {
        parts.push(format!(
            "not yet anchored: seq {}",
            seq_ranges(&a.unanchored)
        ));
    }
    parts.join("\n")
}

/// What the anchor comparison found, one line each, for stderr.
fn anchor_findings(a: &AnchorReport) -> Vec<String> {
    let mut out: Vec<String> = a
        .bad_checkpoints
        .iter()
        .map(|b| format!("anchor: checkpoint at {b}"))
        .collect();
    if !a.rewritten.is_empty() {
        out.push(format!(
            "audit log REWRITTEN: seq {} differ(s) from the anchored copy in {}",
            seq_ranges(&a.rewritten),
            a.anchor
        ));
    }
    if !a.rehashed.is_empty() {
        out.push(format!(
            "audit log RE-HASHED: seq {} say(s) what was anchored but hang(s) on the rewritten chain",
            seq_ranges(&a.rehashed)
        ));
    }
    if a.rewritten.is_empty() && !a.diverged.is_empty() {
        out.push(format!(
            "audit log DIVERGED: the local events at checkpoint seq {} have other hashes than anchored in {}",
            seq_ranges(&a.diverged),
            a.anchor
        ));
    }
    if !a.missing.is_empty() {
        out.push(format!(
            "audit log ROLLED BACK: anchored seq {} missing locally",
            seq_ranges(&a.missing)
        ));
    }
    if !a.unanchored.is_empty() {
        out.push(format!(
            "not yet anchored: seq {} (the next command ships them)",
            seq_ranges(&a.unanchored)
        ));
    }
    out
}
