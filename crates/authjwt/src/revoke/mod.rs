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
mod rotation;
pub(crate) mod sessions;

pub use memory::MemoryStore;
pub use sessions::Session;

/// The store cannot answer now; requests fail closed with 503 `revocation_unavailable`.
///
/// ```
/// let err = authjwt::revoke::StoreError::new("connection refused");
/// assert_eq!(err.to_string(), "revocation store unavailable: connection refused");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("revocation store unavailable: {0}")]
pub struct StoreError(String);

impl StoreError {
    /// An error with a short description (no secrets, no token contents).
    ///
    /// ```
    /// use authjwt::revoke::StoreError;
    /// // In a custom RevocationStore, when the database cannot answer:
    /// let err = StoreError::new("database timeout");
    /// assert_eq!(err.to_string(), "revocation store unavailable: database timeout");
    /// ```
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
    /// The request fails closed: logged, then 503 `revocation_unavailable`.
    pub(crate) fn fail_closed(self) -> crate::error::AuthError {
        tracing::warn!(target: "authjwt::revocation", error = %self, "revocation store failed");
        crate::error::AuthError::RevocationUnavailable
    }
}

/// What the store is asked about a verified token.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use authjwt::{revoke::{MemoryStore, RevocationStore, TokenRef}};
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
/// use authjwt::{revoke::{MemoryStore, RevocationStore, TokenRef}};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryStore::new();
/// let token = TokenRef { jti: "j1", family: None, subject: "user1", issued_at: 100 };
/// assert!(!store.is_revoked(&token).await?);
/// store.revoke_jti("j1", u64::MAX).await?;
/// assert!(store.is_revoked(&token).await?);
/// # Ok::<(), authjwt::revoke::StoreError>(())
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
    /// use authjwt::{revoke::{MemoryStore, RevocationStore, TokenRef}};
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

    /// Decides one refresh of a session: the rotation state machine (see [`Rotation`]).
    ///
    /// A store keeps one record per session: the current refresh token's id, the one it
    /// succeeded, when that rotation happened (and, for randomized signature algorithms, the
    /// successor's signature). The decision must be atomic per session, also across the
    /// instances sharing the store: of many concurrent calls for one token, exactly one may
    /// answer [`Rotation::Rotated`]. A call whose own earlier attempt already rotated (its
    /// `successor` is the record's current id: a retry after a lost reply) answers
    /// [`Rotation::Rotated`] again, never [`Rotation::Reused`].
    ///
    /// The default implementation is strict rotation without a reuse window, built on
    /// [`RevocationStore::is_revoked`] and [`RevocationStore::consume`], so a store written
    /// for an earlier release stays safe: a second presentation ends the session.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{revoke::{MemoryStore, RevocationStore, Rotation, RotationRequest}};
    /// let store = MemoryStore::new();
    /// let now_ms = 1_700_000_000_000;
    /// let first = RotationRequest {
    ///     session: "login-42", presented: "r0", subject: "user1", issued_at: 1_699_999_000,
    ///     presented_expires_at: 4_102_444_800, successor: "r1", signature: None,
    ///     now_ms, window_ms: 30_000, expires_at: 4_102_444_800,
    /// };
    /// assert_eq!(store.rotate(&first).await?, Rotation::Rotated);
    /// // Another tab presents r0 a second later: the same successor, r1.
    /// let again = RotationRequest { successor: "r1-bis", now_ms: now_ms + 1_000, ..first };
    /// let Rotation::Replayed(successor) = store.rotate(&again).await? else { panic!() };
    /// assert_eq!(successor.jti, "r1");
    /// // r0 a minute later is reuse: the session is ended.
    /// let late = RotationRequest { successor: "r1-ter", now_ms: now_ms + 60_000, ..first };
    /// assert_eq!(store.rotate(&late).await?, Rotation::Reused);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    async fn rotate(&self, request: &RotationRequest<'_>) -> Result<Rotation, StoreError> {
        let token = TokenRef {
            jti: request.presented,
            family: Some(request.session),
            subject: request.subject,
            issued_at: request.issued_at,
        };
        if self.is_revoked(&token).await? {
            return Ok(Rotation::Ended);
        }
        if self
            .consume(request.presented, request.presented_expires_at)
            .await?
        {
            Ok(Rotation::Rotated)
        } else {
            Ok(Rotation::Reused)
        }
    }

    /// Whether refresh token `jti` of `session` was rotated away: it is neither the session's
    /// current token nor, within `window_ms` of its rotation, the previous one. Every path
    /// that accepts a refresh token except the refresh itself (the `RefreshToken`
    /// extractors, logout) refuses such a token as revoked, so an old stolen refresh token
    /// opens nothing. Not on the access-token path.
    ///
    /// Defaults to `false`: a store without rotation records relies on the default
    /// [`RevocationStore::rotate`], whose `consume` revokes each used token by its `jti`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{revoke::{MemoryStore, RevocationStore, RotationRequest}};
    /// let store = MemoryStore::new();
    /// let rotation = RotationRequest {
    ///     session: "login-42", presented: "r0", subject: "user1", issued_at: 1,
    ///     presented_expires_at: 4_102_444_800, successor: "r1", signature: None,
    ///     now_ms: 0, window_ms: 30_000, expires_at: 4_102_444_800,
    /// };
    /// store.rotate(&rotation).await?;
    /// assert!(!store.is_rotated_out("login-42", "r1", 60_000, 30_000).await?); // current
    /// assert!(store.is_rotated_out("login-42", "r0", 60_000, 30_000).await?); // replaced
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    async fn is_rotated_out(
        &self,
        session: &str,
        jti: &str,
        now_ms: u64,
        window_ms: u64,
    ) -> Result<bool, StoreError> {
        let _ = (session, jti, now_ms, window_ms);
        Ok(false)
    }

    /// Records a new session (a login) in the session registry. The default keeps no
    /// registry: logins work, and [`RevocationStore::sessions`] says it has none.
    async fn register_session(&self, session: &Session) -> Result<(), StoreError> {
        let _ = session;
        Ok(())
    }

    /// Notes a refresh of `session` (of `subject`) at `seen_at`, its refresh token now
    /// living until `expires_at`; a session the registry does not know yet (a login made
    /// before the registry existed) is added, created `seen_at`. Called at each rotation,
    /// never on the request path. The default does nothing.
    async fn touch_session(
        &self,
        subject: &str,
        session: &str,
        seen_at: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let _ = (subject, session, seen_at, expires_at);
        Ok(())
    }

    /// The live sessions of `subject`, in any order: not expired, not ended (by logout,
    /// reuse, [`RevocationStore::forget_session`] or a revoke-all after their login). The
    /// default fails: a store without a registry cannot list sessions.
    async fn sessions(&self, subject: &str) -> Result<Vec<Session>, StoreError> {
        let _ = subject;
        Err(StoreError::new(
            "this revocation store keeps no session registry",
        ))
    }

    /// Drops `session` of `subject` from the registry (it was ended; its tokens are refused
    /// through [`RevocationStore::revoke_family`]). The default does nothing.
    async fn forget_session(&self, subject: &str, session: &str) -> Result<(), StoreError> {
        let _ = (subject, session);
        Ok(())
    }
}

