//! Middleware: [`AuthMiddleware`] installs the [`Auth`] (and reads body fields when the
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

impl Auth {
    /// The middleware every app using the extractors needs: it makes this [`Auth`] available
    /// to them (in the request extensions), and reads the JSON token key or the form CSRF
    /// field from the body when the configuration uses them (the handler still receives the
    /// body intact). Register it last on the `App`, so that it runs first.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app = actix_web::App::new().wrap(auth.middleware());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn middleware(&self) -> AuthMiddleware {
        AuthMiddleware { auth: self.clone() }
    }

    /// A middleware that refuses every request of the scope (or resource) it wraps unless it
    /// carries a token satisfying `protection`; the verified token is put in the request
    /// extensions as [`Authenticated`](crate::Authenticated) for handlers
    /// (`web::ReqData<Authenticated>`). It needs [`Auth::middleware`] outside it.
    ///
    /// Middleware runs outside in: a [`RouteOptions`] middleware on one resource inside the
    /// scope runs *after* this guard and cannot relax it. Give such a resource its own
    /// `auth.require_middleware(Protection::access().verify_csrf(false))`, or list its path
    /// in [`ConfigBuilder::csrf_exempt_routes`](crate::ConfigBuilder::csrf_exempt_routes).
    /// Wrapping a scope guards every path under its prefix, matched or not: an unknown path
    /// or method there is refused with 401 before actix answers 404 or 405.
    ///
    /// ```
    /// use actix_web::{App, web};
    /// use authjwt::Protection;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app = App::new()
    ///     .service(
    ///         web::scope("/admin")
    ///             .wrap(auth.require_middleware(Protection::fresh_access()))
    ///             .route("/stats", web::get().to(|| async { "stats" })),
    ///     )
    ///     .wrap(auth.middleware());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn require_middleware(&self, protection: Protection) -> RequireAuth {
        RequireAuth { protection }
    }

    /// A middleware that refuses cross-site unsafe requests (Sec-Fetch-Site / Origin) with
    /// 403 before the handler runs, for routes without a token such as `POST /login`.
    ///
    /// ```
    /// use actix_web::{App, web};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app = App::new()
    ///     .route("/login", web::post().to(|| async { "ok" }).wrap(auth.cross_origin_middleware()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cross_origin_middleware(&self) -> CrossOrigin {
        CrossOrigin { auth: self.clone() }
    }

    /// A middleware that renews the access cookie on responses to requests whose cookie-borne
    /// access token (from a login family) expires within `window`, so an active user never
    /// sees it expire. It never revives a revoked or logged-out session, and leaves alone
    /// responses that set or clear the access cookie themselves, and error responses.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app = actix_web::App::new()
    ///     .wrap(auth.implicit_refresh_middleware(Duration::from_secs(300)))
    ///     .wrap(auth.middleware());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn implicit_refresh_middleware(&self, window: Duration) -> ImplicitRefresh {
        ImplicitRefresh {
            auth: self.clone(),
            window,
        }
    }
}

/// A rejection rendered by the configuration's responder, as the right-hand body.
fn reject<B>(req: ServiceRequest, auth: &Auth, e: AuthError) -> ServiceResponse<EitherBody<B>> {
    let rejection = AuthRejection::with_responder(e, auth.config().responder.clone());
    req.into_response(rejection.error_response())
        .map_into_right_body()
}

// ------------------------------------------------------------------------------------------
// AuthMiddleware
// ------------------------------------------------------------------------------------------

/// Installs an [`Auth`] into requests and reads the body fields the configuration needs.
/// Made by [`Auth::middleware`].
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let middleware: authjwt::actix::AuthMiddleware = auth.middleware();
/// let app = actix_web::App::new().wrap(middleware);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AuthMiddleware {
    auth: Auth,
}

impl<S, B> Transform<S, ServiceRequest> for AuthMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = AuthService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AuthService {
            auth: self.auth.clone(),
            service: Rc::new(service),
        }))
    }
}

