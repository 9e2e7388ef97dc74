//! Drawing Finance › Pricing: the card type table with the selected type's details, and the
//! form, activities, history and delete popups.

use super::app::App;
use super::form_view::draw_labelled_input;
use super::pricing::{
    ActivitiesPanel, CardTypeForm, FIELD_ACTIVITIES, FIELD_NAME, FIELD_PRICE, FIELD_SESSIONS,
    FIELD_VALIDITY, PricingMode, PricingState, TEXT_FIELDS,
};
use super::theme::Theme;
use super::view::centered;
use crate::domain::card_type::CardType;
use crate::domain::pricing::{parse_validity, price_per_session};
use crate::messages;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, Wrap};

/// Width of the form's labels column.
const LABEL_WIDTH: u16 = 16;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let state = &app.pricing;
    let [table_area, details_area, notice_area] = Layout::vertical([
        Constraint::Min(6),
        Constraint::Length(7),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_table(frame, app, theme, table_area);
    draw_details(frame, app, theme, details_area);
    if let Some(notice) = &state.notice {
        frame.render_widget(
            Paragraph::new(Span::styled(notice.clone(), theme.title)),
            notice_area,
        );
    }

    // Popups use the whole window, not only the area beside the sidebar.
    let area = frame.area();
    match &state.mode {
        PricingMode::List => {}
        PricingMode::Form(form) => draw_form(frame, app, theme, form, area),
        PricingMode::ConfirmDelete(id) => {
            let name = state
                .types
                .iter()
                .find(|t| t.id == *id)
                .map_or("", |t| t.name.as_str());
            let text = app.catalog.tf("pricing.confirm_delete", &[("name", &name)]);
            draw_question(frame, app, theme, &text, area);
        }
        PricingMode::Activities(panel) => draw_activities(frame, app, theme, panel, area),
        PricingMode::History { scroll } => draw_history(frame, app, theme, *scroll, area),
    }
}

fn draw_table(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.pricing;
    let wide = area.width >= 100;
    let mut header = vec![
        catalog.t("pricing.col_name"),
        catalog.t("pricing.col_price"),
        catalog.t("pricing.col_sessions"),
        catalog.t("pricing.col_validity"),
        catalog.t("pricing.col_cards"),
    ];
    let mut widths = vec![
        Constraint::Fill(3),
        Constraint::Length(11),
        Constraint::Length(6),
        Constraint::Fill(2),
        Constraint::Length(9),
    ];
    if wide {
        header.extend([
            catalog.t("pricing.col_per_session"),
            catalog.t("pricing.col_audience"),
            catalog.t("pricing.col_status"),
        ]);
        widths.extend([
            Constraint::Length(11),
            Constraint::Fill(1),
            Constraint::Length(9),
        ]);
    }

    let visible = state.visible();
    let height = usize::from(area.height.saturating_sub(3)).max(1);
    let first = state.selected.saturating_sub(height - 1);
    let rows = visible
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(index, card_type)| {
            let usage = state.usage.get(&card_type.id).copied().unwrap_or_default();
            let mut cells = vec![
                format!(
                    "{}{}",
                    if index == state.selected {
                        "▶ "
                    } else {
                        "  "
                    },
                    card_type.name
                ),
                catalog.money(card_type.price_cents),
                card_type.sessions.to_string(),
                messages::validity_words(catalog, card_type.validity),
                format!("{}/{}", usage.active, usage.sold),
            ];
            if wide {
                cells.extend([
                    catalog.money(price_per_session(card_type.price_cents, card_type.sessions)),
                    card_type.audience.clone(),
                    status_word(app, card_type).to_owned(),
                ]);
            }
            let mut style = if card_type.archived {
                theme.muted
            } else {
                Style::new()
            };
            if index == state.selected {
                style = style.patch(theme.selection);
            }
            Row::new(cells.into_iter().map(Cell::from)).style(style)
        });

    let shown = visible.len();
    let archived = state.types.iter().filter(|t| t.archived).count();
    let title = if state.show_archived {
        catalog.tf("pricing.title_with_archived", &[("count", &shown)])
    } else {
        catalog.tf(
            "pricing.title",
            &[("count", &shown), ("archived", &archived)],
        )
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title))
        .block(Block::bordered().title(title));
    frame.render_widget(table, area);
}

