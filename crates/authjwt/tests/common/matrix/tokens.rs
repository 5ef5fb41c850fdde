//! Matrix cases: tokens: presence, integrity, time, type, algorithm, header, size.

use std::time::Duration;

use authjwt::{
    Auth, Config, TokenLocation,
    claims::TokenType,
    keys::{Algorithm, SigningKey},
    tokens::TokenOptions,
};
use serde_json::{Value, json};

use super::{RSA_PRIVATE, RSA_PUBLIC_DER, RSA_PUBLIC_PEM, RSA2_PRIVATE, creds, label};
use crate::common::names::{ACCESS, ACCESS_CSRF, REFRESH, REFRESH_CSRF};
use crate::common::routes::{
    CUSTOM, FRESH, GROUP_A, GROUP_B, HEADER_ONLY, LOGIN, LOGIN_FRESH, LOGOUT, OPTIONAL, POSTS,
    PROTECTED, REFRESH as REFRESH_ROUTE, USER, WEBHOOK,
};
use crate::common::{
    AppFactory, Jar, OTHER_SECRET, Roles, SECRET, Sent, access_claims, b64, base, delete, forge,
    get, harness, jose_header, now, payload, post, with_payload,
};

pub(crate) async fn missing_token_on_every_guarded_route<F: AppFactory>() {
    let h = harness::<F>(base());
    let jar = h.jar_for("alice");
    let csrf_only = jar.only(&[ACCESS_CSRF, REFRESH_CSRF]);
    let reqs = [
        get(PROTECTED),
        post(POSTS),
        get(OPTIONAL).bearer(""),
        post(REFRESH_ROUTE),
        post(FRESH),
        delete(LOGOUT),
        post(WEBHOOK),
        get(HEADER_ONLY),
        get(CUSTOM),
        get(GROUP_A),
        post(GROUP_B),
        // A CSRF header and the CSRF cookies are not a token.
        post(POSTS).jar(&csrf_only).csrf(jar.get(ACCESS_CSRF)),
        post(REFRESH_ROUTE)
            .jar(&csrf_only)
            .csrf(jar.get(REFRESH_CSRF)),
        // An empty bearer, an empty cookie, an empty query parameter.
        get(PROTECTED).bearer(""),
        get(PROTECTED).cookie(format!("{ACCESS}=")),
    ];
    for req in reqs {
        let ctx = label(&req);
        if ctx == format!("GET {OPTIONAL}") {
            // Optional: no token is fine.
            assert_eq!(h.send(req).await.assert_ok(&ctx)["user"], Value::Null);
            continue;
        }
        h.send(req)
            .await
            .assert_rejected(401, "missing_token", &ctx);
    }
    assert_eq!(h.hits.count(), 1, "only /optional ran");
}

pub(crate) async fn valid_tokens_reach_the_handler<F: AppFactory>() {
    let h = harness::<F>(base());
    let t = h.access("alice");
    let v = h
        .send(get(PROTECTED).bearer(&t))
        .await
        .assert_user("alice", "bearer");
    assert_eq!(v["location"], "headers");

    let jar = h.login(LOGIN).await;
    let v = h
        .send(get(PROTECTED).jar(&jar))
        .await
        .assert_user(USER, "cookie");
    assert_eq!(v["location"], "cookies");
    let v = h
        .send(
            post(POSTS)
                .jar(&jar)
                .csrf(jar.get(ACCESS_CSRF))
                .body("text/plain", "hello"),
        )
        .await
        .assert_user(USER, "cookie POST with CSRF");
    assert_eq!(v["body"], "hello");
    h.send(get(HEADER_ONLY).bearer(&t))
        .await
        .assert_user("alice", "header-only");
    h.send(post(WEBHOOK).jar(&jar))
        .await
        .assert_user(USER, "webhook");
}

