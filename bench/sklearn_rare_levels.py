#!/usr/bin/env python3
"""Write tests/fixtures/rare_levels.csv and tests/fixtures/sklearn_rare_levels.json:
scikit-learn's OneHotEncoder(min_frequency=…, max_categories=…) on a skewed categorical
column, and the logistic regression fitted after it.

  bench/sklearn_rare_levels.py      (or: python3 bench/sklearn_rare_levels.py)

The file has 600 rows: a "shop" column of 30 levels with skewed counts (ties included), some
cells missing, two numbers, and a yes/no label that depends on x1 and on the shop. The first
450 rows train; the last 150 (some of whose shops training never saw) are predicted.
scikit-learn's encoder takes the missing cells natively, so, as in Modeldesk's recipe, missing
is a column of its own and never grouped, and an unseen shop sets no column
(handle_unknown="ignore"). tests/rare_levels.rs fits Modeldesk's recipe and logistic
regression with each setting and compares the grouped levels and the probabilities.
"""
import csv
import json
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "fixtures"
CSV = FIXTURES / "rare_levels.csv"
OUT = FIXTURES / "sklearn_rare_levels.json"
TRAIN = 450

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy")

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.preprocessing import OneHotEncoder  # noqa: E402


def write_csv():
    rng = random.Random(7)
    shops = [f"shop{k:02d}" for k in range(30)]
    # Zipf-like weights: a few big shops, a long tail; shop28 and shop29 are left out of
    # training below, so the prediction rows meet shops never seen.
    weights = [1.0 / (k + 1) ** 1.1 for k in range(30)]
    effect = {s: rng.gauss(0, 1.2) for s in shops}
    with open(CSV, "w", newline="") as f:
        f.write("shop,x1,x2,label\n")
        for i in range(600):
            pool = shops if i >= TRAIN else shops[:28]
            shop = rng.choices(pool, weights[: len(pool)])[0]
            x1, x2 = rng.gauss(0, 1), rng.gauss(0, 1)
            z = 0.9 * x1 - 0.4 * x2 + effect[shop]
            label = "yes" if rng.random() < 1 / (1 + math.exp(-z)) else "no"
            cell = "" if rng.random() < 0.04 else shop
            f.write(f"{cell},{x1:.4f},{x2:.4f},{label}\n")


def read():
    with open(CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    shop = np.array([[r["shop"] or np.nan] for r in rows], dtype=object)
    x = np.array([[float(r["x1"]), float(r["x2"])] for r in rows])
    y = np.array([r["label"] for r in rows])
    return shop, x, y


CASES = [
    {"min_frequency": 10},
    {"min_frequency": 0.03},
    {"max_categories": 6},
    {"min_frequency": 5, "max_categories": 8},
    {"max_categories": 1},
]


def main():
    write_csv()
    shop, x, y = read()
    train, test = slice(0, TRAIN), slice(TRAIN, None)
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    scaled = (x - mean) / std
    cases = []
    for case in CASES:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False, **case)
        encoder.fit(shop[train])
        hot = encoder.transform(shop)
        design = np.hstack([scaled, hot])
        model = LogisticRegression(solver="lbfgs", tol=1e-10, max_iter=10_000)
        model.fit(design[train], y[train])
        infrequent = encoder.infrequent_categories_[0]
        cases.append(
            {
                "settings": case,
                "infrequent": [] if infrequent is None else sorted(map(str, infrequent)),
                "columns": hot.shape[1],
                "classes": list(model.classes_),
                "probabilities": model.predict_proba(design[test])[:, 1].tolist(),
            }
        )
    OUT.write_text(
        json.dumps({"sklearn": sklearn.__version__, "train_rows": TRAIN, "cases": cases}, indent=1)
        + "\n"
    )
    print(f"wrote {CSV} and {OUT}")


main()
