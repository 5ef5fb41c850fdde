//! The adversarial suite of issue 7: what the library refuses, drawn from RFC 8725 (JWT
//! BCP), RFC 7515 (JWS), the OWASP CSRF and JWT cheat sheets and the CVE history of JWT
//! libraries. Each case drives a real axum `Router` through `tower::ServiceExt::oneshot`
//! and asserts the status, the JSON `code`, that nothing panicked and that the handler did
//! not run. The table is printed with each case's source.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::expect_used)]

#[path = "adversarial/support.rs"]
mod support;

use authjwt::{
    TokenLocation,
    keys::{Algorithm, SigningKey},
};
use axum::body::Body;
use axum::extract::Request;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::HeaderValue;
use support::*;

/// The applications under attack, by index.
const C: usize = 0; // cookies, CSRF double submit + Origin check, exempt /webhook
const H: usize = 1; // Authorization header, HS256
const R: usize = 2; // RS256
const E: usize = 3; // ES256
const D: usize = 4; // EdDSA
const M: usize = 5; // HS256 signing + retired RS256 verifying key
const I: usize = 6; // issuer and audience configured
const P: usize = 7; // cookies with the __Host- prefix
const J: usize = 8; // JSON body key, then the query string
const F: usize = 9; // cookies, CSRF double submit also from a form field
const APP_NAMES: [&str; 10] = [
    "cookie",
    "header",
    "rs256",
    "es256",
    "eddsa",
    "mixed",
    "iss+aud",
    "host-prefix",
    "json+query",
    "cookie+form",
];

struct Case {
    name: String,
    source: &'static str,
    app: usize,
    req: Request,
    status: u16,
    code: &'static str,
}

fn req(method: &str, uri: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", HOST)
}

/// A GET /me with this exact Authorization value.
fn bearer_raw(value: &str) -> Request {
    req("GET", "/me")
        .header("authorization", value)
        .body(Body::empty())
        .unwrap()
}

