#!/usr/bin/env python3
"""Write tests/fixtures/sklearn_boosting.json: scikit-learn's histogram gradient boosting
on the cases tests/boosting_parity.rs repeats with Modeldesk's.

  bench/sklearn_boosting.py            (or: python3 bench/sklearn_boosting.py)

- bin edges: `_BinMapper(n_bins=256)` (HistGradientBoosting's binner at max_bins=255) on
  every numeric column of the bundled samples, missing values left out, and on a column with
  many tied values;
- 5-fold CV (StratifiedKFold, shuffled, seed 0; the folds are written out) of
  HistGradientBoostingClassifier/Regressor with its defaults and early_stopping=False, after
  Modeldesk's default recipe (mean-impute + standardise numbers; categories with missing as a
  level, given to the model as native categorical features, as Modeldesk's gradient boosting
  splits them by default: ordinal codes in sorted order, unknown levels missing) fitted on
  each training fold: accuracy on the classes, ROC AUC of the out-of-fold probabilities on
  breast_cancer, R² on diabetes;
- the same CV with class weights, `class_weight="balanced"` and explicit weights per class
  (`{"malignant": 3}` on breast_cancer, `{"Chinstrap": 4, "Gentoo": 0.5}` on penguins):
  accuracy, balanced accuracy and ROC AUC, and the out-of-fold probabilities;
- weighted bin edges: `_BinMapper(n_bins=256).fit(column, sample_weight=...)` on every
  column of breast_cancer with its balanced class weights as sample weights;
- a generated file both sides make from the same counter-based random numbers (splitmix64,
  so the numbers are identical bit for bit), with a missing share in one column: the
  hold-out ROC AUC of each side's model fitted on the raw matrix, missing values included.

Runs inside the virtualenv that bench/reference_venv.py makes.
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets"
OUT = HERE.parent / "tests" / "fixtures" / "sklearn_boosting.json"

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy", "pandas")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    balanced_accuracy_score,
    r2_score,
    roc_auc_score,
)
from sklearn.utils.class_weight import compute_sample_weight  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler  # noqa: E402

MASK = (1 << 64) - 1


def splitmix(x):
    """splitmix64's output for state `x` (tests/boosting_parity.rs has the same)."""
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def uniform(row, column):
    """A number in [0, 1) for one cell."""
    return (splitmix(row * 64 + column) >> 11) * 2.0**-53


def generated(rows):
    """Six features (one with 20 values, one 5 % missing) and a noisy nonlinear label."""
    x = np.empty((rows, 6))
    y = np.empty(rows, dtype=int)
    for i in range(rows):
        a, b, c, d = (uniform(i, j) * 4.0 - 2.0 for j in range(4))
        levels = float(int(uniform(i, 4) * 20.0))
        e = uniform(i, 5) * 4.0 - 2.0
        missing = uniform(i, 40) < 0.05
        score = a * b + c - d * d + (0.8 if levels >= 10.0 else -0.4)
        score += 1.0 if missing else 0.5 * e
        noise = (uniform(i, 41) - 0.5) * 3.0
        x[i] = [a, b, c, d, levels, np.nan if missing else e]
        y[i] = 1 if score + noise > 0.0 else 0
    return x, y


def recipe(numeric, categorical, native=False):
    """Modeldesk's default recipe: categories one-hot, or as codes for native splits."""
    encoder = (
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)
        if native
        else OneHotEncoder(handle_unknown="ignore")
    )
    return ColumnTransformer(
        [
            (
                "numbers",
                make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()),
                numeric,
            ),
            (
                "categories",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="(missing)"),
                    encoder,
                ),
                categorical,
            ),
        ],
        sparse_threshold=0.0,
    )


def cv_case(file, target, regression, class_weight=None):
    frame = pd.read_csv(ASSETS / file)
    label = frame.pop(target)
    numeric = [c for c in frame.columns if frame[c].dtype.kind in "if"]
    categorical = [c for c in frame.columns if c not in numeric]
    for c in categorical:
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    if regression:
        y = label.to_numpy(dtype=float)
        splits = KFold(5, shuffle=True, random_state=0).split(frame)
        model = HistGradientBoostingRegressor
    else:
        classes = sorted(label.unique())
        y = np.searchsorted(np.array(classes), label.to_numpy())
        splits = StratifiedKFold(5, shuffle=True, random_state=0).split(frame, y)
        model = HistGradientBoostingClassifier
    # HistGradientBoostingClassifier applies class_weight after encoding y, so a dict's keys
    # are the classes' positions in sorted order (Modeldesk's class order), not their names.
    if isinstance(class_weight, dict):
        sklearn_weight = {classes.index(name): w for name, w in class_weight.items()}
    else:
        sklearn_weight = class_weight
    # The categories' codes follow the numbers in the recipe's output.
    native = list(range(len(numeric), len(numeric) + len(categorical))) or None
    folds = []
    predicted = np.zeros(len(y))
    proba = np.zeros((len(y), 1 if regression else len(classes)))
    for train, test in splits:
        pipeline = Pipeline(
            [
                ("recipe", recipe(numeric, categorical, native=True)),
                (
                    "model",
                    model(early_stopping=False, random_state=0, categorical_features=native)
                    if regression
                    else model(
                        early_stopping=False,
                        random_state=0,
                        class_weight=sklearn_weight,
                        categorical_features=native,
                    ),
                ),
            ]
        )
        pipeline.fit(frame.iloc[train], y[train])
        if regression:
            predicted[test] = pipeline.predict(frame.iloc[test])
        else:
            proba[test] = pipeline.predict_proba(frame.iloc[test])
        folds.append(sorted(int(i) for i in test))
    case = {"file": file, "target": target, "folds": folds}
    if regression:
        case["r2"] = r2_score(y, predicted)
    else:
        case["classes"] = [str(c) for c in classes]
        if class_weight is not None:
            case["class_weight"] = class_weight
            case["proba"] = proba.tolist()
        case["accuracy"] = accuracy_score(y, proba.argmax(axis=1))
        case["balanced_accuracy"] = balanced_accuracy_score(y, proba.argmax(axis=1))
        if len(classes) == 2:
            case["roc_auc"] = roc_auc_score(y, proba[:, 1])
    return case


