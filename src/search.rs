//! Member search: finds a member by first name, last name, code, phone or e-mail as the user
//! types, among all of the club's members kept in memory.
//!
//! # Use
//!
//! ```
//! use carnet::search::{SearchIndex, SearchOptions};
//! # use carnet::domain::{Category, Member, MemberCode, MemberId};
//! # use chrono::{TimeZone, Utc};
//! # let member = Member {
//! #     id: MemberId(1), code: MemberCode::parse("00123457").unwrap(),
//! #     first_name: "Marie".into(), last_name: "Dupont".into(), email: None,
//! #     phone: Some("06 12 34 56 78".into()), birth_date: None, category: Category::Adult,
//! #     notes: String::new(), created_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
//! #     archived: false, last_visit: None,
//! # };
//! let mut index = SearchIndex::new([&member]);
//! let hits = index.search("dupont marie", SearchOptions::default());
//! assert_eq!(hits[0].member_id, MemberId(1));
//! assert_eq!(index.search("0612", SearchOptions::default()).len(), 1);
//! index.remove(MemberId(1));
//! ```
//!
//! [`SearchIndex::new`] folds every member once; [`SearchIndex::upsert`] and
//! [`SearchIndex::remove`] keep the index in step with the store. [`SearchIndex::search`] returns
//! at most [`SearchOptions::limit`] hits (50 by default), best first. Archived members are left
//! out unless [`SearchOptions::include_archived`] is set.
//!
//! # What matches
//!
//! Text is folded (see [`fold`]): case, accents and letters like `æ ø ß œ` do not matter. The
//! query is split into words at white space. Each word must match somewhere in the member's
//! first name, last name, code, phone or e-mail, and the words may come in any order. Separators inside a word are
//! ignored on both sides, so `jean-pierre`, `jeanpierre` and `jean pierre` all find
//! Jean-Pierre Martin, and `d'arc` or `darc` find Jeanne d’Arc Lemaire. A word made only of
//! digits must occur as a contiguous run, as in a phone number or a code. A query made only of
//! digits and separators, like `06 12 34`, is taken as one run of digits. French phone numbers are also
//! found in their other writing (`+33 6…` and `06…`).
//!
//! # Ranking
//!
//! Each query word is given the best tier it reaches in the member's text:
//! 1. exact: a whole word, or several consecutive words of one field run together (`legoff`);
//! 2. prefix: the start of a word;
//! 3. infix: contiguous, inside a word;
//! 4. fuzzy: its letters in order, scattered, in the first and last names (scored by
//!    `fuzzy-matcher`'s `SkimMatcherV2`). Codes, phone numbers and e-mail addresses are typed
//!    as written, so they only match contiguously;
//! 5. typo: a misspelt name (`dupomt`, `lefebre`, `martinn`). A word of 4 characters or more
//!    matches a word of the first or last name, or two words of one of them run together, when
//!    one edit away: a letter changed, added or dropped, or two letters swapped. From 8
//!    characters on, two edits are allowed. A shorter word never matches by typo alone, but
//!    may when run together with the query word before or after it (`thi lam` finds Thị Lan).
//!    Codes, phone numbers and e-mail addresses never match by typo.
//!
//! A member with a typo word ranks below every member without one, and a member with fewer
//! typo words above one with more; the counts below decide among members with as many.
//!
//! Members are ordered by their number of exact words, then of prefix words, then of infix
//! words, then by a score inside the tiers (names and phone numbers above codes, codes above
//! e-mail, a whole field above one of its words, a prefix that leaves less of the word above
//! one that leaves more, plus the fuzzy matcher's score for fuzzy words),
//! and finally by folded last name, folded first name and id, so that equal scores always come
//! out in the same order. [`Hit::score`] packs all this except the names; it is only meaningful
//! for comparing hits of one query.
//!
//! The empty query (or one made only of separators) lists the first `limit` members in name
//! order, so a screen can show the start of the member list before anything is typed.
//!
//! # Speed
//!
//! Every member is considered on the first keystroke, so the scan does as little as it can
//! per member, and the fuzzy matcher, the costly part, runs last and only on members that can
//! still make the list:
//! - a 64-bit summary of the characters each member contains rejects most members at once;
//! - query words are first tried at word starts, kept as a bit set per member;
//! - a word of one or two characters that matches no word start is looked for inside words
//!   only for members that can still reach the top `limit`, because once `limit` members
//!   match at word starts, the others cannot;
//! - the fuzzy score is computed only for members whose tier counts reach the top `limit`;
//! - the typo tier, which ranks last, is looked for only when the other tiers find fewer than
//!   `limit` members: a misspelt or a long query, not the first letters of a name, which match
//!   thousands. It then scans every member, because a typo match of a query does not imply
//!   one of the shorter query before it. No distance is computed until the letter summary of
//!   the member's names, then a name word's length and letters, allow it.
//!
//! The index remembers which members may match the previous query in the tiers above typo.
//! When the new query only adds to it (the user typing on), only those are scanned again.
//! Large scans are split over up to [`MAX_THREADS`] threads, each with its own matcher,
//! because one matcher shared by two threads gave no speed-up when measured on a 2-core
//! machine. Each member's place in name
//! order is kept up to date, so that breaking ties between thousands of equal scores (a
//! one-letter query) compares two integers instead of two names.
//!
//! The index is `Sync`: searches from several threads are safe, but they share the memory of
//! the previous query, so interleaved queries from two screens each fall back to full scans.
//!
//! # Cost of changes
//!
//! [`SearchIndex::new`] folds and sorts once. [`SearchIndex::upsert`] and
//! [`SearchIndex::remove`] move one member in the name order, which shifts the places of the
//! members after it. The cost is linear in the number of members: 0.07 to 0.11 ms at 100,000
//! members on a 2-core machine, as measured by `benches/search.rs`. To load many members at
//! once, build a new index instead.

mod fold;
mod matching;
mod typo;

pub use fold::fold;

use crate::domain::member::{Member, MemberId};
use fold::{FIELD_SEPS, MAX_TOKENS, Token, char_mask, member_text, parse_query, word_start_bits};
use fuzzy_matcher::skim::SkimMatcherV2;
use matching::{Haystack, Partial, match_word_starts, resolve};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};
use std::thread;
use typo::{TypoQuery, match_with_typos};

/// Number of hits returned when the caller sets no limit.
pub const DEFAULT_LIMIT: usize = 50;

/// Maximum number of threads one search uses.
pub const MAX_THREADS: usize = 4;

/// Minimum number of members to scan before a scan is split over threads. Below it, starting a
/// thread costs more than it saves.
const PARALLEL_SCAN_MIN: usize = 8_192;

/// Minimum number of fuzzy scores to compute before the work is split over threads.
const PARALLEL_FUZZY_MIN: usize = 512;

/// Options of a search: whether archived members count, and the maximum number of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// Also return archived members.
    pub include_archived: bool,
    /// Maximum number of hits to return.
    pub limit: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            include_archived: false,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// The members a filtering search keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    pub members: Vec<MemberId>,
    /// No member matched as typed, so these are close spellings.
    pub close_only: bool,
}

/// One member found by a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub member_id: MemberId,
    /// Higher is better; comparable only between hits of the same query. A member with a
    /// typo word scores far below every member without one.
    pub score: i64,
}

/// A member's folded text and the summaries the scan reads from it.
struct Entry {
    id: MemberId,
    /// Folded fields, see `fold::member_text`.
    text: Box<str>,
    word_starts: u128,
    mask: u64,
    /// Summary of the characters of the first and last names only, for the typo tier.
    names_mask: u64,
    field_ends: [u32; FIELD_SEPS],
    /// Place in the index's name order.
    rank: u32,
    archived: bool,
}

