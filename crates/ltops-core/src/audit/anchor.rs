//! The audit log's witness outside the database it audits and outside the
//! reach of its administrators (TOM §5): every event is shipped to an S3 bucket
//! with Object Lock in compliance mode, in write-once objects, each named by a
//! checkpoint signed with an asymmetric KMS key. Nobody — not the database
//! owner, not the bucket's account root — can rewrite an anchored event
//! unnoticed, and a point-in-time restore can carry the chain forward from it.
//!
//! Layout under the configured prefix — one object per shipment:
//! - `segments/<signed checkpoint>.jsonl`: the event lines `first..=last` as
//!   the local store holds them. The object's *name* is the checkpoint — last
//!   seq (zero-padded, so that names sort by seq), first seq, the last event's
//!   hash, the hash the first hangs on, the body's SHA-256, when, by whom, and
//!   the `kms:Sign` signature (ECDSA P-256, SHA-256) over all of it (see
//!   `anchor_check`). A LIST of the bucket is thus a list of verifiable
//!   checkpoints, a thousand per request: `audit verify` over a million events
//!   reads no segment unless a checkpoint disagrees with the local log.
//! - `head.json`: a hint to the newest checkpoint's seq (overwritable, not
//!   trusted: everything after it is listed).
//!
//! A shipment holds at most [`MAX_SEGMENT_EVENTS`] events; a longer backlog
//! (an anchor configured for an existing log) goes out as several objects.
//!
//! Failure semantics: shipping happens after the local append. When S3 or KMS
//! cannot be reached the command still runs (the local log is the record of
//! truth and is written fail-closed); the next command ships everything not
//! yet anchored, and `audit verify` names the events that are not anchored.
//! Nothing is lost either way, and an anchored object is never replaced: every
//! put is conditional (`If-None-Match: *`), and the bucket refuses deletes.

use aws_config::SdkConfig;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ObjectLockEnabled, ObjectLockRetentionMode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};

pub use super::anchor_check::{AnchorReport, Checkpoint, Listed, Signed, signature_ok};
use super::event::LineHead;
use super::{AuditError, LogTail};
use crate::aws::error::{AwsError, describe};
use crate::settings::AnchorSection;

/// The regions of the European Economic Area that S3 offers (TOM: processing
/// only within the EEA). Zurich and London are not in the EEA.
pub const EEA_REGIONS: [&str; 6] = [
    "eu-central-1",
    "eu-west-1",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
];

/// Events per segment object at most: bounds the memory of shipping, of
/// locating a difference, and of carrying a chain forward.
pub const MAX_SEGMENT_EVENTS: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("the anchor bucket {bucket} is not acceptable: {why}")]
    Unfit { bucket: String, why: String },
    #[error("the anchor key {key} is not acceptable: {why}")]
    UnfitKey { key: String, why: String },
    #[error("anchor object {key}: {why}")]
    Damaged { key: String, why: String },
    #[error(
        "the local audit log differs from its anchored copy at seq {seq} — nothing more is shipped; run `ltops audit verify`"
    )]
    Diverged { seq: u64 },
}

/// An anchor, ready to ship and verify.
pub struct Anchor {
    s3: aws_sdk_s3::Client,
    kms: aws_sdk_kms::Client,
    pub bucket: String,
    prefix: String,
    pub key_id: String,
    retention_years: u32,
    allowed_regions: Vec<String>,
}

/// What one call of [`Anchor::ship`] anchored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipped {
    pub first_seq: u64,
    pub seq: u64,
    /// Segment objects written (more than one for a long backlog).
    pub objects: usize,
}

