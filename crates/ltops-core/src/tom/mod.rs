//! The annual effectiveness review (TOM §9): the control catalog
//! (`policies/tom/*.yaml`), its coverage of TOM.de.md, the check engine with its
//! automated checks against AWS, the database and the audit log, attestations of
//! organisational measures, accepted exceptions, and the annual report.
//!
//! No clap, printing or prompting here: `commands::tom` orchestrates.

pub mod attest;
pub mod catalog;
pub mod checks;
pub mod coverage;
pub mod engine;
pub mod exceptions;
pub mod parallel;
pub mod report;
mod report_html;

use serde::{Deserialize, Serialize};

/// The result of one check on one resource, or of a control as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The measure is in place for this resource.
    Pass,
    /// It is not: a finding.
    Fail,
    /// The check could not tell (API error, missing permission, timeout, bad data):
    /// never silently skipped, never a pass.
    Error,
    /// The check does not apply to this resource (e.g. a cluster member whose
    /// settings live at cluster level); the evidence says why.
    NotApplicable,
    /// A FAIL covered by an unexpired entry of `policies/exceptions.yaml`.
    Accepted,
    /// An organisational measure attested by a named person, not yet expired.
    Valid,
    /// The last attestation has expired.
    Expired,
    /// Never attested.
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::NotApplicable => "NOT_APPLICABLE",
            Status::Accepted => "ACCEPTED",
            Status::Valid => "VALID",
            Status::Expired => "EXPIRED",
            Status::Missing => "MISSING",
        }
    }

    /// German label for the report.
    pub fn de(self) -> &'static str {
        match self {
            Status::Pass => "erfüllt",
            Status::Fail => "NICHT erfüllt",
            Status::Error => "FEHLER (nicht prüfbar)",
            Status::NotApplicable => "nicht anwendbar",
            Status::Accepted => "akzeptierte Ausnahme",
            Status::Valid => "bestätigt",
            Status::Expired => "Bestätigung abgelaufen",
            Status::Missing => "Bestätigung fehlt",
        }
    }

    /// Whether this result makes `tom check` answer "no" (exit 1).
    pub fn is_finding(self) -> bool {
        matches!(
            self,
            Status::Fail | Status::Error | Status::Expired | Status::Missing
        )
    }

    /// How bad a result is, for folding findings into a control's status.
    fn weight(self) -> u8 {
        match self {
            Status::NotApplicable => 0,
            Status::Pass | Status::Valid => 1,
            Status::Accepted => 2,
            Status::Missing | Status::Expired => 3,
            Status::Fail => 4,
            Status::Error => 5,
        }
    }

    /// The status of a control from the status of its findings: the worst one
    /// wins; no findings at all is an error (a check that says nothing has not checked).
    pub fn fold(statuses: impl IntoIterator<Item = Status>) -> Status {
        statuses
            .into_iter()
            .max_by_key(|s| s.weight())
            .unwrap_or(Status::Error)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sentence of evidence in each language the report is written in. Checks
/// build both from the same values (`text!`), so a report never has to translate
/// (or pattern-match) English after the fact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub en: String,
    pub de: String,
}

impl Text {
    /// Words that read the same in every language: a service's own error
    /// message, an identifier, a value quoted as it was read.
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text {
            de: s.clone(),
            en: s,
        }
    }

    /// `self`, then `sep`, then `other`, in each language.
    pub fn join(mut self, sep: &str, other: &Text) -> Text {
        self.en.push_str(sep);
        self.en.push_str(&other.en);
        self.de.push_str(sep);
        self.de.push_str(&other.de);
        self
    }

    /// Texts joined by `sep` in each language.
    pub fn join_all<'a>(items: impl IntoIterator<Item = &'a Text>, sep: &str) -> Text {
        let items: Vec<&Text> = items.into_iter().collect();
        Text {
            en: items
                .iter()
                .map(|t| t.en.as_str())
                .collect::<Vec<_>>()
                .join(sep),
            de: items
                .iter()
                .map(|t| t.de.as_str())
                .collect::<Vec<_>>()
                .join(sep),
        }
    }
}

