//! Finance › Pricing rules: what a card type form accepts, field by field, and how names,
//! validities and prices are read as people write them.

use super::card_type::{ActivityId, CardType, CardTypeId, Validity};
use super::input::{AmountError, parse_amount, parse_date};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

/// Highest price of a card type, 100,000 € in cents: far above any club's card, low enough
/// that every sum and product of prices stays within an `i64`.
pub const MAX_PRICE_CENTS: i64 = 10_000_000;

/// Most sessions a card may include.
pub const MAX_SESSIONS: u32 = 1_000;

/// Maximum validity in days or months (ten years), to catch a typo such as 1200.
const MAX_VALIDITY_DAYS: u32 = 3_660;
const MAX_VALIDITY_MONTHS: u32 = 120;

/// The text of each form field, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardTypeInput {
    pub name: String,
    pub price: String,
    pub sessions: String,
    pub validity: String,
    pub audience: String,
    pub activities: Vec<ActivityId>,
}

/// A card type's values once every field is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardTypeDraft {
    pub name: String,
    pub price_cents: i64,
    pub sessions: u32,
    pub validity: Validity,
    pub audience: String,
    pub activities: Vec<ActivityId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    Missing,
    /// Another active card type has the same name once case and accents are ignored.
    Taken {
        other: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionsError {
    Missing,
    NotANumber { text: String },
    OutOfRange { text: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidityError {
    /// Neither "none", a number of days, months or years, nor a date.
    Unreadable { text: String },
    /// Zero, or more than ten years.
    OutOfRange { text: String },
    /// A last day that has already passed.
    InThePast { date: NaiveDate },
}

/// One message per invalid field; a field without error is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors {
    pub name: Option<NameError>,
    pub price: Option<AmountError>,
    pub sessions: Option<SessionsError>,
    pub validity: Option<ValidityError>,
}

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.price.is_none()
            && self.sessions.is_none()
            && self.validity.is_none()
    }
}

/// Checks every field of the form. `existing` are the club's card types; `editing` is the
/// type being edited, which may keep its own name.
pub fn validate(
    input: &CardTypeInput,
    existing: &[CardType],
    editing: Option<CardTypeId>,
    today: NaiveDate,
) -> Result<CardTypeDraft, FieldErrors> {
    let mut errors = FieldErrors::default();

    let name = super::member::normalize_name(&collapse_spaces(&input.name));
    if name.is_empty() {
        errors.name = Some(NameError::Missing);
    } else if let Some(other) = existing.iter().find(|other| {
        !other.archived && Some(other.id) != editing && fold(&other.name) == fold(&name)
    }) {
        errors.name = Some(NameError::Taken {
            other: other.name.clone(),
        });
    }

    let price = parse_amount(&input.price).and_then(|cents| {
        if cents > MAX_PRICE_CENTS {
            Err(AmountError::Overflow(input.price.clone()))
        } else {
            Ok(cents)
        }
    });
    if let Err(error) = &price {
        errors.price = Some(error.clone());
    }
    let sessions = parse_sessions(&input.sessions);
    if let Err(error) = &sessions {
        errors.sessions = Some(error.clone());
    }
    let validity = parse_validity(&input.validity, today);
    if let Err(error) = &validity {
        errors.validity = Some(error.clone());
    }

    match (price, sessions, validity) {
        (Ok(price_cents), Ok(sessions), Ok(validity)) if errors.is_empty() => Ok(CardTypeDraft {
            name,
            price_cents,
            sessions,
            validity,
            audience: collapse_spaces(&input.audience),
            activities: input.activities.clone(),
        }),
        _ => Err(errors),
    }
}

pub fn parse_sessions(text: &str) -> Result<u32, SessionsError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(SessionsError::Missing);
    }
    let sessions: u32 = trimmed.parse().map_err(|_| SessionsError::NotANumber {
        text: trimmed.to_owned(),
    })?;
    if (1..=MAX_SESSIONS).contains(&sessions) {
        Ok(sessions)
    } else {
        Err(SessionsError::OutOfRange {
            text: trimmed.to_owned(),
        })
    }
}

