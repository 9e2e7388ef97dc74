//! Data in and out: backups and restores, the full export read back into an empty database,
//! `carnet check --repair`, a member's data export and erasure, and file permissions.

mod common;

use carnet::demo::{self, DemoOptions};
use carnet::domain::card::CardState;
use carnet::domain::ledger::EventKind;
use carnet::domain::sale::{PaymentInput, PaymentMethod};
use carnet::domain::{ClubTime, Member, MemberCode};
use carnet::store::backup::{BackupError, verify_backup};
use carnet::store::{Store, StoreOptions, restore_backup};
use common::{context, open, paris};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

fn now() -> chrono::DateTime<chrono::Utc> {
    paris(2026, 12, 4, 18, 0, 0)
}

/// Fills `path` with a small demo club: sales, payments, check-ins, undos.
fn demo_club(path: &Path, members: usize) -> Store {
    let store = open(path);
    demo::generate(
        &store,
        ClubTime::new(chrono_tz::Europe::Paris),
        now(),
        DemoOptions {
            members,
            seed: 7,
            cards: None,
            events: None,
        },
        &indicatif::ProgressBar::hidden(),
    )
    .expect("demo club");
    sell_with_payments(&store);
    store
}

/// Sells a card with payment lines to every third member, part of it owed, and refunds one,
/// since the demo club's cards carry no payments.
fn sell_with_payments(store: &Store) {
    let card_type = store
        .card_types()
        .unwrap()
        .into_iter()
        .find(|card_type| !card_type.archived && card_type.price_cents > 1_000)
        .expect("a card type on sale");
    let members: Vec<Member> = store.members().map(|member| member.unwrap()).collect();
    for member in members.iter().filter(|member| !member.archived).step_by(3) {
        let payments = [
            PaymentInput {
                method: PaymentMethod::Cash,
                amount_cents: Some(1_000),
            },
            PaymentInput {
                method: PaymentMethod::Due,
                amount_cents: Some(card_type.price_cents - 1_000),
            },
        ];
        let sale = store
            .sell_card_with_payments(
                member.id,
                card_type.id,
                now().date_naive(),
                &payments,
                &context(now()),
            )
            .unwrap()
            .unwrap();
        if member.id.0 % 2 == 0 {
            store
                .refund(
                    sale.card.id,
                    PaymentMethod::Cash,
                    500,
                    "geste commercial",
                    &context(now()),
                )
                .unwrap()
                .unwrap();
        }
    }
}

fn options() -> StoreOptions {
    StoreOptions {
        cache_bytes: 16 << 20,
        create: false,
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Remaining sessions over every open card, and money received minus money given back.
fn accounts(store: &Store) -> (i64, i64) {
    let sessions = store
        .cards()
        .map(|card| card.unwrap())
        .filter(|card| card.state == CardState::Open)
        .map(|card| i64::from(card.sessions_remaining))
        .sum();
    let mut money = 0i64;
    for event in store.ledger() {
        match event.unwrap().kind {
            EventKind::Paid {
                method,
                amount_cents,
            } if method.is_money() => money += amount_cents,
            EventKind::Refunded { amount_cents, .. } => money -= amount_cents,
            EventKind::Cancelled { refund_cents, .. } => money -= refund_cents,
            _ => {}
        }
    }
    (sessions, money)
}

fn member_with_cards(store: &Store) -> Member {
    store
        .members()
        .map(|member| member.unwrap())
        .find(|member| {
            store.cards_of_member(member.id).unwrap().len() >= 2
                && !store.check_ins_of_member(member.id).unwrap().is_empty()
        })
        .expect("a member with cards and check-ins")
}

fn assert_clean(store: &Store) {
    assert_eq!(store.verify_balances().unwrap(), vec![]);
    assert_eq!(store.verify_indexes().unwrap(), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Backup and restore
// ---------------------------------------------------------------------------------------------

#[test]
fn backup_verifies_and_is_private() {
    let folder = tempfile::tempdir().unwrap();
    let store = demo_club(&folder.path().join("db"), 40);
    let file = folder.path().join("club.carnetbak");
    let summary = store.backup_to(&file, now()).unwrap();
    assert!(summary.records > 40);
    assert_eq!(verify_backup(&file).unwrap(), summary);
    assert_eq!(mode(&file), 0o600);
    let again = store.backup_to(&file, now());
    assert!(matches!(again, Err(BackupError::Io { .. })), "{again:?}");
}

#[test]
fn truncated_backup_is_rejected() {
    let folder = tempfile::tempdir().unwrap();
    let store = demo_club(&folder.path().join("db"), 20);
    let file = folder.path().join("club.carnetbak");
    store.backup_to(&file, now()).unwrap();
    let bytes = std::fs::read(&file).unwrap();

    for keep in [bytes.len() - 1, bytes.len() - 4, bytes.len() / 2, 30] {
        let cut = folder.path().join(format!("cut-{keep}.carnetbak"));
        std::fs::write(&cut, &bytes[..keep]).unwrap();
        let error = verify_backup(&cut).unwrap_err();
        assert!(
            matches!(error, BackupError::Truncated { .. }),
            "cut at {keep}: {error:?}"
        );
    }
}

#[test]
fn altered_or_foreign_backup_is_rejected() {
    let folder = tempfile::tempdir().unwrap();
    let store = demo_club(&folder.path().join("db"), 20);
    let file = folder.path().join("club.carnetbak");
    store.backup_to(&file, now()).unwrap();
    let bytes = std::fs::read(&file).unwrap();

    let mut altered = bytes.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    let altered_file = folder.path().join("altered.carnetbak");
    std::fs::write(&altered_file, &altered).unwrap();
    let error = verify_backup(&altered_file).unwrap_err();
    assert!(
        matches!(
            error,
            BackupError::Damaged { .. } | BackupError::Truncated { .. }
        ),
        "{error:?}"
    );

    let mut longer = bytes.clone();
    longer.push(0);
    let longer_file = folder.path().join("longer.carnetbak");
    std::fs::write(&longer_file, &longer).unwrap();
    assert!(matches!(
        verify_backup(&longer_file),
        Err(BackupError::Damaged { .. })
    ));

    let foreign = folder.path().join("notes.txt");
    std::fs::write(&foreign, "Liste des adhérents\n").unwrap();
    assert!(matches!(
        verify_backup(&foreign),
        Err(BackupError::Foreign { .. })
    ));
}

#[test]
fn damaged_backup_changes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let source = demo_club(&folder.path().join("source"), 20);
    let file = folder.path().join("club.carnetbak");
    source.backup_to(&file, now()).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 10]).unwrap();

    let target = folder.path().join("target");
    drop(demo_club(&target, 5));
    let error = restore_backup(&file, &target, options(), now()).unwrap_err();
    assert!(matches!(error, BackupError::Truncated { .. }), "{error:?}");
    let entries: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(
        entries.len(),
        3,
        "nothing new beside the target: {entries:?}"
    );
    assert_eq!(open(&target).member_count(), 5);
}

/// A backup whose checksum is right but which contains a record this build cannot read would
/// leave a database that does not open; it is refused before anything changes.
#[test]
fn unreadable_record_in_backup_changes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let source_path = folder.path().join("source");
    drop(demo_club(&source_path, 20));
    {
        let db = sled::open(&source_path).unwrap();
        let members = db.open_tree("members").unwrap();
        members
            .insert(99_999u64.to_be_bytes(), &[1u8, 0xff, 0xff][..])
            .unwrap();
        db.flush().unwrap();
    }
    let source = open(&source_path);
    let file = folder.path().join("club.carnetbak");
    source.backup_to(&file, now()).unwrap();
    drop(source);

    let target = folder.path().join("target");
    drop(demo_club(&target, 5));
    let error = restore_backup(&file, &target, options(), now()).unwrap_err();
    assert!(matches!(error, BackupError::Damaged { .. }), "{error:?}");
    assert_eq!(open(&target).member_count(), 5, "the target is untouched");
}

