//! Why this row, in the real app driven headless: a selected scored row's waterfall holds
//! the numbers `contributions::explain` gives for it, the class picker changes the
//! explained class, the summary over all rows runs as a job that Cancel stops, an older
//! version says it must be retrained, and Compare explains a row of a run's dataset.

use eframe::egui;
use eframe::egui::accesskit::Role as AccessRole;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use modeldesk::data::{import_csv, Progress};
use modeldesk::gui::{
    Command, ExplainRowsCommand, FileChooser, ModeldeskApp, RowExplanation, ScoreSource, Settings,
    Shown, Startup,
};
use modeldesk::ml::contributions::{explain, ClassChoice, Options};
use modeldesk::ml::eval::TrainedModel;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

type Window = Harness<'static, ModeldeskApp>;

/// A window on the settings of a first start, its catalog `catalog.sqlite` in `folder`.
fn window_in(folder: &Path, startup: Option<Startup>, size: egui::Vec2) -> Window {
    let settings = Settings {
        reopen_datasets: false,
        catalog_path: Some(folder.join("catalog.sqlite")),
        file_chooser: FileChooser::InWindow,
        ..Settings::default()
    };
    Harness::builder().with_size(size).build_ui_state(
        |ui, app: &mut ModeldeskApp| app.frame(ui),
        ModeldeskApp::new(settings, startup),
    )
}

/// Step frames until every job has finished, then a few more.
fn settle(harness: &mut Window) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        harness.step();
        if harness.state().jobs().is_idle() {
            break;
        }
        assert!(Instant::now() < deadline, "jobs did not finish in time");
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.run_steps(3);
}

/// Open the sample labelled `sample`, and train the algorithms labelled `algorithms` (the
/// default one unticked unless named).
fn trained(folder: &Path, sample: &str, algorithms: &[&str]) -> Window {
    let mut harness = window_in(folder, None, egui::vec2(1280.0, 1000.0));
    harness.run_steps(2);
    harness.get_by_label(sample).click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    if !algorithms.contains(&"Logistic regression") {
        press(&mut harness, "Logistic regression");
    }
    for algorithm in algorithms.iter().filter(|a| **a != "Logistic regression") {
        press(&mut harness, algorithm);
    }
    press(&mut harness, "Train and validate");
    settle(&mut harness);
    assert_eq!(harness.state().runs().len(), 1);
    harness
}

/// Scroll the widget labelled `label` into view and click it.
fn press(harness: &mut Window, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.run_steps(10);
    harness.get_by_label(label).click();
    // The click sends a command; the next frame applies it.
    harness.run_steps(2);
}

/// Score `file` with run `index` of the session, from the Score view.
fn score_with_run(harness: &mut Window, index: usize, file: PathBuf) {
    harness.get_by_label("Score").click();
    harness.run_steps(2);
    let id = harness.state().runs()[index].id;
    harness
        .state_mut()
        .send(Command::ScoreWith(ScoreSource::Run(id)));
    harness.state_mut().send(Command::ScoreFile(file));
    harness.step();
    settle(harness);
}

/// Close the drift section, so the predictions and the explanations are in view.
fn close_drift(harness: &mut Window) {
    harness.get_by_label("Drift per feature").click();
    if let Some(metrics) = harness.query_by_label_contains("Metrics against the file's labels") {
        metrics.click();
    }
    harness.run_steps(3);
}

/// Click the row numbered `number` in the predictions, and wait for its explanation.
fn select_row(harness: &mut Window, number: &str) {
    harness.get_by_label(number).click();
    harness.step();
    settle(harness);
}

fn scored_row(harness: &Window) -> RowExplanation {
    match harness.state().explanations().scored_row.answer() {
        Some(Shown::Row(row)) => (**row).clone(),
        other => panic!("no row explained: {other:?}"),
    }
}

/// What `contributions::explain` gives for row `row` of `file` (read as the model reads a
/// file to score), for `class`.
fn expected(model: &TrainedModel, file: &Path, row: usize, class: ClassChoice) -> Vec<f64> {
    let table = import_csv(file, &model.scoring_options(), &Progress::default()).unwrap();
    let x = model.recipe.transform(&table, &[row]).unwrap().x;
    let options = Options {
        class,
        ..Options::default()
    };
    let c = explain(model, x.view(), &options, &|_| true).unwrap();
    let mut out = vec![c.base[0], c.prediction[0]];
    out.extend(c.values.row(0).iter());
    out
}

fn drawn(row: &RowExplanation) -> Vec<f64> {
    let w = &row.waterfall;
    let mut out = vec![w.base, w.prediction];
    out.extend(w.contributions.iter().map(|c| c.contribution));
    out
}

