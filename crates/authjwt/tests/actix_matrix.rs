//! The shared HTTP behaviour matrix (`tests/common/matrix/`) run against the actix-web
//! adapter, plus a few actix-specific cases (middleware wiring, scopes) at the end.
#![cfg(feature = "actix")]
// Handlers and helpers outside `#[test]` functions: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue, SET_COOKIE};
use actix_web::{App, HttpResponse, ResponseError, test, web};
use authjwt::actix::{
    AccessToken, FreshAccessToken, OptionalAccessToken, RefreshToken, RequestParts, SetCookiesExt,
};
use authjwt::{
    Auth, Authenticated, Protection, RouteOptions, TokenLocation,
    claims::{NoCustomClaims, TokenType},
    error::AuthRejection,
    tokens::TokenOptions,
    user::CurrentUser,
};
use bytes::Bytes;
use serde_json::{Value, json};

use common::routes::{
    ADMIN, CUSTOM, FRESH, GROUP_A, GROUP_B, HANDLER_HEADER, HEADER_ONLY, LOGIN, LOGIN_BODY,
    LOGIN_FRESH, LOGOUT, MANUAL, MANUAL_OWN_COOKIE, ME, ME_HOOK, OPTIONAL, PASSWORD, POSTS,
    PROTECTED, REFRESH, STRICT_ORIGIN, USER, VERIFY, WEBHOOK, session,
};
use common::{
    AppFactory, Hits, LoginBody, Roles, TestAdmin, TestApp, TestUser, VerifyBody, admin_body,
    me_body, registry,
};

