//! What the exported documents hold, counted as they are exported: their languages and
//! the detector's scores, their spans by layer and label ([`Content`], exact counts that add
//! up over shards, part of a run's totals), and the most frequent entities
//! ([`FrequentEntities`], an estimate, kept apart from the totals).
//!
//! Every count is bounded: at most [`MAX_KINDS`] languages and [`MAX_KINDS`] span kinds are
//! counted apart (the rest together), and the most frequent entities are kept by the
//! space-saving algorithm (Metwally et al., 2005) in [`ENTITY_SLOTS`] slots, so that a count
//! may be over by at most its `error`. Documents are counted in input order, so the counts
//! are the same for any number of threads, and a resumed run continues them from its
//! journal. The estimate of a merged sharded run may differ from a single run's where a
//! count has an error: the shards saw the entities in other groups.

use moulin_abi::Doc;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The most languages, and span kinds, counted apart.
pub const MAX_KINDS: usize = 256;
/// Where the languages or span kinds past [`MAX_KINDS`] are counted.
pub const OTHER_KINDS: &str = "(other)";
/// Slots for the most frequent entities.
pub const ENTITY_SLOTS: usize = 200;
/// The longest entity text kept, in characters.
const ENTITY_CHARS: usize = 80;

/// The counts (see the module).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Content {
    /// Exported documents by `lang`.
    pub languages: BTreeMap<String, u64>,
    /// Exported documents by `lang_score`, in tenths: `[0, 0.1)`, ... `[0.9, 1]`, then the
    /// documents without a score.
    pub lang_scores: Vec<u64>,
    /// Spans of exported documents by `layer/label`.
    pub spans: BTreeMap<String, u64>,
}

/// The most frequent texts of `entity` spans, with their label, most frequent first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct FrequentEntities(pub Vec<EntityCount>);

/// An entity text and how often it was seen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EntityCount {
    /// The text (its first 80 characters).
    pub text: String,
    /// The span's label.
    pub label: String,
    /// How often, at most `error` over.
    pub count: u64,
    /// How much `count` may be over (0: exact).
    pub error: u64,
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str, n: u64) {
    if let Some(v) = map.get_mut(key) {
        *v += n;
    } else if map.len() < MAX_KINDS {
        map.insert(key.to_string(), n);
    } else {
        *map.entry(OTHER_KINDS.to_string()).or_default() += n;
    }
}

impl Content {
    /// Count the exported documents of a batch.
    pub fn add(&mut self, docs: &[Doc]) {
        let mut key = String::new();
        for doc in docs {
            bump(&mut self.languages, doc.lang.as_str(), 1);
            if self.lang_scores.len() != 11 {
                self.lang_scores.resize(11, 0);
            }
            let bin =
                if doc.lang_score.is_nan() { 10 } else { ((doc.lang_score.clamp(0.0, 1.0) * 10.0) as usize).min(9) };
            self.lang_scores[bin] += 1;
            for span in doc.spans.iter() {
                // One buffer for every key: no allocation a span once its kind is known.
                key.clear();
                key.push_str(span.layer.as_str());
                key.push('/');
                key.push_str(span.label.as_str());
                bump(&mut self.spans, &key, 1);
            }
        }
    }

    /// Add another run's counts (a shard's) to these.
    pub fn merge(&mut self, other: &Content) {
        for (k, n) in &other.languages {
            bump(&mut self.languages, k, *n);
        }
        if self.lang_scores.len() < other.lang_scores.len() {
            self.lang_scores.resize(other.lang_scores.len(), 0);
        }
        for (a, b) in self.lang_scores.iter_mut().zip(&other.lang_scores) {
            *a += b;
        }
        for (k, n) in &other.spans {
            bump(&mut self.spans, k, *n);
        }
    }
}

impl FrequentEntities {
    /// Count the `entity` spans of a batch's exported documents, in order.
    pub fn add(&mut self, docs: &[Doc]) {
        let mut top = TopEntities::from(&self.0);
        for doc in docs {
            for span in doc.spans.iter().filter(|s| s.layer.as_str() == "entity") {
                let text = doc.text.as_str().get(span.start as usize..span.end as usize).unwrap_or("");
                let text: String = text.chars().take(ENTITY_CHARS).collect();
                top.see(&text, span.label.as_str(), 1, 0);
            }
        }
        self.0 = top.into_counts();
    }

    /// Add another run's estimate (a shard's) to this one; the errors add up too.
    pub fn merge(&mut self, other: &FrequentEntities) {
        let mut top = TopEntities::from(&self.0);
        for e in &other.0 {
            top.see(&e.text, &e.label, e.count, e.error);
        }
        self.0 = top.into_counts();
    }
}

