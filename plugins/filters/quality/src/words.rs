//! Words and sentences as datatrove finds them: spaCy's `blank(lang)` tokenizer, rebuilt.
//!
//! datatrove's `split_into_words` runs spaCy's rule-based tokenizer and keeps the tokens that
//! are not white space; C4's sentence count runs spaCy's `sentencizer` on those tokens. The
//! rules are spaCy's own (prefix, suffix and infix patterns, the URL match and the special
//! cases, in `data/spacy-<lang>.json`, written by `tools/gen_spacy_tables.py` from spaCy
//! 3.8.18); the algorithm is `Tokenizer._tokenize_affixes`, `_split_affixes` and
//! `_attach_tokens` of spaCy's `tokenizer.pyx`, step for step. What is not reproduced is listed
//! in docs/quality.md.
//!
//! Speed comes from two shortcuts that give the same tokens: a chunk made of letters only
//! that is not a special case is one token (no pattern of the supported languages splits
//! letters from letters), and the split of every other chunk is remembered (as spaCy
//! itself caches it), up to a bounded number of chunks.

use crate::pystr;
use fancy_regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use std::ops::Range;
use std::sync::OnceLock;

/// The languages whose tokenizer rules are built in.
pub const LANGUAGES: &[&str] = &["en", "fr", "es", "de", "it", "pt", "nl"];

#[derive(Deserialize)]
struct Table {
    prefix: String,
    prefix_superset: String,
    suffix: String,
    suffix_superset: String,
    infix: String,
    infix_superset: String,
    url: Option<String>,
    url_superset: Option<String>,
    token_match: Option<String>,
    token_match_superset: Option<String>,
    specials: FxHashMap<String, Vec<String>>,
    matcher: FxHashMap<String, Vec<String>>,
    sentence_punct: Vec<String>,
}

/// One of spaCy's patterns. spaCy's have look-arounds, which only fancy-regex's backtracking
/// runs, slowly; `quick` is the same pattern with them taken out, which matches every span the
/// pattern matches (and more) and runs on the regex crate's automata. It goes first: where it
/// finds nothing, neither would the pattern, and the pattern's leftmost match cannot start
/// before `quick`'s.
struct Pattern {
    exact: Option<Regex>,
    quick: regex::Regex,
}

impl Pattern {
    fn new(exact: &str, quick: &str) -> Pattern {
        // French's token match compiles to about 60 MB of automaton (the default limit is 10 MB).
        let quick_re = regex::RegexBuilder::new(quick)
            .size_limit(256 << 20)
            .build()
            .unwrap_or_else(|e| panic!("tokenizer pattern: {e}"));
        let exact = (exact != quick).then(|| Regex::new(exact).unwrap_or_else(|e| panic!("tokenizer pattern: {e}")));
        Pattern { exact, quick: quick_re }
    }

    /// The leftmost match, as Python's `re.search` finds it.
    fn find(&self, s: &str) -> Option<Range<usize>> {
        let first = self.quick.find(s)?;
        match &self.exact {
            None => Some(first.range()),
            Some(exact) => exact.find_from_pos(s, first.start()).ok().flatten().map(|m| m.range()),
        }
    }

    fn is_match(&self, s: &str) -> bool {
        self.find(s).is_some()
    }

    /// Every match, as Python's `re.finditer` finds them.
    fn find_all(&self, s: &str) -> Vec<Range<usize>> {
        if !self.quick.is_match(s) {
            return Vec::new();
        }
        match &self.exact {
            None => self.quick.find_iter(s).map(|m| m.range()).collect(),
            Some(exact) => exact.find_iter(s).flatten().map(|m| m.range()).collect(),
        }
    }
}

/// A tokenizer for one language, shared by every stage instance.
pub struct Tokenizer {
    prefix: Pattern,
    suffix: Pattern,
    infix: Pattern,
    url: Option<Pattern>,
    token_match: Option<Pattern>,
    /// Special case → the lengths (bytes) of its pieces.
    specials: FxHashMap<String, Vec<usize>>,
    /// spaCy's phrase matcher over special cases: first token → (the tokens the special case
    /// splits into without special cases, the special case).
    matcher: FxHashMap<String, Vec<(Vec<String>, String)>>,
    sentence_punct: FxHashSet<String>,
}

