//! Opening databases. A folder that is not ours, a newer format, a database in use and a
//! damaged one are each rejected with a clear error and never replaced by an empty database.
//! The journal is replayed on open.

mod common;

use carnet::domain::member::{Member, MemberId};
use carnet::store::codec;
use carnet::store::journal::{Journal, JournalWrite};
use carnet::store::keys::{TreeName, id_key};
use carnet::store::{Store, StoreError, StoreOptions};
use common::*;

fn try_open(path: &std::path::Path) -> Result<Store, StoreError> {
    Store::open(
        path,
        StoreOptions {
            cache_bytes: 16 << 20,
            ..StoreOptions::default()
        },
    )
}

#[test]
fn new_folder_becomes_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("club").join("db");
    let store = try_open(&path).unwrap();
    assert_eq!(store.member_count(), 0);
    drop(store);
    assert!(try_open(&path).is_ok(), "reopening works");
}

#[test]
fn files_readable_by_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(try_open(&path).unwrap());
    let folder_mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(folder_mode, 0o700);
    drop(try_open(&path).unwrap());
    for entry in std::fs::read_dir(&path).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o077;
        assert_eq!(mode, 0, "{} is readable by others", entry.path().display());
    }
}

#[test]
fn foreign_folder_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a database").unwrap();
    assert!(matches!(
        try_open(dir.path()),
        Err(StoreError::Foreign { .. })
    ));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing was created"
    );

    let file = dir.path().join("notes.txt");
    assert!(matches!(try_open(&file), Err(StoreError::Foreign { .. })));
}

#[test]
fn newer_format_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(try_open(&path).unwrap());
    {
        let db = sled::open(&path).unwrap();
        let meta = db.open_tree("meta").unwrap();
        let newer = carnet::store::DATABASE_FORMAT + 1;
        meta.insert("format", codec::encode(&newer)).unwrap();
        db.flush().unwrap();
    }
    match try_open(&path) {
        Err(StoreError::TooNew {
            found, supported, ..
        }) => {
            assert_eq!(found, carnet::store::DATABASE_FORMAT + 1);
            assert_eq!(supported, carnet::store::DATABASE_FORMAT);
        }
        other => panic!("expected a too-new refusal, got {:?}", other.err()),
    }
}

#[test]
fn sled_database_of_another_app_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = sled::open(&path).unwrap();
        db.open_tree("members")
            .unwrap()
            .insert("someone else's", "data")
            .unwrap();
        db.flush().unwrap();
    }
    assert!(matches!(try_open(&path), Err(StoreError::Foreign { .. })));
}

#[test]
fn lost_format_record_is_damage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(try_open(&path).unwrap());
    {
        let db = sled::open(&path).unwrap();
        db.open_tree("meta").unwrap().remove("format").unwrap();
        db.flush().unwrap();
    }
    assert!(matches!(try_open(&path), Err(StoreError::Corrupted { .. })));
}

#[test]
fn missing_sled_files_are_damage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(try_open(&path).unwrap());
    std::fs::remove_file(path.join("db")).unwrap();
    assert!(matches!(try_open(&path), Err(StoreError::Corrupted { .. })));
}

#[test]
fn second_open_reports_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let _first = try_open(&path).unwrap();
    match try_open(&path) {
        Err(StoreError::InUse { path: reported }) => assert!(reported.ends_with("db")),
        other => panic!("expected in-use, got {:?}", other.err()),
    }
}

#[test]
fn damaged_database_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = try_open(&path).unwrap();
        member_with_code(
            &store,
            "Marie",
            "Dupont",
            "31415926",
            paris(2025, 1, 1, 9, 0, 0),
        );
    }
    let data = path.join("db");
    let mut bytes = std::fs::read(&data).unwrap();
    for byte in bytes.iter_mut().take(4096) {
        *byte = 0xA5;
    }
    std::fs::write(&data, &bytes).unwrap();
    for snapshot in std::fs::read_dir(&path).unwrap() {
        let snapshot = snapshot.unwrap().path();
        if snapshot
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("snap.")
        {
            std::fs::write(&snapshot, b"garbage").unwrap();
        }
    }

    let outcome = std::panic::catch_unwind(|| try_open(&path).map(|store| store.member_count()));
    match outcome {
        Ok(Ok(members)) => assert_eq!(members, 1, "a damaged database must not open empty"),
        Ok(Err(error)) => assert!(!matches!(error, StoreError::InUse { .. }), "{error}"),
        Err(_) => panic!("opening a damaged database panicked"),
    }
}

#[test]
fn journal_is_replayed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let store = try_open(&path).unwrap();
    let member = member_with_code(
        &store,
        "Marie",
        "Dupont",
        "31415926",
        paris(2025, 1, 1, 9, 0, 0),
    );
    drop(store);

    // A write that reached the journal but, as after a power cut, not sled's files.
    let renamed = Member {
        last_name: "Dupont-Durand".to_owned(),
        ..member.clone()
    };
    {
        let (mut journal, pending) = Journal::open(&path.join("journal")).unwrap();
        assert!(pending.is_empty(), "closing checkpoints the journal");
        journal
            .append(&[JournalWrite {
                tree: TreeName::Members as u8,
                key: id_key(member.id.0).to_vec(),
                value: Some(codec::encode(&renamed)),
            }])
            .unwrap();
    }

    let store = try_open(&path).unwrap();
    assert_eq!(
        store
            .member(MemberId(member.id.0))
            .unwrap()
            .unwrap()
            .last_name,
        "Dupont-Durand"
    );
    drop(store);
    let (_, pending) = Journal::open(&path.join("journal")).unwrap();
    assert!(pending.is_empty(), "replay ends in a checkpoint");
}

#[test]
fn missing_database_not_created_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mistyped");
    let options = StoreOptions {
        create: false,
        ..StoreOptions::default()
    };
    assert!(matches!(
        Store::open(&path, options),
        Err(StoreError::Missing { .. })
    ));
    assert!(!path.exists(), "nothing was created");
}

#[test]
fn unfinished_snapshot_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(try_open(&path).unwrap());
    std::fs::write(path.join("snap.00000000000001.generating"), b"half written").unwrap();
    let store = try_open(&path).unwrap();
    drop(store);
    assert!(!path.join("snap.00000000000001.generating").exists());
}

/// A second process must not delete the snapshot that the process holding the database may be
/// writing under the unfinished name.
#[test]
fn snapshot_of_a_running_process_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let running = try_open(&path).unwrap();
    let snapshot = path.join("snap.00000000000001.generating");
    std::fs::write(&snapshot, b"being written").unwrap();
    assert!(matches!(try_open(&path), Err(StoreError::InUse { .. })));
    assert!(snapshot.exists());
    drop(running);
}

/// Checks that opening leaves the target of a symlink in the folder alone. Run as root, a
/// `reports-cache` link to /dev/null turned /dev/null into mode 600.
#[test]
fn symlink_target_mode_unchanged() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(try_open(&path).unwrap());
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "not the club's").unwrap();
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&outside, path.join("reports-cache")).unwrap();

    drop(try_open(&path).unwrap());
    let mode = std::fs::metadata(&outside).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, 0o644,
        "the link's target outside the database was changed"
    );
}

/// Checks that a dangling `reports-cache` symlink, a file the reports rebuild anyway, does not
/// stop the database from opening.
#[test]
fn dangling_symlink_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(try_open(&path).unwrap());
    std::os::unix::fs::symlink(dir.path().join("nowhere"), path.join("reports-cache")).unwrap();

    let opened = try_open(&path);
    assert!(opened.is_ok(), "{:?}", opened.err());
}
