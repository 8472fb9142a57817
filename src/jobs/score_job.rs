//! Scoring a file on a worker thread: the model is read from the catalog and inflated there
//! when it is a registered version, the run is recorded beside that version, and the
//! predictions are written out as CSV by a job of their own.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::{file_name, JobOutcome, Jobs, Repaint, ScoreOutcome, ScoreRequest};
use crate::catalog::{record, Catalog};
use crate::data::{self, Progress};
use crate::ml::eval::TrainedModel;
use crate::score::drift::Thresholds;
use crate::score::export::{write_predictions, PROBABILITY_DIGITS};
use crate::score::{score_table, ScoreError};

/// The model a scoring job scores with.
#[derive(Debug, Clone)]
pub enum ScoreModel {
    /// A model at hand: a run of this session.
    Ready {
        model: Arc<TrainedModel>,
        /// "#2 logistic regression on penguins".
        title: String,
        /// The catalog version the run was registered as, if it was.
        version: Option<(String, i64)>,
        /// Its validation metrics (mean over folds).
        validation: BTreeMap<String, f64>,
    },
    /// A registered version, read from the catalog (checksum verified) by the job.
    Version { model: String, version: i64 },
}

/// What a scoring job needs: the model, the file, and where the catalog is.
#[derive(Debug, Clone)]
pub struct ScoreJob {
    pub model: ScoreModel,
    pub path: PathBuf,
    pub thresholds: Thresholds,
    /// The catalog a version is read from and its scoring runs are recorded in.
    pub catalog: Option<PathBuf>,
}

impl Jobs {
    /// Read a CSV file and score it with a model, on a worker thread.
    pub fn start_scoring(&mut self, job: ScoreJob, repaint: Repaint) -> Result<(), String> {
        let key = format!("score:{}", job.path.display());
        let title = format!("Scoring {}", file_name(&job.path));
        self.spawn(key, title, repaint, move |progress| score(job, progress))
    }

    /// Write the rows of a scored file with their predictions as CSV to `out`.
    pub fn start_predictions_export(
        &mut self,
        outcome: Arc<ScoreOutcome>,
        out: PathBuf,
        repaint: Repaint,
    ) -> Result<(), String> {
        let key = format!("predictions:{}", out.display());
        let title = format!("Writing {}", file_name(&out));
        self.spawn(key, title, repaint, move |_| {
            let Ok(scored) = &outcome.result else {
                return JobOutcome::Failed {
                    job: format!("writing {}", file_name(&out)),
                    message: "the file was not scored".into(),
                };
            };
            let written = std::fs::File::create(&out).and_then(|file| {
                let mut writer = std::io::BufWriter::new(file);
                write_predictions(&mut writer, &outcome.table, scored, PROBABILITY_DIGITS)?;
                std::io::Write::flush(&mut writer)
            });
            match written {
                Ok(()) => JobOutcome::Saved {
                    what: "predictions".into(),
                    path: out,
                },
                Err(e) => JobOutcome::Failed {
                    job: format!("writing {}", file_name(&out)),
                    message: format!("could not write {}: {e}", out.display()),
                },
            }
        })
    }
}

/// The request a job's model makes: a version is read from the catalog and inflated.
fn request(job: &ScoreJob) -> Result<ScoreRequest, String> {
    let (model, model_title, version, validation) = match &job.model {
        ScoreModel::Ready {
            model,
            title,
            version,
            validation,
        } => (
            Arc::clone(model),
            title.clone(),
            version.clone(),
            validation.clone(),
        ),
        ScoreModel::Version { model, version } => {
            let path = job.catalog.as_ref().ok_or("no catalog is open")?;
            let catalog = Catalog::open(path).map_err(|e| e.to_string())?;
            let detail = catalog
                .version(model, *version)
                .map_err(|e| e.to_string())?;
            let trained =
                record::load_model(&catalog, detail.summary.id).map_err(|e| e.to_string())?;
            (
                Arc::new(trained),
                format!("{model} v{version}"),
                Some((model.clone(), *version)),
                detail.summary.metrics,
            )
        }
    };
    Ok(ScoreRequest {
        model,
        model_title,
        version,
        validation,
        path: job.path.clone(),
        thresholds: job.thresholds,
    })
}

