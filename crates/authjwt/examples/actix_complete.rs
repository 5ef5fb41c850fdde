//! Seed 002's complete example (AuthX "cookie authentication") with authjwt and actix-web:
//! login sets the access and refresh tokens in HttpOnly cookies plus their CSRF cookies,
//! protected routes read the token from the cookie, POST routes need `X-CSRF-TOKEN`.
//!
//! `cargo run -p authjwt --features actix --example actix_complete` serves it on
//! http://127.0.0.1:8000 (`PORT` to change). The front end of seed 002 works unchanged.
//! `tests/actix_example.rs` drives [`app`] over HTTP.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpResponse, web};
use authjwt::actix::{AccessToken, RefreshToken, SetCookiesExt};
use authjwt::{
    Auth, Config, TokenLocation,
    config::SameSite,
    keys::{Algorithm, SigningKey},
};
use serde::Deserialize;
use serde_json::json;

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

fn token_creation_failed() -> HttpResponse {
    HttpResponse::InternalServerError()
        .json(json!({"detail": "Could not create a token", "code": "token_creation_failed"}))
}

async fn login(auth: Auth, data: web::Json<LoginRequest>) -> HttpResponse {
    let known = USERS
        .iter()
        .any(|(name, password, _)| *name == data.username && *password == data.password);
    if !known {
        return HttpResponse::Unauthorized()
            .json(json!({"detail": "Invalid credentials", "code": "invalid_credentials"}));
    }
    let (Ok(access), Ok(refresh)) = (
        auth.create_access_token(&data.username),
        auth.create_refresh_token(&data.username),
    ) else {
        return token_creation_failed();
    };
    HttpResponse::Ok()
        .set_cookies(
            &auth
                .set_access_cookies(&access)
                .and(auth.set_refresh_cookies(&refresh)),
        )
        .json(json!({"message": "Login successful", "username": data.username}))
}

/// Clears the cookies. Like the seed it needs no token; the cross-site check of the app
/// keeps other sites from logging users out.
async fn logout(auth: Auth) -> HttpResponse {
    HttpResponse::Ok()
        .set_cookies(&auth.unset_cookies())
        .json(json!({"message": "Successfully logged out"}))
}

async fn protected(AccessToken(payload): AccessToken) -> HttpResponse {
    let email = USERS
        .iter()
        .find(|(name, _, _)| *name == payload.subject())
        .map(|(_, _, email)| *email);
    HttpResponse::Ok().json(json!({
        "message": "Access granted",
        "username": payload.subject(),
        "email": email,
    }))
}

/// CSRF protection is automatic: a POST with a cookie-borne token needs `X-CSRF-TOKEN`.
async fn create_post(AccessToken(payload): AccessToken) -> HttpResponse {
    HttpResponse::Ok().json(json!({"message": "Post created", "user": payload.subject()}))
}

/// The refresh token from its cookie (and its CSRF value in `X-CSRF-TOKEN`).
async fn refresh_token(auth: Auth, RefreshToken(payload): RefreshToken) -> HttpResponse {
    let Ok(access) = auth.create_access_token(payload.subject()) else {
        return token_creation_failed();
    };
    HttpResponse::Ok()
        .set_cookies(&auth.set_access_cookies(&access))
        .json(json!({"message": "Token refreshed"}))
}

/// The app of the seed. `auth` is taken by value: with a reference, the returned `impl`
/// type would borrow it, and actix builds one app per worker thread from a `'static` closure.
#[allow(clippy::needless_pass_by_value, reason = "see above")]
pub fn app(
    auth: Auth,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/protected", web::get().to(protected))
        .route("/posts", web::post().to(create_post))
        .route("/refresh", web::post().to(refresh_token))
        .wrap(auth.middleware())
        // Refuses cross-site POSTs before any handler, including /login and /logout.
        .wrap(auth.cross_origin_middleware())
}

#[allow(dead_code, reason = "the tests include this file for its app only")]
#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let auth = auth()?;
    let server = actix_web::HttpServer::new(move || app(auth.clone()))
        .workers(1)
        .bind(("127.0.0.1", port))?;
    #[allow(clippy::print_stdout, reason = "the example's only output")]
    for addr in server.addrs() {
        println!("listening on http://{addr}");
    }
    server.run().await?;
    Ok(())
}
