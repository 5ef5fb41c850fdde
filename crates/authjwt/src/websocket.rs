//! WebSockets: handshakes safe from cross-site hijacking, and sockets that end with their
//! session.
//!
//! # The risk
//!
//! Browsers send cookies with the WebSocket handshake, a `GET` that a page of *any* site can
//! start (`new WebSocket("wss://your.app/ws")`), and the same-origin policy does not apply to
//! WebSockets: the page that opened the socket reads whatever the server sends on it. The
//! CSRF double submit cannot help, since no script can add a header to the handshake. A
//! cookie-authenticated endpoint that upgrades whatever arrives is open to cross-site
//! WebSocket hijacking (CSWSH, see OWASP's WebSocket Security Cheat Sheet).
//!
//! # What the library does
//!
//! - **Every WebSocket upgrade** ([`is_websocket_upgrade`]) gets the Origin /
//!   `Sec-Fetch-Site` check that unsafe methods get, whatever its method: in
//!   [`Auth::authenticate`] (so in every extractor) for a cookie-borne token, and in
//!   [`Auth::check_origin`] (the cross-origin layer / middleware). A cross-site handshake is
//!   refused with 403 `cross_site_request` before anything is upgraded; an origin listed in
//!   [`ConfigBuilder::trusted_origins`](crate::ConfigBuilder::trusted_origins) passes even
//!   with `Sec-Fetch-Site: cross-site`, as for POST. Any other route can ask for the same
//!   check on safe methods with
//!   [`RouteOptions::check_origin_on_safe_methods`](crate::RouteOptions::check_origin_on_safe_methods).
//! - **The adapters authenticate the handshake**: `authjwt::axum::AuthenticatedUpgrade`
//!   (feature `axum-ws`, over axum's `WebSocketUpgrade`) and
//!   `authjwt::actix::AuthenticatedUpgrade` (feature `actix-ws`, over the `actix-ws` crate)
//!   require an access token, apply the cross-site check on any method, and only then
//!   accept the upgrade. No token: 401 `missing_token`. A request that is no WebSocket
//!   handshake: [`UpgradeRejection::Handshake`], JSON too.
//! - **A socket does not outlive its session**: a [`SessionWatch`], made from the
//!   handshake's token, tells when the token expires and whether it was revoked since
//!   (logout, [`Auth::revoke`], [`Auth::revoke_all`], a refresh token reused), so the server
//!   closes the socket (code [`close_code`], 4401) at the expiry or within
//!   [`REVOCATION_RECHECK`] of the revocation, and never before the expiry.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! use std::time::Duration;
//! use authjwt::websocket::{SessionWatch, close_code};
//! use authjwt::claims::NoCustomClaims;
//! use authjwt::{Auth, Config, Protection, TokenLocation};
//!
//! let auth = Auth::new(Config::builder()
//!     .secret(b"an example secret of at least 32 bytes!")
//!     .token_location([TokenLocation::Cookies])
//!     .access_expires(Duration::from_secs(60))
//!     .build()?);
//! let login = auth.create_login_tokens("user1")?;
//! let handshake = |site: &str| http::Request::get("/ws")
//!     .header("connection", "Upgrade")
//!     .header("upgrade", "websocket")
//!     .header("sec-fetch-site", site)
//!     .header("cookie", format!("access_token_cookie={}", login.access))
//!     .body(()).unwrap().into_parts().0;
//!
//! // Another site's page opening the socket with the user's cookie: refused.
//! let refused = auth.authenticate::<NoCustomClaims>(&handshake("cross-site"), &Protection::access()).await;
//! assert_eq!(refused.unwrap_err().code(), "cross_site_request");
//!
//! // The application's own page: accepted, and watched for as long as the socket lives.
//! let user = auth.authenticate::<NoCustomClaims>(&handshake("same-origin"), &Protection::access())
//!     .await?
//!     .unwrap();
//! let watch = SessionWatch::new(&auth, user.claims());
//! assert!(watch.check().await.is_ok());
//! auth.revoke(user.claims()).await?; // a logout elsewhere
//! let ended = watch.ended(tokio::time::sleep).await; // within a second
//! assert_eq!((ended.code(), close_code(&ended)), ("token_revoked", 4401));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

