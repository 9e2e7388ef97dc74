//! Importing members from CSV files: the format rules, the files of tests/data/import (layouts
//! of French club tools, every row invented), the dry run, the all-or-nothing write and
//! re-imports.

mod common;

use carnet::domain::EventKind;
use carnet::domain::card_type::Validity;
use carnet::import::plan::{ImportPlan, SkipReason};
use carnet::import::{
    Encoding, Field, Preset, Problem, ReadFile, Separator, Warning, plan_import, read_file,
};
use carnet::store::Store;
use chrono::NaiveDate;
use common::{card_type, context, date, open, paris};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn today() -> NaiveDate {
    date(2026, 12, 4)
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

fn read(name: &str) -> ReadFile {
    let bytes = std::fs::read(data(name)).expect("test file exists");
    read_file(&bytes, Preset::Auto, None, today()).expect("file reads")
}

fn read_text(text: &str) -> ReadFile {
    read_file(text.as_bytes(), Preset::Auto, None, today()).expect("text reads")
}

fn plan(store: &Store, file: &ReadFile) -> ImportPlan {
    let members: Vec<_> = store.members().collect::<Result<_, _>>().unwrap();
    let card_types = store.card_types().unwrap();
    plan_import(&file.rows, &file.problems, &members, &card_types, today())
}

/// Opens a club whose card types have the names used in the French test files.
fn club(folder: &Path) -> Store {
    let store = open(&folder.join("db"));
    card_type(&store, "10 séances adulte", 10, Validity::Months(12));
    card_type(&store, "5 séances adulte", 5, Validity::Months(12));
    card_type(&store, "10 séances enfant", 10, Validity::Months(12));
    store
}

fn commit(store: &Store, plan: &ImportPlan) -> carnet::store::ImportOutcome {
    store
        .import_members(plan, &context(paris(2026, 12, 4, 10, 0, 0)))
        .expect("import written")
}

// ---------------------------------------------------------------------------------------------
// Encodings and separators
// ---------------------------------------------------------------------------------------------

#[test]
fn encodings_and_separators_detected() {
    let cases = [
        (
            "members-fr-bom.csv",
            Encoding::Utf8Bom,
            Separator::Semicolon,
        ),
        (
            "members-fr-cp1252.csv",
            Encoding::Windows1252,
            Separator::Semicolon,
        ),
        ("members-comma.csv", Encoding::Utf8, Separator::Comma),
    ];
    for (name, encoding, separator) in cases {
        let file = read(name);
        assert_eq!(file.encoding, encoding, "{name}");
        assert_eq!(file.table.separator, separator, "{name}");
        assert_eq!(
            file.mapping.columns[0],
            Some(Field::LastName),
            "{name}: Nom"
        );
    }
}

#[test]
fn tab_separated_file() {
    let file = read_text("Nom\tPrénom\tE-mail\nDupont\tMarie\tm@exemple.fr\n");
    assert_eq!(file.table.separator, Separator::Tab);
    assert_eq!(file.rows[0].member.email.as_deref(), Some("m@exemple.fr"));
}

#[test]
fn three_encodings_store_same_text() {
    let mut stored = Vec::new();
    for name in [
        "members-fr-bom.csv",
        "members-fr-cp1252.csv",
        "members-comma.csv",
    ] {
        let folder = tempfile::tempdir().unwrap();
        let store = club(folder.path());
        commit(&store, &plan(&store, &read(name)));
        let mut members: Vec<_> = store
            .members()
            .map(|m| {
                let m = m.unwrap();
                (m.first_name, m.last_name, m.email, m.phone, m.birth_date)
            })
            .collect();
        members.sort();
        stored.push(members);
    }
    assert_eq!(stored[0], stored[1], "UTF-8 with BOM and Windows-1252");
    assert_eq!(stored[0], stored[2], "semicolon and comma");
    let names: Vec<&str> = stored[0].iter().map(|m| m.0.as_str()).collect();
    assert!(names.contains(&"Zoé"), "{names:?}");
    assert!(names.contains(&"François"), "{names:?}");
    assert!(!names.iter().any(|name| name.contains('Ã')), "{names:?}");
}

#[test]
fn quoted_separator_and_line_break() {
    let text = "Nom;Prénom;Notes\n\"Le Goff\";Yann;\"lundi ; niveau 2\nmardi\"\nMartin;Paul;x\n";
    let file = read_text(text);
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    assert_eq!(file.rows[0].member.notes, "lundi ; niveau 2\nmardi");
    assert_eq!(
        file.rows[1].line, 4,
        "the quoted line break counts as a line"
    );
}

// ---------------------------------------------------------------------------------------------
// Values: dates, amounts, phones
// ---------------------------------------------------------------------------------------------

#[test]
fn dates_are_day_first() {
    let file = read_text("Nom;Prénom;Né(e) le\nA;B;05/03/1987\nC;D;5/3/1987\nE;F;1987-03-05\n");
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    for row in &file.rows {
        assert_eq!(
            row.member.birth_date,
            Some(date(1987, 3, 5)),
            "line {}",
            row.line
        );
    }
}

#[test]
fn two_digit_year_flagged() {
    let file = read_text("Nom;Prénom;Né(e) le\nA;B;05/03/87\n");
    assert!(file.rows.is_empty());
    assert_eq!(file.problems.len(), 1);
    assert_eq!(file.problems[0].line, 2);
    assert_eq!(file.problems[0].column.as_deref(), Some("Né(e) le"));
    assert!(matches!(
        file.problems[0].problem,
        Problem::BirthDate(carnet::domain::member_form::BirthDateError::Unreadable(
            carnet::domain::input::DateError::TwoDigitYear(_)
        ))
    ));
}

#[test]
fn amounts_to_cents() {
    let cases = [
        ("12,50 €", 1250),
        ("12,50", 1250),
        ("12.50", 1250),
        ("1\u{a0}234,56 €", 123_456),
        ("1\u{202f}234,56", 123_456),
        ("€12,50", 1250),
        ("12,5", 1250),
        ("1 020,50 €", 102_050),
    ];
    for (text, cents) in cases {
        let csv = format!("Nom;Prénom;Carnet;Montant\nA;B;10 séances;\"{text}\"\n");
        let file = read_text(&csv);
        assert!(file.problems.is_empty(), "{text}: {:?}", file.problems);
        let card = file.rows[0].card.as_ref().expect("card read");
        assert_eq!(card.amount_cents, Some(cents), "{text}");
    }
}

#[test]
fn amount_with_three_decimals_rejected() {
    let file = read_text("Nom;Prénom;Carnet;Montant\nA;B;10 séances;\"12,505\"\n");
    assert!(file.rows.is_empty());
    assert_eq!(file.problems[0].column.as_deref(), Some("Montant"));
    assert!(matches!(file.problems[0].problem, Problem::Amount(_)));
}

#[test]
fn phones_in_every_french_writing() {
    let writings = [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "0033612345678",
    ];
    for writing in writings {
        let file = read_text(&format!("Nom;Prénom;Téléphone\nA;B;{writing}\n"));
        assert_eq!(
            file.rows[0].member.phone.as_deref(),
            Some("+33612345678"),
            "{writing}"
        );
        assert!(file.rows[0].warnings.is_empty(), "{writing}");
    }
}

#[test]
fn dropped_leading_zero_restored_with_warning() {
    let file = read_text("Nom;Prénom;Portable\nA;B;612345678\n");
    assert_eq!(file.rows[0].member.phone.as_deref(), Some("+33612345678"));
    let warnings = &file.rows[0].warnings;
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].column.as_deref(), Some("Portable"));
    assert!(matches!(warnings[0].warning, Warning::PhoneRepaired { .. }));
}

