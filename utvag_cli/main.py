"""The `utvag` command.

    utvag run                 the whole local stack with a demo case (make run)
    utvag serve               the case service (HTTP API, service_host:service_port)
    utvag serve-deployments   serve the deployments of deployments/registry.py
    utvag deploy              register them on the Prefect server (work pool, automations)
    utvag worker              start a process worker on the work pool
    utvag status              cases waiting, overdue, blocked, with reasons
    utvag init                create the key file and migrate the database (operators)
    utvag sweep               run the register sweep now (progress bar)
    utvag keys show|rotate|cull  the encryption key: its id, rotation, culling (operators)

A person's commands go to the case service (setting `service_url`) as the person logged
in (`utvag login`); they need no key, database or Prefect credential, and take no
`--by`: the service records who acted from the login (docs/cli.md).

    utvag login               sign in at the OpenID Connect provider (--device: no browser)
    utvag logout              revoke the login and remove the stored tokens
    utvag case open FILE      open a case from a referral (JSON)
    utvag case list           your cases and what each waits for
    utvag case show CASE      the case and its timeline (the read is journaled)
    utvag case decide CASE    answer an eligibility criterion the case waits for
    utvag case consent CASE   record (or withdraw) consent for an agency
    utvag case assess CASE    social services' assessment of a relapse flag
    utvag during needs CASE   record the needs assessment before the collaboration meeting
    utvag during ...          action plan, providers, state grant, relocation, belongings
                              (see --help; destination and address never as arguments)
    utvag after close CASE    close with an outcome; `after indicators`, `after reopen`,
                              `after transfer`
    utvag audit log           the access log; `audit break-glass`, `audit review ID`
    utvag person correct CASE correct name or identity number; `person export CASE`
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, TextIO

from models.crypto import KeyRefused
from services.answers import AnswerError
from services.views import CaseNotFound
from utvag_cli import (
    after,
    audit,
    cases,
    demo_advance,
    during,
    keys,
    ops,
    person_data,
    plan_people,
    reports,
)
from utvag_cli.context import Cli, Runs
from utvag_cli.output import err, to
from utvag_cli.service import ServiceError
from utvag_cli.tokens import NotLoggedIn
from utvag_cli.usage import UsageError

if TYPE_CHECKING:
    from services.runtime import Runtime
    from utvag_cli.service import Service

# A reader that stopped early (`| head -2`): the shell's status for SIGPIPE.
BROKEN_PIPE = 141
INTERRUPTED = 130  # the shell's status for SIGINT


def cmd_serve(args: argparse.Namespace) -> int:
    """The case service on uvicorn: it holds the key and the database login (role
    utvag_app); people reach it with a bearer token of the configured OpenID Connect
    provider."""
    import uvicorn

    from adapters import oidc
    from adapters.logs import configure_logging
    from caseservice.app import create_app
    from caseservice.runtime import WrongRole, service_runtime
    from caseservice.waker import PrefectWaker

    configure_logging()
    # As utvag_app, under row-level security (docs/database-roles.md), never as the
    # owner the CLI's own commands use.
    try:
        rt = service_runtime(args.cli.rt.settings)
    except WrongRole as exc:
        err(str(exc))
        return 2
    _ = rt.cipher  # refuses to start with a key the database does not know (docs/keys.md)
    settings = rt.settings
    verifier = oidc.TokenVerifier(settings.oidc_issuer, settings.oidc_audience)
    app = create_app(rt, verifier, PrefectWaker())
    uvicorn.run(app, host=args.host or settings.service_host,
                port=args.port or settings.service_port, server_header=False,
                date_header=False, access_log=False, log_config=None)
    return 0


def cmd_serve_deployments(args: argparse.Namespace) -> int:
    from adapters.logs import configure_logging
    from deployments.registry import registry, serve_all

    configure_logging()
    serve_all(registry(collect_every=timedelta(seconds=args.collect_every),
                       overdue_every=timedelta(seconds=args.overdue_every)))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from utvag_cli.demo import run_demo

    return run_demo(prefect_port=args.prefect_port, answer_delay=args.answer_delay)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="utvag", description="Utväg case workflows")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="the case service (HTTP API for people)")
    p.add_argument("--host", help="default: the setting service_host (127.0.0.1)")
    p.add_argument("--port", type=int, help="default: the setting service_port (8000)")
    p.set_defaults(handler=cmd_serve)
    p = sub.add_parser("serve-deployments", help="serve the deployments")
    p.add_argument("--collect-every", type=int, default=30, help="seconds")
    p.add_argument("--overdue-every", type=int, default=3600, help="seconds")
    p.set_defaults(handler=cmd_serve_deployments)
    p = sub.add_parser("run", help="run the local stack with a demo case")
    p.add_argument("--prefect-port", type=int, default=4200)
    p.add_argument("--answer-delay", type=float, default=20.0,
                   help="seconds the simulated agencies take to answer")
    p.set_defaults(handler=cmd_run)
    cases.add_parser(sub)
    from utvag_cli import login, sweep

    login.add_parsers(sub)

    sweep.add_parser(sub)
    during.add_parser(sub)
    after.add_parser(sub)
    plan_people.add_parser(sub)
    audit.add_parser(sub)
    demo_advance.add_parser(sub)
    ops.add_parsers(sub)
    reports.add_parsers(sub)
    keys.add_parsers(sub)
    person_data.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None,
         stdout: TextIO | None = None, stderr: TextIO | None = None,
         runtime: Runtime | None = None, runs: Runs | None = None,
         service: Service | None = None) -> int:
    """Run one command. What it needs is handed in here, defaulting to the process's own:
    `stdin` (where secrets are read; never an argument), `stdout`/`stderr`, `service`
    (a person's commands: the case service at `service_url` with the stored login),
    and for the operators' local commands `runtime` (default
    `services.runtime.runtime()`, built from the settings on first use) and `runs` (the
    case's flow runs on the Prefect server)."""
    args = build_parser().parse_args(argv)
    if runs is None:
        # The process's own runs: on the configured Prefect server (see utvag_cli/__init__),
        # woken and started as the case service does.
        from adapters.settings import apply_prefect_defaults
        from caseservice.waker import PrefectWaker

        apply_prefect_defaults()
        runs = PrefectWaker()
    args.cli = Cli(stdin=stdin if stdin is not None else sys.stdin, runs=runs, runtime=runtime,
                   service=service)
    with to(stdout=stdout, stderr=stderr):
        try:
            code: int = args.handler(args)
        except (UsageError, AnswerError, CaseNotFound) as exc:
            err(f"error: {exc}")
            return 2
        except ServiceError as exc:
            err(exc.line())
            return exc.exit_code
        except (NotLoggedIn, KeyRefused) as exc:  # KeyRefused: docs/keys.md
            err(f"error: {exc}")
            return 1
        except BrokenPipeError:
            _quiet_stdout(stdout)
            return BROKEN_PIPE
        except KeyboardInterrupt:  # Ctrl-C at a prompt or while the service answers
            err("interrupted")
            return INTERRUPTED
        finally:
            args.cli.close()
    return code


def _quiet_stdout(stdout: TextIO | None) -> None:
    """The reader went away: send what Python still flushes at exit to /dev/null, so no
    traceback follows (the read was journaled before it began)."""
    if stdout is None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
