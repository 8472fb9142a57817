//! The Compare view: the runs ticked for comparison side by side — a table of each metric's
//! mean ± std over folds with the best run marked (copyable as CSV), then the plots of
//! [`super::compare_plots`]. Ticking a run is a [`Command`]; the sort order and the plots'
//! choices are presentation state kept in egui's memory.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::compare_inspect::{self, RunsInspection};
use super::compare_plots::{self, run_color, ComparedRun};
use super::learned_panel;
use super::recorded_runs_panel::{self, RecordedRuns, RunsDraft};
use crate::data::CsvText;
use crate::gui::command::{CatalogCommand, Command, ScoreSource};
use crate::jobs::TrainingRun;
use crate::ml::eval::{Evaluation, Validation};
use crate::ml::metric_registry::{self, Prominence};

/// Runs drawn in the plots at most; the table shows every ticked run.
const MAX_PLOTTED: usize = 8;

/// The metrics the table shows, in the registry's order, where the runs have them (the
/// weighted averages are left to the report).
pub(super) fn table_metrics() -> impl Iterator<Item = &'static str> {
    metric_registry::METRICS
        .iter()
        .filter(|m| m.prominence <= Prominence::Standard)
        .map(|m| m.key)
}

/// One run's scores as the table reads them.
#[derive(Debug, Clone, Copy)]
struct Scores<'a> {
    mean: &'a BTreeMap<&'static str, f64>,
    std: &'a BTreeMap<&'static str, f64>,
}

impl<'a> Scores<'a> {
    fn of(evaluation: &'a Evaluation) -> Self {
        Scores {
            mean: &evaluation.mean,
            std: &evaluation.std,
        }
    }
}

/// One metric across runs: (mean, std) per run, `None` where a run lacks the metric.
#[derive(Debug, Clone, PartialEq)]
struct MetricRow {
    metric: &'static str,
    cells: Vec<Option<(f64, f64)>>,
    /// The cells holding the best mean.
    best: Vec<bool>,
}

