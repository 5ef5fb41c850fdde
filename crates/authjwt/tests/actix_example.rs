//! Drives `examples/actix_complete.rs` (seed 002's complete example on actix-web) over HTTP:
//! login sets the four cookies, `/protected` answers from the cookie, `/posts` needs
//! `X-CSRF-TOKEN`, `/refresh` renews the access cookies, `/logout` clears all four.
#![cfg(feature = "actix")]
#![allow(clippy::unwrap_used)]

#[allow(
    dead_code,
    unreachable_pub,
    reason = "the example is a binary of its own: its main and pub items are not used here"
)]
#[path = "../examples/actix_complete.rs"]
mod example;

use std::collections::BTreeMap;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};

/// A browser's cookie jar, enough for this flow: `Max-Age=0` deletes.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn absorb(&mut self, resp: &ServiceResponse<impl actix_web::body::MessageBody>) -> usize {
        let mut n = 0;
        for v in resp.headers().get_all("set-cookie") {
            n += 1;
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.split(';').any(|a| a.trim() == "Max-Age=0") {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
        n
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

struct Reply {
    status: StatusCode,
    body: Value,
    set_cookies: usize,
}

async fn send<S, B>(app: &S, jar: &mut Jar, req: TestRequest) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let mut req = req.insert_header(("host", "127.0.0.1:8000"));
    if !jar.0.is_empty() {
        req = req.insert_header(("cookie", jar.header()));
    }
    let resp = test::call_service(app, req.to_request()).await;
    let status = resp.status();
    let set_cookies = jar.absorb(&resp);
    let bytes = test::read_body(resp).await;
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        body,
        set_cookies,
    }
}

#[actix_web::test]
async fn seed_002_flow_over_http() {
    let app = test::init_service(example::app(example::auth().unwrap())).await;
    let mut jar = Jar::default();

    // Wrong password: 401, no cookie.
    let r = send(
        &app,
        &mut jar,
        TestRequest::post()
            .uri("/login")
            .set_json(json!({"username": "user1", "password": "wrong"})),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["detail"], "Invalid credentials");
    assert_eq!(r.set_cookies, 0);

    // Nothing is accessible before login.
    let r = send(&app, &mut jar, TestRequest::get().uri("/protected")).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "missing_token");

    // Login: the four cookies, HttpOnly on the JWTs only.
    let r = send(
        &app,
        &mut jar,
        TestRequest::post()
            .uri("/login")
            .set_json(json!({"username": "user1", "password": "password1"})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"message": "Login successful", "username": "user1"})
    );
    assert_eq!(r.set_cookies, 4);
    let names: Vec<&str> = jar.0.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "access_token_cookie",
            "csrf_access_token",
            "csrf_refresh_token",
            "refresh_token_cookie"
        ]
    );

    // The protected route reads the cookie.
    let r = send(&app, &mut jar, TestRequest::get().uri("/protected")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["message"], "Access granted");
    assert_eq!(r.body["username"], "user1");
    assert_eq!(r.body["email"], "user1@example.com");

    // POST /posts needs X-CSRF-TOKEN.
    let post = || {
        TestRequest::post()
            .uri("/posts")
            .set_json(json!({"title": "New Post"}))
    };
    let r = send(&app, &mut jar, post()).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "csrf_missing");
    let r = send(
        &app,
        &mut jar,
        post().insert_header(("x-csrf-token", "nope")),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "csrf_mismatch");
    let csrf = jar.get("csrf_access_token").to_owned();
    let r = send(
        &app,
        &mut jar,
        post().insert_header(("x-csrf-token", csrf.clone())),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"message": "Post created", "user": "user1"}));

    // A cross-site POST is refused before the handler, even with the right header.
    let r = send(
        &app,
        &mut jar,
        post()
            .insert_header(("x-csrf-token", csrf.clone()))
            .insert_header(("origin", "https://evil.example")),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["code"], "cross_site_request");

    // Refresh with the refresh cookie and its CSRF value: new access cookies.
    let r = send(&app, &mut jar, TestRequest::post().uri("/refresh")).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "csrf_missing");
    let old_access = jar.get("access_token_cookie").to_owned();
    let refresh_csrf = jar.get("csrf_refresh_token").to_owned();
    let r = send(
        &app,
        &mut jar,
        TestRequest::post()
            .uri("/refresh")
            .insert_header(("x-csrf-token", refresh_csrf)),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"message": "Token refreshed"}));
    assert_eq!(r.set_cookies, 2);
    assert_ne!(jar.get("access_token_cookie"), old_access);
    let r = send(&app, &mut jar, TestRequest::get().uri("/protected")).await;
    assert_eq!(r.status, 200);
    // The old CSRF value no longer matches the new access token.
    let r = send(&app, &mut jar, post().insert_header(("x-csrf-token", csrf))).await;
    assert_eq!(r.body["code"], "csrf_mismatch");
    let csrf = jar.get("csrf_access_token").to_owned();
    let r = send(&app, &mut jar, post().insert_header(("x-csrf-token", csrf))).await;
    assert_eq!(r.status, 200);

    // Logout clears all four cookies; afterwards nothing is accessible.
    let r = send(&app, &mut jar, TestRequest::post().uri("/logout")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"message": "Successfully logged out"}));
    assert_eq!(r.set_cookies, 4);
    assert!(jar.0.is_empty(), "cookies left: {:?}", jar.0.keys());
    let r = send(&app, &mut jar, TestRequest::get().uri("/protected")).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["code"], "missing_token");
}

#[actix_web::test]
async fn second_user_and_cross_site_login_and_logout() {
    let app = test::init_service(example::app(example::auth().unwrap())).await;
    let mut jar = Jar::default();
    let login = || {
        TestRequest::post()
            .uri("/login")
            .set_json(json!({"username": "user2", "password": "password2"}))
    };
    // Login CSRF: a cross-site login is refused before the handler.
    let r = send(
        &app,
        &mut jar,
        login().insert_header(("sec-fetch-site", "cross-site")),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.set_cookies, 0);
    let r = send(&app, &mut jar, login()).await;
    assert_eq!(r.status, 200);
    let r = send(&app, &mut jar, TestRequest::get().uri("/protected")).await;
    assert_eq!(r.body["username"], "user2");
    assert_eq!(r.body["email"], "user2@example.com");
    // Another site cannot log the user out.
    let r = send(
        &app,
        &mut jar,
        TestRequest::post()
            .uri("/logout")
            .insert_header(("sec-fetch-site", "cross-site")),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(jar.0.len(), 4);
}
