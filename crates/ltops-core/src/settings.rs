//! Resolves flags, environment and `ltops.yaml` into one `Settings` value; the only
//! place that reads the process environment, so every other module is testable
//! with explicit inputs.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::located::Located;

/// Mutating commands that the config's `permissions` map can grant to SSO permission sets.
/// A fixed list so that a typo in the config is an error, not a silently dead grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MutatingCommand {
    #[serde(rename = "audit.init")]
    AuditInit,
    #[serde(rename = "audit.record")]
    AuditRecord,
    #[serde(rename = "tenant.erase")]
    TenantErase,
    #[serde(rename = "retention.purge")]
    RetentionPurge,
    #[serde(rename = "restore.run")]
    RestoreRun,
    #[serde(rename = "restore.reapply-erasures")]
    RestoreReapplyErasures,
    #[serde(rename = "intervene")]
    Intervene,
    #[serde(rename = "tom.attest")]
    TomAttest,
    /// `approvals approve|deny`: granted by `approvals.<command>.approvers`,
    /// never by `permissions`.
    #[serde(rename = "approvals.decide")]
    ApprovalsDecide,
    /// Not a change, but a read of customer data: an action all the same.
    #[serde(rename = "inspect")]
    Inspect,
}

impl MutatingCommand {
    pub const ALL: [MutatingCommand; 10] = [
        MutatingCommand::AuditInit,
        MutatingCommand::AuditRecord,
        MutatingCommand::TenantErase,
        MutatingCommand::RetentionPurge,
        MutatingCommand::RestoreRun,
        MutatingCommand::RestoreReapplyErasures,
        MutatingCommand::Intervene,
        MutatingCommand::TomAttest,
        MutatingCommand::ApprovalsDecide,
        MutatingCommand::Inspect,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MutatingCommand::AuditInit => "audit.init",
            MutatingCommand::AuditRecord => "audit.record",
            MutatingCommand::TenantErase => "tenant.erase",
            MutatingCommand::RetentionPurge => "retention.purge",
            MutatingCommand::RestoreRun => "restore.run",
            MutatingCommand::RestoreReapplyErasures => "restore.reapply-erasures",
            MutatingCommand::Intervene => "intervene",
            MutatingCommand::TomAttest => "tom.attest",
            MutatingCommand::ApprovalsDecide => "approvals.decide",
            MutatingCommand::Inspect => "inspect",
        }
    }

    pub fn parse(name: &str) -> Option<MutatingCommand> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for MutatingCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `ltops.yaml` as written by the operator. Unknown keys are errors: a misspelt key
/// must never silently fall back to a default in a tool that guards personal data.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub aws: AwsSection,
    pub database: Option<DatabaseSection>,
    #[serde(default)]
    pub audit: AuditSection,
    pub policies: Option<PathBuf>,
    #[serde(default)]
    pub permissions: BTreeMap<MutatingCommand, Vec<String>>,
    #[serde(default)]
    pub erasure: ErasureSection,
    #[serde(default)]
    pub restore: RestoreSection,
    #[serde(default)]
    pub intervene: InterveneSection,
    /// Four eyes: per command, how many approvals by whom, for how long.
    #[serde(default)]
    pub approvals: BTreeMap<MutatingCommand, ApprovalPolicy>,
    #[serde(default)]
    pub inspect: InspectSection,
    #[serde(default)]
    pub tom: TomSection,
}

/// `approvals.<command>`: a second person approves the exact plan before it
/// runs. Parsed as written; [`validate`] checks the combinations.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// Approvals by distinct other users the command needs (0: none).
    #[serde(default)]
    pub required: u32,
    /// Permission sets whose users may approve or deny.
    #[serde(default)]
    pub approvers: Vec<String>,
    /// How long an approval stays valid, e.g. `24h`, `90m`, `2d`.
    #[serde(default = "default_valid_for")]
    pub valid_for: String,
    /// Whether `--break-glass` may skip the approval (approved afterwards).
    /// Default: yes, except for `tenant.erase`.
    pub break_glass: Option<bool>,
    /// `intervene` only: only raw SQL (`intervene sql`) needs approval.
    #[serde(default)]
    pub only_sql: bool,
    /// `intervene` only: only an intervention changing more rows than this
    /// (its own and collateral ones) needs approval.
    pub above_rows: Option<u64>,
}

