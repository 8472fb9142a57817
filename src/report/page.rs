//! What the report template is given: one plain value per section, built from the gathered
//! versions. User text stays plain text here (the template escapes it); only markup this
//! crate made itself — charts and rendered Markdown — travels as [`Markup`].

use serde::Serialize;

use super::charts::{self, ClassCharts, ConfusionView, RegressionCharts};
use super::explanations::{explanations, Explanation};
use super::gather::{tag_lines, ReportVersion};
use super::live_section::{live_sections, LiveSection};
use super::markdown;
use super::metric_table::{best, metric_names, MetricColumn};
use super::palette;
use super::share_policy::SharePolicy;
use super::Markup;
use crate::catalog::{Cause, HistoryEvent};
use crate::ml::metric_display::format_seconds;
use crate::ml::metric_registry::{self, Prominence};
use crate::ml::prep::{FittedMissing, FittedStep, INFREQUENT_LEVEL};

/// One version as the page header and legends show it.
#[derive(Debug, Serialize)]
pub struct Head {
    pub label: String,
    pub color: &'static str,
    pub stage: String,
    pub algorithm: String,
}

/// A row of the summary table: a field and its value for each version.
#[derive(Debug, Serialize)]
pub struct FieldRow {
    pub name: &'static str,
    pub values: Vec<String>,
}

/// One metric across the versions.
#[derive(Debug, Serialize)]
pub struct MetricRow {
    /// The metric's key ("roc_auc"), as the CSV and JSON exports name it; the row's anchor.
    pub key: String,
    /// The metric's label ("ROC AUC").
    pub name: String,
    /// What the metric measures, for the label's title.
    pub definition: String,
    pub higher_is_better: bool,
    pub cells: Vec<MetricCell>,
}

/// One version's value of a metric.
#[derive(Debug, Serialize)]
pub struct MetricCell {
    pub mean: String,
    pub std: String,
    pub best: bool,
}

/// The values of one metric fold by fold for one version.
#[derive(Debug, Serialize)]
pub struct FoldRow {
    pub label: String,
    pub color: &'static str,
    /// The metric's label.
    pub metric: &'static str,
    pub values: Vec<String>,
}

/// A model's card: its description and tags, then each reported version's.
#[derive(Debug, Serialize)]
pub struct Card {
    pub model: String,
    pub description: Option<Markup>,
    pub tags: Vec<String>,
    pub created: String,
    pub versions: Vec<VersionNote>,
}

/// What was written about one version.
#[derive(Debug, Serialize)]
pub struct VersionNote {
    pub label: String,
    pub stage: String,
    pub description: Option<Markup>,
    pub tags: Vec<String>,
}

/// How one version was trained: algorithm, parameters, validation and recipe.
#[derive(Debug, Serialize)]
pub struct Settings {
    pub label: String,
    pub color: &'static str,
    pub algorithm: String,
    pub summary: String,
    pub parameters: Vec<(String, String)>,
    pub validation: String,
    pub rows: String,
    pub warnings: Vec<String>,
    pub features: usize,
    pub recipe: Vec<RecipeRow>,
    /// The label of an earlier version whose fitted recipe is the same, shown instead.
    pub same_recipe_as: Option<String>,
}

/// What the recipe does to one column.
#[derive(Debug, Serialize)]
pub struct RecipeRow {
    pub column: String,
    pub treatment: String,
    pub details: String,
}

/// A training dataset and its column profile.
#[derive(Debug, Serialize)]
pub struct DatasetView {
    pub name: String,
    pub path: String,
    pub rows: u64,
    pub fingerprint: String,
    pub used_by: Vec<String>,
    pub class_balance: Vec<String>,
    pub columns: Vec<ProfileRow>,
}

/// One column of a dataset profile.
#[derive(Debug, Serialize)]
pub struct ProfileRow {
    pub name: String,
    pub kind: String,
    pub role: String,
    pub missing: String,
    pub distinct: u64,
    pub summary: String,
    pub chart: Markup,
}

/// One row of the stage history.
#[derive(Debug, Serialize)]
pub struct HistoryRow {
    pub at: String,
    pub label: String,
    pub event: String,
    pub actor: String,
    pub comment: String,
}

/// The scoring runs of one version, with the drift of the latest.
#[derive(Debug, Serialize)]
pub struct ScoringSection {
    pub label: String,
    pub color: &'static str,
    /// The validation metrics the runs' metrics compare with.
    pub validation: String,
    pub runs: Vec<RunRow>,
    pub latest: Vec<DriftView>,
    pub latest_file: String,
}

