//! TOM §5 for staff interventions: the platform's event store and the audit log
//! agree. Every committed intervention on a table with a stream (data map
//! `stream:`) has its events — found by the intervention's audit id carried in
//! their payload, as many as its outcome records — and no event claims an
//! operator as its initiator without an intervention behind it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;
use tokio_postgres::Client;

use super::super::{Finding, Text};
use crate::audit::event::{Event, Outcome, Phase};
use crate::datamap::{DataMap, Stream, quote_ident};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsParams {
    /// The audit actions of interventions (names, or prefixes ending in `.`).
    pub actions: Vec<String>,
}

/// A committed intervention as its outcome records it.
#[derive(Debug, Clone, PartialEq)]
struct Committed {
    audit_id: String,
    intent_seq: u64,
    tenant: String,
    table: String,
    rows: u64,
    /// Events the outcome says were written; `None` from before ltops wrote events.
    events: Option<u64>,
    at: String,
}

/// Operator events of one tenant in one event table: audit id (or none) → count.
type Found = BTreeMap<Option<String>, i64>;

pub async fn intervention_events(
    check: &str,
    client: &mut Client,
    map: &DataMap,
    p: &EventsParams,
    audit: &Result<Vec<Event>, String>,
) -> Vec<Finding> {
    let streams: Vec<(&str, &Stream)> = map
        .tables
        .iter()
        .filter_map(|t| Some((t.table.as_str(), t.stream.as_ref()?)))
        .collect();
    if streams.is_empty() {
        return vec![Finding::na(
            check,
            "event streams",
            text!(
                "the data map describes no event stream (`stream:`): interventions write no events",
                "die Datenkarte beschreibt keinen Event-Stream (`stream:`): Eingriffe schreiben keine Events"
            ),
        )];
    }
    let audit = match audit {
        Ok(a) => a,
        Err(e) => {
            return vec![Finding::error(
                check,
                "interventions",
                text!(
                    "the audit log cannot be read: {}",
                    "das Audit-Log kann nicht gelesen werden: {}",
                    e
                ),
            )];
        }
    };
    let committed = committed(audit, &p.actions);
    let erased: BTreeMap<String, String> = crate::erasure::ledger::from_events(audit)
        .into_iter()
        .map(|e| (e.tenant, e.erased_at))
        .collect();
    let sees_all = match sees_all(client).await {
        Ok(s) => s,
        Err(e) => return vec![Finding::error(check, "event streams", Text::same(e))],
    };
    // Under row-level security each tenant is read in its own scope: those the
    // audit log knows of.
    let tenants: BTreeSet<String> = if sees_all {
        BTreeSet::from([String::new()])
    } else {
        audit
            .iter()
            .filter_map(|e| e.target.tenant.clone())
            .filter(|t| !erased.contains_key(t) && map.check_tenant_id(t).is_ok())
            .collect()
    };
    let mut found: BTreeMap<(String, String), Found> = BTreeMap::new();
    for tenant in &tenants {
        for (_, stream) in &streams {
            match operator_events(client, map, stream, tenant).await {
                Ok(f) => {
                    found.insert((tenant.clone(), stream.table.clone()), f);
                }
                Err(e) => {
                    return vec![Finding::error(
                        check,
                        format!("table {}", stream.table),
                        text!(
                            "reading its operator events: {}",
                            "beim Lesen ihrer Operator-Events: {}",
                            e
                        ),
                    )];
                }
            }
        }
    }
    let mut out = per_intervention(check, map, &committed, &erased, &found, sees_all);
    out.extend(unbacked(
        check,
        &streams,
        &committed,
        &found,
        sees_all,
        tenants.len(),
    ));
    out
}

/// The intents' ids of committed interventions, with what their outcomes say.
fn committed(audit: &[Event], actions: &[String]) -> Vec<Committed> {
    let intents: BTreeMap<String, &Event> = audit
        .iter()
        .filter(|e| e.phase == Phase::Intent && super::audit::matches_action(&e.action, actions))
        .map(|e| (e.id.to_string(), e))
        .collect();
    audit
        .iter()
        .filter(|e| e.phase == Phase::Outcome && e.result == Some(Outcome::Ok))
        .filter_map(|e| {
            let id = e.intent?.to_string();
            let intent = intents.get(&id)?;
            let c = &e.content;
            if c.get("committed") != Some(&Value::Bool(true)) {
                return None;
            }
            Some(Committed {
                audit_id: id,
                intent_seq: intent.seq,
                tenant: e.target.tenant.clone()?,
                table: c.get("table")?.as_str()?.to_owned(),
                rows: c.get("rows").and_then(Value::as_u64).unwrap_or(0),
                events: c.get("events").and_then(Value::as_u64),
                at: e.at.clone(),
            })
        })
        .collect()
}

