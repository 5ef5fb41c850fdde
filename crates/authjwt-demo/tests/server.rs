//! The demo on a real socket: the router served by axum, and the binary itself with its
//! environment (the URL it prints, the warning about a generated secret, bad settings).
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use authjwt_demo::{KeySource, Settings, SettingsError, app};
use common::{raw_http, serve, state};

#[tokio::test]
async fn served_router_answers_over_http() {
    let addr = serve(app(state())).await;
    let body = r#"{"username":"user1","password":"password1"}"#;
    let (status, head, reply) = raw_http(
        addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert_eq!(status, 200, "{head}\n{reply}");
    assert_eq!(head.matches("set-cookie: ").count(), 4, "{head}");
    assert!(reply.contains("\"username\":\"user1\""));

    // 431 with a JSON body: hyper lets 20 KiB of headers through to the demo's own limit.
    let big = "a".repeat(20 * 1024);
    let (status, _, reply) = raw_http(
        addr,
        &format!("GET / HTTP/1.1\r\nHost: {addr}\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 431);
    assert!(reply.contains("request_header_fields_too_large"), "{reply}");

    // Garbage on the socket is refused by the HTTP parser; the server keeps serving.
    let (status, _, _) = raw_http(addr, "\x16\x03\x01 not http at all\r\n\r\n").await;
    assert_eq!(status, 400);
    let (status, _, _) = raw_http(
        addr,
        &format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 200);
}

#[test]
fn settings_come_from_the_contract_variables() {
    let defaults = Settings::from_lookup(|_| None).unwrap();
    assert_eq!(defaults.port, 8000);
    assert!(defaults.jwt.is_empty());
    assert!(defaults.secret.is_none());
    let (config, source) = defaults.config().unwrap();
    assert_eq!(source, KeySource::Generated);
    assert_eq!(config.token_location(), [authjwt::TokenLocation::Cookies]);
    assert_eq!(config.access_expires(), Some(Duration::from_secs(900)));
    assert_eq!(
        config.refresh_expires(),
        Some(Duration::from_secs(2_592_000))
    );

    let vars = [
        ("PORT", "9001"),
        ("JWT_SECRET_KEY", common::SECRET),
        ("JWT_ACCESS_TOKEN_EXPIRES", "2"),
        ("JWT_REFRESH_TOKEN_EXPIRES", "60"),
        ("REDIS_URL", "redis://127.0.0.1:6379"),
    ];
    let lookup = |k: &str| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    };
    let s = Settings::from_lookup(lookup).unwrap();
    assert_eq!(s.port, 9001);
    assert_eq!(
        s.jwt.get("JWT_ACCESS_TOKEN_EXPIRES").map(String::as_str),
        Some("2")
    );
    assert_eq!(s.redis_url.as_deref(), Some("redis://127.0.0.1:6379"));
    let debug = format!("{s:?}");
    assert!(
        !debug.contains(common::SECRET),
        "secrets are redacted: {debug}"
    );
    let (config, source) = s.config().unwrap();
    assert_eq!(source, KeySource::Configured);
    assert_eq!(config.refresh_expires(), Some(Duration::from_secs(60)));
    assert_eq!(config.access_expires(), Some(Duration::from_secs(2)));
}

#[test]
fn redis_ca_cert_and_cluster_nodes_go_with_one_deployment() {
    let only_ca = |k: &str| (k == "REDIS_CA_CERT").then(|| "certs/redis-ca.pem".to_owned());
    let err = Settings::from_lookup(only_ca).unwrap_err().to_string();
    assert!(err.contains("REDIS_CA_CERT"), "{err}");
    let both = |k: &str| match k {
        "REDIS_URL" => Some("rediss://app:password@cache.internal:6380/".to_owned()),
        "REDIS_CA_CERT" => Some(" certs/redis-ca.pem ".to_owned()),
        _ => None,
    };
    let s = Settings::from_lookup(both).unwrap();
    assert_eq!(
        s.redis_ca_cert.as_deref(),
        Some(std::path::Path::new("certs/redis-ca.pem"))
    );
    let debug = format!("{s:?}");
    assert!(!debug.contains("password"), "{debug}");

    let cluster = |k: &str| match k {
        "REDIS_CLUSTER_NODES" => {
            Some(" redis://10.0.0.1:6379/, redis://10.0.0.2:6379/ ,".to_owned())
        }
        _ => None,
    };
    let s = Settings::from_lookup(cluster).unwrap();
    assert_eq!(
        s.redis_cluster_nodes,
        ["redis://10.0.0.1:6379/", "redis://10.0.0.2:6379/"]
    );
    let both = |k: &str| match k {
        "REDIS_URL" => Some("redis://10.0.0.1:6379/".to_owned()),
        "REDIS_CLUSTER_NODES" => Some("redis://10.0.0.2:6379/".to_owned()),
        _ => None,
    };
    let err = Settings::from_lookup(both).unwrap_err().to_string();
    assert!(err.contains("REDIS_CLUSTER_NODES"), "{err}");
}

#[test]
fn bad_settings_name_the_variable() {
    for (var, value) in [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("JWT_ACCESS_TOKEN_EXPIRES", "15m"),
        ("JWT_ACCESS_TOKEN_EXPIRES", "0"),
        ("JWT_REFRESH_TOKEN_EXPIRES", "-1"),
        ("JWT_ALGORITHM", "none"),
    ] {
        let err = Settings::from_lookup(|k| (k == var).then(|| value.to_owned())).unwrap_err();
        assert!(err.to_string().contains(var), "{var}={value}: {err}");
    }
    let short = Settings::from_lookup(|k| (k == "JWT_SECRET_KEY").then(|| "short".to_owned()))
        .unwrap()
        .config()
        .unwrap_err();
    assert!(matches!(short, SettingsError::Key(_)), "{short}");
    let no_pem = Settings::from_lookup(|k| (k == "JWT_ALGORITHM").then(|| "ES256".to_owned()))
        .unwrap()
        .config()
        .unwrap_err();
    assert!(no_pem.to_string().contains("JWT_PRIVATE_KEY"), "{no_pem}");
}

/// The binary, killed on drop (only the process this test started).
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_binary(envs: &[(&str, &str)]) -> Demo {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authjwt-demo"));
    cmd.env_remove("JWT_SECRET_KEY")
        .env_remove("JWT_ACCESS_TOKEN_EXPIRES")
        .env_remove("JWT_REFRESH_TOKEN_EXPIRES")
        .env_remove("JWT_ALGORITHM")
        .env_remove("JWT_PRIVATE_KEY")
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    Demo(cmd.spawn().expect("the demo binary starts"))
}

#[tokio::test]
async fn binary_prints_its_url_and_warns_about_a_generated_secret() {
    let mut demo = start_binary(&[("PORT", "0")]);
    let mut stdout = BufReader::new(demo.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("authjwt demo: open http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    assert!(url.starts_with("127.0.0.1:"), "bound to loopback: {url}");
    let addr = url.parse().unwrap();
    let (status, _, page) = raw_http(
        addr,
        &format!("GET / HTTP/1.1\r\nHost: {url}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("login-form"));

    drop(stdout);
    let mut stderr = demo.0.stderr.take().unwrap();
    let _ = demo.0.kill();
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(logs.contains("WARN"), "{logs}");
    assert!(logs.contains("JWT_SECRET_KEY is not set"), "{logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "no colour codes when not a terminal"
    );
}

#[test]
fn binary_with_a_secret_does_not_warn_and_bad_settings_fail() {
    let mut demo = start_binary(&[("PORT", "0"), ("JWT_SECRET_KEY", common::SECRET)]);
    let mut stdout = BufReader::new(demo.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("authjwt demo: open http://127.0.0.1:"),
        "{line}"
    );
    drop(stdout);
    let mut stderr = demo.0.stderr.take().unwrap();
    let _ = demo.0.kill();
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(!logs.contains("WARN"), "{logs}");

    let mut bad = start_binary(&[("PORT", "0"), ("JWT_ACCESS_TOKEN_EXPIRES", "soon")]);
    let status = bad.0.wait().unwrap();
    assert!(!status.success());
    let mut logs = String::new();
    bad.0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("JWT_ACCESS_TOKEN_EXPIRES"), "{logs}");
}
