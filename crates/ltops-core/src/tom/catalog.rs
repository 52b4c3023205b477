//! The control catalog: `policies/tom/NN-<section>.yaml`, one file per section of
//! TOM.de.md (00 = the preamble), one control per bullet with the German text
//! verbatim, an English translation, `kind: automated | attestation`, the checks
//! with their parameters (every threshold lives here, not in code) and a severity.
//!
//! Errors name file:line:column: YAML syntax and type errors from serde_yaml,
//! semantic ones (unknown check, duplicate id, bad parameter) by finding the key
//! in the text again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use super::checks::{self, Params};
use crate::located::{Located, find_line, value_of};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A place in a file to fix: `file:line:column: message`.
    #[error(transparent)]
    Located(#[from] Located),
    #[error(
        "cannot read the control catalog {path}: {detail} — is `policies` in the config right?"
    )]
    Read { path: PathBuf, detail: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Checked against live AWS, the database or the audit log.
    Automated,
    /// Attested by a named person with evidence and an expiry.
    Attestation,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Automated => "automated",
            Kind::Attestation => "attestation",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// How long an attestation stays valid: `12mo`, `6mo`, `1y`, `90d`, `2w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    Days(u32),
    Months(u32),
}

impl Validity {
    pub fn parse(s: &str) -> Result<Validity, String> {
        let s = s.trim();
        let split = s
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| format!("`{s}` has no unit: use e.g. 12mo, 1y, 90d, 2w"))?;
        let (n, unit) = s.split_at(split);
        let n: u32 = n
            .parse()
            .map_err(|_| format!("`{s}` does not start with a number (e.g. 12mo)"))?;
        if n == 0 {
            return Err(format!("`{s}`: a validity must be longer than zero"));
        }
        let v = match unit {
            "d" => Validity::Days(n),
            "w" => Validity::Days(n * 7),
            "mo" | "m" => Validity::Months(n),
            "y" => Validity::Months(n * 12),
            _ => {
                return Err(format!(
                    "`{s}`: unknown unit `{unit}` (d, w, mo, y — e.g. 12mo)"
                ));
            }
        };
        let too_long = match v {
            Validity::Days(d) => d > 3 * 366,
            Validity::Months(m) => m > 36,
        };
        if too_long {
            return Err(format!(
                "`{s}` is longer than 3 years: an annual review needs fresh evidence"
            ));
        }
        Ok(v)
    }

    pub fn until(self, from: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Validity::Days(d) => from + chrono::Duration::days(i64::from(d)),
            Validity::Months(m) => from
                .checked_add_months(Months::new(m))
                .unwrap_or(from + chrono::Duration::days(i64::from(m) * 31)),
        }
    }
}

impl std::fmt::Display for Validity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Validity::Days(d) => write!(f, "{d}d"),
            Validity::Months(m) => write!(f, "{m}mo"),
        }
    }
}

/// One check of an automated control, with its parameters already validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckSpec {
    pub name: String,
    #[serde(skip)]
    pub params: Params,
    /// The parameters as written, for display and the report.
    pub raw_params: serde_json::Value,
}

/// What names a control and says how it is checked and how much it weighs: the
/// catalog's part that a run's results repeat, so a report reads without the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlInfo {
    pub id: String,
    pub section: u32,
    /// The sub-heading of the TOM the bullet stands under ("In unseren Büroräumen:").
    pub group: Option<String>,
    /// The bullet of TOM.de.md, verbatim.
    pub de: String,
    pub en: String,
    pub kind: Kind,
    pub severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Control {
    /// Flattened: the JSON keeps the fields at the top level, as before.
    #[serde(flatten)]
    pub info: ControlInfo,
    pub checks: Vec<CheckSpec>,
    /// Attestations: default validity of `tom attest` for this control.
    #[serde(serialize_with = "ser_validity")]
    pub valid_for: Option<Validity>,
    /// Attestations: what evidence is expected.
    pub evidence_hint: Option<String>,
    pub file: PathBuf,
    pub line: usize,
}

