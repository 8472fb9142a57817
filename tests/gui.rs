//! The real app driven headless through egui_kittest: clicks, dropped files, role changes,
//! asserting what a user would see.

use eframe::egui;
use eframe::egui::accesskit::Role as AccessRole;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use modeldesk::data::{ColumnKind, Role};
use modeldesk::gui::{ModeldeskApp, Settings, Startup};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// The app in a window, on the settings of a first start with a catalog of its own (never
/// the user's) in a temporary folder that goes when the window does.
struct Window {
    harness: Harness<'static, ModeldeskApp>,
    _folder: tempfile::TempDir,
}

impl std::ops::Deref for Window {
    type Target = Harness<'static, ModeldeskApp>;

    fn deref(&self) -> &Self::Target {
        &self.harness
    }
}

impl std::ops::DerefMut for Window {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.harness
    }
}

/// A fresh window, with a file to import or preview first if given.
fn window(startup: Option<Startup>) -> Window {
    window_in(tempfile::tempdir().unwrap(), startup)
}

/// A fresh window whose catalog is `catalog.sqlite` in `folder`.
fn window_in(folder: tempfile::TempDir, startup: Option<Startup>) -> Window {
    let settings = Settings {
        reopen_datasets: false,
        catalog_path: Some(folder.path().join("catalog.sqlite")),
        ..Settings::default()
    };
    let harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut ModeldeskApp| app.frame(ui),
            ModeldeskApp::new(settings, startup),
        );
    Window {
        harness,
        _folder: folder,
    }
}

/// Step frames until every job has finished, then a few more; returns when the last job
/// was seen finished.
fn settle(harness: &mut Harness<'static, ModeldeskApp>) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        harness.step();
        if harness.state().jobs().is_idle() {
            break;
        }
        assert!(Instant::now() < deadline, "jobs did not finish in time");
        std::thread::sleep(Duration::from_millis(10));
    }
    let idle = Instant::now();
    harness.run_steps(3);
    idle
}

/// A fresh window in which the user has opened the sample labelled `label` on the welcome page.
fn with_sample(label: &str) -> Window {
    let mut harness = window(None);
    harness.run_steps(2);
    harness.get_by_label(label).click();
    harness.step();
    settle(&mut harness);
    harness
}

/// A file dropped from the desktop.
#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_files(harness: &mut Harness<'static, ModeldeskApp>, paths: &[PathBuf]) {
    for path in paths {
        let file: egui::DroppedFileHandle = Arc::new(DroppedPath(path.clone()));
        harness.input_mut().dropped_files.push(file);
    }
    harness.step();
}

#[test]
fn opening_a_sample_shows_its_rows_types_and_target() {
    let harness = with_sample("Penguins (species; missing values, categories)");

    harness.get_by_label("344 rows × 8 columns");
    harness.get_by_label("categorical · target");
    assert_eq!(harness.get_all_by_label("float · feature").count(), 2);
    harness.get_by_label("Class balance of target 'species'");
    harness.get_by_label("Adelie: 152 (44.2%)");
    let app = harness.state();
    let table = &app.current().unwrap().table;
    assert_eq!(table.column("sex").unwrap().kind, ColumnKind::Categorical);
    assert_eq!(
        table.column("body_mass_g").unwrap().kind,
        ColumnKind::Integer
    );
}

#[test]
fn changing_a_role_in_the_profile_panel_moves_the_target() {
    let mut harness = with_sample("Iris (species)");

    harness.get_by_label("petal_width").click();
    harness.run_steps(2);
    harness.get_by_label("target").click();
    harness.run_steps(3);

    let table = &harness.state().current().unwrap().table;
    assert_eq!(table.column("petal_width").unwrap().role, Role::Target);
    assert_eq!(table.column("species").unwrap().role, Role::Feature);
    harness.get_by_label("Class balance of target 'petal_width'");
    harness.get_by_label("float · target");
}

#[test]
fn one_dropped_file_opens_the_preview_and_imports_on_confirm() {
    let mut harness = window(None);
    harness.run_steps(2);
    drop_files(&mut harness, &[fixture("assets/wine.csv")]);
    harness.run();
    harness.get_by_label("Import wine.csv");
    harness.get_by_label("178 rows, 14 columns");
    // Widgets inside the modal dialog are pressed through accesskit, as a screen reader
    // would; kittest's synthetic pointer does not reach into egui modals.
    harness.get_by_label("Import").click_accesskit();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("178 rows × 14 columns");
    assert!(harness.state().import_dialog().is_none());
}

