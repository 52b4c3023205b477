//! IAM: the password policy, who has full access (people, with group membership
//! and SSO permission-set assignments resolved), IAM users' credentials, access
//! key age, and the root account.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::super::{Finding, Text, parallel};
use super::sso::SsoInventory;
use super::{DocumentError, SourceError};
use crate::aws::error::{ProvideErrorMetadata, SdkError, describe};
use crate::text;

// ---- parameters ------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicyParams {
    pub min_length: i32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    /// At least this many previous passwords may not be reused.
    pub min_reuse_prevention: i32,
    /// Passwords expire after at most this many days.
    pub max_age_days: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullAccessParams {
    pub max_humans: usize,
    /// Managed policies that mean full access whatever their document says.
    pub full_access_policy_arns: Vec<String>,
    /// Path of the roles IAM Identity Center provisions (AWSReservedSSO_*).
    pub sso_role_path_prefix: String,
    /// Region of IAM Identity Center (default: the configured region).
    #[serde(default)]
    pub identity_center_region: Option<String>,
    /// IAM users under these paths are machines (CI), not people.
    pub machine_user_path_prefixes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserCredentialParams {
    /// IAM users under these paths are machines: access keys allowed, passwords not.
    pub machine_user_path_prefixes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyAgeParams {
    pub max_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootParams {
    pub require_mfa: bool,
    pub forbid_access_keys: bool,
}

// ---- inventory -------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    pub active: bool,
    pub created: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub console_password: bool,
    pub keys: Vec<AccessKey>,
}

/// Users with their credentials (console password, access keys).
pub type Users = Result<Vec<User>, SourceError>;

fn err<E, R>(what: &str) -> impl Fn(SdkError<E, R>) -> SourceError + '_
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    move |e| describe(what, &e).into()
}

async fn list_users(
    client: &aws_sdk_iam::Client,
) -> Result<Vec<aws_sdk_iam::types::User>, SourceError> {
    all_items!(client.list_users())
        .await
        .map_err(err("iam:ListUsers"))
}

pub async fn fetch_users(sdk: &SdkConfig, limit: usize) -> Users {
    let client = aws_sdk_iam::Client::new(sdk);
    let users = list_users(&client).await?;
    let details = parallel::map(users, limit, |u| {
        let client = client.clone();
        async move {
            let name = u.user_name().to_owned();
            let login = client.get_login_profile().user_name(&name).send().await;
            let console_password = match login {
                Ok(_) => true,
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_no_such_entity_exception()) =>
                {
                    false
                }
                Err(e) => {
                    return Err(describe(&format!("iam:GetLoginProfile {name}"), &e).into());
                }
            };
            let keys = all_items!(client.list_access_keys().user_name(&name))
                .await
                .map_err(|e| describe(&format!("iam:ListAccessKeys {name}"), &e))?
                .iter()
                .map(|k| AccessKey {
                    id: k.access_key_id().unwrap_or_default().to_owned(),
                    active: matches!(k.status(), Some(aws_sdk_iam::types::StatusType::Active)),
                    created: k
                        .create_date()
                        .and_then(|d| DateTime::from_timestamp(d.secs(), 0)),
                })
                .collect();
            Ok(User {
                name,
                arn: u.arn().to_owned(),
                path: u.path().to_owned(),
                console_password,
                keys,
            })
        }
    })
    .await;
    details.into_iter().collect()
}

/// A principal's policies: attached managed policy ARNs and inline documents.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Policies {
    pub attached: Vec<String>,
    pub inline: Vec<(String, Value)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub members: Vec<String>,
    pub policies: Policies,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub trust: Value,
    pub policies: Policies,
}

/// Who is granted what: users, groups (with members), roles, and the documents
/// of every attached managed policy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccessGraph {
    pub users: Vec<(User, Policies)>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    pub managed: BTreeMap<String, Value>,
}

/// Policy documents come URL-encoded from IAM.
pub fn decode_document(doc: &str) -> Result<Value, DocumentError> {
    let text = if doc.trim_start().starts_with('{') {
        doc.to_owned()
    } else {
        percent_decode(doc)?
    };
    serde_json::from_str(&text).map_err(|e| DocumentError::NotJson(e.to_string()))
}

fn percent_decode(s: &str) -> Result<String, DocumentError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let h = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .map_err(|e| DocumentError::NotUtf8(e.to_string()))?;
                out.push(
                    u8::from_str_radix(h, 16)
                        .map_err(|_| DocumentError::BadEscape(h.to_owned()))?,
                );
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|e| DocumentError::NotUtf8(e.to_string()))
}

