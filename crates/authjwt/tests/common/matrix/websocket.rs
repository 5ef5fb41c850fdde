//! Matrix cases: WebSocket handshakes (cross-site WebSocket hijacking) and the cross-site
//! check on safe methods asked for by a route.
//!
//! A handshake is a GET that browsers send with the site's cookies whatever page started it;
//! every extractor and the group guard must refuse one that comes from another site, as they
//! refuse a cross-site POST. The requests carry the handshake's headers only: the matrix
//! drives the apps in-process, where nothing is upgraded (the demo's and the actix example's
//! tests open real sockets).

use super::label;
use crate::common::names::ACCESS;
use crate::common::routes::{GROUP_A, LOGIN, ME, OPTIONAL, PROTECTED, STRICT_ORIGIN, USER};
use crate::common::{AppFactory, Req, TestUsers, base, get, harness, with_users};

/// The headers of a browser's WebSocket handshake (RFC 6455 §4.1), in `connection` and
/// `upgrade` spellings a browser or a proxy may use.
fn handshake(req: Req, connection: &str, upgrade: &str) -> Req {
    req.header("connection", connection)
        .header("upgrade", upgrade)
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
}

fn upgrade(req: Req) -> Req {
    handshake(req, "Upgrade", "websocket")
}

/// Every guarded GET of the contract that reads an access token, each a different extractor.
fn guarded_gets() -> [Req; 4] {
    [get(PROTECTED), get(OPTIONAL), get(GROUP_A), get(ME)]
}

const HOSTILE: [(&str, &str); 5] = [
    ("sec-fetch-site", "cross-site"),
    ("sec-fetch-site", "same-site"),
    ("origin", "https://evil.example"),
    ("origin", "null"),
    ("origin", "https://app.example.evil.example"),
];

pub(crate) async fn cross_site_websocket_upgrades_are_refused_by_every_extractor<F: AppFactory>() {
    let h = harness::<F>(with_users(base(), &TestUsers::default()));
    let jar = h.login(LOGIN).await;
    for (name, value) in HOSTILE {
        for route in guarded_gets() {
            let ctx = format!("{} {name}: {value}", label(&route));
            // The same request is a harmless read without the handshake's headers...
            h.send(route.clone().jar(&jar).header(name, value))
                .await
                .assert_user(USER, &format!("{ctx}, no upgrade"));
            // ...and an attempt to hijack the user's socket with them.
            h.send(upgrade(route).jar(&jar).header(name, value))
                .await
                .assert_rejected(403, "cross_site_request", &format!("{ctx}, upgrade"));
        }
    }
    // Token lists and case: how browsers and proxies actually write these headers.
    for (connection, upgrade_header) in [
        ("keep-alive, Upgrade", "websocket"),
        ("upgrade", "WebSocket"),
        ("UPGRADE", "websocket/13"),
    ] {
        let req = handshake(get(PROTECTED), connection, upgrade_header);
        h.send(req.jar(&jar).header("sec-fetch-site", "cross-site"))
            .await
            .assert_rejected(
                403,
                "cross_site_request",
                &format!("Connection: {connection}, Upgrade: {upgrade_header}"),
            );
    }
    // Not a WebSocket handshake: a GET like any other.
    for (connection, upgrade_header) in [("upgrade", "h2c"), ("keep-alive", "websocket")] {
        let req = handshake(get(PROTECTED), connection, upgrade_header);
        h.send(req.jar(&jar).header("sec-fetch-site", "cross-site"))
            .await
            .assert_user(
                USER,
                &format!("Connection: {connection}, Upgrade: {upgrade_header}"),
            );
    }
}

pub(crate) async fn same_origin_websocket_upgrades_pass<F: AppFactory>() {
    let h = harness::<F>(with_users(base(), &TestUsers::default()));
    let jar = h.login(LOGIN).await;
    let friendly: [&[(&str, &str)]; 5] = [
        &[("sec-fetch-site", "same-origin")],
        &[("sec-fetch-site", "none")],
        &[("origin", "http://app.example")],
        &[
            ("origin", "https://app.example"),
            ("sec-fetch-site", "same-origin"),
        ],
        // No browser headers: not a browser (the token had to be given to it).
        &[],
    ];
    for headers in friendly {
        for route in guarded_gets() {
            let ctx = format!("{} {headers:?}", label(&route));
            let mut req = upgrade(route).jar(&jar);
            for (k, v) in headers {
                req = req.header(k, *v);
            }
            h.send(req).await.assert_user(USER, &ctx);
        }
    }
}

