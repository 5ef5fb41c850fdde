//! The demo's contract over HTTP, driven with tower's `oneshot`: every route, every
//! rejection, the cookies and their flags, and the JSON bodies.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use authjwt::claims::TokenType;
use authjwt_demo::app;
use axum::body::Body;
use common::{Jar, logged_in, login_request, request, send, send_empty, state};
use http::{Request, header};

const CROSS_SITE: (&str, &str) = ("sec-fetch-site", "cross-site");

#[tokio::test]
async fn page_is_served_with_the_login_form_and_the_csrf_client() {
    let app = app(state());
    let reply = send_empty(&app, "GET", "/", &Jar::default(), None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(reply.headers[header::X_FRAME_OPTIONS], "DENY");
    let page = reply.text();
    for needle in [
        "id=\"login-form\"",
        "id=\"protected-button\"",
        "id=\"post-button\"",
        "id=\"refresh-button\"",
        "id=\"logout-button\"",
        "id=\"dual-login-button\"",
        "id=\"dual-protected-button\"",
        "id=\"dual-refresh-button\"",
        "document.cookie",
        "<script type=\"module\">",
        "from '/authjwt.js'",
        "authFetch(",
        "onSessionEnd(",
        "csrf_refresh_token",
    ] {
        assert!(page.contains(needle), "the page lacks {needle}");
    }
}

#[tokio::test]
async fn the_browser_helper_is_served_as_a_javascript_module() {
    let app = app(state());
    let reply = send_empty(&app, "GET", "/authjwt.js", &Jar::default(), None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let script = reply.text();
    assert_eq!(
        script,
        include_str!("../../authjwt/client/authjwt.js"),
        "served as shipped"
    );
    for needle in [
        "export async function authFetch(",
        "export function onSessionEnd(",
        "export function configure(",
        "export async function refresh(",
        "'X-CSRF-TOKEN'",
        "'csrf_access_token'",
        "'csrf_refresh_token'",
        "navigator.locks",
    ] {
        assert!(script.contains(needle), "the helper lacks {needle}");
    }
}

#[tokio::test]
async fn login_sets_four_cookies_with_the_contract_flags() {
    let app = app(state());
    let reply = send(&app, login_request("/login", "user1", "password1")).await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["message"], "Login successful");
    assert_eq!(body["username"], "user1");
    assert_eq!(body.as_object().unwrap().len(), 4, "{body}");
    assert_eq!(reply.set_cookies().len(), 4);
    // The CSRF values are in the body too (a front end on another origin cannot read the
    // API's cookies), equal to the CSRF cookies.
    let mut jar = Jar::default();
    jar.update(&reply);
    for name in ["csrf_access_token", "csrf_refresh_token"] {
        let value = body[name].as_str().unwrap();
        assert!(!value.is_empty());
        assert_eq!(Some(value), jar.get(name), "{name}");
    }
    for (name, http_only) in [
        ("access_token_cookie", true),
        ("refresh_token_cookie", true),
        ("csrf_access_token", false),
        ("csrf_refresh_token", false),
    ] {
        let c = reply
            .set_cookie(name)
            .unwrap_or_else(|| panic!("{name} not set"));
        assert_eq!(c.contains("HttpOnly"), http_only, "{c}");
        assert!(c.contains("SameSite=Lax"), "{c}");
        assert!(c.contains("Path=/"), "{c}");
        assert!(!c.contains("Secure"), "Secure is off for local http: {c}");
    }
    let mut jar = Jar::default();
    jar.update(&reply);
    // The CSRF cookies hold the tokens' csrf claims.
    let auth = state().auth;
    let access: authjwt::Claims = auth
        .verify_token(jar.get("access_token_cookie").unwrap(), TokenType::Access)
        .unwrap();
    assert_eq!(access.csrf.as_deref(), jar.get("csrf_access_token"));
    assert!(access.fresh, "a login issues a fresh access token");
    let refresh: authjwt::Claims = auth
        .verify_token(jar.get("refresh_token_cookie").unwrap(), TokenType::Refresh)
        .unwrap();
    assert_eq!(refresh.csrf.as_deref(), jar.get("csrf_refresh_token"));

    let user2 = send(&app, login_request("/login", "user2", "password2")).await;
    assert_eq!(user2.json()["username"], "user2");
}

#[tokio::test]
async fn wrong_credentials_are_401_json_without_cookies() {
    let app = app(state());
    for (user, password) in [
        ("user1", "password2"),
        ("user1", ""),
        ("nobody", "password1"),
        ("", ""),
    ] {
        let reply = send(&app, login_request("/login", user, password)).await;
        reply.assert_error(401, "invalid_credentials");
        assert!(reply.set_cookies().is_empty());
    }
}

#[tokio::test]
async fn malformed_login_bodies_are_4xx_json() {
    let app = app(state());
    let post = |content_type: Option<&str>, body: &'static [u8]| {
        let mut b = Request::post("/login").header(header::HOST, "127.0.0.1:8000");
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        b.body(Body::from(body)).unwrap()
    };
    let json = Some("application/json");
    let cases: [(Option<&str>, &[u8], u16, &str); 7] = [
        (json, b"{\"username\":", 400, "malformed_json"),
        (json, b"", 400, "malformed_json"),
        (json, b"\xff\xfe\x00garbage", 400, "malformed_json"),
        (json, b"{\"username\":\"user1\"}", 422, "invalid_body"),
        (json, b"[1,2,3]", 422, "invalid_body"),
        (
            None,
            b"{\"username\":\"user1\",\"password\":\"password1\"}",
            415,
            "unsupported_media_type",
        ),
        (
            Some("application/x-www-form-urlencoded"),
            b"username=user1&password=password1",
            415,
            "unsupported_media_type",
        ),
    ];
    for (ct, body, status, code) in cases {
        let reply = send(&app, post(ct, body)).await;
        reply.assert_error(status, code);
        assert!(reply.set_cookies().is_empty());
    }
}

