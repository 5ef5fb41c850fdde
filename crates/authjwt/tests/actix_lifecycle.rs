//! The token lifecycle through a real actix-web App with cookies and CSRF: logout that
//! revokes, refresh rotation with reuse detection, revoke-all, and the implicit-refresh
//! middleware (the actix counterpart of `tests/lifecycle.rs`).
#![cfg(feature = "actix")]
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, web};
use authjwt::actix::{AccessToken, OptionalAccessToken, RequestParts, SetCookiesExt};
use authjwt::{Auth, AuthRejection, Config, NoCustomClaims, Protection, SetCookies, TokenLocation};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn auth_with(access_expires: Duration) -> Auth {
    auth_with_window(access_expires, Duration::from_secs(30))
}

/// `window` is the refresh reuse window; `Duration::ZERO` is strict rotation.
fn auth_with_window(access_expires: Duration, window: Duration) -> Auth {
    Auth::new(
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Cookies])
            .cookie_secure(false)
            .access_expires(access_expires)
            .refresh_reuse_window(window)
            .build()
            .unwrap(),
    )
}

async fn login(auth: Auth) -> SetCookies {
    auth.create_login_tokens("user1").unwrap().cookies(&auth)
}

async fn protected(AccessToken(user): AccessToken) -> String {
    user.subject().to_owned()
}

async fn public(OptionalAccessToken(_): OptionalAccessToken) -> &'static str {
    "public"
}

async fn refresh(
    auth: Auth,
    RequestParts(parts): RequestParts,
) -> Result<HttpResponse, AuthRejection> {
    let next = auth
        .refresh::<NoCustomClaims>(&parts, &Protection::refresh())
        .await
        .map_err(|e| auth.reject(e))?;
    Ok(HttpResponse::Ok()
        .set_cookies(&next.cookies(&auth))
        .body("refreshed"))
}

async fn logout(
    auth: Auth,
    RequestParts(parts): RequestParts,
) -> Result<HttpResponse, AuthRejection> {
    let cleared = auth.logout(&parts).await.map_err(|e| auth.reject(e))?;
    Ok(HttpResponse::Ok().set_cookies(&cleared).body("out"))
}

async fn logout_everywhere(
    auth: Auth,
    AccessToken(user): AccessToken,
) -> Result<&'static str, AuthRejection> {
    auth.revoke_all(user.subject())
        .await
        .map_err(|e| auth.reject(e))?;
    Ok("revoked")
}

/// Simulates a logout from another tab landing while this request is in its handler.
async fn racing_logout(auth: Auth, AccessToken(user): AccessToken) -> &'static str {
    auth.revoke(user.claims()).await.unwrap();
    "raced"
}

async fn app(
    auth: &Auth,
) -> impl Service<
    actix_http::Request,
    Response = ServiceResponse<impl MessageBody>,
    Error = actix_web::Error,
> {
    test::init_service(
        App::new()
            .route("/login", web::post().to(login))
            .route("/protected", web::get().to(protected))
            .route("/public", web::get().to(public))
            .route("/refresh", web::post().to(refresh))
            .route("/logout", web::post().to(logout))
            .route("/revoke-all", web::post().to(logout_everywhere))
            .route("/race", web::get().to(racing_logout))
            .wrap(auth.implicit_refresh_middleware(Duration::from_secs(60)))
            .wrap(auth.middleware()),
    )
    .await
}

/// A minimal browser cookie jar: applies Set-Cookie (Max-Age=0 deletes).
#[derive(Default, Clone)]
struct Jar(HashMap<String, String>);

impl Jar {
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }
}

struct Reply {
    status: StatusCode,
    body: String,
    set_cookies: usize,
}

async fn send<S, B>(app: &S, jar: &mut Jar, method: &str, uri: &str, csrf: Option<&str>) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = TestRequest::default()
        .method(method)
        .uri(uri)
        .insert_header(("cookie", jar.header()));
    if let Some(c) = csrf {
        req = req.insert_header(("x-csrf-token", jar.get(c)));
    }
    let resp = test::call_service(app, req.to_request()).await;
    let status = resp.status();
    let mut set_cookies = 0;
    for v in resp.headers().get_all("set-cookie") {
        set_cookies += 1;
        let v = v.to_str().unwrap();
        let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
        let (name, value) = pair.split_once('=').unwrap();
        if attrs.contains("Max-Age=0") {
            jar.0.remove(name);
        } else {
            jar.0.insert(name.to_owned(), value.to_owned());
        }
    }
    let body = String::from_utf8_lossy(&test::read_body(resp).await).into_owned();
    Reply {
        status,
        body,
        set_cookies,
    }
}

async fn logged_in<S, B>(app: &S) -> Jar
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut jar = Jar::default();
    let r = send(app, &mut jar, "POST", "/login", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(jar.0.len(), 4);
    jar
}

