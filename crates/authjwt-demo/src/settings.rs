//! The demo's settings: the environment variables of the contract, and the [`Config`] they
//! make (cookies only, `Secure` off for local http, `SameSite=Lax`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use authjwt::revoke::redis::RedisStore;
use authjwt::{
    Config, ConfigBuilder, ConfigError, TokenLocation,
    config::SameSite,
    keys::{Algorithm, KeyError, SigningKey},
    proxy::{InvalidProxy, TrustedProxy},
    revoke::StoreError,
};

use crate::cors::CredentialedCorsLayer;
use crate::origins::{OriginError, parse_origin, parse_origins};
use crate::users::DemoUsers;

/// The port when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 8000;
/// The access token lifetime when `JWT_ACCESS_TOKEN_EXPIRES` is unset: 15 minutes.
pub const DEFAULT_ACCESS_EXPIRES: Duration = Duration::from_secs(900);
/// The refresh token lifetime when `JWT_REFRESH_TOKEN_EXPIRES` is unset: 30 days.
pub const DEFAULT_REFRESH_EXPIRES: Duration = Duration::from_secs(2_592_000);

/// What the demo reads from its environment.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `PORT` | the port bound on 127.0.0.1 | `8000` |
/// | `JWT_SECRET_KEY` | the HS256 secret (at least 32 bytes) | a random key, with a warning |
/// | `JWT_ALGORITHM` | an asymmetric algorithm (`RS256`, `ES256`, `EdDSA`, …) to publish a JWKS | `HS256` |
/// | `JWT_PRIVATE_KEY` | the PEM private key for that algorithm | unset |
/// | `JWT_ACCESS_TOKEN_EXPIRES` | access token lifetime, seconds | `900` |
/// | `JWT_REFRESH_TOKEN_EXPIRES` | refresh token lifetime, seconds | `2592000` |
/// | `JWT_REFRESH_REUSE_WINDOW` | seconds a rotated refresh token still gets its successor; `0` = strict | `30` |
/// | `JWT_SESSION_MAX_AGE` | absolute session lifetime from login, seconds | unset (sliding) |
/// | `REDIS_URL` | shared revocation store | unset (in memory) |
/// | `TRUSTED_ORIGINS` | comma-separated origins whose unsafe requests pass the cross-site check | none |
/// | `CORS_ALLOWED_ORIGINS` | comma-separated origins of front ends allowed to call with credentials (CORS); also trusted | none |
/// | `TRUSTED_PROXIES` | comma-separated IP addresses or networks (`127.0.0.1`, `10.0.0.0/8`) of reverse proxies whose `X-Forwarded-Host` / `X-Forwarded-Proto` name the public origin to the cross-site check | none (forwarded headers ignored) |
///
/// ```
/// use std::collections::HashMap;
/// let vars = HashMap::from([("PORT", "9000"), ("JWT_ACCESS_TOKEN_EXPIRES", "2")]);
/// let settings = authjwt_demo::Settings::from_lookup(|k| vars.get(k).map(|v| v.to_string()))?;
/// assert_eq!(settings.port, 9000);
/// assert_eq!(settings.access_expires.as_secs(), 2);
/// # Ok::<(), authjwt_demo::SettingsError>(())
/// ```
#[derive(Clone)]
pub struct Settings {
    /// `PORT`.
    pub port: u16,
    /// `JWT_SECRET_KEY`; `None` makes the demo generate a key (tokens die with the process).
    pub secret: Option<String>,
    /// `JWT_ALGORITHM`. Defaults to HS256.
    pub algorithm: Algorithm,
    /// `JWT_PRIVATE_KEY` (or a PEM given in `JWT_SECRET_KEY`), for asymmetric algorithms.
    pub private_key: Option<String>,
    /// `JWT_ACCESS_TOKEN_EXPIRES`.
    pub access_expires: Duration,
    /// `JWT_REFRESH_TOKEN_EXPIRES`.
    pub refresh_expires: Duration,
    /// `JWT_REFRESH_REUSE_WINDOW`; `None` keeps the library's default (30 s).
    pub refresh_reuse_window: Option<Duration>,
    /// `JWT_SESSION_MAX_AGE`: the absolute session lifetime; `None`, sessions slide.
    pub session_max_age: Option<Duration>,
    /// `REDIS_URL`.
    pub redis_url: Option<String>,
    /// `TRUSTED_ORIGINS`: origins (as browsers send them) whose unsafe requests pass the
    /// cross-site check, with no CORS headers.
    pub trusted_origins: Vec<String>,
    /// `CORS_ALLOWED_ORIGINS`: origins of front ends that may call the API with credentials
    /// ([`CredentialedCorsLayer`]); also trusted by the
    /// cross-site check.
    pub cors_allowed_origins: Vec<String>,
    /// `TRUSTED_PROXIES`: the reverse proxies whose `X-Forwarded-Host` and
    /// `X-Forwarded-Proto` the cross-site check believes
    /// ([`ConfigBuilder::trust_forwarded_host_from`]); recognised by the peer address, which
    /// the binary serves with (`ConnectInfo`).
    pub trusted_proxies: Vec<TrustedProxy>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Secrets never reach a log line.
        f.debug_struct("Settings")
            .field("port", &self.port)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("algorithm", &self.algorithm)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field("access_expires", &self.access_expires)
            .field("refresh_expires", &self.refresh_expires)
            .field("refresh_reuse_window", &self.refresh_reuse_window)
            .field("session_max_age", &self.session_max_age)
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<set>"))
            .field("trusted_origins", &self.trusted_origins)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            secret: None,
            algorithm: Algorithm::HS256,
            private_key: None,
            access_expires: DEFAULT_ACCESS_EXPIRES,
            refresh_expires: DEFAULT_REFRESH_EXPIRES,
            refresh_reuse_window: None,
            session_max_age: None,
            redis_url: None,
            trusted_origins: Vec::new(),
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
        }
    }
}

