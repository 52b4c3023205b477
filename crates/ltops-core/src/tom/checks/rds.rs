//! RDS and Aurora: every instance and every cluster in the scanned regions, with
//! the KMS keys and the effective TLS parameter behind them.
//!
//! moto (and Aurora itself, partly) reports some settings of Aurora member
//! instances as defaults, so cluster-level settings are checked on the cluster
//! and the members say NOT_APPLICABLE with a pointer to it.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use serde::Deserialize;

use super::super::{Finding, Text, parallel};
use super::SourceError;
use crate::aws::error::describe;
use crate::text;
use aws_sdk_rds::operation::describe_db_cluster_parameters::DescribeDBClusterParametersError;
use aws_sdk_rds::operation::describe_db_parameters::DescribeDBParametersError;

// ---- parameters ------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionParams {
    /// Regions where personal data may be processed (the EEA ones).
    pub allowed_regions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupParams {
    pub min_days: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionParams {
    /// The key must be customer-managed (not the AWS-managed aws/rds key).
    pub require_customer_managed_key: bool,
    /// Automatic rotation must be on.
    pub require_rotation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForceSslParams {
    /// The parameter that forces TLS, e.g. `rds.force_ssl`.
    pub parameter: String,
    /// The value it must have, e.g. "1".
    pub required_value: String,
    /// The value the engine uses when no parameter group sets it; the first
    /// matching entry wins. Parameter listings do not always show defaults.
    pub engine_defaults: Vec<EngineDefault>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineDefault {
    pub engine: String,
    /// Applies from this major version on (absent: every version).
    #[serde(default)]
    pub min_major_version: Option<u32>,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaParams {
    pub min_cluster_members: usize,
    pub min_availability_zones: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogExportParams {
    pub required: Vec<String>,
}

// ---- inventory -------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DbInstance {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub engine: String,
    pub engine_version: String,
    pub cluster: Option<String>,
    pub az: Option<String>,
    pub multi_az: bool,
    pub public: bool,
    pub encrypted: bool,
    pub kms_key: Option<String>,
    pub backup_retention: i32,
    pub deletion_protection: bool,
    pub iam_auth: bool,
    pub log_exports: Vec<String>,
    pub param_group: Option<String>,
    /// Its tags (key, value): the monitoring check selects production by tag.
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DbCluster {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub engine: String,
    pub engine_version: String,
    pub members: Vec<String>,
    pub encrypted: bool,
    pub kms_key: Option<String>,
    pub backup_retention: i32,
    pub deletion_protection: bool,
    pub iam_auth: bool,
    pub log_exports: Vec<String>,
    pub param_group: Option<String>,
    pub public: Option<bool>,
    pub tags: Vec<(String, String)>,
}

/// What one region showed, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionScan {
    pub region: String,
    pub result: Result<(Vec<DbInstance>, Vec<DbCluster>), SourceError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inventory {
    pub regions: Vec<RegionScan>,
}

impl Inventory {
    /// The inventory of an account whose regions could not be listed: every
    /// check reports that as ERROR instead of finding nothing.
    pub fn unlisted(e: SourceError) -> Inventory {
        Inventory {
            regions: vec![RegionScan {
                region: "every region (the enabled regions could not be listed)".into(),
                result: Err(e),
            }],
        }
    }

    pub fn instances(&self) -> impl Iterator<Item = &DbInstance> {
        self.regions
            .iter()
            .filter_map(|r| r.result.as_ref().ok())
            .flat_map(|(i, _)| i.iter())
    }

    pub fn clusters(&self) -> impl Iterator<Item = &DbCluster> {
        self.regions
            .iter()
            .filter_map(|r| r.result.as_ref().ok())
            .flat_map(|(_, c)| c.iter())
    }

    fn instance(&self, region: &str, id: &str) -> Option<&DbInstance> {
        self.instances().find(|i| i.region == region && i.id == id)
    }
}

pub async fn fetch(sdk: &SdkConfig, regions: &[String], limit: usize) -> Inventory {
    let regions = parallel::map(regions.iter().cloned(), limit, |region| async move {
        let client = aws_sdk_rds::Client::new(&crate::aws::config::in_region(sdk, &region));
        let result = fetch_region(&client, &region).await;
        RegionScan { region, result }
    })
    .await;
    Inventory { regions }
}

async fn fetch_region(
    client: &aws_sdk_rds::Client,
    region: &str,
) -> Result<(Vec<DbInstance>, Vec<DbCluster>), SourceError> {
    let (instances, clusters) = crate::aws::rds::inventory(client, &format!(" in {region}"))
        .await
        .map_err(SourceError::from)?;
    Ok((
        instances.iter().map(|i| instance_of(i, region)).collect(),
        clusters.iter().map(|c| cluster_of(c, region)).collect(),
    ))
}

fn instance_of(i: &aws_sdk_rds::types::DbInstance, region: &str) -> DbInstance {
    DbInstance {
        id: i.db_instance_identifier().unwrap_or_default().to_owned(),
        arn: i.db_instance_arn().unwrap_or_default().to_owned(),
        region: region.to_owned(),
        engine: i.engine().unwrap_or_default().to_owned(),
        engine_version: i.engine_version().unwrap_or_default().to_owned(),
        cluster: i.db_cluster_identifier().map(str::to_owned),
        az: i.availability_zone().map(str::to_owned),
        multi_az: i.multi_az().unwrap_or(false),
        public: i.publicly_accessible().unwrap_or(false),
        encrypted: i.storage_encrypted().unwrap_or(false),
        kms_key: i.kms_key_id().map(str::to_owned),
        backup_retention: i.backup_retention_period().unwrap_or(0),
        deletion_protection: i.deletion_protection().unwrap_or(false),
        iam_auth: i.iam_database_authentication_enabled().unwrap_or(false),
        log_exports: i.enabled_cloudwatch_logs_exports().to_vec(),
        param_group: i
            .db_parameter_groups()
            .first()
            .and_then(|g| g.db_parameter_group_name())
            .map(str::to_owned),
        tags: tags_of(i.tag_list()),
    }
}

fn tags_of(list: &[aws_sdk_rds::types::Tag]) -> Vec<(String, String)> {
    list.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn cluster_of(c: &aws_sdk_rds::types::DbCluster, region: &str) -> DbCluster {
    DbCluster {
        id: c.db_cluster_identifier().unwrap_or_default().to_owned(),
        arn: c.db_cluster_arn().unwrap_or_default().to_owned(),
        region: region.to_owned(),
        engine: c.engine().unwrap_or_default().to_owned(),
        engine_version: c.engine_version().unwrap_or_default().to_owned(),
        members: c
            .db_cluster_members()
            .iter()
            .filter_map(|m| m.db_instance_identifier().map(str::to_owned))
            .collect(),
        encrypted: c.storage_encrypted().unwrap_or(false),
        kms_key: c.kms_key_id().map(str::to_owned),
        backup_retention: c.backup_retention_period().unwrap_or(0),
        deletion_protection: c.deletion_protection().unwrap_or(false),
        iam_auth: c.iam_database_authentication_enabled().unwrap_or(false),
        log_exports: c.enabled_cloudwatch_logs_exports().to_vec(),
        param_group: c.db_cluster_parameter_group().map(str::to_owned),
        public: c.publicly_accessible(),
        tags: tags_of(c.tag_list()),
    }
}

/// KMS key facts behind the encrypted resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub customer_managed: bool,
    pub enabled: bool,
    pub rotation: bool,
}

pub type Keys = BTreeMap<String, Result<KeyInfo, SourceError>>;

pub async fn fetch_keys(sdk: &SdkConfig, inv: &Inventory, limit: usize) -> Keys {
    let mut keys: BTreeSet<(String, String)> = BTreeSet::new();
    for i in inv.instances().filter(|i| i.cluster.is_none()) {
        if let Some(k) = &i.kms_key {
            keys.insert((k.clone(), key_region(k, &i.region)));
        }
    }
    for c in inv.clusters() {
        if let Some(k) = &c.kms_key {
            keys.insert((k.clone(), key_region(k, &c.region)));
        }
    }
    parallel::map(keys, limit, |(key, region)| async move {
        let client = aws_sdk_kms::Client::new(&crate::aws::config::in_region(sdk, &region));
        let info = key_info(&client, &key).await;
        (key, info)
    })
    .await
    .into_iter()
    .collect()
}

pub(crate) fn key_region(key: &str, fallback: &str) -> String {
    let parts: Vec<&str> = key.split(':').collect();
    if parts.len() > 4 && parts[0] == "arn" && !parts[3].is_empty() {
        parts[3].to_owned()
    } else {
        fallback.to_owned()
    }
}

pub(crate) async fn key_info(
    client: &aws_sdk_kms::Client,
    key: &str,
) -> Result<KeyInfo, SourceError> {
    let d = client
        .describe_key()
        .key_id(key)
        .send()
        .await
        .map_err(|e| describe("kms:DescribeKey", &e))?;
    let meta = d.key_metadata().ok_or_else(|| SourceError::Incomplete {
        call: "kms:DescribeKey".into(),
        missing: "returned no key metadata".into(),
    })?;
    let customer_managed = matches!(
        meta.key_manager(),
        Some(aws_sdk_kms::types::KeyManagerType::Customer)
    );
    let rotation = if customer_managed {
        client
            .get_key_rotation_status()
            .key_id(key)
            .send()
            .await
            .map_err(|e| describe("kms:GetKeyRotationStatus", &e))?
            .key_rotation_enabled()
    } else {
        // AWS-managed keys rotate yearly by themselves; the check fails them for
        // not being customer-managed anyway.
        true
    };
    Ok(KeyInfo {
        customer_managed,
        enabled: meta.enabled(),
        rotation,
    })
}

/// Which parameter group (instance or cluster) a value comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupRef {
    pub region: String,
    pub cluster: bool,
    pub name: String,
}

/// A parameter as listed: `Ok(Some)` set, `Ok(None)` not listed (engine default),
/// `Err` unreadable. A missing `default.*` group reads as "not listed".
pub type ParamValues = BTreeMap<GroupRef, Result<Option<String>, SourceError>>;

pub async fn fetch_params(
    sdk: &SdkConfig,
    inv: &Inventory,
    parameter: &str,
    limit: usize,
) -> ParamValues {
    let mut groups: BTreeSet<GroupRef> = BTreeSet::new();
    for i in inv.instances().filter(|i| i.cluster.is_none()) {
        if let Some(g) = &i.param_group {
            groups.insert(GroupRef {
                region: i.region.clone(),
                cluster: false,
                name: g.clone(),
            });
        }
    }
    for c in inv.clusters() {
        if let Some(g) = &c.param_group {
            groups.insert(GroupRef {
                region: c.region.clone(),
                cluster: true,
                name: g.clone(),
            });
        }
    }
    parallel::map(groups, limit, |g| async move {
        let client = aws_sdk_rds::Client::new(&crate::aws::config::in_region(sdk, &g.region));
        let v = param_value(&client, &g, parameter).await;
        (g, v)
    })
    .await
    .into_iter()
    .collect()
}

async fn param_value(
    client: &aws_sdk_rds::Client,
    g: &GroupRef,
    parameter: &str,
) -> Result<Option<String>, SourceError> {
    // The two listings differ in their request and error types only; a missing
    // group is told apart on each one's own typed error.
    let listed = if g.cluster {
        let request = client
            .describe_db_cluster_parameters()
            .db_cluster_parameter_group_name(&g.name);
        let not_found = DescribeDBClusterParametersError::is_db_parameter_group_not_found_fault;
        all_items!(request)
            .await
            .map_err(|e| unlisted(g, "rds:DescribeDBClusterParameters", &e, not_found))
    } else {
        let request = client
            .describe_db_parameters()
            .db_parameter_group_name(&g.name);
        let not_found = DescribeDBParametersError::is_db_parameter_group_not_found_fault;
        all_items!(request)
            .await
            .map_err(|e| unlisted(g, "rds:DescribeDBParameters", &e, not_found))
    };
    match listed {
        Ok(params) => Ok(params
            .into_iter()
            .find(|p| p.parameter_name() == Some(parameter))
            .and_then(|p| p.parameter_value)),
        Err(None) => Ok(None),
        Err(Some(e)) => Err(e),
    }
}

/// Why a group's parameters could not be listed; `None` when the group is a
/// `default.*` one that does not exist, which means the engine defaults apply.
fn unlisted<E, R>(
    g: &GroupRef,
    what: &str,
    e: &aws_sdk_rds::error::SdkError<E, R>,
    is_not_found: fn(&E) -> bool,
) -> Option<SourceError>
where
    E: aws_sdk_rds::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let missing = e.as_service_error().is_some_and(is_not_found);
    if missing && g.name.starts_with("default.") {
        None
    } else {
        Some(describe(what, e).into())
    }
}

// ---- evaluation ------------------------------------------------------------------

/// The kind of resource, as a finding names it.
pub(crate) fn label_instance(i: &DbInstance) -> String {
    if i.arn.is_empty() {
        format!("db instance {} ({})", i.id, i.region)
    } else {
        i.arn.clone()
    }
}

pub(crate) fn label_cluster(c: &DbCluster) -> String {
    if c.arn.is_empty() {
        format!("db cluster {} ({})", c.id, c.region)
    } else {
        c.arn.clone()
    }
}

/// Findings for unreadable regions, and NOT_APPLICABLE when there is nothing at all.
fn frame(check: &str, inv: &Inventory, mut findings: Vec<Finding>) -> Vec<Finding> {
    for r in &inv.regions {
        if let Err(e) = &r.result {
            findings.push(Finding::error(
                check,
                format!("rds in {}", r.region),
                Text::same(e.to_string()),
            ));
        }
    }
    if findings.is_empty() {
        findings.push(Finding::na(
            check,
            "rds",
            text!(
                "no RDS instances or clusters in {}",
                "keine RDS-Instanzen oder -Cluster in {}",
                inv.regions
                    .iter()
                    .map(|r| r.region.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    findings
}

fn member_na(check: &str, i: &DbInstance) -> Finding {
    Finding::na(
        check,
        label_instance(i),
        text!(
            "member of cluster {}: checked at cluster level",
            "Mitglied des Clusters {}: auf Cluster-Ebene geprüft",
            i.cluster.as_deref().unwrap_or("?")
        ),
    )
}

/// Applies `f` to standalone instances and clusters; cluster members are NOT_APPLICABLE.
pub(crate) fn cluster_level(
    check: &str,
    inv: &Inventory,
    fi: impl Fn(&DbInstance) -> Finding,
    fc: impl Fn(&DbCluster) -> Finding,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for i in inv.instances() {
        out.push(if i.cluster.is_some() {
            member_na(check, i)
        } else {
            fi(i)
        });
    }
    for c in inv.clusters() {
        out.push(fc(c));
    }
    frame(check, inv, out)
}

pub fn region_in_eea(check: &str, p: &RegionParams, inv: &Inventory) -> Vec<Finding> {
    let verdict = |label: String, region: &str| {
        let ok = p.allowed_regions.iter().any(|r| r == region);
        Finding::verdict(
            check,
            label,
            ok,
            if ok {
                text!("region {} is in the EEA", "Region {} liegt im EWR", region)
            } else {
                text!(
                    "region {} is not an allowed region ({})",
                    "Region {} ist keine erlaubte Region ({})",
                    region,
                    p.allowed_regions.join(", ")
                )
            },
        )
    };
    let mut out: Vec<Finding> = inv
        .instances()
        .map(|i| verdict(label_instance(i), &i.region))
        .collect();
    out.extend(inv.clusters().map(|c| verdict(label_cluster(c), &c.region)));
    frame(check, inv, out)
}

pub fn backup_retention(check: &str, p: &BackupParams, inv: &Inventory) -> Vec<Finding> {
    let v = |label: String, days: i32| {
        Finding::verdict(
            check,
            label,
            days >= p.min_days,
            text!(
                "backup retention {} days (required: at least {})",
                "Aufbewahrung der Backups {} Tage (verlangt: mindestens {})",
                days,
                p.min_days
            ),
        )
    };
    cluster_level(
        check,
        inv,
        |i| v(label_instance(i), i.backup_retention),
        |c| v(label_cluster(c), c.backup_retention),
    )
}

pub fn encryption(check: &str, p: &EncryptionParams, inv: &Inventory, keys: &Keys) -> Vec<Finding> {
    let v = |label: String, encrypted: bool, key: &Option<String>| {
        if !encrypted {
            return Finding::fail(
                check,
                label,
                text!(
                    "storage is not encrypted",
                    "der Speicher ist nicht verschlüsselt"
                ),
            );
        }
        let Some(key) = key else {
            return Finding::fail(
                check,
                label,
                text!(
                    "storage encrypted, but no KMS key is named",
                    "Speicher verschlüsselt, aber kein KMS-Schlüssel benannt"
                ),
            );
        };
        key_finding(check, &label, p, key, keys)
    };
    cluster_level(
        check,
        inv,
        |i| v(label_instance(i), i.encrypted, &i.kms_key),
        |c| v(label_cluster(c), c.encrypted, &c.kms_key),
    )
}

/// PASS for a customer-managed, rotated, enabled key (as `p` requires), else
/// The finding of a named KMS key as looked up for the run: ERROR when it was
/// not looked up or could not be, else [`key_verdict`].
pub(crate) fn key_finding(
    check: &str,
    label: &str,
    p: &EncryptionParams,
    key: &str,
    keys: &Keys,
) -> Finding {
    match keys.get(key) {
        None => Finding::error(
            check,
            label,
            text!(
                "KMS key {} was not looked up",
                "KMS-Schlüssel {} wurde nicht nachgeschlagen",
                key
            ),
        ),
        Some(Err(e)) => Finding::error(
            check,
            label,
            text!("KMS key {}: {}", "KMS-Schlüssel {}: {}", key, e),
        ),
        Some(Ok(k)) => key_verdict(check, label, p, key, k),
    }
}

/// FAIL naming what is wrong with it.
fn key_verdict(check: &str, label: &str, p: &EncryptionParams, key: &str, k: &KeyInfo) -> Finding {
    let mut problems = Vec::new();
    if p.require_customer_managed_key && !k.customer_managed {
        problems.push(text!(
            "the key is AWS-managed, not customer-managed",
            "der Schlüssel wird von AWS verwaltet, nicht vom Kunden"
        ));
    }
    if p.require_rotation && !k.rotation {
        problems.push(text!(
            "automatic key rotation is off",
            "die automatische Schlüsselrotation ist aus"
        ));
    }
    if !k.enabled {
        problems.push(text!(
            "the key is disabled",
            "der Schlüssel ist deaktiviert"
        ));
    }
    if problems.is_empty() {
        Finding::pass(
            check,
            label,
            text!(
                "encrypted with customer-managed KMS key {}, rotation on",
                "verschlüsselt mit kundenverwaltetem KMS-Schlüssel {}, Rotation an",
                key
            ),
        )
    } else {
        Finding::fail(
            check,
            label,
            text!(
                "encrypted with KMS key {}, but {}",
                "verschlüsselt mit KMS-Schlüssel {}, aber {}",
                key,
                Text::join_all(&problems, "; ")
            ),
        )
    }
}

fn major_version(v: &str) -> Option<u32> {
    v.split('.').next()?.parse().ok()
}

/// The engine default of the TLS parameter from the catalog's table.
pub fn engine_default<'a>(p: &'a ForceSslParams, engine: &str, version: &str) -> Option<&'a str> {
    let major = major_version(version);
    p.engine_defaults
        .iter()
        .find(|d| {
            d.engine == engine
                && match d.min_major_version {
                    None => true,
                    Some(min) => major.is_some_and(|m| m >= min),
                }
        })
        .map(|d| d.value.as_str())
}

pub fn force_ssl(
    check: &str,
    p: &ForceSslParams,
    inv: &Inventory,
    values: &ParamValues,
) -> Vec<Finding> {
    let v = |label: String, group: Option<GroupRef>, engine: &str, version: &str| {
        let listed = match &group {
            None => Ok(None),
            Some(g) => match values.get(g) {
                None => Err(SourceError::NotRead(format!("parameter group {}", g.name))),
                Some(r) => r.clone(),
            },
        };
        let group_name = group.as_ref().map_or("(none)", |g| g.name.as_str());
        let (value, source) = match listed {
            Err(e) => return Finding::error(check, label, Text::same(e.to_string())),
            Ok(Some(v)) => (
                v,
                text!(
                    "set in parameter group {}",
                    "gesetzt in Parametergruppe {}",
                    group_name
                ),
            ),
            Ok(None) => match engine_default(p, engine, version) {
                Some(d) => (
                    d.to_owned(),
                    text!(
                        "not set in parameter group {0}: engine default for {1} {2} (catalog table)",
                        "nicht gesetzt in Parametergruppe {0}: Standardwert der Engine {1} {2} (Tabelle im Katalog)",
                        group_name,
                        engine,
                        version
                    ),
                ),
                None => {
                    return Finding::error(
                        check,
                        label,
                        text!(
                            "{0} is not set in parameter group {1} and the catalog has no engine default for {2} {3} — add one to engine_defaults",
                            "{0} ist in Parametergruppe {1} nicht gesetzt, und der Katalog kennt keinen Standardwert für {2} {3} — in engine_defaults ergänzen",
                            p.parameter,
                            group_name,
                            engine,
                            version
                        ),
                    );
                }
            },
        };
        Finding::verdict(
            check,
            label,
            value == p.required_value,
            text!(
                "{0} = {1} ({2}); required {3}",
                "{0} = {1} ({2}); verlangt {3}",
                p.parameter,
                value,
                source,
                p.required_value
            ),
        )
    };
    cluster_level(
        check,
        inv,
        |i| {
            v(
                label_instance(i),
                i.param_group.as_ref().map(|n| GroupRef {
                    region: i.region.clone(),
                    cluster: false,
                    name: n.clone(),
                }),
                &i.engine,
                &i.engine_version,
            )
        },
        |c| {
            v(
                label_cluster(c),
                c.param_group.as_ref().map(|n| GroupRef {
                    region: c.region.clone(),
                    cluster: true,
                    name: n.clone(),
                }),
                &c.engine,
                &c.engine_version,
            )
        },
    )
}

pub fn deletion_protection(check: &str, inv: &Inventory) -> Vec<Finding> {
    must_be_on(
        check,
        inv,
        text!("deletion protection", "Löschschutz"),
        |i| i.deletion_protection,
        |c| c.deletion_protection,
    )
}

/// A switch that must be on, checked where it lives (cluster or instance); the
/// evidence reads "<what> on" or "<what> off".
fn must_be_on(
    check: &str,
    inv: &Inventory,
    what: Text,
    instance: impl Fn(&DbInstance) -> bool,
    cluster: impl Fn(&DbCluster) -> bool,
) -> Vec<Finding> {
    let v = |label: String, on: bool| {
        let state = if on {
            text!("on", "an")
        } else {
            text!("off", "aus")
        };
        Finding::verdict(check, label, on, text!("{} {}", "{} {}", what, state))
    };
    cluster_level(
        check,
        inv,
        |i| v(label_instance(i), instance(i)),
        |c| v(label_cluster(c), cluster(c)),
    )
}

pub fn high_availability(check: &str, p: &HaParams, inv: &Inventory) -> Vec<Finding> {
    cluster_level(
        check,
        inv,
        |i| {
            Finding::verdict(
                check,
                label_instance(i),
                i.multi_az,
                if i.multi_az {
                    text!("Multi-AZ deployment", "Multi-AZ-Bereitstellung")
                } else {
                    text!(
                        "single-AZ deployment in {}",
                        "Bereitstellung in nur einer Availability Zone ({})",
                        i.az.as_deref().unwrap_or("?")
                    )
                },
            )
        },
        |c| {
            let azs: BTreeSet<String> = c
                .members
                .iter()
                .filter_map(|m| inv.instance(&c.region, m))
                .filter_map(|i| i.az.clone())
                .collect();
            let ok =
                c.members.len() >= p.min_cluster_members && azs.len() >= p.min_availability_zones;
            Finding::verdict(
                check,
                label_cluster(c),
                ok,
                text!(
                    "{} member(s) in {} availability zone(s) ({}); required: at least {} members in {} zones",
                    "{} Mitglied(er) in {} Availability Zone(s) ({}); verlangt: mindestens {} Mitglieder in {} Zonen",
                    c.members.len(),
                    azs.len(),
                    azs.iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    p.min_cluster_members,
                    p.min_availability_zones
                ),
            )
        },
    )
}

pub fn not_public(check: &str, inv: &Inventory) -> Vec<Finding> {
    let v = |label: String, public: bool| {
        let state = if public {
            text!("publicly accessible", "öffentlich erreichbar")
        } else {
            text!("not publicly accessible", "nicht öffentlich erreichbar")
        };
        Finding::verdict(check, label, !public, state)
    };
    let mut out: Vec<Finding> = inv
        .instances()
        .map(|i| v(label_instance(i), i.public))
        .collect();
    for c in inv.clusters() {
        out.push(match c.public {
            Some(public) => v(label_cluster(c), public),
            None => Finding::na(
                check,
                label_cluster(c),
                text!(
                    "access is a setting of the member instances: checked per instance",
                    "Erreichbarkeit ist eine Einstellung der Mitglieds-Instanzen: je Instanz geprüft"
                ),
            ),
        });
    }
    frame(check, inv, out)
}

pub fn iam_auth(check: &str, inv: &Inventory) -> Vec<Finding> {
    must_be_on(
        check,
        inv,
        text!(
            "IAM database authentication",
            "IAM-Datenbank-Authentifizierung"
        ),
        |i| i.iam_auth,
        |c| c.iam_auth,
    )
}

pub fn log_exports(check: &str, p: &LogExportParams, inv: &Inventory) -> Vec<Finding> {
    let v = |label: String, have: &[String]| {
        let missing: Vec<&String> = p.required.iter().filter(|r| !have.contains(r)).collect();
        Finding::verdict(
            check,
            label,
            missing.is_empty(),
            if missing.is_empty() {
                text!("log exports: {}", "exportierte Logs: {}", have.join(", "))
            } else {
                text!(
                    "log exports [{}]; missing: {}",
                    "exportierte Logs [{}]; es fehlen: {}",
                    have.join(", "),
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        )
    };
    cluster_level(
        check,
        inv,
        |i| v(label_instance(i), &i.log_exports),
        |c| v(label_cluster(c), &c.log_exports),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tom::Status;

    fn inst(id: &str) -> DbInstance {
        DbInstance {
            id: id.into(),
            region: "eu-central-1".into(),
            engine: "postgres".into(),
            engine_version: "16.4".into(),
            multi_az: true,
            encrypted: true,
            kms_key: Some("arn:aws:kms:eu-central-1:1:key/k".into()),
            backup_retention: 35,
            deletion_protection: true,
            iam_auth: true,
            log_exports: vec!["postgresql".into()],
            param_group: Some("pg".into()),
            az: Some("eu-central-1a".into()),
            ..Default::default()
        }
    }

    fn inv(instances: Vec<DbInstance>, clusters: Vec<DbCluster>) -> Inventory {
        Inventory {
            regions: vec![RegionScan {
                region: "eu-central-1".into(),
                result: Ok((instances, clusters)),
            }],
        }
    }

    fn statuses(f: &[Finding]) -> Vec<Status> {
        f.iter().map(|f| f.status).collect()
    }

    fn ssl_params() -> ForceSslParams {
        ForceSslParams {
            parameter: "rds.force_ssl".into(),
            required_value: "1".into(),
            engine_defaults: vec![
                EngineDefault {
                    engine: "postgres".into(),
                    min_major_version: Some(15),
                    value: "1".into(),
                },
                EngineDefault {
                    engine: "postgres".into(),
                    min_major_version: None,
                    value: "0".into(),
                },
            ],
        }
    }

    #[test]
    fn force_ssl_uses_the_listed_value_then_the_engine_default() {
        let p = ssl_params();
        let mut old = inst("old");
        old.engine_version = "14.9".into();
        let i = inv(vec![inst("new"), old], vec![]);
        let g = GroupRef {
            region: "eu-central-1".into(),
            cluster: false,
            name: "pg".into(),
        };
        let mut values = ParamValues::new();
        values.insert(g.clone(), Ok(None));
        // Not listed: 16 defaults to 1, 14 to 0.
        assert_eq!(
            statuses(&force_ssl("c", &p, &i, &values)),
            [Status::Pass, Status::Fail]
        );
        values.insert(g.clone(), Ok(Some("0".into())));
        assert_eq!(
            statuses(&force_ssl("c", &p, &i, &values)),
            [Status::Fail, Status::Fail]
        );
        values.insert(g, Err(SourceError::Aws("AccessDenied".into())));
        assert_eq!(
            statuses(&force_ssl("c", &p, &i, &values)),
            [Status::Error, Status::Error]
        );
        let mut mysql = inst("m");
        mysql.engine = "mysql".into();
        let values = ParamValues::from([(
            GroupRef {
                region: "eu-central-1".into(),
                cluster: false,
                name: "pg".into(),
            },
            Ok(None),
        )]);
        assert_eq!(
            statuses(&force_ssl("c", &p, &inv(vec![mysql], vec![]), &values)),
            [Status::Error]
        );
    }

    #[test]
    fn cluster_members_defer_to_the_cluster_and_ha_counts_azs() {
        let mut a = inst("a");
        a.cluster = Some("c".into());
        let mut b = inst("b");
        b.cluster = Some("c".into());
        b.az = Some("eu-central-1a".into());
        let c = DbCluster {
            id: "c".into(),
            region: "eu-central-1".into(),
            members: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        let p = HaParams {
            min_cluster_members: 2,
            min_availability_zones: 2,
        };
        let f = high_availability("ha", &p, &inv(vec![a.clone(), b.clone()], vec![c.clone()]));
        assert_eq!(
            statuses(&f),
            [Status::NotApplicable, Status::NotApplicable, Status::Fail]
        );
        b.az = Some("eu-central-1b".into());
        let f = high_availability("ha", &p, &inv(vec![a, b], vec![c]));
        assert_eq!(f[2].status, Status::Pass, "{:?}", f[2]);
    }

    #[test]
    fn unreadable_region_is_an_error_and_empty_is_not_applicable() {
        let i = Inventory {
            regions: vec![
                RegionScan {
                    region: "eu-west-1".into(),
                    result: Err(SourceError::Aws("AccessDenied".into())),
                },
                RegionScan {
                    region: "eu-west-3".into(),
                    result: Ok((vec![], vec![])),
                },
            ],
        };
        assert_eq!(statuses(&deletion_protection("d", &i)), [Status::Error]);
        let empty = inv(vec![], vec![]);
        assert_eq!(
            statuses(&deletion_protection("d", &empty)),
            [Status::NotApplicable]
        );
    }

    #[test]
    fn region_encryption_and_retention() {
        let mut london = inst("l");
        london.region = "eu-west-2".into();
        let p = RegionParams {
            allowed_regions: vec!["eu-central-1".into()],
        };
        let i = Inventory {
            regions: vec![RegionScan {
                region: "eu-west-2".into(),
                result: Ok((vec![london], vec![])),
            }],
        };
        assert_eq!(statuses(&region_in_eea("r", &p, &i)), [Status::Fail]);

        let mut plain = inst("p");
        plain.encrypted = false;
        let keys = Keys::from([(
            "arn:aws:kms:eu-central-1:1:key/k".to_owned(),
            Ok(KeyInfo {
                customer_managed: true,
                enabled: true,
                rotation: false,
            }),
        )]);
        let ep = EncryptionParams {
            require_customer_managed_key: true,
            require_rotation: true,
        };
        assert_eq!(
            statuses(&encryption(
                "e",
                &ep,
                &inv(vec![inst("a"), plain], vec![]),
                &keys
            )),
            [Status::Fail, Status::Fail]
        );
        let mut week = inst("w");
        week.backup_retention = 7;
        assert_eq!(
            statuses(&backup_retention(
                "b",
                &BackupParams { min_days: 35 },
                &inv(vec![inst("a"), week], vec![])
            )),
            [Status::Pass, Status::Fail]
        );
    }
}
