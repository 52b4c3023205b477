//! Who is calling (STS GetCallerIdentity), classified, and the guard every mutating
//! command passes: only personal SSO identities whose permission set the config
//! allows may change anything (TOM §2: personal identity, short-lived tokens).

use aws_config::SdkConfig;
use serde::Serialize;

use super::error::{AwsError, describe};
use crate::settings::MutatingCommand;

/// The kind of principal behind the credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Principal {
    /// A person signed in through IAM Identity Center.
    SsoUser {
        permission_set: String,
        user: String,
        role_name: String,
    },
    /// Any other assumed role (CI, automation, cross-account).
    AssumedRole {
        role_name: String,
        session: String,
    },
    /// Long-lived IAM user keys.
    IamUser {
        name: String,
    },
    Root,
    Other,
}

impl Principal {
    pub fn label(&self) -> &'static str {
        match self {
            Principal::SsoUser { .. } => "SSO user",
            Principal::AssumedRole { .. } => "assumed role",
            Principal::IamUser { .. } => "IAM user",
            Principal::Root => "root",
            Principal::Other => "other principal",
        }
    }
}

/// The caller as STS reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub arn: String,
    pub account: String,
    pub user_id: String,
    pub principal: Principal,
}

/// The actor recorded in the audit log for an action the guard allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Actor {
    pub arn: String,
    pub user: String,
    pub account: String,
    pub permission_set: String,
}

/// Classifies an STS caller ARN. Permission-set names may contain `_`, so the role
/// name is split as `AWSReservedSSO_` + name + `_` + 16 hex digits from the right.
pub fn classify(arn: &str) -> Principal {
    let mut parts = arn.splitn(6, ':');
    let (
        Some("arn"),
        Some(_partition),
        Some(service),
        Some(_region),
        Some(_account),
        Some(resource),
    ) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    )
    else {
        return Principal::Other;
    };
    match service {
        "iam" if resource == "root" => Principal::Root,
        "iam" => match resource.strip_prefix("user/") {
            Some(path_and_name) => Principal::IamUser {
                name: path_and_name
                    .rsplit('/')
                    .next()
                    .unwrap_or(path_and_name)
                    .to_owned(),
            },
            None => Principal::Other,
        },
        "sts" => {
            let Some(rest) = resource.strip_prefix("assumed-role/") else {
                return Principal::Other;
            };
            let Some((role_name, session)) = rest.split_once('/') else {
                return Principal::Other;
            };
            match sso_permission_set(role_name) {
                Some(ps) => Principal::SsoUser {
                    permission_set: ps.to_owned(),
                    user: session.to_owned(),
                    role_name: role_name.to_owned(),
                },
                None => Principal::AssumedRole {
                    role_name: role_name.to_owned(),
                    session: session.to_owned(),
                },
            }
        }
        _ => Principal::Other,
    }
}

fn sso_permission_set(role_name: &str) -> Option<&str> {
    let rest = role_name.strip_prefix("AWSReservedSSO_")?;
    let (name, hash) = rest.rsplit_once('_')?;
    let is_hash = hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit());
    (is_hash && !name.is_empty()).then_some(name)
}

pub async fn caller_identity(sdk: &SdkConfig) -> Result<Identity, AwsError> {
    let out = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| describe("sts:GetCallerIdentity", &e))?;
    let arn = out.arn.unwrap_or_default();
    Ok(Identity {
        principal: classify(&arn),
        account: out.account.unwrap_or_default(),
        user_id: out.user_id.unwrap_or_default(),
        arn,
    })
}

/// Why the guard refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error(
        "`{command}` refuses {kind} credentials ({arn}): changes are made only by a personal AWS SSO identity — run `ltops login` with your SSO profile (--profile) instead of static keys or root"
    )]
    NotPersonal {
        command: MutatingCommand,
        kind: &'static str,
        arn: String,
    },
    #[error(
        "`{command}` is not allowed for permission set {permission_set} ({user}); the config allows: {allowed} — ask for one of those permission sets or fix `{key}` in the config"
    )]
    PermissionSet {
        command: MutatingCommand,
        permission_set: String,
        user: String,
        allowed: String,
        /// The config key that grants it.
        key: String,
    },
}

