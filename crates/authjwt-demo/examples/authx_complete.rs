//! Seed 002's complete example (AuthX "cookie authentication") with authjwt and axum:
//! login sets the access and refresh tokens in HttpOnly cookies plus their CSRF cookies,
//! protected routes read the token from the cookie, POST routes need `X-CSRF-TOKEN`.
//!
//! `cargo run -p authjwt-demo --example authx_complete` serves it on
//! http://127.0.0.1:8000 (`PORT` to change). The front end of seed 002 works unchanged.

use std::time::Duration;

use authjwt::axum::{AccessToken, RefreshToken};
use authjwt::{
    Auth, Config, TokenLocation,
    config::SameSite,
    keys::{Algorithm, SigningKey},
    tokens::TokenError,
};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// `USERS` of the seed: (username, password, email).
pub const USERS: &[(&str, &str, &str)] = &[
    ("user1", "password1", "user1@example.com"),
    ("user2", "password2", "user2@example.com"),
];

/// The login body.
#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

/// The seed's `AuthXConfig`, setting for setting.
pub fn auth() -> Result<Auth, Box<dyn std::error::Error>> {
    let config = Config::builder()
        // JWT_ALGORITHM="HS256", JWT_SECRET_KEY=...: a random key here.
        .signing_key(SigningKey::generate_hmac(Algorithm::HS256)?)
        .token_location([TokenLocation::Cookies]) // JWT_TOKEN_LOCATION=["cookies"]
        .access_expires(Duration::from_secs(15 * 60)) // JWT_ACCESS_TOKEN_EXPIRES
        .refresh_expires(Duration::from_secs(30 * 24 * 3600)) // JWT_REFRESH_TOKEN_EXPIRES
        .cookie_secure(false) // JWT_COOKIE_SECURE=False: set True in production
        .cookie_samesite(SameSite::Lax) // JWT_COOKIE_SAMESITE="lax"
        // JWT_COOKIE_HTTP_ONLY, JWT_COOKIE_CSRF_PROTECT, JWT_CSRF_IN_COOKIES and
        // JWT_CSRF_METHODS=["POST", "PUT", "PATCH", "DELETE"] are the defaults.
        .build()?;
    Ok(Auth::new(config))
}

type Failure = (StatusCode, Json<Value>);

fn internal(_: TokenError) -> Failure {
    let body = json!({"detail": "Could not create a token", "code": "token_creation_failed"});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body))
}

async fn login(auth: Auth, Json(data): Json<LoginRequest>) -> Result<impl IntoResponse, Failure> {
    let known = USERS
        .iter()
        .any(|(name, password, _)| *name == data.username && *password == data.password);
    if !known {
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
        Json(json!({"message": "Login successful", "username": data.username})),
    ))
}

/// Clears the cookies. Like the seed it needs no token; the cross-site check of the router
/// keeps other sites from logging users out.
async fn logout(auth: Auth) -> impl IntoResponse {
    (
        auth.unset_cookies(),
        Json(json!({"message": "Successfully logged out"})),
    )
}

async fn protected(AccessToken(payload): AccessToken) -> Json<Value> {
    let email = USERS
        .iter()
        .find(|(name, _, _)| *name == payload.subject())
        .map(|(_, _, email)| *email);
    Json(json!({
        "message": "Access granted",
        "username": payload.subject(),
        "email": email,
    }))
}

/// CSRF protection is automatic: a POST with a cookie-borne token needs `X-CSRF-TOKEN`.
async fn create_post(AccessToken(payload): AccessToken) -> Json<Value> {
    Json(json!({"message": "Post created", "user": payload.subject()}))
}

/// The refresh token from its cookie (and its CSRF value in `X-CSRF-TOKEN`).
async fn refresh_token(
    auth: Auth,
    RefreshToken(payload): RefreshToken,
) -> Result<impl IntoResponse, Failure> {
    let access = auth
        .create_access_token(payload.subject())
        .map_err(internal)?;
    Ok((
        auth.set_access_cookies(&access),
        Json(json!({"message": "Token refreshed"})),
    ))
}

/// The app of the seed.
pub fn app(auth: &Auth) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/protected", get(protected))
        .route("/posts", post(create_post))
        .route("/refresh", post(refresh_token))
        .layer(auth.layer())
        // Refuses cross-site POSTs before any handler, including /login and /logout.
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
