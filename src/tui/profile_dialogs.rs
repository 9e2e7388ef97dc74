//! Dialogs of the member profile: selling a card with its payments, changing a sold card
//! (sessions, expiry, payment of a due amount, cancellation, refund), always with a reason,
//! and confirming the erasure of the member's personal details.

use super::app::NavKey;
use super::fields::{edit_cursor, moved};
use super::screen::ScreenContext;
use crate::domain::card::Card;
use crate::domain::card_type::CardType;
use crate::domain::input::{DateOrder, parse_date};
use crate::domain::member::Member;
use crate::domain::sale::{PaymentInput, parse_payment};
use crate::messages;
use crate::store::StoreError;
use tui_input::{Input, InputRequest};

/// Selling a card: the card type, then the payment lines.
#[derive(Debug)]
pub struct SaleDialog {
    /// Card types on sale.
    pub types: Vec<CardType>,
    pub selected: usize,
    /// Payment lines as `METHOD[:AMOUNT]` separated by `+`, such as `cash:40 + cheque:45`.
    pub payments: Input,
    /// 0: the card type list, 1: the payments field.
    pub focus: usize,
    pub error: Option<String>,
}

/// The kind of change made to a sold card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardAction {
    /// Add or remove sessions: the value is a signed number.
    Sessions,
    /// Change the expiry: the value is a date, or empty for no expiry.
    Expiry,
    /// Settle a due amount: the value is `METHOD[:AMOUNT]`.
    Payment,
    /// Cancel the sale the same day: no value.
    Cancel,
    /// Refund money: the value is `METHOD:AMOUNT`.
    Refund,
}

impl CardAction {
    pub const ALL: [CardAction; 5] = [
        CardAction::Sessions,
        CardAction::Expiry,
        CardAction::Payment,
        CardAction::Cancel,
        CardAction::Refund,
    ];

    pub fn label_key(self) -> &'static str {
        match self {
            CardAction::Sessions => "card_action.sessions",
            CardAction::Expiry => "card_action.expiry",
            CardAction::Payment => "card_action.payment",
            CardAction::Cancel => "card_action.cancel",
            CardAction::Refund => "card_action.refund",
        }
    }

    pub fn hint_key(self) -> &'static str {
        match self {
            CardAction::Sessions => "card_action.hint_sessions",
            CardAction::Expiry => "card_action.hint_expiry",
            CardAction::Payment => "card_action.hint_payment",
            CardAction::Cancel => "card_action.hint_cancel",
            CardAction::Refund => "card_action.hint_refund",
        }
    }
}

/// Changing a sold card.
#[derive(Debug)]
pub struct CardDialog {
    pub card: Card,
    pub action: usize,
    pub value: Input,
    pub reason: Input,
    /// 0: the action list, 1: the value, 2: the reason.
    pub focus: usize,
    pub error: Option<String>,
}

#[derive(Debug)]
pub enum ProfileDialog {
    Sale(SaleDialog),
    Card(CardDialog),
    /// Confirmation before erasing the member's personal details: Enter erases.
    Erase,
}

/// The result of Enter in a dialog.
pub enum DialogOutcome {
    /// Keep the dialog open (an error is shown in it).
    Open,
    /// Done: close the dialog, reload the profile, and show this notice.
    Done(String),
}

impl ProfileDialog {
    pub fn sale(types: Vec<CardType>) -> ProfileDialog {
        ProfileDialog::Sale(SaleDialog {
            types,
            selected: 0,
            payments: Input::default(),
            focus: 0,
            error: None,
        })
    }

    pub fn card(card: Card) -> ProfileDialog {
        ProfileDialog::Card(CardDialog {
            card,
            action: 0,
            value: Input::default(),
            reason: Input::default(),
            focus: 0,
            error: None,
        })
    }

    fn focused_input(&mut self) -> Option<&mut Input> {
        match self {
            ProfileDialog::Sale(dialog) => (dialog.focus == 1).then_some(&mut dialog.payments),
            ProfileDialog::Card(dialog) => match dialog.focus {
                1 => Some(&mut dialog.value),
                2 => Some(&mut dialog.reason),
                _ => None,
            },
            ProfileDialog::Erase => None,
        }
    }

    pub fn insert(&mut self, c: char) {
        if let Some(input) = self.focused_input() {
            input.handle(InputRequest::InsertChar(c));
        }
    }

    pub fn delete_back(&mut self) {
        if let Some(input) = self.focused_input() {
            input.handle(InputRequest::DeletePrevChar);
        }
    }

    pub fn tab(&mut self, forward: bool) {
        let (focus, fields) = match self {
            ProfileDialog::Sale(dialog) => (&mut dialog.focus, 2),
            ProfileDialog::Card(dialog) => (&mut dialog.focus, 3),
            ProfileDialog::Erase => return,
        };
        *focus = if forward {
            (*focus + 1) % fields
        } else {
            (*focus + fields - 1) % fields
        };
    }

    pub fn navigate(&mut self, key: NavKey) {
        match self {
            ProfileDialog::Sale(dialog) if dialog.focus == 0 => {
                dialog.selected = moved(dialog.selected, dialog.types.len(), key)
            }
            ProfileDialog::Card(dialog) if dialog.focus == 0 => {
                dialog.action = moved(dialog.action, CardAction::ALL.len(), key)
            }
            _ => {
                if let Some(input) = self.focused_input() {
                    edit_cursor(input, key);
                }
            }
        }
    }

