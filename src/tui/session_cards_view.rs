//! Drawing Practice › Session cards: the search field, the filter bar, the table of cards
//! with its totals, the members to inform, and the two dialogs. Only visible rows are built.

use super::app::App;
use super::form_view::draw_labelled_input;
use super::members_view::phone_text;
use super::session_cards::{
    CardsDialog, CardsMode, MarkForm, THRESHOLD_FIELDS, ThresholdsForm, channel_key,
};
use super::theme::Theme;
use super::view::centered;
use crate::domain::inform::Channel;
use crate::domain::overview::{Column, Filter};
use crate::session_cards::{self as text, Alert};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, Wrap};

/// From this width the table shows every column.
const WIDE: u16 = 110;
/// From this width the table shows the card type; narrower, the owner keeps the room.
const MEDIUM: u16 = 70;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let state = &app.session_cards;
    // Two lines for notices, which name the file written and may not fit on one.
    let [
        search_area,
        filter_area,
        table_area,
        totals_area,
        notice_area,
    ] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(area);

    draw_search(frame, app, theme, search_area);
    draw_filter_bar(frame, app, theme, filter_area);
    match state.mode {
        CardsMode::Cards => {
            draw_table(frame, app, theme, table_area);
            draw_totals(frame, app, theme, totals_area);
        }
        CardsMode::ToInform => draw_to_inform(frame, app, theme, table_area.union(totals_area)),
    }
    let catalog = &app.catalog;
    let notice = match &state.notice {
        Some(notice) => Span::styled(notice.clone(), theme.title),
        None => {
            let key = match state.mode {
                CardsMode::Cards => "cards.keys",
                CardsMode::ToInform => "inform.keys",
            };
            Span::styled(catalog.t(key), theme.muted)
        }
    };
    frame.render_widget(
        Paragraph::new(notice).wrap(Wrap { trim: true }),
        notice_area,
    );

    match &state.dialog {
        Some(CardsDialog::Thresholds(form)) => draw_thresholds(frame, app, theme, form, area),
        Some(CardsDialog::Mark(form)) => draw_mark(frame, app, theme, form, area),
        None => {}
    }
}

fn draw_search(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let state = &app.session_cards;
    let block = Block::bordered().title(Span::styled(app.catalog.t("cards.search"), theme.title));
    let inner = block.inner(area);
    let width = usize::from(inner.width.saturating_sub(1));
    let scroll = state.query.visual_scroll(width);
    frame.render_widget(
        Paragraph::new(state.query.value())
            .scroll((0, scroll as u16))
            .block(block),
        area,
    );
    if state.dialog.is_none() {
        let cursor = state.query.visual_cursor().saturating_sub(scroll) as u16;
        frame.set_cursor_position((inner.x + cursor.min(inner.width.saturating_sub(1)), inner.y));
    }
}

