//! [`ConfigBuilder`]: every setting with its default; the setters, grouped by concern, live in
//! the submodules, and [`ConfigBuilder::build`] in `validate.rs`.

use std::sync::Arc;
use std::time::Duration;

use http::Method;

use super::SameSite;
use crate::config::TokenLocation;
use crate::config::UserLookups;
use crate::error::ErrorResponder;
use crate::keys::{KeyError, SigningKey, VerifyingKey};
use crate::revoke::RevocationStore;

mod app;
mod cookies;
mod csrf;
mod keys;
mod lifetimes;
mod locations;

/// Builds a [`Config`](crate::Config); every setter documents its default. [`ConfigBuilder::build`]
/// validates the combination.
///
/// ```
/// use std::time::Duration;
/// use authjwt::{Config, TokenLocation};
///
/// let config = Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .token_location([TokenLocation::Headers, TokenLocation::Cookies])
///     .access_expires(Duration::from_secs(15 * 60))
///     .refresh_expires(Duration::from_secs(30 * 24 * 3600))
///     .cookie_secure(false)
///     .build()?;
/// # Ok::<(), authjwt::ConfigError>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct ConfigBuilder {
    pub(super) signing: Option<Result<SigningKey, KeyError>>,
    pub(super) verifying: Vec<VerifyingKey>,
    pub(super) locations: Vec<TokenLocation>,
    pub(super) header_name: String,
    pub(super) header_type: String,
    pub(super) query_string_name: String,
    pub(super) json_key: String,
    pub(super) refresh_json_key: String,
    pub(super) access_expires: Option<Duration>,
    pub(super) refresh_expires: Option<Duration>,
    pub(super) max_token_lifetime: Option<Duration>,
    pub(super) refresh_reuse_window: Option<Duration>,
    pub(super) session_max_age: Option<Duration>,
    pub(super) leeway: u64,
    pub(super) allow_future_iat: bool,
    pub(super) issuer: Option<String>,
    pub(super) audience: Vec<String>,
    pub(super) max_token_len: usize,
    pub(super) allow_non_expiring: bool,
    pub(super) access_cookie_name: String,
    pub(super) refresh_cookie_name: String,
    pub(super) access_cookie_path: String,
    pub(super) refresh_cookie_path: String,
    pub(super) access_csrf_cookie_name: String,
    pub(super) refresh_csrf_cookie_name: String,
    pub(super) access_csrf_cookie_path: String,
    pub(super) refresh_csrf_cookie_path: String,
    pub(super) cookie_domain: Option<String>,
    pub(super) cookie_secure: bool,
    pub(super) cookie_http_only: bool,
    pub(super) cookie_samesite: SameSite,
    pub(super) cookie_max_age: Option<Duration>,
    pub(super) session_cookie: Option<bool>,
    pub(super) host_prefix: bool,
    pub(super) csrf_protect: bool,
    pub(super) csrf_in_cookies: bool,
    pub(super) allow_cookies_without_csrf: bool,
    pub(super) csrf_methods: Vec<Method>,
    pub(super) access_csrf_header: String,
    pub(super) refresh_csrf_header: String,
    pub(super) csrf_check_form: bool,
    pub(super) access_csrf_field: String,
    pub(super) refresh_csrf_field: String,
    pub(super) exempt_routes: Vec<String>,
    pub(super) origin_check: bool,
    pub(super) trusted_origins: Vec<String>,
    pub(super) allow_same_site: bool,
    pub(super) trusted_proxies: Vec<crate::proxy::TrustedProxy>,
    pub(super) body_limit: usize,
    pub(super) responder: Option<Arc<dyn ErrorResponder>>,
    pub(super) audit: Option<Arc<dyn crate::audit::AuditSink>>,
    pub(crate) users: UserLookups,
    pub(super) revocation: Option<Arc<dyn RevocationStore>>,
    pub(super) revocation_disabled: bool,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        Self {
            signing: None,
            verifying: Vec::new(),
            locations: vec![TokenLocation::Headers],
            header_name: "Authorization".into(),
            header_type: "Bearer".into(),
            query_string_name: "token".into(),
            json_key: "access_token".into(),
            refresh_json_key: "refresh_token".into(),
            access_expires: Some(Duration::from_secs(15 * 60)),
            refresh_expires: Some(Duration::from_secs(30 * 24 * 3600)),
            max_token_lifetime: None,
            refresh_reuse_window: None,
            session_max_age: None,
            leeway: 0,
            allow_future_iat: false,
            issuer: None,
            audience: Vec::new(),
            max_token_len: 8 * 1024,
            allow_non_expiring: false,
            access_cookie_name: "access_token_cookie".into(),
            refresh_cookie_name: "refresh_token_cookie".into(),
            access_cookie_path: "/".into(),
            refresh_cookie_path: "/".into(),
            access_csrf_cookie_name: "csrf_access_token".into(),
            refresh_csrf_cookie_name: "csrf_refresh_token".into(),
            access_csrf_cookie_path: "/".into(),
            refresh_csrf_cookie_path: "/".into(),
            cookie_domain: None,
            cookie_secure: true,
            cookie_http_only: true,
            cookie_samesite: SameSite::Lax,
            cookie_max_age: None,
            session_cookie: None,
            host_prefix: false,
            csrf_protect: true,
            csrf_in_cookies: true,
            allow_cookies_without_csrf: false,
            csrf_methods: vec![Method::POST, Method::PUT, Method::PATCH, Method::DELETE],
            access_csrf_header: "X-CSRF-TOKEN".into(),
            refresh_csrf_header: "X-CSRF-TOKEN".into(),
            csrf_check_form: false,
            access_csrf_field: "csrf_token".into(),
            refresh_csrf_field: "csrf_token".into(),
            exempt_routes: Vec::new(),
            origin_check: true,
            trusted_origins: Vec::new(),
            allow_same_site: false,
            trusted_proxies: Vec::new(),
            body_limit: 64 * 1024,
            responder: None,
            audit: None,
            users: UserLookups::default(),
            revocation: None,
            revocation_disabled: false,
        }
    }
}
