//! A set of customers: one bit per dense customer index, the form every
//! segment takes once evaluated.

use serde::{Deserialize, Serialize};

/// A set of customers: bit `i` is customer index `i`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    /// No customer among `len`.
    pub fn empty(len: usize) -> Bitmap {
        Bitmap {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// Every customer among `len`.
    pub fn full(len: usize) -> Bitmap {
        let mut b = Bitmap {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.clear_tail();
        b
    }

    /// The customers for which `f` is true.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize) -> bool) -> Bitmap {
        let mut b = Bitmap::empty(len);
        for (w, word) in b.words.iter_mut().enumerate() {
            let base = w * 64;
            let mut x = 0u64;
            for bit in 0..64.min(len - base) {
                if f(base + bit) {
                    x |= 1 << bit;
                }
            }
            *word = x;
        }
        b
    }

    pub(super) fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << rem) - 1;
        }
    }

    /// The customers of the set for which `f` is true; `f` is only called
    /// for the customers in the set.
    pub fn filter(&self, mut f: impl FnMut(usize) -> bool) -> Bitmap {
        let mut out = Bitmap::empty(self.len);
        for (w, word) in self.words.iter().enumerate() {
            let mut x = *word;
            let mut kept = 0u64;
            while x != 0 {
                let bit = x.trailing_zeros() as usize;
                x &= x - 1;
                if f(w * 64 + bit) {
                    kept |= 1 << bit;
                }
            }
            out.words[w] = kept;
        }
        out
    }

    /// The number of customers the set is over.
    pub fn universe(&self) -> usize {
        self.len
    }

    /// Adds customer `i`.
    pub fn insert(&mut self, i: usize) {
        if i < self.len {
            self.words[i / 64] |= 1 << (i % 64);
        }
    }

    /// True when customer `i` is in the set.
    pub fn contains(&self, i: usize) -> bool {
        i < self.len && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// The number of customers in the set.
    pub fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Keeps the customers also in `other`.
    pub fn and(&mut self, other: &Bitmap) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// Adds the customers of `other`.
    pub fn or(&mut self, other: &Bitmap) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// The customers not in the set.
    pub fn not(&mut self) {
        for w in &mut self.words {
            *w = !*w;
        }
        self.clear_tail();
    }

    /// The number of customers in both sets.
    pub fn intersection_count(&self, other: &Bitmap) -> u64 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| u64::from((a & b).count_ones()))
            .sum()
    }

    /// The customers in the set, in index order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, word)| {
            let mut x = *word;
            std::iter::from_fn(move || {
                if x == 0 {
                    return None;
                }
                let bit = x.trailing_zeros() as usize;
                x &= x - 1;
                Some(w * 64 + bit)
            })
        })
    }
}
