//! CloudTrail (TOM §3 logging, §5 input control): at least one multi-region
//! trail that is logging, with log file validation, into a bucket that passes
//! the bucket checks — otherwise API activity is not recorded tamper-evidently.

use aws_config::SdkConfig;

use super::super::Finding;
use super::SourceError;
use super::s3::{self, Buckets};
use crate::aws::error::describe;

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
        Err(e) => return vec![Finding::error(check, resource, e.to_string())],
        Ok(t) => t,
    };
    if trails.is_empty() {
        return vec![Finding::fail(
            check,
            resource,
            "no CloudTrail trail: API activity is not recorded",
        )];
    }
    let mut verdicts = Vec::new();
    for t in trails {
        let mut lacks = Vec::new();
        match &t.logging {
            Err(e) => return vec![Finding::error(check, &t.arn, e.to_string())],
            Ok(false) => lacks.push("not logging".to_owned()),
            Ok(true) => {}
        }
        if !t.multi_region {
            lacks.push("not multi-region".into());
        }
        if !t.validation {
            lacks.push("log file validation off".into());
        }
        match bucket_problems(t.bucket.as_deref(), buckets, p, allowed_regions) {
            Err(e) => return vec![Finding::error(check, &t.arn, e)],
            Ok(p) => lacks.extend(p),
        }
        verdicts.push((t, lacks));
    }
    if let Some((t, _)) = verdicts.iter().find(|(_, l)| l.is_empty()) {
        return vec![Finding::pass(
            check,
            &t.arn,
            format!(
                "multi-region trail logging with log file validation into bucket {}",
                t.bucket.as_deref().unwrap_or("?")
            ),
        )];
    }
    verdicts
        .into_iter()
        .map(|(t, lacks)| Finding::fail(check, &t.arn, format!("trail: {}", lacks.join("; "))))
        .collect()
}

/// What the trail's bucket lacks, by the bucket checks' own rules.
fn bucket_problems(
    bucket: Option<&str>,
    buckets: &Buckets,
    p: &s3::EncryptionParams,
    allowed: &super::rds::RegionParams,
) -> Result<Vec<String>, String> {
    let Some(name) = bucket else {
        return Ok(vec!["no bucket".into()]);
    };
    let list = buckets.as_ref().map_err(|e| e.to_string())?;
    let Some(b) = list.iter().find(|b| b.name == name) else {
        return Ok(vec![format!("bucket {name} is not in this account")]);
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
            out.push(format!("bucket {name}: {}", f.evidence));
        }
    }
    Ok(out)
}
