//! The tagger: candidates from lists, rules and regexes, then one span per place.
//!
//! 1. **Candidates.** Gazetteer hits; titles before names (`M. le général Campenon`); name
//!    runs (capitalised words joined by spaces, hyphens, particles and initials) classified
//!    by their first or last word (a given name, an organisation or place cue, an
//!    organisation suffix, an acronym); addresses (`14, rue Favart`); user regex rules.
//!    A run nothing classifies is a *guess* (a person, or a place after `à`/`en`).
//! 2. **Resolution.** Candidates other than guesses are taken longest first, then by
//!    priority, then leftmost; a candidate overlapping one already taken is dropped.
//! 3. **Consistency.** Names taken in step 2 (the name part of a titled person, the surname
//!    of a full name) label the guesses and the sentence-initial words with the same text:
//!    `Milley` after `Mark Milley` is a person.
//! 4. Guesses fill the places still free, longest first.

use crate::gazetteer::Gazetteer;
use crate::lexicon;
use crate::tokens::{words, Shape, Word};
use regex::Regex;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An entity found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The span layer (`entity`, or a regex rule's own).
    pub layer: String,
    /// `PER`, `LOC`, `ORG`, `MISC` or a list's or rule's own label.
    pub label: String,
    /// Confidence in [0, 1]: 0.9 lists and titles, 0.8 cues and given names, 0.6 acronyms,
    /// 0.4 and under for guesses; 1 for user rules.
    pub score: f32,
    /// What fired: a list's name (`places`), a rule (`title`, `first_name`, `org_cue`,
    /// `org_suffix`, `loc_cue`, `street`, `acronym`, `guess`, `consistency`) or a user
    /// rule's name.
    pub rule: String,
    /// The canonical id from the list, when it has one.
    pub id: Option<String>,
}

/// A rule's compiled pattern.
///
/// A pattern that opens with a Unicode word boundary (`\b[A-Z]...`, as most entity rules
/// do) is searched without it, and the boundary is checked at each match: the regex crate's
/// DFAs cannot evaluate a Unicode `\b` on non-ASCII text and fall back to engines several
/// times slower (the reference workload's rule ran at 11 MB/s with it, see
/// docs/performance.md). The matches are the same: the leftmost position where the
/// boundary holds and the rest matches, and there the same match.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: Regex,
    /// The leading `\b` was taken out and is checked by hand.
    leading_boundary: bool,
}

impl Pattern {
    /// Compile `pattern` (errors are the regex crate's, about the pattern as written).
    pub fn new(pattern: &str) -> Result<Pattern, regex::Error> {
        let full = Regex::new(pattern)?;
        if let Some(rest) = without_leading_boundary(pattern) {
            if let Ok(regex) = Regex::new(&rest) {
                return Ok(Pattern { regex, leading_boundary: true });
            }
        }
        Ok(Pattern { regex: full, leading_boundary: false })
    }

    /// The non-empty matches in `text`, left to right, as byte ranges.
    pub fn find_iter<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        let mut pos = 0;
        std::iter::from_fn(move || {
            while pos <= text.len() {
                let m = self.regex.find_at(text, pos)?;
                let next_char = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
                if m.start() == m.end() {
                    pos = next_char;
                    continue;
                }
                if self.leading_boundary && !is_word_boundary(text, m.start()) {
                    pos = next_char;
                    continue;
                }
                pos = m.end();
                return Some((m.start(), m.end()));
            }
            None
        })
    }
}

/// The pattern without its leading Unicode `\b`, when it is a concatenation that opens
/// with one (`\bfoo|bar` is not: the boundary is inside an alternative).
fn without_leading_boundary(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{Hir, HirKind, Look};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    match hir.kind() {
        HirKind::Concat(parts) if parts.len() > 1 && matches!(parts[0].kind(), HirKind::Look(Look::WordUnicode)) => {
            Some(Hir::concat(parts[1..].to_vec()).to_string())
        }
        _ => None,
    }
}

/// Whether a Unicode word boundary (`\b`) holds at byte `at` of `text`.
fn is_word_boundary(text: &str, at: usize) -> bool {
    let word = |c: Option<char>| c.is_some_and(regex_syntax::is_word_character);
    word(text[..at].chars().next_back()) != word(text[at..].chars().next())
}

/// A user regex rule, compiled.
#[derive(Debug, Clone)]
pub struct RegexRule {
    /// Reported as the span's rule.
    pub name: String,
    /// The pattern.
    pub regex: Pattern,
    /// The label of its spans.
    pub label: String,
    /// The layer of its spans; only `entity` spans compete with the other rules.
    pub layer: String,
    /// Rank among candidates of the same length (lists are 30 to 50, rules 20 to 45).
    pub priority: u8,
}

