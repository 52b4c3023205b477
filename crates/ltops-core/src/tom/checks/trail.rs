//! CloudTrail (TOM §3 logging, §5 input control): at least one multi-region
//! trail that is logging, with log file validation, into a bucket that passes
//! the bucket checks — otherwise API activity is not recorded tamper-evidently.

use aws_config::SdkConfig;

use super::super::{Finding, Text};
use super::SourceError;
use super::s3::{self, Buckets};
use crate::aws::error::describe;
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailParams {
    /// The trail's bucket must pass the bucket checks with these parameters.
    pub bucket_allowed_regions: Vec<String>,
    pub bucket_encryption: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    pub arn: String,
    pub multi_region: bool,
    pub validation: bool,
    pub bucket: Option<String>,
    pub logging: Result<bool, SourceError>,
}

pub type Trails = Result<Vec<Trail>, SourceError>;

/// The trails visible from `region` (multi-region trails show in every region).
pub async fn fetch(sdk: &SdkConfig, region: &str) -> Trails {
    let ct = aws_sdk_cloudtrail::Client::new(&crate::aws::config::in_region(sdk, region));
    let out = ct
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|e| describe(&format!("cloudtrail:DescribeTrails in {region}"), &e))?;
    let mut trails = Vec::new();
    for t in out.trail_list() {
        let arn = t.trail_arn().or(t.name()).unwrap_or_default().to_owned();
        let logging = ct
            .get_trail_status()
            .name(&arn)
            .send()
            .await
            .map(|s| s.is_logging().unwrap_or(false))
            .map_err(|e| describe(&format!("cloudtrail:GetTrailStatus {arn}"), &e).into());
        trails.push(Trail {
            arn,
            multi_region: t.is_multi_region_trail().unwrap_or(false),
            validation: t.log_file_validation_enabled().unwrap_or(false),
            bucket: t.s3_bucket_name().map(str::to_owned),
            logging,
        });
    }
    Ok(trails)
}

/// PASS for a trail that does everything; FAIL naming what each trail lacks.
pub fn enabled(
    check: &str,
    account: &str,
    trails: &Trails,
    buckets: &Buckets,
    params: &TrailParams,
) -> Vec<Finding> {
    let p = &s3::EncryptionParams {
        algorithms: params.bucket_encryption.clone(),
    };
    let allowed_regions = &super::rds::RegionParams {
        allowed_regions: params.bucket_allowed_regions.clone(),
    };
    let resource = format!("cloudtrail of account {account}");
    let trails = match trails {
        Err(e) => return vec![Finding::error(check, resource, Text::same(e.to_string()))],
        Ok(t) => t,
    };
    if trails.is_empty() {
        return vec![Finding::fail(
            check,
            resource,
            text!(
                "no CloudTrail trail: API activity is not recorded",
                "kein CloudTrail-Trail: API-Aktivität wird nicht protokolliert"
            ),
        )];
    }
    let mut verdicts = Vec::new();
    for t in trails {
        let mut lacks = Vec::new();
        match &t.logging {
            Err(e) => return vec![Finding::error(check, &t.arn, Text::same(e.to_string()))],
            Ok(false) => lacks.push(text!("not logging", "protokolliert nicht")),
            Ok(true) => {}
        }
        if !t.multi_region {
            lacks.push(text!("not multi-region", "nicht regionsübergreifend"));
        }
        if !t.validation {
            lacks.push(text!(
                "log file validation off",
                "Validierung der Protokolldateien aus"
            ));
        }
        match bucket_problems(t.bucket.as_deref(), buckets, p, allowed_regions) {
            Err(e) => return vec![Finding::error(check, &t.arn, Text::same(e))],
            Ok(p) => lacks.extend(p),
        }
        verdicts.push((t, lacks));
    }
    if let Some((t, _)) = verdicts.iter().find(|(_, l)| l.is_empty()) {
        return vec![Finding::pass(
            check,
            &t.arn,
            text!(
                "multi-region trail logging with log file validation into bucket {}",
                "regionsübergreifender Trail protokolliert mit Validierung der Protokolldateien in Bucket {}",
                t.bucket.as_deref().unwrap_or("?")
            ),
        )];
    }
    verdicts
        .into_iter()
        .map(|(t, lacks)| {
            let head = text!("trail: ", "Trail: ");
            Finding::fail(check, &t.arn, head.join("", &Text::join_all(&lacks, "; ")))
        })
        .collect()
}

/// What the trail's bucket lacks, by the bucket checks' own rules.
fn bucket_problems(
    bucket: Option<&str>,
    buckets: &Buckets,
    p: &s3::EncryptionParams,
    allowed: &super::rds::RegionParams,
) -> Result<Vec<Text>, String> {
    let Some(name) = bucket else {
        return Ok(vec![text!("no bucket", "kein Bucket")]);
    };
    let list = buckets.as_ref().map_err(|e| e.to_string())?;
    let Some(b) = list.iter().find(|b| b.name == name) else {
        return Ok(vec![text!(
            "bucket {} is not in this account",
            "Bucket {} liegt nicht in diesem Konto",
            name
        )]);
    };
    let one = Ok(vec![b.clone()]);
    let mut out = Vec::new();
    let checks = [
        s3::region("-", allowed, &one),
        s3::encrypted("-", p, &one),
        s3::public_access_blocked("-", &one),
        s3::tls_only("-", &one),
    ];
    for f in checks.into_iter().flatten() {
        if f.status != super::super::Status::Pass {
            out.push(Text {
                en: format!("bucket {name}: {}", f.evidence),
                de: format!("Bucket {name}: {}", f.evidence_de),
            });
        }
    }
    Ok(out)
}
