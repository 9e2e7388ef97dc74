//! The front desk: the scan field, the large result panel, today's check-ins, and the
//! current activity.

use super::app::{App, Panel};
use super::keymap::Command;
use super::theme::Theme;
use super::view::centered;
use crate::domain::checkin::Refusal;
use crate::messages;
use crate::store::{CheckInOutcome, TodayCheckIn};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, Wrap};
use tui_big_text::{BigText, PixelSize};

/// Size of one letter drawn with quadrant pixels: 8×8 pixels in 4×4 cells.
const BIG_GLYPH_WIDTH: u16 = 4;
const BIG_GLYPH_HEIGHT: u16 = 4;

/// Width of the lower area from which the demo codes get a column of their own.
const SIDE_COLUMN_FROM: u16 = 80;
const SIDE_COLUMN_WIDTH: u16 = 28;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let [scan, result, lower] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(11),
        Constraint::Min(0),
    ])
    .areas(area);
    draw_scan_field(frame, app, theme, scan);
    draw_result(frame, app, theme, result);

    // The demo codes get a column of their own only where the table keeps its room;
    // elsewhere they run along the table's bottom border.
    if lower.width >= SIDE_COLUMN_FROM && !app.demo_codes.is_empty() {
        let [today, side] =
            Layout::horizontal([Constraint::Min(40), Constraint::Length(SIDE_COLUMN_WIDTH)])
                .areas(lower);
        draw_today(frame, app, theme, today, false);
        draw_demo_codes(frame, app, theme, side);
    } else {
        draw_today(frame, app, theme, lower, true);
    }
}

fn draw_scan_field(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let block =
        Block::bordered().title(Span::styled(app.catalog.t("desk.scan_title"), theme.title));
    let inner = block.inner(area);
    let width = usize::from(inner.width.saturating_sub(1));
    let scroll = app.scan.visual_scroll(width);
    let text = Paragraph::new(app.scan.value())
        .scroll((0, scroll as u16))
        .block(block);
    frame.render_widget(text, area);
    if app.popup.is_none() {
        let cursor = app.scan.visual_cursor().saturating_sub(scroll) as u16;
        frame.set_cursor_position((inner.x + cursor.min(inner.width.saturating_sub(1)), inner.y));
    }
}

/// The result panel's content: a style, a symbol and a word (drawn large), and details.
struct PanelContent {
    style: Style,
    symbol: String,
    word: String,
    details: Vec<String>,
}

fn panel_content(app: &App, theme: &Theme) -> PanelContent {
    let catalog = &app.catalog;
    let content = |style, symbol: &str, word: &str, details: Vec<String>| PanelContent {
        style,
        symbol: catalog.t(symbol).to_owned(),
        word: catalog.t(word).to_owned(),
        details,
    };
    match &app.panel {
        Panel::Ready => PanelContent {
            style: Style::new(),
            symbol: String::new(),
            word: String::new(),
            details: ready_lines(app),
        },
        Panel::Scan(result) => {
            let zone = app.settings().club_time.zone;
            // The first line repeats the symbol and word that the panel draws large.
            let mut details: Vec<String> = messages::scan_result_lines(catalog, result, zone)
                .into_iter()
                .skip(1)
                .collect();
            let (style, symbol, word) = match result.outcome {
                CheckInOutcome::Accepted { .. } => {
                    (theme.ok, "result.accepted_symbol", "result.accepted")
                }
                CheckInOutcome::AlreadyCheckedIn { .. } => {
                    (theme.warning, "result.warning_symbol", "result.already")
                }
                CheckInOutcome::Refused { .. } => {
                    (theme.error, "result.refused_symbol", "result.refused")
                }
            };
            if let CheckInOutcome::Refused {
                member: Some(_),
                refusal,
            } = &result.outcome
                && matches!(
                    refusal,
                    Refusal::NoCard
                        | Refusal::AllUsedUp
                        | Refusal::Expired { .. }
                        | Refusal::NoCardForActivity
                )
            {
                let key = app.keymap.key_for(Command::Sell).unwrap_or("");
                details.push(catalog.tf("desk.sell_hint", &[("key", &key)]));
            }
            if matches!(result.outcome, CheckInOutcome::AlreadyCheckedIn { .. }) {
                let key = app.keymap.key_for(Command::ChargeAgain).unwrap_or("");
                details.push(catalog.tf("desk.charge_again_hint", &[("key", &key)]));
            }
            content(style, symbol, word, details)
        }
        Panel::Unreadable => content(
            theme.error,
            "result.refused_symbol",
            "result.unreadable",
            vec![catalog.t("refusal.unreadable").to_owned()],
        ),
        Panel::Undone(row) => content(
            theme.warning,
            "result.undo_symbol",
            "result.undone",
            vec![
                row.member_name.clone(),
                catalog.tf("desk.undone_detail", &[("card", &row.card_name)]),
            ],
        ),
        Panel::NothingToUndo => PanelContent {
            style: theme.muted,
            symbol: String::new(),
            word: String::new(),
            details: vec![catalog.t("desk.nothing_to_undo").to_owned()],
        },
        Panel::NothingToChargeAgain => PanelContent {
            style: theme.muted,
            symbol: String::new(),
            word: String::new(),
            details: vec![catalog.t("desk.nothing_to_charge_again").to_owned()],
        },
        Panel::Error(text) => content(
            theme.error,
            "result.refused_symbol",
            "result.error",
            vec![text.clone()],
        ),
        Panel::Notice { lines, warning } => PanelContent {
            style: if *warning { theme.warning } else { theme.ok },
            symbol: String::new(),
            word: String::new(),
            details: lines.clone(),
        },
    }
}

