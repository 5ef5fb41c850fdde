//! Token verification. The first byte picks the mode:
//!
//! - even: the rest is a compact token, verified as it is against an HS256 configuration
//!   with a second `kid`-selected ES256 key (so `kid` lookup and per-key algorithm pinning
//!   are exercised) and against an EdDSA one;
//! - odd: the rest is `header JSON 0xFF payload JSON`, signed with the HS256 key and then
//!   verified, so the fuzzer reaches header and claims parsing behind a valid signature.
//!
//! Invariants: nothing panics; a token that verifies has exactly three segments, a header
//! whose `alg` is the key's algorithm, which has no `crit`, no repeated `alg`, `kid` or
//! `typ`, no `zip`, `enc`, `cty` or `b64: false`, and a string `kid` and `typ` if any, and
//! claims of the expected type.
#![no_main]

use std::sync::LazyLock;

use authjwt::{Auth, Claims, Config, claims::{NoCustomClaims, TokenType}, keys::{Algorithm, SigningKey, VerifyingKey}};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

const SECRET: &[u8; 32] = b"fuzzing-secret-fuzzing-secret-32";

static HS: LazyLock<Auth> = LazyLock::new(|| {
    let es = VerifyingKey::from_pem(
        Algorithm::ES256,
        include_bytes!("../../crates/authjwt/tests/keys/ec256_public.pem"),
    )
    .expect("test key")
    .with_kid("es");
    Auth::new(
        Config::builder()
            .signing_key(
                SigningKey::from_secret(Algorithm::HS256, SECRET)
                    .expect("secret")
                    .with_kid("hs"),
            )
            .verifying_key(es)
            .build()
            .expect("config"),
    )
});

static ED: LazyLock<Auth> = LazyLock::new(|| {
    let key = SigningKey::from_pem(
        Algorithm::EdDSA,
        include_bytes!("../../crates/authjwt/tests/keys/ed25519_private.pem"),
    )
    .expect("test key");
    Auth::new(Config::builder().signing_key(key).build().expect("config"))
});

fn check_accepted(token: &str, alg: &str) {
    let mut parts = token.split('.');
    let header = parts.next().expect("a verified token has a header");
    assert!(parts.next().is_some() && parts.next().is_some() && parts.next().is_none());
    let header = URL_SAFE_NO_PAD.decode(header).expect("header is base64url");
    // Not `serde_json::Value`: its nesting limit would refuse headers that are valid JSON.
    let header: Header = serde_json::from_slice(&header).expect("header is a JSON object");
    assert_eq!(
        header.alg, alg,
        "accepted a token whose alg is not the key's"
    );
    assert!(!header.crit, "accepted a token with crit");
    assert!(
        !(header.zip || header.enc || header.cty),
        "accepted a token whose header changes how the payload is read"
    );
    assert_ne!(header.b64, Some(false), "accepted a token with b64: false");
}

/// The derived form refuses a repeated member it names: an accepted header has none.
#[derive(serde::Deserialize)]
struct Header {
    alg: String,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
    #[serde(default, deserialize_with = "present")]
    zip: bool,
    #[serde(default, deserialize_with = "present")]
    enc: bool,
    #[serde(default, deserialize_with = "present")]
    cty: bool,
    #[serde(default)]
    b64: Option<bool>,
    /// Read for their JSON type and uniqueness only.
    #[serde(default)]
    #[allow(dead_code)]
    kid: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    typ: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

fn verify(auth: &Auth, token: &str, alg: &str) {
    for expected in [TokenType::Access, TokenType::Refresh] {
        if let Ok(claims) = auth.verify_token::<NoCustomClaims>(token, expected) {
            assert_eq!(claims.token_type, expected);
            check_accepted(token, alg);
        }
        let _ = auth.verify_token::<serde_json::Map<String, serde_json::Value>>(token, expected);
    }
    if authjwt::dangerous::verify_signature_only(auth.config(), token).is_ok() {
        check_accepted(token, alg);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let token = String::from_utf8_lossy(rest);
        verify(&HS, &token, "HS256");
        verify(&ED, &token, "EdDSA");
        return;
    }
    let (header, payload) = match rest.iter().position(|&b| b == 0xff) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b"{}"[..]),
    };
    let mut token = String::new();
    URL_SAFE_NO_PAD.encode_string(header, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let signature = hmac_sha256(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    verify(&HS, &token, "HS256");
    if let Ok(claims) = HS.verify_token::<Claims>(&token, TokenType::Access) {
        // Accepted claims came from a payload that is a JSON object with these values.
        #[derive(serde::Deserialize)]
        struct Payload {
            sub: String,
            #[serde(rename = "type")]
            token_type: String,
        }
        let v: Payload = serde_json::from_slice(payload).expect("payload is a JSON object");
        assert_eq!(v.sub, claims.sub);
        assert_eq!(v.token_type, "access");
    }
});

/// HMAC-SHA256 with the configuration's secret.
fn hmac_sha256(message: &[u8]) -> Vec<u8> {
    use aws_lc_rs::hmac;
    static KEY: LazyLock<hmac::Key> = LazyLock::new(|| hmac::Key::new(hmac::HMAC_SHA256, SECRET));
    hmac::sign(&KEY, message).as_ref().to_vec()
}