/// Sends an `http` 1.x request through an actix service built by `init_service` and returns
/// the response as `http` 1.x types. Headers are translated by name and bytes; repeated
/// headers stay repeated.
async fn call<S, B>(app: &S, req: http::Request<Bytes>) -> http::Response<Bytes>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: MessageBody,
{
    let (parts, body) = req.into_parts();
    let method = actix_web::http::Method::from_bytes(parts.method.as_str().as_bytes()).unwrap();
    let mut tr = test::TestRequest::default()
        .method(method)
        .uri(&parts.uri.to_string());
    // The connection's peer, as actix-web's server records it.
    if let Some(common::Peer(addr)) = parts.extensions.get::<common::Peer>() {
        tr = tr.peer_addr(*addr);
    }
    if !body.is_empty() {
        // Sets Content-Length too; the request's own headers below replace it.
        tr = tr.set_payload(body);
    }
    let mut seen: Vec<&http::HeaderName> = Vec::new();
    for (name, value) in &parts.headers {
        let pair = (
            HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
        tr = if seen.contains(&name) {
            tr.append_header(pair)
        } else {
            seen.push(name);
            tr.insert_header(pair)
        };
    }
    let resp = test::call_service(app, tr.to_request()).await;
    let mut out = http::Response::builder().status(resp.status().as_u16());
    for (name, value) in resp.headers() {
        out = out.header(name.as_str(), value.as_bytes());
    }
    let body = test::read_body(resp).await;
    out.body(body).unwrap()
}

/// An application under test: the contract is mounted afresh for every request (actix
/// builds apps asynchronously); the [`Auth`] and the hit counter are shared across them.
#[derive(Clone)]
struct ActixApp {
    auth: Auth,
    hits: Hits,
}

impl TestApp for ActixApp {
    async fn send(&self, req: http::Request<Bytes>) -> http::Response<Bytes> {
        let app = test::init_service(contract(&self.auth, &self.hits)).await;
        call(&app, req).await
    }

    /// Each request in a task of its own on the test's (single-threaded) actix runtime.
    async fn send_all(&self, reqs: Vec<http::Request<Bytes>>) -> Vec<http::Response<Bytes>> {
        let tasks: Vec<_> = reqs
            .into_iter()
            .map(|req| {
                let app = self.clone();
                actix_web::rt::spawn(async move { app.send(req).await })
            })
            .collect();
        let mut resps = Vec::with_capacity(tasks.len());
        for task in tasks {
            resps.push(task.await.unwrap());
        }
        resps
    }
}

/// Mounts the route contract of `tests/common/matrix/mod.rs` with the actix adapter.
struct ActixFactory;

impl AppFactory for ActixFactory {
    type App = ActixApp;

    fn build(auth: Auth, hits: Hits) -> ActixApp {
        ActixApp { auth, hits }
    }
}

// actix test runtimes are single-threaded: the racing cases run under the same attribute.
common::matrix::behaviour_matrix!(ActixFactory, actix_web::test);

fn contract(
    auth: &Auth,
    hits: &Hits,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody + use<>>,
        Error = actix_web::Error,
        InitError = (),
    > + use<>,
> {
    // The group is a scope: `/group` + `/a`, `/b`.
    let group = web::scope("/group")
        .wrap(auth.require_middleware(Protection::access()))
        .route(
            GROUP_A.strip_prefix("/group").unwrap(),
            web::get().to(group_handler),
        )
        .service(
            web::resource(GROUP_B.strip_prefix("/group").unwrap())
                .route(web::post().to(group_handler))
                .route(web::put().to(group_handler)),
        );
    // The session lifecycle scope, under the implicit-refresh middleware.
    let in_scope = |path: &'static str| path.strip_prefix(session::SCOPE).unwrap();
    let session = web::scope(session::SCOPE)
        .wrap(auth.implicit_refresh_middleware(session::IMPLICIT_REFRESH_WINDOW))
        .route(in_scope(session::LOGIN), web::post().to(session_login))
        .route(
            in_scope(session::PROTECTED),
            web::get().to(session_protected),
        )
        .route(in_scope(session::PUBLIC), web::get().to(session_public))
        .route(in_scope(session::REFRESH), web::post().to(session_refresh))
        .route(in_scope(session::LOGOUT), web::post().to(session_logout))
        .route(
            in_scope(session::REVOKE_ALL),
            web::post().to(session_revoke_all),
        )
        .route(in_scope(session::RACE), web::get().to(session_race))
        .route(in_scope(session::LIST), web::get().to(session_list))
        .route(in_scope(session::END), web::post().to(session_end))
        .route(
            in_scope(session::END_OTHERS),
            web::post().to(session_end_others),
        );
    App::new()
        .app_data(web::Data::new(hits.clone()))
        // Route-level middleware (`Route::wrap`) and resource-level middleware both work.
        .route(
            LOGIN,
            web::post().to(login).wrap(auth.cross_origin_middleware()),
        )
        .route(
            LOGIN_FRESH,
            web::post()
                .to(login_fresh)
                .wrap(auth.cross_origin_middleware()),
        )
        .service(
            web::resource(LOGIN_BODY)
                .wrap(auth.cross_origin_middleware())
                .route(web::post().to(login_body)),
        )
        .route(PROTECTED, web::get().to(protected))
        .route(POSTS, web::post().to(posts))
        .route(OPTIONAL, web::get().to(optional))
        .route(REFRESH, web::post().to(refresh))
        .route(FRESH, web::post().to(fresh))
        .route(LOGOUT, web::delete().to(logout))
        .service(
            web::resource(WEBHOOK)
                .wrap(RouteOptions::new().verify_csrf(false))
                .route(web::post().to(protected)),
        )
        .route(
            HEADER_ONLY,
            web::get()
                .to(protected)
                .wrap(RouteOptions::new().locations([TokenLocation::Headers])),
        )
        .route(CUSTOM, web::get().to(custom))
        .route(MANUAL, web::get().to(manual))
        .route(VERIFY, web::post().to(verify))
        .service(
            web::resource(ME)
                .route(web::get().to(me))
                .route(web::post().to(me)),
        )
        .service(
            web::resource(ME_HOOK)
                .wrap(RouteOptions::new().verify_csrf(false))
                .route(web::post().to(me)),
        )
        .route(ADMIN, web::get().to(admin))
        .route(
            STRICT_ORIGIN,
            web::get()
                .to(protected)
                .wrap(RouteOptions::new().check_origin_on_safe_methods(true)),
        )
        .service(group)
        .service(session)
        .wrap(auth.middleware())
}

/// Records the run and answers 200 with the handler marker.
fn ran(hits: &Hits, name: &'static str, body: &Value) -> HttpResponse {
    hits.hit();
    HttpResponse::Ok()
        .insert_header((HANDLER_HEADER, name))
        .json(body)
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

fn do_login(hits: &Hits, auth: &Auth, body: &LoginBody, kind: LoginKind) -> HttpResponse {
    hits.hit();
    if body.username != USER || body.password != PASSWORD {
        return HttpResponse::Unauthorized()
            .insert_header((HANDLER_HEADER, "login"))
            .json(json!({"msg": "bad credentials", "code": "bad_credentials"}));
    }
    let opts = TokenOptions::new().fresh(kind == LoginKind::Fresh);
    let access = auth
        .create_token(TokenType::Access, body.username.as_str(), opts)
        .unwrap();
    let refresh = auth.create_refresh_token(body.username.as_str()).unwrap();
    if kind == LoginKind::Body {
        return HttpResponse::Ok()
            .set_cookies(&auth.set_refresh_cookies(&refresh))
            .insert_header((HANDLER_HEADER, "login"))
            .json(json!({"msg": "login ok", "access_token": access.as_str()}));
    }
    HttpResponse::Ok()
        .set_cookies(
            &auth
                .set_access_cookies(&access)
                .and(auth.set_refresh_cookies(&refresh)),
        )
        .insert_header((HANDLER_HEADER, "login"))
        .json(json!({"msg": "login ok"}))
}

async fn login(hits: web::Data<Hits>, auth: Auth, body: web::Json<LoginBody>) -> HttpResponse {
    do_login(&hits, &auth, &body, LoginKind::Cookies)
}

async fn login_fresh(
    hits: web::Data<Hits>,
    auth: Auth,
    body: web::Json<LoginBody>,
) -> HttpResponse {
    do_login(&hits, &auth, &body, LoginKind::Fresh)
}

async fn login_body(hits: web::Data<Hits>, auth: Auth, body: web::Json<LoginBody>) -> HttpResponse {
    do_login(&hits, &auth, &body, LoginKind::Body)
}

async fn protected(hits: web::Data<Hits>, AccessToken(user): AccessToken) -> HttpResponse {
    ran(&hits, "protected", &user_body(&user))
}

async fn posts(
    hits: web::Data<Hits>,
    AccessToken(user): AccessToken,
    body: web::Bytes,
) -> HttpResponse {
    let mut v = user_body(&user);
    v["body"] = String::from_utf8_lossy(&body).into_owned().into();
    ran(&hits, "posts", &v)
}

async fn optional(
    hits: web::Data<Hits>,
    OptionalAccessToken(user): OptionalAccessToken,
) -> HttpResponse {
    ran(
        &hits,
        "optional",
        &json!({"user": user.as_ref().map(Authenticated::subject)}),
    )
}

async fn refresh(hits: web::Data<Hits>, auth: Auth, RefreshToken(r): RefreshToken) -> HttpResponse {
    hits.hit();
    let access = auth.create_access_token(r.subject()).unwrap();
    HttpResponse::Ok()
        .set_cookies(&auth.set_access_cookies(&access))
        .insert_header((HANDLER_HEADER, "refresh"))
        .json(json!({"msg": "refreshed", "user": r.subject()}))
}

async fn fresh(hits: web::Data<Hits>, FreshAccessToken(user): FreshAccessToken) -> HttpResponse {
    ran(&hits, "fresh", &user_body(&user))
}

async fn logout(hits: web::Data<Hits>, auth: Auth, AccessToken(_): AccessToken) -> HttpResponse {
    hits.hit();
    HttpResponse::Ok()
        .set_cookies(&auth.unset_cookies())
        .insert_header((HANDLER_HEADER, "logout"))
        .json(json!({"msg": "logout"}))
}

async fn custom(hits: web::Data<Hits>, AccessToken(user): AccessToken<Roles>) -> HttpResponse {
    ran(
        &hits,
        "custom",
        &json!({"user": user.subject(), "roles": user.custom().roles}),
    )
}

async fn group_handler(hits: web::Data<Hits>, user: web::ReqData<Authenticated>) -> HttpResponse {
    ran(&hits, "group", &user_body(&user))
}

async fn manual(hits: web::Data<Hits>, auth: Auth) -> HttpResponse {
    hits.hit();
    let token = auth.create_access_token("manual").unwrap();
    let mut resp = HttpResponse::Ok()
        .insert_header((SET_COOKIE, MANUAL_OWN_COOKIE))
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((HANDLER_HEADER, "manual"))
        .body(json!({"msg": "manual"}).to_string());
    resp.set_cookies(&auth.set_access_cookies(&token));
    resp
}

async fn verify(hits: web::Data<Hits>, auth: Auth, body: web::Json<VerifyBody>) -> HttpResponse {
    hits.hit();
    match auth.verify_token::<NoCustomClaims>(&body.token, body.token_type) {
        Ok(claims) => HttpResponse::Ok()
            .insert_header((HANDLER_HEADER, "verify"))
            .json(json!({"user": claims.sub})),
        Err(e) => auth.reject(e).error_response(),
    }
}

async fn me(hits: web::Data<Hits>, user: CurrentUser<TestUser>) -> HttpResponse {
    ran(&hits, "me", &me_body(&user))
}

async fn admin(hits: web::Data<Hits>, admin: CurrentUser<TestAdmin>) -> HttpResponse {
    ran(&hits, "admin", &admin_body(&admin))
}

/// Records the run and answers 200 with the handler marker and a plain-text body.
fn ran_text(hits: &Hits, name: &'static str, body: impl MessageBody + 'static) -> HttpResponse {
    hits.hit();
    HttpResponse::Ok()
        .insert_header((HANDLER_HEADER, name))
        .body(body)
}

async fn session_login(
    hits: web::Data<Hits>,
    auth: Auth,
    RequestParts(parts): RequestParts,
) -> Result<HttpResponse, AuthRejection> {
    let login = registry::login(&auth, &parts)
        .await
        .map_err(|e| auth.reject(e))?;
    let mut resp = ran_text(&hits, "session-login", "in");
    resp.set_cookies(&login.cookies(&auth));
    Ok(resp)
}

async fn session_list(
    hits: web::Data<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
) -> Result<HttpResponse, AuthRejection> {
    let body = registry::list(&auth, &user)
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(ran_text(&hits, "session-list", body))
}

async fn session_end(
    hits: web::Data<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
    RequestParts(parts): RequestParts,
) -> Result<HttpResponse, AuthRejection> {
    let body = registry::end(&auth, &user, &parts)
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(ran_text(&hits, "session-end", body))
}

async fn session_end_others(
    hits: web::Data<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
) -> Result<HttpResponse, AuthRejection> {
    let body = registry::end_others(&auth, &user)
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(ran_text(&hits, "session-end-others", body))
}

async fn session_protected(hits: web::Data<Hits>, AccessToken(user): AccessToken) -> HttpResponse {
    ran_text(&hits, "session-protected", user.subject().to_owned())
}

async fn session_public(
    hits: web::Data<Hits>,
    OptionalAccessToken(_): OptionalAccessToken,
) -> HttpResponse {
    ran_text(&hits, "session-public", "public")
}

async fn session_refresh(
    hits: web::Data<Hits>,
    auth: Auth,
    RequestParts(parts): RequestParts,
) -> Result<HttpResponse, AuthRejection> {
    hits.hit();
    let next = auth
        .refresh::<NoCustomClaims>(&parts, &Protection::refresh())
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(HttpResponse::Ok()
        .set_cookies(&next.cookies(&auth))
        .insert_header((HANDLER_HEADER, "session-refresh"))
        .body("refreshed"))
}

async fn session_logout(
    hits: web::Data<Hits>,
    auth: Auth,
    RequestParts(parts): RequestParts,
) -> Result<HttpResponse, AuthRejection> {
    hits.hit();
    let cleared = auth.logout(&parts).await.map_err(|e| auth.reject(e))?;
    Ok(HttpResponse::Ok()
        .set_cookies(&cleared)
        .insert_header((HANDLER_HEADER, "session-logout"))
        .body("out"))
}

async fn session_revoke_all(
    hits: web::Data<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
) -> Result<HttpResponse, AuthRejection> {
    hits.hit();
    auth.revoke_all(user.subject())
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(HttpResponse::Ok()
        .insert_header((HANDLER_HEADER, "session-revoke-all"))
        .body("revoked"))
}

/// Simulates a logout from another tab landing while this request is in its handler.
async fn session_race(
    hits: web::Data<Hits>,
    auth: Auth,
    AccessToken(user): AccessToken,
) -> HttpResponse {
    auth.revoke(user.claims()).await.unwrap();
    ran_text(&hits, "session-race", "raced")
}

// ---------------------------------------------------------------------------------------
// actix-specific wiring
// ---------------------------------------------------------------------------------------

/// Sends one request to an app built by the case itself; "ran" means the handler marker
/// is present (these handlers do not count hits).
async fn send_to<T, B>(app: App<T>, req: common::Req) -> common::Sent
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    let app = test::init_service(app).await;
    let resp = call(&app, req.build()).await;
    common::Sent {
        ran: resp.headers().contains_key(HANDLER_HEADER),
        resp,
    }
}

fn cookie_jar(auth: &Auth, sub: &str) -> common::Jar {
    let t = auth.create_access_token(sub).unwrap();
    common::Jar::from_values(auth.set_access_cookies(&t).header_values())
}

async fn hook(AccessToken(user): AccessToken) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HANDLER_HEADER, "hook"))
        .json(json!({"user": user.subject()}))
}