/// A gazetteer and its rank.
#[derive(Debug, Clone)]
pub struct RankedList {
    /// The list.
    pub list: Arc<Gazetteer>,
    /// Rank among candidates of the same length.
    pub priority: u8,
    /// Score of its spans.
    pub score: f32,
}

/// Everything the tagger knows, built once per configuration and shared by the workers.
#[derive(Debug)]
pub struct Tagger {
    /// Lists, built-in and the user's.
    pub lists: Vec<RankedList>,
    /// Regex rules.
    pub rules: Vec<RegexRule>,
    /// Given names, exact spelling.
    pub first_names: HashSet<String>,
    /// Extra titles (folded) from the config.
    pub titles: HashSet<String>,
    /// Extra organisation cues (folded) from the config, all taken as strong.
    pub org_cues: HashSet<String>,
    /// Whether a title is part of a person's span (as in HIPE and GATE's ANNIE).
    pub include_titles: bool,
    /// Whether unknown capitalised names are guessed.
    pub guess: bool,
    /// Whether names found are propagated to their other mentions.
    pub consistency: bool,
    /// Whether the built-in rules run (titles, name runs, cues, addresses, guesses). Off,
    /// only the lists and the regex rules tag.
    pub builtin_rules: bool,
    sets: Lexicon,
}

#[derive(Debug)]
struct Lexicon {
    abbreviated_titles: HashSet<&'static str>,
    word_titles: HashSet<&'static str>,
    title_links: HashSet<&'static str>,
    particles: HashSet<&'static str>,
    hyphen_particles: HashSet<&'static str>,
    saint: HashSet<&'static str>,
    org_cues: HashMap<&'static str, bool>,
    org_suffixes: HashSet<&'static str>,
    loc_cues: HashSet<&'static str>,
    street_cues: HashSet<&'static str>,
    function_words: HashSet<&'static str>,
    calendar: HashSet<&'static str>,
    place_prepositions: HashSet<&'static str>,
}

impl Lexicon {
    fn new() -> Self {
        let set = |words: &[&'static str]| words.iter().copied().collect::<HashSet<_>>();
        Lexicon {
            abbreviated_titles: set(lexicon::ABBREVIATED_TITLES),
            word_titles: set(lexicon::WORD_TITLES),
            title_links: set(lexicon::TITLE_LINKS),
            particles: set(lexicon::PARTICLES),
            hyphen_particles: set(lexicon::HYPHEN_PARTICLES),
            saint: set(lexicon::SAINT),
            org_cues: lexicon::ORG_CUES.iter().copied().collect(),
            org_suffixes: set(lexicon::ORG_SUFFIXES),
            loc_cues: set(lexicon::LOC_CUES),
            street_cues: set(lexicon::STREET_CUES),
            function_words: set(lexicon::FUNCTION_WORDS),
            calendar: set(lexicon::CALENDAR),
            place_prepositions: set(lexicon::PLACE_PREPOSITIONS),
        }
    }
}

#[derive(Debug, Clone)]
struct Candidate {
    start: usize,
    end: usize,
    /// Where the name proper starts (after a title).
    name_start: usize,
    label: String,
    score: f32,
    priority: u8,
    rule: String,
    id: Option<String>,
    kind: Strength,
}

impl Candidate {
    /// A candidate a rule is sure of, with no id; the name starts at `name_start`.
    fn sure(range: (usize, usize), name_start: usize, label: &str, score: f32, priority: u8, rule: &str) -> Self {
        Candidate {
            start: range.0,
            end: range.1,
            name_start,
            label: label.into(),
            score,
            priority,
            rule: rule.into(),
            id: None,
            kind: Strength::Sure,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    /// A list, a rule or a cue fired.
    Sure,
    /// A capitalised run nothing classified.
    Guess,
    /// A sentence-initial word: an entity only if the same name is found elsewhere.
    NeedsSupport,
}

/// Priorities of the built-in rules (lists have theirs in [`RankedList`]).
const P_TITLE: u8 = 45;
const P_ORG_CUE: u8 = 40;
const P_STREET: u8 = 40;
const P_LOC_CUE: u8 = 25;
const P_FIRST_NAME: u8 = 25;
const P_ACRONYM: u8 = 20;
const P_GUESS: u8 = 0;

/// Runs longer than this many words are not names (a headline in capitals, a title line).
const MAX_RUN: usize = 8;

struct Doc<'a> {
    text: &'a str,
    words: Vec<Word>,
    /// Folded words seen in lowercase in this text: capitalised at a sentence start, they
    /// are ordinary words.
    lowercase: HashSet<&'a str>,
}

impl Tagger {
    /// A tagger with the given lists and rules, and the built-in word lists.
    pub fn new(lists: Vec<RankedList>, rules: Vec<RegexRule>, first_names: HashSet<String>) -> Self {
        Tagger {
            lists,
            rules,
            first_names,
            titles: HashSet::default(),
            org_cues: HashSet::default(),
            include_titles: true,
            guess: true,
            consistency: true,
            builtin_rules: true,
            sets: Lexicon::new(),
        }
    }

