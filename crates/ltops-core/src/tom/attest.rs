//! Attestations of organisational measures: recorded in the audit log by
//! `ltops tom attest` (action `tom.attest`), read back by `tom check`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Finding, Status};
use crate::audit::content::{self, TomAttestIntent};
use crate::audit::event::{Event, Outcome, Phase};
use crate::text;

pub const ACTION: &str = "tom.attest";

/// What an attestation says; stored as the intent's `content`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    pub controls: Vec<String>,
    /// Text or URL of the evidence (a protocol, a photo, a signed list).
    pub evidence: String,
    pub attested_by: String,
    pub attested_at: String,
    pub valid_until: String,
    #[serde(default)]
    pub seq: u64,
}

pub fn content(
    controls: &[String],
    evidence: &str,
    by: &str,
    at: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Value {
    json!({
        "controls": controls,
        "evidence": evidence,
        "attested_by": by,
        "attested_at": at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "valid_until": until.to_rfc3339_opts(SecondsFormat::Secs, true),
    })
}

/// The latest completed attestation of every control (intent with an `ok` outcome).
pub fn latest(events: &[Event]) -> BTreeMap<String, Attestation> {
    let ok: HashMap<Uuid, ()> = events
        .iter()
        .filter(|e| {
            e.action == ACTION && e.phase == Phase::Outcome && e.result == Some(Outcome::Ok)
        })
        .filter_map(|e| e.intent.map(|i| (i, ())))
        .collect();
    let mut out: BTreeMap<String, Attestation> = BTreeMap::new();
    for e in events
        .iter()
        .filter(|e| e.action == ACTION && e.phase == Phase::Intent)
    {
        if !ok.contains_key(&e.id) {
            continue;
        }
        let Ok(c) = content::parse::<TomAttestIntent>(e) else {
            continue;
        };
        let a = Attestation {
            controls: c.controls,
            evidence: c.evidence,
            attested_by: c.attested_by,
            attested_at: c.attested_at,
            valid_until: c.valid_until,
            seq: e.seq,
        };
        for c in &a.controls {
            let key = c.to_ascii_uppercase();
            if out.get(&key).is_none_or(|prev| prev.seq < a.seq) {
                out.insert(key, a.clone());
            }
        }
    }
    out
}

/// VALID, EXPIRED or MISSING for one control.
pub fn finding(control: &str, att: Option<&Attestation>, now: DateTime<Utc>) -> Finding {
    let check = "attestation";
    match att {
        None => Finding::new(
            check,
            control,
            Status::Missing,
            text!(
                "never attested — `ltops tom attest {0} --evidence …`",
                "nie bestätigt — `ltops tom attest {0} --evidence …`",
                control
            ),
        ),
        Some(a) => {
            let until = DateTime::parse_from_rfc3339(&a.valid_until).map(|d| d.with_timezone(&Utc));
            let status = match until {
                Ok(u) if u > now => Status::Valid,
                _ => Status::Expired,
            };
            Finding::new(
                check,
                control,
                status,
                text!(
                    "attested by {} on {}, valid until {} (audit seq {}): {}",
                    "bestätigt von {} am {}, gültig bis {} (Audit-Seq {}): {}",
                    a.attested_by,
                    a.attested_at.get(..10).unwrap_or(&a.attested_at),
                    a.valid_until.get(..10).unwrap_or(&a.valid_until),
                    a.seq,
                    a.evidence
                ),
            )
        }
    }
}
