//! MinHash signatures and their LSH bands.
//!
//! A document's shingles (n consecutive tokens, or n characters) are hashed once with xxh3;
//! hash `i` of the signature is the minimum over the shingles of `(a_i·x + b_i) mod 2^64`,
//! its high 32 bits (a multiply-shift family: one multiplication a hash, which the compiler
//! runs several lanes at a time). `a_i` (odd) and `b_i` come from the seed. The signature
//! is cut into `bands` bands of `rows` hashes; two documents are candidates when one band is
//! equal, and the share of equal hashes estimates their Jaccard similarity.

use twox_hash::XxHash3_64;

/// How shingles are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// n consecutive tokens (words; characters of scripts written without spaces).
    Word,
    /// n consecutive characters of the normalised text.
    Char,
}

/// Makes signatures for one configuration.
#[derive(Debug, Clone)]
pub struct Signer {
    a: Vec<u64>,
    b: Vec<u64>,
    unit: Unit,
    ngram: usize,
    /// Hashes in a band.
    pub rows: usize,
}

/// SplitMix64: the permutation parameters from the seed.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Signer {
    /// A signer of `bands × rows` hashes.
    pub fn new(unit: Unit, ngram: usize, bands: usize, rows: usize, seed: u64) -> Signer {
        let mut state = seed;
        let k = bands * rows;
        let a = (0..k).map(|_| splitmix(&mut state) | 1).collect();
        let b = (0..k).map(|_| splitmix(&mut state)).collect();
        Signer { a, b, unit, ngram: ngram.max(1), rows }
    }

    /// The signature of a normalised text, or `None` when it has no token. A text shorter
    /// than one shingle is one shingle: two such texts are candidates only when equal.
    pub fn sign(&self, normalised: &str, hashes: &mut Vec<u64>) -> Option<Vec<u32>> {
        hashes.clear();
        match self.unit {
            Unit::Word => {
                let words: Vec<u64> =
                    crate::text::tokens(normalised).map(|t| XxHash3_64::oneshot(t.as_bytes())).collect();
                if words.is_empty() {
                    return None;
                }
                let n = self.ngram.min(words.len());
                let mut buf = Vec::with_capacity(n * 8);
                hashes.extend(words.windows(n).map(|w| hash_le(w.iter().map(|x| x.to_le_bytes()), &mut buf)));
            }
            Unit::Char => {
                let ends: Vec<usize> = normalised.char_indices().map(|(i, _)| i).chain([normalised.len()]).collect();
                if ends.len() < 2 {
                    return None;
                }
                let n = self.ngram.min(ends.len() - 1);
                hashes.extend(ends.windows(n + 1).map(|w| XxHash3_64::oneshot(&normalised.as_bytes()[w[0]..w[n]])));
            }
        }
        hashes.sort_unstable();
        hashes.dedup();
        Some(self.signature(hashes))
    }

    fn signature(&self, shingles: &[u64]) -> Vec<u32> {
        let mut mins = vec![u64::MAX; self.a.len()];
        for &x in shingles {
            for ((m, a), b) in mins.iter_mut().zip(&self.a).zip(&self.b) {
                *m = (*m).min(a.wrapping_mul(x).wrapping_add(*b));
            }
        }
        mins.into_iter().map(|m| (m >> 32) as u32).collect()
    }

    /// The hash of each band of `signature`.
    pub fn bands<'a>(&'a self, signature: &'a [u32]) -> impl Iterator<Item = u64> + 'a {
        signature.chunks(self.rows).map(band_hash)
    }
}

/// The hash of one band's rows: the xxh3 of their little-endian bytes (the same on every
/// machine, since one shard's bands meet another's).
pub fn band_hash(rows: &[u32]) -> u64 {
    let mut buf = Vec::with_capacity(rows.len() * 4);
    hash_le(rows.iter().map(|r| r.to_le_bytes()), &mut buf)
}

/// The share of equal hashes: the estimate of the two documents' Jaccard similarity.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

/// The xxh3 of numbers' little-endian bytes, one after the other.
fn hash_le<const N: usize>(numbers: impl Iterator<Item = [u8; N]>, buf: &mut Vec<u8>) -> u64 {
    buf.clear();
    for n in numbers {
        buf.extend_from_slice(&n);
    }
    XxHash3_64::oneshot(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jaccard(a: &[u64], b: &[u64]) -> f64 {
        let (a, b): (std::collections::HashSet<_>, std::collections::HashSet<_>) =
            (a.iter().collect(), b.iter().collect());
        a.intersection(&b).count() as f64 / a.union(&b).count() as f64
    }

    #[test]
    fn the_estimate_follows_the_jaccard_similarity() {
        let signer = Signer::new(Unit::Word, 5, 32, 8, 1);
        let words: Vec<String> = (0..400).map(|i| format!("w{}", (i * 7919) % 1009)).collect();
        let base = words.join(" ");
        for cut in [0usize, 20, 60, 120, 200] {
            let other = words[cut..].join(" ") + " tail words here and more";
            let (mut ha, mut hb) = (Vec::new(), Vec::new());
            let sa = signer.sign(&base, &mut ha).unwrap();
            let sb = signer.sign(&other, &mut hb).unwrap();
            let (exact, estimate) = (jaccard(&ha, &hb), similarity(&sa, &sb));
            assert!((exact - estimate).abs() < 0.1, "cut {cut}: exact {exact}, estimate {estimate}");
        }
    }

    #[test]
    fn short_and_empty_texts() {
        let signer = Signer::new(Unit::Word, 5, 14, 8, 1);
        let mut h = Vec::new();
        assert!(signer.sign("", &mut h).is_none());
        let a = signer.sign("deux mots", &mut h).unwrap();
        let b = signer.sign("deux mots", &mut h).unwrap();
        let c = signer.sign("trois mots", &mut h).unwrap();
        assert_eq!(similarity(&a, &b), 1.0);
        assert!(similarity(&a, &c) < 0.1);
        let chars = Signer::new(Unit::Char, 3, 4, 2, 1);
        assert!(chars.sign("ab", &mut h).is_some());
        assert_eq!(chars.bands(&chars.sign("abcdef", &mut h).unwrap()).count(), 4);
    }
}
