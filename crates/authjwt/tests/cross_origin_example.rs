//! Drives `examples/cross_origin.rs` (a front end on another origin) over HTTP: the front
//! end's preflight is answered, its credentialed login, post, refresh and logout pass the
//! cross-site check with `Sec-Fetch-Site: cross-site` and can be read (CORS headers), the
//! cookies are `SameSite=None; Secure`, and another site is refused with 403.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used)]

#[allow(
    dead_code,
    unreachable_pub,
    reason = "the example is a binary of its own: its main and pub items are not used here"
)]
#[path = "../examples/cross_origin.rs"]
mod example;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use http::{Request, Response, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const FRONTEND: &str = "https://app.example.com";

struct Reply {
    status: u16,
    headers: http::HeaderMap,
    body: Value,
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp: Response<Body> = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    Reply {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// What a browser on `origin` sends to the API on another site.
fn from(
    origin: &str,
    method: &str,
    path: &str,
    cookies: &BTreeMap<String, String>,
) -> http::request::Builder {
    let cookie = cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "api.example.com")
        .header(header::ORIGIN, origin)
        .header("sec-fetch-site", "cross-site");
    if !cookie.is_empty() {
        b = b.header(header::COOKIE, cookie);
    }
    b
}

fn absorb(jar: &mut BTreeMap<String, String>, reply: &Reply) -> Vec<String> {
    let mut raw = Vec::new();
    for v in reply.headers.get_all(header::SET_COOKIE) {
        let v = v.to_str().unwrap().to_owned();
        let (name, value) = v.split(';').next().unwrap().split_once('=').unwrap();
        if v.contains("Max-Age=0") {
            jar.remove(name);
        } else {
            jar.insert(name.to_owned(), value.to_owned());
        }
        raw.push(v);
    }
    raw
}

#[track_caller]
fn assert_readable_by(reply: &Reply, origin: &str) {
    assert_eq!(reply.headers["access-control-allow-origin"], origin);
    assert_eq!(reply.headers["access-control-allow-credentials"], "true");
}

#[tokio::test]
async fn the_front_end_on_another_origin_uses_the_api_with_credentials() {
    let auth = example::auth(FRONTEND).unwrap();
    let app = example::app(&auth, FRONTEND).unwrap();
    let mut jar = BTreeMap::new();

    // The preflight of a POST with the CSRF header is answered before any check.
    let preflight = from(FRONTEND, "OPTIONS", "/posts", &jar)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, x-csrf-token",
        )
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, preflight).await;
    assert_eq!(reply.status, 200);
    assert_readable_by(&reply, FRONTEND);
    let allowed = reply.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(allowed.contains("x-csrf-token"), "{allowed}");

    let login = from(FRONTEND, "POST", "/login", &jar)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"username":"user1","password":"password1"}"#))
        .unwrap();
    let reply = send(&app, login).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_readable_by(&reply, FRONTEND);
    let cookies = absorb(&mut jar, &reply);
    assert_eq!(cookies.len(), 4);
    for c in &cookies {
        assert!(c.contains("SameSite=None") && c.contains("Secure"), "{c}");
    }
    // The CSRF values the front end cannot read from the API's cookies.
    let csrf = reply.body["csrf_access_token"].as_str().unwrap().to_owned();
    let refresh_csrf = reply.body["csrf_refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(jar["csrf_access_token"], csrf);

    let reply = send(
        &app,
        from(FRONTEND, "GET", "/me", &jar)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.body["username"], "user1");
    assert_readable_by(&reply, FRONTEND);

    let post = |csrf: &str| {
        from(FRONTEND, "POST", "/posts", &jar)
            .header("x-csrf-token", csrf)
            .body(Body::empty())
            .unwrap()
    };
    let reply = send(&app, post(&csrf)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_readable_by(&reply, FRONTEND);
    let reply = send(&app, post("not the value")).await;
    assert_eq!(
        (reply.status, reply.body["code"].as_str()),
        (401, Some("csrf_mismatch"))
    );
    assert_readable_by(&reply, FRONTEND); // the front end can read why

    let refresh = from(FRONTEND, "POST", "/refresh", &jar)
        .header("x-csrf-token", &refresh_csrf)
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, refresh).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["csrf_access_token"], csrf.as_str());
    absorb(&mut jar, &reply);

    let logout = from(FRONTEND, "POST", "/logout", &jar)
        .header("x-csrf-token", &csrf)
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, logout).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    absorb(&mut jar, &reply);
    assert!(jar.is_empty(), "{jar:?}");
}

#[tokio::test]
async fn another_site_is_refused_and_cannot_read_the_answer() {
    let auth = example::auth(FRONTEND).unwrap();
    let app = example::app(&auth, FRONTEND).unwrap();
    let jar = BTreeMap::new();
    let login = from("https://evil.example", "POST", "/login", &jar)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"username":"user1","password":"password1"}"#))
        .unwrap();
    let reply = send(&app, login).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.body["code"], "cross_site_request",
        "{:?}",
        reply.headers
    );
    assert!(reply.headers.get("access-control-allow-origin").is_none());
    assert!(reply.headers.get(header::SET_COOKIE).is_none());

    let preflight = from("https://evil.example", "OPTIONS", "/posts", &jar)
        .header("access-control-request-method", "POST")
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, preflight).await;
    assert!(reply.headers.get("access-control-allow-origin").is_none());
}
