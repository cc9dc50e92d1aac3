"""structlog, configured once; a redaction processor as the second line of defence.

The first line is that code only ever logs case numbers and ids. The redactor drops
any field whose name says it holds personal data and masks anything shaped like a
Swedish identity number, so one careless log call cannot leak a person. The same
filter sits on the stdlib `utvag` logger, whose records Prefect forwards to its UI.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

SENSITIVE_KEYS = frozenset(
    {
        "name", "full_name", "identity_number", "personnummer", "subject", "address",
        "destination", "threat", "threat_level", "exclusion_zones", "person", "evidence_note",
    }
)
_IDENTITY = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
REDACTED = "[redacted]"


def scrub(text: str) -> str:
    return _IDENTITY.sub(REDACTED, text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {k: REDACTED if k in SENSITIVE_KEYS else _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        event_dict[key] = REDACTED if key in SENSITIVE_KEYS else _redact_value(event_dict[key])
    return event_dict


class RedactingFilter(logging.Filter):
    """Masks identity-number shapes in stdlib records (Prefect's and ours)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_configured = False


def configure_logging(*, level: int = logging.INFO) -> None:
    """Pretty on a terminal, JSON otherwise; rendered before it reaches stdlib so that
    Prefect's log handler (PREFECT_LOGGING_EXTRA_LOGGERS=utvag) shows the whole line."""
    global _configured
    if _configured:
        return
    _configured = True
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False)
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer(sort_keys=True)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            redact,
            renderer,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    app_logger = logging.getLogger("utvag")
    app_logger.setLevel(level)
    app_logger.addFilter(RedactingFilter())
    if not app_logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        app_logger.addHandler(handler)
    for name in ("prefect", "httpx", "uvicorn.access"):
        logging.getLogger(name).addFilter(RedactingFilter())


def get_logger(**initial: Any) -> Any:
    configure_logging()
    return structlog.get_logger("utvag").bind(**initial)
