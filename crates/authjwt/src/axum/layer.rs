//! Tower layers: [`ProvideAuthLayer`](super::ProvideAuthLayer) installs the [`Auth`] (and reads body fields when the
//! configuration needs them), [`RequireAuthLayer`](super::RequireAuthLayer) guards a group of routes,
//! [`CrossOriginLayer`](super::CrossOriginLayer) refuses cross-site unsafe requests, and [`RouteOptions`] is itself a
//! layer that sets a route's overrides.

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use http::Request;
use http_body_util::BodyExt;
use tower_layer::Layer;
use tower_service::Service;

use crate::Auth;
use crate::body;
use crate::claims::NoCustomClaims;
use crate::config::FullPath;
use crate::error::AuthRejection;
use crate::guard::{Protection, RouteOptions};
use crate::middleware;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> Layer<S> for middleware::ProvideAuth {
    type Service = ProvideAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ProvideAuth {
            auth: self.auth.clone(),
            inner,
        }
    }
}

/// The service of [`ProvideAuthLayer`](super::ProvideAuthLayer).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use tower::ServiceExt;
/// use authjwt::axum::AccessToken;
/// use axum::{Router, body::Body, routing::get};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// async fn me(AccessToken(user): AccessToken) -> String { user.subject().to_owned() }
/// let app: Router = Router::new().route("/me", get(me)).layer(auth.layer());
/// let token = auth.create_access_token("user1")?;
/// let req = http::Request::get("/me").header("authorization", format!("Bearer {token}"));
/// let resp = app.oneshot(req.body(Body::empty())?).await?;
/// assert_eq!(resp.status(), 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ProvideAuth<S> {
    auth: Auth,
    inner: S,
}

impl<S> Service<Request<Body>> for ProvideAuth<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    /// The inner service's own future when no body is read (the common case), a boxed one
    /// when the body has to be read first.
    type Future = Either<S::Future, BoxFuture<Result<Response, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let config = self.auth.config();
        if config.needs_full_path() && req.extensions().get::<FullPath>().is_none() {
            let path = FullPath(req.uri().path().into());
            req.extensions_mut().insert(path);
        }
        let wanted = body::wanted(config, req.headers());
        super::note_peer(&self.auth, req.extensions_mut());
        req.extensions_mut().insert(self.auth.clone());
        let Some(kind) = wanted else {
            // The common case: no body to read, nothing to carry into the future.
            return Either::Left(inner.call(req));
        };
        let auth = self.auth.clone();
        Either::Right(Box::pin(async move {
            let (mut parts, b) = req.into_parts();
            let limited = http_body_util::Limited::new(b, auth.config().body_limit);
            let bytes = match limited.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(_) => return Ok(unreadable_body()),
            };
            parts
                .extensions
                .insert(body::extract(auth.config(), kind, &bytes));
            inner
                .call(Request::from_parts(parts, Body::from(bytes)))
                .await
        }))
    }
}

/// The body was declared within the limit but could not be read (it broke off, or grew
/// past the limit): a JSON 400 like every other refusal.
fn unreadable_body() -> Response {
    (
        http::StatusCode::BAD_REQUEST,
        [(http::header::CONTENT_TYPE, "application/json")],
        body::UNREADABLE_BODY,
    )
        .into_response()
}

impl<S> Layer<S> for middleware::RequireAuth {
    type Service = RequireAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireAuth {
            protection: self.protection.clone(),
            inner,
        }
    }
}

/// The service of [`RequireAuthLayer`](super::RequireAuthLayer).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use tower::ServiceExt;
/// use authjwt::{Authenticated, Protection};
/// use axum::{Extension, Router, body::Body, routing::get};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// async fn me(Extension(user): Extension<Authenticated>) -> String { user.subject().into() }
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .route_layer(auth.require(Protection::access()))
///     .layer(auth.layer());
/// let anonymous = http::Request::get("/me").body(Body::empty())?;
/// assert_eq!(app.oneshot(anonymous).await?.status(), 401);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct RequireAuth<S> {
    protection: Protection,
    inner: S,
}

impl<S> Service<Request<Body>> for RequireAuth<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let protection = self.protection.clone();
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let Some(auth) = parts.extensions.get::<Auth>().cloned() else {
                return Ok(AuthRejection::new(crate::AuthError::Misconfigured(
                    "RequireAuthLayer needs `.layer(auth.layer())` outside it",
                ))
                .into_response());
            };
            let protection = protection.with_route(parts.extensions.get::<RouteOptions>());
            match auth
                .authenticate::<NoCustomClaims>(&parts, &protection)
                .await
            {
                Ok(found) => {
                    if let Some(found) = found {
                        parts.extensions.insert(found);
                    }
                    inner.call(Request::from_parts(parts, body)).await
                }
                // Already traced by the core: render only.
                Err(e) => Ok(auth.rejection(e).into_response()),
            }
        })
    }
}

