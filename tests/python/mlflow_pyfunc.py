"""Predict a CSV file with a registered MLflow model through mlflow.pyfunc:
mlflow_pyfunc.py MODEL_URI FILE.csv (MLFLOW_TRACKING_URI names the server). Prints one JSON
object: the columns of the answer and its rows."""

import json
import sys

import mlflow.pyfunc
import pandas as pd


def main(uri, path):
    model = mlflow.pyfunc.load_model(uri)
    frame = pd.read_csv(path)
    out = model.predict(frame)
    print(json.dumps({"columns": list(out.columns), "rows": out.values.tolist()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
