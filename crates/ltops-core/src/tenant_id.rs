//! The one tenant-id type: parsed and put into its canonical form where it
//! enters (a flag, a config value), so that audit keys, ledger entries, locks
//! and SQL parameters all agree on one spelling of a tenant.

use std::fmt;

use serde::Serialize;

use crate::datamap::{DataMap, IdType};

/// A validated tenant id in canonical form (UUIDs lower case and hyphenated).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not a tenant id (expected a {expected} — see `ltops tenant list`)")]
pub struct TenantIdError {
    given: String,
    expected: &'static str,
}

impl TenantId {
    /// Parses a tenant id of the data map's id type.
    pub fn parse(map: &DataMap, raw: &str) -> Result<TenantId, TenantIdError> {
        TenantId::parse_as(map.tenant.id_type, raw)
    }

    pub fn parse_as(id_type: IdType, raw: &str) -> Result<TenantId, TenantIdError> {
        let canonical = match id_type {
            IdType::Uuid if raw.len() == 36 => uuid::Uuid::parse_str(raw)
                .ok()
                .map(|u| u.hyphenated().to_string()),
            IdType::Uuid => None,
            IdType::Bigint => raw
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(|n| n.to_string()),
            IdType::Text => ((1..=64).contains(&raw.len())
                && raw
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .then(|| raw.to_owned()),
        };
        canonical.map(TenantId).ok_or_else(|| TenantIdError {
            given: raw.escape_debug().to_string(),
            expected: match id_type {
                IdType::Uuid => "UUID like 00000000-0000-4000-8000-000000000001",
                IdType::Bigint => "positive integer",
                IdType::Text => "word of letters, digits, - and _",
            },
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TenantId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_lower_cased_and_others_refused() {
        let t = TenantId::parse_as(IdType::Uuid, "0000000A-0000-4000-8000-00000000000B").unwrap();
        assert_eq!(t.as_str(), "0000000a-0000-4000-8000-00000000000b");
        assert!(TenantId::parse_as(IdType::Uuid, "0000000a00004000800000000000000b").is_err());
        let e = TenantId::parse_as(IdType::Uuid, "1' OR '1'='1").unwrap_err();
        assert!(e.to_string().contains("is not a tenant id"), "{e}");
    }

    #[test]
    fn bigint_and_text_ids() {
        assert_eq!(
            TenantId::parse_as(IdType::Bigint, "42").unwrap().as_str(),
            "42"
        );
        assert!(TenantId::parse_as(IdType::Bigint, "0").is_err());
        assert!(TenantId::parse_as(IdType::Bigint, "-3").is_err());
        assert!(TenantId::parse_as(IdType::Text, "acme_1").is_ok());
        assert!(TenantId::parse_as(IdType::Text, "a b").is_err());
        assert!(TenantId::parse_as(IdType::Text, &"x".repeat(65)).is_err());
    }
}
