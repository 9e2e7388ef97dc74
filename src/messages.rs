//! Outcomes and errors put into words, for the screen and the command line alike.

use crate::config::ConfigError;
use crate::desk::ScanResult;
use crate::domain::audit::{AuditAction, AuditChange, AuditEvent};
use crate::domain::card_type::{Activity, ActivityId, Validity};
use crate::domain::checkin::Refusal;
use crate::domain::input::{AmountError, DateError};
use crate::domain::ledger::{EventKind, LedgerEvent};
use crate::domain::member_form::{BirthDateError, MAX_NAME_CHARS, MemberErrors};
use crate::domain::pricing::{NameError, SessionsError, ValidityError};
use crate::domain::scan::LayoutMismatch;
use crate::i18n::Catalog;
use crate::store::{CheckInOutcome, PricingRefusal, StoreError};

pub fn refusal(catalog: &Catalog, refusal: &Refusal) -> String {
    match refusal {
        Refusal::UnknownCode { code } => catalog.tf("refusal.unknown_code", &[("code", code)]),
        Refusal::MisreadCode { code } => catalog.tf("refusal.misread_code", &[("code", code)]),
        Refusal::UnreadableScan => catalog.t("refusal.unreadable").to_owned(),
        Refusal::ArchivedMember => catalog.t("refusal.archived").to_owned(),
        Refusal::NoCard => catalog.t("refusal.no_card").to_owned(),
        Refusal::AllUsedUp => catalog.t("refusal.used_up").to_owned(),
        Refusal::Expired { on } => catalog.tf("refusal.expired", &[("date", &catalog.date(*on))]),
        Refusal::NoCardForActivity => catalog.t("refusal.no_card_for_activity").to_owned(),
    }
}

pub fn layout_hint(catalog: &Catalog, layout: LayoutMismatch) -> String {
    let layout_name = match layout {
        LayoutMismatch::FrenchAzerty => catalog.t("layout.french_azerty"),
        LayoutMismatch::BelgianAzerty => catalog.t("layout.belgian_azerty"),
        LayoutMismatch::UsShifted => catalog.t("layout.us_shifted"),
    };
    catalog.tf("layout.hint", &[("layout", &layout_name)])
}

/// Formats a scan result as one line per fact, for `carnet checkin` and the screen.
pub fn scan_result_lines(
    catalog: &Catalog,
    result: &ScanResult,
    zone: chrono_tz::Tz,
) -> Vec<String> {
    let mut lines = Vec::new();
    match &result.outcome {
        CheckInOutcome::Accepted { member, card, .. } => {
            lines.push(format!(
                "{} {}",
                catalog.t("result.accepted_symbol"),
                catalog.t("result.accepted")
            ));
            lines.push(member.full_name());
            lines.push(catalog.tf(
                "result.sessions_left",
                &[
                    ("card", &card.name),
                    ("left", &card.sessions_remaining),
                    ("total", &card.sessions_total),
                ],
            ));
            lines.push(expiry_line(catalog, card.expires_on));
        }
        CheckInOutcome::AlreadyCheckedIn { member, at } => {
            lines.push(format!(
                "{} {}",
                catalog.t("result.warning_symbol"),
                catalog.t("result.already")
            ));
            lines.push(member.full_name());
            let time = catalog.time(&at.with_timezone(&zone));
            lines.push(catalog.tf("result.already_detail", &[("time", &time)]));
        }
        CheckInOutcome::Refused {
            member,
            refusal: reason,
        } => {
            lines.push(format!(
                "{} {}",
                catalog.t("result.refused_symbol"),
                catalog.t("result.refused")
            ));
            if let Some(member) = member {
                lines.push(member.full_name());
            }
            lines.push(refusal(catalog, reason));
        }
    }
    if let Some(layout) = result.layout {
        lines.push(layout_hint(catalog, layout));
    }
    lines
}

