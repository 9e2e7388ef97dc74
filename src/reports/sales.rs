//! Sales: cards sold in the period and the money they brought, by card type, audience and
//! payment method, with refunds and cancellations apart.
//!
//! Revenue is the price of the cards sold minus the refunds and cancellation refunds recorded
//! in the period. Payments are the payment lines recorded in the period, `due` included as
//! the amounts owed at sale.

use super::facts::{FactKind, Facts, IdMap, minutes_between};
use super::period::Period;
use crate::domain::ClubTime;
use crate::domain::card_type::CardTypeId;
use crate::domain::sale::PaymentMethod;
use crate::store::StoreError;
use std::collections::HashMap;

/// Sales of one card type, or of one audience.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesLine {
    pub cards: u64,
    pub sessions: u64,
    pub gross_cents: i64,
    /// Refunds and cancellation refunds of this line's cards, recorded in the period.
    pub refunded_cents: i64,
}

impl SalesLine {
    pub fn revenue_cents(&self) -> i64 {
        self.gross_cents - self.refunded_cents
    }

    /// Returns the revenue per session sold, in cents; `None` when no session was sold.
    pub fn per_session_cents(&self) -> Option<f64> {
        (self.sessions > 0).then(|| self.revenue_cents() as f64 / self.sessions as f64)
    }

    fn add_sale(&mut self, price_cents: i64, sessions: u32) {
        self.cards += 1;
        self.sessions += u64::from(sessions);
        self.gross_cents += price_cents;
    }
}

/// Money moved by one payment method in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MethodLine {
    pub paid_cents: i64,
    pub refunded_cents: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sales {
    pub total: SalesLine,
    /// Largest revenue first.
    pub by_type: Vec<(CardTypeId, SalesLine)>,
    /// The card type's audience as written in Finance › Pricing; largest revenue first.
    pub by_audience: Vec<(String, SalesLine)>,
    /// In the order of [`PaymentMethod::ALL`], methods without money left out.
    pub by_method: Vec<(PaymentMethod, MethodLine)>,
    pub refunds: u64,
    pub refunds_cents: i64,
    pub cancellations: u64,
    pub cancellations_cents: i64,
}

pub fn sales(
    facts: &Facts,
    period: &Period,
    club: &ClubTime,
    audience_of: &dyn Fn(CardTypeId) -> String,
) -> Result<Sales, StoreError> {
    let (start, end) = period.bounds(club);
    let period_minutes = minutes_between(start, end);
    let mut total = SalesLine::default();
    let mut by_type: IdMap<CardTypeId, SalesLine> = IdMap::default();
    let mut methods: HashMap<PaymentMethod, MethodLine> = HashMap::new();
    let (mut refunds, mut refunds_cents) = (0, 0);
    let (mut cancellations, mut cancellations_cents) = (0, 0);

    // NOTE: events are in id order, which is time order unless a terminal's clock went back,
    // so every event is tested rather than stopping at the first one past `end`.
    for event in facts.events() {
        let event = event?;
        if !period_minutes.contains(&event.minute)
            || matches!(
                event.kind,
                FactKind::Used { .. } | FactKind::Reverted { .. }
            )
        {
            continue;
        }
        let card = facts.card(&event);
        match event.kind {
            FactKind::Sold => {
                let line = by_type.entry(card.type_id).or_default();
                line.add_sale(card.price_cents, card.sessions);
                total.add_sale(card.price_cents, card.sessions);
            }
            FactKind::Paid {
                method,
                amount_cents,
            } => methods.entry(method).or_default().paid_cents += amount_cents,
            FactKind::Refunded {
                method,
                amount_cents,
            } => {
                methods.entry(method).or_default().refunded_cents += amount_cents;
                by_type.entry(card.type_id).or_default().refunded_cents += amount_cents;
                total.refunded_cents += amount_cents;
                refunds += 1;
                refunds_cents += amount_cents;
            }
            FactKind::Cancelled { refund_cents } => {
                by_type.entry(card.type_id).or_default().refunded_cents += refund_cents;
                total.refunded_cents += refund_cents;
                cancellations += 1;
                cancellations_cents += refund_cents;
            }
            _ => {}
        }
    }
    by_type.retain(|_, line| *line != SalesLine::default());

    let mut by_audience: HashMap<String, SalesLine> = HashMap::new();
    for (type_id, line) in &by_type {
        let audience = by_audience.entry(audience_of(*type_id)).or_default();
        audience.cards += line.cards;
        audience.sessions += line.sessions;
        audience.gross_cents += line.gross_cents;
        audience.refunded_cents += line.refunded_cents;
    }
    let by_method = PaymentMethod::ALL
        .iter()
        .filter_map(|method| methods.get(method).map(|line| (*method, *line)))
        .collect();
    Ok(Sales {
        total,
        by_type: by_revenue(by_type),
        by_audience: by_revenue(by_audience),
        by_method,
        refunds,
        refunds_cents,
        cancellations,
        cancellations_cents,
    })
}

fn by_revenue<K: Ord, S>(lines: HashMap<K, SalesLine, S>) -> Vec<(K, SalesLine)> {
    let mut lines: Vec<(K, SalesLine)> = lines.into_iter().collect();
    lines.sort_by(|a, b| {
        b.1.revenue_cents()
            .cmp(&a.1.revenue_cents())
            .then_with(|| a.0.cmp(&b.0))
    });
    lines
}
