//! Rows to members: every value checked with the same rules as the member form, and every
//! problem kept with its line and column.

use super::mapping::{Field, Mapping};
use super::table::{Record, Table};
use crate::domain::input::{
    AmountError, DateError, DateOrder, EmailError, PhoneError, PhoneWarning, parse_amount,
    parse_date,
};
use crate::domain::member::NewMember;
use crate::domain::member_form::{BirthDateError, MemberInput, validate_member};
use crate::domain::pricing::MAX_PRICE_CENTS;
use chrono::NaiveDate;

/// Most sessions an imported card may have left, the same bound as a card type's sessions.
pub const MAX_SESSIONS_LEFT: u32 = 1_000;

/// The reason a row cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// More fields than the header has columns, most often a separator typed inside a field
    /// that is not quoted.
    FieldCount {
        found: usize,
        expected: usize,
    },
    /// A quote inside an unquoted field, or text after a closing quote.
    StrayQuote,
    /// A quoted field that never ends, which would swallow the rest of the file.
    UnclosedQuote,
    MissingLastName,
    MissingFirstName,
    NameTooLong,
    Email(EmailError),
    Phone(PhoneError),
    BirthDate(BirthDateError),
    Date(DateError),
    Amount(AmountError),
    /// Sessions left that are not a whole number from 0 to [`MAX_SESSIONS_LEFT`].
    Sessions(String),
    /// A language other than French or English.
    Language(String),
    /// A card bought on a day that has not come yet.
    SoldInFuture(NaiveDate),
    /// A card that expires before the day it was bought.
    ExpiryBeforeSale {
        expires_on: NaiveDate,
        sold_on: NaiveDate,
    },
}

/// A row that cannot be imported: its line in the file, the header of the column at fault
/// when one is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    pub column: Option<String>,
    pub problem: Problem,
}

/// A repair or an omission the user should know about, on a row that is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The phone number got back a leading 0 or `+` that a spreadsheet dropped.
    PhoneRepaired {
        text: String,
        e164: String,
        repair: PhoneWarning,
    },
    /// Card columns are filled but the card type is missing, so no card is created.
    CardWithoutType,
    /// No card type of the club has this name, so no card is created.
    UnknownCardType(String),
    /// More sessions left than the card type includes: possible after a carry-over, but
    /// worth a look.
    MoreSessionsThanType { left: u32, included: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWarning {
    pub line: u64,
    pub column: Option<String>,
    pub warning: Warning,
}

/// A card the member has now, in the tool they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInput {
    pub type_name: String,
    /// Header of the card type column, for messages.
    pub type_column: Option<String>,
    /// Sessions left, or `None` for the card type's sessions when the file gives none.
    pub sessions_left: Option<u32>,
    pub expires_on: Option<NaiveDate>,
    pub amount_cents: Option<i64>,
    pub sold_on: Option<NaiveDate>,
}

/// A row that can be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub member: NewMember,
    pub card: Option<CardInput>,
    pub warnings: Vec<RowWarning>,
}

/// Checks every record of the table, returning the importable rows and the problems.
pub fn read_rows(
    table: &Table,
    mapping: &Mapping,
    today: NaiveDate,
) -> (Vec<ImportRow>, Vec<RowProblem>) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in &table.records {
        match read_row(record, &table.headers, mapping, today) {
            Ok(row) => rows.push(row),
            Err(row_problems) => problems.extend(row_problems),
        }
    }
    (rows, problems)
}

struct RowReader<'a> {
    record: &'a Record,
    headers: &'a [String],
    mapping: &'a Mapping,
    problems: Vec<RowProblem>,
}

impl RowReader<'_> {
    fn text(&self, field: Field) -> &str {
        self.mapping
            .column_of(field)
            .and_then(|column| self.record.fields.get(column))
            .map_or("", |text| text.trim())
    }

    fn column(&self, field: Field) -> Option<String> {
        let column = self.mapping.column_of(field)?;
        self.headers.get(column).cloned()
    }

    fn fail(&mut self, field: Field, problem: Problem) {
        self.problems.push(RowProblem {
            line: self.record.line,
            column: self.column(field),
            problem,
        });
    }

    /// Reads a date column: empty is `None`, and a time after the date (`04/09/2025 18:25`)
    /// is ignored.
    fn date(&mut self, field: Field) -> Option<NaiveDate> {
        let text = self.text(field);
        let date_part = text.split_whitespace().next()?.to_owned();
        match parse_date(&date_part, DateOrder::DayFirst) {
            Ok(date) => Some(date),
            Err(error) => {
                self.fail(field, Problem::Date(error));
                None
            }
        }
    }
}

