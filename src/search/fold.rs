//! Folding text for search, and turning members and queries into what the matcher compares.
//!
//! Members and queries are folded the same way: compatibility decomposition (NFKD), combining
//! marks dropped, letters that do not decompose spelled in ASCII, lower case. A member
//! becomes one line of words: the words of a field are separated by [`WORD_SEP`] and the fields
//! by [`FIELD_SEP`], so that separators inside a name (hyphen, apostrophe, dot, space) all look
//! alike and a match may step over them but never from one field into the next.

use crate::domain::member::Member;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Separates two words of the same field in a member's folded text.
pub(super) const WORD_SEP: u8 = b' ';

/// Separates two fields in a member's folded text. The fuzzy matcher (fuzzy-matcher 0.3.7)
/// treats `|` as a hard separator, like a space, so a field start earns the same bonus as a
/// word start.
pub(super) const FIELD_SEP: u8 = b'|';

/// Field of a member's folded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    FirstName,
    LastName,
    Phone,
    /// The same phone number written the other way (national or international), when known.
    PhoneAlt,
    Code,
    Email,
}

/// Fields in the order of the text. Matching ranks fields in this same order, which lets a
/// scan stop at the first occurrence of a token inside a word.
pub(super) const FIELDS: [Field; 6] = [
    Field::FirstName,
    Field::LastName,
    Field::Phone,
    Field::PhoneAlt,
    Field::Code,
    Field::Email,
];

/// Maximum number of words taken from a query. Later words are ignored, which keeps the
/// per-member match record in one 32-bit mask and bounds the cost of a pasted paragraph.
pub(super) const MAX_TOKENS: usize = 32;

/// Folds `text` for comparison: no case, no accents, `æ`→`ae`, `ß`→`ss`, `ø`→`o` and so on.
///
/// Compatibility decomposition rather than plain NFD also turns ligatures, full-width letters
/// and no-break spaces into their ordinary forms. Letters of scripts without an ASCII spelling
/// (Greek, Chinese…) are kept, lower-cased, so that they can still be found by typing them.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_combining_mark(c) {
            continue;
        } else if let Some(spelled) = ascii_spelling(c) {
            out.push_str(spelled);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Latin letters that have no decomposition but a usual ASCII spelling.
fn ascii_spelling(c: char) -> Option<&'static str> {
    Some(match c {
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'ß' | 'ẞ' => "ss",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ł' | 'Ł' => "l",
        'ı' => "i",
        'ħ' | 'Ħ' => "h",
        'ŧ' | 'Ŧ' => "t",
        'ŋ' | 'Ŋ' => "ng",
        _ => return None,
    })
}

/// Appends the folded words of `text` to `out`, separated by [`WORD_SEP`]. Anything that is not
/// a letter or a digit separates words, so `Jean-Pierre`, `d’Arc` and `lea.martin@exemple.fr`
/// become `jean pierre`, `d arc` and `lea martin exemple fr`.
fn push_words(out: &mut String, text: &str) {
    let folded = fold(text);
    let mut first = true;
    for word in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        if !first {
            out.push(char::from(WORD_SEP));
        }
        out.push_str(word);
        first = false;
    }
}

/// Returns the digits of a phone number, and the same number written the other way for French
/// numbers
/// (`+33 6…` and `0033 6…` are also `06…`, and `06…` is also `336…`), since members and staff
/// write either form.
fn phone_forms(phone: &str) -> (String, String) {
    let digits: String = fold(phone).chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("0033") {
        Some(rest)
    } else if phone.trim_start().starts_with('+') {
        digits.strip_prefix("33")
    } else {
        None
    };
    let alt = match national {
        Some(rest) if rest.len() == 9 => format!("0{rest}"),
        Some(_) => String::new(),
        None if digits.len() == 10 && digits.starts_with('0') && !digits.starts_with("00") => {
            format!("33{}", &digits[1..])
        }
        None => String::new(),
    };
    (digits, alt)
}

/// Number of field separators in a member's folded text.
pub(super) const FIELD_SEPS: usize = FIELDS.len() - 1;

/// A member's folded text, and where each field but the last ends (the byte offset of the
/// separator that follows it).
pub(super) struct MemberText {
    pub text: String,
    pub field_ends: [usize; FIELD_SEPS],
}

/// Builds the folded text of a member, one field per entry of [`FIELDS`].
pub(super) fn member_text(member: &Member) -> MemberText {
    let (digits, alt) = member.phone.as_deref().map(phone_forms).unwrap_or_default();
    let mut text = String::with_capacity(
        member.first_name.len()
            + member.last_name.len()
            + member.code.as_str().len()
            + digits.len()
            + alt.len()
            + member.email.as_deref().map_or(0, str::len)
            + FIELD_SEPS,
    );
    let mut field_ends = [0; FIELD_SEPS];
    for (i, field) in FIELDS.iter().enumerate() {
        match field {
            Field::FirstName => push_words(&mut text, &member.first_name),
            Field::LastName => push_words(&mut text, &member.last_name),
            Field::Phone => text.push_str(&digits),
            Field::PhoneAlt => text.push_str(&alt),
            Field::Code => push_words(&mut text, member.code.as_str()),
            Field::Email => push_words(&mut text, member.email.as_deref().unwrap_or("")),
        }
        if let Some(end) = field_ends.get_mut(i) {
            *end = text.len();
            text.push(char::from(FIELD_SEP));
        }
    }
    MemberText { text, field_ends }
}