use crate::Auth;
use crate::claims::{Claims, NoCustomClaims};
pub use crate::csrf::is_websocket_upgrade;
use crate::error::{AuthError, AuthRejection};

/// How often [`SessionWatch::ended`] asks the revocation store again: a revoked session's
/// sockets are closed within this long. The stores answer from memory (the Redis store from
/// its local replica), so a check per second per socket costs a hash lookup.
pub const REVOCATION_RECHECK: Duration = Duration::from_secs(1);

/// Milliseconds since the Unix epoch, the clock tokens are issued against.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Watches the session of a long-lived connection (a WebSocket) opened with a verified token:
/// is that token still valid, and when must it be asked again?
///
/// The token was checked once, at the handshake; the connection then lives on its own. The
/// watch answers for the token as the request path would at any later moment:
///
/// - **expiry**: the token stops verifying at its `exp` (or its session's absolute end,
///   `sxp`, when that comes first) plus the configured
///   [`leeway`](crate::ConfigBuilder::leeway), the instant [`Auth::authenticate`] starts
///   answering `token_expired` (`session_expired`): [`SessionWatch::expires_at`], and
///   [`SessionWatch::time_left`] to sleep until it;
/// - **revocation**: its `jti`, its session (refresh family) or its subject listed in the
///   configured [`RevocationStore`](crate::RevocationStore), by a logout, [`Auth::revoke`],
///   [`Auth::revoke_all`] or a detected refresh reuse, here or on another instance sharing
///   the store. The store has no notifications, so the watch asks it again: every
///   [`REVOCATION_RECHECK`] in [`SessionWatch::ended`].
///
/// A server loop either awaits [`SessionWatch::ended`] beside its other work (pinned once,
/// outside the loop: a future created anew on each turn would start its wait again), or
/// sleeps [`SessionWatch::next_check_in`] and calls [`SessionWatch::check`] itself. The watch
/// needs no runtime of its own: `ended` takes the runtime's sleep function.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// use authjwt::websocket::{SessionWatch, close_code};
/// use authjwt::claims::TokenType;
/// use authjwt::{Auth, Config};
///
/// # let auth = Auth::new(Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let token = auth.create_login_tokens("user1")?.access;
/// let claims: authjwt::Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
/// let watch = SessionWatch::new(&auth, &claims);
/// let (_sender, mut messages) = tokio::sync::mpsc::channel::<String>(8); // the socket
///
/// let ended = watch.ended(tokio::time::sleep);
/// tokio::pin!(ended); // once, outside the loop
/// auth.revoke_all("user1").await?; // every session of user1 ends, this socket's included
/// let code = loop {
///     tokio::select! {
///         error = &mut ended => break close_code(&error), // expired or revoked: 4401
///         Some(message) = messages.recv() => { /* the socket's traffic */ }
///     }
/// };
/// assert_eq!(code, 4401);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct SessionWatch {
    auth: Auth,
    /// What the revocation check reads: `jti`, `fam`, `sub`, `iat`, the type.
    claims: Claims<NoCustomClaims>,
    /// The first millisecond at which the token no longer verifies; `None`: never.
    expires_at_ms: Option<u64>,
    /// The first millisecond past the session's absolute end (`sxp`), when it has one.
    session_ends_at_ms: Option<u64>,
}

