//! A front end on another origin: `CORS_ALLOWED_ORIGINS` and `TRUSTED_ORIGINS`, through
//! the demo's router (tower's `oneshot`) and through the binary on a real socket.
//!
//! - an allowed origin gets credentialed CORS (preflight answered before any check, the
//!   origin echoed, never `*`) and passes the cross-site check even with
//!   `Sec-Fetch-Site: cross-site`;
//! - a trusted-only origin passes the cross-site check but gets no CORS header;
//! - any other origin gets no CORS header and 403 `cross_site_request` on unsafe routes;
//! - a bad value stops the demo at start-up with a message naming the variable.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use authjwt::Auth;
use authjwt_demo::{AppState, Settings, SettingsError, app, app_with_cors};
use axum::Router;
use axum::body::Body;
use common::{Jar, Reply, raw_http, send};
use http::{Request, header};
use serde_json::Value;

const APP: &str = "https://app.example.com";
const PARTNER: &str = "https://partner.example";
const EVIL: &str = "https://evil.example";
/// The API's own host: the front ends above are all other origins (and other sites).
const API_HOST: &str = "api.example.com";

fn settings() -> Settings {
    let vars = [
        ("JWT_SECRET_KEY", common::SECRET),
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ("TRUSTED_ORIGINS", " https://partner.example "),
    ];
    Settings::from_lookup(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap()
}

fn cors_app() -> Router {
    let settings = settings();
    let (config, _) = settings.config().unwrap();
    let cors = settings.cors_layer(&config).unwrap();
    app_with_cors(AppState::new(Auth::new(config)), cors)
}

/// A request as a browser on `origin` sends it to the API on [`API_HOST`]: `Origin`, and
/// `Sec-Fetch-Site: cross-site`, the strictest case (a front end on a sibling subdomain of
/// the same site would send `same-site`, refused all the same unless trusted).
fn from(origin: &str, method: &str, path: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, API_HOST)
        .header(header::ORIGIN, origin)
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "cors")
}

fn preflight(origin: &str, path: &str, method: &str) -> Request<Body> {
    from(origin, "OPTIONS", path)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "content-type,x-csrf-token",
        )
        .body(Body::empty())
        .unwrap()
}

