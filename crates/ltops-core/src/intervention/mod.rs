//! Documented interventions on customer data (TOM §5, §8): one INSERT, UPDATE or
//! DELETE, scoped to exactly one tenant by row-level security, with exact before
//! and after images of every affected row, in one transaction that the caller
//! commits only after confirmation.
//!
//! How the images are exact (PostgreSQL has no `RETURNING OLD` before 18):
//!
//! 1. UPDATE and DELETE first capture the rows they will touch with
//!    `SELECT ctid, image FROM <same table, FROM/USING and WHERE> LIMIT n+1
//!    FOR UPDATE OF <target>`. The rows are now locked: nobody else can change
//!    them until the transaction ends. More than `n` rows stops here.
//! 2. The change runs with its own WHERE *and* joined to exactly the captured
//!    ctids (`FROM unnest($ctids) AS __ltops_before(ltops_ctid)`), returning the
//!    captured ctid next to the new image. So every after-image is paired with its
//!    before-image, and the change cannot reach a row that was not captured.
//! 3. If the change touched fewer rows than were captured (its WHERE depends on
//!    something that moved in between), the preview fails rather than show
//!    images that are not exactly what happened.
//!
//! Images are the rows as `{column: text or null}` in table order, the text being
//! PostgreSQL's own rendering — exact for numeric, timestamps and jsonb alike.
//!
//! This module knows nothing of clap, printing or prompts; `commands::intervene`
//! orchestrates it with the audit log.

pub mod bounds;
pub mod events;
pub mod run;
pub mod scope;
pub mod select;
pub mod sql;
pub mod structured;

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::datamap::{DataMap, OnErase, quote_ident};

/// The alias under which the captured ctids are joined into the change; user
/// statements may not use identifiers with this prefix.
pub const RESERVED_PREFIX: &str = "__ltops";

/// What the statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Op {
    Insert,
    Update,
    Delete,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Insert => "INSERT",
            Op::Update => "UPDATE",
            Op::Delete => "DELETE",
        }
    }

    /// "inserted", "updated", "deleted".
    pub fn past(self) -> &'static str {
        match self {
            Op::Insert => "inserted",
            Op::Update => "updated",
            Op::Delete => "deleted",
        }
    }
}

/// How the operator asked for the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// `intervene set`: columns of rows named by key.
    Set,
    /// `intervene delete`: rows named by key.
    Delete,
    /// `intervene sql`: one parsed and checked statement.
    Sql,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Set => "set",
            Form::Delete => "delete",
            Form::Sql => "sql",
        }
    }
}

/// A table of the data map as an intervention sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRef {
    pub name: String,
    pub key: Vec<String>,
    pub tenant_columns: Vec<String>,
    /// The tenant table itself (its key is the tenant id).
    pub is_tenant_table: bool,
    /// Kept under a statutory retention period (`on_erase: retain`).
    pub retained: Option<String>,
    /// The tenant column that owns a row (data map `owner`); `None` when the
    /// data map leaves it open (several tenant columns), and then the table
    /// cannot be changed by an intervention.
    pub owner: Option<String>,
}

impl TableRef {
    /// Looks a table up in the data map; the tenant table counts too.
    pub fn find(map: &DataMap, name: &str) -> Option<TableRef> {
        if name == map.tenant.table {
            return Some(TableRef {
                name: name.to_owned(),
                key: vec![map.tenant.key.clone()],
                tenant_columns: vec![map.tenant.key.clone()],
                is_tenant_table: true,
                retained: None,
                owner: Some(map.tenant.key.clone()),
            });
        }
        map.table(name).map(|t| TableRef {
            name: t.table.clone(),
            key: t.key.clone(),
            tenant_columns: t.tenant_columns.clone(),
            is_tenant_table: false,
            retained: match (t.on_erase, &t.retain) {
                (OnErase::Retain, Some(r)) => Some(format!(
                    "kept for {} years under {} (data map: on_erase: retain)",
                    r.years, r.basis
                )),
                _ => None,
            },
            owner: t.owner_column().map(str::to_owned),
        })
    }

    /// Every table an intervention may name, for messages.
    pub fn names(map: &DataMap) -> Vec<String> {
        let mut v: Vec<String> = map.tables.iter().map(|t| t.table.clone()).collect();
        v.push(map.tenant.table.clone());
        v.sort();
        v
    }

    /// Refuses operations the data map rules out for this table.
    pub fn check_op(&self, op: Op) -> Result<(), Refusal> {
        if self.is_tenant_table && op != Op::Update {
            return Err(format!(
                "{} the tenant table `{}` is not an intervention: tenants are created by the platform and erased with `ltops tenant erase`",
                match op {
                    Op::Insert => "inserting into",
                    _ => "deleting from",
                },
                self.name
            ).into());
        }
        if op == Op::Delete
            && let Some(why) = &self.retained
        {
            return Err(format!(
                "deleting from `{}` is refused: its rows are booking records {why}; correct them with an UPDATE instead",
                self.name
            ).into());
        }
        Ok(())
    }
}