/// Draws every filter when they fit on the line, else the one in use between arrows.
fn draw_filter_bar(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.session_cards;
    if state.mode == CardsMode::ToInform {
        let thresholds = catalog.tf(
            "inform.thresholds",
            &[
                ("days", &state.thresholds.expiring_days),
                ("sessions", &state.thresholds.low_sessions),
            ],
        );
        frame.render_widget(Paragraph::new(Span::styled(thresholds, theme.muted)), area);
        return;
    }
    let label = |filter: Filter| text::filter_text(catalog, filter, &state.thresholds);
    let mut spans = vec![Span::styled(catalog.t("cards.filter_label"), theme.muted)];
    for filter in Filter::ALL {
        let (marker, style) = if filter == state.filter {
            ("▶", theme.selection)
        } else {
            (" ", Style::new())
        };
        spans.push(Span::styled(format!("{marker}{} ", label(filter)), style));
    }
    let line = Line::from(spans);
    let line = if line.width() <= usize::from(area.width) {
        line
    } else {
        Line::from(vec![
            Span::styled(catalog.t("cards.filter_label"), theme.muted),
            Span::styled(format!("◀ {} ▶", label(state.filter)), theme.selection),
        ])
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn columns(width: u16) -> Vec<(Column, Constraint)> {
    if width >= WIDE {
        vec![
            (Column::Owner, Constraint::Fill(3)),
            (Column::CardType, Constraint::Fill(2)),
            (Column::Audience, Constraint::Fill(1)),
            (Column::SoldOn, Constraint::Length(10)),
            (Column::ExpiresOn, Constraint::Length(22)),
            (Column::SessionsLeft, Constraint::Length(7)),
            (Column::LastUse, Constraint::Length(10)),
            (Column::Status, Constraint::Length(20)),
        ]
    } else if width >= MEDIUM {
        vec![
            (Column::Owner, Constraint::Fill(3)),
            (Column::CardType, Constraint::Fill(2)),
            (Column::ExpiresOn, Constraint::Length(10)),
            (Column::SessionsLeft, Constraint::Length(6)),
            (Column::Status, Constraint::Length(19)),
        ]
    } else {
        vec![
            (Column::Owner, Constraint::Fill(1)),
            (Column::ExpiresOn, Constraint::Length(10)),
            (Column::SessionsLeft, Constraint::Length(6)),
            (Column::Status, Constraint::Length(19)),
        ]
    }
}

fn draw_table(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.session_cards;
    let today = app.today();
    let view = state.view(today);
    let wide = area.width >= WIDE;
    let columns = columns(area.width);

    // Rows between the borders and the header line.
    let height = usize::from(area.height.saturating_sub(3)).max(1);
    let offset = window_start(
        state.offset.get(),
        state.selected,
        height,
        state.shown.len(),
    );
    state.offset.set(offset);

    let rows = state
        .shown
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(position, &index)| {
            let row = &state.overview.rows[index as usize];
            let selected = position == state.selected;
            let cells = columns.iter().map(|&(column, _)| {
                let mut content = match (column, wide) {
                    // Narrow, the expiry shows its date only.
                    (Column::ExpiresOn, false) => row
                        .expires_on
                        .map(|date| catalog.date(date))
                        .unwrap_or_else(|| catalog.t("cards.never_expires").to_owned()),
                    _ => text::cell(catalog, &view, row, column),
                };
                if column == Column::Owner {
                    let marker = if selected { "▶ " } else { "  " };
                    content = format!("{marker}{content}");
                }
                let style = match (column, text::alert(row, today, &state.thresholds)) {
                    (Column::Status, Alert::RunningOut { .. }) => theme.warning,
                    _ => Style::new(),
                };
                Cell::from(content).style(style)
            });
            let style = if selected {
                theme.selection
            } else {
                Style::new()
            };
            Row::new(cells).style(style)
        });

    let header = Row::new(columns.iter().map(|&(column, _)| {
        let name = catalog.t(text::column_key(column));
        if column == state.sort.column {
            let arrow = if state.sort.descending { "↓" } else { "↑" };
            format!("{name} {arrow}")
        } else {
            name.to_owned()
        }
    }))
    .style(theme.title);
    let title = catalog.tf(
        "cards.title",
        &[
            (
                "filter",
                &text::filter_text(catalog, state.filter, &state.thresholds),
            ),
            ("sort", &sort_text(app)),
            ("shown", &state.shown.len()),
            ("total", &state.overview.rows.len()),
        ],
    );
    let mut block = Block::bordered().title(Span::styled(title, theme.title));
    if state.search_close_only && !state.shown.is_empty() {
        block = block.title_bottom(Span::styled(
            catalog.tf("cards.close_only", &[("query", &state.query.value())]),
            theme.warning,
        ));
    }
    if state.shown.is_empty() {
        let empty = if state.query.value().trim().is_empty() {
            catalog.t("cards.none").to_owned()
        } else {
            catalog.tf("cards.no_match", &[("query", &state.query.value())])
        };
        block = block.title_bottom(empty);
    }
    let widths: Vec<Constraint> = columns.iter().map(|&(_, width)| width).collect();
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

/// "expiry ↑": the sorted column and its direction.
fn sort_text(app: &App) -> String {
    let sort = app.session_cards.sort;
    let arrow = if sort.descending { "↓" } else { "↑" };
    format!(
        "{} {arrow}",
        app.catalog.t(text::column_key(sort.column)).to_lowercase()
    )
}

/// Returns the first row to draw so that `selected` is visible, moving the window as little
/// as possible from where it was.
pub fn window_start(previous: usize, selected: usize, height: usize, len: usize) -> usize {
    let mut start = previous.min(len.saturating_sub(height));
    if selected < start {
        start = selected;
    } else if selected >= start + height {
        start = selected + 1 - height;
    }
    start
}

fn draw_totals(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let state = &app.session_cards;
    let totals = state.overview.totals(&state.shown);
    let catalog = &app.catalog;
    let line = catalog.tf(
        "cards.totals",
        &[
            ("cards", &totals.cards),
            ("sessions", &totals.sessions),
            ("value", &catalog.money(totals.value_cents)),
        ],
    );
    frame.render_widget(Paragraph::new(Span::styled(line, theme.title)), area);
}

fn draw_to_inform(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.session_cards;
    let zone = app.settings().club_time.zone;
    let wide = area.width >= WIDE;
    // Narrow, the e-mail address gives its room to the name; the CSV export has it.
    let narrow = area.width < MEDIUM;
    let height = usize::from(area.height.saturating_sub(3)).max(1);
    let offset = window_start(
        state.inform_offset.get(),
        state.inform_selected,
        height,
        state.inform.len(),
    );
    state.inform_offset.set(offset);

    let rows = state
        .inform
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(position, entry)| {
            let owner = state.overview.owners.get(entry.owner as usize);
            let selected = position == state.inform_selected;
            let marker = if selected { "▶ " } else { "  " };
            let phone = owner.phone.map_or_else(|| "—".to_owned(), phone_text);
            let mut cells = vec![format!("{marker}{}", owner.name())];
            if !narrow {
                cells.push(owner.email.unwrap_or("—").to_owned());
            }
            cells.push(phone);
            cells.push(text::reasons_text(catalog, &entry.reasons));
            if wide {
                cells.push(
                    entry
                        .last_contact
                        .map(|at| catalog.date(at.with_timezone(&zone).date_naive()))
                        .unwrap_or_default(),
                );
            }
            let style = if selected {
                theme.selection
            } else {
                Style::new()
            };
            Row::new(cells.into_iter().map(Cell::from)).style(style)
        });
    let mut header = vec![catalog.t("inform.col_name")];
    let mut widths = vec![Constraint::Fill(2)];
    if !narrow {
        header.push(catalog.t("inform.col_email"));
        widths.push(Constraint::Fill(2));
    }
    header.extend([
        catalog.t("inform.col_phone"),
        catalog.t("inform.col_reason"),
    ]);
    widths.extend([Constraint::Length(15), Constraint::Fill(3)]);
    if wide {
        header.push(catalog.t("inform.col_last_contact"));
        widths.push(Constraint::Length(12));
    }
    let title = catalog.tf("inform.title", &[("count", &state.inform.len())]);
    let mut block = Block::bordered().title(Span::styled(title, theme.title));
    if state.inform.is_empty() {
        block = block.title_bottom(catalog.t("inform.none"));
    }
    frame.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.title))
            .block(block),
        area,
    );
}

