//! The Redis store (feature `redis`, Redis 7.0 or newer): revocations shared by every
//! instance, while each request is checked against a local replica, with no network round
//! trip. On one node, over TLS (`rediss://`, feature `redis-tls`) and on a Redis Cluster
//! (feature `redis-cluster`).
//!
//! Every revocation is written as a key with a TTL, a member of its shard's expiry index
//! (for the start-up load) and an event of its shard's stream (for propagation) by one Lua
//! script, so they never disagree; the three share the shard's Cluster hash tag (the key
//! layout is in the guide). Each instance loads the indexes at start, then tails the streams
//! with blocking `XREAD`s from the last ids it has seen: a revocation made at one instance
//! reaches the others within milliseconds.
//!
//! Every completed `XREAD` (even one that timed out with nothing new) proves the replica was
//! current when it was sent. When no proof is younger than the configured bound (2 s by
//! default), [`RevocationStore::is_revoked`] fails and requests are refused with 503
//! `revocation_unavailable`: the store fails closed. When Redis is back, the instance catches
//! up from the streams (or reloads, when the streams show that Redis lost events) and serves
//! again. Entries are only ever added to the replica (they leave it when their tokens
//! expire), so nothing revoked before an outage is forgotten by a running instance; and each
//! instance writes its own recent revocations again after an outage or a failover (the
//! outbox), so a revocation a dying primary acknowledged but never replicated comes back
//! whenever its writer survives.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_trait::async_trait;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::claims::now;
use crate::revoke::rotation::Record;
use crate::revoke::{
    RevocationStore, Rotation, RotationRequest, Session, StoreError, Successor, TokenRef,
};

mod acl;
mod builder;
mod conn;
mod follower;
mod layout;
mod outbox;
mod scripts;
mod window;
mod writer;

pub use acl::acl_rules;
pub use builder::RedisStoreBuilder;

use follower::{AbortOnDrop, Shared};
use writer::{Request, Revocation, Writer, expire_ms};

/// The latest expiry a session record carries (the year 3000): a non-expiring session stays
/// a number that the JSON of Redis scripts keeps exact.
const LATEST: u64 = 32_503_680_000;

/// Revocations in Redis, shared by every instance, checked against a local replica.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use authjwt::{Config, redis::RedisStore};
///
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// let config = Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .revocation_store(Arc::new(store))
///     .build()?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    shared: Arc<Shared>,
    writer: Arc<Writer>,
    _tasks: Arc<Vec<AbortOnDrop>>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.shared.layout.prefix)
            .field("cluster", &self.writer.con.is_cluster())
            .field("current", &self.shared.is_current())
            .field("replica", &self.shared.replica)
            .field("window", &self.shared.window)
            .field("outbox", &self.shared.outbox.len())
            .field(
                "divergences",
                &self.shared.divergences.load(Ordering::Relaxed),
            )
            .field("restored", &self.shared.restored.load(Ordering::Relaxed))
            .field(
                "short_waits",
                &self.writer.short_waits.load(Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Fails closed when no `XREAD` has confirmed the replica recently.
    fn ensure_current(&self) -> Result<(), StoreError> {
        if self.shared.is_current() {
            Ok(())
        } else {
            Err(StoreError::new(
                "the revocation replica could not be confirmed current",
            ))
        }
    }

    /// The replica's answer, when it is current.
    fn check_replica(&self, token: &TokenRef<'_>) -> Result<bool, StoreError> {
        self.ensure_current()?;
        Ok(self.shared.replica.check(token))
    }

    /// Connects with the default settings (see [`RedisStoreBuilder`]).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use authjwt::{redis::RedisStore, revoke::RevocationStore};
    /// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
    /// // Every instance connected to the same Redis sees this within milliseconds.
    /// store.revoke_subject("user1", 1_700_000_000, 4_102_444_800).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        RedisStoreBuilder::new(url).connect().await
    }

    /// Whether the replica was confirmed current within the staleness bound.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use authjwt::revoke::redis::RedisStore;
    /// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
    /// // For a readiness probe: false while Redis is unreachable for longer than the bound.
    /// let ready = store.is_current();
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_current(&self) -> bool {
        self.shared.is_current()
    }

    /// Writes a revocation (and enforces it here at once, without waiting for the stream).
    async fn write(&self, revocation: Revocation<'_>) -> Result<bool, StoreError> {
        let value = revocation.value.clone();
        let (key, written) = self.writer.revoke(&self.shared.outbox, revocation).await?;
        if written {
            self.shared.apply(&key, &value, None);
        }
        Ok(written)
    }

    /// Runs one command or script on the writer's connection (see [`Writer::retrying`]).
    async fn retrying<T: redis::FromRedisValue>(
        &self,
        what: &str,
        request: &Request<'_>,
    ) -> Result<T, StoreError> {
        self.writer.retrying(what, request).await
    }

    /// Marks the session's rotation record ended, so no refresh of it succeeds any more.
    /// `by`: the proposed successor of a rotation that found a reuse (its retry is told
    /// "reused" again), or `"1"`.
    async fn end_session(
        &self,
        session: &str,
        expires_at: u64,
        by: &str,
    ) -> Result<(), StoreError> {
        let key = self.writer.layout.rotation_key(session);
        let mut invocation = self.writer.scripts.end_session.key(&key);
        invocation.arg(expire_ms(expires_at)).arg(by);
        let _: i64 = self
            .retrying("session end", &Request::Script(invocation))
            .await?;
        Ok(())
    }

    /// Whether the subject was revoked (revoke-all) in Redis itself, not only in the replica:
    /// read after a rotation, so a revoke-all that returned on another instance before it is
    /// always seen. (A logout or reuse ends the session's record first, which the rotation
    /// script itself reads.)
    async fn subject_revoked_in_redis(&self, token: &TokenRef<'_>) -> Result<bool, StoreError> {
        let mut get = redis::cmd("GET");
        get.arg(self.writer.layout.revocation_key("sub", token.subject));
        let value: Option<String> = self.retrying("read", &Request::Command(get)).await?;
        let cutoff = value
            .as_deref()
            .and_then(|v| v.split(',').next())
            .and_then(|c| c.parse::<u64>().ok());
        Ok(cutoff.is_some_and(|c| token.issued_at <= c))
    }
}

