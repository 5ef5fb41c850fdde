//! The applications under attack and the tools to forge tokens for them.
//!
//! Every application mounts the same axum routes, each handler counting its runs, behind
//! `auth.layer()`; only the [`Config`] differs. Rejections are rendered by the default
//! [`JsonResponder`], with the code copied into an `x-auth-code` header so that HEAD
//! responses, which carry no body, can be checked too.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use authjwt::axum::{AccessToken, FreshAccessToken, RefreshToken};
use authjwt::{
    Auth, AuthError, Config, ConfigBuilder, TokenLocation,
    error::{ErrorResponder, JsonResponder},
    keys::{Algorithm, SigningKey, VerifyingKey},
};
use aws_lc_rs::{hmac, rand, signature};
use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::HeaderValue;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The HMAC secret of the HS256 applications (so tests can sign "valid" tokens with it).
pub(crate) const SECRET: &[u8; 32] = b"adversarial-suite-secret-32bytes";
pub(crate) const HOST: &str = "app.example";
pub(crate) const TRUSTED: &str = "https://partner.example";

pub(crate) const RSA_PRIVATE: &[u8] = include_bytes!("../keys/rsa_private.pem");
pub(crate) const RSA_PUBLIC_PEM: &[u8] = include_bytes!("../keys/rsa_public.pem");
pub(crate) const RSA_PUBLIC_DER: &[u8] = include_bytes!("../keys/rsa_public.der");
pub(crate) const EC_PRIVATE: &[u8] = include_bytes!("../keys/ec256_private.pem");
pub(crate) const EC_PUBLIC_PEM: &[u8] = include_bytes!("../keys/ec256_public.pem");
pub(crate) const ED_PRIVATE: &[u8] = include_bytes!("../keys/ed25519_private.pem");

/// Renders like the default responder and repeats the code in a header.
#[derive(Debug)]
struct CodeHeader;

impl ErrorResponder for CodeHeader {
    fn respond(&self, err: &AuthError) -> http::Response<Bytes> {
        let mut resp = JsonResponder.respond(err);
        resp.headers_mut()
            .insert("x-auth-code", HeaderValue::from_static(err.code()));
        resp
    }
}

/// One application: its [`Auth`], its router and the count of handler runs.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) auth: Auth,
    router: Router,
    hits: Arc<AtomicUsize>,
}

/// What a request came back with.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) status: u16,
    pub(crate) code: Option<String>,
    pub(crate) header_code: Option<String>,
    pub(crate) body: Bytes,
    pub(crate) handler_ran: bool,
    pub(crate) panicked: bool,
}

impl App {
    pub(crate) fn new(builder: ConfigBuilder) -> Self {
        let auth = Auth::new(builder.responder(CodeHeader).build().expect("config"));
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new()
            .route("/me", get(access))
            .route(
                "/posts",
                post(access).put(access).patch(access).delete(access),
            )
            .route("/any", any(access))
            .route("/fresh", post(fresh))
            .route("/refresh", post(refresh))
            .route("/webhook", post(access))
            .route("/webhook/", post(access))
            .route("/login", post(login).layer(auth.cross_origin_layer()))
            .route("/logout", post(logout))
            .with_state(hits.clone())
            .layer(auth.layer());
        Self { auth, router, hits }
    }

    /// Sends one request through the whole stack on its own task, so that a panic anywhere
    /// is caught and reported rather than aborting the suite.
    pub(crate) async fn send(&self, req: Request) -> Outcome {
        let before = self.hits.load(Ordering::SeqCst);
        let router = self.router.clone();
        let joined = tokio::spawn(async move {
            let resp = router.oneshot(req).await.expect("infallible");
            let (parts, body) = resp.into_parts();
            let body = body.collect().await.expect("body").to_bytes();
            (parts, body)
        })
        .await;
        let handler_ran = self.hits.load(Ordering::SeqCst) != before;
        match joined {
            Ok((parts, body)) => {
                let code = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["code"].as_str().map(str::to_owned));
                let header_code = parts
                    .headers
                    .get("x-auth-code")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                Outcome {
                    status: parts.status.as_u16(),
                    code,
                    header_code,
                    body,
                    handler_ran,
                    panicked: false,
                }
            }
            Err(e) => Outcome {
                status: 0,
                code: None,
                header_code: None,
                body: Bytes::new(),
                handler_ran,
                panicked: e.is_panic(),
            },
        }
    }
}

type Hits = State<Arc<AtomicUsize>>;

fn hit(State(h): &Hits) {
    h.fetch_add(1, Ordering::SeqCst);
}

async fn access(h: Hits, AccessToken(_user): AccessToken) -> &'static str {
    hit(&h);
    "ok"
}

async fn fresh(h: Hits, FreshAccessToken(_user): FreshAccessToken) -> &'static str {
    hit(&h);
    "ok"
}

async fn refresh(h: Hits, RefreshToken(_user): RefreshToken) -> &'static str {
    hit(&h);
    "ok"
}