#[tokio::test]
async fn cross_site_requests_are_403_before_anything_else() {
    let state = state();
    let app = app(state.clone());
    let jar = logged_in(&app).await;

    // Login CSRF: right credentials, but from another site.
    let mut login = login_request("/login", "user1", "password1");
    login
        .headers_mut()
        .insert(CROSS_SITE.0, CROSS_SITE.1.parse().unwrap());
    let reply = send(&app, login).await;
    reply.assert_error(403, "cross_site_request");
    assert!(reply.set_cookies().is_empty());

    // An Origin of another site, without Fetch Metadata (older browsers).
    let mut login = login_request("/login", "user1", "password1");
    login
        .headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    send(&app, login)
        .await
        .assert_error(403, "cross_site_request");

    // Every unsafe route, with valid cookies and the right CSRF header: still 403.
    for (path, csrf) in [
        ("/posts", "csrf_access_token"),
        ("/refresh", "csrf_refresh_token"),
        ("/logout", "csrf_access_token"),
        ("/webhook", "csrf_access_token"),
        ("/dual/login", "csrf_access_token"),
        ("/dual/refresh", "csrf_refresh_token"),
    ] {
        let req = request("POST", path, &jar, Some(csrf))
            .header(CROSS_SITE.0, CROSS_SITE.1)
            .body(Body::empty())
            .unwrap();
        let reply = send(&app, req).await;
        reply.assert_error(403, "cross_site_request");
        assert!(reply.set_cookies().is_empty(), "{path}");
        // Without any token the answer is the same 403, not a 401: the check runs first.
        let bare = request("POST", path, &Jar::default(), None)
            .header(header::ORIGIN, "http://127.0.0.1:9999")
            .body(Body::empty())
            .unwrap();
        send(&app, bare)
            .await
            .assert_error(403, "cross_site_request");
    }
    assert!(state.posts.is_empty());

    // The same requests from the page itself pass.
    let same_origin = request("POST", "/posts", &jar, Some("csrf_access_token"))
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, "http://127.0.0.1:8000")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, same_origin).await.status, 200);
    // Safe methods are never refused for their origin.
    let get = request("GET", "/protected", &jar, None)
        .header(CROSS_SITE.0, CROSS_SITE.1)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, get).await.status, 200);
}

