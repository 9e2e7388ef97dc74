//! An append-only journal that makes each write durable against a power cut.
//!
//! sled 0.34's `flush()` on Linux ends in `sync_file_range`, which leaves data in the drive's
//! write cache. Rather than paying for a sled flush plus an fsync of its files on every check-in,
//! each committed transaction appends the values it wrote to this file and calls `fdatasync`.
//! On open, the journal is replayed into sled. The values are after-images, so replaying twice
//! is harmless. A checkpoint flushes sled, fsyncs its files and empties the journal.
//!
//! Frame: length (u32 LE) | CRC-32 of the payload (u32 LE) | payload (codec-encoded writes).
//! A frame cut short by a crash fails its length or CRC and ends the replay; it was never
//! acknowledged to anyone.

use super::codec;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// One key written by a transaction: its tree number, key, and new value (`None`: removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalWrite {
    pub tree: u8,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// Largest frame accepted on replay; a longer length field means a torn or foreign frame.
const MAX_FRAME_BYTES: u32 = 64 * 1024 * 1024;

#[derive(Debug)]
pub struct Journal {
    file: File,
    records: usize,
}

impl Journal {
    /// Opens or creates the journal, returning it with the committed transactions it holds.
    pub fn open(path: &Path) -> io::Result<(Journal, Vec<Vec<JournalWrite>>)> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;

        let (transactions, valid_len) = read_frames(&bytes);
        if valid_len < bytes.len() && followed_by_valid_frame(&bytes, valid_len) {
            // A torn write only cuts the end. A bad frame with good ones after it means the
            // file was damaged, and truncating would lose acknowledged writes.
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("journal frame at byte {valid_len} is damaged and later frames are intact"),
            ));
        }
        if valid_len < bytes.len() {
            tracing::warn!(
                torn_bytes = bytes.len() - valid_len,
                "journal ends with an incomplete frame; dropping it"
            );
            file.set_len(valid_len as u64)?;
            file.seek(SeekFrom::End(0))?;
            file.sync_all()?;
        }
        let records = transactions.len();
        Ok((Journal { file, records }, transactions))
    }

    /// Appends one committed transaction and waits until it is on stable storage.
    pub fn append(&mut self, writes: &[JournalWrite]) -> io::Result<()> {
        let payload = codec::encode(&writes);
        let length = u32::try_from(payload.len())
            .map_err(|_| io::Error::other("journal frame too large"))?;
        let mut frame = Vec::with_capacity(payload.len() + 8);
        frame.extend_from_slice(&length.to_le_bytes());
        frame.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        frame.extend_from_slice(&payload);
        self.file.write_all(&frame)?;
        self.file.sync_data()?;
        self.records += 1;
        Ok(())
    }

    /// Empties the journal once everything in it is durable in sled's own files.
    pub fn reset(&mut self) -> io::Result<()> {
        self.file.set_len(0)?;
        self.file.sync_all()?;
        self.records = 0;
        Ok(())
    }

    pub fn records(&self) -> usize {
        self.records
    }
}

/// Splits `bytes` into decoded transactions, stopping at the first frame that is cut short or
/// fails its checksum. Returns the transactions and the length of the valid prefix.
fn read_frames(bytes: &[u8]) -> (Vec<Vec<JournalWrite>>, usize) {
    let mut transactions = Vec::new();
    let mut offset = 0;
    while let Some(header) = bytes.get(offset..offset + 8) {
        let length = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let checksum = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if length > MAX_FRAME_BYTES {
            break;
        }
        let start = offset + 8;
        let Some(payload) = bytes.get(start..start + length as usize) else {
            break;
        };
        if crc32fast::hash(payload) != checksum {
            break;
        }
        match codec::decode::<Vec<JournalWrite>>(payload) {
            Ok(writes) => transactions.push(writes),
            Err(error) => {
                tracing::warn!(%error, offset, "journal frame unreadable; stopping replay there");
                break;
            }
        }
        offset = start + length as usize;
    }
    (transactions, offset)
}

/// Tells whether a complete, checksummed frame starts anywhere after the bad frame at `offset`.
fn followed_by_valid_frame(bytes: &[u8], offset: usize) -> bool {
    (offset + 1..bytes.len().saturating_sub(8)).any(|start| {
        let (transactions, _) = read_frames(&bytes[start..]);
        !transactions.is_empty()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(tree: u8, key: &[u8], value: Option<&[u8]>) -> JournalWrite {
        JournalWrite {
            tree,
            key: key.to_vec(),
            value: value.map(<[u8]>::to_vec),
        }
    }

    #[test]
    fn append_then_replay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let (mut journal, replay) = Journal::open(&path).unwrap();
        assert!(replay.is_empty());
        journal.append(&[write(1, b"a", Some(b"1"))]).unwrap();
        journal
            .append(&[write(2, b"b", None), write(3, b"c", Some(b"3"))])
            .unwrap();
        drop(journal);

        let (journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(journal.records(), 2);
        assert_eq!(replay.len(), 2);
        assert_eq!(replay[1][1], write(3, b"c", Some(b"3")));
    }

    #[test]
    fn torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.append(&[write(1, b"a", Some(b"1"))]).unwrap();
        journal.append(&[write(1, b"b", Some(b"2"))]).unwrap();
        drop(journal);
        let full = std::fs::metadata(&path).unwrap().len();
        let file = OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(full - 3).unwrap();
        drop(file);

        let (mut journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.len(), 1);
        journal.append(&[write(1, b"c", Some(b"3"))]).unwrap();
        drop(journal);
        let (_, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.len(), 2);
        assert_eq!(replay[1][0].key, b"c");
    }

    #[test]
    fn damaged_middle_frame_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.append(&[write(1, b"a", Some(b"1"))]).unwrap();
        journal.append(&[write(1, b"b", Some(b"2"))]).unwrap();
        drop(journal);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[10] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn corrupted_frame_stops_replay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.append(&[write(1, b"a", Some(b"1"))]).unwrap();
        drop(journal);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
        let (_, replay) = Journal::open(&path).unwrap();
        assert!(replay.is_empty());
    }
}
