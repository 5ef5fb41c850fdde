//! `POST /login`, `POST /refresh`, `POST /logout`: the session's lifecycle in cookies.

use authjwt::Protection;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::HeaderMap;
use http::request::Parts;
use serde::Deserialize;
use serde_json::json;

use crate::errors::{ApiError, ErrorBody, JsonBody};
use crate::openapi::{LoginResponse, MessageResponse, RefreshResponse};
use crate::sessions;
use crate::state::AppState;
use crate::users::{self, User};

/// The body of `POST /login` and `POST /dual/login` (the schema `LoginRequest` of
/// `/openapi.json`).
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = LoginRequest)]
pub(crate) struct Credentials {
    /// `user1` or `user2`.
    #[schema(example = "user1")]
    username: String,
    /// `password1` or `password2`.
    #[schema(example = "password1")]
    password: String,
    /// Remember me: persistent cookies instead of session cookies.
    #[serde(default)]
    remember: bool,
}

impl Credentials {
    /// The remember-me choice.
    pub(crate) fn remember(&self) -> bool {
        self.remember
    }

    /// The user, or 401 `invalid_credentials`. The Argon2 verification runs on Tokio's
    /// blocking pool: it costs tens of milliseconds of CPU.
    pub(crate) async fn user(&self) -> Result<&'static User, ApiError> {
        let (username, password) = (self.username.clone(), self.password.clone());
        let found = tokio::task::spawn_blocking(move || users::check(&username, &password))
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "the password verification did not complete");
                None
            });
        found.ok_or_else(|| {
            tracing::info!("login refused: invalid credentials");
            ApiError::invalid_credentials()
        })
    }
}

/// Sets the access and refresh cookies with their CSRF cookies, and returns the CSRF values
/// in the body too.
#[utoipa::path(
    post,
    path = "/login",
    operation_id = "login",
    tag = "session",
    request_body = Credentials,
    responses(
        (status = 200, description = "Logged in: the four cookies are set.", body = LoginResponse,
         headers(("set-cookie" = String, description = "access_token_cookie and refresh_token_cookie \
            (HttpOnly), csrf_access_token and csrf_refresh_token (readable by scripts)"))),
        (status = 401, description = "invalid_credentials: wrong username or password.", body = ErrorBody),
        (status = 400, description = "malformed_json: the body is not JSON.", body = ErrorBody),
        (status = 415, description = "unsupported_media_type: no `Content-Type: application/json`.", body = ErrorBody),
        (status = 422, description = "invalid_body: the JSON lacks a field or has one of the wrong type.", body = ErrorBody),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<impl IntoResponse, ApiError> {
    let user = credentials.user().await?;
    let agent = headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let tokens = sessions::login(&state.auth, user.username, credentials.remember, agent)
        .await
        .map_err(|e| state.auth.reject(e))?;
    tracing::info!(username = user.username, "logged in");
    Ok((
        tokens.cookies(&state.auth),
        Json(json!({
            "message": "Login successful",
            "username": user.username,
            // A front end on another origin cannot read the API's CSRF cookies.
            "csrf_access_token": tokens.access.csrf(),
            "csrf_refresh_token": tokens.refresh.csrf(),
        })),
    ))
}

/// The refresh cookie plus `X-CSRF-TOKEN` = `csrf_refresh_token` → new access and refresh
/// cookies, and the session's (unchanged) CSRF values in the body.
#[utoipa::path(
    post,
    path = "/refresh",
    operation_id = "refresh",
    tag = "session",
    responses(
        (status = 200, description = "New access and refresh cookies (all four are set). The \
            same refresh token presented again within the reuse window gets the same successor.",
         body = RefreshResponse, headers(("set-cookie" = String, description = "the four cookies"))),
    )
)]
pub(crate) async fn refresh(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<impl IntoResponse, ApiError> {
    let (used, tokens) = sessions::refresh(&state.auth, &parts, &Protection::refresh())
        .await
        .map_err(|e| state.auth.reject(e))?;
    users::of_refresh(&state.auth, &used).await?;
    Ok((
        tokens.cookies(&state.auth),
        Json(json!({
            "message": "Token refreshed",
            "csrf_access_token": tokens.access.csrf(),
            "csrf_refresh_token": tokens.refresh.csrf(),
        })),
    ))
}

/// Needs the CSRF header of the access token (or of the refresh token once the access token
/// has expired); clears all four cookies.
#[utoipa::path(
    post,
    path = "/logout",
    operation_id = "logout",
    tag = "session",
    responses(
        (status = 200, description = "The presented tokens are revoked and the four cookies \
            cleared (Max-Age=0); other sessions stay valid.", body = MessageResponse,
         headers(("set-cookie" = String, description = "the four cookies, cleared"))),
    )
)]
pub(crate) async fn logout(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<impl IntoResponse, ApiError> {
    let cleared = sessions::logout(&state.auth, &parts)
        .await
        .map_err(|e| state.auth.reject(e))?;
    Ok((
        cleared,
        Json(json!({ "message": "Successfully logged out" })),
    ))
}
