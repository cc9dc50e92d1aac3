"""The case service's runtime (`utvag serve`): the process's settings, its database as
the role `utvag_app` (docs/database-roles.md), so that every request runs under
row-level security keyed on the principal it binds.

`database_role` unset: the service still takes `utvag_app` (`SET ROLE`), whether it logs
in as the role itself (production) or as a member of it (the embedded server's
superuser); any other role is refused: the service never runs as the owner or the
workers' role."""

from __future__ import annotations

from adapters.db import database_for
from adapters.settings import Settings
from services.runtime import Runtime

APP_ROLE = "utvag_app"


class WrongRole(ValueError):
    """`database_role: ...`: the service was configured with another role."""


def service_settings(settings: Settings) -> Settings:
    if settings.database_role not in (None, APP_ROLE):
        raise WrongRole(f"database_role: the case service runs as {APP_ROLE}, "
                        f"not {settings.database_role}")
    return settings.model_copy(update={"database_role": APP_ROLE})


def as_service(rt: Runtime) -> Runtime:
    """`rt` as the service runs it: the same settings, clock and key, the database as
    utvag_app (`create_app` applies it, so no caller runs the service as the owner)."""
    if rt.db.role == APP_ROLE:
        return rt
    settings = service_settings(rt.settings)
    return rt.on(database_for(settings), settings=settings)


def service_runtime(settings: Settings) -> Runtime:
    """A runtime of its own (the CLI's is the owner's), on the process's engine for the
    URL and the role."""
    app = service_settings(settings)
    return Runtime(settings=app, db=database_for(app))
