//! Matrix cases: the session registry through the `/session` routes, as a browser with
//! several devices uses it: the list with the current session marked, ending one device's
//! session (only the caller's own), signing out the others, remember-me per login, the
//! absolute session lifetime, and the audit events all of that emits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use authjwt::audit::{AuditEvent, AuditSink};
use serde_json::Value;

use super::lifecycle::{logged_in, send, session_config};
use crate::common::names::{ACCESS, ACCESS_CSRF, REFRESH_CSRF};
use crate::common::routes::session;
use crate::common::{AppFactory, Harness, Jar, TestApp, get, harness, post};

fn app<F: AppFactory>() -> Harness<F::App> {
    harness::<F>(session_config(
        Duration::from_secs(900),
        Duration::from_secs(30),
    ))
}

async fn list<A: TestApp>(h: &Harness<A>, jar: &mut Jar) -> Vec<Value> {
    let sent = send(h, jar, get(session::LIST), None).await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    sent.json().as_array().cloned().unwrap_or_default()
}

async fn login_with<A: TestApp>(h: &Harness<A>, query: &str, agent: &str) -> (Jar, Vec<String>) {
    let mut jar = Jar::default();
    let req = post(&format!("{}{query}", session::LOGIN)).header("user-agent", agent);
    let sent = send(h, &mut jar, req, None).await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    (jar, sent.set_cookies())
}

pub(crate) async fn sessions_are_listed_newest_first_with_the_callers_marked<F: AppFactory>() {
    let h = app::<F>();
    let (mut phone, _) = login_with(&h, "", "Phone/1.0").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (mut laptop, _) = login_with(&h, "", "Laptop/2.0").await;
    let seen = list(&h, &mut laptop).await;
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0]["user_agent"], "Laptop/2.0");
    assert_eq!(seen[0]["current"], true);
    assert_eq!(seen[1]["user_agent"], "Phone/1.0");
    assert!(seen[1].get("current").is_none_or(|c| c == false));
    let from_phone = list(&h, &mut phone).await;
    assert_eq!(from_phone[1]["current"], true);
    // Unauthenticated: 401, the handler never runs.
    let sent = h.send(get(session::LIST)).await;
    sent.assert_rejected(401, "missing_token", "list without a token");
}

