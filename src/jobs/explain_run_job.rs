//! Which features matter for a run of this session, on a worker thread: permutation
//! importance on the validation rows of each fold (each fold's model fitted again as
//! validation fitted it), partial dependence of the run's model on the rows it was trained on.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::explain_job::{ExplainWhat, Explanation};
use super::{JobOutcome, Jobs, Repaint};
use crate::data::{Progress, Table};
use crate::ml::eval::Validation;
use crate::ml::fold_permutation::{fold_permutation_importance, FoldPermutationError, RunRecipe};
use crate::ml::partial_dependence::{partial_dependence, PartialDependence, PdError, PdOptions};
use crate::ml::permutation::{PermutationError, PermutationImportance};
use crate::ml::prep::Recipe;
use crate::ml::target::{class_target, value_target, Task};
use crate::ml::trained::TrainedModel;

/// What an explanation job of a run needs: the run's model and how it was made.
#[derive(Debug, Clone)]
pub struct ExplainRun {
    pub run: u64,
    /// "#2 decision tree on penguins".
    pub title: String,
    pub table: Arc<Table>,
    /// The model fitted on every row.
    pub model: Arc<TrainedModel>,
    pub recipe: Recipe,
    pub validation: Validation,
    pub what: ExplainWhat,
}

/// A finished explanation job of a run: the explanation and a line saying on which rows.
#[derive(Debug)]
pub struct ExplainedRun {
    pub run: u64,
    pub result: Result<(Explanation, String), String>,
}

/// What has been computed for a run, each with a line saying on which rows.
#[derive(Debug, Clone, Default)]
pub struct RunExplanations {
    pub permutation: Option<(PermutationImportance, String)>,
    /// One per column, the latest of each, in the order first computed.
    pub dependence: Vec<(PartialDependence, String)>,
}

impl RunExplanations {
    /// Keep `explanation`, replacing the one it recomputes.
    pub fn keep(&mut self, explanation: Explanation, on: String) {
        match explanation {
            Explanation::Permutation(p) => self.permutation = Some((p, on)),
            Explanation::Dependence(d) => {
                match self
                    .dependence
                    .iter_mut()
                    .find(|(old, _)| old.column == d.column)
                {
                    Some(slot) => *slot = (d, on),
                    None => self.dependence.push((d, on)),
                }
            }
        }
    }
}

impl Jobs {
    /// Compute an explanation of a run; one such job per run at a time.
    pub fn start_explaining_run(
        &mut self,
        job: ExplainRun,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("explain-run:{}", job.run);
        let title = format!("Computing the {} of {}", job.what.title(), job.title);
        self.spawn(key, title, repaint, move |progress| {
            explain_run(job, progress)
        })
    }

    /// The share done of the explanation job of run `run`, if one runs.
    pub fn explaining_run(&self, run: u64) -> Option<f32> {
        let key = format!("explain-run:{run}");
        self.running
            .iter()
            .find(|job| job.key == key)
            .map(|job| job.progress.fraction())
    }
}

