//! The token lifecycle through a real axum Router with cookies and CSRF: logout that revokes,
//! refresh rotation with reuse detection, revoke-all, and the implicit-refresh layer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
#![cfg(feature = "axum")]

use std::collections::HashMap;
use std::time::Duration;

use authjwt::axum::{AccessToken, OptionalAccessToken};
use authjwt::{Auth, AuthRejection, Config, NoCustomClaims, Protection, SetCookies, TokenLocation};
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn auth_with(access_expires: Duration) -> Auth {
    auth_with_window(access_expires, Duration::from_secs(30))
}

/// `window` is the refresh reuse window; `Duration::ZERO` is strict rotation.
fn auth_with_window(access_expires: Duration, window: Duration) -> Auth {
    Auth::new(
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Cookies])
            .cookie_secure(false)
            .access_expires(access_expires)
            .refresh_reuse_window(window)
            .build()
            .unwrap(),
    )
}

fn app(auth: &Auth) -> Router {
    async fn login(auth: Auth) -> (SetCookies, &'static str) {
        let login = auth.create_login_tokens("user1").unwrap();
        (login.cookies(&auth), "in")
    }
    async fn protected(AccessToken(user): AccessToken) -> String {
        user.subject().to_owned()
    }
    async fn public(OptionalAccessToken(_): OptionalAccessToken) -> &'static str {
        "public"
    }
    async fn refresh(
        auth: Auth,
        req: Request,
    ) -> Result<(SetCookies, &'static str), AuthRejection> {
        let (parts, _) = req.into_parts();
        let next = auth
            .refresh::<NoCustomClaims>(&parts, &Protection::refresh())
            .await
            .map_err(|e| auth.reject(e))?;
        Ok((next.cookies(&auth), "refreshed"))
    }
    async fn logout(auth: Auth, req: Request) -> Result<(SetCookies, &'static str), AuthRejection> {
        let (parts, _) = req.into_parts();
        Ok((
            auth.logout(&parts).await.map_err(|e| auth.reject(e))?,
            "out",
        ))
    }
    async fn logout_everywhere(
        auth: Auth,
        AccessToken(user): AccessToken,
    ) -> Result<&'static str, AuthRejection> {
        auth.revoke_all(user.subject())
            .await
            .map_err(|e| auth.reject(e))?;
        Ok("revoked")
    }
    // Simulates a logout from another tab landing while this request is in its handler.
    async fn racing_logout(auth: Auth, AccessToken(user): AccessToken) -> &'static str {
        auth.revoke(user.claims()).await.unwrap();
        "raced"
    }
    Router::new()
        .route("/login", post(login))
        .route("/protected", get(protected))
        .route("/public", get(public))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/revoke-all", post(logout_everywhere))
        .route("/race", get(racing_logout))
        .layer(auth.implicit_refresh_layer(Duration::from_secs(60)))
        .layer(auth.layer())
}

/// A minimal browser cookie jar: applies Set-Cookie (Max-Age=0 deletes).
#[derive(Default, Clone)]
struct Jar(HashMap<String, String>);

impl Jar {
    fn absorb(&mut self, headers: &HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
    }
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
    fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }
}

