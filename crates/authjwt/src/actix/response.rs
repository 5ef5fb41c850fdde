//! Errors as responses (`ResponseError`), and `Set-Cookie` headers on actix responses.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, Responder, ResponseError};

use super::{response_to_actix, value_to_actix};
use crate::error::{AuthError, AuthRejection};
use crate::set_cookie::SetCookies;

fn status_to_actix(status: http::StatusCode) -> StatusCode {
    StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Renders with the rejection's responder (the configured one for rejections made by the
/// extractors, middleware and [`Auth::reject`](crate::Auth::reject)): the same status,
/// headers and body as the axum adapter.
///
/// ```
/// use actix_web::ResponseError;
/// use authjwt::{AuthError, error::AuthRejection};
///
/// let resp = AuthRejection::new(AuthError::CsrfMissing).error_response();
/// assert_eq!(resp.status(), 401);
/// let content_type = resp.headers().get("content-type").map(|v| v.as_bytes());
/// assert_eq!(content_type, Some(&b"application/json"[..]));
/// ```
impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        status_to_actix(self.error().status())
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        response_to_actix(self.clone().into_http_response())
    }
}

/// Renders with the default JSON responder. Extractors return [`AuthRejection`], which
/// honours a configured responder.
///
/// ```
/// use actix_web::ResponseError;
/// let resp = authjwt::AuthError::CrossSiteRequest.error_response();
/// assert_eq!(resp.status(), 403);
/// ```
impl ResponseError for AuthError {
    fn status_code(&self) -> StatusCode {
        status_to_actix(self.status())
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        response_to_actix(self.to_response())
    }
}

/// A `200 OK` with an empty body carrying the cookies; to add them to another response use
/// [`SetCookiesExt`].
///
/// ```
/// use authjwt::{Auth, SetCookies};
/// async fn logout(auth: Auth) -> SetCookies {
///     auth.unset_cookies()
/// }
/// ```
impl Responder for SetCookies {
    type Body = BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse<BoxBody> {
        let mut resp = HttpResponse::Ok().finish();
        resp.set_cookies(&self);
        resp
    }
}

/// Appends the `Set-Cookie` headers of a [`SetCookies`] (what the cookie helpers of
/// [`Auth`](crate::Auth) return) to an actix response, keeping the cookies it already has.
///
/// Implemented for [`HttpResponseBuilder`], [`HttpResponse`], [`ServiceResponse`] (for
/// middleware) and actix's [`HeaderMap`].
///
/// ```
/// use actix_web::HttpResponse;
/// use authjwt::actix::SetCookiesExt;
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
///
/// let token = auth.create_access_token("user1")?;
/// let resp = HttpResponse::Ok()
///     .set_cookies(&auth.set_access_cookies(&token))
///     .json(serde_json::json!({"msg": "login ok"}));
/// assert_eq!(resp.headers().get_all("set-cookie").count(), 2);
///
/// let mut resp = HttpResponse::Ok().finish();
/// resp.set_cookies(&auth.unset_cookies());
/// assert_eq!(resp.headers().get_all("set-cookie").count(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SetCookiesExt {
    /// Appends every `Set-Cookie` header of `cookies`.
    fn set_cookies(&mut self, cookies: &SetCookies) -> &mut Self;
}

impl SetCookiesExt for HeaderMap {
    fn set_cookies(&mut self, cookies: &SetCookies) -> &mut Self {
        for value in cookies.header_values() {
            if let Some(value) = value_to_actix(value) {
                self.append(SET_COOKIE, value);
            }
        }
        self
    }
}

impl SetCookiesExt for HttpResponseBuilder {
    fn set_cookies(&mut self, cookies: &SetCookies) -> &mut Self {
        for value in cookies.header_values() {
            if let Some(value) = value_to_actix(value) {
                self.append_header((SET_COOKIE, value));
            }
        }
        self
    }
}

impl<B> SetCookiesExt for HttpResponse<B> {
    fn set_cookies(&mut self, cookies: &SetCookies) -> &mut Self {
        self.headers_mut().set_cookies(cookies);
        self
    }
}

impl<B> SetCookiesExt for ServiceResponse<B> {
    fn set_cookies(&mut self, cookies: &SetCookies) -> &mut Self {
        self.headers_mut().set_cookies(cookies);
        self
    }
}