/// A backup whose member sequence is behind its members would let the next new member
/// overwrite an existing one, so it is refused before anything changes.
#[test]
fn backup_with_stale_sequence_changes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let source_path = folder.path().join("source");
    drop(demo_club(&source_path, 20));
    {
        let db = sled::open(&source_path).unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert("seq:member", carnet::store::codec::encode(&0u64))
            .unwrap();
        db.flush().unwrap();
    }
    let source = open(&source_path);
    let file = folder.path().join("club.carnetbak");
    source.backup_to(&file, now()).unwrap();
    drop(source);

    let target = folder.path().join("target");
    drop(demo_club(&target, 5));
    let error = restore_backup(&file, &target, options(), now()).unwrap_err();
    assert!(matches!(error, BackupError::Damaged { .. }), "{error:?}");
    assert_eq!(open(&target).member_count(), 5, "the target is untouched");
}

#[test]
fn restore_keeps_previous_database_aside() {
    let folder = tempfile::tempdir().unwrap();
    let source = demo_club(&folder.path().join("source"), 30);
    let file = folder.path().join("club.carnetbak");
    source.backup_to(&file, now()).unwrap();
    let source_accounts = accounts(&source);
    drop(source);

    let target = folder.path().join("target");
    drop(demo_club(&target, 8));
    let report = restore_backup(&file, &target, options(), now()).unwrap();

    let previous = report.previous.expect("previous database kept");
    assert!(
        previous
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("target.before-restore-20261204-"),
        "{previous:?}"
    );
    assert_eq!(open(&previous).member_count(), 8);
    let restored = open(&target);
    assert_eq!(restored.member_count(), 30);
    assert_eq!(accounts(&restored), source_accounts);
    assert_clean(&restored);
    assert_eq!(mode(&target), 0o700);
}

#[test]
fn restore_refuses_database_in_use() {
    let folder = tempfile::tempdir().unwrap();
    let source = demo_club(&folder.path().join("source"), 10);
    let file = folder.path().join("club.carnetbak");
    source.backup_to(&file, now()).unwrap();
    let error = restore_backup(&file, &folder.path().join("source"), options(), now());
    assert!(
        matches!(
            error,
            Err(BackupError::Store(carnet::store::StoreError::InUse { .. }))
        ),
        "{error:?}"
    );
}

#[test]
fn backup_during_writes_restores_clean() {
    let folder = tempfile::tempdir().unwrap();
    let store = demo_club(&folder.path().join("db"), 60);
    let codes: Vec<MemberCode> = store.members().map(|member| member.unwrap().code).collect();
    let file = folder.path().join("club.carnetbak");

    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let settings = common::settings(store.path(), carnet::i18n::Language::En);
            let clock = common::clock(now());
            for code in codes.iter().cycle().take(150) {
                let request = carnet::desk::ScanRequest {
                    activity: None,
                    charge_again: true,
                };
                carnet::desk::check_in_scan(&store, &settings, &clock, code.as_str(), request)
                    .unwrap();
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(20));
        store.backup_to(&file, now()).unwrap();
        writer.join().unwrap();
    });

    let target = folder.path().join("restored");
    restore_backup(&file, &target, options(), now()).unwrap();
    assert_clean(&open(&target));
}

