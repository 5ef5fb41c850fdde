//! The settings' value types: the cookie, CSRF and cross-site settings a [`Config`](super::Config)
//! holds, and [`SameSite`].

use std::time::Duration;

use http::{HeaderName, Method};

/// The `SameSite` attribute of the cookies.
///
/// ```
/// use authjwt::config::SameSite;
/// assert_eq!("lax".parse::<SameSite>().unwrap(), SameSite::Lax);
/// assert!("sometimes".parse::<SameSite>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent on same-site requests and top-level cross-site navigations with safe methods.
    Lax,
    /// Sent on same-site requests only.
    Strict,
    /// ⚠️ Sent on every request; requires `Secure`. Relies entirely on CSRF protection.
    None,
}

impl std::str::FromStr for SameSite {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "lax" => Ok(Self::Lax),
            "strict" => Ok(Self::Strict),
            "none" => Ok(Self::None),
            _ => Err(()),
        }
    }
}

/// The request path as it arrived, before any router stripped a nesting prefix.
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) struct FullPath(pub(crate) Box<str>);

/// Cookie names and attributes.
#[derive(Debug, Clone)]
pub(crate) struct CookieSettings {
    pub(crate) access_name: String,
    pub(crate) refresh_name: String,
    pub(crate) access_path: String,
    pub(crate) refresh_path: String,
    pub(crate) access_csrf_name: String,
    pub(crate) refresh_csrf_name: String,
    pub(crate) access_csrf_path: String,
    pub(crate) refresh_csrf_path: String,
    pub(crate) domain: Option<String>,
    pub(crate) secure: bool,
    pub(crate) samesite: SameSite,
    pub(crate) max_age: Option<Duration>,
    pub(crate) session: bool,
}

/// Double-submit settings.
#[derive(Debug, Clone)]
pub(crate) struct CsrfSettings {
    pub(crate) protect: bool,
    pub(crate) in_cookies: bool,
    pub(crate) methods: Vec<Method>,
    pub(crate) access_header: HeaderName,
    pub(crate) refresh_header: HeaderName,
    pub(crate) check_form: bool,
    pub(crate) access_field: String,
    pub(crate) refresh_field: String,
    pub(crate) exempt_routes: Vec<String>,
}

/// Origin / Sec-Fetch-Site settings.
#[derive(Debug, Clone)]
pub(crate) struct OriginSettings {
    pub(crate) enabled: bool,
    pub(crate) trusted: Vec<String>,
    pub(crate) allow_same_site: bool,
    /// Proxies whose `X-Forwarded-Host` / `X-Forwarded-Proto` name the request's origin.
    pub(crate) trusted_proxies: Vec<crate::proxy::TrustedProxy>,
}

/// Where a token can be carried.
///
/// ```
/// use authjwt::TokenLocation;
/// assert_eq!("cookies".parse::<TokenLocation>().unwrap(), TokenLocation::Cookies);
/// assert_eq!("headers".parse::<TokenLocation>().unwrap(), TokenLocation::Headers);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenLocation {
    /// The `Authorization` header (name and scheme configurable). No CSRF check needed:
    /// browsers never attach it on their own.
    Headers,
    /// The HttpOnly JWT cookies, with the CSRF double-submit check on unsafe methods.
    Cookies,
    /// A query-string parameter (⚠️ URLs end up in logs and `Referer` headers).
    Query,
    /// A key of a JSON request body.
    Json,
}

impl std::str::FromStr for TokenLocation {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "headers" | "header" => Ok(Self::Headers),
            "cookies" | "cookie" => Ok(Self::Cookies),
            "query" | "query_string" => Ok(Self::Query),
            "json" => Ok(Self::Json),
            _ => Err(()),
        }
    }
}
