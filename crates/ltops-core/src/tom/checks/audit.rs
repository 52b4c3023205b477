//! The audit log as evidence: the chain verifies, every intervention carries a
//! reason, every read of customer data has a reason and an allowed reader, and
//! the previous annual review is recent.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::super::{Finding, Text};
use crate::approval::{BREAK_GLASS_ACTION, Ledger, same_user};
use crate::audit::anchor::AnchorReport;
use crate::audit::content::{APPROVAL_KEY, ApprovalUse};
use crate::audit::event::{Event, Outcome, Phase};
use crate::audit::verify::{VerifyReport, Witness};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadParams {
    /// Actions that are reads of customer data: exact names, or prefixes ending in `.`.
    pub actions: Vec<String>,
    /// The SSO permission sets whose users may read customer data (the role
    /// concept), independent of what a config file grants.
    pub allowed_permission_sets: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonParams {
    /// Actions that are interventions: exact names, or prefixes ending in `.`.
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewParams {
    pub max_age_days: i64,
    /// The audit action of a filed annual report.
    pub report_action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorParams {
    /// Events may wait this long for their shipment (the next command ships
    /// what an unreachable anchor left behind).
    pub max_unanchored_hours: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassParams {
    /// Approvals by other people each break-glass use needs afterwards (at
    /// least this, or what the command's policy required when it was used).
    pub min_approvals: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatedParams {
    /// Actions that need an approval (names, or prefixes ending in `.`), as
    /// `approvals.<command>` in ltops.yaml gates them.
    pub actions: Vec<String>,
    /// From this day on (when four eyes took effect).
    pub since: chrono::NaiveDate,
}

/// The log, read once per run.
#[derive(Debug, Clone)]
pub struct AuditData {
    pub source: String,
    pub verify: VerifyReport,
    pub events: Vec<Event>,
    pub head: Option<Witness>,
    /// The write-once copy: `None` when no anchor is configured, `Err` when
    /// it could not be read.
    pub anchor: Option<Result<AnchorState, String>>,
}

/// What the run found of the anchor.
#[derive(Debug, Clone)]
pub struct AnchorState {
    /// The bucket and key as checked (compliance lock, retention, region,
    /// key spec), or why they are not acceptable.
    pub fit: Result<Vec<String>, String>,
    pub report: AnchorReport,
}

/// TOM §5/§9: the log has a write-once copy outside the database — a
/// compliance-mode bucket with enough retention, a signed chain that agrees
/// with the local log, and no event waiting long for its shipment.
pub fn anchored(
    check: &str,
    p: &AnchorParams,
    data: &Result<AuditData, String>,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let d = match data {
        Err(e) => return vec![Finding::error(check, "audit anchor", Text::same(e.clone()))],
        Ok(d) => d,
    };
    let state = match &d.anchor {
        None => {
            return vec![Finding::fail(
                check,
                "audit anchor",
                text!(
                    "no anchor is configured (audit.anchor): the log has no write-once copy outside the database and its owners",
                    "kein Anker eingerichtet (audit.anchor): das Log hat keine unveränderliche Kopie außerhalb der Datenbank und ihrer Eigentümer"
                ),
            )];
        }
        Some(Err(e)) => return vec![Finding::error(check, "audit anchor", Text::same(e.clone()))],
        Some(Ok(s)) => s,
    };
    let r = &state.report;
    let resource = r.anchor.as_str();
    let fit = match &state.fit {
        Err(e) => return vec![Finding::fail(check, resource, Text::same(e.clone()))],
        Ok(f) => f.join(", "),
    };
    if !r.intact() {
        return vec![Finding::fail(
            check,
            resource,
            text!(
                "the local log disagrees with its anchored copy: diverged at checkpoint seq {}, missing seq {}, bad checkpoints {}",
                "das lokale Log weicht von seiner verankerten Kopie ab: abweichend an Checkpoint-Seq {}, fehlende Seq {}, ungültige Checkpoints {}",
                format!("{:?}", r.diverged),
                format!("{:?}", r.missing),
                format!("{:?}", r.bad_checkpoints)
            ),
        )];
    }
    let waiting = r
        .unanchored
        .first()
        .and_then(|seq| d.events.iter().find(|e| e.seq == *seq))
        .and_then(|e| DateTime::parse_from_rfc3339(&e.at).ok())
        .map(|at| now.signed_duration_since(at.with_timezone(&Utc)));
    if let Some(age) = waiting
        && age > chrono::Duration::hours(p.max_unanchored_hours)
    {
        return vec![Finding::fail(
            check,
            resource,
            text!(
                "{} event(s) not anchored, the oldest for {} hours (at most {} allowed)",
                "{} Ereignis(se) nicht verankert, das älteste seit {} Stunden (höchstens {} erlaubt)",
                r.unanchored.len(),
                age.num_hours(),
                p.max_unanchored_hours
            ),
        )];
    }
    vec![Finding::pass(
        check,
        resource,
        text!(
            "{}; {} signed checkpoint(s) through seq {}, agreeing with the local log; {} event(s) awaiting shipment",
            "{}; {} signierte(r) Checkpoint(s) bis Seq {}, in Übereinstimmung mit dem lokalen Log; {} Ereignis(se) warten auf Versand",
            fit,
            r.checkpoints,
            r.anchored_through.map_or("-".into(), |s| s.to_string()),
            r.unanchored.len()
        ),
    )]
}

/// Parses every line that is an event; the chain check reports the others.
pub fn parse_events(bytes: &[u8]) -> Vec<Event> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect()
}

/// The audit log as read for the run, or the ERROR finding of a log that
/// could not be read.
fn readable<'a>(
    check: &str,
    data: &'a Result<AuditData, String>,
) -> Result<&'a AuditData, Vec<Finding>> {
    data.as_ref()
        .map_err(|e| vec![Finding::error(check, "audit log", Text::same(e.clone()))])
}

/// The intents of the actions `actions` names, in log order.
fn intents<'a>(d: &'a AuditData, actions: &[String]) -> Vec<&'a Event> {
    d.events
        .iter()
        .filter(|e| e.phase == Phase::Intent && matches_action(&e.action, actions))
        .collect()
}

