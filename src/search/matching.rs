//! Matching query tokens against one member's folded text, without the fuzzy matcher.
//!
//! A token first looks for a contiguous occurrence, stepping over word separators inside a
//! field, so that `jeanpierre` is found in `jean pierre` and `legoff` in `le goff`. Where it
//! occurs decides its tier: a whole run of words, the start of a word, or inside a word. Only
//! a token with no contiguous occurrence falls to the fuzzy tier, which needs its characters in
//! order in the first and last names. The fuzzy matcher scores those later, and only for
//! members that can still reach the top of the list.

use super::fold::{
    FIELD_SEP, FIELD_SEPS, FIELDS, Field, MAX_TOKENS, Token, WORD_SEP, is_char_subsequence,
};

/// Quality of a contiguous occurrence of a token, from worst to best. Below them all is the
/// fuzzy tier, where the token's characters appear in order but scattered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Tier {
    /// Contiguous, starting inside a word.
    Infix,
    /// Contiguous, starting at a word start and ending inside a word.
    Prefix,
    /// Contiguous, from a word start to a word end: one word or several words run together.
    Exact,
}

/// Bonus of a contiguous match by the field it falls in. A name or a phone number identifies a
/// member better than a word of an e-mail address, and digits typed at the desk are more
/// often a phone number than a code, which is usually scanned. Fields come in this order in
/// the text, so the bonus never grows from one field to the next.
fn field_bonus(field: Field) -> i32 {
    match field {
        Field::FirstName | Field::LastName | Field::Phone | Field::PhoneAlt => 40,
        Field::Code => 35,
        Field::Email => 10,
    }
}

/// Extra for an exact match that is the whole field (`Marie` rather than `Marie-Hélène`), so
/// that the member whose name is exactly what was typed comes first.
const WHOLE_FIELD_BONUS: i32 = 5;

/// The best score a contiguous match can have; once reached, nothing else need be looked at.
const BEST_SCORE: i32 = 40 + WHOLE_FIELD_BONUS;

/// Characters between a match and the word edge that still lower its score; further than this
/// every match counts the same.
const MAX_DISTANCE: i32 = 30;

fn is_sep(b: u8) -> bool {
    b == WORD_SEP || b == FIELD_SEP
}

/// One member's folded text, with what lets a scan jump from word to word.
#[derive(Debug, Clone, Copy)]
pub(super) struct Haystack<'a> {
    pub text: &'a str,
    /// Bit `i` set when a word starts at byte `i`, for the first 128 bytes
    /// (see `fold::word_start_bits`).
    pub word_starts: u128,
    /// Byte offsets of the separators after each field but the last.
    pub field_ends: [u32; FIELD_SEPS],
}

impl Haystack<'_> {
    /// Returns the first-name and last-name fields, the part that fuzzy matching searches.
    pub fn names(&self) -> &str {
        &self.text[..self.field_ends[1] as usize]
    }

    fn field_at(&self, at: usize) -> Field {
        let before = self
            .field_ends
            .iter()
            .take_while(|&&end| (end as usize) < at)
            .count();
        FIELDS[before]
    }

    fn is_word_start(&self, at: usize) -> bool {
        if at < 128 {
            self.word_starts & (1 << at) != 0
        } else {
            let bytes = self.text.as_bytes();
            !is_sep(bytes[at]) && is_sep(bytes[at - 1])
        }
    }

    /// Start of the word holding byte `at`.
    fn word_start_of(&self, at: usize) -> usize {
        if at < 128 {
            let below = self.word_starts & ((2 << at) - 1);
            if below != 0 {
                return 127 - below.leading_zeros() as usize;
            }
        }
        self.text.as_bytes()[..at]
            .iter()
            .rposition(|&b| is_sep(b))
            .map_or(0, |sep| sep + 1)
    }

    /// Returns every word start, in order.
    fn word_starts(&self) -> impl Iterator<Item = usize> + '_ {
        let mut bits = self.word_starts;
        let head = std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let at = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                at
            })
        });
        let tail = (128..self.text.len()).filter(|&at| self.is_word_start(at));
        head.chain(tail)
    }
}

