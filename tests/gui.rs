//! The real app driven headless through egui_kittest: clicks, dropped files, role changes,
//! asserting what a user would see.

use eframe::egui;
use eframe::egui::accesskit::Role as AccessRole;
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use modeldesk::catalog::{RunFilter, RunStatus};
use modeldesk::data::{ColumnKind, Role};
use modeldesk::gui::{FileChooser, ModeldeskApp, Settings, Startup};
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
    window_with(folder, startup, |_| {})
}

/// A fresh window whose catalog is `catalog.sqlite` in `folder`, with settings changed first.
fn window_with(
    folder: tempfile::TempDir,
    startup: Option<Startup>,
    change: impl FnOnce(&mut Settings),
) -> Window {
    let mut settings = Settings {
        reopen_datasets: false,
        catalog_path: Some(folder.path().join("catalog.sqlite")),
        // Never the desktop's own dialog: tests answer the chooser drawn in the window.
        file_chooser: FileChooser::InWindow,
        ..Settings::default()
    };
    change(&mut settings);
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
fn after_an_import_the_window_and_the_new_dataset_have_the_keyboard() {
    let mut harness = window(None);
    harness.run_steps(2);
    drop_files(&mut harness, &[fixture("assets/wine.csv")]);
    harness.run();
    harness.get_by_label("Import").click_accesskit();
    // Watch every frame until the import is in: one of them asks the system for the focus.
    let mut window_focused = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().datasets().is_empty() {
        assert!(Instant::now() < deadline, "the import did not finish");
        harness.step();
        window_focused |= harness
            .output()
            .viewport_output
            .values()
            .any(|v| v.commands.contains(&egui::ViewportCommand::Focus));
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
    window_focused |= harness
        .output()
        .viewport_output
        .values()
        .any(|v| v.commands.contains(&egui::ViewportCommand::Focus));
    assert!(window_focused, "the window asked for the keyboard focus");
    harness.run_steps(2);
    // The new dataset's entry in the list has the keyboard focus.
    // ("wine" is also the table's heading, which takes no focus.)
    assert!(harness
        .get_all_by_label("wine")
        .any(|node| node.is_focused()));
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
    harness.get_by_label("150 rows");
    harness.get_by_label("442 rows");
}

/// A CSV file of `columns` numeric columns named `col_01`, `col_02`, … and `rows` rows,
/// whose cells (with two decimals) never read like a row number.
fn numbered_file(folder: &Path, name: &str, columns: usize, rows: usize) -> PathBuf {
    let mut text = (1..=columns)
        .map(|c| format!("col_{c:02}"))
        .collect::<Vec<_>>()
        .join(",");
    for r in 0..rows {
        text.push('\n');
        let cells: Vec<String> = (0..columns)
            .map(|c| format!("{:.2}", (r * 31 + c * 7) as f64 + 0.25))
            .collect();
        text.push_str(&cells.join(","));
    }
    let path = folder.join(name);
    std::fs::write(&path, text + "\n").unwrap();
    path
}

/// The left edge of each column's header, in the order of the file.
fn header_lefts(harness: &Harness<'static, ModeldeskApp>, columns: usize) -> Vec<f32> {
    (1..=columns)
        .map(|c| {
            harness
                .get_by_role_and_label(AccessRole::Button, &format!("col_{c:02}"))
                .rect()
                .left()
        })
        .collect()
}

/// The first row the table shows (the numbered files' cells never read as a row number).
fn first_row(harness: &Harness<'static, ModeldeskApp>) -> Option<usize> {
    (1..=300).find(|r| harness.query_by_label(&r.to_string()).is_some())
}

#[test]
fn at_the_minimum_size_a_wide_table_keeps_readable_columns_and_scrolls_sideways() {
    let folder = tempfile::tempdir().unwrap();
    let path = numbered_file(folder.path(), "wide.csv", 30, 40);
    let mut harness = window(Some(Startup::Import(path)));
    harness.set_size(egui::vec2(720.0, 480.0));
    settle(&mut harness);

    // The table comes first: at this width the profile starts closed.
    assert!(harness.query_by_label("Distinct").is_none());
    let lefts = header_lefts(&harness, 30);
    for pair in lefts.windows(2) {
        assert!(
            pair[1] - pair[0] >= 80.0,
            "a column narrower than 80: {lefts:?}"
        );
    }
    let visible = lefts.iter().filter(|&&x| x + 80.0 <= 720.0).count();
    assert!(visible >= 3, "only {visible} columns in view: {lefts:?}");
    // Nothing wraps: each header's type line is one line high.
    for node in harness.get_all_by_label("float · feature") {
        assert!(node.rect().height() < 24.0, "{:?}", node.rect());
    }
    // The last column lies beyond the window, and scrolling sideways brings it in.
    assert!(lefts[29] > 720.0);
    scroll_to(&mut harness, "col_30");
    let last = harness.get_by_label("col_30").rect();
    assert!(last.left() >= 0.0 && last.right() <= 720.0, "{last:?}");

    // The profile opens and closes with its toggle, and the table keeps several columns.
    harness.get_by_label("Column profile").click();
    harness.run();
    harness.get_by_label("Distinct");
    harness.get_by_label("Column profile").click();
    harness.run();
    assert!(harness.query_by_label("Distinct").is_none());
}

/// Select the dataset `name` in the list (the leftmost widget of that name: the selected
/// dataset's table is headed by its name too).
fn click_dataset(harness: &mut Harness<'static, ModeldeskApp>, name: &str) {
    let entry = harness
        .get_all_by_label(name)
        .min_by(|a, b| a.rect().left().total_cmp(&b.rect().left()))
        .unwrap();
    entry.click();
    harness.run_steps(3);
}

#[test]
fn at_the_minimum_size_the_opened_profile_leaves_the_table_columns_to_read() {
    let folder = tempfile::tempdir().unwrap();
    let path = numbered_file(folder.path(), "wide.csv", 30, 40);
    let mut harness = window(Some(Startup::Import(path)));
    harness.set_size(egui::vec2(720.0, 480.0));
    settle(&mut harness);
    harness.get_by_label("Column profile").click();
    harness.run();
    let profile_left = harness.get_by_label("Distinct").rect().left();
    let lefts = header_lefts(&harness, 30);
    // Two columns in view, the second at least half its minimum width: the panels' widths
    // settle within a few pixels of that at this size.
    let visible = lefts.iter().filter(|&&x| x + 40.0 <= profile_left).count();
    assert!(
        visible >= 2,
        "only {visible} columns beside the profile: {lefts:?}"
    );
}

/// Roll the mouse wheel over the point `at`.
fn wheel(harness: &mut Harness<'static, ModeldeskApp>, at: egui::Pos2, delta: egui::Vec2) {
    harness.hover_at(at);
    harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run_steps(20);
}

#[test]
fn each_dataset_keeps_its_own_scroll_position_from_row_1_also_after_a_restart() {
    use modeldesk::gui::Command;
    let folder = tempfile::tempdir().unwrap();
    let first = numbered_file(folder.path(), "first.csv", 3, 300);
    let second = numbered_file(folder.path(), "second.csv", 3, 300);
    let mut harness = window(Some(Startup::Import(first.clone())));
    settle(&mut harness);
    assert_eq!(first_row(&harness), Some(1));
    let row_five = harness.get_by_label("5").rect().center();
    wheel(&mut harness, row_five, egui::vec2(0.0, -3000.0));
    let scrolled = first_row(&harness).unwrap();
    assert!(
        scrolled > 50,
        "the table did not scroll: row {scrolled} first"
    );

    // A dataset opened next starts at its first row.
    harness.state_mut().send(Command::ImportFiles(vec![second]));
    settle(&mut harness);
    assert_eq!(first_row(&harness), Some(1));
    // The first keeps where it was.
    click_dataset(&mut harness, "first");
    assert_eq!(first_row(&harness), Some(scrolled));

    // Started again with the window's memory as it was, the reopened datasets start at row 1.
    let memory = harness.ctx.memory(|m| m.clone());
    let settings = Settings {
        reopen_datasets: true,
        ..harness.state().settings().clone()
    };
    let mut again = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut ModeldeskApp| app.frame(ui),
            ModeldeskApp::new(settings, None),
        );
    again.ctx.memory_mut(|m| *m = memory);
    settle(&mut again);
    assert_eq!(again.state().datasets().len(), 2);
    assert_eq!(first_row(&again), Some(1));
    click_dataset(&mut again, "first");
    assert_eq!(first_row(&again), Some(1));
}

#[test]
fn ctrl_plus_minus_and_0_zoom_the_window_and_the_next_start_keeps_the_zoom() {
    let mut harness = window(None);
    harness.run_steps(2);
    let zoom =
        |h: &Harness<'static, ModeldeskApp>| (h.ctx.zoom_factor(), h.state().settings().zoom);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    harness.run_steps(2);
    assert_eq!(zoom(&harness), (1.2, 1.2));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Minus);
    harness.run_steps(2);
    assert_eq!(zoom(&harness), (1.1, 1.1));

    // The settings are what eframe saves; a window started on them has the same scale.
    let settings = harness.state().settings().clone();
    let saved = serde_json::to_string(&settings).unwrap();
    let settings: Settings = serde_json::from_str(&saved).unwrap();
    let mut again = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut ModeldeskApp| app.frame(ui),
            ModeldeskApp::new(settings, None),
        );
    again.run_steps(3);
    assert_eq!(zoom(&again), (1.1, 1.1));
    again.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num0);
    again.run_steps(2);
    assert_eq!(zoom(&again), (1.0, 1.0));
}

