//! The font that cards are drawn with: DejaVu Sans, compiled in from assets/fonts.

use super::PrintError;
use ab_glyph::{Font, FontRef, GlyphId};
use std::sync::LazyLock;
use unicode_width::UnicodeWidthChar;

/// The glyph that a font draws for characters it lacks, usually a box.
const MISSING_GLYPH: GlyphId = GlyphId(0);

/// The TrueType file, also the source of the subset embedded in PDF sheets.
pub(crate) const FONT_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// PostScript name of the font, which PDF sheets name their embedded subset after.
pub(crate) const POSTSCRIPT_NAME: &str = "DejaVuSans";

/// The parsed font and its design units per em.
pub(crate) struct CardFont {
    pub face: FontRef<'static>,
    pub units_per_em: f32,
}

static FONT: LazyLock<Option<CardFont>> = LazyLock::new(|| {
    let face = FontRef::try_from_slice(FONT_DATA).ok()?;
    let units_per_em = face.units_per_em()?;
    Some(CardFont { face, units_per_em })
});

/// Returns the card font, parsed on first use.
pub(crate) fn card_font() -> Result<&'static CardFont, PrintError> {
    FONT.as_ref().ok_or(PrintError::Font)
}

/// A glyph of a line of text, `x` em from the start of the line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlacedGlyph {
    pub id: GlyphId,
    pub character: char,
    pub x: f32,
}

/// A line of text set in the card font, with its width in em.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SetLine {
    pub glyphs: Vec<PlacedGlyph>,
    pub width: f32,
}

impl CardFont {
    /// Sets `text` on one line: one glyph per character, each after the advances of the
    /// glyphs before it and the font's kerning between neighbours.
    ///
    /// NOTE: there is no shaping and no bidirectional reordering, so Arabic, Hebrew and
    /// Indic names come out as isolated letters in logical order. Combining marks have no
    /// advance in DejaVu Sans and sit on the letter before them. Characters that DejaVu Sans
    /// lacks, such as Chinese, Japanese and Korean ones, show the font's missing-glyph box.
    /// A wide one gets a full em, so that an SVG viewer that has the character finds room
    /// for it. A zero-width one, such as a variation selector, is left out.
    pub fn set_line(&self, text: &str) -> SetLine {
        let mut glyphs = Vec::with_capacity(text.len());
        let mut pen = 0.0;
        let mut previous: Option<GlyphId> = None;
        for character in text.chars() {
            let id = self.face.glyph_id(character);
            let columns = character.width();
            if id == MISSING_GLYPH && columns == Some(0) {
                continue;
            }
            if let Some(previous) = previous {
                pen += self.face.kern_unscaled(previous, id);
            }
            glyphs.push(PlacedGlyph {
                id,
                character,
                x: pen / self.units_per_em,
            });
            pen += if id == MISSING_GLYPH && columns == Some(2) {
                self.units_per_em
            } else {
                self.face.h_advance_unscaled(id)
            };
            previous = Some(id);
        }
        SetLine {
            glyphs,
            width: pen / self.units_per_em,
        }
    }

    /// Returns the width of `text` in em.
    pub fn width(&self, text: &str) -> f32 {
        self.set_line(text).width
    }

    /// Returns the advance of a glyph in em.
    pub fn advance(&self, id: GlyphId) -> f32 {
        self.face.h_advance_unscaled(id) / self.units_per_em
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kerning_moves_glyphs() {
        let font = card_font().unwrap();
        let pair = font.set_line("AV");
        assert!(pair.width < font.width("A") + font.width("V"));
        assert!(pair.glyphs[1].x < font.width("A"));
    }

    #[test]
    fn combining_mark_takes_no_width() {
        let font = card_font().unwrap();
        let set = font.set_line("e\u{301}");
        assert_eq!(set.glyphs.len(), 2);
        assert_eq!(set.width, font.width("e"));
    }

    #[test]
    fn missing_wide_characters_take_one_em() {
        let font = card_font().unwrap();
        let set = font.set_line("王小");
        assert!(set.glyphs.iter().all(|glyph| glyph.id == MISSING_GLYPH));
        assert_eq!(set.width, 2.0);
    }

    #[test]
    fn missing_zero_width_characters_are_left_out() {
        let font = card_font().unwrap();
        // U+E0100 is a variation selector, which DejaVu Sans lacks.
        let set = font.set_line("A\u{E0100}B");
        let characters: Vec<char> = set.glyphs.iter().map(|glyph| glyph.character).collect();
        assert_eq!(characters, ['A', 'B']);
        assert_eq!(set.width, font.width("AB"));
    }
}
