//! Presets: the column layouts of tools whose exports clubs bring.

use super::mapping::{Field, header_key};

/// The layouts of tools whose exports clubs bring, with the headers that differ from the
/// general rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Preset {
    /// Headers recognised in French or English, with no tool in mind.
    #[default]
    Auto,
    /// Dolibarr's member import: lastname, firstname, email, birth (ISO dates).
    Dolibarr,
    /// Galette's export: nom_adh, prenom_adh, email_adh, every field quoted.
    Galette,
    /// HelloAsso's membership export: the member's columns, not the payer's.
    Helloasso,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Auto,
        Preset::Dolibarr,
        Preset::Galette,
        Preset::Helloasso,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Preset::Auto => "auto",
            Preset::Dolibarr => "dolibarr",
            Preset::Galette => "galette",
            Preset::Helloasso => "helloasso",
        }
    }

    /// Recognises a known tool's layout by headers that only that tool writes; `Auto` when
    /// none matches.
    pub fn detect(headers: &[String]) -> Preset {
        let keys: Vec<String> = headers.iter().map(|header| header_key(header)).collect();
        let marks: [(Preset, &[&str]); 3] = [
            (Preset::Dolibarr, &["lastname", "firstname", "morphy"]),
            (Preset::Galette, &["nomadh", "prenomadh"]),
            (Preset::Helloasso, &["nomadherent", "nompayeur"]),
        ];
        marks
            .into_iter()
            .find(|(_, marks)| marks.iter().all(|mark| keys.iter().any(|key| key == mark)))
            .map_or(Preset::Auto, |(preset, _)| preset)
    }

    /// Header keys (see [`header_key`]) this preset maps, `None` meaning ignored.
    pub(super) fn columns(self) -> &'static [(&'static str, Option<Field>)] {
        match self {
            Preset::Auto => &[],
            Preset::Dolibarr => &[
                ("lastname", Some(Field::LastName)),
                ("firstname", Some(Field::FirstName)),
                ("email", Some(Field::Email)),
                ("birth", Some(Field::BirthDate)),
                ("phone", Some(Field::Phone)),
                ("phonemobile", Some(Field::Phone)),
                ("note", Some(Field::Notes)),
                // The end of the club membership, which is not a card of sessions.
                ("datefin", None),
            ],
            Preset::Galette => &[
                ("nomadh", Some(Field::LastName)),
                ("prenomadh", Some(Field::FirstName)),
                ("emailadh", Some(Field::Email)),
                ("ddnadh", Some(Field::BirthDate)),
                ("teladh", Some(Field::Phone)),
                ("gsmadh", Some(Field::Phone)),
            ],
            Preset::Helloasso => &[
                ("nomadherent", Some(Field::LastName)),
                ("prenomadherent", Some(Field::FirstName)),
                ("tarif", Some(Field::CardType)),
                ("montanttarif", Some(Field::Amount)),
                ("datedelacommande", Some(Field::SoldOn)),
                ("telephone", Some(Field::Phone)),
                ("commentaires", Some(Field::Notes)),
                ("datedenaissance", Some(Field::BirthDate)),
                // The payer may be a parent paying for a child, so the payer's columns are
                // not the member's.
                ("nompayeur", None),
                ("prenompayeur", None),
                ("emailpayeur", None),
            ],
        }
    }
}
