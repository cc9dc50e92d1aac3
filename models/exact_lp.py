"""The range of one variable over a small polytope, in exact rational arithmetic.

Small-cell suppression (`models.suppression`) asks, for every hidden cell of a published
table, what an attacker can learn about it from the published cells and the additive
relations between them (totals): the least and the greatest value the cell can take.
That is two linear programmes over

    A x = b,   lower <= x <= upper   (every bound finite)

solved here with a two-phase tableau simplex over `fractions.Fraction` and Bland's rule
(no cycling, no floating-point tolerance to tune). Tables are small (tens of hidden
cells per connected group), so a dense tableau is fast enough and simple to check; the
tests compare it with an independent solver and with brute-force enumeration.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

Row = list[Fraction]


class Infeasible(ValueError):
    """No x satisfies the system (the caller's true values always do: a bug if raised)."""


@dataclass
class _Tableau:
    rows: list[Row]  # each: coefficients of every column, then the right-hand side
    basis: list[int]  # the basic column of each row

    def pivot(self, r: int, c: int) -> None:
        row = self.rows[r]
        p = row[c]
        self.rows[r] = row = [v / p for v in row]
        for i, other in enumerate(self.rows):
            if i != r and other[c] != 0:
                f = other[c]
                self.rows[i] = [o - f * v for o, v in zip(other, row, strict=True)]
        self.basis[r] = c

    def copy(self) -> _Tableau:
        return _Tableau([list(r) for r in self.rows], list(self.basis))


def _reduced_costs(t: _Tableau, cost: Sequence[Fraction], columns: int) -> Row:
    """cost_j - c_B B^-1 A_j for every column, and the objective's value last."""
    z = list(cost[:columns]) + [Fraction(0)]
    for row, b in zip(t.rows, t.basis, strict=True):
        cb = cost[b]
        if cb:
            z = [zj - cb * v for zj, v in zip(z, row, strict=True)]
    return z


def _minimise(t: _Tableau, cost: Sequence[Fraction], allowed: int) -> Fraction:
    """Minimise cost.x from the feasible basis of `t` (changed in place); columns at or
    beyond `allowed` never enter. Returns the optimum (bounded: every variable is)."""
    while True:
        z = _reduced_costs(t, cost, allowed)
        entering = next((j for j in range(allowed) if z[j] < 0), None)  # Bland: lowest index
        if entering is None:
            return -z[-1]
        best: tuple[Fraction, int, int] | None = None
        for r, row in enumerate(t.rows):
            if row[entering] > 0:
                key = (row[-1] / row[entering], t.basis[r], r)
                if best is None or key < best:
                    best = key
        if best is None:  # cannot happen with finite bounds on every variable
            raise Infeasible("unbounded direction in a bounded system")
        t.pivot(best[2], entering)


def _feasible_start(a: Sequence[Sequence[int]], b: Sequence[int], lower: Sequence[int],
                    upper: Sequence[int]) -> tuple[_Tableau, int]:
    """Phase one: a basic feasible solution of the shifted system y = x - lower, with a
    slack per upper bound. Returns the tableau (artificial columns removed) and the number
    of structural columns (n y's then n slacks)."""
    n, m = len(lower), len(a)
    width = 2 * n + m
    rows: list[Row] = []
    basis: list[int] = []
    for i, coeffs in enumerate(a):
        rhs = Fraction(b[i] - sum(c * lo for c, lo in zip(coeffs, lower, strict=True)))
        sign = -1 if rhs < 0 else 1
        row = [Fraction(sign * c) for c in coeffs] + [Fraction(0)] * (n + m) + [sign * rhs]
        row[2 * n + i] = Fraction(1)
        rows.append(row)
        basis.append(2 * n + i)
    for j in range(n):
        if upper[j] < lower[j]:
            raise Infeasible("a lower bound above its upper bound")
        row = [Fraction(0)] * width + [Fraction(upper[j] - lower[j])]
        row[j] = row[n + j] = Fraction(1)
        rows.append(row)
        basis.append(n + j)
    t = _Tableau(rows, basis)
    cost = [Fraction(0)] * (2 * n) + [Fraction(1)] * m
    if _minimise(t, cost, width) != 0:
        raise Infeasible("the published cells and totals admit no solution")
    # Drive any artificial still basic (at zero) out, or drop its redundant row.
    for r in reversed(range(len(t.rows))):
        if t.basis[r] >= 2 * n:
            col = next((j for j in range(2 * n) if t.rows[r][j] != 0), None)
            if col is None:
                del t.rows[r], t.basis[r]
            else:
                t.pivot(r, col)
    t.rows = [row[: 2 * n] + [row[-1]] for row in t.rows]
    return t, 2 * n


def ranges(a: Sequence[Sequence[int]], b: Sequence[int], lower: Sequence[int],
           upper: Sequence[int], of: Sequence[int]) -> dict[int, tuple[Fraction, Fraction]]:
    """The (least, greatest) value of each variable in `of` over {A x = b, lower <= x <=
    upper}. Phase one runs once; each bound is one phase-two solve from a copy."""
    n = len(lower)
    if len(upper) != n or any(len(row) != n for row in a) or len(b) != len(a):
        raise ValueError("ranges: A, b and the bounds must agree in size")
    start, columns = _feasible_start(a, b, lower, upper)
    out: dict[int, tuple[Fraction, Fraction]] = {}
    for j in of:
        cost = [Fraction(0)] * columns
        cost[j] = Fraction(1)
        least = _minimise(start.copy(), cost, columns)
        cost[j] = Fraction(-1)
        greatest = -_minimise(start.copy(), cost, columns)
        out[j] = (lower[j] + least, lower[j] + greatest)
    return out