async fn login(h: Hits) -> &'static str {
    hit(&h);
    "logged in"
}

/// Logout is the setup of the replay cases, not a case: it does not count.
async fn logout(auth: Auth, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    match auth.logout(&parts).await {
        Ok(cookies) => (cookies, "bye").into_response(),
        Err(e) => auth.reject(e).into_response(),
    }
}

/// A builder with the suite's responder defaults: HS256 with [`SECRET`].
pub(crate) fn hs256(locations: &[TokenLocation]) -> ConfigBuilder {
    Config::builder()
        .signing_key(
            SigningKey::from_secret(Algorithm::HS256, SECRET)
                .expect("secret")
                .with_kid("hs-1"),
        )
        .token_location(locations.iter().copied())
}

pub(crate) fn rs256() -> ConfigBuilder {
    Config::builder()
        .signing_key(
            SigningKey::from_pem(Algorithm::RS256, RSA_PRIVATE)
                .expect("rsa")
                .with_kid("rsa-1"),
        )
        .token_location([TokenLocation::Headers])
}

pub(crate) fn es256() -> ConfigBuilder {
    Config::builder()
        .signing_key(
            SigningKey::from_pem(Algorithm::ES256, EC_PRIVATE)
                .expect("ec")
                .with_kid("ec-1"),
        )
        .token_location([TokenLocation::Headers])
}

pub(crate) fn eddsa() -> ConfigBuilder {
    Config::builder()
        .signing_key(SigningKey::from_pem(Algorithm::EdDSA, ED_PRIVATE).expect("ed"))
        .token_location([TokenLocation::Headers])
}

/// HS256 signing (kid `hs-1`) with a retired RS256 key (kid `rsa-1`) still verifying.
pub(crate) fn mixed() -> ConfigBuilder {
    hs256(&[TokenLocation::Headers]).verifying_key(
        VerifyingKey::from_pem(Algorithm::RS256, RSA_PUBLIC_PEM)
            .expect("rsa public")
            .with_kid("rsa-1"),
    )
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

pub(crate) fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard claims of a valid access token for `sub`, with CSRF value `csrf`.
pub(crate) fn claims(sub: &str, csrf: &str) -> String {
    let now = now();
    format!(
        r#"{{"sub":"{sub}","iat":{now},"nbf":{now},"exp":{},"jti":"{}","type":"access","fresh":true,"csrf":"{csrf}"}}"#,
        now + 600,
        unique()
    )
}

pub(crate) fn unique() -> String {
    let mut b = [0u8; 12];
    rand::fill(&mut b).expect("rng");
    b64(b)
}

/// `b64(header).b64(payload)`.
pub(crate) fn signing_input(header: &str, payload: &str) -> String {
    format!("{}.{}", b64(header), b64(payload))
}

pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg)
        .as_ref()
        .to_vec()
}

/// A token signed with HMAC-SHA256 under `key` (the app's secret, or an attacker's guess).
pub(crate) fn hs_token(key: &[u8], header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let sig = hmac_sha256(key, input.as_bytes());
    format!("{input}.{}", b64(sig))
}

/// A token with the given raw signature bytes.
pub(crate) fn with_sig(header: &str, payload: &str, sig: &[u8]) -> String {
    format!("{}.{}", signing_input(header, payload), b64(sig))
}

/// An attacker's own ES256 key pair: (pkcs8, public point).
pub(crate) fn attacker_ec() -> signature::EcdsaKeyPair {
    let rng = rand::SystemRandom::new();
    let pkcs8 =
        signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("generate");
    signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref())
        .expect("parse")
}

pub(crate) fn es_token(key: &signature::EcdsaKeyPair, header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let sig = key
        .sign(&rand::SystemRandom::new(), input.as_bytes())
        .expect("sign");
    format!("{input}.{}", b64(sig.as_ref()))
}

/// The order of the P-256 group.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The malleated twin of an ES256 token: `(r, s)` becomes `(r, n - s)`, which verifies too.
pub(crate) fn malleate_es256(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').expect("three segments");
    let mut sig = URL_SAFE_NO_PAD.decode(sig).expect("b64");
    assert_eq!(sig.len(), 64);
    let s: [u8; 32] = sig[32..].try_into().expect("32 bytes");
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(P256_N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    sig[32..].copy_from_slice(&out);
    format!("{input}.{}", b64(&sig))
}

/// A DER `ECDSA-Sig-Value` of raw `r || s` (what JWS must *not* use).
pub(crate) fn der_ecdsa(raw: &[u8]) -> Vec<u8> {
    let int = |v: &[u8]| {
        let v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
        let mut out = vec![0x02];
        let pad = v.first().is_none_or(|&b| b & 0x80 != 0);
        out.push((v.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(&v);
        out
    };
    let mut body = int(&raw[..32]);
    body.extend(int(&raw[32..]));
    let mut der = vec![0x30, body.len() as u8];
    der.extend(body);
    der
}
