//! IAM Identity Center (aws-sdk-ssoadmin, aws-sdk-identitystore): permission sets
//! with their session duration and policies, who is assigned to them in this
//! account, with groups resolved to their members.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use serde::Deserialize;
use serde_json::Value;

use super::super::Text;
use super::super::{Finding, parallel};
use super::SourceError;
use crate::aws::error::{ProvideErrorMetadata, SdkError, describe};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionParams {
    /// The longest session a permission set may grant, in hours.
    pub max_hours: u32,
    /// Region of IAM Identity Center (default: the configured region).
    #[serde(default)]
    pub identity_center_region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PermissionSet {
    pub instance_arn: String,
    pub identity_store_id: String,
    pub arn: String,
    pub name: String,
    /// ISO 8601, e.g. `PT8H`.
    pub session_duration: Option<String>,
    pub managed: Vec<String>,
    pub inline: Option<Value>,
    /// (principal type USER|GROUP, principal id) assigned in this account.
    pub assignments: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SsoInventory {
    pub region: String,
    pub instances: Vec<String>,
    pub permission_sets: Vec<PermissionSet>,
    /// group id -> member user ids
    pub group_members: BTreeMap<String, Vec<String>>,
    /// user id -> user name
    pub user_names: BTreeMap<String, String>,
    /// group id -> display name
    pub group_names: BTreeMap<String, String>,
}

impl SsoInventory {
    /// The people holding a permission set in this account: (user id, how).
    pub fn holders(&self, ps: &PermissionSet) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (kind, id) in &ps.assignments {
            if kind == "GROUP" {
                for m in self.group_members.get(id).into_iter().flatten() {
                    let name = self.group_names.get(id).unwrap_or(id);
                    out.push((m.clone(), format!(" (via group {name})")));
                }
            } else {
                out.push((id.clone(), String::new()));
            }
        }
        out
    }

    /// (identity store id, principal id) of every principal of `kind` (USER or
    /// GROUP) assigned to some permission set.
    fn assigned(&self, kind: &str) -> BTreeSet<(String, String)> {
        self.permission_sets
            .iter()
            .flat_map(|ps| {
                ps.assignments
                    .iter()
                    .filter(|(k, _)| k == kind)
                    .map(|(_, id)| (ps.identity_store_id.clone(), id.clone()))
            })
            .collect()
    }

    pub fn user_label(&self, id: &str) -> String {
        match self.user_names.get(id) {
            Some(n) => n.clone(),
            None => id.to_owned(),
        }
    }
}

fn e<E, R>(what: &'static str) -> impl Fn(SdkError<E, R>) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    move |err| describe(what, &err).into()
}

pub async fn fetch(
    sdk: &SdkConfig,
    region: &str,
    account: &str,
    limit: usize,
) -> Result<SsoInventory, SourceError> {
    let sdk = crate::aws::config::in_region(sdk, region);
    let admin = aws_sdk_ssoadmin::Client::new(&sdk);
    let store = aws_sdk_identitystore::Client::new(&sdk);
    let mut inv = SsoInventory {
        region: region.to_owned(),
        ..Default::default()
    };
    for (instance_arn, store_id) in &instances(&admin).await? {
        inv.instances.push(instance_arn.clone());
        let sets = permission_sets(&admin, instance_arn, store_id, account, limit).await?;
        inv.permission_sets.extend(sets);
    }
    let users = resolve_groups(&store, &mut inv, limit).await?;
    resolve_users(&store, &mut inv, users, limit).await?;
    Ok(inv)
}

/// (instance ARN, identity store id) of every IAM Identity Center instance.
async fn instances(admin: &aws_sdk_ssoadmin::Client) -> Result<Vec<(String, String)>, SourceError> {
    let listed = all_items!(admin.list_instances())
        .await
        .map_err(e("sso-admin:ListInstances"))?;
    Ok(listed
        .iter()
        .map(|i| {
            (
                i.instance_arn().unwrap_or_default().to_owned(),
                i.identity_store_id().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

async fn permission_sets(
    admin: &aws_sdk_ssoadmin::Client,
    instance_arn: &str,
    store_id: &str,
    account: &str,
    limit: usize,
) -> Result<Vec<PermissionSet>, SourceError> {
    let arns = all_items!(admin.list_permission_sets().instance_arn(instance_arn))
        .await
        .map_err(e("sso-admin:ListPermissionSets"))?;
    parallel::map(arns, limit, |arn| {
        let admin = admin.clone();
        async move { permission_set(&admin, instance_arn, store_id, &arn, account).await }
    })
    .await
    .into_iter()
    .collect()
}

/// Fills in the members and names of every group assigned somewhere; returns
/// every user (identity store id, user id) assigned directly or through a group.
async fn resolve_groups(
    store: &aws_sdk_identitystore::Client,
    inv: &mut SsoInventory,
    limit: usize,
) -> Result<BTreeSet<(String, String)>, SourceError> {
    let groups = inv.assigned("GROUP");
    let members = parallel::map(groups, limit, |(store_id, group)| {
        let store = store.clone();
        async move {
            let (users, name) = group_facts(&store, &store_id, &group).await?;
            Ok::<_, SourceError>((store_id, group, users, name))
        }
    })
    .await;
    let mut users = inv.assigned("USER");
    for m in members {
        let (store_id, group, ids, name) = m?;
        if let Some(n) = name {
            inv.group_names.insert(group.clone(), n);
        }
        for u in &ids {
            users.insert((store_id.clone(), u.clone()));
        }
        inv.group_members.insert(group, ids);
    }
    Ok(users)
}

/// A group's member user ids and its display name.
async fn group_facts(
    store: &aws_sdk_identitystore::Client,
    store_id: &str,
    group: &str,
) -> Result<(Vec<String>, Option<String>), SourceError> {
    let memberships = all_items!(
        store
            .list_group_memberships()
            .identity_store_id(store_id)
            .group_id(group)
    )
    .await
    .map_err(e("identitystore:ListGroupMemberships"))?;
    let users = memberships
        .iter()
        .filter_map(|m| match m.member_id() {
            Some(aws_sdk_identitystore::types::MemberId::UserId(u)) => Some(u.clone()),
            _ => None,
        })
        .collect();
    let name = store
        .describe_group()
        .identity_store_id(store_id)
        .group_id(group)
        .send()
        .await
        .map_err(e("identitystore:DescribeGroup"))?
        .display_name()
        .map(str::to_owned);
    Ok((users, name))
}

async fn resolve_users(
    store: &aws_sdk_identitystore::Client,
    inv: &mut SsoInventory,
    users: BTreeSet<(String, String)>,
    limit: usize,
) -> Result<(), SourceError> {
    let names = parallel::map(users, limit, |(store_id, user)| {
        let store = store.clone();
        async move {
            let d = store
                .describe_user()
                .identity_store_id(&store_id)
                .user_id(&user)
                .send()
                .await
                .map_err(e("identitystore:DescribeUser"))?;
            let name = d.user_name().unwrap_or(&user).to_owned();
            Ok::<_, SourceError>((user, name))
        }
    })
    .await;
    for n in names {
        let (id, name) = n?;
        inv.user_names.insert(id, name);
    }
    Ok(())
}

async fn permission_set(
    admin: &aws_sdk_ssoadmin::Client,
    instance_arn: &str,
    store_id: &str,
    arn: &str,
    account: &str,
) -> Result<PermissionSet, SourceError> {
    let d = admin
        .describe_permission_set()
        .instance_arn(instance_arn)
        .permission_set_arn(arn)
        .send()
        .await
        .map_err(e("sso-admin:DescribePermissionSet"))?;
    let set = d.permission_set().ok_or_else(|| SourceError::Incomplete {
        call: format!("sso-admin:DescribePermissionSet {arn}"),
        missing: "no permission set".into(),
    })?;
    let managed = all_items!(
        admin
            .list_managed_policies_in_permission_set()
            .instance_arn(instance_arn)
            .permission_set_arn(arn)
    )
    .await
    .map_err(e("sso-admin:ListManagedPoliciesInPermissionSet"))?
    .iter()
    .filter_map(|p| p.arn().map(str::to_owned))
    .collect();
    let inline = admin
        .get_inline_policy_for_permission_set()
        .instance_arn(instance_arn)
        .permission_set_arn(arn)
        .send()
        .await
        .map_err(e("sso-admin:GetInlinePolicyForPermissionSet"))?
        .inline_policy()
        .filter(|s| !s.trim().is_empty())
        .map(super::iam::decode_document)
        .transpose()?;
    let assignments = all_items!(
        admin
            .list_account_assignments()
            .instance_arn(instance_arn)
            .account_id(account)
            .permission_set_arn(arn)
    )
    .await
    .map_err(e("sso-admin:ListAccountAssignments"))?
    .iter()
    .map(|a| {
        (
            a.principal_type()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            a.principal_id().unwrap_or_default().to_owned(),
        )
    })
    .collect();
    Ok(PermissionSet {
        instance_arn: instance_arn.to_owned(),
        identity_store_id: store_id.to_owned(),
        arn: arn.to_owned(),
        name: set.name().unwrap_or_default().to_owned(),
        session_duration: set.session_duration().map(str::to_owned),
        managed,
        inline,
        assignments,
    })
}

/// Seconds of an ISO 8601 duration like `PT8H`, `PT1H30M`, `PT3600S`.
pub fn duration_secs(iso: &str) -> Option<u64> {
    let rest = iso.strip_prefix("PT")?;
    let mut total = 0u64;
    let mut num = String::new();
    for c in rest.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        total += n * match c {
            'H' => 3600,
            'M' => 60,
            'S' => 1,
            _ => return None,
        };
    }
    num.is_empty().then_some(total)
}

pub fn session_duration(
    check: &str,
    p: &SessionParams,
    inv: &Result<SsoInventory, SourceError>,
) -> Vec<Finding> {
    let inv = match inv {
        Err(e) => {
            return vec![Finding::error(
                check,
                "IAM Identity Center",
                Text::same(e.to_string()),
            )];
        }
        Ok(i) => i,
    };
    if inv.instances.is_empty() {
        return vec![Finding::fail(
            check,
            format!("IAM Identity Center ({})", inv.region),
            text!(
                "no IAM Identity Center instance: staff do not sign in through SSO",
                "keine IAM-Identity-Center-Instanz: Mitarbeiter melden sich nicht über SSO an"
            ),
        )];
    }
    if inv.permission_sets.is_empty() {
        return vec![Finding::na(
            check,
            format!("IAM Identity Center ({})", inv.region),
            text!("no permission sets", "keine Berechtigungssätze"),
        )];
    }
    let max = u64::from(p.max_hours) * 3600;
    inv.permission_sets
        .iter()
        .map(|ps| {
            let resource = ps.arn.clone();
            match ps.session_duration.as_deref() {
                // The service default is one hour.
                None => Finding::pass(
                    check,
                    resource,
                    text!(
                        "no session duration set: the default of 1 hour applies",
                        "keine Sitzungsdauer gesetzt: es gilt der Standard von 1 Stunde"
                    ),
                ),
                Some(d) => match duration_secs(d) {
                    None => Finding::error(
                        check,
                        resource,
                        text!(
                            "session duration `{}` is not an ISO 8601 duration",
                            "Sitzungsdauer `{}` ist keine ISO-8601-Dauer",
                            d
                        ),
                    ),
                    Some(s) => Finding::verdict(
                        check,
                        resource,
                        s <= max,
                        text!(
                            "permission set {}: session duration {} ({}h{:02}m; at most {}h)",
                            "Berechtigungssatz {}: Sitzungsdauer {} ({} h {:02} min; höchstens {} h)",
                            ps.name,
                            d,
                            s / 3600,
                            s % 3600 / 60,
                            p.max_hours
                        ),
                    ),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tom::Status;

    #[test]
    fn iso_durations() {
        assert_eq!(duration_secs("PT8H"), Some(28800));
        assert_eq!(duration_secs("PT1H30M"), Some(5400));
        assert_eq!(duration_secs("PT3600S"), Some(3600));
        assert_eq!(duration_secs("3600"), None);
        assert_eq!(duration_secs("PT8"), None);
    }

    #[test]
    fn twelve_hours_fail_eight_pass() {
        let inv = SsoInventory {
            region: "eu-central-1".into(),
            instances: vec!["i".into()],
            permission_sets: vec![
                PermissionSet {
                    name: "a".into(),
                    session_duration: Some("PT8H".into()),
                    ..Default::default()
                },
                PermissionSet {
                    name: "b".into(),
                    session_duration: Some("PT12H".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let f = session_duration(
            "s",
            &SessionParams {
                max_hours: 8,
                identity_center_region: None,
            },
            &Ok(inv),
        );
        assert_eq!(
            f.iter().map(|f| f.status).collect::<Vec<_>>(),
            [Status::Pass, Status::Fail]
        );
    }
}
