//! [`SigningKey`]: the key that signs new tokens.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::signature::{self as sig, KeyPair};
use aws_lc_rs::{hmac, rand};

use super::*;

// Built once per key and kept behind an Arc, so the variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum Signer {
    Hmac(hmac::Key),
    Rsa(sig::RsaKeyPair),
    Ec(sig::EcdsaKeyPair),
    Ed(sig::Ed25519KeyPair),
}

/// The key that signs new tokens, with its algorithm and optional `kid`.
///
/// Secrets and private keys are never printed: `Debug` shows the algorithm and `kid` only.
///
/// ```
/// use authjwt::{keys::{Algorithm, SigningKey}};
///
/// let key = SigningKey::from_secret(Algorithm::HS256, &[7u8; 32])?.with_kid("2026-11");
/// assert_eq!(key.kid(), Some("2026-11"));
/// assert!(format!("{key:?}").contains("HS256"));
///
/// // Short HMAC secrets are refused (RFC 7518 3.2 wants at least the hash size).
/// assert!(SigningKey::from_secret(Algorithm::HS256, b"secret").is_err());
/// # Ok::<(), authjwt::keys::KeyError>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    pub(super) alg: Algorithm,
    pub(super) kid: Option<Arc<str>>,
    pub(super) signer: Arc<Signer>,
    pub(super) verifying: VerifyingKey,
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
    /// use authjwt::{keys::{Algorithm, SigningKey}};
    /// let key = SigningKey::from_secret(Algorithm::HS512, &[7u8; 64])?;
    /// assert_eq!(key.algorithm(), Algorithm::HS512);
    /// assert!(SigningKey::from_secret(Algorithm::HS512, &[7u8; 32]).is_err()); // too short
    /// assert!(SigningKey::from_secret(Algorithm::RS256, &[7u8; 64]).is_err()); // not HMAC
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// let pem = include_bytes!("../../tests/keys/ec256_private.pem");
    /// let key = SigningKey::from_pem(Algorithm::ES256, pem)?;
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// use authjwt::{keys::{Algorithm, SigningKey}};
    /// let der = include_bytes!("../../tests/keys/rsa_private.der");
    /// let key = SigningKey::from_der(Algorithm::PS256, der)?;
    /// assert_eq!(key.verifying_key().to_jwk().unwrap()["kty"], "RSA");
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// use authjwt::{Auth, Config, keys::{Algorithm, SigningKey}};
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
    /// use authjwt::{keys::{Algorithm, SigningKey}};
    /// let pem = include_bytes!("../../tests/keys/ed25519_private.pem");
    /// let key = SigningKey::from_pem(Algorithm::EdDSA, pem)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDSA);
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The `kid`, if any.
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, SigningKey}};
    /// let key = SigningKey::from_secret(Algorithm::HS256, &[7u8; 32])?;
    /// assert_eq!(key.kid(), None); // tokens carry no `kid`
    /// assert_eq!(key.with_kid("2026-11").kid(), Some("2026-11"));
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The matching verification key (same algorithm and `kid`).
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, SigningKey}};
    /// let pem = include_bytes!("../../tests/keys/ec256_private.pem");
    /// let key = SigningKey::from_pem(Algorithm::ES256, pem)?.with_kid("2026-11");
    /// let public = key.verifying_key(); // to publish, for example in a JWKS
    /// assert_eq!(public.kid(), Some("2026-11"));
    /// assert_eq!(public.to_jwk().unwrap()["crv"], "P-256");
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
