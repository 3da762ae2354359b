//! Folding text for matching: case, accents, hyphens and line-break hyphenation.
//!
//! Gazetteer entries and the text are folded the same way, so `Etats-Unis`, `ÉTATS UNIS` and
//! `États - Unis` all match the entry `États-Unis`, and a name broken across lines by OCR
//! hyphenation (`Châ¬\nteaudun`) matches `Châteaudun`. The folded text keeps a map back to
//! the original byte offsets, so a match is reported on the original text.

use unicode_normalization::char::decompose_canonical;

/// How letters are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Folding {
    /// Lowercase everything.
    pub case: bool,
    /// Remove accents and other combining marks (`é` → `e`), and spell out `œ`, `æ`.
    pub accents: bool,
}

/// A folded copy of a text with the way back to the original.
#[derive(Debug, Default)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// For each byte of `text`: the byte offset of the original char it came from.
    starts: Vec<u32>,
    /// For each byte of `text`: the byte offset just past that original char.
    ends: Vec<u32>,
}

impl Folded {
    /// The original byte range of the folded range `start..end` (not empty).
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.starts[start] as usize, self.ends[end - 1] as usize)
    }
}

/// Chars that join words the way a space does, for matching.
fn is_joiner(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '_')
}

/// Fold one char into `out` (lowercase, accents removed, as asked).
pub(crate) fn push_folded(c: char, folding: Folding, out: &mut String) {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02bc}' | '`' | '\u{b4}' => out.push('\''),
        'œ' | 'Œ' if folding.accents => out.push_str(if folding.case || c == 'œ' { "oe" } else { "OE" }),
        'æ' | 'Æ' if folding.accents => out.push_str(if folding.case || c == 'æ' { "ae" } else { "AE" }),
        _ if c.is_ascii() => out.push(if folding.case { c.to_ascii_lowercase() } else { c }),
        _ => {
            let mut push = |c: char| {
                if folding.case {
                    out.extend(c.to_lowercase());
                } else {
                    out.push(c);
                }
            };
            if folding.accents {
                decompose_canonical(c, |d| {
                    if !unicode_normalization::char::is_combining_mark(d) {
                        push(d)
                    }
                });
            } else {
                push(c);
            }
        }
    }
}

/// Fold `text`: letters as `folding` says, every run of white space and hyphens becomes one
/// space, typographic apostrophes become `'`, and a hyphenation sign (`¬` or a soft hyphen)
/// vanishes together with the white space after it.
pub fn fold(text: &str, folding: Folding) -> Folded {
    let mut out = Folded {
        text: String::with_capacity(text.len() + 8),
        starts: Vec::with_capacity(text.len() + 8),
        ends: Vec::with_capacity(text.len() + 8),
    };
    let mut in_gap = false;
    let mut after_hyphenation = false;
    for (i, c) in text.char_indices() {
        let end = (i + c.len_utf8()) as u32;
        if matches!(c, '¬' | '\u{ad}') {
            after_hyphenation = true;
            continue;
        }
        if after_hyphenation && c.is_whitespace() {
            continue;
        }
        after_hyphenation = false;
        if is_joiner(c) {
            if !in_gap {
                out.text.push(' ');
                out.starts.push(i as u32);
                out.ends.push(end);
                in_gap = true;
            } else if let Some(last) = out.ends.last_mut() {
                *last = end;
            }
            continue;
        }
        in_gap = false;
        let before = out.text.len();
        push_folded(c, folding, &mut out.text);
        for _ in before..out.text.len() {
            out.starts.push(i as u32);
            out.ends.push(end);
        }
    }
    out
}

/// Fold a short string (a word, a list entry) with case and accents folded, and trim it.
pub fn fold_word(word: &str) -> String {
    let folded = fold(word, Folding { case: true, accents: true }).text;
    folded.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Folding = Folding { case: true, accents: true };

    #[test]
    fn folds_case_accents_joiners_and_hyphenation() {
        assert_eq!(fold("États - Unis", ALL).text, "etats unis");
        assert_eq!(fold("Etats-Unis", ALL).text, "etats unis");
        assert_eq!(fold("Châ¬\n teaudun", ALL).text, "chateaudun");
        assert_eq!(fold("Cœur d’Alene", ALL).text, "coeur d'alene");
        assert_eq!(fold("ÉTÉ", Folding { case: false, accents: true }).text, "ETE");
        assert_eq!(fold("Été", Folding { case: true, accents: false }).text, "été");
    }

    #[test]
    fn maps_back_to_the_original() {
        let text = "à Châ¬\nteaudun - ville";
        let f = fold(text, ALL);
        let start = f.text.find("chateaudun").unwrap();
        let (s, e) = f.original(start, start + "chateaudun".len());
        assert_eq!(&text[s..e], "Châ¬\nteaudun");
        let (s, e) = f.original(0, f.text.len());
        assert_eq!(&text[s..e], text);
    }
}
