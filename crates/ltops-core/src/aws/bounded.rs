//! One bound on every AWS call of a run in flight at once, whatever account,
//! region or check it serves: the fan-outs (accounts × checks × regions ×
//! resources) nest, so bounding each of them would multiply, not bound. The
//! bound sits in the HTTP layer every SDK client of the run shares, and the
//! hand-made Query calls take their permit from the same semaphore.

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use tokio::sync::Semaphore;

/// The permits of a run: at most this many AWS requests in flight.
pub type Permits = Arc<Semaphore>;

pub fn permits(limit: usize) -> Permits {
    Arc::new(Semaphore::new(limit.max(1)))
}

/// `sdk` with every request it sends holding one of `permits` until its
/// answer has arrived.
pub fn bounded(sdk: &SdkConfig, permits: &Permits) -> SdkConfig {
    let Some(inner) = sdk.http_client() else {
        return sdk.clone();
    };
    sdk.to_builder()
        .http_client(SharedHttpClient::new(Client {
            inner,
            permits: permits.clone(),
        }))
        .build()
}

#[derive(Debug)]
struct Client {
    inner: SharedHttpClient,
    permits: Permits,
}

impl HttpClient for Client {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(Connector {
            inner: self.inner.http_connector(settings, components),
            permits: self.permits.clone(),
        })
    }
}

#[derive(Debug)]
struct Connector {
    inner: SharedHttpConnector,
    permits: Permits,
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let permits = self.permits.clone();
        HttpConnectorFuture::new(async move {
            let _permit = permits
                .acquire_owned()
                .await
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_types::body::SdkBody;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A connector that answers after a while and counts what is in flight.
    #[derive(Debug, Default)]
    struct Slow {
        now: AtomicUsize,
        peak: AtomicUsize,
    }

    #[derive(Debug)]
    struct SlowRef(Arc<Slow>);

    impl HttpConnector for SlowRef {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            let s = self.0.clone();
            HttpConnectorFuture::new(async move {
                let n = s.now.fetch_add(1, Ordering::SeqCst) + 1;
                s.peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                s.now.fetch_sub(1, Ordering::SeqCst);
                Ok(HttpResponse::new(
                    200.try_into().expect("status"),
                    SdkBody::empty(),
                ))
            })
        }
    }

    #[tokio::test]
    async fn connectors_of_different_clients_share_one_bound() {
        let slow = Arc::new(Slow::default());
        let permits = permits(3);
        // Two "accounts", each with its own connector, one semaphore.
        let connectors: Vec<Connector> = (0..2)
            .map(|_| Connector {
                inner: SharedHttpConnector::new(SlowRef(slow.clone())),
                permits: permits.clone(),
            })
            .collect();
        let calls = (0..40).map(|i| connectors[i % 2].call(HttpRequest::empty()));
        for r in futures_util::future::join_all(calls).await {
            assert!(r.is_ok());
        }
        let peak = slow.peak.load(Ordering::SeqCst);
        assert!(peak <= 3 && peak > 1, "peak {peak}");
    }
}
