//! The key layout, documented once.
//!
//! | tree           | key                                   | value                     |
//! |----------------|---------------------------------------|---------------------------|
//! | `meta`         | `format`, `seq:<kind>`, `demo_codes`  | codec value               |
//! | `members`      | member id (u64 big-endian)            | `Member`                  |
//! | `member_codes` | member code, upper-case UTF-8         | `MemberId`                |
//! | `card_types`   | card type id (u64 BE)                 | `CardType`                |
//! | `activities`   | activity id (u64 BE)                  | `Activity`                |
//! | `cards`        | card id (u64 BE)                      | `Card`                    |
//! | `member_cards` | member id (u64 BE)                    | `Vec<CardId>`, in order   |
//! | `ledger_blocks`| event id / 32 (u64 BE)                | events, see `ledger`      |
//! | `card_event_ids`| card id (u64 BE)                     | `Vec<EventId>`, in order  |
//! | `reversals`    | id of a reverted check-in event (u64) | id of the reversal event  |
//! | `type_cards`   | card type id (u64 BE) ++ card id      | empty (index)             |
//! | `audit`        | audit event id (u64 BE)               | `AuditEvent`              |
//! | `contacts`     | member id (u64 BE) ++ contact id      | `Contact`                 |
//! | `card_last_use`| card id (u64 BE)                      | `LastUse`                 |
//! | `member_prefs` | member id (u64 BE)                    | `MemberPrefs`             |
//!
//! Big-endian ids make sled's byte order the numeric order, so the ledger iterates oldest
//! first and a prefix scan of `type_cards` lists one card type's cards.
//!
//! Formats 1 and 2 kept one `ledger` record per event (key: event id) and one `card_events`
//! index entry per event (key: card id ++ event id). Opening such a database moves them into
//! the two trees above and empties the old ones, which keep their numbers so that a journal
//! written by those formats still replays into them. Formats 1 to 3 kept one `member_cards`
//! index entry per card (key: member id ++ card id, empty value). Format 4 turns them into
//! one list per member in the same tree, because a check-in reads it and one read costs less
//! than a scan. The tree keeps its number: a format-3 Carnet replays a format-4 journal
//! before it reads the format, and a tree number it does not know would make it call the
//! database damaged instead of newer.

/// Every tree, in a fixed order: the position is the tree's number in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TreeName {
    Meta = 0,
    Members = 1,
    MemberCodes = 2,
    CardTypes = 3,
    Activities = 4,
    Cards = 5,
    MemberCards = 6,
    /// Format 2 and earlier: one record per event. Empty once the database is upgraded.
    LegacyLedger = 7,
    /// Format 2 and earlier: one index entry per event. Empty once upgraded.
    LegacyCardEvents = 8,
    Reversals = 9,
    TypeCards = 10,
    Audit = 11,
    Contacts = 12,
    CardLastUse = 13,
    MemberPrefs = 14,
    LedgerBlocks = 15,
    CardEventIds = 16,
}

impl TreeName {
    pub const ALL: [TreeName; 17] = [
        TreeName::Meta,
        TreeName::Members,
        TreeName::MemberCodes,
        TreeName::CardTypes,
        TreeName::Activities,
        TreeName::Cards,
        TreeName::MemberCards,
        TreeName::LegacyLedger,
        TreeName::LegacyCardEvents,
        TreeName::Reversals,
        TreeName::TypeCards,
        TreeName::Audit,
        TreeName::Contacts,
        TreeName::CardLastUse,
        TreeName::MemberPrefs,
        TreeName::LedgerBlocks,
        TreeName::CardEventIds,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TreeName::Meta => "meta",
            TreeName::Members => "members",
            TreeName::MemberCodes => "member_codes",
            TreeName::CardTypes => "card_types",
            TreeName::Activities => "activities",
            TreeName::Cards => "cards",
            TreeName::MemberCards => "member_cards",
            TreeName::LegacyLedger => "ledger",
            TreeName::LegacyCardEvents => "card_events",
            TreeName::Reversals => "reversals",
            TreeName::TypeCards => "type_cards",
            TreeName::Audit => "audit",
            TreeName::Contacts => "contacts",
            TreeName::CardLastUse => "card_last_use",
            TreeName::MemberPrefs => "member_prefs",
            TreeName::LedgerBlocks => "ledger_blocks",
            TreeName::CardEventIds => "card_event_ids",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(index: u8) -> Option<TreeName> {
        TreeName::ALL.get(usize::from(index)).copied()
    }
}

/// Keys in the `meta` tree.
pub mod meta {
    pub const FORMAT: &[u8] = b"format";
    pub const DEMO_CODES: &[u8] = b"demo_codes";
    pub const SEQ_MEMBER: &[u8] = b"seq:member";
    pub const SEQ_CARD_TYPE: &[u8] = b"seq:card_type";
    pub const SEQ_ACTIVITY: &[u8] = b"seq:activity";
    pub const SEQ_CARD: &[u8] = b"seq:card";
    /// Formats 3 and earlier: the last ledger event id. Removed by the upgrade to format 4,
    /// where the next id follows the newest event in `ledger_blocks`.
    pub const LEGACY_SEQ_EVENT: &[u8] = b"seq:event";
    /// Present while the upgrade to format 4 has yet to remove the per-card entries of
    /// `member_cards`, which formats 1 to 3 wrote.
    pub const MEMBER_CARD_PAIRS_LEFT: &[u8] = b"upgrade:member_card_pairs";
    pub const SEQ_AUDIT: &[u8] = b"seq:audit";
    pub const SEQ_CONTACT: &[u8] = b"seq:contact";
}

pub fn id_key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub fn pair_key(first: u64, second: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&first.to_be_bytes());
    key[8..].copy_from_slice(&second.to_be_bytes());
    key
}

/// Reads the second id of a [`pair_key`]; `None` for a key of another length.
pub fn second_of_pair(key: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = key.get(8..16)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

pub fn id_of_key(key: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = key.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}
