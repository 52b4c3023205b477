//! Point-in-time restore (TOM §7: 35 days of PITR): plan against the restorable
//! window, restore into a new target with the settings a restore does not keep,
//! wait for it, re-apply erasures recorded after the restore time, and check the
//! copy before anyone cuts over to it.

pub mod check;
pub mod window;

use std::collections::BTreeMap;

use aws_sdk_rds::Client as Rds;
use aws_sdk_rds::types::Tag;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::DateTime as SmithyTime;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::aws::error::{AwsError, describe};
use crate::erasure::ledger::Entry;
use window::Window;

pub const TAG_FROM: &str = "ltops:restored-from";
pub const TAG_TIME: &str = "ltops:restore-time";
pub const TAG_AUDIT: &str = "ltops:audit-id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An Aurora cluster.
    Cluster,
    /// An RDS DB instance.
    Instance,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Cluster => "cluster",
            Kind::Instance => "instance",
        })
    }
}

/// What a restore does not carry over by itself and ltops copies explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TargetSettings {
    pub subnet_group: Option<String>,
    pub security_groups: Vec<String>,
    pub kms_key_id: Option<String>,
    pub parameter_group: Option<String>,
    pub deletion_protection: bool,
    pub iam_auth: bool,
    pub log_exports: Vec<String>,
    pub multi_az: Option<bool>,
    pub publicly_accessible: bool,
    pub instance_class: Option<String>,
    /// Aurora: the source's instances (class, availability zone), writer first; the
    /// copy gets the same, so that after cut-over it is as available as production.
    pub members: Vec<Member>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub class: String,
    pub availability_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub kind: Kind,
    pub id: String,
    pub engine: String,
    pub engine_version: Option<String>,
    pub status: String,
    pub window: Window,
    pub settings: TargetSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reapply {
    pub tenant: String,
    pub erased_at: String,
    pub audit_seq: u64,
    /// The erasure is older than the earliest restorable time: no backup in the
    /// window still holds the tenant's data.
    pub left_backup_window: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub source: Source,
    pub time: DateTime<Utc>,
    pub time_utc: String,
    pub time_berlin: String,
    pub target: String,
    /// Erasures recorded after the restore time: re-applied before the copy is used.
    pub reapply: Vec<Reapply>,
    /// Erasures before the restore time, and whether their data has left the window.
    pub earlier_erasures: Vec<Reapply>,
}

