//! Reports on a small club built through the store, with figures worked out by hand, on the
//! demo club for the reconciliation rules, and through `carnet report`.

mod common;

use carnet::domain::card::CardStatus;
use carnet::domain::card_type::Validity;
use carnet::domain::checkin::CheckInRules;
use carnet::domain::sale::{PaymentInput, PaymentMethod};
use carnet::domain::{ClubTime, MemberCode};
use carnet::reports::{self, Facts, Period, Report, Stop};
use carnet::store::{CheckInOutcome, Store};
use chrono::{DateTime, Duration, Utc};
use common::{card_type, context, date, member_with_code, open, paris};

const PARIS: ClubTime = ClubTime {
    zone: chrono_tz::Europe::Paris,
};

fn check_in(store: &Store, code: &str, now: DateTime<Utc>) -> u64 {
    let rules = CheckInRules {
        today: PARIS.local_date(now),
        now,
        activity: None,
        repeat_guard: Duration::zero(),
        charge_again: true,
    };
    let code = MemberCode::parse(code).expect("valid code");
    match store
        .check_in(&code, &rules, &context(now))
        .expect("check-in")
    {
        CheckInOutcome::Accepted { event, .. } => event.id.0,
        other => panic!("check-in at {now} not accepted: {other:?}"),
    }
}

fn sell(
    store: &Store,
    member: &carnet::domain::Member,
    type_id: carnet::domain::CardTypeId,
    at: DateTime<Utc>,
    method: PaymentMethod,
) -> carnet::domain::CardId {
    let payments = [PaymentInput {
        method,
        amount_cents: None,
    }];
    let sale = store
        .sell_card_with_payments(
            member.id,
            type_id,
            PARIS.local_date(at),
            &payments,
            &context(at),
        )
        .expect("stored")
        .expect("sale accepted");
    sale.card.id
}

/// The club of the tests, in Paris (UTC+1 in November):
/// - Anne's 10-session card A1 (120 €, 12 months), sold 15/10/2025, used on 31/10 at 23:30,
///   01/11 at 00:30, 05/11 at 18:00 (reverted), 30/11 at 23:30 and 01/12 at 00:30.
/// - Bruno's 5-session card B1 (120 €, 30 days), sold 01/10/2025 and used twice in October,
///   expired after 31/10 with 3 sessions left. His B2, sold 03/11, was used up by 08/11.
/// - Chloé's A2, sold 10/11 by bank card, used 12/11, refunded 40 € on 15/11 and kept open;
///   her A3, sold 20/11 in cash and cancelled the same day.
fn small_club(dir: &std::path::Path) -> Store {
    let store = open(dir);
    let setup = paris(2025, 9, 1, 9, 0, 0);
    let type_a = card_type(&store, "Carnet 10", 10, Validity::Months(12));
    let type_b = card_type(&store, "Carnet 5", 5, Validity::Days(30));
    let anne = member_with_code(&store, "Anne", "Arnaud", "1001", setup);
    let bruno = member_with_code(&store, "Bruno", "Blanc", "1002", setup);
    let chloe = member_with_code(&store, "Chloé", "Colin", "1003", setup);

    sell(
        &store,
        &bruno,
        type_b.id,
        paris(2025, 10, 1, 10, 0, 0),
        PaymentMethod::Cash,
    );
    check_in(&store, "1002", paris(2025, 10, 2, 10, 0, 0));
    check_in(&store, "1002", paris(2025, 10, 9, 10, 0, 0));
    sell(
        &store,
        &anne,
        type_a.id,
        paris(2025, 10, 15, 10, 0, 0),
        PaymentMethod::Cash,
    );
    check_in(&store, "1001", paris(2025, 10, 31, 23, 30, 0));
    check_in(&store, "1001", paris(2025, 11, 1, 0, 30, 0));
    sell(
        &store,
        &bruno,
        type_b.id,
        paris(2025, 11, 3, 10, 0, 0),
        PaymentMethod::Cheque,
    );
    for day in 4..=8 {
        check_in(&store, "1002", paris(2025, 11, day, 10, 0, 0));
    }
    let undone = check_in(&store, "1001", paris(2025, 11, 5, 18, 0, 0));
    store
        .revert_check_in(
            carnet::domain::EventId(undone),
            &context(paris(2025, 11, 5, 18, 1, 0)),
        )
        .expect("reverted");
    let a2 = sell(
        &store,
        &chloe,
        type_a.id,
        paris(2025, 11, 10, 10, 0, 0),
        PaymentMethod::Card,
    );
    check_in(&store, "1003", paris(2025, 11, 12, 10, 0, 0));
    store
        .refund(
            a2,
            PaymentMethod::Card,
            4_000,
            "moved away",
            &context(paris(2025, 11, 15, 10, 0, 0)),
        )
        .expect("stored")
        .expect("refund accepted");
    let a3 = sell(
        &store,
        &chloe,
        type_a.id,
        paris(2025, 11, 20, 10, 0, 0),
        PaymentMethod::Cash,
    );
    store
        .cancel_sale(
            a3,
            "sold by mistake",
            date(2025, 11, 20),
            &context(paris(2025, 11, 20, 10, 5, 0)),
        )
        .expect("stored")
        .expect("cancel accepted");
    check_in(&store, "1001", paris(2025, 11, 30, 23, 30, 0));
    check_in(&store, "1001", paris(2025, 12, 1, 0, 30, 0));
    store
}