/// Where painted text reading `text` sits (its centre), if any is painted.
fn painted_at(harness: &Harness<'static, ModeldeskApp>, text: &str) -> Option<egui::Pos2> {
    harness
        .output()
        .shapes
        .iter()
        .find_map(|clipped| match &clipped.shape {
            egui::epaint::Shape::Text(t) if t.galley.text() == text => {
                Some(t.pos + t.galley.size() / 2.0)
            }
            _ => None,
        })
}

#[test]
fn profile_charts_of_large_numbers_label_their_axes_and_say_each_bar_on_hover() {
    let folder = tempfile::tempdir().unwrap();
    let mut text = String::from("big,level");
    for i in 0..9000u64 {
        let level = match i % 9 {
            0 => "rare",
            1 | 2 => "middling",
            _ => "common",
        };
        text.push_str(&format!("\n{},{level}", 1_000_000 + i * 500));
    }
    let path = folder.path().join("large.csv");
    std::fs::write(&path, text).unwrap();
    let mut harness = window(Some(Startup::Import(path)));
    // Narrow, as at the window's minimum width; tall enough to show the whole histogram.
    harness.set_size(egui::vec2(720.0, 720.0));
    settle(&mut harness);
    harness.get_by_label("Column profile").click();
    harness.run();

    // The histogram of 1,000,000 … 5,499,500: millions along the bottom.
    let millions = painted_text(&harness)
        .into_iter()
        .filter(|t| t.ends_with('M'))
        .count();
    assert!(millions >= 2, "{:?}", painted_text(&harness));

    // The levels: thousands of rows along the bottom, each level's name beside its bar.
    harness
        .get_by_role_and_label(AccessRole::Button, "level")
        .click();
    harness.run();
    let texts = painted_text(&harness);
    let thousands = texts.iter().filter(|t| t.ends_with('k')).count();
    assert!(thousands >= 2, "{texts:?}");
    for level in ["common", "middling", "rare"] {
        assert!(texts.iter().any(|t| t == level), "{level}: {texts:?}");
    }
    // Hovering the longest bar says its level, its rows and their share.
    let name = painted_at(&harness, "common").unwrap();
    harness.hover_at(name + egui::vec2(60.0, 0.0));
    harness.run_steps(3);
    let texts = painted_text(&harness);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("common\n6,000 rows (66.7%)")),
        "{texts:?}"
    );
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
fn f1_or_the_question_mark_shows_the_shortcuts_and_what_each_view_is_for() {
    let mut harness = window(None);
    harness.run_steps(2);
    let help_shown = |harness: &Harness<'static, ModeldeskApp>| {
        harness.query_by_label("Show or hide this help").is_some()
    };
    assert!(!help_shown(&harness));
    harness.key_press(egui::Key::F1);
    harness.run_steps(2);
    assert!(help_shown(&harness));
    for line in ["Open a CSV file", "Show Catalog", "Zoom in"] {
        harness.get_by_label(line);
    }
    harness.get_by_label_contains("Put trained runs side by side");
    // F1 again hides it; "? Help" shows it, and Escape hides it.
    harness.key_press(egui::Key::F1);
    harness.run_steps(2);
    assert!(!help_shown(&harness));
    harness.get_by_label("? Help").click();
    harness.run_steps(2);
    assert!(help_shown(&harness));
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(!help_shown(&harness));
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
fn rare_levels_chosen_in_the_train_view_share_one_column_in_the_model() {
    use modeldesk::ml::prep::{ColumnStep, RareLevels};
    let mut harness = with_sample("Penguins (species; missing values, categories)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    // One choice per one-hot column, island's first.
    harness
        .get_all_by_value("all levels")
        .next()
        .unwrap()
        .click();
    harness.run_steps(2);
    harness.get_by_label("at most N columns").click();
    harness.run_steps(2);
    let island = harness.state_mut().train_form_mut().steps["island"];
    let ColumnStep::OneHot { rare, .. } = island else {
        panic!("{island:?}")
    };
    assert_eq!(
        rare,
        RareLevels {
            min_frequency: None,
            max_categories: Some(20),
        }
    );
    // The number beside it: two columns, so Dream and Torgersen share the group's.
    harness.get_by_label("≤ columns").set_value_accesskit(2.0);
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    let run = &harness.state().runs()[0];
    let names = run.model.recipe.feature_names();
    assert!(
        names.contains(&"island=Biscoe".to_string())
            && names.contains(&"island=(infrequent)".to_string())
            && !names.contains(&"island=Dream".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"sex=male".to_string()),
        "sex is untouched: {names:?}"
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
    // The status bar says how long it has run (and, once it can tell, how long is left).
    harness.get_by_label_contains(" elapsed");
    harness.get_by_label("Cancel").click_accesskit();
    let asked = Instant::now();
    let stopped = settle(&mut harness);
    println!("cancel took {:?}", stopped - asked);
    assert!(harness.state().runs().is_empty());
    harness.get_by_label("training on long cancelled");
    // The cancelled run is recorded as such.
    let catalog = harness.state().catalog_path().unwrap();
    let runs = modeldesk::catalog::Catalog::open(&catalog)
        .unwrap()
        .runs(&Default::default())
        .unwrap();
    let statuses: Vec<_> = runs.iter().map(|r| (r.status, r.dataset.clone())).collect();
    assert_eq!(
        statuses,
        vec![(RunStatus::Cancelled, Some("long".to_string()))]
    );
    assert!(runs[0].seconds > 0.0);
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

/// Where painted text reading `text` sits, if any is painted.
fn painted_rect(harness: &Harness<'static, ModeldeskApp>, text: &str) -> Option<egui::Rect> {
    harness
        .output()
        .shapes
        .iter()
        .find_map(|clipped| match &clipped.shape {
            egui::epaint::Shape::Text(t) if t.galley.text() == text => {
                Some(egui::Rect::from_min_size(t.pos, t.galley.size()))
            }
            _ => None,
        })
}

#[test]
fn at_1024_by_640_a_version_pages_curves_stay_in_the_window() {
    let mut harness = two_registered_versions();
    harness.set_size(egui::vec2(1024.0, 640.0));
    harness.run_steps(2);
    open_version_page(&mut harness, "v1");
    scroll_to(&mut harness, "Calibration");
    // Each plot's axis title is centred under it: all three in the window, side by side.
    let titles = [
        "false-positive rate",
        "recall",
        "mean predicted probability",
    ]
    .map(|t| painted_rect(&harness, t).unwrap_or_else(|| panic!("{t} not painted")));
    for pair in titles.windows(2) {
        assert!(pair[0].right() < pair[1].left(), "{titles:?}");
        assert!((pair[0].top() - pair[1].top()).abs() < 1.0, "{titles:?}");
    }
    assert!(titles[2].right() <= 1024.0, "{titles:?}");
}

#[test]
fn at_the_minimum_width_a_long_catalog_path_gives_way_to_the_catalog_buttons() {
    let folder = tempfile::tempdir().unwrap();
    let long = folder
        .path()
        .join("a folder with a rather long name for the catalogue of all our models");
    std::fs::create_dir(&long).unwrap();
    let path = long.join("catalog.sqlite");
    let settings = Settings {
        reopen_datasets: false,
        catalog_path: Some(path.clone()),
        ..Settings::default()
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(720.0, 480.0))
        .build_ui_state(
            |ui, app: &mut ModeldeskApp| app.frame(ui),
            ModeldeskApp::new(settings, None),
        );
    harness.run_steps(2);
    harness
        .get_by_role_and_label(AccessRole::Button, "Catalog")
        .click();
    harness.step();
    settle(&mut harness);
    let shown = harness.get_by_label(&path.display().to_string()).rect();
    let new = harness.get_by_label("New catalog…").rect();
    assert!(shown.right() <= new.left(), "{shown:?} runs under {new:?}");
    assert!(shown.width() > 50.0, "{shown:?}");
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

/// Whether `text` holds a time as ISO 8601 (`2026-11-30T16:34`) or with milliseconds
/// (`16:34:08.323`).
fn odd_time(text: &str) -> bool {
    let fits = |window: &[u8], pattern: &[u8]| {
        window.iter().zip(pattern).all(|(&c, &p)| {
            if p == b'd' {
                c.is_ascii_digit()
            } else {
                c == p
            }
        })
    };
    let bytes = text.as_bytes();
    bytes.windows(5).any(|w| fits(w, b"dTdd:"))
        || bytes.windows(12).any(|w| fits(w, b"dd:dd:dd.ddd"))
}

/// Every label the window gives screen readers (and tests).
fn labels(harness: &Harness<'static, ModeldeskApp>) -> Vec<String> {
    harness
        .query_all(egui_kittest::kittest::by())
        .filter_map(|node| {
            // A label's text is its accesskit value.
            let node = node.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .collect()
}

#[test]
fn times_in_the_catalog_view_read_in_one_local_format() {
    let mut harness = two_registered_versions();
    open_version_page(&mut harness, "v2");
    drop_files(&mut harness, &[fixture("assets/penguins.csv")]);
    settle(&mut harness);
    // Back on the page, as it was left.
    harness.get_by_label("Catalog").click();
    harness.step();
    settle(&mut harness);
    harness.run_steps(2);
    let catalog = harness.state().catalog().unwrap();
    let v2 = catalog.version("penguin-species", 2).unwrap().summary;
    let registered = catalog.history("penguin-species").unwrap();
    let scored = catalog.scoring_runs("penguin-species", 2).unwrap();
    let local = |iso: &str| modeldesk::gui::local_time(iso);
    // The versions table and the page's lineage; then the history and the scoring runs.
    assert!(harness.get_all_by_label(&local(&v2.created_at)).count() >= 1);
    harness.get_by_label(&format!("{} by {}", local(&v2.created_at), v2.created_by));
    for header in ["History of this version", "Scoring runs (1)"] {
        scroll_to(&mut harness, header);
        harness.get_by_label(header).click();
        harness.run_steps(3);
    }
    for entry in registered.iter().filter(|e| e.version == 2) {
        assert!(harness.get_all_by_label(&local(&entry.at)).count() >= 1);
    }
    harness.get_by_label_contains(&format!("{} · 344 rows · ", local(&scored[0].scored_at)));
    // No time in the window is in another form: no ISO `T…Z`, no milliseconds.
    let odd: Vec<String> = labels(&harness)
        .into_iter()
        .filter(|t| odd_time(t))
        .collect();
    assert!(odd.is_empty(), "{odd:?}");
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
        .type_text("**Deeper** tree, same data");
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
    assert_eq!(v2.description, "**Deeper** tree, same data");
    assert_eq!(v2.tags.get("reviewer").map(String::as_str), Some("ana"));
    let v1 = catalog.version("penguin-species", 1).unwrap().summary;
    assert!(v1.description.is_empty() && v1.tags.is_empty());
    let model = catalog.model_tags("penguin-species").unwrap();
    assert!(
        model.is_empty(),
        "the model's own tags are untouched: {model:?}"
    );
    // The page shows what was saved, its Markdown rendered: bold, without the asterisks.
    harness.get_by_label("Deeper");
    harness.get_by_label_contains("tree, same data");
    let raw: Vec<String> = labels(&harness)
        .into_iter()
        .filter(|t| t.contains("**"))
        .collect();
    assert!(raw.is_empty(), "{raw:?}");
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
    harness.get_by_label_contains("curves as stored in the catalog");
    let legends: Vec<String> = harness
        .get_all_by_label_contains("AUC ")
        .filter_map(|node| {
            // A label's text is its accesskit value.
            let node = egui_kittest::kittest::NodeT::accesskit_node(&node);
            node.label().or_else(|| node.value())
        })
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

/// Answer the file chooser drawn in the window as a user would: click `file` in the folder
/// it shows (or keep the name it offers), then its `button` ("Open", "Save").
fn choose_in_window(
    harness: &mut Harness<'static, ModeldeskApp>,
    file: Option<&str>,
    button: &str,
) {
    for _ in 0..100 {
        if harness.state().file_dialog().in_window_request().is_some() {
            break;
        }
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        harness.state().file_dialog().in_window_request().is_some(),
        "no file chooser is shown"
    );
    // A new window is measured in its first frame and drawn from the next.
    harness.run_steps(2);
    if let Some(file) = file {
        harness.get_by_label(&format!("🗋 {file}")).click();
        harness.run_steps(2);
    }
    harness.get_by_label(button).click();
    harness.run_steps(3);
}

/// The next file dialog of `harness` starts in `folder`.
fn dialogs_start_in(harness: &mut Harness<'static, ModeldeskApp>, folder: &Path) {
    harness
        .state_mut()
        .send(modeldesk::gui::Command::RememberFolder(
            folder.to_path_buf(),
        ));
    harness.step();
}

#[test]
fn open_csv_asks_in_the_window_and_previews_the_chosen_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("assets/penguins.csv"),
        dir.path().join("penguins.csv"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.html"), "<p>not data</p>").unwrap();
    let mut harness = window(None);
    harness.run_steps(2);
    dialogs_start_in(&mut harness, dir.path());
    harness
        .get_all_by_label("Open CSV…")
        .next()
        .unwrap()
        .click();
    harness.run_steps(2);
    // Only files the request is for are listed.
    assert!(harness.query_by_label("🗋 notes.html").is_none());
    choose_in_window(&mut harness, Some("penguins.csv"), "Open");
    assert!(harness.state().file_dialog().in_window_request().is_none());
    let preview = harness
        .state()
        .import_dialog()
        .expect("the preview is open");
    assert_eq!(preview.path, dir.path().join("penguins.csv"));
    harness.run_steps(2);
    harness.get_by_label("Import").click_accesskit();
    harness.step();
    settle(&mut harness);
    assert_eq!(harness.state().datasets().len(), 1);
    assert_eq!(harness.state().datasets()[0].table.rows(), 344);
    // The next dialog starts where this file was found.
    assert_eq!(
        harness.state().settings().last_folder.as_deref(),
        Some(dir.path())
    );
}

#[test]
fn a_cancelled_chooser_does_nothing_and_a_second_dialog_waits_for_the_first() {
    let mut harness = window(None);
    harness.run_steps(2);
    harness
        .get_all_by_label("Open CSV…")
        .next()
        .unwrap()
        .click();
    harness.run_steps(2);
    assert!(harness.state().file_dialog().in_window_request().is_some());
    harness
        .state_mut()
        .send(modeldesk::gui::Command::OpenFileDialog);
    harness.run_steps(2);
    let said: Vec<String> = harness
        .state()
        .messages()
        .iter()
        .map(|m| m.text.clone())
        .collect();
    assert!(
        said.iter()
            .any(|m| m.contains("a file dialog is already open")),
        "{said:?}"
    );
    harness.get_by_label("Cancel").click();
    harness.run_steps(3);
    assert!(harness.state().file_dialog().in_window_request().is_none());
    assert!(harness.state().import_dialog().is_none());
    assert!(harness.state().datasets().is_empty());
}

#[test]
fn a_new_catalog_and_an_opened_one_are_chosen_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = window(None);
    harness.run_steps(2);
    dialogs_start_in(&mut harness, dir.path());
    harness.get_by_label("Catalog").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("New catalog…").click();
    // The chooser offers catalog.sqlite in the folder it shows.
    choose_in_window(&mut harness, None, "Save");
    settle(&mut harness);
    let created = dir.path().join("catalog.sqlite");
    assert!(created.is_file(), "no catalog at {}", created.display());
    assert_eq!(harness.state().catalog().unwrap().path(), created.as_path());

    // Another catalog, made behind the window's back, is opened through the chooser.
    let other = dir.path().join("team.sqlite");
    register_versions(&other, "churn", 1);
    harness.get_by_label("Open catalog…").click();
    choose_in_window(&mut harness, Some("team.sqlite"), "Open");
    settle(&mut harness);
    assert_eq!(harness.state().catalog().unwrap().path(), other.as_path());
    harness.get_by_label("churn");
}

#[test]
fn a_scored_file_and_its_predictions_go_through_the_chooser() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("assets/penguins.csv"),
        dir.path().join("new_penguins.csv"),
    )
    .unwrap();
    let mut harness = two_registered_versions();
    dialogs_start_in(&mut harness, dir.path());
    harness.get_by_label("Score").click();
    harness.run_steps(2);
    harness.state_mut().send(modeldesk::gui::Command::ScoreWith(
        modeldesk::gui::ScoreSource::Version {
            model: "penguin-species".into(),
            version: 1,
        },
    ));
    harness.run_steps(2);
    harness.get_by_label("Score a CSV…").click_accesskit();
    choose_in_window(&mut harness, Some("new_penguins.csv"), "Open");
    settle(&mut harness);
    harness.get_by_label_contains("344 rows in");

    scroll_to(&mut harness, "Export predictions…");
    // Pressed as a screen reader would: a toast may sit over it.
    harness
        .get_by_label("Export predictions…")
        .click_accesskit();
    // Offered: new_penguins_predictions.csv, beside the scored file.
    choose_in_window(&mut harness, None, "Save");
    settle(&mut harness);
    let written = dir.path().join("new_penguins_predictions.csv");
    let text =
        std::fs::read_to_string(&written).unwrap_or_else(|e| panic!("{}: {e}", written.display()));
    let header = text.lines().next().unwrap();
    assert!(header.contains("proba_Adelie"), "{header}");
    assert_eq!(text.lines().count(), 345);

    // Saving again over that file asks first; replacing writes it anew.
    std::fs::write(&written, "old").unwrap();
    scroll_to(&mut harness, "Export predictions…");
    // Pressed as a screen reader would: a toast may sit over it.
    harness
        .get_by_label("Export predictions…")
        .click_accesskit();
    choose_in_window(&mut harness, None, "Save");
    harness.get_by_label("Replace file?");
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "old");
    harness.get_by_label("Replace").click();
    harness.run_steps(2);
    settle(&mut harness);
    assert_eq!(
        std::fs::read_to_string(&written).unwrap().lines().count(),
        345
    );
}

#[test]
fn a_version_report_is_saved_where_the_chooser_says() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = two_registered_versions();
    dialogs_start_in(&mut harness, dir.path());
    open_version_page(&mut harness, "v2");
    harness
        .get_all_by_label("Export report…")
        .next()
        .unwrap()
        .click();
    choose_in_window(&mut harness, None, "Save");
    settle(&mut harness);
    let written = dir.path().join("penguin-species-v2-report.html");
    let html =
        std::fs::read_to_string(&written).unwrap_or_else(|e| panic!("{}: {e}", written.display()));
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.contains("penguin-species"));
    // The training file by name only (the page writes `/` as `&#x2f;`).
    assert!(html.contains("penguins.csv") && !html.contains("&#x2f;penguins.csv"));
    let said: Vec<&str> = harness
        .state()
        .messages()
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert!(
        said.iter()
            .any(|m| m.contains(&written.display().to_string())),
        "{said:?}"
    );

    // Asked for, the report shows exact values and the file's full path.
    harness.get_by_label("exact values and paths").click();
    harness.run_steps(2);
    harness
        .get_all_by_label("Export report…")
        .next()
        .unwrap()
        .click();
    choose_in_window(&mut harness, None, "Save");
    harness.get_by_label("Replace").click();
    harness.run_steps(2);
    settle(&mut harness);
    let html = std::fs::read_to_string(&written).unwrap();
    assert!(html.contains("&#x2f;penguins.csv"), "no full path");
}

#[test]
fn an_onnx_export_is_saved_where_the_chooser_says() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = two_registered_versions();
    dialogs_start_in(&mut harness, dir.path());
    harness
        .get_all_by_label("Export ONNX…")
        .next()
        .unwrap()
        .click();
    choose_in_window(&mut harness, None, "Save");
    settle(&mut harness);
    let written: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0].extension().unwrap(), "onnx");
    let bytes = std::fs::read(&written[0]).unwrap();
    assert!(bytes.windows(15).any(|w| w == b"penguin-species"));
}

