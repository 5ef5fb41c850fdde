//! Every example under `examples/`, driven over HTTP through its router. The example files
//! are included as modules, so what runs here is exactly what `cargo run --example` serves.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

#[allow(unreachable_pub)]
#[path = "../examples/authx_complete.rs"]
mod authx_complete;
#[allow(unreachable_pub)]
#[path = "../examples/cookies_with_csrf.rs"]
mod cookies_with_csrf;
#[allow(unreachable_pub)]
#[path = "../examples/cookies_without_csrf.rs"]
mod cookies_without_csrf;
#[allow(unreachable_pub)]
#[path = "../examples/dual_locations.rs"]
mod dual_locations;
#[allow(unreachable_pub)]
#[path = "../examples/logout_variants.rs"]
mod logout_variants;
#[allow(unreachable_pub)]
#[path = "../examples/session_vs_persistent.rs"]
mod session_vs_persistent;
#[allow(unreachable_pub)]
#[path = "../examples/webhook_exempt.rs"]
mod webhook_exempt;

use axum::Router;
use axum::body::Body;
use common::{Jar, Reply, login_request, request, send};
use http::header;

fn empty(method: &str, path: &str, jar: &Jar, csrf: Option<&str>) -> http::Request<Body> {
    request(method, path, jar, csrf)
        .body(Body::empty())
        .unwrap()
}

async fn login(app: &Router, path: &str, user: &str, password: &str) -> (Reply, Jar) {
    let reply = send(app, login_request(path, user, password)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut jar = Jar::default();
    jar.update(&reply);
    (reply, jar)
}

#[tokio::test]
async fn cookies_without_csrf_needs_no_header_but_still_refuses_other_sites() {
    let auth = cookies_without_csrf::auth().unwrap();
    let app = cookies_without_csrf::app(&auth);
    send(&app, login_request("/login", "test", "wrong"))
        .await
        .assert_error(401, "invalid_credentials");
    let (reply, jar) = login(&app, "/login", "test", "test").await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"msg": "Successfully login"})
    );
    assert_eq!(
        jar.names(),
        ["access_token_cookie", "refresh_token_cookie"],
        "no CSRF cookies with CSRF off"
    );

    let reply = send(&app, empty("GET", "/protected", &jar, None)).await;
    assert_eq!(reply.json(), serde_json::json!({"user": "test"}));
    // No CSRF header needed on POST or DELETE: this is what makes the setup dangerous.
    let reply = send(&app, empty("POST", "/refresh", &jar, None)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["msg"], "The token has been refresh");
    assert_eq!(reply.set_cookies().len(), 1, "a new access cookie only");
    // The Origin / Fetch-Metadata check stays on.
    let cross = request("DELETE", "/logout", &jar, None)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    send(&app, cross)
        .await
        .assert_error(403, "cross_site_request");
    let reply = send(&app, empty("DELETE", "/logout", &jar, None)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.set_cookies().iter().all(|c| c.contains("Max-Age=0")));
    send(&app, empty("GET", "/protected", &Jar::default(), None))
        .await
        .assert_error(401, "missing_token");
}

#[tokio::test]
async fn cookies_with_csrf_requires_the_header_on_post_and_delete() {
    let auth = cookies_with_csrf::auth().unwrap();
    let app = cookies_with_csrf::app(&auth);
    let (_, jar) = login(&app, "/login", "test", "test").await;
    assert_eq!(
        jar.names(),
        [
            "access_token_cookie",
            "csrf_access_token",
            "csrf_refresh_token",
            "refresh_token_cookie"
        ]
    );
    assert_eq!(
        send(&app, empty("GET", "/protected", &jar, None))
            .await
            .status,
        200,
        "GET needs no CSRF header"
    );
    send(&app, empty("POST", "/refresh", &jar, None))
        .await
        .assert_error(401, "csrf_missing");
    send(
        &app,
        empty("POST", "/refresh", &jar, Some("csrf_access_token")),
    )
    .await
    .assert_error(401, "csrf_mismatch");
    let reply = send(
        &app,
        empty("POST", "/refresh", &jar, Some("csrf_refresh_token")),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut jar = jar;
    jar.update(&reply);
    send(&app, empty("DELETE", "/logout", &jar, None))
        .await
        .assert_error(401, "csrf_missing");
    let reply = send(
        &app,
        empty("DELETE", "/logout", &jar, Some("csrf_access_token")),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    jar.update(&reply);
    assert!(jar.is_empty());
}

#[tokio::test]
async fn authx_complete_example_runs_the_seed_flow() {
    let auth = authx_complete::auth().unwrap();
    let app = authx_complete::app(&auth);
    send(&app, login_request("/login", "user1", "password2"))
        .await
        .assert_error(401, "invalid_credentials");
    let (reply, jar) = login(&app, "/login", "user2", "password2").await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Login successful", "username": "user2"})
    );
    assert_eq!(reply.set_cookies().len(), 4);

    let reply = send(&app, empty("GET", "/protected", &jar, None)).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({
            "message": "Access granted",
            "username": "user2",
            "email": "user2@example.com",
        })
    );
    send(&app, empty("POST", "/posts", &jar, None))
        .await
        .assert_error(401, "csrf_missing");
    let reply = send(
        &app,
        empty("POST", "/posts", &jar, Some("csrf_access_token")),
    )
    .await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Post created", "user": "user2"})
    );
    let reply = send(
        &app,
        empty("POST", "/refresh", &jar, Some("csrf_refresh_token")),
    )
    .await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Token refreshed"})
    );
    assert_eq!(
        reply.set_cookies().len(),
        2,
        "new access cookies, as in the seed"
    );

    // Login and logout from another site are refused.
    let mut cross = login_request("/login", "user2", "password2");
    cross
        .headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    send(&app, cross)
        .await
        .assert_error(403, "cross_site_request");

    let reply = send(&app, empty("POST", "/logout", &jar, None)).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Successfully logged out"})
    );
    let mut jar = jar;
    jar.update(&reply);
    assert!(jar.is_empty());
}

