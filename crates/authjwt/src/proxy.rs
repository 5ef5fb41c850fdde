//! Behind a reverse proxy: which proxies may name the public host to the cross-site check.
//!
//! The Origin check compares the browser's `Origin` with the host the request was sent to.
//! A proxy that forwards the browser's `Host` (nginx `proxy_set_header Host $http_host`,
//! Caddy by default) needs nothing here. A proxy that rewrites `Host` (nginx's plain
//! `proxy_pass`, TLS terminators pointing at an internal name) makes every same-origin POST
//! look cross-site; it can instead name the public host in `X-Forwarded-Host` (and the
//! public scheme in `X-Forwarded-Proto`), which the check believes **only** when the
//! request's peer address is one of the proxies listed with
//! [`ConfigBuilder::trust_forwarded_host_from`](crate::ConfigBuilder::trust_forwarded_host_from).
//! Anyone else can send those headers too, so they are ignored by default, from any other
//! peer, and when the peer address is unknown.
//!
//! The adapters provide the peer address: axum from `ConnectInfo<SocketAddr>` (serve with
//! `into_make_service_with_connect_info::<SocketAddr>()`), actix-web from
//! `HttpRequest::peer_addr` (the socket's address, never a header). Code calling
//! [`Auth::check_origin`](crate::Auth::check_origin) itself inserts a [`PeerAddr`] into the
//! request's extensions.
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use authjwt::{Auth, AuthError, Config, proxy::PeerAddr};
//!
//! let auth = Auth::new(Config::builder()
//!     .secret(b"an example secret of at least 32 bytes!")
//!     .trust_forwarded_host_from([Ipv4Addr::LOCALHOST])
//!     .build()?);
//! // nginx on the same machine rewrote Host and named the public host.
//! let from = |peer: IpAddr| {
//!     let (mut parts, ()) = http::Request::post("/login")
//!         .header("host", "127.0.0.1:8000")
//!         .header("x-forwarded-host", "app.example.com")
//!         .header("x-forwarded-proto", "https")
//!         .header("origin", "https://app.example.com")
//!         .body(()).unwrap().into_parts();
//!     parts.extensions.insert(PeerAddr(peer));
//!     parts
//! };
//! assert!(auth.check_origin(&from(Ipv4Addr::LOCALHOST.into())).is_ok());
//! // The same headers from any other peer are ignored: Host is compared, and differs.
//! let spoofed = auth.check_origin(&from(Ipv4Addr::new(203, 0, 113, 7).into()));
//! assert_eq!(spoofed, Err(AuthError::CrossSiteRequest));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use http::request::Parts;
use http::{HeaderMap, HeaderName};

/// A proxy whose `X-Forwarded-Host` and `X-Forwarded-Proto` the cross-site check believes:
/// one address, or a network in CIDR notation.
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// use authjwt::proxy::TrustedProxy;
///
/// let one = TrustedProxy::from(Ipv4Addr::LOCALHOST);
/// let net: TrustedProxy = "10.0.0.0/8".parse()?;
/// assert!(net.contains(IpAddr::from([10, 1, 2, 3])));
/// assert!(!net.contains(IpAddr::from([11, 0, 0, 1])));
/// // An IPv4 peer on a dual-stack socket (::ffff:127.0.0.1) is that IPv4 address.
/// assert!(one.contains("::ffff:127.0.0.1".parse()?));
/// assert!("10.0.0.1/8".parse::<TrustedProxy>().is_err()); // host bits set: say /32
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

