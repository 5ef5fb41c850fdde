//! The demo's settings: the environment variables of the contract, and the [`Config`] they
//! make (cookies only, `Secure` off for local http, `SameSite=Lax`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use authjwt::revoke::redis::RedisStoreBuilder;
use authjwt::{
    Config, ConfigBuilder, ConfigError, TokenLocation,
    config::{SETTINGS_VARIABLES, SameSite},
    keys::{Algorithm, KeyError, SigningKey},
    proxy::{InvalidProxy, TrustedProxy},
    revoke::StoreError,
};

use crate::cors::CredentialedCorsLayer;
use crate::origins::{OriginError, parse_origin, parse_origins};
use crate::users::DemoUsers;

/// The port when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 8000;

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
/// | the other `JWT_*` settings of the library (`authjwt::config::SETTINGS_VARIABLES`) | read by the library, as in `Config::from_env` | the library's defaults, but `Secure` off and cookies only (`JWT_TOKEN_LOCATION` is not read: the contract serves cookies) |
/// | `REDIS_URL` | shared revocation store: `redis://` or `rediss://` (TLS), user and password of an ACL user in the URL | unset (in memory) |
/// | `REDIS_CLUSTER_NODES` | comma-separated seed node URLs of a Redis Cluster (instead of `REDIS_URL`) | unset |
/// | `REDIS_CA_CERT` | PEM file of the CA that issued the Redis server's certificate (`rediss://`) | the system's roots |
/// | `TRUSTED_ORIGINS` | comma-separated origins whose unsafe requests pass the cross-site check | none |
/// | `CORS_ALLOWED_ORIGINS` | comma-separated origins of front ends allowed to call with credentials (CORS); also trusted | none |
/// | `TRUSTED_PROXIES` | comma-separated IP addresses or networks (`127.0.0.1`, `10.0.0.0/8`) of reverse proxies whose `X-Forwarded-Host` / `X-Forwarded-Proto` name the public origin to the cross-site check | none (forwarded headers ignored) |
///
/// ```
/// use std::collections::HashMap;
/// let vars = HashMap::from([("PORT", "9000"), ("JWT_ACCESS_TOKEN_EXPIRES", "2")]);
/// let settings = authjwt_demo::Settings::from_lookup(|k| vars.get(k).map(|v| v.to_string()))?;
/// assert_eq!(settings.port, 9000);
/// let (config, _) = settings.config()?;
/// assert_eq!(config.access_expires(), Some(std::time::Duration::from_secs(2)));
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
    /// The other `JWT_*` settings found (lifetimes, reuse window, session maximum age, cookie
    /// and CSRF names, …): validated when read, applied by the library
    /// ([`ConfigBuilder::env_settings`]), never parsed here.
    pub jwt: BTreeMap<&'static str, String>,
    /// `REDIS_URL`.
    pub redis_url: Option<String>,
    /// `REDIS_CLUSTER_NODES`: seed URLs of a Redis Cluster; empty, no Cluster.
    pub redis_cluster_nodes: Vec<String>,
    /// `REDIS_CA_CERT`: the CA to trust for `rediss://`; `None`, the system's roots.
    pub redis_ca_cert: Option<PathBuf>,
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
            .field("jwt", &self.jwt)
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<set>"))
            .field("redis_cluster_nodes", &self.redis_cluster_nodes.len())
            .field("redis_ca_cert", &self.redis_ca_cert)
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
            jwt: BTreeMap::new(),
            redis_url: None,
            redis_cluster_nodes: Vec::new(),
            redis_ca_cert: None,
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
    /// `REDIS_URL` is set but the Redis revocation store could not be reached (or its TLS
    /// settings could not be used).
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
            Self::Redis(e) => write!(f, "REDIS_URL / REDIS_CLUSTER_NODES / REDIS_CA_CERT: {e}"),
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

