//! The browser helper (`crates/authjwt/client/authjwt.js`) on its own, in real Chromium,
//! against a stub server with scripted answers: which requests carry the CSRF header, how
//! often a request and a refresh are sent, when the session-end callbacks run.
//!
//! The stub serves a blank page that imports the helper, and answers every other request
//! from a script (answers queued per path, or one answer that sticks to a path) or else like
//! a tiny server: `POST /refresh` starts a new token generation and sets it in the `stubgen`
//! cookie; `/api/...` answers 200 when the request's `stubgen` cookie is the current
//! generation and 401 `token_expired` otherwise.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
#[path = "browser/harness.rs"]
mod harness;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use harness::{Browser, url};
use serde_json::{Value, json};

/// The helper as the library ships it.
const CLIENT: &str = include_str!("../../authjwt/client/authjwt.js");

const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>authjwt.js under test</title></head>
<body>
<script type="module">
import * as authjwt from '/authjwt.js';
window.authjwt = authjwt;
window.ended = [];
authjwt.onSessionEnd((end) => window.ended.push(end));
document.body.dataset.ready = 'true';
</script>
</body></html>"#;

/// A scripted answer: a status, the JSON `code` of an error, `Set-Cookie` values.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    code: &'static str,
    set_cookies: Vec<String>,
}

impl Reply {
    fn error(code: &'static str) -> Self {
        Self {
            status: 401,
            code,
            set_cookies: Vec::new(),
        }
    }

    fn setting(mut self, cookie: &str) -> Self {
        self.set_cookies.push(format!("{cookie}; Path=/"));
        self
    }
}

/// A request the stub received.
#[derive(Debug, Clone)]
struct Hit {
    method: String,
    host: String,
    path: String,
    csrf: Option<String>,
    other_header: Option<String>,
}

#[derive(Debug, Default)]
struct Script {
    hits: Vec<Hit>,
    queued: HashMap<String, VecDeque<Reply>>,
    sticky: HashMap<String, Reply>,
    generation: u64,
}

#[derive(Clone, Default)]
struct Stub(Arc<Mutex<Script>>);

impl Stub {
    /// Forgets the hits and the scripted answers; the generation goes back to 1.
    fn reset(&self) {
        *self.0.lock().unwrap() = Script {
            generation: 1,
            ..Script::default()
        };
    }

    fn queue(&self, path: &str, replies: impl IntoIterator<Item = Reply>) {
        self.0
            .lock()
            .unwrap()
            .queued
            .entry(path.to_owned())
            .or_default()
            .extend(replies);
    }

    fn stick(&self, path: &str, reply: Reply) {
        self.0.lock().unwrap().sticky.insert(path.to_owned(), reply);
    }

    fn hits(&self) -> Vec<Hit> {
        self.0.lock().unwrap().hits.clone()
    }

    /// "METHOD /path" of every hit, in order.
    fn trail(&self) -> Vec<String> {
        self.hits()
            .iter()
            .map(|h| format!("{} {}", h.method, h.path))
            .collect()
    }

    fn refreshes(&self) -> usize {
        self.hits().iter().filter(|h| h.path == "/refresh").count()
    }
}

fn json_reply(status: u16, body: &Value, set_cookies: &[String]) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap(),
        axum::Json(body.clone()),
    )
        .into_response();
    for cookie in set_cookies {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.parse().unwrap());
    }
    response
}

async fn scripted(State(stub): State<Stub>, req: Request) -> Response {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let path = req.uri().path().to_owned();
    let cookies = header("cookie").unwrap_or_default();
    let mut script = stub.0.lock().unwrap();
    script.hits.push(Hit {
        method: req.method().to_string(),
        host: header("host").unwrap_or_default(),
        path: path.clone(),
        csrf: header("x-csrf-token"),
        other_header: header("x-other"),
    });
    let reply = match script.queued.get_mut(&path).and_then(VecDeque::pop_front) {
        Some(reply) => Some(reply),
        None => script.sticky.get(&path).cloned(),
    };
    if let Some(reply) = reply {
        let body = if reply.status == 200 {
            json!({"message": "scripted"})
        } else {
            json!({"detail": "scripted", "code": reply.code})
        };
        return json_reply(reply.status, &body, &reply.set_cookies);
    }
    if path == "/refresh" {
        script.generation += 1;
        let cookie = format!("stubgen={}; Path=/", script.generation);
        return json_reply(200, &json!({"message": "Token refreshed"}), &[cookie]);
    }
    let current = format!("stubgen={}", script.generation);
    if cookies.split("; ").any(|c| c == current) {
        json_reply(200, &json!({"message": "ok"}), &[])
    } else {
        json_reply(
            401,
            &json!({"detail": "Token has expired", "code": "token_expired"}),
            &[],
        )
    }
}

