//! Members, card types and activities.

use super::keys::{TreeName, id_key, id_of_key, meta};
use super::tx::{TxResult, TxView};
use super::{Store, StoreError, WriteContext, codec};
use crate::domain::MemberCode;
use crate::domain::card_type::{Activity, ActivityId, CardType, CardTypeId, Validity};
use crate::domain::member::{Member, MemberId, NewMember, normalize_name};
use crate::i18n::Language;
use rand::SeedableRng;
use std::collections::HashMap;

/// Attempts at drawing an unused code before giving up (10 million codes exist).
const CODE_ATTEMPTS: usize = 64;

impl Store {
    /// Creates a member with a fresh, unique code.
    pub fn insert_member(
        &self,
        new: &NewMember,
        context: &WriteContext,
    ) -> Result<Member, StoreError> {
        let mut rng = rand_chacha::ChaCha8Rng::from_os_rng();
        let candidates: Vec<MemberCode> = (0..CODE_ATTEMPTS)
            .map(|_| MemberCode::generate(&mut rng))
            .collect();
        self.write(|tx| {
            let code = free_code(tx, &candidates)?;
            let id = MemberId(tx.next_id(meta::SEQ_MEMBER)?);
            let member = Member {
                id,
                code,
                first_name: normalize_name(&new.first_name),
                last_name: normalize_name(&new.last_name),
                email: new.email.clone(),
                phone: new.phone.clone(),
                birth_date: new.birth_date,
                category: new.category.clone(),
                notes: new.notes.clone(),
                created_at: context.now,
                archived: false,
                last_visit: None,
            };
            tx.put(TreeName::Members, &id_key(id.0), &member)?;
            tx.put(TreeName::MemberCodes, member.code.as_str().as_bytes(), &id)?;
            put_prefs(tx, id, new.language)?;
            Ok(member)
        })
    }

    /// Archives or restores a member; archived members keep their history but cannot check in.
    pub fn set_member_archived(&self, id: MemberId, archived: bool) -> Result<Member, StoreError> {
        self.write(|tx| {
            let mut member: Member = tx
                .get(TreeName::Members, &id_key(id.0))?
                .ok_or_else(|| super::tx::abort(not_found_member(id)))?;
            member.archived = archived;
            tx.put(TreeName::Members, &id_key(id.0), &member)?;
            Ok(member)
        })
    }

    pub fn member(&self, id: MemberId) -> Result<Option<Member>, StoreError> {
        self.read(TreeName::Members, &id_key(id.0))
    }

    pub fn member_by_code(&self, code: &MemberCode) -> Result<Option<Member>, StoreError> {
        let Some(id) = self.member_id_by_code(code)? else {
            return Ok(None);
        };
        self.member(id)
    }

    /// Finds whose code `code` is without reading the member.
    pub fn member_id_by_code(&self, code: &MemberCode) -> Result<Option<MemberId>, StoreError> {
        self.read(TreeName::MemberCodes, code.as_str().as_bytes())
    }

    pub fn members(&self) -> impl Iterator<Item = Result<Member, StoreError>> + '_ {
        self.read_all(TreeName::Members)
    }

    /// Number of members, archived ones included. Ids are never reused or deleted, so the
    /// last id is the count, read without scanning the tree.
    pub fn member_count(&self) -> usize {
        self.last_id(TreeName::Members) as usize
    }

    pub fn insert_card_type(
        &self,
        name: &str,
        price_cents: i64,
        sessions: u32,
        validity: Validity,
        audience: &str,
        activities: Vec<ActivityId>,
    ) -> Result<CardType, StoreError> {
        self.write(|tx| {
            let id = CardTypeId(tx.next_id(meta::SEQ_CARD_TYPE)?);
            let card_type = CardType {
                id,
                name: normalize_name(name),
                price_cents,
                sessions,
                validity,
                audience: audience.to_owned(),
                activities: activities.clone(),
                archived: false,
            };
            tx.put(TreeName::CardTypes, &id_key(id.0), &card_type)?;
            Ok(card_type)
        })
    }

    pub fn card_type(&self, id: CardTypeId) -> Result<Option<CardType>, StoreError> {
        self.read(TreeName::CardTypes, &id_key(id.0))
    }

    pub fn card_types(&self) -> Result<Vec<CardType>, StoreError> {
        self.read_all(TreeName::CardTypes).collect()
    }

    pub fn insert_activity(&self, name: &str) -> Result<Activity, StoreError> {
        self.write(|tx| {
            let id = ActivityId(tx.next_id(meta::SEQ_ACTIVITY)?);
            let activity = Activity {
                id,
                name: normalize_name(name),
                archived: false,
            };
            tx.put(TreeName::Activities, &id_key(id.0), &activity)?;
            Ok(activity)
        })
    }

    pub fn activities(&self) -> Result<Vec<Activity>, StoreError> {
        self.read_all(TreeName::Activities).collect()
    }

    /// Codes of a few demo members that show each kind of result, kept by `carnet demo`.
    pub fn demo_codes(&self) -> Result<Vec<(String, MemberCode)>, StoreError> {
        Ok(self
            .read(TreeName::Meta, meta::DEMO_CODES)?
            .unwrap_or_default())
    }
}

