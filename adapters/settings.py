"""The one place that reads the environment.

Everything else asks `get_settings()`; tests build a `Settings` and hand it in.
Secrets are `SecretStr` so they never show up in a repr or a log line.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import SettingsConfigDict

from adapters.agency_transport import AgencyTransportSettings

_PLACEHOLDERS = {"changeme", "change-me", "secret", "placeholder", ""}


def normalise_database_url(url: str) -> str:
    """SQLAlchemy wants the psycopg 3 driver named; accept the plain forms people paste."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(AgencyTransportSettings):
    """Every setting; the per-agency TLS files come from ``AgencyTransportSettings``."""

    model_config = SettingsConfigDict(env_prefix="UTVAG_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias="DATABASE_URL",
        description="Utväg's PostgreSQL database (`postgresql://user:password@host:port/db`; "
                    "`postgres://` and `postgresql+psycopg2://` are accepted too). Unset: an "
                    "embedded PostgreSQL under `<data dir>/pg`.")
    database_role: str | None = Field(
        default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="A role every connection takes (SET ROLE) before any query: utvag_app "
        "for the case service, utvag_worker for the Prefect workers, when DATABASE_URL logs "
        "in as a member of it (the embedded server's superuser, the tests). None: the "
        "login's own role (production logs in as utvag_app / utvag_worker itself); "
        "migrations always run as the login. See docs/database-roles.md.")
    data_dir: Path = Field(
        default=Path(".data"),
        description="Local state: the embedded PostgreSQL, the key file, logs, reports and "
                    "the local stack's Prefect home and simulator state.")
    key_file: Path | None = Field(
        default=None,
        description="The encryption master key's file (mode 0600; `utvag init` creates one), "
                    "read when `UTVAG_ENCRYPTION_KEY` is not set. Unset: "
                    "`<data dir>/utvag.key`.")
    encryption_key: SecretStr | None = Field(
        default=None,
        description="The encryption master key for personal data at rest; takes precedence "
                    "over the key file. A placeholder (`changeme`, `secret`, ...) is refused. "
                    "Never in Prefect, the repository or a backup that leaves the machine.")
    police_url: str = Field(
        default="http://127.0.0.1:8101",
        description="The police API (threat assessment).")
    social_services_url: str = Field(
        default="http://127.0.0.1:8102",
        description="The social services API (decision on support, relapse notifications).")
    kriminalvarden_url: str = Field(
        default="http://127.0.0.1:8103",
        description="Kriminalvården's API (meeting invitations, hand-over to Frivården).")
    arbetsformedlingen_url: str = Field(
        default="http://127.0.0.1:8104",
        description="Arbetsförmedlingen's API (meeting invitations, hand-over).")
    health_care_url: str = Field(
        default="http://127.0.0.1:8105",
        description="Health care's API (meeting invitations).")
    sis_url: str = Field(
        default="http://127.0.0.1:8106",
        description="SiS's API (meeting invitations).")
    police_grants_url: str = Field(
        default="http://127.0.0.1:8107",
        description="The police grants service (state grant applications).")
    criminal_records_url: str = Field(
        default="http://127.0.0.1:8108",
        description="The criminal-records register (*belastningsregistret*), for sweeps.")
    suspicions_url: str = Field(
        default="http://127.0.0.1:8109",
        description="The suspicion register (*misstankeregistret*), for sweeps.")
    tax_agency_url: str = Field(
        default="http://127.0.0.1:8110",
        description="The Tax Agency's API (protected personal data).")
    coordinator_webhook_url: str | None = Field(
        default=None,
        description="Where notices for a municipality's coordinators are posted (a relapse "
                    "flagged: case number and flag id only); unset: kept in the outbox.")
    sweep_every_hours: float = Field(
        default=24.0,
        description="Interval of the `register-sweep` deployment (read by `utvag deploy`).")
    sweep_batch_size: int = Field(
        default=25_000, ge=1, le=1_000_000,
        description="Ongoing cases per `check-batch` task of a register sweep.")
    sweep_request_size: int = Field(
        default=500, ge=1, le=500,
        description="Subjects per register look-up request.")
    sweep_in_flight: int = Field(
        default=4, ge=1, le=32,
        description="Look-up requests a sweep keeps in flight per register (at most "
                    "`UTVAG_REGISTER_CONCURRENCY`).")
    register_concurrency: int = Field(
        default=8, ge=1, le=64,
        description="Size of the Prefect global concurrency limits "
                    "`register:criminal_records` and `register:suspicions`: look-ups in "
                    "flight per register across all sweeps.")
    relapse_assessment_deadline_days: int = Field(
        default=14,
        description="Days social services have to assess a relapse flag before its wait "
                    "is overdue.")
    prefect_api_url: str = Field(
        default="http://127.0.0.1:4200/api",
        description="The Prefect API, when `PREFECT_API_URL` is not set.")
    http_read_timeout: float = Field(
        default=5.0,
        description="Read timeout of an agency call, in seconds.")
    agency_retry_delays: list[float] = Field(
        default_factory=lambda: [1.0, 2.0, 4.0, 8.0],
        description="Seconds before each retry of an agency call that failed with a "
                    "timeout, a connection error, 429 or 5xx (JSON, e.g. `[1, 2, 4, 8]`: "
                    "four retries).")
    wait_deadline_days: int = Field(
        default=14,
        description="Days until any other wait (a person's answer: a criterion, a "
                    "consent, a plan, a decision) is overdue, unless it has its own deadline.")
    agency_answer_deadline_days: int = Field(
        default=30,
        description="Days until a wait for an agency's answer is overdue.")
    reports_dir: Path | None = Field(
        default=None,
        description="Where `utvag report` and the `grant-account` deployment write PDF, "
                    "HTML and CSV. Unset: `<data dir>/reports`.")
    service_host: str = Field(
        default="127.0.0.1",
        description="The address the case service (`utvag serve`) binds to.")
    service_port: int = Field(
        default=8000, ge=1, le=65535,
        description="The case service's port (`utvag serve`).")
    service_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The case service the `utvag` command line talks to (https unless it "
                    "is on this machine); a person's machine needs only this and a login.")
    break_glass_hours: float = Field(
        default=4.0, gt=0, le=72,
        description="How long a break-glass opening of a case lasts, in hours.")
    service_max_body_bytes: int = Field(
        default=64 * 1024, ge=1024,
        description="The largest request body the case service reads (413 beyond).")
    service_failure_limit: int = Field(
        default=20, ge=1,
        description="401 and 404 answers one client (by address, and by token subject) may "
                    "get within the window before the case service answers 429.")
    service_failure_window_seconds: float = Field(
        default=60.0, gt=0,
        description="The window of that limit, in seconds.")
    oidc_issuer: str = Field(
        default="http://127.0.0.1:9400",
        description="The OpenID Connect provider's issuer URL, exactly as its tokens carry "
                    "it in `iss` (discovery at `<issuer>/.well-known/openid-configuration`). "
                    "The default is the demo provider `make run` starts on loopback; "
                    "production names the organisation's (Keycloak, Entra ID...).")
    oidc_audience: str = Field(
        default="utvag-case-service",
        description="The `aud` the case service requires in access tokens.")
    oidc_cli_client_id: str = Field(
        default="utvag-cli",
        description="The public client `utvag login` signs in as (authorization code with "
                    "PKCE and a loopback redirect, or the device grant).")
    oidc_console_client_id: str = Field(
        default="utvag-console",
        description="The client the web console signs in as.")
    token_file: Path | None = Field(
        default=None,
        description="Where `utvag login` keeps a person's tokens (mode 0600; refused when "
                    "others can read it). Unset: `$XDG_CONFIG_HOME/utvag/tokens.json`, "
                    "else `~/.config/utvag/tokens.json`.")

    retention_years: int = Field(
        default=5, ge=1, le=100,
        description="Culling (gallring): a closed case is culled this many years after its "
                    "last journal entry (the Social Services Act's five years by default), "
                    "unless a legal hold or an exception below keeps it (docs/data-over-time.md).")
    retention_keep_birth_days: list[int] = Field(
        default_factory=lambda: [5, 15, 25],
        description="The research exception (SoL 12 kap. 2 §, Riksarkivet's rules): people "
                    "born on these days of a month are never culled in the municipalities "
                    "below (JSON, e.g. `[5, 15, 25]`).")
    retention_keep_municipalities: list[str] = Field(
        default_factory=list,
        description="The placing municipalities (codes) where the research exception applies "
                    "(JSON, e.g. `[\"0180\"]`). Empty: nowhere.")

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
        """The encryption master key: from the environment, else from the key file;
        validated (`models.crypto.validate_master_key`: 32 random bytes, base64 or hex)
        and, from a file, refused when group or others may read it. Raises
        `models.crypto.KeyRefused` with a message that names the problem, never the key."""
        from adapters.vault import read_key_file
        from models.crypto import KeyRefused, validate_master_key

        if self.encryption_key is not None:
            return validate_master_key(self.encryption_key.get_secret_value())
        path = self.resolved_key_file
        if not path.exists():
            raise KeyRefused(
                f"encryption key: no UTVAG_ENCRYPTION_KEY and no key file at {path}; "
                "run `utvag init` (make run does) to create one"
            )
        return read_key_file(path)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once (`load_settings`)."""
    return load_settings()


def load_settings() -> Settings:
    """Settings from the environment. Refused settings (e.g. an agency URL that is not
    https) stop the process at start-up with one line per problem naming the setting, no
    traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(_problem(error["loc"], error["msg"])
                             for error in exc.errors(include_url=False, include_input=False))
        raise SystemExit(f"utvag: refusing to start: {problems}") from None


def _problem(loc: tuple[int | str, ...], message: str) -> str:
    """One refused setting as a line: the setting's name, then why (once)."""
    field = ".".join(str(part) for part in loc)
    message = message.removeprefix("Value error, ")
    return message if not field or message.startswith(field) else f"{field}: {message}"


def apply_prefect_defaults() -> None:
    """Point Prefect at the configured server unless PREFECT_API_URL says otherwise."""
    settings = get_settings()
    os.environ.setdefault("PREFECT_API_URL", settings.prefect_api_url)
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "utvag")
    # Outside a flow run (the CLI) our log lines stay local, without a warning each.
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    # The local server's credential (`make run`), when this user holds it (mode 0600).
    from adapters.prefect_auth import auth_file, read_auth_string

    try:
        stored = read_auth_string(auth_file(settings.data_dir))
    except OSError:  # another user's, or not private: this process goes without
        stored = None
    if stored is not None:
        os.environ.setdefault("PREFECT_API_AUTH_STRING", stored)
