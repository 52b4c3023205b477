//! Interventions are events too (TOM §5): when the changed table is the
//! projection of an event stream (data map `stream:`), every affected row gets
//! an event in the platform's event table — in the change's own transaction,
//! built from the exact before/after images — so that the platform's history
//! shows the correction and rebuilding the projection does not undo it.
//!
//! Sequence numbers: each stream is locked with a transaction-scoped advisory
//! lock on a hash of (event table, stream id) before its next number is read,
//! so two interventions on one stream take turns (the second reads the
//! first's committed event). The platform's own writers do not take that lock;
//! against them the event table's unique (stream, seq) index decides: a
//! collision rolls back to a savepoint and reads the number again. A stream
//! without that index is refused at planning — the numbers would not be safe.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio_postgres::{Client, Transaction};
use uuid::Uuid;

use super::{InterventionError, Op, RowChange, TableRef, scope};
use crate::audit::event::Reason;
use crate::datamap::{DataMap, DeletedColumns, Stream, TableMap, quote_ident};

/// How often a sequence number is taken again after a concurrent writer took it.
const SEQ_ATTEMPTS: usize = 5;

/// Who stands behind the events: the intervention's audit intent, the SSO user
/// and the reason.
#[derive(Debug, Clone)]
pub struct Initiator {
    pub audit_id: Uuid,
    pub user: String,
    pub reason: Reason,
}

/// One event written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    /// The event table.
    pub table: String,
    pub stream: String,
    pub seq: i64,
    #[serde(rename = "type")]
    pub event_type: String,
}

/// The event tables of the streams of `tables` (map names): they are written
/// too, so row-level security must hold on them as well.
pub fn stream_tables(map: &DataMap, tables: &BTreeSet<String>) -> BTreeSet<String> {
    tables
        .iter()
        .filter_map(|t| map.table(t)?.stream.as_ref())
        .map(|s| s.table.clone())
        .collect()
}

/// Whether a change of `table` writes events.
pub fn has_stream(map: &DataMap, table: &str) -> bool {
    map.table(table).is_some_and(|t| t.stream.is_some())
}

/// At planning: the event table of `table`'s stream keeps its sequence numbers
/// unique per stream (a unique index over exactly the stream and seq columns),
/// so that concurrent writers cannot both take the same number.
pub async fn check_stream(
    client: &Client,
    map: &DataMap,
    table: &str,
) -> Result<(), InterventionError> {
    let Some(stream) = map.table(table).and_then(|t| t.stream.as_ref()) else {
        return Ok(());
    };
    let qname = map.qualified(&stream.table);
    let rows = client
        .query(
            "SELECT ARRAY(SELECT a.attname::text
                            FROM unnest(i.indkey::int2[]) AS k(attnum)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)
               FROM pg_catalog.pg_index i
              WHERE i.indrelid = $1::text::pg_catalog.regclass AND i.indisunique
                AND i.indpred IS NULL AND i.indexprs IS NULL",
            &[&qname],
        )
        .await
        .map_err(|e| InterventionError::db(format!("reading the indexes of {qname}"), &e))?;
    let want: BTreeSet<&str> = [stream.stream_column.as_str(), stream.seq_column.as_str()].into();
    let unique = rows.iter().any(|r| {
        let cols: Vec<String> = r.get(0);
        cols.len() == 2 && cols.iter().map(String::as_str).collect::<BTreeSet<_>>() == want
    });
    if unique {
        return Ok(());
    }
    Err(InterventionError::Unsafe(format!(
        "the event table {qname} of {table}'s stream has no unique index over ({}, {}): concurrent writers could give two events the same sequence number — the platform owner must add `UNIQUE ({}, {})` (or correct `stream:` in the data map)",
        stream.stream_column, stream.seq_column, stream.stream_column, stream.seq_column
    )))
}

/// One event to write.
struct Pending<'m> {
    stream: &'m Stream,
    stream_id: String,
    op: Op,
    payload: Value,
}

