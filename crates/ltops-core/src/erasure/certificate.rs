//! The erasure certificate for the customer: what was deleted and what was kept
//! (on which legal basis, until when), who did it on whose instruction, the
//! verification result, whether the tenant's audit key was destroyed, and the
//! audit event that proves it.

use serde::Serialize;

use super::plan::Plan;
use super::run::Outcome;

#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    pub schema_version: u32,
    pub tenant: String,
    pub instruction: String,
    pub executed_by: String,
    pub executed_by_arn: String,
    pub completed_at: String,
    pub tables: Vec<CertificateTable>,
    pub verified: bool,
    /// The tenant row, when it was kept minimised instead of deleted.
    pub tenant_row_kept: Option<KeptTenantRow>,
    /// False: the tenant had no audit key, so there was nothing to destroy.
    pub audit_key_destroyed: bool,
    pub audit_seq: u64,
    pub audit_hash: String,
}

/// The tenant row kept, minimised, because retained rows reference it.
#[derive(Debug, Clone, Serialize)]
pub struct KeptTenantRow {
    pub referenced_by: Vec<String>,
    /// Personal columns nulled or overwritten.
    pub minimised_columns: Vec<String>,
    pub status: String,
    /// From this day on `retention purge` deletes it.
    pub until: Option<String>,
}

