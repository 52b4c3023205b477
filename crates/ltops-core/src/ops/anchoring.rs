//! Shipping the audit log to its anchor after every command that appended to
//! it, and holding the local log against the anchor. Shipping is best effort
//! by design (see `audit::anchor`): the local log is written fail-closed
//! first; what cannot be shipped now is shipped by the next command, and
//! `audit verify` names it meanwhile.

use aws_config::SdkConfig;

use super::mutation::Ui;
use crate::audit::Store;
use crate::audit::anchor::{Anchor, AnchorError, ShipError, Shipped};
use crate::audit::anchor_check::{Differences, Diverged, Tracker, line_seq};
use crate::audit::stream;
use crate::settings::{AnchorSection, Settings};

/// Diverged checkpoints whose segments are read to name the events that
/// differ; beyond them the report names the checkpoints only. A rewrite near
/// the start of a long log makes every later checkpoint diverge.
pub const MAX_LOCATED: usize = 100;

/// Ships what is not anchored yet, when an anchor is configured. Failures are
/// warnings: nothing is lost, the next command catches up.
pub async fn ship(settings: &Settings, sdk: &SdkConfig, store: &Store, by: &str, ui: &dyn Ui) {
    match try_ship(settings, sdk, store, by).await {
        Ok(Some(s)) => ui.detail(&format!(
            "audit log anchored through seq {} ({} event(s) shipped)",
            s.seq,
            s.seq + 1 - s.first_seq
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
) -> Result<Option<Shipped>, ShipError> {
    let Some(cfg) = &settings.config.audit.anchor else {
        return Ok(None);
    };
    let anchor = Anchor::new(sdk, cfg);
    // Read backwards from the end, only as far as the newest checkpoint.
    let mut tail = store.tail().await?;
    anchor.ship_tail(&mut tail, by).await
}

/// The anchor and a tracker holding its trusted checkpoints, ready to be
/// given to the chain verifier.
pub async fn prepare(
    sdk: &SdkConfig,
    cfg: &AnchorSection,
) -> Result<(Anchor, Tracker), AnchorError> {
    let anchor = Anchor::new(sdk, cfg);
    let spki = anchor.public_key().await?;
    let mut tracker = Tracker::new(&anchor.describe());
    anchor.list(None, |page| tracker.add(&spki, &page)).await?;
    Ok((anchor, tracker))
}

/// Reads the anchored segments of the checkpoints that diverged (at most
/// [`MAX_LOCATED`], one at a time) and compares them with the local events of
/// the same seqs, read once more from the store as a stream.
pub async fn locate(
    anchor: &Anchor,
    diverged: &[Diverged],
    store: &Store,
) -> Result<Differences, crate::audit::AuditError> {
    let mut found = Differences::default();
    let targets = ranges(diverged);
    let Some(last) = targets.last().map(|t| t.seq) else {
        return Ok(found);
    };
    let mut i = 0;
    // The anchored lines of the current target, by seq.
    let mut current: Option<std::collections::HashMap<u64, Vec<u8>>> = None;
    let mut reader = store.reader().await?;
    'blocks: while let Some(block) = reader.next_block().await? {
        for line in stream::lines(block) {
            let Some(seq) = line_seq(line) else { continue };
            while targets.get(i).is_some_and(|t| t.seq < seq) {
                i += 1;
                current = None;
            }
            let Some(t) = targets.get(i) else {
                break 'blocks;
            };
            if seq < t.first_seq {
                continue;
            }
            if current.is_none() {
                current = Some(anchored_lines(anchor, t, &mut found).await);
            }
            if let Some(a) = current.as_ref().and_then(|c| c.get(&seq)) {
                found.compare(seq, line, a);
            }
            if seq >= last {
                break 'blocks;
            }
        }
    }
    Ok(found)
}

/// The diverged checkpoints to read, in seq order, without overlap (two
/// commands may have shipped the same events).
fn ranges(diverged: &[Diverged]) -> Vec<Diverged> {
    let mut out: Vec<Diverged> = Vec::new();
    for d in diverged.iter().take(MAX_LOCATED) {
        let from = out
            .last()
            .map_or(d.first_seq, |p| d.first_seq.max(p.seq + 1));
        if from <= d.seq {
            out.push(Diverged {
                first_seq: from,
                seq: d.seq,
            });
        }
    }
    out
}

/// The lines of a checkpoint's segment by seq; a segment that cannot be read
/// or does not match its checkpoint is a finding, and nothing is compared.
async fn anchored_lines(
    anchor: &Anchor,
    t: &Diverged,
    found: &mut Differences,
) -> std::collections::HashMap<u64, Vec<u8>> {
    let segment = match anchor.checkpoint_at(t.seq).await {
        Ok(Some(signed)) => anchor.segment(&signed).await,
        Ok(None) => {
            found
                .bad
                .push(format!("seq {}: its segment is gone", t.seq));
            return Default::default();
        }
        Err(e) => Err(e),
    };
    match segment {
        Ok(body) => stream::lines(&body)
            .filter_map(|l| line_seq(l).map(|s| (s, l.to_vec())))
            .collect(),
        Err(e) => {
            found.bad.push(format!("seq {}: {e}", t.seq));
            Default::default()
        }
    }
}
