//! Styles named by meaning. Every meaning also has a word or symbol on screen, so the app
//! reads the same with NO_COLOR set.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub ok: Style,
    pub warning: Style,
    pub error: Style,
    pub muted: Style,
    pub selection: Style,
    pub title: Style,
    pub key: Style,
}

impl Theme {
    /// Colors unless NO_COLOR is set to anything non-empty (<https://no-color.org>).
    pub fn from_environment() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        if no_color {
            Theme::plain()
        } else {
            Theme::colored()
        }
    }

    pub fn colored() -> Theme {
        Theme {
            ok: Style::new()
                .fg(Color::Black)
                .bg(Color::Green)
                .add_modifier(Modifier::BOLD),
            warning: Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            error: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            muted: Style::new().fg(Color::DarkGray),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            title: Style::new().add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }

    pub fn plain() -> Theme {
        Theme {
            ok: Style::new().add_modifier(Modifier::BOLD),
            warning: Style::new().add_modifier(Modifier::BOLD),
            error: Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            muted: Style::new(),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            title: Style::new().add_modifier(Modifier::BOLD),
            key: Style::new().add_modifier(Modifier::BOLD),
        }
    }
}
