#!/usr/bin/env python3
"""Write tests/fixtures/native_categories.csv and tests/fixtures/sklearn_native_categories.json:
scikit-learn's HistGradientBoostingClassifier with native categorical features on a file whose
label depends on two categories, as tests/native_categories.rs repeats it with Modeldesk's
gradient boosting splitting the recipe's one-hot columns on sets of levels.

  bench/sklearn_native_categories.py    (or: python3 bench/sklearn_native_categories.py)

The file has 4,000 rows: "region", 40 levels with skewed counts, an effect each, some cells
missing, two levels seen only in the last rows; "plan", 4 levels; two numbers; a yes/no label.
The first 3,000 rows train, the last 1,000 are predicted. Both sides use Modeldesk's default
recipe: numbers mean-imputed and standardised, a missing category cell the level
"(missing)". scikit-learn gets the categories as ordinal codes in sorted order (the order of
Modeldesk's levels), a level never seen in training as missing, and `early_stopping=False`.
Written: the first tree's root split (its column, and the levels it sends left), the first
tree's leaves, and the predicted probabilities and ROC AUC of the last rows (and the
probabilities after 1, 5 and 20 iterations).

Runs inside the virtualenv that bench/reference_venv.py makes.
"""
import json
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "fixtures"
CSV = FIXTURES / "native_categories.csv"
OUT = FIXTURES / "sklearn_native_categories.json"
ROWS = 4000
TRAIN = 3000

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy", "pandas")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OrdinalEncoder, StandardScaler  # noqa: E402


def write_csv():
    rng = random.Random(11)
    regions = [f"r{k:02d}" for k in range(40)]
    weights = [1.0 / (k + 1) ** 0.8 for k in range(40)]
    effect = {r: rng.gauss(0, 1.0) for r in regions}
    plans = ["basic", "plus", "pro", "team"]
    plan_effect = {"basic": -0.6, "plus": 0.0, "pro": 0.5, "team": 0.2}
    with open(CSV, "w", newline="") as f:
        f.write("region,plan,x1,x2,label\n")
        for i in range(ROWS):
            pool = regions if i >= TRAIN else regions[:38]
            region = rng.choices(pool, weights[: len(pool)])[0]
            plan = rng.choice(plans)
            x1, x2 = rng.gauss(0, 1), rng.gauss(0, 1)
            z = 0.8 * x1 - 0.5 * x2 + effect[region] + plan_effect[plan]
            label = "yes" if rng.random() < 1 / (1 + math.exp(-z)) else "no"
            cell = "" if rng.random() < 0.03 else region
            f.write(f"{cell},{plan},{x1:.4f},{x2:.4f},{label}\n")


def main():
    write_csv()
    frame = pd.read_csv(CSV, keep_default_na=False, na_values=[""])
    y = (frame.pop("label") == "yes").to_numpy(dtype=int)
    categorical = ["region", "plan"]
    numeric = ["x1", "x2"]
    recipe = ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric),
            (
                "categories",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="(missing)"),
                    OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan),
                ),
                categorical,
            ),
        ],
        sparse_threshold=0.0,
    )
    train, test = slice(0, TRAIN), slice(TRAIN, None)
    x_train = recipe.fit_transform(frame.iloc[train])
    x_test = recipe.transform(frame.iloc[test])
    model = HistGradientBoostingClassifier(
        early_stopping=False, random_state=0, categorical_features=[2, 3]
    )
    model.fit(x_train, y[train])
    proba = model.predict_proba(x_test)[:, 1]
    encoder = recipe.named_transformers_["categories"][-1]
    # scikit-learn puts the categorical features first and codes them again (in the order of
    # their values, here the codes 0, 1, ... themselves): the trees' features and categories
    # are of its own encoding.
    inner = model._preprocessor.named_transformers_["encoder"]
    names = categorical + numeric
    tree = model._predictors[0][0]
    root = tree.nodes[0]
    feature = int(root["feature_idx"])
    left = None
    if root["is_categorical"]:
        words = tree.raw_left_cat_bitsets[root["bitset_idx"]]
        codes = [c for c in range(256) if (int(words[c // 32]) >> (c % 32)) & 1]
        ours = inner.categories_[feature]
        levels = encoder.categories_[feature]
        left = sorted(str(levels[int(ours[c])]) for c in codes)
    fixture = {
        "sklearn": sklearn.__version__,
        "train_rows": TRAIN,
        "root": {
            "column": names[feature],
            "left_levels": left,
            "threshold": None if root["is_categorical"] else float(root["num_threshold"]),
            "count": int(root["count"]),
        },
        "first_tree_leaves": int(tree.nodes["is_leaf"].sum()),
        "probabilities": proba.tolist(),
        # After the first iterations too.
        "staged": {
            str(k): p[:, 1].tolist()
            for k, p in enumerate(model.staged_predict_proba(x_test), start=1)
            if k in (1, 5, 20)
        },
        "roc_auc": roc_auc_score(y[test], proba),
    }
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print("root", fixture["root"], "leaves", fixture["first_tree_leaves"])
    print("ROC AUC", fixture["roc_auc"])
    print(f"wrote {CSV} and {OUT} (scikit-learn {sklearn.__version__})")


main()
