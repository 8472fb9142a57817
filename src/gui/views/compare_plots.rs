//! The Compare view's plots of the ticked runs: ROC, precision-recall and calibration curves
//! of one class against the rest, confusion matrices, and each metric's spread over folds.
//! Curves and matrices come from the pooled out-of-fold predictions. What the user picks
//! (class, counts or shares, metric) is presentation state in egui's memory.

use eframe::egui::{self, Color32, RichText};
use egui_plot::{
    Corner, GridMark, HoverPosition, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points,
};
use std::sync::Arc;

use super::compare_view::{metric_label, swatch, METRICS};
use crate::catalog::record::StoredCurves;
use crate::jobs::TrainingRun;
use crate::ml::eval::Evaluation;
use crate::ml::metrics::{
    average_precision, calibration_curve, even_sample, precision_recall_curve, roc_auc, roc_curve,
    step_area, trapezoid_area, Curve,
};
use crate::ml::target::Task;

/// A run in the comparison, with the colour it has in every plot.
#[derive(Clone, Copy)]
pub(super) struct ComparedRun<'a> {
    pub run: &'a TrainingRun,
    pub color: Color32,
}

/// Okabe–Ito colours: told apart with the common colour-vision deficiencies.
const PALETTE: [Color32; 8] = [
    Color32::from_rgb(0xE6, 0x9F, 0x00),
    Color32::from_rgb(0x56, 0xB4, 0xE9),
    Color32::from_rgb(0x00, 0x9E, 0x73),
    Color32::from_rgb(0xD5, 0x5E, 0x00),
    Color32::from_rgb(0xCC, 0x79, 0xA7),
    Color32::from_rgb(0x00, 0x72, 0xB2),
    Color32::from_rgb(0xF0, 0xE4, 0x42),
    Color32::from_rgb(0x99, 0x99, 0x99),
];

/// The colour of the `i`-th compared run.
pub(super) fn run_color(i: usize) -> Color32 {
    PALETTE[i % PALETTE.len()]
}

/// Rows a curve is computed from at most; larger runs are subsampled evenly.
const CURVE_ROWS: usize = 100_000;
/// Points drawn per curve at most: more would not show at plot size, and cost every frame.
const DRAWN_POINTS: usize = 2_000;
const CALIBRATION_BINS: usize = 10;
/// Classes beyond this make a confusion matrix too large to read.
const MAX_MATRIX_CLASSES: usize = 20;
const MATRIX_COLOR: Color32 = Color32::from_rgb(0x00, 0x72, 0xB2);

/// What the user picked in the plots.
#[derive(Clone)]
struct PlotChoices {
    /// The class whose curves are drawn; `None` until picked (then a default applies).
    class: Option<String>,
    shares: bool,
    spread_metric: &'static str,
}

impl Default for PlotChoices {
    fn default() -> Self {
        PlotChoices {
            class: None,
            shares: false,
            spread_metric: "accuracy",
        }
    }
}