#[test]
fn several_dropped_files_import_at_once() {
    let mut harness = window(None);
    harness.run_steps(2);
    drop_files(
        &mut harness,
        &[fixture("assets/iris.csv"), fixture("assets/diabetes.csv")],
    );
    settle(&mut harness);
    let names: Vec<&str> = harness
        .state()
        .datasets()
        .iter()
        .map(|d| d.table.name.as_str())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"iris") && names.contains(&"diabetes"));
    harness.get_by_label("iris\n150 rows");
    harness.get_by_label("diabetes\n442 rows");
}

#[test]
fn a_broken_file_shows_a_clear_message_and_no_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    std::fs::write(&path, "a,b\n1,2\n3,4,5\n").unwrap();
    let mut harness = window(None);
    harness.run_steps(2);
    drop_files(&mut harness, &[path.clone(), fixture("assets/iris.csv")]);
    settle(&mut harness);
    let message = format!(
        "import of ragged.csv failed: {}:3:5: expected 2 fields, found 3",
        path.display()
    );
    harness.get_by_label_contains(&message);
    assert_eq!(
        harness.state().datasets().len(),
        1,
        "the good file still imports"
    );
}

#[test]
fn the_preview_applies_a_changed_header_choice() {
    let mut harness = window(Some(Startup::Preview(fixture("assets/iris.csv"))));
    harness.run();
    harness.get_by_label("150 rows, 5 columns");
    harness
        .get_by_role_and_label(AccessRole::ComboBox, "Header")
        .click_accesskit();
    harness.run();
    harness.get_by_label("no header").click_accesskit();
    harness.run();
    // The header row is now data: one more row, and the columns are named by position.
    harness.get_by_label("151 rows, 5 columns");
    assert!(harness.get_all_by_label("column_1").count() > 0);
    harness.get_by_label("Import").click_accesskit();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("151 rows × 5 columns");
    let table = &harness.state().current().unwrap().table;
    assert_eq!(table.columns[0].name, "column_1");
}

#[test]
fn ctrl_and_a_number_shows_that_view() {
    let mut harness = window(None);
    harness.run_steps(2);
    for (key, view) in [
        (egui::Key::Num4, modeldesk::gui::View::Catalog),
        (egui::Key::Num2, modeldesk::gui::View::Train),
        (egui::Key::Num5, modeldesk::gui::View::Score),
        (egui::Key::Num1, modeldesk::gui::View::Data),
    ] {
        harness.key_press_modifiers(egui::Modifiers::COMMAND, key);
        harness.run_steps(2);
        assert_eq!(harness.state().settings().view, view, "{key:?}");
    }
}

#[test]
fn an_empty_catalog_says_how_to_fill_it() {
    let mut harness = window(None);
    harness.run_steps(2);
    harness.get_by_label("Catalog").click();
    harness.step();
    // The view's content is read by a catalog job.
    settle(&mut harness);
    assert_eq!(
        harness.state().settings().view,
        modeldesk::gui::View::Catalog
    );
    harness.get_by_label("No registered models yet");
}

#[test]
fn training_penguins_in_the_train_view_lists_a_run_with_its_accuracy() {
    let mut harness = with_sample("Penguins (species; missing values, categories)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_value("classification (inferred)");
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);

    let run = &harness.state().runs()[0];
    let accuracy = run.evaluation.mean["accuracy"];
    assert!(accuracy >= 0.97, "accuracy {accuracy}");
    assert_eq!(run.evaluation.folds.len(), 5);
    let shown = format!(
        "Accuracy {accuracy:.4} ± {:.4}",
        run.evaluation.std["accuracy"]
    );
    harness.get_by_label(&shown);
    harness.get_by_label("#1 logistic regression on penguins");
}

#[test]
fn a_feature_is_left_out_by_its_one_checkbox() {
    let mut harness = with_sample("Penguins (species; missing values, categories)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    // One control per feature: its checkbox, and no second "ignore" button beside it.
    assert!(harness.query_by_label("ignore").is_none());
    harness.get_by_label("island").click();
    harness.run_steps(3);
    let dataset = &harness.state().datasets()[0];
    let island = dataset.table.columns.iter().find(|c| c.name == "island");
    assert_eq!(island.unwrap().role, modeldesk::data::Role::Ignore);
    harness.get_by_label("not used");
}

#[test]
fn a_parameter_edited_in_the_train_view_is_the_one_trained() {
    let mut harness = with_sample("Penguins (species; missing values, categories)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Decision tree").click();
    harness.run_steps(2);
    // The tree's editors come before the forest's, which has a depth limit too.
    harness
        .get_all_by_label("Max depth")
        .next()
        .unwrap()
        .click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);

    let runs = harness.state().runs();
    let tree = runs
        .iter()
        .find(|r| r.evaluation.algorithm == "decision_tree")
        .expect("a decision tree run");
    assert!(
        tree.evaluation.parameters.starts_with("unlimited depth"),
        "{}",
        tree.evaluation.parameters
    );
}

