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
import uuid
from collections.abc import Mapping, Sequence
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher as _BlockCipher
from cryptography.hazmat.primitives.ciphers import algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class DecryptionError(RuntimeError):
    """The stored value cannot be read with this key (wrong key or tampered data)."""


class KeyRefused(ValueError):
    """The master key (or its file) is not acceptable; the message says why, never the key."""


KEY_BYTES = 32
# Words people put where a key belongs; compared case-insensitively after stripping.
_PLACEHOLDERS = {"changeme", "change-me", "change_me", "secret", "placeholder", "password",
                 "key", "test", "example", "xxx", "todo"}
# 32 random bytes hold ~30 distinct values on average; fewer than 16 is a pattern.
_MIN_DISTINCT_BYTES = 16


def generate_master_key() -> bytes:
    """A new master key: 32 bytes from the OS's random source, URL-safe base64 (44
    characters, the Fernet key form)."""
    return Fernet.generate_key()


def validate_master_key(text: str | bytes) -> bytes:
    """The master key as given (stripped), when it is 32 random bytes written in base64
    (standard or URL-safe) or as 64 hex digits; else `KeyRefused`.

    "Random" is checked as far as one value allows: a placeholder word, fewer than 16
    distinct bytes (a repeated pattern), or bytes that are all printable ASCII (the base64
    of a pass phrase, not of random bytes: 32 random bytes are that with probability
    ~1e-14) are refused. The key material stays the text itself (what `Cipher` derives
    from), so keys that were valid before keep opening their data."""
    raw = text.encode() if isinstance(text, str) else bytes(text)
    raw = raw.strip()
    if raw.decode(errors="replace").lower() in _PLACEHOLDERS or not raw:
        raise KeyRefused("encryption key: a placeholder is not a key")
    decoded = _decode_key(raw)
    if decoded is None or len(decoded) != KEY_BYTES:
        raise KeyRefused("encryption key: must be 32 random bytes written as base64 (44 "
                         "characters, e.g. from `utvag init`) or as 64 hex digits")
    if len(set(decoded)) < _MIN_DISTINCT_BYTES or all(32 <= b < 127 for b in decoded):
        raise KeyRefused("encryption key: not random (a pattern or text encoded as a key); "
                         "generate one with `utvag init` or `openssl rand -base64 32`")
    return raw


def _decode_key(raw: bytes) -> bytes | None:
    if len(raw) == 2 * KEY_BYTES and all(c in b"0123456789abcdefABCDEF" for c in raw):
        return bytes.fromhex(raw.decode())
    for decode in (base64.urlsafe_b64decode, base64.standard_b64decode):
        try:
            return decode(raw + b"=" * (-len(raw) % 4))
        except (ValueError, TypeError):
            continue
    return None


def key_fingerprint(master_key: bytes) -> str:
    """A one-way fingerprint of the master key (hex, 64 characters), stored in the database
    so that a process with another key refuses to start. Derived with its own HKDF purpose:
    it tells nothing about the encryption or the look-up key."""
    return _derive(master_key.strip(), b"utvag-fingerprint-v1").hex()


def key_id_of(fingerprint: str) -> str:
    """The short name of a key shown to operators and stored beside data it protects."""
    return "k-" + fingerprint[:12]


# A value sealed with a person's own data key: b"p1." + the person's id (32 hex) + b"." +
# a Fernet token under that key. Destroying the person's (wrapped) key makes every such
# value unreadable wherever a copy of it lies (crypto-shredding, docs/data-over-time.md).
PERSON_TOKEN = b"p1."
_PERSON_HEADER = len(PERSON_TOKEN) + 32 + 1


class PersonKeys(Protocol):
    """Where the persons' wrapped data keys are kept (`person_key`, services.person_keys)."""

    def wrapped(self, person_ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, bytes | None]:
        """Each person's data key wrapped by the master key; None or absent: destroyed."""
        ...


