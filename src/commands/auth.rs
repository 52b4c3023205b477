//! `ltops login`, `logout` and `whoami`: signing in through AWS SSO and showing who
//! the tool will act as, before anyone relies on it at 3 am.

use anyhow::Context;
use aws_credential_types::provider::ProvideCredentials;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Ctx;
use crate::ExitStatus;
use crate::aws::identity::{self, Identity, Principal};
use crate::aws::sso::{self, SsoError, SsoProfile, TokenState};
use crate::aws::token_cache::display_time;
use crate::cli::{LoginArgs, LogoutArgs, WhoamiArgs};
use crate::printer::{Report, key_value_table};
use crate::settings::MutatingCommand;

#[derive(Serialize)]
struct LoginReport {
    profile: String,
    sso_session: Option<String>,
    start_url: String,
    token_expires_at: String,
    refreshable: bool,
    cache_file: String,
    identity: Option<Identity>,
}

impl Report for LoginReport {
    const KIND: &'static str = "login";
    fn render_table(&self) -> String {
        let mut rows = vec![
            ("profile", self.profile.clone()),
            (
                "sso session",
                self.sso_session
                    .clone()
                    .unwrap_or_else(|| "(legacy profile)".into()),
            ),
            ("start url", self.start_url.clone()),
            ("token expires", self.token_expires_at.clone()),
            ("refreshable", yes_no(self.refreshable)),
            ("token cache", self.cache_file.clone()),
        ];
        if let Some(id) = &self.identity {
            rows.push(("signed in as", id.arn.clone()));
        }
        key_value_table(rows)
    }
}

