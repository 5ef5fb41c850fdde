//! Reading a JOSE header this library did not write byte for byte: every registered
//! parameter (RFC 7515 4.1, RFC 7516 4.1, RFC 7797) with its one JSON type, no member given
//! twice, and the parameters that change how the payload is read flagged.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What verification needs from a header that parsed: the key selection, and whether it
/// carries something this library refuses to process.
#[derive(Debug)]
pub(super) struct HeaderIn<'a> {
    pub(super) alg: Cow<'a, str>,
    pub(super) kid: Option<Cow<'a, str>>,
    /// `crit` is present, whatever its value (`null` included): refused (RFC 7515 4.1.11),
    /// since no extension it could name is implemented.
    pub(super) crit: bool,
    /// A parameter that changes the signing input or how the payload is read, whose meaning
    /// is not implemented (see [`Param::changes_the_payload`]): refused, never ignored.
    pub(super) changes_payload: bool,
}

impl<'a> HeaderIn<'a> {
    /// Parses the decoded header. Refused (an error): not a JSON object, a member given
    /// twice (compared after unescaping), a registered parameter of the wrong JSON type, no
    /// `alg`.
    pub(super) fn parse(json: &'a [u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(json)
    }
}

/// The registered header parameters, each read with its one JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    Alg,
    Jku,
    Jwk,
    Kid,
    X5u,
    X5c,
    X5t,
    X5tS256,
    Typ,
    Cty,
    Crit,
    B64,
    Zip,
    Enc,
}

impl Param {
    fn new(name: &str) -> Option<Self> {
        Some(match name {
            "alg" => Self::Alg,
            "jku" => Self::Jku,
            "jwk" => Self::Jwk,
            "kid" => Self::Kid,
            "x5u" => Self::X5u,
            "x5c" => Self::X5c,
            "x5t" => Self::X5t,
            "x5t#S256" => Self::X5tS256,
            "typ" => Self::Typ,
            "cty" => Self::Cty,
            "crit" => Self::Crit,
            "b64" => Self::B64,
            "zip" => Self::Zip,
            "enc" => Self::Enc,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Alg => "alg",
            Self::Jku => "jku",
            Self::Jwk => "jwk",
            Self::Kid => "kid",
            Self::X5u => "x5u",
            Self::X5c => "x5c",
            Self::X5t => "x5t",
            Self::X5tS256 => "x5t#S256",
            Self::Typ => "typ",
            Self::Cty => "cty",
            Self::Crit => "crit",
            Self::B64 => "b64",
            Self::Zip => "zip",
            Self::Enc => "enc",
        }
    }

    /// Whether the parameter, whatever its (well-typed) value, makes the payload something
    /// other than the base64url-encoded JSON claims this library reads:
    ///
    /// - `zip` (RFC 7516 4.1.3) compresses the plaintext of a JWE; a JWS has none, and a
    ///   verifier that inflates anyway would read other claims than this one;
    /// - `enc` (RFC 7516 4.1.2) makes the object a JWE (RFC 7516 9): the payload would be
    ///   ciphertext;
    /// - `cty` (RFC 7515 4.1.10) declares the payload's media type: a JWT carries it only
    ///   when nested, as `"JWT"` (RFC 7519 5.2), whose payload is a token to unwrap, which
    ///   this library does not do; its claims set is never anything else.
    ///
    /// `b64` (RFC 7797) is judged by its value instead: `false` puts the payload unencoded
    /// in the signing input, which is not implemented; `true` is the default that every
    /// JWS is processed with, so honouring it and ignoring it are the same, and it is
    /// accepted. (RFC 7797 6 also wants `b64` listed in `crit`, which is refused anyway.)
    ///
    /// The JWE-only parameters of RFC 7518 (`epk`, `apu`, `apv`, `iv`, `tag`, `p2s`,
    /// `p2c`) describe key agreement and key wrapping; they change nothing in a JWS and
    /// are ignored like unregistered names.
    fn changes_the_payload(self) -> bool {
        matches!(self, Self::Zip | Self::Enc | Self::Cty)
    }
}

impl<'de> Deserialize<'de> for HeaderIn<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = HeaderIn<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderIn<'de>, A::Error> {
        let mut alg = None;
        let mut kid = None;
        let mut crit = false;
        let mut changes_payload = false;
        // One bit per registered parameter, to refuse a second one.
        let mut seen = 0u16;
        // Names that are not registered, compared once all are read. Most headers have none:
        // no allocation then.
        let mut others: Vec<Cow<'de, str>> = Vec::new();
        while let Some(Str(name)) = map.next_key::<Str<'de>>()? {
            let Some(param) = Param::new(&name) else {
                map.next_value::<IgnoredAny>()?;
                others.push(name);
                continue;
            };
            let bit = 1u16 << param as u16;
            if seen & bit != 0 {
                return Err(de::Error::duplicate_field(param.name()));
            }
            seen |= bit;
            changes_payload |= param.changes_the_payload();
            match param {
                Param::Alg => alg = Some(map.next_value::<Str<'de>>()?.0),
                Param::Kid => kid = Some(map.next_value::<Str<'de>>()?.0),
                Param::Jku
                | Param::X5u
                | Param::X5t
                | Param::X5tS256
                | Param::Typ
                | Param::Cty
                | Param::Zip
                | Param::Enc => {
                    map.next_value::<Str<'de>>()?;
                }
                Param::Jwk => map.next_value::<Object>()?.0,
                Param::X5c => map.next_value::<Strings>()?.0,
                Param::Crit => {
                    map.next_value::<IgnoredAny>()?;
                    crit = true;
                }
                Param::B64 => changes_payload |= !map.next_value::<bool>()?,
            }
        }
        if others.len() > 1 {
            others.sort_unstable();
            if let Some(pair) = others.windows(2).find(|pair| pair[0] == pair[1]) {
                return Err(de::Error::custom(format_args!(
                    "duplicate header parameter `{}`",
                    pair[0]
                )));
            }
        }
        Ok(HeaderIn {
            alg: alg.ok_or_else(|| de::Error::missing_field("alg"))?,
            kid,
            crit,
            changes_payload,
        })
    }
}

