//! Every setting, its default, the builder that validates them, and [`Config::from_env`]
//! with the `JWT_*` names of AuthX.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;

use crate::error::ErrorResponder;
use crate::keys::{Algorithm, KeySet, VerifyingKey};
use crate::revoke::RevocationStore;

mod builder;
mod env;
mod error;
mod settings;
mod users;
mod validate;

pub use builder::ConfigBuilder;
pub use env::SETTINGS_VARIABLES;
pub use error::ConfigError;
pub(crate) use settings::{CookieSettings, CsrfSettings, FullPath, OriginSettings};
pub use settings::{SameSite, TokenLocation};
pub(crate) use users::UserLookups;

/// The validated configuration. Build it with [`Config::builder`] or [`Config::from_env`].
///
/// Every field has a documented default, chosen to be safe; settings that weaken security
/// are marked ⚠️ and those that disable a defence are named `dangerous_*`.
///
/// ```
/// use authjwt::{Config, TokenLocation, config::SameSite};
///
/// let config = Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .token_location([TokenLocation::Cookies])
///     .cookie_secure(false) // local http only
///     .cookie_samesite(SameSite::Lax)
///     .build()?;
/// assert_eq!(config.access_cookie_name(), "access_token_cookie");
/// # Ok::<(), authjwt::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) keys: KeySet,
    pub(crate) algorithms: Vec<Algorithm>,
    /// The encoded headers this library writes, with the key each names (verification's
    /// fast path).
    pub(crate) known_headers: Vec<(String, VerifyingKey)>,
    /// The encoded header of the signing key, written into every new token.
    pub(crate) signing_header: String,
    pub(crate) locations: Vec<TokenLocation>,
    pub(crate) header_name: HeaderName,
    pub(crate) header_type: String,
    pub(crate) query_string_name: String,
    pub(crate) json_key: String,
    pub(crate) refresh_json_key: String,
    pub(crate) access_expires: Option<Duration>,
    pub(crate) refresh_expires: Option<Duration>,
    /// The longest lifetime any token may be created with; `None`: unbounded.
    pub(crate) max_token_lifetime: Option<Duration>,
    /// Milliseconds during which a rotated refresh token may be presented again and get the
    /// same successor (0: strict rotation).
    pub(crate) refresh_reuse_window_ms: u64,
    pub(crate) session_max_age: Option<Duration>,
    pub(crate) audit: Option<Arc<dyn crate::audit::AuditSink>>,
    pub(crate) leeway: u64,
    /// Tokens issued (`iat`) after now plus the leeway are accepted.
    pub(crate) allow_future_iat: bool,
    pub(crate) issuer: Option<String>,
    pub(crate) audience: Vec<String>,
    pub(crate) max_token_len: usize,
    pub(crate) allow_non_expiring: bool,
    pub(crate) cookies: CookieSettings,
    pub(crate) csrf: CsrfSettings,
    pub(crate) origin: OriginSettings,
    pub(crate) body_limit: usize,
    pub(crate) responder: Arc<dyn ErrorResponder>,
    pub(crate) users: UserLookups,
    pub(crate) revocation: Option<Arc<dyn RevocationStore>>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keys print as algorithm + kid only (their Debug redacts the material).
        f.debug_struct("Config")
            .field("keys", &self.keys)
            .field("locations", &self.locations)
            .field("header_name", &self.header_name)
            .field("access_expires", &self.access_expires)
            .field("refresh_expires", &self.refresh_expires)
            .field("max_token_lifetime", &self.max_token_lifetime)
            .field("leeway", &self.leeway)
            .field("allow_future_iat", &self.allow_future_iat)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("cookies", &self.cookies)
            .field("csrf", &self.csrf)
            .field("origin", &self.origin)
            .field("users", &self.users)
            .field("revocation", &self.revocation)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A builder with every default in place; only a key is required.
    ///
    /// ```
    /// use authjwt::{Config, TokenLocation};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// assert_eq!(config.token_location(), [TokenLocation::Headers]);
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Reads the `JWT_*` variables of AuthX (seed 002) from the process environment.
    ///
    /// | variable | form | default |
    /// |---|---|---|
    /// | `JWT_SECRET_KEY` | the HMAC secret, ≥ 32/48/64 bytes; or a PEM private key for RS/PS/ES/EdDSA | required |
    /// | `JWT_ALGORITHM` | `HS256` … `EdDSA` | `HS256` |
    /// | `JWT_TOKEN_LOCATION` | comma list or JSON list of `headers`, `cookies`, `query`, `json` | `headers` |
    /// | `JWT_ACCESS_TOKEN_EXPIRES` | seconds, or `false` for none | `900` |
    /// | `JWT_REFRESH_TOKEN_EXPIRES` | seconds, or `false` for none | `2592000` |
    /// | `JWT_COOKIE_SECURE` | `true`/`false` | `true` |
    /// | `JWT_COOKIE_HTTP_ONLY` | must be `true` | `true` |
    /// | `JWT_COOKIE_SAMESITE` | `lax`, `strict`, `none` | `lax` |
    /// | `JWT_COOKIE_DOMAIN` | a domain | unset |
    /// | `JWT_COOKIE_MAX_AGE` | seconds | unset (session cookie) |
    /// | `JWT_SESSION_COOKIE` | `true`/`false` | `true` |
    /// | `JWT_ACCESS_COOKIE_NAME`, `JWT_REFRESH_COOKIE_NAME` | names | `access_token_cookie`, `refresh_token_cookie` |
    /// | `JWT_ACCESS_COOKIE_PATH`, `JWT_REFRESH_COOKIE_PATH` | paths | `/` |
    /// | `JWT_COOKIE_CSRF_PROTECT` | `true`/`false` | `true` |
    /// | `JWT_CSRF_IN_COOKIES` | `true`/`false` | `true` |
    /// | `JWT_CSRF_METHODS` | comma or JSON list | `POST,PUT,PATCH,DELETE` |
    /// | `JWT_ACCESS_CSRF_COOKIE_NAME`, `JWT_REFRESH_CSRF_COOKIE_NAME` | names | `csrf_access_token`, `csrf_refresh_token` |
    /// | `JWT_ACCESS_CSRF_COOKIE_PATH`, `JWT_REFRESH_CSRF_COOKIE_PATH` | paths | `/` |
    /// | `JWT_ACCESS_CSRF_HEADER_NAME`, `JWT_REFRESH_CSRF_HEADER_NAME` | header names | `X-CSRF-TOKEN` |
    /// | `JWT_CSRF_CHECK_FORM` | `true`/`false` | `false` |
    /// | `JWT_ACCESS_CSRF_FIELD_NAME`, `JWT_REFRESH_CSRF_FIELD_NAME` | form fields | `csrf_token` |
    /// | `JWT_HEADER_NAME`, `JWT_HEADER_TYPE` | header name, scheme | `Authorization`, `Bearer` |
    /// | `JWT_QUERY_STRING_NAME` | parameter | `token` |
    /// | `JWT_JSON_KEY`, `JWT_REFRESH_JSON_KEY` | body keys | `access_token`, `refresh_token` |
    /// | `JWT_DECODE_LEEWAY` | seconds | `0` |
    /// | `JWT_ISSUER`, `JWT_AUDIENCE` | strings (audience: comma list) | unset |
    /// | `JWT_PRIVATE_KEY` | a PEM private key for RS*/PS*/ES*/EdDSA (or in `JWT_SECRET_KEY`) | unset |
    /// | `JWT_COOKIE_HOST_PREFIX` | `true`/`false`: the `__Host-` prefix on every cookie | `false` |
    ///
    /// Errors name the variable and the form it expects.
    ///
    /// ```
    /// // SAFETY of the example: single-threaded doctest.
    /// # unsafe { std::env::remove_var("JWT_SECRET_KEY"); }
    /// let err = authjwt::Config::from_env().unwrap_err();
    /// assert!(err.to_string().contains("JWT_SECRET_KEY"));
    /// ```
    pub fn from_env() -> Result<Config, ConfigError> {
        env::builder_from(|name| std::env::var(name).ok())?.build()
    }

    /// Like [`Config::from_env`], reading variables from `lookup` instead of the process
    /// environment (for tests, or a config file already loaded into a map).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// let vars = HashMap::from([
    ///     ("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
    ///     ("JWT_TOKEN_LOCATION", "cookies"),
    ///     ("JWT_COOKIE_SAMESITE", "strict"),
    /// ]);
    /// let config = authjwt::Config::from_lookup(|k| vars.get(k).map(|v| v.to_string()))?;
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        env::builder_from(lookup)?.build()
    }

    /// A builder pre-filled from the environment, to adjust before building.
    ///
    /// ```no_run
    /// // The JWT_* variables say what they say; the code adjusts the rest.
    /// let config = authjwt::Config::builder_from_env()?
    ///     .cookie_secure(false) // local http only
    ///     .build()?;
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn builder_from_env() -> Result<ConfigBuilder, ConfigError> {
        env::builder_from(|name| std::env::var(name).ok())
    }

    /// The keys.
    ///
    /// ```
    /// use authjwt::{Config, keys::{Algorithm, SigningKey}};
    /// let key = SigningKey::from_secret(Algorithm::HS384, &[7u8; 48])?.with_kid("2026-11");
    /// let config = Config::builder().signing_key(key).build()?;
    /// assert_eq!(config.keys().signing_key().kid(), Some("2026-11"));
    /// assert_eq!(config.keys().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The configured token locations, in the order they are tried.
    ///
    /// ```
    /// use authjwt::{Config, TokenLocation::{Cookies, Headers}};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([Cookies, Headers, Cookies])
    ///     .build()?;
    /// // Tried in this order; duplicates are dropped.
    /// assert_eq!(config.token_location(), [Cookies, Headers]);
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn token_location(&self) -> &[TokenLocation] {
        &self.locations
    }

    /// The access cookie's name (with the `__Host-` prefix when configured).
    ///
    /// ```
    /// use authjwt::{Config, TokenLocation};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .host_prefix(true)
    ///     .build()?;
    /// assert_eq!(config.access_cookie_name(), "__Host-access_token_cookie");
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn access_cookie_name(&self) -> &str {
        &self.cookies.access_name
    }

    /// The refresh cookie's name.
    ///
    /// ```
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .refresh_cookie_name("rt")
    ///     .build()?;
    /// assert_eq!(config.refresh_cookie_name(), "rt");
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn refresh_cookie_name(&self) -> &str {
        &self.cookies.refresh_name
    }

    /// The access CSRF cookie's name (what the front end reads with `document.cookie`).
    ///
    /// ```
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// // The front end reads this cookie and echoes its value in the CSRF header.
    /// assert_eq!(config.access_csrf_cookie_name(), "csrf_access_token");
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn access_csrf_cookie_name(&self) -> &str {
        &self.cookies.access_csrf_name
    }

    /// The refresh CSRF cookie's name.
    ///
    /// ```
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// assert_eq!(config.refresh_csrf_cookie_name(), "csrf_refresh_token");
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn refresh_csrf_cookie_name(&self) -> &str {
        &self.cookies.refresh_csrf_name
    }

    /// The header carrying the access CSRF value.
    ///
    /// ```
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .access_csrf_header_name("X-XSRF-TOKEN")
    ///     .build()?;
    /// assert_eq!(config.access_csrf_header_name(), "x-xsrf-token"); // header names are lowercase
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn access_csrf_header_name(&self) -> &HeaderName {
        &self.csrf.access_header
    }

    /// The header carrying the refresh CSRF value.
    ///
    /// ```
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// assert_eq!(config.refresh_csrf_header_name(), "x-csrf-token");
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn refresh_csrf_header_name(&self) -> &HeaderName {
        &self.csrf.refresh_header
    }

    /// The access token lifetime (`None`: tokens do not expire).
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .access_expires(Duration::from_secs(5 * 60))
    ///     .build()?;
    /// assert_eq!(config.access_expires(), Some(Duration::from_secs(300)));
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn access_expires(&self) -> Option<Duration> {
        self.access_expires
    }

    /// The refresh token lifetime.
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// assert_eq!(config.refresh_expires(), Some(Duration::from_secs(30 * 24 * 3600)));
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn refresh_expires(&self) -> Option<Duration> {
        self.refresh_expires
    }

    /// The longest lifetime a token may be created with (see
    /// [`ConfigBuilder::max_token_lifetime`]); `None` when there is no cap (by default, when
    /// the access or the refresh lifetime is unbounded).
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// // By default, the longest configured lifetime: the refresh token's 30 days.
    /// assert_eq!(config.max_token_lifetime(), Some(Duration::from_secs(30 * 24 * 3600)));
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn max_token_lifetime(&self) -> Option<Duration> {
        self.max_token_lifetime
    }

    /// Whether tokens carry a CSRF claim and cookie-borne tokens need the CSRF header.
    ///
    /// ```
    /// use authjwt::{Config, TokenLocation};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// // Headers only (the default): browsers never send them on their own, nothing to protect.
    /// assert!(!builder().build()?.csrf_protect());
    /// assert!(builder().token_location([TokenLocation::Cookies]).build()?.csrf_protect());
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn csrf_protect(&self) -> bool {
        self.csrf.protect && self.locations.contains(&TokenLocation::Cookies)
    }

    /// The refresh reuse window ([`ConfigBuilder::refresh_reuse_window`]).
    ///
    /// ```
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!").build()?;
    /// assert_eq!(config.refresh_reuse_window(), std::time::Duration::from_secs(30));
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn refresh_reuse_window(&self) -> Duration {
        Duration::from_millis(self.refresh_reuse_window_ms)
    }

    /// The absolute session lifetime ([`ConfigBuilder::session_max_age`]); `None`: sessions
    /// slide with each refresh.
    ///
    /// ```
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!").build()?;
    /// assert_eq!(config.session_max_age(), None);
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn session_max_age(&self) -> Option<Duration> {
        self.session_max_age
    }

    /// The error responder.
    ///
    /// ```
    /// use authjwt::{AuthError, Config, error::ErrorResponder};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// let resp = config.responder().respond(&AuthError::MissingToken);
    /// assert_eq!(resp.headers()["content-type"], "application/json");
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn responder(&self) -> &Arc<dyn ErrorResponder> {
        &self.responder
    }

    /// The revocation store, when revocation is on (the default).
    ///
    /// ```
    /// use authjwt::Config;
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// assert!(builder().build()?.revocation_store().is_some()); // a MemoryStore
    /// assert!(builder().disable_revocation().build()?.revocation_store().is_none());
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn revocation_store(&self) -> Option<&Arc<dyn RevocationStore>> {
        self.revocation.as_ref()
    }

    /// Until when a revocation of a token expiring at `exp` must be kept: the token still
    /// verifies during the leeway after `exp`, so its revocation must outlive that too.
    pub(crate) fn revocation_expiry(&self, exp: Option<u64>) -> u64 {
        exp.map_or(u64::MAX, |exp| exp.saturating_add(self.leeway))
    }

    /// How long a family or subject revocation must be remembered: until every token that
    /// could be affected has expired.
    /// Until when a revocation of a whole session or subject made now must be kept.
    pub(crate) fn session_revocation_until(&self) -> u64 {
        crate::claims::now().saturating_add(self.longest_lifetime())
    }

    pub(crate) fn longest_lifetime(&self) -> u64 {
        // A token without `exp` must stay revoked for good.
        let max = match self.max_token_lifetime {
            Some(max) if !self.allow_non_expiring => max.as_secs(),
            _ => u64::MAX / 4,
        };
        max.saturating_add(self.leeway)
    }

    /// Whether the request's route is exempt from the CSRF and Origin checks. Matched on the
    /// full path: adapters record it before a router strips a nesting prefix.
    pub(crate) fn is_csrf_exempt(&self, parts: &http::request::Parts) -> bool {
        if self.csrf.exempt_routes.is_empty() {
            return false;
        }
        let path = parts
            .extensions
            .get::<FullPath>()
            .map_or(parts.uri.path(), |p| &p.0);
        self.csrf.exempt_routes.iter().any(|r| r == path)
    }

    /// Whether adapters must record [`FullPath`] for this configuration.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn needs_full_path(&self) -> bool {
        !self.csrf.exempt_routes.is_empty()
    }
}
