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

/// Whether `parts` is a WebSocket opening handshake over HTTP/1.1: a `Connection` header
/// listing `upgrade` and an `Upgrade` header listing `websocket` (RFC 6455 §4.1). Both are
/// token lists, compared without regard to case, and may be split over several header lines;
/// an `Upgrade` token may carry a version (`websocket/13`).
///
/// HTTP/2 and HTTP/3 open WebSockets with an extended CONNECT (RFC 8441, RFC 9220), whose
/// `:protocol` pseudo-header `http` types do not carry (hyper keeps it in an extension of its
/// own). CONNECT is not a safe method, so the cross-site check applies to every CONNECT
/// request anyway; this function answers `false` for them.
///
/// ```
/// use authjwt::websocket::is_websocket_upgrade;
///
/// let handshake = http::Request::get("/ws")
///     .header("connection", "keep-alive, Upgrade")
///     .header("upgrade", "WebSocket")
///     .body(())?;
/// assert!(is_websocket_upgrade(&handshake.into_parts().0));
///
/// let h2c = http::Request::get("/").header("connection", "upgrade").header("upgrade", "h2c");
/// assert!(!is_websocket_upgrade(&h2c.body(())?.into_parts().0));
/// # Ok::<(), http::Error>(())
/// ```
pub fn is_websocket_upgrade(parts: &Parts) -> bool {
    // The common request has no Upgrade header: one lookup decides.
    parts.headers.contains_key(http::header::UPGRADE)
        && lists_token(&parts.headers, &http::header::UPGRADE, b"websocket")
        && lists_token(&parts.headers, &http::header::CONNECTION, b"upgrade")
}

/// Whether any value of the comma-separated list header `name` holds `token` (ASCII case
/// ignored; a `/version` suffix ignored, as in `Upgrade` tokens).
fn lists_token(headers: &HeaderMap, name: &http::HeaderName, token: &[u8]) -> bool {
    headers.get_all(name).iter().any(|value| {
        value.as_bytes().split(|b| *b == b',').any(|item| {
            let item = item.trim_ascii();
            let name = item.split(|b| *b == b'/').next().unwrap_or(item);
            name.trim_ascii().eq_ignore_ascii_case(token)
        })
    })
}

/// The cross-origin check of Go's `CrossOriginProtection`, for unsafe methods and WebSocket
/// upgrades ([`needs_origin_check`]):
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
    if needs_origin_check(parts) {
        check_origin_headers(config, parts)
    } else {
        Ok(())
    }
}

/// Whether [`check_origin`] looks at this request: unsafe methods, and WebSocket upgrades
/// whatever their method (the handshake is a GET that browsers send with cookies, from any
/// site, and no CSRF header can be added to it).
pub(crate) fn needs_origin_check(parts: &Parts) -> bool {
    !is_safe_method(&parts.method) || is_websocket_upgrade(parts)
}

