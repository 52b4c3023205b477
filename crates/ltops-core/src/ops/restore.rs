//! Point-in-time restore as use cases: the plan (read only), the restore run
//! (start, wait, re-apply erasures, check the copy) and the re-application of
//! erasures to a copy on its own.

use std::time::Duration;

use anyhow::{Context, bail};
use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::erase::{self, Resume, Started};
use super::mutation::{Confirmation, Done, Intent, Mutation, Planned, Session, Step, Ui};
use crate::approval::Subject;
use crate::audit::Store;
use crate::audit::anchor::Anchor;
use crate::audit::carry::{self, Carried};
use crate::audit::content::{
    self, ReapplyIntent, ReapplyOutcome, RestoreIntent, RestoreOutcome, RestoreSource,
};
use crate::audit::event::Target;
use crate::aws::identity::Actor;
use crate::datamap::DataMap;
use crate::erasure::ledger;
use crate::erasure::plan as erase_plan;
use crate::erasure::run::{self as erase_run, Mode};
use crate::restore::check::{self, Check};
use crate::restore::window::{self, RestoreTime, both};
use crate::restore::{self, Kind, Plan, Reapply, Status};
use crate::settings::{MutatingCommand, Settings};

/// The source and time the on-call engineer named.
pub struct RestoreRequest {
    pub kind: Kind,
    pub source: String,
    pub to: RestoreTime,
    pub target: Option<String>,
}

impl RestoreRequest {
    /// Checks the identifiers as they enter.
    pub fn new(
        kind: Kind,
        source: String,
        to: RestoreTime,
        target: Option<String>,
    ) -> anyhow::Result<RestoreRequest> {
        if !restore::valid_identifier(&source) {
            bail!(
                "`{source}` is not an RDS identifier (letters, digits and single hyphens, starting with a letter)"
            );
        }
        if let Some(t) = &target
            && !restore::valid_identifier(t)
        {
            bail!("--target `{t}` is not an RDS identifier");
        }
        Ok(RestoreRequest {
            kind,
            source,
            to,
            target: target.map(|t| t.to_ascii_lowercase()),
        })
    }
}

/// Builds the plan and refuses what must not happen: a time outside the window
/// or in the future, an existing target.
pub async fn plan(sdk: &SdkConfig, store: &Store, req: &RestoreRequest) -> anyhow::Result<Plan> {
    let now = Utc::now();
    let rds = aws_sdk_rds::Client::new(sdk);
    let id = &req.source;
    let source = match restore::describe_source(&rds, req.kind, id).await {
        Ok(s) => s,
        // "No such cluster" is only useful with where ltops looked.
        Err(e) => return Err(e.located(sdk).await.into()),
    };
    let time = window::resolve(&req.to, &source.window, now).map_err(|e| {
        anyhow::anyhow!(
            "--to: {e}; {id} can be restored to any time from {} to {}",
            both(source.window.earliest),
            both(source.window.latest)
        )
    })?;
    let target = req
        .target
        .clone()
        .unwrap_or_else(|| restore::default_target(id, time));
    if restore::exists(&rds, req.kind, &target).await? {
        bail!(
            "the target {target} already exists; a restore never overwrites — choose another --target"
        );
    }
    let entries = ledger::entries(&store.read_all().await?);
    let (reapply, earlier_erasures) = restore::erasures(&entries, time, &source.window);
    Ok(Plan {
        time_utc: window::utc(time),
        time_berlin: window::berlin(time),
        source,
        time,
        target,
        reapply,
        earlier_erasures,
    })
}

/// What re-applying one erasure to the restored copy did.
#[derive(Debug, Clone, Serialize)]
pub struct Reapplied {
    pub tenant: String,
    pub rows_deleted: i64,
    pub mode: Option<Mode>,
    pub verified: bool,
    /// The copy held no data of the tenant (nothing to do).
    pub absent: bool,
}

/// What a restore run produced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Restored {
    pub waited: bool,
    pub status: Option<Status>,
    pub reapplied: Vec<Reapplied>,
    pub checks: Vec<Check>,
    /// The audit chain carried into the copy (Postgres store only).
    pub carried: Option<Carried>,
}

