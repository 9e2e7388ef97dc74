//! Printable membership cards: the PNG's QR code read back by a real decoder (zbarimg, from
//! Debian's zbar-tools) and checked in, the SVG and PDF structure, names that are hard to
//! draw, and `carnet print-card` with unknown codes.

mod common;

use carnet::desk::{ScanRequest, check_in_scan};
use carnet::domain::member::Member;
use carnet::domain::{MemberCode, Validity};
use carnet::i18n::Language;
use carnet::print::{self, CardFace};
use carnet::store::CheckInOutcome;
use common::*;
use rand::SeedableRng;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CARNET: &str = env!("CARGO_BIN_EXE_carnet");

/// Returns a code of the shape Carnet generates, with a valid check digit, drawn from `seed`.
fn generated_code(seed: u64) -> String {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    MemberCode::generate(&mut rng).to_string()
}

fn face(first: &str, last: &str, code: &str) -> CardFace {
    CardFace {
        club_name: "Club de test".to_owned(),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        code: MemberCode::parse(code).expect("valid code"),
    }
}

/// Returns the text of the one QR code that zbarimg finds in `image`.
fn decode_qr(image: &Path) -> String {
    let output = Command::new("zbarimg")
        .args(["--raw", "--quiet", "-Sdisable", "-Sqrcode.enable"])
        .arg(image)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
            "zbarimg is missing: this test decodes the card's QR code with it. \
             Install zbar-tools (apt-get install zbar-tools)."
        ),
        Err(error) => panic!("running zbarimg failed: {error}"),
    };
    assert!(
        output.status.success(),
        "zbarimg found no QR code in {} ({}): {}",
        image.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("zbarimg printed UTF-8");
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

/// Returns a PNG's width and height from its IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    (width, height)
}

/// Returns the pixels per metre that a PNG's pHYs chunk records, if it has one.
fn png_pixels_per_metre(png: &[u8]) -> Option<(u32, u32, u8)> {
    let at = png.windows(4).position(|window| window == b"pHYs")? + 4;
    let x = u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    let y = u32::from_be_bytes(png[at + 4..at + 8].try_into().unwrap());
    Some((x, y, png[at + 8]))
}

fn svg_texts(svg: &str) -> Vec<String> {
    let document = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    root.descendants()
        .filter(|node| node.has_tag_name("text"))
        .map(|node| node.text().unwrap_or_default().to_owned())
        .collect()
}

/// Counts the page objects of a PDF written by Carnet. Its streams are compressed, so they are
/// very unlikely to contain the text searched for.
fn pdf_page_count(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|window| window.starts_with(needle) && window[needle.len()] != b's')
        .count()
}

#[test]
fn png_qr_decodes_and_checks_in() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db");
    let store = open(&database);
    let settings = settings(&database, Language::Fr);
    let created = paris(2026, 1, 5, 9, 0, 0);
    let code = generated_code(11);
    let member = member_with_code(&store, "Zoé", "d’Arc Lemaire", &code, created);
    let ten = card_type(&store, "10 séances", 10, Validity::None);
    let sold = sell(&store, &member, &ten, date(2026, 1, 5));

    let png = print::card_png(&CardFace::new(&member, &settings.club_name)).unwrap();
    assert_eq!(png_size(&png), (1011, 638), "85.6 × 54 mm at 300 dpi");
    assert_eq!(
        png_pixels_per_metre(&png),
        Some((11811, 11811, 1)),
        "300 dpi"
    );
    let path = dir.path().join("card.png");
    std::fs::write(&path, &png).unwrap();
    let decoded = decode_qr(&path);
    assert_eq!(decoded, code);

    let clock = clock(paris(2026, 1, 12, 18, 30, 0));
    let result = check_in_scan(&store, &settings, &clock, &decoded, ScanRequest::default())
        .unwrap()
        .expect("a non-blank scan gives a result");
    let CheckInOutcome::Accepted {
        member: checked_in,
        card,
        ..
    } = result.outcome
    else {
        panic!("the decoded code was not accepted: {:?}", result.outcome);
    };
    assert_eq!(checked_in.id, member.id);
    assert_eq!(card.id, sold.id);
    assert_eq!(card.sessions_remaining, 9);
    let stored = store.card(sold.id).unwrap().unwrap();
    assert_eq!(stored.sessions_remaining, 9);
}

