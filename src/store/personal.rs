//! Personal data: erasing a member's details while their cards and ledger stay, so that
//! revenue and outstanding sessions are unchanged.

use super::keys::{TreeName, id_key, meta};
use super::members::not_found_member;
use super::tx::abort;
use super::{Store, StoreError, WriteContext};
use crate::domain::audit::{AuditAction, AuditChange, AuditEvent};
use crate::domain::member::{Member, MemberId};

/// First name given to an erased member; the last name becomes `#ID`, so lists show
/// "Erased member #ID".
pub const ERASED_FIRST_NAME: &str = "Erased member";

impl Store {
    /// Erases a member's names, e-mail, phone, birth date, notes and the notes of their
    /// contacts, archives the member and
    /// removes their code from the code index so it no longer checks in. Cards, ledger events
    /// and the category stay. An audit event records the erasure, without the erased values.
    ///
    /// Returns the member as stored afterwards. Erasing an erased member again changes nothing.
    ///
    /// NOTE: sled keeps overwritten values in its log until it reuses the space, so the old
    /// bytes may stay in the database files for a while; earlier backups keep them too.
    pub fn erase_member(&self, id: MemberId, context: &WriteContext) -> Result<Member, StoreError> {
        if self.erased_members()?.contains(&id) {
            return self.member(id)?.ok_or_else(|| not_found_member(id));
        }
        let contacts = self.contacts_of_member(id)?;
        let member = self.write(|tx| {
            let mut member: Member = tx
                .get(TreeName::Members, &id_key(id.0))?
                .ok_or_else(|| abort(not_found_member(id)))?;
            let code_key = member.code.as_str().as_bytes().to_vec();
            // Another member may hold the same code after an import; leave their entry alone.
            if tx.get::<MemberId>(TreeName::MemberCodes, &code_key)? == Some(id) {
                tx.remove(TreeName::MemberCodes, &code_key)?;
            }
            member.first_name = ERASED_FIRST_NAME.to_owned();
            member.last_name = format!("#{}", id.0);
            member.email = None;
            member.phone = None;
            member.birth_date = None;
            member.notes = String::new();
            member.archived = true;
            tx.put(TreeName::Members, &id_key(id.0), &member)?;
            tx.remove(TreeName::MemberPrefs, &id_key(id.0))?;
            // Notes typed when staff informed the member may name them. The dates and channels stay.
            for contact in &contacts {
                let mut contact = contact.clone();
                contact.note = String::new();
                let key = crate::store::keys::pair_key(id.0, contact.id.0);
                tx.put(TreeName::Contacts, &key, &contact)?;
            }

            let audit_id = tx.next_id(meta::SEQ_AUDIT)?;
            let event = AuditEvent {
                id: audit_id,
                at: context.now,
                operator: context.operator.clone(),
                terminal: context.terminal.clone(),
                action: AuditAction::Deleted,
                change: AuditChange::MemberErased { id },
            };
            tx.put(TreeName::Audit, &id_key(audit_id), &event)?;
            Ok(member)
        })?;
        tracing::info!(member = id.0, "member's personal details erased");
        Ok(member)
    }

    /// Tells whether a member's personal details were erased.
    pub fn is_erased(&self, id: MemberId) -> Result<bool, StoreError> {
        Ok(self.erased_members()?.contains(&id))
    }
}
