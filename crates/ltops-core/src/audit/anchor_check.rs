//! What a signed checkpoint is, how it is named in the bucket, and how a local
//! chain is held against the checkpoints — apart from S3 and KMS, so that the
//! same check runs on the live anchor, on an evidence file offline, and in
//! the TOM review.
//!
//! The comparison rests on the hash chain: when the local chain is intact and
//! its event at a checkpoint's seq has the checkpoint's hash, every local event
//! up to it is the one that was anchored (a hash commits to everything before
//! it). So `audit verify` needs the checkpoints — which a LIST of the bucket
//! returns, a thousand per request, in their object names — and reads an
//! anchored segment only where a checkpoint disagrees, to name the events
//! that differ.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::LineHead;

/// The signed part of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub first_seq: u64,
    pub seq: u64,
    /// Hash of event `seq`.
    pub hash: String,
    /// `prev_hash` of event `first_seq`: where this segment hangs in the chain.
    pub prev_hash: String,
    /// RFC 3339, whole seconds, UTC (`2026-12-01T10:05:38Z`).
    pub at: String,
    pub by: String,
    /// SHA-256 of the segment's bytes (the events `first_seq..=seq`).
    pub segment_sha256: String,
}

/// A checkpoint and its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub checkpoint: Checkpoint,
    /// Base64 DER ECDSA signature over [`Checkpoint::message`].
    pub signature: String,
}

impl Checkpoint {
    /// The bytes that are signed: serde's field order is fixed, so the JSON
    /// text is canonical.
    pub fn message(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl Signed {
    /// The segment object's name under `segments/`: the whole signed
    /// checkpoint, so that a LIST of the bucket is a list of verifiable
    /// checkpoints. Fields are separated by `.`, which neither hex nor
    /// base64url contains; seqs are zero-padded so that names sort by seq.
    pub fn object_name(&self) -> Option<String> {
        let c = &self.checkpoint;
        let sig = B64.decode(&self.signature).ok()?;
        Some(format!(
            "{:020}.{:020}.{}.{}.{}.{}.{}.{}.jsonl",
            c.seq,
            c.first_seq,
            c.hash,
            c.prev_hash,
            c.segment_sha256,
            compact_time(&c.at)?,
            B64URL.encode(c.by.as_bytes()),
            B64URL.encode(sig)
        ))
    }

    /// The checkpoint an object name carries; `None` when the name is not one.
    pub fn from_object_name(name: &str) -> Option<Signed> {
        let parts: Vec<&str> = name.strip_suffix(".jsonl")?.split('.').collect();
        let [seq, first, hash, prev, sha, at, by, sig] = parts.as_slice() else {
            return None;
        };
        let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !(hex64(hash) && hex64(prev) && hex64(sha)) {
            return None;
        }
        Some(Signed {
            checkpoint: Checkpoint {
                first_seq: first.parse().ok()?,
                seq: seq.parse().ok()?,
                hash: (*hash).to_owned(),
                prev_hash: (*prev).to_owned(),
                at: full_time(at)?,
                by: String::from_utf8(B64URL.decode(by).ok()?).ok()?,
                segment_sha256: (*sha).to_owned(),
            },
            signature: B64.encode(B64URL.decode(sig).ok()?),
        })
    }
}

/// `2026-12-01T10:05:38Z` → `20261201T100538Z`: no `:` in object names.
fn compact_time(at: &str) -> Option<String> {
    let c: String = at.chars().filter(|c| *c != '-' && *c != ':').collect();
    (c.len() == 16 && full_time(&c).as_deref() == Some(at)).then_some(c)
}

fn full_time(c: &str) -> Option<String> {
    let b = c.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (b.len() == 16 && b[8] == b'T' && b[15] == b'Z' && digits(0..8) && digits(9..15)).then(|| {
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            &c[0..4],
            &c[4..6],
            &c[6..8],
            &c[9..11],
            &c[11..13],
            &c[13..15]
        )
    })
}

/// Verifies a checkpoint's signature with the key's public half (DER SPKI of
/// a P-256 key).
pub fn signature_ok(spki: &[u8], signed: &Signed) -> bool {
    // A P-256 SubjectPublicKeyInfo is a fixed 26-byte prefix and the 65-byte
    // uncompressed point.
    if spki.len() != 91 || spki[26] != 0x04 {
        return false;
    }
    let Ok(sig) = B64.decode(&signed.signature) else {
        return false;
    };
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, &spki[26..])
        .verify(&signed.checkpoint.message(), &sig)
        .is_ok()
}