/// The library's settings variables the demo passes on: all but the token location, which
/// the contract fixes (cookies only).
fn passed_on() -> impl Iterator<Item = &'static str> {
    SETTINGS_VARIABLES
        .iter()
        .copied()
        .filter(|&v| v != "JWT_TOKEN_LOCATION")
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
        for var in passed_on() {
            if let Some(v) = get(var) {
                s.jwt.insert(var, v);
            }
        }
        // Read by the library, validated now: a bad value stops the start with its name.
        let _validated = s.apply_jwt(ConfigBuilder::default())?;
        s.redis_url = get("REDIS_URL");
        s.redis_cluster_nodes = get("REDIS_CLUSTER_NODES")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if s.redis_url.is_some() && !s.redis_cluster_nodes.is_empty() {
            return Err(invalid(
                "REDIS_CLUSTER_NODES",
                "unset when REDIS_URL is set (one Redis deployment: a node or a Cluster)",
            ));
        }
        s.redis_ca_cert = get("REDIS_CA_CERT").map(|v| PathBuf::from(v.trim()));
        if s.redis_ca_cert.is_some() && s.redis_url.is_none() && s.redis_cluster_nodes.is_empty() {
            return Err(invalid(
                "REDIS_CA_CERT",
                "set together with a rediss:// REDIS_URL or REDIS_CLUSTER_NODES",
            ));
        }
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

    /// Sets `name` (one of the library's settings variables) as if read from the environment.
    ///
    /// ```
    /// let settings = authjwt_demo::Settings::default().with_jwt("JWT_REFRESH_REUSE_WINDOW", "0");
    /// let (config, _) = settings.config()?;
    /// assert!(config.refresh_reuse_window().is_zero());
    /// # Ok::<(), authjwt_demo::SettingsError>(())
    /// ```
    #[must_use]
    pub fn with_jwt(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.jwt.insert(name, value.into());
        self
    }

    fn apply_jwt(&self, builder: ConfigBuilder) -> Result<ConfigBuilder, SettingsError> {
        builder
            .env_settings(|k| self.jwt.get(k).cloned())
            .map_err(|e| match e {
                ConfigError::Env { var, expected } => invalid(var, expected),
                other => SettingsError::Config(other),
            })
    }

    /// The demo's configuration before its revocation store is chosen: these keys, the
    /// `JWT_*` settings given, cookies as the only token location, `Secure` off (local http),
    /// `SameSite=Lax`, CSRF double submit on, its [`USERS`](crate::users::USERS) as the
    /// user lookup ([`DemoUsers`]), `TRUSTED_ORIGINS` with `CORS_ALLOWED_ORIGINS` as the
    /// trusted origins of the cross-site check, and `TRUSTED_PROXIES` as its trusted proxies.
    pub fn builder(&self) -> Result<(ConfigBuilder, KeySource), SettingsError> {
        let (key, source) = self.signing_key()?;
        let builder = Config::builder()
            .signing_key(key)
            // Local http only: browsers drop Secure cookies on http://127.0.0.1.
            .cookie_secure(false)
            .cookie_samesite(SameSite::Lax);
        let builder = self
            .apply_jwt(builder)?
            .token_location([TokenLocation::Cookies])
            .user_lookup(DemoUsers)
            .trusted_origins(self.all_trusted_origins())
            .trust_forwarded_host_from(self.trusted_proxies.iter().copied());
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
    /// `REDIS_URL` or `REDIS_CLUSTER_NODES` is set (connecting first, and failing when Redis
    /// cannot be reached; over TLS for `rediss://`, trusting `REDIS_CA_CERT` when set), else
    /// kept in memory. Must run inside a Tokio runtime.
    pub async fn connect(&self) -> Result<(Config, KeySource), SettingsError> {
        let (mut builder, source) = self.builder()?;
        let redis = match (&self.redis_url, self.redis_cluster_nodes.is_empty()) {
            (Some(url), _) => Some(RedisStoreBuilder::new(url)),
            (None, false) => Some(RedisStoreBuilder::cluster(&self.redis_cluster_nodes)),
            (None, true) => None,
        };
        if let Some(mut redis) = redis {
            if let Some(ca) = &self.redis_ca_cert {
                redis = redis.ca_cert_file(ca);
            }
            let store = redis.connect().await.map_err(SettingsError::Redis)?;
            builder = builder.revocation_store(Arc::new(store));
        }
        Ok((builder.build().map_err(SettingsError::Config)?, source))
    }
}