#[test]
fn belgian_phone_stays_belgian() {
    let file = read_text("Nom;Prénom;Tél\nA;B;+32 444 12 34 56\n");
    assert_eq!(file.rows[0].member.phone.as_deref(), Some("+32444123456"));
}

#[test]
fn english_headers_matched() {
    let file = read_text(
        "lastname,firstname,email,birth date,phone\nDoe,Jane,j@example.com,1990-01-02,0612345678\n",
    );
    let row = &file.rows[0];
    assert_eq!(row.member.last_name, "Doe");
    assert_eq!(row.member.first_name, "Jane");
    assert_eq!(row.member.birth_date, Some(date(1990, 1, 2)));
}

// ---------------------------------------------------------------------------------------------
// Bad rows
// ---------------------------------------------------------------------------------------------

#[test]
fn stray_separator_reported_by_line() {
    let file = read("members-bad-row.csv");
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    assert_eq!(file.problems[0].line, 4, "MARTIN is on the fourth line");
    assert_eq!(
        file.problems[0].problem,
        Problem::FieldCount {
            found: 8,
            expected: 7
        }
    );
    assert_eq!(file.rows.len(), 5);
}

#[test]
fn galette_malformed_row_reported() {
    let file = read("members-galette-like.csv");
    assert_eq!(file.mapping.preset, Preset::Galette);
    assert_eq!(file.problems.len(), 1, "{:?}", file.problems);
    assert_eq!(file.problems[0].line, 3);
    assert_eq!(file.problems[0].column.as_deref(), Some("prenom_adh"));
    assert_eq!(file.problems[0].problem, Problem::StrayQuote);
    assert_eq!(file.rows.len(), 2);
}