    /// The entities of `text`, sorted by start (then by layer).
    pub fn tag(&self, text: &str) -> Vec<Entity> {
        // Regex rules alone need no word analysis.
        let doc = if self.builtin_rules || !self.lists.is_empty() {
            self.doc(text)
        } else {
            Doc { text, words: Vec::new(), lowercase: HashSet::default() }
        };
        let mut candidates = Vec::new();
        self.list_candidates(&doc, &mut candidates);
        if self.builtin_rules {
            self.rule_candidates(&doc, &mut candidates);
        }
        let mut out = Vec::new();
        let mut entity_layer = Vec::new();
        for rule in &self.rules {
            for (start, end) in rule.regex.find_iter(text) {
                let c = Candidate {
                    start,
                    end,
                    name_start: start,
                    label: rule.label.clone(),
                    score: 1.0,
                    priority: rule.priority,
                    rule: rule.name.clone(),
                    id: None,
                    kind: Strength::Sure,
                };
                if rule.layer == "entity" {
                    candidates.push(c);
                } else {
                    out.push(into_entity(c, &rule.layer));
                }
            }
        }
        entity_layer.extend(self.resolve(&doc, candidates));
        out.extend(entity_layer.into_iter().map(|c| into_entity(c, "entity")));
        out.sort_by(|a, b| (a.start, a.end, &a.layer).cmp(&(b.start, b.end, &b.layer)));
        out
    }

    fn doc<'a>(&self, text: &'a str) -> Doc<'a> {
        let words = words(text, |w| {
            self.sets.abbreviated_titles.contains(w) || {
                let f = crate::fold::fold_word(w);
                self.sets.street_cues.contains(f.as_str()) || self.titles.contains(&f)
            }
        });
        let mut lowercase = HashSet::default();
        for w in &words {
            if w.shape == Shape::Lower {
                lowercase.insert(&text[w.start..w.end]);
            }
        }
        Doc { text, words, lowercase }
    }

    /// Whether a capitalised word at a sentence start is an ordinary word.
    fn is_common(&self, doc: &Doc, w: &Word) -> bool {
        let f = w.folded.as_str();
        if self.sets.function_words.contains(f) || self.sets.calendar.contains(f) {
            return true;
        }
        self.is_lowercase_word(doc, w)
    }

    /// Whether the text also has this word in lowercase.
    fn is_lowercase_word(&self, doc: &Doc, w: &Word) -> bool {
        let text = &doc.text[w.start..w.end];
        let mut lower = String::with_capacity(text.len());
        lower.extend(text.chars().flat_map(char::to_lowercase));
        doc.lowercase.contains(lower.as_str())
    }

    fn list_candidates(&self, doc: &Doc, out: &mut Vec<Candidate>) {
        let mut folded_by = HashMap::default();
        for ranked in &self.lists {
            let folded = folded_by
                .entry(ranked.list.folding)
                .or_insert_with(|| crate::fold::fold(doc.text, ranked.list.folding));
            for hit in ranked.list.find(doc.text, folded) {
                // A one-word name opening a sentence, also used in lowercase: an ordinary word.
                let first = doc.words.partition_point(|w| w.start < hit.start);
                if let Some(w) = doc.words.get(first) {
                    if w.start == hit.start && w.end >= hit.end && w.sentence_start && self.is_common(doc, w) {
                        continue;
                    }
                }
                let entry = &ranked.list.entries[hit.entry];
                out.push(Candidate {
                    start: hit.start,
                    end: hit.end,
                    name_start: hit.start,
                    label: entry.label.clone(),
                    score: ranked.score,
                    priority: ranked.priority,
                    rule: ranked.list.name.clone(),
                    id: entry.id.clone(),
                    kind: Strength::Sure,
                });
            }
        }
    }

    fn is_title(&self, doc: &Doc, i: usize) -> bool {
        let w = &doc.words[i];
        let raw = &doc.text[w.start..w.end];
        if self.sets.abbreviated_titles.contains(raw) {
            // `M` only with its period: alone it is a letter or a metre.
            return raw != "M" && raw != "MM" || doc.text[w.end..].starts_with('.');
        }
        self.sets.word_titles.contains(w.folded.as_str()) || self.titles.contains(&w.folded)
    }

