//! Compare's list of runs recorded in the catalog by earlier sessions (and by the command
//! line): filtered by dataset, algorithm and status; a finished run is ticked to compare it
//! like a run of this session (it is read back first), and then registered, scored or
//! exported; a run never registered can be deleted, once confirmed.

use eframe::egui::{self, RichText};

use crate::catalog::{RunFilter, RunStatus, RunSummary};
use crate::gui::command::{Command, ScoreSource};
use crate::jobs::{RunList, TrainingRun};

/// Recorded runs shown at most; the filters find older ones.
pub const SHOWN_RUNS: u64 = 200;

/// What the list's own controls chose: the filters, and the run whose deletion is asked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunsDraft {
    pub filter: RunFilter,
    pub confirm_delete: Option<i64>,
}

/// The recorded runs as a catalog job last read them.
#[derive(Debug, Clone, Copy)]
pub struct RecordedRuns<'a> {
    pub list: &'a RunList,
    pub loading: bool,
    /// Why they could not be read.
    pub error: Option<&'a str>,
}

impl RecordedRuns<'_> {
    /// Whether there is nothing to show, nor anything that could be filtered.
    pub fn is_empty(&self) -> bool {
        self.list.runs.is_empty() && self.list.datasets.is_empty()
    }
}

/// "Run 12 · logistic regression on iris".
pub fn run_title(run: &RunSummary) -> String {
    let algorithm = crate::ml::spec::ModelSpec::title_of(&run.algorithm).unwrap_or(&run.algorithm);
    format!(
        "Run {} · {algorithm} on {}",
        run.id,
        run.dataset.as_deref().unwrap_or("?")
    )
}

/// Draw the list. `session` holds the runs of this session, among them the recorded runs
/// already read back (`recorded` set, no table).
pub fn show(
    ui: &mut egui::Ui,
    recorded: RecordedRuns<'_>,
    session: &[TrainingRun],
    ticked: &[u64],
    draft: &mut RunsDraft,
    commands: &mut Vec<Command>,
) {
    ui.heading("Earlier runs");
    ui.weak("Every run is kept in the catalog; tick one to compare it.");
    filters(ui, recorded.list, &mut draft.filter);
    if let Some(error) = recorded.error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    // Runs trained in this session are in the list above.
    let trained_here = |id: i64| {
        session
            .iter()
            .any(|r| r.table.is_some() && r.recorded == Some(id))
    };
    let shown: Vec<&RunSummary> = recorded
        .list
        .runs
        .iter()
        .filter(|r| !trained_here(r.id))
        .collect();
    if shown.is_empty() {
        ui.weak(if recorded.loading {
            "Reading the catalog…"
        } else {
            "No earlier runs match."
        });
    }
    for run in shown {
        ui.push_id(("recorded_run", run.id), |ui| {
            let loaded = session
                .iter()
                .find(|r| r.table.is_none() && r.recorded == Some(run.id));
            row(ui, run, loaded, ticked, draft, commands);
        });
    }
    if recorded.list.runs.len() as u64 >= SHOWN_RUNS {
        ui.weak(format!(
            "The newest {SHOWN_RUNS} are shown; the filters find older runs."
        ));
    }
}

fn filters(ui: &mut egui::Ui, list: &RunList, filter: &mut RunFilter) {
    let combo = |ui: &mut egui::Ui, label: &str, chosen: &mut Option<String>, all: &[String]| {
        ui.horizontal(|ui| {
            let name = ui.label(label);
            egui::ComboBox::from_id_salt(("recorded_runs_filter", label))
                .selected_text(chosen.as_deref().unwrap_or("all"))
                .show_ui(ui, |ui| {
                    ui.selectable_value(chosen, None, "all");
                    for value in all {
                        ui.selectable_value(chosen, Some(value.clone()), value);
                    }
                })
                .response
                .labelled_by(name.id);
        });
    };
    combo(ui, "Dataset", &mut filter.dataset, &list.datasets);
    combo(ui, "Algorithm", &mut filter.algorithm, &list.algorithms);
    ui.horizontal(|ui| {
        let name = ui.label("Status");
        egui::ComboBox::from_id_salt("recorded_runs_status")
            .selected_text(filter.status.map_or("all", RunStatus::name))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.status, None, "all");
                for status in RunStatus::ALL {
                    ui.selectable_value(&mut filter.status, Some(status), status.name());
                }
            })
            .response
            .labelled_by(name.id);
    });
}