fn status_word<'a>(app: &'a App, card_type: &CardType) -> &'a str {
    if card_type.archived {
        app.catalog.t("pricing.status_archived")
    } else {
        app.catalog.t("pricing.status_active")
    }
}

fn draw_details(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.pricing;
    let block = Block::bordered().title(catalog.t("pricing.details"));
    let Some(card_type) = state.selected_type() else {
        let empty = Paragraph::new(catalog.t("pricing.empty"))
            .block(block)
            .wrap(Wrap { trim: true });
        frame.render_widget(empty, area);
        return;
    };
    let usage = state.usage.get(&card_type.id).copied().unwrap_or_default();
    let activities = activity_names(state, &card_type.activities)
        .unwrap_or_else(|| catalog.t("pricing.all_activities").to_owned());
    let label = |key: &str| {
        Span::styled(
            catalog.tf("ui.label", &[("label", &catalog.t(key))]),
            theme.muted,
        )
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(card_type.name.clone(), theme.title),
            Span::raw(format!(" · {}", status_word(app, card_type))),
        ]),
        Line::from(vec![
            label("pricing.col_price"),
            Span::raw(catalog.money(card_type.price_cents)),
            Span::raw(" · "),
            label("pricing.col_per_session"),
            Span::raw(catalog.money(price_per_session(card_type.price_cents, card_type.sessions))),
        ]),
        Line::from(vec![
            label("pricing.col_validity"),
            Span::raw(messages::validity_words(catalog, card_type.validity)),
        ]),
        Line::from(vec![
            label("pricing.col_audience"),
            Span::raw(card_type.audience.clone()),
            Span::raw(" · "),
            label("pricing.col_activities"),
            Span::raw(activities),
        ]),
        Line::raw(catalog.tf(
            "pricing.usage",
            &[("active", &usage.active), ("sold", &usage.sold)],
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

fn activity_names(state: &PricingState, ids: &[crate::domain::ActivityId]) -> Option<String> {
    if ids.is_empty() {
        return None;
    }
    let names: Vec<&str> = ids
        .iter()
        .filter_map(|id| {
            state
                .activities
                .iter()
                .find(|a| a.id == *id)
                .map(|a| a.name.as_str())
        })
        .collect();
    Some(names.join(", "))
}

fn draw_form(frame: &mut Frame, app: &App, theme: &Theme, form: &CardTypeForm, area: Rect) {
    let catalog = &app.catalog;
    let popup = centered(area, 78, 24);
    frame.render_widget(Clear, popup);
    let title = if form.original.is_some() {
        catalog.t("pricing.form_edit")
    } else {
        catalog.t("pricing.form_new")
    };
    let block = Block::bordered().title(title).border_style(theme.title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let labels = [
        "pricing.field_name",
        "pricing.field_price",
        "pricing.field_sessions",
        "pricing.field_validity",
        "pricing.field_audience",
    ];
    let hints = [
        String::new(),
        catalog.t("pricing.hint_price").to_owned(),
        catalog.t("pricing.hint_sessions").to_owned(),
        validity_preview(app, form),
        audience_hint(app, form),
    ];
    let errors = field_errors(app, form);
    // Each field takes three rows: the input, then two for its error or hint, wrapped.
    let mut y = inner.y;
    for field in 0..TEXT_FIELDS {
        if y + 3 > inner.bottom() {
            break;
        }
        let focused = form.focus == field;
        let row = Rect {
            x: inner.x,
            y,
            width: inner.width,
            height: 1,
        };
        draw_labelled_input(
            frame,
            theme,
            catalog.t(labels[field]),
            &form.inputs[field],
            focused,
            row,
            LABEL_WIDTH,
        );

        let below = Rect {
            x: inner.x + LABEL_WIDTH,
            y: y + 1,
            width: inner.width.saturating_sub(LABEL_WIDTH),
            height: 2,
        };
        let line = match &errors[field] {
            Some(error) => Span::styled(format!("✖ {error}"), theme.error),
            None => Span::styled(hints[field].clone(), theme.muted),
        };
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), below);
        y += 3;
    }

    // The activity checklist.
    let focused = form.focus == FIELD_ACTIVITIES;
    let marker = if focused { "▶ " } else { "  " };
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{marker}{}", catalog.t("pricing.field_activities")),
            theme.title,
        ),
        Span::styled(
            format!("  {}", catalog.t("pricing.hint_activities")),
            theme.muted,
        ),
    ])];
    if form.choices.is_empty() {
        lines.push(Line::raw(format!(
            "    {}",
            catalog.t("pricing.no_activities")
        )));
    }
    for (index, (id, name)) in form.choices.iter().enumerate() {
        let tick = if form.activities.contains(id) {
            "[x]"
        } else {
            "[ ]"
        };
        let style = if focused && index == form.activity_cursor {
            theme.selection
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(
            format!("    {tick} {name}"),
            style,
        )));
    }
    let footer_height = 2;
    let list_area = Rect {
        x: inner.x,
        y,
        width: inner.width,
        height: inner.bottom().saturating_sub(y + footer_height),
    };
    let skip = form
        .activity_cursor
        .saturating_sub(usize::from(list_area.height.saturating_sub(2)));
    let lines: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || *i > skip)
        .map(|(_, l)| l)
        .collect();
    frame.render_widget(Paragraph::new(lines), list_area);

    // Confirmation, refusal, and keys.
    let footer = Rect {
        x: inner.x,
        y: inner.bottom().saturating_sub(footer_height),
        width: inner.width,
        height: footer_height,
    };
    let mut lines = Vec::new();
    if form.confirming {
        lines.push(Line::from(Span::styled(
            catalog.tf("pricing.confirm_snapshot", &[("sold", &form.sold)]),
            theme.warning,
        )));
    } else if let Some(refusal) = &form.refusal {
        lines.push(Line::from(Span::styled(
            format!("✖ {refusal}"),
            theme.error,
        )));
    } else if form.original.is_some() && form.sold > 0 {
        lines.push(Line::from(Span::styled(
            catalog.tf("pricing.snapshot_note", &[("sold", &form.sold)]),
            theme.muted,
        )));
    }
    lines.push(Line::from(Span::styled(
        catalog.t("pricing.form_keys"),
        theme.key,
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), footer);
}