def is_person_token(token: bytes) -> bool:
    return bytes(token[:len(PERSON_TOKEN)]) == PERSON_TOKEN


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class Cipher:
    """The master key's cipher; with `person_keys`, also the persons' own data keys."""

    def __init__(self, master_key: bytes, *, person_keys: PersonKeys | None = None) -> None:
        if len(master_key) < 32:
            raise ValueError("encryption key: too short (need a Fernet key, 32 bytes base64)")
        key = _derive(master_key, b"utvag-encrypt-v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        # Fernet's halves: signing key, encryption key. The keyed HMAC state is built
        # once and copied per token (hmac.digest re-keys every call: ~3x slower).
        self._signing = hmac.new(key[:16], digestmod=hashlib.sha256)
        self._encryption_key = key[16:]
        self._hash_key = _derive(master_key, b"utvag-lookup-v1")
        self.fingerprint = key_fingerprint(master_key)
        self.key_id = key_id_of(self.fingerprint)
        self.person_keys = person_keys

    # -- persons' data keys (envelope encryption) --------------------------------------

    def new_person_key(self) -> tuple[bytes, bytes]:
        """A fresh data key for one person: (the key, the key wrapped by the master key)."""
        key = Fernet.generate_key()
        return key, self._fernet.encrypt(key)

    def unwrap(self, wrapped: bytes) -> bytes:
        return self.decrypt(wrapped).encode()

    def seal(self, person_id: uuid.UUID, person_key: bytes, plaintext: str) -> bytes:
        """`plaintext` under the person's own key (`person_key` unwrapped)."""
        return PERSON_TOKEN + person_id.hex.encode() + b"." + \
            Fernet(person_key).encrypt(plaintext.encode())

    def _person_decrypt(self, tokens: Sequence[bytes]) -> list[str]:
        ids = [uuid.UUID(bytes(t[len(PERSON_TOKEN):_PERSON_HEADER - 1]).decode())
               for t in tokens]
        wanted = sorted(set(ids))
        wrapped = self.person_keys.wrapped(wanted) if self.person_keys else {}
        if any(wrapped.get(p) is None for p in wanted):
            raise DecryptionError("stored personal data cannot be decrypted: the person's "
                                  "data key is destroyed (culled) or missing")
        # Every key unwrapped in one bulk pass (the register sweep opens 25,000 at a time).
        unwrapped = self.decrypt_many([w for p in wanted if (w := wrapped.get(p)) is not None])
        keys = {p: Fernet(k.encode()) for p, k in zip(wanted, unwrapped, strict=True)}
        out = []
        for person_id, token in zip(ids, tokens, strict=True):
            try:
                out.append(keys[person_id].decrypt(bytes(token[_PERSON_HEADER:])).decode())
            except InvalidToken as exc:
                raise DecryptionError("stored personal data cannot be decrypted with this "
                                      "person's key") from exc
        return out

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        if is_person_token(token):
            return self._person_decrypt([token])[0]
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored personal data cannot be decrypted with this key") from exc

    def decrypt_many(self, tokens: Sequence[bytes]) -> list[str]:
        """``decrypt`` of many tokens at once, for bulk work (the register sweep).

        The same Fernet tokens and the same checks, in the order the Fernet spec gives:
        version byte, then the HMAC-SHA256 of every token verified (constant-time) before
        anything is decrypted, then AES-128-CBC and strict PKCS#7 unpadding. Why not
        ``Fernet.decrypt`` in a loop: that builds a cipher context, an HMAC and an
        unpadder per token (~30 µs); here all tokens' ``IV || ciphertext`` are decrypted
        by ONE CBC pass. In CBC each plaintext block is D(C_i) XOR C_(i-1), so with the
        tokens laid end to end every token's first block is XORed with its own IV, the
        block before it; the blocks decrypted from the IVs themselves are dropped.
        Tested to agree with ``Fernet.decrypt`` and to refuse what it refuses.
        """
        if any(is_person_token(t) for t in tokens):
            # Sealed with persons' own keys: the keys fetched in one look-up, then per token.
            sealed = [i for i, t in enumerate(tokens) if is_person_token(t)]
            opened = dict(zip(sealed, self._person_decrypt([tokens[i] for i in sealed]),
                              strict=True))
            rest = [i for i in range(len(tokens)) if i not in opened]
            opened.update(zip(rest, self.decrypt_many([tokens[i] for i in rest]), strict=True))
            return [opened[i] for i in range(len(tokens))]
        spans: list[tuple[int, int]] = []
        stream = bytearray(16)  # a block in front of the first IV, decrypted and dropped
        for token in tokens:
            try:
                data = base64.urlsafe_b64decode(bytes(token))
            except (TypeError, ValueError):
                raise DecryptionError("stored personal data cannot be decrypted with this "
                                      "key") from None
            body = len(data) - 57  # version 1, timestamp 8, IV 16, HMAC 32
            mac = self._signing.copy()
            mac.update(data[:-32])
            if body < 16 or body % 16 or data[0] != 0x80 or not hmac.compare_digest(
                    mac.digest(), data[-32:]):
                raise DecryptionError("stored personal data cannot be decrypted with this key")
            spans.append((len(stream) + 16, body))
            stream += data[9:-32]
        decryptor = _BlockCipher(algorithms.AES(self._encryption_key),
                                 modes.CBC(bytes(16))).decryptor()
        plain = decryptor.update(bytes(stream)) + decryptor.finalize()
        out: list[str] = []
        for start, length in spans:
            padded = plain[start:start + length]
            pad = padded[-1]
            if not 1 <= pad <= 16 or padded[-pad:] != bytes([pad]) * pad:
                raise DecryptionError("stored personal data cannot be decrypted with this key")
            out.append(padded[:-pad].decode())
        return out

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()
