//! Compare's "Which features matter": for each compared run of this session, its
//! permutation importance on the validation rows of each fold and its partial dependence,
//! asked for here and computed by jobs; a version read back from the catalog points to its
//! page, where they are kept.

use std::collections::HashMap;

use eframe::egui::{self, RichText};

use super::compare_plots::ComparedRun;
use super::inspect_panel::{self, InspectDraft, Subject};
use crate::gui::command::{Command, ExplainOf};
use crate::jobs::{Jobs, RunExplanations};
use crate::ml::metric_registry::{self, Prominence};

/// What the section shows besides the runs: what was computed, and the jobs computing.
pub struct RunsInspection<'a> {
    pub explanations: &'a HashMap<u64, RunExplanations>,
    pub jobs: &'a Jobs,
    /// The rows explained for Compare's "Why this row".
    pub rows_explained: &'a crate::gui::explanations::Explanations,
}

/// The headline metrics a run has, in the registry's order.
fn metrics_of(has: impl Fn(&str) -> bool) -> Vec<&'static str> {
    metric_registry::METRICS
        .iter()
        .filter(|m| m.prominence == Prominence::Headline)
        .map(|m| m.key)
        .filter(|key| has(key))
        .collect()
}

/// Draw the section for the compared runs.
pub(super) fn show(
    ui: &mut egui::Ui,
    runs: &[ComparedRun<'_>],
    inspection: &RunsInspection<'_>,
    commands: &mut Vec<Command>,
) {
    let empty = RunExplanations::default();
    for compared in runs {
        let run = compared.run;
        egui::CollapsingHeader::new(RichText::new(run.title()).color(compared.color))
            .id_salt(("inspect_run", run.id, &run.registered))
            .default_open(runs.len() == 1)
            .show(ui, |ui| {
                if run.table.is_none() {
                    ui.weak(if run.registered.is_some() {
                        "Read from the catalog: compute these on its version's page in \
                         Catalog, where they are kept with it."
                    } else {
                        "Read from the catalog without its rows: register it and compute \
                         these on its version's page, or train it again in this session."
                    });
                    return;
                }
                let columns: Vec<String> = run
                    .model
                    .recipe
                    .columns
                    .iter()
                    .map(|c| c.column.clone())
                    .collect();
                let metrics = metrics_of(|k| run.evaluation.mean.contains_key(k));
                let computed = inspection.explanations.get(&run.id).unwrap_or(&empty);
                let subject = Subject {
                    columns: &columns,
                    metrics: &metrics,
                    rows: "the validation rows of each fold for permutation importance (each \
                           fold's model fitted again), the training rows for partial dependence"
                        .into(),
                    can_pick_file: false,
                    running: inspection.jobs.explaining_run(run.id),
                    permutation: computed.permutation.as_ref().map(|(p, on)| (p, on.clone())),
                    dependence: computed
                        .dependence
                        .iter()
                        .map(|(d, on)| (d, on.clone()))
                        .collect(),
                    color: compared.color,
                };
                let id = ui.scope_id().with(("inspect_run", run.id));
                let draft_id = id.with("draft");
                let mut draft: InspectDraft = ui.data(|d| d.get_temp(draft_id)).unwrap_or_default();
                let asked = inspect_panel::show(ui, id, &subject, &mut draft);
                ui.data_mut(|d| d.insert_temp(draft_id, draft));
                if let Some(what) = asked.compute {
                    commands.push(Command::Explain {
                        of: ExplainOf::Run(run.id),
                        what,
                        file: None,
                    });
                }
            });
    }
}
