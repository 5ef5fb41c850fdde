//! The Redis store at scale, against a real `redis-server`: what a revocation costs in Redis
//! and in each instance's replica, how long an instance takes to start with many of them,
//! a bounded replica (`replica_window`) that loads only its window's revocations while older
//! tokens are still refused (checked in Redis), and the polling follow mode.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![cfg(feature = "redis")]

mod redis_harness;

use std::alloc::System;
use std::time::{Duration, Instant};

use authjwt::redis::{RedisStore, RedisStoreBuilder};
use authjwt::revoke::{RevocationStore, TokenRef};
use redis_harness::{RedisServer, scenario};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A number the store's `Debug` output shows (`jtis`, `subjects`, …).
fn shown(store: &RedisStore, name: &str) -> u64 {
    let debug = format!("{store:?}");
    let at = debug.find(&format!("{name}: ")).expect(name) + name.len() + 2;
    debug[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// `used_memory` of the server.
async fn used_memory(server: &RedisServer) -> u64 {
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query_async(&mut con)
        .await
        .unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Revokes `n` token ids `{tag}-{i}` (as access tokens: an hour to live), 64 at a time.
async fn revoke_many(store: &RedisStore, tag: &str, n: usize) {
    let exp = now() + 3600;
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in 0..n.div_ceil(64) {
        let store = store.clone();
        let tag = tag.to_owned();
        tasks.spawn(async move {
            for i in chunk * 64..((chunk + 1) * 64).min(n) {
                store.revoke_jti(&format!("{tag}-{i}"), exp).await.unwrap();
            }
        });
        if tasks.len() >= 64 {
            tasks.join_next().await.unwrap().unwrap();
        }
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_time_and_memory_per_revocation() {
    const N: usize = 20_000;
    let server = RedisServer::start_with(&["--appendonly", "no"]);
    let writer = RedisStoreBuilder::new(server.url())
        .connect()
        .await
        .unwrap();
    let before = used_memory(&server).await;
    revoke_many(&writer, "jti", N).await;
    let redis_bytes = used_memory(&server).await.saturating_sub(before) / N as u64;

    // An instance with nothing to load, then one with the N revocations: the difference in
    // what stays allocated is the replica's.
    let baseline = Region::new(GLOBAL);
    let empty = RedisStoreBuilder::new(server.url())
        .prefix("nothing")
        .connect()
        .await
        .unwrap();
    let empty_bytes = baseline.change();
    let region = Region::new(GLOBAL);
    let started = Instant::now();
    let loaded = RedisStoreBuilder::new(server.url())
        .connect()
        .await
        .unwrap();
    let took = started.elapsed();
    let change = region.change();
    let net = |s: stats_alloc::Stats| s.bytes_allocated as i64 - s.bytes_deallocated as i64;
    let replica_bytes = (net(change) - net(empty_bytes)) / N as i64;
    println!(
        "{N} revocations: Redis +{redis_bytes} bytes each (key, index member, stream entry); \
         replica ~{replica_bytes} bytes each; start-up with all of them loaded: {took:?}"
    );
    assert_eq!(shown(&loaded, "jtis"), N as u64, "{loaded:?}");
    assert_eq!(shown(&empty, "jtis"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounded_replica_loads_its_window_only_and_still_refuses_older_tokens() {
    let server = RedisServer::start();
    let writer = RedisStoreBuilder::new(server.url())
        .connect()
        .await
        .unwrap();
    let old_cutoff = now();
    revoke_many(&writer, "old", 500).await;
    writer
        .revoke_subject("old-user", old_cutoff, now() + 3600)
        .await
        .unwrap();
    writer
        .revoke_family("old-family", now() + 3600)
        .await
        .unwrap();
    // Past the window (1 s) and the clock allowance (5 s): these are old now.
    tokio::time::sleep(Duration::from_millis(6500)).await;
    revoke_many(&writer, "new", 100).await;

    let window = Duration::from_secs(1);
    let started = Instant::now();
    let bounded = RedisStoreBuilder::new(server.url())
        .replica_window(window)
        .connect()
        .await
        .unwrap();
    let bounded_took = started.elapsed();
    let started = Instant::now();
    let full = RedisStoreBuilder::new(server.url())
        .connect()
        .await
        .unwrap();
    let full_took = started.elapsed();
    println!(
        "start-up: bounded replica {bounded_took:?} ({} entries), full replica {full_took:?} ({} entries)",
        shown(&bounded, "jtis"),
        shown(&full, "jtis")
    );
    assert_eq!(shown(&bounded, "jtis"), 100, "{bounded:?}");
    assert_eq!(shown(&bounded, "subjects"), 0);
    assert_eq!(shown(&bounded, "families"), 0);
    assert_eq!(shown(&full, "jtis"), 600);

    // Tokens of the window are answered from memory; older ones are checked in Redis and
    // refused all the same.
    let recent = TokenRef {
        jti: "new-7",
        family: None,
        subject: "someone",
        issued_at: now(),
    };
    assert_eq!(bounded.is_revoked_now(&recent), Some(Ok(true)));
    let old = |jti, family, subject, issued_at| TokenRef {
        jti,
        family,
        subject,
        issued_at,
    };
    let hour_ago = now() - 3600;
    for token in [
        old("old-7", None, "someone", hour_ago),
        old("x", Some("old-family"), "someone", hour_ago),
        old("y", None, "old-user", old_cutoff - 10),
    ] {
        assert_eq!(bounded.is_revoked_now(&token), None, "not from memory");
        assert!(bounded.is_revoked(&token).await.unwrap(), "{token:?}");
    }
    assert!(
        !bounded
            .is_revoked(&old("z", Some("live-family"), "someone", hour_ago))
            .await
            .unwrap()
    );
    // A revocation made now reaches the bounded replica like any other.
    let auth = scenario::auth(bounded.clone());
    let tokens = auth.create_login_tokens("fresh").unwrap();
    scenario::auth(writer.clone())
        .revoke_all("fresh")
        .await
        .unwrap();
    scenario::until_revoked(&auth, tokens.access.as_str(), Duration::from_secs(1))
        .await
        .expect("the bounded replica got the revoke-all");
    // The refresh path is bounded too: a rotation of the old family's session is refused.
    assert!(
        !bounded
            .rotate(&authjwt::revoke::RotationRequest {
                session: "old-family",
                presented: "r0",
                subject: "someone",
                issued_at: hour_ago,
                presented_expires_at: now() + 3600,
                successor: "r1",
                signature: None,
                now_ms: now() * 1000,
                window_ms: 30_000,
                expires_at: now() + 3600,
            })
            .await
            .is_ok_and(|r| r == authjwt::revoke::Rotation::Rotated)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_polling_mode_propagates_within_the_budget() {
    let server = RedisServer::start();
    let polling = async || {
        RedisStoreBuilder::new(server.url())
            .poll_interval(Duration::from_millis(20))
            .connect()
            .await
            .unwrap()
    };
    let worst = scenario::exercise("poll", polling().await, polling().await).await;
    println!("propagation, polling every 20 ms: worst of 5 {worst:?}");
    // Its staleness bound stays enforceable: an interval past half of it is refused.
    let err = RedisStoreBuilder::new(server.url())
        .poll_interval(Duration::from_millis(1500))
        .connect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("max_staleness"), "{err}");
}