fn incomplete(call: String, missing: &str) -> SourceError {
    SourceError::Incomplete {
        call,
        missing: missing.to_owned(),
    }
}

async fn managed_document(client: &aws_sdk_iam::Client, arn: &str) -> Result<Value, SourceError> {
    let policy = client
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(|e| describe(&format!("iam:GetPolicy {arn}"), &e))?;
    let version = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .ok_or_else(|| incomplete(format!("iam:GetPolicy {arn}"), "no default version"))?
        .to_owned();
    let v = client
        .get_policy_version()
        .policy_arn(arn)
        .version_id(&version)
        .send()
        .await
        .map_err(|e| describe(&format!("iam:GetPolicyVersion {arn}"), &e))?;
    let doc = v
        .policy_version()
        .and_then(|v| v.document())
        .ok_or_else(|| incomplete(format!("iam:GetPolicyVersion {arn}"), "no document"))?;
    Ok(decode_document(doc)?)
}

fn policies_of(
    attached: &[aws_sdk_iam::types::AttachedPolicy],
    inline: &[aws_sdk_iam::types::PolicyDetail],
    whose: &str,
) -> Result<Policies, SourceError> {
    let mut p = Policies {
        attached: attached
            .iter()
            .filter_map(|a| a.policy_arn().map(str::to_owned))
            .collect(),
        inline: Vec::new(),
    };
    for d in inline {
        let name = d.policy_name().unwrap_or_default().to_owned();
        let doc = d
            .policy_document()
            .ok_or_else(|| DocumentError::NoInlineDocument {
                whose: whose.to_owned(),
                name: name.clone(),
            })?;
        p.inline.push((name, decode_document(doc)?));
    }
    Ok(p)
}

/// Who is granted what, from GetAccountAuthorizationDetails: every user, group,
/// role and customer-managed policy with its documents in a few pages, instead of
/// several calls per principal (thousands in a large account). Documents of AWS
/// managed policies that are attached somewhere are fetched on their own.
pub async fn fetch_access(
    sdk: &SdkConfig,
    users: &[User],
    limit: usize,
) -> Result<AccessGraph, SourceError> {
    let client = aws_sdk_iam::Client::new(sdk);
    let details = authorization_details(&client).await?;
    let mut graph = AccessGraph {
        users: user_policies(users, &details.users)?,
        groups: groups_of(&details)?,
        roles: roles_of(&details.roles)?,
        managed: local_documents(&details.policies)?,
    };
    add_aws_managed(&client, &mut graph, limit).await?;
    Ok(graph)
}

/// All pages of GetAccountAuthorizationDetails, joined.
#[derive(Default)]
struct Details {
    users: Vec<aws_sdk_iam::types::UserDetail>,
    groups: Vec<aws_sdk_iam::types::GroupDetail>,
    roles: Vec<aws_sdk_iam::types::RoleDetail>,
    policies: Vec<aws_sdk_iam::types::ManagedPolicyDetail>,
}

async fn authorization_details(client: &aws_sdk_iam::Client) -> Result<Details, SourceError> {
    use aws_sdk_iam::types::EntityType;
    let mut pages = client
        .get_account_authorization_details()
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .into_paginator()
        .send();
    let mut d = Details::default();
    while let Some(page) = pages.next().await {
        let page = page.map_err(err("iam:GetAccountAuthorizationDetails"))?;
        d.users.extend(page.user_detail_list().iter().cloned());
        d.groups.extend(page.group_detail_list().iter().cloned());
        d.roles.extend(page.role_detail_list().iter().cloned());
        d.policies.extend(page.policies().iter().cloned());
    }
    Ok(d)
}

fn user_policies(
    users: &[User],
    details: &[aws_sdk_iam::types::UserDetail],
) -> Result<Vec<(User, Policies)>, SourceError> {
    let mut out = Vec::new();
    for u in users {
        // A user created after ListUsers is not in the details yet: next run.
        let Some(d) = details
            .iter()
            .find(|d| d.user_name() == Some(u.name.as_str()))
        else {
            continue;
        };
        let p = policies_of(
            d.attached_managed_policies(),
            d.user_policy_list(),
            &format!("user {}", u.name),
        )?;
        out.push((u.clone(), p));
    }
    Ok(out)
}

