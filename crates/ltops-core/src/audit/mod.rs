//! The tamper-evident audit log (TOM §5): every action's kind, content, time and
//! initiator, recorded before (intent) and after (outcome), hash-chained, in a
//! local file or in the shared Postgres store. If it cannot be written, nothing runs.

pub mod anchor;
pub mod anchor_check;
pub mod anchor_evidence;
pub mod carry;
pub mod content;
pub mod event;
pub mod evidence;
pub mod file_store;
pub mod head;
pub mod pg_store;
pub mod seal;
pub mod stream;
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
use pg_store::PageFrom;
use pg_store::PgStore;
use seal::KeyState;
use stream::{BlockReader, ReverseLines};
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

    /// The whole log in memory. For callers that need it as one piece; verify,
    /// show and export read it with [`Store::reader`] or [`Store::tail`].
    pub async fn read_all(&self) -> Result<Vec<u8>, AuditError> {
        match self {
            Store::File(f) => f.read_all(),
            Store::Postgres(p) => p.read_all().await,
        }
    }

    /// The log read forward from its first event, a block of lines at a time.
    pub async fn reader(&self) -> Result<LogReader<'_>, AuditError> {
        Ok(match self {
            Store::File(f) => LogReader::file(f.reader()?, self.describe()),
            Store::Postgres(p) => {
                p.check_ready().await?;
                LogReader {
                    store: self.describe(),
                    from: ReadFrom::Postgres {
                        store: p,
                        after: 0,
                        buf: Vec::new(),
                        done: false,
                    },
                }
            }
        })
    }

    /// The log read backwards from its last event, a line at a time.
    pub async fn tail(&self) -> Result<LogTail<'_>, AuditError> {
        Ok(match self {
            Store::File(f) => LogTail::file(f.tail()?, self.describe()),
            Store::Postgres(p) => {
                p.check_ready().await?;
                LogTail {
                    store: self.describe(),
                    from: TailFrom::Postgres {
                        store: p,
                        before: i64::MAX,
                        page: Vec::new(),
                        size: 16,
                        done: false,
                    },
                }
            }
        })
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
            Store::File(f) => f.key_states(),
            Store::Postgres(p) => p.key_states().await,
        }
    }

    /// The tenant's key while it exists; never creates one (appending sealed
    /// content for the tenant does).
    pub async fn active_key(&self, tenant: &str) -> Result<Option<seal::TenantKey>, AuditError> {
        let state = match self {
            Store::File(f) => f.key_state(tenant)?,
            Store::Postgres(p) => p.key_state(tenant).await?,
        };
        Ok(match state {
            KeyState::Active(k) => Some(k),
            _ => None,
        })
    }

    pub async fn destroy_key(&self, tenant: &str, by: Uuid) -> Result<bool, AuditError> {
        match self {
            Store::File(f) => f.destroy_key(tenant, by),
            Store::Postgres(p) => p.destroy_key(tenant, by).await,
        }
    }
}

/// Rows per page when reading the Postgres store forward: about the size of a
/// block of the file store.
const PG_PAGE: i64 = 5_000;

/// A log read forward a block of whole lines at a time, from a store or an
/// evidence file; see [`stream`].
pub struct LogReader<'a> {
    store: String,
    from: ReadFrom<'a>,
}

enum ReadFrom<'a> {
    File(BlockReader),
    Postgres {
        store: &'a PgStore,
        after: i64,
        buf: Vec<u8>,
        done: bool,
    },
}

impl<'a> LogReader<'a> {
    /// Blocks read from a file; `store` names it in errors.
    pub fn file(blocks: BlockReader, store: String) -> LogReader<'a> {
        LogReader {
            store,
            from: ReadFrom::File(blocks),
        }
    }

    /// The next block: lines each ending in a newline, except perhaps the
    /// log's very last. `None` after the last.
    pub async fn next_block(&mut self) -> Result<Option<&[u8]>, AuditError> {
        match &mut self.from {
            ReadFrom::File(r) => r.next_block().map_err(|e| AuditError::Unreadable {
                store: self.store.clone(),
                detail: e.to_string(),
            }),
            ReadFrom::Postgres {
                store,
                after,
                buf,
                done,
            } => {
                if *done {
                    return Ok(None);
                }
                let rows = store.page(PageFrom::After(*after), PG_PAGE).await?;
                *done = rows.len() < PG_PAGE as usize;
                buf.clear();
                for (seq, line) in &rows {
                    buf.extend_from_slice(line.as_bytes());
                    buf.push(b'\n');
                    *after = *seq;
                }
                Ok((!buf.is_empty()).then_some(buf.as_slice()))
            }
        }
    }
}

