//! End to end in a real browser: Debian's Chromium, headless, through chromedriver. The demo
//! is served on a free port of 127.0.0.1; an attacker page is served on another port and
//! reached by `localhost`, which the browser treats as another site. Several tabs are
//! windows of one browser session: they share its cookie jar, like a user's tabs.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
#[path = "browser/harness.rs"]
mod harness;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authjwt_demo::{AppState, app};
use axum::Router;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Html;
use axum::routing::get;
use fantoccini::wd::WindowHandle;
use harness::{Browser, align_to_second, url};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A request the demo received and what it answered, as far as these tests care.
#[derive(Clone)]
struct Seen {
    method: String,
    path: String,
    fetch_site: String,
    had_jwt_cookie: bool,
    /// The `refresh_token_cookie` the request carried ("" without one).
    refresh_token: String,
    /// The status of the answer.
    status: u16,
    /// The `refresh_token_cookie` the answer set ("" when it set none).
    new_refresh_token: String,
}

/// The tokens shortened to their last characters (the signature), enough to tell them apart.
impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tail = |t: &str| {
            t.get(t.len().saturating_sub(8)..)
                .unwrap_or_default()
                .to_owned()
        };
        write!(
            f,
            "{} {} → {} (site {:?}, jwt cookie {}, refresh …{} → …{})",
            self.method,
            self.path,
            self.status,
            self.fetch_site,
            self.had_jwt_cookie,
            tail(&self.refresh_token),
            tail(&self.new_refresh_token),
        )
    }
}

impl Seen {
    fn is_refresh(&self) -> bool {
        self.method == "POST" && self.path == "/refresh"
    }
}

/// Holds the next two requests to one route until both have arrived, so both were sent
/// before either was answered (and carried the same cookies): concurrency by construction,
/// not by luck. A request alone is let go after [`harness::WAIT`].
#[derive(Default)]
struct Pairing {
    route: Mutex<Option<(String, String)>>,
    left: AtomicUsize,
    waiting: Mutex<Option<oneshot::Sender<()>>>,
    /// How many pairs met (a request let go alone is not counted).
    met: AtomicUsize,
}

impl Pairing {
    /// Pairs the next two requests to `method` `path`.
    fn next_two(&self, method: &str, path: &str) {
        *self.waiting.lock().unwrap() = None;
        *self.route.lock().unwrap() = Some((method.to_owned(), path.to_owned()));
        self.left.store(2, Ordering::SeqCst);
    }

    /// How many pairs have met so far.
    fn met(&self) -> usize {
        self.met.load(Ordering::SeqCst)
    }

    fn takes(&self, method: &str, path: &str) -> bool {
        let route = self.route.lock().unwrap();
        route
            .as_ref()
            .is_some_and(|(m, p)| m == method && p == path)
            && self
                .left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
    }

    async fn wait_for_partner(&self) {
        let alone = {
            let mut waiting = self.waiting.lock().unwrap();
            match waiting.take() {
                Some(first) => {
                    if first.send(()).is_ok() {
                        self.met.fetch_add(1, Ordering::SeqCst);
                    }
                    None
                }
                None => {
                    let (tx, rx) = oneshot::channel();
                    *waiting = Some(tx);
                    Some(rx)
                }
            }
        };
        if let Some(rx) = alone {
            let _ = tokio::time::timeout(harness::WAIT, rx).await;
        }
    }
}

/// The demo, served, with a log of the requests it received.
struct Demo {
    state: AppState,
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    pairing: Arc<Pairing>,
}

