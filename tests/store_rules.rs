//! Check-in rules against a real database in a temporary folder: the choice of card, the
//! repeat guard, undo, expiry in the club's time zone, and two threads racing for one session.

mod common;

use carnet::desk::{ScanRequest, check_in_scan};
use carnet::domain::Clock;
use carnet::domain::card_type::Validity;
use carnet::domain::checkin::{CheckInRules, Refusal};
use carnet::i18n::Language;
use carnet::store::CheckInOutcome;
use chrono::Duration;
use common::*;
use std::sync::Arc;

fn scan(
    store: &carnet::store::Store,
    settings: &carnet::config::Settings,
    clock: &dyn Clock,
    code: &str,
) -> CheckInOutcome {
    check_in_scan(store, settings, clock, code, ScanRequest::default())
        .expect("scan stored")
        .expect("scan not blank")
        .outcome
}

fn accepted_card(outcome: &CheckInOutcome) -> (u64, u32) {
    match outcome {
        CheckInOutcome::Accepted { card, .. } => (card.id.0, card.sessions_remaining),
        other => panic!("expected an accepted check-in, got {other:?}"),
    }
}

#[test]
fn several_cards_soonest_expiry_then_next() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let now = paris(2025, 11, 2, 18, 0, 0);
    let member = member_with_code(&store, "Marie", "Dupont", "0012345678", now);

    // Card A: 3 left until 31/12/2025; card B: 5 left until 30/06/2026; card C: expired.
    let ten = card_type(&store, "A", 10, Validity::Until(date(2025, 12, 31)));
    let five = card_type(&store, "B", 5, Validity::Until(date(2026, 6, 30)));
    let two = card_type(&store, "C", 2, Validity::Until(date(2025, 1, 31)));
    let card_a = sell(&store, &member, &ten, date(2025, 1, 5));
    let card_b = sell(&store, &member, &five, date(2025, 6, 1));
    let card_c = sell(&store, &member, &two, date(2024, 12, 1));
    let clock = clock(now);
    for _ in 0..7 {
        clock.advance(Duration::minutes(11));
        accepted_card(&scan(&store, &settings, &clock, "0012345678"));
    }
    assert_eq!(
        store.card(card_a.id).unwrap().unwrap().sessions_remaining,
        3
    );

    let mut charged = Vec::new();
    for _ in 0..4 {
        clock.advance(Duration::minutes(11));
        charged.push(accepted_card(&scan(
            &store,
            &settings,
            &clock,
            "0012345678",
        )));
    }
    assert_eq!(
        charged,
        [
            (card_a.id.0, 2),
            (card_a.id.0, 1),
            (card_a.id.0, 0),
            (card_b.id.0, 4)
        ]
    );
    assert_eq!(
        store.card(card_c.id).unwrap().unwrap().sessions_remaining,
        2,
        "expired card C untouched"
    );

    // Two undos give the sessions back to the cards they came from, newest first.
    let today = store
        .check_ins_since(settings.club_time.start_of_day(date(2025, 11, 2)))
        .unwrap();
    let ctx = context(clock.now());
    store.revert_check_in(today[0].event.id, &ctx).unwrap();
    store.revert_check_in(today[1].event.id, &ctx).unwrap();
    assert_eq!(
        store.card(card_b.id).unwrap().unwrap().sessions_remaining,
        5
    );
    assert_eq!(
        store.card(card_a.id).unwrap().unwrap().sessions_remaining,
        1
    );
    assert!(store.verify_balances().unwrap().is_empty());

    // The same check-in cannot be reverted twice.
    assert!(store.revert_check_in(today[0].event.id, &ctx).is_err());
    assert_eq!(
        store.card(card_b.id).unwrap().unwrap().sessions_remaining,
        5
    );
}

#[test]
fn empty_card_then_sale_then_scan() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let now = paris(2025, 11, 2, 18, 0, 0);
    let member = member_with_code(&store, "Yann", "Le Goff", "AB0012345", now);
    let one = card_type(&store, "Un", 1, Validity::None);
    sell(&store, &member, &one, date(2025, 10, 1));
    let clock = clock(now);
    accepted_card(&scan(&store, &settings, &clock, "AB0012345"));

    clock.advance(Duration::minutes(30));
    let refused = scan(&store, &settings, &clock, "ab0012345");
    assert!(
        matches!(
            refused,
            CheckInOutcome::Refused {
                refusal: Refusal::AllUsedUp,
                ..
            }
        ),
        "{refused:?}"
    );

    sell(&store, &member, &one, date(2025, 11, 2));
    clock.advance(Duration::minutes(1));
    accepted_card(&scan(&store, &settings, &clock, "AB0012345"));
}

