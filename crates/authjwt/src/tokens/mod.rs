//! Creating access and refresh tokens, and verifying them: signature, algorithm, `kid`,
//! the header's other parameters, length, `exp`/`nbf`/`iat` with leeway, `iss`/`aud`, and
//! type.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::claims::{Claims, TokenType};
use crate::error::AuthError;

mod header;
use header::HeaderIn;
mod issue;
mod issued;
mod options;
mod verify;

use crate::claims::{now, random_id};
pub use issued::IssuedToken;
use options::Expiry;
pub(crate) use options::Pinned;
pub use options::TokenOptions;

/// Header parameters [`TokenOptions::header`] may not set.
pub(super) const RESERVED_HEADERS: [&str; 8] =
    ["alg", "kid", "typ", "crit", "b64", "zip", "enc", "cty"];

/// A token could not be created.
///
/// ```
/// use authjwt::{claims::TokenType, tokens::{TokenError, TokenOptions}};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let opts = TokenOptions::new().header("alg", "none");
/// let err = auth.create_token(TokenType::Access, "user1", opts).unwrap_err();
/// assert!(matches!(err, TokenError::ReservedHeader(ref name) if name == "alg"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Custom claims use a name the library owns.
    #[error(
        "custom claim {0:?} is reserved (reserved: sub iat nbf exp jti type fresh csrf iss aud fam)"
    )]
    ReservedClaim(String),
    /// Custom claims must serialize to a JSON object.
    #[error("custom claims must serialize to a JSON object: {0}")]
    Claims(String),
    /// An extra header uses a name the library owns.
    #[error(
        "header {0:?} is reserved (alg, kid, typ and crit are set by the library; b64, zip, \
         enc and cty change how the payload is read and are refused on verification)"
    )]
    ReservedHeader(String),
    /// A token without expiry was asked for, which the configuration does not allow.
    #[error(
        "tokens without expiry are refused: pass an expiry, or build the config with \
         dangerous_allow_non_expiring_tokens()"
    )]
    NonExpiring,
    /// A lifetime longer than the configuration's `max_token_lifetime` was asked for.
    #[error(
        "a lifetime of {requested:?} exceeds max_token_lifetime ({max:?}): revocations of a \
         login or subject would expire before the token; raise \
         ConfigBuilder::max_token_lifetime if this is meant"
    )]
    LifetimeTooLong {
        /// The lifetime asked for.
        requested: Duration,
        /// The configured maximum.
        max: Duration,
    },
    /// The key failed to sign.
    #[error("signing failed: {0}")]
    Signing(#[from] crate::keys::KeyError),
}

/// The body of [`Auth::create_access_token`].
pub(crate) fn create_access_token(
    auth: &Auth,
    subject: impl Into<String>,
) -> Result<IssuedToken, TokenError> {
    auth.config()
        .create(TokenType::Access, subject.into(), TokenOptions::new())
}

/// The body of [`Auth::create_refresh_token`].
pub(crate) fn create_refresh_token(
    auth: &Auth,
    subject: impl Into<String>,
) -> Result<IssuedToken, TokenError> {
    auth.config()
        .create(TokenType::Refresh, subject.into(), TokenOptions::new())
}

/// The body of [`Auth::create_token`].
pub(crate) fn create_token<T: Serialize>(
    auth: &Auth,
    token_type: TokenType,
    subject: impl Into<String>,
    options: TokenOptions<T>,
) -> Result<IssuedToken, TokenError> {
    auth.config().create(token_type, subject.into(), options)
}

