#!/usr/bin/env python3
"""scikit-learn's side of bench/forest_bench.sh; prints one JSON object on stdout.

  forest_peer.py SPLIT_DIR [TREES DEPTH MAX_FEATURES N_JOBS]

RandomForestClassifier(n_estimators=50, max_depth=10, max_features=0.5, n_jobs=2,
random_state=0) by default, fitted on the training matrix Modeldesk exported
(`train --export-split`), so both fit the very same numbers. Fit seconds and the ROC AUC of
the hold-out rows.
"""
import json
import sys
import time

import numpy as np


def main():
    split_dir, *rest = sys.argv[1:]
    trees, depth, max_features, n_jobs = rest or ["50", "10", "0.5", "2"]
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score

    x = np.load(f"{split_dir}/train_x.npy")
    y = np.load(f"{split_dir}/train_y.npy")
    model = RandomForestClassifier(
        n_estimators=int(trees),
        max_depth=int(depth),
        max_features=float(max_features),
        n_jobs=int(n_jobs),
        random_state=0,
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
