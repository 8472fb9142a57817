//! The sample datasets bundled with the app (copies of `assets/`, built into the binary so
//! they open even when the program runs away from its source tree).

use std::path::PathBuf;

/// One bundled dataset and the column a model would predict.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub file: &'static str,
    pub title: &'static str,
    pub target: &'static str,
    bytes: &'static [u8],
}

/// A [`Sample`] of `assets/FILE`, its bytes built in.
macro_rules! sample {
    ($file:literal, $title:literal, $target:literal) => {
        Sample {
            file: $file,
            title: $title,
            target: $target,
            bytes: include_bytes!(concat!("../../assets/", $file)),
        }
    };
}

/// Every bundled dataset.
pub const SAMPLES: [Sample; 5] = [
    sample!(
        "penguins.csv",
        "Penguins (species; missing values, categories)",
        "species"
    ),
    sample!("iris.csv", "Iris (species)", "species"),
    sample!(
        "breast_cancer.csv",
        "Breast cancer (diagnosis)",
        "diagnosis"
    ),
    sample!("wine.csv", "Wine (cultivar)", "cultivar"),
    sample!(
        "diabetes.csv",
        "Diabetes (progression; regression)",
        "progression"
    ),
];

/// A path to read `sample` from: the source tree's `assets/` when present, else a copy
/// written once to the user's data directory.
pub fn sample_path(sample: &Sample) -> std::io::Result<PathBuf> {
    let in_tree = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(sample.file);
    if in_tree.is_file() {
        return Ok(in_tree);
    }
    let dir = directories::ProjectDirs::from("", "", "modeldesk")
        .map(|d| d.data_dir().join("samples"))
        .unwrap_or_else(|| std::env::temp_dir().join("modeldesk-samples"));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(sample.file);
    if std::fs::read(&path).ok().as_deref() != Some(sample.bytes) {
        std::fs::write(&path, sample.bytes)?;
    }
    Ok(path)
}
