//! [`Auth`], the handle an application keeps: every public method in one place, each a
//! short delegate to the module that owns the behaviour (tokens, cookies, the request guard,
//! the session lifecycle, user lookup).

use std::sync::Arc;
#[cfg(any(feature = "axum", feature = "actix"))]
use {crate::middleware, std::time::Duration};

use http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::claims::{Claims, TokenType};
use crate::config::{Config, ConfigError};
use crate::error::{AuthError, AuthRejection};
use crate::guard::{Authenticated, Protection};
use crate::lifecycle::{LoginTokens, RefreshedTokens};
use crate::revoke::Session;
use crate::set_cookie::SetCookies;
use crate::tokens::TokenPair;
use crate::tokens::{IssuedToken, TokenError, TokenOptions};
use crate::user::CurrentUser;
use crate::{guard, lifecycle, sessions, set_cookie, tokens, user};

/// The handle an application keeps: the validated [`Config`] behind an `Arc`, cheap to clone.
///
/// It creates tokens ([`Auth::create_access_token`]), renders cookies
/// ([`Auth::set_access_cookies`]), verifies tokens ([`Auth::verify_token`]) and requests
/// ([`Auth::authenticate`]). The framework adapters take it as their state.
///
/// ```
/// use authjwt::{Auth, Config, TokenLocation};
///
/// let auth = Auth::new(
///     Config::builder()
///         .secret(b"an example secret of at least 32 bytes!")
///         .token_location([TokenLocation::Cookies])
///         .build()?,
/// );
/// let token = auth.create_access_token("user1")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Auth {
    pub(crate) config: Arc<Config>,
}

impl Auth {
    /// Wraps a validated configuration.
    ///
    /// ```
    /// use authjwt::{Auth, Config};
    /// let config = Config::builder().secret(b"an example secret of at least 32 bytes!").build()?;
    /// let auth = Auth::new(config);
    /// let handle = auth.clone(); // cheap: both share the one configuration
    /// assert_eq!(handle.config().access_cookie_name(), "access_token_cookie");
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn new(config: Config) -> Self {
        Self {
            config: Arc::new(config),
        }
    }

