//! A4 PDF sheets of cards to cut out: `CARDS_PER_PAGE` cards a page in two columns of
//! five, edge to edge, with thin cut marks in the margins along every card edge.
//!
//! The text uses a subset of the card font embedded as a CID-keyed TrueType font, with a
//! ToUnicode map so that names can be searched and copied from the PDF.

use super::font::{CardFont, FONT_DATA, POSTSCRIPT_NAME};
use super::layout::{CardLayout, TextLine};
use super::{CARD_HEIGHT_MM, CARD_WIDTH_MM, CARDS_PER_PAGE, PrintError};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;

const A4_WIDTH_MM: f32 = 210.0;
const A4_HEIGHT_MM: f32 = 297.0;
const POINTS_PER_MM: f32 = 72.0 / 25.4;

const COLUMNS: usize = 2;
const ROWS: usize = CARDS_PER_PAGE / COLUMNS;

/// Cut marks: their distance from the cards, their length and their stroke width.
const MARK_GAP: f32 = 2.0;
const MARK_LENGTH: f32 = 6.0;
const MARK_WIDTH: f32 = 0.1;

const FONT_RESOURCE: Name<'static> = Name(b"F1");

/// Object numbers of the document's fixed objects. Each page and then its content stream
/// follow from `FIRST_PAGE_REF`.
const CATALOG_REF: Ref = Ref::new(1);
const PAGE_TREE_REF: Ref = Ref::new(2);
const TYPE0_FONT_REF: Ref = Ref::new(3);
const CID_FONT_REF: Ref = Ref::new(4);
const FONT_DESCRIPTOR_REF: Ref = Ref::new(5);
const TO_UNICODE_REF: Ref = Ref::new(6);
const FONT_FILE_REF: Ref = Ref::new(7);
const FIRST_PAGE_REF: i32 = 8;

/// The glyphs that the sheets use, numbered as in the embedded subset.
struct SubsetFont {
    data: Vec<u8>,
    /// Glyph id in the card font, to glyph id in the subset.
    new_ids: BTreeMap<u16, u16>,
    /// Glyph id in the subset, to the glyph id in the card font and the text it shows.
    glyphs: Vec<(u16, char)>,
}

/// Writes the PDF for the cards laid out in `layouts`, in order. An empty list gives one blank
/// sheet.
pub(crate) fn render(layouts: &[CardLayout], font: &CardFont) -> Result<Vec<u8>, PrintError> {
    let subset = subset_font(layouts)?;
    let mut pdf = Pdf::new();
    pdf.catalog(CATALOG_REF).pages(PAGE_TREE_REF);

    let pages: Vec<&[CardLayout]> = if layouts.is_empty() {
        vec![&[]]
    } else {
        layouts.chunks(CARDS_PER_PAGE).collect()
    };
    let page_refs: Vec<Ref> = (0..pages.len())
        .map(|index| Ref::new(FIRST_PAGE_REF + 2 * index as i32))
        .collect();
    pdf.pages(PAGE_TREE_REF)
        .kids(page_refs.iter().copied())
        .count(pages.len() as i32);

    for (cards, page_ref) in pages.into_iter().zip(&page_refs) {
        let content_ref = Ref::new(page_ref.get() + 1);
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(
            0.0,
            0.0,
            A4_WIDTH_MM * POINTS_PER_MM,
            A4_HEIGHT_MM * POINTS_PER_MM,
        ));
        page.parent(PAGE_TREE_REF);
        page.contents(content_ref);
        page.resources().fonts().pair(FONT_RESOURCE, TYPE0_FONT_REF);
        page.finish();

        let content = page_content(cards, &subset, font);
        pdf.stream(content_ref, &compress(&content))
            .filter(Filter::FlateDecode);
    }

    write_font(&mut pdf, &subset, font);
    Ok(pdf.finish())
}

/// Subsets the card font to the glyphs of every card.
fn subset_font(layouts: &[CardLayout]) -> Result<SubsetFont, PrintError> {
    let mut used: BTreeMap<u16, char> = BTreeMap::new();
    for line in layouts.iter().flat_map(|layout| &layout.lines) {
        for glyph in &line.glyphs {
            used.entry(glyph.id.0).or_insert(glyph.character);
        }
    }
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut new_ids = BTreeMap::new();
    for &old in used.keys() {
        new_ids.insert(old, remapper.remap(old));
    }
    let data = subsetter::subset(FONT_DATA, 0, &remapper).map_err(PrintError::FontSubset)?;
    let glyphs = remapper
        .remapped_gids()
        .take(usize::from(remapper.num_gids()))
        .map(|old| (old, used.get(&old).copied().unwrap_or('\u{fffd}')))
        .collect();
    Ok(SubsetFont {
        data,
        new_ids,
        glyphs,
    })
}

