//! `carnet sell` and `carnet cards`: selling a card with its payment lines, and changing a
//! sold card, with the same rules and messages as the screens. Invalid input and rejected
//! operations exit with status 2 and a message naming the value.

use super::UserError;
use super::out;
use crate::domain::MemberCode;
use crate::domain::card::{Card, CardId, CardState};
use crate::domain::card_type::CardType;
use crate::domain::input::{DateOrder, parse_date};
use crate::domain::member::Member;
use crate::domain::pricing::fold;
use crate::domain::sale::{Payment, PaymentInput, Sale, SaleRefusal, parse_payment};
use crate::i18n::Catalog;
use crate::messages;
use crate::store::{Store, StoreError, WriteContext};
use chrono::NaiveDate;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct SellArgs {
    /// Code of the member who buys the card
    code: String,
    /// Name of the card type to sell; case and accents are ignored
    #[arg(long = "card-type", value_name = "NAME")]
    card_type: String,
    /// A payment line, METHOD or METHOD:AMOUNT; repeat it for several lines. Methods: cash,
    /// cheque, card, transfer, ancv, coupon-sport, pass-sport, other, and due for an amount
    /// paid later. Amounts are written as 60, 60,00 or 60.00 €, and must add up to the
    /// price. A single line may leave out its amount to pay the whole price
    #[arg(long = "payment", value_name = "METHOD[:AMOUNT]")]
    payments: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum CardsCommand {
    /// List a member's cards, newest first, with payments, amount due and refunds
    List {
        /// Member code
        code: String,
    },
    /// Record a payment of an amount still due on a card
    Pay {
        /// Member code
        code: String,
        /// Card number, as `carnet cards list` shows it
        #[arg(long, value_name = "ID")]
        card: u64,
        /// How much was paid and how, METHOD:AMOUNT, such as cheque:60
        #[arg(long, value_name = "METHOD:AMOUNT")]
        payment: String,
    },
    /// Add or take sessions on a card, with the reason kept in its history
    Adjust {
        /// Member code
        code: String,
        /// Card number, as `carnet cards list` shows it
        #[arg(long, value_name = "ID")]
        card: u64,
        /// Sessions to add (+2) or take (-1); the balance never goes below zero
        #[arg(long, allow_hyphen_values = true, value_name = "±N")]
        sessions: String,
        /// Reason kept in the card's history
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
    },
    /// Change a card's last valid day, or remove it
    Expiry {
        /// Member code
        code: String,
        /// Card number, as `carnet cards list` shows it
        #[arg(long, value_name = "ID")]
        card: u64,
        /// New last valid day (30/06/2027 or 2027-06-30), or none for no expiry
        #[arg(long, value_name = "DATE|none")]
        date: String,
        /// Reason kept in the card's history
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
    },
    /// Cancel a sale made by mistake: only on the sale day and before any session is used
    Cancel {
        /// Member code
        code: String,
        /// Card number, as `carnet cards list` shows it
        #[arg(long, value_name = "ID")]
        card: u64,
        /// Reason kept in the card's history
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
    },
    /// Give back money paid for a card; refunding everything still held closes the card
    Refund {
        /// Member code
        code: String,
        /// Card number, as `carnet cards list` shows it
        #[arg(long, value_name = "ID")]
        card: u64,
        /// How much is given back and how, METHOD:AMOUNT, such as cash:20
        #[arg(long, value_name = "METHOD:AMOUNT")]
        payment: String,
        /// Reason kept in the card's history
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
    },
}

/// Runs `carnet sell`, dated `today` in the club's time zone.
pub fn sell(
    store: &Store,
    catalog: &Catalog,
    args: SellArgs,
    context: &WriteContext,
    today: NaiveDate,
) -> Result<ExitCode, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    let member = find_member(store, catalog, &args.code)?;
    let card_type = find_card_type(store, catalog, &args.card_type)?;

    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for text in &args.payments {
        match parse_payment(text) {
            Ok(input) => inputs.push(input),
            Err(error) => errors.push(format!(
                "--payment: {}",
                messages::payment_arg_error(catalog, &error)
            )),
        }
    }
    if !errors.is_empty() {
        return Err(UserError(errors.join("\n")));
    }

    let sale = store
        .sell_card_with_payments(member.id, card_type.id, today, &inputs, context)
        .map_err(store_error)?
        .map_err(|refusal| refused(catalog, &refusal))?;
    let card = &sale.card;
    out!(
        "{}",
        catalog.tf(
            "sale.sold",
            &[
                ("card", &card.name),
                ("id", &card.id.0),
                ("member", &member.full_name()),
                ("sessions", &card.sessions_total),
                ("price", &catalog.money(card.price_cents)),
            ],
        )
    );
    out!("{}", messages::expiry_line(catalog, card.expires_on));
    out!("{}", payments_line(catalog, &sale.payments));
    if sale.due_cents > 0 {
        out!(
            "{}",
            catalog.tf("sale.due", &[("amount", &catalog.money(sale.due_cents))])
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `carnet cards` command, dated `today` in the club's time zone.
pub fn cards(
    store: &Store,
    catalog: &Catalog,
    command: CardsCommand,
    context: &WriteContext,
    today: NaiveDate,
) -> Result<ExitCode, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    match command {
        CardsCommand::List { code } => {
            let member = find_member(store, catalog, &code)?;
            let sales = store.sales_of_member(member.id).map_err(store_error)?;
            if sales.is_empty() {
                out!(
                    "{}",
                    catalog.tf("sale.no_cards", &[("member", &member.full_name())])
                );
            }
            for sale in &sales {
                out!("{}", sale_line(catalog, sale));
            }
        }
        CardsCommand::Pay {
            code,
            card,
            payment,
        } => {
            let card = find_card(store, catalog, &code, card)?;
            let payment = payment_with_amount(catalog, &payment)?;
            let sale = store
                .record_payment(card.id, payment.method, payment.amount_cents, context)
                .map_err(store_error)?
                .map_err(|refusal| refused(catalog, &refusal))?;
            out!(
                "{}",
                catalog.tf(
                    "sale.paid_notice",
                    &[
                        ("payment", &messages::payment_lines(catalog, &[payment])),
                        ("id", &card.id.0),
                        ("due", &catalog.money(sale.due_cents)),
                    ],
                )
            );
        }
        CardsCommand::Adjust {
            code,
            card,
            sessions,
            reason,
        } => {
            let card = find_card(store, catalog, &code, card)?;
            let Some(delta) = parse_delta(&sessions) else {
                return Err(UserError(
                    catalog.tf("sale.bad_sessions", &[("text", &sessions)]),
                ));
            };
            let card = store
                .adjust_sessions(card.id, delta, &reason, context)
                .map_err(store_error)?
                .map_err(|refusal| refused(catalog, &refusal))?;
            out!(
                "{}",
                catalog.tf(
                    "sale.adjusted_notice",
                    &[
                        ("id", &card.id.0),
                        ("card", &card.name),
                        ("delta", &format!("{delta:+}")),
                        ("left", &card.sessions_remaining),
                    ],
                )
            );
        }
        CardsCommand::Expiry {
            code,
            card,
            date,
            reason,
        } => {
            let card = find_card(store, catalog, &code, card)?;
            let new_expiry = parse_expiry(catalog, &date)?;
            let card = store
                .change_expiry(card.id, new_expiry, &reason, context)
                .map_err(store_error)?
                .map_err(|refusal| refused(catalog, &refusal))?;
            out!(
                "{}",
                catalog.tf(
                    "sale.expiry_notice",
                    &[
                        ("id", &card.id.0),
                        ("card", &card.name),
                        ("expiry", &messages::expiry_line(catalog, card.expires_on)),
                    ],
                )
            );
        }
        CardsCommand::Cancel { code, card, reason } => {
            let card = find_card(store, catalog, &code, card)?;
            let refunded_before = store
                .sale_of_card(card.id)
                .map_err(store_error)?
                .map_or(0, |sale| sale.refunded_cents);
            let sale = store
                .cancel_sale(card.id, &reason, today, context)
                .map_err(store_error)?
                .map_err(|refusal| refused(catalog, &refusal))?;
            let refund_cents = sale.refunded_cents - refunded_before;
            out!(
                "{}",
                catalog.tf(
                    "sale.cancelled_notice",
                    &[
                        ("id", &card.id.0),
                        ("card", &card.name),
                        ("refund", &catalog.money(refund_cents)),
                    ],
                )
            );
        }
        CardsCommand::Refund {
            code,
            card,
            payment,
            reason,
        } => {
            let card = find_card(store, catalog, &code, card)?;
            let payment = payment_with_amount(catalog, &payment)?;
            let sale = store
                .refund(
                    card.id,
                    payment.method,
                    payment.amount_cents,
                    &reason,
                    context,
                )
                .map_err(store_error)?
                .map_err(|refusal| refused(catalog, &refusal))?;
            out!(
                "{}",
                catalog.tf(
                    "sale.refunded_notice",
                    &[
                        ("payment", &messages::payment_lines(catalog, &[payment])),
                        ("id", &card.id.0),
                        ("refundable", &catalog.money(sale.refundable_cents())),
                    ],
                )
            );
            if sale.card.state == CardState::Refunded {
                out!(
                    "{}",
                    catalog.tf("sale.closed_notice", &[("id", &card.id.0)])
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn refused(catalog: &Catalog, refusal: &SaleRefusal) -> UserError {
    UserError(messages::sale_refusal(catalog, refusal))
}

pub(super) fn find_member(
    store: &Store,
    catalog: &Catalog,
    code: &str,
) -> Result<Member, UserError> {
    let unknown = || UserError(catalog.tf("sale.unknown_member", &[("code", &code.trim())]));
    let code = MemberCode::parse(code).ok_or_else(unknown)?;
    store
        .member_by_code(&code)
        .map_err(|error| UserError(messages::store_error(catalog, &error)))?
        .ok_or_else(unknown)
}

/// Finds a card type by name, ignoring case and accents. A type on sale comes first; an
/// archived one is returned too, so that the sale is rejected with the reason.
fn find_card_type(store: &Store, catalog: &Catalog, name: &str) -> Result<CardType, UserError> {
    let types = store
        .card_types()
        .map_err(|error| UserError(messages::store_error(catalog, &error)))?;
    let folded_name = fold(name);
    let mut matches: Vec<&CardType> = types
        .iter()
        .filter(|t| fold(&t.name) == folded_name)
        .collect();
    matches.sort_by_key(|t| t.archived);
    if let Some(found) = matches.first() {
        return Ok((*found).clone());
    }
    let known: Vec<&str> = types
        .iter()
        .filter(|t| !t.archived)
        .map(|t| t.name.as_str())
        .collect();
    Err(UserError(catalog.tf(
        "error.unknown_card_type",
        &[("name", &name), ("known", &known.join(", "))],
    )))
}

/// Finds card `id` among the cards of the member with `code`.
fn find_card(store: &Store, catalog: &Catalog, code: &str, id: u64) -> Result<Card, UserError> {
    let store_error = |error: StoreError| UserError(messages::store_error(catalog, &error));
    let member = find_member(store, catalog, code)?;
    let cards = store.cards_of_member(member.id).map_err(store_error)?;
    if let Some(card) = cards.iter().find(|card| card.id == CardId(id)) {
        return Ok(card.clone());
    }
    let known: Vec<String> = cards.iter().map(|card| card.id.0.to_string()).collect();
    Err(UserError(catalog.tf(
        "sale.not_members_card",
        &[
            ("id", &id),
            ("member", &member.full_name()),
            ("known", &known.join(", ")),
        ],
    )))
}

/// Parses a METHOD:AMOUNT argument whose amount is required.
fn payment_with_amount(catalog: &Catalog, text: &str) -> Result<Payment, UserError> {
    let input: PaymentInput = parse_payment(text).map_err(|error| {
        UserError(format!(
            "--payment: {}",
            messages::payment_arg_error(catalog, &error)
        ))
    })?;
    match input.amount_cents {
        Some(amount_cents) => Ok(Payment {
            method: input.method,
            amount_cents,
        }),
        None => Err(UserError(format!(
            "--payment: {}",
            catalog.tf("sale.amount_required", &[("text", &text)])
        ))),
    }
}

/// Parses a signed number of sessions: `+2`, `-1` or `3`, with a typographic minus allowed.
fn parse_delta(text: &str) -> Option<i32> {
    text.trim().replace('\u{2212}', "-").parse().ok()
}

/// Parses a new last valid day, or `none` (`aucune` in French) for a card that never expires.
fn parse_expiry(catalog: &Catalog, text: &str) -> Result<Option<NaiveDate>, UserError> {
    if matches!(fold(text).as_str(), "none" | "aucune") {
        return Ok(None);
    }
    parse_date(text, DateOrder::DayFirst)
        .map(Some)
        .map_err(|_| UserError(catalog.tf("sale.bad_expiry", &[("text", &text)])))
}

fn payments_line(catalog: &Catalog, payments: &[Payment]) -> String {
    if payments.is_empty() {
        catalog.t("sale.no_payment").to_owned()
    } else {
        catalog.tf(
            "sale.payments",
            &[("lines", &messages::payment_lines(catalog, payments))],
        )
    }
}

/// Formats one sale as a tab-separated line for `carnet cards list`.
fn sale_line(catalog: &Catalog, sale: &Sale) -> String {
    let card = &sale.card;
    let expiry = match card.expires_on {
        Some(date) => catalog.date(date),
        None => catalog.t("validity.none").to_owned(),
    };
    let money = catalog.tf(
        "sale.money_summary",
        &[
            ("paid", &catalog.money(sale.paid_cents)),
            ("due", &catalog.money(sale.due_cents)),
            ("refunded", &catalog.money(sale.refunded_cents)),
        ],
    );
    [
        card.id.0.to_string(),
        catalog.date(card.sold_on),
        card.name.clone(),
        catalog.money(card.price_cents),
        format!("{}/{}", card.sessions_remaining, card.sessions_total),
        expiry,
        messages::card_state(catalog, card.state),
        money,
        payments_line(catalog, &sale.payments),
    ]
    .join("\t")
}
