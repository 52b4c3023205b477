//! The JSONL file store: one canonical event per line, fsync'd on every append,
//! under an exclusive file lock so that several ltops processes on one machine
//! extend one linear chain. A `.head` file beside it records the last seq and hash
//! so that a truncated tail is noticed; a `.keys.json` file holds tenant keys.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::event::{Draft, Event, GENESIS, LineHead};
use super::head::Head;
use super::seal::{self, KeyState, TenantKey};
use super::stream::{BlockReader, ReverseLines};
use super::verify::Witness;
use super::{AuditError, Personal};

#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct KeyRecord {
    key: Option<String>,
    created_at: String,
    destroyed_at: Option<String>,
    destroyed_by: Option<Uuid>,
}

impl KeyRecord {
    fn state(&self) -> KeyState {
        match self {
            KeyRecord { key: Some(k), .. } => match TenantKey::from_b64(k) {
                Some(k) => KeyState::Active(k),
                None => KeyState::Missing,
            },
            KeyRecord {
                destroyed_at: Some(at),
                ..
            } => KeyState::Destroyed { at: at.clone() },
            _ => KeyState::Missing,
        }
    }
}

impl FileStore {
    pub fn new(path: PathBuf) -> FileStore {
        FileStore { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn head_path(&self) -> PathBuf {
        sibling(&self.path, "head")
    }

    fn keys_path(&self) -> PathBuf {
        sibling(&self.path, "keys.json")
    }

    fn io(&self, what: &str, e: std::io::Error) -> AuditError {
        AuditError::Unwritable {
            store: self.path.display().to_string(),
            detail: format!("{what}: {e}"),
        }
    }

    /// Opens the log for appending and takes the exclusive lock (released on drop).
    fn lock(&self) -> Result<File, AuditError> {
        if let Some(dir) = self.path.parent() {
            let mut b = fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                b.mode(0o700);
            }
            b.create(dir)
                .map_err(|e| self.io("cannot create its folder", e))?;
        }
        let mut opts = OpenOptions::new();
        opts.read(true).append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let f = opts
            .open(&self.path)
            .map_err(|e| self.io("cannot open for appending", e))?;
        f.lock().map_err(|e| self.io("cannot lock", e))?;
        Ok(f)
    }

    /// Appends `draft` as the next event, sealing `personal` under the tenant key.
    pub fn append(
        &self,
        mut draft: Draft,
        personal: Option<Personal>,
    ) -> Result<Event, AuditError> {
        let mut f = self.lock()?;
        let (seq, prev) = last_event(&mut f).map_err(|e| match e {
            LastError::Io(e) => self.io("cannot read", e),
            LastError::Torn(at) => AuditError::Broken(format!(
                "{} ends in a partial line at byte {at} (a torn write); nothing was appended — run `ltops audit verify`",
                self.path.display()
            )),
            LastError::Bad(msg) => AuditError::Broken(format!(
                "the last line of {} is not an event ({msg}); nothing was appended — run `ltops audit verify`",
                self.path.display()
            )),
        })?;
        if let Some(p) = personal {
            let key = self.tenant_key_locked(&p.tenant)?;
            let sealed = seal::seal(&key, draft.id, &p.tenant, &p.data);
            if let Value::Object(m) = &mut draft.content {
                m.insert(
                    "sealed".into(),
                    serde_json::to_value(sealed).unwrap_or(Value::Null),
                );
            }
        }
        let event = draft.seal_into_chain(seq + 1, &prev);
        let mut line = event.to_line();
        line.push('\n');
        // One write of the whole line with O_APPEND, then fsync: a reader never
        // sees half an event, and an acknowledged event survives a crash.
        f.write_all(line.as_bytes())
            .map_err(|e| self.io("cannot append", e))?;
        f.sync_data().map_err(|e| self.io("cannot fsync", e))?;
        // Sealing always yields 64 hex digits; should it not, say so rather
        // than record a head that would later flag the log as rewritten.
        let head = Head::of(&event).ok_or_else(|| {
            AuditError::Broken(format!(
                "seq {} was appended with a malformed hash",
                event.seq
            ))
        })?;
        write_atomic(
            &self.head_path(),
            serde_json::to_string(&head).unwrap_or_default().as_bytes(),
        )
        .map_err(|e| self.io("cannot record the head", e))?;
        Ok(event)
    }

    /// The whole log, for verify, show and export.
    pub fn read_all(&self) -> Result<Vec<u8>, AuditError> {
        match fs::read(&self.path) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(AuditError::Unreadable {
                store: self.path.display().to_string(),
                detail: e.to_string(),
            }),
        }
    }