pub fn matches_action(action: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| {
        if p.ends_with('.') {
            action.starts_with(p.as_str())
        } else {
            action == p
        }
    })
}

pub fn chain_intact(check: &str, data: &Result<AuditData, String>) -> Vec<Finding> {
    let d = match readable(check, data) {
        Ok(d) => d,
        Err(f) => return f,
    };
    let r = &d.verify;
    let head = d
        .head
        .as_ref()
        .map(|h| format!("{}:{}", h.seq, h.hash))
        .unwrap_or_else(|| "-".into());
    vec![match &r.first_break {
        None => Finding::pass(
            check,
            &d.source,
            if r.witness.is_some() {
                text!(
                    "{} events, hash chain intact, matches the recorded head; head {}",
                    "{} Ereignisse, Hash-Kette intakt, stimmt mit dem aufgezeichneten Kopf überein; Kopf {}",
                    r.events,
                    head
                )
            } else {
                text!(
                    "{} events, hash chain intact; head {}",
                    "{} Ereignisse, Hash-Kette intakt; Kopf {}",
                    r.events,
                    head
                )
            },
        ),
        Some(b) => Finding::fail(
            check,
            &d.source,
            text!(
                "chain broken at seq {} (line {}): {} — {}",
                "Kette unterbrochen bei Seq {} (Zeile {}): {} — {}",
                b.seq,
                b.line,
                format!("{:?}", b.kind),
                b.detail
            ),
        ),
    }]
}

pub fn interventions_have_reason(
    check: &str,
    p: &ReasonParams,
    data: &Result<AuditData, String>,
) -> Vec<Finding> {
    let d = match readable(check, data) {
        Ok(d) => d,
        Err(f) => return f,
    };
    let interventions = intents(d, &p.actions);
    let mut out: Vec<Finding> = interventions
        .iter()
        .filter(|e| e.reason.is_none())
        .map(|e| {
            Finding::fail(
                check,
                format!("audit seq {} ({})", e.seq, e.action),
                text!(
                    "by {} at {}: no reason (instruction or incident reference) recorded",
                    "von {} am {}: kein Grund (Weisung oder Störungsreferenz) aufgezeichnet",
                    e.actor.user,
                    e.at
                ),
            )
        })
        .collect();
    if out.is_empty() {
        out.push(Finding::pass(
            check,
            &d.source,
            text!(
                "{} intervention(s) ({}), each with a reason",
                "{} Eingriff(e) ({}), jeder mit Grund",
                interventions.len(),
                p.actions.join(", ")
            ),
        ));
    }
    out
}