/// Why a [`TrustedProxy`] could not be made.
///
/// ```
/// use authjwt::proxy::{InvalidProxy, TrustedProxy};
/// let err = "proxy.internal".parse::<TrustedProxy>().unwrap_err();
/// assert!(matches!(err, InvalidProxy::Address(_)));
/// assert!(err.to_string().contains("10.0.0.0/8"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidProxy {
    /// Not an IP address or `address/prefix` (host names are not resolved).
    #[error("{0:?} is not an IP address or a network like 10.0.0.0/8 or fd00::/8")]
    Address(String),
    /// The prefix is longer than the address (32 bits for IPv4, 128 for IPv6).
    #[error("the prefix /{prefix} is longer than the {bits} bits of {network}")]
    PrefixTooLong {
        /// The network address.
        network: IpAddr,
        /// The prefix given.
        prefix: u8,
        /// The bits of the address family.
        bits: u8,
    },
    /// The address has bits set beyond its prefix (`10.0.0.1/8`): write the network
    /// (`10.0.0.0/8`) or the single address (`10.0.0.1`, `/32`).
    #[error("{network}/{prefix} has bits set beyond its prefix: write the network address")]
    HostBits {
        /// The address given.
        network: IpAddr,
        /// The prefix given.
        prefix: u8,
    },
}

impl TrustedProxy {
    /// The network `network/prefix` (`prefix` bits of the address are the network).
    ///
    /// ```
    /// use std::net::Ipv6Addr;
    /// use authjwt::proxy::TrustedProxy;
    /// let net = TrustedProxy::network("fd00::".parse::<Ipv6Addr>()?.into(), 8)?;
    /// assert!(net.contains("fd12::1".parse()?));
    /// assert!(TrustedProxy::network("10.0.0.0".parse()?, 33).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn network(network: IpAddr, prefix: u8) -> Result<Self, InvalidProxy> {
        let network = network.to_canonical();
        let bits = bits_of(network);
        if prefix > bits {
            return Err(InvalidProxy::PrefixTooLong {
                network,
                prefix,
                bits,
            });
        }
        if masked(network, prefix) != network {
            return Err(InvalidProxy::HostBits { network, prefix });
        }
        Ok(Self { network, prefix })
    }

    /// Whether `peer` is this proxy (or in this network). IPv4-mapped IPv6 addresses
    /// (`::ffff:a.b.c.d`, what a dual-stack socket reports for an IPv4 peer) are compared
    /// as the IPv4 address they carry.
    ///
    /// ```
    /// use std::net::Ipv6Addr;
    /// use authjwt::proxy::TrustedProxy;
    /// assert!(TrustedProxy::from(Ipv6Addr::LOCALHOST).contains("::1".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contains(&self, peer: IpAddr) -> bool {
        let peer = peer.to_canonical();
        peer.is_ipv4() == self.network.is_ipv4() && masked(peer, self.prefix) == self.network
    }
}

fn bits_of(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

/// `ip` with every bit after the first `prefix` cleared.
fn masked(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

impl From<IpAddr> for TrustedProxy {
    fn from(ip: IpAddr) -> Self {
        let network = ip.to_canonical();
        Self {
            network,
            prefix: bits_of(network),
        }
    }
}

impl From<Ipv4Addr> for TrustedProxy {
    fn from(ip: Ipv4Addr) -> Self {
        IpAddr::V4(ip).into()
    }
}

impl From<Ipv6Addr> for TrustedProxy {
    fn from(ip: Ipv6Addr) -> Self {
        IpAddr::V6(ip).into()
    }
}

impl FromStr for TrustedProxy {
    type Err = InvalidProxy;

    /// `127.0.0.1`, `::1`, `10.0.0.0/8`, `fd00::/8`.
    fn from_str(s: &str) -> Result<Self, InvalidProxy> {
        let invalid = || InvalidProxy::Address(s.to_owned());
        match s.split_once('/') {
            None => s.parse::<IpAddr>().map(Self::from).map_err(|_| invalid()),
            Some((addr, prefix)) => {
                let addr = addr.parse::<IpAddr>().map_err(|_| invalid())?;
                // Digits only: `u8::from_str` would also take a leading `+`.
                if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid());
                }
                let prefix = prefix.parse::<u8>().map_err(|_| invalid())?;
                Self::network(addr, prefix)
            }
        }
    }
}

