//! Catalog benchmark (not a test): fill a catalog with MODELS × VERSIONS versions, then time
//! what the Catalog view and the command line do on it. Medians over REPS runs, printed as a
//! Markdown table; nothing is asserted.
//!
//! Every version carries what a real registration stores: the metrics, curves, fitted recipe
//! and model of a 5-fold logistic regression on `assets/breast_cancer.csv`, with the mean
//! metrics varied per version so that sorting by them means something. The fill registers
//! one version of every model per transaction (`register_all`); then each model gets two
//! archived, one Production and two Staging versions through `set_stage`.
//!
//! `cargo run --release --example catalog_bench` (or `bench/catalog_bench.sh`). Environment:
//! BENCH_DIR (/tmp/modeldesk-bench), MODELS (1000), VERSIONS (100), REPS (15).

use modeldesk::catalog::{
    self, Catalog, ModelFilter, NewVersion, Page, Stage, VersionQuery, VersionSort,
};
use modeldesk::data::{import_csv, profile_table, ImportOptions, Progress, Role};
use modeldesk::ml::eval::{train_and_validate, Validation};
use modeldesk::ml::{prep::Recipe, spec::ModelSpec};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A real registration of breast_cancer, to copy.
fn trained_version() -> anyhow::Result<NewVersion> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/breast_cancer.csv");
    let mut table = import_csv(&path, &ImportOptions::default(), &Progress::default())?;
    let target = "diagnosis";
    let index = table
        .columns
        .iter()
        .position(|c| c.name == target)
        .ok_or_else(|| anyhow::anyhow!("breast_cancer.csv has no '{target}' column"))?;
    table.set_role(index, Role::Target);
    let spec = ModelSpec::from_name("logistic_regression")
        .ok_or_else(|| anyhow::anyhow!("no logistic regression"))?;
    let (evaluation, model) = train_and_validate(
        &table,
        target,
        None,
        &Recipe::default_for(&table),
        &spec,
        Validation::CrossValidation { folds: 5, seed: 0 },
        &mut |_, _| true,
    )?;
    let profile = profile_table(&table);
    let lineage = catalog::record::lineage(&table, &profile)?;
    Ok(catalog::record::new_version(&evaluation, &model, lineage)?)
}

/// `base` with its mean metrics moved by a little noise, and its log loss undefined (NaN,
/// stored as null) in 2 % of the versions, which listings put last.
fn varied(base: &NewVersion, metrics: &serde_json::Value, rng: &mut StdRng) -> NewVersion {
    let mut metrics = metrics.clone();
    if let Some(mean) = metrics.get_mut("mean").and_then(|m| m.as_object_mut()) {
        for value in mean.values_mut() {
            if let Some(x) = value.as_f64() {
                *value = serde_json::json!(x * rng.gen_range(0.9..1.0));
            }
        }
        if rng.gen_bool(0.02) {
            mean.insert("log_loss".into(), serde_json::Value::Null);
        }
    }
    NewVersion {
        metrics_json: metrics.to_string(),
        ..base.clone()
    }
}

