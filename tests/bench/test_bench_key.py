"""The benchmarks start their runtimes with bench/key.py's key: the format every process
checks must accept it (it once refused the old one and every benchmark stopped)."""

from bench.key import BENCH_KEY
from models.crypto import Cipher, validate_master_key


def test_the_benchmarks_key_is_accepted_and_seals() -> None:
    validate_master_key(BENCH_KEY)
    cipher = Cipher(BENCH_KEY.encode())
    assert cipher.decrypt(cipher.encrypt("Tolvan Tolvansson")) == "Tolvan Tolvansson"
