//! Finding the token in a request: the Authorization header, cookies, the query string or a
//! JSON body key, tried in the configured order. Tokens are borrowed from the request.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use http::HeaderValue;
use http::request::Parts;

use crate::body::{BodyFields, BodyValue};
use crate::claims::TokenType;
use crate::config::{Config, TokenLocation};
use crate::cookie_header::{Cut, find_cookie_in};
use crate::error::{AuthError, InvalidReason};

impl fmt::Display for TokenLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Headers => "headers",
            Self::Cookies => "cookies",
            Self::Query => "query",
            Self::Json => "json",
        })
    }
}

/// A token found in a request, borrowed from it where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located<'a> {
    pub(crate) token: Cow<'a, str>,
    pub(crate) location: TokenLocation,
    /// The header value `token` was cut from (Authorization or Cookie), and where in it.
    pub(crate) carrier: Option<(&'a HeaderValue, Range<usize>)>,
}

/// Tries `locations` in order; the first location holding a token wins.
pub(crate) fn locate<'a>(
    config: &Config,
    parts: &'a Parts,
    token_type: TokenType,
    locations: &[TokenLocation],
) -> Result<Option<Located<'a>>, AuthError> {
    for &location in locations {
        let (found, carrier): (Option<Cow<'a, str>>, _) = match location {
            TokenLocation::Headers => match from_header(config, parts)? {
                Some((value, range, token)) => (Some(Cow::Borrowed(token)), Some((value, range))),
                None => (None, None),
            },
            TokenLocation::Cookies => {
                let name = match token_type {
                    TokenType::Access => &config.cookies.access_name,
                    TokenType::Refresh => &config.cookies.refresh_name,
                };
                match find_cookie_in(&parts.headers, name)? {
                    Some((value, range, token)) => {
                        (Some(Cow::Borrowed(token)), Some((value, range)))
                    }
                    None => (None, None),
                }
            }
            TokenLocation::Query => (from_query(config, parts)?, None),
            TokenLocation::Json => {
                let field = parts
                    .extensions
                    .get::<BodyFields>()
                    .map(|b| match token_type {
                        TokenType::Access => &b.json_access,
                        TokenType::Refresh => &b.json_refresh,
                    });
                // The key given twice with different values: refused, like a query parameter.
                let body = match field.map(BodyValue::get).transpose() {
                    Ok(found) => found.flatten(),
                    Err(_) => return Err(InvalidReason::Conflicting.into()),
                };
                (body.map(Cow::Borrowed), None)
            }
        };
        if let Some(token) = found.filter(|t| !t.is_empty()) {
            return Ok(Some(Located {
                token,
                location,
                carrier,
            }));
        }
    }
    Ok(None)
}

/// `Authorization: Bearer <token>`; the scheme is matched case-insensitively.
///
/// The header is a singleton (RFC 9110 11.6.2: one credential, not a list), so a request
/// with two of them is refused whatever their values, and so is one value holding a list
/// of credentials (`Bearer a, Bearer b`, what a proxy folding two headers into one makes):
/// the library never guesses which one was meant. The credential must be one token68
/// (RFC 9110 11.4): whitespace inside it (`Bearer Bearer x`) or a byte outside visible
/// ASCII makes the token malformed, not absent. A value with another scheme is no token.
fn from_header<'a>(config: &Config, parts: &'a Parts) -> Result<Option<Cut<'a>>, AuthError> {
    let mut headers = parts.headers.get_all(&config.header_name).iter();
    let Some(header) = headers.next() else {
        return Ok(None);
    };
    if headers.next().is_some() {
        return Err(InvalidReason::Conflicting.into());
    }
    let value = header.as_bytes();
    // Where the credential starts: after the scheme and its space.
    let mut start = 0;
    let credential = if config.header_type.is_empty() {
        value
    } else {
        let scheme = config.header_type.as_bytes();
        match value
            .get(..scheme.len())
            .filter(|s| s.eq_ignore_ascii_case(scheme))
            .and_then(|_| value[scheme.len()..].strip_prefix(b" "))
        {
            Some(rest) => {
                start = scheme.len() + 1;
                rest
            }
            None => return Ok(None),
        }
    };
    let trimmed = credential.trim_ascii_start();
    start += credential.len() - trimmed.len();
    let credential = trimmed.trim_ascii_end();
    if credential.contains(&b',') {
        return Err(InvalidReason::Conflicting.into());
    }
    if !credential.iter().all(|b| b.is_ascii_graphic()) {
        return Err(InvalidReason::Malformed.into());
    }
    // Visible ASCII only: always UTF-8.
    let token = std::str::from_utf8(credential).map_err(|_| InvalidReason::Malformed)?;
    Ok(Some((header, start..start + token.len(), token)))
}

