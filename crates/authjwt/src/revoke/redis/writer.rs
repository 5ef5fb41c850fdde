//! The writing side: the scripts, retries within a time budget, the optional `WAIT` for
//! replicas, and the revocation writes the outbox remembers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::Script;

use super::conn::Con;
use super::layout::Layout;
use super::outbox::{self, Outbox};
use super::scripts::{END_SESSION, ROTATE, SESSION_PUT, SESSION_TOUCH, WRITE};
use crate::revoke::StoreError;

/// How long one store call may keep retrying a failed command (a connection that died with
/// a restarted Redis, a Cluster slot failing over): past it the call fails (503), so that no
/// request waits long.
const BUDGET: Duration = Duration::from_millis(1500);

/// Whether a failed command may be sent again: the connection failed (the command may or may
/// not have run; every write here is idempotent or recognises its own first attempt), or a
/// Cluster slot is moving or failing over, or the node was demoted.
pub(super) fn retryable(e: &redis::RedisError) -> bool {
    e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_timeout()
        || e.is_cluster_error()
        || matches!(
            e.kind(),
            redis::ErrorKind::Server(redis::ServerErrorKind::ReadOnly)
                | redis::ErrorKind::Server(redis::ServerErrorKind::MasterDown)
                | redis::ErrorKind::Server(redis::ServerErrorKind::BusyLoading)
                | redis::ErrorKind::ClusterConnectionNotFound
        )
}

/// Milliseconds for a `PXAT`, kept through the whole second `expires_at`, like the replica.
pub(super) fn expire_ms(expires_at: u64) -> u64 {
    expires_at
        .saturating_add(1)
        .saturating_mul(1000)
        .min(i64::MAX as u64)
}

/// A command [`Writer::retrying`] may send more than once.
pub(super) enum Request<'a> {
    Script(redis::ScriptInvocation<'a>),
    Command(redis::Cmd),
}

/// The scripts the store runs.
pub(super) struct Scripts {
    pub(super) write: Script,
    pub(super) rotate: Script,
    pub(super) end_session: Script,
    pub(super) session_put: Script,
    pub(super) session_touch: Script,
}

impl Scripts {
    pub(super) fn new() -> Self {
        Self {
            write: Script::new(WRITE),
            rotate: Script::new(ROTATE),
            end_session: Script::new(END_SESSION),
            session_put: Script::new(SESSION_PUT),
            session_touch: Script::new(SESSION_TOUCH),
        }
    }
}

/// The connection writes go through, shared by the store and its followers (which replay the
/// outbox).
pub(super) struct Writer {
    pub(super) con: Con,
    pub(super) scripts: Scripts,
    pub(super) layout: Layout,
    pub(super) stream_len: u64,
    /// `WAIT` for this many replicas, this long, after each write.
    pub(super) wait: Option<(u32, Duration)>,
    /// Writes that fewer replicas than asked acknowledged within the `WAIT` timeout.
    pub(super) short_waits: AtomicU64,
}

/// A revocation to write.
pub(super) struct Revocation<'a> {
    pub(super) mode: &'a str,
    pub(super) kind: &'a str,
    pub(super) id: &'a str,
    pub(super) value: String,
    pub(super) expires_at: u64,
    pub(super) cutoff: u64,
}

impl Writer {
    /// Runs `request`, again on a retryable failure (a short pause between, growing) until
    /// [`BUDGET`] has passed, so the first write after Redis restarted lands on the fresh
    /// connection instead of failing on the dead one.
    pub(super) async fn retrying<T: redis::FromRedisValue>(
        &self,
        what: &str,
        request: &Request<'_>,
    ) -> Result<T, StoreError> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(50);
        let mut attempt = 1;
        loop {
            let mut con = self.con.clone();
            let result = match request {
                // Reloads the script when a restarted Redis no longer knows it.
                Request::Script(invocation) => invocation.invoke_async(&mut con).await,
                Request::Command(cmd) => cmd.query_async(&mut con).await,
            };
            match result {
                Ok(value) => return Ok(value),
                Err(e) if retryable(&e) && start.elapsed() + pause < BUDGET => {
                    tracing::debug!(target: "authjwt::revocation", error = ?e.kind(), attempt, "Redis {what} failed; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(400));
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

    /// Waits, when configured, for the replicas of the node holding `key` to have every
    /// write of this connection. A shortfall is logged, not an error: the write is on the
    /// primary, and the outbox writes it again if the primary is lost.
    pub(super) async fn wait_for_replicas(&self, key: &str) {
        let Some((replicas, timeout)) = self.wait else {
            return;
        };
        let mut con = self.con.clone();
        match con.wait(key, replicas, timeout).await {
            Ok(acked) if acked >= replicas => {}
            Ok(acked) => {
                self.short_waits.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(target: "authjwt::revocation", acked, wanted = replicas, "a write reached fewer replicas than asked within the WAIT timeout");
            }
            Err(e) => {
                self.short_waits.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(target: "authjwt::revocation", error = ?e.kind(), "WAIT for replicas failed");
            }
        }
    }

    /// Runs the write script for one revocation key; `true` when written.
    async fn write_key(
        &self,
        mode: &str,
        key: &str,
        shard: u16,
        value: &str,
        expires_at: u64,
        cutoff: u64,
    ) -> Result<bool, StoreError> {
        let stream = self.layout.stream(shard);
        let index = self.layout.index(shard);
        let mut invocation = self.scripts.write.key(key);
        invocation
            .key(&stream)
            .key(&index)
            .arg(mode)
            .arg(value)
            .arg(expire_ms(expires_at))
            .arg(self.stream_len)
            .arg(cutoff);
        let written: i64 = self.retrying("write", &Request::Script(invocation)).await?;
        Ok(written != 0)
    }

    /// Writes a revocation and notes it in the outbox; returns the key, and whether it was
    /// written.
    pub(super) async fn revoke(
        &self,
        outbox: &Outbox,
        r: Revocation<'_>,
    ) -> Result<(String, bool), StoreError> {
        let key = self.layout.revocation_key(r.kind, r.id);
        let shard = Layout::shard_of(r.id);
        let written = self
            .write_key(r.mode, &key, shard, &r.value, r.expires_at, r.cutoff)
            .await?;
        if written {
            self.wait_for_replicas(&key).await;
            outbox.record(outbox::Entry {
                at: Instant::now(),
                shard,
                key: key.clone(),
                value: r.value,
                expires_at: r.expires_at,
                cutoff: r.cutoff,
            });
        }
        Ok((key, written))
    }

    /// Writes the outbox's entries again where they are missing; returns how many were.
    pub(super) async fn replay(&self, entries: &[outbox::Entry]) -> Result<usize, StoreError> {
        let now = crate::claims::now();
        let mut restored = 0;
        for e in entries.iter().filter(|e| e.expires_at >= now) {
            if self
                .write_key("replay", &e.key, e.shard, &e.value, e.expires_at, e.cutoff)
                .await?
            {
                restored += 1;
            }
        }
        Ok(restored)
    }
}
