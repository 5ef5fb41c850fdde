//! The shared HTTP behaviour matrix (`tests/common/matrix/`) run against the axum adapter,
//! plus a few axum-specific cases (layer wiring, nesting) at the end.
#![cfg(feature = "axum")]
// Handlers and helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use authjwt::axum::{AccessToken, FreshAccessToken, OptionalAccessToken, RefreshToken};
use authjwt::{
    Auth, Authenticated, Protection, RouteOptions, TokenLocation,
    claims::{NoCustomClaims, TokenType},
    error::AuthRejection,
    tokens::TokenOptions,
    user::CurrentUser,
};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use http::StatusCode;
use http::header::{CONTENT_TYPE, SET_COOKIE};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use common::routes::{
    ADMIN, CUSTOM, FRESH, GROUP_A, GROUP_B, HANDLER_HEADER, HEADER_ONLY, LOGIN, LOGIN_BODY,
    LOGIN_FRESH, LOGOUT, MANUAL, MANUAL_OWN_COOKIE, ME, ME_HOOK, OPTIONAL, PASSWORD, POSTS,
    PROTECTED, REFRESH, STRICT_ORIGIN, USER, VERIFY, WEBHOOK, session,
};
use common::{
    AppFactory, Hits, LoginBody, Roles, TestAdmin, TestApp, TestUser, VerifyBody, admin_body,
    me_body, registry,
};

/// A router under test.
#[derive(Clone)]
struct AxumApp(Router);

impl TestApp for AxumApp {
    async fn send(&self, mut req: http::Request<Bytes>) -> http::Response<Bytes> {
        // What `into_make_service_with_connect_info::<SocketAddr>()` inserts.
        if let Some(common::Peer(addr)) = req.extensions_mut().remove::<common::Peer>() {
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        let resp = match self.0.clone().oneshot(req.map(Body::from)).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        };
        let (parts, body) = resp.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        http::Response::from_parts(parts, bytes)
    }

    async fn send_all(&self, reqs: Vec<http::Request<Bytes>>) -> Vec<http::Response<Bytes>> {
        let tasks: Vec<_> = reqs
            .into_iter()
            .map(|req| {
                let app = self.clone();
                tokio::spawn(async move { app.send(req).await })
            })
            .collect();
        let mut resps = Vec::with_capacity(tasks.len());
        for task in tasks {
            resps.push(task.await.unwrap());
        }
        resps
    }
}

/// Mounts the route contract of `tests/common/matrix/mod.rs` with the axum adapter.
struct AxumFactory;

impl AppFactory for AxumFactory {
    type App = AxumApp;

    fn build(auth: Auth, hits: Hits) -> AxumApp {
        AxumApp(contract(&auth).with_state(hits))
    }
}

common::matrix::behaviour_matrix!(
    AxumFactory,
    tokio::test,
    parallel: tokio::test(flavor = "multi_thread", worker_threads = 2)
);

fn contract(auth: &Auth) -> Router<Hits> {
    let group = Router::new()
        .route(GROUP_A, get(group_handler))
        .route(GROUP_B, post(group_handler).put(group_handler))
        .route_layer(auth.require(Protection::access()));
    Router::new()
        .route(LOGIN, post(login).layer(auth.cross_origin_layer()))
        .route(
            LOGIN_FRESH,
            post(login_fresh).layer(auth.cross_origin_layer()),
        )
        .route(
            LOGIN_BODY,
            post(login_body).layer(auth.cross_origin_layer()),
        )
        .route(PROTECTED, get(protected))
        .route(POSTS, post(posts))
        .route(OPTIONAL, get(optional))
        .route(REFRESH, post(refresh))
        .route(FRESH, post(fresh))
        .route(LOGOUT, delete(logout))
        .route(
            WEBHOOK,
            post(protected).layer(RouteOptions::new().verify_csrf(false)),
        )
        .route(
            HEADER_ONLY,
            get(protected).layer(RouteOptions::new().locations([TokenLocation::Headers])),
        )
        .route(CUSTOM, get(custom))
        .route(MANUAL, get(manual))
        .route(VERIFY, post(verify))
        .route(ME, get(me).post(me))
        .route(
            ME_HOOK,
            post(me).layer(RouteOptions::new().verify_csrf(false)),
        )
        .route(ADMIN, get(admin))
        .route(
            STRICT_ORIGIN,
            get(protected).layer(RouteOptions::new().check_origin_on_safe_methods(true)),
        )
        .merge(group)
        .merge(session_routes(auth))
        .layer(auth.layer())
}

