//! Matrix cases: the token lifecycle through the `/session` routes, with cookies and CSRF as
//! a browser sends them: logout that revokes, refresh rotation with the reuse window and
//! strict rotation, revoke-all, the implicit-refresh layer, and concurrent refreshes.

use std::collections::HashSet;
use std::time::Duration;

use authjwt::{
    AuthError, Claims, ConfigBuilder, Protection, TokenLocation,
    claims::{NoCustomClaims, TokenType},
};
use serde_json::json;

use super::label;
use crate::common::names::{ACCESS, ACCESS_CSRF, REFRESH, REFRESH_CSRF};
use crate::common::routes::{PROTECTED as PROTECTED_ROUTE, session};
use crate::common::{
    AppFactory, Harness, Jar, Req, Sent, TestApp, base, forge, get, harness, now, post,
};

/// The refresh reuse window of every session below but the strict ones.
const REUSE_WINDOW: Duration = Duration::from_secs(30);

/// Cookies only, not `Secure`, access tokens living `access_expires`, and the refresh reuse
/// window `window` (`Duration::ZERO` is strict rotation).
pub(super) fn session_config(access_expires: Duration, window: Duration) -> ConfigBuilder {
    base()
        .token_location([TokenLocation::Cookies])
        .cookie_secure(false)
        .access_expires(access_expires)
        .refresh_reuse_window(window)
}

/// An application whose access tokens live `access_expires`, with the default reuse window.
fn app_with<F: AppFactory>(access_expires: Duration) -> Harness<F::App> {
    app_with_window::<F>(access_expires, REUSE_WINDOW)
}

/// An application whose access tokens live `access_expires`, with the reuse window `window`.
fn app_with_window<F: AppFactory>(access_expires: Duration, window: Duration) -> Harness<F::App> {
    harness::<F>(session_config(access_expires, window))
}

/// `req` with the jar's cookies and, when `csrf` names one of them, its value in
/// `X-CSRF-TOKEN`.
fn from_browser(jar: &Jar, req: Req, csrf: Option<&str>) -> Req {
    let req = req.jar(jar);
    match csrf {
        Some(name) => req.csrf(jar.get(name)),
        None => req,
    }
}

/// Sends `req` as a browser would (see [`from_browser`]) and applies the `Set-Cookie`s of
/// the response to the jar.
pub(super) async fn send<A: TestApp>(
    h: &Harness<A>,
    jar: &mut Jar,
    req: Req,
    csrf: Option<&str>,
) -> Sent {
    let sent = h.send(from_browser(jar, req, csrf)).await;
    jar.update(&sent);
    sent
}

/// A browser that has logged in: the four cookies.
pub(super) async fn logged_in<A: TestApp>(h: &Harness<A>) -> Jar {
    let mut jar = Jar::default();
    let sent = send(h, &mut jar, post(session::LOGIN), None).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(jar.names().len(), 4);
    jar
}

pub(crate) async fn logout_needs_csrf_then_revokes_and_clears_all_four_cookies<F: AppFactory>() {
    let h = app_with::<F>(Duration::from_secs(900));
    let mut jar = logged_in(&h).await;
    let stolen = jar.clone();

    let sent = send(&h, &mut jar, post(session::LOGOUT), None).await;
    assert_eq!(sent.status(), 401);
    assert!(sent.text().contains("csrf_missing"), "{}", sent.text());
    assert_eq!(
        send(&h, &mut jar, get(session::PROTECTED), None)
            .await
            .status(),
        200,
        "nothing changed"
    );

    let sent = send(&h, &mut jar, post(session::LOGOUT), Some(ACCESS_CSRF)).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.set_cookies().len(), 4);
    assert!(
        jar.names().is_empty(),
        "all four cookies cleared: {:?}",
        jar.names()
    );

    // A copy of the cookies taken before logout is dead: access and refresh alike.
    let mut replay = stolen.clone();
    let sent = send(&h, &mut replay, get(session::PROTECTED), None).await;
    assert_eq!(sent.status(), 401);
    assert!(sent.text().contains("token_revoked"), "{}", sent.text());
    let mut replay = stolen;
    let sent = send(&h, &mut replay, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 401);
    assert!(sent.text().contains("token_revoked"), "{}", sent.text());
}

