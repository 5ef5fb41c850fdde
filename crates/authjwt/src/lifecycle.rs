//! The token lifecycle: login (a fresh access token and a refresh token in a new family),
//! refresh with rotation and reuse detection, logout that revokes, and revoke-all.

use http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::audit::{self, AuditEvent, AuditKind};
use crate::claims::{Claims, NoCustomClaims, TokenType};
use crate::claims::{now, now_ms, random_id};
use crate::csrf::access_csrf_for;
use crate::error::{AuthError, InvalidReason};
use crate::guard::{Authenticated, Protection};
use crate::revoke::{RevocationStore, Rotation, RotationRequest, StoreError, TokenRef};
use crate::set_cookie::SetCookies;
use crate::tokens::{IssuedToken, Pinned, TokenError, TokenOptions};

/// Custom claims kept as they are, to carry them into a successor token.
pub(crate) type CustomMap = serde_json::Map<String, serde_json::Value>;

/// The tokens of a new login session: a fresh access token and a refresh token, both in a
/// new refresh family (the session's id, revoked as a whole at logout or on reuse). The two
/// CSRF values stay the session's for its whole life: refreshes keep them.
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// let login = auth.create_login_tokens("user1")?;
/// assert_eq!(login.access.family(), login.refresh.family()); // one family per login
/// assert_eq!(login.refresh.token_type(), authjwt::claims::TokenType::Refresh);
/// let cookies = login.cookies(&auth); // for the login response
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// The access token (fresh when a login created it).
    pub access: IssuedToken,
    /// The refresh token.
    pub refresh: IssuedToken,
}

/// The pair a login creates ([`Auth::create_login_tokens`]): a [`TokenPair`].
pub type LoginTokens = TokenPair;

impl TokenPair {
    /// The four cookies: access and refresh, each with its CSRF cookie.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// let cookies = login.cookies(&auth);
    /// let values = cookies.header_values();
    /// assert_eq!(values.len(), 4);
    /// assert!(values[0].to_str()?.starts_with("access_token_cookie="));
    /// assert!(values[2].to_str()?.starts_with("refresh_token_cookie="));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cookies(&self, auth: &Auth) -> SetCookies {
        auth.set_access_cookies(&self.access)
            .and(auth.set_refresh_cookies(&self.refresh))
    }
}

/// The outcome of a refresh: the verified refresh token that was used, and its successors.
/// Its [`cookies`](TokenPair::cookies) set all four cookies, the unchanged CSRF cookies
/// included, so a browser's jar converges whatever order concurrent answers arrive in.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use authjwt::{NoCustomClaims, Protection};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let login = auth.create_login_tokens("user1")?;
/// let (req, _) = http::Request::post("/refresh")
///     .header("authorization", format!("Bearer {}", login.refresh))
///     .body(())?.into_parts();
/// let refreshed = auth.refresh::<NoCustomClaims>(&req, &Protection::refresh()).await?;
/// assert_eq!(refreshed.used.jti(), login.refresh.jti()); // now used up
/// assert_eq!(refreshed.refresh.family(), login.refresh.family()); // the same session
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct RefreshedTokens<T = NoCustomClaims> {
    /// The refresh token presented (now rotated: presented again after the reuse window,
    /// it ends the session).
    pub used: Authenticated<T>,
    /// The new access token (not fresh) and the refresh token's successor, in the same
    /// family. `RefreshedTokens` derefs to it: `refreshed.access`, `refreshed.cookies(&auth)`.
    pub tokens: TokenPair,
}

impl<T> std::ops::Deref for RefreshedTokens<T> {
    type Target = TokenPair;

    fn deref(&self) -> &TokenPair {
        &self.tokens
    }
}

pub(crate) fn store(auth: &Auth) -> Option<&dyn RevocationStore> {
    auth.config().revocation.as_deref()
}

/// The body of [`Auth::create_login_tokens`].
pub(crate) fn create_login_tokens(
    auth: &Auth,
    subject: impl Into<String>,
) -> Result<LoginTokens, TokenError> {
    auth.create_login_tokens_with(subject, NoCustomClaims {})
}

/// The body of [`Auth::create_login_tokens_with`].
pub(crate) fn create_login_tokens_with<T: Serialize + Clone>(
    auth: &Auth,
    subject: impl Into<String>,
    claims: T,
) -> Result<LoginTokens, TokenError> {
    new_session_tokens(auth, subject.into(), claims, None)
}

