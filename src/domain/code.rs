//! Member codes: what the QR code on a membership card contains.
//!
//! Carnet generates codes of eight digits, the last one a Damm check digit. Digits survive a
//! scanner whose keyboard layout differs from the computer's (the digit row can be mapped back,
//! letters cannot), and the Damm check catches every single-digit error and every swap of two
//! neighbouring digits, so a misread code is rejected instead of matching another member.
//! Codes imported from other tools may have any shape; they compare as case-insensitive strings
//! and never as numbers, so leading zeros survive.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Number of characters in a code that Carnet generates.
pub const GENERATED_CODE_LEN: usize = 8;

/// Maximum length of a code accepted anywhere; anything longer is an unknown code.
pub const MAX_CODE_LEN: usize = 64;

/// A member code, stored upper-case and trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MemberCode(String);

impl MemberCode {
    /// Normalises `text` into a code: trimmed and upper-cased, since Caps Lock inverts the case
    /// of scanned letters. Returns `None` for an empty or over-long text.
    pub fn parse(text: &str) -> Option<Self> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.chars().count() > MAX_CODE_LEN {
            return None;
        }
        Some(Self(trimmed.to_uppercase()))
    }

    /// Generates a fresh code of seven random digits and a Damm check digit.
    pub fn generate(rng: &mut impl Rng) -> Self {
        let body: String = (0..GENERATED_CODE_LEN - 1)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect();
        let check = damm_check_digit(&body).unwrap_or('0');
        Self(format!("{body}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Tells whether this code has the shape of a Carnet-generated code but a wrong check
    /// digit, which means the scanner or the person typing misread it.
    pub fn has_bad_check_digit(&self) -> bool {
        self.0.len() == GENERATED_CODE_LEN
            && self.0.bytes().all(|b| b.is_ascii_digit())
            && damm_check_digit(&self.0) != Some('0')
    }
}

impl fmt::Display for MemberCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Damm algorithm's totally anti-symmetric quasigroup of order 10
/// (H. Michael Damm, 2004). A string of digits followed by its check digit folds to 0.
const DAMM_TABLE: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// Returns the Damm check digit of a string of ASCII digits, or `None` if it contains anything else.
fn damm_check_digit(digits: &str) -> Option<char> {
    let mut interim = 0u8;
    for byte in digits.bytes() {
        if !byte.is_ascii_digit() {
            return None;
        }
        interim = DAMM_TABLE[usize::from(interim)][usize::from(byte - b'0')];
    }
    Some(char::from(b'0' + interim))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn parse_keeps_leading_zeros_and_uppercases() {
        assert_eq!(
            MemberCode::parse(" 0000123456 ").unwrap().as_str(),
            "0000123456"
        );
        assert_eq!(
            MemberCode::parse("ab0012345").unwrap().as_str(),
            "AB0012345"
        );
        assert_eq!(MemberCode::parse("   "), None);
        assert_eq!(MemberCode::parse(&"9".repeat(MAX_CODE_LEN + 1)), None);
    }

    #[test]
    fn damm_known_value() {
        // The published example: 572 has check digit 4.
        assert_eq!(damm_check_digit("572"), Some('4'));
        assert_eq!(damm_check_digit("5724"), Some('0'));
    }

    #[test]
    fn generated_codes_validate() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..1000 {
            let code = MemberCode::generate(&mut rng);
            assert_eq!(code.as_str().len(), GENERATED_CODE_LEN);
            assert!(!code.has_bad_check_digit(), "{code}");
        }
    }

    #[test]
    fn every_single_digit_error_detected() {
        let code = "3141592";
        let check = damm_check_digit(code).unwrap();
        let full = format!("{code}{check}");
        for position in 0..full.len() {
            for digit in b'0'..=b'9' {
                let mut bytes = full.clone().into_bytes();
                if bytes[position] == digit {
                    continue;
                }
                bytes[position] = digit;
                let misread = MemberCode::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
                assert!(misread.has_bad_check_digit(), "{misread} passed");
            }
        }
    }

    #[test]
    fn every_adjacent_swap_detected() {
        let full = "31415926";
        let body = &full[..7];
        let good = format!("{body}{}", damm_check_digit(body).unwrap());
        for position in 0..good.len() - 1 {
            let mut bytes = good.clone().into_bytes();
            if bytes[position] == bytes[position + 1] {
                continue;
            }
            bytes.swap(position, position + 1);
            let swapped = MemberCode::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
            assert!(swapped.has_bad_check_digit(), "{swapped} passed");
        }
    }
}
