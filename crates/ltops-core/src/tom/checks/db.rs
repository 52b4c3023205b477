//! The platform database, through the configured connection: tenant separation
//! (row-level security forced, tenant columns NOT NULL), the data map covering
//! every table with a tenant column, the event store's columns, and no rows left
//! of tenants whose erasure the audit log records.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use tokio_postgres::Client;

use super::super::{Finding, Text};
use crate::audit::event::Event;
use crate::datamap::{DataMap, compare_schema};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsParams {
    pub table: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureParams {
    /// The audit action that records a tenant's erasure.
    pub erase_action: String,
}

/// Why the database could not be read for a check.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("{}", crate::db::error_chain(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error(transparent)]
    Erasure(#[from] crate::erasure::ErasureError),
}

/// The one finding of a check that could not read the schema.
fn unreadable(check: &str, map: &DataMap, e: impl std::fmt::Display) -> Vec<Finding> {
    vec![Finding::error(
        check,
        format!("schema {}", map.schema),
        Text::same(e.to_string()),
    )]
}

/// Every tenant table with its tenant columns: the map's, and any table the
/// database has with a tenant column the map does not know.
async fn tenant_tables(
    client: &Client,
    map: &DataMap,
) -> Result<
    (
        BTreeMap<String, BTreeSet<String>>,
        crate::datamap::SchemaDiff,
    ),
    ReadError,
> {
    let diff = compare_schema(client, map).await?;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    out.entry(map.tenant.table.clone())
        .or_default()
        .insert(map.tenant.key.clone());
    for t in &map.tables {
        out.entry(t.table.clone())
            .or_default()
            .extend(t.tenant_columns.iter().cloned());
    }
    for (t, c) in &diff.unmapped {
        out.entry(t.clone()).or_default().insert(c.clone());
    }
    Ok((out, diff))
}

fn table_label(map: &DataMap, t: &str) -> String {
    format!("table {}.{t}", map.schema)
}

pub async fn rls_forced(check: &str, client: &Client, map: &DataMap) -> Vec<Finding> {
    let (tables, _) = match tenant_tables(client, map).await {
        Ok(t) => t,
        Err(e) => return unreadable(check, map, e),
    };
    let rows = match client
        .query(
            "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                    (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
            &[&map.schema],
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return unreadable(check, map, ReadError::from(e)),
    };
    let state: BTreeMap<String, (bool, bool, i64)> = rows
        .iter()
        .map(|r| (r.get::<_, String>(0), (r.get(1), r.get(2), r.get(3))))
        .collect();
    tables
        .keys()
        .map(|t| match state.get(t) {
            None => Finding::na(
                check,
                table_label(map, t),
                text!(
                    "not in the database (see db.datamap_coverage)",
                    "nicht in der Datenbank (siehe db.datamap_coverage)"
                ),
            ),
            Some(&(enabled, forced, policies)) => {
                let ok = enabled && forced && policies > 0;
                Finding::verdict(
                    check,
                    table_label(map, t),
                    ok,
                    text!(
                        "row-level security {}, {}, {} polic{}",
                        "Row-Level-Security {}, {}, {} Richtlinie{}",
                        if enabled {
                            text!("enabled", "aktiviert")
                        } else {
                            text!("NOT enabled", "NICHT aktiviert")
                        },
                        if forced {
                            text!("forced", "erzwungen")
                        } else {
                            text!(
                                "NOT forced (the owner bypasses it)",
                                "NICHT erzwungen (der Eigentümer umgeht sie)"
                            )
                        },
                        policies,
                        if policies == 1 {
                            text!("y", "")
                        } else {
                            text!("ies", "n")
                        }
                    ),
                )
            }
        })
        .collect()
}

async fn not_null_map(
    client: &Client,
    schema: &str,
) -> Result<BTreeMap<(String, String), bool>, ReadError> {
    let rows = client
        .query(
            "SELECT c.relname::text, a.attname::text, a.attnotnull
               FROM pg_attribute a
               JOIN pg_class c ON c.oid = a.attrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
            &[&schema],
        )
        .await
        ?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                (r.get::<_, String>(0), r.get::<_, String>(1)),
                r.get::<_, bool>(2),
            )
        })
        .collect())
}

