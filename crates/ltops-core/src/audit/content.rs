//! The `content` of audit events, typed: one struct per action and phase, so
//! that what a command writes and what the ledger, the TOM checks and `intervene
//! list` read back are the same fields by construction. Field names and order
//! are those the log has always had — the hash covers them, so an old log must
//! still parse and a new one must still verify with `scripts/verify-audit.py`.
//! Nested parts that belong to another module's report (restore settings, checks)
//! stay JSON values here: the audit record keeps what that module reported.
//!
//! Readers never use `deny_unknown_fields`: the store adds `sealed` (the
//! encrypted personal part) to the content of any event.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::event::Event;

/// Reads an event's content as `T`; the error names the event.
pub fn parse<T: DeserializeOwned>(event: &Event) -> Result<T, ContentError> {
    T::deserialize(&event.content).map_err(|e| ContentError {
        seq: event.seq,
        action: event.action.clone(),
        detail: e.to_string(),
    })
}

/// The content as written: a JSON object in the struct's field order.
pub fn to_value<T: Serialize>(content: &T) -> Value {
    // Serialising these plain structs cannot fail; an empty object would still
    // be recorded rather than dropping the event.
    serde_json::to_value(content).unwrap_or_else(|_| Value::Object(Default::default()))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit seq {seq} ({action}): unexpected content: {detail}")]
pub struct ContentError {
    pub seq: u64,
    pub action: String,
    pub detail: String,
}

/// A JSON object whose keys keep the order they were written in. Some contents
/// list their keys in the writer's order — tables in the order erasure deletes
/// from them, statuses in catalogue order — and the hash covers that order, so
/// a `BTreeMap` (which sorts) would change what is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> FromIterator<(String, T)> for Ordered<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> Self {
        Ordered(iter.into_iter().collect())
    }
}

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Entries<T> {
            type Value = Ordered<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered<T>, A::Error> {
                let mut entries = Vec::with_capacity(m.size_hint().unwrap_or(0));
                while let Some(entry) = m.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }

        d.deserialize_map(Entries(PhantomData))
    }
}

/// The outcome of any action that failed or was aborted (Ctrl-C, a crash closed
/// by a later run): what went wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub error: String,
}

// ---- tenant.erase ----------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EraseMode {
    Single,
    Batched,
}

/// Rows planned per table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    pub delete: i64,
    pub retain: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EraseIntent {
    pub mode: EraseMode,
    /// The intent id of the interrupted batched erasure this one continues.
    pub resumes: Option<String>,
    /// Per table, in the order erasure deletes from them.
    pub planned: Ordered<Planned>,
}

/// Rows per table as the erasure left them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCounts {
    #[serde(default)]
    pub deleted: i64,
    #[serde(default)]
    pub nulled: i64,
    #[serde(default)]
    pub retained: i64,
}

/// The `ok` outcome of `tenant.erase`: what the erasure ledger is made of. Every
/// field has a default, because a ledger that drops an erasure it cannot fully
/// read would let a restore bring the tenant back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EraseOutcome {
    pub mode: EraseMode,
    #[serde(default)]
    pub batches: i64,
    #[serde(default)]
    pub tables: BTreeMap<String, TableCounts>,
    #[serde(default)]
    pub tenant_row_deleted: bool,
    /// The tenant row is kept minimised while retained rows reference it.
    #[serde(default)]
    pub tenant_row_kept_minimised: bool,
    /// Until when (the last referencing row's retention end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_row_kept_until: Option<String>,
    #[serde(default)]
    pub verified: bool,
    /// False when the tenant had no key: there was nothing to destroy.
    #[serde(default)]
    pub audit_key_destroyed: bool,
    #[serde(default)]
    pub audit_key_existed: bool,
}

// ---- retention.purge -------------------------------------------------------