/// The kept tenant row of an erasure, if it kept one.
pub fn kept_tenant_row(
    map: &crate::datamap::DataMap,
    plan: &Plan,
    outcome: &Outcome,
) -> Option<KeptTenantRow> {
    let m = map
        .keeps_tenant_row()
        .filter(|_| outcome.tenant_row_kept_minimised)?;
    Some(KeptTenantRow {
        referenced_by: plan.tenant_row.referenced_by.clone(),
        minimised_columns: m
            .null_columns
            .iter()
            .chain(m.overwrite.keys())
            .cloned()
            .collect(),
        status: m.status_value.clone(),
        until: plan.tenant_row.kept_until.map(|d| d.to_string()),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateTable {
    pub table: String,
    pub deleted: i64,
    pub retained: i64,
    pub legal_basis: Option<String>,
    pub nulled_columns: Vec<String>,
    pub purge_from: Option<String>,
    pub purge_until: Option<String>,
}

pub fn tables(plan: &Plan, outcome: &Outcome) -> Vec<CertificateTable> {
    let mut out: Vec<CertificateTable> = plan
        .tables
        .iter()
        .map(|t| {
            let r = outcome.tables.get(&t.table);
            CertificateTable {
                table: t.table.clone(),
                deleted: r.map_or(t.delete, |r| r.deleted),
                retained: t.retain,
                legal_basis: t.retention.as_ref().map(|x| x.basis.clone()),
                nulled_columns: t
                    .retention
                    .as_ref()
                    .map(|x| x.nulled_columns.clone())
                    .unwrap_or_default(),
                purge_from: t
                    .retention
                    .as_ref()
                    .and_then(|x| x.purge_from.map(|d| d.to_string())),
                purge_until: t
                    .retention
                    .as_ref()
                    .and_then(|x| x.purge_until.map(|d| d.to_string())),
            }
        })
        .collect();
    let kept = outcome.tenant_row_kept_minimised;
    let until = plan
        .tenant_row
        .kept_until
        .filter(|_| kept)
        .map(|d| d.to_string());
    out.push(CertificateTable {
        table: plan.tenant_table.clone(),
        deleted: i64::from(outcome.tenant_row_deleted),
        retained: i64::from(kept),
        legal_basis: kept.then(|| {
            format!(
                "minimiert aufbewahrt, solange aufbewahrte Zeilen in {0} darauf verweisen / kept minimised while retained rows in {0} reference it",
                plan.tenant_row.referenced_by.join(", ")
            )
        }),
        nulled_columns: Vec::new(),
        purge_from: until.clone(),
        purge_until: until,
    });
    out
}

/// A certificate that could not be written where the admin asked for it.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    #[error("--certificate {0}: use a .md or .json file")]
    Format(String),
    #[error("cannot write the certificate {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl Certificate {
    /// Refuses a certificate path of an unknown format before anything is
    /// erased: bad input changes nothing.
    pub fn check_path(path: &std::path::Path) -> Result<(), CertificateError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json" | "md") => Ok(()),
            _ => Err(CertificateError::Format(path.display().to_string())),
        }
    }

    /// Writes the certificate as Markdown (`.md`) or JSON (`.json`).
    pub fn write(&self, path: &std::path::Path) -> Result<(), CertificateError> {
        let shown = path.display().to_string();
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_string_pretty(self)
                .map(|s| s + "\n")
                .map_err(|e| CertificateError::Write {
                    path: shown.clone(),
                    source: e.into(),
                })?,
            Some("md") => self.to_markdown(),
            _ => return Err(CertificateError::Format(shown)),
        };
        std::fs::write(path, text).map_err(|source| CertificateError::Write {
            path: shown,
            source,
        })
    }

    /// German first: the customer is German; English below for their processors.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        s.push_str("# Löschbestätigung / Erasure certificate\n\n");
        s.push_str(&format!(
            "| | |\n|---|---|\n| Mandant / tenant | `{}` |\n| Weisung / instruction | {} |\n| Ausgeführt von / executed by | {} (`{}`) |\n| Abgeschlossen / completed | {} |\n| Prüfung / verification | {} |\n| Audit-Ereignis / audit event | seq {} · SHA-256 `{}` |\n\n",
            self.tenant,
            self.instruction,
            self.executed_by,
            self.executed_by_arn,
            self.completed_at,
            if self.verified {
                "bestanden: keine Zeilen verblieben / passed: no rows remain"
            } else {
                "NICHT bestanden / FAILED"
            },
            self.audit_seq,
            self.audit_hash
        ));
        s.push_str("| Tabelle / table | gelöscht / deleted | aufbewahrt / retained | Rechtsgrundlage / legal basis | geleerte Spalten / nulled | Löschung ab / purge from–until |\n|---|---:|---:|---|---|---|\n");
        for t in &self.tables {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                t.table,
                t.deleted,
                t.retained,
                t.legal_basis.clone().unwrap_or_else(|| "–".into()),
                if t.nulled_columns.is_empty() {
                    "–".into()
                } else {
                    t.nulled_columns.join(", ")
                },
                match (&t.purge_from, &t.purge_until) {
                    (Some(a), Some(b)) if a == b => a.clone(),
                    (Some(a), Some(b)) => format!("{a} – {b}"),
                    _ => "–".into(),
                }
            ));
        }
        if let Some(k) = &self.tenant_row_kept {
            let until = k.until.clone().unwrap_or_else(|| "–".into());
            s.push_str(&format!(
                "\nDie Mandantenzeile wurde nicht gelöscht, sondern minimiert aufbewahrt, weil aufbewahrte Zeilen in {refs} \
                 auf sie verweisen: die Spalten {cols} wurden geleert bzw. überschrieben, der Status ist `{status}`. \
                 Sie wird mit der letzten dieser Zeilen gelöscht, ab {until}.\n\n\
                 The tenant row was not deleted but kept minimised, because retained rows in {refs} reference it: \
                 the columns {cols} were nulled or overwritten, its status is `{status}`. It is deleted with the \
                 last of those rows, from {until} on.\n",
                refs = k.referenced_by.join(", "),
                cols = k.minimised_columns.join(", "),
                status = k.status,
            ));
        }
        s.push_str(
            "\nAlle übrigen Daten des Mandanten wurden unmittelbar, unwiderruflich und dauerhaft gelöscht; \
             aufbewahrte Zeilen werden nach Ablauf der gesetzlichen Frist gelöscht.\n\n\
             All other data of the tenant was deleted immediately, irreversibly and permanently; retained rows \
             are deleted when the statutory period ends.\n\n",
        );
        s.push_str(if self.audit_key_destroyed {
            "Personenbezogene Inhalte des Audit-Protokolls zu diesem Mandanten sind durch Vernichtung seines \
             Schlüssels unlesbar.\n\n\
             Personal content about this tenant in the audit log is unreadable: its key was destroyed.\n"
        } else {
            "Zu diesem Mandanten gab es keinen Audit-Schlüssel und damit nichts zu vernichten: das \
             Audit-Protokoll enthält keine personenbezogenen Inhalte zu ihm.\n\n\
             There was no audit key for this tenant, so there was nothing to destroy: the audit log holds no \
             personal content about it.\n"
        });
        s
    }
}
