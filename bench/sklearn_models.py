#!/usr/bin/env python3
"""Write tests/fixtures/sklearn_models.json: scikit-learn's fitted models on the bundled
samples, preprocessed as Modeldesk's default recipe does (mean-impute + standardise numbers,
one-hot categories with missing as its own level), fitted on every row.

  bench/sklearn_models.py            (or: python3 bench/sklearn_models.py)

tests/model_parity.rs fits Modeldesk's models on the same rows and compares predictions and
coefficients, and for trees each node's rows and impurity and the impurity importances. Runs inside the virtualenv that bench/sklearn_metrics.py creates.
"""
import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets"
OUT = HERE.parent / "tests" / "fixtures" / "sklearn_models.json"

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.linear_model import ElasticNet, LinearRegression, LogisticRegression  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402


def numeric_matrix(file, target):
    """Standardised numeric features (all columns but the target are numeric here)."""
    with open(ASSETS / file, newline="") as f:
        rows = list(csv.DictReader(f))
    names = [n for n in rows[0] if n != target]
    x = np.array([[float(r[n]) for n in names] for r in rows])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = [r[target] for r in rows]
    return x, y


def main():
    cases = []
    x, y = numeric_matrix("diabetes.csv", "progression")
    y = np.array([float(v) for v in y])
    ols = LinearRegression().fit(x, y)
    cases.append(
        {
            "file": "diabetes.csv",
            "target": "progression",
            "algorithm": "linear_regression",
            "params": {},
            "coef": list(ols.coef_),
            "intercept": float(ols.intercept_),
            "predictions": list(ols.predict(x)),
        }
    )
    for name, alpha, l1 in [
        ("ridge", 0.5, 0.0),
        ("lasso", 1.0, 1.0),
        ("elastic_net", 0.1, 0.5),
    ]:
        model = ElasticNet(alpha=alpha, l1_ratio=l1, tol=1e-8, max_iter=100_000).fit(x, y)
        cases.append(
            {
                "file": "diabetes.csv",
                "target": "progression",
                "algorithm": name,
                "params": {"alpha": alpha, "l1_ratio": l1},
                "coef": list(model.coef_),
                "intercept": float(model.intercept_),
                "predictions": list(model.predict(x)),
            }
        )
    for file, target in [("iris.csv", "species"), ("wine.csv", "cultivar")]:
        x, labels = numeric_matrix(file, target)
        classes = sorted(set(labels))
        y = np.array([classes.index(v) for v in labels])
        nb = GaussianNB().fit(x, y)
        cases.append(
            {
                "file": file,
                "target": target,
                "algorithm": "naive_bayes",
                "params": {},
                "classes": classes,
                "proba": nb.predict_proba(x).tolist(),
            }
        )
    # Logistic regression (C = 1), with equal and with balanced class weights, converged
    # tightly so that the fitted models, not the stopping points, are compared.
    for file, target in [("breast_cancer.csv", "diagnosis"), ("wine.csv", "cultivar")]:
        x, labels = numeric_matrix(file, target)
        classes = sorted(set(labels))
        y = np.array([classes.index(v) for v in labels])
        for class_weight in [None, "balanced"]:
            model = LogisticRegression(
                C=1.0, tol=1e-10, max_iter=100_000, class_weight=class_weight
            ).fit(x, y)
            cases.append(
                {
                    "file": file,
                    "target": target,
                    "algorithm": "logistic_regression",
                    "params": {"class_weight": class_weight or "none"},
                    "classes": classes,
                    "proba": model.predict_proba(x).tolist(),
                }
            )
    # Modeldesk's default tree: depth 10, Gini, min_samples_split 2, min_samples_leaf 1.
    for file, target in [
        ("iris.csv", "species"),
        ("wine.csv", "cultivar"),
        ("breast_cancer.csv", "diagnosis"),
    ]:
        x, labels = numeric_matrix(file, target)
        classes = sorted(set(labels))
        y = np.array([classes.index(v) for v in labels])
        tree = DecisionTreeClassifier(max_depth=10, random_state=0).fit(x, y)
        cases.append(
            {
                "file": file,
                "target": target,
                "algorithm": "decision_tree",
                "params": {"max_depth": 10},
                "classes": classes,
                "nodes": int(tree.tree_.node_count),
                "proba": tree.predict_proba(x).tolist(),
                # Node ids are in pre-order (left before right).
                "node_rows": tree.tree_.n_node_samples.tolist(),
                "node_impurity": tree.tree_.impurity.tolist(),
                "importances": tree.feature_importances_.tolist(),
                # The tree itself: rows with x[feature] <= threshold go left; -1: a leaf.
                "node_feature": tree.tree_.feature.tolist(),
                "node_threshold": tree.tree_.threshold.tolist(),
                "node_left": tree.tree_.children_left.tolist(),
                "node_right": tree.tree_.children_right.tolist(),
            }
        )
    # The same tree with balanced class weights, on the two samples whose classes are
    # uneven: weighted impurity, weighted leaf shares, importances weighted by the rows'
    # summed weights. scikit-learn also splits some pure nodes of a weighted tree: the
    # weights summed in another order leave an impurity a few ulps above zero.
    for file, target in [("wine.csv", "cultivar"), ("breast_cancer.csv", "diagnosis")]:
        x, labels = numeric_matrix(file, target)
        classes = sorted(set(labels))
        y = np.array([classes.index(v) for v in labels])
        tree = DecisionTreeClassifier(
            max_depth=10, random_state=0, class_weight="balanced"
        ).fit(x, y)
        cases.append(
            {
                "file": file,
                "target": target,
                "algorithm": "decision_tree",
                "params": {"max_depth": 10, "class_weight": "balanced"},
                "classes": classes,
                "nodes": int(tree.tree_.node_count),
                "proba": tree.predict_proba(x).tolist(),
                "node_rows": tree.tree_.n_node_samples.tolist(),
                "node_impurity": tree.tree_.impurity.tolist(),
                "importances": tree.feature_importances_.tolist(),
                "node_feature": tree.tree_.feature.tolist(),
                "node_threshold": tree.tree_.threshold.tolist(),
                "node_left": tree.tree_.children_left.tolist(),
                "node_right": tree.tree_.children_right.tolist(),
            }
        )
    OUT.write_text(
        json.dumps({"sklearn": sklearn.__version__, "cases": cases}, indent=1) + "\n"
    )
    print(f"wrote {OUT} ({len(cases)} cases, scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
