//! Rare levels grouped as scikit-learn's `OneHotEncoder(min_frequency=…, max_categories=…)`
//! groups them: on a skewed column with missing cells and levels unseen in training, the same
//! levels join "(infrequent)", the column has as many features, and logistic regression fitted
//! after it gives scikit-learn's probabilities, from the indicator matrix and from level
//! indices alike (`tests/fixtures/sklearn_rare_levels.json`, written with `rare_levels.csv` by
//! `bench/sklearn_rare_levels.py`).

use modeldesk::data::{import_csv, ImportOptions, Progress, Role};
use modeldesk::ml::model::{fit_model, fit_model_design, Targets};
use modeldesk::ml::prep::{
    fit_recipe, ColumnStep, FittedMissing, FittedStep, MinFrequency, RareLevels, Recipe,
};
use modeldesk::ml::spec::ModelSpec;
use modeldesk::ml::target::class_target;
use serde_json::Value;

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

fn settings(case: &Value) -> RareLevels {
    let s = &case["settings"];
    RareLevels {
        min_frequency: s.get("min_frequency").map(|v| match v.as_u64() {
            Some(n) => MinFrequency::Count(n),
            None => MinFrequency::Share(v.as_f64().unwrap()),
        }),
        max_categories: s.get("max_categories").map(|v| v.as_u64().unwrap() as u32),
    }
}

#[test]
fn rare_levels_are_grouped_and_fitted_as_scikit_learn_does() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_path("sklearn_rare_levels.json")).unwrap(),
    )
    .unwrap();
    let mut table = import_csv(
        &fixture_path("rare_levels.csv"),
        &ImportOptions::default(),
        &Progress::default(),
    )
    .unwrap();
    let target = table
        .columns
        .iter()
        .position(|c| c.name == "label")
        .unwrap();
    table.set_role(target, Role::Target);
    let train_rows = fixture["train_rows"].as_u64().unwrap() as usize;
    let train: Vec<usize> = (0..train_rows).collect();
    let predict: Vec<usize> = (train_rows..table.rows()).collect();
    let classes = class_target(&table, "label").unwrap();
    let y: Vec<usize> = train.iter().map(|&r| classes.y[r]).collect();
    assert_eq!(classes.classes, ["no", "yes"]);
    let mut spec = ModelSpec::from_name("logistic").unwrap();
    if let ModelSpec::LogisticRegression(s) = &mut spec {
        s.tolerance = 1e-10;
        s.max_iterations = 100_000;
    }
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let rare = settings(case);
        let what = format!("{}", case["settings"]);
        let mut recipe = Recipe::default_for(&table);
        for column in &mut recipe.columns {
            if let ColumnStep::OneHot { rare: r, .. } = &mut column.step {
                *r = rare;
            }
        }
        let fitted = fit_recipe(&recipe, &table, &train).unwrap();
        let shop = fitted.columns.iter().find(|c| c.column == "shop").unwrap();
        let FittedStep::OneHot {
            missing,
            infrequent,
            ..
        } = &shop.step
        else {
            panic!("{what}: shop is not one-hot")
        };
        // scikit-learn names its missing category "nan" (the fixture lists names sorted).
        let mut ours = infrequent.clone();
        if matches!(missing, FittedMissing::AsLevel(_)) {
            ours.push("nan".into());
        }
        ours.sort();
        let theirs: Vec<String> = case["infrequent"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(ours, theirs, "{what}: grouped levels");
        assert_eq!(
            shop.step.width() as u64,
            case["columns"].as_u64().unwrap(),
            "{what}: features of the column"
        );

        let x_train = fitted.transform(&table, &train).unwrap().x;
        let x_predict = fitted.transform(&table, &predict).unwrap().x;
        let targets = Targets::Classes {
            y: &y,
            classes: &classes.classes,
        };
        let dense = fit_model(&spec, x_train.view(), targets, &mut |_, _| true).unwrap();
        let design = fitted.transform_design(&table, &train).unwrap().design;
        let by_levels = fit_model_design(&spec, &design, targets, &mut |_, _| true).unwrap();
        let expected: Vec<f64> = case["probabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for (how, fit) in [("indicators", &dense), ("level indices", &by_levels)] {
            let proba = fit.model.predict_proba(x_predict.view(), 2).unwrap();
            for (i, want) in expected.iter().enumerate() {
                let got = proba[[i, 1]];
                assert!(
                    (got - want).abs() < 1e-6,
                    "{what}, {how}: row {i}: P(yes) {got}, scikit-learn {want}"
                );
            }
        }
    }
}