/// Returns the error of each text field in words, once errors are to be shown.
fn field_errors(app: &App, form: &CardTypeForm) -> [Option<String>; TEXT_FIELDS] {
    let catalog = &app.catalog;
    if !form.show_errors {
        return Default::default();
    }
    let errors = &form.errors;
    let mut texts: [Option<String>; TEXT_FIELDS] = Default::default();
    texts[FIELD_NAME] = errors
        .name
        .as_ref()
        .map(|e| messages::name_error(catalog, e));
    texts[FIELD_PRICE] = errors
        .price
        .as_ref()
        .map(|e| messages::amount_error(catalog, e));
    texts[FIELD_SESSIONS] = errors
        .sessions
        .as_ref()
        .map(|e| messages::sessions_error(catalog, e));
    texts[FIELD_VALIDITY] = errors
        .validity
        .as_ref()
        .map(|e| messages::validity_error(catalog, e));
    texts
}

/// Describes the expiry a card sold today would get.
fn validity_preview(app: &App, form: &CardTypeForm) -> String {
    let catalog = &app.catalog;
    let today = app.today();
    match parse_validity(form.inputs[FIELD_VALIDITY].value(), today) {
        Ok(validity) => match validity.expiry_for_sale_on(today) {
            Some(date) => catalog.tf("pricing.preview_expiry", &[("date", &catalog.date(date))]),
            None => catalog.t("pricing.preview_no_expiry").to_owned(),
        },
        Err(_) => catalog.t("pricing.hint_validity").to_owned(),
    }
}

