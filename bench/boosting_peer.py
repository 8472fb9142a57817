#!/usr/bin/env python3
"""The peers' side of bench/boosting_bench.sh; prints one JSON object on stdout.

  boosting_peer.py sklearn SPLIT_DIR     HistGradientBoostingClassifier
  boosting_peer.py lightgbm SPLIT_DIR    LightGBM's LGBMClassifier (for information)

Each fits the training matrix Modeldesk exported (`train --export-split`), so all fit the
very same numbers, with Modeldesk's defaults: 100 iterations, learning rate 0.1, 31 leaves,
20 rows per leaf, no L2, 255 bins, no early stopping. Fit seconds and the ROC AUC of the
hold-out rows.
"""
import json
import sys
import time

import numpy as np


def main():
    peer, split_dir = sys.argv[1:]
    from sklearn.metrics import roc_auc_score

    x = np.load(f"{split_dir}/train_x.npy")
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
    model.fit(x, y)
    seconds = time.perf_counter() - started
    valid_x = np.load(f"{split_dir}/valid_x.npy")
    valid_y = np.load(f"{split_dir}/valid_y.npy")
    auc = roc_auc_score(valid_y, model.predict_proba(valid_x)[:, 1])
    print(json.dumps({"fit_seconds": seconds, "roc_auc": auc}))


if __name__ == "__main__":
    main()
