//! User lookup (flask-jwt-extended's `user_lookup_loader`): the application loads its own
//! user from a verified token's claims, once per request, and handlers receive that user
//! through [`CurrentUser`].
//!
//! # Design
//!
//! - **One lookup per user type, registered on the configuration**
//!   ([`ConfigBuilder::user_lookup`](crate::ConfigBuilder::user_lookup)), beside the other
//!   pieces an application plugs in (the error responder, the revocation store). Every
//!   [`Auth`] built from it, and so every extractor, finds it there: handlers name only
//!   the user type, `CurrentUser<User>`, never the lookup.
//! - **Type-safe without trusting anyone**: the registry keeps each lookup type-erased
//!   behind [`Any`](std::any::Any), keyed by its user type, and gets it back with a checked downcast to
//!   that exact type. A `CurrentUser<Admin>` can only ever be served by a lookup whose
//!   `User` is `Admin`; when there is none, the request fails closed with 500
//!   `auth_misconfigured` (a wiring bug, reported as such).
//! - **The lookup reads the claims it needs**: [`UserLookup::Claims`] is the custom-claims
//!   type it is handed (a tenant id, say), or [`NoCustomClaims`]. Handlers get the user
//!   and the token's standard claims ([`CurrentUser::token`]).
//! - **Authentication first, lookup last**: the token is located, verified, its freshness,
//!   CSRF header and revocation checked exactly as for `AccessToken`; only a token that
//!   passes all of that reaches the lookup, so forged, cross-site or revoked requests never
//!   cost a database query.
//! - **Three outcomes, three answers**: a user → the handler runs; no user (the subject was
//!   deleted, or never existed) → 401 `user_not_found`, so a deleted user's tokens stop
//!   working at once; the lookup failed ([`UserLookupError`], a database that cannot
//!   answer) → 503 `user_lookup_unavailable`, failing closed like the revocation store, so
//!   clients can tell "log in again" from "try again shortly".
//! - **Refresh with rotation looks the user up after the rotation**
//!   ([`Auth::lookup_user`] on the token it used up), so reuse detection still sees a
//!   replayed token first; a deleted user's refresh then fails and its new tokens are never
//!   sent.

use std::any::type_name;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::claims::{Claims, NoCustomClaims, TokenType};
use crate::config::ConfigBuilder;
use crate::error::AuthError;
use crate::guard::{Authenticated, Extract, Protection};

/// The message of the 500 answered when no lookup is registered for a user type.
const NO_LOOKUP: &str = "no UserLookup is registered for this CurrentUser's user type: \
                         register one with ConfigBuilder::user_lookup";

