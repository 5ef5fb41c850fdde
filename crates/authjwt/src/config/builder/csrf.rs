//! Setters: The CSRF double submit and the cross-site (Origin / Sec-Fetch-Site) check.

use http::Method;

use super::ConfigBuilder;

impl ConfigBuilder {
    /// ⚠️ Double-submit CSRF protection for cookie-borne tokens. Defaults to `true`; turning
    /// it off with cookies as a location also needs
    /// [`ConfigBuilder::dangerous_allow_cookies_without_csrf`].
    ///
    /// ```
    /// use authjwt::{Config, ConfigError, TokenLocation};
    /// let builder = || Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_csrf_protect(false);
    /// assert_eq!(builder().build().unwrap_err(), ConfigError::CookiesWithoutCsrf);
    /// let config = builder().dangerous_allow_cookies_without_csrf().build()?;
    /// assert!(!config.csrf_protect());
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn cookie_csrf_protect(mut self, on: bool) -> Self {
        self.csrf_protect = on;
        self
    }

    /// Whether `set_*_cookies` also set the JS-readable CSRF cookies. Defaults to `true`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .csrf_in_cookies(false) // hand token.csrf() to the front end another way
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert!(token.csrf().is_some());
    /// assert_eq!(auth.set_access_cookies(&token).header_values().len(), 1); // the JWT cookie only
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn csrf_in_cookies(mut self, on: bool) -> Self {
        self.csrf_in_cookies = on;
        self
    }

