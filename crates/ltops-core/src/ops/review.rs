//! The DPO's review as use cases: one run of the TOM checks against live AWS,
//! the database and the audit log (shared by `tom check` and `tom report`),
//! recorded in the audit log; and the annual report written from a run.
//!
//! A check run is recorded but, unlike a change, not fail-closed: the run must
//! still report when the audit log itself is what is broken. The annual report
//! is different — TOM §9 asks for the date of the last review — so it refuses
//! to be written unrecorded.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use aws_config::SdkConfig;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::mutation::Ui;
use crate::audit::content::Ordered;
use crate::audit::event::{Event, Outcome, Target};
use crate::audit::verify::{self, Witness};
use crate::audit::{Action, Store};
use crate::aws::identity::{self, Actor, Identity, Principal};
use crate::aws::portal::{self, Selection};
use crate::aws::query::QueryClient;
use crate::datamap::DataMap;
use crate::settings::Settings;
use crate::tom::catalog::{Catalog, Control};
use crate::tom::checks::audit::{AnchorState, AuditData, parse_events};
use crate::tom::engine::{self, Account, AwsEnv, CheckEnv, DbEnv};
use crate::tom::exceptions;
use crate::tom::report::{self, Lang, RunReport, SectionInfo};

/// What to check and how it is recorded.
pub struct ReviewRequest<'a> {
    pub catalog: &'a Catalog,
    pub selected: &'a [&'a Control],
    pub concurrency: usize,
    /// Accounts through the SSO portal; `None`: the profile's account only.
    pub accounts: Option<Selection>,
    /// `tom.check` or `tom.report`.
    pub action: &'static str,
    pub intent: Value,
}

/// A finished run, with its open record.
pub struct Review {
    pub report: RunReport,
    record: Option<(Store, Action, Event)>,
    settings: Settings,
    sdk: SdkConfig,
}

impl Review {
    /// The intent of this run is in the audit log.
    pub fn is_recorded(&self) -> bool {
        self.record.is_some()
    }

    /// Records how the run ended; the outcome's seq, or `None` (with a
    /// warning) when the log could not take it.
    pub async fn close(&mut self, ui: &dyn Ui, content: Value) -> Option<u64> {
        let (store, action, intent) = self.record.as_mut()?;
        match store
            .append(action.outcome(intent, Outcome::Ok, content), None)
            .await
        {
            Ok(e) => {
                super::anchoring::ship(&self.settings, &self.sdk, store, &action.actor.user, ui)
                    .await;
                Some(e.seq)
            }
            Err(e) => {
                ui.warn(&format!(
                    "the run ended but its outcome could not be recorded (intent seq {}): {e}",
                    intent.seq
                ));
                None
            }
        }
    }

    /// The totals as the audit log records them: in the order of the statuses.
    pub fn totals(&self) -> Ordered<u64> {
        self.report
            .totals
            .iter()
            .map(|(s, n)| (s.as_str().to_owned(), *n as u64))
            .collect()
    }
}

