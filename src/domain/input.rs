//! Parsing of amounts, phone numbers, dates and e-mail addresses as people type them and as
//! French spreadsheets export them. Forms, the command line and CSV import share these rules.
//!
//! Every error variant carries the text exactly as it was passed in, so that the caller can
//! name the value in its own message and language. The `Display` texts are English, for logs.

use chrono::NaiveDate;
use thiserror::Error;

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

/// Reasons an amount is rejected by [`parse_amount`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmountError {
    #[error("amount {0:?} is empty")]
    Empty(String),
    /// A well-formed amount with a minus sign, kept apart because some callers accept zero
    /// but never a negative amount.
    #[error("amount {0:?} is negative")]
    Negative(String),
    #[error("amount {0:?} has more than two decimals")]
    TooManyDecimals(String),
    /// A lone dot followed by exactly three digits, such as `1.234`, which is 1234 euros where
    /// the dot groups thousands (German usage, and common in informal French) but 1.234 euros
    /// in English.
    #[error("amount {0:?} is ambiguous: the dot may separate thousands or decimals")]
    Ambiguous(String),
    #[error("amount {0:?} is too large")]
    Overflow(String),
    #[error("amount {text:?} contains the unexpected character {character:?}")]
    UnexpectedCharacter { text: String, character: char },
    /// Misplaced separators, thousands groups that are not three digits, a currency written
    /// twice, or no digits at all.
    #[error("amount {0:?} is malformed")]
    Malformed(String),
}

impl AmountError {
    /// Returns the rejected text as it was passed to [`parse_amount`].
    pub fn text(&self) -> &str {
        match self {
            AmountError::Empty(text)
            | AmountError::Negative(text)
            | AmountError::TooManyDecimals(text)
            | AmountError::Ambiguous(text)
            | AmountError::Overflow(text)
            | AmountError::UnexpectedCharacter { text, .. }
            | AmountError::Malformed(text) => text,
        }
    }
}

/// Parses an amount of euros into cents, without floating point.
///
/// Accepted: `85`, `85,00`, `85.00` and `12,5`. A currency marker `€`, `EUR`, `euro` or
/// `euros` may come before or after the number, in any case and with or without a space.
/// Thousands may be grouped by spaces (normal, no-break U+00A0, narrow no-break U+202F or
/// thin U+2009), by dots (`1.234,56`) or by commas (`1,234.56`), and every group after the
/// first must have three digits.
///
/// How the decimal separator is chosen:
/// - With both `,` and `.`, the later one marks decimals and the other groups thousands.
/// - A lone comma always marks decimals, because French writes decimals with a comma and
///   groups thousands with spaces. So `12,505` and `1,234` have too many decimals.
/// - A lone dot followed by exactly three digits (`1.234`) is [`AmountError::Ambiguous`],
///   because German and much informal French group thousands with a dot. It is read as decimals
///   when the part before it cannot be a thousands group (`0.125`, `1234.567`) or when spaces
///   already group the thousands (`1 234.567`), and then it has too many decimals.
/// - A separator that appears several times (`1.234.567`) groups thousands.
///
/// Any minus sign (`-`, or U+2212) makes a well-formed amount [`AmountError::Negative`], even
/// `-0`, because it shows that the person meant a negative entry such as a refund.
pub fn parse_amount(text: &str) -> Result<i64, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty(text.to_owned()));
    }

    let Some((number, negative)) = strip_sign_and_currency(trimmed) else {
        return Err(AmountError::Malformed(text.to_owned()));
    };
    let cents = parse_unsigned_cents(number, text)?;

    if negative {
        return Err(AmountError::Negative(text.to_owned()));
    }
    Ok(cents)
}

