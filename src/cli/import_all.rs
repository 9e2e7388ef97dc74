//! `carnet import-all DIR`: reads a full export (see `export_all`) into an empty database,
//! keeping every id, and rebuilds the indexes from the records.

use super::export_all::{
    EXPORT_FORMAT_NAME, EXPORT_VERSION, ExportManifest, MANIFEST_FILE, MemberLanguage,
};
use crate::domain::audit::{AuditChange, AuditEvent};
use crate::domain::inform::Contact;
use crate::domain::{Activity, Card, CardId, CardType, EventKind, LedgerEvent, Member, MemberId};
use crate::store::keys::{TreeName, id_key, meta, pair_key};
use crate::store::{MemberPrefs, RawLoader, Store, StoreError, codec};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ImportAllError {
    #[error("{path} is not a Carnet full export (no readable manifest.json)")]
    NotAnExport { path: PathBuf },
    #[error(
        "{path} is a full export of version {found}; this build reads version {EXPORT_VERSION}"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("{path} is unreadable: {detail}")]
    Unreadable { path: PathBuf, detail: String },
    #[error("the database is not empty")]
    NotEmpty,
    #[error("{path}: the event id {id} leaves too few ids for the events to come")]
    FewIdsLeft { path: PathBuf, id: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The event ids that an imported ledger must leave free after its newest: 2^32, enough for
/// a check-in every second for 136 years.
pub const IDS_LEFT: u64 = 1 << 32;

/// The records of a full export, read and decoded before anything is written.
struct ExportContent {
    manifest: ExportManifest,
    members: Vec<Member>,
    card_types: Vec<CardType>,
    activities: Vec<Activity>,
    cards: Vec<Card>,
    ledger: Vec<LedgerEvent>,
    audit: Vec<AuditEvent>,
    contacts: Vec<Contact>,
    member_languages: Vec<MemberLanguage>,
}

/// Reads the export in `folder` and writes it into `store`, which must be empty.
pub fn import_all(store: &Store, folder: &Path) -> Result<ExportManifest, ImportAllError> {
    let content = read_export(folder)?;
    let Some(mut loader) = RawLoader::new(store)? else {
        return Err(ImportAllError::NotEmpty);
    };
    let erased: HashSet<MemberId> = content
        .audit
        .iter()
        .filter_map(|event| match event.change {
            AuditChange::MemberErased { id } => Some(id),
            _ => None,
        })
        .collect();

    for member in &content.members {
        loader.put(
            TreeName::Members,
            &id_key(member.id.0),
            codec::encode(member),
        )?;
        if !erased.contains(&member.id) {
            let code = member.code.as_str().as_bytes();
            loader.put(TreeName::MemberCodes, code, codec::encode(&member.id))?;
        }
    }
    for card_type in &content.card_types {
        let key = id_key(card_type.id.0);
        loader.put(TreeName::CardTypes, &key, codec::encode(card_type))?;
    }
    for activity in &content.activities {
        let key = id_key(activity.id.0);
        loader.put(TreeName::Activities, &key, codec::encode(activity))?;
    }
    let mut member_cards: BTreeMap<u64, Vec<CardId>> = BTreeMap::new();
    for card in &content.cards {
        loader.put(TreeName::Cards, &id_key(card.id.0), codec::encode(card))?;
        member_cards
            .entry(card.member_id.0)
            .or_default()
            .push(card.id);
        loader.put(
            TreeName::TypeCards,
            &pair_key(card.type_id.0, card.id.0),
            Vec::new(),
        )?;
    }
    for (member_id, mut card_ids) in member_cards {
        card_ids.sort();
        loader.put(
            TreeName::MemberCards,
            &id_key(member_id),
            codec::encode(&card_ids),
        )?;
    }
    for event in &content.ledger {
        loader.add_event(event)?;
        if let EventKind::SessionReverted { reverted } = event.kind {
            let key = id_key(reverted.0);
            loader.put(TreeName::Reversals, &key, codec::encode(&event.id))?;
        }
    }
    for event in &content.audit {
        loader.put(TreeName::Audit, &id_key(event.id), codec::encode(event))?;
    }
    for contact in &content.contacts {
        let key = pair_key(contact.member_id.0, contact.id.0);
        loader.put(TreeName::Contacts, &key, codec::encode(contact))?;
    }
    for entry in &content.member_languages {
        let prefs = MemberPrefs {
            language: Some(entry.language),
        };
        loader.put(
            TreeName::MemberPrefs,
            &id_key(entry.member_id),
            codec::encode(&prefs),
        )?;
    }
    for (key, value) in sequences_at_least_ids(&content) {
        loader.put(TreeName::Meta, key, codec::encode(&value))?;
    }
    if !content.manifest.demo_codes.is_empty() {
        let codes = codec::encode(&content.manifest.demo_codes);
        loader.put(TreeName::Meta, meta::DEMO_CODES, codes)?;
    }
    loader.finish()?;
    // Each card's last use is derived from the ledger, so the export leaves it out.
    store.rebuild_last_use()?;
    store.checkpoint()?;
    Ok(content.manifest)
}

/// Returns each sequence as exported, raised to the highest id found if a record has more.
fn sequences_at_least_ids(content: &ExportContent) -> Vec<(&'static [u8], u64)> {
    let highest = |ids: &mut dyn Iterator<Item = u64>| ids.max().unwrap_or(0);
    let found = [
        highest(&mut content.members.iter().map(|m| m.id.0)),
        highest(&mut content.card_types.iter().map(|t| t.id.0)),
        highest(&mut content.activities.iter().map(|a| a.id.0)),
        highest(&mut content.cards.iter().map(|c| c.id.0)),
        highest(&mut content.audit.iter().map(|e| e.id)),
        highest(&mut content.contacts.iter().map(|c| c.id.0)),
    ];
    content
        .manifest
        .sequences
        .keyed()
        .into_iter()
        .zip(found)
        .map(|((key, exported), found)| (key, exported.max(found)))
        .filter(|&(_, value)| value > 0)
        .collect()
}

fn read_export(folder: &Path) -> Result<ExportContent, ImportAllError> {
    let manifest_path = folder.join(MANIFEST_FILE);
    let not_an_export = || ImportAllError::NotAnExport {
        path: folder.to_owned(),
    };
    let file = std::fs::File::open(&manifest_path).map_err(|_| not_an_export())?;
    let value: serde_json::Value =
        serde_json::from_reader(BufReader::new(file)).map_err(|_| not_an_export())?;
    if value.get("format").and_then(|f| f.as_str()) != Some(EXPORT_FORMAT_NAME) {
        return Err(not_an_export());
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version > u64::from(EXPORT_VERSION) {
        return Err(ImportAllError::TooNew {
            path: folder.to_owned(),
            found: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    let manifest: ExportManifest =
        serde_json::from_value(value).map_err(|error| ImportAllError::Unreadable {
            path: manifest_path.clone(),
            detail: error.to_string(),
        })?;
    let mut ledger: Vec<LedgerEvent> = read_records(folder, "ledger")?;
    // The ledger is stored in blocks of consecutive ids, filled in id order.
    ledger.sort_by_key(|event| event.id);
    if let Some(pair) = ledger.windows(2).find(|pair| pair[0].id == pair[1].id) {
        return Err(ImportAllError::Unreadable {
            path: folder.join("records").join("ledger.json"),
            detail: format!("the event id {} appears twice", pair[0].id.0),
        });
    }
    // Each event recorded after the import takes the id after the newest, so a ledger that
    // ends near the largest id would stop check-ins once the few ids left are used.
    if let Some(newest) = ledger
        .last()
        .filter(|event| event.id.0 > u64::MAX - IDS_LEFT)
    {
        return Err(ImportAllError::FewIdsLeft {
            path: folder.join("records").join("ledger.json"),
            id: newest.id.0,
        });
    }
    let content = ExportContent {
        members: read_records(folder, "members")?,
        card_types: read_records(folder, "card_types")?,
        activities: read_records(folder, "activities")?,
        cards: read_records(folder, "cards")?,
        ledger,
        audit: read_records(folder, "audit")?,
        // Exports written before contacts existed have no such file.
        contacts: read_optional_records(folder, "contacts")?,
        member_languages: read_optional_records(folder, "member_languages")?,
        manifest,
    };
    check_counts(folder, &content)?;
    Ok(content)
}

/// Rejects record files that hold another number of records than the manifest announces,
/// which means a file was replaced or edited after the export.
fn check_counts(folder: &Path, content: &ExportContent) -> Result<(), ImportAllError> {
    let counts = content.manifest.counts;
    let pairs = [
        ("members", counts.members, content.members.len()),
        ("card_types", counts.card_types, content.card_types.len()),
        ("activities", counts.activities, content.activities.len()),
        ("cards", counts.cards, content.cards.len()),
        ("ledger", counts.ledger_events, content.ledger.len()),
        ("audit", counts.audit_events, content.audit.len()),
        ("contacts", counts.contacts, content.contacts.len()),
        (
            "member_languages",
            counts.member_languages,
            content.member_languages.len(),
        ),
    ];
    for (name, announced, found) in pairs {
        if announced != found as u64 {
            return Err(ImportAllError::Unreadable {
                path: folder.join("records").join(format!("{name}.json")),
                detail: format!(
                    "the manifest announces {announced} records, the file holds {found}"
                ),
            });
        }
    }
    Ok(())
}

/// Reads a record file that exports written by an older Carnet do not have.
fn read_optional_records<T: DeserializeOwned>(
    folder: &Path,
    name: &str,
) -> Result<Vec<T>, ImportAllError> {
    if folder.join("records").join(format!("{name}.json")).exists() {
        read_records(folder, name)
    } else {
        Ok(Vec::new())
    }
}

fn read_records<T: DeserializeOwned>(folder: &Path, name: &str) -> Result<Vec<T>, ImportAllError> {
    let path = folder.join("records").join(format!("{name}.json"));
    let unreadable = |detail: String| ImportAllError::Unreadable {
        path: path.clone(),
        detail,
    };
    let file = std::fs::File::open(&path).map_err(|error| unreadable(error.to_string()))?;
    serde_json::from_reader(BufReader::new(file)).map_err(|error| unreadable(error.to_string()))
}
