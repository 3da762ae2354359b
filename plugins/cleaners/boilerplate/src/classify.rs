//! Line classification in the manner of jusText, for text without markup.
//!
//! Each line gets a class from its own features (length, stop-word density, links, whether it
//! addresses the reader), unless a sure sign marks it boilerplate first (a pattern, a ticker,
//! a line repeated across the source's documents). Then context decides the uncertain ones:
//! short lines and near-good lines take the class of their neighbours, a few short lines
//! just before article text are its heading and dateline, and blocks of text cut off from the
//! main block by sure boilerplate and much smaller than it are dropped.

use rustc_hash::{FxHashMap, FxHashSet};

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Article text.
    Good,
    /// Probably article text; context decides.
    NearGood,
    /// Too short to judge on its own; context decides.
    Short,
    /// Boilerplate.
    Bad,
}

/// Why a line was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// A configured or built-in pattern matched.
    Pattern,
    /// A configured phrase occurs in it.
    Phrase,
    /// Many short headline-like segments separated by wide gaps.
    Ticker,
    /// The same line is in many documents of the source.
    Repeated,
    /// Mostly links, addresses or domain names.
    Links,
    /// It speaks to the reader (you, your, vous, votre...): calls to action, appeals.
    Address,
    /// Few stop words: not running text (menus, lists of names, tags).
    Features,
    /// A short or uncertain line among boilerplate.
    Context,
    /// A small block of text cut off from the main text by sure boilerplate.
    Satellite,
}

impl Reason {
    /// The label used in spans and counts.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Pattern => "pattern",
            Reason::Phrase => "phrase",
            Reason::Ticker => "ticker",
            Reason::Repeated => "repeated",
            Reason::Links => "links",
            Reason::Address => "address",
            Reason::Features => "features",
            Reason::Context => "context",
            Reason::Satellite => "satellite",
        }
    }

    /// Sure signs: not overturned by context, and they separate blocks.
    fn is_sure(self) -> bool {
        matches!(self, Reason::Pattern | Reason::Phrase | Reason::Ticker | Reason::Repeated)
    }
}

/// The thresholds of the line features (jusText's defaults, except where said).
#[derive(Debug, Clone)]
pub struct Thresholds {
    /// Lines shorter than this (characters) are `Short`.
    pub length_low: usize,
    /// Lines longer than this with enough stop words are `Good`; shorter ones `NearGood`.
    pub length_high: usize,
    /// Stop-word density under which a line is `Bad`.
    pub stopwords_low: f32,
    /// Stop-word density from which a line is `Good` or `NearGood`.
    pub stopwords_high: f32,
    /// Share of characters in links, e-mail addresses and domain names above which a line is
    /// `Bad`.
    pub max_link_density: f32,
    /// At most this many short lines before article text are kept as its heading (datelines,
    /// bylines and near-good lines do not count).
    pub max_heading_lines: usize,
    /// Segments separated by wide gaps from which a line is a ticker.
    pub ticker_min_segments: usize,
    /// Near-good lines between bad ones are kept when their run (near-good and short lines)
    /// holds at least this many near-good lines.
    pub near_good_run: usize,
    /// Boilerplate's weight against article text when the main block is chosen (0 turns it
    /// off).
    pub main_block_penalty: f32,
    /// A block of text separated from the main block by sure boilerplate is dropped when its
    /// good text is less than this share of the main block's.
    pub satellite_ratio: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            length_low: 70,
            length_high: 200,
            stopwords_low: 0.30,
            stopwords_high: 0.32,
            max_link_density: 0.2,
            max_heading_lines: 1,
            ticker_min_segments: 4,
            near_good_run: 3,
            main_block_penalty: 0.5,
            satellite_ratio: 0.25,
        }
    }
}

/// One line of a document, as classified.
#[derive(Debug, Clone)]
pub struct Line {
    /// Byte range of the line's content (without its line end) in the text.
    pub start: usize,
    /// End of the content.
    pub end: usize,
    /// Blank lines separate; they are kept or removed with their neighbours.
    pub blank: bool,
    /// The class after context.
    pub class: Class,
    /// Why it is boilerplate, when it is.
    pub reason: Option<Reason>,
    /// A dateline or byline ("Publié le 12 juin 2020", "Par Jean Dupont avec AFP").
    pub dateline: bool,
    /// Characters.
    pub chars: usize,
}

