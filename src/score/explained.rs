//! Each scored row's contributions, as CSV columns beside its predictions: the explained
//! class, the base (average prediction), one `contribution_<column>` per original column and,
//! for sampled estimates, one `error_<column>` (standard error) per column. The base plus a
//! row's contributions is its prediction, in [`Contributions::unit`].

use crate::data::{format_number, Table};
use crate::ml::contributions::{explain, ClassChoice, Contributions, ExplainError, Options};
use crate::ml::eval::TrainedModel;

/// Background rows taken from the scored file for sampled estimates, at most.
pub const BACKGROUND_ROWS: usize = 100;

/// The contributions of every row of a scored table, with the model's class names.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub contributions: Contributions,
    pub class_names: Vec<String>,
}

/// Explain `rows` of `table` with `model` (the class: `choice`). Models without an exact
/// method are sampled (`samples` permutations per row, `seed`) against up to
/// [`BACKGROUND_ROWS`] of those rows, evenly spaced. `progress` hears the fraction done and
/// returns false to cancel.
pub fn explain_table(
    model: &TrainedModel,
    table: &Table,
    rows: &[usize],
    choice: ClassChoice,
    samples: usize,
    seed: u64,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<Explained, String> {
    explain_against(model, table, rows, rows, choice, samples, seed, progress)
}

/// Explain `rows` of `table` as [`explain_table`] does, but sample against up to
/// [`BACKGROUND_ROWS`] of `population` (evenly spaced): one row explained alone is set
/// against the file's other rows, as it would be among all of them.
#[allow(clippy::too_many_arguments)]
pub fn explain_against(
    model: &TrainedModel,
    table: &Table,
    rows: &[usize],
    population: &[usize],
    choice: ClassChoice,
    samples: usize,
    seed: u64,
    progress: &(dyn Fn(f32) -> bool + Sync),
) -> Result<Explained, String> {
    let x = model
        .recipe
        .transform(table, rows)
        .map_err(|e| e.to_string())?
        .x;
    let step = population.len().div_ceil(BACKGROUND_ROWS).max(1);
    let chosen: Vec<usize> = population.iter().step_by(step).copied().collect();
    let background = model
        .recipe
        .transform(table, &chosen)
        .map_err(|e| e.to_string())?
        .x;
    let options = Options {
        class: choice,
        background: Some(background.view()),
        samples,
        seed,
    };
    let contributions =
        explain(model, x.view(), &options, progress).map_err(|e: ExplainError| e.to_string())?;
    Ok(Explained {
        contributions,
        class_names: model.classes.clone(),
    })
}

impl Explained {
    /// The columns' names before they are made unique.
    fn names(&self) -> Vec<String> {
        let c = &self.contributions;
        let mut names = Vec::new();
        if !c.classes.is_empty() {
            names.push("explained_class".to_string());
        }
        names.push("base".to_string());
        names.extend(c.columns.iter().map(|n| format!("contribution_{n}")));
        if c.errors.is_some() {
            names.extend(c.columns.iter().map(|n| format!("error_{n}")));
        }
        names
    }

    /// The columns' names, each made unique against `taken` (the table's and the
    /// predictions' columns) with a `_2`, `_3`, … suffix.
    pub fn columns(&self, table: &Table, taken: &[String]) -> Vec<String> {
        let mut used: Vec<String> = taken.to_vec();
        self.names()
            .into_iter()
            .map(|name| {
                let mut unique = name.clone();
                let mut n = 2;
                while table.column(&unique).is_some() || used.contains(&unique) {
                    unique = format!("{name}_{n}");
                    n += 1;
                }
                used.push(unique.clone());
                unique
            })
            .collect()
    }

    /// Row `row`'s cells, numbers with `digits` decimals (from 17 on: the shortest exact text).
    pub fn cells(&self, row: usize, digits: usize) -> Vec<String> {
        let c = &self.contributions;
        let number = |v: f64| {
            if digits >= super::export::EXACT_DIGITS {
                format_number(v).into_owned()
            } else {
                format!("{v:.digits$}")
            }
        };
        let mut cells = Vec::new();
        if let Some(&class) = c.classes.get(row) {
            cells.push(self.class_names[class].clone());
        }
        cells.push(number(c.base[row]));
        cells.extend(c.values.row(row).iter().map(|&v| number(v)));
        if let Some(errors) = &c.errors {
            cells.extend(errors.row(row).iter().map(|&v| number(v)));
        }
        cells
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{import_csv, ImportOptions, Progress, Role};
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::prep::Recipe;
    use crate::ml::spec::ModelSpec;
    use crate::score::drift::Thresholds;
    use crate::score::{export, score_table};

    #[test]
    fn explanation_columns_follow_the_predictions_with_names_of_their_own() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/penguins.csv");
        let mut table = import_csv(&path, &ImportOptions::default(), &Progress::default()).unwrap();
        table.set_role(0, Role::Target);
        let (_, model) = train_and_validate(
            &table,
            "species",
            None,
            &Recipe::default_for(&table),
            &ModelSpec::from_name("decision_tree").unwrap(),
            Validation::Holdout {
                fraction: 0.2,
                seed: 0,
            },
            &mut |_, _| true,
        )
        .unwrap();
        // The target column is no feature: named "base", the base column becomes base_2.
        table.columns[0].name = "base".into();
        let scored = score_table(&model, &table, &Thresholds::default(), &mut |_, _| true).unwrap();
        let rows: Vec<usize> = (0..table.rows()).collect();
        let gentoo = ClassChoice::Class(2);
        let explained = explain_table(&model, &table, &rows, gentoo, 10, 0, &|_| true).unwrap();
        let mut csv = Vec::new();
        export::write_explained_predictions(&mut csv, &table, &scored, 6, Some(&explained))
            .unwrap();
        let text = String::from_utf8(csv).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert!(
            header.ends_with(
                ",predicted,proba_Adelie,proba_Chinstrap,proba_Gentoo,explained_class,base_2,\
                 contribution_island,contribution_bill_length_mm,contribution_bill_depth_mm,\
                 contribution_flipper_length_mm,contribution_body_mass_g,contribution_sex,\
                 contribution_year"
            ),
            "{header}"
        );
        let width = header.split(',').count();
        let first = lines.next().unwrap();
        assert_eq!(first.split(',').count(), width, "{first}");
        assert!(first.contains(",Gentoo,"), "{first}");
        assert_eq!(lines.count(), 343);
    }
}