fn november(store: &Store) -> (Report, reports::Names) {
    let period = Period::new(date(2025, 11, 1), date(2025, 11, 30)).unwrap();
    reports::compute_from_store(store, period, &PARIS).expect("report")
}

#[test]
fn usage_counts_paris_days_without_reverted() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let (report, names) = november(&store);
    let usage = &report.usage;
    // 01/11 00:30 and 30/11 23:30 are in November in Paris though not in UTC; 31/10 23:30 and
    // 01/12 00:30 are not, and the check-in of 05/11 18:00 was reverted.
    assert_eq!(usage.sessions, 8);
    assert_eq!(usage.reverted, 1);
    assert_eq!(usage.members, 3);
    assert_eq!(usage.buckets.len(), 30);
    assert_eq!(usage.buckets[0], (date(2025, 11, 1), 1));
    assert_eq!(usage.buckets[29], (date(2025, 11, 30), 1));
    assert_eq!(usage.buckets[4], (date(2025, 11, 5), 1));
    let by_type: Vec<(String, u64)> = usage
        .by_type
        .iter()
        .map(|(id, n)| (names.card_type(*id), *n))
        .collect();
    assert_eq!(
        by_type,
        [("Carnet 5".to_owned(), 5), ("Carnet 10".to_owned(), 3)]
    );
    assert_eq!(usage.by_activity, [(None, 8)]);
    // Saturday 01/11 at 0 h, Sunday 30/11 at 23 h, Wednesday 12/11 at 10 h.
    assert_eq!(usage.grid[5][0], 1);
    assert_eq!(usage.grid[6][23], 1);
    assert_eq!(usage.grid[2][10], 2);
    assert_eq!(usage.grid.iter().flatten().sum::<u64>(), 8);
    assert!((usage.average() - 8.0 / 30.0).abs() < 1e-9);
}

