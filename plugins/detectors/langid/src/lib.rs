/*!
`langid`: the language of each document, and of the segments that differ from it.

Sets `lang` (ISO 639-1 where there is one, else ISO 639-3; `und` when the text has no
letters, no candidate writes its script, or the score is under `min_score`) and `lang_score`,
and adds a span in the `lang` layer for every line (or paragraph) whose language differs from
the document's with at least `min_span_score`, labelled with its code and scored.
With `keep`, documents in other languages are dropped with a reason.

The detector (see [`detect`]) knows 443 languages: the script of the text picks the
candidates that write it, a breadth model trained on the Universal Declaration of Human Rights
([`model`]) ranks them, and where most of its probability lies on languages that a detector
trained on general text knows, that one decides: whichlang (16 languages) for long text,
lingua (35 languages here, its confidence weighed by the breadth model's) for short text.
The default candidates are the 154 languages fastText lid.176 also identifies.

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
pub mod model;

use detect::{Backend, Detector, Guess, Lang};
use moulin_plugin::{Annotate, Annotates, Annotation, Error, Span, Stage, StageContext};
use serde::Deserialize;
use unicode_script::Script;

/// How a document is cut into segments whose language is checked.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Segments {
    /// Every line (the default), and the parts of a line separated by a gap of two or more
    /// white-space characters or a tab (the headlines of a ticker, the cells of a menu) or
    /// written in another script (an English quote in a Russian line).
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
    /// Candidate languages (ISO 639-1 where there is one, else ISO 639-3). Empty (the
    /// default): the 154 languages fastText lid.176 also identifies; `["all"]`: all 443 the
    /// detector knows (docs/quality.md lists them). Fewer candidates are more accurate on
    /// short text.
    pub candidates: Vec<String>,
    /// Below this score the document's `lang` is `und` (its score is kept). Default 0.15:
    /// the answer is the detector's best guess unless it is very likely wrong (docs/quality.md,
    /// "Scores"); a filter that wants surer labels raises it.
    pub min_score: f32,
    /// A segment in another language than the document's gets a span only with at least this
    /// score. Default 0.5: a span says the segment differs from its document, which most
    /// segments do not.
    pub min_span_score: f32,
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
            min_score: 0.15,
            min_span_score: 0.5,
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

/// The languages `codes` name; `und` is skipped where `allow_und`, and `all` (in
/// `candidates`) stands for every language.
fn parse_langs(key: &str, codes: &[String], allow_und: bool) -> Result<Vec<Lang>, Error> {
    let mut langs = Vec::new();
    for code in codes {
        match Lang::from_code(code) {
            Some(lang) => langs.push(lang),
            None if allow_und && code == "und" => {}
            None if !allow_und && code == "all" => langs.extend(Lang::all()),
            None => {
                return Err(Error::config(
                    key,
                    format!(
                        "unknown language {code:?}: expected an ISO 639-1 code, or ISO 639-3 where there is none, \
                         among the {} of docs/quality.md{}",
                        Lang::all().count(),
                        if allow_und { ", or \"und\"" } else { ", or \"all\"" }
                    ),
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
        let mut candidates = parse_langs("candidates", &config.candidates, false)?;
        if candidates.is_empty() {
            candidates = Lang::defaults().collect();
        }
        let keep = parse_langs("keep", &config.keep, true)?;
        if let Some(lang) = keep.iter().find(|l| !candidates.contains(l)) {
            let hint =
                if config.candidates.is_empty() { " (the default ones; `candidates = [\"all\"]` has all)" } else { "" };
            return Err(Error::config(
                "keep",
                format!("{:?} is kept but is not one of the candidates{hint}", lang.code()),
            ));
        }
        for (key, score) in [("min_score", config.min_score), ("min_span_score", config.min_span_score)] {
            if !(0.0..=1.0).contains(&score) {
                return Err(Error::config(key, format!("expected a score in [0, 1], found {score}")));
            }
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
/// whichlang labels each segment; for a document of at least `short_chars` characters with
/// two segments or more, the label with the most characters is whichlang's answer for the
/// document, which the detector takes where a general model decides, and the segments with
/// that label are what the breadth model and lingua read. Each segment of at least
/// `min_segment_chars` is then checked: a label that agrees with the document settles it;
/// any other segment goes to the whole detector, and becomes a span when it is in another
/// language with at least `min_span_score`. When lingua did not decide the document, its score is
/// the detector's times the share of the checked segments' characters in its language.
pub fn annotate(detector: &Detector, config: &LangidConfig, text: &str) -> (Guess, Vec<(usize, usize, Guess)>) {
    let segments = segments(text, config.segments);
    let labels: Vec<Option<Lang>> = if segments.len() >= 2 && text.chars().nth(config.short_chars).is_some() {
        segments.iter().map(|&(start, end)| detector.fast_label(&text[start..end])).collect()
    } else {
        Vec::new()
    };
    let mut guess = if labels.is_empty() {
        detector.detect(text)
    } else {
        let mut votes: Vec<(Lang, usize)> = Vec::new();
        for (&(start, end), label) in segments.iter().zip(&labels) {
            if let Some(lang) = *label {
                match votes.iter_mut().find(|(l, _)| *l == lang) {
                    Some((_, n)) => *n += end - start,
                    None => votes.push((lang, end - start)),
                }
            }
        }
        // Ties go to the language first seen, so the answer does not depend on hashing.
        let vote = votes.iter().rev().max_by_key(|(_, n)| *n).map(|(l, _)| *l);
        // What the models read: the segments with the vote's label, up to what they read.
        let mut sample = String::new();
        for (&(start, end), label) in segments.iter().zip(&labels) {
            if *label == vote && sample.len() < 4 * config.precise_max_chars {
                sample.push_str(&text[start..end]);
                sample.push('\n');
            }
        }
        detector.detect_document(text, &sample, vote)
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
        let g = match labels.get(i) {
            Some(&label) => detector.detect_in_labelled(segment, doc_lang, label),
            None => detector.detect_in(segment, doc_lang),
        };
        match g.lang {
            Some(lang) if lang == doc_lang => same += chars,
            Some(_) if g.score >= config.min_span_score => {
                other += chars;
                spans.push((start, end, g));
            }
            _ => {}
        }
    }
    if !guess.precise && same + other > 0 {
        guess.score *= same as f32 / (same + other) as f32;
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
                split_at_scripts(text, start + part_start, start + gap_start, out);
                part_start = i;
            }
        }
    }
    split_at_scripts(text, start + part_start, end, out);
}

/// Push the parts of `text[start..end]` written in different scripts, cut at the start of the
/// first word in the new script: an English quote in a Russian line, a Latin brand name in
/// Arabic. Han, kana and Hangul count as one script (Japanese and Korean mix them in every
/// sentence). Parts are trimmed of white space; empty ones are left out.
fn split_at_scripts(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let line = &text[start..end];
    let mut push = |from: usize, to: usize| {
        let part = &line[from..to];
        let lead = part.len() - part.trim_start().len();
        let trimmed = part.trim();
        if !trimmed.is_empty() {
            out.push((start + from + lead, start + from + lead + trimmed.len()));
        }
    };
    if is_latin_by_bytes(line) {
        push(0, line.len());
        return;
    }
    let (mut part_start, mut word_start) = (0, 0);
    let mut current: Option<unicode_script::Script> = None;
    for (i, c) in line.char_indices() {
        if !c.is_alphanumeric() {
            word_start = i + c.len_utf8();
            continue;
        }
        let script = match model::script_of(c) {
            Script::Common | Script::Inherited | Script::Unknown => continue,
            Script::Hiragana | Script::Hangul | Script::Bopomofo => Script::Han,
            s => s,
        };
        if current.is_some_and(|cur| cur != script) && word_start > part_start {
            push(part_start, word_start);
            part_start = word_start;
        }
        current = Some(script);
    }
    push(part_start, line.len());
}

/// Whether `line` is Latin, Common and Inherited characters only, by its bytes: code points
/// up to U+027F (lead bytes up to 0xC9) and General Punctuation with the superscripts,
/// U+2000-U+207F (E2 80, E2 81: ’ — …). Most lines of a European corpus are, and reading
/// their bytes costs much less than looking up their characters' scripts.
fn is_latin_by_bytes(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            0..=0xC9 => i += 1,
            0xE2 if matches!(bytes.get(i + 1), Some(0x80 | 0x81)) => i += 3,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_lines_are_not_read_by_script() {
        use unicode_script::UnicodeScript;
        // split_at_scripts leaves such lines whole without reading their scripts.
        for c in ('\0'..'\u{280}').chain('\u{2000}'..'\u{2080}') {
            assert!(is_latin_by_bytes(c.encode_utf8(&mut [0; 4])), "{c:?}");
            assert!(
                matches!(c.script(), Script::Latin | Script::Common | Script::Inherited | Script::Unknown),
                "{c:?}: {:?}",
                c.script()
            );
        }
        for c in ['\u{280}', '\u{2080}', '\u{1FFF}', 'é', 'ж', '中'] {
            assert_eq!(is_latin_by_bytes(c.encode_utf8(&mut [0; 4])), c == 'é', "{c:?}");
        }
        let text = "Él dijo «ça va» — l’ɐ ok ×2…";
        assert_eq!(segments(text, Segments::Lines), [(0, text.len())]);
        let mixed = "Он сказал: hello world";
        let spans: Vec<&str> = segments(mixed, Segments::Lines).into_iter().map(|(s, e)| &mixed[s..e]).collect();
        assert_eq!(spans, ["Он сказал:", "hello world"]);
    }

    #[test]
    fn segments_by_line_and_paragraph() {
        let text = "  un \n\ndeux\r\ntrois  \n\n\nquatre";
        let spans = |g| segments(text, g).into_iter().map(|(s, e)| &text[s..e]).collect::<Vec<_>>();
        assert_eq!(spans(Segments::Lines), ["un", "deux", "trois", "quatre"]);
        assert_eq!(spans(Segments::Paragraphs), ["un", "deux\r\ntrois", "quatre"]);
        assert!(spans(Segments::None).is_empty());
        assert!(segments("", Segments::Lines).is_empty());
        let mixed = "Он сказал: «We are ready to talk», — и ушёл. 東京は日本の首都です。";
        let parts: Vec<&str> = segments(mixed, Segments::Lines).into_iter().map(|(s, e)| &mixed[s..e]).collect();
        assert_eq!(parts, ["Он сказал: «", "We are ready to talk», —", "и ушёл.", "東京は日本の首都です。"]);
        let ticker = "Un titre ici\u{a0} \u{a0} Otro titular  Third\tfourth one";
        let parts: Vec<&str> = segments(ticker, Segments::Lines).into_iter().map(|(s, e)| &ticker[s..e]).collect();
        assert_eq!(parts, ["Un titre ici", "Otro titular", "Third", "fourth one"]);
        assert_eq!(segments(ticker, Segments::Paragraphs), [(0, ticker.len())]);
    }

    #[test]
    fn every_white_space_character_makes_a_gap() {
        // Any white-space character, doubled, makes a gap; a tab alone does too.
        let spaces: Vec<char> = ('\0'..=char::MAX).filter(|c| c.is_whitespace() && *c != '\n').collect();
        assert_eq!(spaces.len(), 24);
        for c in spaces {
            let (gap, one) = (format!("ab{c}{c}cd"), format!("ab{c}cd"));
            assert_eq!(segments(&gap, Segments::Lines), [(0, 2), (2 + 2 * c.len_utf8(), gap.len())], "{c:?}");
            let whole = if c == '\t' { vec![(0, 2), (2 + c.len_utf8(), one.len())] } else { vec![(0, one.len())] };
            assert_eq!(segments(&one, Segments::Lines), whole, "{c:?}");
        }
    }
}