/// Rows of one tenant's table: due for purging (intent) or purged (outcome).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRows {
    pub tenant: String,
    pub table: String,
    pub rows: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeIntent {
    /// The day the retention periods were measured against (YYYY-MM-DD).
    pub today: String,
    pub due: Vec<TableRows>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeOutcome {
    pub deleted: Vec<TableRows>,
}

// ---- restore.run -----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreSource {
    /// `cluster` or `instance`.
    pub kind: Value,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreIntent {
    pub source: RestoreSource,
    pub target: String,
    pub restore_time: String,
    /// The source's settings the copy is created with, as the restore plan has them.
    pub settings: Value,
    /// Tenants whose erasures are re-applied to the copy.
    pub reapply: Vec<String>,
}

/// The `ok` outcome of `restore.run`. With `--no-wait` only `started` and
/// `waited` are written, so the rest are absent then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreOutcome {
    pub started: bool,
    pub waited: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reapplied: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<Value>,
}

// ---- restore.reapply-erasures ----------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReapplyIntent {
    pub target: String,
    pub tenants: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReapplyOutcome {
    /// Per tenant, as the restore module reported the re-application.
    pub reapplied: Value,
}

// ---- intervene.* -----------------------------------------------------------

/// What an intervention was about to do. Its statement is personal data and
/// goes into the sealed part, not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterveneIntent {
    /// How it was asked for: `set`, `delete` or `sql`.
    pub form: String,
    /// `INSERT`, `UPDATE` or `DELETE`.
    pub operation: String,
    pub table: String,
    /// Every table the statement touches.
    pub tables: Vec<String>,
    /// The columns `--set` assigns; absent for other forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    pub max_rows: u64,
    pub atomic: bool,
}

/// How an intervention ended. One struct for all its endings, each writing only
/// its own fields, in this order:
/// committed — operation, table, rows, the count again under the operation's
/// past tense, columns, committed, atomic; nothing to do — rows, committed;
/// dry run — dry_run, rows, committed; refused — error with at_least and
/// max_rows, or with missing; failed — error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterveneOutcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Refused over the row limit: at least this many rows matched…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<u64>,
    /// …and this was the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<u64>,
    /// Refused: this many named rows were not found for the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<u64>,
    /// A dry run: the rows were previewed and rolled back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    // The row count under the operation's past tense: only one of these is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inserted: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atomic: Option<bool>,
    /// Rows the database changed because of the statement (foreign-key
    /// actions), beyond `rows`; their images are recorded with the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collateral: Option<u64>,
    /// Tenants other than the acting one whose rows a declared cascade reached
    /// (tenant ids, not personal data): the change is theirs to know of too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_tenants: Option<Vec<String>>,
    /// Events written to the platform's event store with the change (tables
    /// with a stream in the data map), each carrying the intent's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
}

// ---- inspect ---------------------------------------------------------------

/// What a read of customer data was about to read. Its statement may name
/// personal data (a filter value) and goes into the sealed part, not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectIntent {
    /// How it was asked for: `rows` or `sql`.
    pub form: String,
    /// The table of the structured form; absent for SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Every table the statement reads.
    pub tables: Vec<String>,
    /// The result's columns by origin (`leads.email`), or `(computed, column N)`;
    /// their names (the operator's aliases) are sealed with the statement.
    pub columns: Vec<String>,
    /// Columns shown masked (personal by the data map, or computed from personal data).
    pub masked: Vec<String>,
    /// Personal columns shown in clear (`--reveal`).
    pub revealed: Vec<String>,
    pub max_rows: u64,
}

/// How a read ended: the number of rows shown (never their values), whether
/// more were there, what was revealed; or the error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectOutcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// More rows matched than the row cap let through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revealed: Option<Vec<String>>,
}

// ---- tom.check, tom.report, tom.attest -------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TomCheckIntent {
    /// How many controls were selected.
    pub controls: u64,
    pub section: Option<u64>,
    pub control: Option<String>,
}

/// The `ok` outcome of `tom.check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TomCheckOutcome {
    /// Controls per status (`PASS`, `FAIL`, …), in the order of the statuses.
    pub totals: Ordered<u64>,
    pub findings: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TomReportIntent {
    pub out: String,
    pub controls: u64,
}

/// The `ok` outcome of `tom.report`: the filed annual report and its witness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TomReportOutcome {
    pub report: String,
    pub json: String,
    pub sha256: String,
    pub json_sha256: String,
    pub totals: Ordered<u64>,
    pub findings: bool,
    /// The audit head the report names, as `SEQ:HASH`.
    pub witness: Option<String>,
}