pub(crate) async fn login_sets_the_four_cookies<F: AppFactory>() {
    let h = harness::<F>(base());
    let sent = h.send(post(LOGIN).json(&creds())).await;
    assert_eq!(sent.assert_ok("login")["msg"], "login ok");
    let jar = Jar::from_sent(&sent);
    assert_eq!(jar.names(), [ACCESS, ACCESS_CSRF, REFRESH, REFRESH_CSRF]);
    let access = payload(jar.get(ACCESS));
    let refresh = payload(jar.get(REFRESH));
    assert_eq!(access["type"], "access");
    assert_eq!(access["fresh"], false);
    assert_eq!(access["sub"], USER);
    assert_eq!(refresh["type"], "refresh");
    // The script-readable cookies carry the tokens' csrf claims, and they differ.
    assert_eq!(access["csrf"], jar.get(ACCESS_CSRF));
    assert_eq!(refresh["csrf"], jar.get(REFRESH_CSRF));
    assert_ne!(jar.get(ACCESS_CSRF), jar.get(REFRESH_CSRF));
    // /login/fresh marks the access token fresh.
    let fresh = h.login(LOGIN_FRESH).await;
    assert_eq!(payload(fresh.get(ACCESS))["fresh"], true);
}

pub(crate) async fn bad_credentials_set_no_cookie<F: AppFactory>() {
    let h = harness::<F>(base());
    for body in [
        json!({"username": USER, "password": "nope"}),
        json!({"username": "admin", "password": "test"}),
    ] {
        let sent = h.send(post(LOGIN).json(&body)).await;
        assert_eq!(sent.status(), 401, "{body}");
        assert!(sent.ran, "the login handler decides");
        assert_eq!(sent.json()["code"], "bad_credentials");
        assert!(sent.set_cookies().is_empty(), "{:?}", sent.set_cookies());
    }
}

pub(crate) async fn tampered_payload_is_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let t = h.access("alice");
    let mut p = payload(&t);
    p["sub"] = "admin".into();
    h.send(get(PROTECTED).bearer(&with_payload(&t, &p)))
        .await
        .assert_rejected(401, "invalid_token", "sub changed, header");

    let r = h.refresh("alice");
    let mut p = payload(&r);
    p["type"] = "access".into();
    h.send(get(PROTECTED).bearer(&with_payload(&r, &p)))
        .await
        .assert_rejected(401, "invalid_token", "type changed");

    let jar = h.login(LOGIN).await;
    let mut p = payload(jar.get(ACCESS));
    p["fresh"] = true.into();
    let forged = with_payload(jar.get(ACCESS), &p);
    h.send(
        post(FRESH)
            .cookie(format!("{ACCESS}={forged}"))
            .csrf(jar.get(ACCESS_CSRF)),
    )
    .await
    .assert_rejected(401, "invalid_token", "fresh flipped, cookie");

    let mut p = payload(jar.get(ACCESS));
    p["exp"] = (now() + 365 * 24 * 3600).into();
    h.send(get(PROTECTED).cookie(format!("{ACCESS}={}", with_payload(jar.get(ACCESS), &p))))
        .await
        .assert_rejected(401, "invalid_token", "exp extended, cookie");
}

pub(crate) async fn tampered_signature_is_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let t = h.access("alice");
    let (msg, sig) = t.rsplit_once('.').unwrap();
    let mut flipped = sig.as_bytes().to_vec();
    let i = flipped.len() / 2;
    flipped[i] = if flipped[i] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let other = h.access("bob");
    let other_sig = other.rsplit('.').next().unwrap();
    let foreign = Auth::new(Config::builder().secret(OTHER_SECRET).build().unwrap())
        .create_access_token("alice")
        .unwrap()
        .into_string();
    let cases = [
        (
            "one signature character changed",
            format!("{msg}.{flipped}"),
        ),
        ("signature removed", format!("{msg}.")),
        (
            "signature truncated",
            format!("{msg}.{}", &sig[..sig.len() - 4]),
        ),
        ("signature of another token", format!("{msg}.{other_sig}")),
        ("signed with another secret", foreign),
    ];
    for (ctx, token) in cases {
        h.send(get(PROTECTED).bearer(&token))
            .await
            .assert_rejected(401, "invalid_token", ctx);
        h.send(get(PROTECTED).cookie(format!("{ACCESS}={token}")))
            .await
            .assert_rejected(401, "invalid_token", ctx);
    }
}