/// Whether the database role reads every tenant's rows (superuser or BYPASSRLS).
async fn sees_all(client: &Client) -> Result<bool, String> {
    client
        .query_one(
            "SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .map(|r| r.get(0))
        .map_err(|e| crate::db::error_chain(&e))
}

/// Counts the operator events (actor starting with the stream's operator prefix)
/// of `tenant` (all tenants when empty) by the audit id they carry.
async fn operator_events(
    client: &mut Client,
    map: &DataMap,
    stream: &Stream,
    tenant: &str,
) -> Result<Found, String> {
    let db = |e: tokio_postgres::Error| crate::db::error_chain(&e);
    let tx = client.transaction().await.map_err(db)?;
    if !tenant.is_empty() {
        tx.execute(
            "SELECT set_config($1, $2, true)",
            &[&map.rls_setting, &tenant],
        )
        .await
        .map_err(db)?;
    }
    let sql = format!(
        "SELECT ({payload}::jsonb -> $2 ->> 'audit_id'), count(*)
           FROM {table}
          WHERE left({actor}::text, length($1)) = $1
          GROUP BY 1",
        payload = quote_ident(&stream.payload_column),
        table = map.qualified(&stream.table),
        actor = quote_ident(&stream.actor_column),
    );
    let rows = tx
        .query(
            &sql,
            &[&stream.operator_prefix(), &stream.payload.intervention],
        )
        .await
        .map_err(db)?;
    let _ = tx.rollback().await;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// One finding per committed intervention on a table with a stream.
fn per_intervention(
    check: &str,
    map: &DataMap,
    committed: &[Committed],
    erased: &BTreeMap<String, String>,
    found: &BTreeMap<(String, String), Found>,
    sees_all: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in committed {
        let Some(stream) = map.table(&c.table).and_then(|t| t.stream.as_ref()) else {
            continue;
        };
        let resource = format!(
            "intervention seq {} ({}, tenant {})",
            c.intent_seq, c.table, c.tenant
        );
        if let Some(at) = erased.get(&c.tenant)
            && at.as_str() > c.at.as_str()
        {
            out.push(Finding::na(
                check,
                resource,
                text!(
                    "the tenant was erased at {}: its events went with it",
                    "der Mandant wurde am {} gelöscht: seine Events mit ihm",
                    at
                ),
            ));
            continue;
        }
        let scope = if sees_all { "" } else { c.tenant.as_str() };
        let n = found
            .get(&(scope.to_owned(), stream.table.clone()))
            .and_then(|f| f.get(&Some(c.audit_id.clone())))
            .copied()
            .unwrap_or(0);
        let expected = c.events.unwrap_or(0);
        let ok = expected >= c.rows.max(1) && n as u64 == expected;
        let recorded = match c.events {
            Some(e) => text!(
                "its outcome records {} event(s)",
                "sein Ergebnis verzeichnet {} Event(s)",
                e
            ),
            None => text!(
                "its outcome records no events",
                "sein Ergebnis verzeichnet keine Events"
            ),
        };
        out.push(Finding::verdict(
            check,
            resource,
            ok,
            text!(
                "{} row(s) changed at {}; {}; {} event(s) in {} carry its audit id {}",
                "{} Zeile(n) geändert am {}; {}; {} Event(s) in {} tragen seine Audit-ID {}",
                c.rows,
                c.at,
                recorded,
                n,
                stream.table,
                c.audit_id
            ),
        ));
    }
    if out.is_empty() {
        out.push(Finding::na(
            check,
            "interventions",
            text!(
                "the audit log records no committed intervention on a table with a stream",
                "das Audit-Log verzeichnet keinen abgeschlossenen Eingriff in eine Tabelle mit Stream"
            ),
        ));
    }
    out
}

/// One finding per event table: operator events whose audit id names no
/// committed intervention.
fn unbacked(
    check: &str,
    streams: &[(&str, &Stream)],
    committed: &[Committed],
    found: &BTreeMap<(String, String), Found>,
    sees_all: bool,
    tenants: usize,
) -> Vec<Finding> {
    let ids: BTreeSet<&str> = committed.iter().map(|c| c.audit_id.as_str()).collect();
    let mut out = Vec::new();
    let mut tables: Vec<&Stream> = streams.iter().map(|(_, s)| *s).collect();
    tables.dedup_by(|a, b| a.table == b.table);
    for s in tables {
        let mut total = 0;
        let mut bad: Vec<String> = Vec::new();
        for ((tenant, table), f) in found {
            if table != &s.table {
                continue;
            }
            for (id, n) in f {
                total += n;
                if !id.as_deref().is_some_and(|i| ids.contains(i)) {
                    let whose = if tenant.is_empty() {
                        String::new()
                    } else {
                        format!(" of tenant {tenant}")
                    };
                    bad.push(format!(
                        "{n} event(s){whose} with audit id {}",
                        id.as_deref().unwrap_or("(none)")
                    ));
                }
            }
        }
        let read = if sees_all {
            text!("every tenant", "allen Mandanten")
        } else {
            text!(
                "the {} tenant(s) the audit log names",
                "den {} Mandanten, die das Audit-Log nennt",
                tenants
            )
        };
        out.push(Finding::verdict(
            check,
            format!("table {}: operator events", s.table),
            bad.is_empty(),
            if bad.is_empty() {
                text!(
                    "{} event(s) with an operator initiator (`{}…`) in {}, each with its committed intervention",
                    "{} Event(s) mit Operator als Urheber (`{}…`) bei {}, jedes mit seinem abgeschlossenen Eingriff",
                    total,
                    s.operator_prefix(),
                    read
                )
            } else {
                text!(
                    "operator events without a committed intervention behind them: {}",
                    "Operator-Events ohne abgeschlossenen Eingriff dahinter: {}",
                    bad.join("; ")
                )
            },
        ));
        if !sees_all {
            out.push(Finding::na(
                check,
                format!("table {}: tenants the audit log does not name", s.table),
                text!(
                    "the database role is subject to row-level security and cannot list the tenants; their events were not read — run `tom check` with a read-only role that has BYPASSRLS to cover them",
                    "die Datenbankrolle unterliegt Row-Level-Security und kann die Mandanten nicht auflisten; ihre Events wurden nicht gelesen — `tom check` mit einer Nur-Lese-Rolle mit BYPASSRLS ausführen, um sie einzubeziehen"
                ),
            ));
        }
    }
    out
}
