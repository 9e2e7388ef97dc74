//! A card as an SVG document whose user unit is the millimetre.
//!
//! Text stays text, drawn by the viewer's fonts: DejaVu Sans where installed, and the
//! viewer's own fonts for the characters DejaVu Sans lacks. Each line carries the width that
//! DejaVu Sans gives it, so a wider fallback font is squeezed into the same space instead of
//! running into the QR code.

use super::layout::CardLayout;
use super::{CARD_HEIGHT_MM, CARD_WIDTH_MM};
use std::fmt::Write;

const FONT_FAMILY: &str = "'DejaVu Sans', Verdana, sans-serif";

/// Writes `layout` as a standalone SVG document.
pub(crate) fn render(layout: &CardLayout) -> String {
    let width = number(CARD_WIDTH_MM);
    let height = number(CARD_HEIGHT_MM);
    let mut svg = String::with_capacity(8 * 1024);
    svg.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // Writing to a String cannot fail, so the results of `writeln!` are ignored.
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" \
         width=\"{width}mm\" height=\"{height}mm\" viewBox=\"0 0 {width} {height}\">"
    );
    let _ = writeln!(
        svg,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>"
    );
    write_qr(&mut svg, layout);
    write_text(&mut svg, layout);
    svg.push_str("</svg>\n");
    svg
}

/// Writes the QR code as one path of module-sized rectangles, in module units.
fn write_qr(svg: &mut String, layout: &CardLayout) {
    let qr = &layout.qr;
    let _ = write!(
        svg,
        "<path transform=\"translate({} {}) scale({})\" fill=\"#000\" \
         shape-rendering=\"crispEdges\" d=\"",
        number(qr.x),
        number(qr.y),
        number(qr.module)
    );
    for run in qr.dark_runs() {
        let _ = write!(
            svg,
            "M{} {}h{}v1h-{}z",
            run.column, run.row, run.length, run.length
        );
    }
    svg.push_str("\"/>\n");
}

fn write_text(svg: &mut String, layout: &CardLayout) {
    let _ = writeln!(svg, "<g font-family=\"{FONT_FAMILY}\" fill=\"#000\">");
    for line in &layout.lines {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" textLength=\"{}\" \
             lengthAdjust=\"spacingAndGlyphs\">{}</text>",
            number(line.x),
            number(line.baseline),
            number(line.size),
            number(line.width),
            escape(&line.text)
        );
    }
    svg.push_str("</g>\n");
}

/// Formats a length with at most three decimals, which is a micrometre here.
fn number(value: f32) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Escapes the characters that XML gives a meaning to in text and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(85.6), "85.6");
        assert_eq!(number(54.0), "54");
        assert_eq!(number(1.01604), "1.016");
        assert_eq!(number(-0.0001), "0");
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape("Tom & \"Jerry\" <3 l'été"),
            "Tom &amp; &quot;Jerry&quot; &lt;3 l&apos;été"
        );
    }
}
