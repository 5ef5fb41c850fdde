//! The replica's followers: the state every request reads, and the tasks ("lanes") that load
//! the revocations, tail the shards' streams, prove the replica current, and notice when
//! Redis lost writes (a failover to a lagging replica, a restart without persistence).
//!
//! On one node a single lane reads every shard's stream with one blocking `XREAD`; on a
//! Cluster each shard has its own lane and connection (a blocking read holds its connection,
//! and the streams live on different nodes). In poll mode (services that refuse blocking
//! commands) the reads do not block and a lane pauses between reads that found nothing.
//!
//! Each lane keeps, per stream, the last id it read and how many entries the stream had
//! received up to it (`entries-added` of `XINFO STREAM`). The two only move forward while
//! nothing is lost; once a second (and after any error) the lane compares them with the
//! server's: a stream whose last id or count went backwards, or whose count differs at the
//! same last id (entries trimmed before this lane read them), has diverged, and the lane
//! reloads. After a connection error the lane catches up from where it was when the stream
//! still agrees, instead of reloading. After any error or divergence, the instance writes its
//! own recent revocations again (the outbox).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::Value;
use redis::streams::StreamReadReply;
use tokio::task::JoinHandle;

use super::conn::Con;
use super::layout::Layout;
use super::outbox::{self, Outbox};
use super::writer::Writer;
use crate::revoke::memory::MemoryStore;

/// How often a lane checks its streams against the server's when nothing else made it.
const VERIFY_EVERY: Duration = Duration::from_secs(1);

/// Stream entries read, and keys loaded, per round trip.
const BATCH: usize = 1000;

/// The clock difference between instances and Redis a bounded replica allows for.
pub(super) const SKEW: Duration = Duration::from_secs(5);

/// Attempts at writing the outbox again after a failover (a pause, doubling, between).
const REPLAY_ATTEMPTS: u32 = 5;

pub(super) struct Shared {
    pub(super) replica: MemoryStore,
    pub(super) started: Instant,
    /// Per lane: milliseconds after `started` at which its last confirming read was sent
    /// (0: never).
    pub(super) confirmed: Box<[AtomicU64]>,
    pub(super) max_staleness: Duration,
    pub(super) layout: Layout,
    pub(super) outbox: Outbox,
    /// The bounded replica's window (see `RedisStoreBuilder::replica_window`): entries are
    /// held until this long (and [`SKEW`]) after they were written, not until they expire.
    pub(super) window: Option<Duration>,
    /// Divergences detected (failovers that lost writes, resets): each made a lane reload.
    pub(super) divergences: AtomicU64,
    /// Revocations the outbox wrote again because Redis had lost them.
    pub(super) restored: AtomicU64,
}

impl Shared {
    pub(super) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Every lane confirmed within the staleness bound.
    pub(super) fn is_current(&self) -> bool {
        let now = self.elapsed_ms();
        let bound = u64::try_from(self.max_staleness.as_millis()).unwrap_or(u64::MAX);
        self.confirmed.iter().all(|c| {
            let confirmed = c.load(Ordering::Acquire);
            confirmed != 0 && now.saturating_sub(confirmed) <= bound
        })
    }

    /// Whether the replica answers for a token issued at `issued_at`: always, unless it is
    /// bounded and the token is older than its window.
    pub(super) fn covers(&self, issued_at: u64) -> bool {
        self.window
            .is_none_or(|w| crate::claims::now().saturating_sub(issued_at) <= w.as_secs())
    }