/// What the comparison of the local log with its anchored copy found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnchorReport {
    pub anchor: String,
    pub checkpoints: usize,
    /// The last anchored seq.
    pub anchored_through: Option<u64>,
    /// Checkpoints whose signature does not verify, whose name is not a
    /// checkpoint, or whose segment does not match them: the copy itself is
    /// not to be trusted there.
    pub bad_checkpoints: Vec<String>,
    /// Seqs of checkpoints whose local event has another hash: the local log
    /// is not the anchored one up to there.
    pub diverged: Vec<u64>,
    /// Seqs whose local event says something else than the anchored one
    /// (found by reading the anchored segments of the diverged checkpoints).
    pub rewritten: Vec<u64>,
    /// Seqs whose local event says what the anchored one says but hangs on a
    /// rewritten chain (re-hashed after a rewrite before it).
    pub rehashed: Vec<u64>,
    /// Anchored seqs missing from the local log (rolled back or deleted).
    pub missing: Vec<u64>,
    /// Local seqs not yet anchored.
    pub unanchored: Vec<u64>,
}

impl AnchorReport {
    /// The local log agrees with everything anchored.
    pub fn intact(&self) -> bool {
        self.bad_checkpoints.is_empty()
            && self.diverged.is_empty()
            && self.rewritten.is_empty()
            && self.missing.is_empty()
    }
}

/// A trusted checkpoint, as small as the comparison needs it: 48 bytes, so
/// that a log of a million commands is held in 48 MB.
#[derive(Debug, Clone, Copy)]
struct Entry {
    seq: u64,
    first_seq: u64,
    hash: [u8; 32],
}

/// A checkpoint whose local event has another hash: its range is where the
/// differing events are to be looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diverged {
    pub first_seq: u64,
    pub seq: u64,
}

/// Holds the local chain, event by event in log order, against the trusted
/// checkpoints. Fed by the chain verifier (which has every event's seq and
/// hash at hand), so that the anchor costs no second reading of the log.
#[derive(Debug, Default)]
pub struct Tracker {
    report: AnchorReport,
    entries: Vec<Entry>,
    sorted: bool,
    next: usize,
    through: u64,
    last_seen: u64,
    diverged: Vec<Diverged>,
}

impl Tracker {
    pub fn new(anchor: &str) -> Tracker {
        Tracker {
            report: AnchorReport {
                anchor: anchor.to_owned(),
                ..AnchorReport::default()
            },
            sorted: true,
            ..Tracker::default()
        }
    }

    /// Takes checkpoints as they are listed: each signature is verified, and
    /// only the trusted ones are kept.
    pub fn add(&mut self, spki: &[u8], listed: &[Listed]) {
        let verdicts = verify_all(spki, listed);
        for (l, ok) in listed.iter().zip(verdicts) {
            self.report.checkpoints += 1;
            let Some(signed) = &l.signed else {
                self.report
                    .bad_checkpoints
                    .push(format!("{}: not a checkpoint's name", l.name));
                continue;
            };
            let cp = &signed.checkpoint;
            let hash = unhex(&cp.hash);
            match (ok, hash) {
                (true, Some(hash)) => {
                    if self.entries.last().is_some_and(|e| e.seq > cp.seq) {
                        self.sorted = false;
                    }
                    self.entries.push(Entry {
                        seq: cp.seq,
                        first_seq: cp.first_seq,
                        hash,
                    });
                    self.through = self.through.max(cp.seq);
                }
                _ => self
                    .report
                    .bad_checkpoints
                    .push(format!("seq {}: the signature does not verify", cp.seq)),
            }
        }
    }

    /// Marks a trusted checkpoint as damaged after all (its segment does not
    /// match it).
    pub fn bad(&mut self, finding: String) {
        self.report.bad_checkpoints.push(finding);
    }

    /// The next local event, in log order.
    pub fn see(&mut self, seq: u64, hash: &[u8; 32]) {
        if !self.sorted {
            self.entries.sort_by_key(|e| e.seq);
            self.sorted = true;
        }
        if seq > self.last_seen + 1 && self.last_seen < self.through {
            // Anchored events that the local log skips.
            let end = (seq - 1).min(self.through);
            self.report.missing.extend(self.last_seen + 1..=end);
        }
        self.last_seen = self.last_seen.max(seq);
        while let Some(e) = self.entries.get(self.next) {
            if e.seq > seq {
                break;
            }
            if e.seq == seq && &e.hash != hash {
                self.diverged.push(Diverged {
                    first_seq: e.first_seq,
                    seq: e.seq,
                });
            }
            self.next += 1;
        }
        if seq > self.through {
            self.report.unanchored.push(seq);
        }
    }

