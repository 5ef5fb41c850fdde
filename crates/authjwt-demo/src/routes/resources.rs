//! `GET /protected`, `POST /posts`, `POST /webhook`: routes that need an access token.

use authjwt::axum::AccessToken;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Value, json};

use crate::posts::Post;
use crate::state::AppState;
use crate::users;

/// The longest post title kept, in characters.
const MAX_TITLE_CHARS: usize = 200;

pub(crate) async fn protected(AccessToken(user): AccessToken) -> Json<Value> {
    let email = users::find(user.subject()).map(|u| u.email);
    Json(json!({
        "message": "Access granted",
        "username": user.subject(),
        "email": email,
    }))
}

/// Cookie-borne, so the CSRF header is required (the extractor checks it before the body
/// is even read). The body is optional: `{"title": ...}` is kept when it parses.
pub(crate) async fn create_post(
    State(state): State<AppState>,
    AccessToken(user): AccessToken,
    body: Bytes,
) -> Json<Value> {
    let title = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("title")?.as_str().map(str::to_owned))
        .map(|t| t.chars().take(MAX_TITLE_CHARS).collect());
    state.posts.add(Post {
        author: user.subject().to_owned(),
        title,
    });
    Json(json!({ "message": "Post created", "user": user.subject() }))
}

/// Exempt from the CSRF header (see the route's `RouteOptions` in the router).
pub(crate) async fn webhook(AccessToken(user): AccessToken) -> Json<Value> {
    Json(json!({ "message": "Webhook processed", "user": user.subject() }))
}
