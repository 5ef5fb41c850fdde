//! Reading the incoming `Cookie` header: byte-exact names, conflicting values refused.

use std::ops::Range;

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};

use crate::error::{AuthError, InvalidReason};

/// A value cut from a header: the header, where in it, and the text.
pub(crate) type Cut<'a> = (&'a HeaderValue, Range<usize>, &'a str);

/// The value of the cookie `name` in the request's `Cookie` headers. Names match byte for
/// byte: a percent-encoded, padded or differently-cased name is another cookie, so `__Host-` prefixes
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
    Ok(find_cookie_in(headers, name)?.map(|(_, _, value)| value))
}

/// [`find_cookie`], also naming the `Cookie` header the value was found in and where in it.
pub(crate) fn find_cookie_in<'a>(
    headers: &'a HeaderMap,
    name: &str,
) -> Result<Option<Cut<'a>>, AuthError> {
    let name = name.as_bytes();
    // A cookie name never holds `=` (the first `=` of a pair ends it): such a name matches
    // nothing. Configured names are RFC 6265 tokens; this guards the fuzzing entry point.
    if name.contains(&b'=') {
        return Ok(None);
    }
    // The value found, with where it starts in its header (the range the guard keeps).
    let mut found: Option<(&'a HeaderValue, usize, &'a [u8])> = None;
    for header in headers.get_all(COOKIE) {
        let mut rest = header.as_bytes();
        let mut offset = 0;
        loop {
            // memchr finds the next `;` a vector at a time; the Cookie header of a logged-in
            // browser holds four cookies of a few hundred bytes.
            let (pair, next) = match memchr::memchr(b';', rest) {
                Some(end) => (&rest[..end], Some((end + 1, &rest[end + 1..]))),
                None => (rest, None),
            };
            // RFC 6265 5.4: pairs are separated by "; "; only that space is stripped.
            let (pair, start) = match pair.strip_prefix(b" ") {
                Some(stripped) => (stripped, offset + 1),
                None => (pair, offset),
            };
            if let Some(v) = pair
                .strip_prefix(name)
                .and_then(|after| after.strip_prefix(b"="))
            {
                match found {
                    Some((_, _, prev)) if prev != v => {
                        return Err(InvalidReason::Conflicting.into());
                    }
                    Some(_) => {}
                    None => found = Some((header, start + name.len() + 1, v)),
                }
            }
            match next {
                Some((skip, next)) => {
                    offset += skip;
                    rest = next;
                }
                None => break,
            }
        }
    }
    found
        .map(|(header, start, v)| match std::str::from_utf8(v) {
            Ok(text) => Ok((header, start..start + v.len(), text)),
            Err(_) => Err(InvalidReason::Malformed.into()),
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookie: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for c in cookie {
            h.append(COOKIE, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    #[test]
    fn the_range_is_where_the_value_stands_in_its_header() {
        let h = headers(&["x=1; a=first", "b=22;c=333;  d=4"]);
        for (name, value) in [("a", "first"), ("b", "22"), ("c", "333"), ("x", "1")] {
            let (header, range, text) = find_cookie_in(&h, name).unwrap().unwrap();
            assert_eq!(text, value);
            assert_eq!(&header.as_bytes()[range], value.as_bytes());
        }
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
}