async fn plain() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HANDLER_HEADER, "plain"))
        .body("ran")
}

#[actix_web::test]
async fn actix_extractor_without_the_auth_middleware_is_a_server_error() {
    let users = common::TestUsers::default();
    let auth = Auth::new(common::with_users(common::base(), &users).build().unwrap());
    async fn me(_: CurrentUser<TestUser>) -> HttpResponse {
        plain().await
    }
    for path in [PROTECTED, ME] {
        let app = App::new()
            .route(PROTECTED, web::get().to(hook))
            .route(ME, web::get().to(me));
        let req = common::get(path).bearer(&auth.create_access_token("alice").unwrap().to_string());
        let sent = send_to(app, req).await;
        assert_eq!(sent.status(), 500, "{path}");
        assert_eq!(sent.json()["code"], "auth_misconfigured", "{path}");
        assert!(!sent.ran, "{path}");
    }
    assert_eq!(users.calls(), 0);
}

#[actix_web::test]
async fn actix_auth_in_app_data_alone_is_not_enough() {
    // The documented home of the Auth is the request extensions (`auth.middleware()`).
    let auth = Auth::new(common::base().build().unwrap());
    let app = App::new()
        .app_data(web::Data::new(auth.clone()))
        .route(PROTECTED, web::get().to(hook));
    let req = common::get(PROTECTED).bearer(&auth.create_access_token("a").unwrap().to_string());
    let sent = send_to(app, req).await;
    assert_eq!(sent.status(), 500);
    assert_eq!(sent.json()["code"], "auth_misconfigured");
}

