"""Exact ranges for tree-shaped sums by bounds propagation. Pure: no I/O.

Most published tables are hierarchies: a grand total, its counties, their
municipalities; the handled applications, granted and rejected, the reasons. Over the
hidden cells, such relations form a hypergraph without cycles (its incidence graph is a
forest), and for those, narrowing each cell's interval by each sum until nothing
changes gives exactly the least and greatest values the linear programme would (local
consistency is global on an acyclic constraint network), in time linear in the cells
per pass instead of a simplex per cell. `models.suppression` uses this for acyclic
groups and the exact simplex (`models.exact_lp`) for the rest (cross-tables, the
follow-up's cross-table relations). The tests check the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# One equation: sum(coefficient * cell) == constant, coefficients +1 or -1.
Equation = tuple[Sequence[tuple[str, int]], int]


def is_forest(cells: Sequence[str], equations: Sequence[Equation]) -> bool:
    """Whether the cells-and-equations incidence graph has no cycle (counting a cell
    twice in one equation as a cycle)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for cell in cells:
        root(f"c:{cell}")
    for i, (terms, _) in enumerate(equations):
        eq = f"e:{i}"
        for cell, _ in terms:
            a, b = root(eq), root(f"c:{cell}")
            if a == b:
                return False
            parent[a] = b
    return True


def propagate(bounds: Mapping[str, tuple[int, int]],
              equations: Sequence[Equation]) -> dict[str, tuple[int, int]]:
    """Narrow integer intervals by every equation until nothing changes. Raises
    ValueError if the system has no solution."""
    lo = {k: b[0] for k, b in bounds.items()}
    hi = {k: b[1] for k, b in bounds.items()}
    changed = True
    while changed:
        changed = False
        for terms, constant in equations:
            # Each term's contribution a*x lies in [low_k, high_k].
            low = [a * lo[k] if a > 0 else a * hi[k] for k, a in terms]
            high = [a * hi[k] if a > 0 else a * lo[k] for k, a in terms]
            total_low, total_high = sum(low), sum(high)
            for i, (k, a) in enumerate(terms):
                # a*x_k = constant - (the others), the others in [rest_low, rest_high]
                rest_low, rest_high = total_low - low[i], total_high - high[i]
                first, last = constant - rest_high, constant - rest_low
                new_lo, new_hi = (first, last) if a > 0 else (-last, -first)
                if new_lo > lo[k] or new_hi < hi[k]:
                    lo[k], hi[k] = max(lo[k], new_lo), min(hi[k], new_hi)
                    if lo[k] > hi[k]:
                        raise ValueError("bounds: the published cells admit no solution")
                    changed = True
                    low[i] = a * lo[k] if a > 0 else a * hi[k]
                    high[i] = a * hi[k] if a > 0 else a * lo[k]
                    total_low, total_high = sum(low), sum(high)
    return {k: (lo[k], hi[k]) for k in bounds}
