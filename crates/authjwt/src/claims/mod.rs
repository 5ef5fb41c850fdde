//! The claims of a token: the registered ones (RFC 7519), ours (`type`, `fresh`, `csrf`) and
//! the application's own typed claims, flattened beside them.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// Whether a token grants access or only the right to get a new access token.
///
/// ```
/// use authjwt::claims::TokenType;
/// assert_eq!(TokenType::Access.to_string(), "access");
/// assert_eq!(serde_json::to_string(&TokenType::Refresh).unwrap(), r#""refresh""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    /// A short-lived token that authenticates requests.
    Access,
    /// A long-lived token that can only be exchanged for a new access token.
    Refresh,
}

impl TokenType {
    /// `"access"` or `"refresh"`.
    ///
    /// ```
    /// use authjwt::claims::TokenType;
    /// assert_eq!(TokenType::Access.as_str(), "access");
    /// assert_eq!(TokenType::Refresh.as_str(), "refresh");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// Only the strings `"access"` and `"refresh"`: the derived form would also take serde's
/// externally tagged shape, `{"access": null}`, a second JSON type for the `type` claim.
impl<'de> Deserialize<'de> for TokenType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TypeVisitor;
        impl Visitor<'_> for TypeVisitor {
            type Value = TokenType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"the string "access" or "refresh""#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TokenType, E> {
                match v {
                    "access" => Ok(TokenType::Access),
                    "refresh" => Ok(TokenType::Refresh),
                    _ => Err(E::unknown_variant(v, &["access", "refresh"])),
                }
            }
        }
        d.deserialize_str(TypeVisitor)
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `aud` claim: one audience or several (RFC 7519 4.1.3).
///
/// ```
/// use authjwt::claims::Audience;
/// let aud: Audience = serde_json::from_str(r#"["a","b"]"#).unwrap();
/// assert!(aud.contains("b"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// A single audience string.
    One(String),
    /// A list of audiences.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `aud` is among the audiences.
    ///
    /// ```
    /// use authjwt::claims::Audience;
    /// let aud = Audience::Many(vec!["api".into(), "admin".into()]);
    /// assert!(aud.contains("admin"));
    /// assert!(!Audience::One("api".into()).contains("web"));
    /// ```
    pub fn contains(&self, aud: &str) -> bool {
        match self {
            Self::One(a) => a == aud,
            Self::Many(list) => list.iter().any(|a| a == aud),
        }
    }
}

