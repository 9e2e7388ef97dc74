//! A journal append that fails part-way (a full disk) must not leave its partial frame in the
//! file: the next successful append would land after it, and on the next open the journal
//! would read as damaged, so the database would not open.
//!
//! The short write is produced with RLIMIT_FSIZE: the kernel writes up to the limit, and the
//! next write fails with EFBIG instead of killing the process, because SIGXFSZ has a handler.
//! This file contains a single test because the limit applies to the whole process.

use carnet::store::journal::{Journal, JournalWrite};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn write(key: &[u8], value_len: usize) -> JournalWrite {
    JournalWrite {
        tree: 1,
        key: key.to_vec(),
        value: Some(vec![7; value_len]),
    }
}

/// Sets this process's soft limit on file size with util-linux `prlimit`.
fn set_file_size_limit(soft: &str) {
    let status = Command::new("prlimit")
        .arg("--pid")
        .arg(std::process::id().to_string())
        .arg(format!("--fsize={soft}:"))
        .status()
        .expect("prlimit (util-linux) runs");
    assert!(status.success(), "prlimit --fsize={soft}: failed");
}

#[test]
fn failed_append_keeps_journal_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    let received = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGXFSZ, received).unwrap();

    let (mut journal, _) = Journal::open(&path).unwrap();
    journal.append(&[write(b"first", 100)]).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();

    // Room for part of the next frame only, as on a disk that fills up. The journal keeps
    // zeros ready beyond its last frame, so the frame must be larger than those to grow it.
    set_file_size_limit(&(size + 50).to_string());
    let failed = journal.append(&[write(b"lost", size as usize + 400)]);
    set_file_size_limit("unlimited");
    assert!(failed.is_err(), "the append past the limit must fail");

    // Space is back: the next write succeeds and is acknowledged.
    journal.append(&[write(b"third", 100)]).unwrap();
    drop(journal);

    let reopened = Journal::open(&path);
    assert!(
        reopened.is_ok(),
        "journal unreadable after a failed append: {:?}",
        reopened.err()
    );
    let (_, transactions) = reopened.unwrap();
    let keys: Vec<&[u8]> = transactions.iter().map(|t| t[0].key.as_slice()).collect();
    assert_eq!(keys, [b"first".as_slice(), b"third".as_slice()]);
}
