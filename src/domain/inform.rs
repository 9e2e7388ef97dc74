//! Members to inform: whose card runs out or expires soon with no other card to take over,
//! and the contacts staff record when they tell them.

use super::card::CardId;
use super::member::MemberId;
use super::overview::{CardRow, Overview, Thresholds};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContactId(pub u64);

/// The means by which staff reached the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    Phone,
    Email,
    InPerson,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Phone, Channel::Email, Channel::InPerson];

    /// Returns the name used in catalogs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::InPerson => "in-person",
        }
    }

    /// Reads a channel in English or French, as staff type it.
    pub fn parse(text: &str) -> Option<Channel> {
        let folded = super::pricing::fold(text).replace(['-', '_', ' '], "");
        match folded.as_str() {
            "phone" | "telephone" | "tel" | "call" | "appel" => Some(Channel::Phone),
            "email" | "mail" | "courriel" => Some(Channel::Email),
            "inperson" | "person" | "desk" | "enpersonne" | "personne" | "accueil" => {
                Some(Channel::InPerson)
            }
            _ => None,
        }
    }
}

/// The reason a card puts its owner on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReasonKind {
    Expiring,
    LowBalance,
}

/// A reason with the figure the member is given: the date or the sessions left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    ExpiresOn { card: CardId, on: NaiveDate },
    SessionsLeft { card: CardId, left: u32 },
}

impl Reason {
    pub fn card(self) -> CardId {
        match self {
            Reason::ExpiresOn { card, .. } | Reason::SessionsLeft { card, .. } => card,
        }
    }

    pub fn kind(self) -> ReasonKind {
        match self {
            Reason::ExpiresOn { .. } => ReasonKind::Expiring,
            Reason::SessionsLeft { .. } => ReasonKind::LowBalance,
        }
    }
}

/// A reason covered by a contact, stored with it so that a new reason brings the member back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactReason {
    pub card: CardId,
    pub kind: ReasonKind,
}

/// A record that staff informed a member about their cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub member_id: MemberId,
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub at: DateTime<Utc>,
    pub operator: String,
    pub channel: Channel,
    pub note: String,
    pub reasons: Vec<ContactReason>,
    /// The member's newest card when they were informed; a card sold later is news.
    pub newest_card: Option<CardId>,
}

/// One line of the "to inform" list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToInform {
    /// Index into [`Overview::owners`].
    pub owner: u32,
    pub reasons: Vec<Reason>,
    /// The last contact, when the member was informed before about other reasons.
    pub last_contact: Option<DateTime<Utc>>,
}

/// Lists the members to inform, in the overview's owner order.
///
/// A card counts when it is active and expires within the threshold or has the threshold's
/// sessions or fewer, or when it was used up within the dormant threshold, unless another active card of the member that is not itself running
/// out covers every activity the first one covers. A member informed about all their current
/// reasons stays off the list until a new reason appears or a card is sold to them.
pub fn to_inform(
    overview: &Overview,
    today: NaiveDate,
    thresholds: &Thresholds,
    last_contacts: &HashMap<MemberId, Contact>,
) -> Vec<ToInform> {
    // The rows in owner order, one index each: a list of cards per owner took 100,000 small
    // allocations, 11 MB at the Session cards screen's peak.
    let mut by_owner: Vec<u32> = (0..overview.rows.len() as u32).collect();
    by_owner.sort_by_key(|&row| overview.rows[row as usize].owner);

    let mut list = Vec::new();
    let mut cards: Vec<&CardRow> = Vec::new();
    for group in by_owner
        .chunk_by(|&a, &b| overview.rows[a as usize].owner == overview.rows[b as usize].owner)
    {
        cards.clear();
        cards.extend(group.iter().map(|&row| &overview.rows[row as usize]));
        let owner = cards[0].owner as usize;
        // An archived member cannot check in, so there is nothing to sell them.
        if overview.owners.get(owner).archived {
            continue;
        }
        let mut reasons = uncovered_reasons(overview, &cards, today, thresholds);
        if reasons.is_empty() {
            continue;
        }
        // Most members have one reason, in room for four: tens of thousands of lists to keep.
        reasons.shrink_to_fit();
        let member_id = overview.owners.get(owner).member_id;
        let contact = last_contacts.get(&member_id);
        if contact.is_some_and(|contact| answers(contact, &reasons, &cards)) {
            continue;
        }
        list.push(ToInform {
            owner: owner as u32,
            reasons,
            last_contact: contact.map(|contact| contact.at),
        });
    }
    // Unstable with the owner as a tie-break: the same order as a stable sort, without the
    // scratch copy of the list that a stable sort makes.
    list.sort_unstable_by_key(|entry| {
        (overview.owners.get(entry.owner as usize).rank, entry.owner)
    });
    list
}

