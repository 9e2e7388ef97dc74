//! User-visible text in French and English, from the catalogs under assets/i18n, and the
//! language's formats for dates, times and money.

use chrono::{DateTime, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Display;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Fr,
}

impl Language {
    /// French when LC_ALL, LC_MESSAGES or LANG (the first one set) starts with "fr".
    pub fn from_environment() -> Language {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        if locale.to_ascii_lowercase().starts_with("fr") {
            Language::Fr
        } else {
            Language::En
        }
    }

    /// Reads a language as staff or a file write it: `fr`, `français`, `French`, `en`, ….
    pub fn parse(text: &str) -> Option<Language> {
        match crate::domain::pricing::fold(text).as_str() {
            "fr" | "fra" | "francais" | "french" => Some(Language::Fr),
            "en" | "eng" | "anglais" | "english" => Some(Language::En),
            _ => None,
        }
    }

    /// The two-letter code: `fr` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }

    fn catalog_source(self) -> &'static str {
        match self {
            Language::En => include_str!("../assets/i18n/en.toml"),
            Language::Fr => include_str!("../assets/i18n/fr.toml"),
        }
    }
}

/// The messages of one language.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub language: Language,
    messages: HashMap<String, String>,
}

impl Catalog {
    pub fn new(language: Language) -> Catalog {
        let messages = parse_catalog(language.catalog_source()).unwrap_or_else(|error| {
            // The catalogs are compiled in and a test parses both, so this only fires on a broken build.
            tracing::error!(%error, ?language, "message catalog is invalid");
            HashMap::new()
        });
        Catalog { language, messages }
    }

    /// Returns the message for `key`; the key itself when missing, so a gap shows rather than hides.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        match self.messages.get(key) {
            Some(text) => text,
            None => {
                tracing::warn!(key, "message missing from catalog");
                key
            }
        }
    }

    /// Returns the message for `key` with each `{name}` replaced by its value.
    pub fn tf(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
    }

    pub fn date(&self, date: NaiveDate) -> String {
        match self.language {
            Language::Fr => date.format("%d/%m/%Y").to_string(),
            Language::En => date.format("%Y-%m-%d").to_string(),
        }
    }

    pub fn time<Tz: TimeZone>(&self, instant: &DateTime<Tz>) -> String
    where
        Tz::Offset: Display,
    {
        instant.format("%H:%M").to_string()
    }

    /// Formats cents as the language writes money: `1 020,50 €` or `€1,020.50`.
    pub fn money(&self, cents: i64) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let units = (cents / 100).unsigned_abs();
        let fraction = (cents % 100).unsigned_abs();
        match self.language {
            // U+202F, the narrow no-break space, separates thousands in French typography.
            Language::Fr => format!(
                "{sign}{},{fraction:02}\u{a0}€",
                group_thousands(units, '\u{202f}')
            ),
            Language::En => format!("{sign}€{}.{fraction:02}", group_thousands(units, ',')),
        }
    }

    /// Returns every key of this catalog, for the test that compares catalogs.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }
}

fn group_thousands(value: u64, separator: char) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// Flattens a catalog's TOML tables into dotted keys (`[desk] title` becomes `desk.title`).
fn parse_catalog(source: &str) -> Result<HashMap<String, String>, toml::de::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entry {
        Text(String),
        Table(HashMap<String, Entry>),
    }

    fn flatten(prefix: &str, entries: HashMap<String, Entry>, into: &mut HashMap<String, String>) {
        for (name, entry) in entries {
            let key = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}.{name}")
            };
            match entry {
                Entry::Text(text) => {
                    into.insert(key, text);
                }
                Entry::Table(table) => flatten(&key, table, into),
            }
        }
    }

    let root: HashMap<String, Entry> = toml::from_str(source)?;
    let mut messages = HashMap::new();
    flatten("", root, &mut messages);
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn catalogs_parse_and_have_same_keys() {
        let english = parse_catalog(Language::En.catalog_source()).unwrap();
        let french = parse_catalog(Language::Fr.catalog_source()).unwrap();
        let english_keys: BTreeSet<_> = english.keys().collect();
        let french_keys: BTreeSet<_> = french.keys().collect();
        let missing_in_french: Vec<_> = english_keys.difference(&french_keys).collect();
        let missing_in_english: Vec<_> = french_keys.difference(&english_keys).collect();
        assert!(
            missing_in_french.is_empty(),
            "missing in fr.toml: {missing_in_french:?}"
        );
        assert!(
            missing_in_english.is_empty(),
            "missing in en.toml: {missing_in_english:?}"
        );
    }

    #[test]
    fn placeholders_match_between_catalogs() {
        let english = parse_catalog(Language::En.catalog_source()).unwrap();
        let french = parse_catalog(Language::Fr.catalog_source()).unwrap();
        let placeholders = |text: &str| -> BTreeSet<String> {
            text.split('{')
                .skip(1)
                .filter_map(|part| part.split_once('}'))
                .map(|(name, _)| name.to_owned())
                .collect()
        };
        for (key, english_text) in &english {
            let Some(french_text) = french.get(key) else {
                continue;
            };
            assert_eq!(
                placeholders(english_text),
                placeholders(french_text),
                "placeholders differ for {key}"
            );
        }
    }

    /// Every literal key passed to `t(` or `tf(` in the sources exists in the catalogs.
    #[test]
    fn keys_used_in_sources_exist() {
        let english = parse_catalog(Language::En.catalog_source()).unwrap();
        let mut missing = Vec::new();
        visit_sources(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .as_path(),
            &mut |text| {
                for call in [".t(\"", ".tf(\""] {
                    for part in text.split(call).skip(1) {
                        if let Some((key, _)) = part.split_once('"')
                            && !english.contains_key(key)
                        {
                            missing.push(key.to_owned());
                        }
                    }
                }
            },
        );
        assert!(
            missing.is_empty(),
            "keys used in code but missing from catalogs: {missing:?}"
        );
    }

    fn visit_sources(folder: &std::path::Path, visit: &mut dyn FnMut(&str)) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit_sources(&path, visit);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                visit(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    #[test]
    fn money_in_each_language() {
        let french = Catalog::new(Language::Fr);
        let english = Catalog::new(Language::En);
        assert_eq!(french.money(1250), "12,50\u{a0}€");
        assert_eq!(french.money(102_050), "1\u{202f}020,50\u{a0}€");
        assert_eq!(english.money(102_050), "€1,020.50");
        assert_eq!(english.money(0), "€0.00");
        assert_eq!(english.money(-5), "-€0.05");
    }

    #[test]
    fn dates_in_each_language() {
        let date = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        assert_eq!(Catalog::new(Language::Fr).date(date), "31/01/2027");
        assert_eq!(Catalog::new(Language::En).date(date), "2027-01-31");
    }
}
