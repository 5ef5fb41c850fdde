//! The session registry's record: one login, the family of tokens rotation grows from it.
//! Kept by the revocation store beside the revocations (memory and Redis, same semantics),
//! written at login and at each refresh, never on the request path.

use serde::{Deserialize, Serialize};

/// Longest user agent or label kept, in bytes: a registry entry stays small whatever a
/// client sends.
pub(crate) const MAX_TEXT: usize = 256;

/// One session of a subject, as the registry keeps it and
/// [`Auth::sessions`](crate::Auth::sessions) lists it. Times are Unix seconds.
///
/// ```
/// use authjwt::revoke::Session;
/// let s = Session::new("session-id", "user1", 1_700_000_000, 1_700_086_400);
/// assert_eq!((s.created_at, s.last_seen_at), (1_700_000_000, 1_700_000_000));
/// assert!(!s.current);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Session {
    /// The session's id: its token family (opaque, random).
    pub id: String,
    /// Its subject (`sub`).
    pub subject: String,
    /// When the login happened.
    pub created_at: u64,
    /// The login's time in milliseconds, which orders logins of the same second (0 when the
    /// registry learnt of the session at a refresh).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub created_at_ms: u64,
    /// The last refresh (the login's time until the first).
    pub last_seen_at: u64,
    /// When its current refresh token expires: the session ends then unless refreshed.
    pub expires_at: u64,
    /// The user agent the login came with, if the application gave it (at most 256 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// A label the application gave the login ("Firefox on Linux"), at most 256 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Whether this is the session of the request that listed it (set by
    /// [`Auth::sessions`](crate::Auth::sessions); stores leave it `false`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub current: bool,
}

impl Session {
    /// A session of `subject` created at `created_at`, alive until `expires_at`.
    ///
    /// ```
    /// let s = authjwt::revoke::Session::new("s1", "user1", 10, 20);
    /// assert_eq!(s.expires_at, 20);
    /// ```
    pub fn new(
        id: impl Into<String>,
        subject: impl Into<String>,
        created_at: u64,
        expires_at: u64,
    ) -> Self {
        Self {
            id: id.into(),
            subject: subject.into(),
            created_at,
            created_at_ms: 0,
            last_seen_at: created_at,
            expires_at,
            user_agent: None,
            label: None,
            current: false,
        }
    }

    /// Alive at `now`: held through its last second, like every store entry.
    pub(crate) fn live(&self, now: u64) -> bool {
        self.expires_at >= now
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Cuts `text` to at most [`MAX_TEXT`] bytes on a character boundary.
pub(crate) fn bounded(text: &str) -> String {
    let mut end = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Every session of one subject, as the memory store keeps them (one entry per subject,
/// alive as long as its longest-lived session).
#[derive(Debug, Clone, Default)]
pub(crate) struct SubjectSessions {
    pub(crate) sessions: Vec<Session>,
}

impl SubjectSessions {
    /// When the last of them expires.
    pub(crate) fn expires_at(&self) -> u64 {
        self.sessions
            .iter()
            .map(|s| s.expires_at)
            .max()
            .unwrap_or(0)
    }

    /// Adds or replaces `session`, dropping the expired ones.
    pub(crate) fn put(&mut self, session: Session, now: u64) {
        self.sessions.retain(|s| s.live(now) && s.id != session.id);
        self.sessions.push(session);
    }

    /// Notes a refresh of `id`: its last-seen time and its new expiry (never shortened).
    /// `false` when the subject has no such session.
    pub(crate) fn touch(&mut self, id: &str, seen_at: u64, expires_at: u64, now: u64) -> bool {
        self.sessions.retain(|s| s.live(now));
        match self.sessions.iter_mut().find(|s| s.id == id) {
            Some(s) => {
                s.last_seen_at = s.last_seen_at.max(seen_at);
                s.expires_at = s.expires_at.max(expires_at);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_on_a_character_boundary() {
        let long = "é".repeat(200); // 400 bytes
        let cut = bounded(&long);
        assert!(cut.len() <= MAX_TEXT && cut.chars().all(|c| c == 'é'));
        assert_eq!(bounded("short"), "short");
    }

    #[test]
    fn put_replaces_and_drops_expired_touch_never_shortens() {
        let mut set = SubjectSessions::default();
        set.put(Session::new("a", "u", 1, 5), 1);
        set.put(Session::new("b", "u", 2, 50), 2);
        set.put(Session::new("b", "u", 2, 60), 2);
        assert_eq!(set.sessions.len(), 2);
        assert!(set.touch("b", 9, 40, 9)); // "a" expired at 5: dropped
        assert_eq!(set.sessions.len(), 1);
        assert_eq!(
            (set.sessions[0].last_seen_at, set.sessions[0].expires_at),
            (9, 60)
        );
        assert!(!set.touch("zz", 9, 40, 9));
        assert_eq!(set.expires_at(), 60);
    }
}