pub(crate) async fn malformed_tokens_are_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let t = h.access("alice");
    let (h64, rest) = t.split_once('.').unwrap();
    let cases = [
        "abc".to_owned(),
        "a.b".to_owned(),
        "a.b.c".to_owned(),
        "..".to_owned(),
        format!("{t}.extra"),
        format!("{t}.x.y"),
        format!("{t}="),
        format!("{h64}..{rest}"),
        format!("{}.{rest}", b64("not json")),
        format!("{}.{rest}", b64(r#"{"alg":"HS256","alg":"none"}"#)),
        format!("{h64}.{}.sig", b64("[1,2,3]")),
        format!("{}.{rest}", b64("{\"alg\":\"HS256\"")),
    ];
    for token in cases {
        h.send(get(PROTECTED).bearer(&token))
            .await
            .assert_rejected(401, "invalid_token", &token);
    }
}

pub(crate) async fn expired_token_is_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let expired = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap();
    let csrf = expired.csrf().unwrap().to_owned();
    let jar = Jar::from_values(h.auth.set_access_cookies(&expired).header_values());
    h.send(get(PROTECTED).bearer(expired.as_str()))
        .await
        .assert_rejected(401, "token_expired", "header");
    h.send(get(PROTECTED).jar(&jar))
        .await
        .assert_rejected(401, "token_expired", "cookie GET");
    h.send(post(POSTS).jar(&jar).csrf(&csrf))
        .await
        .assert_rejected(401, "token_expired", "cookie POST with CSRF");

    let mut claims = access_claims("alice");
    claims["iat"] = (now() - 7200).into();
    claims["nbf"] = (now() - 7200).into();
    claims["exp"] = (now() - 3600).into();
    let forged = forge(&json!({"alg": "HS256", "typ": "JWT"}), &claims);
    h.send(get(PROTECTED).bearer(&forged))
        .await
        .assert_rejected(401, "token_expired", "an hour ago");

    let refresh = h
        .auth
        .create_token(
            TokenType::Refresh,
            "alice",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap();
    h.send(post(REFRESH_ROUTE).bearer(refresh.as_str()))
        .await
        .assert_rejected(401, "token_expired", "expired refresh token");
}

pub(crate) async fn leeway_applies_to_exp_and_nbf<F: AppFactory>() {
    let h = harness::<F>(base().leeway(60));
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let mut recent = access_claims("alice");
    recent["exp"] = (now() - 10).into();
    h.send(get(PROTECTED).bearer(&forge(&header, &recent)))
        .await
        .assert_user("alice", "expired 10 s ago, leeway 60 s");
    let mut old = access_claims("alice");
    old["exp"] = (now() - 120).into();
    h.send(get(PROTECTED).bearer(&forge(&header, &old)))
        .await
        .assert_rejected(401, "token_expired", "expired 120 s ago, leeway 60 s");
    let mut soon = access_claims("alice");
    soon["nbf"] = (now() + 30).into();
    h.send(get(PROTECTED).bearer(&forge(&header, &soon)))
        .await
        .assert_user("alice", "valid in 30 s, leeway 60 s");
    let mut later = access_claims("alice");
    later["nbf"] = (now() + 300).into();
    h.send(get(PROTECTED).bearer(&forge(&header, &later)))
        .await
        .assert_rejected(401, "token_not_yet_valid", "valid in 300 s, leeway 60 s");
}

pub(crate) async fn not_yet_valid_token_is_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let mut claims = access_claims("alice");
    claims["nbf"] = (now() + 120).into();
    claims["csrf"] = "forged-csrf".into();
    let token = forge(&json!({"alg": "HS256", "typ": "JWT"}), &claims);
    h.send(get(PROTECTED).bearer(&token)).await.assert_rejected(
        401,
        "token_not_yet_valid",
        "header",
    );
    h.send(
        post(POSTS)
            .cookie(format!("{ACCESS}={token}"))
            .csrf("forged-csrf"),
    )
    .await
    .assert_rejected(401, "token_not_yet_valid", "cookie POST");
    // Control: the same forgery without nbf in the future is accepted.
    claims["nbf"] = now().into();
    h.send(get(PROTECTED).bearer(&forge(&json!({"alg": "HS256", "typ": "JWT"}), &claims)))
        .await
        .assert_user("alice", "control");
}

pub(crate) async fn token_without_exp_is_refused_unless_allowed<F: AppFactory>() {
    let mut claims = access_claims("alice");
    claims.as_object_mut().unwrap().remove("exp");
    let token = forge(&json!({"alg": "HS256", "typ": "JWT"}), &claims);
    let h = harness::<F>(base());
    h.send(get(PROTECTED).bearer(&token))
        .await
        .assert_rejected(401, "invalid_token", "no exp");
    let lax = harness::<F>(base().dangerous_allow_non_expiring_tokens());
    lax.send(get(PROTECTED).bearer(&token))
        .await
        .assert_user("alice", "no exp, explicitly allowed");
}