/// TOM §5/§9: an action run under break-glass (without the approval its
/// policy requires) is reviewed afterwards — approved by another person
/// through `approvals approve`. Each one without is a finding; so is a denied one.
pub fn break_glass_approved(
    check: &str,
    p: &BreakGlassParams,
    data: &Result<AuditData, String>,
) -> Vec<Finding> {
    let d = match readable(check, data) {
        Ok(d) => d,
        Err(f) => return f,
    };
    let ledger = Ledger::from_events(&d.events);
    let uses: Vec<_> = ledger
        .requests
        .iter()
        .filter(|r| r.break_glass && r.recorded)
        .collect();
    let mut out = Vec::new();
    for r in &uses {
        let resource = format!("audit seq {} ({BREAK_GLASS_ACTION})", r.seq);
        let incident = match &r.reason {
            Some(reason) => Text::same(reason.to_string()),
            None => text!("no incident", "kein Vorfall"),
        };
        let what = text!(
            "{} by {} at {} ({})",
            "{} durch {} am {} ({})",
            r.command,
            r.requester.user,
            r.at,
            incident
        );
        let needed = p.min_approvals.max(r.required) as usize;
        let approvals = r.approvals(None, None);
        if let Some(denied) = r.denial() {
            out.push(Finding::fail(
                check,
                resource,
                text!(
                    "{}: denied afterwards by {} at {}{}",
                    "{}: nachträglich abgelehnt durch {} am {}{}",
                    what,
                    denied.by,
                    denied.at,
                    denied
                        .note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                ),
            ));
        } else if approvals.len() < needed {
            out.push(Finding::fail(
                check,
                resource,
                text!(
                    "{}: ran without approval and has {} of the {} approval(s) it needs afterwards — `ltops approvals approve {}`",
                    "{}: lief ohne Freigabe und hat {} der {} nachträglich nötigen Freigabe(n) — `ltops approvals approve {}`",
                    what,
                    approvals.len(),
                    needed,
                    r.seq
                ),
            ));
        }
    }
    if out.is_empty() {
        out.push(Finding::pass(
            check,
            &d.source,
            text!(
                "{} break-glass use(s), each approved afterwards by another person",
                "{} Break-Glass-Einsätze, jeder nachträglich von einer anderen Person freigegeben",
                uses.len()
            ),
        ));
    }
    out
}

/// TOM §5: every gated action that changed something ran under an approval
/// by another person, or under break-glass — whatever the runner's local
/// config said. An operator who removes `approvals` from their ltops.yaml
/// still leaves the unapproved action in the log, and here it shows.
pub fn gated_actions_approved(
    check: &str,
    p: &GatedParams,
    data: &Result<AuditData, String>,
) -> Vec<Finding> {
    let d = match readable(check, data) {
        Ok(d) => d,
        Err(f) => return f,
    };
    let ledger = Ledger::from_events(&d.events);
    let outcomes: HashMap<Uuid, &Event> = d
        .events
        .iter()
        .filter(|e| e.phase == Phase::Outcome)
        .filter_map(|e| Some((e.intent?, e)))
        .collect();
    let mut checked = 0;
    let mut out = Vec::new();
    for e in intents(d, &p.actions) {
        let changed = outcomes.get(&e.id).is_some_and(|o| {
            o.result == Some(Outcome::Ok)
                && o.content.get("dry_run") != Some(&Value::Bool(true))
                && o.content.get("committed") != Some(&Value::Bool(false))
        });
        let day = DateTime::parse_from_rfc3339(&e.at).map(|t| t.date_naive());
        if !changed || day.is_ok_and(|day| day < p.since) {
            continue;
        }
        checked += 1;
        if let Err(why) = approval_of(e, &ledger) {
            out.push(Finding::fail(
                check,
                format!("audit seq {} ({})", e.seq, e.action),
                text!(
                    "by {} at {}: {}",
                    "durch {} am {}: {}",
                    e.actor.user,
                    e.at,
                    why
                ),
            ));
        }
    }
    if out.is_empty() {
        out.push(Finding::pass(
            check,
            &d.source,
            text!(
                "{} gated action(s) ({}) since {}, each approved by another person or under break-glass",
                "{} freigabepflichtige Aktion(en) ({}) seit {}, jede von einer anderen Person freigegeben oder unter Break-Glass",
                checked,
                p.actions.join(", "),
                p.since
            ),
        ));
    }
    out
}

/// Whether the intent `e` names an approval that held when it ran.
fn approval_of(e: &Event, ledger: &Ledger) -> Result<(), Text> {
    let used: ApprovalUse = e
        .content
        .get(APPROVAL_KEY)
        .ok_or_else(|| {
            text!(
                "ran without an approval or a break-glass record",
                "lief ohne Freigabe und ohne Break-Glass-Eintrag"
            )
        })
        .and_then(|v| {
            serde_json::from_value(v.clone()).map_err(|_| {
                text!(
                    "its approval reference is unreadable",
                    "sein Verweis auf die Freigabe ist unlesbar"
                )
            })
        })?;
    let r = ledger
        .requests
        .iter()
        .find(|r| r.recorded && r.id.to_string() == used.request)
        .ok_or_else(|| {
            text!(
                "names approval {} which is not in the log",
                "nennt Freigabe {}, die nicht im Log steht",
                used.request
            )
        })?;
    if r.break_glass {
        // Whether it was approved afterwards is audit.break_glass_approved's finding.
        return Ok(());
    }
    if r.digest != used.digest || !same_user(&r.requester.user, &e.actor.user) {
        return Err(text!(
            "names approval {} of another plan or another requester",
            "nennt Freigabe {} eines anderen Plans oder eines anderen Antragstellers",
            r.seq
        ));
    }
    let approved = r.approvals(None, None).iter().any(|a| a.seq < e.seq);
    if approved {
        Ok(())
    } else {
        Err(text!(
            "approval {} had no approval by another person when it ran",
            "Freigabe {} war bei der Ausführung von keiner anderen Person erteilt",
            r.seq
        ))
    }
}

