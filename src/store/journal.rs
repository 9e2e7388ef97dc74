//! An append-only journal that makes each write durable against a power cut.
//!
//! sled 0.34's `flush()` on Linux ends in `sync_file_range`, which leaves data in the drive's
//! write cache. Rather than paying for a sled flush plus an fsync of its files on every check-in,
//! each write appends the values it wrote to this file and calls `fdatasync`. On open, the
//! journal is replayed into sled. The values are after-images, so replaying twice is harmless.
//! A checkpoint flushes sled, fsyncs its files and empties the journal.
//!
//! Frame: length (u32 LE) | CRC-32 of the payload (u32 LE) | payload (codec-encoded writes).
//! A frame cut short by a crash fails its length or CRC and ends the replay; it was never
//! acknowledged to anyone.
//!
//! The file is kept filled with zeros beyond its last frame, so a frame is written over space
//! written before. `fdatasync` then has no new file size to record, which saves a metadata
//! write per check-in (the floor bench's a′ against a). A zero length ends the frames, and
//! emptying the journal writes zeros over its frames.

use super::codec;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

/// One key written by a transaction: its tree number, key, and new value (`None`: removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalWrite {
    pub tree: u8,
    // serde_bytes writes the same bytes as a sequence of u8 would (a length, then the bytes),
    // in one copy instead of one call per byte: a check-in's frame holds a 1 KB ledger block.
    #[serde(with = "serde_bytes")]
    pub key: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub value: Option<Vec<u8>>,
}

/// Largest frame accepted on replay; a longer length field means a torn or foreign frame.
const MAX_FRAME_BYTES: u32 = 64 * 1024 * 1024;

/// Zeros kept ready for frames: 2,000 check-ins (one checkpoint's worth) take about 4 MB.
const PREPARED_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug)]
pub struct Journal {
    file: File,
    records: usize,
    /// Offset of the next frame: the end of the last one.
    end: u64,
    /// Bytes of the file, all zeros from `end` on.
    capacity: u64,
}

impl Journal {
    /// Opens or creates the journal, returning it with the committed transactions it holds.
    pub fn open(path: &Path) -> io::Result<(Journal, Vec<Vec<JournalWrite>>)> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;