    /// The gap between word `i` and the next, if the two can be in one name.
    fn joins(&self, doc: &Doc, i: usize) -> Option<Join> {
        let (a, b) = (&doc.words[i], doc.words.get(i + 1)?);
        let gap = &doc.text[a.end..b.start];
        let trimmed = gap.trim();
        if trimmed.is_empty() {
            // One space, or one line break; a wider gap separates the cells of a ticker or a
            // menu, two line breaks a paragraph.
            let one_char = gap.chars().nth(1).is_none() && !gap.contains('\t');
            let one_line_break = gap.matches('\n').count() == 1 && gap.len() <= 3;
            return (one_char || one_line_break).then_some(Join::Space);
        }
        if gap.len() > 6 {
            return None;
        }
        match trimmed {
            "-" | "\u{2010}" | "\u{2011}" => Some(Join::Hyphen),
            "'" | "\u{2019}" => Some(Join::Apostrophe),
            "." if a.shape == Shape::Upper && a.end - a.start <= 2 && gap.len() > 1 => Some(Join::Initial),
            _ => None,
        }
    }

    fn is_roman(w: &Word, text: &str) -> bool {
        w.shape == Shape::Upper && w.end - w.start <= 6 && text[w.start..w.end].chars().all(|c| "IVXLC".contains(c))
    }

    /// Whether word `i` may start or continue a name.
    fn nameish(&self, doc: &Doc, i: usize) -> bool {
        let w = &doc.words[i];
        w.is_capitalised() && !self.sets.calendar.contains(w.folded.as_str())
    }

    /// The end (word index, exclusive) of the name run that starts at word `i`.
    fn run_end(&self, doc: &Doc, i: usize) -> usize {
        let n = doc.words.len();
        let mut end = i + 1;
        let mut k = i;
        while k + 1 < n && end - i < MAX_RUN + 1 {
            let Some(join) = self.joins(doc, k) else { break };
            let next = &doc.words[k + 1];
            // A sentence starts there (`Herald\nCette exposition`): the name ended.
            if next.sentence_start {
                break;
            }
            if self.nameish(doc, k + 1) && join != Join::Apostrophe && !self.is_title(doc, k + 1) {
                k += 1;
                end = k + 1;
                continue;
            }
            // Particles (`de la`, `d'`, `al-`, `van der`, `-sur-`) when a capitalised word
            // follows.
            let mut j = k + 1;
            let mut ok = false;
            let mut join = Some(join);
            while j < n && j - k <= 3 {
                let w = &doc.words[j];
                let case_fits =
                    w.shape == Shape::Lower || w.shape == Shape::Upper && doc.words[k].shape == Shape::Upper;
                let particle = self.sets.particles.contains(w.folded.as_str())
                    || join == Some(Join::Hyphen) && self.sets.hyphen_particles.contains(w.folded.as_str());
                if !case_fits || !particle {
                    ok = self.nameish(doc, j) && j > k + 1 && !w.sentence_start;
                    break;
                }
                join = self.joins(doc, j);
                if join.is_none() {
                    break;
                }
                j += 1;
            }
            if ok && next.shape != Shape::Digit {
                k = j;
                end = k + 1;
                continue;
            }
            break;
        }
        // A run does not end with an ordinary word: `CONFÉRENCE DE LA PAIX Les`.
        while end > i + 1 && self.sets.function_words.contains(doc.words[end - 1].folded.as_str()) {
            end -= 1;
        }
        end
    }

    fn rule_candidates(&self, doc: &Doc, out: &mut Vec<Candidate>) {
        let words = &doc.words;
        let text = doc.text;
        let n = words.len();
        let mut i = 0;
        while i < n {
            let w = &words[i];
            // Addresses: `rue de Rivoli`, `14, rue Favart`, `r. St-Martin, 10`.
            if self.sets.street_cues.contains(w.folded.as_str())
                && (w.end - w.start > 2 || text[w.end..].starts_with('.'))
            {
                if let Some(c) = self.street(doc, i) {
                    out.push(c);
                }
            }
            // Lowercase organisation cues: `le ministère de la guerre`, `la société Aenesmann`.
            if w.shape == Shape::Lower {
                if let Some(&strong) = self.sets.org_cues.get(w.folded.as_str()) {
                    if let Some(c) = self.org_from_cue(doc, i, strong || self.org_cues.contains(&w.folded), true) {
                        out.push(c);
                    }
                }
            }
            if self.is_title(doc, i) {
                if let Some((c, mut next)) = self.titled(doc, i) {
                    out.push(c);
                    // A plural title names several people: `MM. Davidson et Aenesmann`.
                    if matches!(w.folded.as_str(), "mm" | "mmes" | "mlles" | "messrs" | "messieurs" | "mesdames") {
                        while let Some(c) = self.coordinated(doc, next) {
                            next = doc.words.partition_point(|w| w.start < c.end);
                            out.push(c);
                        }
                    }
                    i = next;
                    continue;
                }
            }
            if !self.nameish(doc, i) || Self::is_roman(w, text) {
                i += 1;
                continue;
            }
            let mut start = i;
            let end = self.run_end(doc, i);
            // A run opening a sentence with an ordinary word starts after it.
            if w.sentence_start && self.is_common(doc, w) {
                start += 1;
                while start < end && self.sets.particles.contains(words[start].folded.as_str()) {
                    start += 1;
                }
                if start == end || !self.nameish(doc, start) {
                    i = end.max(i + 1);
                    continue;
                }
            }
            if let Some(c) = self.company(doc, start, end).or_else(|| self.classify(doc, start, end)) {
                out.push(c);
            }
            i = end;
        }
    }