/// The tokens of a new session: a new family, the session's CSRF values, its absolute end
/// when the configuration sets one, and its remember-me choice.
pub(crate) fn new_session_tokens<T: Serialize + Clone>(
    auth: &Auth,
    subject: String,
    claims: T,
    remember: Option<bool>,
) -> Result<LoginTokens, TokenError> {
    let family = random_id();
    let session_end = auth
        .config()
        .session_max_age
        .map(|d| now().saturating_add(d.as_secs()));
    // The session's CSRF values for its whole life: rotation keeps them, so a tab that
    // read them before another tab refreshed still matches.
    let refresh_csrf = random_id();
    let access = TokenOptions::new()
        .fresh(true)
        .family(family.clone())
        .claims(claims.clone())
        .pinned(Pinned {
            csrf: Some(access_csrf_for(&refresh_csrf)),
            session_end,
            remember,
            ..Pinned::default()
        });
    let refresh = TokenOptions::new()
        .family(family)
        .claims(claims)
        .pinned(Pinned {
            csrf: Some(refresh_csrf),
            session_end,
            remember,
            ..Pinned::default()
        });
    Ok(TokenPair {
        access: auth.create_token(TokenType::Access, subject.clone(), access)?,
        refresh: auth.create_token(TokenType::Refresh, subject, refresh)?,
    })
}

/// The body of [`Auth::refresh`].
pub(crate) async fn refresh<T: DeserializeOwned + Serialize + Clone>(
    auth: &Auth,
    parts: &Parts,
    protection: &Protection,
) -> Result<RefreshedTokens<T>, AuthError> {
    refresh_inner(auth, parts, protection)
        .await
        .inspect_err(|e| crate::audit::rejected(auth.config().audit.as_deref(), e))
}

pub(crate) async fn refresh_inner<T: DeserializeOwned + Serialize + Clone>(
    auth: &Auth,
    parts: &Parts,
    protection: &Protection,
) -> Result<RefreshedTokens<T>, AuthError> {
    let mut protection = protection.clone();
    protection.token_type = TokenType::Refresh;
    protection.optional = false;
    let used = crate::guard::authenticate_token::<T>(auth, parts, &protection)?
        .ok_or(AuthError::MissingToken)?;
    let claims = used.claims();
    let jti = claims.jti.as_deref().ok_or(InvalidReason::MissingJti)?;
    // A refresh token created outside a login has no family: its chain is named after it.
    let session = claims.fam.as_deref().unwrap_or(jti);
    let config = auth.config();
    let mint = |token_type, pinned: Pinned| {
        let opts = TokenOptions::new()
            .family(session)
            .claims(claims.custom.clone())
            .pinned(pinned);
        auth.create_token(token_type, claims.sub.clone(), opts)
            .map_err(|e| {
                tracing::error!(target: "authjwt::refresh", error = %e, "a refreshed token could not be created");
                AuthError::Misconfigured("a refreshed token could not be signed")
            })
    };
    // The session keeps its CSRF value, so a tab that read it before another tab's
    // refresh landed still matches. The access token is minted before the rotation is
    // decided: its `iat` is then never after a revoke-all the decision did not see.
    let csrf = claims.csrf.clone();
    let access = mint(
        TokenType::Access,
        Pinned {
            csrf: csrf.as_deref().map(access_csrf_for),
            session_end: claims.sxp,
            remember: claims.rem,
            ..Pinned::default()
        },
    )?;
    let now_ms = now_ms();
    let successor = random_id();
    let pin = |jti: String, rotated_at_ms: u64, signature| Pinned {
        issued_at: Some(rotated_at_ms / 1000),
        jti: Some(jti),
        csrf: csrf.clone(),
        signature,
        session_end: claims.sxp,
        remember: claims.rem,
    };
    let refresh = mint(TokenType::Refresh, pin(successor.clone(), now_ms, None))?;
    let Some(store) = store(auth) else {
        return Ok(RefreshedTokens {
            used,
            tokens: TokenPair { access, refresh },
        });
    };
    let signature = config
        .keys
        .signing_key()
        .randomized()
        .then(|| refresh.signature());
    let request = RotationRequest {
        session,
        presented: jti,
        subject: &claims.sub,
        issued_at: claims.iat,
        presented_expires_at: config.revocation_expiry(claims.exp),
        successor: &successor,
        signature: signature.as_deref(),
        now_ms,
        window_ms: config.refresh_reuse_window_ms,
        expires_at: config.revocation_expiry(refresh.expires_at()),
    };
    let decision = store
        .rotate(&request)
        .await
        .map_err(StoreError::fail_closed)?;
    let event = |kind| AuditEvent::new(kind).subject(&claims.sub).session(session);
    let refresh = match decision {
        Rotation::Rotated => {
            let expires_at = refresh.expires_at().unwrap_or(u64::MAX);
            if let Err(e) = store
                .touch_session(&claims.sub, session, now_ms / 1000, expires_at)
                .await
            {
                // The rotation stands; only the session list's last-seen time lags.
                tracing::warn!(target: "authjwt::sessions", error = %e, "the session registry could not note a refresh");
            }
            audit::emit(config.audit.as_deref(), event(AuditKind::Refresh));
            refresh
        }
        Rotation::Replayed(s) => {
            tracing::debug!(target: "authjwt::refresh", subject = %claims.sub, session, "refresh token presented again within the reuse window: same successor");
            audit::emit(config.audit.as_deref(), event(AuditKind::Replay));
            mint(TokenType::Refresh, pin(s.jti, s.rotated_at_ms, s.signature))?
        }
        Rotation::Reused => {
            tracing::warn!(target: "authjwt::revocation", subject = %claims.sub, session, "refresh token reused outside the reuse window; the session was ended");
            audit::emit(config.audit.as_deref(), event(AuditKind::ReuseDetected));
            let until = config.session_revocation_until();
            store
                .revoke_family(session, until)
                .await
                .map_err(StoreError::fail_closed)?;
            return Err(AuthError::RefreshTokenReused);
        }
        _ => {
            // Ended in the record: if no revocation of the session shows yet (the call
            // that found a reuse lost its reply, or failed to revoke), revoke it now, so
            // its access tokens stop working everywhere too. Idempotent.
            let token = TokenRef {
                jti,
                family: Some(session),
                subject: &claims.sub,
                issued_at: claims.iat,
            };
            if !store
                .is_revoked(&token)
                .await
                .map_err(StoreError::fail_closed)?
            {
                let until = config.session_revocation_until();
                store
                    .revoke_family(session, until)
                    .await
                    .map_err(StoreError::fail_closed)?;
            }
            return Err(AuthError::TokenRevoked);
        }
    };
    Ok(RefreshedTokens {
        used,
        tokens: TokenPair { access, refresh },
    })
}