async fn send(
    app: &Router,
    jar: &mut Jar,
    method: &str,
    uri: &str,
    csrf: Option<&str>,
) -> (StatusCode, String, HeaderMap) {
    let mut req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("cookie", jar.header());
    if let Some(c) = csrf {
        req = req.header("x-csrf-token", jar.get(c));
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    jar.absorb(&parts.headers);
    let body = String::from_utf8_lossy(&body.collect().await.unwrap().to_bytes()).into_owned();
    (parts.status, body, parts.headers)
}

async fn logged_in(app: &Router) -> Jar {
    let mut jar = Jar::default();
    let (status, _, _) = send(app, &mut jar, "POST", "/login", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jar.0.len(), 4);
    jar
}

#[tokio::test]
async fn logout_needs_csrf_then_revokes_and_clears_all_four_cookies() {
    let auth = auth_with(Duration::from_secs(900));
    let app = app(&auth);
    let mut jar = logged_in(&app).await;
    let stolen = jar.clone();

    let (status, body, _) = send(&app, &mut jar, "POST", "/logout", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("csrf_missing"), "{body}");
    assert_eq!(
        send(&app, &mut jar, "GET", "/protected", None).await.0,
        StatusCode::OK,
        "nothing changed"
    );

    let (status, _, headers) =
        send(&app, &mut jar, "POST", "/logout", Some("csrf_access_token")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get_all("set-cookie").iter().count(), 4);
    assert!(
        jar.0.is_empty(),
        "all four cookies cleared: {:?}",
        jar.0.keys()
    );

    // A copy of the cookies taken before logout is dead: access and refresh alike.
    let mut replay = stolen.clone();
    let (status, body, _) = send(&app, &mut replay, "GET", "/protected", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("token_revoked"), "{body}");
    let mut replay = stolen;
    let (status, body, _) = send(
        &app,
        &mut replay,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("token_revoked"), "{body}");
}

#[tokio::test]
async fn logout_with_an_expired_access_token_uses_the_refresh_csrf() {
    let auth = auth_with(Duration::from_secs(1));
    let app = app(&auth);
    let mut jar = logged_in(&app).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body, _) =
        send(&app, &mut jar, "POST", "/logout", Some("csrf_access_token")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the access csrf does not prove the refresh token"
    );
    assert!(body.contains("csrf_mismatch"), "{body}");
    let (status, _, _) = send(
        &app,
        &mut jar,
        "POST",
        "/logout",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(jar.0.is_empty());
}

#[tokio::test]
async fn other_sessions_of_the_same_user_survive_logout() {
    let auth = auth_with(Duration::from_secs(900));
    let app = app(&auth);
    let mut laptop = logged_in(&app).await;
    let mut phone = logged_in(&app).await;
    assert_eq!(
        send(
            &app,
            &mut laptop,
            "POST",
            "/logout",
            Some("csrf_access_token")
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, &mut phone, "GET", "/protected", None).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn strict_refresh_rotates_and_detects_reuse() {
    let auth = auth_with_window(Duration::from_secs(900), Duration::ZERO);
    let app = app(&auth);
    let mut jar = logged_in(&app).await;
    let before = jar.clone();

    let (status, body, _) = send(&app, &mut jar, "POST", "/refresh", None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "refresh needs its csrf header"
    );
    assert!(body.contains("csrf_missing"));

    let (status, _, _) = send(
        &app,
        &mut jar,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(
        jar.get("refresh_token_cookie"),
        before.get("refresh_token_cookie"),
        "rotated"
    );
    assert_ne!(
        jar.get("access_token_cookie"),
        before.get("access_token_cookie")
    );
    assert_eq!(
        send(&app, &mut jar, "GET", "/protected", None).await.0,
        StatusCode::OK
    );

    // The old refresh token comes back (stolen copy): strict rotation ends the whole session.
    let mut thief = before;
    let (status, body, _) = send(
        &app,
        &mut thief,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("refresh_token_reused"), "{body}");
    let (status, body, _) = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the legitimate session is ended too"
    );
    assert!(body.contains("token_revoked"));
    let (status, _, _) = send(
        &app,
        &mut jar,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn strict_concurrent_refreshes_with_one_token_never_yield_two_live_sessions() {
    let auth = auth_with_window(Duration::from_secs(900), Duration::ZERO);
    let app = app(&auth);
    for _ in 0..20 {
        let jar = logged_in(&app).await;
        let (mut a, mut b) = (jar.clone(), jar);
        let (ra, rb) = tokio::join!(
            send(&app, &mut a, "POST", "/refresh", Some("csrf_refresh_token")),
            send(&app, &mut b, "POST", "/refresh", Some("csrf_refresh_token"))
        );
        let ok = [&ra, &rb].iter().filter(|r| r.0 == StatusCode::OK).count();
        assert_eq!(ok, 1, "strict rotation: exactly one refresh succeeds");
        let loser = if ra.0 == StatusCode::OK { &rb } else { &ra };
        assert!(loser.1.contains("refresh_token_reused"), "{}", loser.1);
        let live_a = send(&app, &mut a, "GET", "/protected", None).await.0 == StatusCode::OK;
        let live_b = send(&app, &mut b, "GET", "/protected", None).await.0 == StatusCode::OK;
        assert!(
            !live_a && !live_b,
            "strict rotation: the race ends the session"
        );
    }
}

#[tokio::test]
async fn a_replay_within_the_window_gets_the_same_successor_and_an_older_token_ends_the_session() {
    let auth = auth_with(Duration::from_secs(900));
    let app = app(&auth);
    let mut jar = logged_in(&app).await;
    let before = jar.clone();

    let (status, _, headers) = send(
        &app,
        &mut jar,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get_all("set-cookie").iter().count(), 4);
    assert_ne!(
        jar.get("refresh_token_cookie"),
        before.get("refresh_token_cookie")
    );
    // The session keeps its CSRF values, and they stay distinct.
    for csrf in ["csrf_access_token", "csrf_refresh_token"] {
        assert_eq!(jar.get(csrf), before.get(csrf), "{csrf}");
    }
    assert_ne!(jar.get("csrf_access_token"), jar.get("csrf_refresh_token"));

    // A second tab (or a retry after a lost answer) presents the same token: 200, the same
    // successor, all four cookies set again.
    let mut tab = before.clone();
    let (status, _, headers) = send(
        &app,
        &mut tab,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get_all("set-cookie").iter().count(), 4);
    assert_eq!(
        tab.get("refresh_token_cookie"),
        jar.get("refresh_token_cookie")
    );
    assert_eq!(tab.get("csrf_access_token"), jar.get("csrf_access_token"));
    let (status, body, _) = send(&app, &mut tab, "GET", "/protected", None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "user1"));
    // A post with the CSRF value read before the refresh still matches the new access token.
    assert_eq!(
        send(&app, &mut jar, "GET", "/protected", None).await.0,
        StatusCode::OK
    );

    // The chain goes on; the first token is now older than the previous one: reuse.
    let (status, _, _) = send(
        &app,
        &mut jar,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut thief = before;
    let (status, body, _) = send(
        &app,
        &mut thief,
        "POST",
        "/refresh",
        Some("csrf_refresh_token"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("refresh_token_reused"), "{body}");
    for (method, uri, csrf) in [
        ("GET", "/protected", None),
        ("POST", "/refresh", Some("csrf_refresh_token")),
    ] {
        let (status, body, _) = send(&app, &mut jar, method, uri, csrf).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        assert!(body.contains("token_revoked"), "{uri}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_refreshes_of_one_token_all_get_the_one_successor() {
    let auth = auth_with(Duration::from_secs(900));
    let app = app(&auth);
    let (mut successes, mut rounds) = (0, 0);
    for _ in 0..20 {
        let jar = logged_in(&app).await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..64 {
            let (app, mut jar) = (app.clone(), jar.clone());
            tasks.spawn(async move {
                let (status, body, _) = send(
                    &app,
                    &mut jar,
                    "POST",
                    "/refresh",
                    Some("csrf_refresh_token"),
                )
                .await;
                (status, body, jar)
            });
        }
        let mut successors = std::collections::HashSet::new();
        let mut last = None;
        while let Some(done) = tasks.join_next().await {
            let (status, body, jar) = done.unwrap();
            assert_eq!(status, StatusCode::OK, "{body}");
            successes += 1;
            successors.insert(jar.get("refresh_token_cookie"));
            last = Some(jar);
        }
        assert_eq!(successors.len(), 1, "one successor per refresh token");
        let mut jar = last.unwrap();
        assert_eq!(
            send(&app, &mut jar, "GET", "/protected", None).await.0,
            StatusCode::OK
        );
        let (status, _, _) = send(
            &app,
            &mut jar,
            "POST",
            "/refresh",
            Some("csrf_refresh_token"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "the session goes on");
        rounds += 1;
    }
    println!(
        "{rounds} rounds of 64 concurrent refreshes: {successes} answers 200, one successor each"
    );
}

#[tokio::test]
async fn revoke_all_ends_every_session_issued_before() {
    let auth = auth_with(Duration::from_secs(900));
    let app = app(&auth);
    let mut laptop = logged_in(&app).await;
    let mut phone = logged_in(&app).await;
    assert_eq!(
        send(
            &app,
            &mut laptop,
            "POST",
            "/revoke-all",
            Some("csrf_access_token")
        )
        .await
        .0,
        StatusCode::OK
    );
    for jar in [&mut laptop, &mut phone] {
        let (status, body, _) = send(&app, jar, "GET", "/protected", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("token_revoked"));
        assert_eq!(
            send(&app, jar, "POST", "/refresh", Some("csrf_refresh_token"))
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
    }
    // A login after the revoke-all (next second on) works again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut fresh = logged_in(&app).await;
    assert_eq!(
        send(&app, &mut fresh, "GET", "/protected", None).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn implicit_refresh_renews_near_expiry_and_never_revives() {
    // Access tokens live 30 s and the window is 60 s: every access token is "near expiry".
    let auth = auth_with(Duration::from_secs(30));
    let app = app(&auth);
    let mut jar = logged_in(&app).await;
    let first = jar.get("access_token_cookie");
    let (status, _, headers) = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get_all("set-cookie").iter().count(),
        2,
        "access + csrf cookie renewed"
    );
    assert_ne!(jar.get("access_token_cookie"), first);
    assert_eq!(
        send(&app, &mut jar, "GET", "/protected", None).await.0,
        StatusCode::OK
    );

    // Far from expiry: nothing is set.
    let calm = auth_with(Duration::from_secs(900));
    let calm_app = self::app(&calm);
    let mut calm_jar = logged_in(&calm_app).await;
    let (_, _, headers) = send(&calm_app, &mut calm_jar, "GET", "/protected", None).await;
    assert_eq!(headers.get_all("set-cookie").iter().count(), 0);

    // A logout response is not overridden.
    let (status, _, headers) =
        send(&app, &mut jar, "POST", "/logout", Some("csrf_access_token")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get_all("set-cookie").iter().count(), 4);
    assert!(jar.0.is_empty());
}

#[tokio::test]
async fn implicit_refresh_loses_the_race_with_a_logout() {
    let auth = auth_with(Duration::from_secs(30));
    let app = app(&auth);
    let mut jar = logged_in(&app).await;
    let stale = jar.clone();
    // The session is revoked while this request runs its handler: no new cookie comes back.
    let (status, _, headers) = send(&app, &mut jar, "GET", "/race", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get_all("set-cookie").iter().count(),
        0,
        "a revoked session was revived"
    );
    let (status, _, _) = send(&app, &mut jar, "GET", "/protected", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A request on a public page with the revoked cookie gets no new cookie either.
    let mut stale = stale;
    let (status, _, headers) = send(&app, &mut stale, "GET", "/public", None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the optional extractor still refuses a revoked token"
    );
    assert_eq!(headers.get_all("set-cookie").iter().count(), 0);
}

#[tokio::test]
async fn logout_with_only_an_expired_access_token_says_it_expired() {
    let auth = auth_with(Duration::from_secs(1));
    let app = app(&auth);
    let mut jar = logged_in(&app).await;
    jar.0.remove("refresh_token_cookie");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body, headers) =
        send(&app, &mut jar, "POST", "/logout", Some("csrf_access_token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("token_expired"), "{body}");
    assert_eq!(
        headers.get_all("set-cookie").iter().count(),
        0,
        "nothing changes"
    );
}

/// A token past `exp` but within the leeway still verifies, so its revocation must hold as
/// long: revoking it and then presenting it inside the leeway is refused.
#[tokio::test]
async fn a_revoked_token_stays_revoked_through_the_leeway() {
    use authjwt::{Claims, TokenType};
    let auth = Auth::new(
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Headers])
            .leeway(60)
            .build()
            .unwrap(),
    );
    // Expired 5 seconds ago (signed with the same key): only the leeway lets it verify.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let payload = serde_json::json!({
        "sub": "user1", "iat": now - 65, "exp": now - 5, "jti": "leeway-test",
        "type": "access", "fresh": false,
    });
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &payload,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    let claims: Claims = auth.verify_token(&token, TokenType::Access).unwrap();
    let (parts, _) = http::Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap()
        .into_parts();
    let accepted = auth
        .authenticate::<NoCustomClaims>(&parts, &Protection::access())
        .await;
    assert!(
        accepted.unwrap().is_some(),
        "inside the leeway before revocation"
    );
    auth.revoke(&claims).await.unwrap();
    let refused = auth
        .authenticate::<NoCustomClaims>(&parts, &Protection::access())
        .await;
    assert_eq!(refused.unwrap_err(), authjwt::AuthError::TokenRevoked);
}
