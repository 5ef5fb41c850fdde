//! One pass over everything the Redis store does, with two instances sharing a deployment
//! (a TLS node, an ACL user, a Cluster): the session registry, propagation of logouts within
//! the 100 ms budget, concurrent refreshes within the reuse window, a revoke-all, and atomic
//! first use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use authjwt::redis::RedisStore;
use authjwt::revoke::RevocationStore;
use authjwt::sessions::Login;
use authjwt::{Auth, AuthError, Config, Protection, TokenLocation, claims::NoCustomClaims};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

pub fn auth(store: RedisStore) -> Auth {
    Auth::new(
        Config::builder()
            .secret(SECRET)
            .token_location([TokenLocation::Headers])
            .refresh_reuse_window(Duration::from_secs(30))
            .revocation_store(Arc::new(store))
            .build()
            .unwrap(),
    )
}

pub fn bearer(method: &str, token: &str) -> http::request::Parts {
    http::Request::builder()
        .method(method)
        .uri("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap()
        .into_parts()
        .0
}

pub async fn access(auth: &Auth, token: &str) -> Result<(), AuthError> {
    auth.authenticate::<NoCustomClaims>(&bearer("GET", token), &Protection::access())
        .await
        .map(drop)
}

pub async fn refresh(
    auth: &Auth,
    token: &str,
) -> Result<authjwt::sessions::RefreshedTokens, AuthError> {
    auth.refresh::<NoCustomClaims>(&bearer("POST", token), &Protection::refresh())
        .await
}

/// Polls until `token` is refused as revoked at `auth`; the time it took.
pub async fn until_revoked(auth: &Auth, token: &str, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if access(auth, token).await == Err(AuthError::TokenRevoked) {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    None
}

/// Runs the whole pass with two instances' stores (`tag` names users apart); returns the
/// worst logout propagation seen from one instance to the other.
pub async fn exercise(tag: &str, a: RedisStore, b: RedisStore) -> Duration {
    let (sa, sb) = (a.clone(), b.clone());
    let (a, b) = (auth(a), auth(b));

    // The registry: a login at A is listed at B.
    let user = format!("{tag}-user");
    let login = a.login(Login::new(&user).label("laptop")).await.unwrap();
    let listed = b.sessions_of(&user).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id, login.refresh.family().unwrap());

    // Concurrent refreshes of one token at both instances: one successor, both answered.
    let (ra, rb) = tokio::join!(
        refresh(&a, login.refresh.as_str()),
        refresh(&b, login.refresh.as_str())
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.refresh.as_str(), rb.refresh.as_str(), "one successor");
    access(&b, ra.access.as_str()).await.unwrap();

    // Logouts at A reach B within the budget.
    let mut worst = Duration::ZERO;
    for round in 0..5 {
        let tokens = a.create_login_tokens(format!("{tag}-p{round}")).unwrap();
        access(&b, tokens.access.as_str()).await.unwrap();
        let _cleared = a
            .logout(&bearer("POST", tokens.access.as_str()))
            .await
            .unwrap();
        let took = until_revoked(&b, tokens.access.as_str(), Duration::from_secs(2))
            .await
            .expect("the logout never reached instance B");
        worst = worst.max(took);
        // The refresh token of the ended session is refused at B at once.
        assert!(refresh(&b, tokens.refresh.as_str()).await.is_err());
    }
    assert!(
        worst < Duration::from_millis(100),
        "propagation took {worst:?}"
    );

    // Revoke-all at B: A refuses the user's earlier tokens, and lists no session.
    b.revoke_all(&user).await.unwrap();
    until_revoked(&a, ra.access.as_str(), Duration::from_secs(2))
        .await
        .expect("the revoke-all never reached instance A");
    assert!(a.sessions_of(&user).await.unwrap().is_empty());
    assert!(refresh(&a, ra.refresh.as_str()).await.is_err());

    // First use is atomic across the two.
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    for i in 0..20 {
        let jti = format!("{tag}-jti-{i}");
        let (x, y) = tokio::join!(sa.consume(&jti, exp), sb.consume(&jti, exp));
        assert_eq!(u8::from(x.unwrap()) + u8::from(y.unwrap()), 1);
    }
    worst
}