/// What an attestation says (the intent of `tom.attest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TomAttestIntent {
    pub controls: Vec<String>,
    /// Text or URL of the evidence (a protocol, a photo, a signed list).
    pub evidence: String,
    pub attested_by: String,
    pub attested_at: String,
    pub valid_until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TomAttestOutcome {
    pub attested: u64,
}

// ---- audit.init, audit.record ----------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditInitIntent {
    pub store: String,
    /// Roles granted access (postgres store only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditInitOutcome {
    pub created: bool,
}

/// What `audit record` documents. With a tenant the detail is personal data and
/// sealed instead, and this is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecordIntent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecordOutcome {
    pub documented: bool,
}

// ---- approvals ---------------------------------------------------------------

/// The intent of `approval.request` (a plan waiting for a second person) and
/// of `approval.break-glass` (a plan that ran without one during an incident,
/// to be approved afterwards). The plan's personal parts (an intervention's
/// statement) are sealed under the tenant key, not written here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequestIntent {
    /// The command whose plan it is, as in `approvals.<command>`.
    pub command: String,
    /// SHA-256 of the canonical JSON of the plan's essential parts.
    pub digest: String,
    /// The plan's essential parts that are not personal data.
    pub plan: Value,
    /// What a preview inside the work added to the plan (rows per table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<Value>,
    /// Approvals the policy required when it was recorded.
    pub required: u32,
}

/// The intent of `approval.approve` and `approval.deny`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalDecisionIntent {
    /// The event id of the request (or break-glass record) decided on.
    pub request: String,
    pub request_seq: u64,
    pub command: String,
    /// The digest the approver saw; a use must present the same.
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Approvals only: until when it may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

/// The outcome of a request, break-glass record or decision: it is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecorded {
    pub recorded: bool,
}

/// Added to a gated mutation's intent content under [`APPROVAL_KEY`]: the
/// approval it uses, or the break-glass record it ran under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalUse {
    pub request: String,
    pub request_seq: u64,
    pub digest: String,
    #[serde(default)]
    pub break_glass: bool,
}

