//! Indicator weights from judgment matrices (D4.2): a level-1 matrix over the groups B1..B4 and
//! one 2×2 matrix inside each group; an indicator's total weight is its group's weight times its
//! weight within the group.
//!
//! Two methods, both taking the matrices as configuration:
//! - fuzzy complementary judgment (模糊互补判断矩阵, the seed's): r_ij + r_ji = 1 on the 0.1-0.9
//!   scale, w_i = 1/n - 1/(2a) + (Σ_j r_ij)/(n a) with a = (n - 1)/2;
//! - classic AHP (Saaty 1-9 scale with reciprocals): the principal eigenvector by power
//!   iteration, rejected unless the consistency ratio CR = CI/RI is below 0.1.
//!
//! Seed 001 prints the level-1 matrix garbled: its rows 3-4 as printed give {0.367, 0.300,
//! 0.133, 0.200}, not the published weights. Only r34 = 0.2, r43 = 0.8 (instead of 0.4, 0.6)
//! reproduce the published {0.367, 0.300, 0.100, 0.233}, exactly 11/30, 9/30, 3/30, 7/30.

use super::{Group, PerGroup, PerIndicator};
use serde::{Deserialize, Deserializer, Serialize};

code_enum! {
    /// How weights are derived from the judgment matrices.
    #[derive(Default)]
    Method, "method" {
        #[default]
        Fuzzy = "fuzzy", "模糊互补判断矩阵", "Fuzzy complementary judgment";
        Ahp = "ahp", "层次分析法", "Classic AHP (Saaty)";
    }
}

/// A judgment matrix, rows of cells.
pub type Matrix = Vec<Vec<f64>>;

/// Saaty's random consistency index RI for n = 1..=10 criteria.
pub const SAATY_RANDOM_INDEX: [f64; 10] =
    [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];
/// AHP judgments are accepted only below this consistency ratio.
pub const MAX_CONSISTENCY_RATIO: f64 = 0.1;

/// Slack for the decimal tenths of the fuzzy scale (0.7 + 0.3 is not exactly 1 in binary).
const FUZZY_TOLERANCE: f64 = 1e-9;
/// Slack for AHP reciprocals: a fraction written "1/3" is exact, a rounded 0.333 is not.
const AHP_TOLERANCE: f64 = 1e-6;

/// What is wrong with a judgment matrix. Cells are 1-based (row, column), as analysts count.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    #[error("a judgment matrix needs at least 2 criteria, this one has {n}")]
    TooSmall { n: usize },
    #[error("AHP random indices are tabulated up to 10 criteria, this matrix has {n}")]
    TooLarge { n: usize },
    #[error("expected a {expected}×{expected} matrix, found {found} rows")]
    WrongSize { expected: usize, found: usize },
    #[error("row {row} has {len} cells, a {n}×{n} matrix needs {n}")]
    NotSquare { row: usize, len: usize, n: usize },
    #[error("cell ({row}, {col}) = {value}: the diagonal must be {expected}")]
    Diagonal {
        row: usize,
        col: usize,
        value: f64,
        expected: f64,
    },
    #[error("cell ({row}, {col}) = {value} is outside the {scale}")]
    OutOfScale {
        row: usize,
        col: usize,
        value: f64,
        scale: &'static str,
    },
    #[error(
        "cells ({row}, {col}) = {value} and ({col}, {row}) = {mirror} must add up to 1 \
         (r_ij + r_ji = 1)"
    )]
    NotComplementary {
        row: usize,
        col: usize,
        value: f64,
        mirror: f64,
    },
    #[error(
        "cells ({row}, {col}) = {value} and ({col}, {row}) = {mirror} must be reciprocal \
         (a_ji = 1/a_ij; write fractions exactly, as \"1/3\")"
    )]
    NotReciprocal {
        row: usize,
        col: usize,
        value: f64,
        mirror: f64,
    },
    #[error(
        "the judgments are inconsistent: consistency ratio CR = {cr:.3} (λmax = {lambda_max:.4}, \
         CI = {ci:.4}); AHP needs CR < 0.1"
    )]
    Inconsistent { cr: f64, lambda_max: f64, ci: f64 },
}

