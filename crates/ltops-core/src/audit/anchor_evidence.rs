//! The anchor in an evidence file: the signing key's public half and every
//! signed checkpoint go into the export's trailer, so that `audit verify
//! --file` proves offline — without AWS — that the exported chain contains
//! every anchored checkpoint and that the checkpoints were signed by that key.

use serde::{Deserialize, Serialize};

use super::anchor::{Anchor, AnchorError};
use super::anchor_check::{Listed, Signed, Tracker};
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

/// Reads the key and every checkpoint from the anchor (a LIST, no segment).
pub async fn collect(anchor: &Anchor) -> Result<AnchorEvidence, AnchorError> {
    let (spki, checkpoints) = tokio::try_join!(anchor.public_key(), anchor.checkpoints())?;
    Ok(AnchorEvidence {
        anchor: anchor.describe(),
        public_key: B64.encode(spki),
        checkpoints,
    })
}

/// The tracker that holds the evidence's chain against its checkpoints while
/// the chain is verified. Offline there are no segments: a checkpoint that
/// disagrees is named (`diverged`), the events inside it are not.
pub fn tracker(e: &AnchorEvidence) -> Tracker {
    let mut t = Tracker::new(&format!("{} (from the evidence file)", e.anchor));
    let listed: Vec<Listed> = e
        .checkpoints
        .iter()
        .map(|s| Listed {
            name: format!("checkpoint {}", s.checkpoint.seq),
            signed: Some(s.clone()),
        })
        .collect();
    match B64.decode(&e.public_key) {
        Ok(spki) => t.add(&spki, &listed),
        Err(_) => {
            t.add(&[], &listed);
            t.bad("the evidence file's public key is unreadable".into());
        }
    }
    t
}