impl Restored {
    /// Erasures re-applied and verified, every check passed.
    pub fn ready(&self) -> bool {
        self.waited
            && self.reapplied.iter().all(|r| r.verified)
            && self.checks.iter().all(Check::ok)
    }
}

pub struct RestoreRun {
    req: RestoreRequest,
    no_wait: bool,
    map: Option<DataMap>,
    /// The restored copy's database, kept to carry the outcome into its log.
    copy: Option<tokio_postgres::Client>,
}

impl RestoreRun {
    pub fn new(req: RestoreRequest, no_wait: bool) -> RestoreRun {
        RestoreRun {
            req,
            no_wait,
            map: None,
            copy: None,
        }
    }
}

impl Mutation for RestoreRun {
    type Plan = Plan;
    type Done = Restored;

    fn command(&self) -> MutatingCommand {
        MutatingCommand::RestoreRun
    }

    fn action(&self, _: &Plan) -> String {
        "restore.run".into()
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<Plan>> {
        let plan = plan(&s.sdk, &s.store, &self.req).await?;
        if !plan.reapply.is_empty() {
            self.map = Some(DataMap::load(
                &s.settings.policies_dir.join("datamap.yaml"),
            )?);
        }
        Ok(Planned::Go(plan))
    }

    fn headline(&self, plan: &Plan, actor: &Actor) -> String {
        format!(
            "Plan: restore {} {} to {} into {} for {}{}",
            plan.source.kind,
            plan.source.id,
            both(plan.time),
            plan.target,
            actor.user,
            if plan.reapply.is_empty() {
                String::new()
            } else {
                format!(", then re-apply {} erasure(s)", plan.reapply.len())
            }
        )
    }

    fn target(&self, plan: &Plan) -> Target {
        Target {
            tenant: None,
            resource: Some(plan.target.clone()),
        }
    }

    fn confirmation(&self, plan: &Plan) -> Confirmation {
        Confirmation::Ask(format!("Restore into {}?", plan.target))
    }

    fn intent(&self, plan: &Plan) -> Intent {
        Intent::new(content::to_value(&RestoreIntent {
            source: RestoreSource {
                kind: content::to_value(&plan.source.kind),
                id: plan.source.id.clone(),
            },
            target: plan.target.clone(),
            restore_time: plan.time_utc.clone(),
            settings: content::to_value(&plan.source.settings),
            reapply: plan.reapply.iter().map(|r| r.tenant.clone()).collect(),
        }))
    }

    /// Source, target, restore time and the erasures re-applied; not the
    /// source's settings (the copy gets whatever they are when it runs).
    fn approval_subject(&self, plan: &Plan) -> Option<Subject> {
        Some(Subject {
            plan: serde_json::json!({
                "source": {"kind": content::to_value(&plan.source.kind), "id": plan.source.id},
                "target": plan.target,
                "restore_time": plan.time_utc,
                "reapply": plan.reapply.iter().map(|r| r.tenant.clone()).collect::<Vec<_>>(),
            }),
            personal: None,
        })
    }

    async fn work(
        &mut self,
        plan: &Plan,
        step: &mut Step<'_, '_>,
    ) -> anyhow::Result<Done<Restored>> {
        let s = &*step.session;
        let rds = aws_sdk_rds::Client::new(&s.sdk);
        restore::start(&rds, plan, &step.intent.id.to_string()).await?;
        if self.no_wait {
            let status = restore::statuses(&rds, Some(&plan.target))
                .await?
                .into_iter()
                .next();
            let done = Restored {
                waited: false,
                status,
                ..Restored::default()
            };
            let content = content::to_value(&RestoreOutcome {
                started: true,
                waited: false,
                status: None,
                reapplied: None,
                checks: None,
            });
            return Ok(Done::ok(done, content));
        }
        let deadline = deadline(s.settings);
        let status = wait_available(s.ui, &rds, &plan.target, deadline).await?;
        let logged_in_db = matches!(s.store, Store::Postgres(_));
        let mut carried = None;
        let mut reapplied = Vec::new();
        if self.map.is_some() || logged_in_db {
            let mut client = connect_target(s.settings, s.ui, &s.sdk, &status, deadline).await?;
            // The log first: the copy's chain continues before anything is
            // re-applied to it, and the copy's ledger knows every erasure.
            carried = Some(carry(s, &mut client).await?);
            if let Some(map) = &self.map {
                let who = Started::by(step);
                reapplied =
                    reapply_all(s.settings, s.ui, &mut client, map, &plan.reapply, &who).await?;
            }
            self.copy = Some(client);
        }
        let checks = check::run(
            &s.sdk,
            &s.actor.account,
            &s.settings.policies_dir,
            plan.source.kind,
            &plan.target,
        )
        .await;
        let content = content::to_value(&RestoreOutcome {
            started: true,
            waited: true,
            status: Some(status.status.clone()),
            reapplied: Some(content::to_value(&reapplied)),
            checks: Some(content::to_value(&checks)),
        });
        let done = Restored {
            waited: true,
            status: Some(status),
            reapplied,
            checks,
            carried,
        };
        Ok(Done::ok(done, content))
    }

    async fn after_outcome(&mut self, _: &Plan, s: &mut Session<'_>) -> anyhow::Result<()> {
        carry_outcome(s, self.copy.as_mut()).await
    }
}

/// Carries the source's log (and tenant keys) into the copy's log. From the
/// live store; when that cannot be read, from the anchored copy.
async fn carry(s: &Session<'_>, copy: &mut tokio_postgres::Client) -> anyhow::Result<Carried> {
    let Store::Postgres(pg) = &s.store else {
        return Ok(Carried::default());
    };
    let log = match s.store.read_all().await {
        Ok(log) => log,
        Err(e) => {
            let Some(anchor) = &s.settings.config.audit.anchor else {
                return Err(e.into());
            };
            s.ui.warn(&format!(
                "the live audit log cannot be read ({e}); carrying the chain from the anchor"
            ));
            Anchor::new(&s.sdk, anchor).read_log().await?
        }
    };
    let keys = carry::key_rows(pg.client()).await?;
    let carried = carry::carry_forward(copy, &log, &keys).await?;
    if carried.applicable {
        s.ui.status(&format!(
            "audit log carried into the copy: {} event(s) after seq {}, {} key(s) added, {} destroyed",
            carried.events, carried.from_seq, carried.keys_added, carried.keys_destroyed
        ));
    }
    Ok(carried)
}

/// After the outcome is recorded: the copy's log gets it too, so that after
/// cut-over the chain continues from the restore's own record.
async fn carry_outcome(
    s: &Session<'_>,
    copy: Option<&mut tokio_postgres::Client>,
) -> anyhow::Result<()> {
    let Some(copy) = copy else {
        return Ok(());
    };
    carry(s, copy)
        .await
        .map(|_| ())
        .map_err(|e| e.context("the restore's outcome could not be carried into the copy's audit log — run `ltops restore reapply-erasures` on it before cut-over"))
}

/// `restore reapply-erasures`: the erasures recorded after a copy's restore
/// time, applied to the copy (after `restore run --no-wait`, or again).
pub struct ReapplyErasures {
    target: String,
    dry_run: bool,
    map: Option<DataMap>,
    status: Option<Status>,
    copy: Option<tokio_postgres::Client>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReapplyPlan {
    pub target: String,
    pub restore_time: DateTime<Utc>,
    pub erasures: Vec<Reapply>,
}

impl ReapplyErasures {
    pub fn new(target: String, dry_run: bool) -> ReapplyErasures {
        ReapplyErasures {
            target,
            dry_run,
            map: None,
            status: None,
            copy: None,
        }
    }
}

impl Mutation for ReapplyErasures {
    type Plan = ReapplyPlan;
    type Done = Vec<Reapplied>;

