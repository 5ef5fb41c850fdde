//! The JOSE header each key writes: `{"alg":…,"typ":"JWT","kid":…}`, encoded once per key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use super::Algorithm;

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
pub(crate) fn encode_header(
    alg: Algorithm,
    kid: Option<&str>,
    extra: serde_json::Map<String, serde_json::Value>,
    out: &mut String,
) -> Result<(), serde_json::Error> {
    let header = HeaderOut {
        alg: alg.as_str(),
        typ: "JWT",
        kid,
        extra,
    };
    let json = serde_json::to_vec(&header)?;
    URL_SAFE_NO_PAD.encode_string(&json, out);
    Ok(())
}
