//! The Score view drawn on its own: the commands its buttons and lists send, and the file's
//! own labels beside the predictions.

use eframe::egui;
use eframe::egui::accesskit::Role as AccessRole;
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::score_view::{show, ScoreForm, VersionChoices};
use crate::catalog::record::StoredCurves;
use crate::catalog::{Stage, VersionSummary};
use crate::data::{ColumnData, Table};
use crate::gui::command::{Command, ScoreSource};
use crate::gui::explanations::Explanations;
use crate::jobs::{ScoreOutcome, ScoreRequest, TrainingRun};
use crate::ml::eval::{train_and_validate, Validation};
use crate::ml::prep::Recipe;
use crate::ml::spec::ModelSpec;
use crate::ml::target::sample_with_target;
use crate::score::drift::Thresholds;
use crate::score::score_table;

/// A run trained for real on a bundled sample, with its table, as the Train view makes it.
fn trained(id: u64, file: &str, target: &str) -> TrainingRun {
    let table = sample_with_target(file, target);
    let spec = ModelSpec::default_for(crate::ml::target::infer_task(table.column(target).unwrap()));
    let (evaluation, model) = train_and_validate(
        &table,
        target,
        None,
        &Recipe::default_for(&table),
        &spec,
        Validation::default(),
        &mut |_, _| true,
    )
    .unwrap();
    TrainingRun {
        id,
        dataset: table.name.clone(),
        evaluation,
        learned: crate::ml::learned::what_it_learned(&model),
        model,
        table: Some(Arc::new(table)),
        registered: None,
        recorded: None,
        stored_curves: StoredCurves::None,
    }
}

/// `table` scored by `run`'s model, as the scoring job hands it to the view.
fn scored(run: &TrainingRun, table: Table) -> ScoreOutcome {
    let result = score_table(&run.model, &table, &Thresholds::default(), &mut |_, _| true);
    ScoreOutcome {
        request: ScoreRequest {
            model: Arc::new(run.model.clone()),
            model_title: run.title(),
            version: None,
            validation: run
                .evaluation
                .mean
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            path: table.source.clone(),
            thresholds: Thresholds::default(),
        },
        table: Arc::new(table),
        result,
        seconds: 0.25,
        not_recorded: None,
    }
}

fn version(model: &str, version: i64, stage: Stage) -> VersionSummary {
    VersionSummary {
        id: version,
        model: model.into(),
        version,
        stage,
        description: String::new(),
        algorithm: Some("logistic_regression".into()),
        metrics: BTreeMap::new(),
        dataset_name: None,
        dataset_fingerprint: None,
        train_seconds: 0.0,
        app_version: String::new(),
        created_by: String::new(),
        created_at: String::new(),
        tags: BTreeMap::new(),
    }
}

/// The view's form and the commands it sent.
type Sent = (ScoreForm, Vec<Command>);

fn harness(
    runs: Vec<TrainingRun>,
    versions: Vec<VersionSummary>,
    outcome: Option<ScoreOutcome>,
    form: ScoreForm,
) -> Harness<'static, Sent> {
    Harness::builder()
        .with_size(egui::vec2(1280.0, 1600.0))
        .build_ui_state(
            move |ui, (form, commands): &mut Sent| {
                let choices = VersionChoices {
                    versions: &versions,
                    loading: false,
                };
                show(
                    ui,
                    &runs,
                    choices,
                    outcome.as_ref(),
                    None,
                    &Explanations::default(),
                    form,
                    commands,
                )
            },
            (form, Vec::new()),
        )
}

#[test]
fn choosing_a_run_or_a_version_and_scoring_a_file_are_commands() {
    let run = trained(1, "iris.csv", "species");
    let title = run.title();
    let versions = vec![version("churn", 2, Stage::Production)];
    let mut harness = harness(vec![run], versions, None, ScoreForm::default());
    harness.run();
    // Nothing to score with yet: the button says why instead of asking for a file.
    assert!(harness
        .get_by_label("Score a CSV…")
        .accesskit_node()
        .is_disabled());
    harness
        .get_by_role_and_label(AccessRole::ComboBox, "Model")
        .click_accesskit();
    harness.run();
    harness.get_by_label(&title).click_accesskit();
    harness.run();
    assert_eq!(
        harness.state().1,
        vec![Command::ScoreWith(ScoreSource::Run(1))]
    );
    // The list may still be open after a choice; open it if it closed.
    if harness.query_by_label("churn v2 · Production").is_none() {
        harness
            .get_by_role_and_label(AccessRole::ComboBox, "Model")
            .click_accesskit();
        harness.run();
    }
    harness
        .get_by_label("churn v2 · Production")
        .click_accesskit();
    harness.run();
    assert_eq!(
        harness.state().1.last(),
        Some(&Command::ScoreWith(ScoreSource::Version {
            model: "churn".into(),
            version: 2
        }))
    );
}

#[test]
fn with_a_model_chosen_score_a_csv_asks_for_the_file() {
    let form = ScoreForm {
        source: Some(ScoreSource::Version {
            model: "churn".into(),
            version: 2,
        }),
        ..ScoreForm::default()
    };
    let mut harness = harness(Vec::new(), Vec::new(), None, form);
    harness.run();
    harness.get_by_value("churn v2");
    harness.get_by_label("Score a CSV…").click();
    harness.run();
    assert_eq!(harness.state().1, vec![Command::OpenScoreDialog]);
}

