//! `GET /openapi.json`: the OpenAPI 3.1 document of every route, built with utoipa.
//!
//! Each handler carries its `#[utoipa::path]` (the request and response bodies, the demo's
//! own errors); [`document`] adds what depends on the configuration: the security schemes
//! and, for each protected operation, the requirement of the [`Protection`] it runs under
//! ([`authjwt::openapi::SecuritySchemes::secure`]), then the errors every route can answer
//! (431, and 403 `cross_site_request` on unsafe methods).
//!
//! To document a new route: annotate its handler with `#[utoipa::path]`, list it in
//! [`ApiDoc`]'s `paths(...)`, and, when it needs a token, add it to [`PROTECTED`].

use authjwt::openapi::{MissingOperation, SecuritySchemes};
use authjwt::{Auth, Protection, TokenLocation};
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::errors::ApiError;
use crate::routes::{account, devices, dual, page, resources};
use crate::state::AppState;
use crate::ws;

/// The operations that need a token, with the protection their handler runs under. Routes
/// whose handler resolves the user ([`authjwt::user::CurrentUser`]) can also answer
/// `user_not_found`.
pub struct ProtectedRoute {
    /// The method.
    pub method: Method,
    /// The path, as in the document.
    pub path: &'static str,
    /// The token the handler requires, where from, and with which checks.
    pub protection: fn() -> Protection,
    /// Whether the handler looks the token's subject up (`user_not_found`,
    /// `user_lookup_unavailable`).
    pub user: bool,
}

impl std::fmt::Debug for ProtectedRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtectedRoute")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("protection", &(self.protection)())
            .field("user", &self.user)
            .finish()
    }
}

/// Every route that needs a token, as the router and its handlers protect it. `POST
/// /logout` accepts the access token or, once it has expired, the refresh token: both
/// requirements are listed.
///
/// ```
/// let posts = authjwt_demo::openapi::PROTECTED.iter().find(|r| r.path == "/posts").unwrap();
/// assert_eq!((posts.protection)(), authjwt::Protection::access());
/// ```
pub const PROTECTED: &[ProtectedRoute] = &[
    ProtectedRoute {
        method: Method::GET,
        path: "/protected",
        protection: Protection::access,
        user: true,
    },
    ProtectedRoute {
        method: Method::POST,
        path: "/posts",
        protection: Protection::access,
        user: true,
    },
    ProtectedRoute {
        method: Method::POST,
        path: "/webhook",
        protection: webhook,
        user: true,
    },
    ProtectedRoute {
        method: Method::POST,
        path: "/refresh",
        protection: Protection::refresh,
        user: true,
    },
    ProtectedRoute {
        method: Method::POST,
        path: "/logout",
        protection: Protection::access,
        user: false,
    },
    ProtectedRoute {
        method: Method::POST,
        path: "/logout",
        protection: Protection::refresh,
        user: false,
    },
    ProtectedRoute {
        method: Method::GET,
        path: "/sessions",
        protection: Protection::access,
        user: false,
    },
    ProtectedRoute {
        method: Method::DELETE,
        path: "/sessions/{id}",
        protection: Protection::access,
        user: false,
    },
    ProtectedRoute {
        method: Method::POST,
        path: "/sessions/revoke-others",
        protection: Protection::access,
        user: false,
    },
    ProtectedRoute {
        method: Method::GET,
        path: "/ws",
        protection: websocket,
        user: true,
    },
    ProtectedRoute {
        method: Method::GET,
        path: "/dual/protected",
        protection: header_only,
        user: true,
    },
    ProtectedRoute {
        method: Method::POST,
        path: "/dual/refresh",
        protection: refresh_cookie_only,
        user: true,
    },
];

/// `/webhook`: the access cookie, exempt from the CSRF header (its `RouteOptions`).
fn webhook() -> Protection {
    Protection::access().verify_csrf(false)
}

/// `/ws`: the access cookie, the Origin checked on the GET handshake
/// (`authjwt::axum::AuthenticatedUpgrade`'s protection).
fn websocket() -> Protection {
    Protection::access().check_origin_on_safe_methods(true)
}

/// `/dual/protected`: the access token from the `Authorization` header only.
fn header_only() -> Protection {
    Protection::access().locations([TokenLocation::Headers])
}

