//! The Redis store (feature `redis`, Redis 7.0 or newer): revocations shared by every
//! instance, while each request is checked against a local replica, with no network round
//! trip.
//!
//! Every revocation is written as a key with a TTL (for the initial load) and appended to a
//! Redis Stream (for propagation) by one Lua script, so the two never disagree. Each instance
//! loads the keys at start, then tails the stream with a blocking `XREAD` from the last id it
//! has seen: a revocation made at one instance reaches the others within milliseconds.
//!
//! Every completed `XREAD` (even one that timed out with nothing new) proves the replica was
//! current when it was sent. When no proof is younger than the configured bound (2 s by
//! default), [`RevocationStore::is_revoked`] fails and requests are refused with 503
//! `revocation_unavailable`: the store fails closed. When Redis is back, the instance reloads
//! the keys, resumes the stream where it stopped and serves again. Entries are only ever
//! added to the replica (they leave it when their tokens expire), so nothing revoked before
//! an outage is forgotten, even if Redis itself lost its data.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::claims::now;
use crate::revoke::memory::MemoryStore;
use crate::revoke::rotation::Record;
use crate::revoke::{
    RevocationStore, Rotation, RotationRequest, Session, StoreError, Successor, TokenRef,
};

mod follower;
mod scripts;

use follower::{AbortOnDrop, Follower, Shared};
use scripts::{END_SESSION, ROTATE, SESSION_PUT, SESSION_TOUCH, WRITE};

/// Attempts per write: a connection the manager still held when Redis restarted fails once,
/// and the next attempt runs on the fresh connection.
const ATTEMPTS: u32 = 3;

/// The latest expiry a session record carries (the year 3000): a non-expiring session stays
/// a number that the JSON of Redis scripts keeps exact.
const LATEST: u64 = 32_503_680_000;

/// Whether a failed command may be sent again: the connection failed (the command may or may
/// not have run; every write here is idempotent or recognises its own first attempt).
fn retryable(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout()
}

/// Milliseconds for a `PXAT`, kept through the whole second `expires_at`, like the replica.
fn expire_ms(expires_at: u64) -> u64 {
    expires_at
        .saturating_add(1)
        .saturating_mul(1000)
        .min(i64::MAX as u64)
}

/// A command [`RedisStore::retrying`] may send more than once.
enum Request<'a> {
    Script(redis::ScriptInvocation<'a>),
    Command(redis::Cmd),
}

/// The oldest Redis this store runs on: the scripts use `PEXPIRETIME` (7.0).
const MIN_REDIS: (u32, u32) = (7, 0);

/// Refuses, at connect, a server older than [`MIN_REDIS`] with a message that says so,
/// instead of failing at the first refresh.
async fn check_server_version(con: &mut ConnectionManager) -> Result<(), StoreError> {
    let info: String = redis::cmd("INFO")
        .arg("server")
        .query_async(con)
        .await
        .map_err(|e| StoreError::new(format!("cannot read the Redis version: {:?}", e.kind())))?;
    let version = server_version(&info)
        .ok_or_else(|| StoreError::new("cannot read the Redis version from INFO server"))?;
    if version < MIN_REDIS {
        return Err(StoreError::new(format!(
            "Redis {}.{} is too old: the revocation store needs Redis {}.{} or newer",
            version.0, version.1, MIN_REDIS.0, MIN_REDIS.1
        )));
    }
    Ok(())
}

/// `(major, minor)` from the `redis_version:` line of `INFO server`.
fn server_version(info: &str) -> Option<(u32, u32)> {
    let version = info
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))?
        .trim();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// Settings of a [`RedisStore`].
///
/// ```
/// use std::time::Duration;
/// use authjwt::revoke::redis::RedisStoreBuilder;
///
/// let builder = RedisStoreBuilder::new("redis://127.0.0.1:6379/")
///     .prefix("myapp:auth")
///     .max_staleness(Duration::from_secs(2));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    max_staleness: Duration,
    block: Duration,
    stream_len: u64,
}

