//! The data map (`policies/datamap.yaml`): which tables hold tenant data, under
//! which tenant column(s), which columns are personal, and what erasure does to
//! them. Erasure, interventions and the TOM checks follow it; no table name of the
//! platform is written in Rust.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio_postgres::GenericClient;

use crate::located::{Located, find_line, value_of};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataMap {
    pub version: u32,
    /// The Postgres schema of the platform tables.
    #[serde(default = "default_schema")]
    pub schema: String,
    /// The session setting row-level security reads the tenant from.
    #[serde(default = "default_rls_setting")]
    pub rls_setting: String,
    pub tenant: TenantTable,
    /// Tenant tables, in the order erasure deletes from them (children first).
    pub tables: Vec<TableMap>,
}

fn default_schema() -> String {
    "public".into()
}

fn default_rls_setting() -> String {
    "app.tenant_id".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantTable {
    pub table: String,
    /// The tenant id column of the tenant table.
    pub key: String,
    /// How tenant ids look: `uuid`, `bigint` or `text`.
    #[serde(default)]
    pub id_type: IdType,
    /// Personal columns of the tenant row itself (company contact etc.).
    #[serde(default)]
    pub personal: Vec<String>,
    /// Optional status column set to `erasing_value` while a batched erasure
    /// runs, so that nobody can use the tenant half-erased.
    pub status_column: Option<String>,
    pub erasing_value: Option<String>,
    /// What to do when retained rows reference the tenant row by a foreign key,
    /// so that it cannot be deleted while they are kept.
    #[serde(default)]
    pub on_retained_references: RetainedReferences,
    /// How the tenant row is minimised when it is kept (`keep_minimised`).
    pub minimised: Option<Minimised>,
}

/// `tenant.on_retained_references`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetainedReferences {
    /// Refuse to plan an erasure while a retained table references the tenant
    /// table: deleting the tenant row would fail at the very end.
    #[default]
    Refuse,
    /// Keep the tenant row, minimised, until the last retained row referencing
    /// it is purged; `retention purge` then deletes it.
    KeepMinimised,
}

/// The tenant row as it is kept under `keep_minimised`: every personal column
/// nulled or overwritten, and the status column marking it erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Minimised {
    /// Personal columns set to NULL.
    #[serde(default)]
    pub null_columns: Vec<String>,
    /// Personal columns that cannot be NULL, overwritten with a placeholder
    /// (bound as a parameter of the column's type, so text columns).
    #[serde(default)]
    pub overwrite: BTreeMap<String, String>,
    /// Written to `tenant.status_column`: marks the row as an erased tenant's.
    pub status_value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdType {
    #[default]
    Uuid,
    Bigint,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableMap {
    pub table: String,
    /// One or more columns naming a tenant (e.g. a share from one tenant to another).
    pub tenant_columns: Vec<String>,
    /// The primary key, for interventions and batched deletion.
    pub key: Vec<String>,
    #[serde(default)]
    pub personal: Vec<String>,
    pub on_erase: OnErase,
    /// For `on_erase: retain`.
    pub retain: Option<Retention>,

    // --- Tenant scope of interventions: ownership, cascades, references ---
    // (kept together at the end so that erasure keys can be added above
    // without touching these lines)
    /// The tenant column that *owns* a row: only the owner may change or
    /// delete it. Defaults to the one tenant column; tables with several must
    /// name it (the others only make the row visible to more tenants).
    #[serde(default)]
    pub owner: Option<String>,
    /// Foreign-key cascades from this table that belong to the owner's rights:
    /// an intervention may let them reach rows of other tenants.
    #[serde(default)]
    pub cascades: Vec<DeclaredCascade>,
    /// Foreign keys of this table that may point at another tenant's row by
    /// design, and how the tenant's right to that reference is proven.
    #[serde(default)]
    pub shared_references: Vec<SharedReference>,

    /// The event stream this table is the projection of (TOM §5): where an
    /// intervention writes its events. `None`: the table has no stream, and an
    /// intervention changes it alone.
    #[serde(default)]
    pub stream: Option<Stream>,
}

/// `stream:` of a table: the platform's event table whose events this table is
/// the current state of, column by column, and the events ltops writes there for
/// an operator's change (README, "The data map").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    /// The event table; a table of the map itself, so that erasure reaches the
    /// events ltops writes.
    pub table: String,
    /// The event table's tenant column (one of its `tenant_columns`).
    pub tenant_column: String,
    /// The column holding the stream id…
    pub stream_column: String,
    /// …which is this column of the projection (a row's stream is its value).
    pub refers_to: String,
    /// The per-stream sequence number (1, 2, …).
    pub seq_column: String,
    pub type_column: String,
    pub payload_column: String,
    /// The initiator of the event.
    pub actor_column: String,
    pub time_column: String,
    /// The event types ltops writes for an operator's change.
    pub types: StreamTypes,
    #[serde(default)]
    pub payload: PayloadFormat,
    /// The initiator as the platform spells actors: a literal prefix that marks
    /// an operator (e.g. `operator:`), then `{user}` (the SSO user), `{kind}`
    /// (`instruction` or `incident`) and `{reference}` (the reason's reference).
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamTypes {
    pub insert: String,
    pub update: String,
    pub delete: String,
}

/// How the payload of an operator's event is built:
/// `{<changes>: {column: {before, after}}, <intervention>: {audit_id, reason}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayloadFormat {
    /// Key of the changed columns, each with its value before and after (as
    /// PostgreSQL renders it; null for a row that did not exist before or after).
    #[serde(default = "default_changes_key")]
    pub changes: String,
    /// Key of the intervention behind the event: the audit id of its intent and
    /// the reason, so that the event and the audit log can be matched.
    #[serde(default = "default_intervention_key")]
    pub intervention: String,
    /// What a deletion event names: `key` (the key columns only: a deletion must
    /// not keep the deleted data alive in the event store; the before-image stays
    /// sealed in the audit log) or `all` (every column's value before).
    #[serde(default)]
    pub deleted: DeletedColumns,
}