impl SessionWatch {
    /// Watches the token whose verified `claims` opened the connection (from
    /// [`Authenticated::claims`](crate::Authenticated::claims), or `CurrentUser`'s `token`).
    ///
    /// ```
    /// use authjwt::websocket::SessionWatch;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: authjwt::Claims = auth.verify_token(token.as_str(), authjwt::claims::TokenType::Access)?;
    /// let watch = SessionWatch::new(&auth, &claims);
    /// assert!(!watch.is_expired());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new<T>(auth: &Auth, claims: &Claims<T>) -> Self {
        let leeway = auth.config().leeway;
        let ms = |secs: u64| secs.saturating_add(leeway).saturating_mul(1000);
        let session_ends_at_ms = claims.sxp.map(ms);
        let expires_at_ms = match (claims.exp.map(ms), session_ends_at_ms) {
            (Some(exp), Some(end)) => Some(exp.min(end)),
            (exp, end) => exp.or(end),
        };
        let claims = Claims {
            sub: claims.sub.clone(),
            iat: claims.iat,
            nbf: claims.nbf,
            exp: claims.exp,
            jti: claims.jti.clone(),
            token_type: claims.token_type,
            fresh: claims.fresh,
            csrf: None,
            iss: None,
            aud: None,
            fam: claims.fam.clone(),
            sxp: claims.sxp,
            rem: claims.rem,
            custom: NoCustomClaims {},
        };
        Self {
            auth: auth.clone(),
            claims,
            expires_at_ms,
            session_ends_at_ms,
        }
    }

    /// The subject of the watched token.
    ///
    /// ```
    /// # use authjwt::websocket::SessionWatch;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let token = auth.create_access_token("user1")?;
    /// # let claims: authjwt::Claims = auth.verify_token(token.as_str(), authjwt::claims::TokenType::Access)?;
    /// let watch = SessionWatch::new(&auth, &claims);
    /// assert_eq!(watch.subject(), "user1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn subject(&self) -> &str {
        &self.claims.sub
    }

    /// The instant the token stops verifying (`exp` plus the leeway), or `None` for a token
    /// without `exp` (only accepted with
    /// [`dangerous_allow_non_expiring_tokens`](crate::ConfigBuilder::dangerous_allow_non_expiring_tokens)).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// # use authjwt::websocket::SessionWatch;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").leeway(5).build()?);
    /// # let token = auth.create_access_token("user1")?;
    /// let claims: authjwt::Claims = auth.verify_token(token.as_str(), authjwt::claims::TokenType::Access)?;
    /// let watch = SessionWatch::new(&auth, &claims);
    /// let exp = UNIX_EPOCH + Duration::from_secs(claims.exp.unwrap());
    /// assert_eq!(watch.expires_at(), Some(exp + Duration::from_secs(5))); // leeway 5 s
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at_ms
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
    }

    /// How long until [`SessionWatch::expires_at`] (zero once it has passed); `None` for a
    /// token that never expires.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use authjwt::websocket::SessionWatch;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .access_expires(Duration::from_secs(60)).build()?);
    /// # let token = auth.create_access_token("user1")?;
    /// # let claims: authjwt::Claims = auth.verify_token(token.as_str(), authjwt::claims::TokenType::Access)?;
    /// let watch = SessionWatch::new(&auth, &claims);
    /// let left = watch.time_left().unwrap();
    /// assert!(left > Duration::from_secs(58) && left <= Duration::from_secs(60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time_left(&self) -> Option<Duration> {
        self.expires_at_ms
            .map(|at| Duration::from_millis(at.saturating_sub(now_ms())))
    }

    /// Whether the token has expired ([`SessionWatch::expires_at`] has passed).
    ///
    /// ```
    /// # use authjwt::websocket::SessionWatch;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let mut claims: authjwt::Claims = auth.verify_token(token.as_str(), authjwt::claims::TokenType::Access)?;
    /// assert!(!SessionWatch::new(&auth, &claims).is_expired());
    /// claims.exp = Some(claims.iat - 1); // as the same token will look in a quarter of an hour
    /// assert!(SessionWatch::new(&auth, &claims).is_expired());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_expired(&self) -> bool {
        self.expires_at_ms.is_some_and(|at| now_ms() >= at)
    }

    /// How long to wait before the next [`SessionWatch::check`]: until the expiry, but at
    /// most [`REVOCATION_RECHECK`].
    ///
    /// ```
    /// use authjwt::websocket::{REVOCATION_RECHECK, SessionWatch};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// # let token = auth.create_access_token("user1")?;
    /// # let claims: authjwt::Claims = auth.verify_token(token.as_str(), authjwt::claims::TokenType::Access)?;
    /// let watch = SessionWatch::new(&auth, &claims); // 15 minutes left
    /// assert_eq!(watch.next_check_in(), REVOCATION_RECHECK);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_check_in(&self) -> Duration {
        self.time_left()
            .map_or(REVOCATION_RECHECK, |left| left.min(REVOCATION_RECHECK))
    }

    /// Whether the token is still valid now: `Err(TokenExpired)` once it has expired
    /// (`Err(SessionExpired)` past the session's absolute end),
    /// `Err(TokenRevoked)` once it (or its session, or its subject) has been revoked,
    /// `Err(RevocationUnavailable)` when the store cannot answer (fail closed, as on the
    /// request path).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::AuthError;
    /// # use authjwt::websocket::SessionWatch;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// let claims: authjwt::Claims = auth.verify_token(login.access.as_str(), authjwt::claims::TokenType::Access)?;
    /// let watch = SessionWatch::new(&auth, &claims);
    /// assert_eq!(watch.check().await, Ok(()));
    /// auth.revoke_all("user1").await?; // every session of user1 ends
    /// assert_eq!(watch.check().await, Err(AuthError::TokenRevoked));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn check(&self) -> Result<(), AuthError> {
        if self.is_expired() {
            // As the verifier says it: past the session's absolute end first.
            let now = now_ms();
            if self.session_ends_at_ms.is_some_and(|end| now >= end) {
                return Err(AuthError::SessionExpired);
            }
            return Err(AuthError::TokenExpired);
        }
        crate::guard::check_revocation(&self.auth, &self.claims).await
    }

    /// Completes when the token stops being valid, with the reason ([`SessionWatch::check`]'s
    /// error): at its expiry exactly, or within [`REVOCATION_RECHECK`] of a revocation. It
    /// sleeps with `sleep`, the runtime's timer (`tokio::time::sleep`, `actix_web::rt::time::sleep`).
    ///
    /// Create it once per connection and poll it by reference (`tokio::pin!` it, then
    /// `&mut ended` in `select!`); dropping it stops the watch.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use std::time::{Duration, Instant};
    /// use authjwt::AuthError;
    /// use authjwt::claims::TokenType;
    /// # use authjwt::websocket::SessionWatch;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .access_expires(Duration::from_secs(1)).build()?);
    /// let token = auth.create_access_token("user1")?; // lives one second
    /// let claims: authjwt::Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// let watch = SessionWatch::new(&auth, &claims);
    /// assert_eq!(watch.ended(tokio::time::sleep).await, AuthError::TokenExpired);
    /// assert!(watch.is_expired()); // never before the expiry
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn ended<S, F>(&self, mut sleep: S) -> AuthError
    where
        S: FnMut(Duration) -> F,
        F: Future<Output = ()>,
    {
        loop {
            sleep(self.next_check_in()).await;
            if let Err(error) = self.check().await {
                error.trace();
                return error;
            }
        }
    }
}

