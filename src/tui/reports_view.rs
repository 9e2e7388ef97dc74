//! Drawing of the Reports screen: the report tabs, the period, then a chart or the table of
//! the same figures. Every bar carries its value as text, so nothing depends on colour.

use super::app::App;
use super::reports::{DatesForm, ReportsState, Status, View};
use super::theme::Theme;
use super::view::screen_title;
use crate::i18n::{Catalog, Language};
use crate::reports::tables::{Cell, Table, tables};
use crate::reports::usage::Step;
use crate::reports::{Names, Report, ReportKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let state = &app.reports;
    let catalog = &app.catalog;
    let block = Block::bordered().title(screen_title(app, app.screen));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let [tabs, period, body, message] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(tab_line(state, catalog, theme)), tabs);
    frame.render_widget(Paragraph::new(period_line(state, catalog, theme)), period);
    if let Some(text) = &state.message {
        frame.render_widget(
            Paragraph::new(text.as_str()).wrap(Wrap { trim: true }),
            message,
        );
    }

    if let Some(form) = &state.dates {
        draw_dates(frame, form, catalog, theme, body);
        return;
    }
    match &state.status {
        Status::Idle => {}
        Status::Computing { since } => {
            let seconds = decimal(since.elapsed().as_secs_f64(), catalog);
            let text = catalog.tf("reports.computing", &[("seconds", &seconds)]);
            frame.render_widget(
                Paragraph::new(Span::styled(text, theme.title)).wrap(Wrap { trim: true }),
                body,
            );
        }
        Status::Failed(text) => frame.render_widget(
            Paragraph::new(Span::styled(text.as_str(), theme.error)).wrap(Wrap { trim: true }),
            body,
        ),
        Status::Ready { report, names } => match state.view {
            View::Chart => draw_chart(frame, state.kind, report, names, catalog, body),
            View::Table => draw_tables(frame, state, report, names, catalog, theme, body),
        },
    }
}

