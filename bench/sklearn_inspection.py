#!/usr/bin/env python3
"""Write tests/fixtures/sklearn_inspection.json: scikit-learn's permutation importances and
partial dependence of fitted models on the bundled samples.

  bench/sklearn_inspection.py            (or: python3 bench/sklearn_inspection.py)

Each permutation case holds the fitted model (a linear regression's coefficients, a tree's
nodes), the metric, the row order of every column at every repeat, and
`sklearn.inspection.permutation_importance`'s result. Each own-fit case holds only the file,
the algorithm, the metric, the row orders and scikit-learn's result on the model scikit-learn
fitted itself: Modeldesk fits its own and must agree within 1e-3. Each partial dependence case holds the
model (linear or logistic coefficients), the column, and `partial_dependence`'s grid,
averages and the individual curves of a few rows (brute method, grid resolution 100,
percentiles 0.05 and 0.95). tests/model_parity.rs puts the same model into Modeldesk and
compares. The preprocessing is Modeldesk's default recipe on all-numeric files:
standardised with the population std.
"""
import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets"
OUT = HERE.parent / "tests" / "fixtures" / "sklearn_inspection.json"

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.inspection import partial_dependence, permutation_importance  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.metrics import get_scorer  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

REPEATS = 3
SEED = 0


def numeric_matrix(file, target):
    with open(ASSETS / file, newline="") as f:
        rows = list(csv.DictReader(f))
    names = [n for n in rows[0] if n != target]
    x = np.array([[float(r[n]) for n in names] for r in rows])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return names, x, [r[target] for r in rows]


def shuffles(n_rows, n_cols):
    """The row orders permutation_importance draws: one RandomState per column, seeded from
    the call's random_state, shuffling one index array again at every repeat."""
    seed = np.random.RandomState(SEED).randint(np.iinfo(np.int32).max + 1)
    out = []
    for _ in range(n_cols):
        rs = np.random.RandomState(seed)
        idx = np.arange(n_rows)
        orders = []
        for _ in range(REPEATS):
            rs.shuffle(idx)
            orders.append(idx.tolist())
        out.append(orders)
    return out


def replay(model, x, y, orders):
    """The importances from those row orders, computed here: they must be scikit-learn's."""
    base = model.score(x, y)
    drops = []
    for col, per_repeat in enumerate(orders):
        shuffled = x.copy()
        col_drops = []
        for order in per_repeat:
            shuffled[:, col] = shuffled[order, col]
            col_drops.append(base - model.score(shuffled, y))
        drops.append(col_drops)
    return np.array(drops)


def case(file, target, model, x, y, metric, extra):
    result = permutation_importance(model, x, y, n_repeats=REPEATS, random_state=SEED)
    orders = shuffles(*x.shape)
    replayed = replay(model, x, y, orders)
    assert np.allclose(replayed, result.importances, rtol=0, atol=1e-12), "row orders differ"
    return {
        "file": file,
        "target": target,
        "metric": metric,
        "repeats": REPEATS,
        "orders": orders,
        "importances": result.importances.tolist(),
        "importances_mean": result.importances_mean.tolist(),
        "importances_std": result.importances_std.tolist(),
        **extra,
    }


def own_fit_case(file, target, algorithm, model, scoring):
    """Permutation importance of the model scikit-learn fits itself on every row of `file`,
    by `scoring`, with the row orders it drew (checked by replaying them)."""
    names, x, labels = numeric_matrix(file, target)
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    model.fit(x, y)
    result = permutation_importance(
        model, x, y, scoring=scoring, n_repeats=REPEATS, random_state=SEED
    )
    orders = shuffles(*x.shape)
    scorer = get_scorer(scoring)
    base = scorer(model, x, y)
    for col, per_repeat in enumerate(orders):
        shuffled = x.copy()
        for repeat, order in enumerate(per_repeat):
            shuffled[:, col] = shuffled[order, col]
            drop = base - scorer(model, shuffled, y)
            assert abs(drop - result.importances[col][repeat]) <= 1e-12, "row orders differ"
    return {
        "file": file,
        "target": target,
        "algorithm": algorithm,
        "metric": scoring,
        "repeats": REPEATS,
        "orders": orders,
        "importances": result.importances.tolist(),
        "importances_mean": result.importances_mean.tolist(),
        "importances_std": result.importances_std.tolist(),
    }


