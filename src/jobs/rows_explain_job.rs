//! Explaining predictions on a worker thread: one row's contributions (a scored row, or a
//! row of a run's dataset), or many rows' summed up per column. Sampled estimates (naive
//! Bayes) take seconds on many rows, so every explanation is a job with progress and Cancel;
//! one job per purpose runs at a time, and the window hands each outcome back with the
//! request it answers.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{JobOutcome, Jobs, Repaint};
use crate::data::Table;
use crate::ml::contributions::{column_values, summarise, ClassChoice, Summary, DEFAULT_SAMPLES};
use crate::ml::eval::{TrainedModel, Validation};
use crate::ml::fold_permutation::{validation_model_of, RunRecipe};
use crate::ml::prep::Recipe;
use crate::score::explained::{explain_against, Explained};

/// The seed of sampled estimates, as `score --explain` and `explain --shap` use by default.
const SEED: u64 = 0;

/// What is explained, and for which class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explaining {
    /// One row of the scored file.
    ScoredRow(usize),
    /// Many rows of the scored file, summed up per column.
    ScoredSummary,
    /// One row of the dataset a run of this session was trained on.
    RunRow { run: u64, row: usize },
}

/// A request: what, for which class, with which model, over which rows of which table.
#[derive(Debug, Clone)]
pub struct RowsRequest {
    pub what: Explaining,
    pub class: ClassChoice,
    pub model: Arc<TrainedModel>,
    pub table: Arc<Table>,
    /// The rows explained.
    pub rows: Vec<usize>,
    /// The rows sampled estimates are set against (evenly spaced, at most
    /// [`crate::score::explained::BACKGROUND_ROWS`] of them are used).
    pub population: Vec<usize>,
    /// For a run's validation row: how the run was made, so that the fold model that
    /// validated the row is fitted again and explained instead of `model`.
    pub refit: Option<FoldRefit>,
    /// The fold whose model was explained (from 0), once the job has fitted it again.
    pub fold: Option<usize>,
}

/// What a run's fold models are fitted again from, beside the model's own spec and target.
#[derive(Debug, Clone)]
pub struct FoldRefit {
    pub recipe: Recipe,
    pub validation: Validation,
}

/// The model of the fold that validated the request's row, fitted again, in place of the
/// run's final model; nothing changes for a row no fold validated.
fn fit_validating_fold(
    request: &mut RowsRequest,
    keep_going: &dyn Fn() -> bool,
) -> Result<(), String> {
    let Some(refit) = &request.refit else {
        return Ok(());
    };
    let model = &request.model;
    let run = RunRecipe {
        table: &request.table,
        target: &model.target,
        task: model.task,
        recipe: &refit.recipe,
        spec: &model.spec,
        validation: refit.validation,
    };
    if let Some((fold, fitted)) =
        validation_model_of(&run, request.rows[0], keep_going).map_err(|e| e.to_string())?
    {
        request.model = Arc::new(fitted);
        request.fold = Some(fold);
    }
    Ok(())
}

/// What came of a request.
#[derive(Debug, Clone)]
pub enum RowsExplanation {
    /// Every explained row; for a summary, also its per-column summary.
    Done {
        explained: Box<Explained>,
        summary: Option<Summary>,
    },
    Cancelled,
    /// Why the rows could not be explained (an older version that must be retrained).
    Failed(String),
}

/// A finished request.
#[derive(Debug, Clone)]
pub struct RowsOutcome {
    pub request: RowsRequest,
    pub explanation: RowsExplanation,
}

impl Explaining {
    fn key(self) -> &'static str {
        match self {
            Explaining::ScoredRow(_) => "explain:scored-row",
            Explaining::ScoredSummary => "explain:scored-summary",
            Explaining::RunRow { .. } => "explain:run-row",
        }
    }

    fn title(self) -> String {
        match self {
            Explaining::ScoredRow(row) => format!("Explaining row {}", row + 1),
            Explaining::ScoredSummary => "Explaining every row".into(),
            Explaining::RunRow { run, row } => format!("Explaining row {} of run #{run}", row + 1),
        }
    }
}

