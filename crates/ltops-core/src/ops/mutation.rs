//! The one mutation pipeline every changing command runs through, so that the
//! discipline of DESIGN.md exists once: identity guard → reason → plan → dry run
//! → confirmation → audit intent (fail closed) → work → outcome (ok, failed,
//! aborted on Ctrl-C).
//!
//! A new mutating command is a [`Mutation`]: a plan type, a way to make the plan,
//! what to record, and a work function. The runner never prints or prompts
//! itself: it talks to the operator through [`Ui`], which the command layer
//! implements once.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use aws_config::SdkConfig;
use chrono::Utc;
use serde_json::Value;

use super::gate::{Approval, ApprovalNote, Approved, Gate};
use crate::Interrupted;
use crate::approval::Subject;
use crate::audit::content::{self, Failure};
use crate::audit::event::{Draft, Event, Outcome, Reason, Target};
use crate::audit::{Action, Personal, Store};
use crate::aws::identity::{self, Actor};
use crate::aws::sso::{self, SsoError};
use crate::settings::{ApprovalPolicy, MutatingCommand, Settings};

static IN_RECORDED: AtomicBool = AtomicBool::new(false);

/// True while recorded work runs: then Ctrl-C belongs to the runner (which
/// records `aborted`), not to the top level.
pub fn in_recorded_section() -> bool {
    IN_RECORDED.load(Ordering::SeqCst)
}

/// While alive, Ctrl-C is left to the running action instead of stopping ltops.
struct RecordedSection(());

impl RecordedSection {
    fn enter() -> RecordedSection {
        IN_RECORDED.store(true, Ordering::SeqCst);
        RecordedSection(())
    }
}

impl Drop for RecordedSection {
    fn drop(&mut self) {
        IN_RECORDED.store(false, Ordering::SeqCst);
    }
}

/// How a long step shows it is alive; hidden in pipes.
pub trait Progress: Send + Sync {
    fn set_message(&self, msg: String);
    fn set_position(&self, done: u64);
    fn finish(&self);
}

/// The operator as the runner and the use cases see them: status lines,
/// questions and progress. Implemented by the command layer (stderr, dialoguer,
/// indicatif); use cases never print or prompt by themselves.
pub trait Ui {
    /// A status line (stderr; suppressed by `-q`).
    fn status(&self, msg: &str);
    /// Detail for `-v`.
    fn detail(&self, msg: &str);
    fn warn(&self, msg: &str);
    /// True when a question can be asked: a terminal and no `--no-input`.
    fn can_ask(&self) -> bool;
    /// `--yes` was given.
    fn assume_yes(&self) -> bool;
    /// Asks a yes/no question (default no).
    fn ask(&self, question: &str) -> anyhow::Result<bool>;
    /// Asks the operator to type `expected`; true when they did.
    fn ask_typed(&self, prompt: &str, expected: &str) -> anyhow::Result<bool>;
    /// A bar over `total` units, or a spinner when `total` is `None`.
    fn progress(&self, total: Option<u64>, msg: &str) -> Box<dyn Progress>;
}

/// What the operator must do to let a plan go ahead.
pub enum Confirmation {
    /// A yes/no question; `--yes` answers it.
    Ask(String),
    /// Typing a value (an erasure's tenant id): a `y` is too easy at 3 am. Given
    /// as `--yes` plus `given` (e.g. `--confirm TENANT`), or typed at the prompt.
    Type {
        prompt: String,
        expected: String,
        given: Option<String>,
        /// The flags that confirm without a terminal, for the refusal message.
        flags: String,
    },
}

/// A plan, and whether it goes ahead.
pub enum Planned<P> {
    Go(P),
    /// Nothing to change; the command reports the plan and ends. `no` makes the
    /// exit status 1 ("the answer is no", e.g. already erased).
    Stop {
        plan: P,
        no: bool,
    },
}

