//! The automated checks: their names, their parameters (validated when the catalog
//! is loaded, so a typo never reaches a run) and their implementations.
//!
//! Each check returns at least one [`Finding`](super::Finding) per resource it
//! looked at; an API error, a missing permission or a timeout becomes ERROR.

/// Every item of a paginated SDK call, as a future of `Result<Vec<_>, SdkError>`.
/// A macro because each request builder has its own inherent `into_paginator`:
/// the SDK gives them no common trait a function could take.
macro_rules! all_items {
    ($request:expr) => {
        $request.into_paginator().items().send().try_collect()
    };
}

pub mod audit;
pub mod db;
pub mod events;
pub mod iam;
pub mod monitoring;
pub mod rds;
pub mod s3;
pub mod snapshots;
pub mod sso;
pub mod trail;

use serde::Deserialize;

use crate::aws::error::AwsError;

/// Why a source the AWS checks read (an inventory, a key, a parameter group)
/// could not be read. Every check that reads the source reports it as ERROR, so
/// it is shared and cloned; an SDK error is kept as its rendered message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// An AWS call failed (cause and hint included).
    #[error("{0}")]
    Aws(String),
    /// A call answered without something it always returns.
    #[error("{call}: {missing}")]
    Incomplete { call: String, missing: String },
    /// A source the run should have read first is absent.
    #[error("{0} was not read")]
    NotRead(String),
    /// A policy document IAM returned could not be read.
    #[error(transparent)]
    Document(#[from] DocumentError),
}

impl From<AwsError> for SourceError {
    fn from(e: AwsError) -> SourceError {
        SourceError::Aws(e.to_string())
    }
}

/// Why a policy document cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("policy document is not JSON: {0}")]
    NotJson(String),
    #[error("bad escape %{0}")]
    BadEscape(String),
    #[error("{0}")]
    NotUtf8(String),
    #[error("{whose}: inline policy {name} has no document")]
    NoInlineDocument { whose: String, name: String },
}

/// Parameters of a check, typed. The variant decides which check runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Params {
    RdsRegion(rds::RegionParams),
    RdsBackup(rds::BackupParams),
    RdsEncryption(rds::EncryptionParams),
    RdsForceSsl(rds::ForceSslParams),
    RdsDeletionProtection(Empty),
    RdsHighAvailability(rds::HaParams),
    RdsNotPublic(Empty),
    RdsIamAuth(Empty),
    RdsLogExports(rds::LogExportParams),
    IamPasswordPolicy(iam::PasswordPolicyParams),
    IamFullAccess(iam::FullAccessParams),
    IamUserCredentials(iam::UserCredentialParams),
    IamAccessKeyAge(iam::KeyAgeParams),
    IamRoot(iam::RootParams),
    SsoSessionDuration(sso::SessionParams),
    SnapshotRegion(rds::RegionParams),
    SnapshotEncryption(rds::EncryptionParams),
    SnapshotNotPublic(Empty),
    SnapshotShared(snapshots::SharedParams),
    S3Region(rds::RegionParams),
    S3Encryption(s3::EncryptionParams),
    S3PublicAccessBlock(Empty),
    S3TlsOnly(Empty),
    CloudTrail(trail::TrailParams),
    MonitoringAlarms(monitoring::AlarmParams),
    DbRls(Empty),
    DbTenantNotNull(Empty),
    DbDatamapCoverage(Empty),
    DbColumnsNotNull(db::ColumnsParams),
    DbErasureComplete(db::ErasureParams),
    DbInterventionEvents(events::EventsParams),
    AuditChain(Empty),
    AuditReasons(audit::ReasonParams),
    AuditReview(audit::ReviewParams),
    AuditAnchored(audit::AnchorParams),
    AuditBreakGlass(audit::BreakGlassParams),
    AuditGated(audit::GatedParams),
    AuditReads(audit::ReadParams),
}

