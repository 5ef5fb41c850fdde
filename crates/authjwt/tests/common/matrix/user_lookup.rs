//! Matrix cases: user lookup (`CurrentUser`).

use std::time::Duration;

use authjwt::{claims::TokenType, tokens::TokenOptions};
use serde_json::json;

use super::label;
use crate::common::names::{ACCESS_CSRF, REFRESH_CSRF};
use crate::common::routes::{ADMIN, LOGIN, ME, ME_HOOK, USER};
use crate::common::{
    AppFactory, Harness, LOOKUP_DOWN, LOOKUP_DOWN_MESSAGE, OTHER_SECRET, Roles, TestAdmins,
    TestUsers, access_claims, base, forge, forge_hmac, get, harness, post, with_users,
};

/// An access token for `sub` carrying the [`Roles`] claims `/admin` reads.
fn with_roles<A>(h: &Harness<A>, sub: &str, roles: &[&str]) -> String {
    let roles = Roles {
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
    };
    h.auth
        .create_token(TokenType::Access, sub, TokenOptions::new().claims(roles))
        .unwrap()
        .into_string()
}

pub(crate) async fn current_user_reaches_the_handler_with_its_user<F: AppFactory>() {
    let users = TestUsers::default();
    let h = harness::<F>(with_users(base(), &users));
    let v = h
        .send(get(ME).bearer(&h.access("alice")))
        .await
        .assert_user("alice", "bearer");
    assert_eq!(
        v,
        json!({"user": "alice", "location": "headers", "name": "alice", "email": "alice@example.com"})
    );
    let jar = h.login(LOGIN).await;
    let v = h.send(get(ME).jar(&jar)).await.assert_user(USER, "cookie");
    assert_eq!(v["location"], "cookies");
    assert_eq!(v["email"], format!("{USER}@example.com"));
    h.send(post(ME).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await
        .assert_user(USER, "cookie POST with CSRF");
    // The route's options apply as for AccessToken: this one is exempt from CSRF.
    h.send(post(ME_HOOK).jar(&jar))
        .await
        .assert_user(USER, "route exempt from CSRF");
    assert_eq!(users.calls(), 4, "one lookup per request");
    // A second user type, looked up from custom claims.
    let v = h
        .send(get(ADMIN).bearer(&with_roles(&h, "root", &["reader", "admin"])))
        .await
        .assert_user("root", "admin");
    assert_eq!(v["admin"], "root");
}

pub(crate) async fn current_user_refuses_subjects_that_name_no_user<F: AppFactory>() {
    let users = TestUsers::default();
    let h = harness::<F>(with_users(base(), &users));
    // Correctly signed, unexpired, unrevoked tokens whose subject is not a user: the lookup
    // matches subjects byte for byte, so case, spaces and look-alike code points differ.
    let subjects = [
        "ghost",
        "ALICE",
        "Alice",
        "alice ",
        " alice",
        "alice\n",
        "\u{ff41}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}", // full-width "alice"
        "al\u{200d}ice",                            // zero-width joiner
        "alice\u{200b}",                            // zero-width space
        "ali\u{0441}e",                             // Cyrillic es
        "alice\0",
        "",
    ];
    for sub in subjects {
        let jar = h.jar_for(sub);
        let reqs = [
            get(ME).bearer(&h.access(sub)),
            get(ME).jar(&jar),
            post(ME).jar(&jar).csrf(jar.get(ACCESS_CSRF)),
            post(ME_HOOK).jar(&jar),
        ];
        for req in reqs {
            let ctx = format!("{} for {sub:?}", label(&req));
            let sent = h.send(req).await;
            sent.assert_rejected(401, "user_not_found", &ctx);
            assert_eq!(sent.header("www-authenticate"), Some("Bearer"), "{ctx}");
            let detail = sent.json()["detail"].as_str().unwrap().to_owned();
            assert!(sub.len() < 2 || !detail.contains(sub), "{ctx}: {detail}");
        }
    }
    // A token signed outside the library, with the application's key: the same answer.
    let forged = forge(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &access_claims("nobody"),
    );
    h.send(get(ME).bearer(&forged)).await.assert_rejected(
        401,
        "user_not_found",
        "hand-signed token",
    );
    assert_eq!(users.calls(), subjects.len() * 4 + 1);
    // The admin lookup finds no admin in a token without the role.
    h.send(get(ADMIN).bearer(&with_roles(&h, "root", &["reader"])))
        .await
        .assert_rejected(401, "user_not_found", "no admin role");
}

pub(crate) async fn current_user_stops_at_a_deleted_user<F: AppFactory>() {
    let users = TestUsers::default();
    let h = harness::<F>(with_users(base(), &users));
    let bob = h.access("bob");
    let bob_jar = h.jar_for("bob");
    h.send(get(ME).bearer(&bob))
        .await
        .assert_user("bob", "before the deletion");
    users.delete("bob");
    h.send(get(ME).bearer(&bob)).await.assert_rejected(
        401,
        "user_not_found",
        "the same token after the deletion",
    );
    h.send(post(ME).jar(&bob_jar).csrf(bob_jar.get(ACCESS_CSRF)))
        .await
        .assert_rejected(401, "user_not_found", "bob's cookies after the deletion");
    h.send(get(ME).bearer(&h.access("alice")))
        .await
        .assert_user("alice", "other users are unaffected");
}

pub(crate) async fn current_user_authenticates_like_access_token<F: AppFactory>() {
    let users = TestUsers::default();
    let h = harness::<F>(with_users(base(), &users));
    let jar = h.login(LOGIN).await;
    let expired = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap()
        .into_string();
    let revoked = h.access("alice");
    let claims = h
        .auth
        .verify_token::<authjwt::claims::NoCustomClaims>(&revoked, TokenType::Access)
        .unwrap();
    h.auth.revoke(&claims).await.unwrap();
    let other_key = forge_hmac(
        aws_lc_rs::hmac::HMAC_SHA256,
        OTHER_SECRET,
        &json!({"alg": "HS256"}),
        &access_claims("alice"),
    );
    let cases = [
        (get(ME), 401, "missing_token"),
        (get(ME).bearer("garbage"), 401, "invalid_token"),
        (get(ME).bearer(&other_key), 401, "invalid_token"),
        (get(ME).bearer(&h.refresh("alice")), 401, "wrong_token_type"),
        (get(ME).bearer(&expired), 401, "token_expired"),
        (get(ME).bearer(&revoked), 401, "token_revoked"),
        (post(ME).jar(&jar), 401, "csrf_missing"),
        (
            post(ME).jar(&jar).csrf(jar.get(REFRESH_CSRF)),
            401,
            "csrf_mismatch",
        ),
        (
            post(ME)
                .jar(&jar)
                .csrf(jar.get(ACCESS_CSRF))
                .fetch_site("cross-site"),
            403,
            "cross_site_request",
        ),
        // The admin lookup's claims type needs `roles`.
        (get(ADMIN).bearer(&h.access("alice")), 401, "invalid_claims"),
    ];
    for (req, status, code) in cases {
        let ctx = label(&req);
        h.send(req).await.assert_rejected(status, code, &ctx);
    }
    assert_eq!(users.calls(), 0, "no refused token reached the lookup");
}

pub(crate) async fn current_user_lookup_failure_is_unavailable<F: AppFactory>() {
    let users = TestUsers::default();
    let h = harness::<F>(with_users(base(), &users));
    let sent = h.send(get(ME).bearer(&h.access(LOOKUP_DOWN))).await;
    sent.assert_rejected(503, "user_lookup_unavailable", "lookup failed");
    assert!(
        !sent.text().contains(LOOKUP_DOWN_MESSAGE),
        "the lookup's error stays in the logs: {}",
        sent.text()
    );
    assert_eq!(
        sent.header("www-authenticate"),
        None,
        "not the client's fault"
    );
    assert_eq!(users.calls(), 1);
}

pub(crate) async fn current_user_without_a_lookup_is_a_server_error<F: AppFactory>() {
    let h = harness::<F>(base());
    let reqs = [
        get(ME).bearer(&h.access("alice")),
        get(ME),
        get(ADMIN).bearer(&with_roles(&h, "root", &["admin"])),
    ];
    for req in reqs {
        let ctx = label(&req);
        let sent = h.send(req).await;
        sent.assert_rejected(500, "auth_misconfigured", &ctx);
        let detail = sent.json()["detail"].as_str().unwrap().to_owned();
        assert!(
            detail.contains("UserLookup") && detail.contains("user_lookup"),
            "{ctx}: the message names what is missing: {detail}"
        );
    }
    // A lookup for another user type does not serve this one.
    let h = harness::<F>(base().user_lookup(TestAdmins));
    h.send(get(ME).bearer(&h.access("alice")))
        .await
        .assert_rejected(500, "auth_misconfigured", "only the admin lookup");
}