/// What the intent records.
pub struct Intent {
    pub content: Value,
    /// Tenant personal data, sealed under the tenant key.
    pub personal: Option<Personal>,
}

impl Intent {
    pub fn new(content: Value) -> Intent {
        Intent {
            content,
            personal: None,
        }
    }
}

/// What the work hands back: its value and the outcome to record.
pub struct Done<D> {
    pub value: D,
    pub result: Outcome,
    pub content: Value,
    pub personal: Option<Personal>,
}

impl<D> Done<D> {
    pub fn ok(value: D, content: Value) -> Done<D> {
        Done {
            value,
            result: Outcome::Ok,
            content,
            personal: None,
        }
    }
}

/// Everything a mutation may use: settings, the operator, the proven identity,
/// the SDK configuration that proved it, and the audit store.
pub struct Session<'a> {
    pub settings: &'a Settings,
    pub ui: &'a dyn Ui,
    pub actor: Actor,
    pub sdk: SdkConfig,
    pub store: Store,
}

/// The recorded part of a run: the intent that opened it, and the means to end
/// it from inside the work (an outcome committed with the change).
pub struct Step<'s, 'a> {
    pub session: &'s mut Session<'a>,
    pub intent: Event,
    pub action: Action,
    pub dry_run: bool,
    outcome: Option<Event>,
    rolled_back: bool,
    shielded: Arc<AtomicBool>,
    /// The approval step, for a plan a preview completes.
    gate: Option<Gate>,
}

/// While alive, Ctrl-C does not abort the work: a commit that has started must
/// finish (or fail) by itself.
pub struct Shield(Arc<AtomicBool>);

impl Drop for Shield {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Step<'_, '_> {
    pub fn shield(&self) -> Shield {
        self.shielded.store(true, Ordering::SeqCst);
        Shield(self.shielded.clone())
    }

    /// Records how the intent ended, from inside the work (e.g. a refusal after a
    /// preview). The runner then records nothing more.
    pub async fn close(
        &mut self,
        result: Outcome,
        content: Value,
        personal: Option<Personal>,
    ) -> anyhow::Result<Event> {
        let event = append_outcome(
            &mut self.session.store,
            &self.action,
            &self.intent,
            result,
            content,
            personal,
        )
        .await?;
        self.outcome = Some(event.clone());
        Ok(event)
    }

    /// The work recorded its outcome itself (inside its own transaction).
    pub fn closed_with(&mut self, outcome: Event) {
        self.outcome = Some(outcome);
    }

    /// The intent was rolled back together with the change (it was written in
    /// the change's own transaction): there is nothing left to close.
    pub fn rolled_back_with_intent(&mut self) {
        self.rolled_back = true;
    }

    /// The approval step for a plan that a preview inside the work completes
    /// (`preview`: what it adds to the plan, e.g. rows per table): records the
    /// request, or proves the approval for exactly this plan, or refuses.
    /// `needed`: whether the policy asks for approvals for this plan.
    pub async fn approve(&mut self, preview: Value, needed: bool) -> anyhow::Result<Approved> {
        match self.gate.as_mut() {
            None => Ok(Approved::ungated()),
            // A plain dry run changes nothing and needs no approval.
            Some(g) if self.dry_run && *g.mode() == Approval::None => Ok(Approved::ungated()),
            Some(g) => {
                let s = &mut *self.session;
                g.at_preview(&mut s.store, &s.actor, s.ui, preview, needed)
                    .await
            }
        }
    }

    /// The approval policy of the command, when it has one.
    pub fn approval_policy(&self) -> Option<&ApprovalPolicy> {
        self.gate.as_ref().and_then(Gate::policy)
    }

    /// A question asked in the middle of the work (after a preview). Without a
    /// terminal only `--yes` answers it.
    pub fn confirm(&self, question: &str) -> anyhow::Result<bool> {
        confirm(self.session.ui, &Confirmation::Ask(question.to_owned()))
    }
}

/// A changing command: a plan, what to record, and the work.
pub trait Mutation {
    type Plan;
    type Done;