fn row(
    ui: &mut egui::Ui,
    run: &RunSummary,
    loaded: Option<&TrainingRun>,
    ticked: &[u64],
    draft: &mut RunsDraft,
    commands: &mut Vec<Command>,
) {
    let title = run_title(run);
    let when = crate::gui::local_time(&run.ended_at);
    if run.status == RunStatus::Finished {
        let was_ticked = loaded.is_some_and(|r| ticked.contains(&r.id));
        let mut now_ticked = was_ticked;
        ui.checkbox(&mut now_ticked, &title)
            .on_hover_text(format!("Trained {when} by {}", run.created_by));
        if now_ticked != was_ticked {
            commands.push(Command::TickRecordedRun {
                id: run.id,
                ticked: now_ticked,
            });
        }
    } else {
        let hover = match &run.error {
            Some(error) => format!("{} {when}: {error}", run.status.name()),
            None => format!("{} {when}", run.status.name()),
        };
        ui.label(RichText::new(&title).weak()).on_hover_text(hover);
    }
    ui.indent("recorded_run_summary", |ui| {
        // As this session's runs read above.
        let metric = [("accuracy", "accuracy"), ("r2", "R²")]
            .iter()
            .find_map(|&(key, name)| Some(format!("{name} {:.3} · ", run.metrics.get(key)?)));
        ui.weak(format!("{}{when}", metric.unwrap_or_default()));
        match run.status {
            RunStatus::Finished => {}
            RunStatus::Failed => {
                let error = run.error.as_deref().unwrap_or("no reason recorded");
                ui.colored_label(ui.visuals().error_fg_color, format!("failed: {error}"));
            }
            RunStatus::Cancelled => {
                ui.colored_label(ui.visuals().warn_fg_color, "cancelled");
            }
        }
        if let Some((model, version)) = &run.version {
            ui.weak(format!("registered as {model} v{version}"));
        }
        ui.horizontal_wrapped(|ui| actions(ui, run, loaded, draft, commands));
    });
}

/// Register, score and export once read back; delete, once confirmed, unless registered.
fn actions(
    ui: &mut egui::Ui,
    run: &RunSummary,
    loaded: Option<&TrainingRun>,
    draft: &mut RunsDraft,
    commands: &mut Vec<Command>,
) {
    if draft.confirm_delete == Some(run.id) {
        ui.label(format!("Delete run {} for good?", run.id));
        if ui.small_button("Delete").clicked() {
            commands.push(Command::DeleteRecordedRun(run.id));
            draft.confirm_delete = None;
        }
        if ui.small_button("Keep").clicked() {
            draft.confirm_delete = None;
        }
        return;
    }
    if let Some(session) = loaded {
        if run.version.is_none()
            && ui
                .small_button("Register…")
                .on_hover_text("Keep this model in the catalog as a version made from this run")
                .clicked()
        {
            commands.push(Command::OpenRegister(session.id));
        }
        if ui
            .small_button("Score…")
            .on_hover_text("Score a file with this run's model")
            .clicked()
        {
            commands.push(Command::ScoreWith(ScoreSource::Run(session.id)));
            commands.push(Command::ShowView(crate::gui::View::Score));
        }
        if ui
            .small_button("Export ONNX…")
            .on_hover_text("One ONNX file with the recipe and the model")
            .clicked()
        {
            commands.push(Command::AskExportOnnx(ScoreSource::Run(session.id)));
        }
    }
    if run.version.is_none()
        && ui
            .small_button("Delete…")
            .on_hover_text("Remove this run from the catalog")
            .clicked()
    {
        draft.confirm_delete = Some(run.id);
    }
}
