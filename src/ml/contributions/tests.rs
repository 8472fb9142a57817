//! Contributions of models trained on the bundled samples: each method adds up to the
//! prediction, linear contributions equal a hand computation, a one-hot column makes one
//! contribution, and sampled estimates agree with the exact Shapley values within their error.

use ndarray::{Array2, ArrayView2};

use super::*;
use crate::data::ColumnData;
use crate::data::{import_csv, ImportOptions, Progress, Role, Table};
use crate::ml::eval::{train_and_validate, Validation};
use crate::ml::prep::Recipe;
use crate::ml::spec::ModelSpec;
use crate::ml::target::{class_target, value_target};

fn trained(file: &str, target: &str, algorithm: &str) -> (Table, TrainedModel) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(file);
    let mut table = import_csv(&path, &ImportOptions::default(), &Progress::default()).unwrap();
    let index = table.columns.iter().position(|c| c.name == target).unwrap();
    table.set_role(index, Role::Target);
    let spec = ModelSpec::from_name(algorithm).unwrap();
    let holdout = Validation::Holdout {
        fraction: 0.25,
        seed: 0,
    };
    let recipe = Recipe::default_for(&table);
    let model = train_and_validate(
        &table,
        target,
        None,
        &recipe,
        &spec,
        holdout,
        &mut |_, _| true,
    )
    .unwrap()
    .1;
    (table, model)
}

fn all(_: f32) -> bool {
    true
}

/// Every `step`-th row of `table`, transformed.
fn some_rows(table: &Table, model: &TrainedModel, step: usize) -> (Vec<usize>, Array2<f64>) {
    let rows: Vec<usize> = (0..table.rows()).step_by(step).collect();
    let x = model.recipe.transform(table, &rows).unwrap().x;
    (rows, x)
}

fn assert_adds_up(c: &Contributions, tolerance: f64) {
    for i in 0..c.rows() {
        let total = c.base[i] + c.values.row(i).sum();
        assert!(
            (total - c.prediction[i]).abs() <= tolerance,
            "row {i}: {} + Σ = {total}, prediction {}",
            c.base[i],
            c.prediction[i]
        );
    }
}

#[test]
fn linear_contributions_are_coefficient_times_the_distance_from_the_training_mean() {
    let (table, model) = trained("penguins.csv", "body_mass_g", "linear_regression");
    // The stored means are the training rows' (the final fit is on every labelled row).
    let training = value_target(&table, "body_mass_g").unwrap().rows;
    let all_x = model.recipe.transform(&table, &training).unwrap().x;
    let means: Vec<f64> = all_x.mean_axis(ndarray::Axis(0)).unwrap().to_vec();
    assert_eq!(model.feature_means.len(), means.len());
    for (a, b) in model.feature_means.iter().zip(&means) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    let (_, x) = some_rows(&table, &model, 7);
    let c = explain(&model, x.view(), &Options::default(), &all).unwrap();
    assert_eq!(c.method, Method::Linear);
    assert_eq!(c.unit, Unit::Value);
    assert!(c.classes.is_empty());
    // One contribution per original column: island's three levels make one.
    let names: Vec<&str> = c.columns.iter().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "species",
            "island",
            "bill_length_mm",
            "bill_depth_mm",
            "flipper_length_mm",
            "sex",
            "year"
        ]
    );
    let FittedModel::Linear(linear) = &model.model else {
        panic!("linear")
    };
    let features = model.recipe.features();
    let predicted = model.model.predict_values(x.view()).unwrap();
    for i in 0..x.nrows() {
        for (c_index, column) in c.columns.iter().enumerate() {
            let hand: f64 = features
                .iter()
                .enumerate()
                .filter(|(_, f)| f.column == *column)
                .map(|(j, _)| linear.weights[j] * (x[[i, j]] - means[j]))
                .sum();
            assert!((c.values[[i, c_index]] - hand).abs() < 1e-9, "{column}");
        }
        assert!((c.prediction[i] - predicted[i]).abs() < 1e-9);
    }
    assert_adds_up(&c, 1e-9);
    // The base is the prediction at the mean row, the same for every row.
    let mean_row = ndarray::Array2::from_shape_vec((1, means.len()), means).unwrap();
    let at_mean = model.model.predict_values(mean_row.view()).unwrap()[0];
    assert!(c.base.iter().all(|b| (b - at_mean).abs() < 1e-9));
}

