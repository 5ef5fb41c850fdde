//! The session lifecycle over HTTP, driven with tower's `oneshot`: refresh (CSRF, rotation,
//! reuse detection), logout (CSRF, expiry fallback, revocation) and the dual mode's refresh.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::time::Duration;

use authjwt::{Auth, claims::TokenType, tokens::TokenOptions};
use authjwt_demo::{AppState, Settings, app};
use axum::body::Body;
use common::{Jar, logged_in, login_request, request, send, send_empty, state};

#[tokio::test]
async fn refresh_needs_the_refresh_csrf_header_and_reissues_both_cookies() {
    let app = app(state());
    let jar = logged_in(&app).await;
    let refresh = |jar: &Jar, csrf: Option<&str>| {
        request("POST", "/refresh", jar, csrf)
            .body(Body::empty())
            .unwrap()
    };

    send(&app, refresh(&jar, None))
        .await
        .assert_error(401, "csrf_missing");
    send(&app, refresh(&jar, Some("csrf_access_token")))
        .await
        .assert_error(401, "csrf_mismatch");
    send(&app, refresh(&Jar::default(), None))
        .await
        .assert_error(401, "missing_token");
    let mut swapped = jar.clone();
    swapped.set(
        "refresh_token_cookie",
        jar.get("access_token_cookie").unwrap(),
    );
    send(&app, refresh(&swapped, Some("csrf_refresh_token")))
        .await
        .assert_error(401, "wrong_token_type");

    let reply = send(&app, refresh(&jar, Some("csrf_refresh_token"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    // The session's CSRF values, unchanged by the refresh, in the body too.
    assert_eq!(
        reply.json(),
        serde_json::json!({
            "message": "Token refreshed",
            "csrf_access_token": jar.get("csrf_access_token").unwrap(),
            "csrf_refresh_token": jar.get("csrf_refresh_token").unwrap(),
        })
    );
    assert_eq!(
        reply.set_cookies().len(),
        4,
        "new access and refresh cookies"
    );
    let mut next = jar.clone();
    next.update(&reply);
    for name in ["access_token_cookie", "refresh_token_cookie"] {
        assert_ne!(next.get(name), jar.get(name), "{name} was replaced");
    }
    // The CSRF cookies are set again with the session's unchanged values: a tab that read
    // them before this refresh still matches.
    for name in ["csrf_access_token", "csrf_refresh_token"] {
        assert_eq!(next.get(name), jar.get(name), "{name} kept");
    }
    let claims: authjwt::Claims = state()
        .auth
        .verify_token(next.get("access_token_cookie").unwrap(), TokenType::Access)
        .unwrap();
    assert!(!claims.fresh, "a refreshed access token is not fresh");
    let protected = request("GET", "/protected", &next, None)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, protected).await.status, 200);
    let post = request("POST", "/posts", &next, Some("csrf_access_token"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, post).await.status, 200);
}

/// The jar with its access cookie replaced by an already expired access token.
fn with_expired_access(jar: &Jar, auth: &authjwt::Auth) -> Jar {
    let expired = auth
        .create_token(
            TokenType::Access,
            "user1",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap();
    let mut jar = jar.clone();
    jar.set("access_token_cookie", expired.as_str());
    jar.set("csrf_access_token", expired.csrf().unwrap());
    jar
}

#[tokio::test]
async fn refresh_restores_access_after_the_access_token_expired() {
    let state = state();
    let app = app(state.clone());
    let jar = with_expired_access(&logged_in(&app).await, &state.auth);
    let protected = |jar: &Jar| {
        request("GET", "/protected", jar, None)
            .body(Body::empty())
            .unwrap()
    };
    send(&app, protected(&jar))
        .await
        .assert_error(401, "token_expired");

    let reply = send_empty(&app, "POST", "/refresh", &jar, Some("csrf_refresh_token")).await;
    assert_eq!(reply.status, 200);
    let mut jar = jar;
    jar.update(&reply);
    assert_eq!(send(&app, protected(&jar)).await.status, 200);
}

#[tokio::test]
async fn logout_needs_the_csrf_header_and_clears_all_four_cookies() {
    let state = state();
    let app = app(state.clone());
    let jar = logged_in(&app).await;
    let logout = |jar: &Jar, csrf: Option<&str>| {
        request("POST", "/logout", jar, csrf)
            .body(Body::empty())
            .unwrap()
    };

    for (csrf, code) in [
        (None, "csrf_missing"),
        (Some("csrf_refresh_token"), "csrf_mismatch"),
    ] {
        let reply = send(&app, logout(&jar, csrf)).await;
        reply.assert_error(401, code);
        assert!(reply.set_cookies().is_empty(), "nothing changes");
    }
    let reply = send(&app, logout(&Jar::default(), None)).await;
    reply.assert_error(401, "missing_token");
    assert!(reply.set_cookies().is_empty());

    let reply = send(&app, logout(&jar, Some("csrf_access_token"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        serde_json::json!({"message": "Successfully logged out"})
    );
    let cleared = reply.set_cookies();
    assert_eq!(cleared.len(), 4);
    for name in [
        "access_token_cookie",
        "refresh_token_cookie",
        "csrf_access_token",
        "csrf_refresh_token",
    ] {
        let c = reply.set_cookie(name).unwrap();
        assert!(c.starts_with(&format!("{name}=;")), "{c}");
        assert!(c.contains("Max-Age=0"), "{c}");
        assert!(c.contains("Path=/"), "{c}");
    }
    let mut after = jar.clone();
    after.update(&reply);
    assert!(after.is_empty());
}

#[tokio::test]
async fn logout_after_expiry_uses_the_refresh_tokens_csrf_value() {
    let state = state();
    let app = app(state.clone());
    let jar = with_expired_access(&logged_in(&app).await, &state.auth);
    let logout = |csrf: Option<&str>| {
        request("POST", "/logout", &jar, csrf)
            .body(Body::empty())
            .unwrap()
    };
    // The expired access token's CSRF value does not count any more.
    let reply = send(&app, logout(Some("csrf_access_token"))).await;
    reply.assert_error(401, "csrf_mismatch");
    assert!(reply.set_cookies().is_empty());
    send(&app, logout(None))
        .await
        .assert_error(401, "csrf_missing");

    let reply = send(&app, logout(Some("csrf_refresh_token"))).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.set_cookies().len(), 4);

    // Only an expired access token and no refresh token: nothing to prove the request with.
    let mut lone = jar.clone();
    lone.remove("refresh_token_cookie");
    let reply = send_empty(&app, "POST", "/logout", &lone, Some("csrf_access_token")).await;
    assert_eq!(reply.status, 401, "{}", reply.text());
    assert!(
        ["missing_token", "token_expired"].contains(&reply.json()["code"].as_str().unwrap()),
        "{}",
        reply.text()
    );
    assert!(reply.set_cookies().is_empty());
}

#[tokio::test]
async fn logout_revokes_the_presented_tokens_but_not_other_sessions() {
    let app = app(state());
    let jar = logged_in(&app).await;
    let other_session = logged_in(&app).await;
    let reply = send_empty(&app, "POST", "/logout", &jar, Some("csrf_access_token")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    // Copies of the cookies taken before the logout are dead.
    send_empty(&app, "GET", "/protected", &jar, None)
        .await
        .assert_error(401, "token_revoked");
    send_empty(&app, "POST", "/refresh", &jar, Some("csrf_refresh_token"))
        .await
        .assert_error(401, "token_revoked");
    // The same user's other session is untouched.
    let reply = send_empty(&app, "GET", "/protected", &other_session, None).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    let app = app(state());
    let stolen = logged_in(&app).await;
    let refresh = |jar: &Jar| {
        request("POST", "/refresh", jar, Some("csrf_refresh_token"))
            .body(Body::empty())
            .unwrap()
    };
    // The user refreshes: the refresh token gets its successor.
    let reply = send(&app, refresh(&stolen)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut user = stolen.clone();
    user.update(&reply);
    assert_eq!(
        send_empty(&app, "GET", "/protected", &user, None)
            .await
            .status,
        200
    );
    // Within the reuse window the old token only yields the same successor.
    let reply = send(&app, refresh(&stolen)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.set_cookies().len(), 4, "all four cookies, every time");
    let mut replayed = stolen.clone();
    replayed.update(&reply);
    assert_eq!(
        replayed.get("refresh_token_cookie"),
        user.get("refresh_token_cookie")
    );
    // The user's chain goes on; the stolen token is now older than the previous one.
    let reply = send(&app, refresh(&user)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    user.update(&reply);

    // A thief replays the old refresh cookie: refused, and the session is ended.
    let reply = send(&app, refresh(&stolen)).await;
    reply.assert_error(401, "refresh_token_reused");
    assert!(reply.set_cookies().is_empty());
    // So the user's rotated tokens die with it: they must log in again.
    send(&app, refresh(&user))
        .await
        .assert_error(401, "token_revoked");
    send_empty(&app, "GET", "/protected", &user, None)
        .await
        .assert_error(401, "token_revoked");
    // A new login starts a new family.
    let fresh = logged_in(&app).await;
    assert_eq!(send(&app, refresh(&fresh)).await.status, 200);
}

#[tokio::test]
async fn three_refreshes_at_once_all_succeed_and_the_session_survives() {
    // What two tabs, or a page whose access token expired, do: the same refresh cookie
    // three times at the same moment.
    let app = app(state());
    for _ in 0..10 {
        let jar = logged_in(&app).await;
        let send_one = || {
            let (app, req) = (
                app.clone(),
                request("POST", "/refresh", &jar, Some("csrf_refresh_token")),
            );
            async move { send(&app, req.body(Body::empty()).unwrap()).await }
        };
        let (a, b, c) = tokio::join!(send_one(), send_one(), send_one());
        let mut cookies = Vec::new();
        for reply in [&a, &b, &c] {
            assert_eq!(reply.status, 200, "{}", reply.text());
            assert_eq!(reply.set_cookies().len(), 4);
            cookies.push(reply.set_cookie("refresh_token_cookie"));
        }
        assert!(cookies.windows(2).all(|w| w[0] == w[1]), "one successor");
        for reply in [&a, &b, &c] {
            let mut tab = jar.clone();
            tab.update(reply);
            assert_eq!(
                send_empty(&app, "GET", "/protected", &tab, None)
                    .await
                    .status,
                200
            );
            let post = send_empty(&app, "POST", "/posts", &tab, Some("csrf_access_token")).await;
            assert_ne!(post.status, 401, "{}", post.text());
        }
    }
}

#[tokio::test]
async fn strict_rotation_ends_the_session_on_any_second_presentation() {
    let settings = common::settings(900).with_jwt("JWT_REFRESH_REUSE_WINDOW", "0");
    let app = app(AppState::new(Auth::new(settings.config().unwrap().0)));
    let jar = logged_in(&app).await;
    let refresh = || {
        request("POST", "/refresh", &jar, Some("csrf_refresh_token"))
            .body(Body::empty())
            .unwrap()
    };
    let first = send(&app, refresh()).await;
    assert_eq!(first.status, 200);
    send(&app, refresh())
        .await
        .assert_error(401, "refresh_token_reused");
    let mut user = jar.clone();
    user.update(&first);
    send_empty(&app, "GET", "/protected", &user, None)
        .await
        .assert_error(401, "token_revoked");
}

#[tokio::test]
async fn dual_refresh_rotates_too() {
    let app = app(state());
    let reply = send(&app, login_request("/dual/login", "user1", "password1")).await;
    let mut jar = Jar::default();
    jar.update(&reply);
    let refresh = |jar: &Jar| {
        request("POST", "/dual/refresh", jar, Some("csrf_refresh_token"))
            .body(Body::empty())
            .unwrap()
    };
    let reply = send(&app, refresh(&jar)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut next = jar.clone();
    next.update(&reply);
    assert_ne!(
        next.get("refresh_token_cookie"),
        jar.get("refresh_token_cookie")
    );
    // Within the window the same cookie gets the same successor; after the next rotation
    // it is reuse.
    let again = send(&app, refresh(&jar)).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(
        again.set_cookie("refresh_token_cookie"),
        reply.set_cookie("refresh_token_cookie")
    );
    let reply = send(&app, refresh(&next)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    send(&app, refresh(&jar))
        .await
        .assert_error(401, "refresh_token_reused");
}

#[test]
fn the_reuse_window_is_read_from_the_environment_zero_included() {
    let read = |v: &str| {
        Settings::from_lookup(|k| {
            (k == "JWT_REFRESH_REUSE_WINDOW")
                .then(|| v.to_owned())
                .or_else(|| (k == "JWT_SECRET_KEY").then(|| common::SECRET.to_owned()))
        })
        .and_then(|s| s.config())
        .map(|(config, _)| config.refresh_reuse_window())
    };
    assert_eq!(read("0").unwrap(), Duration::ZERO);
    assert_eq!(read("5").unwrap(), Duration::from_secs(5));
    let err = read("soon").unwrap_err().to_string();
    assert!(err.contains("JWT_REFRESH_REUSE_WINDOW"), "{err}");
    // The library validates it with the rest of the configuration.
    let too_long = common::settings(900).with_jwt("JWT_REFRESH_REUSE_WINDOW", "301");
    assert!(too_long.config().is_err());
}
