//! Cancel-latency benchmark (not a test): how long a training run takes to stop after Cancel,
//! on a large file. A cancel flag is set from another thread at several moments of a
//! hold-out training (recipe, transform, fit, validation, final fit) and the time until
//! `train_and_validate` returns is printed; nothing is asserted.
//!
//! `MODELDESK_BIG_CSV=/path/to/1M-rows.csv cargo run --release --example cancel_latency`
//! (the target column is `label`, or `MODELDESK_BIG_TARGET`; the algorithm
//! `logistic_regression`, or `MODELDESK_BIG_ALGORITHM`).

use modeldesk::data::{import_csv, ImportOptions, Progress, Role};
use modeldesk::ml::eval::{train_and_validate, TrainError, Validation};
use modeldesk::ml::model::ModelError;
use modeldesk::ml::prep::Recipe;
use modeldesk::ml::spec::ModelSpec;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn main() {
    let Ok(path) = std::env::var("MODELDESK_BIG_CSV") else {
        eprintln!("set MODELDESK_BIG_CSV to a large CSV file (see bench/import_bench.sh)");
        std::process::exit(2);
    };
    let target = std::env::var("MODELDESK_BIG_TARGET").unwrap_or_else(|_| "label".into());
    let mut table = import_csv(
        path.as_ref(),
        &ImportOptions::default(),
        &Progress::default(),
    )
    .expect("the file imports");
    let index = table
        .columns
        .iter()
        .position(|c| c.name == target)
        .expect("the target column exists");
    table.set_role(index, Role::Target);
    let recipe = Recipe::default_for(&table);
    let algorithm =
        std::env::var("MODELDESK_BIG_ALGORITHM").unwrap_or_else(|_| "logistic_regression".into());
    let spec = ModelSpec::from_name(&algorithm).expect("a known algorithm name");
    let validation = Validation::Holdout {
        fraction: 0.2,
        seed: 0,
    };

    let started = Instant::now();
    train_and_validate(
        &table,
        &target,
        None,
        &recipe,
        &spec,
        validation,
        &mut |_, _| true,
    )
    .expect("an uncancelled run trains");
    let whole = started.elapsed().as_secs_f64();
    println!("uncancelled run: {whole:.3} s");

    let mut worst: f64 = 0.0;
    for step in 0..12 {
        let delay = Duration::from_secs_f64(whole * (step as f64 + 0.5) / 12.0);
        let cancel = AtomicBool::new(false);
        let cancelled_at = Mutex::new(None);
        let stage = Mutex::new(String::new());
        let (result, returned) = std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(delay);
                *cancelled_at.lock().unwrap() = Some(Instant::now());
                cancel.store(true, Ordering::Relaxed);
            });
            let result = train_and_validate(
                &table,
                &target,
                None,
                &recipe,
                &spec,
                validation,
                &mut |_, s| {
                    if !cancel.load(Ordering::Relaxed) {
                        s.clone_into(&mut stage.lock().unwrap());
                    }
                    !cancel.load(Ordering::Relaxed)
                },
            );
            (result, Instant::now())
        });
        let at = cancelled_at.lock().unwrap().expect("the cancel was sent");
        let stage = stage.lock().unwrap().clone();
        match result {
            Err(TrainError::Fit(ModelError::Cancelled)) => {
                let latency = returned.saturating_duration_since(at).as_secs_f64();
                worst = worst.max(latency);
                println!(
                    "cancel at {:.3} s ({stage}): stopped after {:.1} ms",
                    delay.as_secs_f64(),
                    latency * 1000.0
                );
            }
            Ok(_) => println!(
                "cancel at {:.3} s: the run had finished",
                delay.as_secs_f64()
            ),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    println!("worst cancel latency: {:.1} ms", worst * 1000.0);
}