/// The claims of a verified token, with the application's own claims in `custom`.
///
/// `T` is any serde type: its fields are serialized next to the reserved claims (they can
/// never replace one: creating a token whose custom claims use a reserved name fails). The
/// default, [`NoCustomClaims`], carries nothing.
///
/// Each reserved claim has one JSON type, and a claim of another type (`null` included) is
/// refused, never read as absent: `sub`, `jti`, `csrf`, `iss` and `fam` are strings, `aud` a
/// string or a list of strings, `type` the string `"access"` or `"refresh"`, `fresh` a
/// boolean, and `iat`, `nbf` and `exp` NumericDates: JSON numbers of seconds since the epoch
/// from 0 to the end of year 9999, fractions allowed (RFC 7519 2). Fractions are rounded so
/// that a token is never valid longer than it says: `exp` and `iat` down, `nbf` up.
///
/// ```
/// use authjwt::{Claims, claims::TokenType};
/// use serde::Deserialize;
///
/// #[derive(Debug, Deserialize)]
/// struct Roles { roles: Vec<String> }
///
/// let json = r#"{"sub":"user1","iat":1,"nbf":1,"exp":2,"jti":"abc","type":"access",
///                "fresh":false,"roles":["admin"]}"#;
/// let claims: Claims<Roles> = serde_json::from_str(json).unwrap();
/// assert_eq!(claims.sub, "user1");
/// assert_eq!(claims.token_type, TokenType::Access);
/// assert_eq!(claims.custom.roles, ["admin"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Claims<T = NoCustomClaims> {
    /// The subject: who the token is about (the user id).
    pub sub: String,
    /// Issued at, in seconds since the Unix epoch (a fraction is rounded down).
    #[serde(deserialize_with = "numeric_date::down")]
    pub iat: u64,
    /// Not valid before, in seconds since the Unix epoch (a fraction is rounded up).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date::up_some"
    )]
    pub nbf: Option<u64>,
    /// Expires at, in seconds since the Unix epoch (a fraction is rounded down); `None` for a
    /// non-expiring token (only accepted when the configuration explicitly allows them).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date::down_some"
    )]
    pub exp: Option<u64>,
    /// The token's unique id (128 random bits, base64url), used for revocation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_null"
    )]
    pub jti: Option<String>,
    /// Access or refresh.
    #[serde(rename = "type")]
    pub token_type: TokenType,
    /// Whether the access token was issued from a fresh login (not from a refresh).
    #[serde(default)]
    pub fresh: bool,
    /// The CSRF double-submit value, present when cookie CSRF protection is on.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_null"
    )]
    pub csrf: Option<String>,
    /// The issuer, when one is configured.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_null"
    )]
    pub iss: Option<String>,
    /// The audience, when one is configured.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_null"
    )]
    pub aud: Option<Audience>,
    /// The refresh-token family this token belongs to (refresh rotation).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_null"
    )]
    pub fam: Option<String>,
    /// The end of the session (NumericDate) when the configuration sets an absolute session
    /// lifetime ([`ConfigBuilder::session_max_age`](crate::ConfigBuilder::session_max_age)):
    /// no token of the session lives past it, and one presented after it is refused with
    /// `session_expired` rather than `token_expired`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date::down_some"
    )]
    pub sxp: Option<u64>,
    /// The login's remember-me choice ([`Login::remember`](crate::sessions::Login::remember)):
    /// persistent cookies (`true`) or session cookies (`false`); absent, the configuration
    /// decides. Rotation keeps it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_null"
    )]
    pub rem: Option<bool>,
    /// The application's own claims.
    #[serde(flatten)]
    pub custom: T,
}

/// An optional claim that, when present, must be a `V`: `null` is a `V` of the wrong type,
/// not an absent claim.
fn non_null<'de, D: Deserializer<'de>, V: Deserialize<'de>>(d: D) -> Result<Option<V>, D::Error> {
    V::deserialize(d).map(Some)
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

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

pub(crate) mod numeric_date;
mod parse;
pub(crate) use parse::parse_claims;

impl<T> Claims<T> {
    /// The `jti`, or `""` for a token without one.
    ///
    /// ```
    /// use authjwt::{Claims, claims::TokenType};
    /// # let auth = authjwt::Auth::new(authjwt::Config::builder()
    /// #     .secret(b"an example secret of at least 32 bytes!").build()?);
    /// let token = auth.create_access_token("user1")?;
    /// let claims: Claims = auth.verify_token(token.as_str(), TokenType::Access)?;
    /// assert_eq!(claims.jti(), token.jti()); // the id to revoke it by
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn jti(&self) -> &str {
        self.jti.as_deref().unwrap_or("")
    }

    /// The same claims with the custom ones replaced by `f` of them.
    pub(crate) fn map_custom<U>(self, f: impl FnOnce(T) -> U) -> Claims<U> {
        Claims {
            sub: self.sub,
            iat: self.iat,
            nbf: self.nbf,
            exp: self.exp,
            jti: self.jti,
            token_type: self.token_type,
            fresh: self.fresh,
            csrf: self.csrf,
            iss: self.iss,
            aud: self.aud,
            fam: self.fam,
            sxp: self.sxp,
            rem: self.rem,
            custom: f(self.custom),
        }
    }
}

