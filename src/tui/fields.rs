//! Helpers shared by the screens' lists and text fields.

use super::app::NavKey;
use tui_input::{Input, InputRequest};

/// Rows a page key moves in lists.
const PAGE: usize = 10;

/// Moves a list index by a navigation key, within `count` items.
pub fn moved(index: usize, count: usize, key: NavKey) -> usize {
    let last = count.saturating_sub(1);
    match key {
        NavKey::Up => index.saturating_sub(1),
        NavKey::Down => (index + 1).min(last),
        NavKey::PageUp => index.saturating_sub(PAGE),
        NavKey::PageDown => (index + PAGE).min(last),
        NavKey::Home => 0,
        NavKey::End => last,
        _ => index,
    }
}

/// Applies cursor and delete keys to a text field; other keys do nothing.
pub fn edit_cursor(input: &mut Input, key: NavKey) {
    let request = match key {
        NavKey::Left => InputRequest::GoToPrevChar,
        NavKey::Right => InputRequest::GoToNextChar,
        NavKey::Home => InputRequest::GoToStart,
        NavKey::End => InputRequest::GoToEnd,
        NavKey::Delete => InputRequest::DeleteNextChar,
        _ => return,
    };
    input.handle(request);
}
