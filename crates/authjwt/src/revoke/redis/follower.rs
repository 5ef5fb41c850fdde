//! The replica's follower: the state every request reads and the task that loads the keys,
//! tails the stream and proves the replica current.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::streams::StreamReadReply;
use redis::{AsyncCommands, Value};
use tokio::task::JoinHandle;

use crate::revoke::memory::MemoryStore;

pub(super) struct Shared {
    pub(super) replica: MemoryStore,
    pub(super) started: Instant,
    /// Milliseconds after `started` at which the last confirming XREAD was sent (0: never).
    pub(super) confirmed_ms: AtomicU64,
    pub(super) max_staleness: Duration,
    pub(super) prefix: String,
    pub(super) stream: String,
}

impl Shared {
    pub(super) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(super) fn is_current(&self) -> bool {
        let confirmed = self.confirmed_ms.load(Ordering::Acquire);
        let bound = u64::try_from(self.max_staleness.as_millis()).unwrap_or(u64::MAX);
        confirmed != 0 && self.elapsed_ms().saturating_sub(confirmed) <= bound
    }

    /// The key of a session's rotation record: `prefix:rot:{session}`, the braces a hash
    /// tag so everything about one session lives in one Cluster slot.
    pub(super) fn rotation_key(&self, session: &str) -> String {
        format!("{}:rot:{{{session}}}", self.prefix)
    }

    /// The key of a subject's session registry: `prefix:ses:{subject}` (a hash of session id
    /// to JSON record), one Cluster slot per subject.
    pub(super) fn sessions_key(&self, subject: &str) -> String {
        format!("{}:ses:{{{subject}}}", self.prefix)
    }

    /// Whether a key holds a rotation record or a session registry (not a revocation the
    /// replica loads).
    pub(super) fn is_rotation_key(&self, key: &str) -> bool {
        key.strip_prefix(self.prefix.as_str())
            .is_some_and(|rest| rest.starts_with(":rot:") || rest.starts_with(":ses:"))
    }

    /// Applies one `key → value` revocation to the replica.
    pub(super) fn apply(&self, key: &str, value: &str) {
        let Some(rest) = key
            .strip_prefix(self.prefix.as_str())
            .and_then(|r| r.strip_prefix(':'))
        else {
            return;
        };
        let Some((kind, id)) = rest.split_once(':') else {
            return;
        };
        let mut nums = value.split(',').map(|n| n.parse::<u64>().ok());
        match (kind, nums.next().flatten(), nums.next().flatten()) {
            ("jti", Some(exp), None) => self.replica.insert_jti(id, exp),
            ("fam", Some(exp), None) => self.replica.insert_family(id, exp),
            ("sub", Some(cutoff), Some(exp)) => self.replica.insert_subject(id, cutoff, exp),
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

/// Follows the stream and keeps the replica current.
pub(super) struct Follower {
    pub(super) shared: Arc<Shared>,
    pub(super) con: ConnectionManager,
    pub(super) last_id: String,
    pub(super) block: Duration,
}

impl Follower {
    /// Loads every revocation key, resuming the stream from the id it had before the load
    /// (events in between are applied twice, which is harmless).
    pub(super) async fn resync(&mut self) -> redis::RedisResult<()> {
        let sent = self.shared.elapsed_ms();
        let last: Vec<(String, Vec<(String, String)>)> = redis::cmd("XREVRANGE")
            .arg(&self.shared.stream)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut self.con)
            .await?;
        let resume_from = last
            .first()
            .map_or_else(|| "0-0".to_owned(), |(id, _)| id.clone());
        let pattern = format!("{}:*", self.shared.prefix);
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut self.con)
                .await?;
            let keys: Vec<String> = keys
                .into_iter()
                .filter(|k| *k != self.shared.stream && !self.shared.is_rotation_key(k))
                .collect();
            if !keys.is_empty() {
                let values: Vec<Option<String>> = self.con.mget(&keys).await?;
                for (k, v) in keys.iter().zip(values) {
                    if let Some(v) = v {
                        self.shared.apply(k, &v);
                    }
                }
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
        // The keys hold everything up to `resume_from`; the stream carries the rest.
        self.last_id = resume_from;
        self.shared
            .confirmed_ms
            .store(sent.max(1), Ordering::Release);
        Ok(())
    }

    async fn read_once(&mut self) -> redis::RedisResult<()> {
        let sent = self.shared.elapsed_ms();
        let block = u64::try_from(self.block.as_millis()).unwrap_or(250);
        let reply: Option<StreamReadReply> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(1000)
            .arg("BLOCK")
            .arg(block)
            .arg("STREAMS")
            .arg(&self.shared.stream)
            .arg(&self.last_id)
            .query_async(&mut self.con)
            .await?;
        for key in reply.map(|r| r.keys).unwrap_or_default() {
            for entry in key.ids {
                let field = |name: &str| match entry.map.get(name) {
                    Some(Value::BulkString(b)) => std::str::from_utf8(b).ok().map(str::to_owned),
                    _ => None,
                };
                if let (Some(k), Some(v)) = (field("k"), field("v")) {
                    self.shared.apply(&k, &v);
                }
                self.last_id = entry.id;
            }
        }
        self.shared
            .confirmed_ms
            .store(sent.max(1), Ordering::Release);
        Ok(())
    }

    pub(super) async fn run(mut self) {
        let mut healthy = true;
        loop {
            let result = if healthy {
                self.read_once().await
            } else {
                self.resync().await
            };
            match result {
                Ok(()) => {
                    if !healthy {
                        tracing::info!(target: "authjwt::revocation", "Redis is back; replica resynchronised");
                    }
                    healthy = true;
                }
                Err(e) => {
                    if healthy {
                        tracing::warn!(target: "authjwt::revocation", error = ?e.kind(), "Redis unreachable; failing closed once the replica is stale");
                    }
                    healthy = false;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}
