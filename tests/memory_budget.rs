//! The memory budget in the real app driven headless: a budget chosen in Settings stops a
//! training whose feature matrix would not fit, with a message naming the size, and the
//! default budget trains; gradient boosting checks its own binned rows. Its own test binary: the budget is the process's.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use modeldesk::data::memory::{self, BudgetSetting};
use modeldesk::gui::{Command, FileChooser, ModeldeskApp, Settings};
use std::time::{Duration, Instant};

type Window = Harness<'static, ModeldeskApp>;

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

#[test]
fn a_budget_set_in_settings_stops_a_training_that_would_not_fit() {
    let folder = tempfile::tempdir().unwrap();
    let settings = Settings {
        reopen_datasets: false,
        catalog_path: Some(folder.path().join("catalog.sqlite")),
        file_chooser: FileChooser::InWindow,
        ..Settings::default()
    };
    let mut harness = Harness::builder()
        .with_size(eframe::egui::vec2(1280.0, 900.0))
        .build_ui_state(
            |ui, app: &mut ModeldeskApp| app.frame(ui),
            ModeldeskApp::new(settings, None),
        );
    harness.run_steps(2);
    harness
        .get_by_label("Penguins (species; missing values, categories)")
        .click();
    harness.step();
    settle(&mut harness);

    // Settings: a fixed size instead of a share of the memory available.
    harness.state_mut().send(Command::ShowSettings(true));
    harness.run_steps(3);
    harness.get_by_label("At most:").click();
    harness.run_steps(2);
    let BudgetSetting::Bytes(chosen) = harness.state().settings().memory_budget else {
        panic!("the fixed size was not chosen")
    };
    assert_eq!(memory::budget_setting(), BudgetSetting::Bytes(chosen));
    // Down to 1 KB, less than penguins' feature matrix (275 rows × 10 features), as a
    // settings file may say (the window's own editor goes down to 0.1 GB, and leaves a
    // smaller size as it is).
    let mut preferences = harness.state().settings().preferences();
    preferences.memory_budget = BudgetSetting::Bytes(1024);
    harness
        .state_mut()
        .send(Command::SetPreferences(preferences));
    harness.run_steps(2);
    assert_eq!(memory::budget_setting(), BudgetSetting::Bytes(1024));
    harness.state_mut().send(Command::ShowSettings(false));
    harness.run_steps(2);

    harness.get_by_label("Train").click();
    harness.run_steps(2);
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    assert!(harness.state().runs().is_empty());
    harness.get_by_label_contains("more than the memory budget of 1.00 KB");

    // Back to the share of the memory available: the same training fits.
    harness.state_mut().send(Command::ShowSettings(true));
    harness.run_steps(3);
    harness
        .get_by_label("Share of the memory available:")
        .click();
    harness.run_steps(2);
    assert_eq!(
        harness.state().settings().memory_budget,
        BudgetSetting::Share(0.8)
    );
    harness.get_by_label("Train and validate").click();
    harness.step();
    settle(&mut harness);
    assert_eq!(harness.state().runs().len(), 1);

    // Gradient boosting estimates its binned rows (two bytes a number: by column and by
    // row) and gradients before it bins them.
    memory::set_budget(BudgetSetting::Bytes(1000));
    let x = ndarray::Array2::from_shape_fn((100, 10), |(i, j)| (i * j) as f64);
    let y: Vec<f64> = (0..100).map(|i| i as f64).collect();
    let spec = modeldesk::ml::spec::ModelSpec::from_name("gradient_boosting").unwrap();
    let error = modeldesk::ml::model::fit_model(
        &spec,
        x.view(),
        modeldesk::ml::model::Targets::Values(&y),
        &mut |_, _| true,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("gradient boosting's binned rows and gradients (100 rows × 10 features, 1 output) would need 4.30 KB (estimated), more than the memory budget of 1000 B"),
        "{error}"
    );
}
