//! Setters: What the application plugs in: body limit, error responder, user lookup, revocation store.

use std::sync::Arc;

use super::ConfigBuilder;
use crate::error::ErrorResponder;
use crate::revoke::RevocationStore;

impl ConfigBuilder {
    /// The largest body the adapters read to find a JSON token or a form CSRF field.
    /// Defaults to 64 KiB.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().body_limit(64);
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `body_limit`.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Where audit events go ([`AuditSink`](crate::audit::AuditSink)): logins, refreshes,
    /// replays inside the reuse window, reuse detected, logouts, sessions ended, revoke-all
    /// and rejections, each with the subject and session id where known and never token text.
    /// Unset, events go to `tracing` under the target `authjwt::audit`
    /// ([`TracingAudit`](crate::audit::TracingAudit)).
    ///
    /// ```
    /// use authjwt::audit::{AuditEvent, AuditSink};
    /// #[derive(Debug)]
    /// struct Count(std::sync::atomic::AtomicUsize);
    /// impl AuditSink for Count {
    ///     fn record(&self, _event: &AuditEvent<'_>) {
    ///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    ///     }
    /// }
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .audit(Count(Default::default()))
    ///     .build()?;
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn audit(mut self, sink: impl crate::audit::AuditSink) -> Self {
        self.audit = Some(Arc::new(sink));
        self
    }

    /// Renders rejections (for example as HTML). Defaults to [`JsonResponder`](crate::error::JsonResponder).
    ///
    /// ```
    /// # use authjwt::{Auth, AuthError, Config, ErrorResponder};
    /// # #[derive(Debug)]
    /// # struct PlainText;
    /// # impl ErrorResponder for PlainText {
    /// #     fn respond(&self, err: &AuthError) -> http::Response<bytes::Bytes> {
    /// #         let mut resp = http::Response::new(bytes::Bytes::from(err.code()));
    /// #         *resp.status_mut() = err.status();
    /// #         resp
    /// #     }
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .responder(PlainText) // see ErrorResponder
    ///     .build()?);
    /// let resp = auth.reject(AuthError::MissingToken).into_http_response();
    /// assert_eq!(resp.body().as_ref(), b"missing_token");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn responder(mut self, responder: impl ErrorResponder) -> Self {
        self.responder = Some(Arc::new(responder));
        self
    }

    /// Where revocations are kept and checked. Defaults to a new [`MemoryStore`](crate::revoke::MemoryStore); use
    /// [`redis::RedisStore`](crate::revoke::redis::RedisStore) to share them across instances.
    /// With revocation on, tokens without a `jti` are refused.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use authjwt::{Config, revoke::MemoryStore};
    /// let store = Arc::new(MemoryStore::new()); // keep a handle, e.g. for an admin endpoint
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .revocation_store(store.clone())
    ///     .build()?;
    /// assert!(config.revocation_store().is_some());
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn revocation_store(mut self, store: Arc<dyn RevocationStore>) -> Self {
        self.revocation = Some(store);
        self.revocation_disabled = false;
        self
    }

    /// ⚠️ No revocation at all: logout only clears cookies, and a copied token stays valid
    /// until it expires. Defaults to off (revocation with a [`MemoryStore`](crate::revoke::MemoryStore)).
    ///
    /// ```
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .disable_revocation()
    ///     .build()?;
    /// assert!(config.revocation_store().is_none());
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn disable_revocation(mut self) -> Self {
        self.revocation = None;
        self.revocation_disabled = true;
        self
    }
}
