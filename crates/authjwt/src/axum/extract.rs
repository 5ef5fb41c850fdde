//! Extractors: a required, optional, refresh or fresh token, generic over the claims type,
//! the application's user ([`CurrentUser`]), and the [`Auth`] itself.

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::claims::NoCustomClaims;
use crate::error::{AuthError, AuthRejection};
use crate::guard::{Authenticated, Extract, Protection, RouteOptions};
use crate::user::CurrentUser;

const MISSING_LAYER: &str = "the authjwt extractors need `.layer(auth.layer())` on the router";

/// The [`Auth`] installed by [`Auth::layer`], for handlers that create tokens or set cookies.
impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth>()
            .cloned()
            .ok_or_else(|| AuthRejection::new(AuthError::Misconfigured(MISSING_LAYER)))
    }
}

/// The one path of every extractor: find the [`Auth`], apply the route's options, ask the
/// core for `R`, render a refusal with the configured responder.
async fn run<R: Extract>(
    parts: &Parts,
    protection: Protection,
) -> Result<Option<R>, AuthRejection> {
    let auth = parts
        .extensions
        .get::<Auth>()
        .ok_or_else(|| AuthRejection::new(AuthError::Misconfigured(MISSING_LAYER)))?;
    let protection = protection.with_route(parts.extensions.get::<RouteOptions>());
    R::extract(auth, parts, &protection)
        .await
        .map_err(|e| auth.rejection(e))
}

/// [`run`] for a required protection: `None` cannot come back, and is a missing token.
async fn required<R: Extract>(parts: &Parts, protection: Protection) -> Result<R, AuthRejection> {
    run::<R>(parts, protection)
        .await?
        .ok_or_else(|| AuthRejection::new(AuthError::MissingToken))
}

macro_rules! required_extractor {
    ($(#[$doc:meta])* $name:ident, $protection:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name<T = NoCustomClaims>(pub Authenticated<T>);

        impl<S, T> FromRequestParts<S> for $name<T>
        where
            S: Send + Sync,
            T: DeserializeOwned + Send + Sync,
        {
            type Rejection = AuthRejection;

            async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
                required(parts, $protection).await.map(Self)
            }
        }
    };
}

required_extractor!(
    /// A valid access token is required (seed 001's `jwt_required()`, AuthX's
    /// `ACCESS_REQUIRED`). On unsafe methods a cookie-borne token also needs the CSRF header.
    ///
    /// ```
    /// use authjwt::axum::AccessToken;
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Roles { roles: Vec<String> }
    ///
    /// async fn admin(AccessToken(user): AccessToken<Roles>) -> String {
    ///     format!("{} has {:?}", user.subject(), user.custom().roles)
    /// }
    /// ```
    AccessToken,
    Protection::access()
);

required_extractor!(
    /// A valid refresh token is required (seed 001's `jwt_refresh_token_required()`).
    ///
    /// ```
    /// use authjwt::{Auth, axum::RefreshToken};
    /// use axum::response::IntoResponse;
    ///
    /// async fn refresh(auth: Auth, RefreshToken(r): RefreshToken) -> impl IntoResponse {
    ///     let access = auth.create_access_token(r.subject()).unwrap();
    ///     (auth.set_access_cookies(&access), "refreshed")
    /// }
    /// ```
    RefreshToken,
    Protection::refresh()
);

required_extractor!(
    /// A valid, fresh access token is required (issued by a login, not a refresh).
    ///
    /// ```
    /// use authjwt::axum::FreshAccessToken;
    /// async fn change_password(FreshAccessToken(user): FreshAccessToken) -> String {
    ///     format!("password changed for {}", user.subject())
    /// }
    /// ```
    FreshAccessToken,
    Protection::fresh_access()
);

/// An access token if one is present: `None` when there is none, the error when one is
/// present but invalid (seed 001's `jwt_optional()`).
///
/// ```
/// use authjwt::axum::OptionalAccessToken;
/// async fn home(OptionalAccessToken(user): OptionalAccessToken) -> String {
///     match user {
///         Some(user) => format!("hello {}", user.subject()),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct OptionalAccessToken<T = NoCustomClaims>(pub Option<Authenticated<T>>);

impl<S, T> FromRequestParts<S> for OptionalAccessToken<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        run(parts, Protection::access().optional()).await.map(Self)
    }
}

/// The application's user, loaded by the [`UserLookup`](crate::UserLookup) registered for
/// `U` from a valid access token (authenticated exactly as [`AccessToken`]). A subject that
/// names no user is refused with 401 `user_not_found`, a lookup that cannot answer with 503
/// `user_lookup_unavailable`; see [`CurrentUser`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use tower::ServiceExt;
/// use authjwt::{Auth, Claims, Config, CurrentUser, NoCustomClaims, UserLookup, UserLookupError};
/// use axum::{Router, body::Body, routing::get};
///
/// #[derive(Debug, Clone)]
/// struct User { name: String }
/// struct Users;
/// impl UserLookup for Users {
///     type User = User;
///     type Claims = NoCustomClaims;
///     async fn lookup(&self, claims: &Claims) -> Result<Option<User>, UserLookupError> {
///         Ok((claims.sub == "user1").then(|| User { name: claims.sub.clone() }))
///     }
/// }
///
/// async fn me(user: CurrentUser<User>) -> String {
///     user.name.clone()
/// }
///
/// let auth = Auth::new(Config::builder()
///     .secret(b"an example secret of at least 32 bytes!")
///     .user_lookup(Users)
///     .build()?);
/// let app: Router = Router::new().route("/me", get(me)).layer(auth.layer());
/// let get_me = |sub: &str| -> Result<_, Box<dyn std::error::Error>> {
///     let token = auth.create_access_token(sub)?;
///     Ok(http::Request::get("/me").header("authorization", format!("Bearer {token}"))
///         .body(Body::empty())?)
/// };
/// assert_eq!(app.clone().oneshot(get_me("user1")?).await?.status(), 200);
/// // A valid token for a subject that is no user (deleted, or never existed):
/// assert_eq!(app.oneshot(get_me("user9")?).await?.status(), 401); // user_not_found
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
impl<S, U> FromRequestParts<S> for CurrentUser<U>
where
    S: Send + Sync,
    U: Send + Sync + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        required(parts, Protection::access()).await
    }
}