/// The stop words a document's lines are judged with: one language's list (of the 98
/// shipped, [`crate::stoplists`]), or none (a text in a language without a list, or without
/// spaces between words: lines are then judged by length and links alone, jusText's
/// language-independent mode). The word lists the other features use (dates, words that
/// address the reader) count whatever the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopWords {
    /// The lists whose words count, a bit a list by its index in [`crate::stoplists::LISTS`]
    /// (one list, several for tickers, or none).
    mask: u128,
}

const STOP: u8 = 1;
const DATE: u8 = 2;
const YOU: u8 = 4;
const WE_FLAG: u8 = 8;

/// Every word of every list, with the lists it is in (a bit a list): what [`StopWords::detect`]
/// reads. Built once per process, when first needed.
fn all_lists() -> &'static FxHashMap<&'static str, u128> {
    static TABLE: std::sync::OnceLock<FxHashMap<&'static str, u128>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut words: FxHashMap<&'static str, u128> = FxHashMap::default();
        for (i, (_, list)) in crate::stoplists::LISTS.iter().enumerate() {
            for w in list.lines().map(str::trim).filter(|w| !w.is_empty()) {
                *words.entry(w).or_default() |= 1 << i;
            }
        }
        words
    })
}

/// One list's words: the set a line's words are looked up in (small enough to stay in the
/// cache, where the table of every list is not). Built once per process and language.
fn list(i: usize) -> &'static FxHashSet<&'static str> {
    static SETS: [std::sync::OnceLock<FxHashSet<&'static str>>; crate::stoplists::LISTS.len()] =
        [const { std::sync::OnceLock::new() }; crate::stoplists::LISTS.len()];
    SETS[i].get_or_init(|| crate::stoplists::LISTS[i].1.lines().map(str::trim).filter(|w| !w.is_empty()).collect())
}

/// The words of the features' other lists (dates, words that address the reader), with
/// their flags, whatever the language.
fn flag_words() -> &'static FxHashMap<&'static str, u8> {
    static TABLE: std::sync::OnceLock<FxHashMap<&'static str, u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut words: FxHashMap<&'static str, u8> = FxHashMap::default();
        for (list, flag) in [(DATE_WORDS, DATE), (ADDRESS, YOU), (WE, WE_FLAG)] {
            for w in list {
                *words.entry(w).or_default() |= flag;
            }
        }
        words
    })
}

/// A list is chosen for a text when at least this share of its words are in it.
const MIN_COVER: f32 = 0.15;

impl StopWords {
    /// The stop list for a language code (ISO 639-1, else 639-3), if one is shipped.
    pub fn for_language(code: &str) -> Option<StopWords> {
        let i = crate::stoplists::LISTS.iter().position(|(c, _)| *c == code)?;
        Some(StopWords { mask: 1 << i })
    }

    /// No stop list: lines are judged by length and links alone.
    pub fn none() -> StopWords {
        StopWords { mask: 0 }
    }

    /// The lists a run-on ticker's headline starts are read with, whatever the document's
    /// language (so that finding them needs no detection): French, English, Spanish and
    /// German. On the 181 gold bodies of the article benchmark, no paragraph is taken for a
    /// ticker with them.
    pub fn tickers() -> StopWords {
        static MASK: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
        let mask = MASK.get_or_init(|| {
            ["fr", "en", "es", "de"].iter().filter_map(|c| StopWords::for_language(c)).fold(0, |m, s| m | s.mask)
        });
        StopWords { mask: *mask }
    }

    /// The list that holds the most of the words of `text` (its first 1,000), when they are
    /// at least 15 % of them; else none. For documents whose language is not known.
    pub fn detect(text: &str) -> StopWords {
        let table = all_lists();
        let mut hits = [0u32; 128];
        let (mut words, mut lower) = (0usize, String::new());
        let sample = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty());
        for word in sample.take(1000) {
            words += 1;
            let word = lowercase(word, &mut lower);
            let mut lists = table.get(word).copied().unwrap_or(0);
            while lists != 0 {
                hits[lists.trailing_zeros() as usize] += 1;
                lists &= lists - 1;
            }
        }
        // The first of the best, so that the choice does not depend on hashing.
        let (best, count) = hits.iter().enumerate().fold((0, 0), |b, (i, &n)| if n > b.1 { (i, n) } else { b });
        if words > 0 && count as f32 >= MIN_COVER * words as f32 {
            StopWords { mask: 1 << best }
        } else {
            StopWords::none()
        }
    }

    /// The language of the list, when there is one list.
    pub fn language(&self) -> Option<&'static str> {
        (self.mask.count_ones() == 1).then(|| crate::stoplists::LISTS[self.mask.trailing_zeros() as usize].0)
    }

    /// Whether no list counts (jusText's language-independent mode).
    pub fn is_none(&self) -> bool {
        self.mask == 0
    }

    fn flags(&self, lowercase_word: &str) -> u8 {
        let flags = flag_words().get(lowercase_word).copied().unwrap_or(0);
        let mut lists = self.mask;
        while lists != 0 {
            if list(lists.trailing_zeros() as usize).contains(lowercase_word) {
                return flags | STOP;
            }
            lists &= lists - 1;
        }
        flags
    }
}

