//! AWS SSO (IAM Identity Center) sign-in: which SSO session a profile uses, the
//! OAuth device-authorization flow, sign-out, and whether the cached token still
//! works — so that commands can say "run `ltops login`" before AWS says "no".

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::config::in_region;
use super::error::{AwsError, describe};
use super::token_cache::{self, CachedToken};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_GRANT: &str = "refresh_token";
const DEFAULT_SCOPE: &str = "sso:account:access";

/// The SSO settings of one AWS profile, as `aws configure sso` writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProfile {
    pub profile: String,
    /// The `[sso-session NAME]` the profile points at; `None` for legacy profiles
    /// that carry `sso_start_url` themselves (no refresh tokens there).
    pub session_name: Option<String>,
    pub start_url: String,
    pub sso_region: String,
    pub scopes: Vec<String>,
    pub account_id: Option<String>,
    pub role_name: Option<String>,
}

impl SsoProfile {
    pub fn cache_file(&self, cache_dir: &Path) -> PathBuf {
        token_cache::cache_path(cache_dir, self.session_name.as_deref(), &self.start_url)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("cannot read the AWS config files: {0}")]
    ProfileFiles(String),
    #[error(
        "AWS profile `{0}` not found in ~/.aws/config (or $AWS_CONFIG_FILE) — add it as an SSO profile (README: SSO set-up) or pick one with --profile"
    )]
    NoSuchProfile(String),
    #[error(
        "AWS profile `{0}` does not use AWS SSO (no `sso_session` or `sso_start_url`) — ltops acts only through personal SSO identities"
    )]
    NotSso(String),
    #[error("AWS profile `{profile}`: {message}")]
    BadProfile { profile: String, message: String },
    #[error("no SSO token for {session} in {path} — run `ltops login`")]
    NotLoggedIn { session: String, path: PathBuf },
    #[error("SSO token for {session} expired at {at} — run `ltops login`")]
    Expired { session: String, at: String },
    #[error(
        "the sign-in code {user_code} expired before it was approved in the browser — run `ltops login` again"
    )]
    DeviceCodeExpired { user_code: String },
    #[error("sign-in was denied at {verification_uri}: {message}")]
    Denied {
        verification_uri: String,
        message: String,
    },
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Cache(#[from] token_cache::CacheError),
    #[error("cannot write the SSO token cache {path}")]
    CacheWrite {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Reads the SSO settings of `profile` (or of `$AWS_PROFILE` / `default`).
pub async fn resolve_profile(profile: Option<&str>) -> Result<SsoProfile, SsoError> {
    let files = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        profile.map(|p| Cow::Owned(p.to_owned())),
    )
    .await
    .map_err(|e| SsoError::ProfileFiles(e.to_string()))?;
    let name = files.selected_profile().to_owned();
    let p = files
        .get_profile(&name)
        .ok_or_else(|| SsoError::NoSuchProfile(name.clone()))?;
    let bad = |message: String| SsoError::BadProfile {
        profile: name.clone(),
        message,
    };
    let account_id = p.get("sso_account_id").map(str::to_owned);
    let role_name = p.get("sso_role_name").map(str::to_owned);
    if let Some(session_name) = p.get("sso_session") {
        let session = files.sso_session(session_name).ok_or_else(|| {
            bad(format!(
                "points at `[sso-session {session_name}]`, which is not in the config file"
            ))
        })?;
        let start_url = session.get("sso_start_url").ok_or_else(|| {
            bad(format!(
                "`[sso-session {session_name}]` has no sso_start_url"
            ))
        })?;
        let sso_region = session
            .get("sso_region")
            .ok_or_else(|| bad(format!("`[sso-session {session_name}]` has no sso_region")))?;
        let scopes = session
            .get("sso_registration_scopes")
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_else(|| vec![DEFAULT_SCOPE.to_owned()]);
        return Ok(SsoProfile {
            profile: name.clone(),
            session_name: Some(session_name.to_owned()),
            start_url: start_url.to_owned(),
            sso_region: sso_region.to_owned(),
            scopes,
            account_id,
            role_name,
        });
    }
    match (p.get("sso_start_url"), p.get("sso_region")) {
        (Some(start_url), Some(region)) => Ok(SsoProfile {
            profile: name.clone(),
            session_name: None,
            start_url: start_url.to_owned(),
            sso_region: region.to_owned(),
            scopes: Vec::new(),
            account_id,
            role_name,
        }),
        (Some(_), None) => Err(bad("has sso_start_url but no sso_region".into())),
        _ => Err(SsoError::NotSso(name)),
    }
}

/// The state of the cached token of a profile, as far as it can be known offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    Valid {
        expires_at: DateTime<Utc>,
    },
    /// Expired, but aws-config will renew it with the refresh token.
    Refreshable {
        expired_at: DateTime<Utc>,
    },
    Expired {
        expired_at: DateTime<Utc>,
    },
    Missing,
}

