#!/usr/bin/env python3
"""A high-cardinality benchmark file with a real signal: one categorical column of LEVELS
levels and five numeric ones; the label depends on x1 + x2 and on a per-level effect drawn
once (so the levels matter, and a model that ignores them loses AUC).

  bench/gen_hicard.py OUT.csv [ROWS=200000] [LEVELS=900] [SEED=1]

Plain Python, deterministic for a given seed.
"""
import math
import random
import sys

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
levels = int(sys.argv[3]) if len(sys.argv) > 3 else 900
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
effect = [rng.gauss(0, 1) for _ in range(levels)]
with open(out, "w") as f:
    f.write("cat,x1,x2,x3,x4,x5,label\n")
    for _ in range(rows):
        level = rng.randrange(levels)
        x = [rng.gauss(0, 1) for _ in range(5)]
        z = 0.8 * (x[0] + x[1]) + effect[level]
        p = 1 / (1 + math.exp(-z))
        label = "yes" if rng.random() < p else "no"
        f.write(f"lvl{level}," + ",".join(f"{v:.4f}" for v in x) + f",{label}\n")