/// The stub on 127.0.0.1, and a browser on its page.
struct Bench {
    stub: Stub,
    addr: SocketAddr,
    browser: Browser,
}

impl Bench {
    async fn start() -> Self {
        let stub = Stub::default();
        stub.reset();
        let router = Router::new()
            .route("/", get(|| async { Html(PAGE) }))
            .route(
                "/authjwt.js",
                get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], CLIENT) }),
            )
            .fallback(scripted)
            .with_state(stub.clone());
        let addr = common::serve(router).await;
        let browser = Browser::start().await;
        let bench = Self {
            stub,
            addr,
            browser,
        };
        bench.fresh_page().await;
        bench
    }

    /// Loads the page again (a new instance of the helper, settings and state reset), with
    /// no cookies, and resets the stub.
    async fn fresh_page(&self) {
        self.browser.goto(&url("127.0.0.1", self.addr, "/")).await;
        assert_eq!(
            self.browser
                .js("return document.body.dataset.ready || ''")
                .await,
            "true",
            "the page imported the helper"
        );
        self.js("for (const c of document.cookie.split('; ')) { \
                   const name = c.split('=')[0]; \
                   if (name) document.cookie = `${name}=; Max-Age=0; Path=/`; } \
                 return document.cookie;")
            .await;
        self.stub.reset();
    }

    /// Runs `body` as an async function in the page; its result.
    async fn js(&self, body: &str) -> Value {
        self.browser
            .js(&format!("return (async () => {{ {body} }})();"))
            .await
    }

    async fn set_cookies(&self, cookies: &[&str]) {
        for cookie in cookies {
            self.js(&format!("document.cookie = '{cookie}; Path=/';"))
                .await;
        }
    }

    /// `authFetch(path, init, options)` in the page: `{status, code}`.
    async fn auth_fetch(&self, path: &str, init: &str, options: &str) -> Value {
        self.js(&format!(
            "const r = await authjwt.authFetch('{path}', {init}, {options});
             const body = await r.json().catch(() => ({{}}));
             return {{ status: r.status, code: body.code || '' }};"
        ))
        .await
    }

    async fn ended(&self) -> Value {
        self.js("return window.ended.map((e) => e.code);").await
    }

    async fn close(self) {
        self.browser.close().await;
    }
}

/// One session's cookies, as the stub reads them: the current generation and CSRF values.
const SESSION: [&str; 3] = ["stubgen=1", "csrf_access_token=A1", "csrf_refresh_token=R1"];
/// The same session with an expired access token (an old generation).
const EXPIRED: [&str; 3] = ["stubgen=0", "csrf_access_token=A1", "csrf_refresh_token=R1"];

