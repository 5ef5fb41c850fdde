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
#[path = "../examples/login_throttle.rs"]
mod login_throttle;
#[allow(unreachable_pub)]
#[path = "../examples/logout_variants.rs"]
mod logout_variants;
#[allow(unreachable_pub)]
#[path = "../examples/session_vs_persistent.rs"]
mod session_vs_persistent;
#[allow(unreachable_pub)]
#[path = "../examples/webhook_exempt.rs"]
mod webhook_exempt;

use authjwt::testing::TestTokens;
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

// ---------------------------------------------------------------------------------------
// The same handlers with tokens minted by `authjwt::testing` (feature `testing`): no login
// route in the way, and states a login cannot produce on demand (an expired access token,
// a session that is over, a token from a clock running ahead).
// ---------------------------------------------------------------------------------------

/// A request carrying `tokens`' cookies, and the CSRF header `csrf` names (`"access"`,
/// `"refresh"`, or none).
fn minted(
    method: &str,
    path: &str,
    tokens: &TestTokens,
    csrf: Option<&str>,
) -> http::Request<Body> {
    let mut b = http::Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:8000")
        .header(header::COOKIE, tokens.cookie_header());
    let pair = match csrf {
        Some("access") => Some(tokens.csrf_header()),
        Some("refresh") => Some(tokens.refresh_csrf_header()),
        _ => None,
    };
    if let Some((name, value)) = pair {
        b = b.header(name, value);
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn authx_complete_handlers_with_minted_tokens() {
    let auth = authx_complete::auth().unwrap();
    let app = authx_complete::app(&auth);
    let tokens = TestTokens::new(&auth, "user2").unwrap();
    let reply = send(&app, minted("GET", "/protected", &tokens, None)).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({
            "message": "Access granted",
            "username": "user2",
            "email": "user2@example.com",
        })
    );
    send(&app, minted("POST", "/posts", &tokens, None))
        .await
        .assert_error(401, "csrf_missing");
    send(&app, minted("POST", "/posts", &tokens, Some("refresh")))
        .await
        .assert_error(401, "csrf_mismatch");
    let reply = send(&app, minted("POST", "/posts", &tokens, Some("access"))).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Post created", "user": "user2"})
    );

    // The access token has expired: 401 token_expired, and the refresh route renews it.
    let stale = TestTokens::builder(&auth, "user1")
        .access_expired()
        .mint()
        .unwrap();
    send(&app, minted("GET", "/protected", &stale, None))
        .await
        .assert_error(401, "token_expired");
    let reply = send(&app, minted("POST", "/refresh", &stale, Some("refresh"))).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Token refreshed"})
    );
    let mut jar = Jar::default();
    jar.update(&reply);
    let renewed = request("GET", "/protected", &jar, None)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, renewed).await.json()["username"], "user1");

    // The whole session is over: the refresh token has expired too.
    let over = TestTokens::builder(&auth, "user1")
        .expired()
        .mint()
        .unwrap();
    send(&app, minted("POST", "/refresh", &over, Some("refresh")))
        .await
        .assert_error(401, "token_expired");
    // Issued by a clock running ahead.
    let early = TestTokens::builder(&auth, "user1")
        .not_yet_valid()
        .mint()
        .unwrap();
    send(&app, minted("GET", "/protected", &early, None))
        .await
        .assert_error(401, "token_not_yet_valid");
    // Minted with another application's key: refused like any forgery.
    let other = authx_complete::auth().unwrap();
    let foreign = TestTokens::new(&other, "user1").unwrap();
    send(&app, minted("GET", "/protected", &foreign, None))
        .await
        .assert_error(401, "invalid_token");
}

#[tokio::test]
async fn cookie_examples_with_minted_tokens() {
    // CSRF off: two cookies, no header needed (what makes that setup dangerous).
    let auth = cookies_without_csrf::auth().unwrap();
    let app = cookies_without_csrf::app(&auth);
    let tokens = TestTokens::new(&auth, "test").unwrap();
    assert_eq!(tokens.cookie_header().split("; ").count(), 2);
    assert_eq!(tokens.csrf_header().1, "");
    let reply = send(&app, minted("DELETE", "/logout", &tokens, None)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    // CSRF on: the refresh route takes the refresh token's header, not the access one's.
    let auth = cookies_with_csrf::auth().unwrap();
    let app = cookies_with_csrf::app(&auth);
    let tokens = TestTokens::new(&auth, "test").unwrap();
    send(&app, minted("POST", "/refresh", &tokens, Some("access")))
        .await
        .assert_error(401, "csrf_mismatch");
    let reply = send(&app, minted("POST", "/refresh", &tokens, Some("refresh"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    // The webhook needs the cookie only; other POSTs still need the header.
    let auth = webhook_exempt::auth().unwrap();
    let app = webhook_exempt::app(&auth);
    let tokens = TestTokens::new(&auth, "user1").unwrap();
    for path in ["/webhook", "/webhook-manual"] {
        let reply = send(&app, minted("POST", path, &tokens, None)).await;
        assert_eq!(reply.json()["user"], "user1", "{path}");
    }
    send(&app, minted("POST", "/posts", &tokens, None))
        .await
        .assert_error(401, "csrf_missing");
}

#[tokio::test]
async fn dual_locations_with_a_minted_bearer_token() {
    let auth = dual_locations::auth().unwrap();
    let app = dual_locations::app(&auth);
    let tokens = TestTokens::new(&auth, "user1").unwrap();
    let bearer = |value: &str| {
        http::Request::get("/protected")
            .header(header::HOST, "127.0.0.1:8000")
            .header(header::AUTHORIZATION, value)
            .body(Body::empty())
            .unwrap()
    };
    let reply = send(&app, bearer(tokens.bearer())).await;
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Access granted", "user": "user1"})
    );
    send(&app, bearer(tokens.refresh_bearer()))
        .await
        .assert_error(401, "wrong_token_type");
    // The access token in a cookie is not where this route looks.
    send(&app, minted("GET", "/protected", &tokens, None))
        .await
        .assert_error(401, "missing_token");
}

#[tokio::test]
async fn login_throttle_limits_login_attempts_per_client_address() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;

    let auth = login_throttle::auth().unwrap();
    let app = login_throttle::app(&auth);
    // What `into_make_service_with_connect_info::<SocketAddr>()` puts in each request.
    let from = |peer: &str, password: &str| {
        let mut req = login_request("/login", "user1", password);
        let addr: SocketAddr = peer.parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
        req
    };
    let burst = usize::try_from(login_throttle::BURST).unwrap();
    for _ in 0..burst {
        send(&app, from("192.0.2.1:5000", "wrong"))
            .await
            .assert_error(401, "invalid_credentials");
    }
    // Past the burst: refused before the password is looked at, the right one included.
    let reply = send(&app, from("192.0.2.1:5001", "password1")).await;
    reply.assert_error(429, "too_many_requests");
    let retry_after: u64 = reply.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        retry_after <= login_throttle::REPLENISH_SECS,
        "{retry_after}"
    );
    // Another address has its own quota; other routes are not limited.
    let reply = send(&app, from("192.0.2.2:5000", "password1")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut jar = Jar::default();
    jar.update(&reply);
    for _ in 0..=burst {
        let req = request("GET", "/protected", &jar, None)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, req).await.json()["user"], "user1");
    }
    // Served without ConnectInfo, the limiter cannot count: refused, in JSON.
    send(&app, login_request("/login", "user1", "password1"))
        .await
        .assert_error(500, "client_address_unknown");
}