/// Matches `token` at `start`, skipping word separators after its first byte. Returns the end.
fn match_from(text: &[u8], start: usize, token: &[u8]) -> Option<usize> {
    let mut at = start;
    for (k, &wanted) in token.iter().enumerate() {
        if k > 0 {
            while at < text.len() && text[at] == WORD_SEP {
                at += 1;
            }
        }
        if text.get(at) != Some(&wanted) {
            return None;
        }
        at += 1;
    }
    Some(at)
}

/// Number of bytes from `from` to the next separator or the end.
fn distance_to_word_end(text: &[u8], from: usize) -> usize {
    text[from..]
        .iter()
        .position(|&b| is_sep(b))
        .unwrap_or(text.len() - from)
}

fn clamp_distance(distance: usize) -> i32 {
    i32::try_from(distance).map_or(MAX_DISTANCE, |d| d.min(MAX_DISTANCE))
}

/// Finds the best occurrence of `token` that starts at a word start, which is exact or prefix,
/// and returns its tier and its score inside the tier.
fn best_at_word_start(hay: &Haystack<'_>, token: &[u8]) -> Option<(Tier, i32)> {
    let Some(&first) = token.first() else {
        return Some((Tier::Exact, 0));
    };
    let text = hay.text.as_bytes();
    let mut best: Option<(Tier, i32)> = None;
    for at in hay.word_starts() {
        if text[at] != first {
            continue;
        }
        let Some(end) = match_from(text, at, token) else {
            continue;
        };
        let bonus = field_bonus(hay.field_at(at));
        let rest = distance_to_word_end(text, end);
        let found = if rest == 0 {
            let field_start = at == 0 || text[at - 1] == FIELD_SEP;
            let whole_field = field_start && text.get(end).is_none_or(|&b| b == FIELD_SEP);
            (
                Tier::Exact,
                bonus + if whole_field { WHOLE_FIELD_BONUS } else { 0 },
            )
        } else {
            (Tier::Prefix, bonus - clamp_distance(rest))
        };
        if found == (Tier::Exact, BEST_SCORE) {
            return Some(found);
        }
        if best.is_none_or(|b| found > b) {
            best = Some(found);
        }
    }
    best
}

/// Finds the first occurrence of `token` that starts inside a word and returns it with its score
/// inside the infix tier. The first one is taken because fields come best first.
fn first_inside_word(hay: &Haystack<'_>, token: &[u8]) -> Option<(Tier, i32)> {
    let &first = token.first()?;
    let text = hay.text.as_bytes();
    let mut from = 0;
    while let Some(offset) = text[from..].iter().position(|&b| b == first) {
        let at = from + offset;
        from = at + 1;
        if hay.is_word_start(at) || match_from(text, at, token).is_none() {
            continue;
        }
        let bonus = field_bonus(hay.field_at(at));
        return Some((
            Tier::Infix,
            bonus - clamp_distance(at - hay.word_start_of(at)),
        ));
    }
    None
}

/// Finds the best contiguous occurrence of `token` and returns its tier and score. Word starts
/// are tried first, since a prefix or exact match beats any match inside a word.
#[cfg(test)]
fn best_contiguous(hay: &Haystack<'_>, token: &[u8]) -> Option<(Tier, i32)> {
    best_at_word_start(hay, token).or_else(|| first_inside_word(hay, token))
}

/// Tells whether the bytes of `needle` appear in `haystack` in order.
fn is_byte_subsequence(haystack: &[u8], needle: &[u8]) -> bool {
    let mut rest = haystack;
    for &wanted in needle {
        match rest.iter().position(|&b| b == wanted) {
            Some(i) => rest = &rest[i + 1..],
            None => return false,
        }
    }
    true
}

/// Tells whether the characters of `token` appear in order in `text`.
fn appears_in_order(text: &str, token: &Token) -> bool {
    if token.text.is_ascii() {
        // An ASCII byte never occurs inside a multi-byte character, so bytes decide alone.
        is_byte_subsequence(text.as_bytes(), token.text.as_bytes())
    } else {
        is_char_subsequence(text, &token.text)
    }
}

/// A member's match of a whole query, before the fuzzy matcher has scored its fuzzy tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Partial {
    /// Number of exact, prefix and infix tokens, packed so that comparing groups compares
    /// these counts in that order.
    pub group: u32,
    /// Sum of the scores inside the tier of the contiguous tokens.
    pub fine: i32,
    /// Bit `k` is set when token `k` matched only fuzzily.
    pub fuzzy: u32,
    /// Bit `k` is set when token `k` matched no word start and was not looked for further.
    pub pending: u32,
}

