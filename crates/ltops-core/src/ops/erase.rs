//! `tenant.erase` as a use case: a customer's deletion instruction carried out
//! under the tenant lock, verified, with the tenant's audit key destroyed — and
//! the same erasure code path re-applied to a restored copy.

use anyhow::{Context, bail};
use serde::Serialize;
use tokio_postgres::Client;
use uuid::Uuid;

use super::mutation::{Confirmation, Done, Intent, Mutation, Planned, Progress, Session, Step};
use crate::approval::Subject;
use crate::audit::content::{self, EraseIntent, EraseMode, EraseOutcome, Failure, TableCounts};
use crate::audit::event::{Event, Outcome, Target};
use crate::audit::{Action, Store};
use crate::aws::identity::Actor;
use crate::datamap::DataMap;
use crate::erasure::ErasureError;
use crate::erasure::ledger::{self, ERASE_ACTION, Entry};
use crate::erasure::plan::{self, Plan};
use crate::erasure::run::{self, Job, Mode, Options};
use crate::settings::{MutatingCommand, Settings};
use crate::tenant_id::TenantId;

/// What the admin asked for.
pub struct EraseOptions {
    pub tenant: TenantId,
    /// `--confirm TENANT`: the typed confirmation given as a flag.
    pub confirm: Option<String>,
    /// `--resume`: finish an interrupted batched erasure.
    pub resume: bool,
}

/// The plan of an erasure, as shown and as reported.
#[derive(Debug, Clone, Serialize)]
pub struct ErasePlan {
    pub tenant: TenantId,
    pub plan: Plan,
    pub mode: Mode,
    pub batch_size: u64,
    /// Set when there is nothing left to erase: the erasure the ledger knows.
    pub already_erased: Option<Entry>,
    /// Erased before, but data is here again (a restored database).
    pub erased_before: Option<Entry>,
    #[serde(skip)]
    job: Option<Job>,
}

/// What an erasure did.
#[derive(Debug, Clone, Serialize)]
pub struct Erased {
    pub outcome: run::Outcome,
    /// The tenant's audit key existed and is now destroyed; false when there
    /// was none (nothing about the tenant was ever encrypted), so nothing to destroy.
    pub key_existed: bool,
}

pub struct Erase {
    opts: EraseOptions,
    map: DataMap,
    erasure: Options,
    client: Option<Client>,
    log: Vec<u8>,
    progress: Option<Box<dyn Progress>>,
}

impl Erase {
    pub fn new(settings: &Settings, map: DataMap, opts: EraseOptions) -> anyhow::Result<Erase> {
        if let Some(c) = &opts.confirm
            && TenantId::parse(&map, c).ok().as_ref() != Some(&opts.tenant)
        {
            bail!(
                "--confirm {c} does not match the tenant {}; nothing was changed",
                opts.tenant
            );
        }
        Ok(Erase {
            opts,
            map,
            erasure: options(settings),
            client: None,
            log: Vec::new(),
            progress: None,
        })
    }

    fn client(&mut self) -> anyhow::Result<&mut Client> {
        self.client
            .as_mut()
            .context("internal error: the erasure has no database connection")
    }
}

/// The erasure settings of the config.
pub fn options(settings: &Settings) -> Options {
    Options {
        batch_threshold: settings.config.erasure.batch_threshold,
        batch_size: settings.config.erasure.batch_size,
        today: settings.today,
    }
}

impl Mutation for Erase {
    type Plan = ErasePlan;
    type Done = Erased;

    fn command(&self) -> MutatingCommand {
        MutatingCommand::TenantErase
    }