pub async fn tenant_column_not_null(check: &str, client: &Client, map: &DataMap) -> Vec<Finding> {
    let (tables, _) = match tenant_tables(client, map).await {
        Ok(t) => t,
        Err(e) => return unreadable(check, map, e),
    };
    let cols = match not_null_map(client, &map.schema).await {
        Ok(c) => c,
        Err(e) => return unreadable(check, map, e),
    };
    let mut out = Vec::new();
    for (t, tcols) in &tables {
        for c in tcols {
            let resource = format!("column {}.{t}.{c}", map.schema);
            out.push(match cols.get(&(t.clone(), c.clone())) {
                None => Finding::na(
                    check,
                    resource,
                    text!(
                        "not in the database (see db.datamap_coverage)",
                        "nicht in der Datenbank (siehe db.datamap_coverage)"
                    ),
                ),
                Some(&nn) => Finding::verdict(
                    check,
                    resource,
                    nn,
                    if nn {
                        text!(
                            "NOT NULL: every row names its tenant",
                            "NOT NULL: jede Zeile nennt ihren Mandanten"
                        )
                    } else {
                        text!(
                            "nullable: a row could belong to no tenant",
                            "darf NULL sein: eine Zeile könnte keinem Mandanten gehören"
                        )
                    },
                ),
            });
        }
    }
    out
}

/// The columns of `table` in a list of (table, column).
fn columns_of<'a>(pairs: &'a [(String, String)], table: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(t, _)| t == table)
        .map(|(_, c)| c.as_str())
        .collect()
}

pub async fn datamap_coverage(check: &str, client: &Client, map: &DataMap) -> Vec<Finding> {
    let (tables, diff) = match tenant_tables(client, map).await {
        Ok(t) => t,
        Err(e) => return unreadable(check, map, e),
    };
    let mut out = Vec::new();
    let unmapped: BTreeSet<&String> = diff.unmapped.iter().map(|(t, _)| t).collect();
    for t in tables.keys() {
        if unmapped.contains(t) {
            let cols = columns_of(&diff.unmapped, t);
            out.push(Finding::fail(
                check,
                table_label(map, t),
                text!(
                    "has the tenant column(s) {} but is not in policies/datamap.yaml: erasure would miss it",
                    "hat die Mandantenspalte(n) {}, steht aber nicht in policies/datamap.yaml: eine Löschung würde sie übergehen",
                    cols.join(", ")
                ),
            ));
        } else if diff.missing_tables.contains(t) {
            out.push(Finding::fail(
                check,
                table_label(map, t),
                text!(
                    "is in the data map but not in the database",
                    "steht in der Data Map, aber nicht in der Datenbank"
                ),
            ));
        } else {
            let missing = columns_of(&diff.missing_columns, t);
            out.push(if missing.is_empty() {
                Finding::pass(
                    check,
                    table_label(map, t),
                    text!(
                        "in the data map, and its mapped columns exist",
                        "in der Data Map, und ihre zugeordneten Spalten existieren"
                    ),
                )
            } else {
                Finding::fail(
                    check,
                    table_label(map, t),
                    text!(
                        "mapped columns missing in the database: {}",
                        "zugeordnete Spalten fehlen in der Datenbank: {}",
                        missing.join(", ")
                    ),
                )
            });
        }
    }
    out
}

pub async fn columns_not_null(
    check: &str,
    client: &Client,
    map: &DataMap,
    p: &ColumnsParams,
) -> Vec<Finding> {
    let cols = match not_null_map(client, &map.schema).await {
        Ok(c) => c,
        Err(e) => return unreadable(check, map, e),
    };
    p.columns
        .iter()
        .map(|c| {
            let resource = format!("column {}.{}.{c}", map.schema, p.table);
            match cols.get(&(p.table.clone(), c.clone())) {
                None => Finding::fail(check, resource, text!("does not exist", "existiert nicht")),
                Some(&nn) => Finding::verdict(
                    check,
                    resource,
                    nn,
                    if nn {
                        text!(
                            "exists, NOT NULL: recorded for every change",
                            "existiert, NOT NULL: für jede Änderung erfasst"
                        )
                    } else {
                        text!(
                            "exists but is nullable: may be left empty",
                            "existiert, darf aber NULL sein: kann leer bleiben"
                        )
                    },
                ),
            }
        })
        .collect()
}

