//! A record of the reports cache changed on disk while the Reports worker keeps the facts in
//! memory. The reports must find the change and build the file again, also when the next
//! refresh writes a card record a second time, which makes the commit read records back.

mod common;

use carnet::domain::ClubTime;
use carnet::domain::card_type::Validity;
use carnet::domain::sale::{PaymentInput, PaymentMethod};
use carnet::reports::{self, Period, Stop};
use carnet::store::Store;
use chrono::{DateTime, Utc};
use common::{card_type, context, date, member_with_code, open, paris};

const PARIS: ClubTime = ClubTime {
    zone: chrono_tz::Europe::Paris,
};
const HEADER: usize = 64;
const RECORD: usize = 48;
const TAG_PAID: u8 = 8;

fn sell(
    store: &Store,
    member: &carnet::domain::Member,
    type_id: carnet::domain::CardTypeId,
    at: DateTime<Utc>,
) -> carnet::domain::CardId {
    let payments = [PaymentInput {
        method: PaymentMethod::Cash,
        amount_cents: None,
    }];
    store
        .sell_card_with_payments(
            member.id,
            type_id,
            PARIS.local_date(at),
            &payments,
            &context(at),
        )
        .expect("stored")
        .expect("sale accepted")
        .card
        .id
}

/// Adds 1,000,000 € to the amount of the first Paid record of the cache file.
fn tamper_first_payment(path: &std::path::Path) {
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

fn cash_paid(report: &reports::Report) -> i64 {
    report
        .sales
        .by_method
        .iter()
        .find(|(method, _)| *method == PaymentMethod::Cash)
        .map_or(0, |(_, line)| line.paid_cents)
}

#[test]
fn changed_record_found_after_card_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let type_a = card_type(&store, "Carnet 10", 10, Validity::Months(12));
    let anne = member_with_code(&store, "Anne", "Arnaud", "1001", paris(2025, 9, 1, 9, 0, 0));
    sell(&store, &anne, type_a.id, paris(2025, 11, 3, 10, 0, 0));
    let november = Period::new(date(2025, 11, 1), date(2025, 11, 30)).unwrap();

    // The Reports worker computes a first report and keeps the facts.
    let mut loaded = None;
    let (first, _) =
        reports::compute_with(&mut loaded, &store, november, &PARIS, &Stop::default()).unwrap();
    assert_eq!(cash_paid(&first), 12_000);

    // The file changes on disk (a bad sector, a stray tool, a hostile user)...
    tamper_first_payment(&store.path().join("reports-cache"));
    // ...and meanwhile a card is sold and its expiry changed, in December.
    let card = sell(&store, &anne, type_a.id, paris(2025, 12, 5, 10, 0, 0));
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

/// The same change, with no card record written a second time.
#[test]
fn changed_record_without_card_rewrite_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let type_a = card_type(&store, "Carnet 10", 10, Validity::Months(12));
    let anne = member_with_code(&store, "Anne", "Arnaud", "1001", paris(2025, 9, 1, 9, 0, 0));
    sell(&store, &anne, type_a.id, paris(2025, 11, 3, 10, 0, 0));
    let november = Period::new(date(2025, 11, 1), date(2025, 11, 30)).unwrap();
    let mut loaded = None;
    reports::compute_with(&mut loaded, &store, november, &PARIS, &Stop::default()).unwrap();
    tamper_first_payment(&store.path().join("reports-cache"));
    sell(&store, &anne, type_a.id, paris(2025, 12, 5, 10, 0, 0));
    let (second, _) =
        reports::compute_with(&mut loaded, &store, november, &PARIS, &Stop::default()).unwrap();
    assert_eq!(cash_paid(&second), 12_000);
}
