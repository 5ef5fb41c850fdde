//! Sessions a user can see and end: the login that creates one (with its remember-me choice,
//! user agent and label), the list of a subject's live sessions, and ending one of them or
//! all the others. The records are kept by the revocation store
//! ([`RevocationStore::sessions`]); ending a session
//! revokes its token family, so its refresh tokens are refused at once and its access tokens
//! on every instance within the store's propagation time.

use serde::Serialize;

use crate::Auth;
use crate::audit::{self, AuditEvent, AuditKind};
use crate::claims::{NoCustomClaims, now_ms};
use crate::error::AuthError;
use crate::guard::Authenticated;
pub use crate::lifecycle::{LoginTokens, RefreshedTokens, TokenPair};
use crate::lifecycle::{new_session_tokens, store};
use crate::revoke::sessions::bounded;
use crate::revoke::{RevocationStore, Session, StoreError};

/// A login to make with [`Auth::login`]: the subject, and what the session remembers.
///
/// ```
/// use authjwt::sessions::Login;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// let tokens = auth
///     .login(Login::new("user1").remember(true).user_agent("Mozilla/5.0 (X11; Linux)"))
///     .await?;
/// let cookies = tokens.cookies(&auth); // persistent: they carry Max-Age
/// assert!(cookies.header_values()[0].to_str()?.contains("Max-Age="));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Login<T = NoCustomClaims> {
    pub(crate) subject: String,
    pub(crate) claims: T,
    pub(crate) remember: Option<bool>,
    pub(crate) user_agent: Option<String>,
    pub(crate) label: Option<String>,
}

impl Login<NoCustomClaims> {
    /// A login of `subject`, without custom claims.
    ///
    /// ```
    /// let login = authjwt::sessions::Login::new("user1");
    /// ```
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            claims: NoCustomClaims {},
            remember: None,
            user_agent: None,
            label: None,
        }
    }
}

impl<T> Login<T> {
    /// The application's own claims, carried by every token of the session.
    ///
    /// ```
    /// let login = authjwt::sessions::Login::new("user1")
    ///     .claims(serde_json::json!({ "role": "admin" }));
    /// ```
    pub fn claims<U>(self, claims: U) -> Login<U> {
        Login {
            subject: self.subject,
            claims,
            remember: self.remember,
            user_agent: self.user_agent,
            label: self.label,
        }
    }

    /// Remember me: `true` gives persistent cookies (with `Max-Age`, kept across browser
    /// restarts), `false` session cookies (gone when the browser closes). Unset, the
    /// configuration's [`session_cookie`](crate::ConfigBuilder::session_cookie) decides.
    /// Every refresh of the session keeps the choice.
    ///
    /// ```
    /// let login = authjwt::sessions::Login::new("user1").remember(false);
    /// ```
    pub fn remember(mut self, remember: bool) -> Self {
        self.remember = Some(remember);
        self
    }

    /// The login request's `User-Agent`, shown in the session list (cut to 256 bytes).
    ///
    /// ```
    /// let login = authjwt::sessions::Login::new("user1").user_agent("curl/8.5.0");
    /// ```
    pub fn user_agent(mut self, user_agent: impl AsRef<str>) -> Self {
        self.user_agent = Some(bounded(user_agent.as_ref()));
        self
    }

    /// A label of the application's choosing ("Firefox on Linux"), cut to 256 bytes.
    ///
    /// ```
    /// let login = authjwt::sessions::Login::new("user1").label("Work laptop");
    /// ```
    pub fn label(mut self, label: impl AsRef<str>) -> Self {
        self.label = Some(bounded(label.as_ref()));
        self
    }
}

fn registry(auth: &Auth) -> Result<&dyn RevocationStore, AuthError> {
    store(auth).ok_or(AuthError::Misconfigured(
        "the session registry needs a revocation store",
    ))
}

