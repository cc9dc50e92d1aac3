"""structlog, configured once; redaction as the second line of defence.

The first line is that code only ever logs case numbers and ids. The redactor drops
any field whose name says it holds personal data and masks anything shaped like a
Swedish identity number (personnummer, samordningsnummer), so one careless log call
cannot leak a person.

Every stdlib record is redacted where it is made: a log record factory
(`logging.setLogRecordFactory`) masks the message with its arguments, the exception
text and the stack, and fields passed as `extra`. That reaches every logger whose
records Prefect ships to its API (`prefect.flow_runs`, `prefect.task_runs`, `utvag`,
...), which a filter on the `prefect` logger alone does not: a logger's filters do not
run for records of its children. The same redaction sits as a filter on the handlers
configured then (Prefect's API handler among them), for a record built without the
factory (`logging.makeLogRecord`).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

import structlog

SENSITIVE_KEYS = frozenset(
    {
        "name", "full_name", "identity_number", "personnummer", "subject", "address",
        "destination", "threat", "threat_level", "exclusion_zones", "person", "evidence_note",
    }
)
# Fields of a record that are the logging machinery's, never personal (`name` is the
# logger's name there).
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("x", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
# A personnummer or samordningsnummer (day + 60), with or without century and separator.
_IDENTITY = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
# `identity_number=...`, `"address": "..."`: a personal field written into a text.
_FIELD = re.compile(
    r"""(?P<key>["']?\b(?:full_name|identity_number|personnummer|address|destination|"""
    r"""threat_level|exclusion_zones|evidence_note)["']?\s*[=:]\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s,;)}\]]+)""")
REDACTED = "[redacted]"
_DONE = "_utvag_redacted"


def scrub(text: str) -> str:
    text = _IDENTITY.sub(REDACTED, text)
    return _FIELD.sub(_masked_field, text)


def _masked_field(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match.group('key')}{quote}{REDACTED}{quote}"  # JSON stays JSON


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


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask personal data in a record, in place: message with its arguments, exception
    text, stack (once), and `extra` fields named as personal (every time: `extra` is set
    on a record after the factory made it)."""
    if not getattr(record, _DONE, False):
        _redact_text(record)
        setattr(record, _DONE, True)
    for key in SENSITIVE_KEYS & (set(vars(record)) - _RECORD_FIELDS):
        setattr(record, key, REDACTED)
    return record


def _redact_text(record: logging.LogRecord) -> None:
    if isinstance(record.args, Mapping) and SENSITIVE_KEYS & set(record.args):
        record.args = {k: REDACTED if k in SENSITIVE_KEYS else v for k, v in record.args.items()}
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):  # a broken format: keep the raw message
        message = str(record.msg)
    cleaned = scrub(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        # Formatters use this text when set, rather than formatting the exception again.
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


class RedactingFilter(logging.Filter):
    """The same redaction on a handler or logger (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def _redacting_factory(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        # `extra` is set on the record after the factory: the handlers' filter masks it.
        return redact_record(make(*args, **kwargs))

    setattr(factory, _DONE, True)
    return factory


def install_redaction() -> None:
    """The record factory (once per process) and the filter on every handler configured
    so far: the root's, Prefect's (its API handler), ours."""
    current = logging.getLogRecordFactory()
    if not getattr(current, _DONE, False):
        logging.setLogRecordFactory(_redacting_factory(current))
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [lg for lg in logging.Logger.manager.loggerDict.values()
                if isinstance(lg, logging.Logger)]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())


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
    if not app_logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        app_logger.addHandler(handler)
    install_redaction()


def get_logger(**initial: Any) -> Any:
    configure_logging()
    return structlog.get_logger("utvag").bind(**initial)
