//! Throttling `POST /login` per client address with an existing tower layer
//! (`tower_governor`), so that passwords cannot be guessed at the server's speed.
//!
//! Each client address may try [`BURST`] logins at once, then one more every
//! [`REPLENISH_SECS`] seconds; beyond that, `429 Too Many Requests` with `Retry-After` and the
//! library's JSON shape (`{"detail", "code": "too_many_requests"}`), before the password is
//! even looked at. Only `/login` is limited; the other routes are not slowed down.
//!
//! The client address is the connection's peer: serve with
//! `into_make_service_with_connect_info::<SocketAddr>()`, or every login is refused with 500
//! `client_address_unknown`. Behind a reverse proxy every client has the proxy's address;
//! `tower_governor::key_extractor::SmartIpKeyExtractor` reads `X-Forwarded-For` instead,
//! which any client can send: use it only when nothing but the proxy can reach the server.
//!
//! `cargo run -p authjwt-demo --example login_throttle`, then try six wrong passwords:
//! `for i in 1 2 3 4 5 6; do curl -s -X POST localhost:8000/login -H 'content-type: application/json' -d '{"username":"user1","password":"no"}'; echo; done`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use authjwt::axum::AccessToken;
use authjwt::{
    Auth, Config, TokenLocation,
    keys::{Algorithm, SigningKey},
};
use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_governor::GovernorError;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::PeerIpKeyExtractor;

/// Login attempts a client address may make at once.
pub const BURST: u32 = 5;
/// Seconds after which a client address gets one more attempt.
pub const REPLENISH_SECS: u64 = 12;

/// The login body.
#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// Cookies only, CSRF double submit on (the defaults), a random key.
pub fn auth() -> Result<Auth, Box<dyn std::error::Error>> {
    let config = Config::builder()
        .signing_key(SigningKey::generate_hmac(Algorithm::HS256)?)
        .token_location([TokenLocation::Cookies])
        .cookie_secure(false) // local http; keep the default (true) in production
        .build()?;
    Ok(Auth::new(config))
}

/// A refusal in the library's JSON shape.
fn failure(status: StatusCode, code: &str, detail: &str) -> Response<Body> {
    let body = json!({"detail": detail, "code": code}).to_string();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The limiter's refusals, as JSON.
#[allow(
    clippy::needless_pass_by_value,
    reason = "the signature of tower_governor's error handler"
)]
fn refused(error: GovernorError) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            let detail = format!("Too many login attempts: retry in {wait_time} s");
            let mut response = failure(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", &detail);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait_time));
            response
        }
        GovernorError::UnableToExtractKey => failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "client_address_unknown",
            "The server does not know the client's address (serve with ConnectInfo)",
        ),
        GovernorError::Other { code, .. } => failure(
            code,
            "rate_limit_error",
            "The rate limiter refused the request",
        ),
    }
}

async fn login(
    auth: Auth,
    Json(credentials): Json<Credentials>,
) -> Result<impl IntoResponse, Response<Body>> {
    // Check the password against its hash (see the demo's users.rs); a fixed pair here.
    if credentials.username != "user1" || credentials.password != "password1" {
        return Err(failure(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "Invalid credentials",
        ));
    }
    let tokens = auth
        .create_login_tokens(&credentials.username)
        .map_err(|_| {
            failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "token_creation_failed",
                "Could not create a token",
            )
        })?;
    Ok((
        tokens.cookies(&auth),
        Json(json!({"message": "Login successful"})),
    ))
}

async fn protected(AccessToken(user): AccessToken) -> Json<Value> {
    Json(json!({"user": user.subject()}))
}

/// `POST /login` behind the limiter, `GET /protected` without it.
///
/// Must be called inside a Tokio runtime: a task prunes the limiter's per-address state
/// every minute, and ends when the router is dropped.
pub fn app(auth: &Auth) -> Router {
    let limit = GovernorConfigBuilder::default()
        .key_extractor(PeerIpKeyExtractor)
        .per_second(REPLENISH_SECS)
        .burst_size(BURST)
        .finish()
        .expect("a nonzero period and burst size make a configuration");
    let limit = Arc::new(limit);
    let limiter = Arc::downgrade(limit.limiter());
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            let Some(limiter) = limiter.upgrade() else {
                break;
            };
            limiter.retain_recent();
        }
    });
    let throttled_login = post(login).layer(GovernorLayer::new(limit).error_handler(refused));
    Router::new()
        .route("/login", throttled_login)
        .route("/protected", get(protected))
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
    let app = app(&auth()?);
    // The peer address of every connection, which the limiter counts by.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
