//! Practice › Session cards as text: the overview's cells, its CSV export, the members to
//! inform as CSV, and one e-mail per member. The screen and the command line share it, so a
//! file written from either is the same.

use crate::domain::card::CardStatus;
use crate::domain::inform::{Reason, ToInform};
use crate::domain::overview::{CardRow, Column, Filter, Overview, Sort, Thresholds};
use crate::i18n::{Catalog, Language};
use chrono::NaiveDate;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The byte-order mark Excel needs to read a CSV file as UTF-8 instead of the system's code page.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The e-mail templates shipped with Carnet, used when the club has none of its own.
const TEMPLATE_FR: &str = include_str!("../assets/email/inform.fr.txt");
const TEMPLATE_EN: &str = include_str!("../assets/email/inform.en.txt");

/// The overview as shown: the rows kept by a filter and a search, in a sort.
pub struct View<'a> {
    pub overview: &'a Overview,
    pub shown: &'a [u32],
    pub filter: Filter,
    pub sort: Sort,
    pub today: NaiveDate,
    pub thresholds: &'a Thresholds,
}

impl View<'_> {
    pub fn rows(&self) -> impl Iterator<Item = &CardRow> {
        self.shown
            .iter()
            .map(|&index| &self.overview.rows[index as usize])
    }
}

/// Returns the catalog key of a column's heading.
pub fn column_key(column: Column) -> &'static str {
    match column {
        Column::Owner => "cards.col_owner",
        Column::CardType => "cards.col_type",
        Column::Audience => "cards.col_audience",
        Column::SoldOn => "cards.col_sold",
        Column::ExpiresOn => "cards.col_expiry",
        Column::SessionsLeft => "cards.col_left",
        Column::LastUse => "cards.col_last_use",
        Column::Status => "cards.col_status",
    }
}

/// Returns the catalog key of a filter's name in the filter bar.
pub fn filter_key(filter: Filter) -> &'static str {
    match filter {
        Filter::Active => "cards.filter_active",
        Filter::Expiring => "cards.filter_expiring",
        Filter::LowBalance => "cards.filter_low",
        Filter::UsedUp => "cards.filter_used_up",
        Filter::Expired => "cards.filter_expired",
        Filter::Dormant => "cards.filter_dormant",
        Filter::Cancelled => "cards.filter_cancelled",
        Filter::All => "cards.filter_all",
    }
}

/// Returns a filter's name with its N: "expiring ≤ 14 d".
pub fn filter_text(catalog: &Catalog, filter: Filter, thresholds: &Thresholds) -> String {
    match filter.threshold(thresholds) {
        Some(n) => catalog.tf(filter_key(filter), &[("n", &n)]),
        None => catalog.t(filter_key(filter)).to_owned(),
    }
}

/// "12/03/2027 (in 5 d)", "today", or "none" for a card that never expires.
pub fn expiry_text(catalog: &Catalog, row: &CardRow, today: NaiveDate) -> String {
    let (Some(date), Some(days)) = (row.expires_on, row.days_to_expiry(today)) else {
        return catalog.t("cards.never_expires").to_owned();
    };
    let relative = match days {
        0 => catalog.t("cards.today").to_owned(),
        days if days > 0 => catalog.tf("cards.in_days", &[("days", &days)]),
        days => catalog.tf("cards.days_ago", &[("days", &-days)]),
    };
    format!("{} ({relative})", catalog.date(date))
}

pub fn left_text(row: &CardRow) -> String {
    format!("{}/{}", row.remaining, row.total)
}

pub fn last_use_text(catalog: &Catalog, row: &CardRow) -> String {
    match row.last_use {
        Some(date) => catalog.date(date),
        None => catalog.t("cards.never_used").to_owned(),
    }
}

/// The alert a card shows: none, or running out with the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    None,
    RunningOut { expiring: bool, low: bool },
}

pub fn alert(row: &CardRow, today: NaiveDate, thresholds: &Thresholds) -> Alert {
    let expiring = row.is_expiring(today, thresholds);
    let low = row.is_low(today, thresholds);
    if expiring || low {
        Alert::RunningOut { expiring, low }
    } else {
        Alert::None
    }
}