#[test]
fn a_run_scores_a_file_read_with_its_datasets_missing_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("penguins_unknown.csv");
    let text = std::fs::read_to_string(fixture("assets/penguins.csv")).unwrap();
    let rewritten: Vec<String> = text
        .lines()
        .map(|line| {
            line.split(',')
                .map(|f| if f == "NA" { "unknown" } else { f })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    std::fs::write(&file, rewritten.join("\n") + "\n").unwrap();
    let mut harness = window(None);
    harness.run_steps(2);
    // Imported with `unknown` as the missing-value token and species as the target, as the
    // import preview allows.
    let mut options = modeldesk::data::ImportOptions {
        missing_tokens: vec!["unknown".into()],
        ..Default::default()
    };
    options.set_role(0, Some(Role::Target));
    harness
        .state_mut()
        .send(modeldesk::gui::Command::StartImport {
            path: file.clone(),
            options,
        });
    harness.step();
    settle(&mut harness);
    harness.get_by_label("344 rows × 8 columns");
    harness.state_mut().send(modeldesk::gui::Command::Train);
    harness.step();
    settle(&mut harness);
    harness.state_mut().send(modeldesk::gui::Command::ScoreWith(
        modeldesk::gui::ScoreSource::Run(1),
    ));
    harness.get_by_label("Score").click();
    harness.run_steps(2);
    drop_files(&mut harness, &[file]);
    harness.step();
    settle(&mut harness);
    assert_eq!(
        harness.state().runs().len(),
        1,
        "{:?}",
        harness.state().messages()
    );
    // Read with the defaults, `unknown` would make the measurements words, and the schema
    // check would refuse them.
    assert!(
        harness
            .query_by_label_contains("Schema check failed")
            .is_none(),
        "{:?}",
        harness.state().messages()
    );
    harness.get_by_label_contains("344 rows in");
    harness.get_by_label("true species");
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

#[test]
fn compare_and_a_version_page_show_what_each_model_learned() {
    let mut harness = two_registered_versions();
    // Compare: the logistic regression's coefficients and the tree's importances.
    scroll_to(&mut harness, "What each model learned");
    harness.get_by_label("What each model learned").click();
    harness.run_steps(3);
    let titles: Vec<String> = harness.state().runs().iter().map(|r| r.title()).collect();
    for title in &titles {
        // The run list names it too; its section is the last.
        harness
            .get_all_by_label(title)
            .last()
            .unwrap()
            .scroll_to_me();
        harness.run_steps(20);
        harness.get_all_by_label(title).last().unwrap().click();
        harness.run_steps(3);
    }
    harness.get_by_label_contains("Coefficients in the model's feature space");
    harness.get_by_label_contains("Impurity importance");
    // The version page reads it from the stored model: the tree's importances and rules.
    open_version_page(&mut harness, "v2");
    scroll_to(&mut harness, "What it learned");
    harness.get_by_label("What it learned").click();
    harness.run_steps(3);
    harness.get_by_label_contains("Impurity importance: each column's share");
    harness.get_by_label_contains("one per leaf)");
}

/// A window on a copy of the catalog an earlier build wrote (`tests/fixtures/compat`), whose
/// trees were stored before they kept their nodes' rows, with its iris file where the
/// catalog says it was trained; on the page of `iris_decision_tree` v1, "What it learned" open.
fn stored_tree_page() -> (Window, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let catalog = folder.path().join("catalog.sqlite");
    std::fs::copy(fixture("tests/fixtures/compat/catalog.sqlite"), &catalog).unwrap();
    let iris = folder.path().join("iris.csv");
    std::fs::copy(fixture("assets/iris.csv"), &iris).unwrap();
    let conn = rusqlite::Connection::open(&catalog).unwrap();
    conn.execute(
        "UPDATE datasets SET path = ?1 WHERE name = 'iris'",
        [iris.display().to_string()],
    )
    .unwrap();
    drop(conn);
    let mut harness = window_in(folder, None);
    harness.run_steps(2);
    harness.get_by_label("Catalog").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("iris_decision_tree").click();
    harness.step();
    settle(&mut harness);
    harness.get_all_by_label("v1").next().unwrap().click();
    harness.step();
    settle(&mut harness);
    harness.run_steps(2);
    scroll_to(&mut harness, "What it learned");
    harness.get_by_label("What it learned").click();
    harness.run_steps(3);
    (harness, iris)
}

#[test]
fn a_tree_stored_without_node_rows_is_drawn_and_retrains_on_its_file() {
    let (mut harness, iris) = stored_tree_page();
    harness.get_by_label_contains("stored before trees kept their nodes' rows");
    // What it has: the splits and the leaves' probabilities.
    harness.get_by_label("⏷ All rows");
    harness.get_by_label("predicts setosa (1.00)");
    scroll_to(&mut harness, "Retrain on iris.csv…");
    harness.get_by_label("Retrain on iris.csv…").click();
    harness.step();
    settle(&mut harness);
    // Train opens on the file, its target set, with only the tree's algorithm ticked.
    assert_eq!(harness.state().settings().view, modeldesk::gui::View::Train);
    let dataset = harness
        .state()
        .current()
        .expect("the training file is open");
    assert_eq!(dataset.table.source, iris);
    let target = dataset
        .table
        .target_index()
        .map(|i| dataset.table.columns[i].name.clone());
    assert_eq!(target.as_deref(), Some("species"));
    let ticked: Vec<&str> = harness
        .state_mut()
        .train_form_mut()
        .algorithms
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, spec)| spec.name())
        .collect();
    assert_eq!(ticked, vec!["decision_tree"]);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    let runs = harness.state().runs();
    assert_eq!(runs.len(), 1);
    let modeldesk::ml::model::FittedModel::Tree(tree) = &runs[0].model.model else {
        panic!("a decision tree");
    };
    assert!(tree.has_stats(), "the retrained tree keeps its nodes' rows");
    assert!(matches!(
        runs[0].learned,
        modeldesk::ml::learned::Learned::Importances { .. }
    ));
}

