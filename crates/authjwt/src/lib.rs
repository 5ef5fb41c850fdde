#![doc = include_str!("../docs/guide.md")]
#![doc = ""]
#![doc = include_str!("../docs/cross_origin.md")]
#![doc = ""]
#![doc = include_str!("../docs/redis.md")]
#![doc = ""]
#![doc = include_str!("../docs/reverse_proxy.md")]
#![doc = ""]
#![doc = include_str!("../docs/testing.md")]
//!
//! # Feature flags
//!
//! | feature | what it adds |
//! |---|---|
//! | `axum` | the axum 0.8 adapter: extractors, layers, `IntoResponse`/`IntoResponseParts` ([`axum`](crate::axum)) |
//! | `actix` | the actix-web 4 adapter: extractors (`FromRequest`), middleware (`Transform`), `ResponseError`, `SetCookiesExt` ([`actix`](crate::actix)) |
//! | `redis` | [`redis::RedisStore`]: revocations shared by several instances through Redis, checked against a local replica |
//! | `redis-tls` | `rediss://` for the Redis store: rustls (aws-lc-rs), the system's roots or a given CA |
//! | `redis-cluster` | the Redis store on a Redis Cluster |
//! | `utoipa` | [`openapi::SecuritySchemes`]: the OpenAPI 3.1 security schemes of a configuration and each operation's requirement (utoipa 5) |
//! | `axum-ws` | `axum` plus [`axum::AuthenticatedUpgrade`]: an authenticated WebSocket upgrade (axum's `ws`) |
//! | `actix-ws` | `actix` plus [`actix::AuthenticatedUpgrade`]: an authenticated WebSocket upgrade (the `actix-ws` crate) |
//! | `testing` | [`testing::TestTokens`]: tokens and the Cookie, CSRF and `Authorization` headers for testing your own handlers, expired or not yet valid on request; [`testing::with_memory_store`]. Signs only with your `Auth`'s keys: safe in any build, meant for `[dev-dependencies]` |
#![cfg_attr(docsrs, feature(doc_cfg))]
// Body reading, route overrides and implicit refresh exist for the adapters; without one the
// core alone leaves them unused.
#![cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]

pub mod audit;
mod auth;
mod body;
pub mod claims;
pub mod config;
mod cookie_header;
mod csrf;
pub mod dangerous;
pub mod error;
// The extractor types are public through the adapters that implement them.
#[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(unreachable_pub))]
mod extract;
mod guard;
pub mod keys;
mod lifecycle;
mod locate;
// The middleware types are public through the adapters that implement them.
#[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(unreachable_pub))]
mod middleware;
pub mod proxy;
pub mod revoke;
pub mod sessions;
mod set_cookie;
pub mod tokens;
pub mod user;
pub mod websocket;

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "utoipa")]
pub mod openapi;
#[cfg(feature = "testing")]
pub mod testing;

pub use auth::Auth;
pub use claims::Claims;
pub use config::{Config, ConfigBuilder, ConfigError, TokenLocation};
pub use error::AuthError;
pub use guard::{Authenticated, Protection, RouteOptions};
pub use sessions::TokenPair;
pub use set_cookie::SetCookies;

// The names of 0.1, which were all at the root; hidden from the docs, kept so that code
// written against 0.1 still compiles. Removed in 0.3.
#[doc(hidden)]
pub use claims::{Audience, NoCustomClaims, RESERVED_CLAIMS, TokenType};
#[doc(hidden)]
pub use config::SameSite;
#[doc(hidden)]
pub use error::{AuthRejection, ErrorResponder, InvalidReason, JsonResponder};
#[doc(hidden)]
pub use keys::{Algorithm, KeyError, KeySet, SigningKey, VerifyingKey};
#[cfg(feature = "redis")]
#[doc(hidden)]
pub use revoke::redis;
#[doc(hidden)]
pub use revoke::{
    MemoryStore, RevocationStore, Rotation, RotationRequest, StoreError, Successor, TokenRef,
};
#[doc(hidden)]
pub use sessions::{LoginTokens, RefreshedTokens};
#[doc(hidden)]
pub use tokens::{IssuedToken, TokenError, TokenOptions};
#[doc(hidden)]
pub use user::{CurrentUser, UserLookup, UserLookupError};
