//! SSO sign-in and identity end to end: ltops ↔ SSO fake ↔ moto, and the token
//! cache shared with the AWS CLI.

use serde_json::Value;

use crate::support::{ACCOUNT, Home, Ltops, assert_stderr, lab, repo_root, stderr, succeeded};

/// `whoami` (with `--profile PROFILE` if given) as JSON, asserting success.
fn whoami(home: &Home, profile: Option<&str>) -> Value {
    let run = home.cmd(["whoami"]).json();
    match profile {
        Some(p) => run.profile(p),
        None => run,
    }
    .ok_json()
}

/// `ltops login --no-browser`.
fn login(home: &Home) -> Ltops<'_> {
    home.cmd(["login", "--no-browser"])
}

/// `whoami` without a usable token: exit 2 and the hint to sign in.
fn assert_login_hint(home: &Home) -> std::process::Output {
    home.cmd(["whoami"]).fails(2, "run `ltops login`")
}

/// The token cache file as JSON.
fn token(home: &Home) -> Value {
    serde_json::from_str(&std::fs::read_to_string(home.token_file()).unwrap()).unwrap()
}

#[test]
fn login_then_whoami_shows_the_sso_user_and_permission_set() {
    let home = lab().home();
    let out = login(&home).json().ok();
    let err = stderr(&out);
    assert!(err.contains("/device?user_code="), "URL shown: {err}");
    let login = crate::support::json_stdout(&out);
    assert_eq!(login["kind"], "login");
    assert_eq!(login["sso_session"], "lab");
    assert_eq!(login["refreshable"], true);
    assert!(home.token_file().is_file());

    let v = whoami(&home, None);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["account"], ACCOUNT);
    assert_eq!(v["principal"]["kind"], "sso-user");
    assert_eq!(v["principal"]["permission_set"], "LtopsAdmin");
    assert_eq!(v["principal"]["user"], "alice@leadtributor.cloud");
    let arn = v["arn"].as_str().unwrap();
    assert!(
        arn.starts_with(&format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_LtopsAdmin_"
        )) && arn.ends_with("/alice@leadtributor.cloud"),
        "{arn}"
    );
    let may_run: Vec<&str> = v["may_run"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(may_run.contains(&"tenant.erase"), "{may_run:?}");
    assert!(!may_run.contains(&"tom.attest"), "{may_run:?}");
    assert!(v["credentials_expire_at"].is_string());
    assert!(v["sso_token_expires_at"].is_string());

    // The table form names the same person.
    let out = home.cmd(["whoami"]).ok();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("alice@leadtributor.cloud"), "{table}");
    assert!(table.contains("LtopsAdmin"), "{table}");
}

