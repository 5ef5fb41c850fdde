//! The in-memory store: O(1) lookups, every entry evicted when its tokens have expired.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use moka::sync::Cache;

use super::{RevocationStore, StoreError, TokenRef};
use crate::tokens::now;

/// When an entry may go: the `expires_at` it was stored with.
struct UntilExpiry;

impl<K> moka::Expiry<K, Entry> for UntilExpiry {
    fn expire_after_create(
        &self,
        _key: &K,
        value: &Entry,
        _created_at: Instant,
    ) -> Option<Duration> {
        // Until one second past `expires_at`, measured on the wall clock like `exp`.
        // An expiry beyond what the clock can represent (a non-expiring token) never expires.
        let until =
            UNIX_EPOCH.checked_add(Duration::from_secs(value.expires_at.saturating_add(1)))?;
        Some(
            until
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO),
        )
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// For subjects: tokens issued at or before this are revoked. Unused for jti/family.
    cutoff: u64,
    expires_at: u64,
}

/// Revocations kept in this process (the default store). Each entry is evicted when the
/// tokens it concerns have expired, so memory stays bounded by the number of live revoked
/// tokens. Revocations do not survive a restart and are not shared between instances: use
/// the Redis store for that.
///
/// ```
/// use std::sync::Arc;
/// use authjwt::{Config, MemoryStore};
///
/// let config = Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .revocation_store(Arc::new(MemoryStore::new()))
///     .build()?;
/// # Ok::<(), authjwt::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    jtis: Cache<String, Entry>,
    families: Cache<String, Entry>,
    subjects: Cache<String, Entry>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("jtis", &self.jtis.entry_count())
            .field("families", &self.families.entry_count())
            .field("subjects", &self.subjects.entry_count())
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty store.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{MemoryStore, RevocationStore};
    /// let store = MemoryStore::new();
    /// let handle = store.clone(); // clones share their entries
    /// handle.revoke_family("login-42", 4_102_444_800).await?; // forgotten in 2100
    /// assert_eq!(store.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn new() -> Self {
        let cache = || Cache::builder().expire_after(UntilExpiry).build();
        Self {
            jtis: cache(),
            families: cache(),
            subjects: cache(),
        }
    }

    /// The number of entries held (after evicting expired ones).
    ///
    /// ```
    /// assert_eq!(authjwt::MemoryStore::new().len(), 0);
    /// ```
    pub fn len(&self) -> u64 {
        for c in [&self.jtis, &self.families, &self.subjects] {
            // Each maintenance pass handles a bounded batch; repeat until it settles.
            let mut before = u64::MAX;
            while c.entry_count() < before {
                before = c.entry_count();
                c.run_pending_tasks();
            }
        }
        self.jtis.entry_count() + self.families.entry_count() + self.subjects.entry_count()
    }

    /// Whether the store holds no entry.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{MemoryStore, RevocationStore};
    /// let store = MemoryStore::new();
    /// assert!(store.is_empty());
    /// store.revoke_subject("user1", 1_700_000_000, 4_102_444_800).await?;
    /// assert!(!store.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The synchronous check behind [`RevocationStore::is_revoked`] (the Redis store's
    /// local replica uses it too).
    pub(crate) fn check(&self, token: &TokenRef<'_>) -> bool {
        let live = |e: Entry| e.expires_at > now();
        self.jtis.get(token.jti).is_some_and(live)
            || token
                .family
                .is_some_and(|f| self.families.get(f).is_some_and(live))
            || self
                .subjects
                .get(token.subject)
                .is_some_and(|e| live(e) && token.issued_at <= e.cutoff)
    }

    /// Whether `jti` itself is revoked (or used).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn has_jti(&self, jti: &str) -> bool {
        self.jtis.get(jti).is_some_and(|e| e.expires_at > now())
    }

    pub(crate) fn insert_jti(&self, jti: &str, expires_at: u64) {
        self.jtis.insert(
            jti.to_owned(),
            Entry {
                cutoff: 0,
                expires_at,
            },
        );
    }

    pub(crate) fn insert_family(&self, family: &str, expires_at: u64) {
        self.families.insert(
            family.to_owned(),
            Entry {
                cutoff: 0,
                expires_at,
            },
        );
    }

    pub(crate) fn insert_subject(&self, subject: &str, cutoff: u64, expires_at: u64) {
        // Keep the latest cutoff if revoke-all is called repeatedly.
        let entry = match self.subjects.get(subject) {
            Some(e) => Entry {
                cutoff: e.cutoff.max(cutoff),
                expires_at: e.expires_at.max(expires_at),
            },
            None => Entry { cutoff, expires_at },
        };
        self.subjects.insert(subject.to_owned(), entry);
    }

    /// Inserts the jti unless present; `true` when this call inserted it.
    pub(crate) fn insert_jti_if_absent(&self, jti: &str, expires_at: u64) -> bool {
        self.jtis
            .entry_by_ref(jti)
            .or_insert_with(|| Entry {
                cutoff: 0,
                expires_at,
            })
            .is_fresh()
    }
}

