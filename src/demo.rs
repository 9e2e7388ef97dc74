//! A realistic demo club: French and international names with accents, hyphens and
//! particles; card types for adults, children and one course; cards in every state; a year
//! of check-ins. The same seed and options give the same club at the same instant. Check-ins
//! later than an hour before that instant are left out, so today's count depends on the hour.
//!
//! Large clubs (`--members 100000 --cards 200000 --events 2000000`) are for benchmarks: the
//! plan is kept compact (about 20 bytes per ledger event) and every card is written once, at
//! its final balance, instead of once per check-in.

mod names;
mod plan;

use crate::domain::card::Card;
use crate::domain::card_type::{ActivityId, CardType, Validity};
use crate::domain::member::{Category, Member, NewMember};
use crate::domain::{ClubTime, MemberCode};
use crate::store::{BulkLoader, Store, StoreError, WriteContext};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use names::{FIRST_NAMES, LAST_NAMES};
use plan::{PlannedCard, Planner, StepKind, Targets, at_local, hour};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

/// Members shown as demo codes at the front desk, each with cards that give one result.
const SHOWCASE_MEMBERS: usize = 5;

/// Records written through one `BulkLoader` before it is finished and a new one started.
/// `BulkLoader` applies batches of up to 20,000 records, and sled 0.34.7's memory grows by
/// gigabytes with batches that large. A 1,000,000-event club peaked at 6.8 GB of RSS, against
/// 0.5 GB with a new loader every 1,000 records (`/usr/bin/time -v` on a 2-core VM, 64 MiB
/// cache). Each finish costs one checkpoint.
const RECORDS_PER_LOADER: usize = 1_000;

/// sled's page cache while `carnet demo` loads a club. sled 0.34.7's resident memory during a
/// bulk load is several times its cache size. With this cap a 2,000,000-event club peaked at
/// about 450 MB, against 614 MB with 64 MiB, and a 16 MiB cache took 200 s instead of 77 s.
pub const CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// Sales and check-ins written through one `BulkLoader`: a check-in writes two records and a
/// sale five, so 400 steps are about 1,000 records.
const STEPS_PER_LOADER: usize = 400;

/// The size and seed of the club `carnet demo` builds.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub members: usize,
    pub seed: u64,
    /// Cards to sell in all, the showcase members' six included. `None` sells one to three
    /// cards per member, 1.7 on average.
    pub cards: Option<usize>,
    /// Ledger events (sales and check-ins) to aim for. `None` uses each card for a random
    /// number of its sessions, about 6 check-ins per card on average. The result is
    /// approximate, and falls short when the cards cannot hold that many check-ins before
    /// today: a card is used at most once a day and never beyond its sessions.
    pub events: Option<usize>,
}

/// The counts written, for the command's closing line.
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

/// Fills an empty database with the demo club as it is at `now`.
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

    let yoga = store.insert_activity("Yoga")?;
    store.insert_activity("Judo U12")?;
    store.insert_activity("Escalade libre")?;
    let card_types = create_card_types(store, today, yoga.id)?;

    let mut members = create_members(store, &mut rng, options.members, now)?;
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
    let mut loader = BulkLoader::new(store)?;
    loader.set_demo_codes(&demo_codes)?;
    loader.finish()?;

    let targets = Targets {
        cards: options.cards,
        events: options.events,
    };
    let mut planner = Planner::new(&mut rng, &club_time, now, &card_types, targets);
    let showcase = SHOWCASE_MEMBERS.min(members.len());
    for (card, check_ins) in showcase_cards(today, &club_time, showcase) {
        planner.add_card(card, &check_ins);
    }
    for member in showcase..members.len() {
        planner.plan_member(member, members.len() - member - 1);
    }
    let (plans, steps) = planner.into_parts();

    progress.set_length((steps.len() + plans.len() + members.len()) as u64);
    let cards = write_steps(store, &plans, &steps, &card_types, &mut members, progress)?;
    let summary = DemoSummary {
        members: members.len(),
        cards: plans.len(),
        events: steps.len(),
    };
    // The plan is about 20 bytes per event; free it before sled grows further.
    drop(steps);
    drop(plans);
    // A card changes at every check-in, so each is written once, at its final balance, in id
    // order, rather than once per check-in.
    for chunk in cards.chunks(RECORDS_PER_LOADER) {
        let mut loader = BulkLoader::new(store)?;
        for card in chunk {
            loader.put_card(card)?;
        }
        loader.finish()?;
        progress.inc(chunk.len() as u64);
    }
    for chunk in members.chunks(RECORDS_PER_LOADER) {
        let mut loader = BulkLoader::new(store)?;
        for member in chunk {
            loader.put_member(member)?;
        }
        loader.finish()?;
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    Ok(summary)
}

