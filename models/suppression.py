"""Small-cell suppression for published counts of people. Pure: no I/O.

The groups are small and the people are under threat, so a count of 1 to 4 is never
published: it is shown as "<5" (*primary* suppression). That alone is not enough when a
table also publishes its totals: the hidden cell is the total minus the others. So more
cells are hidden (*secondary* suppression, shown as "x") until no hidden cell can be
worked out from what is published: for every hidden cell, the least and the greatest
value it can take given

- every published cell,
- every additive relation between cells (a total and its parts; the same total in
  several tables is one cell, so tables that share totals are protected together),
- what the symbols tell a reader: "<5" is 1..4; "x" is at least 5 (zeros are published,
  so a hidden cell is never 0); ".." (withheld) says nothing,

differ: by bounds propagation where the relations form no cycle (hierarchies,
`models.bounds`), else by exact linear programmes (`models.exact_lp`). For the tables we
publish (one dimension with a total, hierarchies, two dimensions with margins) the
relations form a network, so the linear bounds are the integer bounds: a range that
holds two integers means the cell cannot be pinned down.

Secondary cells are chosen greedily: among the published cells that share a relation
with the exposed cell's group of hidden cells, the smallest that frees it (least
information lost), else the smallest pair that does (a cross-table needs a rectangle),
else the smallest as progress; with no candidate left, the cell's relations are
withheld. Cells named `fixed` (the grand total of a report) are never hidden as a
secondary.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import ceil, floor

from models.bounds import Equation, is_forest, propagate
from models.exact_lp import ranges

THRESHOLD = 5


class SuppressionFailed(ValueError):
    """A small count that the cells the caller fixed as published give away."""


class Shown(StrEnum):
    PUBLISHED = "published"
    PRIMARY = "primary"  # 1..THRESHOLD-1, shown as "<5"
    SECONDARY = "secondary"  # hidden to protect another cell, shown as "x"
    WITHHELD = "withheld"  # the relation could not be protected, shown as ".."


SYMBOLS = {Shown.PRIMARY: f"<{THRESHOLD}", Shown.SECONDARY: "x", Shown.WITHHELD: ".."}


@dataclass(frozen=True)
class Relation:
    """`total` is the sum of `parts` (all cell keys)."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Protection:
    """What may be published of a set of linked counts. `value` and `symbol` are the
    only ways to read a cell: a hidden cell has no value here."""

    shown: Mapping[str, Shown]
    _published: Mapping[str, int]

    def value(self, key: str) -> int | None:
        """The count if it is published, else None (charts draw published values only)."""
        return self._published.get(key)

    def symbol(self, key: str) -> str:
        """The count as digits, or "<5", "x" or ".." when it is hidden."""
        found = self._published.get(key)
        return str(found) if found is not None else SYMBOLS[self.shown[key]]

    def hidden(self) -> set[str]:
        return {k for k, s in self.shown.items() if s != Shown.PUBLISHED}


def attacker_bounds(status: Shown, value: int, *, ceiling: int,
                    threshold: int = THRESHOLD) -> tuple[int, int]:
    """What a reader knows of a cell from how it is shown."""
    match status:
        case Shown.PUBLISHED:
            return value, value
        case Shown.PRIMARY:
            return 1, threshold - 1
        case Shown.SECONDARY:
            return threshold, ceiling
        case Shown.WITHHELD:
            return 0, ceiling


def _check(values: Mapping[str, int], relations: Sequence[Relation]) -> None:
    for key, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"{key}: a count is a non-negative integer")
    for rel in relations:
        missing = [k for k in (rel.total, *rel.parts) if k not in values]
        if missing:
            raise ValueError(f"relation {rel.total}: no value for {', '.join(missing)}")
        if sum(values[p] for p in rel.parts) != values[rel.total]:
            raise ValueError(f"relation {rel.total}: the parts do not add up to the total")


Range = tuple[Fraction | int, Fraction | int]  # ints from propagation, fractions from LP
Memo = dict[tuple[tuple[str, Shown], ...], dict[str, Range]]