impl Partial {
    /// Returns the best group this match can reach once its pending tokens are resolved: all
    /// of them inside words.
    pub fn best_group(&self) -> u32 {
        self.group + self.pending.count_ones() * group_unit(Tier::Infix)
    }
}

/// Packs counts of exact, prefix and infix tokens into a comparable group.
#[cfg(test)]
fn pack_group(exact: u32, prefix: u32, infix: u32) -> u32 {
    exact * group_unit(Tier::Exact) + prefix * group_unit(Tier::Prefix) + infix
}

/// Returns what one token of a tier adds to a group. Exact counts sit in the third byte, prefix
/// in the second and infix in the first, so that comparing groups compares these counts in
/// that order.
fn group_unit(tier: Tier) -> u32 {
    // A count never carries into the next byte.
    const _: () = assert!(MAX_TOKENS < 256);
    match tier {
        Tier::Exact => 1 << 16,
        Tier::Prefix => 1 << 8,
        Tier::Infix => 1,
    }
}

/// Maximum length in bytes of a token left pending when it matches no word start. Short
/// tokens occur in almost every member, so resolving them is the bulk of a first keystroke's
/// work and is worth putting off. Longer ones match few members, and resolving them at once
/// keeps the members that do not match out of what the next keystroke rescans.
const MAX_PENDING_LEN: usize = 2;

/// Matches every token of a query at the member's word starts, and resolves the tokens that
/// match no word start unless they are short, which stay pending. Returns `None` when the
/// member cannot match.
///
/// This is the cheap half of matching. When enough members match at word starts, members
/// whose pending tokens could at best match inside words cannot make the list, and the
/// search never resolves them.
pub(super) fn match_word_starts(
    hay: &Haystack<'_>,
    mask: u64,
    tokens: &[Token],
) -> Option<Partial> {
    if tokens.iter().any(|token| token.mask & !mask != 0) {
        return None;
    }
    let mut partial = Partial {
        group: 0,
        fine: 0,
        fuzzy: 0,
        pending: 0,
    };
    for (k, token) in tokens.iter().enumerate() {
        match best_at_word_start(hay, token.text.as_bytes()) {
            Some((tier, score)) => {
                partial.group += group_unit(tier);
                partial.fine += score;
            }
            None if token.text.len() > MAX_PENDING_LEN => {
                resolve_token(hay, token, k, &mut partial)?
            }
            // Whether the token occurs inside a word or scattered in the names, its characters
            // appear in order in the text, which is cheap to check and rules out most members
            // that cannot match. The character summary has already checked a single ASCII
            // character.
            None if token.text.len() == 1 || appears_in_order(hay.text, token) => {
                partial.pending |= 1 << k;
            }
            None => return None,
        }
    }
    Some(partial)
}

/// Looks for token `k`, which matches no word start, inside words, then fuzzily in the first
/// and last names, and records the result in `partial`. Returns `None` if it matches nowhere.
///
/// Only the names are searched fuzzily. Codes, phone numbers and e-mail addresses are typed as
/// written, so scattered letters there would only add noise, and keeping the fuzzy matcher to
/// the short name part keeps its cost down.
fn resolve_token(hay: &Haystack<'_>, token: &Token, k: usize, partial: &mut Partial) -> Option<()> {
    if let Some((tier, score)) = first_inside_word(hay, token.text.as_bytes()) {
        partial.group += group_unit(tier);
        partial.fine += score;
    } else if !token.digits && appears_in_order(hay.names(), token) {
        partial.fuzzy |= 1 << k;
    } else {
        return None;
    }
    Some(())
}

/// Matches token `k` alone in the contiguous and fuzzy tiers and records the result in
/// `partial`. Returns `None`, leaving `partial` as it was, if it matches in none of them.
pub(super) fn match_token(
    hay: &Haystack<'_>,
    mask: u64,
    token: &Token,
    k: usize,
    partial: &mut Partial,
) -> Option<()> {
    if token.mask & !mask != 0 {
        return None;
    }
    match best_at_word_start(hay, token.text.as_bytes()) {
        Some((tier, score)) => {
            partial.group += group_unit(tier);
            partial.fine += score;
            Some(())
        }
        None => resolve_token(hay, token, k, partial),
    }
}