impl fmt::Display for TrustedProxy {
    /// `10.0.0.0/8`, or the bare address for a single one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix == bits_of(self.network) {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

/// The address of the peer that sent a request (the other end of the TCP connection), as a
/// request extension. The adapters insert it; the cross-site check reads it to decide
/// whether the request came from a [`TrustedProxy`].
///
/// ```
/// use std::net::Ipv4Addr;
/// use authjwt::proxy::PeerAddr;
/// let mut req = http::Request::post("/login").body(())?;
/// req.extensions_mut().insert(PeerAddr(Ipv4Addr::LOCALHOST.into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerAddr(pub IpAddr);

static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// Where the host the Origin is compared with came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostSource {
    HostHeader,
    RequestUri,
    /// `X-Forwarded-Host` from this trusted proxy.
    Forwarded(IpAddr),
    /// No host at all: nothing matches.
    Unknown,
}

impl fmt::Display for HostSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HostHeader => f.write_str("Host"),
            Self::RequestUri => f.write_str("the request URI"),
            Self::Forwarded(proxy) => write!(f, "X-Forwarded-Host from proxy {proxy}"),
            Self::Unknown => f.write_str("none"),
        }
    }
}

/// The origin a request was sent to, as far as the server can tell: the host (with its
/// port, as in `Origin`) and, when a trusted proxy said so, the scheme.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub(crate) host: Option<&'a [u8]>,
    pub(crate) scheme: Option<&'static str>,
    pub(crate) source: HostSource,
}

/// The forwarded headers of a trusted proxy could not be used; the request is refused
/// rather than compared with the proxy's own view of the host.
pub(crate) type Refusal = &'static str;

/// The origin `parts` was sent to: `X-Forwarded-Host` / `X-Forwarded-Proto` when the peer
/// is a trusted proxy, else the `Host` header (or the URI's authority, in HTTP/2).
pub(crate) fn target<'a>(
    trusted_proxies: &[TrustedProxy],
    parts: &'a Parts,
) -> Result<Target<'a>, Refusal> {
    let peer = parts.extensions.get::<PeerAddr>().map(|p| p.0);
    let direct = || match parts.headers.get(http::header::HOST) {
        Some(h) => (Some(h.as_bytes()), HostSource::HostHeader),
        None => match parts.uri.authority() {
            Some(a) => (Some(a.as_str().as_bytes()), HostSource::RequestUri),
            None => (None, HostSource::Unknown),
        },
    };
    let proxy = peer.filter(|ip| trusted_proxies.iter().any(|p| p.contains(*ip)));
    let Some(proxy) = proxy else {
        let (host, source) = direct();
        return Ok(Target {
            host,
            scheme: None,
            source,
        });
    };
    let scheme = match single(&parts.headers, &X_FORWARDED_PROTO)? {
        None => None,
        Some(v) if v.eq_ignore_ascii_case(b"https") => Some("https"),
        Some(v) if v.eq_ignore_ascii_case(b"http") => Some("http"),
        Some(_) => return Err("X-Forwarded-Proto is neither http nor https"),
    };
    let Some(host) = single(&parts.headers, &X_FORWARDED_HOST)? else {
        let (host, source) = direct();
        return Ok(Target {
            host,
            scheme,
            source,
        });
    };
    if !is_host_and_port(host) {
        return Err("X-Forwarded-Host is not a host[:port]");
    }
    // Origin leaves the scheme's default port out.
    let host = match scheme {
        Some("https") => host.strip_suffix(b":443").unwrap_or(host),
        Some("http") => host.strip_suffix(b":80").unwrap_or(host),
        _ => host,
    };
    Ok(Target {
        host: Some(host),
        scheme,
        source: HostSource::Forwarded(proxy),
    })
}

