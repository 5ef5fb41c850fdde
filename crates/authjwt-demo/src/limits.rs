//! Request header size limit: more than [`MAX_HEADER_BYTES`] of request headers in total is
//! refused with 431 before anything else looks at the request.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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

/// The middleware: 431 `request_header_fields_too_large` above the limit.
pub async fn limit_header_size(req: Request, next: Next) -> Response {
    if header_bytes(req.headers()) > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request_header_fields_too_large",
            "Request headers exceed 16 KiB",
        )
        .into_response();
    }
    next.run(req).await
}
