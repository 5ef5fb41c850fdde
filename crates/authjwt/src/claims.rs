//! The claims of a token: the registered ones (RFC 7519), ours (`type`, `fresh`, `csrf`) and
//! the application's own typed claims, flattened beside them.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Whether a token grants access or only the right to get a new access token.
///
/// ```
/// use authjwt::TokenType;
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
    /// use authjwt::TokenType;
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
/// use authjwt::Audience;
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
    /// use authjwt::Audience;
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
/// use authjwt::{Claims, TokenType};
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
    /// The application's own claims.
    #[serde(flatten)]
    pub custom: T,
}

/// An optional claim that, when present, must be a `V`: `null` is a `V` of the wrong type,
/// not an absent claim.
fn non_null<'de, D: Deserializer<'de>, V: Deserialize<'de>>(d: D) -> Result<Option<V>, D::Error> {
    V::deserialize(d).map(Some)
}

/// NumericDates (RFC 7519 2): JSON numbers of seconds since the epoch, not only integers,
/// read into whole seconds. Negative, non-finite and absurd values (past the end of year
/// 9999, or beyond what JSON numbers parse to) are refused.
pub(crate) mod numeric_date {
    use std::fmt;

    use serde::Deserializer;
    use serde::de::{self, Unexpected, Visitor};

    /// 9999-12-31T23:59:59Z, the latest NumericDate accepted.
    pub(crate) const MAX: u64 = 253_402_300_799;

    /// Whole seconds, rounding a fraction up (`UP`) or down.
    struct Seconds<const UP: bool>;

    impl<const UP: bool> Visitor<'_> for Seconds<UP> {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a NumericDate: a number of seconds from 0 to the end of year 9999")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            if v <= MAX {
                Ok(v)
            } else {
                Err(E::invalid_value(Unexpected::Unsigned(v), &self))
            }
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            match u64::try_from(v) {
                Ok(v) => self.visit_u64(v),
                Err(_) => Err(E::invalid_value(Unexpected::Signed(v), &self)),
            }
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            // NaN and the infinities fail the range test too.
            #[allow(clippy::cast_precision_loss)]
            if !(0.0..=MAX as f64).contains(&v) {
                return Err(E::invalid_value(Unexpected::Float(v), &self));
            }
            let whole = if UP { v.ceil() } else { v.floor() };
            // In range and whole: the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(whole as u64)
        }
    }

    /// A NumericDate, a fraction rounded down: for `exp` (never later than it says) and
    /// `iat` (never later either, so that a revocation of everything issued up to a time
    /// covers it).
    pub(crate) fn down<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_u64(Seconds::<false>)
    }

    /// A NumericDate, a fraction rounded up: for `nbf` (never earlier than it says).
    pub(crate) fn up<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_u64(Seconds::<true>)
    }

    /// [`down`] for an optional claim; `null` is refused.
    pub(crate) fn down_some<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        down(d).map(Some)
    }

    /// [`up`] for an optional claim; `null` is refused.
    pub(crate) fn up_some<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        up(d).map(Some)
    }

    /// The NumericDate read by [`down`], for the one-pass parse.
    pub(crate) struct Down(pub(crate) u64);

    /// The NumericDate read by [`up`], for the one-pass parse.
    pub(crate) struct Up(pub(crate) u64);

    impl<'de> serde::Deserialize<'de> for Down {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            down(d).map(Down)
        }
    }

    impl<'de> serde::Deserialize<'de> for Up {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            up(d).map(Up)
        }
    }
}

/// A claim name: one of ours, or one for the custom claims.
enum ClaimName<'de> {
    Sub,
    Iat,
    Nbf,
    Exp,
    Jti,
    Type,
    Fresh,
    Csrf,
    Iss,
    Aud,
    Fam,
    Custom(Cow<'de, str>),
}