#[tokio::test]
async fn the_csrf_header_goes_on_unsafe_same_origin_requests_only() {
    let bench = Bench::start().await;
    bench.set_cookies(&SESSION).await;

    for method in ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] {
        let answer = bench
            .auth_fetch("/api/m", &format!("{{ method: '{method}' }}"), "{}")
            .await;
        assert_eq!(answer["status"], 200, "{method}: {answer}");
    }
    let sent: Vec<(String, Option<String>)> = bench
        .stub
        .hits()
        .into_iter()
        .map(|h| (h.method, h.csrf))
        .collect();
    let a1 = Some("A1".to_owned());
    assert_eq!(
        sent,
        [
            ("GET".to_owned(), None),
            ("HEAD".to_owned(), None),
            ("OPTIONS".to_owned(), None),
            ("POST".to_owned(), a1.clone()),
            ("PUT".to_owned(), a1.clone()),
            ("PATCH".to_owned(), a1.clone()),
            ("DELETE".to_owned(), a1),
        ]
    );

    // A header the caller set stays; another cookie can be named for one call; the refresh
    // URL takes the refresh CSRF cookie, through authFetch and through refresh().
    bench.stub.reset();
    bench
        .auth_fetch(
            "/api/m",
            "{ method: 'POST', headers: { 'X-CSRF-TOKEN': 'mine' } }",
            "{}",
        )
        .await;
    bench
        .auth_fetch(
            "/api/m",
            "{ method: 'POST' }",
            "{ csrfCookie: 'csrf_refresh_token' }",
        )
        .await;
    bench
        .auth_fetch("/refresh", "{ method: 'POST' }", "{}")
        .await;
    let refreshed = bench
        .js("const r = await authjwt.refresh(); return r.status;")
        .await;
    assert_eq!(refreshed, 200);
    let sent: Vec<Option<String>> = bench.stub.hits().into_iter().map(|h| h.csrf).collect();
    assert_eq!(
        sent,
        [
            Some("mine".to_owned()),
            Some("R1".to_owned()),
            Some("R1".to_owned()),
            Some("R1".to_owned()),
        ]
    );

    // Another origin (localhost is another site than 127.0.0.1) never gets the CSRF value.
    bench.stub.reset();
    let other = url("localhost", bench.addr, "/api/elsewhere");
    let outcome = bench
        .js(&format!(
            "try {{ await authjwt.authFetch('{other}', {{ method: 'POST', body: 'x' }}); \
                    return 'answered'; }} \
             catch (e) {{ return 'refused by CORS'; }}"
        ))
        .await;
    assert_eq!(outcome, "refused by CORS");
    let hits = bench.stub.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].host.starts_with("localhost:"), "{hits:?}");
    assert_eq!(hits[0].csrf, None, "{hits:?}");

    // configure: other names; unknown settings are refused.
    bench.stub.reset();
    bench.set_cookies(&["other_csrf=O1"]).await;
    bench
        .js("authjwt.configure({ csrfHeader: 'X-Other', accessCsrfCookie: 'other_csrf' });")
        .await;
    bench.auth_fetch("/api/m", "{ method: 'POST' }", "{}").await;
    let hits = bench.stub.hits();
    assert_eq!(
        (hits[0].other_header.as_deref(), hits[0].csrf.as_deref()),
        (Some("O1"), None)
    );
    let refused = bench
        .js(
            "try { authjwt.configure({ csrfHaeder: 'x' }); return 'taken'; } \
             catch (e) { return e instanceof TypeError ? 'refused' : String(e); }",
        )
        .await;
    assert_eq!(refused, "refused");
    bench.close().await;
}

