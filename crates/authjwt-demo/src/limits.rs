//! Request header size limit: more than [`MAX_HEADER_BYTES`] of request headers in total is
//! refused with 431 before anything else looks at the request.
//!
//! A plain tower layer rather than `axum::middleware::from_fn`: it runs on every request, and
//! `from_fn` boxes the rest of the stack's future and clones it per call.

use std::task::{Context, Poll};

use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use tower::{Layer, Service};

use crate::errors::ApiError;

/// 16 KiB: the most request header bytes (names, values and their `": "` and CRLF) accepted.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The size of the header block as sent on the wire in HTTP/1.1.
pub fn header_bytes(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum()
}

/// The 431 `request_header_fields_too_large` answer.
fn too_large() -> Response {
    ApiError::new(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "request_header_fields_too_large",
        "Request headers exceed 16 KiB",
    )
    .into_response()
}

/// The layer: 431 above [`MAX_HEADER_BYTES`], otherwise the request goes on untouched.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeaderLimitLayer;

impl<S> Layer<S> for HeaderLimitLayer {
    type Service = HeaderLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HeaderLimit { inner }
    }
}

/// The service of [`HeaderLimitLayer`].
#[derive(Debug, Clone)]
pub struct HeaderLimit<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for HeaderLimit<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<std::future::Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        if header_bytes(req.headers()) > MAX_HEADER_BYTES {
            return Either::Left(std::future::ready(Ok(too_large())));
        }
        Either::Right(self.inner.call(req))
    }
}