/// The cross-origin verdict itself, whatever the method (see [`check_origin`]); routes that
/// ask for it on safe methods too call it directly.
pub(crate) fn check_origin_headers(config: &Config, parts: &Parts) -> Result<(), AuthError> {
    if !config.origin.enabled {
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
    let target = match proxy::target(&config.origin.trusted_proxies, parts) {
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

    const UPGRADE: [(&str, &str); 2] = [("connection", "Upgrade"), ("upgrade", "websocket")];

    #[test]
    fn websocket_handshakes_are_recognised_in_every_spelling() {
        let yes: &[&[(&str, &str)]] = &[
            &UPGRADE,
            &[("connection", "upgrade"), ("upgrade", "WebSocket")],
            &[
                ("connection", "keep-alive, Upgrade"),
                ("upgrade", "websocket"),
            ],
            &[
                ("connection", "keep-alive,upgrade"),
                ("upgrade", "h2c, websocket"),
            ],
            &[
                ("connection", "keep-alive"),
                ("connection", "UPGRADE"),
                ("upgrade", "websocket"),
            ],
            &[("connection", "upgrade"), ("upgrade", "websocket/13")],
            &[("connection", " upgrade "), ("upgrade", " websocket ")],
        ];
        for headers in yes {
            assert!(is_websocket_upgrade(&parts("GET", headers)), "{headers:?}");
        }
        let no: &[&[(&str, &str)]] = &[
            &[],
            &[("upgrade", "websocket")],
            &[("connection", "upgrade")],
            &[("connection", "keep-alive"), ("upgrade", "websocket")],
            &[("connection", "upgrade"), ("upgrade", "h2c")],
            &[("connection", "upgrades"), ("upgrade", "websocket")],
            &[("connection", "upgrade"), ("upgrade", "websockets")],
            &[("connection", "upgrade"), ("upgrade", "")],
        ];
        for headers in no {
            assert!(!is_websocket_upgrade(&parts("GET", headers)), "{headers:?}");
        }
    }

    #[test]
    fn websocket_upgrades_are_checked_whatever_their_method() {
        let c = config();
        let host = ("host", "app.example");
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], bool);
        let cases: &[Case<'_>] = &[
            // The same cross-site GET passes as a plain request and not as an upgrade.
            ("GET", &[("sec-fetch-site", "cross-site")], true),
            (
                "GET",
                &[UPGRADE[0], UPGRADE[1], ("sec-fetch-site", "cross-site")],
                false,
            ),
            (
                "GET",
                &[UPGRADE[0], UPGRADE[1], ("sec-fetch-site", "same-site")],
                false,
            ),
            (
                "HEAD",
                &[UPGRADE[0], UPGRADE[1], ("sec-fetch-site", "cross-site")],
                false,
            ),
            (
                "OPTIONS",
                &[
                    UPGRADE[0],
                    UPGRADE[1],
                    host,
                    ("origin", "http://evil.example"),
                ],
                false,
            ),
            (
                "GET",
                &[UPGRADE[0], UPGRADE[1], host, ("origin", "null")],
                false,
            ),
            (
                "GET",
                &[UPGRADE[0], UPGRADE[1], ("sec-fetch-site", "same-origin")],
                true,
            ),
            (
                "GET",
                &[
                    UPGRADE[0],
                    UPGRADE[1],
                    host,
                    ("origin", "http://app.example"),
                ],
                true,
            ),
            // A trusted origin passes even with Sec-Fetch-Site: cross-site, as for POST.
            (
                "GET",
                &[
                    UPGRADE[0],
                    UPGRADE[1],
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "https://partner.example"),
                ],
                true,
            ),
            // No browser headers at all: not a browser, as for POST.
            ("GET", &UPGRADE, true),
        ];
        for (method, headers, ok) in cases {
            let p = parts(method, headers);
            assert_eq!(check_origin(&c, &p).is_ok(), *ok, "{method} {headers:?}");
        }
    }

    #[test]
    fn extended_connect_is_checked_as_an_unsafe_method() {
        // HTTP/2's WebSocket handshake: CONNECT, whose :protocol http types cannot show.
        let c = config();
        let mut p = parts("CONNECT", &[("sec-fetch-site", "cross-site")]);
        p.version = http::Version::HTTP_2;
        assert!(!is_websocket_upgrade(&p));
        assert_eq!(check_origin(&c, &p), Err(AuthError::CrossSiteRequest));
        p.headers.insert(
            "sec-fetch-site",
            http::HeaderValue::from_static("same-origin"),
        );
        assert_eq!(check_origin(&c, &p), Ok(()));
    }

    #[test]
    fn the_check_on_safe_methods_and_its_switch() {
        let cross = parts("GET", &[("sec-fetch-site", "cross-site")]);
        assert_eq!(
            check_origin_headers(&config(), &cross),
            Err(AuthError::CrossSiteRequest)
        );
        let off = Config::builder()
            .secret([1u8; 32])
            .origin_check(false)
            .build()
            .unwrap();
        assert_eq!(check_origin_headers(&off, &cross), Ok(()));
        let upgrade = parts(
            "GET",
            &[UPGRADE[0], UPGRADE[1], ("sec-fetch-site", "cross-site")],
        );
        assert_eq!(check_origin(&off, &upgrade), Ok(()));
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
