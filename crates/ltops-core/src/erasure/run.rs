//! Carries out an erasure: small tenants in one transaction, large ones in batches
//! whose progress commits with each batch (so `--resume` finishes what Ctrl-C,
//! kill -9 or a lost connection interrupted), then deletes the tenant row — or
//! keeps it minimised while retained rows reference it — and proves that nothing
//! is left.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::{Client, GenericClient};
use uuid::Uuid;

use tokio_postgres::types::ToSql;

use crate::datamap::{DataMap, OnErase, Reference, TableMap, quote_ident};

use super::ErasureError;
use super::plan::{Plan, references_predicate, retention_end_sql, tenant_predicate};

/// Progress bookkeeping of batched erasures, in the platform database itself so
/// that a batch and its progress commit together.
const JOBS_SQL: &str = "
CREATE SCHEMA IF NOT EXISTS ltops_erasure;
CREATE TABLE IF NOT EXISTS ltops_erasure.jobs (
    tenant      text PRIMARY KEY,
    intent_id   uuid NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    started_by  text NOT NULL,
    instruction text NOT NULL,
    counts      jsonb NOT NULL DEFAULT '{}',
    batches     bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One transaction: all or nothing.
    Single,
    /// Batches with recorded progress: resumable.
    Batched,
}

/// As in the JSON report (lower case).
impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Single => "single",
            Mode::Batched => "batched",
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableResult {
    pub deleted: i64,
    pub nulled: i64,
    pub retained: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub ok: bool,
    /// Tables (or the tenant table) where rows that should be gone remain.
    pub remaining: BTreeMap<String, i64>,
    /// Retained rows whose nulled columns still hold data.
    pub not_nulled: BTreeMap<String, i64>,
}

