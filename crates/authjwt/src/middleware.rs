//! The middleware as plain data: what each one holds, with no framework in sight. The
//! adapters give them their framework traits: axum's `Layer` (in `authjwt::axum` they are
//! named `ProvideAuthLayer`, `RequireAuthLayer`, … after tower's convention) and actix-web's
//! `Transform` (in `authjwt::actix` they keep these names, after actix's convention).

use std::time::Duration;

use crate::Auth;
use crate::guard::Protection;

/// Installs an [`Auth`] into every request, so that the extractors find it, and reads the
/// JSON token key or the form CSRF field from the body when the configuration uses them (the
/// handler still receives the body intact). Made by [`Auth::layer`] (axum) or
/// [`Auth::middleware`] (actix-web); the outermost layer of an application.
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// # #[cfg(feature = "axum")] {
/// let layer: authjwt::axum::ProvideAuthLayer = auth.layer();
/// let app: axum::Router = axum::Router::new().layer(layer);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProvideAuth {
    pub(crate) auth: Auth,
}

/// Refuses every request of the routes it wraps unless it carries a token satisfying its
/// [`Protection`]; the verified token goes into the request extensions as
/// [`Authenticated`](crate::Authenticated). Made by [`Auth::require`] (axum) or
/// [`Auth::require_middleware`] (actix-web).
///
/// Layers run outside in: a [`RouteOptions`](crate::RouteOptions) layer on one route inside
/// the group runs *after* this guard and cannot relax it. Give such a route its own
/// `auth.require(Protection::access().verify_csrf(false))`, or list its path in
/// [`ConfigBuilder::csrf_exempt_routes`](crate::ConfigBuilder::csrf_exempt_routes).
///
/// ```
/// use authjwt::Protection;
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// # #[cfg(feature = "axum")] {
/// let admin: axum::Router = axum::Router::new()
///     .route("/admin/stats", axum::routing::get(|| async { "stats" }))
///     .route_layer(auth.require(Protection::fresh_access()))
///     .layer(auth.layer());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequireAuth {
    pub(crate) protection: Protection,
}

/// Refuses cross-site unsafe requests and WebSocket upgrades (Sec-Fetch-Site / Origin) with
/// 403 before the handler runs, for routes that carry no token such as `POST /login`. Made by
/// [`Auth::cross_origin_layer`] (axum) or [`Auth::cross_origin_middleware`] (actix-web).
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// # #[cfg(feature = "axum")] {
/// let app: axum::Router = axum::Router::new().layer(auth.cross_origin_layer());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CrossOrigin {
    pub(crate) auth: Auth,
}

/// Renews the access cookies of a request whose access token has less than `window` left,
/// using its refresh token (cookie locations only). Made by [`Auth::implicit_refresh_layer`]
/// (axum) or [`Auth::implicit_refresh_middleware`] (actix-web).
///
/// ```
/// use std::time::Duration;
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// # #[cfg(feature = "axum")] {
/// // Renew the access cookie of active users when it has less than 5 minutes left.
/// let app: axum::Router = axum::Router::new()
///     .route("/", axum::routing::get(|| async { "hello" }))
///     .layer(auth.implicit_refresh_layer(Duration::from_secs(5 * 60)))
///     .layer(auth.layer());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImplicitRefresh {
    pub(crate) auth: Auth,
    pub(crate) window: Duration,
}
