//! Which column fills which field: detected from the headers in French or English, adjusted
//! by a preset for a known tool's layout, by a mapping saved from the Import screen, and by
//! the user.

pub use super::preset::Preset;
use crate::domain::pricing::fold;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A member or card field that a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    LastName,
    FirstName,
    BirthDate,
    Email,
    Phone,
    Category,
    Notes,
    /// The language the member reads e-mails in: `fr` or `en`.
    Language,
    /// Name of a card type of the club, for a card the member has now.
    CardType,
    SessionsLeft,
    /// Last valid day of the member's card.
    Expiry,
    /// Price paid for the card.
    Amount,
    /// Date the card was bought; a time after the date is ignored.
    SoldOn,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::LastName,
        Field::FirstName,
        Field::BirthDate,
        Field::Email,
        Field::Phone,
        Field::Category,
        Field::Notes,
        Field::Language,
        Field::CardType,
        Field::SessionsLeft,
        Field::Expiry,
        Field::Amount,
        Field::SoldOn,
    ];

    /// Returns the name used in saved mappings and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Field::LastName => "last_name",
            Field::FirstName => "first_name",
            Field::BirthDate => "birth_date",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Category => "category",
            Field::Notes => "notes",
            Field::Language => "language",
            Field::CardType => "card_type",
            Field::SessionsLeft => "sessions_left",
            Field::Expiry => "expiry",
            Field::Amount => "amount",
            Field::SoldOn => "sold_on",
        }
    }

    /// Headers that name this field, folded (lower case, no accents) with every character other
    /// than a letter or a digit removed.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Field::LastName => &[
                "nom",
                "lastname",
                "surname",
                "familyname",
                "nomdefamille",
                "nomadh",
                "nomadherent",
            ],
            Field::FirstName => &[
                "prenom",
                "firstname",
                "givenname",
                "prenomadh",
                "prenomadherent",
            ],
            Field::BirthDate => &[
                "nele",
                "neele",
                "nee",
                "ne",
                "datedenaissance",
                "naissance",
                "birth",
                "birthdate",
                "dateofbirth",
                "ddn",
                "datenaissance",
                "ddnadh",
            ],
            Field::Email => &[
                "email",
                "mail",
                "courriel",
                "adressemail",
                "adresseemail",
                "emailadh",
                "emailadherent",
                "adressecourriel",
            ],
            Field::Phone => &[
                "telephone",
                "tel",
                "portable",
                "mobile",
                "phone",
                "telephoneportable",
                "gsm",
                "numerodetelephone",
                "teladh",
                "gsmadh",
                "phonenumber",
                "mobilephone",
            ],
            Field::Category => &["categorie", "category"],
            Field::Language => &["langue", "language", "lang", "languepreferee"],
            Field::Notes => &[
                "notes",
                "note",
                "commentaire",
                "commentaires",
                "remarques",
                "remarque",
                "comments",
                "comment",
            ],
            Field::CardType => &["carnet", "formule", "cardtype", "card", "typedecarnet"],
            Field::SessionsLeft => &[
                "seancesrestantes",
                "sessionsleft",
                "solde",
                "remainingsessions",
                "restant",
                "seances",
            ],
            Field::Expiry => &[
                "expiration",
                "dateexpiration",
                "datedexpiration",
                "expiry",
                "expires",
                "expireson",
                "validite",
                "validjusquau",
                "finvalidite",
            ],
            Field::Amount => &["montant", "amount", "prix", "price", "montantpaye"],
            Field::SoldOn => &[
                "dateachat",
                "datedachat",
                "solddate",
                "soldon",
                "purchasedate",
                "datedevente",
            ],
        }
    }

    pub fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.code() == code)
    }
}

/// Folds a header for matching: no accents, no case, nothing but letters and digits, so that
/// `Né(e) le`, `NE LE` and `ne_le` compare equal.
pub fn header_key(header: &str) -> String {
    fold(header)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Detects the field of one header from the French and English names it may have.
pub fn field_of_header(header: &str) -> Option<Field> {
    let key = header_key(header);
    Field::ALL
        .into_iter()
        .find(|field| field.headers().contains(&key.as_str()))
}

/// A mapping saved from the Import screen: header as written in the file, then a field code
/// or `ignore`. Headers not listed are detected as usual.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedMapping {
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// The value that marks an ignored column in a saved mapping.
pub const IGNORE: &str = "ignore";

impl SavedMapping {
    /// Returns the saved choice for a header: `Some(None)` for an ignored column, `None` when
    /// the header is not listed or its value is not a field code.
    fn choice(&self, header: &str) -> Option<Option<Field>> {
        let key = header_key(header);
        let value = self
            .columns
            .iter()
            .find(|(saved, _)| header_key(saved) == key)
            .map(|(_, value)| value.as_str())?;
        if value == IGNORE {
            return Some(None);
        }
        Field::parse(value).map(Some)
    }

    /// Lists the values that are neither a field code nor `ignore`, with their header.
    pub fn unknown_values(&self) -> Vec<(&str, &str)> {
        self.columns
            .iter()
            .filter(|(_, value)| value.as_str() != IGNORE && Field::parse(value).is_none())
            .map(|(header, value)| (header.as_str(), value.as_str()))
            .collect()
    }
}

/// The field of each column, in column order; `None` for a column that is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub columns: Vec<Option<Field>>,
    /// The preset applied: the one requested, or the one detected when `Auto` was requested.
    pub preset: Preset,
}

