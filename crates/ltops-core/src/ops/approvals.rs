//! `approvals list|approve|deny`: the second person's side of four eyes. The
//! requests and every decision on them are audit events; a decision is a
//! mutation like any other (guard, plan shown, confirmation, intent, outcome).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::gate;
use super::mutation::{Confirmation, Done, Intent, Mutation, Planned, Session, Step};
use crate::approval::{self, APPROVE_ACTION, DENY_ACTION, Ledger, RequestState, Status};
use crate::audit::content::{self, ApprovalDecisionIntent, ApprovalRecorded};
use crate::audit::event::{Event, Target};
use crate::audit::{self as audit_log, Store};
use crate::aws::identity::Actor;
use crate::settings::{MutatingCommand, Settings};

/// A request as `approvals list` and a decision show it.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    #[serde(flatten)]
    pub request: RequestState,
    pub status: Status,
    /// The plan's personal part (an intervention's statement), opened while
    /// the tenant key exists.
    pub personal: Option<Value>,
}

/// Every request and break-glass record of the log; only those still
/// waiting for someone unless `all`.
pub async fn list(settings: &Settings, all: bool) -> anyhow::Result<Vec<Shown>> {
    let sdk = crate::aws::config::load(&settings.aws).await;
    let store = Store::open(settings, &sdk).await?;
    let keys = store.key_states().await?;
    let mut ledger = Ledger::default();
    let mut reader = store.reader().await?;
    while let Some(block) = reader.next_block().await? {
        for line in block.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            if let Ok(e) = serde_json::from_slice::<Event>(line) {
                ledger.push(&e);
            }
        }
    }
    let now = settings.now();
    Ok(ledger
        .requests
        .into_iter()
        .filter(|r| r.recorded)
        .map(|r| Shown {
            status: r.status(now),
            personal: audit_log::opened(&r.event, &keys),
            request: r,
        })
        .filter(|s| all || s.status.is_open())
        .collect())
}

/// `approvals approve ID` / `approvals deny ID --note …`.
pub struct Decide {
    pub id: String,
    pub approve: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecidePlan {
    pub request: Shown,
    pub approve: bool,
    /// Approvals of a request only: until when it may be used.
    pub valid_until: Option<DateTime<Utc>>,
}

impl Decide {
    pub fn new(id: String, approve: bool, note: Option<String>) -> anyhow::Result<Decide> {
        approval::check_id(&id).map_err(anyhow::Error::msg)?;
        let note = note.filter(|n| !n.trim().is_empty());
        if !approve && note.is_none() {
            anyhow::bail!("a denial needs --note: say why, for the requester and the record");
        }
        Ok(Decide { id, approve, note })
    }

    fn verb(&self) -> &'static str {
        if self.approve { "approve" } else { "deny" }
    }
}

impl Mutation for Decide {
    type Plan = DecidePlan;
    type Done = ();

    fn command(&self) -> MutatingCommand {
        MutatingCommand::ApprovalsDecide
    }

    fn action(&self, _: &DecidePlan) -> String {
        if self.approve {
            APPROVE_ACTION
        } else {
            DENY_ACTION
        }
        .into()
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<DecidePlan>> {
        let id = &self.id;
        let r = gate::load(&s.store, id).await?.ok_or_else(|| {
            anyhow::anyhow!(
                "there is no approval request {id} in the audit log — see `ltops approvals list`"
            )
        })?;
        check_decider(&r, &s.actor, s.settings)?;
        let now = s.settings.now();
        let valid_until = (self.approve && !r.break_glass).then(|| {
            let validity = MutatingCommand::parse(&r.command)
                .and_then(|c| s.settings.config.approvals.get(&c))
                .map_or(chrono::Duration::hours(24), |p| p.validity());
            now + validity
        });
        let keys = s.store.key_states().await?;
        Ok(Planned::Go(DecidePlan {
            request: Shown {
                status: r.status(now),
                personal: audit_log::opened(&r.event, &keys),
                request: r,
            },
            approve: self.approve,
            valid_until,
        }))
    }

    fn headline(&self, p: &DecidePlan, actor: &Actor) -> String {
        let r = &p.request.request;
        format!(
            "Plan: {} {} {} ({}), requested by {} at {}, plan digest {}{}",
            actor.user,
            if self.approve { "approves" } else { "denies" },
            if r.break_glass {
                format!("the break-glass use {}", r.seq)
            } else {
                format!("approval request {}", r.seq)
            },
            r.summary(),
            r.requester.user,
            r.at,
            r.digest.get(..12).unwrap_or_default(),
            p.valid_until
                .map(|u| format!("; valid until {}", u.format("%Y-%m-%d %H:%M UTC")))
                .unwrap_or_default()
        )
    }

    fn target(&self, p: &DecidePlan) -> Target {
        p.request.request.target.clone()
    }

    fn confirmation(&self, p: &DecidePlan) -> Confirmation {
        Confirmation::Ask(format!(
            "{} {} as shown above?",
            if self.approve { "Approve" } else { "Deny" },
            p.request.request.seq
        ))
    }

    fn intent(&self, p: &DecidePlan) -> Intent {
        let r = &p.request.request;
        Intent::new(content::to_value(&ApprovalDecisionIntent {
            request: r.id.to_string(),
            request_seq: r.seq,
            command: r.command.clone(),
            digest: r.digest.clone(),
            note: self.note.clone(),
            valid_until: p
                .valid_until
                .map(|u| u.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }))
    }

    async fn work(&mut self, p: &DecidePlan, step: &mut Step<'_, '_>) -> anyhow::Result<Done<()>> {
        step.session.ui.status(&format!(
            "{} {}: recorded",
            self.verb(),
            p.request.request.seq
        ));
        Ok(Done::ok(
            (),
            content::to_value(&ApprovalRecorded { recorded: true }),
        ))
    }
}

/// Who may decide on `r`: another person than the requester, from a
/// permission set the command's policy names, once.
fn check_decider(r: &RequestState, actor: &Actor, settings: &Settings) -> anyhow::Result<()> {
    let id = r.seq;
    if approval::same_user(&r.requester.user, &actor.user) {
        anyhow::bail!(
            "{} requested {id} and cannot decide on it: four eyes means another person approves",
            actor.user
        );
    }
    let policy = MutatingCommand::parse(&r.command)
        .and_then(|c| settings.config.approvals.get(&c))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the config has no approvals.{} policy, so nobody may decide on {id}",
                r.command
            )
        })?;
    if !policy.approvers.contains(&actor.permission_set) {
        anyhow::bail!(
            "permission set {} ({}) may not decide on `{}`; approvals.{}.approvers allows: {}",
            actor.permission_set,
            actor.user,
            r.command,
            r.command,
            policy.approvers.join(", ")
        );
    }
    if let Some(d) = r
        .decisions
        .iter()
        .find(|d| approval::same_user(&d.by, &actor.user))
    {
        anyhow::bail!(
            "{} already {} {id} at {}",
            actor.user,
            if d.approve { "approved" } else { "denied" },
            d.at
        );
    }
    if let Some(d) = r.denial() {
        anyhow::bail!("{id} was denied by {} at {}; it stays denied", d.by, d.at);
    }
    if !r.break_glass
        && let Some(u) = r.holder()
    {
        anyhow::bail!(
            "{id} was used by audit seq {} already; nothing left to decide",
            u.seq
        );
    }
    Ok(())
}