// ---------------------------------------------------------------------------------------------
// Command line: full export and import, check --repair, a member's data
// ---------------------------------------------------------------------------------------------

/// Runs the binary with the shipped configuration's defaults and English messages.
fn carnet(folder: &Path, args: &[&str]) -> Output {
    common::run_carnet(folder, args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_status(output: &Output, expected: i32) {
    assert_eq!(
        output.status.code(),
        Some(expected),
        "stdout: {}\nstderr: {}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn full_export_imports_identically() {
    let folder = tempfile::tempdir().unwrap();
    let source = folder.path().join("source");
    let source_accounts = {
        let store = demo_club(&source, 80);
        let member = member_with_cards(&store);
        store.erase_member(member.id, &context(now())).unwrap();
        accounts(&store)
    };
    let export = folder.path().join("export");
    export_all(folder.path(), &source, &export);
    assert_eq!(mode(&export), 0o700);
    for file in ["manifest.json", "records/ledger.json", "csv/payments.csv"] {
        assert_eq!(mode(&export.join(file)), 0o600, "{file}");
    }

    let target = folder.path().join("target");
    let output = carnet(
        folder.path(),
        &["--db", path_arg(&target), "import-all", path_arg(&export)],
    );
    assert_status(&output, 0);

    let check_source = carnet(folder.path(), &["--db", path_arg(&source), "check"]);
    let check_target = carnet(folder.path(), &["--db", path_arg(&target), "check"]);
    assert_status(&check_target, 0);
    assert_eq!(stdout(&check_source), stdout(&check_target));
    for kind in ["members", "cards", "ledger", "payments", "card-types"] {
        let before = carnet(folder.path(), &["--db", path_arg(&source), "export", kind]);
        let after = carnet(folder.path(), &["--db", path_arg(&target), "export", kind]);
        assert_eq!(stdout(&before), stdout(&after), "{kind}");
    }
    let imported = open(&target);
    assert_eq!(accounts(&imported), source_accounts);
    assert_eq!(imported.erased_members().unwrap().len(), 1);
    drop(imported);

    let again = carnet(
        folder.path(),
        &["--db", path_arg(&target), "import-all", path_arg(&export)],
    );
    assert_status(&again, 2);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("is not empty"),
        "{again:?}"
    );
}

#[test]
fn import_rejects_other_folders() {
    let folder = tempfile::tempdir().unwrap();
    let export = folder.path().join("not-an-export");
    std::fs::create_dir(&export).unwrap();
    std::fs::write(export.join("manifest.json"), "{\"format\": \"other\"}").unwrap();
    let target = folder.path().join("target");
    let output = carnet(
        folder.path(),
        &["--db", path_arg(&target), "import-all", path_arg(&export)],
    );
    assert_status(&output, 2);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not a Carnet full export"),
        "{output:?}"
    );
    assert!(!target.exists(), "a failed import leaves no database");
    let leftovers: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with(".carnet-import-"))
        .collect();
    assert_eq!(leftovers, Vec::<std::ffi::OsString>::new());
}

#[test]
fn backup_and_restore_commands() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    drop(demo_club(&database, 25));
    let backups = folder.path().join("saved");
    std::fs::create_dir(&backups).unwrap();
    let output = carnet(
        folder.path(),
        &["--db", path_arg(&database), "backup", path_arg(&backups)],
    );
    assert_status(&output, 0);
    let file: PathBuf = std::fs::read_dir(&backups)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(mode(&file), 0o600);

    let output = carnet(
        folder.path(),
        &["--db", path_arg(&database), "restore", path_arg(&file)],
    );
    assert_status(&output, 0);
    let text = stdout(&output);
    assert!(text.contains("previous database is kept"), "{text}");
    assert!(
        text.contains("All 0 card") || text.contains("card balances match"),
        "{text}"
    );
}

/// `carnet check` counts the ledger events it read, not the newest id, which an imported
/// ledger may put far beyond the count.
/// Runs `carnet export all` of the database `source` into `export`, which must succeed.
fn export_all(folder: &Path, source: &Path, export: &Path) {
    let output = carnet(
        folder,
        &[
            "--db",
            path_arg(source),
            "export",
            "all",
            "--out",
            path_arg(export),
        ],
    );
    assert_status(&output, 0);
}

/// Exports a demo club of 20 members, renumbers its ledger with `renumber` (given each id and
/// the number of events), and returns the export's folder and the number of events.
fn renumbered_export(folder: &Path, renumber: impl Fn(u64, usize) -> u64) -> (PathBuf, usize) {
    let source = folder.join("source");
    let output = carnet(
        folder,
        &["--db", path_arg(&source), "demo", "--members", "20"],
    );
    assert_status(&output, 0);
    let export = folder.join("export");
    export_all(folder, &source, &export);

    let ledger_path = export.join("records/ledger.json");
    let mut ledger: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&ledger_path).unwrap()).unwrap();
    let events = ledger.as_array_mut().unwrap();
    let count = events.len();
    for event in events.iter_mut() {
        event["id"] = renumber(event["id"].as_u64().unwrap(), count).into();
        if let Some(reverted) = event.pointer_mut("/kind/SessionReverted/reverted") {
            *reverted = renumber(reverted.as_u64().unwrap(), count).into();
        }
    }
    let newest = events.last().unwrap()["id"].clone();
    std::fs::write(&ledger_path, serde_json::to_vec(&ledger).unwrap()).unwrap();
    let manifest_path = export.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["sequences"]["event"] = newest;
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    (export, count)
}

