//! Testing support for applications (feature `testing`): tokens for a subject, minted with
//! the application's own [`Auth`], and the `Cookie`, CSRF and `Authorization` headers a
//! client would send with them, so that a test can call its own handlers without going
//! through a login route first.
//!
//! ```toml
//! [dev-dependencies]
//! authjwt = { version = "0.1", features = ["testing"] }
//! ```
//!
//! ```
//! # #[cfg(feature = "axum")] {
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use authjwt::{Auth, Config, TokenLocation, axum::AccessToken, testing::TestTokens};
//! use axum::{Router, body::Body, routing::post};
//! use tower::ServiceExt;
//!
//! async fn create_post(AccessToken(user): AccessToken) -> String {
//!     format!("created by {}", user.subject())
//! }
//!
//! let auth = Auth::new(Config::builder()
//!     .secret(b"an example secret of at least 32 bytes!")
//!     .token_location([TokenLocation::Cookies])
//!     .build()?);
//! let app: Router = Router::new().route("/posts", post(create_post)).layer(auth.layer());
//!
//! let tokens = TestTokens::new(&auth, "user1")?;
//! let (csrf_name, csrf_value) = tokens.csrf_header();
//! let request = http::Request::post("/posts")
//!     .header("cookie", tokens.cookie_header())
//!     .header(csrf_name, csrf_value)
//!     .body(Body::empty())?;
//! assert_eq!(app.oneshot(request).await?.status(), 200);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! # }
//! ```
//!
//! **Time.** Tokens can be minted expired, or not yet valid, with a past or future `iat`
//! (and `nbf`, `exp` from it), still validly signed: [`TestTokensBuilder::access_expired`],
//! [`TestTokensBuilder::expired`], [`TestTokensBuilder::not_yet_valid`],
//! [`TestTokensBuilder::issued_at`]. The library has no injectable clock: the system clock
//! is read by the verifier, by the cookies' `Max-Age`, by the session registry and by the
//! revocation stores, where the Redis store's expiries are Redis's own (`EXPIRE`, scripts),
//! so a test clock would have to reach into the [`RevocationStore`](crate::revoke::RevocationStore)
//! trait and the server. Minting tokens at another time tests the same decisions.
//!
//! **Safe to have in a build.** Everything here signs with the keys of an [`Auth`] the caller
//! already holds, which [`Auth::create_token`] does too; nothing changes how requests are
//! verified, no key or setting is added, and no global state exists. Enabling the feature by
//! accident (another crate in the graph asking for it) adds functions, never a way in.
//! Declared under `[dev-dependencies]`, it is not even compiled into release builds: Cargo
//! does not unify dev-dependency features into normal builds (resolver 2 and later).
//!
//! Minted tokens are not recorded in the session registry (a first refresh adopts them, as
//! it does tokens from [`Auth::create_login_tokens`]). To test routes that list sessions, log
//! in with [`Auth::login`] and wrap the pair: [`TestTokens::from_pair`].

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::auth::Auth;
use crate::claims::{NoCustomClaims, TokenType, now, random_id};
use crate::config::{ConfigBuilder, ConfigError};
use crate::csrf::access_csrf_for;
use crate::lifecycle::TokenPair;
use crate::revoke::MemoryStore;
use crate::tokens::{IssuedToken, Pinned, TokenError, TokenOptions};

/// An access and a refresh token of one session, and the headers a client sends with them.
///
/// ```
/// use authjwt::{Auth, Config, Protection, TokenLocation, claims::NoCustomClaims};
/// use authjwt::testing::TestTokens;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let auth = Auth::new(Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .token_location([TokenLocation::Cookies, TokenLocation::Headers])
///     .build()?);
/// let tokens = TestTokens::new(&auth, "user1")?;
/// let (name, value) = tokens.csrf_header();
/// let cookie = http::Request::delete("/posts/1")
///     .header("cookie", tokens.cookie_header())
///     .header(name, value);
/// let found = auth.authenticate::<NoCustomClaims>(&cookie.body(())?.into_parts().0,
///     &Protection::access()).await?;
/// assert_eq!(found.unwrap().subject(), "user1");
/// let bearer = http::Request::get("/me").header("authorization", tokens.bearer());
/// let found = auth.authenticate::<NoCustomClaims>(&bearer.body(())?.into_parts().0,
///     &Protection::access()).await?;
/// assert_eq!(found.unwrap().subject(), "user1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct TestTokens {
    pair: TokenPair,
    cookie_header: String,
    access_csrf_header: String,
    refresh_csrf_header: String,
    authorization_header: String,
    bearer: String,
    refresh_bearer: String,
}

