//! What the breadth model counts: the features of a text, and the script of a letter.
//!
//! This file is compiled twice, into the library and into its build script (`build.rs`),
//! which counts the training text when the library is built: both read text through the same
//! code, so a feature's hash is the same in the stored model and at run time.

use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_script::{Script, UnicodeScript};

/// N-grams of 1 to `ORDERS` characters.
pub const ORDERS: usize = 5;

/// Kinds of feature: the n-grams of each order, and whole words.
pub const KINDS: usize = ORDERS + 1;

/// The script of a character, with Katakana counted as Hiragana (both are kana).
pub fn script_of(c: char) -> Script {
    // Latin text first: unicode-script's table search is the slow part of reading a line.
    match c {
        'a'..='z' | 'A'..='Z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}' => Script::Latin,
        '\0'..='\u{7F}' => Script::Common,
        _ => match c.script() {
            Script::Katakana => Script::Hiragana,
            s => s,
        },
    }
}

/// Whether `c` belongs inside a word: a letter or a combining mark (Indic vowel signs and
/// viramas, Arabic harakat).
fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || matches!(
            get_general_category(c),
            GeneralCategory::NonspacingMark | GeneralCategory::SpacingMark | GeneralCategory::EnclosingMark
        )
}

/// A bijective 64-bit mix (the finalizer of SplitMix64): every bit of the input moves about
/// half of the output's.
fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Where the hash of a character sequence starts, for n-grams and for whole words.
const NGRAM_SEED: u64 = 0x6e67_7261_6d73_0000;
const WORD_SEED: u64 = 0x776f_7264_7300_0000;

/// The hash of a sequence, one character further. Hash 0 marks an empty slot of the stored
/// table, so it is never a feature's.
fn extend(h: u64, c: char) -> u64 {
    mix(h.wrapping_add(u64::from(u32::from(c)))).max(1)
}

/// Call `f(kind, hash)` for every character n-gram of every word of `text` (kind: the order
/// index, 0 for unigrams) and for every word itself (kind [`ORDERS`]). A word is lower-cased
/// and padded with a space on both sides; the lone space is not an n-gram. Hashes are 64 bits:
/// with under a million distinct features, two share a hash with a probability of about
/// 10^-8.
pub fn for_each_feature(text: &str, mut f: impl FnMut(usize, u64)) {
    let mut word: Vec<char> = Vec::with_capacity(32);
    let mut flush = |word: &mut Vec<char>| {
        if word.len() > 1 {
            word.push(' ');
            f(ORDERS, word.iter().fold(WORD_SEED, |h, &c| extend(h, c)));
            for start in 0..word.len() {
                let mut h = NGRAM_SEED;
                for (n, &c) in word[start..].iter().take(ORDERS).enumerate() {
                    h = extend(h, c);
                    if n > 0 || c != ' ' {
                        f(n, h);
                    }
                }
            }
        }
        word.clear();
        word.push(' ');
    };
    word.push(' ');
    for c in text.chars() {
        if is_word_char(c) {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word);
        }
    }
    flush(&mut word);
}
