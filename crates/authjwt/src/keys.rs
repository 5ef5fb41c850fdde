//! Keys: the signing key, the verification keys by `kid` (rotation), and the JWKS document.
//!
//! Keys are parsed and prepared once (HMAC keyed, public keys parsed) so the request path
//! only runs the signature primitive. The primitives are aws-lc-rs, called directly: the
//! process-wide crypto provider of `jsonwebtoken` is never consulted, so a dependency graph
//! that enables both or neither of its backends cannot make verification panic.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use aws_lc_rs::signature::{self as sig, KeyPair};
use aws_lc_rs::{hmac, rand};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The signature algorithms (RFC 7518). `none` does not exist here.
///
/// ```
/// use authjwt::Algorithm;
/// assert_eq!("ES256".parse::<Algorithm>(), Ok(Algorithm::ES256));
/// assert!("none".parse::<Algorithm>().is_err());
/// assert!("hs256".parse::<Algorithm>().is_err());
/// assert_eq!(Algorithm::EdDSA.to_string(), "EdDSA");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA with P-256 and SHA-256.
    ES256,
    /// ECDSA with P-384 and SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
}

impl Algorithm {
    /// Every algorithm, in declaration order.
    ///
    /// ```
    /// use authjwt::Algorithm;
    /// assert_eq!(Algorithm::ALL.len(), 12);
    /// for alg in Algorithm::ALL {
    ///     assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
    /// }
    /// ```
    pub const ALL: [Algorithm; 12] = [
        Self::HS256,
        Self::HS384,
        Self::HS512,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
    ];

    /// The JOSE name (`"HS256"`, …, `"EdDSA"`).
    ///
    /// ```
    /// use authjwt::Algorithm;
    /// assert_eq!(Algorithm::HS256.as_str(), "HS256");
    /// assert_eq!(Algorithm::EdDSA.as_str(), "EdDSA");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = ();
    /// Exact, case-sensitive JOSE names only: `none`, `None` or `hs256` never parse.
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|a| a.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key could not be built. The message says what was expected; it never contains key bytes.
///
/// ```
/// use authjwt::{Algorithm, KeyError, SigningKey};
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

fn family(alg: Algorithm) -> Family {
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Family::Hmac,
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => Family::Rsa,
        Algorithm::ES256 | Algorithm::ES384 => Family::Ec,
        Algorithm::EdDSA => Family::Ed,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Hmac,
    Rsa,
    Ec,
    Ed,
}

fn hmac_algorithm(alg: Algorithm) -> Option<(hmac::Algorithm, usize)> {
    match alg {
        Algorithm::HS256 => Some((hmac::HMAC_SHA256, 32)),
        Algorithm::HS384 => Some((hmac::HMAC_SHA384, 48)),
        Algorithm::HS512 => Some((hmac::HMAC_SHA512, 64)),
        _ => None,
    }
}

fn verification_algorithm(alg: Algorithm) -> &'static dyn sig::VerificationAlgorithm {
    match alg {
        Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
        Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
        Algorithm::ES384 => &sig::ECDSA_P384_SHA384_FIXED,
        // HMAC never reaches here; EdDSA is the remaining case.
        _ => &sig::ED25519,
    }
}

fn rsa_encoding(alg: Algorithm) -> &'static dyn sig::RsaEncoding {
    match alg {
        Algorithm::RS384 => &sig::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_SHA512,
        _ => &sig::RSA_PKCS1_SHA256,
    }
}

// Built once per key and kept behind an Arc, so the variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum Signer {
    Hmac(hmac::Key),
    Rsa(sig::RsaKeyPair),
    Ec(sig::EcdsaKeyPair),
    Ed(sig::Ed25519KeyPair),
}

#[allow(clippy::large_enum_variant)]
enum Verifier {
    Hmac(hmac::Key),
    Public(sig::ParsedPublicKey),
}

