"""`utvag during relocate`: the destination and the address are never argument values
(shell history, `ps`); they come from a pipe, a file or a no-echo prompt, and go to the
case service in the request body. No command takes a municipality code any more
(`during destination`, `during belongings-delivered`, `after transfer`): the service
takes it from the login."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from models.during_tables import Relocation
from services.relocation import read_destination
from services.runtime import Runtime
from tests.factories import threat_assessed
from tests.fakes.agencies import FakeAgencies
from tests.fakes.runs import FakeRuns
from tests.service import tokens as u
from tests.service_cli import (
    Utvag,
    live_service,
    person_cli,
    person_env,
    service_app,
    token_file,
)

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "Hemligvägen 17, 981 31"
DESTINATION = "2584"  # Kiruna; the placing municipality 0180 is the exclusion zone
FLAGS = ["--independent", "yes", "--deep-support", "no"]
SOCIAL = u.HANDLER_STHLM  # social services of the placing municipality


@pytest.fixture()
def case(rt: Runtime, agencies: FakeAgencies) -> tuple[uuid.UUID, str]:
    """A case (Tolvan, gang milieu) whose threat assessment is in: high threat, the
    placing municipality an exclusion zone, relocation required."""
    opened = threat_assessed(rt, agencies)
    return opened.case_id, opened.case_number


@pytest.fixture()
def utvag(rt: Runtime) -> Utvag:
    return person_cli(rt, SOCIAL)


def _relocations(rt: Runtime) -> list[Relocation]:
    with rt.uow() as session:
        return list(session.exec(select(Relocation)).all())


def _read_back(rt: Runtime, case_id: uuid.UUID) -> tuple[str, str]:
    return read_destination(rt, case_id, viewer_agency="social_services",
                            viewer_municipality="0180", by="ss-anna")


@pytest.mark.parametrize("old", [["--address", ADDRESS], ["--destination", DESTINATION],
                                 [f"--address={ADDRESS}"]])
def test_the_old_arguments_are_refused_without_repeating_the_value(
        rt: Runtime, utvag: Utvag, case: tuple[uuid.UUID, str],
        capsys: pytest.CaptureFixture[str], old: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        utvag("during", "relocate", case[1], *old, *FLAGS)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "never on the command line" in err
    assert "Hemlig" not in err and DESTINATION not in err
    assert _relocations(rt) == []


def test_a_piped_destination_and_address_decide_the_relocation(
        rt: Runtime, case: tuple[uuid.UUID, str], tmp_path: Path) -> None:
    """A real `utvag` process on a person's machine (the service URL and a login, no
    database, no key, no Prefect) reading a real pipe, against the service on
    loopback; the decision is recorded as the person logged in, no traceback."""
    tokens = token_file(tmp_path / "tokens.json", SOCIAL)
    argv = [sys.executable, "-m", "utvag_cli.main", "during", "relocate", case[1], *FLAGS]
    waker = FakeRuns()
    with live_service(service_app(rt, waker)) as url:
        done = subprocess.run(argv, input=f"{DESTINATION}\n{ADDRESS}\n", text=True,  # noqa: S603
                              capture_output=True, cwd=ROOT, timeout=120, check=False,
                              env=person_env(service_url=url, tokens=tokens, home=tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{case[1]}: relocation decided (own_flat)\n"
    assert ADDRESS not in " ".join(argv) and "Hemlig" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert _read_back(rt, case[0]) == (DESTINATION, ADDRESS)
    assert [r.decided_by for r in _relocations(rt)] == [SOCIAL.staff_id]
    assert waker.woken == [case[0]]


def test_an_address_file_decides_the_relocation_and_wakes_the_case(
        rt: Runtime, utvag: Utvag, case: tuple[uuid.UUID, str], tmp_path: Path) -> None:
    secret = tmp_path / "move.txt"
    secret.write_text(f"{DESTINATION}\n{ADDRESS}\n", encoding="utf-8")
    assert utvag("during", "relocate", case[1], "--address-file", str(secret),
                 "--fast-path", *FLAGS) == 0
    assert utvag.out == (f"{case[1]}: relocation decided (protected_housing, fast path: "
                         "approve within 72 h)\n")
    assert utvag.waker.woken == [case[0]]
    assert _read_back(rt, case[0]) == (DESTINATION, ADDRESS)


@pytest.mark.parametrize(("content", "message"), [
    (f"{DESTINATION}\n", "address: 1-300 characters"),
    (f"Kiruna\n{ADDRESS}\n", "destination: a 4-digit municipality code"),
    (f"0180\n{ADDRESS}\n", "destination: inside an exclusion zone"),
    (f"9999\n{ADDRESS}\n", "destination: no municipality has this code"),
    (None, "address-file: cannot read it"),
])
def test_bad_input_names_the_field_exits_2_and_writes_nothing(
        rt: Runtime, utvag: Utvag, case: tuple[uuid.UUID, str], tmp_path: Path,
        content: str | None, message: str) -> None:
    secret = tmp_path / "move.txt"
    if content is not None:
        secret.write_text(content, encoding="utf-8")
    assert utvag("during", "relocate", case[1], "--address-file", str(secret), *FLAGS) == 2
    assert message in utvag.err and "Hemlig" not in utvag.err
    assert _relocations(rt) == [] and utvag.waker.woken == []


@pytest.mark.parametrize("command", [
    ["during", "destination", "{case}"],
    ["during", "belongings-delivered", "{case}"],
    ["after", "transfer", "{case}", "--accept", "yes", "--payer", "receiving",
     "--from", "2027-04-01"]])
def test_a_municipality_is_never_taken_from_the_command_line(
        utvag: Utvag, case: tuple[uuid.UUID, str], capsys: pytest.CaptureFixture[str],
        command: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        utvag(*[part.format(case=case[1]) for part in command],
              "--municipality", DESTINATION)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "municipality: never on the command line; the case service takes it from your " \
           "login" in err and DESTINATION not in err


def test_the_destination_is_shown_to_the_placing_social_services_only(
        rt: Runtime, utvag: Utvag, case: tuple[uuid.UUID, str]) -> None:
    number = case[1]
    assert utvag("during", "relocate", number, *FLAGS,
                 stdin=f"{DESTINATION}\n{ADDRESS}\n") == 0
    assert utvag("during", "destination", number) == 0
    assert utvag.out == f"destination: {DESTINATION}  address: {ADDRESS}\n"
    # Göteborg typing Kiruna's code on stdin, as the old command read it: ignored.
    other = utvag.as_(u.HANDLER_GBG)
    assert other("during", "destination", number, stdin=f"{DESTINATION}\n") == 2
    assert other.err == "error: not found (no such case, or not yours to see)\n"
    assert DESTINATION not in other.out + other.err
