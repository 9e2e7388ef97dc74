//! Sales with payments, later payments, cancellations, refunds and adjustments against a real
//! database in a temporary folder, then `carnet sell` and `carnet cards` through the binary.
//! After each change the ledger must still give every stored balance.

mod common;

use carnet::desk::{ScanRequest, check_in_scan};
use carnet::domain::card::{CardId, CardState};
use carnet::domain::card_type::Validity;
use carnet::domain::ledger::EventKind;
use carnet::domain::member::Member;
use carnet::domain::sale::{
    PaymentInput, PaymentMethod, PaymentsError, Sale, SaleRefusal, parse_payment,
};
use carnet::i18n::Language;
use carnet::store::{CheckInOutcome, Store, WriteContext};
use chrono::NaiveDate;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CODE: &str = "0012345678";

/// A store with one member and a card type of 10 sessions at 120 € that never expires.
struct Club {
    _folder: tempfile::TempDir,
    path: PathBuf,
    store: Store,
    member: Member,
    type_id: carnet::domain::card_type::CardTypeId,
}

impl Club {
    fn new() -> Club {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("db");
        let store = open(&path);
        let member = member_with_code(&store, "Marie", "Dupont", CODE, paris(2026, 9, 1, 9, 0, 0));
        let type_id = card_type(&store, "10 séances", 10, Validity::None).id;
        Club {
            _folder: folder,
            path,
            store,
            member,
            type_id,
        }
    }

    /// Sells the card type on `sale_date` with payments written as on the command line.
    fn sell(&self, sale_date: NaiveDate, payments: &[&str]) -> Result<Sale, SaleRefusal> {
        let inputs: Vec<PaymentInput> = payments
            .iter()
            .map(|text| parse_payment(text).expect("payment argument parses"))
            .collect();
        self.store
            .sell_card_with_payments(
                self.member.id,
                self.type_id,
                sale_date,
                &inputs,
                &at(sale_date),
            )
            .expect("store works")
    }

    fn assert_balances_match_ledger(&self) {
        assert_eq!(self.store.verify_balances().unwrap(), Vec::new());
    }
}

/// A write context at 10:00 Paris time on `day`.
fn at(day: NaiveDate) -> WriteContext {
    use chrono::Datelike;
    context(paris(day.year(), day.month(), day.day(), 10, 0, 0))
}

fn sale_day() -> NaiveDate {
    date(2026, 9, 1)
}