fn softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

#[test]
fn logistic_contributions_are_in_log_odds_for_the_predicted_or_a_chosen_class() {
    // Binary: log-odds, the sigmoid of the prediction being the class's probability.
    let (table, model) = trained("breast_cancer.csv", "diagnosis", "logistic_regression");
    let (_, x) = some_rows(&table, &model, 25);
    let proba = model.model.predict_proba(x.view(), 2).unwrap();
    let predicted = explain(&model, x.view(), &Options::default(), &all).unwrap();
    assert_eq!(predicted.unit, Unit::LogOdds);
    assert_adds_up(&predicted, 1e-9);
    for i in 0..x.nrows() {
        let k = predicted.classes[i];
        assert_eq!(k, usize::from(proba[[i, 1]] > proba[[i, 0]]));
        let p = 1.0 / (1.0 + (-predicted.prediction[i]).exp());
        assert!((p - proba[[i, k]]).abs() < 1e-9);
    }
    let options = Options {
        class: ClassChoice::Class(0),
        ..Options::default()
    };
    let zero = explain(&model, x.view(), &options, &all).unwrap();
    let one = explain(
        &model,
        x.view(),
        &Options {
            class: ClassChoice::Class(1),
            ..options
        },
        &all,
    )
    .unwrap();
    // Class 0's log-odds are class 1's negated, term by term.
    assert!(zero
        .values
        .iter()
        .zip(one.values.iter())
        .all(|(a, b)| (a + b).abs() < 1e-12));
    // Multinomial: each class's logit; their softmax is the model's probabilities.
    let (table, model) = trained("penguins.csv", "species", "logistic_regression");
    let (_, x) = some_rows(&table, &model, 11);
    let proba = model.model.predict_proba(x.view(), 3).unwrap();
    let per_class: Vec<Contributions> = (0..3)
        .map(|k| {
            let options = Options {
                class: ClassChoice::Class(k),
                ..Options::default()
            };
            explain(&model, x.view(), &options, &all).unwrap()
        })
        .collect();
    for c in &per_class {
        assert_eq!(c.unit, Unit::Logit);
        assert_adds_up(c, 1e-9);
    }
    for i in 0..x.nrows() {
        let z: Vec<f64> = per_class.iter().map(|c| c.prediction[i]).collect();
        for (k, p) in softmax(&z).iter().enumerate() {
            assert!((p - proba[[i, k]]).abs() < 1e-9);
        }
    }
    let bad = Options {
        class: ClassChoice::Class(3),
        ..Options::default()
    };
    assert_eq!(
        explain(&model, x.view(), &bad, &all),
        Err(ExplainError::NoClass(3))
    );
}

#[test]
fn older_versions_without_training_means_or_node_rows_are_refused_with_the_reason() {
    let (table, mut model) = trained("penguins.csv", "species", "logistic_regression");
    let (_, x) = some_rows(&table, &model, 50);
    model.feature_means.clear();
    let refused = explain(&model, x.view(), &Options::default(), &all).unwrap_err();
    assert_eq!(refused, ExplainError::NoFeatureMeans);
    assert!(refused.to_string().contains("retrain it"));
    // An artifact stored before the means were kept still loads, without them.
    let mut stored = serde_json::to_value(&model).unwrap();
    assert!(stored.get("feature_means").is_none());
    stored.as_object_mut().unwrap().remove("feature_means");
    let loaded: TrainedModel = serde_json::from_value(stored).unwrap();
    assert!(loaded.feature_means.is_empty());
    let (table, mut model) = trained("penguins.csv", "species", "random_forest");
    let FittedModel::Forest(forest) = &mut model.model else {
        panic!("forest")
    };
    forest.trees[1].stats.clear();
    let (_, x) = some_rows(&table, &model, 50);
    let refused = explain(&model, x.view(), &Options::default(), &all).unwrap_err();
    assert_eq!(refused, ExplainError::NoTreeStats);
}

