//! Drawing shared by the forms and dialogs: one labelled text field on one row.

use super::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use tui_input::Input;

/// Draws `label` in a column of `label_width` cells, then the field scrolled to its cursor.
/// The focused field is marked by a symbol and reversed video, and gets the cursor.
pub fn draw_labelled_input(
    frame: &mut Frame,
    theme: &Theme,
    label: &str,
    input: &Input,
    focused: bool,
    row: Rect,
    label_width: u16,
) {
    let row = Rect { height: 1, ..row };
    let [label_area, input_area] =
        Layout::horizontal([Constraint::Length(label_width), Constraint::Min(1)]).areas(row);
    let marker = if focused { "▶ " } else { "  " };
    frame.render_widget(
        Paragraph::new(Span::styled(format!("{marker}{label}"), theme.title)),
        label_area,
    );

    let width = usize::from(input_area.width.saturating_sub(1));
    let scroll = input.visual_scroll(width);
    let style = if focused {
        theme.selection
    } else {
        Style::new()
    };
    frame.render_widget(
        Paragraph::new(input.value())
            .style(style)
            .scroll((0, scroll as u16)),
        input_area,
    );
    if focused {
        let cursor = input.visual_cursor().saturating_sub(scroll) as u16;
        frame.set_cursor_position((
            input_area.x + cursor.min(input_area.width.saturating_sub(1)),
            row.y,
        ));
    }
}