/// Spaces that group thousands and never mark decimals.
fn is_group_space(character: char) -> bool {
    matches!(character, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

/// Removes a minus sign and one currency marker from around the number, returning the number
/// and whether a minus sign was found. Returns `None` when a currency is written twice.
fn strip_sign_and_currency(text: &str) -> Option<(&str, bool)> {
    let mut rest = text;
    let mut negative = false;
    let mut has_currency = false;

    // The minus sign may come before the currency (`-€12`) or after it (`€-12`).
    if let Some(after) = strip_minus(rest) {
        negative = true;
        rest = after.trim_start();
    }
    if let Some(after) = strip_currency_prefix(rest) {
        has_currency = true;
        rest = after.trim_start();
    }
    if !negative && let Some(after) = strip_minus(rest) {
        negative = true;
        rest = after.trim_start();
    }
    if let Some(before) = strip_currency_suffix(rest) {
        if has_currency {
            return None;
        }
        rest = before.trim_end();
    }
    Some((rest, negative))
}

fn strip_minus(text: &str) -> Option<&str> {
    text.strip_prefix('-')
        .or_else(|| text.strip_prefix('\u{2212}'))
}

fn strip_currency_prefix(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_prefix('€') {
        return Some(rest);
    }
    let prefix = text.get(..3)?;
    prefix.eq_ignore_ascii_case("EUR").then(|| &text[3..])
}

fn strip_currency_suffix(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_suffix('€') {
        return Some(rest);
    }
    // "euros" comes before "euro" so that the longer word is removed whole.
    ["euros", "euro", "eur"].into_iter().find_map(|word| {
        let start = text.len().checked_sub(word.len())?;
        let suffix = text.get(start..)?;
        suffix.eq_ignore_ascii_case(word).then(|| &text[..start])
    })
}

/// Thousands separator of the integer part of an amount.
#[derive(Clone, Copy)]
enum Grouping {
    Spaces,
    Mark(char),
}

/// Parses the number left once sign and currency are gone. `text` is the caller's input,
/// carried into errors.
fn parse_unsigned_cents(number: &str, text: &str) -> Result<i64, AmountError> {
    let malformed = || AmountError::Malformed(text.to_owned());

    if let Some(character) = number
        .chars()
        .find(|&c| !(c.is_ascii_digit() || c == ',' || c == '.' || is_group_space(c)))
    {
        return Err(AmountError::UnexpectedCharacter {
            text: text.to_owned(),
            character,
        });
    }
    let starts_with_digit = number.starts_with(|c: char| c.is_ascii_digit());
    let ends_with_digit = number.ends_with(|c: char| c.is_ascii_digit());
    if !starts_with_digit || !ends_with_digit {
        return Err(malformed());
    }

    let (decimal_at, grouping) = locate_separators(number, text)?;
    let (integer, fraction) = match decimal_at {
        Some(at) => (&number[..at], &number[at + 1..]),
        None => (number, ""),
    };

    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    let fraction_cents: i64 = match fraction.len() {
        0 => 0,
        1 => 10 * i64::from(fraction.as_bytes()[0] - b'0'),
        2 => {
            i64::from(fraction.as_bytes()[0] - b'0') * 10 + i64::from(fraction.as_bytes()[1] - b'0')
        }
        _ => return Err(AmountError::TooManyDecimals(text.to_owned())),
    };

    let digits = ungroup_integer(integer, grouping).ok_or_else(malformed)?;
    let overflow = || AmountError::Overflow(text.to_owned());
    let mut units: i64 = 0;
    for digit in digits.bytes() {
        units = units
            .checked_mul(10)
            .and_then(|value| value.checked_add(i64::from(digit - b'0')))
            .ok_or_else(overflow)?;
    }
    units
        .checked_mul(100)
        .and_then(|value| value.checked_add(fraction_cents))
        .ok_or_else(overflow)
}

/// Returns the byte index of the decimal separator, if any, and how thousands are grouped,
/// following the rules listed on [`parse_amount`].
fn locate_separators(number: &str, text: &str) -> Result<(Option<usize>, Grouping), AmountError> {
    let comma_count = number.matches(',').count();
    let dot_count = number.matches('.').count();

    match (number.rfind(','), number.rfind('.')) {
        (Some(comma), Some(dot)) => {
            let (decimal_at, decimal_count, group_mark) = if comma > dot {
                (comma, comma_count, '.')
            } else {
                (dot, dot_count, ',')
            };
            if decimal_count > 1 {
                return Err(AmountError::Malformed(text.to_owned()));
            }
            Ok((Some(decimal_at), Grouping::Mark(group_mark)))
        }
        (Some(comma), None) if comma_count == 1 => Ok((Some(comma), Grouping::Spaces)),
        (Some(_), None) => Ok((None, Grouping::Mark(','))),
        (None, Some(dot)) if dot_count == 1 => {
            let digits_after = number.len() - dot - 1;
            let spaces_group = number.chars().any(is_group_space);
            if digits_after == 3 && !spaces_group && could_lead_thousands(&number[..dot]) {
                return Err(AmountError::Ambiguous(text.to_owned()));
            }
            Ok((Some(dot), Grouping::Spaces))
        }
        (None, Some(_)) => Ok((None, Grouping::Mark('.'))),
        (None, None) => Ok((None, Grouping::Spaces)),
    }
}

/// Tells whether `digits` could be the first group of a number grouped by thousands.
fn could_lead_thousands(digits: &str) -> bool {
    (1..=3).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Removes the thousands separators from `integer`, returning `None` unless every group after
/// the first has exactly three digits and the first has one to three.
fn ungroup_integer(integer: &str, grouping: Grouping) -> Option<String> {
    let groups: Vec<&str> = match grouping {
        Grouping::Spaces => integer.split(is_group_space).collect(),
        Grouping::Mark(mark) => integer.split(mark).collect(),
    };
    // A separator of another kind left inside a group makes it fail the digit check.
    if !groups
        .iter()
        .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if groups.len() > 1 {
        let first_fits = groups[0].len() <= 3;
        let rest_fit = groups[1..].iter().all(|group| group.len() == 3);
        if !first_fits || !rest_fit {
            return None;
        }
    }
    Some(groups.concat())
}

// ---------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------

/// A phone number in international form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// The number in E.164 form: `+`, the country code and the national number, digits only.
    pub e164: String,
    /// A repair made while parsing, which the user should confirm.
    pub warning: Option<PhoneWarning>,
}

/// A repair that [`parse_phone`] made to a number that spreadsheets commonly damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneWarning {
    /// A 9-digit number got back the leading 0 that spreadsheets drop when they store a French
    /// number as an integer.
    LeadingZeroRestored,
    /// An 11-digit number starting with 33 got back the `+` that spreadsheets drop when they
    /// store `+33…` as an integer.
    PlusRestored,
}

/// Reasons a phone number is rejected by [`parse_phone`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhoneError {
    #[error("phone number {0:?} is empty")]
    Empty(String),
    #[error("phone number {text:?} contains the unexpected character {character:?}")]
    UnexpectedCharacter { text: String, character: char },
    #[error("phone number {0:?} has too few digits")]
    TooShort(String),
    #[error("phone number {0:?} has too many digits")]
    TooLong(String),
    /// A misplaced `+` or `(0)`, a country code starting with 0, or a national number of the
    /// right length that is neither French nor international.
    #[error("phone number {0:?} is not a French or international number")]
    Malformed(String),
}

