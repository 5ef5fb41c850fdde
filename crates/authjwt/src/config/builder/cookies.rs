//! Setters: The four cookies: names, paths, domain and attributes.

use std::time::Duration;

use super::ConfigBuilder;
use crate::config::SameSite;

impl ConfigBuilder {
    /// Access cookie name. Defaults to `access_token_cookie`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_cookie_name("session")
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.starts_with("session="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.access_cookie_name = name.into();
        self
    }

    /// Refresh cookie name. Defaults to `refresh_token_cookie`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_cookie_name("renew")
    ///     .build()?);
    /// let cookies = auth.set_refresh_cookies(&auth.create_refresh_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.starts_with("renew="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_cookie_name = name.into();
        self
    }

    /// Path of the access cookie. Defaults to `/`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_cookie_path("/api")
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Path=/api"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.access_cookie_path = path.into();
        self
    }

    /// Path of the refresh cookie (for example `/refresh`). Defaults to `/`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_cookie_path("/auth/refresh") // the browser sends it there only
    ///     .build()?);
    /// let cookies = auth.set_refresh_cookies(&auth.create_refresh_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Path=/auth/refresh"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.refresh_cookie_path = path.into();
        self
    }

    /// Access CSRF cookie name. Defaults to `csrf_access_token`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_csrf_cookie_name("XSRF-TOKEN")
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[1].to_str()?.starts_with("XSRF-TOKEN="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_csrf_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.access_csrf_cookie_name = name.into();
        self
    }

    /// Refresh CSRF cookie name. Defaults to `csrf_refresh_token`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_csrf_cookie_name("XSRF-REFRESH")
    ///     .build()?);
    /// let cookies = auth.set_refresh_cookies(&auth.create_refresh_token("user1")?);
    /// assert!(cookies.header_values()[1].to_str()?.starts_with("XSRF-REFRESH="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_csrf_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_csrf_cookie_name = name.into();
        self
    }

    /// Path of the access CSRF cookie. Defaults to `/`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .access_csrf_cookie_path("/app")
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[1].to_str()?.contains("; Path=/app"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn access_csrf_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.access_csrf_cookie_path = path.into();
        self
    }

    /// Path of the refresh CSRF cookie. Defaults to `/`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .refresh_csrf_cookie_path("/app")
    ///     .build()?);
    /// let cookies = auth.set_refresh_cookies(&auth.create_refresh_token("user1")?);
    /// assert!(cookies.header_values()[1].to_str()?.contains("; Path=/app"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn refresh_csrf_cookie_path(mut self, path: impl Into<String>) -> Self {
        self.refresh_csrf_cookie_path = path.into();
        self
    }

    /// The cookies' `Domain`. Defaults to none (host-only cookies, the safest choice).
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_domain("example.com") // ⚠️ also sent to every subdomain
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Domain=example.com"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_domain(mut self, domain: impl Into<String>) -> Self {
        self.cookie_domain = Some(domain.into());
        self
    }

    /// ⚠️ The cookies' `Secure` flag. Defaults to `true`; turn off only for local http.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_secure(false) // http://localhost during development
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(!cookies.header_values()[0].to_str()?.contains("Secure"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.cookie_secure = secure;
        self
    }

    /// The cookies' `SameSite`. Defaults to `Lax`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation, config::SameSite};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_samesite(SameSite::Strict)
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; SameSite=Strict"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_samesite(mut self, samesite: SameSite) -> Self {
        self.cookie_samesite = samesite;
        self
    }

    /// Persistent cookies with this `Max-Age`. Defaults to none (session cookies).
    ///
    /// ```
    /// use std::time::Duration;
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_max_age(Duration::from_secs(3600))
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Max-Age=3600"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookie_max_age(mut self, max_age: Duration) -> Self {
        self.cookie_max_age = Some(max_age);
        self
    }

    /// `true`: session cookies, deleted when the browser closes. `false`: persistent cookies
    /// whose `Max-Age` is [`ConfigBuilder::cookie_max_age`], or else the token's lifetime.
    /// Defaults to `true` unless a max age is set.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .session_cookie(false) // persistent: Max-Age is the token's remaining lifetime
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.contains("; Max-Age="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session_cookie(mut self, session: bool) -> Self {
        self.session_cookie = Some(session);
        self
    }

    /// Prefixes every cookie name with `__Host-`, which browsers only accept with `Secure`,
    /// `Path=/` and no `Domain`: a sibling subdomain can then neither set nor shadow them.
    /// Defaults to `false`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .host_prefix(true)
    ///     .build()?);
    /// let cookies = auth.set_access_cookies(&auth.create_access_token("user1")?);
    /// assert!(cookies.header_values()[0].to_str()?.starts_with("__Host-access_token_cookie="));
    /// assert!(cookies.header_values()[1].to_str()?.starts_with("__Host-csrf_access_token="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn host_prefix(mut self, on: bool) -> Self {
        self.host_prefix = on;
        self
    }

    pub(crate) fn cookie_http_only(mut self, on: bool) -> Self {
        self.cookie_http_only = on;
        self
    }
}
