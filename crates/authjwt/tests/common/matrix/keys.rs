//! Matrix cases: keys, responders, groups, handler-side verification.

use std::time::Duration;

use authjwt::{
    Auth, Config, TokenLocation,
    claims::TokenType,
    keys::{Algorithm, SigningKey, VerifyingKey},
    tokens::TokenOptions,
};
use serde_json::json;

use super::{RSA_PRIVATE, RSA_PUBLIC_PEM, RSA2_PRIVATE, RSA2_PUBLIC_PEM, creds, label};
use crate::common::names::{ACCESS_CSRF, REFRESH_CSRF};
use crate::common::routes::{
    CUSTOM, FRESH, GROUP_A, GROUP_B, HANDLER_HEADER, LOGIN, ME, OPTIONAL, POSTS, PROTECTED,
    REFRESH as REFRESH_ROUTE, USER, VERIFY,
};
use crate::common::{
    AppFactory, LOOKUP_DOWN, OTHER_SECRET, TestUsers, TextResponder, access_claims, base,
    forge_hmac, get, harness, jose_header, post, with_users,
};

pub(crate) async fn key_rotation_hmac<F: AppFactory>() {
    let old = SigningKey::from_secret(Algorithm::HS256, b"old-secret-0123456789abcdef-0123456789")
        .unwrap()
        .with_kid("old");
    let new = SigningKey::from_secret(Algorithm::HS256, b"new-secret-0123456789abcdef-0123456789")
        .unwrap()
        .with_kid("new");
    let issue = |key: SigningKey| {
        Auth::new(Config::builder().signing_key(key).build().unwrap())
            .create_access_token("alice")
            .unwrap()
            .into_string()
    };
    let old_token = issue(old.clone());
    assert_eq!(jose_header(&old_token)["kid"], "old");
    let headers = || Config::builder().token_location([TokenLocation::Headers]);

    let rotated = harness::<F>(
        headers()
            .signing_key(new.clone())
            .verifying_key(old.verifying_key()),
    );
    rotated
        .send(get(PROTECTED).bearer(&old_token))
        .await
        .assert_user("alice", "old kid while still a verifying key");
    let new_token = rotated.access("alice");
    assert_eq!(jose_header(&new_token)["kid"], "new");
    rotated
        .send(get(PROTECTED).bearer(&new_token))
        .await
        .assert_user("alice", "new kid");

    let removed = harness::<F>(headers().signing_key(new.clone()));
    removed
        .send(get(PROTECTED).bearer(&old_token))
        .await
        .assert_rejected(401, "invalid_token", "old kid after removal");

    let ghost = SigningKey::from_secret(Algorithm::HS256, OTHER_SECRET)
        .unwrap()
        .with_kid("ghost");
    rotated
        .send(get(PROTECTED).bearer(&issue(ghost)))
        .await
        .assert_rejected(401, "invalid_token", "unknown kid");
    let impostor = SigningKey::from_secret(Algorithm::HS256, OTHER_SECRET)
        .unwrap()
        .with_kid("old");
    rotated
        .send(get(PROTECTED).bearer(&issue(impostor)))
        .await
        .assert_rejected(401, "invalid_token", "known kid, wrong key");
    let unnamed =
        SigningKey::from_secret(Algorithm::HS256, b"old-secret-0123456789abcdef-0123456789")
            .unwrap();
    rotated
        .send(get(PROTECTED).bearer(&issue(unnamed)))
        .await
        .assert_rejected(401, "invalid_token", "old key without kid");
    let forged_kid = forge_hmac(
        aws_lc_rs::hmac::HMAC_SHA256,
        b"old-secret-0123456789abcdef-0123456789",
        &json!({"alg": "HS256", "kid": "old"}),
        &access_claims("alice"),
    );
    rotated
        .send(get(PROTECTED).bearer(&forged_kid))
        .await
        .assert_user("alice", "hand-made token under the old kid");
}

pub(crate) async fn key_rotation_rsa_and_kid_algorithm_binding<F: AppFactory>() {
    let old = SigningKey::from_pem(Algorithm::RS256, RSA_PRIVATE)
        .unwrap()
        .with_kid("rsa-1");
    let old_token = Auth::new(Config::builder().signing_key(old).build().unwrap())
        .create_access_token("alice")
        .unwrap()
        .into_string();
    let h = harness::<F>(
        Config::builder()
            .token_location([TokenLocation::Headers])
            .signing_key(
                SigningKey::from_pem(Algorithm::RS256, RSA2_PRIVATE)
                    .unwrap()
                    .with_kid("rsa-2"),
            )
            .verifying_key(
                VerifyingKey::from_pem(Algorithm::RS256, RSA_PUBLIC_PEM)
                    .unwrap()
                    .with_kid("rsa-1"),
            ),
    );
    h.send(get(PROTECTED).bearer(&old_token))
        .await
        .assert_user("alice", "old RSA key by kid");
    h.send(get(PROTECTED).bearer(&h.access("alice")))
        .await
        .assert_user("alice", "new RSA key");
    // The header's alg must be the algorithm of the key its kid names.
    for (kid, public) in [("rsa-1", RSA_PUBLIC_PEM), ("rsa-2", RSA2_PUBLIC_PEM)] {
        let token = forge_hmac(
            aws_lc_rs::hmac::HMAC_SHA256,
            public,
            &json!({"alg": "HS256", "kid": kid}),
            &access_claims("admin"),
        );
        h.send(get(PROTECTED).bearer(&token))
            .await
            .assert_rejected(401, "invalid_token", kid);
    }
}

