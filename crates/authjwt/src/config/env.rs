//! `JWT_*` variables (the names of AuthX) into a [`ConfigBuilder`].

use std::time::Duration;

use http::Method;

use super::{ConfigBuilder, ConfigError, SameSite};
use crate::config::TokenLocation;
use crate::keys::{Algorithm, SigningKey};

/// The `JWT_*` variables [`ConfigBuilder::env_settings`] reads: every setting but the keys
/// (`JWT_ALGORITHM`, `JWT_SECRET_KEY`, `JWT_PRIVATE_KEY`, which [`Config::from_env`](super::Config::from_env)
/// reads too).
pub const SETTINGS_VARIABLES: &[&str] = &[
    "JWT_ACCESS_COOKIE_NAME",
    "JWT_ACCESS_COOKIE_PATH",
    "JWT_ACCESS_CSRF_COOKIE_NAME",
    "JWT_ACCESS_CSRF_COOKIE_PATH",
    "JWT_ACCESS_CSRF_FIELD_NAME",
    "JWT_ACCESS_CSRF_HEADER_NAME",
    "JWT_ACCESS_TOKEN_EXPIRES",
    "JWT_AUDIENCE",
    "JWT_COOKIE_CSRF_PROTECT",
    "JWT_COOKIE_DOMAIN",
    "JWT_COOKIE_HOST_PREFIX",
    "JWT_COOKIE_HTTP_ONLY",
    "JWT_COOKIE_MAX_AGE",
    "JWT_COOKIE_SAMESITE",
    "JWT_COOKIE_SECURE",
    "JWT_CSRF_CHECK_FORM",
    "JWT_CSRF_IN_COOKIES",
    "JWT_CSRF_METHODS",
    "JWT_DECODE_LEEWAY",
    "JWT_HEADER_NAME",
    "JWT_HEADER_TYPE",
    "JWT_ISSUER",
    "JWT_JSON_KEY",
    "JWT_QUERY_STRING_NAME",
    "JWT_REFRESH_COOKIE_NAME",
    "JWT_REFRESH_COOKIE_PATH",
    "JWT_REFRESH_CSRF_COOKIE_NAME",
    "JWT_REFRESH_CSRF_COOKIE_PATH",
    "JWT_REFRESH_CSRF_FIELD_NAME",
    "JWT_REFRESH_CSRF_HEADER_NAME",
    "JWT_REFRESH_JSON_KEY",
    "JWT_REFRESH_REUSE_WINDOW",
    "JWT_REFRESH_TOKEN_EXPIRES",
    "JWT_SESSION_COOKIE",
    "JWT_SESSION_MAX_AGE",
    "JWT_TOKEN_LOCATION",
];

fn err(var: &'static str, expected: &'static str) -> ConfigError {
    ConfigError::Env { var, expected }
}

fn parse_bool(var: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(err(var, "true or false")),
    }
}

fn parse_secs(var: &'static str, v: &str) -> Result<Duration, ConfigError> {
    v.trim()
        .parse::<u64>()
        .map(Duration::from_secs)
        .map_err(|_| err(var, "a whole number of seconds, like 900"))
}

/// A lifetime: a positive whole number of seconds (zero would end everything at once).
fn parse_lifetime(var: &'static str, v: &str) -> Result<Duration, ConfigError> {
    match parse_secs(var, v)? {
        d if d.is_zero() => Err(err(var, "a positive whole number of seconds, like 900")),
        d => Ok(d),
    }
}

/// `a,b`, `["a", "b"]` or `a b` into items.
fn parse_list(v: &str) -> Vec<String> {
    let v = v.trim();
    if v.starts_with('[')
        && let Ok(items) = serde_json::from_str::<Vec<String>>(v)
    {
        return items;
    }
    v.split([',', ' '])
        .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\''))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ConfigBuilder {
    /// Applies every `JWT_*` variable of [`SETTINGS_VARIABLES`] that `lookup` finds (empty
    /// values count as unset) to this builder: the settings of [`Config::from_env`](super::Config::from_env)
    /// but the keys, for an application that chooses its keys itself and takes the rest from
    /// its environment. Errors name the variable and the form it expects.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use std::time::Duration;
    /// let vars = HashMap::from([("JWT_ACCESS_TOKEN_EXPIRES", "300"), ("JWT_COOKIE_SAMESITE", "strict")]);
    /// let config = authjwt::Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .env_settings(|k| vars.get(k).map(|v| v.to_string()))?
    ///     .build()?;
    /// assert_eq!(config.access_expires(), Some(Duration::from_secs(300)));
    /// let zero = HashMap::from([("JWT_ACCESS_TOKEN_EXPIRES", "0")]);
    /// let err = authjwt::Config::builder().env_settings(|k| zero.get(k).map(|v| v.to_string()));
    /// assert!(err.unwrap_err().to_string().contains("JWT_ACCESS_TOKEN_EXPIRES"));
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn env_settings(
        self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        settings_from(self, lookup)
    }
}

