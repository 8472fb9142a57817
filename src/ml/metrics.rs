//! How good a model's predictions are, with scikit-learn's definitions: classification
//! scores, the ROC, precision-recall and calibration curves, and regression errors.
//! Pure functions; `tests/metrics_parity.rs` checks them against scikit-learn to 1e-9.
//!
//! Degenerate input never panics. Inputs of different lengths are truncated to the
//! shortest. A metric the input leaves undefined is `None` where its type is an `Option`
//! and NaN otherwise (where scikit-learn also returns NaN); a curve with nothing to draw
//! is empty.

use ndarray::Array2;
use serde::{Deserialize, Deserializer, Serialize};

/// Precision, recall and F1 of one class against the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub label: String,
    /// 0 when the class is never predicted (scikit-learn's `zero_division=0`).
    #[serde(deserialize_with = "nan_from_null")]
    pub precision: f64,
    /// 0 when the class never occurs.
    #[serde(deserialize_with = "nan_from_null")]
    pub recall: f64,
    /// 0 when the class is neither predicted nor occurs.
    #[serde(deserialize_with = "nan_from_null")]
    pub f1: f64,
    /// Rows whose true class is this one.
    pub support: u64,
}

/// Every classification score of one set of predictions, as shown and stored with a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationMetrics {
    #[serde(deserialize_with = "nan_from_null")]
    pub accuracy: f64,
    /// Mean recall over the classes that occur in `y_true`.
    #[serde(deserialize_with = "nan_from_null")]
    pub balanced_accuracy: f64,
    /// Macro averages run over the classes that occur in `y_true` or `y_pred`, as
    /// scikit-learn's default `labels=None` does.
    #[serde(deserialize_with = "nan_from_null")]
    pub precision_macro: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub recall_macro: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub f1_macro: f64,
    /// Weighted averages weight each class by its support.
    #[serde(deserialize_with = "nan_from_null")]
    pub precision_weighted: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub recall_weighted: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub f1_weighted: f64,
    /// Probabilities clipped to `[eps, 1 - eps]` first, as scikit-learn >= 1.5 does.
    #[serde(deserialize_with = "nan_from_null")]
    pub log_loss: f64,
    /// Binary: class 1's probability scores class 1; multiclass: one-vs-rest macro.
    pub roc_auc: Option<f64>,
    /// Binary: positive class 1; multiclass: one-vs-rest macro.
    pub average_precision: Option<f64>,
    /// Binary problems only (positive class 1).
    pub brier: Option<f64>,
    #[serde(deserialize_with = "nan_from_null")]
    pub mcc: f64,
    /// NaN when `y_true` and `y_pred` hold one and the same single class.
    #[serde(deserialize_with = "nan_from_null")]
    pub cohen_kappa: f64,
    /// One entry per label, in label order, including classes absent from the data.
    pub per_class: Vec<ClassMetrics>,
    /// Counts with rows = true class, columns = predicted class.
    pub confusion: Vec<Vec<u64>>,
}

/// Points of a curve to plot, each with the threshold (or bin count) that produced it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub thresholds: Vec<f64>,
}

/// Errors of a regression model's predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    #[serde(deserialize_with = "nan_from_null")]
    pub rmse: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub mae: f64,
    /// scikit-learn's `r2_score`: NaN below two rows, 0 or 1 when `y_true` is constant.
    #[serde(deserialize_with = "nan_from_null")]
    pub r2: f64,
    /// A fraction, not percent; `None` when any `y_true` is 0 or there are no rows.
    pub mape: Option<f64>,
}

/// serde_json writes NaN as `null`; read it back as NaN so stored metrics always load.
fn nan_from_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