/// The WebSocket close code for a connection ended by `error`: 4000 plus its HTTP status, in
/// the range RFC 6455 leaves to applications. Expired or revoked tokens give **4401**, like
/// the 401 a request would get; a revocation store that cannot answer gives 4503. Send
/// [`AuthError::code`] as the close reason, so the page can tell `token_expired` from
/// `token_revoked`.
///
/// ```
/// use authjwt::AuthError;
/// use authjwt::websocket::close_code;
/// assert_eq!(close_code(&AuthError::TokenExpired), 4401);
/// assert_eq!(close_code(&AuthError::TokenRevoked), 4401);
/// assert_eq!(close_code(&AuthError::RevocationUnavailable), 4503);
/// ```
pub fn close_code(error: &AuthError) -> u16 {
    4000 + error.status().as_u16()
}

/// Why an authenticated WebSocket upgrade was refused, before anything was upgraded: the
/// rejection of the adapters' `AuthenticatedUpgrade` extractors. Rendered as JSON
/// `{"detail", "code"}` like every other refusal.
///
/// ```
/// use authjwt::AuthError;
/// use authjwt::websocket::UpgradeRejection;
///
/// let refused = UpgradeRejection::from(authjwt::error::AuthRejection::new(AuthError::CrossSiteRequest));
/// assert_eq!((refused.status(), refused.code()), (http::StatusCode::FORBIDDEN, "cross_site_request"));
///
/// let plain_get = UpgradeRejection::handshake(http::StatusCode::BAD_REQUEST, "not a WebSocket handshake");
/// let resp = plain_get.into_http_response();
/// assert_eq!(resp.status(), 400);
/// assert_eq!(
///     std::str::from_utf8(resp.body())?,
///     r#"{"detail":"not a WebSocket handshake","code":"invalid_websocket_handshake"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum UpgradeRejection {
    /// The handshake's token was refused (401 `missing_token`, 403 `cross_site_request`, …),
    /// rendered by the configured responder.
    Auth(AuthRejection),
    /// The request is authenticated but is no WebSocket handshake the framework can upgrade
    /// (not a GET, an `Upgrade` or `Connection` header missing, an unsupported version, …):
    /// code `invalid_websocket_handshake`, with the framework's status (400, 405, 426).
    Handshake {
        /// The framework's status for it.
        status: StatusCode,
        /// The framework's message, which names the missing piece.
        detail: String,
    },
}