fn groups_of(details: &Details) -> Result<Vec<Group>, SourceError> {
    let mut out = Vec::new();
    for g in &details.groups {
        let name = g.group_name().unwrap_or_default().to_owned();
        let members = details
            .users
            .iter()
            .filter(|u| u.group_list().contains(&name))
            .filter_map(|u| u.user_name().map(str::to_owned))
            .collect();
        let policies = policies_of(
            g.attached_managed_policies(),
            g.group_policy_list(),
            &format!("group {name}"),
        )?;
        out.push(Group {
            name,
            members,
            policies,
        });
    }
    Ok(out)
}

fn roles_of(details: &[aws_sdk_iam::types::RoleDetail]) -> Result<Vec<Role>, SourceError> {
    let mut out = Vec::new();
    for r in details {
        let name = r.role_name().unwrap_or_default().to_owned();
        let trust = match r.assume_role_policy_document() {
            Some(d) => decode_document(d)?,
            None => Value::Null,
        };
        let policies = policies_of(
            r.attached_managed_policies(),
            r.role_policy_list(),
            &format!("role {name}"),
        )?;
        out.push(Role {
            name,
            arn: r.arn().unwrap_or_default().to_owned(),
            path: r.path().unwrap_or_default().to_owned(),
            trust,
            policies,
        });
    }
    Ok(out)
}

/// The default version's document of each customer-managed policy, by ARN.
fn local_documents(
    policies: &[aws_sdk_iam::types::ManagedPolicyDetail],
) -> Result<BTreeMap<String, Value>, SourceError> {
    let mut out = BTreeMap::new();
    for p in policies {
        let Some(arn) = p.arn() else { continue };
        let default = p
            .policy_version_list()
            .iter()
            .find(|v| v.is_default_version())
            .and_then(|v| v.document());
        if let Some(doc) = default {
            out.insert(arn.to_owned(), decode_document(doc)?);
        }
    }
    Ok(out)
}

/// Fetches the documents of attached policies the details did not include: the
/// AWS-managed ones.
async fn add_aws_managed(
    client: &aws_sdk_iam::Client,
    graph: &mut AccessGraph,
    limit: usize,
) -> Result<(), SourceError> {
    let missing: BTreeSet<String> = graph
        .users
        .iter()
        .flat_map(|(_, p)| p.attached.iter())
        .chain(graph.groups.iter().flat_map(|g| g.policies.attached.iter()))
        .chain(graph.roles.iter().flat_map(|r| r.policies.attached.iter()))
        .filter(|arn| !graph.managed.contains_key(*arn))
        .cloned()
        .collect();
    let docs = parallel::map(missing, limit, |arn| {
        let client = client.clone();
        async move {
            let d = managed_document(&client, &arn).await;
            d.map(|d| (arn, d))
        }
    })
    .await;
    for d in docs {
        let (arn, doc) = d?;
        graph.managed.insert(arn, doc);
    }
    Ok(())
}

pub type PasswordPolicy = Result<Option<aws_sdk_iam::types::PasswordPolicy>, SourceError>;

pub async fn fetch_password_policy(sdk: &SdkConfig) -> PasswordPolicy {
    let client = aws_sdk_iam::Client::new(sdk);
    match client.get_account_password_policy().send().await {
        Ok(o) => Ok(o.password_policy().cloned()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_no_such_entity_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(describe("iam:GetAccountPasswordPolicy", &e).into()),
    }
}

pub type Summary = Result<BTreeMap<String, i32>, SourceError>;

pub async fn fetch_summary(sdk: &SdkConfig) -> Summary {
    let client = aws_sdk_iam::Client::new(sdk);
    let out = client
        .get_account_summary()
        .send()
        .await
        .map_err(err("iam:GetAccountSummary"))?;
    Ok(out
        .summary_map()
        .map(|m| m.iter().map(|(k, v)| (k.as_str().to_owned(), *v)).collect())
        .unwrap_or_default())
}

// ---- evaluation ------------------------------------------------------------------

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// Whether a policy document allows every action on every resource.
pub fn allows_everything(doc: &Value) -> bool {
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => vec![],
    };
    statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Allow")
            && strings(s.get("Action"))
                .iter()
                .any(|a| *a == "*" || *a == "*:*")
            && strings(s.get("Resource")).contains(&"*")
    })
}

