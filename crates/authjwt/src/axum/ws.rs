//! Authenticated WebSocket upgrades for axum (feature `axum-ws`): [`AuthenticatedUpgrade`]
//! authenticates the handshake (access token, cross-site check on any method) before axum's
//! [`WebSocketUpgrade`] accepts it, and hands over a [`SessionWatch`] to end the socket with
//! its session. See [`crate::websocket`] for the risk and the policy.

use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::claims::NoCustomClaims;
use crate::error::{AuthError, AuthRejection};
use crate::websocket::{SessionWatch, UpgradeRejection, close_code};
use crate::{Auth, Authenticated, Protection, RouteOptions};

const MISSING_LAYER: &str = "AuthenticatedUpgrade needs `.layer(auth.layer())` on the router";

/// A WebSocket handshake whose access token was accepted: the token, a [`SessionWatch`] on
/// it, and axum's [`WebSocketUpgrade`] to finish the upgrade with.
///
/// As an extractor it requires a valid access token (`T`: its custom claims) under the
/// route's [`RouteOptions`], like [`AccessToken`](crate::axum::AccessToken), and applies the
/// Origin / `Sec-Fetch-Site` check to a cookie-borne token whatever the request's method, so
/// a page of another site cannot open the socket with the user's cookies (403
/// `cross_site_request`; trusted origins pass). Only then does it read the handshake. Every
/// refusal comes before the upgrade, as JSON ([`UpgradeRejection`]).
///
/// ```
/// use std::pin::pin;
/// use authjwt::axum::{AuthenticatedUpgrade, close_frame};
/// use authjwt::websocket::SessionWatch;
/// use axum::extract::ws::{Message, WebSocket};
/// use axum::{Router, response::Response, routing::get};
///
/// async fn ws(upgrade: AuthenticatedUpgrade) -> Response {
///     let AuthenticatedUpgrade { token, watch, upgrade, .. } = upgrade;
///     let user = token.subject().to_owned();
///     upgrade
///         .max_message_size(64 * 1024)
///         .on_upgrade(move |socket| serve(socket, watch, user))
/// }
///
/// async fn serve(mut socket: WebSocket, watch: SessionWatch, user: String) {
///     let mut ended = pin!(watch.ended(tokio::time::sleep)); // once, outside the loop
///     loop {
///         tokio::select! {
///             // Expired or revoked (logout, revoke-all): close with 4401 and the reason.
///             error = &mut ended => {
///                 let _ = socket.send(Message::Close(Some(close_frame(&error)))).await;
///                 return;
///             }
///             message = socket.recv() => match message {
///                 Some(Ok(Message::Text(text))) => {
///                     let echo = format!("{user}: {}", text.as_str());
///                     if socket.send(Message::Text(echo.into())).await.is_err() {
///                         return;
///                     }
///                 }
///                 Some(Ok(_)) => {} // pings are answered by axum
///                 None | Some(Err(_)) => return,
///             },
///         }
///     }
/// }
///
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// let app: Router = Router::new()
///     .route("/ws", get(ws))
///     .layer(auth.layer())
///     .layer(auth.cross_origin_layer()); // also refuses cross-site upgrades, token or not
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A cross-site handshake never reaches the upgrade:
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use tower::ServiceExt;
/// # use authjwt::axum::AuthenticatedUpgrade;
/// # use axum::{Router, body::Body, response::Response, routing::get};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// # async fn ws(u: AuthenticatedUpgrade) -> Response { u.upgrade.on_upgrade(|_| async {}) }
/// let app: Router = Router::new().route("/ws", get(ws)).layer(auth.layer());
/// let cookie = format!("access_token_cookie={}", auth.create_access_token("user1")?);
/// let handshake = http::Request::get("/ws")
///     .header("connection", "upgrade")
///     .header("upgrade", "websocket")
///     .header("sec-websocket-version", "13")
///     .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
///     .header("origin", "https://evil.example")
///     .header("host", "app.example")
///     .header("cookie", cookie);
/// let resp = app.clone().oneshot(handshake.body(Body::empty())?).await?;
/// assert_eq!(resp.status(), 403); // {"detail": ..., "code": "cross_site_request"}
/// let anonymous = http::Request::get("/ws").header("connection", "upgrade").header("upgrade", "websocket");
/// assert_eq!(app.oneshot(anonymous.body(Body::empty())?).await?.status(), 401);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthenticatedUpgrade<T = NoCustomClaims> {
    /// The handshake's verified access token.
    pub token: Authenticated<T>,
    /// Watches that token for as long as the socket lives.
    pub watch: SessionWatch,
    /// axum's upgrade: set its limits, then `on_upgrade`.
    pub upgrade: WebSocketUpgrade,
}

impl<S, T> FromRequestParts<S> for AuthenticatedUpgrade<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send + Sync,
{
    type Rejection = UpgradeRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(auth) = parts.extensions.get::<Auth>().cloned() else {
            return Err(AuthRejection::new(AuthError::Misconfigured(MISSING_LAYER)).into());
        };
        let protection = Protection::access()
            .check_origin_on_safe_methods(true)
            .with_route(parts.extensions.get::<RouteOptions>());
        let token = match auth.authenticate::<T>(parts, &protection).await {
            Ok(Some(token)) => token,
            // Not optional: `None` does not happen; refuse it like a missing token.
            Ok(None) => return Err(auth.rejection(AuthError::MissingToken).into()),
            // Already traced by the core: render only.
            Err(e) => return Err(auth.rejection(e).into()),
        };
        let upgrade = WebSocketUpgrade::from_request_parts(parts, state)
            .await
            .map_err(|e| UpgradeRejection::handshake(e.status(), e.body_text()))?;
        let watch = SessionWatch::new(&auth, token.claims());
        Ok(Self {
            token,
            watch,
            upgrade,
        })
    }
}

impl IntoResponse for UpgradeRejection {
    fn into_response(self) -> Response {
        self.into_http_response().map(axum::body::Body::from)
    }
}

/// The close frame for a socket ended by `error`: code
/// [`websocket::close_code`](crate::websocket::close_code) (4401 for an expired or revoked
/// token), reason [`AuthError::code`].
///
/// ```
/// let frame = authjwt::axum::close_frame(&authjwt::AuthError::TokenExpired);
/// assert_eq!((frame.code, frame.reason.as_str()), (4401, "token_expired"));
/// ```
pub fn close_frame(error: &AuthError) -> CloseFrame {
    CloseFrame {
        code: close_code(error),
        reason: error.code().into(),
    }
}
