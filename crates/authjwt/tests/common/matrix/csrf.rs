//! Matrix cases: CSRF double submit.

use authjwt::{claims::TokenType, tokens::TokenOptions};
use http::Method;

use super::label;
use crate::common::names::{ACCESS, ACCESS_CSRF, REFRESH_CSRF};
use crate::common::routes::{
    FRESH, GROUP_A, GROUP_B, HEADER_ONLY, LOGIN, LOGIN_FRESH, LOGOUT, OPTIONAL, POSTS, PROTECTED,
    REFRESH as REFRESH_ROUTE, USER, WEBHOOK,
};
use crate::common::{AppFactory, Harness, Req, TestApp, base, delete, get, harness, post, request};

/// Every unsafe route taking a cookie-borne token, with the jar and CSRF value it needs.
async fn unsafe_routes<A: TestApp>(h: &Harness<A>) -> Vec<(Req, String)> {
    let jar = h.login(LOGIN_FRESH).await;
    let a = jar.get(ACCESS_CSRF).to_owned();
    let r = jar.get(REFRESH_CSRF).to_owned();
    vec![
        (post(POSTS).jar(&jar), a.clone()),
        (post(FRESH).jar(&jar), a.clone()),
        (delete(LOGOUT).jar(&jar), a.clone()),
        (post(GROUP_B).jar(&jar), a.clone()),
        (request(Method::PUT, GROUP_B).jar(&jar), a),
        (post(REFRESH_ROUTE).jar(&jar), r),
    ]
}

pub(crate) async fn csrf_missing_on_unsafe_methods<F: AppFactory>() {
    let h = harness::<F>(base());
    for (req, _) in unsafe_routes(&h).await {
        let ctx = label(&req);
        h.send(req).await.assert_rejected(401, "csrf_missing", &ctx);
    }
}

pub(crate) async fn csrf_mismatch_on_unsafe_methods<F: AppFactory>() {
    let h = harness::<F>(base());
    for (req, good) in unsafe_routes(&h).await {
        let ctx = label(&req);
        let mut wrong = good.clone();
        wrong.pop();
        for bad in [wrong.as_str(), "x", good.to_uppercase().as_str()] {
            h.send(req.clone().csrf(bad))
                .await
                .assert_rejected(401, "csrf_mismatch", &ctx);
        }
    }
}

pub(crate) async fn csrf_header_empty_or_repeated<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN).await;
    let good = jar.get(ACCESS_CSRF);
    h.send(post(POSTS).jar(&jar).csrf(""))
        .await
        .assert_rejected(401, "csrf_missing", "empty header");
    h.send(post(POSTS).jar(&jar).csrf("wrong").csrf(good))
        .await
        .assert_rejected(401, "csrf_mismatch", "wrong then right");
    h.send(post(POSTS).jar(&jar).csrf(good).csrf("wrong"))
        .await
        .assert_rejected(401, "csrf_mismatch", "right then wrong");
    // Documented: a header sent twice is ambiguous and refused, even with equal values.
    h.send(post(POSTS).jar(&jar).csrf(good).csrf(good))
        .await
        .assert_rejected(401, "csrf_mismatch", "the same value twice");
}

pub(crate) async fn csrf_from_the_other_token_type<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN_FRESH).await;
    for route in [post(POSTS), post(FRESH), delete(LOGOUT), post(GROUP_B)] {
        let ctx = format!("{} with the refresh CSRF", label(&route));
        h.send(route.jar(&jar).csrf(jar.get(REFRESH_CSRF)))
            .await
            .assert_rejected(401, "csrf_mismatch", &ctx);
    }
    h.send(post(REFRESH_ROUTE).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await
        .assert_rejected(401, "csrf_mismatch", "refresh with the access CSRF");
}