pub fn token_state(
    profile: &SsoProfile,
    cache_dir: &Path,
    now: DateTime<Utc>,
) -> Result<(PathBuf, TokenState, Option<CachedToken>), SsoError> {
    let path = profile.cache_file(cache_dir);
    let token = token_cache::read(&path)?;
    let state = match &token {
        None => TokenState::Missing,
        Some(t) if t.expires_at > now => TokenState::Valid {
            expires_at: t.expires_at,
        },
        Some(t) if t.refreshable(now) => TokenState::Refreshable {
            expired_at: t.expires_at,
        },
        Some(t) => TokenState::Expired {
            expired_at: t.expires_at,
        },
    };
    Ok((path, state, token))
}

/// Fails with the `ltops login` hint when the token is missing or dead; a command
/// calls this before its first AWS call so the operator gets the fix, not an SDK trace.
pub fn require_token(
    profile: &SsoProfile,
    cache_dir: &Path,
    now: DateTime<Utc>,
) -> Result<TokenState, SsoError> {
    let session = describe_session(profile);
    let (path, state, _) = token_state(profile, cache_dir, now)?;
    match state {
        TokenState::Missing => Err(SsoError::NotLoggedIn { session, path }),
        TokenState::Expired { expired_at } => Err(SsoError::Expired {
            session,
            at: expired_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }),
        ok => Ok(ok),
    }
}

pub fn describe_session(profile: &SsoProfile) -> String {
    match &profile.session_name {
        Some(s) => format!("sso-session `{s}`"),
        None => profile.start_url.clone(),
    }
}

/// A device authorization waiting for the operator to approve it in a browser.
#[derive(Debug)]
pub struct PendingLogin {
    client: aws_sdk_ssooidc::Client,
    profile: SsoProfile,
    client_id: String,
    client_secret: String,
    registration_expires_at: Option<DateTime<Utc>>,
    device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    deadline: Instant,
    interval: Duration,
}

/// Registers a public OIDC client and starts the device authorization.
pub async fn start_login(
    sdk: &SdkConfig,
    profile: &SsoProfile,
    cache_dir: &Path,
) -> Result<PendingLogin, SsoError> {
    let client = aws_sdk_ssooidc::Client::new(&in_region(sdk, &profile.sso_region));
    let (client_id, client_secret, registration_expires_at) =
        register(&client, profile, cache_dir).await?;
    let auth = client
        .start_device_authorization()
        .client_id(&client_id)
        .client_secret(&client_secret)
        .start_url(&profile.start_url)
        .send()
        .await
        .map_err(|e| describe("sso-oidc:StartDeviceAuthorization", &e))?;
    let interval = Duration::from_secs(u64::try_from(auth.interval.max(1)).unwrap_or(5));
    let expires_in = Duration::from_secs(u64::try_from(auth.expires_in.max(1)).unwrap_or(600));
    Ok(PendingLogin {
        client,
        profile: profile.clone(),
        client_id,
        client_secret,
        registration_expires_at,
        device_code: auth.device_code.unwrap_or_default(),
        user_code: auth.user_code.unwrap_or_default(),
        verification_uri: auth.verification_uri.unwrap_or_default(),
        verification_uri_complete: auth.verification_uri_complete,
        deadline: Instant::now() + expires_in,
        interval,
    })
}

/// Reuses the client registration cached by ltops or the AWS CLI, or registers a
/// new public client (and caches it, for sso-session profiles).
async fn register(
    client: &aws_sdk_ssooidc::Client,
    profile: &SsoProfile,
    cache_dir: &Path,
) -> Result<(String, String, Option<DateTime<Utc>>), SsoError> {
    let cache = profile.session_name.as_deref().map(|session| {
        token_cache::registration_path(
            cache_dir,
            session,
            &profile.start_url,
            &profile.sso_region,
            &profile.scopes,
        )
    });
    if let Some(reg) = cache
        .as_deref()
        .and_then(|p| token_cache::read_registration(p, Utc::now()))
    {
        return Ok((reg.client_id, reg.client_secret, Some(reg.expires_at)));
    }
    let mut request = client
        .register_client()
        .client_name(format!("ltops-{}", Utc::now().timestamp()))
        .client_type("public");
    if profile.session_name.is_some() {
        // Only sso-session profiles get refresh tokens, as with the AWS CLI.
        request = request
            .set_scopes(Some(profile.scopes.clone()))
            .grant_types(DEVICE_GRANT)
            .grant_types(REFRESH_GRANT);
    }
    let reg = request
        .send()
        .await
        .map_err(|e| describe("sso-oidc:RegisterClient", &e))?;
    let client_id = reg.client_id.unwrap_or_default();
    let client_secret = reg.client_secret.unwrap_or_default();
    let expires_at = DateTime::from_timestamp(reg.client_secret_expires_at, 0);
    if let (Some(path), Some(expires_at)) = (cache, expires_at) {
        let cached = token_cache::Registration {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            expires_at,
            scopes: profile.scopes.clone(),
        };
        token_cache::write_registration(&path, &cached)
            .map_err(|source| SsoError::CacheWrite { path, source })?;
    }
    Ok((client_id, client_secret, expires_at))
}