/// The tokenizer for `lang` (one of [`LANGUAGES`]), built on first use.
pub fn tokenizer(lang: &str) -> Option<&'static Tokenizer> {
    macro_rules! lang {
        ($code:literal) => {{
            static T: OnceLock<Tokenizer> = OnceLock::new();
            Some(T.get_or_init(|| Tokenizer::from_json(include_str!(concat!("../data/spacy-", $code, ".json")))))
        }};
    }
    match lang {
        "en" => lang!("en"),
        "fr" => lang!("fr"),
        "es" => lang!("es"),
        "de" => lang!("de"),
        "it" => lang!("it"),
        "pt" => lang!("pt"),
        "nl" => lang!("nl"),
        _ => None,
    }
}

impl Tokenizer {
    fn from_json(json: &str) -> Tokenizer {
        // The tables are part of the library (include_str!), so a bad one is a build defect
        // that every test catches, not an input error.
        let table: Table = serde_json::from_str(json).expect("tokenizer table");
        let optional = |p: &Option<String>, q: &Option<String>| match (p, q) {
            (Some(p), Some(q)) => Some(Pattern::new(p, q)),
            _ => None,
        };
        let specials: FxHashMap<String, Vec<usize>> = table
            .specials
            .into_iter()
            .filter(|(key, pieces)| pieces.concat() == *key)
            .map(|(key, pieces)| (key, pieces.iter().map(String::len).collect()))
            .collect();
        let mut matcher: FxHashMap<String, Vec<(Vec<String>, String)>> = FxHashMap::default();
        for (special, tokens) in table.matcher {
            if specials.contains_key(&special) && tokens.concat() == special {
                matcher.entry(tokens[0].clone()).or_default().push((tokens, special));
            }
        }
        Tokenizer {
            prefix: Pattern::new(&table.prefix, &table.prefix_superset),
            suffix: Pattern::new(&table.suffix, &table.suffix_superset),
            infix: Pattern::new(&table.infix, &table.infix_superset),
            url: optional(&table.url, &table.url_superset),
            token_match: optional(&table.token_match, &table.token_match_superset),
            specials,
            matcher,
            sentence_punct: table.sentence_punct.into_iter().collect(),
        }
    }

    fn is_special(&self, s: &str) -> bool {
        self.specials.contains_key(s)
    }

    fn matches(re: &Option<Pattern>, s: &str) -> bool {
        re.as_ref().is_some_and(|re| re.is_match(s))
    }

    fn find_prefix(&self, s: &str) -> usize {
        self.prefix.find(s).map_or(0, |m| m.len())
    }

    fn find_suffix(&self, s: &str) -> usize {
        self.suffix.find(s).map_or(0, |m| m.len())
    }

    /// Push the pieces of special case `s` (which starts at `at`).
    fn push_special(&self, s: &str, at: usize, out: &mut Vec<Range<usize>>) -> bool {
        match self.specials.get(s) {
            Some(pieces) => {
                let mut start = at;
                for len in pieces {
                    out.push(start..start + len);
                    start += len;
                }
                true
            }
            None => false,
        }
    }

