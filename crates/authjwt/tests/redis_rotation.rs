//! Refresh rotation on a real `redis-server` shared by several instances: the reuse window
//! answers every concurrent refresh of one token with the one successor, strict rotation lets
//! exactly one through and ends the session, the state stays one record per session, and
//! every write path works on the first try after Redis restarts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![cfg(feature = "redis")]

mod redis_harness;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authjwt::redis::{RedisStore, RedisStoreBuilder};
use authjwt::{
    Auth, AuthError, Config, Protection, TokenLocation,
    claims::NoCustomClaims,
    revoke::{RevocationStore, Rotation, StoreError, TokenRef},
    sessions::LoginTokens,
};
use redis_harness::RedisServer;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn auth(store: Arc<dyn RevocationStore>, window: Duration) -> Auth {
    Auth::new(
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Headers])
            .refresh_reuse_window(window)
            .revocation_store(store)
            .build()
            .unwrap(),
    )
}

async fn connect(server: &RedisServer) -> RedisStore {
    RedisStoreBuilder::new(server.url())
        .connect()
        .await
        .unwrap()
}

/// Three instances sharing one redis-server.
async fn instances(server: &RedisServer, window: Duration) -> Vec<Auth> {
    let mut all = Vec::new();
    for _ in 0..3 {
        all.push(auth(Arc::new(connect(server).await), window));
    }
    all
}

