//! The session registry through the demo's HTTP contract: `GET /sessions`,
//! `DELETE /sessions/{id}`, `POST /sessions/revoke-others`, `"remember"` at login, and the
//! absolute session lifetime (`JWT_SESSION_MAX_AGE`).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::time::Duration;

use authjwt_demo::{AppState, app};
use axum::body::Body;
use common::{Jar, logged_in, send, send_empty, state};
use http::header;

async fn login_as(
    router: &axum::Router,
    user: &str,
    pass: &str,
    body_extra: &str,
    agent: &str,
) -> Jar {
    let body = format!(r#"{{"username":"{user}","password":"{pass}"{body_extra}}}"#);
    let req = http::Request::post("/login")
        .header(header::HOST, "127.0.0.1:8000")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, agent)
        .body(Body::from(body))
        .unwrap();
    let reply = send(router, req).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut jar = Jar::default();
    jar.update(&reply);
    jar
}

async fn list(router: &axum::Router, jar: &Jar) -> serde_json::Value {
    let reply = send_empty(router, "GET", "/sessions", jar, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn sessions_are_listed_newest_first_with_the_current_one_marked() {
    let router = app(state());
    let phone = login_as(&router, "user1", "password1", "", "Phone/1.0").await;
    tokio::time::sleep(Duration::from_millis(1100)).await; // a later created_at second
    let laptop = login_as(&router, "user1", "password1", "", "Laptop/2.0").await;
    let _other_user = login_as(&router, "user2", "password2", "", "Other/1.0").await;
    let body = list(&router, &laptop).await;
    let sessions = body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "only user1's: {body}");
    assert_eq!(sessions[0]["user_agent"], "Laptop/2.0");
    assert_eq!(sessions[0]["current"], true);
    assert_eq!(sessions[1]["user_agent"], "Phone/1.0");
    assert_eq!(sessions[1]["current"], false);
    for s in sessions {
        for field in [
            "id",
            "created_at",
            "last_seen_at",
            "expires_at",
            "user_agent",
            "current",
        ] {
            assert!(s.get(field).is_some(), "{field} in {s}");
        }
        assert!(s["expires_at"].as_u64() > s["created_at"].as_u64());
    }
    // Seen from the phone, the phone is current.
    let body = list(&router, &phone).await;
    assert_eq!(body["sessions"][1]["current"], true);
    // Without a token: 401.
    send_empty(&router, "GET", "/sessions", &Jar::default(), None)
        .await
        .assert_error(401, "missing_token");
}

#[tokio::test]
async fn ending_a_session_logs_that_device_out_and_only_the_owner_can() {
    let router = app(state());
    let phone = login_as(&router, "user1", "password1", "", "Phone/1.0").await;
    let laptop = login_as(&router, "user1", "password1", "", "Laptop/2.0").await;
    let intruder = login_as(&router, "user2", "password2", "", "Other/1.0").await;
    let body = list(&router, &laptop).await;
    let phone_id = body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/sessions/{phone_id}");
    // CSRF-checked like every cookie-authenticated DELETE.
    send_empty(&router, "DELETE", &path, &laptop, None)
        .await
        .assert_error(401, "csrf_missing");
    // Another user's session id: 404, indistinguishable from an unknown one.
    let csrf = "csrf_access_token";
    send_empty(&router, "DELETE", &path, &intruder, Some(csrf))
        .await
        .assert_error(404, "session_not_found");
    let csrf = "csrf_access_token";
    send_empty(
        &router,
        "DELETE",
        "/sessions/no-such-id",
        &laptop,
        Some(csrf),
    )
    .await
    .assert_error(404, "session_not_found");
    let reply = send_empty(&router, "DELETE", &path, &laptop, Some(csrf)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    // The phone's access and refresh tokens are refused at once.
    send_empty(&router, "GET", "/protected", &phone, None)
        .await
        .assert_error(401, "token_revoked");
    let refresh_csrf = "csrf_refresh_token";
    let reply = send_empty(&router, "POST", "/refresh", &phone, Some(refresh_csrf)).await;
    assert_eq!(reply.status, 401, "{}", reply.text());
    // Gone from the list; ending it again is 404; the laptop carries on.
    assert_eq!(
        list(&router, &laptop).await["sessions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    send_empty(&router, "DELETE", &path, &laptop, Some(csrf))
        .await
        .assert_error(404, "session_not_found");
    assert_eq!(
        send_empty(&router, "GET", "/protected", &laptop, None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn revoke_others_keeps_the_current_session() {
    let router = app(state());
    let a = logged_in(&router).await;
    let b = logged_in(&router).await;
    let current = logged_in(&router).await;
    let csrf = "csrf_access_token";
    send_empty(&router, "POST", "/sessions/revoke-others", &current, None)
        .await
        .assert_error(401, "csrf_missing");
    let reply = send_empty(
        &router,
        "POST",
        "/sessions/revoke-others",
        &current,
        Some(csrf),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["revoked"], 2);
    for other in [&a, &b] {
        send_empty(&router, "GET", "/protected", other, None)
            .await
            .assert_error(401, "token_revoked");
    }
    assert_eq!(
        send_empty(&router, "GET", "/protected", &current, None)
            .await
            .status,
        200
    );
    let body = list(&router, &current).await;
    assert_eq!(body["sessions"].as_array().unwrap().len(), 1);
    // Nothing left to end.
    let reply = send_empty(
        &router,
        "POST",
        "/sessions/revoke-others",
        &current,
        Some(csrf),
    )
    .await;
    assert_eq!(reply.json()["revoked"], 0);
}

#[tokio::test]
async fn remember_me_chooses_persistent_cookies_and_refresh_keeps_the_choice() {
    let router = app(state());
    let session = login_as(&router, "user1", "password1", "", "UA").await;
    let remembered = login_as(&router, "user1", "password1", r#","remember":true"#, "UA").await;
    let login = |extra: &'static str| {
        let body = format!(r#"{{"username":"user1","password":"password1"{extra}}}"#);
        http::Request::post("/login")
            .header(header::HOST, "127.0.0.1:8000")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let plain = send(&router, login("")).await;
    for c in plain.set_cookies() {
        assert!(!c.contains("Max-Age"), "a session cookie: {c}");
    }
    let persistent = send(&router, login(r#","remember":true"#)).await;
    for c in persistent.set_cookies() {
        assert!(c.contains("Max-Age="), "a persistent cookie: {c}");
    }
    // The access-CSRF cookie lives as long as the session, not just the access token.
    let age = |reply: &common::Reply, name: &str| -> u64 {
        let c = reply.set_cookie(name).unwrap();
        c.split("Max-Age=")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(age(&persistent, "csrf_access_token") > age(&persistent, "access_token_cookie"));
    // A refresh keeps each session's choice.
    let csrf = "csrf_refresh_token";
    let reply = send_empty(&router, "POST", "/refresh", &remembered, Some(csrf)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.set_cookies().iter().all(|c| c.contains("Max-Age=")));
    let csrf = "csrf_refresh_token";
    let reply = send_empty(&router, "POST", "/refresh", &session, Some(csrf)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.set_cookies().iter().all(|c| !c.contains("Max-Age")));
    // "remember" must be a boolean.
    let bad = send(&router, login(r#","remember":"yes""#)).await;
    assert!(bad.status.is_client_error(), "{}", bad.text());
}

#[tokio::test]
async fn a_session_ends_at_its_max_age_whatever_its_refreshes() {
    let settings = common::settings(900).with_jwt("JWT_SESSION_MAX_AGE", "2");
    let (config, _) = settings.config().unwrap();
    let router = app(AppState::new(authjwt::Auth::new(config)));
    let mut jar = login_as(&router, "user1", "password1", r#","remember":true"#, "UA").await;
    // Refreshing inside the max age works, and the new refresh cookie ends with the session.
    let csrf = "csrf_refresh_token";
    let reply = send_empty(&router, "POST", "/refresh", &jar, Some(csrf)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let max_age: u64 = reply
        .set_cookie("refresh_token_cookie")
        .unwrap()
        .split("Max-Age=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age <= 2, "capped to the session's end: {max_age}");
    jar.update(&reply);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    // Past the end: session_expired, for the refresh token whose exp was capped too.
    send_empty(&router, "POST", "/refresh", &jar, Some(csrf))
        .await
        .assert_error(401, "session_expired");
    send_empty(&router, "GET", "/protected", &jar, None)
        .await
        .assert_error(401, "session_expired");
}
