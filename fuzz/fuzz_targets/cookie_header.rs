//! `Cookie` header parsing (`find_cookie`). The input is split on `\n` into header values
//! (values `http` refuses are skipped); the first line, when short, is also tried as the
//! cookie name, besides the default names.
//!
//! Invariants: nothing panics; a value found for `name` appears as `name=value` at a pair
//! boundary of some header, contains no `;`, and every pair of that name in every header has
//! that same value; a conflict means two pairs of that name with different values exist.
#![no_main]

use authjwt::{AuthError, error::InvalidReason};
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

/// Every value of `name`, by the definition: split on `;`, drop one leading space, split at
/// the first `=`, compare the name byte for byte.
fn model<'a>(headers: &'a [Vec<u8>], name: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    for h in headers {
        for pair in h.split(|&b| b == b';') {
            let pair = if pair.first() == Some(&b' ') {
                &pair[1..]
            } else {
                pair
            };
            if let Some(eq) = pair.iter().position(|&b| b == b'=')
                && &pair[..eq] == name
            {
                out.push(&pair[eq + 1..]);
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut map = HeaderMap::new();
    let mut kept = Vec::new();
    for line in &lines {
        if let Ok(v) = HeaderValue::from_bytes(line) {
            map.append(COOKIE, v);
            kept.push(line.to_vec());
        }
    }
    let mut names: Vec<String> = vec![
        "access_token_cookie".into(),
        "__Host-access_token_cookie".into(),
        "a".into(),
    ];
    if let Some(first) = lines.first()
        && first.len() < 64
        && let Ok(s) = std::str::from_utf8(first)
    {
        names.push(s.to_owned());
    }
    for name in &names {
        let values = model(&kept, name.as_bytes());
        match authjwt::dangerous::find_cookie(&map, name) {
            Ok(None) => assert!(values.is_empty(), "missed a cookie named {name:?}"),
            Ok(Some(v)) => {
                assert!(!v.contains(';'));
                assert!(!values.is_empty());
                assert!(
                    values.iter().all(|x| *x == v.as_bytes()),
                    "ignored a duplicate"
                );
            }
            Err(AuthError::InvalidToken(InvalidReason::Conflicting)) => {
                assert!(
                    values.windows(2).any(|w| w[0] != w[1]) || {
                        let first = values.first().copied();
                        values.iter().any(|x| Some(*x) != first)
                    }
                );
            }
            Err(AuthError::InvalidToken(InvalidReason::Malformed)) => {
                assert!(!values.is_empty());
                assert!(std::str::from_utf8(values[0]).is_err());
            }
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
});