#[test]
fn a_selected_row_of_a_version_s_scored_file_is_drawn_as_its_exact_contributions() {
    let folder = tempfile::tempdir().unwrap();
    let mut harness = trained(
        folder.path(),
        "Breast cancer (diagnosis)",
        &["Logistic regression"],
    );
    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    harness.get_by_label("Register…").click();
    harness.run_steps(3);
    harness.get_by_label("Model name").focus();
    harness.run_steps(1);
    harness.get_by_label("Model name").type_text("cancer");
    harness.run_steps(2);
    harness.get_by_label("Register").click_accesskit();
    harness.run_steps(3);
    settle(&mut harness);
    // Scored with the version, read back from the catalog file.
    let file = fixture("assets/breast_cancer.csv");
    harness.get_by_label("Score").click();
    harness.run_steps(2);
    harness
        .state_mut()
        .send(Command::ScoreWith(ScoreSource::Version {
            model: "cancer".into(),
            version: 1,
        }));
    harness.state_mut().send(Command::ScoreFile(file.clone()));
    harness.step();
    settle(&mut harness);
    close_drift(&mut harness);
    harness.get_by_label(
        "Select a row of the predictions to see how each column moved its prediction.",
    );
    select_row(&mut harness, "11");
    let row = scored_row(&harness);
    assert_eq!(row.row, 10);
    let catalog = modeldesk::catalog::Catalog::open(&folder.path().join("catalog.sqlite")).unwrap();
    let id = catalog.version("cancer", 1).unwrap().summary.id;
    let model = modeldesk::catalog::record::load_model(&catalog, id).unwrap();
    assert_eq!(
        drawn(&row),
        expected(&model, &file, 10, ClassChoice::Predicted)
    );
    // The row's values, the unit and the largest bar, as drawn.
    harness.get_by_label("Why row 11 is predicted as it is");
    harness.get_by_label_contains("Exact: each column's contribution is coefficient");
    let unit = &row.waterfall.unit;
    assert!(unit.starts_with("log-odds of "), "{unit}");
    harness.get_by_label(&format!("In {unit}; largest first."));
    let largest = row
        .waterfall
        .contributions
        .iter()
        .max_by(|a, b| a.contribution.abs().total_cmp(&b.contribution.abs()))
        .unwrap();
    harness.get_by_label(&format!("{} = {}", largest.column, largest.value));
    harness.get_by_label(&format!("{:+.4}", largest.contribution));
    // Two classes: no class to choose.
    assert!(harness.query_by_label("Explain for class").is_none());
}

#[test]
fn the_class_picker_explains_another_class_of_a_forest() {
    let folder = tempfile::tempdir().unwrap();
    let mut harness = trained(
        folder.path(),
        "Penguins (species; missing values, categories)",
        &["Random forest"],
    );
    let file = fixture("assets/penguins.csv");
    score_with_run(&mut harness, 0, file.clone());
    close_drift(&mut harness);
    select_row(&mut harness, "11");
    let model = harness.state().runs()[0].model.clone();
    let row = scored_row(&harness);
    assert_eq!(row.waterfall.unit, "probability of Adelie");
    let predicted = expected(&model, &file, 10, ClassChoice::Predicted);
    for (a, b) in drawn(&row).iter().zip(&predicted) {
        assert!((a - b).abs() < 1e-12, "{a} against {b}");
    }
    harness.get_by_label_contains("Exact: path-dependent TreeSHAP");
    harness
        .get_by_role_and_label(AccessRole::ComboBox, "Explain for class")
        .click_accesskit();
    harness.run_steps(2);
    harness.get_all_by_label("Gentoo").last().unwrap().click();
    harness.step();
    settle(&mut harness);
    let row = scored_row(&harness);
    assert_eq!(row.waterfall.unit, "probability of Gentoo");
    let gentoo = expected(&model, &file, 10, ClassChoice::Class(2));
    for (a, b) in drawn(&row).iter().zip(&gentoo) {
        assert!((a - b).abs() < 1e-12, "{a} against {b}");
    }
    harness.get_by_label("In probability of Gentoo; largest first.");
}

#[test]
fn naive_bayes_rows_are_estimates_with_errors_and_the_summary_job_can_be_cancelled() {
    let folder = tempfile::tempdir().unwrap();
    let mut harness = trained(
        folder.path(),
        "Breast cancer (diagnosis)",
        &["Gaussian naive Bayes"],
    );
    score_with_run(&mut harness, 0, fixture("assets/breast_cancer.csv"));
    close_drift(&mut harness);
    // The summary over every row: a job, cancelled from the status bar.
    press(&mut harness, "Explain the rows");
    assert!(
        !harness.state().jobs().is_idle(),
        "the summary runs as a job"
    );
    // The status bar names the stage once the job has begun it; clicked before, its
    // Cancel button would move.
    harness.get_by_label_contains("Explaining every row");
    std::thread::sleep(Duration::from_millis(50));
    harness.run_steps(2);
    harness.get_by_label("sampling Shapley values");
    harness.get_by_label("Cancel").click_accesskit();
    settle(&mut harness);
    harness.get_by_label("The summary was cancelled.");
    // One row: sampled, each contribution with its standard error.
    select_row(&mut harness, "11");
    let row = scored_row(&harness);
    assert!(row
        .waterfall
        .contributions
        .iter()
        .all(|c| c.error.is_some()));
    harness.get_by_label_contains("These contributions are estimates");
    let largest = row
        .waterfall
        .contributions
        .iter()
        .max_by(|a, b| a.contribution.abs().total_cmp(&b.contribution.abs()))
        .unwrap();
    harness.get_by_label(&format!(
        "{:+.4} ± {:.4}",
        largest.contribution,
        largest.error.unwrap()
    ));
}