#[test]
fn a_trees_rules_are_exported_as_text_where_the_chooser_says() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, _) = stored_tree_page();
    dialogs_start_in(&mut harness, dir.path());
    scroll_to(&mut harness, "Retrain on iris.csv…");
    let header = harness
        .get_by_label_contains("one per leaf)")
        .accesskit_node()
        .label()
        .unwrap_or_default();
    harness.get_by_label(&header).click();
    harness.run_steps(3);
    scroll_to(&mut harness, "Export rules…");
    harness.get_by_label("Export rules…").click();
    choose_in_window(&mut harness, None, "Save");
    settle(&mut harness);
    let written = dir.path().join("iris_decision_tree-v1-rules.txt");
    let text = std::fs::read_to_string(&written).expect("the rules were written");
    let leaves: usize = header
        .trim_start_matches("Rules (")
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), leaves);
    assert!(lines.iter().all(|l| l.starts_with("if ")), "{lines:?}");
    assert!(text.contains(" then setosa (1.00)"), "{text}");
}

#[test]
fn a_clicked_result_row_is_the_app_s_selection_until_another_file_is_scored() {
    let mut harness = with_sample("Iris (species)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("Score").click();
    harness.run_steps(2);
    let id = harness.state().runs()[0].id;
    harness.state_mut().send(modeldesk::gui::Command::ScoreWith(
        modeldesk::gui::ScoreSource::Run(id),
    ));
    let iris = fixture("assets/iris.csv");
    harness
        .state_mut()
        .send(modeldesk::gui::Command::ScoreFile(iris.clone()));
    harness.step();
    settle(&mut harness);
    assert_eq!(harness.state().explained_row(), None);
    // Drift and metrics closed, the rows are in view.
    harness.get_by_label("Drift per feature").click();
    harness
        .get_by_label_contains("Metrics against the file's labels")
        .click();
    harness.run_steps(3);
    harness.get_by_label("Click a row to select it.");
    // Row 11's number (no iris measurement reads 11).
    harness.get_by_label("11").click();
    harness.run_steps(3);
    assert_eq!(harness.state().explained_row(), Some(10));
    harness.get_by_label("Row 11 selected");
    // A new file's rows are other rows: the selection goes.
    harness
        .state_mut()
        .send(modeldesk::gui::Command::ScoreFile(iris));
    harness.step();
    settle(&mut harness);
    assert_eq!(harness.state().explained_row(), None);
}

/// The frames of the plots painted in the last frame (egui_plot fills each with the
/// visuals' darkest background).
fn plot_frames(harness: &Harness<'static, ModeldeskApp>) -> Vec<egui::Rect> {
    let fill = harness.ctx.global_style().visuals.extreme_bg_color;
    harness
        .output()
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::epaint::Shape::Rect(r) if r.fill == fill && r.rect.height() >= 150.0 => {
                Some(r.rect)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn at_1280_by_720_the_compared_curves_leave_the_scroll_bar_its_own_room() {
    let mut harness = with_sample("Penguins (species; missing values, categories)");
    harness.set_size(egui::vec2(1280.0, 720.0));
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Decision tree").click();
    harness.run_steps(2);
    // At 720 px the algorithms' editors push the button below the fold.
    scroll_to(&mut harness, "Train and validate");
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    scroll_to(&mut harness, "Calibration (10 bins)");
    let frames = plot_frames(&harness);
    assert!(frames.len() >= 3, "{frames:?}");
    // The floating scroll bar and its gap to the content, left of the central panel's 8 px
    // margin.
    let scroll = harness.ctx.global_style().spacing.scroll;
    let bar = scroll.bar_width + scroll.bar_inner_margin;
    let right = frames.iter().map(|r| r.right()).fold(0.0, f32::max);
    assert!(
        right <= 1280.0 - 8.0 - bar,
        "a plot reaches x = {right}, under the scroll bar: {frames:?}"
    );
}

/// The runs recorded in `harness`'s catalog, newest first.
fn recorded_runs(harness: &Harness<'static, ModeldeskApp>) -> Vec<modeldesk::catalog::RunSummary> {
    let path = harness.state().catalog_path().unwrap();
    modeldesk::catalog::Catalog::open(&path)
        .unwrap()
        .runs(&RunFilter::default())
        .unwrap()
}

#[test]
fn a_failed_run_is_recorded_with_its_error() {
    let mut harness = with_sample("Iris (species)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    // Species are classes: asked to predict them as values, the regression fails.
    harness.state_mut().train_form_mut().task = Some(modeldesk::ml::target::Task::Regression);
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    assert!(harness.state().runs().is_empty());
    let error = harness
        .state()
        .messages()
        .iter()
        .find(|m| m.is_error)
        .map(|m| m.text.clone())
        .expect("the failure is shown");
    let runs = recorded_runs(&harness);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, RunStatus::Failed);
    assert_eq!(runs[0].dataset.as_deref(), Some("iris"));
    let recorded = runs[0].error.as_deref().unwrap();
    assert!(error.ends_with(recorded), "{error} / {recorded}");
}

#[test]
fn a_run_of_an_earlier_session_is_compared_and_registered_from_compare() {
    let mut first = with_sample("Penguins (species; missing values, categories)");
    first.get_by_label("Train").click();
    first.run_steps(2);
    first.get_by_label("Train and validate").click();
    first.step();
    settle(&mut first);
    let trained = &first.state().runs()[0];
    let accuracy = trained.evaluation.mean["accuracy"];
    assert_eq!(trained.recorded, Some(1), "recorded when trained");
    first.get_by_label("Compare").click();
    first.run_steps(3);
    first.get_by_label(&format!("accuracy {accuracy:.3} · 344 rows · run 1"));
    let Window { harness, _folder } = first;
    drop(harness);

    // A new window on the same catalog.
    let mut harness = window_in(_folder, None);
    harness.run_steps(2);
    harness.get_by_label("Compare").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("Earlier runs");
    assert!(harness.state().runs().is_empty());
    harness
        .get_by_role_and_label(
            AccessRole::CheckBox,
            "Run 1 · logistic regression on penguins",
        )
        .click();
    harness.step();
    // It is read back from the catalog by a job, then ticked like a run of this session.
    settle(&mut harness);
    let runs = harness.state().runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].recorded, Some(1));
    assert_eq!(runs[0].evaluation.mean["accuracy"], accuracy);
    harness.get_by_label("1 run");
    harness.get_by_label_contains("curves as stored in the catalog");

    harness.get_by_label("Register…").click();
    harness.run_steps(3);
    harness.get_by_label("Model name").focus();
    harness.run_steps(1);
    harness
        .get_by_label("Model name")
        .type_text("penguin-species");
    harness.run_steps(2);
    harness.get_by_label("Register").click_accesskit();
    harness.run_steps(3);
    settle(&mut harness);
    harness.get_by_label("registered as penguin-species v1");
    let path = harness.state().catalog_path().unwrap();
    let catalog = modeldesk::catalog::Catalog::open(&path).unwrap();
    let version = catalog.version("penguin-species", 1).unwrap();
    assert_eq!(catalog.run_of_version(version.summary.id).unwrap(), Some(1));
    // Registered, it can no longer be deleted apart from its version.
    assert!(harness.query_by_label("Delete…").is_none());
    // The version's page names the run it came from.
    open_version_page(&mut harness, "v1");
    harness.get_by_label("registered from recorded run #1");
    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    // Unticking it takes it out of the comparison.
    harness
        .get_by_role_and_label(
            AccessRole::CheckBox,
            "Run 1 · logistic regression on penguins",
        )
        .click();
    harness.run_steps(3);
    harness.get_by_label("Tick runs on the left to compare them.");
}

/// A run recorded without a model worth loading: enough to list, filter, delete and prune.
fn plain_run(status: RunStatus, algorithm: &str) -> modeldesk::catalog::NewRun {
    use modeldesk::catalog::{NewRun, TrainedRecords};
    NewRun {
        status,
        error: (status == RunStatus::Failed).then(|| "it diverged".to_string()),
        algorithm: algorithm.into(),
        target: "churned".into(),
        spec_json: format!(r#"{{"algorithm":"{algorithm}"}}"#),
        trained: (status == RunStatus::Finished).then(|| TrainedRecords {
            recipe_json: "{}".into(),
            metrics_json: r#"{"mean":{"accuracy":0.9}}"#.into(),
            curves_json: "{}".into(),
            artifact: vec![1, 2, 3],
        }),
        dataset: modeldesk::catalog::DatasetLineage {
            name: "churn".into(),
            path: "churn.csv".into(),
            fingerprint: "0".repeat(64),
            rows: 10,
            schema_json: "{}".into(),
            profile_json: "{}".into(),
        },
        seconds: 0.1,
        app_version: "test".into(),
        created_by: "tester".into(),
    }
}

#[test]
fn earlier_runs_filter_by_status_and_are_deleted_once_confirmed() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("catalog.sqlite");
    modeldesk::catalog::Catalog::open(&path)
        .unwrap()
        .record_runs(&[
            plain_run(RunStatus::Finished, "logistic_regression"),
            plain_run(RunStatus::Failed, "naive_bayes"),
            plain_run(RunStatus::Cancelled, "random_forest"),
        ])
        .unwrap();
    let mut harness = window_in(folder, None);
    harness.run_steps(2);
    harness.get_by_label("Compare").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("Run 1 · logistic regression on churn");
    harness.get_by_label("failed: it diverged");
    harness.get_by_label("cancelled");
    assert_eq!(harness.get_all_by_label("Delete…").count(), 3);

    harness
        .get_by_role_and_label(AccessRole::ComboBox, "Status")
        .click();
    harness.run_steps(2);
    harness.get_by_label("failed").click();
    harness.step();
    settle(&mut harness);
    let shown: Vec<i64> = harness
        .state()
        .recorded_runs()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(shown, vec![2]);
    assert!(harness.query_by_label("cancelled").is_none());

    harness.get_by_label("Delete…").click();
    harness.run_steps(2);
    harness.get_by_label("Delete run 2 for good?");
    harness.get_by_label("Keep").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Delete run 2 for good?").is_none());
    harness.get_by_label("Delete…").click();
    harness.run_steps(2);
    harness.get_by_label("Delete").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label("No earlier runs match.");
    let left: Vec<i64> = recorded_runs(&harness).iter().map(|r| r.id).collect();
    assert_eq!(left, vec![3, 1]);
}

#[test]
fn retention_prunes_only_old_unregistered_runs_when_the_catalog_opens() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("catalog.sqlite");
    {
        let mut catalog = modeldesk::catalog::Catalog::open(&path).unwrap();
        let finished = plain_run(RunStatus::Finished, "logistic_regression");
        let ids = catalog
            .record_runs(&[
                finished.clone(),
                finished.clone(),
                finished,
                plain_run(RunStatus::Failed, "ridge"),
            ])
            .unwrap();
        catalog.register_run(ids[1], "churn", None).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (id, days) in [(ids[0], 40), (ids[1], 40), (ids[2], 10), (ids[3], 31)] {
            conn.execute(
                "UPDATE runs SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1) WHERE id = ?2",
                rusqlite::params![format!("-{days} days"), id],
            )
            .unwrap();
        }
    }
    let mut harness = window_with(folder, None, |s| s.run_retention_days = Some(30));
    harness.run_steps(2);
    harness.get_by_label("Compare").click();
    harness.step();
    settle(&mut harness);
    let left: Vec<i64> = recorded_runs(&harness).iter().map(|r| r.id).collect();
    assert_eq!(
        left,
        vec![3, 2],
        "the registered run and the recent one stay"
    );
    let shown: Vec<i64> = harness
        .state()
        .recorded_runs()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(shown, left);
    harness.get_by_label("registered as churn v1");

    // A shorter period chosen in Settings prunes when Settings closes.
    harness
        .state_mut()
        .send(modeldesk::gui::Command::ShowSettings(true));
    harness.step();
    let mut preferences = harness.state().settings().preferences();
    preferences.run_retention_days = Some(5);
    harness
        .state_mut()
        .send(modeldesk::gui::Command::SetPreferences(preferences));
    harness.step();
    settle(&mut harness);
    assert_eq!(
        recorded_runs(&harness).len(),
        2,
        "nothing pruned while choosing"
    );
    harness.get_by_label("Close window").click();
    harness.step();
    settle(&mut harness);
    let left: Vec<i64> = recorded_runs(&harness).iter().map(|r| r.id).collect();
    assert_eq!(left, vec![2]);
}

