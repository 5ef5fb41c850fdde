//! Keys: the signing key, the verification keys by `kid` (rotation), and the JWKS document.
//!
//! Keys are parsed and prepared once (HMAC keyed, public keys parsed) so the request path
//! only runs the signature primitive. The primitives are aws-lc-rs, called directly: the
//! process-wide crypto provider of `jsonwebtoken` is never consulted, so a dependency graph
//! that enables both or neither of its backends cannot make verification panic.

mod algorithm;
mod header;
mod keyset;
mod signing;
mod verifying;

pub use algorithm::Algorithm;
pub(crate) use algorithm::*;
pub(crate) use header::{encode_header, standard_header};
pub use keyset::KeySet;
pub use signing::SigningKey;
pub use verifying::VerifyingKey;
pub(crate) use verifying::*;

/// A key could not be built. The message says what was expected; it never contains key bytes.
///
/// ```
/// use authjwt::{keys::{Algorithm, KeyError, SigningKey}};
/// let err = SigningKey::from_secret(Algorithm::HS512, &[7u8; 32]).unwrap_err();
/// assert_eq!(err, KeyError::ShortSecret { alg: Algorithm::HS512, len: 32, min: 64 });
/// assert!(err.to_string().contains("at least 64 bytes"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The HMAC secret is shorter than the hash output of its algorithm (RFC 7518 3.2).
    #[error(
        "the {alg:?} secret is {len} bytes; it must be at least {min} bytes (RFC 7518 3.2). \
         Generate one with `openssl rand -base64 {min}`, or, for a legacy secret you cannot \
         change yet, use SigningKey::dangerous_short_hmac_secret"
    )]
    ShortSecret {
        /// The algorithm.
        alg: Algorithm,
        /// The secret's length in bytes.
        len: usize,
        /// The minimum length in bytes.
        min: usize,
    },
    /// The key material does not parse as a key for this algorithm.
    #[error("the key is not a valid {alg:?} {what}")]
    Invalid {
        /// The algorithm.
        alg: Algorithm,
        /// What was expected (for example "PEM private key").
        what: &'static str,
    },
    /// The algorithm's family does not match the constructor (for example an RSA algorithm
    /// given to an HMAC constructor).
    #[error("{alg:?} cannot be used with {what}")]
    WrongFamily {
        /// The algorithm.
        alg: Algorithm,
        /// The kind of key the constructor builds.
        what: &'static str,
    },
    /// A JSON Web Key cannot be used to verify signatures; the message says why (it never
    /// contains key material).
    #[error("unusable JWK: {0}")]
    Jwk(&'static str),
}

#[cfg(test)]
mod tests {

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    const KEYS: &[(Algorithm, &[u8], &[u8])] = &[
        (
            Algorithm::RS256,
            include_bytes!("../../tests/keys/rsa_private.pem"),
            include_bytes!("../../tests/keys/rsa_public.pem"),
        ),
        (
            Algorithm::PS512,
            include_bytes!("../../tests/keys/rsa_private.pem"),
            include_bytes!("../../tests/keys/rsa_public.pem"),
        ),
        (
            Algorithm::ES256,
            include_bytes!("../../tests/keys/ec256_private.pem"),
            include_bytes!("../../tests/keys/ec256_public.pem"),
        ),
        (
            Algorithm::ES384,
            include_bytes!("../../tests/keys/ec384_private.pem"),
            include_bytes!("../../tests/keys/ec384_public.pem"),
        ),
        (
            Algorithm::EdDSA,
            include_bytes!("../../tests/keys/ed25519_private.pem"),
            include_bytes!("../../tests/keys/ed25519_public.pem"),
        ),
    ];

    #[test]
    fn every_asymmetric_key_signs_and_verifies_from_pem() {
        for (alg, private, public) in KEYS {
            let signing = SigningKey::from_pem(*alg, private).unwrap();
            let verifying = VerifyingKey::from_pem(*alg, public).unwrap();
            let sig = signing.sign(b"message").unwrap();
            assert!(verifying.verify(b"message", &sig), "{alg:?}");
            assert!(signing.verifying_key().verify(b"message", &sig), "{alg:?}");
            assert!(!verifying.verify(b"messagf", &sig), "{alg:?}");
            let jwk = verifying.to_jwk().unwrap();
            assert_eq!(jwk["alg"], format!("{alg:?}"));
        }
    }