#[tokio::test]
async fn dual_locations_example_keeps_the_access_token_in_memory() {
    let auth = dual_locations::auth().unwrap();
    let app = dual_locations::app(&auth);
    let (reply, jar) = login(&app, "/login", "user1", "password1").await;
    let access = reply.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(reply.json()["token_type"], "bearer");
    assert_eq!(jar.names(), ["csrf_refresh_token", "refresh_token_cookie"]);

    let bearer = |token: &str| {
        request("GET", "/protected", &Jar::default(), None)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let reply = send(&app, bearer(&access)).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Access granted", "user": "user1"})
    );
    // A refresh token in the header is the wrong type; cookies are not looked at.
    send(&app, bearer(jar.get("refresh_token_cookie").unwrap()))
        .await
        .assert_error(401, "wrong_token_type");

    send(&app, empty("POST", "/refresh", &jar, None))
        .await
        .assert_error(401, "csrf_missing");
    let reply = send(
        &app,
        empty("POST", "/refresh", &jar, Some("csrf_refresh_token")),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let renewed = reply.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(send(&app, bearer(&renewed)).await.status, 200);
}

#[tokio::test]
async fn webhook_example_exempts_only_the_webhooks() {
    let auth = webhook_exempt::auth().unwrap();
    let app = webhook_exempt::app(&auth);
    let (_, jar) = login(&app, "/login", "user1", "password1").await;
    for path in ["/webhook", "/webhook-manual"] {
        let reply = send(&app, empty("POST", path, &jar, None)).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        assert_eq!(
            reply.json(),
            serde_json::json!({"message": "Webhook processed", "user": "user1"})
        );
        send(&app, empty("POST", path, &Jar::default(), None))
            .await
            .assert_error(401, "missing_token");
    }
    send(&app, empty("POST", "/posts", &jar, None))
        .await
        .assert_error(401, "csrf_missing");
    let reply = send(
        &app,
        empty("POST", "/posts", &jar, Some("csrf_access_token")),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn logout_variants_clear_four_or_two_cookies() {
    let auth = logout_variants::auth().unwrap();
    let app = logout_variants::app(&auth);
    let (_, jar) = login(&app, "/login", "user1", "password1").await;

    send(&app, empty("POST", "/logout-access", &jar, None))
        .await
        .assert_error(401, "csrf_missing");
    let reply = send(
        &app,
        empty("POST", "/logout-access", &jar, Some("csrf_access_token")),
    )
    .await;
    assert_eq!(reply.json()["message"], "Access token cleared");
    let mut after = jar.clone();
    after.update(&reply);
    assert_eq!(
        after.names(),
        ["csrf_refresh_token", "refresh_token_cookie"]
    );

    let reply = send(
        &app,
        empty("POST", "/logout", &jar, Some("csrf_access_token")),
    )
    .await;
    assert_eq!(reply.json()["message"], "Successfully logged out");
    assert_eq!(reply.set_cookies().len(), 4);
    let mut after = jar.clone();
    after.update(&reply);
    assert!(after.is_empty());
}

#[tokio::test]
async fn session_and_persistent_cookies_differ_in_max_age() {
    let session = session_vs_persistent::session_auth().unwrap();
    let persistent = session_vs_persistent::persistent_auth().unwrap();
    let app = session_vs_persistent::app(&session, &persistent);

    let (reply, jar) = login(&app, "/session/login", "user1", "password1").await;
    assert_eq!(reply.set_cookies().len(), 4);
    for c in reply.set_cookies() {
        assert!(
            !c.contains("Max-Age") && !c.contains("Expires"),
            "session cookie: {c}"
        );
    }
    assert_eq!(
        send(&app, empty("GET", "/session/protected", &jar, None))
            .await
            .status,
        200
    );

    let (reply, jar) = login(&app, "/persistent/login", "user1", "password1").await;
    assert_eq!(reply.set_cookies().len(), 4);
    for c in reply.set_cookies() {
        assert!(c.contains("Max-Age=2592000"), "persistent cookie: {c}");
    }
    assert_eq!(
        send(&app, empty("GET", "/persistent/protected", &jar, None))
            .await
            .status,
        200
    );
    // Each flow has its own key: a session token means nothing to the persistent flow.
    let (_, session_jar) = login(&app, "/session/login", "user1", "password1").await;
    send(
        &app,
        empty("GET", "/persistent/protected", &session_jar, None),
    )
    .await
    .assert_error(401, "invalid_token");
}