/// The table's rows: every metric of [`table_metrics`] that at least one run has.
fn metric_rows(runs: &[Scores<'_>]) -> Vec<MetricRow> {
    table_metrics()
        .filter_map(|metric| {
            let cells: Vec<Option<(f64, f64)>> = runs
                .iter()
                .map(|s| {
                    let std = s.std.get(metric).copied().unwrap_or(f64::NAN);
                    s.mean.get(metric).map(|&mean| (mean, std))
                })
                .collect();
            if cells.iter().all(Option::is_none) {
                return None;
            }
            let means: Vec<Option<f64>> = cells.iter().map(|c| c.map(|(m, _)| m)).collect();
            Some(MetricRow {
                metric,
                best: metric_registry::best_marks(metric, &means),
                cells,
            })
        })
        .collect()
}

/// Positions of the runs, best `metric` first; runs without a finite value keep their
/// order at the end.
fn ranking(runs: &[Scores<'_>], metric: &str) -> Vec<usize> {
    let value = |i: usize| runs[i].mean.get(metric).copied().filter(|v| v.is_finite());
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| match (value(a), value(b)) {
        (Some(x), Some(y)) => metric_registry::better(metric, x, y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    order
}

/// The table as CSV: `metric`, then a mean and a std column per run, full precision,
/// empty where a run lacks the metric.
fn metric_csv(titles: &[String], rows: &[MetricRow]) -> String {
    let mut csv = CsvText::new();
    csv.field("metric");
    for title in titles {
        csv.field(&format!("{title} mean"));
        csv.field(&format!("{title} std"));
    }
    csv.end_record();
    for row in rows {
        csv.field(row.metric);
        for cell in &row.cells {
            let (mean, std) = match cell {
                Some((mean, std)) => (mean.to_string(), std.to_string()),
                None => (String::new(), String::new()),
            };
            csv.field(&mean);
            csv.field(&std);
        }
        csv.end_record();
    }
    csv.finish()
}

/// "0.953 ± 0.021", with the metric's decimals; a single fold (hold-out) has no spread to
/// show.
fn format_cell(metric: &str, mean: f64, std: f64, folds: usize) -> String {
    let shown = |value| metric_registry::format(metric, value);
    if !mean.is_finite() {
        "undefined".to_string()
    } else if folds > 1 && std.is_finite() {
        format!("{} ± {}", shown(mean), shown(std))
    } else {
        shown(mean)
    }
}

/// Text joined from parts, so that a symbol can come from the monospace font: the
/// proportional one has no ●, ■ or ↓.
pub(super) fn joined(
    ui: &egui::Ui,
    parts: impl IntoIterator<Item = RichText>,
) -> egui::text::LayoutJob {
    let mut job = egui::text::LayoutJob::default();
    for part in parts {
        part.append_to(
            &mut job,
            ui.style(),
            egui::FontSelection::Default,
            egui::Align::Center,
        );
    }
    job
}

/// A square of a run's colour, as the plots draw it.
pub(super) fn swatch(color: egui::Color32) -> RichText {
    RichText::new("■").monospace().color(color)
}

/// How a run was validated, in words.
fn validation_text(validation: &Validation) -> String {
    match validation {
        Validation::CrossValidation { folds, seed } => {
            format!("{folds}-fold stratified cross-validation (seed {seed})")
        }
        Validation::Holdout { fraction, seed } => format!(
            "stratified hold-out of {:.0}% of the rows (seed {seed})",
            fraction * 100.0
        ),
    }
}

/// What the hover over a run says: how it was validated, on what, how long it took.
fn run_details(run: &TrainingRun) -> String {
    let e = &run.evaluation;
    let mut text = format!(
        "{}\nPredicting '{}' ({} classes)\n{}\n{} rows used, {} dropped (no target value)\nTrained and validated in {}",
        run.title(),
        e.target,
        e.classes.len(),
        validation_text(&e.validation),
        e.rows_used,
        e.rows_dropped,
        crate::ml::metric_display::format_seconds(e.train_seconds)
    );
    if !e.warnings.is_empty() {
        text.push_str("\nWarnings:");
        for warning in &e.warnings {
            let _ = write!(text, "\n• {warning}");
        }
    }
    text
}

/// Draw the Compare view: the runs of this session and the earlier runs recorded in the
/// catalog on the left, the comparison of the ticked ones beside it.
pub fn show(
    ui: &mut egui::Ui,
    runs: &[TrainingRun],
    ticked: &[u64],
    recorded: RecordedRuns<'_>,
    draft: &mut RunsDraft,
    inspection: &RunsInspection<'_>,
    commands: &mut Vec<Command>,
) {
    if runs.is_empty() && recorded.is_empty() {
        ui.vertical_centered(|ui| {
            ui.add_space(60.0);
            ui.heading("No trained models yet");
            ui.label(
                "Train models in Train first; each run then appears here to tick and compare.",
            );
        });
        return;
    }
    egui::Panel::left("compare_run_list")
        .default_size((ui.available_width() * 0.3).clamp(180.0, 250.0))
        .min_size(180.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("compare_run_list_scroll")
                .show(ui, |ui| {
                    run_list(ui, runs, ticked, commands);
                    ui.separator();
                    recorded_runs_panel::show(ui, recorded, runs, ticked, draft, commands);
                });
        });
    // In tick order, so ticking another run adds a column and leaves the others' colours be.
    let mut compared: Vec<&TrainingRun> = Vec::new();
    for id in ticked {
        if let Some(run) = runs.iter().find(|r| r.id == *id) {
            if !compared.iter().any(|c| c.id == run.id) {
                compared.push(run);
            }
        }
    }
    // The app's panel already has margins; keep only a gap from the run list.
    let frame = egui::Frame::NONE.inner_margin(egui::Margin {
        left: 8,
        ..egui::Margin::ZERO
    });
    egui::CentralPanel::no_frame().frame(frame).show(ui, |ui| {
        if compared.is_empty() {
            ui.vertical_centered(|ui| {
                ui.add_space(60.0);
                ui.label("Tick runs on the left to compare them.");
            });
            return;
        }
        let registered: Vec<(String, i64)> = compared
            .iter()
            .filter_map(|r| r.registered.clone())
            .collect();
        let all_registered = registered.len() == compared.len();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(all_registered, egui::Button::new("Export report…"))
                .on_hover_text(
                    "One self-contained HTML file comparing these models, from the catalog",
                )
                .on_disabled_hover_text(
                    "Register every ticked run first: the report is built from the catalog",
                )
                .clicked()
            {
                // What may leave the desk; the Catalog view offers exact values and paths.
                let policy = crate::report::SharePolicy::default();
                commands.push(Command::Catalog(CatalogCommand::ExportReport(
                    registered, policy,
                )));
            }
        });
        egui::ScrollArea::vertical()
            .id_salt("compare_scroll")
            .content_margin(super::room_for_scroll_bar(ui))
            .auto_shrink(false)
            .show(ui, |ui| {
                comparison(ui, &compared, inspection, commands);
                super::compare_why_row::show(ui, &compared, inspection.rows_explained, commands);
            });
    });
}

fn run_list(ui: &mut egui::Ui, runs: &[TrainingRun], ticked: &[u64], commands: &mut Vec<Command>) {
    ui.heading("Runs");
    ui.weak("Tick runs to compare them.");
    ui.separator();
    // Recorded runs read back are ticked in the earlier runs' list.
    let session = || {
        runs.iter()
            .filter(|r| r.table.is_some() || r.recorded.is_none())
    };
    if session().next().is_none() {
        ui.weak("None trained in this session yet.");
    }
    for run in session() {
        let was_ticked = ticked.contains(&run.id);
        let mut now_ticked = was_ticked;
        ui.checkbox(&mut now_ticked, run.title())
            .on_hover_text(run_details(run));
        if now_ticked != was_ticked {
            commands.push(Command::TickRun {
                id: run.id,
                ticked: now_ticked,
            });
        }
        let e = &run.evaluation;
        ui.indent(("run_summary", run.id), |ui| {
            let recorded = run.recorded.map(|r| format!(" · run {r}")).unwrap_or_default();
            if let Some(accuracy) = e.mean.get("accuracy") {
                ui.weak(format!("accuracy {accuracy:.3} · {} rows{recorded}", e.rows_used));
            } else if let Some(r2) = e.mean.get("r2") {
                ui.weak(format!("R² {r2:.3} · {} rows{recorded}", e.rows_used));
            }
            ui.horizontal_wrapped(|ui| {
                match (&run.registered, &run.table) {
                    (Some((model, version)), Some(_)) => {
                        ui.weak(format!("registered as {model} v{version}"));
                    }
                    (None, Some(_))
                        if ui
                            .small_button("Register…")
                            .on_hover_text(
                                "Keep this model in the catalog, as a new model or a new version of one",
                            )
                            .clicked() =>
                    {
                        commands.push(Command::OpenRegister(run.id));
                    }
                    _ => {}
                }
                if ui
                    .small_button("Export ONNX…")
                    .on_hover_text(
                        "One ONNX file with the recipe and the model, for ONNX Runtime in any language",
                    )
                    .clicked()
                {
                    commands.push(Command::AskExportOnnx(ScoreSource::Run(run.id)));
                }
            });
            if !e.warnings.is_empty() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{} warning(s), hover the run", e.warnings.len()),
                );
            }
        });
    }
    // Always there, so that ticking a run never moves the earlier runs below.
    ui.separator();
    if ui
        .add_enabled(!ticked.is_empty(), egui::Button::new("Untick all"))
        .clicked()
    {
        for &id in ticked {
            commands.push(Command::TickRun { id, ticked: false });
        }
    }
}

