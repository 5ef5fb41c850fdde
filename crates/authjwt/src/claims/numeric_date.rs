//! NumericDates (RFC 7519 2): JSON numbers of seconds since the epoch, not only integers,
//! read into whole seconds. Negative, non-finite and absurd values (past the end of year
//! 9999, or beyond what JSON numbers parse to) are refused.

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