impl UpgradeRejection {
    /// The code of [`UpgradeRejection::Handshake`].
    pub const HANDSHAKE_CODE: &'static str = "invalid_websocket_handshake";

    /// A refused handshake (an adapter maps its framework's handshake error to it).
    ///
    /// ```
    /// let r = authjwt::websocket::UpgradeRejection::handshake(http::StatusCode::UPGRADE_REQUIRED, "upgrade required");
    /// assert_eq!(r.code(), "invalid_websocket_handshake");
    /// ```
    pub fn handshake(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::Handshake {
            status,
            detail: detail.into(),
        }
    }

    /// The HTTP status sent.
    ///
    /// ```
    /// use authjwt::{AuthError, error::AuthRejection, websocket::UpgradeRejection};
    /// let r = UpgradeRejection::from(AuthRejection::new(AuthError::MissingToken));
    /// assert_eq!(r.status(), 401);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Auth(rejection) => rejection.error().status(),
            Self::Handshake { status, .. } => *status,
        }
    }

    /// The stable code: the [`AuthError`]'s, or `invalid_websocket_handshake`.
    ///
    /// ```
    /// use authjwt::{AuthError, error::AuthRejection, websocket::UpgradeRejection};
    /// let r = UpgradeRejection::from(AuthRejection::new(AuthError::MissingToken));
    /// assert_eq!(r.code(), "missing_token");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Auth(rejection) => rejection.error().code(),
            Self::Handshake { .. } => Self::HANDSHAKE_CODE,
        }
    }

    /// The response: the responder's for [`UpgradeRejection::Auth`], JSON
    /// `{"detail","code"}` for [`UpgradeRejection::Handshake`] (with `Upgrade: websocket` on
    /// a 426, as RFC 9110 asks).
    ///
    /// ```
    /// use authjwt::{AuthError, error::AuthRejection, websocket::UpgradeRejection};
    /// let resp = UpgradeRejection::from(AuthRejection::new(AuthError::CrossSiteRequest)).into_http_response();
    /// assert_eq!(resp.status(), 403);
    /// assert_eq!(resp.headers()["content-type"], "application/json");
    /// ```
    pub fn into_http_response(self) -> http::Response<Bytes> {
        match self {
            Self::Auth(rejection) => rejection.into_http_response(),
            Self::Handshake { status, detail } => {
                /// The body of every refusal, in the library's field order.
                #[derive(serde::Serialize)]
                struct Body<'a> {
                    detail: &'a str,
                    code: &'static str,
                }
                let body = Body {
                    detail: &detail,
                    code: Self::HANDSHAKE_CODE,
                };
                // Two strings cannot fail to serialise; an empty body would still be refused.
                let body = serde_json::to_vec(&body).unwrap_or_default();
                let mut resp = http::Response::new(Bytes::from(body));
                *resp.status_mut() = status;
                let headers = resp.headers_mut();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                if status == StatusCode::UPGRADE_REQUIRED {
                    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
                }
                resp
            }
        }
    }
}

