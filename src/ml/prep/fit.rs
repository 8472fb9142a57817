//! Fitting a recipe: learning imputation values, scales and levels from the training rows only.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::recipe::{
    CategoricalImpute, ColumnStep, NumericImpute, RareLevels, Recipe, Scaling, INFREQUENT_LEVEL,
    MISSING_LEVEL,
};
use super::{find_column, wrong_kind, PrepError};
use crate::data::{ColumnData, Table, MISSING_CODE};

/// A recipe with everything it learned from the training rows; serialised with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedRecipe {
    /// The columns that produce features, in output order (ignored columns are left out).
    pub columns: Vec<FittedColumn>,
}

/// What was learned for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedColumn {
    pub column: String,
    pub step: FittedStep,
}

/// The learned form of a [`ColumnStep`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FittedStep {
    /// One feature: `(value, or fill when missing, − center) / scale`. Standardize stores the
    /// mean and population std, MinMax the min and range, no scaling 0 and 1.
    Numeric { fill: f64, center: f64, scale: f64 },
    /// One indicator feature per level, in order of first appearance in the training rows.
    /// When rare levels were grouped, the last level is [`INFREQUENT_LEVEL`] and `infrequent`
    /// lists the training levels that set its indicator.
    OneHot {
        levels: Vec<String>,
        missing: FittedMissing,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        infrequent: Vec<String>,
    },
}

/// Where a missing category goes.
///
/// With [`CategoricalImpute::MissingLevel`] the [`MISSING_LEVEL`] indicator exists only when a
/// training row was missing: a feature that is zero in every training row teaches a model
/// nothing, so a cell missing only at prediction time is treated like any other level the model
/// never saw — all zeros, and counted in [`Transformed::unseen`](super::Transformed::unseen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FittedMissing {
    /// Sets the indicator of this level (an index into `levels`): most-frequent imputation.
    AsLevel(usize),
    /// Sets an indicator of its own, placed after the levels.
    OwnColumn,
    /// Sets nothing and is counted as unseen.
    Unseen,
}

impl FittedStep {
    /// Number of features this step produces.
    pub fn width(&self) -> usize {
        match self {
            FittedStep::Numeric { .. } => 1,
            FittedStep::OneHot {
                levels, missing, ..
            } => levels.len() + usize::from(*missing == FittedMissing::OwnColumn),
        }
    }

    /// For a one-hot step: each level string that sets an indicator, with that indicator's
    /// index among the step's features (a grouped level gives the group's). Missing cells are
    /// not in it; see [`FittedMissing`].
    pub fn level_slots(&self) -> std::collections::HashMap<&str, u32> {
        let FittedStep::OneHot {
            levels, infrequent, ..
        } = self
        else {
            return Default::default();
        };
        let mut slots: std::collections::HashMap<&str, u32> = levels
            .iter()
            .enumerate()
            .map(|(slot, level)| (level.as_str(), slot as u32))
            .collect();
        if !infrequent.is_empty() {
            let group = levels.len() as u32 - 1;
            for level in infrequent {
                slots.insert(level.as_str(), group);
            }
        }
        slots
    }
}

impl FittedRecipe {
    /// Number of features (columns of the transformed matrix).
    pub fn n_features(&self) -> usize {
        self.columns.iter().map(|c| c.step.width()).sum()
    }

    /// One name per feature: `bill_length_mm`, `island=Dream`, `sex=(missing)`.
    pub fn feature_names(&self) -> Vec<String> {
        self.features().iter().map(Feature::name).collect()
    }

    /// Each feature's column, and its level for a one-hot indicator.
    pub fn features(&self) -> Vec<Feature> {
        let mut features = Vec::with_capacity(self.n_features());
        for FittedColumn { column, step } in &self.columns {
            let level = |level: &str| Feature {
                column: column.clone(),
                level: Some(level.to_string()),
            };
            match step {
                FittedStep::Numeric { .. } => features.push(Feature {
                    column: column.clone(),
                    level: None,
                }),
                FittedStep::OneHot {
                    levels, missing, ..
                } => {
                    features.extend(levels.iter().map(|l| level(l)));
                    if *missing == FittedMissing::OwnColumn {
                        features.push(level(MISSING_LEVEL));
                    }
                }
            }
        }
        features
    }
}

/// One feature of the transformed matrix: a numeric column, or one level of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feature {
    pub column: String,
    pub level: Option<String>,
}

