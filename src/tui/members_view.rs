//! Drawing Members: the search field and matches, the member profile with its sections, and
//! the member form.

use super::app::App;
use super::form_view::draw_labelled_input;
use super::members::{
    FIELD_BIRTH_DATE, FIELD_EMAIL, FIELD_FIRST_NAME, FIELD_LANGUAGE, FIELD_LAST_NAME, FIELD_PHONE,
    MEMBER_FIELDS, MemberForm, MembersMode, Profile, ProfileSection,
};
use super::profile_dialogs::{CardAction, CardDialog, ProfileDialog, SaleDialog};
use super::session_cards::channel_key;
use super::theme::Theme;
use super::view::centered;
use crate::domain::card::CardStatus;
use crate::domain::input::{Phone, format_french};
use crate::domain::ledger::LedgerEvent;
use crate::messages;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, Wrap};

/// Width of the form's labels column.
const LABEL_WIDTH: u16 = 18;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    match &app.members.mode {
        MembersMode::List => draw_list(frame, app, theme, area),
        MembersMode::Profile(profile) => draw_profile(frame, app, theme, profile, area),
        MembersMode::Form(form) => {
            match &form.back {
                Some(profile) => draw_profile(frame, app, theme, profile, area),
                None => draw_list(frame, app, theme, area),
            }
            draw_form(frame, app, theme, form, frame.area());
        }
    }
}

fn draw_list(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let state = &app.members;
    let [search_area, table_area, notice_area] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);

    let title = if state.include_archived {
        catalog.t("members.search_archived")
    } else {
        catalog.t("members.search")
    };
    let block = Block::bordered().title(Span::styled(title, theme.title));
    let inner = block.inner(search_area);
    let width = usize::from(inner.width.saturating_sub(1));
    let scroll = state.query.visual_scroll(width);
    frame.render_widget(
        Paragraph::new(state.query.value())
            .scroll((0, scroll as u16))
            .block(block),
        search_area,
    );
    let cursor = state.query.visual_cursor().saturating_sub(scroll) as u16;
    frame.set_cursor_position((inner.x + cursor.min(inner.width.saturating_sub(1)), inner.y));

    let zone = app.settings().club_time.zone;
    let wide = table_area.width >= 80;
    let height = usize::from(table_area.height.saturating_sub(3)).max(1);
    let first = state.selected.saturating_sub(height - 1);
    let rows = state
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(index, row)| {
            let member = &row.member;
            let marker = if index == state.selected {
                "▶ "
            } else {
                "  "
            };
            let archived = if member.archived {
                format!(" ({})", catalog.t("members.archived"))
            } else {
                String::new()
            };
            let last_visit = member
                .last_visit
                .map(|at| catalog.date(at.with_timezone(&zone).date_naive()))
                .unwrap_or_default();
            let mut cells = vec![
                format!(
                    "{marker}{} {}{archived}",
                    member.last_name, member.first_name
                ),
                member.code.to_string(),
                row.active_cards.to_string(),
                row.sessions_left.to_string(),
            ];
            if wide {
                cells.push(messages::category_label(catalog, &member.category));
                cells.push(last_visit);
            }
            let mut style = if member.archived {
                theme.muted
            } else {
                Style::new()
            };
            if index == state.selected {
                style = style.patch(theme.selection);
            }
            Row::new(cells.into_iter().map(Cell::from)).style(style)
        });
    let mut header = vec![
        catalog.t("members.col_name"),
        catalog.t("members.col_code"),
        catalog.t("members.col_cards"),
        catalog.t("members.col_left"),
    ];
    let mut widths = vec![
        Constraint::Fill(3),
        Constraint::Length(10),
        Constraint::Length(7),
        Constraint::Length(6),
    ];
    // Category and last visit only where the name keeps its room.
    if wide {
        header.extend([
            catalog.t("members.col_category"),
            catalog.t("members.col_last_visit"),
        ]);
        widths.extend([Constraint::Fill(1), Constraint::Length(11)]);
    }
    let header = Row::new(header).style(theme.title);
    let title = catalog.tf(
        "members.matches",
        &[
            ("count", &state.rows.len()),
            ("total", &app.store().member_count()),
        ],
    );
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::bordered().title(title));
    frame.render_widget(table, table_area);

    let notice = match &state.notice {
        Some(notice) => Span::styled(notice.clone(), theme.title),
        None if state.rows.is_empty() && !state.query.value().is_empty() => Span::styled(
            catalog.tf("members.no_match", &[("query", &state.query.value())]),
            theme.muted,
        ),
        None => Span::styled(catalog.t("members.list_keys"), theme.muted),
    };
    frame.render_widget(Paragraph::new(notice), notice_area);
}

