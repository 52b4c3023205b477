//! "Exactly one tenant" at the edges of a change: which rows the tenant *owns*
//! (not merely sees), what else the database changes because of the statement
//! (foreign-key actions, triggers), and where the changed rows' foreign keys
//! point. Everything is read from `pg_catalog` and the data map; no table of
//! the platform is named here.
//!
//! **Collateral and row-level security.** The database runs `ON DELETE
//! CASCADE`/`SET NULL`/`SET DEFAULT` as the table owner, without row-level
//! security, so a cascade can reach rows the tenant-scoped transaction cannot
//! see — and therefore cannot capture, lock, show or check. ltops does two
//! things about that, neither of which needs a privileged role:
//!
//! 1. Before the change it walks the foreign keys from `pg_constraint`
//!    (recursively, any depth) and captures, locks and images every row the
//!    actions will reach *that the tenant can see*. Those rows count against
//!    the row limit, are shown in the preview, recorded with the images and
//!    checked for ownership.
//! 2. Around the change it reads the transaction's own statistics counters
//!    (`pg_stat_get_xact_tuples_deleted/updated`, which count every row the
//!    transaction changed, RLS or not) for every table the actions can reach.
//!    If a table lost or changed more rows than ltops captured, the rest were
//!    hidden by row-level security — other tenants' rows — and the change is
//!    refused and rolled back, naming the table, the foreign key and the count.
//!    Hidden rows cannot be listed or imaged without a role that bypasses RLS,
//!    so this holds for declared cascades too: a declared cascade admits other
//!    tenants' rows the tenant's scope can see; the rest is `tenant erase`'s job.
//!
//! User triggers and rules on a table the change touches are refused by name:
//! what they do is not knowable from the catalog.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Map, Value};
use tokio_postgres::Transaction;

use super::{Collateral, InterventionError, Op, Plan, RowChange, TableRef, image_expr, q};
use crate::datamap::{DataMap, ReferenceProof};

/// A foreign key as `pg_constraint` has it, columns by name in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub child_schema: String,
    pub child: String,
    pub child_cols: Vec<String>,
    pub parent_schema: String,
    pub parent: String,
    pub parent_cols: Vec<String>,
    /// `pg_constraint.confdeltype`/`confupdtype`: a (no action), r (restrict),
    /// c (cascade), n (set null), d (set default).
    pub on_delete: char,
    pub on_update: char,
}

impl ForeignKey {
    fn describe(&self) -> String {
        format!(
            "{}.({}) → {}.({}) `{}`",
            self.child,
            self.child_cols.join(", "),
            self.parent,
            self.parent_cols.join(", "),
            self.name
        )
    }
}

/// Changes the database makes along a foreign key: `Some(Op::Delete)` for a
/// cascade of a delete, `Some(Op::Update)` for set null/default or an update
/// cascade; `None` for no action/restrict (those only fail).
fn action(c: char, op: Op) -> Option<Op> {
    match (c, op) {
        ('c', Op::Delete) => Some(Op::Delete),
        ('c', _) | ('n', _) | ('d', _) => Some(Op::Update),
        _ => None,
    }
}

/// The foreign keys of the database (every schema: a cascade may leave the data map).
pub async fn foreign_keys(tx: &Transaction<'_>) -> Result<Vec<ForeignKey>, InterventionError> {
    let rows = tx
        .query(
            "SELECT k.conname::text, cn.nspname::text, c.relname::text,
                    ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u(n, i)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i),
                    pn.nspname::text, p.relname::text,
                    ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u(n, i)
                            JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i),
                    k.confdeltype::text, k.confupdtype::text
               FROM pg_catalog.pg_constraint k
               JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
               JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
               JOIN pg_catalog.pg_class p ON p.oid = k.confrelid
               JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
              WHERE k.contype = 'f' AND k.conparentid = 0
              ORDER BY k.conname",
            &[],
        )
        .await
        .map_err(|e| InterventionError::db("reading the foreign keys", &e))?;
    let ch = |s: String| s.chars().next().unwrap_or('a');
    Ok(rows
        .into_iter()
        .map(|r| ForeignKey {
            name: r.get(0),
            child_schema: r.get(1),
            child: r.get(2),
            child_cols: r.get(3),
            parent_schema: r.get(4),
            parent: r.get(5),
            parent_cols: r.get(6),
            on_delete: ch(r.get(7)),
            on_update: ch(r.get(8)),
        })
        .collect())
}

