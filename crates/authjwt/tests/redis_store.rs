//! The Redis revocation store against a real `redis-server`: propagation between two
//! instances, failing closed during an outage, recovery with no revocation lost, and atomic
//! refresh rotation across instances.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![cfg(all(feature = "redis", feature = "axum"))]

mod redis_harness;

use std::sync::Arc;
use std::time::{Duration, Instant};

use authjwt::axum::AccessToken;
use authjwt::redis::{RedisStore, RedisStoreBuilder};
use authjwt::{
    Auth, AuthError, Config, Protection, TokenLocation, claims::NoCustomClaims,
    revoke::RevocationStore,
};
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::routing::{get, post};
use http::StatusCode;
use http_body_util::BodyExt;
use redis_harness::RedisServer;
use tower::ServiceExt;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn auth(store: RedisStore) -> Auth {
    auth_with_window(store, Duration::from_secs(30))
}

/// `Duration::ZERO`: strict rotation.
fn auth_with_window(store: RedisStore, window: Duration) -> Auth {
    Auth::new(
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Headers])
            .refresh_reuse_window(window)
            .revocation_store(Arc::new(store))
            .build()
            .unwrap(),
    )
}

fn app(auth: &Auth) -> Router {
    async fn protected(AccessToken(user): AccessToken) -> String {
        user.subject().to_owned()
    }
    async fn logout(
        auth: Auth,
        req: Request,
    ) -> Result<(authjwt::SetCookies, &'static str), authjwt::error::AuthRejection> {
        let (parts, _) = req.into_parts();
        let cookies = auth.logout(&parts).await.map_err(|e| auth.reject(e))?;
        Ok((cookies, "bye"))
    }
    Router::new()
        .route("/protected", get(protected))
        .route("/logout", post(logout))
        .layer(auth.layer())
}

