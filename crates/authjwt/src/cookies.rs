//! Cookies: `Set-Cookie` for setting and unsetting the access and refresh cookies with their
//! CSRF cookies, and reading the incoming `Cookie` header with byte-exact names.

use std::time::Duration;

use cookie::time::{Duration as CookieDuration, OffsetDateTime};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

use crate::Auth;
use crate::claims::TokenType;
use crate::config::Config;
use crate::error::{AuthError, InvalidReason};
use crate::tokens::{IssuedToken, now};

/// Finds the cookie `name` in every `Cookie` header, comparing names byte for byte: a
/// percent-encoded, padded or differently-cased name is another cookie, so `__Host-` prefixes
/// keep their meaning. Two different values for the name are refused (a sibling subdomain
/// may have planted one), the same value twice is accepted.
///
/// Headers are read as bytes: a byte outside ASCII anywhere in a `Cookie` header (another
/// cookie's value, say) must not hide the pairs beside it, or a planted duplicate could go
/// unseen. A value for `name` that is not UTF-8 is a malformed token.
pub(crate) fn find_cookie<'a>(
    headers: &'a HeaderMap,
    name: &str,
) -> Result<Option<&'a str>, AuthError> {
    Ok(find_cookie_in(headers, name)?.map(|(_, value)| value))
}

/// [`find_cookie`], also naming the `Cookie` header the value was found in.
pub(crate) fn find_cookie_in<'a>(
    headers: &'a HeaderMap,
    name: &str,
) -> Result<Option<(&'a HeaderValue, &'a str)>, AuthError> {
    let name = name.as_bytes();
    // A cookie name never holds `=` (the first `=` of a pair ends it): such a name matches
    // nothing. Configured names are RFC 6265 tokens; this guards the fuzzing entry point.
    if name.contains(&b'=') {
        return Ok(None);
    }
    let mut found: Option<(&'a HeaderValue, &'a [u8])> = None;
    for header in headers.get_all(COOKIE) {
        let mut rest = header.as_bytes();
        loop {
            // memchr finds the next `;` a vector at a time; the Cookie header of a logged-in
            // browser holds four cookies of a few hundred bytes.
            let (pair, next) = match memchr::memchr(b';', rest) {
                Some(end) => (&rest[..end], Some(&rest[end + 1..])),
                None => (rest, None),
            };
            // RFC 6265 5.4: pairs are separated by "; "; only that space is stripped.
            let pair = pair.strip_prefix(b" ").unwrap_or(pair);
            if let Some(v) = pair
                .strip_prefix(name)
                .and_then(|after| after.strip_prefix(b"="))
            {
                match found {
                    Some((_, prev)) if prev != v => return Err(InvalidReason::Conflicting.into()),
                    Some(_) => {}
                    None => found = Some((header, v)),
                }
            }
            match next {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
    found
        .map(|(header, v)| match std::str::from_utf8(v) {
            Ok(v) => Ok((header, v)),
            Err(_) => Err(InvalidReason::Malformed.into()),
        })
        .transpose()
}

impl Config {
    /// [`find_cookie`] for the fuzz targets and integration tests. Not a supported API.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue};
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", HeaderValue::from_static("a=1; __Host-b=2; __host-b=3"));
    /// assert_eq!(authjwt::Config::fuzz_find_cookie(&headers, "__Host-b")?, Some("2"));
    /// # Ok::<(), authjwt::AuthError>(())
    /// ```
    #[doc(hidden)]
    pub fn fuzz_find_cookie<'a>(
        headers: &'a HeaderMap,
        name: &str,
    ) -> Result<Option<&'a str>, AuthError> {
        find_cookie(headers, name)
    }
}

/// `Set-Cookie` headers to add to a response: what the cookie helpers of [`Auth`] return.
///
/// Add them to any response with [`SetCookies::apply`]; with the `axum` feature the type is
/// also an `IntoResponseParts`, so it can sit in a handler's return tuple.
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// let token = auth.create_access_token("user1")?;
/// let cookies = auth.set_access_cookies(&token);
/// let mut response = http::Response::new(());
/// cookies.apply(response.headers_mut());
/// assert_eq!(response.headers().get_all("set-cookie").iter().count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "Set-Cookie headers do nothing until added to a response"]
pub struct SetCookies {
    headers: Vec<HeaderValue>,
}

impl SetCookies {
    /// No cookies.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let mut cookies = authjwt::SetCookies::new();
    /// assert!(cookies.header_values().is_empty());
    /// cookies = cookies.and(auth.unset_access_cookies());
    /// assert_eq!(cookies.header_values().len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the cookies of `other`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// let cookies = auth
    ///     .set_access_cookies(&login.access)
    ///     .and(auth.set_refresh_cookies(&login.refresh));
    /// assert_eq!(cookies.header_values().len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn and(mut self, other: SetCookies) -> Self {
        self.headers.extend(other.headers);
        self
    }

    /// Appends the `Set-Cookie` headers to `headers` (existing cookies are kept).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let mut response = http::Response::new(());
    /// response.headers_mut().append("set-cookie", http::HeaderValue::from_static("theme=dark"));
    /// auth.unset_cookies().apply(response.headers_mut());
    /// // The existing cookie is kept and the four deletions are added.
    /// assert_eq!(response.headers().get_all("set-cookie").iter().count(), 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&self, headers: &mut HeaderMap) {
        for h in &self.headers {
            headers.append(SET_COOKIE, h.clone());
        }
    }

    /// The `Set-Cookie` header values.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let cookies = auth.set_access_cookies(&token);
    /// let jwt = cookies.header_values()[0].to_str()?;
    /// let attributes = "HttpOnly; SameSite=Lax; Secure; Path=/";
    /// assert_eq!(jwt, format!("access_token_cookie={token}; {attributes}"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn header_values(&self) -> &[HeaderValue] {
        &self.headers
    }

    fn push(&mut self, c: &cookie::Cookie<'_>) {
        // Names and attributes are validated when the config is built and values are
        // base64url, so rendering always yields a valid header value.
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            self.headers.push(v);
        }
    }
}

