//! Reports of versions trained here and registered in a temporary catalog.

use super::*;
use crate::catalog::{record, temp_catalog, Catalog, Stage, VersionRef};
use crate::data::{profile_table, Table};
use crate::ml::eval::{train_and_validate, Validation};
use crate::ml::prep::Recipe;
use crate::ml::spec::ModelSpec;
use crate::ml::target::sample_with_target;
use crate::score::{drift::Thresholds, score_table};

fn register(
    catalog: &mut Catalog,
    name: &str,
    table: &Table,
    target: &str,
    algo: &str,
) -> VersionRef {
    let (evaluation, model) = train_and_validate(
        table,
        target,
        None,
        &Recipe::default_for(table),
        &ModelSpec::from_name(algo).unwrap(),
        Validation::CrossValidation { folds: 3, seed: 0 },
        &mut |_, _| true,
    )
    .unwrap();
    let lineage = record::lineage(table, &profile_table(table)).unwrap();
    let new = record::new_version(&evaluation, &model, lineage).unwrap();
    let version = catalog.register(name, &new).unwrap();
    let scored = score_table(&model, table, &Thresholds::default(), &mut |_, _| true).unwrap();
    catalog
        .record_scoring_run(
            name,
            version.version,
            &record::scoring_run(table, &scored).unwrap(),
        )
        .unwrap();
    version
}

fn render(catalog: &Catalog, versions: &[VersionRef]) -> String {
    render_versions(catalog, versions, &SharePolicy::default(), &mut |_| true).unwrap()
}

/// Nothing in the page loads or runs anything from elsewhere.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for banned in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "@import",
        "url(http",
        "src=",
        "href=",
        "javascript:",
    ] {
        assert!(!lower.contains(banned), "the report holds {banned}");
    }
}

#[test]
fn a_comparison_shows_every_section_with_the_best_marked() {
    let (_dir, mut catalog) = temp_catalog();
    let penguins = sample_with_target("penguins.csv", "species");
    let first = register(
        &mut catalog,
        "penguins",
        &penguins,
        "species",
        "logistic_regression",
    );
    let second = register(
        &mut catalog,
        "penguins",
        &penguins,
        "species",
        "decision_tree",
    );
    catalog
        .set_stage(
            "penguins",
            2,
            Stage::Production,
            false,
            Some("fewer errors"),
        )
        .unwrap();
    catalog
        .set_model_description(
            "penguins",
            "Tells **species** apart.\n\n- from `island` and bills",
        )
        .unwrap();
    catalog
        .set_version_description("penguins", 1, "**Baseline** <script>alert(1)</script>")
        .unwrap();
    let mut fractions = Vec::new();
    let html = render_versions(
        &catalog,
        &[first.clone(), second, first],
        &SharePolicy::default(),
        &mut |f| {
            fractions.push(f);
            true
        },
    )
    .unwrap();
    assert_self_contained(&html);
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]) && fractions.last() == Some(&1.0));
    for text in [
        "<title>penguins: versions 1, 2 — Modeldesk report</title>",
        "logistic regression",
        "decision tree",
        "3-fold cross-validation, seed 0",
        "Tells <strong>species</strong> apart.",
        "<strong>Baseline</strong> &lt;script&gt;alert(1)&lt;/script&gt;",
        "<li>from <code>island</code> and bills</li>",
        "None → Production",
        "fewer errors",
        "Class Adelie",
        "Class Gentoo",
        "Precision–recall",
        "true \\ predicted",
        "bill_length_mm",
        "one-hot, 3 levels",
        "Drift in the latest run",
        "0 drift, 0 warning of ",
        "@media print",
        "What each model learned",
        "<caption>log-odds of Adelie</caption>",
        "<caption>log-odds of Gentoo</caption>",
        "Impurity importance: each column",
        "one per leaf)</summary>",
        "then Gentoo (1.00,",
    ] {
        assert!(html.contains(text), "the report lacks {text:?}");
    }
    // Each metric row marks its best value; the version named twice is shown once.
    assert!(html.contains("class=\"num best\""));
    assert_eq!(html.matches("<figure class=\"matrix\">").count(), 2);
    assert_eq!(html.matches("<svg class=\"plot\"").count(), 9);
    // The training data's eight columns each get a distribution, and the recipe is shown once.
    assert!(html.matches("<svg class=\"spark\"").count() >= 8);
    assert!(html.contains("Recipe: the same as penguins v1"));
}

