//! Matrix cases: fresh, refresh, optional, logout.

use std::time::Duration;

use authjwt::{claims::TokenType, tokens::TokenOptions};
use serde_json::{Value, json};

use super::{EXPIRES_EPOCH, label};
use crate::common::names::{ACCESS, ACCESS_CSRF, REFRESH, REFRESH_CSRF};
use crate::common::routes::{
    FRESH, LOGIN, LOGIN_FRESH, LOGOUT, OPTIONAL, POSTS, PROTECTED, REFRESH as REFRESH_ROUTE, USER,
};
use crate::common::{AppFactory, base, delete, get, harness, payload, post, with_payload};

pub(crate) async fn fresh_token_required<F: AppFactory>() {
    let h = harness::<F>(base());
    let stale = h.login(LOGIN).await;
    h.send(post(FRESH).jar(&stale).csrf(stale.get(ACCESS_CSRF)))
        .await
        .assert_rejected(401, "fresh_token_required", "login without fresh");
    h.send(post(FRESH).bearer(&h.access("alice")))
        .await
        .assert_rejected(401, "fresh_token_required", "non-fresh header token");

    let mut jar = h.login(LOGIN_FRESH).await;
    h.send(post(FRESH).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await
        .assert_user(USER, "fresh login");
    // The fresh route still checks CSRF.
    h.send(post(FRESH).jar(&jar)).await.assert_rejected(
        401,
        "csrf_missing",
        "fresh token without CSRF",
    );
    // After a refresh the access token is no longer fresh.
    let sent = h
        .send(post(REFRESH_ROUTE).jar(&jar).csrf(jar.get(REFRESH_CSRF)))
        .await;
    sent.assert_ok("refresh");
    jar.update(&sent);
    h.send(post(FRESH).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await
        .assert_rejected(401, "fresh_token_required", "refresh-issued token");
    h.send(get(PROTECTED).jar(&jar))
        .await
        .assert_user(USER, "refresh-issued token on a normal route");
}

pub(crate) async fn refresh_flow_issues_new_access_cookies<F: AppFactory>() {
    let h = harness::<F>(base());
    let mut jar = h.login(LOGIN).await;
    let old_access = jar.get(ACCESS).to_owned();
    let old_refresh = jar.get(REFRESH).to_owned();
    let sent = h
        .send(post(REFRESH_ROUTE).jar(&jar).csrf(jar.get(REFRESH_CSRF)))
        .await;
    assert_eq!(sent.assert_user(USER, "refresh")["msg"], "refreshed");
    let set = sent.set_cookies();
    assert_eq!(set.len(), 2, "{set:?}");
    assert!(set[0].starts_with(&format!("{ACCESS}=")), "{set:?}");
    assert!(set[1].starts_with(&format!("{ACCESS_CSRF}=")), "{set:?}");
    jar.update(&sent);
    assert_ne!(jar.get(ACCESS), old_access);
    assert_eq!(jar.get(REFRESH), old_refresh, "refresh cookie untouched");
    assert_eq!(payload(jar.get(ACCESS))["csrf"], jar.get(ACCESS_CSRF));
    h.send(post(POSTS).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await
        .assert_user(USER, "new access token");
    // Refresh without its cookie.
    h.send(
        post(REFRESH_ROUTE)
            .jar(&jar.only(&[ACCESS, ACCESS_CSRF, REFRESH_CSRF]))
            .csrf(jar.get(REFRESH_CSRF)),
    )
    .await
    .assert_rejected(401, "missing_token", "no refresh cookie");
}

pub(crate) async fn optional_without_token<F: AppFactory>() {
    let h = harness::<F>(base());
    let v = h.send(get(OPTIONAL)).await.assert_ok("no token");
    assert_eq!(v, json!({"user": null}));
    let v = h
        .send(get(OPTIONAL).cookie("unrelated=1; csrf_access_token=abc"))
        .await
        .assert_ok("unrelated cookies only");
    assert_eq!(v["user"], Value::Null);
}

pub(crate) async fn optional_with_valid_token<F: AppFactory>() {
    let h = harness::<F>(base());
    h.send(get(OPTIONAL).bearer(&h.access("alice")))
        .await
        .assert_user("alice", "header");
    let jar = h.login(LOGIN).await;
    h.send(get(OPTIONAL).jar(&jar))
        .await
        .assert_user(USER, "cookie");
}

pub(crate) async fn optional_with_invalid_token<F: AppFactory>() {
    let h = harness::<F>(base());
    let t = h.access("alice");
    let mut p = payload(&t);
    p["sub"] = "admin".into();
    let expired = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap()
        .into_string();
    let cases = [
        (get(OPTIONAL).bearer(&with_payload(&t, &p)), "invalid_token"),
        (get(OPTIONAL).bearer("garbage"), "invalid_token"),
        (
            get(OPTIONAL).cookie(format!("{ACCESS}=garbage")),
            "invalid_token",
        ),
        (get(OPTIONAL).bearer(&expired), "token_expired"),
        (
            get(OPTIONAL).bearer(&h.refresh("alice")),
            "wrong_token_type",
        ),
        (
            get(OPTIONAL).cookie(format!("{ACCESS}={t}; {ACCESS}={}", h.access("bob"))),
            "invalid_token",
        ),
    ];
    for (req, code) in cases {
        let ctx = format!("{} -> {code}", label(&req));
        h.send(req).await.assert_rejected(401, code, &ctx);
    }
}

pub(crate) async fn logout_unsets_every_cookie<F: AppFactory>() {
    let h = harness::<F>(base());
    let mut jar = h.login(LOGIN).await;
    let sent = h
        .send(delete(LOGOUT).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await;
    assert_eq!(sent.assert_ok("logout")["msg"], "logout");
    let tail = "SameSite=Lax; Secure; Path=/; Max-Age=0";
    assert_eq!(
        sent.set_cookies(),
        [
            format!("{ACCESS}=; HttpOnly; {tail}; {EXPIRES_EPOCH}"),
            format!("{ACCESS_CSRF}=; {tail}; {EXPIRES_EPOCH}"),
            format!("{REFRESH}=; HttpOnly; {tail}; {EXPIRES_EPOCH}"),
            format!("{REFRESH_CSRF}=; {tail}; {EXPIRES_EPOCH}"),
        ]
    );
    jar.update(&sent);
    assert!(jar.names().is_empty(), "{:?}", jar.names());
    h.send(get(PROTECTED).jar(&jar))
        .await
        .assert_rejected(401, "missing_token", "after logout");
}