/// Writes every sale and check-in in time order, and sets each member's last visit. Returns
/// the sold cards at their final balance, in id order.
fn write_steps(
    store: &Store,
    plans: &[PlannedCard],
    steps: &[plan::Step],
    card_types: &[CardType],
    members: &mut [Member],
    progress: &indicatif::ProgressBar,
) -> Result<Vec<Card>, StoreError> {
    let context = |at| WriteContext {
        now: at,
        operator: "demo".to_owned(),
        terminal: "demo".to_owned(),
    };
    let mut cards: Vec<Option<Card>> = (0..plans.len()).map(|_| None).collect();
    for chunk in steps.chunks(STEPS_PER_LOADER) {
        let mut loader = BulkLoader::new(store)?;
        for step in chunk {
            let index = step.card as usize;
            let plan = &plans[index];
            match step.kind {
                StepKind::Sale => {
                    let sold = loader.add_card(
                        &members[plan.member],
                        &card_types[plan.card_type],
                        plan.sold_on,
                        &context(step.at),
                    )?;
                    cards[index] = Some(sold);
                }
                StepKind::CheckIn => {
                    let Some(sold) = cards[index].as_mut() else {
                        continue;
                    };
                    let activity = sold.activities.first().copied();
                    loader.add_check_in(sold, activity, &context(step.at))?;
                    members[plan.member].last_visit = Some(step.at);
                }
            }
        }
        loader.finish()?;
        progress.inc(chunk.len() as u64);
    }
    // Card ids follow the order of sales, not of plans.
    let mut cards: Vec<Card> = cards.into_iter().flatten().collect();
    cards.sort_unstable_by_key(|card| card.id);
    Ok(cards)
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
    store: &Store,
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
    let mut loader = BulkLoader::new(store)?;
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
        // Stored in E.164, the form the member form stores and the screens format.
        new.phone = Some(format!(
            "+336{:02}{:02}{:02}{:02}",
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
        // A member is two records: the member and its code.
        if (index + 1) % (RECORDS_PER_LOADER / 2) == 0 {
            loader.finish()?;
            loader = BulkLoader::new(store)?;
        }
    }
    loader.finish()?;
    Ok(members)
}

/// Lists the cards of the first `count` showcase members, with their check-ins.
fn showcase_cards(
    today: NaiveDate,
    club_time: &ClubTime,
    count: usize,
) -> Vec<(PlannedCard, Vec<DateTime<Utc>>)> {
    let evening =
        |days_ago: i64| at_local(club_time, today - Duration::days(days_ago), hour(18, 30));
    let visits = |count: i64| {
        (0..count)
            .map(|n| evening(2 + n * 3))
            .rev()
            .collect::<Vec<_>>()
    };
    let card = |member: usize, card_type: usize, days_ago: i64| PlannedCard {
        member,
        card_type,
        sold_on: today - Duration::days(days_ago),
    };
    let cards = vec![
        // Valid card with sessions to spare.
        (card(0, 0, 40), visits(4)),
        // One session left.
        (card(1, 0, 60), visits(9)),
        // Used up.
        (card(2, 2, 30), visits(5)),
        // Expired with sessions left: a 30-day discovery card sold 90 days ago.
        (card(3, 4, 90), vec![evening(85)]),
        // Two cards: one expiring within the week is charged first.
        (card(4, 2, 178), vec![evening(100)]),
        (card(4, 0, 20), vec![]),
    ];
    cards
        .into_iter()
        .filter(|(card, _)| card.member < count)
        .collect()
}