pub fn expiry_line(catalog: &Catalog, expires_on: Option<chrono::NaiveDate>) -> String {
    match expires_on {
        Some(date) => catalog.tf("result.expires", &[("date", &catalog.date(date))]),
        None => catalog.t("result.no_expiry").to_owned(),
    }
}

/// Describes a failed read or write of `path`, with a message of its own for a full disk.
pub fn io_error(catalog: &Catalog, path: &std::path::Path, source: &std::io::Error) -> String {
    if is_disk_full(source) {
        catalog.tf("error.disk_full", &[("path", &path.display())])
    } else {
        catalog.tf("error.io", &[("path", &path.display()), ("detail", source)])
    }
}

/// Tells whether `source` reports a full disk. sled 0.34 passes some of its I/O errors on as
/// the text of the original error, so the kind is also looked for in that text.
pub(crate) fn is_disk_full(source: &std::io::Error) -> bool {
    source.kind() == std::io::ErrorKind::StorageFull || source.to_string().contains("StorageFull")
}

pub fn store_error(catalog: &Catalog, error: &StoreError) -> String {
    match error {
        StoreError::InUse { path } => catalog.tf("error.in_use", &[("path", &path.display())]),
        StoreError::Corrupted { path, detail } => catalog.tf(
            "error.corrupted",
            &[("path", &path.display()), ("detail", detail)],
        ),
        StoreError::Foreign { path } => catalog.tf("error.foreign", &[("path", &path.display())]),
        StoreError::Missing { path } => catalog.tf("error.missing", &[("path", &path.display())]),
        StoreError::TooNew {
            path,
            found,
            supported,
        } => catalog.tf(
            "error.too_new",
            &[
                ("path", &path.display()),
                ("found", found),
                ("supported", supported),
            ],
        ),
        StoreError::Io { path, source } => io_error(catalog, path, source),
        StoreError::Record { tree, key, source } => catalog.tf(
            "error.record",
            &[("tree", tree), ("key", key), ("detail", source)],
        ),
        StoreError::NotFound { what } => catalog.tf("error.not_found", &[("what", what)]),
        StoreError::NoSessionLeft => catalog.t("refusal.used_up").to_owned(),
        StoreError::NothingToUndo => catalog.t("desk.nothing_to_undo").to_owned(),
    }
}

pub fn email_error(catalog: &Catalog, error: &crate::session_cards::EmailError) -> String {
    use crate::session_cards::EmailError;
    match error {
        EmailError::Template { path, source } => catalog.tf(
            "inform.error_template",
            &[("path", &path.display()), ("detail", source)],
        ),
        EmailError::NoSubject { path } => {
            catalog.tf("inform.error_no_subject", &[("path", &path.display())])
        }
        EmailError::NoSender => catalog.t("inform.error_no_sender").to_owned(),
        EmailError::BadSender { address } => {
            catalog.tf("inform.error_bad_sender", &[("address", address)])
        }
        EmailError::Write { path, source } => {
            catalog.tf("error.io", &[("path", &path.display()), ("detail", source)])
        }
    }
}

pub fn config_error(catalog: &Catalog, error: &ConfigError) -> String {
    match error {
        ConfigError::Read { path, source } => catalog.tf(
            "error.config_read",
            &[("path", &path.display()), ("detail", source)],
        ),
        ConfigError::Invalid { path, detail } => catalog.tf(
            "error.config_invalid",
            &[("path", &path.display()), ("detail", detail)],
        ),
        ConfigError::BadValue {
            path,
            key,
            value,
            expected,
        } => catalog.tf(
            "error.config_value",
            &[
                ("path", &path.display()),
                ("key", key),
                ("value", value),
                ("expected", &catalog.t(expected.key())),
            ],
        ),
        ConfigError::NoDataFolder => catalog.t("error.no_data_folder").to_owned(),
    }
}

pub fn pricing_refusal(catalog: &Catalog, refusal: &PricingRefusal) -> String {
    match refusal {
        PricingRefusal::NameTaken { name } => catalog.tf("pricing.name_taken", &[("name", name)]),
        PricingRefusal::CardTypeSold { name, sold } => {
            catalog.tf("pricing.type_sold", &[("name", name), ("sold", sold)])
        }
        PricingRefusal::ActivityInUse { name } => {
            catalog.tf("pricing.activity_in_use", &[("name", name)])
        }
    }
}

