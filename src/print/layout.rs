//! Where each element of a card goes, in millimetres from the card's top-left corner.
//!
//! The club name sits at the top left and the member's names below it. The QR code, with the
//! member code under it, fills the right side. Text shrinks to fit its column. A name too long
//! even at the smallest size wraps at spaces and hyphens, then ends with "…".

use super::font::{CardFont, PlacedGlyph};
use super::{CARD_HEIGHT_MM, CARD_WIDTH_MM, CardFace, PNG_DPI, PrintError};
use qrcode::{Color, EcLevel, QrCode};
use unicode_normalization::char::is_combining_mark;

/// Pixels per millimetre in the PNG, which also sets the QR module size of every format.
pub(crate) const PX_PER_MM: f32 = PNG_DPI as f32 / 25.4;

/// Light modules around the QR symbol on each side, as ISO/IEC 18004 requires.
pub(crate) const QUIET_ZONE: usize = 4;

/// Distance from the card's left, top and bottom edges to the text.
const MARGIN: f32 = 5.0;
/// Largest side of the QR code, quiet zone included.
const QR_MAX_SIDE: f32 = 30.0;
/// Distance from the card's right edge to the QR code's quiet zone.
const QR_RIGHT: f32 = 2.0;
/// Space between the text column and the QR code's quiet zone.
const COLUMN_GAP: f32 = 0.5;

/// Font sizes (em, in mm) as (largest, smallest).
const CLUB_SIZE: (f32, f32) = (3.4, 2.4);
const NAME_SIZE: (f32, f32) = (6.0, 3.4);
const CODE_SIZE: (f32, f32) = (3.6, 2.2);

const CLUB_BASELINE: f32 = 9.0;
/// Space between the club name's last baseline and the top of the names' area.
const CLUB_TO_NAMES: f32 = 3.0;
const MAX_CLUB_LINES: usize = 2;
const MAX_NAME_LINES: usize = 4;
const MAX_CODE_LINES: usize = 4;

/// Distance between baselines, in em.
const LINE_HEIGHT: f32 = 1.2;
/// Height above the baseline and depth below it taken up by a line, in em: about the capital
/// and descender heights of DejaVu Sans, used to centre blocks of text.
const LINE_ASCENT: f32 = 0.8;
const LINE_DESCENT: f32 = 0.2;

const ELLIPSIS: char = '…';

/// A card's elements, ready to draw in any format.
#[derive(Debug, Clone)]
pub(crate) struct CardLayout {
    pub lines: Vec<TextLine>,
    pub qr: QrPlacement,
}

/// One line of text on a card.
#[derive(Debug, Clone)]
pub(crate) struct TextLine {
    /// Text shown, after any truncation.
    pub text: String,
    /// Glyphs of `text`, placed in em from `x`.
    pub glyphs: Vec<PlacedGlyph>,
    /// Left end of the line.
    pub x: f32,
    pub baseline: f32,
    /// Font size: the em, in millimetres.
    pub size: f32,
    /// Width of the line as the card font sets it, in millimetres.
    pub width: f32,
}

/// The QR code and its place on the card.
#[derive(Debug, Clone)]
pub(crate) struct QrPlacement {
    /// Top-left corner of the quiet zone.
    pub x: f32,
    pub y: f32,
    /// Side of one module: a whole number of PNG pixels, so the PNG has no blurred edges.
    pub module: f32,
    /// Modules on each side of the symbol, quiet zone excluded.
    pub width: usize,
    /// Dark modules of the symbol, row by row.
    pub dark: Vec<bool>,
}

/// A horizontal run of dark modules, in modules from the top-left corner of the quiet zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModuleRun {
    pub row: usize,
    pub column: usize,
    pub length: usize,
}

