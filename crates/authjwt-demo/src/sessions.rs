//! The token lifecycle of the demo in one place: a login issues a pair of tokens in a new
//! refresh family, a refresh rotates the pair, a logout ends it. The handlers call only
//! these three functions, each a thin call into the library's lifecycle:
//!
//! - [`login`]: a fresh access token and a refresh token sharing a new family id, the
//!   session recorded in the registry ([`Auth::login`]).
//! - [`refresh`]: rotation with a reuse window ([`Auth::refresh`]): presented again within
//!   the window (another tab, a retry), the refresh token gets the same successor; after it,
//!   or an older token at any time, ends the whole session (`refresh_token_reused`).
//! - [`logout`]: the CSRF-checked logout that revokes the presented access and refresh
//!   tokens and their family, then clears the four cookies ([`Auth::logout`]). Other
//!   sessions of the same user stay valid.

/// The tokens of a session: the library's pair (with its `cookies` helper).
pub use authjwt::TokenPair;
use authjwt::{
    Auth, AuthError, Authenticated, Protection, SetCookies, claims::NoCustomClaims, sessions::Login,
};
use http::request::Parts;

/// A login: a fresh access token (issued from a password, not a refresh) and a refresh
/// token for `subject`, in a new refresh family recorded in the session registry with the
/// browser's user agent; `remember` chooses persistent cookies over session cookies.
pub async fn login(
    auth: &Auth,
    subject: &str,
    remember: bool,
    user_agent: Option<&str>,
) -> Result<TokenPair, AuthError> {
    // The demo's configuration already gives session cookies, so only "remember me" is
    // written into the tokens: a `rem: false` claim would lengthen every request's token
    // and change nothing.
    let mut login = Login::new(subject);
    if remember {
        login = login.remember(true);
    }
    if let Some(agent) = user_agent {
        login = login.user_agent(agent);
    }
    auth.login(login).await
}

/// A refresh: verifies the refresh token of the request under `protection` (its CSRF header
/// when it came from the cookie) and issues a new access token and the refresh token's one
/// successor in the same family. Presented again after the reuse window, the refresh token
/// ends the session: both the thief's and the user's.
pub async fn refresh(
    auth: &Auth,
    parts: &Parts,
    protection: &Protection,
) -> Result<(Authenticated, TokenPair), AuthError> {
    let rotated = auth.refresh::<NoCustomClaims>(parts, protection).await?;
    Ok((rotated.used, rotated.tokens))
}

/// A logout: authenticates the access token with its CSRF header or, when the access token
/// is missing or expired, the refresh token with the refresh CSRF header; revokes the
/// presented tokens and their family. On success it returns the `Set-Cookie` headers that
/// clear all four cookies; on failure nothing changes.
pub async fn logout(auth: &Auth, parts: &Parts) -> Result<SetCookies, AuthError> {
    let cleared = auth.logout(parts).await?;
    tracing::debug!("session ended: tokens revoked, cookies cleared");
    Ok(cleared)
}
