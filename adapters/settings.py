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
    service_host: str = Field(default="127.0.0.1",
                              description="address `utvag serve` (the case service) binds to")
    service_port: int = Field(default=8000, ge=1, le=65535,
                              description="port of the case service (`utvag serve`)")
    break_glass_hours: float = Field(default=4.0, gt=0, le=72,
                                     description="how long a break-glass opening lasts")
    service_max_body_bytes: int = Field(default=64 * 1024, ge=1024,
                                        description="largest request body the case service "
                                                    "reads (413 beyond)")
    service_failure_limit: int = Field(default=20, ge=1,
                                       description="401/404 answers one client (address or "
                                                   "subject) may get per window before 429")
    service_failure_window_seconds: float = Field(default=60.0, gt=0,
                                                  description="the window of that limit")
    # Authentication (docs/authentication.md). The defaults are the embedded demo provider
    # that `make run` starts; production points these at the organisation's provider.
    oidc_issuer: str = Field(
        default="http://127.0.0.1:9400",
        description="the OpenID Connect provider's issuer URL, exactly as in its tokens' "
                    "`iss` (discovery at <issuer>/.well-known/openid-configuration)")
    oidc_audience: str = Field(
        default="utvag-case-service",
        description="the `aud` the case service requires in access tokens")
    oidc_cli_client_id: str = Field(
        default="utvag-cli",
        description="the public client `utvag login` signs in as (PKCE, loopback redirect, "
                    "device grant)")
    oidc_console_client_id: str = Field(
        default="utvag-console", description="the client the web console signs in as")
    token_file: Path | None = Field(
        default=None,
        description="where `utvag login` keeps the tokens (0600); None: "
                    "$XDG_CONFIG_HOME/utvag/tokens.json or ~/.config/utvag/tokens.json")

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
    def resolved_token_file(self) -> Path:
        if self.token_file is not None:
            return self.token_file
        config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return Path(config) / "utvag" / "tokens.json"

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