    /// The checkpoints whose local event has another hash, in seq order.
    pub fn diverged(&self) -> &[Diverged] {
        &self.diverged
    }

    /// The report, once the whole local log has been seen. `differences` are the
    /// rewritten and re-hashed seqs found in the diverged checkpoints'
    /// segments, when they were read.
    pub fn finish(mut self, differences: Option<Differences>) -> AnchorReport {
        if self.last_seen < self.through {
            // The anchored tail the local log does not reach: rolled back.
            self.report
                .missing
                .extend(self.last_seen + 1..=self.through);
        }
        self.report.diverged = self.diverged.iter().map(|d| d.seq).collect();
        self.report.diverged.dedup();
        if let Some(l) = differences {
            self.report.rewritten = l.rewritten;
            self.report.rehashed = l.rehashed;
            self.report.bad_checkpoints.extend(l.bad);
        }
        self.report.anchored_through = (self.through > 0).then_some(self.through);
        self.report
    }
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

/// Signatures checked on every core once there are enough of them (an ECDSA
/// verification takes tens of microseconds; a long log has many checkpoints).
fn verify_all(spki: &[u8], listed: &[Listed]) -> Vec<bool> {
    let one = |l: &Listed| l.signed.as_ref().is_some_and(|s| signature_ok(spki, s));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8));
    if listed.len() < 64 || threads == 1 {
        return listed.iter().map(one).collect();
    }
    let chunk = listed.len().div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = listed
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(one).collect::<Vec<bool>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}

/// A segment object as a LIST returns it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The object's name below `segments/`.
    pub name: String,
    /// The checkpoint its name carries; `None` when the name is not one.
    pub signed: Option<Signed>,
}

impl Listed {
    pub fn of(name: &str) -> Listed {
        Listed {
            name: name.to_owned(),
            signed: Signed::from_object_name(name),
        }
    }
}

/// The events that differ, found by comparing the anchored segments of the
/// diverged checkpoints with the local events of the same seqs.
#[derive(Debug, Default)]
pub struct Differences {
    pub rewritten: Vec<u64>,
    pub rehashed: Vec<u64>,
    pub bad: Vec<String>,
}

impl Differences {
    /// Compares one local event with its anchored copy.
    pub fn compare(&mut self, seq: u64, local: &[u8], anchored: &[u8]) {
        if local == anchored {
            return;
        }
        if without_links(local) == without_links(anchored) && without_links(local).is_some() {
            self.rehashed.push(seq);
        } else {
            self.rewritten.push(seq);
        }
    }
}

/// An event without its place in the chain: what it says.
fn without_links(line: &[u8]) -> Option<Value> {
    let mut v: Value = serde_json::from_slice(line).ok()?;
    let o = v.as_object_mut()?;
    o.remove("hash");
    o.remove("prev_hash");
    Some(v)
}