fn ser_validity<S: serde::Serializer>(v: &Option<Validity>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&v.to_string()),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub number: u32,
    pub de: String,
    pub en: String,
    pub file: PathBuf,
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    pub dir: PathBuf,
    pub sections: Vec<Section>,
}

impl Catalog {
    pub fn controls(&self) -> impl Iterator<Item = &Control> {
        self.sections.iter().flat_map(|s| s.controls.iter())
    }

    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls().find(|c| c.info.id.eq_ignore_ascii_case(id))
    }

    pub fn section(&self, n: u32) -> Option<&Section> {
        self.sections.iter().find(|s| s.number == n)
    }

    /// Loads every `*.yaml` in `dir` (the `policies/tom` folder), in name order.
    pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
        let read_err = |detail: String| CatalogError::Read {
            path: dir.to_path_buf(),
            detail,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| read_err(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(read_err("no *.yaml files in it".into()));
        }
        let mut texts = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|e| CatalogError::Read {
                path: f.clone(),
                detail: e.to_string(),
            })?;
            texts.push((f, text));
        }
        Catalog::parse(dir, &texts)
    }

    /// Parses the given files (path, text) as one catalog.
    pub fn parse(dir: &Path, files: &[(PathBuf, String)]) -> Result<Catalog, CatalogError> {
        let mut sections: Vec<Section> = Vec::new();
        let mut ids = Ids::new();
        for (path, text) in files {
            let raw: RawFile = serde_yaml::from_str(text).map_err(|e| yaml_error(path, &e))?;
            let at = |keys: &[&str], message: String| located(path, text, keys, message);
            if raw.scope.is_some() {
                return Err(at(
                    &["scope"],
                    "`scope` is no longer read: the regions are discovered from every account (its enabled regions); list only the allowed ones, in the checks' `allowed_regions`".into(),
                ));
            }
            if let Some(prev) = sections.iter().find(|s| s.number == raw.section) {
                return Err(at(
                    &["section"],
                    format!(
                        "section {} is already defined in {}",
                        raw.section,
                        prev.file.display()
                    ),
                ));
            }
            let controls = raw
                .controls
                .iter()
                .map(|rc| parse_control(path, text, raw.section, rc, &mut ids))
                .collect::<Result<_, _>>()?;
            sections.push(Section {
                number: raw.section,
                de: raw.title.de,
                en: raw.title.en,
                file: path.clone(),
                controls,
            });
        }
        sections.sort_by_key(|s| s.number);
        Ok(Catalog {
            dir: dir.to_path_buf(),
            sections,
        })
    }
}

/// Control ids seen so far (upper-cased, as ids compare without case), with where.
type Ids = BTreeMap<String, (PathBuf, usize)>;

/// One control of a file; `ids` catches an id used twice across all files.
fn parse_control(
    path: &Path,
    text: &str,
    section: u32,
    rc: &RawControl,
    ids: &mut Ids,
) -> Result<Control, CatalogError> {
    let line = find_line(text, 0, |l| value_of(l, "id") == Some(rc.id.as_str())).unwrap_or(1);
    let here = |message: String| {
        CatalogError::from(Located::at(
            path,
            line,
            1,
            format!("control {}: {message}", rc.id),
        ))
    };
    if !valid_id(&rc.id) {
        return Err(here(
            "ids are letters, digits, `.` and `-` (e.g. TOM-2.4)".into(),
        ));
    }
    if let Some((other, other_line)) = ids.get(&rc.id.to_ascii_uppercase()) {
        return Err(here(format!(
            "duplicate control id (also at {}:{other_line})",
            other.display()
        )));
    }
    ids.insert(rc.id.to_ascii_uppercase(), (path.to_path_buf(), line));
    if rc.de.trim().is_empty() || rc.en.trim().is_empty() {
        return Err(here("`de` and `en` must both be given".into()));
    }
    let specs = parse_checks(path, text, rc, line)?;
    check_kind(rc, &specs).map_err(|m| here(m.into()))?;
    let valid_for = rc
        .valid_for
        .as_deref()
        .map(Validity::parse)
        .transpose()
        .map_err(|m| here(format!("valid_for: {m}")))?;
    Ok(Control {
        info: ControlInfo {
            id: rc.id.clone(),
            section,
            group: rc.group.clone(),
            de: rc.de.trim().to_owned(),
            en: rc.en.trim().to_owned(),
            kind: rc.kind,
            severity: rc.severity,
        },
        checks: specs,
        valid_for,
        evidence_hint: rc.evidence_hint.clone(),
        file: path.to_path_buf(),
        line,
    })
}

