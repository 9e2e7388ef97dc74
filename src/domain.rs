//! The club's rules: members, card types, sold cards, the ledger, check-in decisions,
//! dates and scanned codes. Nothing here touches the terminal or the database.

pub mod audit;
pub mod card;
pub mod card_type;
pub mod checkin;
pub mod clock;
pub mod code;
pub mod compact;
pub mod dates;
pub mod inform;
pub mod input;
pub mod ledger;
pub mod member;
pub mod member_form;
pub mod overview;
pub mod pricing;
pub mod sale;
pub mod scan;

pub use card::{Card, CardId, CardState, CardStatus};
pub use card_type::{Activity, ActivityId, CardType, CardTypeId, Validity};
pub use checkin::{CheckInDecision, Refusal};
pub use clock::{Clock, FixedClock, SystemClock};
pub use code::MemberCode;
pub use dates::ClubTime;
pub use ledger::{EventId, EventKind, LedgerEvent};
pub use member::{Category, Member, MemberId};
