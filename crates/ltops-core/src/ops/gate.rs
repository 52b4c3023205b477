//! The approval step of the mutation pipeline (`approvals.<command>`): after
//! the plan and before the confirmation, a run either records an approval
//! request, proves an approval for exactly this plan, or records break-glass.
//! One step for every gated command, so no command can forget it.
//!
//! An intervention's plan is complete only after its preview (the rows the
//! statement changes); its gate is passed inside the work, with
//! [`super::mutation::Step::approve`], before anything is committed.

use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::mutation::Ui;
use crate::Refused;
use crate::approval::{self, BREAK_GLASS_ACTION, Ledger, REQUEST_ACTION, RequestState, Subject};
use crate::audit::content::{
    self, APPROVAL_KEY, ApprovalRecorded, ApprovalRequestIntent, ApprovalUse,
};
use crate::audit::event::{Event, Outcome, Reason, Target};
use crate::audit::{Action, Store};
use crate::aws::identity::Actor;
use crate::settings::{ApprovalPolicy, MutatingCommand, Settings};

/// How a run relates to four eyes; from `--request`, `--approval ID`,
/// `--break-glass`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Approval {
    /// No flag: runs if the command needs no approval.
    #[default]
    None,
    /// Plan as `--dry-run` does and record an approval request.
    Request,
    /// Run under the approval request with this ID (seq or event id).
    Use(String),
    /// Run without approval during this incident; approved afterwards.
    BreakGlass(Reason),
}

/// What the gate recorded or used, for the command's report.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalNote {
    /// `requested`, `used` or `break-glass`.
    pub kind: &'static str,
    /// The request's ID: its audit seq.
    pub id: u64,
    pub event_id: Uuid,
    pub digest: String,
}

/// A proof that the gate was passed: the work of a mutation whose plan is
/// completed by a preview needs one to commit.
pub struct Approved(());

impl Approved {
    /// For a command without approvals.
    pub(super) fn ungated() -> Approved {
        Approved(())
    }
}

/// The gate of one run.
pub struct Gate {
    command: MutatingCommand,
    mode: Approval,
    policy: Option<ApprovalPolicy>,
    subject: Subject,
    target: Target,
    reason: Option<Reason>,
    /// The request being used, as checked before the intent.
    request: Option<RequestState>,
    pub note: Option<ApprovalNote>,
    now: chrono::DateTime<Utc>,
}

impl Gate {
    /// Checks the flags against the policy; `None` when the command has no
    /// approvals at all (and no flag asked for one).
    pub fn new(
        settings: &Settings,
        command: MutatingCommand,
        pinned: Option<&ApprovalPolicy>,
        mode: Approval,
        subject: Option<Subject>,
        target: Target,
        reason: Option<Reason>,
    ) -> anyhow::Result<Option<Gate>> {
        let flag = match &mode {
            Approval::None => None,
            Approval::Request => Some("--request"),
            Approval::Use(_) => Some("--approval"),
            Approval::BreakGlass(_) => Some("--break-glass"),
        };
        // The stricter of the local policy and the one pinned in the log: an
        // operator cannot drop four eyes by editing their own ltops.yaml.
        let local = settings.config.approvals.get(&command);
        let policy =
            crate::approval_pin::stricter(command, local, pinned).filter(|p| p.required > 0);
        if flag.is_none() && policy.is_none() {
            // No four eyes configured for this command, none asked for.
            return Ok(None);
        }
        let Some(subject) = subject else {
            if let Some(flag) = flag {
                anyhow::bail!("`{command}` has no approvals; run it without {flag}");
            }
            return Ok(None);
        };
        if let (Some(flag), None) = (flag, &policy) {
            anyhow::bail!(
                "`{command}` needs no approval (approvals.{command}.required is 0 or unset); run it without {flag}"
            );
        }
        if let (Approval::BreakGlass(_), Some(p)) = (&mode, &policy)
            && !p.break_glass_allowed(command)
        {
            return Err(Refused(format!(
                "break-glass is not allowed for `{command}` (approvals.{command}.break_glass) — ask for an approval with --request"
            ))
            .into());
        }
        if let Approval::Use(id) = &mode {
            approval::check_id(id).map_err(anyhow::Error::msg)?;
        }
        Ok(Some(Gate {
            command,
            mode,
            policy,
            subject,
            target,
            reason,
            request: None,
            note: None,
            now: settings.now(),
        }))
    }

    pub fn mode(&self) -> &Approval {
        &self.mode
    }

    pub fn policy(&self) -> Option<&ApprovalPolicy> {
        self.policy.as_ref()
    }

