//! The evidence file: what `audit export` writes and `audit verify --file` /
//! `audit show --file` read. The log's lines unchanged, then one trailer line
//! `{"ltops_export":{…}}` that is not an event but the export's own record: when,
//! from where, how many events, and the head at export time — the witness a
//! later check of the file is held against. Also where the read-only audit
//! commands read from: the configured store, or such a file.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::head::Head;
use super::seal::KeyState;
use super::verify::Witness;
use super::{AuditError, Store};
use crate::settings::Settings;

/// The key of the trailer object; a line with it is the last line of an export.
pub const TRAILER_KEY: &str = "ltops_export";

/// The export's own record, the last line of an evidence file. Field order is
/// the order on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailer {
    #[serde(default)]
    pub exported_at: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub events: u64,
    /// `None` for an empty log, or when the file's head is unreadable: then the
    /// file is verified without a witness, as it always was.
    #[serde(default, deserialize_with = "lenient_head")]
    pub head: Option<Head>,
}

fn lenient_head<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Head>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// An evidence file split into the log and its trailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The log lines exactly as exported, each ending in a newline.
    pub log: Vec<u8>,
    /// `None` for a plain log file given as evidence.
    pub trailer: Option<Trailer>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("cannot read the evidence file {path}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create {path}")]
    Uncreatable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the evidence file {path}")]
    Unwritable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Audit(#[from] AuditError),
}

impl Evidence {
    /// Splits the trailer off the bytes of an evidence file; a file without one
    /// is all log.
    pub fn parse(mut bytes: Vec<u8>) -> Evidence {
        let end = bytes
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        let start = bytes[..end]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1);
        let trailer = serde_json::from_slice::<Value>(&bytes[start..end])
            .ok()
            .and_then(|mut v| v.get_mut(TRAILER_KEY).map(Value::take));
        let Some(trailer) = trailer else {
            return Evidence {
                log: bytes,
                trailer: None,
            };
        };
        bytes.truncate(start);
        Evidence {
            log: bytes,
            // A trailer of another shape still ends the log; it just witnesses nothing.
            trailer: Some(serde_json::from_value(trailer).unwrap_or_default()),
        }
    }

    pub fn read(path: &Path) -> Result<Evidence, EvidenceError> {
        let bytes = std::fs::read(path).map_err(|source| EvidenceError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        Ok(Evidence::parse(bytes))
    }

    /// The file's bytes: the log, a newline if its last line lacks one, the trailer.
    pub fn to_bytes(log: &[u8], trailer: &Trailer) -> Vec<u8> {
        let mut out = Vec::with_capacity(log.len() + 256);
        out.extend_from_slice(log);
        if !log.is_empty() && log.last() != Some(&b'\n') {
            out.push(b'\n');
        }
        let line = serde_json::json!({ TRAILER_KEY: trailer });
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
        out
    }

    /// Writes a new evidence file and syncs it; an existing file is never
    /// overwritten, because an evidence file that changes is no evidence.
    pub fn write(path: &Path, log: &[u8], trailer: &Trailer) -> Result<(), EvidenceError> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        let mut f = opts
            .open(path)
            .map_err(|source| EvidenceError::Uncreatable {
                path: path.to_owned(),
                source,
            })?;
        let unwritable = |source| EvidenceError::Unwritable {
            path: path.to_owned(),
            source,
        };
        f.write_all(&Evidence::to_bytes(log, trailer))
            .map_err(unwritable)?;
        f.sync_all().map_err(unwritable)
    }
}

/// Where a read-only audit command reads from.
pub enum Source {
    Store(Store),
    Evidence {
        path: PathBuf,
        trailer: Option<Trailer>,
    },
}

