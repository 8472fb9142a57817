"""Load a Modeldesk model exported to ONNX as an MLflow pyfunc model.

MLflow's own ONNX loader cannot feed this graph: it passes each DataFrame column as a 1-D
array, does not cast integers to double and flattens the [N, K] probabilities. This loader
feeds each input as its graph declares it, an [N, 1] column of doubles (NaN for missing) or
of strings ("" for missing, spaces trimmed), and answers a DataFrame: for a classifier
`label` and one `probability_<class>` column per class, for a regressor `prediction`.
"""

import json

import numpy as np
import onnxruntime
import pandas as pd


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        # A level such as "3" that pandas read as the number 3.0.
        return str(int(value))
    return str(value).strip()


class ModeldeskOnnxModel:
    """An ONNX Runtime session over a Modeldesk export, fed from a DataFrame."""

    def __init__(self, path):
        self.session = onnxruntime.InferenceSession(
            path, providers=["CPUExecutionProvider"]
        )
        meta = self.session.get_modelmeta().custom_metadata_map
        self.classes = json.loads(meta.get("classes", "[]"))
        self.inputs = [(i.name, i.type) for i in self.session.get_inputs()]
        self.outputs = [o.name for o in self.session.get_outputs()]

    def predict(self, model_input, params=None):
        frame = model_input
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(frame)
        missing = [name for name, _ in self.inputs if name not in frame.columns]
        if missing:
            raise ValueError("missing column(s): " + ", ".join(missing))
        feed = {}
        for name, kind in self.inputs:
            column = frame[name]
            if kind == "tensor(string)":
                values = np.array([_text(v) for v in column], dtype=object)
            else:
                values = pd.to_numeric(column, errors="coerce").to_numpy(
                    dtype="float64", na_value=np.nan
                )
            feed[name] = values.reshape(-1, 1)
        if "label" in self.outputs:
            label, probabilities = self.session.run(["label", "probabilities"], feed)
            out = pd.DataFrame({"label": np.asarray(label, dtype=object)})
            for k, name in enumerate(self.classes):
                out[f"probability_{name}"] = probabilities[:, k]
            return out
        (prediction,) = self.session.run(["prediction"], feed)
        return pd.DataFrame({"prediction": prediction[:, 0]})


def _load_pyfunc(data_path, model_config=None):
    """MLflow's entry point: `data_path` is the flavor's `data`, the ONNX file."""
    return ModeldeskOnnxModel(data_path)
