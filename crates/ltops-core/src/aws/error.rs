//! The one vocabulary for failed AWS calls: every `SdkError` becomes a one-line
//! `AwsError` that names the operation, the service's code and message, and the
//! fix where one is known. Never the SDK's `Debug` (raw headers and body).

use std::error::Error as StdError;
use std::fmt;

use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::{CredentialsError, TokenError};
pub use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::ErrorMetadata;
pub use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;

/// Why an AWS call failed, in the terms an operator can act on. `op` is the call,
/// e.g. `rds:DescribeDBClusters` (possibly followed by what it was about).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    /// Credentials or the SSO token are missing, expired or were rejected.
    #[error(
        "{op}: the AWS credentials are missing, expired or were rejected ({cause}) — run `ltops login`"
    )]
    Credentials { op: String, cause: String },
    /// The SSO portal signs this user in, but not into the profile's account and role.
    #[error(
        "{op}: the SSO portal gives you no access to the profile's account and role ({cause}) — ask for that permission set, or choose another --profile"
    )]
    NotAssigned { op: String, cause: String },
    /// Nothing answered, or not in time.
    #[error(
        "{op}: cannot reach AWS ({cause}) — check the network, --endpoint-url and AWS_ENDPOINT_URL"
    )]
    Unreachable { op: String, cause: String },
    /// The service says the thing asked for does not exist. Boxed: it is the
    /// largest variant, and every `Result` carrying an `AwsError` pays for it.
    #[error("{0}")]
    NotFound(Box<Missing>),
    /// The identity may not make this call.
    #[error("{op} was denied ({code}: {message}) — ask for a permission set that allows {action}")]
    Denied {
        op: String,
        action: String,
        code: String,
        message: String,
    },
    /// Any other answer of the service.
    #[error("{op}: {code}: {message}")]
    Service {
        op: String,
        code: String,
        message: String,
    },
    /// The request could not be built, or the answer not read.
    #[error("{op}: {cause}")]
    Other { op: String, cause: String },
}

/// A not-found answer, with what was looked for and where, once known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub op: String,
    pub code: String,
    pub message: String,
    /// e.g. "DB cluster `nope`"; without it the service's own words are shown.
    pub thing: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(thing) = &self.thing else {
            return write!(f, "{}: {}: {}", self.op, self.code, self.message);
        };
        write!(f, "no {thing}")?;
        if let Some(region) = &self.region {
            write!(f, " in {region}")?;
        }
        if let Some(account) = &self.account {
            write!(f, " of account {account}")?;
        }
        write!(f, " — check the name, --region and --profile")
    }
}

impl AwsError {
    /// The service's error code, when it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::NotFound(m) => Some(&m.code),
            AwsError::Denied { code, .. } | AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The answer "does not exist" for a lookup of one named thing: say which.
    /// `thing` is what an operator calls it, e.g. "DB cluster".
    pub fn missing(mut self, thing: &str, id: &str) -> AwsError {
        if let AwsError::NotFound(m) = &mut self {
            m.thing = Some(format!("{thing} `{id}`"));
        }
        self
    }

    /// A not-found error that names the region and the account it looked in. The
    /// account comes from the (cached) credentials: SSO credentials carry it.
    pub async fn located(mut self, sdk: &SdkConfig) -> AwsError {
        if let AwsError::NotFound(m) = &mut self {
            m.region = sdk.region().map(|r| r.as_ref().to_owned());
            if let Some(provider) = sdk.credentials_provider()
                && let Ok(creds) = provider.provide_credentials().await
            {
                m.account = creds.account_id().map(|a| a.as_str().to_owned());
            }
        }
        self
    }

    /// An answer that is not an SDK error (e.g. an empty list for a named lookup).
    pub fn not_found(op: &str, thing: &str, id: &str) -> AwsError {
        AwsError::NotFound(Box::new(Missing {
            op: op.to_owned(),
            code: "NotFound".into(),
            message: format!("no {thing} {id}"),
            thing: Some(format!("{thing} `{id}`")),
            region: None,
            account: None,
        }))
    }
}

/// Error codes that mean "your credentials are no good": the fix is to sign in.
const CREDENTIAL_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "InvalidToken",
    "SignatureDoesNotMatch",
    "UnauthorizedException",
    "TokenRefreshRequired",
];

