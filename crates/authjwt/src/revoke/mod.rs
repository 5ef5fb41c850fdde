//! Revocation: the [`RevocationStore`] trait, the in-memory store (the default) and, with the
//! `redis` feature, a Redis store shared by several instances.
//!
//! A token is revoked when its `jti` is, when its refresh family (`fam`, one per login) is, or
//! when its subject was revoked wholesale after it was issued. Every entry expires with the
//! tokens it concerns, so a store holds only what can still matter.

use std::fmt;

use async_trait::async_trait;

mod memory;
#[cfg(feature = "redis")]
pub mod redis;

pub use memory::MemoryStore;

/// The store cannot answer now; requests fail closed with 503 `revocation_unavailable`.
///
/// ```
/// let err = authjwt::StoreError::new("connection refused");
/// assert_eq!(err.to_string(), "revocation store unavailable: connection refused");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("revocation store unavailable: {0}")]
pub struct StoreError(String);

impl StoreError {
    /// An error with a short description (no secrets, no token contents).
    ///
    /// ```
    /// use authjwt::StoreError;
    /// // In a custom RevocationStore, when the database cannot answer:
    /// let err = StoreError::new("database timeout");
    /// assert_eq!(err.to_string(), "revocation store unavailable: database timeout");
    /// ```
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

/// What the store is asked about a verified token.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use authjwt::{MemoryStore, RevocationStore, TokenRef};
/// let store = MemoryStore::new();
/// store.revoke_family("login-42", 4_102_444_800).await?; // forgotten in 2100
/// let token = TokenRef { jti: "j1", family: Some("login-42"), subject: "user1", issued_at: 100 };
/// assert!(store.is_revoked(&token).await?); // its whole session was revoked
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRef<'a> {
    /// The token's `jti`.
    pub jti: &'a str,
    /// The token's refresh family, if any.
    pub family: Option<&'a str>,
    /// The token's subject.
    pub subject: &'a str,
    /// The token's `iat`, seconds since the Unix epoch.
    pub issued_at: u64,
}

/// Where revocations live. Implement it to keep them in your own database (like
/// flask-jwt-extended's `token_in_blocklist_loader`); the library ships [`MemoryStore`] and,
/// with the `redis` feature, [`redis::RedisStore`].
///
/// `is_revoked` runs on every authenticated request: implementations should answer from
/// memory. Every method's `expires_at` (seconds since the Unix epoch) says when the entry can
/// be forgotten: keep it through that second; after it, every token the entry concerns has
/// expired, the configured leeway included.
///
/// ```
/// use authjwt::{MemoryStore, RevocationStore, TokenRef};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let token = TokenRef { jti: "j1", family: None, subject: "user1", issued_at: 100 };
/// assert!(!store.is_revoked(&token).await?);
/// store.revoke_jti("j1", u64::MAX).await?;
/// assert!(store.is_revoked(&token).await?);
/// # Ok::<(), authjwt::StoreError>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait RevocationStore: fmt::Debug + Send + Sync + 'static {
    /// Whether the token is revoked by its `jti`, its family, or its subject.
    async fn is_revoked(&self, token: &TokenRef<'_>) -> Result<bool, StoreError>;

    /// The same answer as [`RevocationStore::is_revoked`] when the store can give it without
    /// waiting (from memory), or `None` to make the caller await `is_revoked`. The request
    /// path tries this first, which spares it a boxed future per request. Defaults to `None`.
    ///
    /// ```
    /// use authjwt::{MemoryStore, RevocationStore, TokenRef};
    /// let token = TokenRef { jti: "j1", family: None, subject: "user1", issued_at: 1 };
    /// assert_eq!(MemoryStore::new().is_revoked_now(&token), Some(Ok(false)));
    /// ```
    fn is_revoked_now(&self, token: &TokenRef<'_>) -> Option<Result<bool, StoreError>> {
        let _ = token;
        None
    }

    /// Revokes one token.
    async fn revoke_jti(&self, jti: &str, expires_at: u64) -> Result<(), StoreError>;

    /// Revokes every token of a refresh family (one login session).
    async fn revoke_family(&self, family: &str, expires_at: u64) -> Result<(), StoreError>;

    /// Revokes every token of `subject` issued at or before `issued_before`.
    async fn revoke_subject(
        &self,
        subject: &str,
        issued_before: u64,
        expires_at: u64,
    ) -> Result<(), StoreError>;

    /// Atomically marks a refresh token as used and revoked. Returns `true` for the first
    /// use and `false` if it had already been used or revoked, so that of two concurrent
    /// refreshes with the same token exactly one wins.
    async fn consume(&self, jti: &str, expires_at: u64) -> Result<bool, StoreError>;
}
