//! `modeldesk explain`: what a registered version learned — coefficients, impurity
//! importances or naive Bayes' class Gaussians — named by the columns it was trained on, and
//! on request each column's permutation importance and chosen columns' partial dependence on
//! a labelled file, which are stored with the version.

use std::fmt::Write as _;

use std::path::PathBuf;

use super::explain_dependence::partial_dependence_text;
use super::{explain_shap, CatalogArg, MemoryArg, UsageError};
use crate::catalog::record::{self, explanation_rows, ComputedOn, RowsError};
use crate::catalog::{Catalog, VersionRef};
use crate::data::{self, Table};
use crate::ml::learned::{
    split_gain_sentence, what_it_learned, CoefficientSet, Importance, ImportanceMeasure, Learned,
};
use crate::ml::metric_registry;
use crate::ml::partial_dependence::{partial_dependence, PartialDependence, PdOptions};
use crate::ml::permutation::{
    labelled_rows, permutation_importance, PermutationImportance, Shuffles,
};
use crate::ml::target::Task;
use crate::ml::trained::TrainedModel;

/// Options of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The version: MODEL@VERSION (churn@3) or MODEL@STAGE (churn@production).
    #[arg(value_name = "MODEL@VERSION")]
    pub reference: String,
    /// Show at most this many features per list (the largest); 0 shows all.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Also measure each column's permutation importance: impurity (what the model learned,
    /// the default) or permutation (the drop in a metric when the column is shuffled).
    #[arg(long, value_name = "KIND", default_value = "impurity")]
    pub importance: String,
    /// The labelled CSV file permutation importance and partial dependence are computed on
    /// (default: the file the version was trained on, if it is still there unchanged).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// The metric whose drop is measured (default: accuracy for classes, r2 for values).
    #[arg(long, value_name = "KEY")]
    pub metric: Option<String>,
    /// Shuffles of each column.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub repeats: usize,
    /// Seed of the shuffles.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also print the partial dependence on this column: the average prediction over the
    /// rows (of --data, or of the training file) as the column is set to each point of a
    /// grid (repeat for several columns).
    #[arg(long = "pdp", value_name = "COLUMN")]
    pub pdp: Vec<String>,
    /// Also print a decision tree's leaves as rules (JSON always holds them).
    #[arg(long)]
    pub rules: bool,
    /// Also summarise why the predictions differ over the rows of --data (default: the
    /// training file, if unchanged): each column's mean absolute contribution to each row's
    /// predicted class (TreeSHAP, linear or sampled); JSON adds each row's value and
    /// contribution.
    #[arg(long)]
    pub shap: bool,
    /// Rows the --shap summary explains at most, evenly spaced through the file.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub shap_rows: usize,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub memory: MemoryArg,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// `modeldesk explain`.
pub fn explain(args: &ExplainArgs) -> anyhow::Result<()> {
    args.memory.apply();
    let mut catalog = args.catalog.open()?;
    let found = catalog.resolve(&args.reference)?;
    let model = record::load_model(&catalog, found.id)?;
    let learned = what_it_learned(&model);
    let permuted = match args.importance.as_str() {
        "impurity" => false,
        "permutation" => true,
        other => {
            return Err(
                UsageError(format!("--importance {other}: use impurity or permutation")).into(),
            )
        }
    };
    let shap = if args.shap {
        let data = args.data.as_ref();
        Some(explain_shap::summary(
            &catalog,
            &found,
            &model,
            data,
            args.shap_rows,
            args.seed,
        )?)
    } else {
        None
    };
    let mut computed = Computed::default();
    if permuted || !args.pdp.is_empty() {
        let lineage = catalog.version(&found.model, found.version)?.dataset;
        let table = explanation_rows(
            &model,
            args.data.as_deref(),
            lineage.as_ref(),
            &data::Progress::default(),
        )
        .map_err(|e| UsageError(rows_message(e)))?;
        if permuted {
            computed.permutation = Some(permutation(&model, &table, args)?);
        }
        for column in &args.pdp {
            let rows: Vec<usize> = (0..table.rows()).collect();
            let dependence = partial_dependence(
                &model,
                &table,
                &rows,
                column,
                &PdOptions::default(),
                &|_| true,
            )
            .map_err(|e| UsageError(format!("--pdp {column}: {e}")))?;
            let on = ComputedOn::file(&table, rows.len());
            computed.partial_dependence.push((dependence, on));
        }
        store(&mut catalog, &found, &computed);
    }
    if args.json {
        let partial: Vec<&PartialDependence> =
            computed.partial_dependence.iter().map(|(d, _)| d).collect();
        let object = serde_json::json!({
            "model": found.model,
            "version": found.version,
            "algorithm": model.spec.name(),
            "target": model.target,
            "learned": learned,
            "permutation_importance": computed.permutation.as_ref().map(|(p, _)| p),
            "partial_dependence": partial,
            "shap_summary": shap.as_ref().map(|(_, summary)| summary),
        });
        println!("{}", serde_json::to_string_pretty(&object)?);
    } else {
        let title = format!("{} v{}", found.model, found.version);
        print!("{}", explain_text(&title, &model, &learned, args.top));
        if let Some((measured, _)) = &computed.permutation {
            print!("{}", permutation_text(measured));
        }
        for (dependence, on) in &computed.partial_dependence {
            print!("{}", partial_dependence_text(dependence, on.rows));
        }
        if args.rules {
            print!("{}", rules_text(&learned));
        }
        if let Some((path, summary)) = &shap {
            print!("{}", explain_shap::summary_text(path, summary));
        }
    }
    Ok(())
}