#[test]
fn qr_decodes_for_every_code_shape() {
    let dir = tempfile::tempdir().unwrap();
    let longest = "9".repeat(carnet::domain::code::MAX_CODE_LEN);
    let codes = [
        generated_code(1),
        "0000123456".to_owned(),
        "AB-2019/42".to_owned(),
        "CLUB:ÉTÉ 2024".to_owned(),
        longest,
    ];
    for (index, code) in codes.iter().enumerate() {
        let png = print::card_png(&face("Lan", "Nguyễn Thị", code)).unwrap();
        let path = dir.path().join(format!("{index}.png"));
        std::fs::write(&path, &png).unwrap();
        assert_eq!(&decode_qr(&path), code, "code {index}");
    }
}

#[test]
fn svg_is_xml_with_code_and_names() {
    let code = generated_code(2);
    let svg = print::card_svg(&face("Zoé", "d’Arc Lemaire", &code)).unwrap();
    let document = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let root = document.root_element();
    assert_eq!(root.attribute("width"), Some("85.6mm"));
    assert_eq!(root.attribute("height"), Some("54mm"));
    assert_eq!(root.attribute("viewBox"), Some("0 0 85.6 54"));

    let texts = svg_texts(&svg);
    assert!(texts.contains(&code), "{texts:?}");
    assert!(texts.contains(&"Zoé".to_owned()), "{texts:?}");
    assert!(texts.contains(&"d’Arc Lemaire".to_owned()), "{texts:?}");
    assert!(texts.contains(&"Club de test".to_owned()), "{texts:?}");
}

#[test]
fn svg_escapes_markup_in_names() {
    let mut card = face("Tom & \"Jerry\"", "<O'Brien>", &generated_code(3));
    card.club_name = "Judo & Ju-jitsu <Lyon>".to_owned();
    let texts = svg_texts(&print::card_svg(&card).unwrap());
    assert!(texts.contains(&"Tom & \"Jerry\"".to_owned()), "{texts:?}");
    assert!(texts.contains(&"<O'Brien>".to_owned()), "{texts:?}");
    assert!(
        texts.contains(&"Judo & Ju-jitsu <Lyon>".to_owned()),
        "{texts:?}"
    );
}

#[test]
fn pdf_sheets_for_23_members() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let created = paris(2026, 1, 5, 9, 0, 0);
    let members: Vec<Member> = (0..23)
        .map(|index| {
            let code = generated_code(100 + index);
            member_with_code(&store, "Membre", &format!("Numéro {index}"), &code, created)
        })
        .collect();
    let faces: Vec<CardFace> = members
        .iter()
        .map(|member| CardFace::new(member, "Club de test"))
        .collect();

    let pdf = print::cards_pdf(&faces).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "no PDF header");
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"), "no PDF trailer");
    assert_eq!(pdf_page_count(&pdf), 3, "23 cards at 10 a page");
    let contains = |needle: &[u8]| pdf.windows(needle.len()).any(|window| window == needle);
    assert!(contains(b"/Count 3"), "page tree count");
    assert!(contains(b"/FontFile2"), "the font is embedded");
    assert_eq!(
        pdf_media_boxes(&pdf),
        vec![[0.0, 0.0, 595.28, 841.89]; 3],
        "A4 pages"
    );
}

/// Returns every /MediaBox of a PDF, in points rounded to two decimals.
fn pdf_media_boxes(pdf: &[u8]) -> Vec<[f32; 4]> {
    let text = String::from_utf8_lossy(pdf);
    text.split("/MediaBox [")
        .skip(1)
        .map(|rest| {
            let numbers: Vec<f32> = rest
                .split(']')
                .next()
                .unwrap()
                .split_whitespace()
                .map(|number| (number.parse::<f32>().unwrap() * 100.0).round() / 100.0)
                .collect();
            numbers.try_into().expect("four numbers")
        })
        .collect()
}

#[test]
fn pdf_page_count_follows_card_count() {
    let one_card = print::cards_pdf(&[face("Zoé", "Lemaire", &generated_code(4))]).unwrap();
    assert_eq!(pdf_page_count(&one_card), 1);
    let ten: Vec<CardFace> = (0..10)
        .map(|index| face("Zoé", "Lemaire", &generated_code(200 + index)))
        .collect();
    assert_eq!(pdf_page_count(&print::cards_pdf(&ten).unwrap()), 1);
}

