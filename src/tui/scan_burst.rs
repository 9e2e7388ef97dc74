//! Tells a barcode scanner from a person at the keyboard, by speed.
//!
//! A scanner types a whole code, then Enter or Tab, a few milliseconds a key. A person does
//! not type four keys in a row that fast. Printable keys are held back for that long: when a terminator
//! follows a run of fast keys, the run becomes one [`Action::Scan`], which checks the member
//! in whatever has the focus. Otherwise the keys go on as typed, a few milliseconds late.

use super::app::Action;
use std::time::{Duration, Instant};

/// Minimum number of characters in a scan: a shorter fast run is typing.
pub const MIN_SCAN_CHARS: usize = 4;

/// Characters held back until it is known whether they are a scan.
#[derive(Debug)]
pub struct ScanBurst {
    max_gap: Duration,
    held: String,
    /// When the last held key arrived.
    last_key: Option<Instant>,
}

impl ScanBurst {
    /// `max_gap` is the longest pause between two keys of one scan.
    pub fn new(max_gap: Duration) -> Self {
        Self {
            max_gap,
            held: String::new(),
            last_key: None,
        }
    }

    /// Takes an action read at `at` and returns the actions to apply now, in order.
    pub fn feed(&mut self, action: Action, at: Instant) -> Vec<Action> {
        let fast = self
            .last_key
            .is_some_and(|last| at.saturating_duration_since(last) <= self.max_gap);
        match action {
            Action::Insert(c) => {
                let mut out = Vec::new();
                if !fast {
                    out = self.release();
                }
                self.held.push(c);
                self.last_key = Some(at);
                out
            }
            Action::Submit | Action::Tab if fast && self.held.chars().count() >= MIN_SCAN_CHARS => {
                self.last_key = None;
                vec![Action::Scan(std::mem::take(&mut self.held))]
            }
            other => {
                let mut out = self.release();
                out.push(other);
                out
            }
        }
    }

    /// Returns the held keys once no key followed them in time: they were typed.
    pub fn release_if_typed(&mut self, now: Instant) -> Vec<Action> {
        match self.deadline() {
            Some(deadline) if now >= deadline => self.release(),
            _ => Vec::new(),
        }
    }

    /// When the held keys are known to be typing, if any are held.
    pub fn deadline(&self) -> Option<Instant> {
        if self.held.is_empty() {
            return None;
        }
        self.last_key.map(|last| last + self.max_gap)
    }

    fn release(&mut self) -> Vec<Action> {
        self.last_key = None;
        std::mem::take(&mut self.held)
            .chars()
            .map(Action::Insert)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GAP: Duration = Duration::from_millis(30);

    fn typed(burst: &mut ScanBurst, text: &str, start: Instant, every: Duration) -> Instant {
        let mut at = start;
        for c in text.chars() {
            assert!(burst.feed(Action::Insert(c), at).len() <= text.len());
            at += every;
        }
        at
    }

    #[test]
    fn fast_run_then_enter_is_one_scan() {
        let mut burst = ScanBurst::new(GAP);
        let start = Instant::now();
        let at = typed(&mut burst, "31415926", start, Duration::from_millis(3));
        assert_eq!(
            burst.feed(Action::Submit, at),
            [Action::Scan("31415926".to_owned())]
        );
        assert_eq!(burst.deadline(), None);
    }

    #[test]
    fn tab_ends_a_scan_too() {
        let mut burst = ScanBurst::new(GAP);
        let at = typed(
            &mut burst,
            "&é\"'(",
            Instant::now(),
            Duration::from_millis(2),
        );
        assert_eq!(
            burst.feed(Action::Tab, at),
            [Action::Scan("&é\"'(".to_owned())]
        );
    }

    #[test]
    fn typing_goes_through_after_the_gap() {
        let mut burst = ScanBurst::new(GAP);
        let start = Instant::now();
        assert_eq!(burst.feed(Action::Insert('a'), start), []);
        assert_eq!(
            burst.release_if_typed(start + Duration::from_millis(10)),
            []
        );
        assert_eq!(burst.release_if_typed(start + GAP), [Action::Insert('a')]);
        // A person types the next key later: the first one was already released.
        let later = start + Duration::from_millis(120);
        assert_eq!(burst.feed(Action::Insert('b'), later), []);
        assert_eq!(
            burst.feed(Action::Submit, later + Duration::from_millis(150)),
            [Action::Insert('b'), Action::Submit]
        );
    }

    #[test]
    fn short_fast_runs_are_typing() {
        let mut burst = ScanBurst::new(GAP);
        let at = typed(&mut burst, "12", Instant::now(), Duration::from_millis(1));
        assert_eq!(
            burst.feed(Action::Submit, at),
            [Action::Insert('1'), Action::Insert('2'), Action::Submit]
        );
    }

    #[test]
    fn slow_terminator_is_typing() {
        let mut burst = ScanBurst::new(GAP);
        let at = typed(
            &mut burst,
            "31415926",
            Instant::now(),
            Duration::from_millis(1),
        );
        let actions = burst.feed(Action::Submit, at + Duration::from_millis(200));
        assert_eq!(actions.len(), 9);
        assert_eq!(actions.last(), Some(&Action::Submit));
    }

    #[test]
    fn other_keys_release_what_is_held() {
        let mut burst = ScanBurst::new(GAP);
        let start = Instant::now();
        burst.feed(Action::Insert('x'), start);
        assert_eq!(
            burst.feed(Action::Cancel, start),
            [Action::Insert('x'), Action::Cancel]
        );
    }
}
