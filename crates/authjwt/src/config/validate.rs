//! [`ConfigBuilder::build`]: every setting checked, and combined into a [`Config`].

use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;

use super::settings::{CookieSettings, CsrfSettings, OriginSettings};
use super::{Config, ConfigBuilder, ConfigError, SameSite};
use crate::config::TokenLocation;
use crate::error::JsonResponder;
use crate::keys::{Algorithm, KeySet, VerifyingKey};
use crate::revoke::MemoryStore;

impl ConfigBuilder {
    /// Validates the settings and builds the [`Config`].
    ///
    /// ```
    /// use authjwt::{Config, ConfigError};
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .build()?;
    /// assert_eq!(config.access_cookie_name(), "access_token_cookie");
    /// // Invalid settings are refused with a message that says what to change.
    /// assert_eq!(Config::builder().build().unwrap_err(), ConfigError::MissingKey);
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn build(self) -> Result<Config, ConfigError> {
        let signing = self.signing.ok_or(ConfigError::MissingKey)??;
        let mut kids: Vec<&str> = signing.kid().into_iter().collect();
        for k in &self.verifying {
            let kid = k.kid().ok_or(ConfigError::VerifyingKeyWithoutKid)?;
            if kids.contains(&kid) {
                return Err(ConfigError::DuplicateKid(kid.to_owned()));
            }
            kids.push(kid);
        }
        let mut keys = KeySet::new(signing);
        for k in self.verifying {
            keys = keys.with_verifying_key(k);
        }
        let known_headers: Vec<(String, VerifyingKey)> = keys
            .verifying_keys()
            .map(|k| {
                (
                    crate::keys::standard_header(k.algorithm(), k.kid()),
                    k.clone(),
                )
            })
            .collect();
        let signing = keys.signing_key();
        let signing_header = crate::keys::standard_header(signing.algorithm(), signing.kid());
        let mut algorithms: Vec<Algorithm> = keys.algorithms().collect();
        algorithms.sort();
        algorithms.dedup();

        if self.locations.is_empty() {
            return Err(ConfigError::NoLocation);
        }
        let mut locations = self.locations;
        let mut seen = Vec::new();
        locations.retain(|l| {
            if seen.contains(l) {
                false
            } else {
                seen.push(*l);
                true
            }
        });

        if !self.cookie_http_only {
            return Err(ConfigError::HttpOnlyOff);
        }
        let uses_cookies = locations.contains(&TokenLocation::Cookies);
        if uses_cookies && !self.csrf_protect && !self.allow_cookies_without_csrf {
            return Err(ConfigError::CookiesWithoutCsrf);
        }
        if self.cookie_samesite == SameSite::None && !self.cookie_secure {
            return Err(ConfigError::SameSiteNoneWithoutSecure);
        }
        if !self.allow_non_expiring
            && (self.access_expires.is_none() || self.refresh_expires.is_none())
        {
            return Err(ConfigError::NonExpiringTokens);
        }
        // No cap by default when a configured lifetime is unbounded (such tokens never expire).
        let longest = self
            .access_expires
            .zip(self.refresh_expires)
            .map(|(a, r)| a.max(r));
        let max_token_lifetime = match (self.max_token_lifetime, longest) {
            (Some(max), Some(longest)) if max < longest => {
                return Err(ConfigError::MaxLifetimeTooShort { max, longest });
            }
            (Some(max), _) => Some(max),
            (None, longest) => longest,
        };
        let reuse_window = match (self.refresh_reuse_window, self.refresh_expires) {
            (Some(window), lifetime)
                if window > MAX_REUSE_WINDOW || lifetime.is_some_and(|l| window >= l) =>
            {
                return Err(ConfigError::ReuseWindowTooLong { window });
            }
            (Some(window), _) => window,
            // The default stays well inside short refresh lifetimes (tests, demos).
            (None, Some(lifetime)) => DEFAULT_REUSE_WINDOW.min(lifetime / 2),
            (None, None) => DEFAULT_REUSE_WINDOW,
        };
        if self.session_max_age.is_some_and(|d| d.as_secs() == 0) {
            return Err(ConfigError::SessionMaxAgeZero);
        }
        if self.session_cookie == Some(true) && self.cookie_max_age.is_some() {
            return Err(ConfigError::SessionCookieWithMaxAge);
        }
        let session = self.session_cookie.unwrap_or(self.cookie_max_age.is_none());

        let paths = [
            &self.access_cookie_path,
            &self.refresh_cookie_path,
            &self.access_csrf_cookie_path,
            &self.refresh_csrf_cookie_path,
        ];
        for p in paths {
            if !p.starts_with('/') || !attribute_ok(p) {
                return Err(ConfigError::InvalidCookieAttribute(p.clone(), "path"));
            }
        }
        if let Some(d) = &self.cookie_domain
            && (d.is_empty() || !attribute_ok(d))
        {
            return Err(ConfigError::InvalidCookieAttribute(d.clone(), "domain"));
        }
        if self.host_prefix {
            if !self.cookie_secure {
                return Err(ConfigError::HostPrefix("Secure is off"));
            }
            if self.cookie_domain.is_some() {
                return Err(ConfigError::HostPrefix("a Domain is set"));
            }
            if paths.iter().any(|p| p.as_str() != "/") {
                return Err(ConfigError::HostPrefix("a cookie Path is not /"));
            }
        }
        let prefix = |name: String| {
            if self.host_prefix && !name.starts_with("__Host-") {
                format!("__Host-{name}")
            } else {
                name
            }
        };
        let names = [
            prefix(self.access_cookie_name),
            prefix(self.refresh_cookie_name),
            prefix(self.access_csrf_cookie_name),
            prefix(self.refresh_csrf_cookie_name),
        ];
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() || !n.bytes().all(is_tchar) {
                return Err(ConfigError::InvalidCookieName(n.clone()));
            }
            if names[..i].contains(n) {
                return Err(ConfigError::DuplicateCookieName(n.clone()));
            }
        }
        let [
            access_name,
            refresh_name,
            access_csrf_name,
            refresh_csrf_name,
        ] = names;

