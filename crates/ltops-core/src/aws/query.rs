//! Signed calls in the AWS Query protocol (form-encoded POST, XML answer) for the
//! calls ltops makes without an SDK crate: `ec2:DescribeRegions` (aws-sdk-ec2 is
//! the largest SDK crate, minutes of build, for one call), `cloudwatch:DescribeAlarms`
//! (the current SDK speaks only rpc-v2-CBOR, which the lab's moto cannot answer,
//! while AWS still serves the Query protocol) and `sns:ListSubscriptionsByTopic`
//! (one call, not worth a crate) — plus one REST-XML GET, s3control's account-level
//! `GetPublicAccessBlock` (aws-sdk-s3control for one call).
//!
//! Signed with `aws-sigv4`, sent with hyper and rustls (ring) — the stack the SDK
//! already uses, so no second TLS or crypto library comes in.

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::error::{AwsError, classify};

/// A Query-protocol service: signing name, endpoint prefix, API version and the
/// suffix of its `AWS_ENDPOINT_URL_<…>` variable.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    pub signing_name: &'static str,
    pub endpoint_prefix: &'static str,
    pub version: &'static str,
    pub env_name: &'static str,
}

pub const EC2: Service = Service {
    signing_name: "ec2",
    endpoint_prefix: "ec2",
    version: "2016-11-15",
    env_name: "EC2",
};

pub const CLOUDWATCH: Service = Service {
    signing_name: "monitoring",
    endpoint_prefix: "monitoring",
    version: "2010-08-01",
    env_name: "CLOUDWATCH",
};

pub const SNS: Service = Service {
    signing_name: "sns",
    endpoint_prefix: "sns",
    version: "2010-03-31",
    env_name: "SNS",
};

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// One HTTP client for every Query call of a run (connections are reused).
#[derive(Clone)]
pub struct QueryClient {
    http: Client<Https, Full<Bytes>>,
    /// The run's one bound on AWS calls in flight, shared with the SDK clients.
    permits: Option<super::bounded::Permits>,
}

impl QueryClient {
    pub fn new() -> Result<QueryClient, AwsError> {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| AwsError::Other {
                op: "TLS set-up".into(),
                cause: e.to_string(),
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        Ok(QueryClient {
            http: Client::builder(TokioExecutor::new()).build(https),
            permits: None,
        })
    }

    /// Every call waits for one of `permits` (the run's global bound).
    pub fn bounded(mut self, permits: &super::bounded::Permits) -> QueryClient {
        self.permits = Some(permits.clone());
        self
    }

    /// Calls `action` of `service` in `region` with `sdk`'s credentials and
    /// returns the answer's XML. `op` names the call in errors
    /// (e.g. `ec2:DescribeRegions in account 1234…`).
    pub async fn call(
        &self,
        sdk: &SdkConfig,
        service: Service,
        region: &str,
        action: &str,
        params: &[(&str, &str)],
        op: &str,
    ) -> Result<Node, AwsError> {
        let url = endpoint(sdk, service, region);
        let mut body = format!("Action={action}&Version={}", service.version);
        for (k, v) in params {
            body.push('&');
            body.push_str(&form_escape(k));
            body.push('=');
            body.push_str(&form_escape(v));
        }
        let sign = Signing {
            sdk,
            name: service.signing_name,
            region,
            op,
            s3: false,
        };
        let request = self.signed(&sign, "POST", &url, &[], body).await?;
        self.send(request, op).await
    }

    /// Every page of a paged Query call: `NextToken` of `result` (the element
    /// under the response holding it) is sent back until there is none.
    pub async fn call_all(
        &self,
        sdk: &SdkConfig,
        service: Service,
        region: &str,
        action: &str,
        params: &[(&str, &str)],
        op: &str,
    ) -> Result<Vec<Node>, AwsError> {
        let mut pages = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut p: Vec<(&str, &str)> = params.to_vec();
            if let Some(t) = &token {
                p.push(("NextToken", t.as_str()));
            }
            let page = self.call(sdk, service, region, action, &p, op).await?;
            let next = page
                .find("NextToken")
                .map(|n| n.text.trim().to_owned())
                .filter(|t| !t.is_empty());
            pages.push(page);
            match next {
                // A service that repeats its token would loop forever.
                Some(t) if token.as_deref() != Some(t.as_str()) => token = Some(t),
                _ => return Ok(pages),
            }
        }
    }