#[actix_web::test]
async fn actix_require_middleware_without_the_auth_middleware_is_a_server_error() {
    let auth = Auth::new(common::base().build().unwrap());
    let app = App::new().service(
        web::scope("/group")
            .wrap(auth.require_middleware(Protection::access()))
            .route("/a", web::get().to(plain)),
    );
    let req = common::get(GROUP_A).bearer(&auth.create_access_token("a").unwrap().to_string());
    let sent = send_to(app, req).await;
    assert_eq!(sent.status(), 500);
    assert_eq!(sent.json()["code"], "auth_misconfigured");
    assert!(!sent.ran);
}

#[actix_web::test]
async fn actix_require_middleware_honours_protection_overrides() {
    // The supported way to exempt a whole scope: options on the Protection itself.
    let auth = Auth::new(common::base().build().unwrap());
    let app = || {
        App::new()
            .service(
                web::scope("/hooks")
                    .wrap(auth.require_middleware(Protection::access().verify_csrf(false)))
                    .route("/in", web::post().to(plain)),
            )
            .wrap(auth.middleware())
    };
    let jar = cookie_jar(&auth, "alice");
    let sent = send_to(app(), common::post("/hooks/in").jar(&jar)).await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    assert_eq!(sent.text(), "ran");
    let sent = send_to(app(), common::post("/hooks/in")).await;
    sent.assert_rejected(401, "missing_token", "no token");
}

