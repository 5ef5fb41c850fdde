//! Writing cookies: [`SetCookies`], the `Set-Cookie` headers that set and unset the access and
//! refresh cookies with their CSRF cookies.

use crate::Auth;
use crate::claims::TokenType;
use crate::claims::now;
use crate::config::Config;
use crate::tokens::IssuedToken;
use cookie::time::{Duration as CookieDuration, OffsetDateTime};
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use std::time::Duration;

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
        // The login's remember-me choice, else the configuration's.
        let session = token
            .remember()
            .map_or(self.cookies.session, |remember| !remember);
        let until = |exp: Option<u64>| {
            if session {
                return None;
            }
            self.cookies
                .max_age
                .or_else(|| exp.map(|exp| Duration::from_secs(exp.saturating_sub(now()))))
        };
        let mut out = SetCookies::new();
        out.push(&self.cookie(&jwt, token.as_str(), until(token.expires_at())));
        if let (true, Some(value)) = (self.csrf.in_cookies, token.csrf()) {
            // A session keeps its CSRF values for its whole life, so a persistent access-CSRF
            // cookie lives as long as the session's refresh token: once the access cookie has
            // expired, a page still finds the value it needs after the refresh.
            let csrf_exp = match token.token_type() {
                TokenType::Access if token.family().is_some() => self
                    .refresh_expires
                    .map(|d| token.issued_at().saturating_add(d.as_secs()))
                    .map(|exp| token.session_end().map_or(exp, |end| exp.min(end))),
                _ => token.expires_at(),
            };
            out.push(&self.cookie(&csrf, value, until(csrf_exp)));
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

/// The body of [`Auth::set_access_cookies`].
pub(crate) fn set_access_cookies(auth: &Auth, token: &IssuedToken) -> SetCookies {
    auth.config().set_cookies(token)
}

/// The body of [`Auth::set_refresh_cookies`].
pub(crate) fn set_refresh_cookies(auth: &Auth, token: &IssuedToken) -> SetCookies {
    auth.config().set_cookies(token)
}

/// The body of [`Auth::unset_access_cookies`].
pub(crate) fn unset_access_cookies(auth: &Auth) -> SetCookies {
    auth.config().unset_cookies(TokenType::Access)
}

/// The body of [`Auth::unset_refresh_cookies`].
pub(crate) fn unset_refresh_cookies(auth: &Auth) -> SetCookies {
    auth.config().unset_cookies(TokenType::Refresh)
}

/// The body of [`Auth::unset_cookies`].
pub(crate) fn unset_cookies(auth: &Auth) -> SetCookies {
    auth.unset_access_cookies()
        .and(auth.unset_refresh_cookies())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SameSite, TokenLocation};
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
