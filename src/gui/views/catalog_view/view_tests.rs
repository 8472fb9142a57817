//! The Catalog view on its own, over a real catalog: what clicking its buttons, rows and
//! headers sends to the app, and how it draws what it read. Each frame first does the reads
//! the view asks for, as the app's catalog job would.

use eframe::egui::{self, accesskit::Role as AccessRole};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;

use super::{show, CatalogViewState};
use crate::catalog::{sample_version, temp_catalog, Catalog, Stage, VersionSort};
use crate::gui::command::{CatalogCommand, Command, ScoreSource, View};
use crate::jobs::catalog_read::{read_list, read_model};
use crate::jobs::{CatalogChange, CatalogWork};
use crate::ml::metric_registry;
use crate::report::SharePolicy;

/// A catalog, the view's state over it and what the view sent.
struct Fixture {
    _dir: tempfile::TempDir,
    catalog: Catalog,
    /// Counts the writes, as the app does; a new generation makes the view read again.
    generation: u64,
    state: CatalogViewState,
    commands: Vec<Command>,
}

impl Fixture {
    /// Do the reads the view asks for now.
    fn read(&mut self) {
        for work in self.state.wanted_reads(self.generation) {
            match work {
                CatalogWork::ReadList(query) => {
                    let list = read_list(&self.catalog, &query).map_err(|e| e.to_string());
                    self.state.take_list(query, list);
                }
                CatalogWork::ReadModel(query) => {
                    let read = read_model(&self.catalog, &query)
                        .map(Box::new)
                        .map_err(|e| e.to_string());
                    self.state.take_model(query, read);
                }
                other => panic!("the view asked for {other:?}"),
            }
        }
    }

    /// The catalog commands sent so far (taken).
    fn sent(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.commands)
    }
}

/// `churn` with a version per accuracy, the page of `version` open.
fn harness(accuracies: &[f64], version: Option<i64>) -> Harness<'static, Fixture> {
    harness_sized(accuracies, version, egui::vec2(1280.0, 800.0))
}

/// [`harness`] in a window of `size`.
fn harness_sized(
    accuracies: &[f64],
    version: Option<i64>,
    size: egui::Vec2,
) -> Harness<'static, Fixture> {
    let (dir, mut catalog) = temp_catalog();
    for &accuracy in accuracies {
        catalog
            .register("churn", &sample_version(accuracy))
            .unwrap();
    }
    let state = CatalogViewState {
        selected_model: Some("churn".into()),
        selected_version: version,
        ..CatalogViewState::default()
    };
    let fixture = Fixture {
        _dir: dir,
        catalog,
        generation: 0,
        state,
        commands: Vec::new(),
    };
    let mut harness = Harness::builder().with_size(size).build_ui_state(
        |ui, f: &mut Fixture| {
            f.read();
            let jobs = crate::jobs::Jobs::default();
            show(
                ui,
                Some(&f.catalog),
                None,
                &jobs,
                &mut f.state,
                &mut f.commands,
            );
        },
        fixture,
    );
    harness.run_steps(3);
    harness
}

fn change(command: CatalogChange) -> Command {
    Command::Catalog(CatalogCommand::Change(command))
}

fn versions(list: &[i64]) -> Vec<(String, i64)> {
    list.iter().map(|&v| ("churn".to_string(), v)).collect()
}

/// Scroll the widget labelled `label` into view and click it.
fn click(harness: &mut Harness<'static, Fixture>, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.run_steps(5);
    harness.get_by_label(label).click();
    harness.run_steps(2);
}

