/*!
`langid`: the language of each document, and of the segments that differ from it.

Sets `lang` (ISO 639-1, `und` when the text has no letters or the score is under
`min_score`) and `lang_score`, and adds a span in the `lang` layer for every line (or
paragraph) whose language differs from the document's, labelled with its code and scored.
With `keep`, documents in other languages are dropped with a reason.

Two detectors work together (see [`detect`]): whichlang decides long text at about 70 MB/s;
lingua, restricted to the candidate languages, decides short text and settles disagreements.
Known languages: ar, de, en, es, fr, hi, it, ja, ko, nl, pt, ru, sv, tr, vi, zh.

```
use moulin_langid::Langid;
use moulin_plugin::testkit::{docs, Harness};

let mut stage = Harness::new::<Langid>(serde_json::json!({ "candidates": ["fr", "en", "es", "de"] }))?;
let text = "Le gouvernement a présenté mercredi son projet de budget pour l'année prochaine, \
            marqué par des économies importantes dans plusieurs ministères.\n\
            Stadium gates to open three hours before kick-off, organisers say";
let out = stage.process(docs(&[("a", text)]))?;
let doc = &out.kept[0];
assert_eq!(doc.lang(), "fr");
assert_eq!(doc.spans().len(), 1);
assert_eq!(doc.spans()[0].label.as_str(), "en");
assert_eq!(&text[doc.spans()[0].start as usize..], "Stadium gates to open three hours before kick-off, organisers say");
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

pub mod detect;

use detect::{Backend, Detector, Guess, Lang};
use moulin_plugin::{Annotate, Annotates, Annotation, Error, Span, Stage, StageContext};
use serde::Deserialize;

/// How a document is cut into segments whose language is checked.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Segments {
    /// Every line (the default), and the parts of a line separated by a gap of two or more
    /// white-space characters or a tab: the headlines of a ticker, the cells of a menu.
    Lines,
    /// Runs of lines separated by blank lines.
    Paragraphs,
    /// No segments: only the document's language.
    None,
}

/// The `config` table of a `langid` stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LangidConfig {
    /// Candidate languages (ISO 639-1). Empty (the default): every known language. Fewer
    /// candidates are more accurate on short text and faster.
    pub candidates: Vec<String>,
    /// Below this score the document's `lang` is `und` (its score is kept), and a segment
    /// gets no span. Default 0.5.
    pub min_score: f32,
    /// Segment granularity: `lines` (default), `paragraphs` or `none`.
    pub segments: Segments,
    /// Segments with fewer characters get no span of their own. Default 20.
    pub min_segment_chars: usize,
    /// Keep only documents in these languages (`und` allowed); drop the others with a
    /// reason. Empty (the default): keep everything.
    pub keep: Vec<String>,
    /// Text with fewer characters is decided by the precise detector (lingua). Default 120.
    pub short_chars: usize,
    /// The precise detector reads at most this many characters of a text. Default 400.
    pub precise_max_chars: usize,
}

impl Default for LangidConfig {
    fn default() -> Self {
        LangidConfig {
            candidates: Vec::new(),
            min_score: 0.5,
            segments: Segments::Lines,
            min_segment_chars: 20,
            keep: Vec::new(),
            short_chars: 120,
            precise_max_chars: 400,
        }
    }
}

/// The `langid` stage.
pub struct Langid {
    detector: Detector,
    config: LangidConfig,
    source: String,
}

fn parse_langs(key: &str, codes: &[String], allow_und: bool) -> Result<Vec<Lang>, Error> {
    let mut langs = Vec::new();
    for code in codes {
        match Lang::from_code(code) {
            Some(lang) => langs.push(lang),
            None if allow_und && code == "und" => {}
            None => {
                let known: Vec<&str> = Lang::all().map(Lang::code).collect();
                return Err(Error::config(
                    key,
                    format!("unknown language {code:?}: expected ISO 639-1 codes among {}", known.join(", ")),
                ));
            }
        }
    }
    Ok(langs)
}

impl Stage for Langid {
    type Config = LangidConfig;
    type Role = Annotates;
    const NAME: &'static str = "langid";
    const SUMMARY: &'static str =
        "Document language (ISO 639-1) and score, `lang` spans for segments in another language, optional filter.";
    const EXAMPLE_CONFIG: &'static str = "candidates = [\"fr\", \"en\", \"es\", \"de\"]\nkeep = [\"fr\"]";

    fn validate(config: &LangidConfig) -> Result<(), Error> {
        let candidates = parse_langs("candidates", &config.candidates, false)?;
        let keep = parse_langs("keep", &config.keep, true)?;
        if let Some(lang) = keep.iter().find(|l| !candidates.is_empty() && !candidates.contains(l)) {
            return Err(Error::config("keep", format!("{:?} is kept but is not one of the candidates", lang.code())));
        }
        if !(0.0..=1.0).contains(&config.min_score) {
            return Err(Error::config("min_score", format!("expected a score in [0, 1], found {}", config.min_score)));
        }
        Ok(())
    }

    fn new(config: LangidConfig, ctx: &StageContext) -> Result<Self, Error> {
        let candidates = parse_langs("candidates", &config.candidates, false)?;
        let detector = Detector::new(&candidates, Backend::Mixed, config.short_chars, config.precise_max_chars);
        let source = if ctx.stage_id.is_empty() { "langid".to_string() } else { ctx.stage_id.clone() };
        Ok(Langid { detector, config, source })
    }
}

impl Annotate for Langid {
    fn annotate(&mut self, doc: &mut Annotation<'_>) -> Result<(), Error> {
        let (guess, spans) = annotate(&self.detector, &self.config, doc.text());
        let code = match guess.lang {
            Some(lang) if guess.score >= self.config.min_score => lang.code(),
            _ => "und",
        };
        doc.set_lang(code, guess.score);
        for (start, end, g) in spans {
            let mut span = Span::new(start as u64, end as u64, "lang", g.lang.map_or("und", Lang::code), &self.source);
            span.score = g.score;
            doc.add_span(span);
        }
        if !self.config.keep.is_empty() && !self.config.keep.iter().any(|k| k == code) {
            doc.drop_with(format!("langid: {code} not in [{}]", self.config.keep.join(", ")));
        }
        Ok(())
    }
}

moulin_plugin::export_plugin!(Langid);

/// The document's language and the segments (byte ranges) whose language differs from it.
///
/// Short text (under `short_chars`) is decided as a whole by the precise detector, and the
/// score is its confidence. Longer text is cut into segments; whichlang labels each, and the
/// language with the most characters is the document's. Checked segments (at least
/// `min_segment_chars`) that whichlang puts in another language go to the precise detector;
/// those it confirms become spans. The score is then the share of the checked segments'
/// characters that are in the document's language (1 when no segment is long enough).
pub fn annotate(detector: &Detector, config: &LangidConfig, text: &str) -> (Guess, Vec<(usize, usize, Guess)>) {
    let segments = segments(text, config.segments);
    // whichlang's label for each segment, when the document is long enough to vote.
    let mut fast: Vec<Option<Lang>> = Vec::new();
    let mut guess = if detector.is_short(text) || segments.len() < 2 {
        detector.detect(text)
    } else {
        fast = segments.iter().map(|&(start, end)| detector.detect_fast(&text[start..end])).collect();
        let mut votes: Vec<(Lang, usize)> = Vec::new();
        for (&(start, end), lang) in segments.iter().zip(&fast) {
            if let Some(lang) = *lang {
                match votes.iter_mut().find(|(l, _)| *l == lang) {
                    Some((_, n)) => *n += end - start,
                    None => votes.push((lang, end - start)),
                }
            }
        }
        // Ties go to the language first seen, so the answer does not depend on hashing.
        match votes.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))) {
            Some(&(lang, _)) => Guess { lang: Some(lang), score: 1.0, precise: false },
            None => detector.detect(text),
        }
    };
    let Some(doc_lang) = guess.lang else { return (guess, Vec::new()) };
    let mut spans = Vec::new();
    let (mut same, mut other) = (0usize, 0usize);
    for (i, (start, end)) in segments.into_iter().enumerate() {
        let segment = &text[start..end];
        let chars = segment.chars().count();
        if chars < config.min_segment_chars || (start, end) == (0, text.len()) {
            continue;
        }
        let g = match fast.get(i) {
            Some(&Some(lang)) if lang == doc_lang => Guess { lang: Some(lang), score: 1.0, precise: false },
            _ => detector.detect_in(segment, doc_lang),
        };
        match g.lang {
            Some(lang) if lang == doc_lang => same += chars,
            Some(_) if g.score >= config.min_score => {
                other += chars;
                spans.push((start, end, g));
            }
            _ => {}
        }
    }
    if !guess.precise && same + other > 0 {
        guess.score = same as f32 / (same + other) as f32;
    }
    (guess, spans)
}

/// Byte ranges of the segments of `text`, trimmed, empty ones left out.
pub fn segments(text: &str, granularity: Segments) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if granularity == Segments::None {
        return out;
    }
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let lead = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        if trimmed.is_empty() {
            if let Some(s) = start.take() {
                out.push((s, end));
            }
        } else {
            let (s, e) = (offset + lead, offset + lead + trimmed.len());
            match granularity {
                Segments::Lines => split_at_gaps(text, s, e, &mut out),
                _ => {
                    start.get_or_insert(s);
                    end = e;
                }
            }
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push((s, end));
    }
    out
}

/// Push the parts of `text[start..end]` (trimmed, not empty) separated by gaps: runs of two
/// or more white-space characters, or a tab. Scraped pages join the cells of a layout this way
/// (a ticker of headlines, a menu), and each cell may be in its own language.
fn split_at_gaps(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let line = &text[start..end];
    let mut part_start = 0;
    let mut gap: Option<(usize, usize, bool)> = None; // (start, chars, has tab)
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            let g = gap.get_or_insert((i, 0, false));
            g.1 += 1;
            g.2 |= c == '\t';
            continue;
        }
        if let Some((gap_start, chars, tab)) = gap.take() {
            if chars >= 2 || tab {
                out.push((start + part_start, start + gap_start));
                part_start = i;
            }
        }
    }
    out.push((start + part_start, end));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_by_line_and_paragraph() {
        let text = "  un \n\ndeux\r\ntrois  \n\n\nquatre";
        let spans = |g| segments(text, g).into_iter().map(|(s, e)| &text[s..e]).collect::<Vec<_>>();
        assert_eq!(spans(Segments::Lines), ["un", "deux", "trois", "quatre"]);
        assert_eq!(spans(Segments::Paragraphs), ["un", "deux\r\ntrois", "quatre"]);
        assert!(spans(Segments::None).is_empty());
        assert!(segments("", Segments::Lines).is_empty());
        let ticker = "Un titre ici\u{a0} \u{a0} Otro titular  Third\tfourth one";
        let parts: Vec<&str> = segments(ticker, Segments::Lines).into_iter().map(|(s, e)| &ticker[s..e]).collect();
        assert_eq!(parts, ["Un titre ici", "Otro titular", "Third", "fourth one"]);
        assert_eq!(segments(ticker, Segments::Paragraphs), [(0, ticker.len())]);
    }
}
