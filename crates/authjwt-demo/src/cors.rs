//! CORS for a front end on another origin (`CORS_ALLOWED_ORIGINS`): tower-http's
//! [`CorsLayer`] with credentials, applied only to requests whose `Origin` is one of the
//! allowed origins. Every other request goes straight to the service behind, with no CORS
//! header at all (tower-http alone would still send `Access-Control-Allow-Credentials` and,
//! on preflights, the allowed methods and headers to any origin).
//!
//! Installed outside the cross-site check and the token checks, so a preflight is answered
//! before either runs; the allowed origins are also trusted by the cross-site check (see
//! [`Settings::builder`](crate::Settings::builder)).

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, Request, Response, header};
use futures_util::future::{Either, MapOk, TryFutureExt};
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, Cors, CorsLayer};

use crate::origins::{OriginError, parse_origin};

/// How long a browser may cache a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The layer: credentialed CORS for `origins`, nothing for any other origin.
///
/// ```
/// use authjwt_demo::cors::CredentialedCorsLayer;
/// let origins = ["https://app.example.com".to_owned()];
/// let csrf = http::HeaderName::from_static("x-csrf-token");
/// let layer = CredentialedCorsLayer::new(&origins, [&csrf])?;
/// assert!(layer.allows(&http::HeaderValue::from_static("https://app.example.com")));
/// assert!(!layer.allows(&http::HeaderValue::from_static("https://evil.example")));
/// let refused = CredentialedCorsLayer::new(&["*".to_owned()], [&csrf]);
/// assert!(refused.is_err(), "never a wildcard with credentials");
/// # Ok::<(), authjwt_demo::origins::OriginError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CredentialedCorsLayer {
    origins: Arc<[HeaderValue]>,
    cors: CorsLayer,
}

impl CredentialedCorsLayer {
    /// CORS for `origins`, each checked and normalised by
    /// [`parse_origin`]: credentials allowed, the request's
    /// origin echoed (never `*`), methods GET, POST, PUT, PATCH, DELETE and OPTIONS, and
    /// `Content-Type` plus `csrf_headers` as request headers. An empty list allows no
    /// origin, like [`CredentialedCorsLayer::default`].
    pub fn new<'a>(
        origins: &[String],
        csrf_headers: impl IntoIterator<Item = &'a HeaderName>,
    ) -> Result<Self, OriginError> {
        let mut values: Vec<HeaderValue> = Vec::with_capacity(origins.len());
        for origin in origins {
            let origin = parse_origin(origin)?;
            // parse_origin leaves visible ASCII only.
            let value = HeaderValue::from_str(&origin).map_err(|_| OriginError::Host)?;
            if !values.contains(&value) {
                values.push(value);
            }
        }
        let mut headers = vec![header::CONTENT_TYPE];
        for name in csrf_headers {
            if !headers.contains(name) {
                headers.push(name.clone());
            }
        }
        let cors = CorsLayer::new()
            .allow_origin(AllowOrigin::list(values.iter().cloned()))
            .allow_credentials(true)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers(headers)
            .max_age(PREFLIGHT_MAX_AGE);
        Ok(Self {
            origins: values.into(),
            cors,
        })
    }

    /// The allowed origins, as compared with the `Origin` header.
    ///
    /// ```
    /// # use authjwt_demo::cors::CredentialedCorsLayer;
    /// let layer = CredentialedCorsLayer::new(&["HTTPS://App.Example.com:443".into()], [])?;
    /// assert_eq!(layer.origins()[0], "https://app.example.com");
    /// assert!(CredentialedCorsLayer::default().origins().is_empty());
    /// # Ok::<(), authjwt_demo::origins::OriginError>(())
    /// ```
    pub fn origins(&self) -> &[HeaderValue] {
        &self.origins
    }

    /// Whether `origin` is one of the allowed origins (compared as bytes, like browsers
    /// send it).
    ///
    /// ```
    /// # use authjwt_demo::cors::CredentialedCorsLayer;
    /// let layer = CredentialedCorsLayer::new(&["https://app.example.com".into()], [])?;
    /// assert!(!layer.allows(&http::HeaderValue::from_static("https://app.example.com/")));
    /// # Ok::<(), authjwt_demo::origins::OriginError>(())
    /// ```
    pub fn allows(&self, origin: &HeaderValue) -> bool {
        self.origins.iter().any(|o| o == origin)
    }
}

impl Default for CredentialedCorsLayer {
    /// No allowed origin: every request passes through untouched.
    ///
    /// ```
    /// let layer = authjwt_demo::cors::CredentialedCorsLayer::default();
    /// assert!(!layer.allows(&http::HeaderValue::from_static("https://app.example.com")));
    /// ```
    fn default() -> Self {
        Self {
            origins: Arc::from([]),
            cors: CorsLayer::new(),
        }
    }
}

impl<S> Layer<S> for CredentialedCorsLayer {
    type Service = CredentialedCors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CredentialedCors {
            layer: self.clone(),
            cors: self.cors.layer(inner),
        }
    }
}

/// The service of [`CredentialedCorsLayer`].
#[derive(Debug, Clone)]
pub struct CredentialedCors<S> {
    layer: CredentialedCorsLayer,
    cors: Cors<S>,
}

type Plain<F, B> = MapOk<F, fn(Response<B>) -> Response<B>>;

/// `Vary: Origin` on the answers that got no CORS headers: the answer to another origin
/// must not be served from a cache to an allowed one.
fn vary_origin<B>(mut response: Response<B>) -> Response<B> {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("origin"));
    response
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CredentialedCors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Either<tower_http::cors::ResponseFuture<S::Future>, Plain<S::Future, ResBody>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Cors is ready when the service behind it is: one readiness for both paths.
        self.cors.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        if self.layer.origins.is_empty() {
            let plain = identity::<ResBody> as fn(_) -> _;
            return Either::Right(self.cors.get_mut().call(req).map_ok(plain));
        }
        let allowed = req
            .headers()
            .get(header::ORIGIN)
            .is_some_and(|o| self.layer.allows(o));
        if allowed {
            Either::Left(self.cors.call(req))
        } else {
            let vary = vary_origin::<ResBody> as fn(_) -> _;
            Either::Right(self.cors.get_mut().call(req).map_ok(vary))
        }
    }
}

/// No CORS configured: the answer as it is.
fn identity<B>(response: Response<B>) -> Response<B> {
    response
}
