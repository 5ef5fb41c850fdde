#![doc = include_str!("../docs/guide.md")]
#![doc = ""]
#![doc = include_str!("../docs/cross_origin.md")]
//!
//! # Feature flags
//!
//! | feature | what it adds |
//! |---|---|
//! | `axum` | the axum 0.8 adapter: extractors, layers, `IntoResponse`/`IntoResponseParts` ([`axum`](crate::axum)) |
//! | `actix` | the actix-web 4 adapter: extractors (`FromRequest`), middleware (`Transform`), `ResponseError`, `SetCookiesExt` ([`actix`](crate::actix)) |
//! | `redis` | [`redis::RedisStore`]: revocations shared by several instances through Redis, checked against a local replica |
//! | `utoipa` | [`openapi::SecuritySchemes`]: the OpenAPI 3.1 security schemes of a configuration and each operation's requirement (utoipa 5) |
#![cfg_attr(docsrs, feature(doc_cfg))]
// Body reading, route overrides and implicit refresh exist for the adapters; without one the
// core alone leaves them unused.
#![cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]

use std::sync::Arc;

mod body;
mod claims;
mod config;
mod cookie_header;
mod csrf;
pub mod dangerous;
mod error;
// The extractor types are public through the adapters that implement them.
#[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(unreachable_pub))]
mod extract;
mod guard;
mod keys;
mod lifecycle;
mod locate;
mod revoke;
mod set_cookie;
mod tokens;
mod user;

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "utoipa")]
pub mod openapi;

pub use claims::{Audience, Claims, NoCustomClaims, RESERVED_CLAIMS, TokenType};
pub use config::{Config, ConfigBuilder, ConfigError, SameSite, TokenLocation};
pub use error::{AuthError, AuthRejection, ErrorResponder, InvalidReason, JsonResponder};
pub use guard::{Authenticated, Protection, RouteOptions};
pub use keys::{Algorithm, KeyError, KeySet, SigningKey, VerifyingKey};
pub use lifecycle::{LoginTokens, RefreshedTokens, TokenPair};
#[cfg(feature = "redis")]
pub use revoke::redis;
pub use revoke::{
    MemoryStore, RevocationStore, Rotation, RotationRequest, StoreError, Successor, TokenRef,
};
pub use set_cookie::SetCookies;
pub use tokens::{IssuedToken, TokenError, TokenOptions};
pub use user::{CurrentUser, UserLookup, UserLookupError};

/// The handle an application keeps: the validated [`Config`] behind an `Arc`, cheap to clone.
///
/// It creates tokens ([`Auth::create_access_token`]), renders cookies
/// ([`Auth::set_access_cookies`]), verifies tokens ([`Auth::verify_token`]) and requests
/// ([`Auth::authenticate`]). The framework adapters take it as their state.
///
/// ```
/// use authjwt::{Auth, Config, TokenLocation};
///
/// let auth = Auth::new(
///     Config::builder()
///         .secret(b"an example secret of at least 32 bytes!")
///         .token_location([TokenLocation::Cookies])
///         .build()?,
/// );
/// let token = auth.create_access_token("user1")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Auth {
    config: Arc<Config>,
}

impl Auth {
    /// Wraps a validated configuration.
    ///
    /// ```
    /// use authjwt::{Auth, Config};
    /// let config = Config::builder().secret(b"an example secret of at least 32 bytes!").build()?;
    /// let auth = Auth::new(config);
    /// let handle = auth.clone(); // cheap: both share the one configuration
    /// assert_eq!(handle.config().access_cookie_name(), "access_token_cookie");
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn new(config: Config) -> Self {
        Self {
            config: Arc::new(config),
        }
    }

    /// Builds the configuration from the `JWT_*` environment variables
    /// ([`Config::from_env`]).
    ///
    /// ```
    /// # // SAFETY of the example: single-threaded doctest.
    /// # unsafe { std::env::remove_var("JWT_SECRET_KEY"); }
    /// match authjwt::Auth::from_env() {
    ///     Ok(auth) => println!("tokens are looked for in {:?}", auth.config().token_location()),
    ///     // Errors name the variable and the form it expects.
    ///     Err(err) => assert!(err.to_string().contains("JWT_SECRET_KEY")),
    /// }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Config::from_env().map(Self::new)
    }

    /// The configuration.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let config = auth.config();
    /// assert_eq!(config.access_expires(), Some(std::time::Duration::from_secs(15 * 60)));
    /// assert_eq!(config.token_location(), [authjwt::TokenLocation::Headers]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The JWKS document of the public verification keys (empty for HMAC).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// assert_eq!(auth.jwks()["keys"].as_array().unwrap().len(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn jwks(&self) -> serde_json::Value {
        self.config.keys.jwks()
    }

    /// Wraps `error` with this configuration's responder, for handlers that refuse a request
    /// themselves and want the same rendering as the extractors.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// // A handler that refuses a request itself, rendered like the extractors' rejections:
    /// let rejection = auth.reject(authjwt::AuthError::FreshTokenRequired);
    /// let resp = rejection.into_http_response();
    /// assert_eq!(resp.status(), 401);
    /// assert_eq!(resp.headers()["content-type"], "application/json");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reject(&self, error: AuthError) -> AuthRejection {
        error.trace();
        AuthRejection::with_responder(error, self.config.responder.clone())
    }

    /// Renders an error the core has already traced, with this configuration's responder.
    pub(crate) fn rejection(&self, error: AuthError) -> AuthRejection {
        AuthRejection::with_responder(error, self.config.responder.clone())
    }
}