fn explain_run(job: ExplainRun, progress: &Progress) -> JobOutcome {
    let name = format!("computing the {}", job.what.title());
    progress.total.store(1000, Ordering::Relaxed);
    let report = |f: f32| {
        progress
            .done
            .store((f.clamp(0.0, 1.0) * 1000.0) as u64, Ordering::Relaxed);
        !progress.cancel.load(Ordering::Relaxed)
    };
    let model = &job.model;
    let result = match &job.what {
        ExplainWhat::Permutation {
            metric,
            repeats,
            seed,
        } => {
            progress.set_stage("fitting each fold again and shuffling its validation rows");
            let run = RunRecipe {
                table: &job.table,
                target: &model.target,
                task: model.task,
                recipe: &job.recipe,
                spec: &model.spec,
                validation: job.validation,
            };
            match fold_permutation_importance(&run, metric, (*repeats).max(1), *seed, &report) {
                Ok(measured) => {
                    let on = match job.validation {
                        Validation::CrossValidation { folds, .. } => format!(
                            "computed on the validation rows of each of {folds} folds ({} rows), \
                             each with its fold's model",
                            measured.rows
                        ),
                        Validation::Holdout { .. } => format!(
                            "computed on the {} hold-out rows, with the model fitted on the rest",
                            measured.rows
                        ),
                    };
                    Ok((Explanation::Permutation(measured), on))
                }
                Err(FoldPermutationError::Permutation(PermutationError::Cancelled)) => {
                    return JobOutcome::Cancelled { job: name }
                }
                Err(e) => Err(e.to_string()),
            }
        }
        ExplainWhat::Dependence { column } => {
            progress.set_stage(&format!("varying {column}"));
            let rows = match model.task {
                Task::Classification => class_target(&job.table, &model.target).map(|t| t.rows),
                Task::Regression => value_target(&job.table, &model.target).map(|t| t.rows),
            }
            .unwrap_or_default();
            match partial_dependence(
                model,
                &job.table,
                &rows,
                column,
                &PdOptions::default(),
                &report,
            ) {
                Ok(dependence) => Ok((
                    Explanation::Dependence(dependence),
                    format!(
                        "computed on the {} rows of {} the run's model was fitted on",
                        rows.len(),
                        job.table.name
                    ),
                )),
                Err(PdError::Cancelled) => return JobOutcome::Cancelled { job: name },
                Err(e) => Err(e.to_string()),
            }
        }
    };
    JobOutcome::ExplainedRun(Box::new(ExplainedRun {
        run: job.run,
        result,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::tests::wait;
    use crate::ml::eval::train_and_validate;
    use crate::ml::target::sample_with_target;

    fn job(what: ExplainWhat) -> ExplainRun {
        let table = Arc::new(sample_with_target("breast_cancer.csv", "diagnosis"));
        let recipe = Recipe::default_for(&table);
        let spec = crate::ml::spec::ModelSpec::from_name("random_forest").unwrap();
        let validation = Validation::CrossValidation { folds: 3, seed: 0 };
        let (_, model) = train_and_validate(
            &table,
            "diagnosis",
            None,
            &recipe,
            &spec,
            validation,
            &mut |_, _| true,
        )
        .unwrap();
        ExplainRun {
            run: 7,
            title: "#7 random forest on breast_cancer".into(),
            table,
            model: Arc::new(model),
            recipe,
            validation,
            what,
        }
    }

    #[test]
    fn a_runs_explanation_is_a_job_that_reports_or_stops_when_cancelled() {
        let permutation = ExplainWhat::Permutation {
            metric: "accuracy".into(),
            repeats: 20,
            seed: 0,
        };
        let (first, second) = (job(permutation.clone()), job(permutation));
        let mut jobs = Jobs::default();
        jobs.start_explaining_run(first, Arc::new(|| {})).unwrap();
        assert!(jobs.explaining_run(7).is_some());
        // A second request for the same run waits for the first.
        assert!(jobs.start_explaining_run(second, Arc::new(|| {})).is_err());
        jobs.cancel_all();
        let outcomes = wait(&mut jobs);
        assert!(
            matches!(outcomes[..], [JobOutcome::Cancelled { .. }]),
            "{outcomes:?}"
        );
        assert!(jobs.explaining_run(7).is_none());

        let dependence = ExplainWhat::Dependence {
            column: "mean radius".into(),
        };
        jobs.start_explaining_run(job(dependence), Arc::new(|| {}))
            .unwrap();
        let outcomes = wait(&mut jobs);
        let [JobOutcome::ExplainedRun(explained)] = &outcomes[..] else {
            panic!("{outcomes:?}");
        };
        let Ok((Explanation::Dependence(d), on)) = &explained.result else {
            panic!("{:?}", explained.result);
        };
        assert_eq!(d.column, "mean radius");
        assert!(on.contains("569 rows of breast_cancer"), "{on}");
    }
}