pub(crate) async fn ending_a_session_refuses_its_tokens_and_only_the_owner_can<F: AppFactory>() {
    let h = app::<F>();
    let mut phone = logged_in(&h).await;
    let mut laptop = logged_in(&h).await;
    let phone_id = list(&h, &mut laptop)
        .await
        .into_iter()
        .find(|s| s.get("current").is_none_or(|c| c == false))
        .and_then(|s| s["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let end = |id: &str| post(&format!("{}?id={id}", session::END));
    // Cookie-authenticated and unsafe: the CSRF header is required.
    let sent = send(&h, &mut laptop, end(&phone_id), None).await;
    sent.assert_rejected(401, "csrf_missing", "end without CSRF");
    let sent = send(&h, &mut laptop, end("unknown"), Some(ACCESS_CSRF)).await;
    sent.assert_rejected(404, "session_not_found", "an unknown id");
    let sent = send(&h, &mut laptop, end(&phone_id), Some(ACCESS_CSRF)).await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    let sent = send(&h, &mut phone, get(session::PROTECTED), None).await;
    sent.assert_rejected(401, "token_revoked", "the ended session's access token");
    let sent = send(&h, &mut phone, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(
        sent.status(),
        401,
        "the ended session's refresh token: {}",
        sent.text()
    );
    // Ended: no longer listed, and ending it again is not found. The laptop carries on.
    assert_eq!(list(&h, &mut laptop).await.len(), 1);
    let sent = send(&h, &mut laptop, end(&phone_id), Some(ACCESS_CSRF)).await;
    sent.assert_rejected(404, "session_not_found", "ending it twice");
    assert_eq!(
        send(&h, &mut laptop, get(session::PROTECTED), None)
            .await
            .status(),
        200
    );
}

pub(crate) async fn another_users_session_is_not_found<F: AppFactory>() {
    let h = app::<F>();
    let mut mine = logged_in(&h).await;
    let id = list(&h, &mut mine).await[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // A token of another subject, carried in the same cookies.
    let mut intruder = h.jar_for("mallory");
    let sent = send(
        &h,
        &mut intruder,
        post(&format!("{}?id={id}", session::END)),
        Some(ACCESS_CSRF),
    )
    .await;
    sent.assert_rejected(404, "session_not_found", "another user's session");
    assert_eq!(
        send(&h, &mut mine, get(session::PROTECTED), None)
            .await
            .status(),
        200
    );
}

pub(crate) async fn signing_out_other_devices_keeps_the_callers_session<F: AppFactory>() {
    let h = app::<F>();
    let mut a = logged_in(&h).await;
    let mut b = logged_in(&h).await;
    let mut current = logged_in(&h).await;
    let sent = send(&h, &mut current, post(session::END_OTHERS), None).await;
    sent.assert_rejected(401, "csrf_missing", "end-others without CSRF");
    let sent = send(
        &h,
        &mut current,
        post(session::END_OTHERS),
        Some(ACCESS_CSRF),
    )
    .await;
    assert_eq!((sent.status(), sent.text()), (200, "2".to_owned()));
    for other in [&mut a, &mut b] {
        let sent = send(&h, other, get(session::PROTECTED), None).await;
        sent.assert_rejected(401, "token_revoked", "another device");
    }
    assert_eq!(
        send(&h, &mut current, get(session::PROTECTED), None)
            .await
            .status(),
        200
    );
    assert_eq!(list(&h, &mut current).await.len(), 1);
}

pub(crate) async fn remember_me_is_chosen_per_login_and_kept_by_rotation<F: AppFactory>() {
    let h = app::<F>();
    let (mut remembered, cookies) = login_with(&h, "?remember=true", "UA").await;
    assert_eq!(cookies.len(), 4);
    assert!(
        cookies.iter().all(|c| c.contains("Max-Age=")),
        "{cookies:?}"
    );
    let (mut forgotten, cookies) = login_with(&h, "?remember=false", "UA").await;
    assert!(
        cookies.iter().all(|c| !c.contains("Max-Age")),
        "{cookies:?}"
    );
    let sent = send(
        &h,
        &mut remembered,
        post(session::REFRESH),
        Some(REFRESH_CSRF),
    )
    .await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    assert!(sent.set_cookies().iter().all(|c| c.contains("Max-Age=")));
    let sent = send(
        &h,
        &mut forgotten,
        post(session::REFRESH),
        Some(REFRESH_CSRF),
    )
    .await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    assert!(sent.set_cookies().iter().all(|c| !c.contains("Max-Age")));
}

pub(crate) async fn a_session_ends_at_its_max_age_whatever_its_refreshes<F: AppFactory>() {
    let h = harness::<F>(
        session_config(Duration::from_secs(900), Duration::from_secs(30))
            .session_max_age(Duration::from_secs(2)),
    );
    let (mut jar, _) = login_with(&h, "?remember=true", "UA").await;
    let sent = send(&h, &mut jar, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 200, "{}", sent.text());
    for c in sent.set_cookies().iter().filter(|c| !c.starts_with("csrf")) {
        let age: u64 = c
            .split("Max-Age=")
            .nth(1)
            .and_then(|r| r.split(';').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(u64::MAX);
        assert!(age <= 2, "capped to the session's end: {c}");
    }
    tokio::time::sleep(Duration::from_millis(3100)).await;
    // The handler runs the refresh itself, so the refusal is its answer.
    let sent = send(&h, &mut jar, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 401, "{}", sent.text());
    assert!(sent.text().contains("session_expired"), "{}", sent.text());
    // The last access cookie (capped to the same end) says the same on a guarded route.
    let sent = h
        .send(get(session::PROTECTED).cookie(format!("{ACCESS}={}", jar.get(ACCESS))))
        .await;
    sent.assert_rejected(
        401,
        "session_expired",
        "an access token past the session's end",
    );
}

#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<String>>);

impl AuditSink for Recorder {
    fn record(&self, e: &AuditEvent<'_>) {
        let line = format!(
            "{} sub={} session={} code={}",
            e.kind,
            e.subject.unwrap_or("-"),
            e.session.map_or("-", |_| "yes"),
            e.code.unwrap_or("-")
        );
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }
}

#[derive(Debug, Clone)]
struct Shared(Arc<Recorder>);

impl AuditSink for Shared {
    fn record(&self, e: &AuditEvent<'_>) {
        self.0.record(e);
    }
}

pub(crate) async fn audit_events_follow_a_sessions_life<F: AppFactory>() {
    let recorder = Arc::new(Recorder::default());
    let h = harness::<F>(
        session_config(Duration::from_secs(900), Duration::from_secs(30))
            .audit(Shared(Arc::clone(&recorder))),
    );
    let mut jar = logged_in(&h).await;
    let mut other = logged_in(&h).await;
    let stale = jar.clone();
    assert_eq!(
        send(&h, &mut jar, post(session::REFRESH), Some(REFRESH_CSRF))
            .await
            .status(),
        200
    );
    let mut replay = stale.clone();
    assert_eq!(
        send(&h, &mut replay, post(session::REFRESH), Some(REFRESH_CSRF))
            .await
            .status(),
        200
    );
    assert_eq!(
        send(&h, &mut other, post(session::END_OTHERS), Some(ACCESS_CSRF))
            .await
            .status(),
        200
    );
    let sent = send(&h, &mut Jar::default(), get(session::PROTECTED), None).await;
    assert_eq!(sent.status(), 401);
    assert_eq!(
        send(&h, &mut other, post(session::LOGOUT), Some(ACCESS_CSRF))
            .await
            .status(),
        200
    );
    let lines = recorder
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let expected = [
        "login sub=user1 session=yes code=-",
        "refresh sub=user1 session=yes code=-",
        "replay sub=user1 session=yes code=-",
        "session_ended sub=user1 session=yes code=-",
        "rejected sub=- session=- code=missing_token",
        "logout sub=user1 session=yes code=-",
    ];
    for line in expected {
        assert!(lines.iter().any(|l| l == line), "{line} in {lines:#?}");
    }
    // Never token text: no line is longer than its fields.
    assert!(lines.iter().all(|l| !l.contains("eyJ")), "{lines:#?}");
}