/// Bit `i` is set when a word starts at byte `i`, for the first 128 bytes of `text`.
pub(super) fn word_start_bits(text: &[u8]) -> u128 {
    let mut bits = 0u128;
    let mut after_separator = true;
    for (i, &b) in text.iter().take(128).enumerate() {
        let separator = b == WORD_SEP || b == FIELD_SEP;
        if after_separator && !separator {
            bits |= 1 << i;
        }
        after_separator = separator;
    }
    bits
}

/// One word of a query, folded and stripped of separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub text: String,
    /// Only ASCII digits: matched as a contiguous run (phone, code), never fuzzily, because a
    /// scattered run of digits would match nearly every code and phone number.
    pub digits: bool,
    /// Summary of the token's characters, see [`char_mask`].
    pub mask: u64,
}

impl Token {
    fn new(text: String) -> Self {
        let digits = text.bytes().all(|b| b.is_ascii_digit());
        let mask = char_mask(text.as_bytes());
        Self { text, digits, mask }
    }

    /// Tells whether every member matching `self` also matches `other`: how a longer query is
    /// known to narrow a shorter one.
    pub fn implies(&self, other: &Token) -> bool {
        if other.digits {
            // A run of digits is matched contiguously, so only a contiguous superset implies it.
            self.digits && self.text.contains(other.text.as_str())
        } else {
            // Whatever matches `self` contains its characters in order; a subsequence of them
            // is therefore in the member's text too.
            is_char_subsequence(&self.text, &other.text)
        }
    }
}

/// Tells whether the characters of `needle` appear in `haystack` in order.
pub(super) fn is_char_subsequence(haystack: &str, needle: &str) -> bool {
    let mut wanted = needle.chars().peekable();
    for c in haystack.chars() {
        match wanted.peek() {
            Some(&w) if w == c => {
                wanted.next();
            }
            Some(_) => {}
            None => break,
        }
    }
    wanted.peek().is_none()
}

/// Returns a 64-bit summary of the characters in folded text: one bit per ASCII letter and
/// digit, and one shared bit for anything else. A member whose mask lacks a bit of a token's mask
/// cannot match that token, which rejects most members before any scan.
pub(super) fn char_mask(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |mask, &b| {
        mask | match b {
            b'a'..=b'z' => 1 << (b - b'a'),
            b'0'..=b'9' => 1 << (26 + b - b'0'),
            0x80.. => 1 << 36,
            _ => 0,
        }
    })
}

