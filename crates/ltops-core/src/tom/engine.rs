//! Runs the selected controls: automated checks concurrently (each fan-out of API
//! calls bounded), attestations read from the audit log, exceptions applied.
//! Every data source is read at most once per run and shared between checks.

use std::collections::HashMap;
use std::sync::Arc;

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{Mutex, OnceCell};
use tokio_postgres::Client;

use super::catalog::{CheckSpec, Control, ControlInfo, Kind};
use super::checks::audit::AuditData;
use super::checks::{self, Params, SourceError, iam, monitoring, rds, s3, snapshots, sso, trail};
use super::exceptions::{self, Exception};
use super::{Finding, Status, Text, attest, parallel};
use crate::aws::query::QueryClient;
use crate::datamap::DataMap;
use crate::text;

type SsoCell = Arc<OnceCell<Result<sso::SsoInventory, SourceError>>>;

type Regions = Result<Vec<String>, SourceError>;

/// One AWS account, as the reviewing identity sees it, with the inventories
/// read lazily and once.
pub struct AwsEnv {
    pub sdk: SdkConfig,
    pub account: String,
    /// The configured region (IAM Identity Center's unless a check says otherwise;
    /// where the enabled regions are asked for).
    pub region: String,
    query: QueryClient,
    regions: OnceCell<Regions>,
    rds: OnceCell<rds::Inventory>,
    keys: OnceCell<rds::Keys>,
    params: Mutex<HashMap<String, Arc<OnceCell<rds::ParamValues>>>>,
    users: OnceCell<iam::Users>,
    access: OnceCell<Result<iam::AccessGraph, SourceError>>,
    password: OnceCell<iam::PasswordPolicy>,
    summary: OnceCell<iam::Summary>,
    sso: Mutex<HashMap<String, SsoCell>>,
    snapshots: OnceCell<snapshots::Snapshots>,
    buckets: OnceCell<s3::Buckets>,
    trails: OnceCell<trail::Trails>,
    monitoring: OnceCell<monitoring::Monitoring>,
    account_block: OnceCell<s3::AccountBlock>,
}

impl AwsEnv {
    pub fn new(sdk: SdkConfig, account: String, region: String, query: QueryClient) -> AwsEnv {
        AwsEnv {
            sdk,
            account,
            region,
            query,
            regions: OnceCell::new(),
            rds: OnceCell::new(),
            keys: OnceCell::new(),
            params: Mutex::new(HashMap::new()),
            users: OnceCell::new(),
            access: OnceCell::new(),
            password: OnceCell::new(),
            summary: OnceCell::new(),
            sso: Mutex::new(HashMap::new()),
            snapshots: OnceCell::new(),
            buckets: OnceCell::new(),
            trails: OnceCell::new(),
            monitoring: OnceCell::new(),
            account_block: OnceCell::new(),
        }
    }

    /// Looks in these regions only, instead of the discovered ones (a restored
    /// copy is checked where it is).
    pub fn with_regions(mut self, regions: Vec<String>) -> AwsEnv {
        self.regions = OnceCell::new_with(Some(Ok(regions)));
        self
    }

    /// The account's enabled regions, discovered (not configured): a database in
    /// a region nobody listed is still seen.
    pub async fn regions(&self) -> &Regions {
        self.regions
            .get_or_init(|| async {
                let op = format!("ec2:DescribeRegions in account {}", self.account);
                crate::aws::query::enabled_regions(&self.query, &self.sdk, &self.region, &op)
                    .await
                    .map_err(SourceError::from)
            })
            .await
    }

    async fn snapshots(&self, limit: usize) -> &snapshots::Snapshots {
        let regions = self.regions().await;
        self.snapshots
            .get_or_init(|| snapshots::fetch(&self.sdk, regions, limit))
            .await
    }

    async fn buckets(&self, limit: usize) -> &s3::Buckets {
        self.buckets
            .get_or_init(|| s3::fetch(&self.sdk, &self.region, limit))
            .await
    }