/// Why a set of policies grants full access, if it does.
fn full_access_reason(
    p: &Policies,
    graph: &AccessGraph,
    params: &FullAccessParams,
) -> Option<String> {
    for arn in &p.attached {
        if params.full_access_policy_arns.contains(arn) {
            return Some(format!("attached {arn}"));
        }
        if graph.managed.get(arn).is_some_and(allows_everything) {
            return Some(format!("attached {arn}, which allows * on *"));
        }
    }
    p.inline
        .iter()
        .find(|(_, d)| allows_everything(d))
        .map(|(n, _)| format!("inline policy {n} allows * on *"))
}

fn is_machine(path: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| path.starts_with(p.as_str()))
}

/// Principals a role trusts, and whether they are only AWS services.
fn trust_principals(trust: &Value) -> (Vec<String>, bool) {
    let statements: Vec<&Value> = match trust.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => vec![],
    };
    let mut out = Vec::new();
    let mut only_services = true;
    for s in statements {
        if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        match s.get("Principal") {
            Some(Value::Object(m)) => {
                for (kind, v) in m {
                    for p in strings(Some(v)) {
                        out.push(format!("{kind}:{p}"));
                        if kind != "Service" {
                            only_services = false;
                        }
                    }
                }
            }
            Some(Value::String(s)) => {
                out.push(s.clone());
                only_services = false;
            }
            _ => {}
        }
    }
    let only = only_services && !out.is_empty();
    (out, only)
}

/// The permission-set name of an `AWSReservedSSO_<name>_<16 hex>` role.
pub fn permission_set_of(role_name: &str) -> Option<&str> {
    let rest = role_name.strip_prefix("AWSReservedSSO_")?;
    let (name, hash) = rest.rsplit_once('_')?;
    (hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit())).then_some(name)
}

/// What the account's password policy lacks against `p`.
fn password_problems(
    p: &PasswordPolicyParams,
    pp: &aws_sdk_iam::types::PasswordPolicy,
) -> Vec<Text> {
    let mut problems = Vec::new();
    let len = pp.minimum_password_length().unwrap_or(0);
    if len < p.min_length {
        problems.push(text!(
            "minimum length {} < {}",
            "Mindestlänge {} < {}",
            len,
            p.min_length
        ));
    }
    for (req, have, what) in [
        (
            p.require_symbols,
            pp.require_symbols(),
            text!("symbols", "Sonderzeichen"),
        ),
        (
            p.require_numbers,
            pp.require_numbers(),
            text!("numbers", "Ziffern"),
        ),
        (
            p.require_uppercase,
            pp.require_uppercase_characters(),
            text!("upper-case letters", "Großbuchstaben"),
        ),
        (
            p.require_lowercase,
            pp.require_lowercase_characters(),
            text!("lower-case letters", "Kleinbuchstaben"),
        ),
    ] {
        if req && !have {
            problems.push(text!("{} not required", "{} nicht verlangt", what));
        }
    }
    let reuse = pp.password_reuse_prevention().unwrap_or(0);
    if reuse < p.min_reuse_prevention {
        problems.push(text!(
            "reuse prevention {} < {}",
            "Wiederverwendungssperre {} < {}",
            reuse,
            p.min_reuse_prevention
        ));
    }
    let age = pp.max_password_age().unwrap_or(0);
    if age == 0 || age > p.max_age_days {
        problems.push(if age == 0 {
            text!(
                "passwords never expire (max {} days)",
                "Passwörter laufen nie ab (höchstens {} Tage)",
                p.max_age_days
            )
        } else {
            text!(
                "maximum age {} days > {}",
                "Höchstalter {} Tage > {}",
                age,
                p.max_age_days
            )
        });
    }
    problems
}

