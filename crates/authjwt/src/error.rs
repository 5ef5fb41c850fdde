//! [`AuthError`]: every way a request can be refused, with its HTTP status, a stable
//! machine-readable code and a human message, plus the JSON body they render to.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};

/// Why a request was refused.
///
/// Each variant maps to one HTTP status ([`AuthError::status`]) and one stable code
/// ([`AuthError::code`]); the pair is what clients should branch on. Messages never contain
/// token contents, secrets or claim values.
///
/// | variant | status | code |
/// |---|---|---|
/// | [`MissingToken`](AuthError::MissingToken) | 401 | `missing_token` |
/// | [`InvalidToken`](AuthError::InvalidToken) | 401 | `invalid_token` |
/// | [`TokenExpired`](AuthError::TokenExpired) | 401 | `token_expired` |
/// | [`TokenNotYetValid`](AuthError::TokenNotYetValid) | 401 | `token_not_yet_valid` |
/// | [`InvalidClaims`](AuthError::InvalidClaims) | 401 | `invalid_claims` |
/// | [`WrongTokenType`](AuthError::WrongTokenType) | 401 | `wrong_token_type` |
/// | [`FreshTokenRequired`](AuthError::FreshTokenRequired) | 401 | `fresh_token_required` |
/// | [`CsrfMissing`](AuthError::CsrfMissing) | 401 | `csrf_missing` |
/// | [`CsrfMismatch`](AuthError::CsrfMismatch) | 401 | `csrf_mismatch` |
/// | [`CrossSiteRequest`](AuthError::CrossSiteRequest) | 403 | `cross_site_request` |
/// | [`TokenRevoked`](AuthError::TokenRevoked) | 401 | `token_revoked` |
/// | [`RefreshTokenReused`](AuthError::RefreshTokenReused) | 401 | `refresh_token_reused` |
/// | [`SessionExpired`](AuthError::SessionExpired) | 401 | `session_expired` |
/// | [`SessionNotFound`](AuthError::SessionNotFound) | 404 | `session_not_found` |
/// | [`RevocationUnavailable`](AuthError::RevocationUnavailable) | 503 | `revocation_unavailable` |
/// | [`UserNotFound`](AuthError::UserNotFound) | 401 | `user_not_found` |
/// | [`UserLookupUnavailable`](AuthError::UserLookupUnavailable) | 503 | `user_lookup_unavailable` |
/// | [`Misconfigured`](AuthError::Misconfigured) | 500 | `auth_misconfigured` |
///
/// ```
/// use authjwt::AuthError;
///
/// let err = AuthError::CsrfMissing;
/// assert_eq!(err.status(), http::StatusCode::UNAUTHORIZED);
/// assert_eq!(err.code(), "csrf_missing");
/// assert_eq!(
///     String::from_utf8(err.to_json().to_vec()).unwrap(),
///     r#"{"detail":"Missing CSRF token","code":"csrf_missing"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No token was found in any of the allowed locations.
    #[error("Missing token: no token was found in the allowed locations")]
    MissingToken,
    /// The token is malformed, its signature does not verify, its algorithm is not allowed,
    /// its `kid` is unknown, it is too long, or the request carries conflicting copies of it.
    #[error("Invalid token: {0}")]
    InvalidToken(InvalidReason),
    /// The token's `exp` is in the past (beyond the configured leeway).
    #[error("Token has expired")]
    TokenExpired,
    /// The token's `nbf` or `iat` is in the future (beyond the configured leeway).
    #[error("Token is not yet valid")]
    TokenNotYetValid,
    /// The token was issued by another issuer or for another audience, or lacks the custom
    /// claims the route reads.
    #[error("Invalid claims: wrong issuer or audience, or claims this route cannot read")]
    InvalidClaims,
    /// A refresh token where an access token was expected, or the reverse.
    #[error("Wrong token type: expected {expected} token")]
    WrongTokenType {
        /// The type the route requires.
        expected: crate::TokenType,
    },
    /// The route requires a fresh access token and this one is not fresh.
    #[error("Fresh token required")]
    FreshTokenRequired,
    /// A cookie-borne token on an unsafe method came without the CSRF header.
    #[error("Missing CSRF token")]
    CsrfMissing,
    /// The CSRF header does not match the token's `csrf` claim.
    #[error("CSRF token does not match")]
    CsrfMismatch,
    /// The Origin or Sec-Fetch-Site header shows the request came from another site.
    #[error("Cross-site request refused")]
    CrossSiteRequest,
    /// The token has been revoked (logout, rotation, or revoke-all).
    #[error("Token has been revoked")]
    TokenRevoked,
    /// A refresh token was presented again after the reuse window of its first rotation (or
    /// an older token of its chain was presented): the whole session has been ended. Distinct
    /// from [`AuthError::TokenRevoked`] so a client can tell "your session was ended because a
    /// token was replayed" from "your session had been ended".
    #[error("Refresh token reused: the session has been ended")]
    RefreshTokenReused,
    /// The session is past its absolute lifetime
    /// ([`ConfigBuilder::session_max_age`](crate::ConfigBuilder::session_max_age)): signing in
    /// again is the only way on. Also the answer for a token whose `exp` was capped to the
    /// session's end, rather than [`AuthError::TokenExpired`], so a client does not try to
    /// refresh.
    #[error("Session expired: sign in again")]
    SessionExpired,
    /// The session named does not exist, has ended, or belongs to another user (the three
    /// are not told apart, so an id cannot be probed).
    #[error("Session not found")]
    SessionNotFound,
    /// The revocation store cannot confirm the token is not revoked; the request fails closed.
    #[error("Revocation status unavailable; try again shortly")]
    RevocationUnavailable,
    /// The token is valid but its subject names no user: the application's
    /// [`UserLookup`](crate::user::UserLookup) found none (the user was deleted, or never existed).
    #[error("User not found: the token's subject is not a known user")]
    UserNotFound,
    /// The application's [`UserLookup`](crate::user::UserLookup) could not answer (its store is
    /// down); the request fails closed.
    #[error("User lookup unavailable; try again shortly")]
    UserLookupUnavailable,
    /// The application is wired wrongly (for example an extractor without its layer).
    /// The message names what is missing; it is a server bug, not a client error.
    #[error("Authentication is misconfigured: {0}")]
    Misconfigured(&'static str),
}