/// A value inside a [`Text`]: a [`Text`] itself is shown in the sentence's
/// language, anything else as it displays.
pub trait Localize {
    fn in_en(&self) -> &dyn std::fmt::Display;
    fn in_de(&self) -> &dyn std::fmt::Display;
}

impl<T: std::fmt::Display> Localize for T {
    fn in_en(&self) -> &dyn std::fmt::Display {
        self
    }
    fn in_de(&self) -> &dyn std::fmt::Display {
        self
    }
}

impl Localize for Text {
    fn in_en(&self) -> &dyn std::fmt::Display {
        &self.en
    }
    fn in_de(&self) -> &dyn std::fmt::Display {
        &self.de
    }
}

/// `text!("English {}", "Deutsch {}", args…)`: both sentences formatted from the
/// same values (positional `{0}` lets the German put them in its own order); an
/// argument that is a [`Text`] appears in each sentence's own language.
#[macro_export]
macro_rules! text {
    ($en:literal, $de:literal $(, $arg:expr)* $(,)?) => {{
        #[allow(unused_imports)]
        use $crate::tom::Localize as _;
        $crate::tom::Text {
            en: format!($en $(, ($arg).in_en())*),
            de: format!($de $(, ($arg).in_de())*),
        }
    }};
}

/// One result of one check for one resource, with the evidence that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The check that produced it (e.g. `rds.backup_retention`).
    pub check: String,
    /// What was looked at: an ARN, `table public.leads`, `audit log`, …
    pub resource: String,
    /// The AWS account the resource is in (AWS checks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub status: Status,
    /// What was seen, in plain words with the values read (English).
    pub evidence: String,
    /// The same in German (the report's default language); empty in runs
    /// written before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence_de: String,
    /// For ACCEPTED (and for a FAIL whose exception has expired): the exception.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<exceptions::AppliedException>,
}

impl Finding {
    pub fn new(
        check: &str,
        resource: impl Into<String>,
        status: Status,
        evidence: impl Into<Text>,
    ) -> Finding {
        let t = evidence.into();
        Finding {
            check: check.to_owned(),
            resource: resource.into(),
            account: None,
            status,
            evidence: t.en,
            evidence_de: t.de,
            exception: None,
        }
    }

    /// The evidence in the report's language (English where a run from before
    /// the German text is read).
    pub fn evidence_in(&self, german: bool) -> &str {
        if german && !self.evidence_de.is_empty() {
            &self.evidence_de
        } else {
            &self.evidence
        }
    }

    pub fn pass(check: &str, resource: impl Into<String>, evidence: impl Into<Text>) -> Finding {
        Finding::new(check, resource, Status::Pass, evidence)
    }

    pub fn fail(check: &str, resource: impl Into<String>, evidence: impl Into<Text>) -> Finding {
        Finding::new(check, resource, Status::Fail, evidence)
    }

    pub fn error(check: &str, resource: impl Into<String>, evidence: impl Into<Text>) -> Finding {
        Finding::new(check, resource, Status::Error, evidence)
    }

    pub fn na(check: &str, resource: impl Into<String>, evidence: impl Into<Text>) -> Finding {
        Finding::new(check, resource, Status::NotApplicable, evidence)
    }

    /// PASS when `ok`, else FAIL, with the same evidence.
    pub fn verdict(
        check: &str,
        resource: impl Into<String>,
        ok: bool,
        evidence: impl Into<Text>,
    ) -> Finding {
        Finding::new(
            check,
            resource,
            if ok { Status::Pass } else { Status::Fail },
            evidence,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_takes_the_worst_and_nothing_is_an_error() {
        assert_eq!(Status::fold([Status::Pass, Status::Fail]), Status::Fail);
        assert_eq!(Status::fold([Status::Fail, Status::Error]), Status::Error);
        assert_eq!(
            Status::fold([Status::NotApplicable, Status::Pass]),
            Status::Pass
        );
        assert_eq!(
            Status::fold([Status::Accepted, Status::Pass]),
            Status::Accepted
        );
        assert_eq!(Status::fold([]), Status::Error);
        assert!(!Status::Accepted.is_finding());
        assert!(Status::Missing.is_finding());
    }
}