impl QrPlacement {
    /// Modules on each side, quiet zone included.
    pub fn modules(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Side of the QR code, quiet zone included, in millimetres.
    pub fn side(&self) -> f32 {
        self.modules() as f32 * self.module
    }

    /// Returns the runs of dark modules, so that each format draws one rectangle per run.
    pub fn dark_runs(&self) -> Vec<ModuleRun> {
        let mut runs = Vec::new();
        for (row, modules) in self.dark.chunks(self.width).enumerate() {
            let mut column = 0;
            while column < self.width {
                if !modules[column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < self.width && modules[column] {
                    column += 1;
                }
                runs.push(ModuleRun {
                    row: row + QUIET_ZONE,
                    column: start + QUIET_ZONE,
                    length: column - start,
                });
            }
        }
        runs
    }
}

/// Lays out one card.
pub(crate) fn lay_out(face: &CardFace, font: &CardFont) -> Result<CardLayout, PrintError> {
    let mut qr = place_qr(face)?;
    let mut lines = code_lines(face.code.as_str(), &mut qr, font);

    let column_right = qr.x - COLUMN_GAP;
    let column_width = column_right - MARGIN;
    let club = printable(&face.club_name);
    let mut names_top = MARGIN;
    if !club.is_empty() {
        let (club_lines, size) = fit_lines(&[club], column_width, CLUB_SIZE, MAX_CLUB_LINES, font);
        let mut baseline = CLUB_BASELINE;
        for text in club_lines {
            lines.push(text_line(text, MARGIN, baseline, size, font));
            names_top = baseline + CLUB_TO_NAMES;
            baseline += LINE_HEIGHT * size;
        }
    }

    let names: Vec<String> = [&face.first_name, &face.last_name]
        .into_iter()
        .map(|name| printable(name))
        .filter(|name| !name.is_empty())
        .collect();
    let (names, size) = fit_lines(&names, column_width, NAME_SIZE, MAX_NAME_LINES, font);
    let block = block_height(names.len(), size);
    let area = CARD_HEIGHT_MM - MARGIN - names_top;
    let mut baseline = names_top + (area - block).max(0.0) / 2.0 + LINE_ASCENT * size;
    for name in names {
        lines.push(text_line(name, MARGIN, baseline, size, font));
        baseline += LINE_HEIGHT * size;
    }
    Ok(CardLayout { lines, qr })
}

/// Encodes the member code at error correction level Q, which restores up to about 25 % of
/// the symbol's codewords, and sizes the QR code to the largest whole number of PNG pixels per
/// module that fits `QR_MAX_SIDE`.
fn place_qr(face: &CardFace) -> Result<QrPlacement, PrintError> {
    let code = face.code.as_str();
    let symbol =
        QrCode::with_error_correction_level(code.as_bytes(), EcLevel::Q).map_err(|source| {
            PrintError::Qr {
                code: code.to_owned(),
                source,
            }
        })?;
    let width = symbol.width();
    let dark = symbol
        .to_colors()
        .into_iter()
        .map(|color| color == Color::Dark)
        .collect();
    let modules = width + 2 * QUIET_ZONE;
    let module_px = (QR_MAX_SIDE * PX_PER_MM / modules as f32).floor().max(1.0);
    let module = module_px / PX_PER_MM;
    let side = modules as f32 * module;
    Ok(QrPlacement {
        x: CARD_WIDTH_MM - QR_RIGHT - side,
        // Set by `code_lines`, which centres the code and its text vertically.
        y: 0.0,
        module,
        width,
        dark,
    })
}

/// Lays out the member code under the QR code, and moves the QR code so that both are centred
/// vertically. The code is never truncated: a code too wide for one line at the smallest
/// size is split into up to `MAX_CODE_LINES` equal lines, and shrinks further if needed.
fn code_lines(code: &str, qr: &mut QrPlacement, font: &CardFont) -> Vec<TextLine> {
    let side = qr.side();
    let text = printable(code);
    let clusters = mark_clusters(&text);
    let mut chunks = Vec::new();
    let mut size = CODE_SIZE.1;
    for count in 1..=MAX_CODE_LINES.min(clusters.len().max(1)) {
        let per_line = clusters.len().div_ceil(count).max(1);
        chunks = clusters
            .chunks(per_line)
            .map(|chunk| chunk.concat())
            .collect();
        let widest = chunks
            .iter()
            .map(|chunk| font.width(chunk))
            .fold(0.0, f32::max);
        size = if widest > 0.0 {
            (side / widest).min(CODE_SIZE.0)
        } else {
            CODE_SIZE.0
        };
        if size >= CODE_SIZE.1 {
            break;
        }
    }

    let block = side + block_height(chunks.len(), size);
    qr.y = (CARD_HEIGHT_MM - block) / 2.0;
    let mut baseline = qr.y + side + LINE_ASCENT * size;
    let mut lines = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let width = font.width(&chunk) * size;
        let x = qr.x + (side - width) / 2.0;
        lines.push(text_line(chunk, x, baseline, size, font));
        baseline += LINE_HEIGHT * size;
    }
    lines
}

/// Returns the lines for `texts` and their common font size, given as (largest, smallest).
/// Each text goes on its own line at the largest size at which all of them fit `width`.
/// Below the smallest size, each text wraps onto further lines. Past `max_lines`, the last
/// line ends with "…".
fn fit_lines(
    texts: &[String],
    width: f32,
    sizes: (f32, f32),
    max_lines: usize,
    font: &CardFont,
) -> (Vec<String>, f32) {
    let widest = texts
        .iter()
        .map(|text| font.width(text))
        .fold(0.0, f32::max);
    if widest == 0.0 {
        return (texts.to_vec(), sizes.0);
    }
    let size = (width / widest).min(sizes.0);
    if size >= sizes.1 {
        return (texts.to_vec(), size);
    }

    let size = sizes.1;
    let max_em = width / size;
    let mut lines: Vec<String> = Vec::new();
    for text in texts {
        lines.extend(wrap(text, max_em, font));
    }
    if lines.len() > max_lines {
        let rest = join_wrapped(&lines[max_lines - 1..]);
        lines.truncate(max_lines - 1);
        lines.push(truncate(&rest, max_em, font, true));
    }
    (lines, size)
}

/// Breaks `text` into lines of at most `max_em`, after spaces and hyphens. A piece too long
/// for a line is truncated.
fn wrap(text: &str, max_em: f32, font: &CardFont) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in break_pieces(text) {
        let candidate = format!("{line}{piece}");
        if line.is_empty() || font.width(candidate.trim_end()) <= max_em {
            line = candidate;
        } else {
            lines.push(truncate(line.trim_end(), max_em, font, false));
            line = piece.to_owned();
        }
    }
    if !line.trim_end().is_empty() {
        lines.push(truncate(line.trim_end(), max_em, font, false));
    }
    lines
}