impl From<AuthRejection> for UpgradeRejection {
    fn from(rejection: AuthRejection) -> Self {
        Self::Auth(rejection)
    }
}

impl fmt::Display for UpgradeRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auth(rejection) => fmt::Display::fmt(rejection.error(), f),
            Self::Handshake { detail, .. } => write!(f, "invalid WebSocket handshake: {detail}"),
        }
    }
}

impl std::error::Error for UpgradeRejection {}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::Config;
    use crate::claims::TokenType;
    use crate::tokens::TokenOptions;

    fn auth(leeway: u64) -> Auth {
        Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .leeway(leeway)
                .build()
                .unwrap(),
        )
    }

    /// Verified claims of a token that expires in `secs` seconds (`exp` set by hand below
    /// now when `secs` is 0 and moved further by the cases).
    fn claims_expiring_in(auth: &Auth, secs: u64) -> Claims {
        let token = auth
            .create_token(
                TokenType::Access,
                "user1",
                TokenOptions::new().expires_in(Duration::from_secs(secs.max(100))),
            )
            .unwrap();
        let mut claims: Claims = auth
            .verify_token(token.as_str(), TokenType::Access)
            .unwrap();
        claims.exp = Some(claims.iat + secs);
        claims
    }

    /// A sleep that only counts the waits it was asked for and returns at once, so the loop
    /// of `ended` can be followed without a timer.
    fn counting_sleep(waits: &Arc<AtomicUsize>) -> impl FnMut(Duration) -> std::future::Ready<()> {
        let waits = waits.clone();
        move |_| {
            waits.fetch_add(1, Ordering::SeqCst);
            std::future::ready(())
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn the_expiry_is_exp_plus_the_leeway_in_whole_seconds() {
        let a = auth(3);
        let claims = claims_expiring_in(&a, 100);
        let exp = claims.exp.unwrap();
        let watch = SessionWatch::new(&a, &claims);
        assert_eq!(watch.expires_at_ms, Some((exp + 3) * 1000));
        assert_eq!(
            watch.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(exp + 3))
        );
        let left = watch.time_left().unwrap();
        assert!(left > Duration::from_secs(101) && left <= Duration::from_secs(103));
        assert_eq!(watch.next_check_in(), REVOCATION_RECHECK);
        assert!(!watch.is_expired());
    }

    #[test]
    fn a_token_within_its_leeway_is_not_expired_and_after_it_is() {
        let a = auth(60);
        // Expired ten seconds ago, but the leeway is a minute: still valid, as on the request path.
        let mut claims = claims_expiring_in(&a, 0);
        claims.exp = Some(claims.exp.unwrap() - 10);
        let watch = SessionWatch::new(&a, &claims);
        assert!(!watch.is_expired());
        assert!(watch.time_left().unwrap() > Duration::from_secs(45));
        claims.exp = Some(claims.exp.unwrap() - 60);
        let watch = SessionWatch::new(&a, &claims);
        assert!(watch.is_expired());
        assert_eq!(watch.time_left(), Some(Duration::ZERO));
        assert_eq!(watch.next_check_in(), Duration::ZERO);
        assert_eq!(block_on(watch.check()), Err(AuthError::TokenExpired));
    }

    #[test]
    fn the_sessions_absolute_end_comes_first_and_says_so() {
        let a = auth(0);
        let mut claims = claims_expiring_in(&a, 100);
        let iat = claims.iat;
        claims.sxp = Some(iat + 50);
        let watch = SessionWatch::new(&a, &claims);
        assert_eq!(watch.expires_at_ms, Some((iat + 50) * 1000));
        claims.sxp = Some(iat - 1);
        claims.exp = Some(iat - 1);
        let watch = SessionWatch::new(&a, &claims);
        assert_eq!(block_on(watch.check()), Err(AuthError::SessionExpired));
        // A session end after the token's own expiry: the token's expiry speaks.
        claims.sxp = Some(iat + 500);
        let watch = SessionWatch::new(&a, &claims);
        assert_eq!(block_on(watch.check()), Err(AuthError::TokenExpired));
    }

    #[test]
    fn a_token_without_exp_is_only_watched_for_revocation() {
        let a = auth(0);
        let mut claims = claims_expiring_in(&a, 100);
        claims.exp = None;
        let watch = SessionWatch::new(&a, &claims);
        assert_eq!(watch.expires_at(), None);
        assert_eq!(watch.time_left(), None);
        assert!(!watch.is_expired());
        assert_eq!(watch.next_check_in(), REVOCATION_RECHECK);
        assert_eq!(block_on(watch.check()), Ok(()));
    }

    #[test]
    fn revocation_by_jti_family_or_subject_ends_the_watch() {
        block_on(async {
            let a = auth(0);
            let login = a.create_login_tokens("user1").unwrap();
            let claims: Claims = a
                .verify_token(login.access.as_str(), TokenType::Access)
                .unwrap();
            let watch = SessionWatch::new(&a, &claims);
            assert_eq!(watch.subject(), "user1");
            assert_eq!(watch.check().await, Ok(()));

            // The session's refresh token revoked (a logout presenting only it): the family
            // goes, and with it this access token.
            let refresh: Claims = a
                .verify_token(login.refresh.as_str(), TokenType::Refresh)
                .unwrap();
            let store = a.config().revocation_store().unwrap().clone();
            store
                .revoke_family(refresh.fam.as_deref().unwrap(), u64::MAX)
                .await
                .unwrap();
            assert_eq!(watch.check().await, Err(AuthError::TokenRevoked));

            // Another session of the same user is untouched until revoke_all.
            let other = a.create_login_tokens("user1").unwrap();
            let other: Claims = a
                .verify_token(other.access.as_str(), TokenType::Access)
                .unwrap();
            let other = SessionWatch::new(&a, &other);
            assert_eq!(other.check().await, Ok(()));
            a.revoke(&claims).await.unwrap(); // this jti: changes nothing for the other
            assert_eq!(other.check().await, Ok(()));
        });
    }

    #[test]
    fn ended_waits_in_steps_until_the_first_failed_check() {
        block_on(async {
            let a = auth(0);
            let claims: Claims = {
                let token = a.create_access_token("user1").unwrap();
                a.verify_token(token.as_str(), TokenType::Access).unwrap()
            };
            let watch = SessionWatch::new(&a, &claims);
            let waits = Arc::new(AtomicUsize::new(0));
            // Revoked before the first wait is over: one wait, then the answer.
            a.revoke(&claims).await.unwrap();
            let ended = watch.ended(counting_sleep(&waits)).await;
            assert_eq!(ended, AuthError::TokenRevoked);
            assert_eq!(waits.load(Ordering::SeqCst), 1);
        });
    }

    #[test]
    fn close_codes_are_in_the_private_range() {
        for e in [
            AuthError::TokenExpired,
            AuthError::TokenRevoked,
            AuthError::CrossSiteRequest,
            AuthError::RevocationUnavailable,
            AuthError::Misconfigured("x"),
        ] {
            let code = close_code(&e);
            assert!((4000..5000).contains(&code), "{e:?}: {code}");
            assert_eq!(code - 4000, e.status().as_u16());
        }
    }

    #[test]
    fn a_handshake_rejection_is_json_and_names_its_code() {
        let r = UpgradeRejection::handshake(StatusCode::UPGRADE_REQUIRED, "say \"upgrade\"");
        assert_eq!(
            r.to_string(),
            "invalid WebSocket handshake: say \"upgrade\""
        );
        let resp = r.into_http_response();
        assert_eq!(resp.status(), 426);
        assert_eq!(resp.headers()[header::UPGRADE], "websocket");
        let body: serde_json::Value = serde_json::from_slice(resp.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"detail": "say \"upgrade\"", "code": "invalid_websocket_handshake"})
        );
        let auth = UpgradeRejection::from(AuthRejection::new(AuthError::MissingToken));
        assert_eq!(auth.to_string(), AuthError::MissingToken.to_string());
        assert!(
            auth.into_http_response()
                .headers()
                .get(header::UPGRADE)
                .is_none()
        );
    }
}