/// Formats a validity in words: "12 months", "until 30/06/2027", "no expiry".
pub fn validity_words(catalog: &Catalog, validity: Validity) -> String {
    match validity {
        Validity::None => catalog.t("validity.none").to_owned(),
        Validity::Days(days) => catalog.tf("validity.days", &[("count", &days)]),
        Validity::Months(months) => catalog.tf("validity.months", &[("count", &months)]),
        Validity::Until(date) => catalog.tf("validity.until", &[("date", &catalog.date(date))]),
    }
}

/// Formats a validity for the form field, in a form the parser reads back.
pub fn validity_for_input(catalog: &Catalog, validity: Validity) -> String {
    match validity {
        Validity::None => catalog.t("validity.input_none").to_owned(),
        Validity::Days(days) => catalog.tf("validity.input_days", &[("count", &days)]),
        Validity::Months(months) => catalog.tf("validity.input_months", &[("count", &months)]),
        Validity::Until(date) => catalog.date(date),
    }
}

/// Formats an amount for the form field: `85,00` or `85.00`, without currency.
pub fn money_for_input(catalog: &Catalog, cents: i64) -> String {
    let separator = match catalog.language {
        crate::i18n::Language::Fr => ',',
        crate::i18n::Language::En => '.',
    };
    format!("{}{separator}{:02}", cents / 100, (cents % 100).abs())
}

pub fn name_error(catalog: &Catalog, error: &NameError) -> String {
    match error {
        NameError::Missing => catalog.t("pricing.error_name_missing").to_owned(),
        NameError::Taken { other } => catalog.tf("pricing.name_taken", &[("name", other)]),
    }
}

pub fn amount_error(catalog: &Catalog, error: &AmountError) -> String {
    let text = error.text();
    match error {
        AmountError::Empty(_) => catalog.t("amount.empty").to_owned(),
        AmountError::Negative(_) => catalog.tf("amount.negative", &[("text", &text)]),
        AmountError::TooManyDecimals(_) => catalog.tf("amount.decimals", &[("text", &text)]),
        AmountError::Ambiguous(_) => catalog.tf("amount.ambiguous", &[("text", &text)]),
        AmountError::Overflow(_) => catalog.tf("amount.too_large", &[("text", &text)]),
        AmountError::UnexpectedCharacter { character, .. } => catalog.tf(
            "amount.character",
            &[("text", &text), ("character", character)],
        ),
        AmountError::Malformed(_) => catalog.tf("amount.malformed", &[("text", &text)]),
    }
}

pub fn sessions_error(catalog: &Catalog, error: &SessionsError) -> String {
    match error {
        SessionsError::Missing => catalog.t("pricing.error_sessions_missing").to_owned(),
        SessionsError::NotANumber { text } => {
            catalog.tf("pricing.error_sessions_number", &[("text", text)])
        }
        SessionsError::OutOfRange { text } => {
            catalog.tf("pricing.error_sessions_range", &[("text", text)])
        }
    }
}

pub fn validity_error(catalog: &Catalog, error: &ValidityError) -> String {
    match error {
        ValidityError::Unreadable { text } => {
            catalog.tf("pricing.error_validity_unreadable", &[("text", text)])
        }
        ValidityError::OutOfRange { text } => {
            catalog.tf("pricing.error_validity_range", &[("text", text)])
        }
        ValidityError::InThePast { date } => catalog.tf(
            "pricing.error_validity_past",
            &[("date", &catalog.date(*date))],
        ),
    }
}