/// A JSON string, borrowed from the input unless it holds escapes; nothing else.
struct Str<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(StrVisitor)
    }
}

/// A JSON object, contents unread (`jwk`).
struct Object(());

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Object(()))
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

/// A JSON array of strings, unkept (`x5c`).
struct Strings(());

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StringsVisitor;
        impl<'de> Visitor<'de> for StringsVisitor {
            type Value = Strings;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
                while seq.next_element::<Str<'de>>()?.is_some() {}
                Ok(Strings(()))
            }
        }
        d.deserialize_seq(StringsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Option<HeaderIn<'_>> {
        HeaderIn::parse(json.as_bytes()).ok()
    }

    #[test]
    fn reads_alg_and_kid_borrowed() {
        let h = parse(r#"{"alg":"HS256","typ":"JWT","kid":"k1","x":[1,{"y":null}]}"#).unwrap();
        assert_eq!((h.alg.as_ref(), h.kid.as_deref()), ("HS256", Some("k1")));
        assert!(matches!(h.alg, Cow::Borrowed(_)));
        assert!(!h.crit && !h.changes_payload);
        let h = parse(r#"{"\u0061lg":"HS\u003256"}"#).unwrap();
        assert_eq!((h.alg.as_ref(), h.kid), ("HS256", None));
    }

    #[test]
    fn every_registered_parameter_has_one_json_type() {
        let right: &[(&str, &str)] = &[
            ("kid", r#""k""#),
            ("typ", r#""JWT""#),
            ("jku", r#""https://a.example/jwks""#),
            ("x5u", r#""https://a.example/c.pem""#),
            ("x5t", r#""dGh1bWI""#),
            ("x5t#S256", r#""dGh1bWI""#),
            ("jwk", r#"{"kty":"oct"}"#),
            ("x5c", r#"["MIIB","MIIC"]"#),
            ("b64", "true"),
        ];
        for (name, value) in right {
            let json = format!(r#"{{"alg":"HS256","{name}":{value}}}"#);
            assert!(parse(&json).is_some(), "{json}");
        }
        let wrong: &[(&str, &[&str])] = &[
            ("alg", &["null", "1", r#"["HS256"]"#, "{}", "true"]),
            ("kid", &["null", "123", "false", r#"["k"]"#, "{}"]),
            ("typ", &["null", "1", "true", r#"["JWT"]"#]),
            ("cty", &["null", "1", r#"["JWT"]"#]),
            ("jku", &["null", "1", "{}"]),
            ("x5u", &["null", "[]"]),
            ("x5t", &["null", "0"]),
            ("x5t#S256", &["null", "{}"]),
            ("jwk", &["null", r#""k""#, "[]", "1"]),
            ("x5c", &["null", r#""MIIB""#, "[1]", "[null]", "{}"]),
            ("b64", &["null", r#""false""#, "0", "[]"]),
            ("zip", &["null", "1"]),
            ("enc", &["null", "[]"]),
        ];
        for (name, values) in wrong {
            for value in *values {
                let json = if *name == "alg" {
                    format!(r#"{{"alg":{value}}}"#)
                } else {
                    format!(r#"{{"alg":"HS256","{name}":{value}}}"#)
                };
                assert!(parse(&json).is_none(), "{json}");
            }
        }
        // crit is refused whatever it holds; it parses, to be reported as such.
        for value in ["null", "[]", r#"["exp"]"#, "1"] {
            let json = format!(r#"{{"alg":"HS256","crit":{value}}}"#);
            assert!(parse(&json).unwrap().crit, "{json}");
        }
        assert!(parse(r#"{"kid":"k"}"#).is_none());
        assert!(parse(r#"["HS256"]"#).is_none());
    }

    #[test]
    fn no_member_may_appear_twice() {
        for json in [
            r#"{"alg":"HS256","alg":"HS256"}"#,
            r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JWT","typ":"at+jwt"}"#,
            r#"{"alg":"HS256","kid":"a","\u006bid":"b"}"#,
            r#"{"alg":"HS256","crit":null,"crit":null}"#,
            r#"{"alg":"HS256","b64":true,"b64":true}"#,
            r#"{"alg":"HS256","x":1,"y":2,"x":1}"#,
            r#"{"alg":"HS256","x\u0079":1,"xy":1}"#,
            r#"{"alg":"HS256","jwk":{},"jwk":{}}"#,
        ] {
            assert!(parse(json).is_none(), "{json}");
        }
        assert!(parse(r#"{"alg":"HS256","x":1,"y":1,"X":1}"#).is_some());
    }

    #[test]
    fn parameters_that_change_the_payload_are_flagged() {
        for json in [
            r#"{"alg":"HS256","b64":false}"#,
            r#"{"alg":"HS256","zip":"DEF"}"#,
            r#"{"alg":"HS256","enc":"A128GCM"}"#,
            r#"{"alg":"HS256","cty":"JWT"}"#,
            r#"{"alg":"HS256","cty":"application/json"}"#,
        ] {
            assert!(parse(json).unwrap().changes_payload, "{json}");
        }
        for json in [
            r#"{"alg":"HS256","b64":true}"#,
            r#"{"alg":"HS256","epk":{},"apu":"x","p2c":1000}"#,
        ] {
            assert!(!parse(json).unwrap().changes_payload, "{json}");
        }
    }
}