    /// A title chain (`M. le général`) at word `i` and the name after it.
    fn titled(&self, doc: &Doc, i: usize) -> Option<(Candidate, usize)> {
        let words = &doc.words;
        let mut k = i;
        loop {
            let join = self.joins(doc, k);
            let next = k + 1;
            if next >= words.len() || join.is_none() && !doc.text[words[k].end..words[next].start].trim().eq(".") {
                return None;
            }
            if self.is_title(doc, next) {
                k = next;
            } else if self.sets.title_links.contains(words[next].folded.as_str())
                && words[next].shape == Shape::Lower
                && next + 1 < words.len()
                && self.is_title(doc, next + 1)
            {
                k = next + 1;
            } else {
                break;
            }
        }
        let name = k + 1;
        let gap = &doc.text[words[k].end..words.get(name)?.start];
        if gap.matches('\n').count() > 1 || gap.trim().len() > 1 {
            return None;
        }
        // Particles may open the name: `M. de Lasteyrie`, `Mme de La Fayette`.
        let mut first = name;
        while first < words.len()
            && first - name < 2
            && words[first].shape == Shape::Lower
            && self.sets.particles.contains(words[first].folded.as_str())
        {
            first += 1;
        }
        if first >= words.len()
            || !self.nameish(doc, first)
            || first == name && self.sets.function_words.contains(words[first].folded.as_str())
        {
            return None;
        }
        let end = self.run_end(doc, first);
        let start = if self.include_titles { words[i].start } else { words[name].start };
        let c = Candidate::sure((start, words[end - 1].end), words[name].start, "PER", 0.9, P_TITLE, "title");
        Some((c, end))
    }

    fn street(&self, doc: &Doc, i: usize) -> Option<Candidate> {
        let words = &doc.words;
        let text = doc.text;
        let mut k = i + 1;
        // `de`, `du`, `des`, `d'`, then `la`, `l'`: `rue de la Paix` (but not `en place le
        // Maroc`).
        if k < words.len()
            && matches!(words[k].folded.as_str(), "de" | "du" | "des" | "d" | "of")
            && words[k].shape == Shape::Lower
        {
            k += 1;
            if k < words.len() && matches!(words[k].folded.as_str(), "la" | "l") && words[k].shape == Shape::Lower {
                k += 1;
            }
        }
        if k >= words.len() || !self.nameish(doc, k) || text[words[k - 1].end..words[k].start].trim().len() > 2 {
            return None;
        }
        let end = self.run_end(doc, k);
        // A house number before or after, with at most a comma between: `14, rue Favart`,
        // `rue Ordener, 80`.
        let house_number = |num: &Word, gap: &str| {
            num.shape == Shape::Digit && num.end - num.start <= 4 && matches!(gap.trim(), "," | "") && gap.len() <= 3
        };
        let mut stop = words[end - 1].end;
        if let Some(num) = words.get(end).filter(|num| house_number(num, &text[stop..num.start])) {
            stop = num.end;
        }
        let mut start = words[i].start;
        if let Some(num) = i.checked_sub(1).map(|p| &words[p]).filter(|num| house_number(num, &text[num.end..start])) {
            start = num.start;
        }
        Some(Candidate::sure((start, stop), words[k].start, "LOC", 0.8, P_STREET, "street"))
    }

