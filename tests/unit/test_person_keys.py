"""Values sealed with a person's own data key: opened by the same `decrypt` and
`decrypt_many` as master-key values, and by nothing once the person's key is destroyed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import pytest

from models.crypto import Cipher, DecryptionError, generate_master_key


class Keys:
    def __init__(self) -> None:
        self.stored: dict[uuid.UUID, bytes | None] = {}

    def wrapped(self, person_ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, bytes | None]:
        return {p: self.stored.get(p) for p in person_ids}


def test_sealed_values_open_alone_and_mixed_in_bulk_until_the_key_is_destroyed() -> None:
    keys = Keys()
    cipher = Cipher(generate_master_key(), person_keys=keys)
    anna, bo = uuid.uuid4(), uuid.uuid4()
    for person in (anna, bo):
        key, keys.stored[person] = cipher.new_person_key()
        if person == anna:
            anna_token = cipher.seal(anna, key, "Anna")
        else:
            bo_token = cipher.seal(bo, key, "Bo")
    master = cipher.encrypt("Cecilia")
    assert b"Anna" not in anna_token
    assert cipher.decrypt(anna_token) == "Anna"
    assert cipher.decrypt_many([bo_token, master, anna_token]) == ["Bo", "Cecilia", "Anna"]
    keys.stored[anna] = None  # culled
    with pytest.raises(DecryptionError, match="destroyed"):
        cipher.decrypt(anna_token)
    with pytest.raises(DecryptionError):
        cipher.decrypt_many([bo_token, anna_token])
    assert cipher.decrypt(bo_token) == "Bo"


def test_a_person_key_opens_nothing_under_another_master_key() -> None:
    keys = Keys()
    cipher = Cipher(generate_master_key(), person_keys=keys)
    person = uuid.uuid4()
    key, keys.stored[person] = cipher.new_person_key()
    token = cipher.seal(person, key, "Anna")
    with pytest.raises(DecryptionError):
        Cipher(generate_master_key(), person_keys=keys).decrypt(token)