def feasible_ranges(values: Mapping[str, int], shown: Mapping[str, Shown],
                    relations: Sequence[Relation], *, threshold: int = THRESHOLD,
                    keys: Iterable[str] | None = None,
                    memo: Memo | None = None) -> dict[str, Range]:
    """For each hidden cell (or each of `keys`), the least and greatest value a reader can
    give it. Solved per connected group of hidden cells (relations through published
    cells only carry constants): by bounds propagation when the group's relations form
    no cycle (exact there, `models.bounds`), else by the exact simplex. `memo` keeps
    whole groups' results between calls (a group is known by its cells and symbols)."""
    hidden = sorted(k for k, s in shown.items() if s != Shown.PUBLISHED)
    wanted = set(hidden if keys is None else keys)
    ceiling = max(values.values(), default=0)
    out: dict[str, Range] = {}
    for group in _groups(hidden, relations):
        if not wanted & set(group):
            continue
        signature = tuple((k, shown[k]) for k in group)
        if memo is not None and signature in memo:
            out.update({k: r for k, r in memo[signature].items() if k in wanted})
            continue
        members = set(group)
        equations: list[Equation] = []
        for rel in relations:
            terms = [(rel.total, -1)] + [(p, 1) for p in rel.parts]
            if not any(k in members for k, _ in terms):
                continue
            equations.append(([(k, a) for k, a in terms if k in members],
                              -sum(a * values[k] for k, a in terms if k not in members)))
        bounds = {k: attacker_bounds(shown[k], values[k], ceiling=ceiling, threshold=threshold)
                  for k in group}
        if is_forest(group, equations):
            solved: dict[str, Range] = dict(propagate(bounds, equations))
        else:
            index = {k: i for i, k in enumerate(group)}
            a = [[0] * len(group) for _ in equations]
            for row, equation in zip(a, equations, strict=True):
                for k, coefficient in equation[0]:
                    row[index[k]] += coefficient
            # A simplex per cell and bound: only the cells asked for (a trial asks for one).
            targets = [k for k in group if k in wanted]
            lp = ranges(a, [c for _, c in equations], [bounds[k][0] for k in group],
                        [bounds[k][1] for k in group], of=[index[k] for k in targets])
            solved = {group[i]: r for i, r in lp.items()}
        if memo is not None and len(solved) == len(group):
            memo[signature] = solved
        out.update({k: r for k, r in solved.items() if k in wanted})
    return out


def _groups(hidden: Sequence[str], relations: Sequence[Relation]) -> list[list[str]]:
    """Hidden cells connected through relations they share (union-find)."""
    parent = {k: k for k in hidden}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for rel in relations:
        members = [k for k in (rel.total, *rel.parts) if k in parent]
        for other in members[1:]:
            parent[root(other)] = root(members[0])
    groups: dict[str, list[str]] = {}
    for k in hidden:
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def pinned(lo: Fraction | int, hi: Fraction | int) -> bool:
    """True when only one whole number lies in [lo, hi]: the reader knows the count."""
    return ceil(lo) >= floor(hi)


PAIR_POOL = 10  # the smallest candidates tried two at a time


def _partners(cell: str, values: Mapping[str, int], shown: Mapping[str, Shown],
              relations: Sequence[Relation], keep: set[str], threshold: int,
              memo: Memo) -> tuple[str, ...]:
    """Published cells to hide so that `cell` is no longer pinned: the smallest single
    cell that does it, else the smallest pair (a cross-table needs a rectangle of hidden
    cells), else the smallest single cell as progress; () when there is no candidate.
    Candidates are first the cells that share a relation with `cell` (in a hierarchy its
    siblings and its total: almost always enough), then those of its whole group."""
    def candidates(members: set[str]) -> list[str]:
        return sorted({k for rel in relations if members & {rel.total, *rel.parts}
                       for k in (rel.total, *rel.parts) if shown[k] == Shown.PUBLISHED
                       and k not in keep and values[k] >= threshold},
                      key=lambda k: (values[k], k))

    def frees(extra: tuple[str, ...]) -> bool:
        trial = {**shown, **dict.fromkeys(extra, Shown.SECONDARY)}
        return cell not in _exposed(values, trial, relations, threshold, keys=[cell],
                                    memo=memo)

    near = candidates({cell})
    group = next(g for g in _groups(sorted(k for k, s in shown.items()
                                           if s != Shown.PUBLISHED), relations) if cell in g)
    for pool in (near, candidates(set(group))):
        for single in pool:
            if frees((single,)):
                return (single,)
        pairs = sorted(itertools.combinations(pool[:PAIR_POOL], 2),
                       key=lambda p: (values[p[0]] + values[p[1]], p))
        for pair in pairs:
            if frees(pair):
                return pair
    return tuple((near or candidates(set(group)))[:1])