/// The checks of the control at `line`, their parameters validated; an error
/// points at the `check:` it is about.
fn parse_checks(
    path: &Path,
    text: &str,
    rc: &RawControl,
    line: usize,
) -> Result<Vec<CheckSpec>, CatalogError> {
    let mut specs = Vec::new();
    // Each check is searched for below the previous one, so that two checks of
    // the same name point at their own lines.
    let mut search_from = line;
    for rcheck in &rc.checks {
        let check_line = find_line(text, search_from, |l| {
            value_of(l, "check") == Some(rcheck.check.as_str())
        })
        .unwrap_or(line);
        search_from = check_line;
        let column = text
            .lines()
            .nth(check_line - 1)
            .and_then(|l| l.find("check:"))
            .map_or(1, |c| c + 1);
        let err = |message: String| {
            CatalogError::from(Located::at(
                path,
                check_line,
                column,
                format!("control {}: {message}", rc.id),
            ))
        };
        let params = checks::parse_params(&rcheck.check, rcheck.params.clone()).map_err(err)?;
        let raw_params = serde_json::to_value(&rcheck.params).unwrap_or(serde_json::Value::Null);
        specs.push(CheckSpec {
            name: rcheck.check.clone(),
            params,
            raw_params,
        });
    }
    Ok(specs)
}

/// Whether the control's kind fits what it has: checks for automated controls,
/// a validity for attestations.
fn check_kind(rc: &RawControl, specs: &[CheckSpec]) -> Result<(), &'static str> {
    match rc.kind {
        Kind::Automated if specs.is_empty() => {
            Err("`kind: automated` needs at least one entry under `checks`")
        }
        Kind::Attestation if !specs.is_empty() => {
            Err("`kind: attestation` has no `checks` (it is attested with `ltops tom attest`)")
        }
        Kind::Automated if rc.valid_for.is_some() => {
            Err("`valid_for` is for attestations; automated controls are checked on every run")
        }
        _ => Ok(()),
    }
}

