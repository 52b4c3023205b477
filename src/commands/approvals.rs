//! `ltops approvals …`: the second person's side of four eyes — what waits
//! for a decision, and the decision itself, after the plan has been shown.

use serde::Serialize;

use super::Ctx;
use crate::ExitStatus;
use crate::cli::ApprovalsListArgs;
use crate::ops::approvals::{self, Decide, DecidePlan, Pin, PinPlan, Shown};
use crate::ops::mutation::{self, End, Request};
use crate::printer::{Report, key_value_table, table};

#[derive(Serialize)]
struct ListReport {
    all: bool,
    requests: Vec<Shown>,
}

impl Report for ListReport {
    const KIND: &'static str = "approvals.list";
    fn render_table(&self) -> String {
        let mut t = table([
            "id",
            "status",
            "plan",
            "requested by",
            "at",
            "decisions",
            "used by",
        ]);
        for s in &self.requests {
            let r = &s.request;
            t.add_row(vec![
                r.seq.to_string(),
                s.status.as_str().to_owned(),
                r.summary(),
                r.requester.user.clone(),
                r.at.clone(),
                decisions(s),
                r.uses
                    .iter()
                    .map(|u| {
                        format!(
                            "seq {} ({})",
                            u.seq,
                            u.result.map_or("unfinished", |o| o.as_str())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
        format!("{t}\n")
    }
}

/// `approved by dora (until …); denied by bob: note`.
fn decisions(s: &Shown) -> String {
    s.request
        .decisions
        .iter()
        .map(|d| {
            let mut x = format!(
                "{} by {}",
                if d.approve { "approved" } else { "denied" },
                d.by
            );
            if let Some(u) = &d.valid_until {
                x.push_str(&format!(" (until {u})"));
            }
            if let Some(n) = &d.note {
                x.push_str(&format!(": {n}"));
            }
            x
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn list(ctx: &Ctx, args: &ApprovalsListArgs) -> anyhow::Result<ExitStatus> {
    let requests = approvals::list(&ctx.settings, args.all).await?;
    ctx.printer.report(&ListReport {
        all: args.all,
        requests,
    })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct DecisionReport {
    id: u64,
    decision: &'static str,
    plan: DecidePlan,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
}

impl Report for DecisionReport {
    const KIND: &'static str = "approvals.decision";
    fn render_table(&self) -> String {
        key_value_table([
            ("id", self.id.to_string()),
            ("decision", self.decision.to_owned()),
            ("plan", self.plan.request.request.summary()),
            ("digest", self.plan.request.request.digest.clone()),
            (
                "valid until",
                self.plan.valid_until.map_or("-".into(), |u| u.to_rfc3339()),
            ),
            (
                "audit",
                format!(
                    "seq {} (intent), seq {} (outcome)",
                    self.intent_seq.unwrap_or(0),
                    self.outcome_seq.unwrap_or(0)
                ),
            ),
        ])
    }
}

/// The plan as the approver reviews it, on stderr before the question.
fn show_plan(ctx: &Ctx, p: &DecidePlan) {
    let r = &p.request.request;
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let mut lines = vec![
        format!("status: {}", p.request.status.as_str()),
        format!(
            "reason: {}",
            r.reason.as_ref().map_or("-".into(), ToString::to_string)
        ),
        format!("plan: {}", pretty(&r.plan)),
    ];
    if let Some(preview) = &r.preview {
        lines.push(format!("preview: {}", pretty(preview)));
    }
    if let Some(personal) = &p.request.personal {
        lines.push(format!("sealed part: {}", pretty(personal)));
    }
    if !decisions(&p.request).is_empty() {
        lines.push(format!("decisions so far: {}", decisions(&p.request)));
    }
    lines.push(format!("digest: {}", r.digest));
    ctx.printer.status(lines.join("\n"));
}

pub async fn decide(
    ctx: &Ctx,
    id: &str,
    approve: bool,
    note: Option<String>,
) -> anyhow::Result<ExitStatus> {
    let decide = Decide::new(id.to_owned(), approve, note)?;
    let request = Request {
        reason: None,
        dry_run: false,
        approval: Default::default(),
    };
    let ran = mutation::run(&ctx.settings, &ctx.ui(), request, decide, &|p| {
        show_plan(ctx, p)
    })
    .await?;
    let (intent_seq, outcome_seq) = match &ran.end {
        End::Done {
            intent, outcome, ..
        } => (Some(intent.seq), Some(outcome.seq)),
        _ => (None, None),
    };
    ctx.printer.report(&DecisionReport {
        id: ran.plan.request.request.seq,
        decision: if approve { "approved" } else { "denied" },
        plan: ran.plan,
        intent_seq,
        outcome_seq,
    })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct PinReport {
    #[serde(flatten)]
    plan: PinPlan,
    dry_run: bool,
    /// Already pinned exactly so: nothing was recorded.
    unchanged: bool,
    intent_seq: Option<u64>,
    outcome_seq: Option<u64>,
}

impl Report for PinReport {
    const KIND: &'static str = "approvals.pin";
    fn render_table(&self) -> String {
        let show = |m: &std::collections::BTreeMap<_, crate::settings::ApprovalPolicy>| {
            serde_json::to_string(m).unwrap_or_default()
        };
        key_value_table([
            ("pinned before", show(&self.plan.pinned)),
            ("this pin", show(&self.plan.policies)),
            (
                "recorded",
                match (self.intent_seq, self.outcome_seq) {
                    (Some(i), Some(o)) => format!("seq {i} (intent), seq {o} (outcome)"),
                    _ if self.unchanged => "nothing (already pinned so)".into(),
                    _ => "nothing (dry run)".into(),
                },
            ),
        ])
    }
}

pub async fn pin(ctx: &Ctx, dry_run: bool) -> anyhow::Result<ExitStatus> {
    let request = Request {
        reason: None,
        dry_run,
        approval: Default::default(),
    };
    let ran = mutation::run(
        &ctx.settings,
        &ctx.ui(),
        request,
        Pin::from_settings(&ctx.settings),
        &|_| {},
    )
    .await?;
    let (intent_seq, outcome_seq, unchanged) = match &ran.end {
        End::Done {
            intent, outcome, ..
        } => (Some(intent.seq), Some(outcome.seq), false),
        End::Stopped { .. } => (None, None, true),
        _ => (None, None, false),
    };
    ctx.printer.report(&PinReport {
        plan: ran.plan,
        dry_run,
        unchanged,
        intent_seq,
        outcome_seq,
    })?;
    Ok(ExitStatus::Success)
}