fn kinds(store: &Store, card_id: CardId) -> Vec<EventKind> {
    store
        .events_of_card(card_id)
        .unwrap()
        .into_iter()
        .map(|event| event.kind)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Sales
// ---------------------------------------------------------------------------------------------

#[test]
fn sale_half_cash_half_cheque() {
    let club = Club::new();
    let sale = club.sell(sale_day(), &["cash:60", "chèque:60,00"]).unwrap();

    assert_eq!(sale.card.sold_on, sale_day());
    assert_eq!(sale.card.name, "10 séances");
    assert_eq!(sale.card.sessions_remaining, 10);
    assert_eq!(sale.paid_cents, 12_000);
    assert_eq!(sale.due_cents, 0);
    assert_eq!(sale.refunded_cents, 0);
    assert_eq!(sale.payments.len(), 2);
    assert_eq!(sale.payments[0].method, PaymentMethod::Cash);
    assert_eq!(sale.payments[1].method, PaymentMethod::Cheque);
    assert_eq!(sale.payments[1].amount_cents, 6_000);

    let events = kinds(&club.store, sale.card.id);
    assert_eq!(events.len(), 3);
    assert!(matches!(
        events[0],
        EventKind::CardSold {
            sessions: 10,
            price_cents: 12_000
        }
    ));
    assert_eq!(
        events[2],
        EventKind::Paid {
            method: PaymentMethod::Cheque,
            amount_cents: 6_000
        }
    );

    let sales = club.store.sales_of_member(club.member.id).unwrap();
    assert_eq!(sales, vec![sale.clone()]);
    assert_eq!(club.store.sale_of_card(sale.card.id).unwrap(), Some(sale));
    club.assert_balances_match_ledger();
}

#[test]
fn sale_amounts_not_adding_up() {
    let club = Club::new();
    let events_before = club.store.ledger_len();

    let refusal = club
        .sell(sale_day(), &["cash:50", "cheque:60"])
        .unwrap_err();
    assert_eq!(
        refusal,
        SaleRefusal::Payments(PaymentsError::TotalMismatch {
            given_cents: 11_000,
            price_cents: 12_000
        })
    );
    let omitted = club.sell(sale_day(), &["cash:60", "cheque"]).unwrap_err();
    assert!(matches!(
        omitted,
        SaleRefusal::Payments(PaymentsError::AmountOmitted { lines: 2, .. })
    ));
    let none = club.sell(sale_day(), &[]).unwrap_err();
    assert_eq!(
        none,
        SaleRefusal::Payments(PaymentsError::Missing {
            price_cents: 12_000
        })
    );

    assert!(
        club.store
            .cards_of_member(club.member.id)
            .unwrap()
            .is_empty()
    );
    assert_eq!(club.store.ledger_len(), events_before);
}

#[test]
fn sale_single_method_pays_whole_price() {
    let club = Club::new();
    let sale = club.sell(sale_day(), &["cb"]).unwrap();
    assert_eq!(sale.payments.len(), 1);
    assert_eq!(sale.payments[0].method, PaymentMethod::Card);
    assert_eq!(sale.payments[0].amount_cents, 12_000);
}

#[test]
fn sale_of_free_card_needs_no_payment() {
    let club = Club::new();
    let free = club
        .store
        .insert_card_type("Essai", 0, 1, Validity::None, "", vec![])
        .unwrap();
    let sale = club
        .store
        .sell_card_with_payments(club.member.id, free.id, sale_day(), &[], &at(sale_day()))
        .unwrap()
        .unwrap();
    assert!(sale.payments.is_empty());
    assert_eq!(sale.due_cents, 0);
    club.assert_balances_match_ledger();
}

#[test]
fn due_amount_settled_later() {
    let club = Club::new();
    let sale = club.sell(sale_day(), &["cash:20", "due:100"]).unwrap();
    assert_eq!(sale.paid_cents, 2_000);
    assert_eq!(sale.due_cents, 10_000);
    let card_id = sale.card.id;
    let later = at(date(2026, 9, 15));

    let part = club
        .store
        .record_payment(card_id, PaymentMethod::Cheque, 6_000, &later)
        .unwrap()
        .unwrap();
    assert_eq!(part.due_cents, 4_000);
    assert_eq!(part.paid_cents, 8_000);

    let too_much = club
        .store
        .record_payment(card_id, PaymentMethod::Cash, 4_001, &later)
        .unwrap();
    assert_eq!(
        too_much,
        Err(SaleRefusal::MoreThanDue {
            given_cents: 4_001,
            due_cents: 4_000
        })
    );
    let with_due = club
        .store
        .record_payment(card_id, PaymentMethod::Due, 1_000, &later)
        .unwrap();
    assert_eq!(with_due, Err(SaleRefusal::DueIsNotMoney));

    let rest = club
        .store
        .record_payment(card_id, PaymentMethod::Transfer, 4_000, &later)
        .unwrap()
        .unwrap();
    assert_eq!(rest.due_cents, 0);
    assert_eq!(rest.paid_cents, 12_000);
    assert_eq!(rest.payments.len(), 4);

    let after = club
        .store
        .record_payment(card_id, PaymentMethod::Cash, 100, &later)
        .unwrap();
    assert_eq!(after, Err(SaleRefusal::NothingDue));
    club.assert_balances_match_ledger();
}

#[test]
fn archived_card_type_rejected() {
    let club = Club::new();
    club.store
        .set_card_type_archived(club.type_id, true, &at(sale_day()))
        .unwrap()
        .unwrap();
    let refusal = club.sell(sale_day(), &["cash"]).unwrap_err();
    assert_eq!(
        refusal,
        SaleRefusal::ArchivedCardType {
            name: "10 séances".to_owned()
        }
    );
    assert!(
        club.store
            .cards_of_member(club.member.id)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn archived_member_rejected() {
    let club = Club::new();
    club.store
        .set_member_archived(club.member.id, true)
        .unwrap();
    let refusal = club.sell(sale_day(), &["cash"]).unwrap_err();
    assert_eq!(
        refusal,
        SaleRefusal::ArchivedMember {
            name: "Marie Dupont".to_owned()
        }
    );
    assert!(
        club.store
            .cards_of_member(club.member.id)
            .unwrap()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------------------------

#[test]
fn cancel_next_day_refused_same_day_allowed() {
    let club = Club::new();
    let sale = club.sell(sale_day(), &["cash:20", "due:100"]).unwrap();
    let card_id = sale.card.id;
    let next_day = date(2026, 9, 2);

    let late = club
        .store
        .cancel_sale(card_id, "erreur de carnet", next_day, &at(next_day))
        .unwrap();
    assert_eq!(
        late,
        Err(SaleRefusal::NotSaleDay {
            sold_on: sale_day(),
            today: next_day
        })
    );
    let no_reason = club
        .store
        .cancel_sale(card_id, "  ", sale_day(), &at(sale_day()))
        .unwrap();
    assert_eq!(no_reason, Err(SaleRefusal::ReasonMissing));

    let cancelled = club
        .store
        .cancel_sale(card_id, "erreur de carnet", sale_day(), &at(sale_day()))
        .unwrap()
        .unwrap();
    assert_eq!(cancelled.card.state, CardState::Cancelled);
    assert_eq!(cancelled.refunded_cents, 2_000);
    assert_eq!(cancelled.due_cents, 0);
    assert_eq!(cancelled.card.sessions_remaining, 10);
    assert_eq!(
        kinds(&club.store, card_id).last(),
        Some(&EventKind::Cancelled {
            reason: "erreur de carnet".to_owned(),
            refund_cents: 2_000
        })
    );

    let again = club
        .store
        .cancel_sale(card_id, "encore", sale_day(), &at(sale_day()))
        .unwrap();
    assert!(matches!(again, Err(SaleRefusal::CardClosed { .. })));
    club.assert_balances_match_ledger();
}

#[test]
fn cancel_refused_after_session_used() {
    let club = Club::new();
    let sale = club.sell(sale_day(), &["cash"]).unwrap();
    let card_id = sale.card.id;
    let settings = settings(&club.path, Language::En);
    let clock = clock(paris(2026, 9, 1, 18, 0, 0));

    let outcome = check_in_scan(&club.store, &settings, &clock, CODE, ScanRequest::default())
        .unwrap()
        .unwrap()
        .outcome;
    let CheckInOutcome::Accepted { event, .. } = outcome else {
        panic!("check-in not accepted: {outcome:?}");
    };
    let refused = club
        .store
        .cancel_sale(card_id, "erreur", sale_day(), &at(sale_day()))
        .unwrap();
    assert_eq!(refused, Err(SaleRefusal::SessionsUsed { count: 1 }));

    // Once the check-in is undone, no session is used any more.
    club.store
        .revert_check_in(event.id, &at(sale_day()))
        .unwrap();
    let cancelled = club
        .store
        .cancel_sale(card_id, "erreur", sale_day(), &at(sale_day()))
        .unwrap()
        .unwrap();
    assert_eq!(cancelled.refunded_cents, 12_000);

    // A cancelled card no longer checks in.
    clock.advance(chrono::Duration::hours(1));
    let outcome = check_in_scan(&club.store, &settings, &clock, CODE, ScanRequest::default())
        .unwrap()
        .unwrap()
        .outcome;
    assert!(matches!(outcome, CheckInOutcome::Refused { .. }));
    club.assert_balances_match_ledger();
}

// ---------------------------------------------------------------------------------------------
// Refunds
// ---------------------------------------------------------------------------------------------

#[test]
fn refund_within_what_was_paid() {
    let club = Club::new();
    let sale = club.sell(sale_day(), &["cash:20", "due:100"]).unwrap();
    let card_id = sale.card.id;
    let later = at(date(2026, 10, 1));

    // Only money received can be given back: the 100 € due is not.
    let too_large = club
        .store
        .refund(card_id, PaymentMethod::Cash, 2_001, "départ", &later)
        .unwrap();
    assert_eq!(
        too_large,
        Err(SaleRefusal::RefundTooLarge {
            given_cents: 2_001,
            refundable_cents: 2_000
        })
    );
    club.store
        .record_payment(card_id, PaymentMethod::Cheque, 10_000, &later)
        .unwrap()
        .unwrap();

    let partial = club
        .store
        .refund(card_id, PaymentMethod::Cash, 3_000, "cours annulé", &later)
        .unwrap()
        .unwrap();
    assert_eq!(partial.refunded_cents, 3_000);
    assert_eq!(partial.refundable_cents(), 9_000);
    assert_eq!(partial.card.state, CardState::Open);

    let over = club
        .store
        .refund(card_id, PaymentMethod::Transfer, 9_001, "départ", &later)
        .unwrap();
    assert_eq!(
        over,
        Err(SaleRefusal::RefundTooLarge {
            given_cents: 9_001,
            refundable_cents: 9_000
        })
    );
    let zero = club
        .store
        .refund(card_id, PaymentMethod::Cash, 0, "départ", &later)
        .unwrap();
    assert_eq!(
        zero,
        Err(SaleRefusal::AmountNotPositive { amount_cents: 0 })
    );
    let no_reason = club
        .store
        .refund(card_id, PaymentMethod::Cash, 100, "", &later)
        .unwrap();
    assert_eq!(no_reason, Err(SaleRefusal::ReasonMissing));

    let rest = club
        .store
        .refund(card_id, PaymentMethod::Transfer, 9_000, "départ", &later)
        .unwrap()
        .unwrap();
    assert_eq!(rest.card.state, CardState::Refunded);
    assert_eq!(rest.refunded_cents, 12_000);
    assert_eq!(rest.refundable_cents(), 0);
    assert_eq!(
        kinds(&club.store, card_id).last(),
        Some(&EventKind::Refunded {
            method: PaymentMethod::Transfer,
            amount_cents: 9_000,
            reason: "départ".to_owned()
        })
    );

    let closed = club
        .store
        .refund(card_id, PaymentMethod::Cash, 100, "départ", &later)
        .unwrap();
    assert!(matches!(closed, Err(SaleRefusal::CardClosed { .. })));
    club.assert_balances_match_ledger();
}

// ---------------------------------------------------------------------------------------------
// Adjustments
// ---------------------------------------------------------------------------------------------

#[test]
fn adjust_sessions_never_below_zero() {
    let club = Club::new();
    let card_id = club.sell(sale_day(), &["cash"]).unwrap().card.id;
    let later = at(date(2026, 10, 1));

    let below = club
        .store
        .adjust_sessions(card_id, -11, "erreur", &later)
        .unwrap();
    assert_eq!(
        below,
        Err(SaleRefusal::BelowZero {
            remaining: 10,
            delta: -11
        })
    );
    let no_reason = club
        .store
        .adjust_sessions(card_id, -1, " ", &later)
        .unwrap();
    assert_eq!(no_reason, Err(SaleRefusal::ReasonMissing));
    let nothing = club
        .store
        .adjust_sessions(card_id, 0, "rien", &later)
        .unwrap();
    assert_eq!(nothing, Err(SaleRefusal::NoSessionChange));
    club.assert_balances_match_ledger();

    let emptied = club
        .store
        .adjust_sessions(card_id, -10, "séances données à un autre carnet", &later)
        .unwrap()
        .unwrap();
    assert_eq!(emptied.sessions_remaining, 0);
    club.assert_balances_match_ledger();

    let added = club
        .store
        .adjust_sessions(card_id, 2, " séance offerte ", &later)
        .unwrap()
        .unwrap();
    assert_eq!(added.sessions_remaining, 2);
    assert_eq!(
        kinds(&club.store, card_id).last(),
        Some(&EventKind::Adjusted {
            delta: 2,
            reason: "séance offerte".to_owned()
        })
    );
    assert_eq!(
        club.store
            .card(card_id)
            .unwrap()
            .unwrap()
            .sessions_remaining,
        2
    );
    club.assert_balances_match_ledger();
}

#[test]
fn change_expiry_with_reason() {
    let club = Club::new();
    let card_id = club.sell(sale_day(), &["cash"]).unwrap().card.id;
    let later = at(date(2026, 10, 1));
    let new_end = date(2027, 6, 30);

    let no_reason = club
        .store
        .change_expiry(card_id, Some(new_end), "", &later)
        .unwrap();
    assert_eq!(no_reason, Err(SaleRefusal::ReasonMissing));
    let unchanged = club
        .store
        .change_expiry(card_id, None, "blessure", &later)
        .unwrap();
    assert_eq!(
        unchanged,
        Err(SaleRefusal::ExpiryUnchanged { expiry: None })
    );
    let before_sale = club
        .store
        .change_expiry(card_id, Some(date(2026, 8, 31)), "erreur", &later)
        .unwrap();
    assert!(matches!(
        before_sale,
        Err(SaleRefusal::ExpiryBeforeSale { .. })
    ));

    let card = club
        .store
        .change_expiry(card_id, Some(new_end), "fin de saison", &later)
        .unwrap()
        .unwrap();
    assert_eq!(card.expires_on, Some(new_end));
    assert_eq!(
        club.store.card(card_id).unwrap().unwrap().expires_on,
        Some(new_end)
    );
    assert_eq!(
        kinds(&club.store, card_id).last(),
        Some(&EventKind::ExpiryChanged {
            from: None,
            to: Some(new_end),
            reason: "fin de saison".to_owned()
        })
    );

    let open_again = club
        .store
        .change_expiry(card_id, None, "blessure", &later)
        .unwrap()
        .unwrap();
    assert_eq!(open_again.expires_on, None);
    club.assert_balances_match_ledger();
}

// ---------------------------------------------------------------------------------------------
// Read side
// ---------------------------------------------------------------------------------------------

#[test]
fn sales_of_member_newest_first() {
    let club = Club::new();
    let older = club.sell(date(2026, 9, 1), &["cash"]).unwrap();
    let newer = club.sell(date(2026, 10, 1), &["due"]).unwrap();
    let sales = club.store.sales_of_member(club.member.id).unwrap();
    let ids: Vec<CardId> = sales.iter().map(|sale| sale.card.id).collect();
    assert_eq!(ids, [newer.card.id, older.card.id]);
    assert_eq!(sales[0].due_cents, 12_000);
    assert_eq!(sales[1].due_cents, 0);
}

#[test]
fn check_ins_of_member_newest_first() {
    let club = Club::new();
    club.sell(sale_day(), &["cash"]).unwrap();
    let settings = settings(&club.path, Language::En);
    let clock = clock(paris(2026, 9, 2, 18, 0, 0));
    let mut events = Vec::new();
    for _ in 0..3 {
        let outcome = check_in_scan(&club.store, &settings, &clock, CODE, ScanRequest::default())
            .unwrap()
            .unwrap()
            .outcome;
        let CheckInOutcome::Accepted { event, .. } = outcome else {
            panic!("check-in not accepted: {outcome:?}");
        };
        events.push(event);
        clock.advance(chrono::Duration::days(1));
    }
    club.store
        .revert_check_in(events[1].id, &at(date(2026, 9, 5)))
        .unwrap();

    let rows = club.store.check_ins_of_member(club.member.id).unwrap();
    let ids: Vec<_> = rows.iter().map(|(event, _, _)| event.id).collect();
    assert_eq!(ids, [events[2].id, events[1].id, events[0].id]);
    let reverted: Vec<bool> = rows.iter().map(|(_, _, reverted)| *reverted).collect();
    assert_eq!(reverted, [false, true, false]);
    assert!(rows.iter().all(|(_, name, _)| name == "10 séances"));
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

/// A config file and a database in a temporary folder, for the `carnet` binary.
struct CliClub {
    folder: tempfile::TempDir,
    config: PathBuf,
}

impl CliClub {
    /// Writes the config and a database with one member and the card types "10 séances"
    /// (120 €) and "Ancien tarif" (archived).
    fn new(language: &str) -> CliClub {
        let folder = tempfile::tempdir().unwrap();
        let config = folder.path().join("config.toml");
        let text = format!(
            "[club]\ntimezone = \"Europe/Paris\"\n\n\
             [database]\npath = \"db\"\n\n\
             [ui]\nlanguage = \"{language}\"\nbell_on_refusal = false\n"
        );
        std::fs::write(&config, text).unwrap();
        {
            let store = open(&folder.path().join("db"));
            let now = chrono::Utc::now();
            member_with_code(&store, "Marie", "Dupont", CODE, now);
            card_type(&store, "10 séances", 10, Validity::None);
            let old = card_type(&store, "Ancien tarif", 5, Validity::None);
            store
                .set_card_type_archived(old.id, true, &context(now))
                .unwrap()
                .unwrap();
        }
        CliClub { folder, config }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_carnet"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .current_dir(self.folder.path())
            .env("XDG_DATA_HOME", self.folder.path())
            .stdin(Stdio::null())
            .output()
            .expect("carnet started")
    }

    fn database(&self) -> PathBuf {
        self.folder.path().join("db")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_status(output: &Output, expected: i32) {
    assert_eq!(
        output.status.code(),
        Some(expected),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

/// Returns the only card of the club's member.
fn only_card_id(database: &Path) -> u64 {
    let store = open(database);
    let member = store
        .member_by_code(&carnet::domain::MemberCode::parse(CODE).unwrap())
        .unwrap()
        .unwrap();
    let cards = store.cards_of_member(member.id).unwrap();
    assert_eq!(cards.len(), 1, "cards: {cards:?}");
    cards[0].id.0
}

#[test]
fn cli_sell_and_invalid_payments() {
    let club = CliClub::new("en");

    let mismatch = club.run(&[
        "sell",
        CODE,
        "--card-type",
        "10 SEANCES",
        "--payment",
        "cash:50",
        "--payment",
        "cheque:60",
    ]);
    assert_status(&mismatch, 2);
    assert!(
        stderr(&mismatch).contains("€110.00"),
        "{}",
        stderr(&mismatch)
    );
    assert!(
        stderr(&mismatch).contains("€120.00"),
        "{}",
        stderr(&mismatch)
    );

    let unknown_method = club.run(&[
        "sell",
        CODE,
        "--card-type",
        "10 séances",
        "--payment",
        "bitcoin:10",
    ]);
    assert_status(&unknown_method, 2);
    assert!(stderr(&unknown_method).contains("bitcoin:10"));

    let bad_amount = club.run(&[
        "sell",
        CODE,
        "--card-type",
        "10 séances",
        "--payment",
        "cash:12,345",
    ]);
    assert_status(&bad_amount, 2);
    assert!(stderr(&bad_amount).contains("12,345"));

    let unknown_type = club.run(&["sell", CODE, "--card-type", "Yoga", "--payment", "cash"]);
    assert_status(&unknown_type, 2);
    assert!(stderr(&unknown_type).contains("Yoga"));

    let archived = club.run(&[
        "sell",
        CODE,
        "--card-type",
        "ancien tarif",
        "--payment",
        "cash",
    ]);
    assert_status(&archived, 2);
    assert!(stderr(&archived).contains("Ancien tarif"));

    let unknown_member = club.run(&[
        "sell",
        "99999999",
        "--card-type",
        "10 séances",
        "--payment",
        "cash",
    ]);
    assert_status(&unknown_member, 2);
    assert!(stderr(&unknown_member).contains("99999999"));

    let sold = club.run(&[
        "sell",
        CODE,
        "--card-type",
        "10 seances",
        "--payment",
        "cash:60",
        "--payment",
        "cheque:60",
    ]);
    assert_status(&sold, 0);
    let text = stdout(&sold);
    assert!(text.contains("10 séances"), "{text}");
    assert!(text.contains("No expiry date"), "{text}");
    assert!(text.contains("cash €60.00"), "{text}");
    assert!(text.contains("cheque €60.00"), "{text}");

    let check = club.run(&["check"]);
    assert_status(&check, 0);

    let export = club.run(&["export", "ledger"]);
    assert_status(&export, 0);
    let csv = stdout(&export);
    assert!(
        csv.lines().next().unwrap().ends_with(",payment_method"),
        "{csv}"
    );
    assert!(csv.contains(",paid,0,6000,"), "{csv}");
    assert!(csv.ends_with(",cheque\n"), "{csv}");
}

#[test]
fn cli_card_changes_exit_statuses() {
    let club = CliClub::new("en");
    let sold = club.run(&[
        "sell",
        CODE,
        "--card-type",
        "10 séances",
        "--payment",
        "cash:20",
        "--payment",
        "due:100",
    ]);
    assert_status(&sold, 0);
    assert!(
        stdout(&sold).contains("Still due: €100.00"),
        "{}",
        stdout(&sold)
    );
    let id = only_card_id(&club.database()).to_string();
    let card = id.as_str();

    let list = club.run(&["cards", "list", CODE]);
    assert_status(&list, 0);
    assert!(stdout(&list).contains("due €100.00"), "{}", stdout(&list));

    let wrong_card = club.run(&[
        "cards",
        "adjust",
        CODE,
        "--card",
        "999",
        "--sessions",
        "+1",
        "--reason",
        "x",
    ]);
    assert_status(&wrong_card, 2);
    assert!(stderr(&wrong_card).contains("999"));

    let below_zero = club.run(&[
        "cards",
        "adjust",
        CODE,
        "--card",
        card,
        "--sessions",
        "-11",
        "--reason",
        "erreur",
    ]);
    assert_status(&below_zero, 2);
    assert!(
        stderr(&below_zero).contains("-11"),
        "{}",
        stderr(&below_zero)
    );
    let no_reason = club.run(&[
        "cards",
        "adjust",
        CODE,
        "--card",
        card,
        "--sessions",
        "-1",
        "--reason",
        "",
    ]);
    assert_status(&no_reason, 2);
    let not_a_number = club.run(&[
        "cards",
        "adjust",
        CODE,
        "--card",
        card,
        "--sessions",
        "deux",
        "--reason",
        "x",
    ]);
    assert_status(&not_a_number, 2);
    assert!(stderr(&not_a_number).contains("deux"));
    let adjusted = club.run(&[
        "cards",
        "adjust",
        CODE,
        "--card",
        card,
        "--sessions",
        "-2",
        "--reason",
        "erreur de saisie",
    ]);
    assert_status(&adjusted, 0);
    assert!(
        stdout(&adjusted).contains("8 left"),
        "{}",
        stdout(&adjusted)
    );

    let bad_date = club.run(&[
        "cards",
        "expiry",
        CODE,
        "--card",
        card,
        "--date",
        "31/02/2027",
        "--reason",
        "x",
    ]);
    assert_status(&bad_date, 2);
    assert!(stderr(&bad_date).contains("31/02/2027"));
    let new_date = club.run(&[
        "cards",
        "expiry",
        CODE,
        "--card",
        card,
        "--date",
        "2030-06-30",
        "--reason",
        "blessure",
    ]);
    assert_status(&new_date, 0);
    assert!(
        stdout(&new_date).contains("2030-06-30"),
        "{}",
        stdout(&new_date)
    );
    let no_expiry = club.run(&[
        "cards", "expiry", CODE, "--card", card, "--date", "none", "--reason", "blessure",
    ]);
    assert_status(&no_expiry, 0);

    let overpaid = club.run(&[
        "cards",
        "pay",
        CODE,
        "--card",
        card,
        "--payment",
        "cheque:101",
    ]);
    assert_status(&overpaid, 2);
    let paid = club.run(&[
        "cards",
        "pay",
        CODE,
        "--card",
        card,
        "--payment",
        "cheque:100",
    ]);
    assert_status(&paid, 0);

    let refund_too_large = club.run(&[
        "cards",
        "refund",
        CODE,
        "--card",
        card,
        "--payment",
        "cash:121",
        "--reason",
        "départ",
    ]);
    assert_status(&refund_too_large, 2);
    assert!(
        stderr(&refund_too_large).contains("€121.00"),
        "{}",
        stderr(&refund_too_large)
    );
    let refund_no_amount = club.run(&[
        "cards",
        "refund",
        CODE,
        "--card",
        card,
        "--payment",
        "cash",
        "--reason",
        "départ",
    ]);
    assert_status(&refund_no_amount, 2);
    let refunded = club.run(&[
        "cards",
        "refund",
        CODE,
        "--card",
        card,
        "--payment",
        "cash:20",
        "--reason",
        "cours annulé",
    ]);
    assert_status(&refunded, 0);

    let check = club.run(&["check"]);
    assert_status(&check, 0);

    // The sale was made today and no session was used, so it can still be cancelled.
    let cancelled = club.run(&[
        "cards",
        "cancel",
        CODE,
        "--card",
        card,
        "--reason",
        "mauvais carnet",
    ]);
    assert_status(&cancelled, 0);
    assert!(
        stdout(&cancelled).contains("€100.00"),
        "{}",
        stdout(&cancelled)
    );
    let again = club.run(&[
        "cards",
        "cancel",
        CODE,
        "--card",
        card,
        "--reason",
        "mauvais carnet",
    ]);
    assert_status(&again, 2);

    let store = open(&club.database());
    let sale = store
        .sale_of_card(CardId(id.parse().unwrap()))
        .unwrap()
        .unwrap();
    assert_eq!(sale.card.state, CardState::Cancelled);
    assert_eq!(sale.refunded_cents, 12_000);
    assert_eq!(store.verify_balances().unwrap(), Vec::new());
}

#[test]
fn cli_messages_in_french() {
    let club = CliClub::new("fr");
    let mismatch = club.run(&[
        "sell",
        CODE,
        "--card-type",
        "10 séances",
        "--payment",
        "espèces:50",
    ]);
    assert_status(&mismatch, 2);
    let text = stderr(&mismatch);
    assert!(text.contains("Les paiements font 50,00"), "{text}");
    assert!(text.contains("120,00"), "{text}");

    let sold = club.run(&[
        "sell",
        CODE,
        "--card-type",
        "10 séances",
        "--payment",
        "chèque",
    ]);
    assert_status(&sold, 0);
    assert!(stdout(&sold).contains("chèque 120,00"), "{}", stdout(&sold));
}