#[tokio::test]
async fn one_refresh_per_expiry_and_every_retry_bounded() {
    let bench = Bench::start().await;

    // An expired token: the request, the same request again holding the lock (another tab
    // may have refreshed), one refresh, the request once more.
    bench.set_cookies(&EXPIRED).await;
    let answer = bench.auth_fetch("/api/a", "{}", "{}").await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(
        bench.stub.trail(),
        ["GET /api/a", "GET /api/a", "POST /refresh", "GET /api/a"]
    );

    // Another tab refreshed meanwhile: the request sent again holding the lock succeeds and
    // nothing is refreshed.
    bench.fresh_page().await;
    bench.set_cookies(&SESSION).await;
    bench.stub.queue("/api/b", [Reply::error("token_expired")]);
    let answer = bench.auth_fetch("/api/b", "{}", "{}").await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(bench.stub.trail(), ["GET /api/b", "GET /api/b"]);

    // Three calls of a tab meeting the expiry together share one refresh.
    let together = "const calls = [
           authjwt.authFetch('/api/1'),
           authjwt.authFetch('/api/2'),
           authjwt.authFetch('/api/3', { method: 'POST', body: 'replayable' }),
         ];
         return (await Promise.all(calls)).map((r) => r.status);";
    bench.fresh_page().await;
    bench.set_cookies(&EXPIRED).await;
    assert_eq!(bench.js(together).await, json!([200, 200, 200]));
    assert_eq!(bench.stub.refreshes(), 1, "{:?}", bench.stub.trail());

    // Without Web Locks, the in-tab single flight still holds.
    bench.fresh_page().await;
    let locks = bench
        .js(
            "Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true }); \
             return navigator.locks === undefined;",
        )
        .await;
    assert_eq!(locks, true);
    bench.set_cookies(&EXPIRED).await;
    assert_eq!(bench.js(together).await, json!([200, 200, 200]));
    assert_eq!(bench.stub.refreshes(), 1, "{:?}", bench.stub.trail());

    // A request that still answers token_expired after the refresh is not retried again.
    bench.fresh_page().await;
    bench.set_cookies(&EXPIRED).await;
    bench
        .stub
        .stick("/api/never", Reply::error("token_expired"));
    let answer = bench.auth_fetch("/api/never", "{}", "{}").await;
    assert_eq!(
        answer,
        json!({"status": 401, "code": "token_expired"}),
        "{:?}",
        bench.stub.trail()
    );
    assert_eq!(
        bench.stub.trail(),
        [
            "GET /api/never",
            "GET /api/never",
            "POST /refresh",
            "GET /api/never"
        ]
    );
    assert_eq!(bench.ended().await, json!([]));

    // missing_token refreshes only while a refresh CSRF cookie says there is a session.
    bench.fresh_page().await;
    bench.stub.stick("/api/gone", Reply::error("missing_token"));
    let answer = bench.auth_fetch("/api/gone", "{}", "{}").await;
    assert_eq!(answer["code"], "missing_token");
    assert_eq!(bench.stub.trail(), ["GET /api/gone"]);
    bench.stub.reset();
    bench.stub.stick("/api/gone", Reply::error("missing_token"));
    bench.set_cookies(&["csrf_refresh_token=R1"]).await;
    bench.auth_fetch("/api/gone", "{}", "{}").await;
    assert_eq!(
        bench.stub.trail(),
        [
            "GET /api/gone",
            "GET /api/gone",
            "POST /refresh",
            "GET /api/gone"
        ]
    );
    bench.close().await;
}

/// Makes the page's fetch of `/refresh` fail at the network level, without sending, the
/// first `times` times; counts the page's refresh calls in `window.refreshCalls`.
const LOSE_REFRESHES: &str = "
    window.refreshCalls = 0;
    const fetch0 = window.fetch;
    window.fetch = function (input, init) {
      const u = new URL(input instanceof Request ? input.url : input, location.href);
      if (u.pathname === '/refresh') {
        window.refreshCalls += 1;
        if (window.refreshCalls <= TIMES) return Promise.reject(new TypeError('Failed to fetch'));
      }
      return fetch0.call(this, input, init);
    };";

#[tokio::test]
async fn a_refresh_lost_on_the_network_is_sent_once_more() {
    let bench = Bench::start().await;

    // Lost once: the second refresh goes through.
    bench.set_cookies(&EXPIRED).await;
    bench.js(&LOSE_REFRESHES.replace("TIMES", "1")).await;
    let answer = bench.auth_fetch("/api/x", "{}", "{}").await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(bench.js("return window.refreshCalls;").await, 2);
    assert_eq!(bench.stub.refreshes(), 1);

    // Lost twice: no third attempt; the request's own 401 comes back and the session is not
    // declared over (nothing says it is).
    bench.fresh_page().await;
    bench.set_cookies(&EXPIRED).await;
    bench.js(&LOSE_REFRESHES.replace("TIMES", "99")).await;
    let answer = bench.auth_fetch("/api/x", "{}", "{}").await;
    assert_eq!(answer, json!({"status": 401, "code": "token_expired"}));
    assert_eq!(bench.js("return window.refreshCalls;").await, 2);
    assert_eq!(bench.stub.refreshes(), 0);
    assert_eq!(bench.ended().await, json!([]));
    bench.close().await;
}

