//! The choice of the card a check-in charges, and the reasons a check-in is refused.

use super::card::{Card, CardState};
use super::card_type::ActivityId;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The reason nothing was deducted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No member has this code, so no one is charged.
    UnknownCode {
        code: String,
    },
    /// The code has the shape of a Carnet code but its check digit is wrong: a misread.
    MisreadCode {
        code: String,
    },
    /// The scanner sent navigation keys (NumLock off or a keypad mode) instead of characters.
    UnreadableScan,
    ArchivedMember,
    NoCard,
    AllUsedUp,
    Expired {
        on: NaiveDate,
    },
    NoCardForActivity,
}

/// The outcome of a scan of a known member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckInDecision {
    Charge(Card),
    /// The member was charged less than the repeat guard ago; nothing is deducted unless staff
    /// ask for another session on purpose.
    AlreadyCheckedIn {
        at: DateTime<Utc>,
    },
    Refuse(Refusal),
}

/// The rules of one check-in request.
#[derive(Debug, Clone, Copy)]
pub struct CheckInRules {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub activity: Option<ActivityId>,
    pub repeat_guard: Duration,
    /// Staff asked for another session on purpose (a guest, a second class).
    pub charge_again: bool,
}

/// Decides what a scan of a member does, given the member's cards and last charged visit.
pub fn decide(
    archived: bool,
    cards: &[Card],
    last_charge: Option<DateTime<Utc>>,
    rules: &CheckInRules,
) -> CheckInDecision {
    if archived {
        return CheckInDecision::Refuse(Refusal::ArchivedMember);
    }
    if !rules.charge_again
        && let Some(at) = last_charge
    {
        let elapsed = rules.now.signed_duration_since(at);
        if elapsed >= Duration::zero() && elapsed < rules.repeat_guard {
            return CheckInDecision::AlreadyCheckedIn { at };
        }
    }
    match choose_card(cards, rules.today, rules.activity) {
        Ok(card) => CheckInDecision::Charge(card.clone()),
        Err(refusal) => CheckInDecision::Refuse(refusal),
    }
}

