//! Why this row, in the window: which explanations the user asked for (a scored row, every
//! scored row summed up, a row of a run's dataset in Compare), the jobs that work them out
//! (the latest request wins: an answer to an older one starts the newer), and what came
//! back, turned into what the waterfall and the summary draw.

use std::sync::Arc;

use super::app::ModeldeskApp;
use super::views::contribution_summary::{ColumnContributions, ContributionSummary};
use super::views::waterfall::{Contribution, WaterfallData};
use crate::data::{format_number, Table};
use crate::jobs::{Explaining, FoldRefit, RowsExplanation, RowsOutcome, RowsRequest};
use crate::ml::contributions::{ClassChoice, Method, Summary, Unit};
use crate::ml::eval::TrainedModel;
use crate::ml::target::{class_target, value_target, Task};
use crate::score::explained::Explained;

/// Rows a summary explains at most, evenly spaced through the file.
pub const SUMMARY_ROWS: usize = 2000;

/// What a view asks to have explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExplainRowsCommand {
    /// The class the Score view's rows are explained for (`None`: each row's predicted
    /// class); the selected row and the summary are explained again for it.
    ScoredClass(Option<usize>),
    /// Explain the scored file's rows (at most [`SUMMARY_ROWS`]) and sum them up per column.
    SummariseScored,
    /// Explain row `row` of the dataset run `run` was trained on, for `class` (`None`: the
    /// predicted class).
    RunRow {
        run: u64,
        row: usize,
        class: Option<usize>,
    },
}

/// One request as the user made it: what, and for which class (`None`: the predicted one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    pub what: Explaining,
    pub class: Option<usize>,
}

/// One place the window shows an explanation: what was asked last, what a job is working
/// on, and the last answer.
#[derive(Debug, Default)]
pub struct ExplainSlot {
    pub asked: Option<Asked>,
    running: Option<(Asked, u64)>,
    pub shown: Option<(Asked, Shown)>,
    /// Counts resets, so that an answer about an earlier file is not shown for this one.
    generation: u64,
}

impl ExplainSlot {
    /// Whether a job is working out what was asked last.
    pub fn working(&self) -> bool {
        self.running.is_some() && self.shown.as_ref().map(|(a, _)| Some(*a)) != Some(self.asked)
    }

    /// The answer to what was asked last, once there is one.
    pub fn answer(&self) -> Option<&Shown> {
        match (&self.shown, self.asked) {
            (Some((shown, answer)), Some(asked)) if *shown == asked => Some(answer),
            _ => None,
        }
    }

    fn reset(&mut self) {
        self.asked = None;
        self.shown = None;
        self.generation += 1;
    }
}

/// An answer as drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    Row(Box<RowExplanation>),
    Summary(Box<SummaryExplanation>),
    Cancelled,
    Failed(String),
}

/// One row explained.
#[derive(Debug, Clone, PartialEq)]
pub struct RowExplanation {
    /// The row (0-based) of its table.
    pub row: usize,
    pub waterfall: WaterfallData,
    pub method: Method,
    /// What else to know about the row (its label, its out-of-fold prediction, which model
    /// is explained), a sentence a line.
    pub notes: Vec<String>,
}

/// Many rows explained and summed up.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryExplanation {
    pub summary: ContributionSummary,
    pub method: Method,
    /// Rows explained, and rows in the file.
    pub rows: usize,
    pub of_rows: usize,
}

/// Every explanation the window shows.
#[derive(Debug, Default)]
pub struct Explanations {
    /// The Score view's class choice (`None`: each row's predicted class).
    pub scored_class: Option<usize>,
    pub scored_row: ExplainSlot,
    pub scored_summary: ExplainSlot,
    pub run_row: ExplainSlot,
}

impl Explanations {
    fn slot(&mut self, what: Explaining) -> &mut ExplainSlot {
        match what {
            Explaining::ScoredRow(_) => &mut self.scored_row,
            Explaining::ScoredSummary => &mut self.scored_summary,
            Explaining::RunRow { .. } => &mut self.run_row,
        }
    }