    /// Split one chunk without white space (`chunk`, at byte `at` of the text) into tokens.
    fn split_chunk(&self, chunk: &str, at: usize, out: &mut Vec<Range<usize>>) {
        if self.push_special(chunk, at, out) {
            return;
        }
        // Tokenizer._split_affixes: peel prefixes and suffixes until nothing changes or a
        // special case is reached.
        let (mut lo, mut hi) = (0, chunk.len());
        let mut prefixes: Vec<Range<usize>> = Vec::new();
        let mut suffixes: Vec<Range<usize>> = Vec::new();
        let mut last_size = usize::MAX;
        while lo < hi && hi - lo != last_size {
            let s = &chunk[lo..hi];
            if Self::matches(&self.token_match, s) || self.is_special(s) {
                break;
            }
            last_size = hi - lo;
            let pre_len = self.find_prefix(s);
            if pre_len != 0 {
                let minus_pre = &s[pre_len..];
                if !minus_pre.is_empty() && self.is_special(minus_pre) {
                    prefixes.push(lo..lo + pre_len);
                    lo += pre_len;
                    break;
                }
            }
            let suf_len = self.find_suffix(&s[pre_len..]);
            if suf_len != 0 {
                let minus_suf = &s[..s.len() - suf_len];
                if !minus_suf.is_empty() && self.is_special(minus_suf) {
                    suffixes.push(hi - suf_len..hi);
                    hi -= suf_len;
                    break;
                }
            }
            if pre_len != 0 && suf_len != 0 && pre_len + suf_len <= s.len() {
                prefixes.push(lo..lo + pre_len);
                suffixes.push(hi - suf_len..hi);
                lo += pre_len;
                hi -= suf_len;
            } else if pre_len != 0 {
                prefixes.push(lo..lo + pre_len);
                lo += pre_len;
            } else if suf_len != 0 {
                suffixes.push(hi - suf_len..hi);
                hi -= suf_len;
            }
            if self.is_special(&chunk[lo..hi]) {
                break;
            }
        }
        // Tokenizer._attach_tokens.
        out.extend(prefixes.iter().map(|r| at + r.start..at + r.end));
        if lo < hi {
            let s = &chunk[lo..hi];
            let base = at + lo;
            if self.push_special(s, base, out) {
            } else if Self::matches(&self.token_match, s) || Self::matches(&self.url, s) {
                out.push(base..base + s.len());
            } else {
                let mut start = 0;
                for m in self.infix.find_all(s) {
                    let (infix_start, infix_end) = (m.start, m.end);
                    if infix_start == 0 {
                        continue;
                    }
                    if infix_start != start {
                        out.push(base + start..base + infix_start);
                    }
                    if infix_start != infix_end {
                        out.push(base + infix_start..base + infix_end);
                    }
                    start = infix_end;
                }
                if start < s.len() {
                    out.push(base + start..base + s.len());
                }
            }
        }
        out.extend(suffixes.iter().rev().map(|r| at + r.start..at + r.end));
    }

    /// spaCy's `_apply_special_cases`: special cases that splitting broke apart (`Neb.` in
    /// `R-Neb.,`) are found as runs of tokens and put back, the longest first, then the
    /// leftmost, none overlapping another. `tokens` are the ranges of one chunk of `text`.
    fn apply_special_cases(&self, text: &str, tokens: &mut Vec<Range<usize>>) {
        if tokens.len() < 2 || self.matcher.is_empty() {
            return;
        }
        let mut found: Vec<(usize, usize, &str)> = Vec::new();
        for i in 0..tokens.len() {
            let Some(candidates) = self.matcher.get(&text[tokens[i].clone()]) else {
                continue;
            };
            for (pattern, special) in candidates {
                let end = i + pattern.len();
                if end <= tokens.len() && pattern.iter().zip(&tokens[i..end]).all(|(p, r)| *p == text[r.clone()]) {
                    found.push((i, end, special));
                }
            }
        }
        if found.is_empty() {
            return;
        }
        found.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
        let mut taken = vec![false; tokens.len()];
        let mut chosen = Vec::new();
        for (start, end, special) in found {
            if !taken[start] && !taken[end - 1] {
                taken[start..end].iter_mut().for_each(|t| *t = true);
                chosen.push((start, end, special));
            }
        }
        chosen.sort_by_key(|c| c.0);
        let mut rebuilt = Vec::with_capacity(tokens.len());
        let mut next = 0;
        for (start, end, special) in chosen {
            rebuilt.extend_from_slice(&tokens[next..start]);
            self.push_special(special, tokens[start].start, &mut rebuilt);
            next = end;
        }
        rebuilt.extend_from_slice(&tokens[next..]);
        *tokens = rebuilt;
    }

    /// Every token of `text`, white-space tokens included, as byte ranges, in order.
    pub fn tokens(&self, text: &str, cache: &mut Cache) -> Vec<Range<usize>> {
        let mut out = Vec::with_capacity(text.len() / 5);
        let mut emit = |start: usize, end: usize, out: &mut Vec<Range<usize>>| {
            let chunk = &text[start..end];
            if chunk.chars().all(pystr::is_alpha) && !self.is_special(chunk) {
                out.push(start..end);
            } else if let Some(lens) = cache.map.get(chunk) {
                let mut at = start;
                for &len in lens {
                    out.push(at..at + len as usize);
                    at += len as usize;
                }
            } else {
                let mut pieces = Vec::new();
                self.split_chunk(chunk, start, &mut pieces);
                self.apply_special_cases(text, &mut pieces);
                cache.insert(chunk, pieces.iter().map(|r| (r.end - r.start) as u32).collect());
                out.extend(pieces);
            }
        };
        // Tokenizer._tokenize_affixes: chunks alternate between white space and the rest; the
        // first space after a word belongs to it, the rest of a white-space run is a token.
        let mut start = 0;
        let mut in_ws = text.chars().next().is_some_and(pystr::is_space);
        for (i, c) in text.char_indices() {
            if pystr::is_space(c) != in_ws {
                if start < i {
                    emit(start, i, &mut out);
                }
                start = if c == ' ' { i + 1 } else { i };
                in_ws = !in_ws;
            }
        }
        if start < text.len() {
            emit(start, text.len(), &mut out);
        }
        out
    }

