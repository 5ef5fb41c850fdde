//! `GET /`: the web page; `GET /authjwt.js`: the library's browser helper;
//! `GET /.well-known/jwks.json`: the public keys.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::openapi::Jwks;
use crate::state::AppState;

/// The page: plain HTML and JavaScript, no build step.
pub(crate) const PAGE: &str = include_str!("../page.html");

#[utoipa::path(
    get,
    path = "/",
    operation_id = "page",
    tag = "page",
    responses((status = 200, description = "The web page.", content_type = "text/html", body = String))
)]
pub(crate) async fn index() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // The page holds the login form: no framing by other sites (clickjacking).
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
}

/// The browser helper the page imports: `authFetch` (CSRF header, transparent refresh
/// shared across tabs) and `onSessionEnd`. The library ships it; the demo serves it as is.
pub(crate) const CLIENT: &str = include_str!("../../../authjwt/client/authjwt.js");

#[utoipa::path(
    get,
    path = "/authjwt.js",
    operation_id = "client",
    tag = "page",
    responses((status = 200, description = "The browser helper, an ES module (`authFetch`, \
        `onSessionEnd`).", content_type = "text/javascript", body = String))
)]
pub(crate) async fn client() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // Revalidated on every load, so a new version is picked up.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        CLIENT,
    )
}

/// The JWKS document: the public keys when an asymmetric algorithm is configured, else
/// `{"keys": []}` (HMAC secrets are never published).
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    operation_id = "jwks",
    tag = "page",
    responses((status = 200, description = "The public verification keys.", body = Jwks))
)]
pub(crate) async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.auth.jwks())
}
