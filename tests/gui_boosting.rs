//! Gradient boosting in the real window, driven headless through egui_kittest: ticked and
//! edited in the Train view (its categories split on level sets, then as indicators), trained with its progress per iteration, what it learned shown
//! in Compare, and a long fit cancelled from the status bar.

use eframe::egui;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use modeldesk::gui::{FileChooser, ModeldeskApp, Settings, Startup};
use std::time::{Duration, Instant};

struct Window {
    harness: Harness<'static, ModeldeskApp>,
    _folder: tempfile::TempDir,
}

/// A fresh window with a catalog of its own in a temporary folder.
fn window(startup: Option<Startup>) -> Window {
    let folder = tempfile::tempdir().unwrap();
    let settings = Settings {
        reopen_datasets: false,
        catalog_path: Some(folder.path().join("catalog.sqlite")),
        file_chooser: FileChooser::InWindow,
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

/// Step frames until every job has finished; returns when the last job was seen finished.
fn settle(harness: &mut Harness<'static, ModeldeskApp>) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(120);
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

#[test]
fn gradient_boosting_is_ticked_edited_trained_and_explained_in_the_window() {
    let mut window = window(None);
    let harness = &mut window.harness;
    harness.run_steps(2);
    harness
        .get_by_label("Penguins (species; missing values, categories)")
        .click();
    harness.step();
    settle(harness);
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Logistic regression").click();
    harness.get_by_label("Gradient boosting").click();
    harness.run_steps(2);
    // Its editors carry scikit-learn's parameters; "Max leaves" off grows unlimited leaves.
    harness.get_by_label("Learning rate");
    harness.get_by_label("Early stopping");
    harness.get_by_label("Max leaves").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(harness);

    let runs = harness.state().runs();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.evaluation.algorithm, "gradient_boosting");
    assert!(
        run.evaluation
            .parameters
            .starts_with("100 iterations, learning rate 0.1, unlimited leaves"),
        "{}",
        run.evaluation.parameters
    );
    let accuracy = run.evaluation.mean["accuracy"];
    assert!(accuracy >= 0.97, "accuracy {accuracy}");
    harness.get_by_label("#1 gradient boosting on penguins");
    assert!(!run.evaluation.parameters.contains("indicators"));

    harness.get_by_label("Compare").click();
    harness.run_steps(3);
    harness
        .get_by_label("What each model learned")
        .scroll_to_me();
    harness.run_steps(5);
    harness.get_by_label("What each model learned").click();
    harness.run_steps(3);
    // With one run compared, its section is open.
    harness
        .get_by_label_contains("Split-gain importance")
        .scroll_to_me();
    harness.run_steps(10);
    harness.get_by_label_contains("Split-gain importance: each column's share");
    // Categories split indicator by indicator: chosen in the same editors, a second run.
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_value("level sets").scroll_to_me();
    harness.run_steps(3);
    harness.get_by_value("level sets").click();
    harness.run_steps(2);
    harness.get_by_label("indicators").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(harness);
    let runs = harness.state().runs();
    assert_eq!(runs.len(), 2);
    let as_indicators: Vec<&str> = runs
        .iter()
        .map(|r| r.evaluation.parameters.as_str())
        .filter(|p| p.ends_with(", categories as indicators"))
        .collect();
    assert_eq!(as_indicators.len(), 1, "{as_indicators:?}");
}

#[test]
fn a_long_boosting_fit_shows_its_iterations_and_is_cancelled_within_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let mut text = String::from("a,b,c,label\n");
    for i in 0..200_000u64 {
        let x = (i * 7919 % 1000) as f64 / 100.0;
        let y = (i * 104_729 % 997) as f64 / 50.0;
        let label = if x + y * 0.5 + ((i % 13) as f64) * 0.3 > 9.0 {
            "yes"
        } else {
            "no"
        };
        text.push_str(&format!("{x},{y},{},{label}\n", i % 13));
    }
    std::fs::write(&path, text).unwrap();
    let mut window = window(Some(Startup::Import(path)));
    let harness = &mut window.harness;
    settle(harness);
    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Logistic regression").click();
    harness.get_by_label("Gradient boosting").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    // Progress is told per iteration.
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.query_by_label_contains("iteration ").is_none() {
        assert!(Instant::now() < deadline, "no iteration was reported");
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    assert!(
        !harness.state().jobs().is_idle(),
        "training is still running"
    );
    harness.get_by_label("Cancel").click_accesskit();
    let asked = Instant::now();
    let stopped = settle(harness);
    let took = stopped - asked;
    println!("cancel took {took:?}");
    // One tree of 200,000 rows takes well under this, even in a debug build.
    assert!(took < Duration::from_secs(5), "cancel took {took:?}");
    assert!(harness.state().runs().is_empty());
    harness.get_by_label("training on long cancelled");
}