    #[test]
    fn hmac_secret_lengths_follow_rfc_7518() {
        for (alg, min) in [
            (Algorithm::HS256, 32),
            (Algorithm::HS384, 48),
            (Algorithm::HS512, 64),
        ] {
            assert!(matches!(
                SigningKey::from_secret(alg, &vec![1; min - 1]),
                Err(KeyError::ShortSecret { .. })
            ));
            let key = SigningKey::from_secret(alg, &vec![1; min]).unwrap();
            let sig = key.sign(b"m").unwrap();
            assert!(key.verifying_key().verify(b"m", &sig));
        }
        assert!(SigningKey::dangerous_short_hmac_secret(Algorithm::HS256, b"secret").is_ok());
    }

    #[test]
    fn families_cannot_be_mixed() {
        assert!(SigningKey::from_secret(Algorithm::RS256, &[0; 64]).is_err());
        let rsa = include_bytes!("../../tests/keys/rsa_public.pem");
        assert!(VerifyingKey::from_pem(Algorithm::HS256, rsa).is_err());
        assert!(VerifyingKey::from_pem(Algorithm::ES256, rsa).is_err());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let key =
            SigningKey::from_secret(Algorithm::HS256, b"super-secret-super-secret-super-secret")
                .unwrap();
        let dbg = format!("{key:?} {:?}", KeySet::new(key.clone()));
        assert!(!dbg.contains("super-secret"));
        assert!(dbg.contains("redacted"));
    }

    #[test]
    fn from_jwk_round_trips_every_public_key() {
        for (alg, private, _) in KEYS {
            let signing = SigningKey::from_pem(*alg, private).unwrap().with_kid("k");
            let jwk = signing.verifying_key().to_jwk().unwrap();
            let key = VerifyingKey::from_jwk(&jwk, None).unwrap();
            assert_eq!((key.algorithm(), key.kid()), (*alg, Some("k")));
            let sig = signing.sign(b"message").unwrap();
            assert!(key.verify(b"message", &sig), "{alg:?}");
            assert!(!key.verify(b"messagf", &sig), "{alg:?}");
            // Without alg in the JWK, the caller's algorithm pins it.
            let mut bare = jwk.clone();
            bare.as_object_mut().unwrap().remove("alg");
            assert_eq!(
                VerifyingKey::from_jwk(&bare, Some(*alg))
                    .unwrap()
                    .algorithm(),
                *alg
            );
            assert!(VerifyingKey::from_jwk(&bare, None).is_err());
        }
        let oct = serde_json::json!({"kty": "oct", "alg": "HS256", "k": URL_SAFE_NO_PAD.encode([9u8; 32])});
        let key = VerifyingKey::from_jwk(&oct, None).unwrap();
        let signing = SigningKey::from_secret(Algorithm::HS256, &[9u8; 32]).unwrap();
        assert!(key.verify(b"m", &signing.sign(b"m").unwrap()));
    }

