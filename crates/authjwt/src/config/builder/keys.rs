//! Setters: The signing and verification keys.

use super::ConfigBuilder;
use crate::keys::{Algorithm, SigningKey, VerifyingKey};

impl ConfigBuilder {
    /// Signs and verifies with HS256 and this secret (at least 32 bytes). Use
    /// [`ConfigBuilder::signing_key`] for another algorithm or a `kid`.
    ///
    /// ```
    /// use authjwt::{Config, keys::Algorithm};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// assert_eq!(config.keys().signing_key().algorithm(), Algorithm::HS256);
    /// // A shorter secret is refused when the configuration is built.
    /// assert!(Config::builder().secret(b"too short").build().is_err());
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.signing = Some(SigningKey::from_secret(Algorithm::HS256, secret.as_ref()));
        self
    }

    /// The key that signs new tokens (and verifies them). Required, unless
    /// [`ConfigBuilder::secret`] is used.
    ///
    /// ```
    /// use authjwt::{Config, keys::{Algorithm, SigningKey}};
    /// let pem = include_bytes!("../../../tests/keys/ec256_private.pem");
    /// let key = SigningKey::from_pem(Algorithm::ES256, pem)?.with_kid("2026-11");
    /// let config = Config::builder().signing_key(key).build()?;
    /// assert_eq!(config.keys().signing_key().algorithm(), Algorithm::ES256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing = Some(Ok(key));
        self
    }

    /// Adds a key that only verifies (for example the previous signing key while tokens it
    /// signed are still alive). It must have a `kid`.
    ///
    /// ```
    /// use authjwt::{Algorithm::HS256, Auth, Config, keys::{SigningKey, VerifyingKey}};
    /// use authjwt::{claims::{NoCustomClaims, TokenType}};
    /// # let retired = SigningKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10");
    /// # let old = Auth::new(Config::builder().signing_key(retired).build()?);
    /// let token = old.create_access_token("user1")?; // signed with the retired key
    /// let auth = Auth::new(Config::builder()
    ///     .signing_key(SigningKey::from_secret(HS256, &[2u8; 32])?.with_kid("2026-11"))
    ///     .verifying_key(VerifyingKey::from_secret(HS256, &[1u8; 32])?.with_kid("2026-10"))
    ///     .build()?);
    /// assert!(auth.verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verifying_key(mut self, key: VerifyingKey) -> Self {
        self.verifying.push(key);
        self
    }
}