#[actix_web::test]
async fn logout_needs_csrf_then_revokes_and_clears_all_four_cookies() {
    let auth = auth_with(Duration::from_secs(900));
    let app = app(&auth).await;
    let mut jar = logged_in(&app).await;
    let stolen = jar.clone();

    let r = send(&app, &mut jar, "POST", "/logout", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("csrf_missing"), "{}", r.body);
    let r = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(r.status, StatusCode::OK, "nothing changed");

    let r = send(&app, &mut jar, "POST", "/logout", Some("csrf_access_token")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.set_cookies, 4);
    assert!(jar.0.is_empty(), "all four cookies cleared: {:?}", jar.0);

    // A copy of the cookies taken before logout is dead: access and refresh alike.
    let mut replay = stolen.clone();
    let r = send(&app, &mut replay, "GET", "/protected", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("token_revoked"), "{}", r.body);
    let mut replay = stolen;
    let r = send(
        &app,
        &mut replay,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("token_revoked"), "{}", r.body);
}

#[actix_web::test]
async fn logout_with_an_expired_access_token_uses_the_refresh_csrf() {
    let auth = auth_with(Duration::from_secs(1));
    let app = app(&auth).await;
    let mut jar = logged_in(&app).await;
    actix_web::rt::time::sleep(Duration::from_millis(2100)).await;
    let r = send(&app, &mut jar, "POST", "/logout", Some("csrf_access_token")).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the access csrf does not prove the refresh token"
    );
    assert!(r.body.contains("csrf_mismatch"), "{}", r.body);
    let r = send(
        &app,
        &mut jar,
        "POST",
        "/logout",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(jar.0.is_empty());
}

#[actix_web::test]
async fn strict_refresh_rotates_and_detects_reuse() {
    let auth = auth_with_window(Duration::from_secs(900), Duration::ZERO);
    let app = app(&auth).await;
    let mut jar = logged_in(&app).await;
    let before = jar.clone();

    let r = send(&app, &mut jar, "POST", "/refresh", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "refresh needs its csrf");
    assert!(r.body.contains("csrf_missing"));

    let r = send(
        &app,
        &mut jar,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.set_cookies, 4);
    assert_ne!(
        jar.get("refresh_token_cookie"),
        before.get("refresh_token_cookie"),
        "rotated"
    );
    assert_ne!(
        jar.get("access_token_cookie"),
        before.get("access_token_cookie")
    );
    let r = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(r.status, StatusCode::OK);

    // The old refresh token comes back (stolen copy): strict rotation ends the whole session.
    let mut thief = before;
    let r = send(
        &app,
        &mut thief,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("refresh_token_reused"), "{}", r.body);
    let r = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the legitimate session is ended too"
    );
    assert!(r.body.contains("token_revoked"));
}

#[actix_web::test]
async fn revoke_all_ends_every_session_issued_before() {
    let auth = auth_with(Duration::from_secs(900));
    let app = app(&auth).await;
    let mut laptop = logged_in(&app).await;
    let mut phone = logged_in(&app).await;
    let r = send(
        &app,
        &mut laptop,
        "POST",
        "/revoke-all",
        Some("csrf_access_token"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    for jar in [&mut laptop, &mut phone] {
        let r = send(&app, jar, "GET", "/protected", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("token_revoked"));
        let r = send(&app, jar, "POST", "/refresh", Some("csrf_refresh_token")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}

#[actix_web::test]
async fn implicit_refresh_renews_near_expiry_and_never_revives() {
    // Access tokens live 30 s and the window is 60 s: every access token is "near expiry".
    let auth = auth_with(Duration::from_secs(30));
    let app = app(&auth).await;
    let mut jar = logged_in(&app).await;
    let first = jar.get("access_token_cookie");
    let r = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "user1");
    assert_eq!(r.set_cookies, 2, "access + csrf cookie renewed");
    assert_ne!(jar.get("access_token_cookie"), first);
    let r = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(r.status, StatusCode::OK);

    // Far from expiry: nothing is set.
    let calm = auth_with(Duration::from_secs(900));
    let calm_app = self::app(&calm).await;
    let mut calm_jar = logged_in(&calm_app).await;
    let r = send(&calm_app, &mut calm_jar, "GET", "/protected", None).await;
    assert_eq!(r.set_cookies, 0);

    // An error response is left alone.
    let r = send(&app, &mut jar, "POST", "/revoke-all", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.set_cookies, 0);

    // A logout response is not overridden.
    let r = send(&app, &mut jar, "POST", "/logout", Some("csrf_access_token")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.set_cookies, 4);
    assert!(jar.0.is_empty());
}

#[actix_web::test]
async fn implicit_refresh_loses_the_race_with_a_logout() {
    let auth = auth_with(Duration::from_secs(30));
    let app = app(&auth).await;
    let mut jar = logged_in(&app).await;
    let stale = jar.clone();
    // The session is revoked while this request runs its handler: no new cookie comes back.
    let r = send(&app, &mut jar, "GET", "/race", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.set_cookies, 0, "a revoked session was revived");
    let r = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A request on a public page with the revoked cookie gets no new cookie either.
    let mut stale = stale;
    let r = send(&app, &mut stale, "GET", "/public", None).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the optional extractor still refuses a revoked token"
    );
    assert_eq!(r.set_cookies, 0);
}
