//! A WebSocket behind cookie authentication with actix-web: `GET /ws` opens an echo socket
//! for the logged-in user. Another site's page cannot open it with the user's cookies (403
//! before the upgrade), and the server closes it (code 4401) when the access token expires
//! or the session ends (logout), never before the expiry.
//!
//! `cargo run -p authjwt --features actix-ws --example actix_ws` serves it on
//! http://127.0.0.1:8000 (`PORT` to change). `tests/actix_ws.rs` drives [`app`] over a real
//! socket.

use std::pin::pin;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpResponse, web};
use actix_ws::Message;
use authjwt::actix::{AuthenticatedUpgrade, RequestParts, SetCookiesExt, close_reason};
use authjwt::{
    Auth, Config, TokenLocation,
    config::SameSite,
    error::AuthRejection,
    keys::{Algorithm, SigningKey},
};
use serde::Deserialize;
use serde_json::json;

/// The users: (username, password).
pub const USERS: &[(&str, &str)] = &[("user1", "password1"), ("user2", "password2")];

/// The largest message the socket accepts from a client.
const MAX_FRAME: usize = 4096;

#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

/// Cookies only, with CSRF protection; `access` is the access token lifetime.
pub fn auth(access: Duration) -> Result<Auth, Box<dyn std::error::Error>> {
    let config = Config::builder()
        .signing_key(SigningKey::generate_hmac(Algorithm::HS256)?)
        .token_location([TokenLocation::Cookies])
        .access_expires(access)
        .cookie_secure(false) // local http only: keep the default (true) in production
        .cookie_samesite(SameSite::Lax)
        .build()?;
    Ok(Auth::new(config))
}

async fn login(auth: Auth, data: web::Json<LoginRequest>) -> HttpResponse {
    let known = USERS
        .iter()
        .any(|(name, password)| *name == data.username && *password == data.password);
    if !known {
        return HttpResponse::Unauthorized()
            .json(json!({"detail": "Invalid credentials", "code": "invalid_credentials"}));
    }
    match auth.create_login_tokens(&data.username) {
        Ok(tokens) => HttpResponse::Ok()
            .set_cookies(&tokens.cookies(&auth))
            .json(json!({"message": "Login successful", "username": data.username})),
        Err(_) => HttpResponse::InternalServerError()
            .json(json!({"detail": "Could not create a token", "code": "token_creation_failed"})),
    }
}

/// Revokes the presented tokens and their session (CSRF-checked), clears the cookies: the
/// session's sockets close within a second.
async fn logout(
    auth: Auth,
    RequestParts(parts): RequestParts,
) -> Result<HttpResponse, AuthRejection> {
    let cleared = auth.logout(&parts).await.map_err(|e| auth.reject(e))?;
    Ok(HttpResponse::Ok()
        .set_cookies(&cleared)
        .json(json!({"message": "Successfully logged out"})))
}

/// The socket: echoes text messages prefixed with the user's name, until the client leaves
/// or the session ends.
async fn ws(upgrade: AuthenticatedUpgrade) -> HttpResponse {
    let AuthenticatedUpgrade {
        token,
        watch,
        response,
        mut session,
        messages,
        ..
    } = upgrade;
    let user = token.subject().to_owned();
    let mut messages = messages.max_frame_size(MAX_FRAME);
    actix_web::rt::spawn(async move {
        // Created once: it sleeps until the expiry, rechecking revocation every second.
        let mut ended = pin!(watch.ended(actix_web::rt::time::sleep));
        let reason = loop {
            tokio::select! {
                error = &mut ended => break Some(close_reason(&error)),
                message = messages.recv() => match message {
                    Some(Ok(Message::Text(text))) => {
                        if session.text(format!("{user}: {text}")).await.is_err() {
                            return;
                        }
                    }
                    Some(Ok(Message::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() {
                            return;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                    Some(Ok(_)) => {}
                },
            }
        };
        let _ = session.close(reason).await;
    });
    response
}

/// The app. `auth` is taken by value: actix builds one app per worker from a `'static`
/// closure.
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
        .route("/ws", web::get().to(ws))
        .wrap(auth.middleware())
        // Refuses cross-site POSTs and cross-site WebSocket upgrades before any handler.
        .wrap(auth.cross_origin_middleware())
}

#[allow(dead_code, reason = "the tests include this file for its app only")]
#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000);
    let auth = auth(Duration::from_secs(15 * 60))?;
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