/// Loads the application's user from the claims of a verified token (flask-jwt-extended's
/// `user_lookup_loader`). Register it with
/// [`ConfigBuilder::user_lookup`](crate::ConfigBuilder::user_lookup); the
/// [`CurrentUser`] extractors of both adapters, and [`Auth::authenticate_user`], run it.
///
/// Answer `Ok(None)` when the subject names no user (deleted, or never existed): the request
/// is refused with 401 `user_not_found`. Answer `Err` only when the user store cannot answer
/// (it is down, it timed out): the request is refused with 503 `user_lookup_unavailable`
/// and the error is logged, never sent to the client. The lookup runs on every request of
/// the routes that use it, after every token check has passed.
///
/// Match the subject exactly, as the bytes it is: a token for `USER1`, `user1 ` (trailing
/// space) or a look-alike spelled with other Unicode code points must not find `user1`.
/// Normalising (case folding, trimming, Unicode normalisation) would let one user's tokens
/// name another.
///
/// ```
/// use std::collections::HashMap;
/// use authjwt::{Claims, claims::NoCustomClaims, user::{UserLookup, UserLookupError}};
///
/// #[derive(Debug, Clone)]
/// struct User { name: String, email: String }
///
/// #[derive(Debug)]
/// struct Users(HashMap<String, User>);
///
/// impl UserLookup for Users {
///     type User = User;
///     type Claims = NoCustomClaims;
///
///     async fn lookup(&self, claims: &Claims) -> Result<Option<User>, UserLookupError> {
///         // A database would be asked here (and its errors mapped to UserLookupError).
///         Ok(self.0.get(&claims.sub).cloned()) // exact match: no case folding, no trimming
///     }
/// }
///
/// let users = Users(HashMap::from([(
///     "user1".to_owned(),
///     User { name: "user1".into(), email: "user1@example.com".into() },
/// )]));
/// let config = authjwt::Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .user_lookup(users)
///     .build()?;
/// # Ok::<(), authjwt::ConfigError>(())
/// ```
///
/// A lookup that reads custom claims names their type:
///
/// ```
/// use authjwt::{Claims, user::{UserLookup, UserLookupError}};
///
/// #[derive(serde::Deserialize)]
/// struct Tenant { tenant: String }
///
/// #[derive(Debug)]
/// struct Member { tenant: String, name: String }
///
/// struct Members;
///
/// impl UserLookup for Members {
///     type User = Member;
///     type Claims = Tenant;
///
///     async fn lookup(&self, claims: &Claims<Tenant>) -> Result<Option<Member>, UserLookupError> {
///         // Look the subject up in the tenant's own table.
///         Ok(Some(Member { tenant: claims.custom.tenant.clone(), name: claims.sub.clone() }))
///     }
/// }
/// ```
pub trait UserLookup: Send + Sync + 'static {
    /// The application's user: what `CurrentUser<Self::User>` hands to handlers. One lookup
    /// serves each user type.
    type User: Send + Sync + 'static;

    /// The custom claims the lookup reads ([`NoCustomClaims`] for none). A token whose
    /// claims do not fit is refused with 401 `invalid_claims` before the lookup runs.
    type Claims: DeserializeOwned + Send + Sync + 'static;

    /// The user the verified `claims` name (their subject is `claims.sub`), `Ok(None)` when
    /// there is none, or an error when the user store cannot answer.
    fn lookup(
        &self,
        claims: &Claims<Self::Claims>,
    ) -> impl Future<Output = Result<Option<Self::User>, UserLookupError>> + Send;
}

/// A [`UserLookup`] could not answer (its database is down, it timed out): the request
/// fails closed with 503 `user_lookup_unavailable`. The message is logged (target
/// `authjwt::users`), never sent to the client.
///
/// ```
/// let err = authjwt::user::UserLookupError::new("database timeout");
/// assert_eq!(err.to_string(), "user lookup failed: database timeout");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("user lookup failed: {0}")]
pub struct UserLookupError(String);

impl UserLookupError {
    /// An error with a short description (no secrets, no token contents).
    ///
    /// ```
    /// use authjwt::user::UserLookupError;
    /// // In a UserLookup, when the database cannot answer:
    /// let failed: Result<(), &str> = Err("connection refused");
    /// let err = failed.map_err(UserLookupError::new).unwrap_err();
    /// assert_eq!(err.to_string(), "user lookup failed: connection refused");
    /// ```
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

/// The application's user, loaded by its [`UserLookup`] from the request's verified access
/// token, and that token. The extractor of both adapters (`authjwt::axum::CurrentUser` and
/// `authjwt::actix::CurrentUser` are this type): it authenticates exactly like
/// `AccessToken` (token locations, the route's [`RouteOptions`](crate::RouteOptions), CSRF,
/// Origin, revocation), then runs the lookup registered for `U`.
///
/// | outcome | answer |
/// |---|---|
/// | a user | the handler runs with it |
/// | any token refusal | as `AccessToken` (401 `missing_token`, `csrf_missing`, …) |
/// | the subject names no user | 401 `user_not_found` |
/// | the lookup failed | 503 `user_lookup_unavailable` |
/// | no lookup registered for `U` | 500 `auth_misconfigured` |
///
/// It dereferences to the user.
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use authjwt::user::CurrentUser;
///
/// #[derive(Debug, Clone)]
/// struct User { name: String, email: String }
///
/// // axum (actix-web handlers look the same):
/// async fn profile(user: CurrentUser<User>) -> String {
///     format!("{} <{}>, token {}", user.name, user.email, user.token.jti())
/// }
/// async fn email(CurrentUser { user, .. }: CurrentUser<User>) -> String {
///     user.email
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CurrentUser<U> {
    /// The user the lookup returned.
    pub user: U,
    /// The verified token, with its standard claims (custom claims were the lookup's to
    /// read).
    pub token: Authenticated,
}

impl<U> Deref for CurrentUser<U> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.user
    }
}

