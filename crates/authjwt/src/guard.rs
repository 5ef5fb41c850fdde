//! The request path in one place: locate → cross-origin check → verify → freshness → CSRF.
//! Every framework adapter calls [`Auth::authenticate`]; no check is written twice.

use std::sync::Arc;

use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::claims::{Claims, NoCustomClaims, TokenType};
use crate::csrf::{check_double_submit, check_origin, is_safe_method, method_needs_csrf};
use crate::error::{AuthError, InvalidReason};
use crate::locate::{TokenLocation, locate};
use crate::revoke::TokenRef;

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
}

impl Protection {
    /// A valid access token is required.
    pub fn access() -> Self {
        Self {
            token_type: TokenType::Access,
            fresh: false,
            optional: false,
            verify_csrf: true,
            locations: None,
        }
    }

    /// A valid, fresh access token is required.
    pub fn fresh_access() -> Self {
        Self {
            fresh: true,
            ..Self::access()
        }
    }

    /// A valid refresh token is required.
    pub fn refresh() -> Self {
        Self {
            token_type: TokenType::Refresh,
            ..Self::access()
        }
    }

    /// No token is fine; a token that is present must be valid.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// ⚠️ `false` skips the CSRF double-submit and Origin checks for this route (seed 002's
    /// `verify_csrf=False`, for webhooks). Defaults to `true`.
    pub fn verify_csrf(mut self, verify: bool) -> Self {
        self.verify_csrf = verify;
        self
    }

    /// Looks for the token only in these locations, in this order, instead of the
    /// configured ones (seed 002's `locations=["headers"]`).
    pub fn locations(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.locations = Some(locations.into_iter().collect());
        self
    }

    /// Applies a route's overrides.
    pub(crate) fn with_route(mut self, route: Option<&RouteOptions>) -> Self {
        if let Some(route) = route {
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
}

impl RouteOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// ⚠️ `false` exempts the route from the CSRF double-submit and Origin checks.
    pub fn verify_csrf(mut self, verify: bool) -> Self {
        self.verify_csrf = Some(verify);
        self
    }

    /// The token locations for this route, in order.
    pub fn locations(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.locations = Some(locations.into_iter().collect());
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
    token: String,
}

impl<T> Authenticated<T> {
    /// The claims.
    pub fn claims(&self) -> &Claims<T> {
        &self.claims
    }

    /// Consumes `self`, returning the claims.
    pub fn into_claims(self) -> Claims<T> {
        self.claims
    }

    /// The application's own claims.
    pub fn custom(&self) -> &T {
        &self.claims.custom
    }

    /// The subject (`sub`).
    pub fn subject(&self) -> &str {
        &self.claims.sub
    }

    /// The token id (`jti`).
    pub fn jti(&self) -> &str {
        self.claims.jti()
    }

    /// Where the token was found.
    pub fn location(&self) -> TokenLocation {
        self.location
    }

    /// The compact token, as presented (for example to revoke it at logout).
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl Auth {
    /// Authenticates a request: finds the token, refuses cross-site requests, verifies the
    /// token, checks freshness and the CSRF double submit. `Ok(None)` only when the
    /// protection is optional and no token is present.
    ///
    /// The adapters call this; use it directly in a framework without an adapter, or in a
    /// handler that decides itself (seed 002's `get_access_token_from_request` +
    /// `verify_token`).
    ///
    /// ```
    /// use authjwt::{Auth, Config, Protection, TokenLocation};
    ///
    /// # tokio_test_block_on(async {
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Headers]).build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let (parts, _) = http::Request::get("/protected")
    ///     .header("authorization", format!("Bearer {token}"))
    ///     .body(())?
    ///     .into_parts();
    /// let found = auth.authenticate::<authjwt::NoCustomClaims>(&parts, &Protection::access()).await?;
    /// assert_eq!(found.unwrap().subject(), "user1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// ```
    pub async fn authenticate<T: DeserializeOwned>(
        &self,
        parts: &Parts,
        protection: &Protection,
    ) -> Result<Option<Authenticated<T>>, AuthError> {
        let checked = async {
            let Some(found) = self.authenticate_token::<T>(parts, protection)? else {
                return Ok(None);
            };
            self.check_revocation(&found.claims).await?;
            Ok(Some(found))
        };
        checked.await.inspect_err(AuthError::trace)
    }

    /// Refuses a token the revocation store lists (by `jti`, family or subject). Fails
    /// closed: a store that cannot answer yields 503 `revocation_unavailable`.
    pub(crate) async fn check_revocation<T>(&self, claims: &Claims<T>) -> Result<(), AuthError> {
        let Some(store) = &self.config().revocation else {
            return Ok(());
        };
        let jti = claims.jti.as_deref().ok_or(InvalidReason::MissingJti)?;
        let token = TokenRef {
            jti,
            family: claims.fam.as_deref(),
            subject: &claims.sub,
            issued_at: claims.iat,
        };
        match store.is_revoked(&token).await {
            Ok(false) => Ok(()),
            Ok(true) => Err(AuthError::TokenRevoked),
            Err(e) => {
                tracing::warn!(target: "authjwt::revocation", error = %e, "revocation check failed");
                Err(AuthError::RevocationUnavailable)
            }
        }
    }

    /// Everything but revocation: locate, cross-origin check, verify, freshness, CSRF.
    pub(crate) fn authenticate_token<T: DeserializeOwned>(
        &self,
        parts: &Parts,
        protection: &Protection,
    ) -> Result<Option<Authenticated<T>>, AuthError> {
        let config = self.config();
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
        if csrf_applies && !is_safe_method(&parts.method) {
            check_origin(config, parts)?;
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
            token: found.token.into_owned(),
        }))
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
        if self.config().is_csrf_exempt(parts) {
            return Ok(());
        }
        check_origin(self.config(), parts).inspect_err(AuthError::trace)
    }
}
