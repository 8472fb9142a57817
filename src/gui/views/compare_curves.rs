//! The Compare view's ROC, precision-recall and calibration curves of one class against the
//! rest, from the pooled out-of-fold predictions (or the curves stored with a catalog
//! version), with the last frame's curves cached so large runs are not re-sorted every frame.

use eframe::egui::{self, Color32};
use egui_plot::{HoverPosition, Line, LineStyle, Plot, PlotPoints, Points};
use std::sync::Arc;

use super::compare_plots::{hovered, pack_rows, ComparedRun};
use super::plot_legend::legend_below;
use crate::catalog::record::StoredCurves;
use crate::jobs::TrainingRun;
use crate::ml::eval::Evaluation;
use crate::ml::metrics::{
    average_precision, calibration_curve, even_sample, precision_recall_curve, roc_auc, roc_curve,
    step_area, trapezoid_area, Curve,
};

/// Rows a curve is computed from at most; larger runs are subsampled evenly.
const CURVE_ROWS: usize = 100_000;
/// Points drawn per curve at most: more would not show at plot size, and cost every frame.
const DRAWN_POINTS: usize = 2_000;
const CALIBRATION_BINS: usize = 10;

/// A curve ready to draw, each point with its threshold (ROC, PR) or rows (calibration).
#[derive(Debug, Default, PartialEq)]
struct Series {
    points: Vec<[f64; 2]>,
    extra: Vec<f64>,
}

/// At most `max` points of `curve` (at least 2), keeping its first and last point.
fn thinned(curve: &Curve, max: usize) -> Series {
    let n = curve.x.len().min(curve.y.len());
    let mut keep = even_sample(n, max.max(2) - 1);
    if keep.last().is_some_and(|&last| last + 1 != n) {
        keep.push(n - 1);
    }
    Series {
        points: keep.iter().map(|&i| [curve.x[i], curve.y[i]]).collect(),
        extra: keep
            .iter()
            .map(|&i| curve.thresholds.get(i).copied().unwrap_or(f64::NAN))
            .collect(),
    }
}

/// One run's curves for one class against the rest.
#[derive(Debug, Default)]
struct RunCurves {
    roc: Series,
    auc: Option<f64>,
    pr: Series,
    ap: Option<f64>,
    calibration: Series,
    brier: Option<f64>,
    /// Rows the curves were computed from, of how many validated.
    rows: usize,
    validated: usize,
    /// Read from a catalog version's stored curves.
    stored: bool,
}

/// The curves of `class` of a run: from its out-of-fold predictions, or for a catalog
/// version, from the curves stored with it.
fn run_curves(run: &TrainingRun, class: usize) -> RunCurves {
    if run.evaluation.validated_proba.nrows() == 0 {
        if let StoredCurves::Classes(stored) = &run.stored_curves {
            let name = run.evaluation.classes.get(class);
            if let Some(c) = stored.iter().find(|c| Some(&c.class) == name) {
                return stored_run_curves(c);
            }
        }
    }
    predicted_run_curves(&run.evaluation, class)
}

/// Curves as stored with a catalog version (at most a few hundred points each). AUC and AP
/// are read from those points; the Brier score needs the rows, which are not stored.
fn stored_run_curves(stored: &crate::catalog::record::ClassCurves) -> RunCurves {
    let series = |points: &[(f64, f64)]| Series {
        points: points.iter().map(|&(x, y)| [x, y]).collect(),
        extra: vec![f64::NAN; points.len()],
    };
    let (x, y): (Vec<f64>, Vec<f64>) = stored.roc.iter().copied().unzip();
    let (recall, precision): (Vec<f64>, Vec<f64>) = stored.pr.iter().copied().unzip();
    RunCurves {
        roc: series(&stored.roc),
        auc: (x.len() >= 2).then(|| trapezoid_area(&x, &y)),
        pr: series(&stored.pr),
        ap: (recall.len() >= 2).then(|| step_area(&recall, &precision)),
        calibration: series(&stored.calibration),
        brier: None,
        rows: 0,
        validated: 0,
        stored: true,
    }
}