/// The names custom claims may not use, because the library owns them.
///
/// ```
/// use authjwt::{claims::{RESERVED_CLAIMS, TokenType}, tokens::TokenOptions};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// assert!(RESERVED_CLAIMS.contains(&"fresh"));
/// // Custom claims cannot pose as one of them.
/// let spoof = TokenOptions::new().claims(serde_json::json!({ "fresh": true }));
/// assert!(auth.create_token(TokenType::Access, "user1", spoof).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const RESERVED_CLAIMS: &[&str] = &[
    "sub", "iat", "nbf", "exp", "jti", "type", "fresh", "csrf", "iss", "aud", "fam", "sxp", "rem",
];

/// Custom claims that carry nothing: the default type parameter of [`Claims`].
///
/// ```
/// let c: authjwt::claims::NoCustomClaims = serde_json::from_str(r#"{"anything":1}"#).unwrap();
/// assert_eq!(serde_json::to_string(&c).unwrap(), "{}");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoCustomClaims {}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::parse::{OnePass, UniqueNames};
    use super::*;

    #[test]
    fn duplicate_reserved_claims_are_rejected() {
        for dup in [
            r#"{"sub":"a","sub":"b","iat":1,"type":"access"}"#,
            r#"{"sub":"a","iat":1,"type":"refresh","type":"access"}"#,
            r#"{"sub":"a","iat":1,"type":"access","csrf":"x","csrf":"y"}"#,
            r#"{"sub":"a","iat":1,"type":"access","fresh":false,"fresh":true}"#,
            r#"{"sub":"a","iat":1,"exp":5,"exp":9,"type":"access"}"#,
        ] {
            assert!(serde_json::from_str::<Claims>(dup).is_err(), "{dup}");
        }
    }

    #[test]
    fn wrong_json_types_are_rejected() {
        for bad in [
            r#"{"sub":"a","iat":1,"exp":"9","type":"access"}"#,
            r#"{"sub":"a","iat":1,"exp":-1,"type":"access"}"#,
            r#"{"sub":"a","iat":1,"nbf":true,"type":"access"}"#,
            r#"{"sub":"a","iat":1,"type":"Access"}"#,
            r#"{"sub":1,"iat":1,"type":"access"}"#,
            r#"{"iat":1,"type":"access"}"#,
        ] {
            assert!(serde_json::from_str::<Claims>(bad).is_err(), "{bad}");
            assert!(
                parse_claims::<NoCustomClaims>(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }

    /// Every reserved claim has one JSON type; `null` or any other is refused, never read as
    /// an absent claim, by the one-pass parse and by the derived form alike.
    #[test]
    fn each_reserved_claim_has_one_json_type() {
        let wrong: &[(&str, &[&str])] = &[
            ("sub", &["null", "1", "true", "[]", "{}"]),
            ("iat", &["null", r#""1""#, "true", "[1]", "{}"]),
            ("nbf", &["null", r#""1""#, "false", "[]", "{}"]),
            ("exp", &["null", r#""9""#, "true", "[9]", r#"{"$gt":0}"#]),
            ("jti", &["null", "1", "false", r#"["j"]"#, "{}"]),
            (
                "type",
                &["null", r#"{"access":null}"#, r#"["access"]"#, "1"],
            ),
            ("fresh", &["null", r#""true""#, "1", "[]"]),
            ("csrf", &["null", "1", "true", r#"["c"]"#]),
            ("iss", &["null", "1", "[]", r#"{"iss":"me"}"#]),
            (
                "aud",
                &["null", "1", "true", "[null]", "[1]", r#"{"a":"b"}"#],
            ),
            ("fam", &["null", "0", "false", "[]"]),
        ];
        for (claim, values) in wrong {
            for value in *values {
                // The claim replaces its valid value, or is added when the base has none.
                let mut claims = serde_json::json!({"sub":"a","iat":1,"type":"access"});
                let json = {
                    claims[*claim] = serde_json::Value::Null;
                    serde_json::to_string(&claims).unwrap().replace(
                        &format!(r#""{claim}":null"#),
                        &format!(r#""{claim}":{value}"#),
                    )
                };
                assert!(serde_json::from_str::<Claims>(&json).is_err(), "{json}");
                assert!(
                    parse_claims::<NoCustomClaims>(json.as_bytes()).is_err(),
                    "{json}"
                );
                assert!(
                    parse_claims::<serde_json::Value>(json.as_bytes()).is_err(),
                    "{json}"
                );
            }
        }
        // The right types, for contrast.
        let good = r#"{"sub":"a","iat":1,"nbf":1,"exp":2,"jti":"j","type":"refresh",
                       "fresh":false,"csrf":"c","iss":"i","aud":["x"],"fam":"f"}"#;
        assert!(parse_claims::<NoCustomClaims>(good.as_bytes()).is_ok());
        assert!(serde_json::from_str::<Claims>(good).is_ok());
        assert!(serde_json::from_str::<TokenType>(r#"{"access":null}"#).is_err());
        assert_eq!(
            serde_json::from_str::<TokenType>(r#""\u0061ccess""#).unwrap(),
            TokenType::Access
        );
    }

    /// NumericDates are JSON numbers (RFC 7519 2), rounded so as never to lengthen a
    /// token's life: `exp` and `iat` down, `nbf` up. Out of range is refused.
    #[test]
    fn numeric_dates_are_numbers_rounded_conservatively() {
        let read = |time: &str| {
            let json =
                format!(r#"{{"sub":"a","iat":{time},"nbf":{time},"exp":{time},"type":"access"}}"#);
            let fast = parse_claims::<NoCustomClaims>(json.as_bytes())
                .ok()
                .map(|c| (c.iat, c.nbf, c.exp));
            let derived = serde_json::from_str::<Claims>(&json)
                .ok()
                .map(|c| (c.iat, c.nbf, c.exp));
            assert_eq!(fast, derived, "{json}");
            fast
        };
        let max = numeric_date::MAX;
        for (time, expected) in [
            ("1767225600", Some((1_767_225_600, 1_767_225_600))),
            ("1767225600.5", Some((1_767_225_600, 1_767_225_601))),
            ("1767225600.000001", Some((1_767_225_600, 1_767_225_601))),
            ("1767225600.0", Some((1_767_225_600, 1_767_225_600))),
            ("1.7672256005e9", Some((1_767_225_600, 1_767_225_601))),
            ("17672256005E-1", Some((1_767_225_600, 1_767_225_601))),
            ("0", Some((0, 0))),
            ("0.25", Some((0, 1))),
            ("-0", Some((0, 0))),
            ("-0.0", Some((0, 0))),
            ("253402300799", Some((max, max))),
            ("253402300798.5", Some((max - 1, max))),
            ("253402300799.5", None),
            ("253402300800", None),
            ("-1", None),
            ("-0.5", None),
            ("1e300", None),
            ("1e400", None),
            ("18446744073709551615", None),
            ("18446744073709551616", None),
        ] {
            assert_eq!(
                read(time),
                expected.map(|(down, up)| (down, Some(up), Some(down))),
                "{time}"
            );
        }
    }

    /// `parse_claims` must read every input exactly as the derived `Deserialize` does, but
    /// for refusing every repeated claim name.
    fn agree<T>(inputs: &[&str])
    where
        T: DeserializeOwned + PartialEq + fmt::Debug,
    {
        for json in inputs {
            let unique = serde_json::from_str::<UniqueNames>(json).is_ok();
            let derived = serde_json::from_str::<Claims<T>>(json)
                .ok()
                .filter(|_| unique);
            let fast = parse_claims::<T>(json.as_bytes()).ok();
            assert_eq!(fast, derived, "{json}");
        }
    }

    const SHAPES: &[&str] = &[
        r#"{"sub":"a","iat":1,"type":"access"}"#,
        r#"{"sub":"a","\u0073ub":"b","iat":1,"type":"access"}"#,
        r#"{"\u0073ub":"a","iat":1,"type":"access"}"#,
        r#"{"sub":"a","iat":1,"exp":null,"jti":null,"type":"access"}"#,
        r#"{"sub":"a","iat":1,"nbf":null,"type":"access"}"#,
        r#"{"sub":"a","iat":1,"type":"access","aud":null,"iss":null,"fam":null,"csrf":null}"#,
        r#"{"sub":"a","iat":1.5,"nbf":2.5,"exp":3.5,"type":"access"}"#,
        r#"{"sub":"a","iat":1,"exp":1e400,"type":"access"}"#,
        r#"{"sub":"a","iat":1,"type":{"access":null}}"#,
        r#"{"sub":"a","iat":1,"type":"access","fresh":null}"#,
        r#"{"sub":"a","iat":1,"type":"access","x":1,"x":2}"#,
        r#"{"sub":"a","iat":1,"type":"access","level":3,"tags":["x"]}"#,
        r#"{"level":3,"sub":"a","iat":1,"type":"access","extra":{"k":[1,2]}}"#,
        r#"{"sub":"a","iat":1,"type":"access","level":300}"#,
        r#"{"sub":"a","iat":1,"type":"access","level":"3"}"#,
        r#"{"sub":"a","iat":1,"type":"access","level":3,"level":4}"#,
        r#"{"sub":"a","iat":1,"type":"access","aud":["x","y"],"fam":"f","csrf":"c"}"#,
        r#"["a",1,"access"]"#,
        r#"{"sub":"a","iat":1}"#,
    ];

    #[test]
    fn the_one_pass_parse_reads_claims_like_the_derived_form() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Extra {
            level: u8,
            #[serde(default)]
            tags: Vec<String>,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct Strict {
            level: u8,
        }
        #[derive(Debug, Deserialize, PartialEq)]
        struct Unit;
        agree::<NoCustomClaims>(SHAPES);
        agree::<Extra>(SHAPES);
        agree::<Option<Extra>>(SHAPES);
        agree::<Strict>(SHAPES);
        agree::<Unit>(SHAPES);
        agree::<()>(SHAPES);
        agree::<serde_json::Value>(SHAPES);
        agree::<std::collections::BTreeMap<String, serde_json::Value>>(SHAPES);
    }

    #[test]
    fn the_common_token_takes_the_one_pass_path() {
        let json = br#"{"sub":"user1","iat":1,"nbf":1,"exp":2,"jti":"j","type":"access",
                       "fresh":true,"csrf":"c","fam":"f"}"#;
        assert!(serde_json::from_slice::<OnePass<NoCustomClaims>>(json).is_ok());
        // It is stricter where the derived form is lax; the derived form then decides, but
        // never lets a repeated claim name through.
        let dup = br#"{"sub":"a","iat":1,"type":"access","x":1,"x":2}"#;
        assert!(serde_json::from_slice::<OnePass<NoCustomClaims>>(dup).is_err());
        assert!(serde_json::from_slice::<Claims>(dup).is_ok());
        assert!(parse_claims::<NoCustomClaims>(dup).is_err());
        assert!(parse_claims::<serde_json::Value>(dup).is_err());
        // A unit `T` takes the fallback; repeated names are refused there too.
        let unit = br#"{"sub":"a","iat":1,"type":"access"}"#;
        assert!(serde_json::from_slice::<OnePass<()>>(unit).is_err());
        assert!(parse_claims::<()>(unit).is_ok());
        for dup in [
            r#"{"sub":"a","iat":1,"type":"access","x":1,"\u0078":1}"#,
            r#"{"sub":"a","iat":1,"type":"access","\u0073ub":"a"}"#,
        ] {
            assert!(parse_claims::<()>(dup.as_bytes()).is_err(), "{dup}");
        }
    }

    #[test]
    fn custom_claims_sit_beside_reserved_ones() {
        #[derive(Debug, Serialize, Deserialize, PartialEq)]
        struct Extra {
            role: String,
        }
        let json = r#"{"sub":"a","iat":1,"type":"access","role":"admin"}"#;
        let c: Claims<Extra> = serde_json::from_str(json).unwrap();
        assert_eq!(c.custom.role, "admin");
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["role"], "admin");
        assert_eq!(back["type"], "access");
    }
}
