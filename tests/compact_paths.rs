//! `carnet compact` on a database reached through a symbolic link: the folder the link points
//! to is the one rewritten, and the link stays a link. Exchanging the link itself would leave
//! two databases, one at each path.

use carnet::store::{Store, StoreOptions, compact_database};
use chrono::{TimeZone, Utc};

#[test]
fn compact_through_symlink_keeps_link() {
    let folder = tempfile::tempdir().unwrap();
    let real = folder.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let database = real.join("club");
    drop(Store::open(&database, StoreOptions::default()).unwrap());
    let link = folder.path().join("club-link");
    std::os::unix::fs::symlink(&database, &link).unwrap();

    let now = Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap();
    compact_database(&link, StoreOptions::default(), now).expect("compaction");

    let link_type = std::fs::symlink_metadata(&link).unwrap().file_type();
    assert!(
        link_type.is_symlink(),
        "the symbolic link was replaced by a folder"
    );
    assert!(
        database.join("db").is_file(),
        "the real folder lost its database"
    );
}

#[test]
fn compact_removes_what_a_killed_compaction_left() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("club");
    drop(Store::open(&database, StoreOptions::default()).unwrap());
    let leftover = folder.path().join(".club.compacting");
    std::fs::create_dir_all(leftover.join("db")).unwrap();
    std::fs::write(leftover.join("backup"), b"half a backup").unwrap();

    let now = Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap();
    compact_database(&database, StoreOptions::default(), now).expect("compaction");
    let names: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["club"]);
}
