//! `carnet check`: every card's balance recomputed from the ledger, every index compared
//! with the records it is derived from, and member codes checked.

use super::keys::{TreeName, id_key, pair_key};
use super::{Store, StoreError, codec};
use crate::domain::MemberCode;
use crate::domain::audit::{AuditChange, AuditEvent};
use crate::domain::card::CardId;
use crate::domain::ledger::{EventId, EventKind};
use crate::domain::member::MemberId;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A card whose stored balance differs from what its ledger events add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceMismatch {
    pub card_id: CardId,
    pub member_id: MemberId,
    pub stored: i64,
    pub from_ledger: i64,
}

/// Every card's balance recomputed from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceCheck {
    pub mismatches: Vec<BalanceMismatch>,
    /// Ledger events read. An imported ledger may skip ids, so this can differ from the
    /// newest event's id.
    pub events: u64,
}

impl Store {
    /// Recomputes every card's balance from the ledger and lists each difference.
    pub fn verify_balances(&self) -> Result<Vec<BalanceMismatch>, StoreError> {
        Ok(self.check_balances()?.mismatches)
    }

    /// Recomputes every card's balance from the ledger, and counts the events read.
    pub fn check_balances(&self) -> Result<BalanceCheck, StoreError> {
        let mut from_ledger: HashMap<CardId, i64> = HashMap::new();
        let mut events = 0;
        for event in self.ledger() {
            let event = event?;
            *from_ledger.entry(event.card_id).or_default() += event.session_delta();
            events += 1;
        }

        let mut mismatches = Vec::new();
        for card in self.cards() {
            let card = card?;
            let computed = from_ledger.remove(&card.id).unwrap_or(0);
            let stored = i64::from(card.sessions_remaining);
            if stored != computed {
                mismatches.push(BalanceMismatch {
                    card_id: card.id,
                    member_id: card.member_id,
                    stored,
                    from_ledger: computed,
                });
            }
        }
        // Events about cards that do not exist are differences too: a stored balance of zero.
        for (card_id, computed) in from_ledger {
            mismatches.push(BalanceMismatch {
                card_id,
                member_id: MemberId(0),
                stored: 0,
                from_ledger: computed,
            });
        }
        mismatches.sort_by_key(|mismatch| mismatch.card_id);
        Ok(BalanceCheck { mismatches, events })
    }
}

/// An index entry or a member code that disagrees with the records it is derived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrityProblem {
    /// A base record implies this index entry, and the index lacks it.
    MissingEntry { tree: TreeName, key: Vec<u8> },
    /// An index entry that no base record implies.
    StaleEntry { tree: TreeName, key: Vec<u8> },
    /// An index entry whose value differs from the one its base record implies.
    WrongValue { tree: TreeName, key: Vec<u8> },
    /// A code of the shape Carnet generates whose check digit is wrong, or that is not in its
    /// stored form (trimmed, upper case).
    InvalidCode { member_id: MemberId, code: String },
    /// Two members share a code; only one of them can be found by a scan.
    DuplicateCode {
        code: String,
        first: MemberId,
        second: MemberId,
    },
}

impl IntegrityProblem {
    /// Tells whether `carnet check --repair` can fix it from the records it is derived from.
    pub fn is_repairable(&self) -> bool {
        matches!(
            self,
            IntegrityProblem::MissingEntry { .. }
                | IntegrityProblem::StaleEntry { .. }
                | IntegrityProblem::WrongValue { .. }
        )
    }
}

/// An index entry as stored: key and value bytes.
pub(crate) type IndexEntry = (Vec<u8>, Vec<u8>);

/// The index entries the base trees imply, each list sorted by key.
pub(crate) struct ExpectedIndexes {
    pub entries: Vec<(TreeName, Vec<IndexEntry>)>,
}