impl<U: Send + Sync + 'static> Extract for CurrentUser<U> {
    fn extract(
        auth: &Auth,
        parts: &Parts,
        protection: &Protection,
    ) -> impl Future<Output = Result<Option<Self>, AuthError>> {
        auth.authenticate_user(parts, protection)
    }
}

/// The body of [`Auth::authenticate_user`].
pub(crate) async fn authenticate_user<U: Send + Sync + 'static>(
    auth: &Auth,
    parts: &Parts,
    protection: &Protection,
) -> Result<Option<CurrentUser<U>>, AuthError> {
    let resolved = match auth
        .config()
        .users
        .get::<ForUser<U>>()
        .map(|found| &*found.0)
    {
        Some(lookup) => lookup.resolve(auth, parts, protection).await,
        None => Err(no_lookup::<U>()),
    };
    resolved.inspect_err(|e| crate::audit::rejected(auth.config().audit.as_deref(), e))
}

/// The body of [`Auth::lookup_user`].
pub(crate) async fn lookup_user<U: Send + Sync + 'static, T>(
    auth: &Auth,
    token: &Authenticated<T>,
) -> Result<U, AuthError> {
    let found = match auth
        .config()
        .users
        .get::<ForUser<U>>()
        .map(|found| &*found.0)
    {
        Some(lookup) => {
            let token_type = token.claims().token_type;
            lookup
                .lookup_verified(auth, token.token(), token_type)
                .await
        }
        None => Err(no_lookup::<U>()),
    };
    found.inspect_err(|e| crate::audit::rejected(auth.config().audit.as_deref(), e))
}

/// The refusal when no lookup serves `U`: logged with the type's name, answered with a
/// message naming what is missing.
fn no_lookup<U>() -> AuthError {
    tracing::error!(
        target: "authjwt::users",
        user_type = type_name::<U>(),
        "CurrentUser used without a UserLookup registered for its user type"
    );
    AuthError::Misconfigured(NO_LOOKUP)
}

/// Runs `lookup` on verified claims: a user, 401 `user_not_found`, or (logged) 503
/// `user_lookup_unavailable`.
async fn find_user<L: UserLookup>(
    lookup: &L,
    claims: &Claims<L::Claims>,
) -> Result<L::User, AuthError> {
    match lookup.lookup(claims).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(AuthError::UserNotFound),
        Err(e) => {
            tracing::warn!(
                target: "authjwt::users",
                error = %e,
                lookup = type_name::<L>(),
                "user lookup failed"
            );
            Err(AuthError::UserLookupUnavailable)
        }
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A [`UserLookup`] with its claims type erased: reads the token with that type, then looks
/// the user up. Implemented for every lookup; stored per user type in [`UserLookups`].
trait ErasedLookup<U>: Send + Sync {
    /// Authenticates the request, then looks its user up.
    fn resolve<'a>(
        &'a self,
        auth: &'a Auth,
        parts: &'a Parts,
        protection: &'a Protection,
    ) -> BoxFuture<'a, Result<Option<CurrentUser<U>>, AuthError>>;

    /// Reads an already authenticated token, then looks its user up.
    fn lookup_verified<'a>(
        &'a self,
        auth: &'a Auth,
        token: &'a str,
        token_type: TokenType,
    ) -> BoxFuture<'a, Result<U, AuthError>>;
}

impl<L: UserLookup> ErasedLookup<L::User> for L {
    fn resolve<'a>(
        &'a self,
        auth: &'a Auth,
        parts: &'a Parts,
        protection: &'a Protection,
    ) -> BoxFuture<'a, Result<Option<CurrentUser<L::User>>, AuthError>> {
        Box::pin(async move {
            let found =
                crate::guard::authenticate_untraced::<L::Claims>(auth, parts, protection).await?;
            let Some(found) = found else {
                return Ok(None);
            };
            let user = find_user(self, found.claims()).await?;
            Ok(Some(CurrentUser {
                user,
                token: found.map_custom(|_| NoCustomClaims {}),
            }))
        })
    }

    fn lookup_verified<'a>(
        &'a self,
        auth: &'a Auth,
        token: &'a str,
        token_type: TokenType,
    ) -> BoxFuture<'a, Result<L::User, AuthError>> {
        Box::pin(async move {
            let claims = auth.config().verify::<L::Claims>(token, token_type)?;
            find_user(self, &claims).await
        })
    }
}