/// The body of [`Auth::verify_token`].
pub(crate) fn verify_token<T: DeserializeOwned>(
    auth: &Auth,
    token: &str,
    expected: TokenType,
) -> Result<Claims<T>, AuthError> {
    auth.config()
        .verify(token, expected)
        .inspect_err(|e| crate::audit::rejected(auth.config().audit.as_deref(), e))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::claims::NoCustomClaims;
    use crate::config::Config;
    use crate::error::InvalidReason;
    use crate::keys::Algorithm;
    use crate::keys::{KeySet, SigningKey, VerifyingKey};

    fn auth() -> Auth {
        Auth::new(Config::builder().secret([7u8; 32]).build().unwrap())
    }

    fn forge(header: &str, payload: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    fn resign(auth: &Auth, header: &str, payload: &str) -> String {
        let msg = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let sig = auth
            .config()
            .keys
            .signing_key()
            .sign(msg.as_bytes())
            .unwrap();
        format!("{msg}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn err(auth: &Auth, token: &str) -> AuthError {
        auth.verify_token::<NoCustomClaims>(token, TokenType::Access)
            .unwrap_err()
    }

    #[test]
    fn long_payloads_and_signatures_take_the_heap_path() {
        #[derive(Serialize, Deserialize)]
        struct Big {
            note: String,
        }
        let auth = auth();
        let note = "n".repeat(3000);
        let opts = TokenOptions::new().claims(Big { note: note.clone() });
        let token = auth.create_token(TokenType::Access, "u", opts).unwrap();
        let claims: Claims<Big> = auth
            .verify_token(token.as_str(), TokenType::Access)
            .unwrap();
        assert_eq!(claims.custom.note, note);
        // A signature longer than any key makes is still decoded, then refused as bad.
        let (signed, _) = token.as_str().rsplit_once('.').unwrap();
        let long = format!("{signed}.{}", URL_SAFE_NO_PAD.encode([7u8; 600]));
        assert_eq!(err(&auth, &long), InvalidReason::BadSignature.into());
        let broken = format!("{signed}.{}!", "A".repeat(800));
        assert_eq!(err(&auth, &broken), InvalidReason::Malformed.into());
    }

    #[test]
    fn no_token_outlives_the_revocations_of_its_login_or_subject() {
        let day = Duration::from_secs(24 * 3600);
        let build = |b: crate::ConfigBuilder| Auth::new(b.secret([9u8; 32]).build().unwrap());
        let lasting = |auth: &Auth, d| {
            let opts = TokenOptions::new().expires_in(d);
            auth.create_token(TokenType::Access, "u", opts).is_ok()
        };
        let default = build(Config::builder());
        let long = TokenOptions::new().expires_in(31 * day);
        let err = default.create_token(TokenType::Access, "u", long.clone());
        assert!(matches!(
            err,
            Err(TokenError::LifetimeTooLong { requested, max }) if requested == 31 * day && max == 30 * day
        ));
        assert!(lasting(&default, 30 * day));
        // Raised: allowed, and family and subject revocations are kept as long.
        let raised = build(Config::builder().max_token_lifetime(90 * day).leeway(5));
        assert!(raised.create_token(TokenType::Access, "u", long).is_ok());
        assert!(!lasting(&raised, 91 * day));
        assert_eq!(raised.config().longest_lifetime(), 90 * 24 * 3600 + 5);
        assert_eq!(default.config().longest_lifetime(), 30 * 24 * 3600);
        // Unbounded configured lifetimes: unbounded maximum.
        let never = build(
            Config::builder()
                .refresh_never_expires()
                .dangerous_allow_non_expiring_tokens(),
        );
        assert_eq!(never.config().max_token_lifetime(), None);
        assert!(lasting(&never, 3650 * day));
        assert!(never.config().longest_lifetime() >= u64::MAX / 4);
        // Non-expiring tokens allowed with bounded lifetimes: revocations are kept for good,
        // and an explicit cap still caps `expires_in`.
        let lax = build(
            Config::builder()
                .dangerous_allow_non_expiring_tokens()
                .max_token_lifetime(60 * day),
        );
        assert_eq!(lax.config().max_token_lifetime(), Some(60 * day));
        assert!(lax.config().longest_lifetime() >= u64::MAX / 4);
        assert!(!lasting(&lax, 61 * day));
        let capped_never = build(
            Config::builder()
                .refresh_never_expires()
                .dangerous_allow_non_expiring_tokens()
                .max_token_lifetime(60 * day),
        );
        assert_eq!(capped_never.config().max_token_lifetime(), Some(60 * day));
        assert!(!lasting(&capped_never, 61 * day));
    }

    #[test]
    fn round_trip_and_type_check() {
        let a = auth();
        let t = a.create_access_token("u").unwrap();
        let c: Claims = a.verify_token(t.as_str(), TokenType::Access).unwrap();
        assert_eq!(c.jti(), t.jti());
        assert_eq!(c.exp, Some(c.iat + 900));
        let r = a.create_refresh_token("u").unwrap();
        assert_eq!(
            err(&a, r.as_str()),
            AuthError::WrongTokenType {
                expected: TokenType::Access
            }
        );
    }

    #[test]
    fn none_and_unlisted_algorithms_are_refused() {
        let a = auth();
        let now = now();
        let payload = format!(
            r#"{{"sub":"u","iat":{now},"exp":{},"type":"access"}}"#,
            now + 60
        );
        for alg in [
            "none", "None", "NONE", "nOnE", "hs256", "HS512", "RS256", "",
        ] {
            let t = forge(&format!(r#"{{"alg":"{alg}"}}"#), &payload, b"");
            assert_eq!(
                err(&a, &t),
                InvalidReason::AlgorithmNotAllowed.into(),
                "{alg}"
            );
        }
        let stripped = format!(
            "{}.",
            forge(r#"{"alg":"HS256"}"#, &payload, b"").trim_end_matches('.')
        );
        assert_eq!(err(&a, &stripped), InvalidReason::BadSignature.into());
    }

    #[test]
    fn crit_length_and_shape_are_checked_before_trusting_anything() {
        let a = auth();
        let now = now();
        let payload = format!(
            r#"{{"sub":"u","iat":{now},"exp":{},"type":"access"}}"#,
            now + 60
        );
        let crit = resign(
            &a,
            r#"{"alg":"HS256","crit":["b64"],"b64":false}"#,
            &payload,
        );
        assert_eq!(err(&a, &crit), InvalidReason::CriticalHeader.into());
        let long = "a".repeat(8 * 1024 + 1);
        assert_eq!(err(&a, &long), InvalidReason::TooLong.into());
        let good = resign(&a, r#"{"alg":"HS256"}"#, &payload);
        assert!(
            a.verify_token::<NoCustomClaims>(&good, TokenType::Access)
                .is_ok()
        );
        for bad in [
            format!("{good}.x"),
            good.replacen('.', "..", 1),
            format!("{good}="),
        ] {
            assert_eq!(err(&a, &bad), InvalidReason::Malformed.into(), "{bad}");
        }
        let dup = resign(&a, r#"{"alg":"HS256","alg":"none"}"#, &payload);
        assert_eq!(err(&a, &dup), InvalidReason::Malformed.into());
    }

    #[test]
    fn headers_are_read_strictly() {
        let a = auth();
        let now = now();
        let payload = format!(
            r#"{{"sub":"u","iat":{now},"exp":{},"type":"access"}}"#,
            now + 60
        );
        let verifies = |header: &str| {
            a.verify_token::<NoCustomClaims>(&resign(&a, header, &payload), TokenType::Access)
        };
        for header in [
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"HS256","typ":"JWT","x5t":"dGh1bWI","b64":true,"x":null}"#,
        ] {
            assert!(verifies(header).is_ok(), "{header}");
        }
        // Types (RFC 7515 4.1) and duplicates (RFC 7515 4): malformed, never "absent".
        for header in [
            r#"{"alg":"HS256","kid":null}"#,
            r#"{"alg":"HS256","typ":7}"#,
            r#"{"alg":"HS256","typ":null}"#,
            r#"{"alg":"HS256","jwk":"k"}"#,
            r#"{"alg":"HS256","x5c":"MIIB"}"#,
            r#"{"alg":"HS256","b64":"false"}"#,
            r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
            r#"{"alg":"HS256","x":1,"x":1}"#,
        ] {
            assert_eq!(
                verifies(header).unwrap_err(),
                InvalidReason::Malformed.into(),
                "{header}"
            );
        }
        // Parameters that change how the payload is read (RFC 7797, RFC 7516).
        for header in [
            r#"{"alg":"HS256","b64":false}"#,
            r#"{"alg":"HS256","zip":"DEF"}"#,
            r#"{"alg":"HS256","enc":"A256GCM"}"#,
            r#"{"alg":"HS256","cty":"JWT"}"#,
        ] {
            assert_eq!(
                verifies(header).unwrap_err(),
                InvalidReason::CriticalHeader.into(),
                "{header}"
            );
        }
    }

    /// The headers verification skips decoding are ones the strict reading accepts and
    /// reads to the very key they are mapped to.
    #[test]
    fn known_headers_parse_to_their_own_key() {
        let pem = include_bytes!("../../tests/keys/rsa_public.pem");
        let config = Config::builder()
            .signing_key(
                SigningKey::from_secret(Algorithm::HS256, &[3; 32])
                    .unwrap()
                    .with_kid("a \"quoted\" kid"),
            )
            .verifying_key(
                VerifyingKey::from_pem(Algorithm::RS256, pem)
                    .unwrap()
                    .with_kid("r\u{e9}sum\u{e9}"),
            )
            .build()
            .unwrap();
        assert_eq!(config.known_headers.len(), 2);
        for (h64, key) in &config.known_headers {
            let parsed = config.key_for_header(h64).unwrap();
            assert_eq!(
                (parsed.algorithm(), parsed.kid()),
                (key.algorithm(), key.kid())
            );
        }
    }

    #[test]
    fn time_claims_use_leeway() {
        let a = auth();
        let now = now();
        let expired = resign(
            &a,
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"sub":"u","iat":1,"exp":{now},"type":"access"}}"#),
        );
        assert_eq!(err(&a, &expired), AuthError::TokenExpired);
        let future = resign(
            &a,
            r#"{"alg":"HS256"}"#,
            &format!(
                r#"{{"sub":"u","iat":1,"nbf":{},"exp":{},"type":"access"}}"#,
                now + 30,
                now + 90
            ),
        );
        assert_eq!(err(&a, &future), AuthError::TokenNotYetValid);
        let lenient = Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .leeway(60)
                .build()
                .unwrap(),
        );
        assert!(
            lenient
                .verify_token::<NoCustomClaims>(&expired, TokenType::Access)
                .is_ok()
        );
        assert!(
            lenient
                .verify_token::<NoCustomClaims>(&future, TokenType::Access)
                .is_ok()
        );
        let no_exp = resign(
            &a,
            r#"{"alg":"HS256"}"#,
            r#"{"sub":"u","iat":1,"type":"access"}"#,
        );
        assert_eq!(err(&a, &no_exp), InvalidReason::MissingExpiry.into());
    }

    #[test]
    fn tokens_issued_in_the_future_are_not_yet_valid() {
        let build = |b: crate::ConfigBuilder| Auth::new(b.secret([7u8; 32]).build().unwrap());
        let strict = build(Config::builder());
        let now = now();
        let issued = |iat: u64| {
            let payload = format!(
                r#"{{"sub":"u","iat":{iat},"exp":{},"type":"access"}}"#,
                now + 7200
            );
            resign(&strict, r#"{"alg":"HS256"}"#, &payload)
        };
        let ahead = issued(now + 30);
        assert_eq!(err(&strict, &ahead), AuthError::TokenNotYetValid);
        let fraction = resign(
            &strict,
            r#"{"alg":"HS256"}"#,
            &format!(
                r#"{{"sub":"u","iat":{}.5,"exp":{},"type":"access"}}"#,
                now + 30,
                now + 7200
            ),
        );
        assert_eq!(err(&strict, &fraction), AuthError::TokenNotYetValid);
        for ok in [issued(now), issued(now - 30), issued(0)] {
            assert!(
                strict
                    .verify_token::<NoCustomClaims>(&ok, TokenType::Access)
                    .is_ok()
            );
        }
        // Within the leeway: clock skew.
        let skewed = build(Config::builder().leeway(60));
        assert!(
            skewed
                .verify_token::<NoCustomClaims>(&ahead, TokenType::Access)
                .is_ok()
        );
        let far = issued(now + 3600);
        assert_eq!(err(&skewed, &far), AuthError::TokenNotYetValid);
        // The dangerous switch lets it through.
        let lax = build(Config::builder().dangerous_allow_future_iat());
        assert!(
            lax.verify_token::<NoCustomClaims>(&far, TokenType::Access)
                .is_ok()
        );
    }

    #[test]
    fn numeric_dates_may_have_fractions_and_never_lengthen_a_token() {
        let a = auth();
        let now = now();
        let token = |times: &str| {
            let payload = format!(r#"{{"sub":"u","type":"access",{times}}}"#);
            resign(&a, r#"{"alg":"HS256"}"#, &payload)
        };
        let ok = token(&format!(
            r#""iat":{now}.75,"nbf":{}.25,"exp":{}.5"#,
            now - 1,
            now + 60
        ));
        let claims: Claims = a.verify_token(&ok, TokenType::Access).unwrap();
        assert_eq!(
            (claims.iat, claims.nbf, claims.exp),
            (now, Some(now), Some(now + 60))
        );
        // exp rounds down: half a second past the last whole second is expired.
        let expired = token(&format!(r#""iat":1,"exp":{}.5"#, now - 1));
        assert_eq!(err(&a, &expired), AuthError::TokenExpired);
        // nbf rounds up.
        let early = token(&format!(
            r#""iat":1,"nbf":{}.5,"exp":{}"#,
            now + 30,
            now + 90
        ));
        assert_eq!(err(&a, &early), AuthError::TokenNotYetValid);
        for bad in [
            r#""iat":1,"exp":-0.5"#,
            r#""iat":1,"exp":1e300"#,
            r#""iat":1,"exp":253402300800"#,
            r#""iat":1,"exp":18446744073709551615"#,
            r#""iat":-1,"exp":9999999999"#,
            r#""iat":1,"nbf":253402300799.5,"exp":9999999999"#,
        ] {
            assert_eq!(
                err(&a, &token(bad)),
                InvalidReason::Malformed.into(),
                "{bad}"
            );
        }
    }

    #[test]
    fn null_claims_are_malformed_not_absent() {
        let lax = Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .dangerous_allow_non_expiring_tokens()
                .build()
                .unwrap(),
        );
        let now = now();
        for member in [
            r#""exp":null"#.to_owned(),
            format!(r#""exp":{},"nbf":null"#, now + 60),
            format!(r#""exp":{},"jti":null"#, now + 60),
            format!(r#""exp":{},"aud":null"#, now + 60),
            format!(r#""exp":{},"iss":null"#, now + 60),
        ] {
            let payload = format!(r#"{{"sub":"u","iat":{now},"type":"access",{member}}}"#);
            let t = resign(&lax, r#"{"alg":"HS256"}"#, &payload);
            assert_eq!(err(&lax, &t), InvalidReason::Malformed.into(), "{member}");
        }
    }

    #[test]
    fn issuer_and_audience() {
        let a = Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .issuer("me")
                .audience(["web"])
                .build()
                .unwrap(),
        );
        let t = a.create_access_token("u").unwrap();
        assert!(
            a.verify_token::<NoCustomClaims>(t.as_str(), TokenType::Access)
                .is_ok()
        );
        let other = Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .issuer("me")
                .audience(["api"])
                .build()
                .unwrap(),
        );
        assert_eq!(
            other
                .verify_token::<NoCustomClaims>(t.as_str(), TokenType::Access)
                .unwrap_err(),
            AuthError::InvalidClaims
        );
        let plain = auth().create_access_token("u").unwrap();
        assert_eq!(err(&a, plain.as_str()), AuthError::InvalidClaims);
        // Without a configured audience, any `aud` names someone else (RFC 7519 4.1.3).
        assert_eq!(err(&auth(), t.as_str()), AuthError::InvalidClaims);
        let now = now();
        for aud in [r#""web""#, r#"["web"]"#, "[]", r#"["web","api"]"#] {
            let payload = format!(
                r#"{{"sub":"u","iat":{now},"exp":{},"type":"access","aud":{aud}}}"#,
                now + 60
            );
            let token = resign(&auth(), r#"{"alg":"HS256"}"#, &payload);
            assert_eq!(err(&auth(), &token), AuthError::InvalidClaims, "{aud}");
        }
        let listed = resign(
            &a,
            r#"{"alg":"HS256"}"#,
            &format!(
                r#"{{"sub":"u","iat":{now},"exp":{},"type":"access","iss":"me","aud":["x","web"]}}"#,
                now + 60
            ),
        );
        assert!(
            a.verify_token::<NoCustomClaims>(&listed, TokenType::Access)
                .is_ok()
        );
    }

    #[test]
    fn key_rotation_by_kid() {
        let old = SigningKey::from_secret(Algorithm::HS256, &[1; 32])
            .unwrap()
            .with_kid("old");
        let new = SigningKey::from_secret(Algorithm::HS256, &[2; 32])
            .unwrap()
            .with_kid("new");
        let before = Auth::new(Config::builder().signing_key(old.clone()).build().unwrap());
        let token = before.create_access_token("u").unwrap();
        let after = Auth::new(
            Config::builder()
                .signing_key(new.clone())
                .verifying_key(old.verifying_key())
                .build()
                .unwrap(),
        );
        assert!(
            after
                .verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access)
                .is_ok()
        );
        let removed = Auth::new(Config::builder().signing_key(new).build().unwrap());
        assert_eq!(
            removed
                .verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access)
                .unwrap_err(),
            InvalidReason::UnknownKey.into()
        );
        let _ = KeySet::new(old);
    }

    #[test]
    fn hs256_signed_with_the_rsa_public_key_is_refused() {
        let pem = include_bytes!("../../tests/keys/rsa_private.pem");
        let public = include_bytes!("../../tests/keys/rsa_public.pem");
        let rs = Auth::new(
            Config::builder()
                .signing_key(SigningKey::from_pem(Algorithm::RS256, pem).unwrap())
                .build()
                .unwrap(),
        );
        let now = now();
        let payload = format!(
            r#"{{"sub":"u","iat":{now},"exp":{},"type":"access"}}"#,
            now + 60
        );
        let msg = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(&payload)
        );
        let confused = SigningKey::dangerous_short_hmac_secret(Algorithm::HS256, public).unwrap();
        let sig = confused.sign(msg.as_bytes()).unwrap();
        let token = format!("{msg}.{}", URL_SAFE_NO_PAD.encode(sig));
        assert_eq!(
            rs.verify_token::<NoCustomClaims>(&token, TokenType::Access)
                .unwrap_err(),
            InvalidReason::AlgorithmNotAllowed.into()
        );
        let good = rs.create_access_token("u").unwrap();
        assert!(
            rs.verify_token::<NoCustomClaims>(good.as_str(), TokenType::Access)
                .is_ok()
        );
        let _ = VerifyingKey::from_pem(Algorithm::RS256, public).unwrap();
    }

    #[test]
    fn reserved_names_and_non_expiring_tokens() {
        let a = auth();
        let r = a.create_token(
            TokenType::Access,
            "u",
            TokenOptions::new().claims(serde_json::json!({"type":"refresh"})),
        );
        assert!(matches!(r, Err(TokenError::ReservedClaim(_))));
        let r = a.create_token(
            TokenType::Access,
            "u",
            TokenOptions::new().header("alg", "none"),
        );
        assert!(matches!(r, Err(TokenError::ReservedHeader(_))));
        // Parameters the verifier refuses are never written either.
        for name in ["b64", "zip", "enc", "cty"] {
            let r = a.create_token(
                TokenType::Access,
                "u",
                TokenOptions::new().header(name, "x"),
            );
            assert!(matches!(r, Err(TokenError::ReservedHeader(_))), "{name}");
        }
        let r = a.create_token(TokenType::Access, "u", TokenOptions::new().never_expires());
        assert!(matches!(r, Err(TokenError::NonExpiring)));
        let r = a.create_token(TokenType::Access, "u", TokenOptions::new().claims(5));
        assert!(matches!(r, Err(TokenError::Claims(_))));
    }
}