/// `/dual/refresh`: the refresh token from its cookie only.
fn refresh_cookie_only() -> Protection {
    Protection::refresh().locations([TokenLocation::Cookies])
}

/// The routes, their bodies and the demo's own errors; [`document`] completes it.
#[derive(OpenApi, Debug)]
#[openapi(
    info(
        title = "authjwt demo",
        description = "JWTs in HttpOnly cookies with CSRF double submit, refresh rotation and \
                       revocation. Every error is JSON `{\"detail\", \"code\"}`."
    ),
    paths(
        page::index,
        page::client,
        page::jwks,
        serve,
        account::login,
        account::refresh,
        account::logout,
        resources::protected,
        resources::create_post,
        resources::webhook,
        ws::socket,
        devices::list,
        devices::end,
        devices::revoke_others,
        dual::login,
        dual::protected,
        dual::refresh,
    ),
    tags(
        (name = "page", description = "The web page and what it loads"),
        (name = "session", description = "Login, refresh and logout with cookies"),
        (name = "resources", description = "Routes that need the access token"),
        (name = "sessions", description = "Where the user is signed in, and signing devices out"),
        (name = "dual", description = "Seed 002's dual strategy: the access token in the body \
                                      and the Authorization header, the refresh token in its cookie"),
    )
)]
pub struct ApiDoc;

/// `POST /login` → 200.
#[derive(ToSchema, Debug)]
pub struct LoginResponse {
    /// `Login successful`.
    pub message: String,
    /// The user logged in.
    pub username: String,
    /// The value to send in `X-CSRF-TOKEN` with the access token (also in the
    /// `csrf_access_token` cookie): a front end on another origin cannot read that cookie.
    pub csrf_access_token: Option<String>,
    /// The value to send in `X-CSRF-TOKEN` on `POST /refresh` (also in the
    /// `csrf_refresh_token` cookie).
    pub csrf_refresh_token: Option<String>,
}

/// `POST /refresh` → 200.
#[derive(ToSchema, Debug)]
pub struct RefreshResponse {
    /// `Token refreshed`.
    pub message: String,
    /// The session's access CSRF value (unchanged by refreshes).
    pub csrf_access_token: Option<String>,
    /// The session's refresh CSRF value (unchanged by refreshes).
    pub csrf_refresh_token: Option<String>,
}

/// A message alone (`POST /logout` → 200).
#[derive(ToSchema, Debug)]
pub struct MessageResponse {
    /// What happened.
    pub message: String,
}

/// `GET /protected` → 200: the token's user.
#[derive(ToSchema, Debug)]
pub struct ProtectedResponse {
    /// `Access granted`.
    pub message: String,
    /// The user.
    pub username: String,
    /// The user's email.
    pub email: String,
}

/// The optional body of `POST /posts`.
#[derive(ToSchema, Debug)]
pub struct PostRequest {
    /// The post's title (kept up to 200 characters).
    pub title: Option<String>,
}

/// A message and the token's user (`POST /posts`, `POST /webhook`, `GET /dual/protected`).
#[derive(ToSchema, Debug)]
pub struct UserMessage {
    /// What happened.
    pub message: String,
    /// The token's user.
    pub user: String,
}

/// An access token in the body (`POST /dual/login`, `POST /dual/refresh`).
#[derive(ToSchema, Debug)]
pub struct BearerToken {
    /// The access token, for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `bearer`.
    #[schema(example = "bearer")]
    pub token_type: String,
}

/// `GET /sessions` → 200.
#[derive(ToSchema, Debug)]
pub struct SessionsResponse {
    /// The user's live sessions, newest first.
    pub sessions: Vec<SessionView>,
}

/// One session (one login) of the user. Times are Unix seconds.
#[derive(ToSchema, Debug)]
pub struct SessionView {
    /// The session's opaque id (for `DELETE /sessions/{id}`).
    pub id: String,
    /// When the login happened.
    pub created_at: u64,
    /// The last refresh (the login's time until the first).
    pub last_seen_at: u64,
    /// When the session ends unless refreshed.
    pub expires_at: u64,
    /// The browser's `User-Agent` at login, if it sent one.
    pub user_agent: Option<String>,
    /// Whether this is the session of the request.
    pub current: bool,
}