impl Entry {
    fn new(member: &Member) -> Self {
        let folded = member_text(member);
        // A member's text is far shorter than 4 GiB; saturating only guards the conversion.
        let field_ends = folded
            .field_ends
            .map(|end| u32::try_from(end).unwrap_or(u32::MAX));
        Self {
            id: member.id,
            word_starts: word_start_bits(folded.text.as_bytes()),
            mask: char_mask(folded.text.as_bytes()),
            names_mask: char_mask(&folded.text.as_bytes()[..folded.field_ends[1]]),
            text: folded.text.into_boxed_str(),
            field_ends,
            rank: 0,
            archived: member.archived,
        }
    }

    fn haystack(&self) -> Haystack<'_> {
        Haystack {
            text: &self.text,
            word_starts: self.word_starts,
            field_ends: self.field_ends,
        }
    }

    fn first_name(&self) -> &[u8] {
        &self.text.as_bytes()[..self.field_ends[0] as usize]
    }

    fn last_name(&self) -> &[u8] {
        &self.text.as_bytes()[self.field_ends[0] as usize + 1..self.field_ends[1] as usize]
    }

    /// Name order: folded last name, folded first name, then id so that no two are equal.
    fn name_cmp(&self, other: &Entry) -> Ordering {
        self.last_name()
            .cmp(other.last_name())
            .then_with(|| self.first_name().cmp(other.first_name()))
            .then_with(|| self.id.cmp(&other.id))
    }
}

/// A member that matches every word of a query, or may match once its pending words are
/// resolved.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    slot: u32,
    group: u32,
    fine: i32,
    rank: u32,
    /// Bit `k` set: token `k` still needs its fuzzy score.
    fuzzy: u32,
    /// Bit `k` set: token `k` matched no word start and was not looked for further yet.
    pending: u32,
    archived: bool,
    /// Number of tokens matched only by typo.
    typos: u32,
}

/// Pending bits of a candidate found not to match after all.
const NO_MATCH: u32 = u32::MAX;

impl Candidate {
    fn partial(&self) -> Partial {
        Partial {
            group: self.group,
            fine: self.fine,
            fuzzy: self.fuzzy,
            pending: self.pending,
        }
    }

    fn set_partial(&mut self, partial: Partial) {
        self.group = partial.group;
        self.fine = partial.fine;
        self.fuzzy = partial.fuzzy;
        self.pending = partial.pending;
    }

    fn score(&self) -> i64 {
        // A group is below 2^24 and a fine score well inside ±2^31, so the rest of the score
        // stays below 2^56: one typo token outweighs anything else.
        (i64::from(self.group) << 32) + i64::from(self.fine) - (i64::from(self.typos) << 56)
    }

    /// Returns the part of the score known before the fuzzy matcher runs, which decides
    /// everything but the order inside a group.
    fn coarse(&self) -> (std::cmp::Reverse<u32>, u32) {
        (std::cmp::Reverse(self.typos), self.group)
    }

    /// Best first; equal scores in name order.
    fn order(&self, other: &Candidate) -> Ordering {
        other
            .score()
            .cmp(&self.score())
            .then_with(|| self.rank.cmp(&other.rank))
    }
}

/// State that a search leaves for the next one. It keeps the members that may match the query,
/// so that a narrower next query rescans only those, and buffers to reuse, because allocating
/// megabytes afresh on every keystroke costs page faults.
#[derive(Default)]
struct Memory {
    /// The previous query, when `matched` contains the members that may match it.
    tokens: Option<Vec<Token>>,
    /// Every member that may match the previous query, archived or not, so that the option
    /// may change between keystrokes. It contains all members that match, and possibly some
    /// whose pending tokens were never resolved.
    matched: Vec<Candidate>,
    spare: Vec<Candidate>,
    groups: Vec<u32>,
    shortlist: Vec<Candidate>,
}

impl Memory {
    fn heap_bytes(&self) -> usize {
        (self.matched.capacity() + self.spare.capacity() + self.shortlist.capacity())
            * size_of::<Candidate>()
            + self.groups.capacity() * size_of::<u32>()
    }
}

/// The members to scan.
#[derive(Clone, Copy)]
enum Source<'a> {
    All(usize),
    Matched(&'a [Candidate]),
}

impl Source<'_> {
    fn len(self) -> usize {
        match self {
            Source::All(len) => len,
            Source::Matched(matched) => matched.len(),
        }
    }

    fn slot(self, i: usize) -> u32 {
        match self {
            // The index contains fewer than 2^32 members, so every position fits.
            Source::All(_) => i as u32,
            Source::Matched(matched) => matched[i].slot,
        }
    }
}

/// Members scanned or resolved, or candidates scored, per job handed to a thread: small enough
/// that a thread starting late still finds work, large enough that handing out jobs costs
/// nothing measurable.
const SCAN_JOB: usize = 2_048;
const FUZZY_JOB: usize = 128;