def main():
    own_fit = [
        own_fit_case(
            "breast_cancer.csv",
            "diagnosis",
            "logistic",
            LogisticRegression(max_iter=1000),
            "neg_log_loss",
        ),
        own_fit_case("wine.csv", "cultivar", "naive_bayes", GaussianNB(), "accuracy"),
    ]
    cases = []
    names, x, y = numeric_matrix("diabetes.csv", "progression")
    y = np.array([float(v) for v in y])
    ols = LinearRegression().fit(x, y)
    cases.append(
        case(
            "diabetes.csv",
            "progression",
            ols,
            x,
            y,
            "r2",
            {"coef": ols.coef_.tolist(), "intercept": float(ols.intercept_)},
        )
    )
    names, x, labels = numeric_matrix("iris.csv", "species")
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    tree = DecisionTreeClassifier(max_depth=10, random_state=0).fit(x, y)
    t = tree.tree_
    value = t.value[:, 0, :]
    cases.append(
        case(
            "iris.csv",
            "species",
            tree,
            x,
            y,
            "accuracy",
            {
                "classes": classes,
                "node_feature": t.feature.tolist(),
                "node_threshold": t.threshold.tolist(),
                "node_left": t.children_left.tolist(),
                "node_right": t.children_right.tolist(),
                "node_proba": (value / value.sum(axis=1, keepdims=True)).tolist(),
            },
        )
    )
    dependence = []
    names, x, y = numeric_matrix("diabetes.csv", "progression")
    y = np.array([float(v) for v in y])
    ols = LinearRegression().fit(x, y)
    linear = {"coef": [ols.coef_.tolist()], "intercept": [float(ols.intercept_)]}
    for column in ["bmi", "sex"]:
        dependence.append(pd_case("diabetes.csv", "progression", ols, x, names, column, linear))
    for file, target, column in [
        ("iris.csv", "species", "petal_length"),
        ("breast_cancer.csv", "diagnosis", "mean radius"),
    ]:
        names, x, labels = numeric_matrix(file, target)
        classes = sorted(set(labels))
        y = np.array([classes.index(v) for v in labels])
        logistic = LogisticRegression(max_iter=1000).fit(x, y)
        fitted = {
            "classes": classes,
            "coef": logistic.coef_.tolist(),
            "intercept": logistic.intercept_.tolist(),
        }
        dependence.append(pd_case(file, target, logistic, x, names, column, fitted))
    OUT.write_text(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "cases": cases,
                "own_fit": own_fit,
                "partial_dependence": dependence,
            }
        )
        + "\n"
    )
    print(
        f"wrote {OUT} ({len(cases)} permutation, {len(own_fit)} own-fit permutation and "
        f"{len(dependence)} partial dependence cases, scikit-learn {sklearn.__version__})"
    )


ICE_ROWS = 5


def pd_case(file, target, model, x, names, column, fitted):
    """partial_dependence of `model` on `column`, with the individual curves of ICE_ROWS rows
    spread evenly over the rows (i * n // ICE_ROWS, as Modeldesk samples them)."""
    j = names.index(column)
    result = partial_dependence(
        model, x, [j], kind="both", grid_resolution=100, percentiles=(0.05, 0.95)
    )
    n = x.shape[0]
    rows = [i * n // ICE_ROWS for i in range(ICE_ROWS)]
    return {
        "file": file,
        "target": target,
        "column": column,
        "grid": result["grid_values"][0].tolist(),
        "average": result["average"].tolist(),
        "ice_rows": rows,
        "individual": result["individual"][:, rows, :].tolist(),
        **fitted,
    }


if __name__ == "__main__":
    main()
