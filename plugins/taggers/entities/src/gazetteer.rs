//! Gazetteers: lists of names matched with aho-corasick over folded text.
//!
//! A list is TSV: `surface<TAB>label[<TAB>canonical id]`, `#` comments and blank lines
//! skipped. Matching is leftmost-longest on word boundaries, after folding both sides (see
//! [`crate::fold`]).

use crate::fold::{fold, Folded, Folding};
use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;
use std::path::Path;

/// How a list compares letter case.
#[derive(Debug, Clone, Copy, Default, Deserialize, serde::Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum CaseMode {
    /// Case-insensitive, but an entry written with a capital only matches text that starts
    /// with a capital: `Paris` and `PARIS` match, `paris` (bets) does not. The default.
    #[default]
    Smart,
    /// Exact case.
    Sensitive,
    /// Any case.
    Insensitive,
}

/// One name of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The name as written in the list.
    pub surface: String,
    /// The entity label (`LOC`, `PER`...).
    pub label: String,
    /// A canonical id (`geonames:2988507`, a Wikidata QID), when the list gives one.
    pub id: Option<String>,
}

/// A match of a list entry in a text: byte offsets in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Index of the entry in [`Gazetteer::entries`].
    pub entry: usize,
}

/// A compiled list.
#[derive(Debug)]
pub struct Gazetteer {
    /// The name reported in spans (`places`, or the user list's file name).
    pub name: String,
    /// The entries, in the automaton's pattern order.
    pub entries: Vec<Entry>,
    /// How the list and the text are folded.
    pub folding: Folding,
    case: CaseMode,
    /// Per entry: whether it starts with a capital (used by [`CaseMode::Smart`]).
    capitalised: Vec<bool>,
    automaton: AhoCorasick,
}

/// A problem in a list file: where, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct ListError {
    /// 1-based line, 0 for the file as a whole.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// Parse list text. `default_label` fills rows with one column.
pub fn parse_list(text: &str, default_label: Option<&str>) -> Result<Vec<Entry>, ListError> {
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let surface = cols.next().unwrap_or("").trim();
        let label = cols.next().map(str::trim).filter(|l| !l.is_empty()).or(default_label);
        let id = cols.next().map(str::trim).filter(|i| !i.is_empty()).map(str::to_string);
        let err = |message: String| ListError { line: n + 1, message };
        if surface.is_empty() {
            return Err(err("expected a name in the first column, found nothing".into()));
        }
        let Some(label) = label else {
            return Err(err(format!(
                "expected `name<TAB>label[<TAB>id]`, found no label for {surface:?} (and the list sets no `label`)"
            )));
        };
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(err(format!("expected a label of letters, digits, `_` or `-`, found {label:?}")));
        }
        entries.push(Entry { surface: surface.to_string(), label: label.to_string(), id });
    }
    Ok(entries)
}

impl Gazetteer {
    /// Compile `entries`. Entries that fold to the same text keep the first.
    pub fn new(name: &str, entries: Vec<Entry>, case: CaseMode, accents: bool) -> Result<Self, ListError> {
        let folding = Folding { case: case != CaseMode::Sensitive, accents };
        let mut seen = std::collections::HashSet::new();
        let mut kept = Vec::new();
        let mut patterns = Vec::new();
        for entry in entries {
            let key = fold(&entry.surface, folding).text.trim().to_string();
            if !key.is_empty() && seen.insert(key.clone()) {
                patterns.push(key);
                kept.push(entry);
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| ListError { line: 0, message: format!("cannot compile the list: {e}") })?;
        let capitalised = kept.iter().map(|e| e.surface.chars().next().is_some_and(char::is_uppercase)).collect();
        Ok(Gazetteer { name: name.to_string(), entries: kept, folding, case, capitalised, automaton })
    }

    /// Read and compile a list file.
    pub fn load(path: &Path, default_label: Option<&str>, case: CaseMode, accents: bool) -> Result<Self, ListError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ListError { line: 0, message: format!("cannot read the list: {e}") })?;
        let name = path.file_stem().map_or_else(|| "list".to_string(), |s| s.to_string_lossy().into_owned());
        Gazetteer::new(&name, parse_list(&text, default_label)?, case, accents)
    }

    /// Every match in `text`, given its folded form (made with [`Gazetteer::folding`]).
    pub fn find(&self, text: &str, folded: &Folded) -> Vec<Hit> {
        let f = folded.text.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
        let mut hits = Vec::new();
        for m in self.automaton.find_iter(&folded.text) {
            // Word boundaries, checked on the folded text (any non-ASCII byte counts as a
            // letter: folded text keeps few non-letters outside ASCII).
            if m.start() > 0 && is_word(f[m.start() - 1]) || m.end() < f.len() && is_word(f[m.end()]) {
                continue;
            }
            let (start, end) = folded.original(m.start(), m.end());
            let entry = m.pattern().as_usize();
            if self.case == CaseMode::Smart
                && self.capitalised[entry]
                && !text[start..].chars().next().is_some_and(char::is_uppercase)
            {
                continue;
            }
            hits.push(Hit { start, end, entry });
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(rows: &str, case: CaseMode) -> Gazetteer {
        Gazetteer::new("test", parse_list(rows, None).unwrap(), case, true).unwrap()
    }

    fn found(g: &Gazetteer, text: &str) -> Vec<String> {
        let folded = fold(text, g.folding);
        g.find(text, &folded)
            .iter()
            .map(|h| format!("{}={}", &text[h.start..h.end], g.entries[h.entry].label))
            .collect()
    }

    #[test]
    fn matches_longest_on_word_boundaries_with_smart_case() {
        let g = list("Paris\tLOC\tgeonames:2988507\nParis-Soir\tMISC\nÉtats-Unis\tLOC\n", CaseMode::Smart);
        assert_eq!(
            found(&g, "De PARIS aux Etats - Unis, Paris-Soir."),
            ["PARIS=LOC", "Etats - Unis=LOC", "Paris-Soir=MISC"]
        );
        assert!(found(&g, "les paris sont ouverts, Parisiens").is_empty());
        assert_eq!(found(&list("Paris\tLOC", CaseMode::Insensitive), "paris"), ["paris=LOC"]);
        assert!(found(&list("Paris\tLOC", CaseMode::Sensitive), "PARIS").is_empty());
    }

    #[test]
    fn list_errors_name_the_line() {
        assert_eq!(parse_list("# c\nParis\tLOC\nLyon\n", None).unwrap_err().line, 3);
        assert_eq!(parse_list("Lyon\n", Some("LOC")).unwrap()[0].label, "LOC");
        assert!(parse_list("\tLOC\n", None).unwrap_err().message.contains("expected a name"));
        assert!(parse_list("A\tL O C\n", None).unwrap_err().message.contains("expected a label"));
    }
}
