//! End to end in a real browser: Debian's Chromium, headless, through chromedriver. The demo
//! is served on a free port of 127.0.0.1; an attacker page is served on another port and
//! reached by `localhost`, which the browser treats as another site.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
#[path = "browser/harness.rs"]
mod harness;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use authjwt_demo::{AppState, app};
use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Html;
use axum::routing::get;
use harness::{Browser, align_to_second, url};

/// A request the demo received, as far as these tests care.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    fetch_site: String,
    had_jwt_cookie: bool,
}

/// The demo, served, with a log of the requests it received.
struct Demo {
    state: AppState,
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
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
                    let seen = {
                        let header = |name: &str| {
                            req.headers()
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_owned()
                        };
                        Seen {
                            method: req.method().to_string(),
                            path: req.uri().path().to_owned(),
                            fetch_site: header("sec-fetch-site"),
                            had_jwt_cookie: header("cookie").contains("access_token_cookie="),
                        }
                    };
                    log.lock().unwrap().push(seen);
                    next.run(req).await
                }
            }));
        let addr = common::serve(router).await;
        Self { state, addr, seen }
    }

    /// The page, reached by 127.0.0.1.
    fn page(&self) -> String {
        url("127.0.0.1", self.addr, "/")
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

const JWT_COOKIES: [&str; 2] = ["access_token_cookie", "refresh_token_cookie"];
const CSRF_COOKIES: [&str; 2] = ["csrf_access_token", "csrf_refresh_token"];

/// Logs in through the page's form.
async fn login(browser: &Browser, demo: &Demo, user: &str, password: &str) {
    browser.goto(&demo.page()).await;
    browser.fill("#username", user).await;
    browser.fill("#password", password).await;
    let shown = browser.click("#login-button").await;
    assert_eq!(shown.status, 200, "login: {}", shown.text);
    assert!(shown.text.contains("Login successful"), "{}", shown.text);
}

#[tokio::test]
async fn login_form_cookies_posts_and_dual_mode() {
    let demo = Demo::start(900).await;
    let browser = Browser::start().await;

    // Wrong password first: the page shows the 401 and no cookie is set.
    browser.goto(&demo.page()).await;
    browser.fill("#username", "user1").await;
    browser.fill("#password", "nope").await;
    let shown = browser.click("#login-button").await;
    assert_eq!(
        (shown.status, shown.code.as_str()),
        (401, "invalid_credentials")
    );
    assert!(browser.jar().await.is_empty());

    login(&browser, &demo, "user1", "password1").await;

    // Scripts see both CSRF cookies and neither JWT cookie...
    let visible = browser.document_cookie().await;
    for name in CSRF_COOKIES {
        assert!(
            visible.contains(&format!("{name}=")),
            "{name} in {visible:?}"
        );
    }
    for name in JWT_COOKIES {
        assert!(
            !visible.contains(name),
            "{name} must be HttpOnly: {visible:?}"
        );
    }
    // ...while the browser's jar holds all four, the JWT ones HttpOnly.
    assert_eq!(
        browser.jar().await,
        [
            ("access_token_cookie".to_owned(), true),
            ("csrf_access_token".to_owned(), false),
            ("csrf_refresh_token".to_owned(), false),
            ("refresh_token_cookie".to_owned(), true),
        ]
    );

    let shown = browser.click("#protected-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("user1@example.com"), "{}", shown.text);

    browser.fill("#post-title", "Hello from Chromium").await;
    let shown = browser.click("#post-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("Post created"), "{}", shown.text);
    let posts = demo.state.posts.all();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].title.as_deref(), Some("Hello from Chromium"));
    assert_eq!(posts[0].author, "user1");

    let shown = browser.click("#webhook-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);

    // Dual mode: the access token lives in the page's memory, sent as a bearer header.
    let shown = browser.click("#dual-protected-button").await;
    assert_eq!((shown.status, shown.code.as_str()), (401, "missing_token"));
    assert_eq!(browser.click("#dual-login-button").await.status, 200);
    let shown = browser.click("#dual-protected-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("\"user\": \"user1\""), "{}", shown.text);
    assert_eq!(browser.click("#dual-refresh-button").await.status, 200);
    assert_eq!(browser.click("#dual-protected-button").await.status, 200);

    // The page's requests were same-origin.
    assert!(
        demo.seen()
            .iter()
            .filter(|s| s.method == "POST")
            .all(|s| s.fetch_site == "same-origin"),
        "{:?}",
        demo.seen()
    );
    browser.close().await;
}

/// A page of another site that tries to create a post on the demo with the victim's cookies:
/// a `no-cors` fetch, a CORS fetch with a guessed CSRF header, and a form post.
fn attacker(target: &str) -> Router {
    let page = format!(
        r#"<!doctype html>
<html><head><title>win a prize</title></head>
<body>
<form id="forged" method="POST" action="{target}/posts" enctype="text/plain">
  <input type="hidden" name='{{"title":"forged by a form","x":"' value='"}}'>
  <button id="submit-forged" type="submit">Claim your prize</button>
</form>
<script>
(async () => {{
  const results = [];
  try {{
    await fetch('{target}/posts', {{
      method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: {{'Content-Type': 'text/plain'}}, body: '{{"title":"forged by fetch"}}',
    }});
    results.push('no-cors sent');
  }} catch (e) {{ results.push('no-cors failed'); }}
  try {{
    const r = await fetch('{target}/posts', {{
      method: 'POST', credentials: 'include',
      headers: {{'Content-Type': 'application/json', 'X-CSRF-TOKEN': 'guessed'}},
      body: '{{"title":"forged with a header"}}',
    }});
    results.push('cors answered ' + r.status);
  }} catch (e) {{ results.push('cors refused'); }}
  document.body.dataset.done = results.join('; ');
}})();
</script>
</body></html>"#
    );
    Router::new().route("/attack", get(move || async move { Html(page) }))
}

#[tokio::test]
async fn a_page_of_another_site_creates_no_post() {
    let demo = Demo::start(900).await;
    let evil = common::serve(attacker(&url("127.0.0.1", demo.addr, ""))).await;
    let browser = Browser::start().await;

    login(&browser, &demo, "user1", "password1").await;
    assert_eq!(browser.click("#post-button").await.status, 200);
    assert_eq!(demo.state.posts.len(), 1);
    let before = demo.seen().len();

    // The attacker's page, on another site: http://localhost:<other port>.
    browser.goto(&url("localhost", evil, "/attack")).await;
    let deadline = std::time::Instant::now() + harness::WAIT;
    let done = loop {
        let done = browser.js("return document.body.dataset.done || ''").await;
        let done = done.as_str().unwrap().to_owned();
        if !done.is_empty() {
            break done;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the attacker's script did not finish"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    // The no-cors request goes out (its answer is opaque); the one with a custom header
    // needs a CORS preflight, which the demo never grants.
    assert!(done.contains("no-cors sent"), "{done}");
    assert!(done.contains("cors refused"), "{done}");

    // The form post navigates the tab to the demo's answer.
    browser
        .client()
        .find(fantoccini::Locator::Css("#submit-forged"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + harness::WAIT;
    let answer = loop {
        let current = browser.client().current_url().await.unwrap();
        if current.host_str() == Some("127.0.0.1") {
            let text = browser
                .js("return document.body ? document.body.innerText : ''")
                .await;
            let text = text.as_str().unwrap_or_default().to_owned();
            if !text.is_empty() {
                break text;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the form post did not land"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(answer.contains("cross_site_request"), "{answer}");

    // The forged requests reached the demo, cross-site, and created nothing; SameSite=Lax
    // also kept the JWT cookie off them.
    let forged: Vec<Seen> = demo.seen()[before..]
        .iter()
        .filter(|s| s.path == "/posts")
        .cloned()
        .collect();
    let posts: Vec<&Seen> = forged.iter().filter(|s| s.method == "POST").collect();
    assert!(
        posts.len() >= 2,
        "the no-cors fetch and the form arrived: {forged:?}"
    );
    assert!(
        posts.iter().all(|s| s.fetch_site == "cross-site"),
        "{forged:?}"
    );
    assert!(posts.iter().all(|s| !s.had_jwt_cookie), "{forged:?}");
    assert_eq!(demo.state.posts.len(), 1, "no forged post");

    // The victim's own session still works.
    browser.goto(&demo.page()).await;
    assert_eq!(browser.click("#post-button").await.status, 200);
    assert_eq!(demo.state.posts.len(), 2);
    browser.close().await;
}

#[tokio::test]
async fn refresh_restores_access_after_a_two_second_expiry() {
    let demo = Demo::start(2).await;
    let browser = Browser::start().await;

    align_to_second().await;
    login(&browser, &demo, "user1", "password1").await;
    assert_eq!(browser.click("#protected-button").await.status, 200);

    // Wait for the access token to expire, as the page sees it.
    let deadline = std::time::Instant::now() + harness::WAIT;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let shown = browser.click("#protected-button").await;
        if shown.status == 401 {
            assert_eq!(shown.code, "token_expired", "{}", shown.text);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the access token never expired"
        );
    }
    let shown = browser.click("#post-button").await;
    assert_eq!((shown.status, shown.code.as_str()), (401, "token_expired"));

    // The refresh button restores access.
    align_to_second().await;
    let shown = browser.click("#refresh-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let shown = browser.click("#protected-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("Access granted"), "{}", shown.text);
    assert_eq!(browser.click("#post-button").await.status, 200);
    assert_eq!(demo.state.posts.len(), 1);
    browser.close().await;
}

#[tokio::test]
async fn logout_removes_all_four_cookies() {
    let demo = Demo::start(2).await;
    let browser = Browser::start().await;

    login(&browser, &demo, "user2", "password2").await;
    assert_eq!(browser.jar().await.len(), 4);
    let shown = browser.click("#logout-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(browser.jar().await.is_empty(), "{:?}", browser.jar().await);
    assert_eq!(browser.document_cookie().await, "");
    let shown = browser.click("#protected-button").await;
    assert_eq!((shown.status, shown.code.as_str()), (401, "missing_token"));

    // Logout once the access token has expired: the page retries with the refresh token's
    // CSRF value, and the four cookies go all the same.
    login(&browser, &demo, "user2", "password2").await;
    assert_eq!(browser.jar().await.len(), 4);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(
        browser.click("#protected-button").await.code,
        "token_expired"
    );
    let shown = browser.click("#logout-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(browser.jar().await.is_empty(), "{:?}", browser.jar().await);
    browser.close().await;
}
