//! Selling cards with payments, and changing a card after its sale: later payments,
//! same-day cancellation, refunds, session adjustments and expiry changes.
//!
//! The rules here are pure: the store reads a card and its ledger events inside a transaction,
//! checks the change with one of the `plan_*` functions, and writes it. Amounts are in cents.

use super::card::{Card, CardState};
use super::input::{AmountError, parse_amount};
use super::ledger::{EventKind, LedgerEvent};
use super::pricing::{MAX_SESSIONS, fold};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Payment methods and payment lines
// ---------------------------------------------------------------------------------------------

/// The means of payment of one payment line.
///
/// Stored in ledger events by variant position, so new methods go at the end only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentMethod {
    Cash,
    Cheque,
    /// Bank card.
    Card,
    /// Bank transfer.
    Transfer,
    /// ANCV holiday or sport vouchers.
    Ancv,
    /// ANCV Coupon Sport.
    CouponSport,
    /// The state's Pass'Sport grant for young people.
    PassSport,
    Other,
    /// Not paid yet: the amount is owed and is settled later with another method.
    Due,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 9] = [
        PaymentMethod::Cash,
        PaymentMethod::Cheque,
        PaymentMethod::Card,
        PaymentMethod::Transfer,
        PaymentMethod::Ancv,
        PaymentMethod::CouponSport,
        PaymentMethod::PassSport,
        PaymentMethod::Other,
        PaymentMethod::Due,
    ];

    /// Returns the English code used on the command line and in exports, such as `coupon-sport`.
    pub fn code(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::Card => "card",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Ancv => "ancv",
            PaymentMethod::CouponSport => "coupon-sport",
            PaymentMethod::PassSport => "pass-sport",
            PaymentMethod::Other => "other",
            PaymentMethod::Due => "due",
        }
    }

    /// Reads a method by its code or a French name, ignoring case, accents, and the choice of
    /// space, dash or underscore between words: `cash`, `Espèces`, `CB`, `pass_sport`.
    pub fn parse(text: &str) -> Option<PaymentMethod> {
        let folded = fold(&text.replace(['-', '_'], " "));
        let method = match folded.as_str() {
            "cash" | "especes" | "espece" => PaymentMethod::Cash,
            "cheque" | "check" => PaymentMethod::Cheque,
            "card" | "carte" | "cb" | "carte bancaire" => PaymentMethod::Card,
            "transfer" | "virement" => PaymentMethod::Transfer,
            "ancv" | "cheque vacances" | "cheques vacances" => PaymentMethod::Ancv,
            "coupon sport" | "coupons sport" => PaymentMethod::CouponSport,
            "pass sport" | "pass'sport" => PaymentMethod::PassSport,
            "other" | "autre" => PaymentMethod::Other,
            "due" | "du" | "a payer" => PaymentMethod::Due,
            _ => return None,
        };
        Some(method)
    }

    /// Tells whether money changed hands: every method but [`PaymentMethod::Due`].
    pub fn is_money(self) -> bool {
        self != PaymentMethod::Due
    }
}

/// One payment line of a sale as the person entered it: the amount may be left out when a
/// single method pays the whole price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentInput {
    pub method: PaymentMethod,
    pub amount_cents: Option<i64>,
}

/// One payment line with its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    pub method: PaymentMethod,
    pub amount_cents: i64,
}

/// Reasons a `METHOD[:AMOUNT]` argument is rejected by [`parse_payment`]. Each variant carries
/// the whole argument as it was passed in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentArgError {
    #[error("payment {text:?} names no known method")]
    UnknownMethod { text: String },
    #[error("payment {text:?} has an invalid amount: {error}")]
    Amount { text: String, error: AmountError },
}

impl PaymentArgError {
    /// Returns the rejected argument as it was passed to [`parse_payment`].
    pub fn text(&self) -> &str {
        match self {
            PaymentArgError::UnknownMethod { text } | PaymentArgError::Amount { text, .. } => text,
        }
    }
}