/// The body of [`Auth::logout`].
pub(crate) async fn logout(auth: &Auth, parts: &Parts) -> Result<SetCookies, AuthError> {
    logout_inner(auth, parts)
        .await
        .inspect_err(|e| crate::audit::rejected(auth.config().audit.as_deref(), e))
}

pub(crate) async fn logout_inner(auth: &Auth, parts: &Parts) -> Result<SetCookies, AuthError> {
    let mut access_expired = false;
    let access = match crate::guard::authenticate_token::<NoCustomClaims>(
        auth,
        parts,
        &Protection::access().optional(),
    ) {
        Ok(found) => found,
        Err(AuthError::TokenExpired) => {
            access_expired = true;
            None
        }
        Err(e) => return Err(e),
    };
    let refresh = match &access {
        // The access token proved the request (CSRF included); the refresh cookie is
        // revoked too if it verifies, without a second CSRF header.
        Some(_) => located_refresh(auth, parts),
        None => {
            // Only an expired access token and no refresh token: say it expired.
            let missing = if access_expired {
                AuthError::TokenExpired
            } else {
                AuthError::MissingToken
            };
            let found = match crate::guard::authenticate_token::<NoCustomClaims>(
                auth,
                parts,
                &Protection::refresh(),
            ) {
                Err(AuthError::MissingToken) => return Err(missing),
                other => other?,
            };
            Some(found.ok_or(missing)?.into_claims())
        }
    };
    if let Some(a) = &access {
        crate::guard::check_revocation(auth, a.claims()).await?;
    } else if let Some(r) = &refresh {
        crate::guard::check_revocation(auth, r).await?;
    }
    if let Some(store) = store(auth) {
        let until = auth.config().session_revocation_until();
        let claims = access
            .as_ref()
            .map(Authenticated::claims)
            .into_iter()
            .chain(refresh.as_ref());
        for c in claims {
            if let Some(jti) = &c.jti {
                store
                    .revoke_jti(jti, auth.config().revocation_expiry(c.exp))
                    .await
                    .map_err(StoreError::fail_closed)?;
            }
            if let Some(family) = &c.fam {
                store
                    .revoke_family(family, until)
                    .await
                    .map_err(StoreError::fail_closed)?;
                if let Err(e) = store.forget_session(&c.sub, family).await {
                    tracing::warn!(target: "authjwt::sessions", error = %e, "a logged-out session could not be dropped from the registry");
                }
            }
        }
    }
    let who = access
        .as_ref()
        .map(Authenticated::claims)
        .or(refresh.as_ref());
    if let Some(c) = who {
        let mut event = AuditEvent::new(AuditKind::Logout).subject(&c.sub);
        event.session = c.fam.as_deref();
        audit::emit(auth.config().audit.as_deref(), event);
    }
    Ok(auth.unset_cookies())
}

