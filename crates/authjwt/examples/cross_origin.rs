//! A front end on another origin: the single-page app served from `https://app.example.com`
//! calls this API on `https://api.example.com` with `fetch(..., {credentials: "include"})`.
//!
//! - tower-http's `CorsLayer` answers the front end's preflights and lets it read the
//!   answers: credentials allowed, its origin echoed (never `*`), `Content-Type` and
//!   `X-CSRF-TOKEN` allowed as request headers;
//! - the same origin is a trusted origin of authjwt's cross-site check, so its unsafe
//!   requests pass even with `Sec-Fetch-Site: cross-site`; every other site is refused
//!   with 403 before any handler runs;
//! - the cookies are `SameSite=None; Secure` when the two are different *sites* (with
//!   `app.example.com` and `api.example.com`, one site, `Lax` is enough: see the guide);
//! - the front end cannot read the API's cookies (`document.cookie` shows its own origin's
//!   only), so login and refresh return the session's CSRF values in their JSON bodies.
//!
//! `cargo run -p authjwt --features axum --example cross_origin` serves it on
//! http://127.0.0.1:8000 (`PORT` to change) for a front end on `FRONTEND_ORIGIN`
//! (default `http://localhost:5173`). `tests/cross_origin_example.rs` drives [`app`].

use authjwt::axum::AccessToken;
use authjwt::{
    Auth, Config, Protection,
    claims::NoCustomClaims,
    config::SameSite,
    keys::{Algorithm, SigningKey},
};
use authjwt::{TokenLocation, error::AuthRejection, tokens::TokenError};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The users: (username, password).
pub const USERS: &[(&str, &str)] = &[("user1", "password1"), ("user2", "password2")];

/// Whether the front end and the API are different sites: then the browser sends the
/// cookies on the front end's `fetch` only if they are `SameSite=None` (and so `Secure`).
pub const CROSS_SITE: bool = true;

/// The configuration: cookies, the front end's origin trusted by the cross-site check.
pub fn auth(frontend_origin: &str) -> Result<Auth, Box<dyn std::error::Error>> {
    let samesite = if CROSS_SITE {
        SameSite::None
    } else {
        SameSite::Lax
    };
    let config = Config::builder()
        .signing_key(SigningKey::generate_hmac(Algorithm::HS256)?)
        .token_location([TokenLocation::Cookies])
        .cookie_samesite(samesite)
        .cookie_secure(true) // required by SameSite=None, and right for https anyway
        .trusted_origins([frontend_origin])
        .build()?;
    Ok(Auth::new(config))
}

/// CORS for the front end only: its origin echoed, credentials, the CSRF headers. (tower-http
/// also sends `Access-Control-Allow-Credentials` to other origins; without a matching
/// `Access-Control-Allow-Origin` browsers still refuse them.)
pub fn cors(auth: &Auth, frontend_origin: &str) -> Result<CorsLayer, header::InvalidHeaderValue> {
    Ok(CorsLayer::new()
        // `list` echoes the request's origin when it is listed, and sends nothing to others
        // (`exact` would send the front end's origin to everyone).
        .allow_origin(AllowOrigin::list([HeaderValue::from_str(frontend_origin)?]))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            auth.config().access_csrf_header_name().clone(),
            auth.config().refresh_csrf_header_name().clone(),
        ]))
}

#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

fn token_error(_: TokenError) -> Response {
    let body = json!({"detail": "Could not create a token", "code": "token_creation_failed"});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// Sets the four cookies and returns the CSRF values, which the front end keeps in memory
/// and sends back in `X-CSRF-TOKEN`.
async fn login(auth: Auth, Json(body): Json<LoginRequest>) -> Response {
    if !USERS
        .iter()
        .any(|(u, p)| *u == body.username && *p == body.password)
    {
        let error = json!({"detail": "Invalid credentials", "code": "invalid_credentials"});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    match auth.create_login_tokens(&body.username) {
        Ok(tokens) => (
            tokens.cookies(&auth),
            Json(json!({
                "username": body.username,
                "csrf_access_token": tokens.access.csrf(),
                "csrf_refresh_token": tokens.refresh.csrf(),
            })),
        )
            .into_response(),
        Err(e) => token_error(e),
    }
}

/// The refresh cookie and `X-CSRF-TOKEN` = the refresh CSRF value → new cookies; the CSRF
/// values stay the session's, returned again for a front end that reloaded.
async fn refresh(auth: Auth, parts: Parts) -> Result<Response, AuthRejection> {
    let refreshed = auth
        .refresh::<NoCustomClaims>(&parts, &Protection::refresh())
        .await
        .map_err(|e| auth.reject(e))?;
    Ok((
        refreshed.cookies(&auth),
        Json(json!({
            "csrf_access_token": refreshed.access.csrf(),
            "csrf_refresh_token": refreshed.refresh.csrf(),
        })),
    )
        .into_response())
}

/// `X-CSRF-TOKEN` of the access token (or of the refresh token once it expired) → the
/// tokens are revoked and the four cookies cleared.
async fn logout(auth: Auth, parts: Parts) -> Result<Response, AuthRejection> {
    let cleared = auth.logout(&parts).await.map_err(|e| auth.reject(e))?;
    Ok((cleared, Json(json!({"message": "Logged out"}))).into_response())
}

async fn me(AccessToken(user): AccessToken) -> Json<Value> {
    Json(json!({"username": user.subject()}))
}

/// A POST with the cookie: the extractor checks `X-CSRF-TOKEN`.
async fn create_post(AccessToken(user): AccessToken) -> Json<Value> {
    Json(json!({"message": "Post created", "user": user.subject()}))
}

/// The API. CORS is the outermost layer, so a preflight is answered before the cross-site
/// check and the token checks, and every answer to the front end (errors included) carries
/// the CORS headers it needs to be read.
pub fn app(auth: &Auth, frontend_origin: &str) -> Result<Router, header::InvalidHeaderValue> {
    let routes = Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/posts", post(create_post));
    Ok(Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .layer(cors(auth, frontend_origin)?)
            .layer(auth.cross_origin_layer())
            .layer(auth.layer())
            .service(routes),
    ))
}

#[allow(dead_code, reason = "the tests include this file for its router only")]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let frontend =
        std::env::var("FRONTEND_ORIGIN").unwrap_or_else(|_| "http://localhost:5173".to_owned());
    let auth = auth(&frontend)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    #[allow(clippy::print_stdout, reason = "the example's only output")]
    {
        println!(
            "API on http://{} for the front end on {frontend}",
            listener.local_addr()?
        );
    }
    axum::serve(listener, app(&auth, &frontend)?).await?;
    Ok(())
}
