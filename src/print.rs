//! Printable membership cards: one card as a PNG or an SVG, and A4 PDF sheets of cards to cut
//! out.
//!
//! A card has the size of a credit card (ISO/IEC 7810 ID-1, 85.6 × 54 mm). It shows the club
//! name, the member's first and last names, and a QR code that contains the member code and
//! nothing else, with the code printed under it for typing by hand. Every format is drawn
//! from one layout measured with DejaVu Sans, shipped in assets/fonts, so they look alike.

mod font;
mod layout;
mod pdf;
mod raster;
mod svg;

use crate::domain::MemberCode;
use crate::domain::member::Member;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const CARD_WIDTH_MM: f32 = 85.6;
pub const CARD_HEIGHT_MM: f32 = 54.0;
/// Resolution of card PNGs, in dots per inch. Each PNG records it, so it prints at card size.
pub const PNG_DPI: u32 = 300;
/// Cards on each A4 sheet of the PDF: two columns of five.
pub const CARDS_PER_PAGE: usize = 10;

/// The text and the member code printed on one card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFace {
    /// Club name printed above the names, or nothing when empty.
    pub club_name: String,
    pub first_name: String,
    pub last_name: String,
    pub code: MemberCode,
}

impl CardFace {
    pub fn new(member: &Member, club_name: &str) -> Self {
        Self {
            club_name: club_name.to_owned(),
            first_name: member.first_name.clone(),
            last_name: member.last_name.clone(),
            code: member.code.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the font compiled into Carnet is unreadable")]
    Font,
    #[error("subsetting the font for the PDF failed: {0}")]
    FontSubset(subsetter::Error),
    #[error("member code {code} does not fit in a QR code: {source}")]
    Qr {
        code: String,
        source: qrcode::types::QrError,
    },
    #[error("encoding the PNG failed: {0}")]
    Png(#[from] png::EncodingError),
}

/// Draws one card as a greyscale PNG of `PNG_DPI` dots per inch (1011 × 638 pixels).
pub fn card_png(face: &CardFace) -> Result<Vec<u8>, PrintError> {
    let font = font::card_font()?;
    raster::render(&layout::lay_out(face, font)?, font)
}

/// Draws one card as an SVG document measured in millimetres.
pub fn card_svg(face: &CardFace) -> Result<String, PrintError> {
    let font = font::card_font()?;
    Ok(svg::render(&layout::lay_out(face, font)?))
}

/// Draws the cards on A4 sheets of `CARDS_PER_PAGE`, in order, as one PDF document.
pub fn cards_pdf(faces: &[CardFace]) -> Result<Vec<u8>, PrintError> {
    let font = font::card_font()?;
    let layouts = faces
        .iter()
        .map(|face| layout::lay_out(face, font))
        .collect::<Result<Vec<_>, _>>()?;
    pdf::render(&layouts, font)
}

/// Returns the file name, without extension, for the card of `code`: the code itself when it
/// contains only ASCII letters, digits, `-` and `_`. Any other character becomes `_` and the
/// CRC-32 of the code is appended. So an imported code such as "A/1" cannot name a path in
/// another folder, and two such codes are unlikely to share a file name.
pub fn file_stem(code: &MemberCode) -> String {
    let text = code.as_str();
    let safe =
        |character: char| character.is_ascii_alphanumeric() || matches!(character, '-' | '_');
    if text.chars().all(safe) {
        return text.to_owned();
    }
    let replaced: String = text
        .chars()
        .map(|character| if safe(character) { character } else { '_' })
        .collect();
    format!("{replaced}-{:08x}", crc32fast::hash(text.as_bytes()))
}

/// Creates `folder` and its missing parents, readable by the owner only; an existing folder
/// is left as it is.
pub fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

/// Writes `bytes` to `path`, readable and writable by the owner only on Unix, because cards
/// carry members' names. The bytes go to a temporary file in the same folder first, which
/// then replaces `path`, so a failed write leaves no partial file and an older file at `path`
/// does not keep its wider permissions.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    // tempfile creates files with mode 0600 on Unix.
    let mut file = tempfile::Builder::new()
        .prefix(".carnet-card-")
        .tempfile_in(folder)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stem_keeps_plain_codes() {
        let code = MemberCode::parse("0031415926").unwrap();
        assert_eq!(file_stem(&code), "0031415926");
    }

    #[test]
    fn file_stem_replaces_path_characters() {
        let code = MemberCode::parse("../A/1").unwrap();
        let stem = file_stem(&code);
        assert!(stem.starts_with("___A_1-"), "{stem}");
        assert!(!stem.contains('/'), "{stem}");
        assert!(!stem.contains('.'), "{stem}");
        let other = MemberCode::parse("..:A:1").unwrap();
        assert_ne!(file_stem(&other), stem);
    }
}

/// Name of the PDF sheet written beside the cards.
pub const PDF_FILE_NAME: &str = "cards.pdf";

/// The failure that stopped writing card files; nothing after it was written.
#[derive(Debug, thiserror::Error)]
pub enum WriteCardsError {
    #[error("cannot create the folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("drawing the card of {code} failed: {source}")]
    Render {
        code: MemberCode,
        source: PrintError,
    },
    #[error("drawing the PDF sheet failed: {0}")]
    Pdf(PrintError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `<code>.png` and `<code>.svg` into `out` for each card, and the PDF sheet when
/// `pdf` is set, calling `written` with each file's path. Folders created are owner-only.
pub fn write_cards(
    faces: &[CardFace],
    out: &Path,
    pdf: bool,
    mut written: impl FnMut(&Path),
) -> Result<(), WriteCardsError> {
    create_private_folder(out).map_err(|source| WriteCardsError::Folder {
        path: out.to_owned(),
        source,
    })?;

    let mut write = |path: PathBuf, bytes: &[u8]| {
        write_private_file(&path, bytes).map_err(|source| WriteCardsError::Write {
            path: path.clone(),
            source,
        })?;
        written(&path);
        Ok(())
    };
    for face in faces {
        let render = |source| WriteCardsError::Render {
            code: face.code.clone(),
            source,
        };
        let stem = file_stem(&face.code);
        write(
            out.join(format!("{stem}.png")),
            &card_png(face).map_err(render)?,
        )?;
        write(
            out.join(format!("{stem}.svg")),
            card_svg(face).map_err(render)?.as_bytes(),
        )?;
    }
    if pdf {
        write(
            out.join(PDF_FILE_NAME),
            &cards_pdf(faces).map_err(WriteCardsError::Pdf)?,
        )?;
    }
    Ok(())
}