#[test]
fn repeat_guard_window() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let member = member_with_code(
        &store,
        "Léa",
        "Martin",
        "31415926",
        paris(2025, 1, 1, 9, 0, 0),
    );
    let two = card_type(&store, "Deux", 2, Validity::None);
    let card = sell(&store, &member, &two, date(2025, 1, 1));

    let clock = clock(paris(2025, 11, 3, 18, 2, 10));
    accepted_card(&scan(&store, &settings, &clock, "31415926"));
    for later_ms in [400, 3000] {
        clock.set(paris(2025, 11, 3, 18, 2, 10) + Duration::milliseconds(later_ms));
        let outcome = scan(&store, &settings, &clock, "31415926");
        assert!(
            matches!(outcome, CheckInOutcome::AlreadyCheckedIn { .. }),
            "{outcome:?}"
        );
    }
    assert_eq!(store.card(card.id).unwrap().unwrap().sessions_remaining, 1);

    // Staff can deduct again on purpose inside the window.
    let again = check_in_scan(
        &store,
        &settings,
        &clock,
        "31415926",
        ScanRequest {
            activity: None,
            charge_again: true,
        },
    )
    .unwrap()
    .unwrap();
    assert_eq!(accepted_card(&again.outcome).1, 0);

    // Undoing that second check-in lets the next scan through without a repeat warning.
    let since = settings.club_time.start_of_day(date(2025, 11, 3));
    let newest = store.check_ins_since(since).unwrap()[0].event.id;
    store
        .revert_check_in(newest, &context(clock.now()))
        .unwrap();
    clock.set(paris(2025, 11, 3, 18, 40, 0));
    assert_eq!(
        accepted_card(&scan(&store, &settings, &clock, "31415926")).1,
        0
    );
}

#[test]
fn expiry_through_last_day_in_paris() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);

    // 30/03/2025 has 23 hours in Paris, 26/10/2025 has 25.
    let rounds = [
        (date(2025, 3, 30), "27182818"),
        (date(2025, 10, 26), "16180339"),
    ];
    for (last_day, code) in rounds {
        let member = member_with_code(&store, "Zoé", "Lefèvre", code, paris(2025, 1, 1, 9, 0, 0));
        let card_type = card_type(&store, "Saison", 10, Validity::Until(last_day));
        let card = sell(&store, &member, &card_type, date(2025, 1, 1));

        let last_second = settings
            .club_time
            .start_of_day(last_day.succ_opt().unwrap())
            - Duration::seconds(1);
        let clock = clock(last_second);
        let (charged, _) = accepted_card(&scan(&store, &settings, &clock, code));
        assert_eq!(charged, card.id.0, "{last_day}: charged at 23:59:59");

        clock.advance(Duration::seconds(1));
        clock.advance(Duration::minutes(11));
        match scan(&store, &settings, &clock, code) {
            CheckInOutcome::Refused {
                refusal: Refusal::Expired { on },
                ..
            } => assert_eq!(on, last_day),
            other => panic!("expected expiry on {last_day}, got {other:?}"),
        }
    }
}

