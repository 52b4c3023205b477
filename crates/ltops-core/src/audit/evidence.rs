//! The evidence file: what `audit export` writes and `audit verify --file` /
//! `audit show --file` read. The log's lines unchanged, then one trailer line
//! `{"ltops_export":{…}}` that is not an event but the export's own record: when,
//! from where, how many events, and the head at export time — the witness a
//! later check of the file is held against. Also where the read-only audit
//! commands read from: the configured store, or such a file — as a stream, so
//! that a file of any size is checked in bounded memory.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::head::Head;
use super::seal::KeyState;
use super::stream::{BlockReader, ReverseLines};
use super::verify::Witness;
use super::{AuditError, LogReader, LogTail, Store};
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
    /// The anchor's public key and signed checkpoints, when the log is
    /// anchored: for the offline check against the anchor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<super::anchor_evidence::AnchorEvidence>,
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
        let mut w = EvidenceWriter::create(path)?;
        w.write(log)?;
        w.finish(trailer)
    }

    /// The trailer of the evidence file at `path` and where its log ends,
    /// read from the end of the file: the log itself is then read as a
    /// stream ([`Source::reader`]), never whole.
    pub fn locate(path: &Path) -> Result<(Option<Trailer>, u64), EvidenceError> {
        let unreadable = |source| EvidenceError::Unreadable {
            path: path.to_owned(),
            source,
        };
        let mut f = std::fs::File::open(path).map_err(unreadable)?;
        let len = f.metadata().map_err(unreadable)?.len();
        let mut window = 64 * 1024u64;
        loop {
            let from = len.saturating_sub(window);
            f.seek(SeekFrom::Start(from)).map_err(unreadable)?;
            let mut tail = Vec::with_capacity((len - from) as usize);
            (&mut f)
                .take(len - from)
                .read_to_end(&mut tail)
                .map_err(unreadable)?;
            // The same cut as `parse`: the last line that is not blank.
            let end = tail
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map(|p| p + 1);
            let start = end.and_then(|end| tail[..end].iter().rposition(|b| *b == b'\n'));
            match (end, start) {
                (Some(end), Some(nl)) => {
                    return Ok(trailer_at(&tail[nl + 1..end], from + nl as u64 + 1, len));
                }
                (Some(end), None) if from == 0 => return Ok(trailer_at(&tail[..end], 0, len)),
                (None, _) if from == 0 => return Ok((None, len)),
                // A trailer is a few hundred bytes: a last line longer than
                // this is an event (or garbage), and the whole file is log.
                _ if window >= MAX_TRAILER => return Ok((None, len)),
                _ => window *= 4,
            }
        }
    }
}

/// Longer than any trailer can be.
const MAX_TRAILER: u64 = 1 << 20;

/// The trailer, if `line` (starting at byte `start` of a file of `len` bytes)
/// is one, and where the log ends.
fn trailer_at(line: &[u8], start: u64, len: u64) -> (Option<Trailer>, u64) {
    let trailer = serde_json::from_slice::<Value>(line)
        .ok()
        .and_then(|mut v| v.get_mut(TRAILER_KEY).map(Value::take));
    match trailer {
        // A trailer of another shape still ends the log; it just witnesses nothing.
        Some(t) => (Some(serde_json::from_value(t).unwrap_or_default()), start),
        None => (None, len),
    }
}

/// Writes an evidence file as the log streams in, then its trailer. The file is
/// created new (an existing one is never overwritten) and removed again if the
/// export does not finish, so that no half file passes for evidence.
pub struct EvidenceWriter {
    path: PathBuf,
    file: Option<std::fs::File>,
    /// Whether the log written so far is empty or ends in a newline.
    at_line_start: bool,
}

