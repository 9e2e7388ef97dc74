//! The write path: a sled transaction over every tree that records what it writes, and a
//! journal append made durable before the transaction commits, so a change that fails to reach
//! the journal (a full disk) never reaches the database either.
//!
//! sled may run a transaction closure more than once on conflict, so bodies stay pure: they
//! read and write through [`TxView`] and leave logs, bells and screens to the caller. The
//! journal append inside the closure is the one exception, and it is safe to repeat because
//! replaying after-images twice gives the same state.

use super::journal::JournalWrite;
use super::keys::TreeName;
use super::{CHECKPOINT_EVERY, Store, StoreError, codec};
use serde::{Serialize, de::DeserializeOwned};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use std::cell::RefCell;

pub(crate) type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// Reads and writes inside one transaction, keeping the after-image of every write.
pub(crate) struct TxView<'a> {
    trees: &'a [TransactionalTree],
    writes: RefCell<Vec<JournalWrite>>,
}

impl TxView<'_> {
    pub fn get<T: DeserializeOwned>(&self, tree: TreeName, key: &[u8]) -> TxResult<Option<T>> {
        match self.trees[tree.index()].get(key)? {
            None => Ok(None),
            Some(bytes) => codec::decode(&bytes)
                .map(Some)
                .map_err(|source| abort(StoreError::record(tree, key, source))),
        }
    }

    /// Reads a value's bytes without decoding them.
    pub fn get_raw(&self, tree: TreeName, key: &[u8]) -> TxResult<Option<sled::IVec>> {
        Ok(self.trees[tree.index()].get(key)?)
    }

    pub fn put<T: Serialize>(&self, tree: TreeName, key: &[u8], value: &T) -> TxResult<()> {
        self.put_raw(tree, key, codec::encode(value))
    }

    /// Writes an index entry, whose key is all the information it carries.
    pub fn put_index(&self, tree: TreeName, key: &[u8]) -> TxResult<()> {
        self.put_raw(tree, key, Vec::new())
    }

    pub(crate) fn put_raw(&self, tree: TreeName, key: &[u8], value: Vec<u8>) -> TxResult<()> {
        self.trees[tree.index()].insert(key, value.as_slice())?;
        self.writes.borrow_mut().push(JournalWrite {
            tree: tree as u8,
            key: key.to_vec(),
            value: Some(value),
        });
        Ok(())
    }

    /// Removes a key, recording the removal for the journal.
    pub fn remove(&self, tree: TreeName, key: &[u8]) -> TxResult<()> {
        self.trees[tree.index()].remove(key)?;
        self.writes.borrow_mut().push(JournalWrite {
            tree: tree as u8,
            key: key.to_vec(),
            value: None,
        });
        Ok(())
    }

    /// Takes the next number of the named sequence in the `meta` tree (starting at 1).
    pub fn next_id(&self, sequence: &[u8]) -> TxResult<u64> {
        let next = self.get::<u64>(TreeName::Meta, sequence)?.unwrap_or(0) + 1;
        self.put(TreeName::Meta, sequence, &next)?;
        Ok(next)
    }
}

pub(crate) fn abort(error: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(error)
}

impl Store {
    /// Runs `body` as one transaction over every tree, then journals what it wrote and waits
    /// for the journal to reach stable storage. Only then is the result returned.
    pub(crate) fn write<T>(&self, body: impl Fn(&TxView) -> TxResult<T>) -> Result<T, StoreError> {
        // The writer lock also orders journal frames as the transactions commit.
        let journal = RefCell::new(self.lock_writer());

        let outcome = self.trees.as_slice().transaction(|trees| {
            let view = TxView {
                trees,
                writes: RefCell::new(Vec::new()),
            };
            let value = body(&view)?;
            let writes = view.writes.into_inner();
            if !writes.is_empty() {
                // Durable before commit: if the append fails, the transaction aborts and
                // nothing changes.
                journal
                    .borrow_mut()
                    .append(&writes)
                    .map_err(|error| abort(self.io_error(error)))?;
            }
            Ok(value)
        });
        // NOTE: a sled storage error at commit, after the journal append, leaves the change in
        // the journal only. It is applied when the database is next opened.
        let value = match outcome {
            Ok(value) => value,
            Err(TransactionError::Abort(error)) => return Err(error),
            Err(TransactionError::Storage(error)) => return Err(self.sled_error(error)),
        };

        self.bump_generation();
        let mut journal = journal.into_inner();
        if journal.records() >= CHECKPOINT_EVERY {
            self.checkpoint_locked(&mut journal)?;
        }
        Ok(value)
    }

    /// Reads and decodes one value outside any transaction.
    pub(crate) fn read<T: DeserializeOwned>(
        &self,
        tree: TreeName,
        key: &[u8],
    ) -> Result<Option<T>, StoreError> {
        match self.tree(tree).get(key).map_err(|e| self.sled_error(e))? {
            None => Ok(None),
            Some(bytes) => codec::decode(&bytes)
                .map(Some)
                .map_err(|source| StoreError::record(tree, key, source)),
        }
    }

    /// Decodes every value of a tree, in key order.
    pub(crate) fn read_all<T: DeserializeOwned>(
        &self,
        tree: TreeName,
    ) -> impl Iterator<Item = Result<T, StoreError>> + '_ {
        self.tree(tree).iter().map(move |entry| {
            let (key, bytes) = entry.map_err(|e| self.sled_error(e))?;
            codec::decode(&bytes).map_err(|source| StoreError::record(tree, &key, source))
        })
    }
}