    /// Applies one `key → value` revocation to the replica; `written_ms`, when known, is
    /// when Redis took it (a stream id's time).
    pub(super) fn apply(&self, key: &str, value: &str, written_ms: Option<u64>) {
        let Some((kind, id)) = self.layout.parse(key) else {
            return;
        };
        let mut nums = value.split(',').map(|n| n.parse::<u64>().ok());
        // A bounded replica keeps an entry only while a token it covers may need it: every
        // revocation of a token is written after the token was issued.
        let keep = |exp: u64| match self.window {
            Some(w) => {
                let written = written_ms.map_or_else(crate::claims::now, |ms| ms / 1000);
                exp.min(written.saturating_add(w.saturating_add(SKEW).as_secs()))
            }
            None => exp,
        };
        match (kind, nums.next().flatten(), nums.next().flatten()) {
            ("jti", Some(exp), _) => self.replica.insert_jti(id, keep(exp)),
            ("fam", Some(exp), None) => self.replica.insert_family(id, keep(exp)),
            ("sub", Some(cutoff), Some(exp)) => {
                self.replica.insert_subject(id, cutoff, keep(exp));
            }
            _ => {
                tracing::warn!(target: "authjwt::revocation", "ignored a malformed revocation entry");
            }
        }
    }
}

pub(super) struct AbortOnDrop(pub(super) JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A stream id, `ms-seq`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct StreamId(u64, u64);

impl StreamId {
    fn parse(id: &str) -> Option<Self> {
        let (ms, seq) = id.split_once('-')?;
        Some(Self(ms.parse().ok()?, seq.parse().ok()?))
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.0, self.1)
    }
}

/// How a lane waits for new events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Follow {
    /// A blocking `XREAD` of at most this long.
    Block(Duration),
    /// A plain `XREAD`, then this pause when it found nothing (for services that refuse
    /// blocking commands).
    Poll(Duration),
}

/// Where a lane is in one stream.
pub(super) struct Cursor {
    key: String,
    /// `None`: the previous release's stream.
    shard: Option<u16>,
    last: StreamId,
    /// `entries-added` of the stream when its last entry was `last`.
    added: u64,
}

impl Cursor {
    pub(super) fn shard(layout: &Layout, shard: u16) -> Self {
        Self {
            key: layout.stream(shard),
            shard: Some(shard),
            last: StreamId::default(),
            added: 0,
        }
    }

    pub(super) fn legacy(layout: &Layout) -> Self {
        Self {
            key: layout.legacy_stream(),
            shard: None,
            last: StreamId::default(),
            added: 0,
        }
    }
}

enum LaneError {
    Redis(redis::RedisError),
    /// The server's stream is not a continuation of what this lane read.
    Diverged(String),
}

impl From<redis::RedisError> for LaneError {
    fn from(e: redis::RedisError) -> Self {
        Self::Redis(e)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Reading,
    CatchUp,
    Reload,
}

/// What `XINFO STREAM` says of a stream.
#[derive(Debug, Clone, Copy, Default)]
struct StreamInfo {
    last: StreamId,
    added: u64,
    /// The first entry still held (`recorded-first-entry-id`).
    first: StreamId,
    length: u64,
}

/// `XINFO STREAM` of a stream, `None` when it does not exist.
async fn stream_info(con: &mut Con, key: &str) -> redis::RedisResult<Option<StreamInfo>> {
    let reply: redis::RedisResult<Value> = redis::cmd("XINFO")
        .arg("STREAM")
        .arg(key)
        .query_async(con)
        .await;
    let value = match reply {
        Ok(v) => v,
        Err(e) if e.to_string().contains("no such key") => return Ok(None),
        Err(e) => return Err(e),
    };
    let pairs: Vec<(&Value, &Value)> = match &value {
        Value::Map(pairs) => pairs.iter().map(|(k, v)| (k, v)).collect(),
        Value::Array(items) => items.chunks_exact(2).map(|kv| (&kv[0], &kv[1])).collect(),
        _ => Vec::new(),
    };
    let text = |v: &Value| match v {
        Value::BulkString(b) => std::str::from_utf8(b).ok().map(str::to_owned),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| text(k).as_deref() == Some(name))
            .map(|(_, v)| *v)
    };
    let last = field("last-generated-id")
        .and_then(text)
        .and_then(|id| StreamId::parse(&id));
    let int = |name: &str| match field(name) {
        Some(Value::Int(n)) => u64::try_from(*n).ok(),
        _ => None,
    };
    let first = field("recorded-first-entry-id")
        .and_then(text)
        .and_then(|id| StreamId::parse(&id));
    match (last, int("entries-added"), first, int("length")) {
        (Some(last), Some(added), Some(first), Some(length)) => Ok(Some(StreamInfo {
            last,
            added,
            first,
            length,
        })),
        _ => Err(redis::RedisError::from((
            redis::ErrorKind::Parse,
            "unexpected XINFO STREAM reply (Redis 7.0 or newer is needed)",
        ))),
    }
}

