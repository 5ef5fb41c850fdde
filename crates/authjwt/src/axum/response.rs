//! Errors as responses, and cookies as response parts.

use axum::body::Body;
use axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};

use crate::error::{AuthError, AuthRejection};
use crate::set_cookie::SetCookies;

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        self.into_http_response().map(Body::from)
    }
}

/// Renders with the default JSON responder. Extractors return [`AuthRejection`], which
/// honours a configured responder.
impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        self.to_response().map(Body::from)
    }
}

/// `Set-Cookie` headers in a handler's return tuple:
/// `(auth.set_access_cookies(&token), Json(body))`.
impl IntoResponseParts for SetCookies {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        self.apply(res.headers_mut());
        Ok(res)
    }
}

impl IntoResponse for SetCookies {
    fn into_response(self) -> Response {
        (self, ()).into_response()
    }
}
