"""The database engine hides bound parameters in its errors (adapters/db.py): a failed
write's error text, in a log or a traceback, carries no value of the row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from adapters.db import Database
from services.runtime import Runtime

SECRET = "Tolvan Tolvansson 199001011234"
INSERT = sa.text("INSERT INTO installation (key, value, set_at) VALUES (:k, :v, now())")


def _duplicate_insert_error(engine: sa.Engine) -> str:
    with pytest.raises(IntegrityError) as caught, engine.connect() as conn:
        conn.execute(INSERT, {"k": "utvag-test", "v": "first"})
        conn.execute(INSERT, {"k": "utvag-test", "v": SECRET})
    return str(caught.value)


def test_an_integrity_error_shows_no_parameter_values(rt: Runtime, database_url: str) -> None:
    text = _duplicate_insert_error(rt.db.engine)
    assert "duplicate key" in text and "parameters hidden" in text
    assert "Tolvan" not in text and "199001011234" not in text
    # An engine without the setting would show them (the test can fail).
    plain = sa.create_engine(Database(database_url).url)
    try:
        assert "Tolvan" in _duplicate_insert_error(plain)
    finally:
        plain.dispose()