    fn command(&self) -> MutatingCommand {
        MutatingCommand::RestoreReapplyErasures
    }

    fn action(&self, _: &ReapplyPlan) -> String {
        "restore.reapply-erasures".into()
    }

    async fn plan(&mut self, s: &mut Session<'_>) -> anyhow::Result<Planned<ReapplyPlan>> {
        let rds = aws_sdk_rds::Client::new(&s.sdk);
        let target = &self.target;
        let st = restore::statuses(&rds, Some(target))
            .await?
            .into_iter()
            .next()
            .with_context(|| {
                format!(
                    "no restore made by ltops with the id {target} (see `ltops restore status`)"
                )
            })?;
        let text = st
            .restore_time
            .clone()
            .with_context(|| format!("{target} has no ltops:restore-time tag"))?;
        let time: DateTime<Utc> = DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .with_context(|| {
                format!("{target}: the ltops:restore-time tag `{text}` is not a time")
            })?;
        let entries = ledger::entries(&s.store.read_all().await?);
        let window = window::Window {
            earliest: time,
            latest: time,
        };
        let (erasures, _) = restore::erasures(&entries, time, &window);
        let plan = ReapplyPlan {
            target: target.clone(),
            restore_time: time,
            erasures,
        };
        // With the log in the database, the copy's chain is carried forward
        // even when there is no erasure to re-apply.
        if plan.erasures.is_empty() && !matches!(s.store, Store::Postgres(_)) {
            s.ui.status(&self.headline(&plan, &s.actor));
            return Ok(Planned::Stop { plan, no: false });
        }
        if !self.dry_run && !st.available() {
            bail!(
                "{} is {} — wait until it is available (`ltops restore status --target {}`)",
                st.id,
                st.status,
                st.id
            );
        }
        self.map = Some(DataMap::load(
            &s.settings.policies_dir.join("datamap.yaml"),
        )?);
        self.status = Some(st);
        Ok(Planned::Go(plan))
    }

