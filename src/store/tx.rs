//! The write path: one writer at a time, a body that reads and stages writes, a journal
//! append made durable, and only then the writes applied to sled.
//!
//! sled 0.34's own transactions write and `sync_file_range` two log buffers on every commit,
//! from its background threads, and that I/O queued behind or ahead of the journal's
//! `fdatasync` on the same disk cost a check-in about 0.4 ms. The journal gives what the
//! transaction gave: the writer lock makes bodies run one after the other, and a write that
//! was journaled but not fully applied (a crash) is applied again from the journal on open.
//! A change that fails to reach the journal (a full disk) reaches the database neither.
//!
//! Bodies stay pure: they read and write through [`TxView`] and leave logs, bells and screens
//! to the caller, which runs them once the write is durable.

use super::journal::JournalWrite;
use super::keys::TreeName;
use super::{CHECKPOINT_EVERY, Store, StoreError, codec};
use crate::domain::ledger::EventId;
use serde::{Serialize, de::DeserializeOwned};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

pub(crate) type TxResult<T> = Result<T, StoreError>;

/// The position in [`TxView::writes`] of each written key's latest write, by tree and key.
type Staged = HashMap<(TreeName, Vec<u8>), usize>;

/// The reads and staged writes of one body. A read returns the body's own earlier writes.
pub(crate) struct TxView<'a> {
    store: &'a Store,
    staged: RefCell<Staged>,
    /// The writes in order, as the journal records them.
    writes: RefCell<Vec<JournalWrite>>,
    /// The id of the newest event this body appended.
    ledger_tail: Cell<Option<u64>>,
}

impl<'a> TxView<'a> {
    fn new(store: &'a Store) -> Self {
        TxView {
            store,
            staged: RefCell::new(HashMap::new()),
            writes: RefCell::new(Vec::new()),
            ledger_tail: Cell::new(None),
        }
    }

    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// Returns the newest event id: this body's last append, or the one the last write
    /// remembered. It is a guess until checked against the ledger (see `ledger::next_slot`).
    pub fn ledger_tail(&self) -> Option<u64> {
        self.ledger_tail.get().or_else(|| self.store.ledger_tail())
    }

    pub fn set_ledger_tail(&self, id: EventId) {
        self.ledger_tail.set(Some(id.0));
    }
}

impl TxView<'_> {
    pub fn get<T: DeserializeOwned>(&self, tree: TreeName, key: &[u8]) -> TxResult<Option<T>> {
        match self.get_raw(tree, key)? {
            None => Ok(None),
            Some(bytes) => codec::decode(&bytes)
                .map(Some)
                .map_err(|source| StoreError::record(tree, key, source)),
        }
    }

    /// Reads a value's bytes without decoding them.
    pub fn get_raw(&self, tree: TreeName, key: &[u8]) -> TxResult<Option<Vec<u8>>> {
        if let Some(&index) = self.staged.borrow().get(&(tree, key.to_vec())) {
            return Ok(self.writes.borrow()[index].value.clone());
        }
        let stored = self
            .store
            .tree(tree)
            .get(key)
            .map_err(|error| self.store.sled_error(error))?;
        Ok(stored.map(|bytes| bytes.to_vec()))
    }

    pub fn put<T: Serialize>(&self, tree: TreeName, key: &[u8], value: &T) -> TxResult<()> {
        self.put_raw(tree, key, codec::encode(value))
    }

    /// Writes an index entry, whose key is all the information it carries.
    pub fn put_index(&self, tree: TreeName, key: &[u8]) -> TxResult<()> {
        self.put_raw(tree, key, Vec::new())
    }

    pub(crate) fn put_raw(&self, tree: TreeName, key: &[u8], value: Vec<u8>) -> TxResult<()> {
        self.stage(tree, key, Some(value));
        Ok(())
    }

    /// Removes a key, recording the removal for the journal.
    pub fn remove(&self, tree: TreeName, key: &[u8]) -> TxResult<()> {
        self.stage(tree, key, None);
        Ok(())
    }

    fn stage(&self, tree: TreeName, key: &[u8], value: Option<Vec<u8>>) {
        let mut writes = self.writes.borrow_mut();
        self.staged
            .borrow_mut()
            .insert((tree, key.to_vec()), writes.len());
        writes.push(JournalWrite {
            tree: tree as u8,
            key: key.to_vec(),
            value,
        });
    }

    /// Takes the next number of the named sequence in the `meta` tree (starting at 1).
    pub fn next_id(&self, sequence: &[u8]) -> TxResult<u64> {
        let next = self.get::<u64>(TreeName::Meta, sequence)?.unwrap_or(0) + 1;
        self.put(TreeName::Meta, sequence, &next)?;
        Ok(next)
    }
}

/// Ends a body with `error`; nothing it staged is written.
pub(crate) fn abort(error: StoreError) -> StoreError {
    error
}

impl Store {
    /// Runs `body` with the writer lock held, journals what it wrote and waits for the journal
    /// to reach stable storage, then applies the writes to sled. Only then is the result
    /// returned.
    pub(crate) fn write<T>(&self, body: impl Fn(&TxView) -> TxResult<T>) -> Result<T, StoreError> {
        // The writer lock also orders journal frames as the writes are applied.
        let mut journal = self.lock_writer();
        let view = TxView::new(self);
        let value = body(&view)?;
        let appended = view.ledger_tail.get();
        let writes = view.writes.into_inner();
        if writes.is_empty() {
            return Ok(value);
        }

        journal
            .append(&writes)
            .map_err(|error| self.io_error(error))?;
        // NOTE: readers on other threads (the Reports worker) can see these writes applied
        // one tree at a time for the few microseconds this loop takes. A sled storage error
        // here leaves the change in the journal only; it is applied on the next open.
        for write in &writes {
            self.apply_write(write)?;
        }
        if let Some(id) = appended {
            self.remember_ledger_tail(id);
        }

        self.bump_generation();
        if journal.records() >= CHECKPOINT_EVERY {
            self.checkpoint_locked(&mut journal)?;
        }
        Ok(value)
    }

    /// Applies one journaled write to its tree, as a write and as a journal replay do.
    pub(crate) fn apply_write(&self, write: &JournalWrite) -> Result<(), StoreError> {
        let Some(tree) = TreeName::from_index(write.tree) else {
            return Err(StoreError::Corrupted {
                path: self.path.clone(),
                detail: format!("journal names unknown tree {}", write.tree),
            });
        };
        let result = match &write.value {
            Some(value) => self
                .tree(tree)
                .insert(&write.key, value.as_slice())
                .map(drop),
            None => self.tree(tree).remove(&write.key).map(drop),
        };
        result.map_err(|error| self.sled_error(error))
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