pub(crate) async fn refresh_token_used_as_access_token<F: AppFactory>() {
    let h = harness::<F>(base());
    let r = h.auth.create_refresh_token("alice").unwrap();
    let rc = r.csrf().unwrap();
    let as_cookie = format!("{ACCESS}={}", r.as_str());
    let reqs = [
        get(PROTECTED).bearer(r.as_str()),
        get(PROTECTED).cookie(&*as_cookie),
        post(POSTS).cookie(&*as_cookie).csrf(rc),
        get(OPTIONAL).bearer(r.as_str()),
        post(FRESH).bearer(r.as_str()),
        get(GROUP_A).bearer(r.as_str()),
        post(WEBHOOK).cookie(&*as_cookie),
    ];
    for req in reqs {
        let ctx = label(&req);
        h.send(req)
            .await
            .assert_rejected(401, "wrong_token_type", &ctx);
    }
}

pub(crate) async fn access_token_used_as_refresh_token<F: AppFactory>() {
    let h = harness::<F>(base());
    let a = h.auth.create_access_token("alice").unwrap();
    let fresh = h
        .auth
        .create_token(TokenType::Access, "alice", TokenOptions::new().fresh(true))
        .unwrap();
    h.send(post(REFRESH_ROUTE).bearer(a.as_str()))
        .await
        .assert_rejected(401, "wrong_token_type", "header");
    h.send(post(REFRESH_ROUTE).bearer(fresh.as_str()))
        .await
        .assert_rejected(401, "wrong_token_type", "fresh access, header");
    h.send(
        post(REFRESH_ROUTE)
            .cookie(format!("{REFRESH}={}", a.as_str()))
            .csrf(a.csrf().unwrap()),
    )
    .await
    .assert_rejected(
        401,
        "wrong_token_type",
        "access token in the refresh cookie",
    );
    // Control.
    h.send(post(REFRESH_ROUTE).bearer(&h.refresh("alice")))
        .await
        .assert_user("alice", "refresh token");
}

pub(crate) async fn hs512_token_refused_by_hs256_app<F: AppFactory>() {
    let h = harness::<F>(base());
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        // Same secret bytes, another hash: the algorithm alone must make it fail.
        let other = Auth::new(
            Config::builder()
                .signing_key(SigningKey::from_secret(alg, SECRET).unwrap())
                .build()
                .unwrap(),
        );
        let t = other.create_access_token("alice").unwrap();
        assert_eq!(jose_header(t.as_str())["alg"], alg.as_str());
        h.send(get(PROTECTED).bearer(t.as_str()))
            .await
            .assert_rejected(401, "invalid_token", alg.as_str());
        h.send(get(PROTECTED).cookie(format!("{ACCESS}={}", t.as_str())))
            .await
            .assert_rejected(401, "invalid_token", alg.as_str());
    }
    // And the reverse: an HS512 application refuses HS256 tokens made with its secret.
    let h512 = harness::<F>(
        Config::builder()
            .signing_key(SigningKey::from_secret(Algorithm::HS512, SECRET).unwrap())
            .token_location([TokenLocation::Headers]),
    );
    h512.send(get(PROTECTED).bearer(&h.access("alice")))
        .await
        .assert_rejected(401, "invalid_token", "HS256 token, HS512 app");
    h512.send(get(PROTECTED).bearer(&h512.access("alice")))
        .await
        .assert_user("alice", "HS512 control");
}