/// Parses a payment argument `METHOD[:AMOUNT]`, such as `cash`, `cheque:60` or
/// `coupon-sport:20,50`. The amount is read by [`parse_amount`], so it is written as people
/// write money and is never negative.
pub fn parse_payment(text: &str) -> Result<PaymentInput, PaymentArgError> {
    let (method_text, amount_text) = match text.split_once(':') {
        Some((method, amount)) => (method, Some(amount)),
        None => (text, None),
    };
    let method =
        PaymentMethod::parse(method_text).ok_or_else(|| PaymentArgError::UnknownMethod {
            text: text.to_owned(),
        })?;
    let amount_cents = match amount_text {
        None => None,
        Some(amount) => Some(
            parse_amount(amount).map_err(|error| PaymentArgError::Amount {
                text: text.to_owned(),
                error,
            })?,
        ),
    };
    Ok(PaymentInput {
        method,
        amount_cents,
    })
}

/// Reasons a list of payment lines does not pay a price, from [`validate_payments`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentsError {
    /// The card costs something and no payment line was given.
    #[error("no payment given for a price of {price_cents} cents")]
    Missing { price_cents: i64 },
    #[error("the {method:?} line is negative ({amount_cents} cents)")]
    Negative {
        method: PaymentMethod,
        amount_cents: i64,
    },
    /// A line left out its amount among `lines` lines, where every line needs one.
    #[error("the {method:?} line has no amount, which only a single line may leave out")]
    AmountOmitted { method: PaymentMethod, lines: usize },
    #[error("the payments add up to {given_cents} cents but the price is {price_cents} cents")]
    TotalMismatch { given_cents: i64, price_cents: i64 },
}