        let (transactions, valid_len) = read_frames(&bytes);
        let rest = &bytes[valid_len..];
        let clean_end = rest.iter().all(|&byte| byte == 0);
        // A zero length after the frames marks the end, and what follows it is left from an
        // emptying that a crash interrupted: those frames were already in sled's files.
        let ends_at_zero_length = rest.get(..4) == Some(&[0u8; 4][..]);
        if !clean_end && !ends_at_zero_length && followed_by_valid_frame(&bytes, valid_len) {
            // A torn write only cuts the end. A bad frame with good ones after it means the
            // file was damaged, and dropping it would lose acknowledged writes.
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("journal frame at byte {valid_len} is damaged and later frames are intact"),
            ));
        }
        let mut journal = Journal {
            file,
            records: transactions.len(),
            end: valid_len as u64,
            capacity: bytes.len() as u64,
        };
        if !clean_end {
            tracing::warn!(
                dropped_bytes = rest.len(),
                "journal ends with an incomplete frame or an interrupted emptying; dropping it"
            );
            journal.write_zeros(journal.end, journal.capacity)?;
            journal.file.sync_data()?;
        }
        journal.prepare(PREPARED_BYTES)?;
        Ok((journal, transactions))
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

        let frame_end = self.end + frame.len() as u64;
        if frame_end > self.capacity {
            self.prepare(frame_end.saturating_sub(self.end).max(PREPARED_BYTES))?;
        }
        let written = self
            .file
            .write_all_at(&frame, self.end)
            .and_then(|()| self.file.sync_data());
        if let Err(error) = written {
            // The caller reports the write as failed, so no part of it may be replayed: zero
            // what reached the file. The next frame goes to the same place.
            if let Err(cleanup) = self.write_zeros(self.end, frame_end) {
                tracing::error!(%cleanup, "zeroing a failed journal frame failed too");
            }
            return Err(error);
        }
        self.end = frame_end;
        self.records += 1;
        Ok(())
    }

    /// Empties the journal once everything in it is durable in sled's own files.
    ///
    /// The first frame's length is zeroed and synced first, which empties the journal at once
    /// for a replay. Only then are the other frames zeroed: if they were zeroed from the start
    /// and a crash came halfway, the frames left would be replayed over newer values.
    pub fn reset(&mut self) -> io::Result<()> {
        if self.end > 0 {
            self.write_zeros(0, self.end.min(8))?;
            self.file.sync_data()?;
        }
        if self.capacity > 4 * PREPARED_BYTES {
            // A large import grew the file; give the space back.
            self.file.set_len(PREPARED_BYTES)?;
            self.capacity = PREPARED_BYTES;
            self.end = self.end.min(self.capacity);
        }
        self.write_zeros(0, self.end)?;
        self.file.sync_all()?;
        self.end = 0;
        self.records = 0;
        Ok(())
    }

    pub fn records(&self) -> usize {
        self.records
    }

    /// Makes sure `bytes` bytes of zeros follow the last frame, writing them (not just
    /// setting the length, which leaves holes that cost a metadata write when first filled).
    fn prepare(&mut self, bytes: u64) -> io::Result<()> {
        let target = self.end + bytes;
        if target <= self.capacity {
            return Ok(());
        }
        // Zeros that reach the file before a failure (a full disk) read as the end marker.
        self.write_zeros(self.capacity, target)?;
        self.file.sync_all()?;
        self.capacity = target;
        Ok(())
    }

    fn write_zeros(&self, from: u64, to: u64) -> io::Result<()> {
        const CHUNK: usize = 64 * 1024;
        let zeros = [0u8; CHUNK];
        let mut at = from;
        while at < to {
            let length = usize::try_from(to - at).map_or(CHUNK, |left| left.min(CHUNK));
            self.file.write_all_at(&zeros[..length], at)?;
            at += length as u64;
        }
        Ok(())
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
        // Zero length: the prepared space after the last frame.
        if length == 0 || length > MAX_FRAME_BYTES {
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

    /// Journals written before the fields were marked `serde_bytes` encoded them as
    /// sequences of u8; both encodings must be the same bytes, so those journals still replay.
    #[test]
    fn byte_fields_encode_as_sequences_did() {
        #[derive(Serialize)]
        struct AsSequences {
            tree: u8,
            key: Vec<u8>,
            value: Option<Vec<u8>>,
        }
        let long: Vec<u8> = (0..=255).cycle().take(1_000).collect();
        for (key, value) in [
            (b"k".to_vec(), Some(long.clone())),
            (long.clone(), None),
            (Vec::new(), Some(Vec::new())),
        ] {
            let old = codec::encode(&vec![AsSequences {
                tree: 4,
                key: key.clone(),
                value: value.clone(),
            }]);
            let new = vec![JournalWrite {
                tree: 4,
                key,
                value,
            }];
            assert_eq!(codec::encode(&new), old);
            assert_eq!(codec::decode::<Vec<JournalWrite>>(&old).unwrap(), new);
        }
    }

    /// Bytes a frame of `writes` takes in the file.
    fn frame_len(writes: &[JournalWrite]) -> usize {
        8 + codec::encode(&writes).len()
    }

    #[test]
    fn torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let first = [write(1, b"a", Some(b"1"))];
        let second = [write(1, b"b", Some(b"2"))];
        let (mut journal, _) = Journal::open(&path).unwrap();
        journal.append(&first).unwrap();
        journal.append(&second).unwrap();
        drop(journal);
        // The end of the second frame never reached the disk.
        let end = frame_len(&first) + frame_len(&second);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[end - 3..end].fill(0xaa);
        std::fs::write(&path, bytes).unwrap();

        let (mut journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.len(), 1);
        journal.append(&[write(1, b"c", Some(b"3"))]).unwrap();
        drop(journal);
        let (_, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.len(), 2);
        assert_eq!(replay[1][0].key, b"c");
    }

    #[test]
    fn frames_are_written_over_prepared_zeros() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let (mut journal, _) = Journal::open(&path).unwrap();
        let prepared = std::fs::metadata(&path).unwrap().len();
        assert_eq!(prepared, PREPARED_BYTES);
        for round in 0..100u8 {
            journal.append(&[write(1, &[round], Some(b"1"))]).unwrap();
        }
        assert_eq!(std::fs::metadata(&path).unwrap().len(), prepared);

        // A frame larger than what is left makes room for itself.
        let large = [write(2, b"big", Some(&vec![7u8; 5 * 1024 * 1024]))];
        journal.append(&large).unwrap();
        drop(journal);
        let (mut journal, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay.len(), 101);
        assert_eq!(replay[100], large);

        journal.reset().unwrap();
        drop(journal);
        assert!(std::fs::metadata(&path).unwrap().len() <= 4 * prepared);
        let (_, replay) = Journal::open(&path).unwrap();
        assert!(replay.is_empty());
    }

    #[test]
    fn interrupted_emptying_replays_nothing_old() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let (mut journal, _) = Journal::open(&path).unwrap();
        let old = [write(1, b"a", Some(b"old"))];
        for _ in 0..3 {
            journal.append(&old).unwrap();
        }
        drop(journal);
        // A crash came after `reset` zeroed the first length, before it zeroed the rest.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[..8].fill(0);
        std::fs::write(&path, bytes).unwrap();

        let (mut journal, replay) = Journal::open(&path).unwrap();
        assert!(replay.is_empty());
        // A new frame exactly as long as an old one must not make the old ones reachable.
        let new = [write(1, b"a", Some(b"new"))];
        assert_eq!(frame_len(&new), frame_len(&old));
        journal.append(&new).unwrap();
        drop(journal);
        let (_, replay) = Journal::open(&path).unwrap();
        assert_eq!(replay, vec![new.to_vec()]);
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
        let only = [write(1, b"a", Some(b"1"))];
        journal.append(&only).unwrap();
        drop(journal);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = frame_len(&only) - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
        let (_, replay) = Journal::open(&path).unwrap();
        assert!(replay.is_empty());
    }
}
