//! Four eyes on irreversible actions: a second person approves the exact plan
//! (bound by its digest) before it runs, or afterwards when it ran under
//! break-glass. Every request, decision and use is an audit event; the state
//! of a request is folded from the log and kept nowhere else.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::Personal;
use crate::audit::content::{
    self, APPROVAL_KEY, ApprovalDecisionIntent, ApprovalRequestIntent, ApprovalUse,
};
use crate::audit::event::{Event, Outcome, Phase, Reason, Target, canonical};
use crate::aws::identity::Actor;
use crate::settings::{ApprovalPolicy, MutatingCommand};

pub const REQUEST_ACTION: &str = "approval.request";
pub const BREAK_GLASS_ACTION: &str = "approval.break-glass";
pub const APPROVE_ACTION: &str = "approval.approve";
pub const DENY_ACTION: &str = "approval.deny";

/// What makes a plan that plan: the parts an approval is bound to. `plan` is
/// recorded as it is; `personal` (an intervention's statement) only sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub plan: Value,
    pub personal: Option<Personal>,
}

/// SHA-256 (hex) of the canonical JSON of the plan, its personal part and what
/// a preview added. Equal digests mean equal plans, field by field.
pub fn digest(plan: &Value, personal: Option<&Value>, preview: Option<&Value>) -> String {
    let v = json!({ "plan": plan, "personal": personal, "preview": preview });
    hex::encode(Sha256::digest(canonical(&v)))
}

/// Two user names are the same person: SSO session names are e-mail addresses.
pub fn same_user(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// An approval or a denial, once its outcome is recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub seq: u64,
    pub at: String,
    pub by: String,
    pub permission_set: String,
    pub approve: bool,
    pub note: Option<String>,
    pub valid_until: Option<String>,
    pub digest: String,
}

/// An intent that named the request: the gated action itself.
#[derive(Debug, Clone, Serialize)]
pub struct Use {
    pub seq: u64,
    pub id: Uuid,
    pub at: String,
    pub by: String,
    pub action: String,
    /// `None` while the action has no outcome (running, or cut off).
    pub result: Option<Outcome>,
}

impl Use {
    /// A use that ran (ok) or may still be running holds the approval; a
    /// failed or aborted one released it (nothing was changed, or the change
    /// was rolled back).
    pub fn holds(&self) -> bool {
        !matches!(self.result, Some(Outcome::Failed | Outcome::Aborted))
    }
}

/// A request (or break-glass record) as the log tells its story.
#[derive(Debug, Clone, Serialize)]
pub struct RequestState {
    pub id: Uuid,
    pub seq: u64,
    pub at: String,
    pub requester: Actor,
    pub break_glass: bool,
    pub command: String,
    pub target: Target,
    pub reason: Option<Reason>,
    pub digest: String,
    pub plan: Value,
    pub preview: Option<Value>,
    pub required: u32,
    /// The request's outcome was recorded ok.
    pub recorded: bool,
    pub decisions: Vec<Decision>,
    pub uses: Vec<Use>,
    /// The request event itself (its sealed part holds the personal plan).
    #[serde(skip)]
    pub event: Event,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Waiting for approvals.
    Open,
    /// Approved and valid, not used yet.
    Approved,
    /// Approved, but an approval ran out before it was used.
    Expired,
    Denied,
    /// An action ran under it, or is running.
    Used,
    /// Break-glass: ran without approval, waiting for one afterwards.
    BreakGlassUnapproved,
    BreakGlassApproved,
    BreakGlassDenied,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Approved => "approved",
            Status::Expired => "expired",
            Status::Denied => "denied",
            Status::Used => "used",
            Status::BreakGlassUnapproved => "break-glass, unapproved",
            Status::BreakGlassApproved => "break-glass, approved",
            Status::BreakGlassDenied => "break-glass, denied",
        }
    }

    /// Still waiting for someone: what `approvals list` shows without `--all`.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Open | Status::Approved | Status::BreakGlassUnapproved
        )
    }
}

impl RequestState {
    pub fn denial(&self) -> Option<&Decision> {
        self.decisions.iter().find(|d| !d.approve)
    }

