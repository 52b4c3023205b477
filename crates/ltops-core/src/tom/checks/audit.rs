//! The audit log as evidence: the chain verifies, every intervention carries a
//! reason, every read of customer data has a reason and an allowed reader, and
//! the previous annual review is recent.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::audit::anchor::AnchorReport;

use super::super::Finding;
use crate::audit::event::{Event, Outcome, Phase};
use crate::audit::verify::{VerifyReport, Witness};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonParams {
    /// Actions that are interventions: exact names, or prefixes ending in `.`.
    pub actions: Vec<String>,
}

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
        Err(e) => return vec![Finding::error(check, "audit anchor", e.clone())],
        Ok(d) => d,
    };
    let state = match &d.anchor {
        None => {
            return vec![Finding::fail(
                check,
                "audit anchor",
                "no anchor is configured (audit.anchor): the log has no write-once copy outside the database and its owners".to_owned(),
            )];
        }
        Some(Err(e)) => return vec![Finding::error(check, "audit anchor", e.clone())],
        Some(Ok(s)) => s,
    };
    let r = &state.report;
    let resource = r.anchor.as_str();
    let fit = match &state.fit {
        Err(e) => return vec![Finding::fail(check, resource, e.clone())],
        Ok(f) => f.join(", "),
    };
    if !r.intact() {
        return vec![Finding::fail(
            check,
            resource,
            format!(
                "the local log disagrees with its anchored copy: rewritten seq {:?}, missing seq {:?}, bad checkpoints {:?}",
                r.rewritten, r.missing, r.bad_checkpoints
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
            format!(
                "{} event(s) not anchored, the oldest for {} hours (at most {} allowed)",
                r.unanchored.len(),
                age.num_hours(),
                p.max_unanchored_hours
            ),
        )];
    }
    vec![Finding::pass(
        check,
        resource,
        format!(
            "{fit}; {} signed checkpoint(s) through seq {}, agreeing with the local log; {} event(s) awaiting shipment",
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
        Err(e) => return vec![Finding::error(check, "audit log", e.clone())],
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
            format!(
                "{} events, hash chain intact{}; head {head}",
                r.events,
                if r.witness.is_some() {
                    ", matches the recorded head"
                } else {
                    ""
                }
            ),
        ),
        Some(b) => Finding::fail(
            check,
            &d.source,
            format!(
                "chain broken at seq {} (line {}): {:?} — {}",
                b.seq, b.line, b.kind, b.detail
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
        Err(e) => return vec![Finding::error(check, "audit log", e.clone())],
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
                format!(
                    "by {} at {}: no reason (instruction or incident reference) recorded",
                    e.actor.user, e.at
                ),
            )
        })
        .collect();
    if out.is_empty() {
        out.push(Finding::pass(
            check,
            &d.source,
            format!(
                "{} intervention(s) ({}), each with a reason",
                interventions.len(),
                p.actions.join(", ")
            ),
        ));
    }
    out
}

/// TOM §3 (every access logged, "Least to know") and §5: every recorded read
/// of customer data names its reason, and its reader's permission set is one
/// the catalog allows. Reads without a reason: there can be none.
pub fn reads_authorised(
    check: &str,
    p: &ReadParams,
    data: &Result<AuditData, String>,
) -> Vec<Finding> {
    let d = match data {
        Err(e) => return vec![Finding::error(check, "audit log", e.clone())],
        Ok(d) => d,
    };
    let reads: Vec<&Event> = d
        .events
        .iter()
        .filter(|e| e.phase == Phase::Intent && matches_action(&e.action, &p.actions))
        .collect();
    let mut out = Vec::new();
    let (mut no_reason, mut outsiders) = (0usize, 0usize);
    for e in &reads {
        let resource = format!("audit seq {} ({})", e.seq, e.action);
        if e.reason.is_none() {
            no_reason += 1;
            out.push(Finding::fail(
                check,
                resource.clone(),
                format!(
                    "read of tenant {} by {} at {}: no reason (instruction or incident reference) recorded",
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
                format!(
                    "read of tenant {} by {} at {} with permission set `{}`, which may not read customer data (allowed: {})",
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
            format!(
                "{} read(s) of customer data ({}): {no_reason} without a reason, {outsiders} by a permission set other than {}",
                reads.len(),
                p.actions.join(", "),
                p.allowed_permission_sets.join(", ")
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
        Err(e) => return vec![Finding::error(check, "annual review", e.clone())],
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
            format!(
                "no annual review (`{}`) recorded in {}",
                p.report_action, d.source
            ),
        ),
        Some(e) => match DateTime::parse_from_rfc3339(&e.at) {
            Err(_) => Finding::error(
                check,
                "annual review",
                format!("audit seq {}: unreadable time {}", e.seq, e.at),
            ),
            Ok(at) => {
                let days = (now - at.with_timezone(&Utc)).num_days();
                Finding::verdict(
                    check,
                    "annual review",
                    days < p.max_age_days,
                    format!(
                        "last report filed {} by {} (audit seq {}), {days} days ago (less than {} required)",
                        e.at.get(..10).unwrap_or(&e.at),
                        e.actor.user,
                        e.seq,
                        p.max_age_days
                    ),
                )
            }
        },
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tom::Status;
    use serde_json::{Value, json};

    fn event(seq: u64, action: &str, permission_set: &str, reason: bool) -> Event {
        serde_json::from_value(json!({
            "seq": seq,
            "id": uuid::Uuid::now_v7(),
            "at": "2026-11-27T09:12:00.000000Z",
            "actor": {"arn": "arn:x", "user": "bob@leadtributor.cloud", "account": "1", "permission_set": permission_set},
            "action": action,
            "phase": "intent",
            "result": null,
            "intent": null,
            "target": {"tenant": "t1", "resource": null},
            "reason": if reason { json!({"kind": "incident", "reference": "INC-1", "note": null}) } else { Value::Null },
            "content": {},
            "prev_hash": "0",
            "hash": "0",
        }))
        .unwrap()
    }

    fn data(events: Vec<Event>) -> Result<AuditData, String> {
        Ok(AuditData {
            source: "file audit.jsonl".into(),
            verify: VerifyReport {
                events: events.len() as u64,
                head: None,
                first_break: None,
                witness: None,
                unfinished: vec![],
            },
            events,
            head: None,
            anchor: None,
        })
    }

    fn params() -> ReadParams {
        ReadParams {
            actions: vec!["inspect".into()],
            allowed_permission_sets: vec!["LtopsOnCall".into(), "LtopsAdmin".into()],
        }
    }

    #[test]
    fn reads_without_a_reason_or_by_other_permission_sets_fail() {
        let ok = data(vec![
            event(1, "inspect", "LtopsOnCall", true),
            event(2, "intervene.sql", "LtopsDPO", false),
        ]);
        let f = reads_authorised("audit.reads_authorised", &params(), &ok);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].evidence.contains("1 read(s)"), "{:?}", f[0]);
        let bad = data(vec![
            event(1, "inspect", "LtopsOnCall", false),
            event(2, "inspect", "LtopsDPO", true),
            event(3, "inspect", "LtopsAdmin", true),
        ]);
        let f = reads_authorised("audit.reads_authorised", &params(), &bad);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f.iter().all(|x| x.status == Status::Fail));
        assert!(f[0].evidence.contains("no reason"), "{:?}", f[0]);
        assert_eq!(f[1].resource, "audit seq 2 (inspect)");
        assert!(f[1].evidence.contains("`LtopsDPO`"), "{:?}", f[1]);
        let err = reads_authorised("x", &params(), &Err("unreadable".into()));
        assert_eq!(err[0].status, Status::Error);
    }
}
