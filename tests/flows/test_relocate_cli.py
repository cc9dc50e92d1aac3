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
from prefect.settings import PREFECT_API_URL
from sqlmodel import select

from adapters.db import unit_of_work
from models.during_tables import Relocation
from tasks.cases import snapshot
from tasks.relocation import read_destination
from tests.relocation_support import ADDRESS, DESTINATION, at_relocation
from tests.sims import Sim
from utvag_cli.main import main

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["--independent", "yes", "--deep-support", "no", "--by", "ss-anna"]


def _relocations() -> list[Relocation]:
    with unit_of_work() as session:
        return list(session.exec(select(Relocation)).all())


def _read_back(case_id: uuid.UUID) -> tuple[str, str]:
    return read_destination(case_id, viewer_agency="social_services", viewer_municipality="0180",
                            by="ss-anna")


@pytest.mark.parametrize("old", [["--address", ADDRESS], ["--destination", DESTINATION],
                                 [f"--address={ADDRESS}"]])
def test_the_old_arguments_are_refused_without_repeating_the_value(
        sims: tuple[Sim, Sim], invited: dict[str, Sim], capsys: pytest.CaptureFixture[str],
        old: list[str]) -> None:
    number = snapshot(at_relocation()).case_number
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["during", "relocate", number, *old, *FLAGS])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "never on the command line" in err
    assert "Hemlig" not in err and DESTINATION not in err
    assert _relocations() == []


def test_a_piped_destination_and_address_decide_the_relocation(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = at_relocation()
    argv = [sys.executable, "-m", "utvag_cli.main", "during", "relocate",
            snapshot(case_id).case_number, *FLAGS]
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    done = subprocess.run(argv, input=f"{DESTINATION}\n{ADDRESS}\n", text=True,  # noqa: S603
                          capture_output=True, env=env, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "relocation decided (own_flat)" in done.stdout
    assert ADDRESS not in " ".join(argv) and "Hemlig" not in done.stdout + done.stderr
    assert _read_back(case_id) == (DESTINATION, ADDRESS)


def test_an_address_file_decides_the_relocation(
        sims: tuple[Sim, Sim], invited: dict[str, Sim], tmp_path: Path) -> None:
    case_id = at_relocation()
    secret = tmp_path / "move.txt"
    secret.write_text(f"{DESTINATION}\n{ADDRESS}\n", encoding="utf-8")
    assert main(["during", "relocate", snapshot(case_id).case_number,
                 "--address-file", str(secret), *FLAGS]) == 0
    assert _read_back(case_id) == (DESTINATION, ADDRESS)


@pytest.mark.parametrize(("content", "message"), [
    (f"{DESTINATION}\n", "address: 1-300 characters"),
    (f"Kiruna\n{ADDRESS}\n", "destination: a 4-digit municipality code"),
    (f"0180\n{ADDRESS}\n", "destination: inside an exclusion zone"),
    (None, "address-file: cannot read it"),
])
def test_bad_input_names_the_field_exits_2_and_writes_nothing(
        sims: tuple[Sim, Sim], invited: dict[str, Sim], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], content: str | None, message: str) -> None:
    number = snapshot(at_relocation()).case_number
    secret = tmp_path / "move.txt"
    if content is not None:
        secret.write_text(content, encoding="utf-8")
    capsys.readouterr()
    assert main(["during", "relocate", number, "--address-file", str(secret), *FLAGS]) == 2
    err = capsys.readouterr().err
    assert message in err and "Hemlig" not in err
    assert _relocations() == []


@pytest.mark.parametrize("command", [
    ["during", "destination", "{case}", "--agency", "social_services"],
    ["during", "belongings-delivered", "{case}"],
    ["after", "transfer", "{case}", "--accept", "yes", "--payer", "receiving",
     "--from", "2027-04-01"]])
def test_the_callers_municipality_is_refused_as_an_argument(
        sims: tuple[Sim, Sim], invited: dict[str, Sim], capsys: pytest.CaptureFixture[str],
        command: list[str]) -> None:
    number = snapshot(at_relocation()).case_number
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main([part.format(case=number) for part in command]
             + ["--municipality", DESTINATION, "--by", "ss-kiruna"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "municipality: never on the command line" in err and DESTINATION not in err


def test_the_destination_is_shown_to_the_municipality_given_on_stdin(
        sims: tuple[Sim, Sim], invited: dict[str, Sim], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    case_id = at_relocation()
    number = snapshot(case_id).case_number
    assert main(["during", "relocate", number, *FLAGS],
                stdin=io.StringIO(f"{DESTINATION}\n{ADDRESS}\n")) == 0
    capsys.readouterr()
    show = ["during", "destination", number, "--agency", "social_services", "--by", "ss-x"]
    assert main(show, stdin=io.StringIO("1480\n")) == 2
    assert DESTINATION not in capsys.readouterr().err
    assert main(show, stdin=io.StringIO(f"{DESTINATION}\n")) == 0
    assert capsys.readouterr().out.strip() == f"destination: {DESTINATION}  address: {ADDRESS}"
    assert main(show, stdin=io.StringIO("\n")) == 2
    assert "municipality: your 4-digit municipality code on stdin" in capsys.readouterr().err
