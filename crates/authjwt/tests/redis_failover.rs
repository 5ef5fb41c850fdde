//! Failover without loss, against real `redis-server` processes: a single node restarted
//! without persistence (every revocation gone from Redis), and a Cluster primary killed
//! after it acknowledged a revocation its (paused) replica never received. Every instance
//! notices that Redis lost events and reloads; each writer writes its recent revocations
//! again (the outbox), so new instances see them; and while it happens every answer for a
//! revoked token is 401 or 503 (never 200, never another error), none slower than 5 s.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![cfg(feature = "redis")]

mod redis_harness;

use std::time::{Duration, Instant};

use authjwt::redis::{RedisStore, RedisStoreBuilder};
use authjwt::{Auth, AuthError};
use redis_harness::RedisServer;
use redis_harness::scenario::{access, auth, bearer, refresh, until_revoked};

/// A counter of the store's `Debug` output (`restored`, `divergences`, `short_waits`).
fn counter(store: &RedisStore, name: &str) -> u64 {
    let debug = format!("{store:?}");
    let at = debug.find(&format!("{name}: ")).expect(name) + name.len() + 2;
    debug[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// One round of requests at `auth` during a failover: revoked tokens answer 401 or 503,
/// live ones 200 or 503, and none waits 5 s. Returns whether the live token got 200.
async fn probe(auth: &Auth, revoked: &[&str], live: &str) -> bool {
    for token in revoked {
        let start = Instant::now();
        let answer = access(auth, token).await;
        assert!(
            matches!(
                answer,
                Err(AuthError::TokenRevoked | AuthError::RevocationUnavailable)
            ),
            "a revoked token answered {answer:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    }
    let start = Instant::now();
    let answer = access(auth, live).await;
    assert!(
        matches!(answer, Ok(()) | Err(AuthError::RevocationUnavailable)),
        "a live token answered {answer:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    answer.is_ok()
}

async fn wait_until(limit: Duration, mut f: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_restarted_empty_gets_back_every_revocation_its_writers_made() {
    let mut server = RedisServer::start_with(&["--appendonly", "no"]);
    let connect = async |server: &RedisServer| {
        RedisStoreBuilder::new(server.url())
            .connect()
            .await
            .unwrap()
    };
    let (sa, sb) = (connect(&server).await, connect(&server).await);
    let (a, b) = (auth(sa.clone()), auth(sb.clone()));
    let alice = a.create_login_tokens("alice").unwrap();
    let _cleared = a
        .logout(&bearer("POST", alice.access.as_str()))
        .await
        .unwrap();
    let carol = a.create_login_tokens("carol").unwrap();
    a.revoke_all("carol").await.unwrap();
    let live = a.create_login_tokens("live").unwrap();
    for token in [&alice, &carol] {
        until_revoked(&b, token.access.as_str(), Duration::from_secs(1))
            .await
            .unwrap();
    }

    server.restart(); // no persistence: Redis comes back empty
    let revoked = [alice.access.as_str(), carol.access.as_str()];
    let took = wait_until(Duration::from_secs(10), async || {
        let up = probe(&a, &revoked, live.access.as_str()).await
            & probe(&b, &revoked, live.access.as_str()).await;
        up && counter(&sa, "restored") >= 2
    })
    .await
    .expect("the instances did not recover");
    println!(
        "restart without data: served again and revocations restored {took:?} after the restart"
    );
    // Both noticed the loss (the streams were gone) and reloaded.
    assert!(counter(&sa, "divergences") >= 1);
    assert!(counter(&sb, "divergences") >= 1);
    // A new instance, which loads from Redis alone, refuses both.
    let c = auth(connect(&server).await);
    for token in revoked {
        assert_eq!(access(&c, token).await, Err(AuthError::TokenRevoked));
    }
    assert_eq!(access(&c, live.access.as_str()).await, Ok(()));
}

/// The shard of a revocation id, as the store computes it (FNV-1a, 4 shards).
#[cfg(feature = "redis-cluster")]
fn shard_of(id: &str) -> u32 {
    id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    }) % 4
}

#[cfg(feature = "redis-cluster")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_primary_dying_before_its_replica_had_a_revocation_loses_nothing() {
    use redis_harness::RedisCluster;

    let mut cluster = RedisCluster::start(3, 1);
    let connect = async |seeds: Vec<String>, wait: bool| {
        let builder = RedisStoreBuilder::cluster(seeds);
        let builder = if wait {
            builder.wait_for_replicas(1, Duration::from_millis(300))
        } else {
            builder
        };
        builder.connect().await.unwrap()
    };
    let sa = connect(cluster.seeds(), true).await;
    let sb = connect(cluster.seeds(), false).await;
    let (a, b) = (auth(sa.clone()), auth(sb.clone()));

    // While everything is up, the replica acknowledges each revocation (WAIT).
    let before = a.create_login_tokens("before").unwrap();
    let _cleared = a
        .logout(&bearer("POST", before.access.as_str()))
        .await
        .unwrap();
    until_revoked(&b, before.access.as_str(), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(counter(&sa, "short_waits"), 0);

    // The victim's revocation goes to the primary P of its shard, whose replica R is paused
    // and cut off (a paused process would still receive the replication stream into its
    // socket buffer).
    let victim = a.create_login_tokens("victim").unwrap();
    let live = a.create_login_tokens("live").unwrap();
    let shard = shard_of(victim.refresh.family().unwrap());
    let (p, replicas) = cluster.owner(cluster.slot(&format!("{{s{shard}}}")));
    let r = replicas[0];
    cluster.nodes[r].pause();
    cluster.nodes[p].cli(&["CLIENT", "KILL", "TYPE", "replica"]);
    let _cleared = a
        .logout(&bearer("POST", victim.access.as_str()))
        .await
        .unwrap();
    // WAIT saw that no replica has it; B has it (the stream reached it).
    assert!(counter(&sa, "short_waits") >= 1);
    until_revoked(&b, victim.access.as_str(), Duration::from_secs(1))
        .await
        .unwrap();

    // P dies; R, which never received the revocation, takes over.
    let killed = Instant::now();
    cluster.nodes[p].kill();
    cluster.nodes[r].resume();
    let revoked = [before.access.as_str(), victim.access.as_str()];
    let (mut down_a, mut down_b) = (false, false);
    let took = wait_until(Duration::from_secs(30), async || {
        let up_a = probe(&a, &revoked, live.access.as_str()).await;
        let up_b = probe(&b, &revoked, live.access.as_str()).await;
        down_a |= !up_a;
        down_b |= !up_b;
        // The victim's refresh token opens nothing either.
        let start = Instant::now();
        let answer = refresh(&b, victim.refresh.as_str()).await.map(drop);
        assert!(
            matches!(
                answer,
                Err(AuthError::TokenRevoked | AuthError::RevocationUnavailable)
            ),
            "{answer:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(5));
        up_a && up_b && counter(&sa, "restored") >= 1
    })
    .await
    .expect("the instances did not recover from the failover");
    println!(
        "failover: served again with the lost revocation restored {took:?} after the kill \
         (503 meanwhile: A {down_a}, B {down_b})"
    );
    cluster.wait_ok(Duration::from_secs(10));
    assert_eq!(cluster.owner(cluster.slot(&format!("{{s{shard}}}"))).0, r);
    // Whether B itself saw the stream diverge is timing: A's outbox may write the lost
    // revocation again before B's next check. That it is not lost is what the loop above
    // (restored at A, refused at both) and the new instance below assert.

    // A new instance loads from the Cluster alone: the outbox wrote the revocation again.
    let seeds: Vec<String> = cluster
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != p)
        .map(|(_, n)| n.url())
        .collect();
    let c = auth(connect(seeds, false).await);
    assert_eq!(
        access(&c, victim.access.as_str()).await,
        Err(AuthError::TokenRevoked)
    );
    assert_eq!(access(&c, live.access.as_str()).await, Ok(()));
    println!("failover total: {:?}", killed.elapsed());
}