pub(super) fn phone_text(phone: &str) -> String {
    format_french(&Phone {
        e164: phone.to_owned(),
        warning: None,
    })
}

fn draw_profile(frame: &mut Frame, app: &App, theme: &Theme, profile: &Profile, area: Rect) {
    let catalog = &app.catalog;
    let member = &profile.member;
    let [header_area, tabs_area, body_area, notice_area] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);

    let archived = if member.archived {
        format!(" · {}", catalog.t("members.archived"))
    } else {
        String::new()
    };
    let label = |key: &str| {
        Span::styled(
            catalog.tf("ui.label", &[("label", &catalog.t(key))]),
            theme.muted,
        )
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(member.full_name(), theme.title),
            Span::raw(format!(
                " · {} · {}{archived}",
                member.code,
                messages::category_label(catalog, &member.category)
            )),
        ]),
        Line::from(vec![
            label("members.field_email"),
            Span::raw(member.email.clone().unwrap_or_else(|| "—".to_owned())),
            Span::raw("  "),
            label("members.field_phone"),
            Span::raw(
                member
                    .phone
                    .as_deref()
                    .map(phone_text)
                    .unwrap_or_else(|| "—".to_owned()),
            ),
        ]),
        Line::from(vec![
            label("members.field_birth_date"),
            Span::raw(
                member
                    .birth_date
                    .map(|d| catalog.date(d))
                    .unwrap_or_else(|| "—".to_owned()),
            ),
            Span::raw("  "),
            label("members.field_notes"),
            Span::raw(member.notes.clone()),
        ]),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered())
            .wrap(Wrap { trim: true }),
        header_area,
    );

    let tab = |section: ProfileSection, key: &str| {
        let style = if profile.section == section {
            theme.selection
        } else {
            theme.muted
        };
        let marker = if profile.section == section {
            "▶"
        } else {
            " "
        };
        Span::styled(format!("{marker}{} ", catalog.t(key)), style)
    };
    let tabs = Line::from(vec![
        tab(ProfileSection::Cards, "members.section_cards"),
        tab(ProfileSection::Purchases, "members.section_purchases"),
        tab(ProfileSection::Attendance, "members.section_attendance"),
        tab(ProfileSection::Contacts, "members.section_contacts"),
        Span::styled(catalog.t("members.section_keys"), theme.muted),
    ]);
    frame.render_widget(Paragraph::new(tabs), tabs_area);

    match profile.section {
        ProfileSection::Cards => match &profile.card_ledger {
            Some(events) => draw_events(
                frame,
                app,
                theme,
                events,
                profile.scroll,
                catalog.t("members.card_ledger"),
                body_area,
            ),
            None => draw_cards(frame, app, theme, profile, body_area),
        },
        ProfileSection::Purchases => draw_purchases(frame, app, theme, profile, body_area),
        ProfileSection::Attendance => draw_events(
            frame,
            app,
            theme,
            &profile.attendance,
            profile.scroll,
            catalog.t("members.section_attendance"),
            body_area,
        ),
        ProfileSection::Contacts => draw_contacts(frame, app, theme, profile, body_area),
    }
    let notice = match &app.members.notice {
        Some(notice) => Span::styled(notice.clone(), theme.title),
        None => Span::styled(catalog.t("members.profile_keys"), theme.muted),
    };
    frame.render_widget(Paragraph::new(notice), notice_area);

    match &profile.dialog {
        Some(ProfileDialog::Sale(dialog)) => draw_sale_dialog(frame, app, theme, dialog),
        Some(ProfileDialog::Card(dialog)) => draw_card_dialog(frame, app, theme, dialog),
        Some(ProfileDialog::Erase) => draw_erase_dialog(frame, app, theme, &profile.member),
        None => {}
    }
}

