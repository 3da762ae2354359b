//! Which copy stays: documents ordered by [`Keep`], then by input order, written as bytes
//! that sort that way ([`Rank`]), so that pass records sorted by key come in that order on
//! every shard.
//!
//! Input order is the walk's: by file path, folder by folder (a path is compared component
//! by component, as the walk sorts folders), then by archive member name, then by record
//! number; the document id ends the key, so two documents never compare equal.

use moulin_plugin::{Document, Error};
use serde::Deserialize;

/// Which document of a cluster stays.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    /// The first in input order (the default).
    #[default]
    First,
    /// The longest text (ties: the first).
    Longest,
    /// The shortest text (ties: the first).
    Shortest,
    /// The highest number in meta field `keep_field` (ties, and documents without it: the
    /// first, after those with it).
    Highest,
    /// The lowest number in meta field `keep_field`.
    Lowest,
}

/// A document's place: its rank bytes, of which the document id is the end.
pub struct Rank;

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    path: String,
    #[serde(default)]
    member: Option<String>,
    #[serde(default)]
    record: Option<u64>,
}

/// A float as a u64 that sorts the same way.
fn sortable(f: f64) -> u64 {
    let bits = f.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

impl Rank {
    /// The rank bytes of `doc`: priority (8 bytes), path, member, record, id.
    pub fn of(doc: &Document, keep: Keep, field: Option<&str>) -> Result<Vec<u8>, Error> {
        let priority = match keep {
            Keep::First => 0,
            Keep::Longest => u64::MAX - doc.text().len() as u64,
            Keep::Shortest => doc.text().len() as u64,
            Keep::Highest | Keep::Lowest => {
                let value = field.and_then(|f| doc.meta().get(f).and_then(|v| v.as_f64())).filter(|v| !v.is_nan());
                match value {
                    None => u64::MAX,
                    Some(v) if keep == Keep::Highest => u64::MAX - 1 - sortable(v).min(u64::MAX - 1),
                    Some(v) => sortable(v).min(u64::MAX - 1),
                }
            }
        };
        let meta: Meta = serde_json::from_str(doc.meta_json())
            .map_err(|e| Error::document(format!("document {}: meta is not a JSON object: {e}", doc.id())))?;
        let (path, member, record) = match &meta.source {
            Some(s) => (s.path.as_str(), s.member.as_deref().unwrap_or(""), s.record.unwrap_or(0)),
            None => (doc.id(), "", 0),
        };
        let mut rank = Vec::with_capacity(24 + path.len() + member.len() + doc.id().len());
        rank.extend_from_slice(&priority.to_be_bytes());
        for (i, part) in path.split('/').enumerate() {
            if i > 0 {
                rank.push(1);
            }
            rank.extend_from_slice(part.as_bytes());
        }
        rank.push(0);
        rank.extend_from_slice(member.as_bytes());
        rank.push(0);
        rank.extend_from_slice(&record.to_be_bytes());
        rank.extend_from_slice(doc.id().as_bytes());
        Ok(rank)
    }

    /// The document id at the end of rank bytes.
    pub fn id(rank: &[u8]) -> Result<&str, Error> {
        let bad = || Error::other("a dedup pass record does not hold a document rank");
        let rest = rank.get(8..).ok_or_else(bad)?;
        let path_end = rest.iter().position(|b| *b == 0).ok_or_else(bad)?;
        let rest = &rest[path_end + 1..];
        let member_end = rest.iter().position(|b| *b == 0).ok_or_else(bad)?;
        let id = rest.get(member_end + 9..).ok_or_else(bad)?;
        std::str::from_utf8(id).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, path: &str, record: u64, text: &str) -> Document {
        let mut d = Document::new(id, text);
        d.set_meta_field("source", serde_json::json!({ "path": path, "record": record }));
        d
    }

    #[test]
    fn ranks_sort_in_walk_order_and_keep_the_id() {
        // The walk sorts folder by folder: `a/x` before `a.b/x`, record 9 before record 10.
        let docs = [doc("a/x#9", "a/x", 9, "t"), doc("a/x#10", "a/x", 10, "t"), doc("a.b/x", "a.b/x", 0, "t")];
        let ranks: Vec<Vec<u8>> = docs.iter().map(|d| Rank::of(d, Keep::First, None).unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Rank::id(&ranks[1]).unwrap(), "a/x#10");
        let long = Rank::of(&doc("b", "b", 0, "a longer text"), Keep::Longest, None).unwrap();
        assert!(long < Rank::of(&docs[0], Keep::Longest, None).unwrap());
    }

    #[test]
    fn a_meta_field_ranks_highest_first_and_missing_last() {
        let mut hi = doc("z", "z", 0, "t");
        hi.set_meta_field("q", serde_json::json!(0.9));
        let mut lo = doc("a", "a", 0, "t");
        lo.set_meta_field("q", serde_json::json!(-2.5));
        let none = doc("0", "0", 0, "t");
        let r = |d: &Document, k| Rank::of(d, k, Some("q")).unwrap();
        assert!(r(&hi, Keep::Highest) < r(&lo, Keep::Highest) && r(&lo, Keep::Highest) < r(&none, Keep::Highest));
        assert!(r(&lo, Keep::Lowest) < r(&hi, Keep::Lowest) && r(&hi, Keep::Lowest) < r(&none, Keep::Lowest));
    }
}