pub(crate) async fn logout_with_an_expired_access_token_uses_the_refresh_csrf<F: AppFactory>() {
    let h = app_with::<F>(Duration::from_secs(1));
    let mut jar = logged_in(&h).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let sent = send(&h, &mut jar, post(session::LOGOUT), Some(ACCESS_CSRF)).await;
    assert_eq!(
        sent.status(),
        401,
        "the access csrf does not prove the refresh token"
    );
    assert!(sent.text().contains("csrf_mismatch"), "{}", sent.text());
    let sent = send(&h, &mut jar, post(session::LOGOUT), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 200);
    assert!(jar.names().is_empty());
}

pub(crate) async fn other_sessions_of_the_same_user_survive_logout<F: AppFactory>() {
    let h = app_with::<F>(Duration::from_secs(900));
    let mut laptop = logged_in(&h).await;
    let mut phone = logged_in(&h).await;
    assert_eq!(
        send(&h, &mut laptop, post(session::LOGOUT), Some(ACCESS_CSRF))
            .await
            .status(),
        200
    );
    assert_eq!(
        send(&h, &mut phone, get(session::PROTECTED), None)
            .await
            .status(),
        200
    );
}

pub(crate) async fn strict_refresh_rotates_and_detects_reuse<F: AppFactory>() {
    let h = app_with_window::<F>(Duration::from_secs(900), Duration::ZERO);
    let mut jar = logged_in(&h).await;
    let before = jar.clone();

    let sent = send(&h, &mut jar, post(session::REFRESH), None).await;
    assert_eq!(sent.status(), 401, "refresh needs its csrf header");
    assert!(sent.text().contains("csrf_missing"));

    let sent = send(&h, &mut jar, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.set_cookies().len(), 4);
    assert_ne!(jar.get(REFRESH), before.get(REFRESH), "rotated");
    assert_ne!(jar.get(ACCESS), before.get(ACCESS));
    assert_eq!(
        send(&h, &mut jar, get(session::PROTECTED), None)
            .await
            .status(),
        200
    );

    // The old refresh token comes back (stolen copy): strict rotation ends the whole session.
    let mut thief = before;
    let sent = send(&h, &mut thief, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 401);
    assert!(
        sent.text().contains("refresh_token_reused"),
        "{}",
        sent.text()
    );
    let sent = send(&h, &mut jar, get(session::PROTECTED), None).await;
    assert_eq!(sent.status(), 401, "the legitimate session is ended too");
    assert!(sent.text().contains("token_revoked"));
    let sent = send(&h, &mut jar, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 401);
}

pub(crate) async fn strict_concurrent_refreshes_with_one_token_never_yield_two_live_sessions<
    F: AppFactory,
>() {
    let h = app_with_window::<F>(Duration::from_secs(900), Duration::ZERO);
    for _ in 0..20 {
        let jar = logged_in(&h).await;
        let (mut a, mut b) = (jar.clone(), jar);
        let refresh = |jar: &Jar| from_browser(jar, post(session::REFRESH), Some(REFRESH_CSRF));
        let sent = h.send_all(vec![refresh(&a), refresh(&b)]).await;
        let [ra, rb] = <[Sent; 2]>::try_from(sent).unwrap();
        a.update(&ra);
        b.update(&rb);
        let ok = [&ra, &rb].iter().filter(|r| r.status() == 200).count();
        assert_eq!(ok, 1, "strict rotation: exactly one refresh succeeds");
        let loser = if ra.status() == 200 { &rb } else { &ra };
        assert!(
            loser.text().contains("refresh_token_reused"),
            "{}",
            loser.text()
        );
        let live_a = send(&h, &mut a, get(session::PROTECTED), None)
            .await
            .status()
            == 200;
        let live_b = send(&h, &mut b, get(session::PROTECTED), None)
            .await
            .status()
            == 200;
        assert!(
            !live_a && !live_b,
            "strict rotation: the race ends the session"
        );
    }
}

pub(crate) async fn a_replay_within_the_window_gets_the_same_successor_and_an_older_token_ends_the_session<
    F: AppFactory,