/// Every table (in the data map's schema) the database may change when `op`
/// runs on `table`, with the foreign key it is reached by; refuses a chain
/// that leaves the data map, or an update that would cascade further.
pub fn reachable(
    map: &DataMap,
    fks: &[ForeignKey],
    table: &str,
    op: Op,
) -> Result<Vec<(ForeignKey, Op)>, String> {
    let mut out: Vec<(ForeignKey, Op)> = Vec::new();
    let mut queue = vec![(table.to_owned(), op, None::<Vec<String>>)];
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    while let Some((parent, op, changed)) = queue.pop() {
        for fk in fks
            .iter()
            .filter(|f| f.parent_schema == map.schema && f.parent == parent)
        {
            let rule = if op == Op::Delete {
                fk.on_delete
            } else {
                fk.on_update
            };
            let Some(child_op) = action(rule, op) else {
                continue;
            };
            // An update only reaches children whose referenced columns it changes;
            // for the statement's own UPDATE that is checked after it ran.
            if let Some(cols) = &changed
                && !fk.parent_cols.iter().any(|c| cols.contains(c))
            {
                continue;
            }
            if fk.child_schema != map.schema || TableRef::find(map, &fk.child).is_none() {
                return Err(format!(
                    "the {} would reach table {}.{} along {}, which is not in the data map: ltops cannot check whose rows those are",
                    op.as_str(),
                    fk.child_schema,
                    fk.child,
                    fk.describe()
                ));
            }
            if op == Op::Update && changed.is_some() {
                return Err(format!(
                    "the change would cascade a second time, along {}: ltops refuses chains of key updates",
                    fk.describe()
                ));
            }
            if !seen.insert((fk.name.clone(), fk.child.clone())) {
                continue;
            }
            out.push((fk.clone(), child_op));
            let next = match child_op {
                Op::Delete => None,
                _ => Some(fk.child_cols.clone()),
            };
            queue.push((fk.child.clone(), child_op, next));
        }
    }
    Ok(out)
}

/// Refuses user triggers and rules on `tables`: what they change cannot be
/// known from the catalog, so the images and the tenant checks could not hold.
pub async fn check_triggers(
    tx: &Transaction<'_>,
    map: &DataMap,
    tables: &BTreeSet<String>,
) -> Result<Option<String>, InterventionError> {
    let tables: Vec<String> = tables.iter().cloned().collect();
    let rows = tx
        .query(
            "SELECT c.relname::text, 'trigger ' || t.tgname::text
               FROM pg_catalog.pg_trigger t
               JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'
                AND n.nspname = $1 AND c.relname = ANY($2)
             UNION ALL
             SELECT r.tablename::text, 'rule ' || r.rulename::text
               FROM pg_catalog.pg_rules r
              WHERE r.schemaname = $1 AND r.tablename = ANY($2)
              ORDER BY 1, 2",
            &[&map.schema, &tables],
        )
        .await
        .map_err(|e| InterventionError::db("reading the triggers", &e))?;
    if rows.is_empty() {
        return Ok(None);
    }
    let found: Vec<String> = rows
        .iter()
        .map(|r| format!("{} on {}", r.get::<_, String>(1), r.get::<_, String>(0)))
        .collect();
    Ok(Some(format!(
        "the change touches tables with {} — ltops cannot tell which rows of which tenant they change, so the images, the row limit and the tenant checks would not hold; make the change through the platform, or have the platform owner disable them for the intervention",
        found.join(", ")
    )))
}

