//! The request path in one place: locate → cross-origin check → verify → freshness → CSRF.
//! Every framework adapter calls [`Auth::authenticate`]; no check is written twice.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use http::HeaderValue;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::claims::now_ms;
use crate::claims::{Claims, NoCustomClaims, TokenType};
use crate::config::TokenLocation;
use crate::csrf::{
    check_double_submit, check_origin_headers, method_needs_csrf, needs_origin_check,
};
use crate::error::{AuthError, InvalidReason};
use crate::locate::locate;
use crate::revoke::{StoreError, TokenRef};

/// What a route requires: which token type, whether it must be fresh, whether it is
/// optional, and per-route overrides of the token locations and the CSRF check.
///
/// The framework extractors build one from their type (`AccessToken`, `FreshAccessToken`, …)
/// and apply the route's overrides, set with [`RouteOptions`].
///
/// ```
/// use authjwt::{Protection, TokenLocation};
///
/// // Seed 002's webhook: an access token, no CSRF check.
/// let webhook = Protection::access().verify_csrf(false);
/// // Seed 002's dual strategy: the access token from the Authorization header only.
/// let dual = Protection::access().locations([TokenLocation::Headers]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Protection {
    pub(crate) token_type: TokenType,
    pub(crate) fresh: bool,
    pub(crate) optional: bool,
    pub(crate) verify_csrf: bool,
    pub(crate) locations: Option<Arc<[TokenLocation]>>,
    pub(crate) origin_on_safe_methods: bool,
}

impl Protection {
    /// A valid access token is required.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let login = auth.create_login_tokens("user1")?;
    /// let (access, refresh) = (bearer(&login.access), bearer(&login.refresh));
    /// let found = auth.authenticate::<NoCustomClaims>(&access, &Protection::access()).await?;
    /// assert_eq!(found.unwrap().subject(), "user1");
    /// // A refresh token is no access token.
    /// let refused = auth.authenticate::<NoCustomClaims>(&refresh, &Protection::access()).await;
    /// assert_eq!(refused.unwrap_err().code(), "wrong_token_type");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn access() -> Self {
        Self {
            token_type: TokenType::Access,
            fresh: false,
            optional: false,
            verify_csrf: true,
            locations: None,
            origin_on_safe_methods: false,
        }
    }

    /// A valid, fresh access token is required.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let login = auth.create_login_tokens("user1")?; // fresh: the user just logged in
    /// let later = auth.create_access_token("user1")?; // like a refreshed token: not fresh
    /// let fresh = Protection::fresh_access();
    /// assert!(auth.authenticate::<NoCustomClaims>(&bearer(&login.access), &fresh).await.is_ok());
    /// let refused = auth.authenticate::<NoCustomClaims>(&bearer(&later), &fresh).await;
    /// assert_eq!(refused.unwrap_err(), AuthError::FreshTokenRequired);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn fresh_access() -> Self {
        Self {
            fresh: true,
            ..Self::access()
        }
    }

    /// A valid refresh token is required.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let login = auth.create_login_tokens("user1")?;
    /// let req = bearer(&login.refresh);
    /// let found = auth.authenticate::<NoCustomClaims>(&req, &Protection::refresh()).await?;
    /// assert_eq!(found.unwrap().claims().token_type, authjwt::claims::TokenType::Refresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn refresh() -> Self {
        Self {
            token_type: TokenType::Refresh,
            ..Self::access()
        }
    }

    /// No token is fine; a token that is present must be valid.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let optional = Protection::access().optional();
    /// let (guest, _) = http::Request::get("/").body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&guest, &optional).await?.is_none());
    /// // A token that is present must still be valid.
    /// let bad = http::Request::get("/").header("authorization", "Bearer x.y.z").body(())?;
    /// let refused = auth.authenticate::<NoCustomClaims>(&bad.into_parts().0, &optional).await;
    /// assert_eq!(refused.unwrap_err().code(), "invalid_token");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// ⚠️ `false` skips the CSRF double-submit and Origin checks for this route (seed 002's
    /// `verify_csrf=False`, for webhooks). Defaults to `true`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let token = auth.create_access_token("service")?;
    /// let (webhook, _) = http::Request::post("/webhook")
    ///     .header("cookie", format!("access_token_cookie={token}")) // and no CSRF header
    ///     .body(())?.into_parts();
    /// let strict = auth.authenticate::<NoCustomClaims>(&webhook, &Protection::access()).await;
    /// assert_eq!(strict.unwrap_err(), AuthError::CsrfMissing);
    /// let relaxed = Protection::access().verify_csrf(false);
    /// assert!(auth.authenticate::<NoCustomClaims>(&webhook, &relaxed).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn verify_csrf(mut self, verify: bool) -> Self {
        self.verify_csrf = verify;
        self
    }

    /// Looks for the token only in these locations, in this order, instead of the
    /// configured ones (seed 002's `locations=["headers"]`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([TokenLocation::Headers, TokenLocation::Cookies]).build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let (parts, _) = http::Request::get("/")
    ///     .header("cookie", format!("access_token_cookie={token}"))
    ///     .body(())?.into_parts();
    /// let header_only = Protection::access().locations([TokenLocation::Headers]);
    /// let refused = auth.authenticate::<NoCustomClaims>(&parts, &header_only).await;
    /// assert_eq!(refused.unwrap_err(), AuthError::MissingToken); // the cookie is not looked at
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn locations(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.locations = Some(locations.into_iter().collect());
        self
    }

    /// `true` applies the Origin / Sec-Fetch-Site check (403 `cross_site_request`) to a
    /// cookie-borne token on every method, GET, HEAD and OPTIONS included, for routes whose
    /// safe requests are not harmless to answer to another site. WebSocket upgrades get the
    /// check whatever this says. Defaults to `false`; no effect with `verify_csrf(false)`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let cookie = format!("access_token_cookie={}", auth.create_access_token("user1")?);
    /// let (read, _) = http::Request::get("/export")
    ///     .header("cookie", cookie)
    ///     .header("sec-fetch-site", "cross-site")
    ///     .body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&read, &Protection::access()).await.is_ok());
    /// let strict = Protection::access().check_origin_on_safe_methods(true);
    /// let refused = auth.authenticate::<NoCustomClaims>(&read, &strict).await;
    /// assert_eq!(refused.unwrap_err(), AuthError::CrossSiteRequest);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn check_origin_on_safe_methods(mut self, on: bool) -> Self {
        self.origin_on_safe_methods = on;
        self
    }

    /// Applies a route's overrides.
    pub(crate) fn with_route(mut self, route: Option<&RouteOptions>) -> Self {
        if let Some(route) = route {
            if let Some(on) = route.origin_on_safe_methods {
                self.origin_on_safe_methods = on;
            }
            if let Some(verify) = route.verify_csrf {
                self.verify_csrf = verify;
            }
            if let Some(locations) = &route.locations {
                self.locations = Some(locations.clone());
            }
        }
        self
    }
}

