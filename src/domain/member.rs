//! Club members.

use super::code::MemberCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MemberId(pub u64);

/// Member category: the two every club has, or a label the club defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Category {
    Adult,
    Child,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub code: MemberCode,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub category: Category,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub archived: bool,
    /// Time of the member's last accepted check-in.
    pub last_visit: Option<DateTime<Utc>>,
}

impl Member {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The fields a new member is created from; the store assigns the id and the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub category: Category,
    pub notes: String,
    /// The language the member reads, for e-mails; `None` means the club's.
    pub language: Option<crate::i18n::Language>,
}

impl NewMember {
    pub fn named(first_name: &str, last_name: &str) -> Self {
        Self {
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            email: None,
            phone: None,
            birth_date: None,
            category: Category::Adult,
            notes: String::new(),
            language: None,
        }
    }
}

/// Trims a name and puts it in Unicode NFC, so that a decomposed "Zoé" typed on one system
/// and a composed one typed on another are the same stored text.
pub fn normalize_name(name: &str) -> String {
    name.trim().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stored_nfc() {
        assert_eq!(normalize_name(" Zoe\u{301} "), "Zo\u{e9}");
        assert_eq!(normalize_name("Lefe\u{300}vre"), "Lef\u{e8}vre");
        assert_eq!(normalize_name("Ægir Ødegård"), "Ægir Ødegård");
    }
}
