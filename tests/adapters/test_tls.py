"""Agency transport security: https and mutual TLS against a simulator serving TLS.

The run makes its own certificate authorities with ``cryptography``: the agency's CA (the
simulator's server certificate, for 127.0.0.1), our organisation's CA (our client
certificate, the only one the simulator accepts) and a stranger's CA (a client certificate
the simulator must refuse). One police simulator serves HTTPS with mutual TLS for the
module; the adapters reach it through the settings and the composition root, exactly as
a flow run does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fastapi import FastAPI
from pydantic import ValidationError

from adapters.agency_transport import AGENCIES, AgencyTLS
from adapters.common import Subject
from adapters.errors import AgencyError, RetryableAgencyError
from adapters.http import tls_context
from adapters.police.schemas import ThreatAssessmentRequest
from adapters.registry import agency_ports
from adapters.settings import Settings, load_settings
from simulators import SimulatorConfig, police
from simulators.__main__ import main as simulator_main
from simulators.catalog import APPS
from simulators.export_contracts import CONTRACTS_DIR
from simulators.registers import create_suspicions_app
from simulators.server import RunningSimulator, ServerTLS, start_in_thread
from tests.sims import TEST_IDENTITY_NUMBER, TEST_NAME

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Issuer:
    """A certificate authority of the test run: its key, certificate and PEM file."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    pem: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _authority(directory: Path, name: str) -> Issuer:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    cert = (
        x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
        .public_key(public).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(hours=1)).not_valid_after(NOW + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = directory / f"{name}.ca.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Issuer(key, cert, pem)


def _issue(directory: Path, issuer: Issuer, name: str, *, server: bool) -> tuple[Path, Path]:
    """A leaf certificate and its key (PEM files): for 127.0.0.1 when ``server``, else a
    client certificate of the organisation ``name``."""
    key = ec.generate_private_key(ec.SECP256R1())
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder().subject_name(_name(name)).issuer_name(issuer.cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(hours=1)).not_valid_after(NOW + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer.key.public_key()), critical=False)
    )
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    cert = builder.sign(issuer.key, hashes.SHA256())
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class Pki:
    agency_ca: Path       # signs the simulator's server certificate
    organisation_ca: Path  # signs our client certificate; the simulator trusts only this
    stranger_ca: Path
    ours: tuple[Path, Path]
    strangers: tuple[Path, Path]
    server: tuple[Path, Path]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    agency, organisation, stranger = (_authority(directory, name)
                                      for name in ("agency", "organisation", "stranger"))
    return Pki(agency_ca=agency.pem, organisation_ca=organisation.pem, stranger_ca=stranger.pem,
               ours=_issue(directory, organisation, "utvag-municipality", server=False),
               strangers=_issue(directory, stranger, "someone-else", server=False),
               server=_issue(directory, agency, "police-sim", server=True))


@pytest.fixture(scope="module")
def police_tls(pki: Pki) -> Iterator[RunningSimulator]:
    app = police.create_app(SimulatorConfig(test_mode=True, answer_delay_seconds=0))
    tls = ServerTLS(cert=pki.server[0], key=pki.server[1], client_ca=pki.organisation_ca)
    with start_in_thread(app, tls=tls) as running:
        yield running


def _settings(url: str, **police_tls: Any) -> Settings:
    return Settings(DATABASE_URL="postgresql://nobody@127.0.0.1:9/none", police_url=url,
                    **{f"police_{field}": value for field, value in police_tls.items()})


def _ask_police(settings: Settings, case_number: str) -> str:
    """One threat-assessment request through the composition root, as a flow run sends it."""
    request = ThreatAssessmentRequest(
        case_number=case_number, placing_municipality="0180", milieu="gang",
        subject=Subject(identity_number=TEST_IDENTITY_NUMBER, name=TEST_NAME))
    with agency_ports(settings) as ports:
        submitted = ports.police.request_threat_assessment(
            idempotency_key=f"{case_number}:police", request=request)
    return submitted.request_id


