//! Fixtures shared by the benchmarks: one per algorithm, holding the same access token for
//! every contender (authjwt, raw `jsonwebtoken::decode`, a minimal hand-written verify, and
//! the bare signature primitive), the request that carries it, and the keys, all prepared
//! once outside the measured loops.

#![allow(dead_code, reason = "each bench target uses its own subset")]

use std::borrow::Cow;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{SystemTime, UNIX_EPOCH};

use authjwt::{
    Auth, Config, TokenLocation,
    claims::{NoCustomClaims, TokenType},
    keys::{Algorithm, SigningKey},
    sessions::LoginTokens,
};
use aws_lc_rs::signature as sig;
use aws_lc_rs::{hmac, rand};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::request::Parts;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

#[cfg(feature = "axum")]
pub(crate) mod web;

/// The HS256 secret of the benchmarks (40 bytes).
pub(crate) const SECRET: &[u8] = b"a benchmark secret, at least 32 bytes ok";

/// The algorithms measured, in report order.
pub(crate) const ALGORITHMS: [Algorithm; 4] = [
    Algorithm::HS256,
    Algorithm::RS256,
    Algorithm::ES256,
    Algorithm::EdDSA,
];

/// jsonwebtoken picks its backend process-wide: aws-lc-rs, as the brief asks (an error
/// means it was installed already).
pub(crate) fn install_jsonwebtoken_provider() {
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );
}

fn pem(alg: Algorithm) -> (&'static [u8], &'static [u8]) {
    match alg {
        Algorithm::RS256 => (
            include_bytes!("../../tests/keys/rsa_private.pem"),
            include_bytes!("../../tests/keys/rsa_public.pem"),
        ),
        Algorithm::ES256 => (
            include_bytes!("../../tests/keys/ec256_private.pem"),
            include_bytes!("../../tests/keys/ec256_public.pem"),
        ),
        Algorithm::EdDSA => (
            include_bytes!("../../tests/keys/ed25519_private.pem"),
            include_bytes!("../../tests/keys/ed25519_public.pem"),
        ),
        _ => (SECRET, SECRET),
    }
}

fn jwt_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
    match alg {
        Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        _ => jsonwebtoken::Algorithm::HS256,
    }
}

/// The signing key authjwt uses for `alg`.
pub(crate) fn signing_key(alg: Algorithm) -> SigningKey {
    let (private, _) = pem(alg);
    match alg {
        Algorithm::HS256 => SigningKey::from_secret(alg, private),
        _ => SigningKey::from_pem(alg, private),
    }
    .expect("the test keys load")
}

/// The demo's configuration (cookies only, CSRF on, `Secure` off) with this key; revocation
/// on with the default in-memory store unless `revocation` is false.
pub(crate) fn make_auth(key: SigningKey, revocation: bool) -> Auth {
    let b = Config::builder()
        .signing_key(key)
        .token_location([TokenLocation::Cookies])
        .cookie_secure(false);
    let b = if revocation {
        b
    } else {
        b.disable_revocation()
    };
    Auth::new(b.build().expect("the benchmark configuration is valid"))
}

/// The `Cookie` header a browser sends after login: the four cookies.
pub(crate) fn browser_cookies(login: &LoginTokens) -> String {
    format!(
        "access_token_cookie={}; csrf_access_token={}; refresh_token_cookie={}; csrf_refresh_token={}",
        login.access.as_str(),
        login.access.csrf().unwrap_or_default(),
        login.refresh.as_str(),
        login.refresh.csrf().unwrap_or_default(),
    )
}

/// A POST /posts as a browser sends it after login: the four cookies and the CSRF header.
pub(crate) fn request(login: &LoginTokens, csrf_header: Option<&str>) -> Parts {
    let cookie = browser_cookies(login);
    let mut b = http::Request::post("/posts")
        .header("host", "127.0.0.1:8000")
        .header("content-type", "application/json")
        .header("cookie", cookie);
    if let Some(csrf) = csrf_header {
        b = b.header("x-csrf-token", csrf);
    }
    b.body(()).expect("a valid request").into_parts().0
}

