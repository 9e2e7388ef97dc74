//! Which cards the demo club sells and when each one is used: the random draws, and the
//! steering that brings the totals near the counts asked for.
//!
//! Without targets every draw is the plain random one: one to three cards per member, each used
//! for anything from none to all of its sessions. With a target, each member's card count or
//! each card's use is drawn around an even share of what is still left to plan. The totals
//! then land near the target while single members and cards still differ.

use crate::domain::ClubTime;
use crate::domain::card_type::CardType;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Mean of the plain card count draw: one card for 40% of members, two for 50%, three for 10%.
const DEFAULT_CARDS_PER_MEMBER: f64 = 1.7;

/// A card to sell: to whom, of which type (an index into the club's card types), and when.
pub(super) struct PlannedCard {
    pub member: usize,
    pub card_type: usize,
    pub sold_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum StepKind {
    Sale,
    CheckIn,
}

/// One ledger event to write. Steps sort by instant, then by card: the order of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Step {
    pub at: DateTime<Utc>,
    /// Index of the card in [`Planner::cards`].
    pub card: u32,
    pub kind: StepKind,
}

/// Totals to steer towards. `None` keeps the plain random draw.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Targets {
    pub cards: Option<usize>,
    pub events: Option<usize>,
}

pub(super) struct Planner<'a> {
    rng: &'a mut ChaCha8Rng,
    club_time: &'a ClubTime,
    today: NaiveDate,
    now: DateTime<Utc>,
    card_types: &'a [CardType],
    targets: Targets,
    /// Mean sessions of a sold card under the card type draw.
    mean_sessions: f64,
    /// Cards expected after the one being planned, for spreading the event target.
    cards_after: f64,
    pub cards: Vec<PlannedCard>,
    pub steps: Vec<Step>,
}