    /// Enter: sells the card or applies the change, or reports why not.
    pub fn submit(
        &mut self,
        member: &Member,
        context: &ScreenContext,
    ) -> Result<DialogOutcome, StoreError> {
        match self {
            ProfileDialog::Sale(dialog) => dialog.submit(member, context),
            ProfileDialog::Card(dialog) => dialog.submit(context),
            ProfileDialog::Erase => {
                let erased = context.store.erase_member(member.id, &context.write)?;
                Ok(DialogOutcome::Done(
                    context
                        .catalog
                        .tf("data.erase_done", &[("label", &erased.full_name())]),
                ))
            }
        }
    }
}

impl SaleDialog {
    fn submit(
        &mut self,
        member: &Member,
        context: &ScreenContext,
    ) -> Result<DialogOutcome, StoreError> {
        let catalog = context.catalog;
        let Some(card_type) = self.types.get(self.selected) else {
            self.error = Some(catalog.t("sale_dialog.no_type").to_owned());
            return Ok(DialogOutcome::Open);
        };
        let mut lines = Vec::new();
        for part in self
            .payments
            .value()
            .split('+')
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            match parse_payment(part) {
                Ok(line) => lines.push(line),
                Err(error) => {
                    self.error = Some(messages::payment_arg_error(catalog, &error));
                    self.focus = 1;
                    return Ok(DialogOutcome::Open);
                }
            }
        }
        let sold = context.store.sell_card_with_payments(
            member.id,
            card_type.id,
            context.today,
            &lines,
            &context.write,
        )?;
        match sold {
            // A free card records no payment line.
            Ok(sale) if sale.payments.is_empty() => Ok(DialogOutcome::Done(
                catalog.tf("sale_dialog.sold_free", &[("card", &sale.card.name)]),
            )),
            Ok(sale) => Ok(DialogOutcome::Done(catalog.tf(
                "sale_dialog.sold",
                &[
                    ("card", &sale.card.name),
                    (
                        "payments",
                        &messages::payment_lines(catalog, &sale.payments),
                    ),
                ],
            ))),
            Err(refusal) => {
                self.error = Some(messages::sale_refusal(catalog, &refusal));
                Ok(DialogOutcome::Open)
            }
        }
    }
}

impl CardDialog {
    pub fn current(&self) -> CardAction {
        CardAction::ALL[self.action.min(CardAction::ALL.len() - 1)]
    }

    fn submit(&mut self, context: &ScreenContext) -> Result<DialogOutcome, StoreError> {
        let catalog = context.catalog;
        let store = context.store;
        let value = self.value.value().trim().to_owned();
        let reason = self.reason.value().to_owned();
        let card_id = self.card.id;
        let invalid = |dialog: &mut CardDialog, key: &str| {
            dialog.error = Some(catalog.tf(key, &[("text", &value)]));
            dialog.focus = 1;
            Ok(DialogOutcome::Open)
        };
        let payment = |text: &str| -> Result<PaymentInput, String> {
            parse_payment(text).map_err(|error| messages::payment_arg_error(catalog, &error))
        };

        let outcome = match self.current() {
            CardAction::Sessions => {
                let Ok(delta) = value.trim_start_matches('+').parse::<i32>() else {
                    return invalid(self, "card_action.error_sessions");
                };
                store
                    .adjust_sessions(card_id, delta, &reason, &context.write)?
                    .map(|_| ())
            }
            CardAction::Expiry => {
                let no_expiry = matches!(
                    crate::domain::pricing::fold(&value).as_str(),
                    "" | "none" | "aucune" | "sans"
                );
                let date = if no_expiry {
                    None
                } else {
                    match parse_date(&value, DateOrder::DayFirst) {
                        Ok(date) => Some(date),
                        Err(_) => return invalid(self, "card_action.error_date"),
                    }
                };
                store
                    .change_expiry(card_id, date, &reason, &context.write)?
                    .map(|_| ())
            }
            CardAction::Payment | CardAction::Refund => {
                let line = match payment(&value) {
                    Ok(line) => line,
                    Err(message) => {
                        self.error = Some(message);
                        self.focus = 1;
                        return Ok(DialogOutcome::Open);
                    }
                };
                let Some(amount) = line.amount_cents else {
                    return invalid(self, "card_action.error_amount");
                };
                if self.current() == CardAction::Payment {
                    store
                        .record_payment(card_id, line.method, amount, &context.write)?
                        .map(|_| ())
                } else {
                    store
                        .refund(card_id, line.method, amount, &reason, &context.write)?
                        .map(|_| ())
                }
            }
            CardAction::Cancel => store
                .cancel_sale(card_id, &reason, context.today, &context.write)?
                .map(|_| ()),
        };
        match outcome {
            Ok(()) => {
                tracing::info!(card = card_id.0, action = ?self.current(), "card changed");
                Ok(DialogOutcome::Done(
                    catalog.tf("card_action.done", &[("card", &self.card.name)]),
                ))
            }
            Err(refusal) => {
                self.error = Some(messages::sale_refusal(catalog, &refusal));
                Ok(DialogOutcome::Open)
            }
        }
    }
}
