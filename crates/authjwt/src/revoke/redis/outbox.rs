//! The outbox: each instance keeps the revocations it wrote recently, and writes them again
//! after a failover or reset was detected, so that a revocation a primary acknowledged and
//! then lost (it died before its replica had it) survives whenever its writer does.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Entries kept at most, whatever the retention: a burst of revocations cannot grow the
/// outbox without bound (the oldest go first).
const CAP: usize = 100_000;

/// One revocation this instance wrote.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) at: Instant,
    pub(super) shard: u16,
    pub(super) key: String,
    pub(super) value: String,
    /// Seconds since the Unix epoch, as written.
    pub(super) expires_at: u64,
    /// A subject revocation's cutoff (0 for the others).
    pub(super) cutoff: u64,
}

/// Recent revocations of this instance, oldest first.
#[derive(Debug)]
pub(super) struct Outbox {
    retention: Duration,
    entries: Mutex<VecDeque<Entry>>,
}

impl Outbox {
    pub(super) fn new(retention: Duration) -> Self {
        Self {
            retention,
            entries: Mutex::new(VecDeque::new()),
        }
    }

    fn prune(&self, entries: &mut VecDeque<Entry>) {
        while entries
            .front()
            .is_some_and(|e| e.at.elapsed() > self.retention || entries.len() > CAP)
        {
            entries.pop_front();
        }
    }

    /// Notes a revocation Redis acknowledged.
    pub(super) fn record(&self, entry: Entry) {
        if self.retention.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.push_back(entry);
        self.prune(&mut entries);
    }

    /// The entries of `shards` still within the retention.
    pub(super) fn of_shards(&self, shards: &[u16]) -> Vec<Entry> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.prune(&mut entries);
        entries
            .iter()
            .filter(|e| shards.contains(&e.shard))
            .cloned()
            .collect()
    }

    /// Entries held now.
    pub(super) fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{Entry, Outbox};

    fn entry(shard: u16, at: Instant) -> Entry {
        Entry {
            at,
            shard,
            key: format!("k{shard}"),
            value: "1".into(),
            expires_at: 1,
            cutoff: 0,
        }
    }

    #[test]
    fn keeps_the_retention_and_filters_by_shard() {
        let outbox = Outbox::new(Duration::from_secs(60));
        let old = Instant::now()
            .checked_sub(Duration::from_secs(120))
            .unwrap_or_else(Instant::now);
        outbox.record(entry(0, old));
        outbox.record(entry(1, Instant::now()));
        outbox.record(entry(2, Instant::now()));
        let kept = outbox.of_shards(&[0, 1]);
        assert_eq!(
            kept.len(),
            1 + usize::from(old.elapsed() < Duration::from_secs(60))
        );
        assert!(kept.iter().any(|e| e.shard == 1));
        assert!(kept.iter().all(|e| e.shard != 2));
        let off = Outbox::new(Duration::ZERO);
        off.record(entry(0, Instant::now()));
        assert_eq!(off.len(), 0);
    }
}