/// Joins wrapped lines back into one text: with a space, unless a line ends with a hyphen.
fn join_wrapped(lines: &[String]) -> String {
    let mut text = String::new();
    for line in lines {
        if !text.is_empty() && !text.ends_with('-') {
            text.push(' ');
        }
        text.push_str(line);
    }
    text
}

/// Splits `text` after each space and each hyphen, keeping them at the end of their piece.
fn break_pieces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (index, character) in text.char_indices() {
        if character == ' ' || character == '-' {
            let end = index + character.len_utf8();
            pieces.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// Returns `text` if it fits in `max_em`, or else its longest start that fits with "…" after
/// it. `always_mark` adds the "…" even when the text fits, for text cut elsewhere. A cut never
/// separates a letter from the combining marks after it.
fn truncate(text: &str, max_em: f32, font: &CardFont, always_mark: bool) -> String {
    if !always_mark && font.width(text) <= max_em {
        return text.to_owned();
    }
    let boundaries: Vec<usize> = text
        .char_indices()
        .filter(|(_, character)| !is_combining_mark(*character))
        .map(|(index, _)| index)
        .skip(1)
        .chain([text.len()])
        .collect();
    let mut best = String::from(ELLIPSIS);
    for end in boundaries {
        let candidate = format!("{}{ELLIPSIS}", text[..end].trim_end());
        if font.width(&candidate) > max_em {
            break;
        }
        best = candidate;
    }
    best
}

/// Splits `text` into characters, each with the combining marks that follow it.
fn mark_clusters(text: &str) -> Vec<&str> {
    let mut clusters = Vec::new();
    let mut start = 0;
    for (index, character) in text.char_indices().skip(1) {
        if !is_combining_mark(character) {
            clusters.push(&text[start..index]);
            start = index;
        }
    }
    if start < text.len() {
        clusters.push(&text[start..]);
    }
    clusters
}

/// Trims `text` and removes control characters, which no font draws and XML forbids.
fn printable(text: &str) -> String {
    text.chars()
        .filter(|character| !character.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Height of a block of `count` lines, from the top of the first line's capitals to the
/// bottom of the last line's descenders.
fn block_height(count: usize, size: f32) -> f32 {
    if count == 0 {
        return 0.0;
    }
    size * (LINE_ASCENT + LINE_HEIGHT * (count - 1) as f32 + LINE_DESCENT)
}

fn text_line(text: String, x: f32, baseline: f32, size: f32, font: &CardFont) -> TextLine {
    let set = font.set_line(&text);
    TextLine {
        text,
        glyphs: set.glyphs,
        x,
        baseline,
        size,
        width: set.width * size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MemberCode;
    use crate::print::font::card_font;

    fn face(first: &str, last: &str, code: &str) -> CardFace {
        CardFace {
            club_name: "Club de test".to_owned(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            code: MemberCode::parse(code).unwrap(),
        }
    }

    fn assert_inside_card(layout: &CardLayout) {
        for line in &layout.lines {
            assert!(line.x >= 0.0, "{line:?} starts left of the card");
            assert!(
                line.x + line.width <= CARD_WIDTH_MM,
                "{line:?} ends right of the card"
            );
            assert!(
                line.baseline <= CARD_HEIGHT_MM,
                "{line:?} is below the card"
            );
        }
        let qr = &layout.qr;
        assert!(qr.y >= 0.0, "{qr:?} is above the card");
        assert!(
            qr.y + qr.side() <= CARD_HEIGHT_MM,
            "{qr:?} is below the card"
        );
    }

    #[test]
    fn short_names_stay_at_largest_size() {
        let font = card_font().unwrap();
        let layout = lay_out(&face("Zoé", "Lemaire", "31415926"), font).unwrap();
        let texts: Vec<&str> = layout.lines.iter().map(|l| l.text.as_str()).collect();
        assert!(texts.contains(&"Zoé"));
        assert!(texts.contains(&"Lemaire"));
        assert!(texts.contains(&"31415926"));
        assert!(texts.contains(&"Club de test"));
        let zoe = layout.lines.iter().find(|l| l.text == "Zoé").unwrap();
        assert_eq!(zoe.size, NAME_SIZE.0);
        assert_inside_card(&layout);
    }

    #[test]
    fn text_stays_clear_of_quiet_zone() {
        let font = card_font().unwrap();
        let layout = lay_out(
            &face(
                "Maximilienne-Alexandrine",
                "de la Tour d’Auvergne-Lauraguais",
                "1",
            ),
            font,
        )
        .unwrap();
        let left_column = layout.lines.iter().filter(|line| line.x == MARGIN);
        for line in left_column {
            assert!(
                line.x + line.width <= layout.qr.x - COLUMN_GAP + 0.001,
                "{line:?} runs into the QR code's quiet zone"
            );
        }
        assert_inside_card(&layout);
    }

    #[test]
    fn long_name_wraps_then_truncates() {
        let font = card_font().unwrap();
        let long = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessen";
        let layout = lay_out(&face("Hubert Blaine", long, "31415926"), font).unwrap();
        let names: Vec<&TextLine> = layout
            .lines
            .iter()
            .filter(|l| l.size == NAME_SIZE.1)
            .collect();
        assert!(
            names.iter().any(|l| l.text.ends_with(ELLIPSIS)),
            "{names:?}"
        );
        assert!(names.len() <= MAX_NAME_LINES);
        assert_inside_card(&layout);
    }

    #[test]
    fn long_code_splits_without_loss() {
        let font = card_font().unwrap();
        let code = "W".repeat(crate::domain::code::MAX_CODE_LEN);
        let layout = lay_out(&face("A", "B", &code), font).unwrap();
        let code_text: String = layout
            .lines
            .iter()
            .filter(|l| l.x > layout.qr.x - 0.01)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(code_text, code);
        assert_inside_card(&layout);
    }

    #[test]
    fn truncation_keeps_combining_marks() {
        let font = card_font().unwrap();
        let text = "Ne\u{301}e\u{301}e\u{301}e\u{301}e\u{301}";
        let width = font.width("Ne\u{301}e\u{301}") + font.width("…");
        let cut = truncate(text, width + 0.01, font, false);
        assert_eq!(cut, "Ne\u{301}e\u{301}…");
    }

    #[test]
    fn clusters_keep_marks_with_letters() {
        assert_eq!(mark_clusters("AE\u{301}1"), ["A", "E\u{301}", "1"]);
        assert_eq!(mark_clusters(""), Vec::<&str>::new());
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(printable(" Zoé\u{7}\n "), "Zoé");
    }

    #[test]
    fn dark_runs_cover_every_dark_module() {
        let font = card_font().unwrap();
        let layout = lay_out(&face("A", "B", "31415926"), font).unwrap();
        let qr = &layout.qr;
        let covered: usize = qr.dark_runs().iter().map(|run| run.length).sum();
        assert_eq!(covered, qr.dark.iter().filter(|dark| **dark).count());
        assert_eq!(qr.modules(), qr.width + 8);
        let module_px = qr.module * PX_PER_MM;
        assert!((module_px - module_px.round()).abs() < 1e-3, "{module_px}");
    }
}