#[actix_web::test]
async fn actix_config_exempt_path_is_matched_on_the_full_path_in_scopes() {
    // `csrf_exempt_routes` names the path the client requests: actix keeps the full URI in
    // scopes, so the full path of a scoped route is exempt and its suffix is not.
    let auth = Auth::new(
        common::base()
            .csrf_exempt_routes(["/api/webhook"])
            .build()
            .unwrap(),
    );
    let app = || {
        App::new()
            .service(web::scope("/api").route("/webhook", web::post().to(hook)))
            .route("/webhook", web::post().to(hook))
            .wrap(auth.middleware())
    };
    let jar = cookie_jar(&auth, "alice");
    let sent = send_to(app(), common::post("/webhook").jar(&jar)).await;
    sent.assert_rejected(401, "csrf_missing", "/webhook is not exempt");
    let sent = send_to(app(), common::post("/api/webhook").jar(&jar)).await;
    assert_eq!(
        sent.status(),
        200,
        "/api/webhook is exempt: {}",
        sent.text()
    );
}

#[actix_web::test]
async fn actix_config_exempt_suffix_does_not_leak_into_scopes() {
    let auth = Auth::new(
        common::base()
            .csrf_exempt_routes(["/webhook"])
            .build()
            .unwrap(),
    );
    let app = || {
        App::new()
            .service(web::scope("/admin").route("/webhook", web::post().to(hook)))
            .route("/webhook", web::post().to(hook))
            .wrap(auth.middleware())
    };
    let jar = cookie_jar(&auth, "alice");
    let sent = send_to(app(), common::post("/webhook").jar(&jar)).await;
    assert_eq!(sent.status(), 200, "/webhook is exempt: {}", sent.text());
    let sent = send_to(app(), common::post("/admin/webhook").jar(&jar)).await;
    sent.assert_rejected(401, "csrf_missing", "/admin/webhook is not exempt");
}