#[test]
fn every_bad_value_named() {
    let text = "Nom;Prénom;E-mail;Téléphone\n;Zoé;zoe@;123\n";
    let file = read_text(text);
    let mut columns: Vec<Option<&str>> =
        file.problems.iter().map(|p| p.column.as_deref()).collect();
    columns.sort();
    assert_eq!(
        columns,
        vec![Some("E-mail"), Some("Nom"), Some("Téléphone")]
    );
    assert!(file.problems.iter().all(|p| p.line == 2));
}

#[test]
fn language_column_sets_member_language() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let text = "Nom;Prénom;Langue\nAbel;Anne;anglais\nBrun;Bruno;\nCohen;Chloé;breton\n";
    let file = read_text(text);
    let problems: Vec<(u64, Option<&str>)> = file
        .problems
        .iter()
        .map(|p| (p.line, p.column.as_deref()))
        .collect();
    assert_eq!(problems, [(4, Some("Langue"))]);
    let plan = plan(&store, &file);
    let outcome = commit(&store, &plan);
    let languages: Vec<_> = outcome
        .members
        .iter()
        .map(|member| store.member_language(member.id).unwrap())
        .collect();
    assert_eq!(languages, [Some(carnet::i18n::Language::En), None]);
}

#[test]
fn impossible_cards_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let text = "Nom;Prénom;Carnet;Séances restantes;Montant;Date d'achat;Fin de validité\n\
                Abel;Anne;10 séances adulte;3;99999999999999;01/09/2026;\n\
                Brun;Bruno;10 séances adulte;3;120;01/09/2099;\n\
                Cohen;Chloé;5 séances adulte;9;60;01/09/2026;\n\
                Dubois;Denis;5 séances adulte;2;60;01/09/2026;31/08/2026\n";
    let file = read_text(text);
    let problems: Vec<(u64, Option<&str>)> = file
        .problems
        .iter()
        .map(|p| (p.line, p.column.as_deref()))
        .collect();
    assert!(problems.contains(&(2, Some("Montant"))), "{problems:?}");
    assert!(
        problems.contains(&(3, Some("Date d'achat"))),
        "{problems:?}"
    );
    // Nine sessions left on a card of five is possible after a carry-over, so it is a warning.
    let plan = plan(&store, &file);
    let warned: Vec<u64> = plan.warnings.iter().map(|w| w.line).collect();
    assert_eq!(warned, [4]);
}

// ---------------------------------------------------------------------------------------------
// Shared files: the dry run announces what the write does
// ---------------------------------------------------------------------------------------------

