//! The browser harness: Debian's Chromium, headless, driven through chromedriver with
//! fantoccini. Each [`Browser`] starts its own chromedriver on a free port with a fresh
//! profile directory, and kills what it started (chromedriver's process group, which holds
//! the Chromium it launched) when dropped. A missing Chromium or chromedriver fails the test
//! with the command that installs them: these tests never skip.
//!
//! Shared by the demo's browser tests and the helper's: each uses part of it.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// The flags that keep Chromium off the network of this machine (it is closed) and quiet.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--window-size=1200,900",
];

/// How long any single wait in these tests may take.
pub(crate) const WAIT: Duration = Duration::from_secs(15);

fn binary(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} not found (set {env} to use another path). The browser tests need Debian's \
         Chromium and ChromeDriver: run scripts/test.sh, or \
         `apt-get update && apt-get install -y chromium chromium-driver`",
        path.display(),
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// The result panel of the demo page after an action.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) text: String,
}

/// A headless Chromium session.
pub(crate) struct Browser {
    client: Option<Client>,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a Chromium session.
    pub(crate) async fn start() -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let chromium = binary("CHROMIUM", "/usr/bin/chromium");
        let chromedriver = binary("CHROMEDRIVER", "/usr/bin/chromedriver");
        let profile = std::env::temp_dir().join(format!(
            "authjwt-demo-browser-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                profile.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: Drop kills chromedriver and the Chromium it started,
            // and nothing else.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", chromedriver.display()));
        let mut browser = Self {
            client: None,
            driver,
            profile,
        };
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser.profile.join("profile").display()
        ));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        });
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    browser.client = Some(client);
                    break;
                }
                Err(e) if Instant::now() < deadline => {
                    if let Ok(Some(status)) = browser.driver.try_wait() {
                        panic!("chromedriver exited with {status}: {}", browser.log());
                    }
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!(
                    "no Chromium session within {WAIT:?}: {e}\n{}",
                    browser.log()
                ),
            }
        }
        browser
    }

    fn log(&self) -> String {
        let log =
            std::fs::read_to_string(self.profile.join("chromedriver.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    pub(crate) fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.client().goto(url).await.unwrap();
    }

    /// The tab (window) commands go to now.
    pub(crate) async fn current_tab(&self) -> WindowHandle {
        self.client().window().await.unwrap()
    }

    /// Opens a "tab": a new window of this browser session (same profile, same cookie jar,
    /// same Web Locks; a window stays visible, so nothing is backgrounded), makes it the
    /// current one and loads `url` in it.
    pub(crate) async fn new_tab(&self, url: &str) -> WindowHandle {
        let opened = self.client().new_window(false).await.unwrap();
        self.switch_to(&opened.handle).await;
        self.goto(url).await;
        opened.handle
    }

    /// Sends the following commands to `tab`.
    pub(crate) async fn switch_to(&self, tab: &WindowHandle) {
        self.client().switch_to_window(tab.clone()).await.unwrap();
    }

    pub(crate) async fn js(&self, script: &str) -> Value {
        self.client().execute(script, vec![]).await.unwrap()
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let input = self.client().find(Locator::Css(css)).await.unwrap();
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    /// Clicks a button of the demo page and waits until its action has finished; returns
    /// what the page shows for the last response.
    pub(crate) async fn click(&self, css: &str) -> Shown {
        let before = self.actions().await;
        self.client()
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let deadline = Instant::now() + WAIT;
        while self.actions().await <= before {
            assert!(
                Instant::now() < deadline,
                "{css}: no response within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let shown = self
            .js("const r = document.getElementById('result');
                 return {status: r.dataset.status, code: r.dataset.code, text: r.textContent};")
            .await;
        Shown {
            status: shown["status"].as_str().unwrap().parse().unwrap(),
            code: shown["code"].as_str().unwrap_or_default().to_owned(),
            text: shown["text"].as_str().unwrap_or_default().to_owned(),
        }
    }

    async fn actions(&self) -> u64 {
        self.js("return Number(document.body.dataset.actions)")
            .await
            .as_u64()
            .unwrap()
    }

    /// What scripts see: `document.cookie`.
    pub(crate) async fn document_cookie(&self) -> String {
        self.js("return document.cookie")
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Every cookie of the current page's site in the browser's jar, HttpOnly ones included,
    /// as (name, http_only).
    pub(crate) async fn jar(&self) -> Vec<(String, bool)> {
        let mut cookies: Vec<(String, bool)> = self
            .client()
            .get_all_cookies()
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.name().to_owned(), c.http_only().unwrap_or(false)))
            .collect();
        cookies.sort();
        cookies
    }

    /// Ends the session and stops chromedriver (Chromium quits with the session).
    pub(crate) async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // SIGKILL to chromedriver's process group: the driver and the Chromium processes it
        // launched (they inherit the group). Only what this Browser started.
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        remove_profile(&self.profile);
    }
}

fn remove_profile(path: &Path) {
    // Chromium may still be writing for a moment after the kill.
    for _ in 0..10 {
        if std::fs::remove_dir_all(path).is_ok() || !path.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sleeps until just after a whole second. Token times have one-second resolution, so a
/// token created right after the boundary lives its full lifetime, not up to a second less.
pub(crate) async fn align_to_second() {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let into = now.subsec_millis();
    if into > 100 {
        tokio::time::sleep(Duration::from_millis(u64::from(1000 - into) + 20)).await;
    }
}

/// The URL of `addr` by a host name: `localhost` and `127.0.0.1` are two different sites to
/// a browser.
pub(crate) fn url(host: &str, addr: SocketAddr, path: &str) -> String {
    format!("http://{host}:{}{path}", addr.port())
}