#[test]
fn stage_buttons_send_a_stage_change_with_the_comment() {
    let mut harness = harness(&[0.7, 0.9], Some(1));
    let comment = harness.get_by_label("Comment");
    comment.focus();
    harness.run_steps(1);
    harness.get_by_label("Comment").type_text("best so far");
    harness.run_steps(2);
    click(&mut harness, "To Production");
    assert_eq!(
        harness.state_mut().sent(),
        vec![change(CatalogChange::SetStage {
            model: "churn".into(),
            version: 1,
            stage: Stage::Production,
            archive_existing: false,
            comment: "best so far".into(),
        })]
    );
    click(&mut harness, "archive the current Production version");
    click(&mut harness, "To Production");
    click(&mut harness, "Archive");
    assert_eq!(
        harness.state_mut().sent(),
        vec![
            change(CatalogChange::SetStage {
                model: "churn".into(),
                version: 1,
                stage: Stage::Production,
                archive_existing: true,
                comment: String::new(),
            }),
            // Archiving archives nothing else.
            change(CatalogChange::SetStage {
                model: "churn".into(),
                version: 1,
                stage: Stage::Archived,
                archive_existing: false,
                comment: String::new(),
            }),
        ]
    );
    // v1 is in stage None: "To None" is not offered.
    assert!(harness
        .get_by_label("To None")
        .accesskit_node()
        .is_disabled());
}

#[test]
fn roll_back_delete_score_and_export_send_their_commands() {
    let mut harness = harness(&[0.7, 0.9], Some(2));
    click(&mut harness, "Roll back");
    click(&mut harness, "Score a file with it…");
    click(&mut harness, "Export ONNX…");
    let v2 = ScoreSource::Version {
        model: "churn".into(),
        version: 2,
    };
    assert_eq!(
        harness.state_mut().sent(),
        vec![
            change(CatalogChange::RollBack {
                model: "churn".into(),
                comment: String::new(),
            }),
            Command::ScoreWith(v2.clone()),
            Command::ShowView(View::Score),
            Command::AskExportOnnx(v2),
        ]
    );
    // Deleting asks first; cancelling sends nothing.
    click(&mut harness, "Delete…");
    harness.get_by_label("Delete churn v2?");
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(harness.state_mut().sent().is_empty());
    click(&mut harness, "Delete…");
    harness.get_by_label("Delete").click();
    harness.run_steps(2);
    assert_eq!(
        harness.state_mut().sent(),
        vec![change(CatalogChange::Delete {
            model: "churn".into(),
            version: 2,
            comment: String::new(),
        })]
    );
    assert_eq!(harness.state().state.selected_version, None);
}

#[test]
fn ticked_versions_are_compared_and_reported_and_catalog_buttons_ask_for_a_file() {
    let mut harness = harness(&[0.7, 0.8, 0.9], Some(3));
    // Nothing ticked: the report is of the open version, and there is nothing to compare.
    assert!(harness
        .get_by_label("Compare ticked (0)")
        .accesskit_node()
        .is_disabled());
    click(&mut harness, "Export report…");
    assert_eq!(
        harness.state_mut().sent(),
        vec![Command::Catalog(CatalogCommand::ExportReport(
            versions(&[3]),
            SharePolicy::default()
        ))]
    );
    // Tick v1 and v3: the rows' unlabelled checkboxes, top to bottom.
    assert_eq!(harness.get_all_by_label("Tick to compare").count(), 3);
    for row in [0, 2] {
        harness
            .get_all_by_label("Tick to compare")
            .nth(row)
            .unwrap()
            .click();
        harness.run_steps(2);
    }
    click(&mut harness, "Compare ticked (2)");
    // Asking for exact values and paths goes with the report.
    click(&mut harness, "exact values and paths");
    click(&mut harness, "Export report…");
    click(&mut harness, "New catalog…");
    click(&mut harness, "Open catalog…");
    assert_eq!(
        harness.state_mut().sent(),
        vec![
            Command::Catalog(CatalogCommand::Compare(versions(&[1, 3]))),
            Command::Catalog(CatalogCommand::ExportReport(
                versions(&[1, 3]),
                SharePolicy {
                    exact_values: true,
                    full_paths: true
                }
            )),
            Command::Catalog(CatalogCommand::PickFile { new: true }),
            Command::Catalog(CatalogCommand::PickFile { new: false }),
        ]
    );
}

