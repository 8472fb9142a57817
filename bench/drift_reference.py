#!/usr/bin/env python3
"""Write tests/fixtures/drift_reference.json: training and new samples, and the drift numbers
numpy and scipy give for them, computed as Modeldesk defines them:

- PSI over the distinct training deciles (numpy's linear `quantile` at 0.1 … 0.9), a value v
  in bin `searchsorted(edges, v, side="right")`, shares floored at 1e-4:
  sum((a - e) * ln(a / e));
- categories: PSI over the training levels plus an "unseen" bin;
- KS: `scipy.stats.ks_2samp(reference_sample, new).statistic`, where the reference sample is
  the sorted training values, thinned to 2000 evenly spaced ones when there are more.

  bench/drift_reference.py   (re-runs itself in a virtualenv with numpy and scipy)
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "tests" / "fixtures" / "drift_reference.json"

from reference_venv import run_inside  # noqa: E402

run_inside(__file__, "scipy", "numpy")

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.stats import ks_2samp  # noqa: E402

FLOOR = 1e-4
KS_SAMPLE = 2000


def psi(expected, actual):
    e = np.maximum(expected, FLOOR)
    a = np.maximum(actual, FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def numeric_case(name, train, new):
    train = np.round(np.asarray(train, dtype=float), 3)
    new = np.round(np.asarray(new, dtype=float), 3)
    s = np.sort(train)
    edges = np.unique(np.quantile(s, [k / 10 for k in range(1, 10)]))
    bins = len(edges) + 1
    expected = np.bincount(np.searchsorted(edges, s, side="right"), minlength=bins) / len(s)
    actual = np.bincount(np.searchsorted(edges, new, side="right"), minlength=bins) / len(new)
    if len(s) > KS_SAMPLE:
        sample = s[[k * (len(s) - 1) // (KS_SAMPLE - 1) for k in range(KS_SAMPLE)]]
    else:
        sample = s
    return {
        "name": name,
        "kind": "numeric",
        "train": train.tolist(),
        "new": new.tolist(),
        "psi": psi(expected, actual),
        "ks": float(ks_2samp(sample, new).statistic),
    }


def categorical_case(name, train, new):
    levels, counts = np.unique(train, return_counts=True)
    expected = list(counts / len(train)) + [0.0]
    index = {level: i for i, level in enumerate(levels)}
    actual = np.zeros(len(levels) + 1)
    for v in new:
        actual[index.get(v, len(levels))] += 1
    actual /= len(new)
    return {
        "name": name,
        "kind": "categorical",
        "train": list(train),
        "new": list(new),
        "psi": psi(np.array(expected), actual),
    }


def main():
    rng = np.random.default_rng(7)
    cases = [
        numeric_case("same normal", rng.normal(0, 1, 3000), rng.normal(0, 1, 2500)),
        numeric_case("shifted normal", rng.normal(0, 1, 3000), rng.normal(0.5, 1, 2500)),
        numeric_case("wider", rng.normal(10, 2, 800), rng.normal(10, 4, 900)),
        numeric_case("few values, ties", rng.integers(0, 4, 500), rng.integers(1, 6, 400)),
        numeric_case("small", rng.uniform(0, 1, 37), rng.uniform(0.2, 1.2, 23)),
        categorical_case(
            "levels",
            list(rng.choice(["a", "b", "c"], 600, p=[0.5, 0.3, 0.2])),
            list(rng.choice(["a", "b", "c", "d"], 500, p=[0.3, 0.3, 0.2, 0.2])),
        ),
    ]
    OUT.write_text(
        json.dumps(
            {"numpy": np.__version__, "scipy": scipy.__version__, "cases": cases}, indent=0
        )
        + "\n"
    )
    print(f"wrote {OUT} ({len(cases)} cases, numpy {np.__version__}, scipy {scipy.__version__})")


if __name__ == "__main__":
    main()