/// Draw the curves, confusion matrices and fold spreads of `runs` (at least one).
pub(super) fn show(ui: &mut egui::Ui, runs: &[ComparedRun<'_>]) {
    let id = egui::Id::unique("compare_plot_choices");
    let mut choices: PlotChoices = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let (classifiers, regressors): (Vec<ComparedRun<'_>>, Vec<ComparedRun<'_>>) = runs
        .iter()
        .partition(|r| r.run.evaluation.task == Task::Classification);
    if !classifiers.is_empty() {
        // Catalog versions keep no per-row predictions: they are drawn from their stored
        // curves, when they have them.
        let (drawable, without): (Vec<ComparedRun<'_>>, Vec<ComparedRun<'_>>) =
            classifiers.iter().partition(|r| {
                r.run.evaluation.validated_proba.nrows() > 0
                    || matches!(r.run.stored_curves, StoredCurves::Classes(_))
            });
        egui::CollapsingHeader::new("Curves")
            .default_open(true)
            .show(ui, |ui| {
                for run in &without {
                    ui.weak(format!("#{} has no curves stored.", run.run.id));
                }
                if !drawable.is_empty() {
                    curves(ui, &drawable, &mut choices.class);
                }
            });
        egui::CollapsingHeader::new("Confusion matrices")
            .default_open(true)
            .show(ui, |ui| {
                confusion_matrices(ui, &classifiers, &mut choices.shares)
            });
    }
    if !regressors.is_empty() {
        egui::CollapsingHeader::new("Predictions and residuals")
            .default_open(true)
            .show(ui, |ui| super::compare_regression::show(ui, &regressors));
    }
    egui::CollapsingHeader::new("Spread over folds")
        .default_open(true)
        .show(ui, |ui| fold_spread(ui, runs, &mut choices.spread_metric));
    ui.data_mut(|d| d.insert_temp(id, choices));
}

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

    fn legend_corner(self) -> Corner {
        match self {
            CurveKind::Roc => Corner::RightBottom,
            CurveKind::PrecisionRecall => Corner::LeftBottom,
            CurveKind::Calibration => Corner::LeftTop,
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
    let i = usize::from(classes.len() == 2);
    classes.get(i).cloned()
}

fn curves(ui: &mut egui::Ui, runs: &[ComparedRun<'_>], picked: &mut Option<String>) {
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
            "{}: curves as stored with the catalog version (up to {} points each); AUC and AP are measured on those points, and the Brier score needs the rows, which are not stored.",
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
        match *position {
            HoverPosition::NearDataPoint {
                plot_name,
                position,
                index,
            } if !plot_name.is_empty() => {
                let mut text = format!(
                    "{plot_name}\n{x_name} {:.3}\n{y_name} {:.3}",
                    position.x, position.y
                );
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
                    (_, Some(threshold)) => {
                        text.push_str(&format!("\nthreshold {threshold:.3}"));
                    }
                    _ => {}
                }
                Some(text)
            }
            HoverPosition::NearDataPoint { position, .. }
            | HoverPosition::Elsewhere { position } => Some(format!(
                "{x_name} {:.3}\n{y_name} {:.3}",
                position.x, position.y
            )),
        }
    };
    ui.vertical(|ui| {
        ui.set_width(side);
        ui.strong(kind.title());
        let (x_name, y_name) = kind.axes();
        Plot::new(("compare_curve", kind.title()))
            .width(side)
            .height(side)
            .legend(
                Legend::default()
                    .position(kind.legend_corner())
                    .follow_insertion_order(true)
                    .text_style(egui::TextStyle::Small),
            )
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
    });
}

/// Each row of a confusion matrix as shares of its total (a row with no rows is all 0).
fn row_shares(confusion: &[Vec<u64>]) -> Vec<Vec<f64>> {
    confusion
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            row.iter()
                .map(|&n| {
                    if total == 0 {
                        0.0
                    } else {
                        n as f64 / total as f64
                    }
                })
                .collect()
        })
        .collect()
}

/// A class name cut to fit a matrix header.
fn short_name(name: &str) -> String {
    const CHARS: usize = 10;
    match name.char_indices().nth(CHARS) {
        Some((i, _)) => format!("{}…", &name[..i]),
        None => name.to_string(),
    }
}

/// Split items of these widths into rows that fit `available` (each row holds at least one).
fn pack_rows(widths: &[f32], available: f32, gap: f32) -> Vec<std::ops::Range<usize>> {
    let mut rows = Vec::new();
    let mut start = 0;
    let mut used = 0.0;
    for (i, &width) in widths.iter().enumerate() {
        if i > start && used + gap + width > available {
            rows.push(start..i);
            start = i;
        }
        used = if i == start {
            width
        } else {
            used + gap + width
        };
    }
    if start < widths.len() {
        rows.push(start..widths.len());
    }
    rows
}

const MATRIX_CORNER: &str = "true \\ predicted";
const MATRIX_GAP: f32 = 2.0;
const MATRIX_ROW_HEIGHT: f32 = 26.0;

/// A class's name, or its number when the run does not name it.
fn class_name(evaluation: &Evaluation, i: usize) -> String {
    evaluation
        .classes
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("class {i}"))
}

/// The sizes of a run's confusion matrix, measured before drawing so that matrices can be
/// laid out in rows that fit.
struct MatrixLayout {
    classes: usize,
    /// Width of the column of true-class names.
    header: f32,
    cell: f32,
}

