//! The router: every route of the contract, and the layers every request goes through.

use authjwt::{RouteOptions, TokenLocation};
use axum::Router;
use axum::routing::{delete, get, post};
use tower::ServiceBuilder;

use crate::cors::CredentialedCorsLayer;
use crate::errors;
use crate::limits;
use crate::openapi;
use crate::routes::{account, devices, dual, page, resources};
use crate::state::AppState;
use crate::ws;

/// The demo's router, with no CORS origin: [`app_with_cors`] with
/// [`CredentialedCorsLayer::default`].
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let router: axum::Router = authjwt_demo::app(authjwt_demo::AppState::new(auth));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn app(state: AppState) -> Router {
    app_with_cors(state, CredentialedCorsLayer::default())
}

/// The demo's router, answering the front ends of `cors`' origins with credentialed CORS.
///
/// Layers, outermost first: request headers above 16 KiB → 431; CORS for the allowed
/// origins (a preflight is answered here, before any check), nothing for the others;
/// unsafe cross-site requests and cross-site WebSocket handshakes (`Sec-Fetch-Site`,
/// `Origin`) → 403 before any handler or token check runs, `POST /login` included; then the
/// library's layer that hands the [`authjwt::Auth`] to the extractors.
/// Unknown paths answer 404 and other methods 405, both as JSON.
///
/// The layers wrap the routes as one service, installed as the outer router's only
/// (fallback) service: `Router::layer` would wrap each route in a boxed service per layer,
/// which costs allocations on every request.
///
/// ```
/// use authjwt_demo::{AppState, Settings, app_with_cors};
/// let settings = Settings {
///     cors_allowed_origins: vec!["https://app.example.com".into()],
///     ..Settings::default()
/// };
/// let (config, _) = settings.config()?; // trusts the CORS origins too
/// let cors = settings.cors_layer(&config)?;
/// let router: axum::Router = app_with_cors(AppState::new(authjwt::Auth::new(config)), cors);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn app_with_cors(state: AppState, cors: CredentialedCorsLayer) -> Router {
    let auth = state.auth.clone();
    let routes = Router::new()
        .route("/", get(page::index))
        .route("/authjwt.js", get(page::client))
        .route("/.well-known/jwks.json", get(page::jwks))
        .route("/openapi.json", get(openapi::serve))
        .route("/login", post(account::login))
        .route("/refresh", post(account::refresh))
        .route("/logout", post(account::logout))
        .route("/protected", get(resources::protected))
        .route("/posts", post(resources::create_post))
        // Seed 002's webhook: the access cookie without the CSRF header. Still behind the
        // cross-site refusal above: servers calling a webhook send no Origin/Sec-Fetch-Site.
        .route(
            "/webhook",
            post(resources::webhook).layer(RouteOptions::new().verify_csrf(false)),
        )
        .route("/sessions", get(devices::list))
        .route("/sessions/{id}", delete(devices::end))
        .route("/sessions/revoke-others", post(devices::revoke_others))
        .route("/dual/login", post(dual::login))
        // Seed 002's dual strategy: the access token from the Authorization header only.
        .route(
            "/dual/protected",
            get(dual::protected).layer(RouteOptions::new().locations([TokenLocation::Headers])),
        )
        .route("/dual/refresh", post(dual::refresh))
        // The cross-origin layer below also refuses cross-site WebSocket handshakes (403).
        .route("/ws", get(ws::socket))
        .fallback(errors::not_found)
        .method_not_allowed_fallback(errors::method_not_allowed)
        .with_state(state);
    let layered = ServiceBuilder::new()
        .layer(limits::HeaderLimitLayer)
        .layer(cors)
        .layer(auth.cross_origin_layer())
        .layer(auth.layer())
        .service(routes);
    Router::new().fallback_service(layered)
}