#[test]
fn sales_subtract_refunds_and_cancellations() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let (report, _) = november(&store);
    let sales = &report.sales;
    assert_eq!(sales.total.cards, 3);
    assert_eq!(sales.total.sessions, 25);
    assert_eq!(sales.total.gross_cents, 36_000);
    assert_eq!((sales.refunds, sales.refunds_cents), (1, 4_000));
    assert_eq!(
        (sales.cancellations, sales.cancellations_cents),
        (1, 12_000)
    );
    assert_eq!(sales.total.revenue_cents(), 20_000);
    assert_eq!(sales.total.per_session_cents(), Some(800.0));
    let methods: Vec<(PaymentMethod, i64, i64)> = sales
        .by_method
        .iter()
        .map(|(m, line)| (*m, line.paid_cents, line.refunded_cents))
        .collect();
    assert_eq!(
        methods,
        [
            (PaymentMethod::Cash, 12_000, 0),
            (PaymentMethod::Cheque, 12_000, 0),
            (PaymentMethod::Card, 12_000, 4_000),
        ]
    );
    assert_eq!(sales.by_audience.len(), 1);
    assert_eq!(sales.by_audience[0].0, "adultes");
    assert_eq!(sales.by_audience[0].1.revenue_cents(), 20_000);
}

#[test]
fn outstanding_at_end_of_period() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let (report, _) = november(&store);
    let outstanding = &report.outstanding;
    // A1: 10 - 31/10 - 01/11 - 30/11 = 7 (the reverted one gave its session back).
    // A2: 9 left, open after a partial refund. A3 cancelled, B2 used up.
    assert_eq!(outstanding.owed.cards, 2);
    assert_eq!(outstanding.owed.sessions, 16);
    assert_eq!(outstanding.owed.value_cents, 16 * 1_200);
    // B1 expired after 31/10 with 3 of 5 sessions: 3 × 24 €.
    assert_eq!(outstanding.expired.cards, 1);
    assert_eq!(outstanding.expired.sessions, 3);
    assert_eq!(outstanding.expired.value_cents, 7_200);
}

#[test]
fn card_life_of_cards_sold_in_period() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let period = Period::new(date(2025, 10, 1), date(2025, 11, 30)).unwrap();
    let (report, _) = reports::compute_from_store(&store, period, &PARIS).unwrap();
    let total = &report.card_life.total;
    assert_eq!(total.sold, 5);
    assert_eq!(total.used_up, 1);
    assert_eq!(total.expired_with_sessions, 1);
    assert_eq!(total.running, 2);
    assert_eq!(total.ended, 1);
    // B2 was sold on 03/11 and used for the last time on 08/11.
    assert_eq!(total.average_days(), Some(5.0));
    // A2 was last used 12/11, less than 30 days before the end; A1 on 30/11.
    assert_eq!(total.dormant, 0);
    assert!((total.share(total.running) - 40.0).abs() < 1e-9);
}

#[test]
fn outstanding_reconciles_with_card_balances() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let today = date(2025, 12, 1);
    let (report, _) =
        reports::compute_from_store(&store, Period::new(today, today).unwrap(), &PARIS).unwrap();
    assert_eq!(
        report.outstanding.owed.sessions,
        active_balance(&store, today)
    );
    assert_eq!(report.outstanding.owed.sessions, 15);
}

fn active_balance(store: &Store, today: chrono::NaiveDate) -> i64 {
    store
        .cards()
        .map(|card| card.unwrap())
        .filter(|card| card.status(today) == CardStatus::Active)
        .map(|card| i64::from(card.sessions_remaining))
        .sum()
}

/// Adds up sales minus refunds over the whole ledger, straight from the events.
fn ledger_revenue(store: &Store) -> i64 {
    use carnet::domain::EventKind;
    store
        .ledger()
        .map(|event| match event.unwrap().kind {
            EventKind::CardSold { price_cents, .. } => price_cents,
            EventKind::Refunded { amount_cents, .. } => -amount_cents,
            EventKind::Cancelled { refund_cents, .. } => -refund_cents,
            _ => 0,
        })
        .sum()
}

#[test]
fn small_club_revenue_reconciles_with_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let period = Period::new(date(2025, 9, 1), date(2025, 12, 1)).unwrap();
    let (report, _) = reports::compute_from_store(&store, period, &PARIS).unwrap();
    assert_eq!(report.sales.total.revenue_cents(), ledger_revenue(&store));
}

