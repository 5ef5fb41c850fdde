//! [`IssuedToken`]: a newly created token and what the cookie helpers need to set it.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::claims::TokenType;

/// A newly created token, with what the cookie helpers need to set it.
///
/// `Display` and [`IssuedToken::as_str`] give the compact JWT.
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let token = auth.create_access_token("user1")?;
/// assert_eq!(token.as_str().split('.').count(), 3);
/// assert_eq!(token.jti().len(), 22);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct IssuedToken {
    pub(super) encoded: String,
    pub(super) token_type: TokenType,
    pub(super) jti: String,
    pub(super) csrf: Option<String>,
    pub(super) issued_at: u64,
    pub(super) expires_at: Option<u64>,
    pub(super) family: Option<String>,
    pub(super) session_end: Option<u64>,
    pub(super) remember: Option<bool>,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token itself is a credential: never printed.
        f.debug_struct("IssuedToken")
            .field("token_type", &self.token_type)
            .field("jti", &self.jti)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encoded)
    }
}

impl IssuedToken {
    /// The compact JWT.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let authorization = format!("Bearer {}", token.as_str()); // what a client sends
    /// assert_eq!(token.as_str().split('.').count(), 3);
    /// assert_eq!(token.to_string(), token.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.encoded
    }

    /// Consumes the token, returning the compact JWT.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let body = serde_json::json!({ "access_token": token.into_string() });
    /// assert!(body["access_token"].as_str().unwrap().starts_with("eyJ"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_string(self) -> String {
        self.encoded
    }

    /// Access or refresh.
    ///
    /// ```
    /// use authjwt::claims::TokenType;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// assert_eq!(auth.create_access_token("user1")?.token_type(), TokenType::Access);
    /// assert_eq!(auth.create_refresh_token("user1")?.token_type(), TokenType::Refresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn token_type(&self) -> TokenType {
        self.token_type
    }

    /// The token's `jti`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert_eq!(token.jti().len(), 22); // 128 random bits, base64url
    /// assert_ne!(auth.create_access_token("user1")?.jti(), token.jti());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The CSRF double-submit value (also the `csrf` claim), when CSRF protection is on.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let csrf = token.csrf().unwrap(); // the front end sends it back in X-CSRF-TOKEN
    /// let cookies = auth.set_access_cookies(&token);
    /// let cookie = cookies.header_values()[1].to_str()?;
    /// assert!(cookie.starts_with(&format!("csrf_access_token={csrf};")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }

    /// `iat`, seconds since the Unix epoch.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    /// assert!(token.issued_at() <= now);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// `exp`, seconds since the Unix epoch.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert_eq!(token.expires_at(), Some(token.issued_at() + 15 * 60)); // the default lifetime
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// The refresh-token family, if any.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// assert_eq!(login.access.family(), login.refresh.family()); // one family per login
    /// assert_eq!(auth.create_access_token("user1")?.family(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn family(&self) -> Option<&str> {
        self.family.as_deref()
    }

    /// The absolute end of the token's session (Unix seconds), when the configuration sets
    /// [`ConfigBuilder::session_max_age`](crate::ConfigBuilder::session_max_age).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// assert_eq!(auth.create_login_tokens("user1")?.refresh.session_end(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session_end(&self) -> Option<u64> {
        self.session_end
    }

    /// The login's remember-me choice: `Some(true)` for persistent cookies, `Some(false)` for
    /// session cookies, `None` when the configuration decides.
    ///
    /// ```
    /// use authjwt::sessions::Login;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let login = auth.login(Login::new("user1").remember(true)).await?;
    /// assert_eq!(login.refresh.remember(), Some(true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn remember(&self) -> Option<bool> {
        self.remember
    }

    /// The raw signature bytes (the third segment, decoded).
    pub(crate) fn signature(&self) -> Vec<u8> {
        let s64 = self.encoded.rsplit('.').next().unwrap_or_default();
        URL_SAFE_NO_PAD.decode(s64).unwrap_or_default()
    }
}