#[test]
fn describing_and_tagging_send_their_changes() {
    let mut harness = harness(&[0.7], None);
    harness.get_by_label("Edit").click();
    harness.run_steps(2);
    harness.get_by_role(AccessRole::MultilineTextInput).focus();
    harness.run_steps(1);
    harness
        .get_by_role(AccessRole::MultilineTextInput)
        .type_text("Churn in **Q3**");
    harness.run_steps(2);
    click(&mut harness, "Save description");
    let tag_key =
        |node: &egui_kittest::kittest::AccessKitNode<'_>| node.placeholder() == Some("key");
    harness.get_by(tag_key).focus();
    harness.run_steps(1);
    harness.get_by(tag_key).type_text("team");
    harness.run_steps(2);
    click(&mut harness, "Add tag");
    assert_eq!(
        harness.state_mut().sent(),
        vec![
            change(CatalogChange::SetDescription {
                model: "churn".into(),
                version: None,
                text: "Churn in **Q3**".into(),
            }),
            change(CatalogChange::SetTag {
                model: "churn".into(),
                version: None,
                key: "team".into(),
                value: String::new(),
            }),
        ]
    );
}

#[test]
fn a_metric_header_sorts_best_first_then_flips_and_the_view_reads_that_order() {
    let mut harness = harness(&[0.7, f64::NAN, 0.9], None);
    let loss = metric_registry::label("log_loss");
    click(&mut harness, loss);
    let state = &harness.state().state;
    assert_eq!(state.sort, VersionSort::Metric("log_loss".into()));
    assert!(!state.descending, "a loss: lowest first");
    // The rows come back in that order: the undefined one last.
    let listed: Vec<i64> = state.read.versions.iter().map(|v| v.version).collect();
    assert_eq!(listed, vec![3, 1, 2]);
    click(&mut harness, &format!("{loss} ↑"));
    assert!(harness.state().state.descending);
    let accuracy = metric_registry::label("accuracy");
    click(&mut harness, accuracy);
    let state = &harness.state().state;
    assert_eq!(state.sort, VersionSort::Metric("accuracy".into()));
    assert!(state.descending, "higher is better: highest first");
    // Sorting changes only the view's own choices; nothing is sent to the app.
    assert!(harness.state_mut().sent().is_empty());
}

#[test]
fn clicking_any_cell_of_a_row_opens_that_version() {
    let mut harness = harness(&[0.7, 0.9], Some(1));
    harness.get_by_label("churn v1");
    // The accuracy cell of v2's row, not its "v2" label.
    let cell = metric_registry::format("accuracy", 0.9);
    harness.get_by_label(&cell).click();
    harness.run_steps(3);
    assert_eq!(harness.state().state.selected_version, Some(2));
    harness.get_by_label("churn v2");
    // And a row's stage badge.
    harness.get_all_by_label("None").next().unwrap().click();
    harness.run_steps(3);
    assert_eq!(harness.state().state.selected_version, Some(1));
}

/// Every piece of text painted in the last frame, with its size.
fn painted_text(harness: &Harness<'static, Fixture>) -> Vec<(String, f32)> {
    harness
        .output()
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::epaint::Shape::Text(text) => {
                let size = text.galley.job.sections.first()?.format.font_id.size;
                Some((text.galley.text().to_string(), size))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn one_version_plots_on_a_readable_axis_and_badges_are_body_text() {
    let harness = harness(&[0.9], Some(1));
    let body = harness.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
    let painted = painted_text(&harness);
    let badges: Vec<f32> = painted
        .iter()
        .filter(|(text, _)| text == Stage::None.title())
        .map(|&(_, size)| size)
        .collect();
    assert!(!badges.is_empty());
    assert!(
        badges.iter().all(|&size| size >= body),
        "{badges:?} < {body}"
    );
    // The y-axis around 0.9: several marks that read apart, not a lone "1".
    let texts: Vec<&str> = painted.iter().map(|(text, _)| text.as_str()).collect();
    for mark in ["0.85", "0.90", "0.95"] {
        assert!(texts.contains(&mark), "{mark} not in {texts:?}");
    }
}

#[test]
fn the_versions_table_names_each_algorithm_as_a_person_reads_it() {
    let harness = harness(&[0.7, 0.9], None);
    assert_eq!(harness.get_all_by_label("logistic regression").count(), 2);
    assert!(harness.query_by_label("logistic_regression").is_none());
}

#[test]
fn in_the_narrowest_window_every_column_of_the_versions_table_is_reached_by_scrolling() {
    let mut harness = harness_sized(&[0.7, 0.9], None, egui::vec2(720.0, 480.0));
    let last = |harness: &Harness<'static, Fixture>| {
        let header = harness
            .query_all_by_label("Log loss")
            .find(|node| node.accesskit_node().role() == AccessRole::Button)
            .expect("the Log loss column's header");
        header.scroll_to_me();
        header.rect()
    };
    last(&harness);
    harness.run_steps(5);
    let header = last(&harness);
    assert!(
        header.max.x <= 720.0 && header.min.x >= 0.0,
        "the last column's header is at {header:?}, outside the 720 px window"
    );
}

#[test]
fn the_metric_plot_leaves_the_scroll_bar_its_own_room() {
    let harness = harness(&[0.7, 0.9], None);
    let visuals = harness.ctx.global_style().visuals.clone();
    let scroll = harness.ctx.global_style().spacing.scroll;
    let frames: Vec<egui::Rect> = harness
        .output()
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::epaint::Shape::Rect(r)
                if r.fill == visuals.extreme_bg_color && r.rect.height() >= 100.0 =>
            {
                Some(r.rect)
            }
            _ => None,
        })
        .collect();
    assert_eq!(frames.len(), 1, "the metric over versions: {frames:?}");
    let room = scroll.bar_width + scroll.bar_inner_margin;
    assert!(
        frames[0].right() <= 1280.0 - room,
        "the plot reaches x = {}, under the scroll bar",
        frames[0].right()
    );
}

