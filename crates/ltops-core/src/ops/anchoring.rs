//! Shipping the audit log to its anchor after every command that appended to
//! it. Best effort by design (see `audit::anchor`): the local log is written
//! fail-closed first; what cannot be shipped now is shipped by the next
//! command, and `audit verify` names it meanwhile.

use aws_config::SdkConfig;

use super::mutation::Ui;
use crate::audit::Store;
use crate::audit::anchor::{Anchor, AnchorError, AnchorReport, Checkpoint, compare};
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
    let log = store.read_all().await?;
    Ok(anchor.ship(&log, by).await?)
}

#[derive(Debug, thiserror::Error)]
enum ShipError {
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Anchor(#[from] AnchorError),
}

/// Compares the local log with its anchored copy, when an anchor is
/// configured: every checkpoint's signature (with the key's public half from
/// `kms:GetPublicKey`), every anchored event against the local one.
pub async fn verify(
    settings: &Settings,
    sdk: &SdkConfig,
    log: &[u8],
) -> Result<Option<AnchorReport>, AnchorError> {
    let Some(cfg) = &settings.config.audit.anchor else {
        return Ok(None);
    };
    let anchor = Anchor::new(sdk, cfg);
    let spki = anchor.public_key().await?;
    let anchored = anchor.read_all().await?;
    Ok(Some(compare(&anchor.describe(), &spki, &anchored, log)))
}