impl Default for PayloadFormat {
    fn default() -> PayloadFormat {
        PayloadFormat {
            changes: default_changes_key(),
            intervention: default_intervention_key(),
            deleted: DeletedColumns::default(),
        }
    }
}

fn default_changes_key() -> String {
    "changes".into()
}

fn default_intervention_key() -> String {
    "intervention".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeletedColumns {
    #[default]
    Key,
    All,
}

impl Stream {
    /// The literal start of `actor` that marks an event as an operator's.
    pub fn operator_prefix(&self) -> &str {
        self.actor.split('{').next().unwrap_or("")
    }

    /// The initiator of an operator's event.
    pub fn actor_for(&self, user: &str, kind: &str, reference: &str) -> String {
        self.actor
            .replace("{user}", user)
            .replace("{kind}", kind)
            .replace("{reference}", reference)
    }

    /// Every column of the event table the stream names.
    pub fn columns(&self) -> [&String; 7] {
        [
            &self.tenant_column,
            &self.stream_column,
            &self.seq_column,
            &self.type_column,
            &self.payload_column,
            &self.actor_column,
            &self.time_column,
        ]
    }

    /// Checks the description against the map: `Err((key, message))`, the key
    /// being the one inside `stream:` to point at.
    fn validate(
        &self,
        projection: &TableMap,
        map_tables: &[TableMap],
        canonical: impl Fn(&str) -> (String, String),
    ) -> Result<(), (&'static str, String)> {
        check_table_name(&self.table).map_err(|m| ("table", m))?;
        let Some(events) = map_tables
            .iter()
            .find(|t| canonical(&t.table) == canonical(&self.table))
        else {
            return Err((
                "table",
                format!(
                    "the event table `{}` is not in the data map: list it under `tables:` so that erasure reaches the events",
                    self.table
                ),
            ));
        };
        if canonical(&events.table) == canonical(&projection.table) {
            return Err(("table", "a table cannot be its own event stream".into()));
        }
        if events.stream.is_some() {
            return Err((
                "table",
                format!("the event table `{}` has a stream itself", self.table),
            ));
        }
        if !events.tenant_columns.contains(&self.tenant_column) {
            return Err((
                "tenant_column",
                format!(
                    "`{}` is not one of the tenant_columns of {} ({})",
                    self.tenant_column,
                    events.table,
                    events.tenant_columns.join(", ")
                ),
            ));
        }
        let keys = [
            "tenant_column",
            "stream_column",
            "seq_column",
            "type_column",
            "payload_column",
            "actor_column",
            "time_column",
        ];
        let mut seen = BTreeSet::new();
        for (key, col) in keys.into_iter().zip(self.columns()) {
            check_ident(col).map_err(|m| (key, m))?;
            if !seen.insert(col) {
                return Err((key, format!("`{col}` is named for two roles of the stream")));
            }
        }
        check_ident(&self.refers_to).map_err(|m| ("refers_to", m))?;
        if projection.owner_column().is_none() {
            return Err((
                "table",
                "a table with a stream needs one owning tenant column (`owner`)".into(),
            ));
        }
        self.validate_format()
    }

    fn validate_format(&self) -> Result<(), (&'static str, String)> {
        let t = &self.types;
        for (what, ty) in [
            ("insert", &t.insert),
            ("update", &t.update),
            ("delete", &t.delete),
        ] {
            if ty.trim().is_empty() {
                return Err(("types", format!("the {what} event type is empty")));
            }
        }
        if t.insert == t.update || t.insert == t.delete || t.update == t.delete {
            return Err((
                "types",
                "insert, update and delete need three different event types, or the events cannot be told apart".into(),
            ));
        }
        let p = &self.payload;
        if p.changes.trim().is_empty()
            || p.intervention.trim().is_empty()
            || p.changes == p.intervention
        {
            return Err((
                "payload",
                "`changes` and `intervention` must be two different, non-empty keys".into(),
            ));
        }
        let prefix = self.operator_prefix();
        if prefix.trim().is_empty() {
            return Err((
                "actor",
                format!(
                    "`{}` must start with a fixed prefix (like `operator:`) that marks an operator, so that operator events can be told from the platform's",
                    self.actor
                ),
            ));
        }
        if !self.actor.contains("{user}") || !self.actor.contains("{reference}") {
            return Err((
                "actor",
                format!(
                    "`{}` must name the initiator: `{{user}}` and the reason's `{{reference}}` (and may use `{{kind}}`)",
                    self.actor
                ),
            ));
        }
        let rest = self
            .actor
            .replace("{user}", "")
            .replace("{kind}", "")
            .replace("{reference}", "");
        if rest.contains(['{', '}']) {
            return Err((
                "actor",
                format!(
                    "`{}` has a placeholder other than {{user}}, {{kind}}, {{reference}}",
                    self.actor
                ),
            ));
        }
        Ok(())
    }
}

/// `cascades: [{table: marketplace_members, via: [marketplace_id]}]`: the
/// foreign key of `table` over the columns `via` that points at this table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredCascade {
    pub table: String,
    #[serde(deserialize_with = "one_or_many")]
    pub via: Vec<String>,
}