/// Returns the status in words, with a symbol so that it reads without colour: "⚠ expiring, low".
pub fn status_text(
    catalog: &Catalog,
    row: &CardRow,
    today: NaiveDate,
    thresholds: &Thresholds,
) -> String {
    if let Alert::RunningOut { expiring, low } = alert(row, today, thresholds) {
        let words = match (expiring, low) {
            (true, true) => catalog.t("cards.alert_both"),
            (true, false) => catalog.t("cards.alert_expiring"),
            _ => catalog.t("cards.alert_low"),
        };
        return format!("⚠ {words}");
    }
    let (symbol, key) = match row.status(today) {
        CardStatus::Active => ("●", "members.status_active"),
        CardStatus::UsedUp => ("○", "members.status_used_up"),
        CardStatus::Expired => ("✗", "members.status_expired"),
        CardStatus::Cancelled => ("–", "members.status_cancelled"),
    };
    format!("{symbol} {}", catalog.t(key))
}

/// Returns the text of one cell, as on screen.
pub fn cell(catalog: &Catalog, view: &View, row: &CardRow, column: Column) -> String {
    let overview = view.overview;
    match column {
        Column::Owner => overview.owner(row).name(),
        Column::CardType => overview.product(row).name.clone(),
        Column::Audience => overview.product(row).audience.clone(),
        Column::SoldOn => catalog.date(row.sold_on),
        Column::ExpiresOn => expiry_text(catalog, row, view.today),
        Column::SessionsLeft => left_text(row),
        Column::LastUse => last_use_text(catalog, row),
        Column::Status => status_text(catalog, row, view.today, view.thresholds),
    }
}

/// Starts a CSV file as Excel opens it in the catalog's language: a byte-order mark, then `;`
/// between fields in French (where `,` is the decimal mark) and `,` in English.
fn csv_writer<W: Write>(mut out: W, language: Language) -> std::io::Result<csv::Writer<W>> {
    out.write_all(UTF8_BOM)?;
    let delimiter = match language {
        Language::Fr => b';',
        Language::En => b',',
    };
    Ok(csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(out))
}

/// Writes cents as a spreadsheet reads them in the language: "1234,50" or "1234.50".
fn amount_cell(language: Language, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (units, fraction) = ((cents / 100).unsigned_abs(), (cents % 100).unsigned_abs());
    match language {
        Language::Fr => format!("{sign}{units},{fraction:02}"),
        Language::En => format!("{sign}{units}.{fraction:02}"),
    }
}

/// Writes the view as CSV: the member code and the columns on screen, then the expiry in
/// days, the sessions left and in total as numbers, and the value of the sessions left, so
/// that a spreadsheet can sort and add them.
pub fn write_view_csv<W: Write>(out: W, catalog: &Catalog, view: &View) -> std::io::Result<()> {
    let language = catalog.language;
    let mut writer = csv_writer(out, language)?;
    let mut header = vec![catalog.t("inform.col_code").to_owned()];
    header.extend(
        Column::ALL
            .iter()
            .map(|&column| catalog.t(column_key(column)).to_owned()),
    );
    header.extend(
        [
            "cards.csv_days_left",
            "cards.csv_sessions_left",
            "cards.csv_sessions_total",
            "cards.csv_value",
        ]
        .map(|key| catalog.t(key).to_owned()),
    );
    writer.write_record(&header)?;
    for row in view.rows() {
        let mut record = vec![view.overview.owner(row).code.to_owned()];
        record.extend(Column::ALL.iter().map(|&column| match column {
            // Spaces keep a spreadsheet from reading "4/10" as the 4th of October.
            Column::SessionsLeft => format!("{} / {}", row.remaining, row.total),
            _ => cell(catalog, view, row, column),
        }));
        record.push(
            row.days_to_expiry(view.today)
                .map(|days| days.to_string())
                .unwrap_or_default(),
        );
        record.push(row.remaining.to_string());
        record.push(row.total.to_string());
        record.push(amount_cell(language, row.remaining_value_cents()));
        writer.write_record(&record)?;
    }
    writer.flush()
}

/// One card of the view in JSON, with stable English names and ISO dates for scripts.
#[derive(serde::Serialize)]
struct ViewRecord<'a> {
    code: &'a str,
    owner: String,
    card_type: &'a str,
    audience: &'a str,
    sold_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    days_to_expiry: Option<i64>,
    sessions_left: u32,
    sessions_total: u32,
    last_use: Option<NaiveDate>,
    status: &'static str,
    expiring: bool,
    low: bool,
    value_cents: i64,
}

