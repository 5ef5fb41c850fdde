//! `GET /`: the web page; `GET /.well-known/jwks.json`: the public keys.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::state::AppState;

/// The page: plain HTML and JavaScript, no build step.
pub(crate) const PAGE: &str = include_str!("../page.html");

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

/// The JWKS document: the public keys when an asymmetric algorithm is configured, else
/// `{"keys": []}` (HMAC secrets are never published).
pub(crate) async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.auth.jwks())
}