fn draw_thresholds(frame: &mut Frame, app: &App, theme: &Theme, form: &ThresholdsForm, area: Rect) {
    let catalog = &app.catalog;
    let popup = centered(area, 60, 11);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(catalog.t("cards.thresholds_title"))
        .border_style(theme.title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let labels = [
        "cards.threshold_expiring",
        "cards.threshold_low",
        "cards.threshold_dormant",
    ];
    let rows = Layout::vertical([Constraint::Length(2); THRESHOLD_FIELDS + 1]).split(inner);
    for field in 0..THRESHOLD_FIELDS {
        let row = rows[field];
        draw_labelled_input(
            frame,
            theme,
            catalog.t(labels[field]),
            &form.inputs[field],
            form.focus == field,
            row,
            34,
        );
        if let Some(error) = &form.errors[field] {
            let error_row = Rect {
                y: row.y + 1,
                height: 1,
                ..row
            };
            frame.render_widget(
                Paragraph::new(Span::styled(format!("✗ {error}"), theme.error)),
                error_row,
            );
        }
    }
    frame.render_widget(
        Paragraph::new(Span::styled(
            catalog.t("cards.thresholds_keys"),
            theme.muted,
        )),
        rows[THRESHOLD_FIELDS],
    );
}

fn draw_mark(frame: &mut Frame, app: &App, theme: &Theme, form: &MarkForm, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.session_cards;
    let reasons = state
        .inform_entry(form.member)
        .map(|entry| text::reasons_text(catalog, &entry.reasons))
        .unwrap_or_default();
    let popup = centered(area, 66, 10);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(catalog.tf("inform.mark_title", &[("name", &form.name)]))
        .border_style(theme.title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [reason_area, channel_area, note_area, _, keys_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(reasons).wrap(Wrap { trim: true }),
        reason_area,
    );
    let mut channels = vec![Span::styled(
        format!("  {} ", catalog.t("inform.col_channel")),
        theme.title,
    )];
    for channel in Channel::ALL {
        let (marker, style) = if channel == form.channel {
            ("▶", theme.selection)
        } else {
            (" ", Style::new())
        };
        channels.push(Span::styled(
            format!("{marker}{} ", catalog.t(channel_key(channel))),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(channels)), channel_area);
    draw_labelled_input(
        frame,
        theme,
        catalog.t("inform.col_note"),
        &form.note,
        true,
        note_area,
        10,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(catalog.t("inform.mark_keys"), theme.muted))
            .wrap(Wrap { trim: true }),
        keys_area,
    );
}

#[cfg(test)]
mod tests {
    use super::window_start;

    #[test]
    fn window_start_keeps_selection_visible() {
        assert_eq!(window_start(0, 5, 10, 100), 0);
        assert_eq!(window_start(0, 10, 10, 100), 1);
        assert_eq!(window_start(20, 25, 10, 100), 20);
        assert_eq!(window_start(20, 15, 10, 100), 15);
        assert_eq!(window_start(95, 99, 10, 100), 90);
        assert_eq!(window_start(50, 0, 10, 3), 0);
    }
}
