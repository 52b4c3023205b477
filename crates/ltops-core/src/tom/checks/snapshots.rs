//! RDS DB and cluster snapshots (manual and automated) in every enabled region:
//! a snapshot is a full copy of the data, so it must be encrypted with a
//! customer-managed key, not public, shared only with allowed accounts, and
//! stay in the allowed regions — the same promises as the database itself.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use serde::Deserialize;

use super::super::{Finding, Text, parallel};
use super::SourceError;
use super::rds::{Keys, key_info, key_region};
use crate::aws::error::describe;
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedParams {
    /// Accounts a manual snapshot may be shared with (e.g. the backup account).
    pub allowed_accounts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub arn: String,
    pub region: String,
    pub kind: String,
    pub encrypted: bool,
    pub kms_key: Option<String>,
    /// The `restore` attribute: account ids, or `all` for public.
    pub restore: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshots {
    pub regions: Vec<(String, Result<Vec<Snapshot>, SourceError>)>,
    pub keys: Keys,
}

impl Snapshots {
    fn all(&self) -> impl Iterator<Item = &Snapshot> {
        self.regions
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .flatten()
    }
}

/// Every snapshot of every region, its sharing, and the keys behind them.
pub async fn fetch(
    sdk: &SdkConfig,
    regions: &Result<Vec<String>, SourceError>,
    limit: usize,
) -> Snapshots {
    let regions = match regions {
        Ok(r) => r.clone(),
        Err(e) => {
            return Snapshots {
                regions: vec![("every region".into(), Err(e.clone()))],
                keys: BTreeMap::new(),
            };
        }
    };
    let regions = parallel::map(regions, limit, |region| async move {
        let r = fetch_region(sdk, &region, limit).await;
        (region, r)
    })
    .await;
    let mut keys = BTreeSet::new();
    for (region, r) in &regions {
        for s in r.iter().flatten() {
            if let Some(k) = &s.kms_key {
                keys.insert((key_region(k, region), k.clone()));
            }
        }
    }
    let keys = parallel::map(keys, limit, |(region, key)| async move {
        let kms = aws_sdk_kms::Client::new(&crate::aws::config::in_region(sdk, &region));
        let info = key_info(&kms, &key).await;
        (key, info)
    })
    .await
    .into_iter()
    .collect();
    Snapshots { regions, keys }
}

async fn fetch_region(
    sdk: &SdkConfig,
    region: &str,
    limit: usize,
) -> Result<Vec<Snapshot>, SourceError> {
    let rds = aws_sdk_rds::Client::new(&crate::aws::config::in_region(sdk, region));
    let db = all_items!(rds.describe_db_snapshots());
    let cl = all_items!(rds.describe_db_cluster_snapshots());
    let (db, cl): (Result<Vec<_>, _>, Result<Vec<_>, _>) = tokio::join!(db, cl);
    let db = db.map_err(|e| describe(&format!("rds:DescribeDBSnapshots in {region}"), &e))?;
    let cl =
        cl.map_err(|e| describe(&format!("rds:DescribeDBClusterSnapshots in {region}"), &e))?;
    let mut out: Vec<(Snapshot, Option<(bool, String)>)> = Vec::new();
    for s in &db {
        let id = s.db_snapshot_identifier().unwrap_or_default().to_owned();
        let kind = s.snapshot_type().unwrap_or("manual").to_owned();
        let manual = kind == "manual";
        out.push((
            Snapshot {
                arn: s.db_snapshot_arn().unwrap_or(&id).to_owned(),
                region: region.to_owned(),
                kind,
                encrypted: s.encrypted().unwrap_or(false),
                kms_key: s.kms_key_id().map(str::to_owned),
                restore: Vec::new(),
            },
            manual.then_some((false, id)),
        ));
    }
    for s in &cl {
        let id = s
            .db_cluster_snapshot_identifier()
            .unwrap_or_default()
            .to_owned();
        let kind = s.snapshot_type().unwrap_or("manual").to_owned();
        let manual = kind == "manual";
        out.push((
            Snapshot {
                arn: s.db_cluster_snapshot_arn().unwrap_or(&id).to_owned(),
                region: region.to_owned(),
                kind,
                encrypted: s.storage_encrypted().unwrap_or(false),
                kms_key: s.kms_key_id().map(str::to_owned),
                restore: Vec::new(),
            },
            manual.then_some((true, id)),
        ));
    }
    // Only manual snapshots can be shared; their `restore` attribute says with whom.
    let rds = &rds;
    let with = parallel::map(out, limit, |(mut snap, attr)| async move {
        if let Some((cluster, id)) = attr {
            snap.restore = restore_attribute(rds, cluster, &id, region).await?;
        }
        Ok::<_, SourceError>(snap)
    })
    .await;
    with.into_iter().collect()
}

async fn restore_attribute(
    rds: &aws_sdk_rds::Client,
    cluster: bool,
    id: &str,
    region: &str,
) -> Result<Vec<String>, SourceError> {
    let pick =
        |name: Option<&str>, values: &[String]| (name == Some("restore")).then(|| values.to_vec());
    if cluster {
        let out = rds
            .describe_db_cluster_snapshot_attributes()
            .db_cluster_snapshot_identifier(id)
            .send()
            .await
            .map_err(|e| {
                describe(
                    &format!("rds:DescribeDBClusterSnapshotAttributes {id} in {region}"),
                    &e,
                )
            })?;
        Ok(out
            .db_cluster_snapshot_attributes_result()
            .map(|r| r.db_cluster_snapshot_attributes())
            .unwrap_or_default()
            .iter()
            .find_map(|a| pick(a.attribute_name(), a.attribute_values()))
            .unwrap_or_default())
    } else {
        let out = rds
            .describe_db_snapshot_attributes()
            .db_snapshot_identifier(id)
            .send()
            .await
            .map_err(|e| {
                describe(
                    &format!("rds:DescribeDBSnapshotAttributes {id} in {region}"),
                    &e,
                )
            })?;
        Ok(out
            .db_snapshot_attributes_result()
            .map(|r| r.db_snapshot_attributes())
            .unwrap_or_default()
            .iter()
            .find_map(|a| pick(a.attribute_name(), a.attribute_values()))
            .unwrap_or_default())
    }
}

/// ERROR for every region that could not be read; NOT_APPLICABLE when there is nothing.
fn frame(check: &str, inv: &Snapshots, mut findings: Vec<Finding>) -> Vec<Finding> {
    for (region, r) in &inv.regions {
        if let Err(e) = r {
            findings.push(Finding::error(
                check,
                format!("rds snapshots in {region}"),
                Text::same(e.to_string()),
            ));
        }
    }
    if findings.is_empty() {
        findings.push(Finding::na(
            check,
            "rds snapshots",
            text!(
                "no RDS snapshots in any enabled region",
                "keine RDS-Snapshots in einer der aktivierten Regionen"
            ),
        ));
    }
    findings
}

/// "manual snapshot" / "manueller Snapshot", as the snapshot type says.
fn kind(s: &Snapshot) -> Text {
    match s.kind.as_str() {
        "manual" => text!("manual snapshot", "manueller Snapshot"),
        "automated" => text!("automated snapshot", "automatischer Snapshot"),
        other => text!("{} snapshot", "Snapshot ({})", other),
    }
}

pub fn region(check: &str, p: &super::rds::RegionParams, inv: &Snapshots) -> Vec<Finding> {
    let out = inv
        .all()
        .map(|s| {
            let ok = p.allowed_regions.contains(&s.region);
            let k = kind(s);
            Finding::verdict(
                check,
                &s.arn,
                ok,
                if ok {
                    text!(
                        "{} in {}, an allowed region",
                        "{} in {}, einer erlaubten Region",
                        k,
                        s.region
                    )
                } else {
                    text!(
                        "{} in {}, not an allowed region ({})",
                        "{} in {}, keiner erlaubten Region ({})",
                        k,
                        s.region,
                        p.allowed_regions.join(", ")
                    )
                },
            )
        })
        .collect();
    frame(check, inv, out)
}

pub fn encryption(check: &str, p: &super::rds::EncryptionParams, inv: &Snapshots) -> Vec<Finding> {
    let out = inv
        .all()
        .map(|s| {
            let Some(key) = s.kms_key.as_ref().filter(|_| s.encrypted) else {
                let k = kind(s);
                return Finding::fail(
                    check,
                    &s.arn,
                    text!("{} is not encrypted", "{} ist nicht verschlüsselt", k),
                );
            };
            super::rds::key_finding(check, &s.arn, p, key, &inv.keys)
        })
        .collect();
    frame(check, inv, out)
}

pub fn not_public(check: &str, inv: &Snapshots) -> Vec<Finding> {
    let out = inv
        .all()
        .map(|s| {
            let public = s.restore.iter().any(|a| a == "all");
            let k = kind(s);
            Finding::verdict(
                check,
                &s.arn,
                !public,
                if public {
                    text!(
                        "public: anyone may restore it (restore attribute `all`)",
                        "öffentlich: jeder darf ihn wiederherstellen (Attribut restore `all`)"
                    )
                } else {
                    text!("{}, not public", "{}, nicht öffentlich", k)
                },
            )
        })
        .collect();
    frame(check, inv, out)
}

pub fn shared(check: &str, p: &SharedParams, inv: &Snapshots) -> Vec<Finding> {
    let out = inv
        .all()
        .map(|s| {
            let foreign: Vec<&str> = s
                .restore
                .iter()
                .filter(|a| *a != "all" && !p.allowed_accounts.contains(a))
                .map(String::as_str)
                .collect();
            Finding::verdict(
                check,
                &s.arn,
                foreign.is_empty(),
                if foreign.is_empty() {
                    if s.restore.iter().any(|a| a != "all") {
                        text!(
                            "shared only with allowed accounts ({})",
                            "nur mit erlaubten Konten geteilt ({})",
                            s.restore.join(", ")
                        )
                    } else {
                        text!(
                            "not shared with another account",
                            "mit keinem anderen Konto geteilt"
                        )
                    }
                } else {
                    text!(
                        "shared with account(s) {} not in allowed_accounts",
                        "mit Konto/Konten {} geteilt, die nicht in allowed_accounts stehen",
                        foreign.join(", ")
                    )
                },
            )
        })
        .collect();
    frame(check, inv, out)
}
