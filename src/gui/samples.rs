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

/// Every bundled dataset.
pub const SAMPLES: [Sample; 5] = [
    Sample {
        file: "penguins.csv",
        title: "Penguins (species; missing values, categories)",
        target: "species",
        bytes: include_bytes!("../../assets/penguins.csv"),
    },
    Sample {
        file: "iris.csv",
        title: "Iris (species)",
        target: "species",
        bytes: include_bytes!("../../assets/iris.csv"),
    },
    Sample {
        file: "breast_cancer.csv",
        title: "Breast cancer (diagnosis)",
        target: "diagnosis",
        bytes: include_bytes!("../../assets/breast_cancer.csv"),
    },
    Sample {
        file: "wine.csv",
        title: "Wine (cultivar)",
        target: "cultivar",
        bytes: include_bytes!("../../assets/wine.csv"),
    },
    Sample {
        file: "diabetes.csv",
        title: "Diabetes (progression; regression)",
        target: "progression",
        bytes: include_bytes!("../../assets/diabetes.csv"),
    },
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