impl std::fmt::Debug for TestTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Test tokens are still tokens of the application's keys: never printed.
        f.debug_struct("TestTokens")
            .field("access", &self.pair.access)
            .field("refresh", &self.pair.refresh)
            .finish_non_exhaustive()
    }
}

impl TestTokens {
    /// The tokens of a login of `subject`, valid now: what
    /// [`Auth::create_login_tokens`] creates (a fresh access token, one session, its CSRF
    /// values).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// assert_eq!(tokens.access().family(), tokens.refresh().family());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(auth: &Auth, subject: impl Into<String>) -> Result<Self, TokenError> {
        Self::builder(auth, subject).mint()
    }

    /// A builder for tokens of `subject` with custom claims, expired or not yet valid, or not
    /// fresh.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// #[derive(Clone, serde::Serialize)]
    /// struct Roles { roles: Vec<&'static str> }
    /// let tokens = authjwt::testing::TestTokens::builder(&auth, "admin1")
    ///     .claims(Roles { roles: vec!["admin"] })
    ///     .fresh(false)
    ///     .mint()?;
    /// let claims: authjwt::Claims<serde_json::Value> =
    ///     auth.verify_token(tokens.access().as_str(), authjwt::claims::TokenType::Access)?;
    /// assert_eq!(claims.custom["roles"][0], "admin");
    /// assert!(!claims.fresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(auth: &Auth, subject: impl Into<String>) -> TestTokensBuilder<'_> {
        TestTokensBuilder {
            auth,
            subject: subject.into(),
            claims: NoCustomClaims::default(),
            fresh: true,
            access_at: At::Now,
            refresh_at: At::Now,
        }
    }

    /// Wraps a pair the application created itself (from [`Auth::login`], say, so that the
    /// session is in the registry).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// use authjwt::{sessions::Login, testing::TestTokens};
    /// let tokens = TestTokens::from_pair(&auth, auth.login(Login::new("user1")).await?);
    /// assert!(tokens.cookie_header().starts_with("access_token_cookie="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn from_pair(auth: &Auth, pair: TokenPair) -> Self {
        let config = auth.config();
        let mut cookies = vec![
            format!("{}={}", config.access_cookie_name(), pair.access),
            format!("{}={}", config.refresh_cookie_name(), pair.refresh),
        ];
        if config.csrf.in_cookies {
            if let Some(csrf) = pair.access.csrf() {
                cookies.push(format!("{}={csrf}", config.access_csrf_cookie_name()));
            }
            if let Some(csrf) = pair.refresh.csrf() {
                cookies.push(format!("{}={csrf}", config.refresh_csrf_cookie_name()));
            }
        }
        let bearer = |token: &IssuedToken| match config.header_type.as_str() {
            "" => token.to_string(),
            scheme => format!("{scheme} {token}"),
        };
        Self {
            cookie_header: cookies.join("; "),
            access_csrf_header: config.access_csrf_header_name().as_str().to_owned(),
            refresh_csrf_header: config.refresh_csrf_header_name().as_str().to_owned(),
            authorization_header: config.header_name.as_str().to_owned(),
            bearer: bearer(&pair.access),
            refresh_bearer: bearer(&pair.refresh),
            pair,
        }
    }

    /// The access token.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// assert_eq!(tokens.access().token_type(), authjwt::claims::TokenType::Access);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access(&self) -> &IssuedToken {
        &self.pair.access
    }

    /// The refresh token.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// assert_eq!(tokens.refresh().token_type(), authjwt::claims::TokenType::Refresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh(&self) -> &IssuedToken {
        &self.pair.refresh
    }

    /// The pair, to hand to code that takes a [`TokenPair`].
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let pair = authjwt::testing::TestTokens::new(&auth, "user1")?.into_pair();
    /// assert_eq!(pair.cookies(&auth).header_values().len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_pair(self) -> TokenPair {
        self.pair
    }

    /// The `Cookie` header value a browser holding these tokens sends: the access and
    /// refresh cookies, with their CSRF cookies when the configuration sets them, under the
    /// configured names (`access_token_cookie=…; refresh_token_cookie=…;
    /// csrf_access_token=…; csrf_refresh_token=…` by default).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// let names: Vec<&str> = tokens.cookie_header().split("; ")
    ///     .map(|c| c.split('=').next().unwrap_or_default()).collect();
    /// assert_eq!(names, ["access_token_cookie", "refresh_token_cookie",
    ///     "csrf_access_token", "csrf_refresh_token"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_header(&self) -> &str {
        &self.cookie_header
    }

    /// The CSRF header of the access token, name and value (`X-CSRF-TOKEN` by default), for
    /// unsafe requests authenticated by the access cookie. The value is empty when the
    /// configuration has CSRF protection off (and nothing checks it).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// let (name, value) = tokens.csrf_header();
    /// assert_eq!(name, "x-csrf-token");
    /// assert_eq!(Some(value), tokens.access().csrf());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn csrf_header(&self) -> (&str, &str) {
        (
            &self.access_csrf_header,
            self.pair.access.csrf().unwrap_or_default(),
        )
    }

    /// The CSRF header of the refresh token, name and value, for the refresh route (and for
    /// logout once the access token has expired).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// assert_eq!(Some(tokens.refresh_csrf_header().1), tokens.refresh().csrf());
    /// assert_ne!(tokens.refresh_csrf_header().1, tokens.csrf_header().1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_csrf_header(&self) -> (&str, &str) {
        (
            &self.refresh_csrf_header,
            self.pair.refresh.csrf().unwrap_or_default(),
        )
    }

    /// The value of the `Authorization` header carrying the access token
    /// (`Bearer <jwt>`, with the configured scheme).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// assert_eq!(tokens.bearer(), format!("Bearer {}", tokens.access()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bearer(&self) -> &str {
        &self.bearer
    }

    /// The value of the `Authorization` header carrying the refresh token.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// assert_eq!(tokens.refresh_bearer(), format!("Bearer {}", tokens.refresh()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_bearer(&self) -> &str {
        &self.refresh_bearer
    }

    /// The `Authorization` header of the access token, name and value, under the configured
    /// header name ([`ConfigBuilder::header_name`]).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .header_name("X-Api-Token").header_type("").build()?);
    /// let tokens = authjwt::testing::TestTokens::new(&auth, "user1")?;
    /// assert_eq!(tokens.authorization_header(), ("x-api-token", tokens.access().as_str()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorization_header(&self) -> (&str, &str) {
        (&self.authorization_header, &self.bearer)
    }
}