/// `shared_references: [{columns: [marketplace_id], proof: …}]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedReference {
    /// The referencing columns of the foreign key, as a set.
    #[serde(deserialize_with = "one_or_many")]
    pub columns: Vec<String>,
    pub proof: ReferenceProof,
}

/// Why a reference to another tenant's row is legitimate. In YAML `proof: any`
/// or `proof: {member: {table: T, column: C}}` (serde_yaml 0.9 would otherwise
/// want `!tags` for enums, which nobody types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawProof", into = "RawProof")]
pub enum ReferenceProof {
    /// Any existing row (the foreign key proves it exists): e.g. sharing a
    /// lead with any other tenant.
    Any,
    /// The tenant owns a row of `table` whose `column` holds the referenced
    /// value, and that row existed before the intervention (so it cannot
    /// prove itself): e.g. a membership in the referenced marketplace.
    Member { table: String, column: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum RawProof {
    Word(String),
    Member { member: MemberProof },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberProof {
    table: String,
    column: String,
}

impl TryFrom<RawProof> for ReferenceProof {
    type Error = String;
    fn try_from(raw: RawProof) -> Result<ReferenceProof, String> {
        match raw {
            RawProof::Word(w) if w == "any" => Ok(ReferenceProof::Any),
            RawProof::Word(w) => Err(format!(
                "proof `{w}` is unknown: `any` or `{{member: {{table: T, column: C}}}}`"
            )),
            RawProof::Member { member } => Ok(ReferenceProof::Member {
                table: member.table,
                column: member.column,
            }),
        }
    }
}

impl From<ReferenceProof> for RawProof {
    fn from(p: ReferenceProof) -> RawProof {
        match p {
            ReferenceProof::Any => RawProof::Word("any".into()),
            ReferenceProof::Member { table, column } => RawProof::Member {
                member: MemberProof { table, column },
            },
        }
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl TableMap {
    /// The owning tenant column (see `owner`); `None` when several tenant
    /// columns leave it open.
    pub fn owner_column(&self) -> Option<&str> {
        match (&self.owner, self.tenant_columns.as_slice()) {
            (Some(o), _) => Some(o.as_str()),
            (None, [only]) => Some(only.as_str()),
            (None, _) => None,
        }
    }

    /// The declared cascade over exactly the columns `via` from `table`.
    pub fn declares_cascade(&self, table: &str, via: &[String]) -> bool {
        self.cascades
            .iter()
            .any(|c| c.table == table && same_set(&c.via, via))
    }

    /// The declared shared reference over exactly `columns`.
    pub fn shared_reference(&self, columns: &[String]) -> Option<&SharedReference> {
        self.shared_references
            .iter()
            .find(|r| same_set(&r.columns, columns))
    }

    /// Checks the scope keys of one table entry against the whole map.
    fn validate_scope(&self, tables: &[TableMap]) -> Result<(), String> {
        if let Some(o) = &self.owner {
            check_ident(o)?;
            if !self.tenant_columns.contains(o) {
                return Err(format!("owner `{o}` is not one of its tenant_columns"));
            }
        }
        for c in &self.cascades {
            check_ident(&c.table)?;
            if c.via.is_empty() {
                return Err(format!("cascades: {} names no `via` column", c.table));
            }
            for v in &c.via {
                check_ident(v)?;
            }
        }
        for r in &self.shared_references {
            if r.columns.is_empty() {
                return Err("shared_references: an entry names no column".into());
            }
            for c in &r.columns {
                check_ident(c)?;
            }
            if let ReferenceProof::Member { table, column } = &r.proof {
                check_ident(table)?;
                check_ident(column)?;
                if !tables.iter().any(|t| &t.table == table) {
                    return Err(format!(
                        "shared_references: the proof table `{table}` is not in the data map"
                    ));
                }
            }
        }
        Ok(())
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnErase {
    Delete,
    Retain,
}

/// A statutory retention carve-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// The legal basis, e.g. "§147 AO, §14b UStG, §257 HGB".
    pub basis: String,
    pub years: u32,
    /// The date column the period starts from.
    pub date_column: String,
    /// `end_of_year`: the period starts at the end of the calendar year of the date.
    #[serde(default)]
    pub starts: RetentionStart,
    /// Personal columns not needed for the retention purpose: nulled at erasure.
    #[serde(default)]
    pub null_columns: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionStart {
    #[default]
    EndOfYear,
    Date,
}

#[derive(Debug, thiserror::Error)]
pub enum DataMapError {
    /// A place in the file to fix: `file:line:column: message`.
    #[error(transparent)]
    Located(#[from] Located),
    #[error("cannot read the data map {path} — is `policies` in the config right?")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl DataMap {
    pub fn load(path: &Path) -> Result<DataMap, DataMapError> {
        let text = std::fs::read_to_string(path).map_err(|source| DataMapError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<DataMap, DataMapError> {
        let map: DataMap = serde_yaml::from_str(text).map_err(|e| Located::yaml(path, &e))?;
        map.validate(path, text)?;
        Ok(map)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), DataMapError> {
        let err = |keys: &[&str], message: String| {
            DataMapError::from(Located::key(path, text, keys, message))
        };
        if self.version != 1 {
            return Err(err(
                &["version"],
                format!("version {} is not supported (1 is)", self.version),
            ));
        }
        for ident in [&self.schema, &self.tenant.key] {
            check_ident(ident).map_err(|m| err(&["tenant"], m))?;
        }
        check_table_name(&self.tenant.table).map_err(|m| err(&["tenant", "table"], m))?;
        self.validate_minimised()
            .map_err(|(keys, m)| err(&keys, m))?;
        let tenant_table = self.canonical(&self.tenant.table);
        let mut seen = BTreeSet::new();
        for t in &self.tables {
            let here = |m: String| {
                // Point at the table's entry: its `table:` line.
                let line = entry_line(text, &t.table);
                DataMapError::from(Located::line(path, line, format!("table {}: {m}", t.table)))
            };
            check_table_name(&t.table).map_err(here)?;
            // `leads` and `public.leads` are one table.
            if !seen.insert(self.canonical(&t.table)) {
                return Err(here("listed twice".into()));
            }
            if self.canonical(&t.table) == tenant_table {
                return Err(here("is the tenant table; it goes under `tenant:`".into()));
            }
            if t.tenant_columns.is_empty() {
                return Err(here("names no tenant column".into()));
            }
            if t.key.is_empty() {
                return Err(here("names no key column".into()));
            }
            for c in t.tenant_columns.iter().chain(&t.key).chain(&t.personal) {
                check_ident(c).map_err(here)?;
            }
            t.validate_scope(&self.tables).map_err(here)?;
            if let Some(stream) = &t.stream {
                stream
                    .validate(t, &self.tables, |n| self.canonical(n))
                    .map_err(|(key, m)| {
                        // Point at the key inside this table's `stream:` block.
                        let from = entry_line(text, &t.table).unwrap_or(0);
                        let stream_at = find_line(text, from, |l| l.trim_start() == "stream:");
                        let at = stream_at
                            .and_then(|s| find_line(text, s + 1, |l| value_of(l, key).is_some()))
                            .or(stream_at);
                        DataMapError::from(Located::line(
                            path,
                            at,
                            format!("table {}: stream.{key}: {m}", t.table),
                        ))
                    })?;
            }
            match (t.on_erase, &t.retain) {
                (OnErase::Retain, None) => {
                    return Err(here(
                        "`on_erase: retain` needs a `retain:` section (basis, years, date_column)"
                            .into(),
                    ));
                }
                (OnErase::Delete, Some(_)) => {
                    return Err(here("has `retain:` but `on_erase: delete`".into()));
                }
                (OnErase::Retain, Some(r)) => {
                    check_ident(&r.date_column).map_err(here)?;
                    if r.basis.trim().is_empty() {
                        return Err(here("retain.basis must name the legal basis".into()));
                    }
                    if r.years == 0 || r.years > 30 {
                        return Err(here(format!("retain.years {} is not plausible", r.years)));
                    }
                    for c in &r.null_columns {
                        check_ident(c).map_err(here)?;
                        if !t.personal.contains(c) {
                            return Err(here(format!(
                                "retain.null_columns names `{c}`, which is not in `personal`"
                            )));
                        }
                    }
                }
                (OnErase::Delete, None) => {}
            }
        }
        Ok(())
    }

    /// `tenant.on_retained_references` and `tenant.minimised` agree, and the
    /// minimised row keeps no personal column: each is nulled or overwritten.
    fn validate_minimised(&self) -> Result<(), (Vec<&'static str>, String)> {
        let t = &self.tenant;
        let m = match (t.on_retained_references, &t.minimised) {
            (RetainedReferences::Refuse, None) => return Ok(()),
            (RetainedReferences::Refuse, Some(_)) => {
                return Err((
                    vec!["tenant", "minimised"],
                    "`tenant.minimised` is only used with `on_retained_references: keep_minimised`"
                        .into(),
                ));
            }
            (RetainedReferences::KeepMinimised, None) => {
                return Err((
                    vec!["tenant", "on_retained_references"],
                    "`keep_minimised` needs a `tenant.minimised:` section (null_columns, overwrite, status_value)"
                        .into(),
                ));
            }
            (RetainedReferences::KeepMinimised, Some(m)) => m,
        };
        let here = |m: String| (vec!["tenant", "minimised"], m);
        let Some(status) = &t.status_column else {
            return Err(here(
                "a kept tenant row must be marked erased: `keep_minimised` needs `tenant.status_column`"
                    .into(),
            ));
        };
        check_ident(status).map_err(here)?;
        if m.status_value.trim().is_empty() {
            return Err(here("`status_value` must not be empty".into()));
        }
        let mut listed = BTreeSet::new();
        for c in m.null_columns.iter().chain(m.overwrite.keys()) {
            check_ident(c).map_err(here)?;
            if !t.personal.contains(c) {
                return Err(here(format!(
                    "`{c}` is not in `tenant.personal`; only personal columns are minimised"
                )));
            }
            if !listed.insert(c) {
                return Err(here(format!("`{c}` is both nulled and overwritten")));
            }
        }
        if let Some(c) = t.personal.iter().find(|c| !listed.contains(c)) {
            return Err(here(format!(
                "the personal column `{c}` would stay in the kept tenant row: list it under `null_columns` or `overwrite`"
            )));
        }
        Ok(())
    }

    /// Every column name that marks a tenant somewhere in the map.
    pub fn tenant_column_names(&self) -> BTreeSet<String> {
        self.tables
            .iter()
            .flat_map(|t| t.tenant_columns.iter().cloned())
            .collect()
    }

    /// The map's entry for `name`, bare (in `schema`) or schema-qualified.
    pub fn table(&self, name: &str) -> Option<&TableMap> {
        let want = self.canonical(name);
        self.tables
            .iter()
            .find(|t| self.canonical(&t.table) == want)
    }

    /// (schema, table) of a table name of the map: `other.notes` names its
    /// schema, a bare `notes` lives in `schema`.
    pub fn canonical(&self, table: &str) -> (String, String) {
        match table.split_once('.') {
            Some((s, t)) => (s.to_owned(), t.to_owned()),
            None => (self.schema.clone(), table.to_owned()),
        }
    }

    /// How the map (and every message) names a table: bare in `schema`,
    /// schema-qualified elsewhere.
    pub fn display_name(&self, schema: &str, table: &str) -> String {
        if schema == self.schema {
            table.to_owned()
        } else {
            format!("{schema}.{table}")
        }
    }

    /// `"schema"."table"`, quoted; the schema is the table's own if the map
    /// qualifies it, else `schema`.
    pub fn qualified(&self, table: &str) -> String {
        let (s, t) = self.canonical(table);
        format!("{}.{}", quote_ident(&s), quote_ident(&t))
    }

    /// The retained tables of the map.
    pub fn retained(&self) -> impl Iterator<Item = &TableMap> {
        self.tables.iter().filter(|t| t.on_erase == OnErase::Retain)
    }

    /// The minimised form of the tenant row, when the map keeps it.
    pub fn keeps_tenant_row(&self) -> Option<&Minimised> {
        match self.tenant.on_retained_references {
            RetainedReferences::KeepMinimised => self.tenant.minimised.as_ref(),
            RetainedReferences::Refuse => None,
        }
    }

    /// Validates a tenant id against `tenant.id_type` before it goes anywhere near
    /// SQL (where it is bound as a parameter anyway).
    pub fn check_tenant_id(&self, id: &str) -> Result<(), String> {
        let ok = match self.tenant.id_type {
            IdType::Uuid => uuid::Uuid::parse_str(id).is_ok() && id.len() == 36,
            IdType::Bigint => id.parse::<i64>().is_ok_and(|n| n > 0),
            IdType::Text => {
                (1..=64).contains(&id.len())
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "`{}` is not a tenant id (expected a {} — see `ltops tenant list`)",
                id.escape_debug(),
                match self.tenant.id_type {
                    IdType::Uuid => "UUID like 00000000-0000-4000-8000-000000000001",
                    IdType::Bigint => "positive integer",
                    IdType::Text => "word of letters, digits, - and _",
                }
            ))
        }
    }

    /// Validates a tenant id and puts it in its one canonical form (UUIDs lower
    /// case), so that audit keys, ledger entries and locks all agree on it.
    pub fn normalize_tenant_id(&self, id: &str) -> Result<String, String> {
        self.check_tenant_id(id)?;
        Ok(match self.tenant.id_type {
            IdType::Uuid => uuid::Uuid::parse_str(id)
                .map(|u| u.hyphenated().to_string())
                .map_err(|e| e.to_string())?,
            _ => id.to_owned(),
        })
    }

    /// Parameter `$n` holding a tenant id bound as text, cast to the key's type
    /// (binding text is what lets one code path serve uuid, bigint and text keys).
    pub fn id_param(&self, n: usize) -> String {
        format!("${n}::text::{}", self.id_cast())
    }

    /// The SQL type of tenant ids.
    pub fn id_cast(&self) -> &'static str {
        match self.tenant.id_type {
            IdType::Uuid => "uuid",
            IdType::Bigint => "bigint",
            IdType::Text => "text",
        }
    }
}

/// 1-based line of a `tables:` entry, found by its `- table:` line (an event
/// table named inside a `stream:` is `table:` without the dash).
fn entry_line(text: &str, table: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix("- ")
                .map(str::trim_start)
                .and_then(|l| l.strip_prefix("table:"))
                .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == table)
        })
        .map(|i| i + 1)
}

/// Identifiers come from the map, never from users, but are still checked and
/// always quoted.
fn check_ident(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!("`{s}` is not a plain SQL identifier"))
    }
}

/// A table name of the map: `table` or `schema.table`, each part a plain identifier.
fn check_table_name(s: &str) -> Result<(), String> {
    match s.split_once('.') {
        Some((schema, table)) => check_ident(schema)
            .and_then(|()| check_ident(table))
            .map_err(|_| format!("`{s}` is not a table name (`table` or `schema.table`)")),
        None => check_ident(s),
    }
}

pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Where the map and the live database disagree. Any entry refuses an erasure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SchemaDiff {
    /// Tables with a tenant column that the map does not cover: (table, column);
    /// tables outside `schema` are named `schema.table`.
    pub unmapped: Vec<(String, String)>,
    pub missing_tables: Vec<String>,
    /// (table, column) named by the map but not in the database.
    pub missing_columns: Vec<(String, String)>,
    /// Retained tables with a foreign key to the tenant table, while the map does
    /// not say to keep the tenant row: (table, constraint).
    pub retained_references: Vec<(String, String)>,
}

impl SchemaDiff {
    pub fn is_clean(&self) -> bool {
        self.unmapped.is_empty()
            && self.missing_tables.is_empty()
            && self.missing_columns.is_empty()
            && self.retained_references.is_empty()
    }

    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (t, c) in &self.unmapped {
            out.push(format!(
                "table {t} has the tenant column {c} but is not in the data map"
            ));
        }
        for t in &self.missing_tables {
            out.push(format!(
                "table {t} is in the data map but not in the database"
            ));
        }
        for (t, c) in &self.missing_columns {
            out.push(format!(
                "column {t}.{c} is in the data map but not in the database"
            ));
        }
        for (t, k) in &self.retained_references {
            out.push(format!(
                "retained table {t} references the tenant row (foreign key {k}), so the tenant row cannot be deleted while its rows are kept — set `tenant.on_retained_references: keep_minimised` with a `tenant.minimised:` section in the data map to keep the tenant row minimised until the last retained row is purged (README, \"The data map\"), or drop the foreign key"
            ));
        }
        out
    }
}

/// A foreign key from a retained table of the map to the tenant table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The retained table, as the map names it.
    pub table: String,
    pub constraint: String,
    /// (column of the retained table, column of the tenant table), in key order.
    pub columns: Vec<(String, String)>,
}

/// Schemas whose tables are never platform data: PostgreSQL's own, and ltops's
/// bookkeeping (the audit store, erasure jobs). Every other schema is looked at,
/// because a tenant table in a schema the map does not name is exactly what an
/// erasure would otherwise leave behind.
const USER_SCHEMAS: &str = r"n.nspname NOT IN ('pg_catalog', 'information_schema', 'ltops_audit', 'ltops_erasure')
                AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'";

/// One column pair of a foreign key into the tenant table.
struct FkColumn {
    schema: String,
    table: String,
    constraint: String,
    column: String,
    target: String,
}

/// Every foreign key into the tenant table, from any user schema, column pair by
/// column pair in key order. Partitions are skipped: they inherit their parent's key.
async fn tenant_fks<C: GenericClient>(
    client: &C,
    map: &DataMap,
) -> Result<Vec<FkColumn>, tokio_postgres::Error> {
    let (schema, table) = map.canonical(&map.tenant.table);
    let rows = client
        .query(
            &format!(
                "SELECT n.nspname::text, src.relname::text, k.conname::text, a.attname::text, da.attname::text
                   FROM pg_constraint k
                   JOIN pg_class src ON src.oid = k.conrelid
                   JOIN pg_class dst ON dst.oid = k.confrelid
                   JOIN pg_namespace n ON n.oid = src.relnamespace
                   JOIN pg_namespace dn ON dn.oid = dst.relnamespace
                   JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(src_att, dst_att, i) ON true
                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.src_att
                   JOIN pg_attribute da ON da.attrelid = k.confrelid AND da.attnum = u.dst_att
                  WHERE k.contype = 'f' AND dn.nspname = $1 AND dst.relname = $2
                    AND NOT src.relispartition AND {USER_SCHEMAS}
                  ORDER BY 1, 2, 3, u.i"
            ),
            &[&schema, &table],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| FkColumn {
            schema: r.get(0),
            table: r.get(1),
            constraint: r.get(2),
            column: r.get(3),
            target: r.get(4),
        })
        .collect())
}

