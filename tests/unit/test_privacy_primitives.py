"""Encryption at rest and the log redactor, the second line of defence."""

from __future__ import annotations

import json
import logging

import pytest

from adapters.logs import configure_logging, get_logger, scrub
from models.crypto import Cipher, DecryptionError, generate_master_key


def test_encryption_round_trips_and_hides_the_value() -> None:
    cipher = Cipher(generate_master_key())
    token = cipher.encrypt("191212121212")
    assert b"191212121212" not in token
    assert cipher.decrypt(token) == "191212121212"


def test_another_key_cannot_read_the_data() -> None:
    token = Cipher(generate_master_key()).encrypt("Tolvan")
    with pytest.raises(DecryptionError):
        Cipher(generate_master_key()).decrypt(token)


def test_the_lookup_hash_is_stable_per_key_and_differs_between_keys() -> None:
    key = generate_master_key()
    assert Cipher(key).lookup_hash("191212121212") == Cipher(key).lookup_hash("191212121212")
    assert Cipher(key).lookup_hash("1") != Cipher(generate_master_key()).lookup_hash("1")


@pytest.mark.parametrize("shape", ["19121212-1212", "191212121212", "121212-1212",
                                   "121212+1212", "1212121212"])
def test_identity_number_shapes_are_masked(shape: str) -> None:
    assert shape not in scrub(f"person {shape} said")


def test_a_careless_log_line_reaches_no_handler_with_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging()
    with caplog.at_level(logging.INFO, logger="utvag"):
        get_logger(case_number="UTV-2026-000001").info(
            "oops", name="Tolvan Tolvansson", note="pnr 19121212-1212", address="Storgatan 1")
    line = caplog.records[-1].getMessage()
    assert "Tolvan" not in line and "1212-1212" not in line and "Storgatan" not in line
    assert json.loads(line)["case_number"] == "UTV-2026-000001"
