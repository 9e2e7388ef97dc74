//! Practice › Session cards against a real database: last use kept by check-in and undo,
//! the upgrade of a format-1 database, contacts and when an informed member comes back, the
//! CSV files as Excel reads them, the keyboard path through the screen, and render snapshots.

mod common;

use carnet::domain::FixedClock;
use carnet::domain::card_type::Validity;
use carnet::domain::checkin::CheckInRules;
use carnet::domain::inform::{Channel, to_inform};
use carnet::domain::overview::{Column, Filter, Sort, Thresholds};
use carnet::i18n::{Catalog, Language};
use carnet::session_cards::{View, write_view_csv};
use carnet::store::{CheckInOutcome, NewContact, Store};
use carnet::tui::app::{Action, App, NavKey, Screen};
use carnet::tui::keymap::{Command, Keymap};
use carnet::tui::theme::Theme;
use chrono::{DateTime, Duration, Utc};
use common::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

const TODAY: (i32, u32, u32) = (2026, 12, 4);

fn now() -> DateTime<Utc> {
    paris(TODAY.0, TODAY.1, TODAY.2, 18, 0, 0)
}

fn rules(at: DateTime<Utc>) -> CheckInRules {
    CheckInRules {
        today: date(TODAY.0, TODAY.1, TODAY.2),
        now: at,
        activity: None,
        repeat_guard: Duration::zero(),
        charge_again: false,
    }
}

fn check_in(store: &Store, code: &str, at: DateTime<Utc>) -> u64 {
    let code = carnet::domain::MemberCode::parse(code).unwrap();
    match store.check_in(&code, &rules(at), &context(at)).unwrap() {
        CheckInOutcome::Accepted { event, .. } => event.id.0,
        other => panic!("expected an accepted check-in, got {other:?}"),
    }
}

/// Four members: Marie with a low card, Yann whose card expires in 3 days, Lan with a fresh
/// card, and Noé with a low card and a fresh one that covers it.
fn club(dir: &std::path::Path) -> Store {
    let store = open(&dir.join("db"));
    let created = paris(2026, 9, 1, 10, 0, 0);
    let marie = member_with_code(&store, "Marie", "Dupont", "31415926", created);
    let yann = member_with_code(&store, "Yann", "Le Goff", "27182818", created);
    let lan = member_with_code(&store, "Thi Lan", "Nguyễn", "16180339", created);
    let noe = member_with_code(&store, "Noé", "Garçon", "14142135", created);
    let ten = card_type(&store, "10 séances adulte", 10, Validity::Months(12));
    let two = card_type(&store, "2 séances", 2, Validity::Months(12));
    let short = card_type(&store, "Découverte", 3, Validity::Days(30));
    sell(&store, &marie, &two, date(2026, 9, 1));
    sell(&store, &yann, &short, date(2026, 11, 8));
    sell(&store, &lan, &ten, date(2026, 11, 2));
    sell(&store, &noe, &two, date(2026, 9, 1));
    sell(&store, &noe, &ten, date(2026, 11, 20));
    store
}

fn today() -> chrono::NaiveDate {
    date(TODAY.0, TODAY.1, TODAY.2)
}

#[test]
fn last_use_follows_check_in_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let first = paris(2026, 12, 1, 18, 0, 0);
    let second = paris(2026, 12, 3, 18, 0, 0);
    check_in(&store, "31415926", first);
    let event = check_in(&store, "31415926", second);
    let club_time = settings(&dir.path().join("db"), Language::En).club_time;
    let marie_row = |store: &Store| {
        let overview = store.overview(&club_time).unwrap();
        let row = overview
            .rows
            .iter()
            .find(|row| overview.owner(row).name() == "Marie Dupont")
            .cloned()
            .unwrap();
        row.last_use
    };
    assert_eq!(marie_row(&store), Some(date(2026, 12, 3)));

    store
        .revert_check_in(carnet::domain::EventId(event), &context(now()))
        .unwrap();
    assert_eq!(
        marie_row(&store),
        Some(date(2026, 12, 1)),
        "undo gives back the use before"
    );

    // Rebuilding from the ledger, as the upgrade does, gives the same date.
    store.rebuild_last_use().unwrap();
    assert_eq!(marie_row(&store), Some(date(2026, 12, 1)));
}