fn default_valid_for() -> String {
    "24h".into()
}

/// Commands whose plans can be bound to an approval.
pub const APPROVABLE: [MutatingCommand; 4] = [
    MutatingCommand::TenantErase,
    MutatingCommand::RetentionPurge,
    MutatingCommand::RestoreRun,
    MutatingCommand::Intervene,
];

impl ApprovalPolicy {
    /// `valid_for` as a duration (validated when the config was read).
    pub fn validity(&self) -> chrono::Duration {
        parse_validity(&self.valid_for).unwrap_or_else(|_| chrono::Duration::hours(24))
    }

    pub fn break_glass_allowed(&self, command: MutatingCommand) -> bool {
        self.break_glass
            .unwrap_or(command != MutatingCommand::TenantErase)
    }
}

/// `24h`, `90m`, `2d`: minutes to 30 days. An approval is for a plan about to
/// run, not a standing permission.
pub fn parse_validity(s: &str) -> Result<chrono::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("`{s}` is not a duration: use e.g. 24h, 90m, 2d"))?;
    let d = match unit {
        "m" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (m, h, d — e.g. 24h)")),
    };
    if n <= 0 || d > chrono::Duration::days(30) {
        return Err(format!(
            "`{s}`: an approval stays valid for at least a minute and at most 30 days"
        ));
    }
    Ok(d)
}

/// `tom:` — what `tom check` and `tom report` review by default.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomSection {
    /// `all`, or a list of account ids, reached through the SSO portal
    /// (`--accounts` wins). Absent: the profile's account only.
    pub accounts: Option<TomAccounts>,
    /// The permission set whose role credentials the review uses in every
    /// account (default: the profile's `sso_role_name`).
    pub review_permission_set: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TomAccounts {
    /// `all` (or ids separated by commas).
    Text(String),
    Ids(Vec<String>),
}

impl TomAccounts {
    /// As `--accounts` would say it.
    pub fn as_arg(&self) -> String {
        match self {
            TomAccounts::Text(s) => s.clone(),
            TomAccounts::Ids(ids) => ids.join(","),
        }
    }
}

/// How ltops reaches a restored copy's database to re-apply erasures.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreSection {
    /// Per restored target id: a connection URL (no password; `database.password_env`
    /// is used). Without an entry, the `database` settings with the host replaced by
    /// the target's endpoint.
    #[serde(default, deserialize_with = "deserialize_target_urls")]
    pub targets: BTreeMap<String, String>,
    /// How long `restore run` waits for the copy to become usable.
    #[serde(default = "default_wait_minutes")]
    pub wait_minutes: u64,
}

fn default_wait_minutes() -> u64 {
    90
}

// Written out: a derived Default would wait 0 minutes when the section is absent.
impl Default for RestoreSection {
    fn default() -> Self {
        RestoreSection {
            targets: BTreeMap::new(),
            wait_minutes: default_wait_minutes(),
        }
    }
}

fn deserialize_target_urls<'de, D>(d: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let m: BTreeMap<String, String> = BTreeMap::deserialize(d)?;
    for url in m.values() {
        check_url_has_no_password(url).map_err(serde::de::Error::custom)?;
    }
    Ok(m)
}

/// When an erasure is done in one transaction and when in resumable batches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureSection {
    /// Tenants with more rows than this are erased in batches (resumable).
    #[serde(default = "default_batch_threshold")]
    pub batch_threshold: u64,
    /// Rows per batch.
    #[serde(default = "default_batch_size")]
    pub batch_size: u64,
}

impl Default for ErasureSection {
    fn default() -> Self {
        ErasureSection {
            batch_threshold: default_batch_threshold(),
            batch_size: default_batch_size(),
        }
    }
}

fn default_batch_threshold() -> u64 {
    50_000
}

fn default_batch_size() -> u64 {
    10_000
}

/// `intervene:` — limits of `ltops intervene`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterveneSection {
    /// More affected rows than this are refused unless `--max-rows` allows them.
    pub max_rows: Option<u64>,
}

impl InterveneSection {
    pub const DEFAULT_MAX_ROWS: u64 = 100;

    pub fn max_rows(&self) -> u64 {
        self.max_rows.unwrap_or(Self::DEFAULT_MAX_ROWS)
    }
}

/// `inspect:` — the row cap of `ltops inspect`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectSection {
    /// At most this many rows are shown unless `--max-rows` allows more.
    pub max_rows: Option<u64>,
}

