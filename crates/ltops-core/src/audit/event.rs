//! The audit event and its canonical encoding. The encoding is deliberately the
//! one Python's `json.dumps(e, sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False)` produces, so a DPO can re-verify the chain with a short
//! script of their own instead of trusting this tool.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::aws::identity::Actor;

/// `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Written before the side effect; if it cannot be written, nothing happens.
    Intent,
    /// Written after the side effect succeeded, failed, or was interrupted.
    Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Failed,
    Aborted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Aborted => "aborted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasonKind {
    /// On the documented instruction of the controller (the customer).
    Instruction,
    /// To keep the service running (an incident).
    Incident,
}

impl ReasonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonKind::Instruction => "instruction",
            ReasonKind::Incident => "incident",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.reference)
    }
}

/// Why staff acted (TOM §5): a reference is mandatory, a note optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub kind: ReasonKind,
    pub reference: String,
    pub note: Option<String>,
}

/// A reference that is not one (free text, spaces, too long).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReasonError(String);

impl Reason {
    /// Validates a reference: free text alone is not a reason, so the reference must
    /// look like a ticket or document id (no spaces, 2–100 characters).
    pub fn new(
        kind: ReasonKind,
        reference: &str,
        note: Option<String>,
    ) -> Result<Reason, ReasonError> {
        let r = reference.trim();
        let ok = (2..=100).contains(&r.len())
            && r.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:#".contains(c))
            && r.chars().any(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(ReasonError(format!(
                "`{reference}` is not a reference: give the ticket or document id of the {} (letters, digits and -_./:#, no spaces), and put prose in --note",
                match kind {
                    ReasonKind::Instruction => "controller's instruction",
                    ReasonKind::Incident => "incident",
                }
            )));
        }
        Ok(Reason {
            kind,
            reference: r.to_owned(),
            note: note.filter(|n| !n.trim().is_empty()),
        })
    }
}

/// What an action is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub tenant: Option<String>,
    pub resource: Option<String>,
}

/// One audit event, as stored (one JSON object per line in the file store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub id: Uuid,
    pub at: String,
    pub actor: Actor,
    pub action: String,
    pub phase: Phase,
    /// For outcomes: how it ended.
    pub result: Option<Outcome>,
    /// For outcomes: the id of the intent they close.
    pub intent: Option<Uuid>,
    pub target: Target,
    pub reason: Option<Reason>,
    /// Non-personal detail; personal data only inside `content.sealed` (encrypted).
    pub content: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// An event before it has a place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: String,
    pub phase: Phase,
    pub result: Option<Outcome>,
    pub intent: Option<Uuid>,
    pub target: Target,
    pub reason: Option<Reason>,
    pub content: Value,
}

impl Draft {
    /// Places the draft after `prev` (seq, hash) and computes its hash.
    pub fn seal_into_chain(self, seq: u64, prev_hash: &str) -> Event {
        let mut event = Event {
            seq,
            id: self.id,
            at: self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            actor: self.actor,
            action: self.action,
            phase: self.phase,
            result: self.result,
            intent: self.intent,
            target: self.target,
            reason: self.reason,
            content: self.content,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        event
    }
}

impl Event {
    /// SHA-256 (hex) over the canonical encoding of the event without `hash`.
    pub fn compute_hash(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.remove("hash");
        }
        hex::encode(Sha256::digest(canonical(&v)))
    }

    /// The stored line: the canonical encoding including `hash`.
    pub fn to_line(&self) -> String {
        let v = serde_json::to_value(self).unwrap_or(Value::Null);
        String::from_utf8(canonical(&v)).unwrap_or_default()
    }

    pub fn tenant(&self) -> Option<&str> {
        self.target.tenant.as_deref()
    }
}

/// Canonical JSON: object keys sorted by code point, no insignificant white space,
/// strings escaped as serde_json (= Python with ensure_ascii=False) does.
/// What placing a line in the chain needs of it: its seq and hashes, read
/// without parsing the whole event.
#[derive(Debug, Clone, Deserialize)]
pub struct LineHead {
    pub seq: u64,
    pub hash: String,
    #[serde(default)]
    pub prev_hash: String,
}

impl LineHead {
    pub fn of(line: &[u8]) -> Option<LineHead> {
        serde_json::from_slice(line).ok()
    }
}

pub fn canonical(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_canonical(&m[k], out);
            }
            out.push(b'}');
        }
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(x, out);
            }
            out.push(b']');
        }
        Value::String(s) => write_string(s, out),
        other => out.extend_from_slice(other.to_string().as_bytes()),
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    // serde_json escapes exactly `"`, `\` and control characters, like Python.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Content must encode the same way in every language: integers, strings, bools,
/// null, arrays and objects only — floats differ between JSON libraries.
pub fn check_content(v: &Value) -> Result<(), String> {
    match v {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => Err(format!(
            "audit content may not hold the non-integer number {n}: record it as a string"
        )),
        Value::Array(a) => a.iter().try_for_each(check_content),
        Value::Object(m) => m.values().try_for_each(check_content),
        _ => Ok(()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn actor() -> Actor {
        Actor {
            arn: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_LtopsAdmin_0123456789abcdef/alice@leadtributor.cloud".into(),
            user: "alice@leadtributor.cloud".into(),
            account: "123456789012".into(),
            permission_set: "LtopsAdmin".into(),
        }
    }

    #[test]
    fn canonical_sorts_keys_and_keeps_unicode() {
        let v = json!({"b": 1, "a": {"z": "ä\"\n", "y": [true, null]}});
        assert_eq!(
            String::from_utf8(canonical(&v)).unwrap(),
            "{\"a\":{\"y\":[true,null],\"z\":\"ä\\\"\\n\"},\"b\":1}"
        );
    }

    #[test]
    fn hash_covers_everything_but_the_hash() {
        let draft = Draft {
            id: Uuid::nil(),
            at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            actor: actor(),
            action: "audit.record".into(),
            phase: Phase::Intent,
            result: None,
            intent: None,
            target: Target::default(),
            reason: Some(Reason::new(ReasonKind::Incident, "INC-1", None).unwrap()),
            content: json!({"k": 1}),
        };
        let e = draft.seal_into_chain(1, GENESIS);
        assert_eq!(e.hash, e.compute_hash());
        let line = e.to_line();
        let back: Event = serde_json::from_str(&line).unwrap();
        assert_eq!(back, e);
        let mut tampered = e.clone();
        tampered.action = "tenant.erase".into();
        assert_ne!(tampered.compute_hash(), e.hash);
        // The line is itself canonical, so hashing it without the hash field agrees.
        let stripped = line.replace(&format!("\"hash\":\"{}\",", e.hash), "");
        assert_eq!(hex::encode(Sha256::digest(stripped.as_bytes())), e.hash);
    }

    #[test]
    fn references_must_be_references() {
        assert!(Reason::new(ReasonKind::Instruction, "TICKET-4711", None).is_ok());
        assert!(Reason::new(ReasonKind::Incident, "because the customer asked", None).is_err());
        assert!(Reason::new(ReasonKind::Incident, "x", None).is_err());
        assert!(Reason::new(ReasonKind::Incident, "--", None).is_err());
    }

    #[test]
    fn floats_are_refused_in_content() {
        assert!(check_content(&json!({"a": [1, "x", {"b": 2}]})).is_ok());
        assert!(check_content(&json!({"a": 1.5})).is_err());
    }
}
