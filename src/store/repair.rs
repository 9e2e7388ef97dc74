//! `carnet check --repair`: rewrites what can be derived from the ledger and the base
//! records (card balances and index entries) in one transaction, and reports each change.

use super::keys::{TreeName, id_key};
use super::tx::abort;
use super::verify::IntegrityProblem;
use super::{BalanceMismatch, Store, StoreError};
use crate::domain::card::Card;

/// One change made by [`Store::repair`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// A card's stored balance set to the one its ledger events add up to.
    Balance(BalanceMismatch),
    /// A missing index entry written, a stale one removed, or a wrong value corrected.
    Index(IntegrityProblem),
}

/// What [`Store::repair`] did and what it left as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairReport {
    pub repaired: Vec<Repair>,
    /// Problems no base record can settle: events of a card that does not exist, a negative
    /// balance, invalid or duplicate member codes.
    pub left: Vec<Repair>,
}

impl Store {
    /// Repairs card balances and indexes from the ledger and the base records.
    ///
    /// The problems are found before the transaction starts and fixed inside it; the writer
    /// lock is not held in between, so run this while no other Carnet writes to the database
    /// (it is opened by one process at a time, so the command line always is).
    pub fn repair(&self) -> Result<RepairReport, StoreError> {
        let mut report = RepairReport::default();
        for mismatch in self.verify_balances()? {
            let fixable = mismatch.member_id.0 != 0 && u32::try_from(mismatch.from_ledger).is_ok();
            if fixable {
                report.repaired.push(Repair::Balance(mismatch));
            } else {
                report.left.push(Repair::Balance(mismatch));
            }
        }
        let (expected, code_problems) = self.expected_indexes()?;
        report
            .left
            .extend(code_problems.into_iter().map(Repair::Index));
        for (tree, entries) in &expected.entries {
            for problem in self.compare_index(*tree, entries)? {
                report.repaired.push(Repair::Index(problem));
            }
        }
        if report.repaired.is_empty() {
            return Ok(report);
        }

        let expected_value = |tree: TreeName, key: &[u8]| -> Option<Vec<u8>> {
            let (_, entries) = expected.entries.iter().find(|(name, _)| *name == tree)?;
            let index = entries
                .binary_search_by(|(candidate, _)| candidate.as_slice().cmp(key))
                .ok()?;
            Some(entries[index].1.clone())
        };
        self.write(|tx| {
            for repair in &report.repaired {
                match repair {
                    Repair::Balance(mismatch) => {
                        let key = id_key(mismatch.card_id.0);
                        let mut card: Card = tx.get(TreeName::Cards, &key)?.ok_or_else(|| {
                            abort(StoreError::NotFound {
                                what: format!("card {}", mismatch.card_id.0),
                            })
                        })?;
                        // `fixable` above checked that the balance fits.
                        card.sessions_remaining =
                            u32::try_from(mismatch.from_ledger).unwrap_or_default();
                        tx.put(TreeName::Cards, &key, &card)?;
                    }
                    Repair::Index(IntegrityProblem::StaleEntry { tree, key }) => {
                        tx.remove(*tree, key)?;
                    }
                    Repair::Index(
                        IntegrityProblem::MissingEntry { tree, key }
                        | IntegrityProblem::WrongValue { tree, key },
                    ) => {
                        let value = expected_value(*tree, key).unwrap_or_default();
                        tx.put_raw(*tree, key, value)?;
                    }
                    Repair::Index(_) => {}
                }
            }
            Ok(())
        })?;
        tracing::info!(changes = report.repaired.len(), "database repaired");
        Ok(report)
    }
}
