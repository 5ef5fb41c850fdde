//! The few request-body fields the library reads: a token under a JSON key (the `json`
//! location) and the CSRF value in a form field (the optional form fallback).
//!
//! Adapters read the body only when the configuration needs it, the content type matches and
//! the declared length is within [`ConfigBuilder::body_limit`](crate::ConfigBuilder::body_limit);
//! they put the body back untouched for the handler and store the fields as a request
//! extension, where the guard finds them.

use std::fmt;

use http::HeaderMap;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use crate::config::Config;
use crate::config::TokenLocation;

/// The JSON answer (with status 400) when a body declared within the limit cannot be read:
/// it broke off, or grew past the limit.
#[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
pub(crate) const UNREADABLE_BODY: &str =
    r#"{"detail":"Could not read the request body","code":"invalid_body"}"#;

/// Token and CSRF values taken from the request body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BodyFields {
    pub(crate) json_access: BodyValue,
    pub(crate) json_refresh: BodyValue,
    pub(crate) form_access_csrf: BodyValue,
    pub(crate) form_refresh_csrf: BodyValue,
}

/// One field of the body. A field given twice with the same value is that value, like a
/// cookie or query parameter sent twice; given twice with different values it is ambiguous
/// and the request is refused, never decided by order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum BodyValue {
    #[default]
    Absent,
    One(String),
    Conflicting,
}

impl BodyValue {
    /// Records one more occurrence of the field.
    fn add(&mut self, value: &str) {
        match self {
            Self::Absent => *self = Self::One(value.to_owned()),
            Self::One(prev) if prev != value => *self = Self::Conflicting,
            Self::One(_) | Self::Conflicting => {}
        }
    }

    /// The value, if the field was given; `Err` if it was given with different values.
    pub(crate) fn get(&self) -> Result<Option<&str>, Conflicting> {
        match self {
            Self::Absent => Ok(None),
            Self::One(v) => Ok(Some(v)),
            Self::Conflicting => Err(Conflicting),
        }
    }
}

/// A body field given twice with different values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conflicting;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Json,
    Form,
}

/// Whether the adapter should buffer this request's body, and how to read it.
pub(crate) fn wanted(config: &Config, headers: &HeaderMap) -> Option<BodyKind> {
    let content_type = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = content_type.split(';').next()?.trim();
    let kind = if essence.eq_ignore_ascii_case("application/json") {
        config
            .locations
            .contains(&TokenLocation::Json)
            .then_some(BodyKind::Json)?
    } else if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        config.csrf.check_form.then_some(BodyKind::Form)?
    } else {
        return None;
    };
    let len: usize = headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()?;
    (len <= config.body_limit).then_some(kind)
}

/// Reads the configured keys out of a buffered body. Bodies that do not parse yield nothing:
/// the handler still receives them and reports its own error.
pub(crate) fn extract(config: &Config, kind: BodyKind, body: &[u8]) -> BodyFields {
    let mut fields = BodyFields::default();
    match kind {
        BodyKind::Json => {
            let keys = JsonKeys {
                access: &config.json_key,
                refresh: &config.refresh_json_key,
            };
            let mut de = serde_json::Deserializer::from_slice(body);
            if let Ok((access, refresh)) = keys.deserialize(&mut de)
                && de.end().is_ok()
            {
                fields.json_access = access.into_token();
                fields.json_refresh = refresh.into_token();
            }
        }
        BodyKind::Form => {
            for (k, v) in form_urlencoded::parse(body) {
                if k == config.csrf.access_field.as_str() {
                    fields.form_access_csrf.add(&v);
                }
                if k == config.csrf.refresh_field.as_str() {
                    fields.form_refresh_csrf.add(&v);
                }
            }
        }
    }
    fields
}

/// A JSON body's member under a configured key, as given: its occurrences are compared as
/// JSON values, so that `{"k": "jwt", "k": null}` is two different values, not one token.
#[derive(Default)]
enum JsonMember {
    #[default]
    Absent,
    One(serde_json::Value),
    Conflicting,
}

impl JsonMember {
    fn add(&mut self, value: serde_json::Value) {
        match self {
            Self::Absent => *self = Self::One(value),
            Self::One(prev) if *prev != value => *self = Self::Conflicting,
            Self::One(_) | Self::Conflicting => {}
        }
    }

    /// A token is a string; a member of another JSON type carries none.
    fn into_token(self) -> BodyValue {
        match self {
            Self::One(serde_json::Value::String(token)) => BodyValue::One(token),
            Self::Absent | Self::One(_) => BodyValue::Absent,
            Self::Conflicting => BodyValue::Conflicting,
        }
    }
}

/// Reads a top-level JSON object in one pass, keeping the members under the two configured
/// keys (compared after unescaping) and skipping everything else unbuffered.
struct JsonKeys<'k> {
    access: &'k str,
    refresh: &'k str,
}

