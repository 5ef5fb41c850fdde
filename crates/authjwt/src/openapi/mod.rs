//! OpenAPI 3.1 descriptions of authjwt's security, for [utoipa] 5 (feature `utoipa`).
//!
//! [`SecuritySchemes`] is built from an [`Auth`] and does two things:
//!
//! - as a [`utoipa::Modify`], it adds the security schemes of the configuration to a
//!   document: the access and refresh cookies (`apiKey` in cookie, named after the
//!   configured cookies), the CSRF header (`apiKey` in header, `X-CSRF-TOKEN` unless
//!   configured otherwise), bearer (`http`, scheme `bearer`, format JWT), and the error body
//!   `{"detail","code"}` as the schema [`SecuritySchemes::ERROR_SCHEMA`];
//! - [`SecuritySchemes::secure`] marks one operation with the requirement its
//!   [`Protection`] implies, and describes the errors the library can answer on it.
//!
//! The requirement follows the request path of [`Auth::authenticate`]: a token from a cookie
//! on an unsafe method needs the cookie **and** the CSRF header (one requirement object with
//! two keys), on a safe method the cookie only; a token from the `Authorization` header
//! needs bearer. A route that accepts several locations gets one requirement per location
//! (any one of them is enough), and an optional token adds the empty requirement `{}`.
//!
//! ```
//! use authjwt::openapi::SecuritySchemes;
//! use authjwt::{Auth, Config, Protection, TokenLocation};
//! use http::Method;
//! use utoipa::Modify;
//! use utoipa::openapi::{
//!     HttpMethod, OpenApiBuilder, PathItem, PathsBuilder, ResponseBuilder,
//!     path::OperationBuilder,
//! };
//!
//! let auth = Auth::new(Config::builder()
//!     .secret(b"an example secret of at least 32 bytes!")
//!     .token_location([TokenLocation::Cookies])
//!     .build()?);
//! let ok = || OperationBuilder::new().response("200", ResponseBuilder::new().description("OK"));
//! let mut doc = OpenApiBuilder::new()
//!     .paths(PathsBuilder::new()
//!         .path("/protected", PathItem::new(HttpMethod::Get, ok()))
//!         .path("/posts", PathItem::new(HttpMethod::Post, ok())))
//!     .build();
//!
//! let schemes = SecuritySchemes::new(&auth);
//! schemes.modify(&mut doc); // the schemes, once
//! schemes.secure(&mut doc, &Method::GET, "/protected", &Protection::access())?;
//! schemes.secure(&mut doc, &Method::POST, "/posts", &Protection::access())?;
//!
//! let json = serde_json::to_value(&doc)?;
//! assert_eq!(json["paths"]["/protected"]["get"]["security"], serde_json::json!([
//!     {"access_cookie": []},
//! ]));
//! assert_eq!(json["paths"]["/posts"]["post"]["security"], serde_json::json!([
//!     {"access_cookie": [], "csrf_header": []}, // both, in one requirement
//! ]));
//! let cookie = &json["components"]["securitySchemes"]["access_cookie"];
//! assert_eq!(cookie["type"], "apiKey");
//! assert_eq!(cookie["in"], "cookie");
//! assert_eq!(cookie["name"], "access_token_cookie");
//! let csrf = &json["components"]["securitySchemes"]["csrf_header"];
//! assert_eq!((&csrf["in"], &csrf["name"]), (&"header".into(), &"X-CSRF-TOKEN".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A custom [`ErrorResponder`](crate::error::ErrorResponder) that renders another body shape
//! should replace [`SecuritySchemes::ERROR_SCHEMA`] in the document's components.

use http::Method;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{
    Components, ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, path::Operation,
};

use crate::Auth;
use crate::claims::TokenType;
use crate::config::{Config, TokenLocation};
use crate::csrf::{is_safe_method, method_needs_csrf};
use crate::error::AuthError;
use crate::guard::Protection;

mod schemes;

use schemes::{CSRF_ERRORS, NO_SCOPES, TOKEN_ERRORS, codes};

/// The OpenAPI security schemes of an [`Auth`]'s configuration, and the requirement of each
/// protected operation. See the [module](self) documentation for a whole document.
///
/// ```
/// use authjwt::openapi::SecuritySchemes;
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let schemes = SecuritySchemes::new(&auth);
/// let names: Vec<String> = schemes.schemes().into_keys().collect();
/// assert_eq!(names, ["access_cookie", "bearer", "csrf_header", "refresh_cookie"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SecuritySchemes {
    auth: Auth,
}