impl Anchor {
    pub fn new(sdk: &SdkConfig, cfg: &AnchorSection) -> Anchor {
        let mut s3 = aws_sdk_s3::config::Builder::from(sdk).force_path_style(true);
        if let Some(r) = &cfg.region {
            s3 = s3.region(aws_sdk_s3::config::Region::new(r.clone()));
        }
        let mut kms = aws_sdk_kms::config::Builder::from(sdk);
        if let Some(r) = &cfg.region {
            kms = kms.region(aws_sdk_kms::config::Region::new(r.clone()));
        }
        let prefix = cfg
            .prefix
            .as_deref()
            .map(|p| format!("{}/", p.trim_end_matches('/')))
            .unwrap_or_default();
        Anchor {
            s3: aws_sdk_s3::Client::from_conf(s3.build()),
            kms: aws_sdk_kms::Client::from_conf(kms.build()),
            bucket: cfg.bucket.clone(),
            prefix,
            key_id: cfg.kms_key.clone(),
            retention_years: cfg.retention_years.unwrap_or(10),
            allowed_regions: cfg
                .allowed_regions
                .clone()
                .unwrap_or_else(|| EEA_REGIONS.iter().map(|r| (*r).to_owned()).collect()),
        }
    }

    pub fn describe(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    fn segments(&self) -> String {
        format!("{}segments/", self.prefix)
    }

    fn head_key(&self) -> String {
        format!("{}head.json", self.prefix)
    }

    /// Refuses a bucket without compliance-mode Object Lock of at least the
    /// configured retention, or outside the allowed regions; and a key that is
    /// not an enabled ECC_NIST_P256 signing key.
    pub async fn check(&self) -> Result<Vec<String>, AnchorError> {
        let unfit = |why: String| AnchorError::Unfit {
            bucket: self.bucket.clone(),
            why,
        };
        let loc = self
            .s3
            .get_bucket_location()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| describe("s3:GetBucketLocation", &e))?;
        let region = loc
            .location_constraint()
            .map(|c| c.as_str().to_owned())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "us-east-1".into());
        if !self.allowed_regions.contains(&region) {
            return Err(unfit(format!(
                "it is in {region}, outside the allowed regions ({}) — personal data stays in the EEA",
                self.allowed_regions.join(", ")
            )));
        }
        let lock = self
            .s3
            .get_object_lock_configuration()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| describe("s3:GetObjectLockConfiguration", &e))?;
        let cfg = lock
            .object_lock_configuration()
            .ok_or_else(|| unfit("it has no Object Lock configuration".into()))?;
        if cfg.object_lock_enabled() != Some(&ObjectLockEnabled::Enabled) {
            return Err(unfit("Object Lock is not enabled".into()));
        }
        let retention = cfg
            .rule()
            .and_then(|r| r.default_retention())
            .ok_or_else(|| unfit("it has no default retention".into()))?;
        if retention.mode() != Some(&ObjectLockRetentionMode::Compliance) {
            return Err(unfit(format!(
                "its default retention is {} mode, not compliance mode (governance can be lifted by an administrator)",
                retention.mode().map_or("no", |m| m.as_str())
            )));
        }
        let days = retention
            .years()
            .map(|y| i64::from(y) * 365)
            .or(retention.days().map(i64::from))
            .unwrap_or(0);
        if days < i64::from(self.retention_years) * 365 {
            return Err(unfit(format!(
                "its default retention is {days} days, less than the {} years configured",
                self.retention_years
            )));
        }
        self.check_key().await?;
        Ok(vec![
            format!("bucket {} in {region}", self.bucket),
            format!("compliance-mode Object Lock, {days} days"),
            format!("signing key {} (ECC_NIST_P256)", self.key_id),
        ])
    }

    async fn check_key(&self) -> Result<(), AnchorError> {
        let out = self
            .kms
            .describe_key()
            .key_id(&self.key_id)
            .send()
            .await
            .map_err(|e| describe("kms:DescribeKey", &e))?;
        let unfit = |why: &str| AnchorError::UnfitKey {
            key: self.key_id.clone(),
            why: why.to_owned(),
        };
        let meta = out.key_metadata().ok_or_else(|| unfit("no key metadata"))?;
        if meta.key_spec() != Some(&KeySpec::EccNistP256) {
            return Err(unfit("it is not an ECC_NIST_P256 key"));
        }
        if meta.key_usage() != Some(&KeyUsageType::SignVerify) {
            return Err(unfit("its usage is not SIGN_VERIFY"));
        }
        if !meta.enabled() {
            return Err(unfit("it is disabled"));
        }
        Ok(())
    }

    /// The newest checkpoint whose signature verifies, or `None` when nothing
    /// is anchored yet. An object whose name is no checkpoint of this key (a
    /// forgery, junk) is passed over: it can neither stop shipping nor make
    /// events look anchored that are not.
    pub async fn latest(&self) -> Result<Option<Signed>, AnchorError> {
        let head = self.head_key();
        let (spki, hint) = tokio::join!(self.public_key(), self.get_bytes(&head));
        let spki = spki?;
        let hint = hint
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.trim().parse::<u64>().ok());
        let from_hint = match hint {
            // Names of seq `seq` and after sort after this one.
            Some(seq) => {
                self.newest_after(&spki, Some(&format!("{}{seq:020}", self.segments())))
                    .await?
            }
            None => None,
        };
        match from_hint {
            Some(s) => Ok(Some(s)),
            // No hint, or one past the last checkpoint: it is not trusted.
            None => self.newest_after(&spki, None).await,
        }
    }

    async fn newest_after(
        &self,
        spki: &[u8],
        start_after: Option<&str>,
    ) -> Result<Option<Signed>, AnchorError> {
        let mut newest = None;
        self.list(start_after, |page| {
            let found = page
                .into_iter()
                .rev()
                .filter_map(|l| l.signed)
                .find(|s| signature_ok(spki, s));
            if found.is_some() {
                newest = found;
            }
        })
        .await?;
        Ok(newest)
    }

    /// Every segment object's name, in seq order, a LIST page at a time.
    pub async fn list(
        &self,
        start_after: Option<&str>,
        mut each: impl FnMut(Vec<Listed>),
    ) -> Result<(), AnchorError> {
        let dir = self.segments();
        let mut req = self.s3.list_objects_v2().bucket(&self.bucket).prefix(&dir);
        if let Some(s) = start_after {
            req = req.start_after(s);
        }
        let mut pages = req.into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| describe("s3:ListObjectsV2", &e))?;
            let listed = page
                .contents()
                .iter()
                .filter_map(|o| o.key())
                .filter_map(|k| k.strip_prefix(&dir))
                .map(Listed::of)
                .collect();
            each(listed);
        }
        Ok(())
    }

    async fn get_bytes(&self, key: &str) -> Result<Vec<u8>, AnchorError> {
        let out = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| describe("s3:GetObject", &e))?;
        let body = out.body.collect().await.map_err(|e| AnchorError::Damaged {
            key: key.to_owned(),
            why: format!("cannot read it: {e}"),
        })?;
        Ok(body.into_bytes().to_vec())
    }

    /// The events of a checkpoint, checked against its digest.
    pub async fn segment(&self, signed: &Signed) -> Result<Vec<u8>, AnchorError> {
        let name = signed.object_name().unwrap_or_default();
        let key = format!("{}{name}", self.segments());
        let body = self.get_bytes(&key).await?;
        if hex::encode(Sha256::digest(&body)) != signed.checkpoint.segment_sha256 {
            return Err(AnchorError::Damaged {
                key,
                why: "its events do not match its checkpoint's digest".into(),
            });
        }
        Ok(body)
    }

    /// The checkpoint with this seq, found by listing from it.
    pub async fn checkpoint_at(&self, seq: u64) -> Result<Option<Signed>, AnchorError> {
        let out = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(format!("{}{seq:020}.", self.segments()))
            .max_keys(1)
            .send()
            .await
            .map_err(|e| describe("s3:ListObjectsV2", &e))?;
        let dir = self.segments();
        Ok(out
            .contents()
            .iter()
            .filter_map(|o| o.key()?.strip_prefix(&dir))
            .find_map(Signed::from_object_name))
    }

    /// Puts an object that must not exist yet. A second put of the same key is
    /// refused by S3 (412), never overwrites.
    async fn put_new(&self, key: &str, body: Vec<u8>) -> Result<(), AnchorError> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .if_none_match("*")
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| describe("s3:PutObject", &e))?;
        Ok(())
    }

    /// Ships every local event after the newest checkpoint. `log` is the local
    /// log (or its end); it is read backwards only as far as the newest
    /// checkpoint. Returns what was anchored, or `None` when nothing was due.
    pub async fn ship(&self, log: &[u8], by: &str) -> Result<Option<Shipped>, AnchorError> {
        let latest = self.latest().await?;
        let mut pending = Pending::after(latest.as_ref().map(|l| &l.checkpoint));
        for line in log.rsplit(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            if pending.push_back(line)? {
                break;
            }
        }
        self.ship_pending(pending, by).await
    }

    /// [`Anchor::ship`] from the store's log read backwards from its end: a
    /// command reads what it appended and the anchored event before it, not
    /// the whole log.
    pub async fn ship_tail(
        &self,
        tail: &mut LogTail<'_>,
        by: &str,
    ) -> Result<Option<Shipped>, ShipError> {
        let latest = self.latest().await?;
        let mut pending = Pending::after(latest.as_ref().map(|l| &l.checkpoint));
        while let Some(line) = tail.next_line().await? {
            if pending.push_back(&line)? {
                break;
            }
        }
        Ok(self.ship_pending(pending, by).await?)
    }

    async fn ship_pending(
        &self,
        pending: Pending<'_>,
        by: &str,
    ) -> Result<Option<Shipped>, AnchorError> {
        let segments = pending.finish()?;
        let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
            return Ok(None);
        };
        let shipped = Shipped {
            first_seq: first.first.seq,
            seq: last.last.seq,
            objects: segments.len(),
        };
        for s in segments {
            let checkpoint = Checkpoint {
                first_seq: s.first.seq,
                seq: s.last.seq,
                hash: s.last.hash,
                prev_hash: s.first.prev_hash,
                at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                by: by.to_owned(),
                segment_sha256: hex::encode(Sha256::digest(&s.body)),
            };
            let signature = self.sign(&checkpoint.message()).await?;
            let signed = Signed {
                checkpoint,
                signature,
            };
            let name = signed.object_name().ok_or_else(|| AnchorError::Damaged {
                key: self.segments(),
                why: format!("checkpoint {} cannot be named", signed.checkpoint.seq),
            })?;
            self.put_new(&format!("{}{name}", self.segments()), s.body)
                .await?;
        }
        // The hint may be stale or missing; `latest` lists past it anyway.
        let _ = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(self.head_key())
            .body(ByteStream::from(shipped.seq.to_string().into_bytes()))
            .send()
            .await;
        Ok(Some(shipped))
    }

    async fn sign(&self, message: &[u8]) -> Result<String, AnchorError> {
        let out = self
            .kms
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .map_err(|e| describe("kms:Sign", &e))?;
        let sig = out.signature().ok_or_else(|| AnchorError::UnfitKey {
            key: self.key_id.clone(),
            why: "kms:Sign returned no signature".into(),
        })?;
        Ok(B64.encode(sig.as_ref()))
    }

    /// The key's public half (DER SubjectPublicKeyInfo), for offline checks.
    pub async fn public_key(&self) -> Result<Vec<u8>, AnchorError> {
        let out = self
            .kms
            .get_public_key()
            .key_id(&self.key_id)
            .send()
            .await
            .map_err(|e| describe("kms:GetPublicKey", &e))?;
        out.public_key()
            .map(|b| b.as_ref().to_vec())
            .ok_or_else(|| AnchorError::UnfitKey {
                key: self.key_id.clone(),
                why: "kms:GetPublicKey returned no key".into(),
            })
    }

    /// Every checkpoint, in seq order (for an evidence file's trailer).
    pub async fn checkpoints(&self) -> Result<Vec<Signed>, AnchorError> {
        let mut all = Vec::new();
        self.list(None, |page| {
            all.extend(page.into_iter().filter_map(|l| l.signed));
        })
        .await?;
        Ok(all)
    }

    /// The anchored log itself, every segment in order, each checked against
    /// its signed checkpoint: the source from which a restored copy's chain is
    /// carried forward when the live log is gone. A checkpoint that does not
    /// verify is refused, not skipped.
    pub async fn read_log(&self) -> Result<Vec<u8>, AnchorError> {
        let spki = self.public_key().await?;
        let mut log = Vec::new();
        let mut through = 0u64;
        // Every carried event's hash: two signed checkpoints of one seq must
        // agree, and every segment must continue the chain carried so far — a
        // fork in the anchor (a forged checkpoint signed with the key) is refused.
        let mut hashes: std::collections::HashMap<u64, String> = Default::default();
        let mut last_hash = super::event::GENESIS.to_owned();
        for signed in self.checkpoints().await? {
            let cp = &signed.checkpoint;
            let damaged = |why: String| AnchorError::Damaged {
                key: format!("{}{:020}.…", self.segments(), cp.seq),
                why,
            };
            if !signature_ok(&spki, &signed) {
                return Err(damaged(
                    "its signature does not verify with the anchor key".into(),
                ));
            }
            if cp.seq <= through {
                // A second shipment of the same events (two commands at once).
                if hashes.get(&cp.seq) != Some(&cp.hash) {
                    return Err(damaged(format!(
                        "two signed checkpoints of seq {} disagree — the anchor holds a fork; the chain is not carried from it",
                        cp.seq
                    )));
                }
                continue;
            }
            let segment = self.segment(&signed).await?;
            for line in segment.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let Some(h) = LineHead::of(line) else {
                    return Err(damaged("an unreadable line in its segment".into()));
                };
                if h.seq <= through {
                    continue;
                }
                if h.seq != through + 1 || h.prev_hash != last_hash {
                    return Err(damaged(format!(
                        "seq {} does not continue the anchored chain after seq {through}",
                        h.seq
                    )));
                }
                log.extend_from_slice(line);
                log.push(b'\n');
                through = h.seq;
                last_hash = h.hash.clone();
                hashes.insert(h.seq, h.hash);
            }
            if through != cp.seq || last_hash != cp.hash {
                return Err(damaged("its events do not end at its checkpoint".into()));
            }
        }
        Ok(log)
    }
}

