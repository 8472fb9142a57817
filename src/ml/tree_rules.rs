//! A decision tree as rules an analyst reads: one rule per leaf, its conditions in the
//! training data's own units ("petal_length ≥ 2.45 and petal_width < 1.75 then versicolor").
//!
//! A split on a standardised feature `(x − center) / scale < t` reads as
//! `x < t · scale + center` (a missing value was filled before scaling, so it goes where its
//! fill does); a split on a level's 0/1 indicator reads as `island = Dream` or
//! `island ≠ Dream`.

use serde::Serialize;

use super::prep::{FittedMissing, FittedRecipe, FittedStep, MISSING_LEVEL};
use super::tree::{FlatTree, Node};

/// One leaf as a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Every condition on the way from the root, one per column (a column tested twice on
    /// the way reads as a range).
    pub conditions: Vec<String>,
    /// The class the leaf predicts, and its share of the leaf's training rows.
    pub class: String,
    pub probability: f64,
    /// Training rows that reach the leaf, when the tree kept them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.conditions.is_empty() {
            write!(f, "always")?;
        } else {
            write!(f, "if {}", self.conditions.join(" and "))?;
        }
        write!(f, " then {} ({:.2}", self.class, self.probability)?;
        if let Some(rows) = self.rows {
            write!(f, ", {rows} rows")?;
        }
        write!(f, ")")
    }
}

/// What one feature of the transformed matrix is, for reading a split on it.
#[derive(Debug, Clone)]
enum FeatureMeaning {
    Number {
        column: String,
        center: f64,
        scale: f64,
    },
    Level {
        column: String,
        level: String,
    },
}

fn meanings(recipe: &FittedRecipe) -> Vec<FeatureMeaning> {
    let mut out = Vec::new();
    for fitted in &recipe.columns {
        let column = fitted.column.clone();
        match &fitted.step {
            FittedStep::Numeric { center, scale, .. } => out.push(FeatureMeaning::Number {
                column,
                center: *center,
                scale: *scale,
            }),
            FittedStep::OneHot {
                levels, missing, ..
            } => {
                let mut all: Vec<String> = levels.clone();
                if *missing == FittedMissing::OwnColumn {
                    all.push(MISSING_LEVEL.to_string());
                }
                out.extend(all.into_iter().map(|level| FeatureMeaning::Level {
                    column: column.clone(),
                    level,
                }));
            }
        }
    }
    out
}

/// Reads one split of a tree at a time in the data's units, for a tree drawn node by node.
pub struct SplitReader {
    meanings: Vec<FeatureMeaning>,
}

impl SplitReader {
    /// A reader of splits on the features of `recipe`.
    pub fn new(recipe: &FittedRecipe) -> Self {
        SplitReader {
            meanings: meanings(recipe),
        }
    }

    /// The conditions of a split's left and right branches: `glu < 123.5` and
    /// `glu ≥ 123.5`, or `island ≠ Dream` and `island = Dream` for a level's indicator.
    pub fn branches(&self, feature: usize, threshold: f64) -> (String, String) {
        match self.meanings.get(feature) {
            Some(FeatureMeaning::Number {
                column,
                center,
                scale,
            }) => {
                let value = short(threshold * scale + center);
                (format!("{column} < {value}"), format!("{column} ≥ {value}"))
            }
            Some(FeatureMeaning::Level { column, level }) => {
                (format!("{column} ≠ {level}"), format!("{column} = {level}"))
            }
            None => {
                let value = short(threshold);
                (
                    format!("feature {feature} < {value}"),
                    format!("feature {feature} ≥ {value}"),
                )
            }
        }
    }
}

/// What the path knows about one column so far.
#[derive(Debug, Clone)]
enum Known {
    /// `low ≤ x < high`.
    Range {
        low: Option<f64>,
        high: Option<f64>,
    },
    /// Equal to one level, or different from these levels.
    Is(String),
    IsNot(Vec<String>),
}

/// The rules of `tree`, leaf by leaf from left to right.
pub fn tree_rules(tree: &FlatTree, recipe: &FittedRecipe, classes: &[String]) -> Vec<Rule> {
    let meanings = meanings(recipe);
    let mut rules = Vec::new();
    let mut path: Vec<(String, Known)> = Vec::new();
    walk(tree, 0, &meanings, classes, &mut path, &mut rules);
    rules
}

fn walk(
    tree: &FlatTree,
    at: usize,
    meanings: &[FeatureMeaning],
    classes: &[String],
    path: &mut Vec<(String, Known)>,
    rules: &mut Vec<Rule>,
) {
    match &tree.nodes[at] {
        Node::Leaf { proba } => {
            let (best, probability) =
                proba
                    .iter()
                    .copied()
                    .enumerate()
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |acc, (k, p)| if p > acc.1 { (k, p) } else { acc },
                    );
            rules.push(Rule {
                conditions: path.iter().map(|(c, k)| condition(c, k)).collect(),
                class: classes
                    .get(best)
                    .cloned()
                    .unwrap_or_else(|| best.to_string()),
                probability: probability.max(0.0),
                rows: tree.has_stats().then(|| tree.stats[at].rows()),
            });
        }
        Node::Split {
            feature,
            threshold,
            left,
            right,
        } => {
            for (child, goes_left) in [(*left, true), (*right, false)] {
                let saved = path.clone();
                if let Some(meaning) = meanings.get(*feature) {
                    learn(path, meaning, *threshold, goes_left);
                }
                walk(tree, child, meanings, classes, path, rules);
                *path = saved;
            }
        }
    }
}

