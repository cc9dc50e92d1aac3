"""The reader who wants a hidden count back: every published cell of a report as shown
("<5" is 1..4, "x" at least 5, ".." or "?" anything), the relations between cells the
reader knows, and SciPy's HiGHS solver for the least and greatest value each hidden
cell can take. Shares no code with `models.suppression`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import linprog

Equation = tuple[Sequence[str], Sequence[str]]  # sum(parts) == sum(totals)


def reader_bounds(text: str, ceiling: int) -> tuple[int, int]:
    known = {"<5": (1, 4), "x": (5, ceiling), "..": (0, ceiling), "?": (0, ceiling)}
    if text in known:
        return known[text]
    value = int(text.replace("\u202f", ""))
    return value, value


def hidden_ranges(cells: Mapping[str, str], equations: Sequence[Equation], *,
                  ceiling: int) -> dict[str, tuple[float, float, str]]:
    """key -> (least, greatest, as shown) for every cell shown as "<5" or "x"."""
    keys = sorted(cells)
    index = {k: i for i, k in enumerate(keys)}
    a = np.zeros((len(equations), len(keys)))
    for r, (parts, totals) in enumerate(equations):
        for p in parts:
            a[r, index[p]] += 1
        for t in totals:
            a[r, index[t]] -= 1
    bounds = [reader_bounds(cells[k], ceiling) for k in keys]
    out = {}
    for k in keys:
        if cells[k] not in ("<5", "x"):
            continue
        ends = []
        for sign in (1, -1):
            c = np.zeros(len(keys))
            c[index[k]] = sign
            res = linprog(c, A_eq=a, b_eq=np.zeros(len(equations)), bounds=bounds,
                          method="highs")
            assert res.status == 0, res.message
            ends.append(sign * res.fun)
        out[k] = (ends[0], ends[1], cells[k])
    return out
