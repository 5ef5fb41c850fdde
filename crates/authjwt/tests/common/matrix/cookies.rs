//! Matrix cases: cookies.

use std::time::Duration;

use authjwt::{claims::TokenType, config::SameSite};

use super::{EXPIRES_EPOCH, cookie_value, creds, label};
use crate::common::names::{ACCESS, ACCESS_CSRF, REFRESH, REFRESH_CSRF};
use crate::common::routes::{
    LOGIN, LOGOUT, MANUAL, MANUAL_OWN_COOKIE, OPTIONAL, POSTS, PROTECTED, REFRESH as REFRESH_ROUTE,
    USER,
};
use crate::common::{AppFactory, Jar, base, delete, get, harness, payload, post};

pub(crate) async fn set_cookie_strings_default<F: AppFactory>() {
    let h = harness::<F>(base());
    let sent = h.send(post(LOGIN).json(&creds())).await;
    sent.assert_ok("login");
    let set = sent.set_cookies();
    assert_eq!(set.len(), 4, "{set:?}");
    let names = [ACCESS, ACCESS_CSRF, REFRESH, REFRESH_CSRF];
    let http_only = [true, false, true, false];
    for ((s, name), http_only) in set.iter().zip(names).zip(http_only) {
        let value = cookie_value(s, name);
        let flag = if http_only { "HttpOnly; " } else { "" };
        assert_eq!(
            *s,
            format!("{name}={value}; {flag}SameSite=Lax; Secure; Path=/")
        );
    }
    let jar = Jar::from_sent(&sent);
    h.auth
        .verify_token::<authjwt::claims::NoCustomClaims>(jar.get(ACCESS), TokenType::Access)
        .unwrap();
    h.auth
        .verify_token::<authjwt::claims::NoCustomClaims>(jar.get(REFRESH), TokenType::Refresh)
        .unwrap();
}

