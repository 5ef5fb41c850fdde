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
    /// When the record may be forgotten, seconds since the Unix epoch.
    pub(crate) expires_at: u64,
}

impl Record {
    /// A record of an ended session, kept until `expires_at`.
    pub(crate) fn ended(expires_at: u64) -> Self {
        Self {
            current: "".into(),
            previous: None,
            rotated_at_ms: 0,
            signature: None,
            ended: true,
            expires_at,
        }
    }

    fn rotated(request: &RotationRequest<'_>) -> Self {
        Self {
            current: request.successor.into(),
            previous: Some(request.presented.into()),
            rotated_at_ms: request.now_ms,
            signature: request.signature.map(Into::into),
            ended: false,
            expires_at: request.expires_at,
        }
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
        return (Some(Record::rotated(request)), Rotation::Rotated);
    };
    if record.ended {
        return (None, Rotation::Ended);
    }
    if *record.current == *request.successor {
        // This call's own earlier attempt rotated (a retry after a lost reply).
        return (None, Rotation::Rotated);
    }
    if *record.current == *request.presented {
        return (Some(Record::rotated(request)), Rotation::Rotated);
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
    let ended = Record::ended(record.expires_at.max(request.expires_at));
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
