//! Bytes written by record format 1, kept in tests/fixtures. Each must still decode to the
//! same value, and encoding that value must give the same bytes, so a change to a stored
//! struct can never silently break existing databases.
//!
//! Fixtures are written only when CARNET_WRITE_FIXTURES=1 is set, for a new record type;
//! existing files must never be regenerated to make this test pass.

mod common;

use carnet::domain::MemberCode;
use carnet::domain::audit::{AuditAction, AuditChange, AuditEvent};
use carnet::domain::card::{Card, CardId, CardState};
use carnet::domain::card_type::{ActivityId, CardType, CardTypeId, Validity};
use carnet::domain::inform::{Channel, Contact, ContactId, ContactReason, ReasonKind};
use carnet::domain::ledger::{EventId, EventKind, LedgerEvent};
use carnet::domain::member::{Category, Member, MemberId};
use carnet::domain::sale::PaymentMethod;
use carnet::i18n::Language;
use carnet::store::codec;
use carnet::store::journal::JournalWrite;
use carnet::store::{LastUse, MemberPrefs};
use common::{date, paris};
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;
use std::path::PathBuf;

fn check<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str, value: &T) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.bin"));
    if std::env::var_os("CARNET_WRITE_FIXTURES").is_some_and(|v| v == "1") && !path.exists() {
        std::fs::write(&path, codec::encode(value)).unwrap();
    }
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|error| panic!("fixture {} missing: {error}", path.display()));
    let decoded: T = codec::decode(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
    assert_eq!(&decoded, value, "{name}: decoded value differs");
    assert_eq!(codec::encode(value), bytes, "{name}: encoding changed");
}

fn member() -> Member {
    Member {
        id: MemberId(42),
        code: MemberCode::parse("0012345678").unwrap(),
        first_name: "Zoé".to_owned(),
        last_name: "d’Arc Lemaire".to_owned(),
        email: Some("zoe@exemple.fr".to_owned()),
        phone: Some("+33 6 12 34 56 78".to_owned()),
        birth_date: Some(date(1987, 3, 5)),
        category: Category::Other("Compétition".to_owned()),
        notes: "Allergie : aucune".to_owned(),
        created_at: paris(2026, 9, 1, 10, 0, 0),
        archived: false,
        last_visit: Some(paris(2026, 11, 30, 18, 2, 10)),
    }
}

fn card() -> Card {
    Card {
        id: CardId(7),
        member_id: MemberId(42),
        type_id: CardTypeId(3),
        name: "10 séances adulte".to_owned(),
        price_cents: 12_000,
        sessions_total: 10,
        sold_on: date(2026, 9, 1),
        expires_on: Some(date(2027, 9, 1)),
        activities: vec![ActivityId(1), ActivityId(2)],
        sessions_remaining: 6,
        state: CardState::Open,
    }
}

fn event(id: u64, kind: EventKind) -> LedgerEvent {
    LedgerEvent {
        id: EventId(id),
        at: paris(2026, 11, 30, 18, 2, 10),
        operator: "accueil".to_owned(),
        terminal: "desk-1".to_owned(),
        card_id: CardId(7),
        member_id: MemberId(42),
        kind,
    }
}

#[test]
fn member_v1() {
    check("member_v1", &member());
}

#[test]
fn card_v1() {
    check("card_v1", &card());
    let cancelled = Card {
        state: CardState::Refunded,
        expires_on: None,
        ..card()
    };
    check("card_refunded_v1", &cancelled);
}

#[test]
fn card_type_v1() {
    let card_type = CardType {
        id: CardTypeId(3),
        name: "Yoga 10 cours".to_owned(),
        price_cents: 11_000,
        sessions: 10,
        validity: Validity::Until(date(2027, 6, 30)),
        audience: "adultes".to_owned(),
        activities: vec![ActivityId(1)],
        archived: false,
    };
    check("card_type_v1", &card_type);
    for (name, validity) in [
        ("none", Validity::None),
        ("days", Validity::Days(30)),
        ("months", Validity::Months(12)),
    ] {
        check(&format!("validity_{name}_v1"), &validity);
    }
}

