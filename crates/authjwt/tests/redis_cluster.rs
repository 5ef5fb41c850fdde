//! The Redis store on a real 3-primary Redis Cluster (`redis-server --cluster-enabled yes`,
//! `redis-cli --cluster create`): revocation, rotation within the reuse window across two
//! instances, the session registry and propagation within 100 ms; an instance whose seed
//! list starts with a dead node; and a shard's slot moved to another primary while both
//! instances run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![cfg(feature = "redis-cluster")]

mod redis_harness;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use authjwt::redis::{RedisStore, RedisStoreBuilder};
use redis_harness::{RedisCluster, free_port, scenario};

async fn connect(seeds: Vec<String>) -> RedisStore {
    RedisStoreBuilder::cluster(seeds).connect().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_runs_on_a_cluster_and_follows_its_slot_moves() {
    let cluster = RedisCluster::start(3, 0);
    let shards: Vec<u16> = (0..4).map(|s| cluster.slot(&format!("{{s{s}}}"))).collect();
    let primaries: BTreeSet<usize> = shards.iter().map(|s| cluster.owner(*s).0).collect();
    println!("shard slots {shards:?} on primaries {primaries:?}");
    assert!(primaries.len() > 1, "the shards spread over the primaries");

    let started = Instant::now();
    let a = connect(cluster.seeds()).await;
    println!("start-up on the cluster (empty): {:?}", started.elapsed());
    // A dead node first among the seeds: the instance starts from the others.
    let mut seeds = vec![format!("redis://127.0.0.1:{}/", free_port())];
    seeds.extend(cluster.seeds().into_iter().skip(1));
    let b = connect(seeds).await;
    assert!(b.is_current());

    let worst = scenario::exercise("cluster", a.clone(), b.clone()).await;
    println!("propagation on the cluster, worst of 5: {worst:?}");

    // Move a shard's slot (with its stream, index and keys) to another primary while both
    // instances follow it: writes and reads follow MOVED, nothing is lost or replayed.
    let slot = shards[0];
    let (from, _) = cluster.owner(slot);
    let to = (0..3).find(|i| *i != from).unwrap();
    cluster.move_slot(slot, to);
    assert_eq!(cluster.owner(slot).0, to);
    // A read blocked on the old owner learns of the move when its block time (250 ms) ends.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let worst = scenario::exercise("moved", a.clone(), b.clone()).await;
    println!("propagation after the slot move, worst of 5: {worst:?}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(a.is_current() && b.is_current());
    // The move lost nothing: neither instance saw a divergence (a reload).
    for store in [&a, &b] {
        let debug = format!("{store:?}");
        assert!(debug.contains("divergences: 0"), "{debug}");
    }

    // A new instance loads everything from the primaries' indexes.
    let c = connect(cluster.seeds()).await;
    let auth_c = scenario::auth(c);
    let tokens = scenario::auth(a.clone())
        .create_login_tokens("late-user")
        .unwrap();
    scenario::auth(b.clone())
        .revoke_all("late-user")
        .await
        .unwrap();
    scenario::until_revoked(&auth_c, tokens.access.as_str(), Duration::from_secs(1))
        .await
        .expect("the new instance sees the revoke-all");
    let d = connect(cluster.seeds()).await;
    assert_eq!(
        scenario::access(&scenario::auth(d), tokens.access.as_str()).await,
        Err(authjwt::AuthError::TokenRevoked),
        "loaded at start"
    );
}