        let header = |s: &str| {
            HeaderName::from_bytes(s.as_bytes())
                .map_err(|_| ConfigError::InvalidHeaderName(s.to_owned()))
        };

        Ok(Config {
            keys,
            algorithms,
            known_headers,
            signing_header,
            locations,
            header_name: header(&self.header_name)?,
            header_type: self.header_type,
            query_string_name: self.query_string_name,
            json_key: self.json_key,
            refresh_json_key: self.refresh_json_key,
            access_expires: self.access_expires,
            refresh_expires: self.refresh_expires,
            max_token_lifetime,
            refresh_reuse_window_ms: u64::try_from(reuse_window.as_millis()).unwrap_or(u64::MAX),
            session_max_age: self.session_max_age,
            audit: self.audit,
            leeway: self.leeway,
            allow_future_iat: self.allow_future_iat,
            issuer: self.issuer,
            audience: self.audience,
            max_token_len: self.max_token_len,
            allow_non_expiring: self.allow_non_expiring,
            cookies: CookieSettings {
                access_name,
                refresh_name,
                access_path: self.access_cookie_path,
                refresh_path: self.refresh_cookie_path,
                access_csrf_name,
                refresh_csrf_name,
                access_csrf_path: self.access_csrf_cookie_path,
                refresh_csrf_path: self.refresh_csrf_cookie_path,
                domain: self.cookie_domain,
                secure: self.cookie_secure,
                samesite: self.cookie_samesite,
                max_age: self.cookie_max_age,
                session,
            },
            csrf: CsrfSettings {
                protect: self.csrf_protect,
                in_cookies: self.csrf_in_cookies,
                methods: self.csrf_methods,
                access_header: header(&self.access_csrf_header)?,
                refresh_header: header(&self.refresh_csrf_header)?,
                check_form: self.csrf_check_form,
                access_field: self.access_csrf_field,
                refresh_field: self.refresh_csrf_field,
                exempt_routes: self.exempt_routes,
            },
            origin: OriginSettings {
                enabled: self.origin_check,
                trusted: self.trusted_origins,
                allow_same_site: self.allow_same_site,
                trusted_proxies: self.trusted_proxies,
            },
            body_limit: self.body_limit,
            responder: self.responder.unwrap_or_else(|| Arc::new(JsonResponder)),
            users: self.users,
            revocation: if self.revocation_disabled {
                None
            } else {
                Some(
                    self.revocation
                        .unwrap_or_else(|| Arc::new(MemoryStore::new())),
                )
            },
        })
    }
}