/// [`SecuritySchemes::secure`] was asked for an operation the document does not have.
///
/// ```
/// use authjwt::openapi::{MissingOperation, SecuritySchemes};
/// use authjwt::Protection;
/// use http::Method;
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let mut doc = utoipa::openapi::OpenApi::default();
/// let err = SecuritySchemes::new(&auth)
///     .secure(&mut doc, &Method::GET, "/nowhere", &Protection::access())
///     .unwrap_err();
/// assert_eq!(err, MissingOperation { method: Method::GET, path: "/nowhere".into() });
/// assert_eq!(err.to_string(), "the OpenAPI document has no operation GET /nowhere");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the OpenAPI document has no operation {method} {path}")]
pub struct MissingOperation {
    /// The method asked for.
    pub method: Method,
    /// The path asked for, as written in the document (`/sessions/{id}`).
    pub path: String,
}

impl SecuritySchemes {
    /// The scheme of the access token's cookie: `apiKey` in cookie, named after
    /// [`Config::access_cookie_name`] (`access_token_cookie` by default).
    ///
    /// ```
    /// assert_eq!(authjwt::openapi::SecuritySchemes::ACCESS_COOKIE, "access_cookie");
    /// ```
    pub const ACCESS_COOKIE: &'static str = "access_cookie";

    /// The scheme of the refresh token's cookie: `apiKey` in cookie, named after
    /// [`Config::refresh_cookie_name`] (`refresh_token_cookie` by default).
    ///
    /// ```
    /// assert_eq!(authjwt::openapi::SecuritySchemes::REFRESH_COOKIE, "refresh_cookie");
    /// ```
    pub const REFRESH_COOKIE: &'static str = "refresh_cookie";

    /// The scheme of the CSRF double-submit header: `apiKey` in header, named after
    /// [`Config::access_csrf_header_name`] (`X-CSRF-TOKEN` by default). Registered when CSRF
    /// protection is on.
    ///
    /// ```
    /// assert_eq!(authjwt::openapi::SecuritySchemes::CSRF_HEADER, "csrf_header");
    /// ```
    pub const CSRF_HEADER: &'static str = "csrf_header";

    /// The scheme of the refresh token's CSRF header, registered only when its name
    /// ([`Config::refresh_csrf_header_name`]) differs from the access one; otherwise refresh
    /// routes use [`SecuritySchemes::CSRF_HEADER`].
    ///
    /// ```
    /// assert_eq!(authjwt::openapi::SecuritySchemes::REFRESH_CSRF_HEADER, "refresh_csrf_header");
    /// ```
    pub const REFRESH_CSRF_HEADER: &'static str = "refresh_csrf_header";

    /// The scheme of a token in the `Authorization` header: `http` bearer with format JWT
    /// (an `apiKey` in header when another header name or type is configured).
    ///
    /// ```
    /// assert_eq!(authjwt::openapi::SecuritySchemes::BEARER, "bearer");
    /// ```
    pub const BEARER: &'static str = "bearer";

    /// The scheme of a token in the query string (`apiKey` in query), registered only when
    /// the configuration lists [`TokenLocation::Query`].
    ///
    /// ```
    /// assert_eq!(authjwt::openapi::SecuritySchemes::QUERY_TOKEN, "query_token");
    /// ```
    pub const QUERY_TOKEN: &'static str = "query_token";

    /// The component schema of the error body `{"detail": "...", "code": "..."}` that the
    /// responses added by [`SecuritySchemes::secure`] refer to.
    ///
    /// ```
    /// assert_eq!(authjwt::openapi::SecuritySchemes::ERROR_SCHEMA, "ErrorBody");
    /// ```
    pub const ERROR_SCHEMA: &'static str = "ErrorBody";