/// Asks to confirm the erasure of a member's personal details.
fn draw_erase_dialog(frame: &mut Frame, app: &App, theme: &Theme, member: &crate::domain::Member) {
    let catalog = &app.catalog;
    let popup = centered(frame.area(), 64, 9);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(catalog.t("data.erase_title"))
        .border_style(theme.warning);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [body_area, keys_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let body = catalog.tf(
        "data.erase_body",
        &[("name", &member.full_name()), ("code", &member.code)],
    );
    frame.render_widget(
        Paragraph::new(format!("{} {body}", catalog.t("result.warning_symbol")))
            .wrap(Wrap { trim: true }),
        body_area,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(catalog.t("data.erase_keys"), theme.key)),
        keys_area,
    );
}

fn draw_sale_dialog(frame: &mut Frame, app: &App, theme: &Theme, dialog: &SaleDialog) {
    let catalog = &app.catalog;
    let popup = centered(frame.area(), 72, 18);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(catalog.t("sale_dialog.title"))
        .border_style(theme.title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [list_area, payments_area, hint_area, error_area, keys_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);

    let today = app.today();
    let mut lines = vec![Line::from(Span::styled(
        catalog.t("sale_dialog.choose_type"),
        theme.title,
    ))];
    if dialog.types.is_empty() {
        lines.push(Line::raw(catalog.t("sale_dialog.no_type")));
    }
    let height = usize::from(list_area.height.saturating_sub(1)).max(1);
    let first = dialog.selected.saturating_sub(height - 1);
    for (index, card_type) in dialog.types.iter().enumerate().skip(first).take(height) {
        let expiry = messages::expiry_line(catalog, card_type.validity.expiry_for_sale_on(today));
        let marker = if index == dialog.selected {
            "▶ "
        } else {
            "  "
        };
        let style = if index == dialog.selected && dialog.focus == 0 {
            theme.selection
        } else {
            Style::new()
        };
        let text = format!(
            "{marker}{} · {} · {} · {expiry}",
            card_type.name,
            catalog.money(card_type.price_cents),
            card_type.sessions
        );
        lines.push(Line::from(Span::styled(text, style)));
    }
    frame.render_widget(Paragraph::new(lines), list_area);

    draw_labelled_input(
        frame,
        theme,
        catalog.t("sale_dialog.payments"),
        &dialog.payments,
        dialog.focus == 1,
        payments_area,
        LABEL_WIDTH,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(catalog.t("sale_dialog.hint"), theme.muted))
            .wrap(Wrap { trim: true }),
        hint_area,
    );
    if let Some(error) = &dialog.error {
        frame.render_widget(
            Paragraph::new(Span::styled(format!("✖ {error}"), theme.error))
                .wrap(Wrap { trim: true }),
            error_area,
        );
    }
    frame.render_widget(
        Paragraph::new(Span::styled(catalog.t("sale_dialog.keys"), theme.key)),
        keys_area,
    );
}