#[test]
fn regression_on_diabetes_trains_two_models_and_compare_plots_their_residuals() {
    let mut harness = with_sample("Diabetes (progression; regression)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_value("regression (inferred)");
    harness.get_by_label("Ridge").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);

    let runs = harness.state().runs();
    assert_eq!(
        runs.len(),
        2,
        "{:?}",
        runs.iter().map(|r| r.title()).collect::<Vec<_>>()
    );
    let r2 = runs[0].evaluation.mean["r2"];
    assert!(r2 > 0.4, "R² {r2}");
    harness.get_by_label(&format!("R² {r2:.4} ± {:.4}", runs[0].evaluation.std["r2"]));
    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    harness.get_by_label("Comparing 2 runs");
    harness.get_by_label("Predicted against actual");
    harness.get_by_label("Residuals (actual − predicted)");
    assert!(harness.query_by_label("Confusion matrices").is_none());
}

#[test]
fn a_long_training_job_can_be_cancelled_from_the_status_bar() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let mut text = String::from("a,b,c,d,label\n");
    for i in 0..300_000u64 {
        let x = (i * 7919 % 1000) as f64 / 100.0;
        let y = (i * 104_729 % 997) as f64 / 50.0;
        let label = if x + y * 0.5 + ((i % 13) as f64) * 0.3 > 9.0 {
            "yes"
        } else {
            "no"
        };
        text.push_str(&format!("{x},{y},{},{},{label}\n", i % 13, (i * 31) % 101));
    }
    std::fs::write(&path, text).unwrap();
    let mut harness = window(Some(Startup::Import(path)));
    settle(&mut harness);
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    std::thread::sleep(Duration::from_millis(300));
    harness.step();
    assert!(
        !harness.state().jobs().is_idle(),
        "training is still running"
    );
    harness.get_by_label("Cancel").click();
    let asked = Instant::now();
    let stopped = settle(&mut harness);
    println!("cancel took {:?}", stopped - asked);
    assert!(harness.state().runs().is_empty());
    harness.get_by_label("training on long cancelled");
}

