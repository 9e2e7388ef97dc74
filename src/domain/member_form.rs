//! The member form's rules, field by field, and the test for a likely duplicate.

use super::input::{
    DateError, DateOrder, EmailError, PhoneError, PhoneWarning, parse_date, parse_email,
    parse_phone,
};
use super::member::{Category, Member, MemberId, NewMember, normalize_name};
use super::pricing::fold;
use chrono::NaiveDate;

/// The text of each field, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub birth_date: String,
    pub category: String,
    pub notes: String,
    /// `fr`, `en` or empty for the club's language.
    pub language: String,
}

/// One error per invalid field; a field without error is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberErrors {
    pub first_name_missing: bool,
    pub last_name_missing: bool,
    /// A name longer than [`MAX_NAME_CHARS`].
    pub first_name_too_long: bool,
    pub last_name_too_long: bool,
    pub email: Option<EmailError>,
    pub phone: Option<PhoneError>,
    pub birth_date: Option<BirthDateError>,
    /// The language as typed, when it is neither French nor English.
    pub language: Option<Box<str>>,
}

impl MemberErrors {
    pub fn is_empty(&self) -> bool {
        !self.first_name_missing
            && !self.last_name_missing
            && !self.first_name_too_long
            && !self.last_name_too_long
            && self.email.is_none()
            && self.phone.is_none()
            && self.birth_date.is_none()
            && self.language.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BirthDateError {
    Unreadable(DateError),
    InTheFuture { date: NaiveDate },
}

/// A valid form, with the repair the phone parser made, for the user to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMember {
    pub member: NewMember,
    pub phone_warning: Option<PhoneWarning>,
}

/// Checks every field. Names are trimmed and put in NFC; the phone is stored in E.164 form.
pub fn validate_member(input: &MemberInput, today: NaiveDate) -> Result<ValidMember, MemberErrors> {
    let mut errors = MemberErrors::default();
    let first_name = normalize_name(&without_controls(&input.first_name));
    let last_name = normalize_name(&without_controls(&input.last_name));
    errors.first_name_missing = first_name.is_empty();
    errors.last_name_missing = last_name.is_empty();
    errors.first_name_too_long = first_name.chars().count() > MAX_NAME_CHARS;
    errors.last_name_too_long = last_name.chars().count() > MAX_NAME_CHARS;

    let email = optional(&input.email)
        .map(parse_email)
        .transpose()
        .unwrap_or_else(|error| {
            errors.email = Some(error);
            None
        });
    let mut phone_warning = None;
    let phone = optional(&input.phone)
        .map(parse_phone)
        .transpose()
        .unwrap_or_else(|error| {
            errors.phone = Some(error);
            None
        })
        .map(|phone| {
            phone_warning = phone.warning;
            phone.e164
        });
    let birth_date =
        match optional(&input.birth_date).map(|text| parse_date(text, DateOrder::DayFirst)) {
            None => None,
            Some(Ok(date)) if date > today => {
                errors.birth_date = Some(BirthDateError::InTheFuture { date });
                None
            }
            Some(Ok(date)) => Some(date),
            Some(Err(error)) => {
                errors.birth_date = Some(BirthDateError::Unreadable(error));
                None
            }
        };

    let language = optional(&input.language).and_then(|text| {
        let parsed = crate::i18n::Language::parse(text);
        if parsed.is_none() {
            errors.language = Some(text.into());
        }
        parsed
    });

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidMember {
        member: NewMember {
            first_name,
            last_name,
            email,
            phone,
            birth_date,
            category: parse_category(&input.category),
            notes: input.notes.trim().chars().take(MAX_NOTES_CHARS).collect(),
            language,
        },
        phone_warning,
    })
}

/// Reads a category in English or French; anything else is a club-defined label.
pub fn parse_category(text: &str) -> Category {
    match fold(text).as_str() {
        "" | "adult" | "adults" | "adulte" | "adultes" => Category::Adult,
        "child" | "children" | "enfant" | "enfants" => Category::Child,
        _ => Category::Other(text.trim().to_owned()),
    }
}

/// Lists the members that are likely the same person as `candidate`: same name and birth date,
/// or same e-mail. `editing` is the member being edited, who is not their own duplicate.
pub fn likely_duplicates<'a>(
    candidate: &NewMember,
    members: impl IntoIterator<Item = &'a Member>,
    editing: Option<MemberId>,
) -> Vec<&'a Member> {
    let name = (fold(&candidate.first_name), fold(&candidate.last_name));
    let email = candidate.email.as_deref().map(str::to_lowercase);
    members
        .into_iter()
        .filter(|member| Some(member.id) != editing)
        .filter(|member| {
            let same_person = candidate.birth_date.is_some()
                && member.birth_date == candidate.birth_date
                && (fold(&member.first_name), fold(&member.last_name)) == name;
            let same_email =
                email.is_some() && member.email.as_deref().map(str::to_lowercase) == email;
            same_person || same_email
        })
        .collect()
}

/// Maximum length of a first or last name: room for the longest real names, not for pasted text.
pub const MAX_NAME_CHARS: usize = 100;