fn draw_card_dialog(frame: &mut Frame, app: &App, theme: &Theme, dialog: &CardDialog) {
    let catalog = &app.catalog;
    let popup = centered(frame.area(), 72, 17);
    frame.render_widget(Clear, popup);
    let title = catalog.tf("card_action.title", &[("card", &dialog.card.name)]);
    let block = Block::bordered().title(title).border_style(theme.title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [
        list_area,
        value_area,
        hint_area,
        reason_area,
        error_area,
        keys_area,
    ] = Layout::vertical([
        Constraint::Length(CardAction::ALL.len() as u16),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);

    let lines: Vec<Line> = CardAction::ALL
        .iter()
        .enumerate()
        .map(|(index, action)| {
            let marker = if index == dialog.action { "▶ " } else { "  " };
            let style = if index == dialog.action && dialog.focus == 0 {
                theme.selection
            } else {
                Style::new()
            };
            Line::from(Span::styled(
                format!("{marker}{}", catalog.t(action.label_key())),
                style,
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list_area);
    draw_labelled_input(
        frame,
        theme,
        catalog.t("card_action.value"),
        &dialog.value,
        dialog.focus == 1,
        value_area,
        LABEL_WIDTH,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            catalog.t(dialog.current().hint_key()),
            theme.muted,
        ))
        .wrap(Wrap { trim: true }),
        hint_area,
    );
    draw_labelled_input(
        frame,
        theme,
        catalog.t("card_action.reason"),
        &dialog.reason,
        dialog.focus == 2,
        reason_area,
        LABEL_WIDTH,
    );
    if let Some(error) = &dialog.error {
        frame.render_widget(
            Paragraph::new(Span::styled(format!("✖ {error}"), theme.error))
                .wrap(Wrap { trim: true }),
            error_area,
        );
    }
    frame.render_widget(
        Paragraph::new(Span::styled(catalog.t("card_action.keys"), theme.key)),
        keys_area,
    );
}

fn draw_cards(frame: &mut Frame, app: &App, theme: &Theme, profile: &Profile, area: Rect) {
    let catalog = &app.catalog;
    let today = app.today();
    let rows = profile.cards.iter().enumerate().map(|(index, card)| {
        let status = match card.status(today) {
            CardStatus::Active => catalog.t("members.status_active"),
            CardStatus::UsedUp => catalog.t("members.status_used_up"),
            CardStatus::Expired => catalog.t("members.status_expired"),
            CardStatus::Cancelled if card.state == crate::domain::CardState::Refunded => {
                catalog.t("members.status_refunded")
            }
            CardStatus::Cancelled => catalog.t("members.status_cancelled"),
        };
        let marker = if index == profile.selected_card {
            "▶ "
        } else {
            "  "
        };
        let cells = [
            format!("{marker}{}", card.name),
            format!("{}/{}", card.sessions_remaining, card.sessions_total),
            card.expires_on
                .map(|d| catalog.date(d))
                .unwrap_or_else(|| catalog.t("validity.none").to_owned()),
            status.to_owned(),
        ];
        let style = if index == profile.selected_card {
            theme.selection
        } else {
            Style::new()
        };
        Row::new(cells.map(Cell::from)).style(style)
    });
    let header = Row::new([
        catalog.t("members.col_card"),
        catalog.t("members.col_left"),
        catalog.t("members.col_expiry"),
        catalog.t("members.col_status"),
    ])
    .style(theme.title);
    let widths = [
        Constraint::Fill(2),
        Constraint::Length(8),
        Constraint::Length(16),
        Constraint::Length(10),
    ];
    let mut block = Block::bordered().title(catalog.t("members.section_cards"));
    if profile.cards.is_empty() {
        block = block.title_bottom(catalog.t("members.no_card"));
    }
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn draw_purchases(frame: &mut Frame, app: &App, theme: &Theme, profile: &Profile, area: Rect) {
    let catalog = &app.catalog;
    let rows = profile.sales.iter().rev().map(|sale| {
        let payments = if sale.payments.is_empty() {
            "—".to_owned()
        } else {
            messages::payment_lines(catalog, &sale.payments)
        };
        // Every figure that applies: an amount still due must show even after a refund.
        let mut parts = Vec::new();
        if sale.due_cents > 0 {
            parts.push(catalog.tf("members.due", &[("amount", &catalog.money(sale.due_cents))]));
        }
        if sale.refunded_cents > 0 {
            let refunded = catalog.money(sale.refunded_cents);
            parts.push(catalog.tf("members.refunded", &[("amount", &refunded)]));
        }
        if parts.is_empty() {
            parts.push(catalog.t("members.paid").to_owned());
        }
        let state = parts.join(", ");
        Row::new(
            [
                catalog.date(sale.card.sold_on),
                sale.card.name.clone(),
                catalog.money(sale.card.price_cents),
                payments,
                state,
            ]
            .map(Cell::from),
        )
    });
    let header = Row::new([
        catalog.t("members.col_date"),
        catalog.t("members.col_card"),
        catalog.t("members.col_amount"),
        catalog.t("members.col_payments"),
        catalog.t("members.col_status"),
    ])
    .style(theme.title);
    let widths = [
        Constraint::Length(10),
        Constraint::Fill(2),
        Constraint::Length(11),
        Constraint::Fill(3),
        Constraint::Fill(2),
    ];
    let mut block = Block::bordered().title(catalog.t("members.section_purchases"));
    if profile.sales.is_empty() {
        block = block.title_bottom(catalog.t("members.nothing_yet"));
    }
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn draw_contacts(frame: &mut Frame, app: &App, theme: &Theme, profile: &Profile, area: Rect) {
    let catalog = &app.catalog;
    let zone = app.settings().club_time.zone;
    let rows = profile.contacts.iter().skip(profile.scroll).map(|contact| {
        let at = contact.at.with_timezone(&zone);
        Row::new(
            [
                format!("{} {}", catalog.date(at.date_naive()), catalog.time(&at)),
                catalog.t(channel_key(contact.channel)).to_owned(),
                contact.operator.clone(),
                contact.note.clone(),
            ]
            .map(Cell::from),
        )
    });
    let header = Row::new([
        catalog.t("members.col_date"),
        catalog.t("inform.col_channel"),
        catalog.t("inform.col_operator"),
        catalog.t("inform.col_note"),
    ])
    .style(theme.title);
    let widths = [
        Constraint::Length(17),
        Constraint::Length(14),
        Constraint::Length(14),
        Constraint::Fill(1),
    ];
    let mut block = Block::bordered().title(catalog.t("members.section_contacts"));
    if profile.contacts.is_empty() {
        block = block.title_bottom(catalog.t("members.nothing_yet"));
    }
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn draw_events(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    events: &[LedgerEvent],
    scroll: usize,
    title: &str,
    area: Rect,
) {
    let catalog = &app.catalog;
    let zone = app.settings().club_time.zone;
    let lines: Vec<Line> = events
        .iter()
        .skip(scroll)
        .map(|event| {
            Line::raw(messages::ledger_line(
                catalog,
                event,
                zone,
                &app.members.activities,
            ))
        })
        .collect();
    let mut block = Block::bordered().title(title.to_owned());
    if events.is_empty() {
        block = block.title_bottom(catalog.t("members.nothing_yet"));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.muted.patch(Style::new()))
            .wrap(Wrap { trim: true }),
        area,
    );
}

fn draw_form(frame: &mut Frame, app: &App, theme: &Theme, form: &MemberForm, area: Rect) {
    let catalog = &app.catalog;
    let popup = centered(area, 78, 24);
    frame.render_widget(Clear, popup);
    let title = if form.original.is_some() {
        catalog.t("members.form_edit")
    } else {
        catalog.t("members.form_new")
    };
    let block = Block::bordered().title(title).border_style(theme.title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let labels = [
        "members.field_first_name",
        "members.field_last_name",
        "members.field_email",
        "members.field_phone",
        "members.field_birth_date",
        "members.field_category",
        "members.field_language",
        "members.field_notes",
    ];
    let errors = messages::member_errors(catalog, &form.errors);
    let mut y = inner.y;
    for field in 0..MEMBER_FIELDS {
        if y + 2 > inner.bottom() {
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
        let hint = match field {
            FIELD_FIRST_NAME | FIELD_LAST_NAME => catalog.t("members.hint_required"),
            FIELD_EMAIL => catalog.t("members.hint_email"),
            FIELD_PHONE => catalog.t("members.hint_phone"),
            FIELD_BIRTH_DATE => catalog.t("members.hint_birth_date"),
            FIELD_LANGUAGE => catalog.t("members.hint_language"),
            _ => "",
        };
        let below = Rect {
            x: inner.x + LABEL_WIDTH,
            y: y + 1,
            width: inner.width.saturating_sub(LABEL_WIDTH),
            height: 1,
        };
        let line = match (form.show_errors, &errors[field]) {
            (true, Some(error)) => Span::styled(format!("✖ {error}"), theme.error),
            _ => Span::styled(hint.to_owned(), theme.muted),
        };
        frame.render_widget(Paragraph::new(line), below);
        y += 2;
    }

    let footer = Rect {
        x: inner.x,
        y,
        width: inner.width,
        height: inner.bottom().saturating_sub(y),
    };
    let mut lines = Vec::new();
    if !form.duplicates.is_empty() {
        lines.push(Line::from(Span::styled(
            catalog.t("members.duplicates"),
            theme.warning,
        )));
        for member in form.duplicates.iter().take(3) {
            let birth = member
                .birth_date
                .map(|d| catalog.date(d))
                .unwrap_or_default();
            let email = member.email.clone().unwrap_or_default();
            lines.push(Line::raw(format!(
                "  {} · {} · {birth} {email}",
                member.full_name(),
                member.code
            )));
        }
        let keys = if form.original.is_some() {
            "members.duplicates_keys_edit"
        } else {
            "members.duplicates_keys"
        };
        lines.push(Line::from(Span::styled(catalog.t(keys), theme.warning)));
    }
    lines.push(Line::from(Span::styled(
        catalog.t("members.form_keys"),
        theme.key,
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), footer);
}
