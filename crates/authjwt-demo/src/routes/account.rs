//! `POST /login`, `POST /refresh`, `POST /logout`: the session's lifecycle in cookies.

use authjwt::Protection;
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::HeaderMap;
use http::request::Parts;
use serde::Deserialize;
use serde_json::json;

use crate::errors::{ApiError, JsonBody};
use crate::sessions;
use crate::state::AppState;
use crate::users::{self, User};

/// The body of `POST /login` and `POST /dual/login`.
#[derive(Deserialize)]
pub(crate) struct Credentials {
    username: String,
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

    /// The user, or 401 `invalid_credentials`.
    pub(crate) fn user(&self) -> Result<&'static User, ApiError> {
        users::check(&self.username, &self.password).ok_or_else(|| {
            tracing::info!("login refused: invalid credentials");
            ApiError::invalid_credentials()
        })
    }
}

/// Sets the access and refresh cookies with their CSRF cookies.
pub(crate) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<impl IntoResponse, ApiError> {
    let user = credentials.user()?;
    let agent = headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let tokens = sessions::login(&state.auth, user.username, credentials.remember, agent)
        .await
        .map_err(|e| state.auth.reject(e))?;
    tracing::info!(username = user.username, "logged in");
    Ok((
        tokens.cookies(&state.auth),
        Json(json!({ "message": "Login successful", "username": user.username })),
    ))
}

/// The refresh cookie plus `X-CSRF-TOKEN` = `csrf_refresh_token` → new access and refresh
/// cookies.
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
        Json(json!({ "message": "Token refreshed" })),
    ))
}

/// Needs the CSRF header of the access token (or of the refresh token once the access token
/// has expired); clears all four cookies.
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