impl PhoneError {
    /// Returns the rejected text as it was passed to [`parse_phone`].
    pub fn text(&self) -> &str {
        match self {
            PhoneError::Empty(text)
            | PhoneError::UnexpectedCharacter { text, .. }
            | PhoneError::TooShort(text)
            | PhoneError::TooLong(text)
            | PhoneError::Malformed(text) => text,
        }
    }
}

const FRANCE_CODE: &str = "33";
/// Digits in a French number after the country code or the leading 0.
const FRENCH_NATIONAL_DIGITS: usize = 9;
/// Minimum number of digits after the `+`, an estimate: E.164 sets no minimum, and this admits
/// a three-digit country code followed by a four-digit number.
const MIN_INTERNATIONAL_DIGITS: usize = 7;
/// Maximum number of digits after the `+` that E.164 allows.
const MAX_INTERNATIONAL_DIGITS: usize = 15;

/// Parses a phone number written the French way or in international form.
///
/// Spaces, dots, dashes, slashes and parentheses are ignored. A number starting with `+` or
/// `00` is international, and `(0)` after its country code is dropped. Any other number is
/// French: `0` and nine digits, or nine digits whose leading 0 a spreadsheet dropped, or `33`
/// and nine digits whose `+` a spreadsheet dropped (both with a [`PhoneWarning`]).
///
/// French overseas numbers keep `+33` with the number as dialled within France, so Martinique's
/// `0696 12 34 56` becomes `+33696123456`.
// NOTE: the international code of the overseas departments is not +33 (Martinique is +596), so
// a caller sending texts through an international gateway must map 0590–0697 numbers itself.
// Numbers of other countries are only checked against the E.164 length limits.
pub fn parse_phone(text: &str) -> Result<Phone, PhoneError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty(text.to_owned()));
    }

    let dialled = read_dialled_digits(trimmed, text)?;
    if dialled.has_plus {
        return parse_international(&dialled, &dialled.digits, text);
    }
    if let Some(after_prefix) = dialled.digits.strip_prefix("00") {
        return parse_international(&dialled, after_prefix, text);
    }
    parse_national(&dialled, text)
}

/// Formats a French number the way France writes it, `06 12 34 56 78`, and any other number
/// in E.164 form.
pub fn format_french(phone: &Phone) -> String {
    let national = phone
        .e164
        .strip_prefix('+')
        .and_then(|digits| digits.strip_prefix(FRANCE_CODE))
        .filter(|rest| {
            rest.len() == FRENCH_NATIONAL_DIGITS && rest.bytes().all(|b| b.is_ascii_digit())
        });
    let Some(national) = national else {
        return phone.e164.clone();
    };

    let digits = format!("0{national}");
    let pairs: Vec<&str> = (0..digits.len())
        .step_by(2)
        .map(|start| &digits[start..start + 2])
        .collect();
    pairs.join(" ")
}

/// The digits of a phone number with its punctuation removed.
struct DialledNumber {
    has_plus: bool,
    digits: String,
    /// Number of digits before a `(0)`, which is kept out of `digits`.
    trunk_zero_at: Option<usize>,
}

fn read_dialled_digits(trimmed: &str, text: &str) -> Result<DialledNumber, PhoneError> {
    let malformed = || PhoneError::Malformed(text.to_owned());
    let mut dialled = DialledNumber {
        has_plus: false,
        digits: String::new(),
        trunk_zero_at: None,
    };

    let mut rest = trimmed;
    if let Some(after) = rest.strip_prefix('+') {
        dialled.has_plus = true;
        rest = after;
    }
    while let Some(character) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("(0)") {
            if dialled.trunk_zero_at.is_some() {
                return Err(malformed());
            }
            dialled.trunk_zero_at = Some(dialled.digits.len());
            rest = after;
            continue;
        }
        match character {
            '0'..='9' => dialled.digits.push(character),
            '+' => return Err(malformed()),
            '.' | '-' | '/' | '(' | ')' => {}
            _ if character.is_whitespace() => {}
            _ => {
                return Err(PhoneError::UnexpectedCharacter {
                    text: text.to_owned(),
                    character,
                });
            }
        }
        rest = &rest[character.len_utf8()..];
    }
    Ok(dialled)
}

/// Parses the digits after `+` or `00`: the country code and the national number.
fn parse_international(
    dialled: &DialledNumber,
    digits: &str,
    text: &str,
) -> Result<Phone, PhoneError> {
    // `(0)` is the national trunk prefix shown after a country code, so it cannot come first.
    let prefix_len = dialled.digits.len() - digits.len();
    if dialled.trunk_zero_at.is_some_and(|at| at <= prefix_len) {
        return Err(PhoneError::Malformed(text.to_owned()));
    }
    if digits.is_empty() {
        return Err(PhoneError::TooShort(text.to_owned()));
    }
    if digits.starts_with('0') {
        return Err(PhoneError::Malformed(text.to_owned()));
    }

    if let Some(national) = digits.strip_prefix(FRANCE_CODE) {
        // People also write the trunk 0 without parentheses: `+33 06 12 34 56 78`.
        let national = match national.strip_prefix('0') {
            Some(rest) if national.len() == FRENCH_NATIONAL_DIGITS + 1 => rest,
            _ => national,
        };
        return french_phone(national, None, text);
    }

    if digits.len() < MIN_INTERNATIONAL_DIGITS {
        return Err(PhoneError::TooShort(text.to_owned()));
    }
    if digits.len() > MAX_INTERNATIONAL_DIGITS {
        return Err(PhoneError::TooLong(text.to_owned()));
    }
    Ok(Phone {
        e164: format!("+{digits}"),
        warning: None,
    })
}