pub(crate) async fn custom_responder_renders_every_rejection<F: AppFactory>() {
    let users = TestUsers::default();
    let h = harness::<F>(with_users(base().responder(TextResponder), &users));
    let jar = h.login(LOGIN).await;
    let cases = [
        (get(PROTECTED), 401, "missing_token", false),
        (
            get(PROTECTED).bearer("garbage"),
            401,
            "invalid_token",
            false,
        ),
        (get(OPTIONAL).bearer("garbage"), 401, "invalid_token", false),
        (
            post(REFRESH_ROUTE).bearer(&h.access("a")),
            401,
            "wrong_token_type",
            false,
        ),
        (
            post(FRESH).bearer(&h.access("a")),
            401,
            "fresh_token_required",
            false,
        ),
        (
            get(CUSTOM).bearer(&h.access("a")),
            401,
            "invalid_claims",
            false,
        ),
        (post(POSTS).jar(&jar), 401, "csrf_missing", false),
        (post(POSTS).jar(&jar).csrf("x"), 401, "csrf_mismatch", false),
        (
            post(POSTS)
                .jar(&jar)
                .csrf(jar.get(ACCESS_CSRF))
                .fetch_site("cross-site"),
            403,
            "cross_site_request",
            false,
        ),
        (get(GROUP_A), 401, "missing_token", false),
        (post(GROUP_B).jar(&jar), 401, "csrf_missing", false),
        (
            get(ME).bearer(&h.access("ghost")),
            401,
            "user_not_found",
            false,
        ),
        (
            get(ME).bearer(&h.access(LOOKUP_DOWN)),
            503,
            "user_lookup_unavailable",
            false,
        ),
        (
            post(LOGIN).json(&creds()).fetch_site("cross-site"),
            403,
            "cross_site_request",
            false,
        ),
        (
            post(VERIFY).json(&json!({"token": "garbage", "type": "access"})),
            401,
            "invalid_token",
            true,
        ),
    ];
    for (req, status, code, handler_side) in cases {
        let ctx = label(&req);
        let sent = h.send(req).await;
        assert_eq!(sent.status(), status, "{ctx}: {}", sent.text());
        assert_eq!(sent.text(), format!("custom:{code}"), "{ctx}");
        assert_eq!(sent.header("content-type"), Some("text/plain"), "{ctx}");
        assert_eq!(sent.ran, handler_side, "{ctx}");
        assert!(sent.header(HANDLER_HEADER).is_none(), "{ctx}");
    }
}

pub(crate) async fn require_layer_guards_a_group<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.login(LOGIN).await;
    let v = h
        .send(get(GROUP_A).jar(&jar))
        .await
        .assert_user(USER, "cookie");
    assert_eq!(v["location"], "cookies");
    let v = h
        .send(get(GROUP_A).bearer(&h.access("alice")))
        .await
        .assert_user("alice", "header");
    assert_eq!(v["location"], "headers");
    h.send(post(GROUP_B).jar(&jar).csrf(jar.get(ACCESS_CSRF)))
        .await
        .assert_user(USER, "cookie POST with CSRF");
    let rejected = [
        (get(GROUP_A), 401, "missing_token"),
        (get(GROUP_A).bearer("garbage"), 401, "invalid_token"),
        (
            get(GROUP_A).bearer(&h.refresh("alice")),
            401,
            "wrong_token_type",
        ),
        (post(GROUP_B).jar(&jar), 401, "csrf_missing"),
        (
            post(GROUP_B).jar(&jar).csrf(jar.get(REFRESH_CSRF)),
            401,
            "csrf_mismatch",
        ),
        (
            post(GROUP_B)
                .jar(&jar)
                .csrf(jar.get(ACCESS_CSRF))
                .fetch_site("cross-site"),
            403,
            "cross_site_request",
        ),
    ];
    for (req, status, code) in rejected {
        let ctx = label(&req);
        h.send(req).await.assert_rejected(status, code, &ctx);
    }
}

pub(crate) async fn handler_side_verify_token<F: AppFactory>() {
    let h = harness::<F>(base());
    let verify = |token: &str, ty: &str| post(VERIFY).json(&json!({"token": token, "type": ty}));
    h.send(verify(&h.access("alice"), "access"))
        .await
        .assert_user("alice", "access");
    h.send(verify(&h.refresh("alice"), "refresh"))
        .await
        .assert_user("alice", "refresh");
    let expired = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap()
        .into_string();
    for (token, ty, code) in [
        (h.refresh("alice"), "access", "wrong_token_type"),
        (h.access("alice"), "refresh", "wrong_token_type"),
        ("garbage".to_owned(), "access", "invalid_token"),
        (expired, "access", "token_expired"),
    ] {
        let sent = h.send(verify(&token, ty)).await;
        assert_eq!(sent.status(), 401, "{code}");
        assert!(sent.ran, "the handler decided");
        assert_eq!(sent.json()["code"], code);
        assert!(sent.header(HANDLER_HEADER).is_none());
    }
}
