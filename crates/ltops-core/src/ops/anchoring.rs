//! Shipping the audit log to its anchor after every command that appended to
//! it. Best effort by design (see `audit::anchor`): the local log is written
//! fail-closed first; what cannot be shipped now is shipped by the next
//! command, and `audit verify` names it meanwhile.

use aws_config::SdkConfig;

use super::mutation::Ui;
use crate::audit::Store;
use crate::audit::anchor::{
    Anchor, AnchorError, AnchorReport, Checkpoint, Comparison, ShipError, Signed,
};
use crate::audit::stream;
use crate::settings::Settings;

/// Ships what is not anchored yet, when an anchor is configured. Failures are
/// warnings: nothing is lost, the next command catches up.
pub async fn ship(settings: &Settings, sdk: &SdkConfig, store: &Store, by: &str, ui: &dyn Ui) {
    match try_ship(settings, sdk, store, by).await {
        Ok(Some(cp)) => ui.detail(&format!(
            "audit log anchored through seq {} ({} event(s) shipped)",
            cp.seq,
            cp.seq + 1 - cp.first_seq
        )),
        Ok(None) => {}
        Err(e) => ui.warn(&format!(
            "the audit log could not be anchored: {e} — the events are safe in the local log; the next command ships them, and `ltops audit verify` lists what is not anchored yet"
        )),
    }
}

async fn try_ship(
    settings: &Settings,
    sdk: &SdkConfig,
    store: &Store,
    by: &str,
) -> Result<Option<Checkpoint>, ShipError> {
    let Some(cfg) = &settings.config.audit.anchor else {
        return Ok(None);
    };
    let anchor = Anchor::new(sdk, cfg);
    // Read backwards from the end, only as far as the newest checkpoint.
    let mut tail = store.tail().await?;
    anchor.ship_tail(&mut tail, by).await
}

/// The anchored copy as `audit verify` compares the local log with it.
pub struct Anchored {
    pub describe: String,
    /// The key's public half, from `kms:GetPublicKey`.
    pub spki: Vec<u8>,
    /// Every checkpoint and its segment, in seq order.
    pub checkpoints: Vec<(Signed, Vec<u8>)>,
}

/// Fetches the anchored copy, when an anchor is configured. Owns what it
/// needs, so that it can run on a task of its own beside the reading of the
/// local log.
pub fn fetch(
    settings: &Settings,
    sdk: &SdkConfig,
) -> Option<impl Future<Output = Result<Anchored, AnchorError>> + Send + 'static> {
    let cfg = settings.config.audit.anchor.as_ref()?;
    let anchor = Anchor::new(sdk, cfg);
    Some(async move {
        let (spki, checkpoints) = tokio::try_join!(anchor.public_key(), anchor.read_all())?;
        Ok(Anchored {
            describe: anchor.describe(),
            spki,
            checkpoints,
        })
    })
}

/// Compares the local log, read from the store a block at a time, with its
/// anchored copy: every checkpoint's signature, every anchored event against
/// the local one.
pub async fn compare_store(
    anchored: &Anchored,
    store: &Store,
) -> Result<AnchorReport, crate::audit::AuditError> {
    let mut c = Comparison::new(&anchored.describe, &anchored.spki, &anchored.checkpoints);
    let mut reader = store.reader().await?;
    while let Some(block) = reader.next_block().await? {
        for line in stream::lines(block) {
            c.push(line);
        }
    }
    Ok(c.finish())
}