/// Resolves the pending tokens of `partial`. Returns `None` if one of them matches nowhere.
pub(super) fn resolve(hay: &Haystack<'_>, tokens: &[Token], partial: Partial) -> Option<Partial> {
    let mut resolved = Partial {
        pending: 0,
        ..partial
    };
    let mut bits = partial.pending;
    while bits != 0 {
        let k = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        resolve_token(hay, &tokens[k], k, &mut resolved)?;
    }
    Some(resolved)
}

/// Matches every token of a query against a member; `None` as soon as one does not match.
#[cfg(test)]
pub(super) fn evaluate(hay: &Haystack<'_>, mask: u64, tokens: &[Token]) -> Option<Partial> {
    resolve(hay, tokens, match_word_starts(hay, mask, tokens)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::fold::{parse_query, word_start_bits};

    const MARIE: &str = "marie|dupont|0612345678|33612345678|00123456|marie dupont exemple fr";
    const JEANNE: &str = "jeanne|d arc lemaire|||ab 77|";
    const JEAN_PIERRE: &str = "jean pierre|martin|||1|";

    /// Builds a haystack over a text laid out like a member's, with all its field separators.
    fn hay(text: &str) -> Haystack<'_> {
        let mut field_ends = [0; FIELD_SEPS];
        let seps: Vec<u32> = (0..text.len() as u32)
            .filter(|&i| text.as_bytes()[i as usize] == FIELD_SEP)
            .collect();
        field_ends.copy_from_slice(&seps);
        Haystack {
            text,
            word_starts: word_start_bits(text.as_bytes()),
            field_ends,
        }
    }

    fn best(text: &str, token: &str) -> Option<(Tier, i32)> {
        best_contiguous(&hay(text), token.as_bytes())
    }

    fn tier(text: &str, token: &str) -> Option<Tier> {
        best(text, token).map(|(tier, _)| tier)
    }

    fn eval(query: &str) -> Option<Partial> {
        evaluate(&hay(MARIE), u64::MAX, &parse_query(query))
    }

    #[test]
    fn whole_words_and_runs_of_words_are_exact() {
        assert_eq!(tier(MARIE, "dupont"), Some(Tier::Exact));
        assert_eq!(tier(JEAN_PIERRE, "jeanpierre"), Some(Tier::Exact));
        assert_eq!(tier(JEAN_PIERRE, "pierre"), Some(Tier::Exact));
        assert_eq!(tier(JEANNE, "darc"), Some(Tier::Exact));
        assert_eq!(tier(JEANNE, "darclemaire"), Some(Tier::Exact));
        assert_eq!(tier(JEANNE, "ab77"), Some(Tier::Exact));
    }

    #[test]
    fn word_starts_are_prefixes_and_the_rest_infixes() {
        assert_eq!(tier(MARIE, "dup"), Some(Tier::Prefix));
        assert_eq!(tier(JEANNE, "darcle"), Some(Tier::Prefix));
        assert_eq!(tier(MARIE, "pont"), Some(Tier::Infix));
        assert_eq!(tier(MARIE, "1234"), Some(Tier::Infix));
        assert_eq!(tier(MARIE, "0612"), Some(Tier::Prefix));
    }

    #[test]
    fn contiguous_matches_never_cross_fields() {
        assert_eq!(tier(JEAN_PIERRE, "martin1"), None);
        assert_eq!(tier(JEANNE, "lemaireab"), None);
    }

    #[test]
    fn shorter_remainder_scores_higher_inside_the_prefix_tier() {
        let (_, short) = best("dupont|||||", "dupon").unwrap();
        let (_, long) = best("dupontel|||||", "dupon").unwrap();
        assert!(short > long);
    }

    #[test]
    fn whole_field_scores_above_one_word() {
        let (_, whole) = best("marie|dupont||||", "marie").unwrap();
        let (_, word) = best("marie helene|dupond||||", "marie").unwrap();
        assert!(whole > word);
    }

    #[test]
    fn field_bonus_never_grows_along_the_text() {
        assert!(
            FIELDS
                .windows(2)
                .all(|w| field_bonus(w[0]) >= field_bonus(w[1]))
        );
    }

    #[test]
    fn names_score_above_email_inside_a_tier() {
        let (_, in_name) = best("|dupont||||", "dupont").unwrap();
        let (_, in_email) = best("|x||||dupont", "dupont").unwrap();
        assert!(in_name > in_email);
    }

    #[test]
    fn evaluate_requires_every_token() {
        let both = eval("dupont marie").unwrap();
        assert_eq!(both.group, pack_group(2, 0, 0));
        assert_eq!(both.fuzzy, 0);
        assert!(eval("dupont zoe").is_none());
    }

    #[test]
    fn scattered_letters_fall_to_the_fuzzy_tier() {
        let partial = eval("mdpt").unwrap();
        assert_eq!(partial.group, 0);
        assert_eq!(partial.fuzzy, 1);
    }

    #[test]
    fn only_names_are_searched_fuzzily() {
        // `xmpl` is scattered in the e-mail address only.
        assert!(eval("xmpl").is_none());
        // Contiguous words of the e-mail address still match.
        assert!(eval("exemple").is_some());
    }

    #[test]
    fn digits_are_never_fuzzy() {
        assert!(eval("0678").is_none());
        assert!(eval("5678").is_some());
    }

    #[test]
    fn mask_rejects_before_scanning() {
        let tokens = parse_query("dupont");
        assert!(evaluate(&hay(MARIE), 0, &tokens).is_none());
    }

    #[test]
    fn every_occurrence_is_considered() {
        // The first `d` starts no match, the second an infix, the third a whole word.
        assert_eq!(tier("dx|odu|du|||", "du"), Some(Tier::Exact));
        assert_eq!(tier("dx|odu||||", "du"), Some(Tier::Infix));
        // Word starts win over an earlier occurrence inside a word.
        assert_eq!(tier("odu|x|||du|", "du"), Some(Tier::Exact));
        // The field of a match is known wherever it is.
        let (_, email) = best("d|d|d|d|d|du", "du").unwrap();
        let (_, name) = best("du|d|d|d|d|d", "du").unwrap();
        assert!(name > email);
    }

    #[test]
    fn words_past_the_first_128_bytes_are_found() {
        let email = format!("{} dupont", "x".repeat(150));
        let text = format!("marie|||||{email}");
        assert_eq!(tier(&text, "dupont"), Some(Tier::Exact));
        assert_eq!(tier(&text, "upon"), Some(Tier::Infix));
        let (_, infix) = best(&text, "pont").unwrap();
        assert_eq!(infix, field_bonus(Field::Email) - 2);
    }

    #[test]
    fn short_tokens_wait_long_resolve() {
        let tokens = parse_query("dupont on md pont mdpt");
        let partial = match_word_starts(&hay(MARIE), u64::MAX, &tokens).unwrap();
        // `dupont` exact; `pont` inside a word and `mdpt` fuzzy, resolved at once.
        assert_eq!(partial.group, pack_group(1, 0, 1));
        assert_eq!(partial.fuzzy, 0b10000);
        // `on` and `md` are short and wait.
        assert_eq!(partial.pending, 0b110);
        assert_eq!(partial.best_group(), pack_group(1, 0, 3));
        let resolved = resolve(&hay(MARIE), &tokens, partial).unwrap();
        assert_eq!(resolved.group, pack_group(1, 0, 2));
        assert_eq!(resolved.fuzzy, 0b10100);
        assert_eq!(resolved.pending, 0);
        assert!(resolved.group <= partial.best_group());
    }

    #[test]
    fn short_tokens_out_of_order_are_rejected_early() {
        // Every letter of `fm` is in the text, but `f` only in the last word.
        let tokens = parse_query("fm");
        assert!(match_word_starts(&hay(MARIE), u64::MAX, &tokens).is_none());
    }

    #[test]
    fn byte_subsequence() {
        assert!(is_byte_subsequence(b"marie dupont", b"mdt"));
        assert!(!is_byte_subsequence(b"marie dupont", b"tdm"));
        assert!(is_byte_subsequence(b"abc", b""));
    }

    #[test]
    fn group_orders_by_exact_then_prefix_then_infix() {
        assert!(pack_group(1, 0, 0) > pack_group(0, 5, 5));
        assert!(pack_group(1, 1, 0) > pack_group(1, 0, 9));
    }
}
