//! Words, their shapes, and where sentences start.
//!
//! The rules work on words only: a word is a run of letters and digits (a hyphenation sign
//! or soft hyphen followed by a line break inside a word joins its halves, as OCR text has
//! them: `Poin¬\ncaré`). Everything between two words (spaces, punctuation) is the gap.

use crate::fold::{push_folded, Folding};

/// How a word is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A capital then at least one small letter: `Paris`, `McDonald`.
    Title,
    /// Only capitals (one or more): `OTAN`, `M`, `PARIS`.
    Upper,
    /// Starts with a small letter: `de`, `iPhone`.
    Lower,
    /// Starts with a digit: `14`, `32e`.
    Digit,
}

/// A word of the text.
#[derive(Debug, Clone)]
pub struct Word {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// How it is written.
    pub shape: Shape,
    /// Lowercase, without accents, without hyphenation signs.
    pub folded: String,
    /// Whether a sentence starts here (see [`words`]).
    pub sentence_start: bool,
}

impl Word {
    /// Starts with a capital.
    pub fn is_capitalised(&self) -> bool {
        matches!(self.shape, Shape::Title | Shape::Upper)
    }
}

const FOLD: Folding = Folding { case: true, accents: true };

/// Chars after which a new sentence starts.
fn ends_sentence(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | '…'
            | ':'
            | ';'
            | '«'
            | '»'
            | '"'
            | '“'
            | '”'
            | '—'
            | '–'
            | '•'
            | '('
            | ')'
            | '['
            | ']'
            | '|'
            | '*'
    )
}

/// The words of `text`. `is_abbreviation` tells which words a period does not end a
/// sentence after (`M.`, `Gen.`, initials are handled here).
pub fn words(text: &str, is_abbreviation: impl Fn(&str) -> bool) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !c.is_alphanumeric() {
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut folded = String::new();
        push_folded(c, FOLD, &mut folded);
        let mut lower = c.is_lowercase() as usize;
        loop {
            match chars.peek() {
                Some(&(i, c)) if c.is_alphanumeric() => {
                    chars.next();
                    end = i + c.len_utf8();
                    push_folded(c, FOLD, &mut folded);
                    lower += c.is_lowercase() as usize;
                }
                Some(&(i, '¬' | '\u{ad}')) => {
                    // A word broken at a line end: join when a small letter follows.
                    let rest = text[i..].char_indices().skip(1).find(|(_, c)| !c.is_whitespace());
                    match rest {
                        Some((off, c)) if c.is_lowercase() => {
                            while chars.peek().is_some_and(|&(j, _)| j < i + off) {
                                chars.next();
                            }
                        }
                        _ => break,
                    }
                }
                _ => break,
            }
        }
        let shape = if c.is_numeric() {
            Shape::Digit
        } else if !c.is_uppercase() {
            // Small letters, and scripts without case: capitals tell nothing there.
            Shape::Lower
        } else if lower == 0 {
            Shape::Upper
        } else {
            Shape::Title
        };
        let sentence_start = match out.last() {
            None => true,
            Some(prev) => {
                let gap = &text[prev.end..start];
                let period_after_abbreviation = gap.trim_start().starts_with('.')
                    && (is_abbreviation(&text[prev.start..prev.end])
                        || prev.shape == Shape::Upper && prev.end - prev.start == 1);
                let punct = gap.chars().any(ends_sentence);
                // A gap of several spaces or a tab separates cells (a ticker's headlines).
                let wide =
                    gap.contains('\t') || gap.chars().filter(|c| c.is_whitespace()).count() >= 2 && !gap.contains('\n');
                let line_break = gap.contains('\n') && !gap.contains(',') && prev.shape != Shape::Lower;
                (punct || line_break || wide) && !(period_after_abbreviation && gap.trim().len() == 1)
            }
        };
        out.push(Word { start, end, shape, folded, sentence_start });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_shapes_and_sentences() {
        let text = "M. Gambetta parla. Le Poin¬\ncaré de l’OTAN, 32e ! iPhone";
        let ws = words(text, |w| w == "M");
        let got: Vec<(&str, Shape, bool)> =
            ws.iter().map(|w| (&text[w.start..w.end], w.shape, w.sentence_start)).collect();
        assert_eq!(
            got,
            [
                ("M", Shape::Upper, true),
                ("Gambetta", Shape::Title, false),
                ("parla", Shape::Lower, false),
                ("Le", Shape::Title, true),
                ("Poin¬\ncaré", Shape::Title, false),
                ("de", Shape::Lower, false),
                ("l", Shape::Lower, false),
                ("OTAN", Shape::Upper, false),
                ("32e", Shape::Digit, false),
                ("iPhone", Shape::Lower, true),
            ]
        );
        assert_eq!(ws[4].folded, "poincare");
    }
}