/// `POST /sessions/revoke-others` → 200.
#[derive(ToSchema, Debug)]
pub struct RevokedResponse {
    /// `Other sessions ended`.
    pub message: String,
    /// How many sessions were ended.
    pub revoked: u64,
}

/// The JWKS document.
#[derive(ToSchema, Debug)]
pub struct Jwks {
    /// The public keys (JWKs); empty with an HMAC secret.
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<serde_json::Value>,
}

/// The whole document for `auth`'s configuration: [`ApiDoc`], the security schemes, each
/// [`PROTECTED`] operation's requirement and authentication errors, and the errors of the
/// layers every request goes through.
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// let doc = authjwt_demo::openapi::document(&auth)?;
/// let json = serde_json::to_value(&doc)?;
/// assert!(json["openapi"].as_str().unwrap().starts_with("3.1"));
/// assert_eq!(json["paths"]["/posts"]["post"]["security"],
///     serde_json::json!([{"access_cookie": [], "csrf_header": []}]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn document(auth: &Auth) -> Result<Document, MissingOperation> {
    let mut doc = ApiDoc::openapi();
    let schemes = SecuritySchemes::new(auth);
    schemes.modify(&mut doc);
    // /logout lists two protections: the second one's requirements are alternatives.
    let mut seen: Vec<(&Method, &str)> = Vec::new();
    for route in PROTECTED {
        let protection = (route.protection)();
        let again = seen.contains(&(&route.method, route.path));
        let earlier = if again {
            operation(&mut doc, &route.method, route.path)
                .and_then(|op| op.security.take())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        schemes.secure(&mut doc, &route.method, route.path, &protection)?;
        let Some(op) = operation(&mut doc, &route.method, route.path) else {
            continue;
        };
        if again {
            let mut all = earlier;
            all.extend(op.security.take().unwrap_or_default());
            op.security = Some(all);
        }
        if route.user {
            mention(
                op,
                "401",
                "user_not_found: a valid token whose subject is no user.",
            );
            mention(
                op,
                "503",
                "user_lookup_unavailable: the user store cannot answer.",
            );
        }
        seen.push((&route.method, route.path));
    }
    for item in doc.paths.paths.values_mut() {
        let unsafe_ops = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in unsafe_ops.into_iter().flatten() {
            add_error(
                op,
                "403",
                "cross_site_request: an unsafe request from another site (Sec-Fetch-Site: \
                 cross-site, or an Origin that is neither this host nor a trusted origin), \
                 refused before anything else runs.",
            );
        }
        let all_ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in all_ops.into_iter().flatten() {
            add_error(
                op,
                "431",
                "request_header_fields_too_large: more than 16 KiB of request headers.",
            );
        }
    }
    Ok(doc)
}

/// `GET /openapi.json`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "page",
    responses(
        (status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json",
         body = Object),
    )
)]
pub(crate) async fn serve(State(state): State<AppState>) -> Result<Json<Document>, ApiError> {
    document(&state.auth).map(Json).map_err(|e| {
        tracing::error!(error = %e, "the OpenAPI document is incomplete");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "openapi_unavailable",
            "The API description could not be built",
        )
    })
}

fn operation<'a>(doc: &'a mut Document, method: &Method, path: &str) -> Option<&'a mut Operation> {
    let item = doc.paths.paths.get_mut(path)?;
    match *method {
        Method::GET => item.get.as_mut(),
        Method::POST => item.post.as_mut(),
        Method::PUT => item.put.as_mut(),
        Method::PATCH => item.patch.as_mut(),
        Method::DELETE => item.delete.as_mut(),
        _ => None,
    }
}

/// Adds a JSON error response for `status` unless the operation has one.
fn add_error(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| RefOr::T(error_response(description)));
}

/// Appends `note` to the description of the operation's `status` response (adding the
/// response when it is missing).
fn mention(op: &mut Operation, status: &str, note: &str) {
    match op.responses.responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            response.description = format!("{} {note}", response.description);
        }
        _ => add_error(op, status, note),
    }
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(SecuritySchemes::ERROR_SCHEMA)))
                .build(),
        )
        .build()
}
