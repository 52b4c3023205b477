//! What an erasure of one tenant would do, table by table: rows deleted, rows kept
//! under a statutory retention (until when, on which basis, with which columns
//! nulled) — computed from the data map against the live database.

use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::GenericClient;

use crate::datamap::{
    DataMap, OnErase, Retention, RetentionStart, SchemaDiff, TableMap, quote_ident,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub tenant: String,
    pub tenant_exists: bool,
    pub tenant_table: String,
    pub tables: Vec<TablePlan>,
    pub schema: SchemaDiff,
    pub today: NaiveDate,
}

impl Plan {
    pub fn total_delete(&self) -> i64 {
        self.tables.iter().map(|t| t.delete).sum::<i64>() + i64::from(self.tenant_exists)
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
            schema,
            today,
        });
    }
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
    Ok(Plan {
        tenant: tenant.to_owned(),
        tenant_exists,
        tenant_table: map.tenant.table.clone(),
        tables,
        schema,
        today,
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