/// The seq of an event line, for the rare lines not seen by the chain check.
pub fn line_seq(line: &[u8]) -> Option<u64> {
    LineHead::of(line).map(|h| h.seq)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
    use sha2::{Digest, Sha256};

    pub(crate) struct Key {
        pair: EcdsaKeyPair,
        rng: SystemRandom,
    }

    pub(crate) fn hash_of(seq: u64) -> String {
        hex::encode(Sha256::digest(format!("h{seq}")))
    }

    impl Key {
        pub(crate) fn new() -> Key {
            let rng = SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
                    .unwrap();
            Key { pair, rng }
        }

        pub(crate) fn spki(&self) -> Vec<u8> {
            let mut spki = vec![0u8; 26];
            spki.extend_from_slice(self.pair.public_key().as_ref());
            spki
        }

        pub(crate) fn sign(&self, first: u64, last: u64, hash: String) -> Signed {
            let checkpoint = Checkpoint {
                first_seq: first,
                seq: last,
                hash,
                prev_hash: hash_of(first - 1),
                at: "2026-12-01T00:00:00Z".into(),
                by: "alice@leadtributor.cloud".into(),
                segment_sha256: hex::encode(Sha256::digest(b"")),
            };
            let sig = self.pair.sign(&self.rng, &checkpoint.message()).unwrap();
            Signed {
                checkpoint,
                signature: B64.encode(sig.as_ref()),
            }
        }
    }

    fn listed(signed: &Signed) -> Listed {
        Listed::of(&signed.object_name().unwrap())
    }

    fn bytes(seq: u64) -> [u8; 32] {
        unhex(&hash_of(seq)).unwrap()
    }

    #[test]
    fn an_object_name_carries_the_whole_signed_checkpoint() {
        let key = Key::new();
        let s = key.sign(5, 9, hash_of(9));
        let name = s.object_name().unwrap();
        assert!(name.len() < 600, "{}", name.len());
        assert_eq!(Signed::from_object_name(&name), Some(s.clone()));
        assert!(signature_ok(&key.spki(), &listed(&s).signed.unwrap()));
        assert!(Signed::from_object_name("x.jsonl").is_none());
        assert!(Signed::from_object_name(&name.replace("20261201T", "2026120xT")).is_none());
    }

    #[test]
    fn the_tracker_names_diverged_missing_and_unanchored_seqs() {
        let key = Key::new();
        let cps = [
            key.sign(1, 3, hash_of(3)),
            key.sign(4, 6, hash_of(6)),
            key.sign(7, 8, hash_of(8)),
        ];
        let all: Vec<Listed> = cps.iter().map(listed).collect();
        // 6 has another hash locally, 4 and 5 are gone, 9 and 10 not anchored.
        let mut t = Tracker::new("s3://b/");
        t.add(&key.spki(), &all);
        for seq in [1, 2, 3, 6, 7, 8, 9, 10] {
            let h = if seq == 6 { bytes(60) } else { bytes(seq) };
            t.see(seq, &h);
        }
        assert_eq!(
            t.diverged(),
            &[Diverged {
                first_seq: 4,
                seq: 6
            }]
        );
        let r = t.finish(None);
        assert_eq!(r.diverged, vec![6]);
        assert_eq!(r.missing, vec![4, 5]);
        assert_eq!(r.unanchored, vec![9, 10]);
        assert_eq!(r.anchored_through, Some(8));
        assert!(!r.intact());

        // A rolled-back tail.
        let mut t = Tracker::new("s3://b/");
        t.add(&key.spki(), &all);
        for seq in 1..=6 {
            t.see(seq, &bytes(seq));
        }
        let r = t.finish(None);
        assert_eq!(r.missing, vec![7, 8]);
        assert!(r.diverged.is_empty());
    }

    #[test]
    fn forged_and_foreign_checkpoints_are_not_trusted() {
        let key = Key::new();
        let other = Key::new();
        let mut forged = key.sign(4, 5, hash_of(5));
        forged.signature = B64.encode(b"not a signature");
        let all = vec![
            listed(&key.sign(1, 3, hash_of(3))),
            listed(&forged),
            listed(&other.sign(4, 5, hash_of(5))),
            Listed::of("not-a-checkpoint.jsonl"),
        ];
        let mut t = Tracker::new("s3://b/");
        t.add(&key.spki(), &all);
        for seq in 1..=5 {
            t.see(seq, &bytes(seq));
        }
        let r = t.finish(None);
        assert_eq!(
            r.bad_checkpoints,
            vec![
                "seq 5: the signature does not verify".to_owned(),
                "seq 5: the signature does not verify".to_owned(),
                "not-a-checkpoint.jsonl: not a checkpoint's name".to_owned(),
            ]
        );
        assert_eq!(r.anchored_through, Some(3));
        assert_eq!(r.unanchored, vec![4, 5]);
        assert_eq!(r.checkpoints, 4);
    }

    #[test]
    fn a_rewritten_event_is_told_apart_from_the_rehashed_ones_after_it() {
        let mut l = Differences::default();
        let a = br#"{"seq":3,"hash":"a","prev_hash":"p","content":1}"#;
        l.compare(3, a, a);
        l.compare(3, br#"{"seq":3,"hash":"b","prev_hash":"p","content":2}"#, a);
        l.compare(
            4,
            br#"{"seq":4,"hash":"x","prev_hash":"b","content":1}"#,
            br#"{"seq":4,"hash":"y","prev_hash":"a","content":1}"#,
        );
        assert_eq!(l.rewritten, vec![3]);
        assert_eq!(l.rehashed, vec![4]);
    }
}
