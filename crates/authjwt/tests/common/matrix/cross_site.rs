//! Matrix cases: cross-site requests (Origin / Sec-Fetch-Site).

use std::time::Duration;

use authjwt::{claims::TokenType, tokens::TokenOptions};

use super::{creds, label};
use crate::common::names::{ACCESS, ACCESS_CSRF, REFRESH_CSRF};
use crate::common::routes::{
    FRESH, GROUP_A, GROUP_B, LOGIN, LOGIN_BODY, LOGIN_FRESH, LOGOUT, POSTS, PROTECTED,
    REFRESH as REFRESH_ROUTE, USER,
};
use crate::common::{AppFactory, HOST, base, delete, get, harness, post};

pub(crate) async fn cross_site_unsafe_requests_are_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN_FRESH).await;
    let csrf = jar.get(ACCESS_CSRF);
    let hostile: [(&str, &str); 6] = [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("sec-fetch-site", "something-new"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("origin", "https://app.example.evil.example"),
    ];
    for (name, value) in hostile {
        for route in [
            post(POSTS),
            post(FRESH),
            delete(LOGOUT),
            post(GROUP_B),
            post(REFRESH_ROUTE),
        ] {
            let ctx = format!("{} {name}: {value}", label(&route));
            let csrf = if ctx.contains(REFRESH_ROUTE) {
                jar.get(REFRESH_CSRF)
            } else {
                csrf
            };
            h.send(route.jar(&jar).csrf(csrf).header(name, value))
                .await
                .assert_rejected(403, "cross_site_request", &ctx);
        }
    }
    // Sec-Fetch-Site decides when present, whatever the Origin says.
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(csrf)
            .fetch_site("cross-site")
            .header("origin", "https://app.example"),
    )
    .await
    .assert_rejected(
        403,
        "cross_site_request",
        "cross-site with a same-host Origin",
    );
}

pub(crate) async fn same_origin_unsafe_requests_pass<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN).await;
    let csrf = jar.get(ACCESS_CSRF);
    let friendly: [&[(&str, &str)]; 6] = [
        &[("sec-fetch-site", "same-origin")],
        &[("sec-fetch-site", "none")],
        &[("origin", "https://app.example")],
        &[("origin", "http://app.example")],
        &[],
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://evil.example"),
        ],
    ];
    for headers in friendly {
        let mut req = post(POSTS).jar(&jar).csrf(csrf);
        for (k, v) in headers {
            req = req.header(k, *v);
        }
        h.send(req).await.assert_user(USER, &format!("{headers:?}"));
    }
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(csrf)
            .header("host", "app.example:8443")
            .header("origin", "https://app.example:8443"),
    )
    .await
    .assert_user(USER, "same host and port");
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(csrf)
            .header("host", "app.example:8443")
            .header("origin", "https://app.example"),
    )
    .await
    .assert_rejected(403, "cross_site_request", "other port");
    // HTTP/2 style: no Host header, the authority is in the request URI.
    h.send(
        post(&format!("https://{}{POSTS}", HOST))
            .without_host()
            .jar(&jar)
            .csrf(csrf)
            .header("origin", "https://app.example"),
    )
    .await
    .assert_user(USER, "authority from the URI");
}

pub(crate) async fn cross_site_checked_before_the_token<F: AppFactory>() {
    let h = harness::<F>(base());
    // The guide: cross-site unsafe requests are refused before the token is looked at.
    h.send(
        post(POSTS)
            .cookie(format!("{ACCESS}=garbage"))
            .fetch_site("cross-site"),
    )
    .await
    .assert_rejected(403, "cross_site_request", "invalid cookie, cross-site");
    let expired = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap();
    h.send(
        post(POSTS)
            .cookie(format!("{ACCESS}={}", expired.as_str()))
            .header("origin", "https://evil.example"),
    )
    .await
    .assert_rejected(403, "cross_site_request", "expired cookie, evil Origin");
}

pub(crate) async fn cross_site_safe_methods_and_header_tokens_pass<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN).await;
    h.send(get(PROTECTED).jar(&jar).fetch_site("cross-site"))
        .await
        .assert_user(USER, "cross-site GET");
    h.send(
        get(GROUP_A)
            .jar(&jar)
            .header("origin", "https://evil.example"),
    )
    .await
    .assert_user(USER, "cross-origin GET in the group");
    let t = h.access("alice");
    h.send(post(POSTS).bearer(&t).fetch_site("cross-site"))
        .await
        .assert_user("alice", "cross-site POST with a header token");
    h.send(
        post(POSTS)
            .bearer(&t)
            .header("origin", "https://evil.example"),
    )
    .await
    .assert_user("alice", "cross-origin POST with a header token");
}

pub(crate) async fn trusted_origins_and_same_site_opt_in<F: AppFactory>() {
    let h = harness::<F>(base().trusted_origins(["https://partner.example"]));
    let jar = h.login(LOGIN).await;
    let csrf = jar.get(ACCESS_CSRF);
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(csrf)
            .fetch_site("cross-site")
            .header("origin", "https://partner.example"),
    )
    .await
    .assert_user(USER, "trusted origin, cross-site");
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(csrf)
            .header("origin", "https://partner.example"),
    )
    .await
    .assert_user(USER, "trusted origin");
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(csrf)
            .header("origin", "https://partner.example.evil.example"),
    )
    .await
    .assert_rejected(403, "cross_site_request", "untrusted look-alike origin");

    let sibling = harness::<F>(base().allow_same_site_requests(true));
    let jar = sibling.login(LOGIN).await;
    let csrf = jar.get(ACCESS_CSRF);
    sibling
        .send(post(POSTS).jar(&jar).csrf(csrf).fetch_site("same-site"))
        .await
        .assert_user(USER, "same-site allowed");
    sibling
        .send(post(POSTS).jar(&jar).csrf(csrf).fetch_site("cross-site"))
        .await
        .assert_rejected(403, "cross_site_request", "cross-site still refused");
}

pub(crate) async fn origin_check_can_be_turned_off<F: AppFactory>() {
    let h = harness::<F>(base().origin_check(false));
    let jar = h.login(LOGIN).await;
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(jar.get(ACCESS_CSRF))
            .fetch_site("cross-site"),
    )
    .await
    .assert_user(USER, "origin check off");
    h.send(post(POSTS).jar(&jar).fetch_site("cross-site"))
        .await
        .assert_rejected(401, "csrf_missing", "double submit still on");
}

pub(crate) async fn login_refuses_cross_site_requests<F: AppFactory>() {
    let h = harness::<F>(base());
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        for route in [LOGIN, LOGIN_FRESH, LOGIN_BODY] {
            let ctx = format!("{route} {name}: {value}");
            h.send(post(route).json(&creds()).header(name, value))
                .await
                .assert_rejected(403, "cross_site_request", &ctx);
        }
    }
    let sent = h
        .send(post(LOGIN).json(&creds()).fetch_site("same-origin"))
        .await;
    sent.assert_ok("same-origin login");
    assert_eq!(sent.set_cookies().len(), 4);
}
