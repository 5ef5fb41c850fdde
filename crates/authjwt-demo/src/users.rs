//! The demo's two users, as in seed 002's complete example, and the [`UserLookup`] that
//! resolves every token's subject to one of them.

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use authjwt::{
    Auth, Authenticated, Claims,
    claims::NoCustomClaims,
    error::AuthRejection,
    user::{UserLookup, UserLookupError},
};

/// A user of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    /// The login name, also the tokens' subject.
    pub username: &'static str,
    /// The user's email, shown by `GET /protected`.
    pub email: &'static str,
    /// The password's Argon2id hash, a PHC string (the password itself is stored nowhere).
    password_hash: &'static str,
}

/// user1/password1 and user2/password2, their passwords stored as Argon2id PHC strings
/// (Argon2's default parameters: 19 MiB, 2 passes, 1 lane; precomputed, each with its own
/// random salt).
pub const USERS: &[User] = &[
    User {
        username: "user1",
        email: "user1@example.com",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$CqipcH9gsc/PsalZ0lFyPg$rFoC/Un+tCwRHoN5XhPMa7lp6WbHVyLPQ4igax/MAfY",
    },
    User {
        username: "user2",
        email: "user2@example.com",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$EIE+fUH3agKpqehV6A+J6Q$V8aosTT4M3g0SD/ATAeHponVqscNXt3swkqAocbSiqg",
    },
];

/// What a login for an unknown name is verified against, with the same parameters, so that
/// it takes as long as a login with a wrong password: the answer's timing does not tell
/// which names exist. Its password does not matter: an unknown name is refused whatever
/// the result.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$ux/Q85SuLhDl5QmwAa8TFw$SPJH4d5YgQYsb6N2SBub3zZQBbd4Z0xCtdXDTk5I1jI";

/// The user with this name, compared as exact bytes: no case folding, no trimming, no
/// Unicode normalisation, so no other spelling of a name finds its user.
///
/// ```
/// use authjwt_demo::users::find;
/// assert_eq!(find("user1").map(|u| u.email), Some("user1@example.com"));
/// for other in ["USER1", "user1 ", " user1", "\u{ff55}\u{ff53}\u{ff45}\u{ff52}\u{ff11}", "user\u{200d}1", ""] {
///     assert!(find(other).is_none(), "{other:?}");
/// }
/// ```
pub fn find(username: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.username == username)
}

/// The demo's [`UserLookup`], registered in its configuration
/// ([`Settings::builder`](crate::Settings::builder)): a verified token's subject is looked
/// up with [`find`], so a token whose subject is not one of [`USERS`] (a deleted user, or
/// another spelling of a name) is refused with 401 `user_not_found` on every route that
/// shows the user.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use authjwt::{Auth, Protection, claims::NoCustomClaims};
/// use authjwt_demo::users::User;
///
/// let (config, _) = authjwt_demo::Settings::default().config()?;
/// let auth = Auth::new(config);
/// let bearer = |sub: &str| http::Request::get("/")
///     .header("authorization", format!("Bearer {}", auth.create_access_token(sub).unwrap()))
///     .body(()).unwrap().into_parts().0;
/// let headers = Protection::access().locations([authjwt::TokenLocation::Headers]);
/// let found = auth.authenticate_user::<User>(&bearer("user2"), &headers).await?;
/// assert_eq!(found.unwrap().user.email, "user2@example.com");
/// let refused = auth.authenticate_user::<User>(&bearer("USER2"), &headers).await;
/// assert_eq!(refused.unwrap_err().code(), "user_not_found");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoUsers;

/// The user of a refresh token that [`sessions::refresh`](crate::sessions::refresh) has
/// just used up, for `POST /refresh` and `POST /dual/refresh`: 401 `user_not_found` when
/// its subject is no user, and the new tokens are then never sent. Looked up after the
/// rotation, so that a replayed refresh token still ends its session first.
pub async fn of_refresh(auth: &Auth, used: &Authenticated) -> Result<User, AuthRejection> {
    auth.lookup_user::<User, _>(used)
        .await
        .map_err(|e| auth.reject(e))
}

impl UserLookup for DemoUsers {
    type User = User;
    type Claims = NoCustomClaims;

    async fn lookup(&self, claims: &Claims) -> Result<Option<User>, UserLookupError> {
        Ok(find(&claims.sub).copied())
    }
}

/// The user when the name and password match: the password is verified against the user's
/// Argon2id hash (`argon2::PasswordVerifier`, which compares in constant time), and an
/// unknown name against a dummy hash of the same cost, so that both refusals take the same
/// time. Argon2 costs tens of milliseconds of CPU: call it off the async workers
/// (`tokio::task::spawn_blocking`), as `POST /login` does.
///
/// ```
/// assert!(authjwt_demo::users::check("user1", "password1").is_some());
/// assert!(authjwt_demo::users::check("user1", "password2").is_none());
/// assert!(authjwt_demo::users::check("nobody", "password1").is_none());
/// ```
pub fn check(username: &str, password: &str) -> Option<&'static User> {
    let user = find(username);
    let phc = user.map_or(DUMMY_HASH, |u| u.password_hash);
    // Verified in every case, the unknown name included.
    let verified = PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    });
    user.filter(|_| verified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_hash_is_argon2id_with_the_default_cost() {
        let default = argon2::Params::default();
        for phc in USERS.iter().map(|u| u.password_hash).chain([DUMMY_HASH]) {
            let hash = PasswordHash::new(phc).unwrap();
            assert_eq!(hash.algorithm.as_str(), "argon2id", "{phc}");
            let params = argon2::Params::try_from(&hash).unwrap();
            assert_eq!(
                (params.m_cost(), params.t_cost(), params.p_cost()),
                (default.m_cost(), default.t_cost(), default.p_cost()),
                "the dummy must cost what a real verification costs: {phc}"
            );
        }
        // Each user's own password, and no other user's.
        assert_eq!(
            check("user1", "password1").map(|u| u.username),
            Some("user1")
        );
        assert_eq!(
            check("user2", "password2").map(|u| u.username),
            Some("user2")
        );
        assert!(check("user2", "password1").is_none());
        assert!(check("user1", "").is_none());
    }
}
