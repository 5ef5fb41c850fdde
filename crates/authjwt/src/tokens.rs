//! Creating access and refresh tokens, and verifying them: signature, algorithm, `kid`,
//! the header's other parameters, length, `exp`/`nbf`/`iat` with leeway, `iss`/`aud`, and
//! type.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Auth;
use crate::claims::{Audience, Claims, NoCustomClaims, RESERVED_CLAIMS, TokenType, parse_claims};
use crate::config::Config;
use crate::error::{AuthError, InvalidReason};
use crate::keys::Algorithm;

mod header;
use header::HeaderIn;

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Header parameters [`TokenOptions::header`] may not set.
const RESERVED_HEADERS: [&str; 8] = ["alg", "kid", "typ", "crit", "b64", "zip", "enc", "cty"];

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// 128 random bits, base64url: for `jti`, `csrf` and family ids.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // The system RNG failing is not recoverable and never happens on supported platforms;
    // an all-zero id would be a security bug, so refuse to continue.
    #[allow(clippy::expect_used)]
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token could not be created.
///
/// ```
/// use authjwt::{TokenError, TokenOptions, TokenType};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let opts = TokenOptions::new().header("alg", "none");
/// let err = auth.create_token(TokenType::Access, "user1", opts).unwrap_err();
/// assert!(matches!(err, TokenError::ReservedHeader(ref name) if name == "alg"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Custom claims use a name the library owns.
    #[error(
        "custom claim {0:?} is reserved (reserved: sub iat nbf exp jti type fresh csrf iss aud fam)"
    )]
    ReservedClaim(String),
    /// Custom claims must serialize to a JSON object.
    #[error("custom claims must serialize to a JSON object: {0}")]
    Claims(String),
    /// An extra header uses a name the library owns.
    #[error(
        "header {0:?} is reserved (alg, kid, typ and crit are set by the library; b64, zip, \
         enc and cty change how the payload is read and are refused on verification)"
    )]
    ReservedHeader(String),
    /// A token without expiry was asked for, which the configuration does not allow.
    #[error(
        "tokens without expiry are refused: pass an expiry, or build the config with \
         dangerous_allow_non_expiring_tokens()"
    )]
    NonExpiring,
    /// A lifetime longer than the configuration's `max_token_lifetime` was asked for.
    #[error(
        "a lifetime of {requested:?} exceeds max_token_lifetime ({max:?}): revocations of a \
         login or subject would expire before the token; raise \
         ConfigBuilder::max_token_lifetime if this is meant"
    )]
    LifetimeTooLong {
        /// The lifetime asked for.
        requested: Duration,
        /// The configured maximum.
        max: Duration,
    },
    /// The key failed to sign.
    #[error("signing failed: {0}")]
    Signing(#[from] crate::keys::KeyError),
}

/// How long a new token lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Expiry {
    #[default]
    Configured,
    In(Duration),
    Never,
}

/// Options for one new token: fresh flag, expiry override, custom claims, extra headers.
///
/// ```
/// use std::time::Duration;
/// use authjwt::TokenOptions;
/// use serde::Serialize;
///
/// #[derive(Serialize)]
/// struct Roles { roles: Vec<&'static str> }
///
/// let opts = TokenOptions::new()
///     .fresh(true)
///     .expires_in(Duration::from_secs(300))
///     .claims(Roles { roles: vec!["admin"] })
///     .header("x5t", "thumbprint");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TokenOptions<T = NoCustomClaims> {
    fresh: bool,
    expiry: Expiry,
    custom: T,
    headers: Vec<(String, serde_json::Value)>,
    family: Option<String>,
    /// Set by refresh rotation: the parts of a successor that every instance must produce
    /// identically.
    pinned: Pinned,
}

/// What refresh rotation fixes in a token instead of taking it from the clock and the RNG:
/// a successor is reproduced from its stored rotation, and a session keeps its CSRF value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pinned {
    pub(crate) issued_at: Option<u64>,
    pub(crate) jti: Option<String>,
    pub(crate) csrf: Option<String>,
    /// A signature stored with the rotation, for algorithms whose signatures are randomized
    /// (ECDSA, RSA-PSS): re-signing would give another token value.
    pub(crate) signature: Option<Vec<u8>>,
}

impl Default for TokenOptions<NoCustomClaims> {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenOptions<NoCustomClaims> {
    /// Not fresh, the configured expiry, no custom claims, no extra headers.
    ///
    /// ```
    /// use authjwt::{Claims, TokenOptions, TokenType};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_token(TokenType::Access, "user1", TokenOptions::new())?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert!(!claims.fresh);
    /// assert_eq!(claims.exp, Some(claims.iat + 15 * 60)); // the configured lifetime
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new() -> Self {
        Self {
            fresh: false,
            expiry: Expiry::Configured,
            custom: NoCustomClaims {},
            headers: Vec::new(),
            family: None,
            pinned: Pinned::default(),
        }
    }
}

impl<T> TokenOptions<T> {
    /// Marks an access token as fresh (issued from a login, not a refresh). Defaults to false.
    ///
    /// ```
    /// use authjwt::{Claims, TokenOptions, TokenType};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().fresh(true); // right after checking the password
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert!(claims.fresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.fresh = fresh;
        self
    }

    /// Overrides the configured lifetime.
    ///
    /// At most [`ConfigBuilder::max_token_lifetime`](crate::ConfigBuilder::max_token_lifetime)
    /// (by default the longest configured lifetime): revocations of a whole login or subject
    /// are kept that long, and a longer lifetime is refused with
    /// [`TokenError::LifetimeTooLong`] rather than let a token outlive them.
    ///
    /// ```
    /// use std::time::Duration;
    /// use authjwt::{TokenOptions, TokenType};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().expires_in(Duration::from_secs(60));
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// assert_eq!(token.expires_at(), Some(token.issued_at() + 60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires_in(mut self, d: Duration) -> Self {
        self.expiry = Expiry::In(d);
        self
    }