pub(crate) async fn rs256_app_refuses_hs256_signed_with_public_key<F: AppFactory>() {
    let rs = harness::<F>(
        Config::builder()
            .signing_key(SigningKey::from_pem(Algorithm::RS256, RSA_PRIVATE).unwrap())
            .token_location([TokenLocation::Headers]),
    );
    rs.send(get(PROTECTED).bearer(&rs.access("alice")))
        .await
        .assert_user("alice", "RS256 control");
    for (ctx, public) in [("PEM", RSA_PUBLIC_PEM), ("DER", RSA_PUBLIC_DER)] {
        let attacker = Auth::new(
            Config::builder()
                .signing_key(SigningKey::from_secret(Algorithm::HS256, public).unwrap())
                .build()
                .unwrap(),
        );
        let t = attacker.create_access_token("admin").unwrap();
        rs.send(get(PROTECTED).bearer(t.as_str()))
            .await
            .assert_rejected(401, "invalid_token", ctx);
    }
    let others = [
        (
            "another RSA key",
            SigningKey::from_pem(Algorithm::RS256, RSA2_PRIVATE).unwrap(),
        ),
        (
            "PS256, same RSA key",
            SigningKey::from_pem(Algorithm::PS256, RSA_PRIVATE).unwrap(),
        ),
        (
            "RS512, same RSA key",
            SigningKey::from_pem(Algorithm::RS512, RSA_PRIVATE).unwrap(),
        ),
    ];
    for (ctx, key) in others {
        let other = Auth::new(Config::builder().signing_key(key).build().unwrap());
        let t = other.create_access_token("alice").unwrap();
        rs.send(get(PROTECTED).bearer(t.as_str()))
            .await
            .assert_rejected(401, "invalid_token", ctx);
    }
}

pub(crate) async fn alg_none_in_every_spelling_is_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let claims = access_claims("admin");
    let good = forge(&json!({"alg": "HS256", "typ": "JWT"}), &claims);
    h.send(get(PROTECTED).bearer(&good))
        .await
        .assert_user("admin", "control");
    let p64 = b64(serde_json::to_vec(&claims).unwrap());
    let good_sig = good.rsplit('.').next().unwrap();
    let mut headers: Vec<Value> = ["none", "None", "NONE", "nOnE", "", "hs256", "HS256 "]
        .into_iter()
        .map(|alg| json!({"alg": alg, "typ": "JWT"}))
        .collect();
    headers.extend([
        json!({"typ": "JWT"}),
        json!({"alg": null}),
        json!({"alg": ["HS256"]}),
        json!({"alg": {"name": "HS256"}}),
    ]);
    for header in headers {
        let h64 = b64(serde_json::to_vec(&header).unwrap());
        for sig in ["", good_sig] {
            let token = format!("{h64}.{p64}.{sig}");
            let ctx = format!("{header} sig={}", !sig.is_empty());
            h.send(get(PROTECTED).bearer(&token))
                .await
                .assert_rejected(401, "invalid_token", &ctx);
            h.send(get(PROTECTED).cookie(format!("{ACCESS}={token}")))
                .await
                .assert_rejected(401, "invalid_token", &ctx);
        }
    }
}

pub(crate) async fn crit_header_is_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let claims = access_claims("alice");
    for header in [
        json!({"alg": "HS256", "typ": "JWT", "crit": ["exp"]}),
        json!({"alg": "HS256", "crit": ["b64"], "b64": false}),
        json!({"alg": "HS256", "crit": []}),
    ] {
        h.send(get(PROTECTED).bearer(&forge(&header, &claims)))
            .await
            .assert_rejected(401, "invalid_token", &header.to_string());
    }
    // Control: unknown non-critical parameters are fine.
    h.send(get(PROTECTED).bearer(&forge(&json!({"alg": "HS256", "x-extra": 1}), &claims)))
        .await
        .assert_user("alice", "unknown header parameter");
}

pub(crate) async fn oversized_token_is_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let big = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().claims(json!({"pad": "x".repeat(9000)})),
        )
        .unwrap();
    assert!(big.as_str().len() > 8 * 1024);
    h.send(get(PROTECTED).bearer(big.as_str()))
        .await
        .assert_rejected(401, "invalid_token", "validly signed, > 8 KiB");
    h.send(get(PROTECTED).bearer(&"a".repeat(8 * 1024 + 1)))
        .await
        .assert_rejected(401, "invalid_token", "junk, > 8 KiB");
    let roomy = harness::<F>(base().max_token_len(64 * 1024));
    let big = roomy
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().claims(json!({"pad": "x".repeat(9000)})),
        )
        .unwrap();
    roomy
        .send(get(PROTECTED).bearer(big.as_str()))
        .await
        .assert_user("alice", "max_token_len raised");
}

