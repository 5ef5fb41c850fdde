//! Seed 002's dual token location strategy: the access token travels in JSON bodies and the
//! `Authorization` header (the client keeps it in memory), the refresh token in its HttpOnly
//! cookie.

use authjwt::{Protection, TokenLocation, user::CurrentUser};
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::request::Parts;
use serde_json::{Value, json};

use crate::errors::{ApiError, ErrorBody, JsonBody};
use crate::openapi::{BearerToken, UserMessage};
use crate::routes::account::Credentials;
use crate::state::AppState;
use crate::users::User;
use crate::{sessions, users};

/// The access token in the body, the refresh token (and its CSRF cookie) in cookies.
#[utoipa::path(
    post,
    path = "/dual/login",
    operation_id = "dual_login",
    tag = "dual",
    request_body = Credentials,
    responses(
        (status = 200, description = "The access token in the body; the refresh token and its \
            CSRF value in cookies.", body = BearerToken,
         headers(("set-cookie" = String, description = "refresh_token_cookie (HttpOnly) and csrf_refresh_token"))),
        (status = 401, description = "invalid_credentials: wrong username or password.", body = ErrorBody),
        (status = 400, description = "malformed_json: the body is not JSON.", body = ErrorBody),
        (status = 415, description = "unsupported_media_type: no `Content-Type: application/json`.", body = ErrorBody),
        (status = 422, description = "invalid_body: the JSON lacks a field or has one of the wrong type.", body = ErrorBody),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<impl IntoResponse, ApiError> {
    let user = credentials.user().await?;
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
#[utoipa::path(
    get,
    path = "/dual/protected",
    operation_id = "dual_protected",
    tag = "dual",
    responses((status = 200, description = "The token's user.", body = UserMessage))
)]
pub(crate) async fn protected(CurrentUser { user, .. }: CurrentUser<User>) -> Json<Value> {
    Json(json!({ "message": "Access granted", "user": user.username }))
}

/// The refresh token from its cookie only (with `X-CSRF-TOKEN` = `csrf_refresh_token`) →
/// a new access token in the body; the refresh cookie is rotated like on `POST /refresh`,
/// and as there, the new tokens are sent only if the subject is still a user.
#[utoipa::path(
    post,
    path = "/dual/refresh",
    operation_id = "dual_refresh",
    tag = "dual",
    responses(
        (status = 200, description = "A new access token in the body; the refresh cookie rotates \
            as on /refresh.", body = BearerToken,
         headers(("set-cookie" = String, description = "refresh_token_cookie and csrf_refresh_token"))),
    )
)]
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