impl Source {
    /// The evidence file at `file`, else the configured store; with the log bytes
    /// (for an evidence file without its trailer).
    pub async fn open(
        settings: &Settings,
        file: Option<&Path>,
    ) -> Result<(Source, Vec<u8>), EvidenceError> {
        match file {
            Some(path) => {
                let Evidence { log, trailer } = Evidence::read(path)?;
                let source = Source::Evidence {
                    path: path.to_owned(),
                    trailer,
                };
                Ok((source, log))
            }
            None => {
                let sdk = crate::aws::config::load(&settings.aws).await;
                let store = Store::open(settings, &sdk).await?;
                let bytes = store.read_all().await?;
                Ok((Source::Store(store), bytes))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::Store(s) => s.describe(),
            Source::Evidence { path, .. } => format!("evidence file {}", path.display()),
        }
    }

    /// The head the log is to be checked against when none is given.
    pub fn witness(&self) -> Option<Witness> {
        match self {
            Source::Store(s) => s.recorded_head(),
            Source::Evidence { trailer, .. } => trailer.as_ref().and_then(|t| t.head.clone()),
        }
    }

    /// The tenant keys that open sealed content; none when they cannot be read,
    /// so that reading the log never depends on the key table.
    pub async fn keys(&self, settings: &Settings) -> HashMap<String, KeyState> {
        let found = match self {
            Source::Store(s) => s.key_states().await,
            // An evidence file carries no keys; the live store's keys open what
            // has not been shredded since.
            Source::Evidence { .. } => {
                let sdk = crate::aws::config::load(&settings.aws).await;
                match Store::open(settings, &sdk).await {
                    Ok(s) => s.key_states().await,
                    Err(e) => Err(e),
                }
            }
        };
        found.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::event::Event;
    use crate::audit::verify::tests::chain;
    use crate::audit::verify::verify_bytes;

    fn log(events: &[Event]) -> Vec<u8> {
        let mut out = String::new();
        for e in events {
            out.push_str(&e.to_line());
            out.push('\n');
        }
        out.into_bytes()
    }

    fn trailer(head: Option<Head>) -> Trailer {
        Trailer {
            exported_at: "2026-11-27T10:00:00Z".into(),
            source: "file /tmp/audit.jsonl".into(),
            events: 4,
            head,
        }
    }

    #[test]
    fn a_written_file_reads_back_as_the_log_and_its_trailer() {
        let ev = chain(4);
        let t = trailer(Head::of(&ev[3]));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence.jsonl");
        Evidence::write(&path, &log(&ev), &t).unwrap();
        let back = Evidence::read(&path).unwrap();
        assert_eq!(back.log, log(&ev));
        assert_eq!(back.trailer, Some(t));
        let witness = back.trailer.and_then(|t| t.head);
        assert!(verify_bytes(&back.log, witness.as_ref()).intact());
    }

    #[test]
    fn the_trailer_line_keeps_its_format() {
        let ev = chain(2);
        let bytes = Evidence::to_bytes(&log(&ev), &trailer(Head::of(&ev[1])));
        let text = String::from_utf8(bytes).unwrap();
        let last = text.lines().last().unwrap();
        assert_eq!(
            last,
            format!(
                r#"{{"ltops_export":{{"exported_at":"2026-11-27T10:00:00Z","source":"file /tmp/audit.jsonl","events":4,"head":{{"seq":2,"hash":"{}"}}}}}}"#,
                ev[1].hash
            )
        );
        // An empty log exports as the trailer alone, with no head.
        let empty = String::from_utf8(Evidence::to_bytes(b"", &trailer(None))).unwrap();
        assert_eq!(
            empty,
            "{\"ltops_export\":{\"exported_at\":\"2026-11-27T10:00:00Z\",\"source\":\"file /tmp/audit.jsonl\",\"events\":4,\"head\":null}}\n"
        );
    }

    #[test]
    fn a_log_without_a_newline_at_the_end_still_gets_its_own_trailer_line() {
        let ev = chain(1);
        let mut l = log(&ev);
        l.pop();
        let e = Evidence::parse(Evidence::to_bytes(&l, &trailer(None)));
        assert_eq!(e.log, log(&ev));
        assert!(e.trailer.is_some());
    }

    #[test]
    fn a_plain_log_has_no_trailer_and_loses_nothing() {
        let ev = chain(3);
        let e = Evidence::parse(log(&ev));
        assert_eq!(e.log, log(&ev));
        assert_eq!(e.trailer, None);
    }

    #[test]
    fn an_odd_trailer_ends_the_log_but_witnesses_nothing() {
        let ev = chain(2);
        let mut bytes = log(&ev);
        bytes.extend_from_slice(br#"{"ltops_export":{"head":{"seq":2,"hash":"xyz"}}}"#);
        bytes.extend_from_slice(b"\n\n");
        let e = Evidence::parse(bytes);
        assert_eq!(e.log, log(&ev));
        assert_eq!(e.trailer.map(|t| t.head), Some(None));
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence.jsonl");
        std::fs::write(&path, "keep").unwrap();
        let err = Evidence::write(&path, b"", &trailer(None)).unwrap_err();
        assert!(matches!(err, EvidenceError::Uncreatable { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep");
    }
}