#[test]
fn a_version_page_computes_keeps_and_shows_which_features_matter() {
    let mut harness = two_registered_versions();
    open_version_page(&mut harness, "v2");
    scroll_to(&mut harness, "Which features matter");
    harness.get_by_label("Which features matter").click();
    harness.run_steps(3);
    scroll_to(&mut harness, "Permutation importance");
    harness.get_by_label_contains("the file it was trained on, if it is unchanged");
    assert_eq!(harness.get_all_by_label("Not computed yet.").count(), 1);
    // Permutation importance first, then the partial dependence of the first column.
    harness.get_all_by_label("Compute").next().unwrap().click();
    harness.step();
    settle(&mut harness);
    let stored = harness
        .state()
        .catalog()
        .unwrap()
        .explanations("penguin-species", 2)
        .unwrap();
    assert_eq!(stored.len(), 1, "kept with the version");
    let measured: serde_json::Value = serde_json::from_str(&stored[0].result_json).unwrap();
    assert_eq!(measured["metric"], "accuracy");
    assert_eq!(measured["rows"], 344);
    // The page reads it back: the figures, the rows it was computed on, and the bars.
    scroll_to(&mut harness, "Permutation importance");
    harness.get_by_label_contains("mean ± std over 5 shuffles; computed on 344 rows of ");
    harness.get_by_label("Recompute");
    let top = measured["columns"][0]["column"].as_str().unwrap();
    assert!(
        painted_rect(&harness, top).is_some(),
        "{top} on the importance axis"
    );
    assert!(painted_rect(&harness, "drop in Accuracy").is_some());

    harness.get_by_label("Compute").click();
    harness.step();
    settle(&mut harness);
    let stored = harness
        .state()
        .catalog()
        .unwrap()
        .explanations("penguin-species", 2)
        .unwrap();
    assert_eq!(stored.len(), 2);
    // The first column is a category: a bar per level.
    assert_eq!(stored[1].subject, "island");
    scroll_to(&mut harness, "Partial dependence");
    harness.get_by_label_contains("average prediction as island is set to each value");
    assert!(painted_rect(&harness, "average Adelie").is_some());
    assert!(painted_rect(&harness, "Torgersen").is_some());
    assert_eq!(harness.get_all_by_label("Recompute").count(), 2);

    // On a labelled file picked in the dialog: the recompute replaces what was kept.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("assets/penguins.csv")).unwrap();
    let subset: Vec<&str> = text.lines().take(101).collect();
    std::fs::write(dir.path().join("hundred.csv"), subset.join("\n") + "\n").unwrap();
    dialogs_start_in(&mut harness, dir.path());
    scroll_to(&mut harness, "Use a labelled file…");
    harness.get_by_label("Use a labelled file…").click();
    harness.run_steps(2);
    choose_in_window(&mut harness, Some("hundred.csv"), "Open");
    scroll_to(&mut harness, "Permutation importance");
    harness.get_by_label_contains("hundred.csv");
    harness
        .get_all_by_label("Recompute")
        .next()
        .unwrap()
        .click();
    harness.step();
    settle(&mut harness);
    let stored = harness
        .state()
        .catalog()
        .unwrap()
        .explanations("penguin-species", 2)
        .unwrap();
    assert_eq!(stored.len(), 2, "replaced, not added");
    assert_eq!(stored[0].rows, 100);
    assert!(
        stored[0].file_path.ends_with("hundred.csv"),
        "{}",
        stored[0].file_path
    );
    scroll_to(&mut harness, "Permutation importance");
    harness.get_by_label_contains("mean ± std over 5 shuffles; computed on 100 rows of ");
}