/// Writes the view as one JSON array, in the order shown.
pub fn write_view_json<W: Write>(mut out: W, view: &View) -> std::io::Result<()> {
    let records: Vec<ViewRecord> = view
        .rows()
        .map(|row| {
            let owner = view.overview.owner(row);
            let product = view.overview.product(row);
            ViewRecord {
                code: owner.code,
                owner: owner.name(),
                card_type: &product.name,
                audience: &product.audience,
                sold_on: row.sold_on,
                expires_on: row.expires_on,
                days_to_expiry: row.days_to_expiry(view.today),
                sessions_left: row.remaining,
                sessions_total: row.total,
                last_use: row.last_use,
                status: match row.status(view.today) {
                    CardStatus::Active => "active",
                    CardStatus::UsedUp => "used-up",
                    CardStatus::Expired => "expired",
                    CardStatus::Cancelled => "cancelled",
                },
                expiring: row.is_expiring(view.today, view.thresholds),
                low: row.is_low(view.today, view.thresholds),
                value_cents: row.remaining_value_cents(),
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut out, &records).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// "3 sessions left" or "expires on 12/03/2027".
pub fn reason_text(catalog: &Catalog, reason: Reason) -> String {
    match reason {
        Reason::SessionsLeft { left: 0, .. } => catalog.t("inform.reason_none_left").to_owned(),
        Reason::SessionsLeft { left: 1, .. } => catalog.t("inform.reason_one_left").to_owned(),
        Reason::SessionsLeft { left, .. } => catalog.tf("inform.reason_left", &[("left", &left)]),
        Reason::ExpiresOn { on, .. } => {
            catalog.tf("inform.reason_expires", &[("date", &catalog.date(on))])
        }
    }
}

/// Joins the reasons of one member: "2 sessions left; expires on 12/03/2027".
pub fn reasons_text(catalog: &Catalog, reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|&reason| reason_text(catalog, reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Writes the members to inform as CSV for a mail merge.
pub fn write_inform_csv<W: Write>(
    out: W,
    catalog: &Catalog,
    overview: &Overview,
    list: &[ToInform],
) -> std::io::Result<()> {
    let mut writer = csv_writer(out, catalog.language)?;
    writer.write_record(
        [
            "inform.col_code",
            "inform.col_first_name",
            "inform.col_last_name",
            "inform.col_email",
            "inform.col_phone",
            "inform.col_language",
            "inform.col_reason",
        ]
        .map(|key| catalog.t(key)),
    )?;
    for entry in list {
        let owner = overview.owners.get(entry.owner as usize);
        writer.write_record([
            owner.code.to_owned(),
            owner.first_name.to_owned(),
            owner.last_name.to_owned(),
            owner.email.unwrap_or_default().to_owned(),
            owner.phone.unwrap_or_default().to_owned(),
            owner
                .language
                .map(|language| language.code().to_owned())
                .unwrap_or_default(),
            reasons_text(catalog, &entry.reasons),
        ])?;
    }
    writer.flush()
}

/// An e-mail template: a subject line, then the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("the template {path} cannot be read: {source}")]
    Template {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the template {path} must start with a line \"Subject: …\"")]
    NoSubject { path: PathBuf },
    #[error("no sender address: set from = \"club@example.fr\" under [inform] in config.toml")]
    NoSender,
    #[error(
        "the sender address {address:?} under [inform] in config.toml is not an e-mail address"
    )]
    BadSender { address: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Template {
    /// Reads the club's template for `language` from `folder`, or the shipped one.
    pub fn load(folder: Option<&Path>, language: Language) -> Result<Template, EmailError> {
        let file_name = match language {
            Language::Fr => "inform.fr.txt",
            Language::En => "inform.en.txt",
        };
        let (text, path) = match folder {
            Some(folder) => {
                let path = folder.join(file_name);
                let text =
                    std::fs::read_to_string(&path).map_err(|source| EmailError::Template {
                        path: path.clone(),
                        source,
                    })?;
                (text, path)
            }
            None => {
                let shipped = match language {
                    Language::Fr => TEMPLATE_FR,
                    Language::En => TEMPLATE_EN,
                };
                (
                    shipped.to_owned(),
                    Path::new("assets/email").join(file_name),
                )
            }
        };
        Template::parse(&text).ok_or(EmailError::NoSubject { path })
    }

    pub fn parse(text: &str) -> Option<Template> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (first, body) = text.split_once('\n').unwrap_or((text, ""));
        let subject = first.trim().strip_prefix("Subject:")?.trim().to_owned();
        Some(Template {
            subject,
            body: body.trim_start_matches(['\r', '\n']).to_owned(),
        })
    }

    /// Replaces `{first_name}`, `{last_name}`, `{club}` and `{reasons}`.
    pub fn fill(&self, values: &[(&str, &str)]) -> Template {
        let fill = |text: &str| {
            values.iter().fold(text.to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
        };
        Template {
            subject: fill(&self.subject),
            body: fill(&self.body),
        }
    }
}

/// The outcome of writing the e-mails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailsWritten {
    pub written: usize,
    /// Members on the list without an e-mail address, to call instead.
    pub without_email: Vec<String>,
    pub folder: PathBuf,
}

/// The settings the e-mails need besides the list.
pub struct EmailSettings<'a> {
    pub from: &'a str,
    pub club_name: &'a str,
    pub templates: Option<&'a Path>,
    /// The language of members whose own language staff did not set.
    pub language: Language,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Writes one ready-to-send `.eml` file per member with an e-mail address into `folder`.
pub fn write_emails(
    folder: &Path,
    overview: &Overview,
    list: &[ToInform],
    settings: &EmailSettings,
) -> Result<EmailsWritten, EmailError> {
    use lettre::message::header::{ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0};
    use lettre::message::{Mailbox, Message};

    if settings.from.trim().is_empty() {
        return Err(EmailError::NoSender);
    }
    let from: Mailbox = settings.from.parse().map_err(|_| EmailError::BadSender {
        address: settings.from.to_owned(),
    })?;
    // The templates of the languages needed are read first, so that a missing one stops
    // before any file is written.
    let language_of = |entry: &ToInform| {
        overview
            .owners
            .get(entry.owner as usize)
            .language
            .unwrap_or(settings.language)
    };
    let mut templates: Vec<(Language, Template, Catalog)> = Vec::new();
    for language in list.iter().map(language_of) {
        if !templates.iter().any(|(known, _, _)| *known == language) {
            let template = Template::load(settings.templates, language)?;
            templates.push((language, template, Catalog::new(language)));
        }
    }
    crate::print::create_private_folder(folder).map_err(|source| EmailError::Write {
        path: folder.to_owned(),
        source,
    })?;

    let mut report = EmailsWritten {
        folder: folder.to_owned(),
        ..EmailsWritten::default()
    };
    for entry in list {
        let owner = overview.owners.get(entry.owner as usize);
        let to = owner
            .email
            .and_then(|address| address.parse::<lettre::Address>().ok());
        let Some(to) = to else {
            report.without_email.push(owner.name());
            continue;
        };
        let language = language_of(entry);
        let Some((_, template, catalog)) =
            templates.iter().find(|(known, _, _)| *known == language)
        else {
            continue;
        };
        let reasons = reasons_text(catalog, &entry.reasons);
        let filled = template.fill(&[
            ("first_name", owner.first_name),
            ("last_name", owner.last_name),
            ("club", settings.club_name),
            ("reasons", &reasons),
        ]);
        let message = Message::builder()
            .from(from.clone())
            .to(Mailbox::new(Some(owner.name()), to))
            .subject(filled.subject)
            .date(settings.now.into())
            .header(MIME_VERSION_1_0)
            // Mail programs such as Outlook open a message marked unsent as a draft to send.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("X-Unsent"),
                "1".to_owned(),
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(filled.body);
        let message = match message {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(%error, member = owner.member_id.0, "e-mail not built");
                report.without_email.push(owner.name());
                continue;
            }
        };
        let path = folder.join(format!("{}.eml", owner.code));
        crate::print::write_private_file(&path, &message.formatted())
            .map_err(|source| EmailError::Write { path, source })?;
        report.written += 1;
    }
    Ok(report)
}

/// Returns a file name for an export made now: `cards-2026-12-04-153000.csv`.
pub fn export_file_name(stem: &str, now: chrono::DateTime<chrono_tz::Tz>) -> String {
    format!("{stem}-{}.csv", now.format("%Y-%m-%d-%H%M%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_need_a_subject_line() {
        let template =
            Template::parse("Subject: Hello {first_name}\n\nDear {first_name},\n").expect("parsed");
        assert_eq!(template.subject, "Hello {first_name}");
        let filled = template.fill(&[("first_name", "Zoé")]);
        assert_eq!(filled.subject, "Hello Zoé");
        assert_eq!(filled.body, "Dear Zoé,\n");
        assert_eq!(Template::parse("Hello\n"), None);
    }

    #[test]
    fn shipped_templates_parse_and_use_known_placeholders() {
        for language in [Language::Fr, Language::En] {
            let template = Template::load(None, language).expect("shipped template");
            let filled = template.fill(&[
                ("first_name", "A"),
                ("last_name", "B"),
                ("club", "C"),
                ("reasons", "D"),
            ]);
            for text in [&filled.subject, &filled.body] {
                assert!(!text.contains('{'), "{language:?}: {text}");
            }
        }
    }

    #[test]
    fn amounts_use_the_language_decimal_mark() {
        assert_eq!(amount_cell(Language::Fr, 123_450), "1234,50");
        assert_eq!(amount_cell(Language::En, 5), "0.05");
        assert_eq!(amount_cell(Language::En, -1_005), "-10.05");
    }
}
