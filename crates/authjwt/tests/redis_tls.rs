//! The Redis store over TLS (`rediss://`) against a real TLS-only `redis-server` whose CA and
//! certificate are generated at run time: revocation, rotation, the registry and propagation
//! through it; a wrong CA (and the system's roots) refused with a clear error; and an ACL
//! user holding exactly `acl_rules` running all of it, the previous release's keys included.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![cfg(feature = "redis-tls")]

mod redis_harness;

use std::time::Duration;

use authjwt::redis::{RedisStore, RedisStoreBuilder, acl_rules};
use redis_harness::{RedisServer, generate_certificates, scenario};

async fn connect(server: &RedisServer, url: &str) -> RedisStore {
    RedisStoreBuilder::new(url)
        .ca_cert_pem(server.ca_pem())
        .connect()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_rotation_and_propagation_over_tls() {
    let server = RedisServer::start_tls();
    assert!(server.url().starts_with("rediss://"));
    let a = connect(&server, &server.url()).await;
    // The CA from a file, as the demo's REDIS_CA_CERT gives it.
    let ca_file = server.dir().join("ca.pem");
    std::fs::write(&ca_file, server.ca_pem()).unwrap();
    let b = RedisStoreBuilder::new(server.url())
        .ca_cert_file(&ca_file)
        .connect()
        .await
        .unwrap();
    let worst = scenario::exercise("tls", a, b).await;
    println!("propagation over TLS, worst of 5: {worst:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_ca_or_a_missing_file_is_refused_with_a_clear_error() {
    let server = RedisServer::start_tls();
    let (other_ca, _, _) = generate_certificates(&["127.0.0.1"]);
    let err = RedisStoreBuilder::new(server.url())
        .ca_cert_pem(other_ca)
        .connect()
        .await
        .unwrap_err()
        .to_string();
    println!("wrong CA: {err}");
    assert!(err.contains("certificate"), "{err}");
    assert!(err.contains("CA"), "{err}");
    assert!(err.contains("rediss://127.0.0.1"), "{err}");
    // The system's roots do not know the generated CA either.
    let err = RedisStore::connect(&server.url())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("certificate"), "{err}");
    // An unreadable CA file is named before anything is connected.
    let err = RedisStoreBuilder::new(server.url())
        .ca_cert_file(server.dir().join("missing.pem"))
        .connect()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.pem"), "{err}");
    // A CA for a plain connection is a mistake worth saying.
    let err = RedisStoreBuilder::new(format!("redis://127.0.0.1:{}/", server.port))
        .ca_cert_pem(server.ca_pem())
        .connect()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("rediss://"), "{err}");
}

/// Runs a command as the default user, over TLS.
async fn admin(server: &RedisServer, cmd: &redis::Cmd) -> redis::RedisResult<redis::Value> {
    let client = redis::Client::build_with_tls(
        server.url(),
        redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(server.ca_pem().as_bytes().to_vec()),
        },
    )?;
    let mut con = client.get_multiplexed_async_connection().await?;
    cmd.query_async(&mut con).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acl_user_with_only_the_documented_rules_runs_everything() {
    let server = RedisServer::start_tls();
    // A store first: it installs the TLS provider the admin connection uses too.
    let _first = connect(&server, &server.url()).await;
    let mut setuser = redis::cmd("ACL");
    setuser
        .arg("SETUSER")
        .arg("authjwt")
        .arg("on")
        .arg(">s3cret-pass");
    for rule in acl_rules("authjwt").split(' ') {
        setuser.arg(rule);
    }
    admin(&server, &setuser).await.unwrap();
    // A revocation the previous release wrote (its key layout and stream).
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let mut set = redis::cmd("SET");
    set.arg("authjwt:sub:legacy-user")
        .arg(format!("{},{exp}", exp - 1200))
        .arg("EX")
        .arg(600);
    admin(&server, &set).await.unwrap();
    let mut xadd = redis::cmd("XADD");
    xadd.arg("authjwt:events")
        .arg("*")
        .arg("k")
        .arg("authjwt:sub:legacy-user")
        .arg("v")
        .arg(format!("{},{exp}", exp - 1200));
    admin(&server, &xadd).await.unwrap();

    let url = server.url_as("authjwt", "s3cret-pass");
    let store = |wait: bool| {
        let builder = RedisStoreBuilder::new(url.clone()).ca_cert_pem(server.ca_pem());
        // WAIT is among the rules: exercised (no replica here, so it times out at once).
        let builder = if wait {
            builder.wait_for_replicas(1, Duration::from_millis(5))
        } else {
            builder
        };
        builder.connect()
    };
    let (a, b) = (store(true).await.unwrap(), store(false).await.unwrap());
    // The previous release's revoke-all is loaded (SCAN of its keys while its stream exists).
    let token = authjwt::revoke::TokenRef {
        jti: "j",
        family: None,
        subject: "legacy-user",
        issued_at: exp - 1300,
    };
    assert_eq!(
        authjwt::revoke::RevocationStore::is_revoked_now(&a, &token),
        Some(Ok(true))
    );
    scenario::exercise("acl", a, b).await;

    // The rules keep the user to its prefix and its commands.
    let mut dry = redis::cmd("ACL");
    dry.arg("DRYRUN").arg("authjwt").arg("GET").arg("other:key");
    let denied = format!("{:?}", admin(&server, &dry).await);
    assert!(denied.contains("permissions"), "{denied}");
    let mut dry = redis::cmd("ACL");
    dry.arg("DRYRUN").arg("authjwt").arg("FLUSHALL");
    let denied = format!("{:?}", admin(&server, &dry).await);
    assert!(denied.contains("permissions"), "{denied}");
    // A wrong password is a clear start-up error, not a panic.
    let err = RedisStoreBuilder::new(server.url_as("authjwt", "wrong"))
        .ca_cert_pem(server.ca_pem())
        .connect()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.to_lowercase().contains("authentication"), "{err}");
    assert!(
        !err.contains("wrong@"),
        "the password stays out of messages: {err}"
    );
}