pub fn password_policy(
    check: &str,
    account: &str,
    p: &PasswordPolicyParams,
    got: &PasswordPolicy,
) -> Vec<Finding> {
    let resource = format!("arn:aws:iam::{account}:account-password-policy");
    let pp = match got {
        Err(e) => return vec![Finding::error(check, resource, Text::same(e.to_string()))],
        Ok(None) => {
            return vec![Finding::fail(
                check,
                resource,
                text!(
                    "no account password policy is set",
                    "keine Passwortrichtlinie für das Konto gesetzt"
                ),
            )];
        }
        Ok(Some(pp)) => pp,
    };
    let problems = password_problems(p, pp);
    let len = pp.minimum_password_length().unwrap_or(0);
    let reuse = pp.password_reuse_prevention().unwrap_or(0);
    let age = pp.max_password_age().unwrap_or(0);
    let seen = text!(
        "length ≥ {}, symbols {}, numbers {}, upper {}, lower {}, reuse prevention {}, max age {} days",
        "Länge ≥ {}, Sonderzeichen {}, Ziffern {}, Großbuchstaben {}, Kleinbuchstaben {}, Wiederverwendungssperre {}, Höchstalter {} Tage",
        len,
        pp.require_symbols(),
        pp.require_numbers(),
        pp.require_uppercase_characters(),
        pp.require_lowercase_characters(),
        reuse,
        age
    );
    vec![if problems.is_empty() {
        Finding::pass(check, resource, seen)
    } else {
        Finding::fail(
            check,
            resource,
            text!(
                "{}; policy: {}",
                "{}; Richtlinie: {}",
                Text::join_all(&problems, "; "),
                seen
            ),
        )
    }]
}

/// The people (and unattributable principals) with full access.
pub fn full_access_humans(
    check: &str,
    account: &str,
    p: &FullAccessParams,
    graph: &Result<AccessGraph, SourceError>,
    sso: &Result<SsoInventory, SourceError>,
) -> Vec<Finding> {
    let resource = format!("arn:aws:iam::{account}:root (full access)");
    let graph = match graph {
        Ok(g) => g,
        Err(e) => return vec![Finding::error(check, resource, Text::same(e.to_string()))],
    };
    let mut access = FullAccess::default();
    access.add_iam_users(graph, p);
    let full_sets = access.add_roles(graph, p);
    if let Err(e) = access.add_sso_holders(full_sets, sso, p) {
        return vec![Finding::error(check, resource, Text::same(e.to_string()))];
    }
    vec![access.verdict(check, resource, p.max_humans)]
}

/// Why the people holding full access through IAM Identity Center are unknown.
#[derive(Debug, thiserror::Error)]
enum SsoGap {
    #[error("cannot read IAM Identity Center: {0}")]
    Unreadable(SourceError),
    #[error("cannot resolve who holds the SSO permission sets {sets}: {cause}")]
    HoldersUnknown { sets: String, cause: SourceError },
}

/// Who has full access and how; machines are listed but not counted.
#[derive(Default)]
struct FullAccess {
    /// person -> how they get full access
    humans: BTreeMap<String, BTreeSet<String>>,
    machines: Vec<String>,
}

impl FullAccess {
    fn add_human(&mut self, who: String, how: String) {
        self.humans.entry(who).or_default().insert(how);
    }

    /// IAM users with full access of their own or through a group.
    fn add_iam_users(&mut self, graph: &AccessGraph, p: &FullAccessParams) {
        let path_of: BTreeMap<&str, &str> = graph
            .users
            .iter()
            .map(|(u, _)| (u.name.as_str(), u.path.as_str()))
            .collect();
        let mut add_user = |name: &str, how: String| {
            let path = path_of.get(name).copied().unwrap_or("/");
            if is_machine(path, &p.machine_user_path_prefixes) {
                self.machines.push(format!("IAM user {name} ({how})"));
            } else {
                self.humans
                    .entry(format!("IAM user {name}"))
                    .or_default()
                    .insert(how);
            }
        };
        for (u, pol) in &graph.users {
            if let Some(why) = full_access_reason(pol, graph, p) {
                add_user(&u.name, why);
            }
        }
        for g in &graph.groups {
            if let Some(why) = full_access_reason(&g.policies, graph, p) {
                for m in &g.members {
                    add_user(m, format!("group {}: {why}", g.name));
                }
            }
        }
    }

    /// Roles with full access. Roles provisioned by IAM Identity Center are not
    /// people themselves: their permission sets come back (name -> why) so that
    /// the sets' holders can be found.
    fn add_roles(&mut self, graph: &AccessGraph, p: &FullAccessParams) -> BTreeMap<String, String> {
        let mut full_sets = BTreeMap::new();
        for r in &graph.roles {
            let Some(why) = full_access_reason(&r.policies, graph, p) else {
                continue;
            };
            if r.path.starts_with(&p.sso_role_path_prefix)
                && let Some(ps) = permission_set_of(&r.name)
            {
                full_sets.insert(ps.to_owned(), format!("SSO role {}: {why}", r.name));
                continue;
            }
            let (principals, only_services) = trust_principals(&r.trust);
            if only_services {
                self.machines.push(format!(
                    "role {} (trusted by {})",
                    r.name,
                    principals.join(", ")
                ));
            } else {
                let by = if principals.is_empty() {
                    "nobody listed".to_owned()
                } else {
                    principals.join(", ")
                };
                self.add_human(format!("role {} (assumable by {by})", r.name), why);
            }
        }
        full_sets
    }

