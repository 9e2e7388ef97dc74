//! `carnet export`: members, card types, cards, the ledger and payments as CSV or JSON, on
//! standard output or into a file, with stable English column names and ISO dates for scripts
//! and spreadsheets. `carnet export all` is in `export_all`.

use super::Format;
use crate::domain::card::CardState;
use crate::domain::card_type::Validity;
use crate::domain::ledger::EventKind;
use crate::domain::member::Category;
use crate::store::{Store, StoreError};
use clap::ValueEnum;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    Members,
    CardTypes,
    Cards,
    Ledger,
    /// Payment lines and refunds, one row per ledger event that moved money.
    Payments,
    /// Everything, into a folder that `carnet import-all` reads back.
    All,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ExportError {
    pub fn is_broken_pipe(&self) -> bool {
        let io = match self {
            ExportError::Io(error) => Some(error),
            ExportError::Csv(error) => match error.kind() {
                csv::ErrorKind::Io(error) => Some(error),
                _ => None,
            },
            ExportError::Json(error) => {
                return error.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe);
            }
            ExportError::Store(_) => None,
        };
        io.is_some_and(|error| error.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

#[derive(Serialize)]
pub(crate) struct MemberRow {
    id: u64,
    code: String,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    birth_date: Option<String>,
    category: String,
    notes: String,
    created_at: String,
    archived: bool,
    last_visit: Option<String>,
}

#[derive(Serialize)]
struct CardTypeRow {
    id: u64,
    name: String,
    price_cents: i64,
    sessions: u32,
    validity: String,
    audience: String,
    activities: String,
    archived: bool,
}

#[derive(Serialize)]
pub(crate) struct CardRow {
    id: u64,
    member_id: u64,
    type_id: u64,
    name: String,
    price_cents: i64,
    sessions_total: u32,
    sessions_remaining: u32,
    sold_on: String,
    expires_on: Option<String>,
    state: &'static str,
}

#[derive(Serialize)]
pub(crate) struct LedgerRow {
    id: u64,
    at: String,
    operator: String,
    terminal: String,
    card_id: u64,
    member_id: u64,
    kind: &'static str,
    session_delta: i64,
    amount_cents: Option<i64>,
    activity_id: Option<u64>,
    reverted_event: Option<u64>,
    expiry_from: Option<String>,
    expiry_to: Option<String>,
    reason: Option<String>,
    /// Code of the payment method of a `paid` or `refunded` row, such as `cheque` or `due`.
    payment_method: Option<&'static str>,
}

/// A payment line, a refund, or the refund of a cancelled sale.
#[derive(Serialize)]
pub(crate) struct PaymentRow {
    event_id: u64,
    at: String,
    member_id: u64,
    card_id: u64,
    /// `payment` for money received or owed (method `due`), `refund` for money given back.
    kind: &'static str,
    method: Option<&'static str>,
    amount_cents: i64,
    reason: Option<String>,
    operator: String,
}

/// Writes one kind of record; [`ExportKind::All`] is written by `export_all` instead and
/// gives an empty output here.
pub fn write(
    store: &Store,
    kind: ExportKind,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    match kind {
        ExportKind::All => Ok(()),
        ExportKind::Payments => {
            let rows = store
                .ledger()
                .filter_map(|event| event.map(payment_row).transpose());
            emit(rows, format, out)
        }
        ExportKind::Members => {
            let rows = store.members().map(|member| member.map(member_row));
            emit(rows, format, out)
        }
        ExportKind::CardTypes => {
            let rows = store
                .card_types()?
                .into_iter()
                .map(|card_type| Ok(card_type_row(card_type)));
            emit(rows, format, out)
        }
        ExportKind::Cards => {
            let rows = store.cards().map(|card| card.map(card_row));
            emit(rows, format, out)
        }
        ExportKind::Ledger => {
            let rows = store.ledger().map(|event| event.map(ledger_row));
            emit(rows, format, out)
        }
    }
}

/// Streams rows as CSV with a header line, or as one JSON array.
pub(crate) fn emit<T: Serialize>(
    rows: impl Iterator<Item = Result<T, StoreError>>,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            for row in rows {
                writer.serialize(row?)?;
            }
            writer.flush()?;
        }
        Format::Json => {
            out.write_all(b"[")?;
            for (index, row) in rows.enumerate() {
                if index > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(b"\n")?;
                serde_json::to_writer(&mut *out, &row?)?;
            }
            out.write_all(b"\n]\n")?;
        }
    }
    Ok(())
}

