//! The report's "What each model learned" section: each version's coefficients, impurity
//! importances or class priors, largest first, with a bar each, and a tree's rules; then the
//! permutation importance and partial dependence stored with it.

use serde::Serialize;

use super::gather::ReportVersion;
use super::measured_explanations::{measured, Measured};
use super::palette;
use super::share_policy::SharePolicy;
use crate::ml::learned::{split_gain_sentence, ImportanceMeasure, Learned};

/// Rows of a table before the rest are summed up in a line.
const SHOWN: usize = 15;

/// One version's explanation.
#[derive(Debug, Serialize)]
pub struct Explanation {
    pub label: String,
    pub color: &'static str,
    /// What the figures are.
    pub about: String,
    pub tables: Vec<ExplanationTable>,
    pub rules: Vec<String>,
    /// Why there is nothing to show.
    pub missing: Option<String>,
    /// Permutation importance and partial dependence, when they were stored with it.
    pub measured: Option<Measured>,
}

/// A ranked list: a name, a figure, an optional second figure, and a bar.
#[derive(Debug, Serialize)]
pub struct ExplanationTable {
    pub title: String,
    pub value_header: String,
    pub extra_header: Option<String>,
    pub rows: Vec<ExplanationRow>,
    /// "… 12 more" when the list is longer than shown.
    pub more: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExplanationRow {
    pub name: String,
    pub value: String,
    pub extra: String,
    /// The bar's length, percent of the largest in the table.
    pub bar: f64,
    pub negative: bool,
}

fn more(len: usize) -> Option<String> {
    (len > SHOWN).then(|| format!("… {} more", len - SHOWN))
}

/// Every version's explanation, in the report's order.
pub fn explanations(versions: &[ReportVersion], policy: &SharePolicy) -> Vec<Explanation> {
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut out = Explanation {
                label: v.label(),
                color: palette::css(i),
                about: String::new(),
                tables: Vec::new(),
                rules: Vec::new(),
                missing: None,
                measured: measured(&v.explanations, palette::css(i), policy),
            };
            match &v.learned {
                Err(why) => out.missing = Some(format!("its model could not be read: {why}")),
                Ok(learned) => fill(&mut out, learned),
            }
            out
        })
        .collect()
}

fn fill(out: &mut Explanation, learned: &Learned) {
    match learned {
        Learned::Coefficients { sets } => {
            out.about = "Coefficients in the model's feature space: a standardised number per \
                         standard deviation, a category's level as its 0/1 indicator; largest \
                         first."
                .into();
            for set in sets {
                let largest = set
                    .terms
                    .first()
                    .map_or(1.0, |t| t.coefficient.abs())
                    .max(1e-300);
                let logistic = set.terms.iter().any(|t| t.odds_ratio.is_some());
                let mut rows = vec![ExplanationRow {
                    name: "(intercept)".into(),
                    value: format!("{:+.4}", set.intercept),
                    extra: String::new(),
                    bar: 0.0,
                    negative: false,
                }];
                rows.extend(set.terms.iter().take(SHOWN).map(|t| ExplanationRow {
                    name: t.feature.name(),
                    value: format!("{:+.4}", t.coefficient),
                    extra: t.odds_ratio.map_or(String::new(), |o| format!("{o:.3}")),
                    bar: 100.0 * t.coefficient.abs() / largest,
                    negative: t.coefficient < 0.0,
                }));
                let mut more = more(set.terms.len());
                if !set.dropped.is_empty() {
                    let dropped = format!("dropped (coefficient 0): {}", set.dropped.join(", "));
                    more = Some(more.map_or(dropped.clone(), |m| format!("{m}; {dropped}")));
                }
                out.tables.push(ExplanationTable {
                    title: set.output.clone(),
                    value_header: "coefficient".into(),
                    extra_header: logistic.then(|| "odds ×".into()),
                    rows,
                    more,
                });
            }
        }
        Learned::Importances {
            columns,
            trees,
            rules,
            measure,
            ..
        } => {
            out.about = if *measure == ImportanceMeasure::SplitGain {
                split_gain_sentence("column")
            } else if *trees > 1 {
                format!(
                    "Impurity importance: each column's share of the impurity decrease of the \
                     splits, mean ± std over {trees} trees."
                )
            } else {
                "Impurity importance: each column's share of the impurity decrease of the \
                 tree's splits."
                    .into()
            };
            let largest = columns.first().map_or(1.0, |c| c.importance).max(1e-300);
            out.tables.push(ExplanationTable {
                title: "By column".into(),
                value_header: "importance".into(),
                extra_header: (*trees > 1).then(|| "std over trees".into()),
                rows: columns
                    .iter()
                    .take(SHOWN)
                    .map(|c| ExplanationRow {
                        name: c.name.clone(),
                        value: format!("{:.4}", c.importance),
                        extra: c.std.map_or(String::new(), |s| format!("{s:.4}")),
                        bar: 100.0 * c.importance / largest,
                        negative: false,
                    })
                    .collect(),
                more: more(columns.len()),
            });
            out.rules = rules.iter().map(ToString::to_string).collect();
        }
        Learned::ClassGaussians { classes, .. } => {
            out.about = "Gaussian naive Bayes: each class's prior; the per-class mean and \
                         variance of every feature are in `modeldesk explain`."
                .into();
            out.tables.push(ExplanationTable {
                title: "Class priors".into(),
                value_header: "prior".into(),
                extra_header: None,
                rows: classes
                    .iter()
                    .map(|c| ExplanationRow {
                        name: c.class.clone(),
                        value: format!("{:.3}", c.prior),
                        extra: String::new(),
                        bar: 100.0 * c.prior,
                        negative: false,
                    })
                    .collect(),
                more: None,
            });
        }
        Learned::Unavailable { reason, rules } => {
            out.missing = Some(reason.clone());
            out.rules = rules.iter().map(ToString::to_string).collect();
        }
    }
}