/// The service of [`AuthMiddleware`].
///
/// ```
/// fn named<S>(_: &authjwt::actix::AuthService<S>) {}
/// ```
#[derive(Debug)]
pub struct AuthService<S> {
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

impl<S, B> Service<ServiceRequest> for AuthService<S>
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

/// Guards a scope or resource. Made by [`Auth::require_middleware`].
///
/// ```
/// use authjwt::Protection;
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let guard: authjwt::actix::RequireAuth = auth.require_middleware(Protection::access());
/// let scope = actix_web::web::scope("/group").wrap(guard);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequireAuth {
    protection: Protection,
}

impl<S, B> Transform<S, ServiceRequest> for RequireAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RequireAuthService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireAuthService {
            protection: self.protection.clone(),
            service: Rc::new(service),
        }))
    }
}

/// The service of [`RequireAuth`].
///
/// ```
/// fn named<S>(_: &authjwt::actix::RequireAuthService<S>) {}
/// ```
#[derive(Debug)]
pub struct RequireAuthService<S> {
    protection: Protection,
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for RequireAuthService<S>
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

/// Refuses cross-site unsafe requests. Made by [`Auth::cross_origin_middleware`].
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let check: authjwt::actix::CrossOrigin = auth.cross_origin_middleware();
/// let app = actix_web::App::new().wrap(check);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CrossOrigin {
    auth: Auth,
}

impl<S, B> Transform<S, ServiceRequest> for CrossOrigin
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CrossOriginService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CrossOriginService {
            auth: self.auth.clone(),
            service,
        }))
    }
}

/// The service of [`CrossOrigin`].
///
/// ```
/// fn named<S>(_: &authjwt::actix::CrossOriginService<S>) {}
/// ```
#[derive(Debug)]
pub struct CrossOriginService<S> {
    auth: Auth,
    service: S,
}

impl<S, B> Service<ServiceRequest> for CrossOriginService<S>
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

/// Renews access cookies close to expiry. Made by [`Auth::implicit_refresh_middleware`].
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let renew: authjwt::actix::ImplicitRefresh =
///     auth.implicit_refresh_middleware(std::time::Duration::from_secs(300));
/// let app = actix_web::App::new().wrap(renew).wrap(auth.middleware());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImplicitRefresh {
    auth: Auth,
    window: Duration,
}

impl<S, B> Transform<S, ServiceRequest> for ImplicitRefresh
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = ImplicitRefreshService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(ImplicitRefreshService {
            auth: self.auth.clone(),
            window: self.window,
            service: Rc::new(service),
        }))
    }
}

/// The service of [`ImplicitRefresh`].
///
/// ```
/// fn named<S>(_: &authjwt::actix::ImplicitRefreshService<S>) {}
/// ```
#[derive(Debug)]
pub struct ImplicitRefreshService<S> {
    auth: Auth,
    window: Duration,
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for ImplicitRefreshService<S>
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
                Some(parts) => auth.implicit_refresh_candidate(parts, window).await,
                None => None,
            };
            let mut response = service.call(req).await?;
            let Some(old) = candidate else {
                return Ok(response);
            };
            let status = response.status();
            let name = auth.config().access_cookie_name();
            let sets_access_cookie = response.headers().get_all(SET_COOKIE).any(|v| {
                v.as_bytes()
                    .strip_prefix(name.as_bytes())
                    .is_some_and(|rest| rest.first() == Some(&b'='))
            });
            if status.is_client_error() || status.is_server_error() || sets_access_cookie {
                return Ok(response);
            }
            if let Some(cookies) = auth.implicit_refresh_cookies(&old).await {
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
    type Transform = RouteOptionsService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RouteOptionsService {
            options: self.clone(),
            service,
        }))
    }
}

/// The service of [`RouteOptions`] used as a middleware: adds the options to each request.
///
/// ```
/// fn named<S>(_: &authjwt::actix::RouteOptionsService<S>) {}
/// ```
#[derive(Debug)]
pub struct RouteOptionsService<S> {
    options: RouteOptions,
    service: S,
}

impl<S, B> Service<ServiceRequest> for RouteOptionsService<S>
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
