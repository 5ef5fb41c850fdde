//! The in-memory store stays bounded: a million revocations that expire leave nothing behind,
//! and a second million does not grow the process.

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

async fn cycle(store: &MemoryStore, round: u32) {
    let exp = now() + 1;
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
    // Past every entry's expiry (plus the store's one-second margin), all are evicted.
    while now() < exp + 2 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!store.is_revoked(&probe).await.unwrap());
    // Eviction runs in batches behind the clock: give it a few seconds to settle.
    let mut left = store.len();
    for _ in 0..40 {
        if left < 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        left = store.len();
    }
    println!("entries left after expiry: {left}");
    assert!(left < 100, "{left} expired revocations were not evicted");
}

#[tokio::test]
async fn a_million_expiring_revocations_leave_memory_flat() {
    // Four rounds of a million revocations each, every round expiring before the next: the
    // store must hold nothing afterwards (checked exactly in `cycle`), and the process must
    // plateau. RSS is the allocator's view, so rounds 2 and 4 are compared with a margin that
    // a leak of even half a round would exceed.
    let store = MemoryStore::new();
    let mut rss = Vec::new();
    for round in 0..4 {
        cycle(&store, round).await;
        rss.push(rss_kib());
    }
    println!("RSS after each million (KiB): {rss:?}");
    // A store that kept its entries would add about a whole round (a million entries, most of
    // the first round's footprint) per round; the allocator's own drift stays far below half.
    let growth = rss[3].saturating_sub(rss[1]);
    assert!(
        growth < rss[0] / 2,
        "memory kept growing by {growth} KiB over two rounds: {rss:?}"
    );
}