/// The comparison of the ticked runs (at least one), in one scrolling column.
fn comparison(
    ui: &mut egui::Ui,
    compared: &[&TrainingRun],
    inspection: &RunsInspection<'_>,
    commands: &mut Vec<Command>,
) {
    let sort_id = egui::Id::unique("compare_view_sort_by");
    let mut sort_by: Option<&'static str> = ui.data(|d| d.get_temp(sort_id)).flatten();
    let scores: Vec<Scores<'_>> = compared.iter().map(|r| Scores::of(&r.evaluation)).collect();
    let order = match sort_by {
        Some(metric) => ranking(&scores, metric),
        None => (0..compared.len()).collect(),
    };
    // Colours follow the tick order, so sorting does not repaint a run.
    let ordered: Vec<ComparedRun<'_>> = order
        .iter()
        .map(|&i| ComparedRun {
            run: compared[i],
            color: run_color(i),
        })
        .collect();
    let ordered_scores: Vec<Scores<'_>> = order.iter().map(|&i| scores[i]).collect();
    let rows = metric_rows(&ordered_scores);

    ui.heading(match compared.len() {
        1 => "1 run".to_string(),
        n => format!("Comparing {n} runs"),
    });
    let first = &compared[0].evaluation;
    if compared
        .iter()
        .any(|r| r.dataset != compared[0].dataset || r.evaluation.target != first.target)
    {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "These runs predict different targets or come from different datasets: their scores are not directly comparable.",
        );
    } else if compared
        .iter()
        .any(|r| r.evaluation.validation != first.validation)
    {
        ui.weak("These runs were validated differently (folds, hold-out or seed); hover a run for its scheme.");
    }

    egui::CollapsingHeader::new("Metrics")
        .default_open(true)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Sort runs by");
                egui::ComboBox::from_id_salt("compare_sort_by")
                    .selected_text(sort_by.map_or("order ticked", metric_registry::label))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut sort_by, None, "order ticked");
                        for row in &rows {
                            ui.selectable_value(
                                &mut sort_by,
                                Some(row.metric),
                                metric_registry::label(row.metric),
                            );
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if ui
                    .button("Copy as CSV")
                    .on_hover_text("Copy the table, with a mean and a std column per run")
                    .clicked()
                {
                    let titles: Vec<String> = ordered.iter().map(|r| r.run.title()).collect();
                    ui.ctx().copy_text(metric_csv(&titles, &rows));
                }
            });
            metric_table(ui, &ordered, &rows);
            let note = joined(
                ui,
                [
                    RichText::new("Mean ± standard deviation over validation folds. ").weak(),
                    RichText::new("●").monospace().weak(),
                    RichText::new(" marks the best run; losses (").weak(),
                    RichText::new("↓").monospace().weak(),
                    RichText::new(") are better when lower.").weak(),
                ],
            );
            ui.label(note);
        });
    ui.data_mut(|d| d.insert_temp(sort_id, sort_by));

    let plotted = &ordered[..ordered.len().min(MAX_PLOTTED)];
    if ordered.len() > MAX_PLOTTED {
        ui.weak(format!(
            "The plots show the first {MAX_PLOTTED} of {} runs, in table order.",
            ordered.len()
        ));
    }
    compare_plots::show(ui, plotted);

    egui::CollapsingHeader::new("What each model learned")
        .default_open(false)
        .show(ui, |ui| {
            for compared in &ordered {
                let run = compared.run;
                egui::CollapsingHeader::new(RichText::new(run.title()).color(compared.color))
                    .id_salt(("learned_run", run.id, &run.registered))
                    .default_open(ordered.len() == 1)
                    .show(ui, |ui| {
                        let of = learned_panel::LearnedOf {
                            model: &run.model,
                            training_file: run.table.as_ref().map(|t| t.source.as_path()),
                            name: match &run.registered {
                                Some((model, version)) => format!("{model}-v{version}"),
                                None => format!("{}-{}", run.dataset, run.model.spec.name()),
                            },
                        };
                        learned_panel::show(ui, &run.learned, &of, commands, run.id)
                    });
            }
        });
    egui::CollapsingHeader::new("Which features matter")
        .default_open(false)
        .show(ui, |ui| {
            compare_inspect::show(ui, &ordered, inspection, commands)
        });
}

