//! Screens whose full versions are not built yet. Each shows the real figures that exist
//! today and the commands that work on them, and nothing made up.

use super::app::{App, Screen};
use super::theme::Theme;
use super::view::screen_title;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, screen: Screen, area: Rect) {
    let catalog = &app.catalog;
    let store = app.store();
    let (figure, command) = match screen {
        Screen::Members => (
            catalog.tf("other.members_count", &[("count", &store.member_count())]),
            "carnet export members",
        ),
        Screen::Pricing => (
            catalog.tf(
                "other.card_types_count",
                &[("count", &store.card_type_count())],
            ),
            "carnet export card-types",
        ),
        Screen::SessionCards => (
            catalog.tf("other.cards_count", &[("count", &store.card_count())]),
            "carnet export cards",
        ),
        // Reports has its own screen; the front desk never comes here either.
        Screen::Reports | Screen::FrontDesk => (
            catalog.tf("other.events_count", &[("count", &store.ledger_len())]),
            "carnet export ledger",
        ),
    };
    let lines = vec![
        Line::from(Span::styled(figure, theme.title)),
        Line::raw(""),
        Line::raw(catalog.t("other.not_built").to_owned()),
        Line::raw(catalog.tf("other.command", &[("command", &command)])),
        Line::raw(""),
        Line::from(Span::styled(
            catalog.t("other.scan_still_works"),
            theme.muted,
        )),
    ];
    let block = Block::bordered().title(screen_title(app, screen));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