/// `word` in lower case: itself when it has no capital, else written into `buffer`.
fn lowercase<'a>(word: &'a str, buffer: &'a mut String) -> &'a str {
    if !word.chars().any(char::is_uppercase) {
        return word;
    }
    buffer.clear();
    buffer.extend(word.chars().flat_map(char::to_lowercase));
    buffer
}

/// Words addressing the reader: second person, and first person plural (the site speaking).
const ADDRESS: &[&str] = &[
    "vous", "votre", "vos", "you", "your", "yours", "usted", "ustedes", "vosotros", "vuestro", "vuestra", "euch",
    "euer", "eure",
];
const WE: &[&str] = &[
    "nous", "notre", "nos", "we", "our", "us", "nosotros", "nuestro", "nuestra", "nuestros", "wir", "unser", "unsere",
];

/// Month names and date words that make a short line a dateline.
const DATE_WORDS: &[&str] = &[
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "januar",
    "februar",
    "märz",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "publié",
    "published",
    "publicado",
    "veröffentlicht",
    "updated",
    "actualisé",
    "jour",
];
const BYLINE_WORDS: &[&str] = &["par", "by", "por", "von", "de"];

/// Features of one line's content.
struct Features {
    chars: usize,
    words: usize,
    /// Words that are numbers: no stop word can be one, so they do not count in the
    /// stop-word density (a sports result, a market report).
    numbers: usize,
    stop: usize,
    letters: bool,
    link_chars: usize,
    address: usize,
    we: usize,
    first_word: String,
    has_date: bool,
}

fn features(content: &str, stop: &StopWords) -> Features {
    let mut f = Features {
        chars: content.chars().count(),
        words: 0,
        numbers: 0,
        stop: 0,
        letters: false,
        link_chars: 0,
        address: 0,
        we: 0,
        first_word: String::new(),
        has_date: false,
    };
    let mut in_quote = 0i32;
    let mut lower = String::new();
    for token in content.split_whitespace() {
        if is_link(token) {
            f.link_chars += token.chars().count();
        }
        // Quotes: «...», “...”, „...“ and "..." (toggled). What is quoted is not the page
        // speaking to its reader.
        for c in token.chars() {
            match c {
                '«' | '“' | '„' => in_quote += 1,
                '»' | '”' => in_quote = (in_quote - 1).max(0),
                '"' => in_quote = if in_quote > 0 { 0 } else { 1 },
                _ => {}
            }
        }
        for word in token.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            f.words += 1;
            if word.bytes().all(|b| b.is_ascii_digit()) {
                f.has_date |= word.len() == 4 && (word.starts_with("19") || word.starts_with("20"));
                f.numbers += 1;
                continue;
            }
            f.letters |= word.chars().any(char::is_alphabetic);
            let lowercase = lowercase(word, &mut lower);
            if f.words == 1 {
                f.first_word = lowercase.to_string();
            }
            let flags = stop.flags(lowercase);
            f.stop += usize::from(flags & STOP != 0);
            f.has_date |= flags & DATE != 0;
            if in_quote == 0 {
                f.address += usize::from(flags & YOU != 0);
                f.we += usize::from(flags & (YOU | WE_FLAG) == WE_FLAG);
            }
        }
    }
    f
}

/// A URL, an e-mail address, a handle or a domain name.
fn is_link(token: &str) -> bool {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
    if t.starts_with("http") && token.contains("://") || t.starts_with("www.") || (t.contains('@') && t.contains('.')) {
        return true;
    }
    // A domain: letters, a dot, a known kind of ending (Algérie24.net, lemonde.fr).
    match t.rsplit_once('.') {
        Some((name, tld)) => {
            !name.is_empty()
                && !name.ends_with('.')
                && (2..=6).contains(&tld.len())
                && tld.chars().all(|c| c.is_ascii_lowercase())
                && name.chars().last().is_some_and(|c| c.is_alphanumeric())
                && !name.contains(' ')
                && [
                    "com", "net", "org", "fr", "info", "ma", "dz", "be", "ch", "ca", "es", "de", "uk", "io", "tv",
                    "news", "co",
                ]
                .contains(&tld)
        }
        None => false,
    }
}