#[test]
fn tree_and_forest_contributions_add_up_to_the_probability_of_the_explained_class() {
    for algorithm in ["decision_tree", "random_forest"] {
        let (table, model) = trained("penguins.csv", "species", algorithm);
        let (_, x) = some_rows(&table, &model, 9);
        let proba = model.model.predict_proba(x.view(), 3).unwrap();
        for class in [ClassChoice::Predicted, ClassChoice::Class(2)] {
            let options = Options {
                class,
                ..Options::default()
            };
            let c = explain(&model, x.view(), &options, &all).unwrap();
            assert_eq!((c.method, c.unit), (Method::TreeShap, Unit::Probability));
            assert_eq!(c.columns.len(), model.recipe.columns.len());
            assert_adds_up(&c, 1e-12);
            for i in 0..x.nrows() {
                assert!((c.prediction[i] - proba[[i, c.classes[i]]]).abs() < 1e-12);
            }
        }
    }
}

/// The exact interventional Shapley values of `model` for row `x` against `background`,
/// from every subset of the original columns.
fn exact_shapley(
    model: &TrainedModel,
    x: ArrayView2<f64>,
    background: ArrayView2<f64>,
    class: usize,
) -> Vec<f64> {
    let column_of = column_of_feature(model);
    let m = model.recipe.columns.len();
    let value = |set: u32| -> f64 {
        let mut rows = background.to_owned();
        for mut row in rows.rows_mut() {
            for (f, &c) in column_of.iter().enumerate() {
                if set & (1 << c) != 0 {
                    row[f] = x[[0, f]];
                }
            }
        }
        let p = model
            .model
            .predict_proba(rows.view(), model.classes.len())
            .unwrap();
        p.column(class).mean().unwrap()
    };
    let values: Vec<f64> = (0..(1u32 << m)).map(value).collect();
    let factorial = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
    (0..m)
        .map(|j| {
            (0..(1u32 << m))
                .filter(|set| set & (1 << j) == 0)
                .map(|set| {
                    let s = set.count_ones() as usize;
                    factorial(s) * factorial(m - s - 1) / factorial(m)
                        * (values[(set | (1 << j)) as usize] - values[set as usize])
                })
                .sum()
        })
        .collect()
}

#[test]
fn sampled_contributions_add_up_and_agree_with_exact_shapley_values_within_their_error() {
    let (table, model) = trained("penguins.csv", "species", "naive_bayes");
    let (_, background) = some_rows(&table, &model, 17);
    let (_, x) = some_rows(&table, &model, 43);
    let options = Options {
        background: Some(background.view()),
        samples: 400,
        seed: 7,
        ..Options::default()
    };
    let c = explain(&model, x.view(), &options, &all).unwrap();
    let Method::Sampling {
        samples,
        background_rows,
        seed,
    } = c.method
    else {
        panic!("{:?}", c.method)
    };
    assert_eq!((background_rows, seed), (background.nrows(), 7));
    assert!(samples >= 400 && samples % background_rows == 0);
    assert_eq!(c.unit, Unit::Probability);
    let errors = c.errors.as_ref().expect("standard errors");
    // Every background row used equally often: the sum is exact, whatever the sampling error.
    assert_adds_up(&c, 1e-9);
    let proba = model.model.predict_proba(x.view(), 3).unwrap();
    let mut largest_error = 0.0_f64;
    let (mut squared_miss, mut squared_error) = (0.0, 0.0);
    for i in 0..x.nrows() {
        let k = c.classes[i];
        assert!((c.prediction[i] - proba[[i, k]]).abs() < 1e-12);
        let exact = exact_shapley(
            &model,
            x.slice(ndarray::s![i..i + 1, ..]),
            background.view(),
            k,
        );
        for (j, e) in exact.iter().enumerate() {
            let (estimate, error) = (c.values[[i, j]], errors[[i, j]]);
            largest_error = largest_error.max(error);
            squared_miss += (estimate - e).powi(2);
            squared_error += error.powi(2);
            // A credit that only a rare order of the columns gives can be missed by every
            // sample, and its error with it: 0.001 of probability is allowed beyond the error.
            assert!(
                (estimate - e).abs() <= 4.5 * error + 1e-3,
                "row {i} column {}: {estimate} ± {error}, exact {e}",
                c.columns[j]
            );
        }
    }
    assert!(largest_error > 0.0);
    // Over every row and column, the misses are as large as the errors say.
    assert!(
        squared_miss.sqrt() <= 2.0 * squared_error.sqrt(),
        "miss {} error {}",
        squared_miss.sqrt(),
        squared_error.sqrt()
    );
    // The same seed gives the same estimate; a row's estimate does not depend on its company.
    let again = explain(&model, x.slice(ndarray::s![2..3, ..]), &options, &all).unwrap();
    assert_eq!(again.values.row(0), c.values.row(2));
    // A naive Bayes model cannot be explained without background rows.
    let none = explain(&model, x.view(), &Options::default(), &all).unwrap_err();
    assert_eq!(none, ExplainError::NoBackground);
}

