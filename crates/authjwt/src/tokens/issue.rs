//! Creating tokens: claims, the JOSE header each key writes, the signature.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use super::*;
use crate::claims::{Audience, Claims, RESERVED_CLAIMS, TokenType};
use crate::config::Config;
use crate::keys::encode_header;

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
            session_end,
            remember,
        } = opts.pinned;
        let iat = issued_at.unwrap_or_else(now);
        // No token of a session outlives the session's absolute end.
        let exp = match (
            lifetime.map(|d| iat.saturating_add(d.as_secs())),
            session_end,
        ) {
            (Some(exp), Some(end)) => Some(exp.min(end)),
            (exp, end) => exp.or(end),
        };
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
            sxp: session_end,
            rem: remember,
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
            encode_header(key.algorithm(), key.kid(), extra, &mut encoded)
                .map_err(|e| TokenError::Claims(e.to_string()))?;
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
            session_end,
            remember,
        })
    }
}
