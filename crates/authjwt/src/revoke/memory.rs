//! The in-memory store: revocations in sharded hash maps, read without blocking each other,
//! every entry dropped once the tokens it concerns have expired.
//!
//! Revocations are rare and lookups happen on every request, so lookups take a shared lock
//! on one shard only, and skip a table that holds nothing (the family and subject tables
//! usually do). Each shard also queues its entries by expiry: every write drops a bounded
//! number of expired ones, so no write ever holds a shard's lock for a scan of the whole
//! shard, and [`MemoryStore::len`] drops them all.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;

use super::Session;
use super::rotation::{Record, decide};
use super::sessions::SubjectSessions;
use super::{RevocationStore, Rotation, RotationRequest, StoreError, TokenRef};
use crate::claims::now;

/// Shards per table: lookups of different tokens rarely share a lock.
const SHARDS: usize = 16;

/// Expired entries dropped per write at most: more than one, so that the queue drains faster
/// than writes fill it, and few enough that a write stays short.
const SWEEP_PER_WRITE: usize = 32;

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// For subjects: tokens issued at or before this are revoked. Unused for jti/family.
    cutoff: u64,
    /// When the entry may go: after this second, every token it concerns has expired.
    expires_at: u64,
}

/// What a table holds: something that may be forgotten after a given second.
trait Expiring: Clone {
    fn expires_at(&self) -> u64;

    /// Held through the whole second `expires_at`, so a check racing the clock's tick
    /// cannot miss it.
    fn live(&self, now: u64) -> bool {
        self.expires_at() >= now
    }
}

impl Expiring for Entry {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl Expiring for SubjectSessions {
    fn expires_at(&self) -> u64 {
        SubjectSessions::expires_at(self)
    }
}

impl Expiring for Record {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

#[derive(Debug)]
struct Shard<V> {
    entries: HashMap<Arc<str>, V>,
    /// Every (expiry, key) an entry was written with, soonest first. An item whose entry has
    /// since been extended is stale and skipped when it comes up.
    expiries: BinaryHeap<Reverse<(u64, Arc<str>)>>,
}

impl<V> Default for Shard<V> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            expiries: BinaryHeap::new(),
        }
    }
}

impl<V: Expiring> Shard<V> {
    /// Drops up to `limit` expired entries; returns how many went.
    fn sweep(&mut self, now: u64, limit: usize) -> usize {
        let mut dropped = 0;
        for _ in 0..limit {
            let Some(Reverse((expires_at, _))) = self.expiries.peek() else {
                break;
            };
            if *expires_at >= now {
                break;
            }
            let Some(Reverse((expires_at, key))) = self.expiries.pop() else {
                break;
            };
            match self.entries.get(&key).map(Expiring::expires_at) {
                Some(current) if current == expires_at => {
                    self.entries.remove(&key);
                    dropped += 1;
                }
                // Extended since it was queued: queued again at its current expiry.
                Some(current) if current > expires_at => {
                    self.expiries.push(Reverse((current, key)));
                }
                _ => {}
            }
        }
        // Give memory back once a burst of revocations has expired (amortised: only after
        // the live entries fell to a quarter of the room).
        if self.entries.capacity() > 4 * self.entries.len() + 64 {
            self.entries.shrink_to_fit();
        }
        if self.expiries.capacity() > 4 * self.expiries.len() + 64 {
            self.expiries.shrink_to_fit();
        }
        dropped
    }
}

/// One kind of revocation (by jti, family or subject), or the sessions' rotation records.
#[derive(Debug)]
struct Table<V> {
    shards: Box<[RwLock<Shard<V>>]>,
    /// Entries held, expired or not: zero lets a lookup skip the table without a lock.
    len: AtomicUsize,
}

