//! Every setting, its default, the builder that validates them, and [`Config::from_env`]
//! with the `JWT_*` names of AuthX.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, Method};

use crate::error::{ErrorResponder, JsonResponder};
use crate::keys::{Algorithm, KeyError, KeySet, SigningKey, VerifyingKey};
use crate::locate::TokenLocation;
use crate::revoke::{MemoryStore, RevocationStore};
use crate::user::{UserLookup, UserLookups};

mod env;

/// The `SameSite` attribute of the cookies.
///
/// ```
/// use authjwt::SameSite;
/// assert_eq!("lax".parse::<SameSite>().unwrap(), SameSite::Lax);
/// assert!("sometimes".parse::<SameSite>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent on same-site requests and top-level cross-site navigations with safe methods.
    Lax,
    /// Sent on same-site requests only.
    Strict,
    /// ⚠️ Sent on every request; requires `Secure`. Relies entirely on CSRF protection.
    None,
}

impl std::str::FromStr for SameSite {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "lax" => Ok(Self::Lax),
            "strict" => Ok(Self::Strict),
            "none" => Ok(Self::None),
            _ => Err(()),
        }
    }
}

/// The configuration is invalid. Each variant says what to change.
///
/// ```
/// use authjwt::{Config, ConfigError, SameSite};
/// let err = Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .cookie_samesite(SameSite::None)
///     .cookie_secure(false)
///     .build()
///     .unwrap_err();
/// assert_eq!(err, ConfigError::SameSiteNoneWithoutSecure);
/// assert!(err.to_string().contains("enable cookie_secure"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No signing key was given.
    #[error(
        "no signing key: call ConfigBuilder::secret(...) or ::signing_key(...), \
         or set JWT_SECRET_KEY"
    )]
    MissingKey,
    /// A key could not be built.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A verification key has no `kid`, so no token could ever select it.
    #[error(
        "a verifying key needs a kid: tokens select retired keys by the kid in their header \
         (VerifyingKey::with_kid)"
    )]
    VerifyingKeyWithoutKid,
    /// Two keys share a `kid`.
    #[error("the kid {0:?} is used by two keys; every key needs its own kid")]
    DuplicateKid(String),
    /// `SameSite=None` without `Secure`: browsers reject such cookies.
    #[error(
        "SameSite=None requires Secure cookies (browsers reject the cookie otherwise): \
         enable cookie_secure or choose SameSite=Lax/Strict"
    )]
    SameSiteNoneWithoutSecure,
    /// The `__Host-` prefix demands `Secure`, `Path=/` and no `Domain`.
    #[error(
        "the __Host- cookie prefix requires Secure, Path=/ and no Domain ({0}); \
         fix that setting or turn host_prefix off"
    )]
    HostPrefix(&'static str),
    /// JWT cookies must be HttpOnly.
    #[error(
        "HttpOnly cannot be turned off for the JWT cookies: scripts would be able to steal \
         the tokens. Remove JWT_COOKIE_HTTP_ONLY=false (the CSRF cookies are readable already)"
    )]
    HttpOnlyOff,
    /// Cookies are a token location but CSRF protection is off.
    #[error(
        "cookies are a token location but CSRF protection is off, which lets any site make \
         authenticated requests: enable cookie_csrf_protect, or call \
         ConfigBuilder::dangerous_allow_cookies_without_csrf() if another defence covers it"
    )]
    CookiesWithoutCsrf,
    /// No token location was configured.
    #[error("token_location is empty: list at least one of headers, cookies, query, json")]
    NoLocation,
    /// Two cookies share a name.
    #[error("cookie names must be distinct, but {0:?} is used twice")]
    DuplicateCookieName(String),
    /// A cookie name is not a valid RFC 6265 token.
    #[error("{0:?} is not a valid cookie name (use letters, digits and !#$%&'*+-.^_`|~)")]
    InvalidCookieName(String),
    /// A cookie path or domain contains characters not allowed in a Set-Cookie attribute.
    #[error("{0:?} is not a valid cookie {1}")]
    InvalidCookieAttribute(String, &'static str),
    /// A header name is invalid.
    #[error("{0:?} is not a valid HTTP header name")]
    InvalidHeaderName(String),
    /// A non-expiring token was requested but not allowed.
    #[error(
        "tokens without expiry are refused: set an expiry, or call \
         ConfigBuilder::dangerous_allow_non_expiring_tokens()"
    )]
    NonExpiringTokens,
    /// The longest token lifetime allowed is shorter than a configured one.
    #[error(
        "max_token_lifetime ({max:?}) is shorter than the configured access or refresh \
         lifetime ({longest:?}): raise it, or shorten those"
    )]
    MaxLifetimeTooShort {
        /// The `max_token_lifetime` given.
        max: Duration,
        /// The longest configured lifetime.
        longest: Duration,
    },
    /// The refresh reuse window is longer than 300 s or not shorter than the refresh
    /// token's lifetime.
    #[error(
        "refresh_reuse_window ({window:?}) must be at most 300 s and shorter than the refresh \
         token lifetime: a few seconds cover parallel tabs and retries (default 30 s)"
    )]
    ReuseWindowTooLong {
        /// The window given.
        window: Duration,
    },
    /// Both a session cookie and a Max-Age were asked for.
    #[error(
        "session_cookie(true) and cookie_max_age(...) contradict each other: a session \
         cookie has no Max-Age. Choose one"
    )]
    SessionCookieWithMaxAge,
    /// An environment variable has a value of the wrong form.
    #[error("{var}: expected {expected}")]
    Env {
        /// The variable's name.
        var: &'static str,
        /// The expected form.
        expected: &'static str,
    },
}

/// The validated configuration. Build it with [`Config::builder`] or [`Config::from_env`].
///
/// Every field has a documented default, chosen to be safe; settings that weaken security
/// are marked ⚠️ and those that disable a defence are named `dangerous_*`.
///
/// ```
/// use authjwt::{Config, TokenLocation, SameSite};
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

/// The request path as it arrived, before any router stripped a nesting prefix.
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) struct FullPath(pub(crate) Box<str>);

/// Cookie names and attributes.
#[derive(Debug, Clone)]
pub(crate) struct CookieSettings {
    pub(crate) access_name: String,
    pub(crate) refresh_name: String,
    pub(crate) access_path: String,
    pub(crate) refresh_path: String,
    pub(crate) access_csrf_name: String,
    pub(crate) refresh_csrf_name: String,
    pub(crate) access_csrf_path: String,
    pub(crate) refresh_csrf_path: String,
    pub(crate) domain: Option<String>,
    pub(crate) secure: bool,
    pub(crate) samesite: SameSite,
    pub(crate) max_age: Option<Duration>,
    pub(crate) session: bool,
}

