//! `carnet export all --out DIR`: every record of the database as JSON, which
//! `carnet import-all DIR` reads back into an empty database, plus CSV files of each kind for
//! spreadsheets.
//!
//! Folder layout:
//!
//! | file                     | content                                                  |
//! |--------------------------|----------------------------------------------------------|
//! | `manifest.json`          | [`ExportManifest`]: format name and version, sequences    |
//! | `records/<kind>.json`    | one JSON array of Carnet's records, field for field       |
//! | `csv/<kind>.csv`         | the same rows as `carnet export <kind> --format csv`      |
//!
//! The record files use the field names and shapes of Carnet's stored types: ledger times are
//! microseconds since 1970 and expiry changes are day numbers, as in the database.

use super::Format;
use super::export::{ExportError, ExportKind};
use super::files::{create_private_dir, create_private_file};
use crate::domain::audit::AuditEvent;
use crate::domain::inform::Contact;
use crate::domain::{Activity, Card, CardType, Member, MemberCode};
use crate::store::keys::{TreeName, meta};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Name in every full export's manifest, so another JSON folder is not mistaken for one.
pub const EXPORT_FORMAT_NAME: &str = "carnet-export";
/// Version of the folder layout and record shapes this build writes and reads.
pub const EXPORT_VERSION: u32 = 1;

pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportManifest {
    pub format: String,
    pub version: u32,
    pub database_format: u32,
    pub exported_at: DateTime<Utc>,
    pub sequences: Sequences,
    pub demo_codes: Vec<(String, MemberCode)>,
    pub counts: Counts,
}

/// The last id handed out of each kind, so an imported database never reuses an id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequences {
    pub member: u64,
    pub card_type: u64,
    pub activity: u64,
    pub card: u64,
    pub event: u64,
    pub audit: u64,
    /// Absent from exports written before contacts existed.
    #[serde(default)]
    pub contact: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub members: u64,
    pub card_types: u64,
    pub activities: u64,
    pub cards: u64,
    pub ledger_events: u64,
    pub audit_events: u64,
    /// Absent from exports written before contacts existed.
    #[serde(default)]
    pub contacts: u64,
    /// Absent from exports written before member languages existed.
    #[serde(default)]
    pub member_languages: u64,
}

/// A member's language, as `records/member_languages.json` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberLanguage {
    pub member_id: u64,
    pub language: crate::i18n::Language,
}