pub(crate) fn member_row(member: crate::domain::Member) -> MemberRow {
    MemberRow {
        id: member.id.0,
        code: member.code.to_string(),
        first_name: member.first_name,
        last_name: member.last_name,
        email: member.email,
        phone: member.phone,
        birth_date: member.birth_date.map(|date| date.to_string()),
        category: match member.category {
            Category::Adult => "adult".to_owned(),
            Category::Child => "child".to_owned(),
            Category::Other(label) => label,
        },
        notes: member.notes,
        created_at: member.created_at.to_rfc3339(),
        archived: member.archived,
        last_visit: member.last_visit.map(|at| at.to_rfc3339()),
    }
}

fn card_type_row(card_type: crate::domain::CardType) -> CardTypeRow {
    CardTypeRow {
        id: card_type.id.0,
        name: card_type.name,
        price_cents: card_type.price_cents,
        sessions: card_type.sessions,
        validity: match card_type.validity {
            Validity::None => "none".to_owned(),
            Validity::Days(days) => format!("{days} days"),
            Validity::Months(months) => format!("{months} months"),
            Validity::Until(date) => format!("until {date}"),
        },
        audience: card_type.audience,
        activities: card_type
            .activities
            .iter()
            .map(|id| id.0.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        archived: card_type.archived,
    }
}

pub(crate) fn card_row(card: crate::domain::Card) -> CardRow {
    CardRow {
        id: card.id.0,
        member_id: card.member_id.0,
        type_id: card.type_id.0,
        name: card.name,
        price_cents: card.price_cents,
        sessions_total: card.sessions_total,
        sessions_remaining: card.sessions_remaining,
        sold_on: card.sold_on.to_string(),
        expires_on: card.expires_on.map(|date| date.to_string()),
        state: match card.state {
            CardState::Open => "open",
            CardState::Cancelled => "cancelled",
            CardState::Refunded => "refunded",
        },
    }
}

pub(crate) fn ledger_row(event: crate::domain::LedgerEvent) -> LedgerRow {
    let session_delta = event.session_delta();
    let mut row = LedgerRow {
        id: event.id.0,
        at: event.at.to_rfc3339(),
        operator: event.operator,
        terminal: event.terminal,
        card_id: event.card_id.0,
        member_id: event.member_id.0,
        kind: "",
        session_delta,
        amount_cents: None,
        activity_id: None,
        reverted_event: None,
        expiry_from: None,
        expiry_to: None,
        reason: None,
        payment_method: None,
    };
    match event.kind {
        EventKind::CardSold { price_cents, .. } => {
            row.kind = "card_sold";
            row.amount_cents = Some(price_cents);
        }
        EventKind::SessionUsed { activity, .. } => {
            row.kind = "session_used";
            row.activity_id = activity.map(|id| id.0);
        }
        EventKind::SessionReverted { reverted } => {
            row.kind = "session_reverted";
            row.reverted_event = Some(reverted.0);
        }
        EventKind::Adjusted { reason, .. } => {
            row.kind = "adjusted";
            row.reason = Some(reason);
        }
        EventKind::ExpiryChanged { from, to, reason } => {
            row.kind = "expiry_changed";
            row.expiry_from = from.map(|date| date.to_string());
            row.expiry_to = to.map(|date| date.to_string());
            row.reason = Some(reason);
        }
        EventKind::Cancelled {
            reason,
            refund_cents,
        } => {
            row.kind = "cancelled";
            row.amount_cents = Some(refund_cents);
            row.reason = Some(reason);
        }
        EventKind::Paid {
            method,
            amount_cents,
        } => {
            row.kind = "paid";
            row.amount_cents = Some(amount_cents);
            row.payment_method = Some(method.code());
        }
        EventKind::Refunded {
            method,
            amount_cents,
            reason,
        } => {
            row.kind = "refunded";
            row.amount_cents = Some(amount_cents);
            row.payment_method = Some(method.code());
            row.reason = Some(reason);
        }
        EventKind::Imported { price_cents, .. } => {
            row.kind = "imported";
            row.amount_cents = Some(price_cents);
        }
    }
    row
}

/// Returns the payment row of an event that moved money, `None` for any other event.
pub(crate) fn payment_row(event: crate::domain::LedgerEvent) -> Option<PaymentRow> {
    let (kind, method, amount_cents, reason) = match event.kind {
        EventKind::Paid {
            method,
            amount_cents,
        } => ("payment", Some(method.code()), amount_cents, None),
        EventKind::Refunded {
            method,
            amount_cents,
            reason,
        } => ("refund", Some(method.code()), amount_cents, Some(reason)),
        EventKind::Cancelled {
            reason,
            refund_cents,
        } if refund_cents != 0 => ("refund", None, refund_cents, Some(reason)),
        _ => return None,
    };
    Some(PaymentRow {
        event_id: event.id.0,
        at: event.at.to_rfc3339(),
        member_id: event.member_id.0,
        card_id: event.card_id.0,
        kind,
        method,
        amount_cents,
        reason,
        operator: event.operator,
    })
}