#[test]
fn demo_club_reconciles() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let now = paris(2026, 12, 4, 18, 0, 0);
    let options = carnet::demo::DemoOptions {
        members: 60,
        seed: 7,
        cards: None,
        events: None,
    };
    carnet::demo::generate(
        &store,
        PARIS,
        now,
        options,
        &indicatif::ProgressBar::hidden(),
    )
    .expect("demo club");
    let today = PARIS.local_date(now);
    let period = Period::new(date(2020, 1, 1), today).unwrap();
    let (report, _) = reports::compute_from_store(&store, period, &PARIS).unwrap();
    assert!(report.sales.total.cards > 0);
    assert_eq!(report.sales.total.revenue_cents(), ledger_revenue(&store));
    assert_eq!(
        report.outstanding.owed.sessions,
        active_balance(&store, today)
    );
    let check_ins = store
        .ledger()
        .filter(|event| {
            matches!(
                event.as_ref().unwrap().kind,
                carnet::domain::EventKind::SessionUsed { .. }
            )
        })
        .count() as u64;
    assert_eq!(report.usage.sessions + report.usage.reverted, check_ins);
}

#[test]
fn cache_file_gives_same_figures_and_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let (first, _) = november(&store);
    let cache = reports::cache::cache_path(&store);
    assert!(cache.is_file(), "the first report writes the cache");
    let (second, _) = november(&store);
    assert_eq!(first, second);

    // A check-in after the cache was written is read from the ledger.
    check_in(&store, "1003", paris(2025, 11, 28, 10, 0, 0));
    let (third, _) = november(&store);
    assert_eq!(third.usage.sessions, first.usage.sessions + 1);

    // A damaged cache is rebuilt from the ledger.
    let mut bytes = std::fs::read(&cache).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&cache, bytes).unwrap();
    let (fourth, _) = november(&store);
    assert_eq!(fourth, third);
}

#[test]
fn cache_file_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    november(&store);
    let mode = std::fs::metadata(reports::cache::cache_path(&store))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn csv_export_french_and_english() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let (report, names) = november(&store);
    let kind = reports::ReportKind::Sales;
    for (language, bom, line) in [
        (
            carnet::i18n::Language::Fr,
            true,
            "Chiffre d'affaires;200,00",
        ),
        (carnet::i18n::Language::En, false, "Revenue,200.00"),
    ] {
        let catalog = carnet::i18n::Catalog::new(language);
        let folder = dir.path().join("exports");
        let path = reports::export::save_csv(&folder, &report, kind, &names, &catalog).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.starts_with('\u{feff}'), bom);
        assert!(text.contains(line), "{text}");
        use std::os::unix::fs::PermissionsExt;
        let folder_mode = std::fs::metadata(&folder).unwrap().permissions().mode();
        assert_eq!(folder_mode & 0o777, 0o700);
        let file_mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(file_mode & 0o777, 0o600);
    }
}

fn run_cli(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    let config = db.parent().unwrap().join("report-config.toml");
    std::fs::write(
        &config,
        "[club]\ntimezone = \"Europe/Paris\"\n\n[ui]\nlanguage = \"en\"\n",
    )
    .unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_carnet"))
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("carnet runs")
}

#[test]
fn cli_prints_same_figures_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    drop(small_club(&db));
    let output = run_cli(
        &db,
        &[
            "report",
            "sales",
            "--from",
            "01/11/2025",
            "--to",
            "30/11/2025",
            "--format",
            "json",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["report"], "sales");
    assert_eq!(json["from"], "2025-11-01");
    let summary = &json["tables"][0]["rows"];
    let revenue = summary
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["item"] == "Revenue")
        .expect("revenue row");
    assert_eq!(revenue["value_cents"], 20_000);
    assert_eq!(
        revenue["id"], "revenue",
        "a stable id beside the translated label"
    );
}