impl PendingLogin {
    /// Polls CreateToken until the operator approves, honouring `slow_down` and
    /// the device code's expiry, and returns the token in cache form.
    pub async fn wait(mut self) -> Result<CachedToken, SsoError> {
        use aws_sdk_ssooidc::operation::create_token::CreateTokenError;
        loop {
            if Instant::now() >= self.deadline {
                return Err(SsoError::DeviceCodeExpired {
                    user_code: self.user_code,
                });
            }
            tokio::time::sleep(self.interval).await;
            let result = self
                .client
                .create_token()
                .grant_type(DEVICE_GRANT)
                .device_code(&self.device_code)
                .client_id(&self.client_id)
                .client_secret(&self.client_secret)
                .send()
                .await;
            match result {
                Ok(out) => {
                    let now = Utc::now();
                    let expires_at = now + chrono::Duration::seconds(i64::from(out.expires_in));
                    let session_form = self.profile.session_name.is_some();
                    return Ok(CachedToken {
                        start_url: self.profile.start_url.clone(),
                        region: self.profile.sso_region.clone(),
                        access_token: out.access_token.unwrap_or_default(),
                        expires_at,
                        client_id: session_form.then(|| self.client_id.clone()),
                        client_secret: session_form.then(|| self.client_secret.clone()),
                        registration_expires_at: if session_form {
                            self.registration_expires_at
                        } else {
                            None
                        },
                        refresh_token: if session_form {
                            out.refresh_token
                        } else {
                            None
                        },
                    });
                }
                Err(e) => match e.as_service_error() {
                    Some(CreateTokenError::AuthorizationPendingException(_)) => {}
                    Some(CreateTokenError::SlowDownException(_)) => {
                        // RFC 8628 §3.5: add 5 seconds to the interval for good.
                        self.interval += Duration::from_secs(5);
                    }
                    Some(CreateTokenError::ExpiredTokenException(_)) => {
                        return Err(SsoError::DeviceCodeExpired {
                            user_code: self.user_code,
                        });
                    }
                    Some(CreateTokenError::AccessDeniedException(d)) => {
                        return Err(SsoError::Denied {
                            verification_uri: self.verification_uri,
                            message: d.error_description().unwrap_or("access denied").to_owned(),
                        });
                    }
                    _ => return Err(describe("sso-oidc:CreateToken", &e).into()),
                },
            }
        }
    }
}

/// Stores a fresh token where the AWS CLI and aws-config look for it.
pub fn save_token(
    profile: &SsoProfile,
    cache_dir: &Path,
    token: &CachedToken,
) -> Result<PathBuf, SsoError> {
    let path = profile.cache_file(cache_dir);
    token_cache::write(&path, token).map_err(|source| SsoError::CacheWrite {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// What `logout` did, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutOutcome {
    pub cache_file: PathBuf,
    pub removed: bool,
    /// `None` when there was no token to revoke.
    pub portal: Option<Result<(), String>>,
}

/// Revokes the token at the SSO portal (best effort: an expired token cannot be
/// revoked and needs no revoking) and deletes it from the cache.
pub async fn logout(
    sdk: &SdkConfig,
    profile: &SsoProfile,
    cache_dir: &Path,
) -> Result<LogoutOutcome, SsoError> {
    let path = profile.cache_file(cache_dir);
    let token = token_cache::read(&path)?;
    let portal = match &token {
        Some(t) if t.expires_at > Utc::now() => {
            let client = aws_sdk_sso::Client::new(&in_region(sdk, &profile.sso_region));
            Some(
                client
                    .logout()
                    .access_token(&t.access_token)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| describe("sso:Logout", &e).to_string()),
            )
        }
        _ => None,
    };
    let removed = token_cache::remove(&path).map_err(|source| SsoError::CacheWrite {
        path: path.clone(),
        source,
    })?;
    Ok(LogoutOutcome {
        cache_file: path,
        removed,
        portal,
    })
}