#[test]
fn check_counts_events_after_id_gap() {
    let folder = tempfile::tempdir().unwrap();
    // Every id 1,000 higher, as in a ledger imported from a tool that numbered it so.
    let (export, count) = renumbered_export(folder.path(), |id, _| id + 1000);

    let database = folder.path().join("db");
    let output = carnet(
        folder.path(),
        &["--db", path_arg(&database), "import-all", path_arg(&export)],
    );
    assert_status(&output, 0);
    for args in [&["check"][..], &["check", "--repair"][..]] {
        let mut command = vec!["--db", path_arg(&database)];
        command.extend_from_slice(args);
        let output = carnet(folder.path(), &command);
        assert_status(&output, 0);
        let text = stdout(&output);
        assert!(
            text.contains(&format!("({count} events)")),
            "{args:?}: {text}"
        );
    }
}

/// A ledger that ends near the largest id leaves too few ids for the check-ins to come, so
/// the import refuses it and names the id.
#[test]
fn import_refuses_ids_near_the_largest() {
    let folder = tempfile::tempdir().unwrap();
    // The newest event is one below the largest id: one check-in would pass, then none.
    let (export, _) =
        renumbered_export(folder.path(), |id, count| u64::MAX - 1 - count as u64 + id);
    let database = folder.path().join("db");
    let output = carnet(
        folder.path(),
        &["--db", path_arg(&database), "import-all", path_arg(&export)],
    );
    assert_status(&output, 2);
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("18446744073709551614"), "{error}");
    assert!(
        error.contains("18446744069414584319"),
        "the highest id allowed: {error}"
    );
    assert!(error.contains("Nothing was imported"), "{error}");
    assert!(!database.exists(), "a refused import leaves no database");
}

#[test]
fn check_repair_fixes_broken_indexes() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let (card_id, member_id) = {
        let store = demo_club(&database, 20);
        let member = member_with_cards(&store);
        let card = store.cards_of_member(member.id).unwrap()[0].clone();
        (card.id.0, member.id.0)
    };
    {
        // Break the database behind Carnet's back: a lost index entry, a stale one, and a
        // wrong balance.
        let db = sled::open(&database).unwrap();
        let card_events = db.open_tree("card_event_ids").unwrap();
        let (first_key, _) = card_events.first().unwrap().unwrap();
        card_events.remove(first_key).unwrap();
        let member_cards = db.open_tree("member_cards").unwrap();
        let key = member_id.to_be_bytes();
        let list = member_cards.get(key).unwrap().unwrap();
        let mut ids: Vec<carnet::domain::CardId> = carnet::store::codec::decode(&list).unwrap();
        ids.push(carnet::domain::CardId(999_999));
        member_cards
            .insert(key, carnet::store::codec::encode(&ids))
            .unwrap();
        let cards = db.open_tree("cards").unwrap();
        let key = card_id.to_be_bytes();
        let bytes = cards.get(key).unwrap().unwrap();
        let mut card: carnet::domain::Card = carnet::store::codec::decode(&bytes).unwrap();
        card.sessions_remaining += 3;
        cards
            .insert(key, carnet::store::codec::encode(&card))
            .unwrap();
        db.flush().unwrap();
    }

    let check = carnet(folder.path(), &["--db", path_arg(&database), "check"]);
    assert_status(&check, 1);
    let text = stdout(&check);
    assert!(text.contains("Index card_event_ids lacks entry"), "{text}");
    assert!(
        text.contains("Index member_cards has a wrong value"),
        "{text}"
    );
    assert!(text.contains(&format!("Card {card_id} ")), "{text}");

    let repair = carnet(
        folder.path(),
        &["--db", path_arg(&database), "check", "--repair"],
    );
    assert_status(&repair, 0);
    let text = stdout(&repair);
    assert!(text.contains("3 changes made."), "{text}");
    assert!(
        text.contains(&format!("card {card_id} balance set")),
        "{text}"
    );

    let check = carnet(folder.path(), &["--db", path_arg(&database), "check"]);
    assert_status(&check, 0);
}

/// Rewrites each member's list of cards as formats 1 to 3 kept it: one `member_cards` index
/// entry per card (member id ++ card id) in place of the list.
fn store_member_cards_as_format_3(db: &sled::Db) {
    let tree = db.open_tree("member_cards").unwrap();
    for member in add_member_card_pairs(db) {
        tree.remove(member).unwrap();
    }
}

/// Adds the per-card `member_cards` entries of formats 1 to 3 beside format 4's lists, and
/// returns the keys of the lists.
fn add_member_card_pairs(db: &sled::Db) -> Vec<sled::IVec> {
    let tree = db.open_tree("member_cards").unwrap();
    let lists: Vec<_> = tree.iter().map(Result::unwrap).collect();
    let mut members = Vec::with_capacity(lists.len());
    for (member, list) in lists {
        assert_eq!(member.len(), 8, "format 4 keeps one list per member");
        let ids: Vec<carnet::domain::CardId> = carnet::store::codec::decode(&list).unwrap();
        for id in ids {
            let mut key = member.to_vec();
            key.extend_from_slice(&id.0.to_be_bytes());
            tree.insert(key, Vec::new()).unwrap();
        }
        members.push(member);
    }
    members
}