#[test]
fn format_1_upgrade_fills_last_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = club(dir.path());
        check_in(&store, "31415926", paris(2026, 12, 1, 18, 0, 0));
        check_in(&store, "16180339", paris(2026, 12, 2, 9, 0, 0));
        store.checkpoint().unwrap();
    }
    {
        // What Carnet 1 left: format 1 and no card_last_use tree.
        let db = sled::open(&path).unwrap();
        db.open_tree("card_last_use").unwrap().clear().unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("format", carnet::store::codec::encode(&1u32))
            .unwrap();
        db.flush().unwrap();
        // Carnet 1's manifest recorded format 1; without one, nothing is compared.
        std::fs::remove_file(path.join("manifest.v3")).unwrap();
    }
    let store = open(&path);
    let club_time = settings(&path, Language::En).club_time;
    let overview = store.overview(&club_time).unwrap();
    let used: Vec<_> = overview
        .rows
        .iter()
        .filter_map(|row| row.last_use.map(|on| (overview.owner(row).name(), on)))
        .collect();
    assert_eq!(
        used,
        [
            ("Marie Dupont".to_owned(), date(2026, 12, 1)),
            ("Thi Lan Nguyễn".to_owned(), date(2026, 12, 2)),
        ]
    );
}

#[test]
fn informed_member_returns_on_news() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let club_time = settings(&dir.path().join("db"), Language::En).club_time;
    let thresholds = Thresholds::default();
    let names = |store: &Store| {
        let overview = store.overview(&club_time).unwrap();
        let contacts = store.last_contacts().unwrap();
        to_inform(&overview, today(), &thresholds, &contacts)
            .iter()
            .map(|entry| overview.owners.get(entry.owner as usize).name())
            .collect::<Vec<_>>()
    };
    // Noé's low card is covered by his fresh one; Lan's card is fresh.
    assert_eq!(names(&store), ["Marie Dupont", "Yann Le Goff"]);

    let overview = store.overview(&club_time).unwrap();
    let list = to_inform(&overview, today(), &thresholds, &Default::default());
    let marie = overview.owners.get(list[0].owner as usize).member_id;
    let contact = NewContact {
        member_id: marie,
        channel: Channel::Phone,
        note: "rappelle lundi".to_owned(),
        reasons: carnet::domain::inform::contact_reasons(&list[0].reasons, None),
    };
    store.record_contact(&contact, &context(now())).unwrap();
    assert_eq!(names(&store), ["Yann Le Goff"]);
    let history = store.contacts_of_member(marie).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].note, "rappelle lundi");

    // A new card that covers only one activity does not take over, and is news.
    let yoga = store.insert_activity("Yoga").unwrap();
    let yoga_only = store
        .insert_card_type("Yoga 5", 5_000, 5, Validity::Months(6), "", vec![yoga.id])
        .unwrap();
    store
        .sell_card(marie, yoga_only.id, today(), &context(now()))
        .unwrap();
    assert_eq!(names(&store), ["Marie Dupont", "Yann Le Goff"]);
}

fn view_csv(store: &Store, language: Language) -> String {
    let club_time = settings(std::path::Path::new("db"), language).club_time;
    let mut overview = store.overview(&club_time).unwrap();
    overview.rank_owners_by_name();
    let thresholds = Thresholds::default();
    let sort = Sort {
        column: Column::Owner,
        descending: false,
    };
    let shown = overview.view(Filter::All, None, sort, today(), &thresholds);
    let view = View {
        overview: &overview,
        shown: &shown,
        filter: Filter::All,
        sort,
        today: today(),
        thresholds: &thresholds,
    };
    let mut bytes = Vec::new();
    write_view_csv(&mut bytes, &Catalog::new(language), &view).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark first"
    );
    String::from_utf8(bytes[3..].to_vec()).unwrap()
}

