#!/usr/bin/env python3
"""scikit-learn's side of bench/permutation_bench.sh; prints one JSON object on stdout.

  permutation_peer.py FILE REPEATS

pandas.read_csv; the logistic pipeline of bench/sklearn_pipeline.py (the `id` and `label`
columns left out) fitted on every row; then sklearn.inspection.permutation_importance of
that pipeline on every row, accuracy (the classifier's default score), REPEATS shuffles of
each column, with n_jobs=1 and n_jobs=2. Seconds of each stage, and each column's mean drop.
"""
import json
import sys
import time

from sklearn_pipeline import logistic_pipeline


def main(path, repeats):
    import pandas as pd
    from pandas.api.types import is_numeric_dtype
    from sklearn.inspection import permutation_importance

    started = time.perf_counter()
    frame = pd.read_csv(path)
    read = time.perf_counter() - started
    y = frame.pop("label")
    frame = frame.drop(columns=["id"])
    categorical = [c for c in frame.columns if not is_numeric_dtype(frame[c])]
    numeric = [c for c in frame.columns if c not in categorical]
    pipe = logistic_pipeline(numeric, categorical)
    started = time.perf_counter()
    pipe.fit(frame, y)
    fit = time.perf_counter() - started
    out = {"read_seconds": read, "fit_seconds": fit, "rows": len(frame), "columns": frame.shape[1]}
    for jobs in (1, 2):
        started = time.perf_counter()
        result = permutation_importance(
            pipe, frame, y, n_repeats=repeats, random_state=0, n_jobs=jobs
        )
        out[f"permutation_seconds_jobs{jobs}"] = time.perf_counter() - started
    out["importances"] = dict(zip(frame.columns, result.importances_mean.tolist()))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