/// Error codes that mean "you may not do this".
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "Forbidden",
];

fn is_not_found(code: &str) -> bool {
    code.ends_with("NotFound")
        || code.ends_with("NotFoundFault")
        || code.ends_with("NotFoundException")
        || code.starts_with("NoSuch")
}

/// Describes the failed call `op` (e.g. "sts:GetCallerIdentity").
pub fn describe<E, R>(op: &str, err: &SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: fmt::Debug + 'static,
{
    let op = op.to_owned();
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("UnknownError").to_owned();
            // Some services send no message; their error's Display says at least the kind.
            let message = e
                .message()
                .map(str::to_owned)
                .unwrap_or_else(|| e.to_string());
            classify(op, code, message)
        }
        SdkError::TimeoutError(_) => AwsError::Unreachable {
            op,
            cause: "no answer in time".into(),
        },
        SdkError::DispatchFailure(d) => match credential_cause(err) {
            Some(c) => c.into_error(op),
            None if d.is_io() || d.is_timeout() => AwsError::Unreachable {
                op,
                cause: cause_of(err),
            },
            None => AwsError::Other {
                op,
                cause: cause_of(err),
            },
        },
        _ => match credential_cause(err) {
            Some(c) => c.into_error(op),
            None => AwsError::Other {
                op,
                cause: cause_of(err),
            },
        },
    }
}

pub(crate) fn classify(op: String, code: String, message: String) -> AwsError {
    if CREDENTIAL_CODES.contains(&code.as_str()) {
        AwsError::Credentials {
            op,
            cause: format!("{code}: {message}"),
        }
    } else if DENIED_CODES.contains(&code.as_str()) {
        // The IAM action is the operation itself; `op` may carry what it was about.
        let action = op.split_whitespace().next().unwrap_or(&op).to_owned();
        AwsError::Denied {
            op,
            action,
            code,
            message,
        }
    } else if is_not_found(&code) {
        AwsError::NotFound(Box::new(Missing {
            op,
            code,
            message,
            thing: None,
            region: None,
            account: None,
        }))
    } else {
        AwsError::Service { op, code, message }
    }
}

/// What went wrong while getting credentials, if that is why the call failed.
struct CredentialCause {
    /// The SSO portal refused the account and role (ForbiddenException).
    not_assigned: bool,
    cause: String,
}

impl CredentialCause {
    fn into_error(self, op: String) -> AwsError {
        if self.not_assigned {
            AwsError::NotAssigned {
                op,
                cause: self.cause,
            }
        } else {
            AwsError::Credentials {
                op,
                cause: self.cause,
            }
        }
    }
}

fn credential_cause(err: &(dyn StdError + 'static)) -> Option<CredentialCause> {
    let mut found = false;
    let mut not_assigned = false;
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.is::<CredentialsError>() || e.is::<TokenError>() {
            found = true;
        }
        if let Some(meta) = e.downcast_ref::<ErrorMetadata>() {
            not_assigned |= meta.code() == Some("ForbiddenException");
        }
        cur = e.source();
    }
    found.then(|| CredentialCause {
        not_assigned,
        cause: cause_of(err),
    })
}

/// Wrapper texts of the SDK that say nothing about the cause.
const WRAPPERS: &[&str] = &[
    "service error",
    "dispatch failure",
    "failed to construct request",
    "response error",
    "request has timed out",
    "io error",
    "timeout",
    "user error",
    "other",
];