impl<'de> DeserializeSeed<'de> for JsonKeys<'_> {
    type Value = (JsonMember, JsonMember);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for JsonKeys<'_> {
    type Value = (JsonMember, JsonMember);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut access, mut refresh) = (JsonMember::Absent, JsonMember::Absent);
        while let Some(key) = map.next_key_seed(KeyIs(self.access, self.refresh))? {
            match key {
                (false, false) => {
                    map.next_value::<IgnoredAny>()?;
                }
                (true, false) => access.add(map.next_value()?),
                (false, true) => refresh.add(map.next_value()?),
                (true, true) => {
                    let value: serde_json::Value = map.next_value()?;
                    access.add(value.clone());
                    refresh.add(value);
                }
            }
        }
        Ok((access, refresh))
    }
}

/// Whether a member name (unescaped, not copied) is the first key, the second, or both.
struct KeyIs<'k>(&'k str, &'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = (bool, bool);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(bool, bool), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = (bool, bool);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(bool, bool), E> {
        Ok((v == self.0, v == self.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_keys_and_form_fields() {
        let c = Config::builder()
            .secret([1u8; 32])
            .token_location([TokenLocation::Json, TokenLocation::Cookies])
            .csrf_check_form(true)
            .build()
            .unwrap();
        let f = extract(
            &c,
            BodyKind::Json,
            br#"{"access_token":"a","refresh_token":"r","x":1}"#,
        );
        assert_eq!(
            (f.json_access.get(), f.json_refresh.get()),
            (Ok(Some("a")), Ok(Some("r")))
        );
        assert_eq!(
            extract(&c, BodyKind::Json, b"not json"),
            BodyFields::default()
        );
        let f = extract(&c, BodyKind::Form, b"title=x&csrf_token=abc");
        assert_eq!(f.form_access_csrf.get(), Ok(Some("abc")));

        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        h.insert(CONTENT_LENGTH, "10".parse().unwrap());
        assert_eq!(wanted(&c, &h), Some(BodyKind::Json));
        h.insert(CONTENT_LENGTH, "1000000".parse().unwrap());
        assert_eq!(wanted(&c, &h), None);
    }

    /// A field given twice is its value when both agree and ambiguous when they differ,
    /// never decided by which comes first.
    #[test]
    fn repeated_fields_agree_or_conflict() {
        let c = Config::builder()
            .secret([1u8; 32])
            .token_location([TokenLocation::Json, TokenLocation::Cookies])
            .csrf_check_form(true)
            .build()
            .unwrap();
        let json = |body: &str| extract(&c, BodyKind::Json, body.as_bytes()).json_access;
        assert_eq!(
            json(r#"{"access_token":"a","access_token":"a"}"#).get(),
            Ok(Some("a"))
        );
        assert_eq!(
            json(r#"{"access_token":"a","access_\u0074oken":"a"}"#).get(),
            Ok(Some("a"))
        );
        for conflicting in [
            r#"{"access_token":"a","access_token":"b"}"#,
            r#"{"access_token":"a","x":{"access_token":1},"access_\u0074oken":"b"}"#,
            r#"{"access_token":"a","access_token":null}"#,
            r#"{"access_token":null,"access_token":"a"}"#,
            r#"{"access_token":["a"],"access_token":"a"}"#,
        ] {
            assert_eq!(json(conflicting), BodyValue::Conflicting, "{conflicting}");
        }
        // Not a string: no token, as before; nested keys are not the top-level key.
        for none in [
            r#"{"access_token":null}"#,
            r#"{"access_token":5}"#,
            r#"{"x":{"access_token":"a"}}"#,
            r#"{"access_token":"a"} trailing"#,
            r#"["access_token","a"]"#,
        ] {
            assert_eq!(json(none), BodyValue::Absent, "{none}");
        }
        // The refresh key is read beside it, independently.
        let f = extract(
            &c,
            BodyKind::Json,
            br#"{"refresh_token":"r","access_token":"a","refresh_token":"s"}"#,
        );
        assert_eq!(
            (f.json_access, f.json_refresh),
            (BodyValue::One("a".into()), BodyValue::Conflicting)
        );
        // One key configured for both token types.
        let same = Config::builder()
            .secret([1u8; 32])
            .token_location([TokenLocation::Json])
            .json_key("token")
            .refresh_json_key("token")
            .build()
            .unwrap();
        let f = extract(&same, BodyKind::Json, br#"{"token":"t"}"#);
        assert_eq!(
            (f.json_access.get(), f.json_refresh.get()),
            (Ok(Some("t")), Ok(Some("t")))
        );
        let form = |body: &str| extract(&c, BodyKind::Form, body.as_bytes()).form_access_csrf;
        assert_eq!(form("csrf_token=a&csrf_token=a").get(), Ok(Some("a")));
        assert_eq!(form("csrf_token=a&csrf%5Ftoken=a").get(), Ok(Some("a")));
        assert_eq!(form("csrf_token=a&csrf_token=b"), BodyValue::Conflicting);
        assert_eq!(form("csrf_token=a&csrf_token="), BodyValue::Conflicting);
    }
}