/// What is left, per table, for an operator: "rows remain in leads (3)".
impl std::fmt::Display for Verification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ok {
            return f.write_str("no rows remain");
        }
        let list = |m: &BTreeMap<String, i64>| {
            m.iter()
                .map(|(t, n)| format!("{t} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.remaining.is_empty() {
            parts.push(format!("rows remain in {}", list(&self.remaining)));
        }
        if !self.not_nulled.is_empty() {
            parts.push(format!(
                "retained rows still hold personal columns in {}",
                list(&self.not_nulled)
            ));
        }
        f.write_str(&parts.join("; "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub mode: Mode,
    pub batches: i64,
    pub tables: BTreeMap<String, TableResult>,
    pub tenant_row_deleted: bool,
    /// Kept, minimised, because retained rows reference it.
    pub tenant_row_kept_minimised: bool,
    pub verification: Verification,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub table: String,
    pub done: i64,
    pub total: i64,
}

/// A batched erasure that was started and not finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub tenant: String,
    pub intent_id: Uuid,
    pub started_at: String,
    pub started_by: String,
    pub instruction: String,
    pub batches: i64,
}

pub struct Options {
    pub batch_threshold: u64,
    pub batch_size: u64,
    pub today: NaiveDate,
}

/// Takes the per-tenant session lock for as long as `client` lives: a second
/// operator erasing the same tenant gets `Busy` instead of racing.
pub async fn lock(client: &Client, tenant: &str) -> Result<(), ErasureError> {
    let row = client
        .query_one(
            "SELECT pg_try_advisory_lock(hashtextextended('ltops.erase:' || $1, 0))",
            &[&tenant],
        )
        .await?;
    if row.get::<_, bool>(0) {
        Ok(())
    } else {
        Err(ErasureError::Busy {
            tenant: tenant.to_owned(),
        })
    }
}

pub async fn job(client: &Client, tenant: &str) -> Result<Option<Job>, ErasureError> {
    let exists = client
        .query_one("SELECT to_regclass('ltops_erasure.jobs') IS NOT NULL", &[])
        .await?
        .get::<_, bool>(0);
    if !exists {
        return Ok(None);
    }
    let row = client
        .query_opt(
            "SELECT tenant, intent_id, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'),
                    started_by, instruction, batches
               FROM ltops_erasure.jobs WHERE tenant = $1",
            &[&tenant],
        )
        .await?;
    Ok(row.map(|r| Job {
        tenant: r.get(0),
        intent_id: r.get(1),
        started_at: r.get(2),
        started_by: r.get(3),
        instruction: r.get(4),
        batches: r.get(5),
    }))
}

pub fn mode_for(plan: &Plan, opts: &Options) -> Mode {
    let rows = u64::try_from(plan.total_delete() + plan.total_retain()).unwrap_or(u64::MAX);
    if rows > opts.batch_threshold {
        Mode::Batched
    } else {
        Mode::Single
    }
}

/// Scopes the current transaction to the tenant: row-level security then confines
/// every statement to its rows, whatever the WHERE clause says.
async fn scope<C: GenericClient>(c: &C, map: &DataMap, tenant: &str) -> Result<(), ErasureError> {
    c.execute(
        "SELECT set_config($1, $2, true)",
        &[&map.rls_setting, &tenant],
    )
    .await?;
    Ok(())
}

/// One step on one table, limited to `limit` rows (or all).
async fn step<C: GenericClient>(
    c: &C,
    map: &DataMap,
    t: &TableMap,
    tenant: &str,
    today: NaiveDate,
    limit: Option<i64>,
) -> Result<TableResult, ErasureError> {
    let table = map.qualified(&t.table);
    let pred = tenant_predicate(map, t, 1);
    // Batches pick their rows by physical position (ctid): a TID lookup instead of
    // an index join on the key. The tenant predicate is repeated on the outer
    // statement, so even where ctids repeat (partitions) only the tenant's rows go.
    let limited = |filter: &str| match limit {
        None => format!("WHERE {pred}{filter}"),
        Some(n) => format!(
            "WHERE {pred}{filter} AND ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE {pred}{filter} LIMIT {n}))"
        ),
    };
    let mut r = TableResult::default();
    match (t.on_erase, &t.retain) {
        (OnErase::Retain, Some(ret)) => {
            let end = retention_end_sql(ret);
            r.deleted = c
                .execute(
                    &format!(
                        "DELETE FROM {table} {}",
                        limited(&format!(" AND {end} <= $2"))
                    ),
                    &[&tenant, &today],
                )
                .await? as i64;
            if !ret.null_columns.is_empty() {
                let set: Vec<String> = ret
                    .null_columns
                    .iter()
                    .map(|col| format!("{} = NULL", quote_ident(col)))
                    .collect();
                let any: Vec<String> = ret
                    .null_columns
                    .iter()
                    .map(|col| format!("{} IS NOT NULL", quote_ident(col)))
                    .collect();
                r.nulled = c
                    .execute(
                        &format!(
                            "UPDATE {table} SET {} {}",
                            set.join(", "),
                            limited(&format!(" AND {end} > $2 AND ({})", any.join(" OR ")))
                        ),
                        &[&tenant, &today],
                    )
                    .await? as i64;
            }
        }
        _ => {
            r.deleted = c
                .execute(&format!("DELETE FROM {table} {}", limited("")), &[&tenant])
                .await? as i64;
        }
    }
    Ok(r)
}

/// `<tenant table> WHERE <tenant key> = $1`: the tenant's own row.
fn tenant_row(map: &DataMap) -> String {
    format!(
        "{} WHERE {} = {}",
        map.qualified(&map.tenant.table),
        quote_ident(&map.tenant.key),
        map.id_param(1)
    )
}

/// Rows of retained tables that reference the tenant row now, whatever their
/// retention end: while there are any, the row cannot be deleted.
pub async fn referencing_rows<C: GenericClient>(
    c: &C,
    map: &DataMap,
    references: &[Reference],
    tenant: &str,
) -> Result<i64, ErasureError> {
    let mut n = 0;
    for r in references {
        n += c
            .query_one(
                &format!(
                    "SELECT count(*) FROM {} WHERE {}",
                    map.qualified(&r.table),
                    references_predicate(map, r, 1)
                ),
                &[&tenant],
            )
            .await?
            .get::<_, i64>(0);
    }
    Ok(n)
}

/// What became of the tenant row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TenantRow {
    Deleted,
    KeptMinimised,
    Absent,
}

/// The last step: deletes the tenant row, or — when the map says
/// `keep_minimised` and retained rows still reference it — nulls and overwrites
/// its personal columns and marks it erased, for `retention purge` to delete later.
async fn finish_tenant_row<C: GenericClient>(
    c: &C,
    map: &DataMap,
    references: &[Reference],
    tenant: &str,
) -> Result<TenantRow, ErasureError> {
    let table = map.qualified(&map.tenant.table);
    let key = format!("{} = {}", quote_ident(&map.tenant.key), map.id_param(1));
    if let (Some(m), Some(status)) = (map.keeps_tenant_row(), &map.tenant.status_column)
        && referencing_rows(c, map, references, tenant).await? > 0
    {
        let mut set: Vec<String> = m
            .null_columns
            .iter()
            .map(|col| format!("{} = NULL", quote_ident(col)))
            .collect();
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&tenant];
        for (col, value) in &m.overwrite {
            params.push(value);
            set.push(format!("{} = ${}", quote_ident(col), params.len()));
        }
        params.push(&m.status_value);
        set.push(format!("{} = ${}", quote_ident(status), params.len()));
        let n = c
            .execute(
                &format!("UPDATE {table} SET {} WHERE {key}", set.join(", ")),
                &params,
            )
            .await?;
        return Ok(if n > 0 {
            TenantRow::KeptMinimised
        } else {
            TenantRow::Absent
        });
    }
    let n = c
        .execute(&format!("DELETE FROM {table} WHERE {key}"), &[&tenant])
        .await?;
    Ok(if n > 0 {
        TenantRow::Deleted
    } else {
        TenantRow::Absent
    })
}

