//! The in-memory store stays bounded: a million revocations that expire leave nothing behind,
//! and later millions do not raise the process's peak.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use authjwt::revoke::{MemoryStore, RevocationStore, TokenRef};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Resident set size in KiB, from /proc.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A million revocations, all live at once, then expired; returns the RSS (KiB) measured
/// while all of them were live: the footprint of a million entries.
async fn cycle(store: &MemoryStore, round: u32, insert_secs: u64) -> u64 {
    // Far enough ahead that none expires while the million goes in, however slow the build
    // and however busy the machine (a debug build on two loaded cores takes seconds).
    let exp = now() + 2 + insert_secs * 2;
    let probe_jti = format!("{round}-7");
    let probe = TokenRef {
        jti: &probe_jti,
        family: None,
        subject: "s",
        issued_at: 0,
    };
    for i in 0..1_000_000u32 {
        store
            .revoke_jti(&format!("{round}-{i}"), exp)
            .await
            .unwrap();
        if i == 7 {
            assert!(store.is_revoked(&probe).await.unwrap());
        }
    }
    assert_eq!(store.len(), 1_000_000, "all live before they expire");
    let live_rss = rss_kib();
    // Past every entry's expiry (the store holds an entry through its `expires_at` second),
    // none counts any more, and `len` drops them all.
    while now() < exp + 2 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!store.is_revoked(&probe).await.unwrap());
    let left = store.len();
    println!("entries left after expiry: {left}");
    assert_eq!(left, 0, "{left} expired revocations were not evicted");
    live_rss
}

#[tokio::test]
async fn a_million_expiring_revocations_leave_memory_flat() {
    // Four rounds of a million revocations each, every round expiring before the next: the
    // store must hold nothing afterwards (checked exactly in `cycle`), and the process must
    // plateau. RSS is the allocator's view, so rounds 2 and 4 are compared with a margin that
    // a leak of even half a round would exceed.
    // How long a million inserts take here, measured on a throwaway store.
    let probe = MemoryStore::new();
    let started = std::time::Instant::now();
    for i in 0..100_000u32 {
        probe.revoke_jti(&format!("p-{i}"), u64::MAX).await.unwrap();
    }
    let insert_secs = u64::try_from(started.elapsed().as_millis() / 100).unwrap() + 1;
    drop(probe);
    let rss_before = rss_kib();
    let store = MemoryStore::new();
    let mut rss = Vec::new();
    let mut live = Vec::new();
    for round in 0..4 {
        live.push(cycle(&store, round, insert_secs).await);
        rss.push(rss_kib());
    }
    println!("RSS with a million live (KiB): {live:?}");
    println!("RSS after each million expired (KiB): {rss:?}");
    // A store that kept expired entries would add a million entries' footprint (what the
    // first round added while its million was live) to every later round's peak. The peaks
    // are compared, not the RSS after expiry: whether the allocator hands freed pages back
    // to the system varies from run to run (35 MB one run, 130 MB the next, both empty).
    let footprint = live[0].saturating_sub(rss_before);
    let growth = live[3].saturating_sub(live[1]);
    assert!(
        growth < footprint / 2,
        "the peak kept growing by {growth} KiB over two rounds (a million entries take \
         {footprint} KiB): {live:?}"
    );
}

/// Rotates each of `sessions` sessions `refreshes` times through `store`.
async fn rotate_sessions(store: &dyn RevocationStore, tag: &str, sessions: u32, refreshes: u32) {
    let far = now() + 3600;
    for s in 0..sessions {
        let session = format!("{tag}-{s}");
        for r in 0..refreshes {
            let (presented, successor) = (format!("{session}-{r}"), format!("{session}-{}", r + 1));
            let request = authjwt::revoke::RotationRequest {
                session: &session,
                presented: &presented,
                subject: "user",
                issued_at: 1,
                presented_expires_at: far,
                successor: &successor,
                signature: None,
                now_ms: u64::from(r) * 1_000_000,
                window_ms: 30_000,
                expires_at: far,
            };
            assert_eq!(
                store.rotate(&request).await.unwrap(),
                authjwt::revoke::Rotation::Rotated
            );
        }
    }
}