impl InspectSection {
    pub const DEFAULT_MAX_ROWS: u64 = 50;

    pub fn max_rows(&self) -> u64 {
        self.max_rows.unwrap_or(Self::DEFAULT_MAX_ROWS)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsSection {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// How ltops reaches the platform database. Exactly one of `url` or `rds_iam`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawDatabaseSection")]
pub struct DatabaseSection {
    pub auth: DatabaseAuth,
    pub tls: TlsMode,
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseAuth {
    /// A libpq-style URL without a password; the password comes from `password_env`.
    Url {
        url: String,
        password_env: Option<String>,
    },
    /// RDS IAM database authentication: a 15-minute token instead of a password.
    RdsIam(RdsIamSection),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdsIamSection {
    /// The RDS/Aurora cluster whose writer endpoint ltops connects to.
    pub cluster: String,
    pub database: String,
    pub user: String,
    #[serde(default = "default_pg_port")]
    pub port: u16,
}

fn default_pg_port() -> u16 {
    5432
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// No TLS: only for a database on this machine (test labs).
    Disable,
    /// TLS, certificate not checked.
    Require,
    /// TLS with the certificate checked against `ca_file` (or the system roots) and the host name.
    #[default]
    VerifyFull,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabaseSection {
    url: Option<String>,
    password_env: Option<String>,
    rds_iam: Option<RdsIamSection>,
    #[serde(default)]
    tls: TlsMode,
    ca_file: Option<PathBuf>,
}

impl TryFrom<RawDatabaseSection> for DatabaseSection {
    type Error = String;

    fn try_from(raw: RawDatabaseSection) -> Result<Self, Self::Error> {
        let auth = match (raw.url, raw.rds_iam) {
            (Some(_), Some(_)) => {
                return Err("database: set either `url` or `rds_iam`, not both".into());
            }
            (None, None) => {
                return Err("database: set `url` (+ `password_env`) or `rds_iam`".into());
            }
            (Some(url), None) => {
                check_url_has_no_password(&url)?;
                DatabaseAuth::Url {
                    url,
                    password_env: raw.password_env,
                }
            }
            (None, Some(iam)) => {
                if raw.password_env.is_some() {
                    return Err(
                        "database: `password_env` does not go with `rds_iam` (IAM authentication uses a token)"
                            .into(),
                    );
                }
                DatabaseAuth::RdsIam(iam)
            }
        };
        Ok(DatabaseSection {
            auth,
            tls: raw.tls,
            ca_file: raw.ca_file,
        })
    }
}

/// Passwords in files leak through backups, screen shares and git; TOM §2 wants
/// personal, short-lived credentials, so a URL carrying one is refused outright.
fn check_url_has_no_password(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or_else(|| {
            format!("database.url must start with postgres:// or postgresql://, got `{url}`")
        })?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && userinfo.contains(':')
    {
        return Err("database.url contains a password: remove it and name an environment variable in `password_env` instead".into());
    }
    if url.contains("password=") {
        return Err(
            "database.url contains a password parameter: remove it and use `password_env` instead"
                .into(),
        );
    }
    Ok(())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSection {
    #[serde(default)]
    pub store: AuditStoreKind,
    /// The JSONL file of the file store.
    pub path: Option<PathBuf>,
    /// The write-once copy of the log outside the database (S3 Object Lock
    /// in compliance mode, checkpoints signed with a KMS key).
    pub anchor: Option<AnchorSection>,
}

/// `audit.anchor`: where the log's write-once copy goes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorSection {
    /// S3 bucket with Object Lock in compliance mode.
    pub bucket: String,
    /// Key prefix inside the bucket.
    pub prefix: Option<String>,
    /// Region of the bucket and the key (default: the AWS region).
    pub region: Option<String>,
    /// KMS key (id, ARN or alias) of spec ECC_NIST_P256, usage SIGN_VERIFY.
    pub kms_key: String,
    /// The bucket's default retention must be at least this long (years).
    pub retention_years: Option<u32>,
    /// Regions the bucket may be in (default: the EEA regions).
    pub allowed_regions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditStoreKind {
    #[default]
    File,
    Postgres,
}

/// A config file that could not be read or understood, pointing at the place to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A place in the file to fix: `file:line:column: message`.
    #[error(transparent)]
    Located(#[from] Located),
    #[error("cannot read config file {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} (given with --config) does not exist")]
    Missing { path: PathBuf },
}

/// Parses `text` as the config file at `path`; errors carry file:line:column.
pub fn parse_config(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    if text.trim().is_empty() {
        return Ok(ConfigFile::default());
    }
    let config: ConfigFile = serde_yaml::from_str(text).map_err(|e| yaml_error(path, &e))?;
    validate(path, text, &config)?;
    Ok(config)
}

fn yaml_error(path: &Path, e: &serde_yaml::Error) -> ConfigError {
    Located::yaml(path, e).into()
}

fn validate(path: &Path, text: &str, config: &ConfigFile) -> Result<(), ConfigError> {
    if config.intervene.max_rows == Some(0) {
        return Err(located(
            path,
            text,
            &["intervene", "max_rows"],
            "intervene.max_rows must be at least 1".into(),
        ));
    }
    if config.inspect.max_rows == Some(0) {
        return Err(located(
            path,
            text,
            &["inspect", "max_rows"],
            "inspect.max_rows must be at least 1".into(),
        ));
    }
    for (command, sets) in &config.permissions {
        if *command == MutatingCommand::ApprovalsDecide {
            return Err(located(
                path,
                text,
                &["permissions", command.as_str()],
                "who may approve is set per command: approvals.<command>.approvers".into(),
            ));
        }
        check_set_names(path, text, &["permissions", command.as_str()], sets)?;
    }
    for (command, policy) in &config.approvals {
        validate_approvals(path, text, *command, policy)?;
    }
    Ok(())
}

fn check_set_names(
    path: &Path,
    text: &str,
    keys: &[&str],
    sets: &[String],
) -> Result<(), ConfigError> {
    for set in sets {
        if set.is_empty()
            || !set
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c))
        {
            return Err(located(
                path,
                text,
                keys,
                format!(
                    "`{set}` is not a valid SSO permission set name (letters, digits and +=,.@-_ only)"
                ),
            ));
        }
    }
    Ok(())
}

fn validate_approvals(
    path: &Path,
    text: &str,
    command: MutatingCommand,
    p: &ApprovalPolicy,
) -> Result<(), ConfigError> {
    // At the key when it is written, else at the command's entry.
    let at = |key: Option<&str>, message: String| {
        let entry = ["approvals", command.as_str()];
        let mut keys = entry.to_vec();
        keys.extend(key);
        let l = Located::key(path, text, &keys, message);
        if l.at.is_some() {
            l.into()
        } else {
            located(path, text, &entry, l.message)
        }
    };
    if !APPROVABLE.contains(&command) {
        return Err(at(
            None,
            format!(
                "approvals can be required for {} only",
                APPROVABLE.map(MutatingCommand::as_str).join(", ")
            ),
        ));
    }
    check_set_names(
        path,
        text,
        &["approvals", command.as_str(), "approvers"],
        &p.approvers,
    )?;
    if p.required > 0 && p.approvers.is_empty() {
        return Err(at(
            Some("approvers"),
            format!(
                "approvals.{command} requires {} approval(s) but names no approvers (permission sets)",
                p.required
            ),
        ));
    }
    if p.required > 10 {
        return Err(at(Some("required"), "at most 10 approvals".into()));
    }
    parse_validity(&p.valid_for).map_err(|e| at(Some("valid_for"), e))?;
    if command != MutatingCommand::Intervene && (p.only_sql || p.above_rows.is_some()) {
        let key = if p.only_sql { "only_sql" } else { "above_rows" };
        return Err(at(Some(key), format!("`{key}` applies to intervene only")));
    }
    Ok(())
}

/// Builds an error for a semantic problem found after parsing: serde_yaml keeps no
/// spans, so the key is found again in the text by its block indentation.
fn located(path: &Path, text: &str, keys: &[&str], message: String) -> ConfigError {
    Located::key(path, text, keys, message).into()
}

/// A snapshot of the process environment, taken once in `lib.rs`.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Env {
        Env {
            vars: pairs.into_iter().collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Everything a command needs to know about how it was asked to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config_path: Option<PathBuf>,
    pub config: ConfigFile,
    pub aws: AwsSettings,
    pub yes: bool,
    pub no_input: bool,
    pub home: PathBuf,
    pub policies_dir: PathBuf,
    pub audit_path: PathBuf,
    /// Environment variables that name secrets (e.g. `password_env`) are looked up here.
    pub env: Env,
    /// Today's date for retention periods; `LTOPS_FAKE_TODAY` moves it (tests only).
    pub today: chrono::NaiveDate,
    pub fake_today: bool,
}

/// Where AWS calls go and as whom; turned into an `SdkConfig` by `aws::config`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub sso_cache_dir: PathBuf,
}

/// What the command line says about where and how to run: the global flags
/// that settings resolution needs (the command layer fills it from clap).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub yes: bool,
    pub no_input: bool,
}

impl Settings {
    pub fn resolve(global: &Overrides, env: &Env, cwd: &Path) -> Result<Settings, ConfigError> {
        let home = env
            .get("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/"));
        let state_home = env
            .get("XDG_STATE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".local/state"));

        let config_path = find_config(global, env, cwd, &home)?;
        let config = match &config_path {
            Some(p) => read_config(p)?,
            None => ConfigFile::default(),
        };
        // Relative paths in the file are relative to the file, not to wherever ltops runs.
        let base = config_path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| cwd.to_path_buf());
        let rel = |p: &Path| absolutize(&base, &expand_tilde(p, &home));

        let policies_dir = config
            .policies
            .as_deref()
            .map(rel)
            .unwrap_or_else(|| base.join("policies"));
        let audit_path = config
            .audit
            .path
            .as_deref()
            .map(rel)
            .unwrap_or_else(|| state_home.join("ltops/audit.jsonl"));
        let aws = AwsSettings::resolve(global, &config, env, &home);
        let fake_today = fake_today(env)?;
        Ok(Settings {
            today: fake_today.unwrap_or_else(|| chrono::Utc::now().date_naive()),
            fake_today: fake_today.is_some(),
            config_path,
            config,
            aws,
            yes: global.yes,
            no_input: global.no_input,
            home,
            policies_dir,
            audit_path,
            env: env.clone(),
        })
    }

    /// Permission sets allowed to run `command` according to the config. For
    /// `approvals.decide`: every permission set that approves some command.
    pub fn allowed_permission_sets(&self, command: MutatingCommand) -> Vec<String> {
        if command == MutatingCommand::ApprovalsDecide {
            let mut sets: Vec<String> = self
                .config
                .approvals
                .values()
                .flat_map(|p| p.approvers.iter().cloned())
                .collect();
            sets.sort();
            sets.dedup();
            return sets;
        }
        self.config
            .permissions
            .get(&command)
            .cloned()
            .unwrap_or_default()
    }

    /// The current time; with `LTOPS_FAKE_TODAY` (the test clock) on that day,
    /// at the current time of day — so tests can let approvals expire.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let now = chrono::Utc::now();
        if self.fake_today {
            self.today.and_time(now.time()).and_utc()
        } else {
            now
        }
    }

    /// The approval policy of `command`, when it requires at least one approval.
    pub fn approval_policy(&self, command: MutatingCommand) -> Option<&ApprovalPolicy> {
        self.config
            .approvals
            .get(&command)
            .filter(|p| p.required > 0)
    }

    pub fn config_display(&self) -> String {
        match &self.config_path {
            Some(p) => p.display().to_string(),
            None => "(no config file: ./ltops.yaml or $XDG_CONFIG_HOME/ltops/config.yaml)".into(),
        }
    }
}

/// The config file to read: the one named by `--config` or `$LTOPS_CONFIG`, which
/// must exist, else the first of `./ltops.yaml` and `$XDG_CONFIG_HOME/ltops/config.yaml`
/// that does; `None` when there is none.
fn find_config(
    global: &Overrides,
    env: &Env,
    cwd: &Path,
    home: &Path,
) -> Result<Option<PathBuf>, ConfigError> {
    let explicit = global
        .config
        .clone()
        .or_else(|| env.get("LTOPS_CONFIG").map(PathBuf::from));
    if let Some(p) = explicit {
        let p = absolutize(cwd, &expand_tilde(&p, home));
        if !p.is_file() {
            return Err(ConfigError::Missing { path: p });
        }
        return Ok(Some(p));
    }
    let config_home = env
        .get("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    Ok([
        cwd.join("ltops.yaml"),
        config_home.join("ltops/config.yaml"),
    ]
    .into_iter()
    .find(|p| p.is_file()))
}