#[tokio::test]
async fn protected_needs_the_access_cookie() {
    let app = app(state());
    let jar = logged_in(&app).await;
    let get = |jar: &Jar| {
        request("GET", "/protected", jar, None)
            .body(Body::empty())
            .unwrap()
    };

    let reply = send(&app, get(&jar)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        serde_json::json!({
            "message": "Access granted",
            "username": "user1",
            "email": "user1@example.com",
        })
    );

    send(&app, get(&Jar::default()))
        .await
        .assert_error(401, "missing_token");

    // Cookies are the only location: a bearer token alone is ignored.
    let bearer = request("GET", "/protected", &Jar::default(), None)
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", jar.get("access_token_cookie").unwrap()),
        )
        .body(Body::empty())
        .unwrap();
    send(&app, bearer).await.assert_error(401, "missing_token");

    let mut tampered = jar.clone();
    let token = jar.get("access_token_cookie").unwrap();
    tampered.set("access_token_cookie", &format!("{token}x"));
    send(&app, get(&tampered))
        .await
        .assert_error(401, "invalid_token");

    let mut swapped = jar.clone();
    swapped.set(
        "access_token_cookie",
        jar.get("refresh_token_cookie").unwrap(),
    );
    send(&app, get(&swapped))
        .await
        .assert_error(401, "wrong_token_type");

    // A token signed with another key.
    let other = app_with_other_key().await;
    send(&app, get(&other))
        .await
        .assert_error(401, "invalid_token");
}

async fn app_with_other_key() -> Jar {
    let settings = authjwt_demo::Settings {
        secret: Some("another secret of at least thirty-two bytes".to_owned()),
        ..authjwt_demo::Settings::default()
    };
    let (config, _) = settings.config().unwrap();
    let other = app(authjwt_demo::AppState::new(authjwt::Auth::new(config)));
    logged_in(&other).await
}

#[tokio::test]
async fn posts_need_the_access_csrf_header() {
    let state = state();
    let app = app(state.clone());
    let jar = logged_in(&app).await;
    let post = |jar: &Jar, csrf: Option<&str>| {
        request("POST", "/posts", jar, csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"title":"New Post","content":"x"}"#))
            .unwrap()
    };

    let reply = send(&app, post(&jar, Some("csrf_access_token"))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Post created", "user": "user1"})
    );
    assert_eq!(state.posts.len(), 1);
    assert_eq!(state.posts.all()[0].title.as_deref(), Some("New Post"));
    assert_eq!(state.posts.all()[0].author, "user1");

    send(&app, post(&jar, None))
        .await
        .assert_error(401, "csrf_missing");
    // The refresh token's CSRF value is not the access token's.
    send(&app, post(&jar, Some("csrf_refresh_token")))
        .await
        .assert_error(401, "csrf_mismatch");
    let wrong = request("POST", "/posts", &jar, None)
        .header("x-csrf-token", "guessed")
        .body(Body::empty())
        .unwrap();
    send(&app, wrong).await.assert_error(401, "csrf_mismatch");
    // The header without the cookie proves nothing.
    let mut no_jwt = jar.clone();
    no_jwt.remove("access_token_cookie");
    send(&app, post(&no_jwt, Some("csrf_access_token")))
        .await
        .assert_error(401, "missing_token");
    assert_eq!(state.posts.len(), 1, "no refused request created a post");

    // The body is optional and never breaks the route.
    for body in ["", "not json", "{\"title\": 5}"] {
        let req = request("POST", "/posts", &jar, Some("csrf_access_token"))
            .body(Body::from(body))
            .unwrap();
        assert_eq!(send(&app, req).await.status, 200);
    }
    assert_eq!(state.posts.len(), 4);
    assert_eq!(state.posts.all()[3].title, None);
}

#[tokio::test]
async fn webhook_takes_the_access_cookie_without_csrf() {
    let app = app(state());
    let jar = logged_in(&app).await;
    let reply = send_empty(&app, "POST", "/webhook", &jar, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Webhook processed", "user": "user1"})
    );
    send_empty(&app, "POST", "/webhook", &Jar::default(), None)
        .await
        .assert_error(401, "missing_token");
}

