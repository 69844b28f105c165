"""Shared by the reference generators in test/stats (gen_reference.py,
gen_factorial_reference.py): NumPy values to plain JSON values."""
import numpy as np


def f(x):
    """NumPy scalars and arrays (also inside dicts, lists and tuples) as Python floats, ints and lists."""
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
