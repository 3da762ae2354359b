//! The detector: whichlang for long text, lingua for short or contested text.
//!
//! whichlang (a linear model over hashed n-grams) reads about 70 MB/s and is right 99 % of
//! the time on sentences, but only about 70 % on two-word samples, and it gives no score.
//! lingua (n-gram language models up to five-grams) is the most accurate detector on short
//! text but reads under 1 MB/s. So: text with at least `short_chars` characters is decided
//! by whichlang; shorter text, text whichlang puts outside the candidates, and segments
//! whichlang thinks differ from their document are decided by lingua over the candidates it
//! has a model for. Languages lingua has no model for here are written in their own script
//! (Arabic, Chinese, Hindi, Japanese, Korean, Russian), which whichlang tells apart at any
//! length. The measurements behind this are in docs/quality.md.

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use std::cell::RefCell;
use std::collections::HashMap;

/// How many of lingua's answers a detector remembers.
const CACHE_ENTRIES: usize = 4096;

/// A language the detector can report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang(usize);

/// ISO 639-1 code, whichlang's language, lingua's language when its model is compiled in.
const TABLE: [(&str, whichlang::Lang, Option<Language>); 16] = [
    ("ar", whichlang::Lang::Ara, None),
    ("de", whichlang::Lang::Deu, Some(Language::German)),
    ("en", whichlang::Lang::Eng, Some(Language::English)),
    ("es", whichlang::Lang::Spa, Some(Language::Spanish)),
    ("fr", whichlang::Lang::Fra, Some(Language::French)),
    ("hi", whichlang::Lang::Hin, None),
    ("it", whichlang::Lang::Ita, Some(Language::Italian)),
    ("ja", whichlang::Lang::Jpn, None),
    ("ko", whichlang::Lang::Kor, None),
    ("nl", whichlang::Lang::Nld, Some(Language::Dutch)),
    ("pt", whichlang::Lang::Por, Some(Language::Portuguese)),
    ("ru", whichlang::Lang::Rus, None),
    ("sv", whichlang::Lang::Swe, Some(Language::Swedish)),
    ("tr", whichlang::Lang::Tur, Some(Language::Turkish)),
    ("vi", whichlang::Lang::Vie, Some(Language::Vietnamese)),
    ("zh", whichlang::Lang::Cmn, None),
];

impl Lang {
    /// Every language the detector knows, in code order.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..TABLE.len()).map(Lang)
    }

    /// The language with this ISO 639-1 code.
    pub fn from_code(code: &str) -> Option<Lang> {
        TABLE.iter().position(|(c, _, _)| c.eq_ignore_ascii_case(code)).map(Lang)
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        TABLE[self.0].0
    }

    fn from_whichlang(lang: whichlang::Lang) -> Lang {
        Lang(TABLE.iter().position(|(_, w, _)| *w == lang).expect("every whichlang language is in the table"))
    }

    fn from_lingua(lang: Language) -> Option<Lang> {
        TABLE.iter().position(|(_, _, l)| *l == Some(lang)).map(Lang)
    }

    fn lingua(self) -> Option<Language> {
        TABLE[self.0].2
    }
}

/// Which detector decides (the mixed one is the plugin's; the others are for comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// whichlang for long text, lingua for short or contested text.
    Mixed,
    /// whichlang alone.
    Whichlang,
    /// lingua alone (over the candidates it has a model for).
    Lingua,
}

/// A detector's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guess {
    /// The language, `None` when the text has no letters or no candidate fits.
    pub lang: Option<Lang>,
    /// Confidence in `[0, 1]`: lingua's relative confidence among the candidates, or, for
    /// text decided by whichlang alone, how long the text is relative to the length at which
    /// whichlang is trusted (capped at 1). 0 with no language.
    pub score: f32,
    /// Whether lingua was asked.
    pub precise: bool,
}

impl Guess {
    const NONE: Guess = Guess { lang: None, score: 0.0, precise: false };
}

