//! The audit log as evidence: the chain verifies, every intervention carries a
//! reason, and the previous annual review is recent.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::audit::anchor::AnchorReport;

use super::super::{Finding, Text};
use crate::audit::event::{Event, Outcome, Phase};
use crate::audit::verify::{VerifyReport, Witness};
use crate::text;

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
                "the local log disagrees with its anchored copy: rewritten seq {}, missing seq {}, bad checkpoints {}",
                "das lokale Log weicht von seiner verankerten Kopie ab: umgeschriebene Seq {}, fehlende Seq {}, ungültige Checkpoints {}",
                format!("{:?}", r.rewritten),
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
    let d = match data {
        Err(e) => return vec![Finding::error(check, "audit log", Text::same(e.clone()))],
        Ok(d) => d,
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
    let d = match data {
        Err(e) => return vec![Finding::error(check, "audit log", Text::same(e.clone()))],
        Ok(d) => d,
    };
    let interventions: Vec<&Event> = d
        .events
        .iter()
        .filter(|e| e.phase == Phase::Intent && matches_action(&e.action, &p.actions))
        .collect();
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