/// The size of a square matrix with at least two criteria.
fn square(m: &[Vec<f64>]) -> Result<usize, MatrixError> {
    let n = m.len();
    if n < 2 {
        return Err(MatrixError::TooSmall { n });
    }
    match m.iter().position(|row| row.len() != n) {
        Some(i) => Err(MatrixError::NotSquare {
            row: i + 1,
            len: m[i].len(),
            n,
        }),
        None => Ok(n),
    }
}

/// The checks both methods share: the diagonal value, the scale, and a pairwise rule between
/// r_ij and r_ji (complementary or reciprocal), reported on the upper cell.
struct Scale {
    diagonal: f64,
    min: f64,
    max: f64,
    name: &'static str,
    tolerance: f64,
}

impl Scale {
    fn check(
        &self,
        m: &[Vec<f64>],
        paired: impl Fn(f64, f64) -> bool,
        pair_error: fn(usize, usize, f64, f64) -> MatrixError,
    ) -> Result<usize, MatrixError> {
        let n = square(m)?;
        let t = self.tolerance;
        for (i, row) in m.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                let (row, col) = (i + 1, j + 1);
                if i == j {
                    let gap = (v - self.diagonal).abs();
                    if gap.is_nan() || gap > t {
                        return Err(MatrixError::Diagonal {
                            row,
                            col,
                            value: v,
                            expected: self.diagonal,
                        });
                    }
                } else if !(self.min - t..=self.max + t).contains(&v) {
                    return Err(MatrixError::OutOfScale {
                        row,
                        col,
                        value: v,
                        scale: self.name,
                    });
                }
            }
        }
        for (i, row) in m.iter().enumerate() {
            for (j, &v) in row.iter().enumerate().skip(i + 1) {
                let mirror = m[j][i];
                if !paired(v, mirror) {
                    return Err(pair_error(i + 1, j + 1, v, mirror));
                }
            }
        }
        Ok(n)
    }
}

/// Weights of a fuzzy complementary judgment matrix: w_i = 1/n - 1/(2a) + (Σ_j r_ij)/(n a),
/// a = (n - 1)/2 (so a = 0.5 for a 2×2 matrix). They sum to 1, and each is at least 0.2/n on the
/// 0.1-0.9 scale.
pub fn fuzzy_weights(r: &[Vec<f64>]) -> Result<Vec<f64>, MatrixError> {
    let scale = Scale {
        diagonal: 0.5,
        min: 0.1,
        max: 0.9,
        name: "0.1-0.9 scale",
        tolerance: FUZZY_TOLERANCE,
    };
    let n = scale.check(
        r,
        |a, b| (a + b - 1.0).abs() <= FUZZY_TOLERANCE,
        |row, col, value, mirror| MatrixError::NotComplementary {
            row,
            col,
            value,
            mirror,
        },
    )?;
    let nf = n as f64;
    let a = (nf - 1.0) / 2.0;
    Ok(r.iter()
        .map(|row| 1.0 / nf - 1.0 / (2.0 * a) + row.iter().sum::<f64>() / (nf * a))
        .collect())
}

/// A classic AHP result: the normalized principal eigenvector and its consistency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ahp {
    pub weights: Vec<f64>,
    pub lambda_max: f64,
    /// CI = (λmax - n)/(n - 1).
    pub ci: f64,
    /// CR = CI/RI; 0 for two criteria (every reciprocal 2×2 matrix is consistent).
    pub cr: f64,
}

