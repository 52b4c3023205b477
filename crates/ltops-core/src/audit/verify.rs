//! Chain verification: recomputes every hash and link and names the first broken
//! `seq` and what happened there (modified, deleted, reordered, inserted, tail
//! truncated). Fast enough for a million events a second on two cores, because
//! the annual review runs it over years of log; and incremental ([`Verifier`]),
//! so that years of log verify in a few megabytes of memory.

use std::collections::HashMap;

use memchr::memmem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::anchor_check::Tracker;
use super::event::{Event, GENESIS, Phase, canonical};
pub use super::head::{ChainHash, Head};
use super::stream::BLOCK;

/// A recorded head — written into the annual report, kept beside the log, or
/// typed as `--expect-head` — that makes truncation and wholesale rewriting
/// visible. Any head can serve as one; the name says what it is used for.
pub type Witness = Head;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BreakKind {
    /// A line that is not an event at all.
    Malformed,
    /// An event whose content no longer matches its hash, or that differs from
    /// the recorded head.
    Modified,
    /// Events missing from the middle of the chain.
    Deleted,
    /// Events out of order.
    Reordered,
    /// An event that does not belong: a duplicate seq or a broken link.
    Inserted,
    /// Events missing at the end, against the recorded head.
    Truncated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: u64,
    /// 1-based line (file store) or row position (Postgres).
    pub line: usize,
    pub kind: BreakKind,
    pub detail: String,
}

/// An intent without an outcome: the action is still running, or it was cut off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unfinished {
    pub seq: u64,
    pub id: Uuid,
    pub action: String,
    pub at: String,
    pub user: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub events: u64,
    pub head: Option<Head>,
    pub first_break: Option<Break>,
    pub witness: Option<Witness>,
    pub unfinished: Vec<Unfinished>,
}

impl VerifyReport {
    pub fn intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// The fields of a line that verification needs, borrowed from the line.
#[derive(Deserialize)]
struct LineHead<'a> {
    seq: u64,
    #[serde(borrow)]
    hash: &'a str,
    #[serde(borrow)]
    prev_hash: &'a str,
    id: Uuid,
    phase: Phase,
    intent: Option<Uuid>,
}

struct LineInfo {
    line: usize,
    start: usize,
    end: usize,
    seq: u64,
    hash: [u8; 32],
    prev: [u8; 32],
    /// `None` when the hash matches; else what is wrong.
    problem: Option<(BreakKind, String)>,
    phase: Phase,
    id: Uuid,
    intent: Option<Uuid>,
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

fn check_line(data: &[u8], line: usize, start: usize, end: usize) -> LineInfo {
    let bytes = &data[start..end];
    let malformed = |detail: String| LineInfo {
        line,
        start,
        end,
        seq: 0,
        hash: [0; 32],
        prev: [0; 32],
        problem: Some((BreakKind::Malformed, detail)),
        phase: Phase::Intent,
        id: Uuid::nil(),
        intent: None,
    };
    let head: LineHead = match serde_json::from_slice(bytes) {
        Ok(h) => h,
        Err(e) => return malformed(format!("line {line} is not an audit event: {e}")),
    };
    let (Some(hash), Some(prev)) = (unhex(head.hash), unhex(head.prev_hash)) else {
        return malformed(format!(
            "line {line}: hash or prev_hash is not 64 hex digits"
        ));
    };
    let mut info = LineInfo {
        line,
        start,
        end,
        seq: head.seq,
        hash,
        prev,
        problem: None,
        phase: head.phase,
        id: head.id,
        intent: head.intent,
    };
    if !hash_matches(bytes, head.hash) {
        info.problem = Some((
            BreakKind::Modified,
            format!(
                "seq {} (line {line}) was modified: its content no longer matches its hash",
                head.seq
            ),
        ));
    }
    info
}

/// Fast path: the stored line is canonical, so hashing it with the top-level
/// `"hash":"…",` cut out must give the hash. `content` sorts before `hash` and the
/// fields after it cannot contain an unescaped quote, so the last occurrence is
/// the top-level one. A line that is valid but not canonical takes the slow path.
fn hash_matches(bytes: &[u8], hash: &str) -> bool {
    let mut pat = Vec::with_capacity(76);
    pat.extend_from_slice(b"\"hash\":\"");
    pat.extend_from_slice(hash.as_bytes());
    pat.extend_from_slice(b"\",");
    if let Some(pos) = memmem::rfind(bytes, &pat) {
        let mut h = Sha256::new();
        h.update(&bytes[..pos]);
        h.update(&bytes[pos + pat.len()..]);
        if hex::encode(h.finalize()) == hash {
            return true;
        }
    }
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return false;
    };
    if let serde_json::Value::Object(m) = &mut v {
        m.remove("hash");
    }
    hex::encode(Sha256::digest(canonical(&v))) == hash
}