/// Reads the CSV the way Excel's French or English settings split it.
fn records(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn view_csv_opens_in_excel() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());

    let french = records(&view_csv(&store, Language::Fr), b';');
    assert_eq!(french[0][0], "Code");
    assert_eq!(french[0][1], "Titulaire");
    assert_eq!(french[0].len(), 13, "{:?}", french[0]);
    // Dupont, Garçon (two cards), Le Goff, Nguyễn: last names in order.
    assert_eq!(french.len(), 6);
    let marie = &french[1];
    assert_eq!(marie[0], "31415926");
    assert_eq!(marie[1], "Marie Dupont");
    assert_eq!(marie[4], "01/09/2026", "French date");
    assert_eq!(marie[6], "2 / 2", "spaced, so that Excel keeps it as text");
    assert_eq!(marie[11], "2");
    assert_eq!(marie[12], "120,00", "decimal comma, no currency sign");

    let english = records(&view_csv(&store, Language::En), b',');
    assert_eq!(english[0][1], "Owner");
    assert_eq!(english[1][4], "2026-09-01");
    assert_eq!(english[1][12], "120.00");
    let yann = english.iter().find(|r| r[1] == "Yann Le Goff").unwrap();
    assert_eq!(yann[5], "2026-12-08 (in 4 d)");
    assert_eq!(yann[8], "⚠ expiring");
}

fn app<'a>(
    store: &'a Store,
    settings: &'a carnet::config::Settings,
    clock: &'a FixedClock,
) -> App<'a> {
    let mut app = App::new(store, settings, clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::SessionCards));
    app.settle();
    app
}

fn press(app: &mut App, action: Action) {
    app.update(action);
    app.settle();
}

fn selected_owner(app: &App) -> String {
    let state = &app.session_cards;
    let row = &state.overview.rows[state.shown[state.selected] as usize];
    state.overview.owner(row).name()
}

#[test]
fn keyboard_path_filter_sort_profile_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    assert_eq!(app.session_cards.shown.len(), 5, "every card is active");

    // Expiring within 14 days: Yann only.
    press(&mut app, Action::Tab);
    assert_eq!(app.session_cards.filter, Filter::Expiring);
    assert_eq!(app.session_cards.shown.len(), 1);

    // Back to active cards, sorted by sessions left, then searched.
    press(&mut app, Action::BackTab);
    // From the expiry column, the default, one column right.
    press(&mut app, Action::Navigate(NavKey::Right));
    assert_eq!(app.session_cards.sort.column, Column::SessionsLeft);
    assert_eq!(
        selected_owner(&app),
        "Marie Dupont",
        "a new sort starts at the top: 2 sessions left, sold first"
    );
    press(&mut app, Action::Command(Command::SortReverse));
    press(&mut app, Action::Navigate(NavKey::Home));
    assert_eq!(
        selected_owner(&app),
        "Thi Lan Nguyễn",
        "10 sessions left, sold before Noé's card of 10"
    );
    for c in "garcon noe".chars() {
        press(&mut app, Action::Insert(c));
    }
    assert_eq!(app.session_cards.shown.len(), 2, "both of Noé's cards");

    // Enter opens the owner's profile on that card; Esc comes back to the same row.
    press(&mut app, Action::Navigate(NavKey::Down));
    let before = app.session_cards.selected;
    press(&mut app, Action::Submit);
    assert_eq!(app.screen, Screen::Members);
    assert!(app.members.in_profile());
    press(&mut app, Action::Cancel);
    assert_eq!(app.screen, Screen::SessionCards);
    assert_eq!(app.session_cards.selected, before);
    assert_eq!(app.session_cards.query.value(), "garcon noe");
}

#[test]
fn leaving_drops_the_cards_and_coming_back_keeps_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    press(&mut app, Action::Command(Command::Thresholds));
    press(&mut app, Action::Tab);
    press(&mut app, Action::DeleteBack);
    press(&mut app, Action::Insert('9'));
    press(&mut app, Action::Submit);
    press(&mut app, Action::Navigate(NavKey::Right));
    press(&mut app, Action::Navigate(NavKey::Down));
    press(&mut app, Action::Navigate(NavKey::Down));
    let owner = selected_owner(&app);
    let (sort, thresholds) = (app.session_cards.sort, app.session_cards.thresholds);
    assert_eq!(thresholds.low_sessions, 9);

    for leave in [Command::FrontDesk, Command::Members, Command::Reports] {
        press(&mut app, Action::Command(leave));
        assert!(app.session_cards.overview.rows.is_empty(), "{leave:?}");
        assert!(app.session_cards.overview.owners.is_empty(), "{leave:?}");
        assert!(app.session_cards.inform.is_empty(), "{leave:?}");

        press(&mut app, Action::Command(Command::SessionCards));
        assert_eq!(app.session_cards.shown.len(), 5, "{leave:?}");
        assert_eq!(selected_owner(&app), owner, "{leave:?}");
        assert_eq!(app.session_cards.sort, sort, "{leave:?}");
        assert_eq!(app.session_cards.thresholds, thresholds, "{leave:?}");
    }

    // A profile opened from the cards keeps them for Esc.
    press(&mut app, Action::Submit);
    assert_eq!(app.screen, Screen::Members);
    assert_eq!(app.session_cards.overview.rows.len(), 5);
}