/// Double-submit settings.
#[derive(Debug, Clone)]
pub(crate) struct CsrfSettings {
    pub(crate) protect: bool,
    pub(crate) in_cookies: bool,
    pub(crate) methods: Vec<Method>,
    pub(crate) access_header: HeaderName,
    pub(crate) refresh_header: HeaderName,
    pub(crate) check_form: bool,
    pub(crate) access_field: String,
    pub(crate) refresh_field: String,
    pub(crate) exempt_routes: Vec<String>,
}

/// Origin / Sec-Fetch-Site settings.
#[derive(Debug, Clone)]
pub(crate) struct OriginSettings {
    pub(crate) enabled: bool,
    pub(crate) trusted: Vec<String>,
    pub(crate) allow_same_site: bool,
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
    /// use authjwt::{Algorithm, Config, SigningKey};
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

    /// The error responder.
    ///
    /// ```
    /// use authjwt::{AuthError, Config, ErrorResponder};
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

/// Builds a [`Config`]; every setter documents its default. [`ConfigBuilder::build`]
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
    signing: Option<Result<SigningKey, KeyError>>,
    verifying: Vec<VerifyingKey>,
    locations: Vec<TokenLocation>,
    header_name: String,
    header_type: String,
    query_string_name: String,
    json_key: String,
    refresh_json_key: String,
    access_expires: Option<Duration>,
    refresh_expires: Option<Duration>,
    max_token_lifetime: Option<Duration>,
    refresh_reuse_window: Option<Duration>,
    leeway: u64,
    allow_future_iat: bool,
    issuer: Option<String>,
    audience: Vec<String>,
    max_token_len: usize,
    allow_non_expiring: bool,
    access_cookie_name: String,
    refresh_cookie_name: String,
    access_cookie_path: String,
    refresh_cookie_path: String,
    access_csrf_cookie_name: String,
    refresh_csrf_cookie_name: String,
    access_csrf_cookie_path: String,
    refresh_csrf_cookie_path: String,
    cookie_domain: Option<String>,
    cookie_secure: bool,
    cookie_http_only: bool,
    cookie_samesite: SameSite,
    cookie_max_age: Option<Duration>,
    session_cookie: Option<bool>,
    host_prefix: bool,
    csrf_protect: bool,
    csrf_in_cookies: bool,
    allow_cookies_without_csrf: bool,
    csrf_methods: Vec<Method>,
    access_csrf_header: String,
    refresh_csrf_header: String,
    csrf_check_form: bool,
    access_csrf_field: String,
    refresh_csrf_field: String,
    exempt_routes: Vec<String>,
    origin_check: bool,
    trusted_origins: Vec<String>,
    allow_same_site: bool,
    body_limit: usize,
    responder: Option<Arc<dyn ErrorResponder>>,
    users: UserLookups,
    revocation: Option<Arc<dyn RevocationStore>>,
    revocation_disabled: bool,
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
            body_limit: 64 * 1024,
            responder: None,
            users: UserLookups::default(),
            revocation: None,
            revocation_disabled: false,
        }
    }
}

