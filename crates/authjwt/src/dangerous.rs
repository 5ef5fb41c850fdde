//! ⚠️ Entry points that skip checks on purpose, for test vectors, fuzzing and benchmarks of
//! single steps. Named and quarantined like `jsonwebtoken::dangerous`: nothing here is how an
//! application authenticates a request. Applications use [`Auth::verify_token`](crate::Auth::verify_token)
//! and [`Auth::authenticate`](crate::Auth::authenticate).

use std::borrow::Cow;

use http::HeaderMap;
use http::request::Parts;

use crate::claims::TokenType;
use crate::config::{Config, TokenLocation};
use crate::error::AuthError;

/// ⚠️ The signature half of verification only: the same code path as
/// [`Auth::verify_token`](crate::Auth::verify_token) up to and including the signature
/// (length, three strict base64url segments, header read strictly: repeated members,
/// registered parameters of the wrong JSON type, `crit` and parameters that change how the
/// payload is read refused, `alg` allowed and pinned by the key its `kid` selects), then the
/// decoded payload bytes, unparsed. Expiry, issuer, audience, type, CSRF and revocation are
/// **not** checked. For test vectors and fuzzing whose payloads are not this library's
/// claims.
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let token = auth.create_access_token("user1")?;
/// let payload = authjwt::dangerous::verify_signature_only(auth.config(), token.as_str())?;
/// let claims: serde_json::Value = serde_json::from_slice(&payload)?;
/// assert_eq!(claims["sub"], "user1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_signature_only(config: &Config, token: &str) -> Result<Vec<u8>, AuthError> {
    config.verify_signature(token, <[u8]>::to_vec)
}

/// ⚠️ Finding a token in a request without verifying it: the token text and where it was
/// found, tried in the order of `locations`. For fuzzing the request parsing.
///
/// ```
/// use authjwt::{TokenLocation, claims::TokenType};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let (parts, _) = http::Request::get("/?token=abc").body(())?.into_parts();
/// let found = authjwt::dangerous::locate_unverified(
///     auth.config(), &parts, TokenType::Access, &[TokenLocation::Query])?;
/// let (token, location) = found.unwrap();
/// assert_eq!((token.as_ref(), location), ("abc", TokenLocation::Query));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn locate_unverified<'a>(
    config: &Config,
    parts: &'a Parts,
    token_type: TokenType,
    locations: &[TokenLocation],
) -> Result<Option<(Cow<'a, str>, TokenLocation)>, AuthError> {
    crate::locate::locate(config, parts, token_type, locations)
        .map(|found| found.map(|found| (found.token, found.location)))
}

/// ⚠️ Reading one cookie from the `Cookie` headers, byte-exact names, two different values
/// refused. For fuzzing the Cookie header parser.
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// let mut headers = HeaderMap::new();
/// headers.insert("cookie", HeaderValue::from_static("a=1; __Host-b=2; __host-b=3"));
/// assert_eq!(authjwt::dangerous::find_cookie(&headers, "__Host-b")?, Some("2"));
/// # Ok::<(), authjwt::AuthError>(())
/// ```
pub fn find_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, AuthError> {
    crate::cookie_header::find_cookie(headers, name)
}