    async fn account_block(&self) -> &s3::AccountBlock {
        self.account_block
            .get_or_init(|| {
                s3::fetch_account_block(&self.query, &self.sdk, &self.account, &self.region)
            })
            .await
    }

    async fn trails(&self) -> &trail::Trails {
        self.trails
            .get_or_init(|| trail::fetch(&self.sdk, &self.region))
            .await
    }

    async fn monitoring(&self, limit: usize) -> &monitoring::Monitoring {
        let inv = self.rds(limit).await;
        self.monitoring
            .get_or_init(|| monitoring::fetch(&self.query, &self.sdk, inv, limit))
            .await
    }

    async fn rds(&self, limit: usize) -> &rds::Inventory {
        self.rds
            .get_or_init(|| async {
                match self.regions().await {
                    Ok(regions) => rds::fetch(&self.sdk, regions, limit).await,
                    Err(e) => rds::Inventory::unlisted(e.clone()),
                }
            })
            .await
    }

    async fn keys(&self, limit: usize) -> &rds::Keys {
        let inv = self.rds(limit).await;
        self.keys
            .get_or_init(|| rds::fetch_keys(&self.sdk, inv, limit))
            .await
    }

    async fn params(&self, parameter: &str, limit: usize) -> rds::ParamValues {
        let cell = cell_for(&self.params, parameter).await;
        let inv = self.rds(limit).await;
        cell.get_or_init(|| rds::fetch_params(&self.sdk, inv, parameter, limit))
            .await
            .clone()
    }

    async fn users(&self, limit: usize) -> &iam::Users {
        self.users
            .get_or_init(|| iam::fetch_users(&self.sdk, limit))
            .await
    }

    async fn password_policy(&self) -> &iam::PasswordPolicy {
        self.password
            .get_or_init(|| iam::fetch_password_policy(&self.sdk))
            .await
    }

    async fn summary(&self) -> &iam::Summary {
        self.summary
            .get_or_init(|| iam::fetch_summary(&self.sdk))
            .await
    }

    async fn access(&self, limit: usize) -> &Result<iam::AccessGraph, SourceError> {
        let users = self.users(limit).await;
        self.access
            .get_or_init(|| async move {
                match users {
                    Ok(u) => iam::fetch_access(&self.sdk, u, limit).await,
                    Err(e) => Err(e.clone()),
                }
            })
            .await
    }

    async fn sso(
        &self,
        region: Option<&str>,
        limit: usize,
    ) -> Result<sso::SsoInventory, SourceError> {
        let region = region.unwrap_or(&self.region).to_owned();
        let cell = cell_for(&self.sso, &region).await;
        cell.get_or_init(|| sso::fetch(&self.sdk, &region, &self.account, limit))
            .await
            .clone()
    }
}

/// The ERROR of a check that said nothing: it has not checked.
fn no_result() -> Text {
    text!(
        "the check returned no result",
        "die Prüfung hat kein Ergebnis geliefert"
    )
}

/// An account of the run: its AWS view, or why its credentials could not be had
/// (then every AWS check reports ERROR for it).
pub struct Account {
    pub id: String,
    pub name: Option<String>,
    pub env: Result<AwsEnv, String>,
}

/// A source of the run, or the ERROR finding of a check that needs it when it
/// could not be opened.
fn opened<'a, T>(
    check: &str,
    source: &str,
    env: &'a Result<T, String>,
) -> Result<&'a T, Vec<Finding>> {
    env.as_ref()
        .map_err(|e| vec![Finding::error(check, source, Text::same(e.clone()))])
}

/// The once-cell of `key` in a map of them: one read per key and run, however
/// many checks ask at once.
async fn cell_for<T>(
    cells: &Mutex<HashMap<String, Arc<OnceCell<T>>>>,
    key: &str,
) -> Arc<OnceCell<T>> {
    cells
        .lock()
        .await
        .entry(key.to_owned())
        .or_insert_with(|| Arc::new(OnceCell::new()))
        .clone()
}

