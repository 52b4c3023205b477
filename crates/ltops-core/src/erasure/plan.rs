//! What an erasure of one tenant would do, table by table: rows deleted, rows kept
//! under a statutory retention (until when, on which basis, with which columns
//! nulled), and whether the tenant row goes or is kept minimised while retained
//! rows reference it — computed from the data map against the live database.

use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::GenericClient;

use crate::datamap::{
    DataMap, OnErase, Reference, Retention, RetentionStart, SchemaDiff, TableMap, quote_ident,
};

use super::ErasureError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TablePlan {
    pub table: String,
    pub tenant_columns: Vec<String>,
    /// Rows that go now.
    pub delete: i64,
    /// Rows kept under retention (only `on_erase: retain`).
    pub retain: i64,
    pub retention: Option<RetentionPlan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionPlan {
    pub basis: String,
    pub years: u32,
    pub nulled_columns: Vec<String>,
    /// The first and last day on which kept rows become due for purging.
    pub purge_from: Option<NaiveDate>,
    pub purge_until: Option<NaiveDate>,
}

/// What happens to the tenant row itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TenantRowPlan {
    /// Kept, minimised, because retained rows reference it
    /// (`tenant.on_retained_references: keep_minimised`); else deleted.
    pub keep_minimised: bool,
    /// The retained tables whose kept rows reference it.
    pub referenced_by: Vec<String>,
    /// The day the last referencing row falls due: `retention purge` deletes the
    /// tenant row on or after it.
    pub kept_until: Option<NaiveDate>,
    /// Minimised by an earlier erasure already (its status says so).
    pub already_minimised: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub tenant: String,
    pub tenant_exists: bool,
    pub tenant_table: String,
    pub tables: Vec<TablePlan>,
    pub tenant_row: TenantRowPlan,
    pub schema: SchemaDiff,
    pub today: NaiveDate,
    /// Foreign keys from retained tables to the tenant table (for the run).
    #[serde(skip)]
    pub references: Vec<Reference>,
}

impl Plan {
    pub fn total_delete(&self) -> i64 {
        self.tables.iter().map(|t| t.delete).sum::<i64>()
            + i64::from(self.tenant_exists && !self.tenant_row.keep_minimised)
    }

    /// Nothing is left to erase: no rows to delete and the tenant row gone or
    /// minimised by an earlier erasure (which waits for the retention purge).
    pub fn nothing_left(&self) -> bool {
        self.tables.iter().all(|t| t.delete == 0)
            && (!self.tenant_exists || self.tenant_row.already_minimised)
    }

    pub fn total_retain(&self) -> i64 {
        self.tables.iter().map(|t| t.retain).sum()
    }
}

/// `(c1 = $n::cast OR c2 = $n::cast)`: the rows of a table that belong to the tenant.
pub fn tenant_predicate(map: &DataMap, t: &TableMap, param: usize) -> String {
    let id = map.id_param(param);
    let parts: Vec<String> = t
        .tenant_columns
        .iter()
        .map(|c| format!("{} = {id}", quote_ident(c)))
        .collect();
    format!("({})", parts.join(" OR "))
}

/// `(c1, c2) IN (SELECT k1, k2 FROM tenant WHERE key = $n)`: the rows of a
/// retained table that reference the tenant row through `r`.
pub fn references_predicate(map: &DataMap, r: &Reference, param: usize) -> String {
    let (own, theirs): (Vec<String>, Vec<String>) = r
        .columns
        .iter()
        .map(|(c, k)| (quote_ident(c), quote_ident(k)))
        .unzip();
    format!(
        "({}) IN (SELECT {} FROM {} WHERE {} = {})",
        own.join(", "),
        theirs.join(", "),
        map.qualified(&map.tenant.table),
        quote_ident(&map.tenant.key),
        map.id_param(param)
    )
}

/// The first day a retained row may be deleted.
pub fn retention_end_sql(r: &Retention) -> String {
    let col = quote_ident(&r.date_column);
    match r.starts {
        // 8 years from the end of the calendar year of issue: an invoice of
        // 2016-05-01 is kept through 2024-12-31 and may go on 2025-01-01.
        RetentionStart::EndOfYear => format!(
            "make_date(extract(year from {col})::int + {} + 1, 1, 1)",
            r.years
        ),
        RetentionStart::Date => format!("({col} + interval '{} years')::date", r.years),
    }
}

/// Plans inside a transaction scoped to the tenant, so that a role under
/// row-level security counts exactly the tenant's rows.
pub async fn plan(
    client: &mut tokio_postgres::Client,
    map: &DataMap,
    tenant: &str,
    today: NaiveDate,
) -> Result<Plan, ErasureError> {
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT set_config($1, $2, true)",
        &[&map.rls_setting, &tenant],
    )
    .await?;
    let plan = plan_in(&tx, map, tenant, today).await?;
    tx.commit().await?;
    Ok(plan)
}