impl RedisStoreBuilder {
    /// A builder for the Redis server at `url` (`redis://host:port/db`).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/0").connect().await?;
    /// assert!(store.is_current()); // the revocations are loaded
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            prefix: "authjwt".into(),
            max_staleness: Duration::from_secs(2),
            block: Duration::from_millis(250),
            stream_len: 100_000,
        }
    }

    /// The prefix of every key and of the stream. Defaults to `authjwt`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/")
    ///     .prefix("shop:auth") // keys shop:auth:…, stream shop:auth:events
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How old the last proof that the replica is current may be before requests fail
    /// closed. Defaults to 2 seconds.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use std::time::Duration;
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/")
    ///     .max_staleness(Duration::from_millis(500)) // fail closed sooner after an outage
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_staleness(mut self, bound: Duration) -> Self {
        self.max_staleness = bound;
        self
    }

    /// Approximate number of events the stream keeps (older ones are trimmed; instances
    /// that fall further behind reload the keys). Defaults to 100 000.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/")
    ///     .stream_len(1_000_000) // for many instances that may lag far behind
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream_len(mut self, len: u64) -> Self {
        self.stream_len = len;
        self
    }

    /// Connects, loads the current revocations and starts following the stream. Must run
    /// inside a Tokio runtime.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::sync::Arc;
    /// use authjwt::{Config, redis::RedisStoreBuilder};
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/").connect().await?;
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .revocation_store(Arc::new(store))
    ///     .build()?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(self) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(self.url.as_str())
            .map_err(|_| StoreError::new("invalid Redis URL"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_max_delay(Duration::from_millis(500));
        let writer = ConnectionManager::new_with_config(client.clone(), config.clone())
            .await
            .map_err(|e| StoreError::new(format!("cannot connect to Redis: {:?}", e.kind())))?;
        check_server_version(&mut writer.clone()).await?;
        // XREAD blocks its connection, so the follower gets its own.
        let reader_config = config.set_response_timeout(Some(self.block + Duration::from_secs(1)));
        let reader = ConnectionManager::new_with_config(client, reader_config)
            .await
            .map_err(|e| StoreError::new(format!("cannot connect to Redis: {:?}", e.kind())))?;

        let shared = Arc::new(Shared {
            replica: MemoryStore::new(),
            started: Instant::now(),
            confirmed_ms: AtomicU64::new(0),
            max_staleness: self.max_staleness,
            stream: format!("{}:events", self.prefix),
            prefix: self.prefix,
        });
        let mut follower = Follower {
            shared: shared.clone(),
            con: reader,
            last_id: String::new(),
            block: self.block,
        };
        follower
            .resync()
            .await
            .map_err(|e| StoreError::new(format!("initial load failed: {:?}", e.kind())))?;
        let task = tokio::spawn(follower.run());
        Ok(RedisStore {
            shared,
            writer,
            script: Arc::new(Script::new(WRITE)),
            rotate: Arc::new(Script::new(ROTATE)),
            end_session: Arc::new(Script::new(END_SESSION)),
            session_put: Arc::new(Script::new(SESSION_PUT)),
            session_touch: Arc::new(Script::new(SESSION_TOUCH)),
            stream_len: self.stream_len,
            _task: Arc::new(AbortOnDrop(task)),
        })
    }
}

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
    writer: ConnectionManager,
    script: Arc<Script>,
    rotate: Arc<Script>,
    end_session: Arc<Script>,
    session_put: Arc<Script>,
    session_touch: Arc<Script>,
    stream_len: u64,
    _task: Arc<AbortOnDrop>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.shared.prefix)
            .field("current", &self.shared.is_current())
            .field("replica", &self.shared.replica)
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

    async fn write(
        &self,
        mode: &str,
        kind: &str,
        id: &str,
        value: String,
        expires_at: u64,
        cutoff: u64,
    ) -> Result<bool, StoreError> {
        let key = format!("{}:{kind}:{id}", self.shared.prefix);
        let mut invocation = self.script.key(&key);
        invocation
            .key(&self.shared.stream)
            .arg(mode)
            .arg(&value)
            .arg(expire_ms(expires_at))
            .arg(self.stream_len)
            .arg(cutoff);
        let written: i64 = self.retrying("write", &Request::Script(invocation)).await?;
        if written != 0 {
            // Enforced here at once, without waiting for the stream.
            self.shared.apply(&key, &value);
        }
        Ok(written != 0)
    }

    /// Runs `op` on the writer's connection, again on a connection failure (at most
    /// [`ATTEMPTS`] times, a short pause between), so the first write after Redis restarted
    /// lands on the fresh connection instead of failing on the dead one.
    async fn retrying<T: redis::FromRedisValue>(
        &self,
        what: &str,
        request: &Request<'_>,
    ) -> Result<T, StoreError> {
        let mut pause = Duration::from_millis(50);
        let mut attempt = 1;
        loop {
            let mut con = self.writer.clone();
            let result = match request {
                // Reloads the script when a restarted Redis no longer knows it.
                Request::Script(invocation) => invocation.invoke_async(&mut con).await,
                Request::Command(cmd) => cmd.query_async(&mut con).await,
            };
            match result {
                Ok(value) => return Ok(value),
                Err(e) if attempt < ATTEMPTS && retryable(&e) => {
                    tracing::debug!(target: "authjwt::revocation", error = ?e.kind(), attempt, "Redis {what} failed on the connection; retrying");
                    tokio::time::sleep(pause).await;
                    pause *= 4;
                    attempt += 1;
                }
                Err(e) => {
                    return Err(StoreError::new(format!(
                        "Redis {what} failed: {:?}",
                        e.kind()
                    )));
                }
            }
        }
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
        let key = self.shared.rotation_key(session);
        let mut invocation = self.end_session.key(&key);
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
        get.arg(format!("{}:sub:{}", self.shared.prefix, token.subject));
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
        self.check_replica(token)
    }

    fn is_revoked_now(&self, token: &TokenRef<'_>) -> Option<Result<bool, StoreError>> {
        // The replica answers from memory: no network round trip on the request path.
        Some(self.check_replica(token))
    }

    async fn revoke_jti(&self, jti: &str, expires_at: u64) -> Result<(), StoreError> {
        if expires_at < now() {
            return Ok(());
        }
        self.write("set", "jti", jti, expires_at.to_string(), expires_at, 0)
            .await
            .map(drop)
    }

    async fn revoke_family(&self, family: &str, expires_at: u64) -> Result<(), StoreError> {
        // The record first: once this returns, no refresh of the session succeeds anywhere.
        self.end_session(family, expires_at, "1").await?;
        self.write("set", "fam", family, expires_at.to_string(), expires_at, 0)
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
        self.write("max", "sub", subject, value, expires_at, issued_before)
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
        self.write("nx", "jti", jti, value, expires_at, 0).await
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
            .arg(self.shared.rotation_key(session))
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
        self.ensure_current()?;
        let key = self.shared.rotation_key(request.session);
        if self.shared.replica.session_revoked(&token) {
            return Ok(Rotation::Ended);
        }
        if self.shared.replica.has_jti(request.presented) {
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
        let mut invocation = self.rotate.key(&key);
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
        let key = self.shared.sessions_key(&session.subject);
        let mut stored = session.clone();
        stored.expires_at = stored.expires_at.min(LATEST);
        stored.current = false;
        let json = serde_json::to_string(&stored)
            .map_err(|e| StoreError::new(format!("a session record could not be written: {e}")))?;
        let mut invocation = self.session_put.key(&key);
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
        let key = self.shared.sessions_key(subject);
        let fresh = serde_json::to_string(&Session::new(session, subject, seen_at, expires_at))
            .map_err(|e| StoreError::new(format!("a session record could not be written: {e}")))?;
        let mut invocation = self.session_touch.key(&key);
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
        cmd.arg(self.shared.sessions_key(subject));
        let values: Vec<String> = self
            .retrying("session list", &Request::Command(cmd))
            .await?;
        let now = now();
        Ok(values
            .iter()
            .filter_map(|v| serde_json::from_str::<Session>(v).ok())
            .filter(|s| s.subject == subject && s.live(now))
            .filter(|s| !self.shared.replica.session_ended(s))
            .collect())
    }

    async fn forget_session(&self, subject: &str, session: &str) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("HDEL");
        cmd.arg(self.shared.sessions_key(subject)).arg(session);
        let _: i64 = self
            .retrying("session removal", &Request::Command(cmd))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::server_version;

    #[test]
    fn the_server_version_is_read_from_info() {
        let info = "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n";
        assert_eq!(server_version(info), Some((7, 0)));
        assert_eq!(server_version("redis_version:6.2.14\r\n"), Some((6, 2)));
        assert!(server_version("redis_version:6.2.14\r\n").unwrap() < super::MIN_REDIS);
        assert_eq!(server_version("# Server\r\n"), None);
        assert_eq!(server_version("redis_version:x\r\n"), None);
    }
}
