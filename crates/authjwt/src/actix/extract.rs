//! Extractors: a required, optional, refresh or fresh token, generic over the claims type,
//! and the [`Auth`] itself.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_core::future::LocalBoxFuture;
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::parts_from_actix;
use crate::Auth;
use crate::claims::NoCustomClaims;
use crate::error::{AuthError, AuthRejection};
use crate::guard::{Authenticated, Protection, RouteOptions};

const MISSING_MIDDLEWARE: &str =
    "the authjwt extractors need `.wrap(auth.middleware())` on the App";

fn installed(req: &HttpRequest) -> Result<Auth, AuthRejection> {
    req.extensions()
        .get::<Auth>()
        .cloned()
        .ok_or_else(|| AuthRejection::new(AuthError::Misconfigured(MISSING_MIDDLEWARE)))
}

/// The [`Auth`] installed by [`Auth::middleware`], for handlers that create tokens or set
/// cookies.
///
/// ```
/// use actix_web::HttpResponse;
/// use authjwt::Auth;
/// use authjwt::actix::SetCookiesExt;
///
/// async fn logout(auth: Auth) -> HttpResponse {
///     HttpResponse::Ok().set_cookies(&auth.unset_cookies()).finish()
/// }
/// ```
impl FromRequest for Auth {
    type Error = AuthRejection;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(installed(req))
    }
}

/// Everything the async part needs, taken from the request while it is borrowed.
fn prepare(
    req: &HttpRequest,
    protection: Protection,
) -> Result<(Auth, Parts, Protection), AuthRejection> {
    let auth = installed(req)?;
    let parts = parts_from_actix(req)
        .map_err(|e| AuthRejection::with_responder(e, auth.config().responder.clone()))?;
    let protection = protection.with_route(parts.extensions.get::<RouteOptions>());
    Ok((auth, parts, protection))
}

async fn run<T: DeserializeOwned>(
    prepared: Result<(Auth, Parts, Protection), AuthRejection>,
) -> Result<Option<Authenticated<T>>, AuthRejection> {
    let (auth, parts, protection) = prepared?;
    auth.authenticate(&parts, &protection)
        .await
        .map_err(|e| AuthRejection::with_responder(e, auth.config().responder.clone()))
}

macro_rules! required_extractor {
    ($(#[$doc:meta])* $name:ident, $protection:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<T = NoCustomClaims>(pub Authenticated<T>);

        impl<T> FromRequest for $name<T>
        where
            T: DeserializeOwned + 'static,
        {
            type Error = AuthRejection;
            type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

            fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
                let prepared = prepare(req, $protection);
                Box::pin(async move {
                    match run::<T>(prepared).await? {
                        Some(found) => Ok(Self(found)),
                        None => Err(AuthRejection::new(AuthError::MissingToken)),
                    }
                })
            }
        }
    };
}

required_extractor!(
    /// A valid access token is required (seed 001's `jwt_required()`, AuthX's
    /// `ACCESS_REQUIRED`). On unsafe methods a cookie-borne token also needs the CSRF header.
    ///
    /// ```
    /// use actix_web::HttpResponse;
    /// use authjwt::actix::AccessToken;
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Roles { roles: Vec<String> }
    ///
    /// async fn admin(AccessToken(user): AccessToken<Roles>) -> HttpResponse {
    ///     HttpResponse::Ok().body(format!("{} has {:?}", user.subject(), user.custom().roles))
    /// }
    /// ```
    AccessToken,
    Protection::access()
);

required_extractor!(
    /// A valid refresh token is required (seed 001's `jwt_refresh_token_required()`).
    ///
    /// ```
    /// use actix_web::HttpResponse;
    /// use authjwt::Auth;
    /// use authjwt::actix::{RefreshToken, SetCookiesExt};
    ///
    /// async fn refresh(auth: Auth, RefreshToken(r): RefreshToken) -> HttpResponse {
    ///     match auth.create_access_token(r.subject()) {
    ///         Ok(access) => HttpResponse::Ok()
    ///             .set_cookies(&auth.set_access_cookies(&access))
    ///             .body("refreshed"),
    ///         Err(_) => HttpResponse::InternalServerError().finish(),
    ///     }
    /// }
    /// ```
    RefreshToken,
    Protection::refresh()
);

required_extractor!(
    /// A valid, fresh access token is required (issued by a login, not a refresh).
    ///
    /// ```
    /// use authjwt::actix::FreshAccessToken;
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
/// use authjwt::actix::OptionalAccessToken;
/// async fn home(OptionalAccessToken(user): OptionalAccessToken) -> String {
///     match user {
///         Some(user) => format!("hello {}", user.subject()),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct OptionalAccessToken<T = NoCustomClaims>(pub Option<Authenticated<T>>);

impl<T> FromRequest for OptionalAccessToken<T>
where
    T: DeserializeOwned + 'static,
{
    type Error = AuthRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let prepared = prepare(req, Protection::access().optional());
        Box::pin(async move { run::<T>(prepared).await.map(Self) })
    }
}

/// The request head translated to `http::request::Parts` (method, URI, version, headers, and
/// the body fields read by [`Auth::middleware`]), for the core's request-level calls that
/// the extractors do not cover: [`Auth::refresh`] (rotation), [`Auth::logout`] (revoking),
/// [`Auth::check_origin`], [`Auth::authenticate`] with a custom [`Protection`].
///
/// ```
/// use actix_web::HttpResponse;
/// use authjwt::actix::{RequestParts, SetCookiesExt};
/// use authjwt::{Auth, AuthRejection, NoCustomClaims, Protection};
///
/// async fn refresh(auth: Auth, RequestParts(parts): RequestParts) -> Result<HttpResponse, AuthRejection> {
///     let next = auth
///         .refresh::<NoCustomClaims>(&parts, &Protection::refresh())
///         .await
///         .map_err(|e| auth.reject(e))?;
///     Ok(HttpResponse::Ok().set_cookies(&next.cookies(&auth)).body("refreshed"))
/// }
///
/// async fn logout(auth: Auth, RequestParts(parts): RequestParts) -> Result<HttpResponse, AuthRejection> {
///     let cleared = auth.logout(&parts).await.map_err(|e| auth.reject(e))?;
///     Ok(HttpResponse::Ok().set_cookies(&cleared).body("out"))
/// }
/// ```
#[derive(Debug)]
pub struct RequestParts(pub Parts);

impl FromRequest for RequestParts {
    type Error = AuthRejection;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(installed(req).and_then(|auth| {
            parts_from_actix(req)
                .map(Self)
                .map_err(|e| AuthRejection::with_responder(e, auth.config().responder.clone()))
        }))
    }
}
