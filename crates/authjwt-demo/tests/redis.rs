//! `REDIS_URL`: two demo instances sharing one real `redis-server` see each other's
//! revocations (logout, refresh-token reuse). The server runs on a free loopback port and is
//! stopped by the PID this test started; a missing `redis-server` fails the test with the
//! package to install.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use authjwt::Auth;
use authjwt_demo::{AppState, Settings, app};
use axum::Router;
use common::{Jar, logged_in, send_empty};

/// A `redis-server` on a free port, with no persistence, killed on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Self {
        let binary = std::env::var_os("REDIS_SERVER")
            .map_or_else(|| PathBuf::from("/usr/bin/redis-server"), PathBuf::from);
        assert!(
            binary.is_file(),
            "{} not found: install the Debian package redis-server (scripts/test.sh does)",
            binary.display()
        );
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let redis = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn instance(redis: &Redis) -> Router {
    let settings = Settings {
        redis_url: Some(redis.url()),
        ..common::settings(900)
    };
    let (config, _) = settings.connect().await.unwrap();
    app(AppState::new(Auth::new(config)))
}

/// Polls `GET /protected` on `app` until it answers `code`, for up to 5 s (revocations
/// reach the other instance through the Redis stream within milliseconds).
async fn until_code(app: &Router, jar: &Jar, code: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let reply = send_empty(app, "GET", "/protected", jar, None).await;
        if reply.status != 200 && reply.json()["code"] == code {
            return;
        }
        assert!(Instant::now() < deadline, "never {code}: {}", reply.text());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn instances_share_revocations_through_redis() {
    let redis = Redis::start();
    let a = instance(&redis).await;
    let b = instance(&redis).await;

    // A session logged in on A is valid on B (same key) until it logs out on A.
    let jar = logged_in(&a).await;
    let keep = logged_in(&a).await;
    let reply = send_empty(&b, "GET", "/protected", &jar, None).await;
    assert_eq!(reply.status, 200);
    let reply = send_empty(&a, "POST", "/logout", &jar, Some("csrf_access_token")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    until_code(&b, &jar, "token_revoked").await;
    let reply = send_empty(&b, "GET", "/protected", &keep, None).await;
    assert_eq!(reply.status, 200, "other sessions stay valid");

    // A refresh token used on A and presented again on B within the window: the same
    // successor. After the user's next rotation it is reuse: the session ends everywhere.
    let stolen = logged_in(&a).await;
    let reply = send_empty(&a, "POST", "/refresh", &stolen, Some("csrf_refresh_token")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut user = stolen.clone();
    user.update(&reply);
    let replay = send_empty(&b, "POST", "/refresh", &stolen, Some("csrf_refresh_token")).await;
    assert_eq!(replay.status, 200, "{}", replay.text());
    assert_eq!(
        replay.set_cookie("refresh_token_cookie"),
        reply.set_cookie("refresh_token_cookie")
    );
    let reply = send_empty(&b, "POST", "/refresh", &user, Some("csrf_refresh_token")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    user.update(&reply);
    let replay = send_empty(&a, "POST", "/refresh", &stolen, Some("csrf_refresh_token")).await;
    replay.assert_error(401, "refresh_token_reused");
    until_code(&b, &user, "token_revoked").await;
}

#[tokio::test]
async fn an_unreachable_redis_fails_at_start() {
    // A port nothing listens on: the listener is dropped before connecting.
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = Settings {
        redis_url: Some(format!("redis://127.0.0.1:{port}/")),
        ..common::settings(900)
    };
    let err = tokio::time::timeout(Duration::from_secs(10), settings.connect())
        .await
        .expect("connect gives up within 10 s")
        .unwrap_err();
    assert!(err.to_string().contains("REDIS_URL"), "{err}");
}

#[tokio::test]
async fn a_missing_redis_ca_cert_file_is_named_at_start() {
    let settings = Settings {
        redis_url: Some("rediss://127.0.0.1:6380/".to_owned()),
        redis_ca_cert: Some("missing-redis-ca.pem".into()),
        ..common::settings(900)
    };
    let err = settings.connect().await.unwrap_err().to_string();
    assert!(err.contains("REDIS_CA_CERT"), "{err}");
    assert!(err.contains("missing-redis-ca.pem"), "{err}");
}