fn split_lines(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(data.len() / 400 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', data) {
        if nl > start {
            out.push((start, nl));
        }
        start = nl + 1;
    }
    if start < data.len() && !data[start..].iter().all(u8::is_ascii_whitespace) {
        out.push((start, data.len()));
    }
    out
}

/// Verifies a whole log given as JSONL bytes, against an optional witness.
/// A thin wrapper over [`Verifier`] for callers that hold the log anyway.
pub fn verify_bytes(data: &[u8], witness: Option<&Witness>) -> VerifyReport {
    let mut v = Verifier::new(witness);
    v.feed_all(data);
    v.finish()
}

/// A jump ahead in seq whose explanation depends on the rest of the log: if the
/// skipped seq turns up later the events were reordered, else deleted.
struct Gap {
    line: usize,
    seq: u64,
    expected: u64,
    prev_seq: u64,
}

/// Verifies a log fed to it in order, a block or a line at a time, in memory
/// that does not grow with the log: the chain needs only the last link, and of
/// the intents only those still open are kept.
pub struct Verifier {
    witness: Option<Witness>,
    threads: usize,
    /// Lines fed one at a time, gathered into a block for the parallel check.
    pending: Vec<u8>,
    /// Non-empty lines seen so far; also the line number of the last.
    lines: usize,
    prev_seq: u64,
    prev_hash: [u8; 32],
    last: Option<(u64, [u8; 32])>,
    /// The last line, so that callers can read the last event (export's trailer).
    last_line: Vec<u8>,
    first_break: Option<Break>,
    gap: Option<Gap>,
    /// The line of the first event with the witness's seq, and the hash of its last.
    witness_line: Option<usize>,
    witness_hash: Option<[u8; 32]>,
    /// Intents without an outcome so far; `None` when the line does not parse
    /// as a whole event (it is then left out of the report, as it always was).
    open: HashMap<Uuid, Option<Unfinished>>,
    /// The anchored checkpoints, held against every event as it is checked.
    tracker: Option<Tracker>,
}

