//! The SSO token cache shared with the AWS CLI (`~/.aws/sso/cache/<sha1>.json`).
//! Written byte for byte like botocore does, so `aws sso login` and `ltops login`
//! are interchangeable and aws-config's SSO provider reads either.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use sha1::{Digest, Sha1};

/// A cached SSO access token in the AWS CLI's `sso-session` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedToken {
    pub start_url: String,
    pub region: String,
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub registration_expires_at: Option<DateTime<Utc>>,
    pub refresh_token: Option<String>,
}

impl CachedToken {
    /// Whether aws-config can renew this token without a new browser sign-in.
    pub fn refreshable(&self, now: DateTime<Utc>) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires_at.is_some_and(|t| t > now)
    }

    /// Renders the file exactly as botocore's `json.dumps(token)` would: Python's
    /// separators (", " and ": "), ASCII-only escapes, insertion order, and
    /// timestamps as `%Y-%m-%dT%H:%M:%SZ`.
    pub fn to_cache_json(&self) -> String {
        let mut fields: Vec<(&str, String)> = vec![
            ("startUrl", self.start_url.clone()),
            ("region", self.region.clone()),
            ("accessToken", self.access_token.clone()),
            ("expiresAt", cache_time(self.expires_at)),
        ];
        if let Some(v) = &self.client_id {
            fields.push(("clientId", v.clone()));
        }
        if let Some(v) = &self.client_secret {
            fields.push(("clientSecret", v.clone()));
        }
        if let Some(v) = self.registration_expires_at {
            fields.push(("registrationExpiresAt", cache_time(v)));
        }
        if let Some(v) = &self.refresh_token {
            fields.push(("refreshToken", v.clone()));
        }
        python_json_object(&fields)
    }
}

fn cache_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A flat JSON object of strings as Python's `json.dumps` renders it.
fn python_json_object(fields: &[(&str, String)]) -> String {
    let fields: Vec<(&str, PyValue)> = fields
        .iter()
        .map(|(k, v)| (*k, PyValue::Str(v.clone())))
        .collect();
    python_json(&fields)
}

/// The few value shapes botocore's cache files use.
enum PyValue {
    Str(String),
    List(Vec<String>),
}

fn python_json(fields: &[(&str, PyValue)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        python_json_string(&mut out, k);
        out.push_str(": ");
        match v {
            PyValue::Str(s) => python_json_string(&mut out, s),
            PyValue::List(items) => {
                out.push('[');
                for (j, item) in items.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    python_json_string(&mut out, item);
                }
                out.push(']');
            }
        }
    }
    out.push('}');
    out
}

/// A cached OIDC client registration, shared with the AWS CLI so that neither
/// registers a new client on every sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: String,
    pub expires_at: DateTime<Utc>,
    pub scopes: Vec<String>,
}

impl Registration {
    fn to_cache_json(&self) -> String {
        python_json(&[
            ("clientId", PyValue::Str(self.client_id.clone())),
            ("clientSecret", PyValue::Str(self.client_secret.clone())),
            ("expiresAt", PyValue::Str(cache_time(self.expires_at))),
            ("scopes", PyValue::List(self.scopes.clone())),
        ])
    }
}