/// Reads a validity as a person writes it, in English or French: `none`/`aucune`,
/// `30 days`/`30 jours`, `12 months`/`12 mois`, `1 year`/`1 an`, or a last day
/// (`2027-06-30`, `30/06/2027`). An empty text means no expiry.
pub fn parse_validity(text: &str, today: NaiveDate) -> Result<Validity, ValidityError> {
    let folded = fold(text);
    let unreadable = || ValidityError::Unreadable {
        text: text.trim().to_owned(),
    };
    if matches!(
        folded.as_str(),
        "" | "none"
            | "no expiry"
            | "never"
            | "aucune"
            | "aucun"
            | "sans"
            | "sans date de fin"
            | "illimitee"
    ) {
        return Ok(Validity::None);
    }
    if let Ok(date) = parse_date(text.trim(), super::input::DateOrder::DayFirst) {
        if date < today {
            return Err(ValidityError::InThePast { date });
        }
        return Ok(Validity::Until(date));
    }

    // "12 months", "12months", "12 mois".
    let digits_end = folded
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(folded.len());
    let (number, unit) = folded.split_at(digits_end);
    let count: u32 = number.parse().map_err(|_| unreadable())?;
    let out_of_range = || ValidityError::OutOfRange {
        text: text.trim().to_owned(),
    };
    let (value, limit, make): (u32, u32, fn(u32) -> Validity) = match unit.trim() {
        "d" | "day" | "days" | "j" | "jour" | "jours" => (count, MAX_VALIDITY_DAYS, Validity::Days),
        "w" | "week" | "weeks" | "semaine" | "semaines" => (
            count.checked_mul(7).ok_or_else(out_of_range)?,
            MAX_VALIDITY_DAYS,
            Validity::Days,
        ),
        "m" | "month" | "months" | "mois" => (count, MAX_VALIDITY_MONTHS, Validity::Months),
        "y" | "year" | "years" | "an" | "ans" | "annee" | "annees" => (
            count.checked_mul(12).ok_or_else(out_of_range)?,
            MAX_VALIDITY_MONTHS,
            Validity::Months,
        ),
        _ => return Err(unreadable()),
    };
    if value == 0 || value > limit {
        return Err(out_of_range());
    }
    Ok(make(value))
}