>() {
    let h = app_with::<F>(Duration::from_secs(900));
    let mut jar = logged_in(&h).await;
    let before = jar.clone();

    let sent = send(&h, &mut jar, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.set_cookies().len(), 4);
    assert_ne!(jar.get(REFRESH), before.get(REFRESH));
    // The session keeps its CSRF values, and they stay distinct.
    for csrf in [ACCESS_CSRF, REFRESH_CSRF] {
        assert_eq!(jar.get(csrf), before.get(csrf), "{csrf}");
    }
    assert_ne!(jar.get(ACCESS_CSRF), jar.get(REFRESH_CSRF));

    // A second tab (or a retry after a lost answer) presents the same token: 200, the same
    // successor, all four cookies set again.
    let mut tab = before.clone();
    let sent = send(&h, &mut tab, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.set_cookies().len(), 4);
    assert_eq!(tab.get(REFRESH), jar.get(REFRESH));
    assert_eq!(tab.get(ACCESS_CSRF), jar.get(ACCESS_CSRF));
    let sent = send(&h, &mut tab, get(session::PROTECTED), None).await;
    assert_eq!((sent.status(), sent.text().as_str()), (200, session::USER));
    // A post with the CSRF value read before the refresh still matches the new access token.
    assert_eq!(
        send(&h, &mut jar, get(session::PROTECTED), None)
            .await
            .status(),
        200
    );

    // The chain goes on; the first token is now older than the previous one: reuse.
    let sent = send(&h, &mut jar, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 200);
    let mut thief = before;
    let sent = send(&h, &mut thief, post(session::REFRESH), Some(REFRESH_CSRF)).await;
    assert_eq!(sent.status(), 401);
    assert!(
        sent.text().contains("refresh_token_reused"),
        "{}",
        sent.text()
    );
    for (req, csrf) in [
        (get(session::PROTECTED), None),
        (post(session::REFRESH), Some(REFRESH_CSRF)),
    ] {
        let ctx = label(&req);
        let sent = send(&h, &mut jar, req, csrf).await;
        assert_eq!(sent.status(), 401, "{ctx}");
        assert!(
            sent.text().contains("token_revoked"),
            "{ctx}: {}",
            sent.text()
        );
    }
}

/// Runs under the adapter's `parallel` test attribute: on a multi-threaded runtime the 64
/// refreshes race for real.
#[allow(clippy::print_stdout)]
pub(crate) async fn sixty_four_concurrent_refreshes_of_one_token_all_get_the_one_successor<
    F: AppFactory,
>() {
    let h = app_with::<F>(Duration::from_secs(900));
    let (mut successes, mut rounds) = (0, 0);
    for _ in 0..20 {
        let jar = logged_in(&h).await;
        let reqs = (0..64)
            .map(|_| from_browser(&jar, post(session::REFRESH), Some(REFRESH_CSRF)))
            .collect();
        let mut successors = HashSet::new();
        let mut last = None;
        for sent in h.send_all(reqs).await {
            let mut jar = jar.clone();
            jar.update(&sent);
            assert_eq!(sent.status(), 200, "{}", sent.text());
            successes += 1;
            successors.insert(jar.get(REFRESH).to_owned());
            last = Some(jar);
        }
        assert_eq!(successors.len(), 1, "one successor per refresh token");
        let mut jar = last.unwrap();
        assert_eq!(
            send(&h, &mut jar, get(session::PROTECTED), None)
                .await
                .status(),
            200
        );
        let sent = send(&h, &mut jar, post(session::REFRESH), Some(REFRESH_CSRF)).await;
        assert_eq!(sent.status(), 200, "the session goes on");
        rounds += 1;
    }
    println!(
        "{rounds} rounds of 64 concurrent refreshes: {successes} answers 200, one successor each"
    );
}

pub(crate) async fn revoke_all_ends_every_session_issued_before<F: AppFactory>() {
    let h = app_with::<F>(Duration::from_secs(900));
    let mut laptop = logged_in(&h).await;
    let mut phone = logged_in(&h).await;
    assert_eq!(
        send(
            &h,
            &mut laptop,
            post(session::REVOKE_ALL),
            Some(ACCESS_CSRF)
        )
        .await
        .status(),
        200
    );
    for jar in [&mut laptop, &mut phone] {
        let sent = send(&h, jar, get(session::PROTECTED), None).await;
        assert_eq!(sent.status(), 401);
        assert!(sent.text().contains("token_revoked"));
        assert_eq!(
            send(&h, jar, post(session::REFRESH), Some(REFRESH_CSRF))
                .await
                .status(),
            401
        );
    }
    // A login after the revoke-all (next second on) works again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut fresh = logged_in(&h).await;
    assert_eq!(
        send(&h, &mut fresh, get(session::PROTECTED), None)
            .await
            .status(),
        200
    );
}

