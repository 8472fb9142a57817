//! `train --export-split DIR`: the hold-out split and its feature matrices as NumPy `.npy`
//! files, so a benchmark can fit scikit-learn on exactly the matrix Modeldesk fitted.
//!
//! Files: `train_rows`, `valid_rows` (data-row positions in the file, int64), `train_x`,
//! `valid_x` (float64, rows × features, C order), `train_y`, `valid_y` (class indices,
//! int64), and `features.json` (feature and class names).

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use ndarray::Array2;

use crate::data::Table;
use crate::ml::eval::Validation;
use crate::ml::prep::{fit_recipe, Recipe};
use crate::ml::split::stratified_holdout;
use crate::ml::target::class_target;

/// Write the split that `train` with `validation` (a hold-out) uses on `table`.
pub fn export_split(
    dir: &Path,
    table: &Table,
    target: &str,
    recipe: &Recipe,
    validation: Validation,
) -> anyhow::Result<()> {
    let Validation::Holdout { fraction, seed } = validation else {
        anyhow::bail!("--export-split needs --holdout");
    };
    let classes = class_target(table, target).context("no such target")?;
    let fold = stratified_holdout(&classes.y, classes.classes.len(), fraction, seed)?;
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let train_rows: Vec<usize> = fold.train.iter().map(|&p| classes.rows[p]).collect();
    let valid_rows: Vec<usize> = fold.validate.iter().map(|&p| classes.rows[p]).collect();
    let fitted = fit_recipe(recipe, table, &train_rows)?;
    for (name, rows, positions) in [
        ("train", &train_rows, &fold.train),
        ("valid", &valid_rows, &fold.validate),
    ] {
        let x = fitted.transform(table, rows)?.x;
        write_f64(&dir.join(format!("{name}_x.npy")), &x)?;
        let y: Vec<i64> = positions.iter().map(|&p| classes.y[p] as i64).collect();
        write_i64(&dir.join(format!("{name}_y.npy")), &y)?;
        let rows: Vec<i64> = rows.iter().map(|&r| r as i64).collect();
        write_i64(&dir.join(format!("{name}_rows.npy")), &rows)?;
    }
    let names = serde_json::json!({
        "features": fitted.feature_names(),
        "classes": classes.classes,
    });
    std::fs::write(dir.join("features.json"), names.to_string())?;
    Ok(())
}

fn write_f64(path: &Path, x: &Array2<f64>) -> anyhow::Result<()> {
    let x = x.as_standard_layout();
    let cells = x.as_slice().expect("standard layout is one slice");
    let shape = format!("({}, {})", x.nrows(), x.ncols());
    write_npy(path, "<f8", &shape, cells.iter().map(|v| v.to_le_bytes()))
}

fn write_i64(path: &Path, v: &[i64]) -> anyhow::Result<()> {
    let shape = format!("({},)", v.len());
    write_npy(path, "<i8", &shape, v.iter().map(|v| v.to_le_bytes()))
}

/// NPY format 1.0: magic, header length, a Python-dict header padded to 64 bytes, data.
fn write_npy(
    path: &Path,
    dtype: &str,
    shape: &str,
    cells: impl Iterator<Item = [u8; 8]>,
) -> anyhow::Result<()> {
    let mut header = format!("{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape}, }}");
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let file = std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
    let mut out = BufWriter::new(file);
    out.write_all(b"\x93NUMPY\x01\x00")?;
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    for cell in cells {
        out.write_all(&cell)?;
    }
    out.flush()?;
    Ok(())
}