/// Parses a number without `+` or `00`, which is French.
fn parse_national(dialled: &DialledNumber, text: &str) -> Result<Phone, PhoneError> {
    let digits = match dialled.trunk_zero_at {
        // `(0)6 12 34 56 78`: the parentheses only mark the 0 as the trunk prefix.
        Some(0) => format!("0{}", dialled.digits),
        Some(_) => return Err(PhoneError::Malformed(text.to_owned())),
        None => dialled.digits.clone(),
    };

    let starts_with_nonzero = digits.starts_with(|c: char| matches!(c, '1'..='9'));
    match digits.len() {
        0..FRENCH_NATIONAL_DIGITS => Err(PhoneError::TooShort(text.to_owned())),
        FRENCH_NATIONAL_DIGITS if starts_with_nonzero => {
            french_phone(&digits, Some(PhoneWarning::LeadingZeroRestored), text)
        }
        // Nine digits starting with 0 is a French number that lost a digit.
        FRENCH_NATIONAL_DIGITS => Err(PhoneError::TooShort(text.to_owned())),
        10 => match digits.strip_prefix('0') {
            Some(national) => french_phone(national, None, text),
            None => Err(PhoneError::Malformed(text.to_owned())),
        },
        11 => match digits.strip_prefix(FRANCE_CODE) {
            Some(national) => french_phone(national, Some(PhoneWarning::PlusRestored), text),
            None => Err(PhoneError::TooLong(text.to_owned())),
        },
        _ => Err(PhoneError::TooLong(text.to_owned())),
    }
}

/// Builds a `+33` number from the nine digits after the country code or the leading 0.
fn french_phone(
    national: &str,
    warning: Option<PhoneWarning>,
    text: &str,
) -> Result<Phone, PhoneError> {
    if national.len() < FRENCH_NATIONAL_DIGITS {
        return Err(PhoneError::TooShort(text.to_owned()));
    }
    if national.len() > FRENCH_NATIONAL_DIGITS {
        return Err(PhoneError::TooLong(text.to_owned()));
    }
    // French national numbers start with 1 to 9, so a 0 here means a doubled trunk prefix.
    if national.starts_with('0') {
        return Err(PhoneError::Malformed(text.to_owned()));
    }
    Ok(Phone {
        e164: format!("+{FRANCE_CODE}{national}"),
        warning,
    })
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// Order of day and month in a date whose year comes last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Day, month, year, as French and this app's English write dates.
    #[default]
    DayFirst,
    /// Month, day, year, as files from the United States write dates.
    MonthFirst,
}

/// Reasons a date is rejected by [`parse_date`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("date {0:?} is empty")]
    Empty(String),
    /// A year of two digits, which could fall in either of two centuries.
    #[error("date {0:?} has a two-digit year")]
    TwoDigitYear(String),
    /// A well-formed date that is not on the calendar, such as 31 February or month 13.
    #[error("date {0:?} does not exist")]
    Nonexistent(String),
    #[error("date {0:?} is malformed")]
    Malformed(String),
}

impl DateError {
    /// Returns the rejected text as it was passed to [`parse_date`].
    pub fn text(&self) -> &str {
        match self {
            DateError::Empty(text)
            | DateError::TwoDigitYear(text)
            | DateError::Nonexistent(text)
            | DateError::Malformed(text) => text,
        }
    }
}

/// Parses a date of three numbers separated by `/`, `-` or `.` (the same one twice).
///
/// A date that starts with a four-digit year is read year, month, day regardless of `order`,
/// which covers ISO 8601 `1987-03-05`. Otherwise the year comes last and `order` places day
/// and month, each of one or two digits. The year must have four digits.
pub fn parse_date(text: &str, order: DateOrder) -> Result<NaiveDate, DateError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DateError::Empty(text.to_owned()));
    }
    let malformed = || DateError::Malformed(text.to_owned());

    let separator = trimmed
        .chars()
        .find(|c| matches!(c, '/' | '-' | '.'))
        .ok_or_else(malformed)?;
    let parts: Vec<&str> = trimmed.split(separator).collect();
    // A second kind of separator stays inside a part and fails the digit check.
    let all_digits = parts
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if parts.len() != 3 || !all_digits {
        return Err(malformed());
    }

    let (year, month, day) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else {
        match order {
            DateOrder::DayFirst => (parts[2], parts[1], parts[0]),
            DateOrder::MonthFirst => (parts[2], parts[0], parts[1]),
        }
    };
    if month.len() > 2 || day.len() > 2 {
        return Err(malformed());
    }
    match year.len() {
        4 => {}
        2 => return Err(DateError::TwoDigitYear(text.to_owned())),
        _ => return Err(malformed()),
    }

    // At most four ASCII digits each, so these parses cannot fail.
    let year: i32 = year.parse().map_err(|_| malformed())?;
    let month: u32 = month.parse().map_err(|_| malformed())?;
    let day: u32 = day.parse().map_err(|_| malformed())?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| DateError::Nonexistent(text.to_owned()))
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses
// ---------------------------------------------------------------------------------------------

/// Reasons an e-mail address is rejected by [`parse_email`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("e-mail address {0:?} is empty")]
    Empty(String),
    #[error("e-mail address {0:?} contains whitespace")]
    ContainsWhitespace(String),
    #[error("e-mail address {0:?} has no @")]
    MissingAt(String),
    #[error("e-mail address {0:?} has more than one @")]
    SeveralAt(String),
    #[error("e-mail address {0:?} has nothing before the @")]
    EmptyLocalPart(String),
    /// A domain without a dot, with an empty label (`example..fr`, `example.`), or with a
    /// character other than a letter, a digit or an inner hyphen.
    #[error("e-mail address {0:?} has an invalid domain")]
    InvalidDomain(String),
}

