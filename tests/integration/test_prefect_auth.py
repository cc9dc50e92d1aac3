"""`make run` (`utvag run`) starts Prefect with its API behind a credential: made once in
`<data dir>/prefect-auth` (0600), reused, handed to every client the stack starts. That a
running Prefect so started refuses an unauthenticated call (401) and that its UI asks
for the credential is tested on the e2e stack (tests/e2e/test_prefect_credential.py),
which starts Prefect the same way: no server of its own here."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from adapters.prefect_auth import auth_file, read_auth_string
from adapters.settings import Settings
from utvag_cli.demo import demo_stack
from utvag_cli.stack import Stack, free_port


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Stack:
    from tests.conftest import make_settings

    settings = make_settings(database_url, data_dir=tmp_path_factory.mktemp("auth"))
    prepared = demo_stack(settings, prefect_port=free_port(), answer_delay=1.0)
    prepared.prepare(settings)
    return prepared


def test_the_credential_is_private_and_reused(stack: Stack) -> None:
    path = auth_file(stack.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stack.auth_string == read_auth_string(path)
    assert stack.auth_string and stack.auth_string.startswith("utvag-operator:")
    settings = Settings(data_dir=stack.data_dir)
    again = demo_stack(settings, prefect_port=free_port(), answer_delay=1.0)
    assert again.auth_string == stack.auth_string  # `utvag run` again: the same one
    # Every client the stack starts gets it; the server requires it.
    assert stack.env["PREFECT_API_AUTH_STRING"] == stack.auth_string
    assert stack.env["PREFECT_SERVER_API_AUTH_STRING"] == stack.auth_string


def test_a_credential_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = auth_file(tmp_path)
    path.write_text("someone:guessable\n", encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        read_auth_string(path)
