//! Authenticated WebSocket upgrades for actix-web (feature `actix-ws`): [`AuthenticatedUpgrade`]
//! authenticates the handshake (access token, cross-site check on any method) before the
//! `actix-ws` crate accepts it, and hands over a [`SessionWatch`] to end the socket with its
//! session. See [`crate::websocket`] for the risk and the policy.

use std::fmt;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use actix_ws::{CloseCode, CloseReason, MessageStream, Session};
use futures_core::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::RequestParts;
use crate::claims::NoCustomClaims;
use crate::websocket::{SessionWatch, UpgradeRejection, close_code};
use crate::{Auth, AuthError, Authenticated, Protection, RouteOptions};

/// A WebSocket handshake whose access token was accepted, already answered by `actix-ws`:
/// the token, a [`SessionWatch`] on it, the `101 Switching Protocols` response the handler
/// returns, and the socket's two halves.
///
/// As an extractor it requires a valid access token (`T`: its custom claims) under the
/// route's [`RouteOptions`], like [`AccessToken`](crate::actix::AccessToken), and applies the
/// Origin / `Sec-Fetch-Site` check to a cookie-borne token whatever the request's method, so
/// a page of another site cannot open the socket with the user's cookies (403
/// `cross_site_request`; trusted origins pass). Only then does it let `actix_ws::handle`
/// answer the handshake. Every refusal comes before the upgrade, as JSON
/// ([`UpgradeRejection`]). It needs [`Auth::middleware`] on the app, like every extractor.
///
/// ```
/// use authjwt::actix::{AuthenticatedUpgrade, close_reason};
/// use actix_web::{App, HttpResponse, web};
/// use actix_ws::Message;
///
/// async fn ws(upgrade: AuthenticatedUpgrade) -> HttpResponse {
///     let AuthenticatedUpgrade { token, watch, response, mut session, mut messages, .. } = upgrade;
///     let user = token.subject().to_owned();
///     actix_web::rt::spawn(async move {
///         let mut ended = std::pin::pin!(watch.ended(actix_web::rt::time::sleep));
///         let reason = loop {
///             tokio::select! {
///                 // Expired or revoked (logout, revoke-all): close with 4401 and the reason.
///                 error = &mut ended => break Some(close_reason(&error)),
///                 message = messages.recv() => match message {
///                     Some(Ok(Message::Text(text))) => {
///                         if session.text(format!("{user}: {text}")).await.is_err() {
///                             return;
///                         }
///                     }
///                     Some(Ok(Message::Ping(bytes))) => {
///                         if session.pong(&bytes).await.is_err() {
///                             return;
///                         }
///                     }
///                     Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
///                     Some(Ok(_)) => {}
///                 },
///             }
///         };
///         let _ = session.close(reason).await;
///     });
///     response
/// }
///
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// let app = App::new()
///     .route("/ws", web::get().to(ws))
///     .wrap(auth.middleware())
///     .wrap(auth.cross_origin_middleware()); // also refuses cross-site upgrades, token or not
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A cross-site handshake never reaches the upgrade:
///
/// ```
/// # actix_web::rt::System::new().block_on(async {
/// # use authjwt::actix::AuthenticatedUpgrade;
/// # use actix_web::{App, HttpResponse, test, web};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// # async fn ws(u: AuthenticatedUpgrade) -> HttpResponse { u.response }
/// let app = test::init_service(App::new().route("/ws", web::get().to(ws)).wrap(auth.middleware())).await;
/// let cookie = format!("access_token_cookie={}", auth.create_access_token("user1")?);
/// let handshake = test::TestRequest::get()
///     .uri("/ws")
///     .insert_header(("connection", "upgrade"))
///     .insert_header(("upgrade", "websocket"))
///     .insert_header(("sec-websocket-version", "13"))
///     .insert_header(("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="))
///     .insert_header(("cookie", cookie));
/// let cross_site = handshake.insert_header(("sec-fetch-site", "cross-site")).to_request();
/// let resp = test::call_service(&app, cross_site).await;
/// assert_eq!(resp.status(), 403); // {"detail": ..., "code": "cross_site_request"}
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[non_exhaustive]
pub struct AuthenticatedUpgrade<T = NoCustomClaims> {
    /// The handshake's verified access token.
    pub token: Authenticated<T>,
    /// Watches that token for as long as the socket lives.
    pub watch: SessionWatch,
    /// The `101 Switching Protocols` answer: the handler returns it.
    pub response: HttpResponse,
    /// Sends to the client.
    pub session: Session,
    /// What the client sends.
    pub messages: MessageStream,
}

impl<T: fmt::Debug> fmt::Debug for AuthenticatedUpgrade<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticatedUpgrade")
            .field("token", &self.token)
            .field("watch", &self.watch)
            .field("response", &self.response.status())
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for AuthenticatedUpgrade<T> {
    type Error = UpgradeRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        // Each takes what it needs now, while the request and its payload are lent.
        let auth = Auth::from_request(&req, payload);
        let head = RequestParts::from_request(&req, payload);
        let body = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let auth = auth.await?;
            let RequestParts(parts) = head.await?;
            let protection = Protection::access()
                .check_origin_on_safe_methods(true)
                .with_route(parts.extensions.get::<RouteOptions>());
            let token = match auth.authenticate::<T>(&parts, &protection).await {
                Ok(Some(token)) => token,
                // Not optional: `None` does not happen; refuse it like a missing token.
                Ok(None) => return Err(auth.rejection(AuthError::MissingToken).into()),
                // Already traced by the core: render only.
                Err(e) => return Err(auth.rejection(e).into()),
            };
            let handshake = |e: actix_web::Error| {
                let status = e.as_response_error().status_code().as_u16();
                let status =
                    http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
                UpgradeRejection::handshake(status, e.to_string())
            };
            let body = body.await.map_err(handshake)?;
            let (response, session, messages) = actix_ws::handle(&req, body).map_err(handshake)?;
            let watch = SessionWatch::new(&auth, token.claims());
            Ok(Self {
                token,
                watch,
                response,
                session,
                messages,
            })
        })
    }
}

impl ResponseError for UpgradeRejection {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::from_u16(self.status().as_u16())
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        super::response_to_actix(self.clone().into_http_response())
    }
}

/// The close reason for a socket ended by `error`: code
/// [`websocket::close_code`](crate::websocket::close_code) (4401 for an expired or revoked
/// token), description [`AuthError::code`].
///
/// ```
/// let reason = authjwt::actix::close_reason(&authjwt::AuthError::TokenRevoked);
/// assert_eq!(u16::from(reason.code), 4401);
/// assert_eq!(reason.description.as_deref(), Some("token_revoked"));
/// ```
pub fn close_reason(error: &AuthError) -> CloseReason {
    CloseReason {
        code: CloseCode::from(close_code(error)),
        description: Some(error.code().to_owned()),
    }
}
