//! Accepted deviations (`policies/exceptions.yaml`): a FAIL of a control on a
//! resource becomes ACCEPTED until the exception's expiry, naming reason and
//! approver. Expired exceptions leave the FAIL standing and say so.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, CatalogError, yaml_error};
use super::{Finding, Status};
use crate::located::{Located, find_line, value_of};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub control: String,
    /// The resource exactly as `tom check` names it; `*` matches any text.
    pub resource: String,
    pub reason: String,
    pub approver: String,
    /// Last day (inclusive) the exception holds, YYYY-MM-DD.
    pub expires: NaiveDate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    #[serde(default)]
    exceptions: Vec<Exception>,
}

/// An exception as applied to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedException {
    pub reason: String,
    pub approver: String,
    pub expires: NaiveDate,
    /// false: the exception has expired and no longer covers the FAIL.
    pub active: bool,
}

/// Loads `exceptions.yaml`; a missing file means no exceptions.
pub fn load(path: &Path, catalog: &Catalog) -> Result<Vec<Exception>, CatalogError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(CatalogError::Read {
                path: path.to_path_buf(),
                detail: e.to_string(),
            });
        }
    };
    parse(path, &text, catalog)
}

pub fn parse(path: &Path, text: &str, catalog: &Catalog) -> Result<Vec<Exception>, CatalogError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let raw: RawFile = serde_yaml::from_str(text).map_err(|e| yaml_error(path, &e))?;
    if raw.version != 1 {
        return Err(Located::key(
            path,
            text,
            &["version"],
            format!("version {} is not supported (1 is)", raw.version),
        )
        .into());
    }
    let mut from = 0;
    for e in &raw.exceptions {
        let line = find_line(text, from, |l| {
            value_of(l, "control") == Some(e.control.as_str())
        })
        .unwrap_or(1);
        from = line + 1;
        let err = |m: String| CatalogError::from(Located::at(path, line, 1, m));
        let Some(c) = catalog.control(&e.control) else {
            return Err(err(format!(
                "exception for unknown control `{}`",
                e.control
            )));
        };
        if c.info.kind != super::catalog::Kind::Automated {
            return Err(err(format!(
                "{} is an attestation: attest it (`ltops tom attest`), do not except it",
                c.info.id
            )));
        }
        if e.resource.trim().is_empty()
            || e.reason.trim().is_empty()
            || e.approver.trim().is_empty()
        {
            return Err(err(format!(
                "exception for {}: resource, reason and approver are required",
                e.control
            )));
        }
    }
    Ok(raw.exceptions)
}

/// `*` matches any run of characters; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(p) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            match rest.find(p) {
                Some(idx) => rest = &rest[idx + p.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Turns covered FAILs into ACCEPTED (or marks the expired exception).
pub fn apply(control: &str, findings: &mut [Finding], exceptions: &[Exception], today: NaiveDate) {
    for f in findings.iter_mut().filter(|f| f.status == Status::Fail) {
        let matching: Vec<&Exception> = exceptions
            .iter()
            .filter(|e| e.control.eq_ignore_ascii_case(control) && glob(&e.resource, &f.resource))
            .collect();
        let active = matching.iter().find(|e| e.expires >= today);
        let chosen = active.or_else(|| matching.iter().max_by_key(|e| e.expires));
        if let Some(e) = chosen {
            let is_active = e.expires >= today;
            f.exception = Some(AppliedException {
                reason: e.reason.clone(),
                approver: e.approver.clone(),
                expires: e.expires,
                active: is_active,
            });
            if is_active {
                f.status = Status::Accepted;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("arn:aws:iam::1:root", "arn:aws:iam::1:root"));
        assert!(glob(
            "arn:aws:rds:*:db:legacy-*",
            "arn:aws:rds:eu-west-1:1:db:legacy-7"
        ));
        assert!(!glob(
            "arn:aws:rds:*:db:legacy-*",
            "arn:aws:rds:eu-west-1:1:db:prod"
        ));
        assert!(glob("*", "anything"));
    }

    #[test]
    fn active_exception_accepts_expired_does_not() {
        let ex = vec![Exception {
            control: "TOM-1.1".into(),
            resource: "r*".into(),
            reason: "migration".into(),
            approver: "dora".into(),
            expires: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        }];
        let mut f = vec![
            Finding::fail("c", "r1", crate::tom::Text::same("bad")),
            Finding::pass("c", "r2", crate::tom::Text::same("ok")),
        ];
        apply(
            "TOM-1.1",
            &mut f,
            &ex,
            NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        );
        assert_eq!(f[0].status, Status::Accepted);
        assert_eq!(f[1].status, Status::Pass);
        let mut f = vec![Finding::fail("c", "r1", crate::tom::Text::same("bad"))];
        apply(
            "TOM-1.1",
            &mut f,
            &ex,
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        );
        assert_eq!(f[0].status, Status::Fail);
        assert!(!f[0].exception.as_ref().unwrap().active);
    }
}
