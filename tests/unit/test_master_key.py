"""The master key must be 32 random bytes (base64 or hex) and its file private."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from adapters.settings import Settings
from adapters.vault import read_key_file, write_key_file
from models.crypto import Cipher, KeyRefused, generate_master_key, validate_master_key


def test_a_generated_key_and_the_same_bytes_in_hex_are_accepted() -> None:
    key = generate_master_key()
    assert validate_master_key(key) == key
    assert validate_master_key(os.urandom(32).hex())
    assert validate_master_key(base64.b64encode(os.urandom(32)).decode().rstrip("="))


@pytest.mark.parametrize("bad", [
    "changeme", "secret", "a" * 32, "0123456789abcdef0123456789abcdef",
    base64.b64encode(b"test-only-key-not-for-production").decode(),  # text, not random
    base64.b64encode(bytes(32)).decode(),  # zeros
    base64.b64encode(bytes(range(8)) * 4).decode(),  # a pattern
    "0" * 64,
    # Too short: 16 random bytes, fixed (every xdist worker must collect the same ids).
    base64.b64encode(bytes.fromhex("8f3a5c0e9b7d12f4a6c8e0b2d4f61379")).decode(),
])
def test_placeholders_text_patterns_and_short_keys_are_refused(bad: str) -> None:
    with pytest.raises(KeyRefused) as refused:
        validate_master_key(bad)
    assert str(refused.value).startswith("encryption key: ")
    assert bad not in str(refused.value)


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utvag.key"
    write_key_file(path, generate_master_key())
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert read_key_file(path)
    path.chmod(0o640)
    with pytest.raises(KeyRefused, match="readable by others"):
        read_key_file(path)
    with pytest.raises(KeyRefused, match="readable by others"):
        Settings(key_file=path, data_dir=tmp_path).master_key()


def test_a_weak_key_in_the_environment_is_refused_when_loaded(tmp_path: Path) -> None:
    settings = Settings(encryption_key="x" * 44, data_dir=tmp_path)
    with pytest.raises(KeyRefused, match="32 random bytes|not random"):
        settings.master_key()


def test_a_key_has_a_stable_id_and_fingerprint_that_differ_between_keys() -> None:
    key = generate_master_key()
    assert Cipher(key).fingerprint == Cipher(key).fingerprint
    assert Cipher(key).key_id.startswith("k-")
    assert Cipher(key).fingerprint != Cipher(generate_master_key()).fingerprint
    assert key.decode() not in Cipher(key).fingerprint