    /// A new file was scored: its rows are other rows.
    pub(super) fn forget_scored(&mut self) {
        self.scored_row.reset();
        self.scored_summary.reset();
    }
}

impl ModeldeskApp {
    /// Take a view's request.
    pub(super) fn apply_explain_rows(&mut self, command: ExplainRowsCommand) {
        match command {
            ExplainRowsCommand::ScoredClass(class) => {
                self.explanations.scored_class = class;
                if let Some(row) = self.explained_row {
                    self.explain_scored_row(row);
                }
                if self.explanations.scored_summary.asked.is_some() {
                    self.ask_explanation(Explaining::ScoredSummary, class);
                }
            }
            ExplainRowsCommand::SummariseScored => {
                let class = self.explanations.scored_class;
                self.ask_explanation(Explaining::ScoredSummary, class);
            }
            ExplainRowsCommand::RunRow { run, row, class } => {
                self.ask_explanation(Explaining::RunRow { run, row }, class)
            }
        }
    }

    /// Select row `row` of the scored file and explain it.
    pub(super) fn explain_scored_row(&mut self, row: usize) {
        let class = self.explanations.scored_class;
        self.ask_explanation(Explaining::ScoredRow(row), class);
    }

    fn ask_explanation(&mut self, what: Explaining, class: Option<usize>) {
        let slot = self.explanations.slot(what);
        slot.asked = Some(Asked { what, class });
        if slot.running.is_none() {
            self.start_explaining_rows(what);
        }
    }

    /// Start a job for what was asked last of `what`'s slot.
    fn start_explaining_rows(&mut self, what: Explaining) {
        let slot = self.explanations.slot(what);
        let Some(asked) = slot.asked else { return };
        let generation = slot.generation;
        let started = self.explain_request(asked).and_then(|request| {
            let repaint = self.repaint_handle();
            self.jobs.start_explaining_rows(request, repaint)
        });
        let slot = self.explanations.slot(what);
        match started {
            Ok(()) => slot.running = Some((asked, generation)),
            Err(message) => slot.shown = Some((asked, Shown::Failed(message))),
        }
    }

    /// The model, table and rows a request needs.
    fn explain_request(&self, asked: Asked) -> Result<RowsRequest, String> {
        let scored = || {
            self.scored
                .as_ref()
                .filter(|o| o.result.is_ok())
                .ok_or_else(|| "score a file first".to_string())
        };
        let mut refit = None;
        let (model, table, rows, population) = match asked.what {
            Explaining::ScoredRow(row) => {
                let outcome = scored()?;
                let all: Vec<usize> = (0..outcome.table.rows()).collect();
                (
                    Arc::clone(&outcome.request.model),
                    Arc::clone(&outcome.table),
                    vec![row],
                    all,
                )
            }
            Explaining::ScoredSummary => {
                let outcome = scored()?;
                let all: Vec<usize> = (0..outcome.table.rows()).collect();
                let step = all.len().div_ceil(SUMMARY_ROWS).max(1);
                let rows = all.iter().step_by(step).copied().collect();
                (
                    Arc::clone(&outcome.request.model),
                    Arc::clone(&outcome.table),
                    rows,
                    all,
                )
            }
            Explaining::RunRow { run, row } => {
                let run = self
                    .runs
                    .iter()
                    .find(|r| r.id == run)
                    .ok_or_else(|| format!("run #{run} is no longer in this session"))?;
                let table = run.table.as_ref().ok_or_else(|| {
                    "a version read from the catalog has no dataset here: score a file with it \
                     in Score to explain its rows"
                        .to_string()
                })?;
                if row >= table.rows() {
                    return Err(format!("{} has {} rows", table.name, table.rows()));
                }
                // The fold model that validated the row is fitted again from the run's recipe.
                refit = self.run_recipes.get(&run.id).map(|recipe| FoldRefit {
                    recipe: recipe.clone(),
                    validation: run.evaluation.validation,
                });
                (
                    Arc::new(run.model.clone()),
                    Arc::clone(table),
                    vec![row],
                    labelled_rows(&run.model, table),
                )
            }
        };
        // A summary of two classes explains the second (the positive) class in every row:
        // each row's predicted class would flip the sign of half the rows.
        let binary_summary = asked.what == Explaining::ScoredSummary && model.classes.len() == 2;
        let class = match asked.class {
            Some(k) => ClassChoice::Class(k),
            None if binary_summary => ClassChoice::Class(1),
            None => ClassChoice::Predicted,
        };
        Ok(RowsRequest {
            what: asked.what,
            class,
            model,
            table,
            rows,
            population,
            refit,
            fold: None,
        })
    }