/// Runs the selected checks. The run is recorded first, so that the chain
/// check covers the log as it is now.
pub async fn run(
    settings: &Settings,
    ui: &dyn Ui,
    req: ReviewRequest<'_>,
) -> anyhow::Result<Review> {
    let exceptions = exceptions::load(&settings.policies_dir.join("exceptions.yaml"), req.catalog)?;
    let (need_aws, need_db) = engine::needs(req.selected);
    // One bound for every AWS call of the run, across all accounts.
    let permits = crate::aws::bounded::permits(req.concurrency);
    let sdk =
        crate::aws::bounded::bounded(&crate::aws::config::load(&settings.aws).await, &permits);
    let spinner = ui.progress(None, &format!("checking {} controls", req.selected.len()));
    let identity = identity::caller_identity(&sdk)
        .await
        .map_err(|e| e.to_string());
    if let Err(e) = &identity
        && need_aws
    {
        ui.warn(&format!("AWS checks will report ERROR: {e}"));
    }
    let actor = reader_actor(&identity);
    let record = open_record(settings, ui, &sdk, &actor, &identity, &req).await;
    let env = CheckEnv {
        now: Utc::now(),
        concurrency: req.concurrency,
        aws: if need_aws {
            accounts(settings, &sdk, &identity, &req, &permits).await
        } else {
            Err("not needed".to_owned())
        },
        db: if need_db {
            db_env(settings, &sdk).await
        } else {
            Err("not needed".to_owned())
        },
        audit: audit_data(settings, &sdk, record.as_ref().map(|r| &r.0)).await,
    };
    let controls = engine::run(&env, req.selected, &exceptions).await;
    spinner.finish();
    let report = RunReport {
        generated_at: env.now.to_rfc3339_opts(SecondsFormat::Secs, true),
        account: identity.as_ref().ok().map(|i| i.account.clone()),
        accounts: match &env.aws {
            Ok(list) => list
                .iter()
                .map(|a| report::AccountInfo {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    error: a.env.as_ref().err().cloned(),
                })
                .collect(),
            Err(_) => Vec::new(),
        },
        region: settings
            .aws
            .region
            .clone()
            .or_else(|| sdk.region().map(|r| r.to_string())),
        checked_by: Some(actor.user.clone()).filter(|u| !u.is_empty()),
        catalog: req.catalog.dir.display().to_string(),
        audit_source: env.audit.as_ref().ok().map(|a| a.source.clone()),
        audit_head: env.audit.as_ref().ok().and_then(|a| a.head.clone()),
        sections: req
            .catalog
            .sections
            .iter()
            .map(|s| SectionInfo {
                number: s.number,
                de: s.de.clone(),
                en: s.en.clone(),
            })
            .collect(),
        totals: RunReport::totals_of(&controls),
        controls,
    };
    Ok(Review {
        report,
        record,
        settings: settings.clone(),
        sdk,
    })
}

/// The audit actor of a read-only run: the SSO user when there is one, else the
/// principal as STS names it.
fn reader_actor(id: &Result<Identity, String>) -> Actor {
    let Ok(i) = id else {
        return Actor {
            arn: String::new(),
            user: "unknown (no AWS identity)".into(),
            account: String::new(),
            permission_set: String::new(),
        };
    };
    let (user, permission_set) = match &i.principal {
        Principal::SsoUser {
            permission_set,
            user,
            ..
        } => (user.clone(), permission_set.clone()),
        other => (
            format!(
                "{} {}",
                other.label(),
                i.arn.rsplit('/').next().unwrap_or(&i.arn)
            ),
            String::new(),
        ),
    };
    Actor {
        arn: i.arn.clone(),
        user,
        account: i.account.clone(),
        permission_set,
    }
}

/// Opens the store and records the run's intent; `None` (with a warning) when
/// either fails.
async fn open_record(
    settings: &Settings,
    ui: &dyn Ui,
    sdk: &SdkConfig,
    actor: &Actor,
    identity: &Result<Identity, String>,
    req: &ReviewRequest<'_>,
) -> Option<(Store, Action, Event)> {
    let mut store = match Store::open(settings, sdk).await {
        Ok(s) => s,
        Err(e) => {
            ui.warn(&format!(
                "the audit log cannot be opened, this run is not recorded: {e}"
            ));
            return None;
        }
    };
    let action = Action {
        actor: actor.clone(),
        action: req.action.to_owned(),
        target: Target {
            tenant: None,
            resource: identity
                .as_ref()
                .ok()
                .map(|i| format!("aws account {}", i.account)),
        },
        reason: None,
    };
    match store.append(action.intent(req.intent.clone()), None).await {
        Ok(intent) => Some((store, action, intent)),
        Err(e) => {
            ui.warn(&format!("cannot record this run in the audit log: {e}"));
            None
        }
    }
}