/// The claims `jsonwebtoken::decode` and the hand-written verify produce (owned, as a
/// handler would keep them).
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct JwtClaims {
    pub(crate) sub: String,
    pub(crate) exp: u64,
    #[serde(rename = "type")]
    pub(crate) token_type: String,
    #[serde(default)]
    pub(crate) csrf: Option<String>,
}

/// What the minimal hand-written verify returns.
#[derive(Debug)]
pub(crate) struct Verified {
    pub(crate) sub: String,
    pub(crate) exp: u64,
}

#[derive(Deserialize)]
struct HandHeader<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
}

#[derive(Deserialize)]
struct HandClaims<'a> {
    sub: String,
    exp: u64,
    #[serde(rename = "type", borrow)]
    token_type: Cow<'a, str>,
    #[serde(default, borrow)]
    csrf: Option<Cow<'a, str>>,
}

/// The prepared verification key of the hand-written verify.
#[allow(clippy::large_enum_variant, reason = "built once per fixture")]
pub(crate) enum HandKey {
    Hmac(hmac::Key),
    Public(sig::ParsedPublicKey),
}

impl HandKey {
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Hmac(k) => hmac::verify(k, message, signature).is_ok(),
            Self::Public(k) => k.verify_sig(message, signature).is_ok(),
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The minimal hand-written verify: the cookie from the Cookie header, split, one base64
/// decode of each segment into a stack buffer, the header's `alg` pinned, the signature
/// checked with the pre-keyed primitive, one serde_json pass over the claims, `exp` and type
/// checked, and the CSRF header compared with the claim in constant time. No revocation.
pub(crate) struct HandVerifier {
    pub(crate) key: HandKey,
    pub(crate) alg: &'static str,
}

impl HandVerifier {
    pub(crate) fn verify(&self, parts: &Parts) -> Option<Verified> {
        let cookie = parts.headers.get(http::header::COOKIE)?.as_bytes();
        let token = cookie.split(|&b| b == b';').find_map(|pair| {
            let pair = pair.strip_prefix(b" ").unwrap_or(pair);
            pair.strip_prefix(b"access_token_cookie=")
        })?;
        let mut segments = token.split(|&b| b == b'.');
        let (Some(h64), Some(p64), Some(s64), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return None;
        };
        let mut header = [0u8; 256];
        let n = URL_SAFE_NO_PAD.decode_slice(h64, &mut header).ok()?;
        let h: HandHeader<'_> = serde_json::from_slice(&header[..n]).ok()?;
        if h.alg != self.alg {
            return None;
        }
        let mut signature = [0u8; 512];
        let n = URL_SAFE_NO_PAD.decode_slice(s64, &mut signature).ok()?;
        if !self
            .key
            .verify(&token[..h64.len() + 1 + p64.len()], &signature[..n])
        {
            return None;
        }
        let mut payload = [0u8; 2048];
        let n = URL_SAFE_NO_PAD.decode_slice(p64, &mut payload).ok()?;
        let claims: HandClaims<'_> = serde_json::from_slice(&payload[..n]).ok()?;
        if now() >= claims.exp || claims.token_type != "access" {
            return None;
        }
        let presented = parts.headers.get("x-csrf-token")?.as_bytes();
        let csrf = claims.csrf?;
        if !bool::from(presented.ct_eq(csrf.as_bytes())) {
            return None;
        }
        Some(Verified {
            sub: claims.sub,
            exp: claims.exp,
        })
    }
}

/// The bare signature primitive for creation: the private key, prepared once.
#[allow(clippy::large_enum_variant, reason = "built once per fixture")]
pub(crate) enum BareSigner {
    Hmac(hmac::Key),
    Rsa(sig::RsaKeyPair),
    Ec(sig::EcdsaKeyPair),
    Ed(sig::Ed25519KeyPair),
}

impl BareSigner {
    pub(crate) fn sign(&self, message: &[u8]) -> usize {
        match self {
            Self::Hmac(k) => hmac::sign(k, message).as_ref().len(),
            Self::Rsa(kp) => {
                let mut out = [0u8; 512];
                let out = &mut out[..kp.public_modulus_len()];
                kp.sign(
                    &sig::RSA_PKCS1_SHA256,
                    &rand::SystemRandom::new(),
                    message,
                    out,
                )
                .expect("RSA signs");
                out.len()
            }
            Self::Ec(kp) => kp
                .sign(&rand::SystemRandom::new(), message)
                .expect("ECDSA signs")
                .as_ref()
                .len(),
            Self::Ed(kp) => kp.sign(message).as_ref().len(),
        }
    }
}

/// Everything one algorithm's benchmarks need.
pub(crate) struct Fixture {
    pub(crate) alg: Algorithm,
    pub(crate) name: &'static str,
    /// Revocation on, default in-memory store.
    pub(crate) auth: Auth,
    /// Revocation disabled.
    pub(crate) auth_no_revocation: Auth,
    pub(crate) login: LoginTokens,
    /// POST /posts with the cookies and the matching X-CSRF-TOKEN.
    pub(crate) parts: Parts,
    /// POST /posts with the cookies and no X-CSRF-TOKEN (rejected: csrf_missing).
    pub(crate) parts_without_csrf: Parts,
    pub(crate) token: String,
    pub(crate) decoding_key: jsonwebtoken::DecodingKey,
    pub(crate) encoding_key: jsonwebtoken::EncodingKey,
    pub(crate) jwt_header: jsonwebtoken::Header,
    pub(crate) validation: jsonwebtoken::Validation,
    pub(crate) hand: HandVerifier,
    pub(crate) signing_input: Vec<u8>,
    pub(crate) signature: Vec<u8>,
    pub(crate) bare_signer: BareSigner,
}

impl Fixture {
    pub(crate) fn new(alg: Algorithm) -> Self {
        install_jsonwebtoken_provider();
        let key = signing_key(alg);
        let auth = make_auth(key.clone(), true);
        let auth_no_revocation = make_auth(key, false);
        let login = auth
            .create_login_tokens("user1")
            .expect("tokens are created");
        let csrf = login.access.csrf().expect("CSRF is on").to_owned();
        let parts = request(&login, Some(&csrf));
        let parts_without_csrf = request(&login, None);
        let token = login.access.as_str().to_owned();

        let (private, public) = pem(alg);
        let (decoding_key, encoding_key) = match alg {
            Algorithm::RS256 => (
                jsonwebtoken::DecodingKey::from_rsa_pem(public),
                jsonwebtoken::EncodingKey::from_rsa_pem(private),
            ),
            Algorithm::ES256 => (
                jsonwebtoken::DecodingKey::from_ec_pem(public),
                jsonwebtoken::EncodingKey::from_ec_pem(private),
            ),
            Algorithm::EdDSA => (
                jsonwebtoken::DecodingKey::from_ed_pem(public),
                jsonwebtoken::EncodingKey::from_ed_pem(private),
            ),
            _ => (
                Ok(jsonwebtoken::DecodingKey::from_secret(SECRET)),
                Ok(jsonwebtoken::EncodingKey::from_secret(SECRET)),
            ),
        };
        let decoding_key = decoding_key.expect("jsonwebtoken loads the public key");
        let encoding_key = encoding_key.expect("jsonwebtoken loads the private key");
        let mut validation = jsonwebtoken::Validation::new(jwt_alg(alg));
        validation.leeway = 0;
        validation.validate_nbf = true;

        let (hand_key, bare_signer) = match alg {
            Algorithm::HS256 => (
                HandKey::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
                BareSigner::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
            ),
            _ => {
                let spki = decoding_key.try_get_as_bytes().expect("a public key");
                let verification: &'static dyn sig::VerificationAlgorithm = match alg {
                    Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
                    Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
                    _ => &sig::ED25519,
                };
                let parsed = sig::ParsedPublicKey::new(verification, spki).expect("parses");
                let der = encoding_key.as_bytes();
                let signer = match alg {
                    Algorithm::RS256 => BareSigner::Rsa(
                        sig::RsaKeyPair::from_der(der)
                            .or_else(|_| sig::RsaKeyPair::from_pkcs8(der))
                            .expect("RSA key"),
                    ),
                    Algorithm::ES256 => BareSigner::Ec(
                        sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, der)
                            .expect("EC key"),
                    ),
                    _ => BareSigner::Ed(
                        sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).expect("Ed25519 key"),
                    ),
                };
                (HandKey::Public(parsed), signer)
            }
        };
        let hand = HandVerifier {
            key: hand_key,
            alg: alg.as_str(),
        };
        let (signing_input, s64) = token.rsplit_once('.').expect("three segments");
        let signature = URL_SAFE_NO_PAD.decode(s64).expect("base64url");
        let fixture = Self {
            alg,
            name: alg.as_str(),
            auth,
            auth_no_revocation,
            parts,
            parts_without_csrf,
            signing_input: signing_input.as_bytes().to_vec(),
            signature,
            decoding_key,
            encoding_key,
            jwt_header: jsonwebtoken::Header::new(jwt_alg(alg)),
            validation,
            hand,
            bare_signer,
            token,
            login,
        };
        fixture.self_check();
        fixture
    }

    /// Every contender accepts the token before anything is measured, so no benchmark
    /// measures an early rejection by mistake.
    fn self_check(&self) {
        let found = block_on(self.authjwt_authenticate(true)).expect("authjwt accepts");
        assert_eq!(found, 5);
        block_on(self.authjwt_authenticate(false)).expect("authjwt accepts (no revocation)");
        assert!(self.raw_decode().is_some(), "jsonwebtoken accepts");
        assert_eq!(
            self.hand.verify(&self.parts).map(|v| v.sub).as_deref(),
            Some("user1"),
            "the hand-written verify accepts"
        );
        assert!(self.bare_verify(), "the signature verifies");
        assert!(
            block_on(
                self.auth
                    .authenticate::<NoCustomClaims>(&self.parts_without_csrf, &protection())
            )
            .is_err(),
            "a POST without the CSRF header is refused"
        );
    }

    /// `Auth::authenticate` on the POST: Cookie header in, typed claims out, CSRF checked,
    /// revocation consulted when `revocation`. Returns the subject's length.
    pub(crate) async fn authjwt_authenticate(&self, revocation: bool) -> Option<usize> {
        let auth = if revocation {
            &self.auth
        } else {
            &self.auth_no_revocation
        };
        let found = auth
            .authenticate::<NoCustomClaims>(&self.parts, &protection())
            .await
            .ok()??;
        Some(found.subject().len())
    }

    /// Raw `jsonwebtoken::decode` of the same token (exp and nbf validated, no CSRF).
    pub(crate) fn raw_decode(&self) -> Option<JwtClaims> {
        jsonwebtoken::decode::<JwtClaims>(&self.token, &self.decoding_key, &self.validation)
            .ok()
            .map(|d| d.claims)
    }

    /// The signature primitive alone over the signing input (signature pre-decoded).
    pub(crate) fn bare_verify(&self) -> bool {
        self.hand.key.verify(&self.signing_input, &self.signature)
    }

    /// Token creation with Set-Cookie rendering, as a login handler does it.
    pub(crate) fn authjwt_create(&self) -> usize {
        let login = self
            .auth
            .create_login_tokens("user1")
            .expect("tokens are created");
        let cookies = self
            .auth
            .set_access_cookies(&login.access)
            .and(self.auth.set_refresh_cookies(&login.refresh));
        cookies.header_values().len()
    }

    /// The same with `jsonwebtoken::encode` and `format!` for the cookies.
    pub(crate) fn raw_create(&self) -> usize {
        let iat = now();
        let id = || {
            let mut b = [0u8; 16];
            rand::fill(&mut b).expect("rng");
            URL_SAFE_NO_PAD.encode(b)
        };
        let fam = id();
        let mut out = Vec::with_capacity(4);
        for (token_type, lifetime, name, csrf_name) in [
            ("access", 900, "access_token_cookie", "csrf_access_token"),
            (
                "refresh",
                2_592_000,
                "refresh_token_cookie",
                "csrf_refresh_token",
            ),
        ] {
            // The claims authjwt puts in a login's tokens, in the same order (same size).
            let claims = authjwt_floor::Minted {
                sub: "user1",
                iat,
                nbf: iat,
                exp: iat + lifetime,
                jti: id(),
                token_type,
                fresh: token_type == "access",
                csrf: id(),
                fam: &fam,
            };
            let token = jsonwebtoken::encode(&self.jwt_header, &claims, &self.encoding_key)
                .expect("jsonwebtoken signs");
            out.push(
                http::HeaderValue::try_from(format!(
                    "{name}={token}; HttpOnly; SameSite=Lax; Path=/"
                ))
                .expect("header value"),
            );
            out.push(
                http::HeaderValue::try_from(format!(
                    "{csrf_name}={}; SameSite=Lax; Path=/",
                    claims.csrf
                ))
                .expect("header value"),
            );
        }
        black_box(&out);
        out.len()
    }

    /// The signature primitive alone, twice (two tokens per login).
    pub(crate) fn bare_create(&self) -> usize {
        self.bare_signer.sign(&self.signing_input) + self.bare_signer.sign(&self.signing_input)
    }
}

