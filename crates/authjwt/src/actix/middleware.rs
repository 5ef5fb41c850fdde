//! Middleware: [`ProvideAuth`] installs the [`Auth`] (and reads body fields when the
//! configuration needs them), [`RequireAuth`] guards a scope, [`CrossOrigin`] refuses
//! cross-site unsafe requests, [`ImplicitRefresh`] renews access cookies close to expiry, and
//! [`RouteOptions`] is itself a middleware that sets a resource's or route's overrides.

use std::future::{Ready, poll_fn, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::SET_COOKIE;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_core::future::LocalBoxFuture;

use super::response::SetCookiesExt;
use super::{headers_from_actix, parts_from_actix};
use crate::Auth;
use crate::body;
use crate::claims::NoCustomClaims;
use crate::error::{AuthError, AuthRejection};
use crate::guard::{Protection, RouteOptions};
use crate::middleware;

/// A rejection rendered by the configuration's responder, as the right-hand body.
fn reject<B>(req: ServiceRequest, auth: &Auth, e: AuthError) -> ServiceResponse<EitherBody<B>> {
    let rejection = AuthRejection::with_responder(e, auth.config().responder.clone());
    req.into_response(rejection.error_response())
        .map_into_right_body()
}

// ------------------------------------------------------------------------------------------
// ProvideAuth
// ------------------------------------------------------------------------------------------

impl<S, B> Transform<S, ServiceRequest> for middleware::ProvideAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = ProvideAuthMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ProvideAuthMiddleware {
            auth: self.auth.clone(),
            service: Rc::new(service),
        }))
    }
}

/// The service of [`ProvideAuth`](crate::actix::ProvideAuth).
///
/// ```
/// fn named<S>(_: &authjwt::actix::ProvideAuthMiddleware<S>) {}
/// ```
#[derive(Debug)]
pub struct ProvideAuthMiddleware<S> {
    auth: Auth,
    service: Rc<S>,
}

/// Reads at most `limit` bytes of the payload; `None` when it fails or is longer.
async fn read_limited(payload: &mut Payload, limit: usize) -> Option<Bytes> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = poll_fn(|cx| Pin::new(&mut *payload).poll_next(cx)).await {
        let chunk = chunk.ok()?;
        if buf.len().saturating_add(chunk.len()) > limit {
            return None;
        }
        buf.extend_from_slice(&chunk);
    }
    Some(buf.freeze())
}

impl<S, B> Service<ServiceRequest> for ProvideAuthMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let auth = self.auth.clone();
        let service = Rc::clone(&self.service);
        req.extensions_mut().insert(auth.clone());
        // Only Content-Type and Content-Length decide; a head that cannot be translated
        // leaves the body alone (the extractors then refuse the request).
        let wanted = headers_from_actix(req.headers())
            .ok()
            .and_then(|headers| body::wanted(auth.config(), &headers));
        Box::pin(async move {
            if let Some(kind) = wanted {
                let mut payload = req.take_payload();
                let Some(bytes) = read_limited(&mut payload, auth.config().body_limit).await else {
                    let resp = HttpResponse::BadRequest()
                        .content_type("application/json")
                        .body(body::UNREADABLE_BODY);
                    return Ok(req.into_response(resp).map_into_right_body());
                };
                req.extensions_mut()
                    .insert(body::extract(auth.config(), kind, &bytes));
                req.set_payload(Payload::from(bytes));
            }
            service
                .call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
    }
}

// ------------------------------------------------------------------------------------------
// RequireAuth
// ------------------------------------------------------------------------------------------

impl<S, B> Transform<S, ServiceRequest> for middleware::RequireAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RequireAuthMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireAuthMiddleware {
            protection: self.protection.clone(),
            service: Rc::new(service),
        }))
    }
}

/// The service of [`RequireAuth`](crate::actix::RequireAuth).
///
/// ```
/// fn named<S>(_: &authjwt::actix::RequireAuthMiddleware<S>) {}
/// ```
#[derive(Debug)]
pub struct RequireAuthMiddleware<S> {
    protection: Protection,
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for RequireAuthMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let installed = req.extensions().get::<Auth>().cloned();
        let Some(auth) = installed else {
            let rejection = AuthRejection::new(AuthError::Misconfigured(
                "RequireAuth needs `.wrap(auth.middleware())` outside it",
            ));
            let resp = req.into_response(rejection.error_response());
            return Box::pin(ready(Ok(resp.map_into_right_body())));
        };
        let prepared = parts_from_actix(req.request()).map(|parts| {
            let protection = self
                .protection
                .clone()
                .with_route(parts.extensions.get::<RouteOptions>());
            (parts, protection)
        });
        Box::pin(async move {
            let (parts, protection) = match prepared {
                Ok(prepared) => prepared,
                Err(e) => return Ok(reject(req, &auth, e)),
            };
            match auth
                .authenticate::<NoCustomClaims>(&parts, &protection)
                .await
            {
                Ok(found) => {
                    if let Some(found) = found {
                        req.extensions_mut().insert(found);
                    }
                    service
                        .call(req)
                        .await
                        .map(ServiceResponse::map_into_left_body)
                }
                Err(e) => Ok(reject(req, &auth, e)),
            }
        })
    }
}

