//! Matrix cases: locations.

use authjwt::TokenLocation;
use serde_json::json;

use super::creds;
use crate::common::names::{ACCESS, REFRESH, REFRESH_CSRF};
use crate::common::routes::{
    HEADER_ONLY, LOGIN_BODY, POSTS, PROTECTED, REFRESH as REFRESH_ROUTE, USER,
};
use crate::common::{AppFactory, Jar, base, get, harness, payload, post};

pub(crate) async fn dual_strategy_login_body<F: AppFactory>() {
    let h = harness::<F>(base().token_location([TokenLocation::Headers, TokenLocation::Cookies]));
    let sent = h.send(post(LOGIN_BODY).json(&creds())).await;
    let v = sent.assert_ok("login/body");
    let access = v["access_token"].as_str().unwrap().to_owned();
    let jar = Jar::from_sent(&sent);
    assert_eq!(
        jar.names(),
        [REFRESH, REFRESH_CSRF],
        "only the refresh cookies"
    );
    assert_eq!(payload(&access)["type"], "access");
    let v = h
        .send(get(HEADER_ONLY).bearer(&access))
        .await
        .assert_user(USER, "access token from memory");
    assert_eq!(v["location"], "headers");
    h.send(post(POSTS).bearer(&access).jar(&jar))
        .await
        .assert_user(USER, "header token, no CSRF needed");
    let sent = h
        .send(post(REFRESH_ROUTE).jar(&jar).csrf(jar.get(REFRESH_CSRF)))
        .await;
    sent.assert_user(USER, "refresh from the cookie");
    h.send(post(REFRESH_ROUTE).jar(&jar)).await.assert_rejected(
        401,
        "csrf_missing",
        "refresh cookie without CSRF",
    );
}

pub(crate) async fn location_order_query_before_header<F: AppFactory>() {
    let q_first =
        harness::<F>(base().token_location([TokenLocation::Query, TokenLocation::Headers]));
    let (a, b) = (q_first.access("alice"), q_first.access("bob"));
    let v = q_first
        .send(get(&format!("{PROTECTED}?token={a}")).bearer(&b))
        .await
        .assert_user("alice", "query first");
    assert_eq!(v["location"], "query");
    let v = q_first
        .send(get(PROTECTED).bearer(&b))
        .await
        .assert_user("bob", "falls through to the header when the query has none");
    assert_eq!(v["location"], "headers");

    let h_first =
        harness::<F>(base().token_location([TokenLocation::Headers, TokenLocation::Query]));
    let v = h_first
        .send(get(&format!("{PROTECTED}?token={a}")).bearer(&b))
        .await
        .assert_user("bob", "header first");
    assert_eq!(v["location"], "headers");

    // A location that is not configured is never read.
    let headers_only = harness::<F>(base().token_location([TokenLocation::Headers]));
    headers_only
        .send(get(&format!("{PROTECTED}?token={a}")))
        .await
        .assert_rejected(401, "missing_token", "query not configured");
    headers_only
        .send(get(PROTECTED).cookie(format!("{ACCESS}={a}")))
        .await
        .assert_rejected(401, "missing_token", "cookies not configured");
}

pub(crate) async fn location_order_decides_csrf<F: AppFactory>() {
    let cookie_first = harness::<F>(base());
    let jar = cookie_first.jar_for("alice");
    let bearer = cookie_first.access("bob");
    cookie_first
        .send(post(POSTS).jar(&jar).bearer(&bearer))
        .await
        .assert_rejected(401, "csrf_missing", "cookie first: the cookie is used");
    let header_first =
        harness::<F>(base().token_location([TokenLocation::Headers, TokenLocation::Cookies]));
    let jar = header_first.jar_for("alice");
    let bearer = header_first.access("bob");
    let v = header_first
        .send(post(POSTS).jar(&jar).bearer(&bearer))
        .await
        .assert_user("bob", "header first: no CSRF needed");
    assert_eq!(v["location"], "headers");
}

pub(crate) async fn route_override_header_only<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.jar_for("alice");
    let bearer = h.access("bob");
    h.send(get(HEADER_ONLY).jar(&jar)).await.assert_rejected(
        401,
        "missing_token",
        "cookie on a header-only route",
    );
    let v = h
        .send(get(HEADER_ONLY).jar(&jar).bearer(&bearer))
        .await
        .assert_user("bob", "header-only with both");
    assert_eq!(v["location"], "headers");
    h.send(get(PROTECTED).jar(&jar).bearer(&bearer))
        .await
        .assert_user("alice", "the configured order elsewhere");
    // The override also restricts an application configured for cookies only.
    let cookies_only = harness::<F>(base().token_location([TokenLocation::Cookies]));
    let t = cookies_only.access("carol");
    cookies_only
        .send(get(HEADER_ONLY).bearer(&t))
        .await
        .assert_user("carol", "override reads a location the config lacks");
    cookies_only
        .send(get(PROTECTED).bearer(&t))
        .await
        .assert_rejected(401, "missing_token", "headers not configured");
}

