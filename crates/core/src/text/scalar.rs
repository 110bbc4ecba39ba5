//! Type narrowing of scalars: is `yes` a bool, `-12` an integer, `1.5` a float?
//!
//! The rules reproduce the `jomini` crate's, because its JSON is the format users already
//! consume: `yes`/`no` are booleans; a number becomes a JSON number only when an `f64`
//! represents it exactly (so 17-digit ids stay strings); a trailing `f` (`1.5f`) and a
//! leading `+` or `.` are accepted; dates such as `1444.11.11` stay strings.

/// What a scalar narrows to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Narrowed {
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    /// Not a bool nor an exactly representable number: written as a string.
    Str,
}

/// Digits in `u64::MAX`: at this length overflow becomes possible.
const OVERFLOW_DIGITS: usize = 20;
/// Digits in 2^53 - 1, the largest integer an `f64` holds exactly.
const SAFE_INTEGER_DIGITS: usize = 16;
const SAFE_INTEGER: u64 = (1 << 53) - 1;

const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Classify a scalar's raw bytes.
#[inline]
pub fn narrow(d: &[u8]) -> Narrowed {
    match d {
        b"yes" => return Narrowed::Bool(true),
        b"no" => return Narrowed::Bool(false),
        _ => {}
    }
    // Fast exit for the common case: words.
    match d.first() {
        Some(b'0'..=b'9' | b'-' | b'+' | b'.') => {}
        _ => return Narrowed::Str,
    }
    let float = to_f64(d);
    let Some(float) = float else {
        return Narrowed::Str;
    };
    if let Some(i) = to_i64(d) {
        return Narrowed::I64(i);
    }
    if let Some(u) = to_u64(d) {
        return Narrowed::U64(u);
    }
    Narrowed::F64(float)
}

/// Write the JSON for the most common numbers without converting through binary:
/// canonical integers of up to 15 digits (copied as they are) and decimals of up to 15
/// digits (trailing zeros dropped). Returns false, having written nothing, for anything
/// else; [`narrow`] then decides.
///
/// Why this equals [`narrow`] + `zmij` (the formatter `serde_json`, and so jomini, uses): with at most 15 significant digits, the decimal
/// maps to the nearest `f64` (an exact integer divided by an exact power of ten, correctly
/// rounded), and no other decimal of at most 15 digits maps to the same `f64`; so the
/// shortest round-trip form `zmij` writes has the input's digits, in plain notation for
/// values from 1e-5 up to 1e16.
#[inline]
pub fn write_common_number(d: &[u8], out: &mut Vec<u8>) -> bool {
    let (negative, digits) = match d.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'0'..=b'9', _)) => (false, d),
        _ => return false,
    };
    let int_len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == 0 || int_len > 15 {
        return false;
    }
    let Some((int, after_int)) = digits.split_at_checked(int_len) else {
        return false;
    };
    let frac = match after_int {
        [] => {
            // An integer: copy it unless it has leading zeros or is `-0`.
            if int_len > 1 && int.starts_with(b"0") || negative && int == b"0" {
                return false;
            }
            out.extend_from_slice(d);
            return true;
        }
        [b'.', frac @ ..] => frac,
        _ => return false,
    };
    if frac.is_empty() || int_len + frac.len() > 15 || !frac.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Leading zeros go, but one digit stays (`00.5` is `0.5`).
    let zeros = int.iter().take_while(|&&b| b == b'0').count();
    let int = int.get(zeros.min(int_len - 1)..).unwrap_or(int);
    let frac_len = frac.iter().rposition(|&b| b != b'0').map_or(0, |i| i + 1);
    let frac = frac.get(..frac_len).unwrap_or(frac);
    // Below 1e-5 the formatter switches to exponent notation.
    if int == b"0" && frac.starts_with(b"00000") {
        return false;
    }
    if negative {
        out.push(b'-');
    }
    out.extend_from_slice(int);
    out.push(b'.');
    if frac.is_empty() {
        out.push(b'0');
    } else {
        out.extend_from_slice(frac);
    }
    true
}

