//! Turning what a barcode scanner typed into the member codes to look up.
//!
//! This is the only place scanned text is interpreted. It runs on submit, never per keystroke,
//! and never in name search.

use super::code::{MAX_CODE_LEN, MemberCode};
use serde::{Deserialize, Serialize};

/// How to extract the code from what the scanner types (config.toml's `[scanner]` section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScannerRules {
    /// Text the scanner adds before the code, stripped once.
    pub prefix: String,
    /// Text the scanner adds after the code, stripped once.
    pub suffix: String,
    /// Query parameter that carries the code when the QR code contains a URL. Without it,
    /// the URL's last path segment is the code.
    pub url_parameter: String,
    /// Longest pause, in milliseconds, between two keys of one scan. Faster runs of keys
    /// ended by Enter or Tab are taken for a scan on every screen.
    pub max_key_gap_ms: u64,
}

impl Default for ScannerRules {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            suffix: String::new(),
            url_parameter: "code".to_owned(),
            max_key_gap_ms: 30,
        }
    }
}

/// A keyboard layout whose digit row a mismatched scanner types instead of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutMismatch {
    /// Scanner on a US layout, computer on French AZERTY.
    FrenchAzerty,
    /// Scanner on a US layout, computer on Belgian AZERTY.
    BelgianAzerty,
    /// Scanner on AZERTY, computer on a US layout.
    UsShifted,
}

impl LayoutMismatch {
    /// Returns the characters the layout's digit row types for 0 to 9.
    fn digit_row(self) -> [char; 10] {
        match self {
            LayoutMismatch::FrenchAzerty => ['à', '&', 'é', '"', '\'', '(', '-', 'è', '_', 'ç'],
            LayoutMismatch::BelgianAzerty => ['à', '&', 'é', '"', '\'', '(', '§', 'è', '!', 'ç'],
            LayoutMismatch::UsShifted => [')', '!', '@', '#', '$', '%', '^', '&', '*', '('],
        }
    }

    const ALL: [LayoutMismatch; 3] = [
        LayoutMismatch::FrenchAzerty,
        LayoutMismatch::BelgianAzerty,
        LayoutMismatch::UsShifted,
    ];

    /// Maps `text` back to digits when every character comes from this layout's digit row.
    fn map_to_digits(self, text: &str) -> Option<String> {
        let row = self.digit_row();
        text.chars()
            .map(|c| {
                row.iter()
                    .position(|&d| d == c)
                    .map(|digit| char::from(b'0' + digit as u8))
            })
            .collect()
    }
}

/// One code to look up, with the layout mismatch it was recovered from, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub code: MemberCode,
    pub layout: Option<LayoutMismatch>,
}

/// A problem found before any lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// Nothing but blanks or control characters.
    Empty,
    /// Longer than any code; `shown` is the start of the text, for the message.
    TooLong { shown: String },
}

/// Parses scanned text into the codes to try, in order: the text as typed first, then its
/// digit-row mappings.
pub fn parse_scan(raw: &str, rules: &ScannerRules) -> Result<Vec<Candidate>, ScanError> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control()).collect();
    let mut text = cleaned.trim();
    if text.is_empty() {
        return Err(ScanError::Empty);
    }
    if text.chars().count() > MAX_CODE_LEN * 4 {
        return Err(ScanError::TooLong {
            shown: text.chars().take(24).collect(),
        });
    }

    if !rules.prefix.is_empty() {
        text = text.strip_prefix(rules.prefix.as_str()).unwrap_or(text);
    }
    if !rules.suffix.is_empty() {
        text = text.strip_suffix(rules.suffix.as_str()).unwrap_or(text);
    }
    let extracted = extract_from_url(text, &rules.url_parameter);
    let text = extracted.as_deref().unwrap_or(text).trim();

    let Some(code) = MemberCode::parse(text) else {
        return Err(if text.is_empty() {
            ScanError::Empty
        } else {
            ScanError::TooLong {
                shown: text.chars().take(24).collect(),
            }
        });
    };
    let mut candidates = vec![Candidate { code, layout: None }];
    for layout in LayoutMismatch::ALL {
        if let Some(digits) = layout.map_to_digits(text) {
            let Some(code) = MemberCode::parse(&digits) else {
                continue;
            };
            if candidates.iter().all(|known| known.code != code) {
                candidates.push(Candidate {
                    code,
                    layout: Some(layout),
                });
            }
        }
    }
    Ok(candidates)
}

