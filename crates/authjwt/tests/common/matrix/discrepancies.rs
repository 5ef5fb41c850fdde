//! Matrix cases: library discrepancies the matrix found, since fixed (the cases keep the
//! expectation, under names that say what is refused).

use std::time::Duration;

use authjwt::{claims::TokenType, tokens::TokenOptions};
use serde_json::json;

use crate::common::routes::{CUSTOM, PROTECTED};
use crate::common::{AppFactory, access_claims, base, forge, get, harness};

/// `"crit": null` is a `crit` header parameter (RFC 7515 4.1.11 requires an array when
/// present); the library reads it as absent and accepts the token.
pub(crate) async fn crit_null_is_refused<F: AppFactory>() {
    let h = harness::<F>(base());
    let token = forge(
        &json!({"alg": "HS256", "crit": null}),
        &access_claims("alice"),
    );
    h.send(get(PROTECTED).bearer(&token))
        .await
        .assert_rejected(401, "invalid_token", "crit: null");
}

/// On a route with typed custom claims, a token of the wrong type or an expired token is
/// reported as a malformed token (`invalid_token`) when it lacks the route's custom claims:
/// the custom claims are deserialized before `type` and `exp` are checked, so the code a
/// client sees depends on the route's claims type.
pub(crate) async fn custom_claims_type_does_not_mask_type_or_expiry_errors<F: AppFactory>() {
    let h = harness::<F>(base());
    h.send(get(CUSTOM).bearer(&h.refresh("alice")))
        .await
        .assert_rejected(401, "wrong_token_type", "refresh token on /custom");
    let expired = h
        .auth
        .create_token(
            TokenType::Access,
            "alice",
            TokenOptions::new().expires_in(Duration::ZERO),
        )
        .unwrap();
    h.send(get(CUSTOM).bearer(expired.as_str()))
        .await
        .assert_rejected(401, "token_expired", "expired token on /custom");
}
