"""`utvag keys show`, `utvag keys rotate`, `utvag keys cull`: the master key's id, state
and rotation, and culling by destroying persons' data keys (docs/keys.md,
docs/data-over-time.md).

`rotate` writes the new key to `<key file>.next` (0600) before anything else, re-encrypts
in batches (`services.key_rotation`) and, once the database has switched, moves the old
key file to `<key file>.retired-<id>` and the new one into its place. Killed at any point,
the same command resumes where it was (docs/keys.md).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from adapters.db import Database
from adapters.vault import read_key_file, write_key_file
from models.crypto import Cipher, generate_master_key
from services import key_rotation
from services.keys import check_key, keys_of
from services.person_keys import DbPersonKeys
from utvag_cli.answering import cli_of
from utvag_cli.output import out


def _owner(args: argparse.Namespace) -> Database:
    """The login itself (not utvag_app): a rotation reads and writes every row."""
    return Database(cli_of(args).rt.db.url, pool_size=2, max_overflow=0)  # + the persons' keys


def cmd_show(args: argparse.Namespace) -> int:
    db = _owner(args)
    try:
        with db.uow() as session:
            records = keys_of(session)
    finally:
        db.dispose()
    if not records:
        out("no key registered yet (the first process that opens personal data registers it)")
    for record in records:
        out(f"{record.key_id}  {record.state}  fingerprint {record.fingerprint[:16]}…")
    return 0


def cmd_rotate(args: argparse.Namespace) -> int:
    rt = cli_of(args).rt
    settings = rt.settings
    key_file = settings.resolved_key_file
    next_file = key_file.with_name(key_file.name + ".next")
    db = _owner(args)
    try:
        if args.abandon:
            key_rotation.abandon(db)
            next_file.unlink(missing_ok=True)
            out("rotation abandoned; the active key is unchanged")
            return 0
        with db.uow() as session:
            records = keys_of(session)
        active_fp = next((r.fingerprint for r in records if r.state == "active"), None)
        if next_file.exists():
            upcoming = Cipher(read_key_file(next_file))
            if upcoming.fingerprint == active_fp:  # the database switched; the files not yet
                return _install(settings.encryption_key is None, key_file, next_file,
                                upcoming)
        elif any(r.state == "next" for r in records):
            out(f"error: a rotation is under way but its key file {next_file} is missing; "
                "`utvag keys rotate --abandon`, then rotate again")
            return 1
        else:
            write_key_file(next_file, generate_master_key())
            upcoming = Cipher(read_key_file(next_file))
        active = Cipher(settings.master_key(), person_keys=DbPersonKeys(db))
        with db.uow() as session:
            check_key(session, active, now=rt.now())

        def progress(table: str, rows: int) -> None:
            out(f"{table}: {rows} rows re-encrypted under {upcoming.key_id}")
            if args.pause:
                time.sleep(args.pause)  # an operator's throttle for a busy database

        out(f"rotating {active.key_id} -> {upcoming.key_id} (resumable: run again if stopped)")
        swapped = key_rotation.rotate(db, active=active, upcoming=upcoming, now=rt.now(),
                                      batch_size=args.batch_size, on_batch=progress)
        out(f"{swapped} values now under {upcoming.key_id}; {active.key_id} retired")
        return _install(settings.encryption_key is None, key_file, next_file, upcoming,
                        retired=active.key_id)
    finally:
        db.dispose()


def _install(from_file: bool, key_file: Path, next_file: Path, upcoming: Cipher, *,
             retired: str | None = None) -> int:
    if not from_file:
        out(f"the key is in UTVAG_ENCRYPTION_KEY: set it to the content of {next_file}, "
            "restart every process, then delete that file")
        return 0
    if key_file.exists():
        old = Cipher(read_key_file(key_file))
        if old.fingerprint != upcoming.fingerprint:
            os.replace(key_file, key_file.with_name(f"{key_file.name}.retired-"
                                                    f"{retired or old.key_id}"))
    os.replace(next_file, key_file)
    out(f"key file {key_file} now holds {upcoming.key_id}; the old key is kept beside it "
        "(.retired-<id>) for backups taken before: destroy it when they expire. Restart "
        "every process (the service, the workers)")
    return 0


def cmd_cull(args: argparse.Namespace) -> int:
    """Culling (gallring): every person due loses their data key; counts only."""
    from adapters.prefect_history import PrefectCaseHistory
    from services.culling import cull

    report = cull(cli_of(args).rt, PrefectCaseHistory())
    out(f"culled: {report.persons} persons, {report.cases} cases, {report.prefect_runs} "
        f"Prefect runs deleted; kept: {report.held} under a legal hold, {report.excepted} "
        "by the research exception")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="the encryption key: show, rotate (operators)")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    p = actions.add_parser("show", help="the key ids the database knows and their state")
    p.set_defaults(handler=cmd_show)
    p = actions.add_parser("rotate", help="a new master key; every value re-encrypted")
    p.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    p.add_argument("--pause", type=float, default=0.0,
                   help="seconds between batches, to spare a busy database")
    p.add_argument("--abandon", action="store_true",
                   help="give up a rotation under way (the active key stays)")
    p.set_defaults(handler=cmd_rotate)
    p = actions.add_parser("cull", help="culling (gallring): destroy the data keys of "
                                        "persons past their retention period")
    p.set_defaults(handler=cmd_cull)