    /// Approvals that count: by someone else than the requester, for this
    /// digest, one per person, from an allowed permission set (when `approvers`
    /// is given), valid at `now` (when given).
    pub fn approvals(
        &self,
        now: Option<DateTime<Utc>>,
        approvers: Option<&[String]>,
    ) -> Vec<&Decision> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for d in &self.decisions {
            let valid = now.is_none_or(|now| {
                d.valid_until
                    .as_deref()
                    .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
                    .is_some_and(|u| u.with_timezone(&Utc) > now)
            });
            if d.approve
                && valid
                && d.digest == self.digest
                && !same_user(&d.by, &self.requester.user)
                && approvers.is_none_or(|a| a.contains(&d.permission_set))
                && !seen.iter().any(|u| same_user(u, &d.by))
            {
                seen.push(&d.by);
                out.push(d);
            }
        }
        out
    }

    /// The use that holds the approval, if any.
    pub fn holder(&self) -> Option<&Use> {
        self.uses.iter().find(|u| u.holds())
    }

    pub fn status(&self, now: DateTime<Utc>) -> Status {
        let needed = self.required.max(1) as usize;
        if self.break_glass {
            return if self.denial().is_some() {
                Status::BreakGlassDenied
            } else if self.approvals(None, None).len() >= needed {
                Status::BreakGlassApproved
            } else {
                Status::BreakGlassUnapproved
            };
        }
        if self.holder().is_some() {
            Status::Used
        } else if self.denial().is_some() {
            Status::Denied
        } else if self.approvals(Some(now), None).len() >= needed {
            Status::Approved
        } else if self.approvals(None, None).len() >= needed {
            Status::Expired
        } else {
            Status::Open
        }
    }

    /// One line about the plan for tables and prompts.
    pub fn summary(&self) -> String {
        let mut parts = vec![self.command.clone()];
        if let Some(t) = &self.target.tenant {
            parts.push(format!("tenant {t}"));
        }
        if let Some(r) = &self.target.resource {
            parts.push(r.clone());
        }
        if let Some(r) = &self.reason {
            parts.push(r.to_string());
        }
        parts.join(", ")
    }
}

/// Requests and break-glass records folded from the log, in log order.
#[derive(Debug, Default)]
pub struct Ledger {
    pub requests: Vec<RequestState>,
    by_id: HashMap<Uuid, usize>,
    /// Decision intents waiting for their outcome.
    decisions: HashMap<Uuid, (usize, Decision)>,
    /// Uses by intent id: (request index, position in its uses).
    uses: HashMap<Uuid, (usize, usize)>,
}

impl Ledger {
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Ledger {
        let mut l = Ledger::default();
        for e in events {
            l.push(e);
        }
        l
    }

    /// Takes the next event of the log.
    pub fn push(&mut self, e: &Event) {
        match e.phase {
            Phase::Intent => self.intent(e),
            Phase::Outcome => self.outcome(e),
        }
    }

    fn intent(&mut self, e: &Event) {
        match e.action.as_str() {
            REQUEST_ACTION | BREAK_GLASS_ACTION => {
                let Ok(c) = content::parse::<ApprovalRequestIntent>(e) else {
                    return;
                };
                self.by_id.insert(e.id, self.requests.len());
                self.requests.push(RequestState {
                    id: e.id,
                    seq: e.seq,
                    at: e.at.clone(),
                    requester: e.actor.clone(),
                    break_glass: e.action == BREAK_GLASS_ACTION,
                    command: c.command,
                    target: e.target.clone(),
                    reason: e.reason.clone(),
                    digest: c.digest,
                    plan: c.plan,
                    preview: c.preview,
                    required: c.required,
                    recorded: false,
                    decisions: Vec::new(),
                    uses: Vec::new(),
                    event: e.clone(),
                });
            }
            APPROVE_ACTION | DENY_ACTION => {
                let Ok(c) = content::parse::<ApprovalDecisionIntent>(e) else {
                    return;
                };
                let Some(idx) = self.index_of(&c.request) else {
                    return;
                };
                let d = Decision {
                    seq: e.seq,
                    at: e.at.clone(),
                    by: e.actor.user.clone(),
                    permission_set: e.actor.permission_set.clone(),
                    approve: e.action == APPROVE_ACTION,
                    note: c.note,
                    valid_until: c.valid_until,
                    digest: c.digest,
                };
                self.decisions.insert(e.id, (idx, d));
            }
            _ => {
                let Some(v) = e.content.get(APPROVAL_KEY) else {
                    return;
                };
                let Ok(u) = serde_json::from_value::<ApprovalUse>(v.clone()) else {
                    return;
                };
                let Some(idx) = self.index_of(&u.request) else {
                    return;
                };
                let uses = &mut self.requests[idx].uses;
                self.uses.insert(e.id, (idx, uses.len()));
                uses.push(Use {
                    seq: e.seq,
                    id: e.id,
                    at: e.at.clone(),
                    by: e.actor.user.clone(),
                    action: e.action.clone(),
                    result: None,
                });
            }
        }
    }