/// A setting could not be used; the message names the variable and what it expects.
#[derive(Debug)]
pub enum SettingsError {
    /// A variable has a value of the wrong form.
    Invalid {
        /// The variable.
        var: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
    /// The key could not be built.
    Key(KeyError),
    /// The configuration was refused by the library.
    Config(ConfigError),
    /// `REDIS_URL` is set but the Redis revocation store could not be reached.
    Redis(StoreError),
    /// An entry of `TRUSTED_ORIGINS` or `CORS_ALLOWED_ORIGINS` is not an origin.
    Origin {
        /// The variable.
        var: &'static str,
        /// The entry, trimmed.
        value: String,
        /// What is wrong with it.
        reason: OriginError,
    },
    /// An entry of `TRUSTED_PROXIES` is not an IP address or network.
    Proxy(InvalidProxy),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { var, expected } => write!(f, "{var} must be {expected}"),
            Self::Key(e) => write!(f, "JWT_SECRET_KEY / JWT_PRIVATE_KEY: {e}"),
            Self::Config(e) => write!(f, "invalid configuration: {e}"),
            Self::Redis(e) => write!(f, "REDIS_URL: {e}"),
            Self::Origin { var, value, reason } => write!(
                f,
                "{var}: {value:?} is not an origin ({reason}); expected comma-separated \
                 origins like https://app.example.com (scheme://host[:port])"
            ),
            Self::Proxy(e) => write!(
                f,
                "TRUSTED_PROXIES: {e}; expected comma-separated addresses or networks like \
                 127.0.0.1,10.0.0.0/8"
            ),
        }
    }
}

impl std::error::Error for SettingsError {}

/// Where the signing key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// From `JWT_SECRET_KEY` or `JWT_PRIVATE_KEY`.
    Configured,
    /// Generated at start-up because no key was configured: tokens do not survive a restart.
    Generated,
}

fn invalid(var: &'static str, expected: &'static str) -> SettingsError {
    SettingsError::Invalid { var, expected }
}