fn login(origin: &str) -> Request<Body> {
    from(origin, "POST", "/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"username":"user1","password":"password1"}"#))
        .unwrap()
}

fn cors_headers(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

fn header_list(reply: &Reply, name: &str) -> Vec<String> {
    reply
        .headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

#[track_caller]
fn assert_credentialed_cors(reply: &Reply, origin: &str) {
    assert_eq!(
        reply.headers["access-control-allow-origin"], origin,
        "the origin echoed, never *"
    );
    assert_eq!(reply.headers["access-control-allow-credentials"], "true");
    assert!(header_list(reply, "vary").contains(&"origin".to_owned()));
}

#[tokio::test]
async fn an_allowed_origin_gets_a_preflight_answer_before_any_check() {
    let app = cors_app();
    // /posts needs a token and CSRF, /login a body: the preflight reaches neither check.
    for (path, method) in [
        ("/posts", "POST"),
        ("/login", "POST"),
        ("/protected", "GET"),
    ] {
        let reply = send(&app, preflight(APP, path, method)).await;
        assert!(
            reply.status == 200 || reply.status == 204,
            "{path}: {} {}",
            reply.status,
            reply.text()
        );
        assert_credentialed_cors(&reply, APP);
        let methods = header_list(&reply, "access-control-allow-methods");
        for m in ["get", "post", "put", "patch", "delete", "options"] {
            assert!(methods.contains(&m.to_owned()), "{methods:?}");
        }
        let headers = header_list(&reply, "access-control-allow-headers");
        for h in ["x-csrf-token", "content-type"] {
            assert!(headers.contains(&h.to_owned()), "{headers:?}");
        }
        assert!(reply.set_cookies().is_empty());
    }
}

#[tokio::test]
async fn an_allowed_origin_logs_in_and_posts_with_credentials_and_csrf() {
    let app = cors_app();
    let reply = send(&app, login(APP)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_credentialed_cors(&reply, APP);
    let mut jar = Jar::default();
    jar.update(&reply);
    // The front end cannot read the API's cookies: the CSRF values come in the body.
    let body = reply.json();
    let csrf = body["csrf_access_token"].as_str().unwrap().to_owned();
    assert_eq!(Some(csrf.as_str()), jar.get("csrf_access_token"));

    let posts = |csrf: &str| {
        from(APP, "POST", "/posts")
            .header(header::COOKIE, jar.header())
            .header("x-csrf-token", csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"title":"From the front end"}"#))
            .unwrap()
    };
    let reply = send(&app, posts(&csrf)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_credentialed_cors(&reply, APP);
    assert_eq!(reply.json()["user"], "user1");
    // The double submit still applies, and its 401 is readable by the front end.
    let reply = send(&app, posts("wrong")).await;
    reply.assert_error(401, "csrf_mismatch");
    assert_credentialed_cors(&reply, APP);

    let get = from(APP, "GET", "/protected")
        .header(header::COOKIE, jar.header())
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, get).await;
    assert_eq!(reply.status, 200);
    assert_credentialed_cors(&reply, APP);

    // Refresh from the front end: the refresh CSRF value from the login body.
    let refresh_csrf = body["csrf_refresh_token"].as_str().unwrap();
    let refresh = from(APP, "POST", "/refresh")
        .header(header::COOKIE, jar.header())
        .header("x-csrf-token", refresh_csrf)
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, refresh).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_credentialed_cors(&reply, APP);
    assert_eq!(reply.json()["csrf_access_token"], csrf.as_str());
}

#[tokio::test]
async fn any_other_origin_gets_no_cors_header_and_403_on_unsafe_routes() {
    let app = cors_app();
    let reply = send(&app, preflight(EVIL, "/posts", "POST")).await;
    assert_eq!(cors_headers(&reply), Vec::<String>::new());
    assert_ne!(reply.status, 200);

    let reply = send(&app, login(EVIL)).await;
    reply.assert_error(403, "cross_site_request");
    assert_eq!(cors_headers(&reply), Vec::<String>::new());
    assert!(reply.set_cookies().is_empty());
    // Answers without CORS headers still vary by Origin, for caches.
    assert!(header_list(&reply, "vary").contains(&"origin".to_owned()));

    // Even with the user's cookies and CSRF value (a page of EVIL cannot read them, but
    // suppose it could): refused before the token is read.
    let jar = {
        let reply = send(&app, login(APP)).await;
        let mut jar = Jar::default();
        jar.update(&reply);
        jar
    };
    let forged = from(EVIL, "POST", "/posts")
        .header(header::COOKIE, jar.header())
        .header("x-csrf-token", jar.get("csrf_access_token").unwrap())
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, forged).await;
    reply.assert_error(403, "cross_site_request");
    assert_eq!(cors_headers(&reply), Vec::<String>::new());
    // A look-alike of an allowed origin is another origin.
    let reply = send(&app, login("https://app.example.com.evil.example")).await;
    reply.assert_error(403, "cross_site_request");
    assert_eq!(cors_headers(&reply), Vec::<String>::new());
}

#[tokio::test]
async fn a_trusted_only_origin_passes_the_cross_site_check_without_cors() {
    let app = cors_app();
    let reply = send(&app, login(PARTNER)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(cors_headers(&reply), Vec::<String>::new());
    let mut jar = Jar::default();
    jar.update(&reply);
    let posts = from(PARTNER, "POST", "/posts")
        .header(header::COOKIE, jar.header())
        .header("x-csrf-token", jar.get("csrf_access_token").unwrap())
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, posts).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(cors_headers(&reply), Vec::<String>::new());
    let reply = send(&app, preflight(PARTNER, "/posts", "POST")).await;
    assert_eq!(cors_headers(&reply), Vec::<String>::new());
}

#[tokio::test]
async fn without_the_variables_no_origin_is_trusted_or_answered() {
    let app = app(common::state());
    for origin in [APP, PARTNER] {
        let reply = send(&app, login(origin)).await;
        reply.assert_error(403, "cross_site_request");
        assert_eq!(cors_headers(&reply), Vec::<String>::new());
        let reply = send(&app, preflight(origin, "/posts", "POST")).await;
        assert_eq!(cors_headers(&reply), Vec::<String>::new());
    }
    // Same-origin requests are untouched: no CORS header, no Vary added.
    let reply = send(&app, common::login_request("/login", "user1", "password1")).await;
    assert_eq!(reply.status, 200);
    assert!(reply.headers.get("vary").is_none());
}

#[test]
fn bad_origins_are_refused_naming_the_variable() {
    for var in ["CORS_ALLOWED_ORIGINS", "TRUSTED_ORIGINS"] {
        for value in [
            "*",
            "https://*.example.com",
            "app.example.com",
            "https://app.example.com/",
            "https://app.example.com/api",
            "https://app.example.com:99999",
            "https://app.example.com,,https://b.example",
            "ftp://app.example.com",
            "https://user@app.example.com",
        ] {
            let err = Settings::from_lookup(|k| (k == var).then(|| value.to_owned())).unwrap_err();
            assert!(
                matches!(err, SettingsError::Origin { var: v, .. } if v == var),
                "{var}={value}: {err:?}"
            );
            let message = err.to_string();
            assert!(message.starts_with(var), "{message}");
            assert!(message.contains("https://app.example.com"), "{message}");
        }
    }
    // Several good origins, normalised as browsers send them.
    let s = Settings::from_lookup(|k| {
        (k == "CORS_ALLOWED_ORIGINS")
            .then(|| "HTTPS://App.Example.com:443, http://localhost:5173".to_owned())
    })
    .unwrap();
    assert_eq!(
        s.cors_allowed_origins,
        ["https://app.example.com", "http://localhost:5173"]
    );
    let (config, _) = s.config().unwrap();
    let parts = Request::post("/login")
        .header("origin", "http://localhost:5173")
        .header("sec-fetch-site", "cross-site")
        .body(())
        .unwrap()
        .into_parts()
        .0;
    assert!(
        Auth::new(config).check_origin(&parts).is_ok(),
        "CORS origins are trusted"
    );
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
    for var in [
        "JWT_SECRET_KEY",
        "JWT_ALGORITHM",
        "JWT_PRIVATE_KEY",
        "REDIS_URL",
        "CORS_ALLOWED_ORIGINS",
        "TRUSTED_ORIGINS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("PORT", "0")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    Demo(cmd.spawn().expect("the demo binary starts"))
}

fn head_value(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

#[tokio::test]
async fn the_binary_answers_an_allowed_front_end_over_a_socket() {
    let mut demo = start_binary(&[
        ("JWT_SECRET_KEY", common::SECRET),
        ("CORS_ALLOWED_ORIGINS", "http://127.0.0.1:5173"),
        ("TRUSTED_ORIGINS", "http://127.0.0.1:5174"),
    ]);
    let mut stdout = BufReader::new(demo.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("authjwt demo: open http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    let socket = addr.parse().unwrap();

    let (status, head, _) = raw_http(
        socket,
        &format!(
            "OPTIONS /posts HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://127.0.0.1:5173\r\n\
             Sec-Fetch-Site: same-site\r\nAccess-Control-Request-Method: POST\r\n\
             Access-Control-Request-Headers: content-type, x-csrf-token\r\n\
             Connection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(status == 200 || status == 204, "{head}");
    assert_eq!(
        head_value(&head, "access-control-allow-origin").as_deref(),
        Some("http://127.0.0.1:5173")
    );
    assert_eq!(
        head_value(&head, "access-control-allow-credentials").as_deref(),
        Some("true")
    );

    let body = r#"{"username":"user1","password":"password1"}"#;
    let login_from = |origin: &str| {
        format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
             Sec-Fetch-Site: cross-site\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let (status, head, reply) = raw_http(socket, &login_from("http://127.0.0.1:5173")).await;
    assert_eq!(status, 200, "{head}\n{reply}");
    assert_eq!(
        head_value(&head, "access-control-allow-origin").as_deref(),
        Some("http://127.0.0.1:5173")
    );
    let json: Value = serde_json::from_str(&reply).unwrap();
    assert!(json["csrf_access_token"].is_string(), "{json}");

    let (status, head, _) = raw_http(socket, &login_from("http://127.0.0.1:5174")).await;
    assert_eq!(status, 200, "trusted: {head}");
    assert_eq!(head_value(&head, "access-control-allow-origin"), None);

    let (status, head, reply) = raw_http(socket, &login_from("http://127.0.0.1:6666")).await;
    assert_eq!(status, 403, "{head}");
    assert!(reply.contains("cross_site_request"), "{reply}");
    assert!(
        !head.to_ascii_lowercase().contains("access-control-"),
        "{head}"
    );

    drop(stdout);
    let mut stderr = demo.0.stderr.take().unwrap();
    let _ = demo.0.kill();
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert!(logs.contains("CORS with credentials"), "{logs}");
}

#[test]
fn the_binary_refuses_to_start_with_a_bad_origin() {
    for (var, value) in [
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("TRUSTED_ORIGINS", "https://app.example.com/path"),
    ] {
        let mut demo = start_binary(&[(var, value)]);
        let status = demo.0.wait().unwrap();
        assert!(!status.success(), "{var}={value}");
        let mut logs = String::new();
        demo.0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut logs)
            .unwrap();
        assert!(logs.contains(var), "{logs}");
        assert!(logs.contains("is not an origin"), "{logs}");
    }
}
