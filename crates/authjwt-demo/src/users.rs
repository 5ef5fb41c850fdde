//! The demo's two users, as in seed 002's complete example, and the [`UserLookup`] that
//! resolves every token's subject to one of them.

use authjwt::{
    Auth, Authenticated, Claims,
    claims::NoCustomClaims,
    error::AuthRejection,
    user::{UserLookup, UserLookupError},
};
use subtle::ConstantTimeEq;

/// A user of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    /// The login name, also the tokens' subject.
    pub username: &'static str,
    /// The user's email, shown by `GET /protected`.
    pub email: &'static str,
    password: &'static str,
}

/// user1/password1 and user2/password2.
pub const USERS: &[User] = &[
    User {
        username: "user1",
        email: "user1@example.com",
        password: "password1",
    },
    User {
        username: "user2",
        email: "user2@example.com",
        password: "password2",
    },
];

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

/// The user when the name and password match (the password is compared in constant time).
///
/// ```
/// assert!(authjwt_demo::users::check("user1", "password1").is_some());
/// assert!(authjwt_demo::users::check("user1", "password2").is_none());
/// assert!(authjwt_demo::users::check("nobody", "password1").is_none());
/// ```
pub fn check(username: &str, password: &str) -> Option<&'static User> {
    let user = find(username)?;
    bool::from(user.password.as_bytes().ct_eq(password.as_bytes())).then_some(user)
}