/// The cause as one line: each error of the source chain once, the SDK's wrapper
/// texts left out, error metadata as `code: message`. `DisplayErrorContext` is not
/// used because it appends the `Debug` form (raw headers and body) to the chain.
pub fn cause_of(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = match e.downcast_ref::<ErrorMetadata>() {
            Some(meta) => format!(
                "{}: {}",
                meta.code().unwrap_or("UnknownError"),
                meta.message().unwrap_or("no message")
            ),
            None => e.to_string(),
        };
        let text = text.trim().to_owned();
        let generic = WRAPPERS.contains(&text.as_str())
            || text.starts_with("unhandled error (")
            || text.is_empty();
        if !generic && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_rds::operation::describe_db_clusters::DescribeDBClustersError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::body::SdkBody;

    type Err = SdkError<DescribeDBClustersError, HttpResponse>;

    fn service(code: &str, message: &str) -> Err {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        let raw = HttpResponse::new(
            400.try_into().expect("status"),
            SdkBody::from("<ErrorResponse>raw body</ErrorResponse>"),
        );
        SdkError::service_error(DescribeDBClustersError::generic(meta), raw)
    }

    fn no_debug(s: &str) {
        for bad in [
            "{ ",
            "Some(",
            "SdkError",
            "ServiceError",
            "raw body",
            "headers",
        ] {
            assert!(!s.contains(bad), "{bad:?} in {s}");
        }
        assert!(!s.contains('\n'), "more than one line: {s}");
    }

    #[test]
    fn not_found_names_the_thing_region_and_account() {
        let mut e = describe(
            "rds:DescribeDBClusters",
            &service("DBClusterNotFoundFault", "DBCluster nope not found."),
        )
        .missing("DB cluster", "nope");
        if let AwsError::NotFound(m) = &mut e {
            m.region = Some("eu-central-1".into());
            m.account = Some("123456789012".into());
        }
        assert_eq!(
            e.to_string(),
            "no DB cluster `nope` in eu-central-1 of account 123456789012 — check the name, --region and --profile"
        );
    }

    #[test]
    fn an_unnamed_not_found_shows_code_and_message() {
        let e = describe(
            "rds:DescribeDBClusters",
            &service("DBClusterNotFoundFault", "DBCluster nope not found."),
        );
        assert_eq!(
            e.to_string(),
            "rds:DescribeDBClusters: DBClusterNotFoundFault: DBCluster nope not found."
        );
        no_debug(&e.to_string());
    }

    #[test]
    fn access_denied_names_the_action() {
        let e = describe(
            "rds:DescribeDBClusters in eu-west-1",
            &service(
                "AccessDenied",
                "User: x is not authorized to perform: rds:DescribeDBClusters",
            ),
        );
        let s = e.to_string();
        assert!(matches!(e, AwsError::Denied { .. }));
        assert!(
            s.ends_with("ask for a permission set that allows rds:DescribeDBClusters"),
            "{s}"
        );
        no_debug(&s);
    }

    #[test]
    fn expired_tokens_say_login() {
        let e = describe(
            "sts:GetCallerIdentity",
            &service(
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
        );
        assert!(matches!(e, AwsError::Credentials { .. }));
        assert!(e.to_string().ends_with("run `ltops login`"), "{e}");
    }

    #[test]
    fn a_refused_connection_is_unreachable_without_debug() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let e: Err = SdkError::dispatch_failure(ConnectorError::io(Box::new(io)));
        let d = describe("rds:DescribeDBClusters", &e);
        assert!(matches!(d, AwsError::Unreachable { .. }));
        let s = d.to_string();
        assert!(s.contains("(connection refused)"), "{s}");
        no_debug(&s);
    }

    #[test]
    fn a_credentials_failure_says_login() {
        let inner = CredentialsError::provider_error(
            ErrorMetadata::builder()
                .code("UnauthorizedException")
                .message("Session token not found or invalid")
                .build(),
        );
        let e: Err = SdkError::dispatch_failure(ConnectorError::other(Box::new(inner), None));
        let d = describe("sts:GetCallerIdentity", &e);
        let s = d.to_string();
        assert!(matches!(d, AwsError::Credentials { .. }), "{s}");
        assert!(
            s.contains("UnauthorizedException: Session token not found or invalid"),
            "{s}"
        );
        no_debug(&s);
    }

    #[test]
    fn a_forbidden_role_is_not_a_login_problem() {
        let inner = CredentialsError::provider_error(
            ErrorMetadata::builder()
                .code("ForbiddenException")
                .message("No access")
                .build(),
        );
        let e: Err = SdkError::dispatch_failure(ConnectorError::other(Box::new(inner), None));
        let d = describe("sts:GetCallerIdentity", &e);
        assert!(matches!(d, AwsError::NotAssigned { .. }), "{d}");
        no_debug(&d.to_string());
    }
}
