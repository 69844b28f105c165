#!/usr/bin/python3
"""Generates test/stats/factorial_reference.json: reference values for twin's
factorial analysis, spread comparison, Brown-Forsythe and Pitman-Morgan code.

Run with the system Python that has SciPy 1.10.1 (not the pyenv python first
on PATH):

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 test/stats/gen_factorial_reference.py

statsmodels is not installed, so the repeated-measures ANOVA is computed here
from the textbook sums of squares (marginal means combined by inclusion-
exclusion over the effect's factors and the seed axis), a different route from
twin's (which centres each seed's marginal table along every axis); two-level
contrasts come from explicit cell indexing and scipy.stats.ttest_1samp.
"""
import itertools
import json
import os

import numpy as np
import scipy
from scipy import stats
from scipy.optimize import brentq

assert scipy.__version__ == "1.10.1", scipy.__version__
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

cases = []


def f(x):
    if isinstance(x, (np.floating, float)):
        return float(x)
    if isinstance(x, (np.integer, int)):
        return int(x)
    if isinstance(x, np.ndarray):
        return [f(v) for v in x.tolist()]
    if isinstance(x, dict):
        return {k: f(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [f(v) for v in x]
    return x


def add(fn, args, expected, ref, rtol=1e-9, atol=0.0):
    cases.append({"fn": fn, "args": f(args), "expected": f(expected), "ref": ref, "rtol": rtol, "atol": atol})


rs = np.random.RandomState(20261129)

# --- Brown-Forsythe = scipy.stats.levene(center="median"), twin orders groups as given
for na, nb, sa, sb in [(5, 5, 0.01, 0.02), (10, 10, 0.01, 0.004), (8, 12, 0.02, 0.02), (20, 20, 0.01, 0.03), (3, 4, 1.0, 2.0)]:
    a = np.round(rs.normal(0.85, sa, na), 5)
    b = np.round(rs.normal(0.86, sb, nb), 5)
    r = stats.levene(b, a, center="median")
    add("brownForsythe", [[b, a]], {"statistic": r.statistic, "p": r.pvalue}, "scipy.stats.levene(b, a, center='median')")
g3 = [np.round(rs.normal(0, s, n), 4) for s, n in [(1, 6), (2, 7), (0.5, 5)]]
r = stats.levene(*g3, center="median")
add("brownForsythe", [g3], {"statistic": r.statistic, "p": r.pvalue}, "scipy.stats.levene(g1, g2, g3, center='median')")

for x, d1, d2 in [(0.5, 1, 9), (3.2, 2, 17), (40.0, 1, 4), (120.0, 3, 60), (1e-3, 5, 5)]:
    add("fSf", [x, d1, d2], stats.f.sf(x, d1, d2), f"scipy.stats.f.sf({x}, {d1}, {d2})", rtol=1e-10, atol=1e-300)

# --- variance ratio of independent samples: F interval
for na, nb, sa, sb in [(5, 5, 0.01, 0.02), (10, 12, 0.02, 0.01), (30, 20, 1.0, 1.0)]:
    a = np.round(rs.normal(0.85, sa, na), 5)
    b = np.round(rs.normal(0.86, sb, nb), 5)
    R = np.var(b, ddof=1) / np.var(a, ddof=1)
    lo = R / stats.f.ppf(0.975, nb - 1, na - 1)
    hi = R / stats.f.ppf(0.025, nb - 1, na - 1)
    add("varianceRatioInterval", [a, b], [R, lo, hi], "var(b)/var(a) / scipy.stats.f.ppf([0.975, 0.025], nb-1, na-1)", rtol=1e-8)


# --- Pitman-Morgan: test from pearsonr(a + b, b - a); interval by brentq on the correlation
def pitman_morgan(a, b):
    n = len(a)
    r, p = stats.pearsonr(a + b, b - a)
    t = r * np.sqrt(n - 2) / np.sqrt(1 - r * r)
    q = stats.t.ppf(0.975, n - 2)
    rc = np.sqrt(q * q / (n - 2 + q * q))
    R = np.var(b, ddof=1) / np.var(a, ddof=1)

    def corr(theta):
        x = b / np.sqrt(theta)
        return np.corrcoef(x + a, x - a)[0, 1]

    lo = brentq(lambda th: corr(th) - rc, R * 1e-6, R, xtol=1e-14 * R, rtol=1e-13)
    hi = brentq(lambda th: corr(th) + rc, R, R * 1e6, xtol=1e-14 * R, rtol=1e-13)
    return [R, lo, hi, t, p]


for n, sa, sb, rho in [(5, 1.0, 2.0, 0.5), (10, 1.0, 0.5, 0.8), (12, 0.02, 0.02, 0.3), (20, 1.0, 1.5, -0.2)]:
    z = rs.normal(size=(n, 2))
    a = np.round(sa * z[:, 0], 6)
    b = np.round(sb * (rho * z[:, 0] + np.sqrt(1 - rho * rho) * z[:, 1]), 6)
    add("pitmanMorgan", [a, b], pitman_morgan(a, b), "ratio var(b)/var(a); t, p = pearsonr(a + b, b - a) as t = r sqrt(n-2)/sqrt(1-r^2); interval: theta with corrcoef(b/sqrt(theta) + a, b/sqrt(theta) - a) = -/+ sqrt(q^2/(n-2+q^2)), brentq", rtol=1e-8)


# --- factorial: repeated-measures ANOVA by textbook sums of squares
def rm_anova(Y, effect):
    """Y: array (n, l1, ..., lk); effect: tuple of factor axes (1-based in Y). SS by inclusion-exclusion."""
    n = Y.shape[0]
    k = Y.ndim - 1
    others = tuple(ax for ax in range(1, k + 1) if ax not in effect)
    M = Y.mean(axis=others, keepdims=True) if others else Y  # seeds x effect cells (others kept as size 1)
    m_rep = int(np.prod([Y.shape[ax] for ax in others])) if others else 1

    def mean_over(arr, axes):
        return arr.mean(axis=tuple(axes), keepdims=True) if axes else arr

    # effect term: sum over subsets T of effect of (-1)^{|E|-|T|} mean keeping T (averaged over seeds)
    eff = 0
    for r in range(len(effect) + 1):
        for T in itertools.combinations(effect, r):
            drop = [0] + [ax for ax in effect if ax not in T]
            eff = eff + (-1) ** (len(effect) - r) * mean_over(M, drop)
    err = 0
    for r in range(len(effect) + 1):
        for T in itertools.combinations(effect, r):
            drop = [ax for ax in effect if ax not in T]
            keep_seed = mean_over(M, drop)
            no_seed = mean_over(M, [0] + drop)
            err = err + (-1) ** (len(effect) - r) * (keep_seed - no_seed)
    ss_eff = m_rep * n * np.sum(eff ** 2)
    ss_err = m_rep * np.sum(err ** 2)
    df1 = int(np.prod([Y.shape[ax] - 1 for ax in effect]))
    df2 = df1 * (n - 1)
    F = (ss_eff / df1) / (ss_err / df2)
    return F, df1, df2, stats.f.sf(F, df1, df2)


def contrast_stats(c):
    t = stats.ttest_1samp(c, 0.0)
    m = np.mean(c)
    se = np.std(c, ddof=1) / np.sqrt(len(c))
    q = stats.t.ppf(0.975, len(c) - 1)
    return m, m - q * se, m + q * se, t.statistic, t.pvalue


def factorial_case(levels, n, effects_true, noise_seed=0.01, noise=0.004):
    shape = tuple(len(l) for l in levels)
    Y = rs.normal(0.85, noise_seed, size=(n,) + (1,) * len(shape)) + rs.normal(0, noise, size=(n,) + shape)
    for idx, delta in effects_true:
        sl = (slice(None),) + tuple(i if i is not None else slice(None) for i in idx)
        Y[sl] += delta
    Y = np.round(Y, 5)
    k = len(shape)
    names = [chr(ord("A") + i) for i in range(k)]
    factors = [{"name": names[i], "levels": levels[i]} for i in range(k)]
    values = Y.reshape(n, -1)
    effects = []
    subsets = [(i,) for i in range(k)] + list(itertools.combinations(range(k), 2))
    for sub in subsets:
        F, df1, df2, p = rm_anova(Y, tuple(ax + 1 for ax in sub))
        e = {"name": " × ".join(names[i] for i in sub), "F": F, "df1": df1, "df2": df2, "p_F": p}
        if all(shape[i] == 2 for i in sub):
            others = tuple(ax + 1 for ax in range(k) if ax not in sub)
            M = Y.mean(axis=others) if others else Y
            if len(sub) == 1:
                c = M[:, 1] - M[:, 0]
            else:
                c = (M[:, 1, 1] - M[:, 0, 1]) - (M[:, 1, 0] - M[:, 0, 0])
            m, lo, hi, t, pt = contrast_stats(c)
            e.update({"estimate": m, "lo": lo, "hi": hi, "t": t, "p": pt})
        elif len(sub) == 1:
            others = tuple(ax + 1 for ax in range(k) if ax != sub[0])
            M = Y.mean(axis=others)
            e["contrasts"] = [[s[0], s[1], s[2], s[4]] for s in (contrast_stats(M[:, l] - M[:, 0]) for l in range(1, shape[sub[0]]))]
        effects.append(e)
    simple = []
    for x in range(k):
        if shape[x] != 2:
            continue
        for y in range(k):
            if y == x:
                continue
            others = tuple(ax + 1 for ax in range(k) if ax not in (x, y))
            M = Y.mean(axis=others) if others else Y
            if x > y:
                M = np.swapaxes(M, 1, 2)
            for lv in range(shape[y]):
                m, lo, hi, t, pt = contrast_stats(M[:, 1, lv] - M[:, 0, lv])
                simple.append({"factor": names[x], "at": [names[y], levels[y][lv]], "estimate": m, "lo": lo, "hi": hi, "p": pt})
    add("factorialAnalysis", [{"factors": factors, "values": values}], {"effects": effects, "simple": simple},
        "repeated-measures ANOVA by inclusion-exclusion sums of squares, scipy.stats.f.sf; two-level contrasts by cell indexing and scipy.stats.ttest_1samp, t.ppf(0.975)", rtol=1e-8, atol=1e-12)


factorial_case([["none", "dropout"], ["sgd", "adam"]], 6, [((1, None), 0.01), ((None, 1), 0.004), ((1, 1), -0.006)])
factorial_case([["a0", "a1"], ["b0", "b1"]], 3, [((1, None), 0.003)])
factorial_case([["no", "yes"], ["x", "y", "z"]], 5, [((1, None), 0.005), ((None, 2), 0.01), ((1, 1), 0.004)])
factorial_case([["p", "q", "r"], ["u", "v", "w", "t"]], 7, [((1, None), 0.005), ((2, 3), 0.01)])
factorial_case([["0", "1"], ["0", "1"], ["0", "1"]], 8, [((1, None, None), 0.006), ((None, 1, 1), -0.004), ((1, None, 1), 0.003)])

out = {"generator": "test/stats/gen_factorial_reference.py", "scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "factorial_reference.json"), "w") as fh:
    json.dump(out, fh)
print(len(cases), "cases")
