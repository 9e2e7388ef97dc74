//! Reports on two inputs that the 24-byte event facts do not expect: a ledger whose ids run
//! past 4,294,967,295, and a facts cache whose header contains a huge record count. Each
//! report must print, as the format-3 build did, instead of ending the process.

mod common;

use common::assert_ok;

use std::path::Path;
use std::process::Output;

fn carnet(folder: &Path, args: &[&str]) -> Output {
    common::run_carnet(folder, args)
}

fn line_of<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find(|line| line.starts_with(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{text}"))
}

/// A club exported, its event ids moved past u32::MAX, and imported again: the sales report
/// must still print, and count every sale.
#[test]
fn report_on_ids_past_u32() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    let db = root.join("db");
    let db_arg = db.to_str().unwrap();
    assert_ok(&carnet(root, &["--db", db_arg, "demo", "--members", "20"]));
    let period = ["--from", "1970-01-01", "--to", "2100-12-31"];
    let before = carnet(
        root,
        &[&["--db", db_arg, "report", "sales"][..], &period].concat(),
    );
    assert_ok(&before);
    let before = String::from_utf8_lossy(&before.stdout).into_owned();

    let export = root.join("export");
    assert_ok(&carnet(
        root,
        &[
            "--db",
            db_arg,
            "export",
            "all",
            "--out",
            export.to_str().unwrap(),
        ],
    ));
    let ledger_path = export.join("records").join("ledger.json");
    let mut ledger: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ledger_path).unwrap()).unwrap();
    let offset = u64::from(u32::MAX);
    let mut last = 0;
    for event in ledger.as_array_mut().unwrap() {
        let id = event["id"].as_u64().unwrap() + offset;
        event["id"] = id.into();
        if let Some(reverted) = event.pointer_mut("/kind/SessionReverted/reverted") {
            *reverted = (reverted.as_u64().unwrap() + offset).into();
        }
        last = id;
    }
    std::fs::write(&ledger_path, serde_json::to_string(&ledger).unwrap()).unwrap();
    let manifest_path = export.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["sequences"]["event"] = last.into();
    std::fs::write(&manifest_path, serde_json::to_string(&manifest).unwrap()).unwrap();

    let imported = root.join("imported");
    let imported_arg = imported.to_str().unwrap();
    assert_ok(&carnet(
        root,
        &["--db", imported_arg, "import-all", export.to_str().unwrap()],
    ));
    let after = carnet(
        root,
        &[&["--db", imported_arg, "report", "sales"][..], &period].concat(),
    );
    assert_ok(&after);
    let after = String::from_utf8_lossy(&after.stdout).into_owned();
    assert_eq!(
        line_of(&after, "Cards sold"),
        line_of(&before, "Cards sold")
    );
}

/// One bit set in the top byte of the cache header's record count: the cache must be rebuilt,
/// not trusted, and the report must print.
#[test]
fn report_with_huge_cache_count() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    let db = root.join("db");
    let db_arg = db.to_str().unwrap();
    assert_ok(&carnet(root, &["--db", db_arg, "demo", "--members", "20"]));
    let first = carnet(root, &["--db", db_arg, "report", "usage"]);
    assert_ok(&first);

    let cache = db.join("reports-cache");
    let mut bytes = std::fs::read(&cache).unwrap();
    // Bytes 16..24 contain the record count, little-endian.
    bytes[23] ^= 0x10;
    std::fs::write(&cache, &bytes).unwrap();

    let second = carnet(root, &["--db", db_arg, "report", "usage"]);
    assert_ok(&second);
    assert_eq!(second.stdout, first.stdout);
}