/// Returns the code carried by a URL: the named query parameter, or else the last path segment.
fn extract_from_url(text: &str, parameter: &str) -> Option<String> {
    if !text.contains("://") {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    if !parameter.is_empty()
        // Caps Lock upper-cases the whole URL, parameter name included.
        && let Some((_, value)) = url.query_pairs().find(|(key, _)| key.eq_ignore_ascii_case(parameter))
    {
        return Some(value.into_owned());
    }
    url.path_segments()?
        .rev()
        .find(|segment| !segment.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(raw: &str, rules: &ScannerRules) -> Vec<(String, Option<LayoutMismatch>)> {
        parse_scan(raw, rules)
            .unwrap()
            .into_iter()
            .map(|c| (c.code.as_str().to_owned(), c.layout))
            .collect()
    }

    #[test]
    fn plain_code_one_candidate() {
        assert_eq!(
            codes("0012345678", &ScannerRules::default()),
            [("0012345678".into(), None)]
        );
    }

    #[test]
    fn french_azerty_digit_row_maps_back() {
        let found = codes("àà&é\"'(-è_", &ScannerRules::default());
        assert!(found.contains(&("0012345678".into(), Some(LayoutMismatch::FrenchAzerty))));
    }

    #[test]
    fn belgian_azerty_digit_row_maps_back() {
        let found = codes("àà&é\"'(§è!", &ScannerRules::default());
        assert!(found.contains(&("0012345678".into(), Some(LayoutMismatch::BelgianAzerty))));
    }

    #[test]
    fn us_shifted_digit_row_maps_back() {
        let found = codes("))!@#$%^&*", &ScannerRules::default());
        assert!(found.contains(&("0012345678".into(), Some(LayoutMismatch::UsShifted))));
    }

    #[test]
    fn mixed_text_is_not_mapped() {
        assert_eq!(codes("à1&", &ScannerRules::default()).len(), 1);
    }

    #[test]
    fn prefix_and_suffix_stripped_once() {
        let rules = ScannerRules {
            prefix: "~".into(),
            suffix: "#".into(),
            ..ScannerRules::default()
        };
        assert_eq!(codes("~AB0012345#", &rules)[0].0, "AB0012345");
        assert_eq!(codes("~~AB0012345", &rules)[0].0, "~AB0012345");
    }

    #[test]
    fn caps_lock_does_not_matter() {
        assert_eq!(
            codes("ab0012345", &ScannerRules::default())[0].0,
            "AB0012345"
        );
    }

    #[test]
    fn url_parameter_or_last_segment() {
        let rules = ScannerRules::default();
        assert_eq!(
            codes("https://club.example/card?code=31415926&x=1", &rules)[0].0,
            "31415926"
        );
        assert_eq!(
            codes("https://club.example/m/31415926/", &rules)[0].0,
            "31415926"
        );
    }

    #[test]
    fn control_characters_and_blanks() {
        let rules = ScannerRules::default();
        assert_eq!(codes("\u{1b}0012345678\r", &rules)[0].0, "0012345678");
        assert_eq!(parse_scan(" \r\n", &rules), Err(ScanError::Empty));
    }

    #[test]
    fn very_long_text_is_rejected() {
        let long = "7".repeat(2000);
        assert!(matches!(
            parse_scan(&long, &ScannerRules::default()),
            Err(ScanError::TooLong { .. })
        ));
    }
}
