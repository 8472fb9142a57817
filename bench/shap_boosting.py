#!/usr/bin/env python3
"""Write tests/fixtures/shap_boosting.json: shap's path-dependent TreeSHAP values of
scikit-learn's own histogram gradient boosting, for the parity test of Modeldesk's TreeSHAP
on boosted trees.

  bench/shap_boosting.py            (or: python3 bench/shap_boosting.py)

Each case holds scikit-learn's fitted predictors (`_predictors`: per iteration one tree per
output, each node's feature, threshold, side of missing values, children, value and
training-row `count`, which shap reads as the cover), the baseline (`_baseline_prediction`),
the rows explained, and `shap.TreeExplainer(model)`'s expected values and SHAP values in raw
space (log-odds for two classes, each class's raw score for more, the value for
regression): one set per output. tests/shap_parity.rs builds the same ensembles as
Modeldesk boosted models and compares. The matrix is Modeldesk's default recipe on
all-numeric files (standardised with the population std), with a share of one column's
values made missing, so that splits send missing values one way or the other.

Runs inside the virtualenv that bench/reference_venv.py makes.
"""
import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets"
OUT = HERE.parent / "tests" / "fixtures" / "shap_boosting.json"

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy", "shap")

import numpy as np  # noqa: E402
import shap  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

EXPLAINED_ROWS = 25


def numeric_matrix(file, target, regression):
    with open(ASSETS / file, newline="") as f:
        rows = list(csv.DictReader(f))
    names = [n for n in rows[0] if n != target]
    x = np.array([[float(r[n]) for n in names] for r in rows])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    # Every seventh value of the first column missing.
    x[::7, 0] = np.nan
    if regression:
        return names, x, np.array([float(r[target]) for r in rows]), []
    labels = [r[target] for r in rows]
    classes = sorted(set(labels))
    return names, x, np.array([classes.index(v) for v in labels]), classes


def predictor_json(predictor):
    n = predictor.nodes
    return {
        "feature": n["feature_idx"].tolist(),
        "threshold": n["num_threshold"].tolist(),
        "missing_left": n["missing_go_to_left"].astype(bool).tolist(),
        "left": n["left"].tolist(),
        "right": n["right"].tolist(),
        "leaf": n["is_leaf"].astype(bool).tolist(),
        "value": n["value"].tolist(),
        "count": n["count"].tolist(),
    }


def per_output(values, outputs):
    """shap's values as outputs × rows × features, whatever shape this shap version uses."""
    v = np.asarray(values)
    if v.ndim == 2:
        v = v[None, :, :]
    elif v.shape[2] == outputs and v.shape[0] != outputs:
        v = np.moveaxis(v, 2, 0)
    assert v.shape[0] == outputs, v.shape
    return v


def case(file, target, regression, **params):
    names, x, y, classes = numeric_matrix(file, target, regression)
    model_type = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
    model = model_type(early_stopping=False, random_state=0, **params).fit(x, y)
    rows = np.linspace(0, len(x) - 1, EXPLAINED_ROWS).round().astype(int)
    explained = x[rows]
    explainer = shap.TreeExplainer(model)
    outputs = model._baseline_prediction.shape[1]
    values = per_output(explainer.shap_values(explained), outputs)
    expected = np.atleast_1d(explainer.expected_value).reshape(-1)
    raw = model._raw_predict(explained).T
    # shap's own promise, checked here: expected value + Σ values = the raw prediction.
    assert np.allclose(expected[:, None] + values.sum(axis=2), raw, atol=1e-6)
    return {
        "file": file,
        "target": target,
        "classes": classes,
        "features": names,
        "params": params,
        "baseline": model._baseline_prediction.reshape(-1).tolist(),
        "trees": [[predictor_json(p) for p in iteration] for iteration in model._predictors],
        "rows": [[None if np.isnan(v) else v for v in row] for row in explained.tolist()],
        "expected_value": expected.tolist(),
        "shap_values": values.tolist(),
        "raw": raw.tolist(),
    }


def main():
    cases = [
        case("breast_cancer.csv", "diagnosis", False, max_iter=30),
        case("iris.csv", "species", False, max_iter=20, max_leaf_nodes=8),
        case("diabetes.csv", "progression", True, max_iter=30, max_depth=4),
    ]
    OUT.write_text(
        json.dumps({"sklearn": sklearn.__version__, "shap": shap.__version__, "cases": cases})
        + "\n"
    )
    print(f"wrote {OUT} ({len(cases)} cases, shap {shap.__version__})")


if __name__ == "__main__":
    main()
