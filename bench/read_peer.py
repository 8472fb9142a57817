#!/usr/bin/env python3
"""Read a CSV with a peer library and print how long read_csv alone took.

  read_peer.py pandas|polars FILE

Prints one number on stdout: the in-process seconds of the read_csv call
(time.perf_counter around it), excluding interpreter start and the library
import, which the caller's outer wall-clock measurement does include.
"""
import sys
import time


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("pandas", "polars"):
        sys.exit("usage: read_peer.py pandas|polars FILE")
    lib, path = sys.argv[1], sys.argv[2]
    if lib == "pandas":
        import pandas as mod
    else:
        import polars as mod
    t0 = time.perf_counter()
    df = mod.read_csv(path)
    secs = time.perf_counter() - t0
    print(f"{secs:.3f}")
    print(f"{lib}: {df.shape[0]} rows x {df.shape[1]} cols", file=sys.stderr)


if __name__ == "__main__":
    main()
