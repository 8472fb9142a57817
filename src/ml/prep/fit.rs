//! Fitting a recipe: learning imputation values, scales and levels from the training rows only.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::recipe::{CategoricalImpute, ColumnStep, NumericImpute, Recipe, Scaling, MISSING_LEVEL};
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
    OneHot {
        levels: Vec<String>,
        missing: FittedMissing,
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
            FittedStep::OneHot { levels, missing } => {
                levels.len() + usize::from(*missing == FittedMissing::OwnColumn)
            }
        }
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
                FittedStep::OneHot { levels, missing } => {
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
                ColumnStep::OneHot { impute } => {
                    let column = find_column(table, name, max_row)?;
                    match &column.data {
                        ColumnData::Strings { codes, levels } => {
                            fit_one_hot(name, codes, levels, rows, impute)?
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
) -> Result<FittedStep, PrepError> {
    let mut counts = vec![0u64; levels.len()];
    let mut first_seen: Vec<u32> = Vec::new();
    let mut missing_seen = false;
    for &row in rows {
        let code = codes[row];
        if code == MISSING_CODE {
            missing_seen = true;
            continue;
        }
        let count = &mut counts[code as usize];
        if *count == 0 {
            first_seen.push(code);
        }
        *count += 1;
    }
    let missing = match impute {
        CategoricalImpute::MissingLevel if missing_seen => FittedMissing::OwnColumn,
        CategoricalImpute::MissingLevel => FittedMissing::Unseen,
        CategoricalImpute::MostFrequent => {
            // Strictly greater, so the level seen first wins a tie.
            let mut best: Option<(usize, u64)> = None;
            for (index, &code) in first_seen.iter().enumerate() {
                let count = counts[code as usize];
                if best.is_none_or(|(_, top)| count > top) {
                    best = Some((index, count));
                }
            }
            let (index, _) = best.ok_or_else(|| PrepError::NoTrainingValues {
                column: name.to_string(),
            })?;
            FittedMissing::AsLevel(index)
        }
    };
    Ok(FittedStep::OneHot {
        levels: first_seen
            .iter()
            .map(|&code| levels[code as usize].clone())
            .collect(),
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnKind;
    use crate::ml::prep::fixtures::{categorical, numeric, table, with_kind};
    use crate::ml::prep::ColumnRecipe;

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
        ColumnStep::OneHot { impute }
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
        let FittedStep::OneHot { levels, missing } = step else {
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