    /// ⚠️ No `exp` claim. Creation fails unless the configuration allows non-expiring tokens.
    /// Family and subject revocations are then kept for good, so that it stays revoked.
    ///
    /// ```
    /// use authjwt::{Auth, Config, TokenError, TokenOptions, TokenType::Access};
    /// let builder = || Config::builder().secret(b"an example secret of at least 32 bytes!");
    /// let strict = Auth::new(builder().build()?);
    /// let err = strict.create_token(Access, "svc", TokenOptions::new().never_expires());
    /// assert!(matches!(err, Err(TokenError::NonExpiring)));
    /// let lax = Auth::new(builder().dangerous_allow_non_expiring_tokens().build()?);
    /// let token = lax.create_token(Access, "svc", TokenOptions::new().never_expires())?;
    /// assert_eq!(token.expires_at(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn never_expires(mut self) -> Self {
        self.expiry = Expiry::Never;
        self
    }

    /// The application's own claims (any serde type serializing to a JSON object). Their
    /// names may not collide with [`RESERVED_CLAIMS`].
    ///
    /// ```
    /// use authjwt::{Claims, TokenOptions, TokenType};
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Tenant { tenant: String }
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().claims(Tenant { tenant: "acme".into() });
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let claims: Claims<Tenant> = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert_eq!(claims.custom.tenant, "acme");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn claims<U>(self, custom: U) -> TokenOptions<U> {
        TokenOptions {
            fresh: self.fresh,
            expiry: self.expiry,
            custom,
            headers: self.headers,
            family: self.family,
            pinned: self.pinned,
        }
    }

    /// An extra JOSE header parameter (not `alg`, `kid`, `typ` or `crit`).
    ///
    /// ```
    /// use authjwt::{TokenOptions, TokenType};
    /// use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().header("x5t", "dGh1bWJwcmludA");
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let header = URL_SAFE_NO_PAD.decode(token.as_str().split('.').next().unwrap())?;
    /// let header: serde_json::Value = serde_json::from_slice(&header)?;
    /// assert_eq!(header["x5t"], "dGh1bWJwcmludA");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The refresh-token family (refresh rotation keeps one family per login).
    ///
    /// ```
    /// use authjwt::{Claims, TokenOptions, TokenType};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().family("login-42");
    /// let token = auth.create_token(TokenType::Refresh, "user1", opts)?;
    /// assert_eq!(token.family(), Some("login-42"));
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Refresh)?;
    /// assert_eq!(claims.fam.as_deref(), Some("login-42"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn family(mut self, family: impl Into<String>) -> Self {
        self.family = Some(family.into());
        self
    }

    /// Fixes what refresh rotation must reproduce (time, id, CSRF value, signature).
    pub(crate) fn pinned(mut self, pinned: Pinned) -> Self {
        self.pinned = pinned;
        self
    }
}

/// A newly created token, with what the cookie helpers need to set it.
///
/// `Display` and [`IssuedToken::as_str`] give the compact JWT.
///
/// ```
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// let token = auth.create_access_token("user1")?;
/// assert_eq!(token.as_str().split('.').count(), 3);
/// assert_eq!(token.jti().len(), 22);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct IssuedToken {
    encoded: String,
    token_type: TokenType,
    jti: String,
    csrf: Option<String>,
    issued_at: u64,
    expires_at: Option<u64>,
    family: Option<String>,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token itself is a credential: never printed.
        f.debug_struct("IssuedToken")
            .field("token_type", &self.token_type)
            .field("jti", &self.jti)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encoded)
    }
}

impl IssuedToken {
    /// The compact JWT.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let authorization = format!("Bearer {}", token.as_str()); // what a client sends
    /// assert_eq!(token.as_str().split('.').count(), 3);
    /// assert_eq!(token.to_string(), token.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.encoded
    }

    /// Consumes the token, returning the compact JWT.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let body = serde_json::json!({ "access_token": token.into_string() });
    /// assert!(body["access_token"].as_str().unwrap().starts_with("eyJ"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_string(self) -> String {
        self.encoded
    }

    /// Access or refresh.
    ///
    /// ```
    /// use authjwt::TokenType;
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// assert_eq!(auth.create_access_token("user1")?.token_type(), TokenType::Access);
    /// assert_eq!(auth.create_refresh_token("user1")?.token_type(), TokenType::Refresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn token_type(&self) -> TokenType {
        self.token_type
    }

    /// The token's `jti`.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert_eq!(token.jti().len(), 22); // 128 random bits, base64url
    /// assert_ne!(auth.create_access_token("user1")?.jti(), token.jti());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The CSRF double-submit value (also the `csrf` claim), when CSRF protection is on.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!")
    /// #     .token_location([authjwt::TokenLocation::Cookies]).build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let csrf = token.csrf().unwrap(); // the front end sends it back in X-CSRF-TOKEN
    /// let cookies = auth.set_access_cookies(&token);
    /// let cookie = cookies.header_values()[1].to_str()?;
    /// assert!(cookie.starts_with(&format!("csrf_access_token={csrf};")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }

    /// `iat`, seconds since the Unix epoch.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    /// assert!(token.issued_at() <= now);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// `exp`, seconds since the Unix epoch.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// assert_eq!(token.expires_at(), Some(token.issued_at() + 15 * 60)); // the default lifetime
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// The refresh-token family, if any.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let login = auth.create_login_tokens("user1")?;
    /// assert_eq!(login.access.family(), login.refresh.family()); // one family per login
    /// assert_eq!(auth.create_access_token("user1")?.family(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn family(&self) -> Option<&str> {
        self.family.as_deref()
    }

    /// The raw signature bytes (the third segment, decoded).
    pub(crate) fn signature(&self) -> Vec<u8> {
        let s64 = self.encoded.rsplit('.').next().unwrap_or_default();
        URL_SAFE_NO_PAD.decode(s64).unwrap_or_default()
    }
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    alg: &'a str,
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