impl<V: Expiring> Table<V> {
    fn new() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            len: AtomicUsize::new(0),
        }
    }

    /// Keys are token ids, family ids and subjects; the shard only spreads lock traffic (each
    /// shard's map keeps std's keyed hash against collisions), so a cheap mix is enough.
    fn shard(&self, key: &str) -> &RwLock<Shard<V>> {
        let mixed = key.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        &self.shards[(mixed as usize) % SHARDS]
    }

    fn get(&self, key: &str) -> Option<V> {
        if self.len.load(Ordering::Acquire) == 0 {
            return None;
        }
        let shard = self
            .shard(key)
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        shard.entries.get(key).cloned()
    }

    fn live(&self, key: &str) -> Option<V> {
        self.get(key).filter(|e| e.live(now()))
    }

    /// Writes the value `update` makes from the live one (if any), under the shard's lock;
    /// `update` returns `None` to leave the shard as it is, and a result handed back.
    fn upsert<R>(&self, key: &str, update: impl FnOnce(Option<&V>) -> (Option<V>, R)) -> R {
        let now = now();
        let mut shard = self
            .shard(key)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let swept = shard.sweep(now, SWEEP_PER_WRITE);
        self.len.fetch_sub(swept, Ordering::Release);
        let existing = shard
            .entries
            .get_key_value(key)
            .map(|(k, e)| (Arc::clone(k), e.expires_at()));
        let live = shard.entries.get(key).filter(|e| e.live(now));
        let (write, result) = update(live);
        let Some(entry) = write else {
            return result;
        };
        let key = match existing {
            // Every entry has an item queued at or before its expiry: one for a later expiry
            // is queued again when that item comes up (see `sweep`), so extending an entry
            // (a rotation record, at every refresh) adds nothing to the queue.
            Some((key, old)) if old <= entry.expires_at() => {
                shard.entries.insert(key, entry);
                return result;
            }
            Some((key, _)) => key,
            None => {
                self.len.fetch_add(1, Ordering::Release);
                Arc::from(key)
            }
        };
        shard
            .expiries
            .push(Reverse((entry.expires_at(), Arc::clone(&key))));
        shard.entries.insert(key, entry);
        result
    }

    /// Drops every expired entry and counts what is left.
    fn settle(&self) -> usize {
        let now = now();
        for shard in &self.shards {
            let mut shard = shard.write().unwrap_or_else(PoisonError::into_inner);
            let swept = shard.sweep(now, usize::MAX);
            self.len.fetch_sub(swept, Ordering::Release);
        }
        self.len.load(Ordering::Acquire)
    }
}

#[derive(Debug)]
struct Tables {
    jtis: Table<Entry>,
    families: Table<Entry>,
    subjects: Table<Entry>,
    /// One rotation record per session that has been refreshed (see `rotation.rs`).
    rotations: Table<Record>,
    /// The session registry: every live session of a subject, under one entry.
    sessions: Table<SubjectSessions>,
}

