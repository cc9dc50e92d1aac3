"""The demo users of the embedded OpenID Connect provider (`oidc/users.json`), as
`utvag run` prints them and as it picks the demo case's coordinator.

Only the demo reads this file: the provider signs these people in; the case service
knows them only from the provider's tokens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from adapters.oidc_provider import DEFAULT_USERS
from models.principal import Principal, Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    organisation: str
    roles: tuple[str, ...]
    subject: str

    def principal(self) -> Principal:
        """The principal the service builds from this user's token (the same claims as
        `oidc/server.mjs` puts in it)."""
        return Principal.from_claims({
            "sub": self.subject, "preferred_username": self.username, "name": self.name,
            "utvag_org": self.organisation, "utvag_roles": list(self.roles)})


def demo_users(path: Path = DEFAULT_USERS) -> list[DemoUser]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [DemoUser(username=row["username"], name=row["name"], organisation=row["org"],
                     roles=tuple(row["roles"]), subject=row["sub"]) for row in rows]


def coordinator_of(municipality: str, users: list[DemoUser]) -> DemoUser:
    """The demo coordinator of a municipality (its 4-digit code)."""
    for user in users:
        if user.organisation == f"municipality:{municipality}" and \
                Role.COORDINATOR.value in user.roles:
            return user
    raise LookupError(f"no demo coordinator of municipality {municipality} in oidc/users.json")


def user_lines(users: list[DemoUser]) -> list[str]:
    """One aligned line per user: username, role(s), organisation."""
    width = max(len(u.username) for u in users)
    role_width = max(len(", ".join(u.roles)) for u in users)
    return [f"{u.username:<{width}}  {', '.join(u.roles):<{role_width}}  {u.organisation}"
            for u in users]