    fn headline(&self, p: &ReapplyPlan, _: &Actor) -> String {
        format!(
            "Plan: re-apply {} erasure(s) recorded after {} to {}",
            p.erasures.len(),
            both(p.restore_time),
            p.target
        )
    }

    fn target(&self, p: &ReapplyPlan) -> Target {
        Target {
            tenant: None,
            resource: Some(p.target.clone()),
        }
    }

    fn confirmation(&self, p: &ReapplyPlan) -> Confirmation {
        Confirmation::Ask(format!(
            "Re-apply {} erasure(s) to {}?",
            p.erasures.len(),
            p.target
        ))
    }

    fn intent(&self, p: &ReapplyPlan) -> Intent {
        Intent::new(content::to_value(&ReapplyIntent {
            target: p.target.clone(),
            tenants: p.erasures.iter().map(|e| e.tenant.clone()).collect(),
        }))
    }

    async fn work(
        &mut self,
        p: &ReapplyPlan,
        step: &mut Step<'_, '_>,
    ) -> anyhow::Result<Done<Vec<Reapplied>>> {
        let s = &*step.session;
        let (Some(map), Some(st)) = (&self.map, &self.status) else {
            bail!("internal error: re-applying without a plan");
        };
        let deadline = deadline(s.settings);
        let mut client = connect_target(s.settings, s.ui, &s.sdk, st, deadline).await?;
        carry(s, &mut client).await?;
        let who = Started::by(step);
        let done = reapply_all(s.settings, s.ui, &mut client, map, &p.erasures, &who).await?;
        self.copy = Some(client);
        let content = content::to_value(&ReapplyOutcome {
            reapplied: content::to_value(&done),
        });
        Ok(Done::ok(done, content))
    }

