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
    /// let builder = authjwt::Config::builder().header_name("X-Api-Token");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `header_name`.
    pub fn header_name(mut self, name: impl Into<String>) -> Self {
        self.header_name = name.into();
        self
    }

    /// The scheme before the token in that header, matched case-insensitively; empty for a
    /// bare token. Defaults to `Bearer`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().header_type("");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `header_type`.
    pub fn header_type(mut self, scheme: impl Into<String>) -> Self {
        self.header_type = scheme.into();
        self
    }

    /// The query-string parameter. Defaults to `token`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().query_string_name("jwt");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `query_string_name`.
    pub fn query_string_name(mut self, name: impl Into<String>) -> Self {
        self.query_string_name = name.into();
        self
    }

    /// The JSON body key of access tokens. Defaults to `access_token`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().json_key("jwt");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `json_key`.
    pub fn json_key(mut self, key: impl Into<String>) -> Self {
        self.json_key = key.into();
        self
    }

    /// The JSON body key of refresh tokens. Defaults to `refresh_token`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().refresh_json_key("refresh");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `refresh_json_key`.
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