/// Returns the ready message, followed in a demo club by the codes to try and what each shows.
fn ready_lines(app: &App) -> Vec<String> {
    let catalog = &app.catalog;
    let mut lines = vec![catalog.t("desk.ready").to_owned()];
    if !app.demo_codes.is_empty() {
        lines.push(catalog.t("desk.demo_codes").to_owned());
        for (label_key, code) in &app.demo_codes {
            lines.push(format!("  {code}  {}", catalog.t(label_key)));
        }
    }
    lines
}

/// Draws the outcome so it reads from a step away: the word in large letters when it fits,
/// then the symbol and the word in normal text, then the details. The normal text reads
/// without color, and it is what screen readers and terminal captures see.
fn draw_result(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let content = panel_content(app, theme);
    let activity = app
        .activity_name()
        .unwrap_or(app.catalog.t("desk.all_activities"));
    let title = app
        .catalog
        .tf("desk.result_title", &[("activity", &activity)]);
    let block = Block::bordered().border_style(content.style).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let big_width = content.word.chars().count() as u16 * BIG_GLYPH_WIDTH;
    let draw_big = !content.word.is_empty()
        && big_width <= inner.width
        && inner.height >= BIG_GLYPH_HEIGHT + 3;
    let big_height = if draw_big { BIG_GLYPH_HEIGHT } else { 0 };
    let [big, text] =
        Layout::vertical([Constraint::Length(big_height), Constraint::Min(0)]).areas(inner);

    let mut lines = Vec::new();
    let mut details = content.details.into_iter();
    if draw_big {
        let word = BigText::builder()
            .pixel_size(PixelSize::Quadrant)
            .style(content.style)
            .lines(vec![Line::raw(content.word.clone())])
            .build();
        frame.render_widget(word, big);
        // The symbol and word lead the first detail, so the outcome reads without color.
        if let Some(first) = details.next() {
            lines.push(Line::from(vec![
                Span::styled(
                    format!(" {} {} ", content.symbol, content.word),
                    content.style,
                ),
                Span::raw(format!(" {first}")),
            ]));
        }
    } else if !content.word.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(" {} {} ", content.symbol, content.word),
            content.style,
        )));
    }
    lines.extend(details.map(Line::raw));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
}

fn draw_today(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, demo_codes_below: bool) {
    let catalog = &app.catalog;
    let zone = app.settings().club_time.zone;
    let title = catalog.tf("desk.today_title", &[("count", &app.charges_today())]);
    let visible = usize::from(area.height.saturating_sub(3));
    let rows = app.today.iter().take(visible).map(|row| {
        let time = catalog.time(&row.event.at.with_timezone(&zone));
        let style = if row.reverted {
            theme.muted
        } else {
            Style::new()
        };
        let left = if row.reverted {
            catalog.t("desk.reverted").to_owned()
        } else {
            row.remaining_after.to_string()
        };
        let cells = [time, row.member_name.clone(), row.card_name.clone(), left];
        Row::new(cells.map(Cell::from)).style(style)
    });
    let header = Row::new([
        catalog.t("desk.col_time"),
        catalog.t("desk.col_member"),
        catalog.t("desk.col_card"),
        catalog.t("desk.col_left"),
    ])
    .style(theme.title);
    let widths = [
        Constraint::Length(5),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(6),
    ];

    let mut block = Block::bordered().title(title);
    if demo_codes_below && !app.demo_codes.is_empty() {
        // As many codes as the border has room for; the ready panel lists them all.
        let room = usize::from(area.width.saturating_sub(4));
        let mut line = format!(" {}", catalog.t("desk.demo_codes_short"));
        for (index, (_, code)) in app.demo_codes.iter().enumerate() {
            let separator = if index == 0 { " " } else { " · " };
            let next = format!("{separator}{code}");
            if unicode_width::UnicodeWidthStr::width(line.as_str()) + next.len() + 1 > room {
                break;
            }
            line.push_str(&next);
        }
        line.push(' ');
        block = block.title_bottom(Line::from(Span::styled(line, theme.key)));
    }
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn draw_demo_codes(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let mut lines = Vec::new();
    for (label_key, code) in &app.demo_codes {
        lines.push(Line::from(vec![
            Span::styled(code.to_string(), theme.key),
            Span::raw(format!(" {}", catalog.t(label_key))),
        ]));
    }
    let block = Block::bordered().title(catalog.t("desk.demo_codes"));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

pub fn draw_confirm_undo(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    row: &TodayCheckIn,
    area: Rect,
) {
    let catalog = &app.catalog;
    let zone = app.settings().club_time.zone;
    let time = catalog.time(&row.event.at.with_timezone(&zone));
    let key = app.keymap.key_for(Command::Undo).unwrap_or("");
    let lines = vec![
        Line::raw(catalog.tf(
            "desk.undo_question",
            &[("name", &row.member_name), ("time", &time)],
        )),
        Line::raw(catalog.tf("desk.undo_effect", &[("card", &row.card_name)])),
        Line::raw(""),
        Line::from(Span::styled(
            catalog.tf("desk.undo_keys", &[("key", &key)]),
            theme.key,
        )),
    ];
    let popup = centered(area, 64, 7);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(catalog.t("keys.undo"))
        .border_style(theme.warning);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