#[test]
fn every_file_imports_as_announced() {
    let expected = [
        // (file, members, cards, bad rows)
        ("members-fr-bom.csv", 5, 4, 0),
        ("members-fr-cp1252.csv", 5, 4, 0),
        ("members-comma.csv", 5, 4, 0),
        ("members-bad-row.csv", 5, 4, 1),
        ("members-dolibarr-like.csv", 3, 0, 0),
        ("members-galette-like.csv", 2, 0, 1),
        ("members-helloasso-like.csv", 3, 0, 0),
    ];
    for (name, members, cards, bad) in expected {
        let folder = tempfile::tempdir().unwrap();
        let store = club(folder.path());
        let file = read(name);
        let plan = plan(&store, &file);
        assert_eq!(plan.members_to_create(), members, "{name}: members");
        assert_eq!(plan.cards_to_create(), cards, "{name}: cards");
        assert_eq!(plan.problems.len(), bad, "{name}: bad rows");

        let outcome = commit(&store, &plan);
        assert_eq!(outcome.members.len(), members, "{name}: members written");
        assert_eq!(outcome.cards.len(), cards, "{name}: cards written");
        assert_eq!(store.member_count(), members, "{name}: members stored");
        assert_eq!(store.card_count(), cards, "{name}: cards stored");
        assert!(store.verify_balances().unwrap().is_empty(), "{name}: check");
    }
}

#[test]
fn reimport_creates_no_duplicates() {
    let folder = tempfile::tempdir().unwrap();
    let store = club(folder.path());
    let file = read("members-fr-bom.csv");
    commit(&store, &plan(&store, &file));
    let count = store.member_count();

    for name in [
        "members-fr-bom.csv",
        "members-fr-cp1252.csv",
        "members-comma.csv",
    ] {
        let again = plan(&store, &read(name));
        assert_eq!(again.members_to_create(), 0, "{name}");
        assert_eq!(again.skipped.len(), 5, "{name}");
        assert!(
            again
                .skipped
                .iter()
                .all(|s| matches!(s.reason, SkipReason::InDatabase { .. })),
            "{name}"
        );
    }
    assert_eq!(store.member_count(), count);
}

#[test]
fn repeated_row_in_file_skipped() {
    let file =
        read_text("Nom;Prénom;E-mail\nDupont;Marie;m@exemple.fr\nDUPONT;marie;M@exemple.fr\n");
    let folder = tempfile::tempdir().unwrap();
    let store = open(&folder.path().join("db"));
    let plan = plan(&store, &file);
    assert_eq!(plan.members_to_create(), 1);
    assert_eq!(
        plan.skipped[0].reason,
        SkipReason::RepeatedInFile { first_line: 2 }
    );
}

#[test]
fn likely_duplicate_reported() {
    let folder = tempfile::tempdir().unwrap();
    let store = club(folder.path());
    commit(&store, &plan(&store, &read("members-bad-row.csv")));
    let same_email = read_text("Nom;Prénom;E-mail\nLefèvre;Zoé-Anne;zoe.lefevre@exemple.fr\n");
    let plan = plan_import(
        &same_email.rows,
        &same_email.problems,
        &store.members().collect::<Result<Vec<_>, _>>().unwrap(),
        &store.card_types().unwrap(),
        today(),
    );
    let row = plan
        .duplicate_rows()
        .next()
        .expect("same e-mail is a likely duplicate");
    assert_eq!(row.duplicates[0].name, "Zoé LEFÈVRE");
    assert_eq!(
        plan.members_to_create(),
        1,
        "created anyway, after the user saw it"
    );
}

// ---------------------------------------------------------------------------------------------
// Cards and balances
// ---------------------------------------------------------------------------------------------