/// One follower task: some streams, on one connection.
pub(super) struct Lane {
    pub(super) shared: Arc<Shared>,
    pub(super) writer: Arc<Writer>,
    /// Its slot in `shared.confirmed`.
    pub(super) index: usize,
    pub(super) con: Con,
    pub(super) cursors: Vec<Cursor>,
    pub(super) follow: Follow,
    verified: Instant,
    /// Revocations of this instance to write again once Redis answers.
    pending: Vec<outbox::Entry>,
}

impl Lane {
    pub(super) fn new(
        shared: Arc<Shared>,
        writer: Arc<Writer>,
        index: usize,
        con: Con,
        cursors: Vec<Cursor>,
        follow: Follow,
    ) -> Self {
        Self {
            shared,
            writer,
            index,
            con,
            cursors,
            follow,
            verified: Instant::now(),
            pending: Vec::new(),
        }
    }

    fn shards(&self) -> Vec<u16> {
        self.cursors.iter().filter_map(|c| c.shard).collect()
    }

    fn confirm(&self, sent: u64) {
        self.shared.confirmed[self.index].store(sent.max(1), Ordering::Release);
    }

    /// Loads every live revocation of the lane's shards from their expiry indexes (and, on a
    /// node the previous release wrote to, its keys), resuming each stream from where it was
    /// before the load (events in between are applied twice, which is harmless). A bounded
    /// replica reads only the streams' entries of its window, when the streams still hold
    /// them all.
    pub(super) async fn load(&mut self) -> redis::RedisResult<()> {
        let sent = self.shared.elapsed_ms();
        let mut legacy = false;
        let mut infos = Vec::new();
        for c in &mut self.cursors {
            let info = stream_info(&mut self.con, &c.key).await?;
            legacy |= c.shard.is_none() && info.is_some();
            let info = info.unwrap_or_default();
            (c.last, c.added) = (info.last, info.added);
            infos.push((c.key.clone(), c.shard, info));
        }
        let since = match self.shared.window {
            Some(window) => {
                let (secs, micros): (u64, u64) =
                    redis::cmd("TIME").query_async(&mut self.con).await?;
                let back =
                    u64::try_from(window.saturating_add(SKEW).as_millis()).unwrap_or(u64::MAX);
                let now_ms = secs.saturating_mul(1000).saturating_add(micros / 1000);
                Some(now_ms.saturating_sub(back))
            }
            None => None,
        };
        for (key, shard, info) in infos {
            let Some(shard) = shard else { continue };
            match since {
                // Nothing trimmed from the window: the stream has every entry it needs.
                Some(since) if info.added == info.length || info.first.0 <= since => {
                    self.load_stream(&key, since).await?;
                }
                _ => self.load_index(shard).await?,
            }
        }
        if legacy {
            self.load_legacy().await?;
        }
        self.verified = Instant::now();
        self.confirm(sent);
        Ok(())
    }

