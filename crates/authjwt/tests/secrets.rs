//! Secrets and tokens never appear in Debug output, error bodies or logs (issue 7, item 5).
//!
//! The secret, the private keys and the tokens used here are distinctive strings; every
//! Debug rendering (`{:?}` and `{:#?}`) of the configuration, its builder, the keys, the key
//! set, the issued tokens and the errors, every error's JSON body and response headers, and
//! every tracing event emitted while requests are refused, is searched for them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use authjwt::{
    Auth, AuthError, Config, Protection, TokenLocation,
    claims::{NoCustomClaims, TokenType},
    error::InvalidReason,
    keys::{Algorithm, KeySet, SigningKey, VerifyingKey},
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const SECRET: &[u8] = b"S3CRET-never-print-me-S3CRET-never-print-me-64-bytes-long-xxxxxx";
const RSA_PRIVATE: &[u8] = include_bytes!("keys/rsa_private.pem");
const EC_PRIVATE: &[u8] = include_bytes!("keys/ec256_private.pem");
const ED_PRIVATE: &[u8] = include_bytes!("keys/ed25519_private.pem");

/// Every needle that must never show: the secret as text, hex and base64url, and every
/// line of base64 in the private key PEM files.
fn needles() -> Vec<String> {
    let mut v = vec![
        String::from_utf8(SECRET.to_vec()).unwrap(),
        "S3CRET".to_owned(),
        URL_SAFE_NO_PAD.encode(SECRET),
        SECRET.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        }),
        format!("{:?}", &SECRET[..8]),
    ];
    for pem in [RSA_PRIVATE, EC_PRIVATE, ED_PRIVATE] {
        for line in std::str::from_utf8(pem).unwrap().lines() {
            if !line.starts_with("-----") && line.len() >= 16 {
                v.push(line[..16].to_owned());
            }
        }
    }
    v
}

fn assert_clean(what: &str, text: &str, tokens: &[&str]) {
    for n in needles() {
        assert!(
            !text.contains(&n),
            "{what} shows secret material {n:?}:\n{text}"
        );
    }
    for t in tokens {
        for part in t.split('.').filter(|p| p.len() >= 8) {
            assert!(
                !text.contains(part),
                "{what} shows a token segment:\n{text}"
            );
        }
    }
}

fn debug_both(v: &impl std::fmt::Debug) -> String {
    format!("{v:?}\n{v:#?}")
}

fn configs() -> Vec<(&'static str, authjwt::ConfigBuilder)> {
    vec![
        (
            "HS512 secret",
            Config::builder()
                .signing_key(
                    SigningKey::from_secret(Algorithm::HS512, SECRET)
                        .unwrap()
                        .with_kid("k"),
                )
                .verifying_key(
                    VerifyingKey::from_secret(Algorithm::HS512, SECRET)
                        .unwrap()
                        .with_kid("old"),
                )
                .token_location([TokenLocation::Cookies, TokenLocation::Headers]),
        ),
        (
            "HS256 secret via secret()",
            Config::builder()
                .secret(SECRET)
                .token_location([TokenLocation::Cookies]),
        ),
        (
            "RS256",
            Config::builder()
                .signing_key(SigningKey::from_pem(Algorithm::RS256, RSA_PRIVATE).unwrap())
                .token_location([TokenLocation::Cookies]),
        ),
        (
            "ES256",
            Config::builder()
                .signing_key(SigningKey::from_pem(Algorithm::ES256, EC_PRIVATE).unwrap())
                .token_location([TokenLocation::Cookies]),
        ),
        (
            "EdDSA",
            Config::builder()
                .signing_key(SigningKey::from_pem(Algorithm::EdDSA, ED_PRIVATE).unwrap())
                .token_location([TokenLocation::Headers]),
        ),
    ]
}

#[test]
fn debug_of_config_keys_and_tokens_shows_no_secret_and_no_token() {
    for (name, builder) in configs() {
        assert_clean(
            &format!("ConfigBuilder ({name})"),
            &debug_both(&builder),
            &[],
        );
        let config = builder.build().unwrap();
        let keys: &KeySet = config.keys();
        let signing = keys.signing_key();
        assert_clean(&format!("Config ({name})"), &debug_both(&config), &[]);
        assert_clean(&format!("KeySet ({name})"), &debug_both(keys), &[]);
        assert_clean(&format!("SigningKey ({name})"), &debug_both(signing), &[]);
        assert_clean(
            &format!("VerifyingKey ({name})"),
            &debug_both(&signing.verifying_key()),
            &[],
        );
        let auth = Auth::new(config);
        assert_clean(&format!("Auth ({name})"), &debug_both(&auth), &[]);
        let login = auth.create_login_tokens("alice").unwrap();
        let (a, r) = (login.access.as_str(), login.refresh.as_str());
        let csrf = login.access.csrf().unwrap_or("no-csrf-value").to_owned();
        for (what, dbg) in [
            ("IssuedToken", debug_both(&login.access)),
            ("IssuedToken (refresh)", debug_both(&login.refresh)),
            ("LoginTokens", debug_both(&login)),
        ] {
            assert_clean(&format!("{what} ({name})"), &dbg, &[a, r]);
            assert!(!dbg.contains(&csrf), "{what} shows the CSRF value");
        }
        // The jwks document never carries a private or secret member.
        let jwks = auth.jwks().to_string();
        assert_clean(&format!("JWKS ({name})"), &jwks, &[]);
        for member in [
            "\"d\"", "\"k\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"",
        ] {
            assert!(!jwks.contains(member), "JWKS ({name}) has {member}");
        }
    }
}