/// Formats one line of the change history: when, who, what, and the fields that changed.
pub fn audit_line(
    catalog: &Catalog,
    event: &AuditEvent,
    zone: chrono_tz::Tz,
    activities: &[Activity],
) -> String {
    let local = event.at.with_timezone(&zone);
    let when = format!(
        "{} {}",
        catalog.date(local.date_naive()),
        catalog.time(&local)
    );
    let action = match event.action {
        AuditAction::Created => catalog.t("audit.created"),
        AuditAction::Updated => catalog.t("audit.updated"),
        AuditAction::Archived => catalog.t("audit.archived"),
        AuditAction::Restored => catalog.t("audit.restored"),
        AuditAction::Deleted => catalog.t("audit.deleted"),
    };
    let kind = match event.change {
        AuditChange::CardType { .. } => catalog.t("audit.card_type"),
        AuditChange::Activity { .. } => catalog.t("audit.activity"),
        AuditChange::MemberErased { .. } => catalog.t("data.audit_member"),
    };
    let who = format!("{}@{}", event.operator, event.terminal);
    let mut line = catalog.tf(
        "audit.line",
        &[
            ("when", &when),
            ("who", &who),
            ("action", &action),
            ("kind", &kind),
            ("name", &event.subject_name()),
        ],
    );
    let changes = audit_changes(catalog, &event.change, activities);
    if !changes.is_empty() {
        line.push_str(" · ");
        line.push_str(&changes.join(" · "));
    }
    line
}

