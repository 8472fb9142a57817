#!/usr/bin/env python3
"""Write tests/fixtures/drift_reference.json: training and new samples, and the drift numbers
numpy and scipy give for them, computed as Modeldesk defines them:

- PSI over the distinct training deciles (numpy's linear `quantile` at 0.1 … 0.9), a value v
  in bin `searchsorted(edges, v, side="right")`, shares floored at 1e-4:
  sum((a - e) * ln(a / e));
- categories: PSI over the training levels plus an "unseen" bin;
- KS: `scipy.stats.ks_2samp(train, new).statistic` on the raw training values. Modeldesk
  keeps only means of groups of at least 5 consecutive sorted training values, so its KS is
  an estimate of this one: `tests/drift_parity.rs` checks it is within 0.01 and prints the
  largest difference.

Besides the synthetic cases it writes cases from the bundled datasets (`assets/*.csv`: every
numeric column, the even rows against the odd rows, and the first half against the second)
and a large synthetic one whose values both sides generate from the same formula (only the
formula and scipy's numbers are stored).

  bench/drift_reference.py   (re-runs itself in a virtualenv with numpy and scipy)
"""
import csv
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets"
MISSING = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?", "-"}
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
    return {
        "name": name,
        "kind": "numeric",
        "train": train.tolist(),
        "new": new.tolist(),
        "psi": psi(expected, actual),
        "ks": float(ks_2samp(train, new).statistic),
    }


def psi_of(train, new):
    s = np.sort(train)
    edges = np.unique(np.quantile(s, [k / 10 for k in range(1, 10)]))
    bins = len(edges) + 1
    expected = np.bincount(np.searchsorted(edges, s, side="right"), minlength=bins) / len(s)
    actual = np.bincount(np.searchsorted(edges, new, side="right"), minlength=bins) / len(new)
    return psi(expected, actual)


def numeric_columns(path):
    """Each column of a CSV file whose present cells are all numbers, with NaN for missing."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    columns = {}
    for j, name in enumerate(header):
        values = []
        for row in body:
            cell = row[j].strip()
            if cell in MISSING:
                values.append(math.nan)
                continue
            try:
                values.append(float(cell))
            except ValueError:
                break
        else:
            if not all(math.isnan(v) for v in values):
                columns[name] = np.array(values)
    return columns


def dataset_cases():
    cases = []
    for path in sorted(ASSETS.glob("*.csv")):
        for column, values in numeric_columns(path).items():
            half = len(values) // 2
            splits = {
                "even/odd": (values[0::2], values[1::2]),
                "halves": (values[:half], values[half:]),
            }
            for split, (train, new) in splits.items():
                train, new = train[~np.isnan(train)], new[~np.isnan(new)]
                if len(train) == 0 or len(new) == 0:
                    continue
                cases.append(
                    {
                        "file": path.name,
                        "column": column,
                        "split": split,
                        "psi": psi_of(train, new),
                        "ks": float(ks_2samp(train, new).statistic),
                    }
                )
    return cases


def synthetic(n, seed, shift):
    """A skewed sample both sides can generate: u from a 64-bit LCG (Knuth's MMIX), then
    round(-ln(1 - u) * 1000 + shift, 3)."""
    x = seed
    out = np.empty(n)
    for i in range(n):
        x = (6364136223846793005 * x + 1442695040888963407) % (1 << 64)
        u = (x >> 11) / float(1 << 53)
        out[i] = round(-math.log1p(-u) * 1000.0 + shift, 3)
    return out


def large_cases():
    cases = []
    train = synthetic(200_000, 1, 0.0)
    for name, seed, shift in [("large, same", 2, 0.0), ("large, shifted", 3, 40.0)]:
        new = synthetic(50_000, seed, shift)
        cases.append(
            {
                "name": name,
                "train": {"rows": 200_000, "seed": 1, "shift": 0.0},
                "new": {"rows": 50_000, "seed": seed, "shift": shift},
                "psi": psi_of(train, new),
                "ks": float(ks_2samp(train, new).statistic),
            }
        )
    return cases


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
    datasets = dataset_cases()
    large = large_cases()
    OUT.write_text(
        json.dumps(
            {
                "numpy": np.__version__,
                "scipy": scipy.__version__,
                "cases": cases,
                "datasets": datasets,
                "large": large,
            },
            indent=0,
        )
        + "\n"
    )
    print(f"wrote {OUT} ({len(cases)} cases, {len(datasets)} dataset columns, {len(large)} large, numpy {np.__version__}, scipy {scipy.__version__})")


if __name__ == "__main__":
    main()
