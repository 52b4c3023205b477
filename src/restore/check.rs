//! The RDS measures of the TOM, checked on a restored copy before cut-over: a
//! restore that silently lost encryption, forced TLS or deletion protection must
//! not become production.

use aws_sdk_rds::Client as Rds;
use serde::Serialize;

use super::Kind;
use crate::aws::error::describe;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Pass,
    Fail,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub control: &'static str,
    pub status: Status,
    pub evidence: String,
}

fn check(control: &'static str, ok: bool, evidence: String) -> Check {
    Check {
        control,
        status: if ok { Status::Pass } else { Status::Fail },
        evidence,
    }
}

fn error(control: &'static str, evidence: String) -> Check {
    Check {
        control,
        status: Status::Error,
        evidence,
    }
}

/// `rds.force_ssl` as the effective parameter group sets it, else the engine's
/// default: 1 for RDS for PostgreSQL 15 and later, 0 for older versions and for
/// Aurora PostgreSQL.
fn default_force_ssl(engine: &str, version: Option<&str>) -> bool {
    let major: u32 = version
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    engine == "postgres" && major >= 15
}

async fn force_ssl(
    rds: &Rds,
    kind: Kind,
    group: &str,
    engine: &str,
    version: Option<&str>,
) -> Result<(bool, String), String> {
    let mut marker: Option<String> = None;
    loop {
        let (params, next) = match kind {
            Kind::Cluster => {
                let out = rds
                    .describe_db_cluster_parameters()
                    .db_cluster_parameter_group_name(group)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| describe("rds:DescribeDBClusterParameters", &e).to_string())?;
                (out.parameters().to_vec(), out.marker().map(str::to_owned))
            }
            Kind::Instance => {
                let out = rds
                    .describe_db_parameters()
                    .db_parameter_group_name(group)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .map_err(|e| describe("rds:DescribeDBParameters", &e).to_string())?;
                (out.parameters().to_vec(), out.marker().map(str::to_owned))
            }
        };
        if let Some(p) = params
            .iter()
            .find(|p| p.parameter_name() == Some("rds.force_ssl"))
        {
            let v = p.parameter_value().unwrap_or_default();
            return Ok((v == "1", format!("rds.force_ssl = {v} in {group}")));
        }
        marker = next;
        if marker.is_none() {
            break;
        }
    }
    let d = default_force_ssl(engine, version);
    Ok((
        d,
        format!(
            "rds.force_ssl not set in {group}: engine default {} for {engine} {}",
            u8::from(d),
            version.unwrap_or("?")
        ),
    ))
}

/// Checks the restored `id`. API errors are ERROR results, never passes.
pub async fn run(rds: &Rds, kind: Kind, id: &str) -> Vec<Check> {
    let src = match super::describe_source(rds, kind, id).await {
        Ok(s) => s,
        Err(e) => return vec![error("describe", e.to_string())],
    };
    let s = &src.settings;
    let mut out = vec![
        check(
            "storage-encrypted",
            s.kms_key_id.is_some(),
            s.kms_key_id
                .as_ref()
                .map_or("storage not encrypted".into(), |k| format!("KMS key {k}")),
        ),
        check(
            "deletion-protection",
            s.deletion_protection,
            format!(
                "deletion protection {}",
                if s.deletion_protection { "on" } else { "off" }
            ),
        ),
        check(
            "iam-database-authentication",
            s.iam_auth,
            format!(
                "IAM database authentication {}",
                if s.iam_auth { "on" } else { "off" }
            ),
        ),
        check(
            "log-exports",
            !s.log_exports.is_empty(),
            if s.log_exports.is_empty() {
                "no CloudWatch log exports".into()
            } else {
                format!("exports {}", s.log_exports.join(", "))
            },
        ),
    ];
    // Public access is a property of the instances.
    let instances: Vec<String> = match kind {
        Kind::Instance => vec![id.to_owned()],
        Kind::Cluster => match rds
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
        {
            Ok(o) => o
                .db_clusters()
                .first()
                .map(|c| {
                    c.db_cluster_members()
                        .iter()
                        .filter_map(|m| m.db_instance_identifier().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) => {
                out.push(error(
                    "not-public",
                    describe("rds:DescribeDBClusters", &e).to_string(),
                ));
                Vec::new()
            }
        },
    };
    for i in &instances {
        match rds
            .describe_db_instances()
            .db_instance_identifier(i)
            .send()
            .await
        {
            Ok(o) => {
                let public = o
                    .db_instances()
                    .first()
                    .and_then(|x| x.publicly_accessible())
                    .unwrap_or(false);
                out.push(check(
                    "not-public",
                    !public,
                    format!(
                        "{i}: {}",
                        if public {
                            "publicly accessible"
                        } else {
                            "not publicly accessible"
                        }
                    ),
                ));
            }
            Err(e) => out.push(error(
                "not-public",
                describe("rds:DescribeDBInstances", &e).to_string(),
            )),
        }
    }
    if kind == Kind::Cluster && instances.is_empty() {
        out.push(check(
            "not-public",
            false,
            "the cluster has no instance".into(),
        ));
    }
    match &s.parameter_group {
        Some(g) => {
            match force_ssl(rds, kind, g, &src.engine, src.engine_version.as_deref()).await {
                Ok((ok, evidence)) => out.push(check("tls-forced", ok, evidence)),
                Err(e) => out.push(error("tls-forced", e)),
            }
        }
        None => {
            let d = default_force_ssl(&src.engine, src.engine_version.as_deref());
            out.push(check(
                "tls-forced",
                d,
                "no parameter group: engine default".into(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_ssl_defaults_by_engine_and_version() {
        assert!(default_force_ssl("postgres", Some("16.4")));
        assert!(default_force_ssl("postgres", Some("15.2")));
        assert!(!default_force_ssl("postgres", Some("14.9")));
        assert!(!default_force_ssl("aurora-postgresql", Some("16.4")));
    }
}