impl<S> Layer<S> for middleware::CrossOrigin {
    type Service = CrossOrigin<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CrossOrigin {
            auth: self.auth.clone(),
            inner,
        }
    }
}

/// The service of [`CrossOriginLayer`](super::CrossOriginLayer).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use tower::ServiceExt;
/// use axum::{Router, body::Body, routing::post};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let app: Router = Router::new()
///     .route("/login", post(|| async { "welcome" }))
///     .layer(auth.cross_origin_layer());
/// let req = http::Request::post("/login").header("sec-fetch-site", "cross-site");
/// assert_eq!(app.oneshot(req.body(Body::empty())?).await?.status(), 403);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct CrossOrigin<S> {
    auth: Auth,
    inner: S,
}

impl<S> Service<Request<Body>> for CrossOrigin<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    /// A refusal is ready at once; anything else is the inner service's own future.
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let (mut parts, body) = req.into_parts();
        super::note_peer(&self.auth, &mut parts.extensions);
        match self.auth.check_origin(&parts) {
            Ok(()) => Either::Right(self.inner.call(Request::from_parts(parts, body))),
            // Already traced by the core: render only.
            Err(e) => Either::Left(ready(Ok(self.auth.rejection(e).into_response()))),
        }
    }
}

impl<S> Layer<S> for middleware::ImplicitRefresh {
    type Service = ImplicitRefresh<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ImplicitRefresh {
            auth: self.auth.clone(),
            window: self.window,
            inner,
        }
    }
}

/// The service of [`ImplicitRefreshLayer`](super::ImplicitRefreshLayer).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use tower::ServiceExt;
/// use std::time::Duration;
/// use axum::{Router, body::Body, routing::get};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(auth.implicit_refresh_layer(Duration::from_secs(15 * 60)));
/// let login = auth.create_login_tokens("user1")?; // lives 15 minutes: inside the window
/// let cookie = format!("access_token_cookie={}", login.access);
/// let req = http::Request::get("/").header("cookie", cookie);
/// let resp = app.oneshot(req.body(Body::empty())?).await?;
/// assert!(resp.headers()["set-cookie"].to_str()?.starts_with("access_token_cookie="));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ImplicitRefresh<S> {
    auth: Auth,
    window: std::time::Duration,
    inner: S,
}

impl<S> Service<Request<Body>> for ImplicitRefresh<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let auth = self.auth.clone();
        let window = self.window;
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let candidate =
                crate::lifecycle::implicit_refresh_candidate(&auth, &parts, window).await;
            let mut response = inner.call(Request::from_parts(parts, body)).await?;
            let Some(old) = candidate else {
                return Ok(response);
            };
            let headers = response.headers().get_all(http::header::SET_COOKIE);
            let set_cookies = headers.iter().map(http::HeaderValue::as_bytes);
            let status = response.status().as_u16();
            if !crate::lifecycle::renews_response(&auth, status, set_cookies) {
                return Ok(response);
            }
            if let Some(cookies) = crate::lifecycle::implicit_refresh_cookies(&auth, &old).await {
                cookies.apply(response.headers_mut());
            }
            Ok(response)
        })
    }
}

impl<S> Layer<S> for RouteOptions {
    type Service = RouteOptionsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RouteOptionsService {
            options: self.clone(),
            inner,
        }
    }
}

/// The service of [`RouteOptions`] used as a layer: adds the options to each request.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use tower::ServiceExt;
/// use authjwt::RouteOptions;
/// use axum::{Extension, Router, body::Body, routing::get};
/// async fn show(Extension(options): Extension<RouteOptions>) -> String { format!("{options:?}") }
/// let app: Router = Router::new()
///     .route("/webhook", get(show).layer(RouteOptions::new().verify_csrf(false)));
/// // The options reach the request, where the extractors (and this handler) find them.
/// let resp = app.oneshot(http::Request::get("/webhook").body(Body::empty())?).await?;
/// assert_eq!(resp.status(), 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct RouteOptionsService<S> {
    options: RouteOptions,
    inner: S,
}

impl<S, B> Service<Request<B>> for RouteOptionsService<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        req.extensions_mut().insert(self.options.clone());
        self.inner.call(req)
    }
}
