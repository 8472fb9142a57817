//! Class weights, as scikit-learn's `class_weight`: each training row counts with its
//! class's weight in the loss or the impurity, so a rare class is not drowned out. Equal,
//! balanced (`n / (k · n_c)`), or a weight per class named by the target's class names.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::algorithm::{Param, ParamKind};

/// How the classes are weighted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "StoredClassWeight", into = "StoredClassWeight")]
pub enum ClassWeight {
    /// Every row counts once.
    #[default]
    None,
    /// scikit-learn's `"balanced"`: class `c` weighs `n / (k · n_c)` over the `k` classes
    /// present in the training rows, so each class weighs as much as any other in total.
    Balanced,
    /// scikit-learn's `{class: weight}`: the weight of each class named; a class not named
    /// weighs 1.
    Explicit(BTreeMap<String, f64>),
}

/// The stored form, scikit-learn's: `"none"`, `"balanced"` or `{"yes": 5.0, "no": 1.0}`.
/// Specs stored before explicit weights existed hold one of the two words.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum StoredClassWeight {
    Word(Preset),
    Weights(BTreeMap<String, f64>),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Preset {
    None,
    Balanced,
}

impl From<StoredClassWeight> for ClassWeight {
    fn from(stored: StoredClassWeight) -> Self {
        match stored {
            StoredClassWeight::Word(Preset::None) => ClassWeight::None,
            StoredClassWeight::Word(Preset::Balanced) => ClassWeight::Balanced,
            StoredClassWeight::Weights(weights) => ClassWeight::Explicit(weights),
        }
    }
}

impl From<ClassWeight> for StoredClassWeight {
    fn from(weight: ClassWeight) -> Self {
        match weight {
            ClassWeight::None => StoredClassWeight::Word(Preset::None),
            ClassWeight::Balanced => StoredClassWeight::Word(Preset::Balanced),
            ClassWeight::Explicit(weights) => StoredClassWeight::Weights(weights),
        }
    }
}

/// The parameter, for the algorithms that take it.
pub const CLASS_WEIGHT: Param = Param {
    key: "class_weight",
    label: "Class weights",
    help: "Balanced weighs each class inversely to its share of the training rows (scikit-learn's class_weight=\"balanced\"), so a rare class counts as much as a common one; per class gives each class its own weight (a class left at 1 counts as usual).",
    kind: ParamKind::ClassWeights,
};

impl ClassWeight {
    /// Read `none` (or `equal`), `balanced`, or `CLASS:WEIGHT,CLASS:WEIGHT…` with positive
    /// weights, as typed after `--param class_weight=`. The class names are checked against
    /// the target's later ([`ClassWeight::check`]).
    pub fn parse(text: &str) -> Result<ClassWeight, String> {
        let expected = "none, balanced, or CLASS:WEIGHT,… with positive weights";
        let text = text.trim();
        match text.to_lowercase().as_str() {
            "none" | "equal" => return Ok(ClassWeight::None),
            "balanced" => return Ok(ClassWeight::Balanced),
            _ => {}
        }
        let mut weights = BTreeMap::new();
        for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
            // A class name may itself hold a colon; the weight follows the last one.
            let Some((class, weight)) = pair.rsplit_once(':') else {
                return Err(expected.to_string());
            };
            let class = class.trim();
            let weight = match weight.trim().parse::<f64>() {
                Ok(w) if w.is_finite() && w > 0.0 => w,
                _ => {
                    return Err(format!(
                        "{expected} (class '{class}' has weight '{}')",
                        weight.trim()
                    ))
                }
            };
            if class.is_empty() {
                return Err(expected.to_string());
            }
            weights.insert(class.to_string(), weight);
        }
        if weights.is_empty() {
            return Err(expected.to_string());
        }
        Ok(ClassWeight::Explicit(weights))
    }

    /// Whether every weight is positive and finite (a stored spec is read without
    /// [`ClassWeight::parse`]).
    pub fn is_valid(&self) -> bool {
        match self {
            ClassWeight::Explicit(weights) => weights.values().all(|w| w.is_finite() && *w > 0.0),
            _ => true,
        }
    }

    /// `Ok` when every class named is one of the target's `classes`; else the message names
    /// the classes there are.
    pub fn check(&self, classes: &[String]) -> Result<(), String> {
        let ClassWeight::Explicit(weights) = self else {
            return Ok(());
        };
        let unknown: Vec<&str> = weights
            .keys()
            .filter(|name| !classes.contains(name))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(format!(
            "class_weight names {} that the target does not have; its classes are {}",
            unknown
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", "),
            classes.join(", ")
        ))
    }

    /// The weight of each of the target's `classes` for the rows' class indices `y`; a
    /// class absent from `y` weighs 1 under balanced weights (no row carries it), and a
    /// class not named weighs 1 under explicit ones.
    pub fn weights(&self, y: &[usize], classes: &[String]) -> Vec<f64> {
        let k = classes.len();
        match self {
            ClassWeight::None => vec![1.0; k],
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; k];
                for &c in y {
                    counts[c] += 1;
                }
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
            ClassWeight::Explicit(weights) => classes
                .iter()
                .map(|c| weights.get(c).copied().unwrap_or(1.0))
                .collect(),
        }
    }

    /// ", balanced classes" or ", class weights no:1, yes:5" for a spec's summary, or
    /// nothing.
    pub fn summary(&self) -> String {
        match self {
            ClassWeight::None => String::new(),
            ClassWeight::Balanced => ", balanced classes".to_string(),
            ClassWeight::Explicit(_) => format!(", class weights {self}"),
        }
    }
}