fn audience_hint(app: &App, form: &CardTypeForm) -> String {
    let suggestions = form.audience_suggestions();
    if suggestions.is_empty() {
        return app.catalog.t("pricing.hint_audience").to_owned();
    }
    app.catalog.tf(
        "pricing.audience_suggestions",
        &[("labels", &suggestions.join(", "))],
    )
}

fn draw_question(frame: &mut Frame, app: &App, theme: &Theme, text: &str, area: Rect) {
    let popup = centered(area, 60, 6);
    frame.render_widget(Clear, popup);
    let lines = vec![
        Line::raw(text.to_owned()),
        Line::raw(""),
        Line::from(Span::styled(
            app.catalog.t("pricing.confirm_keys"),
            theme.key,
        )),
    ];
    let block = Block::bordered().border_style(theme.warning);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        popup,
    );
}

fn draw_activities(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    panel: &ActivitiesPanel,
    area: Rect,
) {
    let catalog = &app.catalog;
    let state = &app.pricing;
    let popup = centered(area, 60, 18);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(catalog.t("pricing.activities_title"))
        .border_style(theme.title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let [list_area, edit_area, keys_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(2),
        Constraint::Length(2),
    ])
    .areas(inner);
    let mut lines = Vec::new();
    if state.activities.is_empty() {
        lines.push(Line::raw(catalog.t("pricing.no_activities")));
    }
    let height = usize::from(list_area.height).max(1);
    let first = panel.selected.saturating_sub(height - 1);
    for (index, activity) in state.activities.iter().enumerate().skip(first).take(height) {
        let tag = if activity.archived {
            format!(" ({})", catalog.t("pricing.status_archived"))
        } else {
            String::new()
        };
        let marker = if index == panel.selected {
            "▶ "
        } else {
            "  "
        };
        let mut style = if activity.archived {
            theme.muted
        } else {
            Style::new()
        };
        if index == panel.selected {
            style = style.patch(theme.selection);
        }
        lines.push(Line::from(Span::styled(
            format!("{marker}{}{tag}", activity.name),
            style,
        )));
    }
    frame.render_widget(Paragraph::new(lines), list_area);

    if let Some((editing, input)) = &panel.editing {
        let label = if editing.is_some() {
            catalog.t("pricing.activity_rename")
        } else {
            catalog.t("pricing.activity_new")
        };
        let prompt = catalog.tf("ui.label", &[("label", &label)]);
        let prompt_width = unicode_width::UnicodeWidthStr::width(prompt.as_str()) as u16;
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prompt, theme.title),
                Span::raw(input.value().to_owned()),
            ])),
            edit_area,
        );
        let cursor = input.visual_cursor() as u16;
        frame.set_cursor_position((
            edit_area.x + (prompt_width + cursor).min(edit_area.width.saturating_sub(1)),
            edit_area.y,
        ));
    } else if let Some(id) = panel.confirm_delete {
        let name = state
            .activities
            .iter()
            .find(|a| a.id == id)
            .map_or("", |a| a.name.as_str());
        let text = catalog.tf("pricing.confirm_delete_activity", &[("name", &name)]);
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.warning)).wrap(Wrap { trim: true }),
            edit_area,
        );
    }
    let keys = if panel.editing.is_some() {
        catalog.t("pricing.activity_edit_keys")
    } else {
        catalog.t("pricing.activities_keys")
    };
    frame.render_widget(
        Paragraph::new(Span::styled(keys, theme.key)).wrap(Wrap { trim: true }),
        keys_area,
    );
}

fn draw_history(frame: &mut Frame, app: &App, theme: &Theme, scroll: usize, area: Rect) {
    let catalog = &app.catalog;
    let popup = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(catalog.t("pricing.history_title"))
        .border_style(theme.title);
    let zone = app.settings().club_time.zone;
    let mut lines: Vec<Line> = app
        .pricing
        .history
        .iter()
        .skip(scroll)
        .map(|event| {
            Line::raw(messages::audit_line(
                catalog,
                event,
                zone,
                &app.pricing.activities,
            ))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::raw(catalog.t("pricing.history_empty")));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        catalog.t("pricing.history_keys"),
        theme.key,
    )));
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        popup,
    );
}
