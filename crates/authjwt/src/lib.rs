#![doc = include_str!("../docs/guide.md")]
//!
//! # Feature flags
//!
//! | feature | what it adds |
//! |---|---|
//! | `axum` | the axum 0.8 adapter: extractors, layers, `IntoResponse`/`IntoResponseParts` ([`axum`](crate::axum)) |
//! | `actix` | the actix-web 4 adapter: extractors (`FromRequest`), middleware (`Transform`), `ResponseError`, `SetCookiesExt` ([`actix`](crate::actix)) |
//! | `redis` | [`redis::RedisStore`]: revocations shared by several instances through Redis, checked against a local replica |
#![cfg_attr(docsrs, feature(doc_cfg))]
// Body reading, route overrides and implicit refresh exist for the adapters; without one the
// core alone leaves them unused.
#![cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]

mod auth;
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
// The middleware types are public through the adapters that implement them.
#[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(unreachable_pub))]
mod middleware;
mod revoke;
mod set_cookie;
mod tokens;
mod user;

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;

pub use auth::Auth;
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
