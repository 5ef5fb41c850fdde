//! The refresh-rotation state machine, one decision per presented refresh token. The memory
//! store runs it under a shard lock; the Redis store runs the same rules in one Lua script
//! over the session's record (`redis.rs`, `ROTATE`), and the tests hold both to this one.

use super::{Rotation, RotationRequest, Successor};

/// What a store keeps per session: one record, whatever the number of refreshes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// The current refresh token's id: the only one that rotates.
    pub(crate) current: Box<str>,
    /// The token `current` succeeded: presented again within the window, it gets `current`.
    pub(crate) previous: Option<Box<str>>,
    /// When `previous` was rotated into `current`, milliseconds since the Unix epoch.
    pub(crate) rotated_at_ms: u64,
    /// `current`'s signature, for randomized algorithms.
    pub(crate) signature: Option<Box<[u8]>>,
    /// The session was ended (reuse, logout, revocation): nothing rotates any more.
    pub(crate) ended: bool,
    /// The proposed successor of the call that found the reuse: that call's retry (after a
    /// lost reply) is told "reused" again, so it still revokes the session's family.
    pub(crate) ended_by: Option<Box<str>>,
    /// When the record may be forgotten, seconds since the Unix epoch.
    pub(crate) expires_at: u64,
}

impl Record {
    /// A record of an ended session, kept until `expires_at`.
    pub(crate) fn ended(expires_at: u64, ended_by: Option<&str>) -> Self {
        Self {
            current: "".into(),
            previous: None,
            rotated_at_ms: 0,
            signature: None,
            ended: true,
            ended_by: ended_by.map(Into::into),
            expires_at,
        }
    }

    /// The record after `request` rotated; it never expires sooner than it did.
    fn rotated(request: &RotationRequest<'_>, kept_until: u64) -> Self {
        Self {
            current: request.successor.into(),
            previous: Some(request.presented.into()),
            rotated_at_ms: request.now_ms,
            signature: request.signature.map(Into::into),
            ended: false,
            ended_by: None,
            expires_at: request.expires_at.max(kept_until),
        }
    }

    /// Whether `jti` was rotated away: neither the current token nor, within `window_ms`
    /// of its rotation, the previous one. Such a token is refused everywhere but by
    /// [`decide`], which tells a replay from a reuse.
    pub(crate) fn rotated_out(&self, jti: &str, now_ms: u64, window_ms: u64) -> bool {
        if self.ended {
            return true;
        }
        let in_window = window_ms > 0 && now_ms.saturating_sub(self.rotated_at_ms) <= window_ms;
        !(*self.current == *jti || (self.previous.as_deref() == Some(jti) && in_window))
    }
}

