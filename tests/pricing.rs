//! Finance › Pricing against a real database: the keyboard flow of the form, snapshot
//! isolation of sold cards, archive versus delete, activity rules and the audit trail.

mod common;

use carnet::domain::FixedClock;
use carnet::domain::audit::AuditAction;
use carnet::domain::card_type::Validity;
use carnet::domain::pricing::{CardTypeDraft, validate};
use carnet::i18n::Language;
use carnet::store::{PricingRefusal, Store};
use carnet::tui::app::{Action, App, NavKey, Screen};
use carnet::tui::keymap::{Command, Keymap};
use carnet::tui::pricing::PricingMode;
use common::*;

fn draft(name: &str, price_cents: i64, sessions: u32, validity: Validity) -> CardTypeDraft {
    CardTypeDraft {
        name: name.to_owned(),
        price_cents,
        sessions,
        validity,
        audience: "adultes".to_owned(),
        activities: vec![],
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Insert(c));
    }
}

/// Fills the open form field by field, as a manager types it.
fn fill_form(app: &mut App, fields: [&str; 5]) {
    for (index, value) in fields.iter().enumerate() {
        type_text(app, value);
        if index < fields.len() - 1 {
            app.update(Action::Tab);
        }
    }
}

#[test]
fn keyboard_creates_three_types_changes_and_archives() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let yoga = store
        .create_activity("Yoga", &context(paris(2026, 12, 1, 9, 0, 0)))
        .unwrap()
        .unwrap();
    let settings = settings(&dir.path().join("db"), Language::Fr);
    let clock = FixedClock::new(paris(2026, 12, 4, 10, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();

    app.update(Action::Command(Command::Pricing));
    assert_eq!(app.screen, Screen::Pricing);
    for fields in [
        ["10 séances, adultes", "85,00 €", "10", "12 mois", "adultes"],
        ["5 séances, enfants", "40", "5", "6 mois", "enfants"],
        ["Yoga, 10 cours", "1 020,50", "10", "30/06/2027", "adultes"],
    ] {
        app.update(Action::Command(Command::New));
        fill_form(&mut app, fields);
        if fields[0].starts_with("Yoga") {
            // The activity checklist follows the audience: tick Yoga with the space bar.
            app.update(Action::Tab);
            app.update(Action::Insert(' '));
        }
        app.update(Action::Submit);
        assert!(
            app.pricing.in_list(),
            "{}: form still open: {:?}",
            fields[0],
            app.pricing.notice
        );
    }
    let types = store.card_types().unwrap();
    assert_eq!(types.len(), 3);
    let yoga_type = types.iter().find(|t| t.name == "Yoga, 10 cours").unwrap();
    assert_eq!(yoga_type.price_cents, 102_050);
    assert_eq!(yoga_type.activities, vec![yoga.id]);
    assert_eq!(yoga_type.validity, Validity::Until(date(2027, 6, 30)));

    // Change the price of the selected type (the list is sorted by name: "10 séances" first).
    app.update(Action::Navigate(NavKey::Home));
    app.update(Action::Submit);
    app.update(Action::Tab);
    for _ in 0..10 {
        app.update(Action::DeleteBack);
    }
    type_text(&mut app, "90");
    app.update(Action::Submit);
    assert!(app.pricing.in_list());
    let adults = store
        .card_types()
        .unwrap()
        .into_iter()
        .find(|t| t.name == "10 séances, adultes")
        .unwrap();
    assert_eq!(adults.price_cents, 9_000);

    // Archive it; it leaves the list of types on sale.
    app.update(Action::Command(Command::Archive));
    assert!(store.card_type(adults.id).unwrap().unwrap().archived);
    assert_eq!(app.pricing.visible().len(), 2);
}

#[test]
fn form_shows_each_error_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(paris(2026, 12, 4, 10, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Pricing));
    app.update(Action::Command(Command::New));
    fill_form(&mut app, ["", "12,505", "0", "soon", ""]);
    app.update(Action::Submit);

    let PricingMode::Form(form) = &app.pricing.mode else {
        panic!("the form must stay open");
    };
    assert!(form.errors.name.is_some());
    assert!(form.errors.price.is_some());
    assert!(form.errors.sessions.is_some());
    assert!(form.errors.validity.is_some());
    assert!(store.card_types().unwrap().is_empty());

    // Esc discards the form.
    app.update(Action::Cancel);
    assert!(app.pricing.in_list());
    assert!(store.card_types().unwrap().is_empty());
}

#[test]
fn sold_cards_keep_their_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let ctx = context(paris(2026, 12, 1, 9, 0, 0));
    let card_type = store
        .create_card_type(&draft("Dix", 8_500, 10, Validity::Months(12)), &ctx)
        .unwrap()
        .unwrap();
    let member = member_with_code(
        &store,
        "Marie",
        "Dupont",
        "31415926",
        paris(2026, 1, 1, 9, 0, 0),
    );
    let card = sell(&store, &member, &card_type, date(2026, 12, 1));

    store
        .update_card_type(
            card_type.id,
            &draft("Dix", 9_900, 12, Validity::Months(6)),
            &ctx,
        )
        .unwrap()
        .unwrap();
    let kept = store.card(card.id).unwrap().unwrap();
    assert_eq!(kept.price_cents, 8_500);
    assert_eq!(kept.sessions_total, 10);
    assert_eq!(kept.sessions_remaining, 10);
    assert_eq!(kept.expires_on, Some(date(2027, 12, 1)));
}

