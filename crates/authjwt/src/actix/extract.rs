//! `FromRequest` for the core's extractor types ([`crate::extract`]), for [`Auth`] itself,
//! and [`RequestParts`] (the request head as `http` types): every extractor goes through
//! [`extract`].

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_core::future::LocalBoxFuture;
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::parts_from_actix;
use crate::Auth;
use crate::error::{AuthError, AuthRejection};
use crate::extract::{
    AccessToken, Extractor, FreshAccessToken, OptionalAccessToken, RefreshToken, extract,
};
use crate::user::CurrentUser;

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

/// What the async part needs, taken from the request while it is borrowed: the installed
/// [`Auth`] (`None` when the middleware is missing) and the request head.
fn prepare(req: &HttpRequest) -> Result<(Option<Auth>, Parts), AuthRejection> {
    let auth = req.extensions().get::<Auth>().cloned();
    match parts_from_actix(req) {
        Ok(parts) => Ok((auth, parts)),
        Err(e) => Err(match &auth {
            Some(auth) => AuthRejection::with_responder(e, auth.config().responder.clone()),
            None => AuthRejection::new(e),
        }),
    }
}

/// The future of every extractor: [`extract`] over what [`prepare`] took.
fn extracted<E: Extractor + 'static>(
    req: &HttpRequest,
) -> LocalBoxFuture<'static, Result<E, AuthRejection>> {
    let prepared = prepare(req);
    Box::pin(async move {
        let (auth, parts) = prepared?;
        extract(auth.as_ref(), &parts, MISSING_MIDDLEWARE).await
    })
}

macro_rules! token_extractors {
    ($($name:ident),*) => {$(
        impl<T: DeserializeOwned + 'static> FromRequest for $name<T> {
            type Error = AuthRejection;
            type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

            fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
                extracted(req)
            }
        }
    )*};
}

token_extractors!(
    AccessToken,
    RefreshToken,
    FreshAccessToken,
    OptionalAccessToken
);

impl<U: Send + Sync + 'static> FromRequest for CurrentUser<U> {
    type Error = AuthRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        extracted(req)
    }
}

/// The request head translated to `http::request::Parts` (method, URI, version, headers, and
/// the body fields read by [`Auth::middleware`]), for the core's request-level calls that
/// the extractors do not cover: [`Auth::refresh`] (rotation), [`Auth::logout`] (revoking),
/// [`Auth::check_origin`], [`Auth::authenticate`] with a custom [`Protection`](crate::Protection).
///
/// ```
/// use actix_web::HttpResponse;
/// use authjwt::actix::{RequestParts, SetCookiesExt};
/// use authjwt::{Auth, Protection, claims::NoCustomClaims, error::AuthRejection};
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