#[actix_web::test]
async fn actix_route_options_inside_a_required_scope_cannot_relax_the_scope_guard() {
    // Middleware runs outside in: the scope's guard runs before a resource's own
    // `RouteOptions`, so those cannot relax it. A resource's own guard can.
    let auth = Auth::new(common::base().build().unwrap());
    let app = || {
        App::new()
            .service(
                web::scope("/group")
                    .wrap(auth.require_middleware(Protection::access()))
                    .service(
                        web::resource("/hook")
                            .wrap(RouteOptions::new().verify_csrf(false))
                            .route(web::post().to(plain)),
                    )
                    .route("/other", web::post().to(plain)),
            )
            .service(
                web::resource("/own/hook")
                    .wrap(auth.require_middleware(Protection::access().verify_csrf(false)))
                    .route(web::post().to(plain)),
            )
            .wrap(auth.middleware())
    };
    let jar = cookie_jar(&auth, "alice");
    let sent = send_to(app(), common::post("/group/other").jar(&jar)).await;
    sent.assert_rejected(401, "csrf_missing", "not exempt");
    let sent = send_to(app(), common::post("/group/hook").jar(&jar)).await;
    sent.assert_rejected(401, "csrf_missing", "RouteOptions inside the scope");
    let sent = send_to(app(), common::post("/own/hook").jar(&jar)).await;
    assert_eq!(
        sent.status(),
        200,
        "a resource's own guard exempts it: {}",
        sent.text()
    );
}