/// Every piece of text painted in the last frame.
fn painted_text(harness: &Harness<'static, ModeldeskApp>) -> Vec<String> {
    harness
        .output()
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::epaint::Shape::Text(text) => Some(text.galley.text().to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn hovering_files_shows_what_dropping_them_will_do() {
    let mut harness = window(None);
    harness.run_steps(2);
    let hovered = |path: &str| egui::HoveredFile {
        path: Some(PathBuf::from(path)),
        mime: String::new(),
    };
    harness.input_mut().hovered_files = vec![hovered("/tmp/a.csv"), hovered("/tmp/b.csv")];
    harness.step();
    assert!(painted_text(&harness).contains(&"Drop to import these 2 files".to_string()));
    harness.input_mut().hovered_files = vec![hovered("/tmp/a.csv")];
    harness.step();
    assert!(painted_text(&harness).contains(&"Drop to preview and import this file".to_string()));
    harness.input_mut().hovered_files.clear();
    harness.step();
    assert!(!painted_text(&harness)
        .iter()
        .any(|t| t.starts_with("Drop to")));
}

/// Penguins trained with logistic regression and a decision tree, both registered as
/// versions 1 and 2 of `penguin-species` through the Compare view's dialog.
fn two_registered_versions() -> Window {
    let mut harness = with_sample("Penguins (species; missing values, categories)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Decision tree").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    assert_eq!(harness.state().runs().len(), 2);
    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    for _ in 0..2 {
        harness
            .get_all_by_label("Register…")
            .next()
            .unwrap()
            .click();
        harness.run_steps(3);
        harness.get_by_label("Model name").focus();
        harness.run_steps(1);
        harness
            .get_by_label("Model name")
            .type_text("penguin-species");
        harness.run_steps(2);
        harness.get_by_label("Register").click_accesskit();
        harness.run_steps(3);
        // Registering is a catalog job.
        settle(&mut harness);
    }
    let registered: Vec<_> = harness
        .state()
        .runs()
        .iter()
        .map(|r| r.registered.clone())
        .collect();
    assert_eq!(
        registered,
        vec![
            Some(("penguin-species".to_string(), 1)),
            Some(("penguin-species".to_string(), 2))
        ]
    );
    harness.get_by_label("registered as penguin-species v1");
    harness
}

/// Scroll the widget labelled `label` into view (scrolling is animated: a few frames).
fn scroll_to(harness: &mut Harness<'static, ModeldeskApp>, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.run_steps(20);
}

/// Catalog ▸ penguin-species ▸ the page of `version` ("v2").
fn open_version_page(harness: &mut Harness<'static, ModeldeskApp>, version: &str) {
    // Each choice is read by a catalog job.
    harness.get_by_label("Catalog").click();
    harness.step();
    settle(harness);
    harness.get_by_label("penguin-species").click();
    harness.step();
    settle(harness);
    harness.get_all_by_label(version).next().unwrap().click();
    harness.step();
    settle(harness);
    harness.run_steps(2);
}

#[test]
fn registering_promoting_and_rolling_back_show_in_badges_and_history() {
    let mut harness = two_registered_versions();
    open_version_page(&mut harness, "v1");
    harness.get_by_label("To Production").click();
    harness.run_steps(3);
    settle(&mut harness);
    harness.get_all_by_label("v2").next().unwrap().click();
    harness.step();
    // The chosen version's page is read by a catalog job.
    settle(&mut harness);
    // The page is below the versions and the history: scrolled to, as a user would.
    for label in ["archive the current Production version", "To Production"] {
        scroll_to(&mut harness, label);
        harness.get_by_label(label).click();
        harness.run_steps(3);
        settle(&mut harness);
    }
    let stages = |harness: &Harness<'static, ModeldeskApp>| -> Vec<(i64, String)> {
        let catalog = harness.state().catalog().unwrap();
        catalog
            .versions(&modeldesk::catalog::VersionQuery::of_model(
                "penguin-species",
            ))
            .unwrap()
            .into_iter()
            .map(|v| (v.version, v.stage.title().to_string()))
            .collect()
    };
    assert_eq!(
        stages(&harness),
        vec![(1, "Archived".into()), (2, "Production".into())]
    );
    // Both versions went from None to Production; v1 was then archived in the same step.
    assert_eq!(harness.get_all_by_label("None to Production").count(), 2);
    harness.get_by_label("Production to Archived (replaced)");
    assert_eq!(
        harness.get_all_by_label("Archived").count(),
        1,
        "one Archived badge"
    );

    scroll_to(&mut harness, "Comment");
    harness.get_by_label("Comment").focus();
    harness.run_steps(1);
    harness.get_by_label("Comment").type_text("tree overfits");
    harness.run_steps(2);
    harness.get_by_label("Roll back").click();
    harness.run_steps(3);
    settle(&mut harness);
    assert_eq!(
        stages(&harness),
        vec![(1, "Production".into()), (2, "Archived".into())]
    );
    harness.get_by_label("Archived to Production (roll back)");
    harness.get_by_label("Production to Archived (roll back)");
    assert!(harness.get_all_by_label("tree overfits").count() >= 1);
}

#[test]
fn a_version_page_shows_its_stored_metrics_confusion_and_folds() {
    let mut harness = two_registered_versions();
    open_version_page(&mut harness, "v1");
    let detail = harness
        .state()
        .catalog()
        .unwrap()
        .version("penguin-species", 1)
        .unwrap();
    let stored: serde_json::Value = serde_json::from_str(&detail.metrics_json).unwrap();
    let scheme = stored["validation"]["scheme"]
        .as_str()
        .unwrap()
        .replace('_', " ");
    let line = format!("{scheme} · {} rows used", stored["rows_used"]);
    scroll_to(&mut harness, &line);
    let accuracy = format!(
        "{:.4} ± {:.4}",
        stored["mean"]["accuracy"].as_f64().unwrap(),
        stored["std"]["accuracy"].as_f64().unwrap()
    );
    assert!(
        harness.get_all_by_label(&accuracy).count() >= 1,
        "{accuracy}"
    );
    // The pooled confusion matrix names every class as a row and as a column.
    scroll_to(&mut harness, "true \\ predicted");
    for class in stored["classes"].as_array().unwrap() {
        let class = class.as_str().unwrap();
        assert!(harness.get_all_by_label(class).count() >= 2, "{class}");
    }
    // A row per fold.
    let folds = stored["folds"].as_array().unwrap().len();
    scroll_to(&mut harness, "fold");
    assert!(harness.get_all_by_label(&folds.to_string()).count() >= 1);
    let fold_accuracy = format!("{:.4}", stored["folds"][0]["accuracy"].as_f64().unwrap());
    assert!(
        harness.get_all_by_label(&fold_accuracy).count() >= 1,
        "{fold_accuracy}"
    );
}

#[test]
fn scoring_a_registered_version_shows_missing_columns_or_predictions() {
    let mut harness = two_registered_versions();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("new_penguins.csv");
    std::fs::copy(fixture("assets/penguins.csv"), &good).unwrap();
    let text = std::fs::read_to_string(&good).unwrap();
    let lacking = dir.path().join("no_island.csv");
    let without_island: String = text
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.remove(1);
            fields.join(",") + "\n"
        })
        .collect();
    std::fs::write(&lacking, without_island).unwrap();

    harness.get_by_label("Score").click();
    harness.run_steps(2);
    harness.state_mut().send(modeldesk::gui::Command::ScoreWith(
        modeldesk::gui::ScoreSource::Version {
            model: "penguin-species".into(),
            version: 1,
        },
    ));
    harness.run_steps(2);
    harness.get_by_label("Score a CSV…");
    drop_files(&mut harness, &[lacking]);
    harness.step();
    settle(&mut harness);
    harness.get_by_label("Schema check failed: the file lacks a column the model needs: island");
    drop_files(&mut harness, &[good]);
    harness.step();
    settle(&mut harness);
    harness.get_by_label_contains("344 rows in");
    harness.get_by_label("Export predictions…");
    harness.get_by_label("proba_Adelie");
    harness.get_by_label("Drift per feature");
    // The catalog keeps the run beside the version.
    let catalog = harness.state().catalog().unwrap();
    assert_eq!(catalog.scoring_runs("penguin-species", 1).unwrap().len(), 1);
}