/// The default refresh reuse window (what Okta ships by default).
const DEFAULT_REUSE_WINDOW: Duration = Duration::from_secs(30);
/// The longest refresh reuse window accepted.
const MAX_REUSE_WINDOW: Duration = Duration::from_secs(300);

/// RFC 7230 `tchar`: what a cookie name may contain.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A Set-Cookie attribute value: visible ASCII without `;`.
fn attribute_ok(s: &str) -> bool {
    s.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b';')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn base() -> ConfigBuilder {
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Cookies])
    }

    #[test]
    fn defaults_build() {
        let c = base().build().unwrap();
        assert_eq!(c.access_cookie_name(), "access_token_cookie");
        assert_eq!(c.refresh_csrf_cookie_name(), "csrf_refresh_token");
        assert_eq!(c.access_csrf_header_name(), "x-csrf-token");
        assert!(c.cookies.session);
        assert!(c.cookies.secure);
        assert_eq!(c.access_expires(), Some(Duration::from_secs(900)));
    }

    #[test]
    fn invalid_combinations_are_refused_with_a_fix() {
        let cases: Vec<(ConfigBuilder, ConfigError)> = vec![
            (Config::builder(), ConfigError::MissingKey),
            (
                base().cookie_samesite(SameSite::None).cookie_secure(false),
                ConfigError::SameSiteNoneWithoutSecure,
            ),
            (
                base().host_prefix(true).cookie_domain("example.com"),
                ConfigError::HostPrefix("a Domain is set"),
            ),
            (
                base().host_prefix(true).refresh_cookie_path("/refresh"),
                ConfigError::HostPrefix("a cookie Path is not /"),
            ),
            (
                base().host_prefix(true).cookie_secure(false),
                ConfigError::HostPrefix("Secure is off"),
            ),
            (base().cookie_http_only(false), ConfigError::HttpOnlyOff),
            (
                base().cookie_csrf_protect(false),
                ConfigError::CookiesWithoutCsrf,
            ),
            (base().token_location([]), ConfigError::NoLocation),
            (
                base().access_never_expires(),
                ConfigError::NonExpiringTokens,
            ),
            (
                base()
                    .session_cookie(true)
                    .cookie_max_age(Duration::from_secs(9)),
                ConfigError::SessionCookieWithMaxAge,
            ),
            (
                base().refresh_cookie_name("access_token_cookie"),
                ConfigError::DuplicateCookieName("access_token_cookie".into()),
            ),
            (
                base().access_cookie_name("bad name"),
                ConfigError::InvalidCookieName("bad name".into()),
            ),
            (
                base().access_csrf_header_name("bad header"),
                ConfigError::InvalidHeaderName("bad header".into()),
            ),
            (
                base().access_cookie_path("/a;b"),
                ConfigError::InvalidCookieAttribute("/a;b".into(), "path"),
            ),
        ];
        for (builder, expected) in cases {
            let err = builder.build().unwrap_err();
            assert_eq!(err, expected);
            assert!(!err.to_string().is_empty());
        }
        let short = Config::builder().secret(b"short").build().unwrap_err();
        assert!(short.to_string().contains("at least 32 bytes"), "{short}");
    }

    #[test]
    fn dangerous_opt_outs_are_explicit() {
        base()
            .cookie_csrf_protect(false)
            .dangerous_allow_cookies_without_csrf()
            .build()
            .unwrap();
        base()
            .access_never_expires()
            .dangerous_allow_non_expiring_tokens()
            .build()
            .unwrap();
    }

    #[test]
    fn host_prefix_renames_cookies() {
        let c = base().host_prefix(true).build().unwrap();
        assert_eq!(c.access_cookie_name(), "__Host-access_token_cookie");
        assert_eq!(c.access_csrf_cookie_name(), "__Host-csrf_access_token");
    }

    #[test]
    fn debug_redacts_the_secret() {
        let c = base().build().unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("0123456789abcdef"));
    }
}