async fn call(app: &Router, method: &str, token: &str) -> (StatusCode, String) {
    let req = http::Request::builder()
        .method(method)
        .uri(if method == "POST" {
            "/logout"
        } else {
            "/protected"
        })
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn connect(server: &RedisServer) -> RedisStore {
    RedisStoreBuilder::new(server.url())
        .connect()
        .await
        .unwrap()
}

/// Polls until `want` holds or `limit` passes; returns the time it took.
async fn wait_for(limit: Duration, mut f: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_at_one_instance_is_enforced_at_the_other_within_100ms() {
    let server = RedisServer::start();
    let (a, b) = (auth(connect(&server).await), auth(connect(&server).await));
    let (app_a, app_b) = (app(&a), app(&b));
    let mut worst = Duration::ZERO;
    for round in 0..5 {
        let login = a.create_login_tokens(format!("user{round}")).unwrap();
        let token = login.access.as_str();
        assert_eq!(call(&app_b, "GET", token).await.0, StatusCode::OK);
        assert_eq!(call(&app_a, "POST", token).await.0, StatusCode::OK);
        let took = wait_for(Duration::from_secs(1), async || {
            let (status, body) = call(&app_b, "GET", token).await;
            status == StatusCode::UNAUTHORIZED && body.contains("token_revoked")
        })
        .await
        .expect("the revocation never reached instance B");
        worst = worst.max(took);
        // The revoking instance enforces at once.
        assert_eq!(call(&app_a, "GET", token).await.0, StatusCode::UNAUTHORIZED);
    }
    println!("propagation A→B, worst of 5: {worst:?}");
    assert!(
        worst < Duration::from_millis(100),
        "propagation took {worst:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_fails_closed_and_recovery_loses_no_revocation() {
    let mut server = RedisServer::start();
    let (a, b) = (auth(connect(&server).await), auth(connect(&server).await));
    let (app_a, app_b) = (app(&a), app(&b));
    let revoked = a.create_login_tokens("alice").unwrap();
    let live = a.create_login_tokens("bob").unwrap();
    assert_eq!(
        call(&app_a, "POST", revoked.access.as_str()).await.0,
        StatusCode::OK
    );
    a.revoke_all("carol").await.unwrap();
    let carol = {
        // Issued in the same second as the revoke-all: covered too.
        let t = a.create_access_token("carol").unwrap();
        t.into_string()
    };
    tokio::time::sleep(Duration::from_millis(50)).await;

    server.kill();
    let killed_at = Instant::now();
    for app in [&app_a, &app_b] {
        let took = wait_for(Duration::from_secs(4), async || {
            let (status, body) = call(app, "GET", live.access.as_str()).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
                "during an outage only 200 (replica still fresh) or 503 are allowed, got {status}"
            );
            status == StatusCode::SERVICE_UNAVAILABLE && body.contains("revocation_unavailable")
        })
        .await
        .expect("the instance kept serving without a current replica");
        assert!(
            took <= Duration::from_millis(3000),
            "fail-closed took {took:?}"
        );
    }
    println!("fail-closed after kill: {:?}", killed_at.elapsed());
    // A revoked token is never accepted during the outage either.
    let (status, _) = call(&app_b, "GET", revoked.access.as_str()).await;
    assert!(status == StatusCode::UNAUTHORIZED || status == StatusCode::SERVICE_UNAVAILABLE);

    let restarted = Instant::now();
    server.restart();
    for app in [&app_a, &app_b] {
        wait_for(Duration::from_secs(5), async || {
            call(app, "GET", live.access.as_str()).await.0 == StatusCode::OK
        })
        .await
        .expect("the instance did not recover");
    }
    let recovery = restarted.elapsed();
    println!("service back {recovery:?} after the restart began (server start included)");
    assert!(
        recovery <= Duration::from_secs(2),
        "recovery took {recovery:?}"
    );

    // Every revocation made before the outage still holds, at both instances and at a new
    // instance that loads the persisted keys.
    let c = auth(connect(&server).await);
    let app_c = app(&c);
    for app in [&app_a, &app_b, &app_c] {
        let (status, body) = call(app, "GET", revoked.access.as_str()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body.contains("token_revoked"));
        let (status, _) = call(app, "GET", &carol).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_concurrent_refreshes_at_two_instances_yield_at_most_one_live_family() {
    let server = RedisServer::start();
    let strict = async || auth_with_window(connect(&server).await, Duration::ZERO);
    let (a, b) = (strict().await, strict().await);
    for round in 0..10 {
        let login = a.create_login_tokens(format!("u{round}")).unwrap();
        let parts = || {
            http::Request::post("/refresh")
                .header("authorization", format!("Bearer {}", login.refresh))
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        let (pa, pb) = (parts(), parts());
        let protection = Protection::refresh();
        let (ra, rb) = tokio::join!(
            a.refresh::<NoCustomClaims>(&pa, &protection),
            b.refresh::<NoCustomClaims>(&pb, &protection)
        );
        let winners: Vec<_> = [ra, rb].into_iter().filter_map(Result::ok).collect();
        assert!(winners.len() <= 1, "two refreshes succeeded with one token");
        // The loser's reuse revoked the family: nothing from it may stay usable, at either
        // instance.
        for w in winners {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let (parts, _) = http::Request::get("/")
                .header("authorization", format!("Bearer {}", w.access))
                .body(())
                .unwrap()
                .into_parts();
            for auth in [&a, &b] {
                let r = auth
                    .authenticate::<NoCustomClaims>(&parts, &Protection::access())
                    .await;
                assert_eq!(r.unwrap_err(), AuthError::TokenRevoked);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consume_is_atomic_across_instances() {
    let server = RedisServer::start();
    let (a, b) = (connect(&server).await, connect(&server).await);
    let exp = authjwt_now() + 60;
    for i in 0..50 {
        let jti = format!("jti-{i}");
        let (x, y) = tokio::join!(a.consume(&jti, exp), b.consume(&jti, exp));
        assert_eq!(
            u8::from(x.unwrap()) + u8::from(y.unwrap()),
            1,
            "exactly one first use"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_redis_at_start_is_an_error_not_a_panic() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = RedisStore::connect(&format!("redis://127.0.0.1:{port}/"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Redis"), "{err}");
}

fn authjwt_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