#[async_trait]
impl RevocationStore for RedisStore {
    async fn is_revoked(&self, token: &TokenRef<'_>) -> Result<bool, StoreError> {
        let verdict = self.verdict(token).await?;
        Ok(verdict.jti || verdict.session)
    }

    fn is_revoked_now(&self, token: &TokenRef<'_>) -> Option<Result<bool, StoreError>> {
        // The replica answers from memory: no network round trip on the request path (a
        // bounded replica, for the tokens of its window).
        self.shared
            .covers(token.issued_at)
            .then(|| self.check_replica(token))
    }

    async fn revoke_jti(&self, jti: &str, expires_at: u64) -> Result<(), StoreError> {
        if expires_at < now() {
            return Ok(());
        }
        self.write(Revocation {
            mode: "set",
            kind: "jti",
            id: jti,
            value: expires_at.to_string(),
            expires_at,
            cutoff: 0,
        })
        .await
        .map(drop)
    }

    async fn revoke_family(&self, family: &str, expires_at: u64) -> Result<(), StoreError> {
        // The record first: once this returns, no refresh of the session succeeds anywhere.
        self.end_session(family, expires_at, "1").await?;
        self.write(Revocation {
            mode: "set",
            kind: "fam",
            id: family,
            value: expires_at.to_string(),
            expires_at,
            cutoff: 0,
        })
        .await
        .map(drop)
    }

    async fn revoke_subject(
        &self,
        subject: &str,
        issued_before: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let value = format!("{issued_before},{expires_at}");
        self.write(Revocation {
            mode: "max",
            kind: "sub",
            id: subject,
            value,
            expires_at,
            cutoff: issued_before,
        })
        .await
        .map(drop)
    }

    async fn consume(&self, jti: &str, expires_at: u64) -> Result<bool, StoreError> {
        self.ensure_current()?;
        if self.shared.replica.has_jti(jti) {
            return Ok(false);
        }
        let expires_at = expires_at.max(now() + 1);
        // The nonce lets a retry recognise its own first attempt (the replica reads only the
        // leading expiry).
        let value = format!("{expires_at},n{}", crate::claims::random_id());
        self.write(Revocation {
            mode: "nx",
            kind: "jti",
            id: jti,
            value,
            expires_at,
            cutoff: 0,
        })
        .await
    }

    async fn is_rotated_out(
        &self,
        session: &str,
        jti: &str,
        now_ms: u64,
        window_ms: u64,
    ) -> Result<bool, StoreError> {
        let mut hmget = redis::cmd("HMGET");
        hmget
            .arg(self.writer.layout.rotation_key(session))
            .arg(&["cur", "prev", "at", "ended"]);
        let [current, previous, at, ended]: [Option<String>; 4] =
            self.retrying("read", &Request::Command(hmget)).await?;
        let Some(current) = current else {
            return Ok(ended.is_some());
        };
        let record = Record {
            current: current.into(),
            previous: previous.map(Into::into),
            rotated_at_ms: at.and_then(|a| a.parse().ok()).unwrap_or(0),
            signature: None,
            ended: ended.is_some(),
            ended_by: None,
            expires_at: 0,
        };
        Ok(record.rotated_out(jti, now_ms, window_ms))
    }