/// Per-route overrides for the extractors, attached to a route as a layer (axum:
/// `.route(..., post(handler).layer(RouteOptions::new()...))`; actix: `.wrap(...)`).
///
/// ```
/// use authjwt::{RouteOptions, TokenLocation};
/// let webhook = RouteOptions::new().verify_csrf(false);
/// let header_only = RouteOptions::new().locations([TokenLocation::Headers]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct RouteOptions {
    pub(crate) verify_csrf: Option<bool>,
    pub(crate) locations: Option<Arc<[TokenLocation]>>,
    pub(crate) origin_on_safe_methods: Option<bool>,
}

impl RouteOptions {
    /// No overrides.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// use authjwt::{RouteOptions, TokenLocation, axum::AccessToken};
    /// use axum::{Router, routing::get};
    /// let options = RouteOptions::new().locations([TokenLocation::Headers]);
    /// let me = get(|AccessToken(user): AccessToken| async move { user.subject().to_owned() });
    /// let app: Router = Router::new().route("/api/me", me.layer(options));
    /// # }
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// ⚠️ `false` exempts the route from the CSRF double-submit and Origin checks.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use tower::ServiceExt;
    /// use authjwt::{RouteOptions, axum::AccessToken};
    /// use axum::{Router, body::Body, routing::post};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let webhook = post(|_: AccessToken| async {}).layer(RouteOptions::new().verify_csrf(false));
    /// let app: Router = Router::new().route("/webhook", webhook).layer(auth.layer());
    /// let cookie = format!("access_token_cookie={}", auth.create_access_token("service")?);
    /// let req = http::Request::post("/webhook").header("cookie", cookie); // no CSRF header
    /// assert_eq!(app.oneshot(req.body(Body::empty())?).await?.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn verify_csrf(mut self, verify: bool) -> Self {
        self.verify_csrf = Some(verify);
        self
    }

    /// The token locations for this route, in order.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use tower::ServiceExt;
    /// use authjwt::{RouteOptions, TokenLocation, axum::AccessToken};
    /// use axum::{Router, body::Body, routing::get};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let options = RouteOptions::new().locations([TokenLocation::Headers]);
    /// let app: Router = Router::new()
    ///     .route("/api/me", get(|_: AccessToken| async {}).layer(options))
    ///     .layer(auth.layer());
    /// let cookie = format!("access_token_cookie={}", auth.create_access_token("user1")?);
    /// let req = http::Request::get("/api/me").header("cookie", cookie);
    /// assert_eq!(app.oneshot(req.body(Body::empty())?).await?.status(), 401);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn locations(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.locations = Some(locations.into_iter().collect());
        self
    }

    /// `true` refuses cross-site requests to this route on every method, GET included
    /// ([`Protection::check_origin_on_safe_methods`]), for a cookie-borne token.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use tower::ServiceExt;
    /// use authjwt::{RouteOptions, axum::AccessToken};
    /// use axum::{Router, body::Body, routing::get};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let strict = RouteOptions::new().check_origin_on_safe_methods(true);
    /// let app: Router = Router::new()
    ///     .route("/export", get(|_: AccessToken| async {}).layer(strict))
    ///     .layer(auth.layer());
    /// let cookie = format!("access_token_cookie={}", auth.create_access_token("user1")?);
    /// let req = http::Request::get("/export").header("cookie", cookie).header("sec-fetch-site", "cross-site");
    /// assert_eq!(app.oneshot(req.body(Body::empty())?).await?.status(), 403);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn check_origin_on_safe_methods(mut self, on: bool) -> Self {
        self.origin_on_safe_methods = Some(on);
        self
    }
}