/// Classic AHP on a Saaty-scale matrix (cells 1/9..9, diagonal 1, a_ji = 1/a_ij). Rejects
/// CR >= 0.1 with the CR in the error.
pub fn ahp(a: &[Vec<f64>]) -> Result<Ahp, MatrixError> {
    let scale = Scale {
        diagonal: 1.0,
        min: 1.0 / 9.0,
        max: 9.0,
        name: "Saaty 1/9-9 scale",
        tolerance: FUZZY_TOLERANCE,
    };
    let n = scale.check(
        a,
        |x, y| (x * y - 1.0).abs() <= AHP_TOLERANCE,
        |row, col, value, mirror| MatrixError::NotReciprocal {
            row,
            col,
            value,
            mirror,
        },
    )?;
    let Some(&ri) = SAATY_RANDOM_INDEX.get(n - 1) else {
        return Err(MatrixError::TooLarge { n });
    };
    let times = |w: &[f64]| -> Vec<f64> {
        a.iter()
            .map(|row| row.iter().zip(w).map(|(x, y)| x * y).sum())
            .collect()
    };
    // A positive matrix has a unique positive principal eigenvector (Perron-Frobenius), and
    // power iteration from the uniform vector converges to it.
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..10_000 {
        let next = times(&w);
        let sum: f64 = next.iter().sum();
        let next: Vec<f64> = next.iter().map(|x| x / sum).collect();
        let delta = next
            .iter()
            .zip(&w)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        w = next;
        if delta < 1e-15 {
            break;
        }
    }
    let aw = times(&w);
    let nf = n as f64;
    let lambda_max = aw.iter().zip(&w).map(|(x, y)| x / y).sum::<f64>() / nf;
    // λmax >= n in theory; rounding can put a consistent matrix a hair below.
    let ci = ((lambda_max - nf) / (nf - 1.0)).max(0.0);
    let cr = if ri > 0.0 { ci / ri } else { 0.0 };
    if cr >= MAX_CONSISTENCY_RATIO {
        return Err(MatrixError::Inconsistent { cr, lambda_max, ci });
    }
    Ok(Ahp {
        weights: w,
        lambda_max,
        ci,
        cr,
    })
}

impl Method {
    /// The weights of one matrix by this method.
    pub fn weights(self, m: &[Vec<f64>]) -> Result<Vec<f64>, MatrixError> {
        match self {
            Method::Fuzzy => fuzzy_weights(m),
            Method::Ahp => ahp(m).map(|a| a.weights),
        }
    }
}

/// The method and the five matrices. Cells may be written as numbers or as fractions ("1/3"),
/// which AHP matrices need to be exactly reciprocal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeightsConfig {
    pub method: Method,
    /// Level 1 over B1, B2, B3, B4 (4×4).
    #[serde(deserialize_with = "judgments")]
    pub level1: Matrix,
    /// Within B1 over B11, B12 (2×2); likewise b2..b4.
    #[serde(deserialize_with = "judgments")]
    pub b1: Matrix,
    #[serde(deserialize_with = "judgments")]
    pub b2: Matrix,
    #[serde(deserialize_with = "judgments")]
    pub b3: Matrix,
    #[serde(deserialize_with = "judgments")]
    pub b4: Matrix,
}

impl Default for WeightsConfig {
    /// Seed 001's fuzzy matrices, level 1 reconstructed (see the module doc).
    fn default() -> Self {
        Self {
            method: Method::Fuzzy,
            level1: vec![
                vec![0.5, 0.6, 0.9, 0.7],
                vec![0.4, 0.5, 0.7, 0.7],
                vec![0.1, 0.3, 0.5, 0.2],
                vec![0.3, 0.3, 0.8, 0.5],
            ],
            b1: vec![vec![0.5, 0.7], vec![0.3, 0.5]],
            b2: vec![vec![0.5, 0.4], vec![0.6, 0.5]],
            b3: vec![vec![0.5, 0.3], vec![0.7, 0.5]],
            b4: vec![vec![0.5, 0.6], vec![0.4, 0.5]],
        }
    }
}

/// A matrix of the configuration that is unusable, by its config key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{matrix}: {error}")]
pub struct WeightsError {
    /// "weights.level1", "weights.b1", ...
    pub matrix: &'static str,
    pub error: MatrixError,
}

/// The weights of the whole hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub method: Method,
    /// Level 1: the groups' weights, summing to 1.
    pub groups: PerGroup<f64>,
    /// Each indicator's weight within its group (the group's two sum to 1).
    pub within: PerIndicator<f64>,
    /// Group weight × weight within the group; all eight sum to 1.
    pub total: PerIndicator<f64>,
}

