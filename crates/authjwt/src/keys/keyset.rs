//! [`KeySet`]: the signing key and the verification keys by `kid`, and the JWKS document.

use std::collections::HashMap;
use std::sync::Arc;

use super::*;

/// The signing key plus every key that may verify: the signing key's own verifying key and
/// retired keys, looked up by `kid`.
///
/// A token whose header names a `kid` is verified only with the key of that `kid`; an
/// unknown `kid` is rejected. A token without a `kid` is verified with the signing key.
/// Every key is bound to one algorithm, so a token can never choose how it is checked
/// (no HS256-with-the-RSA-public-key confusion).
///
/// ```
/// use authjwt::{keys::{Algorithm, KeySet, SigningKey, VerifyingKey}};
///
/// let old = VerifyingKey::from_secret(Algorithm::HS256, &[1u8; 32])?.with_kid("2026-10");
/// let keys = KeySet::new(SigningKey::from_secret(Algorithm::HS256, &[2u8; 32])?.with_kid("2026-11"))
///     .with_verifying_key(old);
/// assert_eq!(keys.len(), 2);
/// # Ok::<(), authjwt::keys::KeyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeySet {
    pub(super) signing: SigningKey,
    pub(super) by_kid: HashMap<Arc<str>, VerifyingKey>,
}

impl KeySet {
    /// A key set that signs with `signing` and verifies with it.
    ///
    /// ```
    /// use authjwt::{keys::{Algorithm, KeySet, SigningKey}};
    /// let keys = KeySet::new(SigningKey::from_secret(Algorithm::HS256, &[2u8; 32])?);
    /// assert_eq!(keys.len(), 1); // the signing key verifies too
    /// assert_eq!(keys.signing_key().algorithm(), Algorithm::HS256);
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// use authjwt::{Algorithm::HS256, keys::{KeySet, SigningKey, VerifyingKey}};
    /// let keys = KeySet::new(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"));
    /// let old = VerifyingKey::from_secret(HS256, &[1u8; 32])?;
    /// assert_eq!(keys.clone().with_verifying_key(old.clone()).len(), 1); // no kid: not added
    /// assert_eq!(keys.with_verifying_key(old.with_kid("2026-10")).len(), 2);
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// use authjwt::{Algorithm::HS256, keys::{KeySet, SigningKey, VerifyingKey}};
    /// let keys = KeySet::new(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"))
    ///     .with_verifying_key(VerifyingKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10"));
    /// let keys = keys.without_kid("2026-10").without_kid("2026-11"); // the signing key stays
    /// assert_eq!(keys.len(), 1);
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// use authjwt::{Algorithm::HS256, keys::{KeySet, SigningKey, VerifyingKey}};
    /// let keys = KeySet::new(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"))
    ///     .with_verifying_key(VerifyingKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10"));
    /// assert_eq!(keys.len(), 2);
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// use authjwt::{keys::{Algorithm, KeySet, SigningKey}};
    /// let keys = KeySet::new(SigningKey::from_secret(Algorithm::HS256, &[2u8; 32])?);
    /// assert!(!keys.is_empty());
    /// # Ok::<(), authjwt::keys::KeyError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The signing key.
    ///
    /// ```
    /// use authjwt::{Algorithm::HS256, keys::{KeySet, SigningKey, VerifyingKey}};
    /// let keys = KeySet::new(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"))
    ///     .with_verifying_key(VerifyingKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10"));
    /// assert_eq!(keys.signing_key().kid(), Some("2026-11")); // new tokens name this key
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
    /// let pem = include_bytes!("../../tests/keys/rsa_private.pem");
    /// let keys = KeySet::new(SigningKey::from_pem(Algorithm::RS256, pem)?.with_kid("k1"));
    /// let jwks = keys.jwks();
    /// assert_eq!(jwks["keys"][0]["kid"], "k1");
    /// assert_eq!(jwks["keys"][0]["kty"], "RSA");
    /// # Ok::<(), authjwt::keys::KeyError>(())
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