fn to_chrono(t: Option<&SmithyTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

fn tags_of(list: &[Tag]) -> BTreeMap<String, String> {
    list.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .filter(|(k, _)| !k.starts_with("ltops:"))
        .collect()
}

pub async fn describe_source(rds: &Rds, kind: Kind, id: &str) -> Result<Source, AwsError> {
    match kind {
        Kind::Cluster => describe_cluster(rds, id).await,
        Kind::Instance => describe_instance(rds, id).await,
    }
}

fn security_groups(list: &[aws_sdk_rds::types::VpcSecurityGroupMembership]) -> Vec<String> {
    list.iter()
        .filter_map(|g| g.vpc_security_group_id().map(str::to_owned))
        .collect()
}

async fn describe_cluster(rds: &Rds, id: &str) -> Result<Source, AwsError> {
    let out = rds
        .describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await
        .map_err(|e| describe("rds:DescribeDBClusters", &e).missing("DB cluster", id))?;
    let c = out
        .db_clusters()
        .first()
        .ok_or_else(|| AwsError::not_found("rds:DescribeDBClusters", "DB cluster", id))?;
    let members = cluster_members(rds, c).await?;
    let instance_class = members.first().map(|m| m.class.clone());
    let latest = to_chrono(c.latest_restorable_time()).unwrap_or_else(Utc::now);
    let earliest = to_chrono(c.earliest_restorable_time())
        .or_else(|| to_chrono(c.cluster_create_time()))
        .unwrap_or(latest);
    Ok(Source {
        kind: Kind::Cluster,
        id: id.to_owned(),
        engine: c.engine().unwrap_or_default().to_owned(),
        engine_version: c.engine_version().map(str::to_owned),
        status: c.status().unwrap_or_default().to_owned(),
        window: Window { earliest, latest },
        settings: TargetSettings {
            subnet_group: c.db_subnet_group().map(str::to_owned),
            security_groups: security_groups(c.vpc_security_groups()),
            kms_key_id: c.kms_key_id().map(str::to_owned),
            parameter_group: c.db_cluster_parameter_group().map(str::to_owned),
            deletion_protection: c.deletion_protection().unwrap_or(false),
            iam_auth: c.iam_database_authentication_enabled().unwrap_or(false),
            log_exports: c.enabled_cloudwatch_logs_exports().to_vec(),
            multi_az: None,
            publicly_accessible: false,
            instance_class,
            members,
            tags: tags_of(c.tag_list()),
        },
    })
}

/// The cluster's instances, writer first: the copy's first instance becomes its
/// writer.
async fn cluster_members(
    rds: &Rds,
    c: &aws_sdk_rds::types::DbCluster,
) -> Result<Vec<Member>, AwsError> {
    let mut ids: Vec<(bool, String)> = c
        .db_cluster_members()
        .iter()
        .filter_map(|m| {
            Some((
                m.is_cluster_writer() != Some(true),
                m.db_instance_identifier()?.to_owned(),
            ))
        })
        .collect();
    ids.sort();
    let mut members = Vec::new();
    for (_, mid) in ids {
        let out = rds
            .describe_db_instances()
            .db_instance_identifier(&mid)
            .send()
            .await
            .map_err(|e| describe("rds:DescribeDBInstances", &e))?;
        if let Some(i) = out.db_instances().first() {
            members.push(Member {
                class: i.db_instance_class().unwrap_or("db.r6g.large").to_owned(),
                availability_zone: i.availability_zone().map(str::to_owned),
            });
        }
    }
    Ok(members)
}

async fn describe_instance(rds: &Rds, id: &str) -> Result<Source, AwsError> {
    let out = rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .map_err(|e| describe("rds:DescribeDBInstances", &e).missing("DB instance", id))?;
    let i = out
        .db_instances()
        .first()
        .ok_or_else(|| AwsError::not_found("rds:DescribeDBInstances", "DB instance", id))?;
    let latest = to_chrono(i.latest_restorable_time()).unwrap_or_else(Utc::now);
    // DescribeDBInstances has no earliest time; the backup retention bounds it.
    let created = to_chrono(i.instance_create_time()).unwrap_or(latest);
    let retention = i64::from(i.backup_retention_period().unwrap_or(0));
    let earliest = created.max(latest - chrono::Duration::days(retention));
    Ok(Source {
        kind: Kind::Instance,
        id: id.to_owned(),
        engine: i.engine().unwrap_or_default().to_owned(),
        engine_version: i.engine_version().map(str::to_owned),
        status: i.db_instance_status().unwrap_or_default().to_owned(),
        window: Window { earliest, latest },
        settings: TargetSettings {
            subnet_group: i
                .db_subnet_group()
                .and_then(|g| g.db_subnet_group_name().map(str::to_owned)),
            security_groups: security_groups(i.vpc_security_groups()),
            kms_key_id: i.kms_key_id().map(str::to_owned),
            parameter_group: i
                .db_parameter_groups()
                .first()
                .and_then(|p| p.db_parameter_group_name().map(str::to_owned)),
            deletion_protection: i.deletion_protection().unwrap_or(false),
            iam_auth: i.iam_database_authentication_enabled().unwrap_or(false),
            log_exports: i.enabled_cloudwatch_logs_exports().to_vec(),
            multi_az: i.multi_az(),
            publicly_accessible: false,
            instance_class: i.db_instance_class().map(str::to_owned),
            members: Vec::new(),
            tags: tags_of(i.tag_list()),
        },
    })
}

/// Whether an identifier is taken. A restore must never overwrite (moto would).
pub async fn exists(rds: &Rds, kind: Kind, id: &str) -> Result<bool, AwsError> {
    match kind {
        Kind::Cluster => taken(
            "rds:DescribeDBClusters",
            rds.describe_db_clusters()
                .db_cluster_identifier(id)
                .send()
                .await,
            |o| !o.db_clusters().is_empty(),
            |e| e.is_db_cluster_not_found_fault(),
        ),
        Kind::Instance => taken(
            "rds:DescribeDBInstances",
            rds.describe_db_instances()
                .db_instance_identifier(id)
                .send()
                .await,
            |o| !o.db_instances().is_empty(),
            |e| e.is_db_instance_not_found_fault(),
        ),
    }
}

/// Reads a describe call by identifier as "taken or not": a not-found error
/// means free.
fn taken<O, E>(
    what: &str,
    described: Result<O, SdkError<E, HttpResponse>>,
    listed: impl FnOnce(&O) -> bool,
    not_found: impl FnOnce(&E) -> bool,
) -> Result<bool, AwsError>
where
    E: aws_sdk_rds::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match described {
        Ok(o) => Ok(listed(&o)),
        Err(e) if e.as_service_error().is_some_and(not_found) => Ok(false),
        Err(e) => Err(describe(what, &e)),
    }
}