/// Reports and the member search are not kept in memory together: opening Reports lets the
/// search go, and Members or Session cards build it again, with the members added meanwhile.
#[test]
fn reports_let_the_member_search_go() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    assert!(
        app.members.search_index_built(),
        "Session cards searches owners with it"
    );

    press(&mut app, Action::Command(Command::Reports));
    assert!(!app.members.search_index_built());
    member_with_code(
        &store,
        "Zoé",
        "Bernard",
        "22360679",
        paris(2026, 12, 4, 9, 0, 0),
    );

    press(&mut app, Action::Command(Command::Members));
    assert!(app.members.search_index_built());
    for c in "zoe".chars() {
        press(&mut app, Action::Insert(c));
    }
    let found: Vec<String> = app
        .members
        .rows
        .iter()
        .map(|row| row.member.last_name.clone())
        .collect();
    assert_eq!(found, ["Bernard"]);

    press(&mut app, Action::Command(Command::Reports));
    press(&mut app, Action::Command(Command::SessionCards));
    assert!(app.members.search_index_built());
    assert_eq!(app.session_cards.shown.len(), 5);
}

#[test]
fn mark_dialog_outlives_leaving_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    press(&mut app, Action::Command(Command::ToInform));
    press(&mut app, Action::Command(Command::MarkInformed));
    assert!(app.session_cards.dialog.is_some());

    press(&mut app, Action::Command(Command::Reports));
    assert!(app.session_cards.overview.rows.is_empty());
    assert!(
        app.session_cards.dialog.is_some(),
        "the dialog waits on its screen"
    );

    press(&mut app, Action::Command(Command::SessionCards));
    let text = screen_text(&app, 100, 30, &Theme::plain());
    assert!(text.contains("Marie Dupont"), "{text}");
    press(&mut app, Action::Submit);
    assert!(app.session_cards.dialog.is_none());
    let contacts = store.last_contacts().unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!(app.session_cards.inform.len(), 1);
}

/// Marking a member from the list keeps the card selected in the table.
#[test]
fn marking_keeps_table_selection() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    press(&mut app, Action::Navigate(NavKey::Down));
    press(&mut app, Action::Navigate(NavKey::Down));
    let state = &app.session_cards;
    assert_eq!(state.selected, 2);
    let card = state.overview.rows[state.shown[2] as usize].card_id;

    press(&mut app, Action::Command(Command::ToInform));
    press(&mut app, Action::Command(Command::MarkInformed));
    press(&mut app, Action::Submit);
    assert_eq!(store.last_contacts().unwrap().len(), 1);
    press(&mut app, Action::Command(Command::ToInform));

    let state = &app.session_cards;
    let selected = state.overview.rows[state.shown[state.selected] as usize].card_id;
    assert_eq!(
        selected, card,
        "the table stays on the card selected before"
    );
}

