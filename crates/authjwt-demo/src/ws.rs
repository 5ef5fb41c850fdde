//! `GET /ws`: a WebSocket that pushes `{"type":"post","title","user"}` for each post created
//! through `POST /posts`, to the page of a logged-in user.
//!
//! - The handshake is authenticated by the access cookie ([`AuthenticatedUpgrade`]), and its
//!   subject must be one of the demo's users, like every route that shows users' data. No
//!   token: 401. A cross-site handshake (an `Origin` that is neither the host nor trusted,
//!   or `Sec-Fetch-Site: cross-site` without a trusted `Origin`) is refused with 403 by the
//!   router's cross-origin layer, before any token is looked at and before the upgrade.
//! - The server closes the socket with code 4401 (reason `token_expired` or `token_revoked`)
//!   at the access token's expiry, or within a second of its session ending (logout,
//!   revocation), never before the expiry ([`SessionWatch`]). The page does not reopen it by
//!   itself: a new socket comes with the next successful request of the session.
//! - The page sends nothing on it: client messages are limited to 4 KiB and ignored.

use std::pin::pin;

use authjwt::axum::{AuthenticatedUpgrade, close_frame};
use authjwt::websocket::SessionWatch;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::errors::ErrorBody;
use crate::posts::Post;
use crate::state::AppState;
use crate::users::User;

/// The largest message or frame accepted from a client: the page sends none.
const MAX_CLIENT_MESSAGE: usize = 4096;

/// The handshake: authenticated by the extractor, the user looked up, the feed subscribed
/// to before the `101` answer (so no post created after the handshake is missed).
#[utoipa::path(
    get,
    path = "/ws",
    operation_id = "ws",
    tag = "resources",
    description = "A WebSocket handshake (`Connection: Upgrade`, `Upgrade: websocket`). The \
        server sends one JSON text message per new post, `{\"type\": \"post\", \"title\", \
        \"user\"}`, and ignores what the client sends. It closes the socket with code 4401 \
        (reason `token_expired` or `token_revoked`) when the access token expires or its \
        session ends, never before the expiry. A handshake from another site is refused \
        with 403 whatever its method.",
    responses(
        (status = 101, description = "Switching Protocols: the socket is open."),
        (status = 400, description = "invalid_websocket_handshake: not a WebSocket handshake \
            (a header missing or wrong).", body = ErrorBody),
        (status = 426, description = "invalid_websocket_handshake: the connection cannot be \
            upgraded.", body = ErrorBody),
    )
)]
pub(crate) async fn socket(
    State(state): State<AppState>,
    upgrade: AuthenticatedUpgrade,
) -> Response {
    let AuthenticatedUpgrade {
        token,
        watch,
        upgrade,
        ..
    } = upgrade;
    let user = match state.auth.lookup_user::<User, _>(&token).await {
        Ok(user) => user,
        Err(e) => return state.auth.reject(e).into_response(),
    };
    tracing::debug!(username = user.username, "websocket opened");
    let feed = state.posts.subscribe();
    upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| serve(socket, watch, feed))
}

/// The socket's life: new posts out, until the client leaves or the session ends.
async fn serve(mut socket: WebSocket, watch: SessionWatch, mut feed: broadcast::Receiver<Post>) {
    // Created once: it sleeps until the expiry and rechecks revocation every second.
    let mut ended = pin!(watch.ended(tokio::time::sleep));
    loop {
        tokio::select! {
            // First: nothing is sent once the session is over.
            biased;
            error = &mut ended => {
                tracing::debug!(code = error.code(), "websocket closed: the session ended");
                let _ = socket.send(Message::Close(Some(close_frame(&error)))).await;
                return;
            }
            post = feed.recv() => match post {
                Ok(post) => {
                    let event = json!({"type": "post", "title": post.title, "user": post.author});
                    if socket.send(Message::Text(event.to_string().into())).await.is_err() {
                        return;
                    }
                }
                // Too slow a reader misses the oldest posts, and goes on.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            message = socket.recv() => match message {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                // Pings are answered by axum; anything else is ignored.
                Some(Ok(_)) => {}
            },
        }
    }
}
