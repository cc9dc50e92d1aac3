"""docs/configuration.md is generated from the settings' field descriptions: the committed
page must be what `python -m adapters.settings_doc` writes now, and it names every setting
by the environment variable Utväg reads, without a secret's value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters import settings_doc
from adapters.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PAGE = settings_doc.PAGE
REGENERATE = ".venv/bin/python -m adapters.settings_doc"


def test_the_committed_page_is_the_generated_one() -> None:
    assert PAGE.read_text(encoding="utf-8") == settings_doc.markdown(), (
        f"docs/configuration.md is out of date with adapters/settings.py; regenerate it: "
        f"{REGENERATE}")


def test_every_setting_is_listed_under_the_variable_that_sets_it() -> None:
    page = settings_doc.markdown()
    for name, info in Settings.model_fields.items():
        assert f"| `{settings_doc.env_name(name, info)}` |" in page, name
    # The names are the ones Utväg reads: set two of them for a fresh process.
    env = {"PATH": os.environ.get("PATH", ""), "UTVAG_SWEEP_IN_FLIGHT": "7",
           "DATABASE_URL": "postgresql://u@127.0.0.1:5432/x"}
    shown = subprocess.run(
        [sys.executable, "-c", "from adapters.settings import Settings; s = Settings(); "
                               "print(s.sweep_in_flight, s.database_url)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert shown.stdout.split() == ["7", "postgresql+psycopg://u@127.0.0.1:5432/x"]
    assert "| `UTVAG_SWEEP_IN_FLIGHT` |" in page and "| `DATABASE_URL` |" in page


def test_a_secret_default_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "a-real-looking-master-key-0123456789"
    field = Settings.model_fields["encryption_key"]
    monkeypatch.setattr(field, "default", SecretStr(key))
    page = settings_doc.markdown()
    assert key not in page
    assert "| `UTVAG_ENCRYPTION_KEY` | SecretStr \\| None | (secret: not shown) |" in page


def test_a_setting_without_a_description_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Settings.model_fields["sis_url"], "description", None)
    with pytest.raises(ValueError, match="sis_url: no description"):
        settings_doc.markdown()
