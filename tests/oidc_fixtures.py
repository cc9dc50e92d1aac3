"""The embedded OpenID Connect provider for tests: started once per session.

Registered in tests/conftest.py (`pytest_plugins`). Tests sign in with
`tests.oidc_login.token_for(oidc_provider, "<demo user>")` and check tokens with
`oidc_verifier` (a `TokenVerifier` on the real clock) or their own verifier on a
fake clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.oidc import TokenVerifier
from adapters.oidc_provider import EmbeddedProvider

CONSOLE_REDIRECT = "http://127.0.0.1:8000/auth/callback"
CONSOLE_POST_LOGOUT = "http://127.0.0.1:8000/"
AUDIENCE = "utvag-case-service"


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedProvider]:
    """A real provider on 127.0.0.1 (its own keys, made at start; demo users)."""
    directory: Path = tmp_path_factory.mktemp("oidc")
    provider = EmbeddedProvider(keys_file=directory / "oidc-keys.json",
                                console_redirects=[CONSOLE_REDIRECT],
                                console_post_logout=[CONSOLE_POST_LOGOUT])
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def oidc_verifier(oidc_provider: EmbeddedProvider) -> TokenVerifier:
    """Checks tokens from the session's provider, as the case service does."""
    return TokenVerifier(oidc_provider.issuer, AUDIENCE)
