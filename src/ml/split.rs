//! Validation splits: stratified hold-out and stratified k-fold for classes, shuffled
//! k-fold for regression. Deterministic for a seed.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use thiserror::Error;

/// Why rows cannot be split as asked, in words for the user.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SplitError {
    #[error("cross-validation needs 2 to 20 folds, not {0}")]
    BadFoldCount(usize),
    #[error("the hold-out fraction must be between 0.05 and 0.95, not {0}")]
    BadFraction(f64),
    #[error("class '{class}' has {count} row(s), fewer than the {folds} folds asked for")]
    ClassTooSmall {
        class: String,
        count: usize,
        folds: usize,
    },
    #[error("only {rows} row(s) to split into {folds} folds")]
    TooFewRows { rows: usize, folds: usize },
}

/// Training and validation row positions of one fold.
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    pub train: Vec<usize>,
    pub validate: Vec<usize>,
}

fn rng(seed: u64) -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// Rows of each class, shuffled.
fn shuffled_classes(y: &[usize], classes: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut by_class = vec![Vec::new(); classes];
    for (row, &class) in y.iter().enumerate() {
        by_class[class].push(row);
    }
    let mut rng = rng(seed);
    for rows in &mut by_class {
        rows.shuffle(&mut rng);
    }
    by_class
}

/// Stratified k-fold: every class is dealt round-robin over the folds, so each fold holds
/// its share of every class (±1 row). `labels` name the classes for error messages.
pub fn stratified_k_fold(
    y: &[usize],
    labels: &[String],
    k: usize,
    seed: u64,
) -> Result<Vec<Fold>, SplitError> {
    if !(2..=20).contains(&k) {
        return Err(SplitError::BadFoldCount(k));
    }
    let by_class = shuffled_classes(y, labels.len(), seed);
    for (class, rows) in by_class.iter().enumerate() {
        if !rows.is_empty() && rows.len() < k {
            return Err(SplitError::ClassTooSmall {
                class: labels[class].clone(),
                count: rows.len(),
                folds: k,
            });
        }
    }
    let mut fold_of = vec![0usize; y.len()];
    // Continue the round-robin across classes so fold sizes stay balanced too.
    let mut next = 0;
    for rows in &by_class {
        for &row in rows {
            fold_of[row] = next % k;
            next += 1;
        }
    }
    Ok(folds_from_assignment(&fold_of, k))
}

/// Shuffled (unstratified) k-fold, for regression targets.
pub fn shuffled_k_fold(rows: usize, k: usize, seed: u64) -> Result<Vec<Fold>, SplitError> {
    if !(2..=20).contains(&k) {
        return Err(SplitError::BadFoldCount(k));
    }
    if rows < k {
        return Err(SplitError::TooFewRows { rows, folds: k });
    }
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(&mut rng(seed));
    let mut fold_of = vec![0usize; rows];
    for (i, &row) in order.iter().enumerate() {
        fold_of[row] = i * k / rows;
    }
    Ok(folds_from_assignment(&fold_of, k))
}

fn folds_from_assignment(fold_of: &[usize], k: usize) -> Vec<Fold> {
    (0..k)
        .map(|f| Fold {
            train: (0..fold_of.len()).filter(|&r| fold_of[r] != f).collect(),
            validate: (0..fold_of.len()).filter(|&r| fold_of[r] == f).collect(),
        })
        .collect()
}

/// Stratified hold-out: `fraction` of every class (rounded, at least one row of classes
/// with two or more) goes to validation.
pub fn stratified_holdout(
    y: &[usize],
    classes: usize,
    fraction: f64,
    seed: u64,
) -> Result<Fold, SplitError> {
    if !(0.05..=0.95).contains(&fraction) {
        return Err(SplitError::BadFraction(fraction));
    }
    let mut fold = Fold {
        train: Vec::new(),
        validate: Vec::new(),
    };
    for rows in shuffled_classes(y, classes, seed) {
        let n = rows.len();
        let take = if n >= 2 {
            ((n as f64 * fraction).round() as usize).clamp(1, n - 1)
        } else {
            0
        };
        fold.validate.extend_from_slice(&rows[..take]);
        fold.train.extend_from_slice(&rows[take..]);
    }
    fold.train.sort_unstable();
    fold.validate.sort_unstable();
    Ok(fold)
}

/// Shuffled hold-out, for regression targets.
pub fn shuffled_holdout(rows: usize, fraction: f64, seed: u64) -> Result<Fold, SplitError> {
    if !(0.05..=0.95).contains(&fraction) {
        return Err(SplitError::BadFraction(fraction));
    }
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(&mut rng(seed));
    let take = ((rows as f64 * fraction).round() as usize).clamp(1, rows.saturating_sub(1).max(1));
    let mut validate = order[..take].to_vec();
    let mut train = order[take..].to_vec();
    validate.sort_unstable();
    train.sort_unstable();
    Ok(Fold { train, validate })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn stratified_folds_partition_rows_and_keep_class_shares() {
        let y: Vec<usize> = (0..103)
            .map(|i| {
                if i < 70 {
                    0
                } else if i < 95 {
                    1
                } else {
                    2
                }
            })
            .collect();
        let folds = stratified_k_fold(&y, &labels(3), 5, 7).unwrap();
        let mut seen = vec![0; y.len()];
        for fold in &folds {
            for &r in &fold.validate {
                seen[r] += 1;
            }
            assert_eq!(fold.train.len() + fold.validate.len(), y.len());
            let ones = fold.validate.iter().filter(|&&r| y[r] == 0).count();
            assert!((13..=15).contains(&ones), "class 0 share {ones}");
        }
        assert!(
            seen.iter().all(|&s| s == 1),
            "every row validated exactly once"
        );
        assert_eq!(
            folds,
            stratified_k_fold(&y, &labels(3), 5, 7).unwrap(),
            "deterministic"
        );
        assert_ne!(folds, stratified_k_fold(&y, &labels(3), 5, 8).unwrap());
    }

    #[test]
    fn too_small_classes_and_bad_counts_are_errors() {
        let y = vec![0, 0, 0, 1, 1];
        let err = stratified_k_fold(&y, &labels(2), 3, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "class 'c1' has 2 row(s), fewer than the 3 folds asked for"
        );
        assert!(stratified_k_fold(&y, &labels(2), 1, 0).is_err());
        assert!(stratified_k_fold(&y, &labels(2), 21, 0).is_err());
    }

    #[test]
    fn holdout_takes_the_fraction_of_each_class() {
        let y: Vec<usize> = (0..100).map(|i| usize::from(i >= 80)).collect();
        let fold = stratified_holdout(&y, 2, 0.2, 1).unwrap();
        assert_eq!(fold.validate.len(), 20);
        assert_eq!(fold.validate.iter().filter(|&&r| y[r] == 1).count(), 4);
        let reg = shuffled_holdout(10, 0.3, 1).unwrap();
        assert_eq!((reg.train.len(), reg.validate.len()), (7, 3));
        let folds = shuffled_k_fold(10, 3, 2).unwrap();
        assert_eq!(folds.iter().map(|f| f.validate.len()).sum::<usize>(), 10);
    }
}