#[test]
fn push_to_mlflow_is_offered_once_a_tracking_uri_is_set() {
    let mut harness = harness(&[0.7, 0.9], Some(2));
    let push = harness.get_by_label("Push to MLflow");
    assert!(push.accesskit_node().is_disabled(), "no tracking URI yet");
    push.hover();
    harness.run();
    harness.get_by_label(crate::gui::mlflow_actions::WHERE_TO_SET_URI);
    harness.state_mut().state.tracking_uri = Some("http://mlflow:5000".into());
    harness.run_steps(3);
    click(&mut harness, "Push to MLflow");
    assert_eq!(
        harness.state_mut().sent(),
        vec![Command::PushToMlflow {
            model: "churn".into(),
            version: 2,
        }]
    );
}

#[test]
fn a_pushed_version_shows_its_mlflow_version_link_and_unsynced_stage() {
    let mut harness = harness(&[0.7, 0.9], Some(1));
    let uri = "http://mlflow:5000";
    {
        let fixture = harness.state_mut();
        let id = fixture.catalog.resolve("churn@1").unwrap().id;
        fixture
            .catalog
            .record_mlflow_sync(&crate::catalog::NewMlflowSync {
                version_id: id,
                tracking_uri: uri.into(),
                experiment_id: "1".into(),
                run_id: "abc".into(),
                mlflow_model: "churn".into(),
                mlflow_version: "4".into(),
                stage: Stage::None,
            })
            .unwrap();
        fixture.state.tracking_uri = Some(uri.into());
        fixture.generation += 1;
    }
    harness.run_steps(3);
    harness.get_by_label("in MLflow as churn v4");
    harness.get_by_label("MLflow v4");
    harness.get_by_label("open in MLflow").click();
    let mut opened = Vec::new();
    for _ in 0..3 {
        harness.step();
        opened.extend(
            harness
                .output()
                .platform_output
                .commands
                .iter()
                .filter_map(|c| match c {
                    egui::OutputCommand::OpenUrl(open) => Some(open.url.clone()),
                    _ => None,
                }),
        );
    }
    assert_eq!(opened, ["http://mlflow:5000/#/models/churn/versions/4"]);
    // v2 was never pushed; v1's stage changes here after the sync.
    assert_eq!(harness.get_all_by_label("MLflow v4").count(), 1);
    harness
        .state_mut()
        .catalog
        .set_stage("churn", 1, Stage::Staging, false, None)
        .unwrap();
    harness.state_mut().generation += 1;
    harness.run_steps(3);
    harness.get_by_label("stage not synced");
    assert_eq!(harness.query_all_by_label("MLflow v4").count(), 0);
}
