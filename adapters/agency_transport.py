"""How Utväg reaches each agency safely: the per-agency TLS settings and their start-up check.

Every agency request carries personal data (names, identity numbers, threat levels), so:

- an agency URL must be ``https://`` unless its host is loopback (the local simulators);
  ``http://`` to anything else, or any other scheme, is refused when the settings load;
- the organisation's client certificate and key (mutual TLS) and the CA bundle that the
  agency's server certificate must chain to are configured per agency
  (``UTVAG_<AGENCY>_CLIENT_CERT`` / ``_CLIENT_KEY`` / ``_CA_BUNDLE``); a certificate without
  its key, a key without its certificate, an unreadable file, a key that does not match its
  certificate or a CA bundle without a certificate in it are refused at start-up too,
  naming the setting.

``AgencyTransportSettings`` is a base of ``adapters.settings.Settings``; the agency URL
fields themselves (``<agency>_url``) live there. ``adapters.http.tls_context`` builds the
client TLS context from an ``AgencyTLS``. See ``docs/agency-transport.md``.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["AGENCIES", "AgencyTLS", "AgencyTransportSettings", "check_agency_url",
           "is_loopback_host", "load_tls_files"]

# Every agency Utväg talks to, by the prefix of its settings (`<agency>_url`, ...).
AGENCIES = ("police", "social_services", "kriminalvarden", "arbetsformedlingen",
            "health_care", "sis", "police_grants", "criminal_records", "suspicions",
            "tax_agency")


@dataclass(frozen=True)
class AgencyTLS:
    """One agency's transport security: the CA bundle its server certificate must chain to
    (None: the system's trust store) and our client certificate and key (None: no mTLS)."""

    ca_bundle: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None


def _cert(agency: str) -> str:
    return (f"Organisation's client certificate (PEM) presented to {agency} (mutual TLS); "
            "needs the matching key. None: no client certificate.")


def _key(agency: str) -> str:
    return (f"Private key (unencrypted PEM, readable only by the service account) of the "
            f"client certificate presented to {agency}.")


def _ca(agency: str) -> str:
    return (f"CA bundle (PEM) that {agency}'s server certificate must chain to. "
            "None: the system's trust store.")


class AgencyTransportSettings(BaseSettings):
    """Per-agency TLS files (mixed into ``Settings``; environment ``UTVAG_<FIELD>``)."""

    # A refused setting must not print the other settings' values (the encryption key,
    # the database password) in its error: pydantic shows the whole input otherwise.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    police_client_cert: Path | None = Field(default=None, description=_cert("the Police"))
    police_client_key: Path | None = Field(default=None, description=_key("the Police"))
    police_ca_bundle: Path | None = Field(default=None, description=_ca("the Police"))
    social_services_client_cert: Path | None = Field(
        default=None, description=_cert("social services"))
    social_services_client_key: Path | None = Field(
        default=None, description=_key("social services"))
    social_services_ca_bundle: Path | None = Field(
        default=None, description=_ca("social services"))
    kriminalvarden_client_cert: Path | None = Field(
        default=None, description=_cert("Kriminalvården"))
    kriminalvarden_client_key: Path | None = Field(
        default=None, description=_key("Kriminalvården"))
    kriminalvarden_ca_bundle: Path | None = Field(default=None, description=_ca("Kriminalvården"))
    arbetsformedlingen_client_cert: Path | None = Field(
        default=None, description=_cert("Arbetsförmedlingen"))
    arbetsformedlingen_client_key: Path | None = Field(
        default=None, description=_key("Arbetsförmedlingen"))
    arbetsformedlingen_ca_bundle: Path | None = Field(
        default=None, description=_ca("Arbetsförmedlingen"))
    health_care_client_cert: Path | None = Field(default=None, description=_cert("health care"))
    health_care_client_key: Path | None = Field(default=None, description=_key("health care"))
    health_care_ca_bundle: Path | None = Field(default=None, description=_ca("health care"))
    sis_client_cert: Path | None = Field(default=None, description=_cert("SiS"))
    sis_client_key: Path | None = Field(default=None, description=_key("SiS"))
    sis_ca_bundle: Path | None = Field(default=None, description=_ca("SiS"))
    police_grants_client_cert: Path | None = Field(
        default=None, description=_cert("the Police grants API"))
    police_grants_client_key: Path | None = Field(
        default=None, description=_key("the Police grants API"))
    police_grants_ca_bundle: Path | None = Field(
        default=None, description=_ca("the Police grants API"))
    criminal_records_client_cert: Path | None = Field(
        default=None, description=_cert("the criminal records register"))
    criminal_records_client_key: Path | None = Field(
        default=None, description=_key("the criminal records register"))
    criminal_records_ca_bundle: Path | None = Field(
        default=None, description=_ca("the criminal records register"))
    suspicions_client_cert: Path | None = Field(
        default=None, description=_cert("the suspicions register"))
    suspicions_client_key: Path | None = Field(
        default=None, description=_key("the suspicions register"))
    suspicions_ca_bundle: Path | None = Field(
        default=None, description=_ca("the suspicions register"))
    tax_agency_client_cert: Path | None = Field(default=None, description=_cert("Skatteverket"))
    tax_agency_client_key: Path | None = Field(default=None, description=_key("Skatteverket"))
    tax_agency_ca_bundle: Path | None = Field(default=None, description=_ca("Skatteverket"))

    def agency_tls(self, agency: str) -> AgencyTLS:
        """The TLS files configured for ``agency`` (one of ``AGENCIES``)."""
        if agency not in AGENCIES:
            raise KeyError(agency)
        return AgencyTLS(ca_bundle=getattr(self, f"{agency}_ca_bundle"),
                         client_cert=getattr(self, f"{agency}_client_cert"),
                         client_key=getattr(self, f"{agency}_client_key"))

    @model_validator(mode="after")
    def _check_agency_transport(self) -> AgencyTransportSettings:
        problems: list[str] = []  # every refused agency setting at once, not one per start
        for agency in AGENCIES:
            url = getattr(self, f"{agency}_url", None)
            tls = self.agency_tls(agency)
            try:
                if isinstance(url, str):
                    check_agency_url(f"{agency}_url", url)
                if tls != AgencyTLS():
                    load_tls_files(agency, tls, ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _setting(field: str) -> str:
    return f"{field} (UTVAG_{field.upper()})"


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_agency_url(field: str, url: str) -> None:
    """Refuse an agency URL that would send personal data in clear text or nowhere sensible:
    ``https`` with a host, or ``http`` to a loopback host (the local simulators) only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        raise ValueError(f"{_setting(field)}: not a URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"{_setting(field)}: an agency URL must be https://<host>[:port]")
    if scheme == "http" and not is_loopback_host(host):
        raise ValueError(
            f"{_setting(field)}: {host} is not loopback, so the agency must be reached over "
            "https (plain http is allowed only to 127.0.0.1, ::1 or localhost)")


def load_tls_files(agency: str, tls: AgencyTLS, context: ssl.SSLContext) -> None:
    """Load ``tls``'s CA bundle and client certificate into ``context``, or raise
    ``ValueError`` naming the setting at fault (paths only: no file content)."""
    if (tls.client_cert is None) != (tls.client_key is None):
        given, missing = (("client_cert", "client_key") if tls.client_key is None
                          else ("client_key", "client_cert"))
        raise ValueError(f"{_setting(f'{agency}_{given}')} is set but "
                         f"{_setting(f'{agency}_{missing}')} is not: mutual TLS needs both")
    for name in ("ca_bundle", "client_cert", "client_key"):
        path: Path | None = getattr(tls, name)
        if path is not None and not _readable(path):
            raise ValueError(f"{_setting(f'{agency}_{name}')}: cannot read {path}")
    if tls.ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=str(tls.ca_bundle))
        except (ssl.SSLError, OSError):
            raise ValueError(f"{_setting(f'{agency}_ca_bundle')}: {tls.ca_bundle} holds no "
                             "PEM certificate") from None
    if tls.client_cert is not None and tls.client_key is not None:
        try:
            context.load_cert_chain(certfile=str(tls.client_cert), keyfile=str(tls.client_key),
                                    password=_no_password)
        except (ssl.SSLError, OSError):
            raise ValueError(
                f"{_setting(f'{agency}_client_cert')} / {_setting(f'{agency}_client_key')}: "
                "not a PEM certificate and its matching unencrypted private key") from None


def _no_password() -> bytes:
    # An encrypted key fails here instead of OpenSSL prompting on the terminal.
    return b""


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True
