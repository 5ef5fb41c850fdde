//! The one-pass claims parse: reserved claims straight into their fields, custom claims
//! collected for `T`, every name at most once.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use super::*;

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
    Sxp,
    Rem,
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
            Self::Sxp => "sxp",
            Self::Rem => "rem",
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
            "sxp" => Self::Sxp,
            "rem" => Self::Rem,
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
pub(super) struct UniqueNames;

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
pub(super) struct OnePass<T>(pub(super) Claims<T>);

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
                let mut sxp: Option<numeric_date::Down> = None;
                let mut rem: Option<bool> = None;
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
                        ClaimName::Sxp => once(&mut map, &mut sxp, "sxp")?,
                        ClaimName::Rem => once(&mut map, &mut rem, "rem")?,
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
                    sxp: sxp.map(|d| d.0),
                    rem,
                    custom,
                })
            }
        }

        d.deserialize_map(ClaimsVisitor(PhantomData)).map(OnePass)
    }
}