/// The foreign keys from retained tables of the map to the tenant table: while
/// such a table keeps rows of an erased tenant, its tenant row cannot go.
pub async fn retained_references<C: GenericClient>(
    client: &C,
    map: &DataMap,
) -> Result<Vec<Reference>, tokio_postgres::Error> {
    let fks = tenant_fks(client, map).await?;
    Ok(references_of(map, &fks))
}

fn references_of(map: &DataMap, fks: &[FkColumn]) -> Vec<Reference> {
    let mut out: Vec<Reference> = Vec::new();
    for fk in fks {
        let name = map.display_name(&fk.schema, &fk.table);
        let Some(t) = map.table(&name).filter(|t| t.on_erase == OnErase::Retain) else {
            continue;
        };
        match out
            .iter_mut()
            .find(|r| r.table == t.table && r.constraint == fk.constraint)
        {
            Some(r) => r.columns.push((fk.column.clone(), fk.target.clone())),
            None => out.push(Reference {
                table: t.table.clone(),
                constraint: fk.constraint.clone(),
                columns: vec![(fk.column.clone(), fk.target.clone())],
            }),
        }
    }
    out
}

/// Compares the map with the live schema — every schema of the database but the
/// system's and ltops's own. A column counts as a tenant column if a foreign key
/// points from it to the tenant table, or if its name is one the map uses for
/// tenant columns anywhere.
pub async fn compare_schema<C: GenericClient>(
    client: &C,
    map: &DataMap,
) -> Result<SchemaDiff, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT n.nspname::text, c.relname::text, a.attname::text
                   FROM pg_attribute a
                   JOIN pg_class c ON c.oid = a.attrelid
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                    AND a.attnum > 0 AND NOT a.attisdropped AND {USER_SCHEMAS}"
            ),
            &[],
        )
        .await?;
    // Keyed by (schema, table), the canonical form of every name in the map.
    let mut columns: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        columns
            .entry((r.get::<_, String>(0), r.get::<_, String>(1)))
            .or_default()
            .insert(r.get::<_, String>(2));
    }
    let fks = tenant_fks(client, map).await?;
    let mut tenant_cols: BTreeSet<((String, String), String)> = fks
        .iter()
        .filter(|f| f.target == map.tenant.key)
        .map(|f| ((f.schema.clone(), f.table.clone()), f.column.clone()))
        .collect();
    let names = map.tenant_column_names();
    for (table, cols) in &columns {
        for c in cols {
            if names.contains(c) {
                tenant_cols.insert((table.clone(), c.clone()));
            }
        }
    }
    let tenant_table = map.canonical(&map.tenant.table);
    let mut diff = SchemaDiff::default();
    for ((schema, table), col) in tenant_cols {
        if (&schema, &table) == (&tenant_table.0, &tenant_table.1) {
            continue;
        }
        let name = map.display_name(&schema, &table);
        let covered = map
            .table(&name)
            .is_some_and(|t| t.tenant_columns.contains(&col));
        if !covered {
            diff.unmapped.push((name, col));
        }
    }
    let mut check_cols = |table: &str, cols: Vec<&String>| match columns.get(&map.canonical(table))
    {
        None => diff.missing_tables.push(table.to_owned()),
        Some(have) => {
            for c in cols {
                if !have.contains(c) {
                    diff.missing_columns.push((table.to_owned(), c.clone()));
                }
            }
        }
    };
    let mut tenant_cols_needed = vec![&map.tenant.key];
    tenant_cols_needed.extend(&map.tenant.personal);
    tenant_cols_needed.extend(map.tenant.status_column.as_ref());
    check_cols(&map.tenant.table, tenant_cols_needed);
    for t in &map.tables {
        let mut cols: Vec<&String> = t
            .tenant_columns
            .iter()
            .chain(&t.key)
            .chain(&t.personal)
            .collect();
        if let Some(r) = &t.retain {
            cols.push(&r.date_column);
        }
        if let Some(s) = &t.stream {
            cols.push(&s.refers_to);
        }
        check_cols(&t.table, cols);
        if let Some(s) = &t.stream {
            check_cols(&s.table, s.columns().to_vec());
        }
    }
    if map.keeps_tenant_row().is_none() {
        diff.retained_references = references_of(map, &fks)
            .into_iter()
            .map(|r| (r.table, r.constraint))
            .collect();
    }
    Ok(diff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_map() -> DataMap {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/datamap.yaml");
        DataMap::load(&path).unwrap()
    }

    #[test]
    fn the_committed_map_is_valid() {
        let m = repo_map();
        assert!(m.tables.iter().any(|t| t.tenant_columns.len() == 2));
        assert!(m.tables.iter().any(|t| t.on_erase == OnErase::Retain));
    }

    #[test]
    fn errors_are_located() {
        let p = Path::new("datamap.yaml");
        let e = DataMap::parse(
            p,
            "version: 1\ntenant:\n  table: t\n  key: id\n  colour: red\ntables: []\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("datamap.yaml:5:3:"), "{e}");
        let e = DataMap::parse(
            p,
            "version: 1\ntenant:\n  table: t\n  key: id\ntables:\n  - table: a\n    tenant_columns: [tenant_id]\n    key: [id]\n    on_erase: retain\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("datamap.yaml:6:1: table a:"),
            "{e}"
        );
        let e = DataMap::parse(
            p,
            "version: 1\ntenant:\n  table: t\n  key: id\ntables:\n  - table: \"a; drop table x\"\n    tenant_columns: [tenant_id]\n    key: [id]\n    on_erase: delete\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("not a plain SQL identifier"), "{e}");
    }

    #[test]
    fn tenant_ids_are_validated() {
        let m = repo_map();
        assert!(
            m.check_tenant_id("00000000-0000-4000-8000-000000000001")
                .is_ok()
        );
        for bad in [
            "1",
            "x' OR '1'='1",
            "00000000-0000-4000-8000-00000000000g",
            "",
        ] {
            assert!(m.check_tenant_id(bad).is_err(), "{bad}");
        }
    }

    const KEEP: &str = "version: 1\ntenant:\n  table: t\n  key: id\n  personal: [name, email]\n  status_column: status\n  on_retained_references: keep_minimised\n";

    #[test]
    fn keep_minimised_needs_every_personal_column_minimised() {
        let p = Path::new("datamap.yaml");
        let tail = "tables: []\n";
        let e = DataMap::parse(p, &format!("{KEEP}{tail}")).unwrap_err();
        assert!(e.to_string().contains("needs a `tenant.minimised:`"), "{e}");
        let e = DataMap::parse(
            p,
            &format!(
                "{KEEP}  minimised:\n    null_columns: [email]\n    status_value: erased\n{tail}"
            ),
        )
        .unwrap_err();
        assert!(e.to_string().contains("`name` would stay"), "{e}");
        let m = DataMap::parse(
            p,
            &format!("{KEEP}  minimised:\n    null_columns: [email]\n    overwrite: {{name: \"[erased]\"}}\n    status_value: erased\n{tail}"),
        )
        .unwrap();
        assert_eq!(m.keeps_tenant_row().unwrap().status_value, "erased");
        let e = DataMap::parse(
            p,
            "version: 1\ntenant:\n  table: t\n  key: id\n  minimised:\n    status_value: x\ntables: []\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("only used with"), "{e}");
    }

    #[test]
    fn tables_may_be_schema_qualified() {
        let p = Path::new("datamap.yaml");
        let m = DataMap::parse(
            p,
            "version: 1\ntenant:\n  table: t\n  key: id\ntables:\n  - table: other.notes\n    tenant_columns: [tenant_id]\n    key: [id]\n    on_erase: delete\n",
        )
        .unwrap();
        assert_eq!(m.qualified("other.notes"), "\"other\".\"notes\"");
        assert_eq!(m.qualified("leads"), "\"public\".\"leads\"");
        assert_eq!(m.display_name("other", "notes"), "other.notes");
        assert_eq!(m.display_name("public", "t"), "t");
        assert!(m.table("other.notes").is_some() && m.table("notes").is_none());
        for bad in ["a.b.c", ".notes", "other."] {
            let e = DataMap::parse(
                p,
                &format!("version: 1\ntenant:\n  table: t\n  key: id\ntables:\n  - table: \"{bad}\"\n    tenant_columns: [tenant_id]\n    key: [id]\n    on_erase: delete\n"),
            )
            .unwrap_err();
            assert!(e.to_string().contains("is not a table name"), "{bad}: {e}");
        }
        // `public.t` and `t` are the same table: listed twice.
        let e = DataMap::parse(
            p,
            "version: 1\ntenant:\n  table: t\n  key: id\ntables:\n  - table: a\n    tenant_columns: [x]\n    key: [id]\n    on_erase: delete\n  - table: public.a\n    tenant_columns: [x]\n    key: [id]\n    on_erase: delete\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
    }

    #[test]
    fn scope_keys_are_read_and_checked() {
        let m = repo_map();
        let shares = m.table("lead_shares").unwrap();
        assert_eq!(shares.owner_column(), Some("from_tenant_id"));
        assert_eq!(m.table("leads").unwrap().owner_column(), Some("tenant_id"));
        let markets = m.table("marketplaces").unwrap();
        assert!(markets.declares_cascade("marketplace_members", &["marketplace_id".into()]));
        let members = m.table("marketplace_members").unwrap();
        assert!(matches!(
            members
                .shared_reference(&["marketplace_id".into()])
                .unwrap()
                .proof,
            ReferenceProof::Member { .. }
        ));
        let p = Path::new("datamap.yaml");
        let e = DataMap::parse(
            p,
            "version: 1\ntenant:\n  table: t\n  key: id\ntables:\n  - table: a\n    tenant_columns: [x, y]\n    key: [id]\n    on_erase: delete\n    owner: z\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("owner `z`"), "{e}");
    }

    /// A map with `events` as the stream of `items`; `stream` replaces keys of
    /// the stream block (one `key: value` line each).
    fn streamed(stream: &[(&str, &str)]) -> String {
        let mut keys: Vec<(String, String)> = [
            ("table", "events"),
            ("tenant_column", "firm"),
            ("stream_column", "item"),
            ("refers_to", "id"),
            ("seq_column", "nr"),
            ("type_column", "kind"),
            ("payload_column", "data"),
            ("actor_column", "who"),
            ("time_column", "at"),
            ("types", "{insert: Added, update: Fixed, delete: Removed}"),
            ("actor", "\"staff/{user}/{reference}\""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in stream {
            match keys.iter_mut().find(|(have, _)| have == k) {
                Some(e) => e.1 = v.to_string(),
                None => keys.push((k.to_string(), v.to_string())),
            }
        }
        let block: String = keys
            .iter()
            .map(|(k, v)| format!("      {k}: {v}\n"))
            .collect();
        format!(
            "version: 1\ntenant:\n  table: firms\n  key: id\ntables:\n  - table: events\n    tenant_columns: [firm]\n    key: [id]\n    on_erase: delete\n  - table: items\n    tenant_columns: [firm]\n    key: [id]\n    on_erase: delete\n    stream:\n{block}"
        )
    }

    #[test]
    fn a_stream_is_described_column_by_column() {
        let m = repo_map();
        let s = m.table("leads").unwrap().stream.as_ref().unwrap();
        assert_eq!(s.table, "lead_events");
        assert_eq!(s.operator_prefix(), "operator:");
        assert_eq!(s.payload.deleted, DeletedColumns::Key);
        assert!(m.table("lead_events").unwrap().stream.is_none());
        let p = Path::new("datamap.yaml");
        let m = DataMap::parse(p, &streamed(&[])).unwrap();
        let s = m.table("items").unwrap().stream.as_ref().unwrap();
        assert_eq!(s.columns()[0], "firm");
        assert_eq!(s.payload, PayloadFormat::default());
        assert_eq!(s.actor_for("a@b", "incident", "INC-1"), "staff/a@b/INC-1");
    }

    #[test]
    fn a_wrong_stream_is_located() {
        let p = Path::new("datamap.yaml");
        for (keys, line, needle) in [
            (vec![("table", "nowhere")], 15, "not in the data map"),
            (vec![("table", "items")], 15, "its own event stream"),
            (
                vec![("tenant_column", "tenant_id")],
                16,
                "not one of the tenant_columns",
            ),
            (vec![("seq_column", "item")], 19, "two roles"),
            (
                vec![("type_column", "\"a b\"")],
                20,
                "not a plain SQL identifier",
            ),
            (
                vec![("types", "{insert: A, update: A, delete: B}")],
                24,
                "three different",
            ),
            (
                vec![("actor", "\"{user}/{reference}\"")],
                25,
                "fixed prefix",
            ),
            (vec![("actor", "\"staff/{user}\"")], 25, "{reference}"),
            (
                vec![("actor", "\"staff/{user}/{reference}/{ip}\"")],
                25,
                "placeholder",
            ),
            (
                vec![("payload", "{changes: x, intervention: x}")],
                26,
                "two different",
            ),
        ] {
            let e = DataMap::parse(p, &streamed(&keys)).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("datamap.yaml:{line}:1: table items: stream.")),
                "{keys:?}: {e}"
            );
            assert!(e.contains(needle), "{keys:?}: {e}");
        }
        // Unknown keys in the block are YAML errors with their place.
        let e = DataMap::parse(p, &streamed(&[("colour", "red")]))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("datamap.yaml:"), "{e}");
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