    /// An organisation opened by the cue word `i`: the cue, the words of its run, and
    /// complements `de ...` (lowercase ones only after a strong cue).
    fn org_from_cue(&self, doc: &Doc, i: usize, strong: bool, lowercase_cue: bool) -> Option<Candidate> {
        let words = &doc.words;
        let n = words.len();
        let mut end = if lowercase_cue { i + 1 } else { self.run_end(doc, i) };
        let mut extended = end > i + 1;
        // Complements: up to two `de (la) X`, X capitalised, or lowercase after a strong cue.
        for _ in 0..2 {
            let mut k = end;
            if k >= n || self.joins(doc, k - 1).is_none() {
                break;
            }
            // An adjective before the complement: `Centre laïque des Auberges`.
            if k + 1 < n
                && words[k].shape == Shape::Lower
                && !self.sets.particles.contains(words[k].folded.as_str())
                && self.sets.particles.contains(words[k + 1].folded.as_str())
                && !lowercase_cue
            {
                k += 1;
            }
            let p = k;
            while k < n
                && k - p < 3
                && words[k].shape == Shape::Lower
                && self.sets.particles.contains(words[k].folded.as_str())
            {
                if self.joins(doc, k).is_none() {
                    break;
                }
                k += 1;
            }
            if k == p || k >= n {
                break;
            }
            let person = &doc.text[words[k].start..words[k].end];
            if self.first_names.contains(person) {
                // `l'administration de Donald Trump`: a person, not the organisation's name.
                break;
            }
            if self.nameish(doc, k) {
                end = self.run_end(doc, k);
            } else if strong
                && words[k].shape == Shape::Lower
                && !self.sets.function_words.contains(words[k].folded.as_str())
            {
                end = k + 1;
            } else {
                break;
            }
            extended = true;
        }
        if lowercase_cue && !extended {
            // A lowercase cue needs a capitalised name right after it: `société Aenesmann`.
            if i + 1 < n && self.nameish(doc, i + 1) && self.joins(doc, i) == Some(Join::Space) {
                end = self.run_end(doc, i + 1);
            } else {
                return None;
            }
        }
        if lowercase_cue && !(strong || (i + 1 < n && self.nameish(doc, i + 1))) {
            return None;
        }
        Some(Candidate::sure((words[i].start, words[end - 1].end), words[i].start, "ORG", 0.8, P_ORG_CUE, "org_cue"))
    }

    /// The next name of an enumeration after a plural title: `, Dupont` or `et Dupont` at
    /// word `i`.
    fn coordinated(&self, doc: &Doc, i: usize) -> Option<Candidate> {
        let words = &doc.words;
        let prev = words.get(i.checked_sub(1)?)?;
        let w = words.get(i)?;
        let (name, gap) = if w.shape == Shape::Lower && matches!(w.folded.as_str(), "et" | "and") {
            (i + 1, doc.text[prev.end..w.start].trim().to_string())
        } else {
            (i, doc.text[prev.end..w.start].trim().to_string())
        };
        let first = words.get(name)?;
        if !(gap.is_empty() && name == i + 1 || gap == "," && name == i)
            || !self.nameish(doc, name)
            || first.sentence_start
        {
            return None;
        }
        let end = self.run_end(doc, name);
        Some(Candidate::sure((first.start, words[end - 1].end), first.start, "PER", 0.8, P_TITLE, "title"))
    }

    /// `Schneider et Cie`, `Smith & Co`, `Dupont et Fils`: the run and its company suffix.
    fn company(&self, doc: &Doc, start: usize, end: usize) -> Option<Candidate> {
        let words = &doc.words;
        let (link, suffix) = (words.get(end)?, words.get(end + 1)?);
        let gap = doc.text[words[end - 1].end..link.start].trim();
        let joined = gap.is_empty() && matches!(link.folded.as_str(), "et" | "and") && link.shape == Shape::Lower
            || gap == "&" && self.joins(doc, end).is_some();
        let (last, stop) = if gap == "&" { (link, link.end) } else { (suffix, suffix.end) };
        if !joined
            || !matches!(last.folded.as_str(), "cie" | "co" | "compagnie" | "fils" | "freres" | "sons" | "brothers")
        {
            return None;
        }
        Some(Candidate::sure((words[start].start, stop), words[start].start, "ORG", 0.8, P_ORG_CUE, "org_suffix"))
    }