fn uncovered_reasons(
    overview: &Overview,
    cards: &[&CardRow],
    today: NaiveDate,
    thresholds: &Thresholds,
) -> Vec<Reason> {
    let running_out = |card: &CardRow| {
        card.is_expiring(today, thresholds)
            || card.is_low(today, thresholds)
            || card.is_recently_used_up(today, thresholds)
    };
    let mut reasons = Vec::new();
    for card in cards.iter().filter(|card| running_out(card)) {
        let covered = cards.iter().any(|other| {
            other.card_id != card.card_id
                && other.status(today) == crate::domain::CardStatus::Active
                && !running_out(other)
                && covers_all(overview.activities(other), overview.activities(card))
        });
        if covered {
            continue;
        }
        if card.is_expiring(today, thresholds)
            && let Some(on) = card.expires_on
        {
            reasons.push(Reason::ExpiresOn {
                card: card.card_id,
                on,
            });
        }
        if card.is_low(today, thresholds) || card.is_recently_used_up(today, thresholds) {
            reasons.push(Reason::SessionsLeft {
                card: card.card_id,
                left: card.remaining,
            });
        }
    }
    reasons
}

/// Tells whether `other` covers every activity of `card`; an empty list means every activity.
fn covers_all(other: &[super::ActivityId], card: &[super::ActivityId]) -> bool {
    other.is_empty() || (!card.is_empty() && card.iter().all(|a| other.contains(a)))
}

/// Tells whether `contact` already covered every one of `reasons`, with no card sold since.
fn answers(contact: &Contact, reasons: &[Reason], cards: &[&CardRow]) -> bool {
    let covered: HashSet<ContactReason> = contact.reasons.iter().copied().collect();
    let all_covered = reasons.iter().all(|reason| {
        covered.contains(&ContactReason {
            card: reason.card(),
            kind: reason.kind(),
        })
    });
    let sold_since = cards.iter().any(|card| {
        contact
            .newest_card
            .is_none_or(|newest| card.card_id > newest)
    });
    all_covered && !sold_since
}