    fn action(&self, _: &ErasePlan) -> String {
        ERASE_ACTION.into()
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<ErasePlan>> {
        let tenant = self.opts.tenant.clone();
        let client =
            crate::db::connect(s.settings.config.database.as_ref(), &s.settings.env, &s.sdk)
                .await?;
        match run::lock(&client, tenant.as_str()).await {
            Ok(()) => {}
            Err(ErasureError::Busy { .. }) => {
                let log = s.store.read_all().await?;
                let who = holder(&log, tenant.as_str()).unwrap_or_else(|| "another session".into());
                bail!("tenant {tenant} is being erased right now by {who}; nothing was changed");
            }
            Err(e) => return Err(e.into()),
        }
        self.client = Some(client);
        // Read under the lock: an erasure that finished a moment ago is in the ledger.
        self.log = s.store.read_all().await?;
        let entries = ledger::entries(&self.log);
        let job = run::job(self.client()?, tenant.as_str()).await?;
        check_resume(&tenant, job.as_ref(), self.opts.resume)?;
        let today = self.erasure.today;
        let map = &self.map;
        let client = self
            .client
            .as_mut()
            .context("internal error: no database connection")?;
        let plan = plan::plan(client, map, tenant.as_str(), today).await?;
        require_clean_schema(&plan)?;
        let known = ledger::find(&entries, tenant.as_str()).cloned();
        let nothing_left = plan.nothing_left();
        let mode = if job.is_some() {
            Mode::Batched
        } else {
            run::mode_for(&plan, &self.erasure)
        };
        let mut p = ErasePlan {
            tenant: tenant.clone(),
            plan,
            mode,
            batch_size: self.erasure.batch_size,
            already_erased: None,
            erased_before: None,
            job,
        };
        if nothing_left && p.job.is_none() {
            let Some(e) = known else {
                bail!("no tenant {tenant} in the database — check the id with `ltops tenant list`");
            };
            s.ui.status(&format!(
                "tenant {tenant} was already erased on {} by {} (instruction {}, audit seq {}); nothing changed",
                e.erased_at,
                e.erased_by,
                e.instruction.clone().unwrap_or_default(),
                e.seq
            ));
            p.already_erased = Some(e);
            return Ok(Planned::Stop { plan: p, no: true });
        }
        if let Some(e) = &known {
            s.ui.warn(&format!(
                "tenant {tenant} was erased on {} (audit seq {}) but has data here again (a restored database?): erasing it again",
                e.erased_at, e.seq
            ));
        }
        p.erased_before = known;
        Ok(Planned::Go(p))
    }

    fn headline(&self, p: &ErasePlan, actor: &Actor) -> String {
        format!(
            "Plan: erase tenant {} for {} — {} rows deleted, {} retained, {}",
            p.tenant,
            actor.user,
            p.plan.total_delete(),
            p.plan.total_retain(),
            match p.mode {
                Mode::Single => "in one transaction".to_owned(),
                Mode::Batched => format!("in batches of {} (resumable)", p.batch_size),
            }
        )
    }

    fn target(&self, p: &ErasePlan) -> Target {
        Target {
            tenant: Some(p.tenant.to_string()),
            resource: None,
        }
    }

    fn confirmation(&self, p: &ErasePlan) -> Confirmation {
        Confirmation::Type {
            prompt: format!("Type the tenant id {} to erase it for good", p.tenant),
            expected: p.tenant.to_string(),
            given: self.opts.confirm.clone(),
            flags: format!("--yes --confirm {}", p.tenant),
        }
    }

    fn intent(&self, p: &ErasePlan) -> Intent {
        Intent::new(content::to_value(&EraseIntent {
            mode: p.mode.into(),
            resumes: p.job.as_ref().map(|j| j.intent_id.to_string()),
            planned: p
                .plan
                .tables
                .iter()
                .map(|t| {
                    (
                        t.table.clone(),
                        content::Planned {
                            delete: t.delete,
                            retain: t.retain,
                        },
                    )
                })
                .collect(),
        }))
    }

    /// The tenant, the rows per table deleted and retained, the mode, the
    /// tenant row, and the interrupted erasure it resumes.
    fn approval_subject(&self, p: &ErasePlan) -> Option<Subject> {
        let mut plan = self.intent(p).content;
        if let serde_json::Value::Object(m) = &mut plan {
            m.insert("tenant".into(), p.tenant.to_string().into());
            m.insert(
                "tenant_row_kept".into(),
                (p.plan.tenant_exists && p.plan.tenant_row.keep_minimised).into(),
            );
        }
        Some(Subject {
            plan,
            personal: None,
        })
    }

    async fn prepare(&mut self, p: &ErasePlan, s: &mut Session<'_>) -> anyhow::Result<()> {
        // Interrupted attempts (Ctrl-C recorded them; kill -9 could not) are closed
        // as aborted before a new intent opens, so the trail has no loose ends.
        close_interrupted(&mut s.store, &s.actor, &self.log, p.tenant.as_str()).await?;
        self.progress = Some(s.ui.progress(
            Some(u64::try_from(p.plan.total_delete() + p.plan.total_retain()).unwrap_or(0)),
            "erasing",
        ));
        Ok(())
    }

    async fn work(
        &mut self,
        p: &ErasePlan,
        step: &mut Step<'_, '_>,
    ) -> anyhow::Result<Done<Erased>> {
        let progress = self.progress.take();
        let on_progress = |x: run::Progress| {
            if let Some(bar) = &progress {
                bar.set_message(x.table.clone());
                bar.set_position(u64::try_from(x.done).unwrap_or(0));
            }
        };
        let resuming = if p.job.is_some() {
            Resume::Continue
        } else {
            Resume::Start
        };
        let who = Started::by(step);
        let map = &self.map;
        let client = self
            .client
            .as_mut()
            .context("internal error: no database connection")?;
        let outcome = apply(
            client,
            map,
            &p.plan,
            p.mode,
            &self.erasure,
            resuming,
            &who,
            &on_progress,
        )
        .await;
        if let Some(bar) = &progress {
            bar.finish();
        }
        let outcome = outcome?;
        let key_existed = step
            .session
            .store
            .destroy_key(p.tenant.as_str(), step.intent.id)
            .await
            .context("the data is erased but the tenant's audit key could not be destroyed")?;
        let content = content::to_value(&EraseOutcome {
            mode: outcome.mode.into(),
            batches: outcome.batches,
            tables: outcome
                .tables
                .iter()
                .map(|(table, r)| {
                    (
                        table.clone(),
                        TableCounts {
                            deleted: r.deleted,
                            nulled: r.nulled,
                            retained: r.retained,
                        },
                    )
                })
                .collect(),
            tenant_row_deleted: outcome.tenant_row_deleted,
            tenant_row_kept_minimised: outcome.tenant_row_kept_minimised,
            tenant_row_kept_until: p
                .plan
                .tenant_row
                .kept_until
                .filter(|_| outcome.tenant_row_kept_minimised)
                .map(|d| d.to_string()),
            verified: outcome.verification.ok,
            // A key that never existed was not destroyed: there was nothing to destroy.
            audit_key_destroyed: key_existed,
            audit_key_existed: key_existed,
        });
        Ok(Done::ok(
            Erased {
                outcome,
                key_existed,
            },
            content,
        ))
    }
}

// The audit log spells the mode the way the erasure run does; the record keeps
// its own type so that the log's format does not follow the run's.
impl From<Mode> for EraseMode {
    fn from(mode: Mode) -> EraseMode {
        match mode {
            Mode::Single => EraseMode::Single,
            Mode::Batched => EraseMode::Batched,
        }
    }
}

/// What to do with a batched erasure's job row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// No job yet: start one.
    Start,
    /// The job of an interrupted erasure: continue it.
    Continue,
    /// A job left by the erasure a restored copy came from: take it over.
    Adopt,
}

