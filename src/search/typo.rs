//! The typo tier: a query word that matches a member in no other tier may be a misspelt name.
//!
//! A word of [`MIN_TYPO_CHARS`] characters or more matches a word of the member's first or last
//! name, or two consecutive words of one of them run together, when their Damerau-Levenshtein
//! distance is at most one edit. From [`LONG_WORD_CHARS`] characters on, two are allowed. A shorter
//! word has too many neighbours to be distinguished (`lam` is one edit from `lan`, `lea`, `pam`,
//! `sam`…), so it never matches alone; it may match run together with the query word before
//! or after it, so that `thi lam` finds `Thị Lan`. Codes, phone numbers and e-mail addresses
//! are typed or scanned as written and never match by typo.
//!
//! Distances are cheap to rule out and dear to compute, so before any is computed a name word
//! must pass two necessary conditions: its length differs by at most the allowed edits, and
//! each side has at most that many letters the other lacks, since one edit brings in at most
//! one new letter.

use super::fold::{FIELD_SEP, MAX_TOKENS, Token, WORD_SEP, char_mask};
use super::matching::{Haystack, Partial, match_token};

/// Minimum length in folded characters of a query word, or of two run together, that may match
/// by typo.
pub(super) const MIN_TYPO_CHARS: usize = 4;

/// Minimum length in folded characters from which two edits are allowed instead of one. Long
/// names are more often misspelt twice, and have fewer neighbours two edits away.
pub(super) const LONG_WORD_CHARS: usize = 8;

/// Score inside the typo tier of a word one edit away; each further edit costs
/// [`SCORE_PER_EDIT`]. It equals the score of a contiguous match in a name, so that typo words
/// and contiguous words add up on the same scale.
const TYPO_SCORE: i32 = 40;
const SCORE_PER_EDIT: i32 = 10;

/// Returns the edit distance allowed for a word of `chars` characters.
pub(super) fn max_edits(chars: usize) -> usize {
    if chars >= LONG_WORD_CHARS { 2 } else { 1 }
}

/// Returns the score inside the typo tier of a word matched with `edits` edits.
pub(super) fn typo_score(edits: u8) -> i32 {
    TYPO_SCORE - SCORE_PER_EDIT * (i32::from(edits) - 1)
}

/// Returns the Damerau-Levenshtein distance, settling the common case of equal words without
/// building a table.
pub(super) fn distance(a: &str, b: &str) -> usize {
    if a == b {
        0
    } else {
        strsim::damerau_levenshtein(a, b)
    }
}

/// Maximum number of probes: a short word has one for each neighbour.
const MAX_PROBES: usize = 2 * MAX_TOKENS;

/// Text compared with the names on behalf of one query word.
#[derive(Debug)]
struct Probe {
    /// Index of the query word that a match stands for.
    token: usize,
    text: String,
    chars: usize,
    mask: u64,
    edits: usize,
}

impl Probe {
    fn new(token: usize, text: String) -> Self {
        let chars = text.chars().count();
        Self {
            token,
            mask: char_mask(text.as_bytes()),
            edits: max_edits(chars),
            chars,
            text,
        }
    }

    /// Tells whether a unit of `chars` characters is short or long enough to be close.
    fn fits(&self, chars: usize) -> bool {
        chars.abs_diff(self.chars) <= self.edits
    }

    /// Returns the distance to a name unit (one word, or two run together) of the right length
    /// when it is within the allowed edits.
    fn distance_to(&self, parts: &[&str], mask: u64) -> Option<usize> {
        let edits = self.edits as u32;
        if (self.mask & !mask).count_ones() > edits || (mask & !self.mask).count_ones() > edits {
            return None;
        }
        let d = match parts {
            [word] => distance(word, &self.text),
            _ => distance(&parts.concat(), &self.text),
        };
        (d <= self.edits).then_some(d)
    }
}

/// Returns the text of a token that may match by typo: any but a run of digits.
fn letters(token: &Token) -> Option<&str> {
    (!token.digits).then_some(token.text.as_str())
}

/// Texts of a query to compare with the names in the typo tier.
#[derive(Debug)]
pub(super) struct TypoQuery {
    probes: Vec<Probe>,
}

impl TypoQuery {
    pub fn new(tokens: &[Token]) -> Self {
        let mut probes = Vec::new();
        for (k, token) in tokens.iter().enumerate() {
            let Some(word) = letters(token) else {
                continue;
            };
            if word.chars().count() >= MIN_TYPO_CHARS {
                probes.push(Probe::new(k, word.to_owned()));
                continue;
            }
            let before = k.checked_sub(1).and_then(|j| letters(&tokens[j]));
            let after = tokens.get(k + 1).and_then(letters);
            let joined = [
                before.map(|b| format!("{b}{word}")),
                after.map(|a| format!("{word}{a}")),
            ];
            for text in joined.into_iter().flatten() {
                if text.chars().count() >= MIN_TYPO_CHARS {
                    probes.push(Probe::new(k, text));
                }
            }
        }
        Self { probes }
    }

    /// Tells whether some word of the query may match by typo.
    pub fn is_empty(&self) -> bool {
        self.probes.is_empty()
    }