    /// The schemes of `auth`'s configuration.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let schemes = authjwt::openapi::SecuritySchemes::new(&auth);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(auth: &Auth) -> Self {
        Self { auth: auth.clone() }
    }

    fn config(&self) -> &Config {
        self.auth.config()
    }

    /// The security requirements of one operation: `method` on `path` (as the router
    /// matches it, for the configured CSRF-exempt routes), guarded by `protection`. One
    /// requirement per token location the route accepts (any one is enough), plus `{}`
    /// when the token is optional. A token in a JSON body has no OpenAPI security scheme:
    /// describe it in the request body.
    ///
    /// ```
    /// use authjwt::openapi::SecuritySchemes;
    /// use authjwt::{Protection, TokenLocation};
    /// use http::Method;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([TokenLocation::Cookies, TokenLocation::Headers]).build()?);
    /// let schemes = SecuritySchemes::new(&auth);
    /// let refresh = schemes.requirements(&Method::POST, "/refresh", &Protection::refresh());
    /// assert_eq!(serde_json::to_value(&refresh)?, serde_json::json!([
    ///     {"refresh_cookie": [], "csrf_header": []}, // a cookie with its CSRF header,
    ///     {"bearer": []},                             // or the Authorization header
    /// ]));
    /// let header_only = Protection::access().locations([TokenLocation::Headers]);
    /// let dual = schemes.requirements(&Method::GET, "/dual/protected", &header_only);
    /// assert_eq!(serde_json::to_value(&dual)?, serde_json::json!([{"bearer": []}]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn requirements(
        &self,
        method: &Method,
        path: &str,
        protection: &Protection,
    ) -> Vec<SecurityRequirement> {
        let config = self.config();
        let mut seen = Vec::with_capacity(4);
        let mut requirements = Vec::with_capacity(4);
        for &location in self.locations(protection) {
            if seen.contains(&location) {
                continue;
            }
            seen.push(location);
            match location {
                TokenLocation::Headers => {
                    requirements.push(SecurityRequirement::new(Self::BEARER, NO_SCOPES));
                }
                TokenLocation::Cookies => {
                    let cookie = match protection.token_type {
                        TokenType::Access => Self::ACCESS_COOKIE,
                        TokenType::Refresh => Self::REFRESH_COOKIE,
                    };
                    let mut requirement = SecurityRequirement::new(cookie, NO_SCOPES);
                    if self.needs_csrf_header(method, path, protection) {
                        requirement =
                            requirement.add(self.csrf_scheme(protection.token_type), NO_SCOPES);
                    }
                    requirements.push(requirement);
                }
                TokenLocation::Query if config.locations.contains(&TokenLocation::Query) => {
                    requirements.push(SecurityRequirement::new(Self::QUERY_TOKEN, NO_SCOPES));
                }
                TokenLocation::Query | TokenLocation::Json => {}
            }
        }
        if protection.optional {
            requirements.push(SecurityRequirement::default());
        }
        requirements
    }

    /// Marks the operation `method` `path` of `doc` with [`SecuritySchemes::requirements`],
    /// and adds the error responses the library can answer on it that the operation does
    /// not describe yet: 401 (every authentication error), 403 `cross_site_request` (an
    /// unsafe method, or any method under
    /// [`Protection::check_origin_on_safe_methods`], with a cookie-borne token, when the
    /// Origin check is on) and 503
    /// `revocation_unavailable` (with a revocation store), each a JSON
    /// [`SecuritySchemes::ERROR_SCHEMA`]. Also adds the schemes, so the document's
    /// references always resolve.
    ///
    /// ```
    /// use authjwt::openapi::SecuritySchemes;
    /// use authjwt::Protection;
    /// use http::Method;
    /// use utoipa::openapi::{HttpMethod, OpenApiBuilder, PathItem, PathsBuilder, path::Operation};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let mut doc = OpenApiBuilder::new()
    ///     .paths(PathsBuilder::new().path("/posts", PathItem::new(HttpMethod::Post, Operation::new())))
    ///     .build();
    /// SecuritySchemes::new(&auth).secure(&mut doc, &Method::POST, "/posts", &Protection::access())?;
    /// let json = serde_json::to_value(&doc)?;
    /// let responses = &json["paths"]["/posts"]["post"]["responses"];
    /// assert_eq!(responses["403"]["content"]["application/json"]["schema"]["$ref"],
    ///     "#/components/schemas/ErrorBody");
    /// assert!(responses["401"]["description"].as_str().unwrap().contains("csrf_missing"));
    /// assert!(json["components"]["schemas"]["ErrorBody"].is_object());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn secure(
        &self,
        doc: &mut OpenApi,
        method: &Method,
        path: &str,
        protection: &Protection,
    ) -> Result<(), MissingOperation> {
        let requirements = self.requirements(method, path, protection);
        let missing = || MissingOperation {
            method: method.clone(),
            path: path.to_owned(),
        };
        let operation = operation_mut(doc, method, path).ok_or_else(missing)?;
        operation.security = Some(requirements);
        let mut unauthorized = codes(TOKEN_ERRORS);
        if protection.fresh {
            unauthorized = format!("{unauthorized}, {}", AuthError::FreshTokenRequired.code());
        }
        if protection.token_type == TokenType::Refresh {
            unauthorized = format!("{unauthorized}, {}", AuthError::RefreshTokenReused.code());
        }
        if self.needs_csrf_header(method, path, protection)
            && self.locations(protection).contains(&TokenLocation::Cookies)
        {
            unauthorized = format!("{unauthorized}, {}", codes(CSRF_ERRORS));
        }
        add_error(
            operation,
            "401",
            &format!("Authentication failed: {unauthorized}."),
        );
        if self.cross_site_check_applies(method, path, protection) {
            add_error(
                operation,
                "403",
                &format!(
                    "{}: a request from another site (Sec-Fetch-Site or Origin) where the \
                     route checks it, refused before the token is read.",
                    AuthError::CrossSiteRequest.code()
                ),
            );
        }
        if self.config().revocation.is_some() {
            add_error(
                operation,
                "503",
                &format!(
                    "{}: the revocation store cannot answer; the request fails closed. Retry \
                     shortly.",
                    AuthError::RevocationUnavailable.code()
                ),
            );
        }
        self.register(doc);
        Ok(())
    }

    /// Adds the schemes and the error schema to `doc`, keeping an error schema the document
    /// already has.
    fn register(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Components::new);
        components.security_schemes.extend(self.schemes());
        components
            .schemas
            .entry(Self::ERROR_SCHEMA.to_owned())
            .or_insert_with(|| RefOr::T(Self::error_schema()));
    }

    fn locations<'a>(&'a self, protection: &'a Protection) -> &'a [TokenLocation] {
        protection
            .locations
            .as_deref()
            .unwrap_or(&self.config().locations)
    }

    fn is_exempt(&self, path: &str) -> bool {
        self.config().csrf.exempt_routes.iter().any(|r| r == path)
    }

    /// Whether a cookie-borne token on this operation needs the CSRF header.
    fn needs_csrf_header(&self, method: &Method, path: &str, protection: &Protection) -> bool {
        let config = self.config();
        config.csrf.protect
            && protection.verify_csrf
            && method_needs_csrf(config, method)
            && !self.is_exempt(path)
    }

    /// Whether the Origin / Sec-Fetch-Site check can refuse this operation.
    fn cross_site_check_applies(
        &self,
        method: &Method,
        path: &str,
        protection: &Protection,
    ) -> bool {
        self.config().origin.enabled
            && (!is_safe_method(method) || protection.origin_on_safe_methods)
            && protection.verify_csrf
            && !self.is_exempt(path)
            && self.locations(protection).contains(&TokenLocation::Cookies)
    }
}