/// What `explain` computed this time, with the rows it was computed on.
#[derive(Default)]
struct Computed {
    permutation: Option<(PermutationImportance, ComputedOn)>,
    partial_dependence: Vec<(PartialDependence, ComputedOn)>,
}

/// Keep what was computed with the version, replacing what was stored before; a catalog
/// that cannot be written is said on stderr, not an error (the figures are printed anyway).
fn store(catalog: &mut Catalog, found: &VersionRef, computed: &Computed) {
    let records = computed
        .permutation
        .iter()
        .map(|(p, on)| record::permutation_record(p, on))
        .chain(
            computed
                .partial_dependence
                .iter()
                .map(|(d, on)| record::partial_dependence_record(d, on)),
        );
    for new in records {
        let stored =
            new.and_then(|new| catalog.store_explanation(&found.model, found.version, &new));
        if let Err(e) = stored {
            eprintln!("not stored with {} v{}: {e}", found.model, found.version);
            return;
        }
    }
}

/// A refusal to read the rows, saying how to give them.
fn rows_message(error: RowsError) -> String {
    match error {
        RowsError::Unreadable { .. } => error.to_string(),
        _ => format!(
            "{} with --data",
            error.to_string().trim_end_matches(": give a labelled file")
        ),
    }
}

fn permutation(
    model: &TrainedModel,
    table: &Table,
    args: &ExplainArgs,
) -> anyhow::Result<(PermutationImportance, ComputedOn)> {
    let path = table.source.display();
    let labelled = labelled_rows(model, table).map_err(|e| UsageError(format!("{path}: {e}")))?;
    let metric = args.metric.clone().unwrap_or_else(|| match model.task {
        Task::Classification => "accuracy".into(),
        Task::Regression => "r2".into(),
    });
    if args.repeats == 0 {
        return Err(UsageError("--repeats must be at least 1".into()).into());
    }
    let measured = permutation_importance(
        model,
        labelled.x.view(),
        labelled.answers.truth(),
        &metric,
        args.repeats,
        &Shuffles::Seeded(args.seed),
        &|_| true,
    )
    .map_err(|e| UsageError(e.to_string()))?;
    let on = ComputedOn::file(table, measured.rows);
    Ok((measured, on))
}

/// The permutation importances as `explain` prints them.
pub fn permutation_text(measured: &PermutationImportance) -> String {
    let mut out = format!(
        "\nPermutation importance: the drop in {} ({:.4} on {} rows) when a column is \
         shuffled, mean ± std over {} shuffles:\n",
        metric_registry::label(&measured.metric),
        measured.baseline,
        measured.rows,
        measured.repeats
    );
    let width = measured
        .columns
        .iter()
        .map(|c| c.column.len())
        .max()
        .unwrap_or(0);
    for column in &measured.columns {
        let _ = writeln!(
            out,
            "  {:width$}  {:+.4} ± {:.4}",
            column.column, column.mean, column.std
        );
    }
    out
}

