"""Benchmark of the reports (not a test):
`.venv/bin/python bench/reports.py [--cases 100000] [--applications 10000] [--rounds 5]
[--server postgresql://postgres@127.0.0.1:5432/postgres]`.

In a fresh database on the given PostgreSQL server (migrated, dropped at the end) it
creates, by bulk COPY,

- N cases opened in 2025 (persons, journals, relocations with encrypted destinations,
  interventions with providers, waits, indicators, relapse flags), and
- M grant applications for 2024 (applicants, decisions, uses, payouts) plus earlier
  years for the trend,

then times, alternately in the same process, `rounds` times each:

1. the follow-up statistics for the whole country over 2025 (`followup_report`: the
   cohort, every grouped query, the bulk decryption of destinations, suppression over
   all tables) against ONE plain SQL statement computing the same aggregates (it cannot
   count moves to another municipality: the destination is encrypted);
2. the annual account for 2024 (`grant_account`: queries and suppression) against ONE
   plain SQL statement computing the same aggregates.

Reports medians and the ratio service / plain SQL, and the machine. Markdown output.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.key import BENCH_KEY  # noqa: E402

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
AS_OF = datetime(2026, 12, 4, tzinfo=UTC)
def _times(run: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def machine() -> str:
    def sh(cmd: list[str]) -> str:
        return subprocess.run(cmd, capture_output=True, text=True,  # noqa: S603 - fixed argv
                              check=False).stdout.strip()

    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    return (f"- `nproc`: {sh(['nproc'])}\n- CPU: {model}\n- `free -g`:\n\n```\n"
            f"{sh(['free', '-g'])}\n```\n- Python {platform.python_version()}, "
            f"{sh(['psql', '--version']) or 'PostgreSQL'}\n- load average at start: "
            f"{Path('/proc/loadavg').read_text().split()[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    import psycopg

    from adapters.db import Database
    from adapters.settings import Settings, normalise_database_url
    from services.runtime import Runtime

    name = f"utvag_bench_reports_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(args.server) | {"dbname": name}
    dsn = psycopg.conninfo.make_conninfo("", **info)
    url = normalise_database_url("postgresql://" + dsn.split("://", 1)[-1] if "://" in dsn
                                 else f"postgresql:///?{dsn.replace(' ', '&')}")
    # The settings and the runtime handed in: nothing read from or written to the
    # environment.
    rt = Runtime(settings=Settings(DATABASE_URL=url, encryption_key=BENCH_KEY),
                 db=Database(url))
    try:
        run(rt, dsn, args)
    finally:
        rt.db.dispose()
        with psycopg.connect(args.server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(rt: Runtime, dsn: str, args: argparse.Namespace) -> None:
    import psycopg

    from adapters.db import migrate
    from bench.report_data import populate_cases, populate_grants
    from bench.report_sql import ACCOUNT_SQL, FOLLOWUP_SQL
    from services.reports.account import grant_account
    from services.reports.followup import followup_report

    out = io.StringIO()
    out.write(f"## Reports benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n{machine()}\n\n")
    migrate(rt.db.url)
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        populate_cases(conn, args.cases, rt.cipher)
        populate_grants(conn, args.applications)
    out.write(f"Setup (COPY): {time.perf_counter() - started:.1f} s\n\n")
    end = date(2025, 12, 31)

    def service_followup() -> object:
        with rt.uow() as session:
            return followup_report(session, start=YEAR_START.date(), end=end,
                                   municipality=None, cipher=rt.cipher, as_of=AS_OF)

    def service_account() -> object:
        with rt.uow() as session:
            return grant_account(session, year=2024)

    with psycopg.connect(dsn) as conn:
        def plain(sql: str, params: dict[str, Any]) -> Callable[[], object]:
            return lambda: conn.execute(sql, params).fetchone()

        followup_params = {"start": YEAR_START, "end": YEAR_START.replace(year=2026),
                           "as_of": AS_OF}
        pairs = [("follow-up statistics", f"{args.cases:,} cases", service_followup,
                  plain(FOLLOWUP_SQL, followup_params)),
                 ("grant account", f"{args.applications:,} applications", service_account,
                  plain(ACCOUNT_SQL, {"year": 2024}))]
        for _, _, service, baseline in pairs:  # warm caches and imports once
            service()
            baseline()
        out.write("| report | data | service (median of "
                  f"{args.rounds}) | one plain SQL query (median) | ratio service / SQL |\n"
                  "|---|---|---|---|---|\n")
        for label, size, service, baseline in pairs:
            s_times, b_times = [], []
            for _ in range(args.rounds):  # alternate, so that load hits both alike
                s_times += _times(service, 1)
                b_times += _times(baseline, 1)
            s, b = statistics.median(s_times), statistics.median(b_times)
            out.write(f"| {label} | {size} | {s * 1000:.0f} ms | {b * 1000:.0f} ms | "
                      f"**{s / b:.2f}×** |\n")
    out.write(breakdown(rt, end))
    sys.stdout.write(out.getvalue())


def breakdown(rt: Runtime, end: date) -> str:
    """Where the service's time goes: its queries (with the decryption), the suppression
    over all tables, and rendering (HTML with charts, then PDF)."""
    import sqlalchemy as sa

    from services.reports.account import build_account
    from services.reports.account_queries import account_figures
    from services.reports.followup import build_report
    from services.reports.followup_queries import followup_figures
    from services.reports.render_html import render_account_html, render_followup_html
    from services.reports.render_pdf import html_to_pdf

    def clock(step: Callable[[], Any]) -> tuple[Any, float]:
        started = time.perf_counter()
        value = step()
        return value, (time.perf_counter() - started) * 1000

    cipher = rt.cipher
    with rt.uow() as session:
        fig, q1 = clock(lambda: followup_figures(session, start=YEAR_START.date(), end=end,
                                                 municipality=None, cipher=cipher,
                                                 as_of=AS_OF))
        report, p1 = clock(lambda: build_report(fig, scope="Hela landet",
                                                start=YEAR_START.date(), end=end))
        acc_fig, q2 = clock(lambda: account_figures(session, year=2024))
        account, p2 = clock(lambda: build_account(acc_fig))
        tokens = [bytes(t) for (t,) in session.execute(sa.text(
            "SELECT destination_enc FROM relocation r JOIN \"case\" c ON c.id = r.case_id "
            "WHERE c.opened_at >= :start"), {"start": YEAR_START})]
        _, d1 = clock(lambda: cipher.decrypt_many(tokens))
    html1, h1 = clock(lambda: render_followup_html(report, generated=AS_OF.date()))
    _, f1 = clock(lambda: html_to_pdf(html1))
    html2, h2 = clock(lambda: render_account_html(account, generated=AS_OF.date()))
    _, f2 = clock(lambda: html_to_pdf(html2))
    return ("\nOne more run of each, by step (ms):\n\n| report | queries (with decryption) | "
            "of which decryption | suppression | HTML with charts | PDF |\n"
            "|---|---|---|---|---|---|\n"
            f"| follow-up statistics | {q1:.0f} | {d1:.0f} ({len(tokens):,} destinations) | "
            f"{p1:.0f} | {h1:.0f} | {f1:.0f} |\n"
            f"| grant account | {q2:.0f} | – | {p2:.0f} | {h2:.0f} | {f2:.0f} |\n")


if __name__ == "__main__":
    main()