    /// Take a finished explanation: show it if it answers what was asked last, and start
    /// what was asked since if not.
    pub(super) fn finish_explaining_rows(&mut self, outcome: RowsOutcome) {
        let what = outcome.request.what;
        let slot = self.explanations.slot(what);
        let Some((ran, generation)) = slot.running.take() else {
            return;
        };
        if generation != slot.generation || slot.asked != Some(ran) {
            // The user asked for something else meanwhile.
            if slot.asked.is_some() {
                self.start_explaining_rows(what);
            }
            return;
        }
        let shown = match outcome.explanation {
            RowsExplanation::Cancelled => Shown::Cancelled,
            RowsExplanation::Failed(message) => Shown::Failed(message),
            RowsExplanation::Done { explained, summary } => match summary {
                Some(summary) => Shown::Summary(Box::new(summary_explanation(
                    &outcome.request,
                    &explained,
                    summary,
                ))),
                None => Shown::Row(Box::new(self.row_explanation(&outcome.request, &explained))),
            },
        };
        self.explanations.slot(what).shown = Some((ran, shown));
    }

    fn row_explanation(&self, request: &RowsRequest, explained: &Explained) -> RowExplanation {
        let row = request.rows[0];
        let mut explanation = row_explanation(&request.model, &request.table, row, explained);
        match request.what {
            Explaining::RunRow { run, .. } => {
                if let Some(run) = self.runs.iter().find(|r| r.id == run) {
                    explanation.notes = validation_notes(run, request, row);
                }
            }
            _ => {
                let predicted = prediction_text(&request.model, &request.table, row);
                explanation.notes = vec![format!("The model predicts {predicted}.")];
            }
        }
        explanation
    }

    /// What the window shows of the explanations.
    pub fn explanations(&self) -> &Explanations {
        &self.explanations
    }
}

/// The rows of `table` with a value of `model`'s target: the rows it was trained on.
fn labelled_rows(model: &TrainedModel, table: &Table) -> Vec<usize> {
    let rows = match model.task {
        Task::Classification => class_target(table, &model.target).map(|t| t.rows),
        Task::Regression => value_target(table, &model.target).map(|t| t.rows),
    };
    rows.filter(|r| !r.is_empty())
        .unwrap_or_else(|| (0..table.rows()).collect())
}

/// "log-odds of M", "probability of Adelie", "the predicted value of progression".
fn unit_text(unit: Unit, class: Option<&str>, target: &str) -> String {
    let class = class.unwrap_or("the class");
    match unit {
        Unit::Value => format!("the predicted value of {target}"),
        Unit::LogOdds => format!("log-odds of {class}"),
        Unit::Logit => format!("softmax logit of {class}"),
        Unit::Probability => format!("probability of {class}"),
    }
}

/// The first explained row of `explained` (row `row` of `table`) as the waterfall draws it.
pub fn row_explanation(
    model: &TrainedModel,
    table: &Table,
    row: usize,
    explained: &Explained,
) -> RowExplanation {
    let c = &explained.contributions;
    let class = c
        .classes
        .first()
        .map(|&k| explained.class_names[k].as_str());
    let contributions = c
        .columns
        .iter()
        .enumerate()
        .map(|(j, column)| {
            let value = table
                .column(column)
                .map(|col| col.display(row).into_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "missing".into());
            Contribution {
                column: column.clone(),
                value,
                contribution: c.values[[0, j]],
                error: c.errors.as_ref().map(|e| e[[0, j]]),
            }
        })
        .collect();
    RowExplanation {
        row,
        waterfall: WaterfallData {
            unit: unit_text(c.unit, class, &model.target),
            base: c.base[0],
            prediction: c.prediction[0],
            contributions,
        },
        method: c.method,
        notes: Vec::new(),
    }
}