/// The key of [`ApprovalUse`] in a mutation's intent content.
pub const APPROVAL_KEY: &str = "approval";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The typed content writes exactly the text the `json!` literal wrote.
    fn same<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(typed: T, old: Value) {
        assert_eq!(to_value(&typed).to_string(), old.to_string());
        let back: T = serde_json::from_value(old).unwrap();
        assert_eq!(back, typed);
    }

    #[test]
    fn erase_content_is_written_as_before() {
        same(
            EraseIntent {
                mode: EraseMode::Batched,
                resumes: None,
                // Erasure order (children first), not alphabetical: written as planned.
                planned: Ordered(vec![
                    (
                        "leads".into(),
                        Planned {
                            delete: 3,
                            retain: 0,
                        },
                    ),
                    (
                        "invoices".into(),
                        Planned {
                            delete: 1,
                            retain: 2,
                        },
                    ),
                ]),
            },
            json!({"mode": "batched", "resumes": null, "planned": {"leads": {"delete": 3, "retain": 0}, "invoices": {"delete": 1, "retain": 2}}}),
        );
        same(
            EraseOutcome {
                mode: EraseMode::Single,
                batches: 1,
                tables: BTreeMap::from([(
                    "leads".into(),
                    TableCounts {
                        deleted: 3,
                        nulled: 0,
                        retained: 1,
                    },
                )]),
                tenant_row_deleted: true,
                tenant_row_kept_minimised: false,
                tenant_row_kept_until: None,
                verified: true,
                audit_key_destroyed: true,
                audit_key_existed: false,
            },
            json!({
                "mode": "single",
                "batches": 1,
                "tables": {"leads": {"deleted": 3, "nulled": 0, "retained": 1}},
                "tenant_row_deleted": true,
                "tenant_row_kept_minimised": false,
                "verified": true,
                "audit_key_destroyed": true,
                "audit_key_existed": false,
            }),
        );
    }

    #[test]
    fn every_ending_of_an_intervention_is_written_as_before() {
        same(
            InterveneOutcome {
                operation: Some("UPDATE".into()),
                table: Some("leads".into()),
                rows: Some(1),
                updated: Some(1),
                columns: Some(vec!["status".into()]),
                committed: Some(true),
                atomic: Some(true),
                ..Default::default()
            },
            json!({"operation": "UPDATE", "table": "leads", "rows": 1, "updated": 1, "columns": ["status"], "committed": true, "atomic": true}),
        );
        same(
            InterveneOutcome {
                rows: Some(0),
                committed: Some(false),
                ..Default::default()
            },
            json!({"rows": 0, "committed": false}),
        );
        same(
            InterveneOutcome {
                dry_run: Some(true),
                rows: Some(2),
                committed: Some(false),
                ..Default::default()
            },
            json!({"dry_run": true, "rows": 2, "committed": false}),
        );
        same(
            InterveneOutcome {
                error: Some("refused: named rows not found for the tenant".into()),
                missing: Some(1),
                ..Default::default()
            },
            json!({"error": "refused: named rows not found for the tenant", "missing": 1}),
        );
        same(
            InterveneOutcome {
                error: Some("COMMIT failed: x".into()),
                ..Default::default()
            },
            json!({"error": "COMMIT failed: x"}),
        );
        same(
            InterveneIntent {
                form: "set".into(),
                operation: "UPDATE".into(),
                table: "leads".into(),
                tables: vec!["leads".into()],
                columns: Some(vec!["status".into()]),
                max_rows: 1,
                atomic: true,
            },
            json!({"form": "set", "operation": "UPDATE", "table": "leads", "tables": ["leads"], "columns": ["status"], "max_rows": 1, "atomic": true}),
        );
        same(
            InterveneOutcome {
                error: Some("refused: more rows than the limit".into()),
                at_least: Some(6),
                max_rows: Some(5),
                ..Default::default()
            },
            json!({"error": "refused: more rows than the limit", "at_least": 6, "max_rows": 5}),
        );
        same(
            InterveneIntent {
                form: "sql".into(),
                operation: "DELETE".into(),
                table: "leads".into(),
                tables: vec!["leads".into()],
                columns: None,
                max_rows: 5,
                atomic: false,
            },
            json!({"form": "sql", "operation": "DELETE", "table": "leads", "tables": ["leads"], "max_rows": 5, "atomic": false}),
        );
    }

    #[test]
    fn tom_and_audit_content_is_written_as_before() {
        same(
            TomCheckIntent {
                controls: 3,
                section: None,
                control: Some("TOM-2.1".into()),
            },
            json!({"controls": 3, "section": null, "control": "TOM-2.1"}),
        );
        same(
            TomAttestIntent {
                controls: vec!["TOM-1.1".into()],
                evidence: "protocol".into(),
                attested_by: "dora".into(),
                attested_at: "2026-11-27T10:00:00Z".into(),
                valid_until: "2027-11-27T10:00:00Z".into(),
            },
            crate::tom::attest::content(
                &["TOM-1.1".into()],
                "protocol",
                "dora",
                "2026-11-27T10:00:00Z".parse().unwrap(),
                "2027-11-27T10:00:00Z".parse().unwrap(),
            ),
        );
        same(
            AuditInitIntent {
                store: "file x".into(),
                grant: None,
            },
            json!({"store": "file x"}),
        );
        same(AuditRecordIntent::default(), json!({}));
        same(
            RestoreOutcome {
                started: true,
                waited: false,
                status: None,
                reapplied: None,
                checks: None,
            },
            json!({"started": true, "waited": false}),
        );
        same(
            PurgeIntent {
                today: "2031-01-01".into(),
                due: vec![TableRows {
                    tenant: "t".into(),
                    table: "invoices".into(),
                    rows: 2,
                }],
            },
            json!({"today": "2031-01-01", "due": [{"tenant": "t", "table": "invoices", "rows": 2}]}),
        );
    }

    #[test]
    fn failures_and_purges_are_written_as_before() {
        same(
            Failure {
                error: "interrupted (Ctrl-C)".into(),
            },
            json!({"error": "interrupted (Ctrl-C)"}),
        );
        same(
            PurgeOutcome {
                deleted: vec![TableRows {
                    tenant: "t".into(),
                    table: "invoices".into(),
                    rows: 2,
                }],
            },
            json!({"deleted": [{"tenant": "t", "table": "invoices", "rows": 2}]}),
        );
    }

    #[test]
    fn restores_are_written_as_before() {
        same(
            RestoreIntent {
                source: RestoreSource {
                    kind: json!("cluster"),
                    id: "prod".into(),
                },
                target: "prod-restore".into(),
                restore_time: "2026-11-27T10:00:00Z".into(),
                settings: json!({"subnet_group": "s"}),
                reapply: vec!["t".into()],
            },
            json!({"source": {"kind": "cluster", "id": "prod"}, "target": "prod-restore", "restore_time": "2026-11-27T10:00:00Z", "settings": {"subnet_group": "s"}, "reapply": ["t"]}),
        );
        same(
            RestoreOutcome {
                started: true,
                waited: true,
                status: Some("available".into()),
                reapplied: Some(json!([])),
                checks: Some(json!([])),
            },
            json!({"started": true, "waited": true, "status": "available", "reapplied": [], "checks": []}),
        );
        same(
            ReapplyIntent {
                target: "prod-restore".into(),
                tenants: vec!["t".into()],
            },
            json!({"target": "prod-restore", "tenants": ["t"]}),
        );
        same(
            ReapplyOutcome {
                reapplied: json!([{"tenant": "t"}]),
            },
            json!({"reapplied": [{"tenant": "t"}]}),
        );
    }

    #[test]
    fn tom_reviews_are_written_as_before() {
        // Statuses in catalogue order (PASS before FAIL), not alphabetical.
        let totals = Ordered(vec![
            ("PASS".into(), 3),
            ("FAIL".into(), 1),
            ("ERROR".into(), 0),
        ]);
        same(
            TomCheckOutcome {
                totals: totals.clone(),
                findings: true,
            },
            json!({"totals": {"PASS": 3, "FAIL": 1, "ERROR": 0}, "findings": true}),
        );
        same(
            TomReportIntent {
                out: "tom-2026.md".into(),
                controls: 40,
            },
            json!({"out": "tom-2026.md", "controls": 40}),
        );
        same(
            TomReportOutcome {
                report: "tom-2026.md".into(),
                json: "tom-2026.json".into(),
                sha256: "aa".into(),
                json_sha256: "bb".into(),
                totals,
                findings: true,
                witness: Some("7:cc".into()),
            },
            json!({"report": "tom-2026.md", "json": "tom-2026.json", "sha256": "aa", "json_sha256": "bb", "totals": {"PASS": 3, "FAIL": 1, "ERROR": 0}, "findings": true, "witness": "7:cc"}),
        );
        same(TomAttestOutcome { attested: 2 }, json!({"attested": 2}));
    }

    #[test]
    fn audit_inits_and_records_are_written_as_before() {
        same(
            AuditInitIntent {
                store: "postgres ltops_audit".into(),
                grant: Some(vec!["ops".into()]),
            },
            json!({"store": "postgres ltops_audit", "grant": ["ops"]}),
        );
        same(AuditInitOutcome { created: true }, json!({"created": true}));
        same(
            AuditRecordIntent {
                detail: Some("rotated the key".into()),
            },
            json!({"detail": "rotated the key"}),
        );
        same(
            AuditRecordOutcome { documented: true },
            json!({"documented": true}),
        );
    }

    #[test]
    fn the_reader_ignores_the_sealed_part_and_names_a_bad_event() {
        let mut e = crate::audit::verify::tests::chain(1).remove(0);
        e.action = "tom.attest".into();
        e.content = json!({"attested": 2, "sealed": {"tenant": "t"}});
        assert_eq!(
            parse::<TomAttestOutcome>(&e).unwrap(),
            TomAttestOutcome { attested: 2 }
        );
        e.content = json!({"attested": "two"});
        let err = parse::<TomAttestOutcome>(&e).unwrap_err();
        assert!(
            err.to_string().starts_with("audit seq 1 (tom.attest)"),
            "{err}"
        );
    }
}
