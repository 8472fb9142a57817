//! The recipe the user chooses: one step per feature column, with defaults that suit its kind.

use serde::{Deserialize, Serialize};

use crate::data::{ColumnKind, Role, Table};

/// The level (and feature-name suffix) that stands for a missing category.
pub const MISSING_LEVEL: &str = "(missing)";

/// How a missing number is filled in. Default: [`NumericImpute::Mean`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NumericImpute {
    /// Mean of the training values.
    #[default]
    Mean,
    /// Median of the training values (mean of the two middle ones for an even count, as numpy).
    Median,
    /// A fixed value chosen by the user.
    Constant(f64),
}

/// How a number is rescaled after imputation. Default: [`Scaling::Standardize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// `(x − mean) / std` with the population std (ddof = 0), as sklearn's `StandardScaler`;
    /// a constant column is divided by 1.
    #[default]
    Standardize,
    /// `(x − min) / (max − min)`, as sklearn's `MinMaxScaler`; a constant column is divided by 1.
    MinMax,
    /// Left as it is.
    None,
}

/// How a missing category is filled in. Default: [`CategoricalImpute::MissingLevel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CategoricalImpute {
    /// The most frequent training level; a tie goes to the level seen first.
    MostFrequent,
    /// A level of its own, [`MISSING_LEVEL`].
    #[default]
    MissingLevel,
}

/// What happens to one column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnStep {
    /// Impute, then scale; one output column.
    Numeric {
        impute: NumericImpute,
        scale: Scaling,
    },
    /// One output column per training level (no level dropped).
    OneHot { impute: CategoricalImpute },
    /// Not used by the model.
    Ignore,
}

impl ColumnStep {
    /// The step a column of this kind gets unless the user chooses another: numbers are imputed
    /// and standardised, categories and booleans one-hot encoded, text and dates ignored.
    pub fn default_for(kind: ColumnKind) -> ColumnStep {
        match kind {
            ColumnKind::Integer | ColumnKind::Float => ColumnStep::Numeric {
                impute: NumericImpute::default(),
                scale: Scaling::default(),
            },
            ColumnKind::Categorical | ColumnKind::Boolean => ColumnStep::OneHot {
                impute: CategoricalImpute::default(),
            },
            ColumnKind::Text | ColumnKind::Date => ColumnStep::Ignore,
        }
    }
}

/// The step chosen for the column with this name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnRecipe {
    pub column: String,
    pub step: ColumnStep,
}

/// What to do to each feature column, in output order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Recipe {
    pub columns: Vec<ColumnRecipe>,
}

impl Recipe {
    /// Every feature column with the default step for its kind; target and ignored columns are
    /// left out.
    pub fn default_for(table: &Table) -> Recipe {
        let columns = table
            .columns
            .iter()
            .filter(|c| c.role == Role::Feature)
            .map(|c| ColumnRecipe {
                column: c.name.clone(),
                step: ColumnStep::default_for(c.kind),
            })
            .collect();
        Recipe { columns }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::prep::fixtures::{categorical, numeric, table, with_kind, with_role};

    #[test]
    fn default_recipe_follows_kind_and_leaves_out_target_and_ignored_columns() {
        let table = table(vec![
            with_kind(numeric("age", &[1.0]), ColumnKind::Integer),
            numeric("income", &[1.0]),
            categorical("island", &[Some("Dream")]),
            with_kind(categorical("member", &[Some("yes")]), ColumnKind::Boolean),
            with_kind(categorical("note", &[Some("hi")]), ColumnKind::Text),
            with_kind(
                categorical("joined", &[Some("2024-01-01")]),
                ColumnKind::Date,
            ),
            with_role(categorical("species", &[Some("Adelie")]), Role::Target),
            with_role(numeric("id", &[7.0]), Role::Ignore),
        ]);
        let numeric_default = ColumnStep::Numeric {
            impute: NumericImpute::Mean,
            scale: Scaling::Standardize,
        };
        let one_hot_default = ColumnStep::OneHot {
            impute: CategoricalImpute::MissingLevel,
        };
        let recipe = Recipe::default_for(&table);
        let got: Vec<(&str, ColumnStep)> = recipe
            .columns
            .iter()
            .map(|c| (c.column.as_str(), c.step))
            .collect();
        assert_eq!(
            got,
            vec![
                ("age", numeric_default),
                ("income", numeric_default),
                ("island", one_hot_default),
                ("member", one_hot_default),
                ("note", ColumnStep::Ignore),
                ("joined", ColumnStep::Ignore),
            ]
        );
    }

    #[test]
    fn recipe_reads_back_from_json() {
        let recipe = Recipe {
            columns: vec![
                ColumnRecipe {
                    column: "x".into(),
                    step: ColumnStep::Numeric {
                        impute: NumericImpute::Constant(-1.5),
                        scale: Scaling::None,
                    },
                },
                ColumnRecipe {
                    column: "c".into(),
                    step: ColumnStep::OneHot {
                        impute: CategoricalImpute::MostFrequent,
                    },
                },
            ],
        };
        let json = serde_json::to_string(&recipe).expect("serialise");
        assert!(json.contains(r#"{"constant":-1.5}"#), "{json}");
        let back: Recipe = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, recipe);
    }
}