/// Notes beyond this length are cut.
pub const MAX_NOTES_CHARS: usize = 2_000;

/// Replaces tabs, line breaks and other control characters with spaces: names end up in
/// tab-separated output and on one line of the screen.
fn without_controls(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn optional(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then_some(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MemberCode;
    use chrono::{TimeZone, Utc};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn input(first: &str, last: &str) -> MemberInput {
        MemberInput {
            first_name: first.into(),
            last_name: last.into(),
            ..MemberInput::default()
        }
    }

    fn member(
        id: u64,
        first: &str,
        last: &str,
        birth: Option<NaiveDate>,
        email: Option<&str>,
    ) -> Member {
        Member {
            id: MemberId(id),
            code: MemberCode::parse(&format!("{id:08}")).unwrap(),
            first_name: first.into(),
            last_name: last.into(),
            email: email.map(str::to_owned),
            phone: None,
            birth_date: birth,
            category: Category::Adult,
            notes: String::new(),
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            archived: false,
            last_visit: None,
        }
    }

    #[test]
    fn names_required_and_normalized() {
        let errors = validate_member(&input(" ", ""), today()).unwrap_err();
        assert!(errors.first_name_missing);
        assert!(errors.last_name_missing);
        let valid = validate_member(&input(" Zoe\u{301} ", "Lefe\u{300}vre"), today()).unwrap();
        assert_eq!(valid.member.first_name, "Zo\u{e9}");
        assert_eq!(valid.member.last_name, "Lef\u{e8}vre");
    }

    #[test]
    fn names_cleaned_and_bounded() {
        let valid = validate_member(&input("a\tb", "x\ny"), today()).unwrap();
        assert_eq!(valid.member.first_name, "a b");
        assert_eq!(valid.member.last_name, "x y");
        let errors = validate_member(&input(&"é".repeat(MAX_NAME_CHARS + 1), "Martin"), today())
            .unwrap_err();
        assert!(errors.first_name_too_long);
    }

    #[test]
    fn optional_fields_validated() {
        let mut form = input("Léa", "Martin");
        form.email = "lea.martin@".into();
        form.phone = "06 12 34".into();
        form.birth_date = "05/03/87".into();
        let errors = validate_member(&form, today()).unwrap_err();
        assert!(errors.email.is_some());
        assert!(errors.phone.is_some());
        assert!(matches!(
            errors.birth_date,
            Some(BirthDateError::Unreadable(_))
        ));
    }

    #[test]
    fn phone_stored_in_international_form() {
        let mut form = input("Léa", "Martin");
        form.phone = "612345678".into();
        form.birth_date = "5/3/1987".into();
        let valid = validate_member(&form, today()).unwrap();
        assert_eq!(valid.member.phone.as_deref(), Some("+33612345678"));
        assert_eq!(valid.phone_warning, Some(PhoneWarning::LeadingZeroRestored));
        assert_eq!(valid.member.birth_date, NaiveDate::from_ymd_opt(1987, 3, 5));
    }

    #[test]
    fn birth_date_in_future_rejected() {
        let mut form = input("Léa", "Martin");
        form.birth_date = "01/01/2030".into();
        let errors = validate_member(&form, today()).unwrap_err();
        assert!(matches!(
            errors.birth_date,
            Some(BirthDateError::InTheFuture { .. })
        ));
    }

    #[test]
    fn categories_in_both_languages() {
        assert_eq!(parse_category("Enfant"), Category::Child);
        assert_eq!(parse_category("adults"), Category::Adult);
        assert_eq!(parse_category(""), Category::Adult);
        assert_eq!(
            parse_category(" Compétition "),
            Category::Other("Compétition".into())
        );
    }

    #[test]
    fn duplicates_by_name_and_birth_or_email() {
        let birth = NaiveDate::from_ymd_opt(1987, 3, 5);
        let members = [
            member(1, "Marie", "Dupont", birth, None),
            member(2, "Marie", "Dupont", None, Some("MARIE@exemple.fr")),
            member(3, "Marie", "Dupond", birth, None),
        ];
        let mut candidate = NewMember::named("marie", "DUPONT");
        candidate.birth_date = birth;
        candidate.email = Some("marie@exemple.fr".into());
        let found: Vec<u64> = likely_duplicates(&candidate, &members, None)
            .iter()
            .map(|m| m.id.0)
            .collect();
        assert_eq!(found, [1, 2]);
        let found: Vec<u64> = likely_duplicates(&candidate, &members, Some(MemberId(1)))
            .iter()
            .map(|m| m.id.0)
            .collect();
        assert_eq!(found, [2]);
    }

    #[test]
    fn language_is_optional_and_named_when_unknown() {
        let mut form = input("Zoé", "Martin");
        assert_eq!(
            validate_member(&form, today()).unwrap().member.language,
            None
        );
        form.language = "Français".into();
        let language = validate_member(&form, today()).unwrap().member.language;
        assert_eq!(language, Some(crate::i18n::Language::Fr));
        form.language = "breton".into();
        let errors = validate_member(&form, today()).unwrap_err();
        assert_eq!(errors.language.as_deref(), Some("breton"));
    }
}