    /// The index of the request a decision or use names by its event id.
    fn index_of(&self, request: &str) -> Option<usize> {
        let id: Uuid = request.parse().ok()?;
        self.by_id.get(&id).copied()
    }

    fn outcome(&mut self, e: &Event) {
        let (Some(intent), Some(result)) = (e.intent, e.result) else {
            return;
        };
        if let Some(&idx) = self.by_id.get(&intent) {
            self.requests[idx].recorded = result == Outcome::Ok;
        } else if let Some((idx, d)) = self.decisions.remove(&intent) {
            if result == Outcome::Ok {
                self.requests[idx].decisions.push(d);
            }
        } else if let Some(&(idx, pos)) = self.uses.get(&intent)
            && let Some(u) = self.requests[idx].uses.get_mut(pos)
        {
            u.result = Some(result);
        }
    }

    /// The request named `id`: its seq (`42`) or its event id (a UUID).
    pub fn find(&self, id: &str) -> Option<&RequestState> {
        let id = id.trim();
        if let Ok(seq) = id.parse::<u64>() {
            return self.requests.iter().find(|r| r.seq == seq && r.recorded);
        }
        let uuid: Uuid = id.parse().ok()?;
        self.by_id
            .get(&uuid)
            .map(|&i| &self.requests[i])
            .filter(|r| r.recorded)
    }
}

/// An approval ID as typed: a seq or an event id.
pub fn check_id(id: &str) -> Result<(), String> {
    let id = id.trim();
    if id.parse::<u64>().is_ok() || id.parse::<Uuid>().is_ok() {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not an approval ID: give the number `ltops approvals list` shows (or the request's event id)"
        ))
    }
}

/// Whether the request `r` lets `actor` run `command` now. The digest is
/// compared separately (an intervention's is known only after its preview).
pub fn check_use(
    r: &RequestState,
    command: MutatingCommand,
    actor: &Actor,
    policy: &ApprovalPolicy,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let id = r.seq;
    if r.break_glass {
        return Err(format!(
            "{id} is a break-glass record, not an approval request: ask for an approval with --request"
        ));
    }
    if r.command != command.as_str() {
        return Err(format!(
            "approval {id} is for `{}`, not `{command}`",
            r.command
        ));
    }
    if !same_user(&r.requester.user, &actor.user) {
        return Err(format!(
            "approval {id} was requested by {}; only the requester can use it — request your own with --request",
            r.requester.user
        ));
    }
    if let Some(d) = r.denial() {
        return Err(format!(
            "approval {id} was denied by {} at {}{}",
            d.by,
            d.at,
            d.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ));
    }
    if let Some(u) = r.holder() {
        return Err(format!(
            "approval {id} was already used by audit seq {} ({}, {} at {}); an approval is good for one run — request a new one",
            u.seq,
            u.action,
            u.result.map_or("unfinished", Outcome::as_str),
            u.at
        ));
    }
    let needed = policy.required as usize;
    let valid = r.approvals(Some(now), Some(&policy.approvers)).len();
    if valid >= needed {
        return Ok(());
    }
    let ever = r.approvals(None, Some(&policy.approvers));
    if ever.len() >= needed {
        let ran_out = ever
            .iter()
            .filter_map(|d| d.valid_until.clone())
            .min()
            .unwrap_or_default();
        return Err(format!(
            "approval {id} expired at {ran_out}; request a new one with --request"
        ));
    }
    Err(format!(
        "approval {id} has {valid} of the {needed} approval(s) `{command}` needs (approvals.{command}.approvers: {}) — `ltops approvals approve {id}` by another person",
        policy.approvers.join(", ")
    ))
}