pub(crate) async fn implicit_refresh_renews_near_expiry_and_never_revives<F: AppFactory>() {
    // Access tokens live 30 s and the window is 60 s: every access token is "near expiry".
    let h = app_with::<F>(Duration::from_secs(30));
    let mut jar = logged_in(&h).await;
    let first = jar.get(ACCESS).to_owned();
    let sent = send(&h, &mut jar, get(session::PROTECTED), None).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.text(), session::USER);
    assert_eq!(sent.set_cookies().len(), 2, "access + csrf cookie renewed");
    assert_ne!(jar.get(ACCESS), first);
    assert_eq!(
        send(&h, &mut jar, get(session::PROTECTED), None)
            .await
            .status(),
        200
    );

    // Far from expiry: nothing is set.
    let calm = app_with::<F>(Duration::from_secs(900));
    let mut calm_jar = logged_in(&calm).await;
    let sent = send(&calm, &mut calm_jar, get(session::PROTECTED), None).await;
    assert_eq!(sent.set_cookies().len(), 0);

    // An error response is left alone.
    let sent = send(&h, &mut jar, post(session::REVOKE_ALL), None).await;
    assert_eq!(sent.status(), 401);
    assert_eq!(sent.set_cookies().len(), 0);

    // A logout response is not overridden.
    let sent = send(&h, &mut jar, post(session::LOGOUT), Some(ACCESS_CSRF)).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.set_cookies().len(), 4);
    assert!(jar.names().is_empty());
}

pub(crate) async fn implicit_refresh_loses_the_race_with_a_logout<F: AppFactory>() {
    let h = app_with::<F>(Duration::from_secs(30));
    let mut jar = logged_in(&h).await;
    let stale = jar.clone();
    // The session is revoked while this request runs its handler: no new cookie comes back.
    let sent = send(&h, &mut jar, get(session::RACE), None).await;
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.set_cookies().len(), 0, "a revoked session was revived");
    let sent = send(&h, &mut jar, get(session::PROTECTED), None).await;
    assert_eq!(sent.status(), 401);
    // A request on a public page with the revoked cookie gets no new cookie either.
    let mut stale = stale;
    let sent = send(&h, &mut stale, get(session::PUBLIC), None).await;
    assert_eq!(
        sent.status(),
        401,
        "the optional extractor still refuses a revoked token"
    );
    assert_eq!(sent.set_cookies().len(), 0);
}

pub(crate) async fn logout_with_only_an_expired_access_token_says_it_expired<F: AppFactory>() {
    let h = app_with::<F>(Duration::from_secs(1));
    let mut jar = logged_in(&h)
        .await
        .only(&[ACCESS, ACCESS_CSRF, REFRESH_CSRF]);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let sent = send(&h, &mut jar, post(session::LOGOUT), Some(ACCESS_CSRF)).await;
    assert_eq!(sent.status(), 401);
    assert!(sent.text().contains("token_expired"), "{}", sent.text());
    assert_eq!(sent.set_cookies().len(), 0, "nothing changes");
}

/// A token past `exp` but within the leeway still verifies, so its revocation must hold as
/// long: revoking it and then presenting it inside the leeway is refused.
pub(crate) async fn a_revoked_token_stays_revoked_through_the_leeway<F: AppFactory>() {
    let h = harness::<F>(base().token_location([TokenLocation::Headers]).leeway(60));
    // Expired 5 seconds ago (signed with the same key): only the leeway lets it verify.
    let now = now();
    let token = forge(
        &json!({"typ": "JWT", "alg": "HS256"}),
        &json!({
            "sub": session::USER, "iat": now - 65, "exp": now - 5, "jti": "leeway-test",
            "type": "access", "fresh": false,
        }),
    );
    let claims: Claims = h.auth.verify_token(&token, TokenType::Access).unwrap();
    let (parts, _) = http::Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap()
        .into_parts();
    let accepted = h
        .auth
        .authenticate::<NoCustomClaims>(&parts, &Protection::access())
        .await;
    assert!(
        accepted.unwrap().is_some(),
        "inside the leeway before revocation"
    );
    h.send(get(PROTECTED_ROUTE).bearer(&token))
        .await
        .assert_user(session::USER, "inside the leeway before revocation");
    h.auth.revoke(&claims).await.unwrap();
    let refused = h
        .auth
        .authenticate::<NoCustomClaims>(&parts, &Protection::access())
        .await;
    assert_eq!(refused.unwrap_err(), AuthError::TokenRevoked);
    h.send(get(PROTECTED_ROUTE).bearer(&token))
        .await
        .assert_rejected(401, "token_revoked", "revoked inside the leeway");
}