#[test]
fn hard_names_render_and_scan() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        ("Zoe\u{301}", "d’Arc Lemaire"),
        ("Lan", "Nguyễn Thị"),
        ("小明", "王"),
        ("ｆｕｌｌｗｉｄｔｈ", "株式会社テスト"),
        ("a\u{323}\u{302}\u{301}", "q\u{307}\u{331}"),
        ("محمد", "עברית"),
        ("🙂", "👩‍👩‍👧"),
        ("", ""),
        (
            "Maximilienne-Alexandrine-Joséphine",
            "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessen",
        ),
    ];
    let mut faces = Vec::new();
    for (index, (first, last)) in names.iter().enumerate() {
        let code = generated_code(300 + index as u64);
        let mut card = face(first, last, &code);
        if index % 2 == 1 {
            card.club_name = String::new();
        }

        let png = print::card_png(&card).unwrap();
        assert_eq!(png_size(&png), (1011, 638), "{first} {last}");
        let path = dir.path().join(format!("{index}.png"));
        std::fs::write(&path, &png).unwrap();
        assert_eq!(
            decode_qr(&path),
            code,
            "{first} {last}: the name covers the QR code"
        );

        let texts = svg_texts(&print::card_svg(&card).unwrap());
        assert!(texts.contains(&code), "{first} {last}: {texts:?}");
        faces.push(card);
    }
    let pdf = print::cards_pdf(&faces).unwrap();
    assert_eq!(pdf_page_count(&pdf), 1);
}

/// A club folder with a config file and a database holding one member.
struct Club {
    folder: tempfile::TempDir,
    config: PathBuf,
    code: String,
}

impl Club {
    fn new(language: &str) -> Club {
        let folder = tempfile::tempdir().unwrap();
        let config = folder.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[club]\nname = \"Club de test\"\ntimezone = \"Europe/Paris\"\n\
                 [database]\npath = \"db\"\n[ui]\nlanguage = \"{language}\"\n"
            ),
        )
        .unwrap();
        let code = generated_code(7);
        let store = open(&folder.path().join("db"));
        member_with_code(&store, "Zoé", "Lemaire", &code, paris(2026, 1, 5, 9, 0, 0));
        drop(store);
        Club {
            folder,
            config,
            code,
        }
    }

    fn out(&self) -> PathBuf {
        self.folder.path().join("cards")
    }

    fn print_card(&self, args: &[&str]) -> Output {
        Command::new(CARNET)
            .arg("--config")
            .arg(&self.config)
            .arg("print-card")
            .args(args)
            .arg("--out")
            .arg(self.out())
            .current_dir(self.folder.path())
            .env("XDG_DATA_HOME", self.folder.path())
            .stdin(Stdio::null())
            .output()
            .expect("carnet started")
    }
}

#[test]
fn cli_unknown_code_writes_nothing() {
    let club = Club::new("en");
    let output = club.print_card(&[&club.code, "00000000", "--pdf"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("Unknown member code \"00000000\""),
        "{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(!club.out().exists(), "the output folder was created");
}

#[test]
fn cli_names_every_unknown_code_in_french() {
    let club = Club::new("fr");
    let output = club.print_card(&["00000000", &club.code, "ABC"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("Codes adhérents inconnus : 00000000, ABC."),
        "{stderr}"
    );
    assert!(!club.out().exists(), "the output folder was created");
}

#[test]
fn cli_writes_private_files() {
    let club = Club::new("en");
    let output = club.print_card(&[&club.code, "--pdf"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );

    let out = club.out();
    let expected = [
        out.join(format!("{}.png", club.code)),
        out.join(format!("{}.svg", club.code)),
        out.join("cards.pdf"),
    ];
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "one line per file: {stdout}");
    for (line, path) in lines.iter().zip(&expected) {
        assert_eq!(*line, format!("Wrote {}", path.display()));
        assert!(path.is_file(), "{} missing", path.display());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", path.display());
        }
    }
    assert_eq!(decode_qr(&expected[0]), club.code);
    assert!(std::fs::read(&expected[2]).unwrap().starts_with(b"%PDF-"));
}
