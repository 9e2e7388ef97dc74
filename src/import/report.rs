//! The dry run and the problems of an import in the user's language, shared by
//! `carnet import members` and the Import screen.

use super::mapping::Field;
use super::mapping_file::{self, MappingFileError};
use super::plan::{ImportPlan, SkipReason, SkippedRow};
use super::rows::{MAX_SESSIONS_LEFT, Problem, RowProblem, RowWarning, Warning};
use super::{ReadFile, TableError};
use crate::domain::input::{DateError, PhoneWarning, format_french, parse_phone};
use crate::domain::member_form::{BirthDateError, MAX_NAME_CHARS};
use crate::i18n::Catalog;
use crate::messages::amount_error;

pub fn field_label(catalog: &Catalog, field: Option<Field>) -> String {
    let key = match field {
        None => "import.field_ignored",
        Some(Field::LastName) => "import.field_last_name",
        Some(Field::FirstName) => "import.field_first_name",
        Some(Field::BirthDate) => "import.field_birth_date",
        Some(Field::Email) => "import.field_email",
        Some(Field::Phone) => "import.field_phone",
        Some(Field::Category) => "import.field_category",
        Some(Field::Notes) => "import.field_notes",
        Some(Field::Language) => "import.field_language",
        Some(Field::CardType) => "import.field_card_type",
        Some(Field::SessionsLeft) => "import.field_sessions_left",
        Some(Field::Expiry) => "import.field_expiry",
        Some(Field::Amount) => "import.field_amount",
        Some(Field::SoldOn) => "import.field_sold_on",
    };
    catalog.t(key).to_owned()
}

/// Names where a problem is: the line, and the column when one is at fault.
fn place(catalog: &Catalog, line: u64, column: Option<&str>) -> String {
    match column {
        Some(column) => catalog.tf(
            "import.line_column",
            &[("line", &line), ("column", &column)],
        ),
        None => catalog.tf("import.line", &[("line", &line)]),
    }
}

pub fn problem_text(catalog: &Catalog, problem: &RowProblem) -> String {
    let why = match &problem.problem {
        Problem::FieldCount { found, expected } => catalog.tf(
            "import.problem_field_count",
            &[("found", found), ("expected", expected)],
        ),
        Problem::StrayQuote => catalog.t("import.problem_stray_quote").to_owned(),
        Problem::UnclosedQuote => catalog.t("import.problem_unclosed_quote").to_owned(),
        Problem::MissingLastName => catalog.t("import.problem_last_name").to_owned(),
        Problem::MissingFirstName => catalog.t("import.problem_first_name").to_owned(),
        Problem::NameTooLong => {
            catalog.tf("import.problem_name_too_long", &[("max", &MAX_NAME_CHARS)])
        }
        Problem::Email(error) => catalog.tf("import.problem_email", &[("text", &error.text())]),
        Problem::Phone(error) => catalog.tf("import.problem_phone", &[("text", &error.text())]),
        Problem::BirthDate(BirthDateError::InTheFuture { date }) => catalog.tf(
            "import.problem_birth_future",
            &[("date", &catalog.date(*date))],
        ),
        Problem::BirthDate(BirthDateError::Unreadable(error)) | Problem::Date(error) => {
            date_problem(catalog, error)
        }
        Problem::Amount(error) => amount_error(catalog, error),
        Problem::Sessions(text) => catalog.tf(
            "import.problem_sessions",
            &[("text", text), ("max", &MAX_SESSIONS_LEFT)],
        ),
        Problem::Language(text) => catalog.tf("members.error_language", &[("text", text)]),
        Problem::SoldInFuture(date) => catalog.tf(
            "import.problem_sold_future",
            &[("date", &catalog.date(*date))],
        ),
        Problem::ExpiryBeforeSale {
            expires_on,
            sold_on,
        } => catalog.tf(
            "import.problem_expiry_before_sale",
            &[
                ("expiry", &catalog.date(*expires_on)),
                ("sold", &catalog.date(*sold_on)),
            ],
        ),
    };
    let place = place(catalog, problem.line, problem.column.as_deref());
    catalog.tf("import.at", &[("place", &place), ("text", &why)])
}

fn date_problem(catalog: &Catalog, error: &DateError) -> String {
    match error {
        DateError::TwoDigitYear(text) => {
            catalog.tf("import.problem_two_digit_year", &[("text", text)])
        }
        other => catalog.tf("import.problem_date", &[("text", &other.text())]),
    }
}

pub fn warning_text(catalog: &Catalog, warning: &RowWarning) -> String {
    let what = match &warning.warning {
        Warning::PhoneRepaired { text, e164, repair } => {
            let shown = parse_phone(e164).map_or_else(|_| e164.clone(), |p| format_french(&p));
            let key = match repair {
                PhoneWarning::LeadingZeroRestored => "import.warning_leading_zero",
                PhoneWarning::PlusRestored => "import.warning_plus",
            };
            catalog.tf(key, &[("text", text), ("phone", &shown)])
        }
        Warning::CardWithoutType => catalog.t("import.warning_card_without_type").to_owned(),
        Warning::UnknownCardType(name) => {
            catalog.tf("import.warning_unknown_card_type", &[("name", name)])
        }
        Warning::MoreSessionsThanType { left, included } => catalog.tf(
            "import.warning_more_sessions",
            &[("left", left), ("included", included)],
        ),
    };
    let place = place(catalog, warning.line, warning.column.as_deref());
    catalog.tf("import.at", &[("place", &place), ("text", &what)])
}