impl ConfigBuilder {
    /// Signs and verifies with HS256 and this secret (at least 32 bytes). Use
    /// [`ConfigBuilder::signing_key`] for another algorithm or a `kid`.
    ///
    /// ```
    /// use authjwt::{Algorithm, Config};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// assert_eq!(config.keys().signing_key().algorithm(), Algorithm::HS256);
    /// // A shorter secret is refused when the configuration is built.
    /// assert!(Config::builder().secret(b"too short").build().is_err());
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.signing = Some(SigningKey::from_secret(Algorithm::HS256, secret.as_ref()));
        self
    }

    /// The key that signs new tokens (and verifies them). Required, unless
    /// [`ConfigBuilder::secret`] is used.
    ///
    /// ```
    /// use authjwt::{Algorithm, Config, SigningKey};
    /// let pem = include_bytes!("../tests/keys/ec256_private.pem");
    /// let key = SigningKey::from_pem(Algorithm::ES256, pem)?.with_kid("2026-11");
    /// let config = Config::builder().signing_key(key).build()?;
    /// assert_eq!(config.keys().signing_key().algorithm(), Algorithm::ES256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing = Some(Ok(key));
        self
    }

    /// Adds a key that only verifies (for example the previous signing key while tokens it
    /// signed are still alive). It must have a `kid`.
    ///
    /// ```
    /// use authjwt::{Algorithm::HS256, Auth, Config, SigningKey, VerifyingKey};
    /// use authjwt::{NoCustomClaims, TokenType};
    /// # let retired = SigningKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10");
    /// # let old = Auth::new(Config::builder().signing_key(retired).build()?);
    /// let token = old.create_access_token("user1")?; // signed with the retired key
    /// let auth = Auth::new(Config::builder()
    ///     .signing_key(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"))
    ///     .verifying_key(VerifyingKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10"))
    ///     .build()?);
    /// assert!(auth.verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verifying_key(mut self, key: VerifyingKey) -> Self {
        self.verifying.push(key);
        self
    }

    /// Where tokens are looked for, in order. Defaults to `[Headers]` (AuthX's default).
    ///
    /// ```
    /// use authjwt::{Config, TokenLocation};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Headers, TokenLocation::Cookies])
    ///     .build()?;
    /// assert_eq!(config.token_location(), [TokenLocation::Headers, TokenLocation::Cookies]);
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn token_location(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.locations = locations.into_iter().collect();
        self
    }

    /// The header carrying the token. Defaults to `Authorization`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, NoCustomClaims, Protection};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .header_name("X-Api-Token")
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let req = http::Request::get("/").header("x-api-token", format!("Bearer {token}"));
    /// let (parts, _) = req.body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn header_name(mut self, name: impl Into<String>) -> Self {
        self.header_name = name.into();
        self
    }

    /// The scheme before the token in that header, matched case-insensitively; empty for a
    /// bare token. Defaults to `Bearer`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, NoCustomClaims, Protection};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .header_type("") // `Authorization: <token>`, without a scheme
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let req = http::Request::get("/").header("authorization", token.as_str());
    /// let (parts, _) = req.body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn header_type(mut self, scheme: impl Into<String>) -> Self {
        self.header_type = scheme.into();
        self
    }

    /// The query-string parameter. Defaults to `token`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, NoCustomClaims, Protection, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Query])
    ///     .query_string_name("jwt")
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let req = http::Request::get(format!("/download?jwt={token}"));
    /// let (parts, _) = req.body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn query_string_name(mut self, name: impl Into<String>) -> Self {
        self.query_string_name = name.into();
        self
    }

    /// The JSON body key of access tokens. Defaults to `access_token`.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
    /// # use axum::{Router, routing::post};
    /// # use tower::ServiceExt;
    /// # fn json(body: String) -> http::Request<axum::body::Body> {
    /// #     http::Request::post("/").header("content-type", "application/json")
    /// #         .header("content-length", body.len()).body(body.into()).unwrap()
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Json])
    ///     .json_key("jwt")
    ///     .build()?);
    /// let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
    /// let app = app.layer(auth.layer()); // the layer reads the key from JSON bodies
    /// let body = format!(r#"{{"jwt":"{}"}}"#, auth.create_access_token("user1")?);
    /// assert_eq!(app.oneshot(json(body)).await?.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn json_key(mut self, key: impl Into<String>) -> Self {
        self.json_key = key.into();
        self
    }

    /// The JSON body key of refresh tokens. Defaults to `refresh_token`.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenLocation, axum::RefreshToken};
    /// # use axum::{Router, routing::post};
    /// # use tower::ServiceExt;
    /// # fn json(body: String) -> http::Request<axum::body::Body> {
    /// #     http::Request::post("/refresh").header("content-type", "application/json")
    /// #         .header("content-length", body.len()).body(body.into()).unwrap()
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Json])
    ///     .refresh_json_key("refresh")
    ///     .build()?);
    /// let app: Router = Router::new().route("/refresh", post(|_: RefreshToken| async {}));
    /// let app = app.layer(auth.layer());
    /// let body = format!(r#"{{"refresh":"{}"}}"#, auth.create_refresh_token("user1")?);
    /// assert_eq!(app.oneshot(json(body)).await?.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn refresh_json_key(mut self, key: impl Into<String>) -> Self {
        self.refresh_json_key = key.into();
        self
    }

    /// Access token lifetime. Defaults to 15 minutes.
    ///
    /// ```
    /// use std::time::Duration;
    /// let auth = authjwt::Auth::new(authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .access_expires(Duration::from_secs(5 * 60))
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert_eq!(token.expires_at(), Some(token.issued_at() + 300));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_expires(mut self, d: Duration) -> Self {
        self.access_expires = Some(d);
        self
    }

    /// Refresh token lifetime. Defaults to 30 days.
    ///
    /// ```
    /// use std::time::Duration;
    /// let auth = authjwt::Auth::new(authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .refresh_expires(Duration::from_secs(7 * 24 * 3600))
    ///     .build()?);
    /// let token = auth.create_refresh_token("user1")?;
    /// assert_eq!(token.expires_at(), Some(token.issued_at() + 7 * 24 * 3600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_expires(mut self, d: Duration) -> Self {
        self.refresh_expires = Some(d);
        self
    }

    /// ⚠️ Access tokens without `exp`. Requires
    /// [`ConfigBuilder::dangerous_allow_non_expiring_tokens`].
    ///
    /// ```
    /// use authjwt::{Auth, Config, ConfigError};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// let refused = builder().access_never_expires().build();
    /// assert_eq!(refused.unwrap_err(), ConfigError::NonExpiringTokens);
    /// let config = builder().access_never_expires().dangerous_allow_non_expiring_tokens();
    /// let auth = Auth::new(config.build()?);
    /// assert_eq!(auth.create_access_token("service")?.expires_at(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_never_expires(mut self) -> Self {
        self.access_expires = None;
        self
    }

    /// ⚠️ Refresh tokens without `exp`. Requires
    /// [`ConfigBuilder::dangerous_allow_non_expiring_tokens`].
    ///
    /// ```
    /// use authjwt::{Auth, Config, ConfigError};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// let refused = builder().refresh_never_expires().build();
    /// assert_eq!(refused.unwrap_err(), ConfigError::NonExpiringTokens);
    /// let config = builder().refresh_never_expires().dangerous_allow_non_expiring_tokens();
    /// let auth = Auth::new(config.build()?);
    /// assert_eq!(auth.create_refresh_token("device")?.expires_at(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_never_expires(mut self) -> Self {
        self.refresh_expires = None;
        self
    }

    /// The longest lifetime a token may be created with, for
    /// [`TokenOptions::expires_in`](crate::TokenOptions::expires_in) beyond the configured
    /// lifetimes. Defaults to the longest configured lifetime; it may not be shorter.
    ///
    /// Revocations of a whole login (logout, refresh reuse) or subject
    /// ([`Auth::revoke_all`](crate::Auth::revoke_all)) are kept this long (plus the leeway),
    /// so that no token can outlive them: a longer custom lifetime is refused at creation
    /// rather than silently escaping a revocation. With
    /// [`ConfigBuilder::dangerous_allow_non_expiring_tokens`] those revocations are kept for
    /// good instead (a token without `exp` must stay revoked), and the store grows with every
    /// logout. Tokens minted before the cap was lowered keep their longer lifetime.
    ///
    /// ```
    /// use std::time::Duration;
    /// use authjwt::{Auth, Config, TokenError, TokenOptions, TokenType::Access};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// let year = TokenOptions::new().expires_in(Duration::from_secs(365 * 24 * 3600));
    /// let default = Auth::new(builder().build()?); // at most 30 days, the refresh lifetime
    /// let refused = default.create_token(Access, "service", year.clone());
    /// assert!(matches!(refused, Err(TokenError::LifetimeTooLong { .. })));
    /// let long = Auth::new(builder().max_token_lifetime(Duration::from_secs(400 * 24 * 3600)).build()?);
    /// assert!(long.create_token(Access, "service", year).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_token_lifetime(mut self, d: Duration) -> Self {
        self.max_token_lifetime = Some(d);
        self
    }

    /// How long after a refresh token's first rotation it may be presented again and still
    /// answer with the *same* successor (the same refresh token value and CSRF values, and a
    /// valid access token of the same session). Defaults to 30 seconds, capped below half the
    /// refresh lifetime when that is shorter; `Duration::ZERO` is strict rotation (any second
    /// presentation ends the session). At most 300 s and shorter than the refresh lifetime.
    ///
    /// Two open tabs, a page firing several requests after its access token expired, and a
    /// retry after a lost response all present the same refresh token more than once. With a
    /// window they all succeed and the session goes on as one chain; without it every such
    /// race ends the session. Presenting the token after the window, or an older token of the
    /// chain at any time, still ends the whole session with `refresh_token_reused`. What the
    /// window gives a thief: within those seconds a stolen token only yields the same chain as
    /// the user's, which is ended at the next divergence.
    ///
    /// ```
    /// use std::time::Duration;
    /// use authjwt::{Config, ConfigError};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// assert_eq!(builder().build()?.refresh_reuse_window(), Duration::from_secs(30));
    /// let strict = builder().refresh_reuse_window(Duration::ZERO).build()?;
    /// assert_eq!(strict.refresh_reuse_window(), Duration::ZERO);
    /// let too_long = builder().refresh_reuse_window(Duration::from_secs(600)).build();
    /// assert!(matches!(too_long, Err(ConfigError::ReuseWindowTooLong { .. })));
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn refresh_reuse_window(mut self, window: Duration) -> Self {
        self.refresh_reuse_window = Some(window);
        self
    }

    /// ⚠️ **Dangerous**: accept and create tokens without `exp`. A stolen non-expiring token
    /// works until its key is rotated or it is revoked.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenOptions, TokenType};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .dangerous_allow_non_expiring_tokens()
    ///     .build()?);
    /// let opts = TokenOptions::new().never_expires();
    /// let token = auth.create_token(TokenType::Access, "service", opts)?;
    /// assert_eq!(token.expires_at(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_allow_non_expiring_tokens(mut self) -> Self {
        self.allow_non_expiring = true;
        self
    }

    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. Defaults to `0`.
    ///
    /// ```
    /// use authjwt::{Auth, AuthError, Config, NoCustomClaims, TokenOptions, TokenType::Access};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// let strict = Auth::new(builder().build()?);
    /// let lenient = Auth::new(builder().leeway(60).build()?); // same key, 60 s of tolerance
    /// let opts = TokenOptions::new().expires_in(std::time::Duration::ZERO); // expires at once
    /// let token = strict.create_token(Access, "user1", opts)?;
    /// let refused = strict.verify_token::<NoCustomClaims>(token.as_str(), Access);
    /// assert_eq!(refused.unwrap_err(), AuthError::TokenExpired);
    /// assert!(lenient.verify_token::<NoCustomClaims>(token.as_str(), Access).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// ⚠️ **Dangerous**: accept tokens issued in the future. By default a token whose `iat`
    /// is later than now plus the [leeway](ConfigBuilder::leeway) is refused with
    /// [`AuthError::TokenNotYetValid`](crate::AuthError::TokenNotYetValid), as PyJWT does:
    /// no clock skew within the leeway explains it, and such a token would outlive
    /// [`Auth::revoke_all`](crate::Auth::revoke_all), which revokes the subject's tokens
    /// issued up to the moment it is called. Turn this on only for an issuer whose clock
    /// cannot be trusted and cannot be fixed (a larger leeway is the better remedy). Tokens
    /// this library creates have `nbf` equal to `iat`, so they are refused as not yet valid
    /// either way.
    ///
    /// ```
    /// use authjwt::{Auth, AuthError, Config, NoCustomClaims, TokenType::Access};
    /// use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    /// # let hs256 = |key: &[u8], msg: &str| {
    /// #     let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    /// #     URL_SAFE_NO_PAD.encode(aws_lc_rs::hmac::sign(&key, msg.as_bytes()))
    /// # };
    /// let secret = b"an example secret of at least 32 bytes!";
    /// let builder = || Config::builder().secret(secret);
    /// // Issued an hour from now by an issuer whose clock runs fast.
    /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    /// let claims = format!(
    ///     r#"{{"sub":"u","iat":{},"exp":{},"type":"access"}}"#,
    ///     now + 3600,
    ///     now + 7200
    /// );
    /// let msg = format!(
    ///     "{}.{}",
    ///     URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
    ///     URL_SAFE_NO_PAD.encode(claims)
    /// );
    /// let token = format!("{msg}.{}", hs256(secret, &msg));
    /// let strict = Auth::new(builder().build()?);
    /// let refused = strict.verify_token::<NoCustomClaims>(&token, Access);
    /// assert_eq!(refused.unwrap_err(), AuthError::TokenNotYetValid);
    /// let lax = Auth::new(builder().dangerous_allow_future_iat().build()?);
    /// assert!(lax.verify_token::<NoCustomClaims>(&token, Access).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_allow_future_iat(mut self) -> Self {
        self.allow_future_iat = true;
        self
    }

    /// Writes `iss` into new tokens and requires it on verification. Defaults to none.
    ///
    /// ```
    /// use authjwt::{Auth, AuthError, Claims, Config, NoCustomClaims, TokenType};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// let auth = Auth::new(builder().issuer("https://auth.example.com").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert_eq!(claims.iss.as_deref(), Some("https://auth.example.com"));
    /// let other = Auth::new(builder().issuer("https://other.example.com").build()?);
    /// let refused = other.verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access);
    /// assert_eq!(refused.unwrap_err(), AuthError::InvalidClaims);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuer = Some(iss.into());
        self
    }

    /// Writes `aud` into new tokens (the first audience) and requires one of these on
    /// verification; a token without `aud` is then refused. Defaults to none, and then a
    /// token that carries an `aud` is refused (RFC 7519 4.1.3: the server is not among its
    /// audiences).
    ///
    /// ```
    /// use authjwt::{Audience, Auth, Claims, Config, TokenType};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .audience(["api", "admin"])
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert_eq!(claims.aud, Some(Audience::One("api".into()))); // the first one
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn audience(mut self, aud: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.audience = aud.into_iter().map(Into::into).collect();
        self
    }

    /// Tokens longer than this are refused before any parsing. Defaults to 8 KiB.
    ///
    /// ```
    /// use authjwt::{Auth, AuthError, Config, InvalidReason, NoCustomClaims, TokenType};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .max_token_len(64)
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?; // much longer than 64 bytes
    /// let err = auth.verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access);
    /// assert_eq!(err.unwrap_err(), AuthError::InvalidToken(InvalidReason::TooLong));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self
    }

    /// Access cookie name. Defaults to `access_token_cookie`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_cookie_name("session")
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.starts_with("session="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.access_cookie_name = name.into();
        self
    }

    /// Refresh cookie name. Defaults to `refresh_token_cookie`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_cookie_name("renew")
    ///     .build()?);
    /// let cookies = auth.set_refresh_cookies(&auth.create_refresh_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.starts_with("renew="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_cookie_name = name.into();
        self
    }

    /// Path of the access cookie. Defaults to `/`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_cookie_path("/api")
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Path=/api"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.access_cookie_path = path.into();
        self
    }

    /// Path of the refresh cookie (for example `/refresh`). Defaults to `/`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_cookie_path("/auth/refresh") // the browser sends it there only
    ///     .build()?);
    /// let cookies = auth.set_refresh_cookies(&auth.create_refresh_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Path=/auth/refresh"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.refresh_cookie_path = path.into();
        self
    }

    /// Access CSRF cookie name. Defaults to `csrf_access_token`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_csrf_cookie_name("XSRF-TOKEN")
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[1].to_str()?.starts_with("XSRF-TOKEN="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_csrf_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.access_csrf_cookie_name = name.into();
        self
    }

    /// Refresh CSRF cookie name. Defaults to `csrf_refresh_token`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_csrf_cookie_name("XSRF-REFRESH")
    ///     .build()?);
    /// let cookies = auth.set_refresh_cookies(&auth.create_refresh_token("user1")?);
    /// assert!(cookies.header_values()[1].to_str()?.starts_with("XSRF-REFRESH="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_csrf_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_csrf_cookie_name = name.into();
        self
    }

    /// Path of the access CSRF cookie. Defaults to `/`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_csrf_cookie_path("/app")
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[1].to_str()?.contains("; Path=/app"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_csrf_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.access_csrf_cookie_path = path.into();
        self
    }

    /// Path of the refresh CSRF cookie. Defaults to `/`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_csrf_cookie_path("/app")
    ///     .build()?);
    /// let cookies = auth.set_refresh_cookies(&auth.create_refresh_token("user1")?);
    /// assert!(cookies.header_values()[1].to_str()?.contains("; Path=/app"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_csrf_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.refresh_csrf_cookie_path = path.into();
        self
    }

    /// The cookies' `Domain`. Defaults to none (host-only cookies, the safest choice).
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_domain("example.com") // ⚠️ also sent to every subdomain
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Domain=example.com"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_domain(mut self, domain: impl Into<String>) -> Self {
        self.cookie_domain = Some(domain.into());
        self
    }

    /// ⚠️ The cookies' `Secure` flag. Defaults to `true`; turn off only for local http.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_secure(false) // http://localhost during development
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(!cookies.header_values()[0].to_str()?.contains("Secure"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.cookie_secure = secure;
        self
    }

    /// The cookies' `SameSite`. Defaults to `Lax`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, SameSite, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_samesite(SameSite::Strict)
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; SameSite=Strict"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_samesite(mut self, samesite: SameSite) -> Self {
        self.cookie_samesite = samesite;
        self
    }

    /// Persistent cookies with this `Max-Age`. Defaults to none (session cookies).
    ///
    /// ```
    /// use std::time::Duration;
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_max_age(Duration::from_secs(3600))
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Max-Age=3600"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_max_age(mut self, max_age: Duration) -> Self {
        self.cookie_max_age = Some(max_age);
        self
    }

    /// `true`: session cookies, deleted when the browser closes. `false`: persistent cookies
    /// whose `Max-Age` is [`ConfigBuilder::cookie_max_age`], or else the token's lifetime.
    /// Defaults to `true` unless a max age is set.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .session_cookie(false) // persistent: Max-Age is the token's remaining lifetime
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Max-Age="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session_cookie(mut self, session: bool) -> Self {
        self.session_cookie = Some(session);
        self
    }

    /// Prefixes every cookie name with `__Host-`, which browsers only accept with `Secure`,
    /// `Path=/` and no `Domain`: a sibling subdomain can then neither set nor shadow them.
    /// Defaults to `false`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .host_prefix(true)
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.starts_with("__Host-access_token_cookie="));
    /// assert!(cookies.header_values()[1].to_str()?.starts_with("__Host-csrf_access_token="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn host_prefix(mut self, on: bool) -> Self {
        self.host_prefix = on;
        self
    }

    /// ⚠️ Double-submit CSRF protection for cookie-borne tokens. Defaults to `true`; turning
    /// it off with cookies as a location also needs
    /// [`ConfigBuilder::dangerous_allow_cookies_without_csrf`].
    ///
    /// ```
    /// use authjwt::{Config, ConfigError, TokenLocation};
    /// let builder = || Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_csrf_protect(false);
    /// assert_eq!(builder().build().unwrap_err(), ConfigError::CookiesWithoutCsrf);
    /// let config = builder().dangerous_allow_cookies_without_csrf().build()?;
    /// assert!(!config.csrf_protect());
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn cookie_csrf_protect(mut self, on: bool) -> Self {
        self.csrf_protect = on;
        self
    }

    /// Whether `set_*_cookies` also set the JS-readable CSRF cookies. Defaults to `true`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .csrf_in_cookies(false) // hand token.csrf() to the front end another way
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert!(token.csrf().is_some());
    /// assert_eq!(auth.set_access_cookies(&token).header_values().len(), 1); // the JWT cookie only
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn csrf_in_cookies(mut self, on: bool) -> Self {
        self.csrf_in_cookies = on;
        self
    }

    /// ⚠️ **Dangerous**: allows cookies as a token location with CSRF protection off (seed
    /// 001's first example). Any site can then make authenticated requests on a user's
    /// behalf, limited only by `SameSite`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_csrf_protect(false)
    ///     .dangerous_allow_cookies_without_csrf() // SameSite is now the only defence
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert_eq!(token.csrf(), None);
    /// assert_eq!(auth.set_access_cookies(&token).header_values().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_allow_cookies_without_csrf(mut self) -> Self {
        self.allow_cookies_without_csrf = true;
        self
    }

    /// Methods on which the CSRF header is required. Defaults to POST, PUT, PATCH, DELETE.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, NoCustomClaims, Protection, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .csrf_methods([http::Method::DELETE]) // POST no longer needs the header
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let req = http::Request::post("/").header("cookie", format!("access_token_cookie={token}"));
    /// let (parts, _) = req.body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn csrf_methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.csrf_methods = methods.into_iter().collect();
        self
    }

    /// Header carrying the access CSRF value. Defaults to `X-CSRF-TOKEN`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, NoCustomClaims, Protection, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_csrf_header_name("X-XSRF-TOKEN")
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let req = http::Request::post("/").header("cookie", format!("access_token_cookie={token}"));
    /// let (parts, _) = req.header("x-xsrf-token", token.csrf().unwrap()).body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn access_csrf_header_name(mut self, name: impl Into<String>) -> Self {
        self.access_csrf_header = name.into();
        self
    }

    /// Header carrying the refresh CSRF value. Defaults to `X-CSRF-TOKEN`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, NoCustomClaims, Protection, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_csrf_header_name("X-CSRF-REFRESH")
    ///     .build()?);
    /// let token = auth.create_refresh_token("user1")?;
    /// let (parts, _) = http::Request::post("/refresh")
    ///     .header("cookie", format!("refresh_token_cookie={token}"))
    ///     .header("x-csrf-refresh", token.csrf().unwrap())
    ///     .body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::refresh()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn refresh_csrf_header_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_csrf_header = name.into();
        self
    }

    /// Also accept the CSRF value from a form field (`application/x-www-form-urlencoded`
    /// bodies) when the header is absent. Defaults to `false`.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
    /// # use axum::{Router, routing::post};
    /// # use tower::ServiceExt;
    /// # use authjwt::IssuedToken;
    /// # use axum::body::Body;
    /// # fn form(cookie: &str, token: &IssuedToken, body: String) -> http::Request<Body> {
    /// #     http::Request::post("/").header("cookie", format!("{cookie}={token}"))
    /// #         .header("content-type", "application/x-www-form-urlencoded")
    /// #         .header("content-length", body.len()).body(body.into()).unwrap()
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .csrf_check_form(true) // plain HTML forms cannot set a header
    ///     .build()?);
    /// let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
    /// let app = app.layer(auth.layer());
    /// let token = auth.create_access_token("user1")?;
    /// let body = format!("title=Hello&csrf_token={}", token.csrf().unwrap());
    /// let req = form("access_token_cookie", &token, body);
    /// assert_eq!(app.oneshot(req).await?.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn csrf_check_form(mut self, on: bool) -> Self {
        self.csrf_check_form = on;
        self
    }

    /// Form field of the access CSRF value. Defaults to `csrf_token`.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
    /// # use axum::{Router, routing::post};
    /// # use tower::ServiceExt;
    /// # use authjwt::IssuedToken;
    /// # use axum::body::Body;
    /// # fn form(cookie: &str, token: &IssuedToken, body: String) -> http::Request<Body> {
    /// #     http::Request::post("/").header("cookie", format!("{cookie}={token}"))
    /// #         .header("content-type", "application/x-www-form-urlencoded")
    /// #         .header("content-length", body.len()).body(body.into()).unwrap()
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .csrf_check_form(true).access_csrf_field_name("_csrf")
    ///     .build()?);
    /// let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
    /// let app = app.layer(auth.layer());
    /// let token = auth.create_access_token("user1")?;
    /// let body = format!("_csrf={}", token.csrf().unwrap());
    /// let req = form("access_token_cookie", &token, body);
    /// assert_eq!(app.oneshot(req).await?.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn access_csrf_field_name(mut self, name: impl Into<String>) -> Self {
        self.access_csrf_field = name.into();
        self
    }

    /// Form field of the refresh CSRF value. Defaults to `csrf_token`.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenLocation, axum::RefreshToken};
    /// # use axum::{Router, routing::post};
    /// # use tower::ServiceExt;
    /// # use authjwt::IssuedToken;
    /// # use axum::body::Body;
    /// # fn form(cookie: &str, token: &IssuedToken, body: String) -> http::Request<Body> {
    /// #     http::Request::post("/").header("cookie", format!("{cookie}={token}"))
    /// #         .header("content-type", "application/x-www-form-urlencoded")
    /// #         .header("content-length", body.len()).body(body.into()).unwrap()
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .csrf_check_form(true).refresh_csrf_field_name("_csrf_refresh")
    ///     .build()?);
    /// let app: Router = Router::new().route("/", post(|_: RefreshToken| async {}));
    /// let app = app.layer(auth.layer());
    /// let token = auth.create_refresh_token("user1")?;
    /// let body = format!("_csrf_refresh={}", token.csrf().unwrap());
    /// let req = form("refresh_token_cookie", &token, body);
    /// assert_eq!(app.oneshot(req).await?.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn refresh_csrf_field_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_csrf_field = name.into();
        self
    }

    /// ⚠️ Paths (matched exactly) on which neither the CSRF header nor the Origin check is
    /// required, like seed 002's webhook. Defaults to none. A single route can also be
    /// exempted with [`Protection::verify_csrf`](crate::Protection::verify_csrf).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, NoCustomClaims, Protection, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .csrf_exempt_routes(["/webhook"])
    ///     .build()?);
    /// let cookie = format!("access_token_cookie={}", auth.create_access_token("service")?);
    /// let req = http::Request::post("/webhook").header("cookie", cookie); // no CSRF header
    /// let (parts, _) = req.body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn csrf_exempt_routes(
        mut self,
        paths: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.exempt_routes = paths.into_iter().map(Into::into).collect();
        self
    }

    /// ⚠️ The Origin / Sec-Fetch-Site check on unsafe methods for cookie-borne tokens
    /// (a second CSRF layer, the rules of Go's `CrossOriginProtection`). Defaults to `true`.
    ///
    /// ```
    /// use authjwt::{Auth, Config};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .origin_check(false) // the CSRF double submit still applies
    ///     .build()?);
    /// let req = http::Request::post("/login").header("sec-fetch-site", "cross-site");
    /// assert!(auth.check_origin(&req.body(())?.into_parts().0).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn origin_check(mut self, on: bool) -> Self {
        self.origin_check = on;
        self
    }

    /// Origins (`scheme://host[:port]`) allowed to make cross-origin unsafe requests.
    /// Defaults to none.
    ///
    /// ```
    /// use authjwt::{Auth, AuthError, Config};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .trusted_origins(["https://app.example.com"])
    ///     .build()?);
    /// let from = |origin: &str| http::Request::post("/login").header("origin", origin)
    ///     .header("host", "api.example.com").body(()).unwrap().into_parts().0;
    /// assert!(auth.check_origin(&from("https://app.example.com")).is_ok());
    /// let refused = auth.check_origin(&from("https://evil.example"));
    /// assert_eq!(refused, Err(AuthError::CrossSiteRequest));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trusted_origins(mut self, origins: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.trusted_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// ⚠️ Accept `Sec-Fetch-Site: same-site` (sibling subdomains). Defaults to `false`.
    ///
    /// ```
    /// use authjwt::{Auth, Config};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .allow_same_site_requests(true) // app.example.com calling api.example.com
    ///     .build()?);
    /// let req = http::Request::post("/login").header("sec-fetch-site", "same-site");
    /// assert!(auth.check_origin(&req.body(())?.into_parts().0).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_same_site_requests(mut self, on: bool) -> Self {
        self.allow_same_site = on;
        self
    }

    /// The largest body the adapters read to find a JSON token or a form CSRF field.
    /// Defaults to 64 KiB.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
    /// # use axum::{Router, routing::post};
    /// # use tower::ServiceExt;
    /// # fn json(body: String) -> http::Request<axum::body::Body> {
    /// #     http::Request::post("/").header("content-type", "application/json")
    /// #         .header("content-length", body.len()).body(body.into()).unwrap()
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Json])
    ///     .body_limit(64) // bytes
    ///     .build()?);
    /// let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
    /// let app = app.layer(auth.layer());
    /// let body = format!(r#"{{"access_token":"{}"}}"#, auth.create_access_token("user1")?);
    /// // Longer than the limit: the body is not read, so no token is found.
    /// assert_eq!(app.oneshot(json(body)).await?.status(), 401);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Renders rejections (for example as HTML). Defaults to [`JsonResponder`].
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

    /// Loads the application's user for [`CurrentUser<L::User>`](crate::CurrentUser) and
    /// [`Auth::authenticate_user`](crate::Auth::authenticate_user) (flask-jwt-extended's
    /// `user_lookup_loader`). One lookup per user type: another one registered for the same
    /// `L::User` replaces it; lookups for different user types live side by side. Defaults
    /// to none, where `CurrentUser` answers 500 `auth_misconfigured`.
    ///
    /// ```
    /// use authjwt::{Claims, Config, NoCustomClaims, UserLookup, UserLookupError};
    ///
    /// struct User { name: String }
    /// struct Users;
    ///
    /// impl UserLookup for Users {
    ///     type User = User;
    ///     type Claims = NoCustomClaims;
    ///     async fn lookup(&self, claims: &Claims) -> Result<Option<User>, UserLookupError> {
    ///         Ok((claims.sub == "user1").then(|| User { name: claims.sub.clone() }))
    ///     }
    /// }
    ///
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .user_lookup(Users)
    ///     .build()?;
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn user_lookup<L: UserLookup>(mut self, lookup: L) -> Self {
        self.users.register(lookup);
        self
    }

    /// Where revocations are kept and checked. Defaults to a new [`MemoryStore`]; use
    /// [`redis::RedisStore`](crate::redis::RedisStore) to share them across instances.
    /// With revocation on, tokens without a `jti` are refused.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use authjwt::{Config, MemoryStore};
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
    /// until it expires. Defaults to off (revocation with a [`MemoryStore`]).
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

    pub(crate) fn cookie_http_only(mut self, on: bool) -> Self {
        self.cookie_http_only = on;
        self
    }

    /// Validates the settings and builds the [`Config`].
    ///
    /// ```
    /// use authjwt::{Config, ConfigError};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// assert_eq!(config.access_cookie_name(), "access_token_cookie");
    /// // Invalid settings are refused with a message that says what to change.
    /// assert_eq!(Config::builder().build().unwrap_err(), ConfigError::MissingKey);
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn build(self) -> Result<Config, ConfigError> {
        let signing = self.signing.ok_or(ConfigError::MissingKey)??;
        let mut kids: Vec<&str> = signing.kid().into_iter().collect();
        for k in &self.verifying {
            let kid = k.kid().ok_or(ConfigError::VerifyingKeyWithoutKid)?;
            if kids.contains(&kid) {
                return Err(ConfigError::DuplicateKid(kid.to_owned()));
            }
            kids.push(kid);
        }
        let mut keys = KeySet::new(signing);
        for k in self.verifying {
            keys = keys.with_verifying_key(k);
        }
        let known_headers: Vec<(String, VerifyingKey)> = keys
            .verifying_keys()
            .map(|k| {
                (
                    crate::tokens::standard_header(k.algorithm(), k.kid()),
                    k.clone(),
                )
            })
            .collect();
        let signing = keys.signing_key();
        let signing_header = crate::tokens::standard_header(signing.algorithm(), signing.kid());
        let mut algorithms: Vec<Algorithm> = keys.algorithms().collect();
        algorithms.sort();
        algorithms.dedup();

        if self.locations.is_empty() {
            return Err(ConfigError::NoLocation);
        }
        let mut locations = self.locations;
        let mut seen = Vec::new();
        locations.retain(|l| {
            if seen.contains(l) {
                false
            } else {
                seen.push(*l);
                true
            }
        });

        if !self.cookie_http_only {
            return Err(ConfigError::HttpOnlyOff);
        }
        let uses_cookies = locations.contains(&TokenLocation::Cookies);
        if uses_cookies && !self.csrf_protect && !self.allow_cookies_without_csrf {
            return Err(ConfigError::CookiesWithoutCsrf);
        }
        if self.cookie_samesite == SameSite::None && !self.cookie_secure {
            return Err(ConfigError::SameSiteNoneWithoutSecure);
        }
        if !self.allow_non_expiring
            && (self.access_expires.is_none() || self.refresh_expires.is_none())
        {
            return Err(ConfigError::NonExpiringTokens);
        }
        // No cap by default when a configured lifetime is unbounded (such tokens never expire).
        let longest = self
            .access_expires
            .zip(self.refresh_expires)
            .map(|(a, r)| a.max(r));
        let max_token_lifetime = match (self.max_token_lifetime, longest) {
            (Some(max), Some(longest)) if max < longest => {
                return Err(ConfigError::MaxLifetimeTooShort { max, longest });
            }
            (Some(max), _) => Some(max),
            (None, longest) => longest,
        };
        let reuse_window = match (self.refresh_reuse_window, self.refresh_expires) {
            (Some(window), lifetime)
                if window > MAX_REUSE_WINDOW || lifetime.is_some_and(|l| window >= l) =>
            {
                return Err(ConfigError::ReuseWindowTooLong { window });
            }
            (Some(window), _) => window,
            // The default stays well inside short refresh lifetimes (tests, demos).
            (None, Some(lifetime)) => DEFAULT_REUSE_WINDOW.min(lifetime / 2),
            (None, None) => DEFAULT_REUSE_WINDOW,
        };
        if self.session_cookie == Some(true) && self.cookie_max_age.is_some() {
            return Err(ConfigError::SessionCookieWithMaxAge);
        }
        let session = self.session_cookie.unwrap_or(self.cookie_max_age.is_none());

        let paths = [
            &self.access_cookie_path,
            &self.refresh_cookie_path,
            &self.access_csrf_cookie_path,
            &self.refresh_csrf_cookie_path,
        ];
        for p in paths {
            if !p.starts_with('/') || !attribute_ok(p) {
                return Err(ConfigError::InvalidCookieAttribute(p.clone(), "path"));
            }
        }
        if let Some(d) = &self.cookie_domain
            && (d.is_empty() || !attribute_ok(d))
        {
            return Err(ConfigError::InvalidCookieAttribute(d.clone(), "domain"));
        }
        if self.host_prefix {
            if !self.cookie_secure {
                return Err(ConfigError::HostPrefix("Secure is off"));
            }
            if self.cookie_domain.is_some() {
                return Err(ConfigError::HostPrefix("a Domain is set"));
            }
            if paths.iter().any(|p| p.as_str() != "/") {
                return Err(ConfigError::HostPrefix("a cookie Path is not /"));
            }
        }
        let prefix = |name: String| {
            if self.host_prefix && !name.starts_with("__Host-") {
                format!("__Host-{name}")
            } else {
                name
            }
        };
        let names = [
            prefix(self.access_cookie_name),
            prefix(self.refresh_cookie_name),
            prefix(self.access_csrf_cookie_name),
            prefix(self.refresh_csrf_cookie_name),
        ];
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() || !n.bytes().all(is_tchar) {
                return Err(ConfigError::InvalidCookieName(n.clone()));
            }
            if names[..i].contains(n) {
                return Err(ConfigError::DuplicateCookieName(n.clone()));
            }
        }
        let [
            access_name,
            refresh_name,
            access_csrf_name,
            refresh_csrf_name,
        ] = names;

        let header = |s: &str| {
            HeaderName::from_bytes(s.as_bytes())
                .map_err(|_| ConfigError::InvalidHeaderName(s.to_owned()))
        };

        Ok(Config {
            keys,
            algorithms,
            known_headers,
            signing_header,
            locations,
            header_name: header(&self.header_name)?,
            header_type: self.header_type,
            query_string_name: self.query_string_name,
            json_key: self.json_key,
            refresh_json_key: self.refresh_json_key,
            access_expires: self.access_expires,
            refresh_expires: self.refresh_expires,
            max_token_lifetime,
            refresh_reuse_window_ms: u64::try_from(reuse_window.as_millis()).unwrap_or(u64::MAX),
            leeway: self.leeway,
            allow_future_iat: self.allow_future_iat,
            issuer: self.issuer,
            audience: self.audience,
            max_token_len: self.max_token_len,
            allow_non_expiring: self.allow_non_expiring,
            cookies: CookieSettings {
                access_name,
                refresh_name,
                access_path: self.access_cookie_path,
                refresh_path: self.refresh_cookie_path,
                access_csrf_name,
                refresh_csrf_name,
                access_csrf_path: self.access_csrf_cookie_path,
                refresh_csrf_path: self.refresh_csrf_cookie_path,
                domain: self.cookie_domain,
                secure: self.cookie_secure,
                samesite: self.cookie_samesite,
                max_age: self.cookie_max_age,
                session,
            },
            csrf: CsrfSettings {
                protect: self.csrf_protect,
                in_cookies: self.csrf_in_cookies,
                methods: self.csrf_methods,
                access_header: header(&self.access_csrf_header)?,
                refresh_header: header(&self.refresh_csrf_header)?,
                check_form: self.csrf_check_form,
                access_field: self.access_csrf_field,
                refresh_field: self.refresh_csrf_field,
                exempt_routes: self.exempt_routes,
            },
            origin: OriginSettings {
                enabled: self.origin_check,
                trusted: self.trusted_origins,
                allow_same_site: self.allow_same_site,
            },
            body_limit: self.body_limit,
            responder: self.responder.unwrap_or_else(|| Arc::new(JsonResponder)),
            users: self.users,
            revocation: if self.revocation_disabled {
                None
            } else {
                Some(
                    self.revocation
                        .unwrap_or_else(|| Arc::new(MemoryStore::new())),
                )
            },
        })
    }
}

