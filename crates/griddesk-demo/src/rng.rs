//! Seeding: every random choice of the generator comes from a `Pcg64Mcg` seeded from the run's
//! seed, a stream tag and an index (customer, area, ...). That makes each record a pure function
//! of (seed, index): chunks can be generated in any order and size with the same result.

use rand::Rng;
use rand_pcg::Pcg64Mcg;

/// Stream tags keep the draws of different purposes independent.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub(crate) enum Stream {
    Customer = 1,
    History = 2,
    Topology = 4,
    Staff = 5,
    Theft = 6,
    Orderly = 7,
}

/// SplitMix64 finaliser: a bijective mixer with good avalanche, cheap enough per customer.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of (seed, stream, index) for one-off decisions that need no generator.
pub(crate) fn hash(seed: u64, stream: Stream, index: u64) -> u64 {
    mix(mix(seed ^ (stream as u64).rotate_left(32)) ^ mix(index.wrapping_add(0x5851_F42D)))
}

pub(crate) fn rng(seed: u64, stream: Stream, index: u64) -> Pcg64Mcg {
    let hi = hash(seed, stream, index);
    let lo = mix(hi ^ index.rotate_left(17) ^ 0xD1B5_4A32_D192_ED03);
    Pcg64Mcg::new((u128::from(hi) << 64) | u128::from(lo))
}

/// Helpers on top of `rand::Rng` used all over the generator.
pub(crate) trait RngExt: Rng {
    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        self.random::<f64>() < p
    }
    /// A uniformly chosen element (the slice must not be empty: all callers pass constants).
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.random_range(0..items.len())]
    }
    /// An index chosen with the given weights (positive, not all zero).
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.random::<f64>() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    /// Approximately standard normal (Irwin-Hall with four uniforms): cheap and bounded.
    fn normalish(&mut self) -> f64 {
        let s: f64 = (0..4).map(|_| self.random::<f64>()).sum();
        (s - 2.0) * 3f64.sqrt()
    }
    /// Uniform in [lo, hi).
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.random::<f64>()
    }
    /// A string of `n` random decimal digits appended to `out`.
    fn digits(&mut self, out: &mut String, n: usize) {
        for _ in 0..n {
            out.push(char::from(b'0' + self.random_range(0..10u8)));
        }
    }
}

impl<R: Rng + ?Sized> RngExt for R {}