pub(crate) async fn issuer_and_audience_are_enforced<F: AppFactory>() {
    let strict = || base().issuer("matrix").audience(["web"]);
    let h = harness::<F>(strict());
    h.send(get(PROTECTED).bearer(&h.access("alice")))
        .await
        .assert_user("alice", "control");
    let foreign = [
        ("no iss, no aud", base()),
        (
            "other audience",
            base().issuer("matrix").audience(["mobile"]),
        ),
        ("other issuer", base().issuer("elsewhere").audience(["web"])),
    ];
    for (ctx, b) in foreign {
        let t = Auth::new(b.build().unwrap())
            .create_access_token("alice")
            .unwrap();
        h.send(get(PROTECTED).bearer(t.as_str()))
            .await
            .assert_rejected(401, "invalid_claims", ctx);
    }
    // `aud` may be a list; one configured audience in it is enough.
    let mut claims = access_claims("alice");
    claims["iss"] = "matrix".into();
    claims["aud"] = json!(["mobile", "web"]);
    h.send(get(PROTECTED).bearer(&forge(&json!({"alg": "HS256"}), &claims)))
        .await
        .assert_user("alice", "aud list containing web");
    claims["aud"] = json!(["mobile", "desktop"]);
    h.send(get(PROTECTED).bearer(&forge(&json!({"alg": "HS256"}), &claims)))
        .await
        .assert_rejected(401, "invalid_claims", "aud list without web");
}

pub(crate) async fn custom_claims_round_trip<F: AppFactory>() {
    let h = harness::<F>(base());
    let roles = Roles {
        roles: vec!["admin".into(), "editor".into()],
    };
    let t = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().claims(roles.clone()),
        )
        .unwrap();
    let v = h
        .send(get(CUSTOM).bearer(t.as_str()))
        .await
        .assert_user("alice", "header");
    assert_eq!(v["roles"], json!(["admin", "editor"]));
    let jar = Jar::from_values(h.auth.set_access_cookies(&t).header_values());
    let v = h
        .send(get(CUSTOM).jar(&jar))
        .await
        .assert_user("alice", "cookie");
    assert_eq!(v["roles"], json!(["admin", "editor"]));
    // A valid token without the claims the route needs has the wrong claims.
    h.send(get(CUSTOM).bearer(&h.access("alice")))
        .await
        .assert_rejected(401, "invalid_claims", "no roles claim");
}

pub(crate) async fn error_body_never_echoes_the_token<F: AppFactory>() {
    let h = harness::<F>(base());
    let t = h.access("alice");
    let mut p = payload(&t);
    p["sub"] = "admin".into();
    let expired = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap()
        .into_string();
    let big = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().claims(json!({"pad": "secretpadding".repeat(700)})),
        )
        .unwrap()
        .into_string();
    let mut nbf = access_claims("alice");
    nbf["nbf"] = (now() + 600).into();
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none"}"#),
        b64(serde_json::to_vec(&access_claims("admin")).unwrap())
    );
    let tokens = [
        with_payload(&t, &p),
        expired,
        h.refresh("alice"),
        none,
        big,
        forge(
            &json!({"alg": "HS256", "crit": ["exp"]}),
            &access_claims("alice"),
        ),
        forge(&json!({"alg": "HS256"}), &nbf),
        "not-a-token-but-a-secret-looking-string".to_owned(),
    ];
    let leaks = |sent: &Sent, token: &str| {
        let mut haystack = sent.text();
        for (k, v) in sent.resp.headers() {
            haystack.push_str(k.as_str());
            haystack.push_str(v.to_str().unwrap_or(""));
        }
        token
            .split('.')
            .filter(|s| s.len() >= 8)
            .any(|s| haystack.contains(s))
            || haystack.contains(token)
    };
    for token in &tokens {
        for req in [
            get(PROTECTED).bearer(token),
            get(PROTECTED).cookie(format!("{ACCESS}={token}")),
            get(OPTIONAL).bearer(token),
        ] {
            let sent = h.send(req).await;
            assert_eq!(sent.status(), 401);
            assert!(
                !leaks(&sent, token),
                "the response echoes the token: {}",
                sent.text()
            );
        }
    }
    // Conflicting copies: neither is echoed.
    let (a, b) = (h.access("alice"), h.access("bob"));
    let sent = h
        .send(get(PROTECTED).cookie(format!("{ACCESS}={a}; {ACCESS}={b}")))
        .await;
    sent.assert_rejected(401, "invalid_token", "conflicting cookies");
    assert!(!leaks(&sent, &a) && !leaks(&sent, &b), "{}", sent.text());
    // A wrong CSRF value and the claim it should have matched are not echoed either.
    let jar = h.jar_for("alice");
    let sent = h
        .send(post(POSTS).jar(&jar).csrf("attacker-chosen-csrf-value"))
        .await;
    sent.assert_rejected(401, "csrf_mismatch", "csrf mismatch");
    let text = sent.text();
    assert!(!text.contains("attacker-chosen-csrf-value") && !text.contains(jar.get(ACCESS_CSRF)));
}