/// A verified token: its claims, where it was found, and the raw token.
///
/// ```
/// # fn show(auth: authjwt::Authenticated) {
/// let user: &str = auth.subject();
/// let jti: &str = auth.jti();
/// let fresh: bool = auth.claims().fresh;
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Authenticated<T = NoCustomClaims> {
    claims: Claims<T>,
    location: TokenLocation,
    token: TokenText,
}

/// The compact token as presented. A token found in a header is kept as a clone of that
/// header's value (a reference count, no copy) with its position; only tokens that had to be
/// decoded (query string) or came from the body are owned. With hyper, the header value
/// shares the request's read buffer, which stays allocated while the `Authenticated` lives:
/// handlers that keep it beyond the request should keep the claims instead.
#[derive(Clone)]
enum TokenText {
    InHeader {
        value: HeaderValue,
        range: Range<usize>,
    },
    Owned(Box<str>),
}

impl TokenText {
    /// Keeps `token` as its position in `carrier`, the header value locate cut it from, or
    /// as its own string when it was not cut from one.
    fn new(token: Cow<'_, str>, carrier: Option<(&HeaderValue, Range<usize>)>) -> Self {
        match (token, carrier) {
            (Cow::Borrowed(_), Some((value, range))) => Self::InHeader {
                value: value.clone(),
                range,
            },
            (token, _) => Self::Owned(token.into_owned().into_boxed_str()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // The range was cut from a `&str` borrowed from this value: always valid UTF-8.
            Self::InHeader { value, range } => value
                .as_bytes()
                .get(range.clone())
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Self::Owned(token) => token,
        }
    }
}

impl std::fmt::Debug for TokenText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<T> Authenticated<T> {
    /// The claims.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let token = auth.create_access_token("user1")?;
    /// let req = bearer(&token);
    /// let user = auth.authenticate::<NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// assert_eq!(user.claims().exp, Some(user.claims().iat + 15 * 60));
    /// assert!(!user.claims().fresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn claims(&self) -> &Claims<T> {
        &self.claims
    }

