//! The tamper-evident audit log (TOM §5): every action's kind, content, time and
//! initiator, recorded before (intent) and after (outcome), hash-chained, in a
//! local file or in the shared Postgres store. If it cannot be written, nothing runs.

pub mod anchor;
pub mod carry;
pub mod content;
pub mod event;
pub mod evidence;
pub mod file_store;
pub mod head;
pub mod pg_store;
pub mod seal;
pub mod verify;

use std::collections::HashMap;

use aws_config::SdkConfig;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::aws::identity::Actor;
use crate::settings::{AuditStoreKind, Settings};
use event::{Draft, Event, Outcome, Phase, Reason, Target};
use file_store::FileStore;
use pg_store::PgStore;
use seal::KeyState;
use verify::Witness;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the audit log {store} cannot be written ({detail}) — nothing was done")]
    Unwritable { store: String, detail: String },
    #[error("the audit log {store} cannot be read: {detail}")]
    Unreadable { store: String, detail: String },
    #[error("the audit log is damaged: {0}")]
    Broken(String),
    #[error("the audit store {store} is not initialised — run `ltops audit init`")]
    NotInitialised { store: String },
    #[error(
        "tenant {tenant} was erased on {at}: its audit key is destroyed and no personal data of it can be recorded"
    )]
    KeyDestroyed { tenant: String, at: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

/// Tenant personal data that goes into an event only encrypted under the tenant key.
#[derive(Debug, Clone, PartialEq)]
pub struct Personal {
    pub tenant: String,
    pub data: Value,
}

/// One of the two stores, chosen by the config.
pub enum Store {
    File(FileStore),
    Postgres(PgStore),
}

impl Store {
    /// Opens the configured store. Postgres needs the database connection (and,
    /// for RDS IAM authentication, the SDK configuration).
    pub async fn open(settings: &Settings, sdk: &SdkConfig) -> Result<Store, AuditError> {
        match settings.config.audit.store {
            AuditStoreKind::File => Ok(Store::File(FileStore::new(settings.audit_path.clone()))),
            AuditStoreKind::Postgres => {
                let section = settings
                    .config
                    .database
                    .as_ref()
                    .ok_or(crate::db::DbError::NotConfigured)?;
                let cfg = crate::db::config_for(section, &settings.env, sdk).await?;
                let target = format!("postgres {}", crate::db::describe_target(&cfg));
                let client = crate::db::connect_with(&cfg, section.tls, section.ca_file.as_deref())
                    .await
                    .map_err(|e| AuditError::Unwritable {
                        store: target.clone(),
                        detail: e.to_string(),
                    })?;
                Ok(Store::Postgres(PgStore::new(client, target)))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Store::File(f) => format!("file {}", f.path().display()),
            Store::Postgres(p) => p.target().to_owned(),
        }
    }

    pub async fn append(
        &mut self,
        draft: Draft,
        personal: Option<Personal>,
    ) -> Result<Event, AuditError> {
        event::check_content(&draft.content).map_err(AuditError::Invalid)?;
        match self {
            Store::File(f) => f.append(draft, personal),
            Store::Postgres(p) => p.append(draft, personal).await,
        }
    }

    pub async fn read_all(&self) -> Result<Vec<u8>, AuditError> {
        match self {
            Store::File(f) => f.read_all(),
            Store::Postgres(p) => p.read_all().await,
        }
    }

    /// The head recorded beside the log (file store); Postgres relies on the
    /// witness in the annual report and on its append-only trigger.
    pub fn recorded_head(&self) -> Option<Witness> {
        match self {
            Store::File(f) => f.recorded_head(),
            Store::Postgres(_) => None,
        }
    }

    pub async fn key_states(&self) -> Result<HashMap<String, KeyState>, AuditError> {
        match self {
            Store::File(f) => {
                let bytes = f.read_all()?;
                let mut tenants: Vec<String> = Vec::new();
                for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                    if let Ok(e) = serde_json::from_slice::<Event>(line)
                        && let Some(t) = e.target.tenant
                        && !tenants.contains(&t)
                    {
                        tenants.push(t);
                    }
                }
                let mut out = HashMap::new();
                for t in tenants {
                    let s = f.key_state(&t)?;
                    out.insert(t, s);
                }
                Ok(out)
            }
            Store::Postgres(p) => p.key_states().await,
        }
    }

    pub async fn destroy_key(&self, tenant: &str, by: Uuid) -> Result<bool, AuditError> {
        match self {
            Store::File(f) => f.destroy_key(tenant, by),
            Store::Postgres(p) => p.destroy_key(tenant, by).await,
        }
    }
}

/// What is being done, by whom and why: the common part of an intent and its outcome.
#[derive(Debug, Clone)]
pub struct Action {
    pub actor: Actor,
    pub action: String,
    pub target: Target,
    pub reason: Option<Reason>,
}

impl Action {
    pub fn intent(&self, content: Value) -> Draft {
        Draft {
            id: Uuid::now_v7(),
            at: chrono::Utc::now(),
            actor: self.actor.clone(),
            action: self.action.clone(),
            phase: Phase::Intent,
            result: None,
            intent: None,
            target: self.target.clone(),
            reason: self.reason.clone(),
            content,
        }
    }

    pub fn outcome(&self, intent: &Event, result: Outcome, content: Value) -> Draft {
        Draft {
            id: Uuid::now_v7(),
            at: chrono::Utc::now(),
            actor: self.actor.clone(),
            action: self.action.clone(),
            phase: Phase::Outcome,
            result: Some(result),
            intent: Some(intent.id),
            target: self.target.clone(),
            reason: self.reason.clone(),
            content,
        }
    }
}

/// An event as `audit show` presents it: sealed content opened where the tenant
/// key still exists, else replaced by the erasure notice.
#[derive(Debug, Clone, Serialize)]
pub struct ShownEvent {
    #[serde(flatten)]
    pub event: Event,
    /// For intents: how the action ended (`ok`, `failed`, `aborted`) or `unfinished`.
    pub status: Option<String>,
    /// The opened personal data, or the erasure notice.
    pub personal: Option<Value>,
}

pub fn erased_notice(tenant: &str, at: &str) -> String {
    let date = at.get(..10).unwrap_or(at);
    format!("[erased with tenant {tenant} on {date}]")
}

/// Parses the log and opens what can be opened.
pub fn show_events(bytes: &[u8], keys: &HashMap<String, KeyState>) -> Vec<ShownEvent> {
    let events: Vec<Event> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect();
    let mut outcome_of: HashMap<Uuid, Outcome> = HashMap::new();
    for e in &events {
        if let (Phase::Outcome, Some(i), Some(r)) = (e.phase, e.intent, e.result) {
            outcome_of.insert(i, r);
        }
    }
    events
        .into_iter()
        .map(|mut e| {
            let status = match e.phase {
                Phase::Intent => Some(
                    outcome_of
                        .get(&e.id)
                        .map_or("unfinished", |o| o.as_str())
                        .to_owned(),
                ),
                Phase::Outcome => None,
            };
            let personal = open_sealed(&mut e, keys);
            ShownEvent {
                event: e,
                status,
                personal,
            }
        })
        .collect()
}

fn open_sealed(e: &mut Event, keys: &HashMap<String, KeyState>) -> Option<Value> {
    let Value::Object(m) = &mut e.content else {
        return None;
    };
    let sealed: seal::Sealed = serde_json::from_value(m.get("sealed")?.clone()).ok()?;
    // Never show the ciphertext: it is noise to a reader and kept only for the hash.
    m.remove("sealed");
    Some(match keys.get(&sealed.tenant) {
        Some(KeyState::Active(k)) => match seal::open(k, e.id, &sealed) {
            Ok(v) => v,
            Err(err) => Value::String(format!("[cannot open: {err}]")),
        },
        Some(KeyState::Destroyed { at }) => Value::String(erased_notice(&sealed.tenant, at)),
        _ => Value::String(format!("[no key for tenant {}]", sealed.tenant)),
    })
}
