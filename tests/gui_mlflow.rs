//! The window's MLflow part through the real app (egui_kittest) against a real MLflow
//! tracking server (`support/mlflow.rs`): the tracking URI in Settings (kept without its
//! credentials) and Test connection, Push to MLflow on a version's page (cancelled from the
//! status bar, then done), the badge and the versions table's mark, and a stage button's
//! change followed by MLflow's alias.

#[allow(dead_code)]
#[path = "support/http.rs"]
mod http;
#[path = "support/mlflow.rs"]
mod mlflow_server;
// The pyfunc tests use the rest of this helper.
#[allow(dead_code)]
#[path = "support/python.rs"]
mod python;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use mlflow_server::MlflowServer;
use modeldesk::gui::{ConnectionTest, FileChooser, ModeldeskApp, Settings};
use serde_json::Value;

type Window = Harness<'static, ModeldeskApp>;

/// Step frames until every job has finished, then a few more.
fn settle(harness: &mut Window) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        harness.step();
        if harness.state().jobs().is_idle() {
            break;
        }
        assert!(Instant::now() < deadline, "jobs did not finish in time");
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.run_steps(3);
}

/// `penguins` v1 in `catalog`, trained and registered by the command line.
fn penguins_catalog(catalog: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_modeldesk"))
        .args(["train", "assets/penguins.csv", "--target", "species"])
        .args(["--register", "penguins", "--catalog"])
        .arg(catalog)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

fn api(server: &MlflowServer, path: &str) -> Value {
    let answer = http::request(server.port, "GET", path, &[], b"");
    assert_eq!(answer.status, 200, "GET {path}: {}", answer.body);
    answer.json()
}

fn production_alias(server: &MlflowServer) -> Option<String> {
    let model = api(
        server,
        "/api/2.0/mlflow/registered-models/get?name=penguins",
    );
    model["registered_model"]["aliases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["alias"] == "production")
        .map(|a| a["version"].as_str().unwrap().to_string())
}

fn sync_rows(catalog: &Path, uri: &str) -> usize {
    modeldesk::catalog::Catalog::open(catalog)
        .unwrap()
        .mlflow_syncs("penguins", uri)
        .unwrap()
        .len()
}

#[test]
fn the_window_tests_the_server_pushes_a_version_and_follows_its_stage() {
    if python::python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = MlflowServer::start(&dir.path().join("mlflow"), &[]) else {
        return;
    };
    let uri = server.uri();
    let catalog = dir.path().join("catalog.sqlite");
    penguins_catalog(&catalog);
    let settings = Settings {
        reopen_datasets: false,
        catalog_path: Some(catalog.clone()),
        file_chooser: FileChooser::InWindow,
        ..Settings::default()
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut ModeldeskApp| app.frame(ui),
            ModeldeskApp::new(settings, None),
        );
    harness.run_steps(2);

    // Settings: the URI typed with a user and password is kept without them.
    harness
        .state_mut()
        .send(modeldesk::gui::Command::ShowSettings(true));
    harness.run_steps(2);
    let typed = uri.replace("http://", "http://ann:s3cret@");
    harness.get_by_label("Tracking URI").focus();
    harness.run_steps(1);
    harness.get_by_label("Tracking URI").type_text(&typed);
    harness.run_steps(1);
    // Nothing half-typed is kept; pressing Test connection leaves the field, which keeps
    // the address, then tests it.
    assert_eq!(harness.state().settings().tracking_uri, None);
    harness.get_by_label("Test connection").click();
    harness.step();
    settle(&mut harness);
    assert_eq!(harness.state().settings().tracking_uri, Some(uri.clone()));
    let version = http::request(server.port, "GET", "/version", &[], b"").body;
    let ConnectionTest::Answered { answer, .. } = harness.state().connection_test() else {
        panic!("no answer: {:?}", harness.state().connection_test());
    };
    assert_eq!(answer.as_deref(), Ok(version.trim()));
    harness.get_by_label(&format!("Connected: MLflow {} at {uri}", version.trim()));
    harness
        .state_mut()
        .send(modeldesk::gui::Command::ShowSettings(false));

    // Catalog ▸ penguins ▸ v1, each choice read by a catalog job.
    for label in ["Catalog", "penguins", "v1"] {
        harness.get_all_by_label(label).next().unwrap().click();
        harness.step();
        settle(&mut harness);
    }
    harness.get_by_label("—"); // not pushed yet: the MLflow column's mark

    // Cancelled from the status bar: nothing is marked pushed.
    harness.get_by_label("Push to MLflow").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Pushing penguins v1 to MLflow");
    harness.get_by_label("Cancel").click_accesskit();
    settle(&mut harness);
    let pushed = "penguins v1 is in MLflow as penguins v1";
    if harness.query_by_label(pushed).is_none() {
        harness.get_by_label("push of penguins v1 to MLflow cancelled");
        assert_eq!(sync_rows(&catalog, &uri), 0);
    }
    // Otherwise the push ended before the press reached it: it is complete, and marked.

    // Pushed: the run and the model version are in MLflow, the page shows where.
    harness.get_by_label("Push to MLflow").click();
    harness.step();
    settle(&mut harness);
    assert!(harness.get_all_by_label(pushed).next().is_some());
    assert_eq!(sync_rows(&catalog, &uri), 1);
    let mlflow_version = api(
        &server,
        "/api/2.0/mlflow/model-versions/get?name=penguins&version=1",
    );
    let run_id = mlflow_version["model_version"]["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    let run = api(
        &server,
        &format!("/api/2.0/mlflow/runs/get?run_id={run_id}"),
    );
    let tags = run["run"]["data"]["tags"].as_array().unwrap();
    assert!(
        tags.iter()
            .any(|t| t["key"] == "modeldesk.version_id" && t["value"] == "penguins@1"),
        "{run}"
    );
    assert_eq!(sync_rows(&catalog, &uri), 1);
    harness.get_by_label("in MLflow as penguins v1");
    harness.get_by_label("MLflow v1");
    assert_eq!(production_alias(&server), None);

    // A stage button's change moves MLflow's alias too.
    harness.get_by_label("To Production").click();
    harness.step();
    settle(&mut harness);
    assert_eq!(production_alias(&server).as_deref(), Some("1"));
    assert_eq!(harness.query_all_by_label("stage not synced").count(), 0);
    harness.get_by_label("MLflow v1");
    let errors: Vec<_> = harness
        .state()
        .messages()
        .iter()
        .filter(|m| m.is_error)
        .map(|m| m.text.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // With the server gone, a stage change stays here and says MLflow did not take it.
    server.stop();
    harness.get_by_label("Archive").click();
    harness.step();
    settle(&mut harness);
    harness.get_by_label_contains("the stage changed in the catalog but not in MLflow");
    harness.get_by_label("stage not synced");
}