#[tokio::test]
async fn the_session_end_is_reported_once_and_never_loops() {
    let bench = Bench::start().await;

    // The refresh token was reused: three calls meeting the expiry at once, one refresh, one
    // report.
    bench.set_cookies(&EXPIRED).await;
    bench
        .stub
        .stick("/refresh", Reply::error("refresh_token_reused"));
    let statuses = bench
        .js(
            "const calls = ['/api/1', '/api/2', '/api/3'].map((p) => authjwt.authFetch(p));
             return (await Promise.all(calls)).map((r) => r.status);",
        )
        .await;
    assert_eq!(statuses, json!([401, 401, 401]));
    assert_eq!(bench.stub.refreshes(), 1, "{:?}", bench.stub.trail());
    assert_eq!(bench.ended().await, json!(["refresh_token_reused"]));
    // Later calls of the ended session send their request, but no refresh and no report.
    let answer = bench.auth_fetch("/api/4", "{}", "{}").await;
    assert_eq!(answer["status"], 401);
    assert_eq!(bench.stub.refreshes(), 1, "{:?}", bench.stub.trail());
    assert_eq!(bench.ended().await, json!(["refresh_token_reused"]));

    // A new session (new CSRF values) whose request answers token_revoked (a logout in
    // another tab): reported at once, nothing refreshed.
    bench.stub.reset();
    bench.set_cookies(&["csrf_refresh_token=R2"]).await;
    bench.stub.stick("/api/r", Reply::error("token_revoked"));
    let answer = bench.auth_fetch("/api/r", "{ method: 'POST' }", "{}").await;
    assert_eq!(answer["code"], "token_revoked");
    assert_eq!(bench.stub.trail(), ["POST /api/r"]);
    assert_eq!(
        bench.ended().await,
        json!(["refresh_token_reused", "token_revoked"])
    );

    // session_expired on a refresh of the Refresh button: reported too, once.
    bench.stub.reset();
    bench.set_cookies(&["csrf_refresh_token=R3"]).await;
    bench
        .stub
        .stick("/refresh", Reply::error("session_expired"));
    for _ in 0..2 {
        let status = bench.js("return (await authjwt.refresh()).status;").await;
        assert_eq!(status, 401);
    }
    assert_eq!(bench.stub.refreshes(), 2, "one request per call, no retry");
    assert_eq!(
        bench.ended().await,
        json!(["refresh_token_reused", "token_revoked", "session_expired"])
    );
    bench.close().await;
}

#[tokio::test]
async fn a_csrf_mismatch_is_sent_again_once_with_the_new_cookie() {
    let bench = Bench::start().await;
    bench.set_cookies(&SESSION).await;
    let csrf_sent = |bench: &Bench| -> Vec<Option<String>> {
        bench.stub.hits().into_iter().map(|h| h.csrf).collect()
    };

    // Another tab's refresh changed the CSRF cookie while the request was under way.
    bench.stub.queue(
        "/api/p",
        [Reply::error("csrf_mismatch").setting("csrf_access_token=A2")],
    );
    let answer = bench.auth_fetch("/api/p", "{ method: 'POST' }", "{}").await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(
        csrf_sent(&bench),
        [Some("A1".to_owned()), Some("A2".to_owned())]
    );

    // It keeps changing: sent again once, not more.
    bench.stub.reset();
    bench.stub.queue(
        "/api/p",
        [
            Reply::error("csrf_mismatch").setting("csrf_access_token=A3"),
            Reply::error("csrf_mismatch").setting("csrf_access_token=A4"),
            Reply::error("csrf_mismatch").setting("csrf_access_token=A5"),
        ],
    );
    let answer = bench.auth_fetch("/api/p", "{ method: 'POST' }", "{}").await;
    assert_eq!(answer, json!({"status": 401, "code": "csrf_mismatch"}));
    assert_eq!(
        csrf_sent(&bench),
        [Some("A2".to_owned()), Some("A3".to_owned())]
    );

    // The cookie did not change, or the caller set the header: nothing to gain, not resent.
    bench.stub.reset();
    bench.stub.queue("/api/p", [Reply::error("csrf_mismatch")]);
    let answer = bench.auth_fetch("/api/p", "{ method: 'POST' }", "{}").await;
    assert_eq!(answer["code"], "csrf_mismatch");
    bench.stub.queue(
        "/api/p",
        [Reply::error("csrf_mismatch").setting("csrf_access_token=A9")],
    );
    let answer = bench
        .auth_fetch(
            "/api/p",
            "{ method: 'POST', headers: { 'X-CSRF-TOKEN': 'mine' } }",
            "{}",
        )
        .await;
    assert_eq!(answer["code"], "csrf_mismatch");
    assert_eq!(
        csrf_sent(&bench),
        [Some("A4".to_owned()), Some("mine".to_owned())]
    );
    assert_eq!(bench.ended().await, json!([]));
    bench.close().await;
}
