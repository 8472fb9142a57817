//! The fitted recipe as graph nodes: one input per raw column, and the feature matrix the
//! model was trained on, computed with the same operations in the same order as
//! [`FittedRecipe::transform`](crate::ml::prep::FittedRecipe::transform), in doubles.

use serde::Serialize;

use super::graph::{int, ints, strings, Dim, GraphBuilder, ML_DOMAIN};
use super::proto::data_type;
use crate::ml::prep::{FittedMissing, FittedRecipe, FittedStep};

/// One graph input as the metadata describes it to a caller.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputColumn {
    /// The column name, which is also the input's name.
    pub name: String,
    /// `double` (numbers, NaN for missing) or `string` (categories and booleans, `""` for
    /// missing).
    #[serde(rename = "type")]
    pub elem_type: &'static str,
    /// The levels the model knows, in one-hot order (string inputs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<String>>,
}

/// Declare one input per recipe column and build the `[N, F]` double feature matrix; returns
/// its value name and the inputs.
pub fn features(graph: &mut GraphBuilder, recipe: &FittedRecipe) -> (String, Vec<InputColumn>) {
    let mut inputs = Vec::with_capacity(recipe.columns.len());
    let mut names = Vec::with_capacity(recipe.columns.len());
    // Inputs first: they keep the column names, internal values go around them.
    for fitted in &recipe.columns {
        let (elem, elem_type, levels) = match &fitted.step {
            FittedStep::Numeric { .. } => (data_type::DOUBLE, "double", None),
            FittedStep::OneHot { levels, .. } => {
                (data_type::STRING, "string", Some(levels.clone()))
            }
        };
        names.push(graph.input(&fitted.column, elem, &[Dim::Rows, Dim::Fixed(1)]));
        inputs.push(InputColumn {
            name: fitted.column.clone(),
            elem_type,
            levels,
        });
    }
    let mut parts = Vec::with_capacity(recipe.columns.len());
    for (fitted, input) in recipe.columns.iter().zip(&names) {
        match &fitted.step {
            FittedStep::Numeric {
                fill,
                center,
                scale,
            } => parts.push(numeric(graph, input, *fill, *center, *scale)),
            FittedStep::OneHot {
                levels,
                missing,
                infrequent,
            } => {
                if fitted.step.width() > 0 {
                    parts.push(one_hot(graph, input, levels, *missing, infrequent));
                }
            }
        }
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    let x = if refs.len() == 1 {
        parts[0].clone()
    } else {
        graph.op("Concat", &refs, vec![int("axis", 1)])
    };
    (x, inputs)
}

/// `(value, or fill when NaN, − center) / scale`, as the recipe computes it.
fn numeric(graph: &mut GraphBuilder, input: &str, fill: f64, center: f64, scale: f64) -> String {
    let fill = graph.doubles("fill", &[], vec![fill]);
    let center = graph.doubles("center", &[], vec![center]);
    let scale = graph.doubles("scale", &[], vec![scale]);
    let missing = graph.op("IsNaN", &[input], vec![]);
    let filled = graph.op("Where", &[&missing, &fill, input], vec![]);
    let centred = graph.op("Sub", &[&filled, &center], vec![]);
    graph.op("Div", &[&centred, &scale], vec![])
}

/// One indicator per level (and one for "(missing)" when training had missing cells): the
/// level's index by `LabelEncoder` (−1 for a level never seen, which sets no indicator),
/// compared with each indicator's index. Levels grouped as infrequent take the group's index.
fn one_hot(
    graph: &mut GraphBuilder,
    input: &str,
    levels: &[String],
    missing: FittedMissing,
    infrequent: &[String],
) -> String {
    let width = levels.len() + usize::from(missing == FittedMissing::OwnColumn);
    let mut keys: Vec<String> = levels.to_vec();
    let mut values: Vec<i64> = (0..levels.len() as i64).collect();
    if !infrequent.is_empty() {
        let group = levels.len() as i64 - 1;
        keys.extend(infrequent.iter().cloned());
        values.extend(std::iter::repeat_n(group, infrequent.len()));
    }
    // A missing cell arrives as "": it takes the slot the fitted recipe gives it.
    let missing_slot = match missing {
        FittedMissing::AsLevel(index) if index < levels.len() => Some(index as i64),
        FittedMissing::AsLevel(_) | FittedMissing::Unseen => None,
        FittedMissing::OwnColumn => Some(levels.len() as i64),
    };
    if let Some(slot) = missing_slot {
        keys.push(String::new());
        values.push(slot);
    }
    let index = graph.op_in(
        ML_DOMAIN,
        "LabelEncoder",
        &[input],
        vec![
            strings("keys_strings", &keys),
            ints("values_int64s", values),
            int("default_int64", -1),
        ],
        "level_index",
    );
    let slots = graph.int64s("slots", &[width as i64], (0..width as i64).collect());
    let hot = graph.op("Equal", &[&index, &slots], vec![]);
    graph.op(
        "Cast",
        &[&hot],
        vec![int("to", i64::from(data_type::DOUBLE))],
    )
}