    async fn after_outcome(&mut self, _: &ReapplyPlan, s: &mut Session<'_>) -> anyhow::Result<()> {
        carry_outcome(s, self.copy.as_mut()).await
    }
}

fn deadline(settings: &Settings) -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(settings.config.restore.wait_minutes * 60)
}

/// Polls until the target and its instances are available.
async fn wait_available(
    ui: &dyn Ui,
    rds: &aws_sdk_rds::Client,
    target: &str,
    deadline: tokio::time::Instant,
) -> anyhow::Result<Status> {
    let spinner = ui.progress(None, &format!("waiting for {target} to become available"));
    loop {
        let st = restore::statuses(rds, Some(target))
            .await?
            .into_iter()
            .next();
        if let Some(s) = &st {
            spinner.set_message(format!(
                "waiting for {target}: {}{}",
                s.status,
                s.members
                    .iter()
                    .map(|(i, st)| format!(", {i} {st}"))
                    .collect::<String>()
            ));
            if s.available() {
                spinner.finish();
                return Ok(s.clone());
            }
        }
        if tokio::time::Instant::now() > deadline {
            spinner.finish();
            bail!(
                "{target} did not become available in time; it stays visible in `ltops restore status`"
            );
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Connects to the restored copy, retrying until it accepts connections.
async fn connect_target(
    settings: &Settings,
    ui: &dyn Ui,
    sdk: &SdkConfig,
    status: &Status,
    deadline: tokio::time::Instant,
) -> anyhow::Result<tokio_postgres::Client> {
    let section = settings
        .config
        .database
        .as_ref()
        .context("re-applying erasures needs the `database` section of the config")?;
    let override_url = settings
        .config
        .restore
        .targets
        .get(&status.id)
        .map(String::as_str);
    let endpoint = status.endpoint.as_deref().map(|h| {
        (
            h,
            u16::try_from(status.port.unwrap_or(5432)).unwrap_or(5432),
        )
    });
    let spinner = ui.progress(
        None,
        &format!(
            "waiting for the database of {} to accept connections",
            status.id
        ),
    );
    loop {
        let cfg =
            crate::db::target_config(section, &settings.env, sdk, endpoint, override_url).await?;
        match crate::db::connect_with(&cfg, section.tls, section.ca_file.as_deref()).await {
            Ok(c) => {
                spinner.finish();
                return Ok(c);
            }
            Err(e) => {
                spinner.set_message(format!(
                    "waiting for {}: {e}",
                    crate::db::describe_target(&cfg)
                ));
                if tokio::time::Instant::now() > deadline {
                    spinner.finish();
                    return Err(e).context("the restored copy never accepted connections");
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Re-applies each erasure with the erasure code path, driven by the data map.
async fn reapply_all(
    settings: &Settings,
    ui: &dyn Ui,
    client: &mut tokio_postgres::Client,
    map: &DataMap,
    erasures: &[Reapply],
    who: &Started,
) -> anyhow::Result<Vec<Reapplied>> {
    let opts = erase::options(settings);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in erasures {
        if !seen.insert(e.tenant.clone()) {
            continue;
        }
        let plan = erase_plan::plan(client, map, &e.tenant, opts.today).await?;
        if !plan.schema.is_clean() {
            bail!(
                "the restored copy does not match the data map, so erasures cannot be re-applied:\n  - {}",
                plan.schema.describe().join("\n  - ")
            );
        }
        // A tenant row kept minimised by the erasure is erased already.
        if plan.nothing_left() {
            out.push(Reapplied {
                tenant: e.tenant.clone(),
                rows_deleted: 0,
                mode: None,
                verified: true,
                absent: true,
            });
            continue;
        }
        let mode = erase_run::mode_for(&plan, &opts);
        // A copy restored from the middle of a batched erasure carries its job row.
        let resume = if erase_run::job(client, &e.tenant).await?.is_some() {
            Resume::Adopt
        } else {
            Resume::Start
        };
        let outcome = erase::apply(client, map, &plan, mode, &opts, resume, who, &|_| {}).await?;
        ui.detail(&format!("re-applied the erasure of {}", e.tenant));
        out.push(Reapplied {
            tenant: e.tenant.clone(),
            rows_deleted: outcome.tables.values().map(|r| r.deleted).sum::<i64>()
                + i64::from(outcome.tenant_row_deleted),
            mode: Some(outcome.mode),
            verified: outcome.verification.ok,
            absent: false,
        });
    }
    Ok(out)
}
