//! Outcomes and errors put into words, for the screen and the command line alike.

use crate::config::ConfigError;
use crate::desk::ScanResult;
use crate::domain::checkin::Refusal;
use crate::domain::scan::LayoutMismatch;
use crate::i18n::Catalog;
use crate::store::{CheckInOutcome, StoreError};

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

/// One line per fact of a scan result, for `carnet checkin` and logs read by people.
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

pub fn store_error(catalog: &Catalog, error: &StoreError) -> String {
    match error {
        StoreError::InUse { path } => catalog.tf("error.in_use", &[("path", &path.display())]),
        StoreError::Corrupted { path, detail } => catalog.tf(
            "error.corrupted",
            &[("path", &path.display()), ("detail", detail)],
        ),
        StoreError::Foreign { path } => catalog.tf("error.foreign", &[("path", &path.display())]),
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
        StoreError::Io { path, source } => {
            catalog.tf("error.io", &[("path", &path.display()), ("detail", source)])
        }
        StoreError::Record { tree, key, source } => catalog.tf(
            "error.record",
            &[("tree", tree), ("key", key), ("detail", source)],
        ),
        StoreError::NotFound { what } => catalog.tf("error.not_found", &[("what", what)]),
        StoreError::NoSessionLeft => catalog.t("refusal.used_up").to_owned(),
        StoreError::NothingToUndo => catalog.t("desk.nothing_to_undo").to_owned(),
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
                ("expected", expected),
            ],
        ),
        ConfigError::NoDataFolder => catalog.t("error.no_data_folder").to_owned(),
    }
}