pub(super) fn builder_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<ConfigBuilder, ConfigError> {
    let key = signing_key_from(&lookup)?;
    ConfigBuilder::default()
        .signing_key(key)
        .env_settings(lookup)
}

/// The signing key of `JWT_ALGORITHM`, `JWT_SECRET_KEY` and `JWT_PRIVATE_KEY`.
fn signing_key_from(lookup: &impl Fn(&str) -> Option<String>) -> Result<SigningKey, ConfigError> {
    let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
    let alg = match get("JWT_ALGORITHM") {
        Some(a) => a.trim().parse::<Algorithm>().map_err(|_| {
            err(
                "JWT_ALGORITHM",
                "one of HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 EdDSA",
            )
        })?,
        None => Algorithm::HS256,
    };
    let secret = get("JWT_SECRET_KEY");
    let private =
        get("JWT_PRIVATE_KEY").or_else(|| secret.clone().filter(|s| s.contains("-----BEGIN")));
    Ok(match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            let secret = secret.ok_or(err(
                "JWT_SECRET_KEY",
                "the HMAC secret (at least 32 bytes for HS256, 48 for HS384, 64 for HS512)",
            ))?;
            SigningKey::from_secret(alg, secret.as_bytes())?
        }
        _ => {
            let pem = private.ok_or(err(
                "JWT_PRIVATE_KEY",
                "a PEM private key for the asymmetric JWT_ALGORITHM (JWT_SECRET_KEY may hold it too)",
            ))?;
            SigningKey::from_pem(alg, pem.as_bytes()).map_err(|_| {
                err(
                    "JWT_PRIVATE_KEY",
                    "a PEM private key matching JWT_ALGORITHM",
                )
            })?
        }
    })
}

