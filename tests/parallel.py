"""The suite on both cores (pytest-xdist; `make test` passes `-n 2 --dist loadscope`).

A unit of work goes to one worker whole: every test of tests/e2e, of tests/ops and of
tests/embedded is one unit each (one stack, or one embedded server's tests, on one
worker; the e2e tests share their stack and run in the order tests/e2e/conftest.py
gives them), every other module one unit (its module fixtures made once). The stacks
are collected first under xdist (`stacks_first`), so they start at once on their
workers and their waiting overlaps the rest of the suite, which both workers share.

(xdist's own `--dist loadgroup` marks groups by rewriting node ids, which pytest 9 no
longer reads: hence a scheduler of our own.)
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

# Folders whose tests share one unit of work (and, for the first two, one stack).
STACKS = ("e2e", "ops")
ONE_UNIT = (*STACKS, "embedded")


def unit_of(nodeid: str) -> str:
    """The unit of work of a test: its folder's under tests/ for ONE_UNIT, else its
    module's."""
    module = nodeid.split("::", 1)[0]
    parts = PurePosixPath(module).parts
    if len(parts) > 2 and parts[0] == "tests" and parts[1] in ONE_UNIT:
        return f"tests/{parts[1]}"
    return module


class StackScheduling(LoadScopeScheduling):  # type: ignore[misc]
    """xdist's load-by-scope scheduling, with `unit_of` as the scope."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)


def stacks_first(items: list[pytest.Item]) -> None:
    """The tests of tests/e2e and tests/ops first, each folder's in its own order."""
    def is_stack(item: pytest.Item) -> bool:
        return unit_of(item.nodeid) in {f"tests/{s}" for s in STACKS}

    items[:] = [i for i in items if is_stack(i)] + [i for i in items if not is_stack(i)]