fn read_config(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_config(path, &text)
}

/// `$LTOPS_FAKE_TODAY`, when set: the date tests run retention periods against.
fn fake_today(env: &Env) -> Result<Option<chrono::NaiveDate>, ConfigError> {
    env.get("LTOPS_FAKE_TODAY")
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                ConfigError::from(Located::whole(
                    Path::new("$LTOPS_FAKE_TODAY"),
                    format!("`{d}` is not a date (YYYY-MM-DD)"),
                ))
            })
        })
        .transpose()
}

impl AwsSettings {
    /// The command line wins over the config file, which wins over the AWS variables.
    fn resolve(global: &Overrides, config: &ConfigFile, env: &Env, home: &Path) -> AwsSettings {
        AwsSettings {
            profile: global
                .profile
                .clone()
                .or_else(|| config.aws.profile.clone())
                .or_else(|| env.get("AWS_PROFILE").map(str::to_owned)),
            region: global
                .region
                .clone()
                .or_else(|| config.aws.region.clone())
                .or_else(|| env.get("AWS_REGION").map(str::to_owned))
                .or_else(|| env.get("AWS_DEFAULT_REGION").map(str::to_owned)),
            endpoint_url: global.endpoint_url.clone(),
            sso_cache_dir: home.join(".aws/sso/cache"),
        }
    }
}