/// A log read backwards from its last line, for `audit show --limit`.
pub struct LogTail<'a> {
    store: String,
    from: TailFrom<'a>,
}

enum TailFrom<'a> {
    File(Option<ReverseLines>),
    Postgres {
        store: &'a PgStore,
        before: i64,
        /// The current page in reverse seq order, consumed from its end.
        page: Vec<String>,
        /// Rows to fetch next: small first, since a limit is often small,
        /// then growing so that a long search is not many round trips.
        size: i64,
        done: bool,
    },
}

impl<'a> LogTail<'a> {
    /// Lines of a file read backwards (`None`: a log not written yet).
    pub fn file(lines: Option<ReverseLines>, store: String) -> LogTail<'a> {
        LogTail {
            store,
            from: TailFrom::File(lines),
        }
    }

    /// The previous non-empty line; `None` before the first.
    pub async fn next_line(&mut self) -> Result<Option<Vec<u8>>, AuditError> {
        match &mut self.from {
            TailFrom::File(None) => Ok(None),
            TailFrom::File(Some(r)) => r.next_line().map_err(|e| AuditError::Unreadable {
                store: self.store.clone(),
                detail: e.to_string(),
            }),
            TailFrom::Postgres {
                store,
                before,
                page,
                size,
                done,
            } => {
                if page.is_empty() && !*done {
                    let rows = store.page(PageFrom::Before(*before), *size).await?;
                    *done = rows.len() < *size as usize;
                    *size = (*size * 4).min(PG_PAGE);
                    if let Some((seq, _)) = rows.last() {
                        *before = *seq;
                    }
                    page.extend(rows.into_iter().rev().map(|(_, line)| line));
                }
                Ok(page.pop().map(String::into_bytes))
            }
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

/// `audit show` over a log read forward: the events `keep` accepts, each intent
/// with how it ended. Holds the events shown and nothing else.
pub struct ShowForward<'k> {
    keys: &'k HashMap<String, KeyState>,
    events: Vec<ShownEvent>,
    /// Shown intents by id, for the outcome that is still to come.
    shown_intents: HashMap<Uuid, usize>,
}

impl<'k> ShowForward<'k> {
    pub fn new(keys: &'k HashMap<String, KeyState>) -> ShowForward<'k> {
        ShowForward {
            keys,
            events: Vec::new(),
            shown_intents: HashMap::new(),
        }
    }

    /// Takes the next line of the log; a line that is not an event is skipped.
    pub fn push(&mut self, line: &[u8], keep: impl Fn(&Event) -> bool) {
        let Ok(mut e) = serde_json::from_slice::<Event>(line) else {
            return;
        };
        if let (Phase::Outcome, Some(i), Some(r)) = (e.phase, e.intent, e.result)
            && let Some(&idx) = self.shown_intents.get(&i)
            && let Some(shown) = self.events.get_mut(idx)
        {
            shown.status = Some(r.as_str().to_owned());
        }
        if !keep(&e) {
            return;
        }
        let status = match e.phase {
            Phase::Intent => {
                self.shown_intents.insert(e.id, self.events.len());
                Some("unfinished".to_owned())
            }
            Phase::Outcome => None,
        };
        let personal = open_sealed(&mut e, self.keys);
        self.events.push(ShownEvent {
            event: e,
            status,
            personal,
        });
    }

    pub fn finish(self) -> Vec<ShownEvent> {
        self.events
    }
}

/// `audit show --limit N` over a log read backwards: the last `N` events `keep`
/// accepts. Outcomes are met before their intents, and each is held only until
/// its intent turns up, so memory stays at the events shown plus the actions
/// still running at the point reached.
pub struct ShowBackward<'k> {
    keys: &'k HashMap<String, KeyState>,
    limit: usize,
    events: Vec<ShownEvent>,
    outcome_of: HashMap<Uuid, Outcome>,
}

impl<'k> ShowBackward<'k> {
    pub fn new(keys: &'k HashMap<String, KeyState>, limit: usize) -> ShowBackward<'k> {
        ShowBackward {
            keys,
            limit,
            events: Vec::new(),
            outcome_of: HashMap::new(),
        }
    }

    /// Whether `limit` events have been found: reading further is pointless.
    pub fn full(&self) -> bool {
        self.events.len() >= self.limit
    }

    /// Takes the previous line of the log; a line that is not an event is skipped.
    pub fn push(&mut self, line: &[u8], keep: impl Fn(&Event) -> bool) {
        let Ok(mut e) = serde_json::from_slice::<Event>(line) else {
            return;
        };
        let status = match (e.phase, e.intent, e.result) {
            (Phase::Outcome, Some(i), Some(r)) => {
                // The first outcome met backwards is the last in the log,
                // which is the one a forward reading ends up with.
                self.outcome_of.entry(i).or_insert(r);
                None
            }
            (Phase::Outcome, _, _) => None,
            (Phase::Intent, _, _) => Some(
                self.outcome_of
                    .remove(&e.id)
                    .map_or("unfinished", |o| o.as_str())
                    .to_owned(),
            ),
        };
        if self.full() || !keep(&e) {
            return;
        }
        let personal = open_sealed(&mut e, self.keys);
        self.events.push(ShownEvent {
            event: e,
            status,
            personal,
        });
    }

    /// The events found, in log order.
    pub fn finish(mut self) -> Vec<ShownEvent> {
        self.events.reverse();
        self.events
    }
}

/// The sealed personal part of `e`, opened while the tenant key exists, else
/// the erasure notice; `None` when it has none.
pub fn opened(e: &Event, keys: &HashMap<String, KeyState>) -> Option<Value> {
    open_sealed(&mut e.clone(), keys)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::verify::tests::chain;

    fn log_lines(n: u64) -> Vec<String> {
        chain(n).iter().map(Event::to_line).collect()
    }

    fn forward(lines: &[String], keep: impl Fn(&Event) -> bool + Copy) -> Vec<ShownEvent> {
        let keys = HashMap::new();
        let mut f = ShowForward::new(&keys);
        for l in lines {
            f.push(l.as_bytes(), keep);
        }
        f.finish()
    }

    fn backward(
        lines: &[String],
        limit: usize,
        keep: impl Fn(&Event) -> bool + Copy,
    ) -> Vec<ShownEvent> {
        let keys = HashMap::new();
        let mut b = ShowBackward::new(&keys, limit);
        for l in lines.iter().rev() {
            if b.full() {
                break;
            }
            b.push(l.as_bytes(), keep);
        }
        b.finish()
    }

    fn seqs_and_status(v: &[ShownEvent]) -> Vec<(u64, Option<String>)> {
        v.iter().map(|s| (s.event.seq, s.status.clone())).collect()
    }

    #[test]
    fn the_last_n_read_backwards_are_the_last_n_read_forward() {
        let lines = log_lines(9);
        let mut whole = String::new();
        for l in &lines {
            whole.push_str(l);
            whole.push('\n');
        }
        let all = show_events(whole.as_bytes(), &HashMap::new());
        assert_eq!(
            seqs_and_status(&forward(&lines, |_| true)),
            seqs_and_status(&all)
        );
        for limit in [0, 1, 2, 5, 9, 20] {
            let skip = all.len().saturating_sub(limit);
            assert_eq!(
                seqs_and_status(&backward(&lines, limit, |_| true)),
                seqs_and_status(&all[skip..]),
                "limit {limit}"
            );
        }
        // Intents only: the status still comes from the outcome, which is not shown.
        let intents = |e: &Event| e.phase == Phase::Intent;
        let got = backward(&lines, 2, intents);
        assert_eq!(
            seqs_and_status(&got),
            vec![(7, Some("ok".into())), (9, Some("unfinished".into()))]
        );
        assert_eq!(
            seqs_and_status(&forward(&lines, intents))[3..],
            seqs_and_status(&got)[..]
        );
    }
}
