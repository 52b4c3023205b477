//! Carrying the audit chain forward into a restored database. With the
//! Postgres store the log lives in the platform database, so a point-in-time
//! restore to T rolls the log back to T as well; before the copy is used, the
//! events after T (and the tenant keys' state: keys created since, keys
//! destroyed by erasures since) are appended to the copy's log from the source
//! — the live store, or the anchored copy — so that after cut-over the chain
//! continues without a gap and every erasure is still in the ledger.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::Client;
use uuid::Uuid;

use super::event::{Event, GENESIS};
use super::pg_store::APPEND_LOCK;

#[derive(Debug, thiserror::Error)]
pub enum CarryError {
    #[error("the restored copy's audit log: {0}")]
    Db(String),
    #[error(
        "the restored copy's audit log ends at seq {seq} with a hash the source does not have there — it is not a copy of this log; nothing was carried"
    )]
    Diverged { seq: u64 },
    #[error(
        "the source log has a line that is not an event (seq after {after}); nothing was carried"
    )]
    Unreadable { after: u64 },
}

fn db(e: tokio_postgres::Error) -> CarryError {
    CarryError::Db(crate::db::error_chain(&e))
}

/// A row of `ltops_audit.tenant_keys` as the source holds it.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub tenant: String,
    pub key: Option<Vec<u8>>,
    pub destroyed_at: Option<DateTime<Utc>>,
    pub destroyed_by: Option<Uuid>,
}

/// What was carried into the copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Carried {
    /// The copy has an audit log of its own (Postgres store in the platform
    /// database); when false there was nothing to carry.
    pub applicable: bool,
    /// The copy's last seq before carrying.
    pub from_seq: u64,
    /// Events appended.
    pub events: u64,
    /// Tenant keys the copy did not know.
    pub keys_added: u64,
    /// Keys destroyed in the source since the restore time, destroyed in the copy too.
    pub keys_destroyed: u64,
}

/// The source's tenant keys.
pub async fn key_rows(source: &Client) -> Result<Vec<KeyRow>, CarryError> {
    let rows = source
        .query(
            "SELECT tenant, key, destroyed_at, destroyed_by FROM ltops_audit.tenant_keys",
            &[],
        )
        .await
        .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|r| KeyRow {
            tenant: r.get(0),
            key: r.get(1),
            destroyed_at: r.get(2),
            destroyed_by: r.get(3),
        })
        .collect())
}

/// Appends to the copy's log every source event after the copy's last one, in
/// one transaction, and brings its tenant keys to the source's state.
pub async fn carry_forward(
    copy: &mut Client,
    source_log: &[u8],
    keys: &[KeyRow],
) -> Result<Carried, CarryError> {
    let exists: bool = copy
        .query_one("SELECT to_regclass('ltops_audit.events') IS NOT NULL", &[])
        .await
        .map_err(db)?
        .get(0);
    if !exists {
        return Ok(Carried::default());
    }
    let tx = copy.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])
        .await
        .map_err(db)?;
    let last = tx
        .query_opt(
            "SELECT seq, hash FROM ltops_audit.events ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .await
        .map_err(db)?;
    let (from, mut prev) = match last {
        Some(r) => (u64::try_from(r.get::<_, i64>(0)).unwrap_or(0), r.get(1)),
        None => (0, GENESIS.to_owned()),
    };
    let mut carried = Carried {
        applicable: true,
        from_seq: from,
        ..Carried::default()
    };
    for line in source_log.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let Ok(e) = serde_json::from_slice::<Event>(line) else {
            return Err(CarryError::Unreadable { after: from });
        };
        if e.seq < from {
            continue;
        }
        if e.seq == from {
            if e.hash != prev {
                return Err(CarryError::Diverged { seq: from });
            }
            continue;
        }
        if e.prev_hash != prev {
            return Err(CarryError::Diverged { seq: from });
        }
        super::pg_store::insert_row(&tx, &e, &String::from_utf8_lossy(line))
            .await
            .map_err(db)?;
        prev = e.hash.clone();
        carried.events += 1;
    }
    sync_keys(&tx, keys, &mut carried).await?;
    tx.commit().await.map_err(db)?;
    Ok(carried)
}

/// Keys the copy lacks are added; keys the source destroyed are destroyed in
/// the copy (crypto-shredding must survive a restore, like the erasure itself).
async fn sync_keys(
    tx: &tokio_postgres::Transaction<'_>,
    keys: &[KeyRow],
    carried: &mut Carried,
) -> Result<(), CarryError> {
    for k in keys {
        if let Some(key) = &k.key {
            let n = tx
                .execute(
                    "INSERT INTO ltops_audit.tenant_keys (tenant, key) VALUES ($1, $2) ON CONFLICT (tenant) DO NOTHING",
                    &[&k.tenant, key],
                )
                .await
                .map_err(db)?;
            carried.keys_added += n;
        } else if k.destroyed_at.is_some() {
            let by = k.destroyed_by.unwrap_or_else(Uuid::nil);
            let had: Option<bool> = tx
                .query_one(
                    "SELECT ltops_audit.destroy_tenant_key($1, $2)",
                    &[&k.tenant, &by],
                )
                .await
                .map_err(db)?
                .get(0);
            if had == Some(true) {
                carried.keys_destroyed += 1;
            }
        }
    }
    Ok(())
}
