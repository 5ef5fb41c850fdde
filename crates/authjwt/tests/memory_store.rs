//! The in-memory store stays bounded: a million revocations that expire leave nothing behind,
//! and later millions do not raise the process's peak.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use authjwt::{MemoryStore, RevocationStore, TokenRef};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Resident set size in KiB, from /proc.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A million revocations, all live at once, then expired; returns the RSS (KiB) measured
/// while all of them were live: the footprint of a million entries.
async fn cycle(store: &MemoryStore, round: u32, insert_secs: u64) -> u64 {
    // Far enough ahead that none expires while the million goes in, however slow the build
    // and however busy the machine (a debug build on two loaded cores takes seconds).
    let exp = now() + 2 + insert_secs * 2;
    let probe_jti = format!("{round}-7");
    let probe = TokenRef {
        jti: &probe_jti,
        family: None,
        subject: "s",
        issued_at: 0,
    };
    for i in 0..1_000_000u32 {
        store
            .revoke_jti(&format!("{round}-{i}"), exp)
            .await
            .unwrap();
        if i == 7 {
            assert!(store.is_revoked(&probe).await.unwrap());
        }
    }
    assert_eq!(store.len(), 1_000_000, "all live before they expire");
    let live_rss = rss_kib();
    // Past every entry's expiry (the store holds an entry through its `expires_at` second),
    // none counts any more, and `len` drops them all.
    while now() < exp + 2 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!store.is_revoked(&probe).await.unwrap());
    let left = store.len();
    println!("entries left after expiry: {left}");
    assert_eq!(left, 0, "{left} expired revocations were not evicted");
    live_rss
}

#[tokio::test]
async fn a_million_expiring_revocations_leave_memory_flat() {
    // Four rounds of a million revocations each, every round expiring before the next: the
    // store must hold nothing afterwards (checked exactly in `cycle`), and the process must
    // plateau. RSS is the allocator's view, so rounds 2 and 4 are compared with a margin that
    // a leak of even half a round would exceed.
    // How long a million inserts take here, measured on a throwaway store.
    let probe = MemoryStore::new();
    let started = std::time::Instant::now();
    for i in 0..100_000u32 {
        probe.revoke_jti(&format!("p-{i}"), u64::MAX).await.unwrap();
    }
    let insert_secs = u64::try_from(started.elapsed().as_millis() / 100).unwrap() + 1;
    drop(probe);
    let rss_before = rss_kib();
    let store = MemoryStore::new();
    let mut rss = Vec::new();
    let mut live = Vec::new();
    for round in 0..4 {
        live.push(cycle(&store, round, insert_secs).await);
        rss.push(rss_kib());
    }
    println!("RSS with a million live (KiB): {live:?}");
    println!("RSS after each million expired (KiB): {rss:?}");
    // A store that kept expired entries would add a million entries' footprint (what the
    // first round added while its million was live) to every later round's peak. The peaks
    // are compared, not the RSS after expiry: whether the allocator hands freed pages back
    // to the system varies from run to run (35 MB one run, 130 MB the next, both empty).
    let footprint = live[0].saturating_sub(rss_before);
    let growth = live[3].saturating_sub(live[1]);
    assert!(
        growth < footprint / 2,
        "the peak kept growing by {growth} KiB over two rounds (a million entries take \
         {footprint} KiB): {live:?}"
    );
}