/// For checks without parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Every check name, with what it verifies (for `tom controls` and errors).
pub const CHECKS: &[(&str, &str)] = &[
    (
        "rds.region_in_eea",
        "every RDS instance and cluster is in an allowed (EEA) region",
    ),
    (
        "rds.backup_retention",
        "automated backups kept at least `min_days` days (point-in-time recovery)",
    ),
    (
        "rds.encryption_cmk",
        "storage encrypted with a customer-managed KMS key whose rotation is on",
    ),
    (
        "rds.force_ssl",
        "TLS forced in the effective (cluster) parameter group, engine defaults from the catalog",
    ),
    ("rds.deletion_protection", "deletion protection on"),
    (
        "rds.high_availability",
        "Multi-AZ instances; clusters with enough members in different AZs",
    ),
    ("rds.not_public", "not publicly accessible"),
    ("rds.iam_auth", "IAM database authentication on"),
    ("rds.log_exports", "the required log types are exported"),
    (
        "iam.password_policy",
        "the account password policy meets the thresholds",
    ),
    (
        "iam.full_access_humans",
        "at most `max_humans` people have full access (users, groups, roles, SSO permission sets)",
    ),
    (
        "iam.no_human_user_credentials",
        "no IAM user has a console password; no human IAM user has access keys",
    ),
    (
        "iam.access_key_age",
        "no active access key older than `max_days`",
    ),
    ("iam.root_account", "root has MFA and no access keys"),
    (
        "sso.session_duration",
        "every IAM Identity Center permission set limits the session duration",
    ),
    (
        "snapshot.region",
        "every RDS DB and cluster snapshot (manual and automated, every enabled region) is in an allowed region",
    ),
    (
        "snapshot.encryption",
        "every RDS snapshot is encrypted with a customer-managed KMS key whose rotation is on",
    ),
    (
        "snapshot.not_public",
        "no manual RDS snapshot is public (restore attribute `all`)",
    ),
    (
        "snapshot.shared",
        "manual RDS snapshots are shared only with `allowed_accounts`",
    ),
    (
        "s3.bucket_region",
        "every S3 bucket is in an allowed region",
    ),
    (
        "s3.default_encryption",
        "every S3 bucket has default encryption with one of `algorithms` (KMS)",
    ),
    (
        "s3.public_access_block",
        "every S3 bucket has all four Block Public Access settings on",
    ),
    (
        "s3.tls_only",
        "every S3 bucket's policy denies requests without TLS (aws:SecureTransport false)",
    ),
    (
        "cloudtrail.enabled",
        "a multi-region CloudTrail trail is logging, with log file validation, into a bucket that passes the bucket checks",
    ),
    (
        "cloudwatch.alarms",
        "every production database (by tag) has CloudWatch alarms that notify an SNS topic with a confirmed subscription",
    ),
    (
        "db.rls_forced",
        "row-level security enabled and forced on every tenant table",
    ),
    (
        "db.tenant_column_not_null",
        "every tenant column is NOT NULL",
    ),
    (
        "db.datamap_coverage",
        "every table with a tenant column is in policies/datamap.yaml, and the map matches the database",
    ),
    (
        "db.columns_not_null",
        "the named columns exist and are NOT NULL",
    ),
    (
        "db.erasure_complete",
        "no rows are left of tenants whose erasure the audit log records",
    ),
    (
        "db.intervention_events",
        "every committed intervention on a table with an event stream has its events (by audit id), and no operator event lacks an intervention",
    ),
    ("audit.chain_intact", "the audit log's hash chain verifies"),
    (
        "audit.interventions_have_reason",
        "every intervention in the audit log carries a reason",
    ),
    (
        "audit.review_recent",
        "the previous annual review (tom.report) is recent enough",
    ),
    (
        "audit.anchored",
        "the audit log has a write-once copy (S3 compliance-mode Object Lock, KMS-signed checkpoints) that agrees with it",
    ),
    (
        "audit.break_glass_approved",
        "every break-glass use (an action run without its approval) was approved afterwards by another person",
    ),
    (
        "audit.gated_actions_approved",
        "every gated action (tenant.erase, restore.run, …) that changed something ran under another person's approval or under break-glass",
    ),
    (
        "audit.reads_authorised",
        "every read of customer data (ltops inspect) carries a reason and was made by an allowed permission set",
    ),
];

