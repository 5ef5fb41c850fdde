//! The authjwt demo server: seed 002's cookie example as a web app. JWTs travel in HttpOnly
//! cookies, unsafe requests carry the CSRF double-submit header, cross-site requests are
//! refused, and a plain HTML page drives every route.
//!
//! The binary (`cargo run --release -p authjwt-demo`) reads [`Settings`] from the
//! environment and serves [`app`] on `127.0.0.1:$PORT`. Tests build the same router:
//!
//! ```
//! use authjwt::Auth;
//! use authjwt_demo::{AppState, Settings, app};
//!
//! let (config, _source) = Settings::default().config()?;
//! let state = AppState::new(Auth::new(config));
//! let router: axum::Router = app(state.clone());
//! // Drive `router` with `tower::ServiceExt::oneshot`, or serve it:
//! // axum::serve(tokio::net::TcpListener::bind("127.0.0.1:0").await?, router).await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! | route | what it does |
//! |---|---|
//! | `GET /` | the web page |
//! | `GET /authjwt.js` | the browser helper the page imports (`authFetch`, `onSessionEnd`) |
//! | `POST /login` | `{username, password}` → the four cookies |
//! | `GET /protected` | the access cookie → `{message, username, email}` |
//! | `POST /posts` | the access cookie + `X-CSRF-TOKEN` → `{message, user}` |
//! | `POST /refresh` | the refresh cookie + its `X-CSRF-TOKEN` → new cookies |
//! | `POST /logout` | the CSRF header of the access (or, once expired, refresh) token → cookies cleared |
//! | `POST /webhook` | the access cookie, no CSRF header needed |
//! | `POST /dual/login` | access token in the body, refresh token in its cookie |
//! | `GET /dual/protected` | the access token from `Authorization: Bearer` only |
//! | `POST /dual/refresh` | the refresh cookie → a new access token in the body |
//! | `GET /.well-known/jwks.json` | the public keys (asymmetric algorithms) |
//! | `GET /openapi.json` | the OpenAPI 3.1 document of these routes ([`openapi::document`]) |
//! | `GET /ws` | WebSocket (access cookie; cross-site → 403) pushing `{type: "post", title, user}` per new post; closed with 4401 when the token expires or the session ends |
//!
//! `GET /protected`, `POST /posts`, `POST /webhook` and `GET /dual/protected` take the
//! user through [`authjwt::user::CurrentUser`], and both refresh routes look the user of the
//! refresh token up after rotating it: the token's subject must be one of
//! [`users::USERS`], compared as exact bytes ([`users::DemoUsers`]). A correctly signed
//! token for any other subject (`USER1`, `user1 `, a full-width or zero-width look-alike,
//! a deleted user) is refused with 401 `user_not_found`.
//!
//! A front end on another origin: `CORS_ALLOWED_ORIGINS` lists the origins answered with
//! credentialed CORS ([`cors::CredentialedCorsLayer`]); they and `TRUSTED_ORIGINS` pass the
//! cross-site check. The login and refresh bodies carry the session's CSRF values
//! (`csrf_access_token`, `csrf_refresh_token`), which such a front end cannot read from the
//! API's cookies.

mod app;
pub mod cors;
pub mod errors;
pub mod limits;
pub mod openapi;
pub mod origins;
pub mod posts;
mod routes;
pub mod sessions;
pub mod settings;
mod state;
pub mod users;
mod ws;

pub use app::{app, app_with_cors};
pub use settings::{KeySource, Settings, SettingsError};
pub use state::AppState;

/// The repository's README, whose quick start is compiled as a doctest.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The library's own README (the registry's page), compiled as a doctest too.
#[doc = include_str!("../../authjwt/README.md")]
#[cfg(doctest)]
pub struct CrateReadmeDoctests;
