"""ONNX Runtime's side of bench/onnx_bench.sh.

  onnx_peer.py score MODEL.onnx FILE.csv SCORED.csv
      Reads FILE.csv as the model's input schema says (pandas), runs the model in ONNX
      Runtime, and compares labels and probabilities with what `modeldesk score -o --digits
      17` wrote to SCORED.csv. Prints one JSON object: read and run seconds, rows,
      label mismatches, the largest probability difference.
  onnx_peer.py load MODEL.onnx FILE.csv SCORED.csv
      Loads the model in this ONNX Runtime and runs it on FILE.csv's first 10,000 rows;
      prints the runtime's version, label mismatches and the largest probability difference
      against SCORED.csv (to check an older runtime).
"""

import json
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd


def schema(path):
    model = onnx.load(path)
    meta = {p.key: p.value for p in model.metadata_props}
    return json.loads(meta["input_schema"]), json.loads(meta["classes"])


def feeds(frame, inputs):
    out = {}
    for column in inputs:
        values = frame[column["name"]]
        if column["type"] == "double":
            out[column["name"]] = values.to_numpy(dtype=np.float64).reshape(-1, 1)
        else:
            text = values.astype(object).where(values.notna(), "")
            out[column["name"]] = text.to_numpy(dtype=object).reshape(-1, 1)
    return out


def read(path, inputs, nrows=None):
    types = {c["name"]: ("float64" if c["type"] == "double" else "string") for c in inputs}
    return pd.read_csv(path, usecols=list(types), dtype=types, nrows=nrows, engine="c")


def score(model_path, csv_path, scored_path):
    inputs, classes = schema(model_path)
    started = time.perf_counter()
    frame = read(csv_path, inputs)
    fed = feeds(frame, inputs)
    read_seconds = time.perf_counter() - started
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    started = time.perf_counter()
    outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, fed)))
    run_seconds = time.perf_counter() - started
    expected = pd.read_csv(scored_path, usecols=["predicted"] + [f"proba_{c}" for c in classes])
    label = outputs["label"]
    proba = outputs["probabilities"]
    print(json.dumps({
        "ort": ort.__version__,
        "rows": int(len(frame)),
        "read_seconds": read_seconds,
        "run_seconds": run_seconds,
        "label_mismatches": int((label != expected["predicted"].to_numpy(dtype=object)).sum()),
        "max_proba_diff": float(np.abs(proba - expected[[f"proba_{c}" for c in classes]].to_numpy()).max()),
    }))


def load(model_path, csv_path, scored_path):
    inputs, classes = schema(model_path)
    rows = 10_000
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    label, proba = session.run(["label", "probabilities"], feeds(read(csv_path, inputs, nrows=rows), inputs))
    columns = [f"proba_{c}" for c in classes]
    expected = pd.read_csv(scored_path, usecols=["predicted"] + columns, nrows=rows)
    print(json.dumps({
        "ort": ort.__version__,
        "rows": rows,
        "label_mismatches": int((label != expected["predicted"].to_numpy(dtype=object)).sum()),
        "max_proba_diff": float(np.abs(proba - expected[columns].to_numpy()).max()),
    }))


if __name__ == "__main__":
    {"score": score, "load": load}[sys.argv[1]](*sys.argv[2:])