/// Rows a foreign-key action will change, captured (and locked) before the change.
#[derive(Debug, Clone)]
pub struct Reached {
    pub fk: ForeignKey,
    pub op: Op,
    pub table: TableRef,
    /// (ctid, before-image).
    pub rows: Vec<(String, Map<String, Value>)>,
}

/// Either the rows reached, or why the preview stops (limit, refusal).
pub enum Captured {
    Rows(Vec<Reached>),
    TooMany(u64),
    Refused(String),
}

/// Captures, in the tenant's scope, every row the foreign-key actions of a
/// DELETE of `rows` will change, level by level, at most `budget` of them.
pub async fn capture_collateral(
    tx: &Transaction<'_>,
    map: &DataMap,
    edges: &[(ForeignKey, Op)],
    target: &str,
    rows: &[Map<String, Value>],
    budget: u64,
) -> Result<Captured, InterventionError> {
    let mut reached: Vec<Reached> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut queue: Vec<(String, Vec<Map<String, Value>>)> =
        vec![(target.to_owned(), rows.to_vec())];
    let mut total: u64 = 0;
    while let Some((parent, images)) = queue.pop() {
        for (fk, op) in edges.iter().filter(|(f, _)| f.parent == parent) {
            let Some(table) = TableRef::find(map, &fk.child) else {
                continue;
            };
            let values = reference_values(&images, &fk.parent_cols, &fk.child_cols);
            if values.is_empty() {
                continue;
            }
            let got = rows_referencing(tx, map, fk, &values, budget - total).await?;
            let mut fresh = Vec::new();
            for (ctid, image) in got {
                if seen.insert((fk.child.clone(), ctid.clone())) {
                    fresh.push((ctid, image));
                }
            }
            total += fresh.len() as u64;
            if total > budget {
                return Ok(Captured::TooMany(total));
            }
            if fresh.is_empty() {
                continue;
            }
            if *op == Op::Update
                && let Some(k) = table.key.iter().find(|k| fk.child_cols.contains(k))
            {
                return Ok(Captured::Refused(format!(
                    "the DELETE would set the key column {}.{k} along {}: ltops cannot follow such rows",
                    fk.child,
                    fk.describe()
                )));
            }
            if *op == Op::Delete {
                queue.push((
                    fk.child.clone(),
                    fresh.iter().map(|(_, i)| i.clone()).collect(),
                ));
            }
            reached.push(Reached {
                fk: fk.clone(),
                op: *op,
                table,
                rows: fresh,
            });
        }
    }
    Ok(Captured::Rows(reached))
}

/// The referenced values of `images` (`parent_cols`), renamed to the child's
/// columns, without tuples holding a NULL (MATCH SIMPLE: those reference nothing).
fn reference_values(
    images: &[Map<String, Value>],
    parent_cols: &[String],
    child_cols: &[String],
) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for img in images {
        let mut obj = Map::new();
        for (p, c) in parent_cols.iter().zip(child_cols) {
            match img.get(p) {
                Some(v @ Value::String(_)) => {
                    obj.insert(c.clone(), v.clone());
                }
                _ => break,
            }
        }
        if obj.len() == child_cols.len() && seen.insert(Value::Object(obj.clone()).to_string()) {
            out.push(Value::Object(obj));
        }
    }
    out
}

