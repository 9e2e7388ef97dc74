//! A realistic demo club: French and international names with accents, hyphens and
//! particles; card types for adults, children and one course; cards in every state; a year
//! of check-ins. The same seed and day give the same club.

use crate::domain::card::Card;
use crate::domain::card_type::{ActivityId, CardType, Validity};
use crate::domain::member::{Category, Member, NewMember};
use crate::domain::{ClubTime, MemberCode};
use crate::store::{BulkLoader, Store, StoreError, WriteContext};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

const FIRST_NAMES: &[&str] = &[
    "Marie",
    "Jean-Pierre",
    "Zoé",
    "Yann",
    "Lucas",
    "Léa",
    "Chloé",
    "Hugo",
    "Inès",
    "Mathéo",
    "Camille",
    "Noé",
    "Anaïs",
    "Gaël",
    "Hélène",
    "François",
    "Maëlys",
    "Raphaël",
    "Élodie",
    "Jérôme",
    "Agnès",
    "Loïc",
    "Océane",
    "Sébastien",
    "Thi Lan",
    "Wei",
    "Ana",
    "Ægir",
    "Fatima",
    "Mohamed",
    "Aïcha",
    "Karim",
    "Sofia",
    "Giulia",
    "João",
    "Björn",
    "Siobhán",
    "Nuno",
    "Paul",
    "Jeanne",
    "Marie-Hélène",
    "Anne-Sophie",
    "Louis",
    "Emma",
];

const LAST_NAMES: &[&str] = &[
    "Dupont",
    "Martin",
    "Lefèvre",
    "Le Goff",
    "de La Fontaine",
    "d’Arc Lemaire",
    "Dupond",
    "Bernard",
    "Moreau",
    "Lefebvre",
    "Garçon",
    "Müller",
    "Nguyễn",
    "Ødegård",
    "Benali",
    "Haddad",
    "Rossi",
    "da Silva",
    "O’Brien",
    "Kowalski",
    "Schmitt",
    "Laurent",
    "Faure",
    "Chevalier",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Boyer",
    "Roux",
    "Fournier",
    "Giraud",
    "Le Bihan",
    "Saint-Just",
    "van der Berg",
    "Lambert",
    "Bonnet",
    "Mercier",
    "Perrin",
];

/// What `carnet demo` builds.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub members: usize,
    pub seed: u64,
}