#[tokio::test]
async fn dual_mode_keeps_the_access_token_out_of_cookies() {
    let app = app(state());
    let reply = send(&app, login_request("/dual/login", "user2", "password2")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["token_type"], "bearer");
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(body.as_object().unwrap().len(), 2);
    assert!(reply.set_cookie("access_token_cookie").is_none());
    assert!(reply.set_cookie("csrf_access_token").is_none());
    assert!(
        reply
            .set_cookie("refresh_token_cookie")
            .unwrap()
            .contains("HttpOnly")
    );
    assert!(reply.set_cookie("csrf_refresh_token").is_some());
    let mut jar = Jar::default();
    jar.update(&reply);

    send(&app, login_request("/dual/login", "user2", "wrong"))
        .await
        .assert_error(401, "invalid_credentials");

    let bearer = |token: &str| {
        request("GET", "/dual/protected", &Jar::default(), None)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let reply = send(&app, bearer(&access)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Access granted", "user": "user2"})
    );
    // The header is the only location of /dual/protected: the access cookie is ignored.
    let cookie_jar = logged_in(&app).await;
    send_empty(&app, "GET", "/dual/protected", &cookie_jar, None)
        .await
        .assert_error(401, "missing_token");
    send(&app, bearer("not-a-jwt"))
        .await
        .assert_error(401, "invalid_token");

    // Refresh: the cookie and its CSRF value → a new access token in the body.
    let refresh = |jar: &Jar, csrf: Option<&str>| {
        request("POST", "/dual/refresh", jar, csrf)
            .body(Body::empty())
            .unwrap()
    };
    send(&app, refresh(&jar, None))
        .await
        .assert_error(401, "csrf_missing");
    let refresh_token = jar.get("refresh_token_cookie").unwrap().to_owned();
    let header_only = request("POST", "/dual/refresh", &Jar::default(), None)
        .header(header::AUTHORIZATION, format!("Bearer {refresh_token}"))
        .body(Body::empty())
        .unwrap();
    send(&app, header_only)
        .await
        .assert_error(401, "missing_token");

    let reply = send(&app, refresh(&jar, Some("csrf_refresh_token"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["token_type"], "bearer");
    let renewed = body["access_token"].as_str().unwrap();
    assert_ne!(renewed, access);
    assert!(reply.set_cookie("access_token_cookie").is_none());
    assert_eq!(send(&app, bearer(renewed)).await.status, 200);
}

#[tokio::test]
async fn jwks_is_empty_for_hmac() {
    let app = app(state());
    let reply = send_empty(&app, "GET", "/.well-known/jwks.json", &Jar::default(), None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), serde_json::json!({"keys": []}));
}

#[tokio::test]
async fn jwks_publishes_the_public_key_of_an_asymmetric_algorithm() {
    let settings = authjwt_demo::Settings::from_lookup(|k| match k {
        "JWT_ALGORITHM" => Some("EdDSA".to_owned()),
        "JWT_PRIVATE_KEY" => Some(include_str!("keys/ed25519_private.pem").to_owned()),
        _ => None,
    })
    .unwrap();
    let (config, source) = settings.config().unwrap();
    assert_eq!(source, authjwt_demo::KeySource::Configured);
    let app = app(authjwt_demo::AppState::new(authjwt::Auth::new(config)));
    let reply = send_empty(&app, "GET", "/.well-known/jwks.json", &Jar::default(), None).await;
    let keys = reply.json()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "OKP");
    assert_eq!(keys[0]["alg"], "EdDSA");
    assert_eq!(keys[0]["kid"], "authjwt-demo-1");
    assert!(keys[0].get("d").is_none(), "never the private part");
    // And the whole flow works with it.
    let jar = logged_in(&app).await;
    let reply = send_empty(&app, "GET", "/protected", &jar, None).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn request_headers_above_16_kib_are_431() {
    let app = app(state());
    let get = |headers: &[(String, String)]| {
        let mut b = request("GET", "/", &Jar::default(), None);
        for (k, v) in headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b.body(Body::empty()).unwrap()
    };
    let one_big = [("x-big".to_owned(), "a".repeat(17 * 1024))];
    send(&app, get(&one_big))
        .await
        .assert_error(431, "request_header_fields_too_large");
    let many: Vec<(String, String)> = (0..20)
        .map(|i| (format!("x-h{i}"), "b".repeat(1000)))
        .collect();
    send(&app, get(&many))
        .await
        .assert_error(431, "request_header_fields_too_large");
    // Also before the login handler or the cross-site check.
    let mut login = login_request("/login", "user1", "password1");
    login
        .headers_mut()
        .insert("x-big", "c".repeat(20 * 1024).parse().unwrap());
    send(&app, login)
        .await
        .assert_error(431, "request_header_fields_too_large");

    let fits = [("x-big".to_owned(), "a".repeat(15 * 1024))];
    assert_eq!(send(&app, get(&fits)).await.status, 200);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_errors() {
    let app = app(state());
    let jar = Jar::default();
    send_empty(&app, "GET", "/nope", &jar, None)
        .await
        .assert_error(404, "not_found");
    for (method, path) in [
        ("GET", "/login"),
        ("DELETE", "/logout"),
        ("POST", "/protected"),
        ("PUT", "/posts"),
    ] {
        send_empty(&app, method, path, &jar, None)
            .await
            .assert_error(405, "method_not_allowed");
    }
}