/// The base64url header this library writes for a key: `{"alg":…,"typ":"JWT","kid":…}`.
/// Tokens whose header segment is byte-identical skip header decoding on verification.
pub(crate) fn standard_header(alg: Algorithm, kid: Option<&str>) -> String {
    let mut encoded = String::new();
    // Serializing two strings and an optional third cannot fail.
    let _ = encode_header(alg, kid, serde_json::Map::new(), &mut encoded);
    encoded
}

/// Appends the base64url JSON header `{"alg":…,"typ":"JWT","kid":…, extra…}` to `out`.
fn encode_header(
    alg: Algorithm,
    kid: Option<&str>,
    extra: serde_json::Map<String, serde_json::Value>,
    out: &mut String,
) -> Result<(), TokenError> {
    let header = HeaderOut {
        alg: alg.as_str(),
        typ: "JWT",
        kid,
        extra,
    };
    let json = serde_json::to_vec(&header).map_err(|e| TokenError::Claims(e.to_string()))?;
    URL_SAFE_NO_PAD.encode_string(&json, out);
    Ok(())
}

impl Config {
    pub(crate) fn create<T: Serialize>(
        &self,
        token_type: TokenType,
        subject: String,
        opts: TokenOptions<T>,
    ) -> Result<IssuedToken, TokenError> {
        let custom =
            serde_json::to_value(&opts.custom).map_err(|e| TokenError::Claims(e.to_string()))?;
        match &custom {
            serde_json::Value::Object(map) => {
                if let Some(k) = map.keys().find(|k| RESERVED_CLAIMS.contains(&k.as_str())) {
                    return Err(TokenError::ReservedClaim(k.clone()));
                }
            }
            serde_json::Value::Null => {}
            other => return Err(TokenError::Claims(format!("got {other}"))),
        }
        let configured = match token_type {
            TokenType::Access => self.access_expires,
            TokenType::Refresh => self.refresh_expires,
        };
        let lifetime = match opts.expiry {
            Expiry::Configured => configured,
            Expiry::In(d) => Some(d),
            Expiry::Never => None,
        };
        if lifetime.is_none() && !self.allow_non_expiring {
            return Err(TokenError::NonExpiring);
        }
        if let (Expiry::In(requested), Some(max)) = (opts.expiry, self.max_token_lifetime)
            && requested > max
        {
            return Err(TokenError::LifetimeTooLong { requested, max });
        }
        let Pinned {
            issued_at,
            jti,
            csrf,
            signature,
        } = opts.pinned;
        let iat = issued_at.unwrap_or_else(now);
        let exp = lifetime.map(|d| iat.saturating_add(d.as_secs()));
        let jti = jti.unwrap_or_else(random_id);
        // A session keeps one CSRF value across rotations; without it, a fresh one.
        let csrf = self.csrf_protect().then(|| csrf.unwrap_or_else(random_id));
        let claims = Claims {
            sub: subject,
            iat,
            nbf: Some(iat),
            exp,
            jti: Some(jti.clone()),
            token_type,
            fresh: opts.fresh && token_type == TokenType::Access,
            csrf: csrf.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.first().map(|a| Audience::One(a.clone())),
            fam: opts.family.clone(),
            custom,
        };

        let key = self.keys.signing_key();
        let mut extra = serde_json::Map::new();
        for (name, value) in opts.headers {
            // The library's own parameters, and those its verifier refuses because they change
            // how the payload is read: a token must verify where it was made.
            if RESERVED_HEADERS.contains(&name.as_str()) {
                return Err(TokenError::ReservedHeader(name));
            }
            extra.insert(name, value);
        }
        let payload = serde_json::to_vec(&claims).map_err(|e| TokenError::Claims(e.to_string()))?;
        let mut encoded = String::with_capacity(payload.len() * 4 / 3 + 200);
        if extra.is_empty() {
            // The signing key's header never changes: encoded once, when the config was built.
            encoded.push_str(&self.signing_header);
        } else {
            encode_header(key.algorithm(), key.kid(), extra, &mut encoded)?;
        }
        encoded.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut encoded);
        let signature = match signature {
            // Stored by the instance that rotated first: checked, never trusted blindly. One
            // that does not verify (the signing key changed since) is replaced by a new one:
            // the token value then differs, but it is valid and of the same session.
            Some(stored) if key.verifies(encoded.as_bytes(), &stored) => stored,
            _ => key.sign(encoded.as_bytes())?,
        };
        encoded.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut encoded);

        Ok(IssuedToken {
            encoded,
            token_type,
            jti,
            csrf,
            issued_at: iat,
            expires_at: exp,
            family: opts.family,
        })
    }

    /// Verifies a compact JWT: everything but CSRF, freshness and revocation, which depend on
    /// the request and live in the guard.
    pub(crate) fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        expected: TokenType,
    ) -> Result<Claims<T>, AuthError> {
        self.verify_signature(token, |payload| {
            match parse_claims::<T>(payload) {
                Ok(claims) => {
                    self.validate_claims(&claims, expected)?;
                    Ok(claims)
                }
                Err(_) => {
                    // Judge the registered claims alone, so that the error names what is wrong
                    // with the token (expired, wrong type) rather than with the route's custom
                    // claims type; a valid token without the route's claims is `invalid_claims`.
                    let claims = parse_claims::<NoCustomClaims>(payload)
                        .map_err(|_| AuthError::InvalidToken(InvalidReason::Malformed))?;
                    self.validate_claims(&claims, expected)?;
                    Err(AuthError::InvalidClaims)
                }
            }
        })?
    }

    /// The signature half of verification, for test vectors and fuzzing whose payloads are not
    /// this library's claims: the same code path as [`Auth::verify_token`] up to and including
    /// the signature (length, three strict base64url segments, header read strictly:
    /// repeated members, registered parameters of the wrong JSON type, `crit` and parameters
    /// that change how the payload is read refused, `alg` allowed and pinned by the key its
    /// `kid` selects), then the decoded payload bytes, unparsed.
    ///
    /// Not a supported API: expiry, issuer, audience, type, CSRF and revocation are **not**
    /// checked. Applications use [`Auth::verify_token`] or [`Auth::authenticate`].
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let payload = auth.config().verify_jws_signature(token.as_str())?;
    /// let claims: serde_json::Value = serde_json::from_slice(&payload)?;
    /// assert_eq!(claims["sub"], "user1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(hidden)]
    pub fn verify_jws_signature(&self, token: &str) -> Result<Vec<u8>, AuthError> {
        self.verify_signature(token, <[u8]>::to_vec)
    }

    /// Checks length, shape, header (`crit`, `alg`, `kid`) and signature, then hands the
    /// decoded payload to `read`. Nothing of the token is trusted before this succeeds.
    pub(crate) fn verify_signature<R>(
        &self,
        token: &str,
        read: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, AuthError> {
        if token.len() > self.max_token_len {
            return Err(InvalidReason::TooLong.into());
        }
        let malformed = || AuthError::InvalidToken(InvalidReason::Malformed);
        // Exactly three segments: rejects JWE (five), extra segments and the JSON form.
        let mut parts = token.split('.');
        let (Some(h64), Some(p64), Some(s64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        // A header byte-identical to one this library writes names its key directly: the same
        // bytes parse to the same alg and kid, so decoding them again would change nothing.
        let key = match self
            .known_headers
            .iter()
            .find(|(h, _)| h.as_bytes() == h64.as_bytes())
        {
            Some((_, key)) => key,
            None => self.key_for_header(h64)?,
        };
        let signed_len = h64.len() + 1 + p64.len();
        let signed = &token.as_bytes()[..signed_len];
        // RSA-4096 signatures are 512 bytes: every signature this library verifies fits.
        if !decoded::<512, _>(s64, |signature| key.verify(signed, signature))
            .map_err(|_| malformed())?
        {
            return Err(InvalidReason::BadSignature.into());
        }
        decoded::<1024, _>(p64, read).map_err(|_| malformed())
    }

    /// Decodes a header this library did not write (or wrote with extra parameters) and
    /// picks the key it names, refusing duplicate members, registered parameters of the
    /// wrong JSON type, `crit`, parameters that change how the payload is read, unlisted
    /// algorithms and unknown kids.
    fn key_for_header(&self, h64: &str) -> Result<&crate::keys::VerifyingKey, AuthError> {
        let malformed = || AuthError::InvalidToken(InvalidReason::Malformed);
        let header_json = URL_SAFE_NO_PAD.decode(h64).map_err(|_| malformed())?;
        let header = HeaderIn::parse(&header_json).map_err(|_| malformed())?;
        if header.crit || header.changes_payload {
            return Err(InvalidReason::CriticalHeader.into());
        }
        let alg: Algorithm = header
            .alg
            .parse()
            .map_err(|()| InvalidReason::AlgorithmNotAllowed)?;
        if !self.algorithms.contains(&alg) {
            return Err(InvalidReason::AlgorithmNotAllowed.into());
        }
        let key = self
            .keys
            .verifying_key_for(header.kid.as_deref())
            .ok_or(InvalidReason::UnknownKey)?;
        // Each key verifies one algorithm only: the header cannot pick HS256 for an RSA key.
        if key.algorithm() != alg {
            return Err(InvalidReason::AlgorithmNotAllowed.into());
        }
        Ok(key)
    }

    fn validate_claims<T>(&self, claims: &Claims<T>, expected: TokenType) -> Result<(), AuthError> {
        let now = now();
        match claims.exp {
            Some(exp) if now >= exp.saturating_add(self.leeway) => {
                return Err(AuthError::TokenExpired);
            }
            None if !self.allow_non_expiring => return Err(InvalidReason::MissingExpiry.into()),
            _ => {}
        }
        if let Some(nbf) = claims.nbf
            && now.saturating_add(self.leeway) < nbf
        {
            return Err(AuthError::TokenNotYetValid);
        }
        // Issued in the future beyond any tolerated skew (refused like PyJWT does): not yet
        // valid either, and it would outlive a revoke-all of everything issued up to now.
        if !self.allow_future_iat && now.saturating_add(self.leeway) < claims.iat {
            return Err(AuthError::TokenNotYetValid);
        }
        if let Some(iss) = &self.issuer
            && claims.iss.as_ref() != Some(iss)
        {
            return Err(AuthError::InvalidClaims);
        }
        // RFC 7519 4.1.3: a recipient that does not identify itself with a value of a
        // present `aud` must reject the token, so a server without an audience refuses every
        // `aud` (a string, a list, an empty list), and one with audiences requires a match.
        let aud_ok = match &claims.aud {
            None => self.audience.is_empty(),
            Some(aud) => self.audience.iter().any(|a| aud.contains(a)),
        };
        if !aud_ok {
            return Err(AuthError::InvalidClaims);
        }
        if claims.token_type != expected {
            return Err(AuthError::WrongTokenType { expected });
        }
        Ok(())
    }
}

/// Decodes base64url (no padding) into a stack buffer of `N` bytes, or onto the heap when the
/// data is longer, and hands the bytes to `f`: the common token needs no allocation.
#[inline]
fn decoded<const N: usize, R>(
    b64: &str,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, base64::DecodeError> {
    let mut buf = [0u8; N];
    match URL_SAFE_NO_PAD.decode_slice(b64, &mut buf) {
        Ok(len) => Ok(f(&buf[..len])),
        Err(base64::DecodeSliceError::OutputSliceTooSmall) => Ok(f(&URL_SAFE_NO_PAD.decode(b64)?)),
        Err(base64::DecodeSliceError::DecodeError(e)) => Err(e),
    }
}

impl Auth {
    /// Creates an access token for `subject` with the configured lifetime.
    ///
    /// ```
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: authjwt::Claims = auth.verify_token(token.as_str(), authjwt::TokenType::Access)?;
    /// assert_eq!(claims.sub, "user1");
    /// assert!(!claims.fresh);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_access_token(
        &self,
        subject: impl Into<String>,
    ) -> Result<IssuedToken, TokenError> {
        self.config()
            .create(TokenType::Access, subject.into(), TokenOptions::new())
    }

    /// Creates a refresh token for `subject` with the configured lifetime.
    ///
    /// ```
    /// use authjwt::{Claims, NoCustomClaims, TokenType};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_refresh_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Refresh)?;
    /// assert_eq!(claims.exp, Some(claims.iat + 30 * 24 * 3600));
    /// // A refresh token never passes for an access token.
    /// assert!(auth.verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_refresh_token(
        &self,
        subject: impl Into<String>,
    ) -> Result<IssuedToken, TokenError> {
        self.config()
            .create(TokenType::Refresh, subject.into(), TokenOptions::new())
    }

    /// Creates a token with options: fresh, expiry override, custom claims, extra headers.
    ///
    /// ```
    /// use authjwt::{TokenOptions, TokenType, Claims};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize)]
    /// struct Roles { roles: Vec<String> }
    ///
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let opts = TokenOptions::new().fresh(true).claims(Roles { roles: vec!["admin".into()] });
    /// let token = auth.create_token(TokenType::Access, "user1", opts)?;
    /// let claims: Claims<Roles> = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert!(claims.fresh);
    /// assert_eq!(claims.custom.roles, ["admin"]);
    ///
    /// // Reserved names cannot be overwritten.
    /// let evil = TokenOptions::new().claims(serde_json::json!({"sub": "admin"}));
    /// assert!(auth.create_token(TokenType::Access, "user1", evil).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_token<T: Serialize>(
        &self,
        token_type: TokenType,
        subject: impl Into<String>,
        options: TokenOptions<T>,
    ) -> Result<IssuedToken, TokenError> {
        self.config().create(token_type, subject.into(), options)
    }

    /// Verifies a token found by the application itself (seed 002's
    /// `auth.verify_token(token, verify_csrf=False)`): signature, algorithm, `kid`, expiry,
    /// issuer, audience and type. No CSRF, freshness or revocation check: use the guard
    /// ([`Auth::authenticate`]) for requests.
    ///
    /// ```
    /// use authjwt::{Claims, NoCustomClaims, TokenType};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert_eq!(claims.sub, "user1");
    /// let tampered = format!("{}x", token.as_str());
    /// let err = auth.verify_token::<NoCustomClaims>(&tampered, TokenType::Access).unwrap_err();
    /// assert_eq!(err.code(), "invalid_token");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_token<T: DeserializeOwned>(
        &self,
        token: &str,
        expected: TokenType,
    ) -> Result<Claims<T>, AuthError> {
        self.config()
            .verify(token, expected)
            .inspect_err(AuthError::trace)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::keys::{KeySet, SigningKey, VerifyingKey};

    fn auth() -> Auth {
        Auth::new(Config::builder().secret([7u8; 32]).build().unwrap())
    }

    fn forge(header: &str, payload: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    fn resign(auth: &Auth, header: &str, payload: &str) -> String {
        let msg = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let sig = auth
            .config()
            .keys
            .signing_key()
            .sign(msg.as_bytes())
            .unwrap();
        format!("{msg}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn err(auth: &Auth, token: &str) -> AuthError {
        auth.verify_token::<NoCustomClaims>(token, TokenType::Access)
            .unwrap_err()
    }

    #[test]
    fn long_payloads_and_signatures_take_the_heap_path() {
        #[derive(Serialize, Deserialize)]
        struct Big {
            note: String,
        }
        let auth = auth();
        let note = "n".repeat(3000);
        let opts = TokenOptions::new().claims(Big { note: note.clone() });
        let token = auth.create_token(TokenType::Access, "u", opts).unwrap();
        let claims: Claims<Big> = auth
            .verify_token(token.as_str(), TokenType::Access)
            .unwrap();
        assert_eq!(claims.custom.note, note);
        // A signature longer than any key makes is still decoded, then refused as bad.
        let (signed, _) = token.as_str().rsplit_once('.').unwrap();
        let long = format!("{signed}.{}", URL_SAFE_NO_PAD.encode([7u8; 600]));
        assert_eq!(err(&auth, &long), InvalidReason::BadSignature.into());
        let broken = format!("{signed}.{}!", "A".repeat(800));
        assert_eq!(err(&auth, &broken), InvalidReason::Malformed.into());
    }

    #[test]
    fn no_token_outlives_the_revocations_of_its_login_or_subject() {
        let day = Duration::from_secs(24 * 3600);
        let build = |b: crate::ConfigBuilder| Auth::new(b.secret([9u8; 32]).build().unwrap());
        let lasting = |auth: &Auth, d| {
            let opts = TokenOptions::new().expires_in(d);
            auth.create_token(TokenType::Access, "u", opts).is_ok()
        };
        let default = build(Config::builder());
        let long = TokenOptions::new().expires_in(31 * day);
        let err = default.create_token(TokenType::Access, "u", long.clone());
        assert!(matches!(
            err,
            Err(TokenError::LifetimeTooLong { requested, max }) if requested == 31 * day && max == 30 * day
        ));
        assert!(lasting(&default, 30 * day));
        // Raised: allowed, and family and subject revocations are kept as long.
        let raised = build(Config::builder().max_token_lifetime(90 * day).leeway(5));
        assert!(raised.create_token(TokenType::Access, "u", long).is_ok());
        assert!(!lasting(&raised, 91 * day));
        assert_eq!(raised.config().longest_lifetime(), 90 * 24 * 3600 + 5);
        assert_eq!(default.config().longest_lifetime(), 30 * 24 * 3600);
        // Unbounded configured lifetimes: unbounded maximum.
        let never = build(
            Config::builder()
                .refresh_never_expires()
                .dangerous_allow_non_expiring_tokens(),
        );
        assert_eq!(never.config().max_token_lifetime(), None);
        assert!(lasting(&never, 3650 * day));
        assert!(never.config().longest_lifetime() >= u64::MAX / 4);
        // Non-expiring tokens allowed with bounded lifetimes: revocations are kept for good,
        // and an explicit cap still caps `expires_in`.
        let lax = build(
            Config::builder()
                .dangerous_allow_non_expiring_tokens()
                .max_token_lifetime(60 * day),
        );
        assert_eq!(lax.config().max_token_lifetime(), Some(60 * day));
        assert!(lax.config().longest_lifetime() >= u64::MAX / 4);
        assert!(!lasting(&lax, 61 * day));
        let capped_never = build(
            Config::builder()
                .refresh_never_expires()
                .dangerous_allow_non_expiring_tokens()
                .max_token_lifetime(60 * day),
        );
        assert_eq!(capped_never.config().max_token_lifetime(), Some(60 * day));
        assert!(!lasting(&capped_never, 61 * day));
    }

    #[test]
    fn round_trip_and_type_check() {
        let a = auth();
        let t = a.create_access_token("u").unwrap();
        let c: Claims = a.verify_token(t.as_str(), TokenType::Access).unwrap();
        assert_eq!(c.jti(), t.jti());
        assert_eq!(c.exp, Some(c.iat + 900));
        let r = a.create_refresh_token("u").unwrap();
        assert_eq!(
            err(&a, r.as_str()),
            AuthError::WrongTokenType {
                expected: TokenType::Access
            }
        );
    }

    #[test]
    fn none_and_unlisted_algorithms_are_refused() {
        let a = auth();
        let now = now();
        let payload = format!(
            r#"{{"sub":"u","iat":{now},"exp":{},"type":"access"}}"#,
            now + 60
        );
        for alg in [
            "none", "None", "NONE", "nOnE", "hs256", "HS512", "RS256", "",
        ] {
            let t = forge(&format!(r#"{{"alg":"{alg}"}}"#), &payload, b"");
            assert_eq!(
                err(&a, &t),
                InvalidReason::AlgorithmNotAllowed.into(),
                "{alg}"
            );
        }
        let stripped = format!(
            "{}.",
            forge(r#"{"alg":"HS256"}"#, &payload, b"").trim_end_matches('.')
        );
        assert_eq!(err(&a, &stripped), InvalidReason::BadSignature.into());
    }

    #[test]
    fn crit_length_and_shape_are_checked_before_trusting_anything() {
        let a = auth();
        let now = now();
        let payload = format!(
            r#"{{"sub":"u","iat":{now},"exp":{},"type":"access"}}"#,
            now + 60
        );
        let crit = resign(
            &a,
            r#"{"alg":"HS256","crit":["b64"],"b64":false}"#,
            &payload,
        );
        assert_eq!(err(&a, &crit), InvalidReason::CriticalHeader.into());
        let long = "a".repeat(8 * 1024 + 1);
        assert_eq!(err(&a, &long), InvalidReason::TooLong.into());
        let good = resign(&a, r#"{"alg":"HS256"}"#, &payload);
        assert!(
            a.verify_token::<NoCustomClaims>(&good, TokenType::Access)
                .is_ok()
        );
        for bad in [
            format!("{good}.x"),
            good.replacen('.', "..", 1),
            format!("{good}="),
        ] {
            assert_eq!(err(&a, &bad), InvalidReason::Malformed.into(), "{bad}");
        }
        let dup = resign(&a, r#"{"alg":"HS256","alg":"none"}"#, &payload);
        assert_eq!(err(&a, &dup), InvalidReason::Malformed.into());
    }

    #[test]
    fn headers_are_read_strictly() {
        let a = auth();
        let now = now();
        let payload = format!(
            r#"{{"sub":"u","iat":{now},"exp":{},"type":"access"}}"#,
            now + 60
        );
        let verifies = |header: &str| {
            a.verify_token::<NoCustomClaims>(&resign(&a, header, &payload), TokenType::Access)
        };
        for header in [
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"HS256","typ":"JWT","x5t":"dGh1bWI","b64":true,"x":null}"#,
        ] {
            assert!(verifies(header).is_ok(), "{header}");
        }
        // Types (RFC 7515 4.1) and duplicates (RFC 7515 4): malformed, never "absent".
        for header in [
            r#"{"alg":"HS256","kid":null}"#,
            r#"{"alg":"HS256","typ":7}"#,
            r#"{"alg":"HS256","typ":null}"#,
            r#"{"alg":"HS256","jwk":"k"}"#,
            r#"{"alg":"HS256","x5c":"MIIB"}"#,
            r#"{"alg":"HS256","b64":"false"}"#,
            r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
            r#"{"alg":"HS256","x":1,"x":1}"#,
        ] {
            assert_eq!(
                verifies(header).unwrap_err(),
                InvalidReason::Malformed.into(),
                "{header}"
            );
        }
        // Parameters that change how the payload is read (RFC 7797, RFC 7516).
        for header in [
            r#"{"alg":"HS256","b64":false}"#,
            r#"{"alg":"HS256","zip":"DEF"}"#,
            r#"{"alg":"HS256","enc":"A256GCM"}"#,
            r#"{"alg":"HS256","cty":"JWT"}"#,
        ] {
            assert_eq!(
                verifies(header).unwrap_err(),
                InvalidReason::CriticalHeader.into(),
                "{header}"
            );
        }
    }

    /// The headers verification skips decoding are ones the strict reading accepts and
    /// reads to the very key they are mapped to.
    #[test]
    fn known_headers_parse_to_their_own_key() {
        let pem = include_bytes!("../tests/keys/rsa_public.pem");
        let config = Config::builder()
            .signing_key(
                SigningKey::from_secret(Algorithm::HS256, &[3; 32])
                    .unwrap()
                    .with_kid("a \"quoted\" kid"),
            )
            .verifying_key(
                VerifyingKey::from_pem(Algorithm::RS256, pem)
                    .unwrap()
                    .with_kid("r\u{e9}sum\u{e9}"),
            )
            .build()
            .unwrap();
        assert_eq!(config.known_headers.len(), 2);
        for (h64, key) in &config.known_headers {
            let parsed = config.key_for_header(h64).unwrap();
            assert_eq!(
                (parsed.algorithm(), parsed.kid()),
                (key.algorithm(), key.kid())
            );
        }
    }

    #[test]
    fn time_claims_use_leeway() {
        let a = auth();
        let now = now();
        let expired = resign(
            &a,
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"sub":"u","iat":1,"exp":{now},"type":"access"}}"#),
        );
        assert_eq!(err(&a, &expired), AuthError::TokenExpired);
        let future = resign(
            &a,
            r#"{"alg":"HS256"}"#,
            &format!(
                r#"{{"sub":"u","iat":1,"nbf":{},"exp":{},"type":"access"}}"#,
                now + 30,
                now + 90
            ),
        );
        assert_eq!(err(&a, &future), AuthError::TokenNotYetValid);
        let lenient = Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .leeway(60)
                .build()
                .unwrap(),
        );
        assert!(
            lenient
                .verify_token::<NoCustomClaims>(&expired, TokenType::Access)
                .is_ok()
        );
        assert!(
            lenient
                .verify_token::<NoCustomClaims>(&future, TokenType::Access)
                .is_ok()
        );
        let no_exp = resign(
            &a,
            r#"{"alg":"HS256"}"#,
            r#"{"sub":"u","iat":1,"type":"access"}"#,
        );
        assert_eq!(err(&a, &no_exp), InvalidReason::MissingExpiry.into());
    }

    #[test]
    fn tokens_issued_in_the_future_are_not_yet_valid() {
        let build = |b: crate::ConfigBuilder| Auth::new(b.secret([7u8; 32]).build().unwrap());
        let strict = build(Config::builder());
        let now = now();
        let issued = |iat: u64| {
            let payload = format!(
                r#"{{"sub":"u","iat":{iat},"exp":{},"type":"access"}}"#,
                now + 7200
            );
            resign(&strict, r#"{"alg":"HS256"}"#, &payload)
        };
        let ahead = issued(now + 30);
        assert_eq!(err(&strict, &ahead), AuthError::TokenNotYetValid);
        let fraction = resign(
            &strict,
            r#"{"alg":"HS256"}"#,
            &format!(
                r#"{{"sub":"u","iat":{}.5,"exp":{},"type":"access"}}"#,
                now + 30,
                now + 7200
            ),
        );
        assert_eq!(err(&strict, &fraction), AuthError::TokenNotYetValid);
        for ok in [issued(now), issued(now - 30), issued(0)] {
            assert!(
                strict
                    .verify_token::<NoCustomClaims>(&ok, TokenType::Access)
                    .is_ok()
            );
        }
        // Within the leeway: clock skew.
        let skewed = build(Config::builder().leeway(60));
        assert!(
            skewed
                .verify_token::<NoCustomClaims>(&ahead, TokenType::Access)
                .is_ok()
        );
        let far = issued(now + 3600);
        assert_eq!(err(&skewed, &far), AuthError::TokenNotYetValid);
        // The dangerous switch lets it through.
        let lax = build(Config::builder().dangerous_allow_future_iat());
        assert!(
            lax.verify_token::<NoCustomClaims>(&far, TokenType::Access)
                .is_ok()
        );
    }

    #[test]
    fn numeric_dates_may_have_fractions_and_never_lengthen_a_token() {
        let a = auth();
        let now = now();
        let token = |times: &str| {
            let payload = format!(r#"{{"sub":"u","type":"access",{times}}}"#);
            resign(&a, r#"{"alg":"HS256"}"#, &payload)
        };
        let ok = token(&format!(
            r#""iat":{now}.75,"nbf":{}.25,"exp":{}.5"#,
            now - 1,
            now + 60
        ));
        let claims: Claims = a.verify_token(&ok, TokenType::Access).unwrap();
        assert_eq!(
            (claims.iat, claims.nbf, claims.exp),
            (now, Some(now), Some(now + 60))
        );
        // exp rounds down: half a second past the last whole second is expired.
        let expired = token(&format!(r#""iat":1,"exp":{}.5"#, now - 1));
        assert_eq!(err(&a, &expired), AuthError::TokenExpired);
        // nbf rounds up.
        let early = token(&format!(
            r#""iat":1,"nbf":{}.5,"exp":{}"#,
            now + 30,
            now + 90
        ));
        assert_eq!(err(&a, &early), AuthError::TokenNotYetValid);
        for bad in [
            r#""iat":1,"exp":-0.5"#,
            r#""iat":1,"exp":1e300"#,
            r#""iat":1,"exp":253402300800"#,
            r#""iat":1,"exp":18446744073709551615"#,
            r#""iat":-1,"exp":9999999999"#,
            r#""iat":1,"nbf":253402300799.5,"exp":9999999999"#,
        ] {
            assert_eq!(
                err(&a, &token(bad)),
                InvalidReason::Malformed.into(),
                "{bad}"
            );
        }
    }

    #[test]
    fn null_claims_are_malformed_not_absent() {
        let lax = Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .dangerous_allow_non_expiring_tokens()
                .build()
                .unwrap(),
        );
        let now = now();
        for member in [
            r#""exp":null"#.to_owned(),
            format!(r#""exp":{},"nbf":null"#, now + 60),
            format!(r#""exp":{},"jti":null"#, now + 60),
            format!(r#""exp":{},"aud":null"#, now + 60),
            format!(r#""exp":{},"iss":null"#, now + 60),
        ] {
            let payload = format!(r#"{{"sub":"u","iat":{now},"type":"access",{member}}}"#);
            let t = resign(&lax, r#"{"alg":"HS256"}"#, &payload);
            assert_eq!(err(&lax, &t), InvalidReason::Malformed.into(), "{member}");
        }
    }

    #[test]
    fn issuer_and_audience() {
        let a = Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .issuer("me")
                .audience(["web"])
                .build()
                .unwrap(),
        );
        let t = a.create_access_token("u").unwrap();
        assert!(
            a.verify_token::<NoCustomClaims>(t.as_str(), TokenType::Access)
                .is_ok()
        );
        let other = Auth::new(
            Config::builder()
                .secret([7u8; 32])
                .issuer("me")
                .audience(["api"])
                .build()
                .unwrap(),
        );
        assert_eq!(
            other
                .verify_token::<NoCustomClaims>(t.as_str(), TokenType::Access)
                .unwrap_err(),
            AuthError::InvalidClaims
        );
        let plain = auth().create_access_token("u").unwrap();
        assert_eq!(err(&a, plain.as_str()), AuthError::InvalidClaims);
        // Without a configured audience, any `aud` names someone else (RFC 7519 4.1.3).
        assert_eq!(err(&auth(), t.as_str()), AuthError::InvalidClaims);
        let now = now();
        for aud in [r#""web""#, r#"["web"]"#, "[]", r#"["web","api"]"#] {
            let payload = format!(
                r#"{{"sub":"u","iat":{now},"exp":{},"type":"access","aud":{aud}}}"#,
                now + 60
            );
            let token = resign(&auth(), r#"{"alg":"HS256"}"#, &payload);
            assert_eq!(err(&auth(), &token), AuthError::InvalidClaims, "{aud}");
        }
        let listed = resign(
            &a,
            r#"{"alg":"HS256"}"#,
            &format!(
                r#"{{"sub":"u","iat":{now},"exp":{},"type":"access","iss":"me","aud":["x","web"]}}"#,
                now + 60
            ),
        );
        assert!(
            a.verify_token::<NoCustomClaims>(&listed, TokenType::Access)
                .is_ok()
        );
    }

    #[test]
    fn key_rotation_by_kid() {
        let old = SigningKey::from_secret(Algorithm::HS256, &[1; 32])
            .unwrap()
            .with_kid("old");
        let new = SigningKey::from_secret(Algorithm::HS256, &[2; 32])
            .unwrap()
            .with_kid("new");
        let before = Auth::new(Config::builder().signing_key(old.clone()).build().unwrap());
        let token = before.create_access_token("u").unwrap();
        let after = Auth::new(
            Config::builder()
                .signing_key(new.clone())
                .verifying_key(old.verifying_key())
                .build()
                .unwrap(),
        );
        assert!(
            after
                .verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access)
                .is_ok()
        );
        let removed = Auth::new(Config::builder().signing_key(new).build().unwrap());
        assert_eq!(
            removed
                .verify_token::<NoCustomClaims>(token.as_str(), TokenType::Access)
                .unwrap_err(),
            InvalidReason::UnknownKey.into()
        );
        let _ = KeySet::new(old);
    }

    #[test]
    fn hs256_signed_with_the_rsa_public_key_is_refused() {
        let pem = include_bytes!("../tests/keys/rsa_private.pem");
        let public = include_bytes!("../tests/keys/rsa_public.pem");
        let rs = Auth::new(
            Config::builder()
                .signing_key(SigningKey::from_pem(Algorithm::RS256, pem).unwrap())
                .build()
                .unwrap(),
        );
        let now = now();
        let payload = format!(
            r#"{{"sub":"u","iat":{now},"exp":{},"type":"access"}}"#,
            now + 60
        );
        let msg = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(&payload)
        );
        let confused = SigningKey::dangerous_short_hmac_secret(Algorithm::HS256, public).unwrap();
        let sig = confused.sign(msg.as_bytes()).unwrap();
        let token = format!("{msg}.{}", URL_SAFE_NO_PAD.encode(sig));
        assert_eq!(
            rs.verify_token::<NoCustomClaims>(&token, TokenType::Access)
                .unwrap_err(),
            InvalidReason::AlgorithmNotAllowed.into()
        );
        let good = rs.create_access_token("u").unwrap();
        assert!(
            rs.verify_token::<NoCustomClaims>(good.as_str(), TokenType::Access)
                .is_ok()
        );
        let _ = VerifyingKey::from_pem(Algorithm::RS256, public).unwrap();
    }

    #[test]
    fn reserved_names_and_non_expiring_tokens() {
        let a = auth();
        let r = a.create_token(
            TokenType::Access,
            "u",
            TokenOptions::new().claims(serde_json::json!({"type":"refresh"})),
        );
        assert!(matches!(r, Err(TokenError::ReservedClaim(_))));
        let r = a.create_token(
            TokenType::Access,
            "u",
            TokenOptions::new().header("alg", "none"),
        );
        assert!(matches!(r, Err(TokenError::ReservedHeader(_))));
        // Parameters the verifier refuses are never written either.
        for name in ["b64", "zip", "enc", "cty"] {
            let r = a.create_token(
                TokenType::Access,
                "u",
                TokenOptions::new().header(name, "x"),
            );
            assert!(matches!(r, Err(TokenError::ReservedHeader(_))), "{name}");
        }
        let r = a.create_token(TokenType::Access, "u", TokenOptions::new().never_expires());
        assert!(matches!(r, Err(TokenError::NonExpiring)));
        let r = a.create_token(TokenType::Access, "u", TokenOptions::new().claims(5));
        assert!(matches!(r, Err(TokenError::Claims(_))));
    }
}
