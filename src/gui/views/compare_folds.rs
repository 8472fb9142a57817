//! The Compare view's spread of one metric over the folds of each run.

use eframe::egui;
use egui_plot::{GridMark, HoverPosition, MarkerShape, Plot, Points};

use super::compare_plots::{hovered, ComparedRun};
use super::compare_view::table_metrics;
use crate::ml::eval::Evaluation;
use crate::ml::metric_registry;

/// One run's values of a metric on each fold, and their mean.
struct FoldSpread<'a> {
    run: ComparedRun<'a>,
    /// (fold number from 1, value), undefined values left out.
    folds: Vec<(usize, f64)>,
    mean: Option<f64>,
}

/// A metric's value on each fold of a run: (fold number from 1, value), undefined ones left out.
fn fold_values(evaluation: &Evaluation, metric: &str) -> Vec<(usize, f64)> {
    evaluation
        .folds
        .iter()
        .enumerate()
        .filter_map(|(f, fold)| {
            fold.scalars()
                .into_iter()
                .find(|(name, _)| *name == metric)
                .map(|(_, v)| (f + 1, v))
        })
        .filter(|(_, v)| v.is_finite())
        .collect()
}

pub(super) fn fold_spread(ui: &mut egui::Ui, runs: &[ComparedRun<'_>], metric: &mut &'static str) {
    let available: Vec<&'static str> = table_metrics()
        .filter(|m| runs.iter().any(|r| r.run.evaluation.mean.contains_key(m)))
        .collect();
    let Some(&first) = available.first() else {
        return;
    };
    if !available.contains(metric) {
        *metric = first;
    }
    ui.horizontal(|ui| {
        let label = ui.label("Metric");
        egui::ComboBox::from_id_salt("compare_spread_metric")
            .selected_text(metric_registry::label(metric))
            .show_ui(ui, |ui| {
                for &m in &available {
                    ui.selectable_value(metric, m, metric_registry::label(m));
                }
            })
            .response
            .labelled_by(label.id);
    });
    let chosen = *metric;
    let spreads: Vec<FoldSpread<'_>> = runs
        .iter()
        .map(|run| FoldSpread {
            run: *run,
            folds: fold_values(&run.run.evaluation, chosen),
            mean: run.run.evaluation.mean.get(chosen).copied(),
        })
        .collect();
    let ids: Vec<u64> = runs.iter().map(|r| r.run.id).collect();
    let n = runs.len();
    let fold_numbers: Vec<(String, Vec<usize>)> = spreads
        .iter()
        .map(|spread| {
            (
                format!("#{} fold", spread.run.run.id),
                spread.folds.iter().map(|(f, _)| *f).collect(),
            )
        })
        .collect();
    let read_out = |position: &HoverPosition<'_>| -> Option<String> {
        let (at, Some((plot_name, index))) = hovered(position) else {
            return None;
        };
        let fold = fold_numbers
            .iter()
            .find(|(name, _)| name == plot_name)
            .and_then(|(_, folds)| folds.get(index));
        Some(match fold {
            Some(fold) => format!("{plot_name} {fold}: {:.4}", at.y),
            None => format!("{plot_name}: {:.4}", at.y),
        })
    };
    // Pad the values' range so the extreme folds do not sit on the frame.
    let values = spreads
        .iter()
        .flat_map(|s| s.folds.iter().map(|(_, v)| *v).chain(s.mean))
        .filter(|v| v.is_finite());
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = if high > low { 0.1 * (high - low) } else { 0.01 };
    let mut plot = Plot::new("compare_fold_spread");
    if low <= high {
        plot = plot.include_y(low - pad).include_y(high + pad);
    }
    plot.height(240.0)
        .allow_scroll(false)
        .include_x(-0.5)
        .include_x(n as f64 - 0.5)
        .x_grid_spacer(move |_| {
            (0..n)
                .map(|i| GridMark {
                    value: i as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            match ids.get(i as usize) {
                Some(id) if i >= 0.0 && (mark.value - i).abs() < 1e-6 => format!("#{id}"),
                _ => String::new(),
            }
        })
        .y_axis_label(metric_registry::label(chosen))
        .label_formatter(read_out)
        .show(ui, |plot| {
            for (x, FoldSpread { run, folds, mean }) in spreads.iter().enumerate() {
                let k = folds.len().max(1) as f64;
                // Folds spread a little sideways so equal values stay visible.
                let points: Vec<[f64; 2]> = folds
                    .iter()
                    .enumerate()
                    .map(|(j, (_, v))| [x as f64 + 0.05 * (j as f64 - (k - 1.0) / 2.0), *v])
                    .collect();
                plot.points(
                    Points::new(format!("#{} fold", run.run.id), points)
                        .color(run.color)
                        .radius(4.0)
                        .filled(true),
                );
                if let Some(mean) = mean.filter(|m| m.is_finite()) {
                    plot.points(
                        Points::new(format!("#{} mean", run.run.id), vec![[x as f64, mean]])
                            .color(run.color)
                            .shape(MarkerShape::Diamond)
                            .radius(8.0)
                            .filled(false),
                    );
                }
            }
        });
    ui.weak("Dots are folds, hollow diamonds their mean; a hold-out run has a single value.");
}