/// Kept tenant rows that still hold personal data or lack the erased status.
async fn unminimised<C: GenericClient>(
    c: &C,
    map: &DataMap,
    tenant: &str,
) -> Result<i64, ErasureError> {
    let (Some(m), Some(status)) = (map.keeps_tenant_row(), &map.tenant.status_column) else {
        return Ok(0);
    };
    let mut bad: Vec<String> = m
        .null_columns
        .iter()
        .map(|col| format!("{} IS NOT NULL", quote_ident(col)))
        .collect();
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&tenant];
    for (col, value) in &m.overwrite {
        params.push(value);
        bad.push(format!(
            "{} IS DISTINCT FROM ${}",
            quote_ident(col),
            params.len()
        ));
    }
    params.push(&m.status_value);
    bad.push(format!(
        "{} IS DISTINCT FROM ${}",
        quote_ident(status),
        params.len()
    ));
    Ok(c.query_one(
        &format!(
            "SELECT count(*) FROM {} WHERE {} = {} AND ({})",
            map.qualified(&map.tenant.table),
            quote_ident(&map.tenant.key),
            map.id_param(1),
            bad.join(" OR ")
        ),
        &params,
    )
    .await?
    .get(0))
}

/// Counts what must be gone. Runs inside the erasure's last transaction (single
/// mode) or after the last batch (batched mode).
pub async fn verify<C: GenericClient>(
    c: &C,
    map: &DataMap,
    tenant: &str,
    today: NaiveDate,
) -> Result<Verification, ErasureError> {
    let mut remaining = BTreeMap::new();
    let mut not_nulled = BTreeMap::new();
    for t in &map.tables {
        let table = map.qualified(&t.table);
        let pred = tenant_predicate(map, t, 1);
        match (t.on_erase, &t.retain) {
            (OnErase::Retain, Some(ret)) => {
                let end = retention_end_sql(ret);
                let expired: i64 = c
                    .query_one(
                        &format!("SELECT count(*) FROM {table} WHERE {pred} AND {end} <= $2"),
                        &[&tenant, &today],
                    )
                    .await?
                    .get(0);
                if expired > 0 {
                    remaining.insert(t.table.clone(), expired);
                }
                if !ret.null_columns.is_empty() {
                    let any: Vec<String> = ret
                        .null_columns
                        .iter()
                        .map(|col| format!("{} IS NOT NULL", quote_ident(col)))
                        .collect();
                    let n: i64 = c
                        .query_one(
                            &format!(
                                "SELECT count(*) FROM {table} WHERE {pred} AND ({})",
                                any.join(" OR ")
                            ),
                            &[&tenant],
                        )
                        .await?
                        .get(0);
                    if n > 0 {
                        not_nulled.insert(t.table.clone(), n);
                    }
                }
            }
            _ => {
                let n: i64 = c
                    .query_one(
                        &format!("SELECT count(*) FROM {table} WHERE {pred}"),
                        &[&tenant],
                    )
                    .await?
                    .get(0);
                if n > 0 {
                    remaining.insert(t.table.clone(), n);
                }
            }
        }
    }
    let tenant_rows: i64 = c
        .query_one(
            &format!("SELECT count(*) FROM {}", tenant_row(map)),
            &[&tenant],
        )
        .await?
        .get(0);
    // A tenant row may stay only minimised, and only while retained rows need it.
    // The references are read from the catalog here, not taken from a plan:
    // verification must stand on its own (the TOM check calls it too).
    let kept = map.keeps_tenant_row().is_some()
        && referencing_rows(
            c,
            map,
            &crate::datamap::retained_references(c, map).await?,
            tenant,
        )
        .await?
            > 0;
    if tenant_rows > 0 && !kept {
        remaining.insert(map.tenant.table.clone(), tenant_rows);
    }
    if tenant_rows > 0 && kept {
        let n = unminimised(c, map, tenant).await?;
        if n > 0 {
            not_nulled.insert(map.tenant.table.clone(), n);
        }
    }
    Ok(Verification {
        ok: remaining.is_empty() && not_nulled.is_empty(),
        remaining,
        not_nulled,
    })
}

