//! The audit log's witness outside the database it audits and outside the
//! reach of its administrators (TOM §5): every event is shipped to an S3 bucket
//! with Object Lock in compliance mode, in write-once objects, together with a
//! checkpoint signed by an asymmetric KMS key. Nobody — not the database owner,
//! not the bucket's account root — can rewrite an anchored event unnoticed, and
//! a point-in-time restore can carry the chain forward from it.
//!
//! Layout under the configured prefix (sequence numbers zero-padded to 20
//! digits, so that keys sort by seq):
//! - `segments/<first>-<last>.jsonl`: the event lines `first..=last`, as the
//!   local store holds them — one object per shipment (one command), so that
//!   verifying a million events takes two GETs per command, not a million;
//! - `checkpoints/<last>.json`: `{ "checkpoint": {…}, "signature": … }` — the
//!   last seq, its hash, the hash before the first, when, by whom, the
//!   segment's key and SHA-256 — signed with `kms:Sign` (ECDSA P-256, SHA-256);
//! - `head.json`: a hint to the newest checkpoint (versioned, not trusted:
//!   everything after it is listed).
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
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// The signed part of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub first_seq: u64,
    pub seq: u64,
    /// Hash of event `seq`.
    pub hash: String,
    /// `prev_hash` of event `first_seq`: where this segment hangs in the chain.
    pub prev_hash: String,
    pub at: String,
    pub by: String,
    pub segment: String,
    pub segment_sha256: String,
    pub key_id: String,
}

/// A checkpoint object as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signed {
    pub checkpoint: Checkpoint,
    /// Base64 DER ECDSA signature over the canonical JSON of `checkpoint`.
    pub signature: String,
}

