//! The axum 0.8 adapter (feature `axum`): extractors, layers and responses. It translates
//! between axum and the core; every check runs in [`Auth::authenticate`](crate::Auth::authenticate).
//!
//! ```
//! use axum::{Json, Router, routing::{get, post}};
//! use authjwt::axum::AccessToken;
//! use authjwt::{Auth, Config, RouteOptions, TokenLocation};
//!
//! async fn protected(AccessToken(user): AccessToken) -> Json<serde_json::Value> {
//!     Json(serde_json::json!({ "user": user.subject() }))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::new(Config::builder()
//!     .secret(b"an example secret of at least 32 bytes!")
//!     .token_location([TokenLocation::Cookies])
//!     .build()?);
//! let app: Router = Router::new()
//!     .route("/protected", get(protected))
//!     .route("/webhook", post(protected).layer(RouteOptions::new().verify_csrf(false)))
//!     .layer(auth.layer());
//! # Ok(())
//! # }
//! ```

mod extract;
mod layer;
mod response;
#[cfg(feature = "axum-ws")]
mod ws;

/// The extractors: defined once in the core, the same types as `authjwt::actix`'s.
pub use crate::extract::{AccessToken, FreshAccessToken, OptionalAccessToken, RefreshToken};
/// The layers: the core's middleware types, named after tower's `XxxLayer` → `Xxx<S>` convention.
pub use crate::middleware::{
    CrossOrigin as CrossOriginLayer, ImplicitRefresh as ImplicitRefreshLayer,
    ProvideAuth as ProvideAuthLayer, RequireAuth as RequireAuthLayer,
};
/// The application's user: defined in the core, an extractor here too.
pub use crate::user::CurrentUser;
pub use layer::{CrossOrigin, ImplicitRefresh, ProvideAuth, RequireAuth, RouteOptionsService};
/// Authenticated WebSocket upgrades (feature `axum-ws`).
#[cfg(feature = "axum-ws")]
pub use ws::{AuthenticatedUpgrade, close_frame};

/// Copies the connection's peer address (axum's `ConnectInfo<SocketAddr>`, or
/// `MockConnectInfo` in tests) into a [`PeerAddr`](crate::proxy::PeerAddr) extension, where
/// the cross-site check looks for it. Only when proxies are trusted: nothing else reads it.
fn note_peer(auth: &crate::Auth, extensions: &mut http::Extensions) {
    use axum::extract::ConnectInfo;
    use axum::extract::connect_info::MockConnectInfo;
    use std::net::SocketAddr;

    if auth.config().origin.trusted_proxies.is_empty()
        || extensions.get::<crate::proxy::PeerAddr>().is_some()
    {
        return;
    }
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| extensions.get::<MockConnectInfo<SocketAddr>>().map(|c| c.0));
    if let Some(addr) = peer {
        extensions.insert(crate::proxy::PeerAddr(addr.ip()));
    }
}

/// The former name of [`ProvideAuthLayer`].
#[deprecated(since = "0.2.0", note = "renamed `ProvideAuthLayer`")]
pub type AuthLayer = ProvideAuthLayer;
/// The former name of [`ProvideAuth`].
#[deprecated(since = "0.2.0", note = "renamed `ProvideAuth`")]
pub type AuthService<S> = ProvideAuth<S>;