fn predicted_run_curves(evaluation: &Evaluation, class: usize) -> RunCurves {
    let proba = &evaluation.validated_proba;
    let validated = evaluation.validated_y.len().min(proba.nrows());
    if class >= proba.ncols() {
        return RunCurves::default();
    }
    let rows = even_sample(validated, CURVE_ROWS);
    let truth: Vec<bool> = rows
        .iter()
        .map(|&r| evaluation.validated_y[r] == class)
        .collect();
    let scores: Vec<f64> = rows.iter().map(|&r| proba[[r, class]]).collect();
    let brier = (!rows.is_empty()).then(|| {
        let sum: f64 = truth
            .iter()
            .zip(&scores)
            .map(|(&t, &p)| (p - if t { 1.0 } else { 0.0 }).powi(2))
            .sum();
        sum / rows.len() as f64
    });
    RunCurves {
        roc: thinned(&roc_curve(&truth, &scores), DRAWN_POINTS),
        auc: roc_auc(&truth, &scores),
        pr: thinned(&precision_recall_curve(&truth, &scores), DRAWN_POINTS),
        ap: average_precision(&truth, &scores),
        calibration: thinned(
            &calibration_curve(&truth, &scores, CALIBRATION_BINS),
            DRAWN_POINTS,
        ),
        brier,
        rows: rows.len(),
        validated,
        stored: false,
    }
}

/// Curves of the drawn runs from the last frame, so large runs are not re-sorted every
/// frame; holds only what is on screen.
#[derive(Clone, Default)]
struct CurveCache(Vec<((u64, usize), Arc<RunCurves>)>);

fn cached_curves(ui: &egui::Ui, wanted: &[(&TrainingRun, usize)]) -> Vec<Arc<RunCurves>> {
    let id = egui::Id::unique("compare_curve_cache");
    let old: CurveCache = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let mut new = CurveCache::default();
    let curves = wanted
        .iter()
        .map(|&(run, class)| {
            let key = (run.id, class);
            let curves = old
                .0
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, c)| Arc::clone(c))
                .unwrap_or_else(|| Arc::new(run_curves(run, class)));
            new.0.push((key, Arc::clone(&curves)));
            curves
        })
        .collect();
    ui.data_mut(|d| d.insert_temp(id, new));
    curves
}

/// Which curve of a run a plot draws.
#[derive(Clone, Copy, PartialEq)]
enum CurveKind {
    Roc,
    PrecisionRecall,
    Calibration,
}

impl CurveKind {
    fn title(self) -> &'static str {
        match self {
            CurveKind::Roc => "ROC",
            CurveKind::PrecisionRecall => "Precision–recall",
            CurveKind::Calibration => "Calibration (10 bins)",
        }
    }

    /// Axis names (x, y) as the hover read-out shows them.
    fn axes(self) -> (&'static str, &'static str) {
        match self {
            CurveKind::Roc => ("false-positive rate", "true-positive rate"),
            CurveKind::PrecisionRecall => ("recall", "precision"),
            CurveKind::Calibration => ("mean predicted probability", "observed share"),
        }
    }

    /// The curve and the score its legend shows.
    fn of(self, curves: &RunCurves) -> (&Series, String) {
        let score = |name: &str, v: Option<f64>| match v {
            Some(v) => format!("{name} {v:.3}"),
            None => format!("{name} n/a"),
        };
        match self {
            CurveKind::Roc => (&curves.roc, score("AUC", curves.auc)),
            CurveKind::PrecisionRecall => (&curves.pr, score("AP", curves.ap)),
            CurveKind::Calibration => (&curves.calibration, score("Brier", curves.brier)),
        }
    }
}

/// Every class of the runs, in first-seen order.
fn class_names(runs: &[ComparedRun<'_>]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for run in runs {
        for class in &run.run.evaluation.classes {
            if !names.contains(class) {
                names.push(class.clone());
            }
        }
    }
    names
}

/// The class drawn unless the user picks another: the positive class (the second) of a
/// binary target, otherwise the first.
fn default_class(classes: &[String]) -> Option<String> {
    classes.get(default_class_index(classes.len())).cloned()
}

/// [`default_class`]'s place among `count` classes; the version page draws the same one.
pub(crate) fn default_class_index(count: usize) -> usize {
    usize::from(count == 2)
}