pub(crate) async fn set_cookie_strings_custom_attributes<F: AppFactory>() {
    let h = harness::<F>(
        base()
            .cookie_domain("app.example")
            .cookie_samesite(SameSite::Strict)
            .cookie_secure(false)
            .refresh_cookie_path(REFRESH_ROUTE)
            .refresh_csrf_cookie_path(REFRESH_ROUTE)
            .access_csrf_cookie_path("/app"),
    );
    let sent = h.send(post(LOGIN).json(&creds())).await;
    sent.assert_ok("login");
    let set = sent.set_cookies();
    let v = |i: usize, name: &str| cookie_value(&set[i], name).to_owned();
    assert_eq!(
        set,
        [
            format!(
                "{ACCESS}={}; HttpOnly; SameSite=Strict; Path=/; Domain=app.example",
                v(0, ACCESS)
            ),
            format!(
                "{ACCESS_CSRF}={}; SameSite=Strict; Path=/app; Domain=app.example",
                v(1, ACCESS_CSRF)
            ),
            format!(
                "{REFRESH}={}; HttpOnly; SameSite=Strict; Path=/refresh; Domain=app.example",
                v(2, REFRESH)
            ),
            format!(
                "{REFRESH_CSRF}={}; SameSite=Strict; Path=/refresh; Domain=app.example",
                v(3, REFRESH_CSRF)
            ),
        ]
    );
    // Unset keeps Path, Domain, Secure and SameSite, or browsers would keep the cookies.
    let jar = Jar::from_sent(&sent);
    let sent = h
        .send(delete(LOGOUT).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await;
    sent.assert_ok("logout");
    let gone = |name: &str, flag: &str, path: &str| {
        format!(
            "{name}=; {flag}SameSite=Strict; Path={path}; Domain=app.example; Max-Age=0; \
             {EXPIRES_EPOCH}"
        )
    };
    assert_eq!(
        sent.set_cookies(),
        [
            gone(ACCESS, "HttpOnly; ", "/"),
            gone(ACCESS_CSRF, "", "/app"),
            gone(REFRESH, "HttpOnly; ", "/refresh"),
            gone(REFRESH_CSRF, "", "/refresh"),
        ]
    );
}

pub(crate) async fn set_cookie_strings_samesite_none<F: AppFactory>() {
    let h = harness::<F>(base().cookie_samesite(SameSite::None));
    let sent = h.send(post(LOGIN).json(&creds())).await;
    sent.assert_ok("login");
    let set = sent.set_cookies();
    assert_eq!(
        set[0],
        format!(
            "{ACCESS}={}; HttpOnly; SameSite=None; Secure; Path=/",
            cookie_value(&set[0], ACCESS)
        )
    );
    assert_eq!(
        set[1],
        format!(
            "{ACCESS_CSRF}={}; SameSite=None; Secure; Path=/",
            cookie_value(&set[1], ACCESS_CSRF)
        )
    );
    let jar = Jar::from_sent(&sent);
    let sent = h
        .send(delete(LOGOUT).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await;
    assert_eq!(
        sent.set_cookies()[0],
        format!("{ACCESS}=; HttpOnly; SameSite=None; Secure; Path=/; Max-Age=0; {EXPIRES_EPOCH}")
    );
}

pub(crate) async fn session_and_persistent_cookies<F: AppFactory>() {
    let max_age = |s: &str| -> Option<u64> {
        s.split("; ")
            .find_map(|a| a.strip_prefix("Max-Age="))
            .map(|v| v.parse().unwrap())
    };
    // Default: session cookies, neither Max-Age nor Expires.
    let session = harness::<F>(base());
    let sent = session.send(post(LOGIN).json(&creds())).await;
    for s in sent.set_cookies() {
        assert!(!s.contains("Max-Age") && !s.contains("Expires"), "{s}");
    }
    // A configured Max-Age on all four.
    let fixed = harness::<F>(base().cookie_max_age(Duration::from_secs(3600)));
    let sent = fixed.send(post(LOGIN).json(&creds())).await;
    let set = sent.set_cookies();
    assert_eq!(set.len(), 4);
    for s in &set {
        assert!(s.ends_with("; Path=/; Max-Age=3600"), "{s}");
        assert!(!s.contains("Expires"), "{s}");
    }
    // Persistent without a Max-Age: the token's lifetime (one second of slack for the clock).
    let lifetime = harness::<F>(base().session_cookie(false));
    let sent = lifetime.send(post(LOGIN).json(&creds())).await;
    let set = sent.set_cookies();
    for (s, secs) in set.iter().zip([900, 900, 2_592_000, 2_592_000]) {
        let got = max_age(s).unwrap_or_else(|| panic!("no Max-Age in {s}"));
        assert!(
            got == secs || got + 1 == secs,
            "{s}: expected Max-Age={secs}"
        );
    }
    // Refresh re-sets the access cookies with the same policy.
    let sent = fixed
        .send(post(REFRESH_ROUTE).bearer(&fixed.refresh("alice")))
        .await;
    sent.assert_ok("refresh");
    for s in sent.set_cookies() {
        assert_eq!(max_age(&s), Some(3600), "{s}");
    }
}

pub(crate) async fn host_prefix_cookies<F: AppFactory>() {
    let h = harness::<F>(base().host_prefix(true));
    let sent = h.send(post(LOGIN).json(&creds())).await;
    sent.assert_ok("login");
    let set = sent.set_cookies();
    let names = [
        "__Host-access_token_cookie",
        "__Host-csrf_access_token",
        "__Host-refresh_token_cookie",
        "__Host-csrf_refresh_token",
    ];
    for ((s, name), flag) in set
        .iter()
        .zip(names)
        .zip(["HttpOnly; ", "", "HttpOnly; ", ""])
    {
        let value = cookie_value(s, name);
        assert_eq!(
            *s,
            format!("{name}={value}; {flag}SameSite=Lax; Secure; Path=/")
        );
    }
    let jar = Jar::from_sent(&sent);
    let token = jar.get("__Host-access_token_cookie").to_owned();
    h.send(get(PROTECTED).jar(&jar))
        .await
        .assert_user(USER, "prefixed cookie");
    h.send(
        post(POSTS)
            .jar(&jar)
            .csrf(jar.get("__Host-csrf_access_token")),
    )
    .await
    .assert_user(USER, "prefixed cookie, POST");
    for lookalike in [
        format!("{ACCESS}={token}"),
        format!("%5F%5FHost-access_token_cookie={token}"),
        format!("__host-access_token_cookie={token}"),
        format!("__HOST-access_token_cookie={token}"),
        format!("__Host-access_token_cookie ={token}"),
        format!("x=1;  __Host-access_token_cookie={token}"),
    ] {
        h.send(get(PROTECTED).cookie(&*lookalike))
            .await
            .assert_rejected(401, "missing_token", &lookalike);
    }
    let sent = h
        .send(
            delete(LOGOUT)
                .jar(&jar)
                .csrf(jar.get("__Host-csrf_access_token")),
        )
        .await;
    sent.assert_ok("logout");
    for (s, name) in sent.set_cookies().iter().zip(names) {
        assert!(s.starts_with(&format!("{name}=; ")), "{s}");
        assert!(s.contains("; Secure; Path=/; Max-Age=0"), "{s}");
        assert!(!s.contains("Domain"), "{s}");
    }
}

pub(crate) async fn csrf_cookies_can_be_turned_off<F: AppFactory>() {
    let h = harness::<F>(base().csrf_in_cookies(false));
    let sent = h.send(post(LOGIN).json(&creds())).await;
    sent.assert_ok("login");
    let jar = Jar::from_sent(&sent);
    assert_eq!(jar.names(), [ACCESS, REFRESH]);
    // The claim is still there and still required on unsafe methods.
    let csrf = payload(jar.get(ACCESS))["csrf"]
        .as_str()
        .unwrap()
        .to_owned();
    h.send(post(POSTS).jar(&jar))
        .await
        .assert_rejected(401, "csrf_missing", "no header");
    h.send(post(POSTS).jar(&jar).csrf(&csrf))
        .await
        .assert_user(USER, "the claim's value");
}

pub(crate) async fn duplicate_auth_cookies<F: AppFactory>() {
    let h = harness::<F>(base());
    let (a, b) = (h.access("alice"), h.access("bob"));
    let conflicting = [
        get(PROTECTED).cookie(format!("{ACCESS}={a}; {ACCESS}={b}")),
        get(PROTECTED).cookie(format!("{ACCESS}={b}; {ACCESS}={a}")),
        get(PROTECTED)
            .cookie(format!("{ACCESS}={a}"))
            .cookie(format!("{ACCESS}={b}")),
        get(PROTECTED).cookie(format!("{ACCESS}={a}; {ACCESS}=planted")),
        get(PROTECTED).cookie(format!("{ACCESS}={a}; {ACCESS}=")),
        get(OPTIONAL).cookie(format!("{ACCESS}={a}; {ACCESS}={b}")),
        post(REFRESH_ROUTE).cookie(format!(
            "{REFRESH}={}; {REFRESH}={}",
            h.refresh("alice"),
            h.refresh("bob")
        )),
    ];
    for req in conflicting {
        let ctx = label(&req);
        h.send(req)
            .await
            .assert_rejected(401, "invalid_token", &ctx);
    }
    h.send(get(PROTECTED).cookie(format!("{ACCESS}={a}; {ACCESS}={a}")))
        .await
        .assert_user("alice", "the same value twice");
    h.send(
        get(PROTECTED)
            .cookie(format!("{ACCESS}={a}"))
            .cookie(format!("{ACCESS}={a}")),
    )
    .await
    .assert_user("alice", "the same value in two Cookie headers");
}

pub(crate) async fn lookalike_cookie_names_are_other_cookies<F: AppFactory>() {
    let h = harness::<F>(base());
    let (a, b) = (h.access("alice"), h.access("bob"));
    let lookalikes = [
        format!("Access_Token_Cookie={b}"),
        format!("ACCESS_TOKEN_COOKIE={b}"),
        format!("access_token_cookie ={b}"),
        format!("x=1;  access_token_cookie={b}"),
        format!("x=1;\taccess_token_cookie={b}"),
        format!("%61ccess_token_cookie={b}"),
        format!("access%5Ftoken%5Fcookie={b}"),
        format!("\"access_token_cookie\"={b}"),
        format!("access_token_cookie_={b}"),
        format!("xaccess_token_cookie={b}"),
    ];
    for lookalike in &lookalikes {
        h.send(get(PROTECTED).cookie(lookalike.as_str()))
            .await
            .assert_rejected(401, "missing_token", lookalike);
        // Next to the real cookie, a look-alike neither wins nor conflicts.
        h.send(get(PROTECTED).cookie(format!("{lookalike}; {ACCESS}={a}")))
            .await
            .assert_user("alice", lookalike);
        h.send(get(PROTECTED).cookie(format!("{ACCESS}={a}; {lookalike}")))
            .await
            .assert_user("alice", lookalike);
    }
}

pub(crate) async fn handler_built_response_keeps_its_cookies<F: AppFactory>() {
    let h = harness::<F>(base());
    let sent = h.send(get(MANUAL)).await;
    assert_eq!(sent.assert_ok("manual")["msg"], "manual");
    let set = sent.set_cookies();
    assert_eq!(set.len(), 3, "{set:?}");
    assert_eq!(
        set[0], MANUAL_OWN_COOKIE,
        "the handler's own cookie is kept first"
    );
    assert_eq!(
        set[1],
        format!(
            "{ACCESS}={}; HttpOnly; SameSite=Lax; Secure; Path=/",
            cookie_value(&set[1], ACCESS)
        )
    );
    assert!(set[2].starts_with(&format!("{ACCESS_CSRF}=")), "{set:?}");
    let jar = Jar::from_sent(&sent);
    h.send(get(PROTECTED).jar(&jar))
        .await
        .assert_user("manual", "cookies applied by hand");
    h.send(post(POSTS).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await
        .assert_user("manual", "cookies applied by hand, POST");
}