fn retained_of(plan: &Plan, table: &str) -> i64 {
    plan.tables
        .iter()
        .find(|t| t.table == table)
        .map_or(0, |t| t.retain)
}

/// All in one transaction: either the tenant is gone and verified, or nothing changed.
pub async fn run_single(
    client: &mut Client,
    map: &DataMap,
    plan: &Plan,
    today: NaiveDate,
) -> Result<Outcome, ErasureError> {
    let tenant = plan.tenant.as_str();
    let tx = client.transaction().await?;
    scope(&tx, map, tenant).await?;
    let mut tables = BTreeMap::new();
    for t in &map.tables {
        let mut r = step(&tx, map, t, tenant, today, None).await?;
        r.retained = retained_of(plan, &t.table);
        tables.insert(t.table.clone(), r);
    }
    let row = finish_tenant_row(&tx, map, &plan.references, tenant).await?;
    let verification = verify(&tx, map, tenant, today).await?;
    if !verification.ok {
        // Never commit a half erasure: the transaction rolls back on drop.
        return Err(ErasureError::NotVerified(verification));
    }
    tx.commit().await?;
    Ok(Outcome {
        mode: Mode::Single,
        batches: 1,
        tables,
        tenant_row_deleted: row == TenantRow::Deleted,
        tenant_row_kept_minimised: row == TenantRow::KeptMinimised,
        verification,
    })
}

