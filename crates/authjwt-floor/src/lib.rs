//! The benchmark floor: the demo's `GET /protected` and `POST /posts` with the cookie and
//! CSRF double-submit check written by hand on `jsonwebtoken`, without authjwt.
//!
//! `scripts/bench.sh` runs it beside the demo, with the same HS256 secret, so that the demo
//! can be compared with what a careful hand-written axum server costs on the same machine
//! (see `BENCHMARKS.md`). It is deliberately small, and it is not a product: it checks what
//! the demo checks on these routes (signature, `exp`, `nbf`, token type, the CSRF header
//! against the token's `csrf` claim in constant time, and cross-site unsafe requests), and
//! answers with the same JSON bodies and status codes.
//!
//! | route | behaviour |
//! |---|---|
//! | `POST /login` | `{"username","password"}` → the four cookies (tokens minted with `jsonwebtoken::encode`, same claims as the demo's) |
//! | `GET /protected` | the access cookie → 200 `{"message","username","email"}` |
//! | `POST /posts` | the access cookie + `X-CSRF-TOKEN` → 200 `{"message","user"}` |
//!
//! ```
//! let router: axum::Router = authjwt_floor::router(b"a benchmark secret of at least 32 bytes");
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use subtle::ConstantTimeEq;

/// The access cookie's name (the demo's default).
pub const ACCESS_COOKIE: &str = "access_token_cookie";
/// The header that must carry the token's `csrf` claim on unsafe methods.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Access token lifetime, seconds (the demo's default).
pub const ACCESS_EXPIRES: u64 = 900;
/// Refresh token lifetime, seconds (the demo's default).
pub const REFRESH_EXPIRES: u64 = 2_592_000;
/// The most posts kept, as in the demo.
const MAX_POSTS: usize = 1000;
/// The longest post title kept, as in the demo.
const MAX_TITLE_CHARS: usize = 200;

/// The demo's users: (username, password, email).
const USERS: &[(&str, &str, &str)] = &[
    ("user1", "password1", "user1@example.com"),
    ("user2", "password2", "user2@example.com"),
];

/// A post, stored like the demo stores it (so both servers do the same handler work).
#[derive(Debug)]
struct Post {
    _author: String,
    _title: Option<String>,
}

#[derive(Debug)]
struct Floor {
    decoding: DecodingKey,
    encoding: EncodingKey,
    validation: Validation,
    posts: Mutex<VecDeque<Post>>,
}

/// The floor's shared state: the keys (prepared once) and the posts.
#[derive(Debug, Clone)]
pub struct FloorState(Arc<Floor>);

impl FloorState {
    /// Keys for HS256 with `secret`.
    pub fn new(secret: &[u8]) -> Self {
        // jsonwebtoken picks its crypto backend process-wide; this crate enables aws-lc-rs
        // only, and installing it explicitly keeps that true whatever else is linked in.
        let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
        );
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp"]);
        Self(Arc::new(Floor {
            decoding: DecodingKey::from_secret(secret),
            encoding: EncodingKey::from_secret(secret),
            validation,
            posts: Mutex::new(VecDeque::new()),
        }))
    }
}

/// The demo's router for the measured routes, with the hand-written check.
pub fn router(secret: &[u8]) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/protected", get(protected))
        .route("/posts", post(create_post))
        .with_state(FloorState::new(secret))
}

/// The claims the routes read.
#[derive(Debug, Deserialize)]
pub struct FloorClaims {
    /// The subject.
    pub sub: String,
    /// `access` or `refresh`.
    #[serde(rename = "type")]
    pub token_type: String,
    /// The CSRF double-submit value.
    #[serde(default)]
    pub csrf: Option<String>,
}

/// A rejection, rendered as the demo renders it: JSON `{"detail","code"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// No access cookie.
    MissingToken,
    /// Bad signature, bad shape, wrong type.
    InvalidToken,
    /// `exp` in the past.
    Expired,
    /// An unsafe method without the CSRF header.
    CsrfMissing,
    /// The CSRF header does not match the `csrf` claim.
    CsrfMismatch,
    /// A cross-site unsafe request.
    CrossSite,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::MissingToken => (
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Missing token: no token was found in the allowed locations","code":"missing_token"}"#,
            ),
            Self::InvalidToken => (
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Invalid token: signature verification failed","code":"invalid_token"}"#,
            ),
            Self::Expired => (
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Token has expired","code":"token_expired"}"#,
            ),
            Self::CsrfMissing => (
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Missing CSRF token","code":"csrf_missing"}"#,
            ),
            Self::CsrfMismatch => (
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"CSRF token does not match","code":"csrf_mismatch"}"#,
            ),
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                r#"{"detail":"Cross-site request refused","code":"cross_site_request"}"#,
            ),
        };
        (
            status,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body,
        )
            .into_response()
    }
}