/// Median and 90th percentile, in milliseconds, of `reps` runs of `run`.
fn time<T>(reps: u64, mut run: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(f64, f64, T)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..reps.max(1) {
        let started = Instant::now();
        last = Some(run()?);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let last = last.ok_or_else(|| anyhow::anyhow!("no run"))?;
    Ok((at(0.5), at(0.9), last))
}

fn remove_catalog(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn main() -> anyhow::Result<()> {
    let models = env_number("MODELS", 1000);
    let versions = env_number("VERSIONS", 100);
    let reps = env_number("REPS", 15);
    let dir =
        PathBuf::from(std::env::var("BENCH_DIR").unwrap_or_else(|_| "/tmp/modeldesk-bench".into()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("catalog-{models}x{versions}.sqlite"));
    remove_catalog(&path);

    let base = trained_version()?;
    let metrics: serde_json::Value = serde_json::from_str(&base.metrics_json)?;
    println!(
        "one version stores: metrics {} B, curves {} B, recipe {} B, model {} B",
        base.metrics_json.len(),
        base.curves_json.len(),
        base.recipe_json.len(),
        base.artifact.len()
    );
    let names: Vec<String> = (0..models).map(|m| format!("model-{m:04}")).collect();
    let mut rng = StdRng::seed_from_u64(7);

    let mut catalog = Catalog::open(&path)?;
    let started = Instant::now();
    for _ in 0..versions {
        let batch: Vec<(&str, NewVersion)> = names
            .iter()
            .map(|name| (name.as_str(), varied(&base, &metrics, &mut rng)))
            .collect();
        catalog.register_all(&batch)?;
    }
    let fill = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let v = versions as i64;
    for name in &names {
        for (version, stage) in [
            (v - 10, Stage::Production),
            (v - 5, Stage::Production),
            (v - 3, Stage::Production),
            (v - 2, Stage::Staging),
            (v - 1, Stage::Staging),
        ] {
            if version >= 1 {
                catalog.set_stage(name, version, stage, true, Some("benchmark"))?;
            }
        }
    }
    let staging = started.elapsed().as_secs_f64();
    drop(catalog);
    let size = std::fs::metadata(&path)?.len() as f64 / 1e6;
    println!(
        "filled {} versions of {models} models in {fill:.1} s ({:.0} versions/s), {} stage changes in {staging:.1} s; file {size:.0} MB",
        models * versions,
        (models * versions) as f64 / fill,
        models * 5
    );

    let probe = names[names.len() / 2].clone();
    let (open_ms, open_p90, mut catalog) = time(reps, || Ok(Catalog::open(&path)?))?;
    let mut rows: Vec<(String, f64, f64, usize)> =
        vec![("open the catalog".into(), open_ms, open_p90, 0)];
    let first_page = |stage, sort: VersionSort, descending| VersionQuery {
        model: None,
        stage: Some(stage),
        sort,
        descending,
        page: Page::default(),
    };
    let queries = [
        (
            "first page (50) of Production versions, newest first",
            first_page(Stage::Production, VersionSort::Created, true),
        ),
        (
            "first page of Archived versions, best accuracy first",
            first_page(
                Stage::Archived,
                VersionSort::Metric("accuracy".into()),
                true,
            ),
        ),
        (
            "first page of None versions (95 %), newest first",
            first_page(Stage::None, VersionSort::Created, true),
        ),
        (
            "first page of None versions, best ROC AUC first",
            first_page(Stage::None, VersionSort::Metric("roc_auc".into()), true),
        ),
        (
            "first page of None versions, lowest log loss first (2 % undefined: last)",
            first_page(Stage::None, VersionSort::Metric("log_loss".into()), false),
        ),
        (
            "first page of None versions, highest log loss first (undefined last)",
            first_page(Stage::None, VersionSort::Metric("log_loss".into()), true),
        ),
        (
            "first page of None versions, by MCC (no index)",
            first_page(Stage::None, VersionSort::Metric("mcc".into()), true),
        ),
        (
            "one model's versions, newest first",
            VersionQuery {
                descending: true,
                ..VersionQuery::of_model(&probe)
            },
        ),
    ];
    let mut plans = Vec::new();
    for (label, query) in &queries {
        let (median, p90, listed) = time(reps, || Ok(catalog.versions(query)?))?;
        rows.push((label.to_string(), median, p90, listed.len()));
        plans.push(format!("{label}: {}", catalog.versions_plan(query)?));
    }
    let (median, p90, n) = time(reps, || {
        Ok(catalog.version_count(&VersionQuery {
            stage: Some(Stage::None),
            ..VersionQuery::default()
        })?)
    })?;
    rows.push(("count of None versions".into(), median, p90, n as usize));
    for (label, filter) in [
        (
            "models with a Production version",
            ModelFilter {
                stage: Some(Stage::Production),
                ..ModelFilter::default()
            },
        ),
        ("all models", ModelFilter::default()),
        (
            "models whose name holds \"model-05\"",
            ModelFilter {
                search: Some("model-05".into()),
                ..ModelFilter::default()
            },
        ),
    ] {
        let (median, p90, listed) = time(reps, || Ok(catalog.models(&filter)?))?;
        rows.push((label.to_string(), median, p90, listed.len()));
    }
    let (median, p90, _) = time(reps, || {
        let found = catalog.resolve(&format!("{probe}@production"))?;
        Ok(catalog.load_artifact(found.id)?)
    })?;
    rows.push((
        "resolve model@production + load its model".into(),
        median,
        p90,
        1,
    ));
    let (median, p90, _) = time(reps, || Ok(catalog.history(&probe)?))?;
    rows.push(("one model's history".into(), median, p90, 0));
    let (median, p90, _) = time(reps, || {
        let new = varied(&base, &metrics, &mut rng);
        Ok(catalog.register(&probe, &new)?)
    })?;
    rows.push((
        "register one more version (register)".into(),
        median,
        p90,
        1,
    ));

    println!("\n| operation | median ms | p90 ms | rows |\n|---|---|---|---|");
    for (label, median, p90, n) in rows {
        println!("| {label} | {median:.2} | {p90:.2} | {n} |");
    }
    println!("\nquery plans:");
    for plan in plans {
        println!("  {plan}");
    }
    Ok(())
}