impl ClassificationMetrics {
    /// The scalar metrics by their snake_case names (the optional ones when defined).
    pub fn scalars(&self) -> Vec<(&'static str, f64)> {
        let m = self;
        let mut out = vec![
            ("accuracy", m.accuracy),
            ("balanced_accuracy", m.balanced_accuracy),
            ("precision_macro", m.precision_macro),
            ("recall_macro", m.recall_macro),
            ("f1_macro", m.f1_macro),
            ("precision_weighted", m.precision_weighted),
            ("recall_weighted", m.recall_weighted),
            ("f1_weighted", m.f1_weighted),
            ("log_loss", m.log_loss),
            ("mcc", m.mcc),
            ("cohen_kappa", m.cohen_kappa),
        ];
        for (name, value) in [
            ("roc_auc", m.roc_auc),
            ("average_precision", m.average_precision),
            ("brier", m.brier),
        ] {
            if let Some(v) = value {
                out.push((name, v));
            }
        }
        out
    }
}

impl RegressionMetrics {
    /// The scalar metrics by their snake_case names (MAPE when defined).
    pub fn scalars(&self) -> Vec<(&'static str, f64)> {
        let mut out = vec![("rmse", self.rmse), ("mae", self.mae), ("r2", self.r2)];
        if let Some(mape) = self.mape {
            out.push(("mape", mape));
        }
        out
    }
}

/// Scores predicted classes and class probabilities (rows × `labels.len()`) against truth.
///
/// Classes are `0..labels.len()`. Rows beyond the shorter of `y_true` and `y_pred` are
/// ignored, and so are rows whose true or predicted class is out of range. `proba` is used
/// only when it has one column per label and at least as many rows; otherwise `log_loss`
/// is NaN and `roc_auc`, `average_precision` and `brier` are `None`.
pub fn classification_metrics(
    y_true: &[usize],
    y_pred: &[usize],
    proba: &Array2<f64>,
    labels: &[String],
) -> ClassificationMetrics {
    let k = labels.len();
    let len = y_true.len().min(y_pred.len());
    let rows: Vec<usize> = (0..len)
        .filter(|&i| y_true[i] < k && y_pred[i] < k)
        .collect();
    let confusion = confusion_matrix(y_true, y_pred, &rows, k);
    let tally = ClassTally::from_confusion(&confusion);
    let precision: Vec<f64> = (0..k)
        .map(|c| ratio_or_zero(tally.hits[c], tally.predicted[c]))
        .collect();
    let recall: Vec<f64> = (0..k)
        .map(|c| ratio_or_zero(tally.hits[c], tally.support[c]))
        .collect();
    let f1: Vec<f64> = (0..k)
        .map(|c| ratio_or_zero(2.0 * tally.hits[c], tally.support[c] + tally.predicted[c]))
        .collect();
    let present: Vec<bool> = (0..k)
        .map(|c| tally.support[c] > 0.0 || tally.predicted[c] > 0.0)
        .collect();
    let occurs: Vec<bool> = tally.support.iter().map(|&s| s > 0.0).collect();
    let weighted = |values: &[f64]| weighted_average(values, &tally.support, &present);

    let proba = (proba.ncols() == k && proba.nrows() >= len).then_some(proba);
    let scored = |score: fn(&[bool], &[f64]) -> Option<f64>| {
        proba.and_then(|p| one_vs_rest(score, &rows, y_true, p, k))
    };
    let per_class = (0..k)
        .map(|c| ClassMetrics {
            label: labels[c].clone(),
            precision: precision[c],
            recall: recall[c],
            f1: f1[c],
            support: confusion[c].iter().sum(),
        })
        .collect();

    ClassificationMetrics {
        accuracy: mean(tally.hits.iter().sum(), rows.len()),
        balanced_accuracy: masked_mean(&recall, &occurs),
        precision_macro: masked_mean(&precision, &present),
        recall_macro: masked_mean(&recall, &present),
        f1_macro: masked_mean(&f1, &present),
        precision_weighted: weighted(&precision),
        recall_weighted: weighted(&recall),
        f1_weighted: weighted(&f1),
        log_loss: proba.map_or(f64::NAN, |p| log_loss(&rows, y_true, p)),
        roc_auc: scored(roc_auc),
        average_precision: scored(average_precision),
        brier: proba.and_then(|p| brier(&rows, y_true, p, k)),
        mcc: matthews_corrcoef(&tally),
        cohen_kappa: cohen_kappa(&confusion, &tally),
        per_class,
        confusion,
    }
}