    /// The command's name in `permissions.<command>`.
    fn command(&self) -> MutatingCommand;
    /// The action's name in the audit log.
    fn action(&self, plan: &Self::Plan) -> String;
    /// Makes the plan. Reads only: nothing may change here.
    fn plan(
        &mut self,
        session: &mut Session<'_>,
    ) -> impl Future<Output = anyhow::Result<Planned<Self::Plan>>>;
    /// One sentence shown before the confirmation (and for a dry run): what
    /// will be done, for whom, why. The command shows the details after it.
    fn headline(&self, plan: &Self::Plan, actor: &Actor) -> String;
    fn target(&self, plan: &Self::Plan) -> Target;
    fn confirmation(&self, plan: &Self::Plan) -> Confirmation;
    fn intent(&self, plan: &Self::Plan) -> Intent;
    /// Runs between the confirmation and the intent (e.g. closing attempts that
    /// a killed process left open). Default: nothing.
    fn prepare(
        &mut self,
        _plan: &Self::Plan,
        _session: &mut Session<'_>,
    ) -> impl Future<Output = anyhow::Result<()>> {
        async { Ok(()) }
    }
    /// Records the intent. A mutation whose change and record must commit
    /// together (creating the audit store itself) opens its transaction here.
    fn record_intent(
        &mut self,
        _plan: &Self::Plan,
        session: &mut Session<'_>,
        draft: Draft,
        personal: Option<Personal>,
    ) -> impl Future<Output = anyhow::Result<Event>> {
        async move { Ok(session.store.append(draft, personal).await?) }
    }
    /// Runs after the outcome is recorded, whatever it was (e.g. carrying the
    /// log, outcome included, into a restored copy). A failure is a warning:
    /// the action and its record are complete.
    fn after_outcome(
        &mut self,
        _plan: &Self::Plan,
        _session: &mut Session<'_>,
    ) -> impl Future<Output = anyhow::Result<()>> {
        async { Ok(()) }
    }
    /// True when the dry run is itself recorded work (it reads customer data,
    /// e.g. an intervention's preview): the work then runs with `step.dry_run`
    /// and must change nothing.
    fn dry_run_is_work(&self) -> bool {
        false
    }
    /// What makes this plan this plan, for `approvals.<command>`: the approval
    /// is bound to its digest. `None`: the command has no approvals.
    fn approval_subject(&self, _plan: &Self::Plan) -> Option<Subject> {
        None
    }
    /// True when a preview inside the work completes the plan (an
    /// intervention's rows): the work then calls [`Step::approve`] before it
    /// changes anything, and its commit takes the [`Approved`] it returns.
    fn approval_after_preview(&self) -> bool {
        false
    }
    /// Whether this plan needs the approvals `policy` asks for; `rows` are
    /// what the preview found. `None`: known only after the preview.
    fn approval_needed(
        &self,
        _plan: &Self::Plan,
        _policy: &ApprovalPolicy,
        _rows: Option<u64>,
    ) -> Option<bool> {
        Some(true)
    }
    /// False for an action that changes nothing (a documented read): it is
    /// guarded and recorded like a change, but asks no confirmation, so its
    /// (masked) output can be piped without `--yes`.
    fn confirms(&self) -> bool {
        true
    }
    fn work(
        &mut self,
        plan: &Self::Plan,
        step: &mut Step<'_, '_>,
    ) -> impl Future<Output = anyhow::Result<Done<Self::Done>>>;
}

/// Why the command runs and how: what every mutating command takes from its flags.
pub struct Request {
    /// Mandatory for changes of customer data and infrastructure; the DPO's
    /// attestation and the creation of the log itself have none.
    pub reason: Option<Reason>,
    pub dry_run: bool,
    /// `--request`, `--approval ID`, `--break-glass` (commands with approvals).
    pub approval: Approval,
}

/// How a run ended.
pub enum End<D> {
    /// `--dry-run` (not recorded): the plan was shown, nothing ran.
    DryRun,
    /// The plan had nothing to do.
    Stopped { no: bool },
    /// `--request`: the plan was shown and an approval request recorded.
    Requested,
    /// Recorded work ran: its value, the intent and the outcome.
    Done {
        value: D,
        result: Outcome,
        intent: Box<Event>,
        outcome: Box<Event>,
    },
}

pub struct Ran<P, D> {
    pub actor: Actor,
    pub plan: P,
    pub end: End<D>,
    /// Where the events went (`file …`, `postgres …`).
    pub store: String,
    /// The approval requested, used or broken glass for.
    pub approval: Option<ApprovalNote>,
}

/// Runs a mutation through the whole pipeline. `details` shows the plan's
/// details (a table, on stderr) after its headline.
pub async fn run<M: Mutation>(
    settings: &Settings,
    ui: &dyn Ui,
    request: Request,
    mut mutation: M,
    details: &dyn Fn(&M::Plan),
) -> anyhow::Result<Ran<M::Plan, M::Done>> {
    let requesting = request.approval == Approval::Request;
    check_request(&request, mutation.confirms(), ui)?;
    let (actor, sdk) = authorize(settings, ui, mutation.command()).await?;
    let store = Store::open(settings, &sdk).await?;
    let mut session = Session {
        settings,
        ui,
        actor,
        sdk,
        store,
    };
    let plan = match mutation.plan(&mut session).await? {
        Planned::Go(plan) => plan,
        Planned::Stop { plan, no } => return Ok(ran(session, plan, End::Stopped { no }, None)),
    };
    ui.status(&mutation.headline(&plan, &session.actor));
    details(&plan);
    // The policy pinned in the log, for a command that can be gated at all.
    let subject = mutation.approval_subject(&plan);
    let pinned = match &subject {
        Some(_) => crate::approval_pin::pinned(&session.store)
            .await?
            .remove(&mutation.command()),
        None => None,
    };
    let mut gate = Gate::new(
        settings,
        mutation.command(),
        pinned.as_ref(),
        request.approval.clone(),
        subject,
        mutation.target(&plan),
        request.reason.clone(),
    )?;
    let deferred = mutation.approval_after_preview();
    // A request whose plan a preview completes runs that preview as a dry run.
    let dry = request.dry_run || (requesting && deferred);
    let dry_work = dry && mutation.dry_run_is_work();
    if request.dry_run && !dry_work {
        return Ok(ran(session, plan, End::DryRun, None));
    }
    if let Some(g) = gate.as_mut()
        && !request.dry_run
    {
        pass_gate(g, &mutation, &plan, &mut session, deferred).await?;
        if requesting && !deferred {
            let note = g.note.clone();
            let by = session.actor.user.clone();
            super::anchoring::ship(settings, &session.sdk, &session.store, &by, ui).await;
            return Ok(ran(session, plan, End::Requested, note));
        }
    }
    if !dry && mutation.confirms() && !confirm(ui, &mutation.confirmation(&plan))? {
        anyhow::bail!("not confirmed; nothing was changed");
    }
    mutation.prepare(&plan, &mut session).await?;
    if let Some(g) = gate.as_mut() {
        g.break_glass(&mut session.store, &session.actor, ui)
            .await?;
        g.used_by();
    }
    let action = Action {
        actor: session.actor.clone(),
        action: mutation.action(&plan),
        target: mutation.target(&plan),
        reason: request.reason,
    };
    let intent =
        record_gated_intent(&mut mutation, &plan, &mut session, &action, gate.as_ref()).await?;
    let mut step = Step {
        session: &mut session,
        intent,
        action,
        dry_run: dry,
        outcome: None,
        rolled_back: false,
        shielded: Arc::new(AtomicBool::new(false)),
        gate,
    };
    let end = recorded(&mut mutation, &plan, &mut step).await;
    let note = step.gate.take().and_then(|g| g.note);
    if let Err(e) = mutation.after_outcome(&plan, &mut session).await {
        ui.warn(&format!("{e:#}"));
    }
    // Whatever the work did, its events go to the anchor (when configured).
    let by = session.actor.user.clone();
    super::anchoring::ship(settings, &session.sdk, &session.store, &by, ui).await;
    Ok(ran(session, plan, end?, note))
}

/// What the flags ask for must make sense before anything runs.
fn check_request(request: &Request, confirms: bool, ui: &dyn Ui) -> anyhow::Result<()> {
    if request.dry_run && request.approval != Approval::None {
        anyhow::bail!("--dry-run does not go with --request, --approval or --break-glass");
    }
    // Without a terminal only --yes can confirm (a request confirms nothing).
    if confirms
        && !request.dry_run
        && request.approval != Approval::Request
        && !ui.assume_yes()
        && !ui.can_ask()
    {
        anyhow::bail!(
            "refusing to change anything without confirmation: no terminal to ask on — look at the plan with --dry-run, then pass --yes"
        );
    }
    Ok(())
}

/// Records the intent, naming the approval it uses (or the break-glass
/// record); a run that lost the race for its approval ends right there.
async fn record_gated_intent<M: Mutation>(
    mutation: &mut M,
    plan: &M::Plan,
    session: &mut Session<'_>,
    action: &Action,
    gate: Option<&Gate>,
) -> anyhow::Result<Event> {
    let Intent {
        mut content,
        personal,
    } = mutation.intent(plan);
    if let Some(g) = gate {
        g.mark_intent(&mut content);
    }
    let intent = mutation
        .record_intent(plan, session, action.intent(content), personal)
        .await
        .context("cannot record the intent, so nothing was done")?;
    if let Some(g) = gate
        && let Err(e) = g.claim(&session.store, &intent).await
    {
        let failure = content::to_value(&Failure {
            error: format!("{e:#}"),
        });
        append_outcome(
            &mut session.store,
            action,
            &intent,
            Outcome::Failed,
            failure,
            None,
        )
        .await?;
        return Err(e);
    }
    Ok(intent)
}

/// The approval step before the confirmation (see [`super::gate`]).
async fn pass_gate<M: Mutation>(
    g: &mut Gate,
    mutation: &M,
    plan: &M::Plan,
    s: &mut Session<'_>,
    deferred: bool,
) -> anyhow::Result<()> {
    let needed = match g.policy() {
        None => Some(false),
        Some(p) => mutation.approval_needed(plan, p, None),
    };
    if deferred {
        g.before_preview(&mut s.store, &s.actor, needed).await
    } else {
        g.before(&mut s.store, &s.actor, s.ui, needed.unwrap_or(true))
            .await
    }
}

fn ran<P, D>(
    session: Session<'_>,
    plan: P,
    end: End<D>,
    approval: Option<ApprovalNote>,
) -> Ran<P, D> {
    Ran {
        actor: session.actor,
        plan,
        end,
        store: session.store.describe(),
        approval,
    }
}

/// Runs the work under the intent and records how it ended.
async fn recorded<M: Mutation>(
    mutation: &mut M,
    plan: &M::Plan,
    step: &mut Step<'_, '_>,
) -> anyhow::Result<End<M::Done>> {
    let shielded = step.shielded.clone();
    let section = RecordedSection::enter();
    let result = {
        let work = mutation.work(plan, step);
        tokio::select! {
            r = work => Some(r),
            () = interrupted(&shielded) => None,
        }
    };
    drop(section);
    let (result, content, personal, value) = match result {
        Some(Ok(done)) => (done.result, done.content, done.personal, Ok(done.value)),
        Some(Err(e)) => (
            Outcome::Failed,
            content::to_value(&Failure {
                error: format!("{e:#}"),
            }),
            None,
            Err(e),
        ),
        None => (
            Outcome::Aborted,
            content::to_value(&Failure {
                error: "interrupted (Ctrl-C)".into(),
            }),
            None,
            Err(Interrupted.into()),
        ),
    };
    if step.rolled_back {
        value?;
        anyhow::bail!("internal error: the intent was rolled back but the work succeeded");
    }
    let outcome = match step.outcome.take() {
        Some(o) => o,
        None => {
            append_outcome(
                &mut step.session.store,
                &step.action,
                &step.intent,
                result,
                content,
                personal,
            )
            .await?
        }
    };
    let result = outcome.result.unwrap_or(result);
    Ok(End::Done {
        value: value?,
        result,
        intent: Box::new(step.intent.clone()),
        outcome: Box::new(outcome),
    })
}

/// Completes on a Ctrl-C that arrives while no commit is under way; a Ctrl-C
/// during a shielded commit is ignored (the commit finishes and is recorded).
async fn interrupted(shielded: &AtomicBool) {
    loop {
        if tokio::signal::ctrl_c().await.is_err() {
            // No signal handler: never interrupted.
            std::future::pending::<()>().await;
        }
        if !shielded.load(Ordering::SeqCst) {
            return;
        }
    }
}

async fn append_outcome(
    store: &mut Store,
    action: &Action,
    intent: &Event,
    result: Outcome,
    content: Value,
    personal: Option<Personal>,
) -> anyhow::Result<Event> {
    store
        .append(action.outcome(intent, result, content), personal)
        .await
        .with_context(|| {
            format!(
                "the action ended ({}) but its outcome could not be recorded: intent seq {} stays unfinished",
                result.as_str(),
                intent.seq
            )
        })
}

/// The identity guard of DESIGN.md: an SSO user whose permission set the config
/// allows for this command. Returns the actor and the SDK configuration that
/// proved it.
pub async fn authorize(
    settings: &Settings,
    ui: &dyn Ui,
    command: MutatingCommand,
) -> anyhow::Result<(Actor, SdkConfig)> {
    if settings.env.get("AWS_ACCESS_KEY_ID").is_none() {
        match sso::resolve_profile(settings.aws.profile.as_deref()).await {
            Ok(p) => {
                sso::require_token(&p, &settings.aws.sso_cache_dir, Utc::now())?;
            }
            Err(SsoError::NotSso(_)) => {}
            Err(SsoError::NoSuchProfile(_)) if settings.aws.profile.is_none() => {}
            Err(e) => return Err(e.into()),
        }
    }
    let sdk = crate::aws::config::load(&settings.aws).await;
    let id = identity::caller_identity(&sdk).await?;
    let actor = identity::authorize(&id, command, &settings.allowed_permission_sets(command))?;
    ui.detail(&format!(
        "acting as {} ({}, permission set {})",
        actor.user, actor.arn, actor.permission_set
    ));
    Ok((actor, sdk))
}

/// Asks before a change. Without a terminal (or with `--no-input`) only the
/// flags answer; a typed confirmation needs the value as well as `--yes`.
pub fn confirm(ui: &dyn Ui, c: &Confirmation) -> anyhow::Result<bool> {
    match c {
        Confirmation::Ask(q) => {
            if ui.assume_yes() {
                return Ok(true);
            }
            if !ui.can_ask() {
                anyhow::bail!(
                    "refusing to change anything without confirmation: no terminal to ask on — review the plan above and pass --yes"
                );
            }
            ui.ask(q)
        }
        Confirmation::Type {
            prompt,
            expected,
            given,
            flags,
        } => {
            if ui.assume_yes()
                && given
                    .as_deref()
                    .is_some_and(|g| g.eq_ignore_ascii_case(expected))
            {
                return Ok(true);
            }
            if !ui.can_ask() {
                anyhow::bail!(
                    "refusing to change anything without confirmation: no terminal to ask on — review the plan above and pass {flags}"
                );
            }
            ui.ask_typed(prompt, expected)
        }
    }
}