def _posts(running: RunningSimulator, pki: Pki) -> dict[str, int]:
    """The simulator's own count of POSTs per key, read over mutual TLS."""
    ours = AgencyTLS(ca_bundle=pki.agency_ca, client_cert=pki.ours[0], client_key=pki.ours[1])
    with httpx.Client(base_url=running.base_url, verify=tls_context(ours)) as client:
        counts: dict[str, int] = client.get("/_admin/requests").json()["by_idempotency_key"]
    return counts


def test_our_certificate_and_the_agencys_ca_get_through(police_tls: RunningSimulator,
                                                       pki: Pki) -> None:
    assert police_tls.base_url.startswith("https://127.0.0.1:")
    settings = _settings(police_tls.base_url, ca_bundle=pki.agency_ca,
                         client_cert=pki.ours[0], client_key=pki.ours[1])
    assert _ask_police(settings, "UTV-TLS-OK")
    assert _posts(police_tls, pki)["UTV-TLS-OK:police"] == 1


@pytest.mark.parametrize("who", ["nobody", "stranger"])
def test_the_agency_refuses_a_client_without_our_certificate(
        police_tls: RunningSimulator, pki: Pki, who: str) -> None:
    identity = {} if who == "nobody" else {"client_cert": pki.strangers[0],
                                           "client_key": pki.strangers[1]}
    settings = _settings(police_tls.base_url, ca_bundle=pki.agency_ca, **identity)
    case_number = f"UTV-TLS-{who}"
    with pytest.raises(AgencyError) as refused:
        _ask_police(settings, case_number)
    # Refused in the TLS handshake (TLS 1.3: the alert comes after our first bytes, so
    # httpx sees the connection closed): a transport error, nothing was received.
    assert isinstance(refused.value, RetryableAgencyError)
    assert "transport error" in refused.value.reason
    assert TEST_IDENTITY_NUMBER not in str(refused.value)
    assert f"{case_number}:police" not in _posts(police_tls, pki)


@pytest.mark.parametrize("trusted", ["organisation", "system"])
def test_a_server_certificate_from_another_ca_is_refused(
        police_tls: RunningSimulator, pki: Pki, trusted: str) -> None:
    """The simulator's certificate does not chain to what we were told to trust (another
    CA, or the system's public CAs): nothing is sent."""
    ca = {"ca_bundle": pki.organisation_ca} if trusted == "organisation" else {}
    settings = _settings(police_tls.base_url, client_cert=pki.ours[0], client_key=pki.ours[1],
                         **ca)
    case_number = f"UTV-TLS-{trusted}"
    with pytest.raises(AgencyError) as refused:
        _ask_police(settings, case_number)
    assert "TLS: the agency's certificate is not trusted" in refused.value.reason
    assert f"{case_number}:police" not in _posts(police_tls, pki)


@pytest.mark.parametrize("url", ["http://police.example.se", "http://10.0.0.5:8101",
                                 "ftp://127.0.0.1/", "police.example.se"])