struct Spec<'a> {
    name: &'a str,
    path: &'a str,
    http_only: bool,
}

impl Config {
    fn specs(&self, token_type: TokenType) -> (Spec<'_>, Spec<'_>) {
        let c = &self.cookies;
        match token_type {
            TokenType::Access => (
                Spec {
                    name: &c.access_name,
                    path: &c.access_path,
                    http_only: true,
                },
                Spec {
                    name: &c.access_csrf_name,
                    path: &c.access_csrf_path,
                    http_only: false,
                },
            ),
            TokenType::Refresh => (
                Spec {
                    name: &c.refresh_name,
                    path: &c.refresh_path,
                    http_only: true,
                },
                Spec {
                    name: &c.refresh_csrf_name,
                    path: &c.refresh_csrf_path,
                    http_only: false,
                },
            ),
        }
    }

    fn cookie<'a>(
        &self,
        spec: &Spec<'a>,
        value: &'a str,
        max_age: Option<Duration>,
    ) -> cookie::Cookie<'a> {
        let c = &self.cookies;
        let mut b = cookie::Cookie::build((spec.name, value))
            .path(spec.path)
            .secure(c.secure)
            .http_only(spec.http_only)
            .same_site(match c.samesite {
                crate::SameSite::Lax => cookie::SameSite::Lax,
                crate::SameSite::Strict => cookie::SameSite::Strict,
                crate::SameSite::None => cookie::SameSite::None,
            });
        if let Some(domain) = &c.domain {
            b = b.domain(domain.clone());
        }
        if let Some(age) = max_age {
            let secs = i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
            b = b.max_age(CookieDuration::seconds(secs));
        }
        b.build()
    }

    fn set_cookies(&self, token: &IssuedToken) -> SetCookies {
        let (jwt, csrf) = self.specs(token.token_type());
        let max_age = if self.cookies.session {
            None
        } else {
            self.cookies.max_age.or_else(|| {
                token
                    .expires_at()
                    .map(|exp| Duration::from_secs(exp.saturating_sub(now())))
            })
        };
        let mut out = SetCookies::new();
        out.push(&self.cookie(&jwt, token.as_str(), max_age));
        if let (true, Some(value)) = (self.csrf.in_cookies, token.csrf()) {
            out.push(&self.cookie(&csrf, value, max_age));
        }
        out
    }

    fn unset_cookies(&self, token_type: TokenType) -> SetCookies {
        let (jwt, csrf) = self.specs(token_type);
        let mut out = SetCookies::new();
        for spec in [jwt, csrf] {
            // Same Path, Domain, Secure and SameSite as when set, or browsers keep the cookie.
            let mut c = self.cookie(&spec, "", Some(Duration::ZERO));
            c.set_expires(OffsetDateTime::UNIX_EPOCH);
            out.push(&c);
        }
        out
    }
}