/// Checks payment lines against a card's price and returns them with their amounts.
///
/// The amounts must add up exactly to the price, and none may be negative. A single line may
/// leave out its amount, which is then the whole price. A card of price zero needs no line.
/// Lines of zero are left out of the result, so a free card records no payment.
pub fn validate_payments(
    price_cents: i64,
    inputs: &[PaymentInput],
) -> Result<Vec<Payment>, PaymentsError> {
    if inputs.is_empty() {
        return if price_cents == 0 {
            Ok(Vec::new())
        } else {
            Err(PaymentsError::Missing { price_cents })
        };
    }
    if let Some(input) = inputs
        .iter()
        .find(|i| i.amount_cents.is_some_and(|a| a < 0))
    {
        return Err(PaymentsError::Negative {
            method: input.method,
            amount_cents: input.amount_cents.unwrap_or_default(),
        });
    }
    if inputs.len() > 1
        && let Some(input) = inputs.iter().find(|i| i.amount_cents.is_none())
    {
        return Err(PaymentsError::AmountOmitted {
            method: input.method,
            lines: inputs.len(),
        });
    }

    let payments: Vec<Payment> = inputs
        .iter()
        .map(|input| Payment {
            method: input.method,
            amount_cents: input.amount_cents.unwrap_or(price_cents),
        })
        .collect();
    let given_cents = payments
        .iter()
        .fold(0i64, |total, p| total.saturating_add(p.amount_cents));
    if given_cents != price_cents {
        return Err(PaymentsError::TotalMismatch {
            given_cents,
            price_cents,
        });
    }
    Ok(payments
        .into_iter()
        .filter(|payment| payment.amount_cents != 0)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// A card's money, read from its ledger
// ---------------------------------------------------------------------------------------------

/// A sold card with the money its ledger records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// The card as stored: sale date, name, price, sessions, expiry and state.
    pub card: Card,
    /// Payment lines in ledger order, `due` lines included.
    pub payments: Vec<Payment>,
    /// Money received: every payment line except `due` ones.
    pub paid_cents: i64,
    /// Money still owed. Zero for a card that is not open, and for a card sold without payment
    /// lines (by [`crate::store::Store::sell_card`]), whose payments are unknown.
    pub due_cents: i64,
    /// Money given back: refunds plus the refund of a cancelled sale.
    pub refunded_cents: i64,
}

impl Sale {
    /// Builds a card's sale from its ledger events, oldest first. Events of other cards are
    /// ignored.
    pub fn from_events(card: Card, events: &[LedgerEvent]) -> Sale {
        let mut payments = Vec::new();
        let mut paid_cents = 0i64;
        let mut refunded_cents = 0i64;
        for event in events.iter().filter(|event| event.card_id == card.id) {
            match &event.kind {
                EventKind::Paid {
                    method,
                    amount_cents,
                } => {
                    payments.push(Payment {
                        method: *method,
                        amount_cents: *amount_cents,
                    });
                    if method.is_money() {
                        paid_cents += amount_cents;
                    }
                }
                EventKind::Refunded { amount_cents, .. } => refunded_cents += amount_cents,
                EventKind::Cancelled { refund_cents, .. } => refunded_cents += refund_cents,
                _ => {}
            }
        }
        let due_cents = if card.state == CardState::Open && !payments.is_empty() {
            (card.price_cents - paid_cents).max(0)
        } else {
            0
        };
        Sale {
            card,
            payments,
            paid_cents,
            due_cents,
            refunded_cents,
        }
    }

    /// Money received and not given back, which is the most a refund may return.
    pub fn refundable_cents(&self) -> i64 {
        (self.paid_cents - self.refunded_cents).max(0)
    }
}

/// Counts the sessions taken from a card and not given back by an undo.
pub fn sessions_used(events: &[LedgerEvent]) -> u32 {
    let mut used = 0u32;
    let mut reverted = 0u32;
    for event in events {
        match event.kind {
            EventKind::SessionUsed { .. } => used += 1,
            EventKind::SessionReverted { .. } => reverted += 1,
            _ => {}
        }
    }
    used.saturating_sub(reverted)
}

// ---------------------------------------------------------------------------------------------
// Rules of each operation
// ---------------------------------------------------------------------------------------------

/// The reason a sale or a change to a sold card was rejected. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaleRefusal {
    ArchivedMember {
        name: String,
    },
    /// Archived card types are no longer sold.
    ArchivedCardType {
        name: String,
    },
    Payments(PaymentsError),
    /// Cancellations, refunds and adjustments need a reason for the ledger.
    ReasonMissing,
    /// The card was cancelled or refunded, so it can no longer change.
    CardClosed {
        card: String,
        state: CardState,
    },
    /// `due` records an amount owed, so it cannot pay a due amount or carry a refund.
    DueIsNotMoney,
    AmountNotPositive {
        amount_cents: i64,
    },
    NothingDue,
    MoreThanDue {
        given_cents: i64,
        due_cents: i64,
    },
    /// A sale can be cancelled only on the day it was made.
    NotSaleDay {
        sold_on: NaiveDate,
        today: NaiveDate,
    },
    /// A sale can be cancelled only while none of its sessions is used.
    SessionsUsed {
        count: u32,
    },
    RefundTooLarge {
        given_cents: i64,
        refundable_cents: i64,
    },
    /// An adjustment of zero sessions changes nothing.
    NoSessionChange,
    BelowZero {
        remaining: u32,
        delta: i32,
    },
    TooManySessions {
        remaining: u32,
        delta: i32,
        max: u32,
    },
    ExpiryUnchanged {
        expiry: Option<NaiveDate>,
    },
    ExpiryBeforeSale {
        expiry: NaiveDate,
        sold_on: NaiveDate,
    },
}

/// Returns the reason trimmed, or [`SaleRefusal::ReasonMissing`] when nothing is left.
pub fn clean_reason(reason: &str) -> Result<String, SaleRefusal> {
    let trimmed = reason.trim();
    if trimmed.is_empty() {
        Err(SaleRefusal::ReasonMissing)
    } else {
        Ok(trimmed.to_owned())
    }
}

fn require_open(card: &Card) -> Result<(), SaleRefusal> {
    if card.state == CardState::Open {
        Ok(())
    } else {
        Err(SaleRefusal::CardClosed {
            card: card.name.clone(),
            state: card.state,
        })
    }
}

fn require_money(method: PaymentMethod, amount_cents: i64) -> Result<(), SaleRefusal> {
    if !method.is_money() {
        return Err(SaleRefusal::DueIsNotMoney);
    }
    if amount_cents <= 0 {
        return Err(SaleRefusal::AmountNotPositive { amount_cents });
    }
    Ok(())
}

