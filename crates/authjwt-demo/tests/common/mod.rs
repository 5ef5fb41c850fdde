//! Shared helpers of the demo's tests: building the app, sending requests with tower's
//! `oneshot`, a tiny cookie jar, and serving the app on a free local port.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use authjwt::Auth;
use authjwt_demo::{AppState, Settings};
use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// A fixed secret, so a failing test can be replayed.
pub(crate) const SECRET: &str = "authjwt-demo tests: a secret of at least 32 bytes";

/// The demo's settings with a fixed secret and the given access token lifetime.
pub(crate) fn settings(access_secs: u64) -> Settings {
    Settings {
        secret: Some(SECRET.to_owned()),
        ..Settings::default()
    }
    .with_jwt("JWT_ACCESS_TOKEN_EXPIRES", access_secs.to_string())
}

/// The demo's state with [`settings`].
pub(crate) fn state_with(access_secs: u64) -> AppState {
    let (config, _) = settings(access_secs).config().unwrap();
    AppState::new(Auth::new(config))
}

/// The demo's state with the default lifetimes.
pub(crate) fn state() -> AppState {
    state_with(900)
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `Set-Cookie` header values.
    pub(crate) fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The `Set-Cookie` value for the cookie `name`.
    pub(crate) fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// Asserts an error reply: this status, JSON `{"detail", "code"}` with this code.
    #[track_caller]
    pub(crate) fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        let body = self.json();
        assert_eq!(body["code"], code, "body: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(
            body.as_object().unwrap().len(),
            2,
            "only detail and code: {body}"
        );
    }
}

/// Sends one request through the router.
pub(crate) async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes().to_vec(),
    }
}

/// The cookies a browser would hold for the demo's origin.
#[derive(Debug, Clone, Default)]
pub(crate) struct Jar {
    cookies: BTreeMap<String, String>,
}

impl Jar {
    /// Applies the `Set-Cookie` headers of a reply (`Max-Age=0` deletes).
    pub(crate) fn update(&mut self, reply: &Reply) {
        for c in reply.set_cookies() {
            let first = c.split(';').next().unwrap();
            let (name, value) = first.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    pub(crate) fn remove(&mut self, name: &str) {
        self.cookies.remove(name);
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.cookies.keys().map(String::as_str).collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// The `Cookie` request header.
    pub(crate) fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A request builder with the jar's cookies and, for `csrf`, `X-CSRF-TOKEN` set to the value
/// of that cookie.
pub(crate) fn request(
    method: &str,
    uri: &str,
    jar: &Jar,
    csrf: Option<&str>,
) -> http::request::Builder {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8000");
    if !jar.is_empty() {
        b = b.header(header::COOKIE, jar.header());
    }
    if let Some(name) = csrf {
        b = b.header("x-csrf-token", jar.get(name).unwrap_or_default());
    }
    b
}

/// Sends a request without a body, with the jar's cookies and the CSRF header of [`request`].
pub(crate) async fn send_empty(
    app: &Router,
    method: &str,
    uri: &str,
    jar: &Jar,
    csrf: Option<&str>,
) -> Reply {
    send(
        app,
        request(method, uri, jar, csrf).body(Body::empty()).unwrap(),
    )
    .await
}

/// `POST /login` (or another login path) with a JSON body.
pub(crate) fn login_request(path: &str, username: &str, password: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, "127.0.0.1:8000")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::json!({ "username": username, "password": password }).to_string(),
        ))
        .unwrap()
}

/// Logs in as user1 and returns the jar holding the four cookies.
pub(crate) async fn logged_in(app: &Router) -> Jar {
    let reply = send(app, login_request("/login", "user1", "password1")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mut jar = Jar::default();
    jar.update(&reply);
    jar
}

/// Serves `app` on a free port of 127.0.0.1 in the background.
pub(crate) async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}

/// One raw HTTP/1.1 exchange over a real socket (`Connection: close`); returns the status
/// line's code, and the head and body as text.
pub(crate) async fn raw_http(addr: SocketAddr, request: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out))
        .await
        .expect("the server answered within 10 s")
        .unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}