/// Counts of true (rows) against predicted (columns) classes over the kept rows.
fn confusion_matrix(y_true: &[usize], y_pred: &[usize], rows: &[usize], k: usize) -> Vec<Vec<u64>> {
    let mut confusion = vec![vec![0u64; k]; k];
    for &i in rows {
        confusion[y_true[i]][y_pred[i]] += 1;
    }
    confusion
}

/// Per-class counts read off the confusion matrix, as floats for the formulas.
struct ClassTally {
    hits: Vec<f64>,
    support: Vec<f64>,
    predicted: Vec<f64>,
}

impl ClassTally {
    fn from_confusion(confusion: &[Vec<u64>]) -> Self {
        let k = confusion.len();
        Self {
            hits: (0..k).map(|c| confusion[c][c] as f64).collect(),
            support: confusion
                .iter()
                .map(|row| row.iter().sum::<u64>() as f64)
                .collect(),
            predicted: (0..k)
                .map(|c| confusion.iter().map(|row| row[c]).sum::<u64>() as f64)
                .collect(),
        }
    }
}

/// `num / den`, or 0 when `den` is 0 (scikit-learn's `zero_division=0`).
fn ratio_or_zero(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// `sum / n`, NaN when there is nothing to average.
fn mean(sum: f64, n: usize) -> f64 {
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// Mean of the values whose mask is set.
fn masked_mean(values: &[f64], mask: &[bool]) -> f64 {
    let kept: Vec<f64> = values
        .iter()
        .zip(mask)
        .filter(|(_, &m)| m)
        .map(|(&v, _)| v)
        .collect();
    mean(kept.iter().sum(), kept.len())
}

/// Support-weighted mean; falls back to the plain mean when no class has support, as
/// scikit-learn does.
fn weighted_average(values: &[f64], support: &[f64], present: &[bool]) -> f64 {
    let total: f64 = support.iter().sum();
    if total == 0.0 {
        return masked_mean(values, present);
    }
    values.iter().zip(support).map(|(v, w)| v * w).sum::<f64>() / total
}

/// Multiclass Matthews correlation; 0 when either marginal is concentrated on one class.
fn matthews_corrcoef(tally: &ClassTally) -> f64 {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let n: f64 = tally.predicted.iter().sum();
    let correct: f64 = tally.hits.iter().sum();
    let cov_true_pred = correct * n - dot(&tally.support, &tally.predicted);
    let cov_pred_pred = n * n - dot(&tally.predicted, &tally.predicted);
    let cov_true_true = n * n - dot(&tally.support, &tally.support);
    let denominator = cov_pred_pred * cov_true_true;
    if denominator == 0.0 {
        0.0
    } else {
        cov_true_pred / denominator.sqrt()
    }
}

/// Unweighted Cohen's kappa; NaN where scikit-learn calls it undefined.
fn cohen_kappa(confusion: &[Vec<u64>], tally: &ClassTally) -> f64 {
    let n: f64 = tally.support.iter().sum();
    if n == 0.0 {
        return f64::NAN;
    }
    let (mut observed, mut expected) = (0.0, 0.0);
    for (i, row) in confusion.iter().enumerate() {
        for (j, &count) in row.iter().enumerate() {
            if i != j {
                observed += count as f64;
                expected += tally.predicted[i] * tally.support[j] / n;
            }
        }
    }
    if expected == 0.0 {
        f64::NAN
    } else {
        1.0 - observed / expected
    }
}

/// Mean negative log-probability of the true class, clipped like scikit-learn >= 1.5.
fn log_loss(rows: &[usize], y_true: &[usize], proba: &Array2<f64>) -> f64 {
    let eps = f64::EPSILON;
    let total: f64 = rows
        .iter()
        .map(|&i| -proba[[i, y_true[i]]].clamp(eps, 1.0 - eps).ln())
        .sum();
    mean(total, rows.len())
}

/// Mean squared error of class 1's probability, for binary problems only.
fn brier(rows: &[usize], y_true: &[usize], proba: &Array2<f64>, k: usize) -> Option<f64> {
    if k != 2 || rows.is_empty() {
        return None;
    }
    let total: f64 = rows
        .iter()
        .map(|&i| {
            let outcome = if y_true[i] == 1 { 1.0 } else { 0.0 };
            (outcome - proba[[i, 1]]).powi(2)
        })
        .sum();
    Some(total / rows.len() as f64)
}

/// A binary score of class 1 (two classes) or its one-vs-rest macro mean (more); `None`
/// when any class it needs is undefined.
fn one_vs_rest(
    score: fn(&[bool], &[f64]) -> Option<f64>,
    rows: &[usize],
    y_true: &[usize],
    proba: &Array2<f64>,
    k: usize,
) -> Option<f64> {
    let classes: Vec<usize> = match k {
        0 | 1 => return None,
        2 => vec![1],
        _ => (0..k).collect(),
    };
    let mut total = 0.0;
    for &c in &classes {
        let truth: Vec<bool> = rows.iter().map(|&i| y_true[i] == c).collect();
        let scores: Vec<f64> = rows.iter().map(|&i| proba[[i, c]]).collect();
        total += score(&truth, &scores)?;
    }
    Some(total / classes.len() as f64)
}

/// Cumulative true- and false-positive counts at each distinct score, highest first.
struct ThresholdCounts {
    tps: Vec<f64>,
    fps: Vec<f64>,
    thresholds: Vec<f64>,
}

impl ThresholdCounts {
    /// Pairs with a NaN score are left out.
    fn new(y_true: &[bool], scores: &[f64]) -> Self {
        let mut pairs: Vec<(f64, bool)> = scores
            .iter()
            .zip(y_true)
            .filter(|(s, _)| !s.is_nan())
            .map(|(&s, &t)| (s, t))
            .collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut counts = Self {
            tps: vec![],
            fps: vec![],
            thresholds: vec![],
        };
        let mut tp = 0.0;
        for (i, &(score, positive)) in pairs.iter().enumerate() {
            if positive {
                tp += 1.0;
            }
            // Tied scores form one threshold: the point after the last of them.
            if pairs.get(i + 1).is_none_or(|next| next.0 != score) {
                counts.tps.push(tp);
                counts.fps.push((i + 1) as f64 - tp);
                counts.thresholds.push(score);
            }
        }
        counts
    }

    fn positives(&self) -> f64 {
        self.tps.last().copied().unwrap_or(0.0)
    }

    fn negatives(&self) -> f64 {
        self.fps.last().copied().unwrap_or(0.0)
    }
}

/// ROC curve (x = false-positive rate, y = true-positive rate) like scikit-learn's
/// `roc_curve` with its default `drop_intermediate=True`; empty without both outcomes.
///
/// The first point is (0, 0) at threshold +inf; collinear intermediate points are dropped.
pub fn roc_curve(y_true: &[bool], scores: &[f64]) -> Curve {
    let counts = ThresholdCounts::new(y_true, scores);
    let (positives, negatives) = (counts.positives(), counts.negatives());
    if positives == 0.0 || negatives == 0.0 {
        return Curve::default();
    }
    let m = counts.tps.len();
    let bends = |v: &[f64], i: usize| (v[i + 1] - v[i]) - (v[i] - v[i - 1]) != 0.0;
    let mut curve = Curve {
        x: vec![0.0],
        y: vec![0.0],
        thresholds: vec![f64::INFINITY],
    };
    for i in 0..m {
        if i == 0 || i + 1 == m || bends(&counts.fps, i) || bends(&counts.tps, i) {
            curve.x.push(counts.fps[i] / negatives);
            curve.y.push(counts.tps[i] / positives);
            curve.thresholds.push(counts.thresholds[i]);
        }
    }
    curve
}

/// Area under the ROC curve by the trapezoid rule; `None` without both outcomes.
pub fn roc_auc(y_true: &[bool], scores: &[f64]) -> Option<f64> {
    let curve = roc_curve(y_true, scores);
    if curve.x.is_empty() {
        return None;
    }
    Some(trapezoid_area(&curve.x, &curve.y))
}

/// Area under the points `(x[i], y[i])` by the trapezoid rule, x ascending: the AUC of a
/// ROC curve's points.
pub fn trapezoid_area(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2)
        .zip(y.windows(2))
        .map(|(x, y)| (x[1] - x[0]) * (y[1] + y[0]) / 2.0)
        .sum()
}

/// Precision-recall curve (x = recall, y = precision) like scikit-learn's
/// `precision_recall_curve`; empty when there are no positives.
///
/// Recall decreases to a final (0, 1) point that has no threshold, so `thresholds` (ascending)
/// is one shorter than `x` and `y`.
pub fn precision_recall_curve(y_true: &[bool], scores: &[f64]) -> Curve {
    let counts = ThresholdCounts::new(y_true, scores);
    let positives = counts.positives();
    if positives == 0.0 {
        return Curve::default();
    }
    let points = counts.tps.iter().zip(&counts.fps).rev();
    let mut curve = Curve {
        x: points.clone().map(|(tp, _)| tp / positives).collect(),
        y: points.map(|(tp, fp)| tp / (tp + fp)).collect(),
        thresholds: counts.thresholds.into_iter().rev().collect(),
    };
    curve.x.push(0.0);
    curve.y.push(1.0);
    curve
}

/// Average precision: the step-wise area under the precision-recall curve, as
/// scikit-learn's `average_precision_score`; `None` without both outcomes.
pub fn average_precision(y_true: &[bool], scores: &[f64]) -> Option<f64> {
    let curve = precision_recall_curve(y_true, scores);
    let has_negative = y_true.iter().zip(scores).any(|(&t, s)| !t && !s.is_nan());
    if curve.x.is_empty() || !has_negative {
        return None;
    }
    Some(step_area(&curve.x, &curve.y))
}

/// The step-wise area under precision-recall points whose recall decreases, as
/// [`precision_recall_curve`] gives them: the average precision of those points.
pub fn step_area(recall: &[f64], precision: &[f64]) -> f64 {
    let sum: f64 = recall
        .windows(2)
        .zip(precision)
        .map(|(recall, precision)| (recall[1] - recall[0]) * precision)
        .sum();
    (-sum).max(0.0)
}

/// Reliability diagram over `bins` equal-width bins of [0, 1], like scikit-learn's
/// `calibration_curve(strategy="uniform")`: one point per non-empty bin with x = mean
/// predicted probability, y = fraction of positives, threshold = rows in the bin.
///
/// A probability on a bin edge belongs to the lower bin; NaN probabilities are left out and
/// values outside [0, 1] count in the end bins.
pub fn calibration_curve(y_true: &[bool], prob: &[f64], bins: usize) -> Curve {
    if bins == 0 {
        return Curve::default();
    }
    // Edges computed as numpy.linspace does (i * step, not i / bins), so a probability
    // lying exactly on an edge lands in the same bin as with scikit-learn.
    let step = 1.0 / bins as f64;
    let inner_edges: Vec<f64> = (1..bins).map(|i| i as f64 * step).collect();
    let mut prob_sum = vec![0.0; bins];
    let mut positives = vec![0.0; bins];
    let mut count = vec![0u64; bins];
    for (&p, &positive) in prob.iter().zip(y_true).filter(|(p, _)| !p.is_nan()) {
        let bin = inner_edges.partition_point(|&edge| edge < p);
        prob_sum[bin] += p;
        positives[bin] += if positive { 1.0 } else { 0.0 };
        count[bin] += 1;
    }
    let mut curve = Curve::default();
    for bin in (0..bins).filter(|&b| count[b] > 0) {
        let n = count[bin] as f64;
        curve.x.push(prob_sum[bin] / n);
        curve.y.push(positives[bin] / n);
        curve.thresholds.push(n);
    }
    curve
}

/// Evenly spread positions of `max` of `n` items (all of them when `n <= max`), first
/// included; deterministic, so curves drawn from a large run look the same every time.
pub fn even_sample(n: usize, max: usize) -> Vec<usize> {
    if n <= max {
        return (0..n).collect();
    }
    (0..max)
        .map(|i| (i as u128 * n as u128 / max as u128) as usize)
        .collect()
}

/// Root mean squared error, mean absolute error, R² and MAPE, as scikit-learn computes them.
///
/// Rows beyond the shorter input are ignored; no rows gives NaN errors and no MAPE.
pub fn regression_metrics(y_true: &[f64], y_pred: &[f64]) -> RegressionMetrics {
    let n = y_true.len().min(y_pred.len());
    let (y_true, y_pred) = (&y_true[..n], &y_pred[..n]);
    let errors = || y_true.iter().zip(y_pred).map(|(t, p)| t - p);
    let squared: f64 = errors().map(|e| e * e).sum();
    let mape = (n > 0 && !y_true.contains(&0.0)).then(|| {
        let total: f64 = y_true
            .iter()
            .zip(y_pred)
            .map(|(t, p)| (p - t).abs() / t.abs().max(f64::EPSILON))
            .sum();
        total / n as f64
    });
    RegressionMetrics {
        rmse: mean(squared, n).sqrt(),
        mae: mean(errors().map(f64::abs).sum(), n),
        r2: r2_score(y_true, squared),
        mape,
    }
}

/// scikit-learn's `r2_score` with `force_finite=True`, given the residual sum of squares.
fn r2_score(y_true: &[f64], residual: f64) -> f64 {
    if y_true.len() < 2 {
        return f64::NAN;
    }
    let centre = y_true.iter().sum::<f64>() / y_true.len() as f64;
    let total: f64 = y_true.iter().map(|t| (t - centre).powi(2)).sum();
    match (residual == 0.0, total == 0.0) {
        (true, _) => 1.0,
        (false, true) => 0.0,
        (false, false) => 1.0 - residual / total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn labels(k: usize) -> Vec<String> {
        (0..k).map(|c| format!("class {c}")).collect()
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-12
    }

    fn assert_all_close(actual: &[f64], expected: &[f64]) {
        assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
        for (a, e) in actual.iter().zip(expected) {
            assert!(a == e || close(*a, *e), "{actual:?} vs {expected:?}");
        }
    }

    #[test]
    fn averages_match_the_scikit_learn_docs_example() {
        // precision_score / f1_score docstring: y_true [0,1,2,0,1,2], y_pred [0,2,1,0,0,1].
        let proba = Array2::from_elem((6, 3), 1.0 / 3.0);
        let m =
            classification_metrics(&[0, 1, 2, 0, 1, 2], &[0, 2, 1, 0, 0, 1], &proba, &labels(3));
        assert!(close(m.precision_macro, 0.2222222222222222));
        assert!(close(m.f1_macro, 0.26666666666666666));
        assert!(close(m.f1_weighted, 0.26666666666666666));
        assert!(close(m.accuracy, 1.0 / 3.0));
        assert_eq!(
            m.confusion,
            vec![vec![2, 0, 0], vec![1, 0, 1], vec![0, 2, 0]]
        );
        assert_eq!(m.per_class[1].label, "class 1");
        assert_eq!(m.per_class[2].support, 2);
        // Uniform probabilities rank nothing: chance-level AUC.
        assert_eq!(m.roc_auc, Some(0.5));
        assert!(close(m.log_loss, 3f64.ln()));
    }

    #[test]
    fn a_class_never_predicted_has_zero_precision_not_nan() {
        let proba = array![[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.3, 0.1]];
        let m = classification_metrics(&[0, 1, 2], &[0, 1, 0], &proba, &labels(3));
        assert_eq!(m.per_class[2].precision, 0.0);
        assert_eq!(m.per_class[2].recall, 0.0);
        assert_eq!(m.per_class[2].f1, 0.0);
        assert!(close(m.precision_macro, (0.5 + 1.0 + 0.0) / 3.0));
    }

    #[test]
    fn a_perfect_binary_classifier_scores_one_everywhere() {
        let proba = array![[1.0, 0.0], [0.0, 1.0], [0.2, 0.8], [0.7, 0.3]];
        let m = classification_metrics(&[0, 1, 1, 0], &[0, 1, 1, 0], &proba, &labels(2));
        for value in [
            m.accuracy,
            m.balanced_accuracy,
            m.f1_macro,
            m.mcc,
            m.cohen_kappa,
        ] {
            assert_eq!(value, 1.0);
        }
        assert_eq!(m.roc_auc, Some(1.0));
        assert_eq!(m.average_precision, Some(1.0));
        assert!(close(m.brier.unwrap(), (0.04 + 0.09) / 4.0));
        assert_eq!(m.confusion, vec![vec![2, 0], vec![0, 2]]);
    }

    #[test]
    fn log_loss_clips_certain_mistakes_instead_of_returning_infinity() {
        let proba = array![[0.0, 1.0]];
        let m = classification_metrics(&[0], &[1], &proba, &labels(2));
        assert!(close(m.log_loss, -f64::EPSILON.ln()));
    }

    #[test]
    fn one_class_in_y_true_leaves_the_aucs_undefined() {
        let proba = array![[0.8, 0.2], [0.4, 0.6], [0.9, 0.1]];
        let m = classification_metrics(&[0, 0, 0], &[0, 1, 0], &proba, &labels(2));
        assert_eq!(m.roc_auc, None);
        assert_eq!(m.average_precision, None);
        assert_eq!(m.mcc, 0.0);
        assert!(close(m.balanced_accuracy, 2.0 / 3.0));
        // Class 1 was predicted, so it counts in the macro average.
        assert!(close(m.precision_macro, 0.5));
        let all_zero = classification_metrics(&[0, 0], &[0, 0], &proba, &labels(2));
        assert!(all_zero.cohen_kappa.is_nan());
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let empty = classification_metrics(&[], &[], &Array2::zeros((0, 2)), &labels(2));
        assert!(empty.accuracy.is_nan() && empty.f1_macro.is_nan() && empty.log_loss.is_nan());
        assert_eq!((empty.roc_auc, empty.brier), (None, None));
        assert_eq!(empty.confusion, vec![vec![0, 0], vec![0, 0]]);

        let no_labels = classification_metrics(&[0, 1], &[1, 0], &Array2::zeros((2, 2)), &[]);
        assert!(no_labels.per_class.is_empty() && no_labels.accuracy.is_nan());

        // Longer y_pred is truncated; the out-of-range class 7 drops its row; a proba with
        // the wrong number of columns is not used.
        let m = classification_metrics(
            &[0, 1, 7],
            &[0, 1, 0, 1],
            &Array2::zeros((3, 3)),
            &labels(2),
        );
        assert_eq!(m.confusion, vec![vec![1, 0], vec![0, 1]]);
        assert!(m.log_loss.is_nan());
        assert_eq!(m.roc_auc, None);

        assert!(roc_curve(&[], &[]).x.is_empty());
        assert!(precision_recall_curve(&[true], &[f64::NAN]).x.is_empty());
        assert!(calibration_curve(&[true], &[0.5], 0).x.is_empty());
        let r = regression_metrics(&[], &[1.0]);
        assert!(r.rmse.is_nan() && r.mae.is_nan() && r.r2.is_nan());
        assert_eq!(r.mape, None);
    }

    #[test]
    fn roc_curve_merges_tied_scores_like_scikit_learn() {
        // roc_curve docstring: y [1,1,2,2] with pos_label=2, scores [0.1,0.4,0.35,0.8].
        let truth = [false, false, true, true];
        let curve = roc_curve(&truth, &[0.1, 0.4, 0.35, 0.8]);
        assert_all_close(&curve.x, &[0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_all_close(&curve.y, &[0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_all_close(&curve.thresholds, &[f64::INFINITY, 0.8, 0.4, 0.35, 0.1]);
        assert_eq!(roc_auc(&truth, &[0.1, 0.4, 0.35, 0.8]), Some(0.75));
        // All scores tied: one step from (0, 0) to (1, 1), AUC one half.
        let tied = roc_curve(&truth, &[0.5; 4]);
        assert_all_close(&tied.x, &[0.0, 1.0]);
        assert_eq!(roc_auc(&truth, &[0.5; 4]), Some(0.5));
    }

    #[test]
    fn precision_recall_curve_and_average_precision_match_the_docs() {
        let truth = [false, false, true, true];
        let scores = [0.1, 0.4, 0.35, 0.8];
        let curve = precision_recall_curve(&truth, &scores);
        assert_all_close(&curve.y, &[0.5, 2.0 / 3.0, 0.5, 1.0, 1.0]);
        assert_all_close(&curve.x, &[1.0, 1.0, 0.5, 0.5, 0.0]);
        assert_all_close(&curve.thresholds, &[0.1, 0.35, 0.4, 0.8]);
        assert!(close(
            average_precision(&truth, &scores).unwrap(),
            0.8333333333333333
        ));
    }

    #[test]
    fn calibration_curve_bins_like_numpy_linspace() {
        // calibration_curve docstring example.
        let truth = [false, false, false, false, true, true, true, true, true];
        let prob = [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0];
        let curve = calibration_curve(&truth, &prob, 3);
        assert_all_close(&curve.y, &[0.0, 0.5, 1.0]);
        assert_all_close(&curve.x, &[0.2, 0.525, 0.85]);
        assert_all_close(&curve.thresholds, &[3.0, 2.0, 4.0]);
        // numpy's 6-bin edge 5 * (1/6) is just below 5/6, so 5/6 lands in the top bin.
        let edge = calibration_curve(&[true, true], &[0.8, 5.0 / 6.0], 6);
        assert_eq!(edge.x.len(), 2);
    }

    #[test]
    fn regression_metrics_follow_scikit_learn() {
        let m = regression_metrics(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0]);
        // mean_squared_error / r2_score / mean_absolute_error docstring values.
        assert!(close(m.rmse, 0.375f64.sqrt()));
        assert!(close(m.mae, 0.5));
        assert!(close(m.r2, 0.9486081370449679));
        assert!(close(
            m.mape.unwrap(),
            (0.5 / 3.0 + 1.0 + 0.0 + 1.0 / 7.0) / 4.0
        ));
        assert_eq!(regression_metrics(&[0.0, 1.0], &[0.0, 1.0]).mape, None);
        assert_eq!(regression_metrics(&[2.0, 2.0], &[1.0, 3.0]).r2, 0.0);
        assert_eq!(regression_metrics(&[2.0, 2.0], &[2.0, 2.0]).r2, 1.0);
        assert!(regression_metrics(&[2.0], &[1.0]).r2.is_nan());
    }

    #[test]
    fn metrics_with_nan_survive_a_json_round_trip() {
        let proba = array![[0.8, 0.2], [0.9, 0.1]];
        let m = classification_metrics(&[0, 0], &[0, 0], &proba, &labels(2));
        assert!(m.cohen_kappa.is_nan());
        let json = serde_json::to_string(&m).unwrap();
        let back: ClassificationMetrics = serde_json::from_str(&json).unwrap();
        assert!(back.cohen_kappa.is_nan());
        assert_eq!(back.per_class, m.per_class);
        assert_eq!(back.accuracy, 1.0);
        let r = regression_metrics(&[1.0], &[2.0]);
        let back: RegressionMetrics =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert!(back.r2.is_nan());
    }
}
