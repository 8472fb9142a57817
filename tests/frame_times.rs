//! Frame times of the Data view while scrolling a large table: the UI work of one frame
//! (egui pass + tessellation) as the window does it, without a GPU. A measurement, not a
//! check; run with
//! `MODELDESK_BIG_CSV=/path/to/1M-rows.csv cargo test --release --test frame_times -- --ignored --nocapture`.

use eframe::egui;
use modeldesk::gui::{Command, ModeldeskApp, Settings};
use std::time::{Duration, Instant};

fn input(time: f64, events: Vec<egui::Event>) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        time: Some(time),
        events,
        ..Default::default()
    }
}

#[test]
#[ignore = "needs a large CSV in MODELDESK_BIG_CSV; a measurement, not a check"]
fn large_table_frame_times() {
    let Ok(path) = std::env::var("MODELDESK_BIG_CSV") else {
        return;
    };
    let ctx = egui::Context::default();
    let settings = Settings {
        reopen_datasets: false,
        ..Settings::default()
    };
    let mut app = ModeldeskApp::new(settings, None);
    app.send(Command::ImportFiles(vec![path.into()]));
    let started = Instant::now();
    let mut time = 0.0;
    loop {
        time += 1.0 / 60.0;
        let _ = ctx.run_ui(input(time, vec![]), |ui| app.frame(ui));
        if app.jobs.is_idle() && !app.datasets.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "import did not finish"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let rows = app.datasets[0].table.rows();
    let centre = egui::pos2(600.0, 400.0);
    let mut times = Vec::new();
    for i in 0..600 {
        time += 1.0 / 60.0;
        let delta = if i % 150 == 149 { -500_000.0 } else { -600.0 };
        let events = vec![
            egui::Event::PointerMoved(centre),
            egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, delta),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: egui::Modifiers::NONE,
            },
        ];
        let frame_started = Instant::now();
        let output = ctx.run_ui(input(time, events), |ui| app.frame(ui));
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        times.push(frame_started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{rows} rows: UI work per frame p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} scrolling frames",
        p(0.5),
        p(0.99),
        p(1.0),
        times.len()
    );
}

/// Frame times of the Train view while a logistic regression trains on the large file
/// (hold-out 0.2, target `label`), the status bar showing its progress.
#[test]
#[ignore = "needs a large CSV in MODELDESK_BIG_CSV; a measurement, not a check"]
fn frame_times_during_training() {
    let Ok(path) = std::env::var("MODELDESK_BIG_CSV") else {
        return;
    };
    let ctx = egui::Context::default();
    let settings = Settings {
        reopen_datasets: false,
        ..Settings::default()
    };
    let mut app = ModeldeskApp::new(settings, None);
    app.send(Command::ImportFiles(vec![path.into()]));
    let mut time = 0.0;
    let frame = |app: &mut ModeldeskApp, time: &mut f64| {
        *time += 1.0 / 60.0;
        let started = Instant::now();
        let output = ctx.run_ui(input(*time, vec![]), |ui| app.frame(ui));
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        started.elapsed().as_secs_f64() * 1000.0
    };
    let started = Instant::now();
    while !app.jobs.is_idle() || app.datasets.is_empty() {
        frame(&mut app, &mut time);
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "import did not finish"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let table = &app.datasets[0].table;
    let rows = table.rows();
    let label = table
        .columns
        .iter()
        .position(|c| c.name == "label")
        .expect("the generated file has a 'label' column");
    app.send(Command::SetRole {
        column: label,
        role: modeldesk::data::Role::Target,
    });
    app.send(Command::ShowView(modeldesk::gui::View::Train));
    app.train_form.cross_validate = false;
    app.train_form.holdout = 0.2;
    frame(&mut app, &mut time);
    app.send(Command::Train);
    let training = Instant::now();
    let mut times = Vec::new();
    loop {
        times.push(frame(&mut app, &mut time));
        if app.jobs.is_idle() {
            break;
        }
        assert!(
            training.elapsed() < Duration::from_secs(600),
            "training did not finish"
        );
        std::thread::sleep(Duration::from_millis(16));
    }
    let seconds = training.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{rows} rows, training {seconds:.1} s: UI work per frame p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} frames; {} run(s)",
        p(0.5),
        p(0.99),
        p(1.0),
        times.len(),
        app.runs.len()
    );
}

/// Frame times of the Catalog view on a large catalog (see `bench/catalog_bench.sh`, which
/// leaves one in `$BENCH_DIR`): the first frames that read it, then scrolling the model list
/// and a model's versions.
#[test]
#[ignore = "needs a large catalog in MODELDESK_BIG_CATALOG; a measurement, not a check"]
fn catalog_view_frame_times() {
    let Ok(path) = std::env::var("MODELDESK_BIG_CATALOG") else {
        return;
    };
    let ctx = egui::Context::default();
    let settings = Settings {
        reopen_datasets: false,
        catalog_path: Some(path.into()),
        ..Settings::default()
    };
    let mut app = ModeldeskApp::new(settings, None);
    app.send(Command::ShowView(modeldesk::gui::View::Catalog));
    let mut time = 0.0;
    let mut frame = |app: &mut ModeldeskApp, events: Vec<egui::Event>| {
        time += 1.0 / 60.0;
        let started = Instant::now();
        let output = ctx.run_ui(input(time, events), |ui| app.frame(ui));
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        started.elapsed().as_secs_f64() * 1000.0
    };
    let opening: Vec<f64> = (0..3).map(|_| frame(&mut app, vec![])).collect();
    let first = app
        .catalog
        .catalog
        .as_ref()
        .and_then(|c| c.models(&Default::default()).ok())
        .and_then(|m| m.first().map(|m| m.name.clone()))
        .expect("the catalog has models");
    app.catalog_view.selected_model = Some(first);
    app.catalog_view.selected_version = Some(1);
    let selecting = frame(&mut app, vec![]);
    let wheel = |at: egui::Pos2, dy: f32| {
        vec![
            egui::Event::PointerMoved(at),
            egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, dy),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: egui::Modifiers::NONE,
            },
        ]
    };
    let mut times = Vec::new();
    for i in 0..600 {
        let (at, dy) = if i < 300 {
            (
                egui::pos2(200.0, 400.0),
                if i % 100 == 99 { 20_000.0 } else { -400.0 },
            )
        } else {
            (
                egui::pos2(800.0, 400.0),
                if i % 100 == 99 { 20_000.0 } else { -300.0 },
            )
        };
        times.push(frame(&mut app, wheel(at, dy)));
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "catalog view: opening frames {:.1} / {:.1} / {:.1} ms, selecting a model {selecting:.1} ms; scrolling p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} frames",
        opening[0], opening[1], opening[2],
        p(0.5),
        p(0.99),
        p(1.0),
        times.len()
    );
}