    /// A signed REST GET of `url` (S3 signing rules); the answer's XML, or
    /// `None` when the service answers with the error code `absent`.
    pub async fn rest_get(
        &self,
        sdk: &SdkConfig,
        url: &str,
        headers: &[(&str, &str)],
        region: &str,
        absent: &str,
        op: &str,
    ) -> Result<Option<Node>, AwsError> {
        let sign = Signing {
            sdk,
            name: "s3",
            region,
            op,
            s3: true,
        };
        let request = self
            .signed(&sign, "GET", url, headers, String::new())
            .await?;
        match self.send(request, op).await {
            Err(e) if e.code() == Some(absent) => Ok(None),
            other => other.map(Some),
        }
    }

    async fn send(&self, request: http::Request<Full<Bytes>>, op: &str) -> Result<Node, AwsError> {
        let _permit = match &self.permits {
            Some(p) => Some(
                p.clone()
                    .acquire_owned()
                    .await
                    .map_err(|e| AwsError::Other {
                        op: op.into(),
                        cause: e.to_string(),
                    })?,
            ),
            None => None,
        };
        let send = self.http.request(request);
        let response = match tokio::time::timeout(Duration::from_secs(30), send).await {
            Err(_) => {
                return Err(AwsError::Unreachable {
                    op: op.into(),
                    cause: "no answer in time".into(),
                });
            }
            Ok(Err(e)) => {
                return Err(AwsError::Unreachable {
                    op: op.into(),
                    cause: super::error::cause_of(&e),
                });
            }
            Ok(Ok(r)) => r,
        };
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| AwsError::Unreachable {
                op: op.into(),
                cause: e.to_string(),
            })?
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        let doc = Node::parse(&text).map_err(|cause| AwsError::Other {
            op: op.into(),
            cause: format!("HTTP {status}, answer is not XML: {cause}"),
        })?;
        if status.is_success() {
            return Ok(doc);
        }
        // EC2: <Response><Errors><Error>; the others: <ErrorResponse><Error>; S3: <Error>.
        let error = doc.find("Error");
        let code = error
            .and_then(|e| e.text_of("Code"))
            .unwrap_or("UnknownError");
        let message = error
            .and_then(|e| e.text_of("Message"))
            .map_or_else(|| format!("HTTP {status}"), str::to_owned);
        Err(classify(op.to_owned(), code.to_owned(), message))
    }

    async fn signed(
        &self,
        how: &Signing<'_>,
        method: &str,
        url: &str,
        extra: &[(&str, &str)],
        body: String,
    ) -> Result<http::Request<Full<Bytes>>, AwsError> {
        let op = how.op;
        let other = |cause: String| AwsError::Other {
            op: op.into(),
            cause,
        };
        let provider = how
            .sdk
            .credentials_provider()
            .ok_or_else(|| AwsError::Credentials {
                op: op.into(),
                cause: "no credentials configured".into(),
            })?;
        let creds = provider
            .provide_credentials()
            .await
            .map_err(|e| AwsError::Credentials {
                op: op.into(),
                cause: super::error::cause_of(&e),
            })?;
        let identity = creds.into();
        let mut settings = SigningSettings::default();
        if how.s3 {
            // S3 (and s3control) sign the payload's digest as a header.
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(how.region)
            .name(how.name)
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| other(e.to_string()))?
            .into();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        if method == "POST" {
            headers.push(("content-type", content_type));
        }
        let signable = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| other(e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| other(e.to_string()))?
            .into_parts();
        let mut builder = http::Request::builder().method(method).uri(url);
        for (k, v) in &headers {
            builder = builder.header(*k, *v);
        }
        let mut request = builder
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| other(e.to_string()))?;
        instructions.apply_to_request_http1x(&mut request);
        Ok(request)
    }
}

/// How a request is signed: whose credentials, which signing name and region.
struct Signing<'a> {
    sdk: &'a SdkConfig,
    name: &'a str,
    region: &'a str,
    op: &'a str,
    s3: bool,
}

/// The endpoint as the SDK would choose it: `AWS_ENDPOINT_URL_<SERVICE>`, then
/// the configured endpoint URL (`--endpoint-url`, `AWS_ENDPOINT_URL`), then AWS's.
fn endpoint(sdk: &SdkConfig, service: Service, region: &str) -> String {
    match configured_endpoint(sdk, service.env_name) {
        Some(url) => format!("{url}/"),
        None => format!(
            "https://{}.{region}.amazonaws.com/",
            service.endpoint_prefix
        ),
    }
}

