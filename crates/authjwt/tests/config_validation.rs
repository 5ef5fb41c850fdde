//! Configuration validation through the public API: every refused combination names what
//! to change, and the `JWT_*` variables report the variable and the form they expect.

use std::collections::HashMap;
use std::time::Duration;

use authjwt::{
    Auth, Config, ConfigBuilder, ConfigError, TokenLocation,
    claims::TokenType,
    config::SameSite,
    keys::{Algorithm, KeyError, SigningKey, VerifyingKey},
};

const SECRET: &[u8] = b"config-validation-secret-0123456789abcdef";
const RSA_PRIVATE: &[u8] = include_bytes!("keys/rsa_private.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("keys/rsa_public.pem");

fn cookies() -> ConfigBuilder {
    Config::builder()
        .secret(SECRET)
        .token_location([TokenLocation::Cookies])
}

fn from_vars(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

const ENV_SECRET: (&str, &str) = ("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef");

#[test]
fn defaults_are_the_safe_ones() {
    let c = Config::builder().secret(SECRET).build().unwrap();
    assert_eq!(c.token_location(), [TokenLocation::Headers]);
    assert_eq!(c.access_expires(), Some(Duration::from_secs(900)));
    assert_eq!(
        c.refresh_expires(),
        Some(Duration::from_secs(30 * 24 * 3600))
    );
    assert_eq!(c.access_cookie_name(), "access_token_cookie");
    assert_eq!(c.access_csrf_header_name(), "x-csrf-token");
    assert!(!c.csrf_protect(), "no cookies, no CSRF claim");
    assert!(cookies().build().unwrap().csrf_protect());
}

#[test]
fn refused_combinations() {
    let cases: Vec<(&str, ConfigBuilder, ConfigError)> = vec![
        ("no key", Config::builder(), ConfigError::MissingKey),
        (
            "SameSite=None over http",
            cookies()
                .cookie_samesite(SameSite::None)
                .cookie_secure(false),
            ConfigError::SameSiteNoneWithoutSecure,
        ),
        (
            "__Host- with a Domain",
            cookies().host_prefix(true).cookie_domain("example.com"),
            ConfigError::HostPrefix("a Domain is set"),
        ),
        (
            "__Host- with a Path",
            cookies().host_prefix(true).refresh_cookie_path("/refresh"),
            ConfigError::HostPrefix("a cookie Path is not /"),
        ),
        (
            "__Host- with a CSRF cookie Path",
            cookies().host_prefix(true).access_csrf_cookie_path("/app"),
            ConfigError::HostPrefix("a cookie Path is not /"),
        ),
        (
            "__Host- over http",
            cookies().host_prefix(true).cookie_secure(false),
            ConfigError::HostPrefix("Secure is off"),
        ),
        (
            "cookies without CSRF",
            cookies().cookie_csrf_protect(false),
            ConfigError::CookiesWithoutCsrf,
        ),
        (
            "no location",
            cookies().token_location([]),
            ConfigError::NoLocation,
        ),
        (
            "access tokens without expiry",
            cookies().access_never_expires(),
            ConfigError::NonExpiringTokens,
        ),
        (
            "refresh tokens without expiry",
            cookies().refresh_never_expires(),
            ConfigError::NonExpiringTokens,
        ),
        (
            "a maximum lifetime below the refresh lifetime",
            cookies().max_token_lifetime(std::time::Duration::from_secs(3600)),
            ConfigError::MaxLifetimeTooShort {
                max: std::time::Duration::from_secs(3600),
                longest: std::time::Duration::from_secs(30 * 24 * 3600),
            },
        ),
        (
            "session cookie with Max-Age",
            cookies()
                .session_cookie(true)
                .cookie_max_age(Duration::from_secs(60)),
            ConfigError::SessionCookieWithMaxAge,
        ),
        (
            "two cookies with one name",
            cookies().refresh_cookie_name("access_token_cookie"),
            ConfigError::DuplicateCookieName("access_token_cookie".into()),
        ),
        (
            "a CSRF cookie named like a JWT cookie",
            cookies().access_csrf_cookie_name("refresh_token_cookie"),
            ConfigError::DuplicateCookieName("refresh_token_cookie".into()),
        ),
        (
            "names equal once prefixed",
            cookies()
                .host_prefix(true)
                .access_cookie_name("__Host-a")
                .refresh_cookie_name("a"),
            ConfigError::DuplicateCookieName("__Host-a".into()),
        ),
        (
            "space in a cookie name",
            cookies().access_cookie_name("bad name"),
            ConfigError::InvalidCookieName("bad name".into()),
        ),
        (
            "'=' in a cookie name",
            cookies().refresh_csrf_cookie_name("a=b"),
            ConfigError::InvalidCookieName("a=b".into()),
        ),
        (
            "empty cookie name",
            cookies().access_cookie_name(""),
            ConfigError::InvalidCookieName(String::new()),
        ),
        (
            "';' in a path",
            cookies().access_cookie_path("/a;b"),
            ConfigError::InvalidCookieAttribute("/a;b".into(), "path"),
        ),
        (
            "relative path",
            cookies().refresh_cookie_path("refresh"),
            ConfigError::InvalidCookieAttribute("refresh".into(), "path"),
        ),
        (
            "';' in a domain",
            cookies().cookie_domain("example.com; Secure"),
            ConfigError::InvalidCookieAttribute("example.com; Secure".into(), "domain"),
        ),
        (
            "empty domain",
            cookies().cookie_domain(""),
            ConfigError::InvalidCookieAttribute(String::new(), "domain"),
        ),
        (
            "bad CSRF header name",
            cookies().access_csrf_header_name("bad header"),
            ConfigError::InvalidHeaderName("bad header".into()),
        ),
        (
            "bad token header name",
            cookies().header_name("Author:ization"),
            ConfigError::InvalidHeaderName("Author:ization".into()),
        ),
    ];
    for (ctx, builder, expected) in cases {
        let err = builder.build().unwrap_err();
        assert_eq!(err, expected, "{ctx}");
        assert!(
            err.to_string().len() > 20,
            "{ctx}: the message says what to change"
        );
    }
}

#[test]
fn key_errors_surface_from_build() {
    let short = Config::builder().secret(b"short").build().unwrap_err();
    assert!(
        matches!(
            short,
            ConfigError::Key(KeyError::ShortSecret {
                alg: Algorithm::HS256,
                len: 5,
                min: 32
            })
        ),
        "{short:?}"
    );
    assert!(short.to_string().contains("at least 32 bytes"), "{short}");
    assert!(
        !short.to_string().contains("short\""),
        "the secret is not echoed"
    );
    for (alg, min) in [(Algorithm::HS384, 48), (Algorithm::HS512, 64)] {
        let err = SigningKey::from_secret(alg, &[1; 40]).unwrap_err();
        assert_eq!(err, KeyError::ShortSecret { alg, len: 40, min });
        SigningKey::from_secret(alg, &vec![1; min]).unwrap();
    }
    assert!(matches!(
        SigningKey::from_secret(Algorithm::RS256, SECRET).unwrap_err(),
        KeyError::WrongFamily { .. }
    ));
    assert!(matches!(
        SigningKey::from_pem(Algorithm::RS256, b"not a pem").unwrap_err(),
        KeyError::Invalid { .. }
    ));
    assert!(matches!(
        SigningKey::from_pem(Algorithm::ES256, RSA_PRIVATE).unwrap_err(),
        KeyError::Invalid { .. }
    ));
    assert!(matches!(
        SigningKey::from_pem(Algorithm::HS256, RSA_PRIVATE).unwrap_err(),
        KeyError::WrongFamily { .. }
    ));
    assert!(VerifyingKey::from_pem(Algorithm::RS256, RSA_PUBLIC).is_ok());
}

#[test]
fn dangerous_opt_outs_build() {
    cookies()
        .cookie_csrf_protect(false)
        .dangerous_allow_cookies_without_csrf()
        .build()
        .unwrap();
    cookies()
        .access_never_expires()
        .refresh_never_expires()
        .dangerous_allow_non_expiring_tokens()
        .build()
        .unwrap();
    // CSRF off is fine when cookies are not a location.
    Config::builder()
        .secret(SECRET)
        .token_location([TokenLocation::Headers])
        .cookie_csrf_protect(false)
        .build()
        .unwrap();
    // A Max-Age makes cookies persistent unless told otherwise.
    cookies()
        .session_cookie(false)
        .cookie_max_age(Duration::from_secs(60))
        .build()
        .unwrap();
}

#[test]
fn duplicate_locations_are_merged_in_order() {
    let c = cookies()
        .token_location([
            TokenLocation::Query,
            TokenLocation::Cookies,
            TokenLocation::Query,
            TokenLocation::Headers,
        ])
        .build()
        .unwrap();
    assert_eq!(
        c.token_location(),
        [
            TokenLocation::Query,
            TokenLocation::Cookies,
            TokenLocation::Headers
        ]
    );
}

#[test]
fn host_prefix_renames_every_cookie() {
    let c = cookies().host_prefix(true).build().unwrap();
    assert_eq!(c.access_cookie_name(), "__Host-access_token_cookie");
    assert_eq!(c.refresh_cookie_name(), "__Host-refresh_token_cookie");
    assert_eq!(c.access_csrf_cookie_name(), "__Host-csrf_access_token");
    assert_eq!(c.refresh_csrf_cookie_name(), "__Host-csrf_refresh_token");
    let c = cookies()
        .host_prefix(true)
        .access_cookie_name("__Host-mine")
        .build()
        .unwrap();
    assert_eq!(c.access_cookie_name(), "__Host-mine", "not prefixed twice");
}

#[test]
fn environment_errors_name_the_variable() {
    let cases: Vec<(Vec<(&str, &str)>, ConfigError)> = vec![
        (
            vec![],
            ConfigError::Env {
                var: "JWT_SECRET_KEY",
                expected: "the HMAC secret (at least 32 bytes for HS256, 48 for HS384, 64 for HS512)",
            },
        ),
        (
            vec![ENV_SECRET, ("JWT_COOKIE_HTTP_ONLY", "false")],
            ConfigError::HttpOnlyOff,
        ),
        (
            vec![
                ENV_SECRET,
                ("JWT_TOKEN_LOCATION", "cookies"),
                ("JWT_COOKIE_CSRF_PROTECT", "false"),
            ],
            ConfigError::CookiesWithoutCsrf,
        ),
        (
            vec![ENV_SECRET, ("JWT_ACCESS_TOKEN_EXPIRES", "false")],
            ConfigError::NonExpiringTokens,
        ),
        (
            vec![
                ENV_SECRET,
                ("JWT_COOKIE_SAMESITE", "none"),
                ("JWT_COOKIE_SECURE", "false"),
            ],
            ConfigError::SameSiteNoneWithoutSecure,
        ),
        (
            vec![
                ENV_SECRET,
                ("JWT_SESSION_COOKIE", "true"),
                ("JWT_COOKIE_MAX_AGE", "60"),
            ],
            ConfigError::SessionCookieWithMaxAge,
        ),
    ];
    for (vars, expected) in cases {
        assert_eq!(from_vars(&vars).unwrap_err(), expected, "{vars:?}");
    }
    let form_errors: [(&[(&str, &str)], &str); 9] = [
        (&[ENV_SECRET, ("JWT_ALGORITHM", "none")], "JWT_ALGORITHM"),
        (&[ENV_SECRET, ("JWT_ALGORITHM", "hs256")], "JWT_ALGORITHM"),
        (
            &[ENV_SECRET, ("JWT_TOKEN_LOCATION", "cookies,nowhere")],
            "JWT_TOKEN_LOCATION",
        ),
        (
            &[ENV_SECRET, ("JWT_COOKIE_SECURE", "maybe")],
            "JWT_COOKIE_SECURE",
        ),
        (
            &[ENV_SECRET, ("JWT_ACCESS_TOKEN_EXPIRES", "15m")],
            "JWT_ACCESS_TOKEN_EXPIRES",
        ),
        (
            &[ENV_SECRET, ("JWT_COOKIE_SAMESITE", "sometimes")],
            "JWT_COOKIE_SAMESITE",
        ),
        (
            &[ENV_SECRET, ("JWT_CSRF_METHODS", "POST,P(T")],
            "JWT_CSRF_METHODS",
        ),
        (&[ENV_SECRET, ("JWT_ALGORITHM", "RS256")], "JWT_PRIVATE_KEY"),
        (
            &[
                ENV_SECRET,
                ("JWT_ALGORITHM", "RS256"),
                ("JWT_PRIVATE_KEY", "-----BEGIN junk"),
            ],
            "JWT_PRIVATE_KEY",
        ),
    ];
    for (vars, var) in form_errors {
        let err = from_vars(vars).unwrap_err();
        assert!(
            matches!(err, ConfigError::Env { var: v, .. } if v == var),
            "{vars:?}: {err:?}"
        );
        assert!(err.to_string().starts_with(var), "{err}");
    }
    let short = from_vars(&[("JWT_SECRET_KEY", "short")]).unwrap_err();
    assert!(
        matches!(short, ConfigError::Key(KeyError::ShortSecret { .. })),
        "{short:?}"
    );
}

#[test]
fn environment_builds_an_rsa_configuration() {
    let pem = std::str::from_utf8(RSA_PRIVATE).unwrap();
    let c = from_vars(&[
        ("JWT_ALGORITHM", "RS256"),
        ("JWT_PRIVATE_KEY", pem),
        ("JWT_TOKEN_LOCATION", r#"["cookies", "headers"]"#),
    ])
    .unwrap();
    assert_eq!(c.keys().signing_key().algorithm(), Algorithm::RS256);
    assert_eq!(
        c.token_location(),
        [TokenLocation::Cookies, TokenLocation::Headers]
    );
    let auth = Auth::new(c);
    let t = auth.create_access_token("u").unwrap();
    auth.verify_token::<authjwt::claims::NoCustomClaims>(t.as_str(), TokenType::Access)
        .unwrap();
}

/// Verifying keys that could never be selected, or that would shadow another key, are
/// refused when the configuration is built.
#[test]
fn verifying_keys_that_cannot_be_used_are_refused() {
    let signing = || {
        SigningKey::from_secret(Algorithm::HS256, SECRET)
            .unwrap()
            .with_kid("current")
    };
    // `ConfigBuilder::verifying_key` documents "It must have a kid", but a key without one
    // is silently dropped: rotation then fails at the first old token instead of at build.
    let unnamed = VerifyingKey::from_pem(Algorithm::RS256, RSA_PUBLIC).unwrap();
    let no_kid = Config::builder()
        .signing_key(signing())
        .verifying_key(unnamed)
        .build();
    // A verifying key reusing the signing key's kid replaces it in the key set, so the
    // application can no longer verify the tokens it signs itself.
    let clash = VerifyingKey::from_secret(Algorithm::HS256, b"a-different-secret-0123456789abcdef")
        .unwrap()
        .with_kid("current");
    let same_kid = Config::builder()
        .signing_key(signing())
        .verifying_key(clash)
        .build();
    let own_token_verifies = same_kid.as_ref().ok().map(|c| {
        let auth = Auth::new(c.clone());
        let t = auth.create_access_token("u").unwrap();
        auth.verify_token::<authjwt::claims::NoCustomClaims>(t.as_str(), TokenType::Access)
            .is_ok()
    });
    assert_eq!(no_kid.unwrap_err(), ConfigError::VerifyingKeyWithoutKid);
    assert!(
        matches!(same_kid, Err(ConfigError::DuplicateKid(ref k)) if k == "current"),
        "a verifying key reusing the signing kid should be refused by build() \
         (own tokens verify afterwards: {own_token_verifies:?})"
    );
}