/// Runs `work` on every job of `jobs`, on the calling thread and up to `threads - 1` helpers.
///
/// Each thread takes the next job when it is done with one, so on a busy machine, where a
/// helper may start late, the calling thread does more of the work. It then waits only for the
/// helpers to finish the job in hand, or to start and find none left. The calling thread's
/// results go to `mine`, and each helper's come back in the returned list.
fn share_jobs<J: Send, A: Send>(
    threads: usize,
    jobs: impl Iterator<Item = J> + Send,
    mine: &mut A,
    new_results: impl Fn() -> A + Sync,
    work: impl Fn(&mut A, J) + Sync,
) -> Vec<A> {
    let jobs = Mutex::new(jobs);
    let next = || jobs.lock().unwrap_or_else(PoisonError::into_inner).next();
    let run = |results: &mut A| {
        while let Some(job) = next() {
            work(results, job);
        }
    };
    if threads <= 1 {
        run(mine);
        return Vec::new();
    }
    thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut results = new_results();
                    run(&mut results);
                    results
                })
            })
            .collect();
        run(mine);
        helpers
            .into_iter()
            .map(|helper| {
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Fuzzy matcher whose scores do not depend on the texts it scored before.
///
/// A `SkimMatcherV2` (fuzzy-matcher 0.3.7) keeps its score matrix between calls and only
/// grows it, and cells left by an earlier, longer text change the score: `aais` scored 95 in
/// `anais marie|pierregoff` right after `aegirpierre|fontaineanais`, and 83 alone. A member's
/// score must not depend on which members were scored before it, or a narrowed search, a
/// full one and one split over threads would disagree. Turning the cache off is no way out,
/// because that version then panics with `RefCell already borrowed`, and a new matcher per
/// score doubled the time of short queries at 100,000 members.
struct FuzzyScorer(SkimMatcherV2);

impl FuzzyScorer {
    fn new() -> Self {
        Self(SkimMatcherV2::default().respect_case())
    }

    /// Returns the fuzzy matcher's score of `pattern` in `names`.
    fn score(&self, names: &str, pattern: &str) -> Option<i64> {
        // Scoring a one-letter text shrinks the matrix to 2 × 2 cells, all in its first row,
        // which every call resets. The next call then grows it with fresh cells, as a new
        // matcher would. `fuzzy_scores_ignore_earlier_texts` checks this.
        let _ = self.0.fuzzy("a", "a", false);
        self.0.fuzzy(names, pattern, false).map(|(score, _)| score)
    }
}

/// Moves the candidates that need a fuzzy score to the front; returns how many there are.
fn fuzzy_first(candidates: &mut [Candidate]) -> usize {
    let mut front = 0;
    for i in 0..candidates.len() {
        if candidates[i].fuzzy != 0 {
            candidates.swap(front, i);
            front += 1;
        }
    }
    front
}

/// The club's members, folded for searching.
pub struct SearchIndex {
    entries: Vec<Entry>,
    slots: HashMap<MemberId, u32>,
    /// Slots in name order; `entries[order[r]].rank == r`.
    order: Vec<u32>,
    memory: Mutex<Memory>,
    threads: usize,
    parallel_scan_min: usize,
    parallel_fuzzy_min: usize,
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self::new(std::iter::empty::<Member>())
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("members", &self.entries.len())
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Builds the index of `members`; a member given twice keeps its last version.
    pub fn new<M: Borrow<Member>>(members: impl IntoIterator<Item = M>) -> Self {
        let threads = thread::available_parallelism()
            .map_or(1, NonZeroUsize::get)
            .min(MAX_THREADS);
        let mut index = Self {
            entries: Vec::new(),
            slots: HashMap::new(),
            order: Vec::new(),
            memory: Mutex::new(Memory::default()),
            threads,
            parallel_scan_min: PARALLEL_SCAN_MIN,
            parallel_fuzzy_min: PARALLEL_FUZZY_MIN,
        };
        for member in members {
            let member = member.borrow();
            let entry = Entry::new(member);
            match index.slots.get(&member.id) {
                Some(&slot) => index.entries[slot as usize] = entry,
                None => {
                    let slot = index.next_slot();
                    index.entries.push(entry);
                    index.slots.insert(member.id, slot);
                }
            }
        }
        index.entries.shrink_to_fit();
        let mut order: Vec<u32> = (0..index.entries.len()).map(|slot| slot as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            index.entries[a as usize].name_cmp(&index.entries[b as usize])
        });
        index.order = order;
        index.renumber(0, index.order.len());
        index
    }

    /// Builds the index from members read one at a time, such as from the store, so that
    /// they are never all in memory at once (20 MB for 100,000 members); stops at the first
    /// error.
    pub fn try_new<E>(members: impl IntoIterator<Item = Result<Member, E>>) -> Result<Self, E> {
        let mut failure = None;
        let index = Self::new(
            members
                .into_iter()
                .map_while(|member| member.map_err(|error| failure = Some(error)).ok()),
        );
        match failure {
            Some(error) => Err(error),
            None => Ok(index),
        }
    }

    /// Number of members in the index, archived ones included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Returns the member's place in name order (last name, first name), for lists sorted by
    /// owner.
    pub fn name_rank(&self, id: MemberId) -> Option<u32> {
        let slot = *self.slots.get(&id)?;
        Some(self.entries[slot as usize].rank)
    }

    pub fn contains(&self, id: MemberId) -> bool {
        self.slots.contains_key(&id)
    }

    fn next_slot(&self) -> u32 {
        u32::try_from(self.entries.len()).expect("fewer than 2^32 members indexed")
    }

    /// Gives the members at places `from..to` of the name order their place.
    fn renumber(&mut self, from: usize, to: usize) {
        for (rank, &slot) in self.order.iter().enumerate().take(to).skip(from) {
            // Places are below the number of members, which fits in u32.
            self.entries[slot as usize].rank = rank as u32;
        }
    }

    /// Returns the place in the name order where the member in `slot` belongs. The order must
    /// not contain that member yet.
    fn place_of(&self, slot: u32) -> usize {
        let entry = &self.entries[slot as usize];
        self.order.partition_point(|&other| {
            self.entries[other as usize].name_cmp(entry) == Ordering::Less
        })
    }

    /// Adds a member, or replaces the indexed version of a member with the same id.
    pub fn upsert(&mut self, member: &Member) {
        let entry = Entry::new(member);
        match self.slots.get(&member.id) {
            Some(&slot) => {
                let old = self.entries[slot as usize].rank as usize;
                self.order.remove(old);
                self.entries[slot as usize] = entry;
                let new = self.place_of(slot);
                self.order.insert(new, slot);
                self.renumber(old.min(new), old.max(new) + 1);
            }
            None => {
                let slot = self.next_slot();
                self.entries.push(entry);
                self.slots.insert(member.id, slot);
                let new = self.place_of(slot);
                self.order.insert(new, slot);
                self.renumber(new, self.order.len());
            }
        }
        self.forget_previous_query();
    }

    /// Removes a member; returns whether it was indexed.
    pub fn remove(&mut self, id: MemberId) -> bool {
        let Some(slot) = self.slots.remove(&id) else {
            return false;
        };
        let removed = self.entries[slot as usize].rank as usize;
        self.order.remove(removed);
        self.entries.swap_remove(slot as usize);
        if let Some(moved) = self.entries.get(slot as usize) {
            // The last entry took the freed slot: point its id and its place at the new slot.
            let mut place = moved.rank as usize;
            if place > removed {
                place -= 1;
            }
            self.slots.insert(moved.id, slot);
            self.order[place] = slot;
        }
        self.renumber(removed, self.order.len());
        self.forget_previous_query();
        true
    }

    /// Approximate heap memory held by the index, in bytes.
    pub fn heap_bytes(&self) -> usize {
        let entries = self.entries.capacity() * size_of::<Entry>()
            + self.entries.iter().map(|e| e.text.len()).sum::<usize>();
        // A hashbrown table stores its pairs plus one control byte per bucket.
        let map = self.slots.capacity() * (size_of::<(MemberId, u32)>() + 1);
        let order = self.order.capacity() * size_of::<u32>();
        entries + map + order + self.lock_memory().heap_bytes()
    }

    fn lock_memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        // The memory contains only caches, which stay consistent even if a search panicked.
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns every member that `query` matches, for lists that filter rather than rank: the
    /// members found without a typo, or, when there are none, those found with one, which the
    /// list should point out.
    pub fn matching(&self, query: &str, include_archived: bool) -> Matching {
        let options = SearchOptions {
            include_archived,
            limit: self.entries.len().max(1),
        };
        let hits = self.search(query, options);
        // A typo match scores below zero and below every other match (see `Candidate::score`).
        let exact: Vec<MemberId> = hits
            .iter()
            .filter(|hit| hit.score >= 0)
            .map(|hit| hit.member_id)
            .collect();
        if exact.is_empty() {
            Matching {
                members: hits.into_iter().map(|hit| hit.member_id).collect(),
                close_only: true,
            }
        } else {
            Matching {
                members: exact,
                close_only: false,
            }
        }
    }

    /// Finds the members matching `query`, best first; see the module documentation.
    pub fn search(&self, query: &str, options: SearchOptions) -> Vec<Hit> {
        let tokens = parse_query(query);
        if tokens.is_empty() {
            self.lock_memory().tokens = None;
            return self.first_by_name(options);
        }
        // The memory is taken out so that the lock is not held during the search. A search
        // running at the same time on another thread starts from empty memory instead of waiting.
        let mut memory = std::mem::take(&mut *self.lock_memory());
        let narrowed = memory
            .tokens
            .as_ref()
            .is_some_and(|previous| narrows(previous, &tokens));
        let mut found = std::mem::take(&mut memory.spare);
        found.clear();
        let source = if narrowed {
            Source::Matched(&memory.matched)
        } else {
            Source::All(self.entries.len())
        };
        self.scan(source, &tokens, &mut found);
        memory.spare = std::mem::replace(&mut memory.matched, found);
        let mut hits = self.rank(&mut memory, &tokens, options);
        // Typo matches rank below every other match, so they can only fill a list that the
        // other tiers left short.
        if hits.len() < options.limit {
            let typo = TypoQuery::new(&tokens);
            if !typo.is_empty() {
                let wanted = options.limit - hits.len();
                hits.extend(self.typo_hits(&tokens, &typo, options.include_archived, wanted));
            }
        }
        memory.tokens = Some(tokens);
        *self.lock_memory() = memory;
        hits
    }

    fn forget_previous_query(&mut self) {
        self.memory
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .tokens = None;
    }

    /// Returns the first `limit` members in name order.
    fn first_by_name(&self, options: SearchOptions) -> Vec<Hit> {
        self.order
            .iter()
            .map(|&slot| &self.entries[slot as usize])
            .filter(|entry| options.include_archived || !entry.archived)
            .take(options.limit)
            .map(|entry| Hit {
                member_id: entry.id,
                score: 0,
            })
            .collect()
    }

    fn threads_for(&self, work: usize, minimum: usize) -> usize {
        if work >= minimum { self.threads } else { 1 }
    }

    /// Matches every member of `source` against the query at word starts, adding the members
    /// that may match to `found`.
    fn scan(&self, source: Source<'_>, tokens: &[Token], found: &mut Vec<Candidate>) {
        let len = source.len();
        let threads = self.threads_for(len, self.parallel_scan_min);
        let jobs = (0..len)
            .step_by(SCAN_JOB)
            .map(|start| start..(start + SCAN_JOB).min(len));
        let helpers = share_jobs(threads, jobs, found, Vec::new, |found, range| {
            for i in range {
                let slot = source.slot(i);
                let entry = &self.entries[slot as usize];
                if let Some(partial) = match_word_starts(&entry.haystack(), entry.mask, tokens) {
                    found.push(Candidate {
                        slot,
                        group: partial.group,
                        fine: partial.fine,
                        rank: entry.rank,
                        fuzzy: partial.fuzzy,
                        pending: partial.pending,
                        archived: entry.archived,
                        typos: 0,
                    });
                }
            }
        });
        for part in helpers {
            found.extend_from_slice(&part);
        }
    }

    /// Adds the fuzzy matcher's score of every fuzzy token to the candidates' scores.
    fn score_fuzzy(&self, candidates: &mut [Candidate], tokens: &[Token]) {
        let threads = self.threads_for(candidates.len(), self.parallel_fuzzy_min);
        // One matcher per thread, because in a measurement on a 2-core machine one matcher
        // shared by two threads gave no speed-up.
        let mut scorer = FuzzyScorer::new();
        share_jobs(
            threads,
            candidates.chunks_mut(FUZZY_JOB),
            &mut scorer,
            FuzzyScorer::new,
            |scorer, chunk| {
                for candidate in chunk {
                    let hay = self.entries[candidate.slot as usize].haystack();
                    let mut bits = candidate.fuzzy;
                    while bits != 0 {
                        let k = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        // The scan checked that the characters occur in order, which is all
                        // the matcher needs to return a score. The fallback only keeps the
                        // order total.
                        let score = scorer
                            .score(hay.names(), &tokens[k].text)
                            .unwrap_or(i64::from(i32::MIN / 2));
                        let score = i32::try_from(score.clamp(-(1 << 20), 1 << 20)).unwrap_or(0);
                        candidate.fine = candidate.fine.saturating_add(score);
                    }
                }
            },
        );
    }

    /// Resolves the pending tokens of the candidates; a candidate that turns out not to match
    /// gets `NO_MATCH` as its pending bits.
    fn resolve_pending(&self, candidates: &mut [Candidate], tokens: &[Token]) {
        let pending = candidates.iter().filter(|c| c.pending != 0).count();
        let threads = self.threads_for(pending, self.parallel_scan_min);
        share_jobs(
            threads,
            candidates.chunks_mut(SCAN_JOB),
            &mut (),
            || (),
            |(), chunk| {
                for candidate in chunk.iter_mut().filter(|c| c.pending != 0) {
                    let hay = self.entries[candidate.slot as usize].haystack();
                    match resolve(&hay, tokens, candidate.partial()) {
                        Some(resolved) => candidate.set_partial(resolved),
                        None => candidate.pending = NO_MATCH,
                    }
                }
            },
        );
    }

    /// Returns the best `options.limit` members of `memory.matched`, best first.
    fn rank(&self, memory: &mut Memory, tokens: &[Token], options: SearchOptions) -> Vec<Hit> {
        let limit = options.limit;
        if limit == 0 {
            return Vec::new();
        }
        let eligible = |c: &Candidate| options.include_archived || !c.archived;

        // Tier counts outweigh everything else. Once `limit` members are fully matched, a
        // member whose best reachable group is below theirs cannot make the list, whatever
        // its fuzzy score, so it is left out before resolving or scoring anything.
        let groups = &mut memory.groups;
        groups.clear();
        groups.extend(
            memory
                .matched
                .iter()
                .filter(|c| eligible(c) && c.pending == 0)
                .map(|c| c.group),
        );
        let reachable = limit_th_best(groups, limit);
        let shortlist = &mut memory.shortlist;
        shortlist.clear();
        shortlist.extend(
            memory
                .matched
                .iter()
                .filter(|c| eligible(c) && c.partial().best_group() >= reachable),
        );

        // With every token resolved, the groups are final and the same cut applies again.
        self.resolve_pending(shortlist, tokens);
        shortlist.retain(|c| c.pending == 0);
        groups.clear();
        groups.extend(shortlist.iter().map(|c| c.group));
        let cutoff = limit_th_best(groups, limit);
        shortlist.retain(|c| c.group >= cutoff);

        self.best_hits(shortlist, tokens, limit)
    }

    /// Scores the fuzzy tokens of `shortlist` and returns its best `limit` members, best first.
    fn best_hits(
        &self,
        shortlist: &mut Vec<Candidate>,
        tokens: &[Token],
        limit: usize,
    ) -> Vec<Hit> {
        let fuzzy = fuzzy_first(shortlist);
        if fuzzy > 0 {
            self.score_fuzzy(&mut shortlist[..fuzzy], tokens);
        }

        if shortlist.len() > limit {
            shortlist.select_nth_unstable_by(limit - 1, Candidate::order);
            shortlist.truncate(limit);
        }
        shortlist.sort_unstable_by(Candidate::order);
        shortlist
            .iter()
            .map(|c| Hit {
                member_id: self.entries[c.slot as usize].id,
                score: c.score(),
            })
            .collect()
    }

    /// Returns the best `limit` members that match the query with at least one token matched
    /// only by typo, best first.
    ///
    /// Every member is scanned: a typo match of a query does not imply one of the query
    /// before it (`dupom` is two edits from `dupont`, `dupomt` one), so the previous matches
    /// cannot be narrowed. What keeps the scan cheap is that nearly every member is ruled out
    /// by its letter summary or by the lengths and letters of its name words, before any
    /// distance is computed (see `typo`).
    fn typo_hits(
        &self,
        tokens: &[Token],
        typo: &TypoQuery,
        include_archived: bool,
        limit: usize,
    ) -> Vec<Hit> {
        let len = self.entries.len();
        let threads = self.threads_for(len, self.parallel_scan_min);
        let jobs = (0..len)
            .step_by(SCAN_JOB)
            .map(|start| start..(start + SCAN_JOB).min(len));
        let mut found = Vec::new();
        let helpers = share_jobs(threads, jobs, &mut found, Vec::new, |found, range| {
            let mut best = [u8::MAX; MAX_TOKENS];
            for slot in range {
                let entry = &self.entries[slot];
                if entry.archived && !include_archived {
                    continue;
                }
                let hay = entry.haystack();
                if !typo.nearest(hay.names(), entry.names_mask, &mut best) {
                    continue;
                }
                if let Some((partial, typos)) = match_with_typos(&hay, entry.mask, tokens, &best) {
                    found.push(Candidate {
                        // Slots are below the number of members, which fits in u32.
                        slot: slot as u32,
                        group: partial.group,
                        fine: partial.fine,
                        rank: entry.rank,
                        fuzzy: partial.fuzzy,
                        pending: 0,
                        archived: entry.archived,
                        typos,
                    });
                }
            }
        });
        for part in helpers {
            found.extend_from_slice(&part);
        }
        // As in `rank`, members below the `limit`-th best coarse score cannot make the list,
        // so their fuzzy tokens are not scored.
        if found.len() > limit {
            let mut coarse: Vec<_> = found.iter().map(Candidate::coarse).collect();
            let cutoff = *coarse.select_nth_unstable_by(limit - 1, |a, b| b.cmp(a)).1;
            found.retain(|c| c.coarse() >= cutoff);
        }
        self.best_hits(&mut found, tokens, limit)
    }
}

/// Returns the `limit`-th best of `groups`, or the lowest group when there are fewer: no
/// member below it can make a list of `limit`.
fn limit_th_best(groups: &mut [u32], limit: usize) -> u32 {
    if groups.len() < limit {
        0
    } else {
        *groups.select_nth_unstable_by(limit - 1, |a, b| b.cmp(a)).1
    }
}

/// Tells whether every member matching `new` also matches `old`, so that only the members
/// matching `old` need scanning: each word of the old query is implied by a word of the new.
fn narrows(old: &[Token], new: &[Token]) -> bool {
    old.iter().all(|o| new.iter().any(|n| n.implies(o)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::code::MemberCode;
    use crate::domain::member::Category;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn member(id: u64, first: &str, last: &str) -> Member {
        Member {
            id: MemberId(id),
            code: MemberCode::parse(&format!("{:08}", 10_000 + id)).unwrap(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: None,
            phone: None,
            birth_date: None,
            category: Category::Adult,
            notes: String::new(),
            created_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            archived: false,
            last_visit: None,
        }
    }

    /// Builds a club whose names need word order, particles and separators handled, with
    /// neighbours that compete for the same queries.
    fn club() -> Vec<Member> {
        let mut members = vec![
            member(1, "Marie", "Dupont"),
            member(2, "Jean-Pierre", "Martin"),
            member(3, "Jeanne", "d’Arc Lemaire"),
            member(4, "Yann", "Le Goff"),
            member(5, "Paul", "de La Fontaine"),
            member(6, "Marie-Hélène", "Dupond"),
            member(7, "Marie", "Dupontel"),
            member(8, "Pierre", "Jeanson"),
            member(9, "Paulette", "Fontaine"),
            member(10, "Yannick", "Legoffic"),
            member(11, "Zoé", "Lefèvre"),
            member(12, "Ægir", "Ødegård"),
            member(13, "Léa", "Martin"),
            member(14, "Björn", "Groß"),
            member(15, "Anaïs", "Darcy"),
        ];
        members[12].email = Some("lea.martin@exemple.fr".into());
        members[12].phone = Some("06 12 34 56 78".into());
        members[12].code = MemberCode::parse("ab0012345").unwrap();
        members[11].phone = Some("+47 22 33 44 55".into());
        members
    }

    fn index() -> SearchIndex {
        SearchIndex::new(club())
    }

    fn ids(hits: &[Hit]) -> Vec<u64> {
        hits.iter().map(|h| h.member_id.0).collect()
    }

    fn find(index: &SearchIndex, query: &str) -> Vec<u64> {
        ids(&index.search(query, SearchOptions::default()))
    }

    fn first(index: &SearchIndex, query: &str) -> Option<u64> {
        find(index, query).first().copied()
    }

    #[test]
    fn dupont_marie_finds_marie_dupont_first() {
        let index = index();
        assert_eq!(first(&index, "dupont marie"), Some(1));
        assert_eq!(first(&index, "marie dupont"), Some(1));
        assert_eq!(first(&index, "DUPONT Marie"), Some(1));
    }

    #[test]
    fn jean_pierre_spellings_all_match() {
        let index = index();
        for query in ["jean pierre", "jean-pierre", "jeanpierre", "Jean-Pierre"] {
            assert_eq!(first(&index, query), Some(2), "{query}");
        }
    }

    #[test]
    fn d_arc_with_or_without_apostrophe_finds_jeanne() {
        let index = index();
        for query in ["d'arc", "darc", "d’arc", "d’Arc Lemaire", "jeanne darc"] {
            assert_eq!(first(&index, query), Some(3), "{query}");
        }
    }

    #[test]
    fn le_goff_with_or_without_space_finds_yann() {
        let index = index();
        assert_eq!(first(&index, "legoff"), Some(4));
        assert_eq!(first(&index, "le goff"), Some(4));
        assert_eq!(first(&index, "goff yann"), Some(4));
    }

    #[test]
    fn fontaine_paul_finds_paul_de_la_fontaine() {
        let index = index();
        assert_eq!(first(&index, "fontaine paul"), Some(5));
        assert_eq!(first(&index, "lafontaine"), Some(5));
        assert_eq!(first(&index, "de la fontaine"), Some(5));
    }

    #[test]
    fn dupont_ranks_marie_dupont_above_marie_helene_dupond() {
        let index = index();
        let found = find(&index, "dupont");
        assert_eq!(found[0], 1);
        // The fuzzy matcher wants every letter, so `dupont` does not reach `dupond`; if it
        // ever does, it must come after the exact match.
        if let Some(dupond) = found.iter().position(|&id| id == 6) {
            assert!(dupond > 0);
        }
        // Both start with `dupon`; equal scores fall back to the last name.
        assert_eq!(&find(&index, "dupon")[..2], [6, 1]);
    }

    #[test]
    fn every_query_word_must_match() {
        let index = index();
        assert!(find(&index, "dupont zoe").is_empty());
        assert!(find(&index, "marie xq").is_empty());
        // Both words match all three; `Marie` being the whole first name puts two ahead.
        assert_eq!(find(&index, "marie dupon"), [1, 7, 6]);
    }

    #[test]
    fn exact_beats_prefix_beats_infix_beats_fuzzy() {
        let index = SearchIndex::new(&[
            member(1, "Maurice", "Chevalier"),
            member(2, "Anne", "Damarc"),
            member(3, "Marcel", "Petit"),
            member(4, "Marc", "Petit"),
        ]);
        assert_eq!(find(&index, "marc"), [4, 3, 2, 1]);
    }

    #[test]
    fn accents_and_case_are_ignored_both_ways() {
        let index = index();
        assert_eq!(first(&index, "helene"), Some(6));
        assert_eq!(first(&index, "Hélène"), Some(6));
        assert_eq!(first(&index, "HELENE DUPOND"), Some(6));
        assert_eq!(first(&index, "zoe lefevre"), Some(11));
        assert_eq!(first(&index, "Zoe\u{301} Lefe\u{300}vre"), Some(11));
        assert_eq!(first(&index, "lefèvre"), Some(11));
        assert_eq!(first(&index, "aegir odegard"), Some(12));
        assert_eq!(first(&index, "ægir ødegård"), Some(12));
        assert_eq!(first(&index, "gross"), Some(14));
        assert_eq!(first(&index, "bjorn"), Some(14));
    }

    #[test]
    fn fuzzy_words_find_folded_names() {
        let index = index();
        assert_eq!(first(&index, "heldup"), Some(6));
        assert_eq!(first(&index, "mrdpnt"), Some(1));
    }

    #[test]
    fn phones_match_by_digits() {
        let index = index();
        for query in [
            "0612",
            "06 12",
            "06.12.34",
            "12 34 56",
            "0612345678",
            "+33 6 12 34",
        ] {
            assert_eq!(find(&index, query), [13], "{query}");
        }
        assert_eq!(find(&index, "+47 22 33"), [12]);
        // Digits must be contiguous: scattered digits would match almost every code.
        assert!(find(&index, "0678").is_empty());
        // A name and digits together.
        assert_eq!(find(&index, "lea 5678"), [13]);
    }

    #[test]
    fn typed_digits_rank_phones_above_codes() {
        let mut by_code = member(1, "Anne", "Code");
        by_code.code = MemberCode::parse("06125555").unwrap();
        let mut by_phone = member(2, "Zoé", "Phone");
        by_phone.phone = Some("06 12 34 56 78".into());
        let index = SearchIndex::new(&[by_code, by_phone]);
        assert_eq!(find(&index, "06 12"), [2, 1]);
        // A whole code is exact and beats the start of a phone number.
        assert_eq!(find(&index, "06125555"), [1]);
    }

    #[test]
    fn codes_match_case_insensitively() {
        let index = index();
        assert_eq!(find(&index, "ab0012345"), [13]);
        assert_eq!(find(&index, "AB0012345"), [13]);
        assert_eq!(first(&index, "ab00"), Some(13));
        assert_eq!(find(&index, "00010001"), [1]);
    }

    #[test]
    fn emails_match_with_or_without_their_punctuation() {
        let index = index();
        assert_eq!(find(&index, "lea.martin@exemple.fr"), [13]);
        assert_eq!(first(&index, "exemple"), Some(13));
    }

    #[test]
    fn archived_members_only_when_asked() {
        let mut members = club();
        members[0].archived = true;
        let index = SearchIndex::new(&members);
        assert!(!find(&index, "dupont marie").contains(&1));
        let with_archived = SearchOptions {
            include_archived: true,
            ..SearchOptions::default()
        };
        assert_eq!(ids(&index.search("dupont marie", with_archived))[0], 1);
        // The matches kept for narrowing include archived members, so the option may change
        // while typing.
        assert!(!find(&index, "dupont mari").contains(&1));
        assert_eq!(ids(&index.search("dupont marie", with_archived))[0], 1);
        assert!(!find(&index, "").contains(&1));
    }

    #[test]
    fn limit_keeps_the_best_hits() {
        let index = index();
        // Exact whole first names, then an exact word of a first name.
        let all = find(&index, "marie");
        assert_eq!(all, [1, 7, 6]);
        let two = index.search(
            "marie",
            SearchOptions {
                limit: 2,
                ..SearchOptions::default()
            },
        );
        assert_eq!(ids(&two), [1, 7]);
        let none = index.search(
            "marie",
            SearchOptions {
                limit: 0,
                ..SearchOptions::default()
            },
        );
        assert!(none.is_empty());
        assert_eq!(SearchOptions::default().limit, 50);
    }

    #[test]
    fn default_limit_is_fifty() {
        let members: Vec<Member> = (1..=120).map(|i| member(i, "Marie", "Dupont")).collect();
        let index = SearchIndex::new(&members);
        let hits = index.search("dupont", SearchOptions::default());
        assert_eq!(ids(&hits), (1..=50).collect::<Vec<_>>());
    }

    #[test]
    fn ties_break_by_name_then_id() {
        let index = SearchIndex::new(&[
            member(5, "Marie", "Martin"),
            member(2, "Marie", "Martin"),
            member(3, "Marie", "Bernard"),
            member(1, "Marie", "Moreau"),
            member(4, "Marie", "Durand"),
            member(6, "Zoé", "Bernard"),
            member(7, "Aurélie", "Bernard"),
        ]);
        assert_eq!(find(&index, "marie"), [3, 4, 2, 5, 1]);
        // The same last name, matched the same way: first names decide.
        assert_eq!(find(&index, "bernard"), [7, 3, 6]);
    }

    #[test]
    fn empty_query_lists_members_in_name_order() {
        let index = index();
        let names = find(&index, "");
        assert_eq!(names.len(), club().len());
        assert_eq!(names[..4], [3, 15, 5, 6]);
        assert_eq!(find(&index, " - "), names);
        let three = index.search(
            "",
            SearchOptions {
                limit: 3,
                ..SearchOptions::default()
            },
        );
        assert_eq!(ids(&three), [3, 15, 5]);
    }

    #[test]
    fn upsert_and_remove_update_the_results() {
        let mut index = index();
        assert_eq!(find(&index, "dupont"), [1, 7, 6]);
        let mut renamed = member(1, "Marie", "Durand");
        index.upsert(&renamed);
        // What the previous query matched must not be reused after a change. Dupond, one
        // edit away, comes after the prefix match.
        assert_eq!(find(&index, "dupont"), [7, 6]);
        assert_eq!(find(&index, "durand"), [1]);
        renamed.id = MemberId(99);
        index.upsert(&renamed);
        assert_eq!(find(&index, "durand"), [1, 99]);
        assert!(index.remove(MemberId(1)));
        assert!(!index.remove(MemberId(1)));
        assert_eq!(find(&index, "durand"), [99]);
        // Removal moved the last entry into the freed slot; it must still be found by id.
        assert!(index.remove(MemberId(99)));
        assert!(index.contains(MemberId(15)));
        // Jeanne d’Arc, one edit away, after the exact match.
        assert_eq!(find(&index, "darcy"), [15, 3]);
        assert_eq!(index.len(), club().len() - 1);
    }

    /// Builds the club plus two members whose misspelt names only the typo tier finds.
    fn club_with_typos() -> SearchIndex {
        let mut members = club();
        members.push(member(16, "Luc", "Lefebvre"));
        members.push(member(17, "Thị Lan", "Nguyễn"));
        SearchIndex::new(&members)
    }

    #[test]
    fn misspelt_names_are_found() {
        let index = club_with_typos();
        // A substituted letter, then two letters swapped.
        assert_eq!(first(&index, "dupomt"), Some(1));
        assert_eq!(first(&index, "dupnot"), Some(1));
        // A missing letter; Zoé Lefèvre is one edit away too, and comes after in name order.
        assert_eq!(find(&index, "lefebre"), [16, 11]);
        // An extra letter, next to a word that matches exactly.
        assert_eq!(first(&index, "martinn jean-pierre"), Some(2));
        // `lam` is too short alone, but `thi lam` is one edit from `thi lan`.
        assert_eq!(find(&index, "nguyen thi lam"), [17]);
        // Long words allow two edits.
        assert_eq!(first(&index, "lafomtane"), Some(5));
    }

    #[test]
    fn matching_leaves_typos_out_unless_alone() {
        let index = SearchIndex::new(&[
            member(1, "Marie", "Dupont"),
            member(2, "Marie", "Dupond"),
            member(3, "Luc", "Martin"),
        ]);
        let exact = index.matching("dupont", false);
        assert_eq!(exact.members, [MemberId(1)]);
        assert!(!exact.close_only);
        // Only a typo finds anyone, so the typo matches are kept and flagged.
        let close = index.matching("dupomt", false);
        assert_eq!(close.members, [MemberId(1)]);
        assert!(close.close_only);
        assert!(index.matching("zzzz", false).members.is_empty());
    }

    #[test]
    fn typo_matches_rank_below_exact_ones() {
        let index = club_with_typos();
        let hits = index.search("dupond", SearchOptions::default());
        let found = ids(&hits);
        // Marie-Hélène Dupond is exact; Marie Dupont and Marie Dupontel one edit away.
        assert_eq!(found, [6, 1]);
        assert!(hits[0].score > 0);
        assert!(hits[1].score < 0);
        // A fuzzy match beats a typo: `mrdpnd` is scattered in Marie-Hélène Dupond only.
        let with_fuzzy =
            SearchIndex::new(&[member(1, "Marie", "Dupont"), member(2, "Marie", "Dupond")]);
        assert_eq!(find(&with_fuzzy, "dupond"), [2, 1]);
        assert_eq!(find(&with_fuzzy, "mrdupond"), [2]);
    }

    #[test]
    fn three_letter_words_never_match_by_typo() {
        let index = club_with_typos();
        // `lam` reaches Léa Martin by the fuzzy tier, but Thị Lan is one edit away only.
        assert_eq!(find(&index, "lam"), [13]);
        // Léa is one edit from `leo`, Zoé from `zoa`.
        assert!(!find(&index, "leo").contains(&13));
        assert!(find(&index, "zoa").is_empty());
        // Four letters do.
        assert_eq!(find(&index, "yamn"), [4]);
    }

    #[test]
    fn codes_phones_and_emails_never_match_by_typo() {
        let index = club_with_typos();
        // Léa Martin's code is AB0012345, her phone 06 12 34 56 78, her e-mail at exemple.fr.
        assert!(find(&index, "ab0012346").is_empty());
        assert!(find(&index, "ab0012355").is_empty());
        assert!(find(&index, "0612345679").is_empty());
        assert!(find(&index, "exemplr").is_empty());
        assert!(find(&index, "lea exemplr").is_empty());
        // Member 2's code with two digits swapped.
        assert!(find(&index, "00010020").is_empty());
    }

    #[test]
    fn fuzzy_scores_ignore_earlier_texts() {
        let scorer = FuzzyScorer::new();
        let fresh = |names: &str| {
            SkimMatcherV2::default()
                .respect_case()
                .fuzzy(names, "aais", false)
                .map(|(score, _)| score)
        };
        let longer = "aegirpierre|fontaineanais";
        let shorter = "anais marie|pierregoff";
        assert_eq!(scorer.score(longer, "aais"), fresh(longer));
        assert_eq!(scorer.score(shorter, "aais"), fresh(shorter));
        assert_eq!(scorer.score(longer, "aais"), fresh(longer));
    }

    #[test]
    fn typed_query_matches_full_search() {
        let index = index();
        let query = "marie-helene dupond 0";
        for end in 1..=query.len() {
            let prefix = &query[..end];
            let typed = index.search(prefix, SearchOptions::default());
            let fresh = SearchIndex::new(club()).search(prefix, SearchOptions::default());
            assert_eq!(typed, fresh, "{prefix}");
        }
    }

    #[test]
    fn threads_give_the_same_results() {
        let members: Vec<Member> = (0..600)
            .map(|i| {
                let first = ["Marie", "Léa", "Jean-Pierre", "Zoé", "Hélène"][i % 5];
                let last = ["Dupont", "Dupond", "Le Goff", "Martin", "d’Arc"][i / 5 % 5];
                member(i as u64, first, &format!("{last} {i}"))
            })
            .collect();
        let single = SearchIndex::new(&members);
        let mut threaded = SearchIndex::new(&members);
        threaded.threads = 3;
        threaded.parallel_scan_min = 1;
        threaded.parallel_fuzzy_min = 1;
        for query in [
            "m",
            "ma",
            "mdp",
            "hel dup",
            "1",
            "zoe 5",
            "",
            "dupomt",
            "marei lgoff",
        ] {
            let options = SearchOptions {
                limit: 500,
                ..SearchOptions::default()
            };
            assert_eq!(
                threaded.search(query, options),
                single.search(query, options),
                "{query}"
            );
        }
    }

    #[test]
    fn index_of_many_members_stays_small() {
        let members: Vec<Member> = (0..1_000)
            .map(|i| {
                let mut m = member(i, "Marie-Hélène", "de La Fontaine");
                m.email = Some("marie-helene.delafontaine@exemple.fr".into());
                m.phone = Some("06 12 34 56 78".into());
                m
            })
            .collect();
        let index = SearchIndex::new(&members);
        // Under 500 bytes a member keeps 100,000 members under 50 MB.
        assert!(index.heap_bytes() < 500 * 1_000, "{}", index.heap_bytes());
    }

    const NAME_PARTS: &[&str] = &[
        "Marie",
        "Hélène",
        "Jean",
        "Pierre",
        "Dupont",
        "Dupond",
        "d’Arc",
        "Le",
        "Goff",
        "Léa",
        "Zoé",
        "Ægir",
        "Ødegård",
        "de",
        "La",
        "Fontaine",
        "Anaïs",
        "Œuvray",
    ];

    const JOINERS: &[&str] = &[" ", "-", "’", ""];

    fn arbitrary_member() -> impl Strategy<Value = (String, String, bool, Option<String>)> {
        let part = proptest::sample::select(NAME_PARTS);
        let joiner = proptest::sample::select(JOINERS);
        (
            (
                part.clone(),
                joiner.clone(),
                proptest::option::of(part.clone()),
            )
                .prop_map(|(a, j, b)| b.map_or(a.to_owned(), |b| format!("{a}{j}{b}"))),
            (part.clone(), joiner, proptest::option::of(part))
                .prop_map(|(a, j, b)| b.map_or(a.to_owned(), |b| format!("{a}{j}{b}"))),
            proptest::bool::weighted(0.2),
            proptest::option::of("0[1-9]( ?[0-9]{2}){4}"),
        )
    }

    /// Returns the fewest edits between token `k` and a word of the names or two consecutive
    /// words of one name run together, by the definition: every pair compared, no filter.
    fn naive_typo_edits(names: &str, tokens: &[Token], k: usize) -> Option<u8> {
        let mut units = Vec::new();
        for field in names.split('|') {
            let words: Vec<&str> = field.split(' ').filter(|w| !w.is_empty()).collect();
            units.extend(words.iter().map(|w| (*w).to_owned()));
            units.extend(words.windows(2).map(|pair| pair.concat()));
        }
        let letters = |j: usize| tokens.get(j).filter(|t| !t.digits).map(|t| t.text.clone());
        let own = letters(k)?;
        let texts = if own.chars().count() >= 4 {
            vec![own]
        } else {
            let before = k.checked_sub(1).and_then(letters).map(|b| b + &own);
            let after = letters(k + 1).map(|a| own.clone() + &a);
            [before, after]
                .into_iter()
                .flatten()
                .filter(|t| t.chars().count() >= 4)
                .collect()
        };
        texts
            .iter()
            .flat_map(|text| units.iter().map(move |unit| (text, unit)))
            .filter_map(|(text, unit)| {
                let edits = strsim::damerau_levenshtein(text, unit);
                let allowed = if text.chars().count() >= 8 { 2 } else { 1 };
                (edits <= allowed).then_some(edits as u8)
            })
            .min()
    }

    /// Ranks by the definition, with none of the shortcuts: every member matched in full, each
    /// token on its own, every fuzzy token scored, every tie broken by comparing names.
    fn naive_search(index: &SearchIndex, query: &str, options: SearchOptions) -> Vec<Hit> {
        let tokens = parse_query(query);
        let mut scored: Vec<(i64, &Entry)> = index
            .entries
            .iter()
            .filter(|entry| options.include_archived || !entry.archived)
            .filter_map(|entry| {
                let hay = entry.haystack();
                let (mut group, mut fine, mut typos) = (0i64, 0i64, 0i64);
                for (k, token) in tokens.iter().enumerate() {
                    let alone = std::slice::from_ref(token);
                    if let Some(partial) = matching::evaluate(&hay, entry.mask, alone) {
                        group += i64::from(partial.group);
                        fine += i64::from(partial.fine);
                        if partial.fuzzy != 0 {
                            // A new matcher each time: the score by definition.
                            let matcher = SkimMatcherV2::default().respect_case();
                            fine += matcher.fuzzy(hay.names(), &token.text, false)?.0;
                        }
                    } else {
                        let edits = naive_typo_edits(hay.names(), &tokens, k)?;
                        typos += 1;
                        fine += i64::from(typo::typo_score(edits));
                    }
                }
                Some(((group << 32) + fine - (typos << 56), entry))
            })
            .collect();
        scored.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then_with(|| a.name_cmp(b)));
        scored
            .into_iter()
            .take(options.limit)
            .map(|(score, entry)| Hit {
                member_id: entry.id,
                score,
            })
            .collect()
    }

    /// A change to the member list, on ids that repeat so that updates happen.
    #[derive(Debug, Clone)]
    enum Change {
        Upsert {
            id: u64,
            first: usize,
            last: usize,
            archived: bool,
        },
        Remove(u64),
    }

    fn arbitrary_change() -> impl Strategy<Value = Change> {
        prop_oneof![
            3 => (0u64..12, 0..NAME_PARTS.len(), 0..NAME_PARTS.len(), proptest::bool::weighted(0.2))
                .prop_map(|(id, first, last, archived)| Change::Upsert { id, first, last, archived }),
            1 => (0u64..12).prop_map(Change::Remove),
        ]
    }

    /// Checks that the name order and the id map agree with the entries.
    fn check_invariants(index: &SearchIndex) -> Result<(), TestCaseError> {
        prop_assert_eq!(index.order.len(), index.entries.len());
        prop_assert_eq!(index.slots.len(), index.entries.len());
        for (rank, &slot) in index.order.iter().enumerate() {
            prop_assert_eq!(index.entries[slot as usize].rank as usize, rank);
        }
        for pair in index.order.windows(2) {
            let (a, b) = (
                &index.entries[pair[0] as usize],
                &index.entries[pair[1] as usize],
            );
            prop_assert_eq!(a.name_cmp(b), Ordering::Less);
        }
        for (id, &slot) in &index.slots {
            prop_assert_eq!(index.entries[slot as usize].id, *id);
        }
        Ok(())
    }

    /// Queries of name parts with one edit or none each (a letter changed, added, dropped, or
    /// two swapped), sometimes with a short word, so that typo matches are frequent.
    fn misspelt_query() -> impl Strategy<Value = String> {
        let letter = proptest::sample::select(&['a', 'e', 'n', 'o', 'r', 't', 'u'][..]);
        let word = (
            proptest::sample::select(NAME_PARTS),
            0u8..5,
            any::<proptest::sample::Index>(),
            letter,
        )
            .prop_map(|(part, edit, at, letter)| {
                let mut chars: Vec<char> =
                    fold(part).chars().filter(|c| c.is_alphanumeric()).collect();
                let i = at.index(chars.len() + 1);
                match edit {
                    1 if i < chars.len() => chars[i] = letter,
                    2 => chars.insert(i, letter),
                    3 if i < chars.len() => {
                        chars.remove(i);
                    }
                    4 if i + 1 < chars.len() => chars.swap(i, i + 1),
                    _ => {}
                }
                chars.into_iter().collect::<String>()
            });
        proptest::collection::vec(word, 1..4).prop_map(|words| words.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn misspelt_queries_match_the_naive_definition_while_typing(
            people in proptest::collection::vec(arbitrary_member(), 1..40),
            query in misspelt_query(),
            include_archived in any::<bool>(),
            limit in 1usize..12,
        ) {
            let members: Vec<Member> = people
                .iter()
                .enumerate()
                .map(|(i, (first, last, archived, phone))| {
                    let mut m = member(i as u64, first, last);
                    m.archived = *archived;
                    m.phone = phone.clone();
                    m
                })
                .collect();
            let typing = SearchIndex::new(&members);
            let options = SearchOptions { include_archived, limit };
            let ends = query.char_indices().map(|(i, c)| i + c.len_utf8());
            for end in ends {
                let prefix = &query[..end];
                let typed = typing.search(prefix, options);
                let fresh = SearchIndex::new(&members).search(prefix, options);
                prop_assert_eq!(&typed, &fresh, "{}", prefix);
                prop_assert_eq!(typed, naive_search(&typing, prefix, options), "{}", prefix);
            }
        }

        #[test]
        fn narrowing_matches_a_full_search(
            people in proptest::collection::vec(arbitrary_member(), 1..40),
            query in "[a-eilmnoprtuzé0-9 '’-]{1,14}",
            include_archived in any::<bool>(),
            limit in 1usize..12,
        ) {
            let members: Vec<Member> = people
                .iter()
                .enumerate()
                .map(|(i, (first, last, archived, phone))| {
                    let mut m = member(i as u64, first, last);
                    m.archived = *archived;
                    m.phone = phone.clone();
                    m
                })
                .collect();
            let typing = SearchIndex::new(&members);
            let options = SearchOptions { include_archived, limit };
            let ends = query.char_indices().map(|(i, c)| i + c.len_utf8());
            for end in ends {
                let prefix = &query[..end];
                let typed = typing.search(prefix, options);
                let fresh = SearchIndex::new(&members).search(prefix, options);
                prop_assert_eq!(typed, fresh, "{}", prefix);
            }
        }

        #[test]
        fn search_matches_the_naive_definition(
            people in proptest::collection::vec(arbitrary_member(), 1..60),
            queries in proptest::collection::vec("[a-eilmnoprtuzé0-9 '’-]{0,8}", 1..6),
            include_archived in any::<bool>(),
            limit in 1usize..8,
        ) {
            let members: Vec<Member> = people
                .iter()
                .enumerate()
                .map(|(i, (first, last, archived, phone))| {
                    let mut m = member(i as u64, first, last);
                    m.archived = *archived;
                    m.phone = phone.clone();
                    m
                })
                .collect();
            let index = SearchIndex::new(&members);
            let options = SearchOptions { include_archived, limit };
            for query in &queries {
                // Typed one character at a time, so that narrowing is exercised too.
                let ends = query.char_indices().map(|(i, c)| i + c.len_utf8());
                for end in ends {
                    let prefix = &query[..end];
                    let hits = index.search(prefix, options);
                    prop_assert_eq!(hits, naive_search(&index, prefix, options), "{}", prefix);
                }
            }
        }

        #[test]
        fn any_query_after_another_matches_a_full_search(
            people in proptest::collection::vec(arbitrary_member(), 1..40),
            queries in proptest::collection::vec("[a-eilmnoprtuzé0-9 '’-]{0,8}", 2..6),
        ) {
            let members: Vec<Member> = people
                .iter()
                .enumerate()
                .map(|(i, (first, last, archived, phone))| {
                    let mut m = member(i as u64, first, last);
                    m.archived = *archived;
                    m.phone = phone.clone();
                    m
                })
                .collect();
            let index = SearchIndex::new(&members);
            let options = SearchOptions { include_archived: false, limit: 10 };
            for query in &queries {
                let after = index.search(query, options);
                let fresh = SearchIndex::new(&members).search(query, options);
                prop_assert_eq!(after, fresh, "{}", query);
            }
        }

        #[test]
        fn changes_match_fresh_index(
            changes in proptest::collection::vec(arbitrary_change(), 1..60),
        ) {
            let mut index = SearchIndex::default();
            let mut model = std::collections::BTreeMap::new();
            for change in changes {
                match change {
                    Change::Upsert { id, first, last, archived } => {
                        let mut m = member(id, NAME_PARTS[first], NAME_PARTS[last]);
                        m.archived = archived;
                        index.upsert(&m);
                        model.insert(id, m);
                    }
                    Change::Remove(id) => {
                        prop_assert_eq!(index.remove(MemberId(id)), model.remove(&id).is_some());
                    }
                }
                check_invariants(&index)?;
            }
            let fresh = SearchIndex::new(model.values());
            let options = SearchOptions { include_archived: true, limit: 100 };
            for query in ["", "ma", "du", "e", "le goff", "hel dup"] {
                prop_assert_eq!(index.search(query, options), fresh.search(query, options));
            }
        }
    }
}