impl MatrixLayout {
    fn measure(ui: &egui::Ui, evaluation: &Evaluation) -> Self {
        let width = |text: String, style: egui::TextStyle| {
            let font = style.resolve(ui.style());
            ui.painter()
                .layout_no_wrap(text, font, Color32::WHITE)
                .size()
                .x
        };
        let confusion = confusion_of(evaluation);
        let classes = confusion.len();
        let names: Vec<String> = (0..classes)
            .map(|i| short_name(&class_name(evaluation, i)))
            .collect();
        let most = confusion.iter().flatten().max().copied();
        let header = names
            .iter()
            .map(|n| width(n.clone(), egui::TextStyle::Body))
            .chain([width(MATRIX_CORNER.into(), egui::TextStyle::Small)])
            .fold(0.0, f32::max)
            + 8.0;
        let cell = names
            .iter()
            .map(|n| width(n.clone(), egui::TextStyle::Small))
            .chain([
                width(most.unwrap_or(0).to_string(), egui::TextStyle::Body),
                width("0.00".into(), egui::TextStyle::Body),
            ])
            .fold(32.0, f32::max)
            + 12.0;
        MatrixLayout {
            classes,
            header,
            cell,
        }
    }

    /// The width the matrix, or the note standing in for it, takes.
    fn width(&self) -> f32 {
        if self.classes == 0 || self.classes > MAX_MATRIX_CLASSES {
            return 260.0;
        }
        let grid = self.header + self.classes as f32 * (self.cell + MATRIX_GAP);
        grid.max(260.0)
    }
}

/// The pooled confusion counts (empty for a regression run).
fn confusion_of(evaluation: &Evaluation) -> &[Vec<u64>] {
    evaluation
        .pooled
        .classification()
        .map_or(&[], |m| m.confusion.as_slice())
}

fn confusion_matrices(ui: &mut egui::Ui, runs: &[ComparedRun<'_>], shares: &mut bool) {
    ui.horizontal(|ui| {
        ui.radio_value(shares, false, "Counts");
        ui.radio_value(shares, true, "Share of each true class");
    });
    ui.weak(
        "Pooled out-of-fold predictions: rows are the true class, columns the predicted class.",
    );
    let layouts: Vec<MatrixLayout> = runs
        .iter()
        .map(|run| MatrixLayout::measure(ui, &run.run.evaluation))
        .collect();
    let widths: Vec<f32> = layouts.iter().map(MatrixLayout::width).collect();
    let gap = 24.0;
    for row in pack_rows(&widths, ui.available_width(), gap) {
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Min), |ui| {
            for i in row {
                ui.vertical(|ui| {
                    ui.set_width(widths[i]);
                    confusion_matrix(ui, &runs[i], &layouts[i], *shares);
                });
                ui.add_space(gap - ui.spacing().item_spacing.x);
            }
        });
        ui.add_space(8.0);
    }
}

fn confusion_matrix(ui: &mut egui::Ui, run: &ComparedRun<'_>, layout: &MatrixLayout, shares: bool) {
    let e = &run.run.evaluation;
    ui.horizontal(|ui| {
        ui.label(swatch(run.color));
        ui.add(egui::Label::new(RichText::new(run.run.title()).strong()).truncate());
    });
    let matrix = confusion_of(e);
    let k = layout.classes;
    if k == 0 {
        ui.weak("No validated predictions to count.");
        return;
    }
    if k > MAX_MATRIX_CLASSES {
        ui.weak(format!("{k} classes are too many to draw as a matrix."));
        return;
    }
    let share = row_shares(matrix);
    let most = matrix.iter().flatten().copied().max().unwrap_or(0).max(1);
    let left = egui::Layout::left_to_right(egui::Align::Center);
    egui::Grid::new(("compare_confusion", run.run.id))
        .spacing([MATRIX_GAP, MATRIX_GAP])
        .show(ui, |ui| {
            ui.allocate_ui_with_layout(egui::vec2(layout.header, 18.0), left, |ui| {
                ui.set_min_width(layout.header);
                ui.label(RichText::new(MATRIX_CORNER).small().weak());
            });
            for j in 0..k {
                let name = class_name(e, j);
                ui.add_sized(
                    [layout.cell, 18.0],
                    egui::Label::new(RichText::new(short_name(&name)).small()),
                )
                .on_hover_text(format!("predicted {name}"));
            }
            ui.end_row();
            for (i, row) in matrix.iter().enumerate() {
                let true_name = class_name(e, i);
                ui.allocate_ui_with_layout(
                    egui::vec2(layout.header, MATRIX_ROW_HEIGHT),
                    left,
                    |ui| {
                        ui.set_min_width(layout.header);
                        ui.label(short_name(&true_name))
                            .on_hover_text(format!("true {true_name}"));
                    },
                );
                for j in 0..k {
                    let count = row.get(j).copied().unwrap_or(0);
                    let fraction = share[i].get(j).copied().unwrap_or(0.0);
                    let (text, strength) = if shares {
                        (format!("{fraction:.2}"), fraction)
                    } else {
                        (count.to_string(), count as f64 / most as f64)
                    };
                    let hover = format!(
                        "true {true_name}, predicted {}: {count} rows, {:.1}% of true {true_name}",
                        class_name(e, j),
                        100.0 * fraction,
                    );
                    let size = egui::vec2(layout.cell, MATRIX_ROW_HEIGHT);
                    matrix_cell(ui, size, &text, strength as f32).on_hover_text(hover);
                }
                ui.end_row();
            }
        });
}