/// The `/session` scope of the contract, under the implicit-refresh layer.
fn session_routes(auth: &Auth) -> Router<Hits> {
    Router::new()
        .route(session::LOGIN, post(session_login))
        .route(session::PROTECTED, get(session_protected))
        .route(session::PUBLIC, get(session_public))
        .route(session::REFRESH, post(session_refresh))
        .route(session::LOGOUT, post(session_logout))
        .route(session::REVOKE_ALL, post(session_revoke_all))
        .route(session::RACE, get(session_race))
        .route(session::LIST, get(session_list))
        .route(session::END, post(session_end))
        .route(session::END_OTHERS, post(session_end_others))
        .layer(auth.implicit_refresh_layer(session::IMPLICIT_REFRESH_WINDOW))
}

/// Records the run and answers 200 with the handler marker.
fn ran(hits: &Hits, name: &'static str, body: Value) -> Response {
    hits.hit();
    ([(HANDLER_HEADER, name)], Json(body)).into_response()
}

fn user_body<T>(user: &Authenticated<T>) -> Value {
    json!({"user": user.subject(), "location": user.location().to_string()})
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LoginKind {
    Cookies,
    Fresh,
    Body,
}

fn do_login(hits: &Hits, auth: &Auth, body: &LoginBody, kind: LoginKind) -> Response {
    hits.hit();
    if body.username != USER || body.password != PASSWORD {
        return (
            StatusCode::UNAUTHORIZED,
            [(HANDLER_HEADER, "login")],
            Json(json!({"msg": "bad credentials", "code": "bad_credentials"})),
        )
            .into_response();
    }
    let opts = TokenOptions::new().fresh(kind == LoginKind::Fresh);
    let access = auth
        .create_token(TokenType::Access, body.username.as_str(), opts)
        .unwrap();
    let refresh = auth.create_refresh_token(body.username.as_str()).unwrap();
    if kind == LoginKind::Body {
        return (
            auth.set_refresh_cookies(&refresh),
            [(HANDLER_HEADER, "login")],
            Json(json!({"msg": "login ok", "access_token": access.as_str()})),
        )
            .into_response();
    }
    (
        auth.set_access_cookies(&access)
            .and(auth.set_refresh_cookies(&refresh)),
        [(HANDLER_HEADER, "login")],
        Json(json!({"msg": "login ok"})),
    )
        .into_response()
}

async fn login(State(hits): State<Hits>, auth: Auth, Json(body): Json<LoginBody>) -> Response {
    do_login(&hits, &auth, &body, LoginKind::Cookies)
}

async fn login_fresh(
    State(hits): State<Hits>,
    auth: Auth,
    Json(body): Json<LoginBody>,
) -> Response {
    do_login(&hits, &auth, &body, LoginKind::Fresh)
}

async fn login_body(State(hits): State<Hits>, auth: Auth, Json(body): Json<LoginBody>) -> Response {
    do_login(&hits, &auth, &body, LoginKind::Body)
}

async fn protected(State(hits): State<Hits>, AccessToken(user): AccessToken) -> Response {
    ran(&hits, "protected", user_body(&user))
}

async fn posts(State(hits): State<Hits>, AccessToken(user): AccessToken, body: Bytes) -> Response {
    let mut v = user_body(&user);
    v["body"] = String::from_utf8_lossy(&body).into_owned().into();
    ran(&hits, "posts", v)
}

async fn optional(
    State(hits): State<Hits>,
    OptionalAccessToken(user): OptionalAccessToken,
) -> Response {
    ran(
        &hits,
        "optional",
        json!({"user": user.as_ref().map(Authenticated::subject)}),
    )
}

async fn refresh(State(hits): State<Hits>, auth: Auth, RefreshToken(r): RefreshToken) -> Response {
    hits.hit();
    let access = auth.create_access_token(r.subject()).unwrap();
    (
        auth.set_access_cookies(&access),
        [(HANDLER_HEADER, "refresh")],
        Json(json!({"msg": "refreshed", "user": r.subject()})),
    )
        .into_response()
}

async fn fresh(State(hits): State<Hits>, FreshAccessToken(user): FreshAccessToken) -> Response {
    ran(&hits, "fresh", user_body(&user))
}

async fn logout(State(hits): State<Hits>, auth: Auth, AccessToken(_): AccessToken) -> Response {
    hits.hit();
    (
        auth.unset_cookies(),
        [(HANDLER_HEADER, "logout")],
        Json(json!({"msg": "logout"})),
    )
        .into_response()
}

async fn custom(State(hits): State<Hits>, AccessToken(user): AccessToken<Roles>) -> Response {
    ran(
        &hits,
        "custom",
        json!({"user": user.subject(), "roles": user.custom().roles}),
    )
}

async fn group_handler(
    State(hits): State<Hits>,
    Extension(user): Extension<Authenticated>,
) -> Response {
    ran(&hits, "group", user_body(&user))
}

async fn manual(State(hits): State<Hits>, auth: Auth) -> Response {
    hits.hit();
    let token = auth.create_access_token("manual").unwrap();
    let mut resp = http::Response::builder()
        .status(StatusCode::OK)
        .header(SET_COOKIE, MANUAL_OWN_COOKIE)
        .header(CONTENT_TYPE, "application/json")
        .header(HANDLER_HEADER, "manual")
        .body(json!({"msg": "manual"}).to_string())
        .unwrap();
    auth.set_access_cookies(&token).apply(resp.headers_mut());
    resp.map(Body::from)
}

async fn verify(State(hits): State<Hits>, auth: Auth, Json(body): Json<VerifyBody>) -> Response {
    hits.hit();
    match auth.verify_token::<NoCustomClaims>(&body.token, body.token_type) {
        Ok(claims) => (
            [(HANDLER_HEADER, "verify")],
            Json(json!({"user": claims.sub})),
        )
            .into_response(),
        Err(e) => auth.reject(e).into_response(),
    }
}

async fn me(State(hits): State<Hits>, user: CurrentUser<TestUser>) -> Response {
    ran(&hits, "me", me_body(&user))
}

async fn admin(State(hits): State<Hits>, admin: CurrentUser<TestAdmin>) -> Response {
    ran(&hits, "admin", admin_body(&admin))
}

/// Records the run and answers 200 with the handler marker and a plain-text body.
fn ran_text(hits: &Hits, name: &'static str, body: impl IntoResponse) -> Response {
    hits.hit();
    ([(HANDLER_HEADER, name)], body).into_response()
}

async fn session_login(
    State(hits): State<Hits>,
    auth: Auth,
    req: Request,
) -> Result<Response, AuthRejection> {
    let (parts, _) = req.into_parts();
    let login = registry::login(&auth, &parts)
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(ran_text(
        &hits,
        "session-login",
        (login.cookies(&auth), "in"),
    ))
}

async fn session_list(
    State(hits): State<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
) -> Result<Response, AuthRejection> {
    let body = registry::list(&auth, &user)
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(ran_text(&hits, "session-list", body))
}

async fn session_end(
    State(hits): State<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
    req: Request,
) -> Result<Response, AuthRejection> {
    let (parts, _) = req.into_parts();
    let body = registry::end(&auth, &user, &parts)
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(ran_text(&hits, "session-end", body))
}

async fn session_end_others(
    State(hits): State<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
) -> Result<Response, AuthRejection> {
    let body = registry::end_others(&auth, &user)
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(ran_text(&hits, "session-end-others", body))
}

async fn session_protected(State(hits): State<Hits>, AccessToken(user): AccessToken) -> Response {
    ran_text(&hits, "session-protected", user.subject().to_owned())
}

async fn session_public(
    State(hits): State<Hits>,
    OptionalAccessToken(_): OptionalAccessToken,
) -> Response {
    ran_text(&hits, "session-public", "public")
}

async fn session_refresh(
    State(hits): State<Hits>,
    auth: Auth,
    req: Request,
) -> Result<Response, AuthRejection> {
    hits.hit();
    let (parts, _) = req.into_parts();
    let next = auth
        .refresh::<NoCustomClaims>(&parts, &Protection::refresh())
        .await
        .map_err(|e| auth.reject(e))?;
    Ok((
        next.cookies(&auth),
        [(HANDLER_HEADER, "session-refresh")],
        "refreshed",
    )
        .into_response())
}

async fn session_logout(
    State(hits): State<Hits>,
    auth: Auth,
    req: Request,
) -> Result<Response, AuthRejection> {
    hits.hit();
    let (parts, _) = req.into_parts();
    let cleared = auth.logout(&parts).await.map_err(|e| auth.reject(e))?;
    Ok((cleared, [(HANDLER_HEADER, "session-logout")], "out").into_response())
}

async fn session_revoke_all(
    State(hits): State<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
) -> Result<Response, AuthRejection> {
    hits.hit();
    auth.revoke_all(user.subject())
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(([(HANDLER_HEADER, "session-revoke-all")], "revoked").into_response())
}

/// Simulates a logout from another tab landing while this request is in its handler.
async fn session_race(
    State(hits): State<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
) -> Response {
    auth.revoke(user.claims()).await.unwrap();
    ran_text(&hits, "session-race", "raced")
}

// ---------------------------------------------------------------------------------------
// axum-specific wiring
// ---------------------------------------------------------------------------------------

/// Sends one request to a router built by the case itself; "ran" means the handler marker
/// is present (these handlers do not count hits).
async fn send_to(router: Router, req: common::Req) -> common::Sent {
    let resp = AxumApp(router).send(req.build()).await;
    common::Sent {
        ran: resp.headers().contains_key(HANDLER_HEADER),
        resp,
    }
}

fn cookie_jar(auth: &Auth, sub: &str) -> common::Jar {
    let t = auth.create_access_token(sub).unwrap();
    common::Jar::from_values(auth.set_access_cookies(&t).header_values())
}

async fn hook(AccessToken(user): AccessToken) -> Response {
    (
        [(HANDLER_HEADER, "hook")],
        Json(json!({"user": user.subject()})),
    )
        .into_response()
}

#[tokio::test]
async fn axum_extractor_without_the_auth_layer_is_a_server_error() {
    let users = common::TestUsers::default();
    let auth = Auth::new(common::with_users(common::base(), &users).build().unwrap());
    let router = Router::new()
        .route(PROTECTED, get(hook))
        .route(ME, get(|_: CurrentUser<TestUser>| async { "ran" }));
    for path in [PROTECTED, ME] {
        let req = common::get(path).bearer(&auth.create_access_token("alice").unwrap().to_string());
        let sent = send_to(router.clone(), req).await;
        assert_eq!(sent.status(), 500, "{path}");
        assert_eq!(sent.json()["code"], "auth_misconfigured", "{path}");
        assert_ne!(sent.text(), "ran");
    }
    assert_eq!(users.calls(), 0);
}

#[tokio::test]
async fn axum_require_layer_without_the_auth_layer_is_a_server_error() {
    let auth = Auth::new(common::base().build().unwrap());
    let router = Router::new()
        .route(GROUP_A, get(|| async { "ran" }))
        .route_layer(auth.require(Protection::access()));
    let req = common::get(GROUP_A).bearer(&auth.create_access_token("a").unwrap().to_string());
    let sent = send_to(router, req).await;
    assert_eq!(sent.status(), 500);
    assert_eq!(sent.json()["code"], "auth_misconfigured");
    assert_ne!(sent.text(), "ran");
}

#[tokio::test]
async fn axum_require_layer_honours_protection_overrides() {
    // The supported way to exempt a whole group: options on the Protection itself.
    let auth = Auth::new(common::base().build().unwrap());
    let router = Router::new()
        .route("/hooks/in", post(|| async { "ran" }))
        .route_layer(auth.require(Protection::access().verify_csrf(false)))
        .layer(auth.layer());
    let jar = cookie_jar(&auth, "alice");
    let sent = send_to(router.clone(), common::post("/hooks/in").jar(&jar)).await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    assert_eq!(sent.text(), "ran");
    let sent = send_to(router, common::post("/hooks/in")).await;
    sent.assert_rejected(401, "missing_token", "no token");
}

#[tokio::test]
async fn config_exempt_path_is_matched_on_the_full_path_in_nested_routers() {
    // `csrf_exempt_routes` names the path the client requests. The full path of a nested
    // route is exempt; the nested router's own suffix is not.
    let auth = Auth::new(
        common::base()
            .csrf_exempt_routes(["/api/webhook"])
            .build()
            .unwrap(),
    );
    let router = Router::new()
        .nest("/api", Router::new().route("/webhook", post(hook)))
        .route("/webhook", post(hook))
        .layer(auth.layer());
    let jar = cookie_jar(&auth, "alice");
    let sent = send_to(router.clone(), common::post("/webhook").jar(&jar)).await;
    sent.assert_rejected(401, "csrf_missing", "/webhook is not exempt");
    let sent = send_to(router, common::post("/api/webhook").jar(&jar)).await;
    assert_eq!(
        sent.status(),
        200,
        "/api/webhook is exempt: {}",
        sent.text()
    );
}

#[tokio::test]
async fn config_exempt_suffix_does_not_leak_into_nested_routers() {
    let auth = Auth::new(
        common::base()
            .csrf_exempt_routes(["/webhook"])
            .build()
            .unwrap(),
    );
    let router = Router::new()
        .nest("/admin", Router::new().route("/webhook", post(hook)))
        .route("/webhook", post(hook))
        .layer(auth.layer());
    let jar = cookie_jar(&auth, "alice");
    let sent = send_to(router.clone(), common::post("/webhook").jar(&jar)).await;
    assert_eq!(sent.status(), 200, "/webhook is exempt: {}", sent.text());
    let sent = send_to(router, common::post("/admin/webhook").jar(&jar)).await;
    sent.assert_rejected(401, "csrf_missing", "/admin/webhook is not exempt");
}

#[tokio::test]
async fn route_options_inside_a_required_group_cannot_relax_the_group_guard() {
    // Layers run outside in: the group's guard runs before a route's own `RouteOptions`, so
    // those cannot relax it (documented on `Auth::require`). The documented ways to exempt
    // one route of a guarded group are its own guard or the config's exempt routes.
    let auth = Auth::new(common::base().build().unwrap());
    let router = Router::new()
        .route(
            "/group/hook",
            post(|| async { "ran" }).layer(RouteOptions::new().verify_csrf(false)),
        )
        .route("/group/other", post(|| async { "ran" }))
        .route_layer(auth.require(Protection::access()))
        .route(
            "/own/hook",
            post(|| async { "ran" })
                .route_layer(auth.require(Protection::access().verify_csrf(false))),
        )
        .layer(auth.layer());
    let jar = cookie_jar(&auth, "alice");
    let sent = send_to(router.clone(), common::post("/group/other").jar(&jar)).await;
    sent.assert_rejected(401, "csrf_missing", "not exempt");
    let sent = send_to(router.clone(), common::post("/group/hook").jar(&jar)).await;
    sent.assert_rejected(401, "csrf_missing", "RouteOptions inside the group");
    let sent = send_to(router, common::post("/own/hook").jar(&jar)).await;
    assert_eq!(
        sent.status(),
        200,
        "a route's own guard exempts it: {}",
        sent.text()
    );
}
