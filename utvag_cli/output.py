"""Terminal output for the CLI (the only place that writes to stdout and stderr).

`main()` may hand in other streams for one invocation (`to(stdout=, stderr=)`): tests read
what a command printed, or give it a reader that stops after two lines, as `| head -2`
does, without touching `sys.stdout`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

_STDOUT: ContextVar[TextIO | None] = ContextVar("utvag_stdout", default=None)
_STDERR: ContextVar[TextIO | None] = ContextVar("utvag_stderr", default=None)


def stdout() -> TextIO:
    return _STDOUT.get() or sys.stdout


def out(text: str = "") -> None:
    stream = stdout()
    stream.write(text + "\n")
    stream.flush()


def err(text: str) -> None:
    stream = _STDERR.get() or sys.stderr
    stream.write(text + "\n")
    stream.flush()


@contextmanager
def to(*, stdout: TextIO | None, stderr: TextIO | None) -> Iterator[None]:
    """Write this invocation's output to these streams (None: the process's own)."""
    out_token, err_token = _STDOUT.set(stdout), _STDERR.set(stderr)
    try:
        yield
    finally:
        _STDOUT.reset(out_token)
        _STDERR.reset(err_token)