#[test]
fn a_file_dropped_on_a_version_page_is_scored_with_that_version() {
    let mut harness = two_registered_versions();
    open_version_page(&mut harness, "v2");
    harness.get_by_label("Confusion matrix and folds");
    drop_files(&mut harness, &[fixture("assets/penguins.csv")]);
    harness.step();
    settle(&mut harness);
    assert_eq!(harness.state().settings().view, modeldesk::gui::View::Score);
    harness.get_by_label("penguins.csv scored with penguin-species v2");
    harness.get_by_label_contains("344 rows in");
}

#[test]
fn a_version_page_describes_and_tags_that_version() {
    use egui_kittest::kittest::{AccessKitNode, Queryable};
    let mut harness = two_registered_versions();
    open_version_page(&mut harness, "v2");
    // The model's notes come first, then the version's: its Edit is the second.
    assert_eq!(harness.get_all_by_label("Edit").count(), 2);
    harness.get_all_by_label("Edit").nth(1).unwrap().click();
    harness.run_steps(2);
    let description = harness.get_by_role(AccessRole::MultilineTextInput);
    description.focus();
    harness.run_steps(1);
    harness
        .get_by_role(AccessRole::MultilineTextInput)
        .type_text("Deeper tree, same data");
    harness.run_steps(1);
    harness.get_by_label("Save description").click();
    harness.run_steps(3);
    settle(&mut harness);
    let placeholder =
        |text: &'static str| move |node: &AccessKitNode<'_>| node.placeholder() == Some(text);
    // The version's key and value fields are the second of each.
    harness
        .get_all_by(placeholder("key"))
        .nth(1)
        .unwrap()
        .focus();
    harness.run_steps(1);
    harness
        .get_all_by(placeholder("key"))
        .nth(1)
        .unwrap()
        .type_text("reviewer");
    harness.run_steps(1);
    harness
        .get_all_by(placeholder("value"))
        .nth(1)
        .unwrap()
        .focus();
    harness.run_steps(1);
    harness
        .get_all_by(placeholder("value"))
        .nth(1)
        .unwrap()
        .type_text("ana");
    harness.run_steps(1);
    harness.get_all_by_label("Add tag").nth(1).unwrap().click();
    harness.run_steps(3);
    settle(&mut harness);

    let catalog = harness.state().catalog().unwrap();
    let v2 = catalog.version("penguin-species", 2).unwrap().summary;
    assert_eq!(v2.description, "Deeper tree, same data");
    assert_eq!(v2.tags.get("reviewer").map(String::as_str), Some("ana"));
    let v1 = catalog.version("penguin-species", 1).unwrap().summary;
    assert!(v1.description.is_empty() && v1.tags.is_empty());
    let model = catalog.model_tags("penguin-species").unwrap();
    assert!(
        model.is_empty(),
        "the model's own tags are untouched: {model:?}"
    );
    // The page shows what was saved.
    harness.get_by_label("Deeper tree, same data");
    harness.get_by_label("reviewer=ana");
}