/// Writes the events of every affected row whose table has a stream, after the
/// change and inside its transaction. `Ok(Err(why))`: the events cannot be
/// written as the data map says (a trigger on the event table, a row of
/// another tenant, a row without its stream id) — the caller rolls back.
pub async fn write(
    tx: &Transaction<'_>,
    map: &DataMap,
    table: &TableRef,
    rows: &[RowChange],
    tenant: &str,
    who: &Initiator,
) -> Result<Result<Vec<Written>, String>, InterventionError> {
    let mut pending = match pending(map, table, rows, tenant, who) {
        Ok(p) => p,
        Err(why) => return Ok(Err(why)),
    };
    if pending.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let event_tables: BTreeSet<String> = pending.iter().map(|p| p.stream.table.clone()).collect();
    if let Some(why) = scope::check_triggers(tx, map, &event_tables).await? {
        return Ok(Err(format!("events cannot be written: {why}")));
    }
    // One order for every writer, so that two interventions never wait on each
    // other's streams crosswise.
    pending.sort_by(|a, b| (&a.stream.table, &a.stream_id).cmp(&(&b.stream.table, &b.stream_id)));
    let mut sqls: std::collections::BTreeMap<&str, String> = std::collections::BTreeMap::new();
    for t in &event_tables {
        if let Some(p) = pending.iter().find(|p| &p.stream.table == t) {
            sqls.insert(t.as_str(), insert_sql(tx, map, p.stream).await?);
        }
    }
    let mut written = Vec::with_capacity(pending.len());
    for p in &pending {
        let sql = sqls
            .get(p.stream.table.as_str())
            .cloned()
            .unwrap_or_default();
        lock_stream(tx, map, p.stream, &p.stream_id).await?;
        let seq = insert(tx, &sql, p, tenant, who).await?;
        written.push(Written {
            table: p.stream.table.clone(),
            stream: p.stream_id.clone(),
            seq,
            event_type: event_type(p.stream, p.op).to_owned(),
        });
    }
    Ok(Ok(written))
}

/// The events the rows call for, or why they cannot be written.
fn pending<'m>(
    map: &'m DataMap,
    table: &TableRef,
    rows: &[RowChange],
    tenant: &str,
    who: &Initiator,
) -> Result<Vec<Pending<'m>>, String> {
    let mut out = Vec::new();
    for row in rows {
        let name = row.collateral.as_ref().map_or(&table.name, |c| &c.table);
        let Some(entry) = map.table(name) else {
            continue;
        };
        let Some(stream) = &entry.stream else {
            continue;
        };
        let op = match (&row.before, &row.after) {
            (None, Some(_)) => Op::Insert,
            (Some(_), Some(_)) => Op::Update,
            (Some(_), None) => Op::Delete,
            (None, None) => continue,
        };
        let image = row.after.as_ref().or(row.before.as_ref());
        let key = Value::Object(row.key(table));
        let Some(stream_id) = image
            .and_then(|m| m.get(&stream.refers_to))
            .and_then(Value::as_str)
        else {
            return Err(format!(
                "row {key} of {name} has no value in `{}`, the column its stream is named by (data map `stream.refers_to`)",
                stream.refers_to
            ));
        };
        check_owner(entry, image, tenant, name, &key)?;
        out.push(Pending {
            stream,
            stream_id: stream_id.to_owned(),
            op,
            payload: payload(stream, entry, op, row, who),
        });
    }
    Ok(out)
}

/// An event goes into the stream's tenant, which must be the acting one:
/// row-level security would refuse another tenant's event, and ltops would not
/// write it in this tenant's scope anyway.
fn check_owner(
    entry: &TableMap,
    image: Option<&Map<String, Value>>,
    tenant: &str,
    name: &str,
    key: &Value,
) -> Result<(), String> {
    let owner = entry.owner_column().unwrap_or_default();
    let value = image.and_then(|m| m.get(owner)).and_then(Value::as_str);
    if value.is_some_and(|v| v.eq_ignore_ascii_case(tenant)) {
        return Ok(());
    }
    Err(format!(
        "row {key} of {name} belongs to tenant {}, not {tenant}: its events would go into another tenant's stream, which an intervention scoped to {tenant} cannot write — refused",
        value.unwrap_or("(none)")
    ))
}

fn event_type(stream: &Stream, op: Op) -> &str {
    match op {
        Op::Insert => &stream.types.insert,
        Op::Update => &stream.types.update,
        Op::Delete => &stream.types.delete,
    }
}