fn metric_table(ui: &mut egui::Ui, runs: &[ComparedRun<'_>], rows: &[MetricRow]) {
    egui::ScrollArea::horizontal()
        .id_salt("compare_metric_table_scroll")
        .show(ui, |ui| {
            TableBuilder::new(ui)
                .id_salt("compare_metric_table")
                .striped(true)
                .vscroll(false)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .column(Column::auto().at_least(150.0))
                .columns(
                    Column::initial(230.0)
                        .at_least(110.0)
                        .clip(true)
                        .resizable(true),
                    runs.len(),
                )
                .header(24.0, |mut header| {
                    header.col(|ui| {
                        ui.strong("Metric");
                    });
                    for run in runs {
                        header.col(|ui| {
                            ui.label(swatch(run.color));
                            ui.strong(run.run.title())
                                .on_hover_text(run_details(run.run));
                        });
                    }
                })
                .body(|mut body| {
                    for row in rows {
                        body.row(22.0, |mut table_row| {
                            table_row.col(|ui| metric_name_cell(ui, row.metric));
                            for (i, cell) in row.cells.iter().enumerate() {
                                let folds = runs[i].run.evaluation.folds.len();
                                table_row.col(|ui| {
                                    metric_value_cell(ui, row.metric, *cell, row.best[i], folds)
                                });
                            }
                        });
                    }
                });
        });
}

fn metric_name_cell(ui: &mut egui::Ui, metric: &'static str) {
    let name = metric_registry::label(metric);
    let tooltip = metric_registry::tooltip(metric);
    if metric_registry::higher_is_better(metric) {
        ui.label(name).on_hover_text(tooltip);
    } else {
        let text = joined(
            ui,
            [
                RichText::new(format!("{name} ")),
                RichText::new("↓").monospace(),
            ],
        );
        ui.label(text).on_hover_text(tooltip);
    }
}

fn metric_value_cell(
    ui: &mut egui::Ui,
    metric: &str,
    cell: Option<(f64, f64)>,
    best: bool,
    folds: usize,
) {
    let Some((mean, std)) = cell else {
        ui.weak("—")
            .on_hover_text("This run has no such metric (the Brier score is for two classes only)");
        return;
    };
    let text = format_cell(metric, mean, std, folds);
    if best {
        let text = joined(
            ui,
            [
                RichText::new("● ").monospace().strong(),
                RichText::new(text).strong(),
            ],
        );
        ui.label(text).on_hover_text("Best of the compared runs");
    } else {
        ui.label(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::record::StoredCurves;
    use crate::gui::explanations::Explanations;
    use eframe::egui::accesskit::Role as AccessRole;
    use egui_kittest::kittest::Queryable;
    use egui_kittest::Harness;

    fn summary(
        values: &[(&'static str, f64, f64)],
    ) -> (BTreeMap<&'static str, f64>, BTreeMap<&'static str, f64>) {
        let mean = values.iter().map(|&(m, v, _)| (m, v)).collect();
        let std = values.iter().map(|&(m, _, s)| (m, s)).collect();
        (mean, std)
    }

    #[test]
    fn best_values_are_marked_with_losses_lower_is_better() {
        let a = summary(&[
            ("accuracy", 0.90, 0.01),
            ("log_loss", 0.30, 0.02),
            ("brier", 0.08, 0.0),
        ]);
        let b = summary(&[("accuracy", 0.95, 0.02), ("log_loss", 0.25, 0.03)]);
        let c = summary(&[("accuracy", 0.95, 0.00), ("log_loss", 0.40, 0.01)]);
        let scores: Vec<Scores<'_>> = [&a, &b, &c]
            .iter()
            .map(|(mean, std)| Scores { mean, std })
            .collect();
        let rows = metric_rows(&scores);
        let row = |m: &str| rows.iter().find(|r| r.metric == m).unwrap();
        // Ties share the star.
        assert_eq!(row("accuracy").best, vec![false, true, true]);
        assert_eq!(row("log_loss").best, vec![false, true, false]);
        // Only one run has a Brier score: nothing to beat, nothing marked.
        assert_eq!(row("brier").cells, vec![Some((0.08, 0.0)), None, None]);
        assert_eq!(row("brier").best, vec![false, false, false]);
        // Metrics no run has are left out; the order is the table's.
        let names: Vec<&str> = rows.iter().map(|r| r.metric).collect();
        assert_eq!(names, vec!["accuracy", "log_loss", "brier"]);
    }

    #[test]
    fn sorting_puts_the_best_run_first_and_missing_last() {
        let a = summary(&[("accuracy", 0.90, 0.0), ("log_loss", 0.30, 0.0)]);
        let b = summary(&[("accuracy", 0.95, 0.0)]);
        let c = summary(&[("accuracy", 0.80, 0.0), ("log_loss", 0.20, 0.0)]);
        let scores: Vec<Scores<'_>> = [&a, &b, &c]
            .iter()
            .map(|(mean, std)| Scores { mean, std })
            .collect();
        assert_eq!(ranking(&scores, "accuracy"), vec![1, 0, 2]);
        assert_eq!(ranking(&scores, "log_loss"), vec![2, 0, 1]);
    }

    #[test]
    fn csv_has_a_mean_and_std_column_per_run_and_quotes_titles() {
        let rows = vec![
            MetricRow {
                metric: "accuracy",
                cells: vec![Some((0.95, 0.02)), Some((0.9, 0.0))],
                best: vec![true, false],
            },
            MetricRow {
                metric: "brier",
                cells: vec![None, Some((0.125, 0.5))],
                best: vec![false, false],
            },
        ];
        let titles = vec![
            "#1 logistic regression on iris".to_string(),
            "#2 logistic regression on \"sales, 2024\"".to_string(),
        ];
        assert_eq!(
            metric_csv(&titles, &rows),
            "metric,#1 logistic regression on iris mean,#1 logistic regression on iris std,\
             \"#2 logistic regression on \"\"sales, 2024\"\" mean\",\
             \"#2 logistic regression on \"\"sales, 2024\"\" std\"\n\
             accuracy,0.95,0.02,0.9,0\n\
             brier,,,0.125,0.5\n"
        );
    }

    #[test]
    fn cells_show_spread_only_when_there_are_folds() {
        assert_eq!(format_cell("accuracy", 0.95333, 0.0212, 5), "0.953 ± 0.021");
        assert_eq!(format_cell("accuracy", 0.95333, 0.0, 1), "0.953");
        assert_eq!(format_cell("accuracy", f64::NAN, 0.0, 5), "undefined");
    }

    #[test]
    fn validation_schemes_read_as_words() {
        assert_eq!(
            validation_text(&Validation::CrossValidation { folds: 5, seed: 0 }),
            "5-fold stratified cross-validation (seed 0)"
        );
        assert_eq!(
            validation_text(&Validation::Holdout {
                fraction: 0.25,
                seed: 7
            }),
            "stratified hold-out of 25% of the rows (seed 7)"
        );
    }

    /// A run trained for real on a bundled sample, as the Train view would make it.
    fn trained(id: u64, file: &str, target: &str, c: f64) -> TrainingRun {
        use crate::ml::eval::train_and_validate;
        use crate::ml::prep::Recipe;
        use crate::ml::spec::{LogisticSpec, ModelSpec};
        use crate::ml::target::sample_with_target;

        let table = sample_with_target(file, target);
        let spec = ModelSpec::LogisticRegression(LogisticSpec {
            c,
            max_iterations: 300,
            ..LogisticSpec::default()
        });
        let (evaluation, model) = train_and_validate(
            &table,
            target,
            None,
            &Recipe::default_for(&table),
            &spec,
            Validation::default(),
            &mut |_, _| true,
        )
        .unwrap();
        TrainingRun {
            id,
            dataset: table.name.clone(),
            evaluation,
            learned: crate::ml::learned::what_it_learned(&model),
            model,
            table: None,
            registered: None,
            recorded: None,
            stored_curves: StoredCurves::None,
        }
    }

    fn harness(runs: Vec<TrainingRun>, ticked: Vec<u64>) -> Harness<'static, Vec<Command>> {
        let recorded = crate::jobs::RunList::default();
        let mut draft = RunsDraft::default();
        Harness::builder()
            .with_size(egui::vec2(1280.0, 800.0))
            .build_ui_state(
                move |ui, commands: &mut Vec<Command>| {
                    let recorded = RecordedRuns {
                        list: &recorded,
                        loading: false,
                        error: None,
                    };
                    let explanations = std::collections::HashMap::new();
                    let jobs = crate::jobs::Jobs::default();
                    let rows_explained = Explanations::default();
                    let inspection = RunsInspection {
                        explanations: &explanations,
                        jobs: &jobs,
                        rows_explained: &rows_explained,
                    };
                    show(
                        ui,
                        &runs,
                        &ticked,
                        recorded,
                        &mut draft,
                        &inspection,
                        commands,
                    )
                },
                Vec::new(),
            )
    }

    #[test]
    fn compared_runs_show_the_best_and_unticking_is_a_command() {
        let runs = vec![
            trained(1, "iris.csv", "species", 1.0),
            trained(2, "iris.csv", "species", 0.01),
            trained(3, "breast_cancer.csv", "diagnosis", 1.0),
        ];
        // The accessibility check runs on every settled frame.
        let mut harness = harness(runs, vec![1, 2, 3]);
        harness.run();
        harness.get_by_label("Comparing 3 runs");
        harness.get_by_label_contains("predict different targets");
        assert!(harness.get_all_by_label_contains("● ").count() >= 5);
        // Curves are of the first run's first class; the binary run has no such class.
        harness.get_by_label("#3 has no class 'setosa'.");
        harness
            .get_by_role_and_label(AccessRole::CheckBox, "#2 logistic regression on iris")
            .click();
        harness.run();
        assert_eq!(
            harness.state(),
            &vec![Command::TickRun {
                id: 2,
                ticked: false
            }]
        );
        harness.get_by_label("Copy as CSV").click();
        harness.step();
        let copied = harness
            .output()
            .platform_output
            .commands
            .iter()
            .find_map(|c| match c {
                egui::OutputCommand::CopyText(text) => Some(text.clone()),
                _ => None,
            });
        let copied = copied.expect("the table is copied");
        assert!(copied.starts_with("metric,#1 logistic regression on iris mean,"));
        assert_eq!(copied.lines().count(), 1 + 11, "{copied}");
    }

    #[test]
    fn without_runs_the_view_points_to_train() {
        let mut harness = harness(Vec::new(), Vec::new());
        harness.run();
        harness.get_by_label_contains("Train models in Train first");
    }
}