/// A language detector over a set of candidate languages.
pub struct Detector {
    candidates: Vec<Lang>,
    /// lingua's answers for recent texts: site chrome ("Partager sur WhatsApp") repeats in
    /// every page of a site, and lingua is the slow path. Cleared when full.
    cache: RefCell<HashMap<String, Guess>>,
    lingua: Option<LanguageDetector>,
    backend: Backend,
    short_chars: usize,
    precise_max_chars: usize,
}

impl Detector {
    /// A detector over `candidates` (all languages when empty). Text with fewer than
    /// `short_chars` characters is decided by lingua; lingua reads at most
    /// `precise_max_chars` characters of a text. Building loads lingua's models for the
    /// candidates (a second or so, once per process: the models are shared).
    pub fn new(candidates: &[Lang], backend: Backend, short_chars: usize, precise_max_chars: usize) -> Detector {
        let mut candidates = if candidates.is_empty() { Lang::all().collect() } else { candidates.to_vec() };
        candidates.sort();
        candidates.dedup();
        let models: Vec<Language> = candidates.iter().filter_map(|l| l.lingua()).collect();
        let lingua = match (backend, models.len()) {
            (Backend::Whichlang, _) | (_, 0) => None,
            // lingua needs two languages to compare; with one, only that one is possible.
            (_, 1) => None,
            _ => Some(LanguageDetectorBuilder::from_languages(&models).with_preloaded_language_models().build()),
        };
        Detector {
            candidates,
            cache: RefCell::default(),
            lingua,
            backend,
            short_chars,
            precise_max_chars: precise_max_chars.max(1),
        }
    }

    /// The candidate languages.
    pub fn candidates(&self) -> &[Lang] {
        &self.candidates
    }

    /// The language of a whole text.
    pub fn detect(&self, text: &str) -> Guess {
        let Some(chars) = letters_and_chars(text) else { return Guess::NONE };
        match self.backend {
            Backend::Lingua => self.precise(text),
            Backend::Whichlang => self.fast(text, chars).unwrap_or(Guess::NONE),
            Backend::Mixed => match self.fast(text, chars) {
                Some(guess) if chars >= self.short_chars || self.lingua_cannot_judge(guess.lang) => guess,
                _ => self.precise(text),
            },
        }
    }

    /// The language of a segment of a document in `context`: when whichlang agrees with the
    /// context that is the answer (no lingua call); otherwise lingua decides.
    pub fn detect_in(&self, text: &str, context: Lang) -> Guess {
        let Some(chars) = letters_and_chars(text) else { return Guess::NONE };
        match self.fast(text, chars) {
            Some(guess) if guess.lang == Some(context) => guess,
            Some(guess) if self.backend == Backend::Whichlang || self.lingua_cannot_judge(guess.lang) => guess,
            _ => self.precise(text),
        }
    }

    /// whichlang's answer alone, if it is a candidate (no lingua call, no minimum length).
    pub fn detect_fast(&self, text: &str) -> Option<Lang> {
        let chars = letters_and_chars(text)?;
        self.fast(text, chars).and_then(|g| g.lang)
    }

    /// Text this short is decided by lingua.
    pub fn is_short(&self, text: &str) -> bool {
        text.len() < self.short_chars || text.chars().count() < self.short_chars
    }

    /// whichlang's answer, if it is a candidate.
    fn fast(&self, text: &str, chars: usize) -> Option<Guess> {
        let lang = Lang::from_whichlang(whichlang::detect_language(text));
        self.candidates.contains(&lang).then(|| Guess {
            lang: Some(lang),
            score: (chars as f32 / self.short_chars.max(1) as f32).min(1.0),
            precise: false,
        })
    }

    /// Whether lingua has nothing to add: no lingua here, or whichlang's language is one lingua
    /// has no model for (a language of its own script).
    fn lingua_cannot_judge(&self, lang: Option<Lang>) -> bool {
        self.lingua.is_none() || lang.is_some_and(|l| l.lingua().is_none())
    }