impl Auth {
    /// The access cookie (HttpOnly) and its CSRF cookie (readable by scripts) for `token`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").cookie_secure(false)
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let cookies = auth.set_access_cookies(&token);
    /// let values = cookies.header_values();
    /// assert!(values[0].to_str()?.starts_with("access_token_cookie="));
    /// assert!(values[0].to_str()?.contains("HttpOnly"));
    /// assert!(values[1].to_str()?.starts_with("csrf_access_token="));
    /// assert!(!values[1].to_str()?.contains("HttpOnly"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_access_cookies(&self, token: &IssuedToken) -> SetCookies {
        self.config().set_cookies(token)
    }

    /// The refresh cookie and its CSRF cookie for `token`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let token = auth.create_refresh_token("user1")?;
    /// let cookies = auth.set_refresh_cookies(&token);
    /// let values = cookies.header_values();
    /// assert!(values[0].to_str()?.starts_with("refresh_token_cookie="));
    /// assert!(values[0].to_str()?.contains("HttpOnly"));
    /// assert!(values[1].to_str()?.starts_with("csrf_refresh_token="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_refresh_cookies(&self, token: &IssuedToken) -> SetCookies {
        self.config().set_cookies(token)
    }

    /// Deletes the access cookie and its CSRF cookie (`Max-Age=0`, same attributes).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let cookies = auth.unset_access_cookies();
    /// assert!(cookies.header_values()[0].to_str()?.contains("Max-Age=0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unset_access_cookies(&self) -> SetCookies {
        self.config().unset_cookies(TokenType::Access)
    }

    /// Deletes the refresh cookie and its CSRF cookie.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let cookies = auth.unset_refresh_cookies();
    /// let values = cookies.header_values();
    /// assert!(values[0].to_str()?.starts_with("refresh_token_cookie=;"));
    /// assert!(values[1].to_str()?.starts_with("csrf_refresh_token=;"));
    /// assert!(values[1].to_str()?.contains("Max-Age=0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unset_refresh_cookies(&self) -> SetCookies {
        self.config().unset_cookies(TokenType::Refresh)
    }

    /// Deletes all four cookies (seed 001's `unset_jwt_cookies`, AuthX's `unset_cookies`).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let mut response = http::Response::new(()); // the logout response
    /// auth.unset_cookies().apply(response.headers_mut());
    /// assert_eq!(response.headers().get_all("set-cookie").iter().count(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unset_cookies(&self) -> SetCookies {
        self.unset_access_cookies()
            .and(self.unset_refresh_cookies())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SameSite, TokenLocation};

    fn headers(cookie: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for c in cookie {
            h.append(COOKIE, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    #[test]
    fn names_are_byte_exact() {
        let h = headers(&["a=1; __Host-x=2; %5F%5FHost-y=3;  z=4"]);
        assert_eq!(find_cookie(&h, "a").unwrap(), Some("1"));
        assert_eq!(find_cookie(&h, "__Host-x").unwrap(), Some("2"));
        assert_eq!(find_cookie(&h, "__Host-y").unwrap(), None);
        assert_eq!(
            find_cookie(&h, "z").unwrap(),
            None,
            "padded name is another cookie"
        );
        assert_eq!(find_cookie(&h, "__host-x").unwrap(), None);
    }

    #[test]
    fn non_ascii_bytes_elsewhere_do_not_hide_pairs() {
        let mut h = HeaderMap::new();
        let odd = HeaderValue::from_bytes(b"x=\xc3\xa9; a=1; y=\xff").unwrap();
        h.append(COOKIE, odd.clone());
        assert_eq!(find_cookie(&h, "a").unwrap(), Some("1"));
        // A planted duplicate in a header with a non-ASCII byte is still seen.
        h.append(COOKIE, HeaderValue::from_static("a=2"));
        assert!(find_cookie(&h, "a").is_err());
        // Our own cookie with a value that is not UTF-8 is a malformed token.
        let mut h = HeaderMap::new();
        h.append(COOKIE, odd);
        assert_eq!(
            find_cookie(&h, "y"),
            Err(AuthError::InvalidToken(InvalidReason::Malformed))
        );
    }

    #[test]
    fn pair_boundaries_and_odd_shapes() {
        let h = headers(&["a", "=1; ;a=; b==2;c=3;", "ab=4; a=; ba=5"]);
        assert_eq!(find_cookie(&h, "a").unwrap(), Some(""));
        assert_eq!(find_cookie(&h, "b").unwrap(), Some("=2"));
        assert_eq!(find_cookie(&h, "c").unwrap(), Some("3"));
        assert_eq!(find_cookie(&h, "ab").unwrap(), Some("4"));
        assert_eq!(find_cookie(&h, "").unwrap(), Some("1"));
        // Only one space is stripped; a name with `=` names nothing.
        assert_eq!(find_cookie(&headers(&["x=1;  y=2"]), "y").unwrap(), None);
        assert_eq!(find_cookie(&headers(&["b==2"]), "b=").unwrap(), None);
    }

    #[test]
    fn duplicates_with_different_values_are_refused() {
        assert!(find_cookie(&headers(&["a=1; a=2"]), "a").is_err());
        assert!(find_cookie(&headers(&["a=1", "a=2"]), "a").is_err());
        assert_eq!(
            find_cookie(&headers(&["a=1; a=1"]), "a").unwrap(),
            Some("1")
        );
    }

    fn auth(b: crate::ConfigBuilder) -> Auth {
        Auth::new(
            b.secret([1u8; 32])
                .token_location([TokenLocation::Cookies])
                .build()
                .unwrap(),
        )
    }

    #[test]
    fn set_and_unset_carry_the_same_attributes() {
        let a = auth(
            crate::Config::builder()
                .cookie_domain("example.com")
                .cookie_samesite(SameSite::Strict)
                .refresh_cookie_path("/refresh")
                .session_cookie(false),
        );
        let t = a.create_refresh_token("u").unwrap();
        let set: Vec<String> = a
            .set_refresh_cookies(&t)
            .header_values()
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        // Max-Age counts down from the token's exp: a second may tick between creating the
        // token and rendering the cookie.
        let max_age = |cookie: &str| {
            let (head, age) = cookie.rsplit_once("; Max-Age=").unwrap();
            let age: u64 = age.parse().unwrap();
            assert!((2_591_999..=2_592_000).contains(&age), "{cookie}");
            head.to_owned()
        };
        assert_eq!(
            max_age(&set[0]),
            format!(
                "refresh_token_cookie={}; HttpOnly; SameSite=Strict; Secure; Path=/refresh; \
                 Domain=example.com",
                t.as_str()
            )
        );
        assert_eq!(
            max_age(&set[1]),
            format!(
                "csrf_refresh_token={}; SameSite=Strict; Secure; Path=/; Domain=example.com",
                t.csrf().unwrap()
            )
        );
        let unset: Vec<String> = a
            .unset_cookies()
            .header_values()
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(unset.len(), 4);
        assert_eq!(
            unset[2],
            "refresh_token_cookie=; HttpOnly; SameSite=Strict; Secure; Path=/refresh; \
             Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }

    #[test]
    fn session_cookies_have_no_max_age() {
        let a = auth(crate::Config::builder());
        let t = a.create_access_token("u").unwrap();
        for v in a.set_access_cookies(&t).header_values() {
            assert!(!v.to_str().unwrap().contains("Max-Age"));
        }
        let p = auth(crate::Config::builder().cookie_max_age(Duration::from_secs(60)));
        let t = p.create_access_token("u").unwrap();
        assert!(
            p.set_access_cookies(&t).header_values()[0]
                .to_str()
                .unwrap()
                .contains("Max-Age=60")
        );
    }
}
