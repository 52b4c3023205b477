//! Retention purge: rows kept after an erasure under a statutory retention period
//! are deleted once that period has ended. Only erased tenants (from the ledger)
//! are considered — live customers' records are the platform's business. A
//! tenant row kept minimised for them goes once no retained row references it.

use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::Client;

use crate::datamap::{DataMap, OnErase, quote_ident};

use super::ErasureError;
use super::plan::{is_minimised, kept_references, retention_end_sql, tenant_predicate};
use super::run::referencing_rows;

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
    /// SHA-256 over the due rows as text, in order: which rows, not only how
    /// many — what an approval of this purge is bound to (recorded with the
    /// approval request, not shown).
    #[serde(skip)]
    pub due_sha256: String,
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
                                min({end}) FILTER (WHERE {end} > $2),
                                encode(sha256(convert_to(coalesce(
                                    string_agg(ltops_due_row::text, E'\\n' ORDER BY ltops_due_row::text)
                                        FILTER (WHERE {end} <= $2), ''), 'UTF8')), 'hex')
                           FROM {} AS ltops_due_row WHERE {}",
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
                    due_sha256: row.get(3),
                });
            }
        }
        if let Some(d) = kept_tenant_row(&tx, map, tenant, today).await? {
            out.push(d);
        }
        tx.commit().await?;
    }
    Ok(out)
}

/// The tenant row an erasure kept minimised: due once every retained row that
/// references it is due (they go first, in the same purge).
async fn kept_tenant_row(
    tx: &tokio_postgres::Transaction<'_>,
    map: &DataMap,
    tenant: &str,
    today: NaiveDate,
) -> Result<Option<Due>, ErasureError> {
    // Only a row the erasure marked: a live (or restored, not yet re-erased)
    // tenant row is never the purge's to delete.
    if !is_minimised(tx, map, tenant).await? {
        return Ok(None);
    }
    let references = crate::datamap::retained_references(tx, map).await?;
    let (by, until) = kept_references(tx, map, &references, tenant, today).await?;
    let kept = i64::from(!by.is_empty());
    Ok(Some(Due {
        tenant: tenant.to_owned(),
        table: map.tenant.table.clone(),
        basis: if by.is_empty() {
            "tenant row kept minimised; no retained row needs it any more".into()
        } else {
            format!(
                "tenant row kept minimised for retained rows in {}",
                by.join(", ")
            )
        },
        due: 1 - kept,
        kept,
        next_due: until,
        // The tenant row is named by the tenant itself.
        due_sha256: String::new(),
    }))
}

/// Deletes what is due, one transaction per tenant; returns rows deleted per entry.
pub async fn purge(
    client: &mut Client,
    map: &DataMap,
    due: &[Due],
    today: NaiveDate,
) -> Result<Vec<(String, String, i64)>, ErasureError> {
    let mut out = Vec::new();
    let (rows, tenant_rows): (Vec<&Due>, Vec<&Due>) = due
        .iter()
        .filter(|d| d.due > 0)
        .partition(|d| d.table != map.tenant.table);
    for d in rows {
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
    // Tenant rows last: the retained rows referencing them are gone by now.
    for d in tenant_rows {
        let tx = client.transaction().await?;
        tx.execute(
            "SELECT set_config($1, $2, true)",
            &[&map.rls_setting, &d.tenant],
        )
        .await?;
        let references = crate::datamap::retained_references(&tx, map).await?;
        // Re-checked in the deleting transaction: a row still referenced (or not
        // marked erased) stays.
        let n = if is_minimised(&tx, map, &d.tenant).await?
            && referencing_rows(&tx, map, &references, &d.tenant).await? == 0
        {
            tx.execute(
                &format!(
                    "DELETE FROM {} WHERE {} = {}",
                    map.qualified(&map.tenant.table),
                    quote_ident(&map.tenant.key),
                    map.id_param(1)
                ),
                &[&d.tenant],
            )
            .await?
        } else {
            0
        };
        tx.commit().await?;
        out.push((d.tenant.clone(), d.table.clone(), n as i64));
    }
    Ok(out)
}
