"""Composition root for the agencies: every adapter Utväg talks to, built from settings.

A flow run opens `agency_ports()` once and hands the ports to its tasks (one httpx client
per agency per run); the register sweep opens `register_ports()` inside its event loop.
Tests hand in the recording fakes of `tests/fakes/` instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager

import httpx

from adapters.http import tls_context
from adapters.invitations.client import HttpInvitationAdapter
from adapters.invitations.port import InvitationPort
from adapters.police.client import HttpPoliceAdapter
from adapters.police.port import PolicePort
from adapters.police_grants.client import HttpPoliceGrantsAdapter
from adapters.police_grants.port import PoliceGrantsPort
from adapters.registers import HttpRegisterAdapter, RegisterPort
from adapters.settings import Settings
from adapters.social_services.client import HttpSocialServicesAdapter
from adapters.social_services.port import SocialServicesPort
from adapters.tax_agency.client import HttpTaxAgencyAdapter
from adapters.tax_agency.port import TaxAgencyPort

# The agencies invited to the collaboration meeting and asked for hand-overs.
INVITED = ("kriminalvarden", "arbetsformedlingen", "health_care", "sis")
REGISTERS = ("criminal_records", "suspicions")


class AgencyPorts:
    """The synchronous agency ports of one run. A plain class, not a dataclass: Prefect
    walks dataclasses handed to tasks, and these hold open clients."""

    def __init__(self, *, police: PolicePort, social_services: SocialServicesPort,
                 police_grants: PoliceGrantsPort, tax_agency: TaxAgencyPort,
                 invitations: dict[str, InvitationPort]) -> None:
        self.police = police
        self.social_services = social_services
        self.police_grants = police_grants
        self.tax_agency = tax_agency
        # Meeting invitations and hand-overs, by agency (one adapter per agency).
        self.invitations = invitations

    def invitation(self, agency: str) -> InvitationPort:
        return self.invitations[agency]


def _timeout(settings: Settings, *, pool: float = 2.0) -> httpx.Timeout:
    return httpx.Timeout(connect=2.0, read=settings.http_read_timeout, write=5.0, pool=pool)


def _invited_urls(settings: Settings) -> dict[str, str]:
    return {"kriminalvarden": settings.kriminalvarden_url,
            "arbetsformedlingen": settings.arbetsformedlingen_url,
            "health_care": settings.health_care_url, "sis": settings.sis_url}


@contextmanager
def agency_ports(settings: Settings) -> Iterator[AgencyPorts]:
    """Every synchronous agency port, each on its own client, closed on exit."""
    with ExitStack() as stack:
        def client(agency: str, base_url: str) -> httpx.Client:
            verify = tls_context(settings.agency_tls(agency), agency=agency)
            return stack.enter_context(httpx.Client(base_url=base_url, timeout=_timeout(settings),
                                                    verify=verify))

        yield AgencyPorts(
            police=HttpPoliceAdapter(client("police", settings.police_url)),
            social_services=HttpSocialServicesAdapter(
                client("social_services", settings.social_services_url)),
            police_grants=HttpPoliceGrantsAdapter(
                client("police_grants", settings.police_grants_url)),
            tax_agency=HttpTaxAgencyAdapter(client("tax_agency", settings.tax_agency_url)),
            invitations={agency: HttpInvitationAdapter(client(agency, url), agency=agency)
                         for agency, url in _invited_urls(settings).items()},
        )


@asynccontextmanager
async def register_ports(settings: Settings, *,
                         in_flight: int) -> AsyncIterator[dict[str, RegisterPort]]:
    """The two police registers (async: a sweep keeps `in_flight` look-ups in flight to
    each), opened inside the caller's event loop."""
    urls = {"criminal_records": settings.criminal_records_url,
            "suspicions": settings.suspicions_url}
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    async with AsyncExitStack() as stack:
        ports: dict[str, RegisterPort] = {}
        for name, url in urls.items():
            client = await stack.enter_async_context(httpx.AsyncClient(
                base_url=url, timeout=_timeout(settings, pool=5.0), limits=limits,
                verify=tls_context(settings.agency_tls(name), agency=name)))
            ports[name] = HttpRegisterAdapter(client, register=name)  # type: ignore[arg-type]
        yield ports