/// A query of the plan with its parameters. Every parameter is bound as text
/// (or text[] for the captured ctids) and cast in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub sql: String,
    pub params: Vec<Param>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Text(String),
    /// The ctids captured in step 1, as text[].
    Ctids,
    /// Structured `set`: the new values as a JSON object, json/jsonb columns
    /// parsed as JSON once the column types are known.
    NewValues,
}

/// Step 1 of an UPDATE or DELETE: a SELECT returning `(ctid::text, image)` of
/// the rows the change will touch, still without `LIMIT … FOR UPDATE OF …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub select: Query,
    /// The name the target table goes by in the query (alias or table name).
    pub lock_ref: String,
}

/// An intervention, planned: checked, but nothing has touched the database.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub form: Form,
    pub op: Op,
    pub table: TableRef,
    /// Every data-map table the statement reads or writes (RLS is checked on each).
    pub tables: BTreeSet<String>,
    /// The statement as the operator gave it (SQL) or a description of it
    /// (structured forms). May hold personal data: only goes into the log sealed.
    pub statement: String,
    /// Step 1 (UPDATE, DELETE).
    pub capture: Option<Capture>,
    /// Step 2: returns `(captured ctid or NULL, image)` per affected row.
    pub change: Query,
    /// Structured forms: the rows named by key, each of which must exist.
    pub expect: Option<Vec<Map<String, Value>>>,
    /// Structured `set`: column → new value (text, or null), checked against
    /// the live table before it is bound.
    pub set_values: Map<String, Value>,
}

impl Plan {
    /// The SQL ltops executes, for the record and for `-v`.
    pub fn executed_sql(&self, max_rows: u64) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(c) = &self.capture {
            v.push(capture_sql(c, max_rows));
        }
        v.push(self.change.sql.clone());
        v
    }
}

pub(crate) fn capture_sql(c: &Capture, max_rows: u64) -> String {
    format!(
        "{} LIMIT {} FOR UPDATE OF {}",
        c.select.sql,
        max_rows.saturating_add(1),
        c.lock_ref
    )
}

/// The image of the row `r` (an alias or table name, already quoted) as a json
/// object of column → text, in column order.
pub(crate) fn image_expr(r: &str) -> String {
    format!(
        "(SELECT json_object_agg(__ltops_col.key, __ltops_col.value) FROM json_each_text(row_to_json({r}.*)) AS __ltops_col)"
    )
}

/// `"schema"."table"`.
pub(crate) fn qualified(map: &DataMap, table: &str) -> String {
    map.qualified(table)
}

pub(crate) fn q(ident: &str) -> String {
    quote_ident(ident)
}

/// One affected row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowChange {
    /// The row before (UPDATE, DELETE); `None` for an INSERT.
    pub before: Option<Map<String, Value>>,
    /// The row after (INSERT, UPDATE); `None` for a DELETE.
    pub after: Option<Map<String, Value>>,
    /// Set for a row of another table that the database changes because of
    /// the statement (a foreign-key cascade); `None` for the statement's own rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collateral: Option<Collateral>,
}

/// Where a collateral row is and how the change reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collateral {
    pub table: String,
    /// The table's key columns (data map), to name the row.
    #[serde(skip)]
    pub key: Vec<String>,
    /// The foreign key the database follows, e.g. `marketplace_members_marketplace_id_fkey`.
    pub via: String,
    /// The tenant owning the row (its owner column), when it is not the acting one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_tenant: Option<String>,
}

impl RowChange {
    /// A row of the statement's own table.
    pub fn own(before: Option<Map<String, Value>>, after: Option<Map<String, Value>>) -> RowChange {
        RowChange {
            before,
            after,
            collateral: None,
        }
    }

    /// The key of the row (from whichever image there is), e.g. `{"id": "…"}`;
    /// a collateral row by its own table's key.
    pub fn key(&self, table: &TableRef) -> Map<String, Value> {
        let img = self.after.as_ref().or(self.before.as_ref());
        let key = match &self.collateral {
            Some(c) => &c.key,
            None => &table.key,
        };
        key.iter()
            .map(|k| {
                (
                    k.clone(),
                    img.and_then(|m| m.get(k)).cloned().unwrap_or(Value::Null),
                )
            })
            .collect()
    }

    /// Columns whose value differs between the images (all of them for INSERT
    /// and DELETE), in table order.
    pub fn changed_columns(&self) -> Vec<String> {
        match (&self.before, &self.after) {
            (Some(b), Some(a)) => a
                .iter()
                .filter(|(k, v)| b.get(*k) != Some(*v))
                .map(|(k, _)| k.clone())
                .collect(),
            (Some(m), None) | (None, Some(m)) => m.keys().cloned().collect(),
            (None, None) => vec![],
        }
    }
}

