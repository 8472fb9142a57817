//! Gradient boosting splitting one-hot columns natively, on sets of levels, against
//! scikit-learn's `HistGradientBoostingClassifier` with categorical features
//! (`tests/fixtures/sklearn_native_categories.json`, written by
//! `bench/sklearn_native_categories.py` with `tests/fixtures/native_categories.csv`): the
//! same first split (a set of 17 of 39 levels) and leaves, the same hold-out probabilities (to
//! 1e-6, after 1, 5, 20 and 100 iterations) and ROC AUC; and the same predictions from level
//! indices as from the indicators written out.

use modeldesk::data::{import_csv, ImportOptions, Progress, Role, Table};
use modeldesk::ml::boost::BoostedModel;
use modeldesk::ml::metrics::roc_auc;
use modeldesk::ml::model::{fit_model_design, FittedModel, Targets};
use modeldesk::ml::prep::{fit_recipe, Design, Recipe};
use modeldesk::ml::spec::ModelSpec;
use modeldesk::ml::target::class_target;
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn_native_categories.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn table() -> Table {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/native_categories.csv"
    );
    let mut table = import_csv(
        std::path::Path::new(path),
        &ImportOptions::default(),
        &Progress::default(),
    )
    .expect("import");
    let label = table
        .columns
        .iter()
        .position(|c| c.name == "label")
        .unwrap();
    table.set_role(label, Role::Target);
    table
}

fn boosting(categories: &str) -> ModelSpec {
    let mut spec = ModelSpec::from_name("gradient_boosting").unwrap();
    for (key, value) in [
        ("early_stopping", "false"),
        ("categorical_features", categories),
    ] {
        let kind = spec.find_param(key).unwrap().kind;
        spec.set_param(key, kind.parse(value).unwrap()).unwrap();
    }
    spec
}

/// Gradient boosting without early stopping, its categories split as `categories` says,
/// fitted on `design`.
fn fit_boosting(
    categories: &str,
    design: &Design,
    y: &[usize],
    classes: &[String],
) -> BoostedModel {
    let fit = fit_model_design(
        &boosting(categories),
        design,
        Targets::Classes { y, classes },
        &mut |_, _| true,
    )
    .unwrap();
    match fit.model {
        FittedModel::Boosted(m) => m,
        _ => panic!("a boosted model"),
    }
}

#[test]
fn level_set_splits_are_scikit_learns() {
    let fixture = fixture();
    let table = table();
    let train_rows = fixture["train_rows"].as_u64().unwrap() as usize;
    let train: Vec<usize> = (0..train_rows).collect();
    let test: Vec<usize> = (train_rows..table.rows()).collect();
    let target = class_target(&table, "label").unwrap();
    assert_eq!(target.classes, ["no", "yes"]);
    let fitted = fit_recipe(&Recipe::default_for(&table), &table, &train).unwrap();
    let design = fitted.transform_design(&table, &train).unwrap().design;
    let held_out = fitted.transform_design(&table, &test).unwrap();
    assert!(held_out
        .unseen
        .iter()
        .any(|(column, n)| column == "region" && *n > 0));
    let y: Vec<usize> = train.iter().map(|&r| target.y[r]).collect();
    let model = &fit_boosting("native", &design, &y, &target.classes);

    // The first tree: its root splits region on scikit-learn's set of levels.
    let names = fitted.features();
    let first = &model.trees[0][0];
    let root = &first.nodes[0];
    let split = root.levels.as_ref().expect("the root splits on levels");
    let theirs = &fixture["root"];
    assert_eq!(
        names[root.feature].column,
        theirs["column"].as_str().unwrap()
    );
    let mut left: Vec<String> = split
        .left
        .iter()
        .map(|&l| names[root.feature + l as usize].level.clone().unwrap())
        .collect();
    left.sort();
    let their_left: Vec<&str> = theirs["left_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(left, their_left);
    assert_eq!(
        first.leaves(),
        fixture["first_tree_leaves"].as_u64().unwrap() as usize
    );

    // The held-out rows, some of a region training never saw. scikit-learn's gradients are
    // floats: the same trees, probabilities equal to about 1e-9.
    let ours = model.probabilities_of(modeldesk::ml::prep::Features::design(&held_out.design));
    let ours: Vec<f64> = ours.unwrap().column(1).to_vec();
    let their_p: Vec<f64> = fixture["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_f64().unwrap())
        .collect();
    let truth: Vec<bool> = test.iter().map(|&r| target.y[r] == 1).collect();
    let auc = roc_auc(&truth, &ours).unwrap();
    let their_auc = fixture["roc_auc"].as_f64().unwrap();
    let mean = ours
        .iter()
        .zip(&their_p)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / ours.len() as f64;
    eprintln!(
        "hold-out ROC AUC {auc:.5}, scikit-learn {their_auc:.5}; probabilities differ by \
         {mean:.2e} on average"
    );
    // The models after the first iterations too.
    for (iterations, theirs) in fixture["staged"].as_object().unwrap() {
        let mut first = model.clone();
        first.trees.truncate(iterations.parse().unwrap());
        let p = first
            .probabilities_of(modeldesk::ml::prep::Features::design(&held_out.design))
            .unwrap();
        let largest = p
            .column(1)
            .iter()
            .zip(theirs.as_array().unwrap())
            .map(|(a, b)| (a - b.as_f64().unwrap()).abs())
            .fold(0.0, f64::max);
        eprintln!("after {iterations} iterations: probabilities differ by {largest:.2e} at most");
        assert!(largest <= 1e-6, "after {iterations} iterations: {largest}");
    }
    assert!(
        (auc - their_auc).abs() <= 0.003,
        "{auc} against {their_auc}"
    );
    assert!(mean <= 1e-6, "mean difference {mean}");

    // The indicators written out route every row as the level indices do.
    let dense = held_out.design.to_dense();
    let by_matrix = model.probabilities(dense.view()).unwrap();
    for (a, b) in by_matrix.column(1).iter().zip(&ours) {
        assert_eq!(a, b);
    }
}

#[test]
fn the_one_hot_setting_splits_indicator_by_indicator() {
    let table = table();
    let train: Vec<usize> = (0..3000).collect();
    let target = class_target(&table, "label").unwrap();
    let fitted = fit_recipe(&Recipe::default_for(&table), &table, &train).unwrap();
    let design = fitted.transform_design(&table, &train).unwrap().design;
    let y: Vec<usize> = train.iter().map(|&r| target.y[r]).collect();
    let native = fit_boosting("native", &design, &y, &target.classes);
    let indicators = fit_boosting("one_hot", &design, &y, &target.classes);
    let level_splits = |m: &BoostedModel| {
        m.trees
            .iter()
            .flatten()
            .flat_map(|t| &t.nodes)
            .filter(|n| n.levels.is_some())
            .count()
    };
    assert!(level_splits(&native) > 0);
    assert_eq!(level_splits(&indicators), 0);
}