/// Why a new plan is not the approved one, named by its parts.
pub fn differences(r: &RequestState, plan: &Value, preview: Option<&Value>) -> String {
    let mut diff: Vec<String> = Vec::new();
    if let (Value::Object(old), Value::Object(new)) = (&r.plan, plan) {
        for (k, v) in new {
            if old.get(k) != Some(v) {
                diff.push(k.clone());
            }
        }
        diff.extend(old.keys().filter(|k| !new.contains_key(*k)).cloned());
    } else if &r.plan != plan {
        diff.push("plan".into());
    }
    if let (Some(Value::Object(old)), Some(Value::Object(new))) = (&r.preview, preview) {
        for (k, v) in new {
            if old.get(k) != Some(v) {
                diff.push(format!(
                    "{k} (was {}, now {v})",
                    old.get(k).unwrap_or(&Value::Null)
                ));
            }
        }
    } else if r.preview.as_ref() != preview {
        diff.push("preview".into());
    }
    if diff.is_empty() {
        "the sealed part (statement)".into()
    } else {
        diff.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Action;
    use crate::audit::event::GENESIS;

    fn actor(user: &str, set: &str) -> Actor {
        Actor {
            arn: format!(
                "arn:aws:sts::1:assumed-role/AWSReservedSSO_{set}_0123456789abcdef/{user}"
            ),
            user: user.into(),
            account: "1".into(),
            permission_set: set.into(),
        }
    }

    fn policy(required: u32) -> ApprovalPolicy {
        ApprovalPolicy {
            required,
            approvers: vec!["LtopsDPO".into(), "LtopsAdmin".into()],
            valid_for: "24h".into(),
            break_glass: None,
            only_sql: false,
            above_rows: None,
        }
    }

    /// A log: events appended with seqs, each intent closed by an outcome.
    struct Log(Vec<Event>);

    impl Log {
        fn add(&mut self, a: &Action, content: Value, result: Option<Outcome>) -> Event {
            let prev = self.0.last().map_or(GENESIS.to_owned(), |e| e.hash.clone());
            let intent = a
                .intent(content)
                .seal_into_chain(self.0.len() as u64 + 1, &prev);
            self.0.push(intent.clone());
            if let Some(r) = result {
                let o = a
                    .outcome(&intent, r, json!({}))
                    .seal_into_chain(self.0.len() as u64 + 1, &intent.hash);
                self.0.push(o);
            }
            intent
        }
    }

    fn action(who: &Actor, name: &str) -> Action {
        Action {
            actor: who.clone(),
            action: name.into(),
            target: Target {
                tenant: Some("t1".into()),
                resource: None,
            },
            reason: None,
        }
    }

    fn request(log: &mut Log, who: &Actor, d: &str) -> Event {
        let c = content::to_value(&ApprovalRequestIntent {
            command: "tenant.erase".into(),
            digest: d.into(),
            plan: json!({"tenant": "t1"}),
            preview: None,
            required: 1,
        });
        log.add(&action(who, REQUEST_ACTION), c, Some(Outcome::Ok))
    }

    fn decide(log: &mut Log, who: &Actor, req: &Event, approve: bool, d: &str, until: &str) {
        let c = content::to_value(&ApprovalDecisionIntent {
            request: req.id.to_string(),
            request_seq: req.seq,
            command: "tenant.erase".into(),
            digest: d.into(),
            note: None,
            valid_until: approve.then(|| until.to_owned()),
        });
        let name = if approve { APPROVE_ACTION } else { DENY_ACTION };
        log.add(&action(who, name), c, Some(Outcome::Ok));
    }

    fn use_it(log: &mut Log, who: &Actor, req: &Event, result: Option<Outcome>) {
        let mut c = json!({"mode": "single"});
        c[APPROVAL_KEY] = content::to_value(&ApprovalUse {
            request: req.id.to_string(),
            request_seq: req.seq,
            digest: "d".into(),
            break_glass: false,
        });
        log.add(&action(who, "tenant.erase"), c, result);
    }

    const LATER: &str = "2999-01-01T00:00:00Z";

    #[test]
    fn a_request_is_approved_once_by_someone_else_and_used_once() {
        let alice = actor("alice@x", "LtopsAdmin");
        let dora = actor("dora@x", "LtopsDPO");
        let now = Utc::now();
        let mut log = Log(Vec::new());
        let req = request(&mut log, &alice, "d");
        let state = |log: &Log| {
            Ledger::from_events(&log.0)
                .find(&req.seq.to_string())
                .cloned()
                .unwrap()
        };
        assert_eq!(state(&log).status(now), Status::Open);
        let err = check_use(
            &state(&log),
            MutatingCommand::TenantErase,
            &alice,
            &policy(1),
            now,
        )
        .unwrap_err();
        assert!(err.contains("0 of the 1"), "{err}");
        // Approving one's own request does not count, even if it were recorded.
        decide(&mut log, &alice, &req, true, "d", LATER);
        assert_eq!(state(&log).status(now), Status::Open);
        // Another digest does not count either.
        decide(&mut log, &dora, &req, true, "other", LATER);
        assert_eq!(state(&log).status(now), Status::Open);
        decide(&mut log, &dora, &req, true, "d", LATER);
        assert_eq!(state(&log).status(now), Status::Approved);
        check_use(
            &state(&log),
            MutatingCommand::TenantErase,
            &alice,
            &policy(1),
            now,
        )
        .unwrap();
        // Two approvals needed: dora twice is one person.
        assert!(
            check_use(
                &state(&log),
                MutatingCommand::TenantErase,
                &alice,
                &policy(2),
                now
            )
            .is_err()
        );
        // Only the requester uses it, for the command it was made for.
        let bob = actor("bob@x", "LtopsAdmin");
        assert!(
            check_use(
                &state(&log),
                MutatingCommand::TenantErase,
                &bob,
                &policy(1),
                now
            )
            .unwrap_err()
            .contains("only the requester")
        );
        assert!(
            check_use(
                &state(&log),
                MutatingCommand::RestoreRun,
                &alice,
                &policy(1),
                now
            )
            .is_err()
        );
        // A failed use releases it; an ok one consumes it.
        use_it(&mut log, &alice, &req, Some(Outcome::Failed));
        check_use(
            &state(&log),
            MutatingCommand::TenantErase,
            &alice,
            &policy(1),
            now,
        )
        .unwrap();
        use_it(&mut log, &alice, &req, Some(Outcome::Ok));
        assert_eq!(state(&log).status(now), Status::Used);
        let err = check_use(
            &state(&log),
            MutatingCommand::TenantErase,
            &alice,
            &policy(1),
            now,
        )
        .unwrap_err();
        assert!(err.contains("already used by audit seq"), "{err}");
    }

    #[test]
    fn denied_expired_and_unfinished_uses_refuse() {
        let alice = actor("alice@x", "LtopsAdmin");
        let dora = actor("dora@x", "LtopsDPO");
        let now = Utc::now();
        let mut log = Log(Vec::new());
        let expired = request(&mut log, &alice, "d");
        decide(&mut log, &dora, &expired, true, "d", "2000-01-01T00:00:00Z");
        let denied = request(&mut log, &alice, "d");
        decide(&mut log, &dora, &denied, true, "d", LATER);
        decide(&mut log, &dora, &denied, false, "d", LATER);
        let running = request(&mut log, &alice, "d");
        decide(&mut log, &dora, &running, true, "d", LATER);
        use_it(&mut log, &alice, &running, None);
        let l = Ledger::from_events(&log.0);
        let check = |e: &Event| {
            check_use(
                l.find(&e.id.to_string()).unwrap(),
                MutatingCommand::TenantErase,
                &alice,
                &policy(1),
                now,
            )
            .unwrap_err()
        };
        assert!(check(&expired).contains("expired at 2000-01-01"));
        assert!(check(&denied).contains("denied by dora@x"));
        assert!(check(&running).contains("unfinished"));
        // An approver's permission set that is no longer allowed does not count.
        let mut p = policy(1);
        p.approvers = vec!["LtopsAdmin".into()];
        let r = l.find(&running.seq.to_string()).unwrap();
        assert_eq!(r.approvals(Some(now), Some(&p.approvers)).len(), 0);
        assert!(l.find("nonsense").is_none());
        assert!(check_id("nonsense").is_err());
    }

    #[test]
    fn digests_bind_every_part() {
        let plan = json!({"tenant": "a", "planned": {"leads": {"delete": 3}}});
        let d = digest(&plan, None, None);
        assert_eq!(
            d,
            digest(
                &json!({"planned": {"leads": {"delete": 3}}, "tenant": "a"}),
                None,
                None
            )
        );
        assert_ne!(
            d,
            digest(
                &json!({"tenant": "b", "planned": {"leads": {"delete": 3}}}),
                None,
                None
            )
        );
        assert_ne!(d, digest(&plan, Some(&json!({"statement": "x"})), None));
        assert_ne!(d, digest(&plan, None, Some(&json!({"rows": 1}))));
    }
}