/// Accumulate leading ASCII digits (wrapping), returning the value and the rest.
#[inline]
fn digits_wrapping(d: &[u8], start: u64) -> (u64, &[u8]) {
    let mut acc = start;
    let mut rest = d;
    while let Some((&c, after)) = rest.split_first() {
        if !c.is_ascii_digit() {
            break;
        }
        acc = acc.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
        rest = after;
    }
    (acc, rest)
}

/// Accumulate leading digits with overflow checks; `None` on overflow.
#[cold]
fn digits_checked(d: &[u8], start: u64) -> Option<u64> {
    let mut acc = start;
    for &c in d {
        if !c.is_ascii_digit() {
            break;
        }
        acc = acc.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(acc)
}

fn strip_sign(d: &[u8]) -> &[u8] {
    match d {
        [b'+' | b'-', rest @ ..] => rest,
        _ => d,
    }
}

fn to_i64(d: &[u8]) -> Option<i64> {
    let (&first, rest) = d.split_first()?;
    let (negative, start) = match first {
        b'0'..=b'9' => (false, u64::from(first - b'0')),
        b'-' => (true, 0),
        b'+' => (false, 0),
        _ => return None,
    };
    let (value, left) = digits_wrapping(rest, start);
    if d.len() >= OVERFLOW_DIGITS - 1 {
        digits_checked(strip_sign(d), 0)?;
    }
    if !left.is_empty() {
        return None;
    }
    let value = i64::try_from(value).ok()?;
    Some(if negative { -value } else { value })
}

fn to_u64(d: &[u8]) -> Option<u64> {
    let (&first, rest) = d.split_first()?;
    let start = match first {
        b'0'..=b'9' => u64::from(first - b'0'),
        b'+' => 0,
        _ => return None,
    };
    let (value, left) = digits_wrapping(rest, start);
    if !left.is_empty() {
        return None;
    }
    if d.len() >= OVERFLOW_DIGITS - 1 {
        digits_checked(strip_sign(d), 0)?;
    }
    Some(value)
}

fn to_f64(d: &[u8]) -> Option<f64> {
    let (&first, after_first) = d.split_first()?;
    let negative = first == b'-';
    // `whole` spans the digits after any sign (and the fraction, if any).
    let (mut whole, mut rest, mut acc) = match first {
        b'-' | b'+' => (after_first, after_first, 0u64),
        b'0'..=b'9' => (d, after_first, u64::from(first - b'0')),
        b'.' => (d, d, 0),
        _ => return None,
    };
    let sign = if negative { -1.0 } else { 1.0 };

    while let Some((&c, after)) = rest.split_first() {
        match c {
            b'0'..=b'9' => {
                acc = acc.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                rest = after;
            }
            b'.' => return fraction(acc, whole, after, sign),
            b'f' if after.is_empty() => {
                whole = whole.split_last().map_or(whole, |(_, w)| w);
                rest = after;
            }
            _ => return None,
        }
    }

    if whole.len() < SAFE_INTEGER_DIGITS {
        let value = acc as i64;
        return Some((if negative { -value } else { value }) as f64);
    }
    if whole.len() >= OVERFLOW_DIGITS {
        digits_checked(strip_sign(whole), 0)?;
    }
    if acc > SAFE_INTEGER {
        return None;
    }
    let value = i64::try_from(acc).ok()?;
    Some((if negative { -value } else { value }) as f64)
}

/// The part of [`to_f64`] after the decimal point. `whole` still includes the point.
fn fraction(acc: u64, whole: &[u8], mut frac: &[u8], sign: f64) -> Option<f64> {
    let mut total = acc;
    if let Some((&last, init)) = frac.split_last() {
        for &c in init {
            if !c.is_ascii_digit() {
                return None;
            }
            total = total.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
        }
        if last.is_ascii_digit() {
            total = total.wrapping_mul(10).wrapping_add(u64::from(last - b'0'));
        } else if last == b'f' {
            frac = init;
        } else {
            return None;
        }
    }
    let fractional_digits = frac.len();
    let whole_digits = whole.len().saturating_sub(fractional_digits + 1);
    if fractional_digits + whole_digits >= OVERFLOW_DIGITS - 1 {
        digits_checked(frac, acc)?;
    }
    let power = POWERS_OF_TEN.get(fractional_digits)?;
    Some(sign * ((total as f64) / power))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_bools() {
        assert_eq!(narrow(b"yes"), Narrowed::Bool(true));
        assert_eq!(narrow(b"no"), Narrowed::Bool(false));
        assert_eq!(narrow(b"Yes"), Narrowed::Str);
        assert_eq!(narrow(b"abc"), Narrowed::Str);
        assert_eq!(narrow(b""), Narrowed::Str);
    }

    #[test]
    fn integers() {
        assert_eq!(narrow(b"10"), Narrowed::I64(10));
        assert_eq!(narrow(b"-10"), Narrowed::I64(-10));
        assert_eq!(narrow(b"+7"), Narrowed::I64(7));
        assert_eq!(narrow(b"0001"), Narrowed::I64(1));
        // A lone sign is zero, as in jomini.
        assert_eq!(narrow(b"-"), Narrowed::I64(0));
        assert_eq!(narrow(b"9007199254740991"), Narrowed::I64(9007199254740991));
        // Beyond 2^53 an f64 is inexact: keep the string.
        assert_eq!(narrow(b"9007199254740993"), Narrowed::Str);
        assert_eq!(narrow(b"18446744073709547616"), Narrowed::Str);
        assert_eq!(narrow(b"-90071992547409097"), Narrowed::Str);
        assert_eq!(narrow(b"99999999999999999999999"), Narrowed::Str);
    }

    #[test]
    fn floats() {
        assert_eq!(narrow(b"2.75"), Narrowed::F64(2.75));
        assert_eq!(narrow(b"-0.5"), Narrowed::F64(-0.5));
        assert_eq!(narrow(b".5"), Narrowed::F64(0.5));
        assert_eq!(narrow(b"1."), Narrowed::F64(1.0));
        assert_eq!(narrow(b"."), Narrowed::F64(0.0));
        assert_eq!(narrow(b"1.5f"), Narrowed::F64(1.5));
        assert_eq!(narrow(b"5f"), Narrowed::F64(5.0));
        assert!(matches!(narrow(b"-0.0"), Narrowed::F64(x) if x == 0.0 && x.is_sign_negative()));
    }

    fn common(d: &str) -> Option<String> {
        let mut out = Vec::new();
        write_common_number(d.as_bytes(), &mut out).then(|| String::from_utf8(out).unwrap())
    }

    fn via_formatter(d: &str) -> String {
        match narrow(d.as_bytes()) {
            Narrowed::I64(i) => i.to_string(),
            Narrowed::F64(f) => zmij::Buffer::new().format_finite(f).to_string(),
            other => panic!("{d}: {other:?}"),
        }
    }

    #[test]
    fn common_numbers_match_the_general_path() {
        for d in [
            "0",
            "7",
            "-7",
            "123456789012345",
            "1.5",
            "-0.500",
            "0.000",
            "-0.000",
            "10.0",
            "100.000",
            "007.25",
            "0.00001",
            "0.0001",
            "123.456",
            "99999999999999.9",
            "0.1",
            "0.30",
            "1444.5",
            "-12.000100",
        ] {
            assert_eq!(common(d).as_deref(), Some(via_formatter(d).as_str()), "{d}");
        }
        for d in [
            "0001",
            "-0",
            "1e5",
            "1444.11.11",
            "1.5f",
            "+5",
            ".5",
            "5.",
            "0.000001",
            "1234567890123456",
        ] {
            assert_eq!(common(d), None, "{d}");
        }
    }

    #[test]
    fn not_numbers() {
        assert_eq!(narrow(b"1444.11.11"), Narrowed::Str);
        assert_eq!(narrow(b"1e5"), Narrowed::Str);
        assert_eq!(narrow(b"10x"), Narrowed::Str);
        assert_eq!(narrow(b"--1"), Narrowed::Str);
        assert_eq!(narrow(b"1.23456789012345678901234"), Narrowed::Str);
    }
}