/// What the preview found, inside the still-open transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    /// The change ran; these are its rows. Commit or roll back.
    Ready(Vec<RowChange>),
    /// More rows than allowed; for UPDATE and DELETE the change did not run.
    TooMany { at_least: u64, limit: u64 },
    /// The statement matches no rows of this tenant.
    Nothing,
    /// Structured forms: these keys are not rows of this tenant.
    Missing(Vec<Map<String, Value>>),
    /// The change would leave the tenant (a row it does not own, a cascade or
    /// a reference into another tenant, a trigger ltops cannot account for):
    /// the message says what it would reach. Rolled back.
    Refused(String),
}

/// Why a change is refused while it is planned, before anything reaches the
/// database: the operator reads the message and rewrites the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The statement does not parse as PostgreSQL.
    #[error("cannot parse the statement (PostgreSQL): {0}")]
    Unparsable(String),
    /// Syntax of another SQL dialect.
    #[error("{0} is not PostgreSQL syntax")]
    NotPostgres(String),
    /// Anything else an intervention does not do; the message says why and
    /// what to do instead.
    #[error("{0}")]
    Refused(String),
}

impl From<String> for Refusal {
    fn from(why: String) -> Refusal {
        Refusal::Refused(why)
    }
}

impl From<&str> for Refusal {
    fn from(why: &str) -> Refusal {
        Refusal::Refused(why.to_owned())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InterventionError {
    /// The request itself is not acceptable (usage).
    #[error("{0}")]
    Refused(String),
    /// The database set-up would let the intervention escape the tenant scope.
    #[error("{0}")]
    Unsafe(String),
    /// An affected row does not belong to the tenant: RLS did not hold.
    #[error(
        "row outside the tenant scope: {0} — the transaction was rolled back; row-level security on this table does not isolate tenants as the data map says"
    )]
    OutOfScope(String),
    /// The rows changed between capture and change.
    #[error(
        "the statement changed {changed} rows but {captured} were captured and locked before: its WHERE depends on something that changed in between, so the images would not be exact — rolled back; run it again"
    )]
    Drifted { captured: usize, changed: usize },
    #[error("{context}: {detail}")]
    Db { context: String, detail: String },
}

impl InterventionError {
    pub(crate) fn db(context: impl Into<String>, e: &tokio_postgres::Error) -> InterventionError {
        InterventionError::Db {
            context: context.into(),
            detail: crate::db::error_chain(e),
        }
    }
}

/// Normalises a tenant id as the data map types it (UUIDs lower-case), so that the
/// audit log and the tenant key table know each tenant under exactly one name.
pub fn normalize_tenant(map: &DataMap, tenant: &str) -> Result<String, Refusal> {
    map.normalize_tenant_id(tenant).map_err(Refusal::from)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;
    use std::path::Path;

    /// Asserts that `r` is refused, with `why` in the message.
    pub(crate) fn assert_refused<T: std::fmt::Debug>(r: Result<T, Refusal>, why: &str) {
        let e = r.expect_err(why).to_string();
        assert!(e.contains(why), "expected `{why}` in: {e}");
    }

    pub(crate) fn repo_map() -> DataMap {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/datamap.yaml");
        DataMap::load(&path).unwrap()
    }

    #[test]
    fn tenant_ids_are_normalised() {
        let m = repo_map();
        assert_eq!(
            normalize_tenant(&m, "0000000A-0000-4000-8000-00000000000B").unwrap(),
            "0000000a-0000-4000-8000-00000000000b"
        );
        assert!(normalize_tenant(&m, "1' OR '1'='1").is_err());
    }

    #[test]
    fn the_data_map_rules_out_some_operations() {
        let m = repo_map();
        let tenants = TableRef::find(&m, "tenants").unwrap();
        assert!(tenants.check_op(Op::Update).is_ok());
        assert_refused(tenants.check_op(Op::Delete), "tenant erase");
        assert!(tenants.check_op(Op::Insert).is_err());
        let invoices = TableRef::find(&m, "invoices").unwrap();
        assert!(invoices.check_op(Op::Update).is_ok());
        assert_refused(invoices.check_op(Op::Delete), "§147 AO");
        assert!(
            TableRef::find(&m, "leads")
                .unwrap()
                .check_op(Op::Delete)
                .is_ok()
        );
        assert!(TableRef::find(&m, "pg_authid").is_none());
    }

    #[test]
    fn changed_columns_and_keys() {
        let m = repo_map();
        let leads = TableRef::find(&m, "leads").unwrap();
        let before = json!({"id": "a", "status": "new", "email": "x@y"});
        let after = json!({"id": "a", "status": "lost", "email": "x@y"});
        let rc = RowChange::own(before.as_object().cloned(), after.as_object().cloned());
        assert_eq!(rc.changed_columns(), vec!["status".to_string()]);
        assert_eq!(Value::Object(rc.key(&leads)), json!({"id": "a"}));
        let del = RowChange::own(before.as_object().cloned(), None);
        assert_eq!(del.changed_columns().len(), 3);
    }
}