impl Checkpoint {
    /// The bytes that are signed: serde's field order is fixed, so the JSON
    /// text is canonical.
    pub fn message(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
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

fn seq_key(seq: u64) -> String {
    format!("{seq:020}")
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

    fn segment_key(&self, first: u64, last: u64) -> String {
        format!(
            "{}segments/{}-{}.jsonl",
            self.prefix,
            seq_key(first),
            seq_key(last)
        )
    }

    fn checkpoint_key(&self, seq: u64) -> String {
        format!("{}checkpoints/{}.json", self.prefix, seq_key(seq))
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

    /// The newest checkpoint, or `None` when nothing is anchored yet.
    pub async fn latest(&self) -> Result<Option<Signed>, AnchorError> {
        let hint = self.get_json::<Checkpoint>(&self.head_key()).await.ok();
        let start = hint.map(|h| self.checkpoint_key(h.seq));
        let keys = self.checkpoint_keys(start.as_deref()).await?;
        let key = match keys.last() {
            Some(k) => k.clone(),
            None => match start {
                Some(k) => k,
                None => return Ok(None),
            },
        };
        Ok(Some(self.get_json::<Signed>(&key).await?))
    }

    /// Checkpoint keys in seq order, after `start_after` when given.
    async fn checkpoint_keys(&self, start_after: Option<&str>) -> Result<Vec<String>, AnchorError> {
        let mut req = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(format!("{}checkpoints/", self.prefix));
        if let Some(s) = start_after {
            req = req.start_after(s);
        }
        let mut pages = req.into_paginator().send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| describe("s3:ListObjectsV2", &e))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
        }
        keys.sort();
        Ok(keys)
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

    async fn get_json<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, AnchorError> {
        let bytes = self.get_bytes(key).await?;
        serde_json::from_slice(&bytes).map_err(|e| AnchorError::Damaged {
            key: key.to_owned(),
            why: format!("not a checkpoint: {e}"),
        })
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

    /// Ships every local event after the newest checkpoint: one segment and its
    /// signed checkpoint. `log` is the local log (or its end) as its store
    /// returns it; it is read backwards only as far as the newest checkpoint.
    /// Returns the new checkpoint, or `None` when everything was anchored.
    pub async fn ship(&self, log: &[u8], by: &str) -> Result<Option<Checkpoint>, AnchorError> {
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
    ) -> Result<Option<Checkpoint>, ShipError> {
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
    ) -> Result<Option<Checkpoint>, AnchorError> {
        let Some((body, first, last)) = pending.finish()? else {
            return Ok(None);
        };
        let segment = self.segment_key(first.seq, last.seq);
        let checkpoint = Checkpoint {
            first_seq: first.seq,
            seq: last.seq,
            hash: last.hash,
            prev_hash: first.prev_hash,
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            by: by.to_owned(),
            segment: segment.clone(),
            segment_sha256: hex::encode(Sha256::digest(&body)),
            key_id: self.key_id.clone(),
        };
        let signature = self.sign(&checkpoint.message()).await?;
        self.put_new(&segment, body).await?;
        let signed = Signed {
            checkpoint: checkpoint.clone(),
            signature,
        };
        let text = serde_json::to_vec_pretty(&signed).unwrap_or_default();
        self.put_new(&self.checkpoint_key(checkpoint.seq), text)
            .await?;
        // The hint may be stale or missing; `latest` lists past it anyway.
        let _ = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(self.head_key())
            .body(ByteStream::from(checkpoint.message()))
            .send()
            .await;
        Ok(Some(checkpoint))
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

    /// Every checkpoint and its segment, in seq order. The objects are fetched
    /// [`FETCH_AHEAD`] at a time: one after another, a long log's hundreds of
    /// round trips would dominate `audit verify`.
    pub async fn read_all(&self) -> Result<Vec<(Signed, Vec<u8>)>, AnchorError> {
        let keys = self.checkpoint_keys(None).await?;
        stream::iter(keys)
            .map(|key| async move {
                let signed: Signed = self.get_json(&key).await?;
                let segment = self.get_bytes(&signed.checkpoint.segment).await?;
                Ok::<_, AnchorError>((signed, segment))
            })
            .buffered(FETCH_AHEAD)
            .try_collect()
            .await
    }
}

/// Checkpoints (with their segments) fetched at once by [`Anchor::read_all`].
const FETCH_AHEAD: usize = 16;

/// Why a command's events could not be shipped.
#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Anchor(#[from] AnchorError),
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

    /// The segment to ship and its first and last event; `None` when nothing
    /// is pending. The first pending event must hang on the checkpoint.
    fn finish(mut self) -> Result<Option<(Vec<u8>, LineHead, LineHead)>, AnchorError> {
        self.lines.reverse();
        let mut body = Vec::with_capacity(self.lines.iter().map(|(l, _)| l.len() + 1).sum());
        for (line, _) in &self.lines {
            body.extend_from_slice(line);
            body.push(b'\n');
        }
        let mut events = self.lines.into_iter().map(|(_, e)| e);
        let Some(first) = events.next() else {
            return Ok(None);
        };
        if let Some(l) = self.latest
            && first.prev_hash != l.hash
        {
            return Err(AnchorError::Diverged { seq: first.seq });
        }
        let last = match events.next_back() {
            Some(last) => last,
            None => LineHead {
                seq: first.seq,
                hash: first.hash.clone(),
                prev_hash: first.prev_hash.clone(),
            },
        };
        Ok(Some((body, first, last)))
    }
}

impl Anchor {
    /// The anchored log itself, every segment in order: the source from which
    /// a restored copy's chain is carried forward when the live log is gone.
    pub async fn read_log(&self) -> Result<Vec<u8>, AnchorError> {
        let mut log = Vec::new();
        for (_, segment) in self.read_all().await? {
            log.extend_from_slice(&segment);
        }
        Ok(log)
    }
}

/// What the comparison of the local log with its anchored copy found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnchorReport {
    pub anchor: String,
    pub checkpoints: usize,
    /// The last anchored seq.
    pub anchored_through: Option<u64>,
    /// Checkpoints whose signature does not verify, or whose segment does not
    /// match them: the copy itself is not to be trusted there.
    pub bad_checkpoints: Vec<String>,
    /// Seqs whose local event differs from the anchored one.
    pub rewritten: Vec<u64>,
    /// Anchored seqs missing from the local log (rolled back).
    pub missing: Vec<u64>,
    /// Local seqs not yet anchored.
    pub unanchored: Vec<u64>,
}

impl AnchorReport {
    /// The local log agrees with everything anchored.
    pub fn intact(&self) -> bool {
        self.bad_checkpoints.is_empty() && self.rewritten.is_empty() && self.missing.is_empty()
    }
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

/// Compares the local log with the anchored copy.
pub fn compare(
    anchor: &str,
    spki: &[u8],
    anchored: &[(Signed, Vec<u8>)],
    local: &[u8],
) -> AnchorReport {
    let mut c = Comparison::new(anchor, spki, anchored);
    for line in local.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        c.push(line);
    }
    c.finish()
}

/// The comparison of the local log, fed a line at a time in log order, with
/// the anchored copy. Both are in seq order and are walked together: a local
/// line identical to its anchored one is not parsed, and nothing of the local
/// log is held — it can come from the store's streaming reader.
pub struct Comparison<'a> {
    report: AnchorReport,
    /// Findings about checkpoints, by checkpoint index, so that they come out
    /// in checkpoint order.
    bad: Vec<(usize, String)>,
    through: u64,
    /// The trusted segments not reached yet: checkpoint index, seq, lines.
    segments: std::vec::IntoIter<(usize, u64, &'a [u8])>,
    /// The current segment's checkpoint index and seq.
    current: (usize, u64),
    /// The rest of the current segment.
    rest: &'a [u8],
}

impl<'a> Comparison<'a> {
    /// Checks every checkpoint's signature and segment digest; the segments
    /// that pass are compared with the local lines pushed next.
    pub fn new(anchor: &str, spki: &[u8], anchored: &'a [(Signed, Vec<u8>)]) -> Comparison<'a> {
        let mut bad = Vec::new();
        let mut good = Vec::new();
        let mut through = 0u64;
        for (i, (signed, segment)) in anchored.iter().enumerate() {
            let cp = &signed.checkpoint;
            if !signature_ok(spki, signed) {
                bad.push((i, format!("seq {}: the signature does not verify", cp.seq)));
                continue;
            }
            if hex::encode(Sha256::digest(segment)) != cp.segment_sha256 {
                bad.push((
                    i,
                    format!("seq {}: the segment does not match its checkpoint", cp.seq),
                ));
                continue;
            }
            good.push((i, cp.seq, segment.as_slice()));
            through = through.max(cp.seq);
        }
        Comparison {
            report: AnchorReport {
                anchor: anchor.to_owned(),
                checkpoints: anchored.len(),
                ..AnchorReport::default()
            },
            bad,
            through,
            segments: good.into_iter(),
            current: (0, 0),
            rest: &[],
        }
    }

    /// The next anchored line, not consumed.
    fn peek(&mut self) -> Option<&'a [u8]> {
        loop {
            if let Some(&first) = self.rest.first() {
                if first == b'\n' {
                    self.rest = &self.rest[1..];
                    continue;
                }
                let end = memchr::memchr(b'\n', self.rest).unwrap_or(self.rest.len());
                return Some(&self.rest[..end]);
            }
            let (i, seq, segment) = self.segments.next()?;
            self.current = (i, seq);
            self.rest = segment;
        }
    }

    /// Consumes the line `peek` returned.
    fn advance(&mut self) {
        let end = memchr::memchr(b'\n', self.rest).map_or(self.rest.len(), |e| e + 1);
        self.rest = &self.rest[end..];
    }

    /// The seq of the next anchored line, consuming the lines of a segment
    /// that turns out unreadable (the rest of that segment is not compared).
    fn peek_seq(&mut self) -> Option<(&'a [u8], u64)> {
        loop {
            let line = self.peek()?;
            match LineHead::of(line) {
                Some(e) => return Some((line, e.seq)),
                None => {
                    let (i, seq) = self.current;
                    self.bad
                        .push((i, format!("seq {seq}: an unreadable line in its segment")));
                    self.rest = &[];
                }
            }
        }
    }

    /// The next local line, in log order.
    pub fn push(&mut self, line: &[u8]) {
        // The common case: the anchored copy of this very line.
        if self.peek() == Some(line) {
            self.advance();
            return;
        }
        let Some(local) = LineHead::of(line) else {
            return;
        };
        while let Some((anchored, seq)) = self.peek_seq() {
            if seq > local.seq {
                // A local event the anchor does not hold where it holds later
                // ones (under a checkpoint not to be trusted): not unanchored.
                return;
            }
            self.advance();
            if seq == local.seq {
                if anchored != line {
                    self.report.rewritten.push(seq);
                }
                return;
            }
            self.report.missing.push(seq);
        }
        if local.seq > self.through {
            self.report.unanchored.push(local.seq);
        }
    }

    /// The report, once the whole local log has been pushed.
    pub fn finish(mut self) -> AnchorReport {
        while let Some((_, seq)) = self.peek_seq() {
            self.advance();
            self.report.missing.push(seq);
        }
        self.bad.sort_by_key(|(i, _)| *i);
        self.report.bad_checkpoints = self.bad.into_iter().map(|(_, b)| b).collect();
        self.report.anchored_through = (self.through > 0).then_some(self.through);
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};

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

    struct Key {
        pair: EcdsaKeyPair,
        rng: SystemRandom,
    }

    impl Key {
        fn new() -> Key {
            let rng = SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
                    .unwrap();
            Key { pair, rng }
        }

        fn spki(&self) -> Vec<u8> {
            let mut spki = vec![0u8; 26];
            spki.extend_from_slice(self.pair.public_key().as_ref());
            spki
        }

        fn segment(&self, first: u64, last: u64, body: Vec<u8>) -> (Signed, Vec<u8>) {
            let checkpoint = Checkpoint {
                first_seq: first,
                seq: last,
                hash: format!("h{last}"),
                prev_hash: format!("h{}", first - 1),
                at: "2026-12-01T00:00:00Z".into(),
                by: "test".into(),
                segment: format!("segments/{first}-{last}.jsonl"),
                segment_sha256: hex::encode(Sha256::digest(&body)),
                key_id: "k".into(),
            };
            let sig = self.pair.sign(&self.rng, &checkpoint.message()).unwrap();
            let signed = Signed {
                checkpoint,
                signature: B64.encode(sig.as_ref()),
            };
            (signed, body)
        }
    }

    #[test]
    fn walking_both_logs_together_classifies_every_difference() {
        let key = Key::new();
        let anchored = vec![
            key.segment(1, 3, log(1..=3, "a")),
            key.segment(4, 6, log(4..=6, "a")),
            key.segment(7, 8, log(7..=8, "a")),
        ];
        // 2 rewritten, 4 and 5 rolled back, 9 and 10 not anchored yet.
        let mut local = log([1], "a");
        local.extend(log([2], "b"));
        local.extend(log([3], "a"));
        local.extend(log(6..=8, "a"));
        local.extend(log(9..=10, "a"));
        let r = compare("s3://b/", &key.spki(), &anchored, &local);
        assert_eq!(r.rewritten, vec![2]);
        assert_eq!(r.missing, vec![4, 5]);
        assert_eq!(r.unanchored, vec![9, 10]);
        assert_eq!(r.anchored_through, Some(8));
        assert_eq!(r.checkpoints, 3);
        assert!(r.bad_checkpoints.is_empty());

        let r = compare("s3://b/", &key.spki(), &anchored, &log(1..=6, "a"));
        assert_eq!(r.missing, vec![7, 8], "a rolled-back tail");
        let r = compare("s3://b/", &key.spki(), &anchored, &log(1..=8, "a"));
        assert!(r.intact() && r.unanchored.is_empty(), "{r:?}");
    }

    #[test]
    fn untrusted_checkpoints_are_named_in_order_and_not_compared() {
        let key = Key::new();
        let mut forged = key.segment(4, 5, log(4..=5, "x"));
        forged.0.signature = B64.encode(b"not a signature");
        let mut body = log(6..=6, "a");
        body.extend_from_slice(b"not json\n");
        let unreadable = key.segment(6, 7, body);
        let anchored = vec![
            key.segment(1, 3, log(1..=3, "a")),
            forged,
            unreadable,
            key.segment(8, 8, log([8], "a")),
        ];
        let r = compare("s3://b/", &key.spki(), &anchored, &log(1..=9, "a"));
        assert_eq!(
            r.bad_checkpoints,
            vec![
                "seq 5: the signature does not verify".to_owned(),
                "seq 7: an unreadable line in its segment".to_owned(),
            ]
        );
        assert!(r.rewritten.is_empty() && r.missing.is_empty(), "{r:?}");
        assert_eq!(r.unanchored, vec![9]);
        assert_eq!(r.anchored_through, Some(8));
    }

    fn pending(
        latest: Option<&Checkpoint>,
        log: &[u8],
    ) -> Result<Option<(Vec<u8>, u64, u64)>, AnchorError> {
        let mut p = Pending::after(latest);
        for l in log.rsplit(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            if p.push_back(l)? {
                break;
            }
        }
        Ok(p.finish()?
            .map(|(body, first, last)| (body, first.seq, last.seq)))
    }

    #[test]
    fn shipping_reads_back_to_the_checkpoint_and_checks_the_join() {
        let key = Key::new();
        let (cp, _) = key.segment(1, 4, log(1..=4, "a"));
        let cp = cp.checkpoint;
        let (body, first, last) = pending(Some(&cp), &log(1..=7, "a")).unwrap().unwrap();
        assert_eq!((first, last), (5, 7));
        assert_eq!(body, log(5..=7, "a"));
        assert!(pending(Some(&cp), &log(1..=4, "a")).unwrap().is_none());
        let (_, first, last) = pending(None, &log(1..=2, "a")).unwrap().unwrap();
        assert_eq!((first, last), (1, 2));
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
}
