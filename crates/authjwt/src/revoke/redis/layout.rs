//! The key layout: where each revocation, event stream, expiry index, rotation record and
//! session registry lives, so that everything one script touches shares a Cluster hash tag.
//!
//! | key | type | what |
//! |---|---|---|
//! | `P:{sN}:jti:<jti>`, `P:{sN}:fam:<family>`, `P:{sN}:sub:<subject>` | string | a revocation, with its TTL |
//! | `P:{sN}:events` | stream | shard N's revocation events (propagation) |
//! | `P:{sN}:idx` | sorted set | shard N's revocation keys by expiry (start-up load) |
//! | `P:rot:{<session>}` | hash | a session's rotation record |
//! | `P:ses:{<subject>}` | hash | a subject's session registry |
//!
//! `N` is [`SHARDS`]-wise: a stable hash of the id (FNV-1a), the same on every instance.
//! Keys of the previous release (`P:jti:<jti>`, …, stream `P:events`) are still read on a
//! single node.

/// Revocation shards: each has its own stream, index and hash tag, so their writes spread over
/// a Cluster's primaries. Part of the data layout: every instance uses the same number.
pub(super) const SHARDS: u16 = 4;

/// Where the store's keys live, under one prefix.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub(super) prefix: String,
}

/// FNV-1a, 32 bits: stable across processes and releases (std's hasher is neither).
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

impl Layout {
    /// The shard of a revocation id.
    pub(super) fn shard_of(id: &str) -> u16 {
        // SHARDS is small: the remainder always fits.
        u16::try_from(fnv1a(id.as_bytes()) % u32::from(SHARDS)).unwrap_or(0)
    }

    /// `P:{sN}:<kind>:<id>`.
    pub(super) fn revocation_key(&self, kind: &str, id: &str) -> String {
        format!("{}:{{s{}}}:{kind}:{id}", self.prefix, Self::shard_of(id))
    }

    /// `P:{sN}:events`.
    pub(super) fn stream(&self, shard: u16) -> String {
        format!("{}:{{s{shard}}}:events", self.prefix)
    }

    /// `P:{sN}:idx`.
    pub(super) fn index(&self, shard: u16) -> String {
        format!("{}:{{s{shard}}}:idx", self.prefix)
    }

    /// The previous release's single stream, `P:events` (read on a single node only).
    pub(super) fn legacy_stream(&self) -> String {
        format!("{}:events", self.prefix)
    }

    /// The key of a session's rotation record: `P:rot:{session}`, the braces a hash tag so
    /// everything about one session lives in one Cluster slot.
    pub(super) fn rotation_key(&self, session: &str) -> String {
        format!("{}:rot:{{{session}}}", self.prefix)
    }

    /// The key of a subject's session registry: `P:ses:{subject}` (a hash of session id to
    /// JSON record), one Cluster slot per subject.
    pub(super) fn sessions_key(&self, subject: &str) -> String {
        format!("{}:ses:{{{subject}}}", self.prefix)
    }

    /// The `(kind, id)` of a revocation key of either layout; `None` for anything else
    /// (streams, indexes, rotation records, registries, other applications' keys).
    pub(super) fn parse<'k>(&self, key: &'k str) -> Option<(&'k str, &'k str)> {
        let rest = key.strip_prefix(self.prefix.as_str())?.strip_prefix(':')?;
        let rest = match rest.strip_prefix("{s") {
            Some(tagged) => tagged.split_once("}:")?.1,
            None => rest,
        };
        let (kind, id) = rest.split_once(':')?;
        matches!(kind, "jti" | "fam" | "sub").then_some((kind, id))
    }

    /// Whether the prefix can carry the layout: no braces (they would move the hash tag).
    pub(super) fn valid_prefix(prefix: &str) -> bool {
        !prefix.is_empty() && !prefix.contains(['{', '}'])
    }
}

#[cfg(test)]
mod tests {
    use super::{Layout, SHARDS};

    #[test]
    fn keys_of_one_shard_share_its_hash_tag() {
        let layout = Layout {
            prefix: "app".into(),
        };
        let key = layout.revocation_key("sub", "a:{b}");
        let shard = Layout::shard_of("a:{b}");
        assert!(shard < SHARDS);
        assert_eq!(key, format!("app:{{s{shard}}}:sub:a:{{b}}"));
        assert_eq!(layout.stream(shard), format!("app:{{s{shard}}}:events"));
        assert_eq!(layout.parse(&key), Some(("sub", "a:{b}")));
        // The previous release's keys are still understood.
        assert_eq!(layout.parse("app:jti:x:y"), Some(("jti", "x:y")));
        assert_eq!(layout.parse(&layout.stream(1)), None);
        assert_eq!(layout.parse(&layout.index(1)), None);
        assert_eq!(layout.parse(&layout.rotation_key("s")), None);
        assert_eq!(layout.parse(&layout.sessions_key("u")), None);
        assert_eq!(layout.parse("other:jti:x"), None);
        // Stable: the same id lands in the same shard in every process and release.
        assert_eq!(Layout::shard_of("user1"), Layout::shard_of("user1"));
        assert!(!Layout::valid_prefix("a{b"));
        assert!(Layout::valid_prefix("shop:auth"));
    }
}