/// The platform database and its data map.
pub struct DbEnv {
    /// One connection; DB checks take turns (one of them needs a transaction).
    pub client: Mutex<Client>,
    pub map: DataMap,
}

/// Everything a run reads from. A source that could not be opened is an `Err`
/// that every check depending on it reports as ERROR.
pub struct CheckEnv {
    pub now: DateTime<Utc>,
    pub concurrency: usize,
    /// Every account the run reviews (one unless `--accounts`).
    pub aws: Result<Vec<Account>, String>,
    pub db: Result<DbEnv, String>,
    pub audit: Result<AuditData, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ControlResult {
    /// Flattened: the report's JSON keeps the fields at the top level, as before.
    #[serde(flatten)]
    pub info: ControlInfo,
    pub checks: Vec<String>,
    pub status: Status,
    pub findings: Vec<Finding>,
}

/// Which controls a run covers: all, one section, or one control.
pub fn select<'a>(
    all: impl Iterator<Item = &'a Control>,
    section: Option<u32>,
    control: Option<&str>,
) -> Vec<&'a Control> {
    all.filter(|c| section.is_none_or(|s| c.info.section == s))
        .filter(|c| control.is_none_or(|id| c.info.id.eq_ignore_ascii_case(id)))
        .collect()
}

/// What sources the selected controls need.
pub fn needs(controls: &[&Control]) -> (bool, bool) {
    let names = controls
        .iter()
        .flat_map(|c| c.checks.iter())
        .map(|c| c.name.as_str());
    let (mut aws, mut db) = (false, false);
    for n in names {
        aws |= [
            "rds.",
            "iam.",
            "sso.",
            "snapshot.",
            "s3.",
            "cloudtrail.",
            "cloudwatch.",
        ]
        .iter()
        .any(|p| n.starts_with(p));
        db |= n.starts_with("db.");
    }
    (aws, db)
}

pub async fn run(
    env: &CheckEnv,
    controls: &[&Control],
    exceptions: &[Exception],
) -> Vec<ControlResult> {
    let attestations = match &env.audit {
        Ok(a) => attest::latest(&a.events),
        Err(_) => Default::default(),
    };
    let attestations = &attestations;
    // Sequential mode (concurrency 1) runs the controls one after another too.
    let width = if env.concurrency <= 1 {
        1
    } else {
        controls.len().max(1)
    };
    parallel::map(controls.iter().copied(), width, |c| async move {
        let mut findings = Vec::new();
        match c.info.kind {
            Kind::Attestation => match &env.audit {
                Err(e) => findings.push(Finding::error(
                    "attestation",
                    &c.info.id,
                    text!(
                        "attestations are read from the audit log, which cannot be read: {}",
                        "Bestätigungen stehen im Audit-Log, das nicht gelesen werden kann: {}",
                        e
                    ),
                )),
                Ok(_) => findings.push(attest::finding(
                    &c.info.id,
                    attestations.get(&c.info.id.to_ascii_uppercase()),
                    env.now,
                )),
            },
            Kind::Automated => {
                for spec in &c.checks {
                    let mut f = run_check(env, spec).await;
                    if f.is_empty() {
                        f.push(Finding::error(&spec.name, "-", no_result()));
                    }
                    findings.extend(f);
                }
            }
        }
        exceptions::apply(&c.info.id, &mut findings, exceptions, env.now.date_naive());
        ControlResult {
            info: c.info.clone(),
            checks: c.checks.iter().map(|s| s.name.clone()).collect(),
            status: Status::fold(findings.iter().map(|f| f.status)),
            findings,
        }
    })
    .await
}

