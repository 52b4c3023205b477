//! S3 buckets of an account (exports, logs, backups hold personal data too):
//! region allowed, default encryption with KMS, Block Public Access on, and a
//! bucket policy that denies requests without TLS.

use aws_config::SdkConfig;
use serde::Deserialize;
use serde_json::Value;

use super::super::{Finding, Text, parallel};
use super::SourceError;
use crate::aws::error::{ProvideErrorMetadata, describe};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionParams {
    /// Accepted default encryptions, e.g. `aws:kms`, `aws:kms:dsse`.
    pub algorithms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    /// The default encryption algorithm and key; `None`: none configured.
    pub encryption: Result<Option<(String, Option<String>)>, SourceError>,
    /// The four Block Public Access settings; `None`: not configured.
    pub public_access_block: Result<Option<[bool; 4]>, SourceError>,
    pub policy: Result<Option<String>, SourceError>,
}

pub type Buckets = Result<Vec<Bucket>, SourceError>;

fn arn(b: &Bucket) -> String {
    format!("arn:aws:s3:::{}", b.name)
}

fn client(sdk: &SdkConfig, region: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(&crate::aws::config::in_region(sdk, region))
        // Path-style works against every endpoint (also a lab's) and any bucket name.
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// Every bucket the account owns, with its settings, read once.
pub async fn fetch(sdk: &SdkConfig, home_region: &str, limit: usize) -> Buckets {
    let s3 = client(sdk, home_region);
    let listed: Vec<aws_sdk_s3::types::Bucket> = s3
        .list_buckets()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| describe("s3:ListBuckets", &e))?;
    // ListBuckets names each bucket's region (AWS does, moto not yet): only
    // where it is absent costs a GetBucketLocation.
    let names: Vec<(String, Option<String>)> = listed
        .iter()
        .filter_map(|b| {
            let region = b.bucket_region().filter(|r| !r.is_empty());
            Some((b.name()?.to_owned(), region.map(str::to_owned)))
        })
        .collect();
    let s3 = &s3;
    let buckets = parallel::map(names, limit, |(name, listed)| async move {
        let located = match listed {
            Some(r) => Ok(r),
            None => location(s3, &name).await,
        };
        let region = located?;
        let c = client(sdk, &region);
        let (encryption, public_access_block, policy) = tokio::join!(
            encryption(&c, &name),
            public_access_block(&c, &name),
            policy(&c, &name)
        );
        Ok(Bucket {
            name,
            region,
            encryption,
            public_access_block,
            policy,
        })
    })
    .await;
    buckets.into_iter().collect()
}

/// The bucket's region from GetBucketLocation (no constraint: us-east-1).
async fn location(s3: &aws_sdk_s3::Client, name: &str) -> Result<String, SourceError> {
    match s3.get_bucket_location().bucket(name).send().await {
        Ok(l) => Ok(l
            .location_constraint()
            .map(|c| c.as_str().to_owned())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "us-east-1".into())),
        Err(e) => Err(SourceError::from(describe(
            &format!("s3:GetBucketLocation {name}"),
            &e,
        ))),
    }
}

fn absent<E: ProvideErrorMetadata>(
    e: &aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
    codes: &[&str],
) -> bool {
    e.as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|c| codes.contains(&c))
}

async fn encryption(
    s3: &aws_sdk_s3::Client,
    name: &str,
) -> Result<Option<(String, Option<String>)>, SourceError> {
    match s3.get_bucket_encryption().bucket(name).send().await {
        Ok(out) => Ok(out
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map(|d| {
                (
                    d.sse_algorithm().as_str().to_owned(),
                    d.kms_master_key_id().map(str::to_owned),
                )
            })),
        Err(e) if absent(&e, &["ServerSideEncryptionConfigurationNotFoundError"]) => Ok(None),
        Err(e) => Err(describe(&format!("s3:GetBucketEncryption {name}"), &e).into()),
    }
}

async fn public_access_block(
    s3: &aws_sdk_s3::Client,
    name: &str,
) -> Result<Option<[bool; 4]>, SourceError> {
    match s3.get_public_access_block().bucket(name).send().await {
        Ok(out) => Ok(out.public_access_block_configuration().map(|c| {
            [
                c.block_public_acls().unwrap_or(false),
                c.ignore_public_acls().unwrap_or(false),
                c.block_public_policy().unwrap_or(false),
                c.restrict_public_buckets().unwrap_or(false),
            ]
        })),
        Err(e) if absent(&e, &["NoSuchPublicAccessBlockConfiguration"]) => Ok(None),
        Err(e) => Err(describe(&format!("s3:GetPublicAccessBlock {name}"), &e).into()),
    }
}