/// As typed after `--param class_weight=`: `none`, `balanced` or `no:1,yes:5`.
impl fmt::Display for ClassWeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClassWeight::None => f.write_str("none"),
            ClassWeight::Balanced => f.write_str("balanced"),
            ClassWeight::Explicit(weights) => {
                let pairs: Vec<String> = weights.iter().map(|(c, w)| format!("{c}:{w}")).collect();
                f.write_str(&pairs.join(","))
            }
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
        let names = classes(&["a", "b", "c", "d"]);
        let w = ClassWeight::Balanced.weights(&y, &names);
        let expected = [8.0 / 12.0, 8.0 / 3.0, 1.0, 8.0 / 9.0];
        for (a, b) in w.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{w:?}");
        }
        assert_eq!(ClassWeight::None.weights(&y, &names), vec![1.0; 4]);
    }

    fn classes(names: &[&str]) -> Vec<String> {
        names.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn explicit_weights_name_classes_and_default_to_one() {
        let weights = ClassWeight::parse(" yes:5, no : 0.5 ").unwrap();
        assert_eq!(weights.to_string(), "no:0.5,yes:5");
        let names = classes(&["maybe", "no", "yes"]);
        assert_eq!(weights.weights(&[0, 1, 2], &names), vec![1.0, 0.5, 5.0]);
        assert_eq!(weights.check(&names), Ok(()));
        assert_eq!(
            weights.check(&classes(&["no", "perhaps"])).unwrap_err(),
            "class_weight names 'yes' that the target does not have; its classes are no, perhaps"
        );
        assert_eq!(weights.summary(), ", class weights no:0.5,yes:5");
        // A class name may hold a colon: the weight follows the last one.
        assert_eq!(
            ClassWeight::parse("a:b:2")
                .unwrap()
                .weights(&[0], &classes(&["a:b"])),
            vec![2.0]
        );
        assert_eq!(ClassWeight::parse("Balanced"), Ok(ClassWeight::Balanced));
        assert_eq!(ClassWeight::parse("equal"), Ok(ClassWeight::None));
        for bad in ["yes:0", "yes:-1", "yes:inf", "yes", "yes:x", ":3", ""] {
            assert!(ClassWeight::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ClassWeight::parse("yes:0").unwrap_err(),
            "none, balanced, or CLASS:WEIGHT,… with positive weights (class 'yes' has weight '0')"
        );
    }

    #[test]
    fn stored_as_scikit_learn_writes_it_and_old_specs_still_read() {
        let explicit = ClassWeight::parse("yes:5,no:1").unwrap();
        let json = serde_json::to_string(&explicit).unwrap();
        assert_eq!(json, r#"{"no":1.0,"yes":5.0}"#);
        assert_eq!(
            serde_json::from_str::<ClassWeight>(&json).unwrap(),
            explicit
        );
        for (stored, weight) in [
            (r#""none""#, ClassWeight::None),
            (r#""balanced""#, ClassWeight::Balanced),
        ] {
            assert_eq!(serde_json::from_str::<ClassWeight>(stored).unwrap(), weight);
            assert_eq!(serde_json::to_string(&weight).unwrap(), stored);
        }
        assert!(serde_json::from_str::<ClassWeight>(r#""heavy""#).is_err());
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
            let weights = spec.class_weight.weights(&y, &classes(&["common", "rare"]));
            let forest = fit_forest(x.view(), &y, &weights, &spec, &mut |_| true).unwrap();
            forest.predict_proba(x.view()).column(1).mean().unwrap()
        };
        let (plain, balanced) = (
            mean_proba(ClassWeight::None),
            mean_proba(ClassWeight::Balanced),
        );
        assert!((plain - 0.1).abs() < 0.03, "{plain}");
        assert!(balanced > 0.3, "{balanced}");
        // Weighing the rare class 9 to 1 is what balanced comes to here.
        let explicit = mean_proba(ClassWeight::parse("rare:9").unwrap());
        assert!(
            (explicit - balanced).abs() < 1e-12,
            "{explicit} vs {balanced}"
        );
    }
}
