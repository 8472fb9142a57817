#!/usr/bin/env python3
"""The peers' side of bench/boosting_bench.sh; prints one JSON object on stdout.

  boosting_peer.py sklearn SPLIT_DIR     HistGradientBoostingClassifier
  boosting_peer.py lightgbm SPLIT_DIR    LightGBM's LGBMClassifier (for information)

Each fits the training matrix Modeldesk exported (`train --export-split`), so all fit the
very same numbers, with Modeldesk's defaults: 100 iterations, learning rate 0.1, 31 leaves,
20 rows per leaf, no L2, 255 bins, no early stopping. Fit seconds and the ROC AUC of the
hold-out rows.

Modeldesk's gradient boosting splits one-hot columns natively by default, so each one-hot
column of the matrix (its `column=level` indicators in features.json) is given back to the
peers as one categorical feature of level codes (none set: missing). A column of more than
255 levels, which scikit-learn cannot take as categorical, stays indicators for both peers;
the output says how many columns went which way.
"""
import json
import sys
import time

import numpy as np


def main():
    peer, split_dir = sys.argv[1:]
    from sklearn.metrics import roc_auc_score

    names = json.load(open(f"{split_dir}/features.json"))["features"]
    x, categorical, kept = native(np.load(f"{split_dir}/train_x.npy"), names)
    y = np.load(f"{split_dir}/train_y.npy")
    if peer == "sklearn":
        from sklearn.ensemble import HistGradientBoostingClassifier

        model = HistGradientBoostingClassifier(
            max_iter=100,
            learning_rate=0.1,
            max_leaf_nodes=31,
            min_samples_leaf=20,
            l2_regularization=0.0,
            max_bins=255,
            early_stopping=False,
            random_state=0,
            categorical_features=categorical or None,
        )
    else:
        import lightgbm

        # LightGBM's own names for the same settings.
        model = lightgbm.LGBMClassifier(
            n_estimators=100,
            learning_rate=0.1,
            num_leaves=31,
            min_child_samples=20,
            reg_lambda=0.0,
            max_bin=255,
            verbose=-1,
        )
    started = time.perf_counter()
    if peer == "sklearn":
        model.fit(x, y)
    else:
        model.fit(x, y, categorical_feature=categorical or "auto")
    seconds = time.perf_counter() - started
    valid_x, _, _ = native(np.load(f"{split_dir}/valid_x.npy"), names)
    valid_y = np.load(f"{split_dir}/valid_y.npy")
    auc = roc_auc_score(valid_y, model.predict_proba(valid_x)[:, 1])
    print(
        json.dumps(
            {
                "fit_seconds": seconds,
                "roc_auc": auc,
                "categorical_columns": len(categorical),
                "indicator_columns": kept,
            }
        )
    )


def native(x, names):
    """The matrix with each one-hot column of at most 255 levels as one column of codes
    (NaN where no indicator is set), those columns first; their positions, and how many
    one-hot columns stay indicators."""
    groups = {}
    for i, name in enumerate(names):
        if "=" in name:
            groups.setdefault(name.split("=", 1)[0], []).append(i)
    codes, rest, kept = [], [i for i, n in enumerate(names) if "=" not in n], 0
    for indices in groups.values():
        if len(indices) > 255:
            rest.extend(indices)
            kept += 1
            continue
        block = x[:, indices]
        code = block.argmax(axis=1).astype(float)
        code[block.max(axis=1) == 0] = np.nan
        codes.append(code)
    if not codes:
        return x, [], kept
    joined = np.column_stack(codes + [x[:, sorted(rest)]])
    return joined, list(range(len(codes))), kept


if __name__ == "__main__":
    main()