pub(crate) async fn csrf_from_another_session<F: AppFactory>() {
    let h = harness::<F>(base());
    let mine = h.login(LOGIN).await;
    let theirs = h.jar_for("mallory");
    h.send(post(POSTS).jar(&mine).csrf(theirs.get(ACCESS_CSRF)))
        .await
        .assert_rejected(401, "csrf_mismatch", "another user's CSRF value");
    let again = h.login(LOGIN).await;
    h.send(post(POSTS).jar(&mine).csrf(again.get(ACCESS_CSRF)))
        .await
        .assert_rejected(401, "csrf_mismatch", "the same user's other login");
}

pub(crate) async fn csrf_valid_passes_on_every_unsafe_route<F: AppFactory>() {
    let h = harness::<F>(base());
    for (req, good) in unsafe_routes(&h).await {
        let ctx = label(&req);
        let v = h.send(req.csrf(&good)).await.assert_ok(&ctx);
        if v.get("user").is_some() {
            assert_eq!(v["user"], USER, "{ctx}");
        }
    }
}

pub(crate) async fn csrf_not_checked_on_safe_methods<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN).await;
    for req in [
        get(PROTECTED).jar(&jar),
        get(OPTIONAL).jar(&jar),
        get(GROUP_A).jar(&jar),
        get(PROTECTED).jar(&jar).csrf("wrong"),
        get(HEADER_ONLY).jar(&jar).bearer(&h.access("alice")),
    ] {
        let ctx = label(&req);
        let sent = h.send(req).await;
        assert_eq!(sent.status(), 200, "{ctx}: {}", sent.text());
        assert!(sent.ran, "{ctx}");
    }
}

pub(crate) async fn csrf_exempt_route_override<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN).await;
    h.send(post(WEBHOOK).jar(&jar))
        .await
        .assert_user(USER, "no CSRF header");
    h.send(post(WEBHOOK).jar(&jar).csrf("wrong"))
        .await
        .assert_user(USER, "a wrong CSRF header is not looked at");
    // verify_csrf(false) also skips the Origin check (documented).
    h.send(post(WEBHOOK).jar(&jar).fetch_site("cross-site"))
        .await
        .assert_user(USER, "cross-site");
    // The token itself is still verified.
    h.send(post(WEBHOOK).cookie(format!("{ACCESS}=garbage")))
        .await
        .assert_rejected(401, "invalid_token", "invalid token on the exempt route");
    // The exemption is per route.
    h.send(post(POSTS).jar(&jar)).await.assert_rejected(
        401,
        "csrf_missing",
        "other routes still checked",
    );
}

pub(crate) async fn csrf_exempt_routes_in_config<F: AppFactory>() {
    let h = harness::<F>(base().csrf_exempt_routes([POSTS]));
    let jar = h.login(LOGIN).await;
    h.send(post(POSTS).jar(&jar))
        .await
        .assert_user(USER, "exempt path");
    h.send(post(POSTS).jar(&jar).fetch_site("cross-site"))
        .await
        .assert_user(USER, "exempt path, cross-site");
    h.send(post(&format!("{POSTS}?x=1")).jar(&jar))
        .await
        .assert_user(USER, "exempt path with a query string");
    h.send(post(GROUP_B).jar(&jar))
        .await
        .assert_rejected(401, "csrf_missing", "not exempt");
    h.send(delete(LOGOUT).jar(&jar))
        .await
        .assert_rejected(401, "csrf_missing", "not exempt");
}

pub(crate) async fn header_token_needs_no_csrf<F: AppFactory>() {
    let h = harness::<F>(base());
    let t = h.access("alice");
    let fresh = h
        .auth
        .create_token(TokenType::Access, "alice", TokenOptions::new().fresh(true))
        .unwrap();
    h.send(post(POSTS).bearer(&t))
        .await
        .assert_user("alice", "POST /posts");
    h.send(post(GROUP_B).bearer(&t))
        .await
        .assert_user("alice", "POST /group/b");
    h.send(post(FRESH).bearer(fresh.as_str()))
        .await
        .assert_user("alice", "POST /fresh");
    h.send(post(REFRESH_ROUTE).bearer(&h.refresh("alice")))
        .await
        .assert_user("alice", "POST /refresh");
    let sent = h.send(delete(LOGOUT).bearer(&t)).await;
    assert_eq!(sent.assert_ok("DELETE /logout")["msg"], "logout");
}