/// Who started a batched erasure, for its job row.
pub struct Started {
    pub intent_id: Uuid,
    pub by: String,
    pub instruction: String,
}

impl Started {
    /// The erasure's job row names the recorded intent, its actor and reason.
    pub fn by(step: &Step<'_, '_>) -> Started {
        Started {
            intent_id: step.intent.id,
            by: step.action.actor.user.clone(),
            instruction: step
                .action
                .reason
                .as_ref()
                .map(|r| r.reference.clone())
                .unwrap_or_default(),
        }
    }
}

/// The erasure itself, shared by `tenant erase` and the re-application after a
/// restore: one transaction, or batches with recorded progress.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    client: &mut Client,
    map: &DataMap,
    plan: &Plan,
    mode: Mode,
    opts: &Options,
    resume: Resume,
    who: &Started,
    on_progress: &(dyn Fn(run::Progress) + Send + Sync),
) -> Result<run::Outcome, ErasureError> {
    match mode {
        Mode::Single => run::run_single(client, map, plan, opts.today).await,
        Mode::Batched => {
            match resume {
                Resume::Start => {
                    run::start_batched(
                        client,
                        map,
                        &plan.tenant,
                        who.intent_id,
                        &who.by,
                        &who.instruction,
                    )
                    .await?
                }
                Resume::Adopt => run::adopt_job(client, &plan.tenant, who.intent_id).await?,
                Resume::Continue => {}
            }
            run::run_batched(client, map, plan, opts, on_progress).await
        }
    }
}