/// The key that signs new tokens, with its algorithm and optional `kid`.
///
/// Secrets and private keys are never printed: `Debug` shows the algorithm and `kid` only.
///
/// ```
/// use authjwt::{Algorithm, SigningKey};
///
/// let key = SigningKey::from_secret(Algorithm::HS256, &[7u8; 32])?.with_kid("2026-11");
/// assert_eq!(key.kid(), Some("2026-11"));
/// assert!(format!("{key:?}").contains("HS256"));
///
/// // Short HMAC secrets are refused (RFC 7518 3.2 wants at least the hash size).
/// assert!(SigningKey::from_secret(Algorithm::HS256, b"secret").is_err());
/// # Ok::<(), authjwt::KeyError>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    kid: Option<Arc<str>>,
    signer: Arc<Signer>,
    verifying: VerifyingKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl SigningKey {
    /// An HMAC key (HS256/384/512) from a raw secret of at least 32/48/64 bytes.
    ///
    /// ```
    /// use authjwt::{Algorithm, SigningKey};
    /// let key = SigningKey::from_secret(Algorithm::HS512, &[7u8; 64])?;
    /// assert_eq!(key.algorithm(), Algorithm::HS512);
    /// assert!(SigningKey::from_secret(Algorithm::HS512, &[7u8; 32]).is_err()); // too short
    /// assert!(SigningKey::from_secret(Algorithm::RS256, &[7u8; 64]).is_err()); // not HMAC
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        let (_, min) = hmac_algorithm(alg).ok_or(KeyError::WrongFamily {
            alg,
            what: "an HMAC secret",
        })?;
        if secret.len() < min {
            return Err(KeyError::ShortSecret {
                alg,
                len: secret.len(),
                min,
            });
        }
        Self::hmac_unchecked(alg, secret)
    }

    /// ⚠️ **Dangerous**: an HMAC key from a secret shorter than RFC 7518 allows, for legacy
    /// deployments whose tokens must keep verifying. A short secret can be brute-forced
    /// offline from any token. A warning is logged when this key is built.
    ///
    /// ```
    /// # use authjwt::{Algorithm, SigningKey};
    /// let key = SigningKey::dangerous_short_hmac_secret(Algorithm::HS256, b"secret")?;
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn dangerous_short_hmac_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        tracing::warn!(
            target: "authjwt::config",
            "using an HMAC secret shorter than RFC 7518 allows ({} bytes); rotate it soon",
            secret.len()
        );
        Self::hmac_unchecked(alg, secret)
    }

    fn hmac_unchecked(alg: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        let (h, _) = hmac_algorithm(alg).ok_or(KeyError::WrongFamily {
            alg,
            what: "an HMAC secret",
        })?;
        let signer = Signer::Hmac(hmac::Key::new(h, secret));
        let verifying = VerifyingKey {
            alg,
            kid: None,
            verifier: Arc::new(Verifier::Hmac(hmac::Key::new(h, secret))),
        };
        Ok(Self {
            alg,
            kid: None,
            signer: Arc::new(signer),
            verifying,
        })
    }

    /// A fresh random HMAC key of the algorithm's hash size, for development servers that
    /// start without a configured secret (tokens do not survive a restart).
    ///
    /// ```
    /// # use authjwt::{Algorithm, SigningKey};
    /// let key = SigningKey::generate_hmac(Algorithm::HS256)?;
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn generate_hmac(alg: Algorithm) -> Result<Self, KeyError> {
        let (_, min) = hmac_algorithm(alg).ok_or(KeyError::WrongFamily {
            alg,
            what: "an HMAC secret",
        })?;
        let mut secret = vec![0u8; min];
        rand::fill(&mut secret).map_err(|_| KeyError::Invalid {
            alg,
            what: "random secret",
        })?;
        Self::from_secret(alg, &secret)
    }

    /// A private key in PEM form: RSA (PKCS#1 or PKCS#8) for RS*/PS*, EC (PKCS#8) for
    /// ES256/ES384, Ed25519 (PKCS#8) for EdDSA. For HMAC use [`SigningKey::from_secret`].
    ///
    /// ```
    /// # use authjwt::{Algorithm, SigningKey};
    /// let pem = include_bytes!("../tests/keys/ec256_private.pem");
    /// let key = SigningKey::from_pem(Algorithm::ES256, pem)?;
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn from_pem(alg: Algorithm, pem: &[u8]) -> Result<Self, KeyError> {
        let invalid = KeyError::Invalid {
            alg,
            what: "PEM private key",
        };
        let key = match family(alg) {
            Family::Hmac => {
                return Err(KeyError::WrongFamily {
                    alg,
                    what: "a PEM key",
                });
            }
            Family::Rsa => jsonwebtoken::EncodingKey::from_rsa_pem(pem),
            Family::Ec => jsonwebtoken::EncodingKey::from_ec_pem(pem),
            Family::Ed => jsonwebtoken::EncodingKey::from_ed_pem(pem),
        }
        .map_err(|_| invalid.clone())?;
        Self::from_der(alg, key.as_bytes()).map_err(|_| invalid)
    }

    /// A private key in DER form: RSA PKCS#1 or PKCS#8, EC PKCS#8, Ed25519 PKCS#8.
    ///
    /// ```
    /// use authjwt::{Algorithm, SigningKey};
    /// let der = include_bytes!("../tests/keys/rsa_private.der");
    /// let key = SigningKey::from_der(Algorithm::PS256, der)?;
    /// assert_eq!(key.verifying_key().to_jwk().unwrap()["kty"], "RSA");
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn from_der(alg: Algorithm, der: &[u8]) -> Result<Self, KeyError> {
        let invalid = KeyError::Invalid {
            alg,
            what: "DER private key",
        };
        let (signer, public): (Signer, Vec<u8>) = match family(alg) {
            Family::Hmac => {
                return Err(KeyError::WrongFamily {
                    alg,
                    what: "a DER key",
                });
            }
            Family::Rsa => {
                let kp = sig::RsaKeyPair::from_der(der)
                    .or_else(|_| sig::RsaKeyPair::from_pkcs8(der))
                    .map_err(|_| invalid.clone())?;
                let public = kp.public_key().as_ref().to_vec();
                (Signer::Rsa(kp), public)
            }
            Family::Ec => {
                let signing = if alg == Algorithm::ES256 {
                    &sig::ECDSA_P256_SHA256_FIXED_SIGNING
                } else {
                    &sig::ECDSA_P384_SHA384_FIXED_SIGNING
                };
                let kp = sig::EcdsaKeyPair::from_pkcs8(signing, der)
                    .or_else(|_| sig::EcdsaKeyPair::from_private_key_der(signing, der))
                    .map_err(|_| invalid.clone())?;
                let public = kp.public_key().as_ref().to_vec();
                (Signer::Ec(kp), public)
            }
            Family::Ed => {
                let kp = sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                    .map_err(|_| invalid.clone())?;
                let public = kp.public_key().as_ref().to_vec();
                (Signer::Ed(kp), public)
            }
        };
        let verifying = VerifyingKey::from_public_bytes(alg, &public, "public key")?;
        Ok(Self {
            alg,
            kid: None,
            signer: Arc::new(signer),
            verifying,
        })
    }

    /// Sets the `kid` written into the header of every token this key signs.
    ///
    /// ```
    /// use authjwt::{Algorithm, Auth, Config, SigningKey};
    /// let key = SigningKey::from_secret(Algorithm::HS256, &[7u8; 32])?.with_kid("2026-11");
    /// let auth = Auth::new(Config::builder().signing_key(key).build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let header = jsonwebtoken::decode_header(token.as_str())?;
    /// assert_eq!(header.kid.as_deref(), Some("2026-11"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        let kid: Arc<str> = Arc::from(kid.into());
        self.kid = Some(kid.clone());
        self.verifying.kid = Some(kid);
        self
    }

    /// The algorithm.
    ///
    /// ```
    /// use authjwt::{Algorithm, SigningKey};
    /// let pem = include_bytes!("../tests/keys/ed25519_private.pem");
    /// let key = SigningKey::from_pem(Algorithm::EdDSA, pem)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDSA);
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The `kid`, if any.
    ///
    /// ```
    /// use authjwt::{Algorithm, SigningKey};
    /// let key = SigningKey::from_secret(Algorithm::HS256, &[7u8; 32])?;
    /// assert_eq!(key.kid(), None); // tokens carry no `kid`
    /// assert_eq!(key.with_kid("2026-11").kid(), Some("2026-11"));
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The matching verification key (same algorithm and `kid`).
    ///
    /// ```
    /// use authjwt::{Algorithm, SigningKey};
    /// let pem = include_bytes!("../tests/keys/ec256_private.pem");
    /// let key = SigningKey::from_pem(Algorithm::ES256, pem)?.with_kid("2026-11");
    /// let public = key.verifying_key(); // to publish, for example in a JWKS
    /// assert_eq!(public.kid(), Some("2026-11"));
    /// assert_eq!(public.to_jwk().unwrap()["crv"], "P-256");
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn verifying_key(&self) -> VerifyingKey {
        self.verifying.clone()
    }

    /// Whether `signature` over `message` verifies with this key's public half.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verifying.verify(message, signature)
    }

    /// Whether two signatures of the same message differ (ECDSA, RSA-PSS): a refresh
    /// rotation then stores its successor's signature so every instance serves the same token.
    pub(crate) fn randomized(&self) -> bool {
        matches!(
            self.alg,
            Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        )
    }

    /// Signs `message`, returning the raw signature bytes.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = KeyError::Invalid {
            alg: self.alg,
            what: "signing key",
        };
        match &*self.signer {
            Signer::Hmac(k) => Ok(hmac::sign(k, message).as_ref().to_vec()),
            Signer::Rsa(kp) => {
                let mut out = vec![0u8; kp.public_modulus_len()];
                kp.sign(
                    rsa_encoding(self.alg),
                    &rand::SystemRandom::new(),
                    message,
                    &mut out,
                )
                .map_err(|_| failed)?;
                Ok(out)
            }
            Signer::Ec(kp) => kp
                .sign(&rand::SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| failed),
            Signer::Ed(kp) => Ok(kp.sign(message).as_ref().to_vec()),
        }
    }
}