/// A live window of one hour ending at `hour`:00 UTC on 2026-11-30.
fn live_window(
    hour: u32,
    drift_json: &str,
    accuracy: Option<f64>,
) -> modeldesk::catalog::NewLiveWindow {
    modeldesk::catalog::NewLiveWindow {
        server: "127.0.0.1:5001 pid 42".into(),
        started_at: format!("2026-11-30T{:02}:00:00.000Z", hour - 1),
        ended_at: format!("2026-11-30T{hour:02}:00:00.000Z"),
        requests: 1200,
        rows: 1500,
        errors: 3,
        latency_p50_ms: 0.8,
        latency_p99_ms: 4.5,
        sampled_rows: 1500,
        drift_json: drift_json.into(),
        labelled_rows: u64::from(accuracy.is_some()) * 200,
        labelled_metric: accuracy,
    }
}

#[test]
fn live_windows_show_on_the_version_page_and_badge_the_model() {
    use modeldesk::gui::{CatalogCommand, Command};
    let mut harness = two_registered_versions();
    let stable = r#"[{"column":"bill_length_mm","psi":0.02,"ks":0.05,"status":"stable"},
                     {"column":"island","psi":0.01,"ks":null,"status":"stable"}]"#;
    let drifted = r#"[{"column":"bill_length_mm","psi":0.27,"ks":0.3,"status":"drift"},
                      {"column":"island","psi":0.13,"ks":null,"status":"warning"}]"#;
    {
        let path = harness.state().catalog_path().unwrap();
        let mut catalog = modeldesk::catalog::Catalog::open(&path).unwrap();
        for window in [
            live_window(18, stable, Some(0.97)),
            live_window(19, drifted, Some(0.91)),
        ] {
            catalog
                .record_live_window("penguin-species", 2, &window)
                .unwrap();
        }
    }
    // Written behind the window's back, as a server in another process would.
    harness
        .state_mut()
        .send(Command::Catalog(CatalogCommand::Reload));
    open_version_page(&mut harness, "v2");

    // The model list names the features that crossed a threshold.
    harness.get_by_label("live drift: bill_length_mm · live warning: island");
    scroll_to(&mut harness, "Live (2 windows)");
    harness.get_by_label_contains("2 windows · 2400 requests · 6 errors");
    for label in [
        "Requests per minute",
        "Latency (ms)",
        "PSI per feature",
        "Accuracy on labelled rows",
        "bill_length_mm 0.270",
        "island 0.130",
    ] {
        harness.get_by_label(label);
    }
    assert!(harness.query_by_label_contains("validation 0.").is_some());

    // A version without live windows has no Live panel. (The versions table draws only the
    // rows in view: scrolled to first.)
    scroll_to(&mut harness, "Versions (2)");
    harness.get_all_by_label("v1").next().unwrap().click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("penguin-species v1");
    assert!(harness.query_by_label_contains("Live (").is_none());
}

#[test]
fn comparing_catalog_versions_opens_compare_with_their_stored_metrics() {
    let mut harness = two_registered_versions();
    harness.state_mut().send(modeldesk::gui::Command::Catalog(
        modeldesk::gui::CatalogCommand::Compare(vec![
            ("penguin-species".into(), 1),
            ("penguin-species".into(), 2),
        ]),
    ));
    // The versions are read back by a catalog job.
    settle(&mut harness);
    assert_eq!(
        harness.state().settings().view,
        modeldesk::gui::View::Compare
    );
    assert!(
        harness
            .get_all_by_label_contains("penguin-species v1 (logistic regression)")
            .count()
            >= 1
    );
    // Their curves are drawn from what the catalog stored with them.
    harness.get_by_label_contains("curves as stored with the catalog version");
    let legends: Vec<String> = harness
        .get_all_by_label_contains("AUC ")
        .filter_map(|node| egui_kittest::kittest::NodeT::accesskit_node(&node).label())
        .collect();
    // Legends read "#3 · AUC 0.962": the two versions (#3, #4) show the AUC their session
    // runs (#1, #2) show from the rows themselves.
    let auc = |id: &str| -> String {
        let prefix = format!("{id} · AUC ");
        let legend = legends.iter().find(|l| l.starts_with(&prefix));
        legend.expect("a legend entry").replace(&prefix, "")
    };
    let mut from_rows = [auc("#1"), auc("#2")];
    let mut from_catalog = [auc("#3"), auc("#4")];
    from_rows.sort();
    from_catalog.sort();
    assert_eq!(from_catalog, from_rows, "{legends:?}");
    assert!(legends.iter().all(|l| !l.contains("n/a")), "{legends:?}");
    let versions = harness
        .state()
        .runs()
        .iter()
        .filter(|r| r.table.is_none())
        .count();
    assert_eq!(versions, 2);
}

