//! The token lifecycle: login (a fresh access token and a refresh token in a new family),
//! refresh with rotation and reuse detection, logout that revokes, and revoke-all.

use http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Auth;
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
/// assert_eq!(login.refresh.token_type(), authjwt::TokenType::Refresh);
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

impl Auth {
    fn store(&self) -> Option<&dyn RevocationStore> {
        self.config().revocation.as_deref()
    }

    /// Creates the tokens of a login: a fresh access token and a refresh token sharing a
    /// new family id.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// assert!(login.access.family().is_some());
    /// assert_eq!(login.access.family(), login.refresh.family());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_login_tokens(
        &self,
        subject: impl Into<String>,
    ) -> Result<LoginTokens, TokenError> {
        self.create_login_tokens_with(subject, NoCustomClaims {})
    }

    /// [`Auth::create_login_tokens`] with custom claims in both tokens (they are carried
    /// over on every refresh).
    ///
    /// ```
    /// use authjwt::{Claims, TokenType};
    /// #[derive(Clone, serde::Serialize, serde::Deserialize)]
    /// struct Tenant { tenant: String }
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let login = auth.create_login_tokens_with("user1", Tenant { tenant: "acme".into() })?;
    /// let claims: Claims<Tenant> = auth.verify_token(login.refresh.as_str(), TokenType::Refresh)?;
    /// assert_eq!(claims.custom.tenant, "acme");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_login_tokens_with<T: Serialize + Clone>(
        &self,
        subject: impl Into<String>,
        claims: T,
    ) -> Result<LoginTokens, TokenError> {
        let subject = subject.into();
        let family = random_id();
        // The session's CSRF values for its whole life: rotation keeps them, so a tab that
        // read them before another tab refreshed still matches.
        let refresh_csrf = random_id();
        let access = TokenOptions::new()
            .fresh(true)
            .family(family.clone())
            .claims(claims.clone())
            .pinned(Pinned {
                csrf: Some(access_csrf_for(&refresh_csrf)),
                ..Pinned::default()
            });
        let refresh = TokenOptions::new()
            .family(family)
            .claims(claims)
            .pinned(Pinned {
                csrf: Some(refresh_csrf),
                ..Pinned::default()
            });
        Ok(TokenPair {
            access: self.create_token(TokenType::Access, subject.clone(), access)?,
            refresh: self.create_token(TokenType::Refresh, subject, refresh)?,
        })
    }

    /// Refresh with rotation (OAuth 2.0 Security BCP 4.14): verifies the refresh token
    /// (including its CSRF header when it came from a cookie) and issues a new access token
    /// and the refresh token's one successor, in the same session (family), carrying the
    /// custom claims and the session's CSRF value over.
    ///
    /// Each refresh token has exactly one successor. Presented again within the reuse window
    /// ([`ConfigBuilder::refresh_reuse_window`](crate::ConfigBuilder::refresh_reuse_window),
    /// 30 s by default) after its first rotation (two tabs, a retry after a lost response, on
    /// any instance sharing the store), it answers with that *same* successor (the same token
    /// value) and a valid access token. Presented after the window, or when it is older than
    /// the previous token, it ends the whole session: [`AuthError::RefreshTokenReused`]. A
    /// session that was ended (logout, revocation, reuse) answers [`AuthError::TokenRevoked`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use std::time::Duration;
    /// use authjwt::{Auth, Config, Protection, TokenLocation, AuthError, NoCustomClaims};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Headers])
    ///     .refresh_reuse_window(Duration::from_secs(30)) // the default
    ///     .build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// let request = |token: &str| http::Request::post("/refresh")
    ///     .header("authorization", format!("Bearer {token}"))
    ///     .body(()).unwrap().into_parts().0;
    /// let refresh = |token: String| {
    ///     let auth = auth.clone();
    ///     async move { auth.refresh::<NoCustomClaims>(&request(&token), &Protection::refresh()).await }
    /// };
    ///
    /// let first = refresh(login.refresh.to_string()).await?;
    /// assert_eq!(first.used.subject(), "user1");
    /// // Another tab presents the same token a moment later: the same successor.
    /// let second = refresh(login.refresh.to_string()).await?;
    /// assert_eq!(second.refresh.as_str(), first.refresh.as_str());
    /// // The chain goes on from the successor; its predecessor's predecessor is reuse.
    /// let next = refresh(first.refresh.to_string()).await?;
    /// let reused = refresh(login.refresh.to_string()).await;
    /// assert_eq!(reused.unwrap_err(), AuthError::RefreshTokenReused);
    /// // The whole session is ended.
    /// assert_eq!(refresh(next.refresh.to_string()).await.unwrap_err(), AuthError::TokenRevoked);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn refresh<T: DeserializeOwned + Serialize + Clone>(
        &self,
        parts: &Parts,
        protection: &Protection,
    ) -> Result<RefreshedTokens<T>, AuthError> {
        self.refresh_inner(parts, protection)
            .await
            .inspect_err(AuthError::trace)
    }

    async fn refresh_inner<T: DeserializeOwned + Serialize + Clone>(
        &self,
        parts: &Parts,
        protection: &Protection,
    ) -> Result<RefreshedTokens<T>, AuthError> {
        let mut protection = protection.clone();
        protection.token_type = TokenType::Refresh;
        protection.optional = false;
        let used = self
            .authenticate_token::<T>(parts, &protection)?
            .ok_or(AuthError::MissingToken)?;
        let claims = used.claims();
        let jti = claims.jti.as_deref().ok_or(InvalidReason::MissingJti)?;
        // A refresh token created outside a login has no family: its chain is named after it.
        let session = claims.fam.as_deref().unwrap_or(jti);
        let config = self.config();
        let mint = |token_type, pinned: Pinned| {
            let opts = TokenOptions::new()
                .family(session)
                .claims(claims.custom.clone())
                .pinned(pinned);
            self.create_token(token_type, claims.sub.clone(), opts)
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
        };
        let refresh = mint(TokenType::Refresh, pin(successor.clone(), now_ms, None))?;
        let Some(store) = self.store() else {
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
        let refresh = match decision {
            Rotation::Rotated => refresh,
            Rotation::Replayed(s) => {
                tracing::debug!(target: "authjwt::refresh", subject = %claims.sub, session, "refresh token presented again within the reuse window: same successor");
                mint(TokenType::Refresh, pin(s.jti, s.rotated_at_ms, s.signature))?
            }
            Rotation::Reused => {
                tracing::warn!(target: "authjwt::revocation", subject = %claims.sub, session, "refresh token reused outside the reuse window; the session was ended");
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

    /// Logout that revokes: authenticates the access token (with its CSRF header when it came
    /// from a cookie) or, when the access token is missing or expired, the refresh token
    /// (with the refresh CSRF header); then revokes the presented access token, the refresh
    /// token and their family, and returns the `Set-Cookie` headers that clear all four
    /// cookies. Other sessions of the same user stay valid.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use authjwt::{Auth, Config, TokenLocation, AuthError, Protection, NoCustomClaims};
    /// let auth = Auth::new(Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .token_location([TokenLocation::Headers]).build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// let request = || http::Request::post("/logout")
    ///     .header("authorization", format!("Bearer {}", login.access))
    ///     .body(()).unwrap().into_parts().0;
    /// let cookies = auth.logout(&request()).await?;
    /// assert_eq!(cookies.header_values().len(), 4);
    /// let again = auth.authenticate::<NoCustomClaims>(&request(), &Protection::access()).await;
    /// assert_eq!(again.unwrap_err(), AuthError::TokenRevoked);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn logout(&self, parts: &Parts) -> Result<SetCookies, AuthError> {
        self.logout_inner(parts).await.inspect_err(AuthError::trace)
    }

    async fn logout_inner(&self, parts: &Parts) -> Result<SetCookies, AuthError> {
        let mut access_expired = false;
        let access = match self
            .authenticate_token::<NoCustomClaims>(parts, &Protection::access().optional())
        {
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
            Some(_) => self.located_refresh(parts),
            None => {
                // Only an expired access token and no refresh token: say it expired.
                let missing = if access_expired {
                    AuthError::TokenExpired
                } else {
                    AuthError::MissingToken
                };
                let found = match self
                    .authenticate_token::<NoCustomClaims>(parts, &Protection::refresh())
                {
                    Err(AuthError::MissingToken) => return Err(missing),
                    other => other?,
                };
                Some(found.ok_or(missing)?.into_claims())
            }
        };
        if let Some(a) = &access {
            self.check_revocation(a.claims()).await?;
        } else if let Some(r) = &refresh {
            self.check_revocation(r).await?;
        }
        if let Some(store) = self.store() {
            let until = self.config().session_revocation_until();
            let claims = access
                .as_ref()
                .map(Authenticated::claims)
                .into_iter()
                .chain(refresh.as_ref());
            for c in claims {
                if let Some(jti) = &c.jti {
                    store
                        .revoke_jti(jti, self.config().revocation_expiry(c.exp))
                        .await
                        .map_err(StoreError::fail_closed)?;
                }
                if let Some(family) = &c.fam {
                    store
                        .revoke_family(family, until)
                        .await
                        .map_err(StoreError::fail_closed)?;
                }
            }
        }
        Ok(self.unset_cookies())
    }

    /// The refresh token of the request, verified without CSRF, if it is valid.
    fn located_refresh(&self, parts: &Parts) -> Option<Claims<NoCustomClaims>> {
        let locations = [crate::TokenLocation::Cookies];
        let found =
            crate::locate::locate(self.config(), parts, TokenType::Refresh, &locations).ok()??;
        self.config().verify(&found.token, TokenType::Refresh).ok()
    }

    /// For the implicit-refresh layers: the claims of the request's cookie-borne access token
    /// when it is valid, not revoked, part of a login family, and expires within `window`.
    pub(crate) async fn implicit_refresh_candidate(
        &self,
        parts: &Parts,
        window: std::time::Duration,
    ) -> Option<Claims<CustomMap>> {
        let config = self.config();
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
        self.check_revocation(&claims).await.ok()?;
        Some(claims)
    }

    /// For the implicit-refresh layers: a new access cookie succeeding `old`, unless `old`
    /// has been revoked meanwhile. The new token is created first and the check made after,
    /// so a logout or revoke-all racing this request either is seen here or covers the new
    /// token too (same family; `iat` not after the revoke-all cutoff).
    pub(crate) async fn implicit_refresh_cookies(
        &self,
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
        let new = self
            .create_token(TokenType::Access, old.sub.clone(), opts)
            .ok()?;
        self.check_revocation(old).await.ok()?;
        tracing::debug!(target: "authjwt::refresh", "access token refreshed implicitly");
        Some(self.set_access_cookies(&new))
    }

    /// Revokes one verified token (until it expires) and, when it has one, its family.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenType, Claims};
    /// # let auth = Auth::new(Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// auth.revoke(&claims).await?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn revoke<T>(&self, claims: &Claims<T>) -> Result<(), AuthError> {
        let Some(store) = self.store() else {
            return Ok(());
        };
        let jti = claims.jti.as_deref().ok_or(InvalidReason::MissingJti)?;
        store
            .revoke_jti(jti, self.config().revocation_expiry(claims.exp))
            .await
            .map_err(StoreError::fail_closed)?;
        if let Some(family) = &claims.fam {
            let until = self.config().session_revocation_until();
            store
                .revoke_family(family, until)
                .await
                .map_err(StoreError::fail_closed)?;
        }
        Ok(())
    }

    /// Revokes every token of `subject` issued up to now (after a password change): access
    /// and refresh tokens alike, on every instance sharing the store.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use authjwt::{Auth, Config, TokenType, Claims, AuthError, NoCustomClaims};
    /// # let auth = Auth::new(Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// auth.revoke_all("user1").await?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// // verify_token checks the signature only; the guard consults the store:
    /// # let (parts, _) = http::Request::get("/").header("authorization", format!("Bearer {token}")).body(())?.into_parts();
    /// let err = auth.authenticate::<NoCustomClaims>(&parts, &authjwt::Protection::access()).await;
    /// assert_eq!(err.unwrap_err(), AuthError::TokenRevoked);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn revoke_all(&self, subject: &str) -> Result<(), AuthError> {
        let Some(store) = self.store() else {
            return Ok(());
        };
        let now = now();
        let until = now.saturating_add(self.config().longest_lifetime());
        store
            .revoke_subject(subject, now, until)
            .await
            .map_err(StoreError::fail_closed)
    }
}