/// A crash after the upgrade stamped format 4 but before it removed the per-card entries of
/// `member_cards`: the next open removes them.
#[test]
fn upgrade_cut_after_stamp_finishes() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let owned = cards_by_member(&demo_club(&database, 20));
    {
        let db = sled::open(&database).unwrap();
        add_member_card_pairs(&db);
        db.open_tree("meta")
            .unwrap()
            .insert(
                "upgrade:member_card_pairs",
                carnet::store::codec::encode(&true),
            )
            .unwrap();
        db.flush().unwrap();
        assert!(has_member_card_pairs(&db));
    }

    let store = open(&database);
    assert_eq!(cards_by_member(&store), owned);
    assert_clean(&store);
    drop(store);
    let db = sled::open(&database).unwrap();
    assert!(!has_member_card_pairs(&db));
    let meta = db.open_tree("meta").unwrap();
    assert!(!meta.contains_key("upgrade:member_card_pairs").unwrap());
}

/// Tells whether `member_cards` still contains an entry of formats 1 to 3.
fn has_member_card_pairs(db: &sled::Db) -> bool {
    let tree = db.open_tree("member_cards").unwrap();
    tree.iter().keys().any(|key| key.unwrap().len() != 8)
}

/// Returns every member's cards, to compare before and after an upgrade.
fn cards_by_member(store: &Store) -> Vec<Vec<carnet::domain::Card>> {
    store
        .members()
        .map(|member| store.cards_of_member(member.unwrap().id).unwrap())
        .collect()
}

/// Rewrites a database of the current format the way format 2 stored its ledger: one record
/// per event in `ledger`, one index entry per event in `card_events`.
fn store_ledger_as_format_2(path: &Path) {
    let db = sled::open(path).unwrap();
    store_member_cards_as_format_3(&db);
    let blocks = db.open_tree("ledger_blocks").unwrap();
    let ledger = db.open_tree("ledger").unwrap();
    let card_events = db.open_tree("card_events").unwrap();
    for entry in blocks.iter() {
        let (_, block) = entry.unwrap();
        let mut rest = &block[..];
        while !rest.is_empty() {
            let length = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
            let bytes = &rest[4..4 + length];
            let event: carnet::domain::LedgerEvent = carnet::store::codec::decode(bytes).unwrap();
            ledger.insert(event.id.0.to_be_bytes(), bytes).unwrap();
            let mut index = event.card_id.0.to_be_bytes().to_vec();
            index.extend_from_slice(&event.id.0.to_be_bytes());
            card_events.insert(index, Vec::new()).unwrap();
            rest = &rest[4 + length..];
        }
    }
    blocks.clear().unwrap();
    db.open_tree("card_event_ids").unwrap().clear().unwrap();
    let meta = db.open_tree("meta").unwrap();
    meta.insert("format", carnet::store::codec::encode(&2u32))
        .unwrap();
    // Formats 2 and 3 numbered events from a sequence record.
    let last = ledger.last().unwrap().unwrap().0;
    let last = u64::from_be_bytes(last[..].try_into().unwrap());
    meta.insert("seq:event", carnet::store::codec::encode(&last))
        .unwrap();
    db.flush().unwrap();
    // Carnet 2's manifest recorded format 2; without one, nothing is compared.
    std::fs::remove_file(path.join("manifest.v3")).unwrap();
}

#[test]
fn format_2_ledger_moves_into_blocks() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let (ledger, histories, owned) = {
        let store = demo_club(&database, 40);
        let ledger: Vec<_> = store.ledger().map(Result::unwrap).collect();
        let histories: Vec<_> = store
            .cards()
            .map(|card| store.events_of_card(card.unwrap().id).unwrap())
            .collect();
        (ledger, histories, cards_by_member(&store))
    };
    assert!(ledger.len() > 64, "the demo spans several blocks");
    store_ledger_as_format_2(&database);

    let store = open(&database);
    let moved: Vec<_> = store.ledger().map(Result::unwrap).collect();
    assert_eq!(moved, ledger);
    let newest_first: Vec<_> = store.ledger().rev().map(Result::unwrap).collect();
    assert_eq!(newest_first.len(), ledger.len());
    assert!(newest_first.iter().rev().eq(ledger.iter()));
    let moved_histories: Vec<_> = store
        .cards()
        .map(|card| store.events_of_card(card.unwrap().id).unwrap())
        .collect();
    assert_eq!(moved_histories, histories);
    assert_eq!(cards_by_member(&store), owned);
    assert_eq!(store.ledger_len(), ledger.last().unwrap().id.0 as usize);
    assert_clean(&store);
    store.verify_records().unwrap();
    drop(store);

    let db = sled::open(&database).unwrap();
    assert!(db.open_tree("ledger").unwrap().is_empty());
    assert!(db.open_tree("card_events").unwrap().is_empty());
    assert!(!has_member_card_pairs(&db));
    let format = db
        .open_tree("meta")
        .unwrap()
        .get("format")
        .unwrap()
        .unwrap();
    assert_eq!(
        carnet::store::codec::decode::<u32>(&format).unwrap(),
        carnet::store::DATABASE_FORMAT
    );
    assert!(
        !db.open_tree("meta")
            .unwrap()
            .contains_key("seq:event")
            .unwrap(),
        "format 4 keeps no event sequence"
    );
}

