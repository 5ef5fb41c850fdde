//! Tower layers: [`AuthLayer`] installs the [`Auth`] (and reads body fields when the
//! configuration needs them), [`RequireAuthLayer`] guards a group of routes,
//! [`CrossOriginLayer`] refuses cross-site unsafe requests, and [`RouteOptions`] is itself a
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

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl Auth {
    /// The layer every router using the extractors needs: it makes this [`Auth`] available
    /// to them, and reads the JSON token key or the form CSRF field from the body when the
    /// configuration uses them (the handler still receives the body intact).
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app: axum::Router = axum::Router::new().layer(auth.layer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn layer(&self) -> AuthLayer {
        AuthLayer { auth: self.clone() }
    }

    /// A layer that refuses every request of the routes it wraps unless it carries a token
    /// satisfying `protection`; the verified token is put in the request extensions as
    /// [`Authenticated`](crate::Authenticated) for handlers (`Extension<Authenticated>`).
    ///
    /// Layers run outside in: a [`RouteOptions`] layer on one route inside the group runs
    /// *after* this guard and cannot relax it. Give such a route its own
    /// `auth.require(Protection::access().verify_csrf(false))`, or list its path in
    /// [`ConfigBuilder::csrf_exempt_routes`](crate::ConfigBuilder::csrf_exempt_routes).
    ///
    /// ```
    /// use authjwt::Protection;
    /// use axum::{Router, routing::get};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let admin: Router = Router::new()
    ///     .route("/admin/stats", get(|| async { "stats" }))
    ///     .route_layer(auth.require(Protection::fresh_access()))
    ///     .layer(auth.layer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn require(&self, protection: Protection) -> RequireAuthLayer {
        RequireAuthLayer { protection }
    }

    /// A layer that refuses cross-site unsafe requests (Sec-Fetch-Site / Origin) with 403
    /// before the handler runs, for routes without a token such as `POST /login`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app: axum::Router = axum::Router::new().layer(auth.cross_origin_layer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cross_origin_layer(&self) -> CrossOriginLayer {
        CrossOriginLayer { auth: self.clone() }
    }
}

/// Installs an [`Auth`] into requests. Made by [`Auth::layer`].
///
/// ```
/// use authjwt::axum::AuthLayer;
/// use axum::{Router, routing::get};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let layer: AuthLayer = auth.layer();
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(layer); // outermost, so that every route's extractors find the Auth
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AuthLayer {
    auth: Auth,
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            auth: self.auth.clone(),
            inner,
        }
    }
}

/// The service of [`AuthLayer`].
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
pub struct AuthService<S> {
    auth: Auth,
    inner: S,
}

impl<S> Service<Request<Body>> for AuthService<S>
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

/// Guards a group of routes. Made by [`Auth::require`].
///
/// ```
/// use authjwt::{Protection, axum::RequireAuthLayer};
/// use axum::{Router, routing::get};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let guard: RequireAuthLayer = auth.require(Protection::access());
/// let admin: Router = Router::new()
///     .route("/admin/stats", get(|| async { "stats" }))
///     .route_layer(guard)
///     .layer(auth.layer());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequireAuthLayer {
    protection: Protection,
}

impl<S> Layer<S> for RequireAuthLayer {
    type Service = RequireAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireAuth {
            protection: self.protection.clone(),
            inner,
        }
    }
}

/// The service of [`RequireAuthLayer`].
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

/// Refuses cross-site unsafe requests. Made by [`Auth::cross_origin_layer`].
///
/// ```
/// use authjwt::axum::CrossOriginLayer;
/// use axum::{Router, routing::post};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let layer: CrossOriginLayer = auth.cross_origin_layer();
/// let app: Router = Router::new()
///     .route("/login", post(|| async { "welcome" }))
///     .layer(layer); // login CSRF: no token yet, but the origin is checked
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CrossOriginLayer {
    auth: Auth,
}

impl<S> Layer<S> for CrossOriginLayer {
    type Service = CrossOrigin<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CrossOrigin {
            auth: self.auth.clone(),
            inner,
        }
    }
}

/// The service of [`CrossOriginLayer`].
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
        let (parts, body) = req.into_parts();
        match self.auth.check_origin(&parts) {
            Ok(()) => Either::Right(self.inner.call(Request::from_parts(parts, body))),
            // Already traced by the core: render only.
            Err(e) => Either::Left(ready(Ok(self.auth.rejection(e).into_response()))),
        }
    }
}

impl Auth {
    /// A layer that renews the access cookie on responses to requests whose cookie-borne
    /// access token (from a login family) expires within `window`, so an active user never
    /// sees it expire. It never revives a revoked or logged-out session, and leaves alone
    /// responses that set or clear the access cookie themselves, and error responses.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let app: axum::Router = axum::Router::new()
    ///     .layer(auth.implicit_refresh_layer(Duration::from_secs(300)))
    ///     .layer(auth.layer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn implicit_refresh_layer(&self, window: std::time::Duration) -> ImplicitRefreshLayer {
        ImplicitRefreshLayer {
            auth: self.clone(),
            window,
        }
    }
}

/// Renews access cookies close to expiry. Made by [`Auth::implicit_refresh_layer`].
///
/// ```
/// use std::time::Duration;
/// use axum::{Router, routing::get};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!")
/// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
/// // Renew the access cookie of active users when it has less than 5 minutes left.
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(auth.implicit_refresh_layer(Duration::from_secs(5 * 60)))
///     .layer(auth.layer());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImplicitRefreshLayer {
    auth: Auth,
    window: std::time::Duration,
}

impl<S> Layer<S> for ImplicitRefreshLayer {
    type Service = ImplicitRefresh<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ImplicitRefresh {
            auth: self.auth.clone(),
            window: self.window,
            inner,
        }
    }
}

/// The service of [`ImplicitRefreshLayer`].
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
            let candidate = auth.implicit_refresh_candidate(&parts, window).await;
            let mut response = inner.call(Request::from_parts(parts, body)).await?;
            let Some(old) = candidate else {
                return Ok(response);
            };
            let status = response.status();
            let name = auth.config().access_cookie_name();
            let sets_access_cookie = response
                .headers()
                .get_all(http::header::SET_COOKIE)
                .iter()
                .any(|v| {
                    v.as_bytes()
                        .strip_prefix(name.as_bytes())
                        .is_some_and(|rest| rest.first() == Some(&b'='))
                });
            if status.is_client_error() || status.is_server_error() || sets_access_cookie {
                return Ok(response);
            }
            if let Some(cookies) = auth.implicit_refresh_cookies(&old).await {
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
