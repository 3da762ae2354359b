//! What is compared: the text normalised ([`Normalize`], datatrove's `simplify_text` by
//! default), cut into tokens ([`tokens`]) or into paragraphs and lines ([`units`]).

use serde::{Deserialize, Serialize};
use unicode_general_category::{get_general_category, GeneralCategory as G};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// How a text is normalised before it is hashed or shingled. Every step is on by default,
/// as datatrove's `simplify_text` (its MinHash and exact dedup) does them: so "Le 12 mai, à
/// Paris !" and "le 3 mai a paris" compare equal.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Normalize {
    /// Lowercase.
    pub lowercase: bool,
    /// Replace each number (`12`, `3.5`, `1,200` is two) with `0`.
    pub numbers: bool,
    /// Replace punctuation (Unicode `P*` and ASCII symbols) with a space.
    pub punctuation: bool,
    /// Remove diacritics (decompose, drop combining marks): `é` → `e`.
    pub diacritics: bool,
}

impl Default for Normalize {
    fn default() -> Self {
        Normalize { lowercase: true, numbers: true, punctuation: true, diacritics: true }
    }
}

impl Normalize {
    /// `text` normalised, into `out` (cleared first): whitespace runs always become one
    /// space, and the ends are trimmed.
    pub fn apply(&self, text: &str, out: &mut String) {
        out.clear();
        let mut space = true; // at the start: a leading space is not written
        let (mut in_number, mut decimals) = (false, false);
        let mut push = |c: char, out: &mut String| {
            if c == ' ' {
                if !space {
                    out.push(' ');
                    space = true;
                }
            } else {
                out.push(c);
                space = false;
            }
        };
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if self.numbers && c.is_numeric() {
                if !in_number {
                    push('0', out);
                }
                in_number = true;
                // `3.5` is one number, as datatrove's `\d+(\.\d+)?` has it (`1.2.3` is two).
                if !decimals && chars.peek() == Some(&'.') {
                    let mut ahead = chars.clone();
                    ahead.next();
                    if ahead.peek().is_some_and(|d| d.is_numeric()) {
                        chars.next();
                        decimals = true;
                    }
                }
                continue;
            }
            (in_number, decimals) = (false, false);
            if c.is_whitespace() || c.is_control() || (self.punctuation && is_punctuation(c)) {
                push(' ', out);
            } else if self.diacritics && !c.is_ascii() {
                for d in std::iter::once(c).nfd().filter(|d| !is_combining_mark(*d)) {
                    lower_into(d, self.lowercase, out, &mut push);
                }
            } else {
                lower_into(c, self.lowercase, out, &mut push);
            }
        }
        if out.ends_with(' ') {
            out.pop();
        }
    }
}

fn lower_into(c: char, lowercase: bool, out: &mut String, push: &mut impl FnMut(char, &mut String)) {
    if lowercase {
        for l in c.to_lowercase() {
            push(l, out);
        }
    } else {
        push(c, out);
    }
}

/// Punctuation as datatrove's set has it: Unicode punctuation and the ASCII symbols
/// (`$ + < = > ^ ` | ~`). The quality plugin's `pystr::is_punct` tests the same `P*`
/// categories without the symbols; plugins do not depend on one another (linking the quality
/// library would bring its spaCy tables), so the few lines stand in both.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    matches!(
        get_general_category(c),
        G::ConnectorPunctuation
            | G::DashPunctuation
            | G::OpenPunctuation
            | G::ClosePunctuation
            | G::InitialPunctuation
            | G::FinalPunctuation
            | G::OtherPunctuation
    )
}

/// Whether `c` belongs to a script written without spaces between words (Han, kana, Thai,
/// Lao, Khmer, Myanmar, Tibetan): each such character is a token of its own.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x0F00..=0x0FFF // Tibetan
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x2E80..=0x2FDF // CJK radicals
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3100..=0x312F // Bopomofo
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0x20000..=0x3134F // CJK extensions B to G
    )
}

/// The tokens of a normalised text: words between spaces, and each character of a script
/// written without spaces on its own (so that Chinese and Thai are shingled by characters,
/// not as one "word" per line).
pub fn tokens(normalised: &str) -> impl Iterator<Item = &str> {
    normalised.split(' ').filter(|w| !w.is_empty()).flat_map(|word| {
        let mut rest = word;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let end = if unspaced(first) {
                first.len_utf8()
            } else {
                rest.char_indices().find(|(_, c)| unspaced(*c)).map_or(rest.len(), |(i, _)| i)
            };
            let (token, tail) = rest.split_at(end);
            rest = tail;
            Some(token)
        })
    })
}

/// What the paragraph and line levels cut a document into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Blocks of text between blank lines.
    Paragraphs,
    /// Lines.
    Lines,
}

/// One paragraph or line: its byte range in the text, and the range with the separator
/// after it (what goes when it is removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// Where its text starts.
    pub start: usize,
    /// Where its text ends.
    pub end: usize,
    /// Where the next unit (or the end of the text) starts.
    pub until: usize,
}

/// The paragraphs or lines of `text`, in order. Blank lines are no unit; the blank lines
/// before the first unit are not part of any.
pub fn units(text: &str, cut: Cut) -> Vec<Unit> {
    let mut lines = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        lines.push((at, at + body.len(), at + line.len(), body.trim().is_empty()));
        at += line.len();
    }
    let mut units: Vec<Unit> = Vec::new();
    let mut open = false;
    for (start, end, until, blank) in lines {
        if blank {
            if let Some(last) = units.last_mut() {
                last.until = until;
            }
            open = false;
        } else if open && cut == Cut::Paragraphs {
            let last = units.last_mut().expect("open");
            (last.end, last.until) = (end, until);
        } else {
            units.push(Unit { start, end, until });
            open = true;
        }
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        let mut out = String::new();
        Normalize::default().apply(text, &mut out);
        out
    }

    #[test]
    fn normalises_as_simplify_text_does() {
        assert_eq!(norm("  Le 12 mai, à Paris !\n\tÉté 3.5 % "), "le 0 mai a paris ete 0");
        assert_eq!(norm("1,200 ou 1.2.3"), "0 0 ou 0 0");
        assert_eq!(norm("«Bonjour» — l'été"), "bonjour l ete");
        assert_eq!(norm(""), "");
        assert_eq!(norm(" !!! "), "");
        let mut out = String::new();
        Normalize { lowercase: false, numbers: false, punctuation: false, diacritics: false }
            .apply("É 12, x", &mut out);
        assert_eq!(out, "É 12, x");
    }

    #[test]
    fn unspaced_scripts_are_tokens_by_character() {
        let t: Vec<&str> = tokens("abc 北京欢迎你 x日本y").collect();
        assert_eq!(t, ["abc", "北", "京", "欢", "迎", "你", "x", "日", "本", "y"]);
        assert_eq!(tokens("").count(), 0);
    }

    #[test]
    fn units_cover_paragraphs_and_lines() {
        let text = "\nA\nB\n\n\nC\r\nD";
        let p = units(text, Cut::Paragraphs);
        assert_eq!(p.iter().map(|u| &text[u.start..u.end]).collect::<Vec<_>>(), ["A\nB", "C\r\nD"]);
        assert_eq!((p[0].until, p[1].until), (7, text.len()));
        let l = units(text, Cut::Lines);
        assert_eq!(l.iter().map(|u| &text[u.start..u.end]).collect::<Vec<_>>(), ["A", "B", "C", "D"]);
        assert_eq!(&text[l[1].start..l[1].until], "B\n\n\n");
        assert!(units("", Cut::Lines).is_empty());
    }
}
