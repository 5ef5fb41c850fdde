//! Audit events: what happened to sessions (login, refresh, replay, reuse, logout, ended,
//! revoke-all) and every rejection by its code, for an application's security log.
//!
//! # Why a trait, with `tracing` as the default
//!
//! An audit trail usually goes somewhere other than the debug log (a table, a SIEM, a
//! metrics counter), and tests want to see the events as values: a small trait,
//! [`AuditSink`], set with [`ConfigBuilder::audit`](crate::ConfigBuilder::audit), gives
//! both. When none is set, [`TracingAudit`] writes each event to `tracing` under the target
//! `authjwt::audit` with the fields `event`, `subject`, `session` and `code`, so the events
//! are there for anyone already collecting logs.
//!
//! Events never carry token text, a CSRF value or a secret: only the subject (`sub`), the
//! session id (the token family, which is also what `GET /sessions` shows) and the error code.

use std::fmt;

use crate::error::AuthError;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditKind {
    /// A session was created by a login.
    Login,
    /// A refresh token was rotated.
    Refresh,
    /// A rotated refresh token was presented again within the reuse window and got the same
    /// successor (parallel tabs, a retry).
    Replay,
    /// A refresh token was presented again after the reuse window (or an older one of the
    /// chain): the session was ended.
    ReuseDetected,
    /// The user logged out; the session's tokens were revoked.
    Logout,
    /// A session was ended by the application (sign out one device, or the others).
    SessionEnded,
    /// Every session of a subject was ended.
    RevokeAll,
    /// A request was refused; the event's `code` says why.
    Rejected,
}

impl AuditKind {
    /// The event's name in logs: `login`, `refresh`, `replay`, `reuse_detected`, `logout`,
    /// `session_ended`, `revoke_all`, `rejected`.
    ///
    /// ```
    /// assert_eq!(authjwt::audit::AuditKind::ReuseDetected.as_str(), "reuse_detected");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Refresh => "refresh",
            Self::Replay => "replay",
            Self::ReuseDetected => "reuse_detected",
            Self::Logout => "logout",
            Self::SessionEnded => "session_ended",
            Self::RevokeAll => "revoke_all",
            Self::Rejected => "rejected",
        }
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit event. Borrowed: a sink that keeps it copies what it needs.
///
/// ```
/// use authjwt::audit::{AuditEvent, AuditKind};
/// let event = AuditEvent::new(AuditKind::Logout).subject("user1").session("s1");
/// assert_eq!((event.kind, event.subject, event.session), (AuditKind::Logout, Some("user1"), Some("s1")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditEvent<'a> {
    /// What happened.
    pub kind: AuditKind,
    /// The token's subject, when known (not for a token that failed to verify).
    pub subject: Option<&'a str>,
    /// The session (token family), when known.
    pub session: Option<&'a str>,
    /// For [`AuditKind::Rejected`]: the error's code (`token_expired`, `csrf_mismatch`, …).
    pub code: Option<&'static str>,
}

impl<'a> AuditEvent<'a> {
    /// An event of `kind`, with nothing else known yet.
    ///
    /// ```
    /// let event = authjwt::audit::AuditEvent::new(authjwt::audit::AuditKind::Login);
    /// assert_eq!(event.subject, None);
    /// ```
    pub fn new(kind: AuditKind) -> Self {
        Self {
            kind,
            subject: None,
            session: None,
            code: None,
        }
    }

    /// With the subject.
    ///
    /// ```
    /// # use authjwt::audit::{AuditEvent, AuditKind};
    /// assert_eq!(AuditEvent::new(AuditKind::Login).subject("u").subject, Some("u"));
    /// ```
    #[must_use]
    pub fn subject(mut self, subject: &'a str) -> Self {
        self.subject = Some(subject);
        self
    }

    /// With the session id.
    ///
    /// ```
    /// # use authjwt::audit::{AuditEvent, AuditKind};
    /// assert_eq!(AuditEvent::new(AuditKind::Login).session("s").session, Some("s"));
    /// ```
    #[must_use]
    pub fn session(mut self, session: &'a str) -> Self {
        self.session = Some(session);
        self
    }
}

/// Receives audit events. Called inline on the request's task: keep it quick (hand the event
/// to a channel for anything slow) and never block.
///
/// ```
/// use std::sync::Mutex;
/// use authjwt::audit::{AuditEvent, AuditSink};
///
/// #[derive(Debug, Default)]
/// struct Recorder(Mutex<Vec<String>>);
/// impl AuditSink for Recorder {
///     fn record(&self, event: &AuditEvent<'_>) {
///         let line = format!("{} {}", event.kind, event.subject.unwrap_or("-"));
///         self.0.lock().unwrap().push(line);
///     }
/// }
/// ```
pub trait AuditSink: fmt::Debug + Send + Sync + 'static {
    /// Records one event.
    fn record(&self, event: &AuditEvent<'_>);
}

/// The default sink: each event as a `tracing` event under the target `authjwt::audit`
/// (reuse detected at `warn`, the others at `info`; rejections are already traced under
/// `authjwt::rejection` at `debug`, so this sink adds none).
///
/// ```
/// use authjwt::audit::{AuditEvent, AuditKind, AuditSink, TracingAudit};
/// TracingAudit.record(&AuditEvent::new(AuditKind::Login).subject("user1").session("s1"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TracingAudit;

impl AuditSink for TracingAudit {
    fn record(&self, e: &AuditEvent<'_>) {
        let (event, subject, session, code) = (
            e.kind.as_str(),
            e.subject.unwrap_or(""),
            e.session.unwrap_or(""),
            e.code.unwrap_or(""),
        );
        match e.kind {
            AuditKind::ReuseDetected => {
                tracing::warn!(target: "authjwt::audit", event, subject, session, code, "refresh token reuse detected; session ended");
            }
            AuditKind::Rejected => {
                tracing::debug!(target: "authjwt::audit", event, code, "request rejected");
            }
            _ => {
                tracing::info!(target: "authjwt::audit", event, subject, session, code, "session event");
            }
        }
    }
}

/// Sends `event` to `sink`, or to [`TracingAudit`] without one.
pub(crate) fn emit(sink: Option<&dyn AuditSink>, event: AuditEvent<'_>) {
    match sink {
        Some(sink) => sink.record(&event),
        None => TracingAudit.record(&event),
    }
}

/// A rejection: traced as before, and audited with its code.
/// Without a sink, the `authjwt::rejection` debug event is the record: no second one.
pub(crate) fn rejected(sink: Option<&dyn AuditSink>, error: &AuthError) {
    error.trace();
    if let Some(sink) = sink {
        let mut event = AuditEvent::new(AuditKind::Rejected);
        event.code = Some(error.code());
        sink.record(&event);
    }
}
