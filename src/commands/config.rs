//! `ltops config show|check`: what ltops resolved, so an operator can see why it
//! talks to a given account, database or audit store before it does.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Ctx;
use crate::ExitStatus;
use crate::printer::{Report, key_value_table};
use crate::settings::{AuditStoreKind, DatabaseAuth, TlsMode};

#[derive(Serialize)]
struct ConfigReport {
    config_file: Option<String>,
    aws_profile: Option<String>,
    aws_region: Option<String>,
    endpoint_url: Option<String>,
    sso_cache_dir: String,
    policies_dir: String,
    audit_store: AuditStoreKind,
    audit_path: String,
    database: Option<DatabaseView>,
    permissions: BTreeMap<String, Vec<String>>,
    erasure_batch_threshold: u64,
    erasure_batch_size: u64,
    restore_wait_minutes: u64,
    restore_targets: BTreeMap<String, String>,
    intervene_max_rows: u64,
    approvals: BTreeMap<String, ApprovalView>,
}

#[derive(Serialize)]
struct ApprovalView {
    required: u32,
    approvers: Vec<String>,
    valid_for: String,
    break_glass: bool,
    only_sql: bool,
    above_rows: Option<u64>,
}

#[derive(Serialize)]
struct DatabaseView {
    auth: &'static str,
    target: String,
    password_env: Option<String>,
    tls: TlsMode,
}

impl Report for ConfigReport {
    const KIND: &'static str = "config";
    fn render_table(&self) -> String {
        let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
        let mut rows = vec![
            ("config file", dash(&self.config_file)),
            ("aws profile", dash(&self.aws_profile)),
            ("aws region", dash(&self.aws_region)),
            ("endpoint url", dash(&self.endpoint_url)),
            ("sso token cache", self.sso_cache_dir.clone()),
            ("policies", self.policies_dir.clone()),
            (
                "audit store",
                match self.audit_store {
                    AuditStoreKind::File => format!("file {}", self.audit_path),
                    AuditStoreKind::Postgres => "postgres (the database below)".into(),
                },
            ),
            (
                "database",
                match &self.database {
                    None => "-".into(),
                    Some(d) => format!(
                        "{} {}{} (tls {:?})",
                        d.auth,
                        d.target,
                        d.password_env
                            .as_ref()
                            .map(|e| format!(", password from ${e}"))
                            .unwrap_or_default(),
                        d.tls
                    ),
                },
            ),
        ];
        let perms = if self.permissions.is_empty() {
            "none: no mutating command may run".into()
        } else {
            self.permissions
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.join(", ")))
                .collect::<Vec<_>>()
                .join("\n")
        };
        rows.push(("permissions", perms));
        rows.push((
            "erasure",
            format!(
                "one transaction up to {} rows, else batches of {}",
                self.erasure_batch_threshold, self.erasure_batch_size
            ),
        ));
        rows.push((
            "restore",
            format!(
                "wait up to {} min{}",
                self.restore_wait_minutes,
                self.restore_targets
                    .iter()
                    .map(|(k, v)| format!("\n{k} → {v}"))
                    .collect::<String>()
            ),
        ));
        rows.push((
            "intervene",
            format!("at most {} rows unless --max-rows", self.intervene_max_rows),
        ));
        rows.push(("approvals", approvals_text(&self.approvals)));
        key_value_table(rows)
    }
}

/// `tenant.erase: 1 of LtopsDPO, valid 24h, no break-glass` per command.
fn approvals_text(approvals: &BTreeMap<String, ApprovalView>) -> String {
    if approvals.is_empty() {
        return "none: one person runs every command".into();
    }
    approvals
        .iter()
        .map(|(k, a)| {
            let mut s = format!(
                "{k}: {} of {}, valid {}, {}",
                a.required,
                a.approvers.join(", "),
                a.valid_for,
                if a.break_glass {
                    "break-glass allowed"
                } else {
                    "no break-glass"
                }
            );
            if a.only_sql {
                s.push_str(", raw SQL only");
            }
            if let Some(n) = a.above_rows {
                s.push_str(&format!(", above {n} rows"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn report(ctx: &Ctx) -> ConfigReport {
    let s = &ctx.settings;
    ConfigReport {
        config_file: s.config_path.as_ref().map(|p| p.display().to_string()),
        aws_profile: s.aws.profile.clone(),
        aws_region: s.aws.region.clone(),
        endpoint_url: s.aws.endpoint_url.clone(),
        sso_cache_dir: s.aws.sso_cache_dir.display().to_string(),
        policies_dir: s.policies_dir.display().to_string(),
        audit_store: s.config.audit.store,
        audit_path: s.audit_path.display().to_string(),
        database: s.config.database.as_ref().map(|d| match &d.auth {
            DatabaseAuth::Url { url, password_env } => DatabaseView {
                auth: "url",
                target: url.clone(),
                password_env: password_env.clone(),
                tls: d.tls,
            },
            DatabaseAuth::RdsIam(iam) => DatabaseView {
                auth: "rds-iam",
                target: format!(
                    "cluster {} database {} user {} port {}",
                    iam.cluster, iam.database, iam.user, iam.port
                ),
                password_env: None,
                tls: d.tls,
            },
        }),
        permissions: s
            .config
            .permissions
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        erasure_batch_threshold: s.config.erasure.batch_threshold,
        erasure_batch_size: s.config.erasure.batch_size,
        restore_wait_minutes: s.config.restore.wait_minutes,
        restore_targets: s.config.restore.targets.clone(),
        intervene_max_rows: s.config.intervene.max_rows(),
        approvals: s
            .config
            .approvals
            .iter()
            .map(|(k, a)| {
                let view = ApprovalView {
                    required: a.required,
                    approvers: a.approvers.clone(),
                    valid_for: a.valid_for.clone(),
                    break_glass: a.break_glass_allowed(*k),
                    only_sql: a.only_sql,
                    above_rows: a.above_rows,
                };
                (k.to_string(), view)
            })
            .collect(),
    }
}

pub fn show(ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    ctx.printer.report(&report(ctx))?;
    Ok(ExitStatus::Success)
}

/// Parsing already happened while resolving settings; reaching here means it is valid.
pub fn check(ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    ctx.printer
        .status(format!("config ok: {}", ctx.settings.config_display()));
    ctx.printer.report(&report(ctx))?;
    Ok(ExitStatus::Success)
}