/// Checks a payment that settles all or part of what a card's buyer owes.
pub fn plan_payment(
    sale: &Sale,
    method: PaymentMethod,
    amount_cents: i64,
) -> Result<Payment, SaleRefusal> {
    require_open(&sale.card)?;
    require_money(method, amount_cents)?;
    if sale.due_cents == 0 {
        return Err(SaleRefusal::NothingDue);
    }
    if amount_cents > sale.due_cents {
        return Err(SaleRefusal::MoreThanDue {
            given_cents: amount_cents,
            due_cents: sale.due_cents,
        });
    }
    Ok(Payment {
        method,
        amount_cents,
    })
}

/// The contents of the `Cancelled` event that a cancellation writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelPlan {
    pub refund_cents: i64,
    pub reason: String,
}

/// Checks the cancellation of a sale on `today`, in the club's time zone. It is allowed on the
/// sale day while no session is used, and gives back what was paid and not yet refunded.
pub fn plan_cancel(
    sale: &Sale,
    events: &[LedgerEvent],
    reason: &str,
    today: NaiveDate,
) -> Result<CancelPlan, SaleRefusal> {
    let reason = clean_reason(reason)?;
    require_open(&sale.card)?;
    if today != sale.card.sold_on {
        return Err(SaleRefusal::NotSaleDay {
            sold_on: sale.card.sold_on,
            today,
        });
    }
    let count = sessions_used(events);
    if count > 0 {
        return Err(SaleRefusal::SessionsUsed { count });
    }
    Ok(CancelPlan {
        refund_cents: sale.refundable_cents(),
        reason,
    })
}

/// The contents of the `Refunded` event that a refund writes, and the card's new state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundPlan {
    pub payment: Payment,
    pub reason: String,
    /// [`CardState::Refunded`] when the refund gives back everything still held, which ends
    /// the card; otherwise the card stays open.
    pub new_state: CardState,
}

/// Checks a refund of part or all of what was paid for a card, net of earlier refunds.
pub fn plan_refund(
    sale: &Sale,
    method: PaymentMethod,
    amount_cents: i64,
    reason: &str,
) -> Result<RefundPlan, SaleRefusal> {
    let reason = clean_reason(reason)?;
    require_open(&sale.card)?;
    require_money(method, amount_cents)?;
    let refundable_cents = sale.refundable_cents();
    if amount_cents > refundable_cents {
        return Err(SaleRefusal::RefundTooLarge {
            given_cents: amount_cents,
            refundable_cents,
        });
    }
    let new_state = if amount_cents == refundable_cents {
        CardState::Refunded
    } else {
        CardState::Open
    };
    Ok(RefundPlan {
        payment: Payment {
            method,
            amount_cents,
        },
        reason,
        new_state,
    })
}

/// Checks an adjustment of a card's balance by `delta` sessions and returns the trimmed
/// reason. The balance stays between zero and [`MAX_SESSIONS`].
pub fn plan_adjustment(card: &Card, delta: i32, reason: &str) -> Result<String, SaleRefusal> {
    let reason = clean_reason(reason)?;
    require_open(card)?;
    if delta == 0 {
        return Err(SaleRefusal::NoSessionChange);
    }
    let balance = i64::from(card.sessions_remaining) + i64::from(delta);
    if balance < 0 {
        return Err(SaleRefusal::BelowZero {
            remaining: card.sessions_remaining,
            delta,
        });
    }
    if balance > i64::from(MAX_SESSIONS) {
        return Err(SaleRefusal::TooManySessions {
            remaining: card.sessions_remaining,
            delta,
            max: MAX_SESSIONS,
        });
    }
    Ok(reason)
}