/// Every `JWT_*` variable but the key ones, applied to `b`.
pub(super) fn settings_from(
    mut b: ConfigBuilder,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<ConfigBuilder, ConfigError> {
    let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
    if let Some(v) = get("JWT_TOKEN_LOCATION") {
        let mut locations = Vec::new();
        for item in parse_list(&v) {
            locations.push(item.parse::<TokenLocation>().map_err(|_| {
                err(
                    "JWT_TOKEN_LOCATION",
                    "a list of headers, cookies, query, json (like cookies,headers)",
                )
            })?);
        }
        b = b.token_location(locations);
    }
    for (var, access) in [
        ("JWT_ACCESS_TOKEN_EXPIRES", true),
        ("JWT_REFRESH_TOKEN_EXPIRES", false),
    ] {
        if let Some(v) = get(var) {
            let never = v.trim().eq_ignore_ascii_case("false");
            b = match (never, access) {
                (true, true) => b.access_never_expires(),
                (true, false) => b.refresh_never_expires(),
                (false, true) => b.access_expires(parse_lifetime(var, &v)?),
                (false, false) => b.refresh_expires(parse_lifetime(var, &v)?),
            };
        }
    }
    if let Some(v) = get("JWT_COOKIE_SECURE") {
        b = b.cookie_secure(parse_bool("JWT_COOKIE_SECURE", &v)?);
    }
    if let Some(v) = get("JWT_COOKIE_HTTP_ONLY") {
        b = b.cookie_http_only(parse_bool("JWT_COOKIE_HTTP_ONLY", &v)?);
    }
    if let Some(v) = get("JWT_COOKIE_SAMESITE") {
        b = b.cookie_samesite(
            v.trim()
                .parse::<SameSite>()
                .map_err(|_| err("JWT_COOKIE_SAMESITE", "lax, strict or none"))?,
        );
    }
    if let Some(v) = get("JWT_COOKIE_DOMAIN")
        && !v.eq_ignore_ascii_case("none")
    {
        b = b.cookie_domain(v.trim());
    }
    if let Some(v) = get("JWT_COOKIE_MAX_AGE")
        && !v.eq_ignore_ascii_case("none")
    {
        b = b.cookie_max_age(parse_secs("JWT_COOKIE_MAX_AGE", &v)?);
    }
    if let Some(v) = get("JWT_SESSION_COOKIE") {
        b = b.session_cookie(parse_bool("JWT_SESSION_COOKIE", &v)?);
    }
    if let Some(v) = get("JWT_COOKIE_HOST_PREFIX") {
        b = b.host_prefix(parse_bool("JWT_COOKIE_HOST_PREFIX", &v)?);
    }
    macro_rules! string_setting {
        ($($var:literal => $setter:ident),* $(,)?) => {
            $( if let Some(v) = get($var) { b = b.$setter(v.trim()); } )*
        };
    }
    string_setting! {
        "JWT_ACCESS_COOKIE_NAME" => access_cookie_name,
        "JWT_REFRESH_COOKIE_NAME" => refresh_cookie_name,
        "JWT_ACCESS_COOKIE_PATH" => access_cookie_path,
        "JWT_REFRESH_COOKIE_PATH" => refresh_cookie_path,
        "JWT_ACCESS_CSRF_COOKIE_NAME" => access_csrf_cookie_name,
        "JWT_REFRESH_CSRF_COOKIE_NAME" => refresh_csrf_cookie_name,
        "JWT_ACCESS_CSRF_COOKIE_PATH" => access_csrf_cookie_path,
        "JWT_REFRESH_CSRF_COOKIE_PATH" => refresh_csrf_cookie_path,
        "JWT_ACCESS_CSRF_HEADER_NAME" => access_csrf_header_name,
        "JWT_REFRESH_CSRF_HEADER_NAME" => refresh_csrf_header_name,
        "JWT_ACCESS_CSRF_FIELD_NAME" => access_csrf_field_name,
        "JWT_REFRESH_CSRF_FIELD_NAME" => refresh_csrf_field_name,
        "JWT_HEADER_NAME" => header_name,
        "JWT_QUERY_STRING_NAME" => query_string_name,
        "JWT_JSON_KEY" => json_key,
        "JWT_REFRESH_JSON_KEY" => refresh_json_key,
        "JWT_ISSUER" => issuer,
    }
    // An empty JWT_HEADER_TYPE is meaningful (a bare token), so read it without the filter.
    if let Some(v) = lookup("JWT_HEADER_TYPE") {
        b = b.header_type(v.trim());
    }
    if let Some(v) = get("JWT_COOKIE_CSRF_PROTECT") {
        b = b.cookie_csrf_protect(parse_bool("JWT_COOKIE_CSRF_PROTECT", &v)?);
    }
    if let Some(v) = get("JWT_CSRF_IN_COOKIES") {
        b = b.csrf_in_cookies(parse_bool("JWT_CSRF_IN_COOKIES", &v)?);
    }
    if let Some(v) = get("JWT_CSRF_CHECK_FORM") {
        b = b.csrf_check_form(parse_bool("JWT_CSRF_CHECK_FORM", &v)?);
    }
    if let Some(v) = get("JWT_CSRF_METHODS") {
        let mut methods = Vec::new();
        for m in parse_list(&v) {
            methods.push(
                Method::from_bytes(m.to_ascii_uppercase().as_bytes()).map_err(|_| {
                    err(
                        "JWT_CSRF_METHODS",
                        "a list of HTTP methods, like POST,PUT,PATCH,DELETE",
                    )
                })?,
            );
        }
        b = b.csrf_methods(methods);
    }
    if let Some(v) = get("JWT_DECODE_LEEWAY") {
        b = b.leeway(parse_secs("JWT_DECODE_LEEWAY", &v)?.as_secs());
    }
    if let Some(v) = get("JWT_AUDIENCE") {
        b = b.audience(parse_list(&v));
    }
    if let Some(v) = get("JWT_SESSION_MAX_AGE") {
        b = b.session_max_age(parse_lifetime("JWT_SESSION_MAX_AGE", &v)?);
    }
    if let Some(v) = get("JWT_REFRESH_REUSE_WINDOW") {
        b = b.refresh_reuse_window(parse_secs("JWT_REFRESH_REUSE_WINDOW", &v)?);
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::config::Config;

    fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const SECRET: (&str, &str) = ("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef");

    #[test]
    fn reads_the_seed_002_settings() {
        let c = from(&[
            SECRET,
            ("JWT_ALGORITHM", "HS256"),
            ("JWT_TOKEN_LOCATION", r#"["headers", "cookies"]"#),
            ("JWT_ACCESS_TOKEN_EXPIRES", "60"),
            ("JWT_REFRESH_TOKEN_EXPIRES", "3600"),
            ("JWT_COOKIE_SECURE", "False"),
            ("JWT_COOKIE_HTTP_ONLY", "True"),
            ("JWT_COOKIE_SAMESITE", "strict"),
            ("JWT_COOKIE_DOMAIN", "example.com"),
            ("JWT_COOKIE_MAX_AGE", "2592000"),
            ("JWT_SESSION_COOKIE", "false"),
            ("JWT_ACCESS_COOKIE_NAME", "a"),
            ("JWT_REFRESH_COOKIE_NAME", "r"),
            ("JWT_ACCESS_COOKIE_PATH", "/"),
            ("JWT_REFRESH_COOKIE_PATH", "/refresh"),
            ("JWT_COOKIE_CSRF_PROTECT", "true"),
            ("JWT_CSRF_IN_COOKIES", "true"),
            ("JWT_CSRF_METHODS", "post, delete"),
            ("JWT_ACCESS_CSRF_COOKIE_NAME", "ca"),
            ("JWT_REFRESH_CSRF_COOKIE_NAME", "cr"),
            ("JWT_ACCESS_CSRF_HEADER_NAME", "X-A"),
            ("JWT_REFRESH_CSRF_HEADER_NAME", "X-R"),
            ("JWT_REFRESH_REUSE_WINDOW", "5"),
        ])
        .unwrap();
        assert_eq!(c.refresh_reuse_window(), Duration::from_secs(5));
        assert_eq!(
            c.token_location(),
            [TokenLocation::Headers, TokenLocation::Cookies]
        );
        assert_eq!(c.access_expires(), Some(Duration::from_secs(60)));
        assert!(!c.cookies.secure);
        assert_eq!(c.cookies.samesite, SameSite::Strict);
        assert_eq!(c.cookies.domain.as_deref(), Some("example.com"));
        assert_eq!(c.cookies.max_age, Some(Duration::from_secs(2_592_000)));
        assert!(!c.cookies.session);
        assert_eq!(c.refresh_cookie_name(), "r");
        assert_eq!(c.cookies.refresh_path, "/refresh");
        assert_eq!(c.csrf.methods, [Method::POST, Method::DELETE]);
        assert_eq!(c.refresh_csrf_header_name(), "x-r");
    }

    #[test]
    fn errors_name_the_variable_and_the_form() {
        for (vars, var) in [
            (vec![], "JWT_SECRET_KEY"),
            (
                vec![SECRET, ("JWT_ACCESS_TOKEN_EXPIRES", "15m")],
                "JWT_ACCESS_TOKEN_EXPIRES",
            ),
            (
                vec![SECRET, ("JWT_COOKIE_SECURE", "maybe")],
                "JWT_COOKIE_SECURE",
            ),
            (
                vec![SECRET, ("JWT_COOKIE_SAMESITE", "loose")],
                "JWT_COOKIE_SAMESITE",
            ),
            (
                vec![SECRET, ("JWT_TOKEN_LOCATION", "body")],
                "JWT_TOKEN_LOCATION",
            ),
            (vec![SECRET, ("JWT_ALGORITHM", "none")], "JWT_ALGORITHM"),
            (
                vec![SECRET, ("JWT_CSRF_METHODS", "PO ST;")],
                "JWT_CSRF_METHODS",
            ),
            (vec![("JWT_ALGORITHM", "RS256")], "JWT_PRIVATE_KEY"),
        ] {
            let e = from(&vars).unwrap_err().to_string();
            assert!(e.contains(var), "{e}");
        }
    }

    #[test]
    fn validation_applies_to_env_config() {
        let e = from(&[("JWT_SECRET_KEY", "your-secret-key")]).unwrap_err();
        assert!(matches!(e, ConfigError::Key(_)));
        let e = from(&[SECRET, ("JWT_COOKIE_HTTP_ONLY", "false")]).unwrap_err();
        assert_eq!(e, ConfigError::HttpOnlyOff);
        let e = from(&[
            SECRET,
            ("JWT_TOKEN_LOCATION", "cookies"),
            ("JWT_COOKIE_CSRF_PROTECT", "false"),
        ])
        .unwrap_err();
        assert_eq!(e, ConfigError::CookiesWithoutCsrf);
        let e = from(&[SECRET, ("JWT_REFRESH_REUSE_WINDOW", "301")]).unwrap_err();
        assert!(matches!(e, ConfigError::ReuseWindowTooLong { .. }));
        let e = from(&[SECRET, ("JWT_REFRESH_REUSE_WINDOW", "30s")]).unwrap_err();
        assert!(e.to_string().contains("JWT_REFRESH_REUSE_WINDOW"), "{e}");
    }
}