/// Tenants whose erasure the ledger (the audit log) records as done: (tenant, at, seq).
pub fn erased_tenants(events: &[Event], action: &str) -> Vec<(String, String, u64)> {
    let mut out: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for e in crate::erasure::ledger::from_events(events) {
        out.insert(e.tenant, (e.erased_at, e.seq));
    }
    // The ledger is defined by the erasure action; a catalog naming another one
    // finds nothing, which the check reports instead of passing silently.
    if action != crate::erasure::ledger::ERASE_ACTION {
        out.clear();
    }
    out.into_iter().map(|(t, (at, seq))| (t, at, seq)).collect()
}

pub async fn erasure_complete(
    check: &str,
    client: &mut Client,
    map: &DataMap,
    p: &ErasureParams,
    events: &Result<Vec<Event>, String>,
) -> Vec<Finding> {
    let events = match events {
        Ok(e) => e,
        Err(e) => {
            return vec![Finding::error(
                check,
                "erased tenants",
                text!(
                    "the audit log cannot be read: {}",
                    "das Audit-Log kann nicht gelesen werden: {}",
                    e
                ),
            )];
        }
    };
    let erased = erased_tenants(events, &p.erase_action);
    if erased.is_empty() {
        return vec![Finding::na(
            check,
            "erased tenants",
            text!(
                "the audit log records no `{}`: nothing to verify",
                "das Audit-Log verzeichnet kein `{}`: nichts zu prüfen",
                p.erase_action
            ),
        )];
    }
    let mut out = Vec::new();
    for (tenant, at, seq) in erased {
        let resource = format!("tenant {tenant}");
        if let Err(e) = map.check_tenant_id(&tenant) {
            out.push(Finding::error(check, resource, Text::same(e)));
            continue;
        }
        match leftovers(client, map, &tenant).await {
            Err(e) => out.push(Finding::error(check, resource, Text::same(e.to_string()))),
            Ok(left) if left.is_empty() => out.push(Finding::pass(
                check,
                resource,
                text!(
                    "erased at {} (audit seq {}); no rows left in {} tables",
                    "gelöscht am {} (Audit-Seq {}); keine Zeilen mehr in {} Tabellen",
                    at,
                    seq,
                    map.tables.len() + 1
                ),
            )),
            Ok(left) => out.push(Finding::fail(
                check,
                resource,
                text!(
                    "erased at {} (audit seq {}), but rows are left: {}",
                    "gelöscht am {} (Audit-Seq {}), aber es sind Zeilen übrig: {}",
                    at,
                    seq,
                    left.iter()
                        .map(|(t, n)| format!("{t} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    out
}

/// What the erasure's own verification finds left of an erased tenant: rows in
/// delete tables, un-minimised or overdue rows in retained tables.
async fn leftovers(
    client: &mut Client,
    map: &DataMap,
    tenant: &str,
) -> Result<Vec<(String, i64)>, ReadError> {
    let tx = client.transaction().await?;
    // Row-level security shows the session only the tenant it names.
    tx.execute(
        "SELECT set_config($1, $2, true)",
        &[&map.rls_setting, &tenant],
    )
    .await?;
    let today = chrono::Utc::now().date_naive();
    let v = crate::erasure::run::verify(&tx, map, tenant, today).await?;
    tx.rollback().await?;
    let mut left: Vec<(String, i64)> = v.remaining.into_iter().collect();
    left.extend(
        v.not_nulled
            .into_iter()
            .map(|(t, n)| (format!("{t} (not minimised)"), n)),
    );
    Ok(left)
}
