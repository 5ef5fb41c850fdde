//! CSRF defences for cookie-borne tokens: the double-submit check (header, or optionally a
//! form field, equal to the token's `csrf` claim, compared in constant time) and the
//! Origin / Sec-Fetch-Site check, which follows Go 1.25's `CrossOriginProtection`.

use http::request::Parts;
use http::{HeaderMap, Method};
use subtle::ConstantTimeEq;

use crate::body::{BodyFields, BodyValue};
use crate::claims::TokenType;
use crate::config::Config;
use crate::error::AuthError;
use crate::proxy;

/// Whether `method` needs the double-submit check under this configuration.
/// The access-token CSRF value of a session, derived from its refresh-token CSRF value.
///
/// A session keeps its CSRF values for its whole life (rotation must not change them, or a
/// tab that read them just before another tab's refresh would mismatch), and a refresh only
/// holds the refresh token. Deriving the access value by a one-way hash keeps the two values
/// distinct (one never passes for the other) without a stored value or an extra claim: the
/// access value tells nothing about the refresh value, and both are already readable by the
/// page's own scripts and by no one else.
pub(crate) fn access_csrf_for(refresh_csrf: &str) -> String {
    use base64::Engine;
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        &[b"authjwt access csrf\0", refresh_csrf.as_bytes()].concat(),
    );
    // 128 bits, like a random CSRF value.
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
}

pub(crate) fn method_needs_csrf(config: &Config, method: &Method) -> bool {
    config.csrf.methods.iter().any(|m| m == method)
}

/// The double-submit check: the header (or form field) must equal `claim`.
pub(crate) fn check_double_submit(
    config: &Config,
    parts: &Parts,
    token_type: TokenType,
    claim: Option<&str>,
) -> Result<(), AuthError> {
    let header_name = match token_type {
        TokenType::Access => &config.csrf.access_header,
        TokenType::Refresh => &config.csrf.refresh_header,
    };
    let presented = match single_header(&parts.headers, header_name)? {
        Some(v) => Some(v),
        None if config.csrf.check_form => {
            let field = parts
                .extensions
                .get::<BodyFields>()
                .map(|b| match token_type {
                    TokenType::Access => &b.form_access_csrf,
                    TokenType::Refresh => &b.form_refresh_csrf,
                });
            // The field given twice with different values is ambiguous, like a repeated
            // header: a mismatch.
            match field.map(BodyValue::get).transpose() {
                Ok(found) => found.flatten(),
                Err(_) => return Err(AuthError::CsrfMismatch),
            }
        }
        None => None,
    };
    let presented = presented
        .filter(|v| !v.is_empty())
        .ok_or(AuthError::CsrfMissing)?;
    let claim = claim.ok_or(AuthError::CsrfMismatch)?;
    if bool::from(presented.as_bytes().ct_eq(claim.as_bytes())) {
        Ok(())
    } else {
        Err(AuthError::CsrfMismatch)
    }
}

/// One value of `name`; a header sent twice is ambiguous and refused as a mismatch.
fn single_header<'a>(
    headers: &'a HeaderMap,
    name: &http::HeaderName,
) -> Result<Option<&'a str>, AuthError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(AuthError::CsrfMismatch);
    }
    first
        .to_str()
        .map(Some)
        .map_err(|_| AuthError::CsrfMismatch)
}

/// `Sec-Fetch-Site`, made once: looking a header up by `&str` parses the name every time.
static SEC_FETCH_SITE: http::HeaderName = http::HeaderName::from_static("sec-fetch-site");

/// The methods Go's `CrossOriginProtection` lets through unchecked. TRACE is not among
/// them: Go checks it like any unsafe method, and so does this library.
pub(crate) fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The cross-origin check of Go's `CrossOriginProtection`, for unsafe methods:
///
/// 1. `Sec-Fetch-Site: same-origin` or `none` passes; any other value (`cross-site`, or
///    `same-site` unless allowed) is refused unless the Origin is trusted.
/// 2. Without `Sec-Fetch-Site`, a missing `Origin` passes (not a browser, or an old one:
///    the double-submit check still applies); an `Origin` whose host equals the request's
///    host passes; a trusted origin passes; anything else is refused.
///
/// The request's host is its `Host` header (or its URI's authority), unless the peer is a
/// trusted proxy: then `X-Forwarded-Host` and `X-Forwarded-Proto` stand in for the host and
/// the scheme ([`crate::proxy`]).
///
/// Headers are compared as bytes, like Go's: an `Origin` that is not visible ASCII is an
/// origin that matches nothing, never an absent one. Stricter than Go in two places that
/// no browser reaches: an empty `Origin` and an empty `Sec-Fetch-Site` are refused rather
/// than treated as absent.
///
/// A refusal is traced here (debug, target `authjwt::rejection`) with what was compared:
/// the `Origin`, the `Sec-Fetch-Site`, the host and where it came from, and the peer (known
/// to the check when proxies are trusted).
pub(crate) fn check_origin(config: &Config, parts: &Parts) -> Result<(), AuthError> {
    if !config.origin.enabled || is_safe_method(&parts.method) {
        return Ok(());
    }
    let origin = parts
        .headers
        .get(http::header::ORIGIN)
        .map(http::HeaderValue::as_bytes);
    let trusted =
        || origin.is_some_and(|o| config.origin.trusted.iter().any(|t| t.as_bytes() == o));
    if let Some(site) = parts.headers.get(&SEC_FETCH_SITE) {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            b"same-site" if config.origin.allow_same_site => Ok(()),
            _ if trusted() => Ok(()),
            _ => Err(refused(parts, None, "Sec-Fetch-Site is not same-origin")),
        };
    }
    let Some(origin) = origin else { return Ok(()) };
    let target = match proxy::target(&config.origin, parts) {
        Ok(target) => target,
        Err(_) if trusted() => return Ok(()),
        Err(reason) => return Err(refused(parts, None, reason)),
    };
    let (scheme, origin_host) = match origin.windows(3).position(|w| w == b"://") {
        Some(i) => (&origin[..i], Some(&origin[i + 3..])),
        None => (origin, None),
    };
    let scheme_ok = target.scheme.is_none_or(|s| s.as_bytes() == scheme);
    if scheme_ok && origin_host.is_some() && origin_host == target.host {
        return Ok(());
    }
    if trusted() {
        Ok(())
    } else {
        Err(refused(
            parts,
            Some(&target),
            "Origin is neither the request's origin nor trusted",
        ))
    }
}