    /// lingua's answer over the candidates it has a model for.
    fn precise(&self, text: &str) -> Guess {
        let Some(lingua) = &self.lingua else {
            // One Latin-script candidate (or none): it is the answer if the text is in its
            // script, which whichlang has checked.
            let chars = letters_and_chars(text).unwrap_or(0);
            return self.fast(text, chars).unwrap_or_else(|| {
                let only: Vec<Lang> = self.candidates.iter().copied().filter(|l| l.lingua().is_some()).collect();
                match only.as_slice() {
                    [one] if is_mostly_latin(text) => Guess { lang: Some(*one), score: 0.5, precise: false },
                    _ => Guess::NONE,
                }
            });
        };
        let text = match text.char_indices().nth(self.precise_max_chars) {
            Some((end, _)) => &text[..end],
            None => text,
        };
        if let Some(guess) = self.cache.borrow().get(text) {
            return *guess;
        }
        let values = lingua.compute_language_confidence_values(text);
        let guess = match values.first() {
            Some(&(language, value)) if value > 0.0 => {
                Guess { lang: Lang::from_lingua(language), score: value as f32, precise: true }
            }
            _ => Guess::NONE,
        };
        let mut cache = self.cache.borrow_mut();
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(text.to_string(), guess);
        guess
    }
}

/// The number of characters of `text`, or `None` when it has no letters (digits, emoji,
/// punctuation only: nothing to detect).
fn letters_and_chars(text: &str) -> Option<usize> {
    let mut letters = false;
    let mut chars = 0;
    for c in text.chars() {
        letters |= c.is_alphabetic();
        chars += 1;
    }
    letters.then_some(chars)
}

fn is_mostly_latin(text: &str) -> bool {
    let (mut latin, mut other) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            latin += 1;
        } else {
            other += 1;
        }
    }
    latin > other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(g: Guess) -> &'static str {
        g.lang.map_or("und", Lang::code)
    }

    #[test]
    fn codes_round_trip() {
        for lang in Lang::all() {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("FR").map(Lang::code), Some("fr"));
        assert_eq!(Lang::from_code("xx"), None);
    }

    #[test]
    fn no_letters_is_undetermined() {
        let d = Detector::new(&[], Backend::Mixed, 120, 400);
        for text in ["", "   ", "2024 12 31", "🙂🙂🙂", "!?…"] {
            assert_eq!(d.detect(text), Guess::NONE, "{text:?}");
        }
    }

    #[test]
    fn short_and_long_text() {
        let four: Vec<Lang> = ["fr", "en", "es", "de"].iter().map(|c| Lang::from_code(c).unwrap()).collect();
        let d = Detector::new(&four, Backend::Mixed, 120, 400);
        assert_eq!(code(d.detect("maison blanche")), "fr");
        assert_eq!(code(d.detect("the house")), "en");
        assert_eq!(code(d.detect("la casa blanca")), "es");
        assert_eq!(code(d.detect("das weiße Haus")), "de");
        let long = "Le président a annoncé mardi une série de mesures pour soutenir les agriculteurs \
                    touchés par la sécheresse, qui dure depuis le début de l'été dans le sud du pays.";
        let g = d.detect(long);
        assert_eq!((code(g), g.precise), ("fr", false));
        assert!(g.score > 0.99);
    }

    #[test]
    fn candidates_restrict_the_answer() {
        let fr_en: Vec<Lang> = ["fr", "en"].iter().map(|c| Lang::from_code(c).unwrap()).collect();
        let d = Detector::new(&fr_en, Backend::Mixed, 120, 400);
        let g = d.detect("El sector de los cítricos en Marruecos sufre una sequía histórica este año");
        assert!(matches!(code(g), "fr" | "en"), "{g:?}");
        let ru = [Lang::from_code("ru").unwrap()];
        let d = Detector::new(&ru, Backend::Mixed, 120, 400);
        assert_eq!(code(d.detect("the house")), "und");
        assert_eq!(code(d.detect("Привет, как дела")), "ru");
    }

    #[test]
    fn scripts_are_told_apart_without_lingua() {
        let d = Detector::new(&[], Backend::Mixed, 120, 400);
        assert_eq!(code(d.detect("Привет")), "ru");
        assert_eq!(code(d.detect("東京は日本の首都です")), "ja");
        assert_eq!(code(d.detect("مرحبا بالعالم")), "ar");
    }
}
