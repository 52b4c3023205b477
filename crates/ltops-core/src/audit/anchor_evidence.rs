//! The anchor in an evidence file: the signing key's public half and every
//! signed checkpoint go into the export's trailer, so that `audit verify
//! --file` proves offline — without AWS — that the exported chain contains
//! every anchored checkpoint and that the checkpoints were signed by that key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::anchor::{Anchor, AnchorError, AnchorReport, Signed, signature_ok};
use super::event::LineHead;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// The anchor as an evidence file carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorEvidence {
    pub anchor: String,
    /// DER SubjectPublicKeyInfo of the signing key, base64.
    pub public_key: String,
    pub checkpoints: Vec<Signed>,
}

impl PartialEq for Signed {
    fn eq(&self, other: &Signed) -> bool {
        self.checkpoint == other.checkpoint && self.signature == other.signature
    }
}

impl Eq for Signed {}

/// Reads the key and every checkpoint from the anchor.
pub async fn collect(anchor: &Anchor) -> Result<AnchorEvidence, AnchorError> {
    let spki = anchor.public_key().await?;
    let checkpoints = anchor
        .read_all()
        .await?
        .into_iter()
        .map(|(signed, _)| signed)
        .collect();
    Ok(AnchorEvidence {
        anchor: anchor.describe(),
        public_key: B64.encode(spki),
        checkpoints,
    })
}

/// Checks the evidence's chain against its checkpoints while the log streams
/// by: feed every block, then `finish`.
pub struct OfflineCheck {
    spki: Vec<u8>,
    /// checkpoint seq → (hash, still to be seen)
    expected: BTreeMap<u64, String>,
    report: AnchorReport,
    last_seq: u64,
}

impl OfflineCheck {
    pub fn new(e: &AnchorEvidence) -> OfflineCheck {
        let spki = B64.decode(&e.public_key).unwrap_or_default();
        let mut report = AnchorReport {
            anchor: format!("{} (from the evidence file)", e.anchor),
            checkpoints: e.checkpoints.len(),
            ..AnchorReport::default()
        };
        let mut expected = BTreeMap::new();
        for signed in &e.checkpoints {
            let cp = &signed.checkpoint;
            if signature_ok(&spki, signed) {
                expected.insert(cp.seq, cp.hash.clone());
                report.anchored_through = report.anchored_through.max(Some(cp.seq));
            } else {
                report
                    .bad_checkpoints
                    .push(format!("seq {}: the signature does not verify", cp.seq));
            }
        }
        OfflineCheck {
            spki,
            expected,
            report,
            last_seq: 0,
        }
    }

    pub fn feed_block(&mut self, block: &[u8]) {
        for line in block.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let Some(e) = LineHead::of(line) else {
                continue;
            };
            self.last_seq = self.last_seq.max(e.seq);
            if let Some(hash) = self.expected.remove(&e.seq)
                && hash != e.hash
            {
                self.report.rewritten.push(e.seq);
            }
        }
    }

    pub fn finish(mut self) -> AnchorReport {
        // Checkpoints the file never reached: its tail was cut off (rolled back).
        self.report.missing = self.expected.into_keys().collect();
        if let Some(through) = self.report.anchored_through
            && self.last_seq > through
        {
            self.report.unanchored = ((through + 1)..=self.last_seq).collect();
        }
        if self.spki.is_empty() {
            self.report
                .bad_checkpoints
                .push("the evidence file's public key is unreadable".into());
        }
        self.report
    }
}
