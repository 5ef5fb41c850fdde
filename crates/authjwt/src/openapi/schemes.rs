//! The schemes of a configuration, the error body schema, and the error codes the responses
//! name.

use std::collections::BTreeMap;

use http::{HeaderName, Method};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Schema, Type};

use super::SecuritySchemes;
use crate::claims::TokenType;
use crate::config::{Config, TokenLocation};
use crate::error::{AuthError, InvalidReason};

/// No scopes: the schemes here are not OAuth 2.
pub(super) const NO_SCOPES: [&str; 0] = [];

/// The 401s of any token check.
pub(super) const TOKEN_ERRORS: &[AuthError] = &[
    AuthError::MissingToken,
    AuthError::InvalidToken(InvalidReason::Malformed),
    AuthError::TokenExpired,
    AuthError::TokenNotYetValid,
    AuthError::InvalidClaims,
    AuthError::WrongTokenType {
        expected: TokenType::Access,
    },
    AuthError::TokenRevoked,
];

/// The 401s of the double submit.
pub(super) const CSRF_ERRORS: &[AuthError] = &[AuthError::CsrfMissing, AuthError::CsrfMismatch];

/// Every error of the library, for the error schema's description.
pub(super) const ALL_ERRORS: &[AuthError] = &[
    AuthError::MissingToken,
    AuthError::InvalidToken(InvalidReason::Malformed),
    AuthError::TokenExpired,
    AuthError::TokenNotYetValid,
    AuthError::InvalidClaims,
    AuthError::WrongTokenType {
        expected: TokenType::Access,
    },
    AuthError::FreshTokenRequired,
    AuthError::CsrfMissing,
    AuthError::CsrfMismatch,
    AuthError::CrossSiteRequest,
    AuthError::TokenRevoked,
    AuthError::RefreshTokenReused,
    AuthError::RevocationUnavailable,
    AuthError::UserNotFound,
    AuthError::UserLookupUnavailable,
    AuthError::Misconfigured(""),
];

/// `a, b, c`: the codes of `errors`.
pub(super) fn codes(errors: &[AuthError]) -> String {
    errors
        .iter()
        .map(AuthError::code)
        .collect::<Vec<_>>()
        .join(", ")
}

impl SecuritySchemes {
    /// The scheme name of the CSRF header that goes with `token_type`.
    pub(super) fn csrf_scheme(&self, token_type: TokenType) -> &'static str {
        let config = self.config();
        match token_type {
            TokenType::Refresh if config.csrf.refresh_header != config.csrf.access_header => {
                Self::REFRESH_CSRF_HEADER
            }
            _ => Self::CSRF_HEADER,
        }
    }

    /// The security schemes, by name, as [`Modify`](utoipa::Modify) adds them.
    ///
    /// ```
    /// use authjwt::openapi::SecuritySchemes;
    /// use utoipa::openapi::security::{ApiKey, SecurityScheme};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .access_csrf_header_name("X-XSRF-TOKEN").build()?);
    /// let schemes = SecuritySchemes::new(&auth).schemes();
    /// let Some(SecurityScheme::ApiKey(ApiKey::Header(csrf))) = schemes.get("csrf_header") else {
    ///     panic!("the CSRF header is an apiKey in header");
    /// };
    /// assert_eq!(csrf.name, "x-xsrf-token");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn schemes(&self) -> BTreeMap<String, SecurityScheme> {
        let config = self.config();
        let cookies = &config.cookies;
        let mut schemes = BTreeMap::new();
        let mut add = |name: &str, scheme: SecurityScheme| {
            schemes.insert(name.to_owned(), scheme);
        };
        add(
            Self::ACCESS_COOKIE,
            cookie_key(
                &cookies.access_name,
                "The access token (a JWT) in its HttpOnly cookie, set at login.",
            ),
        );
        add(
            Self::REFRESH_COOKIE,
            cookie_key(
                &cookies.refresh_name,
                "The refresh token (a JWT) in its HttpOnly cookie, set at login.",
            ),
        );
        if config.csrf.protect {
            add(
                Self::CSRF_HEADER,
                header_key(
                    header_label(&config.csrf.access_header),
                    &format!(
                        "CSRF double submit: the value of the script-readable `{}` cookie (of \
                         `{}` on the refresh route), required with a cookie-borne token on {}.",
                        cookies.access_csrf_name,
                        cookies.refresh_csrf_name,
                        method_list(config),
                    ),
                ),
            );
            if config.csrf.refresh_header != config.csrf.access_header {
                add(
                    Self::REFRESH_CSRF_HEADER,
                    header_key(
                        header_label(&config.csrf.refresh_header),
                        &format!(
                            "CSRF double submit of the refresh token: the value of the `{}` \
                             cookie.",
                            cookies.refresh_csrf_name
                        ),
                    ),
                );
            }
        }
        add(Self::BEARER, bearer_scheme(config));
        if config.locations.contains(&TokenLocation::Query) {
            add(
                Self::QUERY_TOKEN,
                SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                    config.query_string_name.clone(),
                    "The token (a JWT) in the query string.".to_owned(),
                ))),
            );
        }
        schemes
    }

    /// The error body `{"detail": "...", "code": "..."}` as a schema, registered as
    /// [`SecuritySchemes::ERROR_SCHEMA`].
    ///
    /// ```
    /// let schema = authjwt::openapi::SecuritySchemes::error_schema();
    /// let json = serde_json::to_value(&schema)?;
    /// assert_eq!(json["required"], serde_json::json!(["detail", "code"]));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn error_schema() -> Schema {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(format!(
                "Every error: a human message and a stable machine-readable code. The \
                 library's codes: {}; applications add their own.",
                codes(ALL_ERRORS)
            )))
            .property(
                "detail",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("A human-readable message.")),
            )
            .required("detail")
            .property(
                "code",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The stable code, for programs."))
                    .examples(["token_expired"]),
            )
            .required("code")
            .into()
    }
}

/// A header name as the document shows it: the default CSRF header in its conventional
/// spelling `X-CSRF-TOKEN`, any other as configured (lowercase: header names are
/// case-insensitive, and the configuration keeps them lowercase).
pub(super) fn header_label(name: &HeaderName) -> &str {
    if name == "x-csrf-token" {
        "X-CSRF-TOKEN"
    } else {
        name.as_str()
    }
}

pub(super) fn cookie_key(name: &str, description: &str) -> SecurityScheme {
    SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
        name.to_owned(),
        description.to_owned(),
    )))
}

pub(super) fn header_key(name: &str, description: &str) -> SecurityScheme {
    SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
        name.to_owned(),
        description.to_owned(),
    )))
}

/// `http` bearer for `Authorization: Bearer`, else an `apiKey` in the configured header.
pub(super) fn bearer_scheme(config: &Config) -> SecurityScheme {
    let standard = config.header_name == http::header::AUTHORIZATION
        && config.header_type.eq_ignore_ascii_case("bearer");
    if standard {
        return SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "The token (a JWT) in `Authorization: Bearer <token>`.",
                ))
                .build(),
        );
    }
    let form = if config.header_type.is_empty() {
        "<token>".to_owned()
    } else {
        format!("{} <token>", config.header_type)
    };
    header_key(
        config.header_name.as_str(),
        &format!("The token (a JWT) in this header, as `{form}`."),
    )
}

/// "POST, PUT, PATCH and DELETE" (the configured CSRF methods).
pub(super) fn method_list(config: &Config) -> String {
    let methods: Vec<&str> = config.csrf.methods.iter().map(Method::as_str).collect();
    match methods.split_last() {
        None => "no method".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