pub async fn login(ctx: &Ctx, args: &LoginArgs) -> anyhow::Result<ExitStatus> {
    let settings = &ctx.settings;
    let profile = sso::resolve_profile(settings.aws.profile.as_deref()).await?;
    let sdk = crate::aws::config::load(&settings.aws).await;
    let pending = sso::start_login(&sdk, &profile, &settings.aws.sso_cache_dir).await?;

    let url = pending
        .verification_uri_complete
        .clone()
        .unwrap_or_else(|| pending.verification_uri.clone());
    ctx.printer.status(format!(
        "Sign in to {} in your browser:\n  {}\nand confirm that it shows the code\n  {}",
        sso::describe_session(&profile),
        url,
        pending.user_code
    ));
    if !args.no_browser
        && let Err(e) = webbrowser::open(&url)
    {
        ctx.printer.status(format!(
            "(could not open a browser: {e}; open the URL yourself)"
        ));
    }
    let spinner = ctx.printer.spinner("waiting for approval in the browser");
    let token = pending.wait().await;
    spinner.finish_and_clear();
    let token = token?;
    let path = sso::save_token(&profile, &settings.aws.sso_cache_dir, &token)?;
    ctx.printer
        .detail(format!("token written to {}", path.display()));

    // Prove the whole chain works (token → role credentials → STS) while the
    // operator is still at the keyboard, rather than at the first real command.
    let identity = if profile.account_id.is_some() && profile.role_name.is_some() {
        Some(identity::caller_identity(&sdk).await?)
    } else {
        ctx.printer.warn(format!(
            "profile `{}` names no sso_account_id/sso_role_name: signed in, but no role to act as",
            profile.profile
        ));
        None
    };
    if let Some(id) = &identity {
        ctx.printer.status(format!("Signed in as {}", id.arn));
    }
    ctx.printer.report(&LoginReport {
        profile: profile.profile.clone(),
        sso_session: profile.session_name.clone(),
        start_url: profile.start_url.clone(),
        token_expires_at: display_time(token.expires_at),
        refreshable: token.refreshable(Utc::now()),
        cache_file: path.display().to_string(),
        identity,
    })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct LogoutReport {
    profile: String,
    cache_file: String,
    token_removed: bool,
    portal_logout: String,
}

impl Report for LogoutReport {
    const KIND: &'static str = "logout";
    fn render_table(&self) -> String {
        key_value_table([
            ("profile", self.profile.clone()),
            ("token cache", self.cache_file.clone()),
            ("token removed", yes_no(self.token_removed)),
            ("portal logout", self.portal_logout.clone()),
        ])
    }
}

pub async fn logout(ctx: &Ctx, _args: &LogoutArgs) -> anyhow::Result<ExitStatus> {
    let settings = &ctx.settings;
    let profile = sso::resolve_profile(settings.aws.profile.as_deref()).await?;
    let sdk = crate::aws::config::load(&settings.aws).await;
    let outcome = sso::logout(&sdk, &profile, &settings.aws.sso_cache_dir).await?;
    let portal_logout = match &outcome.portal {
        None => "not needed (no valid token)".to_owned(),
        Some(Ok(())) => "ok".to_owned(),
        Some(Err(e)) => {
            ctx.printer
                .warn(format!("the SSO portal did not confirm the logout: {e}"));
            format!("failed: {e}")
        }
    };
    ctx.printer.report(&LogoutReport {
        profile: profile.profile,
        cache_file: outcome.cache_file.display().to_string(),
        token_removed: outcome.removed,
        portal_logout,
    })?;
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct WhoamiReport {
    profile: Option<String>,
    region: Option<String>,
    account: String,
    arn: String,
    principal: Principal,
    credentials_expire_at: Option<String>,
    sso_session: Option<String>,
    sso_token_expires_at: Option<String>,
    config_file: Option<String>,
    may_run: Vec<String>,
    may_not_run: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    can: Option<CanAnswer>,
}

#[derive(Serialize)]
struct CanAnswer {
    command: String,
    allowed: bool,
    reason: Option<String>,
}

impl Report for WhoamiReport {
    const KIND: &'static str = "whoami";
    fn render_table(&self) -> String {
        let (user, permission_set) = match &self.principal {
            Principal::SsoUser {
                user,
                permission_set,
                ..
            } => (user.clone(), permission_set.clone()),
            Principal::AssumedRole { session, role_name } => {
                (session.clone(), format!("(role {role_name})"))
            }
            Principal::IamUser { name } => (name.clone(), "-".into()),
            _ => ("-".into(), "-".into()),
        };
        let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
        let mut rows = vec![
            ("user", user),
            ("kind", self.principal.label().to_owned()),
            ("permission set", permission_set),
            ("account", self.account.clone()),
            ("arn", self.arn.clone()),
            ("profile", dash(&self.profile)),
            ("region", dash(&self.region)),
            ("credentials expire", dash(&self.credentials_expire_at)),
            ("sso token expires", dash(&self.sso_token_expires_at)),
            ("config", dash(&self.config_file)),
            (
                "may run",
                if self.may_run.is_empty() {
                    "no mutating command".into()
                } else {
                    self.may_run.join(", ")
                },
            ),
        ];
        if let Some(can) = &self.can {
            rows.push((
                "can",
                format!(
                    "{}: {}",
                    can.command,
                    if can.allowed { "yes" } else { "no" }
                ),
            ));
        }
        key_value_table(rows)
    }
}

pub async fn whoami(ctx: &Ctx, args: &WhoamiArgs) -> anyhow::Result<ExitStatus> {
    let settings = &ctx.settings;
    let can = match &args.can {
        Some(name) => Some(MutatingCommand::parse(name).with_context(|| {
            format!(
                "`{name}` is not a mutating command; expected one of: {}",
                MutatingCommand::ALL.map(|c| c.as_str()).join(", ")
            )
        })?),
        None => None,
    };
    let sso_profile = sso_profile_in_use(ctx).await?;
    let mut sso_token_expires_at = None;
    if let Some(p) = &sso_profile {
        let state = sso::require_token(p, &settings.aws.sso_cache_dir, Utc::now())?;
        sso_token_expires_at = match state {
            TokenState::Valid { expires_at } => Some(display_time(expires_at)),
            TokenState::Refreshable { expired_at } => {
                Some(format!("{} (will be refreshed)", display_time(expired_at)))
            }
            TokenState::Expired { .. } | TokenState::Missing => None,
        };
    }
    let sdk = crate::aws::config::load(&settings.aws).await;
    let identity = identity::caller_identity(&sdk).await?;
    let credentials_expire_at = match sdk.credentials_provider() {
        Some(provider) => provider
            .provide_credentials()
            .await
            .ok()
            .and_then(|c| c.expiry())
            .map(|t| display_time(DateTime::<Utc>::from(t))),
        None => None,
    };

    let mut may_run = Vec::new();
    let mut may_not_run = Vec::new();
    for command in MutatingCommand::ALL {
        match identity::authorize(
            &identity,
            command,
            &settings.allowed_permission_sets(command),
        ) {
            Ok(_) => may_run.push(command.to_string()),
            Err(_) => may_not_run.push(command.to_string()),
        }
    }
    let can_answer = can.map(|command| {
        let verdict = identity::authorize(
            &identity,
            command,
            &settings.allowed_permission_sets(command),
        );
        CanAnswer {
            command: command.to_string(),
            allowed: verdict.is_ok(),
            reason: verdict.err().map(|e| e.to_string()),
        }
    });
    let status = match &can_answer {
        Some(CanAnswer {
            allowed: false,
            reason,
            ..
        }) => {
            if let Some(r) = reason {
                ctx.printer.status(format!("no: {r}"));
            }
            ExitStatus::No
        }
        _ => ExitStatus::Success,
    };
    ctx.printer.report(&WhoamiReport {
        profile: settings.aws.profile.clone(),
        region: sdk.region().map(|r| r.to_string()),
        account: identity.account.clone(),
        arn: identity.arn.clone(),
        principal: identity.principal.clone(),
        credentials_expire_at,
        sso_session: sso_profile.as_ref().map(sso::describe_session),
        sso_token_expires_at,
        config_file: settings
            .config_path
            .as_ref()
            .map(|p| p.display().to_string()),
        may_run,
        may_not_run,
        can: can_answer,
    })?;
    Ok(status)
}

/// The SSO profile whose token the SDK will use, if any. Static keys in the
/// environment win over any profile in aws-config's chain, so then there is none.
async fn sso_profile_in_use(ctx: &Ctx) -> anyhow::Result<Option<SsoProfile>> {
    let env = &ctx.settings.env;
    if env.get("AWS_ACCESS_KEY_ID").is_some() {
        return Ok(None);
    }
    match sso::resolve_profile(ctx.settings.aws.profile.as_deref()).await {
        Ok(p) => Ok(Some(p)),
        // A non-SSO profile (static keys, role chains) is classified by the guard later.
        Err(SsoError::NotSso(_)) => Ok(None),
        Err(SsoError::NoSuchProfile(_)) if ctx.settings.aws.profile.is_none() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}