    /// The log as it is now, read forward a block at a time: what is appended
    /// while it is read is left for the next reading, so the snapshot is
    /// consistent with the head recorded when it was taken.
    pub fn reader(&self) -> Result<BlockReader, AuditError> {
        Ok(match self.open_snapshot()? {
            Some((f, len)) => BlockReader::spawn(f.take(len)),
            None => BlockReader::spawn(std::io::empty()),
        })
    }

    /// The log read backwards from its current end, a line at a time; `None`
    /// for a log not written yet.
    pub fn tail(&self) -> Result<Option<ReverseLines>, AuditError> {
        Ok(self
            .open_snapshot()?
            .map(|(f, len)| ReverseLines::new(f, len)))
    }

    fn open_snapshot(&self) -> Result<Option<(File, u64)>, AuditError> {
        let unreadable = |e: std::io::Error| AuditError::Unreadable {
            store: self.path.display().to_string(),
            detail: e.to_string(),
        };
        let f = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(e)),
        };
        let len = f.metadata().map_err(unreadable)?.len();
        Ok(Some((f, len)))
    }

    /// The head recorded beside the log at the last append.
    pub fn recorded_head(&self) -> Option<Witness> {
        let text = fs::read_to_string(self.head_path()).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn read_keys(&self) -> Result<BTreeMap<String, KeyRecord>, AuditError> {
        match fs::read_to_string(self.keys_path()) {
            Ok(t) => serde_json::from_str(&t).map_err(|e| {
                AuditError::Broken(format!(
                    "the key table {} is corrupt: {e}",
                    self.keys_path().display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(self.io("cannot read the key table", e)),
        }
    }

    fn write_keys(&self, keys: &BTreeMap<String, KeyRecord>) -> Result<(), AuditError> {
        let text = serde_json::to_string_pretty(keys).unwrap_or_default();
        write_atomic(&self.keys_path(), text.as_bytes())
            .map_err(|e| self.io("cannot write the key table", e))
    }

    fn tenant_key_locked(&self, tenant: &str) -> Result<TenantKey, AuditError> {
        let mut keys = self.read_keys()?;
        match keys.get(tenant) {
            Some(KeyRecord { key: Some(k), .. }) => TenantKey::from_b64(k).ok_or_else(|| {
                AuditError::Broken(format!("the key of tenant {tenant} is corrupt"))
            }),
            Some(KeyRecord {
                destroyed_at: Some(at),
                ..
            }) => Err(AuditError::KeyDestroyed {
                tenant: tenant.to_owned(),
                at: at.clone(),
            }),
            _ => {
                let key = TenantKey::generate();
                keys.insert(
                    tenant.to_owned(),
                    KeyRecord {
                        key: Some(key.to_b64()),
                        created_at: now(),
                        destroyed_at: None,
                        destroyed_by: None,
                    },
                );
                self.write_keys(&keys)?;
                Ok(key)
            }
        }
    }

    pub fn key_state(&self, tenant: &str) -> Result<KeyState, AuditError> {
        Ok(self
            .read_keys()?
            .get(tenant)
            .map_or(KeyState::Missing, KeyRecord::state))
    }

    /// The state of every tenant key in the key table. A tenant missing from
    /// it has no key (`KeyState::Missing`), so the log need not be read to
    /// find out which tenants it names.
    pub fn key_states(&self) -> Result<HashMap<String, KeyState>, AuditError> {
        Ok(self
            .read_keys()?
            .iter()
            .map(|(t, rec)| (t.clone(), rec.state()))
            .collect())
    }

    /// Destroys a tenant's key for good; later events for the tenant get a new
    /// key only if the tenant ever comes back (it does not: the key stays destroyed).
    pub fn destroy_key(&self, tenant: &str, by: Uuid) -> Result<bool, AuditError> {
        let _lock = self.lock()?;
        let mut keys = self.read_keys()?;
        let rec = keys.entry(tenant.to_owned()).or_insert_with(|| KeyRecord {
            created_at: now(),
            ..KeyRecord::default()
        });
        let had = rec.key.is_some();
        rec.key = None;
        if rec.destroyed_at.is_none() {
            rec.destroyed_at = Some(now());
            rec.destroyed_by = Some(by);
        }
        self.write_keys(&keys)?;
        Ok(had)
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = sibling(path, &format!("{}.tmp", std::process::id()));
    crate::fsutil::write_private_atomic(path, &tmp, bytes)
}

enum LastError {
    Io(std::io::Error),
    Torn(u64),
    Bad(String),
}

/// The seq and hash of the last event, reading backwards from the end.
fn last_event(f: &mut File) -> Result<(u64, String), LastError> {
    let len = f.seek(SeekFrom::End(0)).map_err(LastError::Io)?;
    if len == 0 {
        return Ok((0, GENESIS.to_owned()));
    }
    let mut window = 64 * 1024u64;
    loop {
        let start = len.saturating_sub(window);
        f.seek(SeekFrom::Start(start)).map_err(LastError::Io)?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        Read::by_ref(f)
            .take(len - start)
            .read_to_end(&mut buf)
            .map_err(LastError::Io)?;
        if buf.last() != Some(&b'\n') {
            return Err(LastError::Torn(len));
        }
        let body = &buf[..buf.len() - 1];
        match memchr::memrchr(b'\n', body) {
            Some(nl) => return parse_last(&body[nl + 1..]),
            None if start == 0 => return parse_last(body),
            None => window *= 4,
        }
    }
}

fn parse_last(line: &[u8]) -> Result<(u64, String), LastError> {
    let sh: LineHead = serde_json::from_slice(line).map_err(|e| LastError::Bad(e.to_string()))?;
    Ok((sh.seq, sh.hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::event::{Phase, Target};
    use crate::audit::verify::verify_bytes;
    use serde_json::json;

    fn draft(n: u64) -> Draft {
        Draft {
            id: Uuid::now_v7(),
            at: Utc::now(),
            actor: crate::audit::event::tests::actor(),
            action: "audit.record".into(),
            phase: Phase::Intent,
            result: None,
            intent: None,
            target: Target {
                tenant: Some("t1".into()),
                resource: None,
            },
            reason: None,
            content: json!({ "n": n }),
        }
    }

    #[test]
    fn appends_chain_and_record_the_head() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("state/audit.jsonl"));
        for n in 0..5 {
            store.append(draft(n), None).unwrap();
        }
        let r = verify_bytes(&store.read_all().unwrap(), store.recorded_head().as_ref());
        assert!(r.intact(), "{:?}", r.first_break);
        assert_eq!(r.events, 5);
        assert_eq!(store.recorded_head().unwrap().seq, 5);
    }

    #[test]
    fn personal_data_is_sealed_and_shredded_with_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("audit.jsonl"));
        let e = store
            .append(
                draft(1),
                Some(Personal {
                    tenant: "t1".into(),
                    data: json!({"email": "max@example.com"}),
                }),
            )
            .unwrap();
        let raw = String::from_utf8(store.read_all().unwrap()).unwrap();
        assert!(!raw.contains("max@example.com"));
        let KeyState::Active(_) = store.key_state("t1").unwrap() else {
            panic!("key expected")
        };
        assert!(store.destroy_key("t1", e.id).unwrap());
        assert!(matches!(
            store.key_state("t1").unwrap(),
            KeyState::Destroyed { .. }
        ));
        assert!(verify_bytes(&store.read_all().unwrap(), None).intact());
        // No new personal data can be recorded for an erased tenant.
        let err = store
            .append(
                draft(2),
                Some(Personal {
                    tenant: "t1".into(),
                    data: json!({}),
                }),
            )
            .unwrap_err();
        assert!(matches!(err, AuditError::KeyDestroyed { .. }));
    }

    #[test]
    fn a_torn_last_line_stops_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let store = FileStore::new(path.clone());
        store.append(draft(1), None).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"seq\":2,").unwrap();
        let err = store.append(draft(2), None).unwrap_err();
        assert!(err.to_string().contains("partial line"), "{err}");
    }

    #[test]
    fn an_unwritable_location_fails() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, "x").unwrap();
        let store = FileStore::new(blocker.join("audit.jsonl"));
        assert!(matches!(
            store.append(draft(1), None),
            Err(AuditError::Unwritable { .. })
        ));
    }
}
