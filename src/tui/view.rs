//! Drawing: the frame's layout, the sidebar, the footer, popups, and the notice shown when
//! the window is too small. Drawing only reads the app.

use super::app::{App, Panel, Popup, Screen};
use super::keymap::{Binding, Command, KeyScope};
use super::theme::Theme;
use super::{
    front_desk, import_view, members_view, pricing_view, reports_view, session_cards_view,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// Fits the longest entry, the French one for session cards, and a border.
const SIDEBAR_WIDTH: u16 = 25;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(frame, app, area);
        return;
    }

    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let [sidebar, main] =
        Layout::horizontal([Constraint::Length(SIDEBAR_WIDTH), Constraint::Min(0)]).areas(body);

    draw_header(frame, app, theme, header);
    draw_sidebar(frame, app, theme, sidebar);
    // The footer comes before the screen, whose forms may cover the whole window.
    draw_footer(frame, app, theme, footer);
    match app.screen {
        Screen::FrontDesk => front_desk::draw(frame, app, theme, main),
        Screen::Pricing => pricing_view::draw(frame, app, theme, main),
        Screen::Members => members_view::draw(frame, app, theme, main),
        Screen::SessionCards => session_cards_view::draw(frame, app, theme, main),
        Screen::Import => import_view::draw(frame, app, theme, main),
        Screen::Reports => reports_view::draw(frame, app, theme, main),
    }

    match &app.popup {
        Some(Popup::Help) => draw_help(frame, app, theme, area),
        Some(Popup::ConfirmUndo(row)) => {
            front_desk::draw_confirm_undo(frame, app, theme, row, area)
        }
        None => {}
    }
}

fn draw_too_small(frame: &mut Frame, app: &App, area: Rect) {
    let catalog = &app.catalog;
    let text = catalog.tf(
        "ui.too_small",
        &[
            ("width", &MIN_WIDTH),
            ("height", &MIN_HEIGHT),
            ("current", &format!("{}×{}", area.width, area.height)),
        ],
    );
    // A scan still counts while the window is too small, so its outcome shows here too.
    let mut lines = vec![Line::raw(text)];
    if let Panel::Scan(result) = &app.panel {
        let zone = app.settings().club_time.zone;
        let outcome = crate::messages::scan_result_lines(catalog, result, zone);
        lines.push(Line::raw(outcome.join(" · ")));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

fn draw_header(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    let local_now = app.now().with_timezone(&app.settings().club_time.zone);
    let clock = format!(
        "{} {}",
        catalog.date(local_now.date_naive()),
        catalog.time(&local_now)
    );
    let club = &app.settings().club_name;
    let title = if club.is_empty() {
        format!(" Carnet · {}", screen_title(app, app.screen))
    } else {
        format!(" Carnet · {club} · {}", screen_title(app, app.screen))
    };
    let [left, right] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(clock.chars().count() as u16 + 2),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Span::styled(title, theme.title)), left);
    // The leading space keeps a long club name from running into the clock.
    frame.render_widget(Paragraph::new(format!(" {clock}")), right);
}

pub fn screen_title<'a>(app: &'a App, screen: Screen) -> &'a str {
    let key = match screen {
        Screen::FrontDesk => "screen.front_desk",
        Screen::Members => "screen.members",
        Screen::Pricing => "screen.pricing",
        Screen::SessionCards => "screen.session_cards",
        Screen::Reports => "screen.reports",
        Screen::Import => "import_screen.title",
    };
    app.catalog.t(key)
}

fn draw_sidebar(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let catalog = &app.catalog;
    // Keys come first so every label fits. The current screen is marked by a symbol as well
    // as by reversed video, so it reads without color.
    let entry = |screen: Screen, command: Command, indent: &str| {
        let key = app.keymap.key_for(command).unwrap_or("");
        let current = app.screen == screen;
        let marker = if current { "▶" } else { " " };
        let style = if current {
            theme.selection
        } else {
            ratatui::style::Style::new()
        };
        Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{key:<3}"), theme.key),
            Span::styled(format!("{indent}{}", screen_title(app, screen)), style),
        ])
    };
    let group =
        |key: &str| Line::from(Span::styled(format!("    {}", catalog.t(key)), theme.muted));
    let lines = vec![
        entry(Screen::FrontDesk, Command::FrontDesk, ""),
        entry(Screen::Members, Command::Members, ""),
        group("menu.finance"),
        entry(Screen::Pricing, Command::Pricing, "› "),
        group("menu.practice"),
        entry(Screen::SessionCards, Command::SessionCards, "› "),
        entry(Screen::Reports, Command::Reports, ""),
    ];
    let block = Block::new().borders(Borders::RIGHT);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_footer(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    // Screen shortcuts first when the screen has any, then the global ones that fit.
    let global = [
        Command::Help,
        Command::NextActivity,
        Command::ChargeAgain,
        Command::Undo,
        Command::Quit,
    ];
    let bindings: Vec<&Binding> = match app.key_scope() {
        Some(scope) => app
            .keymap
            .scoped(scope)
            .chain(
                app.keymap
                    .bindings
                    .iter()
                    .filter(|b| matches!(b.action, Command::Help | Command::Quit)),
            )
            .collect(),
        None => global
            .iter()
            .filter_map(|command| app.keymap.bindings.iter().find(|b| b.action == *command))
            .collect(),
    };
    let mut spans = Vec::new();
    for binding in bindings {
        let key = binding.keys.first().map(String::as_str).unwrap_or("");
        // "^N" is the usual short form of Ctrl-N and keeps the footer on one line.
        let key = key
            .strip_prefix("Ctrl-")
            .map_or_else(|| key.to_owned(), |letter| format!("^{letter}"));
        spans.push(Span::styled(format!(" {key} "), theme.key));
        spans.push(Span::raw(format!("{} ", app.catalog.t(&binding.label))));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_help(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    const WIDTH: u16 = 72;
    const KEYS_COLUMN: usize = 21;
    let catalog = &app.catalog;
    let inner_width = usize::from(WIDTH.min(area.width).saturating_sub(2)).max(1);

    let mut lines = Vec::new();
    let mut height = 0;
    // Global keys, and those of the screen under the help.
    let screen_scope = match app.screen {
        Screen::Pricing => Some(KeyScope::Pricing),
        Screen::Members if app.members.in_profile() => Some(KeyScope::MemberProfile),
        Screen::Members => Some(KeyScope::Members),
        Screen::Import => Some(KeyScope::Import),
        Screen::Reports => Some(KeyScope::Reports),
        _ => None,
    };
    for binding in app
        .keymap
        .bindings
        .iter()
        .filter(|b| b.screen.is_none() || b.screen == screen_scope)
    {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<KEYS_COLUMN$}", binding.keys.join(", ")),
                theme.key,
            ),
            Span::raw(catalog.t(&binding.label).to_owned()),
        ]));
        height += 1;
    }
    lines.push(Line::raw(""));
    height += 1;
    for key in ["help.scan", "help.keys_text", "help.esc", "help.close"] {
        let text = catalog.t(key);
        // Wrapped lines: an estimate by display width, enough to size the popup.
        height += unicode_width::UnicodeWidthStr::width(text).div_ceil(inner_width);
        lines.push(Line::raw(text.to_owned()));
    }

    let popup = centered(area, WIDTH, height as u16 + 2);
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(catalog.t("keys.help"));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}

/// Returns a rectangle of at most `width`×`height` in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
