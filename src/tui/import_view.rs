//! Drawing of the Import screen: the path field, the columns with their fields, the dry run,
//! and the last outcome. Reads `app.import` only.

use super::app::App;
use super::import::{ImportState, ImportStep};
use super::theme::Theme;
use crate::i18n::Catalog;
use crate::import::report;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

/// Narrowest and widest columns panel; the dry run takes the rest.
const COLUMNS_MIN_WIDTH: u16 = 24;
const COLUMNS_MAX_WIDTH: u16 = 40;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let state = &app.import;
    let [path_area, body, notice_area] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);

    draw_path(frame, app, theme, path_area);
    match (&state.file, &state.plan) {
        (Some(_), Some(_)) => {
            let width = (body.width * 2 / 5).clamp(COLUMNS_MIN_WIDTH, COLUMNS_MAX_WIDTH);
            let [columns, dry_run] =
                Layout::horizontal([Constraint::Length(width), Constraint::Min(0)]).areas(body);
            draw_columns(frame, app, theme, columns);
            draw_dry_run(frame, app, theme, dry_run);
        }
        _ => draw_intro(frame, &app.catalog, theme, body),
    }
    draw_notice(frame, state, &app.catalog, theme, notice_area);
}

fn draw_path(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let state = &app.import;
    let title = app.catalog.tf(
        "import_screen.path_title",
        &[("preset", &state.preset.code())],
    );
    let block = Block::bordered().title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    let width = usize::from(inner.width.saturating_sub(1));
    let scroll = state.path.visual_scroll(width);
    frame.render_widget(
        Paragraph::new(state.path.value())
            .scroll((0, scroll as u16))
            .block(block),
        area,
    );
    if state.step == ImportStep::Path {
        let cursor = state.path.visual_cursor().saturating_sub(scroll) as u16;
        frame.set_cursor_position((inner.x + cursor.min(inner.width.saturating_sub(1)), inner.y));
    }
}

fn draw_intro(frame: &mut Frame, catalog: &Catalog, theme: &Theme, area: Rect) {
    let lines = vec![
        Line::raw(catalog.t("import_screen.intro").to_owned()),
        Line::raw(""),
        Line::from(Span::styled(
            catalog.t("import_screen.intro_keys"),
            theme.muted,
        )),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn draw_columns(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.import;
    let Some(file) = &state.file else {
        return;
    };
    let block = Block::bordered().title(Span::styled(
        catalog.t("import_screen.columns_title"),
        theme.title,
    ));
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let first = state.selected_column.saturating_sub(height - 1);
    let lines: Vec<Line> = file
        .table
        .headers
        .iter()
        .zip(&file.mapping.columns)
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(index, (header, field))| {
            let selected = index == state.selected_column;
            let marker = if selected { "▶ " } else { "  " };
            let field_style = if field.is_some() {
                ratatui::style::Style::new()
            } else {
                theme.muted
            };
            let mut line = Line::from(vec![
                Span::raw(marker),
                Span::raw(format!("{header} → ")),
                Span::styled(report::field_label(catalog, *field), field_style),
            ]);
            if selected {
                line = line.style(theme.selection);
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_dry_run(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.import;
    let (Some(file), Some(plan)) = (&state.file, &state.plan) else {
        return;
    };
    let mut lines = vec![Line::raw(report::file_line(catalog, file))];
    for missing in report::missing_field_lines(catalog, file) {
        lines.push(Line::from(Span::styled(
            format!("✖ {missing}"),
            theme.error,
        )));
    }
    lines.push(Line::from(Span::styled(
        report::summary_line(catalog, plan),
        theme.title,
    )));
    for detail in report::detail_lines(catalog, plan) {
        let style = if detail.starts_with(' ') {
            ratatui::style::Style::new()
        } else {
            theme.warning
        };
        lines.push(Line::from(Span::styled(detail, style)));
    }
    let block = Block::bordered().title(Span::styled(
        catalog.t("import_screen.dry_run_title"),
        theme.title,
    ));
    let scroll = u16::try_from(state.scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

fn draw_notice(
    frame: &mut Frame,
    state: &ImportState,
    catalog: &Catalog,
    theme: &Theme,
    area: Rect,
) {
    let line = match (&state.notice, state.step) {
        (Some(notice), _) if notice.ok => {
            Line::from(Span::styled(format!("✔ {}", notice.text), theme.ok))
        }
        (Some(notice), _) => Line::from(Span::styled(format!("✖ {}", notice.text), theme.error)),
        (None, ImportStep::Confirm) => {
            let text = state.plan.as_ref().map_or_else(String::new, |plan| {
                let key = if plan.problems.is_empty() {
                    "import_screen.confirm"
                } else {
                    "import_screen.confirm_skipping"
                };
                catalog.tf(
                    key,
                    &[
                        ("members", &plan.members_to_create()),
                        ("cards", &plan.cards_to_create()),
                        ("bad", &plan.problems.len()),
                    ],
                )
            });
            Line::from(Span::styled(format!("⚠ {text}"), theme.warning))
        }
        (None, ImportStep::Review) => Line::from(Span::styled(
            catalog.t("import_screen.review_keys"),
            theme.muted,
        )),
        (None, _) => Line::raw(""),
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), area);
}
