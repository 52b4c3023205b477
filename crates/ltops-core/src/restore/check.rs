//! The RDS measures of the TOM, checked on a restored copy before cut-over: a
//! restore that silently lost encryption, forced TLS or deletion protection must
//! not become production. These are the catalog's own `rds.*` checks, with the
//! catalog's thresholds, run by the TOM engine and narrowed to the copy.

use std::path::Path;

use aws_config::SdkConfig;
use chrono::Utc;
use serde::Serialize;

use super::Kind;
/// A restore check is a TOM check narrowed to the copy, so it speaks the TOM's
/// words; [`run`] gives only PASS, FAIL, ERROR and NOT_APPLICABLE.
pub use crate::tom::Status;
use crate::tom::catalog::{Catalog, Control, Kind as ControlKind};
use crate::tom::engine::{self, Account, AwsEnv, CheckEnv};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The TOM control and its check, e.g. `TOM-4.1 rds.force_ssl`.
    pub control: String,
    pub resource: String,
    pub status: Status,
    pub evidence: String,
}

impl Check {
    /// Whether the copy may go to production as far as this check goes.
    pub fn ok(&self) -> bool {
        matches!(self.status, Status::Pass | Status::NotApplicable)
    }
}

fn error(control: &str, evidence: String) -> Check {
    Check {
        control: control.to_owned(),
        resource: "-".into(),
        status: Status::Error,
        evidence,
    }
}

/// The catalog's automated controls, each cut down to its `rds.*` checks.
fn rds_controls(catalog: &Catalog) -> Vec<Control> {
    catalog
        .controls()
        .filter(|c| c.info.kind == ControlKind::Automated)
        .filter_map(|c| {
            let checks: Vec<_> = c
                .checks
                .iter()
                .filter(|s| s.name.starts_with("rds."))
                .cloned()
                .collect();
            (!checks.is_empty()).then(|| Control {
                checks,
                ..c.clone()
            })
        })
        .collect()
}

/// Whether a finding's resource is the copy (the cluster or instance `id`, or one
/// of the cluster's instances `id-N`).
fn is_target(resource: &str, kind: Kind, id: &str) -> bool {
    let cluster = format!(":cluster:{id}");
    let member = format!(":db:{id}-");
    match kind {
        Kind::Cluster => {
            resource.ends_with(&cluster)
                || resource
                    .rfind(&member)
                    .map(|i| &resource[i + member.len()..])
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        }
        Kind::Instance => resource.ends_with(&format!(":db:{id}")),
    }
}

/// Runs the checks on the restored `id`. API errors are ERROR results, never passes.
pub async fn run(
    sdk: &SdkConfig,
    account: &str,
    policies_dir: &Path,
    kind: Kind,
    id: &str,
) -> Vec<Check> {
    let catalog = match Catalog::load(&policies_dir.join("tom")) {
        Ok(c) => c,
        Err(e) => return vec![error("catalog", e.to_string())],
    };
    let controls = rds_controls(&catalog);
    if controls.is_empty() {
        return vec![error(
            "catalog",
            "the TOM catalog has no rds.* check to run".into(),
        )];
    }
    let Some(region) = sdk.region().map(|r| r.to_string()) else {
        return vec![error("catalog", "no AWS region configured".into())];
    };
    let query = match crate::aws::query::QueryClient::new() {
        Ok(q) => q,
        Err(e) => return vec![error("aws", e.to_string())],
    };
    // The copy is in the configured region: no need to discover the others.
    let aws = AwsEnv::new(sdk.clone(), account.to_owned(), region.clone(), query)
        .with_regions(vec![region]);
    let env = CheckEnv {
        now: Utc::now(),
        concurrency: 16,
        aws: Ok(vec![Account {
            id: account.to_owned(),
            name: None,
            env: Ok(aws),
        }]),
        db: Err("not needed".into()),
        audit: Err("not needed".into()),
    };
    let refs: Vec<&Control> = controls.iter().collect();
    let results = engine::run(&env, &refs, &[]).await;
    let mut out = Vec::new();
    for r in results {
        for f in r.findings {
            // Errors about the whole run (e.g. a failed listing) concern the copy too.
            let about_copy = is_target(&f.resource, kind, id);
            let general = f.status == Status::Error
                && !f.resource.contains(":db:")
                && !f.resource.contains(":cluster:");
            if !(about_copy || general) {
                continue;
            }
            out.push(Check {
                control: format!("{} {}", r.info.id, f.check),
                resource: f.resource,
                status: match f.status {
                    s @ (Status::Pass | Status::NotApplicable | Status::Error) => s,
                    // No exceptions or attestations apply to a copy: anything else fails.
                    _ => Status::Fail,
                },
                evidence: f.evidence,
            });
        }
    }
    if out.iter().all(|c| c.status == Status::NotApplicable) {
        out.push(error(
            "catalog",
            format!("no rds.* check found the copy {id}: it was not checked"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_and_the_json_use_the_same_words() {
        for s in [
            Status::Pass,
            Status::Fail,
            Status::Error,
            Status::NotApplicable,
        ] {
            let json = serde_json::to_value(s).unwrap_or_default();
            assert_eq!(json, serde_json::Value::String(s.to_string()));
        }
        assert_eq!(Status::NotApplicable.to_string(), "NOT_APPLICABLE");
    }

    #[test]
    fn findings_about_the_copy_are_recognised() {
        let c = "arn:aws:rds:eu-central-1:1:cluster:pitr-x";
        assert!(is_target(c, Kind::Cluster, "pitr-x"));
        assert!(is_target(
            "arn:aws:rds:eu-central-1:1:db:pitr-x-2",
            Kind::Cluster,
            "pitr-x"
        ));
        assert!(!is_target(
            "arn:aws:rds:eu-central-1:1:db:pitr-x-extra",
            Kind::Cluster,
            "pitr-x"
        ));
        assert!(!is_target(
            "arn:aws:rds:eu-central-1:1:cluster:pitr-xy",
            Kind::Cluster,
            "pitr-x"
        ));
        assert!(is_target(
            "arn:aws:rds:eu-central-1:1:db:inst",
            Kind::Instance,
            "inst"
        ));
        assert!(!is_target(
            "arn:aws:rds:eu-central-1:1:db:inst-2",
            Kind::Instance,
            "inst"
        ));
    }

    #[test]
    fn the_repo_catalog_has_rds_checks() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/tom");
        let catalog = Catalog::load(&dir).unwrap();
        let names: Vec<String> = rds_controls(&catalog)
            .iter()
            .flat_map(|c| c.checks.iter().map(|s| s.name.clone()))
            .collect();
        for n in [
            "rds.encryption_cmk",
            "rds.force_ssl",
            "rds.deletion_protection",
            "rds.not_public",
            "rds.iam_auth",
            "rds.log_exports",
        ] {
            assert!(names.iter().any(|x| x == n), "{n} missing: {names:?}");
        }
    }
}