#[test]
fn cli_csv_usage_and_bad_dates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    drop(small_club(&db));
    let output = run_cli(
        &db,
        &[
            "report",
            "usage",
            "--from",
            "2025-11-01",
            "--to",
            "2025-11-30",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("Usage,2025-11-01,2025-11-30"), "{text}");
    assert!(text.contains("Sessions used,8"), "{text}");

    let output = run_cli(&db, &["report", "usage", "--from", "31/02/2025"]);
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("31/02/2025"), "{error}");

    let output = run_cli(
        &db,
        &[
            "report",
            "outstanding",
            "--from",
            "30/11/2025",
            "--to",
            "01/11/2025",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
}

/// Waits for the worker's report, polling as the app's loop does.
fn wait_for_report(state: &mut carnet::tui::reports::ReportsState) -> Report {
    let catalog = carnet::i18n::Catalog::new(carnet::i18n::Language::En);
    let started = std::time::Instant::now();
    loop {
        state.poll(&catalog);
        if let Some((report, _)) = state.report() {
            return report.clone();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no report: {:?}",
            state.status
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn worker_computes_again_after_releasing_its_facts() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let period = Period::new(date(2025, 11, 1), date(2025, 11, 30)).unwrap();
    let (expected, _) = november(&store);
    std::thread::scope(|scope| {
        let mut state = carnet::tui::reports::ReportsState::new(PARIS, dir.path().join("exports"));
        state.attach(carnet::tui::reports::spawn_worker(scope, &store));
        state.request(period, &store);
        assert_eq!(wait_for_report(&mut state), expected);

        // Leaving Reports drops the facts; coming back reads them again from the cache file.
        state.release();
        state.release();
        state.request(period, &store);
        assert_eq!(wait_for_report(&mut state), expected);

        // A release queued right behind a request makes the worker skip that request; the
        // next one is answered.
        state.request(period, &store);
        state.release();
        state.request(period, &store);
        assert_eq!(wait_for_report(&mut state), expected);

        // The same while the cache file is built: a build stopped halfway is not kept.
        state.release();
        std::fs::remove_file(reports::cache::cache_path(&store)).unwrap();
        state.request(period, &store);
        state.release();
        state.request(period, &store);
        assert_eq!(wait_for_report(&mut state), expected);
    });
}

/// Adds 1,000,000 € to the amount of the first Paid record of the reports cache, as a bad
/// sector, a stray tool or a hostile user could. Records are 48 bytes after a 64-byte header,
/// and a Paid record has tag 8 and its amount at bytes 32 to 40.
fn change_first_payment(path: &std::path::Path) {
    const HEADER: usize = 64;
    const RECORD: usize = 48;
    const TAG_PAID: u8 = 8;
    let mut bytes = std::fs::read(path).unwrap();
    let mut at = HEADER;
    while at + RECORD <= bytes.len() {
        if bytes[at] == TAG_PAID {
            let field = &mut bytes[at + 32..at + 40];
            let amount = i64::from_le_bytes(field.try_into().unwrap());
            field.copy_from_slice(&(amount + 100_000_000).to_le_bytes());
            std::fs::write(path, &bytes).unwrap();
            return;
        }
        at += RECORD;
    }
    panic!("no Paid record in {}", path.display());
}

fn cash_paid(report: &Report) -> i64 {
    report
        .sales
        .by_method
        .iter()
        .find(|(method, _)| *method == PaymentMethod::Cash)
        .map_or(0, |(_, line)| line.paid_cents)
}

/// Anne's card sold in cash in November 2025, its facts loaded as the Reports worker keeps
/// them, then the cache file's payment changed on disk. Returns the store, the facts, Anne,
/// her card type and November.
fn club_with_changed_payment(
    dir: &std::path::Path,
) -> (
    Store,
    Option<Facts>,
    carnet::domain::Member,
    carnet::domain::CardTypeId,
    Period,
) {
    let store = open(dir);
    let type_a = card_type(&store, "Carnet 10", 10, Validity::Months(12));
    let anne = member_with_code(&store, "Anne", "Arnaud", "1001", paris(2025, 9, 1, 9, 0, 0));
    let sold = paris(2025, 11, 3, 10, 0, 0);
    sell(&store, &anne, type_a.id, sold, PaymentMethod::Cash);
    let november = Period::new(date(2025, 11, 1), date(2025, 11, 30)).unwrap();

    let mut loaded = None;
    let (first, _) =
        reports::compute_with(&mut loaded, &store, november, &PARIS, &Stop::default()).unwrap();
    assert_eq!(cash_paid(&first), 12_000);

    change_first_payment(&reports::cache::cache_path(&store));
    (store, loaded, anne, type_a.id, november)
}

/// A cache record changed while the worker keeps the facts is found by the CRC, and the file
/// is built again, when the next refresh only appends.
#[test]
fn changed_cache_record_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut loaded, anne, type_id, november) = club_with_changed_payment(dir.path());
    sell(
        &store,
        &anne,
        type_id,
        paris(2025, 12, 5, 10, 0, 0),
        PaymentMethod::Cash,
    );

    let (second, _) =
        reports::compute_with(&mut loaded, &store, november, &PARIS, &Stop::default()).unwrap();
    assert_eq!(cash_paid(&second), 12_000);
}

/// The same when the next refresh writes a card record a second time, which makes the commit
/// read the appended records back for their CRC.
#[test]
fn changed_cache_record_found_after_card_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut loaded, anne, type_id, november) = club_with_changed_payment(dir.path());
    let sold = paris(2025, 12, 5, 10, 0, 0);
    let card = sell(&store, &anne, type_id, sold, PaymentMethod::Cash);
    // More records than one chunk (8,192) after the card's record, so that its record is
    // already in the file when its expiry change comes, and is written again there.
    for step in 0..8_300 {
        let delta = if step % 2 == 0 { -1 } else { 1 };
        store
            .adjust_sessions(card, delta, "test", &context(paris(2025, 12, 5, 10, 1, 0)))
            .unwrap()
            .expect("adjustment accepted");
    }
    store
        .change_expiry(
            card,
            Some(date(2027, 1, 31)),
            "test",
            &context(paris(2025, 12, 5, 10, 5, 0)),
        )
        .unwrap()
        .expect("expiry change accepted");

    // November did not change: the report must still show 120 € in cash.
    let (second, _) =
        reports::compute_with(&mut loaded, &store, november, &PARIS, &Stop::default()).unwrap();
    assert_eq!(
        cash_paid(&second),
        12_000,
        "the facts kept by the worker read a changed record"
    );
    // Nor in a later session, which reads the file afresh.
    let (later, _) = reports::compute_from_store(&store, november, &PARIS).unwrap();
    assert_eq!(
        cash_paid(&later),
        12_000,
        "a later session reads a changed record"
    );
}

/// A stopped report reads nothing more from the ledger and commits nothing to the cache file,
/// so the next report reads the whole ledger and has every figure.
#[test]
fn stopped_report_leaves_no_partial_cache() {
    let dir = tempfile::tempdir().unwrap();
    let store = small_club(dir.path());
    let period = Period::new(date(2025, 11, 1), date(2025, 11, 30)).unwrap();
    let (expected, _) = november(&store);
    std::fs::remove_file(reports::cache::cache_path(&store)).unwrap();

    let stop = Stop::default();
    stop.stop();
    let mut loaded = None;
    let (stopped, _) = reports::compute_with(&mut loaded, &store, period, &PARIS, &stop).unwrap();
    assert_eq!(loaded.as_ref().map(|facts| facts.event_count()), Some(0));
    assert_ne!(stopped, expected, "a stopped report is incomplete");

    let (report, _) = reports::compute_from_store(&store, period, &PARIS).unwrap();
    assert_eq!(report, expected);
}
