//! The session registry on a real `redis-server` shared by two instances: a login at one is
//! listed at the other, ending a session at one is enforced at the other (its refresh tokens
//! at once, its access tokens within 100 ms), refreshes move `last_seen_at`, "sign out other
//! devices" keeps the caller's session, and the memory a session costs in Redis.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![cfg(feature = "redis")]

mod redis_harness;

use std::sync::Arc;
use std::time::{Duration, Instant};

use authjwt::revoke::redis::{RedisStore, RedisStoreBuilder};
use authjwt::{
    Auth, AuthError, Authenticated, Config, Protection, TokenLocation, TokenPair,
    claims::NoCustomClaims, sessions::Login,
};
use redis_harness::RedisServer;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

async fn connect(server: &RedisServer) -> RedisStore {
    RedisStoreBuilder::new(server.url())
        .connect()
        .await
        .unwrap()
}

async fn instance(server: &RedisServer) -> Auth {
    Auth::new(
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Headers])
            .revocation_store(Arc::new(connect(server).await))
            .build()
            .unwrap(),
    )
}

fn bearer(token: &str) -> http::request::Parts {
    http::Request::post("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap()
        .into_parts()
        .0
}

async fn caller(auth: &Auth, tokens: &TokenPair) -> Authenticated {
    auth.authenticate::<NoCustomClaims>(&bearer(tokens.access.as_str()), &Protection::access())
        .await
        .unwrap()
        .unwrap()
}

async fn access(auth: &Auth, tokens: &TokenPair) -> Result<(), AuthError> {
    auth.authenticate::<NoCustomClaims>(&bearer(tokens.access.as_str()), &Protection::access())
        .await
        .map(drop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_shared_listed_and_ended_across_instances() {
    let server = RedisServer::start();
    let (a, b) = (instance(&server).await, instance(&server).await);
    let phone = a
        .login(Login::new("user1").user_agent("Phone/1.0").label("phone"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let laptop = a
        .login(Login::new("user1").user_agent("Laptop/2.0").remember(true))
        .await
        .unwrap();
    let _other = a.login(Login::new("user2")).await.unwrap();

    // B lists A's logins, newest first, with what the login recorded.
    let at_b = caller(&b, &laptop).await;
    let listed = b.sessions(&at_b).await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0].id, laptop.refresh.family().unwrap());
    assert!(listed[0].current);
    assert_eq!(listed[0].user_agent.as_deref(), Some("Laptop/2.0"));
    assert_eq!(listed[1].label.as_deref(), Some("phone"));
    assert!(!listed[1].current);
    assert_eq!(listed[1].expires_at, phone.refresh.expires_at().unwrap());

    // A refresh at B moves the phone's last-seen time.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let next = b
        .refresh::<NoCustomClaims>(&bearer(phone.refresh.as_str()), &Protection::refresh())
        .await
        .unwrap();
    let seen = a.sessions_of("user1").await.unwrap();
    let phone_now = seen
        .iter()
        .find(|s| s.label.as_deref() == Some("phone"))
        .unwrap();
    assert!(
        phone_now.last_seen_at > phone_now.created_at,
        "{phone_now:?}"
    );
    assert!(phone_now.expires_at >= next.refresh.expires_at().unwrap());

    // Another user's session id is not found, at either instance.
    let other_id = b.sessions_of("user2").await.unwrap()[0].id.clone();
    assert_eq!(
        b.end_session(&at_b, &other_id).await,
        Err(AuthError::SessionNotFound)
    );
    assert_eq!(access(&a, &_other).await, Ok(()));

    // Ending the phone's session at A: its refresh token is refused at B at once, and its
    // access token at B within the propagation budget.
    assert_eq!(access(&b, &next).await, Ok(()));
    let at_a = caller(&a, &laptop).await;
    let ended_at = Instant::now();
    a.end_session(&at_a, phone.refresh.family().unwrap())
        .await
        .unwrap();
    assert_eq!(
        b.refresh::<NoCustomClaims>(&bearer(next.refresh.as_str()), &Protection::refresh())
            .await
            .unwrap_err(),
        AuthError::TokenRevoked
    );
    let mut took = None;
    while ended_at.elapsed() < Duration::from_secs(1) {
        if access(&b, &next).await == Err(AuthError::TokenRevoked) {
            took = Some(ended_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let took = took.expect("the ended session's access token still works at B");
    println!("session end A→B: {took:?}");
    assert!(
        took < Duration::from_millis(100),
        "propagation took {took:?}"
    );
    let listed = b.sessions(&at_b).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");

    // Sign out other devices at B: the caller's session stays.
    let third = a.login(Login::new("user1")).await.unwrap();
    assert_eq!(b.end_other_sessions(&at_b).await.unwrap(), 1);
    assert_eq!(access(&b, &laptop).await, Ok(()));
    let mut refused = false;
    for _ in 0..500 {
        if access(&a, &third).await == Err(AuthError::TokenRevoked) {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(refused, "the other session still works at A");

    // revoke_all ends every session, the caller's included: none is listed.
    a.revoke_all("user1").await.unwrap();
    assert!(a.sessions_of("user1").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_costs_a_few_hundred_bytes_of_redis_memory() {
    let server = RedisServer::start();
    let auth = instance(&server).await;
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let used = async |con: &mut redis::aio::MultiplexedConnection| -> u64 {
        let info: String = redis::cmd("INFO")
            .arg("memory")
            .query_async(con)
            .await
            .unwrap();
        info.lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let before = used(&mut con).await;
    let n = 1000_u64;
    for i in 0..n {
        let login =
            Login::new(format!("user{}", i % 100)).user_agent("Mozilla/5.0 (X11; Linux x86_64)");
        auth.login(login).await.unwrap();
    }
    let after = used(&mut con).await;
    let per = after.saturating_sub(before) / n;
    println!("registry: {per} bytes of Redis memory per session ({n} sessions, 100 subjects)");
    assert_eq!(auth.sessions_of("user7").await.unwrap().len(), 10);
}