/// Folds a name for comparisons: lower case, accents removed, runs of blanks made one space.
pub fn fold(text: &str) -> String {
    let stripped: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    collapse_spaces(&stripped)
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Price of one session in cents, rounded to the nearest cent.
pub fn price_per_session(price_cents: i64, sessions: u32) -> i64 {
    if sessions == 0 {
        return 0;
    }
    // In i128 so that no stored price, however large, can overflow.
    let sessions = i128::from(sessions);
    let rounded = (i128::from(price_cents) * 2 + sessions) / (sessions * 2);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn card_type(id: u64, name: &str, archived: bool) -> CardType {
        CardType {
            id: CardTypeId(id),
            name: name.to_owned(),
            price_cents: 8_500,
            sessions: 10,
            validity: Validity::None,
            audience: String::new(),
            activities: vec![],
            archived,
        }
    }

    fn input(name: &str, price: &str, sessions: &str, validity: &str) -> CardTypeInput {
        CardTypeInput {
            name: name.to_owned(),
            price: price.to_owned(),
            sessions: sessions.to_owned(),
            validity: validity.to_owned(),
            audience: "adultes".to_owned(),
            activities: vec![],
        }
    }

    #[test]
    fn validity_in_english_and_french() {
        let cases = [
            ("none", Validity::None),
            ("", Validity::None),
            ("Aucune", Validity::None),
            ("30 days", Validity::Days(30)),
            ("30 jours", Validity::Days(30)),
            ("2 semaines", Validity::Days(14)),
            ("12 months", Validity::Months(12)),
            ("12 mois", Validity::Months(12)),
            ("12mois", Validity::Months(12)),
            ("1 year", Validity::Months(12)),
            ("2 ans", Validity::Months(24)),
            (
                "2027-06-30",
                Validity::Until(NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()),
            ),
            (
                "30/06/2027",
                Validity::Until(NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_validity(text, today()), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn validity_rejections() {
        assert!(matches!(
            parse_validity("0 days", today()),
            Err(ValidityError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_validity("200 mois", today()),
            Err(ValidityError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_validity("12 lunes", today()),
            Err(ValidityError::Unreadable { .. })
        ));
        assert!(matches!(
            parse_validity("soon", today()),
            Err(ValidityError::Unreadable { .. })
        ));
        assert!(matches!(
            parse_validity("30/06/2020", today()),
            Err(ValidityError::InThePast { .. })
        ));
    }

    #[test]
    fn sessions_bounds() {
        assert_eq!(parse_sessions(" 10 "), Ok(10));
        assert_eq!(parse_sessions("1000"), Ok(1000));
        assert!(matches!(
            parse_sessions("0"),
            Err(SessionsError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_sessions("1001"),
            Err(SessionsError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_sessions("-3"),
            Err(SessionsError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_sessions("dix"),
            Err(SessionsError::NotANumber { .. })
        ));
        assert_eq!(parse_sessions("  "), Err(SessionsError::Missing));
    }

    #[test]
    fn names_collide_ignoring_case_and_accents() {
        let existing = [
            card_type(1, "Carte Adulte", false),
            card_type(2, "Séance découverte", false),
        ];
        let errors = validate(
            &input("carte adulte", "85", "10", "none"),
            &existing,
            None,
            today(),
        )
        .unwrap_err();
        assert_eq!(
            errors.name,
            Some(NameError::Taken {
                other: "Carte Adulte".into()
            })
        );
        let errors = validate(
            &input("  seance   DECOUVERTE ", "85", "10", "none"),
            &existing,
            None,
            today(),
        )
        .unwrap_err();
        assert!(matches!(errors.name, Some(NameError::Taken { .. })));
    }

    #[test]
    fn name_free_when_other_is_archived_or_self() {
        let existing = [
            card_type(1, "Carte Adulte", true),
            card_type(2, "Yoga", false),
        ];
        assert!(
            validate(
                &input("Carte adulte", "85", "10", "none"),
                &existing,
                None,
                today()
            )
            .is_ok()
        );
        assert!(
            validate(
                &input("yoga", "85", "10", "none"),
                &existing,
                Some(CardTypeId(2)),
                today()
            )
            .is_ok()
        );
    }

    #[test]
    fn every_invalid_field_reported() {
        let errors = validate(&input(" ", "-5", "0", "bientôt"), &[], None, today()).unwrap_err();
        assert_eq!(errors.name, Some(NameError::Missing));
        assert!(errors.price.is_some());
        assert!(errors.sessions.is_some());
        assert!(errors.validity.is_some());
    }

    #[test]
    fn valid_draft_is_trimmed() {
        let draft = validate(
            &input("  Yoga   10 cours ", "1 020,50 €", "10", "12 mois"),
            &[],
            None,
            today(),
        )
        .unwrap();
        assert_eq!(draft.name, "Yoga 10 cours");
        assert_eq!(draft.price_cents, 102_050);
        assert_eq!(draft.validity, Validity::Months(12));
    }

    #[test]
    fn price_above_maximum_rejected() {
        let errors = validate(
            &input("Énorme", "92233720368547758.07", "1", "none"),
            &[],
            None,
            today(),
        )
        .unwrap_err();
        assert!(matches!(errors.price, Some(AmountError::Overflow(_))));
        let errors = validate(
            &input("Énorme", "100 000,01", "1", "none"),
            &[],
            None,
            today(),
        )
        .unwrap_err();
        assert!(matches!(errors.price, Some(AmountError::Overflow(_))));
        assert!(validate(&input("Max", "100 000,00", "1", "none"), &[], None, today()).is_ok());
    }

    #[test]
    fn free_trial_card_allowed() {
        let draft = validate(&input("Essai", "0", "1", "30 jours"), &[], None, today()).unwrap();
        assert_eq!(draft.price_cents, 0);
    }

    #[test]
    fn price_per_session_rounds() {
        assert_eq!(price_per_session(8_500, 10), 850);
        assert_eq!(price_per_session(10_000, 3), 3_333);
        assert_eq!(price_per_session(20_000, 3), 6_667);
        assert_eq!(price_per_session(0, 5), 0);
        assert_eq!(price_per_session(i64::MAX, 1), i64::MAX);
    }
}