#[test]
fn sold_type_archives_but_never_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let ctx = context(paris(2026, 12, 1, 9, 0, 0));
    let sold = store
        .create_card_type(&draft("Vendu", 8_500, 10, Validity::None), &ctx)
        .unwrap()
        .unwrap();
    let unsold = store
        .create_card_type(&draft("Jamais vendu", 8_500, 10, Validity::None), &ctx)
        .unwrap()
        .unwrap();
    let member = member_with_code(
        &store,
        "Marie",
        "Dupont",
        "31415926",
        paris(2026, 1, 1, 9, 0, 0),
    );
    let card = sell(&store, &member, &sold, date(2026, 12, 1));

    assert_eq!(
        store.delete_card_type(sold.id, &ctx).unwrap(),
        Err(PricingRefusal::CardTypeSold {
            name: "Vendu".into(),
            sold: 1
        })
    );
    store
        .set_card_type_archived(sold.id, true, &ctx)
        .unwrap()
        .unwrap();
    assert!(
        store.card(card.id).unwrap().is_some(),
        "its card keeps working"
    );

    assert_eq!(store.delete_card_type(unsold.id, &ctx).unwrap(), Ok(()));
    assert!(store.card_type(unsold.id).unwrap().is_none());
}

#[test]
fn restoring_into_a_taken_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let ctx = context(paris(2026, 12, 1, 9, 0, 0));
    let old = store
        .create_card_type(&draft("Carte Adulte", 8_500, 10, Validity::None), &ctx)
        .unwrap()
        .unwrap();
    store
        .set_card_type_archived(old.id, true, &ctx)
        .unwrap()
        .unwrap();
    store
        .create_card_type(&draft("carte adulte", 9_000, 10, Validity::None), &ctx)
        .unwrap()
        .unwrap();
    assert!(matches!(
        store.set_card_type_archived(old.id, false, &ctx).unwrap(),
        Err(PricingRefusal::NameTaken { .. })
    ));
    assert!(matches!(
        store
            .create_card_type(&draft("CARTE ADULTE", 1, 1, Validity::None), &ctx)
            .unwrap(),
        Err(PricingRefusal::NameTaken { .. })
    ));
}

#[test]
fn activity_rename_and_delete_rules() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let ctx = context(paris(2026, 12, 1, 9, 0, 0));
    let judo = store.create_activity("Judo U12", &ctx).unwrap().unwrap();
    let free = store
        .create_activity("Escalade libre", &ctx)
        .unwrap()
        .unwrap();
    let mut judo_card = draft("Judo", 5_000, 10, Validity::None);
    judo_card.activities = vec![judo.id];
    let card_type = store.create_card_type(&judo_card, &ctx).unwrap().unwrap();

    store
        .rename_activity(judo.id, "Judo moins de 12 ans", &ctx)
        .unwrap()
        .unwrap();
    assert_eq!(
        store.activity(judo.id).unwrap().unwrap().name,
        "Judo moins de 12 ans"
    );
    assert_eq!(
        store.card_type(card_type.id).unwrap().unwrap().activities,
        vec![judo.id]
    );

    assert!(matches!(
        store.delete_activity(judo.id, &ctx).unwrap(),
        Err(PricingRefusal::ActivityInUse { .. })
    ));
    assert_eq!(store.delete_activity(free.id, &ctx).unwrap(), Ok(()));
    assert!(matches!(
        store.create_activity("judo moins de 12 ANS", &ctx).unwrap(),
        Err(PricingRefusal::NameTaken { .. })
    ));
}

#[test]
fn every_change_is_audited_with_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let ctx = context(paris(2026, 12, 1, 9, 0, 0));
    let card_type = store
        .create_card_type(&draft("Dix", 8_500, 10, Validity::None), &ctx)
        .unwrap()
        .unwrap();
    store
        .update_card_type(card_type.id, &draft("Dix", 9_000, 10, Validity::None), &ctx)
        .unwrap()
        .unwrap();
    store
        .set_card_type_archived(card_type.id, true, &ctx)
        .unwrap()
        .unwrap();
    store.delete_card_type(card_type.id, &ctx).unwrap().unwrap();

    let events = store.audit_events().unwrap();
    let actions: Vec<AuditAction> = events.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::Deleted,
            AuditAction::Archived,
            AuditAction::Updated,
            AuditAction::Created
        ]
    );
    let update = &events[2];
    assert_eq!(update.operator, "test");
    match &update.change {
        carnet::domain::audit::AuditChange::CardType { before, after, .. } => {
            assert_eq!(before.as_ref().unwrap().price_cents, 8_500);
            assert_eq!(after.as_ref().unwrap().price_cents, 9_000);
        }
        other => panic!("expected a card type change, got {other:?}"),
    }
}

#[test]
fn validate_matches_store_uniqueness() {
    let dir = tempfile::tempdir().unwrap();
    let store: Store = open(&dir.path().join("db"));
    let ctx = context(paris(2026, 12, 1, 9, 0, 0));
    store
        .create_card_type(&draft("Séance découverte", 0, 1, Validity::Days(30)), &ctx)
        .unwrap()
        .unwrap();
    let input = carnet::domain::pricing::CardTypeInput {
        name: "seance Decouverte".into(),
        price: "0".into(),
        sessions: "1".into(),
        validity: "30 jours".into(),
        audience: String::new(),
        activities: vec![],
    };
    let errors = validate(
        &input,
        &store.card_types().unwrap(),
        None,
        date(2026, 12, 4),
    )
    .unwrap_err();
    assert!(errors.name.is_some());
}
