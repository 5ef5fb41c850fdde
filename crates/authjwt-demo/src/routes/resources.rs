//! `GET /protected`, `POST /posts`, `POST /webhook`: routes that need an access token, and
//! show its user: [`CurrentUser`] authenticates the token like `AccessToken` does, then
//! resolves its subject to one of the demo's users ([`DemoUsers`](crate::users::DemoUsers)).
//! A valid token whose subject is no user is refused with 401 `user_not_found`.

use authjwt::user::CurrentUser;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Value, json};

use crate::openapi::{PostRequest, ProtectedResponse, UserMessage};
use crate::posts::Post;
use crate::state::AppState;
use crate::users::User;

/// The longest post title kept, in characters.
const MAX_TITLE_CHARS: usize = 200;

#[utoipa::path(
    get,
    path = "/protected",
    operation_id = "protected",
    tag = "resources",
    responses((status = 200, description = "The token's user.", body = ProtectedResponse))
)]
pub(crate) async fn protected(CurrentUser { user, .. }: CurrentUser<User>) -> Json<Value> {
    Json(json!({
        "message": "Access granted",
        "username": user.username,
        "email": user.email,
    }))
}

/// Cookie-borne, so the CSRF header is required (the extractor checks it before the body
/// is even read). The body is optional: `{"title": ...}` is kept when it parses.
#[utoipa::path(
    post,
    path = "/posts",
    operation_id = "create_post",
    tag = "resources",
    request_body(content = Option<PostRequest>, description = "Optional; a body that does not \
        parse creates a post without a title."),
    responses((status = 200, description = "The post is created.", body = UserMessage))
)]
pub(crate) async fn create_post(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser<User>,
    body: Bytes,
) -> Json<Value> {
    let title = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("title")?.as_str().map(str::to_owned))
        .map(|t| t.chars().take(MAX_TITLE_CHARS).collect());
    state.posts.add(Post {
        author: user.username.to_owned(),
        title,
    });
    Json(json!({ "message": "Post created", "user": user.username }))
}

/// Exempt from the CSRF header (see the route's `RouteOptions` in the router).
#[utoipa::path(
    post,
    path = "/webhook",
    operation_id = "webhook",
    tag = "resources",
    responses((status = 200, description = "Processed: the access cookie, no CSRF header.",
               body = UserMessage))
)]
pub(crate) async fn webhook(CurrentUser { user, .. }: CurrentUser<User>) -> Json<Value> {
    Json(json!({ "message": "Webhook processed", "user": user.username }))
}