/// Whether `raw` (a line as it is, gaps included) is a ticker or a menu: at least `min`
/// segments separated by gaps (runs of two or more white-space characters, or separators
/// `|`, `•`, `·` with white space), mostly short and starting with a capital, a digit or a
/// quote.
pub fn is_ticker(raw: &str, min: usize) -> bool {
    if min == 0 {
        return false;
    }
    let segments = gap_segments(raw);
    if segments.len() < min {
        return false;
    }
    let headline_like = segments
        .iter()
        .filter(|s| {
            s.chars().count() <= 160
                && s.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "«“\"'".contains(c))
        })
        .count();
    headline_like * 10 >= segments.len() * 7
}

/// Whether `collapsed` (a line whose white space is already one space, as `normalize`
/// leaves it) is a ticker whose gaps are gone: headlines run on without the punctuation that
/// ends a sentence. A headline start is a capitalised stop word ("La", "Les", "The") right
/// after a word that ends with no punctuation, followed by a word in lower case (so "Le
/// Monde", "La Croix" do not count). A line is a ticker when it has at least `2 * min` of
/// them (about two headlines in five start so) and more than it has sentence ends. On
/// prose, a line has at most a few: the 181 article bodies of the article benchmark have at
/// most five in a line, fewer than their sentence ends.
pub fn is_run_on_ticker(collapsed: &str, stop: &StopWords, min: usize) -> bool {
    // `2 * min` headlines and their starts take at least 30 bytes each.
    if min == 0 || collapsed.len() < 60 * min {
        return false;
    }
    // Most words end with a letter and start with a lower-case one: their bytes decide.
    let ends_sentence = |w: &str| match w.as_bytes().last() {
        Some(b'.' | b'!' | b'?') => true,
        Some(b) if b.is_ascii_alphanumeric() => false,
        _ => w.trim_end_matches(|c: char| "»\"”’)]".contains(c)).ends_with(|c: char| ".!?…".contains(c)),
    };
    let (mut starts, mut ends) = (0usize, 0usize);
    let mut lower = String::new();
    let mut words = collapsed.split(' ').filter(|w| !w.is_empty()).peekable();
    let mut previous: Option<&str> = None;
    while let Some(word) = words.next() {
        let prev = previous.replace(word);
        let Some(prev) = prev else { continue };
        if ends_sentence(prev) {
            ends += 1;
            continue;
        }
        if word.as_bytes()[0].is_ascii_lowercase() || prev.ends_with([',', ':', ';']) {
            continue;
        }
        let bare = word.trim_start_matches(|c: char| "«\"“'".contains(c));
        let next_lower = words.peek().is_none_or(|n| !n.starts_with(char::is_uppercase));
        if bare.starts_with(char::is_uppercase) && next_lower {
            starts += usize::from(stop.flags(lowercase(bare, &mut lower)) & STOP != 0);
        }
    }
    starts >= 2 * min && starts > ends
}

/// The parts of `line` between gaps: runs of white space and separators (`|`, `•`, `·`)
/// holding two or more white-space characters or a separator.
fn gap_segments(line: &str) -> Vec<&str> {
    let is_sep = |c: char| matches!(c, '|' | '•' | '·');
    let mut segments = Vec::new();
    let mut seg_start = 0;
    let mut run: Option<(usize, usize, bool)> = None; // (start, white-space chars, separator)
    for (i, c) in line.char_indices() {
        if c.is_whitespace() || is_sep(c) {
            let r = run.get_or_insert((i, 0, false));
            if is_sep(c) {
                r.2 = true;
            } else {
                r.1 += 1;
            }
            continue;
        }
        if let Some((start, spaces, sep)) = run.take() {
            if spaces >= 2 || (sep && spaces >= 1) {
                segments.push(&line[seg_start..start]);
                seg_start = i;
            }
        }
    }
    let end = match run {
        Some((start, _, _)) => start,
        None => line.len(),
    };
    segments.push(&line[seg_start..end]);
    segments.retain(|s| !s.trim().is_empty());
    segments
}

/// What decides a line before context.
pub struct Judge<'a> {
    /// Thresholds.
    pub thresholds: &'a Thresholds,
    /// Stop words for the document's language.
    pub stop: &'a StopWords,
    /// Use the line features and context (false: only the sure signs).
    pub features: bool,
}

