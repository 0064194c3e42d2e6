//! Scoring (D4.3): each indicator becomes a score 1-5 by the customer's place among the
//! population being segmented (quintiles), and the scores, weighted, become the current and the
//! potential value.
//!
//! Ties: a value's percentile is its mid-rank, p = (number below + half the number equal) / N,
//! and its score is ⌈5p⌉. Equal values therefore always share a score; with N distinct values the
//! scores are exact quintiles; a population of one, or of equal values, scores 3, so a constant
//! indicator moves nobody. Small populations skip scores (four customers score 1, 2, 4, 5).
//! Because the score only grows with the value, the rule is equivalently a set of thresholds
//! (the smallest population value reaching each score), which [`Quintiles`] keeps for
//! explanations and for scoring a value that is not in the population.

use super::matrix::ValuePoint;
use super::weights::Weights;
use super::{Indicator, PerIndicator};
use serde::{Deserialize, Serialize};

pub const MIN_SCORE: u8 = 1;
pub const MAX_SCORE: u8 = 5;

/// One indicator's thresholds in a population.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Quintiles {
    /// The smallest population value scoring 2, 3, 4 and 5; `None` where nobody does.
    pub starts: [Option<f64>; 4],
}

/// ⌈5 (2·below + equal) / 2n⌉ in integers, so boundaries are exact.
fn rank_score(below: usize, equal: usize, n: usize) -> u8 {
    let num = 5 * (2 * below + equal);
    let den = 2 * n;
    // below + equal <= n and equal >= 1, so the quotient lies in 1..=5.
    u8::try_from(num.div_ceil(den)).unwrap_or(MAX_SCORE)
}

impl Quintiles {
    /// The thresholds of a population's values (indicators are never NaN).
    pub fn of(values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let mut starts = [None; 4];
        let mut below = 0;
        for run in sorted.chunk_by(|a, b| a == b) {
            let score = rank_score(below, run.len(), n);
            for start in starts.iter_mut().take(usize::from(score - MIN_SCORE)) {
                start.get_or_insert(run[0]);
            }
            below += run.len();
        }
        Quintiles { starts }
    }

    /// The score of a value: 1 plus the number of thresholds it reaches. For a member of the
    /// population this is its mid-rank score.
    pub fn score(&self, x: f64) -> u8 {
        let reached = self.starts.iter().flatten().filter(|&&t| x >= t).count();
        MIN_SCORE + reached as u8
    }
}

/// Current value = Σ over B1-B3 of score × total weight; potential value = Σ over B4 of score ×
/// weight within B4.
///
/// D4.3 leaves the potential's weights open. With the total weights (which sum to 0.233 over B4)
/// the potential could not exceed 5 × 0.233 = 1.167, yet the seed's customers N and D have 1.292
/// and 1.309; with the weights within the group (0.6, 0.4, summing to 1) it spans 1-5, which fits
/// M's 1.059 as well. The current value, with total weights, spans 0.767-3.833 (M: 2.638).
pub fn value_of(scores: &PerIndicator<u8>, weights: &Weights) -> ValuePoint {
    let mut v = ValuePoint {
        current: 0.0,
        potential: 0.0,
    };
    for &i in Indicator::ALL {
        let s = f64::from(*scores.get(i));
        if i.group().is_current() {
            v.current += s * weights.total.get(i);
        } else {
            v.potential += s * weights.within.get(i);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::WeightsConfig;

    fn scores(values: &[f64]) -> Vec<u8> {
        let q = Quintiles::of(values);
        values.iter().map(|&x| q.score(x)).collect()
    }

    #[test]
    fn distinct_values_score_by_quintile() {
        assert_eq!(scores(&[5.0, 1.0, 4.0, 2.0, 3.0]), [5, 1, 4, 2, 3]);
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(scores(&ten), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(
            Quintiles::of(&ten).starts,
            [Some(3.0), Some(5.0), Some(7.0), Some(9.0)]
        );
    }

    #[test]
    fn equal_values_share_a_score() {
        // 2 and 2: below 1, equal 2, p = 2/10 = 0.2 exactly -> 1 (the boundary belongs below).
        let v = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        assert_eq!(scores(&v), [1, 1, 1, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(
            Quintiles::of(&v).starts,
            [Some(3.0), Some(4.0), Some(6.0), Some(8.0)]
        );
        // A large tie at the top: p = (2 + 4/2)/6 = 0.667 -> 4 for all four; nobody scores 5.
        let v = [0.1, 0.2, 1.0, 1.0, 1.0, 1.0];
        assert_eq!(scores(&v), [1, 2, 4, 4, 4, 4]);
        assert_eq!(
            Quintiles::of(&v).starts,
            [Some(0.2), Some(1.0), Some(1.0), None]
        );
        // Ties at the bottom may skip a score: p = 1/6 -> 1, then (2 + 0.5)/6 -> 3.
        assert_eq!(scores(&[0.0, 0.0, 1.0, 2.0, 3.0, 4.0]), [1, 1, 3, 3, 4, 5]);
    }

    #[test]
    fn small_populations() {
        assert_eq!(scores(&[7.0]), [3]);
        assert_eq!(scores(&[1.0, 2.0]), [2, 4]);
        assert_eq!(scores(&[3.0, 1.0, 2.0]), [5, 1, 3]);
        assert_eq!(scores(&[1.0, 2.0, 3.0, 4.0]), [1, 2, 4, 5]);
        assert_eq!(Quintiles::of(&[]), Quintiles::default());
    }

    #[test]
    fn all_equal_values_score_three() {
        assert_eq!(scores(&[0.4; 7]), [3; 7]);
        let q = Quintiles::of(&[0.4; 7]);
        assert_eq!(q.starts, [Some(0.4), Some(0.4), None, None]);
        assert_eq!((q.score(0.39), q.score(0.41)), (1, 3));
    }

    #[test]
    fn values_outside_the_population_score_by_the_thresholds() {
        let q = Quintiles::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(q.score(-1.0), 1);
        assert_eq!(q.score(2.5), 2);
        assert_eq!(q.score(4.0), 4);
        assert_eq!(q.score(100.0), 5);
    }

    #[test]
    fn values_weight_current_by_total_and_potential_within_the_group() {
        let w = WeightsConfig::default().weights().unwrap();
        let all5 = value_of(&PerIndicator::from_fn(|_| 5), &w);
        assert!((all5.current - 5.0 * 23.0 / 30.0).abs() < 1e-12);
        assert!((all5.potential - 5.0).abs() < 1e-12);
        let mut s = PerIndicator::from_fn(|_| 1);
        s.b41 = 4;
        s.b42 = 2;
        let v = value_of(&s, &w);
        assert!((v.current - 23.0 / 30.0).abs() < 1e-12);
        assert!((v.potential - (0.6 * 4.0 + 0.4 * 2.0)).abs() < 1e-12);
    }
}
