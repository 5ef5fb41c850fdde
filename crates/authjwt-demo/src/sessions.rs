//! The token lifecycle of the demo in one place: a login issues a pair of tokens, a refresh
//! rotates the pair, a logout ends it. The handlers call only these three functions.
//!
//! Today a refresh issues a new access token and a new refresh token (without reuse
//! detection), and a logout checks its CSRF header and clears the four cookies. Revocation
//! (rotation with reuse detection, logout that revokes the presented tokens) plugs in here
//! and nowhere else: each function has the shape of the library's lifecycle call that will
//! replace its body (`create_login_tokens`, `refresh`, `logout`).

use authjwt::{
    Auth, AuthError, Authenticated, IssuedToken, NoCustomClaims, Protection, SetCookies,
    TokenError, TokenOptions, TokenType,
};
use http::request::Parts;

/// The tokens of a session: an access token and a refresh token.
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// The access token.
    pub access: IssuedToken,
    /// The refresh token.
    pub refresh: IssuedToken,
}

impl TokenPair {
    /// The four cookies: the HttpOnly JWT cookies and their script-readable CSRF cookies.
    pub fn cookies(&self, auth: &Auth) -> SetCookies {
        auth.set_access_cookies(&self.access)
            .and(auth.set_refresh_cookies(&self.refresh))
    }
}

/// A login: a fresh access token (issued from a password, not a refresh) and a refresh
/// token for `subject`.
pub fn login(auth: &Auth, subject: &str) -> Result<TokenPair, TokenError> {
    let access = auth.create_token(TokenType::Access, subject, TokenOptions::new().fresh(true))?;
    let refresh = auth.create_refresh_token(subject)?;
    Ok(TokenPair { access, refresh })
}

/// A refresh: verifies the refresh token of the request under `protection` (its CSRF header
/// when it came from the cookie) and issues a new access token and a new refresh token.
pub async fn refresh(
    auth: &Auth,
    parts: &Parts,
    protection: &Protection,
) -> Result<(Authenticated, TokenPair), AuthError> {
    let used = auth
        .authenticate::<NoCustomClaims>(parts, protection)
        .await?
        .ok_or(AuthError::MissingToken)?;
    let created = |r: Result<IssuedToken, TokenError>| {
        r.map_err(|_| AuthError::Misconfigured("a refreshed token could not be signed"))
    };
    let access = created(auth.create_access_token(used.subject()))?;
    let refresh = created(auth.create_refresh_token(used.subject()))?;
    Ok((used, TokenPair { access, refresh }))
}

/// A logout: authenticates the access token with its CSRF header or, when the access token
/// is missing or expired, the refresh token with the refresh CSRF header. On success it
/// returns the `Set-Cookie` headers that clear all four cookies; on failure nothing changes.
pub async fn logout(auth: &Auth, parts: &Parts) -> Result<SetCookies, AuthError> {
    let ended = match auth
        .authenticate::<NoCustomClaims>(parts, &Protection::access())
        .await
    {
        Ok(Some(access)) => access,
        Ok(None) => return Err(AuthError::MissingToken),
        Err(first @ (AuthError::TokenExpired | AuthError::MissingToken)) => {
            match auth
                .authenticate::<NoCustomClaims>(parts, &Protection::refresh())
                .await
            {
                Ok(Some(refresh)) => refresh,
                // No refresh token either: the access token's error says more.
                Ok(None) | Err(AuthError::MissingToken) => return Err(first),
                Err(e) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    tracing::debug!(
        subject = ended.subject(),
        jti = ended.jti(),
        "session ended; cookies cleared"
    );
    Ok(auth.unset_cookies())
}