pub fn review_recent(
    check: &str,
    p: &ReviewParams,
    data: &Result<AuditData, String>,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let d = match data {
        Err(e) => {
            return vec![Finding::error(
                check,
                "annual review",
                Text::same(e.clone()),
            )];
        }
        Ok(d) => d,
    };
    let last = d
        .events
        .iter()
        .filter(|e| {
            e.action == p.report_action
                && e.phase == Phase::Outcome
                && e.result == Some(Outcome::Ok)
        })
        .max_by_key(|e| e.seq);
    vec![match last {
        None => Finding::fail(
            check,
            "annual review",
            text!(
                "no annual review (`{}`) recorded in {}",
                "keine jährliche Überprüfung (`{}`) aufgezeichnet in {}",
                p.report_action,
                d.source
            ),
        ),
        Some(e) => match DateTime::parse_from_rfc3339(&e.at) {
            Err(_) => Finding::error(
                check,
                "annual review",
                text!(
                    "audit seq {}: unreadable time {}",
                    "Audit-Seq {}: unlesbare Zeit {}",
                    e.seq,
                    e.at
                ),
            ),
            Ok(at) => {
                let days = (now - at.with_timezone(&Utc)).num_days();
                Finding::verdict(
                    check,
                    "annual review",
                    days < p.max_age_days,
                    text!(
                        "last report filed {} by {} (audit seq {}), {} days ago (less than {} required)",
                        "letzter Bericht abgelegt am {} von {} (Audit-Seq {}), vor {} Tagen (verlangt: weniger als {})",
                        e.at.get(..10).unwrap_or(&e.at),
                        e.actor.user,
                        e.seq,
                        days,
                        p.max_age_days
                    ),
                )
            }
        },
    }]
}

/// TOM §3 (every access logged, "Least to know") and §5: every recorded read
/// of customer data names its reason, and its reader's permission set is one
/// the catalog allows. Reads without a reason: there can be none.
pub fn reads_authorised(
    check: &str,
    p: &ReadParams,
    data: &Result<AuditData, String>,
) -> Vec<Finding> {
    let d = match readable(check, data) {
        Ok(d) => d,
        Err(f) => return f,
    };
    let reads = intents(d, &p.actions);
    let mut out = Vec::new();
    let (mut no_reason, mut outsiders) = (0usize, 0usize);
    for e in &reads {
        let resource = format!("audit seq {} ({})", e.seq, e.action);
        if e.reason.is_none() {
            no_reason += 1;
            out.push(Finding::fail(
                check,
                resource.clone(),
                text!(
                    "read of tenant {} by {} at {}: no reason (instruction or incident reference) recorded",
                    "Lesezugriff auf Mandant {} durch {} am {}: kein Anlass (Weisungs- oder Vorfallsreferenz) verzeichnet",
                    e.target.tenant.as_deref().unwrap_or("-"),
                    e.actor.user,
                    e.at
                ),
            ));
        }
        if !p.allowed_permission_sets.contains(&e.actor.permission_set) {
            outsiders += 1;
            out.push(Finding::fail(
                check,
                resource,
                text!(
                    "read of tenant {} by {} at {} with permission set `{}`, which may not read customer data (allowed: {})",
                    "Lesezugriff auf Mandant {} durch {} am {} mit Permission Set `{}`, das keine Kundendaten lesen darf (erlaubt: {})",
                    e.target.tenant.as_deref().unwrap_or("-"),
                    e.actor.user,
                    e.at,
                    e.actor.permission_set,
                    p.allowed_permission_sets.join(", ")
                ),
            ));
        }
    }
    if out.is_empty() {
        out.push(Finding::pass(
            check,
            &d.source,
            text!(
                "{} read(s) of customer data ({}): {} without a reason, {} by a permission set other than {}",
                "{} Lesezugriff(e) auf Kundendaten ({}): {} ohne Anlass, {} mit einem anderen Permission Set als {}",
                reads.len(),
                p.actions.join(", "),
                no_reason,
                outsiders,
                p.allowed_permission_sets.join(", ")
            ),
        ));
    }
    out
}