fn from_query<'a>(config: &Config, parts: &'a Parts) -> Result<Option<Cow<'a, str>>, AuthError> {
    let Some(query) = parts.uri.query() else {
        return Ok(None);
    };
    let mut found: Option<Cow<'a, str>> = None;
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == config.query_string_name.as_str() {
            match &found {
                Some(prev) if *prev != v => return Err(InvalidReason::Conflicting.into()),
                _ => found = Some(v),
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(locations: &[TokenLocation]) -> Config {
        Config::builder()
            .secret([1u8; 32])
            .token_location(locations.iter().copied())
            .build()
            .unwrap()
    }

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn header_scheme_is_case_insensitive() {
        let c = config(&[TokenLocation::Headers]);
        for h in ["Bearer abc", "bearer abc", "BEARER abc"] {
            let p = parts("/", &[("authorization", h)]);
            let l = locate(&c, &p, TokenType::Access, &c.locations)
                .unwrap()
                .unwrap();
            assert_eq!(l.token, "abc");
        }
        for h in ["Basic abc", "Bearerabc", "Bearer"] {
            let p = parts("/", &[("authorization", h)]);
            assert_eq!(
                locate(&c, &p, TokenType::Access, &c.locations).unwrap(),
                None,
                "{h}"
            );
        }
    }

    #[test]
    fn order_decides_and_conflicts_are_refused() {
        let c = config(&[TokenLocation::Query, TokenLocation::Headers]);
        let p = parts("/?token=q", &[("authorization", "Bearer h")]);
        let l = locate(&c, &p, TokenType::Access, &c.locations)
            .unwrap()
            .unwrap();
        assert_eq!((l.token.as_ref(), l.location), ("q", TokenLocation::Query));
        let l = locate(&c, &p, TokenType::Access, &[TokenLocation::Headers])
            .unwrap()
            .unwrap();
        assert_eq!(l.location, TokenLocation::Headers);
        let p = parts("/?token=a&token=b", &[]);
        assert!(locate(&c, &p, TokenType::Access, &c.locations).is_err());
        let p = parts(
            "/",
            &[("authorization", "Bearer a"), ("authorization", "Bearer b")],
        );
        assert!(locate(&c, &p, TokenType::Access, &c.locations).is_err());
    }

    /// One Authorization header holding one credential; anything else is refused, never
    /// resolved by order.
    #[test]
    fn the_authorization_header_holds_one_credential() {
        let c = config(&[TokenLocation::Headers, TokenLocation::Query]);
        let found = |headers: &[(&str, &str)]| {
            let p = parts("/?token=q", headers);
            locate(&c, &p, TokenType::Access, &c.locations)
                .map(|l| l.map(|l| (l.token.into_owned(), l.location)))
        };
        let conflicting = Err(AuthError::from(InvalidReason::Conflicting));
        let malformed = Err(AuthError::from(InvalidReason::Malformed));
        for (headers, expected) in [
            (
                &[("authorization", "Bearer a"), ("authorization", "Bearer a")][..],
                conflicting.clone(),
            ),
            (
                &[("authorization", "Bearer a"), ("authorization", "Bearer b")],
                conflicting.clone(),
            ),
            (
                &[
                    ("authorization", "Basic eDp5"),
                    ("authorization", "Bearer a"),
                ],
                conflicting.clone(),
            ),
            (
                &[("authorization", "Bearer a"), ("authorization", "")],
                conflicting.clone(),
            ),
            (
                &[("authorization", "Bearer a, Bearer b")],
                conflicting.clone(),
            ),
            (&[("authorization", "Bearer a,b")], conflicting.clone()),
            (&[("authorization", "Bearer a,")], conflicting),
            (&[("authorization", "Bearer Bearer a")], malformed.clone()),
            (&[("authorization", "Bearer a b")], malformed.clone()),
            (&[("authorization", "Bearer a\tb")], malformed),
            (
                &[("authorization", "  Bearer a")],
                Ok(Some(("q".to_owned(), TokenLocation::Query))),
            ),
            (
                &[("authorization", "Basic eDp5")],
                Ok(Some(("q".to_owned(), TokenLocation::Query))),
            ),
            (
                &[("authorization", "Bearer  a ")],
                Ok(Some(("a".to_owned(), TokenLocation::Headers))),
            ),
        ] {
            assert_eq!(found(headers), expected, "{headers:?}");
        }
        let mut p = parts("/", &[]);
        p.headers.append(
            "authorization",
            HeaderValue::from_bytes(b"Bearer a\xe9b").unwrap(),
        );
        assert_eq!(
            locate(&c, &p, TokenType::Access, &c.locations),
            Err(InvalidReason::Malformed.into())
        );
        // With no scheme configured the whole value is the credential.
        let bare = Config::builder()
            .secret([1u8; 32])
            .header_type("")
            .build()
            .unwrap();
        for (value, ok) in [("abc", true), ("abc, def", false), ("Bearer abc", false)] {
            let p = parts("/", &[("authorization", value)]);
            let l = locate(&bare, &p, TokenType::Access, &bare.locations);
            assert_eq!(l.is_ok(), ok, "{value}");
        }
    }

    #[test]
    fn repeated_query_parameters_and_json_keys_agree_or_conflict() {
        let c = config(&[TokenLocation::Query, TokenLocation::Json]);
        let p = parts("/?token=a&token=a", &[]);
        let l = locate(&c, &p, TokenType::Access, &c.locations)
            .unwrap()
            .unwrap();
        assert_eq!(l.token, "a");
        for uri in [
            "/?token=a&token=b",
            "/?token=a&token=",
            "/?token=a&%74oken=b",
        ] {
            let p = parts(uri, &[]);
            assert_eq!(
                locate(&c, &p, TokenType::Access, &c.locations),
                Err(InvalidReason::Conflicting.into()),
                "{uri}"
            );
        }
        let mut p = parts("/", &[]);
        p.extensions.insert(BodyFields {
            json_access: BodyValue::Conflicting,
            json_refresh: BodyValue::One("r".into()),
            ..BodyFields::default()
        });
        assert_eq!(
            locate(&c, &p, TokenType::Access, &c.locations),
            Err(InvalidReason::Conflicting.into())
        );
        let l = locate(&c, &p, TokenType::Refresh, &c.locations)
            .unwrap()
            .unwrap();
        assert_eq!((l.token.as_ref(), l.location), ("r", TokenLocation::Json));
    }

    #[test]
    fn json_body_fields_come_from_the_extension() {
        let c = config(&[TokenLocation::Json]);
        let mut p = parts("/", &[]);
        p.extensions.insert(BodyFields {
            json_refresh: BodyValue::One("r".into()),
            ..BodyFields::default()
        });
        assert_eq!(
            locate(&c, &p, TokenType::Access, &c.locations).unwrap(),
            None
        );
        let l = locate(&c, &p, TokenType::Refresh, &c.locations)
            .unwrap()
            .unwrap();
        assert_eq!(l.token, "r");
    }
}
