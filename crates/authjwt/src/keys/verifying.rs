//! [`VerifyingKey`]: a key that verifies tokens, from a secret, a PEM or a JWK.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::hmac;
use aws_lc_rs::signature::{self as sig};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;

#[allow(clippy::large_enum_variant)]
pub(super) enum Verifier {
    Hmac(hmac::Key),
    Public(sig::ParsedPublicKey),
}

/// A key that verifies tokens of one algorithm, optionally under a `kid`.
///
/// ```
/// use authjwt::{keys::{Algorithm, VerifyingKey}};
///
/// let pem = include_bytes!("../../tests/keys/rsa_public.pem");
/// let key = VerifyingKey::from_pem(Algorithm::RS256, pem)?.with_kid("2026-10");
/// assert_eq!(key.kid(), Some("2026-10"));
/// # Ok::<(), authjwt::keys::KeyError>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    pub(super) alg: Algorithm,
    pub(super) kid: Option<Arc<str>>,
    pub(super) verifier: Arc<Verifier>,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl VerifyingKey {
    /// An HMAC verification key (for a retired HMAC secret that must keep verifying).
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, VerifyingKey}};
    /// let retired = VerifyingKey::from_secret(Algorithm::HS256, &[1u8; 32])?.with_kid("2026-10");
    /// assert_eq!(retired.algorithm(), Algorithm::HS256);
    /// assert!(retired.to_jwk().is_none()); // secrets are never published
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        Ok(SigningKey::from_secret(alg, secret)?.verifying)
    }

    /// A public key in PEM form (SubjectPublicKeyInfo, or PKCS#1 for RSA).
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, VerifyingKey}};
    /// let pem = include_bytes!("../../tests/keys/ec256_public.pem");
    /// let key = VerifyingKey::from_pem(Algorithm::ES256, pem)?;
    /// assert_eq!(key.to_jwk().unwrap()["kty"], "EC");
    /// // The algorithm must fit the key.
    /// assert!(VerifyingKey::from_pem(Algorithm::RS256, pem).is_err());
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn from_pem(alg: Algorithm, pem: &[u8]) -> Result<Self, KeyError> {
        let invalid = KeyError::Invalid {
            alg,
            what: "PEM public key",
        };
        let key = match family(alg) {
            Family::Hmac => {
                return Err(KeyError::WrongFamily {
                    alg,
                    what: "a PEM key",
                });
            }
            Family::Rsa => jsonwebtoken::DecodingKey::from_rsa_pem(pem),
            Family::Ec => jsonwebtoken::DecodingKey::from_ec_pem(pem),
            Family::Ed => jsonwebtoken::DecodingKey::from_ed_pem(pem),
        }
        .map_err(|_| invalid.clone())?;
        let bytes = key.try_get_as_bytes().map_err(|_| invalid)?;
        Self::from_public_bytes(alg, bytes, "PEM public key")
    }

    /// A public key in DER form: SubjectPublicKeyInfo (any family), PKCS#1 `RSAPublicKey`,
    /// or the raw point / raw Ed25519 key.
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, VerifyingKey}};
    /// let der = include_bytes!("../../tests/keys/rsa_public.der");
    /// let key = VerifyingKey::from_der(Algorithm::RS256, der)?.with_kid("2026-10");
    /// assert_eq!(key.to_jwk().unwrap()["kty"], "RSA");
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn from_der(alg: Algorithm, der: &[u8]) -> Result<Self, KeyError> {
        Self::from_public_bytes(alg, der, "DER public key")
    }

    pub(super) fn from_public_bytes(
        alg: Algorithm,
        bytes: &[u8],
        what: &'static str,
    ) -> Result<Self, KeyError> {
        if family(alg) == Family::Hmac {
            return Err(KeyError::WrongFamily {
                alg,
                what: "a public key",
            });
        }
        let parsed = sig::ParsedPublicKey::new(verification_algorithm(alg), bytes)
            .map_err(|_| KeyError::Invalid { alg, what })?;
        if family(alg) == Family::Rsa && rsa_modulus(&parsed).is_none_or(|n| roca_fingerprint(&n)) {
            return Err(KeyError::Invalid {
                alg,
                what: "RSA key: its modulus has the ROCA fingerprint (CVE-2017-15361), \
                       so its private key can be computed; generate a new key",
            });
        }
        Ok(Self {
            alg,
            kid: None,
            verifier: Arc::new(Verifier::Public(parsed)),
        })
    }

    /// A verification key from a JSON Web Key (RFC 7517, RFC 7518 section 6), such as one
    /// entry of another service's JWKS document.
    ///
    /// | `kty` | members used | algorithms |
    /// |---|---|---|
    /// | `RSA` | `n`, `e` | RS256/384/512, PS256/384/512 (2048 to 8192 bits) |
    /// | `EC` | `crv` (`P-256` or `P-384`), `x`, `y` | ES256 with P-256, ES384 with P-384 |
    /// | `OKP` | `crv` (`Ed25519`), `x` | EdDSA |
    /// | `oct` | `k` (at least 32/48/64 bytes) | HS256/384/512 |
    ///
    /// The key is pinned to one algorithm, like every [`VerifyingKey`]: the JWK's `alg`, or
    /// `alg` when the JWK has none; when both are given they must agree. Refused: a JWK
    /// without any algorithm, an algorithm or curve this library does not implement (P-521,
    /// secp256k1, X25519, AES, `none`), a `kty` or `crv` that does not fit the algorithm,
    /// members of the wrong length or not in strict base64url, an EC point that is not on its
    /// curve, an RSA key the signature primitive refuses (under 2048 bits, bad exponent), a
    /// `use` other than `sig`, `key_ops` without `verify`, and, for RSA, EC and OKP, a
    /// private key (`d` present: publish and configure only the public half). The `kid`, when
    /// present, is kept.
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, VerifyingKey}};
    ///
    /// let jwk = serde_json::json!({
    ///     "kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "k1", "use": "sig",
    ///     "x": "04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY",
    ///     "y": "UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw",
    /// });
    /// let key = VerifyingKey::from_jwk(&jwk, None)?;
    /// assert_eq!((key.algorithm(), key.kid()), (Algorithm::ES256, Some("k1")));
    ///
    /// // The JWK's alg pins the key: asking for another algorithm is refused.
    /// assert!(VerifyingKey::from_jwk(&jwk, Some(Algorithm::ES384)).is_err());
    /// // A point that is not on the curve is refused.
    /// let mut bad = jwk.clone();
    /// bad["y"] = "UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgnw".into();
    /// assert!(VerifyingKey::from_jwk(&bad, None).is_err());
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn from_jwk(jwk: &serde_json::Value, alg: Option<Algorithm>) -> Result<Self, KeyError> {
        let jwk = jwk.as_object().ok_or(KeyError::Jwk("not a JSON object"))?;
        let text = |name: &str| match jwk.get(name) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(KeyError::Jwk("a member that must be a string is not one")),
        };
        let alg = match (text("alg")?, alg) {
            (Some(named), asked) => {
                let named: Algorithm = named.parse().map_err(|()| {
                    KeyError::Jwk("its alg is not an algorithm this library verifies")
                })?;
                if asked.is_some_and(|a| a != named) {
                    return Err(KeyError::Jwk(
                        "its alg differs from the algorithm asked for",
                    ));
                }
                named
            }
            (None, Some(asked)) => asked,
            (None, None) => {
                return Err(KeyError::Jwk("it names no alg: pass the algorithm"));
            }
        };
        if let Some(usage) = text("use")?
            && usage != "sig"
        {
            return Err(KeyError::Jwk("its use is not sig"));
        }
        if let Some(ops) = jwk.get("key_ops") {
            let ops = ops
                .as_array()
                .ok_or(KeyError::Jwk("key_ops is not an array"))?;
            if !ops.iter().any(|op| op == "verify") {
                return Err(KeyError::Jwk("its key_ops do not include verify"));
            }
        }
        let member = |name: &str| -> Result<Vec<u8>, KeyError> {
            let value = text(name)?.ok_or(KeyError::Jwk("a required member is missing"))?;
            URL_SAFE_NO_PAD
                .decode(value)
                .map_err(|_| KeyError::Jwk("a member is not strict base64url"))
        };
        let (kty, crv) = (text("kty")?, text("crv")?);
        let fam = family(alg);
        if fam != Family::Hmac && jwk.contains_key("d") {
            return Err(KeyError::Jwk(
                "it is a private key: configure the public JWK",
            ));
        }
        let key = match (fam, kty) {
            (Family::Hmac, Some("oct")) => Self::from_secret(alg, &member("k")?)?,
            (Family::Rsa, Some("RSA")) => {
                let (n, e) = (member("n")?, member("e")?);
                // RFC 7518 6.3.1: the minimum number of octets, so no leading zero.
                if n.first().is_none_or(|&b| b == 0) || e.first().is_none_or(|&b| b == 0) {
                    return Err(KeyError::Jwk("n or e is empty or has a leading zero octet"));
                }
                Self::from_public_bytes(alg, &rsa_public_key_der(&n, &e), "RSA JWK")?
            }
            (Family::Ec, Some("EC")) => {
                let (want, len) = if alg == Algorithm::ES256 {
                    ("P-256", 32)
                } else {
                    ("P-384", 48)
                };
                if crv != Some(want) {
                    return Err(KeyError::Jwk("its crv does not match the algorithm"));
                }
                let (x, y) = (member("x")?, member("y")?);
                if x.len() != len || y.len() != len {
                    return Err(KeyError::Jwk("x or y has the wrong length for the curve"));
                }
                let mut point = Vec::with_capacity(1 + 2 * len);
                point.push(4);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                // aws-lc-rs refuses a point that is not on the curve.
                Self::from_public_bytes(alg, &point, "EC JWK")?
            }
            (Family::Ed, Some("OKP")) => {
                if crv != Some("Ed25519") {
                    return Err(KeyError::Jwk("its crv is not Ed25519"));
                }
                let x = member("x")?;
                if x.len() != 32 {
                    return Err(KeyError::Jwk("x is not 32 bytes"));
                }
                Self::from_public_bytes(alg, &x, "Ed25519 JWK")?
            }
            _ => return Err(KeyError::Jwk("its kty does not match the algorithm")),
        };
        Ok(match text("kid")? {
            Some(kid) => key.with_kid(kid),
            None => key,
        })
    }

    /// Sets the `kid` this key is looked up by.
    ///
    /// ```
    /// use authjwt::{Config, ConfigError, keys::{Algorithm, VerifyingKey}};
    /// let old = VerifyingKey::from_secret(Algorithm::HS256, &[1u8; 32])?;
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// let err = builder().verifying_key(old.clone()).build().unwrap_err();
    /// assert_eq!(err, ConfigError::VerifyingKeyWithoutKid); // no token could select it
    /// assert!(builder().verifying_key(old.with_kid("2026-10")).build().is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(Arc::from(kid.into()));
        self
    }

    /// The algorithm.
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, VerifyingKey}};
    /// let pem = include_bytes!("../../tests/keys/ed25519_public.pem");
    /// let key = VerifyingKey::from_pem(Algorithm::EdDSA, pem)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDSA); // the only one it verifies
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The `kid`, if any.
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, VerifyingKey}};
    /// let key = VerifyingKey::from_secret(Algorithm::HS256, &[1u8; 32])?;
    /// assert_eq!(key.kid(), None);
    /// assert_eq!(key.with_kid("2026-10").kid(), Some("2026-10"));
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Checks `signature` over `message`. Constant-time for HMAC.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &*self.verifier {
            Verifier::Hmac(k) => hmac::verify(k, message, signature).is_ok(),
            Verifier::Public(p) => p.verify_sig(message, signature).is_ok(),
        }
    }

    /// The public JWK of this key, or `None` for HMAC keys (secrets are never published).
    ///
    /// ```
    /// # use authjwt::{Algorithm, VerifyingKey};
    /// let pem = include_bytes!("../../tests/keys/ed25519_public.pem");
    /// let jwk = VerifyingKey::from_pem(Algorithm::EdDSA, pem)?.with_kid("k1").to_jwk().unwrap();
    /// assert_eq!(jwk["kty"], "OKP");
    /// assert_eq!(jwk["kid"], "k1");
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn to_jwk(&self) -> Option<serde_json::Value> {
        use aws_lc_rs::encoding::AsDer;
        let Verifier::Public(p) = &*self.verifier else {
            return None;
        };
        let spki = p.as_der().ok()?;
        let spki = spki.as_ref();
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let mut jwk = serde_json::Map::new();
        match family(self.alg) {
            Family::Rsa => {
                let public = aws_lc_rs::rsa::PublicKey::from_der(spki).ok()?;
                let comps = sig::RsaPublicKeyComponents::<Vec<u8>>::from(&public);
                jwk.insert("kty".into(), "RSA".into());
                jwk.insert("n".into(), b64(&comps.n).into());
                jwk.insert("e".into(), b64(&comps.e).into());
            }
            Family::Ec => {
                // An EC SubjectPublicKeyInfo ends with the uncompressed point 04 || x || y.
                let (crv, n) = if self.alg == Algorithm::ES256 {
                    ("P-256", 32)
                } else {
                    ("P-384", 48)
                };
                let point = spki.get(spki.len().checked_sub(2 * n + 1)?..)?;
                if point.first() != Some(&4) {
                    return None;
                }
                jwk.insert("kty".into(), "EC".into());
                jwk.insert("crv".into(), crv.into());
                jwk.insert("x".into(), b64(&point[1..=n]).into());
                jwk.insert("y".into(), b64(&point[n + 1..]).into());
            }
            Family::Ed => {
                // An Ed25519 SubjectPublicKeyInfo ends with the 32-byte key.
                let x = spki.get(spki.len().checked_sub(32)?..)?;
                jwk.insert("kty".into(), "OKP".into());
                jwk.insert("crv".into(), "Ed25519".into());
                jwk.insert("x".into(), b64(x).into());
            }
            Family::Hmac => return None,
        }
        jwk.insert("use".into(), "sig".into());
        jwk.insert("alg".into(), self.alg.as_str().into());
        if let Some(kid) = &self.kid {
            jwk.insert("kid".into(), kid.as_ref().into());
        }
        Some(serde_json::Value::Object(jwk))
    }
}