async fn run_check(env: &CheckEnv, spec: &CheckSpec) -> Vec<Finding> {
    let name = spec.name.as_str();
    let limit = env.concurrency;
    match &spec.params {
        Params::RdsRegion(_)
        | Params::RdsBackup(_)
        | Params::RdsEncryption(_)
        | Params::RdsForceSsl(_)
        | Params::RdsDeletionProtection(_)
        | Params::RdsHighAvailability(_)
        | Params::RdsNotPublic(_)
        | Params::RdsIamAuth(_)
        | Params::RdsLogExports(_)
        | Params::IamPasswordPolicy(_)
        | Params::IamFullAccess(_)
        | Params::IamUserCredentials(_)
        | Params::IamAccessKeyAge(_)
        | Params::IamRoot(_)
        | Params::SsoSessionDuration(_)
        | Params::SnapshotRegion(_)
        | Params::SnapshotEncryption(_)
        | Params::SnapshotNotPublic(_)
        | Params::SnapshotShared(_)
        | Params::S3Region(_)
        | Params::S3Encryption(_)
        | Params::S3PublicAccessBlock(_)
        | Params::S3TlsOnly(_)
        | Params::CloudTrail(_)
        | Params::MonitoringAlarms(_) => {
            let accounts = match opened(name, "aws", &env.aws) {
                Ok(a) => a,
                Err(f) => return f,
            };
            per_account(env, accounts, name, &spec.params, limit).await
        }
        Params::DbRls(_)
        | Params::DbTenantNotNull(_)
        | Params::DbDatamapCoverage(_)
        | Params::DbColumnsNotNull(_)
        | Params::DbErasureComplete(_)
        | Params::DbInterventionEvents(_) => {
            let db = match opened(name, "database", &env.db) {
                Ok(d) => d,
                Err(f) => return f,
            };
            let mut client = db.client.lock().await;
            match &spec.params {
                Params::DbRls(_) => checks::db::rls_forced(name, &client, &db.map).await,
                Params::DbTenantNotNull(_) => {
                    checks::db::tenant_column_not_null(name, &client, &db.map).await
                }
                Params::DbDatamapCoverage(_) => {
                    checks::db::datamap_coverage(name, &client, &db.map).await
                }
                Params::DbColumnsNotNull(p) => {
                    checks::db::columns_not_null(name, &client, &db.map, p).await
                }
                Params::DbErasureComplete(p) => {
                    let events = env
                        .audit
                        .as_ref()
                        .map(|a| a.events.clone())
                        .map_err(Clone::clone);
                    checks::db::erasure_complete(name, &mut client, &db.map, p, &events).await
                }
                Params::DbInterventionEvents(p) => {
                    let events = env
                        .audit
                        .as_ref()
                        .map(|a| a.events.clone())
                        .map_err(Clone::clone);
                    checks::events::intervention_events(name, &mut client, &db.map, p, &events)
                        .await
                }
                _ => unreachable!("matched above"),
            }
        }
        Params::AuditChain(_) => checks::audit::chain_intact(name, &env.audit),
        Params::AuditReasons(p) => checks::audit::interventions_have_reason(name, p, &env.audit),
        Params::AuditReview(p) => checks::audit::review_recent(name, p, &env.audit, env.now),
        Params::AuditAnchored(p) => checks::audit::anchored(name, p, &env.audit, env.now),
        Params::AuditBreakGlass(p) => checks::audit::break_glass_approved(name, p, &env.audit),
        Params::AuditGated(p) => checks::audit::gated_actions_approved(name, p, &env.audit),
        Params::AuditReads(p) => checks::audit::reads_authorised(name, p, &env.audit),
    }
}

/// An AWS check in every account at once; each finding names its account.
async fn per_account(
    env: &CheckEnv,
    accounts: &[Account],
    name: &str,
    params: &Params,
    limit: usize,
) -> Vec<Finding> {
    let width = if limit <= 1 { 1 } else { accounts.len().max(1) };
    let per = parallel::map(accounts, width, |a| async move {
        let mut findings = match &a.env {
            Ok(aws) => aws_check(env, aws, name, params, limit).await,
            Err(e) => vec![Finding::error(
                name,
                format!("aws account {}", a.id),
                Text::same(e.clone()),
            )],
        };
        if findings.is_empty() {
            findings.push(Finding::error(
                name,
                format!("aws account {}", a.id),
                no_result(),
            ));
        }
        for f in &mut findings {
            f.account = Some(a.id.clone());
        }
        findings
    })
    .await;
    per.into_iter().flatten().collect()
}