impl EmailError {
    /// Returns the rejected text as it was passed to [`parse_email`].
    pub fn text(&self) -> &str {
        match self {
            EmailError::Empty(text)
            | EmailError::ContainsWhitespace(text)
            | EmailError::MissingAt(text)
            | EmailError::SeveralAt(text)
            | EmailError::EmptyLocalPart(text)
            | EmailError::InvalidDomain(text) => text,
        }
    }
}

/// Parses an e-mail address, returning it trimmed with its domain in lower case.
///
/// The local part keeps its case, because RFC 5321 lets the receiving server treat it as
/// case-sensitive. Quoted local parts, which may contain spaces, are rejected. The domain may
/// contain non-ASCII letters, as internationalised domain names do.
pub fn parse_email(text: &str) -> Result<String, EmailError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(EmailError::Empty(text.to_owned()));
    }
    if trimmed.chars().any(char::is_whitespace) {
        return Err(EmailError::ContainsWhitespace(text.to_owned()));
    }

    let mut parts = trimmed.split('@');
    let (Some(local), Some(domain)) = (parts.next(), parts.next()) else {
        return Err(EmailError::MissingAt(text.to_owned()));
    };
    if parts.next().is_some() {
        return Err(EmailError::SeveralAt(text.to_owned()));
    }
    if local.is_empty() {
        return Err(EmailError::EmptyLocalPart(text.to_owned()));
    }
    if !is_valid_domain(domain) {
        return Err(EmailError::InvalidDomain(text.to_owned()));
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let is_valid_label = |label: &&str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    labels.len() >= 2 && labels.iter().all(is_valid_label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Catalog, Language};
    use proptest::prelude::*;

    const NBSP: char = '\u{a0}';
    const NNBSP: char = '\u{202f}';

    // --- Amounts ---

    #[test]
    fn amount_accepted_forms() {
        let cases: &[(&str, i64)] = &[
            ("85", 8500),
            ("85,00", 8500),
            ("85.00", 8500),
            ("85,00 €", 8500),
            ("85,00€", 8500),
            ("€12,50", 1250),
            ("€ 12,50", 1250),
            ("12,50 €", 1250),
            ("12,50", 1250),
            ("12.50", 1250),
            ("12,5", 1250),
            ("12.5", 1250),
            ("  85  ", 8500),
            ("0085", 8500),
            ("85 EUR", 8500),
            ("85EUR", 8500),
            ("85 eur", 8500),
            ("EUR 85", 8500),
            ("12 euros", 1200),
            ("1 euro", 100),
            ("1 020,50", 102_050),
            ("1\u{a0}020,50", 102_050),
            ("1\u{202f}020,50", 102_050),
            ("1\u{2009}020,50", 102_050),
            ("1\u{a0}234,56 €", 123_456),
            ("1\u{a0}234,56\u{a0}€", 123_456),
            ("1\u{202f}234,56", 123_456),
            ("1\u{202f}020,50\u{a0}€", 102_050),
            ("1.234,56", 123_456),
            ("1,234.56", 123_456),
            ("€1,020.50", 102_050),
            ("1 234", 123_400),
            ("1 234.5", 123_450),
            ("1.234.567", 123_456_700),
            ("1,234,567", 123_456_700),
            ("1.234.567,89", 123_456_789),
            ("1,234,567.89", 123_456_789),
            ("1 234 567,89", 123_456_789),
            ("1234,56", 123_456),
            ("0", 0),
            ("0,00", 0),
            ("0,00 €", 0),
            ("0.05", 5),
            ("92 233 720 368 547 758,07", i64::MAX),
        ];
        for &(text, cents) in cases {
            assert_eq!(parse_amount(text), Ok(cents), "input {text:?}");
        }
    }

    #[test]
    fn amount_rejections() {
        let unexpected = |text: &str, character: char| AmountError::UnexpectedCharacter {
            text: text.to_owned(),
            character,
        };
        let cases: Vec<(&str, AmountError)> = vec![
            ("", AmountError::Empty("".into())),
            ("   ", AmountError::Empty("   ".into())),
            ("-12,50", AmountError::Negative("-12,50".into())),
            ("-12,50 €", AmountError::Negative("-12,50 €".into())),
            ("€-12,50", AmountError::Negative("€-12,50".into())),
            ("-€12,50", AmountError::Negative("-€12,50".into())),
            (
                "\u{2212}12,50",
                AmountError::Negative("\u{2212}12,50".into()),
            ),
            ("-0", AmountError::Negative("-0".into())),
            ("12,505", AmountError::TooManyDecimals("12,505".into())),
            ("12,500", AmountError::TooManyDecimals("12,500".into())),
            ("1,234", AmountError::TooManyDecimals("1,234".into())),
            ("0.125", AmountError::TooManyDecimals("0.125".into())),
            ("1234.567", AmountError::TooManyDecimals("1234.567".into())),
            (
                "1 234.567",
                AmountError::TooManyDecimals("1 234.567".into()),
            ),
            (
                "1.234,567",
                AmountError::TooManyDecimals("1.234,567".into()),
            ),
            ("1.234", AmountError::Ambiguous("1.234".into())),
            ("12.345", AmountError::Ambiguous("12.345".into())),
            ("123.456 €", AmountError::Ambiguous("123.456 €".into())),
            (
                "92 233 720 368 547 758,08",
                AmountError::Overflow("92 233 720 368 547 758,08".into()),
            ),
            (
                "99999999999999999999",
                AmountError::Overflow("99999999999999999999".into()),
            ),
            ("abc", unexpected("abc", 'a')),
            ("12,5O", unexpected("12,5O", 'O')),
            ("1e3", unexpected("1e3", 'e')),
            ("12 dollars", unexpected("12 dollars", 'd')),
            ("$12", unexpected("$12", '$')),
            ("+12", unexpected("+12", '+')),
            ("12,50 € €", unexpected("12,50 € €", '€')),
            ("€", AmountError::Malformed("€".into())),
            ("€12,50 €", AmountError::Malformed("€12,50 €".into())),
            ("12,", AmountError::Malformed("12,".into())),
            (",50", AmountError::Malformed(",50".into())),
            ("12,,50", AmountError::Malformed("12,,50".into())),
            ("12 34", AmountError::Malformed("12 34".into())),
            ("1 2345", AmountError::Malformed("1 2345".into())),
            ("1234 567", AmountError::Malformed("1234 567".into())),
            ("1  234", AmountError::Malformed("1  234".into())),
            ("1,234,56", AmountError::Malformed("1,234,56".into())),
            ("1.2.3,45", AmountError::Malformed("1.2.3,45".into())),
            (
                "1,234.567.89",
                AmountError::Malformed("1,234.567.89".into()),
            ),
            (
                "1.234 567,89",
                AmountError::Malformed("1.234 567,89".into()),
            ),
            ("12,5 0", AmountError::Malformed("12,5 0".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_amount(text), Err(expected), "input {text:?}");
        }
    }

    #[test]
    fn amount_error_keeps_original_text() {
        let error = parse_amount(" 12,505 € ").unwrap_err();
        assert_eq!(error.text(), " 12,505 € ");
        assert_eq!(
            error.to_string(),
            "amount \" 12,505 € \" has more than two decimals"
        );
    }

    /// Formats cents in one of the ways a French person or spreadsheet writes money.
    fn format_french_cents(
        cents: i64,
        group: Option<char>,
        decimals: bool,
        suffix: &str,
    ) -> String {
        let units = (cents / 100).to_string();
        let mut grouped = String::new();
        for (index, digit) in units.chars().enumerate() {
            if let Some(separator) = group
                && index > 0
                && (units.len() - index).is_multiple_of(3)
            {
                grouped.push(separator);
            }
            grouped.push(digit);
        }
        if decimals || cents % 100 != 0 {
            grouped.push_str(&format!(",{:02}", cents % 100));
        }
        format!("{grouped}{suffix}")
    }

    /// Non-negative cents, half of them below 10 000 euros so that short amounts and single
    /// thousands groups come up as often as huge ones.
    fn any_cents() -> impl Strategy<Value = i64> {
        prop_oneof![0..1_000_000i64, 0..=i64::MAX]
    }

    /// Non-negative cents, half of them whole euros, so that the ambiguous `1.234` shape
    /// comes up often. Euros stay below `i64::MAX / 100` so that adding the cents cannot
    /// overflow.
    fn any_cents_often_whole() -> impl Strategy<Value = i64> {
        let euros = prop_oneof![0..10_000_000i64, 0..i64::MAX / 100];
        let fraction = prop_oneof![Just(0i64), 0..100i64];
        (euros, fraction).prop_map(|(euros, fraction)| euros * 100 + fraction)
    }

    proptest! {
        #[test]
        fn french_money_text_round_trips(cents in any_cents()) {
            let text = Catalog::new(Language::Fr).money(cents);
            prop_assert_eq!(parse_amount(&text), Ok(cents), "input {:?}", text);
        }

        #[test]
        fn english_money_text_round_trips(cents in any_cents()) {
            let text = Catalog::new(Language::En).money(cents);
            prop_assert_eq!(parse_amount(&text), Ok(cents), "input {:?}", text);
        }

        #[test]
        fn french_spreadsheet_amounts_round_trip(
            cents in any_cents_often_whole(),
            group in prop::sample::select(vec![None, Some(' '), Some(NBSP), Some(NNBSP), Some('.')]),
            decimals in any::<bool>(),
            suffix in prop::sample::select(vec!["", " €", "€", "\u{a0}€", " EUR"]),
        ) {
            let text = format_french_cents(cents, group, decimals, suffix);
            // A dot-grouped number without decimals and a single dot is the ambiguous case.
            let ambiguous = group == Some('.') && text.matches('.').count() == 1 && !text.contains(',');
            if ambiguous {
                prop_assert_eq!(parse_amount(&text), Err(AmountError::Ambiguous(text.clone())));
            } else {
                prop_assert_eq!(parse_amount(&text), Ok(cents), "input {:?}", text);
            }
        }

        #[test]
        fn negative_money_is_rejected(cents in any_cents().prop_filter("positive", |&c| c > 0)) {
            let text = Catalog::new(Language::Fr).money(-cents);
            prop_assert_eq!(parse_amount(&text), Err(AmountError::Negative(text.clone())));
        }
    }

    // --- Phone numbers ---

    #[test]
    fn phone_french_forms_are_one_number() {
        let inputs = [
            "06 12 34 56 78",
            "0612345678",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "06/12/34/56/78",
            "06\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
            "  06 12 34 56 78  ",
            "+33 6 12 34 56 78",
            "+33612345678",
            "+33 (0)6 12 34 56 78",
            "+33 06 12 34 56 78",
            "+33 (6) 12 34 56 78",
            "0033612345678",
            "00 33 6 12 34 56 78",
            "0033 (0)6 12 34 56 78",
            "(0)6 12 34 56 78",
        ];
        for text in inputs {
            let expected = Phone {
                e164: "+33612345678".into(),
                warning: None,
            };
            assert_eq!(parse_phone(text), Ok(expected), "input {text:?}");
        }
    }

    #[test]
    fn phone_other_numbers() {
        let cases = [
            ("01 23 45 67 89", "+33123456789"),
            ("0696 12 34 56", "+33696123456"),
            ("08 00 12 34 56", "+33800123456"),
            ("+32 444 12 34 56", "+32444123456"),
            ("0032 444 12 34 56", "+32444123456"),
            ("+32 (0)4 44 12 34 56", "+32444123456"),
            ("+44 20 7946 0958", "+442079460958"),
            ("+596 696 12 34 56", "+596696123456"),
            ("+1 (555) 010-0199", "+15550100199"),
            ("+683 1234", "+6831234"),
            ("+123 456 789 012 345", "+123456789012345"),
        ];
        for (text, e164) in cases {
            let expected = Phone {
                e164: e164.into(),
                warning: None,
            };
            assert_eq!(parse_phone(text), Ok(expected), "input {text:?}");
        }
    }

    #[test]
    fn phone_repairs_spreadsheet_damage() {
        let cases = [
            (
                "612345678",
                "+33612345678",
                PhoneWarning::LeadingZeroRestored,
            ),
            (
                "6 12 34 56 78",
                "+33612345678",
                PhoneWarning::LeadingZeroRestored,
            ),
            (
                "123456789",
                "+33123456789",
                PhoneWarning::LeadingZeroRestored,
            ),
            ("33612345678", "+33612345678", PhoneWarning::PlusRestored),
        ];
        for (text, e164, warning) in cases {
            let expected = Phone {
                e164: e164.into(),
                warning: Some(warning),
            };
            assert_eq!(parse_phone(text), Ok(expected), "input {text:?}");
        }
    }

    #[test]
    fn phone_rejections() {
        let unexpected = |text: &str, character: char| PhoneError::UnexpectedCharacter {
            text: text.to_owned(),
            character,
        };
        let cases: Vec<(&str, PhoneError)> = vec![
            ("", PhoneError::Empty("".into())),
            ("  ", PhoneError::Empty("  ".into())),
            ("06 12 34 56 7a", unexpected("06 12 34 56 7a", 'a')),
            ("tel 0612345678", unexpected("tel 0612345678", 't')),
            ("06 12 34 56 78 ext", unexpected("06 12 34 56 78 ext", 'e')),
            ("06_12_34_56_78", unexpected("06_12_34_56_78", '_')),
            ("06 12 34 56", PhoneError::TooShort("06 12 34 56".into())),
            ("061234567", PhoneError::TooShort("061234567".into())),
            ("12345", PhoneError::TooShort("12345".into())),
            (
                "+33 6 12 34 56",
                PhoneError::TooShort("+33 6 12 34 56".into()),
            ),
            ("+32 12", PhoneError::TooShort("+32 12".into())),
            ("+33", PhoneError::TooShort("+33".into())),
            ("+", PhoneError::TooShort("+".into())),
            ("00", PhoneError::TooShort("00".into())),
            (
                "06 12 34 56 78 9",
                PhoneError::TooLong("06 12 34 56 78 9".into()),
            ),
            (
                "+33 6 12 34 56 78 9",
                PhoneError::TooLong("+33 6 12 34 56 78 9".into()),
            ),
            (
                "+1234567890123456",
                PhoneError::TooLong("+1234567890123456".into()),
            ),
            ("0612345678901", PhoneError::TooLong("0612345678901".into())),
            ("32444123456", PhoneError::TooLong("32444123456".into())),
            ("6123456789", PhoneError::Malformed("6123456789".into())),
            ("06+12345678", PhoneError::Malformed("06+12345678".into())),
            (
                "++33612345678",
                PhoneError::Malformed("++33612345678".into()),
            ),
            ("+0612345678", PhoneError::Malformed("+0612345678".into())),
            (
                "+33 00 12 34 56 78",
                PhoneError::Malformed("+33 00 12 34 56 78".into()),
            ),
            (
                "+(0)33 6 12 34 56 78",
                PhoneError::Malformed("+(0)33 6 12 34 56 78".into()),
            ),
            (
                "06 12 (0)34 56 78",
                PhoneError::Malformed("06 12 (0)34 56 78".into()),
            ),
            (
                "+33 (0)6 (0)12 34 56 78",
                PhoneError::Malformed("+33 (0)6 (0)12 34 56 78".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_phone(text), Err(expected), "input {text:?}");
        }
    }

    #[test]
    fn phone_format_french() {
        let cases = [
            ("+33612345678", "06 12 34 56 78"),
            ("0696123456", "06 96 12 34 56"),
            ("612345678", "06 12 34 56 78"),
            ("+32 444 12 34 56", "+32444123456"),
            ("+596 696 12 34 56", "+596696123456"),
        ];
        for (text, formatted) in cases {
            let phone = parse_phone(text).unwrap_or_else(|error| panic!("input {text:?}: {error}"));
            assert_eq!(format_french(&phone), formatted, "input {text:?}");
        }
    }

    // --- Dates ---

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("test date exists")
    }

    #[test]
    fn date_day_first_forms() {
        let cases = [
            ("05/03/1987", date(1987, 3, 5)),
            ("5/3/1987", date(1987, 3, 5)),
            ("05-03-1987", date(1987, 3, 5)),
            ("05.03.1987", date(1987, 3, 5)),
            ("  05/03/1987 ", date(1987, 3, 5)),
            ("1987-03-05", date(1987, 3, 5)),
            ("1987-3-5", date(1987, 3, 5)),
            ("1987/03/05", date(1987, 3, 5)),
            ("29/02/2024", date(2024, 2, 29)),
            ("31/12/1999", date(1999, 12, 31)),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_date(text, DateOrder::DayFirst),
                Ok(expected),
                "input {text:?}"
            );
        }
    }

    #[test]
    fn date_month_first_forms() {
        let cases = [
            ("03/05/1987", date(1987, 3, 5)),
            ("3/5/1987", date(1987, 3, 5)),
            ("1987-03-05", date(1987, 3, 5)),
            ("12/31/1999", date(1999, 12, 31)),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_date(text, DateOrder::MonthFirst),
                Ok(expected),
                "input {text:?}"
            );
        }
    }

    #[test]
    fn date_order_defaults_to_day_first() {
        assert_eq!(DateOrder::default(), DateOrder::DayFirst);
        assert_eq!(
            parse_date("05/03/1987", DateOrder::default()),
            Ok(date(1987, 3, 5))
        );
    }

    #[test]
    fn date_rejections() {
        let cases: Vec<(&str, DateError)> = vec![
            ("", DateError::Empty("".into())),
            ("  ", DateError::Empty("  ".into())),
            ("05/03/87", DateError::TwoDigitYear("05/03/87".into())),
            ("5/3/87", DateError::TwoDigitYear("5/3/87".into())),
            ("87-03-05", DateError::TwoDigitYear("87-03-05".into())),
            ("31/02/1987", DateError::Nonexistent("31/02/1987".into())),
            ("29/02/2023", DateError::Nonexistent("29/02/2023".into())),
            ("00/03/1987", DateError::Nonexistent("00/03/1987".into())),
            ("32/01/2000", DateError::Nonexistent("32/01/2000".into())),
            ("05/13/1987", DateError::Nonexistent("05/13/1987".into())),
            ("1987-02-30", DateError::Nonexistent("1987-02-30".into())),
            ("05/03", DateError::Malformed("05/03".into())),
            ("1987", DateError::Malformed("1987".into())),
            ("31841", DateError::Malformed("31841".into())),
            ("05/03/1987/1", DateError::Malformed("05/03/1987/1".into())),
            ("05/03-1987", DateError::Malformed("05/03-1987".into())),
            ("05//1987", DateError::Malformed("05//1987".into())),
            ("005/03/1987", DateError::Malformed("005/03/1987".into())),
            ("05/03/987", DateError::Malformed("05/03/987".into())),
            ("05/03/19870", DateError::Malformed("05/03/19870".into())),
            ("1987/03/1987", DateError::Malformed("1987/03/1987".into())),
            ("5 mars 1987", DateError::Malformed("5 mars 1987".into())),
            (
                "05/03/1987 10:00",
                DateError::Malformed("05/03/1987 10:00".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_date(text, DateOrder::DayFirst),
                Err(expected),
                "input {text:?}"
            );
        }
    }

    #[test]
    fn date_month_first_rejects_month_thirteen() {
        assert_eq!(
            parse_date("13/05/1987", DateOrder::MonthFirst),
            Err(DateError::Nonexistent("13/05/1987".into()))
        );
    }

    // --- E-mail addresses ---

    #[test]
    fn email_accepted_forms() {
        let cases = [
            ("jean.dupont@example.fr", "jean.dupont@example.fr"),
            ("  Jean.Dupont@Example.FR ", "Jean.Dupont@example.fr"),
            ("jean+club@mail.example.com", "jean+club@mail.example.com"),
            ("a@b.co", "a@b.co"),
            ("zoé@CAFÉ-Crème.fr", "zoé@café-crème.fr"),
            ("j@sub-domain.example.org", "j@sub-domain.example.org"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_email(text), Ok(expected.to_owned()), "input {text:?}");
        }
    }

    #[test]
    fn email_rejections() {
        let cases: Vec<(&str, EmailError)> = vec![
            ("", EmailError::Empty("".into())),
            (" ", EmailError::Empty(" ".into())),
            (
                "jean dupont@example.fr",
                EmailError::ContainsWhitespace("jean dupont@example.fr".into()),
            ),
            (
                "jean@exa mple.fr",
                EmailError::ContainsWhitespace("jean@exa mple.fr".into()),
            ),
            (
                "jean.dupont.example.fr",
                EmailError::MissingAt("jean.dupont.example.fr".into()),
            ),
            (
                "jean@dupont@example.fr",
                EmailError::SeveralAt("jean@dupont@example.fr".into()),
            ),
            (
                "@example.fr",
                EmailError::EmptyLocalPart("@example.fr".into()),
            ),
            ("jean@", EmailError::InvalidDomain("jean@".into())),
            (
                "jean@localhost",
                EmailError::InvalidDomain("jean@localhost".into()),
            ),
            (
                "jean@example.",
                EmailError::InvalidDomain("jean@example.".into()),
            ),
            ("jean@.fr", EmailError::InvalidDomain("jean@.fr".into())),
            (
                "jean@example..fr",
                EmailError::InvalidDomain("jean@example..fr".into()),
            ),
            (
                "jean@example.fr;",
                EmailError::InvalidDomain("jean@example.fr;".into()),
            ),
            (
                "jean@example,fr",
                EmailError::InvalidDomain("jean@example,fr".into()),
            ),
            (
                "jean@-example.fr",
                EmailError::InvalidDomain("jean@-example.fr".into()),
            ),
            (
                "jean@example-.fr",
                EmailError::InvalidDomain("jean@example-.fr".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_email(text), Err(expected), "input {text:?}");
        }
    }
}