/// When a token is issued.
#[derive(Debug, Clone, Copy)]
enum At {
    Now,
    /// Expired by a minute past the leeway.
    Expired,
    /// Valid a minute past the leeway from now.
    NotYetValid,
    /// At this Unix time.
    Unix(u64),
}

/// Builds [`TestTokens`]: [`TestTokens::builder`].
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// use authjwt::testing::{TestTokens, TestTokensBuilder};
/// let builder: TestTokensBuilder<'_> = TestTokens::builder(&auth, "user1");
/// let tokens = builder.access_expired().mint()?;
/// assert!(tokens.access().expires_at() < tokens.refresh().expires_at());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct TestTokensBuilder<'a, T = NoCustomClaims> {
    auth: &'a Auth,
    subject: String,
    claims: T,
    fresh: bool,
    access_at: At,
    refresh_at: At,
}

impl<'a, T: Serialize + Clone> TestTokensBuilder<'a, T> {
    /// Custom claims, in both tokens (as [`Auth::create_login_tokens_with`] puts them).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::builder(&auth, "user1")
    ///     .claims(serde_json::json!({"tenant": "acme"}))
    ///     .mint()?;
    /// let claims: authjwt::Claims<serde_json::Value> =
    ///     auth.verify_token(tokens.refresh().as_str(), authjwt::claims::TokenType::Refresh)?;
    /// assert_eq!(claims.custom["tenant"], "acme");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn claims<U: Serialize + Clone>(self, claims: U) -> TestTokensBuilder<'a, U> {
        TestTokensBuilder {
            auth: self.auth,
            subject: self.subject,
            claims,
            fresh: self.fresh,
            access_at: self.access_at,
            refresh_at: self.refresh_at,
        }
    }

    /// Whether the access token is fresh (as after a login with a password). Defaults to
    /// `true`, like [`Auth::create_login_tokens`].
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::builder(&auth, "user1").fresh(false).mint()?;
    /// let claims: authjwt::Claims =
    ///     auth.verify_token(tokens.access().as_str(), authjwt::claims::TokenType::Access)?;
    /// assert!(!claims.fresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.fresh = fresh;
        self
    }

    /// The access token has expired (by a minute past the leeway), the refresh token is
    /// valid: what a client holds when it should refresh.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// use authjwt::{AuthError, Claims, claims::TokenType};
    /// let tokens = authjwt::testing::TestTokens::builder(&auth, "user1").access_expired().mint()?;
    /// let expired = auth.verify_token::<authjwt::claims::NoCustomClaims>(
    ///     tokens.access().as_str(), TokenType::Access);
    /// assert_eq!(expired.unwrap_err(), AuthError::TokenExpired);
    /// let _: Claims = auth.verify_token(tokens.refresh().as_str(), TokenType::Refresh)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_expired(mut self) -> Self {
        self.access_at = At::Expired;
        self
    }

    /// Both tokens have expired (by a minute past the leeway): the session is over.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// use authjwt::{AuthError, claims::{NoCustomClaims, TokenType}};
    /// let tokens = authjwt::testing::TestTokens::builder(&auth, "user1").expired().mint()?;
    /// let refresh = auth.verify_token::<NoCustomClaims>(tokens.refresh().as_str(), TokenType::Refresh);
    /// assert_eq!(refresh.unwrap_err(), AuthError::TokenExpired);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expired(mut self) -> Self {
        self.access_at = At::Expired;
        self.refresh_at = At::Expired;
        self
    }

    /// Both tokens are issued in the future (`iat` and `nbf` a minute past the leeway from
    /// now): refused with `token_not_yet_valid`, as a token from a server whose clock runs
    /// ahead would be.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// use authjwt::{AuthError, claims::{NoCustomClaims, TokenType}};
    /// let tokens = authjwt::testing::TestTokens::builder(&auth, "user1").not_yet_valid().mint()?;
    /// let access = auth.verify_token::<NoCustomClaims>(tokens.access().as_str(), TokenType::Access);
    /// assert_eq!(access.unwrap_err(), AuthError::TokenNotYetValid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn not_yet_valid(mut self) -> Self {
        self.access_at = At::NotYetValid;
        self.refresh_at = At::NotYetValid;
        self
    }

    /// Both tokens issued at `time`: `iat` and `nbf` are `time`, `exp` the configured
    /// lifetime later (a time before the Unix epoch counts as the epoch).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// use std::time::{Duration, SystemTime, UNIX_EPOCH};
    /// let ten_minutes_ago = SystemTime::now() - Duration::from_secs(600);
    /// let tokens = authjwt::testing::TestTokens::builder(&auth, "user1")
    ///     .issued_at(ten_minutes_ago)
    ///     .mint()?;
    /// let iat = ten_minutes_ago.duration_since(UNIX_EPOCH)?.as_secs();
    /// assert_eq!(tokens.access().issued_at(), iat);
    /// assert_eq!(tokens.access().expires_at(), Some(iat + 900)); // still valid: 15 minutes
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn issued_at(mut self, time: SystemTime) -> Self {
        let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.access_at = At::Unix(secs);
        self.refresh_at = At::Unix(secs);
        self
    }

    /// Creates the tokens, signed with the [`Auth`]'s key.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let tokens = authjwt::testing::TestTokens::builder(&auth, "user1").mint()?;
    /// assert!(tokens.access().expires_at().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mint(self) -> Result<TestTokens, TokenError> {
        let config = self.auth.config();
        let family = random_id();
        let refresh_csrf = config.csrf_protect().then(random_id);
        let options = |token_type: TokenType, at: At| {
            let lifetime = match token_type {
                TokenType::Access => config.access_expires(),
                TokenType::Refresh => config.refresh_expires(),
            };
            let margin = config.leeway.saturating_add(60);
            let (issued_at, expires_in) = match (at, lifetime) {
                (At::Now, _) => (now(), None),
                (At::Unix(secs), _) => (secs, None),
                (At::NotYetValid, _) => (now().saturating_add(margin), None),
                (At::Expired, Some(lifetime)) => (
                    now().saturating_sub(lifetime.as_secs().saturating_add(margin)),
                    None,
                ),
                // A configuration whose tokens never expire: this one does, a second after
                // it was issued.
                (At::Expired, None) => (
                    now().saturating_sub(margin.saturating_add(1)),
                    Some(Duration::from_secs(1)),
                ),
            };
            let csrf = match token_type {
                TokenType::Access => refresh_csrf.as_deref().map(access_csrf_for),
                TokenType::Refresh => refresh_csrf.clone(),
            };
            let mut options = TokenOptions::new()
                .fresh(self.fresh && token_type == TokenType::Access)
                .family(family.clone())
                .claims(self.claims.clone())
                .pinned(Pinned {
                    issued_at: Some(issued_at),
                    csrf,
                    session_end: config
                        .session_max_age
                        .map(|d| issued_at.saturating_add(d.as_secs())),
                    ..Pinned::default()
                });
            if let Some(d) = expires_in {
                options = options.expires_in(d);
            }
            options
        };
        let access = options(TokenType::Access, self.access_at);
        let refresh = options(TokenType::Refresh, self.refresh_at);
        let pair = TokenPair {
            access: self
                .auth
                .create_token(TokenType::Access, self.subject.clone(), access)?,
            refresh: self
                .auth
                .create_token(TokenType::Refresh, self.subject, refresh)?,
        };
        Ok(TestTokens::from_pair(self.auth, pair))
    }
}

