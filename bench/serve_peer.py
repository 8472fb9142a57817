#!/usr/bin/env python3
"""MLflow's side of bench/serve_bench.sh.

  serve_peer.py fit FILE ROWS MODEL_DIR BODIES_DIR
      The pipeline `modeldesk train --algo logistic_regression` fits (numbers: mean
      imputation and standardisation; categories: a "(missing)" level and one-hot;
      LogisticRegression with C=1), fitted by scikit-learn on the first ROWS rows of FILE and
      saved with mlflow.sklearn.save_model for `mlflow models serve`. Also writes the request
      bodies both servers get: one_row.json and batch_1000.json (dataframe_split of the
      feature columns, from complete rows after the training rows).
  serve_peer.py summary OHA_JSON
      Requests per second, p50 and p99 latency (ms) and the share of 2xx answers of one oha
      run, as one JSON object.
"""
import json
import sys


def fit(path, rows, model_dir, bodies_dir):
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    from sklearn_pipeline import logistic_pipeline

    frame = pd.read_csv(path, nrows=int(rows) + 5000)
    features = [c for c in frame.columns if c not in ("id", "label")]
    numeric = [c for c in features if frame[c].dtype.kind in "if"]
    categorical = [c for c in features if c not in numeric]
    train = frame.iloc[: int(rows)]
    model = logistic_pipeline(numeric, categorical)
    model.fit(train[features], train["label"])
    rest = frame.iloc[int(rows):][features].dropna()
    mlflow.sklearn.save_model(
        model, model_dir, input_example=rest.head(2), serialization_format="cloudpickle"
    )
    for name, n in (("one_row", 1), ("batch_1000", 1000)):
        part = rest.head(n)
        body = {"dataframe_split": {"columns": features, "data": part.values.tolist()}}
        with open(f"{bodies_dir}/{name}.json", "w") as f:
            json.dump(body, f)


def summary(path):
    with open(path) as f:
        run = json.load(f)
    codes = run.get("statusCodeDistribution", {})
    total = sum(codes.values()) or 1
    ok = sum(n for code, n in codes.items() if code.startswith("2"))
    print(json.dumps({
        "rps": run["summary"]["requestsPerSec"],
        "p50_ms": run["latencyPercentiles"]["p50"] * 1e3,
        "p99_ms": run["latencyPercentiles"]["p99"] * 1e3,
        "ok_share": ok / total,
    }))


if __name__ == "__main__":
    {"fit": fit, "summary": summary}[sys.argv[1]](*sys.argv[2:])