/// Why a command's events could not be shipped.
#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Anchor(#[from] AnchorError),
}

/// A segment to ship: its lines and its first and last event.
struct Segment {
    body: Vec<u8>,
    first: LineHead,
    last: LineHead,
}

/// The local events after the newest checkpoint, collected from the log read
/// backwards (last line first) until the checkpoint's own event.
struct Pending<'c> {
    latest: Option<&'c Checkpoint>,
    /// Lines and their parse, last first.
    lines: Vec<(Vec<u8>, LineHead)>,
}

impl<'c> Pending<'c> {
    fn after(latest: Option<&'c Checkpoint>) -> Pending<'c> {
        Pending {
            latest,
            lines: Vec::new(),
        }
    }

    /// Takes the line before those taken so far; `true` when the anchored
    /// part is reached and nothing before it is needed. The local event at the
    /// checkpoint's seq must be the anchored one.
    fn push_back(&mut self, line: &[u8]) -> Result<bool, AnchorError> {
        let Some(e) = LineHead::of(line) else {
            return Ok(false);
        };
        match self.latest {
            Some(l) if e.seq < l.seq => Ok(true),
            Some(l) if e.seq == l.seq => {
                if e.hash != l.hash {
                    return Err(AnchorError::Diverged { seq: e.seq });
                }
                Ok(true)
            }
            _ => {
                self.lines.push((line.to_vec(), e));
                Ok(false)
            }
        }
    }

    /// The segments to ship, in order, each of at most [`MAX_SEGMENT_EVENTS`]
    /// events; none when nothing is pending. The first pending event must hang
    /// on the checkpoint.
    fn finish(mut self) -> Result<Vec<Segment>, AnchorError> {
        self.lines.reverse();
        if let (Some(l), Some((_, first))) = (self.latest, self.lines.first())
            && first.prev_hash != l.hash
        {
            return Err(AnchorError::Diverged { seq: first.seq });
        }
        let mut out = Vec::new();
        let mut lines = self.lines.into_iter().peekable();
        while lines.peek().is_some() {
            let chunk: Vec<(Vec<u8>, LineHead)> = lines.by_ref().take(MAX_SEGMENT_EVENTS).collect();
            let mut body = Vec::with_capacity(chunk.iter().map(|(l, _)| l.len() + 1).sum());
            for (line, _) in &chunk {
                body.extend_from_slice(line);
                body.push(b'\n');
            }
            let mut heads = chunk.into_iter().map(|(_, e)| e);
            let Some(first) = heads.next() else { break };
            let last = heads.next_back().unwrap_or_else(|| first.clone());
            out.push(Segment { body, first, last });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64, text: &str) -> String {
        format!(
            r#"{{"seq":{seq},"hash":"h{seq}","prev_hash":"h{}","text":"{text}"}}"#,
            seq - 1
        )
    }

    fn log(seqs: impl IntoIterator<Item = u64>, text: &str) -> Vec<u8> {
        seqs.into_iter()
            .map(|s| line(s, text) + "\n")
            .collect::<String>()
            .into_bytes()
    }

    fn checkpoint(seq: u64) -> Checkpoint {
        Checkpoint {
            first_seq: 1,
            seq,
            hash: format!("h{seq}"),
            prev_hash: "h0".into(),
            at: "2026-12-01T00:00:00Z".into(),
            by: "test".into(),
            segment_sha256: String::new(),
        }
    }

    fn pending(
        latest: Option<&Checkpoint>,
        log: &[u8],
    ) -> Result<Vec<(Vec<u8>, u64, u64)>, AnchorError> {
        let mut p = Pending::after(latest);
        for l in log.rsplit(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            if p.push_back(l)? {
                break;
            }
        }
        Ok(p.finish()?
            .into_iter()
            .map(|s| (s.body, s.first.seq, s.last.seq))
            .collect())
    }

    #[test]
    fn shipping_reads_back_to_the_checkpoint_and_checks_the_join() {
        let cp = checkpoint(4);
        let segments = pending(Some(&cp), &log(1..=7, "a")).unwrap();
        assert_eq!(segments, vec![(log(5..=7, "a"), 5, 7)]);
        assert!(pending(Some(&cp), &log(1..=4, "a")).unwrap().is_empty());
        let segments = pending(None, &log(1..=2, "a")).unwrap();
        assert_eq!((segments[0].1, segments[0].2), (1, 2));
        // The anchored event rewritten locally.
        let mut other = cp.clone();
        other.hash = "elsewhere".into();
        assert!(matches!(
            pending(Some(&other), &log(1..=7, "a")),
            Err(AnchorError::Diverged { seq: 4 })
        ));
        // The checkpoint's event gone, the next one hanging elsewhere.
        let mut local = log(1..=3, "a");
        local.extend(line(5, "a").replace("\"h4\"", "\"hx\"").into_bytes());
        local.push(b'\n');
        assert!(matches!(
            pending(Some(&cp), &local),
            Err(AnchorError::Diverged { seq: 5 })
        ));
    }

    #[test]
    fn a_long_backlog_goes_out_in_bounded_segments() {
        let n = MAX_SEGMENT_EVENTS as u64 * 2 + 3;
        let segments = pending(None, &log(1..=n, "a")).unwrap();
        let ranges: Vec<(u64, u64)> = segments.iter().map(|s| (s.1, s.2)).collect();
        let m = MAX_SEGMENT_EVENTS as u64;
        assert_eq!(ranges, vec![(1, m), (m + 1, 2 * m), (2 * m + 1, n)]);
        let joined: Vec<u8> = segments.into_iter().flat_map(|s| s.0).collect();
        assert_eq!(joined, log(1..=n, "a"));
    }
}