impl Verifier {
    pub fn new(witness: Option<&Witness>) -> Verifier {
        Verifier {
            witness: witness.cloned(),
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 8),
            pending: Vec::new(),
            lines: 0,
            prev_seq: 0,
            prev_hash: unhex(GENESIS).unwrap_or([0; 32]),
            last: None,
            last_line: Vec::new(),
            first_break: None,
            gap: None,
            witness_line: None,
            witness_hash: None,
            open: HashMap::new(),
            tracker: None,
        }
    }

    /// Holds every event, as it is checked, against the anchored checkpoints.
    pub fn track(&mut self, tracker: Tracker) {
        self.tracker = Some(tracker);
    }

    /// Feeds one line (without its newline). Lines are gathered and checked a
    /// block at a time, so that they are still hashed on all cores.
    pub fn feed_line(&mut self, line: &[u8]) {
        self.pending.extend_from_slice(line);
        self.pending.push(b'\n');
        if self.pending.len() >= BLOCK {
            self.flush_pending();
        }
    }

    fn flush_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.check_block(&pending);
        self.pending = pending;
        self.pending.clear();
    }

    /// Feeds a block of whole lines: every line ends in a newline, except the
    /// log's very last, which may lack it.
    pub fn feed_block(&mut self, block: &[u8]) {
        if !self.pending.is_empty() {
            self.flush_pending();
        }
        self.check_block(block);
    }

    /// Feeds a whole log held in memory, in blocks, so that the bookkeeping
    /// stays as small as when streaming.
    pub fn feed_all(&mut self, data: &[u8]) {
        let mut rest = data;
        while rest.len() > BLOCK {
            let cut = memchr::memchr(b'\n', &rest[BLOCK..]).map_or(rest.len(), |p| BLOCK + p + 1);
            self.feed_block(&rest[..cut]);
            rest = &rest[cut..];
        }
        self.feed_block(rest);
    }

    /// The last non-empty line fed so far.
    pub fn last_line(&self) -> Option<&[u8]> {
        (!self.last_line.is_empty()).then_some(self.last_line.as_slice())
    }

    fn check_block(&mut self, data: &[u8]) {
        let spans = split_lines(data);
        let Some(&(a, b)) = spans.last() else { return };
        self.last_line.clear();
        self.last_line.extend_from_slice(&data[a..b]);
        let first_line = self.lines + 1;
        let infos = check_spans(data, &spans, first_line, self.threads);
        if infos.len() != spans.len() {
            self.lines += spans.len();
            self.first_break.get_or_insert(Break {
                seq: 0,
                line: 0,
                kind: BreakKind::Malformed,
                detail: "internal error while verifying".into(),
            });
            return;
        }
        // Intents opened in this block, by index: most close within it, and
        // only those still open at its end are parsed and kept.
        let mut opened: HashMap<Uuid, usize> = HashMap::new();
        for (idx, info) in infos.iter().enumerate() {
            self.link(info);
            match info.phase {
                Phase::Intent => {
                    opened.insert(info.id, idx);
                }
                Phase::Outcome => {
                    if let Some(i) = info.intent {
                        opened.remove(&i);
                        self.open.remove(&i);
                    }
                }
            }
        }
        for (id, idx) in opened {
            let i = &infos[idx];
            self.open.insert(id, unfinished_at(&data[i.start..i.end]));
        }
    }

    /// Extends the chain by one checked line, or notes where and why it breaks.
    fn link(&mut self, info: &LineInfo) {
        self.lines += 1;
        if let Some(t) = &mut self.tracker
            && info
                .problem
                .as_ref()
                .is_none_or(|(k, _)| *k != BreakKind::Malformed)
        {
            t.see(info.seq, &info.hash);
        }
        if let Some(w) = &self.witness
            && info.seq == w.seq
        {
            self.witness_line.get_or_insert(info.line);
            self.witness_hash = Some(info.hash);
        }
        if let Some(g) = &self.gap
            && info.seq == g.expected
        {
            self.first_break = Some(Break {
                seq: g.expected,
                line: g.line,
                kind: BreakKind::Reordered,
                detail: format!(
                    "seq {} stands after seq {} (line {}): events were reordered",
                    g.expected, g.seq, g.line
                ),
            });
            self.gap = None;
        }
        self.last = Some((info.seq, info.hash));
        if self.first_break.is_some() || self.gap.is_some() {
            return;
        }
        if let Some((kind, detail)) = &info.problem {
            self.first_break = Some(break_at(info, *kind, info.seq, detail.clone()));
        } else if info.seq == self.prev_seq + 1 && info.prev == self.prev_hash {
            self.prev_seq = info.seq;
            self.prev_hash = info.hash;
        } else if info.seq > self.prev_seq + 1 {
            self.gap = Some(Gap {
                line: info.line,
                seq: info.seq,
                expected: self.prev_seq + 1,
                prev_seq: self.prev_seq,
            });
        } else {
            self.first_break = Some(misplaced(info, self.prev_seq));
        }
    }

    /// The report: the first break, the head of an intact chain, the
    /// comparison with the witness, the intents that never got an outcome.
    /// The report and the tracker given to [`Verifier::track`], which has
    /// then seen every event.
    pub fn finish_tracked(mut self) -> (VerifyReport, Option<Tracker>) {
        if !self.pending.is_empty() {
            self.flush_pending();
        }
        let tracker = self.tracker.take();
        (self.finish(), tracker)
    }

    pub fn finish(mut self) -> VerifyReport {
        if !self.pending.is_empty() {
            self.flush_pending();
        }
        if let Some(g) = self.gap.take() {
            // The skipped seq never turned up: deleted.
            let (expected, last_missing) = (g.expected, g.seq - 1);
            let what = if last_missing == expected {
                format!("seq {expected} was deleted")
            } else {
                format!("seq {expected}–{last_missing} were deleted")
            };
            self.first_break = Some(Break {
                seq: expected,
                line: g.line,
                kind: BreakKind::Deleted,
                detail: format!(
                    "{what} (line {} jumps from seq {} to {})",
                    g.line, g.prev_seq, g.seq
                ),
            });
        }
        let head = match (&self.first_break, self.last) {
            (None, Some((seq, hash))) => Some(Head {
                seq,
                hash: ChainHash(hash),
            }),
            _ => None,
        };
        if self.first_break.is_none()
            && let Some(w) = &self.witness
        {
            self.first_break = self.witness_break(w);
        }
        let mut unfinished: Vec<Unfinished> = self.open.into_values().flatten().collect();
        unfinished.sort_by_key(|u| u.seq);
        VerifyReport {
            events: self.lines as u64,
            head,
            first_break: self.first_break,
            witness: self.witness,
            unfinished,
        }
    }

    /// An intact chain checked against the recorded head: shorter than it
    /// (truncated), or holding another event at its seq (rewritten).
    fn witness_break(&self, w: &Witness) -> Option<Break> {
        let last_seq = self.last.map_or(0, |(seq, _)| seq);
        if w.seq > last_seq {
            return Some(Break {
                seq: last_seq + 1,
                line: self.lines + 1,
                kind: BreakKind::Truncated,
                detail: format!(
                    "the log ends at seq {last_seq}, but the recorded head is seq {}: the tail was truncated",
                    w.seq
                ),
            });
        }
        if w.seq == 0 || self.witness_hash == Some(w.hash.0) {
            return None;
        }
        Some(Break {
            seq: w.seq,
            line: self.witness_line.unwrap_or(0),
            kind: BreakKind::Modified,
            detail: format!(
                "seq {} differs from the recorded head {}: the history up to it was rewritten",
                w.seq, w.hash
            ),
        })
    }
}