    /// Classify the name run `words[start..end]`.
    fn classify(&self, doc: &Doc, start: usize, end: usize) -> Option<Candidate> {
        let words = &doc.words;
        let text = doc.text;
        let first = &words[start];
        let last = &words[end - 1];
        let len = end - start;
        let cand = |label: &str, score: f32, priority: u8, rule: &str, kind: Strength| Candidate {
            start: first.start,
            end: last.end,
            name_start: first.start,
            label: label.into(),
            score,
            priority,
            rule: rule.into(),
            id: None,
            kind,
        };
        if let Some(&strong) = self.sets.org_cues.get(first.folded.as_str()) {
            return self.org_from_cue(doc, start, strong, false);
        }
        if self.org_cues.contains(&first.folded) {
            return self.org_from_cue(doc, start, true, false);
        }
        if len >= 2 && self.sets.org_suffixes.contains(last.folded.as_str()) {
            return Some(cand("ORG", 0.7, P_ORG_CUE, "org_suffix", Strength::Sure));
        }
        let hyphenated = len >= 2 && self.joins(doc, start) == Some(Join::Hyphen);
        if hyphenated && self.sets.saint.contains(first.folded.as_str()) {
            return Some(cand("LOC", 0.7, P_LOC_CUE, "loc_cue", Strength::Sure));
        }
        if len >= 2 && self.sets.loc_cues.contains(first.folded.as_str()) {
            return Some(cand("LOC", 0.7, P_LOC_CUE, "loc_cue", Strength::Sure));
        }
        let all_caps = words[start..end].iter().all(|w| w.shape == Shape::Upper);
        if first.shape == Shape::Title && self.first_names.contains(&text[first.start..first.end]) {
            let score = if len >= 2 { 0.8 } else { 0.6 };
            return Some(cand("PER", score, P_FIRST_NAME, "first_name", Strength::Sure));
        }
        if len == 1 && first.shape == Shape::Upper {
            // An acronym inside running text (`selon l'AFP,`, `la CGT`): ASCII capitals after
            // a lowercase word. A word in capitals at a line's start is a heading or a
            // listing (`ODÉON`, `VENDRE`).
            let raw = &text[first.start..first.end];
            let after_lowercase = start > 0 && words[start - 1].shape == Shape::Lower && !first.sentence_start;
            if (2..=6).contains(&raw.len())
                && raw.bytes().all(|b| b.is_ascii_uppercase())
                && after_lowercase
                && !Self::is_roman(first, text)
                && !self.sets.function_words.contains(first.folded.as_str())
            {
                return Some(cand("ORG", 0.6, P_ACRONYM, "acronym", Strength::Sure));
            }
            return None;
        }
        if !self.guess && !self.consistency {
            return None;
        }
        if all_caps && len > 1 || len > MAX_RUN {
            return None;
        }
        if first.sentence_start && len == 1 {
            return Some(cand("PER", 0.3, P_GUESS, "guess_word", Strength::NeedsSupport));
        }
        // `Visite de Nasser Bourita` opening a headline: a common noun and its complement.
        if first.sentence_start && len >= 3 && self.sets.particles.contains(words[start + 1].folded.as_str()) {
            let mut k = start + 1;
            while k < end && self.sets.particles.contains(words[k].folded.as_str()) {
                k += 1;
            }
            return if k < end { self.classify(doc, k, end) } else { None };
        }
        // `Seine-et-Oise`, `Boulogne-sur-Mer`: compounds with `-et-`, `-sur-` are places.
        let compound_place = (start + 1..end).any(|k| {
            words[k].shape == Shape::Lower
                && self.sets.hyphen_particles.contains(words[k].folded.as_str())
                && self.joins(doc, k - 1) == Some(Join::Hyphen)
        });
        if compound_place {
            return Some(cand("LOC", 0.5, P_GUESS, "guess", Strength::Guess));
        }
        if len >= 2 {
            // `La Mandragore`, `Les Criminels`: titles of works, not people.
            if self.sets.function_words.contains(first.folded.as_str()) {
                return None;
            }
            // A common noun first (`Salle Pleyel`, `Palais de Justice`, `Bourse du Travail`):
            // a venue or an institution, as often one as the other.
            if self.is_lowercase_word(doc, first) {
                return None;
            }
            return Some(cand("PER", 0.4, P_GUESS, "guess", Strength::Guess));
        }
        let after_place_preposition = start > 0 && {
            let prev = &words[start - 1];
            prev.shape == Shape::Lower
                && self.sets.place_prepositions.contains(prev.folded.as_str())
                && text[prev.end..first.start].trim().is_empty()
        };
        if after_place_preposition {
            return Some(cand("LOC", 0.4, P_GUESS, "guess", Strength::Guess));
        }
        // One capitalised word mid-sentence: a person as often as an institution, a title,
        // a noun capitalised by old usage. Kept only when the name is found elsewhere.
        Some(cand("PER", 0.3, P_GUESS, "guess_word", Strength::NeedsSupport))
    }