/// Draws one sheet, in millimetres from the page's top-left corner.
fn page_content(cards: &[CardLayout], subset: &SubsetFont, font: &CardFont) -> Vec<u8> {
    let mut content = Content::new();
    content.save_state();
    // PDF measures in points up from the bottom-left corner, so this flips to millimetres down
    // from the top-left corner.
    content.transform([
        POINTS_PER_MM,
        0.0,
        0.0,
        -POINTS_PER_MM,
        0.0,
        A4_HEIGHT_MM * POINTS_PER_MM,
    ]);
    draw_cut_marks(&mut content);
    let (left, top) = grid_origin();
    for (index, card) in cards.iter().enumerate() {
        let x = left + (index % COLUMNS) as f32 * CARD_WIDTH_MM;
        let y = top + (index / COLUMNS) as f32 * CARD_HEIGHT_MM;
        content.save_state();
        content.transform([1.0, 0.0, 0.0, 1.0, x, y]);
        draw_card(&mut content, card, subset, font);
        content.restore_state();
    }
    content.restore_state();
    content.finish().into_vec()
}

/// Returns the top-left corner of the grid of cards, which is centred on the page.
fn grid_origin() -> (f32, f32) {
    (
        (A4_WIDTH_MM - COLUMNS as f32 * CARD_WIDTH_MM) / 2.0,
        (A4_HEIGHT_MM - ROWS as f32 * CARD_HEIGHT_MM) / 2.0,
    )
}

/// Draws a mark in the margins in line with every vertical and horizontal card edge.
fn draw_cut_marks(content: &mut Content) {
    let (left, top) = grid_origin();
    let right = left + COLUMNS as f32 * CARD_WIDTH_MM;
    let bottom = top + ROWS as f32 * CARD_HEIGHT_MM;
    content.set_line_width(MARK_WIDTH);
    content.set_stroke_gray(0.0);
    for column in 0..=COLUMNS {
        let x = left + column as f32 * CARD_WIDTH_MM;
        content.move_to(x, top - MARK_GAP - MARK_LENGTH);
        content.line_to(x, top - MARK_GAP);
        content.move_to(x, bottom + MARK_GAP);
        content.line_to(x, bottom + MARK_GAP + MARK_LENGTH);
    }
    for row in 0..=ROWS {
        let y = top + row as f32 * CARD_HEIGHT_MM;
        content.move_to(left - MARK_GAP - MARK_LENGTH, y);
        content.line_to(left - MARK_GAP, y);
        content.move_to(right + MARK_GAP, y);
        content.line_to(right + MARK_GAP + MARK_LENGTH, y);
    }
    content.stroke();
}

/// Draws one card, in millimetres from its top-left corner.
fn draw_card(content: &mut Content, card: &CardLayout, subset: &SubsetFont, font: &CardFont) {
    let qr = &card.qr;
    content.set_fill_gray(0.0);
    for run in qr.dark_runs() {
        content.rect(
            qr.x + run.column as f32 * qr.module,
            qr.y + run.row as f32 * qr.module,
            run.length as f32 * qr.module,
            qr.module,
        );
    }
    content.fill_nonzero();

    for line in &card.lines {
        draw_line(content, line, subset, font);
    }
}

