//! Class weights, as scikit-learn's `class_weight`: each training row counts with its
//! class's weight in the loss or the impurity, so a rare class is not drowned out.

use serde::{Deserialize, Serialize};

use super::algorithm::{Param, ParamKind};

/// How the classes are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every row counts once.
    #[default]
    None,
    /// scikit-learn's `"balanced"`: class `c` weighs `n / (k · n_c)` over the `k` classes
    /// present in the training rows, so each class weighs as much as any other in total.
    Balanced,
}

/// The parameter, for the algorithms that take it.
pub const CLASS_WEIGHT: Param = Param {
    key: "class_weight",
    label: "Class weights",
    help: "Balanced weighs each class inversely to its share of the training rows (scikit-learn's class_weight=\"balanced\"), so a rare class counts as much as a common one.",
    kind: ParamKind::Choice {
        options: &[("none", "Equal"), ("balanced", "Balanced")],
    },
};

impl ClassWeight {
    /// The weight of each class in `0..classes` for the rows' classes `y`; a class absent
    /// from `y` weighs 1 (no row carries it).
    pub fn weights(self, y: &[usize], classes: usize) -> Vec<f64> {
        let mut counts = vec![0usize; classes];
        for &c in y {
            counts[c] += 1;
        }
        match self {
            ClassWeight::None => vec![1.0; classes],
            ClassWeight::Balanced => {
                let present = counts.iter().filter(|&&n| n > 0).count().max(1) as f64;
                let n = y.len() as f64;
                counts
                    .iter()
                    .map(|&count| match count {
                        0 => 1.0,
                        _ => n / (present * count as f64),
                    })
                    .collect()
            }
        }
    }

    /// ", balanced classes" for a spec's summary, or nothing.
    pub fn summary(self) -> &'static str {
        match self {
            ClassWeight::None => "",
            ClassWeight::Balanced => ", balanced classes",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_weights_are_scikit_learns() {
        // sklearn.utils.class_weight.compute_class_weight("balanced", classes=[0, 1, 3],
        // y=[0, 0, 0, 0, 1, 3, 3, 3]) is [0.6667, 2.6667, 0.8889]; class 2 is absent.
        let y = [0, 0, 0, 0, 1, 3, 3, 3];
        let w = ClassWeight::Balanced.weights(&y, 4);
        let expected = [8.0 / 12.0, 8.0 / 3.0, 1.0, 8.0 / 9.0];
        for (a, b) in w.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{w:?}");
        }
        assert_eq!(ClassWeight::None.weights(&y, 4), vec![1.0; 4]);
    }

    #[test]
    fn a_balanced_forest_gives_a_rare_class_its_weight() {
        use crate::ml::algorithms::random_forest::ForestSpec;
        use crate::ml::tree::fit_forest;
        // One row in ten is of class 1; the feature tells the classes apart only roughly.
        let rows = 400;
        let y: Vec<usize> = (0..rows).map(|i| usize::from(i % 10 == 0)).collect();
        let x = ndarray::Array2::from_shape_fn((rows, 1), |(i, _)| {
            (i * 7919 % 101) as f64 + if y[i] == 1 { 30.0 } else { 0.0 }
        });
        let mean_proba = |class_weight| {
            let spec = ForestSpec {
                trees: 20,
                max_depth: Some(2),
                class_weight,
                ..ForestSpec::default()
            };
            let forest = fit_forest(x.view(), &y, 2, &spec, &mut |_| true).unwrap();
            forest.predict_proba(x.view()).column(1).mean().unwrap()
        };
        let (plain, balanced) = (
            mean_proba(ClassWeight::None),
            mean_proba(ClassWeight::Balanced),
        );
        assert!((plain - 0.1).abs() < 0.03, "{plain}");
        assert!(balanced > 0.3, "{balanced}");
    }
}
