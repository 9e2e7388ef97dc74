//! Each report as tables of typed cells: what the screen's table view shows, and what CSV and
//! JSON exports write. Column ids are stable English; titles come from the catalog.

use super::{Names, Report, ReportKind};
use crate::i18n::Catalog;
use crate::messages::payment_method;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(i64),
    /// Cents.
    Money(i64),
    Decimal(f64),
    Percent(f64),
    Date(NaiveDate),
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Stable English id, such as `by_card_type`.
    pub id: &'static str,
    pub title: String,
    /// Each column's stable id and its title in the user's language.
    pub columns: Vec<(&'static str, String)>,
    pub rows: Vec<Vec<Cell>>,
    /// A stable English id for each row of a summary, whose labels are translated; empty
    /// for other tables.
    pub row_ids: Vec<String>,
}

impl Table {
    fn new(catalog: &Catalog, id: &'static str, columns: &[&'static str]) -> Table {
        Table {
            id,
            title: catalog.t(&format!("reports.table_{id}")).to_owned(),
            columns: columns
                .iter()
                .map(|column| {
                    (
                        *column,
                        catalog.t(&format!("reports.col_{column}")).to_owned(),
                    )
                })
                .collect(),
            rows: Vec::new(),
            row_ids: Vec::new(),
        }
    }

    /// A two-column table of labelled figures.
    fn summary(catalog: &Catalog, rows: Vec<(&str, Cell)>) -> Table {
        let mut table = Table::new(catalog, "summary", &["item", "value"]);
        for (key, value) in rows {
            let label = catalog.t(&format!("reports.item_{key}")).to_owned();
            table.rows.push(vec![Cell::Text(label), value]);
            table.row_ids.push(key.to_owned());
        }
        table
    }
}

pub fn tables(report: &Report, kind: ReportKind, names: &Names, catalog: &Catalog) -> Vec<Table> {
    match kind {
        ReportKind::Usage => usage_tables(report, names, catalog),
        ReportKind::Sales => sales_tables(report, names, catalog),
        ReportKind::Outstanding => outstanding_tables(report, names, catalog),
        ReportKind::CardLife => card_life_tables(report, names, catalog),
    }
}

fn count(value: u64) -> Cell {
    Cell::Count(value as i64)
}

fn usage_tables(report: &Report, names: &Names, catalog: &Catalog) -> Vec<Table> {
    let usage = &report.usage;
    let step = match usage.step {
        super::usage::Step::Day => "average_per_day",
        super::usage::Step::Week => "average_per_week",
        super::usage::Step::Month => "average_per_month",
    };
    let summary = Table::summary(
        catalog,
        vec![
            ("sessions_used", count(usage.sessions)),
            (step, Cell::Decimal(usage.average())),
            ("members_came", count(usage.members)),
            ("reverted_check_ins", count(usage.reverted)),
        ],
    );
    let mut over_time = Table::new(catalog, "over_time", &["from", "sessions"]);
    for (day, sessions) in &usage.buckets {
        over_time
            .rows
            .push(vec![Cell::Date(*day), count(*sessions)]);
    }
    let mut by_type = Table::new(catalog, "by_card_type", &["card_type", "sessions"]);
    for (type_id, sessions) in &usage.by_type {
        by_type.rows.push(vec![
            Cell::Text(names.card_type(*type_id)),
            count(*sessions),
        ]);
    }
    let mut by_activity = Table::new(catalog, "by_activity", &["activity", "sessions"]);
    for (activity, sessions) in &usage.by_activity {
        let name = names
            .activity(*activity)
            .unwrap_or_else(|| catalog.t("reports.no_activity").to_owned());
        by_activity
            .rows
            .push(vec![Cell::Text(name), count(*sessions)]);
    }
    vec![
        summary,
        over_time,
        by_type,
        by_activity,
        grid_table(report, catalog),
    ]
}

const HOURS: [&str; 24] = [
    "h00", "h01", "h02", "h03", "h04", "h05", "h06", "h07", "h08", "h09", "h10", "h11", "h12",
    "h13", "h14", "h15", "h16", "h17", "h18", "h19", "h20", "h21", "h22", "h23",
];

const WEEKDAYS: [&str; 7] = [
    "reports.monday",
    "reports.tuesday",
    "reports.wednesday",
    "reports.thursday",
    "reports.friday",
    "reports.saturday",
    "reports.sunday",
];

fn grid_table(report: &Report, catalog: &Catalog) -> Table {
    let mut table = Table::new(catalog, "weekday_hour", &["weekday"]);
    for (hour, id) in HOURS.iter().enumerate() {
        table.columns.push((id, format!("{hour:02}h")));
    }
    for (weekday, hours) in report.usage.grid.iter().enumerate() {
        let mut row = vec![Cell::Text(catalog.t(WEEKDAYS[weekday]).to_owned())];
        row.extend(hours.iter().map(|sessions| count(*sessions)));
        table.rows.push(row);
    }
    table
}

/// Revenue first, so that a narrow window shows it.
const SALES_COLUMNS: [&str; 6] = [
    "cards",
    "revenue",
    "per_session",
    "sessions",
    "gross",
    "refunded",
];

