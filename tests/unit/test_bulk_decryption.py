"""``Cipher.decrypt_many``: the sweep's bulk decryption agrees with Fernet's own
``decrypt`` on every token and refuses whatever Fernet refuses."""

from __future__ import annotations

import base64

import pytest

from models.crypto import Cipher, DecryptionError, generate_master_key

PLAINTEXTS = ["", "1", "191212121212", "x" * 15, "x" * 16, "x" * 17, "åäö" * 20,
              "199001011234"]


def test_bulk_decryption_agrees_with_fernet_for_every_length() -> None:
    cipher = Cipher(generate_master_key())
    tokens = [cipher.encrypt(p) for p in PLAINTEXTS * 3]
    assert cipher.decrypt_many(tokens) == [cipher.decrypt(t) for t in tokens]
    assert cipher.decrypt_many(tokens) == PLAINTEXTS * 3
    assert cipher.decrypt_many([]) == []


def test_bulk_decryption_accepts_what_the_database_returns() -> None:
    cipher = Cipher(generate_master_key())
    assert cipher.decrypt_many([memoryview(cipher.encrypt("191212121212"))]) == [
        "191212121212"]


def _tampered(token: bytes, at: int) -> bytes:
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[at] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw))


@pytest.mark.parametrize("at", [0, 1, 9, 25, 40, -1])
def test_a_flipped_bit_anywhere_is_refused_like_fernet_refuses_it(at: int) -> None:
    cipher = Cipher(generate_master_key())
    good = cipher.encrypt("191212121212")
    bad = _tampered(good, at)
    with pytest.raises(DecryptionError):
        cipher.decrypt(bad)
    with pytest.raises(DecryptionError):
        cipher.decrypt_many([good, bad])


@pytest.mark.parametrize("bad", [b"", b"not base64 !", b"gAAAAA==",
                                 base64.urlsafe_b64encode(b"\x80" + bytes(72))])
def test_garbage_and_short_tokens_are_refused(bad: bytes) -> None:
    with pytest.raises(DecryptionError):
        Cipher(generate_master_key()).decrypt_many([bad])


def test_another_key_cannot_read_the_data_in_bulk() -> None:
    token = Cipher(generate_master_key()).encrypt("191212121212")
    with pytest.raises(DecryptionError):
        Cipher(generate_master_key()).decrypt_many([token])
