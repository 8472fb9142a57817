//! What a fitted model learned, named by the columns (and levels) of the data it was trained
//! on: coefficients for linear and logistic models, impurity importances for trees and
//! forests, class priors and per-class means and variances for naive Bayes.
//!
//! Coefficients are in the model's own feature space, after the recipe: with the default
//! recipe a numeric feature is standardised, so its coefficient is the change per standard
//! deviation, and a level's is that of its 0/1 indicator.

use serde::Serialize;

use super::prep::Feature;
use super::registry::FittedModel;
use super::trained::TrainedModel;
use super::tree_rules::{tree_rules, Rule};
use super::tree_stats::ForestImportances;

/// What a model learned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Learned {
    /// One set per output: the target (regression), the positive class (binary logistic)
    /// or each class (multiclass logistic).
    Coefficients { sets: Vec<CoefficientSet> },
    /// Importances per feature, and summed per column (a category's levels together):
    /// impurity-based for trees (for a forest, the mean over its trees with the spread),
    /// split-gain for gradient boosting.
    Importances {
        features: Vec<Importance>,
        columns: Vec<Importance>,
        trees: usize,
        measure: ImportanceMeasure,
        /// A single tree's leaves as rules, in the data's own units (none for a forest).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        rules: Vec<Rule>,
    },
    /// Naive Bayes: each class's prior, and each feature's mean and variance in the class.
    ClassGaussians {
        features: Vec<Feature>,
        classes: Vec<ClassGaussianSummary>,
    },
    /// The model does not keep what is needed (stored before it was kept); a tree still
    /// reads as rules.
    Unavailable {
        reason: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        rules: Vec<Rule>,
    },
}

/// What an importance measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportanceMeasure {
    /// The decrease of Gini impurity (or entropy) of the splits on a feature.
    Impurity,
    /// The decrease of the boosting loss of the splits on a feature, over every tree.
    SplitGain,
}

/// How the window, the report and the command line introduce split-gain importances, per
/// `unit` ("column" or "feature").
pub fn split_gain_sentence(unit: &str) -> String {
    format!(
        "Split-gain importance: each {unit}'s share of the loss reduction of the splits of \
         every boosted tree (gradient boosting has no impurity)."
    )
}

/// The coefficients of one output, largest in size first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoefficientSet {
    /// What the coefficients predict: the target, or "log-odds of <class>".
    pub output: String,
    pub intercept: f64,
    pub terms: Vec<Term>,
    /// Features whose coefficient is exactly zero (lasso and elastic net drop features).
    pub dropped: Vec<String>,
}

/// One feature's coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub feature: Feature,
    pub coefficient: f64,
    /// `exp(coefficient)` for logistic regression: how the odds change per unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub odds_ratio: Option<f64>,
}

/// A feature's (or column's) importance, as a share of the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Importance {
    pub name: String,
    pub importance: f64,
    /// Standard deviation over a forest's trees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std: Option<f64>,
}

/// One class as naive Bayes sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassGaussianSummary {
    pub class: String,
    pub prior: f64,
    /// Per feature.
    pub mean: Vec<f64>,
    pub variance: Vec<f64>,
}

/// What `model` learned.
pub fn what_it_learned(model: &TrainedModel) -> Learned {
    use ImportanceMeasure::Impurity;
    let features = model.recipe.features();
    match &model.model {
        FittedModel::Linear(linear) => Learned::Coefficients {
            sets: vec![coefficient_set(
                model.target.clone(),
                linear.intercept,
                linear.weights.iter().copied(),
                &features,
                false,
            )],
        },
        FittedModel::Logistic(logistic) => {
            let outputs: Vec<String> = match logistic.weights.ncols() {
                1 => vec![model.classes.get(1).cloned().unwrap_or_default()],
                _ => model.classes.clone(),
            };
            let sets = outputs
                .into_iter()
                .enumerate()
                .map(|(k, class)| {
                    coefficient_set(
                        format!("log-odds of {class}"),
                        logistic.intercept[k],
                        logistic.weights.column(k).iter().copied(),
                        &features,
                        true,
                    )
                })
                .collect();
            Learned::Coefficients { sets }
        }
        FittedModel::Tree(tree) => {
            let rules = tree_rules(tree, &model.recipe, &model.classes);
            match tree.impurity_importances(features.len()) {
                Some(shares) => importances(&features, &[shares], 1, rules, Impurity),
                None => stored_without_stats(rules),
            }
        }
        FittedModel::Forest(forest) => match forest.tree_importances(features.len()) {
            Some(per_tree) => importances(
                &features,
                &per_tree,
                forest.trees.len(),
                Vec::new(),
                Impurity,
            ),
            None => stored_without_stats(Vec::new()),
        },
        FittedModel::Boosted(boosted) => importances(
            &features,
            &[boosted.gain_importances(features.len())],
            1,
            Vec::new(),
            ImportanceMeasure::SplitGain,
        ),
        FittedModel::NaiveBayes(bayes) => Learned::ClassGaussians {
            classes: bayes
                .class_gaussians()
                .into_iter()
                .zip(&model.classes)
                .filter_map(|(gaussian, class)| {
                    gaussian.map(|g| ClassGaussianSummary {
                        class: class.clone(),
                        prior: g.prior,
                        mean: g.mean,
                        variance: g.variance,
                    })
                })
                .collect(),
            features,
        },
    }
}