def _exposed(values: Mapping[str, int], shown: Mapping[str, Shown],
             relations: Sequence[Relation], threshold: int,
             keys: Iterable[str] | None = None, memo: Memo | None = None) -> list[str]:
    found = feasible_ranges(values, shown, relations, threshold=threshold, keys=keys,
                            memo=memo)
    return sorted(k for k, (lo, hi) in found.items() if pinned(lo, hi))


def protect(values: Mapping[str, int], relations: Sequence[Relation] = (), *,
            fixed: Iterable[str] = (), threshold: int = THRESHOLD) -> Protection:
    """Primary suppression of every 1..threshold-1, then secondary suppression until no
    hidden cell can be pinned down (see the module docstring)."""
    _check(values, relations)
    keep = set(fixed)
    shown = {k: Shown.PRIMARY if 0 < v < threshold else Shown.PUBLISHED
             for k, v in values.items()}
    # Withheld cells that only the fixed cells pin down: nothing more can be hidden.
    stuck: set[str] = set()
    memo: Memo = {}
    while exposed := [k for k in _exposed(values, shown, relations, threshold, memo=memo)
                      if k not in stuck]:
        # The first exposed cell is always handled; later ones of the same pass only if
        # still exposed (hiding a partner for one often frees its neighbours too).
        for cell in exposed:
            if cell != exposed[0] and cell not in _exposed(
                    values, shown, relations, threshold, keys=[cell], memo=memo):
                continue
            _protect_one(cell, values, shown, relations, keep, threshold, memo, stuck)
    leaked = sorted(k for k in stuck if 0 < values[k] < threshold)
    if leaked:
        raise SuppressionFailed(f"{', '.join(leaked)}: pinned down by the fixed cells")
    return Protection(shown=dict(shown),
                      _published={k: v for k, v in values.items()
                                  if shown[k] == Shown.PUBLISHED})


def _protect_one(cell: str, values: Mapping[str, int], shown: dict[str, Shown],
                 relations: Sequence[Relation], keep: set[str], threshold: int, memo: Memo,
                 stuck: set[str]) -> None:
    """Hide partners for one exposed cell; failing any, withhold its relations; when
    nothing is left to withhold, it is stuck (only fixed cells pin it)."""
    chosen = _partners(cell, values, shown, relations, keep, threshold, memo)
    if chosen:
        shown.update(dict.fromkeys(chosen, Shown.SECONDARY))
        return
    related = {k for rel in relations if cell in (rel.total, *rel.parts)
               for k in (rel.total, *rel.parts) if k not in keep}
    widen = {k for k in related | {cell} if shown[k] != Shown.WITHHELD}
    if widen:
        shown.update(dict.fromkeys(widen, Shown.WITHHELD))
    else:
        stuck.add(cell)


def one_way(table: str, counts: Mapping[str, int], *,
            total: str | None = None) -> tuple[dict[str, int], list[Relation]]:
    """Cells `table/label` and their total `table/total` (or the given total key, for a
    table whose total is a cell elsewhere, e.g. the number of cases)."""
    total_key = total or f"{table}/total"
    values = {f"{table}/{label}": n for label, n in counts.items()}
    values[total_key] = sum(counts.values())
    return values, [Relation(total_key, tuple(f"{table}/{label}" for label in counts))]


def two_way(table: str, counts: Mapping[tuple[str, str], int], *,
            total: str | None = None) -> tuple[dict[str, int], list[Relation]]:
    """A cross-table with its margins: cells `table/row/col`, row totals `table/row/*`,
    column totals `table/*/col` and the grand total `table/*/*` (or `total`)."""
    rows = sorted({r for r, _ in counts})
    cols = sorted({c for _, c in counts})
    grand = total or f"{table}/*/*"
    values = {f"{table}/{r}/{c}": counts.get((r, c), 0) for r in rows for c in cols}
    relations: list[Relation] = []
    for r in rows:
        values[f"{table}/{r}/*"] = sum(counts.get((r, c), 0) for c in cols)
        relations.append(Relation(f"{table}/{r}/*", tuple(f"{table}/{r}/{c}" for c in cols)))
    for c in cols:
        values[f"{table}/*/{c}"] = sum(counts.get((r, c), 0) for r in rows)
        relations.append(Relation(f"{table}/*/{c}", tuple(f"{table}/{r}/{c}" for r in rows)))
    values[grand] = sum(counts.values())
    relations.append(Relation(grand, tuple(f"{table}/{r}/*" for r in rows)))
    relations.append(Relation(grand, tuple(f"{table}/*/{c}" for c in cols)))
    return values, relations