/// Revocations kept in this process (the default store). Each entry is dropped once the
/// tokens it concerns have expired, so memory stays bounded by the number of live revoked
/// tokens. Revocations do not survive a restart and are not shared between instances: use
/// the Redis store for that.
///
/// ```
/// use std::sync::Arc;
/// use authjwt::{Config, revoke::MemoryStore};
///
/// let config = Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .revocation_store(Arc::new(MemoryStore::new()))
///     .build()?;
/// # Ok::<(), authjwt::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    tables: Arc<Tables>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = &self.tables;
        f.debug_struct("MemoryStore")
            .field("jtis", &t.jtis.len.load(Ordering::Relaxed))
            .field("families", &t.families.len.load(Ordering::Relaxed))
            .field("subjects", &t.subjects.len.load(Ordering::Relaxed))
            .field("sessions", &t.rotations.len.load(Ordering::Relaxed))
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
    /// use authjwt::{revoke::{MemoryStore, RevocationStore}};
    /// let store = MemoryStore::new();
    /// let handle = store.clone(); // clones share their entries
    /// handle.revoke_family("login-42", 4_102_444_800).await?; // forgotten in 2100
    /// assert_eq!(store.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn new() -> Self {
        Self {
            tables: Arc::new(Tables {
                jtis: Table::new(),
                families: Table::new(),
                subjects: Table::new(),
                rotations: Table::new(),
                sessions: Table::new(),
            }),
        }
    }

    /// The number of entries held (revocations and sessions' rotation records), after
    /// dropping expired ones.
    ///
    /// ```
    /// assert_eq!(authjwt::revoke::MemoryStore::new().len(), 0);
    /// ```
    pub fn len(&self) -> u64 {
        let t = &self.tables;
        let held =
            t.jtis.settle() + t.families.settle() + t.subjects.settle() + t.rotations.settle();
        u64::try_from(held).unwrap_or(u64::MAX)
    }

    /// Whether the store holds no entry.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{revoke::{MemoryStore, RevocationStore}};
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
        self.has_jti(token.jti) || self.session_revoked(token)
    }

    /// Whether the token's session (family) or its subject was revoked: not the token alone.
    pub(crate) fn session_revoked(&self, token: &TokenRef<'_>) -> bool {
        let t = &self.tables;
        token.family.is_some_and(|f| t.families.live(f).is_some())
            || t.subjects
                .live(token.subject)
                .is_some_and(|e| token.issued_at <= e.cutoff)
    }

    /// Whether `jti` itself is revoked (or used).
    pub(crate) fn has_jti(&self, jti: &str) -> bool {
        self.tables.jtis.live(jti).is_some()
    }

    pub(crate) fn insert_jti(&self, jti: &str, expires_at: u64) {
        self.tables.jtis.upsert(jti, |old| {
            let expires_at = old.map_or(expires_at, |e| e.expires_at.max(expires_at));
            let entry = Entry {
                cutoff: 0,
                expires_at,
            };
            (Some(entry), ())
        });
    }

    pub(crate) fn insert_family(&self, family: &str, expires_at: u64) {
        self.tables.families.upsert(family, |old| {
            let expires_at = old.map_or(expires_at, |e| e.expires_at.max(expires_at));
            let entry = Entry {
                cutoff: 0,
                expires_at,
            };
            (Some(entry), ())
        });
    }

    pub(crate) fn insert_subject(&self, subject: &str, cutoff: u64, expires_at: u64) {
        // Keep the latest cutoff if revoke-all is called repeatedly.
        self.tables.subjects.upsert(subject, |old| {
            let entry = match old {
                Some(e) => Entry {
                    cutoff: e.cutoff.max(cutoff),
                    expires_at: e.expires_at.max(expires_at),
                },
                None => Entry { cutoff, expires_at },
            };
            (Some(entry), ())
        });
    }

    /// Inserts the jti unless a live entry holds it; `true` when this call inserted it.
    pub(crate) fn insert_jti_if_absent(&self, jti: &str, expires_at: u64) -> bool {
        self.tables.jtis.upsert(jti, |old| match old {
            Some(_) => (None, false),
            None => {
                let entry = Entry {
                    cutoff: 0,
                    expires_at,
                };
                (Some(entry), true)
            }
        })
    }

    /// The rotation decision, under the session record's lock. The revocations are read
    /// under that lock too, so a logout or revoke-all that returned before is always seen.
    fn rotate_now(&self, request: &RotationRequest<'_>) -> Rotation {
        let token = TokenRef {
            jti: request.presented,
            family: Some(request.session),
            subject: request.subject,
            issued_at: request.issued_at,
        };
        self.tables.rotations.upsert(request.session, |record| {
            if self.session_revoked(&token) {
                return (None, Rotation::Ended);
            }
            if self.has_jti(request.presented) && !record.is_some_and(|r| r.ended) {
                // Used up by an earlier release's strict rotation (or revoked alone):
                // presented again, it is a reuse, as it was then.
                let until = record.map_or(request.expires_at, |r| r.expires_at);
                let ended = Record::ended(until.max(request.expires_at), Some(request.successor));
                return (Some(ended), Rotation::Reused);
            }
            decide(record, request)
        })
    }

    /// The live sessions of `subject`: not expired, and neither their family nor (since
    /// their login) their subject revoked. The Redis store filters its list with its replica
    /// through this too.
    pub(crate) fn live_sessions(&self, subject: &str) -> Vec<Session> {
        let now = now();
        let Some(set) = self.tables.sessions.live(subject) else {
            return Vec::new();
        };
        set.sessions
            .into_iter()
            .filter(|s| s.live(now) && !self.session_ended(s))
            .collect()
    }

    /// Whether `session` was ended: its family revoked, or its subject since its login.
    pub(crate) fn session_ended(&self, session: &Session) -> bool {
        self.session_revoked(&TokenRef {
            jti: "",
            family: Some(&session.id),
            subject: &session.subject,
            issued_at: session.created_at,
        })
    }

    /// Whether `jti` of `session` was rotated away (see [`RevocationStore::is_rotated_out`]).
    fn rotated_out_now(&self, session: &str, jti: &str, now_ms: u64, window_ms: u64) -> bool {
        self.tables
            .rotations
            .live(session)
            .is_some_and(|r| r.rotated_out(jti, now_ms, window_ms))
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

    async fn rotate(&self, request: &RotationRequest<'_>) -> Result<Rotation, StoreError> {
        Ok(self.rotate_now(request))
    }

    async fn is_rotated_out(
        &self,
        session: &str,
        jti: &str,
        now_ms: u64,
        window_ms: u64,
    ) -> Result<bool, StoreError> {
        Ok(self.rotated_out_now(session, jti, now_ms, window_ms))
    }

    async fn register_session(&self, session: &Session) -> Result<(), StoreError> {
        let now = now();
        self.tables.sessions.upsert(&session.subject, |old| {
            let mut set = old.cloned().unwrap_or_default();
            set.put(session.clone(), now);
            (Some(set), ())
        });
        Ok(())
    }

    async fn touch_session(
        &self,
        subject: &str,
        session: &str,
        seen_at: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let now = now();
        self.tables.sessions.upsert(subject, |old| {
            let mut set = old.cloned().unwrap_or_default();
            if !set.touch(session, seen_at, expires_at, now) {
                set.put(Session::new(session, subject, seen_at, expires_at), now);
            }
            (Some(set), ())
        });
        Ok(())
    }

    async fn sessions(&self, subject: &str) -> Result<Vec<Session>, StoreError> {
        Ok(self.live_sessions(subject))
    }

    async fn forget_session(&self, subject: &str, session: &str) -> Result<(), StoreError> {
        self.tables.sessions.upsert(subject, |old| match old {
            Some(set) if set.sessions.iter().any(|s| s.id == session) => {
                let mut set = set.clone();
                set.sessions.retain(|s| s.id != session);
                (Some(set), ())
            }
            _ => (None, ()),
        });
        Ok(())
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
        assert_eq!(s.len(), 0);
        // An expired entry does not block a new use of the same id.
        assert!(s.insert_jti_if_absent("old", now() + 60));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn an_entry_holds_through_its_last_second() {
        let s = MemoryStore::new();
        s.insert_jti("edge", now());
        assert!(s.check(&t("edge", None, "x", 1)));
        assert!(!s.insert_jti_if_absent("edge", now()));
    }

    #[test]
    fn later_revocations_never_shorten_an_entry() {
        let s = MemoryStore::new();
        let far = now() + 3600;
        s.insert_family("f", far);
        s.insert_family("f", now());
        s.insert_subject("u", 100, far);
        s.insert_subject("u", 50, now());
        assert!(s.check(&t("j", Some("f"), "x", 1)));
        assert!(s.check(&t("j", None, "u", 100)));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn a_write_drops_a_bounded_batch_of_expired_entries() {
        let mut shard = Shard::<Entry>::default();
        let now = now();
        for i in 0..100u64 {
            let key: Arc<str> = Arc::from(format!("old-{i}").as_str());
            let expires_at = now - 10 + i % 3;
            shard.entries.insert(
                Arc::clone(&key),
                Entry {
                    cutoff: 0,
                    expires_at,
                },
            );
            shard.expiries.push(Reverse((expires_at, key)));
        }
        assert_eq!(shard.sweep(now, SWEEP_PER_WRITE), SWEEP_PER_WRITE);
        assert_eq!(shard.entries.len(), 100 - SWEEP_PER_WRITE);
        // Soonest first: 34 entries expired at `now - 10`, and those went first.
        let soonest = shard.entries.values().filter(|e| e.expires_at == now - 10);
        assert_eq!(soonest.count(), 34 - SWEEP_PER_WRITE);
        assert_eq!(shard.sweep(now, usize::MAX), 100 - SWEEP_PER_WRITE);
        assert!(shard.entries.is_empty() && shard.expiries.is_empty());
    }

    #[test]
    fn an_extended_entry_survives_its_earlier_expiry() {
        let s = MemoryStore::new();
        s.insert_family("f", now().saturating_sub(5));
        s.insert_family("f", now() + 60);
        // The queued item of the first expiry comes up first and must not drop the entry.
        assert_eq!(s.len(), 1);
        assert!(s.check(&t("j", Some("f"), "x", 1)));
        s.insert_subject("u", 10, now() + 60);
        s.insert_subject("u", 20, now() + 60); // same expiry: no second queue item
        let shard = s.tables.subjects.shard("u").read().unwrap();
        assert_eq!(shard.expiries.len(), 1);
    }

    #[test]
    fn refreshes_extend_a_record_without_queueing_an_item_each() {
        let s = MemoryStore::new();
        for r in 0..100u64 {
            let (presented, successor) = (format!("r{r}"), format!("r{}", r + 1));
            let request = RotationRequest {
                session: "s",
                presented: &presented,
                subject: "u",
                issued_at: 1,
                presented_expires_at: now() + 100,
                successor: &successor,
                signature: None,
                now_ms: r * 1000,
                window_ms: 0,
                expires_at: now() + 100 + r,
            };
            assert_eq!(s.rotate_now(&request), Rotation::Rotated);
        }
        let shard = s.tables.rotations.shard("s").read().unwrap();
        assert_eq!(shard.expiries.len(), 1, "one queued item per record");
        assert_eq!(shard.entries["s"].expires_at, now() + 199);
    }

    #[test]
    fn an_extended_entry_is_queued_again_when_its_first_item_comes_up() {
        let mut shard = Shard::<Entry>::default();
        let now = now();
        let key: Arc<str> = Arc::from("k");
        shard.entries.insert(
            Arc::clone(&key),
            Entry {
                cutoff: 0,
                expires_at: now + 50,
            },
        );
        shard.expiries.push(Reverse((now - 1, key)));
        assert_eq!(shard.sweep(now, SWEEP_PER_WRITE), 0);
        assert_eq!(shard.entries.len(), 1);
        assert_eq!(shard.expiries.peek().map(|r| r.0.0), Some(now + 50));
    }

    #[test]
    fn a_token_used_up_by_strict_rotation_presented_again_is_a_reuse() {
        let s = MemoryStore::new();
        assert!(s.insert_jti_if_absent("old", now() + 60));
        let request = RotationRequest {
            session: "s",
            presented: "old",
            subject: "u",
            issued_at: 1,
            presented_expires_at: now() + 60,
            successor: "new",
            signature: None,
            now_ms: 0,
            window_ms: 30_000,
            expires_at: now() + 60,
        };
        assert_eq!(s.rotate_now(&request), Rotation::Reused);
        assert_eq!(
            s.rotate_now(&RotationRequest {
                successor: "other",
                ..request
            }),
            Rotation::Ended
        );
    }

    #[test]
    fn clones_share_entries_and_many_keys_spread_over_shards() {
        let s = MemoryStore::new();
        let other = s.clone();
        let far = now() + 3600;
        for i in 0..1000 {
            other.insert_jti(&format!("jti-{i}"), far);
        }
        assert_eq!(s.len(), 1000);
        assert!((0..1000).all(|i| s.has_jti(&format!("jti-{i}"))));
        assert!(!s.has_jti("jti-1000"));
        let used = s.tables.jtis.shards.iter();
        assert!(
            used.filter(|sh| !sh.read().unwrap().entries.is_empty())
                .count()
                > SHARDS / 2
        );
    }
}