#[test]
fn the_token_cache_file_has_the_aws_cli_format() {
    let home = lab().home();
    home.login();
    let text = std::fs::read_to_string(home.token_file()).unwrap();
    // botocore: json.dumps of an insertion-ordered dict, timestamps %Y-%m-%dT%H:%M:%SZ.
    let re = regex_lite(&text);
    assert!(re, "unexpected cache layout: {text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.token_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// `{"startUrl": "…", "region": "…", "accessToken": "…", "expiresAt": "YYYY-MM-DDTHH:MM:SSZ",
/// "clientId": "…", "clientSecret": "…", "registrationExpiresAt": "…Z", "refreshToken": "…"}`
fn regex_lite(text: &str) -> bool {
    let keys = [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ];
    let Some(body) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
        return false;
    };
    let parts: Vec<&str> = body.split(", \"").collect();
    if parts.len() != keys.len() {
        return false;
    }
    parts.iter().zip(keys).all(|(part, key)| {
        let part = part.trim_start_matches('"');
        let Some(value) = part.strip_prefix(&format!("{key}\": \"")) else {
            return false;
        };
        if key.ends_with("At") {
            let v = value.trim_end_matches('"');
            v.len() == 20 && v.ends_with('Z') && v.as_bytes()[10] == b'T'
        } else {
            value.ends_with('"')
        }
    })
}

/// Interchangeability with the AWS CLI in both directions. The CLI on PyPI (v1)
/// cannot run the device flow itself (`aws sso login` is v2 only), but its botocore
/// reads the token cache and, when the token has expired, refreshes it and writes
/// the file back in its own format — which ltops must then read.
#[test]
fn aws_cli_uses_the_token_ltops_wrote_and_ltops_uses_the_aws_clis() {
    let aws = repo_root().join(".venv/bin/aws");
    assert!(
        aws.is_file(),
        "the AWS CLI is missing from .venv — run scripts/test (it installs awscli into .venv)"
    );
    let lab = lab();
    let home = lab.home();
    let aws_cmd = || {
        let mut c = std::process::Command::new(&aws);
        c.env("HOME", home.path())
            .env("AWS_ENDPOINT_URL", lab.moto())
            .env("AWS_ENDPOINT_URL_SSO", lab.sso())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", lab.sso())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_CONFIG_FILE");
        c
    };

    // ltops signs in, the AWS CLI acts on that token.
    home.login();
    let caller = |what: &str| {
        let out = aws_cmd()
            .args(["sts", "get-caller-identity", "--profile", "alice"])
            .args(["--output", "json"])
            .output()
            .unwrap();
        let out = succeeded(&format!("aws sts get-caller-identity ({what})"), out);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            v["Arn"]
                .as_str()
                .unwrap()
                .ends_with("/alice@leadtributor.cloud"),
            "{v}"
        );
    };
    caller("fresh token written by ltops");
    let ltops_file = std::fs::read_to_string(home.token_file()).unwrap();

    // Expire it: botocore refreshes it and rewrites the cache file itself.
    let original: Value = serde_json::from_str(&ltops_file).unwrap();
    let expired = ltops_file.replace(v_str(&original, "expiresAt"), "2026-01-02T09:12:00Z");
    std::fs::write(home.token_file(), &expired).unwrap();
    std::fs::remove_dir_all(home.path().join(".aws/cli")).ok();
    caller("expired token refreshed by botocore");
    let cli_file = std::fs::read_to_string(home.token_file()).unwrap();
    assert_ne!(cli_file, expired, "botocore rewrote the token file");

    // ltops acts on the file botocore wrote.
    let v = whoami(&home, None);
    assert_eq!(v["principal"]["user"], "alice@leadtributor.cloud");

    // Same keys in the same order with the same separators and timestamp form.
    assert_eq!(
        shape(&ltops_file),
        shape(&cli_file),
        "\nltops: {ltops_file}\naws:   {cli_file}"
    );
}