impl Feature {
    /// `bill_length_mm`, or `island=Dream` for a level.
    pub fn name(&self) -> String {
        match &self.level {
            Some(level) => format!("{}={level}", self.column),
            None => self.column.clone(),
        }
    }
}

/// Learn every step of `recipe` from the given training `rows` of `table` and nothing else.
pub fn fit_recipe(
    recipe: &Recipe,
    table: &Table,
    rows: &[usize],
) -> Result<FittedRecipe, PrepError> {
    let max_row = rows.iter().copied().max();
    // Columns are learned in parallel; the first failing column in recipe order is reported.
    let learned: Vec<Result<Option<FittedColumn>, PrepError>> = recipe
        .columns
        .par_iter()
        .map(|column_recipe| {
            let name = column_recipe.column.as_str();
            let step = match column_recipe.step {
                ColumnStep::Ignore => return Ok(None),
                ColumnStep::Numeric { impute, scale } => {
                    let column = find_column(table, name, max_row)?;
                    match &column.data {
                        ColumnData::Numeric(values) => {
                            fit_numeric(name, values, rows, impute, scale)?
                        }
                        ColumnData::Strings { .. } => return Err(wrong_kind(column)),
                    }
                }
                ColumnStep::OneHot { impute, rare } => {
                    if let Some(problem) = rare.problem() {
                        return Err(PrepError::BadRareLevels {
                            column: name.to_string(),
                            problem,
                        });
                    }
                    let column = find_column(table, name, max_row)?;
                    match &column.data {
                        ColumnData::Strings { codes, levels } => {
                            fit_one_hot(name, codes, levels, rows, impute, rare)?
                        }
                        ColumnData::Numeric(_) => return Err(wrong_kind(column)),
                    }
                }
            };
            Ok(Some(FittedColumn {
                column: name.to_string(),
                step,
            }))
        })
        .collect();
    let mut columns = Vec::with_capacity(learned.len());
    for column in learned {
        columns.extend(column?);
    }
    let fitted = FittedRecipe { columns };
    if fitted.n_features() == 0 {
        return Err(PrepError::NoFeatures);
    }
    Ok(fitted)
}

fn fit_numeric(
    name: &str,
    values: &[f64],
    rows: &[usize],
    impute: NumericImpute,
    scaling: Scaling,
) -> Result<FittedStep, PrepError> {
    let no_values = || PrepError::NoTrainingValues {
        column: name.to_string(),
    };
    let observed = || rows.iter().map(|&r| values[r]).filter(|v| !v.is_nan());
    let fill = match impute {
        NumericImpute::Mean => mean(observed()).ok_or_else(no_values)?,
        NumericImpute::Median => median(observed().collect()).ok_or_else(no_values)?,
        NumericImpute::Constant(value) => value,
    };
    // The scaler sees the imputed column, as in sklearn's `SimpleImputer → StandardScaler`
    // pipeline, so the training features come out with mean 0 and std 1 exactly.
    let filled = || {
        rows.iter()
            .map(|&r| values[r])
            .map(|v| if v.is_nan() { fill } else { v })
    };
    let (center, scale) = match scaling {
        Scaling::None => (0.0, 1.0),
        Scaling::Standardize => {
            let (min, max) = min_max(filled()).ok_or_else(no_values)?;
            let mean = mean(filled()).ok_or_else(no_values)?;
            let variance =
                filled().map(|v| (v - mean) * (v - mean)).sum::<f64>() / rows.len() as f64;
            (mean, unit_if_constant(variance.sqrt(), min == max))
        }
        Scaling::MinMax => {
            let (min, max) = min_max(filled()).ok_or_else(no_values)?;
            (min, unit_if_constant(max - min, min == max))
        }
    };
    if !(fill.is_finite() && center.is_finite() && scale.is_finite()) {
        return Err(PrepError::NonFinite {
            column: name.to_string(),
        });
    }
    Ok(FittedStep::Numeric {
        fill,
        center,
        scale,
    })
}