fn read_row(
    record: &Record,
    headers: &[String],
    mapping: &Mapping,
    today: NaiveDate,
) -> Result<ImportRow, Vec<RowProblem>> {
    let mut reader = RowReader {
        record,
        headers,
        mapping,
        problems: Vec::new(),
    };
    let input = MemberInput {
        first_name: reader.text(Field::FirstName).to_owned(),
        last_name: reader.text(Field::LastName).to_owned(),
        email: reader.text(Field::Email).to_owned(),
        phone: reader.text(Field::Phone).to_owned(),
        birth_date: reader.text(Field::BirthDate).to_owned(),
        category: reader.text(Field::Category).to_owned(),
        notes: reader.text(Field::Notes).to_owned(),
        language: reader.text(Field::Language).to_owned(),
    };
    let member = match validate_member(&input, today) {
        Ok(valid) => Some(valid),
        Err(errors) => {
            member_problems(&mut reader, errors);
            None
        }
    };
    let card = read_card(&mut reader, today);

    if !reader.problems.is_empty() {
        return Err(reader.problems);
    }
    let Some(valid) = member else {
        return Err(reader.problems);
    };
    let mut warnings = Vec::new();
    if let (Some(repair), Some(e164)) = (valid.phone_warning, valid.member.phone.clone()) {
        warnings.push(RowWarning {
            line: record.line,
            column: reader.column(Field::Phone),
            warning: Warning::PhoneRepaired {
                text: input.phone.clone(),
                e164,
                repair,
            },
        });
    }
    let card = match card {
        CardColumns::None => None,
        CardColumns::WithoutType => {
            warnings.push(RowWarning {
                line: record.line,
                column: reader.column(Field::CardType),
                warning: Warning::CardWithoutType,
            });
            None
        }
        CardColumns::Card(card) => Some(card),
    };
    Ok(ImportRow {
        line: record.line,
        member: valid.member,
        card,
        warnings,
    })
}

fn member_problems(reader: &mut RowReader, errors: crate::domain::member_form::MemberErrors) {
    if errors.last_name_missing {
        reader.fail(Field::LastName, Problem::MissingLastName);
    }
    if errors.first_name_missing {
        reader.fail(Field::FirstName, Problem::MissingFirstName);
    }
    if errors.last_name_too_long {
        reader.fail(Field::LastName, Problem::NameTooLong);
    }
    if errors.first_name_too_long {
        reader.fail(Field::FirstName, Problem::NameTooLong);
    }
    if let Some(error) = errors.email {
        reader.fail(Field::Email, Problem::Email(error));
    }
    if let Some(error) = errors.phone {
        reader.fail(Field::Phone, Problem::Phone(error));
    }
    if let Some(error) = errors.birth_date {
        reader.fail(Field::BirthDate, Problem::BirthDate(error));
    }
    if let Some(text) = errors.language {
        reader.fail(Field::Language, Problem::Language(text.into()));
    }
}

enum CardColumns {
    None,
    WithoutType,
    Card(CardInput),
}

fn read_card(reader: &mut RowReader, today: NaiveDate) -> CardColumns {
    let type_name = crate::domain::member::normalize_name(reader.text(Field::CardType));
    let sessions_text = reader.text(Field::SessionsLeft).to_owned();
    let sessions_left = if sessions_text.is_empty() {
        None
    } else {
        match sessions_text.parse::<u32>() {
            Ok(sessions) if sessions <= MAX_SESSIONS_LEFT => Some(sessions),
            _ => {
                reader.fail(
                    Field::SessionsLeft,
                    Problem::Sessions(sessions_text.clone()),
                );
                None
            }
        }
    };
    let expires_on = reader.date(Field::Expiry);
    let sold_on = reader.date(Field::SoldOn);
    if let Some(date) = sold_on.filter(|date| *date > today) {
        reader.fail(Field::SoldOn, Problem::SoldInFuture(date));
    }
    if let (Some(expires_on), Some(sold_on)) = (expires_on, sold_on)
        && expires_on < sold_on
    {
        reader.fail(
            Field::Expiry,
            Problem::ExpiryBeforeSale {
                expires_on,
                sold_on,
            },
        );
    }
    let amount_text = reader.text(Field::Amount).to_owned();
    let amount_cents = if amount_text.is_empty() {
        None
    } else {
        match parse_amount(&amount_text) {
            // The same ceiling as a card type's price, so no total can overflow.
            Ok(cents) if cents > MAX_PRICE_CENTS => {
                reader.fail(
                    Field::Amount,
                    Problem::Amount(AmountError::Overflow(amount_text.clone())),
                );
                None
            }
            Ok(cents) => Some(cents),
            Err(error) => {
                reader.fail(Field::Amount, Problem::Amount(error));
                None
            }
        }
    };

    if !type_name.is_empty() {
        return CardColumns::Card(CardInput {
            type_name,
            type_column: reader.column(Field::CardType),
            sessions_left,
            expires_on,
            amount_cents,
            sold_on,
        });
    }
    // A price or a purchase date alone describes a past sale, not a card held now.
    if sessions_left.is_some() || expires_on.is_some() {
        CardColumns::WithoutType
    } else {
        CardColumns::None
    }
}