    /// Consumes `self`, returning the claims.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let token = auth.create_access_token("user1")?;
    /// let req = bearer(&token);
    /// let user = auth.authenticate::<NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// let claims: authjwt::Claims = user.into_claims();
    /// assert_eq!(claims.sub, "user1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn into_claims(self) -> Claims<T> {
        self.claims
    }

    /// The application's own claims.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// # use authjwt::{TokenOptions, TokenType};
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Roles { roles: Vec<String> }
    /// let opts = TokenOptions::new().claims(Roles { roles: vec!["admin".into()] });
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let req = bearer(&token);
    /// let user = auth.authenticate::<Roles>(&req, &Protection::access()).await?.unwrap();
    /// assert_eq!(user.custom().roles, ["admin"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn custom(&self) -> &T {
        &self.claims.custom
    }

    /// The subject (`sub`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let token = auth.create_access_token("user1")?;
    /// let req = bearer(&token);
    /// let user = auth.authenticate::<NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// assert_eq!(user.subject(), "user1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn subject(&self) -> &str {
        &self.claims.sub
    }

    /// The token id (`jti`).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let token = auth.create_access_token("user1")?;
    /// let req = bearer(&token);
    /// let user = auth.authenticate::<NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// assert_eq!(user.jti(), token.jti()); // what revoking this one token takes
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn jti(&self) -> &str {
        self.claims.jti()
    }

    /// Where the token was found.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let token = auth.create_access_token("user1")?;
    /// let req = bearer(&token);
    /// let user = auth.authenticate::<NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// assert_eq!(user.location(), TokenLocation::Headers);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn location(&self) -> TokenLocation {
        self.location
    }

    /// The compact token, as presented (for example to revoke it at logout).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{AuthError, NoCustomClaims, Protection, TokenLocation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let bearer = |token: &authjwt::tokens::IssuedToken| http::Request::get("/")
    /// #     .header("authorization", format!("Bearer {token}")).body(()).unwrap().into_parts().0;
    /// let token = auth.create_access_token("user1")?;
    /// let req = bearer(&token);
    /// let user = auth.authenticate::<NoCustomClaims>(&req, &Protection::access()).await?.unwrap();
    /// assert_eq!(user.token(), token.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn token(&self) -> &str {
        self.token.as_str()
    }

    /// The same token with its custom claims replaced by `f` of them.
    pub(crate) fn map_custom<U>(self, f: impl FnOnce(T) -> U) -> Authenticated<U> {
        Authenticated {
            claims: self.claims.map_custom(f),
            location: self.location,
            token: self.token,
        }
    }
}

/// What the framework extractors obtain from the core once they have found the [`Auth`] and
/// applied the route's options: a verified token ([`Authenticated`]), or a verified token
/// and its user ([`CurrentUser`](crate::user::CurrentUser)). The adapters have one path for all of
/// them (find the `Auth`, apply [`RouteOptions`], call this, render the error), so adding
/// what an extractor yields never duplicates a check. `Ok(None)`: the protection is
/// optional and no token is present. Errors are already traced.
pub(crate) trait Extract: Sized {
    fn extract(
        auth: &Auth,
        parts: &Parts,
        protection: &Protection,
    ) -> impl Future<Output = Result<Option<Self>, AuthError>>;
}

impl<T: DeserializeOwned> Extract for Authenticated<T> {
    fn extract(
        auth: &Auth,
        parts: &Parts,
        protection: &Protection,
    ) -> impl Future<Output = Result<Option<Self>, AuthError>> {
        auth.authenticate(parts, protection)
    }
}

/// The body of [`Auth::authenticate`].
pub(crate) async fn authenticate<T: DeserializeOwned>(
    auth: &Auth,
    parts: &Parts,
    protection: &Protection,
) -> Result<Option<Authenticated<T>>, AuthError> {
    authenticate_untraced(auth, parts, protection)
        .await
        .inspect_err(|e| crate::audit::rejected(auth.config().audit.as_deref(), e))
}

/// [`Auth::authenticate`] without tracing the rejection, for callers that go on and
/// trace their own outcome once (the user lookup).
pub(crate) async fn authenticate_untraced<T: DeserializeOwned>(
    auth: &Auth,
    parts: &Parts,
    protection: &Protection,
) -> Result<Option<Authenticated<T>>, AuthError> {
    let Some(found) = authenticate_token::<T>(auth, parts, protection)? else {
        return Ok(None);
    };
    check_revocation(auth, &found.claims).await?;
    Ok(Some(found))
}