#[test]
fn a_regression_version_gets_residual_plots_and_no_class_curves() {
    let (_dir, mut catalog) = temp_catalog();
    let diabetes = sample_with_target("diabetes.csv", "progression");
    let version = register(&mut catalog, "diabetes", &diabetes, "progression", "ridge");
    let html = render(&catalog, &[version]);
    assert_self_contained(&html);
    assert!(html.contains("Predicted against actual"));
    assert!(html.contains("Residuals"));
    assert!(html.contains("rmse"));
    assert!(!html.contains("id=\"curves\""));
    assert!(!html.contains("id=\"confusion\""));
    assert!(!html.contains("Class balance"));
    assert_eq!(html.matches("<circle").count(), 2 * 200);
}

#[test]
fn user_text_is_escaped_everywhere() {
    let (_dir, mut catalog) = temp_catalog();
    let evil = "<script>alert(1)</script>";
    let mut table = sample_with_target("penguins.csv", "species");
    let island = table
        .columns
        .iter()
        .position(|c| c.name == "island")
        .unwrap();
    table.columns[island].name = evil.into();
    if let crate::data::ColumnData::Strings { levels, .. } = &mut table.columns[island].data {
        levels[0] = format!("{evil} isle");
    }
    let version = register(&mut catalog, evil, &table, "species", "logistic_regression");
    catalog
        .set_model_description(evil, &format!("# {evil}\n\n{evil} `{evil}`"))
        .unwrap();
    catalog.set_version_description(evil, 1, evil).unwrap();
    catalog.set_model_tag(evil, evil, evil).unwrap();
    catalog.set_version_tag(evil, 1, evil, evil).unwrap();
    catalog
        .set_stage(evil, 1, Stage::Staging, false, Some(evil))
        .unwrap();
    let html = render(&catalog, &[version]);
    assert_self_contained(&html);
    assert!(html.contains("&lt;script&gt;alert(1)"));
    // The column name in the profile and recipe, a level inside a chart's hover text.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; isle: "));
}

#[test]
fn a_cancelled_report_stops_and_an_empty_one_is_refused() {
    let (_dir, mut catalog) = temp_catalog();
    let iris = sample_with_target("iris.csv", "species");
    let version = register(&mut catalog, "iris", &iris, "species", "naive_bayes");
    assert!(matches!(
        render_versions(
            &catalog,
            std::slice::from_ref(&version),
            &SharePolicy::default(),
            &mut |_| false
        ),
        Err(ReportError::Cancelled)
    ));
    assert!(matches!(
        render_versions(&catalog, &[], &SharePolicy::default(), &mut |_| true),
        Err(ReportError::NoVersions)
    ));
    let missing = VersionRef {
        version: 9,
        ..version.clone()
    };
    assert!(matches!(
        render_versions(&catalog, &[missing], &SharePolicy::default(), &mut |_| true),
        Err(ReportError::Catalog(_))
    ));
    let columns = metric_columns(&catalog, std::slice::from_ref(&version)).unwrap();
    assert!(metrics_csv(&columns)
        .starts_with("metric,higher_is_better,iris v1 mean,iris v1 std,best\naccuracy,true,"));
    let confusion = version_confusion_csv(&catalog, &version).unwrap().unwrap();
    assert!(
        confusion.starts_with("true \\ predicted,setosa,versicolor,virginica\nsetosa,"),
        "{confusion}"
    );
}

