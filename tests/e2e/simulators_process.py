"""Every simulator of a stack in ONE process (one uvicorn thread each, on the stack's
ports): ten Python processes cost a loaded 2-core machine seconds of CPU at each start.
The apps, their options and their state files are the ones `Stack.start_simulators`
gives the ten processes `make run` starts.

    python tests/e2e/simulators_process.py --answer-delay 3600 --state-dir DIR police=8101 ...
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path

from simulators.catalog import APPS
from simulators.config import SimulatorConfig
from simulators.server import start_in_thread
from utvag_cli.stack import PYTHON, Stack, answers, wait_until

HERE = Path(__file__).resolve()


def start_simulators(stack: Stack) -> None:
    """The stack's simulators, as `Stack.start_simulators` starts them (same apps, ports,
    answer delay and state files), in one process instead of ten."""
    stack._spawn(  # noqa: SLF001 - the stack's own process bookkeeping and logs
        "simulators", PYTHON, str(HERE), "--answer-delay", str(stack.answer_delay),
        "--state-dir", str(stack.data_dir / "simulators"),
        *(f"{name}={port}" for name, port in stack.ports.simulators.items()))
    for port in stack.ports.simulators.values():
        wait_until(answers(f"http://127.0.0.1:{port}/health"), timeout=60, what="simulator")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answer-delay", type=float, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("ports", nargs="+", help="NAME=PORT")
    args = parser.parse_args()
    # uvicorn's access log (method, path, status) to stdout, as a simulator process logs.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    args.state_dir.mkdir(parents=True, exist_ok=True)
    running = []
    for pair in args.ports:
        name, port = pair.split("=")
        config = SimulatorConfig(answer_delay_seconds=args.answer_delay,
                                 state_file=args.state_dir / f"{name}.json")
        running.append(start_in_thread(APPS[name](config), port=int(port), log_level="info"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("simulators up", flush=True)  # noqa: T201
    stop.wait()
    for simulator in running:
        simulator.stop()


if __name__ == "__main__":
    main()