/// The identity guard: returns the audit actor if `identity` may run `command`.
pub fn authorize(
    identity: &Identity,
    command: MutatingCommand,
    allowed: &[String],
) -> Result<Actor, Denied> {
    match &identity.principal {
        Principal::SsoUser {
            permission_set,
            user,
            ..
        } => {
            if allowed.iter().any(|a| a == permission_set) {
                Ok(Actor {
                    arn: identity.arn.clone(),
                    user: user.clone(),
                    account: identity.account.clone(),
                    permission_set: permission_set.clone(),
                })
            } else {
                Err(Denied::PermissionSet {
                    command,
                    permission_set: permission_set.clone(),
                    user: user.clone(),
                    allowed: if allowed.is_empty() {
                        "nobody (no entry)".into()
                    } else {
                        allowed.join(", ")
                    },
                    key: if command == MutatingCommand::ApprovalsDecide {
                        "approvals.<command>.approvers".into()
                    } else {
                        format!("permissions.{command}")
                    },
                })
            }
        }
        other => Err(Denied::NotPersonal {
            command,
            kind: other.label(),
            arn: identity.arn.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSO: &str = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Ltops_Admin_0123456789abcdef/alice@leadtributor.cloud";

    fn identity(arn: &str) -> Identity {
        Identity {
            arn: arn.into(),
            account: "123456789012".into(),
            user_id: "AROA:alice".into(),
            principal: classify(arn),
        }
    }

    #[test]
    fn sso_user_with_underscore_in_permission_set() {
        assert_eq!(
            classify(SSO),
            Principal::SsoUser {
                permission_set: "Ltops_Admin".into(),
                user: "alice@leadtributor.cloud".into(),
                role_name: "AWSReservedSSO_Ltops_Admin_0123456789abcdef".into(),
            }
        );
    }

    #[test]
    fn other_principals() {
        assert_eq!(
            classify("arn:aws:iam::123456789012:user/ops/ci-deployer"),
            Principal::IamUser {
                name: "ci-deployer".into()
            }
        );
        assert_eq!(classify("arn:aws:iam::123456789012:root"), Principal::Root);
        assert_eq!(
            classify("arn:aws:sts::123456789012:assumed-role/Deployer/gh-actions"),
            Principal::AssumedRole {
                role_name: "Deployer".into(),
                session: "gh-actions".into()
            }
        );
        // A role that merely looks like an SSO role but lacks the hash is not one.
        assert!(matches!(
            classify("arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin/x"),
            Principal::AssumedRole { .. }
        ));
        assert_eq!(
            classify("arn:aws-eusc:sts::1:federated-user/x"),
            Principal::Other
        );
        assert_eq!(classify("not an arn"), Principal::Other);
    }

    #[test]
    fn guard_allows_configured_permission_set() {
        let actor = authorize(
            &identity(SSO),
            MutatingCommand::TenantErase,
            &["Ltops_Admin".into()],
        )
        .unwrap();
        assert_eq!(actor.user, "alice@leadtributor.cloud");
        assert_eq!(actor.permission_set, "Ltops_Admin");
    }

    #[test]
    fn guard_refuses_other_permission_sets_and_static_keys() {
        let e = authorize(
            &identity(SSO),
            MutatingCommand::TenantErase,
            &["DPO".into()],
        )
        .unwrap_err();
        assert!(e.to_string().contains("allows: DPO"), "{e}");
        let e = authorize(&identity(SSO), MutatingCommand::TenantErase, &[]).unwrap_err();
        assert!(e.to_string().contains("nobody"), "{e}");
        for arn in [
            "arn:aws:iam::123456789012:user/ci-deployer",
            "arn:aws:iam::123456789012:root",
            "arn:aws:sts::123456789012:assumed-role/Deployer/x",
        ] {
            let e = authorize(
                &identity(arn),
                MutatingCommand::AuditInit,
                &["Admin".into()],
            )
            .unwrap_err();
            assert!(matches!(e, Denied::NotPersonal { .. }), "{arn}");
        }
    }
}