    /// The holders of every permission set with full access: those found through
    /// their roles (`full_sets`) and those whose policies grant it.
    fn add_sso_holders(
        &mut self,
        mut full_sets: BTreeMap<String, String>,
        sso: &Result<SsoInventory, SourceError>,
        p: &FullAccessParams,
    ) -> Result<(), SsoGap> {
        let inv = match sso {
            Ok(inv) => inv,
            Err(e) if full_sets.is_empty() => return Err(SsoGap::Unreadable(e.clone())),
            Err(e) => {
                return Err(SsoGap::HoldersUnknown {
                    sets: full_sets.keys().cloned().collect::<Vec<_>>().join(", "),
                    cause: e.clone(),
                });
            }
        };
        for ps in &inv.permission_sets {
            if ps
                .managed
                .iter()
                .any(|a| p.full_access_policy_arns.contains(a))
                || ps.inline.as_ref().is_some_and(allows_everything)
            {
                full_sets
                    .entry(ps.name.clone())
                    .or_insert_with(|| format!("permission set {} grants full access", ps.name));
            }
        }
        for (name, why) in &full_sets {
            let Some(ps) = inv.permission_sets.iter().find(|s| &s.name == name) else {
                self.add_human(
                    format!("SSO permission set {name} (not found in IAM Identity Center: holders unknown)"),
                    why.clone(),
                );
                continue;
            };
            for (user_id, via) in inv.holders(ps) {
                let who = inv.user_label(&user_id);
                self.add_human(format!("SSO user {who}"), format!("{why}{via}"));
            }
        }
        Ok(())
    }

    fn verdict(&self, check: &str, resource: String, max_humans: usize) -> Finding {
        let list = self
            .humans
            .iter()
            .map(|(h, how)| {
                format!(
                    "{h} [{}]",
                    how.iter().cloned().collect::<Vec<_>>().join("; ")
                )
            })
            .collect::<Vec<_>>();
        // The paths (users, groups, roles, permission sets) are quoted as IAM
        // names them; the sentence around them is in each language.
        let listed = if list.is_empty() {
            text!("none", "niemand")
        } else {
            Text::same(list.join(" · "))
        };
        let mut evidence = text!(
            "{} with full access (at most {}): {}",
            "{} mit Vollzugriff (höchstens {}): {}",
            self.humans.len(),
            max_humans,
            listed
        );
        if !self.machines.is_empty() {
            evidence = evidence.join(
                "",
                &text!(
                    "; machines, not counted: {}",
                    "; Maschinen, nicht gezählt: {}",
                    self.machines.join(", ")
                ),
            );
        }
        Finding::verdict(check, resource, self.humans.len() <= max_humans, evidence)
    }
}

/// The IAM users, or the findings that say they could not be read.
fn users_or_error<'a>(
    check: &str,
    account: &str,
    users: &'a Users,
) -> Result<&'a [User], Vec<Finding>> {
    users.as_deref().map_err(|e| {
        vec![Finding::error(
            check,
            format!("arn:aws:iam::{account}:user/*"),
            Text::same(e.to_string()),
        )]
    })
}

pub fn user_credentials(
    check: &str,
    account: &str,
    p: &UserCredentialParams,
    users: &Users,
) -> Vec<Finding> {
    let users = match users_or_error(check, account, users) {
        Ok(u) => u,
        Err(f) => return f,
    };
    if users.is_empty() {
        return vec![Finding::pass(
            check,
            format!("arn:aws:iam::{account}:user/*"),
            text!(
                "no IAM users: people sign in through SSO",
                "keine IAM-Benutzer: Personen melden sich über SSO an"
            ),
        )];
    }
    users
        .iter()
        .map(|u| {
            let machine = is_machine(&u.path, &p.machine_user_path_prefixes);
            let active: Vec<&str> = u
                .keys
                .iter()
                .filter(|k| k.active)
                .map(|k| k.id.as_str())
                .collect();
            let mut problems = Vec::new();
            if u.console_password {
                problems.push(text!(
                    "has a console password (people sign in through SSO)",
                    "hat ein Konsolenpasswort (Personen melden sich über SSO an)"
                ));
            }
            if !machine && !active.is_empty() {
                problems.push(text!(
                    "a person's user with long-lived access key(s) {}",
                    "Benutzer einer Person mit langlebigem Zugriffsschlüssel {}",
                    active.join(", ")
                ));
            }
            let kind = if machine {
                text!(
                    "machine user (path {})",
                    "Maschinenbenutzer (Pfad {})",
                    u.path
                )
            } else {
                text!("human user", "Benutzer einer Person")
            };
            if problems.is_empty() {
                Finding::pass(
                    check,
                    &u.arn,
                    text!(
                        "{}: no console password, {} active access key(s)",
                        "{}: kein Konsolenpasswort, {} aktive(r) Zugriffsschlüssel",
                        kind,
                        active.len()
                    ),
                )
            } else {
                Finding::fail(
                    check,
                    &u.arn,
                    text!("{}: {}", "{}: {}", kind, Text::join_all(&problems, "; ")),
                )
            }
        })
        .collect()
}