impl utoipa::Modify for SecuritySchemes {
    /// Adds the security schemes and the error schema (kept if the document already has one
    /// of that name).
    ///
    /// ```
    /// use utoipa::Modify;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let mut doc = utoipa::openapi::OpenApi::default();
    /// authjwt::openapi::SecuritySchemes::new(&auth).modify(&mut doc);
    /// let json = serde_json::to_value(&doc)?;
    /// assert_eq!(json["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    /// assert_eq!(json["components"]["securitySchemes"]["bearer"]["bearerFormat"], "JWT");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn modify(&self, openapi: &mut OpenApi) {
        self.register(openapi);
    }
}

fn operation_mut<'a>(
    doc: &'a mut OpenApi,
    method: &Method,
    path: &str,
) -> Option<&'a mut Operation> {
    let item = doc.paths.paths.get_mut(path)?;
    let slot = match *method {
        Method::GET => &mut item.get,
        Method::POST => &mut item.post,
        Method::PUT => &mut item.put,
        Method::PATCH => &mut item.patch,
        Method::DELETE => &mut item.delete,
        Method::HEAD => &mut item.head,
        Method::OPTIONS => &mut item.options,
        Method::TRACE => &mut item.trace,
        _ => return None,
    };
    slot.as_mut()
}

/// Adds a JSON error response for `status`, unless the operation describes one already.
fn add_error(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(SecuritySchemes::ERROR_SCHEMA)))
                .build();
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content("application/json", content)
                    .build(),
            )
        });
}

#[cfg(test)]
mod tests;
