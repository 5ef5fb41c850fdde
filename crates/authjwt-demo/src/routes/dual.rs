//! Seed 002's dual token location strategy: the access token travels in JSON bodies and the
//! `Authorization` header (the client keeps it in memory), the refresh token in its HttpOnly
//! cookie.

use authjwt::{Protection, TokenLocation, user::CurrentUser};
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::request::Parts;
use serde_json::{Value, json};

use crate::errors::{ApiError, JsonBody};
use crate::routes::account::Credentials;
use crate::state::AppState;
use crate::users::User;
use crate::{sessions, users};

/// The access token in the body, the refresh token (and its CSRF cookie) in cookies.
pub(crate) async fn login(
    State(state): State<AppState>,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<impl IntoResponse, ApiError> {
    let user = credentials.user()?;
    let tokens = sessions::login(&state.auth, user.username, credentials.remember(), None)
        .await
        .map_err(|e| state.auth.reject(e))?;
    Ok((
        state.auth.set_refresh_cookies(&tokens.refresh),
        Json(json!({ "access_token": tokens.access.as_str(), "token_type": "bearer" })),
    ))
}

/// The access token from `Authorization: Bearer` only (set on the route in the router),
/// and its user.
pub(crate) async fn protected(CurrentUser { user, .. }: CurrentUser<User>) -> Json<Value> {
    Json(json!({ "message": "Access granted", "user": user.username }))
}

/// The refresh token from its cookie only (with `X-CSRF-TOKEN` = `csrf_refresh_token`) →
/// a new access token in the body; the refresh cookie is rotated like on `POST /refresh`,
/// and as there, the new tokens are sent only if the subject is still a user.
pub(crate) async fn refresh(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<impl IntoResponse, ApiError> {
    let cookie_only = Protection::refresh().locations([TokenLocation::Cookies]);
    let (used, tokens) = sessions::refresh(&state.auth, &parts, &cookie_only)
        .await
        .map_err(|e| state.auth.reject(e))?;
    users::of_refresh(&state.auth, &used).await?;
    Ok((
        state.auth.set_refresh_cookies(&tokens.refresh),
        Json(json!({ "access_token": tokens.access.as_str(), "token_type": "bearer" })),
    ))
}