impl WeightsConfig {
    fn matrix(&self, g: Option<Group>) -> (&'static str, &Matrix, usize) {
        match g {
            None => ("weights.level1", &self.level1, 4),
            Some(Group::B1) => ("weights.b1", &self.b1, 2),
            Some(Group::B2) => ("weights.b2", &self.b2, 2),
            Some(Group::B3) => ("weights.b3", &self.b3, 2),
            Some(Group::B4) => ("weights.b4", &self.b4, 2),
        }
    }

    fn weights_of(&self, g: Option<Group>) -> Result<Vec<f64>, WeightsError> {
        let (matrix, m, expected) = self.matrix(g);
        let error = |error| WeightsError { matrix, error };
        if m.len() != expected {
            return Err(error(MatrixError::WrongSize {
                expected,
                found: m.len(),
            }));
        }
        self.method.weights(m).map_err(error)
    }

    /// Level-1, within-group and total weights, or the first unusable matrix.
    pub fn weights(&self) -> Result<Weights, WeightsError> {
        // `weights_of` has checked the sizes: 4 group weights, 2 within each group.
        let l1 = self.weights_of(None)?;
        let groups = PerGroup {
            b1: l1[0],
            b2: l1[1],
            b3: l1[2],
            b4: l1[3],
        };
        let mut within = PerIndicator::default();
        for &g in Group::ALL {
            let w = self.weights_of(Some(g))?;
            let [first, second] = g.indicators();
            *within.get_mut(first) = w[0];
            *within.get_mut(second) = w[1];
        }
        let total = within.map(|i, w| groups.get(i.group()) * w);
        Ok(Weights {
            method: self.method,
            groups,
            within,
            total,
        })
    }
}

/// Deserializes matrix cells given as numbers or as fractions "p/q".
fn judgments<'de, D: Deserializer<'de>>(d: D) -> Result<Matrix, D::Error> {
    struct Cell(f64);
    impl<'de> Deserialize<'de> for Cell {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            #[derive(Deserialize)]
            #[serde(untagged)]
            enum Raw {
                Number(f64),
                Text(String),
            }
            match Raw::deserialize(d)? {
                Raw::Number(x) => Ok(Cell(x)),
                Raw::Text(s) => parse_cell(&s).map(Cell).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{s:?} is neither a number nor a fraction like \"1/3\""
                    ))
                }),
            }
        }
    }
    let rows: Vec<Vec<Cell>> = Vec::deserialize(d)?;
    Ok(rows
        .into_iter()
        .map(|r| r.into_iter().map(|c| c.0).collect())
        .collect())
}