pub fn skipped_text(catalog: &Catalog, skipped: &SkippedRow) -> String {
    match &skipped.reason {
        SkipReason::InDatabase { code } => catalog.tf(
            "import.skipped_in_database",
            &[
                ("line", &skipped.line),
                ("name", &skipped.name),
                ("code", code),
            ],
        ),
        SkipReason::RepeatedInFile { first_line } => catalog.tf(
            "import.skipped_repeated",
            &[
                ("line", &skipped.line),
                ("name", &skipped.name),
                ("first", first_line),
            ],
        ),
    }
}

/// Describes the file as read: encoding, separator, columns and rows.
pub fn file_line(catalog: &Catalog, file: &ReadFile) -> String {
    catalog.tf(
        "import.file",
        &[
            ("encoding", &file.encoding.label()),
            ("separator", &file.table.separator.label()),
            ("preset", &file.mapping.preset.code()),
            ("columns", &file.table.headers.len()),
            (
                "rows",
                &(file.table.records.len() + file.table.problems.len()),
            ),
        ],
    )
}

/// Names the required fields that no column fills, one message each.
pub fn missing_field_lines(catalog: &Catalog, file: &ReadFile) -> Vec<String> {
    [Field::LastName, Field::FirstName]
        .into_iter()
        .filter(|field| file.mapping.column_of(*field).is_none())
        .map(|field| {
            catalog.tf(
                "import.missing_field",
                &[("field", &field_label(catalog, Some(field)))],
            )
        })
        .collect()
}

pub fn summary_line(catalog: &Catalog, plan: &ImportPlan) -> String {
    catalog.tf(
        "import.summary",
        &[
            ("members", &plan.members_to_create()),
            ("cards", &plan.cards_to_create()),
            ("skipped", &plan.skipped.len()),
            ("duplicates", &plan.duplicate_rows().count()),
            ("bad", &plan.problems.len()),
        ],
    )
}

/// Returns every line of a dry run after the summary: bad rows, warnings, skipped rows, likely
/// duplicates and card types not found, each section with its title.
pub fn detail_lines(catalog: &Catalog, plan: &ImportPlan) -> Vec<String> {
    let mut lines = Vec::new();
    let mut section = |title: &str, items: Vec<String>| {
        if !items.is_empty() {
            lines.push(catalog.t(title).to_owned());
            lines.extend(items.into_iter().map(|item| format!("  {item}")));
        }
    };
    section(
        "import.section_problems",
        plan.problems
            .iter()
            .map(|p| problem_text(catalog, p))
            .collect(),
    );
    section(
        "import.section_duplicates",
        plan.duplicate_rows()
            .map(|row| {
                let others: Vec<String> = row
                    .duplicates
                    .iter()
                    .map(|d| format!("{} ({})", d.name, d.code))
                    .collect();
                catalog.tf(
                    "import.duplicate",
                    &[
                        ("line", &row.line),
                        (
                            "name",
                            &format!("{} {}", row.member.first_name, row.member.last_name),
                        ),
                        ("others", &others.join(", ")),
                    ],
                )
            })
            .collect(),
    );
    section(
        "import.section_skipped",
        plan.skipped
            .iter()
            .map(|s| skipped_text(catalog, s))
            .collect(),
    );
    section(
        "import.section_warnings",
        plan.warnings
            .iter()
            .map(|w| warning_text(catalog, w))
            .collect(),
    );
    section(
        "import.section_unknown_types",
        plan.unknown_card_types
            .iter()
            .map(|(name, rows)| {
                catalog.tf("import.unknown_type", &[("name", name), ("rows", rows)])
            })
            .collect(),
    );
    lines
}

/// Returns the lines of a dry run: the file as read, the column mapping, the counts and the details.
pub fn dry_run_lines(catalog: &Catalog, file: &ReadFile, plan: &ImportPlan) -> Vec<String> {
    let mut lines = vec![file_line(catalog, file)];
    lines.push(catalog.t("import.columns_title").to_owned());
    for (header, field) in file.table.headers.iter().zip(&file.mapping.columns) {
        lines.push(catalog.tf(
            "import.column",
            &[("header", header), ("field", &field_label(catalog, *field))],
        ));
    }
    lines.extend(missing_field_lines(catalog, file));
    lines.push(summary_line(catalog, plan));
    lines.extend(detail_lines(catalog, plan));
    lines
}

/// Puts a mapping file error in the user's language.
pub fn mapping_error(catalog: &Catalog, error: &MappingFileError) -> String {
    match error {
        MappingFileError::Read { path, source } => {
            catalog.tf("import.error_read", &[("path", path), ("detail", source)])
        }
        MappingFileError::Invalid { path, detail } => catalog.tf(
            "import.error_mapping",
            &[("path", path), ("detail", detail)],
        ),
        MappingFileError::UnknownField {
            path,
            header,
            value,
        } => catalog.tf(
            "import.error_mapping_value",
            &[
                ("path", path),
                ("header", header),
                ("value", value),
                ("fields", &mapping_file::accepted_values()),
            ],
        ),
        MappingFileError::Write { path, source } => catalog.tf(
            "import.error_mapping_save",
            &[("path", path), ("detail", source)],
        ),
    }
}

/// Puts an error reading a CSV file in the user's language.
pub fn table_error(catalog: &Catalog, path: &std::path::Path, error: &TableError) -> String {
    let shown = path.display();
    match error {
        TableError::NoHeader => catalog.tf("import.error_no_header", &[("path", &shown)]),
        TableError::Csv(detail) => {
            catalog.tf("import.error_csv", &[("path", &shown), ("detail", detail)])
        }
    }
}