fn bearer(method: &str, uri: &str, token: &str) -> Request {
    req(method, uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

fn cookie(method: &str, uri: &str, token: &str) -> http::request::Builder {
    req(method, uri).header("cookie", format!("access_token_cookie={token}"))
}

/// A request with a body of this content type (and its length: the body is only read when
/// the length is declared).
fn with_body(b: http::request::Builder, content_type: &str, body: String) -> Request {
    b.header("content-type", content_type)
        .header("content-length", body.len())
        .body(Body::from(body))
        .unwrap()
}

/// Two `Authorization` headers, in this order.
fn two_authorizations(first: &str, second: &str) -> Request {
    req("GET", "/me")
        .header("authorization", first)
        .header("authorization", second)
        .body(Body::empty())
        .unwrap()
}

/// Everything a case needs to know about the live applications.
struct Fx {
    apps: Vec<App>,
    /// Cookie app: alice's login (access + refresh with their CSRF values) and bob's.
    a_access: String,
    a_csrf: String,
    a_refresh: String,
    a_refresh_csrf: String,
    b_csrf: String,
    /// Header app: a valid access token, a refresh token, a non-fresh access token.
    h_access: String,
    h_refresh: String,
    h_not_fresh: String,
    /// ES256 app: a valid token.
    e_access: String,
    /// Host-prefix app: a valid access token.
    p_access: String,
    /// JSON app: a valid access token.
    j_access: String,
    /// Form app: a valid access token and its CSRF value.
    f_access: String,
    f_csrf: String,
}

const HS_HEADER: &str = r#"{"alg":"HS256","kid":"hs-1"}"#;

/// A token the HS256 apps accept at the signature: signed with [`SECRET`].
fn signed(header: &str, payload: &str) -> String {
    hs_token(SECRET, header, payload)
}

fn pem_body(pem: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(pem).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(b64).unwrap()
}

#[allow(clippy::too_many_lines)]
fn cases(fx: &Fx) -> Vec<Case> {
    let mut v: Vec<Case> = Vec::new();
    let mut add = |name: String,
                   source: &'static str,
                   app: usize,
                   req: Request,
                   status: u16,
                   code: &'static str| {
        v.push(Case {
            name,
            source,
            app,
            req,
            status,
            code,
        });
    };
    let inv = "invalid_token";
    let now = now();
    let good_claims = claims("mallory", "x");

    // --- alg none in every spelling (CVE-2015-9235, RFC 8725 3.1, OWASP JWT) ---
    for alg in [
        "none",
        "None",
        "NONE",
        "nOnE",
        "none ",
        " none",
        "",
        "none\\u0000",
    ] {
        let t = with_sig(&format!(r#"{{"alg":"{alg}"}}"#), &good_claims, b"");
        add(
            format!("alg {alg:?}, empty signature"),
            "RFC 8725 3.1; CVE-2015-9235",
            H,
            bearer("GET", "/me", &t),
            401,
            inv,
        );
    }
    let t = format!(
        "{}.",
        signing_input(r#"{"alg":"none","kid":"hs-1"}"#, &good_claims)
    );
    add(
        "alg none with our kid".into(),
        "RFC 8725 3.1",
        H,
        bearer("GET", "/me", &t),
        401,
        inv,
    );
    let t = signed(r#"{"alg":"none","kid":"hs-1"}"#, &good_claims);
    add(
        "alg none carrying a valid HMAC".into(),
        "RFC 8725 3.1",
        H,
        bearer("GET", "/me", &t),
        401,
        inv,
    );
    for header in [
        r#"{"alg":null}"#,
        r#"{"kid":"hs-1"}"#,
        r#"{"alg":["HS256"]}"#,
        r#"{"alg":"hs256"}"#,
    ] {
        let t = signed(header, &good_claims);
        add(
            format!("header {header}"),
            "RFC 7515 4.1.1",
            H,
            bearer("GET", "/me", &t),
            401,
            inv,
        );
    }

    // --- HS/RS and HS/ES key confusion: the public key as the HMAC secret (CVE-2016-10555,
    //     CVE-2022-29217, RFC 8725 2.1) ---
    let rsa_jwk = fx.apps[R].auth.jwks()["keys"][0].clone();
    let rsa_n = URL_SAFE_NO_PAD
        .decode(rsa_jwk["n"].as_str().unwrap())
        .unwrap();
    let rsa_pem_trimmed = std::str::from_utf8(RSA_PUBLIC_PEM)
        .unwrap()
        .trim()
        .to_owned();
    let rsa_forms: [(&str, Vec<u8>); 6] = [
        ("PEM", RSA_PUBLIC_PEM.to_vec()),
        ("PEM without final newline", rsa_pem_trimmed.into_bytes()),
        ("SPKI DER", RSA_PUBLIC_DER.to_vec()),
        ("SPKI DER from the PEM", pem_body(RSA_PUBLIC_PEM)),
        ("JWK JSON", serde_json::to_vec(&rsa_jwk).unwrap()),
        ("raw modulus", rsa_n),
    ];
    for (form, key) in &rsa_forms {
        for header in [r#"{"alg":"HS256"}"#, r#"{"alg":"HS256","kid":"rsa-1"}"#] {
            let t = hs_token(key, header, &good_claims);
            add(
                format!("RS256 app, HS256 keyed with the public key ({form}), {header}"),
                "CVE-2016-10555; RFC 8725 2.1",
                R,
                bearer("GET", "/me", &t),
                401,
                inv,
            );
        }
    }
    let ec_jwk = fx.apps[E].auth.jwks()["keys"][0].clone();
    let mut ec_point = vec![4u8];
    ec_point.extend(
        URL_SAFE_NO_PAD
            .decode(ec_jwk["x"].as_str().unwrap())
            .unwrap(),
    );
    ec_point.extend(
        URL_SAFE_NO_PAD
            .decode(ec_jwk["y"].as_str().unwrap())
            .unwrap(),
    );
    let ec_forms: [(&str, Vec<u8>); 4] = [
        ("PEM", EC_PUBLIC_PEM.to_vec()),
        ("SPKI DER", pem_body(EC_PUBLIC_PEM)),
        ("JWK JSON", serde_json::to_vec(&ec_jwk).unwrap()),
        ("raw point", ec_point),
    ];
    for (form, key) in &ec_forms {
        let t = hs_token(key, r#"{"alg":"HS256","kid":"ec-1"}"#, &good_claims);
        add(
            format!("ES256 app, HS256 keyed with the public key ({form})"),
            "CVE-2022-29217; Wycheproof jws_ec",
            E,
            bearer("GET", "/me", &t),
            401,
            inv,
        );
    }
    let ed_jwk = fx.apps[D].auth.jwks()["keys"][0].clone();
    let ed_raw = URL_SAFE_NO_PAD
        .decode(ed_jwk["x"].as_str().unwrap())
        .unwrap();
    let t = hs_token(&ed_raw, r#"{"alg":"HS256"}"#, &good_claims);
    add(
        "EdDSA app, HS256 keyed with the raw public key".into(),
        "RFC 8725 2.1",
        D,
        bearer("GET", "/me", &t),
        401,
        inv,
    );
    let t = hs_token(
        RSA_PUBLIC_PEM,
        r#"{"alg":"HS256","kid":"rsa-1"}"#,
        &good_claims,
    );
    add(
        "mixed key set, HS256 naming the RSA kid".into(),
        "RFC 8725 3.1 (one algorithm per key)",
        M,
        bearer("GET", "/me", &t),
        401,
        inv,
    );
    let t = with_sig(r#"{"alg":"RS256","kid":"hs-1"}"#, &good_claims, &[7u8; 256]);
    add(
        "mixed key set, RS256 naming the HMAC kid".into(),
        "RFC 8725 3.1",
        M,
        bearer("GET", "/me", &t),
        401,
        inv,
    );

    // --- ECDSA: psychic signatures and DER encodings (CVE-2022-21449, RFC 7518 3.4) ---
    let es_header = r#"{"alg":"ES256","kid":"ec-1"}"#;
    add(
        "ES256 psychic signature r=s=0 (64 zero bytes)".into(),
        "CVE-2022-21449",
        E,
        bearer("GET", "/me", &with_sig(es_header, &good_claims, &[0u8; 64])),
        401,
        inv,
    );
    add(
        "ES256 psychic signature r=s=0, DER-encoded".into(),
        "CVE-2022-21449",
        E,
        bearer(
            "GET",
            "/me",
            &with_sig(es_header, &good_claims, &[0x30, 6, 2, 1, 0, 2, 1, 0]),
        ),
        401,
        inv,
    );
    let (input, sig) = fx.e_access.rsplit_once('.').unwrap();
    let der = der_ecdsa(&URL_SAFE_NO_PAD.decode(sig).unwrap());
    add(
        "valid ES256 signature re-encoded as DER".into(),
        "RFC 7518 3.4",
        E,
        bearer("GET", "/me", &format!("{input}.{}", b64(der))),
        401,
        inv,
    );
    add(
        "ES256 signature of all 0xff".into(),
        "Wycheproof SpecialCaseEs256",
        E,
        bearer(
            "GET",
            "/me",
            &with_sig(es_header, &good_claims, &[0xff; 64]),
        ),
        401,
        inv,
    );
    add(
        "ES256 signature 63 bytes".into(),
        "Wycheproof SpecialCaseEs256",
        E,
        bearer("GET", "/me", &with_sig(es_header, &good_claims, &[1u8; 63])),
        401,
        inv,
    );

    // --- kid traversal, injection, oversize (CVE-2018-0114-style, OWASP JWT "kid") ---
    for (what, kid, key) in [
        (
            "path traversal to /dev/null",
            "../../../../../../../dev/null",
            &b""[..],
        ),
        ("absolute path", "/proc/self/environ", b""),
        (
            "SQL injection",
            "x' UNION SELECT 'attacker' -- ",
            b"attacker",
        ),
        ("command injection", "key|curl evil.example", b""),
        ("NUL byte", "hs-1\\u0000", SECRET),
        ("prefix of our kid", "hs-", SECRET),
    ] {
        let t = hs_token(
            key,
            &format!(
                r#"{{"alg":"HS256","kid":"{}"}}"#,
                kid.replace('\'', "\\u0027")
            ),
            &good_claims,
        );
        add(
            format!("kid {what}"),
            "RFC 8725 3.10; OWASP JWT",
            H,
            bearer("GET", "/me", &t),
            401,
            inv,
        );
    }
    let t = signed(
        &format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(5000)),
        &good_claims,
    );
    add(
        "kid of 5000 bytes".into(),
        "RFC 8725 3.10",
        H,
        bearer("GET", "/me", &t),
        401,
        inv,
    );
    let t = signed(r#"{"alg":"HS256","kid":123}"#, &good_claims);
    add(
        "kid of the wrong JSON type".into(),
        "RFC 7515 4.1.4",
        H,
        bearer("GET", "/me", &t),
        401,
        inv,
    );

    // --- registered header parameters of the wrong JSON type: refused, never read as
    //     absent (RFC 7515 4.1; RFC 7797 3; RFC 7516 4.1) ---
    for (param, value) in [
        ("kid", "null"),
        ("kid", r#"["hs-1"]"#),
        ("typ", "null"),
        ("typ", "1"),
        ("typ", r#"["JWT"]"#),
        ("cty", "7"),
        ("jku", "null"),
        ("jku", "1"),
        ("x5u", "{}"),
        ("x5t", "null"),
        ("x5t", "[]"),
        ("x5t#S256", "1"),
        ("jwk", "null"),
        ("jwk", r#""key""#),
        ("x5c", r#""MIIB""#),
        ("x5c", "[1]"),
        ("b64", "null"),
        ("b64", r#""true""#),
        ("zip", "null"),
        ("enc", "1"),
    ] {
        let header = format!(r#"{{"alg":"HS256","kid":"hs-1","{param}":{value}}}"#).replacen(
            r#""kid":"hs-1","kid""#,
            r#""kid""#,
            1,
        );
        add(
            format!("header {param} of the wrong JSON type: {value}"),
            "RFC 7515 4.1",
            H,
            bearer("GET", "/me", &signed(&header, &good_claims)),
            401,
            inv,
        );
    }

    // --- header parameters that change how the payload is read, unimplemented: refused,
    //     not ignored (RFC 7797 b64, RFC 7516 zip/enc, RFC 7519 5.2 nested cty) ---
    for header in [
        r#"{"alg":"HS256","kid":"hs-1","b64":false}"#,
        r#"{"alg":"HS256","kid":"hs-1","zip":"DEF"}"#,
        r#"{"alg":"HS256","kid":"hs-1","enc":"A128GCM"}"#,
        r#"{"alg":"HS256","kid":"hs-1","cty":"JWT"}"#,
        r#"{"alg":"HS256","kid":"hs-1","cty":"application/jwt"}"#,
    ] {
        add(
            format!("payload-changing header: {header}"),
            "RFC 7797 3; RFC 7516 4.1.2/4.1.3; RFC 7519 5.2",
            H,
            bearer("GET", "/me", &signed(header, &good_claims)),
            401,
            inv,
        );
    }
    // b64:false with the payload really unencoded in the signing input (RFC 7797 5.2).
    let unencoded_input = format!(
        "{}.{good_claims}",
        b64(r#"{"alg":"HS256","kid":"hs-1","b64":false}"#)
    );
    let tag = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET),
        unencoded_input.as_bytes(),
    );
    let (h64, _) = unencoded_input.split_once('.').unwrap();
    add(
        "b64:false, signed over the unencoded payload (detached)".into(),
        "RFC 7797 5.2",
        H,
        bearer("GET", "/me", &format!("{h64}..{}", b64(tag.as_ref()))),
        401,
        inv,
    );

    // --- jku, x5u, x5c, embedded jwk: never fetched, never trusted (RFC 8725 3.10,
    //     CVE-2018-0114, Wycheproof rejectsAttackerProvidedEmbeddedJwk) ---
    let attacker = attacker_ec();
    let attacker_jwk = {
        use aws_lc_rs::signature::KeyPair;
        let p = attacker.public_key().as_ref();
        format!(
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
            b64(&p[1..33]),
            b64(&p[33..])
        )
    };
    for (what, header) in [
        (
            "jku",
            r#"{"alg":"ES256","kid":"ec-1","jku":"https://evil.example/jwks.json"}"#.to_owned(),
        ),
        (
            "x5u",
            r#"{"alg":"ES256","kid":"ec-1","x5u":"https://evil.example/cert.pem"}"#.to_owned(),
        ),
        (
            "x5c",
            r#"{"alg":"ES256","x5c":["MIIBszCCAVmgAwIBAgIU"]}"#.to_owned(),
        ),
        (
            "embedded jwk with our kid",
            format!(r#"{{"alg":"ES256","kid":"ec-1","jwk":{attacker_jwk}}}"#),
        ),
        (
            "embedded jwk, no kid",
            format!(r#"{{"alg":"ES256","jwk":{attacker_jwk}}}"#),
        ),
        (
            "embedded jwk with its own kid",
            format!(r#"{{"alg":"ES256","kid":"attacker","jwk":{attacker_jwk}}}"#),
        ),
    ] {
        let t = es_token(&attacker, &header, &good_claims);
        add(
            format!("{what} header, signed by the attacker's key"),
            "RFC 8725 3.10; CVE-2018-0114",
            E,
            bearer("GET", "/me", &t),
            401,
            inv,
        );
    }

    // --- crit (RFC 7515 4.1.11) ---
    for header in [
        r#"{"alg":"HS256","kid":"hs-1","crit":["exp"]}"#,
        r#"{"alg":"HS256","kid":"hs-1","crit":[]}"#,
        r#"{"alg":"HS256","kid":"hs-1","crit":null}"#,
        r#"{"alg":"HS256","kid":"hs-1","crit":["b64"],"b64":false}"#,
    ] {
        add(
            format!("crit: {header}"),
            "RFC 7515 4.1.11",
            H,
            bearer("GET", "/me", &signed(header, &good_claims)),
            401,
            inv,
        );
    }

    // --- duplicate JSON keys, header and claims (RFC 7515 5.2, RFC 8725 3.x) ---
    for header in [
        r#"{"alg":"HS256","alg":"none","kid":"hs-1"}"#,
        r#"{"alg":"none","alg":"HS256","kid":"hs-1"}"#,
        r#"{"alg":"HS256","kid":"hs-1","kid":"rsa-1"}"#,
        r#"{"alg":"HS256","kid":"hs-1","crit":["x"],"crit":null}"#,
        r#"{"alg":"HS256","kid":"hs-1","typ":"JWT","typ":"JWT"}"#,
        r#"{"alg":"HS256","kid":"hs-1","typ":"JWT","typ":"at+jwt"}"#,
        r#"{"alg":"HS256","kid":"hs-1","t\u0079p":"JWT","typ":"JWT"}"#,
        r#"{"alg":"HS256","kid":"hs-1","\u006bid":"hs-1"}"#,
        r#"{"alg":"HS256","kid":"hs-1","x5t":"a","x5t":"b"}"#,
        r#"{"alg":"HS256","kid":"hs-1","jwk":{},"jwk":{}}"#,
        r#"{"alg":"HS256","kid":"hs-1","b64":true,"b64":true}"#,
        r#"{"alg":"HS256","kid":"hs-1","ext":1,"ext":1}"#,
        r#"{"alg":"HS256","kid":"hs-1","ext":1,"other":2,"e\u0078t":3}"#,
    ] {
        add(
            format!("duplicate header key: {header}"),
            "RFC 7515 5.2",
            H,
            bearer("GET", "/me", &signed(header, &good_claims)),
            401,
            inv,
        );
    }
    let base = |extra: &str| {
        format!(
            r#"{{"sub":"alice","iat":{now},"exp":{},"jti":"{}",{extra}}}"#,
            now + 600,
            unique()
        )
    };
    for (what, claims_json, uri) in [
        (
            "type refresh then access",
            base(r#""type":"refresh","type":"access""#),
            "/me",
        ),
        (
            "type access then refresh",
            base(r#""type":"access","type":"refresh""#),
            "/me",
        ),
        (
            "fresh false then true",
            base(r#""type":"access","fresh":false,"fresh":true"#),
            "/fresh",
        ),
        ("sub twice", base(r#""type":"access","sub":"admin""#), "/me"),
        (
            "exp twice",
            base(&format!(r#""type":"access","exp":{}"#, now + 99_999)),
            "/me",
        ),
        ("jti twice", base(r#""type":"access","jti":"other""#), "/me"),
        ("iat twice", base(r#""type":"access","iat":1"#), "/me"),
        (
            "custom claim twice",
            base(r#""type":"access","role":"user","role":"admin""#),
            "/me",
        ),
        (
            "custom claim twice, the second escaped",
            base(r#""type":"access","role":"user","r\u006fle":"admin""#),
            "/me",
        ),
    ] {
        let method = if uri == "/fresh" { "POST" } else { "GET" };
        add(
            format!("duplicate claim: {what}"),
            "RFC 7515 5.2; RFC 8725 2.5",
            H,
            bearer(method, uri, &signed(HS_HEADER, &claims_json)),
            401,
            inv,
        );
    }
    let dup_csrf = format!(
        r#"{{"sub":"alice","iat":{now},"exp":{},"jti":"{}","type":"access","csrf":"a","csrf":"b"}}"#,
        now + 600,
        unique()
    );
    add(
        "duplicate claim: csrf (cookie, header matches the second)".into(),
        "RFC 7515 5.2",
        C,
        cookie("POST", "/posts", &signed(HS_HEADER, &dup_csrf))
            .header("x-csrf-token", "b")
            .body(Body::empty())
            .unwrap(),
        401,
        inv,
    );

    // --- exp / nbf / iat of the wrong JSON type or out of range, missing exp (RFC 7519 4.1.4) ---
    let typed = |member: &str| {
        format!(
            r#"{{"sub":"alice","iat":{now},"jti":"{}","type":"access",{member}}}"#,
            unique()
        )
    };
    for (what, member, code) in [
        ("exp as a string", r#""exp":"9999999999""#.to_owned(), inv),
        (
            "exp a fraction in the past",
            format!(r#""exp":{}.5"#, now - 1),
            "token_expired",
        ),
        (
            "exp after the year 9999",
            r#""exp":253402300800"#.to_owned(),
            inv,
        ),
        ("exp 1e300", r#""exp":1e300"#.to_owned(), inv),
        ("exp -0.5", r#""exp":-0.5"#.to_owned(), inv),
        (
            "exp 2^64 - 1 (no NumericDate)",
            r#""exp":18446744073709551615"#.to_owned(),
            inv,
        ),
        ("exp negative", r#""exp":-1"#.to_owned(), inv),
        ("exp 1e400", r#""exp":1e400"#.to_owned(), inv),
        ("exp 2^64", r#""exp":18446744073709551616"#.to_owned(), inv),
        ("exp true", r#""exp":true"#.to_owned(), inv),
        ("exp null (no expiry)", r#""exp":null"#.to_owned(), inv),
        ("exp an object", r#""exp":{"$gt":0}"#.to_owned(), inv),
        ("exp missing", r#""fresh":true"#.to_owned(), inv),
        (
            "exp in the past",
            format!(r#""exp":{}"#, now - 1),
            "token_expired",
        ),
        (
            "nbf as a string",
            format!(r#""exp":{},"nbf":"0""#, now + 600),
            inv,
        ),
        (
            "nbf in the future",
            format!(r#""exp":{},"nbf":{}"#, now + 9000, now + 3600),
            "token_not_yet_valid",
        ),
        (
            "nbf a fraction in the future",
            format!(r#""exp":{},"nbf":{}.5"#, now + 9000, now + 30),
            "token_not_yet_valid",
        ),
        (
            "nbf null (no nbf)",
            format!(r#""exp":{},"nbf":null"#, now + 600),
            inv,
        ),
        (
            "nbf negative",
            format!(r#""exp":{},"nbf":-1"#, now + 600),
            inv,
        ),
        (
            "iat null",
            format!(r#""exp":{},"iat":null"#, now + 600),
            inv,
        ),
        (
            "iat an hour in the future",
            format!(r#""exp":{},"iat":{}"#, now + 7200, now + 3600),
            "token_not_yet_valid",
        ),
        (
            "iat in the future, nbf now",
            format!(r#""exp":{},"iat":{},"nbf":{now}"#, now + 7200, now + 60),
            "token_not_yet_valid",
        ),
        (
            "iat a fraction in the future",
            format!(r#""exp":{},"iat":{}.5"#, now + 7200, now + 30),
            "token_not_yet_valid",
        ),
        (
            "iat in the year 9999",
            r#""exp":253402300799,"iat":253402300000"#.to_owned(),
            "token_not_yet_valid",
        ),
        (
            "iat as a string",
            format!(r#""exp":{},"iat":"now""#, now + 600),
            inv,
        ),
    ] {
        let payload = if what.starts_with("iat ") {
            format!(
                r#"{{"sub":"alice","jti":"{}","type":"access",{member}}}"#,
                unique()
            )
        } else {
            typed(&member)
        };
        add(
            format!("claims: {what}"),
            "RFC 7519 4.1.4/4.1.5; RFC 8725 3.x",
            H,
            bearer("GET", "/me", &signed(HS_HEADER, &payload)),
            401,
            code,
        );
    }

    // --- every reserved claim has one JSON type: `null` or another type is refused, never
    //     read as an absent claim (RFC 7519 4.1; RFC 8725 3.x) ---
    let one_claim = |claim: &str, value: &str| {
        let mut c: serde_json::Value = serde_json::from_str(&claims("alice", "x")).unwrap();
        c[claim] = serde_json::Value::Null;
        serde_json::to_string(&c).unwrap().replace(
            &format!(r#""{claim}":null"#),
            &format!(r#""{claim}":{value}"#),
        )
    };
    for (claim, value) in [
        ("sub", "null"),
        ("sub", r#"["alice"]"#),
        ("jti", "null"),
        ("jti", "7"),
        ("type", "null"),
        ("type", r#"{"access":null}"#),
        ("type", r#"["access"]"#),
        ("fresh", "null"),
        ("fresh", r#""true""#),
        ("fresh", "1"),
        ("csrf", "null"),
        ("csrf", r#"["x"]"#),
        ("iss", "null"),
        ("iss", "1"),
        ("aud", "null"),
        ("aud", "[null]"),
        ("aud", "7"),
        ("fam", "null"),
        ("fam", "{}"),
        ("iat", r#"["1"]"#),
        ("exp", "[]"),
        ("nbf", "{}"),
    ] {
        let uri = if claim == "fresh" { "/fresh" } else { "/me" };
        let method = if claim == "fresh" { "POST" } else { "GET" };
        add(
            format!("claim {claim} of the wrong JSON type: {value}"),
            "RFC 7519 4.1",
            H,
            bearer(method, uri, &signed(HS_HEADER, &one_claim(claim, value))),
            401,
            inv,
        );
    }

    // --- signature stripping, non-canonical base64url, extra segments, JSON serialization
    //     (RFC 7515 3.1/7.1, Wycheproof base64 group) ---
    let (h_input, h_sig) = fx.h_access.rsplit_once('.').unwrap();
    let mut flipped = h_sig.to_owned();
    let last = flipped.pop().unwrap();
    // The last character of a 32-byte signature carries 2 padding bits, which must be zero.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.iter().position(|&c| c == last as u8).unwrap();
    flipped.push(alphabet[(idx & !3) | ((idx + 1) & 3).max(1)] as char);
    let (hh, hp) = h_input.split_once('.').unwrap();
    for (what, token) in [
        ("signature stripped, dot kept", format!("{h_input}.")),
        ("signature and dot stripped", h_input.to_owned()),
        (
            "another token's signature",
            format!("{h_input}.{}", fx.h_refresh.rsplit_once('.').unwrap().1),
        ),
        (
            "signature truncated by 4 chars",
            format!("{h_input}.{}", &h_sig[..h_sig.len() - 4]),
        ),
        ("signature with '=' padding", format!("{}=", fx.h_access)),
        (
            "signature with non-zero padding bits",
            format!("{h_input}.{flipped}"),
        ),
        (
            "signature in the standard alphabet",
            format!(
                "{h_input}.{}",
                STANDARD
                    .encode(URL_SAFE_NO_PAD.decode(h_sig).unwrap())
                    .trim_end_matches('=')
                    .replace('-', "+")
                    .replace('_', "/")
                    + "+/"
            ),
        ),
        ("header with '=' padding", format!("{hh}=.{hp}.{h_sig}")),
        (
            "space inside the payload",
            format!("{hh}.{} {}.{h_sig}", &hp[..4], &hp[4..]),
        ),
        ("percent-encoded dots", fx.h_access.replace('.', "%2E")),
        ("four segments", format!("{}.e30", fx.h_access)),
        (
            "five segments (JWE shape)",
            format!("{hh}..{hp}.{h_sig}.AAAA"),
        ),
        ("empty segments", "..".to_owned()),
        (
            "JWS JSON serialization, flattened",
            format!(r#"{{"payload":"{hp}","protected":"{hh}","signature":"{h_sig}"}}"#),
        ),
        (
            "JWS JSON serialization, general",
            format!(
                r#"{{"payload":"{hp}","signatures":[{{"protected":"{hh}","signature":"{h_sig}"}}]}}"#
            ),
        ),
    ] {
        add(
            format!("shape: {what}"),
            "RFC 7515 3.1/7.1; Wycheproof",
            H,
            bearer("GET", "/me", &token),
            401,
            inv,
        );
    }

    // --- huge and deeply nested tokens (RFC 8725 3.x resource exhaustion) ---
    add(
        "token of 9000 bytes".into(),
        "RFC 8725; OWASP JWT",
        H,
        bearer("GET", "/me", &"a".repeat(9000)),
        401,
        inv,
    );
    add(
        "Authorization header of 1 MiB".into(),
        "OWASP JWT",
        H,
        bearer(
            "GET",
            "/me",
            &format!("{}.{}.{}", "e".repeat(1 << 19), "e".repeat(1 << 19), "e"),
        ),
        401,
        inv,
    );
    let nested = format!(
        r#"{{"alg":"HS256","kid":"hs-1","x":{}{}}}"#,
        "[".repeat(2500),
        "]".repeat(2500)
    );
    add(
        "header nested 2500 deep, attacker-signed".into(),
        "RFC 8725",
        H,
        bearer("GET", "/me", &with_sig(&nested, &good_claims, &[1u8; 32])),
        401,
        inv,
    );
    let deep_claims = format!(
        r#"{{"sub":"a","iat":{now},"exp":{},"type":"access","x":{}{}}}"#,
        now + 600,
        "[".repeat(2500),
        "]".repeat(2500)
    );
    add(
        "claims nested 2500 deep behind a valid signature".into(),
        "RFC 8725",
        H,
        bearer("GET", "/me", &signed(HS_HEADER, &deep_claims)),
        401,
        inv,
    );

    // --- token types, issuer, audience, freshness (RFC 8725 3.8/3.9/3.11) ---
    add(
        "refresh token used as access token".into(),
        "RFC 8725 3.11",
        H,
        bearer("GET", "/me", &fx.h_refresh),
        401,
        "wrong_token_type",
    );
    add(
        "access token used as refresh token".into(),
        "RFC 8725 3.11",
        H,
        bearer("POST", "/refresh", &fx.h_access),
        401,
        "wrong_token_type",
    );
    add(
        "refresh token in the access cookie".into(),
        "RFC 8725 3.11",
        C,
        cookie("GET", "/me", &fx.a_refresh)
            .body(Body::empty())
            .unwrap(),
        401,
        "wrong_token_type",
    );
    add(
        "non-fresh token on a fresh route".into(),
        "OWASP session management",
        H,
        bearer("POST", "/fresh", &fx.h_not_fresh),
        401,
        "fresh_token_required",
    );
    let iss_aud = |iss: &str, aud: &str| {
        format!(
            r#"{{"sub":"a","iat":{now},"exp":{},"jti":"{}","type":"access"{iss}{aud}}}"#,
            now + 600,
            unique()
        )
    };
    for (what, payload) in [
        ("no iss, no aud", iss_aud("", "")),
        (
            "another issuer",
            iss_aud(r#","iss":"https://evil.example""#, r#","aud":"web""#),
        ),
        (
            "issuer differing in case",
            iss_aud(r#","iss":"HTTPS://issuer.example""#, r#","aud":"web""#),
        ),
        (
            "another audience",
            iss_aud(r#","iss":"https://issuer.example""#, r#","aud":"api""#),
        ),
        (
            "audience list without ours",
            iss_aud(
                r#","iss":"https://issuer.example""#,
                r#","aud":["api","mobile"]"#,
            ),
        ),
        (
            "audience missing",
            iss_aud(r#","iss":"https://issuer.example""#, ""),
        ),
        (
            "audience as a number",
            iss_aud(r#","iss":"https://issuer.example""#, r#","aud":7"#),
        ),
    ] {
        let code = if what == "audience as a number" {
            inv
        } else {
            "invalid_claims"
        };
        add(
            format!("iss/aud: {what}"),
            "RFC 8725 3.8/3.9",
            I,
            bearer("GET", "/me", &signed(HS_HEADER, &payload)),
            401,
            code,
        );
    }

    // --- an `aud` on a server that has no audience: it is not among the recipients
    //     (RFC 7519 4.1.3: "MUST be rejected"), whatever the claim's shape ---
    for aud in [
        r#""web""#,
        r#"["web"]"#,
        "[]",
        r#"["api","mobile"]"#,
        r#""""#,
    ] {
        add(
            format!("aud {aud} on a server without an audience"),
            "RFC 7519 4.1.3",
            H,
            bearer(
                "GET",
                "/me",
                &signed(HS_HEADER, &iss_aud("", &format!(r#","aud":{aud}"#))),
            ),
            401,
            "invalid_claims",
        );
    }
    add(
        "empty aud list on a server with an audience".into(),
        "RFC 7519 4.1.3",
        I,
        bearer(
            "GET",
            "/me",
            &signed(
                HS_HEADER,
                &iss_aud(r#","iss":"https://issuer.example""#, r#","aud":[]"#),
            ),
        ),
        401,
        "invalid_claims",
    );

    // --- CSRF double submit (OWASP CSRF cheat sheet) ---
    let post = |csrf: &[&str]| {
        let mut b = cookie("POST", "/posts", &fx.a_access);
        for c in csrf {
            b = b.header("x-csrf-token", *c);
        }
        b.body(Body::empty()).unwrap()
    };
    let src = "OWASP CSRF: double submit";
    add(
        "CSRF header missing".into(),
        src,
        C,
        post(&[]),
        401,
        "csrf_missing",
    );
    add(
        "CSRF header empty".into(),
        src,
        C,
        post(&[""]),
        401,
        "csrf_missing",
    );
    add(
        "CSRF value of another user".into(),
        src,
        C,
        post(&[&fx.b_csrf]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF value of the refresh token".into(),
        src,
        C,
        post(&[&fx.a_refresh_csrf]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF header repeated with the right value".into(),
        src,
        C,
        post(&[&fx.a_csrf, &fx.a_csrf]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF header repeated, wrong then right".into(),
        src,
        C,
        post(&["x", &fx.a_csrf]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF value padded with a leading space".into(),
        src,
        C,
        post(&[&format!(" {}", fx.a_csrf)]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF value padded with a trailing space".into(),
        src,
        C,
        post(&[&format!("{} ", fx.a_csrf)]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF value in another case".into(),
        src,
        C,
        post(&[&fx.a_csrf.to_uppercase()]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF header holding the JWT itself".into(),
        src,
        C,
        post(&[&fx.a_access]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF value truncated".into(),
        src,
        C,
        post(&[&fx.a_csrf[..10]]),
        401,
        "csrf_mismatch",
    );
    add(
        "CSRF only in the query string".into(),
        src,
        C,
        cookie(
            "POST",
            &format!("/posts?csrf_token={}&x-csrf-token={}", fx.a_csrf, fx.a_csrf),
            &fx.a_access,
        )
        .body(Body::empty())
        .unwrap(),
        401,
        "csrf_missing",
    );
    add(
        "CSRF only in a form field (form mode off)".into(),
        src,
        C,
        cookie("POST", "/posts", &fx.a_access)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={}", fx.a_csrf)))
            .unwrap(),
        401,
        "csrf_missing",
    );
    add(
        "CSRF only in the CSRF cookie".into(),
        src,
        C,
        req("POST", "/posts")
            .header(
                "cookie",
                format!(
                    "access_token_cookie={}; csrf_access_token={}",
                    fx.a_access, fx.a_csrf
                ),
            )
            .body(Body::empty())
            .unwrap(),
        401,
        "csrf_missing",
    );
    add(
        "CSRF under another header name".into(),
        src,
        C,
        cookie("POST", "/posts", &fx.a_access)
            .header("x-xsrf-token", &fx.a_csrf)
            .body(Body::empty())
            .unwrap(),
        401,
        "csrf_missing",
    );
    for method in ["PUT", "PATCH", "DELETE"] {
        add(
            format!("{method} without CSRF header"),
            src,
            C,
            cookie(method, "/posts", &fx.a_access)
                .body(Body::empty())
                .unwrap(),
            401,
            "csrf_missing",
        );
    }
    add(
        "look-alike of the exempt route (/webhook/)".into(),
        "OWASP CSRF",
        C,
        cookie("POST", "/webhook/", &fx.a_access)
            .body(Body::empty())
            .unwrap(),
        401,
        "csrf_missing",
    );

    // --- method override: a POST stays a POST for the CSRF check (OWASP CSRF) ---
    for (name, value) in [
        ("x-http-method-override", "GET"),
        ("x-http-method", "GET"),
        ("x-method-override", "GET"),
        ("x-http-method-override", "HEAD"),
    ] {
        add(
            format!("POST with {name}: {value}"),
            "OWASP CSRF: method override",
            C,
            cookie("POST", "/posts", &fx.a_access)
                .header(name, value)
                .body(Body::empty())
                .unwrap(),
            401,
            "csrf_missing",
        );
    }
    add(
        "POST with ?_method=GET".into(),
        "OWASP CSRF: method override",
        C,
        cookie("POST", "/posts?_method=GET", &fx.a_access)
            .body(Body::empty())
            .unwrap(),
        401,
        "csrf_missing",
    );
    add(
        "POST with form _method=GET".into(),
        "OWASP CSRF: method override",
        C,
        cookie("POST", "/posts", &fx.a_access)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("_method=GET"))
            .unwrap(),
        401,
        "csrf_missing",
    );

    // --- HEAD on GET routes runs the GET route's checks (RFC 9110 9.3.2) ---
    add(
        "HEAD /me without a token".into(),
        "RFC 9110 9.3.2",
        C,
        req("HEAD", "/me").body(Body::empty()).unwrap(),
        401,
        "missing_token",
    );
    let expired = signed(
        HS_HEADER,
        &format!(
            r#"{{"sub":"a","iat":1,"exp":{},"jti":"{}","type":"access"}}"#,
            now - 10,
            unique()
        ),
    );
    add(
        "HEAD /me with an expired token".into(),
        "RFC 9110 9.3.2",
        C,
        cookie("HEAD", "/me", &expired).body(Body::empty()).unwrap(),
        401,
        "token_expired",
    );
    add(
        "HEAD /me with alg none".into(),
        "RFC 9110 9.3.2; RFC 8725 3.1",
        C,
        cookie(
            "HEAD",
            "/me",
            &format!("{}.", signing_input(r#"{"alg":"none"}"#, &good_claims)),
        )
        .body(Body::empty())
        .unwrap(),
        401,
        inv,
    );
    add(
        "HEAD /me with the refresh token".into(),
        "RFC 9110 9.3.2",
        C,
        cookie("HEAD", "/me", &fx.a_refresh)
            .body(Body::empty())
            .unwrap(),
        401,
        "wrong_token_type",
    );

    // --- duplicate and look-alike cookies (cookie tossing; RFC 6265bis 4.1.3 prefixes) ---
    let raw_cookie = |bytes: Vec<u8>| {
        let mut r = req("GET", "/me").body(Body::empty()).unwrap();
        r.headers_mut()
            .append("cookie", HeaderValue::from_bytes(&bytes).unwrap());
        r
    };
    let forged_none = format!("{}.", signing_input(r#"{"alg":"none"}"#, &good_claims));
    let src = "OWASP CSRF: cookie tossing; RFC 6265bis";
    add(
        "two access cookies with different values".into(),
        src,
        C,
        req("GET", "/me")
            .header(
                "cookie",
                format!(
                    "access_token_cookie={}; access_token_cookie={forged_none}",
                    fx.a_access
                ),
            )
            .body(Body::empty())
            .unwrap(),
        401,
        inv,
    );
    add(
        "two access cookies in two Cookie headers".into(),
        src,
        C,
        req("GET", "/me")
            .header("cookie", format!("access_token_cookie={forged_none}"))
            .header("cookie", format!("access_token_cookie={}", fx.a_access))
            .body(Body::empty())
            .unwrap(),
        401,
        inv,
    );
    let hidden = format!("junk=\u{e9}; access_token_cookie={forged_none}").into_bytes();
    let mut r = req("GET", "/me")
        .header("cookie", format!("access_token_cookie={}", fx.a_access))
        .body(Body::empty())
        .unwrap();
    r.headers_mut()
        .append("cookie", HeaderValue::from_bytes(&hidden).unwrap());
    add(
        "planted duplicate in a Cookie header with a non-ASCII byte".into(),
        src,
        C,
        r,
        401,
        inv,
    );
    add(
        "percent-encoded cookie name".into(),
        src,
        C,
        raw_cookie(format!("access%5Ftoken%5Fcookie={}", fx.a_access).into_bytes()),
        401,
        "missing_token",
    );
    let mut bom = b"\xef\xbb\xbfaccess_token_cookie=".to_vec();
    bom.extend(fx.a_access.as_bytes());
    add(
        "cookie name prefixed with a BOM".into(),
        src,
        C,
        raw_cookie(bom),
        401,
        "missing_token",
    );
    let mut nbsp = b"\xc2\xa0access_token_cookie=".to_vec();
    nbsp.extend(fx.a_access.as_bytes());
    add(
        "cookie name prefixed with a no-break space".into(),
        src,
        C,
        raw_cookie(nbsp),
        401,
        "missing_token",
    );
    add(
        "cookie name with a trailing space".into(),
        src,
        C,
        raw_cookie(format!("access_token_cookie ={}", fx.a_access).into_bytes()),
        401,
        "missing_token",
    );
    add(
        "cookie name after two spaces".into(),
        src,
        C,
        raw_cookie(format!("x=1;  access_token_cookie={}", fx.a_access).into_bytes()),
        401,
        "missing_token",
    );
    add(
        "cookie name in upper case".into(),
        src,
        C,
        raw_cookie(format!("ACCESS_TOKEN_COOKIE={}", fx.a_access).into_bytes()),
        401,
        "missing_token",
    );
    add(
        "quoted cookie value".into(),
        src,
        C,
        raw_cookie(format!("access_token_cookie=\"{}\"", fx.a_access).into_bytes()),
        401,
        inv,
    );
    for name in [
        "__host-access_token_cookie",
        "__HOST-access_token_cookie",
        "access_token_cookie",
        "%5F%5FHost-access_token_cookie",
        "__Secure-access_token_cookie",
    ] {
        add(
            format!("__Host- app, cookie named {name}"),
            "RFC 6265bis 4.1.3.2",
            P,
            req("GET", "/me")
                .header("cookie", format!("{name}={}", fx.p_access))
                .body(Body::empty())
                .unwrap(),
            401,
            "missing_token",
        );
    }
    let junk: String = (0..4000)
        .map(|i| format!("c{i}={}; ", "v".repeat(40)))
        .collect();
    add(
        "Cookie header of 200 KB without the token".into(),
        "OWASP",
        C,
        raw_cookie(junk.clone().into_bytes()),
        401,
        "missing_token",
    );
    add(
        "Cookie header of 200 KB ending in a conflicting duplicate".into(),
        "OWASP",
        C,
        raw_cookie(
            format!(
                "access_token_cookie={}; {junk}access_token_cookie=x",
                fx.a_access
            )
            .into_bytes(),
        ),
        401,
        inv,
    );
    add(
        "cookie value of 9000 bytes".into(),
        "OWASP",
        C,
        raw_cookie(format!("access_token_cookie={}", "a".repeat(9000)).into_bytes()),
        401,
        inv,
    );

    // --- one credential per request: two Authorization headers, or one holding a list or a
    //     repeated scheme, are refused whatever the values, never "the first one wins"
    //     (RFC 9110 11.6.2: a singleton; RFC 9110 11.4: one token68) ---
    let good = &fx.h_access;
    let src = "RFC 9110 11.4/11.6.2";
    for (what, first, second) in [
        (
            "the same token twice",
            format!("Bearer {good}"),
            format!("Bearer {good}"),
        ),
        (
            "valid then forged",
            format!("Bearer {good}"),
            format!("Bearer {forged_none}"),
        ),
        (
            "forged then valid",
            format!("Bearer {forged_none}"),
            format!("Bearer {good}"),
        ),
        (
            "Basic then Bearer",
            "Basic YTpi".to_owned(),
            format!("Bearer {good}"),
        ),
        (
            "Bearer then an empty value",
            format!("Bearer {good}"),
            String::new(),
        ),
    ] {
        add(
            format!("two Authorization headers: {what}"),
            src,
            H,
            two_authorizations(&first, &second),
            401,
            inv,
        );
    }
    for (what, value) in [
        (
            "Bearer x, Bearer y (folded)",
            format!("Bearer {good}, Bearer {forged_none}"),
        ),
        (
            "the same token, folded",
            format!("Bearer {good}, Bearer {good}"),
        ),
        ("Bearer Bearer x", format!("Bearer Bearer {good}")),
        ("bearer BEARER x", format!("bearer BEARER {good}")),
        ("a trailing comma", format!("Bearer {good},")),
        (
            "two tokens after one scheme",
            format!("Bearer {good} {good}"),
        ),
    ] {
        add(
            format!("Authorization value {what}"),
            src,
            H,
            bearer_raw(&value),
            401,
            inv,
        );
    }

    // --- the same principle for the other carriers: a JSON body key or a query parameter
    //     given twice with different values is refused (a repeat of one value is that
    //     value, like a cookie sent twice); so is a form CSRF field ---
    let json = |body: String| with_body(req("POST", "/posts"), "application/json", body);
    let j = &fx.j_access;
    for (what, body) in [
        (
            "token then forged",
            format!(r#"{{"access_token":"{j}","access_token":"{forged_none}"}}"#),
        ),
        (
            "forged then token",
            format!(r#"{{"access_token":"{forged_none}","access_token":"{j}"}}"#),
        ),
        (
            "token then null",
            format!(r#"{{"access_token":"{j}","access_token":null}}"#),
        ),
        (
            "token then an escaped name",
            format!(r#"{{"access_token":"{j}","access\u005ftoken":"x"}}"#),
        ),
    ] {
        add(
            format!("JSON body key twice: {what}"),
            "RFC 8259 4; RFC 7515 4 (same principle)",
            J,
            json(body),
            401,
            inv,
        );
    }
    add(
        "query parameter twice with different values".into(),
        "same principle",
        J,
        req("GET", &format!("/me?token={j}&token={forged_none}"))
            .body(Body::empty())
            .unwrap(),
        401,
        inv,
    );
    let form = |body: String| {
        with_body(
            cookie("POST", "/posts", &fx.f_access),
            "application/x-www-form-urlencoded",
            body,
        )
    };
    for (what, body) in [
        (
            "right then wrong",
            format!("csrf_token={}&csrf_token=x", fx.f_csrf),
        ),
        (
            "wrong then right",
            format!("csrf_token=x&csrf_token={}", fx.f_csrf),
        ),
        (
            "right then empty",
            format!("csrf_token={}&csrf_token=", fx.f_csrf),
        ),
    ] {
        add(
            format!("form CSRF field twice: {what}"),
            "OWASP CSRF: double submit (same principle)",
            F,
            form(body),
            401,
            "csrf_mismatch",
        );
    }

    // --- Origin / Sec-Fetch-Site (Go's CrossOriginProtection; OWASP CSRF "Fetch Metadata",
    //     "Verifying origin with standard headers") ---
    let csrf_ok = |method: &str, extra: &[(&str, &[u8])]| {
        let mut r = cookie(method, "/posts", &fx.a_access)
            .header("x-csrf-token", &fx.a_csrf)
            .body(Body::empty())
            .unwrap();
        for (k, v) in extra {
            r.headers_mut().append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_bytes(v).unwrap(),
            );
        }
        r
    };
    let xs = "cross_site_request";
    let src = "OWASP CSRF: Fetch Metadata / Origin; Go CrossOriginProtection";
    for (what, headers) in [
        (
            "Sec-Fetch-Site: cross-site",
            vec![("sec-fetch-site", &b"cross-site"[..])],
        ),
        (
            "Sec-Fetch-Site: same-site",
            vec![("sec-fetch-site", b"same-site")],
        ),
        (
            "Sec-Fetch-Site: Cross-Site (unknown value)",
            vec![("sec-fetch-site", b"Cross-Site")],
        ),
        ("Sec-Fetch-Site empty", vec![("sec-fetch-site", b"")]),
        (
            "cross-site with a same-host Origin",
            vec![
                ("sec-fetch-site", b"cross-site"),
                ("origin", b"http://app.example"),
            ],
        ),
        (
            "Origin of another site",
            vec![("origin", b"https://evil.example")],
        ),
        ("Origin null", vec![("origin", b"null")]),
        (
            "Origin on another port",
            vec![("origin", b"http://app.example:8443")],
        ),
        (
            "Origin with our host as a prefix",
            vec![("origin", b"https://app.example.evil.example")],
        ),
        (
            "Origin with a trusted origin as a prefix",
            vec![("origin", b"https://partner.example.evil.example")],
        ),
        (
            "Origin with userinfo",
            vec![("origin", b"https://app.example@evil.example")],
        ),
        (
            "Origin with a non-ASCII byte",
            vec![("origin", b"https://\xc3\xa9vil.example")],
        ),
        ("Origin empty", vec![("origin", b"")]),
    ] {
        add(
            format!("POST /posts, {what}"),
            src,
            C,
            csrf_ok("POST", &headers),
            403,
            xs,
        );
    }
    let mut trace = cookie("TRACE", "/any", &fx.a_access)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    trace.headers_mut().remove("x-csrf-token");
    add(
        "TRACE cross-site on a route taking any method".into(),
        "Go CrossOriginProtection (TRACE is not exempt)",
        C,
        trace,
        403,
        xs,
    );
    add(
        "DELETE /posts, Sec-Fetch-Site: cross-site".into(),
        src,
        C,
        csrf_ok("DELETE", &[("sec-fetch-site", b"cross-site")]),
        403,
        xs,
    );
    add(
        "POST /login cross-site (login CSRF)".into(),
        "OWASP CSRF: login CSRF",
        C,
        req("POST", "/login")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from("user=a&password=b"))
            .unwrap(),
        403,
        xs,
    );
    add(
        "POST /login with a foreign Origin (login CSRF)".into(),
        "OWASP CSRF: login CSRF",
        C,
        req("POST", "/login")
            .header("origin", "https://evil.example")
            .body(Body::from("user=a&password=b"))
            .unwrap(),
        403,
        xs,
    );

    v
}

/// Replays after logout, including the malleated twin of an ES256 signature: revocation is
/// by `jti`, so a second valid signature over the same claims is revoked too.
async fn replay_cases(fx: &Fx) -> Vec<Case> {
    let mut v = Vec::new();
    let e = &fx.apps[E];
    let carol = e.auth.create_login_tokens("carol").unwrap();
    let token = carol.access.as_str().to_owned();
    let twin = malleate_es256(&token);
    assert_ne!(twin, token);
    // The twin is a valid signature (ECDSA is malleable): it gets in before logout.
    let before = e.send(bearer("GET", "/me", &twin)).await;
    assert_eq!(
        before.status, 200,
        "the malleated twin verifies before logout"
    );
    let out = e.send(bearer("POST", "/logout", &token)).await;
    assert_eq!(out.status, 200, "logout");
    let src = "OWASP JWT: token revocation; ECDSA malleability";
    v.push(Case {
        name: "ES256 token replayed after logout".into(),
        source: src,
        app: E,
        req: bearer("GET", "/me", &token),
        status: 401,
        code: "token_revoked",
    });
    v.push(Case {
        name: "ES256 malleated twin (s -> n - s) after logout".into(),
        source: src,
        app: E,
        req: bearer("GET", "/me", &twin),
        status: 401,
        code: "token_revoked",
    });

    let c = &fx.apps[C];
    let dave = c.auth.create_login_tokens("dave").unwrap();
    let jar = format!(
        "access_token_cookie={}; refresh_token_cookie={}",
        dave.access, dave.refresh
    );
    let out = c
        .send(
            req("POST", "/logout")
                .header("cookie", &jar)
                .header("x-csrf-token", dave.access.csrf().unwrap())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(out.status, 200, "cookie logout");
    v.push(Case {
        name: "access cookie replayed after logout".into(),
        source: src,
        app: C,
        req: cookie("GET", "/me", dave.access.as_str())
            .body(Body::empty())
            .unwrap(),
        status: 401,
        code: "token_revoked",
    });
    v.push(Case {
        name: "refresh cookie replayed after logout".into(),
        source: src,
        app: C,
        req: req("POST", "/refresh")
            .header("cookie", format!("refresh_token_cookie={}", dave.refresh))
            .header("x-csrf-token", dave.refresh.csrf().unwrap())
            .body(Body::empty())
            .unwrap(),
        status: 401,
        code: "token_revoked",
    });
    v
}

async fn fixture() -> Fx {
    let apps = vec![
        App::new(
            hs256(&[TokenLocation::Cookies])
                .csrf_exempt_routes(["/webhook"])
                .trusted_origins([TRUSTED]),
        ),
        App::new(hs256(&[TokenLocation::Headers])),
        App::new(rs256()),
        App::new(es256()),
        App::new(eddsa()),
        App::new(mixed()),
        App::new(
            hs256(&[TokenLocation::Headers])
                .issuer("https://issuer.example")
                .audience(["web"]),
        ),
        App::new(hs256(&[TokenLocation::Cookies]).host_prefix(true)),
        App::new(hs256(&[TokenLocation::Json, TokenLocation::Query])),
        App::new(hs256(&[TokenLocation::Cookies]).csrf_check_form(true)),
    ];
    let alice = apps[C].auth.create_login_tokens("alice").unwrap();
    let bob = apps[C].auth.create_login_tokens("bob").unwrap();
    let h = apps[H].auth.create_login_tokens("alice").unwrap();
    let f = apps[F].auth.create_access_token("alice").unwrap();
    Fx {
        j_access: apps[J]
            .auth
            .create_access_token("alice")
            .unwrap()
            .to_string(),
        f_csrf: f.csrf().unwrap().to_owned(),
        f_access: f.to_string(),
        a_access: alice.access.to_string(),
        a_csrf: alice.access.csrf().unwrap().to_owned(),
        a_refresh: alice.refresh.to_string(),
        a_refresh_csrf: alice.refresh.csrf().unwrap().to_owned(),
        b_csrf: bob.access.csrf().unwrap().to_owned(),
        h_access: h.access.to_string(),
        h_refresh: h.refresh.to_string(),
        h_not_fresh: apps[H]
            .auth
            .create_access_token("alice")
            .unwrap()
            .to_string(),
        e_access: apps[E]
            .auth
            .create_access_token("alice")
            .unwrap()
            .to_string(),
        p_access: apps[P]
            .auth
            .create_access_token("alice")
            .unwrap()
            .to_string(),
        apps,
    }
}

/// `claims` with fractional NumericDates (RFC 7519 2): `iat` and `nbf` a half second in the
/// past, `exp` ten minutes and a half second ahead.
fn fractional_times(claims: &str) -> String {
    let mut c: serde_json::Value = serde_json::from_str(claims).unwrap();
    let now = now() as f64;
    c["iat"] = serde_json::json!(now - 0.5);
    c["nbf"] = serde_json::json!(now - 0.5);
    c["exp"] = serde_json::json!(now + 600.5);
    serde_json::to_string(&c).unwrap()
}

/// The requests the cases are variations of: each succeeds and reaches its handler, so a
/// rejection below is caused by the one thing its case changes.
async fn controls(fx: &Fx) {
    let mut controls: Vec<(usize, Request)> = vec![
        (
            C,
            cookie("POST", "/posts", &fx.a_access)
                .header("x-csrf-token", &fx.a_csrf)
                .body(Body::empty())
                .unwrap(),
        ),
        (
            C,
            cookie("POST", "/posts", &fx.a_access)
                .header("x-csrf-token", &fx.a_csrf)
                .header("origin", "http://app.example")
                .header("sec-fetch-site", "same-origin")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            C,
            cookie("POST", "/posts", &fx.a_access)
                .header("x-csrf-token", &fx.a_csrf)
                .header("origin", TRUSTED)
                .body(Body::empty())
                .unwrap(),
        ),
        (
            C,
            cookie("GET", "/me", &fx.a_access)
                .body(Body::empty())
                .unwrap(),
        ),
        (
            C,
            cookie("HEAD", "/me", &fx.a_access)
                .body(Body::empty())
                .unwrap(),
        ),
        (
            C,
            req("GET", "/me")
                .header(
                    "cookie",
                    format!(
                        "access_token_cookie={0}; access_token_cookie={0}",
                        fx.a_access
                    ),
                )
                .body(Body::empty())
                .unwrap(),
        ),
        (
            C,
            cookie("POST", "/webhook", &fx.a_access)
                .header("sec-fetch-site", "cross-site")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            C,
            req("POST", "/login")
                .header("sec-fetch-site", "same-origin")
                .body(Body::empty())
                .unwrap(),
        ),
        (
            C,
            req("POST", "/refresh")
                .header("cookie", format!("refresh_token_cookie={}", fx.a_refresh))
                .header("x-csrf-token", &fx.a_refresh_csrf)
                .body(Body::empty())
                .unwrap(),
        ),
        (H, bearer("GET", "/me", &fx.h_access)),
        (H, bearer("POST", "/fresh", &fx.h_access)),
        (
            H,
            bearer("GET", "/me", &signed(HS_HEADER, &claims("alice", "x"))),
        ),
        (
            H,
            bearer(
                "GET",
                "/me",
                &signed(
                    r#"{"alg":"HS256","kid":"hs-1","typ":"JWT","b64":true,"x5t":"dGh1bWI","ext":[1,{"a":null}]}"#,
                    &claims("alice", "x"),
                ),
            ),
        ),
        (H, bearer("POST", "/refresh", &fx.h_refresh)),
        (
            H,
            bearer(
                "GET",
                "/me",
                &signed(HS_HEADER, &fractional_times(&claims("alice", "x"))),
            ),
        ),
        (
            R,
            bearer(
                "GET",
                "/me",
                fx.apps[R].auth.create_access_token("a").unwrap().as_str(),
            ),
        ),
        (E, bearer("GET", "/me", &fx.e_access)),
        (
            D,
            bearer(
                "GET",
                "/me",
                fx.apps[D].auth.create_access_token("a").unwrap().as_str(),
            ),
        ),
        (
            M,
            bearer(
                "GET",
                "/me",
                fx.apps[M].auth.create_access_token("a").unwrap().as_str(),
            ),
        ),
        (
            I,
            bearer(
                "GET",
                "/me",
                fx.apps[I].auth.create_access_token("a").unwrap().as_str(),
            ),
        ),
        (
            P,
            req("GET", "/me")
                .header(
                    "cookie",
                    format!("__Host-access_token_cookie={}", fx.p_access),
                )
                .body(Body::empty())
                .unwrap(),
        ),
    ];
    controls.extend([
        (
            J,
            with_body(
                req("POST", "/posts"),
                "application/json",
                format!(r#"{{"access_token":"{}","x":1}}"#, fx.j_access),
            ),
        ),
        (
            J,
            with_body(
                req("POST", "/posts"),
                "application/json",
                format!(
                    r#"{{"access_token":"{0}","access_token":"{0}"}}"#,
                    fx.j_access
                ),
            ),
        ),
        (
            J,
            req("GET", &format!("/me?token={0}&token={0}", fx.j_access))
                .body(Body::empty())
                .unwrap(),
        ),
        (
            F,
            with_body(
                cookie("POST", "/posts", &fx.f_access),
                "application/x-www-form-urlencoded",
                format!("title=x&csrf_token={0}&csrf_token={0}", fx.f_csrf),
            ),
        ),
        (H, bearer_raw(&format!("bearer   {} ", fx.h_access))),
    ]);
    for (i, (app, r)) in controls.into_iter().enumerate() {
        let label = format!("{} {} on {}", r.method(), r.uri(), APP_NAMES[app]);
        let out = fx.apps[app].send(r).await;
        assert!(
            out.status == 200 && out.handler_ran,
            "control {i} ({label}) should pass: {out:?}"
        );
    }
    // The retired RS256 key of the mixed app still verifies its own tokens.
    let retired = authjwt::Auth::new(
        authjwt::Config::builder()
            .signing_key(
                SigningKey::from_pem(Algorithm::RS256, RSA_PRIVATE)
                    .unwrap()
                    .with_kid("rsa-1"),
            )
            .token_location([TokenLocation::Headers])
            .build()
            .unwrap(),
    );
    let out = fx.apps[M]
        .send(bearer(
            "GET",
            "/me",
            retired.create_access_token("a").unwrap().as_str(),
        ))
        .await;
    assert_eq!(out.status, 200, "retired key control");
}

#[tokio::test]
async fn adversarial_requests_are_refused_before_the_handler() {
    let fx = fixture().await;
    controls(&fx).await;
    let mut all = cases(&fx);
    all.extend(replay_cases(&fx).await);
    let mut failures = Vec::new();
    let total = all.len();
    println!(
        "{:<4} {:<12} {:<6} {:<24} case  [source]",
        "#", "app", "status", "code"
    );
    for (i, case) in all.into_iter().enumerate() {
        let head = case.req.method() == http::Method::HEAD;
        let out = fx.apps[case.app].send(case.req).await;
        println!(
            "{:<4} {:<12} {:<6} {:<24} {}  [{}]",
            i + 1,
            APP_NAMES[case.app],
            out.status,
            out.header_code.as_deref().unwrap_or("-"),
            case.name,
            case.source
        );
        let mut problems = Vec::new();
        if out.panicked {
            problems.push("panicked".to_owned());
        }
        if out.handler_ran {
            problems.push("the handler ran".to_owned());
        }
        if out.status != case.status {
            problems.push(format!("status {} != {}", out.status, case.status));
        }
        // HEAD responses carry no body (RFC 9110 9.3.2): the code is checked in the header.
        if head {
            if !out.body.is_empty() {
                problems.push("HEAD response with a body".to_owned());
            }
        } else if out.code.as_deref() != Some(case.code) {
            problems.push(format!("JSON code {:?} != {:?}", out.code, case.code));
        }
        if out.header_code.as_deref() != Some(case.code) {
            problems.push(format!(
                "x-auth-code {:?} != {:?}",
                out.header_code, case.code
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "#{} {} ({}): {}",
                i + 1,
                case.name,
                APP_NAMES[case.app],
                problems.join("; ")
            ));
        }
    }
    println!("{total} adversarial cases, {} failed", failures.len());
    assert!(
        total >= 80,
        "the suite must keep at least 80 cases, has {total}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