    #[test]
    fn from_jwk_refuses_what_it_cannot_verify_safely() {
        let es = SigningKey::from_pem(Algorithm::ES256, KEYS[2].1).unwrap();
        let good = es.verifying_key().to_jwk().unwrap();
        let rsa = SigningKey::from_pem(Algorithm::RS256, KEYS[0].1).unwrap();
        let rsa = rsa.verifying_key().to_jwk().unwrap();
        let with = |base: &serde_json::Value, k: &str, v: serde_json::Value| {
            let mut j = base.clone();
            j[k] = v;
            j
        };
        let mut flipped_y = URL_SAFE_NO_PAD.decode(good["y"].as_str().unwrap()).unwrap();
        flipped_y[31] ^= 1;
        let n = URL_SAFE_NO_PAD.decode(rsa["n"].as_str().unwrap()).unwrap();
        let mut zero_n = vec![0u8];
        zero_n.extend_from_slice(&n);
        let cases = [
            ("not an object", serde_json::json!("EC"), None),
            ("use enc", with(&good, "use", "enc".into()), None),
            (
                "key_ops",
                with(&good, "key_ops", serde_json::json!(["encrypt"])),
                None,
            ),
            ("private", with(&good, "d", "AAAA".into()), None),
            ("P-521", with(&good, "crv", "P-521".into()), None),
            ("ES512", with(&good, "alg", "ES512".into()), None),
            ("none", with(&good, "alg", "none".into()), None),
            ("alg asked differs", good.clone(), Some(Algorithm::ES384)),
            ("kty", with(&good, "kty", "RSA".into()), None),
            ("x short", with(&good, "x", "AAAA".into()), None),
            (
                "x padded",
                with(
                    &good,
                    "x",
                    format!("{}=", good["x"].as_str().unwrap()).into(),
                ),
                None,
            ),
            (
                "off curve",
                with(&good, "y", URL_SAFE_NO_PAD.encode(&flipped_y).into()),
                None,
            ),
            ("rsa as ES256", with(&rsa, "alg", "ES256".into()), None),
            (
                "n leading zero",
                with(&rsa, "n", URL_SAFE_NO_PAD.encode(&zero_n).into()),
                None,
            ),
            (
                "rsa 1024",
                with(&rsa, "n", URL_SAFE_NO_PAD.encode(&n[..128]).into()),
                None,
            ),
            ("e number", with(&rsa, "e", 65537.into()), None),
            (
                "short oct",
                serde_json::json!({"kty": "oct", "alg": "HS256", "k": URL_SAFE_NO_PAD.encode([1u8; 31])}),
                None,
            ),
            (
                "empty oct",
                serde_json::json!({"kty": "oct", "alg": "HS256", "k": ""}),
                None,
            ),
            (
                "aes",
                serde_json::json!({"kty": "oct", "alg": "A256GCM", "k": URL_SAFE_NO_PAD.encode([1u8; 32])}),
                None,
            ),
            (
                "okp x25519",
                serde_json::json!({"kty": "OKP", "crv": "X25519", "alg": "EdDSA", "x": URL_SAFE_NO_PAD.encode([1u8; 32])}),
                None,
            ),
        ];
        for (name, jwk, alg) in cases {
            let err = VerifyingKey::from_jwk(&jwk, alg).unwrap_err();
            // Errors never echo key material.
            assert!(
                !err.to_string().contains(good["x"].as_str().unwrap()),
                "{name}"
            );
        }
    }

    #[test]
    fn roca_fingerprint_detection() {
        // No modulus of the test keys has it.
        for (alg, _, public) in &KEYS[..2] {
            assert!(VerifyingKey::from_pem(*alg, public).is_ok());
        }
        // A product of primes congruent to powers of 65537 has it: the residues of
        // 65537^k for every small prime are what the test looks for. 65537 itself passes.
        assert!(roca_fingerprint(&65537u32.to_be_bytes()));
        assert!(roca_fingerprint(&(65537u64 * 65537).to_be_bytes()));
        assert!(!roca_fingerprint(&65539u32.to_be_bytes()));
        assert!(!roca_fingerprint(&[0]));
    }

    #[test]
    fn jwks_lists_public_keys_only() {
        let hs = KeySet::new(SigningKey::from_secret(Algorithm::HS256, &[0; 32]).unwrap());
        assert_eq!(hs.jwks(), serde_json::json!({"keys": []}));
        let es = SigningKey::from_pem(Algorithm::ES256, KEYS[2].1)
            .unwrap()
            .with_kid("a");
        let jwks = KeySet::new(es).jwks();
        assert_eq!(jwks["keys"][0]["crv"], "P-256");
        assert_eq!(jwks["keys"][0]["x"].as_str().unwrap().len(), 43);
    }
}