fn every_error() -> Vec<AuthError> {
    let reasons = [
        InvalidReason::Malformed,
        InvalidReason::BadSignature,
        InvalidReason::AlgorithmNotAllowed,
        InvalidReason::UnknownKey,
        InvalidReason::CriticalHeader,
        InvalidReason::TooLong,
        InvalidReason::MissingExpiry,
        InvalidReason::Conflicting,
        InvalidReason::MissingJti,
    ];
    let mut all: Vec<AuthError> = reasons.into_iter().map(AuthError::InvalidToken).collect();
    all.extend([
        AuthError::MissingToken,
        AuthError::TokenExpired,
        AuthError::TokenNotYetValid,
        AuthError::InvalidClaims,
        AuthError::WrongTokenType {
            expected: TokenType::Access,
        },
        AuthError::WrongTokenType {
            expected: TokenType::Refresh,
        },
        AuthError::FreshTokenRequired,
        AuthError::CsrfMissing,
        AuthError::CsrfMismatch,
        AuthError::CrossSiteRequest,
        AuthError::TokenRevoked,
        AuthError::RevocationUnavailable,
        AuthError::Misconfigured("the authjwt extractors need `.layer(auth.layer())`"),
    ]);
    all
}

#[test]
fn every_error_body_is_fixed_text() {
    for err in every_error() {
        let resp = err.to_response();
        let mut text = String::from_utf8(resp.body().to_vec()).unwrap();
        for (k, v) in resp.headers() {
            let _ = write!(text, "\n{k}: {}", v.to_str().unwrap());
        }
        let _ = write!(text, "\n{err}\n{}", debug_both(&err));
        assert_clean(&format!("{err:?}"), &text, &[]);
        let v: serde_json::Value = serde_json::from_slice(resp.body()).unwrap();
        assert_eq!(v["code"], err.code());
        // Only the two fixed members: nothing request-derived can be echoed.
        assert_eq!(v.as_object().unwrap().len(), 2);
    }
}

/// A tracing subscriber that keeps every event and span field as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut s = self.0.lock().unwrap();
        span.record(&mut Fields(&mut s));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut s = self.0.lock().unwrap();
        let _ = write!(s, "\n{}:", event.metadata().target());
        event.record(&mut Fields(&mut s));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn refused_requests_log_no_token_and_no_secret() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let auth = Auth::new(
        Config::builder()
            .signing_key(SigningKey::from_secret(Algorithm::HS512, SECRET).unwrap())
            .token_location([TokenLocation::Cookies, TokenLocation::Headers])
            .build()
            .unwrap(),
    );
    let login = auth.create_login_tokens("alice").unwrap();
    let access = login.access.as_str().to_owned();
    let refresh = login.refresh.as_str().to_owned();
    let (h, p, s) = {
        let mut it = access.split('.');
        (
            it.next().unwrap().to_owned(),
            it.next().unwrap().to_owned(),
            it.next().unwrap().to_owned(),
        )
    };
    let tampered = format!("{h}.{p}x.{s}");
    let cookie = |t: &str| format!("access_token_cookie={t}");
    type Attempt<'a> = (http::Method, Vec<(&'a str, String)>, Protection);
    let requests: Vec<Attempt<'_>> = vec![
        (
            http::Method::POST,
            vec![("cookie", cookie(&access))],
            Protection::access(),
        ),
        (
            http::Method::POST,
            vec![
                ("cookie", cookie(&access)),
                ("x-csrf-token", "wrong".into()),
            ],
            Protection::access(),
        ),
        (
            http::Method::POST,
            vec![
                ("cookie", cookie(&access)),
                ("sec-fetch-site", "cross-site".into()),
            ],
            Protection::access(),
        ),
        (
            http::Method::GET,
            vec![("cookie", cookie(&tampered))],
            Protection::access(),
        ),
        (
            http::Method::GET,
            vec![("authorization", format!("Bearer {refresh}"))],
            Protection::access(),
        ),
        (
            http::Method::GET,
            vec![("authorization", format!("Bearer {access}"))],
            Protection::refresh(),
        ),
        (
            http::Method::GET,
            vec![(
                "cookie",
                format!("{}; access_token_cookie=x", cookie(&access)),
            )],
            Protection::access(),
        ),
    ];
    let mut bodies = String::new();
    for (method, headers, protection) in requests {
        let mut b = http::Request::builder().method(method).uri("/x");
        for (k, v) in headers {
            b = b.header(k, v);
        }
        let (parts, ()) = b.body(()).unwrap().into_parts();
        let err = rt
            .block_on(auth.authenticate::<NoCustomClaims>(&parts, &protection))
            .expect_err("refused");
        let resp = auth.reject(err).into_http_response();
        bodies.push_str(std::str::from_utf8(resp.body()).unwrap());
    }
    // Logout and a replay: the revocation path logs too.
    let (parts, ()) = http::Request::post("/logout")
        .header("authorization", format!("Bearer {access}"))
        .body(())
        .unwrap()
        .into_parts();
    let _cleared = rt.block_on(auth.logout(&parts)).unwrap();
    let replay = rt.block_on(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()));
    assert_eq!(replay.unwrap_err(), AuthError::TokenRevoked);

    let log = capture.0.lock().unwrap().clone();
    assert!(
        log.contains("authjwt::rejection"),
        "the rejections were logged (the test watches real events): {log}"
    );
    assert_clean("the log", &log, &[&access, &refresh, &tampered]);
    assert_clean("the error bodies", &bodies, &[&access, &refresh, &tampered]);
    assert!(
        !log.contains(login.access.csrf().unwrap()),
        "the log shows the CSRF value"
    );
}
