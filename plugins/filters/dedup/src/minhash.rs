//! MinHash signatures and their LSH bands.
//!
//! A document's shingles (n consecutive tokens, or n characters) are hashed once with xxh3;
//! hash `i` of the signature is the minimum over the shingles of `(a_i·x + b_i) mod 2^64`,
//! its high 32 bits (a multiply-shift family: one multiplication a hash, which the compiler
//! runs several lanes at a time). `a_i` (odd) and `b_i` come from the seed. The signature
//! is cut into `bands` bands of `rows` hashes; two documents are candidates when one band is
//! equal.
//!
//! A candidate is verified by a second sketch: the [`BOTTOM_K`] smallest shingle hashes
//! (bottom-k). Two documents of at most that many distinct shingles are compared exactly
//! (their whole shingle sets); longer ones by the bottom-k estimate, whose error is about
//! `sqrt(J(1-J)/512)`, 0.02 at J = 0.7, where the 112 MinHash hashes alone would give 0.04.

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

    /// The signature of a normalised text, or `None` when it has no token: the MinHash
    /// hashes, the number of distinct shingles, and the bottom-k sketch. A text shorter than
    /// one shingle is one shingle: two such texts are candidates only when equal.
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
        let mut signature = self.signature(hashes);
        signature.push(u32::try_from(hashes.len()).unwrap_or(u32::MAX));
        let start = signature.len();
        signature.extend(hashes.iter().take(BOTTOM_K).map(|h| (h >> 32) as u32));
        // Two hashes may share their high half: once each.
        let mut last = None;
        let mut kept = start;
        for i in start..signature.len() {
            if last != Some(signature[i]) {
                last = Some(signature[i]);
                signature[kept] = signature[i];
                kept += 1;
            }
        }
        signature.truncate(kept);
        Some(signature)
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
        signature[..self.a.len().min(signature.len())].chunks(self.rows).map(band_hash)
    }
}

/// The hash of one band's rows: the xxh3 of their little-endian bytes (the same on every
/// machine, since one shard's bands meet another's).
pub fn band_hash(rows: &[u32]) -> u64 {
    // Called for every band of every document, in the pass and the cluster step: no
    // allocation for bands of up to 64 rows.
    let mut bytes = [0u8; 256];
    if rows.len() * 4 <= bytes.len() {
        for (chunk, r) in bytes.chunks_exact_mut(4).zip(rows) {
            chunk.copy_from_slice(&r.to_le_bytes());
        }
        return XxHash3_64::oneshot(&bytes[..rows.len() * 4]);
    }
    let mut buf = Vec::with_capacity(rows.len() * 4);
    hash_le(rows.iter().map(|r| r.to_le_bytes()), &mut buf)
}

/// The distinct shingle hashes a signature keeps to verify candidates by.
pub const BOTTOM_K: usize = 512;

/// The Jaccard similarity of two signatures of `hashes` MinHash hashes: by their bottom-k
/// sketches (exact when both hold every shingle), or the share of equal hashes when they
/// have none (the exact method's hash).
pub fn similarity(a: &[u32], b: &[u32], hashes: usize) -> f64 {
    if a.len() <= hashes || b.len() <= hashes {
        let same = a.iter().zip(b).take(hashes).filter(|(x, y)| x == y).count();
        return same as f64 / hashes.max(1) as f64;
    }
    let complete = |s: &[u32]| s[hashes] as usize <= BOTTOM_K;
    bottom_k(&a[hashes + 1..], complete(a), &b[hashes + 1..], complete(b))
}

/// The bottom-k estimate: among the smallest hashes of the union that both sketches can
/// speak for, the share in both.
fn bottom_k(a: &[u32], a_whole: bool, b: &[u32], b_whole: bool) -> f64 {
    let (mut i, mut j, mut taken, mut both) = (0, 0, 0usize, 0usize);
    while taken < BOTTOM_K {
        // Past the end of a sketch that holds only the smallest, nothing more is known.
        if (i == a.len() && !a_whole) || (j == b.len() && !b_whole) || (i == a.len() && j == b.len()) {
            break;
        }
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => (i, j, both) = (i + 1, j + 1, both + 1),
            (Some(x), Some(y)) if x < y => i += 1,
            (Some(_), None) => i += 1,
            _ => j += 1,
        }
        taken += 1;
    }
    if taken == 0 {
        1.0
    } else {
        both as f64 / taken as f64
    }
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
            let (exact, estimate) = (jaccard(&ha, &hb), similarity(&sa, &sb, 32 * 8));
            // Fewer than 512 shingles: the comparison is exact.
            assert!((exact - estimate).abs() < 1e-9, "cut {cut}: exact {exact}, estimate {estimate}");
            let minhash_only = similarity(&sa[..256], &sb[..256], 256);
            assert!((exact - minhash_only).abs() < 0.1, "cut {cut}: exact {exact}, minhash {minhash_only}");
        }
    }

    #[test]
    fn long_documents_are_compared_by_their_bottom_k_sketch() {
        let signer = Signer::new(Unit::Word, 5, 14, 8, 7);
        let words: Vec<String> = (0..20_000).map(|i| format!("w{}", i * 7 % 20_011)).collect();
        for keep in [0.95, 0.8, 0.7, 0.5] {
            let cut = ((1.0 - keep) * words.len() as f64) as usize;
            let (mut ha, mut hb) = (Vec::new(), Vec::new());
            let sa = signer.sign(&words.join(" "), &mut ha).unwrap();
            let sb = signer.sign(&words[cut..].join(" "), &mut hb).unwrap();
            let (exact, estimate) = (jaccard(&ha, &hb), similarity(&sa, &sb, 112));
            assert!((exact - estimate).abs() < 0.06, "exact {exact}, estimate {estimate}");
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
        assert_eq!(similarity(&a, &b, 112), 1.0);
        assert!(similarity(&a, &c, 112) < 0.1);
        let chars = Signer::new(Unit::Char, 3, 4, 2, 1);
        assert!(chars.sign("ab", &mut h).is_some());
        assert_eq!(chars.bands(&chars.sign("abcdef", &mut h).unwrap()).count(), 4);
    }
}
