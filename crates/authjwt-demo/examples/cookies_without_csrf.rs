//! Seed 001's first app: JWTs in cookies with CSRF protection **off**.
//!
//! ⚠️ Do not copy this into an application: without the double-submit check any site can
//! make requests with the user's cookies (limited only by `SameSite` and the library's
//! Origin / Fetch-Metadata check, which stays on). The configuration has to say so
//! explicitly with `dangerous_allow_cookies_without_csrf()`. See `cookies_with_csrf.rs`.
//!
//! `cargo run -p authjwt-demo --example cookies_without_csrf`, then:
//! `curl -i -c jar -X POST localhost:8000/login -H 'content-type: application/json' -d '{"username":"test","password":"test"}'`
//! and `curl -b jar localhost:8000/protected`.

use authjwt::axum::{AccessToken, RefreshToken};
use authjwt::{
    Auth, Config, TokenLocation,
    keys::{Algorithm, SigningKey},
    tokens::TokenError,
};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// The login body.
#[derive(Deserialize)]
struct User {
    username: String,
    password: String,
}

/// `authjwt_token_location = {"cookies"}`, `authjwt_cookie_csrf_protect = False`.
pub fn auth() -> Result<Auth, Box<dyn std::error::Error>> {
    let config = Config::builder()
        // The seed's `authjwt_secret_key`; a random key here (sessions end with the process).
        .signing_key(SigningKey::generate_hmac(Algorithm::HS256)?)
        .token_location([TokenLocation::Cookies])
        .cookie_secure(false) // local http
        .cookie_csrf_protect(false)
        .dangerous_allow_cookies_without_csrf()
        .build()?;
    Ok(Auth::new(config))
}

/// An error response: `{"detail", "code"}` like the library's rejections.
type Failure = (StatusCode, Json<Value>);

fn bad_credentials() -> Failure {
    let body = json!({"detail": "Bad username or password", "code": "invalid_credentials"});
    (StatusCode::UNAUTHORIZED, Json(body))
}

fn internal(_: TokenError) -> Failure {
    let body = json!({"detail": "Could not create a token", "code": "token_creation_failed"});
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body))
}

async fn login(auth: Auth, Json(user): Json<User>) -> Result<impl IntoResponse, Failure> {
    if user.username != "test" || user.password != "test" {
        return Err(bad_credentials());
    }
    let access = auth.create_access_token(&user.username).map_err(internal)?;
    let refresh = auth
        .create_refresh_token(&user.username)
        .map_err(internal)?;
    // Only the two JWT cookies: with CSRF off there are no CSRF cookies.
    let cookies = auth
        .set_access_cookies(&access)
        .and(auth.set_refresh_cookies(&refresh));
    Ok((cookies, Json(json!({"msg": "Successfully login"}))))
}

async fn refresh(
    auth: Auth,
    RefreshToken(current): RefreshToken,
) -> Result<impl IntoResponse, Failure> {
    let access = auth
        .create_access_token(current.subject())
        .map_err(internal)?;
    Ok((
        auth.set_access_cookies(&access),
        Json(json!({"msg": "The token has been refresh"})),
    ))
}

/// The JWT cookies are HttpOnly, so only the server can delete them.
async fn logout(auth: Auth, AccessToken(_): AccessToken) -> impl IntoResponse {
    (
        auth.unset_cookies(),
        Json(json!({"msg": "Successfully logout"})),
    )
}

/// Protected routes look exactly like with a header-borne token.
async fn protected(AccessToken(user): AccessToken) -> Json<Value> {
    Json(json!({"user": user.subject()}))
}

/// The app.
pub fn app(auth: &Auth) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", delete(logout))
        .route("/protected", get(protected))
        .layer(auth.layer())
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