/// Why a token was found invalid. Part of [`AuthError::InvalidToken`]; each reason has a fixed
/// message that never includes token contents.
///
/// ```
/// use authjwt::{AuthError, claims::{NoCustomClaims, TokenType}, error::InvalidReason};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let err = auth.verify_token::<NoCustomClaims>("not-a-jwt", TokenType::Access).unwrap_err();
/// assert_eq!(err, AuthError::InvalidToken(InvalidReason::Malformed));
/// assert_eq!(err.to_string(), "Invalid token: malformed token");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidReason {
    /// Not three base64url segments, bad JSON, bad base64, or claims of the wrong type.
    Malformed,
    /// The signature does not verify.
    BadSignature,
    /// The header names an algorithm that is not configured (including `none`).
    AlgorithmNotAllowed,
    /// The header names a `kid` that is not a configured verification key.
    UnknownKey,
    /// The header carries a `crit` parameter, which this library does not understand, or a
    /// parameter that changes how the payload is read and is not implemented (`b64: false`,
    /// `zip`, `enc`, `cty`).
    CriticalHeader,
    /// The token is longer than the configured maximum.
    TooLong,
    /// The token has no `exp` claim and non-expiring tokens are not allowed.
    MissingExpiry,
    /// The request carries two different values for the token (two cookies of the same name,
    /// two query parameters or JSON body keys), two Authorization headers (even equal ones:
    /// it is a singleton header), or an Authorization header listing several credentials.
    Conflicting,
    /// Revocation is on and the token carries no `jti`.
    MissingJti,
}