pub fn access_key_age(
    check: &str,
    account: &str,
    p: &KeyAgeParams,
    users: &Users,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let users = match users_or_error(check, account, users) {
        Ok(u) => u,
        Err(f) => return f,
    };
    let mut out = Vec::new();
    for u in users {
        for k in u.keys.iter().filter(|k| k.active) {
            let resource = format!("{} key {}", u.arn, k.id);
            out.push(match k.created {
                None => Finding::error(
                    check,
                    resource,
                    text!(
                        "the key has no creation date",
                        "der Schlüssel hat kein Erstellungsdatum"
                    ),
                ),
                Some(c) => {
                    let days = (now - c).num_days();
                    Finding::verdict(
                        check,
                        resource,
                        days <= p.max_days,
                        text!(
                            "created {} ({} days ago; at most {} allowed)",
                            "erstellt am {} (vor {} Tagen; höchstens {} erlaubt)",
                            c.format("%Y-%m-%d"),
                            days,
                            p.max_days
                        ),
                    )
                }
            });
        }
    }
    if out.is_empty() {
        out.push(Finding::pass(
            check,
            format!("arn:aws:iam::{account}:user/*"),
            text!("no active access keys", "keine aktiven Zugriffsschlüssel"),
        ));
    }
    out
}

pub fn root_account(check: &str, account: &str, p: &RootParams, summary: &Summary) -> Vec<Finding> {
    let resource = format!("arn:aws:iam::{account}:root");
    let s = match summary {
        Ok(s) => s,
        Err(e) => return vec![Finding::error(check, resource, Text::same(e.to_string()))],
    };
    let (Some(&mfa), Some(&keys)) = (
        s.get("AccountMFAEnabled"),
        s.get("AccountAccessKeysPresent"),
    ) else {
        return vec![Finding::error(
            check,
            resource,
            text!(
                "the account summary lacks AccountMFAEnabled / AccountAccessKeysPresent",
                "der Kontoübersicht fehlen AccountMFAEnabled / AccountAccessKeysPresent"
            ),
        )];
    };
    let mut problems = Vec::new();
    if p.require_mfa && mfa != 1 {
        problems.push(text!("root has no MFA", "Root hat keine MFA"));
    }
    if p.forbid_access_keys && keys != 0 {
        problems.push(text!("root has access keys", "Root hat Zugriffsschlüssel"));
    }
    let seen = format!("AccountMFAEnabled={mfa}, AccountAccessKeysPresent={keys}");
    vec![if problems.is_empty() {
        Finding::pass(
            check,
            resource,
            text!(
                "root MFA on, no root keys ({})",
                "Root-MFA an, keine Root-Schlüssel ({})",
                seen
            ),
        )
    } else {
        Finding::fail(
            check,
            resource,
            text!("{} ({})", "{} ({})", Text::join_all(&problems, "; "), seen),
        )
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tom::Status;
    use serde_json::json;

    fn params() -> FullAccessParams {
        FullAccessParams {
            max_humans: 2,
            full_access_policy_arns: vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()],
            sso_role_path_prefix: "/aws-reserved/sso.amazonaws.com/".into(),
            identity_center_region: None,
            machine_user_path_prefixes: vec!["/ci/".into()],
        }
    }

    fn user(name: &str, path: &str) -> User {
        User {
            name: name.into(),
            arn: format!("arn:aws:iam::1:user{path}{name}"),
            path: path.into(),
            console_password: false,
            keys: vec![],
        }
    }

    #[test]
    fn documents_decode_and_star_star_is_full_access() {
        let d = decode_document("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D").unwrap();
        assert!(allows_everything(&d));
        assert!(!allows_everything(
            &json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}})
        ));
        assert!(!allows_everything(
            &json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
        ));
        assert!(allows_everything(
            &json!({"Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]})
        ));
    }

    #[test]
    fn group_members_are_people_and_machines_do_not_count() {
        let admin = Policies {
            attached: vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()],
            inline: vec![],
        };
        let graph = AccessGraph {
            users: vec![
                (user("ann", "/people/"), Policies::default()),
                (user("ben", "/people/"), Policies::default()),
                (user("cem", "/people/"), Policies::default()),
                (user("ci", "/ci/"), admin.clone()),
            ],
            groups: vec![Group {
                name: "admins".into(),
                members: vec!["ann".into(), "ben".into()],
                policies: admin.clone(),
            }],
            roles: vec![Role {
                name: "ec2-admin".into(),
                arn: "arn:aws:iam::1:role/ec2-admin".into(),
                path: "/".into(),
                trust: json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
                policies: admin.clone(),
            }],
            managed: BTreeMap::new(),
        };
        let sso = Ok(SsoInventory::default());
        let f = full_access_humans("c", "1", &params(), &Ok(graph.clone()), &sso);
        assert_eq!(f[0].status, Status::Pass, "{}", f[0].evidence);
        assert!(
            f[0].evidence.contains("machines, not counted"),
            "{}",
            f[0].evidence
        );
        let mut g3 = graph;
        g3.groups[0].members.push("cem".into());
        let f = full_access_humans("c", "1", &params(), &Ok(g3), &sso);
        assert_eq!(f[0].status, Status::Fail, "{}", f[0].evidence);
        assert!(
            f[0].evidence.starts_with("3 with full access"),
            "{}",
            f[0].evidence
        );
        let f = full_access_humans(
            "c",
            "1",
            &params(),
            &Err(SourceError::Aws("AccessDenied".into())),
            &sso,
        );
        assert_eq!(f[0].status, Status::Error);
    }

    #[test]
    fn key_age_and_credentials() {
        let now = Utc::now();
        let mut old = user("old", "/ci/");
        old.keys.push(AccessKey {
            id: "AKIAOLD".into(),
            active: true,
            created: Some(now - chrono::Duration::days(120)),
        });
        old.keys.push(AccessKey {
            id: "AKIAINACTIVE".into(),
            active: false,
            created: Some(now - chrono::Duration::days(400)),
        });
        let mut human = user("eve", "/people/");
        human.console_password = true;
        let users = Ok(vec![old.clone(), human]);
        let f = access_key_age("k", "1", &KeyAgeParams { max_days: 90 }, &users, now);
        assert_eq!(
            f.iter().map(|f| f.status).collect::<Vec<_>>(),
            [Status::Fail]
        );
        let f = user_credentials(
            "u",
            "1",
            &UserCredentialParams {
                machine_user_path_prefixes: vec!["/ci/".into()],
            },
            &users,
        );
        assert_eq!(
            f.iter().map(|f| f.status).collect::<Vec<_>>(),
            [Status::Pass, Status::Fail]
        );
    }

    #[test]
    fn root_needs_mfa_and_no_keys() {
        let p = RootParams {
            require_mfa: true,
            forbid_access_keys: true,
        };
        let ok = Ok(BTreeMap::from([
            ("AccountMFAEnabled".to_owned(), 1),
            ("AccountAccessKeysPresent".to_owned(), 0),
        ]));
        assert_eq!(root_account("r", "1", &p, &ok)[0].status, Status::Pass);
        let bad = Ok(BTreeMap::from([
            ("AccountMFAEnabled".to_owned(), 0),
            ("AccountAccessKeysPresent".to_owned(), 1),
        ]));
        let f = root_account("r", "1", &p, &bad);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].evidence.contains("no MFA") && f[0].evidence.contains("access keys"));
    }

    #[test]
    fn permission_set_names_come_from_role_names() {
        assert_eq!(
            permission_set_of("AWSReservedSSO_Ltops_Admin_0123456789abcdef"),
            Some("Ltops_Admin")
        );
        assert_eq!(permission_set_of("AWSReservedSSO_X_short"), None);
        assert_eq!(permission_set_of("OrganizationAccountAccessRole"), None);
    }
}