    /// Builds the configuration from the `JWT_*` environment variables
    /// ([`Config::from_env`]).
    ///
    /// ```
    /// # // SAFETY of the example: single-threaded doctest.
    /// # unsafe { std::env::remove_var("JWT_SECRET_KEY"); }
    /// match authjwt::Auth::from_env() {
    ///     Ok(auth) => println!("tokens are looked for in {:?}", auth.config().token_location()),
    ///     // Errors name the variable and the form it expects.
    ///     Err(err) => assert!(err.to_string().contains("JWT_SECRET_KEY")),
    /// }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Config::from_env().map(Self::new)
    }

    /// The configuration.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let config = auth.config();
    /// assert_eq!(config.access_expires(), Some(std::time::Duration::from_secs(15 * 60)));
    /// assert_eq!(config.token_location(), [authjwt::TokenLocation::Headers]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The JWKS document of the public verification keys (empty for HMAC).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// assert_eq!(auth.jwks()["keys"].as_array().unwrap().len(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn jwks(&self) -> serde_json::Value {
        self.config.keys.jwks()
    }

    /// Wraps `error` with this configuration's responder, for handlers that refuse a request
    /// themselves and want the same rendering as the extractors.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// // A handler that refuses a request itself, rendered like the extractors' rejections:
    /// let rejection = auth.reject(authjwt::AuthError::FreshTokenRequired);
    /// let resp = rejection.into_http_response();
    /// assert_eq!(resp.status(), 401);
    /// assert_eq!(resp.headers()["content-type"], "application/json");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reject(&self, error: AuthError) -> AuthRejection {
        crate::audit::rejected(self.config(), &error);
        AuthRejection::with_responder(error, self.config.responder.clone())
    }

    /// Renders an error the core has already traced, with this configuration's responder.
    pub(crate) fn rejection(&self, error: AuthError) -> AuthRejection {
        AuthRejection::with_responder(error, self.config.responder.clone())
    }

    /// The access cookie (HttpOnly) and its CSRF cookie (readable by scripts) for `token`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").cookie_secure(false)
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let cookies = auth.set_access_cookies(&token);
    /// let values = cookies.header_values();
    /// assert!(values[0].to_str()?.starts_with("access_token_cookie="));
    /// assert!(values[0].to_str()?.contains("HttpOnly"));
    /// assert!(values[1].to_str()?.starts_with("csrf_access_token="));
    /// assert!(!values[1].to_str()?.contains("HttpOnly"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_access_cookies(&self, token: &IssuedToken) -> SetCookies {
        set_cookie::set_access_cookies(self, token)
    }

    /// The refresh cookie and its CSRF cookie for `token`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let token = auth.create_refresh_token("user1")?;
    /// let cookies = auth.set_refresh_cookies(&token);
    /// let values = cookies.header_values();
    /// assert!(values[0].to_str()?.starts_with("refresh_token_cookie="));
    /// assert!(values[0].to_str()?.contains("HttpOnly"));
    /// assert!(values[1].to_str()?.starts_with("csrf_refresh_token="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_refresh_cookies(&self, token: &IssuedToken) -> SetCookies {
        set_cookie::set_refresh_cookies(self, token)
    }

    /// Deletes the access cookie and its CSRF cookie (`Max-Age=0`, same attributes).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let cookies = auth.unset_access_cookies();
    /// assert!(cookies.header_values()[0].to_str()?.contains("Max-Age=0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unset_access_cookies(&self) -> SetCookies {
        set_cookie::unset_access_cookies(self)
    }

    /// Deletes the refresh cookie and its CSRF cookie.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let cookies = auth.unset_refresh_cookies();
    /// let values = cookies.header_values();
    /// assert!(values[0].to_str()?.starts_with("refresh_token_cookie=;"));
    /// assert!(values[1].to_str()?.starts_with("csrf_refresh_token=;"));
    /// assert!(values[1].to_str()?.contains("Max-Age=0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unset_refresh_cookies(&self) -> SetCookies {
        set_cookie::unset_refresh_cookies(self)
    }

    /// Deletes all four cookies (seed 001's `unset_jwt_cookies`, AuthX's `unset_cookies`).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let mut response = http::Response::new(()); // the logout response
    /// auth.unset_cookies().apply(response.headers_mut());
    /// assert_eq!(response.headers().get_all("set-cookie").iter().count(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unset_cookies(&self) -> SetCookies {
        set_cookie::unset_cookies(self)
    }

    /// Authenticates a request like [`Auth::authenticate`], then loads its user with the
    /// [`UserLookup`](crate::user::UserLookup) registered for `U`: what the [`CurrentUser`](crate::user::CurrentUser) extractors do, for any
    /// [`Protection`] (fresh, optional, a refresh token that is not rotated). `Ok(None)`
    /// only when the protection is optional and no token is present.
    ///
    /// With rotation ([`Auth::refresh`]), look the user up *after* it, with
    /// [`Auth::lookup_user`] on the used token: the rotation spends the refresh token, and a
    /// lookup before it would answer a replayed token `token_revoked` before the rotation
    /// could detect the reuse and end the session.
    ///
    /// ```
    /// # #[derive(Debug)] struct User;
    /// # async fn settings(auth: authjwt::Auth, parts: http::request::Parts) -> Result<(), authjwt::AuthError> {
    /// // With a `UserLookup` registered for `User` (see `authjwt::user`):
    /// let user = auth.authenticate_user::<User>(&parts, &authjwt::Protection::fresh_access()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_user<U: Send + Sync + 'static>(
        &self,
        parts: &Parts,
        protection: &Protection,
    ) -> Result<Option<CurrentUser<U>>, AuthError> {
        user::authenticate_user(self, parts, protection).await
    }

    /// Loads the user of a token that has already passed every check, with the
    /// [`UserLookup`](crate::user::UserLookup) registered for `U`: the refresh token a rotation used up
    /// ([`RefreshedTokens::used`](crate::tokens::RefreshedTokens::used)), so that a deleted user
    /// cannot refresh either. Taking an [`Authenticated`] makes sure of that: only the
    /// authentication paths make one. The token is read again with the lookup's claims type
    /// (its revocation is not checked again: a rotation has just spent it). Errors as
    /// [`Auth::authenticate_user`]: 401 `user_not_found`, 503 `user_lookup_unavailable`,
    /// 500 `auth_misconfigured`.
    ///
    /// ```
    /// # #[derive(Debug)] struct User;
    /// # use authjwt::{AuthError, Protection, claims::NoCustomClaims};
    /// # async fn refresh(auth: authjwt::Auth, parts: http::request::Parts) -> Result<(), AuthError> {
    /// // A refresh handler: rotate, then refuse the new tokens unless the user still exists.
    /// let next = auth.refresh::<NoCustomClaims>(&parts, &Protection::refresh()).await?;
    /// let user: User = auth.lookup_user(&next.used).await?; // 401 user_not_found if deleted
    /// # Ok(()) }
    /// ```
    pub async fn lookup_user<U: Send + Sync + 'static, T>(
        &self,
        token: &Authenticated<T>,
    ) -> Result<U, AuthError> {
        user::lookup_user(self, token).await
    }

    /// Authenticates a request: finds the token, refuses cross-site requests, verifies the
    /// token, checks freshness and the CSRF double submit. `Ok(None)` only when the
    /// protection is optional and no token is present.
    ///
    /// The adapters call this; use it directly in a framework without an adapter, or in a
    /// handler that decides itself (seed 002's `get_access_token_from_request` +
    /// `verify_token`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let (parts, _) = http::Request::get("/protected")
    ///     .header("authorization", format!("Bearer {token}")).body(())?.into_parts();
    /// let found = auth.authenticate::<authjwt::claims::NoCustomClaims>(&parts, &authjwt::Protection::access()).await?;
    /// assert_eq!(found.unwrap().subject(), "user1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn authenticate<T: DeserializeOwned>(
        &self,
        parts: &Parts,
        protection: &Protection,
    ) -> Result<Option<Authenticated<T>>, AuthError> {
        guard::authenticate(self, parts, protection).await
    }

    /// The cross-origin check alone, for unsafe routes that carry no token yet, like
    /// `POST /login` (login CSRF). Safe methods always pass.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let (parts, _) = http::Request::post("/login")
    ///     .header("sec-fetch-site", "cross-site")
    ///     .body(())?
    ///     .into_parts();
    /// assert_eq!(auth.check_origin(&parts), Err(authjwt::AuthError::CrossSiteRequest));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_origin(&self, parts: &Parts) -> Result<(), AuthError> {
        crate::csrf::check_origin(self.config(), parts)
            .inspect_err(|e| crate::audit::rejected(self.config(), e))
    }

    /// Creates the tokens of a login: a fresh access token and a refresh token sharing a
    /// new family id.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// assert!(login.access.family().is_some());
    /// assert_eq!(login.access.family(), login.refresh.family());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_login_tokens(
        &self,
        subject: impl Into<String>,
    ) -> Result<LoginTokens, TokenError> {
        lifecycle::create_login_tokens(self, subject)
    }

    /// [`Auth::create_login_tokens`] with custom claims in both tokens (they are carried
    /// over on every refresh).
    ///
    /// ```
    /// use authjwt::{Claims, claims::TokenType};
    /// #[derive(Clone, serde::Serialize, serde::Deserialize)]
    /// struct Tenant { tenant: String }
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let login = auth.create_login_tokens_with("user1", Tenant { tenant: "acme".into() })?;
    /// let claims: Claims<Tenant> = auth.verify_token(login.refresh.as_str(), TokenType::Refresh)?;
    /// assert_eq!(claims.custom.tenant, "acme");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_login_tokens_with<T: Serialize + Clone>(
        &self,
        subject: impl Into<String>,
        claims: T,
    ) -> Result<LoginTokens, TokenError> {
        lifecycle::create_login_tokens_with(self, subject, claims)
    }

    /// Refresh with rotation (OAuth 2.0 Security BCP 4.14): verifies the refresh token
    /// (including its CSRF header when it came from a cookie) and issues a new access token
    /// and the refresh token's one successor, in the same session (family), carrying the
    /// custom claims and the session's CSRF value over.
    ///
    /// Each refresh token has exactly one successor. Presented again within the reuse window
    /// ([`ConfigBuilder::refresh_reuse_window`](crate::ConfigBuilder::refresh_reuse_window),
    /// 30 s by default) after its first rotation (two tabs, a retry after a lost response, on
    /// any instance sharing the store), it answers with that *same* successor (the same token
    /// value) and a valid access token. Presented after the window, or when it is older than
    /// the previous token, it ends the whole session: [`AuthError::RefreshTokenReused`]. A
    /// session that was ended (logout, revocation, reuse) answers [`AuthError::TokenRevoked`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{AuthError, Protection, claims::NoCustomClaims};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?); // 30 s reuse window
    /// let login = auth.create_login_tokens("user1")?;
    /// let request = |token: &str| http::Request::post("/refresh")
    ///     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let refresh = |token: String| {
    ///     let auth = auth.clone();
    ///     async move { auth.refresh::<NoCustomClaims>(&request(&token), &Protection::refresh()).await }
    /// };
    /// let first = refresh(login.refresh.to_string()).await?;
    /// assert_eq!(first.used.subject(), "user1");
    /// // Another tab presents the same token a moment later: the same successor.
    /// let second = refresh(login.refresh.to_string()).await?;
    /// assert_eq!(second.refresh.as_str(), first.refresh.as_str());
    /// // The chain goes on from the successor; its predecessor's predecessor is reuse.
    /// let next = refresh(first.refresh.to_string()).await?;
    /// let reused = refresh(login.refresh.to_string()).await;
    /// assert_eq!(reused.unwrap_err(), AuthError::RefreshTokenReused);
    /// // The whole session is ended.
    /// assert_eq!(refresh(next.refresh.to_string()).await.unwrap_err(), AuthError::TokenRevoked);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn refresh<T: DeserializeOwned + Serialize + Clone>(
        &self,
        parts: &Parts,
        protection: &Protection,
    ) -> Result<RefreshedTokens<T>, AuthError> {
        lifecycle::refresh(self, parts, protection).await
    }

    /// Logout that revokes: authenticates the access token (with its CSRF header when it came
    /// from a cookie) or, when the access token is missing or expired, the refresh token
    /// (with the refresh CSRF header); then revokes the presented access token, the refresh
    /// token and their family, and returns the `Set-Cookie` headers that clear all four
    /// cookies. Other sessions of the same user stay valid.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, TokenLocation, AuthError, Protection, claims::NoCustomClaims};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Headers]).build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// let request = || http::Request::post("/logout")
    ///     .header("authorization", format!("Bearer {}", login.access))
    ///     .body(()).unwrap().into_parts().0;
    /// let cookies = auth.logout(&request()).await?;
    /// assert_eq!(cookies.header_values().len(), 4);
    /// let again = auth.authenticate::<NoCustomClaims>(&request(), &Protection::access()).await;
    /// assert_eq!(again.unwrap_err(), AuthError::TokenRevoked);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn logout(&self, parts: &Parts) -> Result<SetCookies, AuthError> {
        lifecycle::logout(self, parts).await
    }

    /// Revokes one verified token (until it expires) and, when it has one, its family.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenType, Claims};
    /// # let auth = Auth::new(Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// auth.revoke(&claims).await?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn revoke<T>(&self, claims: &Claims<T>) -> Result<(), AuthError> {
        lifecycle::revoke(self, claims).await
    }

    /// Revokes every token of `subject` issued up to now (after a password change): access
    /// and refresh tokens alike, on every instance sharing the store.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenType, Claims, AuthError, NoCustomClaims};
    /// # let auth = Auth::new(Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// auth.revoke_all("user1").await?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// // verify_token checks the signature only; the guard consults the store:
    /// # let (parts, _) = http::Request::get("/").header("authorization", format!("Bearer {token}")).body(())?.into_parts();
    /// let err = auth.authenticate::<NoCustomClaims>(&parts, &authjwt::Protection::access()).await;
    /// assert_eq!(err.unwrap_err(), AuthError::TokenRevoked);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn revoke_all(&self, subject: &str) -> Result<(), AuthError> {
        lifecycle::revoke_all(self, subject).await
    }

    /// Creates an access token for `subject` with the configured lifetime.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: authjwt::Claims = auth.verify_token(token.as_str(), authjwt::claims::TokenType::Access)?;
    /// assert_eq!(claims.sub, "user1");
    /// assert!(!claims.fresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_access_token(
        &self,
        subject: impl Into<String>,
    ) -> Result<IssuedToken, TokenError> {
        tokens::create_access_token(self, subject)
    }

    /// Creates a refresh token for `subject` with the configured lifetime.
    ///
    /// ```
    /// use authjwt::{Claims, claims::{NoCustomClaims, TokenType}};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_refresh_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Refresh)?;
    /// assert_eq!(claims.exp, Some(claims.iat + 30 * 24 * 3600));
    /// // A refresh token never passes for an access token.
    /// assert!(auth.verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_refresh_token(
        &self,
        subject: impl Into<String>,
    ) -> Result<IssuedToken, TokenError> {
        tokens::create_refresh_token(self, subject)
    }

    /// Creates a token with options: fresh, expiry override, custom claims, extra headers.
    ///
    /// ```
    /// use authjwt::{Claims, claims::TokenType, tokens::TokenOptions};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize)]
    /// struct Roles { roles: Vec<String> }
    ///
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().fresh(true).claims(Roles { roles: vec!["admin".into()] });
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let claims: Claims<Roles> = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert!(claims.fresh);
    /// assert_eq!(claims.custom.roles, ["admin"]);
    ///
    /// // Reserved names cannot be overwritten.
    /// let evil = TokenOptions::new().claims(serde_json::json!({"sub": "admin"}));
    /// assert!(auth.create_token(TokenType::Access, "user1", evil).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_token<T: Serialize>(
        &self,
        token_type: TokenType,
        subject: impl Into<String>,
        options: TokenOptions<T>,
    ) -> Result<IssuedToken, TokenError> {
        tokens::create_token(self, token_type, subject, options)
    }

    /// Verifies a token found by the application itself (seed 002's
    /// `auth.verify_token(token, verify_csrf=False)`): signature, algorithm, `kid`, expiry,
    /// issuer, audience and type. No CSRF, freshness or revocation check: use the guard
    /// ([`Auth::authenticate`]) for requests.
    ///
    /// ```
    /// use authjwt::{Claims, claims::{NoCustomClaims, TokenType}};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert_eq!(claims.sub, "user1");
    /// let tampered = format!("{}x", token.as_str());
    /// let err = auth.verify_token::<NoCustomClaims>(&tampered, TokenType::Access).unwrap_err();
    /// assert_eq!(err.code(), "invalid_token");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_token<T: DeserializeOwned>(
        &self,
        token: &str,
        expected: TokenType,
    ) -> Result<Claims<T>, AuthError> {
        tokens::verify_token(self, token, expected)
    }

    /// Signs a user in: a new session (token family) with its remember-me choice, user
    /// agent and label, recorded in the session registry, and an absolute end when
    /// [`ConfigBuilder::session_max_age`](crate::ConfigBuilder::session_max_age) is set. The
    /// tokens are those of [`Auth::create_login_tokens`]; their
    /// [`cookies`](TokenPair::cookies) follow the remember-me choice. 503
    /// `revocation_unavailable` when the registry cannot be written.
    ///
    /// ```
    /// use authjwt::sessions::Login;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let tokens = auth.login(Login::new("user1").user_agent("curl/8.5.0")).await?;
    /// let listed = auth.sessions_of("user1").await?;
    /// assert_eq!(listed[0].id, tokens.refresh.family().unwrap());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn login<T: Serialize + Clone>(
        &self,
        login: sessions::Login<T>,
    ) -> Result<TokenPair, AuthError> {
        sessions::login(self, login).await
    }

    /// The live sessions of the caller's subject, newest first, the caller's own marked
    /// [`current`](Session::current). Ended and expired sessions are not listed.
    ///
    /// ```
    /// # use authjwt::{Protection, sessions::Login};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let phone = auth.login(Login::new("user1").label("phone")).await?;
    /// let laptop = auth.login(Login::new("user1").label("laptop")).await?;
    /// let (req, _) = http::Request::get("/sessions")
    ///     .header("authorization", format!("Bearer {}", laptop.access)).body(())?.into_parts();
    /// let caller = auth.authenticate::<authjwt::claims::NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// let listed = auth.sessions(&caller).await?;
    /// assert_eq!(listed.len(), 2);
    /// assert!(listed.iter().any(|s| s.current && s.label.as_deref() == Some("laptop")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn sessions<T>(&self, caller: &Authenticated<T>) -> Result<Vec<Session>, AuthError> {
        sessions::sessions(self, caller).await
    }

    /// The live sessions of `subject`, newest first (for an administrator's view; none is
    /// marked current).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// assert!(auth.sessions_of("nobody").await?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn sessions_of(&self, subject: &str) -> Result<Vec<Session>, AuthError> {
        sessions::sessions_of(self, subject).await
    }

    /// Ends one of the caller's sessions (sign out that device): its refresh tokens are
    /// refused at once, its access tokens wherever the revocation store reaches. An id that
    /// is not one of the caller's live sessions answers 404 `session_not_found`.
    ///
    /// ```
    /// # use authjwt::{AuthError, Protection, sessions::Login};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let other = auth.login(Login::new("user1")).await?;
    /// let mine = auth.login(Login::new("user1")).await?;
    /// # let (req, _) = http::Request::get("/").header("authorization", format!("Bearer {}", mine.access)).body(())?.into_parts();
    /// # let caller = auth.authenticate::<authjwt::claims::NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// auth.end_session(&caller, other.refresh.family().unwrap()).await?;
    /// assert_eq!(auth.end_session(&caller, "unknown").await, Err(AuthError::SessionNotFound));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn end_session<T>(
        &self,
        caller: &Authenticated<T>,
        session: &str,
    ) -> Result<(), AuthError> {
        sessions::end_session(self, caller, session).await
    }

    /// Ends every session of the caller's subject but the caller's own ("sign out other
    /// devices") and answers how many were ended. [`Auth::revoke_all`] ends them all.
    ///
    /// ```
    /// # use authjwt::{Protection, sessions::Login};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # auth.login(Login::new("user1")).await?;
    /// # let mine = auth.login(Login::new("user1")).await?;
    /// # let (req, _) = http::Request::get("/").header("authorization", format!("Bearer {}", mine.access)).body(())?.into_parts();
    /// # let caller = auth.authenticate::<authjwt::claims::NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// assert_eq!(auth.end_other_sessions(&caller).await?, 1);
    /// assert_eq!(auth.sessions(&caller).await?.len(), 1); // the caller's own
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn end_other_sessions<T>(
        &self,
        caller: &Authenticated<T>,
    ) -> Result<usize, AuthError> {
        sessions::end_other_sessions(self, caller).await
    }

    /// The outermost layer of an axum app using the extractors: a
    /// [`ProvideAuthLayer`](crate::axum::ProvideAuthLayer) that makes this [`Auth`] available.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app: axum::Router = axum::Router::new().layer(auth.layer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn layer(&self) -> middleware::ProvideAuth {
        middleware::ProvideAuth { auth: self.clone() }
    }

    /// A [`RequireAuthLayer`](crate::axum::RequireAuthLayer) guarding the routes it wraps
    /// with `protection` (see [`RequireAuth`](middleware::RequireAuth) for the order of layers).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let admin: axum::Router = axum::Router::new()
    ///     .route("/admin", axum::routing::get(|| async { "admin" }))
    ///     .route_layer(auth.require(authjwt::Protection::fresh_access()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn require(&self, protection: Protection) -> middleware::RequireAuth {
        middleware::RequireAuth { protection }
    }

    /// A [`CrossOriginLayer`](crate::axum::CrossOriginLayer): cross-site unsafe requests get
    /// 403, for routes without a token such as `POST /login`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app: axum::Router = axum::Router::new().layer(auth.cross_origin_layer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn cross_origin_layer(&self) -> middleware::CrossOrigin {
        middleware::CrossOrigin { auth: self.clone() }
    }

    /// An [`ImplicitRefreshLayer`](crate::axum::ImplicitRefreshLayer): renews the access
    /// cookie of a request whose access token expires within `window`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let renew = auth.implicit_refresh_layer(std::time::Duration::from_secs(300));
    /// let app: axum::Router = axum::Router::new().layer(renew).layer(auth.layer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn implicit_refresh_layer(&self, window: Duration) -> middleware::ImplicitRefresh {
        middleware::ImplicitRefresh {
            auth: self.clone(),
            window,
        }
    }

    /// The middleware of an actix-web app using the extractors:
    /// [`ProvideAuth`](crate::actix::ProvideAuth). Register it last, so that it runs first.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app = actix_web::App::new().wrap(auth.middleware());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "actix")]
    #[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
    pub fn middleware(&self) -> middleware::ProvideAuth {
        middleware::ProvideAuth { auth: self.clone() }
    }

    /// [`RequireAuth`](crate::actix::RequireAuth) middleware guarding a scope with
    /// `protection`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let guard = auth.require_middleware(authjwt::Protection::access());
    /// let scope = actix_web::web::scope("/group").wrap(guard);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "actix")]
    #[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
    pub fn require_middleware(&self, protection: Protection) -> middleware::RequireAuth {
        middleware::RequireAuth { protection }
    }

    /// [`CrossOrigin`](crate::actix::CrossOrigin) middleware: cross-site unsafe requests
    /// get 403.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app = actix_web::App::new().wrap(auth.cross_origin_middleware());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "actix")]
    #[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
    pub fn cross_origin_middleware(&self) -> middleware::CrossOrigin {
        middleware::CrossOrigin { auth: self.clone() }
    }

    /// [`ImplicitRefresh`](crate::actix::ImplicitRefresh) middleware: renews the access
    /// cookie of a request whose access token expires within `window`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let renew = auth.implicit_refresh_middleware(std::time::Duration::from_secs(300));
    /// let app = actix_web::App::new().wrap(renew).wrap(auth.middleware());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "actix")]
    #[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
    pub fn implicit_refresh_middleware(&self, window: Duration) -> middleware::ImplicitRefresh {
        middleware::ImplicitRefresh {
            auth: self.clone(),
            window,
        }
    }
}
