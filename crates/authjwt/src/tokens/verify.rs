//! Verifying tokens: length, shape, header, signature, then the claims (`exp`/`nbf`/`iat` with leeway, `iss`/`aud`, type).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;

use super::*;
use crate::claims::{Claims, NoCustomClaims, TokenType, parse_claims};
use crate::config::Config;
use crate::error::{AuthError, InvalidReason};
use crate::keys::Algorithm;

impl Config {
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
    pub(super) fn key_for_header(
        &self,
        h64: &str,
    ) -> Result<&crate::keys::VerifyingKey, AuthError> {
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

    pub(super) fn validate_claims<T>(
        &self,
        claims: &Claims<T>,
        expected: TokenType,
    ) -> Result<(), AuthError> {
        let now = now();
        // Past the session's absolute end (the token's `exp` was capped to it): say so, so
        // that a client signs in again instead of trying to refresh.
        if let Some(end) = claims.sxp
            && now >= end.saturating_add(self.leeway)
        {
            return Err(AuthError::SessionExpired);
        }
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
pub(super) fn decoded<const N: usize, R>(
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
