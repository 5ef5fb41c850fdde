//! The actix-web 4 adapter (feature `actix`): extractors, middleware and responses. It only
//! translates between actix-web and the core; every check runs in
//! [`Auth::authenticate`](crate::Auth::authenticate).
//!
//! # Where the extractors find the [`Auth`](crate::Auth)
//!
//! In the **request extensions**, put there by [`Auth::middleware`](crate::Auth::middleware), which every app using
//! the extractors wraps itself in (like axum's `auth.layer()`). The same middleware reads the
//! JSON token key or the form CSRF field from the body when the configuration uses them, and
//! hands the body back to the handler intact. `Auth` is itself an extractor; without the
//! middleware, the extractors answer 500 `auth_misconfigured`. An `Auth` registered as app
//! data (`web::Data<Auth>`) is not consulted.
//!
//! | axum | actix-web |
//! |---|---|
//! | `.layer(auth.layer())` | `.wrap(auth.middleware())` |
//! | `.route_layer(auth.require(protection))` | `web::scope(..).wrap(auth.require_middleware(protection))` |
//! | `.layer(auth.cross_origin_layer())` | `.wrap(auth.cross_origin_middleware())` |
//! | `.layer(auth.implicit_refresh_layer(window))` | `.wrap(auth.implicit_refresh_middleware(window))` |
//! | `post(h).layer(RouteOptions::new()...)` | `web::resource(..).wrap(RouteOptions::new()...)` or `web::post().to(h).wrap(...)` |
//! | `Extension<Authenticated>` | `web::ReqData<Authenticated>` |
//! | `CurrentUser<User>` | `CurrentUser<User>` (the same type, [`crate::user::CurrentUser`]) |
//! | `(cookies, Json(body))` | `HttpResponse::Ok().set_cookies(&cookies).json(body)` ([`SetCookiesExt`]) |
//!
//! Middleware registered later wraps the earlier one, as in axum: register
//! `auth.middleware()` last on the `App` so it runs first.
//!
//! ```
//! use actix_web::{App, HttpResponse, web};
//! use authjwt::actix::{AccessToken, SetCookiesExt};
//! use authjwt::{Auth, Config, RouteOptions, TokenLocation};
//!
//! async fn protected(AccessToken(user): AccessToken) -> HttpResponse {
//!     HttpResponse::Ok().json(serde_json::json!({ "user": user.subject() }))
//! }
//!
//! async fn login(auth: Auth) -> Result<HttpResponse, actix_web::Error> {
//!     let tokens = auth.create_login_tokens("user1").map_err(actix_web::error::ErrorInternalServerError)?;
//!     Ok(HttpResponse::Ok().set_cookies(&tokens.cookies(&auth)).json(serde_json::json!({"msg": "ok"})))
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let auth = Auth::new(Config::builder()
//!     .secret(b"an example secret of at least 32 bytes!")
//!     .token_location([TokenLocation::Cookies])
//!     .build()?);
//! let app = App::new()
//!     .route("/login", web::post().to(login).wrap(auth.cross_origin_middleware()))
//!     .route("/protected", web::get().to(protected))
//!     .service(
//!         web::resource("/webhook")
//!             .wrap(RouteOptions::new().verify_csrf(false))
//!             .route(web::post().to(protected)),
//!     )
//!     .wrap(auth.middleware());
//! let app = actix_web::test::init_service(app).await;
//! let req = actix_web::test::TestRequest::post().uri("/login").to_request();
//! let resp = actix_web::test::call_service(&app, req).await;
//! assert_eq!(resp.headers().get_all("set-cookie").count(), 4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod extract;
mod middleware;
mod response;
#[cfg(feature = "actix-ws")]
mod ws;

/// The extractors: defined once in the core, the same types as `authjwt::axum`'s.
pub use crate::extract::{AccessToken, FreshAccessToken, OptionalAccessToken, RefreshToken};
/// The middleware factories: the core's middleware types, which implement `Transform` here.
pub use crate::middleware::{CrossOrigin, ImplicitRefresh, ProvideAuth, RequireAuth};
/// The application's user: defined in the core, an extractor here too.
pub use crate::user::CurrentUser;
pub use extract::RequestParts;
pub use middleware::{
    CrossOriginMiddleware, ImplicitRefreshMiddleware, ProvideAuthMiddleware, RequireAuthMiddleware,
    RouteOptionsMiddleware,
};
/// Authenticated WebSocket upgrades (feature `actix-ws`).
#[cfg(feature = "actix-ws")]
pub use ws::{AuthenticatedUpgrade, close_reason};

/// The former name of [`ProvideAuth`].
#[deprecated(since = "0.2.0", note = "renamed `ProvideAuth`")]
pub type AuthMiddleware = ProvideAuth;
/// The former name of [`ProvideAuthMiddleware`].
#[deprecated(since = "0.2.0", note = "renamed `ProvideAuthMiddleware`")]
pub type AuthService<S> = ProvideAuthMiddleware<S>;
/// The former name of [`RequireAuthMiddleware`].
#[deprecated(since = "0.2.0", note = "renamed `RequireAuthMiddleware`")]
pub type RequireAuthService<S> = RequireAuthMiddleware<S>;
/// The former name of [`CrossOriginMiddleware`].
#[deprecated(since = "0.2.0", note = "renamed `CrossOriginMiddleware`")]
pub type CrossOriginService<S> = CrossOriginMiddleware<S>;
/// The former name of [`ImplicitRefreshMiddleware`].
#[deprecated(since = "0.2.0", note = "renamed `ImplicitRefreshMiddleware`")]
pub type ImplicitRefreshService<S> = ImplicitRefreshMiddleware<S>;
/// The former name of [`RouteOptionsMiddleware`].
#[deprecated(since = "0.2.0", note = "renamed `RouteOptionsMiddleware`")]
pub type RouteOptionsService<S> = RouteOptionsMiddleware<S>;
pub use response::SetCookiesExt;

use actix_web::http::header::HeaderMap as ActixHeaderMap;
use actix_web::{HttpMessage, HttpRequest};
use bytes::Bytes;
use http::request::Parts;

use crate::body::BodyFields;
use crate::error::AuthError;
use crate::guard::RouteOptions;
use crate::proxy::PeerAddr;

/// The refusal when an actix request cannot be expressed with `http` 1.x types. Both crates
/// accept the same grammar, so this is not expected to happen; it fails closed.
const UNTRANSLATABLE: AuthError =
    AuthError::Misconfigured("the request could not be translated to http 1.x types");

/// An actix `HeaderMap` (http 0.2 types) as an `http` 1.x `HeaderMap`, by name and bytes,
/// keeping every value of repeated headers in order.
fn headers_from_actix(headers: &ActixHeaderMap) -> Result<http::HeaderMap, AuthError> {
    let mut out = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers.iter() {
        let name =
            http::HeaderName::from_bytes(name.as_str().as_bytes()).map_err(|_| UNTRANSLATABLE)?;
        let value = http::HeaderValue::from_bytes(value.as_bytes()).map_err(|_| UNTRANSLATABLE)?;
        out.append(name, value);
    }
    Ok(out)
}

fn version_from_actix(version: actix_web::http::Version) -> http::Version {
    use actix_web::http::Version as V;
    match version {
        V::HTTP_09 => http::Version::HTTP_09,
        V::HTTP_10 => http::Version::HTTP_10,
        V::HTTP_2 => http::Version::HTTP_2,
        V::HTTP_3 => http::Version::HTTP_3,
        _ => http::Version::HTTP_11,
    }
}

/// The request head as `http::request::Parts`: method, URI, version and headers, plus the
/// extensions the core reads (the body fields read by [`ProvideAuth`], the route's
/// [`RouteOptions`], and the peer's address as a [`PeerAddr`]).
fn parts_from_actix(req: &HttpRequest) -> Result<Parts, AuthError> {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.method =
        http::Method::from_bytes(req.method().as_str().as_bytes()).map_err(|_| UNTRANSLATABLE)?;
    parts.uri = http::Uri::from_maybe_shared(Bytes::from(req.uri().to_string()))
        .map_err(|_| UNTRANSLATABLE)?;
    parts.version = version_from_actix(req.version());
    parts.headers = headers_from_actix(req.headers())?;
    let extensions = req.extensions();
    if let Some(fields) = extensions.get::<BodyFields>() {
        parts.extensions.insert(fields.clone());
    }
    if let Some(options) = extensions.get::<RouteOptions>() {
        parts.extensions.insert(options.clone());
    }
    // The socket's peer, for the cross-site check's trusted proxies (never a header's
    // claim: `connection_info().realip_remote_addr()` would read `Forwarded`).
    if let Some(peer) = req.peer_addr() {
        parts.extensions.insert(PeerAddr(peer.ip()));
    }
    Ok(parts)
}

/// An `http` 1.x header value as an actix one. Values come from valid `http` 1.x header
/// values, which actix accepts byte for byte.
fn value_to_actix(value: &http::HeaderValue) -> Option<actix_web::http::header::HeaderValue> {
    actix_web::http::header::HeaderValue::from_bytes(value.as_bytes()).ok()
}

/// An `http` 1.x response (a rendered rejection) as an actix response.
fn response_to_actix(resp: http::Response<Bytes>) -> actix_web::HttpResponse {
    use actix_web::http::StatusCode;
    use actix_web::http::header::HeaderName;

    let (parts, body) = resp.into_parts();
    let status =
        StatusCode::from_u16(parts.status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = actix_web::HttpResponse::with_body(status, body);
    let headers = out.headers_mut();
    for (name, value) in &parts.headers {
        let name = HeaderName::from_bytes(name.as_str().as_bytes());
        if let (Ok(name), Some(value)) = (name, value_to_actix(value)) {
            headers.append(name, value);
        }
    }
    out.map_into_boxed_body()
}