def test_an_agency_url_that_is_not_https_is_refused_at_start_up(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _settings(url)
    assert "police_url (UTVAG_POLICE_URL)" in str(refused.value)
    assert "nobody@" not in str(refused.value)  # no other setting's value in the message


def test_a_process_with_refused_agency_settings_stops_naming_them(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What a worker, the service or the CLI does at start-up: one line naming every
    refused setting, no traceback, no value of another setting."""
    monkeypatch.setenv("UTVAG_ENCRYPTION_KEY", "a-key-that-must-not-be-printed")
    monkeypatch.setenv("UTVAG_POLICE_URL", "http://police.example.se")
    monkeypatch.setenv("UTVAG_SIS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    message = str(stopped.value.code)
    assert message.startswith("utvag: refusing to start: police_url (UTVAG_POLICE_URL): ")
    assert "sis_ca_bundle (UTVAG_SIS_CA_BUNDLE): cannot read" in message
    assert "a-key-that-must-not-be-printed" not in message


@pytest.mark.parametrize("url", ["https://police.example.se", "http://127.0.0.1:8101",
                                 "http://[::1]:8101", "http://localhost:8101"])
def test_https_or_loopback_is_accepted(url: str) -> None:
    assert _settings(url).police_url == url


def test_every_agency_has_its_url_and_tls_settings_checked() -> None:
    fields = Settings.model_fields
    for agency in AGENCIES:
        assert f"{agency}_url" in fields, agency
        for suffix in ("client_cert", "client_key", "ca_bundle"):
            assert fields[f"{agency}_{suffix}"].description, (agency, suffix)
        with pytest.raises(ValidationError, match=f"{agency}_url"):
            Settings(**{f"{agency}_url": "http://agency.example.se"})


def test_incomplete_or_unreadable_tls_files_are_refused_at_start_up(pki: Pki,
                                                                  tmp_path: Path) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"client_cert": pki.ours[0]}, "police_client_key (UTVAG_POLICE_CLIENT_KEY) is not"),
        ({"client_key": pki.ours[1]}, "police_client_cert (UTVAG_POLICE_CLIENT_CERT) is not"),
        ({"ca_bundle": tmp_path / "missing.pem"}, "police_ca_bundle (UTVAG_POLICE_CA_BUNDLE)"),
        ({"client_cert": pki.ours[0], "client_key": pki.strangers[1]}, "police_client_key"),
        ({"ca_bundle": pki.ours[1]}, "police_ca_bundle"),
    ]
    for files, message in cases:
        with pytest.raises(ValidationError) as refused:
            _settings("https://police.example.se", **files)
        assert message in str(refused.value), files
        assert "PRIVATE KEY" not in str(refused.value)


def _answers(app: FastAPI, *requests: tuple[str, str, Any]) -> list[int]:
    """Status codes of ``requests`` (method, path, JSON body) sent to ``app`` in-process:
    what is gated here is the app, not the socket."""
    async def send() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            return [(await client.request(method, path, json=body)).status_code
                    for method, path, body in requests]
    return asyncio.run(send())


def test_admin_endpoints_answer_only_in_test_mode() -> None:
    admin_calls = [("GET", "/_admin/requests", None), ("GET", "/_admin/faults", None),
                   ("POST", "/_admin/answer-now", None), ("GET", "/health", None)]
    register_calls = [("GET", "/_admin/lookups", None),
                      ("POST", "/_admin/entries", {"entries": []})]
    assert _answers(police.create_app(SimulatorConfig()), *admin_calls) == [404, 404, 404, 200]
    assert _answers(create_suspicions_app(SimulatorConfig()), *register_calls) == [404, 404]
    test_mode = SimulatorConfig(test_mode=True)
    assert _answers(police.create_app(test_mode), *admin_calls) == [200, 200, 200, 200]
    assert _answers(create_suspicions_app(test_mode), *register_calls) == [200, 204]
    # Outside test mode nobody can switch a fault on: the agency API keeps answering.
    assert _answers(police.create_app(SimulatorConfig()),
                    ("PUT", "/_admin/faults", {"error_rate": 1.0}),
                    ("GET", "/threat-assessments/unknown", None)) == [404, 404]


@pytest.mark.parametrize("argv", [
    ["police", "--tls-cert", "server.pem"],
    ["police", "--tls-client-ca", "ca.pem"],
    ["police", "--tls-cert", "missing.pem", "--tls-key", "missing.key"],
    ["police", "--host", "0.0.0.0", "--allow-non-loopback"],  # noqa: S104 - refused
])
def test_the_simulator_cli_refuses_incomplete_tls(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        simulator_main(argv)
    assert exited.value.code == 2


def test_every_contract_declares_mutual_tls() -> None:
    for name in APPS:
        spec = json.loads((CONTRACTS_DIR / f"{name.replace('-', '_')}.openapi.json").read_text())
        assert spec["openapi"].startswith("3.1")
        assert spec["components"]["securitySchemes"]["mutualTLS"]["type"] == "mutualTLS"
        assert spec["security"] == [{"mutualTLS": []}]