/// The file with every value blanked but timestamps' digits: what remains is the format.
fn shape(text: &str) -> String {
    let body = text.trim_start_matches('{').trim_end_matches('}');
    let parts: Vec<String> = body
        .split(", \"")
        .map(|pair| {
            let (key, value) = pair.split_once(": ").unwrap_or((pair, ""));
            let v = value.trim_matches('"');
            let is_time = v.len() == 20 && v.ends_with('Z') && v.as_bytes()[10] == b'T';
            let value = if is_time {
                v.chars()
                    .map(|c| if c.is_ascii_digit() { '9' } else { c })
                    .collect::<String>()
            } else {
                "…".to_owned()
            };
            format!("{}: \"{value}\"", key.trim_start_matches('"'))
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}

#[test]
fn expired_token_exits_2_with_the_login_hint() {
    let home = lab().home();
    std::fs::create_dir_all(home.token_file().parent().unwrap()).unwrap();
    std::fs::write(
        home.token_file(),
        r#"{"startUrl": "https://leadtributor.awsapps.com/start", "region": "eu-central-1", "accessToken": "old", "expiresAt": "2026-01-02T09:12:00Z"}"#,
    )
    .unwrap();
    let out = assert_login_hint(&home);
    assert_stderr(&out, "expired at 2026-01-02 09:12 UTC");
}

#[test]
fn missing_token_exits_2_with_the_login_hint() {
    let home = lab().home();
    let out = assert_login_hint(&home);
    assert_stderr(&out, "no SSO token");
}

#[test]
fn an_expired_but_refreshable_token_is_renewed_by_aws_config() {
    let home = lab().home();
    home.login();
    let text = std::fs::read_to_string(home.token_file()).unwrap();
    // Edit one field in place, keeping the AWS CLI layout.
    let edited = text.replace(v_str(&token(&home), "expiresAt"), "2026-01-02T09:12:00Z");
    std::fs::write(home.token_file(), &edited).unwrap();
    let json = whoami(&home, None);
    assert_eq!(json["principal"]["user"], "alice@leadtributor.cloud");
    let after = std::fs::read_to_string(home.token_file()).unwrap();
    assert!(
        !after.contains("2026-01-02T09:12:00Z"),
        "aws-config wrote the refreshed token back: {after}"
    );
}

fn v_str<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap()
}

#[test]
fn a_token_revoked_at_the_portal_gives_the_login_hint() {
    let lab = lab();
    let home = lab.home();
    home.login();
    let token = token(&home);
    // Revoke this token only (others' tests keep theirs) through the portal's Logout.
    let status = std::process::Command::new("curl")
        .args(["-fsS", "-X", "POST", "-H"])
        .arg(format!(
            "x-amz-sso_bearer_token: {}",
            token["accessToken"].as_str().unwrap()
        ))
        .arg(format!("{}/logout", lab.sso()))
        .status()
        .unwrap();
    assert!(status.success());
    assert_login_hint(&home);
}

#[test]
fn iam_user_keys_are_classified_and_refused_by_the_guard() {
    let home = lab().home();
    let v = whoami(&home, Some("ci"));
    assert_eq!(v["principal"]["kind"], "iam-user");
    assert_eq!(v["principal"]["name"], "ci-deployer");
    assert_eq!(v["may_run"].as_array().unwrap().len(), 0);

    home.cmd(["whoami", "--can", "tenant.erase"])
        .profile("ci")
        .fails(1, "refuses IAM user credentials");

    // Static keys in the environment win over any profile, and are refused as well.
    let (key, secret) = lab().iam_user_keys();
    home.cmd(["whoami", "--can", "intervene"])
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .fails(1, "personal AWS SSO identity");
}

#[test]
fn the_guard_follows_the_permission_sets_in_the_config() {
    let home = lab().home();
    home.login_as("bob", "bob@leadtributor.cloud");
    let v = whoami(&home, Some("bob"));
    assert_eq!(v["principal"]["user"], "bob@leadtributor.cloud");
    assert_eq!(v["principal"]["permission_set"], "LtopsOnCall");
    let can = |command: &str| home.cmd(["whoami", "--can", command]).profile("bob");
    can("restore.run").ok();
    can("tenant.erase").fails(1, "not allowed for permission set LtopsOnCall");
    can("tenant.delete").fails(2, "not a mutating command");
}

#[test]
fn logout_revokes_and_removes_the_token() {
    let home = lab().home();
    home.login();
    let v = home.cmd(["logout"]).json().ok_json();
    assert_eq!(v["token_removed"], true);
    assert_eq!(v["portal_logout"], "ok");
    assert!(!home.token_file().exists());
    assert_login_hint(&home);
}

#[test]
fn legacy_profile_caches_by_start_url_without_refresh_token() {
    let home = lab().home();
    login(&home).profile("legacy").ok();
    use sha1::Digest;
    let key = hex::encode(sha1::Sha1::digest(crate::support::START_URL.as_bytes()));
    let file = home.path().join(format!(".aws/sso/cache/{key}.json"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("refreshToken"), "{text}");
    let v = whoami(&home, Some("legacy"));
    assert_eq!(v["principal"]["permission_set"], "LtopsAdmin");
}

#[test]
fn a_profile_without_sso_cannot_log_in() {
    let home = lab().home();
    login(&home).profile("ci").fails(2, "does not use AWS SSO");
    login(&home)
        .profile("nobody")
        .fails(2, "`nobody` not found");
}

/// `ltops login --no-browser` against a fake of the test's own.
fn login_at<'a>(home: &'a Home, fake: &crate::support::OwnSsoFake) -> Ltops<'a> {
    login(home)
        .env("AWS_ENDPOINT_URL_SSO", &fake.endpoint)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &fake.endpoint)
}

#[test]
fn login_waits_through_pending_and_slow_down() {
    let lab = lab();
    let fake = lab.own_sso_fake(&["--pending-polls", "1", "--slow-down-polls", "1"]);
    let home = lab.home();
    let started = std::time::Instant::now();
    login_at(&home, &fake).ok();
    // One pending poll at the 1 s interval, then slow_down adds 5 s for good.
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert!(home.token_file().is_file());
}

#[test]
fn an_unapproved_device_code_expires_with_a_clear_error() {
    let lab = lab();
    let fake = lab.own_sso_fake(&["--pending-polls", "-1", "--device-code-ttl", "3"]);
    let home = lab.home();
    login_at(&home, &fake).fails(2, "expired before it was approved");
    assert!(!home.token_file().exists());
}