pub(super) fn curves(ui: &mut egui::Ui, runs: &[ComparedRun<'_>], picked: &mut Option<String>) {
    let classes = class_names(runs);
    let Some(class) = picked
        .clone()
        .filter(|c| classes.contains(c))
        .or_else(|| default_class(&runs[0].run.evaluation.classes))
    else {
        ui.weak("These runs have no classes to draw curves for.");
        return;
    };
    ui.horizontal(|ui| {
        let label = ui.label("Curves of class");
        let mut choice = class.clone();
        egui::ComboBox::from_id_salt("compare_curve_class")
            .selected_text(&choice)
            .show_ui(ui, |ui| {
                for name in &classes {
                    ui.selectable_value(&mut choice, name.clone(), name);
                }
            })
            .response
            .labelled_by(label.id);
        ui.label("against the rest");
        if choice != class {
            *picked = Some(choice);
        }
    });
    let mut wanted = Vec::new();
    let mut drawn_runs = Vec::new();
    for run in runs {
        match run.run.evaluation.classes.iter().position(|c| *c == class) {
            Some(i) => {
                wanted.push((run.run, i));
                drawn_runs.push(*run);
            }
            None => {
                ui.weak(format!("#{} has no class '{class}'.", run.run.id));
            }
        }
    }
    let curves = cached_curves(ui, &wanted);
    let drawn: Vec<(ComparedRun<'_>, &RunCurves)> = drawn_runs
        .into_iter()
        .zip(curves.iter().map(|c| &**c))
        .collect();
    for (run, c) in &drawn {
        if c.rows < c.validated {
            ui.weak(format!(
                "#{}: curves from {} evenly spread of its {} validated rows.",
                run.run.id, c.rows, c.validated
            ));
        }
    }
    let gap = ui.spacing().item_spacing.x;
    let side = ((ui.available_width() - 2.0 * gap) / 3.0 - 1.0).clamp(240.0, 460.0);
    let kinds = [
        CurveKind::Roc,
        CurveKind::PrecisionRecall,
        CurveKind::Calibration,
    ];
    for row in pack_rows(&[side; 3], ui.available_width(), gap) {
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Min), |ui| {
            for &kind in &kinds[row] {
                curve_plot(ui, kind, side, &drawn);
            }
        });
    }
    ui.weak("Curves pool the out-of-fold predictions of every fold, so their AUC and AP can differ slightly from the table's mean over folds.");
    let stored: Vec<String> = drawn
        .iter()
        .filter(|(_, c)| c.stored)
        .map(|(run, _)| format!("#{}", run.run.id))
        .collect();
    if !stored.is_empty() {
        ui.weak(format!(
            "{}: curves as stored in the catalog (up to {} points each); AUC and AP are measured on those points, and the Brier score needs the rows, which are not stored.",
            stored.join(", "),
            crate::catalog::record::CURVE_POINTS,
        ));
    }
}