    async fn apply_keys(&mut self, keys: &[String]) -> redis::RedisResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let values: Vec<Option<String>> = redis::cmd("MGET")
            .arg(keys)
            .query_async(&mut self.con)
            .await?;
        for (k, v) in keys.iter().zip(values) {
            if let Some(v) = v {
                self.shared.apply(k, &v, None);
            }
        }
        Ok(())
    }

    /// The entries of a stream written since `since_ms`.
    async fn load_stream(&mut self, key: &str, since_ms: u64) -> redis::RedisResult<()> {
        let mut from = format!("{since_ms}-0");
        loop {
            let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
                .arg(key)
                .arg(&from)
                .arg("+")
                .arg("COUNT")
                .arg(BATCH)
                .query_async(&mut self.con)
                .await?;
            let Some(last) = entries.last().and_then(|(id, _)| StreamId::parse(id)) else {
                return Ok(());
            };
            for (id, fields) in &entries {
                let field = |name: &str| fields.iter().find(|(f, _)| f == name).map(|(_, v)| v);
                if let (Some(k), Some(v)) = (field("k"), field("v")) {
                    self.shared.apply(k, v, StreamId::parse(id).map(|id| id.0));
                }
            }
            if entries.len() < BATCH {
                return Ok(());
            }
            from = format!("({last}");
        }
    }

    /// The shard's live keys, from its expiry index (`ZSCAN` returns every member present
    /// for the whole scan; expired ones are skipped).
    async fn load_index(&mut self, shard: u16) -> redis::RedisResult<()> {
        let index = self.shared.layout.index(shard);
        let now_ms = crate::claims::now().saturating_mul(1000);
        let mut cursor: u64 = 0;
        loop {
            let (next, items): (u64, Vec<String>) = redis::cmd("ZSCAN")
                .arg(&index)
                .arg(cursor)
                .arg("COUNT")
                .arg(BATCH)
                .query_async(&mut self.con)
                .await?;
            let keys: Vec<String> = items
                .chunks_exact(2)
                .filter(|m| m[1].parse::<f64>().is_ok_and(|s| s >= now_ms as f64))
                .map(|m| m[0].clone())
                .collect();
            self.apply_keys(&keys).await?;
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    /// The previous release's keys (`P:jti:<id>`, …), by `SCAN`: only while its stream
    /// exists, on a single node.
    async fn load_legacy(&mut self) -> redis::RedisResult<()> {
        let prefix = &self.shared.layout.prefix;
        let pattern = format!("{prefix}:*");
        let tagged = format!("{prefix}:{{");
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(BATCH)
                .query_async(&mut self.con)
                .await?;
            let keys: Vec<String> = keys
                .into_iter()
                .filter(|k| !k.starts_with(&tagged) && self.shared.layout.parse(k).is_some())
                .collect();
            self.apply_keys(&keys).await?;
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    async fn read_once(&mut self) -> Result<(), LaneError> {
        let sent = self.shared.elapsed_ms();
        let mut cmd = redis::cmd("XREAD");
        cmd.arg("COUNT").arg(BATCH);
        if let Follow::Block(block) = self.follow {
            cmd.arg("BLOCK")
                .arg(u64::try_from(block.as_millis()).unwrap_or(250));
        }
        cmd.arg("STREAMS");
        for c in &self.cursors {
            cmd.arg(&c.key);
        }
        for c in &self.cursors {
            cmd.arg(c.last.to_string());
        }
        let reply: Option<StreamReadReply> = cmd.query_async(&mut self.con).await?;
        let shared = &self.shared;
        let mut read = 0;
        for stream in reply.map(|r| r.keys).unwrap_or_default() {
            let Some(c) = self.cursors.iter_mut().find(|c| c.key == stream.key) else {
                continue;
            };
            for entry in stream.ids {
                let field = |name: &str| match entry.map.get(name) {
                    Some(Value::BulkString(b)) => std::str::from_utf8(b).ok().map(str::to_owned),
                    _ => None,
                };
                let id = StreamId::parse(&entry.id);
                if let (Some(k), Some(v)) = (field("k"), field("v")) {
                    shared.apply(&k, &v, id.map(|id| id.0));
                }
                if let Some(id) = id {
                    c.last = id;
                }
                c.added += 1;
                read += 1;
            }
        }
        self.confirm(sent);
        if let Follow::Poll(every) = self.follow
            && read == 0
        {
            tokio::time::sleep(every).await;
        }
        if self.verified.elapsed() >= VERIFY_EVERY {
            self.verify().await?;
        }
        Ok(())
    }

    /// Compares each stream with the server's: see the module's documentation.
    async fn verify(&mut self) -> Result<(), LaneError> {
        for c in &self.cursors {
            let info = stream_info(&mut self.con, &c.key).await?;
            let diverged = match info {
                None => (c.added > 0 || c.last != StreamId::default())
                    .then(|| format!("{} is gone", c.key)),
                Some(StreamInfo { last, added, .. }) => (last < c.last
                    || added < c.added
                    || (last == c.last && added != c.added))
                    .then(|| {
                        format!(
                            "{} is at {last} after {added} entries; this instance read up to {} after {}",
                            c.key, c.last, c.added
                        )
                    }),
            };
            if let Some(why) = diverged {
                return Err(LaneError::Diverged(why));
            }
        }
        self.verified = Instant::now();
        Ok(())
    }

    /// Writes this instance's recent revocations of the lane's shards again where Redis lost
    /// them, in a task of its own so that the lane goes back to reading at once (a long
    /// outbox takes a while); a failed attempt is retried a few times.
    fn replay(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let entries = std::mem::take(&mut self.pending);
        let (writer, shared) = (self.writer.clone(), self.shared.clone());
        tokio::spawn(async move {
            let mut pause = Duration::from_millis(200);
            for _ in 0..REPLAY_ATTEMPTS {
                match writer.replay(&entries).await {
                    Ok(restored) => {
                        if restored > 0 {
                            tracing::warn!(target: "authjwt::revocation", restored, "revocations lost by Redis were written again from this instance's outbox");
                        }
                        shared
                            .restored
                            .fetch_add(restored as u64, Ordering::Relaxed);
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(target: "authjwt::revocation", error = %e, "writing the outbox again failed; retrying");
                        tokio::time::sleep(pause).await;
                        pause *= 2;
                    }
                }
            }
            tracing::error!(target: "authjwt::revocation", entries = entries.len(), "the outbox could not be written again: revocations Redis lost may stay lost");
        });
    }

    /// Keeps what is at risk: this instance's recent revocations of the lane's shards.
    fn keep_at_risk(&mut self) {
        let entries = self.shared.outbox.of_shards(&self.shards());
        for e in entries {
            if !self
                .pending
                .iter()
                .any(|p| p.key == e.key && p.value == e.value)
            {
                self.pending.push(e);
            }
        }
    }

    async fn step(&mut self, mode: Mode) -> Result<(), LaneError> {
        match mode {
            Mode::Reading => self.read_once().await,
            Mode::CatchUp => {
                self.verify().await?;
                self.replay();
                Ok(())
            }
            Mode::Reload => {
                self.load().await?;
                self.replay();
                Ok(())
            }
        }
    }

    pub(super) async fn run(mut self) {
        let mut mode = Mode::Reading;
        loop {
            match self.step(mode).await {
                Ok(()) => {
                    if mode != Mode::Reading {
                        tracing::info!(target: "authjwt::revocation", lane = self.index, "Redis answers again; replica current");
                    }
                    mode = Mode::Reading;
                }
                Err(LaneError::Diverged(why)) => {
                    tracing::warn!(target: "authjwt::revocation", lane = self.index, why, "Redis lost or replaced revocation events (failover or reset); reloading");
                    self.shared.divergences.fetch_add(1, Ordering::Relaxed);
                    self.keep_at_risk();
                    mode = Mode::Reload;
                }
                Err(e) => {
                    if mode == Mode::Reading {
                        let error = match &e {
                            LaneError::Redis(e) => format!("{:?}", e.kind()),
                            LaneError::Diverged(why) => why.clone(),
                        };
                        tracing::warn!(target: "authjwt::revocation", lane = self.index, error, "Redis unreachable; failing closed once the replica is stale");
                        self.keep_at_risk();
                    }
                    if mode != Mode::Reload {
                        mode = Mode::CatchUp;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StreamId;

    #[test]
    fn stream_ids_order_by_time_then_sequence() {
        let a = StreamId::parse("1700000000000-0").unwrap();
        let b = StreamId::parse("1700000000000-1").unwrap();
        let c = StreamId::parse("1700000000001-0").unwrap();
        assert!(a < b && b < c);
        assert_eq!(b.to_string(), "1700000000000-1");
        assert_eq!(StreamId::parse("x-1"), None);
        assert_eq!(StreamId::parse("12"), None);
    }
}