impl Judge<'_> {
    /// Classify every line of `text`. `sure` gives a line's sure sign (patterns, phrases,
    /// repetition), from its content with white space collapsed.
    pub fn classify(&self, text: &str, mut sure: impl FnMut(&str, &str) -> Option<Reason>) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut offset = 0;
        let mut collapsed = String::new();
        let tickers = StopWords::tickers();
        for raw_line in text.split_inclusive('\n') {
            let raw = raw_line.trim_end_matches(['\n', '\r']);
            let lead = raw.len() - raw.trim_start().len();
            let content = raw.trim();
            let (start, end) = (offset + lead, offset + lead + content.len());
            offset += raw_line.len();
            if content.is_empty() {
                lines.push(Line {
                    start,
                    end: start,
                    blank: true,
                    class: Class::Good,
                    reason: None,
                    dateline: false,
                    chars: 0,
                });
                continue;
            }
            collapsed.clear();
            for (i, word) in content.split_whitespace().enumerate() {
                if i > 0 {
                    collapsed.push(' ');
                }
                collapsed.push_str(word);
            }
            let mut reason = sure(content, &collapsed);
            let min = self.thresholds.ticker_min_segments;
            if reason.is_none() && (is_ticker(raw, min) || is_run_on_ticker(&collapsed, &tickers, min)) {
                reason = Some(Reason::Ticker);
            }
            let chars = content.chars().count();
            let mut line = Line { start, end, blank: false, class: Class::Good, reason, dateline: false, chars };
            if reason.is_some() {
                line.class = Class::Bad;
            } else if self.features {
                self.judge(&collapsed, &mut line);
            }
            lines.push(line);
        }
        if self.features {
            self.context(&mut lines);
        }
        lines
    }

    fn judge(&self, content: &str, line: &mut Line) {
        let t = self.thresholds;
        let f = features(content, self.stop);
        line.dateline = f.chars < t.length_high
            && (f.has_date
                || (BYLINE_WORDS.contains(&f.first_word.as_str()) && f.words <= 8 && f.stop * 2 <= f.words + 1));
        let (class, reason) = if !f.letters {
            (Class::Short, None)
        } else if f.link_chars as f32 > t.max_link_density * f.chars as f32 {
            (Class::Bad, Some(Reason::Links))
        } else if f.address >= 1 && f.we >= 1 && (f.address + f.we) as f32 >= 0.03 * f.words as f32 {
            (Class::Bad, Some(Reason::Address))
        } else if f.chars < t.length_low {
            (Class::Short, None)
        } else {
            // Without a stop list, every line long enough is near-good or good (jusText's
            // language-independent mode).
            let density = if !self.stop.is_none() { f.stop as f32 / (f.words - f.numbers).max(1) as f32 } else { 1.0 };
            if density >= t.stopwords_high {
                (if f.chars > t.length_high { Class::Good } else { Class::NearGood }, None)
            } else if density >= t.stopwords_low {
                (Class::NearGood, None)
            } else {
                (Class::Bad, Some(Reason::Features))
            }
        };
        line.class = class;
        line.reason = reason;
    }

    /// jusText's context rules, a heading rule, and the satellite rule.
    fn context(&self, lines: &mut [Line]) {
        let idx: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].blank).collect();
        let mut original: Vec<Class> = idx.iter().map(|&i| lines[i].class).collect();
        // A short article may have no line long enough to be sure of: its near-good lines
        // are then the best there is, and are taken as article text.
        if !original.contains(&Class::Good) {
            for c in original.iter_mut().filter(|c| **c == Class::NearGood) {
                *c = Class::Good;
            }
        }

        // Headings and datelines: the short and near-good lines right before article text,
        // stopping at boilerplate or after `max_heading_lines` short lines (near-good lines,
        // datelines and bylines do not count).
        let mut heading = vec![false; idx.len()];
        for k in 0..idx.len() {
            if original[k] != Class::Good {
                continue;
            }
            let mut counted = 0;
            for j in (0..k).rev() {
                if !matches!(original[j], Class::Short | Class::NearGood) {
                    break;
                }
                if original[j] == Class::Short && !lines[idx[j]].dateline {
                    counted += 1;
                    if counted > self.thresholds.max_heading_lines {
                        break;
                    }
                }
                heading[j] = true;
            }
        }

        // Short lines: both neighbours good -> good; both bad -> bad; a bad neighbour with a
        // near-good line right beside it -> good; otherwise bad (jusText).
        let strict = Neighbours::of(&original, true);
        let near = Neighbours::of(&original, false);
        let mut revised = original.clone();
        for k in 0..idx.len() {
            if original[k] != Class::Short || heading[k] {
                continue;
            }
            revised[k] = match (strict.prev[k], strict.next[k]) {
                (Class::Good, Class::Good) => Class::Good,
                (Class::Bad, Class::Bad) => Class::Bad,
                (Class::Bad, _) if near.prev[k] == Class::NearGood => Class::Good,
                (_, Class::Bad) if near.next[k] == Class::NearGood => Class::Good,
                _ => Class::Bad,
            };
        }
        // Near-good lines: bad only between two bad neighbours, unless they are a run of
        // several (short lines between them allowed): an article of short paragraphs, where
        // chrome has a near-good line here and there.
        let after_short = Neighbours::of(&revised, true);
        let runs = near_good_runs(&original);
        for k in 0..idx.len() {
            if revised[k] != Class::NearGood || heading[k] {
                continue;
            }
            let (prev, next) = (after_short.prev[k], after_short.next[k]);
            let alone = prev == Class::Bad && next == Class::Bad && runs[k] < self.thresholds.near_good_run;
            revised[k] = if alone { Class::Bad } else { Class::Good };
        }
        for (k, &i) in idx.iter().enumerate() {
            let class = if heading[k] { Class::Good } else { revised[k] };
            let line = &mut lines[i];
            line.class = class;
            if class == Class::Bad && line.reason.is_none() {
                line.reason = Some(Reason::Context);
            }
            if class == Class::Good {
                line.reason = None;
            }
        }

        self.main_block(lines, &idx, &original, &heading);

        // Satellites: blocks between sure boilerplate, with little good text next to the
        // main block (a site pitch after the article, a teaser box before it).
        let mut blocks: Vec<(usize, usize, usize)> = Vec::new(); // (first k, last k, good chars)
        let mut current: Option<(usize, usize, usize)> = None;
        for (k, &i) in idx.iter().enumerate() {
            let line = &lines[i];
            if line.reason.is_some_and(Reason::is_sure) {
                blocks.extend(current.take());
                continue;
            }
            let b = current.get_or_insert((k, k, 0));
            b.1 = k;
            if line.class == Class::Good {
                b.2 += line.chars;
            }
        }
        blocks.extend(current);
        let main = blocks.iter().map(|b| b.2).max().unwrap_or(0);
        for &(first, last, good) in &blocks {
            if good > 0 && (good as f32) < self.thresholds.satellite_ratio * main as f32 {
                for &i in &idx[first..=last] {
                    let line = &mut lines[i];
                    if line.class == Class::Good {
                        line.class = Class::Bad;
                        line.reason = Some(Reason::Satellite);
                    }
                }
            }
        }
    }
}

