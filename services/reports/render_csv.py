"""Every published table as CSV: semicolon-separated UTF-8 with a byte-order mark, as
Excel in a Swedish locale opens it; amounts without grouping, hidden counts as shown
("<5", "x", "..")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from services.reports.tables import PublishedTable


def table_csv(table: PublishedTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([cell.csv for cell in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def tables_csv(tables: Iterable[PublishedTable]) -> dict[str, bytes]:
    """File name -> content."""
    return {f"{t.key}.csv": table_csv(t) for t in tables}
