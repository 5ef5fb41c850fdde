//! "Where you are signed in" in real browsers: two Chromium profiles (two devices, each with
//! its own cookie jar) sign in as the same user; one sees both sessions on its page, signs
//! the other out with the page's button, and the other device is logged out at its next
//! request. Remember me chooses persistent cookies.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;
#[path = "browser/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use authjwt_demo::app;
use harness::{Browser, url};

async fn login(browser: &Browser, page: &str, remember: bool) {
    browser.goto(page).await;
    browser.fill("#username", "user1").await;
    browser.fill("#password", "password1").await;
    if remember {
        browser
            .js("document.getElementById('remember').checked = true; return true")
            .await;
    }
    let shown = browser.click("#login-button").await;
    assert_eq!(shown.status, 200, "login: {}", shown.text);
}

/// The page's session list: `(current, has a sign-out button, text)` per entry.
async fn listed(browser: &Browser) -> Vec<(bool, bool, String)> {
    let v = browser
        .js("return [...document.querySelectorAll('#sessions li')].map(li => \
             [li.dataset.current === 'true', li.querySelector('button.end-session') !== null, li.textContent])")
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_bool().unwrap(),
                e[1].as_bool().unwrap(),
                e[2].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Whether the browser keeps the refresh cookie past its session (an expiry), if it has one.
async fn persistent_refresh_cookie(browser: &Browser) -> Option<bool> {
    let cookies = browser.client().get_all_cookies().await.unwrap();
    cookies
        .iter()
        .find(|c| c.name() == "refresh_token_cookie")
        .map(|c| c.expires().is_some() || c.max_age().is_some())
}

#[tokio::test]
async fn one_device_signs_the_other_out_from_its_page() {
    let addr = common::serve(app(common::state())).await;
    let page = url("127.0.0.1", addr, "/");
    let phone = Browser::start().await;
    let laptop = Browser::start().await;
    login(&phone, &page, false).await;
    login(&laptop, &page, true).await;

    // The laptop's page lists both sessions after its login, itself marked, with one button.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = listed(&laptop).await;
    while seen.len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        seen = listed(&laptop).await;
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0].0 && !seen[0].1,
        "newest first, this device: {seen:?}"
    );
    assert!(
        !seen[1].0 && seen[1].1,
        "the phone, with a sign-out button: {seen:?}"
    );
    assert!(
        seen.iter().all(|s| s.2.contains("Chrome")),
        "user agents shown: {seen:?}"
    );

    // Remember me: the laptop's refresh cookie is persistent, the phone's a session cookie.
    assert_eq!(persistent_refresh_cookie(&laptop).await, Some(true));
    assert_eq!(persistent_refresh_cookie(&phone).await, Some(false));

    // Sign the phone out from the laptop's page.
    let shown = laptop.click("button.end-session").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(listed(&laptop).await.len(), 1);

    // The phone's next request is refused and its page shows the session ended.
    let shown = phone.click("#protected-button").await;
    assert_eq!(
        (shown.status, shown.code.as_str()),
        (401, "token_revoked"),
        "{}",
        shown.text
    );
    let ended = phone
        .js("return document.getElementById('session-state').dataset.ended")
        .await;
    assert_eq!(ended.as_str(), Some("true"));

    // The laptop carries on.
    let shown = laptop.click("#protected-button").await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    phone.close().await;
    laptop.close().await;
}
