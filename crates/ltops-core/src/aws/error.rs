//! Turns SDK errors into messages that name the cause and the fix. The SDK's plain
//! `Display` hides the cause ("dispatch failure"), so the whole chain is rendered.

use std::error::Error as StdError;

use aws_smithy_types::error::display::DisplayErrorContext;

/// Why an AWS call failed, in the terms an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error(
        "{what}: AWS credentials are missing or expired — run `ltops login`\n  cause: {detail}"
    )]
    Credentials { what: String, detail: String },
    #[error(
        "{what}: cannot reach AWS ({detail}) — check the network, --endpoint-url and AWS_ENDPOINT_URL"
    )]
    Unreachable { what: String, detail: String },
    #[error("{what}: {detail}")]
    Service { what: String, detail: String },
}

/// Describes `err` from the call `what` (e.g. "sts:GetCallerIdentity").
pub fn describe<E>(what: &str, err: &E) -> AwsError
where
    E: StdError + 'static,
{
    let detail = DisplayErrorContext(err).to_string();
    let lower = detail.to_ascii_lowercase();
    let what = what.to_owned();
    if lower.contains("credentials")
        || lower.contains("sso token")
        || lower.contains("unauthorizedexception")
        || lower.contains("expiredtoken")
        || lower.contains("session token")
    {
        AwsError::Credentials { what, detail }
    } else if lower.contains("dispatch failure")
        || lower.contains("connection refused")
        || lower.contains("dns error")
        || lower.contains("timed out")
        || lower.contains("timeout")
    {
        AwsError::Unreachable { what, detail }
    } else {
        AwsError::Service { what, detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("the SSO token expired")]
    struct Inner;

    #[test]
    fn the_cause_decides_the_hint() {
        let e = describe("sts:GetCallerIdentity", &Outer(Inner));
        assert!(matches!(e, AwsError::Credentials { .. }));
        assert!(e.to_string().contains("run `ltops login`"));
        assert!(e.to_string().contains("the SSO token expired"), "{e}");
    }
}