// ------------------------------------------------------------------------------------------
// CrossOrigin
// ------------------------------------------------------------------------------------------

impl<S, B> Transform<S, ServiceRequest> for middleware::CrossOrigin
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CrossOriginMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CrossOriginMiddleware {
            auth: self.auth.clone(),
            service,
        }))
    }
}

/// The service of [`CrossOrigin`](crate::actix::CrossOrigin).
///
/// ```
/// fn named<S>(_: &authjwt::actix::CrossOriginMiddleware<S>) {}
/// ```
#[derive(Debug)]
pub struct CrossOriginMiddleware<S> {
    auth: Auth,
    service: S,
}

impl<S, B> Service<ServiceRequest> for CrossOriginMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let checked =
            parts_from_actix(req.request()).and_then(|parts| self.auth.check_origin(&parts));
        match checked {
            Ok(()) => {
                let fut = self.service.call(req);
                Box::pin(async move { fut.await.map(ServiceResponse::map_into_left_body) })
            }
            Err(e) => Box::pin(ready(Ok(reject(req, &self.auth, e)))),
        }
    }
}

// ------------------------------------------------------------------------------------------
// ImplicitRefresh
// ------------------------------------------------------------------------------------------

impl<S, B> Transform<S, ServiceRequest> for middleware::ImplicitRefresh
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = ImplicitRefreshMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ImplicitRefreshMiddleware {
            auth: self.auth.clone(),
            window: self.window,
            service: Rc::new(service),
        }))
    }
}

/// The service of [`ImplicitRefresh`](crate::actix::ImplicitRefresh).
///
/// ```
/// fn named<S>(_: &authjwt::actix::ImplicitRefreshMiddleware<S>) {}
/// ```
#[derive(Debug)]
pub struct ImplicitRefreshMiddleware<S> {
    auth: Auth,
    window: Duration,
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for ImplicitRefreshMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let auth = self.auth.clone();
        let window = self.window;
        let service = Rc::clone(&self.service);
        let parts = parts_from_actix(req.request()).ok();
        Box::pin(async move {
            let candidate = match &parts {
                Some(parts) => {
                    crate::lifecycle::implicit_refresh_candidate(&auth, parts, window).await
                }
                None => None,
            };
            let mut response = service.call(req).await?;
            let Some(old) = candidate else {
                return Ok(response);
            };
            let set_cookies = response.headers().get_all(SET_COOKIE).map(|v| v.as_bytes());
            let status = response.status().as_u16();
            if !crate::lifecycle::renews_response(&auth, status, set_cookies) {
                return Ok(response);
            }
            if let Some(cookies) = crate::lifecycle::implicit_refresh_cookies(&auth, &old).await {
                response.set_cookies(&cookies);
            }
            Ok(response)
        })
    }
}

// ------------------------------------------------------------------------------------------
// RouteOptions
// ------------------------------------------------------------------------------------------

/// [`RouteOptions`] as a middleware on a resource or a route: the extractors of that
/// resource apply its overrides.
///
/// ```
/// use actix_web::{App, web};
/// use authjwt::{RouteOptions, TokenLocation};
/// use authjwt::actix::AccessToken;
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// async fn handler(AccessToken(user): AccessToken) -> String { user.subject().to_owned() }
///
/// let app = App::new()
///     // Seed 002's webhook: no CSRF check on this resource.
///     .service(
///         web::resource("/webhook")
///             .wrap(RouteOptions::new().verify_csrf(false))
///             .route(web::post().to(handler)),
///     )
///     // The dual strategy: this route reads the Authorization header only.
///     .route(
///         "/header-only",
///         web::get()
///             .to(handler)
///             .wrap(RouteOptions::new().locations([TokenLocation::Headers])),
///     )
///     .wrap(auth.middleware());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl<S, B> Transform<S, ServiceRequest> for RouteOptions
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = RouteOptionsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RouteOptionsMiddleware {
            options: self.clone(),
            service,
        }))
    }
}

/// The service of [`RouteOptions`] used as a middleware: adds the options to each request.
///
/// ```
/// fn named<S>(_: &authjwt::actix::RouteOptionsMiddleware<S>) {}
/// ```
#[derive(Debug)]
pub struct RouteOptionsMiddleware<S> {
    options: RouteOptions,
    service: S,
}

impl<S, B> Service<ServiceRequest> for RouteOptionsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = S::Future;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        req.extensions_mut().insert(self.options.clone());
        self.service.call(req)
    }
}