async fn plan_in<C: GenericClient>(
    client: &C,
    map: &DataMap,
    tenant: &str,
    today: NaiveDate,
) -> Result<Plan, ErasureError> {
    let schema = crate::datamap::compare_schema(client, map).await?;
    if !schema.is_clean() {
        // Counting against a schema that does not match the map would mislead.
        return Ok(Plan {
            tenant: tenant.to_owned(),
            tenant_exists: false,
            tenant_table: map.tenant.table.clone(),
            tables: Vec::new(),
            tenant_row: TenantRowPlan::default(),
            schema,
            today,
            references: Vec::new(),
        });
    }
    let references = crate::datamap::retained_references(client, map).await?;
    let tenant_exists = client
        .query_opt(
            &format!(
                "SELECT 1 FROM {} WHERE {} = {}",
                map.qualified(&map.tenant.table),
                quote_ident(&map.tenant.key),
                map.id_param(1)
            ),
            &[&tenant],
        )
        .await?
        .is_some();
    let mut tables = Vec::new();
    for t in &map.tables {
        let pred = tenant_predicate(map, t, 1);
        let table = map.qualified(&t.table);
        match (t.on_erase, &t.retain) {
            (OnErase::Retain, Some(r)) => {
                let end = retention_end_sql(r);
                let row = client
                    .query_one(
                        &format!(
                            "SELECT count(*) FILTER (WHERE {end} <= $2),
                                    count(*) FILTER (WHERE {end} > $2),
                                    min({end}) FILTER (WHERE {end} > $2),
                                    max({end}) FILTER (WHERE {end} > $2)
                               FROM {table} WHERE {pred}"
                        ),
                        &[&tenant, &today],
                    )
                    .await?;
                tables.push(TablePlan {
                    table: t.table.clone(),
                    tenant_columns: t.tenant_columns.clone(),
                    delete: row.get(0),
                    retain: row.get(1),
                    retention: Some(RetentionPlan {
                        basis: r.basis.clone(),
                        years: r.years,
                        nulled_columns: r.null_columns.clone(),
                        purge_from: row.get(2),
                        purge_until: row.get(3),
                    }),
                });
            }
            _ => {
                let row = client
                    .query_one(
                        &format!("SELECT count(*) FROM {table} WHERE {pred}"),
                        &[&tenant],
                    )
                    .await?;
                tables.push(TablePlan {
                    table: t.table.clone(),
                    tenant_columns: t.tenant_columns.clone(),
                    delete: row.get(0),
                    retain: 0,
                    retention: None,
                });
            }
        }
    }
    let tenant_row = if tenant_exists {
        tenant_row_plan(client, map, &references, tenant, today).await?
    } else {
        TenantRowPlan::default()
    };
    Ok(Plan {
        tenant: tenant.to_owned(),
        tenant_exists,
        tenant_table: map.tenant.table.clone(),
        tables,
        tenant_row,
        schema,
        today,
        references,
    })
}

/// Rows of retained tables that reference the tenant row and stay after `today`:
/// how many, and when the last of them falls due.
pub async fn kept_references<C: GenericClient>(
    client: &C,
    map: &DataMap,
    references: &[Reference],
    tenant: &str,
    today: NaiveDate,
) -> Result<(Vec<String>, Option<NaiveDate>), ErasureError> {
    let mut tables = Vec::new();
    let mut until: Option<NaiveDate> = None;
    for r in references {
        let Some(ret) = map.table(&r.table).and_then(|t| t.retain.as_ref()) else {
            continue;
        };
        let end = retention_end_sql(ret);
        let row = client
            .query_one(
                &format!(
                    "SELECT count(*), max({end}) FROM {} WHERE {end} > $2 AND {}",
                    map.qualified(&r.table),
                    references_predicate(map, r, 1)
                ),
                &[&tenant, &today],
            )
            .await?;
        if row.get::<_, i64>(0) > 0 {
            if !tables.contains(&r.table) {
                tables.push(r.table.clone());
            }
            until = until.max(row.get(1));
        }
    }
    Ok((tables, until))
}

/// Whether the tenant row carries the map's "erased" status already.
pub async fn is_minimised<C: GenericClient>(
    client: &C,
    map: &DataMap,
    tenant: &str,
) -> Result<bool, ErasureError> {
    let (Some(m), Some(col)) = (map.keeps_tenant_row(), &map.tenant.status_column) else {
        return Ok(false);
    };
    let row = client
        .query_opt(
            &format!(
                "SELECT {}::text = $2 FROM {} WHERE {} = {}",
                quote_ident(col),
                map.qualified(&map.tenant.table),
                quote_ident(&map.tenant.key),
                map.id_param(1)
            ),
            &[&tenant, &m.status_value],
        )
        .await?;
    Ok(row.is_some_and(|r| r.get::<_, Option<bool>>(0).unwrap_or(false)))
}

async fn tenant_row_plan<C: GenericClient>(
    client: &C,
    map: &DataMap,
    references: &[Reference],
    tenant: &str,
    today: NaiveDate,
) -> Result<TenantRowPlan, ErasureError> {
    if map.keeps_tenant_row().is_none() {
        // Without keep_minimised, compare_schema refused any reference already.
        return Ok(TenantRowPlan::default());
    }
    let (referenced_by, kept_until) =
        kept_references(client, map, references, tenant, today).await?;
    Ok(TenantRowPlan {
        keep_minimised: !referenced_by.is_empty(),
        referenced_by,
        kept_until,
        already_minimised: is_minimised(client, map, tenant).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_end_is_the_first_day_after_the_period() {
        let r = Retention {
            basis: "x".into(),
            years: 8,
            date_column: "issued_on".into(),
            starts: RetentionStart::EndOfYear,
            null_columns: vec![],
        };
        assert_eq!(
            retention_end_sql(&r),
            "make_date(extract(year from \"issued_on\")::int + 8 + 1, 1, 1)"
        );
    }
}
