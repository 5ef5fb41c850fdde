//! [`ConfigError`]: why a configuration was refused, with the fix in the message.

use std::time::Duration;

use crate::keys::KeyError;

/// The configuration is invalid. Each variant says what to change.
///
/// ```
/// use authjwt::{Config, ConfigError, config::SameSite};
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
    /// `session_max_age` is zero: every session would end at its login.
    #[error("session_max_age must be at least one second")]
    SessionMaxAgeZero,
    /// An environment variable has a value of the wrong form.
    #[error("{var}: expected {expected}")]
    Env {
        /// The variable's name.
        var: &'static str,
        /// The expected form.
        expected: &'static str,
    },
}