/// The one value of a forwarded header. A repeated header or a comma-separated list means
/// that some hop appended instead of replacing, so a value may come from the client: the
/// request is refused rather than guessing which one the proxy wrote.
fn single<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Result<Option<&'a [u8]>, Refusal> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() || first.as_bytes().contains(&b',') {
        return Err(if *name == X_FORWARDED_HOST {
            "X-Forwarded-Host has more than one value"
        } else {
            "X-Forwarded-Proto has more than one value"
        });
    }
    Ok(Some(first.as_bytes()))
}

/// `host[:port]` as in a `Host` header: a DNS name or IPv4 address (letters, digits, `-`,
/// `.`, `_`), or an IPv6 literal in brackets; an optional port of 1 to 5 digits up to 65535.
/// Nothing else: no userinfo, path, space or percent-encoding.
pub(crate) fn is_host_and_port(v: &[u8]) -> bool {
    let (host, port) = if let Some(rest) = v.strip_prefix(b"[") {
        let Some(end) = rest.iter().position(|&b| b == b']') else {
            return false;
        };
        let literal = std::str::from_utf8(&rest[..end]).ok();
        if literal.and_then(|l| l.parse::<Ipv6Addr>().ok()).is_none() {
            return false;
        }
        match &rest[end + 1..] {
            [] => (None, None),
            [b':', port @ ..] => (None, Some(port)),
            _ => return false,
        }
    } else {
        match v.iter().position(|&b| b == b':') {
            Some(i) => (Some(&v[..i]), Some(&v[i + 1..])),
            None => (Some(v), None),
        }
    };
    let host_ok = host.is_none_or(|h| {
        !h.is_empty()
            && h.len() <= 253
            && h.iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    });
    let port_ok = port.is_none_or(|p| {
        (1..=5).contains(&p.len())
            && p.iter().all(u8::is_ascii_digit)
            && std::str::from_utf8(p)
                .ok()
                .and_then(|p| p.parse::<u16>().ok())
                .is_some_and(|p| p > 0)
    });
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_parse_and_match() {
        let cases: &[(&str, &str, bool)] = &[
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("127.0.0.1", "::ffff:127.0.0.1", true),
            ("10.0.0.0/8", "10.255.0.1", true),
            ("10.0.0.0/8", "9.255.255.255", false),
            ("0.0.0.0/0", "203.0.113.9", true),
            ("0.0.0.0/0", "::1", false),
            ("::1", "::1", true),
            ("fd00::/8", "fdff::1", true),
            ("fd00::/8", "fe80::1", false),
            ("::/0", "2001:db8::1", true),
        ];
        for (proxy, peer, expected) in cases {
            let p: TrustedProxy = proxy.parse().unwrap();
            assert_eq!(
                p.contains(peer.parse().unwrap()),
                *expected,
                "{proxy} {peer}"
            );
            assert_eq!(p.to_string(), *proxy);
        }
        for bad in [
            "",
            "localhost",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/33",
            "10.0.0.1/8",
            "::1/129",
            "10.0.0.0/8/8",
            " 10.0.0.1",
        ] {
            assert!(bad.parse::<TrustedProxy>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn forwarded_hosts_are_validated() {
        for ok in [
            "app.example",
            "app.example:8443",
            "127.0.0.1:8080",
            "[::1]",
            "[::1]:8443",
            "under_score.example",
            "a:65535",
        ] {
            assert!(is_host_and_port(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            ":443",
            "app.example:",
            "app.example:0",
            "app.example:65536",
            "app.example:+443",
            "app.example:123456",
            "app.example/path",
            "user@app.example",
            "app example",
            "app.example:443:1",
            "[::1",
            "[not-ipv6]",
            "[::1]x",
            "app%2eexample",
            "app.example\\",
        ] {
            assert!(!is_host_and_port(bad.as_bytes()), "{bad:?}");
        }
        let long = "a".repeat(254);
        assert!(!is_host_and_port(long.as_bytes()));
    }
}
