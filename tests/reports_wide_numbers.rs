//! Reports on an imported club whose amounts, activity ids and event ids do not fit in 32 bits,
//! which the packed event facts keep in a side list. The same club with its usual numbers
//! gives the expected figures: the same usage, and sales with every amount 2^32 times larger.
//! Each report is read twice, with the reports cache file built by the first run and without.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

const SCALE: i64 = 1 << 32;
const ACTIVITY_SHIFT: u64 = 1 << 31;
const EVENT_SHIFT: u64 = 1 << 31;
const EVER: [&str; 4] = ["--from", "1970-01-01", "--to", "2100-12-31"];

fn carnet_ok(root: &Path, args: &[&str]) -> String {
    let output = common::run_carnet(root, args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn save(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string(value).unwrap()).unwrap();
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn times(value: &mut Value, factor: i64) {
    *value = (value.as_i64().unwrap() * factor).into();
}

fn shifted(value: &mut Value, by: u64) {
    if !value.is_null() {
        *value = (value.as_u64().unwrap() + by).into();
    }
}

fn events_count(ledger: &Value) -> u64 {
    ledger.as_array().unwrap().len() as u64
}

/// Exports a demo club and undoes its last check-in in the export, because the demo makes no undo.
fn demo_export(root: &Path) -> PathBuf {
    let db = root.join("demo");
    let db = db.to_str().unwrap();
    carnet_ok(root, &["--db", db, "demo", "--members", "30"]);

    let export = root.join("export");
    carnet_ok(
        root,
        &[
            "--db",
            db,
            "export",
            "all",
            "--out",
            export.to_str().unwrap(),
        ],
    );
    let ledger_path = export.join("records/ledger.json");
    let cards_path = export.join("records/cards.json");

    let mut ledger = load(&ledger_path);
    let mut cards = load(&cards_path);
    let events = ledger.as_array_mut().unwrap();
    let used = events
        .iter()
        .rev()
        .find(|event| event.pointer("/kind/SessionUsed").is_some())
        .unwrap()
        .clone();
    let next_id = events
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .max()
        .unwrap()
        + 1;
    let mut undo = used.clone();
    undo["id"] = next_id.into();
    undo["at"] = (used["at"].as_i64().unwrap() + 60_000_000).into();
    undo["kind"] = serde_json::json!({ "SessionReverted": { "reverted": used["id"] } });
    events.push(undo);

    let card = cards
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|card| card["id"] == used["card_id"])
        .unwrap();
    card["sessions_remaining"] = (card["sessions_remaining"].as_u64().unwrap() + 1).into();
    save(&ledger_path, &ledger);
    save(&cards_path, &cards);

    let manifest_path = export.join("manifest.json");
    let mut manifest = load(&manifest_path);
    manifest["sequences"]["event"] = next_id.into();
    manifest["counts"]["ledger_events"] = events_count(&ledger).into();
    save(&manifest_path, &manifest);
    export
}

/// Imports the export as it is, or with amounts, activity ids and event ids beyond 32 bits.
fn import(root: &Path, export: &Path, name: &str, wide: bool) -> PathBuf {
    let copy = root.join(format!("export-{name}"));
    copy_folder(export, &copy);
    if wide {
        let records = copy.join("records");
        let mut ledger = load(&records.join("ledger.json"));
        let mut last_id = 0;
        for event in ledger.as_array_mut().unwrap() {
            shifted(&mut event["id"], EVENT_SHIFT);
            last_id = last_id.max(event["id"].as_u64().unwrap());
            let kind = event["kind"].as_object_mut().unwrap();
            for (name, fields) in kind.iter_mut() {
                match name.as_str() {
                    "CardSold" | "Imported" => times(&mut fields["price_cents"], SCALE),
                    "Paid" | "Refunded" => times(&mut fields["amount_cents"], SCALE),
                    "Cancelled" => times(&mut fields["refund_cents"], SCALE),
                    "SessionUsed" => shifted(&mut fields["activity"], ACTIVITY_SHIFT),
                    "SessionReverted" => shifted(&mut fields["reverted"], EVENT_SHIFT),
                    _ => {}
                }
            }
        }
        save(&records.join("ledger.json"), &ledger);

        let mut cards = load(&records.join("cards.json"));
        for card in cards.as_array_mut().unwrap() {
            times(&mut card["price_cents"], SCALE);
            for activity in card["activities"].as_array_mut().unwrap() {
                shifted(activity, ACTIVITY_SHIFT);
            }
        }
        save(&records.join("cards.json"), &cards);

        let mut types = load(&records.join("card_types.json"));
        for card_type in types.as_array_mut().unwrap() {
            for activity in card_type["activities"].as_array_mut().unwrap() {
                shifted(activity, ACTIVITY_SHIFT);
            }
        }
        save(&records.join("card_types.json"), &types);

        let mut activities = load(&records.join("activities.json"));
        let mut last_activity = 0;
        for activity in activities.as_array_mut().unwrap() {
            shifted(&mut activity["id"], ACTIVITY_SHIFT);
            last_activity = last_activity.max(activity["id"].as_u64().unwrap());
        }
        save(&records.join("activities.json"), &activities);

        let mut manifest = load(&copy.join("manifest.json"));
        manifest["sequences"]["event"] = last_id.into();
        if last_activity > 0 {
            manifest["sequences"]["activity"] = last_activity.into();
        }
        save(&copy.join("manifest.json"), &manifest);
    }
    let db = root.join(format!("db-{name}"));
    carnet_ok(
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

/// Runs a report as JSON without the cache file, then again with the file the first run
/// wrote; both must agree.
fn report(root: &Path, db: &Path, kind: &str) -> Value {
    let args = [
        &[
            "--db",
            db.to_str().unwrap(),
            "report",
            kind,
            "--format",
            "json",
        ][..],
        &EVER,
    ]
    .concat();
    let cache = db.join("reports-cache");
    let _ = std::fs::remove_file(&cache);
    let built = carnet_ok(root, &args);
    assert!(cache.exists(), "the first report writes the cache file");
    let cached = carnet_ok(root, &args);
    assert_eq!(built, cached, "{kind}: with and without the cache file");
    serde_json::from_str(&built).unwrap()
}

fn summary(report: &Value) -> Vec<(String, i64)> {
    let table = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|table| table["table"] == "summary")
        .unwrap();
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| {
            let id = row["id"].as_str()?.to_owned();
            if id == "per_session" {
                return None;
            }
            let value = row["value_cents"]
                .as_i64()
                .or_else(|| row["value"].as_i64())?;
            Some((id, value))
        })
        .collect()
}

#[test]
fn wide_numbers_match_plain_club() {
    let folder = tempfile::tempdir().unwrap();
    let root = folder.path();
    let export = demo_export(root);
    let plain = import(root, &export, "plain", false);
    let wide = import(root, &export, "wide", true);

    assert_eq!(
        report(root, &wide, "usage"),
        report(root, &plain, "usage"),
        "usage: activity ids and event ids beyond 32 bits change nothing"
    );
    let usage = report(root, &wide, "usage");
    let undone = summary(&usage)
        .into_iter()
        .find(|(id, _)| id == "reverted_check_ins")
        .map(|(_, value)| value);
    assert_eq!(
        undone,
        Some(1),
        "the undo still marks its check-in: {usage}"
    );

    let expected: Vec<(String, i64)> = summary(&report(root, &plain, "sales"))
        .into_iter()
        .map(|(id, value)| {
            let money = ["gross", "refunds_amount", "cancellations_amount", "revenue"];
            let factor = if money.contains(&id.as_str()) {
                SCALE
            } else {
                1
            };
            (id, value * factor)
        })
        .collect();
    let sales = report(root, &wide, "sales");
    assert_eq!(summary(&sales), expected);
    assert!(
        expected
            .iter()
            .any(|(id, value)| id == "gross" && *value > 0),
        "the demo sells cards: {expected:?}"
    );

    for kind in ["outstanding", "card-life"] {
        // Their amounts are ratios of prices, so only the two runs are compared.
        report(root, &wide, kind);
    }
}
