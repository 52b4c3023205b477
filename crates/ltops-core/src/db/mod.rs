//! Connections to the platform database: a password from the environment or an
//! RDS IAM token (never a password in a file), over TLS unless told otherwise.

mod tls;

use std::str::FromStr;
use std::time::Duration;

use aws_config::SdkConfig;
use tokio_postgres::{Client, Config, NoTls};

use crate::aws::error::describe;
use crate::settings::{DatabaseAuth, DatabaseSection, Env, TlsMode};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "no database configured: add a `database` section to the config (README: Configuration)"
    )]
    NotConfigured,
    #[error("database.url `{url}` is not a valid connection URL: {detail}")]
    BadUrl { url: String, detail: String },
    #[error(
        "the database password is taken from ${var}, which is not set — export it (never put it in the config)"
    )]
    MissingPassword { var: String },
    #[error("cannot resolve the endpoint of RDS cluster `{cluster}`: {detail}")]
    Endpoint { cluster: String, detail: String },
    #[error("cannot create an RDS IAM auth token for {user}@{host}: {detail}")]
    Token {
        user: String,
        host: String,
        detail: String,
    },
    #[error("TLS set-up for the database failed: {0}")]
    Tls(String),
    #[error(
        "cannot connect to the database {target}: {detail} — check the `database` section of the config and that the server is reachable"
    )]
    Connect { target: String, detail: String },
}

/// Where a connection goes, without secrets, for messages and reports.
pub fn describe_target(cfg: &Config) -> String {
    let host = cfg
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(s) => s.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = cfg.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        cfg.get_user().unwrap_or("?"),
        cfg.get_dbname().unwrap_or("?")
    )
}

/// Builds the connection configuration (with the secret) for `section`.
pub async fn config_for(
    section: &DatabaseSection,
    env: &Env,
    sdk: &SdkConfig,
) -> Result<Config, DbError> {
    let mut cfg = match &section.auth {
        DatabaseAuth::Url { url, password_env } => {
            let mut cfg = Config::from_str(url).map_err(|e| DbError::BadUrl {
                url: url.clone(),
                detail: e.to_string(),
            })?;
            if let Some(var) = password_env {
                let pw = env
                    .get(var)
                    .ok_or_else(|| DbError::MissingPassword { var: var.clone() })?;
                cfg.password(pw);
            }
            cfg
        }
        DatabaseAuth::RdsIam(iam) => {
            let rds = aws_sdk_rds::Client::new(sdk);
            let out = rds
                .describe_db_clusters()
                .db_cluster_identifier(&iam.cluster)
                .send()
                .await
                .map_err(|e| DbError::Endpoint {
                    cluster: iam.cluster.clone(),
                    detail: describe("rds:DescribeDBClusters", &e)
                        .missing("DB cluster", &iam.cluster)
                        .to_string(),
                })?;
            let host = out
                .db_clusters()
                .first()
                .and_then(|c| c.endpoint())
                .ok_or_else(|| DbError::Endpoint {
                    cluster: iam.cluster.clone(),
                    detail: "the cluster has no writer endpoint".into(),
                })?
                .to_owned();
            iam_config(iam, sdk, &host, iam.port).await?
        }
    };
    cfg.connect_timeout(Duration::from_secs(5))
        .application_name("ltops");
    Ok(cfg)
}

/// A connection as `iam.user` with a fresh RDS IAM auth token (valid 15 minutes)
/// signed by the caller's SSO credentials.
async fn iam_config(
    iam: &crate::settings::RdsIamSection,
    sdk: &SdkConfig,
    host: &str,
    port: u16,
) -> Result<Config, DbError> {
    let token_error = |detail: String| DbError::Token {
        user: iam.user.clone(),
        host: host.to_owned(),
        detail,
    };
    let region = sdk
        .region()
        .cloned()
        .ok_or_else(|| token_error("no AWS region configured".into()))?;
    let token_cfg = aws_sdk_rds::auth_token::Config::builder()
        .hostname(host)
        .port(u64::from(port))
        .username(&iam.user)
        .region(region)
        .build()
        .map_err(|e| token_error(e.to_string()))?;
    let token = aws_sdk_rds::auth_token::AuthTokenGenerator::new(token_cfg)
        .auth_token(sdk)
        .await
        .map_err(|e| token_error(e.to_string()))?;
    let mut cfg = Config::new();
    cfg.host(host)
        .port(port)
        .user(&iam.user)
        .dbname(&iam.database)
        .password(token.as_str());
    Ok(cfg)
}