/// `approvals pin`: an admin pins the four-eyes policy of this config into
/// the audit log, where every gated run applies it (the stricter of pinned and
/// local) whatever the operator's own ltops.yaml says. A pin may only tighten.
pub struct Pin {
    pub policies: std::collections::BTreeMap<MutatingCommand, crate::settings::ApprovalPolicy>,
}

/// What a pin changes.
#[derive(Debug, Clone, Serialize)]
pub struct PinPlan {
    /// The policy pinned so far (all pins folded).
    pub pinned: std::collections::BTreeMap<MutatingCommand, crate::settings::ApprovalPolicy>,
    /// The policy this pin records.
    pub policies: std::collections::BTreeMap<MutatingCommand, crate::settings::ApprovalPolicy>,
}

impl Pin {
    /// The gated commands' policies of this config (`approvals.<command>`).
    pub fn from_settings(settings: &Settings) -> Pin {
        Pin {
            policies: settings
                .config
                .approvals
                .iter()
                .filter(|(c, _)| crate::settings::APPROVABLE.contains(c))
                .map(|(c, p)| (*c, p.clone()))
                .collect(),
        }
    }
}

impl Mutation for Pin {
    type Plan = PinPlan;
    type Done = ();

    /// Pinning is the audit store's set-up: the admins of `audit.init`.
    fn command(&self) -> MutatingCommand {
        MutatingCommand::AuditInit
    }

    fn action(&self, _: &PinPlan) -> String {
        crate::approval_pin::POLICY_ACTION.into()
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<PinPlan>> {
        let pinned = crate::approval_pin::pinned(&s.store).await?;
        let looser = crate::approval_pin::loosens(&pinned, &self.policies);
        if !looser.is_empty() {
            let names: Vec<String> = looser.iter().map(ToString::to_string).collect();
            return Err(crate::Refused(format!(
                "this config's approvals would loosen the pinned policy for {} — a pinned policy can only be made stricter (see `ltops approvals pin --dry-run` for what is pinned)",
                names.join(", ")
            ))
            .into());
        }
        let plan = PinPlan {
            pinned: pinned.clone(),
            policies: self.policies.clone(),
        };
        if self.policies.is_empty() || pinned == self.policies {
            return Ok(Planned::Stop { plan, no: false });
        }
        Ok(Planned::Go(plan))
    }

    fn headline(&self, p: &PinPlan, actor: &Actor) -> String {
        let names: Vec<String> = p.policies.keys().map(ToString::to_string).collect();
        format!(
            "Plan: pin the four-eyes policy for {} in the audit log, by {} — every gated run applies it, whatever an operator's own ltops.yaml says; it can only be made stricter later",
            names.join(", "),
            actor.user
        )
    }

    fn target(&self, _: &PinPlan) -> Target {
        Target::default()
    }

    fn confirmation(&self, _: &PinPlan) -> Confirmation {
        Confirmation::Ask("Pin this policy? It cannot be loosened afterwards.".into())
    }

    fn intent(&self, p: &PinPlan) -> Intent {
        Intent::new(content::to_value(&crate::approval_pin::PinIntent {
            policies: p.policies.clone(),
        }))
    }

    async fn work(&mut self, _: &PinPlan, _: &mut Step<'_, '_>) -> anyhow::Result<Done<()>> {
        Ok(Done::ok(
            (),
            content::to_value(&ApprovalRecorded { recorded: true }),
        ))
    }
}