impl InvalidReason {
    fn message(self) -> &'static str {
        match self {
            Self::Malformed => "malformed token",
            Self::BadSignature => "signature verification failed",
            Self::AlgorithmNotAllowed => "algorithm not allowed",
            Self::UnknownKey => "unknown key id",
            Self::CriticalHeader => "unsupported critical header",
            Self::TooLong => "token too long",
            Self::MissingExpiry => "token has no expiry",
            Self::Conflicting => {
                "the request carries conflicting values for the token or its cookie"
            }
            Self::MissingJti => "token has no jti",
        }
    }
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl AuthError {
    /// The HTTP status this error maps to.
    ///
    /// ```
    /// assert_eq!(authjwt::AuthError::CrossSiteRequest.status(), http::StatusCode::FORBIDDEN);
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            Self::CrossSiteRequest => StatusCode::FORBIDDEN,
            Self::SessionNotFound => StatusCode::NOT_FOUND,
            Self::RevocationUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::UserLookupUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Misconfigured(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The stable, machine-readable code of this error.
    ///
    /// ```
    /// assert_eq!(authjwt::AuthError::TokenExpired.code(), "token_expired");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingToken => "missing_token",
            Self::InvalidToken(_) => "invalid_token",
            Self::TokenExpired => "token_expired",
            Self::TokenNotYetValid => "token_not_yet_valid",
            Self::InvalidClaims => "invalid_claims",
            Self::WrongTokenType { .. } => "wrong_token_type",
            Self::FreshTokenRequired => "fresh_token_required",
            Self::CsrfMissing => "csrf_missing",
            Self::CsrfMismatch => "csrf_mismatch",
            Self::CrossSiteRequest => "cross_site_request",
            Self::TokenRevoked => "token_revoked",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::SessionExpired => "session_expired",
            Self::SessionNotFound => "session_not_found",
            Self::RevocationUnavailable => "revocation_unavailable",
            Self::UserNotFound => "user_not_found",
            Self::UserLookupUnavailable => "user_lookup_unavailable",
            Self::Misconfigured(_) => "auth_misconfigured",
        }
    }

    /// The JSON body `{"detail": <message>, "code": <code>}`.
    ///
    /// ```
    /// let body = authjwt::AuthError::MissingToken.to_json();
    /// let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    /// assert_eq!(v["code"], "missing_token");
    /// ```
    pub fn to_json(&self) -> Bytes {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            detail: &'a str,
            code: &'a str,
        }
        let detail = self.to_string();
        let body = Body {
            detail: &detail,
            code: self.code(),
        };
        // Serializing two strings cannot fail.
        Bytes::from(serde_json::to_vec(&body).unwrap_or_default())
    }

    /// Emits the debug-level tracing event for this rejection (target `authjwt::rejection`).
    /// Only the code is recorded: never the token, a claim or a secret. A cross-site refusal
    /// was already traced where it was decided, with the headers compared.
    pub(crate) fn trace(&self) {
        if *self != Self::CrossSiteRequest {
            tracing::debug!(target: "authjwt::rejection", code = self.code(), "request rejected");
        }
    }

    /// Renders this error with the default JSON responder.
    ///
    /// ```
    /// let resp = authjwt::AuthError::TokenRevoked.to_response();
    /// assert_eq!(resp.status(), 401);
    /// assert_eq!(resp.headers()["content-type"], "application/json");
    /// ```
    pub fn to_response(&self) -> http::Response<Bytes> {
        JsonResponder.respond(self)
    }
}

impl From<InvalidReason> for AuthError {
    fn from(reason: InvalidReason) -> Self {
        AuthError::InvalidToken(reason)
    }
}

/// Turns an [`AuthError`] into the HTTP response a client sees.
///
/// The default, [`JsonResponder`], renders `{"detail", "code"}` as JSON. Install your own with
/// [`ConfigBuilder::responder`](crate::ConfigBuilder::responder) to render HTML, redirect to a
/// login page, or use another body shape; the adapters use it for every rejection.
///
/// ```
/// use authjwt::{AuthError, error::ErrorResponder};
/// use bytes::Bytes;
///
/// #[derive(Debug)]
/// struct PlainText;
///
/// impl ErrorResponder for PlainText {
///     fn respond(&self, err: &AuthError) -> http::Response<Bytes> {
///         let mut resp = http::Response::new(Bytes::from(err.code()));
///         *resp.status_mut() = err.status();
///         resp
///     }
/// }
///
/// let resp = PlainText.respond(&AuthError::MissingToken);
/// assert_eq!(resp.body().as_ref(), b"missing_token");
/// ```
pub trait ErrorResponder: fmt::Debug + Send + Sync + 'static {
    /// Builds the response for `err`.
    fn respond(&self, err: &AuthError) -> http::Response<Bytes>;
}

/// The default responder: `{"detail": ..., "code": ...}` with `Content-Type: application/json`
/// and, for 401, a `WWW-Authenticate: Bearer` header.
///
/// ```
/// use authjwt::{AuthError, error::{ErrorResponder, JsonResponder}};
/// let resp = JsonResponder.respond(&AuthError::CsrfMismatch);
/// assert_eq!(resp.status(), 401);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonResponder;