#[test]
fn midnight_is_the_next_day() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let member = member_with_code(
        &store,
        "Anaïs",
        "Moreau",
        "11111111",
        paris(2025, 1, 1, 9, 0, 0),
    );
    let card = sell(
        &store,
        &member,
        &card_type(&store, "Saison", 10, Validity::Until(date(2025, 3, 30))),
        date(2025, 1, 1),
    );

    // Exactly 00:00:00 on 31/03 in Paris (22:00 UTC on 30/03) is refused, whatever the
    // process time zone: no rule reads the local zone of the machine.
    let clock = clock(paris(2025, 3, 31, 0, 0, 0));
    let outcome = scan(&store, &settings, &clock, "11111111");
    assert!(
        matches!(
            outcome,
            CheckInOutcome::Refused {
                refusal: Refusal::Expired { .. },
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(store.card(card.id).unwrap().unwrap().sessions_remaining, 10);
}

#[test]
fn unknown_and_misread_codes_charge_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let member = member_with_code(
        &store,
        "Paul",
        "de La Fontaine",
        "31415926",
        paris(2025, 1, 1, 9, 0, 0),
    );
    let card = sell(
        &store,
        &member,
        &card_type(&store, "Dix", 10, Validity::None),
        date(2025, 1, 1),
    );
    let clock = clock(paris(2025, 11, 3, 18, 0, 0));

    let unknown = scan(&store, &settings, &clock, "99999999");
    assert!(
        matches!(unknown, CheckInOutcome::Refused { member: None, .. }),
        "{unknown:?}"
    );
    // One digit misread: the Damm check digit catches it.
    let misread = scan(&store, &settings, &clock, "31415927");
    assert!(
        matches!(
            misread,
            CheckInOutcome::Refused {
                refusal: Refusal::MisreadCode { .. },
                ..
            }
        ),
        "{misread:?}"
    );
    // A layout's digit row that maps to no member is an unknown code too.
    let unmapped = scan(&store, &settings, &clock, "&&&&&&&&");
    assert!(
        matches!(unmapped, CheckInOutcome::Refused { member: None, .. }),
        "{unmapped:?}"
    );
    assert_eq!(store.card(card.id).unwrap().unwrap().sessions_remaining, 10);
    assert_eq!(store.ledger_len(), 1, "only the sale is in the ledger");
}

#[test]
fn layout_mismatch_finds_member() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let member = member_with_code(
        &store,
        "Ægir",
        "Ødegård",
        "0012345678",
        paris(2025, 1, 1, 9, 0, 0),
    );
    let card = sell(
        &store,
        &member,
        &card_type(&store, "Dix", 10, Validity::None),
        date(2025, 1, 1),
    );
    let clock = clock(paris(2025, 11, 3, 18, 0, 0));

    for typed in ["àà&é\"'(-è_", "àà&é\"'(§è!", "))!@#$%^&*"] {
        clock.advance(Duration::minutes(15));
        let result = check_in_scan(&store, &settings, &clock, typed, ScanRequest::default())
            .unwrap()
            .unwrap();
        assert!(
            result.layout.is_some(),
            "{typed}: layout mismatch not reported"
        );
        accepted_card(&result.outcome);
    }
    assert_eq!(store.card(card.id).unwrap().unwrap().sessions_remaining, 7);
}

#[test]
fn race_for_last_session() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(&dir.path().join("db")));
    let now = paris(2025, 11, 3, 18, 0, 0);
    let one = card_type(&store, "Un", 1, Validity::None);

    let mut members = Vec::new();
    {
        let mut loader = carnet::store::BulkLoader::new(&store).unwrap();
        for index in 0..1000u32 {
            let code = carnet::domain::MemberCode::parse(&format!("R{index:05}")).unwrap();
            let member = loader
                .add_member(
                    &carnet::domain::member::NewMember::named("Race", "Test"),
                    code,
                    now,
                )
                .unwrap();
            let card = loader
                .add_card(&member, &one, date(2025, 11, 1), &context(now))
                .unwrap();
            members.push((member.code.clone(), card.id));
        }
        loader.finish().unwrap();
    }

    let rules = CheckInRules {
        today: date(2025, 11, 3),
        now,
        activity: None,
        repeat_guard: Duration::minutes(10),
        charge_again: true,
    };
    for (code, card_id) in &members {
        let outcomes: Vec<CheckInOutcome> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| store.check_in(code, &rules, &context(now)).unwrap()))
                .collect();
            racers
                .into_iter()
                .map(|racer| racer.join().unwrap())
                .collect()
        });
        let accepted = outcomes
            .iter()
            .filter(|o| matches!(o, CheckInOutcome::Accepted { .. }))
            .count();
        assert_eq!(accepted, 1, "{code}: {outcomes:?}");
        assert_eq!(store.card(*card_id).unwrap().unwrap().sessions_remaining, 0);
    }
    assert!(store.verify_balances().unwrap().is_empty());
}

/// Date rules hold whatever the process time zone is because no code reads the machine's
/// its local time: every "today" comes from the club's zone in config.toml.
#[test]
fn no_code_reads_process_time_zone() {
    let mut offenders = Vec::new();
    let mut folders = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains("Local::") || text.contains("chrono::Local") {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "these files read the process time zone: {offenders:?}"
    );
}

#[test]
fn today_list_names_newest_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let member = member_with_code(
        &store,
        "Léa",
        "Martin",
        "31415926",
        paris(2025, 1, 1, 9, 0, 0),
    );
    sell(
        &store,
        &member,
        &card_type(&store, "Cent", 100, Validity::None),
        date(2025, 1, 1),
    );
    let clock = clock(paris(2025, 11, 3, 9, 0, 0));
    for _ in 0..3 {
        clock.advance(Duration::minutes(11));
        accepted_card(&scan(&store, &settings, &clock, "31415926"));
    }
    let since = settings.club_time.start_of_day(date(2025, 11, 3));
    let rows = store.check_ins_since_named(since, 2).unwrap();
    assert_eq!(rows.len(), 3, "every check-in is listed");
    assert_eq!(rows[1].member_name, "Léa Martin");
    assert_eq!(
        rows[2].member_name, "",
        "rows past the named ones have no names"
    );
    assert_eq!(rows[2].remaining_after, 99);
}