#[test]
fn imported_cards_keep_their_balance() {
    let folder = tempfile::tempdir().unwrap();
    let store = club(folder.path());
    let text = "Nom;Prénom;Carnet;Séances restantes;Expiration\n\
                Dupont;Marie;10 SEANCES ADULTE;7;30/06/2027\n\
                Martin;Paul;5 séances adulte;;\n";
    let file = read_text(text);
    let plan = plan(&store, &file);
    let outcome = commit(&store, &plan);
    assert_eq!(outcome.cards.len(), 2);

    let marie = &outcome.cards[0];
    assert_eq!(marie.name, "10 séances adulte");
    assert_eq!(marie.sessions_remaining, 7);
    assert_eq!(
        marie.sessions_total, 10,
        "7 left of the type's 10, so each session is worth a tenth of the price"
    );
    assert_eq!(marie.expires_on, Some(date(2027, 6, 30)));
    let events = store.events_of_card(marie.id).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].kind,
        EventKind::Imported {
            sessions: 7,
            price_cents: 12_000
        }
    );
    assert_eq!(events[0].session_delta(), 7);

    let paul = &outcome.cards[1];
    assert_eq!(
        paul.sessions_remaining, 5,
        "a full card when the file gives no balance"
    );
    assert_eq!(
        paul.expires_on,
        Some(date(2027, 12, 4)),
        "12 months from the import"
    );
    assert!(store.verify_balances().unwrap().is_empty());
}

#[test]
fn unknown_card_type_reported() {
    let folder = tempfile::tempdir().unwrap();
    let store = club(folder.path());
    let file = read_text("Nom;Prénom;Carnet\nDupont;Marie;Aquagym\n");
    let plan = plan(&store, &file);
    assert_eq!(plan.members_to_create(), 1);
    assert_eq!(plan.cards_to_create(), 0);
    assert_eq!(plan.unknown_card_types.get("Aquagym"), Some(&1));
}

// ---------------------------------------------------------------------------------------------
// All or nothing
// ---------------------------------------------------------------------------------------------