/// Format 3 kept the last event id in `meta/seq:event` and one `member_cards` entry per card.
/// Format 4 takes the next id from the newest event and keeps one list of cards per member.
/// The upgrade removes the record, builds the lists, and the next event follows the newest.
#[test]
fn format_3_database_moves_to_format_4() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let (newest, owned) = {
        let store = demo_club(&database, 30);
        let newest = store.ledger().next_back().unwrap().unwrap().id.0;
        (newest, cards_by_member(&store))
    };
    {
        let db = sled::open(&database).unwrap();
        store_member_cards_as_format_3(&db);
        let meta = db.open_tree("meta").unwrap();
        meta.insert("format", carnet::store::codec::encode(&3u32))
            .unwrap();
        meta.insert("seq:event", carnet::store::codec::encode(&newest))
            .unwrap();
        db.flush().unwrap();
    }
    // Carnet 3's manifest recorded format 3; without one, nothing is compared.
    std::fs::remove_file(database.join("manifest.v3")).unwrap();

    let store = open(&database);
    assert_eq!(cards_by_member(&store), owned);
    let member = store.members().next().unwrap().unwrap();
    let card_type = store.card_types().unwrap().into_iter().next().unwrap();
    let card = store
        .sell_card(member.id, card_type.id, now().date_naive(), &context(now()))
        .unwrap();
    let sale = store.events_of_card(card.id).unwrap();
    assert_eq!(sale[0].id.0, newest + 1);
    assert_eq!(store.ledger_len() as u64, newest + 1);
    assert_clean(&store);
    store.verify_records().unwrap();
    drop(store);

    let db = sled::open(&database).unwrap();
    let meta = db.open_tree("meta").unwrap();
    assert!(!meta.contains_key("seq:event").unwrap());
    assert!(!has_member_card_pairs(&db));
    assert!(!meta.contains_key("upgrade:member_card_pairs").unwrap());
    let format = meta.get("format").unwrap().unwrap();
    assert_eq!(carnet::store::codec::decode::<u32>(&format).unwrap(), 4);
}

/// Everything a club would miss if a rewrite dropped it: members, cards, the ledger.
fn content(
    store: &Store,
) -> (
    Vec<Member>,
    Vec<carnet::domain::Card>,
    Vec<carnet::domain::LedgerEvent>,
) {
    (
        store.members().map(Result::unwrap).collect(),
        store.cards().map(Result::unwrap).collect(),
        store.ledger().map(Result::unwrap).collect(),
    )
}

#[test]
fn compact_keeps_every_record_and_gives_back_space() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let before = {
        let store = demo_club(&database, 60);
        // Overwrite the same records many times, as years of check-ins do.
        let member = member_with_cards(&store);
        let mut details =
            carnet::domain::member::NewMember::named(&member.first_name, &member.last_name);
        for round in 0..300 {
            details.notes = format!("note {round} {}", "x".repeat(200));
            store.update_member(member.id, &details).unwrap();
        }
        content(&store)
    };

    let report = carnet::store::compact_database(&database, StoreOptions::default(), now())
        .expect("compaction");
    assert!(
        report.bytes_after < report.bytes_before,
        "{} bytes before, {} after",
        report.bytes_before,
        report.bytes_after
    );
    let store = open(&database);
    assert_eq!(content(&store), before);
    assert_clean(&store);
    store.verify_records().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name != "db")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn compact_leaves_an_open_database_alone() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let store = demo_club(&database, 10);
    let before = content(&store);

    let output = carnet(folder.path(), &["--db", path_arg(&database), "compact"]);
    assert_status(&output, 2);
    let error = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(error.contains("in use by another Carnet"), "{error}");
    assert_eq!(content(&store), before);
    drop(store);

    let output = carnet(folder.path(), &["--db", path_arg(&database), "compact"]);
    assert_status(&output, 0);
    assert!(stdout(&output).contains("compacted"), "{}", stdout(&output));
    assert_eq!(content(&open(&database)), before);
}

#[test]
fn check_reports_duplicate_and_invalid_codes() {
    let folder = tempfile::tempdir().unwrap();
    let store = open(&folder.path().join("db"));
    common::member_with_code(&store, "Marie", "Dupont", "12345671", now());
    common::member_with_code(&store, "Paul", "Martin", "12345671", now());
    common::member_with_code(&store, "Zoé", "Bernard", "12345678", now());
    let problems = store.verify_indexes().unwrap();
    let duplicate = problems.iter().any(|problem| {
        matches!(problem, carnet::store::IntegrityProblem::DuplicateCode { code, .. } if code == "12345671")
    });
    assert!(duplicate, "{problems:?}");
    let invalid = problems.iter().any(|problem| {
        matches!(problem, carnet::store::IntegrityProblem::InvalidCode { code, .. } if code == "12345678")
    });
    assert!(invalid, "{problems:?}");
}

#[test]
fn export_data_holds_member_records() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let (member, cards, check_ins) = {
        let store = demo_club(&database, 30);
        let member = member_with_cards(&store);
        let cards = store.cards_of_member(member.id).unwrap().len();
        let check_ins = store.check_ins_of_member(member.id).unwrap().len();
        (member, cards, check_ins)
    };
    let out = folder.path().join("request");
    let code = member.code.to_string();
    let output = carnet(
        folder.path(),
        &[
            "--db",
            path_arg(&database),
            "members",
            "export-data",
            &code,
            "--out",
            path_arg(&out),
        ],
    );
    assert_status(&output, 0);
    assert_eq!(mode(&out), 0o700);

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(format!("{code}.json"))).unwrap()).unwrap();
    assert_eq!(json["format"], "carnet-member-data");
    assert_eq!(json["profile"]["code"], code.as_str());
    assert_eq!(json["profile"]["last_name"], member.last_name.as_str());
    assert_eq!(json["cards"].as_array().unwrap().len(), cards);
    assert_eq!(json["attendance"].as_array().unwrap().len(), check_ins);
    assert!(!json["payments"].as_array().unwrap().is_empty());
    for name in ["profile", "cards", "payments", "attendance", "ledger"] {
        let path = out.join(format!("{code}-{name}.csv"));
        assert_eq!(mode(&path), 0o600, "{name}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.lines().count() >= 2, "{name}: {text}");
    }
}