#[test]
fn ledger_events_v1() {
    let kinds = [
        (
            "sold",
            EventKind::CardSold {
                sessions: 10,
                price_cents: 12_000,
            },
        ),
        (
            "used",
            EventKind::SessionUsed {
                activity: Some(ActivityId(1)),
                remaining_after: 6,
            },
        ),
        (
            "reverted",
            EventKind::SessionReverted {
                reverted: EventId(99),
            },
        ),
        (
            "adjusted",
            EventKind::Adjusted {
                delta: -2,
                reason: "erreur de saisie".to_owned(),
            },
        ),
        (
            "expiry_changed",
            EventKind::ExpiryChanged {
                from: Some(date(2027, 9, 1)),
                to: None,
                reason: "blessure".to_owned(),
            },
        ),
        (
            "cancelled",
            EventKind::Cancelled {
                reason: "déménagement".to_owned(),
                refund_cents: 6_000,
            },
        ),
    ];
    for (index, (name, kind)) in kinds.into_iter().enumerate() {
        check(
            &format!("event_{name}_v1"),
            &event(100 + index as u64, kind),
        );
    }
}

/// Event kinds appended after the first ones, in fixtures of their own so that the ids in the
/// older fixtures stay as they were.
#[test]
fn payment_events_v1() {
    let kinds = [
        (
            "paid",
            EventKind::Paid {
                method: PaymentMethod::Cheque,
                amount_cents: 6_000,
            },
        ),
        (
            "paid_due",
            EventKind::Paid {
                method: PaymentMethod::Due,
                amount_cents: 2_050,
            },
        ),
        (
            "refunded",
            EventKind::Refunded {
                method: PaymentMethod::PassSport,
                amount_cents: 5_000,
                reason: "déménagement".to_owned(),
            },
        ),
    ];
    for (index, (name, kind)) in kinds.into_iter().enumerate() {
        check(
            &format!("event_{name}_v1"),
            &event(200 + index as u64, kind),
        );
    }
    check("payment_methods_v1", &PaymentMethod::ALL.to_vec());
}

/// The balance a card brought by `carnet import` arrives with.
#[test]
fn imported_event_v1() {
    let kind = EventKind::Imported {
        sessions: 7,
        price_cents: 8_500,
    };
    check("event_imported_v1", &event(300, kind));
}

#[test]
fn journal_writes_v1() {
    let writes = vec![
        JournalWrite {
            tree: 5,
            key: 7u64.to_be_bytes().to_vec(),
            value: Some(codec::encode(&card())),
        },
        JournalWrite {
            tree: 6,
            key: vec![0; 16],
            value: Some(Vec::new()),
        },
        JournalWrite {
            tree: 9,
            key: 1u64.to_be_bytes().to_vec(),
            value: None,
        },
    ];
    check("journal_writes_v1", &writes);
}

#[test]
fn scalars_v1() {
    check("format_v1", &1u32);
    check("member_id_v1", &MemberId(123_456_789));
    check(
        "demo_codes_v1",
        &vec![(
            "demo.valid".to_owned(),
            MemberCode::parse("32829748").unwrap(),
        )],
    );
}

#[test]
fn audit_member_erased_v1() {
    let event = AuditEvent {
        id: 9,
        at: paris(2026, 12, 4, 18, 30, 0),
        operator: "accueil".to_owned(),
        terminal: "desk-1".to_owned(),
        action: AuditAction::Deleted,
        change: AuditChange::MemberErased { id: MemberId(42) },
    };
    check("audit_member_erased_v1", &event);
}

#[test]
fn contact_v1() {
    let contact = Contact {
        id: ContactId(5),
        member_id: MemberId(42),
        at: paris(2026, 12, 4, 18, 45, 0),
        operator: "accueil".to_owned(),
        channel: Channel::InPerson,
        note: "Rappel à la séance de jeudi".to_owned(),
        reasons: vec![
            ContactReason {
                card: CardId(7),
                kind: ReasonKind::LowBalance,
            },
            ContactReason {
                card: CardId(7),
                kind: ReasonKind::Expiring,
            },
        ],
        newest_card: Some(CardId(7)),
    };
    check("contact_v1", &contact);
}

#[test]
fn card_last_use_v1() {
    let last_use = LastUse {
        at: paris(2026, 12, 3, 19, 5, 0),
        event: EventId(1_234),
    };
    check("card_last_use_v1", &last_use);
}

#[test]
fn member_prefs_v1() {
    check(
        "member_prefs_v1",
        &MemberPrefs {
            language: Some(Language::En),
        },
    );
    check("member_prefs_none_v1", &MemberPrefs { language: None });
}
