//! Matrix cases: behind a reverse proxy (`ConfigBuilder::trust_forwarded_host_from`).
//!
//! The proxy rewrote `Host` to the backend's address (`backend:8000`); the browser's
//! `Origin` names the public host. `X-Forwarded-Host` / `X-Forwarded-Proto` stand in for the
//! host and scheme only when the request's TCP peer (axum `ConnectInfo`, actix `peer_addr`)
//! is a configured proxy.

use authjwt::ConfigBuilder;
use authjwt::proxy::TrustedProxy;

use super::{creds, label};
use crate::common::names::ACCESS_CSRF;
use crate::common::routes::{LOGIN, POSTS, USER};
use crate::common::{AppFactory, Harness, Jar, Req, TestApp, base, harness, post};

const BACKEND: &str = "backend:8000";
const PUBLIC: &str = "app.example.com";
const PROXY_PEER: &str = "127.0.0.1:41000";
const OTHER_PEER: &str = "203.0.113.7:41000";

fn behind_proxy(proxies: &[&str]) -> ConfigBuilder {
    let proxies: Vec<TrustedProxy> = proxies.iter().map(|p| p.parse().unwrap()).collect();
    base().trust_forwarded_host_from(proxies)
}

/// `POST /login` and `POST /posts` (with the jar's CSRF value), both unsafe: the first
/// checked by the cross-origin layer alone, the second by the token guard too.
fn unsafe_requests(jar: &Jar) -> [Req; 2] {
    [
        post(LOGIN).json(&creds()),
        post(POSTS).jar(jar).csrf(jar.get(ACCESS_CSRF)),
    ]
}

/// Sends both requests with `headers` (and `peer`, when given): both pass, or both are
/// refused with 403 `cross_site_request` before any handler runs.
async fn expect<A: TestApp>(
    h: &Harness<A>,
    jar: &Jar,
    peer: Option<&str>,
    headers: &[(&str, &str)],
    pass: bool,
) {
    for mut req in unsafe_requests(jar) {
        if let Some(peer) = peer {
            req = req.peer(peer);
        }
        for (name, value) in headers {
            req = req.header(name, *value);
        }
        let ctx = format!("{} from {peer:?} with {headers:?}", label(&req));
        let sent = h.send(req).await;
        if pass {
            sent.assert_ok(&ctx);
        } else {
            sent.assert_rejected(403, "cross_site_request", &ctx);
        }
    }
}

pub(crate) async fn forwarded_host_is_ignored_unless_proxies_are_configured<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN).await;
    let forwarded = [
        ("host", BACKEND),
        ("x-forwarded-host", PUBLIC),
        ("x-forwarded-proto", "https"),
        ("origin", "https://app.example.com"),
    ];
    expect(&h, &jar, Some(PROXY_PEER), &forwarded, false).await;
    // Nor can a forwarded host turn a same-origin request away: Host decides.
    let same_host = [
        ("host", PUBLIC),
        ("x-forwarded-host", "evil.example"),
        ("origin", "https://app.example.com"),
    ];
    expect(&h, &jar, Some(PROXY_PEER), &same_host, true).await;
}

pub(crate) async fn a_trusted_proxy_names_the_public_origin<F: AppFactory>() {
    let h = harness::<F>(behind_proxy(&["127.0.0.1", "10.0.0.0/8"]));
    let jar = h.login(LOGIN).await;
    let fwd = |origin: &'static str, host: &'static str, proto: Option<&'static str>| {
        let mut headers = vec![
            ("host", BACKEND),
            ("x-forwarded-host", host),
            ("origin", origin),
        ];
        headers.extend(proto.map(|p| ("x-forwarded-proto", p)));
        headers
    };
    for peer in [PROXY_PEER, "10.1.2.3:5000", "[::ffff:127.0.0.1]:41000"] {
        let passing = [
            fwd("http://app.example.com", PUBLIC, None),
            fwd("https://app.example.com", PUBLIC, None),
            fwd("https://app.example.com", PUBLIC, Some("https")),
            fwd(
                "https://app.example.com",
                "app.example.com:443",
                Some("https"),
            ),
            fwd("http://app.example.com", "app.example.com:80", Some("HTTP")),
            fwd(
                "https://app.example.com:8443",
                "app.example.com:8443",
                Some("https"),
            ),
        ];
        for headers in &passing {
            expect(&h, &jar, Some(peer), headers, true).await;
        }
        let refused = [
            // The forwarded host stands in for Host: the backend's name is not the origin.
            fwd("http://backend:8000", PUBLIC, None),
            fwd("https://evil.example", PUBLIC, Some("https")),
            // The forwarded scheme is compared too.
            fwd("http://app.example.com", PUBLIC, Some("https")),
            // A port is part of the origin.
            fwd(
                "https://app.example.com",
                "app.example.com:8443",
                Some("https"),
            ),
        ];
        for headers in &refused {
            expect(&h, &jar, Some(peer), headers, false).await;
        }
    }
    // X-Forwarded-Proto alone: Host as sent, the scheme from the proxy.
    let proto_only = |origin| {
        [
            ("host", PUBLIC),
            ("x-forwarded-proto", "https"),
            ("origin", origin),
        ]
    };
    expect(
        &h,
        &jar,
        Some(PROXY_PEER),
        &proto_only("https://app.example.com"),
        true,
    )
    .await;
    expect(
        &h,
        &jar,
        Some(PROXY_PEER),
        &proto_only("http://app.example.com"),
        false,
    )
    .await;
}

