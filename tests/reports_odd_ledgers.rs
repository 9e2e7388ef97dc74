//! Reports on imported ledgers whose ids the packed event facts must still read as the
//! format-3 build did: ids past i64::MAX with an undone check-in, and a gap of more than
//! u32::MAX between two ids. Each test compares with the same club without the odd ids.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn carnet(folder: &Path, args: &[&str]) -> Output {
    let output = common::run_carnet(folder, args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string(value).unwrap()).unwrap();
}

/// Exports a demo club and undoes its last check-in by hand, since the demo makes no undo.
fn export_with_an_undo(root: &Path) -> PathBuf {
    let db = root.join("demo");
    carnet(
        root,
        &["--db", db.to_str().unwrap(), "demo", "--members", "20"],
    );
    let export = root.join("export");
    let out = export.to_str().unwrap();
    carnet(
        root,
        &["--db", db.to_str().unwrap(), "export", "all", "--out", out],
    );
    let ledger_path = export.join("records").join("ledger.json");
    let cards_path = export.join("records").join("cards.json");
    let mut ledger = read(&ledger_path);
    let mut cards = read(&cards_path);

    let events = ledger.as_array_mut().unwrap();
    let used = events
        .iter()
        .rev()
        .find(|event| event.pointer("/kind/SessionUsed").is_some())
        .unwrap()
        .clone();
    let last_id = events
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .max()
        .unwrap();
    let mut undo = used.clone();
    undo["id"] = (last_id + 1).into();
    undo["at"] = (used["at"].as_i64().unwrap() + 60_000_000).into();
    undo["kind"] = serde_json::json!({"SessionReverted": {"reverted": used["id"]}});
    events.push(undo);
    for card in cards.as_array_mut().unwrap() {
        if card["id"] == used["card_id"] {
            let left = card["sessions_remaining"].as_i64().unwrap();
            card["sessions_remaining"] = (left + 1).into();
        }
    }
    write(&ledger_path, &ledger);
    write(&cards_path, &cards);

    let manifest_path = export.join("manifest.json");
    let mut manifest = read(&manifest_path);
    manifest["sequences"]["event"] = (last_id + 1).into();
    let count = manifest["counts"]["ledger_events"].as_u64().unwrap();
    manifest["counts"]["ledger_events"] = (count + 1).into();
    write(&manifest_path, &manifest);
    export
}

/// Copies `export`, gives each event the id `new_id(id)` and applies `edit` to the ledger,
/// then imports it into a new database and returns the database folder.
fn import_variant(
    root: &Path,
    export: &Path,
    name: &str,
    new_id: impl Fn(u64) -> u64,
    edit: impl Fn(&mut Vec<Value>),
) -> PathBuf {
    let copy = root.join(format!("export-{name}"));
    std::fs::create_dir_all(copy.join("records")).unwrap();
    for entry in std::fs::read_dir(export.join("records")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join("records").join(entry.file_name())).unwrap();
    }
    std::fs::copy(export.join("manifest.json"), copy.join("manifest.json")).unwrap();
    if export.join("csv").exists() {
        std::fs::create_dir_all(copy.join("csv")).unwrap();
        for entry in std::fs::read_dir(export.join("csv")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), copy.join("csv").join(entry.file_name())).unwrap();
        }
    }

    let ledger_path = copy.join("records").join("ledger.json");
    let mut ledger = read(&ledger_path);
    let events = ledger.as_array_mut().unwrap();
    let mut last = 0;
    for event in events.iter_mut() {
        let id = new_id(event["id"].as_u64().unwrap());
        event["id"] = id.into();
        if let Some(reverted) = event.pointer_mut("/kind/SessionReverted/reverted") {
            *reverted = new_id(reverted.as_u64().unwrap()).into();
        }
        last = last.max(id);
    }
    edit(events);
    write(&ledger_path, &ledger);

    let manifest_path = copy.join("manifest.json");
    let mut manifest = read(&manifest_path);
    manifest["sequences"]["event"] = last.into();
    write(&manifest_path, &manifest);
    let db = root.join(format!("db-{name}"));
    carnet(
        root,
        &[
            "--db",
            db.to_str().unwrap(),
            "import-all",
            copy.to_str().unwrap(),
        ],
    );
    db
}

/// Runs a report and returns its CSV without the empty months, so that failures stay short.
fn report(root: &Path, db: &Path, report_name: &str, period: &[&str]) -> String {
    let args = [
        &["--db", db.to_str().unwrap(), "report", report_name][..],
        period,
    ]
    .concat();
    let text = String::from_utf8(carnet(root, &args).stdout).unwrap();
    text.lines()
        .filter(|line| !(line.starts_with(|c: char| c.is_ascii_digit()) && line.ends_with(",0")))
        .map(|line| format!("{line}\n"))
        .collect()
}

const EVER: [&str; 4] = ["--from", "1970-01-01", "--to", "2100-12-31"];

/// Ids past i64::MAX: the undo is left out, so the undone check-in counts as used and the
/// session it gave back is missing from the sessions owed.
#[test]
fn undo_with_ids_past_i64_max() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    let export = export_with_an_undo(root);
    let plain = import_variant(root, &export, "plain", |id| id, |_| {});
    let high = import_variant(root, &export, "high", |id| id + (1 << 63), |_| {});
    for report_name in ["usage", "outstanding"] {
        assert_eq!(
            report(root, &high, report_name, &EVER),
            report(root, &plain, report_name, &EVER),
            "{report_name}"
        );
    }
}

/// A gap of more than u32::MAX between two ids: every event after it, and every event
/// recorded after the import, is left out of reports.
#[test]
fn events_after_u32_gap() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    let export = export_with_an_undo(root);
    let plain = import_variant(root, &export, "plain", |id| id, |_| {});
    let gap = import_variant(
        root,
        &export,
        "gap",
        |id| if id <= 100 { id } else { id + (1 << 33) },
        |_| {},
    );
    for report_name in ["usage", "sales", "outstanding", "card-life"] {
        assert_eq!(
            report(root, &gap, report_name, &EVER),
            report(root, &plain, report_name, &EVER),
            "{report_name}"
        );
    }
}
