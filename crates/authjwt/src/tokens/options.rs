//! [`TokenOptions`]: what a new token carries beyond its subject and type.

use std::time::Duration;

use crate::claims::NoCustomClaims;

/// How long a new token lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Expiry {
    #[default]
    Configured,
    In(Duration),
    Never,
}

/// Options for one new token: fresh flag, expiry override, custom claims, extra headers.
///
/// ```
/// use std::time::Duration;
/// use authjwt::tokens::TokenOptions;
/// use serde::Serialize;
///
/// #[derive(Serialize)]
/// struct Roles { roles: Vec<&'static str> }
///
/// let opts = TokenOptions::new()
///     .fresh(true)
///     .expires_in(Duration::from_secs(300))
///     .claims(Roles { roles: vec!["admin"] })
///     .header("x5t", "thumbprint");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TokenOptions<T = NoCustomClaims> {
    pub(super) fresh: bool,
    pub(super) expiry: Expiry,
    pub(super) custom: T,
    pub(super) headers: Vec<(String, serde_json::Value)>,
    pub(super) family: Option<String>,
    /// Set by refresh rotation: the parts of a successor that every instance must produce
    /// identically.
    pub(super) pinned: Pinned,
}

/// What refresh rotation fixes in a token instead of taking it from the clock and the RNG:
/// a successor is reproduced from its stored rotation, and a session keeps its CSRF value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pinned {
    pub(crate) issued_at: Option<u64>,
    pub(crate) jti: Option<String>,
    pub(crate) csrf: Option<String>,
    /// A signature stored with the rotation, for algorithms whose signatures are randomized
    /// (ECDSA, RSA-PSS): re-signing would give another token value.
    pub(crate) signature: Option<Vec<u8>>,
    /// The session's absolute end (`sxp`): the token's `exp` is capped to it.
    pub(crate) session_end: Option<u64>,
    /// The session's remember-me choice (`rem`).
    pub(crate) remember: Option<bool>,
}

impl Default for TokenOptions<NoCustomClaims> {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenOptions<NoCustomClaims> {
    /// Not fresh, the configured expiry, no custom claims, no extra headers.
    ///
    /// ```
    /// use authjwt::{Claims, claims::TokenType, tokens::TokenOptions};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_token(TokenType::Access, "user1", TokenOptions::new())?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert!(!claims.fresh);
    /// assert_eq!(claims.exp, Some(claims.iat + 15 * 60)); // the configured lifetime
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new() -> Self {
        Self {
            fresh: false,
            expiry: Expiry::Configured,
            custom: NoCustomClaims {},
            headers: Vec::new(),
            family: None,
            pinned: Pinned::default(),
        }
    }
}

impl<T> TokenOptions<T> {
    /// Marks an access token as fresh (issued from a login, not a refresh). Defaults to false.
    ///
    /// ```
    /// use authjwt::{Claims, claims::TokenType, tokens::TokenOptions};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().fresh(true); // right after checking the password
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert!(claims.fresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.fresh = fresh;
        self
    }

    /// Overrides the configured lifetime.
    ///
    /// At most [`ConfigBuilder::max_token_lifetime`](crate::ConfigBuilder::max_token_lifetime)
    /// (by default the longest configured lifetime): revocations of a whole login or subject
    /// are kept that long, and a longer lifetime is refused with
    /// [`TokenError::LifetimeTooLong`](crate::tokens::TokenError::LifetimeTooLong) rather than let a token outlive them.
    ///
    /// ```
    /// use std::time::Duration;
    /// use authjwt::{claims::TokenType, tokens::TokenOptions};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().expires_in(Duration::from_secs(60));
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// assert_eq!(token.expires_at(), Some(token.issued_at() + 60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires_in(mut self, d: Duration) -> Self {
        self.expiry = Expiry::In(d);
        self
    }

    /// ⚠️ No `exp` claim. Creation fails unless the configuration allows non-expiring tokens.
    /// Family and subject revocations are then kept for good, so that it stays revoked.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenType::Access, tokens::{TokenError, TokenOptions}};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// let strict = Auth::new(builder().build()?);
    /// let err = strict.create_token(Access, "svc", TokenOptions::new().never_expires());
    /// assert!(matches!(err, Err(TokenError::NonExpiring)));
    /// let lax = Auth::new(builder().dangerous_allow_non_expiring_tokens().build()?);
    /// let token = lax.create_token(Access, "svc", TokenOptions::new().never_expires())?;
    /// assert_eq!(token.expires_at(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn never_expires(mut self) -> Self {
        self.expiry = Expiry::Never;
        self
    }

    /// The application's own claims (any serde type serializing to a JSON object). Their
    /// names may not collide with [`RESERVED_CLAIMS`](crate::claims::RESERVED_CLAIMS).
    ///
    /// ```
    /// use authjwt::{Claims, claims::TokenType, tokens::TokenOptions};
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Tenant { tenant: String }
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().claims(Tenant { tenant: "acme".into() });
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let claims: Claims<Tenant> = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert_eq!(claims.custom.tenant, "acme");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn claims<U>(self, custom: U) -> TokenOptions<U> {
        TokenOptions {
            fresh: self.fresh,
            expiry: self.expiry,
            custom,
            headers: self.headers,
            family: self.family,
            pinned: self.pinned,
        }
    }

    /// An extra JOSE header parameter (not `alg`, `kid`, `typ` or `crit`).
    ///
    /// ```
    /// use authjwt::{claims::TokenType, tokens::TokenOptions};
    /// use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().header("x5t", "dGh1bWJwcmludA");
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let header = URL_SAFE_NO_PAD.decode(token.as_str().split('.').next().unwrap())?;
    /// let header: serde_json::Value = serde_json::from_slice(&header)?;
    /// assert_eq!(header["x5t"], "dGh1bWJwcmludA");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The refresh-token family (refresh rotation keeps one family per login).
    ///
    /// ```
    /// use authjwt::{Claims, claims::TokenType, tokens::TokenOptions};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().family("login-42");
    /// let token = auth.create_token(TokenType::Refresh, "user1", opts)?;
    /// assert_eq!(token.family(), Some("login-42"));
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Refresh)?;
    /// assert_eq!(claims.fam.as_deref(), Some("login-42"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn family(mut self, family: impl Into<String>) -> Self {
        self.family = Some(family.into());
        self
    }

    /// Fixes what refresh rotation must reproduce (time, id, CSRF value, signature).
    pub(crate) fn pinned(mut self, pinned: Pinned) -> Self {
        self.pinned = pinned;
        self
    }
}