fn summary_explanation(
    request: &RowsRequest,
    explained: &Explained,
    summary: Summary,
) -> SummaryExplanation {
    let c = &explained.contributions;
    let class = match request.class {
        ClassChoice::Predicted => "each row's predicted class".to_string(),
        ClassChoice::Class(k) => explained.class_names[k].clone(),
    };
    let unit = match c.unit {
        Unit::Value => format!("the predicted value of {}", request.model.target),
        unit => unit_text(unit, Some(&class), &request.model.target),
    };
    let columns = summary
        .columns
        .into_iter()
        .map(|column| {
            let ordered = column.levels.is_none();
            let (values, contributions) = column
                .points
                .into_iter()
                .map(|(v, c)| ((ordered && v.is_finite()).then_some(v), c))
                .unzip();
            ColumnContributions {
                column: column.column,
                contributions,
                values,
            }
        })
        .collect();
    SummaryExplanation {
        summary: ContributionSummary { unit, columns },
        method: summary.method,
        rows: summary.rows,
        of_rows: request.table.rows(),
    }
}

/// What to know about row `row` of a run's dataset: its label, whether it was a validation
/// row and what was predicted for it then, and which model the bars explain.
fn validation_notes(
    run: &crate::jobs::TrainingRun,
    request: &RowsRequest,
    row: usize,
) -> Vec<String> {
    let e = &run.evaluation;
    let model = &run.model;
    let table: &Table = &request.table;
    let mut notes = Vec::new();
    let labelled = labelled_rows(model, table);
    let position = labelled.binary_search(&row).ok();
    let truth = table
        .column(&model.target)
        .map(|c| c.display(row).into_owned())
        .filter(|t| !t.is_empty());
    match &truth {
        Some(t) => notes.push(format!(
            "Row {}: {} is {t} in the file.",
            row + 1,
            model.target
        )),
        None => notes.push(format!(
            "Row {}: no {} in the file, so it was neither trained nor validated on.",
            row + 1,
            model.target
        )),
    }
    let validated = position.and_then(|p| e.validated_rows.iter().position(|&v| v == p));
    match (validated, model.task) {
        (Some(i), Task::Classification) if i < e.validated_proba.nrows() => {
            let proba = e.validated_proba.row(i);
            let (k, p) = proba
                .iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (k, &p)| {
                    if p > best.1 {
                        (k, p)
                    } else {
                        best
                    }
                });
            notes.push(format!(
                "A validation row: the fold model that did not train on it predicted {} \
                 (probability {p:.3}).",
                e.classes.get(k).map_or("?", String::as_str)
            ));
        }
        (Some(i), Task::Regression) if i < e.predicted_values.len() => notes.push(format!(
            "A validation row: the fold model that did not train on it predicted {}.",
            format_number(e.predicted_values[i])
        )),
        _ if truth.is_some() => notes.push(
            "Not a validation row: the hold-out left it among the training rows.".to_string(),
        ),
        _ => {}
    }
    notes.push(match request.fold {
        Some(fold) => format!(
            "The bars explain that model: fold {}'s, fitted again as validation fitted it (the \
             same split, recipe and settings), which predicts {}.",
            fold + 1,
            prediction_text(&request.model, table, row)
        ),
        None => format!(
            "The bars explain the run's final model, trained on every labelled row (this one \
             included), which predicts {}.",
            prediction_text(model, table, row)
        ),
    });
    notes
}

/// "Adelie (probability 0.981)", or the predicted value.
fn prediction_text(model: &TrainedModel, table: &Table, row: usize) -> String {
    let text = match model.task {
        Task::Classification => model.predict_proba(table, &[row]).ok().flatten().map(|p| {
            let k = crate::ml::eval::argmax_rows(&p)[0];
            format!(
                "{} (probability {:.3})",
                model.classes.get(k).map_or("?", String::as_str),
                p[[0, k]]
            )
        }),
        Task::Regression => model
            .predict_values(table, &[row])
            .ok()
            .flatten()
            .map(|v| format_number(v[0]).into_owned()),
    };
    text.unwrap_or_else(|| "—".into())
}