/// Space-saving over `(label, text)`: the slots, and the same ordered by count for the
/// smallest (ties by key, so that the result does not depend on a hash order).
struct TopEntities {
    slots: BTreeMap<(String, String), (u64, u64)>,
    by_count: BTreeSet<(u64, String, String)>,
}

impl TopEntities {
    fn from(counts: &[EntityCount]) -> TopEntities {
        let mut top = TopEntities { slots: BTreeMap::new(), by_count: BTreeSet::new() };
        for e in counts {
            top.slots.insert((e.label.clone(), e.text.clone()), (e.count, e.error));
            top.by_count.insert((e.count, e.label.clone(), e.text.clone()));
        }
        top
    }

    /// `n` more of `(label, text)`, itself counted to within `error`.
    fn see(&mut self, text: &str, label: &str, n: u64, error: u64) {
        let key = (label.to_string(), text.to_string());
        if let Some((count, err)) = self.slots.get_mut(&key) {
            self.by_count.remove(&(*count, key.0.clone(), key.1.clone()));
            *count += n;
            *err += error;
            self.by_count.insert((*count, key.0, key.1));
            return;
        }
        let (count, error) = if self.slots.len() < ENTITY_SLOTS {
            (n, error)
        } else {
            let smallest = self.by_count.pop_first().expect("full slots");
            self.slots.remove(&(smallest.1, smallest.2));
            (smallest.0 + n, smallest.0 + error)
        };
        self.by_count.insert((count, key.0.clone(), key.1.clone()));
        self.slots.insert(key, (count, error));
    }

    /// The slots, most frequent first (ties by label and text).
    fn into_counts(self) -> Vec<EntityCount> {
        let mut counts: Vec<EntityCount> = self
            .slots
            .into_iter()
            .map(|((label, text), (count, error))| EntityCount { text, label, count, error })
            .collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.label, &a.text).cmp(&(&b.label, &b.text))));
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use moulin_abi::Span;

    fn doc(lang: &str, score: f32, text: &str, entities: &[(usize, usize, &str)]) -> Doc {
        let mut d = Doc::new("d", text);
        d.lang = lang.into();
        d.lang_score = score;
        for &(start, end, label) in entities {
            d.spans.push(Span::new(start as u64, end as u64, "entity", label, "ner"));
        }
        d
    }

    #[test]
    fn languages_scores_and_spans_are_counted() {
        let mut c = Content::default();
        let docs = [doc("fr", 0.95, "Paris et Lyon", &[(0, 5, "LOC"), (9, 13, "LOC")]), doc("en", f32::NAN, "x", &[])];
        c.add(&docs);
        assert_eq!(c.languages, BTreeMap::from([("en".to_string(), 1), ("fr".to_string(), 1)]));
        assert_eq!(c.lang_scores[9], 1);
        assert_eq!(c.lang_scores[10], 1);
        assert_eq!(c.spans["entity/LOC"], 2);
        let mut e = FrequentEntities::default();
        e.add(&docs);
        assert_eq!(e.0.len(), 2);
    }

    #[test]
    fn the_most_frequent_entities_survive_many_rare_ones() {
        let mut e = FrequentEntities::default();
        let mut docs = Vec::new();
        for i in 0..5_000 {
            let text = format!("Paris Rare{i}");
            let end = text.len();
            docs.push(doc("fr", 0.9, &text, &[(0, 5, "LOC"), (6, end, "PER")]));
        }
        e.add(&docs);
        assert_eq!(e.0.len(), ENTITY_SLOTS);
        assert_eq!((e.0[0].text.as_str(), e.0[0].count, e.0[0].error), ("Paris", 5_000, 0));
        // Every estimate is within its error: the rare names seen once are counted at most
        // `count`, at least `count - error`.
        assert!(e.0[1..].iter().all(|x| x.count - x.error <= 1 && x.count >= 1), "{:?}", &e.0[1..4]);
        // Counted in two halves and merged: the same leader, and the errors carried over.
        let (mut a, mut b) = (FrequentEntities::default(), FrequentEntities::default());
        a.add(&docs[..2_500]);
        b.add(&docs[2_500..]);
        a.merge(&b);
        assert_eq!((a.0[0].text.as_str(), a.0[0].count, a.0[0].error), ("Paris", 5_000, 0));
        assert!(a.0[1..].iter().all(|x| x.count - x.error <= 1), "{:?}", &a.0[1..4]);
    }

    #[test]
    fn kinds_past_the_bound_are_counted_together() {
        let mut c = Content::default();
        let docs: Vec<Doc> = (0..MAX_KINDS + 10).map(|i| doc(&format!("l{i}"), 0.5, "x", &[])).collect();
        c.add(&docs);
        assert_eq!(c.languages.len(), MAX_KINDS + 1);
        assert_eq!(c.languages[OTHER_KINDS], 10);
    }
}