/// Checks the lines of one block, split across threads: hashing is the cost,
/// and each line's hash is independent of the others'.
fn check_spans(
    data: &[u8],
    spans: &[(usize, usize)],
    first_line: usize,
    threads: usize,
) -> Vec<LineInfo> {
    let chunk = spans.len().div_ceil(threads).max(1);
    if threads == 1 || spans.len() < 64 {
        return spans
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| check_line(data, first_line + i, a, b))
            .collect();
    }
    let mut infos: Vec<LineInfo> = Vec::with_capacity(spans.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = spans
            .chunks(chunk)
            .enumerate()
            .map(|(ci, part)| {
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, &(a, b))| check_line(data, first_line + ci * chunk + i, a, b))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A panicking verifier thread is a bug; the caller sees the
            // missing lines and reports an internal error.
            if let Ok(part) = h.join() {
                infos.extend(part);
            }
        }
    });
    infos
}

fn break_at(info: &LineInfo, kind: BreakKind, seq: u64, detail: String) -> Break {
    Break {
        seq,
        line: info.line,
        kind,
        detail,
    }
}

/// Why `info` does not follow `prev_seq` when its seq is not ahead of the
/// expected one (a jump ahead is a [`Gap`]). Every seq up to `prev_seq` has
/// been seen exactly once, in order, so a lower seq is a duplicate.
fn misplaced(info: &LineInfo, prev_seq: u64) -> Break {
    let (seq, line) = (info.seq, info.line);
    let expected = prev_seq + 1;
    if seq == expected {
        return break_at(
            info,
            BreakKind::Inserted,
            seq,
            format!(
                "seq {seq} (line {line}) does not link to seq {prev_seq}: an event was inserted or replaced"
            ),
        );
    }
    if (1..=prev_seq).contains(&seq) {
        return break_at(
            info,
            BreakKind::Inserted,
            seq,
            format!("seq {seq} appears twice (again at line {line}): an event was inserted"),
        );
    }
    break_at(
        info,
        BreakKind::Reordered,
        seq,
        format!("seq {seq} stands after seq {prev_seq} (line {line}): events were reordered"),
    )
}