impl Store {
    /// Compares every index with the records it is derived from, and checks member codes.
    pub fn verify_indexes(&self) -> Result<Vec<IntegrityProblem>, StoreError> {
        let (expected, mut problems) = self.expected_indexes()?;
        for (tree, entries) in &expected.entries {
            problems.extend(self.compare_index(*tree, entries)?);
        }
        Ok(problems)
    }

    /// Builds the expected content of each index, and lists the code problems found on the way.
    pub(crate) fn expected_indexes(
        &self,
    ) -> Result<(ExpectedIndexes, Vec<IntegrityProblem>), StoreError> {
        let erased = self.erased_members()?;
        let mut problems = Vec::new();
        let mut codes: HashMap<String, MemberId> = HashMap::new();
        let mut member_codes = Vec::new();
        for member in self.members() {
            let member = member?;
            let code = member.code.as_str().to_owned();
            let normal = MemberCode::parse(&code).is_some_and(|parsed| parsed.as_str() == code);
            if !normal || member.code.has_bad_check_digit() {
                problems.push(IntegrityProblem::InvalidCode {
                    member_id: member.id,
                    code: code.clone(),
                });
            }
            if erased.contains(&member.id) {
                continue;
            }
            if let Some(first) = codes.insert(code.clone(), member.id) {
                problems.push(IntegrityProblem::DuplicateCode {
                    code: code.clone(),
                    first,
                    second: member.id,
                });
                // The index can point to one member only: keep the first one's entry.
                codes.insert(code, first);
                continue;
            }
            member_codes.push((code.into_bytes(), codec::encode(&member.id)));
        }

        let mut cards_by_member: BTreeMap<u64, Vec<CardId>> = BTreeMap::new();
        let mut type_cards = Vec::new();
        for card in self.cards() {
            let card = card?;
            // Cards come in id order, so each list is oldest first, as sales append them.
            cards_by_member
                .entry(card.member_id.0)
                .or_default()
                .push(card.id);
            type_cards.push((pair_key(card.type_id.0, card.id.0).to_vec(), Vec::new()));
        }
        let member_cards = cards_by_member
            .into_iter()
            .map(|(member, ids)| (id_key(member).to_vec(), codec::encode(&ids)))
            .collect();
        let mut card_events: BTreeMap<u64, Vec<EventId>> = BTreeMap::new();
        let mut reversals = Vec::new();
        for event in self.ledger() {
            let event = event?;
            card_events
                .entry(event.card_id.0)
                .or_default()
                .push(event.id);
            if let EventKind::SessionReverted { reverted } = event.kind {
                reversals.push((id_key(reverted.0).to_vec(), codec::encode(&event.id)));
            }
        }
        let card_event_ids = card_events
            .into_iter()
            .map(|(card, ids)| (id_key(card).to_vec(), codec::encode(&ids)))
            .collect();
        let mut entries = vec![
            (TreeName::MemberCodes, member_codes),
            (TreeName::MemberCards, member_cards),
            (TreeName::TypeCards, type_cards),
            (TreeName::CardEventIds, card_event_ids),
            (TreeName::Reversals, reversals),
        ];
        for (_, list) in &mut entries {
            list.sort();
            // A check-in reverted twice would give two entries; the index keeps the first.
            list.dedup_by(|later, earlier| later.0 == earlier.0);
        }
        Ok((ExpectedIndexes { entries }, problems))
    }

    /// Walks an index and its expected entries side by side, both in key order.
    pub(crate) fn compare_index(
        &self,
        tree: TreeName,
        expected: &[IndexEntry],
    ) -> Result<Vec<IntegrityProblem>, StoreError> {
        let mut problems = Vec::new();
        let mut wanted = expected.iter().peekable();
        for entry in self.tree(tree).iter() {
            let (key, value) = entry.map_err(|error| self.sled_error(error))?;
            while let Some((missing, _)) = wanted.next_if(|(next, _)| next.as_slice() < &*key) {
                problems.push(IntegrityProblem::MissingEntry {
                    tree,
                    key: missing.clone(),
                });
            }
            match wanted.next_if(|(next, _)| next.as_slice() == &*key) {
                Some((_, wanted_value)) if wanted_value.as_slice() != &*value => {
                    problems.push(IntegrityProblem::WrongValue {
                        tree,
                        key: key.to_vec(),
                    });
                }
                Some(_) => {}
                None => problems.push(IntegrityProblem::StaleEntry {
                    tree,
                    key: key.to_vec(),
                }),
            }
        }
        problems.extend(wanted.map(|(key, _)| IntegrityProblem::MissingEntry {
            tree,
            key: key.clone(),
        }));
        Ok(problems)
    }