/// Add what going left (`x < threshold`) or right tells about the feature's column.
fn learn(path: &mut Vec<(String, Known)>, meaning: &FeatureMeaning, threshold: f64, left: bool) {
    let (column, fresh) = match meaning {
        FeatureMeaning::Number {
            column,
            center,
            scale,
        } => {
            let value = threshold * scale + center;
            let at = |known: &mut Known| {
                if let Known::Range { low, high } = known {
                    if left {
                        *high = Some(high.map_or(value, |h| h.min(value)));
                    } else {
                        *low = Some(low.map_or(value, |l| l.max(value)));
                    }
                }
            };
            if let Some((_, known)) = path.iter_mut().find(|(c, _)| c == column) {
                at(known);
                return;
            }
            let mut known = Known::Range {
                low: None,
                high: None,
            };
            at(&mut known);
            (column, known)
        }
        FeatureMeaning::Level { column, level } => {
            // The indicator is 0 or 1: left (below the threshold) is "not this level".
            let found = path.iter_mut().find(|(c, _)| c == column);
            match (found, left) {
                (Some((_, known)), false) => {
                    *known = Known::Is(level.clone());
                    return;
                }
                (Some((_, Known::IsNot(levels))), true) => {
                    levels.push(level.clone());
                    return;
                }
                (Some(_), true) => return,
                (None, false) => (column, Known::Is(level.clone())),
                (None, true) => (column, Known::IsNot(vec![level.clone()])),
            }
        }
    };
    path.push((column.clone(), fresh));
}

fn condition(column: &str, known: &Known) -> String {
    match known {
        Known::Range {
            low: Some(low),
            high: Some(high),
        } => format!("{} ≤ {column} < {}", short(*low), short(*high)),
        Known::Range {
            low: Some(low),
            high: None,
        } => format!("{column} ≥ {}", short(*low)),
        Known::Range {
            low: None,
            high: Some(high),
        } => format!("{column} < {}", short(*high)),
        Known::Range {
            low: None,
            high: None,
        } => column.to_string(),
        Known::Is(level) => format!("{column} = {level}"),
        Known::IsNot(levels) => format!("{column} ≠ {}", levels.join(", ")),
    }
}

/// A threshold with four significant digits and no trailing zeros: 123.5, 0.0312, 29.9.
fn short(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let digits = (3 - value.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::algorithms::decision_tree::Criterion;
    use crate::ml::prep::{FittedColumn, FittedStep};
    use crate::ml::tree_stats::NodeStats;

    fn recipe() -> FittedRecipe {
        FittedRecipe {
            columns: vec![
                FittedColumn {
                    column: "glu".into(),
                    step: FittedStep::Numeric {
                        fill: 120.0,
                        center: 120.0,
                        scale: 30.0,
                    },
                },
                FittedColumn {
                    column: "island".into(),
                    step: FittedStep::OneHot {
                        levels: vec!["Biscoe".into(), "Dream".into()],
                        missing: FittedMissing::Unseen,
                        infrequent: vec![],
                    },
                },
            ],
        }
    }

    #[test]
    fn rules_read_in_the_datas_units_one_condition_per_column() {
        let split = |feature, threshold, left, right| Node::Split {
            feature,
            threshold,
            left,
            right,
        };
        let leaf = |p: f64| Node::Leaf {
            proba: vec![1.0 - p, p],
        };
        // glu < 123 (0.1 standardised) → No; else island=Dream → Yes, else glu < 150 → No,
        // else Yes.
        let nodes = vec![
            split(0, 0.1, 1, 2),
            leaf(0.1),
            split(2, 0.5, 3, 4),
            split(0, 1.0, 5, 6),
            leaf(0.78),
            leaf(0.3),
            leaf(0.9),
        ];
        let counts = [[10, 10], [9, 1], [1, 9], [1, 4], [0, 5], [1, 1], [0, 3]];
        let stats = counts
            .iter()
            .map(|c| NodeStats::of(c, &[1.0, 1.0], Criterion::Gini))
            .collect();
        let tree = FlatTree { nodes, stats };
        let classes = ["No".to_string(), "Yes".to_string()];
        let rules: Vec<String> = tree_rules(&tree, &recipe(), &classes)
            .iter()
            .map(|r| r.to_string())
            .collect();
        assert_eq!(
            rules,
            vec![
                "if glu < 123 then No (0.90, 10 rows)",
                "if 123 ≤ glu < 150 and island ≠ Dream then No (0.70, 2 rows)",
                "if glu ≥ 150 and island ≠ Dream then Yes (0.90, 3 rows)",
                "if glu ≥ 123 and island = Dream then Yes (0.78, 5 rows)",
            ]
        );
    }

    #[test]
    fn a_single_split_reads_in_the_datas_units() {
        let reader = SplitReader::new(&recipe());
        assert_eq!(
            reader.branches(0, 0.1),
            ("glu < 123".to_string(), "glu ≥ 123".to_string())
        );
        assert_eq!(
            reader.branches(2, 0.5),
            ("island ≠ Dream".to_string(), "island = Dream".to_string())
        );
    }

    #[test]
    fn thresholds_keep_four_significant_digits() {
        assert_eq!(short(123.456), "123.5");
        assert_eq!(short(29.9000001), "29.9");
        assert_eq!(short(0.031249), "0.03125");
        assert_eq!(short(-2.5), "-2.5");
        assert_eq!(short(15000.2), "15000");
    }
}
