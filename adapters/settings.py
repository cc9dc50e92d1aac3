"""The one place that reads the environment.

Everything else asks `get_settings()`; tests build a `Settings` and hand it in.
Secrets are `SecretStr` so they never show up in a repr or a log line.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDERS = {"changeme", "change-me", "secret", "placeholder", ""}


def normalise_database_url(url: str) -> str:
    """SQLAlchemy wants the psycopg 3 driver named; accept the plain forms people paste."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="UTVAG_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias="DATABASE_URL", description="None: embedded PostgreSQL"
    )
    database_role: str | None = Field(
        default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="A role every connection takes (SET ROLE) before any query: utvag_app "
        "for the case service, utvag_worker for the Prefect workers, when DATABASE_URL logs "
        "in as a member of it (the embedded server's superuser, the tests). None: the "
        "login's own role (production logs in as utvag_app / utvag_worker itself); "
        "migrations always run as the login. See docs/database-roles.md.")
    data_dir: Path = Path(".data")
    key_file: Path | None = None
    encryption_key: SecretStr | None = None
    police_url: str = "http://127.0.0.1:8101"
    social_services_url: str = "http://127.0.0.1:8102"
    kriminalvarden_url: str = "http://127.0.0.1:8103"
    arbetsformedlingen_url: str = "http://127.0.0.1:8104"
    health_care_url: str = "http://127.0.0.1:8105"
    sis_url: str = "http://127.0.0.1:8106"
    police_grants_url: str = "http://127.0.0.1:8107"
    criminal_records_url: str = "http://127.0.0.1:8108"
    suspicions_url: str = "http://127.0.0.1:8109"
    tax_agency_url: str = "http://127.0.0.1:8110"
    sweep_every_hours: float = 24.0
    sweep_batch_size: int = Field(default=25_000, ge=1, le=1_000_000)
    sweep_request_size: int = Field(default=500, ge=1, le=500)
    sweep_in_flight: int = Field(default=4, ge=1, le=32)
    register_concurrency: int = Field(default=8, ge=1, le=64)
    relapse_assessment_deadline_days: int = 14
    prefect_api_url: str = "http://127.0.0.1:4200/api"
    http_read_timeout: float = 5.0
    agency_retry_delays: list[float] = Field(default_factory=lambda: [1.0, 2.0, 4.0, 8.0])
    wait_deadline_days: int = 14
    agency_answer_deadline_days: int = 30
    # Where `utvag report` and the grant-account deployment write PDF/HTML/CSV
    # (None: <data_dir>/reports).
    reports_dir: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _normalise(cls, value: str | None) -> str | None:
        return normalise_database_url(value) if value else None

    @field_validator("encryption_key")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in _PLACEHOLDERS:
            raise ValueError("encryption_key: a placeholder is not a key")
        return value

    @property
    def resolved_reports_dir(self) -> Path:
        return self.reports_dir or self.data_dir / "reports"

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file or self.data_dir / "utvag.key"

    def master_key(self) -> bytes:
        """The encryption master key: from the environment, else from the key file."""
        if self.encryption_key is not None:
            return self.encryption_key.get_secret_value().encode()
        path = self.resolved_key_file
        if not path.exists():
            raise RuntimeError(
                f"encryption key: no UTVAG_ENCRYPTION_KEY and no key file at {path}; "
                "run `utvag init` (make run does) to create one"
            )
        return path.read_bytes().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def apply_prefect_defaults() -> None:
    """Point Prefect at the configured server unless PREFECT_API_URL says otherwise."""
    settings = get_settings()
    os.environ.setdefault("PREFECT_API_URL", settings.prefect_api_url)
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "utvag")
    # Outside a flow run (the CLI) our log lines stay local, without a warning each.
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