impl<'de> ClaimName<'de> {
    /// The name as written (unescaped).
    fn into_name(self) -> Cow<'de, str> {
        Cow::Borrowed(match self {
            Self::Sub => "sub",
            Self::Iat => "iat",
            Self::Nbf => "nbf",
            Self::Exp => "exp",
            Self::Jti => "jti",
            Self::Type => "type",
            Self::Fresh => "fresh",
            Self::Csrf => "csrf",
            Self::Iss => "iss",
            Self::Aud => "aud",
            Self::Fam => "fam",
            Self::Custom(name) => return name,
        })
    }

    fn new(name: &str) -> Option<Self> {
        Some(match name {
            "sub" => Self::Sub,
            "iat" => Self::Iat,
            "nbf" => Self::Nbf,
            "exp" => Self::Exp,
            "jti" => Self::Jti,
            "type" => Self::Type,
            "fresh" => Self::Fresh,
            "csrf" => Self::Csrf,
            "iss" => Self::Iss,
            "aud" => Self::Aud,
            "fam" => Self::Fam,
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for ClaimName<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = ClaimName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ClaimName::new(v).unwrap_or(ClaimName::Custom(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ClaimName::new(v).unwrap_or_else(|| ClaimName::Custom(Cow::Owned(v.into()))))
            }
        }
        d.deserialize_str(NameVisitor)
    }
}

/// Parses a verified token's claims. First in one pass over the JSON object, straight into
/// the fields, with only the claims that are not ours collected and handed to `T` as an
/// object; the derived form (serde's `flatten`) would first buffer every claim in an
/// intermediate tree. When that fails, the derived form decides, so every `T` is read
/// exactly as `Claims<T>`'s own `Deserialize` reads it (`Option<_>`, unit types and
/// `deny_unknown_fields` included), and its errors are the ones reported; but a claim name
/// given twice is refused on both paths (RFC 7515 4, RFC 7519 4), where the derived form
/// would ignore a repeated custom claim or let the last one win.
#[inline]
pub(crate) fn parse_claims<T: DeserializeOwned>(json: &[u8]) -> serde_json::Result<Claims<T>> {
    match serde_json::from_slice::<OnePass<T>>(json) {
        Ok(OnePass(claims)) => Ok(claims),
        Err(_) => {
            serde_json::from_slice::<UniqueNames>(json)?;
            serde_json::from_slice(json)
        }
    }
}

/// A JSON object whose member names (unescaped) are all different; the values are skipped.
/// Only the fallback of [`parse_claims`] reads it: the one-pass parse checks names itself.
struct UniqueNames;

impl<'de> Deserialize<'de> for UniqueNames {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NamesVisitor;
        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = UniqueNames;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of JWT claims")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueNames, A::Error> {
                let mut names: Vec<Cow<'de, str>> = Vec::new();
                while let Some(name) = map.next_key::<ClaimName<'de>>()? {
                    map.next_value::<de::IgnoredAny>()?;
                    names.push(name.into_name());
                }
                names.sort_unstable();
                match names.windows(2).find(|pair| pair[0] == pair[1]) {
                    Some(pair) => Err(de::Error::custom(format_args!(
                        "duplicate claim `{}`",
                        pair[0]
                    ))),
                    None => Ok(UniqueNames),
                }
            }
        }
        d.deserialize_map(NamesVisitor)
    }
}

