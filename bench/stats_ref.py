#!/usr/bin/python3
"""SciPy side of bench/stats.ts. Run by the benchmark with /usr/bin/python3 (SciPy 1.10.1).

Usage: /usr/bin/python3 bench/stats_ref.py DATA.json REPS
DATA.json holds {"x": [...], "a": [...], "b": [...]}: the same numbers twin uses.
Prints {"bca_ms": median, "paired_perm_ms": median, ...} as JSON on stdout.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy import stats


def median_ms(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))


def main():
    data = json.load(open(sys.argv[1]))
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    x = np.asarray(data["x"], dtype=float)
    a = np.asarray(data["a"], dtype=float)
    b = np.asarray(data["b"], dtype=float)
    rng = np.random.default_rng(0)

    def bca():
        return stats.bootstrap((x,), np.mean, method="BCa", n_resamples=10000, random_state=rng, vectorized=True)

    def paired_perm():
        return stats.permutation_test((b, a), lambda u, v, axis: np.mean(u - v, axis=axis), permutation_type="samples",
                                      vectorized=True, n_resamples=10000, random_state=rng)

    def percentile():
        return stats.bootstrap((x,), np.mean, method="percentile", n_resamples=10000, random_state=rng, vectorized=True)

    def two_sample_perm():
        return stats.permutation_test((b[:200], a[:200]), lambda u, v, axis: np.mean(u, axis=axis) - np.mean(v, axis=axis),
                                      permutation_type="independent", vectorized=True, n_resamples=10000, random_state=rng)

    bca()  # warm up imports and caches
    out = {
        "scipy": scipy.__version__,
        "bca_ms": median_ms(bca, reps),
        "percentile_ms": median_ms(percentile, reps),
        "paired_perm_ms": median_ms(paired_perm, reps),
        "two_sample_perm_ms": median_ms(two_sample_perm, reps),
        "bca_interval": [float(v) for v in bca().confidence_interval],
        "paired_perm_p": float(paired_perm().pvalue),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
