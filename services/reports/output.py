"""Writing a report to a directory in the format asked for (PDF, HTML or the tables as
CSV). The caller names the stem; nothing here knows a case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path

from services.reports.render_csv import tables_csv
from services.reports.render_pdf import html_to_pdf
from services.reports.tables import PublishedTable


class OutputFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"
    CSV = "csv"


def write_report(*, stem: str, fmt: OutputFormat, out_dir: Path, html: Callable[[], str],
                 tables: Iterable[PublishedTable]) -> list[Path]:
    """The files written: `stem.pdf`, `stem.html`, or `stem-<table>.csv` per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    match fmt:
        case OutputFormat.PDF:
            path = out_dir / f"{stem}.pdf"
            path.write_bytes(html_to_pdf(html()))
            return [path]
        case OutputFormat.HTML:
            path = out_dir / f"{stem}.html"
            path.write_text(html(), encoding="utf-8")
            return [path]
        case OutputFormat.CSV:
            written = []
            for name, content in tables_csv(tables).items():
                path = out_dir / f"{stem}-{name}"
                path.write_bytes(content)
                written.append(path)
            return written