/// The lookup of one user type `U`: the only type the registry downcasts to.
struct ForUser<U>(Box<dyn ErasedLookup<U>>);

/// Registering a lookup is a setting of the builder; it lives here, beside the type
/// erasure it needs, so the configuration knows no user types.
impl ConfigBuilder {
    /// Loads the application's user for [`CurrentUser<L::User>`](crate::user::CurrentUser) and
    /// [`Auth::authenticate_user`](crate::Auth::authenticate_user) (flask-jwt-extended's
    /// `user_lookup_loader`). One lookup per user type: another one registered for the same
    /// `L::User` replaces it; lookups for different user types live side by side. Defaults
    /// to none, where `CurrentUser` answers 500 `auth_misconfigured`.
    ///
    /// ```
    /// use authjwt::{Claims, Config, claims::NoCustomClaims, user::{UserLookup, UserLookupError}};
    ///
    /// struct User { name: String }
    /// struct Users;
    ///
    /// impl UserLookup for Users {
    ///     type User = User;
    ///     type Claims = NoCustomClaims;
    ///     async fn lookup(&self, claims: &Claims) -> Result<Option<User>, UserLookupError> {
    ///         Ok((claims.sub == "user1").then(|| User { name: claims.sub.clone() }))
    ///     }
    /// }
    ///
    /// let config = Config::builder()
    ///     .secret(b"an example secret of at least 32 bytes!")
    ///     .user_lookup(Users)
    ///     .build()?;
    /// # Ok::<(), authjwt::ConfigError>(())
    /// ```
    pub fn user_lookup<L: UserLookup>(mut self, lookup: L) -> Self {
        self.users.insert(
            ForUser::<L::User>(Box::new(lookup)),
            type_name::<L::User>(),
            type_name::<L>(),
        );
        self
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::{Config, ConfigBuilder, TokenLocation, TokenOptions};

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct User(String);

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Admin(String);

    /// Knows `alice`; fails for `broken`; counts its calls.
    #[derive(Debug, Default, Clone)]
    struct Users(Arc<AtomicUsize>);

    impl UserLookup for Users {
        type User = User;
        type Claims = NoCustomClaims;

        async fn lookup(&self, claims: &Claims) -> Result<Option<User>, UserLookupError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            match claims.sub.as_str() {
                "alice" => Ok(Some(User(claims.sub.clone()))),
                "broken" => Err(UserLookupError::new("database down")),
                _ => Ok(None),
            }
        }
    }

    #[derive(serde::Deserialize)]
    struct Roles {
        roles: Vec<String>,
    }

    /// An admin is anyone whose token carries the `admin` role.
    struct Admins;

    impl UserLookup for Admins {
        type User = Admin;
        type Claims = Roles;

        async fn lookup(&self, claims: &Claims<Roles>) -> Result<Option<Admin>, UserLookupError> {
            let admin = claims.custom.roles.iter().any(|r| r == "admin");
            Ok(admin.then(|| Admin(claims.sub.clone())))
        }
    }

    fn builder() -> ConfigBuilder {
        Config::builder()
            .secret([5u8; 32])
            .token_location([TokenLocation::Headers, TokenLocation::Cookies])
    }

