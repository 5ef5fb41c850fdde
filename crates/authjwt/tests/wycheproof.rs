//! Wycheproof's JOSE vectors (tests/data/wycheproof, C2SP/wycheproof at
//! dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166) run through the verifier.
//!
//! Every JWS case goes through the same code path as `Auth::verify_token` up to and
//! including the signature (`authjwt::dangerous::verify_signature_only`: the vectors' payloads are not
//! this library's claims). The key is built from the case's JWK with
//! `VerifyingKey::from_jwk`, exactly as an application would configure a key published as a
//! JWK, and added to a `Config` as a `kid`-selected verifying key. A JWK the library refuses
//! to build means the token cannot verify.
//!
//! Every case that must fail fails and every case that must pass passes, except the
//! vectors listed in [`DEVIATIONS`], each with its reason and the verdict the library gives
//! instead (asserted too). Cases for algorithms the library does not implement are counted
//! and printed as unsupported; none is dropped. A per-algorithm summary is printed.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::expect_used)]

use std::collections::BTreeMap;

use authjwt::{
    Config, ConfigError,
    keys::{Algorithm, KeyError, SigningKey, VerifyingKey},
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

const JWS: &str = include_str!("data/wycheproof/json_web_signature_test.json");
const JWK: &str = include_str!("data/wycheproof/json_web_key_test.json");

/// Algorithms this library does not implement, by their JOSE names in the vectors.
const UNSUPPORTED: &[&str] = &["ES512", "ES521"];

/// Vectors whose expected result the library deliberately does not give: (file, tcId,
/// the library's verdict, why).
const DEVIATIONS: &[(&str, u64, bool, &str)] = &[
    (
        "jws",
        346,
        false,
        "RFC 7520 figure 20 is a PS384 token, but the vector's JWK says alg PS256: the key is \
         pinned to PS256 (RFC 7517 4.4; Wycheproof's own 'Ignoring alg field in key'), so \
         the PS384 header is refused",
    ),
    ("jws", 350, false, "as tcId 346, with key_ops"),
    (
        "jws",
        367,
        true,
        "byte-identical to tcId 357, which is valid: the padding this vector is named for is \
         not in the file (see check_deviation_facts)",
    ),
    ("jws", 370, true, "byte-identical to tcId 357, as tcId 367"),
    (
        "jws",
        372,
        false,
        "a '?' inside the header segment: not base64url (RFC 7515 2, 7.1), and the signing \
         input is the segment as sent, so the MAC of tcId 357 cannot match it either",
    ),
    (
        "jws",
        373,
        false,
        "a '?' inside the payload segment, as tcId 372",
    ),
    (
        "jwk",
        1,
        true,
        "a key set holding an HMAC key beside an EC key: every key is pinned to one algorithm \
         and chosen by kid, so the confusion the rule guards against cannot happen, and an \
         HS256 to ES256 migration needs both keys; HMAC keys are never published in the JWKS",
    ),
];

/// Checks, from the data, the facts the deviations rest on.
fn check_deviation_facts() {
    let doc: Value = serde_json::from_str(JWS).unwrap();
    let mut by_id = BTreeMap::new();
    for g in doc["testGroups"].as_array().unwrap() {
        for t in g["tests"].as_array().unwrap() {
            by_id.insert(t["tcId"].as_u64().unwrap(), (g, t["jws"].as_str().unwrap()));
        }
    }
    for id in [346, 350] {
        let (g, jws) = by_id[&id];
        assert_eq!(g["public"]["alg"], "PS256");
        assert_eq!(header_alg(jws), "PS384");
    }
    for id in [367, 370] {
        assert_eq!(by_id[&id].1, by_id[&357].1);
    }
    for id in [372, 373] {
        assert!(by_id[&id].1.contains('?'));
    }
    let doc: Value = serde_json::from_str(JWK).unwrap();
    let keys = &doc["testGroups"][0]["private"]["keys"];
    assert_eq!(
        (keys[0]["kty"].as_str(), keys[1]["kty"].as_str()),
        (Some("oct"), Some("EC"))
    );
}

#[derive(Default)]
struct Tally {
    valid_passed: usize,
    invalid_failed: usize,
    unsupported: usize,
    deviations: usize,
    wrong: usize,
}

/// The configuration verifying with `keys`: each key under its `kid`, next to a signing key
/// whose `kid` no vector names (a `Config` always has one).
fn config(keys: Vec<VerifyingKey>) -> Result<Config, ConfigError> {
    let mut unused = [0u8; 32];
    aws_lc_rs::rand::fill(&mut unused).unwrap();
    let mut b = Config::builder().signing_key(
        SigningKey::from_secret(Algorithm::HS256, &unused)
            .unwrap()
            .with_kid("wycheproof-harness-signing-key-never-named"),
    );
    for k in keys {
        b = b.verifying_key(k);
    }
    b.build()
}

fn header_alg(jws: &str) -> String {
    jws.split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .and_then(|h| h["alg"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "(no alg)".to_owned())
}

fn is_unsupported(jwk: &Value) -> bool {
    jwk["alg"]
        .as_str()
        .is_some_and(|a| UNSUPPORTED.contains(&a))
        || jwk["crv"] == "P-521"
}

struct Outcome {
    file: &'static str,
    id: u64,
    comment: String,
    alg: String,
    expected: String,
    ours: bool,
    unsupported: bool,
}

/// The library's verdict on one token against a key set, and the payload it returned.
fn verify(config: Option<&Config>, jws: &str) -> bool {
    let Some(config) = config else { return false };
    match authjwt::dangerous::verify_signature_only(config, jws) {
        Ok(payload) => {
            // What verified is the payload of the token, decoded.
            let p64 = jws.split('.').nth(1).unwrap();
            assert_eq!(payload, URL_SAFE_NO_PAD.decode(p64).unwrap());
            true
        }
        Err(_) => false,
    }
}

fn run_jws() -> Vec<Outcome> {
    let doc: Value = serde_json::from_str(JWS).unwrap();
    assert_eq!(doc["numberOfTests"], 401);
    let mut out = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        let jwk = if group["public"].is_object() {
            &group["public"]
        } else {
            &group["private"]
        };
        let unsupported = is_unsupported(jwk);
        let key = VerifyingKey::from_jwk(jwk, None);
        if unsupported {
            assert!(
                matches!(key, Err(KeyError::Jwk(_))),
                "a JWK of an unsupported algorithm is refused"
            );
        }
        let config = key.ok().and_then(|k| config(vec![k]).ok());
        for t in group["tests"].as_array().unwrap() {
            let jws = t["jws"].as_str().unwrap();
            out.push(Outcome {
                file: "jws",
                id: t["tcId"].as_u64().unwrap(),
                comment: t["comment"].as_str().unwrap_or("").to_owned(),
                alg: jwk["alg"]
                    .as_str()
                    .map_or_else(|| header_alg(jws), str::to_owned),
                expected: t["result"].as_str().unwrap().to_owned(),
                ours: verify(config.as_ref(), jws),
                unsupported,
            });
        }
    }
    assert_eq!(out.len(), 401, "every JWS case ran");
    out
}

fn run_jwk() -> Vec<Outcome> {
    let doc: Value = serde_json::from_str(JWK).unwrap();
    let mut out = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        let set = if group["public"].is_object() {
            &group["public"]
        } else {
            &group["private"]
        };
        let jwks = set["keys"].as_array().unwrap();
        let unsupported = jwks.iter().all(is_unsupported);
        // The whole set is refused if one key is (an application would refuse to start).
        let keys: Result<Vec<VerifyingKey>, KeyError> = jwks
            .iter()
            .map(|k| VerifyingKey::from_jwk(k, None))
            .collect();
        let config = keys.ok().and_then(|k| config(k).ok());
        for t in group["tests"].as_array().unwrap() {
            let jws = t["jws"].as_str().unwrap();
            out.push(Outcome {
                file: "jwk",
                id: t["tcId"].as_u64().unwrap(),
                comment: format!(
                    "{}: {}",
                    group["comment"].as_str().unwrap_or(""),
                    t["comment"].as_str().unwrap_or("")
                ),
                alg: header_alg(jws),
                expected: t["result"].as_str().unwrap().to_owned(),
                ours: verify(config.as_ref(), jws),
                unsupported,
            });
        }
    }
    assert_eq!(out.len(), doc["numberOfTests"].as_u64().unwrap() as usize);
    out
}