    /// Steps 2 to 4 of the module's description.
    fn resolve(&self, doc: &Doc, candidates: Vec<Candidate>) -> Vec<Candidate> {
        let (sure, mut weak): (Vec<_>, Vec<_>) = candidates.into_iter().partition(|c| c.kind == Strength::Sure);
        let mut taken = Taken::default();
        for c in by_rank(sure) {
            taken.insert(c);
        }
        if self.consistency {
            let names = self.known_names(doc, &taken);
            for c in &mut weak {
                let name = crate::fold::fold_word(&doc.text[c.name_start..c.end]);
                if let Some(&(label, score)) = names.get(name.as_str()) {
                    c.label = label.to_string();
                    c.score = score;
                    c.rule = "consistency".into();
                    c.kind = Strength::Sure;
                }
            }
        }
        weak.retain(|c| c.kind == Strength::Sure || self.guess && c.kind == Strength::Guess);
        for c in by_rank(weak) {
            taken.insert(c);
        }
        taken.spans.into_values().collect()
    }

    /// Folded names → (label, score) from the sure spans: each span's name part, and the
    /// surname of a person's full name. A name found with two labels is left out.
    fn known_names<'t>(&self, doc: &Doc, taken: &'t Taken) -> HashMap<String, (&'t str, f32)> {
        let mut names: HashMap<String, Option<(&str, f32)>> = HashMap::default();
        let mut add = |name: String, label: &'t str, score: f32| {
            let e = names.entry(name).or_insert(Some((label, score)));
            if e.is_some_and(|(l, _)| l != label) {
                *e = None;
            }
        };
        for c in taken.spans.values() {
            let name = crate::fold::fold_word(&doc.text[c.name_start..c.end]);
            add(name, &c.label, 0.7);
            if c.label == "PER" {
                let first = doc.words.partition_point(|w| w.start < c.name_start);
                let last = doc.words.partition_point(|w| w.end <= c.end);
                if last > first + 1 {
                    let w = &doc.words[last - 1];
                    let surname = &doc.text[w.start..w.end];
                    if w.shape == Shape::Title && surname.chars().count() >= 3 && !self.first_names.contains(surname) {
                        add(w.folded.clone(), &c.label, 0.7);
                    }
                }
            }
        }
        names.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    Space,
    Hyphen,
    Apostrophe,
    Initial,
}

fn by_rank(mut cs: Vec<Candidate>) -> Vec<Candidate> {
    cs.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(b.priority.cmp(&a.priority))
            .then(a.start.cmp(&b.start))
            .then(a.label.cmp(&b.label))
    });
    cs
}

/// Spans taken, keyed by start; none overlap.
#[derive(Default)]
struct Taken {
    spans: BTreeMap<usize, Candidate>,
}

impl Taken {
    fn insert(&mut self, c: Candidate) {
        if let Some((_, before)) = self.spans.range(..c.end).next_back() {
            if before.end > c.start {
                return;
            }
        }
        self.spans.insert(c.start, c);
    }
}

fn into_entity(c: Candidate, layer: &str) -> Entity {
    Entity {
        start: c.start,
        end: c.end,
        layer: layer.to_string(),
        label: c.label,
        score: c.score,
        rule: c.rule,
        id: c.id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PATTERNS: &[&str] = &[
        r"\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)+",
        r"\b\w+é",
        r"\b[[:punct:]]+",
        r"(?i)\bde\s+la",
        r"\bx|y",
        r"\b",
    ];

    /// Non-empty matches of the regex crate, as the reference.
    fn reference(pattern: &str, text: &str) -> Vec<(usize, usize)> {
        Regex::new(pattern)
            .unwrap()
            .find_iter(text)
            .filter(|m| m.start() < m.end())
            .map(|m| (m.start(), m.end()))
            .collect()
    }

    #[test]
    fn the_leading_boundary_is_taken_out_only_where_it_opens_the_whole_pattern() {
        assert!(Pattern::new(PATTERNS[0]).unwrap().leading_boundary);
        assert!(!Pattern::new(r"\bx|y").unwrap().leading_boundary);
        assert!(!Pattern::new(r"(?-u:\b)x").unwrap().leading_boundary);
        let p = Pattern::new(PATTERNS[0]).unwrap();
        let text = "MJean Moulin à Émile Zola-Durand, aÉmile Zola";
        let got: Vec<&str> = p.find_iter(text).map(|(a, b)| &text[a..b]).collect();
        assert_eq!(got, ["Émile Zola-Durand"]);
        assert_eq!(p.find_iter(text).collect::<Vec<_>>(), reference(PATTERNS[0], text));
    }

    proptest! {
        #[test]
        fn matches_are_the_regex_crates(i in 0..PATTERNS.len(), text in "[a-zA-Zéà ÉÀ,.'-]{0,60}|\\PC{0,40}") {
            let p = Pattern::new(PATTERNS[i]).unwrap();
            prop_assert_eq!(p.find_iter(&text).collect::<Vec<_>>(), reference(PATTERNS[i], &text));
        }
    }
}