    /// ⚠️ **Dangerous**: allows cookies as a token location with CSRF protection off (seed
    /// 001's first example). Any site can then make authenticated requests on a user's
    /// behalf, limited only by `SameSite`.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenLocation};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Cookies])
    ///     .cookie_csrf_protect(false)
    ///     .dangerous_allow_cookies_without_csrf() // SameSite is now the only defence
    ///     .build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert_eq!(token.csrf(), None);
    /// assert_eq!(auth.set_access_cookies(&token).header_values().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dangerous_allow_cookies_without_csrf(mut self) -> Self {
        self.allow_cookies_without_csrf = true;
        self
    }

    /// Methods on which the CSRF header is required. Defaults to POST, PUT, PATCH, DELETE.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().csrf_methods([http::Method::DELETE]);
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `csrf_methods`.
    pub fn csrf_methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.csrf_methods = methods.into_iter().collect();
        self
    }

    /// Header carrying the access CSRF value. Defaults to `X-CSRF-TOKEN`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().access_csrf_header_name("X-XSRF-TOKEN");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `access_csrf_header_name`.
    pub fn access_csrf_header_name(mut self, name: impl Into<String>) -> Self {
        self.access_csrf_header = name.into();
        self
    }

    /// Header carrying the refresh CSRF value. Defaults to `X-CSRF-TOKEN`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().refresh_csrf_header_name("X-CSRF-REFRESH");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `refresh_csrf_header_name`.
    pub fn refresh_csrf_header_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_csrf_header = name.into();
        self
    }

    /// Also accept the CSRF value from a form field (`application/x-www-form-urlencoded`
    /// bodies) when the header is absent. Defaults to `false`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().csrf_check_form(true);
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `csrf_check_form`.
    pub fn csrf_check_form(mut self, on: bool) -> Self {
        self.csrf_check_form = on;
        self
    }

    /// Form field of the access CSRF value. Defaults to `csrf_token`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().access_csrf_field_name("_csrf");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `access_csrf_field_name`.
    pub fn access_csrf_field_name(mut self, name: impl Into<String>) -> Self {
        self.access_csrf_field = name.into();
        self
    }

    /// Form field of the refresh CSRF value. Defaults to `csrf_token`.
    ///
    /// ```
    /// let builder = authjwt::Config::builder().refresh_csrf_field_name("_csrf_refresh");
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `refresh_csrf_field_name`.
    pub fn refresh_csrf_field_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_csrf_field = name.into();
        self
    }

    /// ⚠️ Paths (matched exactly) on which neither the CSRF header nor the Origin check is
    /// required, like seed 002's webhook. Defaults to none. A single route can also be
    /// exempted with [`Protection::verify_csrf`](crate::Protection::verify_csrf).
    ///
    /// ```
    /// let builder = authjwt::Config::builder().csrf_exempt_routes(["/webhook"]);
    /// # let _ = builder;
    /// ```
    ///
    /// The behaviour, request by request: `tests/setters.rs`, `csrf_exempt_routes`.
    pub fn csrf_exempt_routes(
        mut self,
        paths: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.exempt_routes = paths.into_iter().map(Into::into).collect();
        self
    }

    /// ⚠️ The Origin / Sec-Fetch-Site check on unsafe methods and WebSocket upgrades for
    /// cookie-borne tokens (a second CSRF layer, the rules of Go's `CrossOriginProtection`).
    /// Defaults to `true`.
    ///
    /// ```
    /// use authjwt::{Auth, Config};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .origin_check(false) // the CSRF double submit still applies
    ///     .build()?);
    /// let req = http::Request::post("/login").header("sec-fetch-site", "cross-site");
    /// assert!(auth.check_origin(&req.body(())?.into_parts().0).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn origin_check(mut self, on: bool) -> Self {
        self.origin_check = on;
        self
    }

    /// Origins (`scheme://host[:port]`) allowed to make cross-origin unsafe requests and
    /// WebSocket upgrades, even with `Sec-Fetch-Site: cross-site`. Defaults to none.
    ///
    /// ```
    /// use authjwt::{Auth, AuthError, Config};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .trusted_origins(["https://app.example.com"])
    ///     .build()?);
    /// let from = |origin: &str| http::Request::post("/login").header("origin", origin)
    ///     .header("host", "api.example.com").body(()).unwrap().into_parts().0;
    /// assert!(auth.check_origin(&from("https://app.example.com")).is_ok());
    /// let refused = auth.check_origin(&from("https://evil.example"));
    /// assert_eq!(refused, Err(AuthError::CrossSiteRequest));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trusted_origins(mut self, origins: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.trusted_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// ⚠️ Reverse proxies whose `X-Forwarded-Host` (and `X-Forwarded-Proto`) name the origin
    /// the cross-site check compares `Origin` with, in place of `Host`. Defaults to none:
    /// forwarded headers are ignored. Each call replaces the list.
    ///
    /// Believed only when the request's peer address (the TCP peer, which the adapters
    /// provide: axum's `ConnectInfo<SocketAddr>`, actix-web's `peer_addr()`, or a
    /// [`PeerAddr`](crate::proxy::PeerAddr) extension) is one of `proxies`; with no peer
    /// address known, never. `X-Forwarded-Host` must hold one `host[:port]` and
    /// `X-Forwarded-Proto` one of `http` / `https`: a repeated header, a comma-separated
    /// list or a malformed value from a trusted proxy refuses the request (403), since a
    /// proxy that appends rather than replaces may be passing the client's value on. The
    /// proxy must therefore *set* these headers, dropping any the client sent. List only
    /// proxies that do. A proxy that forwards the browser's `Host` needs no entry here.
    ///
    /// ```
    /// use std::net::{IpAddr, Ipv4Addr};
    /// use authjwt::{Auth, Config, proxy::{PeerAddr, TrustedProxy}};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .trust_forwarded_host_from([
    ///         TrustedProxy::from(Ipv4Addr::LOCALHOST),
    ///         "10.0.0.0/8".parse()?, // the load balancers' network
    ///     ])
    ///     .build()?);
    /// let (mut parts, ()) = http::Request::post("/login")
    ///     .header("host", "backend:8000")
    ///     .header("x-forwarded-host", "app.example.com")
    ///     .header("origin", "http://app.example.com")
    ///     .body(())?.into_parts();
    /// parts.extensions.insert(PeerAddr(IpAddr::from([10, 0, 3, 4])));
    /// assert!(auth.check_origin(&parts).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trust_forwarded_host_from<P: Into<crate::proxy::TrustedProxy>>(
        mut self,
        proxies: impl IntoIterator<Item = P>,
    ) -> Self {
        self.trusted_proxies = proxies.into_iter().map(Into::into).collect();
        self
    }

    /// ⚠️ Accept `Sec-Fetch-Site: same-site` (sibling subdomains). Defaults to `false`.
    ///
    /// ```
    /// use authjwt::{Auth, Config};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .allow_same_site_requests(true) // app.example.com calling api.example.com
    ///     .build()?);
    /// let req = http::Request::post("/login").header("sec-fetch-site", "same-site");
    /// assert!(auth.check_origin(&req.body(())?.into_parts().0).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_same_site_requests(mut self, on: bool) -> Self {
        self.allow_same_site = on;
        self
    }
}