/// What was written, for the command's closing line.
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoSummary {
    pub members: usize,
    pub cards: usize,
    pub events: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already has {members} members; use an empty folder for the demo")]
    NotEmpty { members: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A card to sell and the instants of its check-ins.
struct PlannedCard {
    member: usize,
    card_type: usize,
    sold_on: NaiveDate,
    check_ins: Vec<DateTime<Utc>>,
}

/// One ledger event to write, in time order.
enum Step {
    Sale { card: usize },
    CheckIn { card: usize },
}

/// Fills an empty database with the demo club, as it stands at `now`.
pub fn generate(
    store: &Store,
    club_time: ClubTime,
    now: DateTime<Utc>,
    options: DemoOptions,
    progress: &indicatif::ProgressBar,
) -> Result<DemoSummary, DemoError> {
    if store.member_count() > 0 {
        return Err(DemoError::NotEmpty {
            members: store.member_count(),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let today = club_time.local_date(now);
    let context = |at| WriteContext {
        now: at,
        operator: "demo".to_owned(),
        terminal: "demo".to_owned(),
    };

    let yoga = store.insert_activity("Yoga")?;
    store.insert_activity("Judo U12")?;
    store.insert_activity("Escalade libre")?;
    let card_types = create_card_types(store, today, yoga.id)?;

    let mut loader = BulkLoader::new(store)?;
    let mut members = create_members(&mut loader, &mut rng, options.members, now)?;

    let mut plans = showcase_plans(today, &club_time, members.len().min(5));
    for member in plans.len()..members.len() {
        plan_member(
            &mut rng,
            &club_time,
            today,
            now,
            member,
            &card_types,
            &mut plans,
        );
    }
    let demo_codes: Vec<(String, MemberCode)> = [
        "demo.valid",
        "demo.last_session",
        "demo.used_up",
        "demo.expired",
        "demo.two_cards",
    ]
    .iter()
    .zip(&members)
    .map(|(label, member)| ((*label).to_owned(), member.code.clone()))
    .collect();
    loader.set_demo_codes(&demo_codes)?;

    let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        let sold_at = at_local(
            &club_time,
            plan.sold_on,
            NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
        );
        steps.push((sold_at, Step::Sale { card: index }));
        for &at in &plan.check_ins {
            steps.push((at, Step::CheckIn { card: index }));
        }
    }
    // Event ids must follow time, so the steps are written in time order.
    steps.sort_by_key(|(at, _)| *at);
    progress.set_length(steps.len() as u64);

    let mut cards: Vec<Option<Card>> = (0..plans.len()).map(|_| None).collect();
    for (at, step) in &steps {
        match *step {
            Step::Sale { card } => {
                let plan = &plans[card];
                let sold = loader.add_card(
                    &members[plan.member],
                    &card_types[plan.card_type],
                    plan.sold_on,
                    &context(*at),
                )?;
                cards[card] = Some(sold);
            }
            Step::CheckIn { card } => {
                let Some(sold) = cards[card].as_mut() else {
                    continue;
                };
                let activity = sold.activities.first().copied();
                loader.add_check_in(sold, activity, &context(*at))?;
                loader.put_card(sold)?;
                let member = &mut members[plans[card].member];
                member.last_visit = Some(*at);
            }
        }
        progress.inc(1);
    }
    for member in &members {
        loader.put_member(member)?;
    }
    loader.finish()?;
    progress.finish_and_clear();

    Ok(DemoSummary {
        members: members.len(),
        cards: plans.len(),
        events: steps.len(),
    })
}

fn create_card_types(
    store: &Store,
    today: NaiveDate,
    yoga: ActivityId,
) -> Result<Vec<CardType>, StoreError> {
    // The season ends on 30 June: this one's, or next year's once July has begun.
    let season_end_year = if today.month() >= 7 {
        today.year() + 1
    } else {
        today.year()
    };
    let season_end = NaiveDate::from_ymd_opt(season_end_year, 6, 30).unwrap_or(today);
    Ok(vec![
        store.insert_card_type(
            "10 séances adulte",
            12_000,
            10,
            Validity::Months(12),
            "adultes",
            vec![],
        )?,
        store.insert_card_type(
            "20 séances adulte",
            21_000,
            20,
            Validity::Months(12),
            "adultes",
            vec![],
        )?,
        store.insert_card_type(
            "5 séances enfant",
            4_500,
            5,
            Validity::Months(6),
            "enfants",
            vec![],
        )?,
        store.insert_card_type(
            "Yoga 10 cours",
            11_000,
            10,
            Validity::Until(season_end),
            "adultes",
            vec![yoga],
        )?,
        store.insert_card_type(
            "Carte découverte 3 séances",
            0,
            3,
            Validity::Days(30),
            "adultes",
            vec![],
        )?,
    ])
}

fn create_members(
    loader: &mut BulkLoader,
    rng: &mut ChaCha8Rng,
    count: usize,
    now: DateTime<Utc>,
) -> Result<Vec<Member>, StoreError> {
    let showcase = [
        ("Marie", "Dupont"),
        ("Jean-Pierre", "Martin"),
        ("Zoé", "Lefèvre"),
        ("Yann", "Le Goff"),
        ("Thi Lan", "Nguyễn"),
    ];
    let mut used_codes = HashSet::new();
    let mut members = Vec::with_capacity(count);
    for index in 0..count {
        let (first, last) = match showcase.get(index) {
            Some(&(first, last)) => (first, last),
            None => (
                FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())],
                LAST_NAMES[rng.random_range(0..LAST_NAMES.len())],
            ),
        };
        let mut new = NewMember::named(first, last);
        new.category = if rng.random_ratio(1, 5) {
            Category::Child
        } else {
            Category::Adult
        };
        // Accents are dropped from e-mail addresses: "Zoé" becomes "zoe".
        let mail_name: String = first
            .nfd()
            .filter(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_lowercase();
        new.email = Some(format!("{mail_name}.{index}@exemple.fr"));
        new.phone = Some(format!(
            "06 {:02} {:02} {:02} {:02}",
            rng.random_range(0..100),
            rng.random_range(0..100),
            rng.random_range(0..100),
            rng.random_range(0..100)
        ));
        let code = loop {
            let code = MemberCode::generate(rng);
            if used_codes.insert(code.clone()) {
                break code;
            }
        };
        members.push(loader.add_member(&new, code, now - Duration::days(400))?);
    }
    Ok(members)
}

/// The five members the front desk lists as demo codes, each showing one result.
fn showcase_plans(today: NaiveDate, club_time: &ClubTime, count: usize) -> Vec<PlannedCard> {
    let evening = |days_ago: i64| {
        at_local(
            club_time,
            today - Duration::days(days_ago),
            NaiveTime::from_hms_opt(18, 30, 0).unwrap_or_default(),
        )
    };
    let visits = |count: i64| {
        (0..count)
            .map(|n| evening(2 + n * 3))
            .rev()
            .collect::<Vec<_>>()
    };
    let plans = vec![
        // Valid card with sessions to spare.
        PlannedCard {
            member: 0,
            card_type: 0,
            sold_on: today - Duration::days(40),
            check_ins: visits(4),
        },
        // One session left.
        PlannedCard {
            member: 1,
            card_type: 0,
            sold_on: today - Duration::days(60),
            check_ins: visits(9),
        },
        // Used up.
        PlannedCard {
            member: 2,
            card_type: 2,
            sold_on: today - Duration::days(30),
            check_ins: visits(5),
        },
        // Expired with sessions left: a 3-month discovery card sold long ago.
        PlannedCard {
            member: 3,
            card_type: 4,
            sold_on: today - Duration::days(90),
            check_ins: vec![evening(85)],
        },
        // Two cards: one expiring within the week is charged first.
        PlannedCard {
            member: 4,
            card_type: 2,
            sold_on: today - Duration::days(178),
            check_ins: vec![evening(100)],
        },
        PlannedCard {
            member: 4,
            card_type: 0,
            sold_on: today - Duration::days(20),
            check_ins: vec![],
        },
    ];
    plans
        .into_iter()
        .filter(|plan| plan.member < count)
        .collect()
}

fn plan_member(
    rng: &mut ChaCha8Rng,
    club_time: &ClubTime,
    today: NaiveDate,
    now: DateTime<Utc>,
    member: usize,
    card_types: &[CardType],
    plans: &mut Vec<PlannedCard>,
) {
    let card_count = match rng.random_range(0..10) {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    for _ in 0..card_count {
        let card_type = match rng.random_range(0..20) {
            0..=9 => 0,
            10..=12 => 1,
            13..=15 => 2,
            16..=18 => 3,
            _ => 4,
        };
        let sold_on = today - Duration::days(rng.random_range(0..365));
        let sessions = card_types[card_type].sessions;
        let last_day = card_types[card_type]
            .validity
            .expiry_for_sale_on(sold_on)
            .map_or(today, |expiry| expiry.min(today));
        let span = (last_day - sold_on).num_days().max(0);
        // Anything from a fresh card to one used up.
        let used = rng.random_range(0..=sessions);
        // At most one visit a day per card, as members come to one class at a time.
        let mut days: Vec<i64> = (0..used).map(|_| rng.random_range(0..=span)).collect();
        days.sort_unstable();
        days.dedup();
        let check_ins: Vec<DateTime<Utc>> = days
            .into_iter()
            .map(|offset| {
                let time =
                    NaiveTime::from_hms_opt(rng.random_range(17..21), rng.random_range(0..60), 0)
                        .unwrap_or_default();
                at_local(club_time, sold_on + Duration::days(offset), time)
            })
            .filter(|at| *at < now - Duration::hours(1))
            .collect();
        plans.push(PlannedCard {
            member,
            card_type,
            sold_on,
            check_ins,
        });
    }
}

fn at_local(club_time: &ClubTime, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let start = club_time.start_of_day(day);
    start + (time - NaiveTime::MIN)
}