/// [`Claims`] read in one pass (see [`parse_claims`]). It refuses whatever the derived form
/// refuses (duplicate, missing or mistyped registered claims), and more (a duplicate custom
/// claim; a `T` that cannot be read from an object of the custom claims), never less.
struct OnePass<T>(Claims<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OnePass<T> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ClaimsVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ClaimsVisitor<T> {
            type Value = Claims<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of JWT claims")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims<T>, A::Error> {
                // The outer `Option` records that a claim was seen, to refuse a second one.
                fn once<'de, A: MapAccess<'de>, V: Deserialize<'de>>(
                    map: &mut A,
                    slot: &mut Option<V>,
                    name: &'static str,
                ) -> Result<(), A::Error> {
                    if slot.is_some() {
                        return Err(de::Error::duplicate_field(name));
                    }
                    *slot = Some(map.next_value()?);
                    Ok(())
                }
                // Each slot holds the claim's one JSON type, so that `null` is refused like
                // any other wrong type rather than read as an absent claim.
                let mut sub: Option<String> = None;
                let mut iat: Option<numeric_date::Down> = None;
                let mut nbf: Option<numeric_date::Up> = None;
                let mut exp: Option<numeric_date::Down> = None;
                let (mut jti, mut csrf, mut iss, mut fam): (Option<String>, _, _, _) =
                    (None, None, None, None);
                let mut token_type: Option<TokenType> = None;
                let mut fresh: Option<bool> = None;
                let mut aud: Option<Audience> = None;
                let mut custom = serde_json::Map::new();
                while let Some(name) = map.next_key::<ClaimName<'de>>()? {
                    match name {
                        ClaimName::Sub => once(&mut map, &mut sub, "sub")?,
                        ClaimName::Iat => once(&mut map, &mut iat, "iat")?,
                        ClaimName::Nbf => once(&mut map, &mut nbf, "nbf")?,
                        ClaimName::Exp => once(&mut map, &mut exp, "exp")?,
                        ClaimName::Jti => once(&mut map, &mut jti, "jti")?,
                        ClaimName::Type => once(&mut map, &mut token_type, "type")?,
                        ClaimName::Fresh => once(&mut map, &mut fresh, "fresh")?,
                        ClaimName::Csrf => once(&mut map, &mut csrf, "csrf")?,
                        ClaimName::Iss => once(&mut map, &mut iss, "iss")?,
                        ClaimName::Aud => once(&mut map, &mut aud, "aud")?,
                        ClaimName::Fam => once(&mut map, &mut fam, "fam")?,
                        ClaimName::Custom(name) => {
                            let value: serde_json::Value = map.next_value()?;
                            if custom.contains_key(name.as_ref()) {
                                return Err(de::Error::custom(format_args!(
                                    "duplicate claim `{name}`"
                                )));
                            }
                            custom.insert(name.into_owned(), value);
                        }
                    }
                }
                let custom =
                    T::deserialize(serde_json::Value::Object(custom)).map_err(de::Error::custom)?;
                Ok(Claims {
                    sub: sub.ok_or_else(|| de::Error::missing_field("sub"))?,
                    iat: iat.ok_or_else(|| de::Error::missing_field("iat"))?.0,
                    nbf: nbf.map(|d| d.0),
                    exp: exp.map(|d| d.0),
                    jti,
                    token_type: token_type.ok_or_else(|| de::Error::missing_field("type"))?,
                    fresh: fresh.unwrap_or(false),
                    csrf,
                    iss,
                    aud,
                    fam,
                    custom,
                })
            }
        }

        d.deserialize_map(ClaimsVisitor(PhantomData)).map(OnePass)
    }
}

impl<T> Claims<T> {
    /// The `jti`, or `""` for a token without one.
    ///
    /// ```
    /// use authjwt::{Claims, TokenType};
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
            custom: f(self.custom),
        }
    }
}

/// The names custom claims may not use, because the library owns them.
///
/// ```
/// use authjwt::{RESERVED_CLAIMS, TokenOptions, TokenType};
/// # let auth = authjwt::Auth::new(authjwt::Config::builder()
/// #     .secret(b"an example secret of at least 32 bytes!").build()?);
/// assert!(RESERVED_CLAIMS.contains(&"fresh"));
/// // Custom claims cannot pose as one of them.
/// let spoof = TokenOptions::new().claims(serde_json::json!({ "fresh": true }));
/// assert!(auth.create_token(TokenType::Access, "user1", spoof).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const RESERVED_CLAIMS: &[&str] = &[
    "sub", "iat", "nbf", "exp", "jti", "type", "fresh", "csrf", "iss", "aud", "fam",
];

/// Custom claims that carry nothing: the default type parameter of [`Claims`].
///
/// ```
/// let c: authjwt::NoCustomClaims = serde_json::from_str(r#"{"anything":1}"#).unwrap();
/// assert_eq!(serde_json::to_string(&c).unwrap(), "{}");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoCustomClaims {}

#[cfg(test)]
mod tests {
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