/// Returns the reasons to store with a contact made now: the member's current reasons, and
/// those the previous contact covered, so that a second contact never brings back what the
/// first one covered.
pub fn contact_reasons(reasons: &[Reason], previous: Option<&Contact>) -> Vec<ContactReason> {
    let mut covered: Vec<ContactReason> = previous
        .map(|contact| contact.reasons.clone())
        .unwrap_or_default();
    for reason in reasons {
        let reason = ContactReason {
            card: reason.card(),
            kind: reason.kind(),
        };
        if !covered.contains(&reason) {
            covered.push(reason);
        }
    }
    covered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ActivityId;
    use crate::domain::card::CardState;
    use crate::domain::overview::{Owners, Product};

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    const TODAY: &str = "2026-12-04";

    fn card(id: u64, owner: u32, remaining: u32, expiry: &str, activities: u32) -> CardRow {
        CardRow {
            card_id: CardId(id),
            owner,
            product: 0,
            activities,
            sold_on: date("2026-09-01"),
            expires_on: Some(date(expiry)),
            last_use: None,
            remaining,
            total: 10,
            price_cents: 10_000,
            state: CardState::Open,
        }
    }

    fn club(rows: Vec<CardRow>) -> Overview {
        let owners = Owners::from_names(&["Anne Abel", "Bruno Brun", "Chloé Cohen"], 0..);
        Overview {
            owners,
            products: vec![Product {
                name: "10".into(),
                audience: String::new(),
                name_rank: 0,
                audience_rank: 0,
            }],
            // 0: every activity; 1: climbing only; 2: climbing and yoga.
            activity_sets: vec![
                Vec::new(),
                vec![ActivityId(1)],
                vec![ActivityId(1), ActivityId(2)],
            ],
            rows,
        }
    }

    fn listed(overview: &Overview, contacts: &HashMap<MemberId, Contact>) -> Vec<(u32, usize)> {
        to_inform(overview, date(TODAY), &Thresholds::default(), contacts)
            .iter()
            .map(|entry| (entry.owner, entry.reasons.len()))
            .collect()
    }

    #[test]
    fn to_inform_lists_each_reason() {
        let overview = club(vec![
            card(1, 0, 2, "2027-06-30", 0),
            card(2, 1, 8, "2026-12-18", 0),
            card(3, 2, 3, "2026-12-19", 0),
        ]);
        let list = to_inform(
            &overview,
            date(TODAY),
            &Thresholds::default(),
            &HashMap::new(),
        );
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0].reasons,
            [Reason::SessionsLeft {
                card: CardId(1),
                left: 2
            }]
        );
        assert_eq!(
            list[1].reasons,
            [Reason::ExpiresOn {
                card: CardId(2),
                on: date("2026-12-18")
            }]
        );
    }

    #[test]
    fn to_inform_skips_covered_cards() {
        // Anne: a low all-activities card and a fresh climbing-only card: not covered.
        // Bruno: a low climbing card and a fresh climbing-and-yoga card: covered.
        // Chloé: a low card and another low card: neither covers the other.
        let overview = club(vec![
            card(1, 0, 1, "2027-06-30", 0),
            card(2, 0, 9, "2027-06-30", 1),
            card(3, 1, 1, "2027-06-30", 1),
            card(4, 1, 9, "2027-06-30", 2),
            card(5, 2, 1, "2027-06-30", 0),
            card(6, 2, 2, "2027-06-30", 0),
        ]);
        assert_eq!(listed(&overview, &HashMap::new()), [(0, 1), (2, 2)]);
    }

    #[test]
    fn to_inform_ignores_ended_cards() {
        let mut used_up = card(2, 0, 0, "2027-06-30", 0);
        used_up.remaining = 0;
        let expired = card(3, 0, 9, "2026-12-03", 0);
        let overview = club(vec![card(1, 0, 1, "2027-06-30", 0), used_up, expired]);
        assert_eq!(listed(&overview, &HashMap::new()), [(0, 1)]);
    }

    fn contact(member: u64, reasons: Vec<ContactReason>, newest: u64) -> Contact {
        Contact {
            id: ContactId(1),
            member_id: MemberId(member),
            at: "2026-12-01T10:00:00Z".parse().unwrap(),
            operator: "desk".into(),
            channel: Channel::Phone,
            note: String::new(),
            reasons,
            newest_card: Some(CardId(newest)),
        }
    }

    #[test]
    fn to_inform_resets_on_news() {
        let low = ContactReason {
            card: CardId(1),
            kind: ReasonKind::LowBalance,
        };
        let told = HashMap::from([(MemberId(1), contact(1, vec![low], 1))]);

        let overview = club(vec![card(1, 0, 2, "2027-06-30", 0)]);
        assert_eq!(listed(&overview, &told), [], "told about the low balance");

        // The same card now also expires soon: a new threshold crossed.
        let overview = club(vec![card(1, 0, 2, "2026-12-10", 0)]);
        assert_eq!(listed(&overview, &told), [(0, 2)]);

        // A new card was sold that does not cover (climbing only): news again.
        let overview = club(vec![
            card(1, 0, 2, "2027-06-30", 0),
            card(2, 0, 10, "2027-06-30", 1),
        ]);
        assert_eq!(listed(&overview, &told), [(0, 1)]);
    }

    #[test]
    fn channels_are_read_in_both_languages() {
        assert_eq!(Channel::parse("Téléphone"), Some(Channel::Phone));
        assert_eq!(Channel::parse("e-mail"), Some(Channel::Email));
        assert_eq!(Channel::parse("en personne"), Some(Channel::InPerson));
        assert_eq!(Channel::parse("in-person"), Some(Channel::InPerson));
        assert_eq!(Channel::parse("pigeon"), None);
    }

    #[test]
    fn second_contact_keeps_first_reasons() {
        let low = ContactReason {
            card: CardId(1),
            kind: ReasonKind::LowBalance,
        };
        let first = contact(1, vec![low], 1);
        // Marked again while off the list: no current reason, the first one is carried.
        let again = contact_reasons(&[], Some(&first));
        assert_eq!(again, [low]);
        let told = HashMap::from([(MemberId(1), contact(1, again, 1))]);
        let overview = club(vec![card(1, 0, 2, "2027-06-30", 0)]);
        assert_eq!(listed(&overview, &told), []);
    }

    #[test]
    fn archived_members_are_not_listed() {
        let mut overview = club(vec![card(1, 0, 1, "2027-06-30", 0)]);
        overview.owners.set_archived(0, true);
        assert_eq!(listed(&overview, &HashMap::new()), []);
    }

    #[test]
    fn recently_used_up_cards_count() {
        let mut used_up = card(1, 0, 0, "2027-06-30", 0);
        used_up.last_use = Some(date("2026-12-01"));
        let mut long_ago = card(2, 1, 0, "2027-06-30", 0);
        long_ago.last_use = Some(date("2026-06-01"));
        let overview = club(vec![used_up, long_ago]);
        let list = to_inform(
            &overview,
            date(TODAY),
            &Thresholds::default(),
            &HashMap::new(),
        );
        assert_eq!(list.len(), 1, "only the card used up within 30 days");
        assert_eq!(
            list[0].reasons,
            [Reason::SessionsLeft {
                card: CardId(1),
                left: 0
            }]
        );
    }
}