#[test]
fn a_run_and_a_version_export_to_onnx_as_jobs() {
    use modeldesk::gui::{Command, ScoreSource};
    let mut harness = two_registered_versions();
    // Compare lists each run with its own export button.
    assert_eq!(harness.get_all_by_label("Export ONNX…").count(), 2);
    let dir = tempfile::tempdir().unwrap();
    let from_run = dir.path().join("run.onnx");
    harness
        .state_mut()
        .send(Command::ExportOnnx(ScoreSource::Run(1), from_run.clone()));
    settle(&mut harness);
    open_version_page(&mut harness, "v2");
    harness.get_by_label("Export ONNX…");
    let from_version = dir.path().join("version.onnx");
    harness.state_mut().send(Command::ExportOnnx(
        ScoreSource::Version {
            model: "penguin-species".into(),
            version: 2,
        },
        from_version.clone(),
    ));
    settle(&mut harness);
    for path in [&from_run, &from_version] {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(has("modeldesk") && has("penguin-species") && has("bill_length_mm"));
    }
    let said: Vec<&str> = harness
        .state()
        .messages()
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    for path in [&from_run, &from_version] {
        let saved = format!("ONNX model saved to {}", path.display());
        assert!(said.contains(&saved.as_str()), "{said:?}");
    }
    // The run was registered as v1, and its file says so: the metadata entry
    // {key: "version", value: "1"} as protobuf writes it.
    let version_entry = |v: u8| [&[0x0a, 7][..], b"version", &[0x12, 1, v]].concat();
    for (path, version) in [(&from_run, b'1'), (&from_version, b'2')] {
        let bytes = std::fs::read(path).unwrap();
        let entry = version_entry(version);
        assert!(
            bytes.windows(entry.len()).any(|w| w == entry),
            "{}",
            path.display()
        );
    }
}

/// `count` versions of `model` written behind the window's back, as the command line would.
fn register_versions(catalog: &Path, model: &str, count: usize) {
    use modeldesk::catalog::{Catalog, DatasetLineage, NewVersion};
    let new = NewVersion {
        description: None,
        spec_json: r#"{"algorithm":"logistic_regression"}"#.into(),
        recipe_json: "{}".into(),
        metrics_json: r#"{"mean":{"accuracy":0.9}}"#.into(),
        curves_json: "{}".into(),
        artifact: vec![1, 2, 3],
        dataset: DatasetLineage {
            name: "churn".into(),
            path: "churn.csv".into(),
            fingerprint: "0".repeat(64),
            rows: 10,
            schema_json: "{}".into(),
            profile_json: "{}".into(),
        },
        train_seconds: 0.1,
        app_version: "test".into(),
        created_by: "tester".into(),
    };
    let versions: Vec<(&str, NewVersion)> = (0..count).map(|_| (model, new.clone())).collect();
    Catalog::open(catalog)
        .unwrap()
        .register_all(&versions)
        .unwrap();
}

/// Click the rail's `view` and step until `label` has been drawn; whether it was.
fn show_view_and_see(
    harness: &mut Harness<'static, ModeldeskApp>,
    view: &str,
    label: &str,
) -> bool {
    harness.get_by_label(view).click();
    (0..3).any(|_| {
        harness.step();
        harness.query_by_label(label).is_some()
    })
}

#[test]
fn the_score_view_offers_every_version_a_catalog_job_read() {
    let mut harness = window(None);
    harness.run_steps(2);
    register_versions(&harness.state().catalog_path().unwrap(), "churn", 205);
    let loading = "Loading the catalog's versions…";
    // The frame that starts the job says so; the versions come when it is done.
    assert!(show_view_and_see(&mut harness, "Score", loading));
    settle(&mut harness);
    assert!(harness.query_by_label(loading).is_none());
    // More than the newest 200: the oldest is offered too, found through Find.
    let find = harness.get_by_role_and_label(AccessRole::TextInput, "Find");
    find.focus();
    harness.run_steps(1);
    harness
        .get_by_role_and_label(AccessRole::TextInput, "Find")
        .type_text("churn v1 ");
    harness.run_steps(2);
    harness
        .get_by_role_and_label(AccessRole::ComboBox, "Model")
        .click_accesskit();
    harness.run_steps(2);
    assert!(harness.query_by_label("churn v10 · None").is_none());
    harness.get_by_label("churn v1 · None").click_accesskit();
    harness.run_steps(2);
    harness.get_by_value("churn v1");
    drop_files(&mut harness, &[fixture("assets/iris.csv")]);
    settle(&mut harness);
    // Version 1 was chosen: scoring reads it from the catalog (and finds no real model).
    harness.get_by_label_contains("scoring iris.csv failed:");
}