fn sales_row(label: String, line: &super::sales::SalesLine) -> Vec<Cell> {
    vec![
        Cell::Text(label),
        count(line.cards),
        Cell::Money(line.revenue_cents()),
        line.per_session_cents()
            .map_or(Cell::Empty, |cents| Cell::Money(cents.round() as i64)),
        count(line.sessions),
        Cell::Money(line.gross_cents),
        Cell::Money(line.refunded_cents),
    ]
}

fn sales_tables(report: &Report, names: &Names, catalog: &Catalog) -> Vec<Table> {
    let sales = &report.sales;
    let total = &sales.total;
    let summary = Table::summary(
        catalog,
        vec![
            ("cards_sold", count(total.cards)),
            ("sessions_sold", count(total.sessions)),
            ("gross", Cell::Money(total.gross_cents)),
            ("refunds", count(sales.refunds)),
            ("refunds_amount", Cell::Money(sales.refunds_cents)),
            ("cancellations", count(sales.cancellations)),
            (
                "cancellations_amount",
                Cell::Money(sales.cancellations_cents),
            ),
            ("revenue", Cell::Money(total.revenue_cents())),
            (
                "per_session",
                total
                    .per_session_cents()
                    .map_or(Cell::Empty, |cents| Cell::Money(cents.round() as i64)),
            ),
        ],
    );
    let columns = |first| {
        let mut columns = vec![first];
        columns.extend_from_slice(&SALES_COLUMNS);
        columns
    };
    let mut by_type = Table::new(catalog, "by_card_type", &columns("card_type"));
    for (type_id, line) in &sales.by_type {
        by_type
            .rows
            .push(sales_row(names.card_type(*type_id), line));
    }
    let mut by_audience = Table::new(catalog, "by_audience", &columns("audience"));
    for (audience, line) in &sales.by_audience {
        let label = if audience.trim().is_empty() {
            catalog.t("reports.no_audience").to_owned()
        } else {
            audience.clone()
        };
        by_audience.rows.push(sales_row(label, line));
    }
    let mut by_method = Table::new(catalog, "by_method", &["method", "paid", "refunded"]);
    for (method, line) in &sales.by_method {
        by_method.rows.push(vec![
            Cell::Text(payment_method(catalog, *method)),
            Cell::Money(line.paid_cents),
            Cell::Money(line.refunded_cents),
        ]);
    }
    vec![summary, by_type, by_audience, by_method]
}

fn outstanding_tables(report: &Report, names: &Names, catalog: &Catalog) -> Vec<Table> {
    let outstanding = &report.outstanding;
    let summary = Table::summary(
        catalog,
        vec![
            ("owed_on", Cell::Date(report.period.last)),
            ("owed_cards", count(outstanding.owed.cards)),
            ("owed_sessions", Cell::Count(outstanding.owed.sessions)),
            ("owed_value", Cell::Money(outstanding.owed.value_cents)),
            ("expired_cards", count(outstanding.expired.cards)),
            (
                "expired_sessions",
                Cell::Count(outstanding.expired.sessions),
            ),
            (
                "expired_value",
                Cell::Money(outstanding.expired.value_cents),
            ),
        ],
    );
    let owed_table = |id, lines: &[(crate::domain::CardTypeId, super::outstanding::Owed)]| {
        let mut table = Table::new(catalog, id, &["card_type", "cards", "sessions", "value"]);
        for (type_id, owed) in lines {
            table.rows.push(vec![
                Cell::Text(names.card_type(*type_id)),
                count(owed.cards),
                Cell::Count(owed.sessions),
                Cell::Money(owed.value_cents),
            ]);
        }
        table
    };
    vec![
        summary,
        owed_table("owed_by_card_type", &outstanding.owed_by_type),
        owed_table("expired_by_card_type", &outstanding.expired_by_type),
    ]
}

fn card_life_tables(report: &Report, names: &Names, catalog: &Catalog) -> Vec<Table> {
    let total = &report.card_life.total;
    let mut summary = Table::new(catalog, "card_status", &["status", "cards", "share"]);
    let statuses = [
        ("sold", total.sold),
        ("used_up", total.used_up),
        ("expired_with_sessions", total.expired_with_sessions),
        ("running", total.running),
        ("dormant", total.dormant),
        ("ended", total.ended),
    ];
    for (key, cards) in statuses {
        summary.rows.push(vec![
            Cell::Text(catalog.t(&format!("reports.item_{key}")).to_owned()),
            count(cards),
            Cell::Percent(total.share(cards)),
        ]);
    }
    summary.rows.push(vec![
        Cell::Text(catalog.t("reports.item_average_days").to_owned()),
        total.average_days().map_or(Cell::Empty, Cell::Decimal),
        Cell::Empty,
    ]);
    let mut by_type = Table::new(
        catalog,
        "life_by_card_type",
        &[
            "card_type",
            "sold",
            "used_up",
            "expired_with_sessions",
            "running",
            "dormant",
            "ended",
            "average_days",
        ],
    );
    for (type_id, lives) in &report.card_life.by_type {
        by_type.rows.push(vec![
            Cell::Text(names.card_type(*type_id)),
            count(lives.sold),
            count(lives.used_up),
            count(lives.expired_with_sessions),
            count(lives.running),
            count(lives.dormant),
            count(lives.ended),
            lives.average_days().map_or(Cell::Empty, Cell::Decimal),
        ]);
    }
    vec![summary, by_type]
}