fn tab_line(state: &ReportsState, catalog: &Catalog, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for kind in ReportKind::ALL {
        let name = catalog.t(kind.label());
        if kind == state.kind {
            spans.push(Span::styled(format!("[{name}]"), theme.selection));
        } else {
            spans.push(Span::raw(format!(" {name} ")));
        }
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

fn period_line(state: &ReportsState, catalog: &Catalog, theme: &Theme) -> Line<'static> {
    let preset = catalog.t(state.preset.label()).to_owned();
    let mut spans = vec![Span::styled(format!("‹ {preset} ›"), theme.title)];
    if let Some(period) = state.period {
        spans.push(Span::raw(format!(
            "  {} – {}",
            catalog.date(period.first),
            catalog.date(period.last)
        )));
    }
    Line::from(spans)
}

fn draw_dates(frame: &mut Frame, form: &DatesForm, catalog: &Catalog, theme: &Theme, area: Rect) {
    let field = |label: &str, value: &str, focused: bool| {
        let marker = if focused { "▶ " } else { "  " };
        let style = if focused {
            theme.selection
        } else {
            Style::new()
        };
        Line::from(vec![
            Span::raw(format!("{marker}{label:<14}")),
            Span::styled(format!("{value:<12}"), style),
        ])
    };
    let mut lines = vec![
        Line::raw(catalog.t("report_period.hint").to_owned()),
        Line::raw(""),
        field(
            catalog.t("report_period.first"),
            form.first.value(),
            !form.on_last,
        ),
        field(
            catalog.t("report_period.last"),
            form.last.value(),
            form.on_last,
        ),
        Line::raw(""),
    ];
    if let Some(error) = &form.error {
        lines.push(Line::from(Span::styled(format!("✖ {error}"), theme.error)));
    }
    lines.push(Line::from(Span::styled(
        catalog.t("report_period.keys"),
        theme.muted,
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

/// Draws the summary figures on top and the report's chart below.
fn draw_chart(
    frame: &mut Frame,
    kind: ReportKind,
    report: &Report,
    names: &Names,
    catalog: &Catalog,
    area: Rect,
) {
    let summary = chart_summary(kind, report, catalog);
    let summary_text = summary.join(" · ");
    let summary_height = (summary_text.width() as u16)
        .div_ceil(area.width.max(1))
        .min(4);
    let [top, chart] =
        Layout::vertical([Constraint::Length(summary_height), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(summary_text).wrap(Wrap { trim: true }), top);

    match kind {
        ReportKind::Usage => draw_usage_chart(frame, report, catalog, chart),
        ReportKind::Sales => {
            let bars = report
                .sales
                .by_type
                .iter()
                .map(|(id, line)| {
                    (
                        names.card_type(*id),
                        line.revenue_cents().max(0) as u64,
                        catalog.money(line.revenue_cents()),
                    )
                })
                .collect();
            draw_horizontal(
                frame,
                catalog.t("reports.chart_revenue_by_type"),
                bars,
                chart,
            );
        }
        ReportKind::Outstanding => {
            let bars = report
                .outstanding
                .owed_by_type
                .iter()
                .map(|(id, owed)| {
                    let text = catalog.tf(
                        "reports.sessions_value",
                        &[
                            ("sessions", &owed.sessions),
                            ("value", &catalog.money(owed.value_cents)),
                        ],
                    );
                    (names.card_type(*id), owed.value_cents.max(0) as u64, text)
                })
                .collect();
            draw_horizontal(frame, catalog.t("reports.chart_owed_by_type"), bars, chart);
        }
        ReportKind::CardLife => {
            let total = &report.card_life.total;
            let statuses = [
                ("used_up", total.used_up),
                ("expired_with_sessions", total.expired_with_sessions),
                ("running", total.running),
                ("dormant", total.dormant),
                ("ended", total.ended),
            ];
            let bars = statuses
                .iter()
                .map(|(key, cards)| {
                    let share = decimal(total.share(*cards), catalog);
                    (
                        catalog.t(&format!("reports.item_{key}")).to_owned(),
                        *cards,
                        format!("{cards} ({share} %)"),
                    )
                })
                .collect();
            draw_horizontal(frame, catalog.t("reports.chart_card_status"), bars, chart);
        }
    }
}

/// Returns the few figures shown above a chart; the table view has them all.
fn chart_summary(kind: ReportKind, report: &Report, catalog: &Catalog) -> Vec<String> {
    let item = |key: &str, value: String| {
        let label = catalog.t(&format!("reports.item_{key}")).to_owned();
        // ratatui wraps lines at U+202F, the French thousands separator, but not at U+00A0
        // (ratatui-core 0.1, `StyledGrapheme::is_whitespace`), so an amount stays whole.
        let value = value.replace('\u{202f}', "\u{a0}");
        catalog.tf("reports.item_value", &[("item", &label), ("value", &value)])
    };
    match kind {
        ReportKind::Usage => {
            let usage = &report.usage;
            let average = match usage.step {
                Step::Day => "average_per_day",
                Step::Week => "average_per_week",
                Step::Month => "average_per_month",
            };
            vec![
                item("sessions_used", usage.sessions.to_string()),
                item(average, decimal(usage.average(), catalog)),
                item("members_came", usage.members.to_string()),
            ]
        }
        ReportKind::Sales => {
            let total = &report.sales.total;
            let per_session = total.per_session_cents().map_or_else(
                || "—".to_owned(),
                |cents| catalog.money(cents.round() as i64),
            );
            vec![
                item("cards_sold", total.cards.to_string()),
                item("revenue", catalog.money(total.revenue_cents())),
                item("per_session", per_session),
            ]
        }
        ReportKind::Outstanding => {
            let outstanding = &report.outstanding;
            vec![
                item("owed_sessions", outstanding.owed.sessions.to_string()),
                item("owed_value", catalog.money(outstanding.owed.value_cents)),
                item("expired_sessions", outstanding.expired.sessions.to_string()),
                item(
                    "expired_value",
                    catalog.money(outstanding.expired.value_cents),
                ),
            ]
        }
        ReportKind::CardLife => {
            let total = &report.card_life.total;
            let days = total
                .average_days()
                .map_or_else(|| "—".to_owned(), |days| decimal(days, catalog));
            vec![
                item("sold", total.sold.to_string()),
                item("average_days", days),
            ]
        }
    }
}

/// Draws horizontal bars, each after its label and its value written out, so the figures read
/// without the bars.
fn draw_horizontal(frame: &mut Frame, title: &str, bars: Vec<(String, u64, String)>, area: Rect) {
    let label_width = bars
        .iter()
        .map(|(label, _, _)| label.width())
        .max()
        .unwrap_or(0)
        .min(18);
    let text_width = bars
        .iter()
        .map(|(_, _, text)| text.width())
        .max()
        .unwrap_or(0);
    let bars: Vec<Bar> = bars
        .into_iter()
        .map(|(label, value, text)| {
            let label = fit(&label, label_width);
            let pad = text_width.saturating_sub(text.width());
            Bar::default()
                .label(Line::raw(format!("{label} {}{text}", " ".repeat(pad))))
                .value(value)
                .text_value(String::new())
        })
        .collect();
    let chart = BarChart::default()
        .block(Block::new().title(title.to_owned()))
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .data(BarGroup::default().bars(&bars));
    frame.render_widget(chart, area);
}

/// Cuts or pads `text` to `width` columns, ending a cut text with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return format!("{text}{}", " ".repeat(width - text.width()));
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.to_string().width() + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    format!("{out}{}", " ".repeat(width.saturating_sub(out.width())))
}

fn draw_usage_chart(frame: &mut Frame, report: &Report, catalog: &Catalog, area: Rect) {
    let usage = &report.usage;
    // The title, the hours and seven days, unless the window is too short for the bars too.
    let grid_height = if area.height >= 15 {
        9
    } else {
        area.height / 2
    };
    let [bars_area, grid_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(grid_height)]).areas(area);

    let label = |day: chrono::NaiveDate| match usage.step {
        Step::Day => day.format("%d").to_string(),
        Step::Week => day.format("%d/%m").to_string(),
        Step::Month => day.format("%m/%y").to_string(),
    };
    // Each bar is as wide as its label or value, and the newest bars are kept when they do not
    // all fit.
    let widest_value = usage
        .buckets
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    let widest_label = usage
        .buckets
        .first()
        .map_or(2, |(day, _)| label(*day).len());
    let bar_width = widest_value.max(widest_label) as u16;
    let fit = (bars_area.width / (bar_width + 1)).max(1) as usize;
    let shown = &usage.buckets[usage.buckets.len().saturating_sub(fit)..];
    let bars: Vec<Bar> = shown
        .iter()
        .map(|(day, sessions)| {
            Bar::default()
                .label(Line::raw(label(*day)))
                .value(*sessions)
                .text_value(sessions.to_string())
        })
        .collect();
    let step = match usage.step {
        Step::Day => "reports.chart_per_day",
        Step::Week => "reports.chart_per_week",
        Step::Month => "reports.chart_per_month",
    };
    let chart = BarChart::default()
        .block(Block::new().title(catalog.t(step).to_owned()))
        .bar_width(bar_width)
        .bar_gap(1)
        .data(BarGroup::default().bars(&bars));
    frame.render_widget(chart, bars_area);
    draw_grid(frame, report, catalog, grid_area);
}

/// Draws the weekday × hour grid over the hours that had check-ins: numbers where they fit,
/// else density symbols explained on the title line.
fn draw_grid(frame: &mut Frame, report: &Report, catalog: &Catalog, area: Rect) {
    let grid = &report.usage.grid;
    let busy: Vec<usize> = (0..24)
        .filter(|hour| grid.iter().any(|day| day[*hour] > 0))
        .collect();
    let (Some(first), Some(last)) = (busy.first().copied(), busy.last().copied()) else {
        return;
    };
    let max = grid.iter().flatten().copied().max().unwrap_or(0);
    let hours = last - first + 1;
    let cell = ((area.width as usize).saturating_sub(4) / hours).max(2);
    let numbers = max.to_string().len() < cell;
    let title = if numbers {
        catalog.t("reports.grid_title").to_owned()
    } else {
        catalog.tf("reports.grid_title_symbols", &[("max", &max)])
    };
    let mut lines = vec![Line::raw(title)];
    let mut header = String::from("    ");
    for hour in first..=last {
        header.push_str(&format!("{hour:>cell$}"));
    }
    lines.push(Line::raw(header));
    for (weekday, hours) in grid.iter().enumerate() {
        let name: String = catalog.t(WEEKDAYS[weekday]).chars().take(3).collect();
        let mut line = format!("{name:<4}");
        for sessions in &hours[first..=last] {
            let text = if numbers {
                sessions.to_string()
            } else {
                density(*sessions, max).to_string()
            };
            line.push_str(&format!("{text:>cell$}"));
        }
        lines.push(Line::raw(line));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

const WEEKDAYS: [&str; 7] = [
    "reports.monday",
    "reports.tuesday",
    "reports.wednesday",
    "reports.thursday",
    "reports.friday",
    "reports.saturday",
    "reports.sunday",
];

/// Returns a symbol for a count's share of the maximum: `·` none, then `░ ▒ ▓ █` by quarters.
fn density(value: u64, max: u64) -> char {
    if value == 0 || max == 0 {
        return '·';
    }
    match value * 4 / (max + 1) {
        0 => '░',
        1 => '▒',
        2 => '▓',
        _ => '█',
    }
}

/// Draws every table of the report one under the other, scrolled by Up and Down.
fn draw_tables(
    frame: &mut Frame,
    state: &ReportsState,
    report: &Report,
    names: &Names,
    catalog: &Catalog,
    theme: &Theme,
    area: Rect,
) {
    let mut lines = Vec::new();
    for table in tables(report, state.kind, names, catalog) {
        table_lines(&table, catalog, theme, &mut lines);
        lines.push(Line::raw(""));
    }
    frame.render_widget(Paragraph::new(lines).scroll((state.scroll, 0)), area);
}

fn table_lines(table: &Table, catalog: &Catalog, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    let cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(|cell| screen_cell(cell, catalog)).collect())
        .collect();
    let widths: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .map(|(index, (_, title))| {
            let widest = cells
                .iter()
                .filter_map(|row| row.get(index))
                .map(|text| text.width())
                .chain([title.width()])
                .max()
                .unwrap_or(0);
            // Long names are cut in the first column so the figures stay on screen.
            if index == 0 {
                widest.min(FIRST_COLUMN)
            } else {
                widest
            }
        })
        .collect();
    let join = |texts: &mut dyn Iterator<Item = (usize, &String)>| {
        let mut line = String::new();
        for (index, text) in texts {
            let width = widths[index];
            let pad = width.saturating_sub(text.width());
            // Text left-aligned in the first column, figures right-aligned.
            if index == 0 {
                line.push_str(&fit(text, width));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(text);
            }
        }
        line
    };
    lines.push(Line::from(Span::styled(table.title.clone(), theme.title)));
    if table.id == "summary" {
        for row in &cells {
            let value = row[1..].join(" ");
            let line = catalog.tf(
                "reports.item_value",
                &[("item", &row[0]), ("value", &value)],
            );
            lines.push(Line::raw(line));
        }
        return;
    }
    let titles: Vec<&String> = table.columns.iter().map(|(_, title)| title).collect();
    lines.push(Line::from(Span::styled(
        join(&mut titles.into_iter().enumerate()),
        theme.muted,
    )));
    if cells.is_empty() {
        lines.push(Line::raw(catalog.t("reports.no_rows").to_owned()));
    }
    for row in &cells {
        lines.push(Line::raw(join(&mut row.iter().enumerate())));
    }
}

/// Widest first column of a table view, in terminal columns.
const FIRST_COLUMN: usize = 20;

fn decimal(value: f64, catalog: &Catalog) -> String {
    let text = format!("{value:.1}");
    match catalog.language {
        Language::Fr => text.replace('.', ","),
        Language::En => text,
    }
}

fn screen_cell(cell: &Cell, catalog: &Catalog) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(value) => value.to_string(),
        Cell::Money(cents) => catalog.money(*cents),
        Cell::Decimal(value) => decimal(*value, catalog),
        Cell::Percent(value) => format!("{} %", decimal(*value, catalog)),
        Cell::Date(date) => catalog.date(*date),
        Cell::Empty => "—".to_owned(),
    }
}
