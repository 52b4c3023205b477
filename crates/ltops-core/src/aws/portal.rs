//! Every AWS account the DPO's SSO identity can reach, with credentials of the
//! review permission set in each, through the SSO portal (`ListAccounts`,
//! `GetRoleCredentials`) — so that one sign-in reviews the whole estate.

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::provider::token::ProvideToken;

use super::error::describe;
use super::sso::{self, SsoProfile};
use super::token_cache;
use crate::settings::AwsSettings;
use crate::tom::parallel;

/// Which accounts a review covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every account the portal lists for the signed-in user.
    All,
    /// These account ids (one the portal does not list is an ERROR, not skipped).
    Only(Vec<String>),
}

impl Selection {
    /// `all`, or account ids separated by commas.
    pub fn parse(s: &str) -> Result<Selection, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("all") {
            return Ok(Selection::All);
        }
        let ids: Vec<String> = s
            .split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect();
        if ids.is_empty() {
            return Err("expected `all` or account ids separated by commas".into());
        }
        for id in &ids {
            if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "`{id}` is not an AWS account id (12 digits) — expected `all` or ids separated by commas"
                ));
            }
        }
        Ok(Selection::Only(ids))
    }
}

/// An account of the review, with an SDK configuration acting in it — or why
/// there is none.
pub struct PortalAccount {
    pub id: String,
    pub name: Option<String>,
    pub sdk: Result<SdkConfig, String>,
}

/// The accounts of `selection`, each with credentials of `permission_set`
/// (the profile's `sso_role_name` when `None`), obtained concurrently.
pub async fn accounts(
    sdk: &SdkConfig,
    settings: &AwsSettings,
    selection: &Selection,
    permission_set: Option<&str>,
    limit: usize,
) -> Result<Vec<PortalAccount>, String> {
    let profile = sso::resolve_profile(settings.profile.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let role = permission_set
        .map(str::to_owned)
        .or_else(|| profile.role_name.clone())
        .ok_or_else(|| {
            format!(
                "no review permission set: set `tom.review_permission_set` in ltops.yaml (or sso_role_name in profile `{}`)",
                profile.profile
            )
        })?;
    let token = access_token(sdk, settings, &profile).await?;
    let portal = aws_sdk_sso::Client::new(&super::config::in_region(sdk, &profile.sso_region));
    let listed: Vec<aws_sdk_sso::types::AccountInfo> = portal
        .list_accounts()
        .access_token(&token)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| describe("sso:ListAccounts", &e).to_string())?;
    let wanted: Vec<(String, Option<String>, bool)> = match selection {
        Selection::All => listed
            .iter()
            .filter_map(|a| {
                let id = a.account_id()?.to_owned();
                Some((id, a.account_name().map(str::to_owned), true))
            })
            .collect(),
        Selection::Only(ids) => ids
            .iter()
            .map(|id| {
                let found = listed.iter().find(|a| a.account_id() == Some(id.as_str()));
                (
                    id.clone(),
                    found.and_then(|a| a.account_name()).map(str::to_owned),
                    found.is_some(),
                )
            })
            .collect(),
    };
    let (portal, token, role) = (&portal, &token, &role);
    Ok(parallel::map(wanted, limit, |(id, name, listed)| async move {
        let sdk = if listed {
            role_sdk(sdk, portal, token, &id, role).await
        } else {
            Err(format!(
                "the SSO portal does not list account {id} for this sign-in — ask for `{role}` there, or leave it out of --accounts"
            ))
        };
        PortalAccount { id, name, sdk }
    })
    .await)
}

/// The portal's access token: renewed by the SDK's token provider when the
/// profile has an sso-session (refresh token), else read from the cache.
async fn access_token(
    sdk: &SdkConfig,
    settings: &AwsSettings,
    profile: &SsoProfile,
) -> Result<String, String> {
    sso::require_token(profile, &settings.sso_cache_dir, chrono::Utc::now())
        .map_err(|e| e.to_string())?;
    if let Some(session) = &profile.session_name {
        let provider = aws_config::sso::SsoTokenProvider::builder()
            .configure(sdk)
            .region(aws_config::Region::new(profile.sso_region.clone()))
            .session_name(session.clone())
            .start_url(profile.start_url.clone())
            .build()
            .await;
        let token = provider.provide_token().await.map_err(|e| {
            format!(
                "SSO token: {} — run `ltops login`",
                super::error::cause_of(&e)
            )
        })?;
        return Ok(token.token().to_owned());
    }
    let path = profile.cache_file(&settings.sso_cache_dir);
    match token_cache::read(&path).map_err(|e| e.to_string())? {
        Some(t) => Ok(t.access_token),
        None => Err(format!(
            "no SSO token in {} — run `ltops login`",
            path.display()
        )),
    }
}

async fn role_sdk(
    sdk: &SdkConfig,
    portal: &aws_sdk_sso::Client,
    token: &str,
    account: &str,
    role: &str,
) -> Result<SdkConfig, String> {
    let out = portal
        .get_role_credentials()
        .access_token(token)
        .account_id(account)
        .role_name(role)
        .send()
        .await
        .map_err(|e| {
            describe(
                &format!("sso:GetRoleCredentials ({role} in account {account})"),
                &e,
            )
            .to_string()
        })?;
    let c = out.role_credentials().ok_or_else(|| {
        format!(
            "sso:GetRoleCredentials ({role} in account {account}): the answer has no credentials"
        )
    })?;
    let (Some(key), Some(secret)) = (c.access_key_id(), c.secret_access_key()) else {
        return Err(format!(
            "sso:GetRoleCredentials ({role} in account {account}): the answer has no key"
        ));
    };
    let expiry = u64::try_from(c.expiration())
        .ok()
        .filter(|ms| *ms > 0)
        .map(|ms| std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms));
    let creds = Credentials::new(
        key,
        secret,
        c.session_token().map(str::to_owned),
        expiry,
        "sso-portal",
    );
    Ok(sdk
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(creds))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_parses_all_and_ids() {
        assert_eq!(Selection::parse("all"), Ok(Selection::All));
        assert_eq!(
            Selection::parse("123456789012, 210987654321"),
            Ok(Selection::Only(vec![
                "123456789012".into(),
                "210987654321".into()
            ]))
        );
        assert!(Selection::parse("12345").is_err());
        assert!(Selection::parse(",").is_err());
    }
}