/// Shows a line of glyphs, with an adjustment wherever kerning moves a glyph away from the end
/// of the previous glyph's advance.
fn draw_line(content: &mut Content, line: &TextLine, subset: &SubsetFont, font: &CardFont) {
    content.begin_text();
    content.set_font(FONT_RESOURCE, line.size);
    // Undoes the page's flip, so that glyphs stand upright.
    content.set_text_matrix([1.0, 0.0, 0.0, -1.0, line.x, line.baseline]);
    let mut positioned = content.show_positioned();
    let mut items = positioned.items();
    let mut run: Vec<u8> = Vec::new();
    let mut pen = 0.0;
    for glyph in &line.glyphs {
        let offset = glyph.x - pen;
        if offset.abs() > 1e-4 {
            if !run.is_empty() {
                items.show(Str(&run));
                run.clear();
            }
            // TJ adjustments are in thousandths of an em, positive to the left.
            items.adjust(-offset * 1000.0);
        }
        let id = subset.new_ids.get(&glyph.id.0).copied().unwrap_or(0);
        run.extend_from_slice(&id.to_be_bytes());
        pen = glyph.x + font.advance(glyph.id);
    }
    if !run.is_empty() {
        items.show(Str(&run));
    }
    items.finish();
    positioned.finish();
    content.end_text();
}

/// Writes the Type 0 font with its CID font, descriptor, embedded subset and ToUnicode map.
fn write_font(pdf: &mut Pdf, subset: &SubsetFont, font: &CardFont) {
    let base_name = format!("{}+{POSTSCRIPT_NAME}", subset_tag(subset));
    let base_name = Name(base_name.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(TYPE0_FONT_REF)
        .base_font(base_name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(CID_FONT_REF)
        .to_unicode(TO_UNICODE_REF);

    let widths: Vec<f32> = subset
        .glyphs
        .iter()
        .map(|(old, _)| font.advance(ab_glyph::GlyphId(*old)) * 1000.0)
        .collect();
    let mut cid_font = pdf.cid_font(CID_FONT_REF);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base_name)
        .system_info(system_info)
        .font_descriptor(FONT_DESCRIPTOR_REF)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid_font.widths().consecutive(0, widths);
    cid_font.finish();

    let scale = 1000.0 / font.units_per_em;
    let (ascent, descent, cap_height, bbox) = metrics(font, subset);
    pdf.font_descriptor(FONT_DESCRIPTOR_REF)
        .name(base_name)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            bbox.0 * scale,
            bbox.1 * scale,
            bbox.2 * scale,
            bbox.3 * scale,
        ))
        .italic_angle(0.0)
        .ascent(ascent * scale)
        .descent(descent * scale)
        .cap_height(cap_height * scale)
        // An estimate of the vertical stem width, which PDF requires and viewers only use
        // to fake a missing font.
        .stem_v(80.0)
        .font_file2(FONT_FILE_REF);

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
    for (new_id, (_, character)) in subset.glyphs.iter().enumerate().skip(1) {
        cmap.pair(new_id as u16, *character);
    }
    pdf.cmap(TO_UNICODE_REF, &cmap.finish());

    pdf.stream(FONT_FILE_REF, &compress(&subset.data))
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.data.len() as i32);
}

/// Returns the font's ascent, descent, capital height and the bounding box of the glyphs in
/// the subset, in font units.
fn metrics(font: &CardFont, subset: &SubsetFont) -> (f32, f32, f32, (f32, f32, f32, f32)) {
    use ab_glyph::Font;
    let face = &font.face;
    // ab_glyph's outline bounds keep font units, y upwards, but put the top in `min.y`.
    let cap_height = face
        .outline(face.glyph_id('H'))
        .map_or(face.ascent_unscaled(), |outline| outline.bounds.min.y);
    let mut bbox = (
        0.0f32,
        face.descent_unscaled(),
        0.0f32,
        face.ascent_unscaled(),
    );
    for (old, _) in &subset.glyphs {
        if let Some(outline) = face.outline(ab_glyph::GlyphId(*old)) {
            bbox.0 = bbox.0.min(outline.bounds.min.x);
            bbox.1 = bbox.1.min(outline.bounds.max.y);
            bbox.2 = bbox.2.max(outline.bounds.max.x);
            bbox.3 = bbox.3.max(outline.bounds.min.y);
        }
    }
    (
        face.ascent_unscaled(),
        face.descent_unscaled(),
        cap_height,
        bbox,
    )
}

/// Returns the six capital letters that PDF puts before the name of a font subset, drawn from
/// the subset's glyphs so that different subsets get different tags.
fn subset_tag(subset: &SubsetFont) -> String {
    let mut hasher = crc32fast::Hasher::new();
    for (old, _) in &subset.glyphs {
        hasher.update(&old.to_be_bytes());
    }
    let mut value = hasher.finalize();
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (value % 26) as u8);
            value /= 26;
            letter
        })
        .collect()
}

fn compress(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}