/// "field: before → after" for each field an update changed.
fn audit_changes(catalog: &Catalog, change: &AuditChange, activities: &[Activity]) -> Vec<String> {
    let names = |ids: &[ActivityId]| -> String {
        if ids.is_empty() {
            return catalog.t("pricing.all_activities").to_owned();
        }
        ids.iter()
            .map(|id| {
                activities
                    .iter()
                    .find(|a| a.id == *id)
                    .map_or_else(|| format!("#{}", id.0), |a| a.name.clone())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut changes = Vec::new();
    let mut compare = |key: &str, before: String, after: String| {
        if before != after {
            changes.push(catalog.tf(
                "audit.change",
                &[
                    ("field", &catalog.t(key)),
                    ("before", &before),
                    ("after", &after),
                ],
            ));
        }
    };
    match change {
        AuditChange::CardType {
            before: Some(before),
            after: Some(after),
            ..
        } => {
            compare(
                "pricing.field_name",
                before.name.clone(),
                after.name.clone(),
            );
            compare(
                "pricing.field_price",
                catalog.money(before.price_cents),
                catalog.money(after.price_cents),
            );
            compare(
                "pricing.field_sessions",
                before.sessions.to_string(),
                after.sessions.to_string(),
            );
            compare(
                "pricing.field_validity",
                validity_words(catalog, before.validity),
                validity_words(catalog, after.validity),
            );
            compare(
                "pricing.field_audience",
                before.audience.clone(),
                after.audience.clone(),
            );
            compare(
                "pricing.field_activities",
                names(&before.activities),
                names(&after.activities),
            );
        }
        AuditChange::Activity {
            before: Some(before),
            after: Some(after),
            ..
        } => {
            compare(
                "pricing.field_name",
                before.name.clone(),
                after.name.clone(),
            );
        }
        _ => {}
    }
    changes
}

/// Formats one ledger event for a card's history or a member's attendance.
pub fn ledger_line(
    catalog: &Catalog,
    event: &LedgerEvent,
    zone: chrono_tz::Tz,
    activities: &[Activity],
) -> String {
    let local = event.at.with_timezone(&zone);
    let when = format!(
        "{} {}",
        catalog.date(local.date_naive()),
        catalog.time(&local)
    );
    let what = match &event.kind {
        EventKind::CardSold {
            sessions,
            price_cents,
        } => catalog.tf(
            "ledger.sold",
            &[
                ("sessions", sessions),
                ("price", &catalog.money(*price_cents)),
            ],
        ),
        EventKind::SessionUsed {
            activity,
            remaining_after,
        } => {
            let activity = activity
                .and_then(|id| activities.iter().find(|a| a.id == id))
                .map_or_else(
                    || catalog.t("pricing.all_activities").to_owned(),
                    |a| a.name.clone(),
                );
            catalog.tf(
                "ledger.used",
                &[("activity", &activity), ("left", remaining_after)],
            )
        }
        EventKind::SessionReverted { reverted } => {
            catalog.tf("ledger.reverted", &[("event", &reverted.0)])
        }
        EventKind::Adjusted { delta, reason } => catalog.tf(
            "ledger.adjusted",
            &[("delta", &format!("{delta:+}")), ("reason", reason)],
        ),
        EventKind::ExpiryChanged { from, to, reason } => {
            let date = |date: &Option<chrono::NaiveDate>| {
                date.map_or_else(
                    || catalog.t("validity.none").to_owned(),
                    |d| catalog.date(d),
                )
            };
            catalog.tf(
                "ledger.expiry",
                &[("from", &date(from)), ("to", &date(to)), ("reason", reason)],
            )
        }
        EventKind::Cancelled {
            reason,
            refund_cents,
        } => catalog.tf(
            "ledger.cancelled",
            &[
                ("refund", &catalog.money(*refund_cents)),
                ("reason", reason),
            ],
        ),
        EventKind::Paid {
            method,
            amount_cents,
        } => catalog.tf(
            "ledger.paid",
            &[
                ("amount", &catalog.money(*amount_cents)),
                ("method", &payment_method(catalog, *method)),
            ],
        ),
        EventKind::Refunded {
            method,
            amount_cents,
            reason,
        } => catalog.tf(
            "ledger.refunded",
            &[
                ("amount", &catalog.money(*amount_cents)),
                ("method", &payment_method(catalog, *method)),
                ("reason", reason),
            ],
        ),
        EventKind::Imported {
            sessions,
            price_cents,
        } => catalog.tf(
            "import.ledger_imported",
            &[
                ("sessions", sessions),
                ("price", &catalog.money(*price_cents)),
            ],
        ),
    };
    format!("{when} · {what} · {}@{}", event.operator, event.terminal)
}

/// Returns the error of each member form field in words, in field order.
/// The error of each member form field, in the form's order.
pub fn member_errors(catalog: &Catalog, errors: &MemberErrors) -> [Option<String>; 8] {
    let name = |missing: bool, too_long: bool| {
        if missing {
            Some(catalog.t("members.error_required").to_owned())
        } else {
            too_long.then(|| catalog.tf("members.error_too_long", &[("max", &MAX_NAME_CHARS)]))
        }
    };
    [
        name(errors.first_name_missing, errors.first_name_too_long),
        name(errors.last_name_missing, errors.last_name_too_long),
        errors
            .email
            .as_ref()
            .map(|e| catalog.tf("members.error_email", &[("text", &e.text())])),
        errors
            .phone
            .as_ref()
            .map(|e| catalog.tf("members.error_phone", &[("text", &e.text())])),
        errors.birth_date.as_ref().map(|e| match e {
            BirthDateError::Unreadable(DateError::TwoDigitYear(text)) => {
                catalog.tf("members.error_two_digit_year", &[("text", text)])
            }
            BirthDateError::Unreadable(error) => {
                catalog.tf("members.error_birth_date", &[("text", &error.text())])
            }
            BirthDateError::InTheFuture { date } => catalog.tf(
                "members.error_birth_future",
                &[("date", &catalog.date(*date))],
            ),
        }),
        None,
        errors
            .language
            .as_ref()
            .map(|text| catalog.tf("members.error_language", &[("text", text)])),
        None,
    ]
}

/// Names a member category in the user's language; club labels stay as written.
pub fn category_label(catalog: &Catalog, category: &crate::domain::Category) -> String {
    match category {
        crate::domain::Category::Adult => catalog.t("members.category_adult").to_owned(),
        crate::domain::Category::Child => catalog.t("members.category_child").to_owned(),
        crate::domain::Category::Other(label) => label.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Sales, payments and card changes
// ---------------------------------------------------------------------------------------------

/// Names a payment method in the user's language.
pub fn payment_method(catalog: &Catalog, method: crate::domain::sale::PaymentMethod) -> String {
    use crate::domain::sale::PaymentMethod;
    let key = match method {
        PaymentMethod::Cash => "payment.cash",
        PaymentMethod::Cheque => "payment.cheque",
        PaymentMethod::Card => "payment.card",
        PaymentMethod::Transfer => "payment.transfer",
        PaymentMethod::Ancv => "payment.ancv",
        PaymentMethod::CouponSport => "payment.coupon_sport",
        PaymentMethod::PassSport => "payment.pass_sport",
        PaymentMethod::Other => "payment.other",
        PaymentMethod::Due => "payment.due",
    };
    catalog.t(key).to_owned()
}

/// Formats payment lines on one line: "cash 60,00 € · cheque 60,00 €".
pub fn payment_lines(catalog: &Catalog, payments: &[crate::domain::sale::Payment]) -> String {
    payments
        .iter()
        .map(|payment| {
            catalog.tf(
                "payment.line",
                &[
                    ("method", &payment_method(catalog, payment.method)),
                    ("amount", &catalog.money(payment.amount_cents)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Names a card state in the user's language.
pub fn card_state(catalog: &Catalog, state: crate::domain::card::CardState) -> String {
    use crate::domain::card::CardState;
    let key = match state {
        CardState::Open => "sale.state_open",
        CardState::Cancelled => "sale.state_cancelled",
        CardState::Refunded => "sale.state_refunded",
    };
    catalog.t(key).to_owned()
}

pub fn payment_arg_error(
    catalog: &Catalog,
    error: &crate::domain::sale::PaymentArgError,
) -> String {
    use crate::domain::sale::{PaymentArgError, PaymentMethod};
    match error {
        PaymentArgError::UnknownMethod { text } => {
            let methods = PaymentMethod::ALL
                .iter()
                .map(|method| method.code())
                .collect::<Vec<_>>()
                .join(", ");
            catalog.tf(
                "payment.unknown_method",
                &[("text", text), ("methods", &methods)],
            )
        }
        PaymentArgError::Amount { text, error } => catalog.tf(
            "payment.invalid_amount",
            &[("text", text), ("detail", &amount_error(catalog, error))],
        ),
    }
}

pub fn payments_error(catalog: &Catalog, error: &crate::domain::sale::PaymentsError) -> String {
    use crate::domain::sale::PaymentsError;
    match error {
        PaymentsError::Missing { price_cents } => catalog.tf(
            "payment.missing",
            &[("price", &catalog.money(*price_cents))],
        ),
        PaymentsError::Negative {
            method,
            amount_cents,
        } => catalog.tf(
            "payment.negative",
            &[
                ("method", &payment_method(catalog, *method)),
                ("amount", &catalog.money(*amount_cents)),
            ],
        ),
        PaymentsError::AmountOmitted { method, lines } => catalog.tf(
            "payment.amount_omitted",
            &[
                ("method", &payment_method(catalog, *method)),
                ("lines", lines),
            ],
        ),
        PaymentsError::TotalMismatch {
            given_cents,
            price_cents,
        } => catalog.tf(
            "payment.total_mismatch",
            &[
                ("given", &catalog.money(*given_cents)),
                ("price", &catalog.money(*price_cents)),
                (
                    "difference",
                    &catalog.money((price_cents - given_cents).abs()),
                ),
            ],
        ),
    }
}

pub fn sale_refusal(catalog: &Catalog, refusal: &crate::domain::sale::SaleRefusal) -> String {
    use crate::domain::sale::SaleRefusal;
    let money = |cents: &i64| catalog.money(*cents);
    match refusal {
        SaleRefusal::ArchivedMember { name } => {
            catalog.tf("sale.archived_member", &[("name", name)])
        }
        SaleRefusal::ArchivedCardType { name } => {
            catalog.tf("sale.archived_card_type", &[("name", name)])
        }
        SaleRefusal::Payments(error) => payments_error(catalog, error),
        SaleRefusal::ReasonMissing => catalog.t("sale.reason_missing").to_owned(),
        SaleRefusal::CardClosed { card, state } => catalog.tf(
            "sale.card_closed",
            &[("card", card), ("state", &card_state(catalog, *state))],
        ),
        SaleRefusal::DueIsNotMoney => catalog.t("sale.due_not_money").to_owned(),
        SaleRefusal::AmountNotPositive { amount_cents } => catalog.tf(
            "sale.amount_not_positive",
            &[("amount", &money(amount_cents))],
        ),
        SaleRefusal::NothingDue => catalog.t("sale.nothing_due").to_owned(),
        SaleRefusal::MoreThanDue {
            given_cents,
            due_cents,
        } => catalog.tf(
            "sale.more_than_due",
            &[("given", &money(given_cents)), ("due", &money(due_cents))],
        ),
        SaleRefusal::NotSaleDay { sold_on, today } => catalog.tf(
            "sale.not_sale_day",
            &[
                ("sold_on", &catalog.date(*sold_on)),
                ("today", &catalog.date(*today)),
            ],
        ),
        SaleRefusal::SessionsUsed { count } => {
            catalog.tf("sale.sessions_used", &[("count", count)])
        }
        SaleRefusal::RefundTooLarge {
            given_cents,
            refundable_cents,
        } => catalog.tf(
            "sale.refund_too_large",
            &[
                ("given", &money(given_cents)),
                ("refundable", &money(refundable_cents)),
            ],
        ),
        SaleRefusal::NoSessionChange => catalog.t("sale.no_session_change").to_owned(),
        SaleRefusal::BelowZero { remaining, delta } => catalog.tf(
            "sale.below_zero",
            &[("remaining", remaining), ("delta", &format!("{delta:+}"))],
        ),
        SaleRefusal::TooManySessions {
            remaining,
            delta,
            max,
        } => catalog.tf(
            "sale.too_many_sessions",
            &[
                ("remaining", remaining),
                ("delta", &format!("{delta:+}")),
                ("max", max),
            ],
        ),
        SaleRefusal::ExpiryUnchanged { expiry } => {
            let expiry = match expiry {
                Some(date) => catalog.date(*date),
                None => catalog.t("validity.none").to_owned(),
            };
            catalog.tf("sale.expiry_unchanged", &[("expiry", &expiry)])
        }
        SaleRefusal::ExpiryBeforeSale { expiry, sold_on } => catalog.tf(
            "sale.expiry_before_sale",
            &[
                ("expiry", &catalog.date(*expiry)),
                ("sold_on", &catalog.date(*sold_on)),
            ],
        ),
    }
}

pub fn write_cards_error(catalog: &Catalog, error: &crate::print::WriteCardsError) -> String {
    use crate::print::WriteCardsError;
    match error {
        WriteCardsError::Folder { path, source } => catalog.tf(
            "print.folder_failed",
            &[("path", &path.display()), ("detail", source)],
        ),
        WriteCardsError::Render { code, source } => {
            catalog.tf("print.render_failed", &[("code", code), ("detail", source)])
        }
        WriteCardsError::Pdf(source) => catalog.tf("print.pdf_failed", &[("detail", source)]),
        WriteCardsError::Write { path, source } => catalog.tf(
            "print.write_failed",
            &[("path", &path.display()), ("detail", source)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn full_disk_has_its_own_message() {
        let catalog = Catalog::new(Language::En);
        let path = std::path::Path::new("/srv/club");
        let full = std::io::Error::from_raw_os_error(28);
        assert!(io_error(&catalog, path, &full).contains("is full"));
        // As sled 0.34 passes it on: the original error's debug text in another error.
        let wrapped = std::io::Error::other(format!("{full:?}"));
        assert!(io_error(&catalog, path, &wrapped).contains("is full"));
        let denied = std::io::Error::from_raw_os_error(13);
        assert!(!io_error(&catalog, path, &denied).contains("is full"));
    }
}