    /// Returns the ids of members whose personal details were erased, from the audit trail.
    pub fn erased_members(&self) -> Result<HashSet<MemberId>, StoreError> {
        let mut erased = HashSet::new();
        for event in self.read_all::<AuditEvent>(TreeName::Audit) {
            if let AuditChange::MemberErased { id } = event?.change {
                erased.insert(id);
            }
        }
        Ok(erased)
    }
}

impl Store {
    /// Decodes every record of every tree of records, and returns the first one that
    /// does not decode, as the error reading it gives. A database that passes opens and shows
    /// every screen.
    pub fn verify_records(&self) -> Result<(), StoreError> {
        use crate::domain::inform::Contact;
        use crate::domain::{Activity, Card, CardType, Member};

        fn all<T: serde::de::DeserializeOwned>(
            store: &Store,
            tree: TreeName,
        ) -> Result<(), StoreError> {
            store
                .read_all::<T>(tree)
                .try_for_each(|record| record.map(drop))
        }
        all::<Member>(self, TreeName::Members)?;
        all::<MemberId>(self, TreeName::MemberCodes)?;
        all::<CardType>(self, TreeName::CardTypes)?;
        all::<Activity>(self, TreeName::Activities)?;
        all::<Card>(self, TreeName::Cards)?;
        self.ledger().try_for_each(|event| event.map(drop))?;
        all::<Vec<crate::domain::EventId>>(self, TreeName::CardEventIds)?;
        all::<crate::domain::EventId>(self, TreeName::Reversals)?;
        all::<AuditEvent>(self, TreeName::Audit)?;
        all::<Contact>(self, TreeName::Contacts)?;
        all::<super::LastUse>(self, TreeName::CardLastUse)?;
        all::<super::MemberPrefs>(self, TreeName::MemberPrefs)?;
        self.verify_meta()
    }

    /// Checks the settings records: a format this build reads, and every id sequence at or
    /// above the last id in use, so that the next record never overwrites an existing one.
    fn verify_meta(&self) -> Result<(), StoreError> {
        use super::keys::meta;

        let damaged = |detail: String| StoreError::Corrupted {
            path: self.path.clone(),
            detail,
        };
        let format: Option<u32> = self.read(TreeName::Meta, meta::FORMAT)?;
        match format {
            Some(found) if found <= super::DATABASE_FORMAT => {}
            Some(found) => return Err(damaged(format!("the format record says {found}"))),
            None => return Err(damaged("the format record is missing".to_owned())),
        }
        let sequences = [
            (meta::SEQ_MEMBER, self.try_last_id(TreeName::Members)?),
            (meta::SEQ_CARD_TYPE, self.try_last_id(TreeName::CardTypes)?),
            (meta::SEQ_ACTIVITY, self.try_last_id(TreeName::Activities)?),
            (meta::SEQ_CARD, self.try_last_id(TreeName::Cards)?),
            (meta::SEQ_AUDIT, self.try_last_id(TreeName::Audit)?),
        ];
        for (sequence, last) in sequences {
            let next: u64 = self.read(TreeName::Meta, sequence)?.unwrap_or(0);
            if next < last {
                let name = String::from_utf8_lossy(sequence);
                return Err(damaged(format!(
                    "the sequence {name} is at {next}, below the last id {last}"
                )));
            }
        }
        Ok(())
    }
}
