//! `carnet members export-data` and `carnet members erase`: a member's request to see their
//! data, and to have it erased.

use super::export::{
    CardRow, LedgerRow, MemberRow, PaymentRow, card_row, emit, ledger_row, member_row, payment_row,
};
use super::files::{create_private_dir, create_private_file};
use super::{Format, UserError, out};
use crate::domain::{Member, MemberCode};
use crate::i18n::Catalog;
use crate::messages;
use crate::store::{Store, StoreError, WriteContext};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Format name written in every member data file, identifying its content.
pub const MEMBER_DATA_FORMAT: &str = "carnet-member-data";
pub const MEMBER_DATA_VERSION: u32 = 1;

/// One check-in of the member, and whether it was undone.
#[derive(Serialize)]
struct AttendanceRow {
    event_id: u64,
    at: String,
    card_id: u64,
    card_name: String,
    activity_id: Option<u64>,
    undone: bool,
}

/// A contact in which staff informed the member about their cards.
#[derive(Serialize)]
struct ContactRow {
    contact_id: u64,
    at: String,
    operator: String,
    channel: &'static str,
    note: String,
}

/// Everything Carnet stores about one member.
#[derive(Serialize)]
struct MemberData {
    format: &'static str,
    version: u32,
    exported_at: String,
    profile: MemberRow,
    /// The language the member reads e-mails in, when staff set one: `fr` or `en`.
    language: Option<&'static str>,
    cards: Vec<CardRow>,
    payments: Vec<PaymentRow>,
    attendance: Vec<AttendanceRow>,
    /// Every ledger event of the member's cards: sales, check-ins, changes, payments.
    ledger: Vec<LedgerRow>,
    /// Contacts in which staff informed the member about their cards (Practice › Session cards).
    contacts: Vec<ContactRow>,
}

/// Reads a member by code, or explains that no member has it.
fn member_of_code(store: &Store, catalog: &Catalog, code: &str) -> Result<Member, UserError> {
    let unknown = || UserError(catalog.tf("data.unknown_member", &[("code", &code)]));
    let parsed = MemberCode::parse(code).ok_or_else(unknown)?;
    store
        .member_by_code(&parsed)
        .map_err(|error| UserError(messages::store_error(catalog, &error)))?
        .ok_or_else(unknown)
}

/// Writes `CODE.json` and `CODE-{profile,cards,payments,attendance,ledger,contacts}.csv` into
/// `folder`.
pub fn export_data(
    store: &Store,
    catalog: &Catalog,
    code: &str,
    folder: &Path,
    now: DateTime<Utc>,
) -> Result<ExitCode, UserError> {
    let member = member_of_code(store, catalog, code)?;
    let data = collect(store, &member, now)
        .map_err(|error| UserError(messages::store_error(catalog, &error)))?;
    let written = write_files(folder, member.code.as_str(), &data).map_err(|(path, error)| {
        UserError(catalog.tf(
            "data.write_failed",
            &[("path", &path.display()), ("detail", &error)],
        ))
    })?;
    for path in written {
        out!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn collect(store: &Store, member: &Member, now: DateTime<Utc>) -> Result<MemberData, StoreError> {
    let cards = store.cards_of_member(member.id)?;
    let mut events = Vec::new();
    for card in &cards {
        events.extend(store.events_of_card(card.id)?);
    }
    events.sort_by_key(|event| event.id);
    let mut attendance = Vec::new();
    for (event, card_name, undone) in store.check_ins_of_member(member.id)? {
        let activity_id = match event.kind {
            crate::domain::EventKind::SessionUsed { activity, .. } => activity.map(|id| id.0),
            _ => None,
        };
        attendance.push(AttendanceRow {
            event_id: event.id.0,
            at: event.at.to_rfc3339(),
            card_id: event.card_id.0,
            card_name,
            activity_id,
            undone,
        });
    }
    let contacts = store
        .contacts_of_member(member.id)?
        .into_iter()
        .map(|contact| ContactRow {
            contact_id: contact.id.0,
            at: contact.at.to_rfc3339(),
            operator: contact.operator,
            channel: contact.channel.name(),
            note: contact.note,
        })
        .collect();
    let language = store.member_language(member.id)?.map(|l| l.code());
    Ok(MemberData {
        language,
        contacts,
        format: MEMBER_DATA_FORMAT,
        version: MEMBER_DATA_VERSION,
        exported_at: now.to_rfc3339(),
        profile: member_row(member.clone()),
        cards: cards.into_iter().map(card_row).collect(),
        payments: events.iter().cloned().filter_map(payment_row).collect(),
        attendance,
        ledger: events.into_iter().map(ledger_row).collect(),
    })
}

type WriteFailure = (PathBuf, Box<dyn std::error::Error>);

/// Writes one CSV table of the member's data.
type TableWriter<'a> = &'a dyn Fn(&mut dyn Write) -> Result<(), super::export::ExportError>;

fn write_files(folder: &Path, code: &str, data: &MemberData) -> Result<Vec<PathBuf>, WriteFailure> {
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |error: Box<dyn std::error::Error>| (path, error)
    };
    create_private_dir(folder).map_err(|error| failed(folder)(error.into()))?;
    let mut written = Vec::new();

    let json_path = folder.join(format!("{code}.json"));
    let result: Result<(), Box<dyn std::error::Error>> = (|| {
        let mut file = BufWriter::new(create_private_file(&json_path)?);
        serde_json::to_writer_pretty(&mut file, data)?;
        file.write_all(b"\n")?;
        file.into_inner()?.sync_all()?;
        Ok(())
    })();
    result.map_err(failed(&json_path))?;
    written.push(json_path);

    let tables: [(&str, TableWriter); 6] = [
        ("profile", &|out| {
            emit(std::iter::once(Ok(&data.profile)), Format::Csv, out)
        }),
        ("cards", &|out| {
            emit(data.cards.iter().map(Ok), Format::Csv, out)
        }),
        ("payments", &|out| {
            emit(data.payments.iter().map(Ok), Format::Csv, out)
        }),
        ("attendance", &|out| {
            emit(data.attendance.iter().map(Ok), Format::Csv, out)
        }),
        ("ledger", &|out| {
            emit(data.ledger.iter().map(Ok), Format::Csv, out)
        }),
        ("contacts", &|out| {
            emit(data.contacts.iter().map(Ok), Format::Csv, out)
        }),
    ];
    for (name, write_table) in tables {
        let path = folder.join(format!("{code}-{name}.csv"));
        let result: Result<(), Box<dyn std::error::Error>> = (|| {
            let mut file = BufWriter::new(create_private_file(&path)?);
            write_table(&mut file)?;
            file.into_inner()?.sync_all()?;
            Ok(())
        })();
        result.map_err(failed(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// Erases the member's personal details when `confirmed` (`--yes`). Without it, returns an
/// error that describes the erasure and asks for `--yes`.
pub fn erase(
    store: &Store,
    catalog: &Catalog,
    code: &str,
    confirmed: bool,
    context: &WriteContext,
) -> Result<ExitCode, UserError> {
    let member = member_of_code(store, catalog, code)?;
    if !confirmed {
        return Err(UserError(catalog.tf(
            "data.erase_confirm_cli",
            &[("name", &member.full_name()), ("code", &member.code)],
        )));
    }
    let erased = store
        .erase_member(member.id, context)
        .map_err(|error| UserError(messages::store_error(catalog, &error)))?;
    out!(
        "{}",
        catalog.tf(
            "data.erased",
            &[("code", &member.code), ("label", &erased.full_name())]
        )
    );
    Ok(ExitCode::SUCCESS)
}