/// The trait's default rotation: the previous release's one consumed entry per refresh.
#[derive(Debug)]
struct PreviousRelease(MemoryStore);

#[async_trait::async_trait]
impl RevocationStore for PreviousRelease {
    async fn is_revoked(&self, token: &TokenRef<'_>) -> Result<bool, authjwt::revoke::StoreError> {
        self.0.is_revoked(token).await
    }
    async fn revoke_jti(&self, jti: &str, exp: u64) -> Result<(), authjwt::revoke::StoreError> {
        self.0.revoke_jti(jti, exp).await
    }
    async fn revoke_family(&self, f: &str, exp: u64) -> Result<(), authjwt::revoke::StoreError> {
        self.0.revoke_family(f, exp).await
    }
    async fn revoke_subject(
        &self,
        s: &str,
        c: u64,
        exp: u64,
    ) -> Result<(), authjwt::revoke::StoreError> {
        self.0.revoke_subject(s, c, exp).await
    }
    async fn consume(&self, jti: &str, exp: u64) -> Result<bool, authjwt::revoke::StoreError> {
        self.0.consume(jti, exp).await
    }
}

#[tokio::test]
async fn rotation_state_is_one_record_per_session_whatever_the_refreshes() {
    const SESSIONS: u32 = 50_000;
    let store = MemoryStore::new();
    let before = rss_kib();
    rotate_sessions(&store, "a", SESSIONS, 1).await;
    let one = rss_kib().saturating_sub(before);
    assert_eq!(store.len(), u64::from(SESSIONS));
    // Twenty more refreshes of every session: still one record each.
    rotate_sessions(&store, "a", SESSIONS, 20).await;
    assert_eq!(store.len(), u64::from(SESSIONS), "one record per session");

    let old = PreviousRelease(MemoryStore::new());
    let before = rss_kib();
    rotate_sessions(&old, "b", SESSIONS / 10, 20).await;
    let old_growth = rss_kib().saturating_sub(before);
    assert_eq!(
        old.0.len(),
        u64::from(SESSIONS / 10) * 20,
        "one entry per refresh"
    );
    println!(
        "memory store: ~{} bytes per session (one record, {SESSIONS} sessions); previous \
         release: ~{} bytes per session after 20 refreshes (20 entries each)",
        one * 1024 / u64::from(SESSIONS),
        old_growth * 1024 / u64::from(SESSIONS / 10)
    );
    assert!(
        one * 1024 / u64::from(SESSIONS) < 1024,
        "a session's record should take well under 1 KiB"
    );
}

#[tokio::test]
async fn the_session_registry_is_bounded_and_forgets_expired_sessions() {
    use authjwt::revoke::Session;
    const SESSIONS: u64 = 50_000;
    let store = MemoryStore::new();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let before = rss_kib();
    for i in 0..SESSIONS {
        let mut s = Session::new(
            format!("session-{i:06}"),
            format!("user{}", i % 5_000),
            now,
            now + 3600,
        );
        s.user_agent = Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0".to_owned());
        store.register_session(&s).await.unwrap();
    }
    let grown = rss_kib().saturating_sub(before);
    println!(
        "memory store registry: ~{} bytes per session ({SESSIONS} sessions, 5000 subjects)",
        grown * 1024 / SESSIONS
    );
    assert_eq!(store.sessions("user7").await.unwrap().len(), 10);
    // Expired sessions are not listed, and a write for the subject drops them.
    let expired = Session::new("old", "user7", now - 7200, now - 3600);
    store.register_session(&expired).await.unwrap();
    assert_eq!(store.sessions("user7").await.unwrap().len(), 10);
    // Ending a session's family hides it; forgetting drops it.
    store
        .revoke_family("session-000007", now + 3600)
        .await
        .unwrap();
    assert_eq!(store.sessions("user7").await.unwrap().len(), 9);
    store
        .forget_session("user7", "session-005007")
        .await
        .unwrap();
    assert_eq!(store.sessions("user7").await.unwrap().len(), 8);
    // A revoke-all after the logins ends them all.
    store
        .revoke_subject("user8", now, now + 3600)
        .await
        .unwrap();
    assert!(store.sessions("user8").await.unwrap().is_empty());
}
