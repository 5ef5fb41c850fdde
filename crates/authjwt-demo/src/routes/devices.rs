//! `GET /sessions`, `DELETE /sessions/{id}`, `POST /sessions/revoke-others`: where the user
//! is signed in, and signing other devices out. The access token authenticates (with its
//! CSRF header on the unsafe methods, like every cookie-authenticated request).

use authjwt::axum::AccessToken;
use authjwt::revoke::Session;
use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::errors::{ApiError, ErrorBody};
use crate::state::AppState;

fn view(s: &Session) -> Value {
    json!({
        "id": s.id,
        "created_at": s.created_at,
        "last_seen_at": s.last_seen_at,
        "expires_at": s.expires_at,
        "user_agent": s.user_agent,
        "current": s.current,
    })
}

/// The user's live sessions, newest first, the caller's own marked `current`.
#[utoipa::path(
    get,
    path = "/sessions",
    operation_id = "list_sessions",
    tag = "sessions",
    responses((status = 200, description = "The user's live sessions.",
               body = crate::openapi::SessionsResponse))
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    AccessToken(caller): AccessToken,
) -> Result<Json<Value>, ApiError> {
    let sessions = state
        .auth
        .sessions(&caller)
        .await
        .map_err(|e| state.auth.reject(e))?;
    Ok(Json(
        json!({ "sessions": sessions.iter().map(view).collect::<Vec<_>>() }),
    ))
}

/// Ends one session of the user everywhere; another user's or an unknown id is 404.
#[utoipa::path(
    delete,
    path = "/sessions/{id}",
    operation_id = "end_session",
    tag = "sessions",
    params(("id" = String, Path, description = "The session's id, from `GET /sessions`.")),
    responses(
        (status = 200, description = "The session is ended.", body = crate::openapi::MessageResponse),
        (status = 404, description = "`session_not_found`: not a live session of this user.",
         body = ErrorBody)
    )
)]
pub(crate) async fn end(
    State(state): State<AppState>,
    AccessToken(caller): AccessToken,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state
        .auth
        .end_session(&caller, &id)
        .await
        .map_err(|e| state.auth.reject(e))?;
    Ok(Json(json!({ "message": "Session ended" })))
}

/// Ends every other session of the user; the caller's continues.
#[utoipa::path(
    post,
    path = "/sessions/revoke-others",
    operation_id = "revoke_other_sessions",
    tag = "sessions",
    responses((status = 200, description = "The other sessions are ended.",
               body = crate::openapi::RevokedResponse))
)]
pub(crate) async fn revoke_others(
    State(state): State<AppState>,
    AccessToken(caller): AccessToken,
) -> Result<Json<Value>, ApiError> {
    let revoked = state
        .auth
        .end_other_sessions(&caller)
        .await
        .map_err(|e| state.auth.reject(e))?;
    Ok(Json(
        json!({ "message": "Other sessions ended", "revoked": revoked }),
    ))
}
