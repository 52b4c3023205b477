//! The database side of an intervention: the checks that row-level security will
//! hold, the tenant-scoped transaction, and the preview (capture, change, images).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, IsolationLevel, Transaction};

use super::{
    InterventionError, Op, Param, Plan, Preview, Query, RowChange, TableRef, capture_sql, scope,
};
use crate::datamap::DataMap;

/// How long the transaction waits for a row lock held by the platform.
pub const LOCK_TIMEOUT: &str = "10s";
/// Any single statement of the intervention.
pub const STATEMENT_TIMEOUT: &str = "5min";
/// An unanswered confirmation prompt must not hold row locks for ever: the
/// server ends the session (and rolls back) after this long.
pub const IDLE_TIMEOUT: &str = "15min";

/// The database role the intervention runs as, once it has been found safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
}

/// Refuses a role that row-level security does not apply to, and tables on which
/// it is not enabled *and* forced, or whose policies do not read the tenant
/// setting. Names the fix in each case.
pub async fn check_safety(
    client: &Client,
    map: &DataMap,
    plan: &Plan,
) -> Result<Role, InterventionError> {
    // The trigger, cascade and reference checks of a change look at the map's
    // schema only; a table the map names elsewhere can be read, not changed.
    if let Some(t) = plan
        .tables
        .iter()
        .find(|t| map.canonical(t).0 != map.schema)
    {
        return Err(InterventionError::Unsafe(format!(
            "table {} is outside the data map's schema `{}`: interventions change tables of that schema only — read it with `ltops inspect`, change it through the platform",
            map.qualified(t),
            map.schema
        )));
    }
    // The event tables of streamed tables are written too.
    let mut tables = plan.tables.clone();
    tables.extend(super::events::stream_tables(map, &plan.tables));
    check_role_and_rls(client, map, &tables).await
}

/// [`check_safety`] for the data-map tables `tables` a statement reads or writes
/// (interventions and inspections alike).
pub async fn check_role_and_rls(
    client: &Client,
    map: &DataMap,
    tables: &BTreeSet<String>,
) -> Result<Role, InterventionError> {
    let row = client
        .query_one(
            "SELECT current_user::text, r.rolsuper, r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
            &[],
        )
        .await
        .map_err(|e| InterventionError::db("checking the database role", &e))?;
    let (role, superuser, bypass): (String, bool, bool) = (row.get(0), row.get(1), row.get(2));
    if superuser {
        return Err(InterventionError::Unsafe(format!(
            "the database user `{role}` is a superuser: row-level security does not apply to it, so an intervention could reach every tenant — configure `database` with a role such as ltops_operator (NOSUPERUSER NOBYPASSRLS, DML on the tenant tables; README: ltops intervene)"
        )));
    }
    if bypass {
        return Err(InterventionError::Unsafe(format!(
            "the database user `{role}` has BYPASSRLS: row-level security does not apply to it, so an intervention could reach every tenant — run `ALTER ROLE {role} NOBYPASSRLS` or configure `database` with a role without it (README: ltops intervene)"
        )));
    }
    // Tables by (schema, name): the map may name a table in another schema.
    let canonical: Vec<(String, String)> = tables.iter().map(|t| map.canonical(t)).collect();
    let schemas: Vec<String> = canonical.iter().map(|(s, _)| s.clone()).collect();
    let names: Vec<String> = canonical.iter().map(|(_, t)| t.clone()).collect();
    let rows = client
        .query(
            "SELECT n.nspname::text, c.relname::text, c.relrowsecurity, c.relforcerowsecurity
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
                AND c.relkind IN ('r', 'p')",
            &[&schemas, &names],
        )
        .await
        .map_err(|e| InterventionError::db("checking row-level security", &e))?;
    let found: HashMap<(String, String), (bool, bool)> = rows
        .iter()
        .map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3))))
        .collect();
    for (t, key) in tables.iter().zip(&canonical) {
        let qname = map.qualified(t);
        match found.get(key) {
            None => {
                return Err(InterventionError::Unsafe(format!(
                    "table {qname} of the data map does not exist in this database — is `database` the platform database, and policies/datamap.yaml current?"
                )));
            }
            Some((true, true)) => {}
            Some(_) => {
                return Err(InterventionError::Unsafe(format!(
                    "table {qname} does not have row-level security enabled and forced, so the tenant scope would not hold — the platform owner must run `ALTER TABLE {qname} ENABLE ROW LEVEL SECURITY; ALTER TABLE {qname} FORCE ROW LEVEL SECURITY` (with a policy on `{}`)",
                    map.rls_setting
                )));
            }
        }
    }
    // A permissive policy that does not read the tenant setting opens the table
    // to every tenant (policies are OR-ed).
    let rows = client
        .query(
            "SELECT n.nspname::text, c.relname::text, p.polname::text,
                    coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), ''),
                    coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '')
               FROM pg_catalog.pg_policy p
               JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
                AND p.polpermissive",
            &[&schemas, &names],
        )
        .await
        .map_err(|e| InterventionError::db("checking row-level security policies", &e))?;
    let needle = format!("'{}'", map.rls_setting);
    for r in rows {
        let (schema, table, policy, using, check): (String, String, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        for expr in [&using, &check] {
            if !expr.is_empty() && !expr.contains(&needle) {
                return Err(InterventionError::Unsafe(format!(
                    "policy `{policy}` on {} does not read the setting `{}` (it is `{expr}`): as a permissive policy it lets rows of other tenants through, so ltops cannot rely on it for the tenant scope",
                    map.qualified(&map.display_name(&schema, &table)),
                    map.rls_setting
                )));
            }
        }
    }
    Ok(Role { name: role })
}