/// The body of [`Auth::login`].
pub(crate) async fn login<T: Serialize + Clone>(
    auth: &Auth,
    login: Login<T>,
) -> Result<TokenPair, AuthError> {
    let created_ms = now_ms();
    let created_at = created_ms / 1000;
    let tokens = new_session_tokens(auth, login.subject.clone(), login.claims, login.remember)
        .map_err(|e| {
            tracing::error!(target: "authjwt::login", error = %e, "login tokens could not be created");
            AuthError::Misconfigured("login tokens could not be created")
        })?;
    let Some(id) = tokens.refresh.family() else {
        return Err(AuthError::Misconfigured("a login token has no family"));
    };
    if let Some(store) = store(auth) {
        let expires_at = tokens
            .refresh
            .expires_at()
            .or(tokens.refresh.session_end())
            .unwrap_or(u64::MAX);
        let mut session = Session::new(id, login.subject.as_str(), created_at, expires_at);
        session.created_at_ms = created_ms;
        session.user_agent = login.user_agent;
        session.label = login.label;
        store
            .register_session(&session)
            .await
            .map_err(StoreError::fail_closed)?;
    }
    audit::emit(
        auth.config().audit.as_deref(),
        AuditEvent::new(AuditKind::Login)
            .subject(&login.subject)
            .session(id),
    );
    Ok(tokens)
}

/// The body of [`Auth::sessions`].
pub(crate) async fn sessions<T>(
    auth: &Auth,
    caller: &Authenticated<T>,
) -> Result<Vec<Session>, AuthError> {
    let claims = caller.claims();
    let mut list = sessions_of(auth, &claims.sub).await?;
    for s in &mut list {
        s.current = claims.fam.as_deref() == Some(s.id.as_str());
    }
    Ok(list)
}

/// The body of [`Auth::sessions_of`].
pub(crate) async fn sessions_of(auth: &Auth, subject: &str) -> Result<Vec<Session>, AuthError> {
    let mut list = registry(auth)?
        .sessions(subject)
        .await
        .map_err(StoreError::fail_closed)?;
    // Newest first: by the second, then the millisecond of the login; the id orders what is
    // left, so the order is stable.
    list.sort_unstable_by(|a, b| {
        (b.created_at, b.created_at_ms)
            .cmp(&(a.created_at, a.created_at_ms))
            .then(a.id.cmp(&b.id))
    });
    Ok(list)
}

/// Ends `session` of `subject`: its family revoked (refresh tokens refused at once, access
/// tokens wherever the revocation reaches), and dropped from the registry.
async fn end(auth: &Auth, subject: &str, session: &str) -> Result<(), AuthError> {
    let store = registry(auth)?;
    store
        .revoke_family(session, auth.config().session_revocation_until())
        .await
        .map_err(StoreError::fail_closed)?;
    if let Err(e) = store.forget_session(subject, session).await {
        // The revocation holds; the list hides ended sessions anyway.
        tracing::warn!(target: "authjwt::sessions", error = %e, "an ended session could not be dropped from the registry");
    }
    audit::emit(
        auth.config().audit.as_deref(),
        AuditEvent::new(AuditKind::SessionEnded)
            .subject(subject)
            .session(session),
    );
    Ok(())
}

/// The body of [`Auth::end_session`].
pub(crate) async fn end_session<T>(
    auth: &Auth,
    caller: &Authenticated<T>,
    session: &str,
) -> Result<(), AuthError> {
    let subject = &caller.claims().sub;
    // Only the caller's own live sessions: another user's id, an ended one and an unknown
    // one all answer the same, so ids cannot be probed.
    if !sessions_of(auth, subject)
        .await?
        .iter()
        .any(|s| s.id == session)
    {
        return Err(AuthError::SessionNotFound);
    }
    end(auth, subject, session).await
}

/// The body of [`Auth::end_other_sessions`].
pub(crate) async fn end_other_sessions<T>(
    auth: &Auth,
    caller: &Authenticated<T>,
) -> Result<usize, AuthError> {
    let claims = caller.claims();
    let current = claims.fam.as_deref();
    let mut ended = 0;
    for s in sessions_of(auth, &claims.sub).await? {
        if Some(s.id.as_str()) != current {
            end(auth, &claims.sub, &s.id).await?;
            ended += 1;
        }
    }
    Ok(ended)
}
