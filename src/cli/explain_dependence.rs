//! Partial dependence as `explain --pdp` prints it: one line per grid point, with the
//! average prediction of each output.

use std::fmt::Write as _;

use crate::ml::partial_dependence::{GridValue, PartialDependence};

/// A grid point as printed: a number with up to 4 decimals, a level as it is.
pub fn grid_label(value: &GridValue) -> String {
    match value {
        GridValue::Number(v) => {
            let text = format!("{v:.4}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            text.to_string()
        }
        GridValue::Level(level) => level.clone(),
    }
}

/// The text of one column's partial dependence over `rows` rows.
pub fn partial_dependence_text(dependence: &PartialDependence, rows: u64) -> String {
    let mut out = format!(
        "\nPartial dependence on {}: the average prediction over {rows} rows with {} set to \
         each value ({} points):\n",
        dependence.column,
        dependence.column,
        dependence.grid.len()
    );
    let labels: Vec<String> = dependence.grid.iter().map(grid_label).collect();
    let width = labels
        .iter()
        .map(|l| l.chars().count())
        .chain([dependence.column.chars().count()])
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = dependence
        .outputs
        .iter()
        .map(|o| o.chars().count().max(8))
        .collect();
    let _ = write!(out, "  {:width$}", dependence.column);
    for (output, w) in dependence.outputs.iter().zip(&widths) {
        let _ = write!(out, "  {output:>w$}");
    }
    out.push('\n');
    for (k, label) in labels.iter().enumerate() {
        let _ = write!(out, "  {label:width$}");
        for (o, w) in widths.iter().enumerate() {
            let _ = write!(out, "  {:>w$.4}", dependence.average[o][k]);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_grid_point_is_a_line_with_each_outputs_average() {
        let dependence = PartialDependence {
            column: "island".into(),
            grid: vec![
                GridValue::Level("Biscoe".into()),
                GridValue::Level("Dream".into()),
            ],
            outputs: vec!["Adelie".into(), "Gentoo".into()],
            average: vec![vec![0.25, 0.5], vec![0.75, 0.125]],
            ice_rows: Vec::new(),
            individual: Vec::new(),
        };
        let text = partial_dependence_text(&dependence, 10);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "  island    Adelie    Gentoo");
        assert_eq!(lines[3], "  Biscoe    0.2500    0.7500");
        assert_eq!(lines[4], "  Dream     0.5000    0.1250");
        assert_eq!(grid_label(&GridValue::Number(2.50)), "2.5");
        assert_eq!(grid_label(&GridValue::Number(3.0)), "3");
    }
}