/// See [`Judge::main_block`].
const SHORT_WEIGHT: f32 = 0.5;
const NEAR_WEIGHT: f32 = 0.5;

impl Judge<'_> {
    /// The main block: the run of lines whose article text, less `main_block_penalty` times
    /// its boilerplate (by characters), is the largest (the maximum subarray; Finn's body
    /// text extraction, on lines). Article text outside it goes: teasers, lists of other
    /// stories and comment threads cut off from the article by boilerplate.
    fn main_block(&self, lines: &mut [Line], idx: &[usize], original: &[Class], heading: &[bool]) {
        let penalty = self.thresholds.main_block_penalty;
        if penalty <= 0.0 {
            return;
        }
        // A short line counts against the block even when its context kept it (a comment's
        // author and date, a teaser's headline), as at least `length_low` characters; not
        // the heading of article text (a title, a dateline).
        let short = self.thresholds.length_low as f32;
        let weight = |line: &Line, original: Class, heading: bool| {
            let chars = line.chars.max(1) as f32;
            match (line.class, original) {
                (Class::Good, Class::Short) if !heading => -penalty * chars.max(short) * SHORT_WEIGHT,
                (Class::Good, Class::NearGood) if !heading => chars * NEAR_WEIGHT,
                (Class::Good, _) => chars,
                _ => -penalty * chars,
            }
        };
        let (mut best, mut best_range) = (0.0f32, None);
        let (mut sum, mut start) = (0.0f32, 0);
        for (k, &i) in idx.iter().enumerate() {
            if sum <= 0.0 {
                sum = 0.0;
                start = k;
            }
            sum += weight(&lines[i], original[k], heading[k]);
            if sum > best {
                best = sum;
                best_range = Some((start, k));
            }
        }
        let Some((first, last)) = best_range else { return };
        for (k, &i) in idx.iter().enumerate() {
            let line = &mut lines[i];
            if (k < first || k > last) && line.class == Class::Good {
                line.class = Class::Bad;
                line.reason = Some(Reason::Satellite);
            }
        }
    }
}

