//! The bounded replica's other half: tokens older than its window are checked in Redis.

use super::RedisStore;
use super::writer::Request;
use crate::claims::now;
use crate::revoke::{Session, StoreError, TokenRef};

/// What Redis holds against a token.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Verdict {
    /// Its `jti` is revoked (or used).
    pub(super) jti: bool,
    /// Its family or its subject (at its `iat`) is revoked.
    pub(super) session: bool,
}

impl RedisStore {
    /// The value of a revocation key, if live.
    async fn revocation(&self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        let mut get = redis::cmd("GET");
        get.arg(self.writer.layout.revocation_key(kind, id));
        self.retrying("read", &Request::Command(get)).await
    }

    /// Reads the token's revocations in Redis itself (not the replica).
    pub(super) async fn verdict_in_redis(
        &self,
        token: &TokenRef<'_>,
    ) -> Result<Verdict, StoreError> {
        let leading = |v: &str| v.split(',').next().and_then(|n| n.parse::<u64>().ok());
        let now = now();
        let jti = self
            .revocation("jti", token.jti)
            .await?
            .is_some_and(|v| leading(&v).is_some_and(|exp| exp >= now));
        let family = match token.family {
            Some(family) => self
                .revocation("fam", family)
                .await?
                .is_some_and(|v| leading(&v).is_some_and(|exp| exp >= now)),
            None => false,
        };
        let subject = self
            .revocation("sub", token.subject)
            .await?
            .is_some_and(|v| leading(&v).is_some_and(|cutoff| token.issued_at <= cutoff));
        Ok(Verdict {
            jti,
            session: family || subject,
        })
    }

    /// The token's revocations, from the replica when it covers the token (it must be
    /// current), else from Redis (and the replica, which may know a revocation this instance
    /// just made).
    pub(super) async fn verdict(&self, token: &TokenRef<'_>) -> Result<Verdict, StoreError> {
        self.ensure_current()?;
        let replica = Verdict {
            jti: self.shared.replica.has_jti(token.jti),
            session: self.shared.replica.session_revoked(token),
        };
        if self.shared.covers(token.issued_at) {
            return Ok(replica);
        }
        let redis = self.verdict_in_redis(token).await?;
        Ok(Verdict {
            jti: replica.jti || redis.jti,
            session: replica.session || redis.session,
        })
    }

    /// Whether a registry entry's session was ended (its family or its subject revoked
    /// after its login).
    pub(super) async fn session_ended(&self, session: &Session) -> Result<bool, StoreError> {
        let token = TokenRef {
            jti: "",
            family: Some(&session.id),
            subject: &session.subject,
            issued_at: session.created_at,
        };
        if self.shared.replica.session_revoked(&token) {
            return Ok(true);
        }
        if self.shared.covers(session.created_at) {
            return Ok(false);
        }
        Ok(self.verdict_in_redis(&token).await?.session)
    }
}