    /// Before the confirmation, for a plan complete without a preview: a
    /// request is recorded (and the run ends), an approval is proven for
    /// this digest, or a missing one refuses. `needed` is the mutation's
    /// answer whether this plan needs the policy's approvals.
    pub async fn before(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        ui: &dyn Ui,
        needed: bool,
    ) -> anyhow::Result<()> {
        match self.mode.clone() {
            Approval::None if needed => Err(self.missing()),
            Approval::None | Approval::BreakGlass(_) => Ok(()),
            Approval::Request => {
                self.record(store, actor, ui, REQUEST_ACTION, None).await?;
                Ok(())
            }
            Approval::Use(id) => {
                let r = self.check(store, actor, &id).await?;
                self.compare(&r, None)?;
                self.request = Some(r);
                Ok(())
            }
        }
    }

    /// For a plan completed by a preview: everything of [`Gate::before`]
    /// except the digest, which the preview completes.
    pub async fn before_preview(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        needed: Option<bool>,
    ) -> anyhow::Result<()> {
        match self.mode.clone() {
            Approval::None if needed == Some(true) => Err(self.missing()),
            Approval::None => Ok(()),
            _ if needed == Some(false) => anyhow::bail!(
                "this plan needs no approval under approvals.{}; run it without --request, --approval or --break-glass",
                self.command
            ),
            Approval::Use(id) => {
                self.request = Some(self.check(store, actor, &id).await?);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Inside the work, after the preview and before the commit.
    pub async fn at_preview(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        ui: &dyn Ui,
        preview: Value,
        needed: bool,
    ) -> anyhow::Result<Approved> {
        match self.mode.clone() {
            Approval::None if needed => Err(self.missing()),
            Approval::None | Approval::BreakGlass(_) => Ok(Approved(())),
            Approval::Request => {
                if needed {
                    self.record(store, actor, ui, REQUEST_ACTION, Some(preview))
                        .await?;
                } else {
                    ui.warn(&format!(
                        "this plan needs no approval under approvals.{}; no request was recorded",
                        self.command
                    ));
                }
                Ok(Approved(()))
            }
            Approval::Use(_) => {
                let r = self.request.clone().ok_or_else(|| {
                    anyhow::anyhow!("internal error: the approval was not checked")
                })?;
                self.compare(&r, Some(&preview))?;
                Ok(Approved(()))
            }
        }
    }

    /// Break-glass is recorded on its own, before the action's intent, so
    /// that it stands out in the log and can be approved by its ID.
    pub async fn break_glass(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        ui: &dyn Ui,
    ) -> anyhow::Result<()> {
        if let Approval::BreakGlass(incident) = self.mode.clone() {
            self.reason = Some(incident.clone());
            let e = self
                .record(store, actor, ui, BREAK_GLASS_ACTION, None)
                .await?;
            ui.warn(&format!(
                "BREAK-GLASS: `{}` runs without approval ({incident}); recorded as audit seq {} — it must be approved afterwards: `ltops approvals approve {}` by another person",
                self.command, e.seq, e.seq
            ));
        }
        Ok(())
    }

    /// What the action's intent says about its approval.
    pub fn mark_intent(&self, content: &mut Value) {
        let Some(note) = &self.note else {
            return;
        };
        let used = match (&self.mode, &self.request) {
            (Approval::Use(_), Some(r)) => ApprovalUse {
                request: r.id.to_string(),
                request_seq: r.seq,
                digest: r.digest.clone(),
                break_glass: false,
            },
            (Approval::BreakGlass(_), _) => ApprovalUse {
                request: note.event_id.to_string(),
                request_seq: note.id,
                digest: note.digest.clone(),
                break_glass: true,
            },
            _ => return,
        };
        if let Value::Object(m) = content {
            m.insert(APPROVAL_KEY.into(), content::to_value(&used));
        }
    }

    /// After the intent: the first intent in the log that names the request
    /// holds it. Two runs that passed the check at once both wrote their
    /// intents; the later one yields.
    pub async fn claim(&self, store: &Store, intent: &Event) -> anyhow::Result<()> {
        let Some(r) = &self.request else {
            return Ok(());
        };
        let now = load(store, &r.seq.to_string()).await?;
        if let Some(first) = now.as_ref().and_then(RequestState::holder)
            && first.id != intent.id
            && first.seq < intent.seq
        {
            return Err(Refused(format!(
                "approval {} was taken by audit seq {} ({}) a moment before this run",
                r.seq, first.seq, first.by
            ))
            .into());
        }
        Ok(())
    }

    /// The note once the approval is used by `intent`.
    pub fn used_by(&mut self) {
        if let (Approval::Use(_), Some(r)) = (&self.mode, &self.request) {
            self.note = Some(ApprovalNote {
                kind: "used",
                id: r.seq,
                event_id: r.id,
                digest: r.digest.clone(),
            });
        }
    }

    fn missing(&self) -> anyhow::Error {
        let n = self.policy.as_ref().map_or(1, |p| p.required);
        Refused(format!(
            "`{}` needs {n} approval(s) by another person (approvals.{}): run it with --request, have it approved with `ltops approvals approve ID`, then run it with --approval ID{}",
            self.command,
            self.command,
            if self
                .policy
                .as_ref()
                .is_some_and(|p| p.break_glass_allowed(self.command))
            {
                " (in an incident: --break-glass --incident REF)"
            } else {
                ""
            }
        ))
        .into()
    }

    async fn check(&self, store: &Store, actor: &Actor, id: &str) -> anyhow::Result<RequestState> {
        let policy = self
            .policy
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("internal error: no approval policy"))?;
        let r = load(store, id).await?.ok_or_else(|| {
            Refused(format!(
                "there is no approval request {id} in the audit log — see `ltops approvals list`"
            ))
        })?;
        approval::check_use(&r, self.command, actor, policy, self.now).map_err(Refused)?;
        Ok(r)
    }

    fn digest(&self, preview: Option<&Value>) -> String {
        approval::digest(
            &self.subject.plan,
            self.subject.personal.as_ref().map(|p| &p.data),
            preview,
        )
    }

    fn compare(&self, r: &RequestState, preview: Option<&Value>) -> anyhow::Result<()> {
        if self.digest(preview) == r.digest {
            return Ok(());
        }
        Err(Refused(format!(
            "this plan is not the one approved as {}: {} differ(s) — a changed plan needs a new approval (--request)",
            r.seq,
            approval::differences(r, &self.subject.plan, preview)
        ))
        .into())
    }

    /// Records a request or break-glass record (intent and outcome).
    async fn record(
        &mut self,
        store: &mut Store,
        actor: &Actor,
        ui: &dyn Ui,
        action: &str,
        preview: Option<Value>,
    ) -> anyhow::Result<Event> {
        let digest = self.digest(preview.as_ref());
        let a = Action {
            actor: actor.clone(),
            action: action.into(),
            target: self.target.clone(),
            reason: self.reason.clone(),
        };
        let c = content::to_value(&ApprovalRequestIntent {
            command: self.command.to_string(),
            digest: digest.clone(),
            plan: self.subject.plan.clone(),
            preview,
            required: self.policy.as_ref().map_or(1, |p| p.required),
        });
        let intent = store
            .append(a.intent(c), self.subject.personal.clone())
            .await
            .map_err(|e| anyhow::anyhow!("cannot record the {action}, so nothing was done: {e}"))?;
        store
            .append(
                a.outcome(
                    &intent,
                    Outcome::Ok,
                    content::to_value(&ApprovalRecorded { recorded: true }),
                ),
                None,
            )
            .await?;
        self.note = Some(ApprovalNote {
            kind: if action == BREAK_GLASS_ACTION {
                "break-glass"
            } else {
                "requested"
            },
            id: intent.seq,
            event_id: intent.id,
            digest: digest.clone(),
        });
        if action == REQUEST_ACTION {
            ui.status(&format!(
                "approval request {} recorded (digest {}): another person approves it with `ltops approvals approve {}`; then run the same command with --approval {}",
                intent.seq,
                digest.get(..12).unwrap_or_default(),
                intent.seq,
                intent.seq
            ));
        }
        Ok(intent)
    }
}

/// The request `id` and everything after it, read from the end of the log
/// backwards only as far as the request.
pub async fn load(store: &Store, id: &str) -> anyhow::Result<Option<RequestState>> {
    let id = id.trim();
    let seq = id.parse::<u64>().ok();
    let uuid = id.parse::<Uuid>().ok();
    let mut tail = store.tail().await?;
    let mut events: Vec<Event> = Vec::new();
    while let Some(line) = tail.next_line().await? {
        let Ok(e) = serde_json::from_slice::<Event>(&line) else {
            continue;
        };
        let reached = seq.is_some_and(|s| e.seq <= s) || uuid == Some(e.id);
        events.push(e);
        if reached {
            break;
        }
    }
    events.reverse();
    Ok(Ledger::from_events(&events).find(id).cloned())
}
