//! Setters: Where tokens are looked for: header, query string, JSON body, cookies; their size.

use super::ConfigBuilder;
use crate::config::TokenLocation;

impl ConfigBuilder {
    /// Where tokens are looked for, in order. Defaults to `[Headers]` (AuthX's default).
    ///
    /// ```
    /// use authjwt::{Config, TokenLocation};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Headers, TokenLocation::Cookies])
    ///     .build()?;
    /// assert_eq!(config.token_location(), [TokenLocation::Headers, TokenLocation::Cookies]);
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn token_location(mut self, locations: impl IntoIterator<Item = TokenLocation>) -> Self {
        self.locations = locations.into_iter().collect();
        self
    }

    /// The header carrying the token. Defaults to `Authorization`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, Protection, claims::NoCustomClaims};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .header_name("X-Api-Token")
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let req = http::Request::get("/").header("x-api-token", format!("Bearer {token}"));
    /// let (parts, _) = req.body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn header_name(mut self, name: impl Into<String>) -> Self {
        self.header_name = name.into();
        self
    }

    /// The scheme before the token in that header, matched case-insensitively; empty for a
    /// bare token. Defaults to `Bearer`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, Protection, claims::NoCustomClaims};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .header_type("") // `Authorization: <token>`, without a scheme
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let req = http::Request::get("/").header("authorization", token.as_str());
    /// let (parts, _) = req.body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn header_type(mut self, scheme: impl Into<String>) -> Self {
        self.header_type = scheme.into();
        self
    }

    /// The query-string parameter. Defaults to `token`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, Protection, TokenLocation, claims::NoCustomClaims};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Query])
    ///     .query_string_name("jwt")
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let req = http::Request::get(format!("/download?jwt={token}"));
    /// let (parts, _) = req.body(())?.into_parts();
    /// assert!(auth.authenticate::<NoCustomClaims>(&parts, &Protection::access()).await.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn query_string_name(mut self, name: impl Into<String>) -> Self {
        self.query_string_name = name.into();
        self
    }

    /// The JSON body key of access tokens. Defaults to `access_token`.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenLocation, axum::AccessToken};
    /// # use axum::{Router, routing::post};
    /// # use tower::ServiceExt;
    /// # fn json(body: String) -> http::Request<axum::body::Body> {
    /// #     http::Request::post("/").header("content-type", "application/json")
    /// #         .header("content-length", body.len()).body(body.into()).unwrap()
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Json])
    ///     .json_key("jwt")
    ///     .build()?);
    /// let app: Router = Router::new().route("/", post(|_: AccessToken| async {}));
    /// let app = app.layer(auth.layer()); // the layer reads the key from JSON bodies
    /// let body = format!(r#"{{"jwt":"{}"}}"#, auth.create_access_token("user1")?);
    /// assert_eq!(app.oneshot(json(body)).await?.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn json_key(mut self, key: impl Into<String>) -> Self {
        self.json_key = key.into();
        self
    }

    /// The JSON body key of refresh tokens. Defaults to `refresh_token`.
    ///
    /// ```
    /// # #[cfg(feature = "axum")] {
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenLocation, axum::RefreshToken};
    /// # use axum::{Router, routing::post};
    /// # use tower::ServiceExt;
    /// # fn json(body: String) -> http::Request<axum::body::Body> {
    /// #     http::Request::post("/refresh").header("content-type", "application/json")
    /// #         .header("content-length", body.len()).body(body.into()).unwrap()
    /// # }
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Json])
    ///     .refresh_json_key("refresh")
    ///     .build()?);
    /// let app: Router = Router::new().route("/refresh", post(|_: RefreshToken| async {}));
    /// let app = app.layer(auth.layer());
    /// let body = format!(r#"{{"refresh":"{}"}}"#, auth.create_refresh_token("user1")?);
    /// assert_eq!(app.oneshot(json(body)).await?.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// # }
    /// ```
    pub fn refresh_json_key(mut self, key: impl Into<String>) -> Self {
        self.refresh_json_key = key.into();
        self
    }

    /// Tokens longer than this are refused before any parsing. Defaults to 8 KiB.
    ///
    /// ```
    /// use authjwt::{Auth, AuthError, Config, claims::{NoCustomClaims, TokenType}, error::InvalidReason};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .max_token_len(64)
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?; // much longer than 64 bytes
    /// let err = auth.verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access);
    /// assert_eq!(err.unwrap_err(), AuthError::InvalidToken(InvalidReason::TooLong));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self
    }
}