impl ErrorResponder for JsonResponder {
    fn respond(&self, err: &AuthError) -> http::Response<Bytes> {
        let mut resp = http::Response::new(err.to_json());
        *resp.status_mut() = err.status();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if err.status() == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// An [`AuthError`] together with the responder that renders it; what the framework adapters
/// return as their rejection type so that a custom responder is honoured everywhere.
///
/// ```
/// use authjwt::{AuthError, error::AuthRejection};
/// let rejection = AuthRejection::new(AuthError::MissingToken);
/// assert_eq!(rejection.error().code(), "missing_token");
/// assert_eq!(rejection.into_http_response().status(), 401);
/// ```
#[derive(Debug, Clone)]
pub struct AuthRejection {
    error: AuthError,
    responder: Option<Arc<dyn ErrorResponder>>,
}

impl AuthRejection {
    /// Wraps an error to be rendered by the default [`JsonResponder`].
    ///
    /// ```
    /// use authjwt::{AuthError, error::AuthRejection};
    /// let rejection = AuthRejection::new(AuthError::CsrfMismatch);
    /// let resp = rejection.into_http_response(); // rendered by the default JsonResponder
    /// assert_eq!(resp.status(), 401);
    /// assert_eq!(resp.headers()["content-type"], "application/json");
    /// ```
    pub fn new(error: AuthError) -> Self {
        Self {
            error,
            responder: None,
        }
    }

    pub(crate) fn with_responder(error: AuthError, responder: Arc<dyn ErrorResponder>) -> Self {
        Self {
            error,
            responder: Some(responder),
        }
    }

    /// The underlying error.
    ///
    /// ```
    /// use authjwt::{AuthError, error::AuthRejection};
    /// let rejection = AuthRejection::new(AuthError::TokenExpired);
    /// assert_eq!(rejection.error(), &AuthError::TokenExpired);
    /// assert_eq!(rejection.to_string(), "Token has expired");
    /// ```
    pub fn error(&self) -> &AuthError {
        &self.error
    }

    /// Consumes the rejection, returning the underlying error.
    ///
    /// ```
    /// use authjwt::{AuthError, error::AuthRejection};
    /// let rejection = AuthRejection::new(AuthError::TokenRevoked);
    /// let err: AuthError = rejection.into_error();
    /// assert_eq!(err.code(), "token_revoked");
    /// ```
    pub fn into_error(self) -> AuthError {
        self.error
    }

    /// Renders the rejection with its responder.
    ///
    /// ```
    /// use authjwt::{AuthError, error::AuthRejection};
    /// let resp = AuthRejection::new(AuthError::CrossSiteRequest).into_http_response();
    /// assert_eq!(resp.status(), 403);
    /// let body: serde_json::Value = serde_json::from_slice(resp.body())?;
    /// assert_eq!(body["code"], "cross_site_request");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_http_response(self) -> http::Response<Bytes> {
        match &self.responder {
            Some(r) => r.respond(&self.error),
            None => JsonResponder.respond(&self.error),
        }
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for AuthRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<AuthError> for AuthRejection {
    fn from(error: AuthError) -> Self {
        Self::new(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_json_body_with_its_code() {
        let all = [
            AuthError::MissingToken,
            AuthError::InvalidToken(InvalidReason::BadSignature),
            AuthError::TokenExpired,
            AuthError::TokenNotYetValid,
            AuthError::InvalidClaims,
            AuthError::WrongTokenType {
                expected: crate::TokenType::Access,
            },
            AuthError::FreshTokenRequired,
            AuthError::CsrfMissing,
            AuthError::CsrfMismatch,
            AuthError::CrossSiteRequest,
            AuthError::TokenRevoked,
            AuthError::RefreshTokenReused,
            AuthError::SessionExpired,
            AuthError::SessionNotFound,
            AuthError::RevocationUnavailable,
            AuthError::UserNotFound,
            AuthError::UserLookupUnavailable,
            AuthError::Misconfigured("AuthLayer"),
        ];
        for err in all {
            let v: serde_json::Value = serde_json::from_slice(&err.to_json()).unwrap();
            assert_eq!(v["code"], err.code());
            assert!(!v["detail"].as_str().unwrap().is_empty());
            assert_eq!(err.to_response().status(), err.status());
        }
    }

    #[test]
    fn statuses_follow_the_design_table() {
        assert_eq!(AuthError::CrossSiteRequest.status(), 403);
        assert_eq!(AuthError::RevocationUnavailable.status(), 503);
        assert_eq!(AuthError::TokenRevoked.status(), 401);
        assert_eq!(AuthError::RefreshTokenReused.status(), 401);
        assert_eq!(AuthError::Misconfigured("x").status(), 500);
        assert_eq!(AuthError::UserNotFound.status(), 401);
        assert_eq!(AuthError::UserLookupUnavailable.status(), 503);
    }
}