/// `{changes: {column: {before, after}}, intervention: {audit_id, reason}}` with
/// the keys the data map names: an UPDATE's changed columns, an INSERT's every
/// column, a DELETE's key columns (or every column with `deleted: all`).
fn payload(stream: &Stream, entry: &TableMap, op: Op, row: &RowChange, who: &Initiator) -> Value {
    let columns: Vec<String> = match (op, stream.payload.deleted) {
        (Op::Delete, DeletedColumns::Key) => entry.key.clone(),
        _ => row.changed_columns(),
    };
    let value = |img: &Option<Map<String, Value>>, c: &str| {
        img.as_ref()
            .and_then(|m| m.get(c))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let changes: Map<String, Value> = columns
        .iter()
        .map(|c| {
            (
                c.clone(),
                json!({ "before": value(&row.before, c), "after": value(&row.after, c) }),
            )
        })
        .collect();
    let mut out = Map::new();
    out.insert(stream.payload.changes.clone(), Value::Object(changes));
    out.insert(
        stream.payload.intervention.clone(),
        json!({
            "audit_id": who.audit_id.to_string(),
            "reason": { "kind": who.reason.kind.as_str(), "reference": who.reason.reference },
        }),
    );
    Value::Object(out)
}

/// The INSERT of one event: the next sequence number of the stream computed in
/// the statement, every value bound as text and cast to its column's type.
async fn insert_sql(
    tx: &Transaction<'_>,
    map: &DataMap,
    s: &Stream,
) -> Result<String, InterventionError> {
    let qname = map.qualified(&s.table);
    let rows = tx
        .query(
            "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = $1::text::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped",
            &[&qname],
        )
        .await
        .map_err(|e| InterventionError::db(format!("reading the columns of {qname}"), &e))?;
    let ty = |col: &str| -> Result<String, InterventionError> {
        rows.iter()
            .find(|r| r.get::<_, String>(0) == col)
            .map(|r| r.get::<_, String>(1))
            .ok_or_else(|| {
                InterventionError::Unsafe(format!(
                    "the event table {qname} has no column `{col}` (data map `stream:` of the table whose events go there)"
                ))
            })
    };
    let q = quote_ident;
    let stream_ty = ty(&s.stream_column)?;
    Ok(format!(
        "INSERT INTO {qname} ({}, {}, {}, {}, {}, {}, {})
         SELECT $1::text::{}, $2::text::{stream_ty}, coalesce(max({}), 0) + 1, $3::text::{}, $4::text::{}, $5::text::{}, pg_catalog.clock_timestamp()
           FROM {qname} WHERE {} = $2::text::{stream_ty}
         RETURNING {}::bigint",
        q(&s.tenant_column),
        q(&s.stream_column),
        q(&s.seq_column),
        q(&s.type_column),
        q(&s.payload_column),
        q(&s.actor_column),
        q(&s.time_column),
        ty(&s.tenant_column)?,
        q(&s.seq_column),
        ty(&s.type_column)?,
        ty(&s.payload_column)?,
        ty(&s.actor_column)?,
        q(&s.stream_column),
        q(&s.seq_column),
    ))
}

/// Serialises ltops's writers of one stream until the transaction ends.
async fn lock_stream(
    tx: &Transaction<'_>,
    map: &DataMap,
    s: &Stream,
    stream_id: &str,
) -> Result<(), InterventionError> {
    let lock_key = format!("ltops.stream:{}:{stream_id}", map.qualified(&s.table));
    tx.execute(
        "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))",
        &[&lock_key],
    )
    .await
    .map_err(|e| InterventionError::db(format!("locking stream {stream_id} of {}", s.table), &e))?;
    Ok(())
}

/// Inserts one event; a sequence number a concurrent writer took in between
/// (unique violation) is taken again from a savepoint.
async fn insert(
    tx: &Transaction<'_>,
    sql: &str,
    p: &Pending<'_>,
    tenant: &str,
    who: &Initiator,
) -> Result<i64, InterventionError> {
    let actor = p
        .stream
        .actor_for(&who.user, who.reason.kind.as_str(), &who.reason.reference);
    let payload = p.payload.to_string();
    let ty = event_type(p.stream, p.op);
    let context = || {
        format!(
            "writing the {ty} event of stream {} to {}",
            p.stream_id, p.stream.table
        )
    };
    for attempt in 1..=SEQ_ATTEMPTS {
        tx.batch_execute("SAVEPOINT ltops_event")
            .await
            .map_err(|e| InterventionError::db(context(), &e))?;
        match tx
            .query_one(sql, &[&tenant, &p.stream_id, &ty, &payload, &actor])
            .await
        {
            Ok(row) => {
                tx.batch_execute("RELEASE SAVEPOINT ltops_event")
                    .await
                    .map_err(|e| InterventionError::db(context(), &e))?;
                return Ok(row.get(0));
            }
            Err(e)
                if attempt < SEQ_ATTEMPTS
                    && e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) =>
            {
                tx.batch_execute("ROLLBACK TO SAVEPOINT ltops_event")
                    .await
                    .map_err(|e| InterventionError::db(context(), &e))?;
            }
            Err(e) => return Err(InterventionError::db(context(), &e)),
        }
    }
    Err(InterventionError::Db {
        context: context(),
        detail: format!(
            "the next sequence number was taken by another writer {SEQ_ATTEMPTS} times in a row"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::event::ReasonKind;
    use crate::intervention::tests::repo_map;

    fn who() -> Initiator {
        Initiator {
            audit_id: Uuid::nil(),
            user: "alice@leadtributor.cloud".into(),
            reason: Reason::new(ReasonKind::Instruction, "TICKET-4711", None).unwrap(),
        }
    }

    fn img(pairs: &[(&str, Option<&str>)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    v.map_or(Value::Null, |v| Value::String(v.into())),
                )
            })
            .collect()
    }

    const T: &str = "00000000-0000-4000-8000-000000000003";

    #[test]
    fn payloads_carry_what_changed_and_the_intervention() {
        let map = repo_map();
        let leads = TableRef::find(&map, "leads").unwrap();
        let before = img(&[
            ("id", Some("L1")),
            ("tenant_id", Some(T)),
            ("status", Some("new")),
            ("email", Some("a@b")),
        ]);
        let mut after = before.clone();
        after.insert("status".into(), "lost".into());
        let upd = RowChange::own(Some(before.clone()), Some(after.clone()));
        let del = RowChange::own(Some(before.clone()), None);
        let ins = RowChange::own(None, Some(after));
        let p = pending(&map, &leads, &[upd, del, ins], T, &who()).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(
            p[0].payload["changes"],
            json!({"status": {"before": "new", "after": "lost"}})
        );
        assert_eq!(
            p[0].payload["intervention"]["audit_id"],
            Uuid::nil().to_string()
        );
        assert_eq!(
            p[0].payload["intervention"]["reason"]["reference"],
            "TICKET-4711"
        );
        assert_eq!(event_type(p[0].stream, p[0].op), "LeadCorrected");
        // A deletion names the key only: the deleted e-mail does not live on.
        assert_eq!(
            p[1].payload["changes"],
            json!({"id": {"before": "L1", "after": null}})
        );
        assert_eq!(event_type(p[1].stream, p[1].op), "LeadDeleted");
        assert_eq!(
            p[2].payload["changes"]["email"],
            json!({"before": null, "after": "a@b"})
        );
        assert_eq!(p[2].stream_id, "L1");
        assert_eq!(
            p[0].stream
                .actor_for("alice@leadtributor.cloud", "instruction", "TICKET-4711"),
            "operator:alice@leadtributor.cloud:instruction:TICKET-4711"
        );
    }

    #[test]
    fn tables_without_a_stream_write_nothing_and_other_tenants_are_refused() {
        let map = repo_map();
        let log = TableRef::find(&map, "access_log").unwrap();
        let row = RowChange::own(
            None,
            Some(img(&[("id", Some("1")), ("tenant_id", Some(T))])),
        );
        assert!(pending(&map, &log, &[row], T, &who()).unwrap().is_empty());
        let leads = TableRef::find(&map, "leads").unwrap();
        let theirs = RowChange::own(
            None,
            Some(img(&[
                ("id", Some("L9")),
                ("tenant_id", Some("00000000-0000-4000-8000-000000000002")),
            ])),
        );
        let why = pending(&map, &leads, &[theirs], T, &who()).err().unwrap();
        assert!(why.contains("another tenant's stream"), "{why}");
        let no_id = RowChange::own(None, Some(img(&[("id", None), ("tenant_id", Some(T))])));
        let why = pending(&map, &leads, &[no_id], T, &who()).err().unwrap();
        assert!(why.contains("stream.refers_to"), "{why}");
    }
}