/// The decision for `request` given the session's record, and the record to write (`None`:
/// leave it as it is).
pub(crate) fn decide(
    record: Option<&Record>,
    request: &RotationRequest<'_>,
) -> (Option<Record>, Rotation) {
    let Some(record) = record else {
        // No record: the session's first refresh, or a token of an earlier release. Adopted.
        return (Some(Record::rotated(request, 0)), Rotation::Rotated);
    };
    if record.ended {
        if record.ended_by.as_deref() == Some(request.successor) {
            return (None, Rotation::Reused);
        }
        return (None, Rotation::Ended);
    }
    if *record.current == *request.successor {
        // This call's own earlier attempt rotated (a retry after a lost reply).
        return (None, Rotation::Rotated);
    }
    if *record.current == *request.presented {
        let rotated = Record::rotated(request, record.expires_at);
        return (Some(rotated), Rotation::Rotated);
    }
    let age = request.now_ms.saturating_sub(record.rotated_at_ms);
    if record.previous.as_deref() == Some(request.presented)
        && request.window_ms > 0
        && age <= request.window_ms
    {
        let successor = Successor {
            jti: record.current.to_string(),
            rotated_at_ms: record.rotated_at_ms,
            signature: record.signature.as_deref().map(<[u8]>::to_vec),
        };
        return (None, Rotation::Replayed(successor));
    }
    // Presented after the window, or older than the previous token: the chain diverged.
    let until = record.expires_at.max(request.expires_at);
    let ended = Record::ended(until, Some(request.successor));
    (Some(ended), Rotation::Reused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(presented: &'a str, successor: &'a str, now_ms: u64) -> RotationRequest<'a> {
        RotationRequest {
            session: "s",
            presented,
            subject: "u",
            issued_at: 1,
            presented_expires_at: 100,
            successor,
            signature: None,
            now_ms,
            window_ms: 30_000,
            expires_at: 1_000,
        }
    }

    /// Runs `decide` and applies its write, like a store does.
    fn step(record: &mut Option<Record>, request: &RotationRequest<'_>) -> Rotation {
        let (write, outcome) = decide(record.as_ref(), request);
        if let Some(write) = write {
            *record = Some(write);
        }
        outcome
    }

    #[test]
    fn presented_token_current_previous_older_unknown_inside_and_outside_the_window() {
        let mut r = None;
        assert_eq!(step(&mut r, &request("r0", "r1", 0)), Rotation::Rotated);
        assert_eq!(step(&mut r, &request("r1", "r2", 1_000)), Rotation::Rotated);
        // previous (r1) inside the window: the same successor, r2, with the rotation's time.
        let Rotation::Replayed(s) = step(&mut r, &request("r1", "x", 30_999)) else {
            panic!("replay expected")
        };
        assert_eq!((s.jti.as_str(), s.rotated_at_ms), ("r2", 1_000));
        // The replay changed nothing: r2 is still the current token.
        assert_eq!(r.as_ref().map(|r| &*r.current), Some("r2"));
        // previous outside the window: reuse, and the session is ended.
        let mut late = r.clone();
        assert_eq!(
            step(&mut late, &request("r1", "y", 31_001)),
            Rotation::Reused
        );
        assert_eq!(
            step(&mut late, &request("r2", "z", 31_002)),
            Rotation::Ended
        );
        // older than previous (r0), even inside the window: reuse.
        let mut older = r.clone();
        assert_eq!(
            step(&mut older, &request("r0", "y", 1_001)),
            Rotation::Reused
        );
        // unknown id of the session: reuse.
        let mut unknown = r.clone();
        assert_eq!(
            step(&mut unknown, &request("zz", "y", 1_001)),
            Rotation::Reused
        );
        // current outside any window still rotates.
        assert_eq!(
            step(&mut r, &request("r2", "r3", 9_999_999)),
            Rotation::Rotated
        );
    }

    #[test]
    fn a_retry_of_the_winning_call_is_not_reuse() {
        let mut r = None;
        assert_eq!(step(&mut r, &request("r0", "r1", 0)), Rotation::Rotated);
        let strict = RotationRequest {
            window_ms: 0,
            ..request("r0", "r1", 5)
        };
        assert_eq!(step(&mut r, &strict), Rotation::Rotated);
    }

    #[test]
    fn the_retry_of_the_call_that_found_a_reuse_is_told_reuse_again() {
        let mut r = None;
        step(&mut r, &request("r0", "r1", 0));
        step(&mut r, &request("r1", "r2", 1));
        assert_eq!(step(&mut r, &request("r0", "x", 2)), Rotation::Reused);
        assert_eq!(step(&mut r, &request("r0", "x", 3)), Rotation::Reused);
        assert_eq!(step(&mut r, &request("r0", "y", 4)), Rotation::Ended);
    }

    #[test]
    fn rotated_out_tokens_are_all_but_the_current_and_the_previous_in_its_window() {
        let mut r = None;
        step(&mut r, &request("r0", "r1", 0));
        step(&mut r, &request("r1", "r2", 1_000));
        let r = r.unwrap();
        assert!(!r.rotated_out("r2", 1_000_000, 30_000), "current");
        assert!(
            !r.rotated_out("r1", 31_000, 30_000),
            "previous in the window"
        );
        assert!(
            r.rotated_out("r1", 31_001, 30_000),
            "previous after the window"
        );
        assert!(r.rotated_out("r1", 1_001, 0), "strict");
        assert!(r.rotated_out("r0", 1_001, 30_000), "older");
        assert!(Record::ended(9, None).rotated_out("r2", 0, 30_000), "ended");
    }

    #[test]
    fn a_record_is_never_kept_for_less_time() {
        let mut r = None;
        step(&mut r, &request("r0", "r1", 0));
        let shorter = RotationRequest {
            expires_at: 10,
            ..request("r1", "r2", 1)
        };
        step(&mut r, &shorter);
        assert_eq!(r.map(|r| r.expires_at), Some(1_000));
    }

    #[test]
    fn strict_rotation_has_no_replay() {
        let mut r = None;
        let strict = |p, s, t| RotationRequest {
            window_ms: 0,
            ..request(p, s, t)
        };
        assert_eq!(step(&mut r, &strict("r0", "r1", 0)), Rotation::Rotated);
        assert_eq!(step(&mut r, &strict("r0", "r1b", 0)), Rotation::Reused);
        assert_eq!(step(&mut r, &strict("r1", "r2", 0)), Rotation::Ended);
    }

    #[test]
    fn an_ended_record_outlives_what_it_ends() {
        let mut r = None;
        step(&mut r, &request("r0", "r1", 0));
        let late = RotationRequest {
            expires_at: 5_000,
            ..request("r0", "x", 60_000)
        };
        assert_eq!(step(&mut r, &late), Rotation::Reused);
        assert_eq!(r.map(|r| (r.ended, r.expires_at)), Some((true, 5_000)));
    }
}
