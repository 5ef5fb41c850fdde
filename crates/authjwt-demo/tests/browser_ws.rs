//! The demo page's live feed in a real browser (Debian's Chromium, headless, through
//! chromedriver, as in `browser.rs`): after login the page opens `GET /ws`, shows the posts
//! pushed on it, and the server closes it (4401) at logout and at the access token's expiry.
//! A closed socket causes no request of its own (no refresh, no reconnect): it is opened
//! again after the next successful request of the session.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
#[path = "browser/harness.rs"]
mod harness;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use authjwt_demo::posts::Post;
use authjwt_demo::{AppState, app};
use axum::extract::Request;
use axum::middleware::{self, Next};
use harness::{Browser, WAIT, url};

/// The demo, served, with the requests it answered: "METHOD /path → status".
struct Demo {
    state: AppState,
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Demo {
    async fn start(access_secs: u64) -> Self {
        let state = common::state_with(access_secs);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let router =
            app(state.clone()).layer(middleware::from_fn(move |req: Request, next: Next| {
                let log = log.clone();
                async move {
                    let line = format!("{} {}", req.method(), req.uri().path());
                    let response = next.run(req).await;
                    log.lock()
                        .unwrap()
                        .push(format!("{line} → {}", response.status().as_u16()));
                    response
                }
            }));
        let addr = common::serve(router).await;
        Self { state, addr, seen }
    }

    fn page(&self) -> String {
        url("127.0.0.1", self.addr, "/")
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// Logs in as user1 through the page's form.
async fn login(browser: &Browser, demo: &Demo) {
    browser.goto(&demo.page()).await;
    browser.fill("#username", "user1").await;
    browser.fill("#password", "password1").await;
    let shown = browser.click("#login-button").await;
    assert_eq!(shown.status, 200, "login: {}", shown.text);
}

/// Waits until `script` (a function body returning a boolean) is true in the page.
async fn wait_for(browser: &Browser, script: &str, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        if browser.js(script).await.as_bool() == Some(true) {
            return;
        }
        let state = browser
            .js("const s = document.getElementById('socket-state'); return s.textContent;")
            .await;
        assert!(
            Instant::now() < deadline,
            "{what}: not within {WAIT:?} (socket: {state})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn socket_open(browser: &Browser) {
    wait_for(
        browser,
        "return document.getElementById('socket-state').dataset.state === 'open';",
        "the page's socket opens",
    )
    .await;
}

async fn socket_closed_with(browser: &Browser, code: u16) {
    wait_for(
        browser,
        &format!(
            "const s = document.getElementById('socket-state').dataset;
             return s.state === 'closed' && s.code === '{code}';"
        ),
        &format!("the page's socket is closed with {code}"),
    )
    .await;
}

async fn shows_live_post(browser: &Browser, text: &str) {
    wait_for(
        browser,
        &format!(
            "return [...document.querySelectorAll('#live-posts li')]
                 .some((li) => li.textContent === {});",
            serde_json::Value::from(text)
        ),
        &format!("the page shows the pushed post {text:?}"),
    )
    .await;
}

#[tokio::test]
async fn the_pages_socket_shows_new_posts_and_is_closed_at_logout() {
    let demo = Demo::start(900).await;
    let browser = Browser::start().await;
    login(&browser, &demo).await;
    socket_open(&browser).await;

    // A post made on the page, and one made elsewhere: both arrive on the socket.
    browser.fill("#post-title", "Live from Chromium").await;
    assert_eq!(browser.click("#post-button").await.status, 200);
    shows_live_post(&browser, "user1: Live from Chromium").await;
    demo.state.posts.add(Post {
        author: "user2".to_owned(),
        title: Some("Pushed by the server".to_owned()),
    });
    shows_live_post(&browser, "user2: Pushed by the server").await;
    assert!(
        demo.seen().iter().any(|s| s == "GET /ws → 101"),
        "{:?}",
        demo.seen()
    );

    // Logout ends the session: the server closes the socket, 4401.
    let before = demo.seen().len();
    assert_eq!(browser.click("#logout-button").await.status, 200);
    socket_closed_with(&browser, 4401).await;
    // The closed socket asked for nothing: the next request of the page is its own.
    let shown = browser.click("#protected-button").await;
    assert_eq!((shown.status, shown.code.as_str()), (401, "missing_token"));
    assert_eq!(
        demo.seen()[before..],
        ["POST /logout → 200", "GET /protected → 401"],
    );
    browser.close().await;
}

#[tokio::test]
async fn an_expired_socket_stays_closed_until_a_request_renews_the_session() {
    let demo = Demo::start(2).await;
    let browser = Browser::start().await;
    harness::align_to_second().await;
    login(&browser, &demo).await;
    socket_open(&browser).await;

    // The access token expires: the server closes the socket, and the page does nothing.
    socket_closed_with(&browser, 4401).await;
    let seen = demo.seen();
    assert!(!seen.iter().any(|s| s.contains("/refresh")), "{seen:?}");
    assert_eq!(
        seen.iter().filter(|s| s.starts_with("GET /ws")).count(),
        1,
        "{seen:?}"
    );

    // The next request renews the access token (one refresh inside authFetch) and, having
    // succeeded, opens a new socket, which gets the posts again.
    let before = demo.seen().len();
    let shown = browser.click("#protected-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    socket_open(&browser).await;
    demo.state.posts.add(Post {
        author: "user2".to_owned(),
        title: Some("After the renewal".to_owned()),
    });
    shows_live_post(&browser, "user2: After the renewal").await;
    // The helper's renewal (the request, its resend holding the refresh lock, one refresh,
    // the request again), and only then, after the success, the new socket.
    let seen = demo.seen()[before..].to_vec();
    let (expired, renewed) = seen.split_at(seen.len().saturating_sub(3));
    assert_eq!(
        renewed,
        [
            "POST /refresh → 200",
            "GET /protected → 200",
            "GET /ws → 101"
        ],
        "{seen:?}"
    );
    assert!(!expired.is_empty(), "{seen:?}");
    assert!(
        expired.iter().all(|s| s == "GET /protected → 401"),
        "{seen:?}"
    );
    browser.close().await;
}