/// `<source>-pitr-<yyyymmddthhmmz>`, lower case as RDS stores identifiers, at
/// most 63 characters.
pub fn default_target(source: &str, time: DateTime<Utc>) -> String {
    let suffix = format!("-pitr-{}", time.format("%Y%m%dt%H%Mz"));
    let keep = 63usize.saturating_sub(suffix.len());
    let base: String = source.chars().take(keep).collect();
    format!("{}{suffix}", base.trim_end_matches('-')).to_ascii_lowercase()
}

pub fn valid_identifier(id: &str) -> bool {
    (1..=63).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// Splits the ledger into erasures to re-apply (after `time`) and earlier ones.
pub fn erasures(
    entries: &[Entry],
    time: DateTime<Utc>,
    window: &Window,
) -> (Vec<Reapply>, Vec<Reapply>) {
    let mut after = Vec::new();
    let mut before = Vec::new();
    for e in entries {
        let Ok(at) = DateTime::parse_from_rfc3339(&e.erased_at) else {
            continue;
        };
        let at = at.with_timezone(&Utc);
        let r = Reapply {
            tenant: e.tenant.clone(),
            erased_at: e.erased_at.clone(),
            audit_seq: e.seq,
            left_backup_window: at < window.earliest,
        };
        if at > time {
            after.push(r);
        } else {
            before.push(r);
        }
    }
    (after, before)
}

/// Starts the restore with every setting copied, tagged with its provenance.
pub async fn start(rds: &Rds, plan: &Plan, audit_id: &str) -> Result<(), AwsError> {
    let s = &plan.source.settings;
    let mut tags: Vec<Tag> = s
        .tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    for (k, v) in [
        (TAG_FROM, plan.source.id.as_str()),
        (TAG_TIME, plan.time_utc.as_str()),
        (TAG_AUDIT, audit_id),
    ] {
        tags.push(Tag::builder().key(k).value(v).build());
    }
    let when = SmithyTime::from_secs(plan.time.timestamp());
    match plan.source.kind {
        Kind::Cluster => {
            rds.restore_db_cluster_to_point_in_time()
                .db_cluster_identifier(&plan.target)
                .source_db_cluster_identifier(&plan.source.id)
                .restore_type("full-copy")
                .restore_to_time(when)
                .set_db_subnet_group_name(s.subnet_group.clone())
                .set_vpc_security_group_ids(Some(s.security_groups.clone()))
                .set_kms_key_id(s.kms_key_id.clone())
                .set_db_cluster_parameter_group_name(s.parameter_group.clone())
                .deletion_protection(s.deletion_protection)
                .enable_iam_database_authentication(s.iam_auth)
                .set_enable_cloudwatch_logs_exports(Some(s.log_exports.clone()))
                .copy_tags_to_snapshot(true)
                .set_tags(Some(tags.clone()))
                .send()
                .await
                .map_err(|e| describe("rds:RestoreDBClusterToPointInTime", &e))?;
            // A restored Aurora cluster has no instances: without a writer it is
            // unusable. It gets the source's instances, writer first.
            let members = if s.members.is_empty() {
                vec![Member {
                    class: s
                        .instance_class
                        .clone()
                        .unwrap_or_else(|| "db.r6g.large".into()),
                    availability_zone: None,
                }]
            } else {
                s.members.clone()
            };
            for (n, m) in members.iter().enumerate() {
                rds.create_db_instance()
                    .db_instance_identifier(member_id(&plan.target, n + 1))
                    .db_cluster_identifier(&plan.target)
                    .engine(&plan.source.engine)
                    .db_instance_class(&m.class)
                    .set_availability_zone(m.availability_zone.clone())
                    .publicly_accessible(false)
                    .set_tags(Some(tags.clone()))
                    .send()
                    .await
                    .map_err(|e| describe("rds:CreateDBInstance", &e))?;
            }
        }
        Kind::Instance => {
            rds.restore_db_instance_to_point_in_time()
                .target_db_instance_identifier(&plan.target)
                .source_db_instance_identifier(&plan.source.id)
                .restore_time(when)
                .set_db_instance_class(s.instance_class.clone())
                .set_db_subnet_group_name(s.subnet_group.clone())
                .set_vpc_security_group_ids(Some(s.security_groups.clone()))
                .set_db_parameter_group_name(s.parameter_group.clone())
                .set_multi_az(s.multi_az)
                .publicly_accessible(false)
                .deletion_protection(s.deletion_protection)
                .enable_iam_database_authentication(s.iam_auth)
                .set_enable_cloudwatch_logs_exports(Some(s.log_exports.clone()))
                .copy_tags_to_snapshot(true)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(|e| describe("rds:RestoreDBInstanceToPointInTime", &e))?;
        }
    }
    Ok(())
}

/// `<target>-<n>`; the first is the writer.
pub fn member_id(target: &str, n: usize) -> String {
    let suffix = format!("-{n}");
    let base: String = target.chars().take(63 - suffix.len()).collect();
    format!("{base}{suffix}")
}

/// A restore ltops made, as found by its tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub kind: Kind,
    pub id: String,
    pub status: String,
    pub restored_from: String,
    pub restore_time: Option<String>,
    pub audit_id: Option<String>,
    pub endpoint: Option<String>,
    pub port: Option<i32>,
    /// For clusters: the member instances and their status.
    pub members: Vec<(String, String)>,
}