async fn policy(s3: &aws_sdk_s3::Client, name: &str) -> Result<Option<String>, SourceError> {
    match s3.get_bucket_policy().bucket(name).send().await {
        Ok(out) => Ok(out.policy().map(str::to_owned)),
        Err(e) if absent(&e, &["NoSuchBucketPolicy"]) => Ok(None),
        Err(e) => Err(describe(&format!("s3:GetBucketPolicy {name}"), &e).into()),
    }
}

/// The account-level Block Public Access settings (s3control), which apply to
/// every bucket, present and future; `None`: not configured.
pub type AccountBlock = Result<Option<[bool; 4]>, SourceError>;

/// Reads the account's own Block Public Access (`s3control:GetPublicAccessBlock`,
/// a signed REST call: aws-sdk-s3control for one call is not worth its build).
pub async fn fetch_account_block(
    q: &crate::aws::query::QueryClient,
    sdk: &SdkConfig,
    account: &str,
    region: &str,
) -> AccountBlock {
    let path = "/v20180820/configuration/publicAccessBlock";
    let url = match crate::aws::query::configured_endpoint(sdk, "S3_CONTROL") {
        Some(base) => format!("{base}{path}"),
        None => format!("https://{account}.s3-control.{region}.amazonaws.com{path}"),
    };
    let op = format!("s3control:GetPublicAccessBlock in account {account}");
    let doc = q
        .rest_get(
            sdk,
            &url,
            &[("x-amz-account-id", account)],
            region,
            "NoSuchPublicAccessBlockConfiguration",
            &op,
        )
        .await?;
    Ok(doc.map(|d| {
        let on = |n: &str| d.find(n).is_some_and(|x| x.text.trim() == "true");
        [
            on("BlockPublicAcls"),
            on("IgnorePublicAcls"),
            on("BlockPublicPolicy"),
            on("RestrictPublicBuckets"),
        ]
    }))
}

const BPA_NAMES: [&str; 4] = [
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];

/// The settings that are off, by name.
fn off(flags: &[bool; 4]) -> Vec<&'static str> {
    BPA_NAMES
        .iter()
        .zip(flags)
        .filter(|(_, on)| !**on)
        .map(|(n, _)| *n)
        .collect()
}

/// The account-level finding of `s3.public_access_block`.
pub fn account_blocked(check: &str, account: &str, block: &AccountBlock) -> Finding {
    let unset = text!(
        "Block Public Access is not configured for the account",
        "Block Public Access ist für das Konto nicht eingerichtet"
    );
    let level = text!(
        "account-level Block Public Access",
        "Block Public Access auf Kontoebene"
    );
    blocked(
        check,
        format!("s3 account {account} (Block Public Access)"),
        block,
        unset,
        &level,
    )
}

/// One Block Public Access setting (an account's or a bucket's) as a finding:
/// `unset` when there is none, else which of the four settings are off.
fn blocked(
    check: &str,
    resource: String,
    block: &AccountBlock,
    unset: Text,
    level: &Text,
) -> Finding {
    match block {
        Err(e) => Finding::error(check, resource, Text::same(e.to_string())),
        Ok(None) => Finding::fail(check, resource, unset),
        Ok(Some(flags)) => {
            let off = off(flags);
            Finding::verdict(
                check,
                resource,
                off.is_empty(),
                if off.is_empty() {
                    text!(
                        "{}: all four settings on",
                        "{}: alle vier Einstellungen an",
                        level
                    )
                } else {
                    text!("{} off: {}", "{} aus: {}", level, off.join(", "))
                },
            )
        }
    }
}

/// Findings per bucket; the listing's error, or NOT_APPLICABLE for no buckets.
fn each(check: &str, inv: &Buckets, f: impl Fn(&Bucket) -> Finding) -> Vec<Finding> {
    match inv {
        Err(e) => vec![Finding::error(
            check,
            "s3 buckets",
            Text::same(e.to_string()),
        )],
        Ok(b) if b.is_empty() => vec![Finding::na(
            check,
            "s3 buckets",
            text!(
                "the account has no S3 buckets",
                "das Konto hat keine S3-Buckets"
            ),
        )],
        Ok(b) => b.iter().map(f).collect(),
    }
}

pub fn region(check: &str, p: &super::rds::RegionParams, inv: &Buckets) -> Vec<Finding> {
    each(check, inv, |b| {
        let ok = p.allowed_regions.contains(&b.region);
        Finding::verdict(
            check,
            arn(b),
            ok,
            if ok {
                text!(
                    "bucket in {}, an allowed region",
                    "Bucket in {}, einer erlaubten Region",
                    b.region
                )
            } else {
                text!(
                    "bucket in {}, not an allowed region ({})",
                    "Bucket in {}, keiner erlaubten Region ({})",
                    b.region,
                    p.allowed_regions.join(", ")
                )
            },
        )
    })
}