/// Traces a cross-site refusal with what was compared, and returns its error. Header
/// values are escaped and cut short: they come from the client.
fn refused(parts: &Parts, target: Option<&proxy::Target<'_>>, reason: &str) -> AuthError {
    fn shown(v: Option<&[u8]>) -> String {
        v.map_or_else(
            || "-".to_owned(),
            |v| v.get(..200).unwrap_or(v).escape_ascii().to_string(),
        )
    }
    let header = |name: &http::HeaderName| parts.headers.get(name).map(|v| v.as_bytes());
    let origin = shown(header(&http::header::ORIGIN));
    let sec_fetch_site = shown(header(&SEC_FETCH_SITE));
    let (host, host_from, scheme) = match target {
        Some(t) => (shown(t.host), t.source.to_string(), t.scheme.unwrap_or("-")),
        None => ("-".to_owned(), "-".to_owned(), "-"),
    };
    let peer = parts
        .extensions
        .get::<proxy::PeerAddr>()
        .map_or_else(|| "-".to_owned(), |p| p.0.to_string());
    tracing::debug!(
        target: "authjwt::rejection",
        code = AuthError::CrossSiteRequest.code(),
        origin,
        sec_fetch_site,
        host,
        host_from,
        scheme,
        peer,
        reason,
        "request rejected: cross-site"
    );
    AuthError::CrossSiteRequest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TokenLocation;

    fn config() -> Config {
        Config::builder()
            .secret([1u8; 32])
            .token_location([TokenLocation::Cookies])
            .trusted_origins(["https://partner.example"])
            .build()
            .unwrap()
    }

    fn parts(method: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().method(method).uri("/posts");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn double_submit() {
        let c = config();
        let ok = parts("POST", &[("x-csrf-token", "abc")]);
        assert_eq!(
            check_double_submit(&c, &ok, TokenType::Access, Some("abc")),
            Ok(())
        );
        assert_eq!(
            check_double_submit(&c, &ok, TokenType::Access, Some("abd")),
            Err(AuthError::CsrfMismatch)
        );
        assert_eq!(
            check_double_submit(&c, &ok, TokenType::Access, None),
            Err(AuthError::CsrfMismatch)
        );
        let none = parts("POST", &[]);
        assert_eq!(
            check_double_submit(&c, &none, TokenType::Access, Some("abc")),
            Err(AuthError::CsrfMissing)
        );
        let empty = parts("POST", &[("x-csrf-token", "")]);
        assert_eq!(
            check_double_submit(&c, &empty, TokenType::Access, Some("abc")),
            Err(AuthError::CsrfMissing)
        );
        let twice = parts("POST", &[("x-csrf-token", "abc"), ("x-csrf-token", "abc")]);
        assert_eq!(
            check_double_submit(&c, &twice, TokenType::Access, Some("abc")),
            Err(AuthError::CsrfMismatch)
        );
    }

    #[test]
    fn origin_rules_follow_go() {
        let c = config();
        let host = ("host", "app.example");
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], bool);
        let cases: &[Case<'_>] = &[
            ("GET", &[("sec-fetch-site", "cross-site")], true),
            ("POST", &[("sec-fetch-site", "cross-site")], false),
            ("POST", &[("sec-fetch-site", "same-site")], false),
            ("POST", &[("sec-fetch-site", "same-origin")], true),
            ("POST", &[("sec-fetch-site", "none")], true),
            (
                "POST",
                &[
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://partner.example"),
                ],
                true,
            ),
            ("POST", &[], true),
            ("POST", &[host, ("origin", "http://app.example")], true),
            ("POST", &[host, ("origin", "http://evil.example")], false),
            ("POST", &[host, ("origin", "null")], false),
            (
                "DELETE",
                &[host, ("origin", "https://partner.example")],
                true,
            ),
            // Go checks TRACE like any unsafe method.
            ("TRACE", &[("sec-fetch-site", "cross-site")], false),
            ("OPTIONS", &[("sec-fetch-site", "cross-site")], true),
            ("POST", &[host, ("origin", "")], false),
            ("POST", &[("sec-fetch-site", "")], false),
        ];
        for (method, headers, ok) in cases {
            let p = parts(method, headers);
            assert_eq!(check_origin(&c, &p).is_ok(), *ok, "{method} {headers:?}");
        }
    }

    #[test]
    fn an_origin_that_is_not_ascii_is_refused_not_ignored() {
        let c = config();
        let mut p = parts("POST", &[("host", "app.example")]);
        p.headers.insert(
            http::header::ORIGIN,
            http::HeaderValue::from_bytes(b"https://\xc3\xa9vil.example").unwrap(),
        );
        assert_eq!(check_origin(&c, &p), Err(AuthError::CrossSiteRequest));
        let mut p = parts("POST", &[]);
        p.headers.insert(
            "sec-fetch-site",
            http::HeaderValue::from_bytes(b"same-origin\xff").unwrap(),
        );
        assert_eq!(check_origin(&c, &p), Err(AuthError::CrossSiteRequest));
    }
}
