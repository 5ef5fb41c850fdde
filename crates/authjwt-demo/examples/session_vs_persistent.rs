//! Seed 002's "session vs persistent cookies": the same login under two configurations.
//! `/session/login` sets session cookies (no `Max-Age`: the browser drops them when it
//! closes); `/persistent/login` sets cookies with `Max-Age=2592000` (30 days) that survive a
//! browser restart.
//!
//! `cargo run -p authjwt-demo --example session_vs_persistent`

use std::time::Duration;

use authjwt::axum::AccessToken;
use authjwt::{
    Auth, Config, ConfigBuilder, TokenLocation,
    keys::{Algorithm, SigningKey},
    tokens::TokenError,
};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// The login body.
#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

fn base() -> Result<ConfigBuilder, Box<dyn std::error::Error>> {
    Ok(Config::builder()
        .signing_key(SigningKey::generate_hmac(Algorithm::HS256)?)
        .token_location([TokenLocation::Cookies])
        .cookie_secure(false)) // local http
}

/// `JWT_COOKIE_MAX_AGE=None`, `JWT_SESSION_COOKIE=True` (the defaults).
pub fn session_auth() -> Result<Auth, Box<dyn std::error::Error>> {
    Ok(Auth::new(base()?.session_cookie(true).build()?))
}

/// `JWT_COOKIE_MAX_AGE=2592000`, `JWT_SESSION_COOKIE=False`.
pub fn persistent_auth() -> Result<Auth, Box<dyn std::error::Error>> {
    Ok(Auth::new(
        base()?
            .cookie_max_age(Duration::from_secs(2_592_000))
            .session_cookie(false)
            .build()?,
    ))
}

type Failure = (StatusCode, Json<Value>);

fn internal(_: TokenError) -> Failure {
    let body = json!({"detail": "Could not create a token", "code": "token_creation_failed"});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body))
}

async fn login(auth: Auth, Json(data): Json<LoginRequest>) -> Result<impl IntoResponse, Failure> {
    if (data.username.as_str(), data.password.as_str()) != ("user1", "password1") {
        let body = json!({"detail": "Invalid credentials", "code": "invalid_credentials"});
        return Err((StatusCode::UNAUTHORIZED, Json(body)));
    }
    let access = auth.create_access_token(&data.username).map_err(internal)?;
    let refresh = auth
        .create_refresh_token(&data.username)
        .map_err(internal)?;
    Ok((
        auth.set_access_cookies(&access)
            .and(auth.set_refresh_cookies(&refresh)),
        Json(json!({"message": "Login successful"})),
    ))
}

async fn protected(AccessToken(payload): AccessToken) -> Json<Value> {
    Json(json!({"message": "Access granted", "user": payload.subject()}))
}

/// One login flow under one configuration.
fn flow(auth: &Auth) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/protected", get(protected))
        .layer(auth.layer())
        .layer(auth.cross_origin_layer())
}

/// Both flows, side by side.
pub fn app(session: &Auth, persistent: &Auth) -> Router {
    Router::new()
        .nest("/session", flow(session))
        .nest("/persistent", flow(persistent))
}

#[allow(dead_code, reason = "the tests include this file for its router only")]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    #[allow(clippy::print_stdout, reason = "the example's only output")]
    {
        println!("listening on http://{}", listener.local_addr()?);
    }
    axum::serve(listener, app(&session_auth()?, &persistent_auth()?)).await?;
    Ok(())
}
