//! The real-peer test lab seen from Rust: one lab (PostgreSQL, moto, the SSO fake)
//! per test process, started by `tests/lab/lab.py` unless `scripts/test` already
//! started one and named it in `LTOPS_LAB_JSON`; and per test an isolated HOME.

#![allow(dead_code)]

mod builders;
pub use builders::*;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "eu-central-1";
pub const START_URL: &str = "https://leadtributor.awsapps.com/start";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The running lab, as described by its lab.json.
pub struct Lab {
    pub json: Value,
    /// Kept alive for a lab this process started; the lab's watchdog tears it
    /// down when this process exits.
    _dir: Option<TempDir>,
}

static LAB: OnceLock<Result<Lab, String>> = OnceLock::new();

/// The shared lab; starts it on first use. A missing peer fails the test with the
/// install hint from lab.py — never a silent skip.
pub fn lab() -> &'static Lab {
    match LAB.get_or_init(start_lab) {
        Ok(lab) => lab,
        Err(e) => panic!("{e}"),
    }
}

fn start_lab() -> Result<Lab, String> {
    if let Ok(path) = std::env::var("LTOPS_LAB_JSON") {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("LTOPS_LAB_JSON={path} cannot be read: {e}"))?;
        let json = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        return Ok(Lab { json, _dir: None });
    }
    let dir = tempfile::Builder::new()
        .prefix("ltops-lab-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let lab_dir = dir.path().join("lab");
    let out = StdCommand::new("python3")
        .arg(repo_root().join("tests/lab/lab.py"))
        .arg("up")
        .arg("--dir")
        .arg(&lab_dir)
        .arg("--owner-pid")
        .arg(std::process::id().to_string())
        .arg("--venv")
        .arg(repo_root().join(".venv"))
        .output()
        .map_err(|e| {
            format!(
                "cannot run python3 tests/lab/lab.py ({e}); install python3 or run scripts/test"
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "the test lab did not come up (run `scripts/test`, which installs PostgreSQL and moto):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = std::fs::read_to_string(lab_dir.join("lab.json")).map_err(|e| e.to_string())?;
    let json = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(Lab {
        json,
        _dir: Some(dir),
    })
}

impl Lab {
    pub fn moto(&self) -> String {
        self.json["moto"]["endpoint"]
            .as_str()
            .expect("lab.json moto.endpoint")
            .to_owned()
    }

    pub fn sso(&self) -> String {
        self.json["sso"]["endpoint"]
            .as_str()
            .expect("lab.json sso.endpoint")
            .to_owned()
    }

    pub fn seed(&self) -> &Value {
        &self.json["seed"]
    }

    /// The static access key of the seeded IAM user `ci-deployer`.
    pub fn iam_user_keys(&self) -> (String, String) {
        let seed = self.seed();
        let user = seed
            .get("iam_user")
            .or_else(|| seed.get("iam_users").and_then(|u| u.get(0)))
            .unwrap_or_else(|| panic!("lab seed has no iam_user: {seed}"));
        let id = user["access_key_id"]
            .as_str()
            .expect("iam_user.access_key_id");
        let secret = user["secret_access_key"]
            .as_str()
            .expect("iam_user.secret_access_key");
        (id.to_owned(), secret.to_owned())
    }

    fn pg(&self, key: &str) -> String {
        match &self.json["postgres"][key] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => panic!("lab.json postgres.{key}: {other}"),
        }
    }

    pub fn pg_port(&self) -> String {
        self.pg("port")
    }

    /// Runs SQL as the lab's superuser against `db`; panics with psql's message.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.psql_as(&self.pg("user"), &self.pg("password"), db, sql)
            .unwrap_or_else(|e| panic!("psql {sql}: {e}"))
    }

    /// Like `psql`, but as `user` and returning psql's error instead of panicking.
    pub fn psql_as(
        &self,
        user: &str,
        password: &str,
        db: &str,
        sql: &str,
    ) -> Result<String, String> {
        let out = StdCommand::new(format!("{}/psql", self.pg("bin_dir")))
            .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-p", &self.pg("port"), "-U", user])
            .args(["-d", db, "-c", sql])
            .env("PGPASSWORD", password)
            .output()
            .expect("psql");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// A libpq connection string for `db` as the lab's superuser, for a test
    /// that keeps a session of its own open (e.g. a writer mid-transaction).
    pub fn conninfo(&self, db: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user={} password={} dbname={db}",
            self.pg("port"),
            self.pg("user"),
            self.pg("password")
        )
    }

    /// A database of its own for one test: a copy of the seeded platform.
    pub fn create_database(&self, prefix: &str) -> String {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "{prefix}_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        self.psql(
            "postgres",
            &format!("CREATE DATABASE {name} TEMPLATE {}", self.pg("template_db")),
        );
        name
    }

    /// A `database:` config section for `db` as `user` (password from $LTOPS_DB_PASSWORD).
    pub fn database_yaml(&self, db: &str, user: &str) -> String {
        format!(
            "database:\n  url: postgres://{user}@127.0.0.1:{}/{db}\n  password_env: LTOPS_DB_PASSWORD\n  tls: disable\n",
            self.pg("port")
        )
    }

    pub fn superuser_password(&self) -> String {
        self.pg("password")
    }

    pub fn operator_password(&self) -> String {
        self.pg("operator_password")
    }

    /// A fresh HOME for one test, with the lab's AWS profiles and an ltops config.
    pub fn home(&self) -> Home {
        Home::new(self)
    }

    /// The config for `db` as `user` with the repository's policies, then `extra` YAML.
    pub fn config_for(&self, db: &str, user: &str, extra: &str) -> String {
        format!(
            "{}policies: {}\n{extra}",
            self.database_yaml(db, user),
            repo_root().join("policies").display()
        )
    }

    /// A database of its own (`prefix_…`) and a signed-in HOME (alice) whose
    /// config reaches it as `user` (see `config_for`).
    pub fn home_with_db(&self, prefix: &str, user: &str, extra: &str) -> (Home, String) {
        let db = self.create_database(prefix);
        let home = self.home();
        home.login();
        home.configure(&self.config_for(&db, user, extra));
        (home, db)
    }

    /// POSTs to a test-control endpoint of the SSO fake.
    pub fn sso_control(&self, path: &str) -> Value {
        http_json("POST", &format!("{}{}", self.sso(), path))
    }

    pub fn sso_state(&self) -> Value {
        http_json("GET", &format!("{}/_fake/state", self.sso()))
    }
}