pub(crate) async fn rejections_carry_their_headers<F: AppFactory>() {
    let h = harness::<F>(base());
    let sent = h.send(get(PROTECTED)).await;
    sent.assert_rejected(401, "missing_token", "401");
    assert_eq!(sent.header("www-authenticate"), Some("Bearer"));
    assert_eq!(sent.header("cache-control"), Some("no-store"));
    let jar = h.jar_for("alice");
    let sent = h
        .send(
            post(POSTS)
                .jar(&jar)
                .csrf(jar.get(ACCESS_CSRF))
                .fetch_site("cross-site"),
        )
        .await;
    sent.assert_rejected(403, "cross_site_request", "403");
    assert_eq!(sent.header("www-authenticate"), None);
    assert_eq!(sent.header("cache-control"), Some("no-store"));
}

pub(crate) async fn authorization_scheme_variants<F: AppFactory>() {
    let h = harness::<F>(base());
    let t = h.access("alice");
    for ok in [
        format!("Bearer {t}"),
        format!("bearer {t}"),
        format!("BEARER {t}"),
        format!("Bearer  {t} "),
    ] {
        h.send(get(PROTECTED).header("authorization", ok.as_str()))
            .await
            .assert_user("alice", &ok);
    }
    for missing in [
        format!("Basic {t}"),
        format!("Token {t}"),
        format!("Bearer{t}"),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        t.clone(),
    ] {
        h.send(get(PROTECTED).header("authorization", missing.as_str()))
            .await
            .assert_rejected(401, "missing_token", &missing);
    }
    // A configured header name and an empty scheme.
    let custom = harness::<F>(
        base()
            .token_location([TokenLocation::Headers])
            .header_name("X-Api-Token")
            .header_type(""),
    );
    let t = custom.access("alice");
    custom
        .send(get(PROTECTED).header("x-api-token", t.as_str()))
        .await
        .assert_user("alice", "custom header, bare token");
    custom
        .send(get(PROTECTED).bearer(&t))
        .await
        .assert_rejected(401, "missing_token", "Authorization is not configured");
}

pub(crate) async fn conflicting_authorization_headers<F: AppFactory>() {
    let h = harness::<F>(base());
    let (a, b) = (h.access("alice"), h.access("bob"));
    h.send(get(PROTECTED).bearer(&a).bearer(&b))
        .await
        .assert_rejected(401, "invalid_token", "two different bearer tokens");
    // Authorization is a singleton header (RFC 9110 11.6.2): a second one is refused even
    // when it repeats the first.
    h.send(get(PROTECTED).bearer(&a).bearer(&a))
        .await
        .assert_rejected(401, "invalid_token", "the same bearer token twice");
    h.send(get(PROTECTED).header("authorization", format!("Bearer {a}, Bearer {b}")))
        .await
        .assert_rejected(401, "invalid_token", "two bearer tokens in one header");
    h.send(get(PROTECTED).bearer(&a))
        .await
        .assert_user("alice", "one bearer token");
}

pub(crate) async fn conflicting_query_tokens<F: AppFactory>() {
    let h = harness::<F>(base().token_location([TokenLocation::Query]));
    let (a, b) = (h.access("alice"), h.access("bob"));
    h.send(get(&format!("{PROTECTED}?token={a}&token={b}")))
        .await
        .assert_rejected(401, "invalid_token", "two different query tokens");
    h.send(get(&format!("{PROTECTED}?token={a}&token={a}")))
        .await
        .assert_user("alice", "the same query token twice");
    h.send(get(&format!("{PROTECTED}?token=")))
        .await
        .assert_rejected(401, "missing_token", "empty query token");
    h.send(get(&format!("{PROTECTED}?other={a}")))
        .await
        .assert_rejected(401, "missing_token", "another parameter");
}