fn check_resume(tenant: &TenantId, job: Option<&Job>, resume: bool) -> anyhow::Result<()> {
    match (job, resume) {
        (Some(j), false) => bail!(
            "an erasure of tenant {tenant} was interrupted (started {} by {}, instruction {}) — finish it with `ltops tenant erase {tenant} --instruction {} --resume`",
            j.started_at,
            j.started_by,
            j.instruction,
            j.instruction
        ),
        (None, true) => bail!(
            "there is no interrupted erasure of tenant {tenant} to resume; run without --resume"
        ),
        _ => Ok(()),
    }
}

/// Refuses when the live schema and the data map disagree.
pub fn require_clean_schema(plan: &Plan) -> anyhow::Result<()> {
    if plan.schema.is_clean() {
        return Ok(());
    }
    bail!(
        "the data map does not match the database, so no erasure can be planned:\n  - {}\nfix policies/datamap.yaml (or the schema) first",
        plan.schema.describe().join("\n  - ")
    )
}

/// Names who holds an erasure of `tenant` open, from the audit log.
fn holder(log: &[u8], tenant: &str) -> Option<String> {
    let ids = unfinished_erasures(log, tenant);
    ids.last()
        .map(|e| format!("{} since {} (intent seq {})", e.actor.user, e.at, e.seq))
}

/// The erasure intents of `tenant` that have no outcome.
fn unfinished_erasures(log: &[u8], tenant: &str) -> Vec<Event> {
    let report = crate::audit::verify::verify_bytes(log, None);
    let ids: Vec<Uuid> = report
        .unfinished
        .iter()
        .filter(|u| u.action == ERASE_ACTION)
        .map(|u| u.id)
        .collect();
    log.split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Event>(l).ok())
        .filter(|e| ids.contains(&e.id) && e.tenant() == Some(tenant))
        .collect()
}

async fn close_interrupted(
    store: &mut Store,
    actor: &Actor,
    log: &[u8],
    tenant: &str,
) -> anyhow::Result<()> {
    for intent in unfinished_erasures(log, tenant) {
        let action = Action {
            actor: actor.clone(),
            action: ERASE_ACTION.into(),
            target: intent.target.clone(),
            reason: intent.reason.clone(),
        };
        store
            .append(
                action.outcome(
                    &intent,
                    Outcome::Aborted,
                    content::to_value(&Failure {
                        error: "interrupted (the process ended without recording an outcome); closed by the next erasure of the tenant".into(),
                    }),
                ),
                None,
            )
            .await?;
    }
    Ok(())
}
