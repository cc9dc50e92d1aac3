"""Encryption at rest for identity data, and the keyed hash used to find a person.

One master key (a Fernet key, kept outside the repository) is stretched with HKDF
into two independent keys: one encrypts, one keys the look-up hash. The look-up
hash lets us detect a returning person without ever storing the identity number
in clear, and without it being guessable from a table of all Swedish numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class DecryptionError(RuntimeError):
    """The stored value cannot be read with this key (wrong key or tampered data)."""


def generate_master_key() -> bytes:
    return Fernet.generate_key()


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class Cipher:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) < 32:
            raise ValueError("encryption key: too short (need a Fernet key, 32 bytes base64)")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(master_key, b"utvag-encrypt-v1")))
        self._hash_key = _derive(master_key, b"utvag-lookup-v1")

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored personal data cannot be decrypted with this key") from exc

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()