#[test]
fn a_labelled_file_shows_each_true_label_and_marks_the_wrong_predictions() {
    let run = trained(1, "iris.csv", "species");
    let mut table = sample_with_target("iris.csv", "species");
    // The first flower's label is changed: the model, right about it, is now wrong.
    let species = table
        .columns
        .iter_mut()
        .find(|c| c.name == "species")
        .unwrap();
    let ColumnData::Strings { codes, levels } = &mut species.data else {
        panic!("species is categorical");
    };
    assert_eq!(levels[codes[0] as usize], "setosa");
    codes[0] = levels.iter().position(|l| l == "virginica").unwrap() as u32;
    let outcome = scored(&run, table);
    let mut harness = harness(vec![run], Vec::new(), Some(outcome), ScoreForm::default());
    harness.run();
    harness.get_by_label("true species");
    // Row 1: predicted setosa, the file says virginica.
    harness.get_by_label("× setosa");
    // Its true label, and the file's own column, say virginica; no other early row does.
    assert_eq!(harness.get_all_by_label("virginica").count(), 2);
    // Row 2 is right: its prediction is not marked.
    assert_eq!(harness.get_all_by_label("× setosa").count(), 1);
    assert!(harness.get_all_by_label("setosa").count() >= 2);
    // The drift histogram's legend sits beneath it in body text.
    let legend = harness.get_by_label("this file").rect();
    harness.get_by_label("training");
    let body = egui::TextStyle::Body.resolve(&egui::Style::default()).size;
    assert!(legend.height() >= body, "{legend:?}");
    harness.get_by_label("Export predictions…").click();
    harness.run();
    assert_eq!(harness.state().1, vec![Command::ExportPredictions]);
}

#[test]
fn a_file_with_values_shows_each_true_value_and_the_error() {
    let run = trained(1, "diabetes.csv", "progression");
    let table = sample_with_target("diabetes.csv", "progression");
    let outcome = scored(&run, table);
    let scored_rows = outcome.result.as_ref().unwrap();
    let first_error = scored_rows.predicted_values[0] - 151.0;
    let mut harness = harness(vec![run], Vec::new(), Some(outcome), ScoreForm::default());
    harness.run();
    harness.get_by_label("true progression");
    harness.get_by_label("error");
    harness.get_by_label(&format!("{first_error:+.4}"));
}

#[test]
fn a_file_without_the_target_column_shows_predictions_only() {
    let run = trained(1, "iris.csv", "species");
    let mut table = sample_with_target("iris.csv", "species");
    table.columns.retain(|c| c.name != "species");
    let outcome = scored(&run, table);
    let mut harness = harness(vec![run], Vec::new(), Some(outcome), ScoreForm::default());
    harness.run();
    harness.get_by_label("predicted");
    assert!(harness.query_by_label("true species").is_none());
    assert!(harness.query_by_label_contains("×").is_none());
}

#[test]
fn the_drift_plot_leaves_the_scroll_bar_its_own_room() {
    let run = trained(1, "iris.csv", "species");
    let outcome = scored(&run, sample_with_target("iris.csv", "species"));
    let mut harness = harness(vec![run], Vec::new(), Some(outcome), ScoreForm::default());
    harness.run();
    let style = harness.ctx.global_style();
    let right = harness
        .output()
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::epaint::Shape::Rect(r)
                if r.fill == style.visuals.extreme_bg_color && r.rect.height() >= 100.0 =>
            {
                Some(r.rect.right())
            }
            _ => None,
        })
        .fold(None, |most: Option<f32>, x| {
            Some(most.map_or(x, |m| m.max(x)))
        })
        .expect("the drift plots");
    let room = style.spacing.scroll.bar_width + style.spacing.scroll.bar_inner_margin;
    assert!(
        right <= 1280.0 - room,
        "a plot reaches x = {right}, under the scroll bar"
    );
}

#[test]
fn clicking_a_result_row_selects_it_and_clicking_it_again_clears_it() {
    let run = trained(1, "iris.csv", "species");
    let outcome = scored(&run, sample_with_target("iris.csv", "species"));
    // The commands sent, and the row selected as the app keeps it from them.
    type Selection = (ScoreForm, Vec<Command>, Option<usize>);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 1600.0))
        .build_ui_state(
            move |ui, (form, commands, selected): &mut Selection| {
                let choices = VersionChoices {
                    versions: &[],
                    loading: false,
                };
                let runs = [];
                show(
                    ui,
                    &runs,
                    choices,
                    Some(&outcome),
                    *selected,
                    &Explanations::default(),
                    form,
                    commands,
                );
                for command in commands.iter() {
                    if let Command::ExplainScoredRow { row } = command {
                        *selected = *row;
                    }
                }
            },
            (ScoreForm::default(), Vec::new(), None),
        );
    harness.run();
    harness.get_by_label("Click a row to select it.");
    // Row 11's number, in the first column (no iris measurement reads 11).
    harness.get_by_label("11").click();
    harness.run();
    assert_eq!(
        harness.state().1,
        vec![Command::ExplainScoredRow { row: Some(10) }]
    );
    harness.get_by_label("Row 11 selected");
    harness.get_by_label("11").click();
    harness.run();
    assert_eq!(
        harness.state().1.last(),
        Some(&Command::ExplainScoredRow { row: None })
    );
    assert!(harness.query_by_label("Row 11 selected").is_none());
    harness.get_by_label("13").click();
    harness.run();
    harness.get_by_label("Row 13 selected");
    harness.get_by_label("Clear selection").click();
    harness.run();
    assert_eq!(harness.state().2, None);
}
