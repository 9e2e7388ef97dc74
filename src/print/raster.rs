//! A card as an 8-bit greyscale PNG at `PNG_DPI`.

use super::PrintError;
use super::font::CardFont;
use super::layout::{CardLayout, PX_PER_MM};
use super::{CARD_HEIGHT_MM, CARD_WIDTH_MM, PNG_DPI};
use ab_glyph::{Font, PxScale, point};

/// Pixels per metre, for the PNG's pHYs chunk, from which printing programs take the card's
/// physical size.
const PIXELS_PER_METRE: u32 = (PNG_DPI as f32 / 0.0254 + 0.5) as u32;

const WHITE: u8 = 255;
const BLACK: u8 = 0;

/// Greyscale pixels, one byte each, row by row.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            pixels: vec![WHITE; width * height],
        }
    }

    fn fill_rect(&mut self, x: usize, y: usize, width: usize, height: usize) {
        for row in y..(y + height).min(self.height) {
            let start = row * self.width;
            let end = start + (x + width).min(self.width);
            self.pixels[start + x.min(self.width)..end].fill(BLACK);
        }
    }

    /// Darkens a pixel by `coverage` (0 to 1) of black. Pixels off the canvas are ignored.
    fn darken(&mut self, x: i64, y: i64, coverage: f32) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return;
        }
        let index = y as usize * self.width + x as usize;
        let ink = (f32::from(WHITE) * (1.0 - coverage.clamp(0.0, 1.0))).round() as u8;
        self.pixels[index] = self.pixels[index].min(ink);
    }
}

/// Draws `layout` and encodes it as PNG.
pub(crate) fn render(layout: &CardLayout, font: &CardFont) -> Result<Vec<u8>, PrintError> {
    let width = (CARD_WIDTH_MM * PX_PER_MM).round() as usize;
    let height = (CARD_HEIGHT_MM * PX_PER_MM).round() as usize;
    let mut canvas = Canvas::new(width, height);
    draw_qr(&mut canvas, layout);
    draw_text(&mut canvas, layout, font);
    encode(&canvas)
}

/// Draws the QR code on whole pixels: the layout makes a module a whole number of pixels.
fn draw_qr(canvas: &mut Canvas, layout: &CardLayout) {
    let qr = &layout.qr;
    let module = (qr.module * PX_PER_MM).round() as usize;
    let left = (qr.x * PX_PER_MM).round() as usize;
    let top = (qr.y * PX_PER_MM).round() as usize;
    for run in qr.dark_runs() {
        canvas.fill_rect(
            left + run.column * module,
            top + run.row * module,
            run.length * module,
            module,
        );
    }
}

fn draw_text(canvas: &mut Canvas, layout: &CardLayout, font: &CardFont) {
    for line in &layout.lines {
        let em_px = line.size * PX_PER_MM;
        // ab_glyph scales fonts by their height (ascent minus descent), not by the em.
        let scale = PxScale::from(em_px * font.face.height_unscaled() / font.units_per_em);
        let left = line.x * PX_PER_MM;
        let baseline = line.baseline * PX_PER_MM;
        for glyph in &line.glyphs {
            let positioned = glyph
                .id
                .with_scale_and_position(scale, point(left + glyph.x * em_px, baseline));
            let Some(outlined) = font.face.outline_glyph(positioned) else {
                continue;
            };
            let bounds = outlined.px_bounds();
            outlined.draw(|x, y, coverage| {
                canvas.darken(
                    bounds.min.x as i64 + i64::from(x),
                    bounds.min.y as i64 + i64::from(y),
                    coverage,
                );
            });
        }
    }
}

fn encode(canvas: &Canvas) -> Result<Vec<u8>, PrintError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, canvas.width as u32, canvas.height as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: PIXELS_PER_METRE,
        yppu: PIXELS_PER_METRE,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&canvas.pixels)?;
    writer.finish()?;
    Ok(bytes)
}