/// Refuses a tenant id that names no tenant: its row in the tenant table must be
/// visible in a transaction scoped to it (so a typo is caught before anything is
/// recorded under a tenant key of its own).
pub async fn check_tenant(
    client: &mut Client,
    map: &DataMap,
    tenant: &str,
) -> Result<(), InterventionError> {
    let tx = begin(client, map, tenant).await?;
    let row = tx
        .query_one(
            &format!(
                "SELECT count(*) FROM {} WHERE {}::text = $1",
                map.qualified(&map.tenant.table),
                crate::datamap::quote_ident(&map.tenant.key)
            ),
            &[&tenant],
        )
        .await
        .map_err(|e| InterventionError::db("looking up the tenant", &e))?;
    let _ = tx.rollback().await;
    if row.get::<_, i64>(0) == 1 {
        Ok(())
    } else {
        Err(InterventionError::Refused(format!(
            "tenant {tenant} does not exist in this database (its row in {} is not there)",
            map.qualified(&map.tenant.table)
        )))
    }
}

/// Checks what the structured forms name against the live table before
/// anything is recorded: `--set` columns exist and are not generated, and the
/// key values (`--id`, `--key`) and new values convert to the columns' types.
/// Reads the catalog only; the values are the operator's own.
pub async fn check_request(
    client: &Client,
    map: &DataMap,
    plan: &Plan,
) -> Result<(), InterventionError> {
    let Some(keys) = &plan.expect else {
        return Ok(());
    };
    let qname = map.qualified(&plan.table.name);
    let rows = client
        .query(
            "SELECT a.attname::text, a.attgenerated <> ''
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = $1::text::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum",
            &[&qname],
        )
        .await
        .map_err(|e| InterventionError::db(format!("reading the columns of {qname}"), &e))?;
    let columns: Vec<(String, bool)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    for col in plan.set_values.keys() {
        match columns.iter().find(|(c, _)| c == col) {
            None => {
                return Err(InterventionError::Refused(format!(
                    "`{col}` is not a column of {} (its columns: {})",
                    plan.table.name,
                    columns
                        .iter()
                        .map(|(c, _)| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            Some((_, true)) => {
                return Err(InterventionError::Refused(format!(
                    "`{col}` is a generated column of {}: it cannot be set",
                    plan.table.name
                )));
            }
            Some(_) => {}
        }
    }
    let keys_json = Value::Array(keys.iter().cloned().map(Value::Object).collect()).to_string();
    let values_json = Value::Object(plan.set_values.clone()).to_string();
    client
        .query_one(
            &format!(
                "SELECT (SELECT count(*) FROM pg_catalog.jsonb_populate_recordset(NULL::{qname}, $1::text::jsonb)),
                        pg_catalog.jsonb_populate_record(NULL::{qname}, $2::text::jsonb) IS NULL"
            ),
            &[&keys_json, &values_json],
        )
        .await
        .map_err(|e| {
            InterventionError::Refused(format!(
                "the values do not fit the columns of {}: {}",
                plan.table.name,
                server_detail(&e)
            ))
        })?;
    Ok(())
}

/// Starts the transaction scoped to `tenant`: `set_config(rls_setting, tenant,
/// true)` (= SET LOCAL, bound as a parameter), row security on, a search path of
/// the catalog only (so names resolve as the SQL check resolved them), and
/// timeouts so that a forgotten prompt does not hold locks for ever.
pub async fn begin<'a>(
    client: &'a mut Client,
    map: &DataMap,
    tenant: &str,
) -> Result<Transaction<'a>, InterventionError> {
    begin_scoped(client, map, tenant, false).await
}

/// [`begin`], and with `read_only` a `READ ONLY` transaction (an inspection):
/// then the server itself refuses any write, whatever the statement.
pub async fn begin_scoped<'a>(
    client: &'a mut Client,
    map: &DataMap,
    tenant: &str,
    read_only: bool,
) -> Result<Transaction<'a>, InterventionError> {
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .read_only(read_only)
        .start()
        .await
        .map_err(|e| InterventionError::db("starting the transaction", &e))?;
    let settings: [(&str, &str); 7] = [
        (map.rls_setting.as_str(), tenant),
        ("row_security", "on"),
        // The SQL check reads '…' with backslashes as plain characters; so must
        // the server (it is the default, but a role or database may change it).
        ("standard_conforming_strings", "on"),
        ("search_path", "pg_catalog, pg_temp"),
        ("lock_timeout", LOCK_TIMEOUT),
        ("statement_timeout", STATEMENT_TIMEOUT),
        ("idle_in_transaction_session_timeout", IDLE_TIMEOUT),
    ];
    for (name, value) in settings {
        tx.execute(
            "SELECT pg_catalog.set_config($1, $2, true)",
            &[&name, &value],
        )
        .await
        .map_err(|e| InterventionError::db(format!("setting {name} for the transaction"), &e))?;
    }
    let row = tx
        .query_one(
            "SELECT pg_catalog.current_setting($1, true)",
            &[&map.rls_setting],
        )
        .await
        .map_err(|e| InterventionError::db("reading the tenant scope back", &e))?;
    let got: Option<String> = row.get(0);
    if got.as_deref() != Some(tenant) {
        return Err(InterventionError::Unsafe(format!(
            "the tenant scope did not take: {} reads {got:?} instead of {tenant}",
            map.rls_setting
        )));
    }
    Ok(tx)
}

/// Runs the plan inside `tx` and returns what it did, without committing.
///
/// Besides the statement's own rows, the preview knows every row the database
/// changes because of it (foreign-key actions, see [`scope`]), checks that
/// the tenant owns all of them before and after, and that the changed rows'
/// references stay inside the tenant. Deferred constraints are checked here
/// (`SET CONSTRAINTS ALL IMMEDIATE`), so a dry run meets the same refusals
/// as a real run.
pub async fn preview(
    tx: &Transaction<'_>,
    map: &DataMap,
    plan: &Plan,
    tenant: &str,
    max_rows: u64,
) -> Result<Preview, InterventionError> {
    let new_values = if plan.set_values.is_empty() {
        None
    } else {
        Some(new_values(tx, map, plan).await?)
    };
    let fks = scope::foreign_keys(tx).await?;
    let (edges, touched) = match collateral_tables(tx, map, plan, &fks).await? {
        Ok(found) => found,
        Err(why) => return Ok(Preview::Refused(why)),
    };
    let captured = match capture(tx, map, plan, max_rows, new_values.as_deref()).await? {
        Step::Go(c) => c,
        Step::Stop(p) => return Ok(p),
    };
    let befores: Vec<Map<String, Value>> = captured.iter().map(|(_, i)| i.clone()).collect();
    let own: Vec<RowChange> = befores
        .iter()
        .map(|b| RowChange::own(Some(b.clone()), None))
        .collect();
    check_scope(&plan.table, &own, tenant)?;
    if let Err(why) = scope::check_owned(&plan.table, &own, tenant) {
        return Ok(Preview::Refused(why));
    }
    let budget = max_rows.saturating_sub(captured.len() as u64);
    let reached =
        match scope::capture_collateral(tx, map, &edges, &plan.table.name, &befores, budget).await?
        {
            scope::Captured::Rows(r) => r,
            scope::Captured::TooMany(n) => {
                return Ok(Preview::TooMany {
                    at_least: captured.len() as u64 + n,
                    limit: max_rows,
                });
            }
            scope::Captured::Refused(why) => return Ok(Preview::Refused(why)),
        };
    let mut collateral = match scope::check_collateral(map, &reached, tenant) {
        Ok(c) => c,
        Err(why) => return Ok(Preview::Refused(why)),
    };
    let counters_before = scope::counters(tx, map, &touched).await?;
    let ctids: Vec<String> = captured.iter().map(|(c, _)| c.clone()).collect();
    let changed = query(
        tx,
        &plan.change,
        &ctids,
        new_values.as_deref(),
        "running the statement",
    )
    .await?;
    let mut rows = match plan.op {
        Op::Insert => match inserted(changed, max_rows) {
            Step::Go(rows) => rows,
            Step::Stop(p) => return Ok(p),
        },
        Op::Update | Op::Delete => paired(plan.op, captured, changed)?,
    };
    if rows.is_empty() {
        return Ok(Preview::Nothing);
    }
    tx.batch_execute("SET CONSTRAINTS ALL IMMEDIATE")
        .await
        .map_err(|e| InterventionError::Db {
            context: "checking deferred constraints".into(),
            detail: server_detail(&e),
        })?;
    check_scope(&plan.table, &rows, tenant)?;
    if let Err(why) = scope::check_owned(&plan.table, &rows, tenant) {
        return Ok(Preview::Refused(why));
    }
    if plan.op == Op::Update
        && let Some(why) = key_update_cascades(&fks, map, plan, &rows)
    {
        return Ok(Preview::Refused(why));
    }
    let counters_after = scope::counters(tx, map, &touched).await?;
    let expected = expected_counts(plan, rows.len(), &reached);
    if let Some(why) =
        scope::hidden_rows(&counters_before, &counters_after, &expected, &edges, tenant)
    {
        return Ok(Preview::Refused(why));
    }
    scope::collateral_after(tx, map, &mut collateral, &reached).await?;
    rows.extend(collateral);
    if let Some(why) = scope::check_references(tx, map, &fks, plan, &rows, tenant).await? {
        return Ok(Preview::Refused(why));
    }
    Ok(Preview::Ready(rows))
}

/// The foreign-key actions a DELETE sets off and every table the change may
/// touch; or why it is refused (a chain out of the data map, a trigger).
async fn collateral_tables(
    tx: &Transaction<'_>,
    map: &DataMap,
    plan: &Plan,
    fks: &[scope::ForeignKey],
) -> Result<Result<(Vec<(scope::ForeignKey, Op)>, BTreeSet<String>), String>, InterventionError> {
    let edges = match plan.op {
        Op::Delete => match scope::reachable(map, fks, &plan.table.name, Op::Delete) {
            Ok(e) => e,
            Err(why) => return Ok(Err(why)),
        },
        _ => Vec::new(),
    };
    let mut touched: BTreeSet<String> = BTreeSet::from([plan.table.name.clone()]);
    touched.extend(edges.iter().map(|(f, _)| f.child.clone()));
    if let Some(why) = scope::check_triggers(tx, map, &touched).await? {
        return Ok(Err(why));
    }
    Ok(Ok((edges, touched)))
}

/// Per table, the rows (deleted, updated) ltops captured: the statement's own
/// and those the foreign-key actions reach.
fn expected_counts(
    plan: &Plan,
    own: usize,
    reached: &[scope::Reached],
) -> BTreeMap<String, (i64, i64)> {
    let mut expected: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let n = own as i64;
    match plan.op {
        Op::Delete => expected.entry(plan.table.name.clone()).or_default().0 += n,
        Op::Update => expected.entry(plan.table.name.clone()).or_default().1 += n,
        Op::Insert => {}
    }
    for r in reached {
        let e = expected.entry(r.table.name.clone()).or_default();
        match r.op {
            Op::Delete => e.0 += r.rows.len() as i64,
            _ => e.1 += r.rows.len() as i64,
        }
    }
    expected
}

/// An UPDATE that changes a column other rows reference with an `ON UPDATE`
/// action would change those rows too: refused, naming the foreign keys.
fn key_update_cascades(
    fks: &[scope::ForeignKey],
    map: &DataMap,
    plan: &Plan,
    rows: &[RowChange],
) -> Option<String> {
    let changed: BTreeSet<String> = rows.iter().flat_map(RowChange::changed_columns).collect();
    let hit: Vec<String> = fks
        .iter()
        .filter(|f| f.parent_schema == map.schema && f.parent == plan.table.name)
        .filter(|f| matches!(f.on_update, 'c' | 'n' | 'd'))
        .filter(|f| f.parent_cols.iter().any(|c| changed.contains(c)))
        .map(|f| format!("{}.({}) `{}`", f.child, f.child_cols.join(", "), f.name))
        .collect();
    (!hit.is_empty()).then(|| {
        format!(
            "the UPDATE changes columns that {} reference with an ON UPDATE action, so the database would change those rows too: refused — referenced keys are not changed by interventions",
            hit.join(", ")
        )
    })
}

/// Either what the preview goes on with, or the answer that ends it early.
enum Step<T> {
    Go(T),
    Stop(Preview),
}

/// The before-images (by ctid) of the rows UPDATE and DELETE will change; none
/// for INSERT.
async fn capture(
    tx: &Transaction<'_>,
    map: &DataMap,
    plan: &Plan,
    max_rows: u64,
    new_values: Option<&str>,
) -> Result<Step<Vec<(String, Map<String, Value>)>>, InterventionError> {
    let mut captured: Vec<(String, Map<String, Value>)> = Vec::new();
    let Some(c) = &plan.capture else {
        return Ok(Step::Go(captured));
    };
    let rows = query(
        tx,
        &Query {
            sql: capture_sql(c, max_rows),
            params: c.select.params.clone(),
        },
        &[],
        new_values,
        "reading the rows to change",
    )
    .await?;
    if rows.len() as u64 > max_rows {
        return Ok(Step::Stop(Preview::TooMany {
            at_least: rows.len() as u64,
            limit: max_rows,
        }));
    }
    let mut seen = HashSet::new();
    for (ctid, image) in rows {
        let ctid = ctid.ok_or_else(|| InterventionError::Db {
            context: "reading the rows to change".into(),
            detail: "a row came back without its ctid".into(),
        })?;
        if seen.insert(ctid.clone()) {
            captured.push((ctid, image));
        }
    }
    if let Some(expect) = &plan.expect
        && captured.len() < expect.len()
    {
        let missing = missing_keys(tx, map, plan, expect, &captured).await?;
        return Ok(Step::Stop(Preview::Missing(missing)));
    }
    if captured.is_empty() {
        return Ok(Step::Stop(Preview::Nothing));
    }
    Ok(Step::Go(captured))
}

/// INSERT: every returned row is new.
fn inserted(changed: Vec<ImageRow>, max_rows: u64) -> Step<Vec<RowChange>> {
    if changed.len() as u64 > max_rows {
        return Step::Stop(Preview::TooMany {
            at_least: changed.len() as u64,
            limit: max_rows,
        });
    }
    Step::Go(
        changed
            .into_iter()
            .map(|(_, after)| RowChange::own(None, Some(after)))
            .collect(),
    )
}

/// UPDATE and DELETE: each captured row with what became of it. The change must
/// have hit exactly the captured rows.
fn paired(
    op: Op,
    captured: Vec<(String, Map<String, Value>)>,
    changed: Vec<ImageRow>,
) -> Result<Vec<RowChange>, InterventionError> {
    let mut by_ctid: HashMap<String, Map<String, Value>> = HashMap::new();
    for (ctid, image) in changed {
        if let Some(c) = ctid {
            by_ctid.insert(c, image);
        }
    }
    if by_ctid.len() != captured.len() {
        return Err(InterventionError::Drifted {
            captured: captured.len(),
            changed: by_ctid.len(),
        });
    }
    Ok(captured
        .into_iter()
        .map(|(ctid, before)| {
            let after = by_ctid.remove(&ctid);
            match op {
                Op::Update => RowChange::own(Some(before), after),
                _ => RowChange::own(Some(before), None),
            }
        })
        .collect())
}

/// Every image must carry the tenant in one of its tenant columns — a check of
/// the result, independent of the policies that should already guarantee it.
pub fn check_scope(
    table: &TableRef,
    rows: &[RowChange],
    tenant: &str,
) -> Result<(), InterventionError> {
    for row in rows {
        for image in [&row.before, &row.after].into_iter().flatten() {
            let ours = table.tenant_columns.iter().any(|c| {
                image
                    .get(c)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(tenant))
            });
            if !ours {
                let key = Value::Object(row.key(table));
                let values: Vec<String> = table
                    .tenant_columns
                    .iter()
                    .map(|c| format!("{c}={}", image.get(c).unwrap_or(&Value::Null)))
                    .collect();
                return Err(InterventionError::OutOfScope(format!(
                    "{} row {key} has {} (tenant {tenant})",
                    table.name,
                    values.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// The `set` values as the JSON object bound to the statement: json and jsonb
/// columns take the value as JSON, every other column as text. Unknown and
/// generated columns are refused by name.
async fn new_values(
    tx: &Transaction<'_>,
    map: &DataMap,
    plan: &Plan,
) -> Result<String, InterventionError> {
    let qname = map.qualified(&plan.table.name);
    let rows = tx
        .query(
            "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> ''
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = $1::text::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum",
            &[&qname],
        )
        .await
        .map_err(|e| InterventionError::db(format!("reading the columns of {qname}"), &e))?;
    let columns: Vec<(String, String, bool)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let mut out = Map::new();
    for (col, value) in &plan.set_values {
        let Some((_, ty, generated)) = columns.iter().find(|(c, _, _)| c == col) else {
            return Err(InterventionError::Refused(format!(
                "`{col}` is not a column of {} (its columns: {})",
                plan.table.name,
                columns
                    .iter()
                    .map(|(c, _, _)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        if *generated {
            return Err(InterventionError::Refused(format!(
                "`{col}` is a generated column of {}: it cannot be set",
                plan.table.name
            )));
        }
        let v = match (value, ty.as_str()) {
            (Value::String(s), "json" | "jsonb") => serde_json::from_str(s).map_err(|e| {
                InterventionError::Refused(format!(
                    "--set {col}=…: the column is {ty} and the value is not JSON ({e})"
                ))
            })?,
            (v, _) => v.clone(),
        };
        out.insert(col.clone(), v);
    }
    Ok(Value::Object(out).to_string())
}

/// For the structured forms: which of the named rows the capture did not find,
/// in PostgreSQL's own rendering of the key (so `ABC…` and `abc…` are one uuid).
async fn missing_keys(
    tx: &Transaction<'_>,
    map: &DataMap,
    plan: &Plan,
    expect: &[Map<String, Value>],
    captured: &[(String, Map<String, Value>)],
) -> Result<Vec<Map<String, Value>>, InterventionError> {
    let qname = map.qualified(&plan.table.name);
    let keys_json = Value::Array(expect.iter().cloned().map(Value::Object).collect()).to_string();
    let rows = tx
        .query(
            &format!(
                "SELECT (SELECT json_object_agg(k.key, k.value) FROM json_each_text(row_to_json(__ltops_key.*)) AS k WHERE k.key = ANY($2))
                   FROM jsonb_populate_recordset(NULL::{qname}, $1::text::jsonb) AS __ltops_key"
            ),
            &[&keys_json, &plan.table.key],
        )
        .await
        .map_err(|e| InterventionError::db("checking the named rows", &e))?;
    let project = |m: &Map<String, Value>| -> Vec<Value> {
        plan.table
            .key
            .iter()
            .map(|k| m.get(k).cloned().unwrap_or(Value::Null))
            .collect()
    };
    let found: HashSet<String> = captured
        .iter()
        .map(|(_, img)| Value::Array(project(img)).to_string())
        .collect();
    let mut missing = Vec::new();
    for r in rows {
        let v: Option<Value> = r.get(0);
        if let Some(Value::Object(m)) = v
            && !found.contains(&Value::Array(project(&m)).to_string())
        {
            missing.push(m);
        }
    }
    Ok(missing)
}

type ImageRow = (Option<String>, Map<String, Value>);

/// The server's message (RLS violation, constraint, type error) is what the
/// operator needs; "db error" wrapping adds nothing. The DETAIL of an integrity
/// violation (SQLSTATE class 23) is withheld: it quotes the conflicting row's
/// values, which may be another tenant's (a unique key across tenants), and
/// the constraint's name in the message is enough to act on.
pub(crate) fn server_detail(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!("{}: {}", db.severity(), db.message());
            let integrity = db.code().code().starts_with("23");
            match db.detail() {
                Some(_) if integrity => {
                    s.push_str(" (details withheld: they can show values of rows of other tenants)")
                }
                Some(d) => s.push_str(&format!(" ({d})")),
                None => {}
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!(" — hint: {h}"));
            }
            s
        }
        None => crate::db::error_chain(e),
    }
}

/// Runs a plan query; every row is `(ctid text or NULL, image json)`.
async fn query(
    tx: &Transaction<'_>,
    q: &Query,
    ctids: &[String],
    new_values: Option<&str>,
    context: &str,
) -> Result<Vec<ImageRow>, InterventionError> {
    let ctids = ctids.to_vec();
    let mut owned: Vec<Box<dyn ToSql + Sync + Send>> = Vec::with_capacity(q.params.len());
    for p in &q.params {
        owned.push(match p {
            Param::Text(s) => Box::new(s.clone()),
            Param::Ctids => Box::new(ctids.clone()),
            Param::NewValues => Box::new(new_values.unwrap_or("{}").to_owned()),
        });
    }
    let refs: Vec<&(dyn ToSql + Sync)> = owned
        .iter()
        .map(|b| b.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let rows = tx
        .query(q.sql.as_str(), &refs)
        .await
        .map_err(|e| InterventionError::Db {
            context: context.to_owned(),
            detail: server_detail(&e),
        })?;
    rows.into_iter()
        .map(|r| {
            let ctid: Option<String> = r.get(0);
            let image: Option<Value> = r.get(1);
            match image {
                Some(Value::Object(m)) => Ok((ctid, m)),
                other => Err(InterventionError::Db {
                    context: context.to_owned(),
                    detail: format!("a row image is not an object: {other:?}"),
                }),
            }
        })
        .collect()
}
