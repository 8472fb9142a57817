//! `modeldesk train`: read the request (task, algorithms and their parameters, validation),
//! import the file, validate every algorithm, record each run in the catalog (unless
//! `--no-record`), optionally register the first, and print the results as text or one JSON
//! object.

use serde_json::json;

use super::{catalog, split_export, TrainArgs, UsageError};
use crate::catalog::VersionRef;
use crate::data::{self, Table};
use crate::ml::eval::{train_and_validate, Evaluation, TrainedModel, Validation};
use crate::ml::prep::{ColumnStep, Recipe};
use crate::ml::spec::{ModelSpec, SKLEARN_NAMES};
use crate::ml::target::{infer_task, Task};

/// Each column's default step, with `--min-frequency` / `--max-categories` on every one-hot
/// column.
fn recipe(args: &TrainArgs, table: &Table) -> Recipe {
    let mut recipe = Recipe::default_for(table);
    for column in &mut recipe.columns {
        if let ColumnStep::OneHot { rare, .. } = &mut column.step {
            rare.min_frequency = args.min_frequency;
            rare.max_categories = args.max_categories;
        }
    }
    recipe
}

/// `modeldesk train`.
pub fn train(args: &TrainArgs) -> anyhow::Result<()> {
    args.memory.apply();
    let task = task(args)?;
    let mut specs = specs(args)?;
    let validation = validation(args);
    // A bad name or catalog fails before the training, not after it.
    let mut registry = match &args.register {
        Some(name) => {
            crate::catalog::validate_model_name(name)?;
            Some((name.as_str(), args.catalog.open()?))
        }
        None => None,
    };
    let started = std::time::Instant::now();
    let (table, target) = import_with_target(args)?;
    let import_seconds = started.elapsed().as_secs_f64();
    let task = task.unwrap_or_else(|| infer_task(&table.columns[target]));
    if specs.is_empty() {
        specs.push(ModelSpec::default_for(task));
    }
    for assignment in &args.params {
        set_param(&mut specs, assignment)?;
    }
    check_class_weights(&table, &args.target, task, &specs)?;
    let recipe = recipe(args, &table);
    let (trained, failure) = train_each(args, &table, task, &recipe, &specs, validation);
    // Every run is recorded, the failed one too, unless --no-record.
    let run_ids = match &mut registry {
        _ if args.no_record => Vec::new(),
        Some((_, catalog)) => record_runs(catalog, &table, &args.target, &trained, &failure)?,
        None => match args.catalog.open() {
            Ok(mut catalog) => record_runs(&mut catalog, &table, &args.target, &trained, &failure)?,
            Err(e) => {
                eprintln!(
                    "modeldesk: the runs were not recorded: {e} (--no-record skips recording)"
                );
                Vec::new()
            }
        },
    };
    if let Some(failed) = failure {
        return Err(UsageError(format!("{}: {}", args.file.display(), failed.error)).into());
    }
    let models: Vec<Evaluation> = trained.iter().map(|(e, _)| e.clone()).collect();
    if let Some(dir) = &args.export_split {
        split_export::export_split(dir, &table, &args.target, &recipe, validation)?;
    }
    if args.timings {
        print_timings(import_seconds, &models);
    }
    let registered = match (&mut registry, trained.first(), run_ids.first()) {
        (Some((name, catalog)), Some(_), Some(&run)) => {
            Some(catalog.register_run(run, name, None)?)
        }
        (Some((name, catalog)), Some((evaluation, model)), None) => {
            Some(catalog::register(catalog, name, &table, evaluation, model)?)
        }
        _ => None,
    };
    if args.json {
        let timings = args.timings.then_some(import_seconds);
        let specs: Vec<&ModelSpec> = trained.iter().map(|(_, m)| &m.spec).collect();
        let mut out = train_json(&models, &specs, timings, registered.as_ref());
        out["run_ids"] = json!(run_ids);
        for (model, id) in out["models"]
            .as_array_mut()
            .into_iter()
            .flatten()
            .zip(&run_ids)
        {
            model["run_id"] = json!(id);
        }
        println!("{out}");
    } else {
        print_text(args, &models, registered.as_ref(), &run_ids);
    }
    Ok(())
}