fn bearer(method: &str, token: &str) -> http::request::Parts {
    http::Request::builder()
        .method(method)
        .uri("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap()
        .into_parts()
        .0
}

async fn refresh(
    auth: &Auth,
    token: &str,
) -> Result<authjwt::sessions::RefreshedTokens, AuthError> {
    auth.refresh::<NoCustomClaims>(&bearer("POST", token), &Protection::refresh())
        .await
}

async fn access_ok(auth: &Auth, token: &str) -> Result<(), AuthError> {
    auth.authenticate::<NoCustomClaims>(&bearer("GET", token), &Protection::access())
        .await
        .map(drop)
}

/// 64 concurrent refreshes of one token, spread over the instances.
async fn race(
    instances: &[Auth],
    token: &str,
) -> Vec<Result<authjwt::sessions::RefreshedTokens, AuthError>> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let (auth, token) = (instances[i % instances.len()].clone(), token.to_owned());
        tasks.spawn(async move { refresh(&auth, &token).await });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_refreshes_at_three_instances_get_one_successor() {
    let server = RedisServer::start();
    let all = instances(&server, Duration::from_secs(30)).await;
    let (mut answers, mut rounds) = (0, 0);
    for round in 0..15 {
        let login = all[0].create_login_tokens(format!("u{round}")).unwrap();
        let results = race(&all, login.refresh.as_str()).await;
        let mut successors = HashSet::new();
        for r in &results {
            let r = r.as_ref().expect("every concurrent refresh answers 200");
            successors.insert(r.refresh.as_str().to_owned());
            assert_eq!(r.refresh.family(), login.refresh.family());
            assert_eq!(
                r.access.csrf(),
                login.access.csrf(),
                "the session's CSRF value"
            );
            answers += 1;
        }
        assert_eq!(
            successors.len(),
            1,
            "round {round}: one successor per token"
        );
        let successor = successors.into_iter().next().unwrap();
        // The session goes on at every instance; the access tokens all work.
        for (auth, r) in all.iter().zip(&results) {
            access_ok(auth, r.as_ref().unwrap().access.as_str())
                .await
                .unwrap();
        }
        let next = refresh(&all[round % 3], &successor).await.unwrap();
        access_ok(&all[(round + 1) % 3], next.access.as_str())
            .await
            .unwrap();
        rounds += 1;
    }
    println!(
        "{rounds} rounds × 64 concurrent refreshes at 3 instances: {answers} × 200, 1 successor per round"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn strict_rotation_lets_exactly_one_of_sixty_four_through_and_ends_the_session() {
    let server = RedisServer::start();
    let all = instances(&server, Duration::ZERO).await;
    for round in 0..10 {
        let login = all[0].create_login_tokens(format!("s{round}")).unwrap();
        let results = race(&all, login.refresh.as_str()).await;
        let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: exactly one refresh succeeds"
        );
        let reused = results
            .iter()
            .filter(|r| r.as_ref().err() == Some(&AuthError::RefreshTokenReused))
            .count();
        assert!(reused >= 1, "the race is seen as reuse");
        for r in &results {
            if let Err(e) = r {
                assert!(
                    matches!(e, AuthError::RefreshTokenReused | AuthError::TokenRevoked),
                    "{e:?}"
                );
            }
        }
        // Nothing of the session stays usable, at any instance, within the propagation budget.
        let winner = winners[0];
        tokio::time::sleep(Duration::from_millis(100)).await;
        for auth in &all {
            assert_eq!(
                access_ok(auth, winner.access.as_str()).await.unwrap_err(),
                AuthError::TokenRevoked
            );
            assert!(refresh(auth, winner.refresh.as_str()).await.is_err());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reuse_after_the_window_ends_the_session_everywhere() {
    let server = RedisServer::start();
    let all = instances(&server, Duration::from_secs(1)).await;
    let login = all[0].create_login_tokens("late").unwrap();
    let first = refresh(&all[0], login.refresh.as_str()).await.unwrap();
    let replay = refresh(&all[1], login.refresh.as_str()).await.unwrap();
    assert_eq!(replay.refresh.as_str(), first.refresh.as_str());
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        refresh(&all[2], login.refresh.as_str()).await.unwrap_err(),
        AuthError::RefreshTokenReused
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    for auth in &all {
        assert_eq!(
            access_ok(auth, first.access.as_str()).await.unwrap_err(),
            AuthError::TokenRevoked
        );
        assert_eq!(
            refresh(auth, first.refresh.as_str()).await.unwrap_err(),
            AuthError::TokenRevoked
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_never_revives_a_session_ended_at_another_instance() {
    let server = RedisServer::start();
    let all = instances(&server, Duration::from_secs(30)).await;
    // Logout at A, then the just-rotated token replayed at B at once (no propagation wait).
    let login = all[0].create_login_tokens("gone").unwrap();
    let first = refresh(&all[0], login.refresh.as_str()).await.unwrap();
    let _cleared = all[0]
        .logout(&bearer("POST", first.access.as_str()))
        .await
        .unwrap();
    for auth in &all[1..] {
        assert_eq!(
            refresh(auth, login.refresh.as_str()).await.unwrap_err(),
            AuthError::TokenRevoked
        );
    }
    // Revoke-all at A: a replay at C right after is refused too.
    let login = all[0].create_login_tokens("all").unwrap();
    let first = refresh(&all[0], login.refresh.as_str()).await.unwrap();
    all[0].revoke_all("all").await.unwrap();
    assert_eq!(
        refresh(&all[2], login.refresh.as_str()).await.unwrap_err(),
        AuthError::TokenRevoked
    );
    assert!(refresh(&all[1], first.refresh.as_str()).await.is_err());
}

/// Keys under the store's prefix, and the server's `used_memory`.
async fn redis_usage(server: &RedisServer) -> (usize, u64) {
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("authjwt:*")
        .query_async(&mut con)
        .await
        .unwrap();
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query_async(&mut con)
        .await
        .unwrap();
    let used = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (keys.len(), used)
}

/// The previous release's behaviour: a store that only has the required methods, so
/// rotation falls back to the trait's default (one consumed-token entry per refresh).
#[derive(Debug)]
struct PreviousRelease(RedisStore);

#[async_trait]
impl RevocationStore for PreviousRelease {
    async fn is_revoked(&self, token: &TokenRef<'_>) -> Result<bool, StoreError> {
        self.0.is_revoked(token).await
    }
    async fn revoke_jti(&self, jti: &str, expires_at: u64) -> Result<(), StoreError> {
        self.0.revoke_jti(jti, expires_at).await
    }
    async fn revoke_family(&self, family: &str, expires_at: u64) -> Result<(), StoreError> {
        self.0.revoke_family(family, expires_at).await
    }
    async fn revoke_subject(&self, s: &str, before: u64, exp: u64) -> Result<(), StoreError> {
        self.0.revoke_subject(s, before, exp).await
    }
    async fn consume(&self, jti: &str, expires_at: u64) -> Result<bool, StoreError> {
        self.0.consume(jti, expires_at).await
    }
}

async fn refreshes(auth: &Auth, login: &LoginTokens, n: usize) {
    let mut token = login.refresh.to_string();
    for _ in 0..n {
        token = refresh(auth, &token)
            .await
            .unwrap()
            .tokens
            .refresh
            .into_string();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_state_stays_one_record_per_session() {
    const N: usize = 2_000;
    let server = RedisServer::start();
    let (keys0, mem0) = redis_usage(&server).await;

    let old = Arc::new(PreviousRelease(connect(&server).await));
    let old_auth = auth(old, Duration::ZERO);
    refreshes(&old_auth, &old_auth.create_login_tokens("old").unwrap(), N).await;
    let (keys1, mem1) = redis_usage(&server).await;

    let new_auth = auth(Arc::new(connect(&server).await), Duration::from_secs(30));
    refreshes(&new_auth, &new_auth.create_login_tokens("new").unwrap(), N).await;
    let (keys2, mem2) = redis_usage(&server).await;

    let old_keys = keys1 - keys0;
    let new_keys = keys2 - keys1;
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let record: Vec<String> = redis::cmd("KEYS")
        .arg("authjwt:rot:*")
        .query_async(&mut con)
        .await
        .unwrap();
    let record_bytes: u64 = redis::cmd("MEMORY")
        .arg("USAGE")
        .arg(&record[0])
        .query_async(&mut con)
        .await
        .unwrap();
    println!(
        "{N} refreshes of one session: previous release {old_keys} keys (one per refresh, plus \
         the event stream), Redis used_memory +{} bytes; now {new_keys} keys (the record of {record_bytes} \
         bytes, and the session registry) (used_memory +{} bytes, script cache and buffers included)",
        mem1.saturating_sub(mem0),
        mem2.saturating_sub(mem1)
    );
    assert!(
        old_keys >= N,
        "the previous release kept one entry per refresh"
    );
    // The rotation record, and the subject's session registry (which a refresh of a session
    // the registry did not know yet creates): neither grows with the refreshes.
    assert_eq!(
        new_keys, 2,
        "one rotation record and one registry hash per session"
    );
    assert_eq!(record.len(), 1, "one rotation record per session");
    // Every instance's replica holds nothing for a live session now.
    let probe = connect(&server).await;
    let replica = format!("{probe:?}");
    println!("a new instance's replica: {replica}");
    assert!(replica.contains(&format!("jtis: {N}")), "{replica}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_path_works_on_the_first_try_after_redis_restarts() {
    let mut server = RedisServer::start();
    let all = instances(&server, Duration::from_secs(30)).await;
    let mut logins = Vec::new();
    for (i, auth) in all.iter().enumerate() {
        logins.push(auth.create_login_tokens(format!("r{i}")).unwrap());
    }
    server.restart();
    // Wait until every instance reports healthy again (reads answer correctly).
    for (auth, login) in all.iter().zip(&logins) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while access_ok(auth, login.access.as_str()).await.is_err() {
            assert!(std::time::Instant::now() < deadline, "never healthy again");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // The first write of each kind at each instance succeeds.
    for (i, (auth, login)) in all.iter().zip(&logins).enumerate() {
        let next = refresh(auth, login.refresh.as_str())
            .await
            .unwrap_or_else(|e| panic!("instance {i}: first refresh after restart: {e:?}"));
        let _cleared = auth
            .logout(&bearer("POST", next.access.as_str()))
            .await
            .unwrap_or_else(|e| panic!("instance {i}: first logout after restart: {e:?}"));
    }
    server.restart();
    for (i, auth) in all.iter().enumerate() {
        let login = auth.create_login_tokens(format!("again{i}")).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while access_ok(auth, login.access.as_str()).await.is_err() {
            assert!(std::time::Instant::now() < deadline, "never healthy again");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        auth.revoke_all(&format!("again{i}"))
            .await
            .unwrap_or_else(|e| panic!("instance {i}: first revoke-all after restart: {e:?}"));
        assert_eq!(
            access_ok(auth, login.access.as_str()).await.unwrap_err(),
            AuthError::TokenRevoked
        );
    }
}

/// Every store the library ships, for the cases both must pass alike.
async fn stores(server: &RedisServer) -> Vec<(&'static str, Arc<dyn RevocationStore>)> {
    vec![
        ("memory", Arc::new(authjwt::revoke::MemoryStore::new())),
        ("redis", Arc::new(connect(server).await)),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_out_refresh_token_opens_nothing_outside_the_refresh() {
    let server = RedisServer::start();
    for (name, store) in stores(&server).await {
        let auth = auth(store, Duration::from_secs(1));
        let login = auth.create_login_tokens("old-token").unwrap();
        let as_refresh = |token: &str| {
            let auth = auth.clone();
            let parts = bearer("POST", token);
            async move {
                auth.authenticate::<NoCustomClaims>(&parts, &Protection::refresh())
                    .await
                    .map(drop)
            }
        };
        let first = refresh(&auth, login.refresh.as_str()).await.unwrap();
        // The previous token inside the window and the current one pass; the current one
        // always.
        as_refresh(login.refresh.as_str()).await.unwrap();
        as_refresh(first.refresh.as_str()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(
            as_refresh(login.refresh.as_str()).await.unwrap_err(),
            AuthError::TokenRevoked,
            "{name}: a rotated-out refresh token"
        );
        as_refresh(first.refresh.as_str()).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retry_of_a_reuse_decision_still_ends_the_session_everywhere() {
    let server = RedisServer::start();
    for (name, store) in stores(&server).await {
        let far = 4_102_444_800;
        let request = |presented, successor, now_ms| authjwt::revoke::RotationRequest {
            session: "s",
            presented,
            subject: "u",
            issued_at: 1,
            presented_expires_at: far,
            successor,
            signature: None,
            now_ms,
            window_ms: 1_000,
            expires_at: far,
        };
        assert_eq!(
            store.rotate(&request("r0", "r1", 0)).await.unwrap(),
            Rotation::Rotated
        );
        assert_eq!(
            store.rotate(&request("r1", "r2", 10)).await.unwrap(),
            Rotation::Rotated
        );
        // r0 again: reuse; the same call sent again (a retry after a lost reply) is told
        // reuse again, so it still revokes the family; another call is told "ended".
        let reuse = request("r0", "x", 20);
        assert_eq!(
            store.rotate(&reuse).await.unwrap(),
            Rotation::Reused,
            "{name}"
        );
        assert_eq!(
            store.rotate(&reuse).await.unwrap(),
            Rotation::Reused,
            "{name}"
        );
        assert_eq!(
            store.rotate(&request("r2", "y", 30)).await.unwrap(),
            Rotation::Ended,
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_the_previous_release_used_up_is_a_reuse_that_ends_the_session() {
    let server = RedisServer::start();
    for (name, store) in stores(&server).await {
        let auth = auth(Arc::clone(&store), Duration::from_secs(30));
        let login = auth.create_login_tokens("legacy").unwrap();
        // The previous release's strict rotation consumed it (a thief rotated it there).
        assert!(
            store
                .consume(login.refresh.jti(), 4_102_444_800)
                .await
                .unwrap()
        );
        assert_eq!(
            refresh(&auth, login.refresh.as_str()).await.unwrap_err(),
            AuthError::RefreshTokenReused,
            "{name}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            access_ok(&auth, login.access.as_str()).await.unwrap_err(),
            AuthError::TokenRevoked,
            "{name}: the whole session is ended"
        );
    }
}
