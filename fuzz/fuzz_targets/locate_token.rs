//! Token location and the whole request guard. The input describes a request: lines of
//! `name: value` headers (any name, including Authorization, Cookie, Origin,
//! Sec-Fetch-Site and the CSRF header), with an optional first line `METHOD URI`.
//!
//! For every order of the four locations, `locate` must not panic and a token it returns
//! must come from where it says (a header token from the one Authorization header, a single
//! credential); then `Auth::authenticate` runs the whole guard (location, cross-origin
//! check, verification, CSRF, revocation) and must not panic, and must never accept: no
//! token of the configuration's key can be forged from fuzz input.
#![no_main]

use std::future::Future;
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use authjwt::{Auth, Config, Protection, TokenLocation, claims::{NoCustomClaims, TokenType}};
use http::request::Parts;
use libfuzzer_sys::fuzz_target;

static AUTH: LazyLock<Auth> = LazyLock::new(|| {
    Auth::new(
        Config::builder()
            .secret(b"fuzzing-secret-fuzzing-secret-32")
            .token_location([
                TokenLocation::Headers,
                TokenLocation::Cookies,
                TokenLocation::Query,
                TokenLocation::Json,
            ])
            .trusted_origins(["https://partner.example"])
            .csrf_exempt_routes(["/webhook"])
            .build()
            .expect("config"),
    )
});

const ORDERS: [[TokenLocation; 4]; 3] = [
    [
        TokenLocation::Headers,
        TokenLocation::Cookies,
        TokenLocation::Query,
        TokenLocation::Json,
    ],
    [
        TokenLocation::Cookies,
        TokenLocation::Query,
        TokenLocation::Json,
        TokenLocation::Headers,
    ],
    [
        TokenLocation::Query,
        TokenLocation::Json,
        TokenLocation::Headers,
        TokenLocation::Cookies,
    ],
];

fn request(data: &[u8]) -> Option<Parts> {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let mut builder = http::Request::builder();
    let first = lines.next()?;
    if let Some((method, uri)) = first.split_once(' ') {
        builder = builder.method(method).uri(uri);
    }
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            builder = builder.header(k.trim(), v.strip_prefix(' ').unwrap_or(v));
        }
    }
    builder.body(()).ok().map(|r| r.into_parts().0)
}

/// Polls once: the in-memory revocation store answers without waiting.
fn now<F: Future>(f: F) -> Option<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(f).poll(&mut cx) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(parts) = request(data) else { return };
    let config = AUTH.config();
    for token_type in [TokenType::Access, TokenType::Refresh] {
        for order in &ORDERS {
            for n in 1..=order.len() {
                if let Ok(Some((token, location))) =
                    authjwt::dangerous::locate_unverified(&config, &parts, token_type, &order[..n])
                {
                    assert!(!token.is_empty());
                    assert!(order[..n].contains(&location));
                    match location {
                        TokenLocation::Headers => {
                            // From the one Authorization header, one credential.
                            let mut values = parts.headers.get_all("authorization").iter();
                            let value = values.next().expect("a header token has its header");
                            assert!(values.next().is_none(), "token from a repeated header");
                            assert!(
                                value
                                    .as_bytes()
                                    .windows(token.len())
                                    .any(|w| w == token.as_bytes())
                            );
                            assert!(token.bytes().all(|b| b.is_ascii_graphic() && b != b','));
                        }
                        TokenLocation::Cookies => {
                            assert!(parts.headers.get_all("cookie").iter().any(|v| {
                                v.as_bytes()
                                    .windows(token.len())
                                    .any(|w| w == token.as_bytes())
                            }))
                        }
                        TokenLocation::Query => assert!(parts.uri.query().is_some()),
                        TokenLocation::Json => panic!("no JSON body fields without an adapter"),
                    }
                }
            }
        }
    }
    for protection in [
        Protection::access(),
        Protection::refresh(),
        Protection::fresh_access(),
        Protection::access().optional(),
        Protection::access().verify_csrf(false),
    ] {
        if let Some(result) = now(AUTH.authenticate::<NoCustomClaims>(&parts, &protection)) {
            if let Ok(Some(found)) = result {
                panic!("accepted a forged token from {:?}", found.location());
            }
        }
    }
    let _ = AUTH.check_origin(&parts);
});