impl Status {
    /// Ready for use: the cluster and every member (or the instance) available.
    pub fn available(&self) -> bool {
        self.status == "available"
            && (self.kind == Kind::Instance
                || (!self.members.is_empty() && self.members.iter().all(|(_, s)| s == "available")))
    }
}

fn tag(list: &[Tag], key: &str) -> Option<String> {
    list.iter()
        .find(|t| t.key() == Some(key))
        .and_then(|t| t.value().map(str::to_owned))
}

/// What status listing needs of an instance.
struct InstanceInfo {
    status: String,
    cluster: Option<String>,
    tags: Vec<Tag>,
    endpoint: Option<String>,
    port: Option<i32>,
}

/// Every restore ltops made (or just `target`), following every page.
pub async fn statuses(rds: &Rds, target: Option<&str>) -> Result<Vec<Status>, AwsError> {
    let (instances, clusters) = crate::aws::rds::inventory(rds, "").await?;
    let instances: BTreeMap<String, InstanceInfo> = instances
        .iter()
        .map(|i| {
            let id = i.db_instance_identifier().unwrap_or_default().to_owned();
            (id, instance_info(i))
        })
        .collect();
    let mut out: Vec<Status> = clusters
        .iter()
        .filter_map(|c| cluster_status(c, &instances))
        .collect();
    out.extend(
        instances
            .iter()
            .filter(|(_, i)| i.cluster.is_none())
            .filter_map(|(id, i)| instance_status(id, i)),
    );
    if let Some(t) = target {
        out.retain(|s| s.id == t);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn instance_info(i: &aws_sdk_rds::types::DbInstance) -> InstanceInfo {
    InstanceInfo {
        status: i.db_instance_status().unwrap_or_default().to_owned(),
        cluster: i.db_cluster_identifier().map(str::to_owned),
        tags: i.tag_list().to_vec(),
        endpoint: i.endpoint().and_then(|e| e.address().map(str::to_owned)),
        port: i.endpoint().and_then(|e| e.port()),
    }
}

/// A cluster's restore status with its members; `None` when ltops did not make it.
fn cluster_status(
    c: &aws_sdk_rds::types::DbCluster,
    instances: &BTreeMap<String, InstanceInfo>,
) -> Option<Status> {
    let from = tag(c.tag_list(), TAG_FROM)?;
    let id = c.db_cluster_identifier().unwrap_or_default().to_owned();
    let members = instances
        .iter()
        .filter(|(_, v)| v.cluster.as_deref() == Some(id.as_str()))
        .map(|(k, v)| (k.clone(), v.status.clone()))
        .collect();
    Some(Status {
        kind: Kind::Cluster,
        status: c.status().unwrap_or_default().to_owned(),
        restored_from: from,
        restore_time: tag(c.tag_list(), TAG_TIME),
        audit_id: tag(c.tag_list(), TAG_AUDIT),
        endpoint: c.endpoint().map(str::to_owned),
        port: c.port(),
        members,
        id,
    })
}

/// A stand-alone instance's restore status; `None` when ltops did not make it.
fn instance_status(id: &str, i: &InstanceInfo) -> Option<Status> {
    Some(Status {
        kind: Kind::Instance,
        id: id.to_owned(),
        status: i.status.clone(),
        restored_from: tag(&i.tags, TAG_FROM)?,
        restore_time: tag(&i.tags, TAG_TIME),
        audit_id: tag(&i.tags, TAG_AUDIT),
        endpoint: i.endpoint.clone(),
        port: i.port,
        members: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_target_names() {
        let t = DateTime::parse_from_rfc3339("2026-11-27T03:12:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            default_target("platform-prod", t),
            "platform-prod-pitr-20261127t0312z"
        );
        let long = "a".repeat(80);
        let id = default_target(&long, t);
        assert_eq!(id.len(), 63);
        assert!(valid_identifier(&id));
        assert!(!valid_identifier("1abc"));
        assert!(!valid_identifier("a--b"));
        assert!(!valid_identifier("a_b"));
    }
}
