"""Small-cell suppression: no count of 1-4 is published, and no hidden count can be worked
out from what is published. Checked against two attackers that share no code with
`models.suppression`: an independent LP solver (SciPy's HiGHS) that bounds every hidden
cell from the published cells and totals, and brute-force enumeration of every integer
table that agrees with what is published."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import linprog

from models.bounds import is_forest, propagate
from models.exact_lp import Infeasible, ranges
from models.suppression import (
    Protection,
    Relation,
    Shown,
    SuppressionFailed,
    attacker_bounds,
    one_way,
    protect,
    two_way,
)

READER_KNOWS = {"<5": (1, 4), "x": (5, None), "..": (0, None)}


def _reader_view(p: Protection, keys: Sequence[str]) -> dict[str, tuple[int, int | None]]:
    """Bounds from the symbols alone, as a reader of the table sees them."""
    out: dict[str, tuple[int, int | None]] = {}
    for k in keys:
        s = p.symbol(k)
        out[k] = READER_KNOWS[s] if s in READER_KNOWS else (int(s), int(s))
    return out


def _highs_ranges(view: Mapping[str, tuple[int, int | None]],
                  relations: Sequence[Relation]) -> dict[str, tuple[float, float]]:
    keys = sorted(view)
    idx = {k: i for i, k in enumerate(keys)}
    a_eq = np.zeros((len(relations), len(keys)))
    for r, rel in enumerate(relations):
        a_eq[r, idx[rel.total]] -= 1
        for part in rel.parts:
            a_eq[r, idx[part]] += 1
    bounds = [view[k] for k in keys]
    out: dict[str, tuple[float, float]] = {}
    for k in keys:
        lo_hi = []
        for sign in (1, -1):
            c = np.zeros(len(keys))
            c[idx[k]] = sign
            res = linprog(c, A_eq=a_eq, b_eq=np.zeros(len(relations)), bounds=bounds,
                          method="highs")
            assert res.status == 0, res.message
            lo_hi.append(sign * res.fun)
        out[k] = (lo_hi[0], lo_hi[1])
    return out


def _assert_protected(values: dict[str, int], relations: list[Relation],
                      p: Protection) -> None:
    for k, v in values.items():
        if 0 < v < 5:
            assert p.value(k) is None and p.symbol(k) in ("<5", ".."), k
        if p.value(k) is not None:
            assert p.value(k) == v
    view = _reader_view(p, list(values))
    for k, (lo, hi) in _highs_ranges(view, relations).items():
        if k in p.hidden():
            assert hi - lo >= 1 - 1e-9, f"{k} is pinned to {lo}..{hi}"
            assert lo - 1e-9 <= values[k] <= hi + 1e-9


def test_the_lp_gives_the_range_of_a_cell_under_a_total() -> None:
    # x0 + x1 = 6, x0 in [1, 4], x1 in [0, 6]
    got = ranges([[1, 1]], [6], [1, 0], [4, 6], of=[0, 1])
    assert got == {0: (Fraction(1), Fraction(4)), 1: (Fraction(2), Fraction(5))}


def test_the_lp_refuses_a_system_without_solutions() -> None:
    with pytest.raises(Infeasible):
        ranges([[1, 1]], [20], [1, 1], [4, 4], of=[0])


def test_the_lp_agrees_with_brute_force_on_random_small_systems() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 4)
        a = [[rng.choice([-1, 0, 1]) for _ in range(n)] for _ in range(rng.randint(1, 3))]
        truth = [rng.randint(0, 6) for _ in range(n)]
        b = [sum(c * x for c, x in zip(row, truth, strict=True)) for row in a]
        lower = [max(0, t - rng.randint(0, 3)) for t in truth]
        upper = [t + rng.randint(0, 3) for t in truth]
        points = [p for p in itertools.product(*(range(lo, hi + 1) for lo, hi in
                                                 zip(lower, upper, strict=True)))
                  if all(sum(c * x for c, x in zip(row, p, strict=True)) == rhs
                         for row, rhs in zip(a, b, strict=True))]
        got = ranges(a, b, lower, upper, of=list(range(n)))
        for j in range(n):
            seen = [p[j] for p in points]
            # the LP relaxation holds every integer solution
            assert got[j][0] <= min(seen) and max(seen) <= got[j][1]


def test_counts_of_one_to_four_are_shown_as_under_five_and_zeros_as_zero() -> None:
    values, relations = one_way("milieu", {"gang": 40, "honour": 3, "extremism": 0,
                                           "other": 9})
    p = protect(values, relations)
    assert [p.symbol(f"milieu/{k}") for k in ("gang", "honour", "extremism", "other")] \
        == ["40", "<5", "0", "x"]
    assert p.symbol("milieu/total") == "52"


def test_one_hidden_cell_under_a_published_total_gets_a_partner() -> None:
    values, relations = one_way("sex", {"male": 30, "female": 2})
    p = protect(values, relations)
    assert p.shown["sex/male"] == Shown.SECONDARY
    _assert_protected(values, relations, p)


def test_two_small_cells_that_pin_each_other_get_a_third() -> None:
    # 1 + 1 = 2: two cells of 1..4 adding up to 2 are both 1.
    values, relations = one_way("phase", {"before": 1, "during": 1, "after": 20,
                                          "closed": 8})
    p = protect(values, relations)
    assert p.shown["phase/closed"] == Shown.SECONDARY  # the smaller partner
    assert p.value("phase/after") == 20
    _assert_protected(values, relations, p)


def test_a_partner_that_leaves_the_cell_pinned_is_not_enough() -> None:
    # 1 + x = 6 with x >= 5 pins the 1: the only way out is to withhold the table.
    values, relations = one_way("t", {"a": 1, "b": 5})
    p = protect(values, relations, fixed=["t/total"])
    assert {p.symbol("t/a"), p.symbol("t/b")} == {".."}
    assert p.symbol("t/total") == "6"
    _assert_protected(values, relations, p)


def test_the_fixed_grand_total_is_never_a_secondary() -> None:
    values, relations = one_way("t", {"a": 3, "b": 0}, total="cases")
    p = protect(values, relations, fixed=["cases"])
    # 3 = the total: the cell cannot be protected without hiding the total
    assert p.symbol("cases") == "<5" and p.symbol("t/a") == "<5"


def test_a_small_cell_the_fixed_cells_give_away_is_refused() -> None:
    with pytest.raises(SuppressionFailed, match="t/a"):
        protect({"cases": 7, "t/a": 2, "t/b": 5}, [Relation("cases", ("t/a", "t/b"))],
                fixed=["cases", "t/b"])


def test_a_hierarchy_protects_the_parts_of_a_subtotal() -> None:
    values = {"handled": 124, "granted": 113, "rejected": 11, "r/criteria": 9,
              "r/incomplete": 2, "r/asked": 0}
    relations = [Relation("handled", ("granted", "rejected")),
                 Relation("rejected", ("r/criteria", "r/incomplete", "r/asked"))]
    p = protect(values, relations, fixed=["handled"])
    assert p.symbol("r/incomplete") == "<5"
    assert p.value("handled") == 124
    _assert_protected(values, relations, p)


def test_tables_that_share_a_total_are_protected_together() -> None:
    sex, rel_sex = one_way("sex", {"male": 27, "female": 3}, total="cases")
    phase, rel_phase = one_way("phase", {"before": 4, "during": 16, "after": 10},
                               total="cases")
    values = {**sex, **phase}
    relations = rel_sex + rel_phase
    p = protect(values, relations, fixed=["cases"])
    _assert_protected(values, relations, p)


def test_a_cross_table_with_margins_hides_enough_cells() -> None:
    counts = {("18-29", "male"): 40, ("18-29", "female"): 3, ("under 18", "male"): 6,
              ("under 18", "female"): 1, ("30+", "male"): 12, ("30+", "female"): 5}
    values, relations = two_way("age_sex", counts)
    p = protect(values, relations, fixed=["age_sex/*/*"])
    assert p.symbol("age_sex/under 18/female") == "<5"
    _assert_protected(values, relations, p)


@pytest.mark.parametrize("seed", range(40))
def test_random_cross_tables_never_give_a_hidden_cell_away(seed: int) -> None:
    rng = random.Random(seed)
    rows = [f"r{i}" for i in range(rng.randint(2, 4))]
    cols = [f"c{j}" for j in range(rng.randint(2, 4))]
    counts = {(r, c): rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20]) for r in rows for c in cols}
    values, relations = two_way("t", counts)
    if not 0 < values["t/*/*"]:
        return
    p = protect(values, relations, fixed=["t/*/*"] if values["t/*/*"] >= 5 else [])
    _assert_protected(values, relations, p)


@pytest.mark.parametrize("seed", range(40))
def test_random_one_way_tables_hold_no_derivable_cell_by_enumeration(seed: int) -> None:
    rng = random.Random(1000 + seed)
    counts = {f"c{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9]) for i in range(rng.randint(2, 5))}
    values, relations = one_way("t", counts)
    if values["t/total"] < 5:
        return
    p = protect(values, relations, fixed=["t/total"])
    view = _reader_view(p, list(values))
    cells = [f"t/{k}" for k in counts]
    total = values["t/total"]
    options = [range(lo, (hi if hi is not None else total) + 1) for lo, hi in
               (view[c] for c in cells)]
    tables = [t for t in itertools.product(*options) if sum(t) == total]
    for i, cell in enumerate(cells):
        if cell in p.hidden():
            assert len({t[i] for t in tables}) >= 2, (counts, cell)


def test_a_hidden_cell_has_no_value_to_read() -> None:
    values, relations = one_way("t", {"a": 2, "b": 30})
    p = protect(values, relations)
    assert p.value("t/a") is None and p.value("t/b") is None
    assert "2" not in {p.symbol(k) for k in values if k != "t/total"}


def test_counts_must_add_up_and_be_whole() -> None:
    with pytest.raises(ValueError, match="do not add up"):
        protect({"t": 5, "a": 1, "b": 1}, [Relation("t", ("a", "b"))])
    with pytest.raises(ValueError, match="non-negative integer"):
        protect({"a": -1})


@pytest.mark.parametrize("seed", range(30))
def test_propagation_gives_the_lp_ranges_on_hierarchies(seed: int) -> None:
    """Bounds propagation is exact on tree-shaped sums: it agrees with the simplex."""
    rng = random.Random(500 + seed)
    values: dict[str, int] = {}
    relations: list[Relation] = []
    counties = [f"county/{c}" for c in range(rng.randint(1, 4))]
    for county in counties:
        towns = [f"{county}/m{m}" for m in range(rng.randint(1, 5))]
        values |= {t: rng.choice([0, 1, 2, 3, 4, 5, 7, 12]) for t in towns}
        values[county] = sum(values[t] for t in towns)
        relations.append(Relation(county, tuple(towns)))
    values["all"] = sum(values[c] for c in counties)
    relations.append(Relation("all", tuple(counties)))
    shown = {k: rng.choice([Shown.PUBLISHED, Shown.PRIMARY, Shown.SECONDARY, Shown.WITHHELD])
             for k in values}
    # what a reader may be told must be true of the value
    for k, v in values.items():
        if shown[k] == Shown.PRIMARY and not 0 < v < 5 or shown[k] == Shown.SECONDARY and v < 5:
            shown[k] = Shown.WITHHELD
    hidden = sorted(k for k, s in shown.items() if s != Shown.PUBLISHED)
    ceiling = max(values.values())
    equations = [([(r.total, -1)] + [(p, 1) for p in r.parts], 0) for r in relations]
    fixed = {k: values[k] for k in values if k not in hidden}
    eqs = [([(k, a) for k, a in terms if k in hidden],
            -sum(a * fixed[k] for k, a in terms if k in fixed)) for terms, _ in equations]
    eqs = [e for e in eqs if e[0]]
    bounds = {k: attacker_bounds(shown[k], values[k], ceiling=ceiling) for k in hidden}
    assert is_forest(hidden, eqs)
    propagated = propagate(bounds, eqs)
    index = {k: i for i, k in enumerate(hidden)}
    a = [[0] * len(hidden) for _ in eqs]
    for row, (terms, _) in zip(a, eqs, strict=True):
        for k, coefficient in terms:
            row[index[k]] += coefficient
    exact = ranges(a, [c for _, c in eqs], [bounds[k][0] for k in hidden],
                   [bounds[k][1] for k in hidden], of=list(range(len(hidden))))
    for k in hidden:
        assert propagated[k] == exact[index[k]], k


def test_a_long_tail_of_small_municipalities_is_protected() -> None:
    # 290 municipalities in 21 counties, counts falling off like 1/rank: hundreds of
    # small cells under county totals under a grand total.
    rng = random.Random(3)
    counts = [max(0, round(400 / (rank + 1) + rng.uniform(-1, 1))) for rank in range(290)]
    values: dict[str, int] = {}
    relations = []
    for c in range(21):
        towns = {f"m/{c}/{i}": counts[i] for i in range(c, 290, 21)}
        values |= towns
        values[f"c/{c}"] = sum(towns.values())
        relations.append(Relation(f"c/{c}", tuple(towns)))
    values["all"] = sum(values[f"c/{c}"] for c in range(21))
    relations.append(Relation("all", tuple(f"c/{c}" for c in range(21))))
    p = protect(values, relations, fixed=["all"])
    _assert_protected(values, relations, p)