    /// datatrove's `split_into_words`: the tokens that are not white space.
    pub fn words<'t>(&self, text: &'t str, cache: &mut Cache) -> Vec<&'t str> {
        self.tokens(text, cache).into_iter().map(|r| &text[r]).filter(|t| !t.chars().all(pystr::is_space)).collect()
    }

    /// datatrove's `split_into_sentences(text)`: `text` cut where spaCy's `sentencizer`
    /// ends a sentence (after the last token of each sentence but the last). Always at least
    /// one part; the parts together are `text`.
    pub fn sentences<'t>(&self, text: &'t str, cache: &mut Cache) -> Vec<&'t str> {
        let tokens = self.tokens(text, cache);
        let mut parts = Vec::new();
        let (mut from, mut seen_period) = (0, false);
        for (i, r) in tokens.iter().enumerate() {
            let t = &text[r.clone()];
            let in_punct = self.sentence_punct.contains(t);
            if seen_period && !in_punct && !t.chars().all(pystr::is_punct) {
                // `seen_period` is only set by an earlier token, so i > 0.
                let cut = tokens[i - 1].end;
                parts.push(&text[from..cut]);
                from = cut;
                seen_period = false;
            } else if in_punct {
                seen_period = true;
            }
        }
        parts.push(&text[from..]);
        parts
    }
}

/// Chunks already split (spaCy keeps the same cache). Bounded: cleared when full.
pub struct Cache {
    map: FxHashMap<String, Vec<u32>>,
    bytes: usize,
}

impl Cache {
    const MAX_BYTES: usize = 8 << 20;

    /// An empty cache.
    pub fn new() -> Cache {
        Cache { map: FxHashMap::default(), bytes: 0 }
    }

    fn insert(&mut self, chunk: &str, lens: Vec<u32>) {
        if chunk.len() > 256 {
            return;
        }
        self.bytes += chunk.len() + 4 * lens.len() + 64;
        if self.bytes > Self::MAX_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.map.insert(chunk.to_string(), lens);
    }
}

impl Default for Cache {
    fn default() -> Self {
        Cache::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(lang: &str, text: &str) -> Vec<String> {
        tokenizer(lang).unwrap().words(text, &mut Cache::new()).into_iter().map(String::from).collect()
    }

    #[test]
    fn every_table_compiles() {
        for lang in LANGUAGES {
            assert!(tokenizer(lang).is_some(), "{lang}");
        }
    }

    // Expected tokens are what spaCy 3.8.18's blank("en") gives (checked by hand in Python).
    #[test]
    fn english_like_spacy() {
        assert_eq!(words("en", "Hello, world! Don't stop."), ["Hello", ",", "world", "!", "Do", "n't", "stop", "."]);
        assert_eq!(
            words("en", "(e.g. 10km) U.S. well-known"),
            ["(", "e.g.", "10", "km", ")", "U.S.", "well", "-", "known"]
        );
        assert_eq!(
            words("en", "cannot  go...\n\nhttps://example.com/a?b=1"),
            ["can", "not", "go", "...", "https://example.com/a?b=1"]
        );
    }

    #[test]
    fn sentences_like_the_sentencizer() {
        let t = tokenizer("en").unwrap();
        let mut c = Cache::new();
        assert_eq!(t.sentences("One. Two! Three?", &mut c), ["One.", " Two!", " Three?"]);
        assert_eq!(t.sentences("Wait... what.", &mut c), ["Wait... what."]);
        assert_eq!(t.sentences("No end", &mut c), ["No end"]);
        assert_eq!(t.sentences("", &mut c), [""]);
    }
}
