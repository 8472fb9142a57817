//! Frame-time benchmark (not a test): the UI work of one frame of the window (egui pass +
//! tessellation) on large inputs, as the window does it, without a GPU — the Data view
//! scrolling a large table (`table`), the Train view while a model trains on it
//! (`training`), the Catalog view on a large catalog (`catalog`). Times are printed;
//! nothing is asserted.
//!
//! `MODELDESK_BIG_CSV=/path/to/1M-rows.csv MODELDESK_BIG_CATALOG=/path/to/catalog.sqlite
//! cargo run --release --example frame_times [table] [training] [catalog]`: the named
//! measurements, or without names every one whose input is set.

use eframe::egui;
use modeldesk::gui::{Command, ModeldeskApp, Settings, View};
use std::time::{Duration, Instant};

/// The app in a 1280 × 800 window, driven one frame at a time at 60 frames a second.
struct Window {
    ctx: egui::Context,
    app: ModeldeskApp,
    time: f64,
}

impl Window {
    fn new(settings: Settings) -> Self {
        Window {
            ctx: egui::Context::default(),
            app: ModeldeskApp::new(
                Settings {
                    reopen_datasets: false,
                    ..settings
                },
                None,
            ),
            time: 0.0,
        }
    }

    /// Draw one frame with these input events; the milliseconds of UI work it took.
    fn frame(&mut self, events: Vec<egui::Event>) -> f64 {
        self.time += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            time: Some(self.time),
            events,
            ..Default::default()
        };
        let started = Instant::now();
        let app = &mut self.app;
        let mut output = self.ctx.run_ui(input, |ui| app.frame(ui));
        // No GPU takes the font texture; dropping it unapplied is deliberate here.
        output.textures_delta.clear();
        let _ = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        started.elapsed().as_secs_f64() * 1000.0
    }

    /// Import `path` and draw frames until it is loaded.
    fn import(&mut self, path: String) {
        self.app.send(Command::ImportFiles(vec![path.into()]));
        let started = Instant::now();
        while !self.app.jobs().is_idle() || self.app.datasets().is_empty() {
            self.frame(vec![]);
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "import did not finish"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The pointer at `at` and the wheel turned by `dy` points.
fn wheel(at: egui::Pos2, dy: f32) -> Vec<egui::Event> {
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
}

/// "p50 … ms, p99 … ms, max … ms over N frames".
fn spread(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} frames",
        p(0.5),
        p(0.99),
        p(1.0),
        times.len()
    )
}

/// Frame times of the Data view scrolling the large file.
fn large_table_frame_times(path: String) {
    let mut window = Window::new(Settings::default());
    window.import(path);
    let rows = window.app.datasets()[0].table.rows();
    let centre = egui::pos2(600.0, 400.0);
    // Steady scrolling, with a jump to a far row every 150 frames.
    let times = (0..600)
        .map(|i| {
            let dy = if i % 150 == 149 { -500_000.0 } else { -600.0 };
            window.frame(wheel(centre, dy))
        })
        .collect();
    println!(
        "{rows} rows, scrolling: UI work per frame {}",
        spread(times)
    );
}

/// Frame times of the Train view while a logistic regression trains on the large file
/// (hold-out 0.2, target `label`), the status bar showing its progress.
fn frame_times_during_training(path: String) {
    let mut window = Window::new(Settings::default());
    window.import(path);
    let table = &window.app.datasets()[0].table;
    let rows = table.rows();
    let label = table
        .columns
        .iter()
        .position(|c| c.name == "label")
        .expect("the generated file has a 'label' column");
    let app = &mut window.app;
    app.send(Command::SetRole {
        column: label,
        role: modeldesk::data::Role::Target,
    });
    app.send(Command::ShowView(View::Train));
    app.train_form_mut().cross_validate = false;
    app.train_form_mut().holdout = 0.2;
    window.frame(vec![]);
    window.app.send(Command::Train);
    let training = Instant::now();
    let mut times = Vec::new();
    loop {
        times.push(window.frame(vec![]));
        if window.app.jobs().is_idle() {
            break;
        }
        assert!(
            training.elapsed() < Duration::from_secs(600),
            "training did not finish"
        );
        std::thread::sleep(Duration::from_millis(16));
    }
    let seconds = training.elapsed().as_secs_f64();
    println!(
        "{rows} rows, training {seconds:.1} s: UI work per frame {}; {} run(s)",
        spread(times),
        window.app.runs().len()
    );
}

/// Frame times of the Catalog view on a large catalog (see `bench/catalog_bench.sh`, which
/// leaves one in `$BENCH_DIR`): the first frames that read it, then scrolling the model list
/// and a model's versions.
fn catalog_view_frame_times(path: String) {
    let mut window = Window::new(Settings {
        catalog_path: Some(path.into()),
        ..Settings::default()
    });
    window.app.send(Command::ShowView(View::Catalog));
    let opening: Vec<f64> = (0..3).map(|_| window.frame(vec![])).collect();
    let first = window
        .app
        .catalog()
        .and_then(|c| c.models(&Default::default()).ok())
        .and_then(|m| m.first().map(|m| m.name.clone()))
        .expect("the catalog has models");
    window.app.catalog_view_mut().selected_model = Some(first);
    window.app.catalog_view_mut().selected_version = Some(1);
    let selecting = window.frame(vec![]);
    // The model list, then the model's page; a jump back up every 100 frames.
    let times = (0..600)
        .map(|i| {
            let (at, dy) = if i < 300 {
                (egui::pos2(200.0, 400.0), -400.0)
            } else {
                (egui::pos2(800.0, 400.0), -300.0)
            };
            window.frame(wheel(at, if i % 100 == 99 { 20_000.0 } else { dy }))
        })
        .collect();
    println!(
        "catalog view: opening frames {:.1} / {:.1} / {:.1} ms, selecting a model {selecting:.1} ms; scrolling {}",
        opening[0],
        opening[1],
        opening[2],
        spread(times)
    );
}

/// A measurement: its name, the environment variable naming its input, and the function.
type Measurement = (&'static str, &'static str, fn(String));

const MEASUREMENTS: [Measurement; 3] = [
    ("table", "MODELDESK_BIG_CSV", large_table_frame_times),
    ("training", "MODELDESK_BIG_CSV", frame_times_during_training),
    ("catalog", "MODELDESK_BIG_CATALOG", catalog_view_frame_times),
];

fn main() {
    let names: Vec<String> = std::env::args().skip(1).collect();
    if let Some(unknown) = names
        .iter()
        .find(|n| !MEASUREMENTS.iter().any(|(name, _, _)| name == n))
    {
        eprintln!("unknown measurement {unknown:?}; choose among table, training, catalog");
        std::process::exit(2);
    }
    let mut ran = 0;
    for (name, variable, measure) in MEASUREMENTS {
        if !names.is_empty() && !names.iter().any(|n| n == name) {
            continue;
        }
        match std::env::var(variable) {
            Ok(path) => {
                measure(path);
                ran += 1;
            }
            Err(_) if names.is_empty() => {}
            Err(_) => {
                eprintln!("{name}: set {variable} to its input");
                std::process::exit(2);
            }
        }
    }
    if ran == 0 {
        eprintln!("set MODELDESK_BIG_CSV (a large CSV with a `label` column) and/or MODELDESK_BIG_CATALOG (a large catalog)");
        std::process::exit(2);
    }
}
