//! Seed 002's "disabling CSRF for specific routes": a webhook reads the access token from
//! its cookie without the CSRF header, while every other POST still needs it.
//!
//! Two ways, both shown: a route option (`RouteOptions::new().verify_csrf(false)`), and a
//! handler that checks the request itself like the seed's
//! `auth.verify_token(token, verify_csrf=False)` (`Protection::access().verify_csrf(false)`).
//!
//! `cargo run -p authjwt-demo --example webhook_exempt`

use authjwt::axum::AccessToken;
use authjwt::{
    Auth, Config, Protection, RouteOptions, TokenLocation,
    claims::NoCustomClaims,
    keys::{Algorithm, SigningKey},
    tokens::TokenError,
};
use axum::http::StatusCode;
use axum::http::request::Parts;
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
    Ok((
        auth.set_access_cookies(&access),
        Json(json!({"message": "Login successful"})),
    ))
}

/// Exempted by its route option (see [`app`]).
async fn webhook(AccessToken(payload): AccessToken) -> Json<Value> {
    Json(json!({"message": "Webhook processed", "user": payload.subject()}))
}

/// Exempted in the handler: the seed's `get_access_token_from_request` + `verify_token(...,
/// verify_csrf=False)`.
async fn webhook_manual(auth: Auth, parts: Parts) -> impl IntoResponse {
    let exempt = Protection::access().verify_csrf(false);
    match auth.authenticate::<NoCustomClaims>(&parts, &exempt).await {
        Ok(Some(payload)) => {
            Json(json!({"message": "Webhook processed", "user": payload.subject()})).into_response()
        }
        Ok(None) => auth
            .reject(authjwt::AuthError::MissingToken)
            .into_response(),
        Err(e) => auth.reject(e).into_response(),
    }
}

/// An ordinary POST: the CSRF header is required.
async fn create_post(AccessToken(payload): AccessToken) -> Json<Value> {
    Json(json!({"message": "Post created", "user": payload.subject()}))
}

/// The app.
pub fn app(auth: &Auth) -> Router {
    Router::new()
        .route("/login", post(login))
        .route(
            "/webhook",
            post(webhook).layer(RouteOptions::new().verify_csrf(false)),
        )
        .route("/webhook-manual", post(webhook_manual))
        .route("/posts", post(create_post))
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