/// `AWS_ENDPOINT_URL_<env_name>`, then the configured endpoint URL, without a
/// trailing slash; `None`: AWS's own.
pub fn configured_endpoint(sdk: &SdkConfig, env_name: &str) -> Option<String> {
    let specific = std::env::var(format!("AWS_ENDPOINT_URL_{env_name}")).ok();
    specific
        .or_else(|| sdk.endpoint_url().map(str::to_owned))
        .map(|u| u.trim_end_matches('/').to_owned())
}

/// `application/x-www-form-urlencoded` as SigV4 expects it (RFC 3986 unreserved kept).
fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An XML element of an answer: its local name, its text and its children. The
/// answers are small (one page), so a tree is simpler than a streaming reader.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn parse(xml: &str) -> Result<Node, String> {
        use xmlparser::{ElementEnd, Token};
        let mut stack: Vec<Node> = vec![Node::default()];
        for token in xmlparser::Tokenizer::from(xml) {
            match token.map_err(|e| e.to_string())? {
                Token::ElementStart { local, .. } => stack.push(Node {
                    name: local.as_str().to_owned(),
                    ..Node::default()
                }),
                Token::ElementEnd { end, .. } => {
                    if matches!(end, ElementEnd::Open) {
                        continue;
                    }
                    let done = stack.pop().ok_or("unbalanced XML")?;
                    stack
                        .last_mut()
                        .ok_or("unbalanced XML")?
                        .children
                        .push(done);
                }
                Token::Text { text } | Token::Cdata { text, .. } => {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&unescape(text.as_str()));
                    }
                }
                _ => {}
            }
        }
        let root = stack.pop().ok_or("no XML")?;
        if !stack.is_empty() {
            return Err("the XML ends inside an element".into());
        }
        root.children
            .into_iter()
            .next()
            .ok_or_else(|| "no root element".into())
    }

    /// The direct children called `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the direct child `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// The first element called `name` at any depth (this one included).
    pub fn find(&self, name: &str) -> Option<&Node> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// The texts of the `member`/`item` children of the child `list`.
    pub fn list(&self, list: &str) -> Vec<String> {
        self.child(list)
            .map(|l| {
                l.children
                    .iter()
                    .map(|m| m.text.trim().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every enabled region of the account `sdk` acts in (`ec2:DescribeRegions`
/// without `AllRegions` lists exactly those), asked in `region`.
pub async fn enabled_regions(
    q: &QueryClient,
    sdk: &SdkConfig,
    region: &str,
    op: &str,
) -> Result<Vec<String>, AwsError> {
    let doc = q.call(sdk, EC2, region, "DescribeRegions", &[], op).await?;
    let info = doc.child("regionInfo").ok_or_else(|| AwsError::Other {
        op: op.into(),
        cause: "the answer has no regionInfo".into(),
    })?;
    let mut regions: Vec<String> = info
        .all("item")
        .filter_map(|i| i.text_of("regionName"))
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_ec2_answer_and_an_error() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>x</requestId>
  <regionInfo>
    <item><regionName>eu-central-1</regionName><optInStatus>opt-in-not-required</optInStatus></item>
    <item><regionName>ap-south-1</regionName></item>
  </regionInfo>
</DescribeRegionsResponse>"#;
        let n = Node::parse(xml).unwrap();
        assert_eq!(n.name, "DescribeRegionsResponse");
        let names: Vec<_> = n
            .child("regionInfo")
            .unwrap()
            .all("item")
            .filter_map(|i| i.text_of("regionName"))
            .collect();
        assert_eq!(names, ["eu-central-1", "ap-south-1"]);
        let err = Node::parse(
            "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>a &amp; b &#x41;</Message></Error></Errors></Response>",
        )
        .unwrap();
        let e = err.find("Error").unwrap();
        assert_eq!(e.text_of("Code"), Some("UnauthorizedOperation"));
        assert_eq!(e.text_of("Message"), Some("a & b A"));
        assert!(Node::parse("<a><b></a>").is_err());
    }

    #[test]
    fn form_escaping_keeps_unreserved() {
        assert_eq!(form_escape("a b/c~d"), "a%20b%2Fc~d");
    }
}