/// The value of cookie `name` in the request's `Cookie` headers (the first one).
fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.strip_prefix(' ').unwrap_or(pair).split_once('=')?;
            (k == name).then_some(v)
        })
}

fn safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Unsafe requests from another site are refused (`Sec-Fetch-Site`, else `Origin` vs `Host`).
fn check_origin(parts: &Parts) -> Result<(), Rejection> {
    if let Some(site) = parts.headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            _ => Err(Rejection::CrossSite),
        };
    }
    let Some(origin) = parts.headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(());
    };
    let host = parts.headers.get(HOST).and_then(|h| h.to_str().ok());
    match origin.split_once("://") {
        Some((_, rest)) if Some(rest) == host => Ok(()),
        _ => Err(Rejection::CrossSite),
    }
}

impl FloorState {
    /// The whole check: cookie → cross-site check → `jsonwebtoken::decode` → type → CSRF.
    pub fn authenticate(&self, parts: &Parts) -> Result<FloorClaims, Rejection> {
        let token = cookie(parts, ACCESS_COOKIE)
            .filter(|t| !t.is_empty())
            .ok_or(Rejection::MissingToken)?;
        let unsafe_method = !safe(&parts.method);
        if unsafe_method {
            check_origin(parts)?;
        }
        let claims =
            jsonwebtoken::decode::<FloorClaims>(token, &self.0.decoding, &self.0.validation)
                .map_err(|e| match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => Rejection::Expired,
                    _ => Rejection::InvalidToken,
                })?
                .claims;
        if claims.token_type != "access" {
            return Err(Rejection::InvalidToken);
        }
        if unsafe_method {
            let presented = parts
                .headers
                .get(CSRF_HEADER)
                .map(HeaderValue::as_bytes)
                .filter(|v| !v.is_empty())
                .ok_or(Rejection::CsrfMissing)?;
            let claim = claims.csrf.as_deref().ok_or(Rejection::CsrfMismatch)?;
            if !bool::from(presented.ct_eq(claim.as_bytes())) {
                return Err(Rejection::CsrfMismatch);
            }
        }
        Ok(claims)
    }
}

/// The extractor: a verified cookie-borne access token (CSRF checked on unsafe methods).
#[derive(Debug)]
pub struct CookieUser(pub FloorClaims);

impl FromRequestParts<FloorState> for CookieUser {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &FloorState,
    ) -> Result<Self, Self::Rejection> {
        state.authenticate(parts).map(CookieUser)
    }
}

async fn protected(CookieUser(user): CookieUser) -> Json<serde_json::Value> {
    let email = USERS
        .iter()
        .find(|(u, _, _)| *u == user.sub)
        .map(|(_, _, e)| *e);
    Json(json!({
        "message": "Access granted",
        "username": user.sub,
        "email": email,
    }))
}

async fn create_post(
    State(state): State<FloorState>,
    CookieUser(user): CookieUser,
    body: Bytes,
) -> Json<serde_json::Value> {
    let title = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("title")?.as_str().map(str::to_owned))
        .map(|t| t.chars().take(MAX_TITLE_CHARS).collect());
    {
        let mut posts = state.0.posts.lock().unwrap_or_else(PoisonError::into_inner);
        if posts.len() >= MAX_POSTS {
            posts.pop_front();
        }
        posts.push_back(Post {
            _author: user.sub.clone(),
            _title: title,
        });
    }
    Json(json!({ "message": "Post created", "user": user.sub }))
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// The claims the demo puts in its tokens, in the same order, so tokens have the same size.
/// The benchmarks mint their `jsonwebtoken::encode` contender's tokens with it too.
#[derive(Debug, Serialize)]
pub struct Minted<'a> {
    /// The subject.
    pub sub: &'a str,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Not before.
    pub nbf: u64,
    /// Expires at.
    pub exp: u64,
    /// The token id.
    pub jti: String,
    /// `"access"` or `"refresh"`.
    #[serde(rename = "type")]
    pub token_type: &'static str,
    /// Whether the token comes from a fresh login.
    pub fresh: bool,
    /// The CSRF double-submit value.
    pub csrf: String,
    /// The login (refresh family) id.
    pub fam: &'a str,
}