fn curve_plot(
    ui: &mut egui::Ui,
    kind: CurveKind,
    side: f32,
    drawn: &[(ComparedRun<'_>, &RunCurves)],
) {
    let named: Vec<(String, &Series, Color32)> = drawn
        .iter()
        .map(|(run, curves)| {
            let (series, score) = kind.of(curves);
            (format!("#{} · {score}", run.run.id), series, run.color)
        })
        .collect();
    let read_out = |position: &HoverPosition<'_>| -> Option<String> {
        let (x_name, y_name) = kind.axes();
        let (at, near) = hovered(position);
        let mut text = format!("{x_name} {:.3}\n{y_name} {:.3}", at.x, at.y);
        let Some((plot_name, index)) = near else {
            return Some(text);
        };
        text = format!("{plot_name}\n{text}");
        let extra = named
            .iter()
            .find(|(name, _, _)| name == plot_name)
            .and_then(|(_, series, _)| series.extra.get(index))
            .copied()
            .filter(|v| v.is_finite());
        match (kind, extra) {
            (CurveKind::Calibration, Some(rows)) => {
                text.push_str(&format!("\n{rows} rows in this bin"));
            }
            (_, Some(threshold)) => text.push_str(&format!("\nthreshold {threshold:.3}")),
            _ => {}
        }
        Some(text)
    };
    ui.vertical(|ui| {
        ui.set_width(side);
        ui.strong(kind.title());
        let (x_name, y_name) = kind.axes();
        Plot::new(("compare_curve", kind.title()))
            .width(side)
            .height(side)
            .x_axis_label(x_name)
            .y_axis_label(y_name)
            .include_x(0.0)
            .include_x(1.0)
            .include_y(0.0)
            .include_y(1.0)
            .allow_scroll(false)
            .label_formatter(read_out)
            .show(ui, |plot| {
                if kind != CurveKind::PrecisionRecall {
                    plot.line(
                        Line::new("", vec![[0.0, 0.0], [1.0, 1.0]])
                            .color(Color32::GRAY)
                            .style(LineStyle::dashed_dense())
                            .allow_hover(false),
                    );
                }
                for (name, series, color) in &named {
                    // Banding merges points sharing a pixel column: it turns a ROC curve's
                    // vertical steps into filled wedges.
                    let line = Line::new(name.as_str(), PlotPoints::new(series.points.clone()))
                        .color(*color)
                        .width(2.0)
                        .allow_band(false);
                    plot.line(line);
                    if kind == CurveKind::Calibration {
                        let points = PlotPoints::new(series.points.clone());
                        plot.points(Points::new(name.as_str(), points).color(*color).radius(3.0));
                    }
                }
            });
        let entries: Vec<(String, Color32)> = named
            .iter()
            .map(|(name, _, color)| (name.clone(), *color))
            .collect();
        legend_below(ui, &entries);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_runs_are_sampled_evenly_and_small_ones_kept_whole() {
        assert_eq!(even_sample(3, 5), vec![0, 1, 2]);
        assert_eq!(even_sample(10, 5), vec![0, 2, 4, 6, 8]);
        let big = even_sample(1_234_567, CURVE_ROWS);
        assert_eq!(big.len(), CURVE_ROWS);
        assert!(big.windows(2).all(|w| w[0] < w[1]));
        assert!(*big.last().unwrap() < 1_234_567);
    }

    #[test]
    fn thinning_keeps_both_ends_of_a_curve() {
        let n = 10_001;
        let curve = Curve {
            x: (0..n).map(|i| i as f64 / (n - 1) as f64).collect(),
            y: (0..n).map(|i| (i as f64 / (n - 1) as f64).sqrt()).collect(),
            thresholds: (0..n).map(|i| i as f64).collect(),
        };
        let series = thinned(&curve, 100);
        assert!(series.points.len() <= 100);
        assert_eq!(series.points[0], [0.0, 0.0]);
        assert_eq!(*series.points.last().unwrap(), [1.0, 1.0]);
        assert_eq!(series.extra.len(), series.points.len());
        let short = Curve {
            x: vec![0.0, 1.0],
            y: vec![1.0, 0.5],
            thresholds: vec![0.7],
        };
        let kept = thinned(&short, 100);
        assert_eq!(kept.points, vec![[0.0, 1.0], [1.0, 0.5]]);
        assert!(
            kept.extra[1].is_nan(),
            "the PR curve's last point has no threshold"
        );
        assert_eq!(thinned(&Curve::default(), 100), Series::default());
    }

    #[test]
    fn legends_sit_beneath_the_curves_in_body_text() {
        use egui_kittest::kittest::Queryable;
        let (_, evaluation, model) = crate::ml::eval::validated_sample(
            "breast_cancer.csv",
            "diagnosis",
            "logistic_regression",
        );
        let run = TrainingRun {
            id: 1,
            dataset: "breast_cancer".into(),
            evaluation,
            learned: crate::ml::learned::what_it_learned(&model),
            model,
            table: None,
            registered: None,
            recorded: None,
            stored_curves: StoredCurves::None,
        };
        let mut harness = egui_kittest::Harness::builder()
            .with_size(egui::vec2(1280.0, 900.0))
            .build_ui(move |ui| {
                let runs = [ComparedRun {
                    run: &run,
                    color: Color32::RED,
                }];
                curves(ui, &runs, &mut None);
            });
        harness.run();
        let body = harness
            .ctx
            .global_style()
            .text_styles
            .get(&egui::TextStyle::Body)
            .map(|font| font.size)
            .unwrap();
        for (title, score) in [
            ("ROC", "AUC"),
            ("Precision–recall", "AP"),
            ("Calibration (10 bins)", "Brier"),
        ] {
            let title = harness.get_by_label(title).rect();
            let legend = harness
                .get_by_label_contains(&format!("#1 · {score} "))
                .rect();
            // Below the plot (at least 240 px high) under the title, so no curve is covered.
            assert!(
                legend.top() >= title.bottom() + 240.0,
                "{score}: legend at {legend:?}, title at {title:?}"
            );
            assert!(legend.height() >= body, "{score}: {legend:?}, body {body}");
        }
    }

    #[test]
    fn binary_curves_default_to_the_positive_class() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(default_class(&names(&["no", "yes"])), Some("yes".into()));
        assert_eq!(default_class(&names(&["a", "b", "c"])), Some("a".into()));
        assert_eq!(default_class(&[]), None);
    }
}