/// The connection to a restored copy: `override_url` (config `restore.targets`) or
/// the platform settings with the host and port replaced by the copy's endpoint.
pub async fn target_config(
    section: &DatabaseSection,
    env: &Env,
    sdk: &SdkConfig,
    endpoint: Option<(&str, u16)>,
    override_url: Option<&str>,
) -> Result<Config, DbError> {
    let password_env = match &section.auth {
        DatabaseAuth::Url { password_env, .. } => password_env.clone(),
        DatabaseAuth::RdsIam(_) => None,
    };
    let mut cfg = match (override_url, &section.auth, endpoint) {
        (Some(url), _, _) => {
            let mut cfg = Config::from_str(url).map_err(|e| DbError::BadUrl {
                url: url.to_owned(),
                detail: e.to_string(),
            })?;
            if let Some(var) = &password_env {
                let pw = env
                    .get(var)
                    .ok_or_else(|| DbError::MissingPassword { var: var.clone() })?;
                cfg.password(pw);
            }
            cfg
        }
        (None, DatabaseAuth::Url { .. }, Some((host, port))) => {
            let mut cfg = config_for(section, env, sdk).await?;
            cfg.host(host).port(port);
            cfg
        }
        (None, DatabaseAuth::RdsIam(iam), Some((host, port))) => {
            iam_config(iam, sdk, host, port).await?
        }
        (None, _, None) => {
            return Err(DbError::Connect {
                target: "the restored copy".into(),
                detail: "it has no endpoint yet".into(),
            });
        }
    };
    cfg.connect_timeout(Duration::from_secs(5))
        .application_name("ltops");
    Ok(cfg)
}

/// Connects and drives the connection in the background.
pub async fn connect_with(
    cfg: &Config,
    tls: TlsMode,
    ca_file: Option<&std::path::Path>,
) -> Result<Client, DbError> {
    let target = describe_target(cfg);
    let fail = |e: tokio_postgres::Error| DbError::Connect {
        target: target.clone(),
        detail: error_chain(&e),
    };
    match tls {
        TlsMode::Disable => {
            let (client, conn) = cfg.connect(NoTls).await.map_err(fail)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            Ok(client)
        }
        mode => {
            let connector = tls::connector(mode, ca_file).map_err(DbError::Tls)?;
            let (client, conn) = cfg.connect(connector).await.map_err(fail)?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            Ok(client)
        }
    }
}

/// Cancels the statement a connection is running, over a connection of its
/// own set up like the original (TLS mode and CA file): the server-side
/// statement stops, its locks go with the rolled-back transaction.
#[derive(Clone)]
pub struct Canceller {
    token: tokio_postgres::CancelToken,
    tls: TlsMode,
    ca_file: Option<std::path::PathBuf>,
}

impl Canceller {
    /// For `client`, connected with the settings of `section`.
    pub fn new(client: &Client, section: Option<&DatabaseSection>) -> Canceller {
        Canceller {
            token: client.cancel_token(),
            tls: section.map_or(TlsMode::Disable, |s| s.tls),
            ca_file: section.and_then(|s| s.ca_file.clone()),
        }
    }

    pub async fn cancel(&self) -> Result<(), DbError> {
        let fail = |e: tokio_postgres::Error| DbError::Connect {
            target: "the server, to cancel the running statement".into(),
            detail: error_chain(&e),
        };
        match self.tls {
            TlsMode::Disable => self.token.cancel_query(NoTls).await.map_err(fail),
            mode => {
                let connector =
                    tls::connector(mode, self.ca_file.as_deref()).map_err(DbError::Tls)?;
                self.token.cancel_query(connector).await.map_err(fail)
            }
        }
    }
}

/// Connects to the configured platform database.
pub async fn connect(
    section: Option<&DatabaseSection>,
    env: &Env,
    sdk: &SdkConfig,
) -> Result<Client, DbError> {
    let section = section.ok_or(DbError::NotConfigured)?;
    let cfg = config_for(section, env, sdk).await?;
    connect_with(&cfg, section.tls, section.ca_file.as_deref()).await
}

/// tokio-postgres hides the useful part ("connection refused", the server's
/// message) in the source chain; this says each part once, on one line. A server
/// error shows as `message (detail) — hint: hint`, not as the server's
/// multi-line `ERROR: … DETAIL: … HINT: …`.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(c) = cur {
        let t = match c.downcast_ref::<tokio_postgres::error::DbError>() {
            Some(db) => server_message(db),
            None => c.to_string(),
        };
        // "db error" only says that a server error follows.
        if t != "db error" && !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = c.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

/// The server's message, detail and hint, each once, on one line.
pub fn server_message(db: &tokio_postgres::error::DbError) -> String {
    let mut s = db.message().to_owned();
    if let Some(d) = db.detail() {
        s.push_str(&format!(" ({d})"));
    }
    if let Some(h) = db.hint() {
        s.push_str(&format!(" — hint: {h}"));
    }
    s.replace('\n', " ")
}