/// Checks a change of a card's last valid day (`None`: the card never expires) and returns
/// the trimmed reason. A past date is allowed, to end a card early, but not one before the sale.
pub fn plan_expiry_change(
    card: &Card,
    new_expiry: Option<NaiveDate>,
    reason: &str,
) -> Result<String, SaleRefusal> {
    let reason = clean_reason(reason)?;
    require_open(card)?;
    if new_expiry == card.expires_on {
        return Err(SaleRefusal::ExpiryUnchanged { expiry: new_expiry });
    }
    if let Some(expiry) = new_expiry
        && expiry < card.sold_on
    {
        return Err(SaleRefusal::ExpiryBeforeSale {
            expiry,
            sold_on: card.sold_on,
        });
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::card::CardId;
    use crate::domain::card_type::CardTypeId;
    use crate::domain::ledger::EventId;
    use crate::domain::member::MemberId;
    use chrono::{DateTime, Utc};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn line(method: PaymentMethod, amount_cents: Option<i64>) -> PaymentInput {
        PaymentInput {
            method,
            amount_cents,
        }
    }

    fn card(price_cents: i64) -> Card {
        Card {
            id: CardId(1),
            member_id: MemberId(1),
            type_id: CardTypeId(1),
            name: "10 séances".to_owned(),
            price_cents,
            sessions_total: 10,
            sold_on: date(2026, 9, 1),
            expires_on: Some(date(2027, 8, 31)),
            activities: Vec::new(),
            sessions_remaining: 10,
            state: CardState::Open,
        }
    }

    fn event(id: u64, kind: EventKind) -> LedgerEvent {
        LedgerEvent {
            id: EventId(id),
            at: DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap(),
            operator: "test".to_owned(),
            terminal: "desk".to_owned(),
            card_id: CardId(1),
            member_id: MemberId(1),
            kind,
        }
    }

    fn paid(id: u64, method: PaymentMethod, amount_cents: i64) -> LedgerEvent {
        event(
            id,
            EventKind::Paid {
                method,
                amount_cents,
            },
        )
    }

    // --- Payment methods and arguments ---

    #[test]
    fn method_codes_parse_back() {
        for method in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(method.code()), Some(method));
        }
    }

    #[test]
    fn method_french_names_and_spellings() {
        let cases = [
            ("Espèces", PaymentMethod::Cash),
            ("CHÈQUE", PaymentMethod::Cheque),
            ("cb", PaymentMethod::Card),
            ("virement", PaymentMethod::Transfer),
            ("chèques-vacances", PaymentMethod::Ancv),
            ("Coupon_Sport", PaymentMethod::CouponSport),
            ("pass sport", PaymentMethod::PassSport),
            ("autre", PaymentMethod::Other),
            ("dû", PaymentMethod::Due),
        ];
        for (text, expected) in cases {
            assert_eq!(PaymentMethod::parse(text), Some(expected), "input {text:?}");
        }
        assert_eq!(PaymentMethod::parse("bitcoin"), None);
        assert_eq!(PaymentMethod::parse(""), None);
    }

    #[test]
    fn payment_argument_forms() {
        assert_eq!(parse_payment("cash"), Ok(line(PaymentMethod::Cash, None)));
        assert_eq!(
            parse_payment("cheque:60"),
            Ok(line(PaymentMethod::Cheque, Some(6_000)))
        );
        assert_eq!(
            parse_payment("coupon-sport:20,50 €"),
            Ok(line(PaymentMethod::CouponSport, Some(2_050)))
        );
        assert_eq!(
            parse_payment(" card : 1 020.50 "),
            Ok(line(PaymentMethod::Card, Some(102_050)))
        );
    }

    #[test]
    fn payment_argument_rejections() {
        assert_eq!(
            parse_payment("bitcoin:10"),
            Err(PaymentArgError::UnknownMethod {
                text: "bitcoin:10".to_owned()
            })
        );
        assert_eq!(
            parse_payment("cash:-10"),
            Err(PaymentArgError::Amount {
                text: "cash:-10".to_owned(),
                error: AmountError::Negative("-10".to_owned()),
            })
        );
        assert_eq!(
            parse_payment("cash:"),
            Err(PaymentArgError::Amount {
                text: "cash:".to_owned(),
                error: AmountError::Empty(String::new()),
            })
        );
        let error = parse_payment("cash:12,345").unwrap_err();
        assert_eq!(error.text(), "cash:12,345");
    }

    // --- Payment lists against a price ---

    #[test]
    fn payments_half_cash_half_cheque() {
        let lines = [
            line(PaymentMethod::Cash, Some(6_000)),
            line(PaymentMethod::Cheque, Some(6_000)),
        ];
        let payments = validate_payments(12_000, &lines).unwrap();
        assert_eq!(payments.len(), 2);
        assert_eq!(payments[0].amount_cents, 6_000);
        assert_eq!(payments[1].method, PaymentMethod::Cheque);
    }

    #[test]
    fn payments_single_line_without_amount() {
        let payments = validate_payments(12_000, &[line(PaymentMethod::Due, None)]).unwrap();
        assert_eq!(
            payments,
            [Payment {
                method: PaymentMethod::Due,
                amount_cents: 12_000
            }]
        );
    }

    #[test]
    fn payments_total_mismatch_carries_values() {
        let lines = [
            line(PaymentMethod::Cash, Some(5_000)),
            line(PaymentMethod::Cheque, Some(6_000)),
        ];
        assert_eq!(
            validate_payments(12_000, &lines),
            Err(PaymentsError::TotalMismatch {
                given_cents: 11_000,
                price_cents: 12_000
            })
        );
        let too_much = [line(PaymentMethod::Cash, Some(12_001))];
        assert_eq!(
            validate_payments(12_000, &too_much),
            Err(PaymentsError::TotalMismatch {
                given_cents: 12_001,
                price_cents: 12_000
            })
        );
    }

    #[test]
    fn payments_omitted_amount_among_several() {
        let lines = [
            line(PaymentMethod::Cash, Some(6_000)),
            line(PaymentMethod::Cheque, None),
        ];
        assert_eq!(
            validate_payments(12_000, &lines),
            Err(PaymentsError::AmountOmitted {
                method: PaymentMethod::Cheque,
                lines: 2
            })
        );
        let both = [
            line(PaymentMethod::Cash, None),
            line(PaymentMethod::Card, None),
        ];
        assert_eq!(
            validate_payments(12_000, &both),
            Err(PaymentsError::AmountOmitted {
                method: PaymentMethod::Cash,
                lines: 2
            })
        );
    }

    #[test]
    fn payments_negative_line() {
        let lines = [
            line(PaymentMethod::Cash, Some(13_000)),
            line(PaymentMethod::Cheque, Some(-1_000)),
        ];
        assert_eq!(
            validate_payments(12_000, &lines),
            Err(PaymentsError::Negative {
                method: PaymentMethod::Cheque,
                amount_cents: -1_000
            })
        );
    }

    #[test]
    fn payments_missing_for_priced_card() {
        assert_eq!(
            validate_payments(12_000, &[]),
            Err(PaymentsError::Missing {
                price_cents: 12_000
            })
        );
    }

    #[test]
    fn payments_free_card() {
        assert_eq!(validate_payments(0, &[]), Ok(Vec::new()));
        assert_eq!(
            validate_payments(0, &[line(PaymentMethod::Cash, None)]),
            Ok(Vec::new())
        );
        assert_eq!(
            validate_payments(0, &[line(PaymentMethod::Cash, Some(100))]),
            Err(PaymentsError::TotalMismatch {
                given_cents: 100,
                price_cents: 0
            })
        );
    }

    #[test]
    fn payments_zero_lines_left_out() {
        let lines = [
            line(PaymentMethod::Cash, Some(0)),
            line(PaymentMethod::Card, Some(12_000)),
        ];
        assert_eq!(
            validate_payments(12_000, &lines),
            Ok(vec![Payment {
                method: PaymentMethod::Card,
                amount_cents: 12_000
            }])
        );
    }

    // --- Money read from the ledger ---

    #[test]
    fn sale_totals_from_events() {
        let events = [
            event(
                1,
                EventKind::CardSold {
                    sessions: 10,
                    price_cents: 12_000,
                },
            ),
            paid(2, PaymentMethod::Cash, 5_000),
            paid(3, PaymentMethod::Due, 7_000),
            paid(4, PaymentMethod::Cheque, 3_000),
            event(
                5,
                EventKind::Refunded {
                    method: PaymentMethod::Cash,
                    amount_cents: 1_000,
                    reason: "geste".to_owned(),
                },
            ),
        ];
        let sale = Sale::from_events(card(12_000), &events);
        assert_eq!(sale.payments.len(), 3);
        assert_eq!(sale.paid_cents, 8_000);
        assert_eq!(sale.due_cents, 4_000);
        assert_eq!(sale.refunded_cents, 1_000);
        assert_eq!(sale.refundable_cents(), 7_000);
    }

    #[test]
    fn sale_without_payment_lines_owes_nothing() {
        let events = [event(
            1,
            EventKind::CardSold {
                sessions: 10,
                price_cents: 12_000,
            },
        )];
        let sale = Sale::from_events(card(12_000), &events);
        assert_eq!(sale.due_cents, 0);
        assert_eq!(sale.paid_cents, 0);
    }

    #[test]
    fn sale_cancelled_owes_nothing() {
        let mut cancelled = card(12_000);
        cancelled.state = CardState::Cancelled;
        let events = [
            paid(1, PaymentMethod::Cash, 2_000),
            paid(2, PaymentMethod::Due, 10_000),
            event(
                3,
                EventKind::Cancelled {
                    reason: "erreur".to_owned(),
                    refund_cents: 2_000,
                },
            ),
        ];
        let sale = Sale::from_events(cancelled, &events);
        assert_eq!(sale.due_cents, 0);
        assert_eq!(sale.refunded_cents, 2_000);
        assert_eq!(sale.refundable_cents(), 0);
    }

    #[test]
    fn new_event_kinds_move_no_session() {
        let kinds = [
            EventKind::Paid {
                method: PaymentMethod::Cash,
                amount_cents: 100,
            },
            EventKind::Refunded {
                method: PaymentMethod::Cash,
                amount_cents: 100,
                reason: "x".to_owned(),
            },
        ];
        for kind in kinds {
            assert_eq!(event(1, kind).session_delta(), 0);
        }
    }

    #[test]
    fn sessions_used_counts_undos() {
        let used = |id| {
            event(
                id,
                EventKind::SessionUsed {
                    activity: None,
                    remaining_after: 9,
                },
            )
        };
        let undo = event(
            3,
            EventKind::SessionReverted {
                reverted: EventId(1),
            },
        );
        assert_eq!(sessions_used(&[used(1)]), 1);
        assert_eq!(sessions_used(&[used(1), undo.clone()]), 0);
        assert_eq!(sessions_used(&[used(1), used(2), undo]), 1);
    }

    // --- Operation rules ---

    fn sale_with(events: &[LedgerEvent]) -> Sale {
        Sale::from_events(card(12_000), events)
    }

    #[test]
    fn payment_settles_due_within_bounds() {
        let sale = sale_with(&[
            paid(1, PaymentMethod::Cash, 2_000),
            paid(2, PaymentMethod::Due, 10_000),
        ]);
        assert!(plan_payment(&sale, PaymentMethod::Cheque, 10_000).is_ok());
        assert_eq!(
            plan_payment(&sale, PaymentMethod::Cheque, 10_001),
            Err(SaleRefusal::MoreThanDue {
                given_cents: 10_001,
                due_cents: 10_000
            })
        );
        assert_eq!(
            plan_payment(&sale, PaymentMethod::Due, 1_000),
            Err(SaleRefusal::DueIsNotMoney)
        );
        assert_eq!(
            plan_payment(&sale, PaymentMethod::Cash, 0),
            Err(SaleRefusal::AmountNotPositive { amount_cents: 0 })
        );

        let settled = sale_with(&[paid(1, PaymentMethod::Cash, 12_000)]);
        assert_eq!(
            plan_payment(&settled, PaymentMethod::Cash, 100),
            Err(SaleRefusal::NothingDue)
        );
    }

    #[test]
    fn cancel_on_sale_day_only() {
        let events = [paid(1, PaymentMethod::Cash, 12_000)];
        let sale = sale_with(&events);
        let plan = plan_cancel(&sale, &events, " erreur ", date(2026, 9, 1)).unwrap();
        assert_eq!(plan.refund_cents, 12_000);
        assert_eq!(plan.reason, "erreur");
        assert_eq!(
            plan_cancel(&sale, &events, "erreur", date(2026, 9, 2)),
            Err(SaleRefusal::NotSaleDay {
                sold_on: date(2026, 9, 1),
                today: date(2026, 9, 2)
            })
        );
        assert_eq!(
            plan_cancel(&sale, &events, "  ", date(2026, 9, 1)),
            Err(SaleRefusal::ReasonMissing)
        );
    }

    #[test]
    fn cancel_after_session_used() {
        let events = [
            paid(1, PaymentMethod::Cash, 12_000),
            event(
                2,
                EventKind::SessionUsed {
                    activity: None,
                    remaining_after: 9,
                },
            ),
        ];
        assert_eq!(
            plan_cancel(&sale_with(&events), &events, "erreur", date(2026, 9, 1)),
            Err(SaleRefusal::SessionsUsed { count: 1 })
        );
    }

    #[test]
    fn refund_bounds_and_state() {
        let events = [
            paid(1, PaymentMethod::Cash, 12_000),
            event(
                2,
                EventKind::Refunded {
                    method: PaymentMethod::Cash,
                    amount_cents: 2_000,
                    reason: "cours annulé".to_owned(),
                },
            ),
        ];
        let sale = sale_with(&events);
        assert_eq!(
            plan_refund(&sale, PaymentMethod::Cash, 10_001, "départ"),
            Err(SaleRefusal::RefundTooLarge {
                given_cents: 10_001,
                refundable_cents: 10_000
            })
        );
        let partial = plan_refund(&sale, PaymentMethod::Cash, 4_000, "départ").unwrap();
        assert_eq!(partial.new_state, CardState::Open);
        let full = plan_refund(&sale, PaymentMethod::Transfer, 10_000, "départ").unwrap();
        assert_eq!(full.new_state, CardState::Refunded);
        assert_eq!(
            plan_refund(&sale, PaymentMethod::Cash, 100, ""),
            Err(SaleRefusal::ReasonMissing)
        );
    }

    #[test]
    fn adjustment_bounds() {
        let mut three_left = card(12_000);
        three_left.sessions_remaining = 3;
        assert_eq!(
            plan_adjustment(&three_left, -3, "erreur"),
            Ok("erreur".to_owned())
        );
        assert_eq!(
            plan_adjustment(&three_left, -4, "erreur"),
            Err(SaleRefusal::BelowZero {
                remaining: 3,
                delta: -4
            })
        );
        assert_eq!(
            plan_adjustment(&three_left, 998, "erreur"),
            Err(SaleRefusal::TooManySessions {
                remaining: 3,
                delta: 998,
                max: MAX_SESSIONS
            })
        );
        assert_eq!(
            plan_adjustment(&three_left, 0, "erreur"),
            Err(SaleRefusal::NoSessionChange)
        );
        assert_eq!(
            plan_adjustment(&three_left, 2, "\t"),
            Err(SaleRefusal::ReasonMissing)
        );
    }

    #[test]
    fn adjustment_of_closed_card() {
        let mut cancelled = card(12_000);
        cancelled.state = CardState::Cancelled;
        assert_eq!(
            plan_adjustment(&cancelled, 1, "erreur"),
            Err(SaleRefusal::CardClosed {
                card: "10 séances".to_owned(),
                state: CardState::Cancelled
            })
        );
    }

    #[test]
    fn expiry_change_rules() {
        let open = card(12_000);
        assert!(plan_expiry_change(&open, None, "blessure").is_ok());
        assert!(plan_expiry_change(&open, Some(date(2026, 9, 1)), "fin").is_ok());
        assert_eq!(
            plan_expiry_change(&open, Some(date(2027, 8, 31)), "blessure"),
            Err(SaleRefusal::ExpiryUnchanged {
                expiry: Some(date(2027, 8, 31))
            })
        );
        assert_eq!(
            plan_expiry_change(&open, Some(date(2026, 8, 31)), "blessure"),
            Err(SaleRefusal::ExpiryBeforeSale {
                expiry: date(2026, 8, 31),
                sold_on: date(2026, 9, 1)
            })
        );
        assert_eq!(
            plan_expiry_change(&open, None, ""),
            Err(SaleRefusal::ReasonMissing)
        );
    }
}
