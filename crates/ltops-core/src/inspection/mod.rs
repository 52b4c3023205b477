//! Documented reads of customer data (TOM preamble: "anlassbezogen … zur
//! Überprüfung auf Korrektheit"; §3: every access logged, "Least to know"):
//! one SELECT for exactly one tenant, in a READ ONLY transaction scoped like an
//! intervention, every row a table contributes checked against the tenant
//! columns, personal columns masked unless revealed.
//!
//! The statement comes from the structured form (table, keys, `col = value`
//! filters) or from raw SQL checked by [`crate::intervention::select`]. Which
//! output columns are personal is decided from what PostgreSQL reports as
//! each column's origin (table and column, also through subqueries) and the
//! data map; a computed column from the statement's select lists
//! ([`Computed`]).
//!
//! This module knows nothing of clap, printing or prompts; the use case is
//! [`crate::ops::inspect`].

pub mod mask;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};
use tokio_postgres::Transaction;
use tokio_postgres::types::ToSql;

use crate::datamap::DataMap;
use crate::intervention::select::{self, Computed, OUT_OF_SCOPE, checked_relation};
use crate::intervention::structured::{self, Rows};
use crate::intervention::{InterventionError, Refusal, TableRef, q};

/// How the operator asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadForm {
    /// `--table` with `--id`/`--key`/`--where`.
    Rows,
    /// `--sql`: one checked SELECT.
    Sql,
}

impl ReadForm {
    pub fn as_str(self) -> &'static str {
        match self {
            ReadForm::Rows => "rows",
            ReadForm::Sql => "sql",
        }
    }
}

/// A read, planned: checked, but nothing has reached the database.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadPlan {
    pub form: ReadForm,
    /// The table of the structured form.
    pub table: Option<String>,
    /// Every data-map table the statement reads (RLS is checked on each).
    pub tables: BTreeSet<String>,
    /// The statement as given (SQL) or described (structured). May hold
    /// personal data (a filter value): only goes into the log sealed.
    pub statement: String,
    /// What runs, every relation wrapped in the row check; parameters as text.
    pub sql: String,
    pub params: Vec<String>,
    pub computed: Computed,
}

/// The structured form: rows of `table`, by key (`rows`) and/or by
/// `column = value` filters, in key order.
pub fn plan_rows(
    map: &DataMap,
    table: &str,
    rows: Option<&Rows>,
    filters: &[(String, String)],
    tenant: &str,
) -> Result<ReadPlan, Refusal> {
    let t = TableRef::find(map, table).ok_or_else(|| {
        Refusal::from(format!(
            "`{table}` is not a table of the data map; inspections read only {}",
            TableRef::names(map).join(", ")
        ))
    })?;
    let qname = map.qualified(&t.name);
    let mut conditions: Vec<String> = Vec::new();
    let mut params: Vec<String> = Vec::new();
    let mut described: Vec<String> = Vec::new();
    if let Some(rows) = rows {
        let keys = structured::key_objects(&t, rows)?;
        params.push(Value::Array(keys.iter().cloned().map(Value::Object).collect()).to_string());
        conditions.push(structured::key_match(
            &t,
            &qname,
            &format!("${}", params.len()),
        ));
        described.push(describe_keys(&keys));
    }
    if !filters.is_empty() {
        let mut values = Map::new();
        for (col, value) in filters {
            structured::check_column_name(col)?;
            if values
                .insert(col.clone(), Value::String(value.clone()))
                .is_some()
            {
                return Err(format!("--where {col}=… is given twice").into());
            }
            described.push(format!("{col} = '{}'", value.replace('\'', "''")));
        }
        params.push(Value::Object(values.clone()).to_string());
        let n = params.len();
        for col in values.keys() {
            conditions.push(format!(
                "t.{c} = (SELECT __ltops_w.{c} FROM pg_catalog.jsonb_populate_record(NULL::{qname}, ${n}::text::jsonb) AS __ltops_w)",
                c = q(col)
            ));
        }
    }
    let where_ = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let order = t
        .key
        .iter()
        .map(|k| format!("t.{}", q(k)))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(ReadPlan {
        form: ReadForm::Rows,
        table: Some(t.name.clone()),
        tables: BTreeSet::from([t.name.clone()]),
        statement: format!(
            "SELECT * FROM {}{}",
            t.name,
            if described.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", described.join(" AND "))
            }
        ),
        sql: format!(
            "SELECT t.* FROM {} AS t{where_} ORDER BY {order}",
            checked_relation(map, &t, tenant)
        ),
        params,
        computed: Computed::Clean,
    })
}

/// The raw form: one SELECT, checked ([`select::plan`]).
pub fn plan_sql(map: &DataMap, text: &str, tenant: &str) -> Result<ReadPlan, Refusal> {
    let s = select::plan(map, text, tenant)?;
    Ok(ReadPlan {
        form: ReadForm::Sql,
        table: None,
        tables: s.tables,
        statement: s.statement,
        sql: s.sql,
        params: Vec::new(),
        computed: s.computed,
    })
}

