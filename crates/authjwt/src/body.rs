//! The few request-body fields the library reads: a token under a JSON key (the `json`
//! location) and the CSRF value in a form field (the optional form fallback).
//!
//! Adapters read the body only when the configuration needs it, the content type matches and
//! the declared length is within [`ConfigBuilder::body_limit`](crate::ConfigBuilder::body_limit);
//! they put the body back untouched for the handler and store the fields as a request
//! extension, where the guard finds them.

use http::HeaderMap;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::Deserialize;

use crate::config::Config;
use crate::locate::TokenLocation;

/// The JSON answer (with status 400) when a body declared within the limit cannot be read:
/// it broke off, or grew past the limit.
#[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
pub(crate) const UNREADABLE_BODY: &str =
    r#"{"detail":"Could not read the request body","code":"invalid_body"}"#;

/// Token and CSRF values taken from the request body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BodyFields {
    pub(crate) json_access: Option<String>,
    pub(crate) json_refresh: Option<String>,
    pub(crate) form_access_csrf: Option<String>,
    pub(crate) form_refresh_csrf: Option<String>,
}

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
            #[derive(Deserialize)]
            struct Top(serde_json::Map<String, serde_json::Value>);
            if let Ok(Top(map)) = serde_json::from_slice::<Top>(body) {
                let get = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                fields.json_access = get(&config.json_key);
                fields.json_refresh = get(&config.refresh_json_key);
            }
        }
        BodyKind::Form => {
            for (k, v) in form_urlencoded::parse(body) {
                if k == config.csrf.access_field.as_str() && fields.form_access_csrf.is_none() {
                    fields.form_access_csrf = Some(v.clone().into_owned());
                }
                if k == config.csrf.refresh_field.as_str() && fields.form_refresh_csrf.is_none() {
                    fields.form_refresh_csrf = Some(v.into_owned());
                }
            }
        }
    }
    fields
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
            (f.json_access.as_deref(), f.json_refresh.as_deref()),
            (Some("a"), Some("r"))
        );
        assert_eq!(
            extract(&c, BodyKind::Json, b"not json"),
            BodyFields::default()
        );
        let f = extract(&c, BodyKind::Form, b"title=x&csrf_token=abc");
        assert_eq!(f.form_access_csrf.as_deref(), Some("abc"));

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
}