/// The refresh token of the request, verified without CSRF, if it is valid.
pub(crate) fn located_refresh(auth: &Auth, parts: &Parts) -> Option<Claims<NoCustomClaims>> {
    let locations = [crate::TokenLocation::Cookies];
    let found =
        crate::locate::locate(auth.config(), parts, TokenType::Refresh, &locations).ok()??;
    auth.config().verify(&found.token, TokenType::Refresh).ok()
}

/// For the implicit-refresh layers: the claims of the request's cookie-borne access token
/// when it is valid, not revoked, part of a login family, and expires within `window`.
pub(crate) async fn implicit_refresh_candidate(
    auth: &Auth,
    parts: &Parts,
    window: std::time::Duration,
) -> Option<Claims<CustomMap>> {
    let config = auth.config();
    if !config.locations.contains(&crate::TokenLocation::Cookies) {
        return None;
    }
    let locations = [crate::TokenLocation::Cookies];
    let found = crate::locate::locate(config, parts, TokenType::Access, &locations).ok()??;
    let claims: Claims<CustomMap> = config.verify(&found.token, TokenType::Access).ok()?;
    // Only session tokens: logout revokes the family, which then covers the new token.
    claims.fam.as_ref()?;
    if claims.exp?.saturating_sub(now()) > window.as_secs() {
        return None;
    }
    crate::guard::check_revocation(auth, &claims).await.ok()?;
    Some(claims)
}

/// For the implicit-refresh layers: whether a response may carry renewed access cookies. Not
/// an error (status 400 and up), and not a response that sets or clears the access cookie
/// itself (a login or a logout answered meanwhile). The adapters hand over the status and
/// the values of the response's `Set-Cookie` headers.
pub(crate) fn renews_response<'a>(
    auth: &Auth,
    status: u16,
    mut set_cookies: impl Iterator<Item = &'a [u8]>,
) -> bool {
    if status >= 400 {
        return false;
    }
    let name = auth.config().access_cookie_name().as_bytes();
    !set_cookies.any(|v| {
        v.strip_prefix(name)
            .is_some_and(|rest| rest.first() == Some(&b'='))
    })
}

/// For the implicit-refresh layers: a new access cookie succeeding `old`, unless `old`
/// has been revoked meanwhile. The new token is created first and the check made after,
/// so a logout or revoke-all racing this request either is seen here or covers the new
/// token too (same family; `iat` not after the revoke-all cutoff).
pub(crate) async fn implicit_refresh_cookies(
    auth: &Auth,
    old: &Claims<CustomMap>,
) -> Option<SetCookies> {
    let family = old.fam.clone()?;
    // The session's CSRF value stays: tabs that read it keep matching.
    let opts = TokenOptions::new()
        .family(family)
        .claims(old.custom.clone())
        .pinned(Pinned {
            csrf: old.csrf.clone(),
            ..Pinned::default()
        });
    let new = auth
        .create_token(TokenType::Access, old.sub.clone(), opts)
        .ok()?;
    crate::guard::check_revocation(auth, old).await.ok()?;
    tracing::debug!(target: "authjwt::refresh", "access token refreshed implicitly");
    Some(auth.set_access_cookies(&new))
}

/// The body of [`Auth::revoke`].
pub(crate) async fn revoke<T>(auth: &Auth, claims: &Claims<T>) -> Result<(), AuthError> {
    let Some(store) = store(auth) else {
        return Ok(());
    };
    let jti = claims.jti.as_deref().ok_or(InvalidReason::MissingJti)?;
    store
        .revoke_jti(jti, auth.config().revocation_expiry(claims.exp))
        .await
        .map_err(StoreError::fail_closed)?;
    if let Some(family) = &claims.fam {
        let until = auth.config().session_revocation_until();
        store
            .revoke_family(family, until)
            .await
            .map_err(StoreError::fail_closed)?;
    }
    Ok(())
}

/// The body of [`Auth::revoke_all`].
pub(crate) async fn revoke_all(auth: &Auth, subject: &str) -> Result<(), AuthError> {
    let Some(store) = store(auth) else {
        return Ok(());
    };
    let now = now();
    let until = now.saturating_add(auth.config().longest_lifetime());
    store
        .revoke_subject(subject, now, until)
        .await
        .map_err(StoreError::fail_closed)?;
    audit::emit(
        auth.config().audit.as_deref(),
        AuditEvent::new(AuditKind::RevokeAll).subject(subject),
    );
    Ok(())
}