fn describe_keys(keys: &[Map<String, Value>]) -> String {
    let one = |m: &Map<String, Value>| {
        m.iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    match keys {
        [k] => one(k),
        many => format!(
            "({})",
            many.iter()
                .map(|k| format!("({})", one(k)))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
    }
}

/// An output column of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// `table.column` when the column is a plain column of a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Personal by the data map (its origin), or computed from personal data.
    pub personal: bool,
}

/// The result's columns, from the server's description of the prepared
/// statement (nothing is read yet).
pub async fn describe(
    tx: &Transaction<'_>,
    map: &DataMap,
    plan: &ReadPlan,
) -> Result<Vec<Column>, InterventionError> {
    let stmt = tx
        .prepare(&plan.sql)
        .await
        .map_err(|e| InterventionError::Db {
            context: "checking the statement".into(),
            detail: crate::intervention::run::server_detail(&e),
        })?;
    let oids: Vec<u32> = stmt
        .columns()
        .iter()
        .filter_map(|c| c.table_oid())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows = tx
        .query(
            "SELECT c.oid, n.nspname::text, c.relname::text, a.attnum, a.attname::text
               FROM pg_catalog.pg_attribute a
               JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE a.attrelid = ANY($1) AND a.attnum > 0",
            &[&oids],
        )
        .await
        .map_err(|e| InterventionError::db("reading where the result's columns come from", &e))?;
    let mut names: HashMap<(u32, i16), (String, String)> = HashMap::new();
    for r in rows {
        let (oid, schema, table, num, col): (u32, String, String, i16, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        names.insert((oid, num), (map.display_name(&schema, &table), col));
    }
    Ok(stmt
        .columns()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let origin = c
                .table_oid()
                .zip(c.column_id())
                .and_then(|key| names.get(&key));
            match origin {
                Some((table, col)) => Column {
                    name: c.name().to_owned(),
                    origin: Some(format!("{table}.{col}")),
                    personal: is_personal(map, table, col),
                },
                None => Column {
                    name: c.name().to_owned(),
                    origin: None,
                    personal: plan.computed.personal(i),
                },
            }
        })
        .collect())
}

/// Whether the data map lists `column` of `table` as personal. A table the
/// map does not know cannot be read (the guard), so it counts as personal.
pub fn is_personal(map: &DataMap, table: &str, column: &str) -> bool {
    if map.canonical(table) == map.canonical(&map.tenant.table) {
        return map.tenant.personal.iter().any(|c| c == column);
    }
    map.table(table)
        .is_none_or(|t| t.personal.iter().any(|c| c == column))
}

/// The rows, every value as PostgreSQL renders it as text, at most `limit`.
pub async fn fetch(
    tx: &Transaction<'_>,
    plan: &ReadPlan,
    columns: usize,
    limit: u64,
) -> Result<Vec<Vec<Option<String>>>, InterventionError> {
    let names: Vec<String> = (1..=columns).map(|i| format!("__ltops_c{i}")).collect();
    let sql = format!(
        "SELECT {} FROM ({}) AS __ltops_q({}) LIMIT {limit}",
        names
            .iter()
            .map(|n| format!("__ltops_q.{n}::text"))
            .collect::<Vec<_>>()
            .join(", "),
        plan.sql,
        names.join(", ")
    );
    let params: Vec<&(dyn ToSql + Sync)> = plan
        .params
        .iter()
        .map(|p| p as &(dyn ToSql + Sync))
        .collect();
    let rows = tx.query(&sql, &params).await.map_err(|e| {
        let detail = crate::intervention::run::server_detail(&e);
        let code = e.code().map(|c| c.code().to_owned()).unwrap_or_default();
        match detail.find(OUT_OF_SCOPE) {
            // A data exception quotes the value it failed on (`'x@y'::int`):
            // stderr may be a file, so the message stays withheld.
            None if code.starts_with("22") => InterventionError::Db {
                context: "running the statement".into(),
                detail: format!(
                    "a data error (SQLSTATE {code}); the server's message is withheld because it can quote a value of the data — check the statement's casts and functions"
                ),
            },
            Some(at) => InterventionError::OutOfScope(
                detail[at + OUT_OF_SCOPE.len()..]
                    .trim_end_matches(['"', ' '])
                    .trim()
                    .to_owned(),
            ),
            None => InterventionError::Db {
                context: "running the statement".into(),
                detail,
            },
        }
    })?;
    Ok(rows
        .iter()
        .map(|r| {
            (0..columns)
                .map(|i| r.get::<_, Option<String>>(i))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intervention::tests::repo_map;

    const T: &str = "00000000-0000-4000-8000-000000000003";

    #[test]
    fn structured_reads_bind_keys_and_filters_and_check_every_row() {
        let m = repo_map();
        let p = plan_rows(
            &m,
            "leads",
            Some(&Rows::Ids(vec!["a".into()])),
            &[("status".into(), "lost'; drop table leads".into())],
            T,
        )
        .unwrap();
        assert_eq!(p.params.len(), 2);
        assert!(!p.sql.contains("drop table"), "values are bound: {}", p.sql);
        assert!(
            p.sql
                .contains("CASE WHEN __ltops_r.\"tenant_id\"::text = '"),
            "{}",
            p.sql
        );
        assert!(p.sql.contains("$2::text::jsonb"), "{}", p.sql);
        assert!(p.sql.ends_with("ORDER BY t.\"id\""), "{}", p.sql);
        assert_eq!(
            p.statement,
            "SELECT * FROM leads WHERE id = \"a\" AND status = 'lost''; drop table leads'"
        );
        let all = plan_rows(&m, "tenants", None, &[], T).unwrap();
        assert!(all.params.is_empty());
        assert!(
            all.sql.contains("__ltops_r.\"id\"::text = '"),
            "{}",
            all.sql
        );
        assert!(plan_rows(&m, "pg_authid", None, &[], T).is_err());
        assert!(plan_rows(&m, "leads", None, &[("x; --".into(), "1".into())], T).is_err());
    }

    #[test]
    fn personal_columns_follow_the_data_map() {
        let m = repo_map();
        assert!(is_personal(&m, "leads", "email"));
        assert!(!is_personal(&m, "leads", "status"));
        assert!(is_personal(&m, "tenants", "name"));
        assert!(!is_personal(&m, "tenants", "id"));
        assert!(is_personal(&m, "invoices", "vat_id"));
        assert!(is_personal(&m, "not_mapped", "id"));
    }
}