fn seconds(var: &'static str, value: &str) -> Result<Duration, SettingsError> {
    match value.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => Err(invalid(var, "a positive whole number of seconds, like 900")),
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the variables through `lookup` (tests pass a map). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let mut s = Self::default();
        if let Some(v) = get("PORT") {
            s.port = v
                .trim()
                .parse()
                .map_err(|_| invalid("PORT", "a port number, like 8000"))?;
        }
        s.secret = get("JWT_SECRET_KEY");
        if let Some(v) = get("JWT_ALGORITHM") {
            s.algorithm = v.trim().parse().map_err(|_| {
                invalid(
                    "JWT_ALGORITHM",
                    "one of HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 EdDSA",
                )
            })?;
        }
        s.private_key = get("JWT_PRIVATE_KEY");
        if let Some(v) = get("JWT_ACCESS_TOKEN_EXPIRES") {
            s.access_expires = seconds("JWT_ACCESS_TOKEN_EXPIRES", &v)?;
        }
        if let Some(v) = get("JWT_REFRESH_TOKEN_EXPIRES") {
            s.refresh_expires = seconds("JWT_REFRESH_TOKEN_EXPIRES", &v)?;
        }
        if let Some(v) = get("JWT_REFRESH_REUSE_WINDOW") {
            // 0 is meaningful here: strict rotation.
            let secs = v.trim().parse::<u64>().map_err(|_| {
                invalid(
                    "JWT_REFRESH_REUSE_WINDOW",
                    "a whole number of seconds, like 30 (0 = strict rotation)",
                )
            })?;
            s.refresh_reuse_window = Some(Duration::from_secs(secs));
        }
        if let Some(v) = get("JWT_SESSION_MAX_AGE") {
            s.session_max_age = Some(seconds("JWT_SESSION_MAX_AGE", &v)?);
        }
        s.redis_url = get("REDIS_URL");
        let origins = |var: &'static str| {
            get(var).map_or(Ok(Vec::new()), |v| {
                parse_origins(&v).map_err(|(value, reason)| SettingsError::Origin {
                    var,
                    value,
                    reason,
                })
            })
        };
        s.trusted_origins = origins("TRUSTED_ORIGINS")?;
        s.cors_allowed_origins = origins("CORS_ALLOWED_ORIGINS")?;
        if let Some(v) = get("TRUSTED_PROXIES") {
            s.trusted_proxies = v
                .split(',')
                .map(|p| p.trim().parse())
                .collect::<Result<_, _>>()
                .map_err(SettingsError::Proxy)?;
        }
        Ok(s)
    }

    fn signing_key(&self) -> Result<(SigningKey, KeySource), SettingsError> {
        let hmac = matches!(
            self.algorithm,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        );
        if hmac {
            return match &self.secret {
                Some(secret) => SigningKey::from_secret(self.algorithm, secret.as_bytes())
                    .map(|k| (k, KeySource::Configured))
                    .map_err(SettingsError::Key),
                None => SigningKey::generate_hmac(self.algorithm)
                    .map(|k| (k, KeySource::Generated))
                    .map_err(SettingsError::Key),
            };
        }
        let pem = self
            .private_key
            .as_ref()
            .or(self.secret.as_ref().filter(|s| s.contains("-----BEGIN")))
            .ok_or(invalid(
                "JWT_PRIVATE_KEY",
                "a PEM private key for the asymmetric JWT_ALGORITHM",
            ))?;
        let key = SigningKey::from_pem(self.algorithm, pem.as_bytes())
            .map_err(SettingsError::Key)?
            // A kid lets verifiers pick the key from the published JWKS.
            .with_kid("authjwt-demo-1");
        Ok((key, KeySource::Configured))
    }

    /// The demo's configuration before its revocation store is chosen: these keys and
    /// lifetimes, cookies as the only token location, `Secure` off (local http),
    /// `SameSite=Lax`, CSRF double submit on, its [`USERS`](crate::users::USERS) as the
    /// user lookup ([`DemoUsers`]), `TRUSTED_ORIGINS` with `CORS_ALLOWED_ORIGINS` as the
    /// trusted origins of the cross-site check, and `TRUSTED_PROXIES` as its trusted proxies.
    pub fn builder(&self) -> Result<(ConfigBuilder, KeySource), SettingsError> {
        let (key, source) = self.signing_key()?;
        let mut builder = Config::builder()
            .signing_key(key)
            .token_location([TokenLocation::Cookies])
            .access_expires(self.access_expires)
            .refresh_expires(self.refresh_expires)
            // Local http only: browsers drop Secure cookies on http://127.0.0.1.
            .cookie_secure(false)
            .cookie_samesite(SameSite::Lax)
            .user_lookup(DemoUsers)
            .trusted_origins(self.all_trusted_origins())
            .trust_forwarded_host_from(self.trusted_proxies.iter().copied());
        if let Some(window) = self.refresh_reuse_window {
            builder = builder.refresh_reuse_window(window);
        }
        if let Some(max_age) = self.session_max_age {
            builder = builder.session_max_age(max_age);
        }
        Ok((builder, source))
    }

    /// The origins the cross-site check trusts: `TRUSTED_ORIGINS` and `CORS_ALLOWED_ORIGINS`.
    ///
    /// ```
    /// let settings = authjwt_demo::Settings {
    ///     trusted_origins: vec!["https://partner.example".into()],
    ///     cors_allowed_origins: vec!["https://app.example.com".into()],
    ///     ..Default::default()
    /// };
    /// assert_eq!(settings.all_trusted_origins(), ["https://partner.example", "https://app.example.com"]);
    /// ```
    pub fn all_trusted_origins(&self) -> Vec<String> {
        let mut all = self.trusted_origins.clone();
        for origin in &self.cors_allowed_origins {
            if !all.contains(origin) {
                all.push(origin.clone());
            }
        }
        all
    }

    /// The CORS layer of `CORS_ALLOWED_ORIGINS`, allowing the CSRF headers of `config`.
    ///
    /// ```
    /// let settings = authjwt_demo::Settings {
    ///     cors_allowed_origins: vec!["https://app.example.com".into()],
    ///     ..Default::default()
    /// };
    /// let (config, _) = settings.config()?;
    /// let cors = settings.cors_layer(&config)?;
    /// assert_eq!(cors.origins().len(), 1);
    /// # Ok::<(), authjwt_demo::SettingsError>(())
    /// ```
    pub fn cors_layer(&self, config: &Config) -> Result<CredentialedCorsLayer, SettingsError> {
        let headers = [
            config.access_csrf_header_name(),
            config.refresh_csrf_header_name(),
        ];
        CredentialedCorsLayer::new(&self.cors_allowed_origins, headers).map_err(|reason| {
            let value = self
                .cors_allowed_origins
                .iter()
                .find(|o| parse_origin(o).is_err())
                .cloned()
                .unwrap_or_default();
            SettingsError::Origin {
                var: "CORS_ALLOWED_ORIGINS",
                value,
                reason,
            }
        })
    }

    /// The configuration with revocations kept in this process's memory (`REDIS_URL` is
    /// not looked at).
    pub fn config(&self) -> Result<(Config, KeySource), SettingsError> {
        let (builder, source) = self.builder()?;
        Ok((builder.build().map_err(SettingsError::Config)?, source))
    }

    /// The configuration the binary runs with: revocations shared through Redis when
    /// `REDIS_URL` is set (connecting first, and failing when Redis cannot be reached),
    /// else kept in memory. Must run inside a Tokio runtime.
    pub async fn connect(&self) -> Result<(Config, KeySource), SettingsError> {
        let (mut builder, source) = self.builder()?;
        if let Some(url) = &self.redis_url {
            let store = RedisStore::connect(url)
                .await
                .map_err(SettingsError::Redis)?;
            builder = builder.revocation_store(Arc::new(store));
        }
        Ok((builder.build().map_err(SettingsError::Config)?, source))
    }
}