#[test]
fn marking_two_members_empties_list() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::Fr);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    assert!(
        app.session_cards.inform.is_empty(),
        "the list waits until staff show it"
    );
    press(&mut app, Action::Command(Command::ToInform));
    assert_eq!(app.session_cards.inform.len(), 2);
    for note in ["appel", "vu à l'accueil"] {
        press(&mut app, Action::Command(Command::MarkInformed));
        press(&mut app, Action::Tab);
        for c in note.chars() {
            press(&mut app, Action::Insert(c));
        }
        press(&mut app, Action::Submit);
    }
    assert!(app.session_cards.inform.is_empty());
    let contacts = store.last_contacts().unwrap();
    assert_eq!(contacts.len(), 2);
    assert!(contacts.values().all(|c| c.channel == Channel::Email));

    // Thresholds changed on screen bring Lan and Noé (10 sessions left each) in, and Yann
    // back: his 3 sessions are a reason he was not informed of.
    press(&mut app, Action::Command(Command::Thresholds));
    press(&mut app, Action::Tab);
    press(&mut app, Action::DeleteBack);
    for c in "10".chars() {
        press(&mut app, Action::Insert(c));
    }
    press(&mut app, Action::Submit);
    assert_eq!(app.session_cards.thresholds.low_sessions, 10);
    assert_eq!(app.session_cards.inform.len(), 3);

    // A bad threshold is refused with the value named, and nothing changes.
    press(&mut app, Action::Command(Command::Thresholds));
    press(&mut app, Action::DeleteBack);
    press(&mut app, Action::DeleteBack);
    for c in "99999".chars() {
        press(&mut app, Action::Insert(c));
    }
    press(&mut app, Action::Submit);
    let text = screen_text(&app, 100, 30, &Theme::plain());
    assert!(text.contains("« 99999 »"), "{text}");
    assert_eq!(app.session_cards.thresholds.expiring_days, 14);
}

fn screen_text(app: &App, width: u16, height: u16, theme: &Theme) -> String {
    buffer_text(draw(app, width, height, theme).backend().buffer())
}

fn draw(app: &App, width: u16, height: u16, theme: &Theme) -> Terminal<TestBackend> {
    draw_app(app, width, height, theme)
}

fn snapshots(language: Language, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    check_in(&store, "16180339", paris(2026, 12, 2, 9, 0, 0));
    let settings = settings(&dir.path().join("db"), language);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    insta::assert_snapshot!(
        format!("{name}_cards_80x24"),
        screen_text(&app, 80, 24, &Theme::plain())
    );
    insta::assert_snapshot!(
        format!("{name}_cards_140x30"),
        screen_text(&app, 140, 30, &Theme::plain())
    );
    press(&mut app, Action::Command(Command::ToInform));
    insta::assert_snapshot!(
        format!("{name}_to_inform_120x30"),
        screen_text(&app, 120, 30, &Theme::plain())
    );
    press(&mut app, Action::Command(Command::MarkInformed));
    insta::assert_snapshot!(
        format!("{name}_mark_informed"),
        screen_text(&app, 100, 30, &Theme::plain())
    );
}

#[test]
fn render_english() {
    snapshots(Language::En, "en");
}

#[test]
fn render_french() {
    snapshots(Language::Fr, "fr");
}

/// Running-out cards stand out by colour, and by the same symbol and word without it.
#[test]
fn alerts_read_with_and_without_colour() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let app = app(&store, &settings, &clock);
    for (theme, coloured) in [(Theme::colored(), true), (Theme::plain(), false)] {
        let terminal = draw(&app, 140, 30, &theme);
        let buffer = terminal.backend().buffer();
        let text = screen_text(&app, 140, 30, &theme);
        let (y, line) = text
            .lines()
            .enumerate()
            .find(|(_, line)| line.contains("Yann Le Goff"))
            .unwrap();
        assert!(line.contains("⚠ expiring"), "{line}");
        let x = line.chars().take_while(|c| *c != '⚠').count() as u16;
        let background = buffer[(x, y as u16)].bg;
        assert_eq!(background == Color::Yellow, coloured, "{line}");
    }
}

