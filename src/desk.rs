//! The check-in use case shared by the front desk screen and `carnet checkin`: from scanned
//! text to a stored outcome.

use crate::config::Settings;
use crate::domain::checkin::{CheckInRules, Refusal};
use crate::domain::scan::{LayoutMismatch, ScanError, parse_scan};
use crate::domain::{ActivityId, Clock};
use crate::store::{CheckInOutcome, Store, StoreError, WriteContext};

/// The result of one submitted scan.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanResult {
    pub outcome: CheckInOutcome,
    /// Set when the code was only found after mapping a keyboard layout's digit row back.
    pub layout: Option<LayoutMismatch>,
}

/// The options of one scan.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanRequest {
    pub activity: Option<ActivityId>,
    /// Deduct even within the repeat guard (staff chose to).
    pub charge_again: bool,
}

/// Checks in the member that `scanned` names. Returns `None` for a blank scan, which does nothing.
pub fn check_in_scan(
    store: &Store,
    settings: &Settings,
    clock: &dyn Clock,
    scanned: &str,
    request: ScanRequest,
) -> Result<Option<ScanResult>, StoreError> {
    let candidates = match parse_scan(scanned, &settings.scanner) {
        Ok(candidates) => candidates,
        // Enter alone does nothing. A scan that reduces to nothing (a prefix alone, a URL
        // without its code) is refused, so the previous result does not stay on screen.
        Err(ScanError::Empty) if scanned.trim().is_empty() => return Ok(None),
        Err(ScanError::Empty) => {
            return Ok(Some(ScanResult {
                outcome: CheckInOutcome::Refused {
                    member: None,
                    refusal: Refusal::UnknownCode {
                        code: scanned
                            .chars()
                            .filter(|c| !c.is_control())
                            .collect::<String>()
                            .trim()
                            .to_owned(),
                    },
                },
                layout: None,
            }));
        }
        Err(ScanError::TooLong { shown }) => {
            return Ok(Some(ScanResult {
                outcome: CheckInOutcome::Refused {
                    member: None,
                    refusal: Refusal::UnknownCode {
                        code: format!("{shown}…"),
                    },
                },
                layout: None,
            }));
        }
    };

    // The text as typed comes first; a layout mapping is used only when it names a member.
    // A scan with no other reading needs no lookup here: the check-in looks the code up.
    let mut chosen = &candidates[0];
    if candidates.len() > 1 {
        for candidate in &candidates {
            if store.member_id_by_code(&candidate.code)?.is_some() {
                chosen = candidate;
                break;
            }
        }
    }

    let now = clock.now();
    let rules = CheckInRules {
        today: settings.club_time.local_date(now),
        now,
        activity: request.activity,
        repeat_guard: settings.repeat_guard,
        charge_again: request.charge_again,
    };
    let mut outcome = store.check_in(&chosen.code, &rules, &write_context(settings, clock))?;
    // Show an unknown code as it was scanned, not upper-cased, so staff recognise what they typed.
    if let CheckInOutcome::Refused {
        refusal: Refusal::UnknownCode { code },
        ..
    } = &mut outcome
    {
        *code = scanned
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .trim()
            .to_owned();
    }
    Ok(Some(ScanResult {
        outcome,
        layout: chosen.layout,
    }))
}

pub fn write_context(settings: &Settings, clock: &dyn Clock) -> WriteContext {
    WriteContext {
        now: clock.now(),
        operator: settings.operator.clone(),
        terminal: settings.terminal.clone(),
    }
}