    async fn rotate(&self, request: &RotationRequest<'_>) -> Result<Rotation, StoreError> {
        let token = TokenRef {
            jti: request.presented,
            family: Some(request.session),
            subject: request.subject,
            issued_at: request.issued_at,
        };
        let verdict = self.verdict(&token).await?;
        let key = self.writer.layout.rotation_key(request.session);
        if verdict.session {
            return Ok(Rotation::Ended);
        }
        if verdict.jti {
            // Used up by an earlier release's strict rotation (or revoked alone): presented
            // again, it is a reuse, as it was then; once the session is ended, it is ended.
            let mut hget = redis::cmd("HGET");
            hget.arg(&key).arg("ended");
            let ended: Option<String> = self.retrying("read", &Request::Command(hget)).await?;
            if ended.is_some_and(|by| by != request.successor) {
                return Ok(Rotation::Ended);
            }
            self.end_session(request.session, request.expires_at, request.successor)
                .await?;
            return Ok(Rotation::Reused);
        }
        let signature = request
            .signature
            .map(|s| URL_SAFE_NO_PAD.encode(s))
            .unwrap_or_default();
        let mut invocation = self.writer.scripts.rotate.key(&key);
        invocation
            .arg(request.presented)
            .arg(request.successor)
            .arg(request.now_ms)
            .arg(request.window_ms)
            .arg(expire_ms(request.expires_at))
            .arg(&signature);
        let reply: Vec<String> = self
            .retrying("rotation", &Request::Script(invocation))
            .await?;
        let malformed = || StoreError::new("malformed rotation record");
        let decision = match reply.first().map(String::as_str) {
            Some("rotated") => Rotation::Rotated,
            Some("replayed") => {
                let [_, jti, at, sig] = reply.as_slice() else {
                    return Err(malformed());
                };
                Rotation::Replayed(Successor {
                    jti: jti.clone(),
                    rotated_at_ms: at.parse().map_err(|_| malformed())?,
                    signature: match sig.as_str() {
                        "" => None,
                        sig => Some(URL_SAFE_NO_PAD.decode(sig).map_err(|_| malformed())?),
                    },
                })
            }
            Some("reused") => return Ok(Rotation::Reused),
            Some("ended") => return Ok(Rotation::Ended),
            _ => return Err(malformed()),
        };
        if self.subject_revoked_in_redis(&token).await? {
            return Ok(Rotation::Ended);
        }
        Ok(decision)
    }

    async fn register_session(&self, session: &Session) -> Result<(), StoreError> {
        let key = self.writer.layout.sessions_key(&session.subject);
        let mut stored = session.clone();
        stored.expires_at = stored.expires_at.min(LATEST);
        stored.current = false;
        let json = serde_json::to_string(&stored)
            .map_err(|e| StoreError::new(format!("a session record could not be written: {e}")))?;
        let mut invocation = self.writer.scripts.session_put.key(&key);
        invocation
            .arg(&stored.id)
            .arg(json)
            .arg(expire_ms(stored.expires_at))
            .arg(now());
        let _: i64 = self
            .retrying("session registration", &Request::Script(invocation))
            .await?;
        Ok(())
    }

    async fn touch_session(
        &self,
        subject: &str,
        session: &str,
        seen_at: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let expires_at = expires_at.min(LATEST);
        let key = self.writer.layout.sessions_key(subject);
        let fresh = serde_json::to_string(&Session::new(session, subject, seen_at, expires_at))
            .map_err(|e| StoreError::new(format!("a session record could not be written: {e}")))?;
        let mut invocation = self.writer.scripts.session_touch.key(&key);
        invocation
            .arg(session)
            .arg(seen_at)
            .arg(expires_at)
            .arg(expire_ms(expires_at))
            .arg(fresh);
        let _: i64 = self
            .retrying("session refresh", &Request::Script(invocation))
            .await?;
        Ok(())
    }

    async fn sessions(&self, subject: &str) -> Result<Vec<Session>, StoreError> {
        self.ensure_current()?;
        let mut cmd = redis::cmd("HVALS");
        cmd.arg(self.writer.layout.sessions_key(subject));
        let values: Vec<String> = self
            .retrying("session list", &Request::Command(cmd))
            .await?;
        let now = now();
        let mut live = Vec::new();
        for session in values
            .iter()
            .filter_map(|v| serde_json::from_str::<Session>(v).ok())
            .filter(|s| s.subject == subject && s.live(now))
        {
            if !self.session_ended(&session).await? {
                live.push(session);
            }
        }
        Ok(live)
    }

    async fn forget_session(&self, subject: &str, session: &str) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("HDEL");
        cmd.arg(self.writer.layout.sessions_key(subject))
            .arg(session);
        let _: i64 = self
            .retrying("session removal", &Request::Command(cmd))
            .await?;
        Ok(())
    }
}