#[test]
fn wycheproof_jose_vectors() {
    check_deviation_facts();
    let mut all = run_jws();
    all.extend(run_jwk());
    let mut by_alg: BTreeMap<String, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut seen_deviations = Vec::new();
    for o in &all {
        let tally = by_alg.entry(o.alg.clone()).or_default();
        if o.unsupported {
            // Never accepted: the key cannot even be built.
            assert!(!o.ours, "{} {}: unsupported yet accepted", o.file, o.id);
            tally.unsupported += 1;
            continue;
        }
        if let Some((_, _, verdict, _)) = DEVIATIONS
            .iter()
            .find(|(f, id, _, _)| *f == o.file && *id == o.id)
        {
            seen_deviations.push((o.file, o.id));
            if o.ours != *verdict {
                failures.push(format!(
                    "{} tcId {} ({}): documented deviation expects {verdict}, got {}",
                    o.file, o.id, o.comment, o.ours
                ));
            }
            tally.deviations += 1;
            continue;
        }
        match (o.expected.as_str(), o.ours) {
            ("valid", true) => tally.valid_passed += 1,
            ("invalid", false) => tally.invalid_failed += 1,
            ("acceptable", ours) => {
                if ours {
                    tally.valid_passed += 1;
                } else {
                    tally.invalid_failed += 1;
                }
            }
            (expected, ours) => {
                tally.wrong += 1;
                failures.push(format!(
                    "{} tcId {} [{}] ({}): expected {expected}, ours {}",
                    o.file,
                    o.id,
                    o.alg,
                    o.comment,
                    if ours { "valid" } else { "invalid" }
                ));
            }
        }
    }
    println!(
        "{:<12} {:>8} {:>10} {:>12} {:>10} {:>6} {:>7}",
        "algorithm", "valid ok", "invalid ok", "unsupported", "deviation", "WRONG", "total"
    );
    let mut totals = [0usize; 6];
    for (alg, t) in &by_alg {
        let total = t.valid_passed + t.invalid_failed + t.unsupported + t.deviations + t.wrong;
        println!(
            "{:<12} {:>8} {:>10} {:>12} {:>10} {:>6} {:>7}",
            alg, t.valid_passed, t.invalid_failed, t.unsupported, t.deviations, t.wrong, total
        );
        let row = [
            t.valid_passed,
            t.invalid_failed,
            t.unsupported,
            t.deviations,
            t.wrong,
            total,
        ];
        for (i, n) in row.into_iter().enumerate() {
            totals[i] += n;
        }
    }
    println!(
        "{:<12} {:>8} {:>10} {:>12} {:>10} {:>6} {:>7}",
        "all", totals[0], totals[1], totals[2], totals[3], totals[4], totals[5]
    );
    for (file, id, verdict, why) in DEVIATIONS {
        println!(
            "deviation {file} tcId {id}: ours {}: {why}",
            if *verdict { "valid" } else { "invalid" }
        );
    }
    assert_eq!(totals[5], all.len(), "no case dropped");
    assert_eq!(
        seen_deviations.len(),
        DEVIATIONS.len(),
        "every documented deviation is a real vector"
    );
    assert!(
        failures.is_empty(),
        "{} Wycheproof cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