async fn aws_check(
    env: &CheckEnv,
    aws: &AwsEnv,
    name: &str,
    params: &Params,
    limit: usize,
) -> Vec<Finding> {
    let account = aws.account.as_str();
    match params {
        Params::RdsRegion(p) => rds::region_in_eea(name, p, aws.rds(limit).await),
        Params::RdsBackup(p) => rds::backup_retention(name, p, aws.rds(limit).await),
        Params::RdsEncryption(p) => {
            let keys = aws.keys(limit).await;
            rds::encryption(name, p, aws.rds(limit).await, keys)
        }
        Params::RdsForceSsl(p) => {
            let values = aws.params(&p.parameter, limit).await;
            rds::force_ssl(name, p, aws.rds(limit).await, &values)
        }
        Params::RdsDeletionProtection(_) => rds::deletion_protection(name, aws.rds(limit).await),
        Params::RdsHighAvailability(p) => rds::high_availability(name, p, aws.rds(limit).await),
        Params::RdsNotPublic(_) => rds::not_public(name, aws.rds(limit).await),
        Params::RdsIamAuth(_) => rds::iam_auth(name, aws.rds(limit).await),
        Params::RdsLogExports(p) => rds::log_exports(name, p, aws.rds(limit).await),
        Params::IamPasswordPolicy(p) => {
            iam::password_policy(name, account, p, aws.password_policy().await)
        }
        Params::IamFullAccess(p) => {
            let (graph, sso) = tokio::join!(
                aws.access(limit),
                aws.sso(p.identity_center_region.as_deref(), limit)
            );
            iam::full_access_humans(name, account, p, graph, &sso)
        }
        Params::IamUserCredentials(p) => {
            iam::user_credentials(name, account, p, aws.users(limit).await)
        }
        Params::IamAccessKeyAge(p) => {
            iam::access_key_age(name, account, p, aws.users(limit).await, env.now)
        }
        Params::IamRoot(p) => iam::root_account(name, account, p, aws.summary().await),
        Params::SsoSessionDuration(p) => {
            let inv = aws.sso(p.identity_center_region.as_deref(), limit).await;
            sso::session_duration(name, p, &inv)
        }
        Params::SnapshotRegion(p) => snapshots::region(name, p, aws.snapshots(limit).await),
        Params::SnapshotEncryption(p) => snapshots::encryption(name, p, aws.snapshots(limit).await),
        Params::SnapshotNotPublic(_) => snapshots::not_public(name, aws.snapshots(limit).await),
        Params::SnapshotShared(p) => snapshots::shared(name, p, aws.snapshots(limit).await),
        Params::S3Region(p) => s3::region(name, p, aws.buckets(limit).await),
        Params::S3Encryption(p) => s3::encrypted(name, p, aws.buckets(limit).await),
        Params::S3PublicAccessBlock(_) => {
            let (buckets, account_block) = tokio::join!(aws.buckets(limit), aws.account_block());
            let mut f = vec![s3::account_blocked(name, account, account_block)];
            f.extend(s3::public_access_blocked(name, buckets));
            f
        }
        Params::S3TlsOnly(_) => s3::tls_only(name, aws.buckets(limit).await),
        Params::CloudTrail(p) => {
            let (trails, buckets) = tokio::join!(aws.trails(), aws.buckets(limit));
            trail::enabled(name, account, trails, buckets, p)
        }
        Params::MonitoringAlarms(p) => {
            let inv = aws.rds(limit).await;
            monitoring::alarms_notify(name, p, inv, aws.monitoring(limit).await)
        }
        _ => vec![Finding::error(
            name,
            "-",
            text!("not an AWS check", "keine AWS-Prüfung"),
        )],
    }
}
