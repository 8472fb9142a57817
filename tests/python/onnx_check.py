"""Check Modeldesk's ONNX exports in ONNX Runtime against `modeldesk score`.

Usage: onnx_check.py CASES.json

CASES.json is a list of {"name", "onnx", "input", "scored"}: the exported model, the CSV file
it scores (missing cells empty) and what `modeldesk score -o --digits 17` wrote for that file.
For every case: `onnx.checker.check_model(full_check=True)`, then the file's columns are fed as
the metadata's input schema says (double with NaN for missing, string with "" for missing),
and labels, probabilities (to 1e-6) or predicted values (to 1e-9 relative) are compared.
Prints one JSON line per case; exits 1 when any case differs.
"""

import csv
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

PROBA_TOLERANCE = 1e-6
VALUE_TOLERANCE = 1e-9


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    return {name: [row[i] for row in body] for i, name in enumerate(header)}, len(body)


def feeds(schema, columns):
    out = {}
    for column in schema:
        cells = columns[column["name"]]
        if column["type"] == "double":
            values = [float(c) if c != "" else float("nan") for c in cells]
            out[column["name"]] = np.array(values, dtype=np.float64).reshape(-1, 1)
        else:
            out[column["name"]] = np.array(cells, dtype=object).reshape(-1, 1)
    return out


def check(case):
    model = onnx.load(case["onnx"])
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    schema = json.loads(meta["input_schema"])
    classes = json.loads(meta["classes"])
    columns, rows = read_csv(case["input"])
    scored, scored_rows = read_csv(case["scored"])
    assert rows == scored_rows, f"{rows} input rows, {scored_rows} scored"
    session = ort.InferenceSession(case["onnx"], providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    outputs = dict(zip(names, session.run(None, feeds(schema, columns))))
    report = {
        "name": case["name"],
        "rows": rows,
        "ir_version": model.ir_version,
        "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "ort": ort.__version__,
    }
    problems = []
    if classes:
        label = outputs["label"]
        proba = outputs["probabilities"]
        assert proba.shape == (rows, len(classes)), proba.shape
        assert label.shape == (rows,), label.shape
        expected = np.array(
            [[float(v) for v in scored[f"proba_{c}"]] for c in classes]
        ).T
        diff = np.abs(proba - expected)
        report["max_proba_diff"] = float(diff.max()) if rows else 0.0
        mismatched = [i for i in range(rows) if label[i] != scored["predicted"][i]]
        report["label_mismatches"] = len(mismatched)
        if report["max_proba_diff"] > PROBA_TOLERANCE:
            worst = int(diff.max(axis=1).argmax())
            problems.append(
                f"probabilities differ by {report['max_proba_diff']:.3g} (row {worst}: "
                f"onnx {proba[worst].tolist()}, score {expected[worst].tolist()})"
            )
        if mismatched:
            i = mismatched[0]
            problems.append(
                f"{len(mismatched)} labels differ (row {i}: onnx {label[i]!r}, "
                f"score {scored['predicted'][i]!r}, probabilities {proba[i].tolist()})"
            )
    else:
        prediction = outputs["prediction"]
        assert prediction.shape == (rows, 1), prediction.shape
        expected = np.array([float(v) for v in scored["predicted"]])
        got = prediction[:, 0]
        relative = np.abs(got - expected) / np.maximum(np.abs(expected), 1e-300)
        report["max_relative_diff"] = float(relative.max()) if rows else 0.0
        if report["max_relative_diff"] > VALUE_TOLERANCE:
            worst = int(relative.argmax())
            problems.append(
                f"predictions differ by {report['max_relative_diff']:.3g} relative "
                f"(row {worst}: onnx {got[worst]!r}, score {expected[worst]!r})"
            )
    report["problems"] = problems
    return report


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    failed = 0
    for case in cases:
        try:
            report = check(case)
        except Exception as e:  # a refused model or a broken run is a failed case
            report = {"name": case["name"], "problems": [f"{type(e).__name__}: {e}"]}
        failed += bool(report["problems"])
        print(json.dumps(report), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