/// Starts a batched erasure: records the job and locks the tenant out.
pub async fn start_batched(
    client: &mut Client,
    map: &DataMap,
    tenant: &str,
    intent_id: Uuid,
    started_by: &str,
    instruction: &str,
) -> Result<(), ErasureError> {
    client.batch_execute(JOBS_SQL).await.map_err(|e| {
        ErasureError::Setup(format!(
            "cannot create ltops_erasure.jobs ({}) — the database role of the config must be allowed to create it",
            crate::db::error_chain(&e)
        ))
    })?;
    let tx = client.transaction().await?;
    scope(&tx, map, tenant).await?;
    tx.execute(
        "INSERT INTO ltops_erasure.jobs (tenant, intent_id, started_by, instruction) VALUES ($1, $2, $3, $4)",
        &[&tenant, &intent_id, &started_by, &instruction],
    )
    .await?;
    if let (Some(col), Some(value)) = (&map.tenant.status_column, &map.tenant.erasing_value) {
        tx.execute(
            &format!(
                "UPDATE {} SET {} = $2 WHERE {} = {}",
                map.qualified(&map.tenant.table),
                quote_ident(col),
                quote_ident(&map.tenant.key),
                map.id_param(1)
            ),
            &[&tenant, value],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Hands an interrupted job to the intent of the run that resumes it.
pub async fn adopt_job(client: &Client, tenant: &str, intent_id: Uuid) -> Result<(), ErasureError> {
    client
        .execute(
            "UPDATE ltops_erasure.jobs SET intent_id = $2, updated_at = now() WHERE tenant = $1",
            &[&tenant, &intent_id],
        )
        .await?;
    Ok(())
}

/// Runs (or resumes) the batches of a started job, then deletes the tenant row,
/// verifies, and removes the job.
pub async fn run_batched(
    client: &mut Client,
    map: &DataMap,
    plan: &Plan,
    opts: &Options,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Outcome, ErasureError> {
    let tenant = plan.tenant.as_str();
    let size = i64::try_from(opts.batch_size.max(1)).unwrap_or(5_000);
    let total: i64 = plan.total_delete() + plan.total_retain();
    let mut done: i64 = 0;
    let mut tables: BTreeMap<String, TableResult> = BTreeMap::new();
    let mut batches = 0i64;
    for t in &map.tables {
        let mut acc = TableResult {
            retained: retained_of(plan, &t.table),
            ..TableResult::default()
        };
        loop {
            let tx = client.transaction().await?;
            scope(&tx, map, tenant).await?;
            let r = step(&tx, map, t, tenant, opts.today, Some(size)).await?;
            let n = r.deleted + r.nulled;
            if n > 0 {
                tx.execute(
                    "UPDATE ltops_erasure.jobs
                        SET counts = jsonb_set(counts, ARRAY[$2::text],
                                jsonb_build_object(
                                  'deleted', coalesce((counts #>> ARRAY[$2::text, 'deleted'])::bigint, 0) + $3,
                                  'nulled',  coalesce((counts #>> ARRAY[$2::text, 'nulled'])::bigint, 0) + $4)),
                            batches = batches + 1, updated_at = now()
                      WHERE tenant = $1",
                    &[&tenant, &t.table, &r.deleted, &r.nulled],
                )
                .await?;
            }
            tx.commit().await?;
            acc.deleted += r.deleted;
            acc.nulled += r.nulled;
            if n == 0 {
                break;
            }
            batches += 1;
            done += n;
            progress(Progress {
                table: t.table.clone(),
                done,
                total,
            });
        }
        tables.insert(t.table.clone(), acc);
    }
    let tx = client.transaction().await?;
    scope(&tx, map, tenant).await?;
    let row = finish_tenant_row(&tx, map, &plan.references, tenant).await?;
    let verification = verify(&tx, map, tenant, opts.today).await?;
    if !verification.ok {
        return Err(ErasureError::NotVerified(verification));
    }
    // The whole job's counts, including batches of an interrupted earlier run.
    let counts: serde_json::Value = tx
        .query_one(
            "DELETE FROM ltops_erasure.jobs WHERE tenant = $1 RETURNING counts",
            &[&tenant],
        )
        .await?
        .get(0);
    tx.commit().await?;
    for (table, r) in tables.iter_mut() {
        if let Some(c) = counts.get(table) {
            r.deleted = c
                .get("deleted")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(r.deleted);
            r.nulled = c
                .get("nulled")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(r.nulled);
        }
    }
    progress(Progress {
        table: map.tenant.table.clone(),
        done: total,
        total,
    });
    Ok(Outcome {
        mode: Mode::Batched,
        batches,
        tables,
        tenant_row_deleted: row == TenantRow::Deleted,
        tenant_row_kept_minimised: row == TenantRow::KeptMinimised,
        verification,
    })
}
