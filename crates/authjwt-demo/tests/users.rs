//! The demo's user lookup over HTTP: every route that shows the user (`GET /protected`,
//! `POST /posts`, `POST /webhook`, `GET /dual/protected`) and both refresh routes resolve
//! the token's subject to one of the demo's users, comparing exact bytes. Tokens correctly
//! signed with the demo's secret for a subject that is not a user (another case, a trailing
//! space, full-width or zero-width look-alikes, a deleted user) are refused with 401
//! `user_not_found`, never "Access granted".
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use authjwt::Auth;
use authjwt_demo::app;
use axum::Router;
use axum::body::Body;
use common::{Jar, Reply, request, send, send_empty, settings, state};
use http::header;

/// Subjects that are no user of the demo: near misses of `user1`, and names it never had.
const NOT_USERS: &[&str] = &[
    "USER1",
    "User1",
    "user1 ",
    " user1",
    "user1\t",
    "user1\n",
    "\u{ff55}\u{ff53}\u{ff45}\u{ff52}\u{ff11}", // full-width "user1"
    "user\u{200d}1",                            // zero-width joiner
    "user1\u{200b}",                            // zero-width space
    "\u{0443}ser1",                             // Cyrillic u
    "user1\0",
    "user3",
    "admin",
    "",
];

/// An `Auth` with the demo's configuration and secret, but not the app's: what anyone
/// holding the secret can mint tokens with (correctly signed, unexpired, unrevoked).
fn minter() -> Auth {
    Auth::new(settings(900).config().unwrap().0)
}

/// The four cookies a login as `sub` would set.
fn jar_for(minter: &Auth, sub: &str) -> Jar {
    let login = minter.create_login_tokens(sub).unwrap();
    let mut jar = Jar::default();
    jar.set("access_token_cookie", login.access.as_str());
    jar.set("csrf_access_token", login.access.csrf().unwrap());
    jar.set("refresh_token_cookie", login.refresh.as_str());
    jar.set("csrf_refresh_token", login.refresh.csrf().unwrap());
    jar
}

/// Every route that shows the user or refreshes its tokens, for new sessions of `sub`
/// (one per refresh route: each spends its refresh token): (label, reply).
async fn user_routes(app: &Router, minter: &Auth, sub: &str) -> Vec<(&'static str, Reply)> {
    let jar = &jar_for(minter, sub);
    // The dual mode's client keeps the access token in memory: only the refresh cookies.
    let mut dual = jar_for(minter, sub);
    dual.remove("access_token_cookie");
    dual.remove("csrf_access_token");
    let post = request("POST", "/posts", jar, Some("csrf_access_token"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"title":"hello"}"#))
        .unwrap();
    let bearer = request("GET", "/dual/protected", &Jar::default(), None)
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", jar.get("access_token_cookie").unwrap()),
        )
        .body(Body::empty())
        .unwrap();
    vec![
        (
            "GET /protected",
            send_empty(app, "GET", "/protected", jar, None).await,
        ),
        ("POST /posts", send(app, post).await),
        (
            "POST /webhook",
            send_empty(app, "POST", "/webhook", jar, None).await,
        ),
        ("GET /dual/protected", send(app, bearer).await),
        (
            "POST /refresh",
            send_empty(app, "POST", "/refresh", jar, Some("csrf_refresh_token")).await,
        ),
        (
            "POST /dual/refresh",
            send_empty(
                app,
                "POST",
                "/dual/refresh",
                &dual,
                Some("csrf_refresh_token"),
            )
            .await,
        ),
    ]
}

#[tokio::test]
async fn tokens_for_subjects_that_are_no_user_are_refused_on_every_user_route() {
    let state = state();
    let app = app(state.clone());
    let minter = minter();
    for sub in NOT_USERS {
        for (route, reply) in user_routes(&app, &minter, sub).await {
            let ctx = format!("{route} as {sub:?}");
            assert_eq!(reply.status, 401, "{ctx}: {}", reply.text());
            reply.assert_error(401, "user_not_found");
            assert!(!reply.text().contains("Access granted"), "{ctx}");
            assert!(
                reply.set_cookies().is_empty(),
                "{ctx}: a refusal set cookies: {:?}",
                reply.set_cookies()
            );
            assert_eq!(reply.headers[header::WWW_AUTHENTICATE], "Bearer", "{ctx}");
        }
    }
    assert!(state.posts.is_empty(), "no refused request created a post");
}

#[tokio::test]
async fn the_same_tokens_for_the_demos_users_pass() {
    // The minted tokens are sound: only their subject decides.
    let state = state();
    let app = app(state.clone());
    let minter = minter();
    for (sub, email) in [
        ("user1", "user1@example.com"),
        ("user2", "user2@example.com"),
    ] {
        let replies = user_routes(&app, &minter, sub).await;
        for (route, reply) in &replies {
            assert_eq!(reply.status, 200, "{route} as {sub}: {}", reply.text());
        }
        assert_eq!(
            replies[0].1.json(),
            serde_json::json!({"message": "Access granted", "username": sub, "email": email})
        );
        assert_eq!(replies[1].1.json()["user"], sub);
        assert_eq!(replies[2].1.json()["user"], sub);
        assert_eq!(replies[3].1.json()["user"], sub);
        assert!(replies[4].1.set_cookie("access_token_cookie").is_some());
        assert!(replies[5].1.json()["access_token"].is_string());
    }
    assert_eq!(state.posts.len(), 2);
    assert_eq!(state.posts.all()[1].author, "user2");
}

#[tokio::test]
async fn a_refused_refresh_still_spends_its_token_and_reuse_is_still_detected() {
    // The lookup runs after the rotation: the refresh token of a subject that is no user is
    // rotated (its new tokens are never sent). Within the reuse window it is refused the same
    // way again; with strict rotation, presenting it again is a reuse.
    let app = app(state());
    let minter = minter();
    let jar = jar_for(&minter, "USER1");
    let refresh = || send_empty(&app, "POST", "/refresh", &jar, Some("csrf_refresh_token"));
    refresh().await.assert_error(401, "user_not_found");
    refresh().await.assert_error(401, "user_not_found");

    let strict = settings(900).with_jwt("JWT_REFRESH_REUSE_WINDOW", "0");
    let app = authjwt_demo::app(authjwt_demo::AppState::new(Auth::new(
        strict.config().unwrap().0,
    )));
    let refresh = || send_empty(&app, "POST", "/refresh", &jar, Some("csrf_refresh_token"));
    refresh().await.assert_error(401, "user_not_found");
    refresh().await.assert_error(401, "refresh_token_reused");
    // The reuse revoked the whole session, its access token included.
    send_empty(&app, "POST", "/webhook", &jar, None)
        .await
        .assert_error(401, "token_revoked");
    // Logging out needs no user: a deleted user's browser can still clear its cookies.
    let jar = jar_for(&minter, "USER1");
    let reply = send_empty(&app, "POST", "/logout", &jar, Some("csrf_access_token")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.set_cookies().len(), 4);
}