#[test]
fn the_score_view_shows_why_the_catalog_could_not_be_read() {
    let mut harness = window(None);
    harness.run_steps(2);
    harness.get_by_label("Score").click();
    harness.run_steps(2);
    settle(&mut harness);
    // Another program replaces the file with something that is not a catalog.
    let path = harness.state().catalog_path().unwrap();
    std::fs::write(&path, "not a catalog").unwrap();
    harness.state_mut().send(modeldesk::gui::Command::Catalog(
        modeldesk::gui::CatalogCommand::Reload,
    ));
    harness.step();
    settle(&mut harness);
    harness.get_by_label_contains("the catalog's versions could not be read:");
}

#[test]
fn a_file_to_score_at_start_waits_for_the_version_its_reference_names() {
    let folder = tempfile::tempdir().unwrap();
    let catalog = folder.path().join("catalog.sqlite");
    register_versions(&catalog, "churn", 2);
    modeldesk::catalog::Catalog::open(&catalog)
        .unwrap()
        .set_stage(
            "churn",
            2,
            modeldesk::catalog::Stage::Production,
            false,
            None,
        )
        .unwrap();
    let startup = Startup::Score("churn@production".into(), fixture("assets/iris.csv"));
    let mut harness = window_in(folder, Some(startup));
    harness.step();
    settle(&mut harness);
    assert_eq!(harness.state().settings().view, modeldesk::gui::View::Score);
    harness.get_by_value("churn v2");
    // These versions hold no real model: reading it is where scoring stops.
    harness.get_by_label_contains("scoring iris.csv failed:");
}

/// Where each widget labelled in `labels` is on the screen.
fn rects_of(harness: &Harness<'static, ModeldeskApp>, labels: &[&str]) -> Vec<egui::Rect> {
    labels
        .iter()
        .map(|label| harness.get_by_label(label).rect())
        .collect()
}

#[test]
fn stage_buttons_stay_under_the_pointer_after_a_stage_change() {
    let folder = tempfile::tempdir().unwrap();
    register_versions(&folder.path().join("catalog.sqlite"), "churn", 2);
    let mut harness = window_in(folder, None);
    harness.run_steps(2);
    harness.get_by_label("Catalog").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("churn").click();
    harness.step();
    settle(&mut harness);
    harness.get_all_by_label("v1").next().unwrap().click();
    harness.step();
    settle(&mut harness);
    scroll_to(&mut harness, "To Production");
    let buttons = [
        "To Staging",
        "To Production",
        "Archive",
        "To None",
        "Delete…",
    ];
    let before = rects_of(&harness, &buttons);
    for (stage, history) in [
        ("To Production", "None to Production"),
        ("To Staging", "Production to Staging"),
    ] {
        harness.get_by_label(stage).click();
        harness.run_steps(3);
        // The change is a catalog job; the page is read again after it.
        settle(&mut harness);
        harness.get_by_label(history);
        assert_eq!(rects_of(&harness, &buttons), before, "after {stage}");
    }
}

#[test]
fn a_note_is_a_toast_that_moves_nothing_and_goes_when_dismissed() {
    let mut harness = with_sample("Iris (species)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    // The central view: its heading and buttons.
    let shown = ["1 run", "Copy as CSV"];
    let before = rects_of(&harness, &shown);
    harness.get_by_label("Register…").click();
    harness.run_steps(3);
    harness.get_by_label("Model name").focus();
    harness.run_steps(1);
    harness.get_by_label("Model name").type_text("iris-species");
    harness.run_steps(2);
    harness.get_by_label("Register").click_accesskit();
    harness.run_steps(3);
    settle(&mut harness);
    assert_eq!(rects_of(&harness, &shown), before);
    let note = harness.get_by_label_contains("as iris-species version 1");
    // In the central area's bottom-right corner, over the view.
    let central = harness.get_by_label("1 run").rect();
    assert!(note.rect().left() > central.left() && note.rect().bottom() < 800.0);
    assert!(harness.state().messages().iter().all(|m| !m.is_error));
    harness.get_by_label("Dismiss").click();
    harness.run_steps(2);
    assert!(harness
        .query_by_label_contains("as iris-species version 1")
        .is_none());
    assert!(harness.state().messages().is_empty());
}
