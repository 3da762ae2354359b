/*!
`normalize`: a cleaner that makes text regular without changing what it says.

In order: Unicode normalization (NFC by default), line ends to `\n`, control characters and
invisible zero-width characters removed, runs of white space inside a line collapsed to one
space, lines trimmed, runs of blank lines cut to `max_blank_lines`, blank lines at both ends
removed. Line structure is kept. Spans already on the document are moved with the text; a
span whose text disappears entirely is removed.

```
use moulin_normalize::Normalize;
use moulin_plugin::testkit::{docs, Harness};

let mut stage = Harness::new::<Normalize>(serde_json::json!({}))?;
let out = stage.process(docs(&[("a", "  Cafe\u{301}\u{200B}  au   lait \r\n\n\n\nFin\u{7}  ")]))?;
assert_eq!(out.kept[0].text(), "Café au lait\n\nFin");
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

use moulin_plugin::{Document, Error, Stage, StageContext, Transform, Transforms};
use serde::Deserialize;
use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Which Unicode normalization form to apply.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// Canonical composition (the default): changes no meaning.
    Nfc,
    /// Compatibility composition: also folds ligatures, full-width forms, superscripts.
    Nfkc,
    /// No normalization.
    None,
}

/// The `config` table of a `normalize` stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeConfig {
    /// Unicode normalization form: `nfc` (default), `nfkc` or `none`.
    pub form: Form,
    /// Remove control characters (tab becomes a space, CR ends a line). Default true.
    pub remove_control: bool,
    /// Remove invisible characters: zero-width space, word joiner, BOM, soft hyphen,
    /// Mongolian vowel separator. Zero-width (non-)joiners are kept: scripts need them.
    /// Default true.
    pub remove_zero_width: bool,
    /// Collapse runs of white space inside a line to one space, and trim lines. Default true.
    pub collapse_whitespace: bool,
    /// Keep at most this many consecutive blank lines. Default 1.
    pub max_blank_lines: usize,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            form: Form::Nfc,
            remove_control: true,
            remove_zero_width: true,
            collapse_whitespace: true,
            max_blank_lines: 1,
        }
    }
}

/// The `normalize` stage.
pub struct Normalize {
    config: NormalizeConfig,
}

impl Stage for Normalize {
    type Config = NormalizeConfig;
    type Role = Transforms;
    const NAME: &'static str = "normalize";
    const SUMMARY: &'static str =
        "Unicode NFC, control and zero-width characters removed, white space collapsed, lines kept.";
    const EXAMPLE_CONFIG: &'static str = "form = \"nfc\"\nmax_blank_lines = 1";

    fn new(config: NormalizeConfig, _ctx: &StageContext) -> Result<Self, Error> {
        Ok(Normalize { config })
    }
}

impl Transform for Normalize {
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        let with_map = !doc.spans().is_empty();
        let (text, map) = normalize(doc.text(), &self.config, with_map);
        match map {
            Some(map) => doc.set_text_remapped(text, |old| map[old]),
            None if text != doc.text() => doc.set_text(text),
            None => {}
        }
        Ok(())
    }
}

moulin_plugin::export_plugin!(Normalize);

/// Normalize `text`. With `with_map`, also returns, for every byte offset of `text` (and its
/// end), the matching offset in the result.
pub fn normalize(text: &str, config: &NormalizeConfig, with_map: bool) -> (String, Option<Vec<usize>>) {
    let (composed, map1) = compose(text, config.form, with_map);
    let (tidy, map2) = tidy(&composed, config, with_map);
    let map = match (map1, map2) {
        (Some(m1), Some(m2)) => Some(m1.into_iter().map(|o| m2[o]).collect()),
        (None, m2) => m2,
        (Some(m1), None) => Some(m1),
    };
    (tidy.unwrap_or_else(|| composed.into_owned()), map)
}

/// Unicode normalization, segment by segment so that offsets can be mapped. A segment starts
/// before every ASCII character: no ASCII character composes with what precedes it, and
/// canonical reordering stops at starters, so normalizing segments one by one gives the
/// same result as normalizing the whole text.
fn compose(text: &str, form: Form, with_map: bool) -> (Cow<'_, str>, Option<Vec<usize>>) {
    let already = match form {
        Form::None => true,
        Form::Nfc => is_nfc_quick(text.chars()) == IsNormalized::Yes,
        Form::Nfkc => is_nfkc_quick(text.chars()) == IsNormalized::Yes,
    };
    if already {
        return (Cow::Borrowed(text), None);
    }
    let mut out = String::with_capacity(text.len());
    let mut map = with_map.then(|| vec![0usize; text.len() + 1]);
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < text.len() {
        let mut end = start + text[start..].chars().next().map_or(1, char::len_utf8);
        while end < text.len() && !bytes[end].is_ascii() {
            end += text[end..].chars().next().map_or(1, char::len_utf8);
        }
        let segment = &text[start..end];
        let new_start = out.len();
        match form {
            Form::Nfkc => out.extend(segment.nfkc()),
            _ => out.extend(segment.nfc()),
        }
        if let Some(map) = map.as_mut() {
            let unchanged = &out[new_start..] == segment;
            for (i, _) in segment.char_indices() {
                map[start + i] = if unchanged { new_start + i } else { new_start };
            }
        }
        start = end;
    }
    if let Some(map) = map.as_mut() {
        map[text.len()] = out.len();
    }
    (Cow::Owned(out), map)
}

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

/// Line ends, control and zero-width characters, white space, blank lines. Returns `None`
/// for the text when nothing changed.
fn tidy(text: &str, config: &NormalizeConfig, with_map: bool) -> (Option<String>, Option<Vec<usize>>) {
    let mut out = String::with_capacity(text.len());
    let mut map = with_map.then(|| vec![0usize; text.len() + 1]);
    // State: pending white space inside the line, blank lines seen, whether the current
    // line has content, and whether any line with content was written.
    let mut pending_space = false;
    let mut blank_run = 0usize;
    let mut line_has_text = false;
    let mut any_text = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().expect("i is on a char boundary");
        let next = i + c.len_utf8();
        if let Some(map) = map.as_mut() {
            map[i] = out.len() + usize::from(pending_space && line_has_text && !c.is_whitespace());
        }
        let newline = c == '\n' || (c == '\r' && config.remove_control);
        if newline {
            i = next;
            if c == '\r' && bytes.get(next) == Some(&b'\n') {
                continue; // CRLF: the LF ends the line
            }
            if line_has_text {
                blank_run = 0;
                line_has_text = false;
            } else if any_text {
                blank_run += 1;
            }
            pending_space = false;
            continue;
        }
        let c = if c == '\t' && config.remove_control { ' ' } else { c };
        if (config.remove_control && c.is_control()) || (config.remove_zero_width && is_zero_width(c)) {
            i = next;
            continue;
        }
        if config.collapse_whitespace && c.is_whitespace() {
            pending_space = true;
            i = next;
            continue;
        }
        // A character with content: first close the lines before it.
        if !line_has_text && any_text {
            out.push('\n');
            for _ in 0..blank_run.min(config.max_blank_lines) {
                out.push('\n');
            }
            blank_run = 0;
            if let Some(map) = map.as_mut() {
                map[i] = out.len();
            }
        } else if pending_space && line_has_text {
            out.push(' ');
        }
        pending_space = false;
        line_has_text = true;
        any_text = true;
        out.push(c);
        i = next;
        // The printable ASCII characters after it change nothing in the state: copied as
        // they are (with no offset map to fill).
        if map.is_none() {
            let run = bytes[i..].iter().position(|b| !(0x21..=0x7e).contains(b)).unwrap_or(bytes.len() - i);
            out.push_str(&text[i..i + run]);
            i += run;
        }
    }
    if let Some(map) = map.as_mut() {
        map[text.len()] = out.len();
        // Offsets inside trailing white space that was cut map to the end.
        for m in map.iter_mut() {
            *m = (*m).min(out.len());
        }
    }
    if out == text {
        (None, map)
    } else {
        (Some(out), map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use moulin_plugin::testkit::{check_config, Harness};
    use moulin_plugin::{Document, Span};
    use serde_json::json;

    fn run(text: &str) -> String {
        normalize(text, &NormalizeConfig::default(), false).0
    }

    #[test]
    fn composes_and_cleans() {
        assert_eq!(run("e\u{301}t\u{E9}"), "\u{E9}t\u{E9}");
        assert_eq!(run("a\u{200B}b\u{FEFF}c\u{AD}d"), "abcd");
        assert_eq!(run("a\u{0}b\u{7}c"), "abc");
        assert_eq!(run("a \t\u{A0} b"), "a b");
        assert_eq!(run("\n\n  a  \r\n\r\n\r\n b\n\n"), "a\n\nb");
        assert_eq!(run("a\rb"), "a\nb");
        assert_eq!(run(""), "");
        assert_eq!(run(" \n\t\u{200B} "), "");
    }

    proptest::proptest! {
        /// The copy of printable ASCII runs (taken without an offset map) gives the text the
        /// character-by-character path (taken with one) gives.
        #[test]
        fn the_fast_path_gives_the_same_text(text in "([a-z!~ .]|\\PC|[\\t\\r\\n\\u{0}\\u{b}\\u{a0}\\u{200b}]){0,80}", nfkc in proptest::bool::ANY) {
            let config = NormalizeConfig { form: if nfkc { Form::Nfkc } else { Form::Nfc }, ..Default::default() };
            proptest::prop_assert_eq!(normalize(&text, &config, false).0, normalize(&text, &config, true).0);
        }
    }

    #[test]
    fn keeps_joiners_and_emoji() {
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(run(family), family);
    }

    #[test]
    fn nfkc_folds_ligatures() {
        let config = NormalizeConfig { form: Form::Nfkc, ..Default::default() };
        assert_eq!(normalize("\u{FB01}n", &config, false).0, "fin");
    }

    #[test]
    fn spans_follow_the_text() {
        let text = "  Le  ge\u{301}ne\u{301}ral   Mark\u{200B} Milley \n\n\n\u{E0}  Doha ";
        let mut doc = Document::new("d", text);
        let find = |s: &str| text.find(s).unwrap();
        let general = find("ge\u{301}ne");
        let general_end = general + "ge\u{301}ne\u{301}ral".len();
        doc.add_span(Span::new(general as u64, general_end as u64, "entity", "X", "t"));
        let milley = find("Mark");
        doc.add_span(Span::new(milley as u64, (find("Milley") + 6) as u64, "entity", "PER", "t"));
        let doha = find("Doha");
        doc.add_span(Span::new(doha as u64, (doha + 4) as u64, "entity", "LOC", "t"));
        let mut stage = Harness::new::<Normalize>(json!({})).unwrap();
        let out = stage.process(vec![doc]).unwrap();
        let doc = &out.kept[0];
        assert_eq!(doc.text(), "Le g\u{E9}n\u{E9}ral Mark Milley\n\n\u{E0} Doha");
        let covered: Vec<&str> = doc.spans().iter().map(|s| &doc.text()[s.start as usize..s.end as usize]).collect();
        assert_eq!(covered, vec!["g\u{E9}n\u{E9}ral", "Mark Milley", "Doha"]);
    }

    #[test]
    fn a_span_over_removed_text_goes() {
        let mut doc = Document::new("d", "a \u{200B}\u{200B} b");
        doc.add_span(Span::new(2, 8, "x", "zw", "t"));
        let mut stage = Harness::new::<Normalize>(json!({})).unwrap();
        let out = stage.process(vec![doc]).unwrap();
        assert_eq!(out.kept[0].text(), "a b");
        assert!(out.kept[0].spans().is_empty());
    }

    #[test]
    fn config_errors_name_the_key() {
        let e = check_config::<Normalize>(json!({"form": "nfd"})).unwrap_err();
        assert_eq!(e.key(), Some("form"));
        assert!(e.message().contains("unknown variant `nfd`"), "{e}");
        let e = check_config::<Normalize>(json!({"max_blank_line": 2})).unwrap_err();
        assert_eq!(e.key(), Some("max_blank_line"));
    }
}
