//! The demo's two users, as in seed 002's complete example.

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

/// The user with this name.
pub fn find(username: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.username == username)
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
