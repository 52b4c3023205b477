//! The discipline every mutating command follows: personal SSO identity checked
//! against the config, a mandatory reason, confirmation, and an audit intent
//! before the side effect and an outcome after it — including on Ctrl-C.

use std::future::Future;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use aws_config::SdkConfig;
use chrono::Utc;
use serde_json::{Value, json};

use super::Ctx;
use crate::Interrupted;
use crate::audit::event::{Event, Outcome, Reason, ReasonKind};
use crate::audit::{Action, Personal, Store};
use crate::aws::identity::{self, Actor};
use crate::aws::sso::{self, SsoError};
use crate::cli::ReasonArgs;
use crate::settings::MutatingCommand;

static IN_RECORDED: AtomicBool = AtomicBool::new(false);

/// True while a recorded action runs: then Ctrl-C is handled by the action
/// (which records `aborted`), not by the top level.
pub fn in_recorded_section() -> bool {
    IN_RECORDED.load(Ordering::SeqCst)
}

/// While alive, Ctrl-C is left to the running action — which records `aborted`,
/// or finishes a commit it must not abandon — instead of stopping ltops at once.
pub struct RecordedSection(());

impl RecordedSection {
    pub fn enter() -> RecordedSection {
        IN_RECORDED.store(true, Ordering::SeqCst);
        RecordedSection(())
    }
}

impl Drop for RecordedSection {
    fn drop(&mut self) {
        IN_RECORDED.store(false, Ordering::SeqCst);
    }
}

/// Who may act, with the SDK configuration that proved it.
pub struct Authorized {
    pub actor: Actor,
    pub sdk: SdkConfig,
}

/// The identity guard of DESIGN.md: SSO user, permission set allowed by the config.
pub async fn authorize(ctx: &Ctx, command: MutatingCommand) -> anyhow::Result<Authorized> {
    let settings = &ctx.settings;
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
    let actor = identity::authorize(&id, command, settings.allowed_permission_sets(command))?;
    ctx.printer.detail(format!(
        "acting as {} ({}, permission set {})",
        actor.user, actor.arn, actor.permission_set
    ));
    Ok(Authorized { actor, sdk })
}

/// The mandatory reason of a mutating command.
pub fn reason(args: &ReasonArgs) -> anyhow::Result<Reason> {
    let (kind, reference) = match (&args.instruction, &args.incident) {
        (Some(r), None) => (ReasonKind::Instruction, r),
        (None, Some(r)) => (ReasonKind::Incident, r),
        _ => bail!(
            "a reason is mandatory: --instruction REF (the controller's instruction) or --incident REF"
        ),
    };
    Reason::new(kind, reference, args.note.clone()).map_err(anyhow::Error::msg)
}

/// Asks before a change. Without a terminal (or with --no-input) only --yes goes on.
pub fn confirm(ctx: &Ctx, question: &str) -> anyhow::Result<bool> {
    if ctx.settings.yes {
        return Ok(true);
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if ctx.settings.no_input || !interactive {
        bail!(
            "refusing to change anything without confirmation: no terminal to ask on — review the plan above and pass --yes"
        );
    }
    dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .context("cannot read the confirmation")
}

/// Records the intent (fail closed), runs `work`, records the outcome: `ok` with
/// the content `work` returns, `failed` with the error, or `aborted` on Ctrl-C.
pub async fn recorded<T, F, W>(
    store: &mut Store,
    action: &Action,
    intent_content: Value,
    personal: Option<Personal>,
    work: W,
) -> anyhow::Result<(T, Event, Event)>
where
    W: FnOnce(Event) -> F,
    F: Future<Output = anyhow::Result<(T, Value)>>,
{
    let intent = store
        .append(action.intent(intent_content), personal)
        .await
        .context("cannot record the intent, so nothing was done")?;
    let section = RecordedSection::enter();
    let work = work(intent.clone());
    let result = tokio::select! {
        r = work => Some(r),
        _ = tokio::signal::ctrl_c() => None,
    };
    drop(section);
    let (outcome, content, value) = match result {
        Some(Ok((value, content))) => (Outcome::Ok, content, Ok(value)),
        Some(Err(e)) => (
            Outcome::Failed,
            json!({ "error": format!("{e:#}") }),
            Err(e),
        ),
        None => (
            Outcome::Aborted,
            json!({ "error": "interrupted (Ctrl-C)" }),
            Err(Interrupted.into()),
        ),
    };
    let outcome_event = store
        .append(action.outcome(&intent, outcome, content), None)
        .await
        .with_context(|| {
            format!(
                "the action ended ({}) but its outcome could not be recorded: intent seq {} stays unfinished",
                outcome.as_str(),
                intent.seq
            )
        })?;
    value.map(|v| (v, intent, outcome_event))
}
