"""Verifying OpenID Connect access tokens: the port the case service depends on.

`Verifier.verify(token)` returns the token's verified claims or raises `InvalidToken`
(expired, forged, wrong issuer or audience, unknown key...). The implementation
against a provider found by discovery lives beside this port.
"""

from __future__ import annotations

from typing import Any, Protocol


class InvalidToken(Exception):
    """The token is not one the service accepts; the message is for logs, never echoed."""


class Verifier(Protocol):
    def verify(self, token: str) -> dict[str, Any]: ...