def bin_edges():
    cases = []
    for file in ["iris.csv", "wine.csv", "breast_cancer.csv", "penguins.csv", "diabetes.csv"]:
        frame = pd.read_csv(ASSETS / file)
        for column in frame.columns:
            if frame[column].dtype.kind not in "if":
                continue
            values = frame[column].to_numpy(dtype=float).reshape(-1, 1)
            mapper = _BinMapper(n_bins=256).fit(values)
            cases.append(
                {
                    "file": file,
                    "column": column,
                    "edges": mapper.bin_thresholds_[0].tolist(),
                }
            )
    # Many values with many ties, so that percentiles repeat and are merged.
    rng = np.random.default_rng(0)
    tied = np.round(rng.exponential(1.0, 5000), 1)
    tied[::37] = np.nan
    mapper = _BinMapper(n_bins=256).fit(tied.reshape(-1, 1))
    cases.append(
        {
            "values": [None if np.isnan(v) else v for v in tied.tolist()],
            "edges": mapper.bin_thresholds_[0].tolist(),
        }
    )
    mapper = _BinMapper(n_bins=17).fit(tied.reshape(-1, 1))
    cases.append(
        {
            "values": [None if np.isnan(v) else v for v in tied.tolist()],
            "max_bins": 16,
            "edges": mapper.bin_thresholds_[0].tolist(),
        }
    )
    return cases


def weighted_bin_edges():
    """Every breast_cancer column binned with the balanced class weights as sample weights."""
    frame = pd.read_csv(ASSETS / "breast_cancer.csv")
    label = frame.pop("diagnosis")
    weights = compute_sample_weight("balanced", label.to_numpy())
    cases = []
    for column in frame.columns:
        values = frame[column].to_numpy(dtype=float).reshape(-1, 1)
        mapper = _BinMapper(n_bins=256).fit(values, sample_weight=weights)
        cases.append(
            {
                "file": "breast_cancer.csv",
                "target": "diagnosis",
                "class_weight": "balanced",
                "column": column,
                "edges": mapper.bin_thresholds_[0].tolist(),
            }
        )
    return cases


def generated_case(rows):
    x, y = generated(rows)
    cut = rows * 4 // 5
    model = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
    model.fit(x[:cut], y[:cut])
    proba = model.predict_proba(x[cut:])[:, 1]
    return {
        "rows": rows,
        "x_sum": float(np.nansum(x)),
        "positives": int(y.sum()),
        "missing": int(np.isnan(x).sum()),
        "roc_auc": roc_auc_score(y[cut:], proba),
        "accuracy": accuracy_score(y[cut:], proba > 0.5),
        "first_proba": proba[:20].tolist(),
    }


def main():
    fixture = {
        "sklearn": sklearn.__version__,
        "bin_edges": bin_edges(),
        "cv": [
            cv_case("iris.csv", "species", False),
            cv_case("wine.csv", "cultivar", False),
            cv_case("breast_cancer.csv", "diagnosis", False),
            cv_case("penguins.csv", "species", False),
            cv_case("diabetes.csv", "progression", True),
        ],
        "generated": generated_case(20_000),
        "weighted_bin_edges": weighted_bin_edges(),
        "class_weight_cv": [
            cv_case("breast_cancer.csv", "diagnosis", False, "balanced"),
            cv_case("breast_cancer.csv", "diagnosis", False, {"malignant": 3.0}),
            cv_case("penguins.csv", "species", False, "balanced"),
            cv_case("penguins.csv", "species", False, {"Chinstrap": 4.0, "Gentoo": 0.5}),
        ],
    }
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    for case in fixture["cv"] + fixture["class_weight_cv"]:
        names = ("accuracy", "balanced_accuracy", "roc_auc", "r2")
        scores = {k: case[k] for k in names if k in case}
        print(case["file"], case.get("class_weight", ""), scores)
    g = fixture["generated"]
    print("generated", g["rows"], "rows: ROC AUC", g["roc_auc"], "accuracy", g["accuracy"])
    print(f"wrote {OUT} (scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
