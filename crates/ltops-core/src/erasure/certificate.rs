//! The erasure certificate for the customer: what was deleted and what was kept
//! (on which legal basis, until when), who did it on whose instruction, the
//! verification result, and the audit event that proves it.

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
    pub audit_seq: u64,
    pub audit_hash: String,
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
    out.push(CertificateTable {
        table: plan.tenant_table.clone(),
        deleted: i64::from(outcome.tenant_row_deleted),
        retained: 0,
        legal_basis: None,
        nulled_columns: Vec::new(),
        purge_from: None,
        purge_until: None,
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
        s.push_str(
            "\nAlle übrigen Daten des Mandanten wurden unmittelbar, unwiderruflich und dauerhaft gelöscht; \
             aufbewahrte Zeilen werden nach Ablauf der gesetzlichen Frist gelöscht. Personenbezogene Inhalte \
             des Audit-Protokolls zu diesem Mandanten sind durch Vernichtung seines Schlüssels unlesbar.\n\n\
             All other data of the tenant was deleted immediately, irreversibly and permanently; retained rows \
             are deleted when the statutory period ends. Personal content about this tenant in the audit log \
             is unreadable: its key was destroyed.\n",
        );
        s
    }
}