/// One refresh presented to [`RevocationStore::rotate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationRequest<'a> {
    /// The session's id (the refresh family, one per login).
    pub session: &'a str,
    /// The presented refresh token's `jti`.
    pub presented: &'a str,
    /// The presented token's subject.
    pub subject: &'a str,
    /// The presented token's `iat`, seconds since the Unix epoch.
    pub issued_at: u64,
    /// Until when a revocation of the presented token must be kept (its `exp` plus leeway).
    pub presented_expires_at: u64,
    /// The id proposed for the successor, unique to this call: it becomes current when the
    /// presented token is.
    pub successor: &'a str,
    /// The proposed successor's signature, to store with it when signatures are randomized.
    pub signature: Option<&'a [u8]>,
    /// The caller's clock, milliseconds since the Unix epoch: the rotation's time.
    pub now_ms: u64,
    /// The reuse window in milliseconds (0: strict rotation).
    pub window_ms: u64,
    /// Until when the session's record must be kept, seconds since the Unix epoch (the
    /// successor's expiry plus leeway).
    pub expires_at: u64,
}

/// What [`RevocationStore::rotate`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rotation {
    /// The presented token was the session's current one (or the session had no record yet,
    /// like a token issued by an earlier release): the proposed successor is now current.
    Rotated,
    /// The presented token was rotated less than the window ago: answer with the successor
    /// it got then.
    Replayed(Successor),
    /// The presented token was rotated longer than the window ago, or is older than the
    /// previous one: the session is now ended in the record; the caller revokes its family.
    Reused,
    /// The session had already ended (logout, revocation, reuse).
    Ended,
}

/// The successor a rotation recorded, to reproduce it identically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Successor {
    /// The successor's `jti`.
    pub jti: String,
    /// When the rotation happened, milliseconds since the Unix epoch (the successor's `iat`
    /// is this in seconds).
    pub rotated_at_ms: u64,
    /// The successor's signature when the signing algorithm is randomized.
    pub signature: Option<Vec<u8>>,
}
