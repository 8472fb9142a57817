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

/// The level (and feature-name suffix) of the group that rare levels join.
pub const INFREQUENT_LEVEL: &str = "(infrequent)";

/// How few training rows make a level rare, as scikit-learn's `min_frequency`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinFrequency {
    /// Fewer training rows than this many (at least 1).
    Count(u64),
    /// Fewer training rows than this share of them (between 0 and 1).
    Share(f64),
}

impl MinFrequency {
    /// `5` for a count, `0.01` for a share: what `--min-frequency` takes back.
    pub fn label(self) -> String {
        match self {
            MinFrequency::Count(n) => n.to_string(),
            MinFrequency::Share(share) => share.to_string(),
        }
    }

    /// The least number of training rows a level needs out of `rows` to keep its own column.
    pub fn threshold(self, rows: usize) -> f64 {
        match self {
            MinFrequency::Count(n) => n as f64,
            MinFrequency::Share(share) => share * rows as f64,
        }
    }
}

impl std::str::FromStr for MinFrequency {
    type Err = String;

    /// A whole number is a count of rows, a number below 1 a share of them, as scikit-learn
    /// reads an int and a float.
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let wrong =
            || format!("'{text}' is neither a row count (1 or more) nor a share between 0 and 1");
        if let Ok(count) = text.parse::<u64>() {
            return if count >= 1 {
                Ok(MinFrequency::Count(count))
            } else {
                Err(wrong())
            };
        }
        match text.parse::<f64>() {
            Ok(share) if share > 0.0 && share < 1.0 => Ok(MinFrequency::Share(share)),
            _ => Err(wrong()),
        }
    }
}

/// Which levels of a one-hot column are grouped into one [`INFREQUENT_LEVEL`] column, as
/// scikit-learn's `OneHotEncoder(min_frequency=…, max_categories=…)`. Off by default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct RareLevels {
    /// A level with fewer training rows is rare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_frequency: Option<MinFrequency>,
    /// At most this many columns for the levels, the group's own included (at least 1); the
    /// least frequent levels join the group until they fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_categories: Option<u32>,
}

impl RareLevels {
    /// Nothing is grouped.
    pub fn is_off(&self) -> bool {
        self.min_frequency.is_none() && self.max_categories.is_none()
    }

    /// Why these settings cannot be used, if they cannot.
    pub fn problem(&self) -> Option<String> {
        match (self.min_frequency, self.max_categories) {
            (Some(MinFrequency::Count(0)), _) => {
                Some("min_frequency must be at least 1 row".into())
            }
            (Some(MinFrequency::Share(s)), _) if !(s > 0.0 && s < 1.0) => {
                Some(format!("min_frequency {s} is not a share between 0 and 1"))
            }
            (_, Some(0)) => Some("max_categories must be at least 1".into()),
            _ => None,
        }
    }
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
    /// One output column per training level (no level dropped), rare levels sharing one when
    /// `rare` says so.
    OneHot {
        impute: CategoricalImpute,
        #[serde(default, skip_serializing_if = "RareLevels::is_off")]
        rare: RareLevels,
    },
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
                rare: RareLevels::default(),
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
            rare: RareLevels::default(),
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
    fn a_recipe_written_before_rare_levels_reads_with_nothing_grouped() {
        let old = r#"{"columns":[{"column":"c","step":{"one_hot":{"impute":"missing_level"}}}]}"#;
        let recipe: Recipe = serde_json::from_str(old).expect("old recipe");
        assert_eq!(
            recipe.columns[0].step,
            ColumnStep::OneHot {
                impute: CategoricalImpute::MissingLevel,
                rare: RareLevels::default(),
            }
        );
        let json = serde_json::to_string(&recipe).unwrap();
        assert!(
            !json.contains("rare"),
            "nothing new is written when off: {json}"
        );
    }

    #[test]
    fn min_frequency_reads_a_count_or_a_share_as_scikit_learn() {
        assert_eq!("5".parse(), Ok(MinFrequency::Count(5)));
        assert_eq!("0.01".parse(), Ok(MinFrequency::Share(0.01)));
        for bad in ["0", "1.5", "-2", "x", "1.0"] {
            let err = bad.parse::<MinFrequency>().unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
        assert_eq!(MinFrequency::Share(0.25).threshold(10), 2.5);
        let bad = RareLevels {
            min_frequency: None,
            max_categories: Some(0),
        };
        assert_eq!(
            bad.problem().as_deref(),
            Some("max_categories must be at least 1")
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
                        rare: RareLevels {
                            min_frequency: Some(MinFrequency::Share(0.01)),
                            max_categories: Some(20),
                        },
                    },
                },
            ],
        };
        let json = serde_json::to_string(&recipe).expect("serialise");
        assert!(json.contains(r#"{"constant":-1.5}"#), "{json}");
        assert!(
            json.contains(r#""rare":{"min_frequency":{"share":0.01},"max_categories":20}"#),
            "{json}"
        );
        let back: Recipe = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, recipe);
    }
}
