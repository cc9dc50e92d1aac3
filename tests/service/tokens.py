"""A fake of the token verifier port (`adapters.oidc.Verifier`) for the case service's
tests: it checks JWTs that the tests sign with their own RSA key (joserfc), with the
issuer, audience and expiry a real provider's tokens carry. The service under test
never mints tokens; the tests do, as the provider would."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from adapters.oidc import InvalidToken

ISSUER = "https://idp.test.invalid"
AUDIENCE = "utvag-case-service"
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-1"})


class TestVerifier:
    """Verifies signature (our key), `iss`, `aud`, `exp`/`nbf`."""

    __test__ = False

    def __init__(self, key: RSAKey = KEY) -> None:
        self.key = key

    def verify(self, token: str) -> dict[str, Any]:
        try:
            decoded = jwt.decode(token, self.key, algorithms=["RS256"])
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISSUER},
                                  aud={"essential": True, "value": AUDIENCE},
                                  exp={"essential": True}).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise InvalidToken(type(exc).__name__) from None
        return dict(decoded.claims)


def sign(claims: dict[str, Any], *, key: RSAKey = KEY) -> str:
    return jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, key)


@dataclass(frozen=True)
class User:
    staff_id: str
    organisation: str
    roles: tuple[str, ...]

    @property
    def subject(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.organisation}/{self.staff_id}"))

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": ISSUER, "aud": AUDIENCE, "sub": self.subject, "iat": now,
                "nbf": now - 5, "exp": now + 3600, "preferred_username": self.staff_id,
                "name": self.staff_id.replace("-", " ").title(), "utvag_org": self.organisation,
                "utvag_roles": list(self.roles), **overrides}

    def token(self, **overrides: Any) -> str:
        return sign(self.claims(**overrides))

    def headers(self, **overrides: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**overrides)}"}


COORDINATOR_STHLM = User("coord-sthlm", "municipality:0180", ("coordinator",))
HANDLER_STHLM = User("handler-sthlm", "municipality:0180", ("social_handler",))
COORDINATOR_KIRUNA = User("coord-kiruna", "municipality:2584", ("coordinator",))
COORDINATOR_GBG = User("coord-gbg", "municipality:1480", ("coordinator",))
HANDLER_GBG = User("handler-gbg", "municipality:1480", ("social_handler",))
POLICE_ASSIGNED = User("police-li", "police:region-stockholm", ("police_contact",))
POLICE_OTHER = User("police-ola", "police:region-vast", ("police_regional",))
GRANTS = User("grants-nils", "police:national", ("grants_officer",))
PROBATION = User("kvv-karin", "agency:kriminalvarden", ("agency_staff",))
EMPLOYMENT = User("af-ali", "agency:arbetsformedlingen", ("agency_staff",))
OPERATOR = User("ops-olle", "operations", ("operator",))
AUDITOR = User("audit-alma", "audit", ("auditor",))