impl Mapping {
    /// Maps each header: a saved choice first, then the preset, then the general names. A
    /// field already taken by an earlier column is not given to a later one.
    pub fn detect(headers: &[String], preset: Preset, saved: Option<&SavedMapping>) -> Mapping {
        let preset = match preset {
            Preset::Auto => Preset::detect(headers),
            chosen => chosen,
        };
        let mut columns: Vec<Option<Field>> = Vec::with_capacity(headers.len());
        for header in headers {
            let key = header_key(header);
            let choice = saved
                .and_then(|saved| saved.choice(header))
                .or_else(|| {
                    preset
                        .columns()
                        .iter()
                        .find(|(preset_key, _)| *preset_key == key)
                        .map(|(_, field)| *field)
                })
                .unwrap_or_else(|| field_of_header(header));
            let taken = choice.is_some() && columns.contains(&choice);
            columns.push(if taken { None } else { choice });
        }
        Mapping { columns, preset }
    }

    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(field))
    }

    /// Sets the field of one column, taking it away from any other column.
    pub fn set(&mut self, column: usize, field: Option<Field>) {
        if field.is_some() {
            for other in self.columns.iter_mut() {
                if *other == field {
                    *other = None;
                }
            }
        }
        if let Some(slot) = self.columns.get_mut(column) {
            *slot = field;
        }
    }

    /// Turns the mapping into the form saved on disk, keyed by the file's headers.
    pub fn to_saved(&self, headers: &[String]) -> SavedMapping {
        let columns = headers
            .iter()
            .zip(&self.columns)
            .filter(|(header, _)| !header.is_empty())
            .map(|(header, field)| {
                let value = field.map_or(IGNORE, Field::code);
                (header.clone(), value.to_owned())
            })
            .collect();
        SavedMapping { columns }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn french_and_english_headers() {
        for (header, field) in [
            ("Nom", Field::LastName),
            ("PRÉNOM", Field::FirstName),
            ("Né(e) le", Field::BirthDate),
            ("Date de naissance", Field::BirthDate),
            ("E-mail", Field::Email),
            ("Courriel", Field::Email),
            ("Téléphone ", Field::Phone),
            ("Portable", Field::Phone),
            ("lastname", Field::LastName),
            ("First name", Field::FirstName),
            ("Carnet", Field::CardType),
            ("Séances restantes", Field::SessionsLeft),
            ("Montant", Field::Amount),
        ] {
            assert_eq!(field_of_header(header), Some(field), "{header}");
        }
        assert_eq!(field_of_header("ville_adh"), None);
    }

    #[test]
    fn helloasso_preset_skips_payer() {
        let names = headers(&[
            "Nom adhérent",
            "Prénom adhérent",
            "Nom payeur",
            "Email payeur",
            "Tarif",
        ]);
        assert_eq!(Preset::detect(&names), Preset::Helloasso);
        let mapping = Mapping::detect(&names, Preset::Auto, None);
        assert_eq!(
            mapping.columns,
            vec![
                Some(Field::LastName),
                Some(Field::FirstName),
                None,
                None,
                Some(Field::CardType)
            ]
        );
    }

    #[test]
    fn field_taken_once() {
        let mapping = Mapping::detect(&headers(&["Tél", "Portable"]), Preset::Auto, None);
        assert_eq!(mapping.columns, vec![Some(Field::Phone), None]);
    }

    #[test]
    fn saved_mapping_wins_and_round_trips() {
        let names = headers(&["Nom", "Ville"]);
        let mut mapping = Mapping::detect(&names, Preset::Auto, None);
        mapping.set(1, Some(Field::Notes));
        mapping.set(0, None);
        let saved = mapping.to_saved(&names);
        let text = toml::to_string(&saved).unwrap();
        let back: SavedMapping = toml::from_str(&text).unwrap();
        let again = Mapping::detect(&names, Preset::Auto, Some(&back));
        assert_eq!(again.columns, vec![None, Some(Field::Notes)]);
    }

    #[test]
    fn set_moves_a_field() {
        let mut mapping = Mapping {
            columns: vec![Some(Field::Email), None],
            preset: Preset::Auto,
        };
        mapping.set(1, Some(Field::Email));
        assert_eq!(mapping.columns, vec![None, Some(Field::Email)]);
    }
}