/// For each line, how many near-good lines the run of near-good and short lines it is in
/// holds (0 for a line of another class).
fn near_good_runs(classes: &[Class]) -> Vec<usize> {
    let mut runs = vec![0; classes.len()];
    let mut start = 0;
    while start < classes.len() {
        let in_run = |c: Class| matches!(c, Class::NearGood | Class::Short);
        if !in_run(classes[start]) {
            start += 1;
            continue;
        }
        let end = (start..classes.len()).find(|&k| !in_run(classes[k])).unwrap_or(classes.len());
        let near = classes[start..end].iter().filter(|&&c| c == Class::NearGood).count();
        for k in start..end {
            if classes[k] == Class::NearGood {
                runs[k] = near;
            }
        }
        start = end;
    }
    runs
}

/// For each line, the class of the nearest line before it and after it that is not short
/// (nor near-good, with `ignore_neargood`), `Bad` past either end: jusText's neighbours,
/// found in two passes rather than a walk from every line (which was quadratic in a run of
/// short lines).
struct Neighbours {
    prev: Vec<Class>,
    next: Vec<Class>,
}

impl Neighbours {
    fn of(classes: &[Class], ignore_neargood: bool) -> Neighbours {
        let counts = |c: Class| !(c == Class::Short || ignore_neargood && c == Class::NearGood);
        let mut prev = Vec::with_capacity(classes.len());
        let mut last = Class::Bad;
        for &c in classes {
            prev.push(last);
            if counts(c) {
                last = c;
            }
        }
        let mut next = vec![Class::Bad; classes.len()];
        let mut last = Class::Bad;
        for (k, &c) in classes.iter().enumerate().rev() {
            next[k] = last;
            if counts(c) {
                last = c;
            }
        }
        Neighbours { prev, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two-pass neighbours are the walk's, on every sequence of up to 7 lines.
    #[test]
    fn neighbours_are_the_nearest_lines_that_count() {
        let all = [Class::Good, Class::NearGood, Class::Short, Class::Bad];
        let walk = |classes: &[Class], k: usize, step: isize, ignore_neargood: bool| {
            let mut j = k as isize + step;
            while j >= 0 && (j as usize) < classes.len() {
                match classes[j as usize] {
                    Class::Short => {}
                    Class::NearGood if ignore_neargood => {}
                    c => return c,
                }
                j += step;
            }
            Class::Bad
        };
        for n in 0..=7u32 {
            for code in 0..4usize.pow(n) {
                let classes: Vec<Class> = (0..n).map(|i| all[code / 4usize.pow(i) % 4]).collect();
                for ignore in [true, false] {
                    let got = Neighbours::of(&classes, ignore);
                    for k in 0..classes.len() {
                        assert_eq!(got.prev[k], walk(&classes, k, -1, ignore), "{classes:?} {k}");
                        assert_eq!(got.next[k], walk(&classes, k, 1, ignore), "{classes:?} {k}");
                    }
                }
            }
        }
    }

    #[test]
    fn tickers_and_menus() {
        let ticker = "Le Maroc signe un accord\u{a0} \u{a0} Otro titular del día  \u{a0} La Bourse recule    Football : le Raja gagne  Météo : pluie";
        assert!(is_ticker(ticker, 4));
        assert!(is_ticker("Accueil | Politique | Économie | Sport | Culture", 4));
        assert!(!is_ticker("Une phrase normale, avec des espaces  doubles par endroits.", 4));
        assert!(!is_ticker(ticker, 0));
    }

    #[test]
    fn the_stop_list_is_the_one_that_covers_the_text() {
        let pt = "O governo anunciou ontem que vai investir mais dinheiro nas escolas, mas a oposição diz que não é suficiente para os professores.";
        assert_eq!(StopWords::detect(pt).language(), Some("pt"));
        let it = "Il governo ha annunciato ieri che investirà più denaro nelle scuole, ma l'opposizione dice che non basta per gli insegnanti.";
        assert_eq!(StopWords::detect(it).language(), Some("it"));
        let ru = "Правительство объявило вчера, что будет больше вкладывать в школы, но оппозиция говорит, что этого недостаточно.";
        assert_eq!(StopWords::detect(ru).language(), Some("ru"));
        // No list covers text without spaces, digits or emoji: no stop words, not an error.
        for text in ["政府昨天宣布将向学校投入更多资金但反对派表示这对教师来说还不够", "2024 2025 12:30", "🎉🎉🎉", ""]
        {
            assert_eq!(StopWords::detect(text), StopWords::none(), "{text}");
        }
        assert_eq!(StopWords::for_language("pt").unwrap().language(), Some("pt"));
        assert_eq!(StopWords::for_language("und"), None);
    }

    #[test]
    fn without_a_stop_list_lines_are_judged_by_length_and_context() {
        let text = "政府昨天宣布将向学校投入更多资金但反对派表示这对教师来说还不够政府昨天宣布将向学校投入更多资金但反对派表示这对教师来说还不够，\
            政府昨天宣布将向学校投入更多资金但反对派表示这对教师来说还不够政府昨天宣布将向学校投入更多资金但反对派表示这对教师来说还不够。\n版权所有";
        let (t, stop) = (Thresholds { length_low: 10, length_high: 60, ..Thresholds::default() }, StopWords::none());
        let judge = Judge { thresholds: &t, stop: &stop, features: true };
        let classes: Vec<Class> = judge.classify(text, |_, _| None).iter().map(|l| l.class).collect();
        // The long line is article text (its stop-word density is not measured), the short
        // one after it boilerplate.
        assert_eq!(classes, [Class::Good, Class::Bad]);
    }

    #[test]
    fn numbers_do_not_lower_the_stop_word_density() {
        let stop = StopWords::for_language("en").unwrap();
        let line = "Nadal beat Khachanov 6-3, 7-6 (7), 6-4, 6-2 and Rublev 7-5 in the final of the Cup";
        let f = features(line, &stop);
        // 6 stop words in 22 words is under `stopwords_low`; in the 11 that are not numbers,
        // over `stopwords_high`.
        assert_eq!((f.words, f.numbers, f.stop), (22, 11, 6));
        let t = Thresholds::default();
        let judge = Judge { thresholds: &t, stop: &stop, features: true };
        let mut lines = judge.classify(line, |_, _| None);
        assert_eq!((lines.remove(0).class, lines.len()), (Class::Good, 0));
    }

    #[test]
    fn speaking_to_the_reader_is_you_and_we_together() {
        let stop = StopWords::for_language("en").unwrap();
        let t = Thresholds::default();
        let judge = Judge { thresholds: &t, stop: &stop, features: true };
        let review = "You parry the troopers' bolts back at them, and you watch for the tells of the melee troopers, \
            which are obvious enough that you will rarely be hit by them once you know what to look for in the game.";
        let appeal =
            "We are an independent newsroom and we rely on readers like you: your support keeps our reporting \
            free for everyone, so please consider giving to us today, even a small amount helps us continue our work.";
        let reasons: Vec<Option<Reason>> =
            judge.classify(&format!("{review}\n{appeal}"), |_, _| None).iter().map(|l| l.reason).collect();
        assert_eq!(reasons, [None, Some(Reason::Address)]);
    }

    #[test]
    fn tickers_without_their_gaps() {
        let stop = StopWords::for_language("fr").unwrap();
        let headlines = [
            "La France fournira des services consulaires à Laâyoune",
            "Les températures attendues ce jeudi 17 avril",
            "Le pire n'est jamais sûr",
            "La Chine appelle Washington à cesser les pressions",
            "Maroc : la croissance prévue à 3,8% au T2",
        ];
        let ticker = headlines.repeat(4).join(" ");
        assert!(is_run_on_ticker(&ticker, &stop, 4));
        assert!(!is_run_on_ticker(&ticker, &stop, 0));
        // Five headlines are not enough to tell from prose.
        assert!(!is_run_on_ticker(&headlines.join(" "), &stop, 4));
        // Prose: sentence starts follow a full stop; newspapers' names are capitalised twice.
        let prose = "Le conseil a voté le budget hier soir. La hausse des impôts, selon Le Monde, sera \
            limitée. Les élus de l'opposition ont quitté la salle. Le maire a répondu aux questions \
            de La Croix et du Parisien. La séance a duré trois heures. Les débats reprendront lundi.";
        assert!(!is_run_on_ticker(&prose.repeat(6), &stop, 4));
    }

    #[test]
    fn links_and_domains() {
        for t in ["https://example.com/a", "www.lemonde.fr", "Algérie24.net", "contact@site.org"] {
            assert!(is_link(t), "{t}");
        }
        for t in ["fin.", "M.", "U.S.", "2.500", "Helsinki,"] {
            assert!(!is_link(t), "{t}");
        }
    }

    #[test]
    fn quoted_speech_does_not_address_the_reader() {
        let stop = StopWords::for_language("fr").unwrap();
        let f = features("« Nous aurons l'occasion de vous le dire », a déclaré le général.", &stop);
        assert_eq!((f.address, f.we), (0, 0));
        let f = features("Nous comptons sur votre soutien pour continuer.", &stop);
        assert_eq!((f.address, f.we), (1, 1));
    }
}
