#!/usr/bin/env python3
"""Write tests/fixtures/shap_trees.json: shap's path-dependent TreeSHAP values of
scikit-learn's own trees, for the parity test of Modeldesk's TreeSHAP.

  bench/shap_trees.py            (or: python3 bench/shap_trees.py)

Each case holds scikit-learn's fitted trees (a decision tree on iris, a random forest on
breast_cancer), each node's split, children and training rows by class (weighted by the
bootstrap draws in a forest, as shap reads `weighted_n_node_samples`), the rows explained
(already as float32, as both scikit-learn and shap read them), and
`shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")`'s expected values and
SHAP values per class. tests/model_parity.rs builds the same trees in Modeldesk (scikit-learn
sends `x <= t` left, Modeldesk `x < t`: the threshold becomes the next float above `t`) and
compares to 1e-6. The preprocessing is Modeldesk's default recipe on all-numeric files:
standardised with the population std.

With `--time N` it also times shap's TreeExplainer on N rows of the forest case and prints it.
"""
import csv
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets"
OUT = HERE.parent / "tests" / "fixtures" / "shap_trees.json"

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy", "shap")

import numpy as np  # noqa: E402
import shap  # noqa: E402
import sklearn  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

EXPLAINED_ROWS = 25


def numeric_matrix(file, target):
    with open(ASSETS / file, newline="") as f:
        rows = list(csv.DictReader(f))
    names = [n for n in rows[0] if n != target]
    x = np.array([[float(r[n]) for n in names] for r in rows])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    labels = [r[target] for r in rows]
    classes = sorted(set(labels))
    return names, x, np.array([classes.index(v) for v in labels]), classes


def tree_json(estimator):
    t = estimator.tree_
    value = t.value[:, 0, :]
    shares = value / value.sum(axis=1, keepdims=True)
    counts = np.rint(shares * t.weighted_n_node_samples[:, None]).astype(int)
    assert np.allclose(counts, shares * t.weighted_n_node_samples[:, None], atol=1e-6)
    return {
        "feature": t.feature.tolist(),
        "threshold": t.threshold.tolist(),
        "left": t.children_left.tolist(),
        "right": t.children_right.tolist(),
        "counts": counts.tolist(),
    }


def per_class(values, classes):
    """shap's values as classes × rows × features, whatever shape this shap version uses."""
    v = np.asarray(values)
    if v.ndim == 3 and v.shape[2] == classes:
        v = np.moveaxis(v, 2, 0)
    assert v.shape[0] == classes, v.shape
    return v


def case(file, target, model, kind):
    names, x, y, classes = numeric_matrix(file, target)
    model.fit(x, y)
    estimators = model.estimators_ if hasattr(model, "estimators_") else [model]
    rows = np.linspace(0, len(x) - 1, EXPLAINED_ROWS).round().astype(int)
    explained = x[rows].astype(np.float32).astype(np.float64)
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    values = per_class(explainer.shap_values(explained), len(classes))
    expected = np.atleast_1d(explainer.expected_value)
    proba = model.predict_proba(explained)
    # shap's own promise, checked here: expected value + Σ values = the probability.
    assert np.allclose(expected[:, None] + values.sum(axis=2), proba.T, atol=1e-6)
    return {
        "file": file,
        "target": target,
        "kind": kind,
        "classes": classes,
        "features": names,
        "trees": [tree_json(e) for e in estimators],
        "rows": explained.tolist(),
        "expected_value": expected.tolist(),
        "shap_values": values.tolist(),
        "proba": proba.tolist(),
    }


def timing(rows):
    names, x, y, classes = numeric_matrix("breast_cancer.csv", "diagnosis")
    forest = RandomForestClassifier(n_estimators=100, random_state=0).fit(x, y)
    data = np.resize(x, (rows, x.shape[1])).astype(np.float32)
    explainer = shap.TreeExplainer(forest, feature_perturbation="tree_path_dependent")
    start = time.perf_counter()
    explainer.shap_values(data)
    seconds = time.perf_counter() - start
    print(f"shap {shap.__version__} TreeExplainer: 100 trees, {rows} rows: {seconds:.3f} s")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--time":
        timing(int(sys.argv[2]))
        return
    cases = [
        case("iris.csv", "species", DecisionTreeClassifier(max_depth=6, random_state=0), "tree"),
        case(
            "breast_cancer.csv",
            "diagnosis",
            RandomForestClassifier(n_estimators=8, max_depth=6, random_state=0),
            "forest",
        ),
    ]
    OUT.write_text(
        json.dumps({"sklearn": sklearn.__version__, "shap": shap.__version__, "cases": cases})
        + "\n"
    )
    print(f"wrote {OUT} ({len(cases)} cases, shap {shap.__version__})")


if __name__ == "__main__":
    main()