#[test]
fn the_summary_over_all_rows_draws_each_column_s_mean_contribution() {
    let folder = tempfile::tempdir().unwrap();
    let mut harness = trained(folder.path(), "Iris (species)", &["Logistic regression"]);
    score_with_run(&mut harness, 0, fixture("assets/iris.csv"));
    close_drift(&mut harness);
    harness
        .state_mut()
        .send(Command::ExplainRows(ExplainRowsCommand::SummariseScored));
    harness.step();
    settle(&mut harness);
    let summary = match harness.state().explanations().scored_summary.answer() {
        Some(Shown::Summary(summary)) => summary.clone(),
        other => panic!("no summary: {other:?}"),
    };
    assert_eq!((summary.rows, summary.of_rows), (150, 150));
    // Each column's mean |contribution| is explain's over every row.
    let model = harness.state().runs()[0].model.clone();
    let file = fixture("assets/iris.csv");
    let table = import_csv(&file, &model.scoring_options(), &Progress::default()).unwrap();
    let rows: Vec<usize> = (0..150).collect();
    let x = model.recipe.transform(&table, &rows).unwrap().x;
    let c = explain(&model, x.view(), &Options::default(), &|_| true).unwrap();
    for (j, name) in c.columns.iter().enumerate() {
        let mean = c.values.column(j).iter().map(|v| v.abs()).sum::<f64>() / 150.0;
        let drawn = summary
            .summary
            .columns
            .iter()
            .find(|s| &s.column == name)
            .unwrap();
        assert!((drawn.mean_abs() - mean).abs() < 1e-12, "{name}");
    }
    harness.get_by_label("mean |contribution|");
    for column in &summary.summary.columns {
        assert!(harness.get_all_by_label(&column.column).count() >= 2);
        let mean = column.mean_abs();
        assert!(mean > 0.0, "{}", column.column);
        harness
            .get_all_by_label(&format!("{mean:.4}"))
            .next()
            .unwrap();
    }
}

#[test]
fn an_older_version_without_training_means_says_to_retrain_it() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("tests/fixtures/compat/catalog.sqlite"),
        folder.path().join("catalog.sqlite"),
    )
    .unwrap();
    let startup = Startup::Score(
        "iris_logistic_regression@1".into(),
        fixture("assets/iris.csv"),
    );
    let mut harness = window_in(folder.path(), Some(startup), egui::vec2(1280.0, 1000.0));
    harness.run_steps(2);
    settle(&mut harness);
    harness.get_by_label_contains("150 rows in");
    close_drift(&mut harness);
    select_row(&mut harness, "11");
    harness.get_by_label_contains(
        "Row 11 cannot be explained: this version was trained before Modeldesk kept its \
         training rows' feature means",
    );
    harness.get_by_label_contains("retrain it to explain its predictions");
}

#[test]
fn compare_explains_a_validation_row_with_the_fold_model_that_validated_it() {
    let folder = tempfile::tempdir().unwrap();
    let mut harness = trained(
        folder.path(),
        "Penguins (species; missing values, categories)",
        &["Logistic regression"],
    );
    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    harness.get_by_label("Why this row").scroll_to_me();
    harness.run_steps(5);
    harness.get_by_label("Why this row").click();
    harness.run_steps(3);
    harness.get_by_label("Explain this row").scroll_to_me();
    harness.run_steps(5);
    harness.get_by_label("Explain this row").click();
    harness.step();
    settle(&mut harness);
    let row = match harness.state().explanations().run_row.answer() {
        Some(Shown::Row(row)) => (**row).clone(),
        other => panic!("no row explained: {other:?}"),
    };
    assert_eq!(row.row, 0);
    // The fold model that validated row 1, fitted again as validation fitted it (the Train
    // view's default recipe), is the model the bars explain.
    let run = &harness.state().runs()[0];
    let table = run.table.as_ref().unwrap();
    let recipe = modeldesk::ml::prep::Recipe::default_for(table);
    let (fold, model) = modeldesk::ml::fold_permutation::validation_model_of(
        &modeldesk::ml::fold_permutation::RunRecipe {
            table,
            target: &run.model.target,
            task: run.model.task,
            recipe: &recipe,
            spec: &run.model.spec,
            validation: run.evaluation.validation,
        },
        0,
        &|| true,
    )
    .unwrap()
    .expect("row 1 is a validation row of 5-fold cross-validation");
    assert_ne!(
        model.model, run.model.model,
        "a fold's model, not the final one"
    );
    assert_eq!(
        drawn(&row),
        expected(&model, &table.source, 0, ClassChoice::Predicted)
    );
    harness.get_by_label("Row 1: species is Adelie in the file.");
    harness.get_by_label_contains(
        "A validation row: the fold model that did not train on it predicted Adelie",
    );
    harness.get_by_label_contains(&format!(
        "The bars explain that model: fold {}'s, fitted again",
        fold + 1
    ));
    harness.get_by_label("Why row 1 is predicted as it is");
}
