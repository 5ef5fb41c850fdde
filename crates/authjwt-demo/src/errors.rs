//! Every error the demo sends is JSON `{"detail": "...", "code": "..."}`: the library's
//! rejections as they are, and the demo's own (bad credentials, bad bodies, unknown routes).

use authjwt::{error::AuthRejection, tokens::TokenError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use axum::{Json, http::StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The body of every error, in the library's field order (the schema `ErrorBody` of
/// `/openapi.json`).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    /// A human-readable message.
    detail: String,
    /// The stable code, for programs.
    #[schema(value_type = String, example = "invalid_credentials")]
    code: &'static str,
}

/// An error response of the demo.
#[derive(Debug)]
pub enum ApiError {
    /// A rejection of the library (missing token, CSRF, expired, …), rendered by its
    /// responder.
    Auth(AuthRejection),
    /// One of the demo's own errors.
    Demo {
        /// The HTTP status.
        status: StatusCode,
        /// The stable machine-readable code.
        code: &'static str,
        /// The human message.
        detail: String,
    },
}

impl ApiError {
    /// A demo error.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Demo {
            status,
            code,
            detail: detail.into(),
        }
    }

    /// Wrong username or password: 401 `invalid_credentials`.
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "Invalid credentials",
        )
    }

    /// The status this error is sent with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Auth(r) => r.error().status(),
            Self::Demo { status, .. } => *status,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Auth(r) => r.error().code(),
            Self::Demo { code, .. } => code,
        }
    }
}

impl From<AuthRejection> for ApiError {
    fn from(r: AuthRejection) -> Self {
        Self::Auth(r)
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        tracing::error!(error = %e, "could not create a token");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "token_creation_failed",
            "Could not create a token",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Auth(r) => r.into_response(),
            Self::Demo {
                status,
                code,
                detail,
            } => (status, Json(ErrorBody { detail, code })).into_response(),
        }
    }
}

/// `Json<T>` whose rejections are JSON errors too: a malformed body is a 4xx with a
/// `{"detail","code"}` body, never a plain-text one and never a panic.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    let code = match rejection {
        JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
        JsonRejection::JsonSyntaxError(_) => "malformed_json",
        JsonRejection::JsonDataError(_) => "invalid_body",
        _ => "unreadable_body",
    };
    ApiError::new(rejection.status(), code, rejection.body_text())
}

/// The fallback of unknown paths: 404 `not_found`.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found")
}

/// The fallback of known paths with another method: 405 `method_not_allowed`.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
    )
}
