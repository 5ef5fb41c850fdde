//! The extractor types, as plain data: what each one asks of a request (its [`Protection`])
//! and what it holds. They are defined once here; `authjwt::axum` and `authjwt::actix`
//! re-export them and only implement their framework's extractor trait for them, through
//! [`extract`], so no decision is written once per framework.

use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::claims::NoCustomClaims;
use crate::error::{AuthError, AuthRejection};
use crate::guard::{Authenticated, Extract, Protection, RouteOptions};
use crate::user::CurrentUser;

/// A valid access token is required (seed 001's `jwt_required()`, AuthX's `ACCESS_REQUIRED`).
/// On unsafe methods a cookie-borne token also needs the CSRF header. `T` is the type of the
/// token's custom claims.
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use authjwt::axum::AccessToken; // authjwt::actix::AccessToken is the same type
///
/// #[derive(serde::Deserialize)]
/// struct Roles { roles: Vec<String> }
///
/// async fn admin(AccessToken(user): AccessToken<Roles>) -> String {
///     format!("{} has {:?}", user.subject(), user.custom().roles)
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AccessToken<T = NoCustomClaims>(pub Authenticated<T>);

/// A valid refresh token is required (seed 001's `jwt_refresh_token_required()`). For
/// rotation, call [`Auth::refresh`] instead.
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use authjwt::axum::RefreshToken;
/// async fn whoami(RefreshToken(token): RefreshToken) -> String {
///     token.subject().to_owned()
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RefreshToken<T = NoCustomClaims>(pub Authenticated<T>);

/// A valid, fresh access token is required (issued by a login, not a refresh).
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use authjwt::axum::FreshAccessToken;
/// async fn change_password(FreshAccessToken(user): FreshAccessToken) -> String {
///     format!("password changed for {}", user.subject())
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FreshAccessToken<T = NoCustomClaims>(pub Authenticated<T>);

/// An access token if one is present: `None` when there is none, the error when one is
/// present but invalid (seed 001's `jwt_optional()`).
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use authjwt::axum::OptionalAccessToken;
/// async fn home(OptionalAccessToken(user): OptionalAccessToken) -> String {
///     match user {
///         Some(user) => format!("hello {}", user.subject()),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct OptionalAccessToken<T = NoCustomClaims>(pub Option<Authenticated<T>>);

/// How an extractor type is made: the protection it applies, and its value from what the
/// core found (`None`: no token under an optional protection).
pub(crate) trait Extractor: Sized {
    type Found: Extract;

    fn protection() -> Protection;

    /// `None` refuses the request with `missing_token`.
    fn from_found(found: Option<Self::Found>) -> Option<Self>;
}

macro_rules! required_token {
    ($($name:ident => $protection:expr),* $(,)?) => {$(
        impl<T: DeserializeOwned> Extractor for $name<T> {
            type Found = Authenticated<T>;

            fn protection() -> Protection {
                $protection
            }

            fn from_found(found: Option<Authenticated<T>>) -> Option<Self> {
                found.map(Self)
            }
        }
    )*};
}

required_token!(
    AccessToken => Protection::access(),
    RefreshToken => Protection::refresh(),
    FreshAccessToken => Protection::fresh_access(),
);

impl<T: DeserializeOwned> Extractor for OptionalAccessToken<T> {
    type Found = Authenticated<T>;

    fn protection() -> Protection {
        Protection::access().optional()
    }

    fn from_found(found: Option<Authenticated<T>>) -> Option<Self> {
        Some(Self(found))
    }
}

impl<U: Send + Sync + 'static> Extractor for CurrentUser<U> {
    type Found = Self;

    fn protection() -> Protection {
        Protection::access()
    }

    fn from_found(found: Option<Self>) -> Option<Self> {
        found
    }
}

/// The one path of every extractor in every adapter: the installed [`Auth`] (`None`: the
/// layer or middleware is missing, named by `missing`), the route's [`RouteOptions`] over the
/// extractor's protection, the core's check, and a refusal rendered by the responder.
pub(crate) async fn extract<E: Extractor>(
    auth: Option<&Auth>,
    parts: &Parts,
    missing: &'static str,
) -> Result<E, AuthRejection> {
    let auth = auth.ok_or_else(|| AuthRejection::new(AuthError::Misconfigured(missing)))?;
    let protection = E::protection().with_route(parts.extensions.get::<RouteOptions>());
    let found = E::Found::extract(auth, parts, &protection)
        .await
        .map_err(|e| auth.rejection(e))?;
    E::from_found(found).ok_or_else(|| auth.rejection(AuthError::MissingToken))
}