/// One coloured cell with its value; the colour grows with `strength` in [0, 1].
fn matrix_cell(ui: &mut egui::Ui, size: egui::Vec2, text: &str, strength: f32) -> egui::Response {
    let strength = strength.clamp(0.0, 1.0);
    let background = ui.painter().add(egui::Shape::Noop);
    let fill = ui
        .visuals()
        .extreme_bg_color
        .lerp_to_gamma(MATRIX_COLOR, strength);
    let text_color = if strength > 0.5 {
        Color32::WHITE
    } else {
        ui.visuals().text_color()
    };
    let cell = ui.allocate_ui_with_layout(
        size,
        egui::Layout::centered_and_justified(egui::Direction::TopDown),
        |ui| ui.label(RichText::new(text).color(text_color)),
    );
    ui.painter().set(
        background,
        egui::Shape::rect_filled(cell.response.rect, 2.0, fill),
    );
    cell.inner
}

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

fn fold_spread(ui: &mut egui::Ui, runs: &[ComparedRun<'_>], metric: &mut &'static str) {
    let available: Vec<&'static str> = METRICS
        .iter()
        .copied()
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
            .selected_text(metric_label(metric))
            .show_ui(ui, |ui| {
                for &m in &available {
                    ui.selectable_value(metric, m, metric_label(m));
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
        match *position {
            HoverPosition::NearDataPoint {
                plot_name,
                position,
                index,
            } if !plot_name.is_empty() => {
                let fold = fold_numbers
                    .iter()
                    .find(|(name, _)| name == plot_name)
                    .and_then(|(_, folds)| folds.get(index));
                Some(match fold {
                    Some(fold) => format!("{plot_name} {fold}: {:.4}", position.y),
                    None => format!("{plot_name}: {:.4}", position.y),
                })
            }
            _ => None,
        }
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
        .y_axis_label(metric_label(chosen))
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
    fn items_are_packed_into_rows_that_fit() {
        assert_eq!(pack_rows(&[300.0; 3], 1000.0, 10.0), vec![0..3]);
        assert_eq!(pack_rows(&[300.0; 3], 900.0, 10.0), vec![0..2, 2..3]);
        assert_eq!(
            pack_rows(&[500.0, 200.0, 450.0], 700.0, 0.0),
            vec![0..2, 2..3]
        );
        // Too wide for any row: alone on its own.
        assert_eq!(pack_rows(&[800.0, 100.0], 500.0, 10.0), vec![0..1, 1..2]);
        assert!(pack_rows(&[], 500.0, 10.0).is_empty());
    }

    #[test]
    fn row_shares_sum_to_one_per_seen_class() {
        let shares = row_shares(&[vec![3, 1], vec![0, 0]]);
        assert_eq!(shares, vec![vec![0.75, 0.25], vec![0.0, 0.0]]);
    }

    #[test]
    fn binary_curves_default_to_the_positive_class() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(default_class(&names(&["no", "yes"])), Some("yes".into()));
        assert_eq!(default_class(&names(&["a", "b", "c"])), Some("a".into()));
        assert_eq!(default_class(&[]), None);
        assert_eq!(short_name("Chinstrap penguin"), "Chinstrap …");
        assert_eq!(short_name("Adelie"), "Adelie");
    }
}