/// botocore's key: sha1 of `json.dumps({...}, sort_keys=True)` of the
/// registration's identifying arguments.
pub fn registration_path(
    dir: &Path,
    session_name: &str,
    start_url: &str,
    region: &str,
    scopes: &[String],
) -> PathBuf {
    let key = python_json(&[
        ("region", PyValue::Str(region.to_owned())),
        ("scopes", PyValue::List(scopes.to_vec())),
        ("session_name", PyValue::Str(session_name.to_owned())),
        ("startUrl", PyValue::Str(start_url.to_owned())),
        ("tool", PyValue::Str("botocore".to_owned())),
    ]);
    dir.join(format!(
        "{}.json",
        hex::encode(Sha1::digest(key.as_bytes()))
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRegistration {
    client_id: String,
    client_secret: String,
    expires_at: String,
    #[serde(default)]
    scopes: Vec<String>,
}

/// A usable cached registration, or `None` (missing, unreadable or expired: then
/// ltops simply registers again).
pub fn read_registration(path: &Path, now: DateTime<Utc>) -> Option<Registration> {
    let text = fs::read_to_string(path).ok()?;
    let raw: RawRegistration = serde_json::from_str(&text).ok()?;
    let expires_at = parse_time(&raw.expires_at)?;
    (expires_at > now + chrono::Duration::minutes(15)).then_some(Registration {
        client_id: raw.client_id,
        client_secret: raw.client_secret,
        expires_at,
        scopes: raw.scopes,
    })
}

pub fn write_registration(path: &Path, reg: &Registration) -> std::io::Result<()> {
    write_private(path, reg.to_cache_json().as_bytes())
}

fn python_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawToken {
    start_url: Option<String>,
    region: Option<String>,
    access_token: String,
    expires_at: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    registration_expires_at: Option<String>,
    refresh_token: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot read the SSO token cache {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the SSO token cache {path} is not a valid token file ({message}) — run `ltops login`")]
    Malformed { path: PathBuf, message: String },
}

/// The cache file for an `sso-session` name, or for the start URL of a legacy
/// profile without one — the same key botocore derives.
pub fn cache_path(dir: &Path, session_name: Option<&str>, start_url: &str) -> PathBuf {
    let key = session_name.unwrap_or(start_url);
    dir.join(format!(
        "{}.json",
        hex::encode(Sha1::digest(key.as_bytes()))
    ))
}

pub fn read(path: &Path) -> Result<Option<CachedToken>, CacheError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CacheError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let malformed = |message: String| CacheError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    let raw: RawToken = serde_json::from_str(&text).map_err(|e| malformed(e.to_string()))?;
    let expires_at = parse_time(&raw.expires_at)
        .ok_or_else(|| malformed(format!("expiresAt `{}` is not a timestamp", raw.expires_at)))?;
    let registration_expires_at =
        match raw.registration_expires_at {
            Some(s) => Some(parse_time(&s).ok_or_else(|| {
                malformed(format!("registrationExpiresAt `{s}` is not a timestamp"))
            })?),
            None => None,
        };
    Ok(Some(CachedToken {
        start_url: raw.start_url.unwrap_or_default(),
        region: raw.region.unwrap_or_default(),
        access_token: raw.access_token,
        expires_at,
        client_id: raw.client_id,
        client_secret: raw.client_secret,
        registration_expires_at,
        refresh_token: raw.refresh_token,
    }))
}

/// Accepts both botocore's `…Z` form and full RFC 3339 (other SDKs write offsets
/// and fractions).
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Writes the token atomically with mode 0600 (botocore's mode) in a 0700 folder.
pub fn write(path: &Path, token: &CachedToken) -> std::io::Result<()> {
    write_private(path, token.to_cache_json().as_bytes())
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("token cache path has no folder"))?;
    create_private_dir(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("token"),
        std::process::id()
    ));
    crate::fsutil::write_private_atomic(path, &tmp, bytes)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Removes the cached token; a missing file is fine (already signed out).
pub fn remove(path: &Path) -> std::io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// RFC 3339 in UTC with seconds, for reports.
pub fn display_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn token() -> CachedToken {
        CachedToken {
            start_url: "https://leadtributor.awsapps.com/start".into(),
            region: "eu-central-1".into(),
            access_token: "tok".into(),
            expires_at: Utc.with_ymd_and_hms(2026, 11, 27, 9, 12, 0).unwrap(),
            client_id: Some("cid".into()),
            client_secret: Some("sec".into()),
            registration_expires_at: Some(Utc.with_ymd_and_hms(2027, 2, 25, 9, 12, 0).unwrap()),
            refresh_token: Some("ref".into()),
        }
    }

    #[test]
    fn renders_like_python_json_dumps() {
        assert_eq!(
            token().to_cache_json(),
            r#"{"startUrl": "https://leadtributor.awsapps.com/start", "region": "eu-central-1", "accessToken": "tok", "expiresAt": "2026-11-27T09:12:00Z", "clientId": "cid", "clientSecret": "sec", "registrationExpiresAt": "2027-02-25T09:12:00Z", "refreshToken": "ref"}"#
        );
    }

    #[test]
    fn registration_key_and_file_match_botocore() {
        let scopes = vec!["sso:account:access".to_owned()];
        let p = registration_path(
            Path::new("/c"),
            "lab",
            "https://leadtributor.awsapps.com/start",
            "eu-central-1",
            &scopes,
        );
        // As observed from the AWS CLI v2 against the lab.
        assert_eq!(
            p,
            Path::new("/c/6a92e95c53a82ff7a2e28adc55e156b41a0ede8a.json")
        );
        let reg = Registration {
            client_id: "id".into(),
            client_secret: "s".into(),
            expires_at: Utc.with_ymd_and_hms(2027, 2, 25, 21, 1, 59).unwrap(),
            scopes,
        };
        assert_eq!(
            reg.to_cache_json(),
            r#"{"clientId": "id", "clientSecret": "s", "expiresAt": "2027-02-25T21:01:59Z", "scopes": ["sso:account:access"]}"#
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_registration(&path, &reg).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap();
        assert_eq!(read_registration(&path, now), Some(reg));
        let later = Utc.with_ymd_and_hms(2027, 2, 25, 21, 0, 0).unwrap();
        assert_eq!(
            read_registration(&path, later),
            None,
            "about to expire: register anew"
        );
    }

    #[test]
    fn escapes_like_python() {
        let mut s = String::new();
        python_json_string(&mut s, "a\"b\\c/é\u{1F600}\n");
        assert_eq!(s, r#""a\"b\\c/\u00e9\ud83d\ude00\n""#);
    }

    #[test]
    fn key_is_sha1_of_session_name_else_start_url() {
        let p = cache_path(Path::new("/c"), Some("lab"), "https://x");
        // sha1("lab"), as botocore's SSOTokenLoader derives it
        assert_eq!(
            p,
            Path::new("/c/3953f9ddf975ab5097ee468d99555c5b441169bf.json")
        );
        let legacy = cache_path(Path::new("/c"), None, "https://x");
        assert_eq!(
            legacy,
            Path::new("/c").join(format!("{}.json", hex::encode(Sha1::digest(b"https://x"))))
        );
    }

    #[test]
    fn round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sso/cache/x.json");
        write(&path, &token()).unwrap();
        assert_eq!(read(&path).unwrap(), Some(token()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(remove(&path).unwrap());
        assert!(!remove(&path).unwrap());
        assert_eq!(read(&path).unwrap(), None);
    }

    #[test]
    fn refreshable_needs_registration_and_refresh_token() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap();
        assert!(token().refreshable(now));
        let mut t = token();
        t.refresh_token = None;
        assert!(!t.refreshable(now));
    }

    #[test]
    fn malformed_file_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        fs::write(&path, "{\"accessToken\": \"a\", \"expiresAt\": \"soon\"}").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("expiresAt `soon`") && err.contains("ltops login"),
            "{err}"
        );
    }
}