impl Sequences {
    /// Pairs each sequence kept in the `meta` tree with its key. Event ids have no record
    /// there since database format 4: the next one follows the newest event.
    pub fn keyed(&self) -> [(&'static [u8], u64); 6] {
        [
            (meta::SEQ_MEMBER, self.member),
            (meta::SEQ_CARD_TYPE, self.card_type),
            (meta::SEQ_ACTIVITY, self.activity),
            (meta::SEQ_CARD, self.card),
            (meta::SEQ_AUDIT, self.audit),
            (meta::SEQ_CONTACT, self.contact),
        ]
    }
}

/// Writes the full export into `folder`, created for the owner only if missing. Each card's
/// last use is left out: `import-all` derives it from the ledger.
pub fn write_all(
    store: &Store,
    folder: &Path,
    now: DateTime<Utc>,
) -> Result<ExportManifest, ExportError> {
    create_private_dir(folder)?;
    create_private_dir(&folder.join("records"))?;
    create_private_dir(&folder.join("csv"))?;

    let counts = Counts {
        members: write_records::<Member>(store, folder, "members", TreeName::Members)?,
        card_types: write_records::<CardType>(store, folder, "card_types", TreeName::CardTypes)?,
        activities: write_records::<Activity>(store, folder, "activities", TreeName::Activities)?,
        cards: write_records::<Card>(store, folder, "cards", TreeName::Cards)?,
        ledger_events: write_json_array(folder, "ledger", store.ledger())?,
        audit_events: write_records::<AuditEvent>(store, folder, "audit", TreeName::Audit)?,
        contacts: write_records::<Contact>(store, folder, "contacts", TreeName::Contacts)?,
        member_languages: write_member_languages(store, folder)?,
    };
    let csv_kinds = [
        (ExportKind::Members, "members"),
        (ExportKind::CardTypes, "card-types"),
        (ExportKind::Cards, "cards"),
        (ExportKind::Ledger, "ledger"),
        (ExportKind::Payments, "payments"),
    ];
    for (kind, name) in csv_kinds {
        let path = folder.join("csv").join(format!("{name}.csv"));
        let mut out = BufWriter::new(create_private_file(&path)?);
        super::export::write(store, kind, Format::Csv, &mut out)?;
        finish(out)?;
    }

    let sequence = |key: &[u8]| -> Result<u64, StoreError> {
        Ok(store.read::<u64>(TreeName::Meta, key)?.unwrap_or(0))
    };
    let manifest = ExportManifest {
        format: EXPORT_FORMAT_NAME.to_owned(),
        version: EXPORT_VERSION,
        database_format: crate::store::DATABASE_FORMAT,
        exported_at: now,
        sequences: Sequences {
            member: sequence(meta::SEQ_MEMBER)?,
            card_type: sequence(meta::SEQ_CARD_TYPE)?,
            activity: sequence(meta::SEQ_ACTIVITY)?,
            card: sequence(meta::SEQ_CARD)?,
            // Event ids have no sequence record since format 4: the newest event is the last.
            event: store.last_event_id()?,
            audit: sequence(meta::SEQ_AUDIT)?,
            contact: sequence(meta::SEQ_CONTACT)?,
        },
        demo_codes: store.demo_codes()?,
        counts,
    };
    // The manifest comes last: a folder without one is an export that did not finish.
    let mut out = BufWriter::new(create_private_file(&folder.join(MANIFEST_FILE))?);
    serde_json::to_writer_pretty(&mut out, &manifest)?;
    out.write_all(b"\n")?;
    finish(out)?;
    Ok(manifest)
}

/// Writes every record of `tree` as one JSON array, a record a line; returns how many.
fn write_records<T: Serialize + serde::de::DeserializeOwned>(
    store: &Store,
    folder: &Path,
    name: &str,
    tree: TreeName,
) -> Result<u64, ExportError> {
    write_json_array(folder, name, store.read_all::<T>(tree))
}

/// Writes `records/NAME.json`, a JSON array of `records`, and returns how many it holds.
fn write_json_array<T: Serialize>(
    folder: &Path,
    name: &str,
    records: impl Iterator<Item = Result<T, StoreError>>,
) -> Result<u64, ExportError> {
    let path = folder.join("records").join(format!("{name}.json"));
    let mut out = BufWriter::new(create_private_file(&path)?);
    let mut count = 0u64;
    out.write_all(b"[")?;
    for record in records {
        if count > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut out, &record?)?;
        count += 1;
    }
    out.write_all(b"\n]\n")?;
    finish(out)?;
    Ok(count)
}

/// Writes `records/member_languages.json`: the member id is the key of the stored
/// preference, so it is written beside the language.
fn write_member_languages(store: &Store, folder: &Path) -> Result<u64, ExportError> {
    let mut languages: Vec<MemberLanguage> = store
        .member_languages()?
        .into_iter()
        .map(|(member, language)| MemberLanguage {
            member_id: member.0,
            language,
        })
        .collect();
    languages.sort_by_key(|entry| entry.member_id);
    let path = folder.join("records").join("member_languages.json");
    let mut out = BufWriter::new(create_private_file(&path)?);
    serde_json::to_writer(&mut out, &languages)?;
    out.write_all(b"\n")?;
    finish(out)?;
    Ok(languages.len() as u64)
}

fn finish(out: BufWriter<std::fs::File>) -> Result<(), ExportError> {
    let file = out.into_inner().map_err(|error| error.into_error())?;
    file.sync_all()?;
    Ok(())
}