pub(crate) async fn invalid_token_in_first_location_does_not_fall_back<F: AppFactory>() {
    let h = harness::<F>(base());
    let good = h.access("alice");
    h.send(
        get(PROTECTED)
            .cookie(format!("{ACCESS}=garbage"))
            .bearer(&good),
    )
    .await
    .assert_rejected(401, "invalid_token", "invalid cookie, valid header");
    h.send(
        get(PROTECTED)
            .cookie(format!("{ACCESS}={}", h.refresh("alice")))
            .bearer(&good),
    )
    .await
    .assert_rejected(401, "wrong_token_type", "refresh cookie, valid header");
}

pub(crate) async fn query_token_needs_no_csrf<F: AppFactory>() {
    let h = harness::<F>(base().token_location([TokenLocation::Query]));
    let t = h.access("alice");
    let v = h
        .send(post(&format!("{POSTS}?token={t}")).body("text/plain", "q"))
        .await
        .assert_user("alice", "query token on POST");
    assert_eq!(v["location"], "query");
    assert_eq!(v["body"], "q");
    h.send(post(&format!("{POSTS}?token={t}")).fetch_site("cross-site"))
        .await
        .assert_user("alice", "not cookie-borne: no Origin check");
}

pub(crate) async fn json_body_token<F: AppFactory>() {
    let h = harness::<F>(base().token_location([TokenLocation::Json]));
    let t = h.access("alice");
    let body = format!(r#"{{"title": "hi",  "access_token": "{t}", "n": [1, 2.50]}}"#);
    let v = h
        .send(post(POSTS).body("application/json", body.clone()))
        .await
        .assert_user("alice", "JSON body");
    assert_eq!(v["location"], "json");
    assert_eq!(v["body"], body, "the handler gets the body byte for byte");
    h.send(post(POSTS).body("application/json; charset=utf-8", body.clone()))
        .await
        .assert_user("alice", "with a charset");
    h.send(post(POSTS).body("text/plain", body.clone()))
        .await
        .assert_rejected(401, "missing_token", "not JSON");
    h.send(post(POSTS).body("application/json", body[..body.len() - 1].to_owned()))
        .await
        .assert_rejected(401, "missing_token", "JSON that does not parse");
    h.send(post(POSTS).json(&json!({"access_token": 42})))
        .await
        .assert_rejected(401, "missing_token", "not a string");
    h.send(post(POSTS).json(&json!({"data": {"access_token": t}})))
        .await
        .assert_rejected(401, "missing_token", "nested key");
    h.send(post(POSTS).json(&json!({"access_token": "garbage"})))
        .await
        .assert_rejected(401, "invalid_token", "invalid token in the body");
    // Refresh tokens under their own key.
    let r = h.refresh("alice");
    h.send(post(REFRESH_ROUTE).json(&json!({"refresh_token": r})))
        .await
        .assert_user("alice", "refresh_token key");
    h.send(post(REFRESH_ROUTE).json(&json!({"access_token": r})))
        .await
        .assert_rejected(401, "missing_token", "refresh token under the access key");
    h.send(post(REFRESH_ROUTE).json(&json!({"refresh_token": t})))
        .await
        .assert_rejected(
            401,
            "wrong_token_type",
            "access token under the refresh key",
        );
    // Configured key names.
    let renamed = harness::<F>(base().token_location([TokenLocation::Json]).json_key("jwt"));
    let t = renamed.access("alice");
    renamed
        .send(post(POSTS).json(&json!({"jwt": t})))
        .await
        .assert_user("alice", "json_key");
    renamed
        .send(post(POSTS).json(&json!({"access_token": t})))
        .await
        .assert_rejected(401, "missing_token", "default key when renamed");
}

pub(crate) async fn json_body_is_read_only_when_declared_and_small<F: AppFactory>() {
    let h = harness::<F>(
        base()
            .token_location([TokenLocation::Json])
            .body_limit(2048),
    );
    let t = h.access("alice");
    let small = json!({"access_token": t, "pad": "x".repeat(100)});
    h.send(post(POSTS).json(&small))
        .await
        .assert_user("alice", "within the limit");
    let large = json!({"access_token": t, "pad": "x".repeat(4096)});
    h.send(post(POSTS).json(&large)).await.assert_rejected(
        401,
        "missing_token",
        "over body_limit: not read",
    );
}