fn expand_tilde(p: &Path, home: &Path) -> PathBuf {
    match p.strip_prefix("~") {
        Ok(rest) => home.join(rest),
        Err(_) => p.to_path_buf(),
    }
}

fn absolutize(base: &Path, p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    // `./policies` next to the config reads better without the `./`.
    joined
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        parse_config(Path::new("ltops.yaml"), text)
    }

    #[test]
    fn full_example_parses() {
        let c = parse(
            "aws:\n  profile: lt-admin\n  region: eu-central-1\n\
             database:\n  url: postgres://ltops_operator@db.internal:5432/platform\n  password_env: LTOPS_DB_PASSWORD\n  tls: require\n\
             audit:\n  store: postgres\n\
             policies: ./policies\n\
             permissions:\n  tenant.erase: [LtopsAdmin]\n  restore.run: [LtopsAdmin, LtopsOnCall]\n",
        )
        .unwrap();
        assert_eq!(c.aws.profile.as_deref(), Some("lt-admin"));
        let db = c.database.unwrap();
        assert_eq!(db.tls, TlsMode::Require);
        assert!(
            matches!(db.auth, DatabaseAuth::Url { ref password_env, .. } if password_env.as_deref() == Some("LTOPS_DB_PASSWORD"))
        );
        assert_eq!(c.audit.store, AuditStoreKind::Postgres);
        assert_eq!(
            c.permissions[&MutatingCommand::RestoreRun],
            vec!["LtopsAdmin".to_string(), "LtopsOnCall".to_string()]
        );
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = parse("aws:\n  profile: x\n  regoin: eu-central-1\n").unwrap_err();
        match err {
            ConfigError::Located(Located {
                at: Some(crate::located::Position { line, column }),
                message,
                ..
            }) => {
                assert_eq!((line, column), (3, 3));
                assert!(message.contains("unknown field `regoin`"), "{message}");
            }
            other => panic!("expected a located error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_type_names_line_and_column() {
        let err = parse("permissions:\n  tenant.erase: LtopsAdmin\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("ltops.yaml:2:"), "{text}");
    }

    #[test]
    fn unknown_command_in_permissions_is_refused() {
        let err = parse("permissions:\n  tenant.delete: [LtopsAdmin]\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("ltops.yaml:2:3:"), "{text}");
        assert!(
            text.contains("tenant.erase"),
            "lists the valid commands: {text}"
        );
    }

    #[test]
    fn password_in_url_is_refused() {
        let err = parse("database:\n  url: postgres://ops:hunter2@db:5432/platform\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("contains a password"), "{text}");
        assert!(text.starts_with("ltops.yaml:"), "{text}");
        assert!(
            !text.contains("hunter2"),
            "the secret is not echoed: {text}"
        );
    }

    #[test]
    fn url_and_rds_iam_are_exclusive() {
        let err = parse(
            "database:\n  url: postgres://ops@db/platform\n  rds_iam:\n    cluster: c\n    database: d\n    user: u\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("not both"), "{err}");
    }

    #[test]
    fn invalid_permission_set_name_is_located() {
        let err = parse("permissions:\n  intervene: [\"Ops Team\"]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ltops.yaml:2:3: `Ops Team` is not a valid SSO permission set name (letters, digits and +=,.@-_ only)"
        );
    }

    #[test]
    fn inspect_max_rows_is_checked() {
        assert_eq!(parse("\n").unwrap().inspect.max_rows(), 50);
        assert_eq!(
            parse("inspect:\n  max_rows: 20\n")
                .unwrap()
                .inspect
                .max_rows(),
            20
        );
        let err = parse("inspect:\n  max_rows: 0\n").unwrap_err();
        assert!(err.to_string().contains("at least 1"), "{err}");
        let c = parse("permissions:\n  inspect: [LtopsOnCall]\n").unwrap();
        assert_eq!(
            c.permissions[&MutatingCommand::Inspect],
            vec!["LtopsOnCall"]
        );
    }

    #[test]
    fn intervene_max_rows_is_checked() {
        assert_eq!(parse("\n").unwrap().intervene.max_rows(), 100);
        assert_eq!(
            parse("intervene:\n  max_rows: 500\n")
                .unwrap()
                .intervene
                .max_rows(),
            500
        );
        let err = parse("intervene:\n  max_rows: 0\n").unwrap_err();
        assert!(err.to_string().starts_with("ltops.yaml:2:3:"), "{err}");
        let err = parse("intervene:\n  max_row: 5\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `max_row`"), "{err}");
    }

    #[test]
    fn approval_policies_are_checked_and_located() {
        let c = parse(
            "approvals:\n  tenant.erase:\n    required: 1\n    approvers: [LtopsDPO]\n  intervene:\n    required: 2\n    approvers: [LtopsAdmin]\n    valid_for: 90m\n    only_sql: true\n",
        )
        .unwrap();
        let erase = &c.approvals[&MutatingCommand::TenantErase];
        assert_eq!(erase.validity(), chrono::Duration::hours(24));
        assert!(!erase.break_glass_allowed(MutatingCommand::TenantErase));
        let iv = &c.approvals[&MutatingCommand::Intervene];
        assert_eq!(iv.validity(), chrono::Duration::minutes(90));
        assert!(iv.break_glass_allowed(MutatingCommand::Intervene));
        let bad = |text: &str, at: &str, needle: &str| {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.starts_with(at), "{err}");
            assert!(err.contains(needle), "{err}");
        };
        bad(
            "approvals:\n  tenant.erase:\n    required: 1\n",
            "ltops.yaml:2:3:",
            "names no approvers",
        );
        bad(
            "approvals:\n  audit.record:\n    required: 1\n    approvers: [X]\n",
            "ltops.yaml:2:3:",
            "can be required for tenant.erase",
        );
        bad(
            "approvals:\n  restore.run:\n    required: 1\n    approvers: [X]\n    valid_for: 2y\n",
            "ltops.yaml:5:5:",
            "unknown unit",
        );
        bad(
            "approvals:\n  restore.run:\n    approvers: [X]\n    only_sql: true\n",
            "ltops.yaml:4:5:",
            "applies to intervene only",
        );
        bad(
            "approvals:\n  intervene:\n    approvers: [\"Ops Team\"]\n",
            "ltops.yaml:3:5:",
            "not a valid SSO permission set name",
        );
        bad(
            "approvals:\n  intervene:\n    aproovers: [X]\n",
            "ltops.yaml:3:5:",
            "unknown field `aproovers`",
        );
        bad(
            "permissions:\n  approvals.decide: [X]\n",
            "ltops.yaml:2:3:",
            "approvals.<command>.approvers",
        );
        assert!(parse_validity("0h").is_err());
        assert!(parse_validity("31d").is_err());
    }

    #[test]
    fn empty_file_is_default() {
        let c = parse("\n").unwrap();
        assert!(c.permissions.is_empty());
        // Sections left out get their documented defaults, not zeroes.
        assert_eq!(c.restore.wait_minutes, 90);
        assert_eq!(c.erasure.batch_threshold, 50_000);
        assert_eq!(c.erasure.batch_size, 10_000);
        let c = parse("restore:\n  targets: {}\n").unwrap();
        assert_eq!(c.restore.wait_minutes, 90);
    }
}
