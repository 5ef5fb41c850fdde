//! [`RedisStoreBuilder`]: where the store connects, how it trusts TLS, and its bounds.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use super::RedisStore;
use super::conn::{Ca, Con, Connector, Target, check_server_version};
use super::follower::{AbortOnDrop, Cursor, Follow, Lane, Shared};
use super::layout::{Layout, SHARDS};
use super::outbox::Outbox;
use super::writer::{Scripts, Writer};
use crate::revoke::StoreError;
use crate::revoke::memory::MemoryStore;

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
    target: Target,
    ca: Ca,
    prefix: String,
    max_staleness: Duration,
    follow: Follow,
    stream_len: u64,
    wait: Option<(u32, Duration)>,
    outbox_retention: Duration,
    window: Option<Duration>,
}

impl RedisStoreBuilder {
    /// A builder for the Redis server at `url`: `redis://[user:password@]host:port/db`, or
    /// `rediss://…` for TLS (feature `redis-tls`; the system's roots are trusted unless
    /// [`RedisStoreBuilder::ca_cert_pem`] or [`RedisStoreBuilder::ca_cert_file`] names a CA).
    /// The user and password are those of a Redis ACL user (see [`acl_rules`](super::acl_rules)).
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
        Self::with_target(Target::Node(url.into()))
    }

    /// A builder for a Redis Cluster (feature `redis-cluster`), found through any reachable
    /// node of `seeds` (URLs as for [`RedisStoreBuilder::new`], all `redis://` or all
    /// `rediss://`, with the same user). Commands follow the Cluster's slot moves and
    /// failovers (`MOVED`, `ASK`).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::cluster([
    ///     "redis://10.0.0.1:6379/",
    ///     "redis://10.0.0.2:6379/",
    ///     "redis://10.0.0.3:6379/",
    /// ])
    /// .connect()
    /// .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn cluster<S: Into<String>>(seeds: impl IntoIterator<Item = S>) -> Self {
        Self::with_target(Target::Cluster(seeds.into_iter().map(Into::into).collect()))
    }

    fn with_target(target: Target) -> Self {
        Self {
            target,
            ca: Ca::System,
            prefix: "authjwt".into(),
            max_staleness: Duration::from_secs(2),
            follow: Follow::Block(Duration::from_millis(250)),
            stream_len: 100_000,
            wait: None,
            outbox_retention: Duration::from_secs(60),
            window: None,
        }
    }

    /// Trusts the CA certificates of this PEM document (instead of the system's roots) for
    /// `rediss://` connections.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let pem = std::fs::read("certs/redis-ca.pem")?;
    /// let store = RedisStoreBuilder::new("rediss://redis.internal:6380/")
    ///     .ca_cert_pem(pem)
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn ca_cert_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca = Ca::Pem(pem.into());
        self
    }

    /// Trusts the CA certificates of this PEM file, read at connect (instead of the system's
    /// roots) for `rediss://` connections.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("rediss://app:password@redis.internal:6380/")
    ///     .ca_cert_file("certs/redis-ca.pem")
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn ca_cert_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca = Ca::File(path.into());
        self
    }

    /// The prefix of every key and stream (no braces: they are the Cluster's hash tags).
    /// Defaults to `authjwt`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/")
    ///     .prefix("shop:auth") // keys shop:auth:…
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

    /// Approximate number of events each shard's stream keeps (older ones are trimmed; an
    /// instance that falls further behind notices the gap and reloads). Defaults to 100 000.
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

    /// Bounds the replica to what the access-token path needs: revocations written within
    /// `window` (plus 5 s for clock differences), instead of every revocation until it
    /// expires. Set it to the longest access token lifetime plus the leeway. Memory and
    /// start-up then grow with the revocations of the last `window`, not of the refresh
    /// lifetime: an instance loads the streams' recent entries (or the indexes, when the
    /// streams were trimmed within the window).
    ///
    /// Every revocation of a token is written after the token was issued, so a token issued
    /// within the window is answered from memory as before; an older one (a refresh token, a
    /// long-lived token) is checked in Redis itself, one round trip per revocation kind. Off
    /// by default: the replica holds everything.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use std::time::Duration;
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// // Access tokens live 15 minutes, with 30 s of leeway.
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/")
    ///     .replica_window(Duration::from_secs(15 * 60 + 30))
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn replica_window(mut self, window: Duration) -> Self {
        self.window = Some(window);
        self
    }

    /// Follows the streams by polling every `interval` (a plain `XREAD`, no `BLOCK`) instead
    /// of blocking reads, for managed services and proxies that refuse blocking commands. A
    /// revocation then takes up to `interval` to reach the other instances; the staleness
    /// bound still holds (every poll confirms the replica), and `interval` must be at most
    /// half of it ([`RedisStoreBuilder::max_staleness`]), or `connect` fails.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use std::time::Duration;
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("rediss://redis.example.net:6380/")
    ///     .poll_interval(Duration::from_millis(50))
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.follow = Follow::Poll(interval);
        self
    }

    /// After each revocation, waits (Redis `WAIT`) until `replicas` replicas of the primary
    /// that took it have it, at most `timeout`. A shortfall is logged, not an error (the
    /// outbox still covers the write). `WAIT` holds the writer's connection to that primary
    /// while it waits. Off by default.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use std::time::Duration;
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/")
    ///     .wait_for_replicas(1, Duration::from_millis(100))
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_for_replicas(mut self, replicas: u32, timeout: Duration) -> Self {
        self.wait = (replicas > 0).then_some((replicas, timeout));
        self
    }

    /// How long the instance keeps the revocations it wrote, to write them again after a
    /// failover that lost them; it must exceed the time to notice a failover (about a second
    /// after Redis answers again, or at once on a connection error). `Duration::ZERO`
    /// keeps none. Defaults to 60 seconds.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), authjwt::revoke::StoreError> {
    /// use std::time::Duration;
    /// use authjwt::revoke::redis::RedisStoreBuilder;
    /// let store = RedisStoreBuilder::new("redis://127.0.0.1:6379/")
    ///     .outbox_retention(Duration::from_secs(300))
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn outbox_retention(mut self, retention: Duration) -> Self {
        self.outbox_retention = retention;
        self
    }

    /// Connects, checks the server (Redis 7.0 or newer), loads the current revocations and
    /// starts following the streams. Must run inside a Tokio runtime.
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
        if !Layout::valid_prefix(&self.prefix) {
            return Err(StoreError::new(
                "the Redis key prefix must be non-empty and hold no braces",
            ));
        }
        if let Follow::Poll(interval) = self.follow
            && (interval.is_zero()
                || interval
                    .checked_mul(2)
                    .is_none_or(|i| i > self.max_staleness))
        {
            return Err(StoreError::new(format!(
                "the poll interval ({interval:?}) must be more than zero and at most half of max_staleness ({:?})",
                self.max_staleness
            )));
        }
        let connector = Connector::new(&self.target, &self.ca)?;
        let mut writer_con = connector.connect(Duration::from_secs(1)).await?;
        check_server_version(&mut writer_con).await?;
        let layout = Layout {
            prefix: self.prefix,
        };
        // A blocking read holds its connection: each lane gets its own.
        let read_timeout = match self.follow {
            Follow::Block(block) => block + Duration::from_secs(1),
            Follow::Poll(_) => Duration::from_secs(1),
        };
        let lanes: Vec<(Con, Vec<Cursor>)> = if writer_con.is_cluster() {
            let mut lanes = Vec::new();
            for shard in 0..SHARDS {
                let con = connector.connect(read_timeout).await?;
                lanes.push((con, vec![Cursor::shard(&layout, shard)]));
            }
            lanes
        } else {
            let mut cursors: Vec<Cursor> = (0..SHARDS).map(|s| Cursor::shard(&layout, s)).collect();
            cursors.push(Cursor::legacy(&layout));
            vec![(connector.connect(read_timeout).await?, cursors)]
        };
        let shared = Arc::new(Shared {
            replica: MemoryStore::new(),
            started: Instant::now(),
            confirmed: (0..lanes.len()).map(|_| AtomicU64::new(0)).collect(),
            max_staleness: self.max_staleness,
            layout: layout.clone(),
            outbox: Outbox::new(self.outbox_retention),
            window: self.window,
            divergences: AtomicU64::new(0),
            restored: AtomicU64::new(0),
        });
        let writer = Arc::new(Writer {
            con: writer_con,
            scripts: Scripts::new(),
            layout,
            stream_len: self.stream_len,
            wait: self.wait,
            short_waits: AtomicU64::new(0),
        });
        let mut tasks = Vec::new();
        for (index, (con, cursors)) in lanes.into_iter().enumerate() {
            let mut lane = Lane::new(
                shared.clone(),
                writer.clone(),
                index,
                con,
                cursors,
                self.follow,
            );
            lane.load()
                .await
                .map_err(|e| StoreError::new(format!("initial load failed: {e}")))?;
            tasks.push(AbortOnDrop(tokio::spawn(lane.run())));
        }
        Ok(RedisStore {
            shared,
            writer,
            _tasks: Arc::new(tasks),
        })
    }
}
