"""Log redaction (adapters/logs.py) reaches every logger whose records Prefect ships to
its API, the exception text, and fields passed as `extra`."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from adapters.logs import REDACTED, configure_logging, install_redaction

# Records on Prefect's run loggers outside a flow run: its API handler warns and drops them.
pytestmark = pytest.mark.filterwarnings("ignore:Logger 'prefect:UserWarning")

PERSONNUMMER = "199001011234"
SAMORDNING = "19900161-2385"  # a samordningsnummer: day of birth + 60
NAME = "Tolvan Tolvansson"


@pytest.fixture()
def captured() -> Iterator[tuple[io.StringIO, logging.Handler]]:
    """What a plain handler on `prefect.flow_runs` and `prefect.task_runs` writes
    (a handler of our own, with no filter: the redaction must happen anyway)."""
    configure_logging()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    loggers = [logging.getLogger(n) for n in ("prefect.flow_runs", "prefect.task_runs")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield stream, handler
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_an_identity_number_logged_on_prefects_run_loggers_is_masked(
        captured: tuple[io.StringIO, logging.Handler]) -> None:
    stream, _ = captured
    logging.getLogger("prefect.flow_runs").info("looked up %s", PERSONNUMMER)
    logging.getLogger("prefect.task_runs").warning(f"retrying for {SAMORDNING}")
    logging.getLogger("prefect.flow_runs").info("person %s (case %s)", "19900101-1234",
                                                "UTV-2026-000017")
    text = stream.getvalue()
    assert PERSONNUMMER not in text and SAMORDNING not in text and "0101-1234" not in text
    assert text.count(REDACTED) == 3
    assert "UTV-2026-000017" in text, "case numbers stay readable"


def test_an_exceptions_text_is_masked(captured: tuple[io.StringIO, logging.Handler]) -> None:
    stream, _ = captured

    def fail() -> None:
        raise ValueError(f"no match for identity_number={NAME!r} {PERSONNUMMER}")

    try:
        fail()
    except ValueError:
        logging.getLogger("prefect.task_runs").exception("task failed")
    text = stream.getvalue()
    assert "Traceback" in text and "ValueError" in text and "task failed" in text
    assert PERSONNUMMER not in text and "Tolvan" not in text


def test_personal_fields_in_arguments_and_extra_are_masked(
        captured: tuple[io.StringIO, logging.Handler]) -> None:
    stream, handler = captured
    logger = logging.getLogger("prefect.flow_runs")
    logger.info("%(identity_number)s lives at %(address)s, case %(case)s",
                {"identity_number": "X-1", "address": "Storgatan 1", "case": "UTV-1"})
    logger.info('payload {"address": "Storgatan 1", "destination": "1280"}')
    install_redaction()  # the filter on handlers configured so far (this one now too)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    logger.addHandler(keep)
    install_redaction()
    try:
        logger.info("moved", extra={"address": "Storgatan 1", "case": "UTV-1"})
    finally:
        logger.removeHandler(keep)
    text = stream.getvalue()
    assert "Storgatan" not in text and "X-1" not in text and "1280" not in text
    assert "UTV-1" in text
    assert [(r.address, r.case) for r in records] == [(REDACTED, "UTV-1")]  # type: ignore[attr-defined]
    assert any(type(f).__name__ == "RedactingFilter" for f in handler.filters)