fn stored_without_stats(rules: Vec<Rule>) -> Learned {
    Learned::Unavailable {
        reason: "this model was stored before trees kept their nodes' rows and impurity; \
                 retrain it to see its importances"
            .into(),
        rules,
    }
}

fn coefficient_set(
    output: String,
    intercept: f64,
    weights: impl Iterator<Item = f64>,
    features: &[Feature],
    logistic: bool,
) -> CoefficientSet {
    let mut terms: Vec<Term> = features
        .iter()
        .zip(weights)
        .map(|(feature, coefficient)| Term {
            feature: feature.clone(),
            coefficient,
            odds_ratio: logistic.then(|| coefficient.exp()),
        })
        .collect();
    let dropped = terms
        .iter()
        .filter(|t| t.coefficient == 0.0)
        .map(|t| t.feature.name())
        .collect();
    terms.sort_by(|a, b| b.coefficient.abs().total_cmp(&a.coefficient.abs()));
    CoefficientSet {
        output,
        intercept,
        terms,
        dropped,
    }
}

/// Importances per feature and per column from each tree's feature importances, largest
/// first; with more than one tree, the mean and spread over them.
fn importances(
    features: &[Feature],
    per_tree: &[Vec<f64>],
    trees: usize,
    rules: Vec<Rule>,
    measure: ImportanceMeasure,
) -> Learned {
    let mut columns: Vec<String> = Vec::new();
    for feature in features {
        if !columns.contains(&feature.column) {
            columns.push(feature.column.clone());
        }
    }
    let by_column: Vec<Vec<f64>> = per_tree
        .iter()
        .map(|tree| {
            let mut sums = vec![0.0; columns.len()];
            for (feature, v) in features.iter().zip(tree) {
                let at = columns
                    .iter()
                    .position(|c| *c == feature.column)
                    .unwrap_or(0);
                sums[at] += v;
            }
            sums
        })
        .collect();
    let ranked = |names: Vec<String>, values: &[Vec<f64>]| -> Vec<Importance> {
        let summary = ForestImportances::over(values, names.len());
        let mut out: Vec<Importance> = names
            .into_iter()
            .enumerate()
            .map(|(j, name)| Importance {
                name,
                importance: summary.mean[j],
                std: (trees > 1).then(|| summary.std[j]),
            })
            .collect();
        out.sort_by(|a, b| b.importance.total_cmp(&a.importance));
        out
    };
    Learned::Importances {
        features: ranked(features.iter().map(Feature::name).collect(), per_tree),
        columns: ranked(columns, &by_column),
        trees,
        measure,
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{import_csv, ImportOptions, Progress, Role};
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::prep::Recipe;
    use crate::ml::spec::ModelSpec;

    /// `algorithm` trained on the bundled penguins (species; numbers and categories).
    fn penguins(algorithm: &str) -> TrainedModel {
        trained(
            "penguins.csv",
            "species",
            ModelSpec::from_name(algorithm).unwrap(),
        )
    }

    fn trained(file: &str, target: &str, spec: ModelSpec) -> TrainedModel {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .join(file);
        let mut table = import_csv(&path, &ImportOptions::default(), &Progress::default()).unwrap();
        let index = table.columns.iter().position(|c| c.name == target).unwrap();
        table.set_role(index, Role::Target);
        let holdout = Validation::Holdout {
            fraction: 0.25,
            seed: 0,
        };
        let recipe = Recipe::default_for(&table);
        train_and_validate(
            &table,
            target,
            None,
            &recipe,
            &spec,
            holdout,
            &mut |_, _| true,
        )
        .unwrap()
        .1
    }

    #[test]
    fn logistic_coefficients_name_columns_and_levels_largest_first_with_odds_ratios() {
        let model = penguins("logistic");
        let Learned::Coefficients { sets } = what_it_learned(&model) else {
            panic!("coefficients");
        };
        // Three classes: a set per class.
        assert_eq!(sets.len(), 3);
        assert_eq!(sets[0].output, "log-odds of Adelie");
        let FittedModel::Logistic(fitted) = &model.model else {
            panic!()
        };
        for (k, set) in sets.iter().enumerate() {
            assert_eq!(set.intercept, fitted.intercept[k]);
            let sizes: Vec<f64> = set.terms.iter().map(|t| t.coefficient.abs()).collect();
            assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
            for term in &set.terms {
                assert_eq!(term.odds_ratio, Some(term.coefficient.exp()));
            }
        }
        let island = sets[0]
            .terms
            .iter()
            .find(|t| t.feature.name() == "island=Dream")
            .expect("a level of island");
        assert_eq!(island.feature.column, "island");
        let names = model.recipe.feature_names();
        let j = names.iter().position(|n| n == "island=Dream").unwrap();
        assert_eq!(island.coefficient, fitted.weights[[j, 0]]);
    }

    #[test]
    fn gradient_boosting_shows_split_gain_shares_led_by_a_column_that_separates_species() {
        let model = penguins("gradient_boosting");
        let Learned::Importances {
            columns, measure, ..
        } = what_it_learned(&model)
        else {
            panic!("importances");
        };
        assert_eq!(measure, ImportanceMeasure::SplitGain);
        let total: f64 = columns.iter().map(|c| c.importance).sum();
        assert!((total - 1.0).abs() < 1e-12, "{columns:?}");
        let top: Vec<&str> = columns[..3].iter().map(|c| c.name.as_str()).collect();
        assert!(
            top.iter().any(|c| [
                "flipper_length_mm",
                "bill_length_mm",
                "bill_depth_mm",
                "island"
            ]
            .contains(c)),
            "{columns:?}"
        );
    }

    #[test]
    fn a_forests_importances_are_shares_per_feature_and_per_column_with_spread() {
        let model = penguins("random_forest");
        let Learned::Importances {
            features,
            columns,
            trees,
            rules,
            measure,
        } = what_it_learned(&model)
        else {
            panic!("importances");
        };
        assert!(trees > 1 && rules.is_empty());
        assert_eq!(measure, ImportanceMeasure::Impurity);
        let total: f64 = features.iter().map(|f| f.importance).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!(features.iter().all(|f| f.std.is_some()));
        // island's levels add up to the island column.
        let island: f64 = features
            .iter()
            .filter(|f| f.name.starts_with("island="))
            .map(|f| f.importance)
            .sum();
        let column = columns.iter().find(|c| c.name == "island").unwrap();
        assert!((column.importance - island).abs() < 1e-12);
        assert!(columns
            .windows(2)
            .all(|w| w[0].importance >= w[1].importance));
    }

    #[test]
    fn naive_bayes_shows_each_class_prior_and_gaussians() {
        let model = penguins("naive_bayes");
        let Learned::ClassGaussians { features, classes } = what_it_learned(&model) else {
            panic!("class gaussians");
        };
        assert_eq!(classes.len(), 3);
        let priors: f64 = classes.iter().map(|c| c.prior).sum();
        assert!((priors - 1.0).abs() < 1e-12);
        assert!(classes.iter().all(|c| c.mean.len() == features.len()));
    }

    #[test]
    fn lasso_lists_the_features_it_dropped() {
        let mut spec = ModelSpec::from_name("lasso").unwrap();
        if let ModelSpec::Lasso(penalty) = &mut spec {
            penalty.alpha = 5.0;
        }
        let model = trained("diabetes.csv", "progression", spec);
        let Learned::Coefficients { sets } = what_it_learned(&model) else {
            panic!("coefficients");
        };
        let [set] = sets.as_slice() else {
            panic!("one set")
        };
        assert_eq!(set.output, "progression");
        let zero: Vec<String> = set
            .terms
            .iter()
            .filter(|t| t.coefficient == 0.0)
            .map(|t| t.feature.name())
            .collect();
        assert!(!zero.is_empty(), "alpha 5 keeps every feature");
        let mut dropped = set.dropped.clone();
        dropped.sort();
        let mut expected = zero;
        expected.sort();
        assert_eq!(dropped, expected);
        assert!(set.terms.iter().all(|t| t.odds_ratio.is_none()));
    }
}
