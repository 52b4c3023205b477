//! "Least to know" for values: a personal value is shown as what helps a
//! diagnosis without showing it — whether it is NULL, its length, the domain
//! of an e-mail address, and a short keyed hash, so that equal values can be
//! matched across rows (and across inspections of the same tenant) without
//! being readable.
//!
//! The hash key is derived (HMAC-SHA256 over a fixed label) from the tenant's
//! audit sealing key. That key lives only in the audit store's key table, is
//! never printed, and is destroyed when the tenant is erased. So the hash is
//! stable within a tenant, differs between tenants (no linking across
//! customers), cannot be recomputed by anyone without the key (a phone number
//! cannot be found by hashing every phone number), and after an erasure no
//! one can confirm a guessed value against an old hash. The label keeps the
//! uses of the key apart: a mask hash is never a step towards the sealing key.

use ring::hmac;
use serde::Serialize;

use crate::audit::seal::TenantKey;

/// Hex digits of the keyed hash shown: 32 bits tell equal values in a result
/// apart with a chance of a false match of about 1 in 4 billion per pair.
pub const HASH_HEX: usize = 8;

const LABEL: &[u8] = b"ltops inspect mask v1";

/// The per-tenant key of the masked hashes.
pub struct MaskKey(hmac::Key);

impl MaskKey {
    pub fn derive(tenant_key: &TenantKey) -> MaskKey {
        MaskKey(tenant_key.derived(LABEL))
    }

    /// The masked form of a value (which is never NULL here).
    pub fn mask(&self, value: &str) -> Masked {
        let tag = hmac::sign(&self.0, value.as_bytes());
        let hash: String = hex::encode(tag.as_ref()).chars().take(HASH_HEX).collect();
        Masked {
            masked: true,
            length: value.chars().count(),
            domain: email_domain(value).map(str::to_owned),
            hash,
        }
    }
}

/// A value as an inspection shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// Shown as it is (non-personal, or revealed); `None` is NULL.
    Clear(Option<String>),
    Masked(Masked),
}

/// What is shown of a personal value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Masked {
    /// Always true: tells a masked value from a clear one in JSON.
    pub masked: bool,
    /// In characters.
    pub length: usize,
    /// The part after the `@` of a value that looks like an e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The first [`HASH_HEX`] hex digits of the keyed hash.
    pub hash: String,
}

impl std::fmt::Display for Masked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[masked: {} chars", self.length)?;
        if let Some(d) = &self.domain {
            write!(f, ", @{d}")?;
        }
        write!(f, ", #{}]", self.hash)
    }
}

/// The domain of `value` when it is shaped like one e-mail address.
fn email_domain(value: &str) -> Option<&str> {
    let (local, domain) = value.trim().split_once('@')?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    plausible.then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_match_within_a_tenant_and_not_across_tenants() {
        let k1 = TenantKey([1; 32]);
        let a = MaskKey::derive(&k1);
        let b = MaskKey::derive(&TenantKey([2; 32]));
        let m = a.mask("anna.schmidt@example.com");
        assert_eq!(m.length, 24);
        assert_eq!(m.domain.as_deref(), Some("example.com"));
        assert_eq!(m.hash.len(), HASH_HEX);
        assert_eq!(MaskKey::derive(&k1).mask("anna.schmidt@example.com"), m);
        assert_ne!(a.mask("anna.schmidt@example.org").hash, m.hash);
        assert_ne!(b.mask("anna.schmidt@example.com").hash, m.hash);
        let shown = m.to_string();
        assert!(!shown.contains("anna"), "{shown}");
        assert_eq!(
            shown,
            format!("[masked: 24 chars, @example.com, #{}]", m.hash)
        );
    }

    #[test]
    fn only_address_shaped_values_show_a_domain() {
        let k = MaskKey::derive(&TenantKey([3; 32]));
        for v in [
            "+49 30 1234567",
            "Müller GmbH",
            "a@b",
            "@example.com",
            "x@y.z w",
        ] {
            assert_eq!(k.mask(v).domain, None, "{v}");
        }
        assert_eq!(k.mask("Jörg").length, 4, "characters, not bytes");
    }

    #[test]
    fn cells_serialise_as_values_or_masked_objects() {
        let k = MaskKey::derive(&TenantKey([4; 32]));
        let v = serde_json::to_value([
            Cell::Clear(None),
            Cell::Clear(Some("lost".into())),
            Cell::Masked(k.mask("x@example.com")),
        ])
        .unwrap();
        assert_eq!(v[0], serde_json::Value::Null);
        assert_eq!(v[1], "lost");
        assert_eq!(v[2]["masked"], true);
        assert_eq!(v[2]["domain"], "example.com");
    }
}