/// Picks the card to charge: among valid cards, the one expiring first; cards with no expiry
/// come last; ties go to the oldest sale.
pub fn choose_card(
    cards: &[Card],
    today: NaiveDate,
    activity: Option<ActivityId>,
) -> Result<&Card, Refusal> {
    let open: Vec<&Card> = cards
        .iter()
        .filter(|card| card.state == CardState::Open)
        .collect();
    if open.is_empty() {
        return Err(Refusal::NoCard);
    }

    let for_activity: Vec<&Card> = open
        .iter()
        .copied()
        .filter(|card| card.covers(activity))
        .collect();
    if for_activity.is_empty() {
        return Err(Refusal::NoCardForActivity);
    }

    let best = for_activity
        .iter()
        .copied()
        .filter(|card| !card.is_expired(today) && card.sessions_remaining > 0)
        .min_by_key(|card| {
            (
                card.expires_on.is_none(),
                card.expires_on,
                card.sold_on,
                card.id,
            )
        });
    if let Some(card) = best {
        return Ok(card);
    }

    // No valid card: report what the member would most want to know.
    let latest_expired_with_sessions = for_activity
        .iter()
        .filter(|card| card.sessions_remaining > 0)
        .filter_map(|card| card.expires_on)
        .max();
    match latest_expired_with_sessions {
        Some(on) => Err(Refusal::Expired { on }),
        None if for_activity.iter().all(|card| card.sessions_remaining == 0) => {
            Err(Refusal::AllUsedUp)
        }
        None => Err(Refusal::NoCard),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CardId, CardTypeId, MemberId};
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn card(id: u64, remaining: u32, sold: NaiveDate, expires: Option<NaiveDate>) -> Card {
        Card {
            id: CardId(id),
            member_id: MemberId(1),
            type_id: CardTypeId(1),
            name: format!("card {id}"),
            price_cents: 10_000,
            sessions_total: 10,
            sold_on: sold,
            expires_on: expires,
            activities: vec![],
            sessions_remaining: remaining,
            state: CardState::Open,
        }
    }

    fn rules(today: NaiveDate) -> CheckInRules {
        CheckInRules {
            today,
            now: Utc.from_utc_datetime(&today.and_hms_opt(17, 2, 10).unwrap()),
            activity: None,
            repeat_guard: Duration::minutes(10),
            charge_again: false,
        }
    }

    #[test]
    fn soonest_expiry_first_then_no_expiry() {
        let today = date(2025, 11, 2);
        let cards = [
            card(1, 5, date(2025, 1, 1), None),
            card(2, 5, date(2025, 6, 1), Some(date(2026, 6, 30))),
            card(3, 3, date(2025, 9, 1), Some(date(2025, 12, 31))),
        ];
        assert_eq!(choose_card(&cards, today, None).unwrap().id, CardId(3));
        assert_eq!(choose_card(&cards[..2], today, None).unwrap().id, CardId(2));
        assert_eq!(choose_card(&cards[..1], today, None).unwrap().id, CardId(1));
    }

    #[test]
    fn same_expiry_oldest_sale_first() {
        let today = date(2025, 11, 2);
        let expiry = Some(date(2026, 1, 1));
        let cards = [
            card(1, 5, date(2025, 10, 1), expiry),
            card(2, 5, date(2025, 9, 1), expiry),
        ];
        assert_eq!(choose_card(&cards, today, None).unwrap().id, CardId(2));
    }

    #[test]
    fn expired_and_empty_cards_never_charged() {
        let today = date(2025, 11, 2);
        let expired = card(3, 2, date(2024, 1, 1), Some(date(2025, 1, 31)));
        let empty = card(4, 0, date(2025, 1, 1), Some(date(2026, 1, 1)));
        assert_eq!(
            choose_card(std::slice::from_ref(&expired), today, None),
            Err(Refusal::Expired {
                on: date(2025, 1, 31)
            })
        );
        assert_eq!(
            choose_card(std::slice::from_ref(&empty), today, None),
            Err(Refusal::AllUsedUp)
        );
        assert_eq!(choose_card(&[], today, None), Err(Refusal::NoCard));
    }

    #[test]
    fn valid_through_whole_expiry_day() {
        let last_day = date(2025, 3, 30);
        let cards = [card(1, 2, date(2025, 1, 1), Some(last_day))];
        assert!(choose_card(&cards, last_day, None).is_ok());
        assert_eq!(
            choose_card(&cards, date(2025, 3, 31), None),
            Err(Refusal::Expired { on: last_day })
        );
    }

    #[test]
    fn cancelled_cards_are_ignored() {
        let mut cancelled = card(1, 5, date(2025, 1, 1), None);
        cancelled.state = CardState::Cancelled;
        assert_eq!(
            choose_card(&[cancelled], date(2025, 2, 1), None),
            Err(Refusal::NoCard)
        );
    }

    #[test]
    fn activity_restricts_cards() {
        let today = date(2025, 11, 2);
        let mut yoga = card(1, 5, date(2025, 1, 1), None);
        yoga.activities = vec![ActivityId(7)];
        let cards = [yoga];
        assert!(choose_card(&cards, today, Some(ActivityId(7))).is_ok());
        assert!(choose_card(&cards, today, None).is_ok());
        assert_eq!(
            choose_card(&cards, today, Some(ActivityId(8))),
            Err(Refusal::NoCardForActivity)
        );
    }

    #[test]
    fn repeat_guard_window() {
        let today = date(2025, 11, 2);
        let cards = [card(1, 5, today, None)];
        let rules = rules(today);
        let at = rules.now - Duration::minutes(9);
        assert_eq!(
            decide(false, &cards, Some(at), &rules),
            CheckInDecision::AlreadyCheckedIn { at }
        );
        let long_ago = rules.now - Duration::minutes(10);
        assert!(matches!(
            decide(false, &cards, Some(long_ago), &rules),
            CheckInDecision::Charge(_)
        ));
        let again = CheckInRules {
            charge_again: true,
            ..rules
        };
        assert!(matches!(
            decide(false, &cards, Some(at), &again),
            CheckInDecision::Charge(_)
        ));
    }

    #[test]
    fn archived_member_refused() {
        let today = date(2025, 11, 2);
        let cards = [card(1, 5, today, None)];
        assert_eq!(
            decide(true, &cards, None, &rules(today)),
            CheckInDecision::Refuse(Refusal::ArchivedMember)
        );
    }
}