/// `scale`, or 1 for a constant column (as sklearn). Constant is judged by the values, since
/// the variance of equal values can come out as a tiny non-zero number after rounding.
fn unit_if_constant(scale: f64, constant: bool) -> f64 {
    if constant || scale == 0.0 {
        1.0
    } else {
        scale
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Median as numpy: the middle value, or the mean of the two middle values.
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let odd = values.len() % 2 == 1;
    let mid = values.len() / 2;
    let (lower, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    if odd {
        return Some(*upper);
    }
    let below = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((below + *upper) / 2.0)
}

fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

fn fit_one_hot(
    name: &str,
    codes: &[u32],
    levels: &[String],
    rows: &[usize],
    impute: CategoricalImpute,
    rare: RareLevels,
) -> Result<FittedStep, PrepError> {
    let mut counts = vec![0u64; levels.len()];
    let mut first_seen: Vec<u32> = Vec::new();
    let mut missing_count = 0u64;
    for &row in rows {
        let code = codes[row];
        if code == MISSING_CODE {
            missing_count += 1;
            continue;
        }
        let count = &mut counts[code as usize];
        if *count == 0 {
            first_seen.push(code);
        }
        *count += 1;
    }
    let most_frequent = || {
        // Strictly greater, so the level seen first wins a tie.
        let mut best: Option<(usize, u64)> = None;
        for (index, &code) in first_seen.iter().enumerate() {
            let count = counts[code as usize];
            if best.is_none_or(|(_, top)| count > top) {
                best = Some((index, count));
            }
        }
        best.map(|(index, _)| index)
            .ok_or_else(|| PrepError::NoTrainingValues {
                column: name.to_string(),
            })
    };
    let missing = match impute {
        CategoricalImpute::MissingLevel if missing_count > 0 => FittedMissing::OwnColumn,
        CategoricalImpute::MissingLevel => FittedMissing::Unseen,
        CategoricalImpute::MostFrequent => FittedMissing::AsLevel(most_frequent()?),
    };
    if let FittedMissing::AsLevel(index) = missing {
        // The filled-in cells count for their level, as an imputer before the encoder.
        counts[first_seen[index] as usize] += missing_count;
    }
    let seen_levels = |codes: &[u32]| -> Vec<String> {
        codes
            .iter()
            .map(|&code| levels[code as usize].clone())
            .collect()
    };
    // A missing level of its own is grouped like any other, as scikit-learn's encoder does
    // with its missing category; it goes last in the list.
    let own_missing = (missing == FittedMissing::OwnColumn).then_some(missing_count);
    let mut rare_set = rare_levels(&first_seen, &counts, levels, own_missing, rows.len(), rare);
    let missing_rare = own_missing.is_some() && rare_set.pop() == Some(true);
    if !missing_rare && rare_set.iter().all(|&r| !r) {
        return Ok(FittedStep::OneHot {
            levels: seen_levels(&first_seen),
            missing,
            infrequent: Vec::new(),
        });
    }
    // Kept levels (by their index among those seen) and the rare ones, both in order of first
    // appearance.
    let (rare_indices, kept): (Vec<usize>, Vec<usize>) =
        (0..first_seen.len()).partition(|&index| rare_set[index]);
    let codes_of =
        |indices: &[usize]| -> Vec<u32> { indices.iter().map(|&i| first_seen[i]).collect() };
    let mut fitted_levels = seen_levels(&codes_of(&kept));
    fitted_levels.push(INFREQUENT_LEVEL.to_string());
    let group = fitted_levels.len() - 1;
    let missing = match missing {
        FittedMissing::AsLevel(index) => {
            FittedMissing::AsLevel(kept.iter().position(|&i| i == index).unwrap_or(group))
        }
        FittedMissing::OwnColumn if missing_rare => FittedMissing::AsLevel(group),
        other => other,
    };
    Ok(FittedStep::OneHot {
        levels: fitted_levels,
        missing,
        infrequent: seen_levels(&codes_of(&rare_indices)),
    })
}

/// Which of the levels seen (`first_seen`, codes in order of first appearance, then the
/// missing level when it has `own_missing` rows) are rare, as scikit-learn's
/// `OneHotEncoder._identify_infrequent`: fewer rows than `min_frequency`, then, while more
/// columns than `max_categories` (the group's counted) remain, the least frequent, ties going
/// to the level that sorts first by name (scikit-learn's categories are sorted with the
/// missing one last, and its argsort is stable).
fn rare_levels(
    first_seen: &[u32],
    counts: &[u64],
    levels: &[String],
    own_missing: Option<u64>,
    rows: usize,
    rare: RareLevels,
) -> Vec<bool> {
    let entries = first_seen.len() + usize::from(own_missing.is_some());
    let count = |index: usize| match first_seen.get(index) {
        Some(&code) => counts[code as usize],
        None => own_missing.unwrap_or(0),
    };
    let mut is_rare: Vec<bool> = match rare.min_frequency {
        Some(min) => {
            let threshold = min.threshold(rows);
            (0..entries)
                .map(|i| (count(i) as f64) < threshold)
                .collect()
        }
        None => vec![false; entries],
    };
    let Some(max) = rare.max_categories else {
        return is_rare;
    };
    let columns = entries - is_rare.iter().filter(|&&r| r).count() + 1;
    if (max as usize) >= columns {
        return is_rare;
    }
    let keep = max as usize - 1;
    let name = |index: usize| {
        first_seen
            .get(index)
            .map(|&code| levels[code as usize].as_str())
    };
    let mut order: Vec<usize> = (0..entries).collect();
    // By name, the missing level (no name) last; then stably by count.
    order.sort_by(|&a, &b| match (name(a), name(b)) {
        (Some(x), Some(y)) => x.cmp(y),
        (x, y) => x.is_none().cmp(&y.is_none()),
    });
    order.sort_by_key(|&i| count(i));
    let smallest = order.len().saturating_sub(keep);
    for &i in &order[..smallest] {
        is_rare[i] = true;
    }
    is_rare
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnKind;
    use crate::ml::prep::fixtures::{categorical, numeric, table, with_kind};
    use crate::ml::prep::{ColumnRecipe, MinFrequency};

    const NAN: f64 = f64::NAN;

    fn recipe(steps: &[(&str, ColumnStep)]) -> Recipe {
        Recipe {
            columns: steps
                .iter()
                .map(|(column, step)| ColumnRecipe {
                    column: column.to_string(),
                    step: *step,
                })
                .collect(),
        }
    }

    fn num(impute: NumericImpute, scale: Scaling) -> ColumnStep {
        ColumnStep::Numeric { impute, scale }
    }

    fn one_hot(impute: CategoricalImpute) -> ColumnStep {
        ColumnStep::OneHot {
            impute,
            rare: RareLevels::default(),
        }
    }

    /// The learned step of the single column `x` fitted on every row.
    fn fit_x(values: &[f64], step: ColumnStep) -> Result<FittedStep, PrepError> {
        let rows: Vec<usize> = (0..values.len()).collect();
        let fitted = fit_recipe(
            &recipe(&[("x", step)]),
            &table(vec![numeric("x", values)]),
            &rows,
        )?;
        Ok(fitted.columns[0].step.clone())
    }

    fn fit_c(values: &[Option<&str>], rows: &[usize], impute: CategoricalImpute) -> FittedStep {
        let fitted = fit_recipe(
            &recipe(&[("c", one_hot(impute))]),
            &table(vec![categorical("c", values)]),
            rows,
        )
        .expect("fit");
        fitted.columns[0].step.clone()
    }

    fn assert_close(got: f64, want: f64) {
        assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
    }

    fn numeric_parts(step: FittedStep) -> (f64, f64, f64) {
        match step {
            FittedStep::Numeric {
                fill,
                center,
                scale,
            } => (fill, center, scale),
            other => panic!("not numeric: {other:?}"),
        }
    }

    #[test]
    fn standardize_uses_the_population_std_like_sklearn() {
        let step = num(NumericImpute::Mean, Scaling::Standardize);
        let (_, center, scale) = numeric_parts(fit_x(&[1.0, 2.0, 3.0, 4.0], step).unwrap());
        assert_close(center, 2.5);
        assert_close(scale, 1.25f64.sqrt());
    }

    #[test]
    fn a_constant_column_is_scaled_by_one() {
        for scaling in [Scaling::Standardize, Scaling::MinMax] {
            let step = num(NumericImpute::Mean, scaling);
            let (_, _, scale) = numeric_parts(fit_x(&[0.1, 0.1, 0.1], step).unwrap());
            assert_eq!(scale, 1.0, "{scaling:?}");
        }
    }

    #[test]
    fn imputation_values_are_learned_from_observed_training_values() {
        let values = [1.0, NAN, 3.0, 8.0];
        let fill = |impute| numeric_parts(fit_x(&values, num(impute, Scaling::None)).unwrap()).0;
        assert_close(fill(NumericImpute::Mean), 4.0);
        assert_close(fill(NumericImpute::Median), 3.0);
        assert_close(fill(NumericImpute::Constant(-1.0)), -1.0);
    }

    #[test]
    fn the_scaler_sees_the_imputed_column() {
        // Filled: [1, 4, 3, 8] → mean 4, population variance (9 + 0 + 1 + 16) / 4.
        let step = num(NumericImpute::Mean, Scaling::Standardize);
        let (fill, center, scale) = numeric_parts(fit_x(&[1.0, NAN, 3.0, 8.0], step).unwrap());
        assert_close(fill, 4.0);
        assert_close(center, 4.0);
        assert_close(scale, 6.5f64.sqrt());
    }

    #[test]
    fn median_matches_numpy_for_odd_and_even_counts() {
        assert_eq!(median(vec![5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(vec![7.0]), Some(7.0));
        assert_eq!(median(vec![-1.0, -1.0, 10.0, 2.0]), Some(0.5));
        assert_eq!(median(vec![]), None);
        let step = num(NumericImpute::Median, Scaling::None);
        let (fill, _, _) = numeric_parts(fit_x(&[10.0, NAN, 1.0, 4.0, 2.0], step).unwrap());
        assert_close(fill, 3.0);
    }

    #[test]
    fn min_max_learns_min_and_range() {
        let step = num(NumericImpute::Mean, Scaling::MinMax);
        let (_, center, scale) = numeric_parts(fit_x(&[4.0, 2.0, 6.0], step).unwrap());
        assert_eq!((center, scale), (2.0, 4.0));
    }

    #[test]
    fn levels_come_from_training_rows_in_order_of_first_appearance() {
        let values = [Some("a"), Some("b"), Some("c"), Some("a"), None];
        let step = fit_c(&values, &[2, 0, 3], CategoricalImpute::MissingLevel);
        assert_eq!(
            step,
            FittedStep::OneHot {
                levels: vec!["c".into(), "a".into()],
                missing: FittedMissing::Unseen,
                infrequent: vec![],
            }
        );
    }

    #[test]
    fn most_frequent_breaks_ties_by_first_appearance() {
        let values = [Some("b"), Some("a"), Some("a"), Some("b"), None, Some("c")];
        let step = fit_c(
            &values,
            &[0, 1, 2, 3, 4, 5],
            CategoricalImpute::MostFrequent,
        );
        let FittedStep::OneHot {
            levels, missing, ..
        } = step
        else {
            panic!("not one-hot")
        };
        assert_eq!(levels, ["b", "a", "c"]);
        assert_eq!(missing, FittedMissing::AsLevel(0));
        let step = fit_c(&values, &[0, 1, 2, 5], CategoricalImpute::MostFrequent);
        let FittedStep::OneHot { missing, .. } = step else {
            panic!("not one-hot")
        };
        assert_eq!(missing, FittedMissing::AsLevel(1), "a is now more frequent");
    }

    fn fit_rare(
        values: &[Option<&str>],
        impute: CategoricalImpute,
        rare: RareLevels,
    ) -> FittedStep {
        let rows: Vec<usize> = (0..values.len()).collect();
        let fitted = fit_recipe(
            &recipe(&[("c", ColumnStep::OneHot { impute, rare })]),
            &table(vec![categorical("c", values)]),
            &rows,
        )
        .expect("fit");
        fitted.columns[0].step.clone()
    }

    fn grouped(step: &FittedStep) -> (Vec<String>, FittedMissing, Vec<String>) {
        let FittedStep::OneHot {
            levels,
            missing,
            infrequent,
        } = step
        else {
            panic!("not one-hot")
        };
        (levels.clone(), *missing, infrequent.clone())
    }

    /// b ×4, a ×3, d ×2, c ×2, e ×1, and one missing cell.
    const SKEWED: [Option<&str>; 13] = [
        Some("b"),
        Some("d"),
        Some("a"),
        Some("b"),
        Some("c"),
        Some("e"),
        Some("a"),
        Some("b"),
        None,
        Some("d"),
        Some("c"),
        Some("a"),
        Some("b"),
    ];

    #[test]
    fn levels_below_min_frequency_share_one_column_after_the_others() {
        let rare = RareLevels {
            min_frequency: Some(MinFrequency::Count(3)),
            max_categories: None,
        };
        let step = fit_rare(&SKEWED, CategoricalImpute::MissingLevel, rare);
        let (levels, missing, infrequent) = grouped(&step);
        assert_eq!(levels, ["b", "a", INFREQUENT_LEVEL]);
        assert_eq!(infrequent, ["d", "c", "e"]);
        assert_eq!(
            missing,
            FittedMissing::AsLevel(2),
            "the missing level has one row: it is rare too, as in scikit-learn"
        );
        assert_eq!(step.width(), 3);
        let slots = step.level_slots();
        assert_eq!(
            (slots["b"], slots["a"], slots["e"], slots["c"]),
            (0, 1, 2, 2)
        );
        // A share of the 13 training rows: 0.2 × 13 = 2.6, so the levels of 2 rows join too.
        let share = RareLevels {
            min_frequency: Some(MinFrequency::Share(0.2)),
            max_categories: None,
        };
        let by_share = fit_rare(&SKEWED, CategoricalImpute::MissingLevel, share);
        assert_eq!(grouped(&by_share).2, ["d", "c", "e"]);
    }

    #[test]
    fn max_categories_groups_the_least_frequent_and_breaks_ties_by_name_as_scikit_learn() {
        // Three columns, the group's included: b and a keep theirs. c and d tie at 2 rows,
        // e and the missing level at 1; scikit-learn's stable argsort over sorted names (the
        // missing one last) takes c before d, and e before the missing level.
        let rare = |max| RareLevels {
            min_frequency: None,
            max_categories: Some(max),
        };
        let (levels, missing, infrequent) =
            grouped(&fit_rare(&SKEWED, CategoricalImpute::MissingLevel, rare(3)));
        assert_eq!(levels, ["b", "a", INFREQUENT_LEVEL]);
        assert_eq!(infrequent, ["d", "c", "e"]);
        assert_eq!(missing, FittedMissing::AsLevel(2));
        let (levels, _, infrequent) =
            grouped(&fit_rare(&SKEWED, CategoricalImpute::MissingLevel, rare(4)));
        assert_eq!(levels, ["b", "d", "a", INFREQUENT_LEVEL]);
        assert_eq!(infrequent, ["c", "e"]);
        let (_, missing, infrequent) =
            grouped(&fit_rare(&SKEWED, CategoricalImpute::MissingLevel, rare(5)));
        assert_eq!(infrequent, ["e"]);
        assert_eq!(missing, FittedMissing::AsLevel(4));
        // Six columns for five levels and the missing one: the group's does not fit, so the
        // least frequent joins it alone.
        let (levels, missing, infrequent) =
            grouped(&fit_rare(&SKEWED, CategoricalImpute::MissingLevel, rare(6)));
        assert_eq!(infrequent, ["e"]);
        assert_eq!(levels.len(), 5);
        assert_eq!(missing, FittedMissing::OwnColumn);
        let untouched = fit_rare(&SKEWED, CategoricalImpute::MissingLevel, rare(7));
        assert_eq!(grouped(&untouched).2, Vec::<String>::new());
        assert_eq!(untouched.width(), 6);
        let (levels, _, infrequent) =
            grouped(&fit_rare(&SKEWED, CategoricalImpute::MissingLevel, rare(1)));
        assert_eq!(levels, [INFREQUENT_LEVEL]);
        assert_eq!(infrequent.len(), 5);
    }

    #[test]
    fn a_missing_cell_imputed_as_most_frequent_counts_for_that_level_and_follows_it() {
        // With the missing row b has 5 rows: at min_frequency 5 it keeps its column.
        let rare = RareLevels {
            min_frequency: Some(MinFrequency::Count(5)),
            max_categories: None,
        };
        let (levels, missing, _) =
            grouped(&fit_rare(&SKEWED, CategoricalImpute::MostFrequent, rare));
        assert_eq!(levels, ["b", INFREQUENT_LEVEL]);
        assert_eq!(missing, FittedMissing::AsLevel(0));
        let everything = RareLevels {
            min_frequency: None,
            max_categories: Some(1),
        };
        let (_, missing, _) = grouped(&fit_rare(
            &SKEWED,
            CategoricalImpute::MostFrequent,
            everything,
        ));
        assert_eq!(missing, FittedMissing::AsLevel(0), "b is in the group");
    }

    #[test]
    fn unusable_rare_level_settings_name_the_column() {
        let rare = RareLevels {
            min_frequency: Some(MinFrequency::Share(1.5)),
            max_categories: None,
        };
        let rows = [0usize];
        let err = fit_recipe(
            &recipe(&[(
                "c",
                ColumnStep::OneHot {
                    impute: CategoricalImpute::MissingLevel,
                    rare,
                },
            )]),
            &table(vec![categorical("c", &[Some("a")])]),
            &rows,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'c': min_frequency 1.5 is not a share between 0 and 1"
        );
    }

    #[test]
    fn missing_level_gets_a_column_only_when_training_rows_had_a_missing_cell() {
        let values = [Some("a"), None];
        let with = fit_c(&values, &[0, 1], CategoricalImpute::MissingLevel);
        let without = fit_c(&values, &[0], CategoricalImpute::MissingLevel);
        assert!(matches!(
            with,
            FittedStep::OneHot {
                missing: FittedMissing::OwnColumn,
                ..
            }
        ));
        assert!(matches!(
            without,
            FittedStep::OneHot {
                missing: FittedMissing::Unseen,
                ..
            }
        ));
        assert_eq!((with.width(), without.width()), (2, 1));
    }

    #[test]
    fn feature_names_name_the_column_and_level() {
        let table = table(vec![
            numeric("bill_length_mm", &[39.1, 40.0]),
            categorical("island", &[Some("Torgersen"), Some("Dream")]),
            categorical("sex", &[Some("male"), None]),
            with_kind(
                categorical("note", &[Some("x"), Some("y")]),
                ColumnKind::Text,
            ),
        ]);
        let fitted = fit_recipe(&Recipe::default_for(&table), &table, &[0, 1]).unwrap();
        assert_eq!(
            fitted.feature_names(),
            [
                "bill_length_mm",
                "island=Torgersen",
                "island=Dream",
                "sex=male",
                "sex=(missing)"
            ]
        );
        assert_eq!(fitted.n_features(), 5);
    }

    #[test]
    fn an_all_missing_column_asks_for_a_constant() {
        let err = fit_x(&[NAN, NAN], num(NumericImpute::Mean, Scaling::None)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'x' has no values in the training rows; ignore it or impute a constant"
        );
        let step = num(NumericImpute::Constant(0.0), Scaling::Standardize);
        assert_eq!(
            numeric_parts(fit_x(&[NAN, NAN], step).unwrap()),
            (0.0, 0.0, 1.0)
        );
    }

    #[test]
    fn an_infinite_impute_constant_is_refused_naming_the_column() {
        let step = num(NumericImpute::Constant(f64::INFINITY), Scaling::Standardize);
        let err = fit_x(&[1.0, NAN], step).unwrap_err();
        assert_eq!(err, PrepError::NonFinite { column: "x".into() });
        assert!(err.to_string().contains("'x'"));
    }

    #[test]
    fn a_recipe_with_nothing_to_learn_is_a_user_facing_error() {
        let table = table(vec![numeric("x", &[1.0])]);
        let err = fit_recipe(&recipe(&[("x", ColumnStep::Ignore)]), &table, &[0]).unwrap_err();
        assert_eq!(err, PrepError::NoFeatures);
        assert!(err.to_string().starts_with("no usable feature"));
    }

    #[test]
    fn a_step_on_the_wrong_kind_of_column_names_it() {
        let table = table(vec![categorical("island", &[Some("Dream")])]);
        let step = num(NumericImpute::Mean, Scaling::None);
        let err = fit_recipe(&recipe(&[("island", step)]), &table, &[0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'island' is categorical, but its preprocessing step needs numbers"
        );
    }

    #[test]
    fn a_row_beyond_the_table_is_an_error_not_a_panic() {
        let table = table(vec![numeric("x", &[1.0, 2.0])]);
        let step = num(NumericImpute::Mean, Scaling::None);
        let err = fit_recipe(&recipe(&[("x", step)]), &table, &[0, 2]).unwrap_err();
        assert_eq!(err, PrepError::RowOutOfRange { row: 2, rows: 2 });
    }

    #[test]
    fn a_fitted_recipe_reads_back_from_json() {
        let table = table(vec![
            numeric("x", &[1.0, NAN, 3.0]),
            categorical("c", &[Some("a"), None, Some("b")]),
        ]);
        let fitted = fit_recipe(&Recipe::default_for(&table), &table, &[0, 1, 2]).unwrap();
        let json = serde_json::to_string(&fitted).unwrap();
        assert_eq!(serde_json::from_str::<FittedRecipe>(&json).unwrap(), fitted);
    }
}
