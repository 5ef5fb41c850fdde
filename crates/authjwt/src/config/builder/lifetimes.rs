//! Setters: Token lifetimes, refresh rotation, clock leeway, issuer and audience.

use std::time::Duration;

use super::ConfigBuilder;

impl ConfigBuilder {
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
    /// [`TokenOptions::expires_in`](crate::tokens::TokenOptions::expires_in) beyond the configured
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
    /// use authjwt::{Auth, Config, TokenType::Access, tokens::{TokenError, TokenOptions}};
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

    /// The absolute lifetime of a session: it ends this long after the login, however often
    /// it is refreshed (env `JWT_SESSION_MAX_AGE`). No token of the session expires after that
    /// end (its `exp` and its cookie's `Max-Age` are capped), and a token presented after it
    /// is refused with 401 `session_expired`. Unset (the default), a session slides: each
    /// rotation gives the new refresh token a full lifetime, so an active session never ends.
    /// A maximum shorter than the reuse window is valid.
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .session_max_age(Duration::from_secs(12 * 3600)) // sign in again twice a day
    ///     .build()?;
    /// assert_eq!(config.session_max_age(), Some(Duration::from_secs(12 * 3600)));
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn session_max_age(mut self, max_age: Duration) -> Self {
        self.session_max_age = Some(max_age);
        self
    }

    /// ⚠️ **Dangerous**: accept and create tokens without `exp`. A stolen non-expiring token
    /// works until its key is rotated or it is revoked.
    ///
    /// ```
    /// use authjwt::{Auth, Config, claims::TokenType, tokens::TokenOptions};
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
    /// use authjwt::{Auth, AuthError, Config, TokenType::Access, claims::NoCustomClaims, tokens::TokenOptions};
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
    /// use authjwt::{Auth, AuthError, Config, TokenType::Access, claims::NoCustomClaims};
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
    /// use authjwt::{Auth, AuthError, Claims, Config, claims::{NoCustomClaims, TokenType}};
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
    /// use authjwt::{Auth, Claims, Config, claims::{Audience, TokenType}};
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
}