/// Splits a query into tokens.
///
/// Words are separated by white space; inside a word, separators are dropped, so `d'arc`,
/// `d’arc` and `darc` are the same token and `jean-pierre` is `jeanpierre`. A query made only of
/// digits and separators (`06 12 34`, `+33 6 12`) is one token of all its digits, since it is a
/// phone number or a code typed in groups. A word given twice counts once.
pub(super) fn parse_query(query: &str) -> Vec<Token> {
    let folded = fold(query);
    let only_digits = folded.bytes().any(|b| b.is_ascii_digit())
        && folded
            .chars()
            .all(|c| c.is_ascii_digit() || !c.is_alphanumeric());
    if only_digits {
        let digits = folded.chars().filter(char::is_ascii_digit).collect();
        return vec![Token::new(digits)];
    }
    let mut tokens: Vec<Token> = Vec::new();
    let words = folded
        .split_whitespace()
        .map(|word| {
            word.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|word| !word.is_empty());
    for word in words {
        // A repeated word adds no condition, only work.
        if tokens.len() < MAX_TOKENS && tokens.iter().all(|t| t.text != word) {
            tokens.push(Token::new(word));
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::code::MemberCode;
    use crate::domain::member::{Category, MemberId};
    use chrono::{TimeZone, Utc};

    fn member(first: &str, last: &str, phone: Option<&str>, email: Option<&str>) -> Member {
        Member {
            id: MemberId(1),
            code: MemberCode::parse("ab-0012345").unwrap(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: email.map(str::to_owned),
            phone: phone.map(str::to_owned),
            birth_date: None,
            category: Category::Adult,
            notes: String::new(),
            created_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            archived: false,
            last_visit: None,
        }
    }

    #[test]
    fn fold_drops_accents_and_case() {
        assert_eq!(fold("Marie-Hélène DUPOND"), "marie-helene dupond");
        assert_eq!(fold("Zoe\u{301} Lefe\u{300}vre"), "zoe lefevre");
        assert_eq!(fold("Nguyễn Thị Lan"), "nguyen thi lan");
        assert_eq!(
            fold("François Anaïs João Siobhán"),
            "francois anais joao siobhan"
        );
    }

    #[test]
    fn fold_spells_letters_without_decomposition() {
        assert_eq!(fold("Ægir Ødegård"), "aegir odegard");
        assert_eq!(fold("Œuvre Straße"), "oeuvre strasse");
        assert_eq!(fold("Łukasz Đorđe Þór"), "lukasz dorde thor");
    }

    #[test]
    fn fold_keeps_letters_of_other_scripts() {
        assert_eq!(fold("李 Wei"), "李 wei");
        assert_eq!(fold("ΣΟΦΙΑ"), "σοφια");
    }

    #[test]
    fn fold_turns_compatibility_forms_into_plain_ones() {
        assert_eq!(fold("ﬁne\u{a0}ＡＢ"), "fine ab");
    }

    #[test]
    fn member_text_has_one_field_per_slot() {
        let m = member(
            "Jeanne",
            "d’Arc Lemaire",
            Some("+33 6 12 34 56 78"),
            Some("Jeanne.Lemaire@Exemple.fr"),
        );
        let t = member_text(&m);
        assert_eq!(
            t.text,
            "jeanne|d arc lemaire|33612345678|0612345678|ab 0012345|jeanne lemaire exemple fr"
        );
        assert_eq!(&t.text[..t.field_ends[0]], "jeanne");
        assert_eq!(
            &t.text[t.field_ends[0] + 1..t.field_ends[1]],
            "d arc lemaire"
        );
        assert!(
            t.field_ends
                .iter()
                .all(|&end| t.text.as_bytes()[end] == FIELD_SEP)
        );
        assert_eq!(
            t.text.bytes().filter(|&b| b == FIELD_SEP).count(),
            FIELDS.len() - 1
        );
    }

    #[test]
    fn phone_forms_cover_both_french_writings() {
        assert_eq!(
            phone_forms("06 12 34 56 78"),
            ("0612345678".into(), "33612345678".into())
        );
        assert_eq!(
            phone_forms("0033 6 12 34 56 78"),
            ("0033612345678".into(), "0612345678".into())
        );
        assert_eq!(phone_forms("06.12.34"), ("061234".into(), String::new()));
        assert_eq!(
            phone_forms("+44 20 7946 0958"),
            ("442079460958".into(), String::new())
        );
    }

    #[test]
    fn member_without_phone_or_email_keeps_empty_fields() {
        let t = member_text(&member("Yann", "Le Goff", None, None));
        assert_eq!(t.text, "yann|le goff|||ab 0012345|");
    }

    #[test]
    fn query_words_lose_their_inner_separators() {
        let words =
            |q: &str| -> Vec<String> { parse_query(q).into_iter().map(|t| t.text).collect() };
        assert_eq!(words("d'arc"), ["darc"]);
        assert_eq!(words("d’Arc"), ["darc"]);
        assert_eq!(words("Jean-Pierre"), ["jeanpierre"]);
        assert_eq!(words("  le   GOFF "), ["le", "goff"]);
        assert_eq!(words("dupont , marie"), ["dupont", "marie"]);
        assert_eq!(words("Hélène"), ["helene"]);
        assert!(words(" - ' ").is_empty());
        assert_eq!(words("marie Marie MARIÉ dupont"), ["marie", "dupont"]);
        assert_eq!(words(&"a b ".repeat(40)), ["a", "b"]);
        let many: String = (0..40).map(|i| format!("w{i} ")).collect();
        assert_eq!(words(&many).len(), MAX_TOKENS);
    }

    #[test]
    fn digit_only_query_is_one_token() {
        let tokens = parse_query("06 12.34-56");
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].text, "06123456");
        assert!(tokens[0].digits);
        let mixed = parse_query("marie 0612");
        assert_eq!(mixed.len(), 2);
        assert!(!mixed[0].digits);
        assert!(mixed[1].digits);
    }

    #[test]
    fn implication_between_tokens() {
        let t = |s: &str| Token::new(s.to_owned());
        assert!(t("dupont").implies(&t("dup")));
        assert!(t("dupont").implies(&t("dpt")));
        assert!(!t("dup").implies(&t("dupont")));
        assert!(t("061234").implies(&t("1234")));
        assert!(!t("061234").implies(&t("0634")));
        assert!(!t("a0612").implies(&t("0612")));
        // A run of digits never contains the letters of a text token.
        assert!(!t("0612").implies(&t("a6")));
    }

    #[test]
    fn word_starts_follow_separators() {
        assert_eq!(word_start_bits(b"ab cd|e||f"), 0b10_0100_1001);
        assert_eq!(word_start_bits(b"|x"), 0b10);
        assert_eq!(word_start_bits(&[b'a'; 200]), 1);
        let long = format!("{}|b", "a".repeat(127));
        assert_eq!(word_start_bits(long.as_bytes()), 1);
    }

    #[test]
    fn mask_marks_letters_digits_and_others() {
        assert_eq!(char_mask(b"ab"), 0b11);
        assert_eq!(char_mask(b"0"), 1 << 26);
        assert_eq!(char_mask("é".as_bytes()), 1 << 36);
        assert_eq!(char_mask(b" |"), 0);
    }
}