fn cookie_value(header: &str, name: &str) -> String {
    header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

impl Demo {
    async fn start(access_secs: u64) -> Self {
        Self::serve(common::state_with(access_secs)).await
    }

    async fn serve(state: AppState) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let pairing = Arc::new(Pairing::default());
        let (log, pairs) = (seen.clone(), pairing.clone());
        let router =
            app(state.clone()).layer(middleware::from_fn(move |req: Request, next: Next| {
                let (log, pairs) = (log.clone(), pairs.clone());
                async move {
                    let (cookies, fetch_site) = {
                        let header = |name: &str| {
                            req.headers()
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_owned()
                        };
                        (header("cookie"), header("sec-fetch-site"))
                    };
                    let method = req.method().to_string();
                    let path = req.uri().path().to_owned();
                    if pairs.takes(&method, &path) {
                        pairs.wait_for_partner().await;
                    }
                    let response = next.run(req).await;
                    let new_refresh_token = response
                        .headers()
                        .get_all(header::SET_COOKIE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .find(|v| v.starts_with("refresh_token_cookie="))
                        .map(|v| cookie_value(v, "refresh_token_cookie"))
                        .unwrap_or_default();
                    log.lock().unwrap().push(Seen {
                        method,
                        path,
                        fetch_site,
                        had_jwt_cookie: cookies.contains("access_token_cookie="),
                        refresh_token: cookie_value(&cookies, "refresh_token_cookie"),
                        status: response.status().as_u16(),
                        new_refresh_token,
                    });
                    response
                }
            }));
        let addr = common::serve(router).await;
        Self {
            state,
            addr,
            seen,
            pairing,
        }
    }

    /// The page, reached by 127.0.0.1.
    fn page(&self) -> String {
        url("127.0.0.1", self.addr, "/")
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The `POST /refresh` requests received since the log held `since` entries.
    fn refreshes_since(&self, since: usize) -> Vec<Seen> {
        self.seen()[since..]
            .iter()
            .filter(|s| s.is_refresh())
            .cloned()
            .collect()
    }
}

const JWT_COOKIES: [&str; 2] = ["access_token_cookie", "refresh_token_cookie"];
const CSRF_COOKIES: [&str; 2] = ["csrf_access_token", "csrf_refresh_token"];

/// Logs in through the page's form.
async fn login(browser: &Browser, demo: &Demo, user: &str, password: &str) {
    login_at(browser, &demo.page(), user, password).await;
}

/// Logs in through the form of the page at `page`.
async fn login_at(browser: &Browser, page: &str, user: &str, password: &str) {
    browser.goto(page).await;
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

/// Sleeps until an access token of `secs` seconds created just after [`align_to_second`]
/// has expired for the server.
async fn outlive_access_token(secs: u64) {
    tokio::time::sleep(Duration::from_millis(secs * 1000 + 1100)).await;
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_without_pressing_refresh() {
    let demo = Demo::start(2).await;
    let browser = Browser::start().await;

    align_to_second().await;
    login(&browser, &demo, "user1", "password1").await;
    assert_eq!(browser.click("#protected-button").await.status, 200);
    outlive_access_token(2).await;

    // The page's authFetch meets token_expired, refreshes once and sends the request again.
    let before = demo.seen().len();
    let shown = browser.click("#protected-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("Access granted"), "{}", shown.text);
    let seen = demo.seen()[before..].to_vec();
    let refreshes: Vec<&Seen> = seen.iter().filter(|s| s.is_refresh()).collect();
    assert_eq!(refreshes.len(), 1, "{seen:?}");
    assert_eq!(refreshes[0].status, 200, "{seen:?}");
    assert!(
        seen.iter()
            .any(|s| s.path == "/protected" && s.status == 401),
        "the access token had expired: {seen:?}"
    );
    // A POST right after needs no refresh: the new cookies are in place.
    assert_eq!(browser.click("#post-button").await.status, 200);
    assert_eq!(demo.refreshes_since(before).len(), 1);

    // The Refresh button goes through the helper too (the refresh CSRF header).
    let shown = browser.click("#refresh-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("Token refreshed"), "{}", shown.text);
    assert_eq!(demo.refreshes_since(before).len(), 2);
    let shown = browser.click("#protected-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(browser.click("#post-button").await.status, 200);
    assert_eq!(demo.state.posts.len(), 2);
    assert!(!session_ended(&browser).await);
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
    // No cookie left, no refresh attempted: the 401 comes through as it is.
    let shown = browser.click("#protected-button").await;
    assert_eq!((shown.status, shown.code.as_str()), (401, "missing_token"));

    // Logout once the access token has expired: the page retries with the refresh token's
    // CSRF value, and the four cookies go all the same. Logging out never refreshes.
    align_to_second().await;
    login(&browser, &demo, "user2", "password2").await;
    assert_eq!(browser.jar().await.len(), 4);
    outlive_access_token(2).await;
    let before = demo.seen().len();
    let shown = browser.click("#logout-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(browser.jar().await.is_empty(), "{:?}", browser.jar().await);
    let seen = demo.seen()[before..].to_vec();
    assert!(
        seen.iter().all(|s| s.path == "/logout"),
        "only logout requests: {seen:?}"
    );
    browser.close().await;
}

/// Whether the page shows the session-ended state (set by its `onSessionEnd` callback).
async fn session_ended(browser: &Browser) -> bool {
    browser
        .js("return document.getElementById('session-state').dataset.ended")
        .await
        .as_str()
        == Some("true")
}

/// Scripts run in several tabs at once. Each tab gets `job` (the body of an async function
/// of the page, which may `import('/authjwt.js')`); [`Tabs::round`] starts it in every tab
/// at once (one tab posts on a `BroadcastChannel`, the others start on its message) and
/// returns what each tab's job returned, in the order of the tabs.
struct Tabs<'a> {
    browser: &'a Browser,
    tabs: Vec<WindowHandle>,
    rounds: u64,
}

impl<'a> Tabs<'a> {
    /// Opens `count - 1` more tabs on `page` (the current tab is the first) and arms each.
    async fn open(browser: &'a Browser, page: &str, count: usize, job: &str) -> Self {
        let mut tabs = vec![browser.current_tab().await];
        for _ in 1..count {
            tabs.push(browser.new_tab(page).await);
        }
        let me = Self {
            browser,
            tabs,
            rounds: 0,
        };
        let arm = format!(
            r#"
            const job = async () => {{ {job} }};
            const slots = new Map();
            const slot = (round) => {{
              if (!slots.has(round)) {{
                let resolve;
                const done = new Promise((r) => {{ resolve = r; }});
                slots.set(round, {{ done, resolve, started: false }});
              }}
              return slots.get(round);
            }};
            const start = (round) => {{
              const s = slot(round);
              if (s.started) return;
              s.started = true;
              job().then((value) => s.resolve({{ ok: true, value }}),
                         (error) => s.resolve({{ ok: false, value: String(error) }}));
            }};
            // Kept on window: a channel nothing refers to may be collected with its listener.
            const channel = window.__channel = new BroadcastChannel('authjwt-tabs');
            channel.onmessage = (event) => start(event.data);
            window.__go = (round) => {{ channel.postMessage(round); start(round); }};
            window.__result = (round) => slot(round).done;
            return true;
            "#
        );
        for (index, tab) in me.tabs.iter().enumerate() {
            browser.switch_to(tab).await;
            browser.js(&format!("window.__tab = {index};")).await;
            assert_eq!(browser.js(&arm).await, Value::Bool(true));
        }
        me
    }

    /// Starts the job in every tab at once; what each returned.
    async fn round(&mut self) -> Vec<Value> {
        self.rounds += 1;
        let round = self.rounds;
        self.browser.switch_to(&self.tabs[0]).await;
        self.browser
            .js(&format!("window.__go({round}); return true;"))
            .await;
        let mut out = Vec::new();
        for tab in &self.tabs {
            self.browser.switch_to(tab).await;
            let result = self
                .browser
                .js(&format!("return window.__result({round});"))
                .await;
            assert_eq!(result["ok"], true, "the job threw: {result}");
            out.push(result["value"].clone());
        }
        out
    }

    /// Runs `script` (an async function body) in tab `index` alone.
    async fn run_in(&self, index: usize, script: &str) -> Value {
        self.browser.switch_to(&self.tabs[index]).await;
        self.browser
            .js(&format!("return (async () => {{ {script} }})();"))
            .await
    }
}

/// authFetch of a URL in a tab; its status and JSON code. The URL is a template literal:
/// `${window.__tab}` is the tab's index. Chromium's HTTP cache lets only one request per
/// URL go out at a time, so requests meant to be concurrent need one URL per tab.
fn auth_fetch(path: &str, method: &str) -> String {
    format!(
        r#"const {{ authFetch }} = await import('/authjwt.js');
           const r = await authFetch(`{path}`, {{ method: '{method}' }});
           const body = await r.json().catch(() => ({{}}));
           return {{ status: r.status, code: body.code || '' }};"#
    )
}

/// `POST /refresh` with plain fetch and the refresh CSRF header read from the cookie.
const DIRECT_REFRESH: &str = r#"
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrf_refresh_token='));
    const r = await fetch('/refresh', {
      method: 'POST',
      headers: { 'X-CSRF-TOKEN': csrf ? csrf.split('=')[1] : '' },
    });
    const body = await r.json().catch(() => ({}));
    return { status: r.status, code: body.code || '' };"#;

#[tokio::test]
async fn two_tabs_renew_an_expired_access_token_with_one_refresh() {
    let demo = Demo::start(2).await;
    let browser = Browser::start().await;
    align_to_second().await;
    login(&browser, &demo, "user1", "password1").await;
    let mut tabs = Tabs::open(
        &browser,
        &demo.page(),
        2,
        &auth_fetch("/protected?tab=${window.__tab}", "GET"),
    )
    .await;
    // The cross-tab single flight is the Web Locks one: make sure it is there.
    assert_eq!(tabs.run_in(1, "return 'locks' in navigator;").await, true);
    outlive_access_token(2).await;

    // Both tabs' first requests are held until both arrived: both carry the expired token.
    let before = demo.seen().len();
    demo.pairing.next_two("GET", "/protected");
    let answers = tabs.round().await;
    assert_eq!(
        demo.pairing.met(),
        1,
        "the two first requests were in flight together"
    );
    for answer in &answers {
        assert_eq!(answer["status"], 200, "{answers:?}");
    }
    let seen = demo.seen()[before..].to_vec();
    let expired = seen
        .iter()
        .filter(|s| s.path == "/protected" && s.status == 401)
        .count();
    assert!(expired >= 2, "both tabs met the expired token: {seen:?}");
    let refreshes = demo.refreshes_since(before);
    assert_eq!(refreshes.len(), 1, "one refresh for both tabs: {seen:?}");
    assert_eq!(refreshes[0].status, 200);

    // The session goes on in both tabs, with no further refresh.
    for tab in 0..2 {
        let answer = tabs.run_in(tab, &auth_fetch("/posts", "POST")).await;
        assert_eq!(answer["status"], 200, "{answer}");
        let answer = tabs.run_in(tab, &auth_fetch("/protected", "GET")).await;
        assert_eq!(answer["status"], 200, "{answer}");
    }
    assert_eq!(demo.refreshes_since(before).len(), 1);
    assert_eq!(demo.state.posts.len(), 2);
    browser.close().await;
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_both_succeed_for_twenty_rounds() {
    const ROUNDS: usize = 20;
    let demo = Demo::start(900).await;
    let browser = Browser::start().await;
    login(&browser, &demo, "user1", "password1").await;
    let mut tabs = Tabs::open(&browser, &demo.page(), 2, DIRECT_REFRESH).await;

    let mut ok = 0;
    for round in 0..ROUNDS {
        let before = demo.seen().len();
        // Both refreshes are held until both arrived: they present the same refresh token.
        demo.pairing.next_two("POST", "/refresh");
        let answers = tabs.round().await;
        assert_eq!(
            demo.pairing.met(),
            round + 1,
            "round {round}: both in flight"
        );
        let refreshes = demo.refreshes_since(before);
        assert_eq!(refreshes.len(), 2, "round {round}: {refreshes:?}");
        assert_eq!(
            refreshes[0].refresh_token, refreshes[1].refresh_token,
            "round {round}: one token presented twice"
        );
        for answer in &answers {
            assert_eq!(answer["status"], 200, "round {round}: {answers:?}");
        }
        // The replay within the window got the very same successor.
        assert_eq!(
            refreshes[0].new_refresh_token, refreshes[1].new_refresh_token,
            "round {round}"
        );
        assert!(!refreshes[0].new_refresh_token.is_empty());
        ok += 1;
    }
    assert_eq!(ok, ROUNDS);

    // The session survived every round, in both tabs.
    for tab in 0..2 {
        let answer = tabs.run_in(tab, &auth_fetch("/posts", "POST")).await;
        assert_eq!(answer["status"], 200, "{answer}");
    }
    browser.close().await;
}

#[tokio::test]
async fn without_a_reuse_window_two_concurrent_refreshes_end_the_session() {
    let strict = common::settings(900).with_jwt("JWT_REFRESH_REUSE_WINDOW", "0");
    let demo = Demo::serve(AppState::new(authjwt::Auth::new(
        strict.config().unwrap().0,
    )))
    .await;
    let browser = Browser::start().await;
    login(&browser, &demo, "user1", "password1").await;
    let mut tabs = Tabs::open(&browser, &demo.page(), 2, DIRECT_REFRESH).await;

    let before = demo.seen().len();
    demo.pairing.next_two("POST", "/refresh");
    let answers = tabs.round().await;
    assert_eq!(
        demo.pairing.met(),
        1,
        "both refreshes were in flight together"
    );
    let refreshes = demo.refreshes_since(before);
    assert_eq!(refreshes.len(), 2, "{refreshes:?}");
    assert_eq!(refreshes[0].refresh_token, refreshes[1].refresh_token);
    let refused: Vec<&Value> = answers.iter().filter(|a| a["status"] == 401).collect();
    assert_eq!(refused.len(), 1, "one wins, one is refused: {answers:?}");
    let code = refused[0]["code"].as_str().unwrap();
    assert!(
        ["refresh_token_reused", "token_revoked"].contains(&code),
        "{answers:?}"
    );

    // The whole session is over: the next request of the page ends it visibly.
    browser.switch_to(&tabs.tabs[0]).await;
    let shown = browser.click("#protected-button").await;
    assert_eq!(shown.status, 401, "{}", shown.text);
    assert!(session_ended(&browser).await, "{}", shown.text);
    browser.close().await;
}

/// A proxy on 127.0.0.1 in front of `upstream`, one request per connection (answers carry
/// `Connection: close`, so the browser never reuses a connection and never resends by
/// itself). It hands the first `POST /refresh` to the demo, then closes the browser's
/// connection without the answer: a response lost on the network. Returns its address and
/// the count of answers it dropped.
async fn lossy_proxy(upstream: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let dropped = Arc::new(AtomicUsize::new(0));
    let count = dropped.clone();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let count = count.clone();
            tokio::spawn(async move {
                let _ = relay(client, upstream, &count).await;
            });
        }
    });
    (addr, dropped)
}

async fn relay(
    mut client: TcpStream,
    upstream: SocketAddr,
    dropped: &AtomicUsize,
) -> std::io::Result<()> {
    // The request head, then its body (Content-Length; the page sends no chunked bodies).
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = client.read(&mut chunk).await?;
        if n == 0 || buf.len() > 64 * 1024 {
            return Ok(()); // a preconnect that never sent a request, or garbage
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    // Forwarded with `Connection: close`: the demo answers, then closes.
    let mut lines: Vec<&str> = head
        .trim_end_matches("\r\n")
        .split("\r\n")
        .filter(|l| {
            let name = l.split(':').next().unwrap_or_default().trim();
            !name.eq_ignore_ascii_case("connection") && !name.eq_ignore_ascii_case("keep-alive")
        })
        .collect();
    lines.push("Connection: close");
    let mut request = lines.join("\r\n").into_bytes();
    request.extend_from_slice(b"\r\n\r\n");
    request.extend_from_slice(&buf[head_end..head_end + length]);
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&request).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    let is_refresh = head.starts_with("POST /refresh ");
    if is_refresh
        && dropped
            .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    {
        // The demo handled it; the browser never hears back.
        return Ok(());
    }
    client.write_all(&answer).await?;
    client.shutdown().await
}

#[tokio::test]
async fn a_lost_refresh_response_is_sent_again_and_gets_the_same_successor() {
    let demo = Demo::start(2).await;
    let (proxy, dropped) = lossy_proxy(demo.addr).await;
    let page = url("127.0.0.1", proxy, "/");
    let browser = Browser::start().await;

    align_to_second().await;
    login_at(&browser, &page, "user1", "password1").await;
    outlive_access_token(2).await;
    // Count the page's refresh calls and their network failures.
    browser
        .js(r#"
            window.__refreshCalls = 0; window.__refreshFailures = 0;
            const fetch0 = window.fetch;
            window.fetch = function (input, init) {
              const u = new URL(input instanceof Request ? input.url : input, location.href);
              const counted = u.pathname === '/refresh';
              if (counted) window.__refreshCalls += 1;
              const sent = fetch0.call(this, input, init);
              if (counted) sent.catch(() => { window.__refreshFailures += 1; });
              return sent;
            };
            return true;"#)
        .await;

    let before = demo.seen().len();
    let shown = browser.click("#protected-button").await;
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "the proxy dropped one answer"
    );
    let calls = browser
        .js("return [window.__refreshCalls, window.__refreshFailures]")
        .await;
    assert_eq!(
        calls,
        serde_json::json!([2, 1]),
        "the helper sent the refresh again"
    );
    let refreshes = demo.refreshes_since(before);
    assert_eq!(refreshes.len(), 2, "{refreshes:?}");
    assert_eq!(
        refreshes[0].refresh_token, refreshes[1].refresh_token,
        "the same refresh token presented twice"
    );
    assert_eq!(refreshes[0].status, 200, "{refreshes:?}");
    assert_eq!(
        refreshes[1].status, 200,
        "the replay is answered: {refreshes:?}"
    );
    assert_eq!(
        refreshes[0].new_refresh_token, refreshes[1].new_refresh_token,
        "with the same successor"
    );
    assert_eq!(shown.status, 200, "{}", shown.text);

    // The session survives.
    assert!(!session_ended(&browser).await);
    assert_eq!(browser.click("#post-button").await.status, 200);
    assert_eq!(browser.click("#refresh-button").await.status, 200);
    assert_eq!(browser.click("#protected-button").await.status, 200);
    browser.close().await;
}