#[actix_web::test]
async fn actix_body_read_for_a_form_field_reaches_the_handler_and_extractors_in_any_order() {
    // The body is buffered for the form CSRF field and put back: an extractor reading the
    // payload before the token extractor still gets all of it.
    let auth = Auth::new(common::base().csrf_check_form(true).build().unwrap());
    async fn body_first(body: web::Bytes, AccessToken(user): AccessToken) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header((HANDLER_HEADER, "body-first"))
            .json(json!({"user": user.subject(), "body": String::from_utf8_lossy(&body)}))
    }
    let app = App::new()
        .route(POSTS, web::post().to(body_first))
        .wrap(auth.middleware());
    let jar = cookie_jar(&auth, "alice");
    let form = format!("title=hello&csrf_token={}", jar.get("csrf_access_token"));
    let sent = send_to(app, common::post(POSTS).jar(&jar).form(&form)).await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    assert_eq!(sent.json()["body"], form);
    assert_eq!(sent.json()["user"], "alice");
}

#[actix_web::test]
async fn actix_responses_render_like_the_core() {
    // `ResponseError` for both error types, with the same status, headers and body as
    // `AuthError::to_response` (axum's `IntoResponse`).
    for err in [
        authjwt::AuthError::MissingToken,
        authjwt::AuthError::CrossSiteRequest,
        authjwt::AuthError::RevocationUnavailable,
    ] {
        let core = err.to_response();
        for resp in [
            err.error_response(),
            authjwt::error::AuthRejection::new(err.clone()).error_response(),
        ] {
            assert_eq!(resp.status().as_u16(), core.status().as_u16());
            for (name, value) in core.headers() {
                assert_eq!(
                    resp.headers().get(name.as_str()).unwrap().as_bytes(),
                    value.as_bytes()
                );
            }
            let body = actix_web::body::to_bytes(resp.into_body()).await.unwrap();
            assert_eq!(body, core.body().clone());
        }
    }
    // `SetCookies` as a responder: 200 with the cookies.
    let auth = Auth::new(common::base().build().unwrap());
    let req = test::TestRequest::default().to_http_request();
    let resp = actix_web::Responder::respond_to(auth.unset_cookies(), &req);
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers().get_all(SET_COOKIE).count(), 4);
}

#[actix_web::test]
async fn actix_scope_guard_covers_unmatched_paths_under_its_prefix() {
    // Documented on `Auth::require_middleware`: the scope's guard runs before routing inside
    // the scope, so an unknown path there is refused without a token, and 404 with one.
    let auth = Auth::new(common::base().build().unwrap());
    let app = || {
        App::new()
            .service(
                web::scope("/group")
                    .wrap(auth.require_middleware(Protection::access()))
                    .route("/a", web::get().to(plain)),
            )
            .wrap(auth.middleware())
    };
    let sent = send_to(app(), common::get("/group/nope")).await;
    sent.assert_rejected(401, "missing_token", "unknown path in the scope");
    let token = auth.create_access_token("alice").unwrap().to_string();
    let sent = send_to(app(), common::get("/group/nope").bearer(&token)).await;
    assert_eq!(sent.status(), 404);
    let sent = send_to(app(), common::get(GROUP_A).bearer(&token)).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.text(), "ran");
}