#[async_trait]
impl RevocationStore for MemoryStore {
    async fn is_revoked(&self, token: &TokenRef<'_>) -> Result<bool, StoreError> {
        Ok(self.check(token))
    }

    fn is_revoked_now(&self, token: &TokenRef<'_>) -> Option<Result<bool, StoreError>> {
        Some(Ok(self.check(token)))
    }

    async fn revoke_jti(&self, jti: &str, expires_at: u64) -> Result<(), StoreError> {
        self.insert_jti(jti, expires_at);
        Ok(())
    }

    async fn revoke_family(&self, family: &str, expires_at: u64) -> Result<(), StoreError> {
        self.insert_family(family, expires_at);
        Ok(())
    }

    async fn revoke_subject(
        &self,
        subject: &str,
        issued_before: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        self.insert_subject(subject, issued_before, expires_at);
        Ok(())
    }

    async fn consume(&self, jti: &str, expires_at: u64) -> Result<bool, StoreError> {
        Ok(self.insert_jti_if_absent(jti, expires_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<'a>(jti: &'a str, family: Option<&'a str>, subject: &'a str, iat: u64) -> TokenRef<'a> {
        TokenRef {
            jti,
            family,
            subject,
            issued_at: iat,
        }
    }

    #[test]
    fn jti_family_and_subject() {
        let s = MemoryStore::new();
        let far = now() + 3600;
        s.insert_jti("a", far);
        s.insert_family("f", far);
        s.insert_subject("u", 100, far);
        assert!(s.check(&t("a", None, "x", 1)));
        assert!(s.check(&t("b", Some("f"), "x", 1)));
        assert!(s.check(&t("b", None, "u", 100)));
        assert!(!s.check(&t("b", None, "u", 101)));
        assert!(!s.check(&t("b", Some("g"), "x", 1)));
    }

    #[test]
    fn consume_is_first_use_only() {
        let s = MemoryStore::new();
        assert!(s.insert_jti_if_absent("r", now() + 60));
        assert!(!s.insert_jti_if_absent("r", now() + 60));
        assert!(s.check(&t("r", None, "x", 1)));
    }

    #[test]
    fn entries_of_non_expiring_tokens_never_overflow() {
        let s = MemoryStore::new();
        s.insert_jti("forever", u64::MAX);
        assert!(s.insert_jti_if_absent("forever2", u64::MAX));
        assert!(s.check(&t("forever", None, "x", 1)));
        assert!(s.check(&t("forever2", None, "x", 1)));
    }

    #[test]
    fn expired_entries_do_not_count_and_are_evicted() {
        let s = MemoryStore::new();
        s.insert_jti("old", now().saturating_sub(10));
        assert!(!s.check(&t("old", None, "x", 1)));
    }
}