#[test]
fn sampling_a_linear_model_gives_its_exact_contributions_against_the_background() {
    // Every order credits a linear model's column with w·(x − b): the estimate is exact.
    let (table, model) = trained("penguins.csv", "body_mass_g", "linear_regression");
    let (_, background) = some_rows(&table, &model, 13);
    let (_, x) = some_rows(&table, &model, 31);
    let options = Options {
        background: Some(background.view()),
        samples: 30,
        ..Options::default()
    };
    let c = explain_by_sampling(&model, x.view(), &options, &all).unwrap();
    let FittedModel::Linear(linear) = &model.model else {
        panic!("linear")
    };
    let mean = background.mean_axis(ndarray::Axis(0)).unwrap();
    let column_of = column_of_feature(&model);
    for i in 0..x.nrows() {
        let mut exact = vec![0.0; c.columns.len()];
        for (j, &col) in column_of.iter().enumerate() {
            exact[col] += linear.weights[j] * (x[[i, j]] - mean[j]);
        }
        for (a, b) in c.values.row(i).iter().zip(&exact) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }
    assert_adds_up(&c, 1e-6);
}

#[test]
fn explaining_many_rows_reports_progress_and_stops_when_cancelled() {
    let (table, model) = trained("penguins.csv", "species", "random_forest");
    let (_, x) = some_rows(&table, &model, 1);
    let heard = std::sync::Mutex::new(Vec::new());
    explain(&model, x.view(), &Options::default(), &|f| {
        heard.lock().unwrap().push(f);
        true
    })
    .unwrap();
    let heard = heard.into_inner().unwrap();
    assert_eq!(heard.len(), x.nrows());
    assert!(heard.contains(&1.0));
    let cancelled = explain(&model, x.view(), &Options::default(), &|f| f < 0.1);
    assert_eq!(cancelled, Err(ExplainError::Cancelled));
}

#[test]
fn the_summary_ranks_columns_by_mean_absolute_contribution_with_each_rows_value() {
    let (table, model) = trained("penguins.csv", "species", "decision_tree");
    let (rows, x) = some_rows(&table, &model, 3);
    let c = explain(&model, x.view(), &Options::default(), &all).unwrap();
    let values = column_values(&model, &table, &rows);
    let summary = summarise(&model, &c, &values);
    assert_eq!(summary.rows, rows.len());
    assert_eq!(summary.columns.len(), c.columns.len());
    assert!(summary
        .columns
        .windows(2)
        .all(|w| w[0].mean_abs >= w[1].mean_abs));
    for column in &summary.columns {
        let j = c.columns.iter().position(|n| *n == column.column).unwrap();
        let mean_abs = c.values.column(j).iter().map(|v| v.abs()).sum::<f64>() / rows.len() as f64;
        assert!((column.mean_abs - mean_abs).abs() < 1e-15);
        assert_eq!(column.points.len(), rows.len());
        for (i, &(_, contribution)) in column.points.iter().enumerate() {
            assert_eq!(contribution, c.values[[i, j]]);
        }
    }
    // A number is its own value; a category's is its level's index.
    let bill = summary
        .columns
        .iter()
        .find(|s| s.column == "bill_length_mm")
        .unwrap();
    let ColumnData::Numeric(raw) = &table.column("bill_length_mm").unwrap().data else {
        panic!()
    };
    assert!(bill
        .points
        .iter()
        .zip(&rows)
        .all(|(p, &r)| p.0.to_bits() == raw[r].to_bits()));
    let island = summary
        .columns
        .iter()
        .find(|s| s.column == "island")
        .unwrap();
    let levels = island.levels.as_ref().unwrap();
    let truth = class_target(&table, "island").unwrap();
    for (p, &r) in island.points.iter().zip(&rows) {
        let at = truth.rows.iter().position(|&t| t == r).unwrap();
        assert_eq!(levels[p.0 as usize], truth.classes[truth.y[at]]);
    }
}