impl<'a> Planner<'a> {
    pub fn new(
        rng: &'a mut ChaCha8Rng,
        club_time: &'a ClubTime,
        now: DateTime<Utc>,
        card_types: &'a [CardType],
        targets: Targets,
    ) -> Self {
        let draws = 0..20;
        let total: u32 = draws
            .clone()
            .map(|draw| card_types[card_type_for(draw)].sessions)
            .sum();
        let mean_sessions = f64::from(total) / draws.len() as f64;
        Self {
            rng,
            club_time,
            today: club_time.local_date(now),
            now,
            card_types,
            targets,
            mean_sessions,
            cards_after: 0.0,
            cards: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// Adds a card whose check-ins are already chosen.
    pub fn add_card(&mut self, card: PlannedCard, check_ins: &[DateTime<Utc>]) {
        let index = self.push_sale(card);
        for &at in check_ins {
            self.push_check_in(index, at);
        }
    }

    /// Plans the cards of `member`, with `members_after` members still to plan after it.
    pub fn plan_member(&mut self, member: usize, members_after: usize) {
        let card_count = self.card_count(members_after);
        for remaining in (0..card_count).rev() {
            self.cards_after = self.expected_cards_after(members_after, remaining);
            let card_type = card_type_for(self.rng.random_range(0..20));
            let sold_on = self.today - Duration::days(self.rng.random_range(0..365));
            let index = self.push_sale(PlannedCard {
                member,
                card_type,
                sold_on,
            });
            self.plan_check_ins(index, card_type, sold_on);
        }
    }

    /// Puts the steps in the order they are written: event ids must follow time, because
    /// today's list reads the ledger backwards and stops at midnight.
    pub fn into_parts(mut self) -> (Vec<PlannedCard>, Vec<Step>) {
        self.steps.sort_unstable();
        (self.cards, self.steps)
    }

    fn push_sale(&mut self, card: PlannedCard) -> u32 {
        let index = u32::try_from(self.cards.len()).unwrap_or(u32::MAX);
        let at = at_local(self.club_time, card.sold_on, hour(10, 0));
        self.steps.push(Step {
            at,
            card: index,
            kind: StepKind::Sale,
        });
        self.cards.push(card);
        index
    }

    fn push_check_in(&mut self, card: u32, at: DateTime<Utc>) {
        self.steps.push(Step {
            at,
            card,
            kind: StepKind::CheckIn,
        });
    }

    fn card_count(&mut self, members_after: usize) -> usize {
        let Some(total) = self.targets.cards else {
            return match self.rng.random_range(0..10) {
                0..=3 => 1,
                4..=8 => 2,
                _ => 3,
            };
        };
        let left = total.saturating_sub(self.cards.len());
        if members_after == 0 {
            // The last member takes what is left, so the total is exact.
            return left;
        }
        let mean = left as f64 / (members_after + 1) as f64;
        let low = if mean >= 1.0 { 1.0 } else { 0.0 };
        draw_around(self.rng, mean, low, 2.0 * mean)
    }

    fn expected_cards_after(&self, members_after: usize, remaining_for_member: usize) -> f64 {
        match self.targets.cards {
            Some(total) => total.saturating_sub(self.cards.len() + 1) as f64,
            None => members_after as f64 * DEFAULT_CARDS_PER_MEMBER + remaining_for_member as f64,
        }
    }

    /// Draws the days a card is used: at most one visit a day, as members come to one class at
    /// a time, between its sale and its expiry or today, and never in the last hour.
    ///
    /// NOTE: visits spread evenly between a card's sale and today, so recent days get more
    /// than older ones: a 2,000,000-event club had about 21,000 check-ins on its last day
    /// against 4,900 a day on average.
    fn plan_check_ins(&mut self, card: u32, card_type: usize, sold_on: NaiveDate) {
        let sessions = self.card_types[card_type].sessions;
        let last_day = self.card_types[card_type]
            .validity
            .expiry_for_sale_on(sold_on)
            .map_or(self.today, |expiry| expiry.min(self.today));
        let span = (last_day - sold_on).num_days().max(0);

        let days: Vec<i64> = match self.targets.events {
            None => {
                // Anything from a fresh card to one used up.
                let used = self.rng.random_range(0..=sessions);
                let mut days: Vec<i64> =
                    (0..used).map(|_| self.rng.random_range(0..=span)).collect();
                days.sort_unstable();
                days.dedup();
                days
            }
            Some(target) => {
                let day_count = usize::try_from(span + 1).unwrap_or(usize::MAX);
                let max_used = (sessions as usize).min(day_count);
                let used = self.steered_use(target, sessions, max_used);
                let mut days: Vec<i64> = rand::seq::index::sample(self.rng, day_count, used)
                    .into_iter()
                    .map(|day| day as i64)
                    .collect();
                days.sort_unstable();
                days
            }
        };

        let latest = self.now - Duration::hours(1);
        for offset in days {
            let time = hour(self.rng.random_range(17..21), self.rng.random_range(0..60));
            let at = at_local(self.club_time, sold_on + Duration::days(offset), time);
            if at < latest {
                self.push_check_in(card, at);
            }
        }
    }

    /// Draws how many sessions of a card are used so that the events planned so far plus those
    /// still expected land near `target`. Each card is used for the same share of its
    /// sessions on average, so large cards take more of the check-ins.
    fn steered_use(&mut self, target: usize, sessions: u32, max_used: usize) -> usize {
        // Every card still to come brings its sale; the rest of the target is check-ins.
        let check_ins_left = target as f64 - self.steps.len() as f64 - self.cards_after;
        let capacity_left = (self.cards_after + 1.0) * self.mean_sessions;
        let share = (check_ins_left / capacity_left).clamp(0.0, 1.0);
        let mean = share * f64::from(sessions);
        draw_around(self.rng, mean, 0.0, max_used as f64)
    }
}

/// Maps a draw in `0..20` to a card type index. Half the sales are 10-session adult cards.
fn card_type_for(draw: u32) -> usize {
    match draw {
        0..=9 => 0,
        10..=12 => 1,
        13..=15 => 2,
        16..=18 => 3,
        _ => 4,
    }
}

/// Draws a whole number in `low..=high` whose expected value is `mean` (clamped to that
/// range): a uniform real number around the mean, rounded up with the probability of its
/// fractional part.
fn draw_around(rng: &mut ChaCha8Rng, mean: f64, low: f64, high: f64) -> usize {
    let mean = mean.clamp(low, high.max(low));
    let half_width = (mean - low).min(high - mean).max(0.0);
    let value = if half_width > 0.0 {
        rng.random_range(mean - half_width..=mean + half_width)
    } else {
        mean
    };
    let whole = value.floor();
    let round_up = rng.random::<f64>() < value - whole;
    whole as usize + usize::from(round_up)
}

pub(super) fn hour(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default()
}

pub(super) fn at_local(club_time: &ClubTime, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let start = club_time.start_of_day(day);
    start + (time - NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn draw_around_keeps_mean_and_bounds() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for (mean, low, high) in [(2.0, 1.0, 4.0), (0.3, 0.0, 10.0), (8.7, 0.0, 10.0)] {
            let draws: Vec<usize> = (0..20_000)
                .map(|_| draw_around(&mut rng, mean, low, high))
                .collect();
            let average = draws.iter().sum::<usize>() as f64 / draws.len() as f64;
            assert!((average - mean).abs() < 0.05, "mean {mean}: got {average}");
            assert!(draws.iter().all(|&d| d as f64 >= low), "below {low}");
            assert!(draws.iter().all(|&d| d as f64 <= high), "above {high}");
        }
    }

    #[test]
    fn draw_around_clamps_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        assert_eq!(draw_around(&mut rng, 12.0, 0.0, 5.0), 5);
        assert_eq!(draw_around(&mut rng, -1.0, 0.0, 5.0), 0);
    }
}