async fn audit_data(
    settings: &Settings,
    sdk: &SdkConfig,
    store: Option<&Store>,
) -> Result<AuditData, String> {
    let store = store.ok_or("the audit log cannot be opened")?;
    let bytes = store.read_all().await.map_err(|e| e.to_string())?;
    let witness = store.recorded_head();
    let mut verifier = verify::Verifier::new(witness.as_ref());
    // The anchor's checkpoints are held against the chain while it is verified.
    let anchor = match &settings.config.audit.anchor {
        None => None,
        Some(cfg) => match super::anchoring::prepare(sdk, cfg).await {
            Ok((anchor, tracker)) => {
                verifier.track(tracker);
                Some(Ok(anchor))
            }
            Err(e) => Some(Err(e.to_string())),
        },
    };
    verifier.feed_all(&bytes);
    let (verify, tracker) = verifier.finish_tracked();
    let anchor = match (anchor, tracker) {
        (Some(Ok(anchor)), Some(tracker)) => Some(Ok(AnchorState {
            fit: anchor.check().await.map_err(|e| e.to_string()),
            report: tracker.finish(None),
        })),
        (Some(Err(e)), _) => Some(Err(e)),
        _ => None,
    };
    let events = parse_events(&bytes);
    let head = events.last().and_then(Witness::of);
    Ok(AuditData {
        source: format!("audit log ({})", store.describe()),
        verify,
        events,
        head,
        anchor,
    })
}

/// The accounts of the run: the profile's own, or every selected one through
/// the SSO portal, each with its own credentials.
async fn accounts(
    settings: &Settings,
    sdk: &SdkConfig,
    identity: &Result<Identity, String>,
    req: &ReviewRequest<'_>,
    permits: &crate::aws::bounded::Permits,
) -> Result<Vec<Account>, String> {
    let region = sdk
        .region()
        .map(|r| r.to_string())
        .ok_or("no AWS region configured (aws.region or --region)")?;
    let query = QueryClient::new()
        .map_err(|e| e.to_string())?
        .bounded(permits);
    let Some(selection) = &req.accounts else {
        let i = identity.as_ref().map_err(Clone::clone)?;
        return Ok(vec![Account {
            id: i.account.clone(),
            name: None,
            env: Ok(AwsEnv::new(sdk.clone(), i.account.clone(), region, query)),
        }]);
    };
    let permission_set = settings.config.tom.review_permission_set.as_deref();
    let listed = portal::accounts(
        sdk,
        &settings.aws,
        selection,
        permission_set,
        req.concurrency,
    )
    .await?;
    Ok(listed
        .into_iter()
        .map(|a| Account {
            env: a
                .sdk
                .map(|sdk| AwsEnv::new(sdk, a.id.clone(), region.clone(), query.clone())),
            id: a.id,
            name: a.name,
        })
        .collect())
}

async fn db_env(settings: &Settings, sdk: &SdkConfig) -> Result<DbEnv, String> {
    let map =
        DataMap::load(&settings.policies_dir.join("datamap.yaml")).map_err(|e| e.to_string())?;
    let client = crate::db::connect(settings.config.database.as_ref(), &settings.env, sdk)
        .await
        .map_err(|e| e.to_string())?;
    Ok(DbEnv {
        client: tokio::sync::Mutex::new(client),
        map,
    })
}

/// Where the annual report goes, and against what it is compared.
pub struct ReportRequest<'a> {
    pub out: &'a Path,
    pub json: &'a Path,
    pub format: report::Format,
    pub lang: Lang,
    pub previous: Option<&'a RunReport>,
}

/// The files of an annual report, with their digests.
pub struct Written {
    pub sha256: String,
    pub json_sha256: String,
}

/// Writes the annual report (document and JSON) from a recorded run. Reports
/// are never overwritten, and never written unrecorded.
pub fn write_report(review: &Review, req: &ReportRequest<'_>) -> anyhow::Result<Written> {
    if !review.is_recorded() {
        bail!(
            "the annual report must be recorded in the audit log (TOM §9 asks for the last review's date), and it cannot be: nothing was written"
        );
    }
    let doc = report::render(&review.report, req.previous, req.lang, req.format);
    let mut json_doc = serde_json::to_value(&review.report)?;
    if let Value::Object(m) = &mut json_doc {
        m.insert("schema_version".into(), json!(crate::SCHEMA_VERSION));
        m.insert("kind".into(), json!("tom.report"));
    }
    let json_text = serde_json::to_string_pretty(&json_doc)? + "\n";
    write_new(req.out, doc.as_bytes())?;
    write_new(req.json, json_text.as_bytes())?;
    Ok(Written {
        sha256: hex::encode(Sha256::digest(doc.as_bytes())),
        json_sha256: hex::encode(Sha256::digest(json_text.as_bytes())),
    })
}

fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| {
            format!(
                "cannot create {} (reports are never overwritten)",
                path.display()
            )
        })?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}