/// The modulus of a parsed RSA public key.
pub(super) fn rsa_modulus(parsed: &sig::ParsedPublicKey) -> Option<Vec<u8>> {
    use aws_lc_rs::encoding::AsDer;
    let spki = parsed.as_der().ok()?;
    let public = aws_lc_rs::rsa::PublicKey::from_der(spki.as_ref()).ok()?;
    Some(sig::RsaPublicKeyComponents::<Vec<u8>>::from(&public).n)
}

/// Whether an RSA modulus has the fingerprint of the keys generated by Infineon's RSALib
/// (ROCA, CVE-2017-15361; Nemec et al., CCS 2017), whose factors can be computed from the
/// public key: for every small prime `p` below, `n mod p` lies in the subgroup generated by
/// 65537. A random modulus passes all 38 tests with negligible probability.
pub(super) fn roca_fingerprint(n: &[u8]) -> bool {
    const PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    PRIMES.iter().all(|&p| {
        let r = n
            .iter()
            .fold(0u32, |acc, &b| (acc * 256 + u32::from(b)) % p);
        let g = 65537 % p;
        let mut x = 1;
        loop {
            if x == r {
                return true;
            }
            x = x * g % p;
            if x == 1 {
                return false;
            }
        }
    })
}

/// A PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1) in DER: `SEQUENCE { INTEGER n, INTEGER e }`,
/// from the unsigned big-endian `n` and `e` of a JWK (both non-empty, no leading zero).
pub(super) fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn length(out: &mut Vec<u8>, len: usize) {
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
    }
    fn integer(out: &mut Vec<u8>, value: &[u8]) {
        // A positive INTEGER whose top bit is set needs a leading zero octet.
        let pad = value[0] & 0x80 != 0;
        out.push(0x02);
        length(out, value.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(value);
    }
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    integer(&mut body, n);
    integer(&mut body, e);
    let mut der = Vec::with_capacity(body.len() + 8);
    der.push(0x30);
    length(&mut der, body.len());
    der.extend_from_slice(&body);
    der
}
