//! Extractors: a required, optional, refresh or fresh token, generic over the claims type.

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::claims::NoCustomClaims;
use crate::error::{AuthError, AuthRejection};
use crate::guard::{Authenticated, Protection, RouteOptions};

const MISSING_LAYER: &str = "the authjwt extractors need `.layer(auth.layer())` on the router";

/// The [`Auth`] installed by [`Auth::layer`], for handlers that create tokens or set cookies.
impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth>()
            .cloned()
            .ok_or_else(|| AuthRejection::new(AuthError::Misconfigured(MISSING_LAYER)))
    }
}

async fn run<T: DeserializeOwned>(
    parts: &Parts,
    protection: Protection,
) -> Result<Option<Authenticated<T>>, AuthRejection> {
    let auth = parts
        .extensions
        .get::<Auth>()
        .ok_or_else(|| AuthRejection::new(AuthError::Misconfigured(MISSING_LAYER)))?;
    let protection = protection.with_route(parts.extensions.get::<RouteOptions>());
    auth.authenticate(parts, &protection)
        .await
        .map_err(|e| AuthRejection::with_responder(e, auth.config().responder.clone()))
}

macro_rules! required_extractor {
    ($(#[$doc:meta])* $name:ident, $protection:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<T = NoCustomClaims>(pub Authenticated<T>);

        impl<S, T> FromRequestParts<S> for $name<T>
        where
            S: Send + Sync,
            T: DeserializeOwned + Send + Sync,
        {
            type Rejection = AuthRejection;

            async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
                match run::<T>(parts, $protection).await? {
                    Some(found) => Ok(Self(found)),
                    None => Err(AuthRejection::new(AuthError::MissingToken)),
                }
            }
        }
    };
}

required_extractor!(
    /// A valid access token is required (seed 001's `jwt_required()`, AuthX's
    /// `ACCESS_REQUIRED`). On unsafe methods a cookie-borne token also needs the CSRF header.
    ///
    /// ```
    /// use authjwt::axum::AccessToken;
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Roles { roles: Vec<String> }
    ///
    /// async fn admin(AccessToken(user): AccessToken<Roles>) -> String {
    ///     format!("{} has {:?}", user.subject(), user.custom().roles)
    /// }
    /// ```
    AccessToken,
    Protection::access()
);

required_extractor!(
    /// A valid refresh token is required (seed 001's `jwt_refresh_token_required()`).
    ///
    /// ```
    /// use authjwt::{Auth, axum::RefreshToken};
    /// use axum::response::IntoResponse;
    ///
    /// async fn refresh(auth: Auth, RefreshToken(r): RefreshToken) -> impl IntoResponse {
    ///     let access = auth.create_access_token(r.subject()).unwrap();
    ///     (auth.set_access_cookies(&access), "refreshed")
    /// }
    /// ```
    RefreshToken,
    Protection::refresh()
);

required_extractor!(
    /// A valid, fresh access token is required (issued by a login, not a refresh).
    ///
    /// ```
    /// use authjwt::axum::FreshAccessToken;
    /// async fn change_password(FreshAccessToken(user): FreshAccessToken) -> String {
    ///     format!("password changed for {}", user.subject())
    /// }
    /// ```
    FreshAccessToken,
    Protection::fresh_access()
);

/// An access token if one is present: `None` when there is none, the error when one is
/// present but invalid (seed 001's `jwt_optional()`).
///
/// ```
/// use authjwt::axum::OptionalAccessToken;
/// async fn home(OptionalAccessToken(user): OptionalAccessToken) -> String {
///     match user {
///         Some(user) => format!("hello {}", user.subject()),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct OptionalAccessToken<T = NoCustomClaims>(pub Option<Authenticated<T>>);

impl<S, T> FromRequestParts<S> for OptionalAccessToken<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        run::<T>(parts, Protection::access().optional())
            .await
            .map(Self)
    }
}