/// `(c.cols) IN (SELECT v.cols FROM jsonb_populate_recordset(NULL::child, $n) v)`.
fn tuple_in(map: &DataMap, table: &str, alias: &str, cols: &[String], param: &str) -> String {
    let list = |a: &str| {
        cols.iter()
            .map(|c| format!("{a}.{}", q(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "({}) IN (SELECT {} FROM pg_catalog.jsonb_populate_recordset(NULL::{}, {param}::text::jsonb) AS __ltops_v)",
        list(alias),
        list("__ltops_v"),
        map.qualified(table)
    )
}

/// The child rows referencing `values`, locked, at most `limit + 1`.
async fn rows_referencing(
    tx: &Transaction<'_>,
    map: &DataMap,
    fk: &ForeignKey,
    values: &[Value],
    limit: u64,
) -> Result<Vec<(String, Map<String, Value>)>, InterventionError> {
    let sql = format!(
        "SELECT __ltops_c.ctid::text, {} FROM {} AS __ltops_c WHERE {} LIMIT {} FOR UPDATE OF __ltops_c",
        image_expr("__ltops_c"),
        map.qualified(&fk.child),
        tuple_in(map, &fk.child, "__ltops_c", &fk.child_cols, "$1"),
        limit.saturating_add(1)
    );
    let json = Value::Array(values.to_vec()).to_string();
    let rows = tx
        .query(&sql, &[&json])
        .await
        .map_err(|e| InterventionError::db(format!("reading the rows {} reaches", fk.name), &e))?;
    rows.into_iter()
        .map(|r| {
            let ctid: String = r.get(0);
            match r.get::<_, Option<Value>>(1) {
                Some(Value::Object(m)) => Ok((ctid, m)),
                other => Err(InterventionError::Db {
                    context: format!("reading the rows {} reaches", fk.name),
                    detail: format!("a row image is not an object: {other:?}"),
                }),
            }
        })
        .collect()
}

/// Per table: rows deleted and updated so far in this transaction (all
/// tenants: the counters do not go through row-level security).
pub type Counters = BTreeMap<String, (i64, i64)>;

pub async fn counters(
    tx: &Transaction<'_>,
    map: &DataMap,
    tables: &BTreeSet<String>,
) -> Result<Counters, InterventionError> {
    let tables: Vec<String> = tables.iter().cloned().collect();
    let rows = tx
        .query(
            "SELECT c.relname::text, pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid),
                    pg_catalog.pg_stat_get_xact_tuples_updated(c.oid)
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relname = ANY($2)",
            &[&map.schema, &tables],
        )
        .await
        .map_err(|e| InterventionError::db("reading the transaction's change counters", &e))?;
    Ok(rows
        .into_iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect())
}

/// Compares what the transaction changed with what ltops captured; a surplus
/// is rows row-level security hid from the tenant.
pub fn hidden_rows(
    before: &Counters,
    after: &Counters,
    expected: &BTreeMap<String, (i64, i64)>,
    edges: &[(ForeignKey, Op)],
    tenant: &str,
) -> Option<String> {
    let mut found = Vec::new();
    for (table, (del, upd)) in after {
        let (d0, u0) = before.get(table).copied().unwrap_or((0, 0));
        let (ed, eu) = expected.get(table).copied().unwrap_or((0, 0));
        let (hd, hu) = ((del - d0) - ed, (upd - u0) - eu);
        if hd <= 0 && hu <= 0 {
            continue;
        }
        let via: Vec<String> = edges
            .iter()
            .filter(|(f, _)| &f.child == table)
            .map(|(f, _)| f.describe())
            .collect();
        let what = match (hd > 0, hu > 0) {
            (true, true) => format!("delete {hd} and change {hu}"),
            (true, false) => format!("delete {hd}"),
            _ => format!("change {hu}"),
        };
        found.push(format!(
            "{what} row(s) of {table} that tenant {tenant} cannot see{}",
            if via.is_empty() {
                String::new()
            } else {
                format!(" (along {})", via.join(", "))
            }
        ));
    }
    if found.is_empty() {
        return None;
    }
    Some(format!(
        "the change would also {} — rows hidden by row-level security belong to other tenants; ltops cannot show, limit or record them, so it refuses (rolled back). A cascade that is the owner's right by the data map still cannot take rows the tenant's scope does not see: remove them with the platform, or with `ltops tenant erase` for a whole tenant",
        found.join("; ")
    ))
}

/// The owning tenant of `image` in `table`, or why there is none.
fn owner_of<'a>(
    table: &TableRef,
    image: &'a Map<String, Value>,
) -> Result<Option<&'a str>, String> {
    let Some(col) = &table.owner else {
        return Err(format!(
            "the data map names no owner for `{}` (tenant columns {}): add `owner: COLUMN` to its entry before changing it",
            table.name,
            table.tenant_columns.join(", ")
        ));
    };
    Ok(image.get(col).and_then(Value::as_str))
}

/// The statement's own rows, before and after: each must be owned by the
/// tenant (merely shared rows are read-only to it; an UPDATE may not hand a
/// row to another tenant).
pub fn check_owned(table: &TableRef, rows: &[RowChange], tenant: &str) -> Result<(), String> {
    for row in rows {
        for (image, when) in [(&row.before, "before"), (&row.after, "after")] {
            let Some(image) = image else { continue };
            let owner = owner_of(table, image)?;
            if owner.is_some_and(|o| o.eq_ignore_ascii_case(tenant)) {
                continue;
            }
            let key = super::Value::Object(row.key(table));
            let col = table.owner.as_deref().unwrap_or("?");
            return Err(if when == "before" {
                format!(
                    "{} row {key} is owned by {col}={} and only shared with tenant {tenant}: rows shared with a tenant are read-only to it; an intervention changes only rows the tenant owns",
                    table.name,
                    owner.unwrap_or("NULL")
                )
            } else {
                format!(
                    "the change would hand {} row {key} to {col}={}: an intervention may not move a row out of tenant {tenant}",
                    table.name,
                    owner.unwrap_or("NULL")
                )
            });
        }
    }
    Ok(())
}

/// Collateral rows: owned by the tenant, or reached along a cascade the data
/// map declares part of the owner's rights. Returns the rows as changes
/// (collateral) and refuses the others, listing them.
pub fn check_collateral(
    map: &DataMap,
    reached: &[Reached],
    tenant: &str,
) -> Result<Vec<RowChange>, String> {
    let mut out = Vec::new();
    let mut foreign: Vec<String> = Vec::new();
    for r in reached {
        let declared = map
            .table(&r.fk.parent)
            .is_some_and(|p| p.declares_cascade(&r.fk.child, &r.fk.child_cols));
        for (_, image) in &r.rows {
            let owner = owner_of(&r.table, image)?;
            let ours = owner.is_some_and(|o| o.eq_ignore_ascii_case(tenant));
            let key: Map<String, Value> = r
                .table
                .key
                .iter()
                .map(|k| (k.clone(), image.get(k).cloned().unwrap_or(Value::Null)))
                .collect();
            if !ours && !declared {
                foreign.push(format!(
                    "{} {} (tenant {})",
                    r.table.name,
                    Value::Object(key.clone()),
                    owner.unwrap_or("NULL")
                ));
            }
            out.push(RowChange {
                before: Some(image.clone()),
                after: None,
                collateral: Some(Collateral {
                    table: r.table.name.clone(),
                    key: r.table.key.clone(),
                    via: r.fk.name.clone(),
                    other_tenant: (!ours).then(|| owner.unwrap_or("NULL").to_owned()),
                }),
            });
        }
    }
    if !foreign.is_empty() {
        return Err(format!(
            "the change would cascade (foreign-key actions) to rows of other tenants: {} — declare the cascade in the data map (`cascades:` of the parent table) if it is the owner's right, or change those rows first",
            foreign.join(", ")
        ));
    }
    Ok(out)
}

/// After-images of collateral rows the actions updated (set null/default),
/// read again by key.
pub async fn collateral_after(
    tx: &Transaction<'_>,
    map: &DataMap,
    rows: &mut [RowChange],
    reached: &[Reached],
) -> Result<(), InterventionError> {
    for r in reached.iter().filter(|r| r.op == Op::Update) {
        let keys: Vec<Value> = r
            .rows
            .iter()
            .map(|(_, img)| {
                Value::Object(
                    r.table
                        .key
                        .iter()
                        .map(|k| (k.clone(), img.get(k).cloned().unwrap_or(Value::Null)))
                        .collect(),
                )
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM {} AS __ltops_c WHERE {}",
            image_expr("__ltops_c"),
            map.qualified(&r.table.name),
            tuple_in(map, &r.table.name, "__ltops_c", &r.table.key, "$1")
        );
        let json = Value::Array(keys).to_string();
        let found = tx
            .query(&sql, &[&json])
            .await
            .map_err(|e| InterventionError::db("reading the rows after the cascade", &e))?;
        for f in found {
            let Some(Value::Object(after)) = f.get::<_, Option<Value>>(0) else {
                continue;
            };
            let same = |c: &RowChange| {
                c.collateral
                    .as_ref()
                    .is_some_and(|x| x.table == r.table.name)
                    && r.table
                        .key
                        .iter()
                        .all(|k| c.before.as_ref().and_then(|b| b.get(k)) == after.get(k))
            };
            if let Some(c) = rows.iter_mut().find(|c| same(c)) {
                c.after = Some(after);
            }
        }
    }
    Ok(())
}

/// Every foreign-key value in the after-images must point to a row the tenant
/// owns (checked in the tenant's scope), unless the data map declares the
/// reference shared and its proof holds. Returns the refusal, if any.
pub async fn check_references(
    tx: &Transaction<'_>,
    map: &DataMap,
    fks: &[ForeignKey],
    plan: &Plan,
    rows: &[RowChange],
    tenant: &str,
) -> Result<Option<String>, InterventionError> {
    let mut by_table: BTreeMap<String, Vec<&Map<String, Value>>> = BTreeMap::new();
    for r in rows {
        if let Some(after) = &r.after {
            let t = r
                .collateral
                .as_ref()
                .map_or(plan.table.name.as_str(), |c| c.table.as_str());
            by_table.entry(t.to_owned()).or_default().push(after);
        }
    }
    for (table, afters) in by_table {
        for fk in fks
            .iter()
            .filter(|f| f.child_schema == map.schema && f.child == table)
        {
            if fk.parent_schema != map.schema {
                continue;
            }
            let Some(parent) = TableRef::find(map, &fk.parent) else {
                continue;
            };
            let values = reference_values(
                &afters.iter().map(|m| (*m).clone()).collect::<Vec<_>>(),
                &fk.child_cols,
                &fk.child_cols,
            );
            if values.is_empty() {
                continue;
            }
            let unowned = unowned(tx, map, fk, &parent, &values, tenant).await?;
            if unowned.is_empty() {
                continue;
            }
            let shared = map
                .table(&table)
                .and_then(|t| t.shared_reference(&fk.child_cols));
            let mut refused = Vec::new();
            for v in unowned {
                let ok = match shared.map(|s| &s.proof) {
                    Some(ReferenceProof::Any) => true,
                    Some(ReferenceProof::Member { table: pt, column }) => {
                        proven_member(tx, map, plan, rows, fk, pt, column, &v, tenant).await?
                    }
                    None => false,
                };
                if !ok {
                    refused.push(v.to_string());
                }
            }
            if !refused.is_empty() {
                return Ok(Some(format!(
                    "the change would make {table}.({}) point at {} row(s) {} that tenant {tenant} does not own (along `{}`): references stay inside the tenant — a reference shared by design must be declared in the data map (`shared_references`) with how the tenant's right to it is proven",
                    fk.child_cols.join(", "),
                    fk.parent,
                    refused.join(", "),
                    fk.name
                )));
            }
        }
    }
    Ok(None)
}

/// The value tuples (child column → text) whose referenced row is not a row
/// of the parent owned by the tenant (in the tenant's scope).
async fn unowned(
    tx: &Transaction<'_>,
    map: &DataMap,
    fk: &ForeignKey,
    parent: &TableRef,
    values: &[Value],
    tenant: &str,
) -> Result<Vec<Value>, InterventionError> {
    let Some(owner) = &parent.owner else {
        // No owner: nobody owns its rows, so every reference needs a declaration.
        return Ok(values.to_vec());
    };
    let matches = fk
        .parent_cols
        .iter()
        .zip(&fk.child_cols)
        .map(|(p, c)| format!("__ltops_p.{} = __ltops_v.{}", q(p), q(c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let project = fk
        .child_cols
        .iter()
        .map(|c| format!("'{}', __ltops_v.{}::text", c.replace('\'', "''"), q(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT pg_catalog.json_build_object({project}) FROM pg_catalog.jsonb_populate_recordset(NULL::{}, $1::text::jsonb) AS __ltops_v
          WHERE NOT EXISTS (SELECT 1 FROM {} AS __ltops_p WHERE {matches} AND __ltops_p.{}::text = $2)",
        map.qualified(&fk.child),
        map.qualified(&fk.parent),
        q(owner)
    );
    let json = Value::Array(values.to_vec()).to_string();
    let rows = tx.query(&sql, &[&json, &tenant]).await.map_err(|e| {
        InterventionError::db(format!("checking the references along {}", fk.name), &e)
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.get::<_, Option<Value>>(0))
        .collect())
}

/// `proof: {member: {table, column}}`: the tenant owned, before the change, a
/// row of `table` whose `column` holds the referenced value. Rows this
/// statement wrote do not count (a membership cannot prove itself); their
/// before-images do.
#[allow(clippy::too_many_arguments)]
async fn proven_member(
    tx: &Transaction<'_>,
    map: &DataMap,
    plan: &Plan,
    rows: &[RowChange],
    fk: &ForeignKey,
    proof_table: &str,
    column: &str,
    value: &Value,
    tenant: &str,
) -> Result<bool, InterventionError> {
    // The declared reference is one column; its value is that column's.
    let Some(v) = fk
        .child_cols
        .first()
        .and_then(|c| value.get(c))
        .and_then(Value::as_str)
    else {
        return Ok(false);
    };
    let Some(pt) = TableRef::find(map, proof_table) else {
        return Ok(false);
    };
    let Some(owner) = &pt.owner else {
        return Ok(false);
    };
    let own = |img: &Map<String, Value>| {
        img.get(owner)
            .and_then(Value::as_str)
            .is_some_and(|o| o.eq_ignore_ascii_case(tenant))
    };
    let written: Vec<Value> = if plan.table.name == proof_table {
        let befores = rows.iter().filter(|r| r.collateral.is_none());
        for r in befores.clone() {
            if let Some(b) = &r.before
                && own(b)
                && b.get(column).and_then(Value::as_str) == Some(v)
            {
                return Ok(true);
            }
        }
        befores
            .filter_map(|r| r.after.as_ref().or(r.before.as_ref()))
            .map(|img| {
                Value::Object(
                    pt.key
                        .iter()
                        .map(|k| (k.clone(), img.get(k).cloned().unwrap_or(Value::Null)))
                        .collect(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let keys = pt
        .key
        .iter()
        .map(|k| format!("__ltops_m.{}", q(k)))
        .collect::<Vec<_>>()
        .join(", ");
    let vkeys = pt
        .key
        .iter()
        .map(|k| format!("__ltops_v.{}", q(k)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT count(*) FROM {qt} AS __ltops_m WHERE __ltops_m.{col}::text = $1 AND __ltops_m.{own}::text = $2
           AND ({keys}) NOT IN (SELECT {vkeys} FROM pg_catalog.jsonb_populate_recordset(NULL::{qt}, $3::text::jsonb) AS __ltops_v)",
        qt = map.qualified(proof_table),
        col = q(column),
        own = q(owner),
    );
    let json = Value::Array(written).to_string();
    let n: i64 = tx
        .query_one(&sql, &[&v, &tenant, &json])
        .await
        .map_err(|e| InterventionError::db("checking the proof of a shared reference", &e))?
        .get(0);
    Ok(n > 0)
}
