#!/usr/bin/env python3
"""The peer of bench/shap_bench.sh: shap's path-dependent TreeExplainer on scikit-learn's
random forest with Modeldesk's default forest parameters (50 trees, depth at most 10, √features
per split), fitted on every row of FILE (numeric x1..xF, target `label`), explaining ROWS rows
evenly spaced through it. Prints the seconds `shap_values` took, and the forest's leaves.

  shap_peer.py FILE ROWS
"""
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "sklearn", "numpy", "shap")

import numpy as np  # noqa: E402
import shap  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402


def main():
    path, rows = sys.argv[1], int(sys.argv[2])
    with open(path, newline="") as f:
        records = list(csv.DictReader(f))
    names = [n for n in records[0] if n.startswith("x")]
    x = np.array([[float(r[n]) for n in names] for r in records])
    y = np.array([r["label"] == "yes" for r in records], dtype=int)
    forest = RandomForestClassifier(n_estimators=50, max_depth=10, random_state=0).fit(x, y)
    step = -(-len(x) // rows)
    explained = x[::step].astype(np.float32)
    explainer = shap.TreeExplainer(forest, feature_perturbation="tree_path_dependent")
    start = time.perf_counter()
    explainer.shap_values(explained)
    seconds = time.perf_counter() - start
    leaves = sum(e.tree_.n_leaves for e in forest.estimators_)
    print(f"{seconds:.3f} {len(explained)} {leaves}")


if __name__ == "__main__":
    main()
