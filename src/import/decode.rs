//! Bytes to text: UTF-8 with or without a byte-order mark, else Windows-1252.

/// The character encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-8 starting with the byte-order mark that Excel writes.
    Utf8Bom,
    /// The encoding of Excel's "CSV (separator: semicolon)" on French Windows.
    Windows1252,
}

impl Encoding {
    /// Returns the usual name of the encoding, the same in every language.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a file: valid UTF-8 is read as UTF-8 (its byte-order mark dropped), anything else as
/// Windows-1252, which maps every byte to a character and so never fails.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    if let Some(rest) = bytes.strip_prefix(BOM)
        && let Ok(text) = std::str::from_utf8(rest)
    {
        return (text.to_owned(), Encoding::Utf8Bom);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), Encoding::Utf8);
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    (text.into_owned(), Encoding::Windows1252)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom() {
        let (text, encoding) = decode(b"\xEF\xBB\xBFNom;Zo\xC3\xA9");
        assert_eq!(text, "Nom;Zoé");
        assert_eq!(encoding, Encoding::Utf8Bom);
    }

    #[test]
    fn utf8_without_bom() {
        let (text, encoding) = decode("Nom;Zoé".as_bytes());
        assert_eq!(text, "Nom;Zoé");
        assert_eq!(encoding, Encoding::Utf8);
    }

    #[test]
    fn windows_1252_fallback() {
        // 0xE9 is é and 0x80 the euro sign in Windows-1252; neither is valid UTF-8 here.
        let (text, encoding) = decode(b"Zo\xE9;85,00 \x80");
        assert_eq!(text, "Zoé;85,00 €");
        assert_eq!(encoding, Encoding::Windows1252);
    }
}