/// Refuses a token the revocation store lists (by `jti`, family or subject). Fails
/// closed: a store that cannot answer yields 503 `revocation_unavailable`.
pub(crate) async fn check_revocation<T>(auth: &Auth, claims: &Claims<T>) -> Result<(), AuthError> {
    let Some(store) = &auth.config().revocation else {
        return Ok(());
    };
    let jti = claims.jti.as_deref().ok_or(InvalidReason::MissingJti)?;
    let token = TokenRef {
        jti,
        family: claims.fam.as_deref(),
        subject: &claims.sub,
        issued_at: claims.iat,
    };
    let answer = match store.is_revoked_now(&token) {
        Some(answer) => answer,
        None => store.is_revoked(&token).await,
    };
    if answer.map_err(StoreError::fail_closed)? {
        return Err(AuthError::TokenRevoked);
    }
    // A refresh token rotated away opens nothing (only `Auth::refresh` tells a replay
    // inside the reuse window from a reuse). Refresh tokens are rare on the request path.
    if claims.token_type == TokenType::Refresh {
        let session = claims.fam.as_deref().unwrap_or(jti);
        let window = auth.config().refresh_reuse_window_ms;
        let rotated_out = store.is_rotated_out(session, jti, now_ms(), window).await;
        if rotated_out.map_err(StoreError::fail_closed)? {
            return Err(AuthError::TokenRevoked);
        }
    }
    Ok(())
}

/// Everything but revocation: locate, cross-origin check, verify, freshness, CSRF.
pub(crate) fn authenticate_token<T: DeserializeOwned>(
    auth: &Auth,
    parts: &Parts,
    protection: &Protection,
) -> Result<Option<Authenticated<T>>, AuthError> {
    let config = auth.config();
    let locations = protection.locations.as_deref().unwrap_or(&config.locations);
    let Some(found) = locate(config, parts, protection.token_type, locations)? else {
        return if protection.optional {
            Ok(None)
        } else {
            Err(AuthError::MissingToken)
        };
    };
    let cookie_borne = found.location == TokenLocation::Cookies;
    let csrf_applies = cookie_borne && protection.verify_csrf && !config.is_csrf_exempt(parts);
    if csrf_applies && (protection.origin_on_safe_methods || needs_origin_check(parts)) {
        check_origin_headers(config, parts)?;
    }
    let claims: Claims<T> = config.verify(&found.token, protection.token_type)?;
    if protection.fresh && !claims.fresh {
        return Err(AuthError::FreshTokenRequired);
    }
    if csrf_applies && config.csrf.protect && method_needs_csrf(config, &parts.method) {
        check_double_submit(config, parts, protection.token_type, claims.csrf.as_deref())?;
    }
    Ok(Some(Authenticated {
        claims,
        location: found.location,
        token: TokenText::new(found.token, found.carrier),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)], uri: &str) -> Parts {
        let mut b = http::Request::get(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn auth(locations: &[TokenLocation]) -> Auth {
        Auth::new(
            crate::Config::builder()
                .secret([3u8; 32])
                .token_location(locations.iter().copied())
                .build()
                .unwrap(),
        )
    }

    #[test]
    fn the_token_is_kept_from_the_header_that_carried_it() {
        let auth = auth(&[
            TokenLocation::Query,
            TokenLocation::Cookies,
            TokenLocation::Headers,
        ]);
        let token = auth.create_access_token("u").unwrap();
        let t = token.as_str();
        let cookie = format!("x=1; access_token_cookie={t}; y=2");
        let bearer = format!("Bearer {t}");
        let query = format!("/?token={t}");
        let cases = [
            (parts(&[("cookie", "a=b"), ("cookie", &cookie)], "/"), true),
            (parts(&[("authorization", &bearer)], "/"), true),
            (parts(&[], &query), false),
        ];
        for (req, in_header) in cases {
            let found = authenticate_token::<NoCustomClaims>(&auth, &req, &Protection::access())
                .unwrap()
                .unwrap();
            assert_eq!(found.token(), t);
            assert_eq!(
                matches!(found.token, TokenText::InHeader { .. }),
                in_header,
                "{:?}",
                found.location()
            );
            assert_eq!(format!("{:?}", found.token), format!("{t:?}"));
        }
    }

    #[test]
    fn a_token_cut_from_a_header_is_kept_as_its_range_others_are_owned() {
        let value = HeaderValue::from_static("abc.def.ghi");
        let text = TokenText::new(Cow::Borrowed("def"), Some((&value, 4..7)));
        assert!(matches!(text, TokenText::InHeader { .. }));
        assert_eq!(text.as_str(), "def");
        let decoded = TokenText::new(Cow::Owned(String::from("abc")), Some((&value, 0..3)));
        assert!(matches!(decoded, TokenText::Owned(_)));
        let from_body = TokenText::new(Cow::Borrowed("abc"), None);
        assert!(matches!(from_body, TokenText::Owned(_)));
    }
}
