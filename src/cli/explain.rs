//! `modeldesk explain`: what a registered version learned — coefficients, impurity
//! importances or naive Bayes' class Gaussians — named by the columns it was trained on.

use std::fmt::Write as _;

use super::CatalogArg;
use crate::catalog::record;
use crate::ml::learned::{what_it_learned, CoefficientSet, Importance, Learned};
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
    /// Also print a decision tree's leaves as rules (JSON always holds them).
    #[arg(long)]
    pub rules: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub catalog: CatalogArg,
}

/// `modeldesk explain`.
pub fn explain(args: &ExplainArgs) -> anyhow::Result<()> {
    let catalog = args.catalog.open()?;
    let found = catalog.resolve(&args.reference)?;
    let model = record::load_model(&catalog, found.id)?;
    let learned = what_it_learned(&model);
    if args.json {
        let object = serde_json::json!({
            "model": found.model,
            "version": found.version,
            "algorithm": model.spec.name(),
            "target": model.target,
            "learned": learned,
        });
        println!("{}", serde_json::to_string_pretty(&object)?);
    } else {
        let title = format!("{} v{}", found.model, found.version);
        print!("{}", explain_text(&title, &model, &learned, args.top));
        if args.rules {
            print!("{}", rules_text(&learned));
        }
    }
    Ok(())
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