/// The text `explain` prints.
pub fn explain_text(title: &str, model: &TrainedModel, learned: &Learned, top: usize) -> String {
    let mut out = format!(
        "{title}: {}, predicting {}\n",
        model.spec.title(),
        model.target
    );
    let shown = |n: usize| if top == 0 { n } else { n.min(top) };
    match learned {
        Learned::Coefficients { sets } => {
            out.push_str(
                "Coefficients in the model's feature space: a standardised number per standard \
                 deviation, a level as its 0/1 indicator.\n",
            );
            for set in sets {
                coefficients(&mut out, set, shown(set.terms.len()));
            }
        }
        Learned::Importances {
            features,
            columns,
            measure: ImportanceMeasure::SplitGain,
            ..
        } => {
            let _ = writeln!(out, "{}", split_gain_sentence("feature"));
            importances(&mut out, "By column", columns, shown(columns.len()));
            if features.len() > columns.len() {
                importances(&mut out, "By feature", features, shown(features.len()));
            }
        }
        Learned::Importances {
            features,
            columns,
            trees,
            ..
        } => {
            let _ = writeln!(
                out,
                "Impurity importance: each feature's share of the impurity decrease of the \
                 splits{}.",
                if *trees > 1 {
                    format!(", mean ± std over {trees} trees")
                } else {
                    String::new()
                }
            );
            importances(&mut out, "By column", columns, shown(columns.len()));
            if features.len() > columns.len() {
                importances(&mut out, "By feature", features, shown(features.len()));
            }
        }
        Learned::ClassGaussians { features, classes } => {
            out.push_str("Class priors:");
            for class in classes {
                let _ = write!(out, " {} {:.3}", class.class, class.prior);
            }
            out.push_str("\nMean (variance) of each feature per class:\n");
            let width = features.iter().map(|f| f.name().len()).max().unwrap_or(0);
            let _ = write!(out, "  {:width$}", "");
            for class in classes {
                let _ = write!(out, "  {:>22}", class.class);
            }
            out.push('\n');
            for (j, feature) in features.iter().enumerate() {
                let _ = write!(out, "  {:width$}", feature.name());
                for class in classes {
                    let cell = format!("{:.4} ({:.4})", class.mean[j], class.variance[j]);
                    let _ = write!(out, "  {cell:>22}");
                }
                out.push('\n');
            }
        }
        Learned::Unavailable { reason, .. } => {
            let _ = writeln!(out, "Not available: {reason}.");
        }
    }
    out
}

/// A tree's rules, one per line, or why there are none.
pub fn rules_text(learned: &Learned) -> String {
    let rules = match learned {
        Learned::Importances { rules, .. } | Learned::Unavailable { rules, .. } => rules,
        _ => &Vec::new(),
    };
    if rules.is_empty() {
        return "\nRules: only a decision tree reads as rules.\n".into();
    }
    let mut out = format!("\nRules ({}, one per leaf):\n", rules.len());
    for rule in rules {
        let _ = writeln!(out, "  {rule}");
    }
    out
}

fn coefficients(out: &mut String, set: &CoefficientSet, shown: usize) {
    let _ = writeln!(out, "\n{} (intercept {:+.4})", set.output, set.intercept);
    let width = set.terms[..shown]
        .iter()
        .map(|t| t.feature.name().len())
        .max()
        .unwrap_or(0);
    for term in &set.terms[..shown] {
        let _ = write!(
            out,
            "  {:width$}  {:+.4}",
            term.feature.name(),
            term.coefficient
        );
        if let Some(odds) = term.odds_ratio {
            let _ = write!(out, "  odds ×{odds:.3}");
        }
        out.push('\n');
    }
    if shown < set.terms.len() {
        let _ = writeln!(out, "  … {} more", set.terms.len() - shown);
    }
    if !set.dropped.is_empty() {
        let _ = writeln!(out, "  dropped (coefficient 0): {}", set.dropped.join(", "));
    }
}

fn importances(out: &mut String, heading: &str, list: &[Importance], shown: usize) {
    let _ = writeln!(out, "\n{heading}:");
    let width = list[..shown]
        .iter()
        .map(|i| i.name.len())
        .max()
        .unwrap_or(0);
    for item in &list[..shown] {
        let _ = write!(out, "  {:width$}  {:.4}", item.name, item.importance);
        if let Some(std) = item.std {
            let _ = write!(out, " ± {std:.4}");
        }
        out.push('\n');
    }
    if shown < list.len() {
        let _ = writeln!(out, "  … {} more", list.len() - shown);
    }
}
