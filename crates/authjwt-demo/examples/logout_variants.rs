//! Seed 002's logout variants: clear all four cookies, or only the access token's two.
//! Both routes require the access token with its CSRF header, so another site cannot log
//! a user out.
//!
//! `cargo run -p authjwt-demo --example logout_variants`

use authjwt::axum::AccessToken;
use authjwt::{
    Auth, Config, TokenLocation,
    keys::{Algorithm, SigningKey},
    tokens::TokenError,
};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// The login body.
#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

/// Cookies, CSRF on.
pub fn auth() -> Result<Auth, Box<dyn std::error::Error>> {
    let config = Config::builder()
        .signing_key(SigningKey::generate_hmac(Algorithm::HS256)?)
        .token_location([TokenLocation::Cookies])
        .cookie_secure(false) // local http
        .build()?;
    Ok(Auth::new(config))
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

/// `auth.unset_cookies(response)`: access, refresh and both CSRF cookies.
async fn logout(auth: Auth, AccessToken(_): AccessToken) -> impl IntoResponse {
    (
        auth.unset_cookies(),
        Json(json!({"message": "Successfully logged out"})),
    )
}

/// `auth.unset_access_cookies(response)`: the access cookie and its CSRF cookie; the refresh
/// token stays, so the client can get a new access token.
async fn logout_access_only(auth: Auth, AccessToken(_): AccessToken) -> impl IntoResponse {
    (
        auth.unset_access_cookies(),
        Json(json!({"message": "Access token cleared"})),
    )
}

/// The app.
pub fn app(auth: &Auth) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/logout-access", post(logout_access_only))
        .layer(auth.layer())
        .layer(auth.cross_origin_layer())
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
    axum::serve(listener, app(&auth()?)).await?;
    Ok(())
}