#[test]
fn compare_measures_a_runs_features_on_each_folds_validation_rows() {
    let mut harness = with_sample("Penguins (species; missing values, categories)");
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    let run = harness.state().runs()[0].clone();
    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    scroll_to(&mut harness, "Which features matter");
    harness.get_by_label("Which features matter").click();
    harness.run_steps(3);
    scroll_to(&mut harness, "Permutation importance");
    harness.get_by_label_contains("the validation rows of each fold for permutation importance");
    harness.get_all_by_label("Compute").next().unwrap().click();
    harness.step();
    settle(&mut harness);
    scroll_to(&mut harness, "Permutation importance");
    // The baseline is the folds' mean accuracy: the same fold models validation measured.
    let accuracy = run.evaluation.mean["accuracy"];
    harness.get_by_label_contains(&format!(
        "The drop in Accuracy ({accuracy:.4} on the rows as they are)"
    ));
    harness.get_by_label_contains(
        "computed on the validation rows of each of 5 folds (344 rows), each with its fold's model",
    );
    assert!(painted_rect(&harness, "drop in Accuracy").is_some());

    // Partial dependence of a number: its grid, a line and the rows' own curves.
    harness.get_by_value("island").click();
    harness.run_steps(2);
    harness.get_by_label("flipper_length_mm").click();
    harness.run_steps(2);
    harness.get_by_label("Compute").click();
    harness.step();
    settle(&mut harness);
    scroll_to(&mut harness, "Partial dependence");
    harness.get_by_label_contains("the faint lines are 50 single rows' own curves");
    harness.get_by_label_contains(
        "computed on the 344 rows of penguins the run's model was fitted on",
    );
    assert!(painted_rect(&harness, "flipper_length_mm").is_some());
    assert_eq!(harness.get_all_by_label("Recompute").count(), 2);
}