/// One scoring run.
#[derive(Debug, Serialize)]
pub struct RunRow {
    pub at: String,
    pub by: String,
    pub file: String,
    pub rows: u64,
    pub metrics: String,
    pub drift: String,
}

/// One feature's drift in a scoring run.
#[derive(Debug, Serialize)]
pub struct DriftView {
    pub column: String,
    pub psi: String,
    pub ks: String,
    pub status: String,
    pub chart: Markup,
}

/// Everything the template shows.
#[derive(Debug, Serialize)]
pub struct Page {
    pub title: String,
    pub generated_at: String,
    pub app_version: &'static str,
    pub catalog: String,
    /// What the page leaves out of the training data, said once.
    pub withheld: Option<String>,
    pub versions: Vec<Head>,
    pub summary: Vec<FieldRow>,
    pub cards: Vec<Card>,
    pub metrics: Vec<MetricRow>,
    pub folds: Vec<FoldRow>,
    /// 1..=the most folds of any version, for the fold table's header.
    pub fold_numbers: Vec<usize>,
    pub class_charts: Vec<ClassCharts>,
    pub regression_charts: Vec<RegressionCharts>,
    pub confusions: Vec<ConfusionView>,
    pub settings: Vec<Settings>,
    pub datasets: Vec<DatasetView>,
    pub history: Vec<HistoryRow>,
    pub scoring: Vec<ScoringSection>,
    /// The versions scoring servers recorded live windows of.
    pub live: Vec<LiveSection>,
    /// What each version's model learned.
    pub explanations: Vec<Explanation>,
}

/// A metric value with four decimals; a dash when undefined.
fn four(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.4}"),
        _ => "—".into(),
    }
}

fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn title(versions: &[ReportVersion]) -> String {
    match versions {
        [one] => format!(
            "{} version {}",
            one.detail.summary.model, one.detail.summary.version
        ),
        _ => {
            let first = &versions[0].detail.summary.model;
            if versions.iter().all(|v| &v.detail.summary.model == first) {
                let numbers: Vec<String> = versions
                    .iter()
                    .map(|v| v.detail.summary.version.to_string())
                    .collect();
                format!("{first}: versions {}", numbers.join(", "))
            } else {
                let labels: Vec<String> = versions.iter().map(ReportVersion::label).collect();
                labels.join(" · ")
            }
        }
    }
}

fn summary_rows(versions: &[ReportVersion]) -> Vec<FieldRow> {
    let row = |name: &'static str, value: &dyn Fn(&ReportVersion) -> String| FieldRow {
        name,
        values: versions.iter().map(value).collect(),
    };
    vec![
        row("Model", &|v| v.detail.summary.model.clone()),
        row("Version", &|v| v.detail.summary.version.to_string()),
        row("Stage", &|v| v.detail.summary.stage.title().to_string()),
        row("Algorithm", &|v| v.algorithm()),
        row("Task", &|v| {
            v.evaluation
                .task
                .map(|t| t.noun().to_string())
                .unwrap_or_default()
        }),
        row("Target", &|v| {
            v.evaluation.target.clone().unwrap_or_default()
        }),
        row("Classes", &|v| v.evaluation.classes.join(", ")),
        row("Dataset", &|v| match &v.detail.dataset {
            Some(d) => format!("{} ({} rows)", d.name, d.rows),
            None => "—".into(),
        }),
        row("Validation", &|v| {
            v.evaluation
                .validation
                .map(|s| s.describe())
                .unwrap_or_default()
        }),
        row(
            "Rows used",
            &|v| match (v.evaluation.rows_used, v.evaluation.rows_dropped) {
                (Some(used), Some(0)) | (Some(used), None) => used.to_string(),
                (Some(used), Some(dropped)) => {
                    format!("{used} ({dropped} dropped: no target)")
                }
                _ => "—".into(),
            },
        ),
        row("Registered", &|v| {
            format!(
                "{} by {}",
                v.detail.summary.created_at, v.detail.summary.created_by
            )
        }),
        row("Training time", &|v| {
            format_seconds(v.detail.summary.train_seconds)
        }),
        row("Modeldesk", &|v| v.detail.summary.app_version.clone()),
        row("Model checksum", &|v| {
            short_hash(&v.detail.artifact_checksum)
        }),
    ]
}

/// A metric's value as the registry shows it; a dash when there is none.
fn shown(metric: &str, value: Option<f64>) -> String {
    metric_registry::format(metric, value.unwrap_or(f64::NAN))
}