fn valid_id(id: &str) -> bool {
    (2..=40).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    section: u32,
    title: RawTitle,
    #[serde(default)]
    scope: Option<serde_yaml::Value>,
    #[serde(default)]
    controls: Vec<RawControl>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTitle {
    de: String,
    en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: String,
    #[serde(default)]
    group: Option<String>,
    de: String,
    en: String,
    kind: Kind,
    severity: Severity,
    #[serde(default)]
    checks: Vec<RawCheck>,
    #[serde(default)]
    valid_for: Option<String>,
    #[serde(default)]
    evidence_hint: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    check: String,
    #[serde(default)]
    params: serde_yaml::Value,
}

pub(crate) fn yaml_error(path: &Path, e: &serde_yaml::Error) -> CatalogError {
    Located::yaml(path, e).into()
}

fn located(path: &Path, text: &str, keys: &[&str], message: String) -> CatalogError {
    Located::key(path, text, keys, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(text: &str) -> Result<Catalog, CatalogError> {
        Catalog::parse(
            Path::new("tom"),
            &[(PathBuf::from("tom/01-x.yaml"), text.to_owned())],
        )
    }

    const HEAD: &str =
        "section: 1\ntitle:\n  de: Zutrittskontrolle\n  en: Physical access control\ncontrols:\n";

    #[test]
    fn the_committed_catalog_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/tom");
        let c = Catalog::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.sections.len(), 10, "preamble + 9 sections");
        assert!(c.controls().any(|c| c.info.kind == Kind::Automated));
        assert!(c.controls().any(|c| c.info.kind == Kind::Attestation));
    }

    #[test]
    fn malformed_yaml_is_located() {
        let e = parse_one(&format!("{HEAD}  - id: TOM-1.1\n    de: [unclosed\n")).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("tom/01-x.yaml:"), "{s}");
        let parts: Vec<&str> = s.splitn(4, ':').collect();
        assert!(
            parts[1].parse::<usize>().is_ok() && parts[2].parse::<usize>().is_ok(),
            "{s}"
        );
    }

    #[test]
    fn unknown_field_is_located() {
        let e = parse_one(&format!(
            "{HEAD}  - id: TOM-1.1\n    de: a\n    en: b\n    kind: attestation\n    severity: low\n    colour: red\n"
        ))
        .unwrap_err();
        assert!(e.to_string().starts_with("tom/01-x.yaml:11:5:"), "{e}");
    }

    #[test]
    fn unknown_check_is_refused_with_its_location() {
        let e = parse_one(&format!(
            "{HEAD}  - id: TOM-1.1\n    de: a\n    en: b\n    kind: automated\n    severity: low\n    checks:\n      - check: rds.frobnicate\n"
        ))
        .unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with("tom/01-x.yaml:12:9: control TOM-1.1: unknown check `rds.frobnicate`"),
            "{s}"
        );
        assert!(
            s.contains("rds.backup_retention"),
            "lists the known checks: {s}"
        );
    }

    #[test]
    fn bad_params_are_refused() {
        let e = parse_one(&format!(
            "{HEAD}  - id: TOM-1.1\n    de: a\n    en: b\n    kind: automated\n    severity: low\n    checks:\n      - check: rds.backup_retention\n        params: {{min_dayz: 35}}\n"
        ))
        .unwrap_err();
        assert!(e.to_string().contains("min_dayz"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_refused_across_files() {
        let a = format!(
            "{HEAD}  - id: TOM-1.1\n    de: a\n    en: b\n    kind: attestation\n    severity: low\n"
        );
        let b = a.replace("section: 1", "section: 2");
        let e = Catalog::parse(
            Path::new("tom"),
            &[
                (PathBuf::from("tom/01-a.yaml"), a),
                (PathBuf::from("tom/02-b.yaml"), b),
            ],
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with(
                "tom/02-b.yaml:6:1: control TOM-1.1: duplicate control id (also at tom/01-a.yaml:6)"
            ),
            "{s}"
        );
    }

    #[test]
    fn kinds_and_checks_must_agree() {
        let e = parse_one(&format!(
            "{HEAD}  - id: TOM-1.1\n    de: a\n    en: b\n    kind: automated\n    severity: low\n"
        ))
        .unwrap_err();
        assert!(e.to_string().contains("needs at least one"), "{e}");
    }

    #[test]
    fn validity_parses() {
        assert_eq!(Validity::parse("12mo"), Ok(Validity::Months(12)));
        assert_eq!(Validity::parse("1y"), Ok(Validity::Months(12)));
        assert_eq!(Validity::parse("90d"), Ok(Validity::Days(90)));
        assert_eq!(Validity::parse("2w"), Ok(Validity::Days(14)));
        assert!(Validity::parse("0d").is_err());
        assert!(Validity::parse("12").is_err());
        assert!(Validity::parse("5y").is_err());
        let from = DateTime::parse_from_rfc3339("2026-01-31T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            Validity::Months(1).until(from).to_rfc3339(),
            "2026-02-28T00:00:00+00:00"
        );
    }
}