/// The protection of the demo's `POST /posts`.
pub(crate) fn protection() -> authjwt::Protection {
    authjwt::Protection::access()
}

/// Polls a future that is ready at once (the in-memory store never waits), without a
/// runtime, so that the runtime's own cost stays out of the measurement. A future that
/// does wait is driven by a current-thread tokio runtime instead.
pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(f),
    }
}

/// One measured operation: (id, description, the operation; true when it did what it
/// should, which every harness asserts once before measuring).
pub(crate) type Operation<'a> = (&'static str, &'static str, Box<dyn FnMut() -> bool + 'a>);

/// The ids of the verify contenders, in report order.
pub(crate) const VERIFY_OPS: [&str; 8] = [
    "authenticate",
    "authenticate_norevoke",
    "verify_token",
    "jws_signature",
    "rejected_no_csrf",
    "jsonwebtoken_decode",
    "hand_written",
    "bare_signature",
];

/// The ids of the creation contenders, in report order.
pub(crate) const CREATE_OPS: [&str; 3] = ["create", "jsonwebtoken_encode", "bare_sign_x2"];

/// The operations measured for one fixture: (id, description, operation).
pub(crate) fn operations(fx: &Fixture) -> Vec<Operation<'_>> {
    vec![
        (
            "authenticate",
            "authjwt authenticate (revocation on, memory store)",
            Box::new(|| block_on(fx.authjwt_authenticate(true)).is_some()),
        ),
        (
            "authenticate_norevoke",
            "authjwt authenticate (revocation off)",
            Box::new(|| block_on(fx.authjwt_authenticate(false)).is_some()),
        ),
        (
            "verify_token",
            "authjwt verify_token (token in, claims out)",
            Box::new(|| {
                fx.auth
                    .verify_token::<NoCustomClaims>(&fx.token, TokenType::Access)
                    .is_ok()
            }),
        ),
        (
            "jws_signature",
            "authjwt signature half (dangerous::verify_signature_only)",
            Box::new(|| {
                authjwt::dangerous::verify_signature_only(fx.auth.config(), &fx.token).is_ok()
            }),
        ),
        (
            "rejected_no_csrf",
            "authjwt rejected POST (no CSRF header)",
            Box::new(|| {
                block_on(
                    fx.auth
                        .authenticate::<NoCustomClaims>(&fx.parts_without_csrf, &protection()),
                )
                .is_err()
            }),
        ),
        (
            "jsonwebtoken_decode",
            "jsonwebtoken::decode",
            Box::new(|| fx.raw_decode().is_some()),
        ),
        (
            "hand_written",
            "hand-written verify",
            Box::new(|| fx.hand.verify(&fx.parts).is_some()),
        ),
        (
            "bare_signature",
            "bare signature",
            Box::new(|| fx.bare_verify()),
        ),
        (
            "create",
            "authjwt create_login_tokens + set_*_cookies",
            Box::new(|| fx.authjwt_create() == 4),
        ),
        (
            "jsonwebtoken_encode",
            "jsonwebtoken::encode x2 + format! cookies",
            Box::new(|| fx.raw_create() == 4),
        ),
        (
            "bare_sign_x2",
            "bare signing primitive, twice",
            Box::new(|| fx.bare_create() > 0),
        ),
    ]
}
