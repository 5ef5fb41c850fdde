//! Extractors: a required, optional, refresh or fresh token, generic over the claims type,
//! the application's user ([`CurrentUser`]), and the [`Auth`] itself.

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
use crate::guard::{Authenticated, Extract, Protection, RouteOptions};
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

/// The async part of every extractor's one path: ask the core for `R` and render a refusal
/// with the configured responder.
async fn run<R: Extract>(
    prepared: Result<(Auth, Parts, Protection), AuthRejection>,
) -> Result<Option<R>, AuthRejection> {
    let (auth, parts, protection) = prepared?;
    R::extract(&auth, &parts, &protection)
        .await
        .map_err(|e| auth.rejection(e))
}

/// [`run`] for a required protection: `None` cannot come back, and is a missing token.
async fn required<R: Extract>(
    prepared: Result<(Auth, Parts, Protection), AuthRejection>,
) -> Result<R, AuthRejection> {
    run::<R>(prepared)
        .await?
        .ok_or_else(|| AuthRejection::new(AuthError::MissingToken))
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
                Box::pin(async move { required(prepared).await.map(Self) })
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
        Box::pin(async move { run(prepared).await.map(Self) })
    }
}

/// The application's user, loaded by the [`UserLookup`](crate::UserLookup) registered for
/// `U` from a valid access token (authenticated exactly as [`AccessToken`]). A subject that
/// names no user is refused with 401 `user_not_found`, a lookup that cannot answer with 503
/// `user_lookup_unavailable`; see [`CurrentUser`].
///
/// ```
/// # actix_web::rt::System::new().block_on(async {
/// use actix_web::{App, HttpResponse, test, web};
/// use authjwt::{Auth, Claims, Config, CurrentUser, NoCustomClaims, UserLookup, UserLookupError};
///
/// #[derive(Debug, Clone)]
/// struct User { name: String }
/// struct Users;
/// impl UserLookup for Users {
///     type User = User;
///     type Claims = NoCustomClaims;
///     async fn lookup(&self, claims: &Claims) -> Result<Option<User>, UserLookupError> {
///         Ok((claims.sub == "user1").then(|| User { name: claims.sub.clone() }))
///     }
/// }
///
/// async fn me(user: CurrentUser<User>) -> HttpResponse {
///     HttpResponse::Ok().body(user.name.clone())
/// }
///
/// let auth = Auth::new(Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .user_lookup(Users)
///     .build()?);
/// let app = test::init_service(
///     App::new().route("/me", web::get().to(me)).wrap(auth.middleware()),
/// ).await;
/// for (sub, status) in [("user1", 200), ("user9", 401)] { // user9: user_not_found
///     let token = auth.create_access_token(sub)?;
///     let req = test::TestRequest::get().uri("/me")
///         .insert_header(("authorization", format!("Bearer {token}")));
///     assert_eq!(test::call_service(&app, req.to_request()).await.status(), status);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
impl<U> FromRequest for CurrentUser<U>
where
    U: Send + Sync + 'static,
{
    type Error = AuthRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let prepared = prepare(req, Protection::access());
        Box::pin(required(prepared))
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