pub(crate) async fn forwarded_headers_from_any_other_peer_are_ignored<F: AppFactory>() {
    let h = harness::<F>(behind_proxy(&["127.0.0.1"]));
    let jar = h.login(LOGIN).await;
    let spoofed = [
        ("host", BACKEND),
        ("x-forwarded-host", PUBLIC),
        ("origin", "https://app.example.com"),
    ];
    // A client reaching the app directly, a neighbour of the proxy, an IPv6 loopback (the
    // proxy is listed by its IPv4 address only), and no known peer at all.
    for peer in [
        Some(OTHER_PEER),
        Some("127.0.0.2:41000"),
        Some("[::1]:41000"),
        None,
    ] {
        expect(&h, &jar, peer, &spoofed, false).await;
    }
    // Ignored means Host decides, in both directions.
    let direct = [
        ("host", PUBLIC),
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-proto", "ftp"),
        ("origin", "https://app.example.com"),
    ];
    expect(&h, &jar, Some(OTHER_PEER), &direct, true).await;
}

pub(crate) async fn ambiguous_or_malformed_forwarded_headers_are_refused<F: AppFactory>() {
    let h = harness::<F>(behind_proxy(&["127.0.0.1"]));
    let jar = h.login(LOGIN).await;
    let origin = ("origin", "https://app.example.com");
    let host = ("host", PUBLIC);
    // Even with Host naming the public host: a trusted proxy's headers that cannot be used
    // refuse the request rather than fall back.
    let cases: &[&[(&str, &str)]] = &[
        // A proxy that appended to the client's value.
        &[
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-host", PUBLIC),
        ],
        &[("x-forwarded-host", "app.example.com, evil.example")],
        &[("x-forwarded-host", "evil.example,app.example.com")],
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-proto", "https"),
        ],
        &[("x-forwarded-proto", "http, https")],
        // Not a host[:port].
        &[("x-forwarded-host", "")],
        &[("x-forwarded-host", "app.example.com/login")],
        &[("x-forwarded-host", "user@app.example.com")],
        &[("x-forwarded-host", "app.example.com:99999")],
        &[("x-forwarded-host", "app.example.com:")],
        &[("x-forwarded-host", "[::1")],
        &[("x-forwarded-host", "https://app.example.com")],
        &[("x-forwarded-proto", "ftp")],
        &[("x-forwarded-proto", "")],
    ];
    for case in cases {
        let mut headers = vec![host, origin];
        headers.extend_from_slice(case);
        expect(&h, &jar, Some(PROXY_PEER), &headers, false).await;
    }
    // A header sent with no Origin at all is never looked at (not a browser's request).
    let sent = h
        .send(
            post(LOGIN)
                .json(&creds())
                .peer(PROXY_PEER)
                .header("x-forwarded-host", "not a host"),
        )
        .await;
    sent.assert_ok("no Origin");
}

pub(crate) async fn sec_fetch_site_and_trusted_origins_still_decide_behind_a_proxy<
    F: AppFactory,
>() {
    let h = harness::<F>(behind_proxy(&["127.0.0.1"]).trusted_origins(["https://partner.example"]));
    let jar = h.login(LOGIN).await;
    let fwd = [
        ("host", BACKEND),
        ("x-forwarded-host", PUBLIC),
        ("origin", "https://app.example.com"),
    ];
    let mut cross = fwd.to_vec();
    cross.push(("sec-fetch-site", "cross-site"));
    expect(&h, &jar, Some(PROXY_PEER), &cross, false).await;
    let mut same = vec![("host", BACKEND), ("sec-fetch-site", "same-origin")];
    same.push(("origin", "https://app.example.com"));
    expect(&h, &jar, Some(PROXY_PEER), &same, true).await;
    // A trusted origin passes whatever the forwarded headers say.
    let partner = [
        ("host", BACKEND),
        ("x-forwarded-host", "app.example.com, evil.example"),
        ("origin", "https://partner.example"),
    ];
    expect(&h, &jar, Some(PROXY_PEER), &partner, true).await;
    // Safe methods are never checked.
    let sent = h
        .send(
            crate::common::get(crate::common::routes::PROTECTED)
                .jar(&jar)
                .peer(OTHER_PEER)
                .header("origin", "https://evil.example"),
        )
        .await;
    sent.assert_user(USER, "GET from anywhere");
}