/// An algorithm that failed to train, and how long it ran first.
struct FailedRun {
    spec: ModelSpec,
    error: String,
    seconds: f64,
}

/// Record the trained runs, and the failed one, in one transaction; their ids in order.
fn record_runs(
    catalog: &mut crate::catalog::Catalog,
    table: &Table,
    target: &str,
    trained: &[(Evaluation, TrainedModel)],
    failure: &Option<FailedRun>,
) -> anyhow::Result<Vec<i64>> {
    use crate::catalog::record;
    let lineage = record::lineage(table, &data::profile_table(table))?;
    let mut runs = trained
        .iter()
        .map(|(evaluation, model)| record::finished_run(evaluation, model, lineage.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(f) = failure {
        let error = Some(f.error.as_str());
        runs.push(record::unfinished_run(
            &f.spec, target, error, f.seconds, lineage,
        )?);
    }
    let mut ids = catalog.record_runs(&runs)?;
    ids.truncate(trained.len());
    Ok(ids)
}

/// The task asked for with `--task`, if any.
fn task(args: &TrainArgs) -> Result<Option<Task>, UsageError> {
    match args.task.as_deref().map(str::to_lowercase).as_deref() {
        None => Ok(None),
        Some("classification") => Ok(Some(Task::Classification)),
        Some("regression") => Ok(Some(Task::Regression)),
        Some(other) => Err(UsageError(format!(
            "unknown task '{other}'; use classification or regression"
        ))),
    }
}

/// The algorithms of `--algo`, with default parameters.
fn specs(args: &TrainArgs) -> Result<Vec<ModelSpec>, UsageError> {
    args.algorithms
        .iter()
        .map(|name| {
            ModelSpec::from_name(name).ok_or_else(|| {
                UsageError(format!(
                    "unknown algorithm '{name}'; known: {}",
                    ModelSpec::NAMES.join(", ")
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
}

/// Apply one `KEY=VALUE` to every algorithm that has the parameter `KEY`.
fn set_param(specs: &mut [ModelSpec], assignment: &str) -> Result<(), UsageError> {
    let Some((key, text)) = assignment.split_once('=') else {
        return Err(UsageError(format!(
            "--param {assignment}: write it as KEY=VALUE"
        )));
    };
    let key = key.trim();
    let mut applied = false;
    for spec in specs.iter_mut() {
        let Some(param) = spec.find_param(key) else {
            continue;
        };
        let value = param.kind.parse(text).map_err(|expected| {
            UsageError(format!("--param {key}: {} takes {expected}", spec.name()))
        })?;
        spec.set_param(param.key, value)
            .map_err(|e| UsageError(format!("--param {key}: {e}")))?;
        applied = true;
    }
    if applied {
        return Ok(());
    }
    let known: Vec<String> = specs
        .iter()
        .map(|spec| {
            let keys: Vec<&str> = spec.algorithm().params().iter().map(|p| p.key).collect();
            format!("{}: {}", spec.name(), keys.join(", "))
        })
        .collect();
    let sklearn: Vec<String> = SKLEARN_NAMES
        .iter()
        .map(|(sklearn, key)| format!("{sklearn} for {key}"))
        .collect();
    Err(UsageError(format!(
        "--param {key}: no chosen algorithm has it (name the algorithms with --algo; {}; \
         scikit-learn's names are taken too: {})",
        known.join("; "),
        sklearn.join(", ")
    )))
}

/// Class weights that name a class the target lacks are a usage error, before anything is
/// trained or recorded.
fn check_class_weights(
    table: &Table,
    target: &str,
    task: Task,
    specs: &[ModelSpec],
) -> Result<(), UsageError> {
    if task != Task::Classification {
        return Ok(());
    }
    let Some(classes) = crate::ml::target::class_target(table, target) else {
        return Ok(());
    };
    for spec in specs {
        spec.check_classes(&classes.classes)
            .map_err(|e| UsageError(format!("--param class_weight: {e}")))?;
    }
    Ok(())
}

/// `--holdout` when given, else `--cv` (5 folds by default).
fn validation(args: &TrainArgs) -> Validation {
    match (args.cv, args.holdout) {
        (_, Some(fraction)) => Validation::Holdout {
            fraction,
            seed: args.seed,
        },
        (folds, None) => Validation::CrossValidation {
            folds: folds.unwrap_or(5),
            seed: args.seed,
        },
    }
}

/// The file, read with the target column's role set, and the target's index; a missing
/// target is a usage error.
fn import_with_target(args: &TrainArgs) -> anyhow::Result<(Table, usize)> {
    let mut options = args.read.options();
    let mut table = data::import_csv(&args.file, &options, &data::Progress::default())?;
    let Some(index) = table.columns.iter().position(|c| c.name == args.target) else {
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        return Err(UsageError(format!(
            "{}: no column '{}' (columns: {})",
            args.file.display(),
            args.target,
            names.join(", ")
        ))
        .into());
    };
    options.set_role(index, Some(data::Role::Target));
    table.set_role(index, data::Role::Target);
    Ok((table, index))
}

/// Validate every spec in turn, up to the first that fails: the evaluations and models of
/// those that trained, and the failure.
fn train_each(
    args: &TrainArgs,
    table: &Table,
    task: Task,
    recipe: &Recipe,
    specs: &[ModelSpec],
    validation: Validation,
) -> (Vec<(Evaluation, TrainedModel)>, Option<FailedRun>) {
    let mut trained = Vec::new();
    for spec in specs {
        let started = std::time::Instant::now();
        match train_and_validate(
            table,
            &args.target,
            Some(task),
            recipe,
            spec,
            validation,
            &mut |_, _| true,
        ) {
            Ok(run) => trained.push(run),
            Err(e) => {
                let failed = FailedRun {
                    spec: spec.clone(),
                    error: e.to_string(),
                    seconds: started.elapsed().as_secs_f64(),
                };
                return (trained, Some(failed));
            }
        }
    }
    (trained, None)
}

/// `--timings` on stderr: the import, then each algorithm's stages.
fn print_timings(import_seconds: f64, models: &[Evaluation]) {
    eprintln!("import {import_seconds:.3} s");
    for e in models {
        let steps: Vec<String> = e
            .timings
            .iter()
            .map(|t| {
                let iterations = t
                    .iterations
                    .map(|n| format!(" ({n} iterations)"))
                    .unwrap_or_default();
                format!("{} {} {:.3} s{iterations}", t.stage, t.step, t.seconds)
            })
            .collect();
        eprintln!("{}: {}", e.algorithm, steps.join(", "));
    }
}

/// The `train --json` object; `import_seconds` is given with `--timings`.
fn train_json(
    models: &[Evaluation],
    specs: &[&ModelSpec],
    import_seconds: Option<f64>,
    registered: Option<&VersionRef>,
) -> serde_json::Value {
    let model_json: Vec<serde_json::Value> = models
        .iter()
        .zip(specs)
        .map(|(e, spec)| {
            let mut model = json!({
                "algorithm": e.algorithm,
                "parameters": e.parameters,
                "params": spec.params_json(),
                "metrics": e.mean,
                "metrics_std": e.std,
                "pooled": e.pooled,
                "folds": e.folds,
                "warnings": e.warnings,
                "train_seconds": e.train_seconds,
            });
            if import_seconds.is_some() {
                model["timings"] = json!(e.timings);
            }
            model
        })
        .collect();
    let first = &models[0];
    let mut out = json!({
        "task": first.task,
        "target": first.target,
        "classes": first.classes,
        "rows_used": first.rows_used,
        "rows_dropped": first.rows_dropped,
        "validation": first.validation,
        "models": model_json,
    });
    if models.len() == 1 {
        out["metrics"] = json!(first.mean);
        out["folds"] = json!(first.folds);
    }
    if let Some(seconds) = import_seconds {
        out["import_seconds"] = json!(seconds);
    }
    if let Some(registered) = registered {
        out["model"] = json!(registered.model);
        out["version"] = json!(registered.version);
    }
    out
}

/// The human-readable results: each algorithm's metrics (mean ± std) and warnings, the runs
/// recorded and the version registered.
fn print_text(
    args: &TrainArgs,
    models: &[Evaluation],
    registered: Option<&VersionRef>,
    run_ids: &[i64],
) {
    for e in models {
        println!(
            "{} on {} predicting '{}' ({} rows, {} dropped for a missing target)",
            e.algorithm,
            args.file.display(),
            e.target,
            e.rows_used,
            e.rows_dropped
        );
        for (name, value) in e.pooled.scalars() {
            let mean = e.mean.get(name).copied().unwrap_or(value);
            let std = e.std.get(name).copied().unwrap_or(0.0);
            println!(
                "  {:<20} {mean:.4} ± {std:.4}",
                crate::ml::metric_registry::label(name)
            );
        }
        for warning in &e.warnings {
            println!("  warning: {warning}");
        }
    }
    if !run_ids.is_empty() {
        let ids: Vec<String> = run_ids.iter().map(i64::to_string).collect();
        println!(
            "recorded as run {} (modeldesk runs lists them)",
            ids.join(", ")
        );
    }
    if let Some(registered) = registered {
        println!(
            "registered {} version {}",
            registered.model, registered.version
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(names: &[&str]) -> Vec<ModelSpec> {
        names
            .iter()
            .map(|n| ModelSpec::from_name(n).unwrap())
            .collect()
    }

    #[test]
    fn a_param_reaches_every_chosen_algorithm_that_has_it() {
        let mut specs = chosen(&["tree", "forest", "logistic_regression"]);
        set_param(&mut specs, "max_depth=3").unwrap();
        set_param(&mut specs, "criterion=Entropy").unwrap();
        assert_eq!(
            specs.iter().map(|s| s.summary()).collect::<Vec<_>>(),
            [
                "depth ≤ 3, split ≥ 2, leaf ≥ 1, Entropy",
                "50 trees, depth ≤ 3, 50% of features per split, seed 0",
                "C = 1, max 100 iterations, tol 1e-4",
            ]
        );
        set_param(&mut specs, "max_depth=none").unwrap();
        assert!(specs[0].summary().starts_with("unlimited depth"));
    }

    #[test]
    fn scikit_learns_names_set_the_same_parameters() {
        let mut specs = chosen(&["forest", "logistic_regression", "lasso"]);
        for assignment in [
            "n_estimators=30",
            "max_features=0.25",
            "max_samples=0.5",
            "min_samples_leaf=4",
            "random_state=7",
            "C=0.5",
            "max_iter=300",
            "tol=0.001",
        ] {
            set_param(&mut specs, assignment).unwrap();
        }
        assert_eq!(
            specs[0].params_json(),
            serde_json::json!({"trees": 30, "max_depth": 10, "feature_fraction": 0.25,
                "min_samples_leaf": 4, "sample_fraction": 0.5, "seed": 7, "class_weight": "none",
                "splitter": "auto"})
        );
        assert_eq!(
            specs[1].params_json(),
            serde_json::json!({"c": 0.5, "max_iterations": 300, "tolerance": 0.001,
                "class_weight": "none"})
        );
        assert_eq!(
            specs[2].params_json(),
            serde_json::json!({"alpha": 1.0, "max_iterations": 300, "tolerance": 0.001})
        );
        assert_eq!(
            specs[0].summary(),
            "30 trees, depth ≤ 10, 25% of features per split, at least 4 rows per leaf, 50% of rows per tree, seed 7"
        );
    }

    #[test]
    fn a_bad_param_is_a_usage_error_naming_what_is_accepted() {
        let mut specs = chosen(&["ridge"]);
        let message = |specs: &mut Vec<ModelSpec>, assignment| {
            set_param(specs, assignment).unwrap_err().to_string()
        };
        assert_eq!(
            message(&mut specs, "c=1"),
            "--param c: no chosen algorithm has it (name the algorithms with --algo; ridge: alpha, max_iterations, tolerance; scikit-learn's names are taken too: n_estimators for trees, max_features for feature_fraction, max_samples for sample_fraction, max_iter for max_iterations, C for c, tol for tolerance, random_state for seed)"
        );
        assert_eq!(
            message(&mut specs, "alpha=-1"),
            "--param alpha: ridge takes a number from 0.000001 to 1000000"
        );
        assert_eq!(
            message(&mut specs, "alpha"),
            "--param alpha: write it as KEY=VALUE"
        );
        set_param(&mut specs, "alpha=0.5").unwrap();
        assert_eq!(specs[0].summary(), "alpha = 0.5");
    }
}