/// The default refresh reuse window (what Okta ships by default).
const DEFAULT_REUSE_WINDOW: Duration = Duration::from_secs(30);
/// The longest refresh reuse window accepted.
const MAX_REUSE_WINDOW: Duration = Duration::from_secs(300);

/// RFC 7230 `tchar`: what a cookie name may contain.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A Set-Cookie attribute value: visible ASCII without `;`.
fn attribute_ok(s: &str) -> bool {
    s.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b';')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn base() -> ConfigBuilder {
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Cookies])
    }

    #[test]
    fn defaults_build() {
        let c = base().build().unwrap();
        assert_eq!(c.access_cookie_name(), "access_token_cookie");
        assert_eq!(c.refresh_csrf_cookie_name(), "csrf_refresh_token");
        assert_eq!(c.access_csrf_header_name(), "x-csrf-token");
        assert!(c.cookies.session);
        assert!(c.cookies.secure);
        assert_eq!(c.access_expires(), Some(Duration::from_secs(900)));
    }

    #[test]
    fn invalid_combinations_are_refused_with_a_fix() {
        let cases: Vec<(ConfigBuilder, ConfigError)> = vec![
            (Config::builder(), ConfigError::MissingKey),
            (
                base().cookie_samesite(SameSite::None).cookie_secure(false),
                ConfigError::SameSiteNoneWithoutSecure,
            ),
            (
                base().host_prefix(true).cookie_domain("example.com"),
                ConfigError::HostPrefix("a Domain is set"),
            ),
            (
                base().host_prefix(true).refresh_cookie_path("/refresh"),
                ConfigError::HostPrefix("a cookie Path is not /"),
            ),
            (
                base().host_prefix(true).cookie_secure(false),
                ConfigError::HostPrefix("Secure is off"),
            ),
            (base().cookie_http_only(false), ConfigError::HttpOnlyOff),
            (
                base().cookie_csrf_protect(false),
                ConfigError::CookiesWithoutCsrf,
            ),
            (base().token_location([]), ConfigError::NoLocation),
            (
                base().access_never_expires(),
                ConfigError::NonExpiringTokens,
            ),
            (
                base()
                    .session_cookie(true)
                    .cookie_max_age(Duration::from_secs(9)),
                ConfigError::SessionCookieWithMaxAge,
            ),
            (
                base().refresh_cookie_name("access_token_cookie"),
                ConfigError::DuplicateCookieName("access_token_cookie".into()),
            ),
            (
                base().access_cookie_name("bad name"),
                ConfigError::InvalidCookieName("bad name".into()),
            ),
            (
                base().access_csrf_header_name("bad header"),
                ConfigError::InvalidHeaderName("bad header".into()),
            ),
            (
                base().access_cookie_path("/a;b"),
                ConfigError::InvalidCookieAttribute("/a;b".into(), "path"),
            ),
        ];
        for (builder, expected) in cases {
            let err = builder.build().unwrap_err();
            assert_eq!(err, expected);
            assert!(!err.to_string().is_empty());
        }
        let short = Config::builder().secret(b"short").build().unwrap_err();
        assert!(short.to_string().contains("at least 32 bytes"), "{short}");
    }

    #[test]
    fn dangerous_opt_outs_are_explicit() {
        base()
            .cookie_csrf_protect(false)
            .dangerous_allow_cookies_without_csrf()
            .build()
            .unwrap();
        base()
            .access_never_expires()
            .dangerous_allow_non_expiring_tokens()
            .build()
            .unwrap();
    }

    #[test]
    fn host_prefix_renames_cookies() {
        let c = base().host_prefix(true).build().unwrap();
        assert_eq!(c.access_cookie_name(), "__Host-access_token_cookie");
        assert_eq!(c.access_csrf_cookie_name(), "__Host-csrf_access_token");
    }

    #[test]
    fn debug_redacts_the_secret() {
        let c = base().build().unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("0123456789abcdef"));
    }
}