pub(crate) async fn csrf_methods_are_configurable<F: AppFactory>() {
    let h = harness::<F>(base().csrf_methods([Method::POST]));
    let jar = h.login(LOGIN).await;
    let sent = h.send(delete(LOGOUT).jar(&jar)).await;
    assert_eq!(
        sent.assert_ok("DELETE not in csrf_methods")["msg"],
        "logout"
    );
    h.send(post(POSTS).jar(&jar)).await.assert_rejected(
        401,
        "csrf_missing",
        "POST still in csrf_methods",
    );
}

pub(crate) async fn csrf_header_name_is_configurable<F: AppFactory>() {
    let h = harness::<F>(
        base()
            .access_csrf_header_name("X-XSRF-TOKEN")
            .refresh_csrf_header_name("X-REFRESH-CSRF"),
    );
    let jar = h.login(LOGIN).await;
    h.send(post(POSTS).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await
        .assert_rejected(401, "csrf_missing", "default header name");
    h.send(
        post(POSTS)
            .jar(&jar)
            .header("x-xsrf-token", jar.get(ACCESS_CSRF)),
    )
    .await
    .assert_user(USER, "configured access header");
    h.send(
        post(REFRESH_ROUTE)
            .jar(&jar)
            .header("X-XSRF-TOKEN", jar.get(REFRESH_CSRF)),
    )
    .await
    .assert_rejected(401, "csrf_missing", "the access header on refresh");
    h.send(
        post(REFRESH_ROUTE)
            .jar(&jar)
            .header("X-Refresh-Csrf", jar.get(REFRESH_CSRF)),
    )
    .await
    .assert_user(USER, "configured refresh header");
}

pub(crate) async fn form_field_csrf_fallback<F: AppFactory>() {
    let h = harness::<F>(base().csrf_check_form(true));
    let jar = h.login(LOGIN).await;
    let good = jar.get(ACCESS_CSRF);
    let body = format!("title=hello+world&csrf_token={good}&tags=a%26b");
    let v = h
        .send(post(POSTS).jar(&jar).form(&body))
        .await
        .assert_user(USER, "form field");
    assert_eq!(v["body"], body, "the handler gets the body intact");
    h.send(post(POSTS).jar(&jar).form("title=x&csrf_token=wrong"))
        .await
        .assert_rejected(401, "csrf_mismatch", "wrong form field");
    h.send(post(POSTS).jar(&jar).form("title=x"))
        .await
        .assert_rejected(401, "csrf_missing", "no form field");
    h.send(post(POSTS).jar(&jar).csrf("wrong").form(&body))
        .await
        .assert_rejected(401, "csrf_mismatch", "the header wins over the form field");
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(good)
            .form("title=x&csrf_token=wrong"),
    )
    .await
    .assert_user(USER, "right header, wrong field");
    h.send(
        post(POSTS)
            .jar(&jar)
            .body("text/plain", format!("csrf_token={good}")),
    )
    .await
    .assert_rejected(401, "csrf_missing", "not a form content type");
    h.send(
        post(REFRESH_ROUTE)
            .jar(&jar)
            .form(&format!("csrf_token={}", jar.get(REFRESH_CSRF))),
    )
    .await
    .assert_user(USER, "refresh CSRF in the form");

    // Without csrf_check_form the field is not looked at.
    let off = harness::<F>(base());
    let jar = off.login(LOGIN).await;
    off.send(
        post(POSTS)
            .jar(&jar)
            .form(&format!("csrf_token={}", jar.get(ACCESS_CSRF))),
    )
    .await
    .assert_rejected(401, "csrf_missing", "form fallback off");
}