/// One e-mail per member with an address, in the member's own language or else the club's,
/// with headers any mail program reads.
#[test]
fn emails_are_written_in_each_members_language() {
    use carnet::domain::member::NewMember;
    use carnet::session_cards::{EmailError, EmailSettings, write_emails};

    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let club_time = settings(&dir.path().join("db"), Language::Fr).club_time;
    let overview = store.overview(&club_time).unwrap();
    let marie = overview.owners.get(0);
    let yann = overview.owners.get(1);
    let mut details = NewMember::named(marie.first_name, marie.last_name);
    details.email = Some("marie@exemple.fr".to_owned());
    details.language = Some(Language::En);
    store.update_member(marie.member_id, &details).unwrap();
    let mut details = NewMember::named(yann.first_name, yann.last_name);
    details.email = Some("yann@exemple.fr".to_owned());
    store.update_member(yann.member_id, &details).unwrap();

    let overview = store.overview(&club_time).unwrap();
    let list = to_inform(
        &overview,
        today(),
        &Thresholds::default(),
        &Default::default(),
    );
    assert_eq!(list.len(), 2);
    let mut email_settings = EmailSettings {
        from: "",
        club_name: "Club Élan",
        templates: None,
        language: Language::Fr,
        now: now(),
    };
    let out = dir.path().join("emails");
    assert!(matches!(
        write_emails(&out, &overview, &list, &email_settings),
        Err(EmailError::NoSender)
    ));
    email_settings.from = "accueil@club-elan.fr";
    let report = write_emails(&out, &overview, &list, &email_settings).unwrap();
    assert_eq!(report.written, 2);

    let read = |code: &str| std::fs::read_to_string(out.join(format!("{code}.eml"))).unwrap();
    let english = read(marie.code);
    assert!(
        english.contains("To: \"Marie Dupont\" <marie@exemple.fr>"),
        "{english}"
    );
    assert!(english.contains("Hello Marie,"), "{english}");
    assert!(english.contains("2 sessions left"), "{english}");
    let french = read(yann.code);
    assert!(french.contains("Bonjour Yann,"), "{french}");
    assert!(french.contains("expire le 08/12/2026"), "{french}");
    // The subject names the club, with its accent encoded for mail headers.
    assert!(french.contains("Subject: Club =?utf-8?"), "{french}");
    assert!(french.contains("MIME-Version: 1.0"), "{french}");
    assert!(french.contains("X-Unsent: 1"), "opens as a draft: {french}");
    let mode = std::fs::metadata(out.join(format!("{}.eml", yann.code)))
        .unwrap()
        .permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
}

/// A card scanned while a form or dialog is open checks its member in at the front desk and
/// changes nothing there: no erasure, no contact, no sale, no card change, no form saved.
#[test]
fn scans_into_dialogs_check_in_instead() {
    use carnet::tui::app::Panel;

    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    let accepted = |app: &App| {
        matches!(&app.panel, Panel::Scan(result)
            if matches!(result.outcome, CheckInOutcome::Accepted { .. }))
    };
    let events = |store: &Store| store.ledger_len();

    // The "mark as informed" dialog, with a note typed first.
    press(&mut app, Action::Command(Command::ToInform));
    press(&mut app, Action::Command(Command::MarkInformed));
    for c in "call back".chars() {
        press(&mut app, Action::Insert(c));
    }
    press(&mut app, Action::Scan("16180339".to_owned()));
    assert_eq!(app.screen, Screen::FrontDesk);
    assert!(accepted(&app), "{:?}", app.panel);
    assert!(
        store.last_contacts().unwrap().is_empty(),
        "no contact saved"
    );
    assert!(app.session_cards.dialog.is_some(), "the dialog waits");

    // The thresholds dialog, with a scanner on a French AZERTY layout.
    press(&mut app, Action::Command(Command::SessionCards));
    press(&mut app, Action::Cancel);
    press(&mut app, Action::Command(Command::Thresholds));
    press(&mut app, Action::Scan("éè&_é_&_".to_owned()));
    assert_eq!(app.screen, Screen::FrontDesk);
    assert!(accepted(&app), "27182818 in AZERTY: {:?}", app.panel);
    assert_eq!(app.session_cards.thresholds, Thresholds::default());

    // A member's profile: the sale dialog, the card change dialog, the erase confirmation
    // and the member form each receive a scan and change nothing.
    let marie = store
        .member_by_code(&carnet::domain::MemberCode::parse("31415926").unwrap())
        .unwrap()
        .unwrap();
    for command in [
        Command::Sell,
        Command::ChangeCard,
        Command::Erase,
        Command::Edit,
    ] {
        press(&mut app, Action::Command(Command::Members));
        press(&mut app, Action::Cancel);
        for c in "dupont".chars() {
            press(&mut app, Action::Insert(c));
        }
        press(&mut app, Action::Submit);
        assert!(app.members.in_profile(), "{command:?}");
        press(&mut app, Action::Command(command));
        let before = events(&store);
        press(&mut app, Action::Scan("14142135".to_owned()));
        assert_eq!(app.screen, Screen::FrontDesk, "{command:?}");
        assert!(accepted(&app), "{command:?}: {:?}", app.panel);
        assert_eq!(events(&store), before + 1, "{command:?}: only the check-in");
        assert_eq!(
            store.cards_of_member(marie.id).unwrap().len(),
            1,
            "{command:?}"
        );
        let stored = store.member(marie.id).unwrap().unwrap();
        assert_eq!(stored.first_name, "Marie", "{command:?}");
        // The next check-in of the same member needs the repeat guard out of the way.
        clock.advance(Duration::minutes(30));
    }

    // On the Members list, a scan finds the member, as typing the code does. The form left
    // open above closes to the profile, then to the list.
    press(&mut app, Action::Command(Command::Members));
    press(&mut app, Action::Cancel);
    press(&mut app, Action::Cancel);
    press(&mut app, Action::Cancel);
    press(&mut app, Action::Scan("31415926".to_owned()));
    assert_eq!(app.screen, Screen::Members);
    assert!(app.members.in_profile());

    // Back on the profile, Enter alone does not erase; a second Ctrl-D does.
    press(&mut app, Action::Command(Command::Erase));
    press(&mut app, Action::Submit);
    assert_eq!(store.member(marie.id).unwrap().unwrap().first_name, "Marie");
    press(&mut app, Action::Command(Command::Erase));
    assert!(store.is_erased(marie.id).unwrap());
}

