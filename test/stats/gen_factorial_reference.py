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
contrasts come from explicit cell indexing and scipy.stats.ttest_1samp. The
Greenhouse-Geisser epsilon is computed from an explicit orthonormal contrast
basis (Kronecker products of normalised Helmert contrasts for the effect's
factors and averaging vectors for the others), epsilon = tr(S)^2 / (df1 tr(S^2))
with S the covariance of the seeds' contrast scores (Greenhouse & Geisser
1959), while twin takes the traces from the projected cell tables.
"""
import itertools
import json
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads OpenBLAS

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.optimize import brentq  # noqa: E402

from reference_util import f  # noqa: E402

assert scipy.__version__ == "1.10.1", scipy.__version__

cases = []


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


def helmert(l):
    """l x (l-1) orthonormal contrasts (columns orthogonal to the ones vector)."""
    H = np.zeros((l, l - 1))
    for j in range(1, l):
        H[:j, j - 1] = 1.0
        H[j, j - 1] = -j
        H[:, j - 1] /= np.linalg.norm(H[:, j - 1])
    return H


def greenhouse_geisser(Y, effect, F, df1, df2):
    """Y: (n, l1, ..., lk); effect: factor axes (1-based). Returns (epsilon, corrected p)."""
    n = Y.shape[0]
    C = np.ones((1, 1))
    for ax in range(1, Y.ndim):
        l = Y.shape[ax]
        C = np.kron(C, helmert(l) if ax in effect else np.full((l, 1), 1.0 / l))
    scores = Y.reshape(n, -1) @ C  # n x df1
    S = np.cov(scores, rowvar=False, ddof=1)
    eps = np.trace(S) ** 2 / (df1 * np.trace(S @ S))
    return eps, stats.f.sf(F, eps * df1, eps * df2)


def contrast_stats(c):
    t = stats.ttest_1samp(c, 0.0)
    m = np.mean(c)
    se = np.std(c, ddof=1) / np.sqrt(len(c))
    q = stats.t.ppf(0.975, len(c) - 1)
    return m, m - q * se, m + q * se, t.statistic, t.pvalue


def factorial_case(levels, n, effects_true, noise_seed=0.01, noise=0.004, cell_sd=None):
    shape = tuple(len(l) for l in levels)
    Y = rs.normal(0.85, noise_seed, size=(n,) + (1,) * len(shape)) + rs.normal(0, noise, size=(n,) + shape)
    if cell_sd is not None:  # unequal spreads per cell: sphericity fails, epsilon < 1
        Y = Y + rs.normal(0, 1, size=(n,) + shape) * np.asarray(cell_sd)
    for idx, delta in effects_true:
        sl = (slice(None),) + tuple(i if i is not None else slice(None) for i in idx)
        Y[sl] += delta
    Y = np.round(Y, 5)
    k = len(shape)
    names = [chr(ord("A") + i) for i in range(k)]
    factors = [{"name": names[i], "levels": levels[i]} for i in range(k)]
    values = Y.reshape(n, -1)
    effects = []
    subsets = [sub for r in range(1, k + 1) for sub in itertools.combinations(range(k), r)]
    for sub in subsets:
        F, df1, df2, p = rm_anova(Y, tuple(ax + 1 for ax in sub))
        e = {"name": " × ".join(names[i] for i in sub), "F": F, "df1": df1, "df2": df2, "p_F": p}
        if df1 > 1:
            eps, p_gg = greenhouse_geisser(Y, tuple(ax + 1 for ax in sub), F, df1, df2)
            e.update({"epsilon": eps, "p_gg": p_gg})
        if all(shape[i] == 2 for i in sub):
            others = tuple(ax + 1 for ax in range(k) if ax not in sub)
            M = Y.mean(axis=others) if others else Y
            if len(sub) == 1:
                c = M[:, 1] - M[:, 0]
            elif len(sub) == 2:
                c = (M[:, 1, 1] - M[:, 0, 1]) - (M[:, 1, 0] - M[:, 0, 0])
            else:  # three-way: the A x B interaction at C's second level minus at its first
                inter = lambda lc: (M[:, 1, 1, lc] - M[:, 0, 1, lc]) - (M[:, 1, 0, lc] - M[:, 0, 0, lc])  # noqa: E731
                c = inter(1) - inter(0)
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
    # atol: an interval endpoint near 0 carries SciPy's t.ppf error (~1e-9 relative) times the interval's width.
    add("factorialAnalysis", [{"factors": factors, "values": values}], {"effects": effects, "simple": simple},
        "repeated-measures ANOVA by inclusion-exclusion sums of squares, scipy.stats.f.sf; Greenhouse-Geisser epsilon from Helmert-Kronecker contrast scores, f.sf(F, eps df1, eps df2); two-level contrasts by cell indexing and scipy.stats.ttest_1samp, t.ppf(0.975)", rtol=1e-8, atol=1e-10)


factorial_case([["none", "dropout"], ["sgd", "adam"]], 6, [((1, None), 0.01), ((None, 1), 0.004), ((1, 1), -0.006)])
factorial_case([["a0", "a1"], ["b0", "b1"]], 3, [((1, None), 0.003)])
factorial_case([["no", "yes"], ["x", "y", "z"]], 5, [((1, None), 0.005), ((None, 2), 0.01), ((1, 1), 0.004)])
factorial_case([["p", "q", "r"], ["u", "v", "w", "t"]], 7, [((1, None), 0.005), ((2, 3), 0.01)])
factorial_case([["0", "1"], ["0", "1"], ["0", "1"]], 8, [((1, None, None), 0.006), ((None, 1, 1), -0.004), ((1, None, 1), 0.003)])
# sphericity violated: the levels' spreads differ (epsilon well below 1)
factorial_case([["s", "m", "l"], ["x", "y", "z"]], 8, [((1, None), 0.004), ((2, 2), 0.006)], cell_sd=[[0.001, 0.002, 0.012], [0.001, 0.003, 0.01], [0.015, 0.002, 0.001]])
factorial_case([["a", "b", "c", "d"]], 6, [((3,), 0.008)], cell_sd=[0.001, 0.001, 0.004, 0.02])
# three factors, one with three levels: the three-way interaction by its F test
factorial_case([["0", "1"], ["u", "v"], ["p", "q", "r"]], 7, [((1, 1, 2), 0.008), ((1, None, None), 0.003)], cell_sd=[[[0.001, 0.002, 0.006]] * 2] * 2)
# a three-way interaction of two-level factors that is there
factorial_case([["0", "1"], ["0", "1"], ["0", "1"]], 10, [((1, 1, 1), 0.012)])

out = {"generator": "test/stats/gen_factorial_reference.py", "scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "factorial_reference.json"), "w") as fh:
    json.dump(out, fh)
print(len(cases), "cases")