impl EvidenceWriter {
    pub fn create(path: &Path) -> Result<EvidenceWriter, EvidenceError> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        let file = opts
            .open(path)
            .map_err(|source| EvidenceError::Uncreatable {
                path: path.to_owned(),
                source,
            })?;
        Ok(EvidenceWriter {
            path: path.to_owned(),
            file: Some(file),
            at_line_start: true,
        })
    }

    fn unwritable(&self, source: std::io::Error) -> EvidenceError {
        EvidenceError::Unwritable {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends the next piece of the log, unchanged.
    pub fn write(&mut self, log: &[u8]) -> Result<(), EvidenceError> {
        let Some(f) = self.file.as_mut() else {
            return Ok(());
        };
        if let Err(e) = f.write_all(log) {
            return Err(self.unwritable(e));
        }
        if let Some(&last) = log.last() {
            self.at_line_start = last == b'\n';
        }
        Ok(())
    }

    /// Writes the trailer on a line of its own and syncs the file.
    pub fn finish(mut self, trailer: &Trailer) -> Result<(), EvidenceError> {
        let mut end = Vec::with_capacity(256);
        if !self.at_line_start {
            end.push(b'\n');
        }
        let line = serde_json::json!({ TRAILER_KEY: trailer });
        end.extend_from_slice(line.to_string().as_bytes());
        end.push(b'\n');
        let Some(mut f) = self.file.take() else {
            return Ok(());
        };
        let done = f.write_all(&end).and_then(|()| f.sync_all());
        if let Err(e) = done {
            // Put it back, so that dropping `self` removes the half file.
            self.file = Some(f);
            return Err(self.unwritable(e));
        }
        Ok(())
    }
}

impl Drop for EvidenceWriter {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            // Best effort: the export failed and says so; a leftover file
            // without its trailer would at least not verify as complete.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Where a read-only audit command reads from.
pub enum Source {
    Store(Store),
    Evidence {
        path: PathBuf,
        trailer: Option<Trailer>,
        /// Where the log ends and the trailer begins.
        log_len: u64,
    },
}

impl Source {
    /// The evidence file at `file`, else the configured store. Nothing of the
    /// log is read yet but an evidence file's trailer.
    pub async fn open(settings: &Settings, file: Option<&Path>) -> Result<Source, EvidenceError> {
        match file {
            Some(path) => {
                let (trailer, log_len) = Evidence::locate(path)?;
                Ok(Source::Evidence {
                    path: path.to_owned(),
                    trailer,
                    log_len,
                })
            }
            None => {
                let sdk = crate::aws::config::load(&settings.aws).await;
                Ok(Source::Store(Store::open(settings, &sdk).await?))
            }
        }
    }

    /// The log read forward, a block of whole lines at a time (for an evidence
    /// file, without its trailer).
    pub async fn reader(&self) -> Result<LogReader<'_>, EvidenceError> {
        match self {
            Source::Store(s) => Ok(s.reader().await?),
            Source::Evidence { path, log_len, .. } => {
                let f = self.open_file(path)?;
                Ok(LogReader::file(
                    BlockReader::spawn(f.take(*log_len)),
                    self.describe(),
                ))
            }
        }
    }

    /// The log read backwards from its last event (for an evidence file, from
    /// the line before its trailer).
    pub async fn tail(&self) -> Result<LogTail<'_>, EvidenceError> {
        match self {
            Source::Store(s) => Ok(s.tail().await?),
            Source::Evidence { path, log_len, .. } => {
                let f = self.open_file(path)?;
                Ok(LogTail::file(
                    Some(ReverseLines::new(f, *log_len)),
                    self.describe(),
                ))
            }
        }
    }

    fn open_file(&self, path: &Path) -> Result<std::fs::File, EvidenceError> {
        std::fs::File::open(path).map_err(|source| EvidenceError::Unreadable {
            path: path.to_owned(),
            source,
        })
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
            anchor: None,
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

    /// What `locate` finds from the end of the file is what `parse` finds in
    /// the whole of it.
    fn locate_agrees(bytes: &[u8]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence.jsonl");
        std::fs::write(&path, bytes).unwrap();
        let (trailer, log_len) = Evidence::locate(&path).unwrap();
        let whole = Evidence::parse(bytes.to_vec());
        assert_eq!(trailer, whole.trailer);
        assert_eq!(&bytes[..log_len as usize], whole.log.as_slice());
    }

    #[test]
    fn the_trailer_is_found_from_the_end_of_the_file() {
        let ev = chain(3);
        locate_agrees(&Evidence::to_bytes(&log(&ev), &trailer(Head::of(&ev[2]))));
        locate_agrees(&Evidence::to_bytes(b"", &trailer(None)));
        locate_agrees(&log(&ev));
        locate_agrees(b"");
        locate_agrees(b"\n\n  \n");
        let mut odd = log(&ev);
        odd.extend_from_slice(br#"{"ltops_export":{"head":{"seq":2,"hash":"xyz"}}}"#);
        odd.extend_from_slice(b"\n\n");
        locate_agrees(&odd);
        // A last line far longer than any trailer, without a newline before it.
        locate_agrees(&vec![b'x'; 3 << 20]);
        let mut long = log(&ev);
        long.extend(std::iter::repeat_n(b' ', 200_000));
        long.extend_from_slice(b"\n");
        locate_agrees(&long);
    }

    #[test]
    fn a_streamed_export_is_removed_when_it_does_not_finish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("evidence.jsonl");
        let mut w = EvidenceWriter::create(&path).unwrap();
        w.write(b"half").unwrap();
        drop(w);
        assert!(!path.exists());
    }
}