fn random_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A token like the demo's and its CSRF value.
fn mint(
    state: &FloorState,
    sub: &str,
    family: &str,
    token_type: &'static str,
) -> Option<(String, String)> {
    let iat = now();
    let lifetime = if token_type == "access" {
        ACCESS_EXPIRES
    } else {
        REFRESH_EXPIRES
    };
    let claims = Minted {
        sub,
        iat,
        nbf: iat,
        exp: iat + lifetime,
        jti: random_id()?,
        token_type,
        fresh: token_type == "access",
        csrf: random_id()?,
        fam: family,
    };
    let token =
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &state.0.encoding).ok()?;
    Some((token, claims.csrf))
}

async fn login(State(state): State<FloorState>, Json(c): Json<Credentials>) -> Response {
    let known = USERS
        .iter()
        .any(|(u, p, _)| *u == c.username && bool::from(p.as_bytes().ct_eq(c.password.as_bytes())));
    if !known {
        let body = json!({"detail": "Invalid credentials", "code": "invalid_credentials"});
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    let Some(family) = random_id() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let (Some((access, access_csrf)), Some((refresh, refresh_csrf))) = (
        mint(&state, &c.username, &family, "access"),
        mint(&state, &c.username, &family, "refresh"),
    ) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response =
        Json(json!({"message": "Login successful", "username": c.username})).into_response();
    for cookie in [
        format!("access_token_cookie={access}; HttpOnly; SameSite=Lax; Path=/"),
        format!("csrf_access_token={access_csrf}; SameSite=Lax; Path=/"),
        format!("refresh_token_cookie={refresh}; HttpOnly; SameSite=Lax; Path=/"),
        format!("csrf_refresh_token={refresh_csrf}; SameSite=Lax; Path=/"),
    ] {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a benchmark secret of at least 32 bytes";

    fn parts(method: &str, cookie: &str, csrf: Option<&str>) -> Parts {
        let mut b = axum::http::Request::builder()
            .method(method)
            .uri("/posts")
            .header(COOKIE, cookie);
        if let Some(c) = csrf {
            b = b.header(CSRF_HEADER, c);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn the_check_accepts_its_own_tokens_and_refuses_forgeries() {
        let state = FloorState::new(SECRET);
        let (token, csrf) = mint(&state, "user1", "fam", "access").unwrap();
        let cookie = format!("csrf_access_token={csrf}; {ACCESS_COOKIE}={token}");
        let ok = state.authenticate(&parts("POST", &cookie, Some(&csrf)));
        assert_eq!(ok.unwrap().sub, "user1");
        assert!(state.authenticate(&parts("GET", &cookie, None)).is_ok());
        assert_eq!(
            state
                .authenticate(&parts("POST", &cookie, None))
                .unwrap_err(),
            Rejection::CsrfMissing
        );
        assert_eq!(
            state
                .authenticate(&parts("POST", &cookie, Some("nope")))
                .unwrap_err(),
            Rejection::CsrfMismatch
        );
        let (refresh, _) = mint(&state, "user1", "fam", "refresh").unwrap();
        let cookie = format!("{ACCESS_COOKIE}={refresh}");
        assert_eq!(
            state
                .authenticate(&parts("GET", &cookie, None))
                .unwrap_err(),
            Rejection::InvalidToken
        );
        let other = FloorState::new(b"another secret of at least 32 bytes!!");
        let cookie = format!("{ACCESS_COOKIE}={token}");
        assert_eq!(
            other
                .authenticate(&parts("GET", &cookie, None))
                .unwrap_err(),
            Rejection::InvalidToken
        );
        assert_eq!(
            state.authenticate(&parts("GET", "a=b", None)).unwrap_err(),
            Rejection::MissingToken
        );
    }
}