#[test]
fn failed_write_leaves_database_unchanged() {
    let folder = tempfile::tempdir().unwrap();
    let store = club(folder.path());
    let file = read("members-fr-bom.csv");
    let mut plan = plan(&store, &file);
    // The last card's type disappears between the dry run and the write.
    let last = plan
        .create
        .iter_mut()
        .rev()
        .find_map(|row| row.card.as_mut())
        .expect("a card to break");
    last.card_type.id = carnet::domain::CardTypeId(999);

    let before = (store.member_count(), store.card_count(), store.ledger_len());
    let result = store.import_members(&plan, &context(paris(2026, 12, 4, 10, 0, 0)));
    assert!(result.is_err());
    assert_eq!(
        (store.member_count(), store.card_count(), store.ledger_len()),
        before
    );
    assert_eq!(store.members().count(), 0);
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

struct CliClub {
    folder: tempfile::TempDir,
}

impl CliClub {
    fn new() -> CliClub {
        let folder = tempfile::tempdir().unwrap();
        drop(club(folder.path()));
        CliClub { folder }
    }

    fn run(&self, args: &[&str]) -> Output {
        let config = self.folder.path().join("config.toml");
        std::fs::write(
            &config,
            "[ui]\nlanguage = \"en\"\n[import]\nmapping = \"no-mapping.toml\"\n",
        )
        .unwrap();
        Command::new(env!("CARGO_BIN_EXE_carnet"))
            .arg("--config")
            .arg(&config)
            .arg("--db")
            .arg(self.folder.path().join("db"))
            .args(args)
            .env("XDG_DATA_HOME", self.folder.path())
            .stdin(Stdio::null())
            .output()
            .expect("carnet started")
    }

    fn members(&self) -> usize {
        open(&self.folder.path().join("db")).member_count()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn cli_dry_run_writes_nothing() {
    let club = CliClub::new();
    let file = data("members-fr-bom.csv");
    let output = club.run(&["import", "members", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("Members to create: 5"),
        "{}",
        stdout(&output)
    );
    assert_eq!(club.members(), 0);
}

#[test]
fn cli_bad_rows_block_commit() {
    let club = CliClub::new();
    let file = data("members-bad-row.csv");
    let path = file.to_str().unwrap();

    let dry = club.run(&["import", "members", path]);
    assert_eq!(dry.status.code(), Some(1));
    assert!(stdout(&dry).contains("line 4:"), "{}", stdout(&dry));

    let refused = club.run(&["import", "members", path, "--commit"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(club.members(), 0);

    let done = club.run(&["import", "members", path, "--commit", "--skip-bad-rows"]);
    assert_eq!(done.status.code(), Some(0), "{}", stdout(&done));
    assert!(
        stdout(&done).contains("Members created: 5"),
        "{}",
        stdout(&done)
    );
    assert_eq!(club.members(), 5);

    let again = club.run(&["import", "members", path, "--commit", "--skip-bad-rows"]);
    assert!(
        stdout(&again).contains("Nothing to import"),
        "{}",
        stdout(&again)
    );
    assert_eq!(club.members(), 5);
}

#[test]
fn cli_missing_file_is_an_error() {
    let club = CliClub::new();
    let output = club.run(&["import", "members", "/nonexistent/members.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/members.csv"));
}

// ---------------------------------------------------------------------------------------------
// Messages in each language
// ---------------------------------------------------------------------------------------------

#[test]
fn dry_run_in_french_and_english() {
    use carnet::i18n::{Catalog, Language};
    use carnet::import::report::dry_run_lines;

    let folder = tempfile::tempdir().unwrap();
    let store = club(folder.path());
    let file = read("members-bad-row.csv");
    let plan = plan(&store, &file);

    let english = dry_run_lines(&Catalog::new(Language::En), &file, &plan).join("\n");
    assert!(english.contains("Members to create: 5"), "{english}");
    assert!(
        english.contains("line 4: 8 fields where the header has 7"),
        "{english}"
    );
    assert!(english.contains("\"Yoga 10 cours\", rows: 1"), "{english}");

    let french = dry_run_lines(&Catalog::new(Language::Fr), &file, &plan).join("\n");
    assert!(french.contains("Adhérents à créer : 5"), "{french}");
    assert!(
        french.contains("ligne 4 : 8 champs alors que l’en-tête a 7 colonnes"),
        "{french}"
    );
    assert!(
        french.contains("ligne 7, colonne « Téléphone »"),
        "{french}"
    );
}

#[test]
fn imported_event_in_card_history() {
    use carnet::i18n::{Catalog, Language};

    let folder = tempfile::tempdir().unwrap();
    let store = club(folder.path());
    let file = read_text("Nom;Prénom;Carnet;Séances restantes\nDupont;Marie;10 séances adulte;7\n");
    let outcome = commit(&store, &plan(&store, &file));
    let event = store.events_of_card(outcome.cards[0].id).unwrap().remove(0);
    let zone = chrono_tz::Europe::Paris;

    let english = carnet::messages::ledger_line(&Catalog::new(Language::En), &event, zone, &[]);
    assert!(
        english.contains("imported with 7 sessions left"),
        "{english}"
    );
    let french = carnet::messages::ledger_line(&Catalog::new(Language::Fr), &event, zone, &[]);
    assert!(
        french.contains("importé avec 7 séances restantes"),
        "{french}"
    );
}

#[test]
fn checkin_after_import_uses_balance() {
    let folder = tempfile::tempdir().unwrap();
    let store = club(folder.path());
    let file = read_text("Nom;Prénom;Carnet;Séances restantes\nDupont;Marie;10 séances adulte;2\n");
    let outcome = commit(&store, &plan(&store, &file));
    let member = &outcome.members[0];

    let settings = common::settings(&folder.path().join("db"), carnet::i18n::Language::En);
    let clock = common::clock(paris(2026, 12, 4, 18, 0, 0));
    let request = carnet::desk::ScanRequest {
        activity: None,
        charge_again: false,
    };
    carnet::desk::check_in_scan(&store, &settings, &clock, member.code.as_str(), request)
        .unwrap()
        .expect("a scan result");
    let card = store.card(outcome.cards[0].id).unwrap().unwrap();
    assert_eq!(card.sessions_remaining, 1);
    assert!(store.verify_balances().unwrap().is_empty());
}
