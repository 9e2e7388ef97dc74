//! Reports on two odd inputs: a huge sparse cache file, and a ledger that starts at event
//! id 0.

mod common;

use common::assert_ok;

use serde_json::Value;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Output;

fn carnet(folder: &Path, args: &[&str]) -> Output {
    common::run_carnet(folder, args)
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string(value).unwrap()).unwrap();
}

/// Checks that a cache file as long as its header's count of 2^36 records is rebuilt. A
/// reader that reserved room for that count asked for 1 TiB and aborted the process.
#[test]
fn huge_sparse_cache_is_rebuilt() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    let db = root.join("db");
    let db_arg = db.to_str().unwrap();
    assert_ok(&carnet(root, &["--db", db_arg, "demo", "--members", "20"]));
    let first = carnet(root, &["--db", db_arg, "report", "usage"]);
    assert_ok(&first);

    let records: u64 = 1 << 36;
    let cache = db.join("reports-cache");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&cache)
        .unwrap();
    // Bytes 16..24 of the header contain the record count, little-endian. A record is 48 bytes.
    file.seek(SeekFrom::Start(16)).unwrap();
    file.write_all(&records.to_le_bytes()).unwrap();
    file.set_len(64 + records * 48).unwrap();
    drop(file);

    let second = carnet(root, &["--db", db_arg, "report", "usage"]);
    assert_ok(&second);
    assert_eq!(second.stdout, first.stdout);
}

/// Checks that reports count an event with id 0, which `carnet import-all` accepts.
/// `Facts::last_event_id` also returns 0 for no events, which once made the first event look
/// seen already.
#[test]
fn event_id_zero_is_counted() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    let demo = root.join("demo");
    let demo_arg = demo.to_str().unwrap();
    assert_ok(&carnet(
        root,
        &["--db", demo_arg, "demo", "--members", "20"],
    ));
    let export = root.join("export");
    assert_ok(&carnet(
        root,
        &[
            "--db",
            demo_arg,
            "export",
            "all",
            "--out",
            export.to_str().unwrap(),
        ],
    ));

    // Every id one lower, so the ledger starts at 0 with the sale of card 1.
    let ledger_path = export.join("records/ledger.json");
    let mut ledger = read(&ledger_path);
    let events = ledger.as_array_mut().unwrap();
    let mut sold = 0;
    for event in events.iter_mut() {
        event["id"] = (event["id"].as_u64().unwrap() - 1).into();
        if let Some(reverted) = event.pointer_mut("/kind/SessionReverted/reverted") {
            *reverted = (reverted.as_u64().unwrap() - 1).into();
        }
        if event.pointer("/kind/CardSold").is_some() {
            sold += 1;
        }
    }
    assert_eq!(events[0]["id"], 0);
    assert!(events[0].pointer("/kind/CardSold").is_some());
    let last = events.last().unwrap()["id"].clone();
    write(&ledger_path, &ledger);
    let manifest_path = export.join("manifest.json");
    let mut manifest = read(&manifest_path);
    manifest["sequences"]["event"] = last;
    write(&manifest_path, &manifest);

    let db = root.join("db");
    let db_arg = db.to_str().unwrap();
    assert_ok(&carnet(
        root,
        &["--db", db_arg, "import-all", export.to_str().unwrap()],
    ));
    assert_ok(&carnet(root, &["--db", db_arg, "check"]));

    let output = carnet(
        root,
        &[
            "--db",
            db_arg,
            "report",
            "sales",
            "--from",
            "1970-01-01",
            "--to",
            "2100-12-31",
            "--format",
            "json",
        ],
    );
    assert_ok(&output);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let cards_sold = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|table| table["table"] == "summary")
        .and_then(|table| {
            table["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row["id"] == "cards_sold")
        })
        .and_then(|row| row["value"].as_i64())
        .unwrap();
    assert_eq!(
        cards_sold, sold,
        "every CardSold event of the ledger, the one with id 0 included"
    );
}
