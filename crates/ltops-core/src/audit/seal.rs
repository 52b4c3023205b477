//! Crypto-shredding: tenant personal data in audit content is encrypted under a
//! per-tenant key. Erasing the tenant destroys the key; the chain (which hashes
//! the ciphertext) still verifies, but the personal data is gone for good.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload, rand_core::RngCore};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub const ALG: &str = "AES-256-GCM";

/// A tenant's content key.
#[derive(Clone, PartialEq, Eq)]
pub struct TenantKey(pub [u8; 32]);

impl std::fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TenantKey(..)")
    }
}

impl TenantKey {
    /// An HMAC key for one use of this tenant key (`label` names the use), so
    /// that a keyed hash shown or recorded is never a step towards the
    /// sealing key, and the uses cannot stand in for each other.
    pub fn derived(&self, label: &[u8]) -> ring::hmac::Key {
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.0);
        let derived = ring::hmac::sign(&k, label);
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref())
    }

    pub fn generate() -> TenantKey {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        TenantKey(k)
    }

    pub fn to_b64(&self) -> String {
        B64.encode(self.0)
    }

    pub fn from_bytes(b: &[u8]) -> Option<TenantKey> {
        <[u8; 32]>::try_from(b).ok().map(TenantKey)
    }

    pub fn from_b64(s: &str) -> Option<TenantKey> {
        Self::from_bytes(&B64.decode(s).ok()?)
    }
}

/// The state of a tenant's key in a store's key table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    Active(TenantKey),
    /// Destroyed by the tenant's erasure, at this time (RFC 3339).
    Destroyed {
        at: String,
    },
    Missing,
}

/// Sealed personal data as it sits in `content.sealed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub alg: String,
    pub tenant: String,
    pub nonce: String,
    pub ciphertext: String,
}

/// The ciphertext is bound to its event and tenant, so it cannot be moved elsewhere.
fn aad(event_id: Uuid, tenant: &str) -> Vec<u8> {
    let mut a = event_id.as_bytes().to_vec();
    a.extend_from_slice(tenant.as_bytes());
    a
}

pub fn seal(key: &TenantKey, event_id: Uuid, tenant: &str, personal: &Value) -> Sealed {
    let cipher = Aes256Gcm::new((&key.0).into());
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let plaintext = serde_json::to_vec(personal).unwrap_or_default();
    let aad = aad(event_id, tenant);
    // Encryption with a valid key and nonce cannot fail for inputs of this size.
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &plaintext,
                aad: &aad,
            },
        )
        .unwrap_or_default();
    Sealed {
        alg: ALG.to_owned(),
        tenant: tenant.to_owned(),
        nonce: B64.encode(nonce),
        ciphertext: B64.encode(ciphertext),
    }
}

pub fn open(key: &TenantKey, event_id: Uuid, sealed: &Sealed) -> Result<Value, String> {
    if sealed.alg != ALG {
        return Err(format!("unknown algorithm {}", sealed.alg));
    }
    let nonce = B64.decode(&sealed.nonce).map_err(|e| e.to_string())?;
    if nonce.len() != 12 {
        return Err("nonce is not 96 bits".into());
    }
    let ct = B64.decode(&sealed.ciphertext).map_err(|e| e.to_string())?;
    let cipher = Aes256Gcm::new((&key.0).into());
    let aad = aad(event_id, &sealed.tenant);
    let pt = cipher
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &ct,
                aad: &aad,
            },
        )
        .map_err(|_| "ciphertext does not decrypt under the tenant key".to_owned())?;
    serde_json::from_slice(&pt).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seal_and_open_round_trip_and_bind_to_the_event() {
        let key = TenantKey::generate();
        let id = Uuid::now_v7();
        let s = seal(&key, id, "t1", &json!({"email": "a@b.c"}));
        assert!(!s.ciphertext.contains("a@b.c"));
        assert_eq!(open(&key, id, &s).unwrap(), json!({"email": "a@b.c"}));
        assert!(
            open(&key, Uuid::now_v7(), &s).is_err(),
            "moved to another event"
        );
        assert!(open(&TenantKey::generate(), id, &s).is_err(), "other key");
        assert_eq!(TenantKey::from_b64(&key.to_b64()), Some(key));
    }
}
