#!/usr/bin/env python3
"""scikit-learn's side of bench/train_bench.sh; prints one JSON object on stdout.

  train_peer.py fit SPLIT_DIR
      LogisticRegression(solver="lbfgs") with its defaults (C=1, tol=1e-4, max_iter=100)
      fitted on the training matrix Modeldesk exported (`train --export-split`), so both
      fit the very same numbers; fit seconds, iterations and ROC AUC on the hold-out rows.

  train_peer.py pipeline FILE SPLIT_DIR
      What `modeldesk train FILE --target label --holdout 0.2` does, the usual Python way:
      pandas.read_csv; the same recipe in a ColumnTransformer (numbers: mean imputation and
      standardisation; categories: a "(missing)" level and one-hot, as Modeldesk's default
      recipe; the `id` column is left out as Modeldesk leaves it out) fitted on the training
      rows; LogisticRegression; the hold-out metrics Modeldesk reports; then, as Modeldesk
      does, the whole pipeline refitted on all rows. The rows are the ones Modeldesk's split
      chose (read from SPLIT_DIR). Seconds per stage.
"""
import json
import sys
import time

import numpy as np


def fit(split_dir):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    x = np.load(f"{split_dir}/train_x.npy")
    y = np.load(f"{split_dir}/train_y.npy")
    started = time.perf_counter()
    model = LogisticRegression(solver="lbfgs").fit(x, y)
    seconds = time.perf_counter() - started
    valid_x = np.load(f"{split_dir}/valid_x.npy")
    valid_y = np.load(f"{split_dir}/valid_y.npy")
    auc = roc_auc_score(valid_y, model.predict_proba(valid_x)[:, 1])
    return {"fit_seconds": seconds, "iterations": int(model.n_iter_[0]), "roc_auc": auc}


def metrics(y_true, proba):
    """The scores `modeldesk train` reports for a binary hold-out."""
    from sklearn import metrics as m

    y_pred = proba.argmax(axis=1)
    out = {
        "accuracy": m.accuracy_score(y_true, y_pred),
        "balanced_accuracy": m.balanced_accuracy_score(y_true, y_pred),
        "log_loss": m.log_loss(y_true, proba),
        "roc_auc": m.roc_auc_score(y_true, proba[:, 1]),
        "average_precision": m.average_precision_score(y_true, proba[:, 1]),
        "brier": m.brier_score_loss(y_true, proba[:, 1]),
        "mcc": m.matthews_corrcoef(y_true, y_pred),
        "cohen_kappa": m.cohen_kappa_score(y_true, y_pred),
    }
    for average in ("macro", "weighted"):
        p, r, f, _ = m.precision_recall_fscore_support(
            y_true, y_pred, average=average, zero_division=0
        )
        out |= {f"precision_{average}": p, f"recall_{average}": r, f"f1_{average}": f}
    m.precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    m.confusion_matrix(y_true, y_pred)
    return out


def pipeline(path, split_dir, one_hot="dense"):
    import pandas as pd
    from sklearn_pipeline import logistic_pipeline

    stages = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        stages[name] = now - clock
        clock = now

    frame = pd.read_csv(path)
    lap("read_csv")
    label = frame.pop("label")
    frame = frame.drop(columns=["id"], errors="ignore")
    classes = np.array(sorted(label.unique()))
    y = np.searchsorted(classes, label.to_numpy())
    numeric = [c for c in frame.columns if frame[c].dtype.kind in "if"]
    categorical = [c for c in frame.columns if c not in numeric]

    def make():
        return logistic_pipeline(numeric, categorical, sparse=one_hot == "sparse")

    train = np.load(f"{split_dir}/train_rows.npy")
    valid = np.load(f"{split_dir}/valid_rows.npy")
    lap("split")
    model = make().fit(frame.iloc[train], y[train])
    lap("fit")
    proba = model.predict_proba(frame.iloc[valid])
    lap("predict")
    scores = metrics(y[valid], proba)
    lap("metrics")
    make().fit(frame, y)
    lap("refit_all_rows")
    return {
        "stages": stages,
        "seconds": sum(stages.values()),
        "iterations": int(model[-1].n_iter_[0]),
        "roc_auc": scores["roc_auc"],
        "accuracy": scores["accuracy"],
    }


def main():
    mode, *args = sys.argv[1:]
    result = fit(*args) if mode == "fit" else pipeline(*args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