    fn bearer(token: &str) -> Parts {
        http::Request::get("/")
            .header("authorization", format!("Bearer {token}"))
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn the_lookup_of_the_user_type_serves_it() {
        let users = Users::default();
        let auth = Auth::new(builder().user_lookup(users.clone()).build().unwrap());
        let token = auth.create_access_token("alice").unwrap();
        let found =
            run(auth.authenticate_user::<User>(&bearer(token.as_str()), &Protection::access()))
                .unwrap()
                .unwrap();
        assert_eq!(found.user, User("alice".into()));
        assert_eq!(*found, User("alice".into()), "it dereferences to the user");
        assert_eq!(found.token.subject(), "alice");
        assert_eq!(found.token.jti(), token.jti());
        assert_eq!(found.token.location(), TokenLocation::Headers);
        assert_eq!(users.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn no_user_no_answer_and_no_lookup_are_told_apart() {
        let auth = Auth::new(builder().user_lookup(Users::default()).build().unwrap());
        let cases = [
            ("bob", AuthError::UserNotFound, 401, "user_not_found"),
            (
                "broken",
                AuthError::UserLookupUnavailable,
                503,
                "user_lookup_unavailable",
            ),
        ];
        for (sub, error, status, code) in cases {
            let token = auth.create_access_token(sub).unwrap();
            let got =
                run(auth.authenticate_user::<User>(&bearer(token.as_str()), &Protection::access()));
            let got = got.unwrap_err();
            assert_eq!(got, error);
            assert_eq!((got.status().as_u16(), got.code()), (status, code));
        }
        // A user type nobody registered a lookup for: a server-side wiring error, whatever
        // the token.
        let token = auth.create_access_token("alice").unwrap();
        let got =
            run(auth.authenticate_user::<Admin>(&bearer(token.as_str()), &Protection::access()));
        let got = got.unwrap_err();
        assert_eq!(got, AuthError::Misconfigured(NO_LOOKUP));
        assert_eq!(got.status(), 500);
        assert!(got.to_string().contains("UserLookup"), "{got}");
        assert!(got.to_string().contains("user_lookup"), "{got}");
        let (anonymous, ()) = http::Request::get("/").body(()).unwrap().into_parts();
        let got = run(auth.authenticate_user::<Admin>(&anonymous, &Protection::access()));
        assert_eq!(got.unwrap_err(), AuthError::Misconfigured(NO_LOOKUP));
    }

    #[test]
    fn subjects_are_matched_by_the_lookup_as_given() {
        // The library hands the subject over byte for byte: no trimming, no case folding,
        // no Unicode normalisation.
        let auth = Auth::new(builder().user_lookup(Users::default()).build().unwrap());
        for sub in [
            "ALICE",
            "alice ",
            " alice",
            "ａｌｉｃｅ",
            "al\u{200d}ice",
            "alice\0",
            "",
        ] {
            let token = auth.create_access_token(sub).unwrap();
            let got =
                run(auth.authenticate_user::<User>(&bearer(token.as_str()), &Protection::access()));
            assert_eq!(got.unwrap_err(), AuthError::UserNotFound, "{sub:?}");
        }
    }

    #[test]
    fn the_token_is_checked_before_the_lookup_runs() {
        let users = Users::default();
        let auth = Auth::new(builder().user_lookup(users.clone()).build().unwrap());
        let refresh = auth.create_refresh_token("alice").unwrap();
        let revoked = auth.create_access_token("alice").unwrap();
        let claims = auth
            .verify_token::<NoCustomClaims>(revoked.as_str(), TokenType::Access)
            .unwrap();
        run(auth.revoke(&claims)).unwrap();
        let cookie = auth.create_access_token("alice").unwrap();
        let (no_csrf, ()) = http::Request::post("/")
            .header("cookie", format!("access_token_cookie={cookie}"))
            .body(())
            .unwrap()
            .into_parts();
        let (anonymous, ()) = http::Request::get("/").body(()).unwrap().into_parts();
        let cases = [
            (anonymous, "missing_token"),
            (bearer("x.y.z"), "invalid_token"),
            (bearer(refresh.as_str()), "wrong_token_type"),
            (bearer(revoked.as_str()), "token_revoked"),
            (no_csrf, "csrf_missing"),
        ];
        for (parts, code) in cases {
            let got = run(auth.authenticate_user::<User>(&parts, &Protection::access()));
            assert_eq!(got.unwrap_err().code(), code);
        }
        assert_eq!(users.0.load(Ordering::SeqCst), 0, "the lookup never ran");
        // Optional and absent: no user, and no lookup either.
        let (anonymous, ()) = http::Request::get("/").body(()).unwrap().into_parts();
        let got = run(auth.authenticate_user::<User>(&anonymous, &Protection::access().optional()));
        assert!(got.unwrap().is_none());
        assert_eq!(users.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn lookups_of_several_user_types_read_their_own_claims() {
        let auth = Auth::new(
            builder()
                .user_lookup(Users::default())
                .user_lookup(Admins)
                .build()
                .unwrap(),
        );
        let claims = serde_json::json!({ "roles": ["admin"] });
        let opts = TokenOptions::new().claims(claims);
        let admin = auth.create_token(TokenType::Access, "root", opts).unwrap();
        let got =
            run(auth.authenticate_user::<Admin>(&bearer(admin.as_str()), &Protection::access()));
        assert_eq!(got.unwrap().unwrap().user, Admin("root".into()));
        // The same kind of token without the role: no admin. Without the claim at all: the
        // token does not fit the lookup's claims type.
        let opts = TokenOptions::new().claims(serde_json::json!({ "roles": ["reader"] }));
        let reader = auth.create_token(TokenType::Access, "root", opts).unwrap();
        let got =
            run(auth.authenticate_user::<Admin>(&bearer(reader.as_str()), &Protection::access()));
        assert_eq!(got.unwrap_err(), AuthError::UserNotFound);
        let plain = auth.create_access_token("root").unwrap();
        let got =
            run(auth.authenticate_user::<Admin>(&bearer(plain.as_str()), &Protection::access()));
        assert_eq!(got.unwrap_err(), AuthError::InvalidClaims);
        // The other lookup serves its own type from the same request.
        let alice = auth.create_access_token("alice").unwrap();
        let got =
            run(auth.authenticate_user::<User>(&bearer(alice.as_str()), &Protection::access()));
        assert_eq!(got.unwrap().unwrap().user, User("alice".into()));
    }

    #[test]
    fn a_second_lookup_for_a_user_type_replaces_the_first() {
        struct Nobody;
        impl UserLookup for Nobody {
            type User = User;
            type Claims = NoCustomClaims;
            async fn lookup(&self, _: &Claims) -> Result<Option<User>, UserLookupError> {
                Ok(None)
            }
        }
        let config = builder()
            .user_lookup(Users::default())
            .user_lookup(Admins)
            .user_lookup(Nobody)
            .build()
            .unwrap();
        let shown = format!("{:?}", config.users);
        assert_eq!(shown.matches("\": \"").count(), 2, "two lookups: {shown}");
        assert!(
            shown.contains("Nobody") && shown.contains("Admins"),
            "{shown}"
        );
        assert!(!shown.contains("Users"), "{shown}");
        let auth = Auth::new(config);
        let token = auth.create_access_token("alice").unwrap();
        let got =
            run(auth.authenticate_user::<User>(&bearer(token.as_str()), &Protection::access()));
        assert_eq!(got.unwrap_err(), AuthError::UserNotFound);
    }

    #[test]
    fn the_user_of_a_rotated_refresh_token_is_looked_up_after_the_rotation() {
        let users = Users::default();
        let auth = Auth::new(builder().user_lookup(users.clone()).build().unwrap());
        let refresh = |sub: &str| {
            let login = auth.create_login_tokens(sub).unwrap();
            let parts = bearer(login.refresh.as_str());
            run(auth.refresh::<NoCustomClaims>(&parts, &Protection::refresh())).unwrap()
        };
        let next = refresh("alice");
        assert_eq!(
            run(auth.lookup_user::<User, _>(&next.used)).unwrap(),
            User("alice".into())
        );
        let next = refresh("bob");
        let got = run(auth.lookup_user::<User, _>(&next.used));
        assert_eq!(got.unwrap_err(), AuthError::UserNotFound);
        let next = refresh("broken");
        let got = run(auth.lookup_user::<User, _>(&next.used));
        assert_eq!(got.unwrap_err(), AuthError::UserLookupUnavailable);
        let got = run(auth.lookup_user::<Admin, _>(&next.used));
        assert_eq!(got.unwrap_err(), AuthError::Misconfigured(NO_LOOKUP));
        assert_eq!(users.0.load(Ordering::SeqCst), 3);
        // The used token's custom claims are read with the lookup's own type.
        let auth = Auth::new(builder().user_lookup(Admins).build().unwrap());
        let roles = serde_json::json!({ "roles": ["admin"] });
        let login = auth.create_login_tokens_with("root", roles).unwrap();
        let parts = bearer(login.refresh.as_str());
        let next = run(auth.refresh::<NoCustomClaims>(&parts, &Protection::refresh())).unwrap();
        let got = run(auth.lookup_user::<Admin, _>(&next.used));
        assert_eq!(got.unwrap(), Admin("root".into()));
    }

    #[test]
    fn the_registry_downcasts_only_to_its_own_user_type() {
        let config = builder().user_lookup(Admins).build().unwrap();
        let lookups = &config.users;
        assert!(lookups.get::<ForUser<User>>().is_none());
        assert!(lookups.get::<ForUser<Admin>>().is_some());
        assert!(lookups.get::<ForUser<String>>().is_none());
    }
}