fn parse_cell(s: &str) -> Option<f64> {
    let s = s.trim();
    match s.split_once('/') {
        Some((p, q)) => {
            let (p, q): (f64, f64) = (p.trim().parse().ok()?, q.trim().parse().ok()?);
            (q != 0.0).then(|| p / q)
        }
        None => s.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::Indicator;

    fn round3(x: f64) -> f64 {
        (x * 1000.0).round() / 1000.0
    }

    fn rounded(w: &[f64]) -> Vec<f64> {
        w.iter().copied().map(round3).collect()
    }

    #[test]
    fn the_reconstructed_level1_matrix_gives_the_published_weights() {
        let w = fuzzy_weights(&WeightsConfig::default().level1).unwrap();
        assert_eq!(rounded(&w), [0.367, 0.300, 0.100, 0.233]);
        for (x, exact) in w.iter().zip([11.0, 9.0, 3.0, 7.0]) {
            assert!((x - exact / 30.0).abs() < 1e-12);
        }
    }

    #[test]
    fn the_matrix_as_printed_in_the_seed_does_not() {
        let printed = vec![
            vec![0.5, 0.6, 0.9, 0.7],
            vec![0.4, 0.5, 0.7, 0.7],
            vec![0.1, 0.3, 0.5, 0.4],
            vec![0.3, 0.3, 0.6, 0.5],
        ];
        let w = fuzzy_weights(&printed).unwrap();
        assert_eq!(rounded(&w), [0.367, 0.300, 0.133, 0.200]);
    }

    #[test]
    fn two_by_two_matrices_use_a_half() {
        // n = 2, a = 0.5: w_i = 1/2 - 1 + (row sum)/1 = row sum - 0.5.
        let c = WeightsConfig::default();
        for (m, expect) in [
            (&c.b1, [0.7, 0.3]),
            (&c.b2, [0.4, 0.6]),
            (&c.b3, [0.3, 0.7]),
            (&c.b4, [0.6, 0.4]),
        ] {
            let w = fuzzy_weights(m).unwrap();
            assert!((w[0] - expect[0]).abs() < 1e-12 && (w[1] - expect[1]).abs() < 1e-12);
        }
    }

    #[test]
    fn the_hierarchy_gives_the_seed_totals() {
        let w = WeightsConfig::default().weights().unwrap();
        let t = w.total;
        assert_eq!(
            rounded(&[t.b11, t.b12, t.b21, t.b22, t.b31, t.b32, t.b41, t.b42]),
            [0.257, 0.110, 0.12, 0.18, 0.03, 0.07, 0.140, 0.093]
        );
        let sum: f64 = Indicator::ALL.iter().map(|&i| t.get(i)).sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert!((w.groups.b4 - 7.0 / 30.0).abs() < 1e-12);
        assert!((w.within.b41 - 0.6).abs() < 1e-12);
    }

    #[test]
    fn fuzzy_matrices_are_validated_naming_the_cell() {
        let err = |m: Vec<Vec<f64>>| fuzzy_weights(&m).unwrap_err();
        assert_eq!(err(vec![vec![0.5]]), MatrixError::TooSmall { n: 1 });
        assert_eq!(
            err(vec![vec![0.5, 0.5], vec![0.5]]),
            MatrixError::NotSquare {
                row: 2,
                len: 1,
                n: 2
            }
        );
        let e = err(vec![vec![0.5, 0.7], vec![0.4, 0.5]]);
        assert_eq!(
            e,
            MatrixError::NotComplementary {
                row: 1,
                col: 2,
                value: 0.7,
                mirror: 0.4
            }
        );
        assert!(
            e.to_string().contains("(1, 2) = 0.7 and (2, 1) = 0.4"),
            "{e}"
        );
        let e = err(vec![
            vec![0.5, 0.5, 0.95],
            vec![0.5, 0.5, 0.5],
            vec![0.05, 0.5, 0.5],
        ]);
        assert!(
            matches!(e, MatrixError::OutOfScale { row: 1, col: 3, .. }),
            "{e}"
        );
        assert!(e.to_string().starts_with("cell (1, 3) = 0.95"), "{e}");
        let e = err(vec![vec![0.6, 0.5], vec![0.5, 0.5]]);
        assert!(
            matches!(e, MatrixError::Diagonal { row: 1, col: 1, .. }),
            "{e}"
        );
        let e = err(vec![vec![0.5, f64::NAN], vec![0.5, 0.5]]);
        assert!(
            matches!(e, MatrixError::OutOfScale { row: 1, col: 2, .. }),
            "{e}"
        );
    }

    #[test]
    fn saaty_textbook_example() {
        let a = vec![
            vec![1.0, 3.0, 5.0],
            vec![1.0 / 3.0, 1.0, 3.0],
            vec![1.0 / 5.0, 1.0 / 3.0, 1.0],
        ];
        let r = ahp(&a).unwrap();
        assert_eq!(rounded(&r.weights), [0.637, 0.258, 0.105]);
        assert!((r.lambda_max - 3.0385).abs() < 1e-4, "{}", r.lambda_max);
        assert!((r.ci - 0.0193).abs() < 1e-4, "{}", r.ci);
        assert_eq!(round3(r.cr), 0.033);
    }

    #[test]
    fn a_consistent_matrix_gives_its_ratios_exactly() {
        // a_ij = w_i / w_j for w = (4, 2, 1, 1)/8: perfectly consistent, λmax = n, CR = 0.
        let w = [0.5, 0.25, 0.125, 0.125];
        let a: Matrix = w
            .iter()
            .map(|x| w.iter().map(|y| x / y).collect())
            .collect();
        let r = ahp(&a).unwrap();
        for (x, y) in r.weights.iter().zip(w) {
            assert!((x - y).abs() < 1e-12);
        }
        assert!(r.cr < 1e-9);
        let two = ahp(&[vec![1.0, 9.0], vec![1.0 / 9.0, 1.0]]).unwrap();
        assert_eq!((round3(two.weights[0]), two.cr), (0.9, 0.0));
    }

    #[test]
    fn an_inconsistent_ahp_matrix_is_rejected_with_its_cr() {
        // A prefers B strongly, B prefers C strongly, and yet C prefers A strongly.
        let a = vec![
            vec![1.0, 9.0, 1.0 / 9.0],
            vec![1.0 / 9.0, 1.0, 9.0],
            vec![9.0, 1.0 / 9.0, 1.0],
        ];
        let e = ahp(&a).unwrap_err();
        let MatrixError::Inconsistent { cr, lambda_max, .. } = e else {
            panic!("{e}")
        };
        assert!((lambda_max - 91.0 / 9.0).abs() < 1e-6);
        assert!(cr > 6.0);
        assert!(e.to_string().contains("CR = 6.130"), "{e}");
    }

    #[test]
    fn ahp_matrices_are_validated_naming_the_cell() {
        let e = ahp(&[vec![1.0, 3.0], vec![0.333, 1.0]]).unwrap_err();
        assert!(
            matches!(e, MatrixError::NotReciprocal { row: 1, col: 2, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("\"1/3\""));
        let e = ahp(&[vec![1.0, 10.0], vec![0.1, 1.0]]).unwrap_err();
        assert!(
            matches!(e, MatrixError::OutOfScale { row: 1, col: 2, .. }),
            "{e}"
        );
        let e = ahp(&[vec![0.5, 0.5], vec![0.5, 0.5]]).unwrap_err();
        assert!(
            matches!(e, MatrixError::Diagonal { row: 1, col: 1, .. }),
            "{e}"
        );
        let big = vec![vec![1.0; 11]; 11];
        assert_eq!(ahp(&big).unwrap_err(), MatrixError::TooLarge { n: 11 });
    }

    #[test]
    fn config_takes_fractions_and_reports_the_matrix_by_key() {
        let c: WeightsConfig = serde_json::from_str(
            r#"{"method": "ahp",
                "level1": [[1, 2, 4, "4/3"], ["1/2", 1, 2, "2/3"],
                           ["1/4", "1/2", 1, "1/3"], ["3/4", "3/2", 3, 1]],
                "b1": [[1, 3], ["1/3", 1]], "b2": [[1, 1], [1, 1]],
                "b3": [[1, "1/2"], [2, 1]], "b4": [[1, 3], ["1/3", 1]]}"#,
        )
        .unwrap();
        let w = c.weights().unwrap();
        assert_eq!(w.method, Method::Ahp);
        assert!((w.groups.b1 - 0.4).abs() < 1e-12, "{:?}", w.groups);
        assert!((w.total.b11 - 0.3).abs() < 1e-12);

        // The seed's fuzzy matrices are no AHP matrices: the diagonal says so.
        let c = WeightsConfig {
            method: Method::Ahp,
            ..WeightsConfig::default()
        };
        let e = c.weights().unwrap_err();
        assert_eq!(e.matrix, "weights.level1");
        assert!(
            e.to_string()
                .starts_with("weights.level1: cell (1, 1) = 0.5"),
            "{e}"
        );

        let c = WeightsConfig {
            b3: vec![vec![0.5, 0.5, 0.5]; 3],
            ..WeightsConfig::default()
        };
        let e = c.weights().unwrap_err();
        assert_eq!(e.matrix, "weights.b3");
        assert_eq!(
            e.error,
            MatrixError::WrongSize {
                expected: 2,
                found: 3
            }
        );
        assert!(serde_json::from_str::<WeightsConfig>(r#"{"b1": [[1, "x/2"]]}"#).is_err());
        assert!(serde_json::from_str::<WeightsConfig>(r#"{"b1": [[1, "1/0"]]}"#).is_err());
    }
}