fn score(job: ScoreJob, progress: &Progress) -> JobOutcome {
    use std::sync::atomic::Ordering;
    let started = Instant::now();
    let name = format!("scoring {}", file_name(&job.path));
    progress.set_stage("reading the model");
    let request = match request(&job) {
        Ok(request) => request,
        Err(message) => return JobOutcome::Failed { job: name, message },
    };
    // Read as the model's training file was: its missing-value tokens, its ragged rows.
    let options = request.model.scoring_options();
    let table = match data::import_csv(&request.path, &options, progress) {
        Ok(table) => table,
        Err(crate::data::ImportError::Cancelled) => return JobOutcome::Cancelled { job: name },
        Err(error) => {
            return JobOutcome::Failed {
                job: name,
                message: error.to_string(),
            }
        }
    };
    progress.total.store(1000, Ordering::Relaxed);
    let result = score_table(
        &request.model,
        &table,
        &request.thresholds,
        &mut |f, stage| {
            progress.done.store((f * 1000.0) as u64, Ordering::Relaxed);
            progress.set_stage(stage);
            !progress.cancel.load(Ordering::Relaxed)
        },
    );
    if result == Err(ScoreError::Cancelled) {
        return JobOutcome::Cancelled { job: name };
    }
    let not_recorded = match (&request.version, &result, &job.catalog) {
        (Some((model, version)), Ok(scored), Some(catalog)) => {
            progress.set_stage("recording the run in the catalog");
            record::scoring_run(&table, scored)
                .map_err(|e| format!("the scoring run was not recorded in the catalog: {e}"))
                .and_then(|run| super::catalog_work::record_scoring(catalog, model, *version, &run))
                .err()
        }
        _ => None,
    };
    JobOutcome::Scored(Box::new(ScoreOutcome {
        request,
        table: Arc::new(table),
        result,
        seconds: started.elapsed().as_secs_f64(),
        not_recorded,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::tests::wait;
    use crate::ml::eval::{train_and_validate, Validation};
    use crate::ml::prep::Recipe;
    use crate::ml::spec::ModelSpec;
    use crate::ml::target::Task;

    /// Penguins with each missing value written `unknown`, a token the defaults do not know.
    fn penguins_with_unknown(dir: &std::path::Path) -> PathBuf {
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/penguins.csv");
        let text = std::fs::read_to_string(source).unwrap();
        let rewritten: String = text
            .lines()
            .map(|line| {
                let fields: Vec<&str> = line
                    .split(',')
                    .map(|f| if f == "NA" { "unknown" } else { f })
                    .collect();
                fields.join(",") + "\n"
            })
            .collect();
        let path = dir.join("penguins_unknown.csv");
        std::fs::write(&path, rewritten).unwrap();
        path
    }

    #[test]
    fn a_file_is_read_with_the_missing_values_its_model_was_trained_with() {
        let dir = tempfile::tempdir().unwrap();
        let file = penguins_with_unknown(dir.path());
        let options = data::ImportOptions {
            missing_tokens: vec!["unknown".into()],
            ..data::ImportOptions::default()
        };
        let mut table = data::import_csv(&file, &options, &Progress::default()).unwrap();
        let target = table.columns.iter().position(|c| c.name == "species");
        table.set_role(target.unwrap(), data::Role::Target);
        let (evaluation, model) = train_and_validate(
            &table,
            "species",
            None,
            &Recipe::default_for(&table),
            &ModelSpec::default_for(Task::Classification),
            Validation::default(),
            &mut |_, _| true,
        )
        .unwrap();
        assert_eq!(model.import.missing_tokens, vec!["unknown".to_string()]);
        // What the model predicts for the training file's own rows.
        let rows: Vec<usize> = (0..table.rows()).collect();
        let expected = model.predict_proba(&table, &rows).unwrap().unwrap();

        let catalog = dir.path().join("catalog.sqlite");
        let lineage = record::lineage(&table, &data::profile_table(&table)).unwrap();
        let new = record::new_version(&evaluation, &model, lineage).unwrap();
        Catalog::open(&catalog)
            .unwrap()
            .register("unknowns", &new)
            .unwrap();

        let session_run = ScoreModel::Ready {
            model: Arc::new(model),
            title: "#1 logistic regression on penguins_unknown".into(),
            version: None,
            validation: BTreeMap::new(),
        };
        let registered = ScoreModel::Version {
            model: "unknowns".into(),
            version: 1,
        };
        for model in [session_run, registered] {
            let mut jobs = Jobs::default();
            let job = ScoreJob {
                model: model.clone(),
                path: file.clone(),
                thresholds: Thresholds::default(),
                catalog: Some(catalog.clone()),
            };
            jobs.start_scoring(job, Arc::new(|| {})).unwrap();
            let outcomes = wait(&mut jobs);
            let [JobOutcome::Scored(outcome)] = outcomes.as_slice() else {
                panic!("{model:?}: {outcomes:?}");
            };
            let scored = outcome.result.as_ref().expect("the file is scored");
            assert_eq!(scored.rows, 344);
            assert_eq!(scored.proba.dim(), expected.dim());
            for (got, want) in scored.proba.iter().zip(expected.iter()) {
                assert!((got - want).abs() < 1e-12, "{model:?}: {got} {want}");
            }
        }
    }
}
