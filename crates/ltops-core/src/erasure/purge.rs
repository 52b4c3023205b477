//! Retention purge: rows kept after an erasure under a statutory retention period
//! are deleted once that period has ended. Only erased tenants (from the ledger)
//! are considered — live customers' records are the platform's business.

use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::Client;

use crate::datamap::{DataMap, OnErase};

use super::ErasureError;
use super::plan::{retention_end_sql, tenant_predicate};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub tenant: String,
    pub table: String,
    pub basis: String,
    /// Rows whose period has ended.
    pub due: i64,
    /// Rows still under retention, and when the next of them falls due.
    pub kept: i64,
    pub next_due: Option<NaiveDate>,
}

/// What is due per erased tenant and retained table.
pub async fn due(
    client: &mut Client,
    map: &DataMap,
    tenants: &[String],
    today: NaiveDate,
) -> Result<Vec<Due>, ErasureError> {
    let mut out = Vec::new();
    for tenant in tenants {
        let tx = client.transaction().await?;
        tx.execute(
            "SELECT set_config($1, $2, true)",
            &[&map.rls_setting, tenant],
        )
        .await?;
        for t in map.tables.iter().filter(|t| t.on_erase == OnErase::Retain) {
            let Some(r) = &t.retain else { continue };
            let end = retention_end_sql(r);
            let row = tx
                .query_one(
                    &format!(
                        "SELECT count(*) FILTER (WHERE {end} <= $2), count(*) FILTER (WHERE {end} > $2),
                                min({end}) FILTER (WHERE {end} > $2)
                           FROM {} WHERE {}",
                        map.qualified(&t.table),
                        tenant_predicate(map, t, 1)
                    ),
                    &[tenant, &today],
                )
                .await?;
            let (due, kept): (i64, i64) = (row.get(0), row.get(1));
            if due > 0 || kept > 0 {
                out.push(Due {
                    tenant: tenant.clone(),
                    table: t.table.clone(),
                    basis: r.basis.clone(),
                    due,
                    kept,
                    next_due: row.get(2),
                });
            }
        }
        tx.commit().await?;
    }
    Ok(out)
}

/// Deletes what is due, one transaction per tenant; returns rows deleted per entry.
pub async fn purge(
    client: &mut Client,
    map: &DataMap,
    due: &[Due],
    today: NaiveDate,
) -> Result<Vec<(String, String, i64)>, ErasureError> {
    let mut out = Vec::new();
    for d in due.iter().filter(|d| d.due > 0) {
        let Some(t) = map.table(&d.table) else {
            continue;
        };
        let Some(r) = &t.retain else { continue };
        let tx = client.transaction().await?;
        tx.execute(
            "SELECT set_config($1, $2, true)",
            &[&map.rls_setting, &d.tenant],
        )
        .await?;
        let n = tx
            .execute(
                &format!(
                    "DELETE FROM {} WHERE {} AND {} <= $2",
                    map.qualified(&t.table),
                    tenant_predicate(map, t, 1),
                    retention_end_sql(r)
                ),
                &[&d.tenant, &today],
            )
            .await?;
        tx.commit().await?;
        out.push((d.tenant.clone(), d.table.clone(), n as i64));
    }
    Ok(out)
}