fn metric_rows(columns: &[MetricColumn]) -> Vec<MetricRow> {
    metric_names(columns)
        .into_iter()
        .map(|name| {
            let best = best(columns, &name);
            MetricRow {
                definition: metric_registry::tooltip(&name),
                higher_is_better: metric_registry::higher_is_better(&name),
                cells: columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| MetricCell {
                        mean: shown(&name, c.mean.get(&name).copied()),
                        std: c
                            .std
                            .get(&name)
                            .filter(|s| s.is_finite() && c.mean.contains_key(&name))
                            .map(|s| format!("± {}", shown(&name, Some(*s))))
                            .unwrap_or_default(),
                        best: best.contains(&i),
                    })
                    .collect(),
                name: metric_registry::label(&name).to_string(),
                key: name,
            }
        })
        .collect()
}

fn fold_rows(versions: &[ReportVersion]) -> Vec<FoldRow> {
    versions
        .iter()
        .enumerate()
        .filter(|(_, v)| v.evaluation.folds.len() > 1)
        .map(|(i, v)| {
            let metric = match v.evaluation.folds[0] {
                crate::ml::eval::Metrics::Classification(_) => "accuracy",
                crate::ml::eval::Metrics::Regression(_) => "r2",
            };
            FoldRow {
                label: v.label(),
                color: palette::css(i),
                metric: metric_registry::label(metric),
                values: v
                    .evaluation
                    .folds
                    .iter()
                    .map(|f| {
                        shown(
                            metric,
                            f.scalars()
                                .into_iter()
                                .find(|(n, _)| *n == metric)
                                .map(|p| p.1),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

fn described(text: &str) -> Option<Markup> {
    (!text.trim().is_empty()).then(|| Markup::from_safe_string(markdown::to_html(text)))
}

fn cards(versions: &[ReportVersion]) -> Vec<Card> {
    let mut cards: Vec<Card> = Vec::new();
    for v in versions {
        let summary = &v.detail.summary;
        let note = VersionNote {
            label: v.label(),
            stage: summary.stage.title().to_string(),
            description: described(&summary.description),
            tags: tag_lines(&summary.tags),
        };
        match cards.iter_mut().find(|c| c.model == summary.model) {
            Some(card) => card.versions.push(note),
            None => cards.push(Card {
                model: summary.model.clone(),
                description: v.model.as_ref().and_then(|m| described(&m.description)),
                tags: v
                    .model
                    .as_ref()
                    .map(|m| tag_lines(&m.tags))
                    .unwrap_or_default(),
                created: v
                    .model
                    .as_ref()
                    .map(|m| format!("{} by {}", m.created_at, m.created_by))
                    .unwrap_or_default(),
                versions: vec![note],
            }),
        }
    }
    cards
}

fn recipe_rows(v: &ReportVersion) -> Vec<RecipeRow> {
    let Some(recipe) = &v.recipe else {
        return Vec::new();
    };
    recipe
        .columns
        .iter()
        .map(|c| match &c.step {
            FittedStep::Numeric {
                fill,
                center,
                scale,
            } => RecipeRow {
                column: c.column.clone(),
                treatment: if *center == 0.0 && *scale == 1.0 {
                    "number, as is".into()
                } else {
                    "number, scaled".into()
                },
                details: format!(
                    "missing → {}; (x − {}) / {}",
                    charts::short(*fill),
                    charts::short(*center),
                    charts::short(*scale)
                ),
            },
            FittedStep::OneHot {
                levels,
                missing,
                infrequent,
            } => {
                const SHOWN: usize = 8;
                let mut list = levels
                    .iter()
                    .take(SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if levels.len() > SHOWN {
                    list.push_str(&format!(", … ({} more)", levels.len() - SHOWN));
                }
                let missing = match missing {
                    FittedMissing::AsLevel(i) => format!(
                        "missing → {}",
                        levels.get(*i).map(String::as_str).unwrap_or("?")
                    ),
                    FittedMissing::OwnColumn => "missing → an indicator of its own".into(),
                    FittedMissing::Unseen => "missing → all zeros".into(),
                };
                let grouped = match infrequent.len() {
                    0 => String::new(),
                    1 => format!("; 1 rare level grouped as {INFREQUENT_LEVEL}"),
                    n => format!("; {n} rare levels grouped as {INFREQUENT_LEVEL}"),
                };
                RecipeRow {
                    column: c.column.clone(),
                    treatment: format!("one-hot, {} levels", levels.len()),
                    details: format!("{list}; {missing}{grouped}"),
                }
            }
        })
        .collect()
}

fn settings(versions: &[ReportVersion]) -> Vec<Settings> {
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| Settings {
            // Versions trained on the same data with the same recipe learn the same one;
            // the table is shown once.
            same_recipe_as: versions[..i]
                .iter()
                .find(|earlier| earlier.recipe.is_some() && earlier.recipe == v.recipe)
                .map(ReportVersion::label),
            label: v.label(),
            color: palette::css(i),
            algorithm: v.algorithm(),
            summary: v.spec.as_ref().map(|s| s.summary()).unwrap_or_default(),
            parameters: v.parameters.clone(),
            validation: v
                .evaluation
                .validation
                .map(|s| s.describe())
                .unwrap_or_else(|| "not stored".into()),
            rows: match (v.evaluation.rows_used, v.evaluation.rows_dropped) {
                (Some(used), dropped) => format!(
                    "{used} rows used, {} dropped for a missing target",
                    dropped.unwrap_or(0)
                ),
                _ => String::new(),
            },
            warnings: v.evaluation.warnings.clone(),
            features: v.recipe.as_ref().map_or(0, |r| r.n_features()),
            recipe: recipe_rows(v),
        })
        .collect()
}

fn datasets(versions: &[ReportVersion], policy: &SharePolicy) -> Vec<DatasetView> {
    let mut views: Vec<DatasetView> = Vec::new();
    for v in versions {
        let Some(dataset) = &v.detail.dataset else {
            continue;
        };
        if let Some(view) = views
            .iter_mut()
            .find(|d| d.fingerprint == short_hash(&dataset.fingerprint))
        {
            view.used_by.push(v.label());
            continue;
        }
        let profile = v.profile.as_ref();
        let rows = profile.map_or(dataset.rows, |p| p.rows);
        let columns = profile
            .map(|p| {
                p.columns
                    .iter()
                    .map(|c| ProfileRow {
                        name: c.name.clone(),
                        kind: c.kind.name().to_string(),
                        role: c.role.name().to_string(),
                        missing: if c.missing == 0 {
                            "0".into()
                        } else {
                            format!(
                                "{} ({:.1}%)",
                                c.missing,
                                c.missing as f64 * 100.0 / rows.max(1) as f64
                            )
                        },
                        distinct: c.distinct,
                        summary: match &c.numeric {
                            Some(s) => format!(
                                "{}mean {}, sd {}",
                                policy.range(s).map_or(String::new(), |(low, high)| format!(
                                    "{} … {}, ",
                                    charts::short(low),
                                    charts::short(high)
                                )),
                                charts::short(s.mean),
                                charts::short(s.std)
                            ),
                            None => c
                                .top_levels
                                .iter()
                                .filter(|(_, n)| policy.names_level(*n))
                                .take(4)
                                .map(|(level, n)| format!("{level} ({n})"))
                                .collect::<Vec<_>>()
                                .join(", "),
                        },
                        chart: charts::column_spark(c, policy),
                    })
                    .collect()
            })
            .unwrap_or_default();
        views.push(DatasetView {
            name: dataset.name.clone(),
            path: policy.path(&dataset.path),
            rows,
            fingerprint: short_hash(&dataset.fingerprint),
            used_by: vec![v.label()],
            // A regression target's "classes" are its values: no balance to show.
            class_balance: profile
                .and_then(|p| p.class_balance.as_ref())
                .filter(|_| !v.evaluation.classes.is_empty())
                .map(|balance| {
                    const SHOWN: usize = 12;
                    let mut parts: Vec<String> = balance
                        .iter()
                        .take(SHOWN)
                        .map(|(c, n)| format!("{c}: {n}"))
                        .collect();
                    if balance.len() > SHOWN {
                        parts.push(format!("… {} more", balance.len() - SHOWN));
                    }
                    parts
                })
                .unwrap_or_default(),
            columns,
        });
    }
    views
}

fn history(versions: &[ReportVersion]) -> Vec<HistoryRow> {
    let mut entries: Vec<(i64, HistoryRow)> = versions
        .iter()
        .flat_map(|v| {
            v.history.iter().map(move |entry| {
                let event = match entry.event {
                    HistoryEvent::Registered => "registered".to_string(),
                    HistoryEvent::Stage { from, to, cause } => {
                        let why = match cause {
                            Cause::Request => "",
                            Cause::Replaced => " (replaced)",
                            Cause::RollBack => " (roll back)",
                        };
                        format!("{} → {}{why}", from.title(), to.title())
                    }
                    HistoryEvent::Deleted { from } => format!("deleted (was {})", from.title()),
                };
                (
                    entry.id,
                    HistoryRow {
                        at: entry.at.clone(),
                        label: v.label(),
                        event,
                        actor: entry.actor.clone(),
                        comment: entry.comment.clone().unwrap_or_default(),
                    },
                )
            })
        })
        .collect();
    entries.sort_by_key(|(id, _)| *id);
    entries.dedup_by_key(|(id, _)| *id);
    entries.into_iter().map(|(_, row)| row).collect()
}

/// Whether a scoring run's row shows metric `name`: the headline ones do.
fn headline(name: &str) -> bool {
    metric_registry::info(name).is_some_and(|m| m.prominence == Prominence::Headline)
}

/// "Accuracy 0.953".
fn labelled(name: &str, value: f64) -> String {
    format!(
        "{} {}",
        metric_registry::label(name),
        metric_registry::format(name, value)
    )
}

fn scoring(versions: &[ReportVersion], policy: &SharePolicy) -> Vec<ScoringSection> {
    versions
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.scoring.is_empty())
        .map(|(i, v)| {
            let runs = v
                .scoring
                .iter()
                .rev()
                .map(|s| {
                    let count = |status: &str| {
                        s.drift
                            .iter()
                            .filter(|d| d.status.as_deref() == Some(status))
                            .count()
                    };
                    let shown: Vec<String> = s
                        .metrics
                        .iter()
                        .filter(|(name, _)| headline(name))
                        .map(|(name, value)| labelled(name, *value))
                        .collect();
                    RunRow {
                        at: s.run.scored_at.clone(),
                        by: s.run.scored_by.clone(),
                        file: policy.path(&s.run.file_path),
                        rows: s.run.rows,
                        metrics: match s.labelled_rows {
                            Some(n) if !shown.is_empty() => {
                                format!("{} (on {n} labelled rows)", shown.join(", "))
                            }
                            _ if !shown.is_empty() => shown.join(", "),
                            _ => "no labels".into(),
                        },
                        drift: format!(
                            "{} drift, {} warning of {} features",
                            count("drift"),
                            count("warning"),
                            s.drift.len()
                        ),
                    }
                })
                .collect();
            let latest = v.scoring.last().expect("filtered to versions with runs");
            let validation: Vec<String> = metric_registry::METRICS
                .iter()
                .filter(|m| m.prominence == Prominence::Headline)
                .filter_map(|m| Some(labelled(m.key, *v.metrics.mean.get(m.key)?)))
                .collect();
            ScoringSection {
                label: v.label(),
                color: palette::css(i),
                validation: validation.join(", "),
                runs,
                latest_file: policy.path(&latest.run.file_path),
                latest: latest
                    .drift
                    .iter()
                    .map(|d| DriftView {
                        column: d.column.clone(),
                        psi: four(d.psi),
                        ks: four(d.ks),
                        status: d.status.clone().unwrap_or_default(),
                        chart: charts::drift_bars(&d.bins, &d.expected, &d.actual, i),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The page for `versions` (at least one), stamped with `generated_at`, showing what `policy`
/// allows.
pub fn page(
    versions: &[ReportVersion],
    catalog: String,
    generated_at: String,
    policy: &SharePolicy,
) -> Page {
    let columns: Vec<MetricColumn> = versions
        .iter()
        .map(|v| MetricColumn {
            label: v.label(),
            ..v.metrics.clone()
        })
        .collect();
    Page {
        title: title(versions),
        generated_at,
        app_version: env!("CARGO_PKG_VERSION"),
        catalog,
        withheld: policy.note(),
        versions: versions
            .iter()
            .enumerate()
            .map(|(i, v)| Head {
                label: v.label(),
                color: palette::css(i),
                stage: v.detail.summary.stage.title().to_string(),
                algorithm: v.algorithm(),
            })
            .collect(),
        summary: summary_rows(versions),
        cards: cards(versions),
        metrics: metric_rows(&columns),
        fold_numbers: (1..=versions
            .iter()
            .map(|v| v.evaluation.folds.len())
            .max()
            .unwrap_or(0))
            .collect(),
        folds: fold_rows(versions),
        class_charts: charts::class_charts(versions),
        regression_charts: charts::regression_charts(versions),
        confusions: charts::confusions(versions),
        settings: settings(versions),
        datasets: datasets(versions, policy),
        history: history(versions),
        scoring: scoring(versions, policy),
        live: live_sections(versions),
        explanations: explanations(versions, policy),
    }
}