pub(crate) async fn trusted_origins_may_open_websockets_even_cross_site<F: AppFactory>() {
    let h = harness::<F>(base().trusted_origins(["https://partner.example"]));
    let jar = h.login(LOGIN).await;
    let ws = || upgrade(get(PROTECTED)).jar(&jar);
    h.send(
        ws().header("sec-fetch-site", "cross-site")
            .header("origin", "https://partner.example"),
    )
    .await
    .assert_user(USER, "trusted origin, Sec-Fetch-Site: cross-site");
    h.send(ws().header("origin", "https://partner.example"))
        .await
        .assert_user(USER, "trusted origin");
    h.send(
        ws().header("sec-fetch-site", "cross-site")
            .header("origin", "https://partner.example.evil.example"),
    )
    .await
    .assert_rejected(403, "cross_site_request", "untrusted look-alike origin");
    h.send(ws().header("sec-fetch-site", "cross-site"))
        .await
        .assert_rejected(403, "cross_site_request", "cross-site without an Origin");
}

pub(crate) async fn websocket_upgrades_without_a_cookie<F: AppFactory>() {
    let h = harness::<F>(base());
    // No token at all: 401, cross-site or not (there is no session to hijack).
    for headers in [&[][..], &[("sec-fetch-site", "cross-site")][..]] {
        let mut req = upgrade(get(PROTECTED));
        for (k, v) in headers {
            req = req.header(k, *v);
        }
        h.send(req)
            .await
            .assert_rejected(401, "missing_token", &format!("no token {headers:?}"));
    }
    // A header token is never attached by a browser on its own: no cross-site check.
    let t = h.access("alice");
    h.send(
        upgrade(get(PROTECTED))
            .bearer(&t)
            .header("sec-fetch-site", "cross-site"),
    )
    .await
    .assert_user("alice", "bearer token, cross-site upgrade");
    // A forged cookie is refused as cross-site before it is even verified, as for POST.
    h.send(
        upgrade(get(PROTECTED))
            .cookie(format!("{ACCESS}=garbage"))
            .header("origin", "https://evil.example"),
    )
    .await
    .assert_rejected(
        403,
        "cross_site_request",
        "invalid cookie, cross-site upgrade",
    );
}

pub(crate) async fn a_route_can_check_origin_on_safe_methods<F: AppFactory>() {
    let h = harness::<F>(base().trusted_origins(["https://partner.example"]));
    let jar = h.login(LOGIN).await;
    for (name, value) in HOSTILE {
        let ctx = format!("GET {STRICT_ORIGIN} {name}: {value}");
        h.send(get(STRICT_ORIGIN).jar(&jar).header(name, value))
            .await
            .assert_rejected(403, "cross_site_request", &ctx);
        // The other routes keep answering cross-site GETs.
        h.send(get(PROTECTED).jar(&jar).header(name, value))
            .await
            .assert_user(USER, &format!("GET {PROTECTED} {name}: {value}"));
    }
    for headers in [
        &[("sec-fetch-site", "same-origin")][..],
        &[("origin", "http://app.example")][..],
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://partner.example"),
        ][..],
        &[][..],
    ] {
        let mut req = get(STRICT_ORIGIN).jar(&jar);
        for (k, v) in headers {
            req = req.header(k, *v);
        }
        h.send(req)
            .await
            .assert_user(USER, &format!("GET {STRICT_ORIGIN} {headers:?}"));
    }
    let t = h.access("alice");
    h.send(
        get(STRICT_ORIGIN)
            .bearer(&t)
            .header("sec-fetch-site", "cross-site"),
    )
    .await
    .assert_user("alice", "bearer token on the strict route");
}

pub(crate) async fn origin_check_off_lets_websocket_upgrades_through<F: AppFactory>() {
    let h = harness::<F>(base().origin_check(false));
    let jar = h.login(LOGIN).await;
    h.send(
        upgrade(get(PROTECTED))
            .jar(&jar)
            .header("sec-fetch-site", "cross-site"),
    )
    .await
    .assert_user(USER, "origin check off, cross-site upgrade");
    h.send(
        get(STRICT_ORIGIN)
            .jar(&jar)
            .header("sec-fetch-site", "cross-site"),
    )
    .await
    .assert_user(USER, "origin check off, strict route");
}
