//! `carnet compact` on a database reached through a symbolic link.
//!
//! FAILS TODAY: `compact_database` exchanges the link itself with the rewritten folder, so the
//! link becomes a plain folder that contains the new database and the folder it pointed to keeps the
//! old one. Later writes through each path then go to two different databases.

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