pub(crate) fn free_code(tx: &TxView, candidates: &[MemberCode]) -> TxResult<MemberCode> {
    for code in candidates {
        if tx
            .get::<MemberId>(TreeName::MemberCodes, code.as_str().as_bytes())?
            .is_none()
        {
            return Ok(code.clone());
        }
    }
    Err(super::tx::abort(StoreError::NotFound {
        what: "a free member code".to_owned(),
    }))
}

pub(crate) fn not_found_member(id: MemberId) -> StoreError {
    StoreError::NotFound {
        what: format!("member {}", id.0),
    }
}

impl Store {
    pub fn card_type_count(&self) -> usize {
        self.tree(TreeName::CardTypes).len()
    }

    /// Number of cards sold, read from the last id like [`Store::member_count`].
    pub fn card_count(&self) -> usize {
        self.last_id(TreeName::Cards) as usize
    }

    pub(crate) fn last_id(&self, tree: TreeName) -> u64 {
        self.try_last_id(tree).unwrap_or_else(|error| {
            tracing::error!(%error, tree = tree.as_str(), "reading the last id failed");
            0
        })
    }

    /// Returns the id in the last key of a tree keyed by id, 0 when the tree is empty.
    pub(crate) fn try_last_id(&self, tree: TreeName) -> Result<u64, StoreError> {
        let last = self.tree(tree).last().map_err(|e| self.sled_error(e))?;
        Ok(last
            .and_then(|(key, _)| super::keys::id_of_key(&key))
            .unwrap_or(0))
    }
}

impl Store {
    /// Changes a member's details; the code, creation date, archive flag and last visit stay.
    pub fn update_member(&self, id: MemberId, details: &NewMember) -> Result<Member, StoreError> {
        self.write(|tx| {
            let mut member: Member = tx
                .get(TreeName::Members, &id_key(id.0))?
                .ok_or_else(|| super::tx::abort(not_found_member(id)))?;
            member.first_name = normalize_name(&details.first_name);
            member.last_name = normalize_name(&details.last_name);
            member.email = details.email.clone();
            member.phone = details.phone.clone();
            member.birth_date = details.birth_date;
            member.category = details.category.clone();
            member.notes = details.notes.clone();
            tx.put(TreeName::Members, &id_key(id.0), &member)?;
            put_prefs(tx, id, details.language)?;
            Ok(member)
        })
    }

    /// Returns the language a member reads, when staff set one.
    pub fn member_language(&self, id: MemberId) -> Result<Option<Language>, StoreError> {
        let prefs: Option<MemberPrefs> = self.read(TreeName::MemberPrefs, &id_key(id.0))?;
        Ok(prefs.and_then(|prefs| prefs.language))
    }

    /// Returns every member's language that staff set.
    pub fn member_languages(&self) -> Result<HashMap<MemberId, Language>, StoreError> {
        let mut languages = HashMap::new();
        for entry in self.tree(TreeName::MemberPrefs).iter() {
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let prefs: MemberPrefs = codec::decode(&value)
                .map_err(|source| StoreError::record(TreeName::MemberPrefs, &key, source))?;
            if let (Some(id), Some(language)) = (id_of_key(&key), prefs.language) {
                languages.insert(MemberId(id), language);
            }
        }
        Ok(languages)
    }
}

/// Settings staff chose for a member besides the member record. They are kept apart, so
/// adding a preference never changes the stored shape of `Member`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MemberPrefs {
    pub language: Option<Language>,
}

/// Stores the member's preferences, or removes them when none is set.
pub(super) fn put_prefs(tx: &TxView, id: MemberId, language: Option<Language>) -> TxResult<()> {
    match language {
        Some(_) => tx.put(
            TreeName::MemberPrefs,
            &id_key(id.0),
            &MemberPrefs { language },
        ),
        None => tx.remove(TreeName::MemberPrefs, &id_key(id.0)),
    }
}