pub fn encrypted(check: &str, p: &EncryptionParams, inv: &Buckets) -> Vec<Finding> {
    each(check, inv, |b| match &b.encryption {
        Err(e) => Finding::error(check, arn(b), Text::same(e.to_string())),
        Ok(None) => Finding::fail(
            check,
            arn(b),
            text!(
                "no default encryption configured",
                "keine Standardverschlüsselung eingerichtet"
            ),
        ),
        Ok(Some((alg, key))) => {
            let ok = p.algorithms.contains(alg);
            let key = key.as_deref().unwrap_or("-");
            let seen = text!(
                "default encryption {} with key {}",
                "Standardverschlüsselung {} mit Schlüssel {}",
                alg,
                key
            );
            let required = text!(
                " (required: {})",
                " (verlangt: {})",
                p.algorithms.join(" | ")
            );
            Finding::verdict(
                check,
                arn(b),
                ok,
                if ok { seen } else { seen.join("", &required) },
            )
        }
    })
}

/// Block Public Access of every bucket (the account's own is [`account_blocked`]).
pub fn public_access_blocked(check: &str, inv: &Buckets) -> Vec<Finding> {
    let level = Text::same("Block Public Access");
    each(check, inv, |b| {
        let unset = text!(
            "Block Public Access is not configured on the bucket",
            "Block Public Access ist für den Bucket nicht eingerichtet"
        );
        blocked(check, arn(b), &b.public_access_block, unset, &level)
    })
}

pub fn tls_only(check: &str, inv: &Buckets) -> Vec<Finding> {
    each(check, inv, |b| match &b.policy {
        Err(e) => Finding::error(check, arn(b), Text::same(e.to_string())),
        Ok(None) => Finding::fail(
            check,
            arn(b),
            text!(
                "no bucket policy: requests without TLS are not denied",
                "keine Bucket-Richtlinie: Anfragen ohne TLS werden nicht abgewiesen"
            ),
        ),
        Ok(Some(doc)) => match serde_json::from_str::<Value>(doc) {
            Err(e) => Finding::error(
                check,
                arn(b),
                text!(
                    "bucket policy is not JSON: {}",
                    "Bucket-Richtlinie ist kein JSON: {}",
                    e
                ),
            ),
            Ok(v) => {
                let ok = denies_plain_http(&v);
                Finding::verdict(
                    check,
                    arn(b),
                    ok,
                    if ok {
                        text!(
                            "the bucket policy denies every request with aws:SecureTransport false",
                            "die Bucket-Richtlinie weist jede Anfrage mit aws:SecureTransport false ab"
                        )
                    } else {
                        text!(
                            "the bucket policy does not deny requests without TLS (no Deny on aws:SecureTransport false for all principals and s3:*)",
                            "die Bucket-Richtlinie weist Anfragen ohne TLS nicht ab (kein Deny bei aws:SecureTransport false für alle Principals und s3:*)"
                        )
                    },
                )
            }
        },
    })
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(x) => vec![x],
        None => Vec::new(),
    }
}

/// A statement `Deny`, principal `*`, action `s3:*` (or `*`), condition
/// `Bool: {aws:SecureTransport: false}`.
pub fn denies_plain_http(policy: &Value) -> bool {
    as_list(policy.get("Statement")).into_iter().any(|s| {
        let deny = s.get("Effect").and_then(Value::as_str) == Some("Deny");
        let everyone = match s.get("Principal") {
            Some(Value::String(p)) => p == "*",
            Some(Value::Object(m)) => m
                .get("AWS")
                .is_some_and(|a| as_list(Some(a)).iter().any(|x| x.as_str() == Some("*"))),
            _ => false,
        };
        let all_actions = as_list(s.get("Action"))
            .iter()
            .any(|a| matches!(a.as_str(), Some("s3:*") | Some("*")));
        let insecure = s
            .get("Condition")
            .and_then(|c| c.get("Bool"))
            .and_then(|b| b.get("aws:SecureTransport"))
            .is_some_and(|v| matches!(v, Value::Bool(false)) || v.as_str() == Some("false"));
        deny && everyone && all_actions && insecure
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_deny_statement_is_recognised() {
        let good = serde_json::json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
        assert!(denies_plain_http(&good));
        let allow = serde_json::json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}});
        assert!(!denies_plain_http(&allow));
    }
}
