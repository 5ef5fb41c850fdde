//! Origins from the environment (`TRUSTED_ORIGINS`, `CORS_ALLOWED_ORIGINS`): each is checked
//! to be a web origin (`scheme://host[:port]`, nothing else) and written the way browsers
//! send it in the `Origin` header, so the byte comparisons downstream match.

use std::fmt;

/// Why a value is not an origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginError {
    /// Nothing between two commas.
    Empty,
    /// `*` or any other wildcard: credentials can never be allowed for every origin.
    Wildcard,
    /// No `scheme://`, or a scheme other than `http` and `https`.
    Scheme,
    /// A path (even a lone `/`), query or fragment after the host.
    Path,
    /// `user@` before the host.
    UserInfo,
    /// An empty host, or one with characters a host cannot have (use punycode for
    /// international names).
    Host,
    /// A port that is not a number from 1 to 65535.
    Port,
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "an empty entry",
            Self::Wildcard => "wildcards are not allowed",
            Self::Scheme => "the scheme must be http:// or https://",
            Self::Path => "an origin has no path, query or fragment, not even a trailing /",
            Self::UserInfo => "an origin has no user@ part",
            Self::Host => "the host is empty or not a valid ASCII host name (use punycode)",
            Self::Port => "the port must be a number from 1 to 65535",
        })
    }
}

impl std::error::Error for OriginError {}

/// One origin, in the form browsers send: scheme and host in lowercase, the default port
/// (80 for http, 443 for https) left out.
///
/// ```
/// use authjwt_demo::origins::{OriginError, parse_origin};
/// assert_eq!(parse_origin(" HTTPS://App.Example.com:443 "), Ok("https://app.example.com".to_owned()));
/// assert_eq!(parse_origin("http://127.0.0.1:5173"), Ok("http://127.0.0.1:5173".to_owned()));
/// assert_eq!(parse_origin("https://app.example.com/"), Err(OriginError::Path));
/// assert_eq!(parse_origin("*"), Err(OriginError::Wildcard));
/// ```
pub fn parse_origin(value: &str) -> Result<String, OriginError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(OriginError::Empty);
    }
    if value.contains('*') {
        return Err(OriginError::Wildcard);
    }
    let (scheme, rest) = value.split_once("://").ok_or(OriginError::Scheme)?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(OriginError::Scheme),
    };
    if rest.contains(['/', '?', '#']) {
        return Err(OriginError::Path);
    }
    if rest.contains('@') {
        return Err(OriginError::UserInfo);
    }
    let (host, port) = split_port(rest)?;
    let host = host.to_ascii_lowercase();
    if !valid_host(&host) {
        return Err(OriginError::Host);
    }
    Ok(match port {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// A comma-separated list of origins, each through [`parse_origin`]; duplicates are kept
/// once. An empty value is an empty list.
///
/// ```
/// use authjwt_demo::origins::parse_origins;
/// let list = parse_origins("https://app.example.com, http://localhost:5173")?;
/// assert_eq!(list, ["https://app.example.com", "http://localhost:5173"]);
/// assert!(parse_origins("https://app.example.com,").is_err()); // an empty entry
/// # Ok::<(), (String, authjwt_demo::origins::OriginError)>(())
/// ```
pub fn parse_origins(value: &str) -> Result<Vec<String>, (String, OriginError)> {
    let mut origins: Vec<String> = Vec::new();
    if value.trim().is_empty() {
        return Ok(origins);
    }
    for entry in value.split(',') {
        let origin = parse_origin(entry).map_err(|e| (entry.trim().to_owned(), e))?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

/// `host[:port]`, with `[v6]` hosts kept whole.
fn split_port(authority: &str) -> Result<(&str, Option<u16>), OriginError> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']').ok_or(OriginError::Host)?;
        let (host, after) = authority.split_at(end + 1);
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(after.strip_prefix(':').ok_or(OriginError::Host)?),
            ),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            match p.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => return Err(OriginError::Port),
            }
        }
        Some(_) => return Err(OriginError::Port),
    };
    Ok((host, port))
}

/// A DNS name or IPv4 address (labels of letters, digits and `-`), or a bracketed IPv6
/// address.
fn valid_host(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_like_browsers_send_them() {
        for (input, expected) in [
            ("https://app.example.com", "https://app.example.com"),
            ("https://APP.example.COM", "https://app.example.com"),
            ("HTTP://localhost:80", "http://localhost"),
            ("http://localhost:443", "http://localhost:443"),
            ("https://a.example:8443", "https://a.example:8443"),
            ("http://[::1]:3000", "http://[::1]:3000"),
            (
                "https://xn--bcher-kva.example",
                "https://xn--bcher-kva.example",
            ),
        ] {
            assert_eq!(parse_origin(input).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn anything_but_an_origin_is_refused_with_its_reason() {
        for (input, reason) in [
            ("", OriginError::Empty),
            ("*", OriginError::Wildcard),
            ("https://*.example.com", OriginError::Wildcard),
            ("app.example.com", OriginError::Scheme),
            ("ftp://app.example.com", OriginError::Scheme),
            ("null", OriginError::Scheme),
            ("https://app.example.com/", OriginError::Path),
            ("https://app.example.com/app", OriginError::Path),
            ("https://app.example.com?x", OriginError::Path),
            ("https://app.example.com#x", OriginError::Path),
            ("https://me@app.example.com", OriginError::UserInfo),
            ("https://", OriginError::Host),
            ("https://app..example.com", OriginError::Host),
            ("https://-app.example.com", OriginError::Host),
            ("https://bücher.example", OriginError::Host),
            ("https://app example.com", OriginError::Host),
            ("http://[::1", OriginError::Host),
            ("http://[zz]", OriginError::Host),
            ("https://app.example.com:", OriginError::Port),
            ("https://app.example.com:0", OriginError::Port),
            ("https://app.example.com:65536", OriginError::Port),
            ("https://app.example.com:+80", OriginError::Port),
        ] {
            assert_eq!(parse_origin(input), Err(reason), "{input:?}");
        }
    }

    #[test]
    fn lists_are_split_on_commas_and_deduplicated() {
        assert_eq!(parse_origins("  "), Ok(vec![]));
        assert_eq!(
            parse_origins("https://a.example, https://A.example:443,http://b.example"),
            Ok(vec![
                "https://a.example".to_owned(),
                "http://b.example".to_owned()
            ])
        );
        assert_eq!(
            parse_origins("https://a.example,,https://b.example"),
            Err((String::new(), OriginError::Empty))
        );
        assert_eq!(
            parse_origins("https://a.example, https://b.example/x"),
            Err(("https://b.example/x".to_owned(), OriginError::Path))
        );
    }
}
