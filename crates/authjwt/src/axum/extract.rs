//! `FromRequestParts` for the core's extractor types ([`crate::extract`]) and for [`Auth`]
//! itself: every extractor goes through [`extract`](crate::extract::extract).

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::error::{AuthError, AuthRejection};
use crate::extract::{AccessToken, FreshAccessToken, OptionalAccessToken, RefreshToken, extract};
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

macro_rules! token_extractors {
    ($($name:ident),*) => {$(
        impl<S, T> FromRequestParts<S> for $name<T>
        where
            S: Send + Sync,
            T: DeserializeOwned + Send + Sync,
        {
            type Rejection = AuthRejection;

            async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
                extract(parts.extensions.get::<Auth>(), parts, MISSING_LAYER).await
            }
        }
    )*};
}

token_extractors!(
    AccessToken,
    RefreshToken,
    FreshAccessToken,
    OptionalAccessToken
);

impl<S, U> FromRequestParts<S> for CurrentUser<U>
where
    S: Send + Sync,
    U: Send + Sync + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        extract(parts.extensions.get::<Auth>(), parts, MISSING_LAYER).await
    }
}