/// Checks that a scan on a profile opened from Session cards releases the cards: staff are
/// at the front desk, no longer on the profile.
#[test]
fn scan_from_profile_releases_cards() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    press(&mut app, Action::Submit);
    assert_eq!(app.screen, Screen::Members);
    assert!(!app.session_cards.overview.rows.is_empty());

    press(&mut app, Action::Scan("16180339".to_owned()));
    assert_eq!(app.screen, Screen::FrontDesk);
    assert!(
        app.session_cards.overview.rows.is_empty(),
        "the cards are let go once the front desk shows the scan"
    );
    assert!(app.session_cards.overview.owners.is_empty());
}

/// Checks that the table shows a change made while a profile opened from it was shown: Esc
/// reads the cards again after a write, although they were kept for the return.
#[test]
fn profile_change_shows_after_esc() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    let remaining = |app: &App| -> u32 {
        let state = &app.session_cards;
        state
            .shown
            .iter()
            .map(|&row| state.overview.rows[row as usize].remaining)
            .sum()
    };
    let before = remaining(&app);
    let state = &app.session_cards;
    let row = &state.overview.rows[state.shown[state.selected] as usize];
    let code = state.overview.owner(row).code.to_owned();

    press(&mut app, Action::Submit);
    assert_eq!(app.screen, Screen::Members);
    // A session used while the profile is shown, as the profile's Ctrl-K would change a card.
    check_in(&store, &code, now());
    press(&mut app, Action::Cancel);
    assert_eq!(app.screen, Screen::SessionCards);
    assert_eq!(
        remaining(&app),
        before - 1,
        "sessions left after the check-in"
    );
}

/// Checks that one key typed on a profile opened from Session cards, which sends staff to the
/// front desk, lets the cards go even when Esc then clears the field.
#[test]
fn typed_key_releases_cards() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    press(&mut app, Action::Submit);
    assert_eq!(app.screen, Screen::Members);

    press(&mut app, Action::Insert('1'));
    press(&mut app, Action::Cancel);
    assert_eq!(app.screen, Screen::FrontDesk);
    assert!(
        app.session_cards.overview.rows.is_empty(),
        "the cards are let go once staff are at the front desk"
    );
}

/// Checks that a mark made on this screen, which it already shows, does not make Esc from a
/// later profile read every card again, as nothing was written while the profile was shown.
#[test]
fn esc_after_mark_keeps_cards() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(now());
    let mut app = app(&store, &settings, &clock);
    press(&mut app, Action::Command(Command::ToInform));
    press(&mut app, Action::Command(Command::MarkInformed));
    press(&mut app, Action::Submit);
    press(&mut app, Action::Command(Command::ToInform));
    assert_eq!(store.last_contacts().unwrap().len(), 1);

    let rows_before = app.session_cards.overview.rows.as_ptr();
    press(&mut app, Action::Submit);
    assert_eq!(app.screen, Screen::Members);
    press(&mut app, Action::Cancel);
    assert_eq!(app.screen, Screen::SessionCards);
    assert_eq!(
        app.session_cards.overview.rows.as_ptr(),
        rows_before,
        "nothing was written while the profile was shown, yet the cards were read again"
    );
}