/// A second SSO fake of a test's own (e.g. with slow-down or short-lived device
/// codes), on the lab's moto; killed when dropped.
pub struct OwnSsoFake {
    child: std::process::Child,
    pub endpoint: String,
}

impl Drop for OwnSsoFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Lab {
    pub fn own_sso_fake(&self, args: &[&str]) -> OwnSsoFake {
        use std::io::BufRead;
        let python = repo_root().join(".venv/bin/python");
        assert!(
            python.is_file(),
            ".venv is missing — run scripts/test (it creates .venv with moto)"
        );
        let mut child = StdCommand::new(python)
            .arg(repo_root().join("tests/lab/sso_fake.py"))
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--moto-endpoint",
                &self.moto(),
                "--directory",
            ])
            .arg(repo_root().join("tests/lab/sso_directory.json"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start sso_fake.py");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the fake's endpoint");
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("sso_fake.py said {line:?}: {e}"));
        OwnSsoFake {
            child,
            endpoint: v["endpoint"].as_str().expect("endpoint").to_owned(),
        }
    }
}

/// Minimal HTTP for the fake's control endpoints (curl is on every machine we run on).
fn http_json(method: &str, url: &str) -> Value {
    let out = StdCommand::new("curl")
        .args(["-fsS", "-X", method, url])
        .output()
        .expect("curl");
    let out = succeeded(&format!("{method} {url}"), out);
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

pub struct Home {
    pub dir: TempDir,
    moto: String,
    sso: String,
    /// `LTOPS_DB_PASSWORD` for the runs the builders make.
    db_password: std::cell::RefCell<Option<String>>,
}

pub const PERMISSIONS_YAML: &str = "\
permissions:
  audit.init: [LtopsAdmin]
  audit.record: [LtopsAdmin, LtopsOnCall]
  tenant.erase: [LtopsAdmin]
  retention.purge: [LtopsAdmin]
  restore.run: [LtopsAdmin, LtopsOnCall]
  restore.reapply-erasures: [LtopsAdmin, LtopsOnCall]
  intervene: [LtopsAdmin, LtopsOnCall]
  inspect: [LtopsAdmin, LtopsOnCall]
  tom.attest: [LtopsDPO]
";

impl Home {
    fn new(lab: &Lab) -> Home {
        let dir = tempfile::Builder::new()
            .prefix("ltops-home-")
            .tempdir()
            .expect("temp home");
        let aws = dir.path().join(".aws");
        std::fs::create_dir_all(&aws).expect("mkdir .aws");
        let mut config = String::new();
        for (profile, role) in [
            ("alice", "LtopsAdmin"),
            ("bob", "LtopsOnCall"),
            ("dora", "LtopsDPO"),
            ("rita", "ReadOnly"),
        ] {
            config.push_str(&format!(
                "[profile {profile}]\nsso_session = lab\nsso_account_id = {ACCOUNT}\nsso_role_name = {role}\nregion = {REGION}\n\n"
            ));
        }
        let (key, secret) = lab.iam_user_keys();
        config.push_str(&format!(
            "[profile ci]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\nregion = {REGION}\n\n"
        ));
        config.push_str(&format!(
            "[profile legacy]\nsso_start_url = {START_URL}\nsso_region = {REGION}\nsso_account_id = {ACCOUNT}\nsso_role_name = LtopsAdmin\nregion = {REGION}\n\n"
        ));
        config.push_str(&format!(
            "[sso-session lab]\nsso_start_url = {START_URL}\nsso_region = {REGION}\nsso_registration_scopes = sso:account:access\n"
        ));
        std::fs::write(aws.join("config"), config).expect("write .aws/config");
        let cfg_dir = dir.path().join(".config/ltops");
        std::fs::create_dir_all(&cfg_dir).expect("mkdir config");
        std::fs::write(
            cfg_dir.join("config.yaml"),
            format!("aws:\n  profile: alice\n  region: {REGION}\n{PERMISSIONS_YAML}"),
        )
        .expect("write ltops config");
        Home {
            dir,
            moto: lab.moto(),
            sso: lab.sso(),
            db_password: std::cell::RefCell::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The database password every builder run of this HOME is given.
    pub fn use_db_password(&self, password: &str) {
        *self.db_password.borrow_mut() = Some(password.to_owned());
    }

    pub(crate) fn db_password(&self) -> Option<String> {
        self.db_password.borrow().clone()
    }

    pub fn config_file(&self) -> PathBuf {
        self.path().join(".config/ltops/config.yaml")
    }

    /// Replaces the ltops config with the default one plus `extra` YAML.
    pub fn configure(&self, extra: &str) {
        std::fs::write(
            self.config_file(),
            format!("aws:\n  profile: alice\n  region: {REGION}\n{PERMISSIONS_YAML}{extra}"),
        )
        .expect("write ltops config");
    }

    /// The default file store of this HOME.
    pub fn audit_file(&self) -> PathBuf {
        self.path().join(".local/state/ltops/audit.jsonl")
    }

    /// `ltops` with this HOME and the lab's endpoints, and nothing of the caller's
    /// AWS environment leaking in.
    pub fn ltops(&self) -> Command {
        let mut cmd = Command::from_std(self.std_ltops());
        cmd.timeout(std::time::Duration::from_secs(120));
        cmd
    }

    /// The same as a plain `std::process::Command`, for tests that run many at once.
    pub fn std_ltops(&self) -> StdCommand {
        let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("ltops"));
        for var in [
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "LTOPS_CONFIG",
            "LTOPS_DB_PASSWORD",
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
        ] {
            cmd.env_remove(var);
        }
        cmd.current_dir(self.path())
            .env("HOME", self.path())
            .env("AWS_ENDPOINT_URL", &self.moto)
            .env("AWS_ENDPOINT_URL_SSO", &self.sso)
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &self.sso)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // The "browser" a test signs in with: never a real one.
            .env("BROWSER", "true");
        cmd
    }

    /// The token cache file for the `lab` sso-session.
    pub fn token_file(&self) -> PathBuf {
        use sha1::Digest;
        let key = hex::encode(sha1::Sha1::digest(b"lab"));
        self.path().join(format!(".aws/sso/cache/{key}.json"))
    }

    /// Signs in through the device flow; the fake approves as its default user
    /// (alice) after one pending poll.
    pub fn login(&self) {
        self.ltops()
            .args(["login", "--no-browser"])
            .assert()
            .success();
    }

    /// Signs in as `email`, approved through the "browser": a script that GETs the
    /// verification URL the way a person would open it.
    pub fn login_as(&self, profile: &str, email: &str) {
        let script = self.path().join(format!("browser-{email}.sh"));
        std::fs::write(
            &script,
            format!("#!/bin/sh\nexec curl -fsS -o /dev/null \"$1&email={email}\"\n"),
        )
        .expect("browser script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        self.ltops()
            .env("BROWSER", &script)
            .args(["--profile", profile, "login"])
            .assert()
            .success();
    }
}

/// Parses stdout of a `--format json` run.
pub fn json_stdout(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Asserts that the program run as `what` succeeded, with its stderr when it did
/// not; returns its output.
pub fn succeeded(what: &str, out: std::process::Output) -> std::process::Output {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what}: {err}");
    out
}

/// Asserts success, showing both streams when it is not.
pub fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs boto3 against the lab's moto; returns stdout (trimmed).
pub fn boto(script: &str) -> String {
    let out = std::process::Command::new(repo_root().join(".venv/bin/python"))
        .arg("-c")
        .arg(format!(
            "import boto3, json, datetime\nE={:?}\ns3=boto3.client('s3', endpoint_url=E, region_name='eu-central-1', aws_access_key_id='testing', aws_secret_access_key='testing')\nkms=boto3.client('kms', endpoint_url=E, region_name='eu-central-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n{script}",
            lab().moto()
        ))
        .output()
        .expect(".venv/bin/python with boto3 (scripts/test installs it)");
    assert!(
        out.status.success(),
        "boto3 script failed:\n{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A bucket (`mode` COMPLIANCE or GOVERNANCE, or no lock at all) and a
/// signing key; returns (bucket, key id).
pub fn anchor_peers(name: &str, region: &str, mode: Option<&str>) -> (String, String) {
    let bucket = format!("ltops-anchor-{name}-{}", std::process::id());
    let create = format!(
        "s3r=boto3.client('s3', endpoint_url=E, region_name={region:?}, aws_access_key_id='testing', aws_secret_access_key='testing')\ns3r.create_bucket(Bucket={bucket:?}, CreateBucketConfiguration={{'LocationConstraint': {region:?}}}, ObjectLockEnabledForBucket={})",
        if mode.is_some() { "True" } else { "False" }
    );
    let lock = match mode {
        Some(m) => format!(
            "s3r.put_object_lock_configuration(Bucket={bucket:?}, ObjectLockConfiguration={{'ObjectLockEnabled': 'Enabled', 'Rule': {{'DefaultRetention': {{'Mode': {m:?}, 'Years': 10}}}}}})"
        ),
        None => String::new(),
    };
    // The bucket also meets the TOM's bucket checks (KMS default encryption, Block
    // Public Access): `tom check` reviews every bucket of the account. Not the
    // TLS-only policy: moto enforces it, and the lab speaks plain HTTP.
    let secure = format!(
        "dk=boto3.client('kms', endpoint_url=E, region_name={region:?}, aws_access_key_id='testing', aws_secret_access_key='testing').create_key()['KeyMetadata']['Arn']\ns3r.put_bucket_encryption(Bucket={bucket:?}, ServerSideEncryptionConfiguration={{'Rules': [{{'ApplyServerSideEncryptionByDefault': {{'SSEAlgorithm': 'aws:kms', 'KMSMasterKeyID': dk}}}}]}})\ns3r.put_public_access_block(Bucket={bucket:?}, PublicAccessBlockConfiguration={{'BlockPublicAcls': True, 'IgnorePublicAcls': True, 'BlockPublicPolicy': True, 'RestrictPublicBuckets': True}})"
    );
    let key = boto(&format!(
        "{create}\n{lock}\n{secure}\nk=kms.create_key(KeySpec='ECC_NIST_P256', KeyUsage='SIGN_VERIFY')\nprint(k['KeyMetadata']['KeyId'])"
    ));
    (bucket, key)
}
