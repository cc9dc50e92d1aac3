"""`utvag during relocate`: the destination and the address are never argument values
(shell history, `ps`); they come from a pipe, a file or a no-echo prompt. Nor is the
caller's municipality code where it can be the destination (`during destination`,
`during belongings-delivered`, `after transfer`)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from adapters.settings import Settings
from models.during_tables import Relocation
from services.relocation import read_destination
from services.runtime import Runtime
from tests.conftest import TEST_KEY
from tests.factories import threat_assessed
from tests.fakes.agencies import FakeAgencies
from tests.fakes.runs import FakeRuns
from utvag_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "Hemligvägen 17, 981 31"
DESTINATION = "2584"  # Kiruna; the placing municipality 0180 is the exclusion zone
FLAGS = ["--independent", "yes", "--deep-support", "no", "--by", "ss-anna"]


@pytest.fixture()
def case(rt: Runtime, agencies: FakeAgencies) -> tuple[uuid.UUID, str]:
    """A case (Tolvan, gang milieu) whose threat assessment is in: high threat, the
    placing municipality an exclusion zone, relocation required."""
    opened = threat_assessed(rt, agencies)
    return opened.case_id, opened.case_number


def _relocations(rt: Runtime) -> list[Relocation]:
    with rt.uow() as session:
        return list(session.exec(select(Relocation)).all())


def _read_back(rt: Runtime, case_id: uuid.UUID) -> tuple[str, str]:
    return read_destination(rt, case_id, viewer_agency="social_services",
                            viewer_municipality="0180", by="ss-anna")


def _utvag(rt: Runtime, argv: list[str], *, stdin: str = "",
           runs: FakeRuns | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, runtime=rt, runs=runs or FakeRuns(), stdin=io.StringIO(stdin),
                stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("old", [["--address", ADDRESS], ["--destination", DESTINATION],
                                 [f"--address={ADDRESS}"]])
def test_the_old_arguments_are_refused_without_repeating_the_value(
        rt: Runtime, case: tuple[uuid.UUID, str], capsys: pytest.CaptureFixture[str],
        old: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["during", "relocate", case[1], *old, *FLAGS], runtime=rt, runs=FakeRuns())
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "never on the command line" in err
    assert "Hemlig" not in err and DESTINATION not in err
    assert _relocations(rt) == []


def test_a_piped_destination_and_address_decide_the_relocation(
        rt: Runtime, settings: Settings, case: tuple[uuid.UUID, str]) -> None:
    """A real process reading a real pipe; Prefect is down (nothing listens on port 9):
    the decision is recorded all the same, and no traceback reaches the person."""
    argv = [sys.executable, "-m", "utvag_cli.main", "during", "relocate", case[1], *FLAGS]
    env = {**os.environ, "DATABASE_URL": str(settings.database_url),
           "UTVAG_ENCRYPTION_KEY": TEST_KEY, "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    done = subprocess.run(argv, input=f"{DESTINATION}\n{ADDRESS}\n", text=True,  # noqa: S603
                          capture_output=True, env=env, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{case[1]}: relocation decided (own_flat); flow recorded\n"
    assert ADDRESS not in " ".join(argv) and "Hemlig" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert _read_back(rt, case[0]) == (DESTINATION, ADDRESS)


def test_an_address_file_decides_the_relocation_and_wakes_the_case(
        rt: Runtime, case: tuple[uuid.UUID, str], tmp_path: Path) -> None:
    secret = tmp_path / "move.txt"
    secret.write_text(f"{DESTINATION}\n{ADDRESS}\n", encoding="utf-8")
    runs = FakeRuns()
    code, out, _ = _utvag(rt, ["during", "relocate", case[1], "--address-file", str(secret),
                               "--fast-path", *FLAGS], runs=runs)
    assert code == 0
    assert out == (f"{case[1]}: relocation decided (protected_housing, fast path: approve "
                   "within 72 h); flow resumed\n")
    assert runs.woken == [case[0]]
    assert _read_back(rt, case[0]) == (DESTINATION, ADDRESS)


@pytest.mark.parametrize(("content", "message"), [
    (f"{DESTINATION}\n", "address: 1-300 characters"),
    (f"Kiruna\n{ADDRESS}\n", "destination: a 4-digit municipality code"),
    (f"0180\n{ADDRESS}\n", "destination: inside an exclusion zone"),
    (f"9999\n{ADDRESS}\n", "destination: no municipality has this code"),
    (None, "address-file: cannot read it"),
])
def test_bad_input_names_the_field_exits_2_and_writes_nothing(
        rt: Runtime, case: tuple[uuid.UUID, str], tmp_path: Path, content: str | None,
        message: str) -> None:
    secret = tmp_path / "move.txt"
    if content is not None:
        secret.write_text(content, encoding="utf-8")
    runs = FakeRuns()
    code, _, err = _utvag(rt, ["during", "relocate", case[1], "--address-file", str(secret),
                               *FLAGS], runs=runs)
    assert code == 2
    assert message in err and "Hemlig" not in err and "Traceback" not in err
    assert _relocations(rt) == [] and runs.woken == []


@pytest.mark.parametrize("command", [
    ["during", "destination", "{case}", "--agency", "social_services"],
    ["during", "belongings-delivered", "{case}"],
    ["after", "transfer", "{case}", "--accept", "yes", "--payer", "receiving",
     "--from", "2027-04-01"]])
def test_the_callers_municipality_is_refused_as_an_argument(
        rt: Runtime, case: tuple[uuid.UUID, str], capsys: pytest.CaptureFixture[str],
        command: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([part.format(case=case[1]) for part in command]
             + ["--municipality", DESTINATION, "--by", "ss-kiruna"], runtime=rt, runs=FakeRuns())
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "municipality: never on the command line" in err and DESTINATION not in err


def test_the_destination_is_shown_to_the_municipality_given_on_stdin(
        rt: Runtime, case: tuple[uuid.UUID, str]) -> None:
    number = case[1]
    assert _utvag(rt, ["during", "relocate", number, *FLAGS],
                  stdin=f"{DESTINATION}\n{ADDRESS}\n")[0] == 0
    show = ["during", "destination", number, "--agency", "social_services", "--by", "ss-x"]
    code, _, err = _utvag(rt, show, stdin="1480\n")
    assert code == 2 and DESTINATION not in err
    code, out, _ = _utvag(rt, show, stdin=f"{DESTINATION}\n")
    assert code == 0 and out.strip() == f"destination: {DESTINATION}  address: {ADDRESS}"
    code, _, err = _utvag(rt, show, stdin="\n")
    assert code == 2 and "municipality: your 4-digit municipality code on stdin" in err