impl Jobs {
    /// Explain on a worker thread; refused while a job of the same purpose runs.
    pub fn start_explaining_rows(
        &mut self,
        request: RowsRequest,
        repaint: Repaint,
    ) -> Result<(), String> {
        let what = request.what;
        self.spawn(
            what.key().into(),
            what.title(),
            repaint.clone(),
            move |progress| {
                let mut request = request;
                progress.total.store(1000, Ordering::Relaxed);
                if request.refit.is_some() {
                    progress.set_stage("fitting the fold model again");
                    let keep_going = || !progress.cancel.load(Ordering::Relaxed);
                    if let Err(message) = fit_validating_fold(&mut request, &keep_going) {
                        let explanation = if keep_going() {
                            RowsExplanation::Failed(message)
                        } else {
                            RowsExplanation::Cancelled
                        };
                        return JobOutcome::RowsExplained(Box::new(RowsOutcome {
                            request,
                            explanation,
                        }));
                    }
                }
                progress.set_stage(match request.model.model {
                    crate::ml::model::FittedModel::NaiveBayes(_) => "sampling Shapley values",
                    _ => "",
                });
                let result = explain_against(
                    &request.model,
                    &request.table,
                    &request.rows,
                    &request.population,
                    request.class,
                    DEFAULT_SAMPLES,
                    SEED,
                    &|fraction| {
                        progress
                            .done
                            .store((fraction * 1000.0) as u64, Ordering::Relaxed);
                        repaint();
                        !progress.cancel.load(Ordering::Relaxed)
                    },
                );
                let explanation = match result {
                    _ if progress.cancel.load(Ordering::Relaxed) => RowsExplanation::Cancelled,
                    Ok(explained) => {
                        let summary = (request.what == Explaining::ScoredSummary).then(|| {
                            let values =
                                column_values(&request.model, &request.table, &request.rows);
                            summarise(&request.model, &explained.contributions, &values)
                        });
                        RowsExplanation::Done {
                            explained: Box::new(explained),
                            summary,
                        }
                    }
                    Err(message) => RowsExplanation::Failed(message),
                };
                JobOutcome::RowsExplained(Box::new(RowsOutcome {
                    request,
                    explanation,
                }))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::prep::Recipe;
    use crate::ml::spec::ModelSpec;
    use crate::ml::target::sample_with_target;

    fn request(what: Explaining, rows: Vec<usize>) -> RowsRequest {
        let table = sample_with_target("breast_cancer.csv", "diagnosis");
        let (_, model) = train_and_validate(
            &table,
            "diagnosis",
            None,
            &Recipe::default_for(&table),
            &ModelSpec::from_name("naive_bayes").unwrap(),
            Validation::default(),
            &mut |_, _| true,
        )
        .unwrap();
        let population = (0..table.rows()).collect();
        RowsRequest {
            what,
            class: ClassChoice::Predicted,
            model: Arc::new(model),
            table: Arc::new(table),
            rows,
            population,
            refit: None,
            fold: None,
        }
    }

    #[test]
    fn a_summary_is_explained_and_summed_up_and_a_cancelled_one_says_so() {
        let mut jobs = Jobs::default();
        let rows: Vec<usize> = (0..40).collect();
        jobs.start_explaining_rows(request(Explaining::ScoredSummary, rows), Arc::new(|| {}))
            .unwrap();
        let outcomes = super::super::tests::wait(&mut jobs);
        let [JobOutcome::RowsExplained(outcome)] = &outcomes[..] else {
            panic!("{outcomes:?}");
        };
        let RowsExplanation::Done { explained, summary } = &outcome.explanation else {
            panic!("{:?}", outcome.explanation);
        };
        assert_eq!(explained.contributions.rows(), 40);
        assert!(
            explained.contributions.errors.is_some(),
            "sampled estimates"
        );
        assert_eq!(summary.as_ref().unwrap().rows, 40);

        let rows: Vec<usize> = (0..569).collect();
        jobs.start_explaining_rows(request(Explaining::ScoredSummary, rows), Arc::new(|| {}))
            .unwrap();
        jobs.cancel_all();
        let outcomes = super::super::tests::wait(&mut jobs);
        let [JobOutcome::RowsExplained(outcome)] = &outcomes[..] else {
            panic!("{outcomes:?}");
        };
        assert!(matches!(outcome.explanation, RowsExplanation::Cancelled));
    }
}