/// An open intent as the report names it; parsed in full only when it is
/// still open at the end of its block, so verifying stays a matter of hashing.
fn unfinished_at(line: &[u8]) -> Option<Unfinished> {
    let e: Event = serde_json::from_slice(line).ok()?;
    Some(Unfinished {
        seq: e.seq,
        id: e.id,
        action: e.action,
        at: e.at,
        user: e.actor.user,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::audit::event::{Draft, Outcome, Target};
    use chrono::DateTime;
    use serde_json::json;

    pub(crate) fn chain(n: u64) -> Vec<Event> {
        let mut out: Vec<Event> = Vec::new();
        let mut intent = None;
        for seq in 1..=n {
            let (phase, result, intent_ref) = if seq % 2 == 1 {
                (Phase::Intent, None, None)
            } else {
                (Phase::Outcome, Some(Outcome::Ok), intent)
            };
            let d = Draft {
                id: Uuid::now_v7(),
                at: DateTime::from_timestamp(1_800_000_000 + seq as i64, 0).unwrap(),
                actor: crate::audit::event::tests::actor(),
                action: "audit.record".into(),
                phase,
                result,
                intent: intent_ref,
                target: Target::default(),
                reason: None,
                content: json!({"n": seq, "hash": "not the top-level one"}),
            };
            let id = d.id;
            let prev = out.last().map_or(GENESIS.to_owned(), |e| e.hash.clone());
            out.push(d.seal_into_chain(seq, &prev));
            if phase == Phase::Intent {
                intent = Some(id);
            }
        }
        out
    }

    fn bytes(lines: &[String]) -> Vec<u8> {
        let mut s = lines.join("\n");
        s.push('\n');
        s.into_bytes()
    }

    fn lines(events: &[Event]) -> Vec<String> {
        events.iter().map(Event::to_line).collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let ev = chain(10);
        let r = verify_bytes(&bytes(&lines(&ev)), None);
        assert!(r.intact(), "{:?}", r.first_break);
        assert_eq!(r.events, 10);
        assert_eq!(r.head.unwrap().hash, ev[9].hash);
        assert!(r.unfinished.is_empty());
    }

    #[test]
    fn each_tamper_case_is_named_at_the_right_seq() {
        let ev = chain(10);
        let base = lines(&ev);

        let mut edited = base.clone();
        edited[4] = edited[4].replace("\"n\":5", "\"n\":6");
        let b = verify_bytes(&bytes(&edited), None).first_break.unwrap();
        assert_eq!((b.kind, b.seq), (BreakKind::Modified, 5));

        let mut deleted = base.clone();
        deleted.remove(3);
        let b = verify_bytes(&bytes(&deleted), None).first_break.unwrap();
        assert_eq!((b.kind, b.seq), (BreakKind::Deleted, 4));

        let mut swapped = base.clone();
        swapped.swap(5, 6);
        let b = verify_bytes(&bytes(&swapped), None).first_break.unwrap();
        assert_eq!((b.kind, b.seq), (BreakKind::Reordered, 6));

        // A forged event with a valid hash and link, slipped in before seq 7.
        let forged = Draft {
            id: Uuid::now_v7(),
            at: DateTime::from_timestamp(1_800_000_100, 0).unwrap(),
            actor: crate::audit::event::tests::actor(),
            action: "tenant.erase".into(),
            phase: Phase::Intent,
            result: None,
            intent: None,
            target: Target::default(),
            reason: None,
            content: json!({}),
        }
        .seal_into_chain(7, &ev[5].hash);
        let mut inserted = base.clone();
        inserted.insert(6, forged.to_line());
        let b = verify_bytes(&bytes(&inserted), None).first_break.unwrap();
        assert_eq!((b.kind, b.seq), (BreakKind::Inserted, 7));

        let truncated = base[..8].to_vec();
        let w = Head::of(&ev[9]).unwrap();
        let r = verify_bytes(&bytes(&truncated), Some(&w));
        let b = r.first_break.unwrap();
        assert_eq!((b.kind, b.seq), (BreakKind::Truncated, 9));
        // Without a witness, a truncated log is a valid shorter chain.
        assert!(verify_bytes(&bytes(&truncated), None).intact());

        let mut garbage = base.clone();
        garbage[2] = "{not json".into();
        let b = verify_bytes(&bytes(&garbage), None).first_break.unwrap();
        assert_eq!((b.kind, b.seq, b.line), (BreakKind::Malformed, 0, 3));
    }

    #[test]
    fn a_rewritten_history_is_caught_by_the_witness() {
        let ev = chain(6);
        let w = Head::of(&ev[3]).unwrap();
        // Rebuild the chain from scratch: internally consistent, but not the same.
        let other = chain(6);
        let r = verify_bytes(&bytes(&lines(&other)), Some(&w));
        let b = r.first_break.unwrap();
        assert_eq!((b.kind, b.seq), (BreakKind::Modified, 4));
        assert!(verify_bytes(&bytes(&lines(&ev)), Some(&w)).intact());
    }

    #[test]
    fn an_intent_without_outcome_is_unfinished() {
        let ev = chain(5);
        let r = verify_bytes(&bytes(&lines(&ev)), None);
        assert!(r.intact());
        assert_eq!(r.unfinished.len(), 1);
        assert_eq!(r.unfinished[0].seq, 5);
    }

    #[test]
    fn non_canonical_but_intact_lines_still_verify() {
        let ev = chain(2);
        let mut l = lines(&ev);
        let v: serde_json::Value = serde_json::from_str(&l[0]).unwrap();
        l[0] = serde_json::to_string_pretty(&v).unwrap().replace('\n', " ");
        assert!(verify_bytes(&bytes(&l), None).intact());
    }

    #[test]
    fn witness_parses() {
        let w: Witness = format!("12:{}", "A".repeat(64)).parse().unwrap();
        assert_eq!(w.seq, 12);
        assert_eq!(w.hash, "a".repeat(64));
        assert!("12".parse::<Witness>().is_err());
        assert!("x:ab".parse::<Witness>().is_err());
    }

    #[test]
    fn the_head_is_the_last_event_of_an_intact_chain_only() {
        let ev = chain(4);
        let r = verify_bytes(&bytes(&lines(&ev)), None);
        assert_eq!(r.head, Head::of(&ev[3]));
        let mut broken = lines(&ev);
        broken.swap(1, 2);
        assert_eq!(verify_bytes(&bytes(&broken), None).head, None);
    }

    /// Every way of feeding the same log gives the same report.
    fn all_ways(data: &[u8], witness: Option<&Witness>) -> VerifyReport {
        let whole = verify_bytes(data, witness);
        let mut by_line = Verifier::new(witness);
        let mut by_block = Verifier::new(witness);
        for l in split_lines(data) {
            by_line.feed_line(&data[l.0..l.1]);
            // A block per line: every break and gap spans blocks.
            let end = (l.1 + 1).min(data.len());
            by_block.feed_block(&data[l.0..end]);
        }
        let by_line = by_line.finish();
        assert_eq!(by_line, whole, "line by line");
        assert_eq!(by_block.finish(), whole, "block by block");
        whole
    }

    #[test]
    fn streaming_gives_the_same_report_as_the_whole_log() {
        let ev = chain(12);
        let base = lines(&ev);
        let w = Head::of(&ev[11]);
        let mut cases: Vec<Vec<String>> = vec![base.clone()];
        let mut edited = base.clone();
        edited[4] = edited[4].replace("\"n\":5", "\"n\":6");
        cases.push(edited);
        let mut deleted = base.clone();
        deleted.drain(3..5);
        cases.push(deleted);
        let mut swapped = base.clone();
        swapped.swap(5, 9);
        cases.push(swapped);
        let mut dup = base.clone();
        dup.insert(8, base[2].clone());
        cases.push(dup);
        cases.push(base[..7].to_vec());
        let mut garbage = base.clone();
        garbage[2] = "{not json".into();
        cases.push(garbage);
        for (i, c) in cases.iter().enumerate() {
            let data = bytes(c);
            let a = all_ways(&data, None);
            let b = all_ways(&data, w.as_ref());
            assert!(i == 0 || !b.intact(), "case {i} should break");
            assert!(i != 0 || (a.intact() && b.intact()), "case {i} intact");
        }
        // Reordered across blocks: the skipped seq turns up lines later.
        let mut late = base.clone();
        let moved = late.remove(2);
        late.insert(9, moved);
        let b = all_ways(&bytes(&late), None).first_break.unwrap();
        assert_eq!((b.kind, b.seq, b.line), (BreakKind::Reordered, 3, 3));
    }

    #[test]
    fn only_open_intents_are_kept() {
        let ev = chain(10_001);
        let mut v = Verifier::new(None);
        for e in &ev {
            v.feed_line(e.to_line().as_bytes());
        }
        v.flush_pending();
        assert_eq!(v.open.len(), 1, "the last intent only");
        let r = v.finish();
        assert!(r.intact());
        assert_eq!(r.unfinished.len(), 1);
        assert_eq!(r.unfinished[0].seq, 10_001);
    }

    #[test]
    fn an_intent_closed_in_a_later_block_is_finished() {
        let ev = chain(4);
        let mut v = Verifier::new(None);
        for e in &ev {
            let mut l = e.to_line().into_bytes();
            l.push(b'\n');
            v.feed_block(&l);
        }
        let r = v.finish();
        assert!(r.intact());
        assert!(r.unfinished.is_empty(), "{:?}", r.unfinished);
    }
}