    /// Writes into `best[k]` the fewest edits between query word `k` and a unit of `names` (the
    /// first and last names, see `Haystack::names`), or `u8::MAX` when none is close enough.
    /// Returns whether some word is close to a unit without being equal to one: a word equal to
    /// a unit matches in a contiguous tier, so unless one is merely close, the member has no
    /// typo match.
    ///
    /// `names_mask` is the letter summary of `names` (see `fold::char_mask`).
    pub fn nearest(&self, names: &str, names_mask: u64, best: &mut [u8; MAX_TOKENS]) -> bool {
        best.fill(u8::MAX);
        // A word lacking more of the names' letters than it has edits is close to no unit, and
        // most members are ruled out here.
        let mut live = [false; MAX_PROBES];
        let mut any = false;
        for (p, probe) in self.probes.iter().enumerate() {
            live[p] = (probe.mask & !names_mask).count_ones() as usize <= probe.edits;
            any |= live[p];
        }
        if !any {
            return false;
        }

        let mut per_probe = [usize::MAX; MAX_PROBES];
        for field in names.split(char::from(FIELD_SEP)) {
            let mut previous: Option<(&str, usize)> = None;
            for word in field.split(char::from(WORD_SEP)).filter(|w| !w.is_empty()) {
                let chars = if word.is_ascii() {
                    word.len()
                } else {
                    word.chars().count()
                };
                // Most words fail on length alone, so their letters are summed up only when
                // one passes.
                let mut mask = None;
                for (p, probe) in self.probes.iter().enumerate() {
                    if !live[p] {
                        continue;
                    }
                    let mut word_mask = || *mask.get_or_insert_with(|| char_mask(word.as_bytes()));
                    if probe.fits(chars)
                        && let Some(d) = probe.distance_to(&[word], word_mask())
                    {
                        per_probe[p] = per_probe[p].min(d);
                    }
                    if let Some((prev, prev_chars)) = previous
                        && probe.fits(prev_chars + chars)
                    {
                        let run_mask = char_mask(prev.as_bytes()) | word_mask();
                        if let Some(d) = probe.distance_to(&[prev, word], run_mask) {
                            per_probe[p] = per_probe[p].min(d);
                        }
                    }
                }
                previous = Some((word, chars));
            }
        }

        let mut close = false;
        for (p, probe) in self.probes.iter().enumerate() {
            if let Ok(d) = u8::try_from(per_probe[p]) {
                best[probe.token] = best[probe.token].min(d);
                close |= d > 0;
            }
        }
        close
    }
}

/// Matches every token against a member, letting the tokens that match in no other tier match
/// by typo when `best` (from [`TypoQuery::nearest`]) allows. Returns the match and its number
/// of typo tokens, or `None` when a token matches nowhere or none needed a typo, since such a
/// member is found without this tier.
pub(super) fn match_with_typos(
    hay: &Haystack<'_>,
    mask: u64,
    tokens: &[Token],
    best: &[u8; MAX_TOKENS],
) -> Option<(Partial, u32)> {
    let mut partial = Partial {
        group: 0,
        fine: 0,
        fuzzy: 0,
        pending: 0,
    };
    let mut typos = 0;
    for (k, token) in tokens.iter().enumerate() {
        if match_token(hay, mask, token, k, &mut partial).is_none() {
            let edits = best[k];
            if edits == u8::MAX {
                return None;
            }
            typos += 1;
            partial.fine += typo_score(edits);
        }
    }
    (typos > 0).then_some((partial, typos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::fold::parse_query;

    fn nearest(query: &str, names: &str) -> (bool, Vec<u8>) {
        let tokens = parse_query(query);
        let mut best = [0; MAX_TOKENS];
        let close = TypoQuery::new(&tokens).nearest(names, u64::MAX, &mut best);
        (close, best[..tokens.len()].to_vec())
    }

    #[test]
    fn long_words_allow_two_edits() {
        assert_eq!(nearest("dupomt", "marie|dupont"), (true, vec![1]));
        assert_eq!(nearest("dupnot", "marie|dupont"), (true, vec![1]));
        assert_eq!(nearest("dupmot", "marie|dupont"), (false, vec![u8::MAX]));
        assert_eq!(nearest("lefebre", "zoe|lefebvre"), (true, vec![1]));
        assert_eq!(nearest("lafontane", "paul|de la fontaine"), (true, vec![1]));
        assert_eq!(nearest("lafomtane", "paul|de la fontaine"), (true, vec![2]));
    }

    #[test]
    fn equal_words_are_not_typos() {
        assert_eq!(nearest("dupont", "marie|dupont"), (false, vec![0]));
    }

    #[test]
    fn short_words_need_a_neighbour() {
        assert_eq!(nearest("lam", "thi lan|nguyen"), (false, vec![u8::MAX]));
        let (close, best) = nearest("nguyen thi lam", "thi lan|nguyen");
        assert!(close);
        assert_eq!(best[2], 1);
        // Runs never cross from the first name into the last name.
        assert_eq!(nearest("lan nguyem", "thi lan|nguyen").1[0], u8::MAX);
    }

    #[test]
    fn digits_never_match_by_typo() {
        assert!(TypoQuery::new(&parse_query("0612345679")).is_empty());
        assert!(TypoQuery::new(&parse_query("06 ab")).is_empty());
    }

    #[test]
    fn fewer_edits_score_higher() {
        assert!(typo_score(1) > typo_score(2));
        assert_eq!(distance("abcd", "abdc"), 1);
    }
}
