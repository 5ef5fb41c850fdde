//! Seed 002's dual token location strategy: the short-lived access token is returned in the
//! body (the client keeps it in memory and sends `Authorization: Bearer`), the long-lived
//! refresh token stays in its HttpOnly cookie. Each route narrows the configured locations
//! with `RouteOptions::locations`.
//!
//! `cargo run -p authjwt-demo --example dual_locations`

use authjwt::axum::{AccessToken, RefreshToken};
use authjwt::{
    Auth, Config, RouteOptions, TokenLocation,
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

/// `USERS` of the seed: (username, password).
pub const USERS: &[(&str, &str)] = &[("user1", "password1"), ("user2", "password2")];

/// The login body.
#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

/// `JWT_TOKEN_LOCATION=["headers", "cookies"]`, cookies for the refresh token.
pub fn auth() -> Result<Auth, Box<dyn std::error::Error>> {
    let config = Config::builder()
        .signing_key(SigningKey::generate_hmac(Algorithm::HS256)?)
        .token_location([TokenLocation::Headers, TokenLocation::Cookies])
        .cookie_secure(false) // local http
        .cookie_samesite(SameSite::Lax)
        .build()?;
    Ok(Auth::new(config))
}

type Failure = (StatusCode, Json<Value>);

fn internal(_: TokenError) -> Failure {
    let body = json!({"detail": "Could not create a token", "code": "token_creation_failed"});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body))
}

/// Access token in the body, refresh token in the HttpOnly cookie.
async fn login(auth: Auth, Json(data): Json<LoginRequest>) -> Result<impl IntoResponse, Failure> {
    if !USERS.contains(&(data.username.as_str(), data.password.as_str())) {
        let body = json!({"detail": "Invalid credentials", "code": "invalid_credentials"});
        return Err((StatusCode::UNAUTHORIZED, Json(body)));
    }
    let access = auth.create_access_token(&data.username).map_err(internal)?;
    let refresh = auth
        .create_refresh_token(&data.username)
        .map_err(internal)?;
    Ok((
        auth.set_refresh_cookies(&refresh),
        Json(json!({"access_token": access.as_str(), "token_type": "bearer"})),
    ))
}

/// The access token from the Authorization header only (see the route's options). A
/// header-borne token needs no CSRF header: browsers never attach it by themselves.
async fn protected(AccessToken(payload): AccessToken) -> Json<Value> {
    Json(json!({"message": "Access granted", "user": payload.subject()}))
}

/// The refresh token from its cookie only, with its CSRF value in `X-CSRF-TOKEN`; the new
/// access token goes back in the body.
async fn refresh(
    auth: Auth,
    RefreshToken(payload): RefreshToken,
) -> Result<impl IntoResponse, Failure> {
    let access = auth
        .create_access_token(payload.subject())
        .map_err(internal)?;
    Ok(Json(
        json!({"access_token": access.as_str(), "token_type": "bearer"}),
    ))
}

/// The app.
pub fn app(auth: &Auth) -> Router {
    Router::new()
        .route("/login", post(login))
        .route(
            "/protected",
            get(protected).layer(RouteOptions::new().locations([TokenLocation::Headers])),
        )
        .route(
            "/refresh",
            post(refresh).layer(RouteOptions::new().locations([TokenLocation::Cookies])),
        )
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