#[test]
fn erase_keeps_accounts() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let (member, before, cards) = {
        let store = demo_club(&database, 40);
        let member = member_with_cards(&store);
        let cards = store.cards_of_member(member.id).unwrap();
        (member, accounts(&store), cards)
    };
    let code = member.code.to_string();
    let refused = carnet(
        folder.path(),
        &["--db", path_arg(&database), "members", "erase", &code],
    );
    assert_status(&refused, 2);
    let erased = carnet(
        folder.path(),
        &[
            "--db",
            path_arg(&database),
            "members",
            "erase",
            &code,
            "--yes",
        ],
    );
    assert_status(&erased, 0);

    let store = open(&database);
    assert_eq!(accounts(&store), before);
    assert_eq!(store.cards_of_member(member.id).unwrap(), cards);
    let after = store.member(member.id).unwrap().unwrap();
    assert_eq!(after.full_name(), format!("Erased member #{}", member.id.0));
    assert_eq!(after.email, None);
    assert_eq!(after.phone, None);
    assert_eq!(after.birth_date, None);
    assert_eq!(after.notes, "");
    assert!(after.archived);
    assert!(store.is_erased(member.id).unwrap());
    assert_eq!(store.member_by_code(&member.code).unwrap(), None);
    assert_clean(&store);
    drop(store);

    let checkin = carnet(
        folder.path(),
        &["--db", path_arg(&database), "checkin", &code],
    );
    assert_status(&checkin, 1);
    let dump = carnet(
        folder.path(),
        &["--db", path_arg(&database), "export", "members"],
    );
    let row = stdout(&dump)
        .lines()
        .find(|line| line.starts_with(&format!("{},", member.id.0)))
        .expect("the erased member's row")
        .to_owned();
    assert!(!row.contains(&member.last_name), "{row}");
    assert!(row.contains("Erased member"), "{row}");
}

#[test]
fn database_files_are_private() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    let store = demo_club(&database, 10);
    store.checkpoint().unwrap();
    drop(store);
    drop(open(&database));
    assert_eq!(mode(&database), 0o700);
    for entry in std::fs::read_dir(&database).unwrap() {
        let entry = entry.unwrap();
        let expected = if entry.file_type().unwrap().is_dir() {
            0o700
        } else {
            0o600
        };
        assert_eq!(mode(&entry.path()), expected, "{:?}", entry.path());
    }
}

#[test]
fn single_kind_export_to_file_is_private() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db");
    drop(demo_club(&database, 10));
    let file = folder.path().join("payments.json");
    let output = carnet(
        folder.path(),
        &[
            "--db",
            path_arg(&database),
            "export",
            "payments",
            "--format",
            "json",
            "--out",
            path_arg(&file),
        ],
    );
    assert_status(&output, 0);
    assert_eq!(mode(&file), 0o600);
    let rows: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|row| row["kind"] == "payment" || row["kind"] == "refund")
    );
}

// ---------------------------------------------------------------------------------------------
// The app: F11, the daily backup, and erasing from the profile
// ---------------------------------------------------------------------------------------------

use carnet::tui::app::{Action, App, Panel};
use carnet::tui::keymap::{Command as Key, Keymap};
use carnet::tui::members::MembersMode;

fn notice_lines(app: &App) -> (Vec<String>, bool) {
    match &app.panel {
        Panel::Notice { lines, warning } => (lines.clone(), *warning),
        other => panic!("expected a notice, got {other:?}"),
    }
}

#[test]
fn app_backup_key_writes_backup() {
    let folder = tempfile::tempdir().unwrap();
    let store = demo_club(&folder.path().join("db"), 15);
    let settings = common::settings(store.path(), carnet::i18n::Language::En);
    let clock = common::clock(now());
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();

    app.update(Action::Command(Key::Backup));
    let (lines, warning) = notice_lines(&app);
    assert!(!warning, "{lines:?}");
    let backups = carnet::backups::dated_backups(&settings.backup_folder());
    assert_eq!(backups.len(), 1);
    let (_, file) = &backups[0];
    assert!(lines[0].contains(&file.display().to_string()), "{lines:?}");
    assert_eq!(mode(file), 0o600);
    assert_eq!(mode(&settings.backup_folder()), 0o700);

    // The backup taken while the app holds the database restores into a clean one.
    let target = folder.path().join("restored");
    restore_backup(file, &target, options(), now()).unwrap();
    let restored = open(&target);
    assert_clean(&restored);
    assert_eq!(accounts(&restored), accounts(&store));
}

