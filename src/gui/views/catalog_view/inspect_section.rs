//! A version page's "Which features matter": the permutation importance and partial
//! dependence stored with the version, and the controls that compute them again (on the
//! file it was trained on, if unchanged, or on a labelled file the user picks).

use eframe::egui;

use super::super::inspect_panel::{self, Subject};
use super::CatalogViewState;
use crate::catalog::record::ComputedOn;
use crate::gui::command::{Command, ExplainOf};
use crate::gui::local_time::local_time;
use crate::jobs::catalog_read::VersionPage;
use crate::jobs::Jobs;

/// "computed on 344 rows of /data/penguins.csv, 2026-12-01 04:10:02 by ann".
pub(crate) fn computed_on(on: &ComputedOn) -> String {
    let by = if on.computed_by.is_empty() {
        String::new()
    } else {
        format!(" by {}", on.computed_by)
    };
    format!(
        "computed on {} rows of {}, {}{by}",
        on.rows,
        on.file_path,
        local_time(&on.computed_at)
    )
}

/// Draw the section for `page`.
pub(super) fn which_features_matter(
    ui: &mut egui::Ui,
    read_only: bool,
    page: &VersionPage,
    jobs: &Jobs,
    state: &mut CatalogViewState,
    commands: &mut Vec<Command>,
) {
    let v = &page.detail.summary;
    let stored = &page.explanations;
    let rows = match (&state.inspect.file, &page.detail.dataset) {
        (Some(file), _) => format!("the labelled file {}", file.display()),
        (None, Some(d)) => format!("{}, the file it was trained on, if it is unchanged", d.path),
        (None, None) => "no training file is known: use a labelled file".into(),
    };
    let [r, g, b] = crate::report::palette::rgb(5);
    let subject = Subject {
        columns: &page.columns,
        metrics: &page.folds.names,
        rows,
        can_pick_file: !read_only,
        running: jobs.explaining_version(&v.model, v.version),
        permutation: stored
            .permutation
            .as_ref()
            .map(|(p, on)| (p, computed_on(on))),
        dependence: stored
            .partial_dependence
            .iter()
            .map(|(d, on)| (d, computed_on(on)))
            .collect(),
        color: egui::Color32::from_rgb(r, g, b),
    };
    if read_only {
        ui.weak("This catalog is read-only: what is stored is shown, and nothing new is kept.");
    }
    let id = ui.scope_id().with(("inspect", &v.model, v.version));
    let asked = ui
        .add_enabled_ui(!read_only, |ui| {
            inspect_panel::show(ui, id, &subject, &mut state.inspect)
        })
        .inner;
    if asked.pick_file {
        commands.push(Command::PickExplainRows);
    }
    if asked.forget_file {
        commands.push(Command::ExplainRowsFile(None));
    }
    if let Some(what) = asked.compute {
        commands.push(Command::Explain {
            of: ExplainOf::Version {
                model: v.model.clone(),
                version: v.version,
            },
            what,
            file: state.inspect.file.clone(),
        });
    }
}