/// A key that verifies tokens of one algorithm, optionally under a `kid`.
///
/// ```
/// use authjwt::{Algorithm, VerifyingKey};
///
/// let pem = include_bytes!("../tests/keys/rsa_public.pem");
/// let key = VerifyingKey::from_pem(Algorithm::RS256, pem)?.with_kid("2026-10");
/// assert_eq!(key.kid(), Some("2026-10"));
/// # Ok::<(), authjwt::KeyError>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    alg: Algorithm,
    kid: Option<Arc<str>>,
    verifier: Arc<Verifier>,
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
    /// use authjwt::{Algorithm, VerifyingKey};
    /// let retired = VerifyingKey::from_secret(Algorithm::HS256, &[1u8; 32])?.with_kid("2026-10");
    /// assert_eq!(retired.algorithm(), Algorithm::HS256);
    /// assert!(retired.to_jwk().is_none()); // secrets are never published
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        Ok(SigningKey::from_secret(alg, secret)?.verifying)
    }

    /// A public key in PEM form (SubjectPublicKeyInfo, or PKCS#1 for RSA).
    ///
    /// ```
    /// use authjwt::{Algorithm, VerifyingKey};
    /// let pem = include_bytes!("../tests/keys/ec256_public.pem");
    /// let key = VerifyingKey::from_pem(Algorithm::ES256, pem)?;
    /// assert_eq!(key.to_jwk().unwrap()["kty"], "EC");
    /// // The algorithm must fit the key.
    /// assert!(VerifyingKey::from_pem(Algorithm::RS256, pem).is_err());
    /// # Ok::<(), authjwt::KeyError>(())
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
    /// use authjwt::{Algorithm, VerifyingKey};
    /// let der = include_bytes!("../tests/keys/rsa_public.der");
    /// let key = VerifyingKey::from_der(Algorithm::RS256, der)?.with_kid("2026-10");
    /// assert_eq!(key.to_jwk().unwrap()["kty"], "RSA");
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn from_der(alg: Algorithm, der: &[u8]) -> Result<Self, KeyError> {
        Self::from_public_bytes(alg, der, "DER public key")
    }

    fn from_public_bytes(
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
    /// use authjwt::{Algorithm, VerifyingKey};
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
    /// # Ok::<(), authjwt::KeyError>(())
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
    /// use authjwt::{Algorithm, Config, ConfigError, VerifyingKey};
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
    /// use authjwt::{Algorithm, VerifyingKey};
    /// let pem = include_bytes!("../tests/keys/ed25519_public.pem");
    /// let key = VerifyingKey::from_pem(Algorithm::EdDSA, pem)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDSA); // the only one it verifies
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The `kid`, if any.
    ///
    /// ```
    /// use authjwt::{Algorithm, VerifyingKey};
    /// let key = VerifyingKey::from_secret(Algorithm::HS256, &[1u8; 32])?;
    /// assert_eq!(key.kid(), None);
    /// assert_eq!(key.with_kid("2026-10").kid(), Some("2026-10"));
    /// # Ok::<(), authjwt::KeyError>(())
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
    /// let pem = include_bytes!("../tests/keys/ed25519_public.pem");
    /// let jwk = VerifyingKey::from_pem(Algorithm::EdDSA, pem)?.with_kid("k1").to_jwk().unwrap();
    /// assert_eq!(jwk["kty"], "OKP");
    /// assert_eq!(jwk["kid"], "k1");
    /// # Ok::<(), authjwt::KeyError>(())
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
fn rsa_modulus(parsed: &sig::ParsedPublicKey) -> Option<Vec<u8>> {
    use aws_lc_rs::encoding::AsDer;
    let spki = parsed.as_der().ok()?;
    let public = aws_lc_rs::rsa::PublicKey::from_der(spki.as_ref()).ok()?;
    Some(sig::RsaPublicKeyComponents::<Vec<u8>>::from(&public).n)
}

/// Whether an RSA modulus has the fingerprint of the keys generated by Infineon's RSALib
/// (ROCA, CVE-2017-15361; Nemec et al., CCS 2017), whose factors can be computed from the
/// public key: for every small prime `p` below, `n mod p` lies in the subgroup generated by
/// 65537. A random modulus passes all 38 tests with negligible probability.
fn roca_fingerprint(n: &[u8]) -> bool {
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
fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Vec<u8> {
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

/// The signing key plus every key that may verify: the signing key's own verifying key and
/// retired keys, looked up by `kid`.
///
/// A token whose header names a `kid` is verified only with the key of that `kid`; an
/// unknown `kid` is rejected. A token without a `kid` is verified with the signing key.
/// Every key is bound to one algorithm, so a token can never choose how it is checked
/// (no HS256-with-the-RSA-public-key confusion).
///
/// ```
/// use authjwt::{Algorithm, KeySet, SigningKey, VerifyingKey};
///
/// let old = VerifyingKey::from_secret(Algorithm::HS256, &[1u8; 32])?.with_kid("2026-10");
/// let keys = KeySet::new(SigningKey::from_secret(Algorithm::HS256, &[2u8; 32])?.with_kid("2026-11"))
///     .with_verifying_key(old);
/// assert_eq!(keys.len(), 2);
/// # Ok::<(), authjwt::KeyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeySet {
    signing: SigningKey,
    by_kid: HashMap<Arc<str>, VerifyingKey>,
}

impl KeySet {
    /// A key set that signs with `signing` and verifies with it.
    ///
    /// ```
    /// use authjwt::{Algorithm, KeySet, SigningKey};
    /// let keys = KeySet::new(SigningKey::from_secret(Algorithm::HS256, &[2u8; 32])?);
    /// assert_eq!(keys.len(), 1); // the signing key verifies too
    /// assert_eq!(keys.signing_key().algorithm(), Algorithm::HS256);
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn new(signing: SigningKey) -> Self {
        let mut by_kid = HashMap::new();
        if let Some(kid) = &signing.kid {
            by_kid.insert(kid.clone(), signing.verifying.clone());
        }
        Self { signing, by_kid }
    }

    /// Adds a verification key (for example the previous signing key during rotation). A key
    /// without a `kid` gets none: only keys with a `kid` can be found by tokens.
    ///
    /// ```
    /// use authjwt::{Algorithm::HS256, KeySet, SigningKey, VerifyingKey};
    /// let keys = KeySet::new(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"));
    /// let old = VerifyingKey::from_secret(HS256, &[1u8; 32])?;
    /// assert_eq!(keys.clone().with_verifying_key(old.clone()).len(), 1); // no kid: not added
    /// assert_eq!(keys.with_verifying_key(old.with_kid("2026-10")).len(), 2);
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    #[must_use]
    pub fn with_verifying_key(mut self, key: VerifyingKey) -> Self {
        if let Some(kid) = &key.kid {
            self.by_kid.insert(kid.clone(), key);
        }
        self
    }

    /// Removes the verification key of `kid` (tokens signed with it stop verifying). The
    /// signing key itself cannot be removed.
    ///
    /// ```
    /// use authjwt::{Algorithm::HS256, KeySet, SigningKey, VerifyingKey};
    /// let keys = KeySet::new(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"))
    ///     .with_verifying_key(VerifyingKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10"));
    /// let keys = keys.without_kid("2026-10").without_kid("2026-11"); // the signing key stays
    /// assert_eq!(keys.len(), 1);
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    #[must_use]
    pub fn without_kid(mut self, kid: &str) -> Self {
        if self.signing.kid() != Some(kid) {
            self.by_kid.remove(kid);
        }
        self
    }

    /// The number of keys that can verify tokens.
    ///
    /// ```
    /// use authjwt::{Algorithm::HS256, KeySet, SigningKey, VerifyingKey};
    /// let keys = KeySet::new(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"))
    ///     .with_verifying_key(VerifyingKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10"));
    /// assert_eq!(keys.len(), 2);
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn len(&self) -> usize {
        if self.signing.kid.is_some() {
            self.by_kid.len()
        } else {
            self.by_kid.len() + 1
        }
    }

    /// Always false: a key set has at least its signing key.
    ///
    /// ```
    /// use authjwt::{Algorithm, KeySet, SigningKey};
    /// let keys = KeySet::new(SigningKey::from_secret(Algorithm::HS256, &[2u8; 32])?);
    /// assert!(!keys.is_empty());
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The signing key.
    ///
    /// ```
    /// use authjwt::{Algorithm::HS256, KeySet, SigningKey, VerifyingKey};
    /// let keys = KeySet::new(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"))
    ///     .with_verifying_key(VerifyingKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10"));
    /// assert_eq!(keys.signing_key().kid(), Some("2026-11")); // new tokens name this key
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// The key that must verify a token with this header `kid`.
    pub(crate) fn verifying_key_for(&self, kid: Option<&str>) -> Option<&VerifyingKey> {
        match kid {
            Some(kid) => self.by_kid.get(kid),
            None => Some(&self.signing.verifying),
        }
    }

    /// Every key that can verify, each once.
    pub(crate) fn verifying_keys(&self) -> impl Iterator<Item = &VerifyingKey> + '_ {
        let unnamed = self
            .signing
            .kid
            .is_none()
            .then_some(&self.signing.verifying);
        unnamed.into_iter().chain(self.by_kid.values())
    }

    /// Every algorithm some key in the set verifies.
    pub(crate) fn algorithms(&self) -> impl Iterator<Item = Algorithm> + '_ {
        std::iter::once(self.signing.alg).chain(self.by_kid.values().map(|k| k.alg))
    }

    /// The JWKS document (RFC 7517 section 5) of the public keys; HMAC keys are never
    /// published, so a symmetric key set yields `{"keys": []}`.
    ///
    /// ```
    /// # use authjwt::{Algorithm, KeySet, SigningKey};
    /// let pem = include_bytes!("../tests/keys/rsa_private.pem");
    /// let keys = KeySet::new(SigningKey::from_pem(Algorithm::RS256, pem)?.with_kid("k1"));
    /// let jwks = keys.jwks();
    /// assert_eq!(jwks["keys"][0]["kid"], "k1");
    /// assert_eq!(jwks["keys"][0]["kty"], "RSA");
    /// # Ok::<(), authjwt::KeyError>(())
    /// ```
    pub fn jwks(&self) -> serde_json::Value {
        let mut keys: Vec<&VerifyingKey> = self.by_kid.values().collect();
        if self.signing.kid.is_none() {
            keys.push(&self.signing.verifying);
        }
        keys.sort_by(|a, b| a.kid.cmp(&b.kid));
        let keys: Vec<serde_json::Value> = keys.iter().filter_map(|k| k.to_jwk()).collect();
        serde_json::json!({ "keys": keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[(Algorithm, &[u8], &[u8])] = &[
        (
            Algorithm::RS256,
            include_bytes!("../tests/keys/rsa_private.pem"),
            include_bytes!("../tests/keys/rsa_public.pem"),
        ),
        (
            Algorithm::PS512,
            include_bytes!("../tests/keys/rsa_private.pem"),
            include_bytes!("../tests/keys/rsa_public.pem"),
        ),
        (
            Algorithm::ES256,
            include_bytes!("../tests/keys/ec256_private.pem"),
            include_bytes!("../tests/keys/ec256_public.pem"),
        ),
        (
            Algorithm::ES384,
            include_bytes!("../tests/keys/ec384_private.pem"),
            include_bytes!("../tests/keys/ec384_public.pem"),
        ),
        (
            Algorithm::EdDSA,
            include_bytes!("../tests/keys/ed25519_private.pem"),
            include_bytes!("../tests/keys/ed25519_public.pem"),
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
        let rsa = include_bytes!("../tests/keys/rsa_public.pem");
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