#[test]
fn daily_backup_once_a_day_and_pruned() {
    let folder = tempfile::tempdir().unwrap();
    let store = demo_club(&folder.path().join("db"), 10);
    let mut settings = common::settings(store.path(), carnet::i18n::Language::En);
    settings.backup_keep = 2;
    let catalog = carnet::i18n::Catalog::new(settings.language);
    let backup_folder = settings.backup_folder();

    for day in 0..4 {
        let at = now() + chrono::Duration::days(day);
        let outcome = carnet::backups::daily_backup(&store, &settings, &catalog, at);
        assert!(
            matches!(outcome, carnet::backups::DailyBackup::Taken(_)),
            "{outcome:?}"
        );
        let again = carnet::backups::daily_backup(&store, &settings, &catalog, at);
        assert_eq!(again, carnet::backups::DailyBackup::Recent);
    }
    let kept = carnet::backups::dated_backups(&backup_folder);
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1].0, now() + chrono::Duration::days(3));

    // Daily backups off: a warning names the date of the last one.
    settings.backup_keep = 0;
    let later = now() + chrono::Duration::days(6);
    let outcome = carnet::backups::daily_backup(&store, &settings, &catalog, later);
    assert_eq!(
        outcome,
        carnet::backups::DailyBackup::Stale {
            last: Some(now() + chrono::Duration::days(3)),
            error: None
        }
    );
    let clock = common::clock(later);
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.daily_backup();
    let (lines, warning) = notice_lines(&app);
    assert!(warning);
    assert!(
        lines[0].contains("07/12/2026") || lines[0].contains("2026"),
        "{lines:?}"
    );
    assert!(lines[0].contains("F11"), "{lines:?}");
}

#[test]
fn profile_erase_needs_confirmation() {
    let folder = tempfile::tempdir().unwrap();
    let store = demo_club(&folder.path().join("db"), 20);
    let member = member_with_cards(&store);
    let before = accounts(&store);
    let settings = common::settings(store.path(), carnet::i18n::Language::En);
    let clock = common::clock(now());
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Key::Members));
    app.members.show_profile(&store, member.id).unwrap();

    // Esc closes the dialog and erases nothing.
    app.update(Action::Command(Key::Erase));
    let MembersMode::Profile(profile) = &app.members.mode else {
        panic!("profile shown");
    };
    assert!(profile.dialog.is_some());
    app.update(Action::Cancel);
    assert!(!store.is_erased(member.id).unwrap());

    // Neither typed text nor Enter confirms it, since a scanner sends both; Ctrl-D again does.
    app.update(Action::Command(Key::Erase));
    app.update(Action::Submit);
    assert!(!store.is_erased(member.id).unwrap());
    app.update(Action::Command(Key::Erase));
    assert!(store.is_erased(member.id).unwrap());
    let MembersMode::Profile(profile) = &app.members.mode else {
        panic!("profile still shown");
    };
    assert_eq!(
        profile.member.full_name(),
        format!("Erased member #{}", member.id.0)
    );
    assert!(profile.dialog.is_none());
    assert_eq!(accounts(&store), before);
}

/// Draws the app on an 80×24 test terminal without colours and returns the text.
fn screen_text(app: &App) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|frame| carnet::tui::view::draw(frame, app, &carnet::tui::theme::Theme::plain()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..24 {
        let line: String = (0..80).map(|x| buffer[(x, y)].symbol()).collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

#[test]
fn screens_show_backup_and_erase() {
    let folder = tempfile::tempdir().unwrap();
    let store = open(&folder.path().join("db"));
    let member = common::member_with_code(&store, "Zoé", "Bernard", "10000001", now());
    let mut settings = common::settings(store.path(), carnet::i18n::Language::Fr);
    settings.backup_folder = Some(PathBuf::from("/sauvegardes/club"));
    let clock = common::clock(now());
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();

    app.panel = Panel::Notice {
        lines: vec![app.catalog.tf(
            "data.backup_taken",
            &[(
                "path",
                &"/sauvegardes/club/carnet-20261204-170000.carnetbak",
            )],
        )],
        warning: false,
    };
    let desk = screen_text(&app);
    assert!(desk.contains("✔ Sauvegarde écrite dans"), "{desk}");
    assert!(desk.contains("carnet-20261204-170000.carnetbak"), "{desk}");

    app.update(Action::Command(Key::Members));
    app.members.show_profile(&store, member.id).unwrap();
    app.update(Action::Command(Key::Erase));
    let dialog = screen_text(&app);
    assert!(
        dialog.contains("Effacer les données personnelles"),
        "{dialog}"
    );
    assert!(dialog.contains("Zoé Bernard (10000001)"), "{dialog}");
    assert!(
        dialog.contains("Ctrl-D à nouveau : effacer · Échap : annuler"),
        "{dialog}"
    );
}

#[test]
fn app_backs_up_past_midnight() {
    let folder = tempfile::tempdir().unwrap();
    let store = demo_club(&folder.path().join("db"), 10);
    let settings = common::settings(store.path(), carnet::i18n::Language::En);
    let clock = common::clock(now());
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    let backup_folder = settings.backup_folder();

    // A test App takes no daily backup until the app's start turns them on.
    clock.advance(chrono::Duration::days(1));
    app.update(Action::Tick);
    assert!(carnet::backups::dated_backups(&backup_folder).is_empty());

    app.daily_backup();
    assert_eq!(carnet::backups::dated_backups(&backup_folder).len(), 1);
    assert!(matches!(app.panel, Panel::Ready), "{:?}", app.panel);

    // The same day, a tick writes nothing; the next day's first tick writes one.
    clock.advance(chrono::Duration::hours(1));
    app.update(Action::Tick);
    assert_eq!(carnet::backups::dated_backups(&backup_folder).len(), 1);
    clock.advance(chrono::Duration::days(1));
    app.update(Action::Tick);
    assert_eq!(carnet::backups::dated_backups(&backup_folder).len(), 2);
}