/// Validates `params` for the check `name`.
pub fn parse_params(name: &str, params: serde_yaml::Value) -> Result<Params, String> {
    fn p<T: serde::de::DeserializeOwned>(name: &str, v: serde_yaml::Value) -> Result<T, String> {
        let v = if v.is_null() {
            serde_yaml::Value::Mapping(Default::default())
        } else {
            v
        };
        serde_yaml::from_value(v).map_err(|e| format!("params of `{name}`: {e}"))
    }
    Ok(match name {
        "rds.region_in_eea" => Params::RdsRegion(p(name, params)?),
        "rds.backup_retention" => Params::RdsBackup(p(name, params)?),
        "rds.encryption_cmk" => Params::RdsEncryption(p(name, params)?),
        "rds.force_ssl" => Params::RdsForceSsl(p(name, params)?),
        "rds.deletion_protection" => Params::RdsDeletionProtection(p(name, params)?),
        "rds.high_availability" => Params::RdsHighAvailability(p(name, params)?),
        "rds.not_public" => Params::RdsNotPublic(p(name, params)?),
        "rds.iam_auth" => Params::RdsIamAuth(p(name, params)?),
        "rds.log_exports" => Params::RdsLogExports(p(name, params)?),
        "iam.password_policy" => Params::IamPasswordPolicy(p(name, params)?),
        "iam.full_access_humans" => Params::IamFullAccess(p(name, params)?),
        "iam.no_human_user_credentials" => Params::IamUserCredentials(p(name, params)?),
        "iam.access_key_age" => Params::IamAccessKeyAge(p(name, params)?),
        "iam.root_account" => Params::IamRoot(p(name, params)?),
        "sso.session_duration" => Params::SsoSessionDuration(p(name, params)?),
        "snapshot.region" => Params::SnapshotRegion(p(name, params)?),
        "snapshot.encryption" => Params::SnapshotEncryption(p(name, params)?),
        "snapshot.not_public" => Params::SnapshotNotPublic(p(name, params)?),
        "snapshot.shared" => Params::SnapshotShared(p(name, params)?),
        "s3.bucket_region" => Params::S3Region(p(name, params)?),
        "s3.default_encryption" => Params::S3Encryption(p(name, params)?),
        "s3.public_access_block" => Params::S3PublicAccessBlock(p(name, params)?),
        "s3.tls_only" => Params::S3TlsOnly(p(name, params)?),
        "cloudtrail.enabled" => Params::CloudTrail(p(name, params)?),
        "cloudwatch.alarms" => Params::MonitoringAlarms(p(name, params)?),
        "db.rls_forced" => Params::DbRls(p(name, params)?),
        "db.tenant_column_not_null" => Params::DbTenantNotNull(p(name, params)?),
        "db.datamap_coverage" => Params::DbDatamapCoverage(p(name, params)?),
        "db.columns_not_null" => Params::DbColumnsNotNull(p(name, params)?),
        "db.erasure_complete" => Params::DbErasureComplete(p(name, params)?),
        "db.intervention_events" => Params::DbInterventionEvents(p(name, params)?),
        "audit.chain_intact" => Params::AuditChain(p(name, params)?),
        "audit.interventions_have_reason" => Params::AuditReasons(p(name, params)?),
        "audit.review_recent" => Params::AuditReview(p(name, params)?),
        "audit.anchored" => Params::AuditAnchored(p(name, params)?),
        "audit.break_glass_approved" => Params::AuditBreakGlass(p(name, params)?),
        "audit.gated_actions_approved" => Params::AuditGated(p(name, params)?),
        "audit.reads_authorised" => Params::AuditReads(p(name, params)?),
        _ => {
            return Err(format!(
                "unknown check `{name}`; known checks: {}",
                CHECKS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_check_is_parseable_by_name() {
        for (name, _) in CHECKS {
            let e = parse_params(name, serde_yaml::Value::Null);
            // Either it needs parameters (and says which), or it takes none.
            if let Err(e) = e {
                assert!(e.contains("missing field"), "{name}: {e}");
            }
        }
        assert!(parse_params("nope", serde_yaml::Value::Null).is_err());
    }
}