/// A configuration with its own in-memory revocation store, and the store, to look into
/// from a test (how many entries a logout left, say).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use authjwt::{Claims, Config, claims::TokenType, testing};
/// let (auth, store) = testing::with_memory_store(
///     Config::builder().secret(b"an example secret of at least 32 bytes!"),
/// )?;
/// assert!(store.is_empty());
/// let tokens = testing::TestTokens::new(&auth, "user1")?;
/// let claims: Claims = auth.verify_token(tokens.access().as_str(), TokenType::Access)?;
/// auth.revoke(&claims).await?;
/// assert!(!store.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub fn with_memory_store(builder: ConfigBuilder) -> Result<(Auth, Arc<MemoryStore>), ConfigError> {
    let store = Arc::new(MemoryStore::new());
    let config = builder.revocation_store(store.clone()).build()?;
    Ok((Auth::new(config), store))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::error::AuthError;

    fn auth(builder: ConfigBuilder) -> Auth {
        Auth::new(
            builder
                .secret(b"an example secret of at least 32 bytes!")
                .build()
                .unwrap(),
        )
    }

    #[test]
    fn tokens_follow_the_configuration() {
        let a = auth(
            Config::builder()
                .token_location([crate::TokenLocation::Cookies])
                .access_cookie_name("a")
                .refresh_cookie_name("r")
                .access_csrf_header_name("X-A")
                .refresh_csrf_header_name("X-R")
                .header_type("Token"),
        );
        let t = TestTokens::new(&a, "u").unwrap();
        assert!(t.cookie_header().starts_with("a="));
        assert!(t.cookie_header().contains("; r="));
        assert_eq!(t.csrf_header().0, "x-a");
        assert_eq!(t.refresh_csrf_header().0, "x-r");
        assert!(t.bearer().starts_with("Token "));
        let no_csrf_cookies = auth(
            Config::builder()
                .token_location([crate::TokenLocation::Cookies])
                .csrf_in_cookies(false),
        );
        let t = TestTokens::new(&no_csrf_cookies, "u").unwrap();
        assert_eq!(t.cookie_header().split("; ").count(), 2);
        assert!(!t.csrf_header().1.is_empty());
        // Headers only: no CSRF value to send, and none needed.
        let headers = auth(Config::builder());
        let t = TestTokens::new(&headers, "u").unwrap();
        assert_eq!(t.csrf_header().1, "");
        assert_eq!(t.cookie_header().split("; ").count(), 2);
    }

    #[test]
    fn times_are_minted_as_asked() {
        let a = auth(
            Config::builder()
                .leeway(30)
                .session_max_age(Duration::from_secs(3600)),
        );
        let verify = |t: &IssuedToken, ty| {
            a.config()
                .verify::<NoCustomClaims>(t.as_str(), ty)
                .map(|_| ())
        };
        let t = TestTokens::builder(&a, "u")
            .access_expired()
            .mint()
            .unwrap();
        assert_eq!(
            verify(t.access(), TokenType::Access),
            Err(AuthError::TokenExpired)
        );
        assert_eq!(verify(t.refresh(), TokenType::Refresh), Ok(()));
        assert_eq!(
            t.access().csrf().map(str::to_owned),
            t.refresh().csrf().map(access_csrf_for)
        );
        let t = TestTokens::builder(&a, "u").expired().mint().unwrap();
        assert!(verify(t.refresh(), TokenType::Refresh).is_err());
        let t = TestTokens::builder(&a, "u").not_yet_valid().mint().unwrap();
        assert_eq!(
            verify(t.access(), TokenType::Access),
            Err(AuthError::TokenNotYetValid)
        );
        let forever = auth(
            Config::builder()
                .access_never_expires()
                .dangerous_allow_non_expiring_tokens(),
        );
        let t = TestTokens::builder(&forever, "u").expired().mint().unwrap();
        assert_eq!(
            forever
                .config()
                .verify::<NoCustomClaims>(t.access().as_str(), TokenType::Access)
                .map(|_| ()),
            Err(AuthError::TokenExpired)
        );
    }
}
