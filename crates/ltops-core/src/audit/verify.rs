//! Chain verification: recomputes every hash and link and names the first broken
//! `seq` and what happened there (modified, deleted, reordered, inserted, tail
//! truncated). Fast enough for a million events a second on two cores, because
//! the annual review runs it over years of log.

use std::collections::{HashMap, HashSet};

use memchr::memmem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::event::{Event, GENESIS, Phase, canonical};
pub use super::head::{ChainHash, Head};

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
pub fn verify_bytes(data: &[u8], witness: Option<&Witness>) -> VerifyReport {
    let spans = split_lines(data);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = spans.len().div_ceil(threads).max(1);
    let mut infos: Vec<LineInfo> = Vec::with_capacity(spans.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = spans
            .chunks(chunk)
            .enumerate()
            .map(|(ci, part)| {
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, &(a, b))| check_line(data, ci * chunk + i + 1, a, b))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A panicking verifier thread is a bug; treat its lines as unreadable.
            if let Ok(part) = h.join() {
                infos.extend(part);
            }
        }
    });
    if infos.len() != spans.len() {
        return VerifyReport {
            events: spans.len() as u64,
            head: None,
            first_break: Some(Break {
                seq: 0,
                line: 0,
                kind: BreakKind::Malformed,
                detail: "internal error while verifying".into(),
            }),
            witness: witness.cloned(),
            unfinished: Vec::new(),
        };
    }
    link(data, &infos, witness)
}

/// Links the checked lines into one chain: the first break in it, the head, the
/// comparison with the witness, and the intents that never got an outcome.
fn link(data: &[u8], infos: &[LineInfo], witness: Option<&Witness>) -> VerifyReport {
    let mut first_break = first_chain_break(infos);
    let head = match (&first_break, infos.last()) {
        (None, Some(l)) => Some(Head {
            seq: l.seq,
            hash: ChainHash(l.hash),
        }),
        _ => None,
    };
    if first_break.is_none()
        && let Some(w) = witness
    {
        first_break = witness_break(infos, w);
    }
    VerifyReport {
        events: infos.len() as u64,
        head,
        first_break,
        witness: witness.cloned(),
        unfinished: unfinished(data, infos),
    }
}

/// Walks the chain from genesis and names the first line that does not extend
/// it: a damaged line, a broken link, or a seq out of its place.
fn first_chain_break(infos: &[LineInfo]) -> Option<Break> {
    let all_seqs: HashSet<u64> = infos.iter().map(|i| i.seq).collect();
    let mut seen: HashSet<u64> = HashSet::with_capacity(infos.len());
    let mut prev_seq = 0u64;
    let mut prev_hash = unhex(GENESIS).unwrap_or([0; 32]);
    for info in infos {
        if let Some((kind, detail)) = &info.problem {
            return Some(break_at(info, *kind, info.seq, detail.clone()));
        }
        if info.seq == prev_seq + 1 && info.prev == prev_hash {
            seen.insert(info.seq);
            prev_seq = info.seq;
            prev_hash = info.hash;
            continue;
        }
        return Some(misplaced(info, prev_seq, &all_seqs, &seen));
    }
    None
}

fn break_at(info: &LineInfo, kind: BreakKind, seq: u64, detail: String) -> Break {
    Break {
        seq,
        line: info.line,
        kind,
        detail,
    }
}

/// Why `info` does not follow `prev_seq`: which kind of tampering explains it.
fn misplaced(
    info: &LineInfo,
    prev_seq: u64,
    all_seqs: &HashSet<u64>,
    seen: &HashSet<u64>,
) -> Break {
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
    if seq > expected && all_seqs.contains(&expected) {
        return break_at(
            info,
            BreakKind::Reordered,
            expected,
            format!("seq {expected} stands after seq {seq} (line {line}): events were reordered"),
        );
    }
    if seq > expected {
        let last_missing = seq - 1;
        let what = if last_missing == expected {
            format!("seq {expected} was deleted")
        } else {
            format!("seq {expected}–{last_missing} were deleted")
        };
        return break_at(
            info,
            BreakKind::Deleted,
            expected,
            format!("{what} (line {line} jumps from seq {prev_seq} to {seq})"),
        );
    }
    if seen.contains(&seq) {
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

/// An intact chain checked against the recorded head: shorter than it
/// (truncated), or holding another event at its seq (rewritten).
fn witness_break(infos: &[LineInfo], w: &Witness) -> Option<Break> {
    let last_seq = infos.last().map_or(0, |l| l.seq);
    if w.seq > last_seq {
        return Some(Break {
            seq: last_seq + 1,
            line: infos.len() + 1,
            kind: BreakKind::Truncated,
            detail: format!(
                "the log ends at seq {last_seq}, but the recorded head is seq {}: the tail was truncated",
                w.seq
            ),
        });
    }
    // The last line with the witness's seq: in an intact chain there is one.
    let at_seq = infos.iter().rev().find(|i| i.seq == w.seq);
    if w.seq == 0 || at_seq.is_some_and(|i| i.hash == w.hash.0) {
        return None;
    }
    Some(Break {
        seq: w.seq,
        line: infos.iter().find(|i| i.seq == w.seq).map_or(0, |i| i.line),
        kind: BreakKind::Modified,
        detail: format!(
            "seq {} differs from the recorded head {}: the history up to it was rewritten",
            w.seq, w.hash
        ),
    })
}

/// Intents without an outcome, in log order. Only these lines are parsed in
/// full, so verifying a long log stays a matter of hashing.
fn unfinished(data: &[u8], infos: &[LineInfo]) -> Vec<Unfinished> {
    let mut open_intents: HashMap<Uuid, usize> = HashMap::new();
    for (idx, info) in infos.iter().enumerate() {
        match info.phase {
            Phase::Intent => {
                open_intents.insert(info.id, idx);
            }
            Phase::Outcome => {
                if let Some(i) = info.intent {
                    open_intents.remove(&i);
                }
            }
        }
    }
    let mut unfinished: Vec<Unfinished> = open_intents
        .values()
        .filter_map(|&idx| {
            let i = &infos[idx];
            let e: Event = serde_json::from_slice(&data[i.start..i.end]).ok()?;
            Some(Unfinished {
                seq: e.seq,
                id: e.id,
                action: e.action,
                at: e.at,
                user: e.actor.user,
            })
        })
        .collect();
    unfinished.sort_by_key(|u| u.seq);
    unfinished
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
}