#[test]
fn live_windows_get_a_live_traffic_section_with_a_psi_chart() {
    let (_dir, mut catalog) = temp_catalog();
    let sample = crate::catalog::sample_version;
    let served = catalog.register("churn", &sample(0.9)).unwrap();
    let quiet = catalog.register("churn", &sample(0.8)).unwrap();
    for (hour, psi, status, accuracy) in
        [(10, 0.03, "stable", None), (11, 0.27, "drift", Some(0.91))]
    {
        let drift = serde_json::json!([
            {"column": "tenure", "psi": psi, "ks": 0.1, "status": status},
            {"column": "<b>plan</b>", "psi": 0.01, "ks": null, "status": "stable"},
        ]);
        let window = crate::catalog::NewLiveWindow {
            server: "127.0.0.1:5001 pid 7".into(),
            started_at: format!("2026-11-30T{:02}:00:00.000Z", hour - 1),
            ended_at: format!("2026-11-30T{hour:02}:00:00.000Z"),
            requests: 500,
            rows: 800,
            errors: 2,
            latency_p50_ms: 0.6,
            latency_p99_ms: 3.25,
            sampled_rows: 800,
            drift_json: drift.to_string(),
            labelled_rows: if accuracy.is_some() { 40 } else { 0 },
            labelled_metric: accuracy,
        };
        catalog.record_live_window("churn", 1, &window).unwrap();
    }

    let html = render(&catalog, std::slice::from_ref(&served));
    assert!(html.contains("<h2>Live traffic</h2>"));
    assert!(html.contains(
        "2 windows from 2026-11-30 09:00:00 to 2026-11-30 11:00:00 UTC · 1000 requests · 1600 rows · 4 errors"
    ));
    // The table, newest window first.
    let newest = html.find("2026-11-30 11:00:00</td>").unwrap();
    let oldest = html.find("2026-11-30 10:00:00</td>").unwrap();
    assert!(newest < oldest);
    assert!(html.contains("<td class=\"num\">3.25</td>"));
    assert!(html.contains("0.9100 (on 40 rows)"));
    assert!(html.contains(">drift: tenure</span>"));
    // The chart: both features' lines over clock times, with the thresholds drawn.
    let chart = &html[html.find("<figure class=\"wide-chart\">").unwrap()..];
    let chart = &chart[..chart.find("</figure>").unwrap()];
    assert_eq!(chart.matches("<polyline").count(), 2, "{chart}");
    assert!(chart.contains(">warning 0.1</text>") && chart.contains(">drift 0.2</text>"));
    assert!(chart.contains(">10:00</text>") || chart.contains(">10:30</text>"));
    assert!(chart.contains("PSI per feature over time"));
    // A column name is text, never markup.
    assert!(html.contains("&lt;b&gt;plan&lt;") && !html.contains("<b>plan"));
    assert_self_contained(&html);

    let without = render(&catalog, &[quiet]);
    assert!(!without.contains("Live traffic"));
    assert!(!without.contains("<figure class=\"wide-chart\">"));
}

#[test]
fn stored_permutation_importance_and_partial_dependence_are_shown_as_stored() {
    use crate::ml::partial_dependence::{partial_dependence, PdOptions};
    use crate::ml::permutation::{labelled_rows, permutation_importance, Shuffles};
    let (_dir, mut catalog) = temp_catalog();
    let penguins = sample_with_target("penguins.csv", "species");
    let version = register(
        &mut catalog,
        "penguins",
        &penguins,
        "species",
        "decision_tree",
    );
    let before = render(&catalog, std::slice::from_ref(&version));
    assert!(!before.contains("Permutation importance"));
    assert!(!before.contains("Partial dependence"));

    let model = record::load_model(&catalog, version.id).unwrap();
    let labelled = labelled_rows(&model, &penguins).unwrap();
    let measured = permutation_importance(
        &model,
        labelled.x.view(),
        labelled.answers.truth(),
        "accuracy",
        3,
        &Shuffles::Seeded(0),
        &|_| true,
    )
    .unwrap();
    let on = record::ComputedOn::file(&penguins, measured.rows);
    let new = record::permutation_record(&measured, &on).unwrap();
    catalog.store_explanation("penguins", 1, &new).unwrap();
    let rows: Vec<usize> = (0..penguins.rows()).collect();
    for column in ["flipper_length_mm", "island"] {
        let dependence = partial_dependence(
            &model,
            &penguins,
            &rows,
            column,
            &PdOptions::default(),
            &|_| true,
        )
        .unwrap();
        let new = record::partial_dependence_record(&dependence, &on).unwrap();
        catalog.store_explanation("penguins", 1, &new).unwrap();
    }
    let html = render(&catalog, &[version]);
    assert_self_contained(&html);
    let top = &measured.columns[0];
    for text in [
        "Permutation importance: the drop in Accuracy".to_string(),
        "mean ± std over 3 shuffles; computed on 344 rows of ".to_string(),
        "<caption>Permutation importance</caption>".into(),
        format!(
            "<td>{}</td><td class=\"num\">{:+.4}</td>",
            top.column, top.mean
        ),
        "Partial dependence: the model&#x27;s average prediction".into(),
        "<figcaption>flipper_length_mm → Gentoo</figcaption>".into(),
        "<caption>island → Adelie</caption>".into(),
        "<td>Torgersen</td>".into(),
    ] {
        assert!(html.contains(&text), "the report lacks {text:?}");
    }
    // A numeric column: one plot per class, each with the rows' own curves behind the mean.
    let figures = html.matches("<figcaption>flipper_length_mm → ").count();
    assert_eq!(figures, 3);
    assert!(html.matches("stroke-opacity=\"0.3\"").count() >= 3 * 50);
}
